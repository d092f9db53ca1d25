//! `/webhooks`: subscriptions of the office or of a service account (scope `webhooks:manage`;
//! a service account sees only its own), their deliveries, and replays.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Delivery, NewWebhook, Webhook};
use crate::audit;
use crate::auth::Role;
use crate::events::EventType;
use crate::http::checked::{Json, Path, Query};
use crate::http::pagination::{Page, PageQuery, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::AppState;

/// Whose subscriptions the caller manages: a service account its own, the office all.
fn owner_filter(caller: &Caller) -> Option<i64> {
    (caller.role == Role::Integration).then_some(caller.user_id)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// Empty: every type the owner may read.
    pub event_types: Vec<EventType>,
    pub active: bool,
    pub disabled_reason: Option<String>,
    /// The last event delivered.
    pub cursor: i64,
    pub consecutive_failures: i32,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
}

fn view(h: Webhook) -> WebhookView {
    WebhookView {
        event_types: h
            .event_types
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect(),
        id: h.id,
        url: h.url,
        active: h.active,
        disabled_reason: h.disabled_reason,
        cursor: h.cursor,
        consecutive_failures: h.consecutive_failures,
        next_attempt_at: h.next_attempt_at,
        created_at: h.created_at,
    }
}

/// The subscription with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewSubscription {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// Verify `X-Safeguards-Signature: t=…,v1=…` as hex HMAC-SHA256 of `"{t}.{body}"` under
    /// this secret, and refuse old `t`.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://fzb.example.gov.cn/hooks/safeguards", "event_types": ["act.recorded", "certificate.status_changed"]}))]
pub struct WebhookRequest {
    /// `http://` or `https://`, up to 2000 characters, no credentials in it, stored normalised.
    /// Not to a cloud metadata service (link-local addresses, 100.100.100.200, fd00:ec2::254)
    /// nor to an address of no single host (unspecified, broadcast, multicast); private and
    /// loopback addresses are fine, unless the operator listed the only networks deliveries may
    /// go to. A name is checked once resolved, at every delivery.
    pub url: String,
    /// Empty or absent: every type the owner may read.
    #[serde(default)]
    pub event_types: Vec<EventType>,
    /// Deliver from the event after this one; default: only events from now on.
    pub after: Option<i64>,
}

/// The address as stored: normalised (`url`'s WHATWG parsing), so that what was checked is
/// what deliveries are sent to.
fn check_url(url: &str, to: &super::rules::Destinations, check: &mut Check) -> String {
    let u = url.trim();
    let plain = u.len() <= 2000 && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    let parsed = url::Url::parse(u)
        .ok()
        .filter(|p| plain && matches!(p.scheme(), "http" | "https") && p.host().is_some());
    let Some(p) = parsed else {
        check.fail(
            "url",
            "must be an http:// or https:// address of at most 2000 characters",
        );
        return u.to_owned();
    };
    if !p.username().is_empty() || p.password().is_some() {
        check.fail("url", "must not carry credentials");
    } else if let Some(why) = to.refused_url(&p) {
        check.fail("url", why);
    }
    p.into()
}

/// Subscribe to the change feed. Deliveries are `POST`s of the event as `GET /events` shows it
/// (plus `webhook_id`), in order, signed with `X-Safeguards-Signature: t=<unix>,v1=<hex
/// HMAC-SHA256(secret, "<t>.<body>")>`, with `X-Safeguards-Event` and `X-Safeguards-Delivery`
/// (`{webhook}-{seq}-{attempt}`). A non-2xx answer or no answer is retried with exponential
/// backoff and jitter; after too many failures in a row the subscription is disabled.
#[utoipa::path(tag = "integration", request_body = WebhookRequest, responses((status = 201, body = NewSubscription)))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<WebhookRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let url = check_url(&b.url, &state.webhooks.destinations, &mut check);
    if b.after.is_some_and(|a| a < 0) {
        check.fail("after", "must not be negative");
    }
    check.finish()?;
    let types = b.event_types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" ");
    let secret = crate::auth::tokens::random_token();
    let (actor, owner) = (caller.actor(), caller.user_id);
    let s = secret.clone();
    let h = state
        .db
        .write(move |conn| {
            let cursor = match b.after {
                Some(a) => a,
                None => crate::events::store::head(conn)?,
            };
            let new = NewWebhook {
                owner_id: owner,
                url: &url,
                event_types: &types,
                secret: &s,
                cursor,
            };
            let id = store::create(conn, &new, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "webhook.create",
                "webhook",
                id,
                &serde_json::json!({"url": url, "event_types": types, "after": cursor}),
            )?;
            Ok::<_, AppError>(store::get(conn, id, None)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(NewSubscription {
        webhook: view(h),
        secret,
    }))
}

/// The caller's subscriptions (the office: all).
#[utoipa::path(tag = "integration", params(PageQuery), responses((status = 200, body = Page<WebhookView>)))]
#[get("")]
pub async fn list(state: web::Data<AppState>, caller: Caller, q: Query<PageQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let owner = owner_filter(&caller);
    let rows = state.db.read(move |conn| store::list(conn, owner, page)).await?;
    let views = rows.into_iter().map(view).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |h: &WebhookView| h.id)))
}

/// One subscription.
#[utoipa::path(tag = "integration", responses((status = 200, body = WebhookView)))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, owner) = (id.get()?.into_inner(), owner_filter(&caller));
    let h = state
        .db
        .read(move |conn| store::get(conn, id, owner).map_err(missing("webhook")))
        .await?;
    Ok(HttpResponse::Ok().json(view(h)))
}

/// End a subscription (its delivery record goes with it).
#[utoipa::path(tag = "integration", responses((status = 204, description = "Deleted")))]
#[delete("/{id}")]
pub async fn remove(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, owner, actor) = (id.get()?.into_inner(), owner_filter(&caller), caller.actor());
    state
        .db
        .write(move |conn| {
            let h = store::get(conn, id, owner).map_err(missing("webhook"))?;
            store::delete(conn, id)?;
            audit::append(
                conn,
                &actor,
                "webhook.delete",
                "webhook",
                id,
                &serde_json::json!({"url": h.url}),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub event_seq: i64,
    /// 1 for the first try of this event.
    pub attempt: i32,
    pub succeeded: bool,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub attempted_at: NaiveDateTime,
}

fn delivery_view(d: Delivery) -> DeliveryView {
    DeliveryView {
        id: d.id,
        event_seq: d.event_seq,
        attempt: d.attempt,
        succeeded: d.succeeded,
        response_status: d.response_status,
        error: d.error,
        duration_ms: d.duration_ms,
        attempted_at: d.attempted_at,
    }
}

/// Every delivery attempt of a subscription, oldest first.
#[utoipa::path(tag = "integration", params(PageQuery), responses((status = 200, body = Page<DeliveryView>)))]
#[get("/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, q, owner) = (id.get()?.into_inner(), q.get()?.into_inner(), owner_filter(&caller));
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let rows = state
        .db
        .read(move |conn| {
            store::get(conn, id, owner).map_err(missing("webhook"))?;
            Ok::<_, AppError>(store::deliveries(conn, id, page)?)
        })
        .await?;
    let views = rows.into_iter().map(delivery_view).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |d: &DeliveryView| d.id)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Deliver again from this event on (at least 1).
    pub from_seq: i64,
}

/// Deliver again from an event on; re-enables a disabled subscription.
#[utoipa::path(tag = "integration", request_body = ReplayRequest, responses((status = 200, body = WebhookView)))]
#[post("/{id}/replay")]
pub async fn replay(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ReplayRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b, owner, actor) = (
        id.get()?.into_inner(),
        body.get()?.into_inner(),
        owner_filter(&caller),
        caller.actor(),
    );
    if b.from_seq < 1 {
        let mut check = Check::default();
        check.fail("from_seq", "must be at least 1");
        check.finish()?;
    }
    let h = state
        .db
        .write(move |conn| {
            store::get(conn, id, owner).map_err(missing("webhook"))?;
            store::replay(conn, id, b.from_seq, crate::db::now())?;
            audit::append(conn, &actor, "webhook.replay", "webhook", id, &b)?;
            Ok::<_, AppError>(store::get(conn, id, None)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(h)))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get)
        .service(remove)
        .service(deliveries)
        .service(replay);
}
