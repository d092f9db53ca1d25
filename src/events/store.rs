//! Writing events inside the caller's transaction, and reading the feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
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
/// a reader that has seen event n has seen every event before it. One statement numbers and
/// stores it (`INSERT … SELECT COALESCE(MAX(seq), 0) + 1 …`).
pub fn emit(conn: &mut DbConn, t: EventType, entity_id: i64, payload: &impl Serialize) -> Result<i64, StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    crate::db::one_writer_at_a_time(conn)?;
    let payload = serde_json::to_string(payload).map_err(|err| StoreError::Other(err.to_string()))?;
    let next = e::events.select((
        coalesce(diesel::dsl::max(e::seq), 0) + 1,
        t.into_sql::<Text>(),
        t.scope().into_sql::<Text>(),
        t.entity().into_sql::<Text>(),
        entity_id.into_sql::<BigInt>(),
        payload.as_str().into_sql::<Text>(),
        crate::db::now().into_sql::<Timestamp>(),
    ));
    let insert = diesel::insert_into(e::events)
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
        .returning(e::seq);
    Ok(crate::native!(conn, |c| insert.get_result(c))?)
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
