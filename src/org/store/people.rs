//! People (执法人员): each belongs to one department and holds one position.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::rules::Visibility;
use crate::db::schema::people::dsl as p;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;
use crate::org::rules::Position;

#[derive(Clone, Debug, Queryable, Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "name": "王伟", "position": "officer", "department_id": 2, "active": true,
    "created_at": "2026-11-27T08:00:00.000000Z", "updated_at": "2026-11-27T08:00:00.000000Z"}))]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub position: Position,
    pub department_id: i64,
    pub active: bool,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

type Columns = (
    p::id,
    p::name,
    p::position,
    p::department_id,
    p::active,
    p::created_at,
    p::updated_at,
);
const COLUMNS: Columns = (
    p::id,
    p::name,
    p::position,
    p::department_id,
    p::active,
    p::created_at,
    p::updated_at,
);

pub struct NewPerson {
    pub name: String,
    pub position: Position,
    pub department_id: i64,
    pub active: bool,
}

#[derive(Default)]
pub struct Changes {
    pub name: Option<String>,
    pub position: Option<Position>,
    pub department_id: Option<i64>,
    pub active: Option<bool>,
}

#[derive(Default)]
pub struct Filter {
    pub department_id: Option<i64>,
    pub position: Option<Position>,
    pub active: Option<bool>,
}

pub fn list(conn: &mut DbConn, vis: Visibility, f: &Filter, page: PageRequest) -> Result<Vec<Person>, StoreError> {
    let mut q = p::people
        .select(COLUMNS)
        .order(p::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, p::department_id);
    crate::filter_if_some!(q, f.department_id => p::department_id.eq);
    crate::filter_if_some!(q, f.position => p::position.eq);
    crate::filter_if_some!(q, f.active => p::active.eq);
    crate::filter_if_some!(q, page.after => p::id.gt);
    Ok(q.load(conn)?)
}

pub fn get_visible(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Person, StoreError> {
    let person: Person = crate::native!(conn, |c| p::people.select(COLUMNS).find(id).first(c))?;
    crate::db::visible_row(vis, person.department_id, person)
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<Person, StoreError> {
    get_visible(conn, id, Visibility::All)
}

pub fn create(conn: &mut DbConn, new: &NewPerson, now: NaiveDateTime) -> Result<Person, StoreError> {
    Ok(diesel::insert_into(p::people)
        .values((
            p::name.eq(&new.name),
            p::position.eq(new.position),
            p::department_id.eq(new.department_id),
            p::active.eq(new.active),
            p::created_at.eq(now),
            p::updated_at.eq(now),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}

pub fn update(conn: &mut DbConn, id: i64, c: &Changes, now: NaiveDateTime) -> Result<Person, StoreError> {
    Ok(diesel::update(p::people.filter(p::id.eq(id)))
        .set((
            c.name.as_ref().map(|v| p::name.eq(v)),
            c.position.map(|v| p::position.eq(v)),
            c.department_id.map(|v| p::department_id.eq(v)),
            c.active.map(|v| p::active.eq(v)),
            p::updated_at.eq(now),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}
