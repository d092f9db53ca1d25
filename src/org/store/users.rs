//! User accounts. The password hash never leaves this module except to login.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::schema::{people, users::dsl as u};
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;

#[derive(Clone, Debug, Queryable, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "username": "office", "role": "supervisory_office", "person_id": 4, "active": true,
    "created_at": "2026-11-27T08:00:00.000000Z", "updated_at": "2026-11-27T08:00:00.000000Z"}))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub person_id: Option<i64>,
    pub active: bool,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

type Columns = (
    u::id,
    u::username,
    u::role,
    u::person_id,
    u::active,
    u::created_at,
    u::updated_at,
);
const COLUMNS: Columns = (
    u::id,
    u::username,
    u::role,
    u::person_id,
    u::active,
    u::created_at,
    u::updated_at,
);

pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub person_id: Option<i64>,
}

#[derive(Default)]
pub struct Changes {
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

#[derive(Default)]
pub struct Filter {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub fn list(conn: &mut DbConn, vis: Visibility, f: &Filter, page: PageRequest) -> Result<Vec<User>, StoreError> {
    let mut q = u::users
        .left_join(people::table)
        .select(COLUMNS)
        .order(u::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, people::department_id.nullable());
    crate::filter_if_some!(q, f.role => u::role.eq);
    crate::filter_if_some!(q, f.active => u::active.eq);
    crate::filter_if_some!(q, page.after => u::id.gt);
    Ok(q.load(conn)?)
}

pub fn get_visible(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<User, StoreError> {
    let q = u::users
        .left_join(people::table)
        .select(COLUMNS)
        .filter(u::id.eq(id))
        .into_boxed();
    Ok(crate::visible!(q, vis, people::department_id.nullable()).first(conn)?)
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<User, StoreError> {
    get_visible(conn, id, Visibility::All)
}

/// Whether a person already has an account.
pub fn person_has_account(conn: &mut DbConn, person_id: i64) -> Result<bool, StoreError> {
    let n: i64 = u::users.filter(u::person_id.eq(person_id)).count().get_result(conn)?;
    Ok(n > 0)
}

pub fn create(conn: &mut DbConn, new: &NewUser, now: NaiveDateTime) -> Result<User, StoreError> {
    Ok(diesel::insert_into(u::users)
        .values((
            u::username.eq(&new.username),
            u::password_hash.eq(&new.password_hash),
            u::role.eq(new.role),
            u::person_id.eq(new.person_id),
            u::active.eq(true),
            u::created_at.eq(now),
            u::updated_at.eq(now),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}

pub fn update(conn: &mut DbConn, id: i64, c: &Changes, now: NaiveDateTime) -> Result<User, StoreError> {
    Ok(diesel::update(u::users.filter(u::id.eq(id)))
        .set((
            c.role.map(|v| u::role.eq(v)),
            c.active.map(|v| u::active.eq(v)),
            c.password_hash.as_ref().map(|v| u::password_hash.eq(v)),
            u::updated_at.eq(now),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}
