//! Sessions (refresh-token families) and refresh tokens.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::dsl::max;
use diesel::prelude::*;

use super::tokens::{self, REFRESH_TTL_SECS};
use super::Role;
use crate::db::schema::{audit_log, people, refresh_tokens as rt, service_accounts, sessions, users};
use crate::db::{DbConn, StoreError};

/// What the auth extractor needs to know about a token's account and session, now.
#[derive(Debug, Queryable)]
pub struct Principal {
    pub role: Role,
    pub active: bool,
    pub department_id: Option<i64>,
    pub person_id: Option<i64>,
    /// When the session was signed out, if it was.
    pub revoked_at: Option<NaiveDateTime>,
    /// A service account's scopes, space-separated.
    pub scopes: Option<String>,
    /// The audit log's newest entry (`http::pages`), read in the same statement.
    pub audit_head: Option<i64>,
}

pub fn principal(conn: &mut DbConn, user_id: i64, session_id: i64) -> Result<Option<Principal>, StoreError> {
    Ok(crate::native!(conn, |c| sessions::table
        .inner_join(
            users::table
                .left_join(people::table)
                .left_join(service_accounts::table.on(service_accounts::user_id.eq(users::id))),
        )
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .select((
            users::role,
            users::active,
            people::department_id.nullable(),
            users::person_id,
            sessions::revoked_at,
            service_accounts::scopes.nullable(),
            audit_log::table.select(max(audit_log::seq)).single_value(),
        ))
        .first(c)
        .optional())?)
}

/// An account as login sees it.
#[derive(Clone, Debug, Queryable)]
pub struct Account {
    pub id: i64,
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    pub department_id: Option<i64>,
}

/// How login and refresh find an account.
enum AccountKey<'a> {
    Username(&'a str),
    Id(i64),
}

fn load_account(conn: &mut DbConn, key: AccountKey) -> Result<Option<Account>, StoreError> {
    let q = users::table
        .left_join(people::table)
        .select((
            users::id,
            users::password_hash,
            users::role,
            users::active,
            people::department_id.nullable(),
        ))
        .into_boxed();
    let q = match key {
        AccountKey::Username(name) => q.filter(users::username.eq(name.to_owned())),
        AccountKey::Id(id) => q.filter(users::id.eq(id)),
    };
    Ok(q.first(conn).optional()?)
}

pub fn find_account(conn: &mut DbConn, username: &str) -> Result<Option<Account>, StoreError> {
    load_account(conn, AccountKey::Username(username))
}

/// Opens a login session and returns its id.
pub fn open_session(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(sessions::table)
        .values((sessions::user_id.eq(user_id), sessions::created_at.eq(now)))
        .returning(sessions::id)
        .get_result(conn)?)
}

/// Issues a refresh token in the session; only its digest is stored.
pub fn issue_refresh(conn: &mut DbConn, session_id: i64, now: NaiveDateTime) -> Result<String, StoreError> {
    let token = tokens::random_token();
    diesel::insert_into(rt::table)
        .values((
            rt::session_id.eq(session_id),
            rt::token_hash.eq(tokens::digest(&token)),
            rt::issued_at.eq(now),
            rt::expires_at.eq(now + TimeDelta::seconds(REFRESH_TTL_SECS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Revokes a whole session: its access tokens and every refresh token of its family.
pub fn revoke_session(conn: &mut DbConn, session_id: i64, now: NaiveDateTime) -> Result<bool, StoreError> {
    let n = crate::db::update(
        sessions::table,
        sessions::revoked_at.eq(now),
        sessions::id.eq(session_id).and(sessions::revoked_at.is_null()),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every open session of an account (disabled, password reset).
pub fn revoke_all_sessions(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(crate::db::update(
        sessions::table,
        sessions::revoked_at.eq(now),
        sessions::user_id.eq(user_id).and(sessions::revoked_at.is_null()),
    )
    .execute(conn)?)
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was current: it is now used, and a new one was issued in the same session.
    Rotated {
        account: Account,
        session_id: i64,
        refresh_token: String,
    },
    /// The token had been used before: the whole family is now revoked.
    Reused { session_id: i64, user_id: i64 },
    /// Unknown, expired, signed out, or the account is disabled.
    Refused(&'static str),
}

/// A presented refresh token with its session.
#[derive(Queryable)]
struct Presented {
    token_id: i64,
    session_id: i64,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    user_id: i64,
}

pub fn rotate(conn: &mut DbConn, presented: &str, now: NaiveDateTime) -> Result<Rotation, StoreError> {
    let found: Option<Presented> = rt::table
        .inner_join(sessions::table)
        .filter(rt::token_hash.eq(tokens::digest(presented)))
        .select((
            rt::id,
            rt::session_id,
            rt::expires_at,
            rt::used_at,
            sessions::revoked_at,
            sessions::user_id,
        ))
        .first(conn)
        .optional()?;
    let Some(Presented {
        token_id,
        session_id,
        expires_at,
        used_at,
        revoked_at,
        user_id,
    }) = found
    else {
        return Ok(Rotation::Refused("the refresh token is unknown"));
    };
    if revoked_at.is_some() {
        return Ok(Rotation::Refused("the session has been signed out"));
    }
    if used_at.is_some() {
        revoke_session(conn, session_id, now)?;
        return Ok(Rotation::Reused { session_id, user_id });
    }
    if expires_at <= now {
        return Ok(Rotation::Refused("the refresh token has expired"));
    }
    let account = load_account(conn, AccountKey::Id(user_id))?.ok_or(StoreError::NotFound)?;
    if !account.active {
        return Ok(Rotation::Refused("the account is disabled"));
    }
    // Conditional on still being unused: of two concurrent presentations only one rotates.
    let claimed = crate::db::update(
        rt::table,
        rt::used_at.eq(now),
        rt::id.eq(token_id).and(rt::used_at.is_null()),
    )
    .execute(conn)?;
    if claimed == 0 {
        revoke_session(conn, session_id, now)?;
        return Ok(Rotation::Reused { session_id, user_id });
    }
    let refresh_token = issue_refresh(conn, session_id, now)?;
    Ok(Rotation::Rotated {
        account,
        session_id,
        refresh_token,
    })
}
