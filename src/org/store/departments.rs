//! Departments (处室/科室): the units that are inspected, evaluated and scored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::rules::Visibility;
use crate::db::schema::departments::dsl as d;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;

#[derive(Clone, Debug, Queryable, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "综合处", "code": "ZHC", "active": true,
    "created_at": "2026-11-27T08:00:00.000000Z", "updated_at": "2026-11-27T08:00:00.000000Z"}))]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub active: bool,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

type Columns = (d::id, d::name, d::code, d::active, d::created_at, d::updated_at);
const COLUMNS: Columns = (d::id, d::name, d::code, d::active, d::created_at, d::updated_at);

pub struct NewDepartment {
    pub name: String,
    pub code: String,
    pub active: bool,
}

#[derive(Default)]
pub struct Changes {
    pub name: Option<String>,
    pub code: Option<String>,
    pub active: Option<bool>,
}

pub fn list(
    conn: &mut DbConn,
    vis: Visibility,
    active: Option<bool>,
    page: PageRequest,
) -> Result<Vec<Department>, StoreError> {
    let mut q = d::departments
        .select(COLUMNS)
        .order(d::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, d::id);
    crate::filter_if_some!(q, active => d::active.eq);
    crate::filter_if_some!(q, page.after => d::id.gt);
    Ok(q.load(conn)?)
}

pub fn get(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Department, StoreError> {
    let department: Department = crate::native!(conn, |c| d::departments.select(COLUMNS).find(id).first(c))?;
    crate::db::visible_row(vis, department.id, department)
}

pub fn create(conn: &mut DbConn, new: &NewDepartment, now: NaiveDateTime) -> Result<Department, StoreError> {
    Ok(diesel::insert_into(d::departments)
        .values((
            d::name.eq(&new.name),
            d::code.eq(&new.code),
            d::active.eq(new.active),
            d::created_at.eq(now),
            d::updated_at.eq(now),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}

pub fn update(conn: &mut DbConn, id: i64, c: &Changes, now: NaiveDateTime) -> Result<Department, StoreError> {
    Ok(diesel::update(d::departments.filter(d::id.eq(id)))
        .set((
            c.name.as_ref().map(|v| d::name.eq(v)),
            c.code.as_ref().map(|v| d::code.eq(v)),
            c.active.map(|v| d::active.eq(v)),
            d::updated_at.eq(now),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}
