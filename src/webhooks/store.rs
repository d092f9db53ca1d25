//! Storage of subscriptions, leases and delivery attempts.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::webhook_deliveries::dsl as wd;
use crate::db::schema::webhooks::dsl as w;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;

#[derive(Clone, Debug, Queryable)]
pub struct Webhook {
    pub id: i64,
    pub owner_id: i64,
    pub url: String,
    /// Space-separated; empty: every type.
    pub event_types: String,
    pub secret: String,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub cursor: i64,
    pub consecutive_failures: i32,
    pub next_attempt_at: NaiveDateTime,
    pub leased_until: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewWebhook<'a> {
    pub owner_id: i64,
    pub url: &'a str,
    pub event_types: &'a str,
    pub secret: &'a str,
    pub cursor: i64,
}

pub fn create(conn: &mut DbConn, n: &NewWebhook, now: NaiveDateTime) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(w::webhooks)
        .values((
            w::owner_id.eq(n.owner_id),
            w::url.eq(n.url),
            w::event_types.eq(n.event_types),
            w::secret.eq(n.secret),
            w::active.eq(true),
            w::cursor.eq(n.cursor),
            w::consecutive_failures.eq(0),
            w::next_attempt_at.eq(now),
            w::leased_until.eq(now),
            w::created_at.eq(now),
            w::updated_at.eq(now),
        ))
        .returning(w::id)
        .get_result(conn)?)
}

/// `owner`: only that account's subscriptions (a service account sees its own).
pub fn get(conn: &mut DbConn, id: i64, owner: Option<i64>) -> Result<Webhook, StoreError> {
    let mut q = w::webhooks.filter(w::id.eq(id)).into_boxed();
    crate::filter_if_some!(q, owner => w::owner_id.eq);
    Ok(q.first(conn)?)
}

pub fn list(conn: &mut DbConn, owner: Option<i64>, page: PageRequest) -> Result<Vec<Webhook>, StoreError> {
    let mut q = w::webhooks.order(w::id.asc()).limit(page.fetch()).into_boxed();
    crate::filter_if_some!(q, owner => w::owner_id.eq);
    crate::filter_if_some!(q, page.after => w::id.gt);
    Ok(q.load(conn)?)
}

pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), StoreError> {
    diesel::delete(wd::webhook_deliveries.filter(wd::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(w::webhooks.find(id)).execute(conn)?;
    Ok(())
}

/// The active subscriptions due for delivery and not leased by a deliverer now.
pub fn due(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<i64>, StoreError> {
    Ok(w::webhooks
        .filter(w::active.eq(true))
        .filter(w::next_attempt_at.le(now))
        .filter(w::leased_until.le(now))
        .order(w::id.asc())
        .select(w::id)
        .load(conn)?)
}

/// Active subscriptions due now whose lease this caller won (for `lease`).
pub fn lease_due(conn: &mut DbConn, now: NaiveDateTime, lease: TimeDelta) -> Result<Vec<Webhook>, StoreError> {
    let due = due(conn, now)?;
    let mut won = Vec::new();
    for id in due {
        // Conditional: of two deliverers only one moves the lease.
        let n = crate::db::update(
            w::webhooks,
            w::leased_until.eq(now + lease),
            w::id.eq(id).and(w::leased_until.le(now)),
        )
        .execute(conn)?;
        if n == 1 {
            won.push(w::webhooks.find(id).first(conn)?);
        }
    }
    Ok(won)
}

pub struct Attempt<'a> {
    pub webhook_id: i64,
    pub event_seq: i64,
    pub attempt: i32,
    pub succeeded: bool,
    pub response_status: Option<i32>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
}

pub fn record(conn: &mut DbConn, a: &Attempt, now: NaiveDateTime) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(wd::webhook_deliveries)
        .values((
            wd::webhook_id.eq(a.webhook_id),
            wd::event_seq.eq(a.event_seq),
            wd::attempt.eq(a.attempt),
            wd::succeeded.eq(a.succeeded),
            wd::response_status.eq(a.response_status),
            wd::error.eq(a.error),
            wd::duration_ms.eq(a.duration_ms),
            wd::attempted_at.eq(now),
        ))
        .returning(wd::id)
        .get_result(conn)?)
}

/// Delivered: the cursor moves on and the failure count starts again.
pub fn delivered(conn: &mut DbConn, id: i64, seq: i64, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        w::webhooks,
        (
            w::cursor.eq(seq),
            w::consecutive_failures.eq(0),
            w::next_attempt_at.eq(now),
            w::updated_at.eq(now),
        ),
        w::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

/// Failed: wait until `retry_at`, or stop when `disable` says why.
pub fn failed(
    conn: &mut DbConn,
    id: i64,
    failures: i32,
    retry_at: NaiveDateTime,
    disable: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(
        w::webhooks,
        (
            w::consecutive_failures.eq(failures),
            w::next_attempt_at.eq(retry_at),
            w::active.eq(disable.is_none()),
            w::disabled_reason.eq(disable),
            w::leased_until.eq(now),
            w::updated_at.eq(now),
        ),
        w::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn release(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(w::webhooks, w::leased_until.eq(now), w::id.eq(id)).execute(conn)?;
    Ok(())
}

/// Delivers again from event `from` on, and re-enables a disabled subscription.
pub fn replay(conn: &mut DbConn, id: i64, from: i64, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        w::webhooks,
        (
            w::cursor.eq(from - 1),
            w::active.eq(true),
            w::disabled_reason.eq(None::<String>),
            w::consecutive_failures.eq(0),
            w::next_attempt_at.eq(now),
            w::updated_at.eq(now),
        ),
        w::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event_seq: i64,
    pub attempt: i32,
    pub succeeded: bool,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub attempted_at: NaiveDateTime,
}

pub fn deliveries(conn: &mut DbConn, webhook: i64, page: PageRequest) -> Result<Vec<Delivery>, StoreError> {
    let mut q = wd::webhook_deliveries
        .filter(wd::webhook_id.eq(webhook))
        .order(wd::id.asc())
        .limit(page.fetch())
        .into_boxed();
    crate::filter_if_some!(q, page.after => wd::id.gt);
    Ok(q.load(conn)?)
}

/// How many attempts this event has had on this subscription.
pub fn attempts(conn: &mut DbConn, webhook: i64, seq: i64) -> Result<i64, StoreError> {
    Ok(wd::webhook_deliveries
        .filter(wd::webhook_id.eq(webhook))
        .filter(wd::event_seq.eq(seq))
        .count()
        .get_result(conn)?)
}
