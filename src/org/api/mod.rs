//! The organisation's endpoints.

pub mod certificates;
pub mod departments;
pub mod people;
pub mod users;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::audit::{self, Actor};
use crate::db::{DbConn, StoreError};
use crate::http::etag::{self, IfMatch};
use crate::http::AppError;

/// Who changed what, for the audit entry of an update.
pub struct Audited {
    pub actor: Actor,
    pub action: &'static str,
    pub entity: &'static str,
    pub id: i64,
}

/// An optimistic update inside one transaction: the current representation must carry the
/// ETag the client names; the change and its audit entry (before and after) commit together.
pub fn guarded_update<T: Serialize>(
    conn: &mut DbConn,
    if_match: &IfMatch,
    audited: Audited,
    load: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
    apply: impl FnOnce(&mut DbConn, &T) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let before = load(conn).map_err(|e| match e {
        StoreError::NotFound => AppError::not_found(audited.entity),
        other => other.into(),
    })?;
    if_match.check(&etag::of(&before))?;
    let after = apply(conn, &before)?;
    let change = serde_json::json!({ "before": &before, "after": &after });
    audit::append(
        conn,
        &audited.actor,
        audited.action,
        audited.entity,
        audited.id,
        &change,
    )?;
    Ok(after)
}

/// 201 with `Location` and `ETag`.
pub fn created(location: String, body: &impl Serialize) -> HttpResponse {
    let mut res = etag::json_with_etag(StatusCode::CREATED, body);
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&location) {
        res.headers_mut().insert(actix_web::http::header::LOCATION, v);
    }
    res
}

/// Maps a missing row to a 404 naming the entity.
pub fn missing(entity: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::not_found(entity),
        other => other.into(),
    }
}
