//! Writing events inside the caller's transaction, and reading the feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use serde::Serialize;

use super::rules::EventType;
use crate::db::schema::events::dsl as e;
use crate::db::{DbConn, StoreError};
use crate::integration::rules::Scope;

#[derive(Clone, Debug, Queryable)]
pub struct Event {
    pub seq: i64,
    pub event_type: EventType,
    pub scope: Scope,
    pub entity: String,
    pub entity_id: i64,
    pub payload: String,
    pub occurred_at: NaiveDateTime,
}

diesel::define_sql_function!(fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::BigInt>, y: diesel::sql_types::BigInt) -> diesel::sql_types::BigInt);

/// Writes an event in the caller's transaction. Numbers are taken one writer at a time, so
/// a reader that has seen event n has seen every event before it. One statement takes the
/// writer lock (PostgreSQL), numbers the event and stores it.
pub fn emit(conn: &mut DbConn, t: EventType, entity_id: i64, payload: &impl Serialize) -> Result<i64, StoreError> {
    let payload = serde_json::to_string(payload).map_err(|err| StoreError::Other(err.to_string()))?;
    let new = (t, entity_id, payload.as_str(), crate::db::now());
    match conn {
        DbConn::Sqlite(c) => emit_sqlite(c, new),
        DbConn::Postgres(c) => emit_postgres(c, new),
    }
}

type NewEvent<'a> = (EventType, i64, &'a str, NaiveDateTime);

/// On the only writer (`db::WriterThread`) the next number is free.
fn emit_sqlite(c: &mut SqliteConnection, (t, entity_id, payload, now): NewEvent) -> Result<i64, StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let next = e::events.select((
        coalesce(diesel::dsl::max(e::seq), 0) + 1,
        t.into_sql::<Text>(),
        t.scope().into_sql::<Text>(),
        t.entity().into_sql::<Text>(),
        entity_id.into_sql::<BigInt>(),
        payload.into_sql::<Text>(),
        now.into_sql::<Timestamp>(),
    ));
    Ok(diesel::insert_into(e::events)
        .values(next)
        .into_columns((
            e::seq,
            e::event_type,
            e::scope,
            e::entity,
            e::entity_id,
            e::payload,
            e::occurred_at,
        ))
        .returning(e::seq)
        .get_result(c)?)
}

/// The statement's snapshot may predate the lock it waited for: a number taken meanwhile
/// inserts nothing, and the second try, holding the lock, sees it.
fn emit_postgres(c: &mut PgConnection, (t, entity_id, payload, now): NewEvent) -> Result<i64, StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    for _ in 0..2 {
        let numbered: Option<Numbered> = diesel::sql_query(NUMBER_AND_STORE)
            .bind::<BigInt, _>(crate::db::WRITER_LOCK)
            .bind::<Text, _>(t)
            .bind::<Text, _>(t.scope())
            .bind::<Text, _>(t.entity())
            .bind::<BigInt, _>(entity_id)
            .bind::<Text, _>(payload)
            .bind::<Timestamp, _>(now)
            .get_result(c)
            .optional()?;
        if let Some(n) = numbered {
            return Ok(n.seq);
        }
    }
    Err(StoreError::Other(
        "no event number was free while holding the writer lock".into(),
    ))
}

const NUMBER_AND_STORE: &str = "WITH writer AS MATERIALIZED (SELECT pg_advisory_xact_lock($1)) \
    INSERT INTO events (seq, event_type, scope, entity, entity_id, payload, occurred_at) \
    SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events), $2, $3, $4, $5, $6, $7 FROM writer \
    ON CONFLICT (seq) DO NOTHING RETURNING seq";

#[derive(QueryableByName)]
struct Numbered {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    seq: i64,
}

/// Events after `after`, oldest first: of these types (all if empty), visible with these
/// scopes (all if `None`).
pub fn after(
    conn: &mut DbConn,
    after: i64,
    types: &[EventType],
    scopes: Option<&[Scope]>,
    limit: i64,
) -> Result<Vec<Event>, StoreError> {
    let mut q = e::events
        .filter(e::seq.gt(after))
        .order(e::seq.asc())
        .limit(limit)
        .into_boxed();
    if !types.is_empty() {
        q = q.filter(e::event_type.eq_any(types.to_vec()));
    }
    if let Some(scopes) = scopes {
        q = q.filter(e::scope.eq_any(scopes.to_vec()));
    }
    Ok(q.load(conn)?)
}

/// The newest event's number (0 when there is none).
pub fn head(conn: &mut DbConn) -> Result<i64, StoreError> {
    let last: Option<i64> = e::events.select(diesel::dsl::max(e::seq)).first(conn)?;
    Ok(last.unwrap_or(0))
}
