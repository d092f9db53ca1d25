//! `/audit` and `/audit/verify`.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{Break, Entry};
use super::store::{self, Filter};
use crate::http::checked::Query;
use crate::http::pagination::{Page, PageRequest};
use crate::http::{AppError, Caller};
use crate::AppState;

/// One audit entry: who did what to which record, and the chain fields that seal it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub at: NaiveDateTime,
    /// `user:{id}` or `system:{what}`.
    #[schema(example = "user:2")]
    pub actor: String,
    #[schema(example = "department.create")]
    pub action: String,
    #[schema(example = "department")]
    pub entity: String,
    pub entity_id: String,
    /// What was written (any JSON value).
    #[schema(value_type = Value)]
    pub change: serde_json::Value,
    /// SHA-256 of `change` as stored.
    pub change_digest: String,
    pub prev_hash: String,
    /// SHA-256(prev_hash ‖ canonical entry).
    pub hash: String,
}

impl From<Entry> for AuditEntry {
    fn from(e: Entry) -> Self {
        Self {
            change: serde_json::from_str(&e.change).unwrap_or(serde_json::Value::String(e.change)),
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            change_digest: e.change_digest,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// `user:{id}` or `system:{what}`.
    pub actor: Option<String>,
    /// From this instant (inclusive), RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive), RFC 3339.
    pub to: Option<DateTime<Utc>>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// Read the audit log, oldest first.
#[utoipa::path(tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>)))]
#[get("")]
pub async fn list(state: web::Data<AppState>, _caller: Caller, q: Query<AuditQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = Filter {
        entity: q.entity,
        entity_id: q.entity_id,
        actor: q.actor,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let rows = state
        .db
        .read(move |conn| store::list(conn, &filter, page.after, page.fetch()))
        .await?;
    let rows = rows.into_iter().map(AuditEntry::from).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, page, |e: &AuditEntry| e.seq)))
}

/// The outcome of recomputing the chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"ok": false, "checked": 41, "first_bad_seq": 42, "problem": "the entry does not match its hash (altered)"}))]
pub struct Verification {
    pub ok: bool,
    /// Entries verified before the first bad one (all of them when `ok`).
    pub checked: i64,
    /// The first entry that was altered, removed, reordered or forged.
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

fn describe(b: &Break) -> String {
    match b {
        Break::Sequence { expected } => format!("entry {expected} is missing or out of order (removed or inserted)"),
        Break::Link => "the entry does not link to the hash of the one before it (removed, reordered or forged)".into(),
        Break::Digest => "the stored change does not match its digest (altered)".into(),
        Break::Hash => "the entry does not match its hash (altered)".into(),
    }
}

/// Recompute the whole hash chain and name the first bad entry.
#[utoipa::path(tag = "audit", responses((status = 200, body = Verification)))]
#[get("/verify")]
pub async fn verify(state: web::Data<AppState>, _caller: Caller) -> Result<HttpResponse, AppError> {
    let v = state.db.read(store::verify).await?;
    Ok(HttpResponse::Ok().json(Verification {
        ok: v.first_bad.is_none(),
        checked: v.checked,
        first_bad_seq: v.first_bad.as_ref().map(|(s, _)| *s),
        problem: v.first_bad.as_ref().map(|(_, b)| describe(b)),
    }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list).service(verify);
}
