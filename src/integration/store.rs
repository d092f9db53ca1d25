//! Storage of service accounts: each is a `users` row of role `integration` (so sessions,
//! disabling and the audit actor work as for people) plus its client credentials and scopes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::store::{open_session, revoke_session};
use crate::auth::tokens::{digest, random_token};
use crate::auth::Role;
use crate::db::schema::service_accounts::dsl as sa;
use crate::db::schema::users::dsl as u;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;

#[derive(Clone, Debug, Queryable)]
pub struct ServiceAccount {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    pub scopes: String,
    pub session_id: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// No password verifies against this: service accounts never sign in with `/auth/login`.
const NO_PASSWORD: &str = "!service-account";

/// Creates the account; returns it with its secret, which is not stored.
pub fn create(
    conn: &mut DbConn,
    name: &str,
    scopes: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<(ServiceAccount, String), StoreError> {
    let client_id = format!("svc-{}", uuid::Uuid::new_v4().simple());
    let user_id: i64 = diesel::insert_into(u::users)
        .values((
            u::username.eq(&client_id),
            u::password_hash.eq(NO_PASSWORD),
            u::role.eq(Role::Integration),
            u::active.eq(true),
            u::created_at.eq(now),
            u::updated_at.eq(now),
        ))
        .returning(u::id)
        .get_result(conn)?;
    let session = open_session(conn, user_id, now)?;
    let secret = random_token();
    let id: i64 = diesel::insert_into(sa::service_accounts)
        .values((
            sa::user_id.eq(user_id),
            sa::name.eq(name),
            sa::client_id.eq(&client_id),
            sa::secret_hash.eq(digest(&secret)),
            sa::scopes.eq(scopes),
            sa::session_id.eq(session),
            sa::created_by.eq(by),
            sa::created_at.eq(now),
            sa::updated_at.eq(now),
        ))
        .returning(sa::id)
        .get_result(conn)?;
    Ok((get(conn, id)?, secret))
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<ServiceAccount, StoreError> {
    Ok(sa::service_accounts.find(id).first(conn)?)
}

pub fn by_client_id(conn: &mut DbConn, client_id: &str) -> Result<Option<ServiceAccount>, StoreError> {
    Ok(sa::service_accounts
        .filter(sa::client_id.eq(client_id))
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, page: PageRequest) -> Result<Vec<ServiceAccount>, StoreError> {
    let mut q = sa::service_accounts
        .order(sa::id.asc())
        .limit(page.fetch())
        .into_boxed();
    crate::filter_if_some!(q, page.after => sa::id.gt);
    Ok(q.load(conn)?)
}

/// A new secret; tokens issued under the old one stop working at once.
pub fn rotate(conn: &mut DbConn, a: &ServiceAccount, now: NaiveDateTime) -> Result<String, StoreError> {
    revoke_session(conn, a.session_id, now)?;
    let session = open_session(conn, a.user_id, now)?;
    let secret = random_token();
    crate::db::update(
        sa::service_accounts,
        (
            sa::secret_hash.eq(digest(&secret)),
            sa::session_id.eq(session),
            sa::rotated_at.eq(now),
            sa::updated_at.eq(now),
        ),
        sa::id.eq(a.id),
    )
    .execute(conn)?;
    Ok(secret)
}

/// Revoked for good: the account is disabled and its tokens stop working.
pub fn revoke(conn: &mut DbConn, a: &ServiceAccount, now: NaiveDateTime) -> Result<(), StoreError> {
    revoke_session(conn, a.session_id, now)?;
    crate::db::update(
        u::users,
        (u::active.eq(false), u::updated_at.eq(now)),
        u::id.eq(a.user_id),
    )
    .execute(conn)?;
    crate::db::update(
        sa::service_accounts,
        (sa::revoked_at.eq(now), sa::updated_at.eq(now)),
        sa::id.eq(a.id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn set_scopes(conn: &mut DbConn, id: i64, scopes: &str, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        sa::service_accounts,
        (sa::scopes.eq(scopes), sa::updated_at.eq(now)),
        sa::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}
