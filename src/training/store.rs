//! Storage of training plans and summaries, sessions and attendance, self-study, exams,
//! consequences (TRN-7 orders and recommendations, make-ups) and note checks.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{Attendance, Cause, ConsequenceKind, ExamAbsence, Form, NoteResult, SelfStudyStatus};
use crate::auth::rules::Visibility;
use crate::db::schema::exam_results::dsl as er;
use crate::db::schema::exams::dsl as ex;
use crate::db::schema::note_checks::dsl as nc;
use crate::db::schema::people;
use crate::db::schema::self_study::dsl as ss;
use crate::db::schema::session_participants::dsl as sp;
use crate::db::schema::training_consequences::dsl as tc;
use crate::db::schema::training_documents::dsl as td;
use crate::db::schema::training_sessions::dsl as ts;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;
use crate::rules::calendar::year_bounds;

/// A year's plan (`plan`) or summary (`summary`), replaced whole; the first filing's time is
/// kept, so replacing a late plan does not make it timely.
pub fn put_document(
    conn: &mut DbConn,
    year: i32,
    kind: &str,
    content: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let this = td::year.eq(year).and(td::kind.eq(kind));
    let replaced = crate::db::update(
        td::training_documents,
        (td::content.eq(content), td::updated_by.eq(by), td::updated_at.eq(now)),
        this,
    )
    .execute(conn)?;
    if replaced == 0 {
        diesel::insert_into(td::training_documents)
            .values((
                td::year.eq(year),
                td::kind.eq(kind),
                td::content.eq(content),
                td::updated_by.eq(by),
                td::updated_at.eq(now),
                td::filed_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A stored plan or summary.
#[derive(Clone, Debug, Queryable)]
pub struct StoredDocument {
    pub content: String,
    /// When it was first filed.
    pub filed_at: NaiveDateTime,
}

pub fn document(conn: &mut DbConn, year: i32, kind: &str) -> Result<Option<StoredDocument>, StoreError> {
    Ok(td::training_documents
        .filter(td::year.eq(year))
        .filter(td::kind.eq(kind))
        .select((td::content, td::filed_at))
        .first(conn)
        .optional()?)
}

#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct Session {
    pub id: i64,
    pub title: String,
    pub form: Form,
    pub content_areas: String,
    pub held_on: NaiveDate,
    pub hours_tenths: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

macro_rules! session_columns {
    () => {
        (
            ts::id,
            ts::title,
            ts::form,
            ts::content_areas,
            ts::held_on,
            ts::hours_tenths,
            ts::created_by,
            ts::created_at,
            ts::updated_at,
        )
    };
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SessionFields {
    pub title: String,
    pub form: Form,
    pub content_areas: String,
    pub held_on: NaiveDate,
    pub hours_tenths: i64,
    pub participants: Vec<i64>,
}

pub fn create_session(conn: &mut DbConn, f: &SessionFields, by: i64, now: NaiveDateTime) -> Result<i64, StoreError> {
    let id: i64 = diesel::insert_into(ts::training_sessions)
        .values((
            ts::title.eq(&f.title),
            ts::form.eq(f.form),
            ts::content_areas.eq(&f.content_areas),
            ts::held_on.eq(f.held_on),
            ts::hours_tenths.eq(f.hours_tenths),
            ts::created_by.eq(by),
            ts::created_at.eq(now),
            ts::updated_at.eq(now),
        ))
        .returning(ts::id)
        .get_result(conn)?;
    add_participants(conn, id, &f.participants)?;
    Ok(id)
}

fn add_participants(conn: &mut DbConn, session: i64, people: &[i64]) -> Result<(), StoreError> {
    for p in people {
        diesel::insert_into(sp::session_participants)
            .values((sp::session_id.eq(session), sp::person_id.eq(p)))
            .execute(conn)?;
    }
    Ok(())
}

/// Rewrites a session; participants already recorded keep their attendance.
pub fn update_session(conn: &mut DbConn, id: i64, f: &SessionFields, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        ts::training_sessions,
        (
            ts::title.eq(&f.title),
            ts::form.eq(f.form),
            ts::content_areas.eq(&f.content_areas),
            ts::held_on.eq(f.held_on),
            ts::hours_tenths.eq(f.hours_tenths),
            ts::updated_at.eq(now),
        ),
        ts::id.eq(id),
    )
    .execute(conn)?;
    let existing: Vec<i64> = sp::session_participants
        .filter(sp::session_id.eq(id))
        .select(sp::person_id)
        .load(conn)?;
    diesel::delete(
        sp::session_participants
            .filter(sp::session_id.eq(id))
            .filter(sp::attendance.is_null())
            .filter(sp::person_id.ne_all(f.participants.clone())),
    )
    .execute(conn)?;
    let new: Vec<i64> = f
        .participants
        .iter()
        .copied()
        .filter(|p| !existing.contains(p))
        .collect();
    add_participants(conn, id, &new)
}

pub fn session(conn: &mut DbConn, id: i64) -> Result<Session, StoreError> {
    Ok(ts::training_sessions
        .select(session_columns!())
        .filter(ts::id.eq(id))
        .first(conn)?)
}

pub fn sessions(
    conn: &mut DbConn,
    year: Option<i32>,
    form: Option<Form>,
    page: PageRequest,
) -> Result<Vec<Session>, StoreError> {
    let mut q = ts::training_sessions
        .select(session_columns!())
        .order(ts::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(y) = year {
        let (from, to) = year_bounds(y);
        q = q.filter(ts::held_on.ge(from)).filter(ts::held_on.le(to));
    }
    crate::filter_if_some!(q, form => ts::form.eq);
    crate::filter_if_some!(q, page.after => ts::id.gt);
    Ok(q.load(conn)?)
}

pub fn participants(conn: &mut DbConn, session: i64) -> Result<Vec<(i64, Option<Attendance>)>, StoreError> {
    Ok(sp::session_participants
        .filter(sp::session_id.eq(session))
        .order(sp::person_id.asc())
        .select((sp::person_id, sp::attendance))
        .load(conn)?)
}

pub fn set_attendance(conn: &mut DbConn, session: i64, person: i64, a: Attendance) -> Result<(), StoreError> {
    crate::db::update(
        sp::session_participants,
        sp::attendance.eq(a),
        sp::session_id.eq(session).and(sp::person_id.eq(person)),
    )
    .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct SelfStudy {
    pub id: i64,
    pub person_id: i64,
    pub studied_on: NaiveDate,
    pub hours_tenths: i64,
    pub description: String,
    pub status: SelfStudyStatus,
    pub decided_by: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

macro_rules! study_columns {
    () => {
        (
            ss::id,
            ss::person_id,
            ss::studied_on,
            ss::hours_tenths,
            ss::description,
            ss::status,
            ss::decided_by,
            ss::created_by,
            ss::created_at,
        )
    };
}

pub fn claim(
    conn: &mut DbConn,
    person: i64,
    on: NaiveDate,
    tenths: i64,
    description: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(ss::self_study)
        .values((
            ss::person_id.eq(person),
            ss::studied_on.eq(on),
            ss::hours_tenths.eq(tenths),
            ss::description.eq(description),
            ss::status.eq(SelfStudyStatus::Claimed),
            ss::created_by.eq(by),
            ss::created_at.eq(now),
        ))
        .returning(ss::id)
        .get_result(conn)?)
}

/// Tenths of an hour a person has claimed (and not had rejected) for the day `on`.
pub fn claimed_on(conn: &mut DbConn, person: i64, on: NaiveDate) -> Result<i64, StoreError> {
    let claims: Vec<i64> = ss::self_study
        .filter(ss::person_id.eq(person))
        .filter(ss::studied_on.eq(on))
        .filter(ss::status.ne(SelfStudyStatus::Rejected))
        .select(ss::hours_tenths)
        .load(conn)?;
    Ok(claims.iter().sum())
}

/// A claim the caller may see (staff: their own department's people).
pub fn study(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<SelfStudy, StoreError> {
    let q = ss::self_study
        .inner_join(people::table)
        .select(study_columns!())
        .filter(ss::id.eq(id))
        .into_boxed();
    Ok(crate::visible!(q, vis, people::department_id).first(conn)?)
}

pub fn studies(
    conn: &mut DbConn,
    vis: Visibility,
    person: Option<i64>,
    status: Option<SelfStudyStatus>,
    page: PageRequest,
) -> Result<Vec<SelfStudy>, StoreError> {
    let mut q = ss::self_study
        .inner_join(people::table)
        .select(study_columns!())
        .order(ss::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, people::department_id);
    crate::filter_if_some!(q, person => ss::person_id.eq);
    crate::filter_if_some!(q, status => ss::status.eq);
    crate::filter_if_some!(q, page.after => ss::id.gt);
    Ok(q.load(conn)?)
}

pub fn decide(conn: &mut DbConn, id: i64, status: SelfStudyStatus, by: i64) -> Result<(), StoreError> {
    crate::db::update(
        ss::self_study,
        (ss::status.eq(status), ss::decided_by.eq(by)),
        ss::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

/// Hours per person in a year: attended sessions and confirmed self-study, in tenths.
pub fn hours_by_person(conn: &mut DbConn, year: i32) -> Result<BTreeMap<i64, (i64, i64)>, StoreError> {
    let (from, to) = year_bounds(year);
    let attended: Vec<(i64, i64)> = sp::session_participants
        .inner_join(ts::training_sessions)
        .filter(sp::attendance.eq(Attendance::Present))
        .filter(ts::held_on.ge(from))
        .filter(ts::held_on.le(to))
        .select((sp::person_id, ts::hours_tenths))
        .load(conn)?;
    let studied: Vec<(i64, i64)> = ss::self_study
        .filter(ss::status.eq(SelfStudyStatus::Confirmed))
        .filter(ss::studied_on.ge(from))
        .filter(ss::studied_on.le(to))
        .select((ss::person_id, ss::hours_tenths))
        .load(conn)?;
    let mut map: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (p, t) in attended {
        map.entry(p).or_default().0 += t;
    }
    for (p, t) in studied {
        map.entry(p).or_default().1 += t;
    }
    Ok(map)
}

/// The sessions a person was asked to attend in a year, with the attendance recorded.
pub fn sessions_of(
    conn: &mut DbConn,
    person: i64,
    year: i32,
) -> Result<Vec<(Session, Option<Attendance>)>, StoreError> {
    let (from, to) = year_bounds(year);
    Ok(sp::session_participants
        .inner_join(ts::training_sessions)
        .filter(sp::person_id.eq(person))
        .filter(ts::held_on.ge(from))
        .filter(ts::held_on.le(to))
        .order(ts::held_on.asc())
        .select((session_columns!(), sp::attendance))
        .load(conn)?)
}

#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct Exam {
    pub id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn create_exam(
    conn: &mut DbConn,
    title: &str,
    held_on: NaiveDate,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(ex::exams)
        .values((
            ex::title.eq(title),
            ex::held_on.eq(held_on),
            ex::created_by.eq(by),
            ex::created_at.eq(now),
        ))
        .returning(ex::id)
        .get_result(conn)?)
}

pub fn exam(conn: &mut DbConn, id: i64) -> Result<Exam, StoreError> {
    Ok(ex::exams
        .filter(ex::id.eq(id))
        .select((ex::id, ex::title, ex::held_on, ex::created_by, ex::created_at))
        .first(conn)?)
}

/// An exam result: a score, or an absence.
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct ExamResult {
    pub person_id: i64,
    pub score: Option<i64>,
    pub absence: Option<ExamAbsence>,
    pub passed: bool,
}

pub fn results(conn: &mut DbConn, exam: i64) -> Result<Vec<ExamResult>, StoreError> {
    Ok(er::exam_results
        .filter(er::exam_id.eq(exam))
        .order(er::person_id.asc())
        .select((er::person_id, er::score, er::absence, er::passed))
        .load(conn)?)
}

pub fn add_result(conn: &mut DbConn, exam: i64, r: &ExamResult, by: i64) -> Result<(), StoreError> {
    diesel::insert_into(er::exam_results)
        .values((
            er::exam_id.eq(exam),
            er::person_id.eq(r.person_id),
            er::score.eq(r.score),
            er::absence.eq(r.absence),
            er::passed.eq(r.passed),
            er::recorded_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces a person's recorded result (a correction).
pub fn set_result(conn: &mut DbConn, exam: i64, r: &ExamResult, by: i64) -> Result<(), StoreError> {
    crate::db::update(
        er::exam_results,
        (
            er::score.eq(r.score),
            er::absence.eq(r.absence),
            er::passed.eq(r.passed),
            er::recorded_by.eq(by),
        ),
        er::exam_id.eq(exam).and(er::person_id.eq(r.person_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// A person's exam results of a year: (exam, result).
pub fn results_of(conn: &mut DbConn, person: i64, year: i32) -> Result<Vec<(Exam, ExamResult)>, StoreError> {
    let (from, to) = year_bounds(year);
    Ok(er::exam_results
        .inner_join(ex::exams)
        .filter(er::person_id.eq(person))
        .filter(ex::held_on.ge(from))
        .filter(ex::held_on.le(to))
        .order(ex::held_on.asc())
        .select((
            (ex::id, ex::title, ex::held_on, ex::created_by, ex::created_at),
            (er::person_id, er::score, er::absence, er::passed),
        ))
        .load(conn)?)
}

/// An order, a recommendation or a make-up obligation.
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct Consequence {
    pub id: i64,
    pub person_id: i64,
    pub kind: ConsequenceKind,
    pub cause_kind: Cause,
    pub cause_id: i64,
    pub created_on: NaiveDate,
    pub fulfilled_kind: Option<Cause>,
    pub fulfilled_id: Option<i64>,
    pub fulfilled_on: Option<NaiveDate>,
    /// Lifted because the decision that ordered it was revoked or modified on appeal.
    pub lifted_on: Option<NaiveDate>,
}

macro_rules! consequence_columns {
    () => {
        (
            tc::id,
            tc::person_id,
            tc::kind,
            tc::cause_kind,
            tc::cause_id,
            tc::created_on,
            tc::fulfilled_kind,
            tc::fulfilled_id,
            tc::fulfilled_on,
            tc::lifted_on,
        )
    };
}

/// One order, recommendation or make-up by its id, whoever it concerns.
pub fn consequence(conn: &mut DbConn, id: i64) -> Result<Consequence, StoreError> {
    Ok(tc::training_consequences
        .select(consequence_columns!())
        .filter(tc::id.eq(id))
        .first(conn)?)
}

/// Lifts the consequences a cause brought on a person (an appeal reversed the decision).
pub fn lift(conn: &mut DbConn, person: i64, cause: Cause, cause_id: i64, on: NaiveDate) -> Result<usize, StoreError> {
    Ok(crate::db::update(
        tc::training_consequences,
        tc::lifted_on.eq(on),
        tc::person_id
            .eq(person)
            .and(tc::cause_kind.eq(cause))
            .and(tc::cause_id.eq(cause_id))
            .and(tc::lifted_on.is_null()),
    )
    .execute(conn)?)
}

/// Opens again what `by` fulfilled for a person (a session's attendance corrected away):
/// make-ups it made up, orders it completed.
pub fn reopen(conn: &mut DbConn, person: i64, by: Cause, by_id: i64) -> Result<usize, StoreError> {
    Ok(crate::db::update(
        tc::training_consequences,
        (
            tc::fulfilled_kind.eq(None::<Cause>),
            tc::fulfilled_id.eq(None::<i64>),
            tc::fulfilled_on.eq(None::<NaiveDate>),
        ),
        tc::person_id
            .eq(person)
            .and(tc::fulfilled_kind.assume_not_null().eq(by))
            .and(tc::fulfilled_id.assume_not_null().eq(by_id)),
    )
    .execute(conn)?)
}

/// The certificate withdrawn on a recommendation that `cause` brought on a person, if the
/// legal office has acted on one.
pub fn acted_on(conn: &mut DbConn, person: i64, cause: Cause, cause_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(tc::training_consequences
        .filter(tc::person_id.eq(person))
        .filter(tc::cause_kind.eq(cause))
        .filter(tc::cause_id.eq(cause_id))
        .filter(tc::kind.eq(ConsequenceKind::CertificateWithdrawalRecommendation))
        .filter(tc::fulfilled_kind.eq(Cause::Certificate))
        .select(tc::fulfilled_id.assume_not_null())
        .first(conn)
        .optional()?)
}

pub fn add_consequence(
    conn: &mut DbConn,
    person: i64,
    kind: ConsequenceKind,
    cause: Cause,
    cause_id: i64,
    on: NaiveDate,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let id = diesel::insert_into(tc::training_consequences)
        .values((
            tc::person_id.eq(person),
            tc::kind.eq(kind),
            tc::cause_kind.eq(cause),
            tc::cause_id.eq(cause_id),
            tc::created_on.eq(on),
            tc::created_at.eq(now),
        ))
        .returning(tc::id)
        .get_result(conn)?;
    if kind == ConsequenceKind::CertificateWithdrawalRecommendation {
        crate::events::emit(
            conn,
            crate::events::EventType::TrainingRecommendation,
            id,
            &serde_json::json!({"person_id": person, "kind": kind, "cause": cause, "cause_id": cause_id}),
        )?;
    }
    Ok(id)
}

/// The off-post orders (责令离岗培训) that keep any of `persons` off post on `day`: ordered by
/// then, neither lifted nor completed before it. (person, order id, ordered on).
pub fn off_post_on(
    conn: &mut DbConn,
    persons: &[i64],
    day: NaiveDate,
) -> Result<Vec<(i64, i64, NaiveDate, Cause)>, StoreError> {
    // One cached statement per person rather than an `IN` list (parsed anew for every length):
    // this runs on every act recorded, and an act names a few officers.
    let mut off = Vec::new();
    for person in persons {
        let orders = tc::training_consequences
            .filter(tc::person_id.eq(person))
            .filter(tc::kind.eq(ConsequenceKind::OffPostTraining))
            .filter(tc::created_on.le(day))
            .filter(tc::lifted_on.is_null())
            .filter(tc::fulfilled_on.is_null().or(tc::fulfilled_on.ge(day)))
            .order(tc::id.asc())
            .select((tc::person_id, tc::id, tc::created_on, tc::cause_kind));
        off.extend(crate::native!(conn, |db| orders.load::<(i64, i64, NaiveDate, Cause)>(db))?);
    }
    Ok(off)
}

/// Records a consequence still open as fulfilled by `by` on `on`: an off-post order completed
/// by a session, a recommendation acted on by a certificate's withdrawal.
pub fn fulfil(conn: &mut DbConn, id: i64, by: Cause, by_id: i64, on: NaiveDate) -> Result<(), StoreError> {
    crate::db::update(
        tc::training_consequences,
        (
            tc::fulfilled_kind.eq(by),
            tc::fulfilled_id.eq(by_id),
            tc::fulfilled_on.eq(on),
        ),
        tc::id.eq(id).and(tc::fulfilled_on.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// Marks a person's open make-ups of `kind` owed since before `on` as made up by `by`.
pub fn fulfil_make_ups(
    conn: &mut DbConn,
    person: i64,
    kind: ConsequenceKind,
    by: Cause,
    by_id: i64,
    on: NaiveDate,
) -> Result<usize, StoreError> {
    Ok(crate::db::update(
        tc::training_consequences,
        (
            tc::fulfilled_kind.eq(by),
            tc::fulfilled_id.eq(by_id),
            tc::fulfilled_on.eq(on),
        ),
        tc::person_id
            .eq(person)
            .and(tc::kind.eq(kind))
            .and(tc::fulfilled_on.is_null())
            .and(tc::created_on.le(on))
            .and(tc::cause_id.ne(by_id).or(tc::cause_kind.ne(by))),
    )
    .execute(conn)?)
}

pub fn consequences(
    conn: &mut DbConn,
    vis: Visibility,
    kinds: &[ConsequenceKind],
    person: Option<i64>,
    open_only: bool,
    page: PageRequest,
) -> Result<Vec<Consequence>, StoreError> {
    let mut q = tc::training_consequences
        .inner_join(people::table)
        .select(consequence_columns!())
        .filter(tc::kind.eq_any(kinds.to_vec()))
        .order(tc::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, people::department_id);
    crate::filter_if_some!(q, person => tc::person_id.eq);
    if open_only {
        q = q.filter(tc::fulfilled_on.is_null()).filter(tc::lifted_on.is_null());
    }
    crate::filter_if_some!(q, page.after => tc::id.gt);
    Ok(q.load(conn)?)
}

#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct NoteCheck {
    pub id: i64,
    pub person_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub result: NoteResult,
    pub comment: String,
    pub checked_by: Option<i64>,
}

pub fn add_note_check(conn: &mut DbConn, n: &NoteCheck, now: NaiveDateTime) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(nc::note_checks)
        .values((
            nc::person_id.eq(n.person_id),
            nc::period_from.eq(n.period_from),
            nc::period_to.eq(n.period_to),
            nc::result.eq(n.result),
            nc::comment.eq(&n.comment),
            nc::checked_by.eq(n.checked_by),
            nc::created_at.eq(now),
        ))
        .returning(nc::id)
        .get_result(conn)?)
}

pub fn note_checks(conn: &mut DbConn, person: i64) -> Result<Vec<NoteCheck>, StoreError> {
    Ok(nc::note_checks
        .filter(nc::person_id.eq(person))
        .order(nc::id.asc())
        .select((
            nc::id,
            nc::person_id,
            nc::period_from,
            nc::period_to,
            nc::result,
            nc::comment,
            nc::checked_by,
        ))
        .load(conn)?)
}
