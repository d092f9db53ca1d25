//! `GET /events`: the change feed.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::EventType;
use super::store::{self, Event};
use crate::http::checked::Query;
use crate::http::{AppError, Caller};
use crate::integration::rules::Scope;
use crate::AppState;

/// One event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Its place in the feed; numbers only grow and have no gaps.
    pub seq: i64,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub entity: String,
    pub entity_id: i64,
    /// What changed, as recorded when it happened.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: NaiveDateTime,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        Self {
            payload: serde_json::from_str(&e.payload).unwrap_or_default(),
            seq: e.seq,
            event_type: e.event_type,
            entity: e.entity,
            entity_id: e.entity_id,
            occurred_at: e.occurred_at,
        }
    }
}

/// A page of the feed. Ask again with `after=next` to continue; an empty page keeps the
/// cursor where it was.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feed {
    pub items: Vec<EventView>,
    /// The cursor to continue from.
    #[schema(example = "1042")]
    pub next: String,
    /// The newest event's number, to tell how far behind the reader is.
    pub head: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next` of the previous page; from the start when absent.
    pub after: Option<String>,
    /// Comma-separated event types, e.g. `act.recorded,certificate.status_changed`.
    pub types: Option<String>,
    /// 1 to 1000, default 100.
    pub limit: Option<i64>,
}

fn parse(q: &FeedQuery) -> Result<(i64, Vec<EventType>, i64), AppError> {
    let after = match q.after.as_deref() {
        None => 0,
        Some(a) => a
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| AppError::BadRequest("after must be a cursor from a previous page".into()))?,
    };
    let types = q
        .types
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse::<EventType>()
                .map_err(|_| AppError::BadRequest(format!("unknown event type `{}`", t.trim())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::BadRequest("limit must be from 1 to 1000".into()));
    }
    Ok((after, types, limit))
}

/// The change feed, oldest first: acts recorded or revoked, disclosures published or taken
/// down, certificate status changes, findings and measures, case decisions, service and
/// appeal decisions, training recommendations, published evaluations, petition replies. A
/// service account sees the events its scopes can read.
#[utoipa::path(tag = "integration", params(FeedQuery), responses((status = 200, body = Feed)))]
#[get("")]
pub async fn feed(state: web::Data<AppState>, caller: Caller, q: Query<FeedQuery>) -> Result<HttpResponse, AppError> {
    let (after, types, limit) = parse(&q.get()?.into_inner())?;
    let scopes: Option<Vec<Scope>> = caller.scopes.map(|s| s.into_iter().collect());
    let (rows, head) = state
        .db
        .read(move |conn| {
            Ok::<_, AppError>((
                store::after(conn, after, &types, scopes.as_deref(), limit)?,
                store::head(conn)?,
            ))
        })
        .await?;
    if after > head {
        // A cursor the feed never gave: kept, it would skip every event up to it.
        return Err(AppError::BadRequest(format!(
            "after must be a cursor from a previous page; the feed is at {head}"
        )));
    }
    let next = rows.last().map_or(after, |e| e.seq).to_string();
    Ok(HttpResponse::Ok().json(Feed {
        items: rows.into_iter().map(EventView::from).collect(),
        next,
        head,
    }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(feed);
}
