//! Appending to and reading the audit log.

use std::sync::Mutex;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::rules::{self, Actor, Break, Entry};
use crate::db::schema::audit_log::dsl as a;
use crate::db::{DbConn, StoreError};

type Row = (
    i64,
    NaiveDateTime,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn to_entry(r: Row) -> Entry {
    Entry {
        seq: r.0,
        at: r.1,
        actor: r.2,
        action: r.3,
        entity: r.4,
        entity_id: r.5,
        change: r.6,
        change_digest: r.7,
        prev_hash: r.8,
        hash: r.9,
    }
}

const COLUMNS: (
    a::seq,
    a::at,
    a::actor,
    a::action,
    a::entity,
    a::entity_id,
    a::change,
    a::change_digest,
    a::prev_hash,
    a::hash,
) = (
    a::seq,
    a::at,
    a::actor,
    a::action,
    a::entity,
    a::entity_id,
    a::change,
    a::change_digest,
    a::prev_hash,
    a::hash,
);

/// The entry this process appended last: most likely still the head. A guess that the insert
/// itself checks, so it may be stale (a rolled-back write, another process, another database).
static LAST_APPENDED: Mutex<Option<(i64, String)>> = Mutex::new(None);

/// Appends one entry, inside the caller's transaction. `change` is what was written (never a
/// secret: callers leave out password hashes and tokens).
pub fn append(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    change: &impl Serialize,
) -> Result<i64, StoreError> {
    // Concurrent transactions must not both link to the same head: one appender at a time.
    // Taken before the guess is read: the previous holder left its entry there.
    crate::db::one_writer_at_a_time(conn)?;
    let change = serde_json::to_string(change).map_err(|e| StoreError::Other(e.to_string()))?;
    let entry = Entry {
        seq: 0,
        at: crate::db::now(),
        actor: actor.to_string(),
        action: action.to_owned(),
        entity: entity.to_owned(),
        entity_id: entity_id.to_string(),
        change,
        change_digest: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    let guess = LAST_APPENDED.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let guessed = guess.is_some();
    let mut e = rules::seal(entry, guess);
    if !(guessed && append_after(conn, &e)?) {
        e = rules::seal(e, head(conn)?);
        insert(conn, &e)?;
    }
    *LAST_APPENDED.lock().unwrap_or_else(|p| p.into_inner()) = Some((e.seq, e.hash.clone()));
    Ok(e.seq)
}

/// The newest entry's number and hash.
fn head(conn: &mut DbConn) -> Result<Option<(i64, String)>, StoreError> {
    Ok(crate::native!(conn, |c| a::audit_log
        .select((a::seq, a::hash))
        .order(a::seq.desc())
        .first(c)
        .optional())?)
}

fn insert(conn: &mut DbConn, e: &Entry) -> Result<(), StoreError> {
    let row = (
        a::seq.eq(e.seq),
        a::at.eq(e.at),
        a::actor.eq(&e.actor),
        a::action.eq(&e.action),
        a::entity.eq(&e.entity),
        a::entity_id.eq(&e.entity_id),
        a::change.eq(&e.change),
        a::change_digest.eq(&e.change_digest),
        a::prev_hash.eq(&e.prev_hash),
        a::hash.eq(&e.hash),
    );
    crate::native!(conn, |c| diesel::insert_into(a::audit_log).values(row).execute(c))?;
    Ok(())
}

/// Stores `e`, sealed after a guessed head, if that guess is the head: one statement instead
/// of reading the head and then inserting. The entry it links to must exist with that hash
/// (else nothing is selected: the guess was rolled back or belongs elsewhere) and no entry may
/// hold its number yet (else the conflict inserts nothing: the log moved on). `false`: not
/// stored, the guess was stale. (Taking the writer lock in this statement as well was tried:
/// the guess and the statement's snapshot then predate its wait for the lock, and under load
/// nearly every guess failed.)
fn append_after(conn: &mut DbConn, e: &Entry) -> Result<bool, StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let linked = a::audit_log
        .filter(a::seq.eq(e.seq - 1))
        .filter(a::hash.eq(&e.prev_hash))
        .select((
            e.seq.into_sql::<BigInt>(),
            e.at.into_sql::<Timestamp>(),
            e.actor.as_str().into_sql::<Text>(),
            e.action.as_str().into_sql::<Text>(),
            e.entity.as_str().into_sql::<Text>(),
            e.entity_id.as_str().into_sql::<Text>(),
            e.change.as_str().into_sql::<Text>(),
            e.change_digest.as_str().into_sql::<Text>(),
            e.prev_hash.as_str().into_sql::<Text>(),
            e.hash.as_str().into_sql::<Text>(),
        ));
    let insert = diesel::insert_into(a::audit_log)
        .values(linked)
        .into_columns(COLUMNS)
        .on_conflict_do_nothing();
    struct AppendAfter;
    let insert = crate::db::named::<AppendAfter, _>(insert);
    Ok(crate::native!(conn, |c| insert.execute(c))? == 1)
}

/// Filters of the audit listing.
#[derive(Debug, Default)]
pub struct Filter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Entries after `after` (by seq), oldest first, at most `limit`.
pub fn list(conn: &mut DbConn, f: &Filter, after: Option<i64>, limit: i64) -> Result<Vec<Entry>, StoreError> {
    let mut q = a::audit_log
        .select(COLUMNS)
        .order(a::seq.asc())
        .limit(limit)
        .into_boxed();
    if let Some(v) = &f.entity {
        q = q.filter(a::entity.eq(v.clone()));
    }
    if let Some(v) = &f.entity_id {
        q = q.filter(a::entity_id.eq(v.clone()));
    }
    if let Some(v) = &f.actor {
        q = q.filter(a::actor.eq(v.clone()));
    }
    crate::filter_if_some!(q, f.from => a::at.ge);
    crate::filter_if_some!(q, f.to => a::at.lt);
    crate::filter_if_some!(q, after => a::seq.gt);
    Ok(q.load::<Row>(conn)?.into_iter().map(to_entry).collect())
}

/// The result of recomputing the chain.
#[derive(Debug, PartialEq, Eq)]
pub struct Verification {
    pub checked: i64,
    pub first_bad: Option<(i64, Break)>,
}

const VERIFY_BATCH: i64 = 1000;

/// Walks the whole log in order of `seq`, in batches, and stops at the first break.
pub fn verify(conn: &mut DbConn) -> Result<Verification, StoreError> {
    let mut prev: Option<(i64, String)> = None;
    let mut checked = 0;
    loop {
        let after = prev.as_ref().map_or(i64::MIN, |p| p.0);
        let batch: Vec<Row> = a::audit_log
            .select(COLUMNS)
            .filter(a::seq.gt(after))
            .order(a::seq.asc())
            .limit(VERIFY_BATCH)
            .load(conn)?;
        if batch.is_empty() {
            return Ok(Verification {
                checked,
                first_bad: None,
            });
        }
        for e in batch.into_iter().map(to_entry) {
            if let Err(b) = rules::check(prev.as_ref().map(|(s, h)| (*s, h.as_str())), &e) {
                let seq = match b {
                    // A gap names the first missing entry; a repeat names the entry itself.
                    Break::Sequence { expected } => expected.min(e.seq),
                    _ => e.seq,
                };
                return Ok(Verification {
                    checked,
                    first_bad: Some((seq, b)),
                });
            }
            checked += 1;
            prev = Some((e.seq, e.hash));
        }
    }
}
