//! Storage of petitions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{Channel, PetitionStatus};
use crate::auth::rules::Visibility;
use crate::db::schema::petitions::dsl as p;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;

#[derive(Clone, Debug, Queryable)]
pub struct Petition {
    pub id: i64,
    pub tracking_code: String,
    pub channel: Channel,
    pub subject: String,
    pub content: String,
    pub contact: Option<String>,
    pub anonymous: bool,
    pub status: PetitionStatus,
    pub department_id: Option<i64>,
    pub assigned_on: Option<NaiveDate>,
    pub reply_due_on: Option<NaiveDate>,
    pub rule_version: Option<i64>,
    pub reply: Option<String>,
    pub replied_on: Option<NaiveDate>,
    pub mishandled: bool,
    pub escalated: bool,
    pub received_on: NaiveDate,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The department that held the petition when its reply deadline passed unanswered, once
    /// it was passed on to another (EVAL-5(4)1 charges the missed deadline to it).
    pub lapsed_department_id: Option<i64>,
    /// The department that held the petition when it was marked escalated (EVAL-5(4)3).
    pub escalated_department_id: Option<i64>,
}

macro_rules! columns {
    () => {
        (
            p::id,
            p::tracking_code,
            p::channel,
            p::subject,
            p::content,
            p::contact,
            p::anonymous,
            p::status,
            p::department_id,
            p::assigned_on,
            p::reply_due_on,
            p::rule_version,
            p::reply,
            p::replied_on,
            p::mishandled,
            p::escalated,
            p::received_on,
            p::created_by,
            p::created_at,
            p::updated_at,
            p::lapsed_department_id,
            p::escalated_department_id,
        )
    };
}

pub struct NewPetition {
    pub tracking_code: String,
    pub channel: Channel,
    pub subject: String,
    pub content: String,
    pub contact: Option<String>,
    pub anonymous: bool,
    pub received_on: NaiveDate,
}

pub fn create(conn: &mut DbConn, n: &NewPetition, by: Option<i64>, now: NaiveDateTime) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(p::petitions)
        .values((
            p::tracking_code.eq(&n.tracking_code),
            p::channel.eq(n.channel),
            p::subject.eq(&n.subject),
            p::content.eq(&n.content),
            p::contact.eq(&n.contact),
            p::anonymous.eq(n.anonymous),
            p::status.eq(PetitionStatus::Received),
            p::received_on.eq(n.received_on),
            p::created_by.eq(by),
            p::created_at.eq(now),
            p::updated_at.eq(now),
        ))
        .returning(p::id)
        .get_result(conn)?)
}

pub fn by_code(conn: &mut DbConn, code: &str) -> Result<Petition, StoreError> {
    Ok(p::petitions
        .select(columns!())
        .filter(p::tracking_code.eq(code))
        .first(conn)?)
}

/// Staff see petitions assigned to their department.
pub fn get(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Petition, StoreError> {
    let q = p::petitions.select(columns!()).filter(p::id.eq(id)).into_boxed();
    Ok(crate::visible!(q, vis, p::department_id.assume_not_null()).first(conn)?)
}

#[derive(Debug, Default)]
pub struct Filter {
    pub status: Option<PetitionStatus>,
    pub department_id: Option<i64>,
    /// Assigned, unanswered and past the deadline on this day.
    pub overdue_on: Option<NaiveDate>,
}

pub fn list(conn: &mut DbConn, vis: Visibility, f: &Filter, page: PageRequest) -> Result<Vec<Petition>, StoreError> {
    let mut q = p::petitions
        .select(columns!())
        .order(p::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, p::department_id.assume_not_null());
    crate::filter_if_some!(q, f.status => p::status.eq);
    crate::filter_if_some!(q, f.department_id => p::department_id.eq);
    if let Some(day) = f.overdue_on {
        q = q
            .filter(p::status.eq(PetitionStatus::Assigned))
            .filter(p::reply_due_on.lt(day));
    }
    crate::filter_if_some!(q, page.after => p::id.gt);
    Ok(q.load(conn)?)
}

/// Who holds a petition, since when, and until when the reply is owed.
pub struct Assignment {
    pub department: i64,
    pub on: NaiveDate,
    pub due: NaiveDate,
    pub version: i64,
    pub lapsed_department: Option<i64>,
}

pub fn assign(conn: &mut DbConn, id: i64, a: &Assignment, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        p::petitions,
        (
            p::status.eq(PetitionStatus::Assigned),
            p::department_id.eq(a.department),
            p::assigned_on.eq(a.on),
            p::reply_due_on.eq(a.due),
            p::rule_version.eq(a.version),
            p::lapsed_department_id.eq(a.lapsed_department),
            p::updated_at.eq(now),
        ),
        p::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn reply(conn: &mut DbConn, id: i64, text: &str, on: NaiveDate, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        p::petitions,
        (
            p::status.eq(PetitionStatus::Replied),
            p::reply.eq(text),
            p::replied_on.eq(on),
            p::updated_at.eq(now),
        ),
        p::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

/// Sets the marks given; an escalation marked is charged to the department holding the
/// petition then (an escalation already marked keeps its department).
pub fn mark(
    conn: &mut DbConn,
    p: &Petition,
    mishandled: Option<bool>,
    escalated: Option<bool>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let escalated_department = match escalated {
        Some(true) => p.escalated_department_id.or(p.department_id),
        Some(false) => None,
        None => p.escalated_department_id,
    };
    crate::db::update(
        p::petitions,
        (
            mishandled.map(|v| p::mishandled.eq(v)),
            escalated.map(|v| p::escalated.eq(v)),
            p::escalated_department_id.eq(escalated_department),
            p::updated_at.eq(now),
        ),
        p::id.eq(p.id),
    )
    .execute(conn)?;
    Ok(())
}

/// Recomputes the reply deadlines of petitions assigned from `from` (to `to`), after the
/// calendar or the rule set changed, as acts' publication deadlines are. Loads the rules and
/// the calendar once.
pub fn recompute_reply_due(conn: &mut DbConn, from: NaiveDate, to: Option<NaiveDate>) -> Result<usize, StoreError> {
    let mut q = p::petitions
        .select((p::id, p::assigned_on, p::reply_due_on, p::rule_version))
        .filter(p::assigned_on.ge(from))
        .into_boxed();
    crate::filter_if_some!(q, to => p::assigned_on.le);
    type Row = (i64, Option<NaiveDate>, Option<NaiveDate>, Option<i64>);
    let rows: Vec<Row> = q.load(conn)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let book = crate::rules::store::book(conn)?;
    let mut changed = 0;
    for (id, assigned, old_due, old_version) in rows {
        let Some(assigned) = assigned else { continue };
        let Ok(d) = book.deadline(assigned, |v| v.petition_reply_working_days) else {
            continue;
        };
        if old_due != Some(d.due_on) || old_version != Some(d.rule_version) {
            crate::db::update(
                p::petitions,
                (p::reply_due_on.eq(d.due_on), p::rule_version.eq(d.rule_version)),
                p::id.eq(id),
            )
            .execute(conn)?;
            changed += 1;
        }
    }
    Ok(changed)
}
