//! `Idempotency-Key` on POST: the first successful response is kept for 24 hours and replayed
//! for the same key and body; the same key with another body is 422, and 409 while the first
//! is running. The request's write transaction marks the key applied, so after a crash a
//! retry runs again only if nothing of the first attempt committed; if it had, the answer is a
//! 409 `idempotency_applied` (the record is there) — never a second write.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::AppError;
use crate::db::schema::idempotency_keys::dsl as k;
use crate::db::{DbConn, StoreError};
use crate::AppState;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// How long a key is remembered.
pub const TTL_HOURS: i64 = 24;
/// Bodies larger than this are not buffered for a key (uploads are at most 10 MiB).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// The response headers a replay carries besides the body.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// What the first use of a key left.
enum Claim {
    /// The key is new (or expired): this request runs.
    Fresh,
    Replay {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// The same key came with another request.
    Mismatch,
    /// The first request is still running.
    Running,
    /// The first request's writes committed but its answer was lost (a crash, a dropped
    /// connection): not run again.
    Applied,
}

/// A first request not finished after this long was cut off (its process died, or its client
/// went away before the answer was kept).
const ABANDONED_SECS: i64 = 60;

type Row = (
    String,
    String,
    bool,
    bool,
    Option<i32>,
    Option<String>,
    Option<Vec<u8>>,
    NaiveDateTime,
);

fn claim(
    conn: &mut DbConn,
    owner: &str,
    key: &str,
    fingerprint: &str,
    instance: &str,
    now: NaiveDateTime,
) -> Result<Claim, StoreError> {
    let cutoff = now - TimeDelta::hours(TTL_HOURS);
    diesel::delete(k::idempotency_keys.filter(k::created_at.lt(cutoff))).execute(conn)?;
    let found: Option<Row> = k::idempotency_keys
        .filter(k::owner.eq(owner))
        .filter(k::idem_key.eq(key))
        .select((
            k::fingerprint,
            k::instance,
            k::done,
            k::applied,
            k::status,
            k::headers,
            k::body,
            k::created_at,
        ))
        .first(conn)
        .optional()?;
    let Some((fp, inst, done, applied, status, headers, body, created)) = found else {
        diesel::insert_into(k::idempotency_keys)
            .values((
                k::owner.eq(owner),
                k::idem_key.eq(key),
                k::fingerprint.eq(fingerprint),
                k::instance.eq(instance),
                k::done.eq(false),
                k::created_at.eq(now),
            ))
            .execute(conn)?;
        return Ok(Claim::Fresh);
    };
    let abandoned = inst != instance || created < now - TimeDelta::seconds(ABANDONED_SECS);
    Ok(if fp != fingerprint {
        Claim::Mismatch
    } else if !done && !abandoned {
        Claim::Running
    } else if !done && applied {
        Claim::Applied
    } else if !done {
        // Nothing of the first attempt committed: this one takes its place.
        crate::db::update(
            k::idempotency_keys,
            (k::instance.eq(instance), k::created_at.eq(now)),
            k::owner.eq(owner).and(k::idem_key.eq(key)),
        )
        .execute(conn)?;
        Claim::Fresh
    } else {
        Claim::Replay {
            status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
            headers: headers.and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_default(),
            body: body.unwrap_or_default(),
        }
    })
}

fn finish(
    conn: &mut DbConn,
    owner: &str,
    key: &str,
    status: u16,
    headers: &str,
    body: &[u8],
) -> Result<(), StoreError> {
    crate::db::update(
        k::idempotency_keys,
        (
            k::done.eq(true),
            k::status.eq(i32::from(status)),
            k::headers.eq(headers),
            k::body.eq(body),
        ),
        k::owner.eq(owner).and(k::idem_key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}

/// Called in the transaction of the request's writes (`Db::write`).
pub fn mark_applied(conn: &mut DbConn, owner: &str, key: &str) -> Result<(), StoreError> {
    crate::db::update(
        k::idempotency_keys,
        k::applied.eq(true),
        k::owner.eq(owner).and(k::idem_key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}

/// A request that did not succeed leaves nothing: the same key may be tried again.
fn release(conn: &mut DbConn, owner: &str, key: &str) -> Result<(), StoreError> {
    diesel::delete(
        k::idempotency_keys
            .filter(k::owner.eq(owner))
            .filter(k::idem_key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}

/// Whose key it is: the account of a valid token, else the client address.
fn owner(req: &ServiceRequest, state: &AppState) -> String {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, t)| t.trim().to_owned());
    match token.and_then(|t| state.tokens.verify(&t).ok()) {
        Some(claims) => format!("user:{}", claims.sub),
        None => format!("client:{}", super::auth::client_address(req.request())),
    }
}

fn key_of(req: &ServiceRequest) -> Option<Result<String, AppError>> {
    let v = req.headers().get(IDEMPOTENCY_KEY)?;
    let ok = v
        .to_str()
        .ok()
        .filter(|s| !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic()));
    Some(
        ok.map(str::to_owned)
            .ok_or_else(|| AppError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into())),
    )
}

fn fingerprint(req: &ServiceRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [req.method().as_str(), req.path(), req.query_string()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(body);
    hex::encode(h.finalize())
}

async fn read_body(req: &mut ServiceRequest) -> Result<web::Bytes, AppError> {
    let mut payload = req.take_payload();
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("the body could not be read: {e}")))?;
        if buf.len() + chunk.len() > MAX_BODY {
            return Err(AppError::PayloadTooLarge(format!(
                "a body sent with Idempotency-Key may be at most {MAX_BODY} bytes"
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

fn kept(headers: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|n| Some((n.as_str().to_owned(), headers.get(n)?.to_str().ok()?.to_owned())))
        .collect()
}

fn replay(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    for (n, v) in headers {
        res.insert_header((n, v));
    }
    res.insert_header((REPLAYED, HeaderValue::from_static("true")));
    res.body(body)
}

fn refused(claim: Claim) -> Option<AppError> {
    match claim {
        Claim::Mismatch => Some(AppError::rule(
            "idempotency_key_reused",
            "this Idempotency-Key was used with another request; use a new key",
            crate::rules::Basis::default(),
        )),
        Claim::Running => Some(AppError::conflict(
            "idempotency_in_progress",
            "the first request with this Idempotency-Key is still running; retry shortly",
        )),
        Claim::Applied => Some(AppError::conflict(
            "idempotency_applied",
            "the first request with this Idempotency-Key was carried out, but its answer was lost in an interruption; look the record up",
        )),
        _ => None,
    }
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let applies =
        req.method() == Method::POST && req.path().starts_with("/api/v1/") && !req.path().starts_with("/api/v1/auth/");
    let (Some(key), true) = (key_of(&req), applies) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (key, state) = match (key, state) {
        (Ok(k), Some(s)) => (k, s),
        (Err(e), _) => return Ok(req.into_response(e.error_response())),
        (_, None) => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    let body = match read_body(&mut req).await {
        Ok(b) => b,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let (owner, fp) = (owner(&req, &state), fingerprint(&req, &body));
    req.set_payload(Payload::from(body));
    let (o, kk, instance) = (owner.clone(), key.clone(), state.instance.clone());
    let claimed = state
        .db
        .write(move |conn| claim(conn, &o, &kk, &fp, &instance, crate::db::now()))
        .await;
    let claimed = match claimed {
        Ok(c) => c,
        Err(StoreError::Unique(_)) => Claim::Running,
        Err(e) => return Ok(req.into_response(AppError::from(e).error_response())),
    };
    if let Claim::Replay { status, headers, body } = claimed {
        return Ok(req.into_response(replay(status, headers, body)));
    }
    if let Some(e) = refused(claimed) {
        return Ok(req.into_response(e.error_response()));
    }
    let res = crate::db::IDEMPOTENT_REQUEST
        .scope((owner.clone(), key.clone()), next.call(req))
        .await;
    let forget = |state: web::Data<AppState>, owner: String, key: String| async move {
        let _ = state.db.write(move |conn| release(conn, &owner, &key)).await;
    };
    let res = match res {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            forget(state, owner, key).await;
            return Ok(r.map_into_boxed_body());
        }
        Err(e) => {
            forget(state, owner, key).await;
            return Err(e);
        }
    };
    let (req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| AppError::Internal("the response body could not be read".into()))?;
    let headers = serde_json::to_string(&kept(res.headers())).unwrap_or_default();
    let (status, stored) = (res.status().as_u16(), bytes.to_vec());
    let saved = state
        .db
        .write(move |conn| finish(conn, &owner, &key, status, &headers, &stored))
        .await;
    if let Err(e) = saved {
        tracing::warn!(error = %e, "the response of an idempotent request was not kept");
    }
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes))))
}
