//! Delivering events to subscriptions: in order, one event at a time per subscription, each
//! attempt recorded, failures retried with backoff, subscriptions disabled after too many.

use std::net::SocketAddr;
use std::time::Instant;

use chrono::TimeDelta;
use diesel::prelude::*;
use rand::RngExt;
use serde::Serialize;

use super::rules::{self, Destinations, Settings, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER};
use super::store::{self, Attempt, Webhook};
use crate::auth::Role;
use crate::db::schema::{service_accounts as sa, users as u};
use crate::db::{DbConn, StoreError};
use crate::events::api::EventView;
use crate::events::store::Event;
use crate::events::EventType;
use crate::http::AppError;
use crate::integration::rules::{split, Scope};
use crate::AppState;

/// At most this many events per subscription and round, so one busy receiver does not hold
/// up the others.
const BATCH: usize = 50;

/// Which events a subscription's owner may receive.
enum Audience {
    Everything,
    Scopes(Vec<Scope>),
    /// The owner's account is disabled or revoked.
    Gone,
}

fn audience(conn: &mut DbConn, owner: i64) -> Result<Audience, StoreError> {
    let (role, active, scopes): (Role, bool, Option<String>) = u::table
        .left_join(sa::table.on(sa::user_id.eq(u::id)))
        .filter(u::id.eq(owner))
        .select((u::role, u::active, sa::scopes.nullable()))
        .first(conn)?;
    Ok(match (active, role) {
        (false, _) => Audience::Gone,
        (true, Role::Integration) => Audience::Scopes(split(&scopes.unwrap_or_default()).into_iter().collect()),
        (true, _) => Audience::Everything,
    })
}

/// The next event the subscription should get, or why none.
fn next_event(conn: &mut DbConn, h: &Webhook) -> Result<Result<Option<Event>, &'static str>, StoreError> {
    let types: Vec<EventType> = h
        .event_types
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    let scopes = match audience(conn, h.owner_id)? {
        Audience::Gone => return Ok(Err("the owner's account is disabled")),
        Audience::Everything => None,
        Audience::Scopes(s) => Some(s),
    };
    let next = crate::events::store::after(conn, h.cursor, &types, scopes.as_deref(), 1)?;
    Ok(Ok(next.into_iter().next()))
}

/// What a receiver gets: the event as the feed shows it, and the subscription.
#[derive(Serialize)]
struct Body {
    webhook_id: i64,
    #[serde(flatten)]
    event: EventView,
}

/// Resolves receivers' names as any client would, then keeps only the addresses deliveries may
/// go to (`rules::Destinations`). The connection goes to the addresses kept here: a name pointed
/// at a metadata service after it was subscribed cannot slip past.
struct GuardedResolver(Destinations);

impl actix_tls::connect::Resolve for GuardedResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> futures_util::future::LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn std::error::Error>>> {
        Box::pin(async move {
            let found = tokio::net::lookup_host((host, port)).await?.collect();
            Ok(self.0.allowed(found)?)
        })
    }
}

fn client(s: &Settings) -> awc::Client {
    let tcp = actix_tls::connect::Connector::new(actix_tls::connect::Resolver::custom(GuardedResolver(
        s.destinations.clone(),
    )))
    .service();
    awc::Client::builder()
        .connector(awc::Connector::new().connector(tcp))
        .timeout(s.timeout)
        .disable_redirects()
        .finish()
}

/// One POST; `Ok(status)` when the receiver answered. An address written as an IP is checked
/// here (the client connects to it without resolving), a name by `GuardedResolver`; both also
/// for subscriptions stored before the check existed.
async fn post(client: &awc::Client, to: &Destinations, h: &Webhook, e: &Event, attempt: i64) -> Result<u16, String> {
    let url = url::Url::parse(&h.url).map_err(|err| format!("not a valid address: {err}"))?;
    if let Some(why) = to.refused_url(&url) {
        return Err(why);
    }
    let body = serde_json::to_vec(&Body {
        webhook_id: h.id,
        event: EventView::from(e.clone()),
    })
    .map_err(|err| err.to_string())?;
    let ts = chrono::Utc::now().timestamp();
    let res = client
        .post(&h.url)
        .insert_header(("content-type", "application/json"))
        .insert_header((SIGNATURE_HEADER, rules::signature_header(&h.secret, ts, &body)))
        .insert_header((EVENT_HEADER, e.event_type.as_str()))
        .insert_header((DELIVERY_HEADER, format!("{}-{}-{attempt}", h.id, e.seq)))
        .send_body(body)
        .await
        .map_err(|err| err.to_string())?;
    Ok(res.status().as_u16())
}

/// Delivers what is due to one subscription; returns how many events went out.
async fn serve_one(state: &AppState, client: &awc::Client, mut h: Webhook) -> Result<usize, AppError> {
    let s = &state.webhooks;
    let mut delivered = 0;
    while delivered < BATCH {
        let hook = h.clone();
        let next = state.db.read(move |conn| next_event(conn, &hook)).await?;
        let event = match next {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(reason) => {
                let id = h.id;
                state
                    .db
                    .write_uncounted(move |conn| {
                        store::failed(conn, id, 0, crate::db::now(), Some(reason), crate::db::now())
                    })
                    .await?;
                return Ok(delivered);
            }
        };
        let (id, seq) = (h.id, event.seq);
        let attempt = state.db.read(move |conn| store::attempts(conn, id, seq)).await? + 1;
        let started = Instant::now();
        let outcome = post(client, &s.destinations, &h, &event, attempt).await;
        let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let ok = matches!(outcome, Ok(status) if (200..300).contains(&status));
        let failures = if ok { 0 } else { h.consecutive_failures + 1 };
        let give_up = failures >= i32::try_from(s.max_failures).unwrap_or(i32::MAX);
        let wait = rules::backoff(s, u32::try_from(failures).unwrap_or(0), rand::rng().random::<f64>());
        state
            .db
            .write_uncounted(move |conn| {
                let now = crate::db::now();
                let (status, error) = match &outcome {
                    Ok(code) => (Some(i32::from(*code)), None),
                    Err(e) => (None, Some(e.as_str())),
                };
                let a = Attempt {
                    webhook_id: id,
                    event_seq: seq,
                    attempt: i32::try_from(attempt).unwrap_or(i32::MAX),
                    succeeded: ok,
                    response_status: status,
                    error,
                    duration_ms: ms,
                };
                store::record(conn, &a, now)?;
                if ok {
                    return store::delivered(conn, id, seq, now);
                }
                let retry_at = now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1));
                let why = give_up.then_some("too many failed deliveries in a row");
                store::failed(conn, id, failures, retry_at, why, now)
            })
            .await?;
        if !ok {
            return Ok(delivered);
        }
        h.cursor = seq;
        h.consecutive_failures = 0;
        delivered += 1;
    }
    let id = h.id;
    state
        .db
        .write_uncounted(move |conn| store::release(conn, id, crate::db::now()))
        .await?;
    Ok(delivered)
}

/// One round: every subscription that is due, in turn. Returns the events delivered.
pub async fn deliver_due(state: &AppState) -> Result<usize, AppError> {
    let lease = TimeDelta::from_std(state.webhooks.timeout * 4).unwrap_or(TimeDelta::minutes(1));
    // Looked for first without writing: a write transaction every `poll` would move the
    // version of every page kept in memory (`http::pages`) on, once a second.
    let due = state.db.read(|conn| store::due(conn, crate::db::now())).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let hooks = state
        .db
        .write_uncounted(move |conn| store::lease_due(conn, crate::db::now(), lease))
        .await?;
    let client = client(&state.webhooks);
    let mut total = 0;
    for h in hooks {
        total += serve_one(state, &client, h).await?;
    }
    Ok(total)
}

/// The worker of `serve`: a round every `poll`, for as long as the server runs.
pub async fn run(state: actix_web::web::Data<AppState>) {
    loop {
        if let Err(e) = deliver_due(&state).await {
            tracing::warn!(error = %e, "webhook round failed");
        }
        actix_web::rt::time::sleep(state.webhooks.poll).await;
    }
}

#[cfg(test)]
mod tests {
    use actix_tls::connect::Resolve;

    use super::GuardedResolver;
    use crate::webhooks::rules::Destinations;

    #[actix_web::test]
    async fn names_are_resolved_then_refused_where_deliveries_may_not_go() {
        let anywhere = GuardedResolver(Destinations::default());
        // The system resolver reads this as 169.254.169.254 (inet_aton's hex form), without DNS.
        let refused = anywhere.lookup("0xa9.0xfe.0xa9.0xfe", 80).await.unwrap_err();
        assert!(refused.to_string().contains("link-local"), "{refused}");
        let found = anywhere.lookup("localhost", 80).await.unwrap();
        assert!(found.iter().all(|a| a.ip().is_loopback()), "{found:?}");
        let elsewhere = GuardedResolver(Destinations::within(vec!["10.0.0.0/8".parse().unwrap()]));
        let refused = elsewhere.lookup("localhost", 80).await.unwrap_err();
        assert!(refused.to_string().contains("SAFEGUARDS_WEBHOOK_NETWORKS"), "{refused}");
    }
}
