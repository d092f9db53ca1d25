//! `/training/…` and `/people/{id}/training`.

use std::collections::BTreeSet;

use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{
    self, Attendance, Cause, ConsequenceKind, ContentArea, ExamAbsence, Form, NoteResult, SelfStudyStatus, TRN_5,
    TRN_6, TRN_7, TRN_8,
};
use super::store::{self, Consequence, ExamResult, NoteCheck, SelfStudy, Session, SessionFields};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::DbConn;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::etag::{self, IfMatch};
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::{has_repeats, Check};
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::rules::Basis;
use crate::AppState;

/// Staff read their own training only: the person they may see, if restricted.
fn own_person(caller: &Caller) -> Option<i64> {
    (caller.role == Role::Staff).then(|| caller.person_id.unwrap_or(NOBODY))
}

/// No person has this id: a filter on it lists nothing.
const NOBODY: i64 = -1;

/// The person a list is narrowed to: the one asked for and, for staff, themselves too, so a
/// staff member asking for someone else's records gets an empty list, not their own.
fn listed_person(caller: &Caller, asked: Option<i64>) -> Option<i64> {
    match (own_person(caller), asked) {
        (Some(me), Some(other)) if me != other => Some(NOBODY),
        (me, asked) => me.or(asked),
    }
}

// ---- plans and summaries (TRN-6) ----

/// A year's training plan or summary, and whether it is late.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingDocument {
    pub year: i32,
    /// `plan` or `summary`.
    pub kind: String,
    pub content: Option<String>,
    /// The last day it is due: plans by the end of January, summaries by the end of the next January.
    pub due_on: NaiveDate,
    /// Missing after its due day.
    pub flagged: bool,
    /// The day (China time) it was first filed; replacing the text keeps it. Absent until filed.
    pub filed_on: Option<NaiveDate>,
    /// Filed after its due day: a late plan or summary stays recorded as late.
    pub late: bool,
    pub basis: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    pub content: String,
}

async fn read_document(state: &AppState, year: i32, kind: &'static str) -> Result<TrainingDocument, AppError> {
    let stored = state.db.read(move |conn| store::document(conn, year, kind)).await?;
    let due_on = if kind == "plan" {
        rules::plan_due(year)
    } else {
        rules::summary_due(year)
    };
    let filed_on = stored.as_ref().map(|d| crate::db::china_date(d.filed_at));
    Ok(TrainingDocument {
        year,
        kind: kind.into(),
        flagged: stored.is_none() && crate::db::today() > due_on,
        content: stored.map(|d| d.content),
        due_on,
        filed_on,
        late: filed_on.is_some_and(|on| rules::filed_late(on, due_on)),
        basis: vec![TRN_6.to_string()],
    })
}

async fn write_document(
    state: &AppState,
    caller: &Caller,
    year: i32,
    kind: &'static str,
    b: DocumentInput,
) -> Result<TrainingDocument, AppError> {
    let mut check = Check::default();
    let content = check.text("content", &b.content, 100_000);
    check.finish()?;
    let (actor, by) = (caller.actor(), caller.user_id);
    state
        .db
        .write(move |conn| {
            store::put_document(conn, year, kind, &content, by, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                &format!("training.{kind}"),
                "training_year",
                year,
                &serde_json::json!({"content": content}),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    read_document(state, year, kind).await
}

/// A year's training plan (年初有计划, TRN-6); flagged when missing after January.
#[utoipa::path(tag = "training", responses((status = 200, body = TrainingDocument)))]
#[get("/plans/{year}")]
pub async fn get_plan(state: web::Data<AppState>, _c: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    Ok(HttpResponse::Ok().json(read_document(&state, year, "plan").await?))
}

/// Record a year's training plan.
#[utoipa::path(tag = "training", request_body = DocumentInput, responses((status = 200, body = TrainingDocument)))]
#[put("/plans/{year}")]
pub async fn put_plan(
    state: web::Data<AppState>,
    caller: Caller,
    year: Path<i32>,
    body: Json<DocumentInput>,
) -> Result<HttpResponse, AppError> {
    let (year, b) = (
        crate::http::validate::year(year.get()?.into_inner())?,
        body.get()?.into_inner(),
    );
    Ok(HttpResponse::Ok().json(write_document(&state, &caller, year, "plan", b).await?))
}

/// A year's training summary (年终有总结, TRN-6); flagged when missing after the next January.
#[utoipa::path(tag = "training", responses((status = 200, body = TrainingDocument)))]
#[get("/summaries/{year}")]
pub async fn get_summary(state: web::Data<AppState>, _c: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    Ok(HttpResponse::Ok().json(read_document(&state, year, "summary").await?))
}

/// Record a year's training summary, once the year has begun (TRN-6).
#[utoipa::path(tag = "training", request_body = DocumentInput,
    responses((status = 200, body = TrainingDocument),
        (status = 422, description = "The year has not begun (TRN-6)", body = Problem, content_type = "application/problem+json")))]
#[put("/summaries/{year}")]
pub async fn put_summary(
    state: web::Data<AppState>,
    caller: Caller,
    year: Path<i32>,
    body: Json<DocumentInput>,
) -> Result<HttpResponse, AppError> {
    let (year, b) = (
        crate::http::validate::year(year.get()?.into_inner())?,
        body.get()?.into_inner(),
    );
    if !rules::summary_may_be_filed(year, crate::db::today()) {
        return Err(AppError::rule(
            "training_year_not_begun",
            format!("a year-end summary (年终有总结) sums up a year; {year} has not begun (TRN-6)"),
            Basis::of(&[TRN_6]),
        ));
    }
    Ok(HttpResponse::Ok().json(write_document(&state, &caller, year, "summary", b).await?))
}

// ---- sessions and attendance ----

/// A participant and the attendance recorded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRow {
    pub person_id: i64,
    pub status: Attendance,
}

/// A training session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub title: String,
    pub form: Form,
    /// TRN-5 (1)–(4).
    pub content_areas: Vec<ContentArea>,
    pub held_on: NaiveDate,
    pub hours: f64,
    /// Required participants; `status` is absent until attendance is recorded.
    pub participants: Vec<ParticipantView>,
    pub basis: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantView {
    pub person_id: i64,
    pub status: Option<Attendance>,
}

fn session_view(conn: &mut DbConn, s: Session) -> Result<SessionView, AppError> {
    let participants = store::participants(conn, s.id)?
        .into_iter()
        .map(|(person_id, status)| ParticipantView { person_id, status })
        .collect();
    Ok(SessionView {
        content_areas: serde_json::from_str(&s.content_areas).unwrap_or_default(),
        hours: rules::hours(s.hours_tenths),
        participants,
        id: s.id,
        title: s.title,
        form: s.form,
        held_on: s.held_on,
        basis: vec![TRN_5.to_string(), TRN_6.to_string()],
    })
}

fn session_detail(conn: &mut DbConn, id: i64) -> Result<SessionView, AppError> {
    let s = store::session(conn, id).map_err(missing("training session"))?;
    session_view(conn, s)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "安全生产法专题讲座", "form": "lecture", "content_areas": ["professional_law"],
    "held_on": "2026-11-20", "hours": 3.5, "participants": [7, 8, 9]}))]
pub struct NewSession {
    pub title: String,
    pub form: Form,
    /// TRN-5 (1)–(4), at least one.
    pub content_areas: Vec<ContentArea>,
    pub held_on: NaiveDate,
    /// More than 0, at most 500 (a course of several days is one record), one decimal.
    pub hours: f64,
    /// The people required to attend.
    #[serde(default)]
    pub participants: Vec<i64>,
}

fn check_session(conn: &mut DbConn, b: NewSession) -> Result<SessionFields, AppError> {
    let mut check = Check::default();
    let title = check.text("title", &b.title, 300);
    let tenths = rules::tenths(b.hours).unwrap_or_else(|m| {
        check.fail("hours", m);
        0
    });
    check.reportable_day("held_on", b.held_on);
    if b.content_areas.is_empty() {
        check.fail("content_areas", "name at least one TRN-5 content area");
    }
    if has_repeats(&b.participants) {
        check.fail("participants", "a person is listed twice");
    }
    for (n, p) in b.participants.iter().enumerate() {
        if crate::org::store::people::get(conn, *p).is_err() {
            check.fail(&format!("participants[{n}]"), format!("no person {p}"));
        }
    }
    check.finish()?;
    let areas: BTreeSet<ContentArea> = b.content_areas.into_iter().collect();
    Ok(SessionFields {
        title,
        form: b.form,
        content_areas: serde_json::to_string(&areas).map_err(|e| AppError::Internal(e.to_string()))?,
        held_on: b.held_on,
        hours_tenths: tenths,
        participants: b.participants,
    })
}

/// Record a training session with its required participants.
#[utoipa::path(tag = "training", request_body = NewSession, responses((status = 201, body = SessionView)))]
#[post("/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewSession>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let fields = check_session(conn, b)?;
            let id = store::create_session(conn, &fields, by, crate::db::now())?;
            audit::append(conn, &actor, "training.session", "training_session", id, &fields)?;
            session_detail(conn, id)
        })
        .await?;
    Ok(crate::org::api::created(
        format!("/api/v1/training/sessions/{}", v.id),
        &v,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    pub year: Option<i32>,
    pub form: Option<Form>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List training sessions.
#[utoipa::path(tag = "training", params(SessionQuery), responses((status = 200, body = Page<SessionView>)))]
#[get("/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    _c: Caller,
    q: Query<SessionQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let views = state
        .db
        .read(move |conn| {
            let rows = store::sessions(conn, q.year, q.form, page)?;
            rows.into_iter()
                .map(|s| session_view(conn, s))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |s| s.id)))
}

/// One training session with its participants.
#[utoipa::path(tag = "training", responses((status = 200, body = SessionView, headers(("ETag" = String)))))]
#[get("/sessions/{id}")]
pub async fn get_session(state: web::Data<AppState>, _c: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let v = state.db.read(move |conn| session_detail(conn, id)).await?;
    Ok(etag::json_with_etag(actix_web::http::StatusCode::OK, &v))
}

/// Correct a session (requires `If-Match`); the whole session is restated. Participants whose
/// attendance is recorded stay: a list leaving one out is a 409, as is a new date.
#[utoipa::path(tag = "training", request_body = NewSession,
    params(("If-Match" = String, Header, description = "The current ETag")),
    responses((status = 200, body = SessionView, headers(("ETag" = String)))))]
#[patch("/sessions/{id}")]
pub async fn update_session(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    if_match: IfMatch,
    body: Json<NewSession>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let actor = caller.actor();
    let v = state
        .db
        .write(move |conn| {
            let before = session_detail(conn, id)?;
            if_match.check(&etag::of(&before))?;
            let fields = check_session(conn, b)?;
            if before.participants.iter().any(|p| p.status.is_some()) && fields.held_on != before.held_on {
                return Err(AppError::conflict(
                    "attendance_recorded",
                    "attendance is recorded; the date no longer changes",
                ));
            }
            let recorded = before.participants.iter().filter(|p| p.status.is_some());
            if let Some(kept) = recorded.map(|p| p.person_id).find(|p| !fields.participants.contains(p)) {
                return Err(AppError::conflict(
                    "attendance_recorded",
                    format!("person {kept}'s attendance is recorded; they stay on the session"),
                ));
            }
            store::update_session(conn, id, &fields, crate::db::now())?;
            audit::append(conn, &actor, "training.session_update", "training_session", id, &fields)?;
            session_detail(conn, id)
        })
        .await?;
    Ok(etag::json_with_etag(actix_web::http::StatusCode::OK, &v))
}

/// Unique person ids, or a 422 naming the repeated one.
fn unique_people<'a>(ids: impl Iterator<Item = &'a i64>) -> Result<(), AppError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(*id) {
            return Err(AppError::field("person_id", format!("person {id} is listed twice")));
        }
    }
    Ok(())
}

/// Record attendance. Absence without excuse brings an off-post training order and a
/// recommendation to withdraw the certificate (TRN-7); an excused absence owes a make-up
/// session; attending makes up earlier excused absences. Recorded attendance changes only by a
/// correction with a reason (`PATCH /training/sessions/{id}/attendance/{person_id}`).
#[utoipa::path(tag = "training", request_body = Vec<AttendanceRow>,
    responses(
        (status = 200, body = SessionView),
        (status = 409, description = "A different attendance is already recorded", body = Problem, content_type = "application/problem+json"),
    ))]
#[put("/sessions/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<Vec<AttendanceRow>>,
) -> Result<HttpResponse, AppError> {
    let (id, rows) = (id.get()?.into_inner(), body.get()?.into_inner());
    unique_people(rows.iter().map(|r| &r.person_id))?;
    for r in &rows {
        caller.not_on_own_record(r.person_id, "record attendance")?;
    }
    let (actor, today) = (caller.actor(), crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let session = store::session(conn, id).map_err(missing("training session"))?;
            if session.held_on > today {
                return Err(AppError::field("session", "the session has not been held yet"));
            }
            let current = store::participants(conn, id)?;
            for (n, r) in rows.iter().enumerate() {
                match current.iter().find(|(p, _)| *p == r.person_id) {
                    None => {
                        return Err(AppError::field(
                            &format!("[{n}].person_id"),
                            format!("person {} is not a participant of the session", r.person_id),
                        ))
                    }
                    Some((_, Some(s))) if *s != r.status => {
                        return Err(AppError::conflict(
                            "attendance_recorded",
                            format!("person {} is already recorded {s}", r.person_id),
                        ))
                    }
                    _ => {}
                }
            }
            let now = crate::db::now();
            for r in rows
                .iter()
                .filter(|r| current.iter().any(|(p, s)| *p == r.person_id && s.is_none()))
            {
                store::set_attendance(conn, id, r.person_id, r.status)?;
                attendance_brings(conn, &session, r.person_id, r.status, now)?;
            }
            audit::append(conn, &actor, "training.attendance", "training_session", id, &rows)?;
            session_detail(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// What a person's attendance of a session brings (TRN-7): attending makes up earlier excused
/// absences, an excused absence owes a make-up, an absence without excuse brings an off-post
/// order and a recommendation to withdraw the certificate.
fn attendance_brings(
    conn: &mut DbConn,
    session: &Session,
    person: i64,
    status: Attendance,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let (id, on) = (session.id, session.held_on);
    match status {
        Attendance::Present => {
            store::fulfil_make_ups(conn, person, ConsequenceKind::MakeUpTraining, Cause::Session, id, on)?;
        }
        Attendance::Excused => {
            store::add_consequence(
                conn,
                person,
                ConsequenceKind::MakeUpTraining,
                Cause::Session,
                id,
                on,
                now,
            )?;
        }
        Attendance::Absent => {
            for kind in rules::consequences_of_absence(false) {
                store::add_consequence(conn, person, *kind, Cause::Session, id, on, now)?;
            }
        }
    }
    Ok(())
}

/// Undoes what a wrong record of a session or exam brought on a person, before the right one
/// is applied: the consequences it caused are lifted, those it fulfilled open again. A
/// recommendation the legal office has acted on (a certificate withdrawn on it) is theirs to
/// reverse: 409.
fn undo_consequences(conn: &mut DbConn, person: i64, cause: Cause, id: i64, today: NaiveDate) -> Result<(), AppError> {
    if let Some(certificate) = store::acted_on(conn, person, cause, id)? {
        return Err(AppError::Conflict {
            code: "recommendation_acted_on",
            detail: format!("certificate {certificate} was withdrawn on the recommendation this record brought: that decision is the legal office's to reverse"),
            basis: Basis::of(&[TRN_7]),
        });
    }
    store::lift(conn, person, cause, id, today)?;
    store::reopen(conn, person, cause, id)?;
    Ok(())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "excused", "reason": "请假条经核实为因公请假，原记录有误"}))]
pub struct AttendanceCorrection {
    pub status: Attendance,
    /// Why the record was wrong: 1 to 2000 characters.
    pub reason: String,
}

/// Correct one person's recorded attendance, with a reason. What the wrong record brought is
/// undone — the off-post order, the certificate recommendation or the make-up it caused are
/// lifted; make-ups and orders it completed open again — and what the right one brings
/// follows, as when recording (TRN-7). A recommendation the legal office has acted on (the
/// certificate withdrawn on it) is not undone here: 409 `recommendation_acted_on`.
#[utoipa::path(tag = "training", request_body = AttendanceCorrection,
    responses(
        (status = 200, body = SessionView),
        (status = 404, description = "No such session, or the person is not a participant", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing recorded yet (`attendance_not_recorded`), the same status (`attendance_unchanged`), or a recommendation acted on (`recommendation_acted_on`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/sessions/{id}/attendance/{person_id}")]
pub async fn correct_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    path: Path<(i64, i64)>,
    body: Json<AttendanceCorrection>,
) -> Result<HttpResponse, AppError> {
    let ((id, person), b) = (path.get()?.into_inner(), body.get()?.into_inner());
    caller.not_on_own_record(person, "correct attendance")?;
    let mut check = Check::default();
    let reason = check.text("reason", &b.reason, 2000);
    check.finish()?;
    let (actor, today) = (caller.actor(), crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let session = store::session(conn, id).map_err(missing("training session"))?;
            let recorded = store::participants(conn, id)?
                .into_iter()
                .find(|(p, _)| *p == person)
                .ok_or_else(|| AppError::not_found("participant of the session"))?
                .1;
            let was = match recorded {
                None => {
                    return Err(AppError::conflict(
                        "attendance_not_recorded",
                        "record the attendance first",
                    ))
                }
                Some(s) if s == b.status => {
                    return Err(AppError::conflict(
                        "attendance_unchanged",
                        format!("already recorded {s}"),
                    ))
                }
                Some(s) => s,
            };
            undo_consequences(conn, person, Cause::Session, id, today)?;
            store::set_attendance(conn, id, person, b.status)?;
            attendance_brings(conn, &session, person, b.status, crate::db::now())?;
            let change = serde_json::json!({"person_id": person, "from": was, "to": b.status, "reason": reason});
            audit::append(
                conn,
                &actor,
                "training.attendance.correct",
                "training_session",
                id,
                &change,
            )?;
            session_detail(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

// ---- self-study ----

#[derive(Debug, Serialize, ToSchema)]
pub struct SelfStudyView {
    pub id: i64,
    pub person_id: i64,
    pub studied_on: NaiveDate,
    pub hours: f64,
    pub description: String,
    /// Only confirmed hours count (TRN-6).
    pub status: SelfStudyStatus,
    pub decided_by: Option<i64>,
}

impl From<SelfStudy> for SelfStudyView {
    fn from(s: SelfStudy) -> Self {
        Self {
            id: s.id,
            person_id: s.person_id,
            studied_on: s.studied_on,
            hours: rules::hours(s.hours_tenths),
            description: s.description,
            status: s.status,
            decided_by: s.decided_by,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"studied_on": "2026-11-21", "hours": 2.0, "description": "自学《安全生产法》释义"}))]
pub struct NewSelfStudy {
    /// The office may claim for someone; staff claim for themselves.
    pub person_id: Option<i64>,
    /// Not in the future.
    pub studied_on: NaiveDate,
    /// More than 0, at most 24 (one day's study), one decimal.
    pub hours: f64,
    pub description: String,
}

/// A day's study in tenths of an hour.
const DAY_TENTHS: i64 = 240;

/// Claim self-study hours (staff for themselves); they count once the office confirms them.
#[utoipa::path(tag = "training", request_body = NewSelfStudy, responses((status = 201, body = SelfStudyView)))]
#[post("/self-study")]
pub async fn claim(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewSelfStudy>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let description = check.text("description", &b.description, 2000);
    let tenths = rules::tenths(b.hours).unwrap_or_else(|m| {
        check.fail("hours", m);
        0
    });
    // Unlike a session, a claim is one day's study.
    if tenths > DAY_TENTHS {
        check.fail("hours", "a claim is one day's study: at most 24 hours");
    }
    check.reportable_day("studied_on", b.studied_on);
    if b.studied_on > crate::db::today() {
        check.fail("studied_on", "must not be in the future");
    }
    check.finish()?;
    let person = match (caller.role, b.person_id, caller.person_id) {
        (Role::SupervisoryOffice, Some(p), _) => p,
        (_, None, Some(own)) => own,
        (_, Some(p), Some(own)) if p == own => own,
        (_, Some(_), _) => return Err(AppError::Forbidden("staff claim self-study for themselves".into())),
        (_, None, None) => return Err(AppError::field("person_id", "the account belongs to no person")),
    };
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            crate::org::store::people::get(conn, person).map_err(|_| AppError::field("person_id", "no such person"))?;
            let claimed = store::claimed_on(conn, person, b.studied_on)?;
            if claimed + tenths > DAY_TENTHS {
                return Err(AppError::field(
                    "hours",
                    format!(
                        "{} hours are already claimed for {}: a day holds at most 24",
                        rules::hours(claimed),
                        b.studied_on
                    ),
                ));
            }
            let id = store::claim(conn, person, b.studied_on, tenths, &description, by, crate::db::now())?;
            let s = store::study(conn, id, Visibility::All)?;
            audit::append(conn, &actor, "training.self_study", "self_study", id, &s)?;
            Ok::<_, AppError>(SelfStudyView::from(s))
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SelfStudyQuery {
    pub person_id: Option<i64>,
    pub status: Option<SelfStudyStatus>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List self-study claims (staff: their own).
#[utoipa::path(tag = "training", params(SelfStudyQuery), responses((status = 200, body = Page<SelfStudyView>)))]
#[get("/self-study")]
pub async fn list_self_study(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<SelfStudyQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let person = listed_person(&caller, q.person_id);
    let rows = state
        .db
        .read(move |conn| store::studies(conn, Visibility::All, person, q.status, page))
        .await?;
    let views = rows.into_iter().map(SelfStudyView::from).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |s: &SelfStudyView| s.id)))
}

async fn decide(state: &AppState, caller: &Caller, id: i64, to: SelfStudyStatus) -> Result<HttpResponse, AppError> {
    let (actor, by, me) = (caller.actor(), caller.user_id, caller.clone());
    let v = state
        .db
        .write(move |conn| {
            let s = store::study(conn, id, Visibility::All).map_err(missing("self-study claim"))?;
            me.not_on_own_record(s.person_id, "decide a self-study claim")?;
            if s.status != SelfStudyStatus::Claimed {
                return Err(AppError::conflict(
                    "already_decided",
                    format!("the claim is already {}", s.status),
                ));
            }
            store::decide(conn, id, to, by)?;
            audit::append(
                conn,
                &actor,
                &format!("training.self_study_{to}"),
                "self_study",
                id,
                &serde_json::json!({"status": to}),
            )?;
            Ok::<_, AppError>(SelfStudyView::from(store::study(conn, id, Visibility::All)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Confirm a self-study claim: its hours count from now on.
#[utoipa::path(tag = "training", responses((status = 200, body = SelfStudyView), (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json")))]
#[post("/self-study/{id}/confirm")]
pub async fn confirm(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    decide(&state, &caller, id, SelfStudyStatus::Confirmed).await
}

/// Reject a self-study claim.
#[utoipa::path(tag = "training", responses((status = 200, body = SelfStudyView), (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json")))]
#[post("/self-study/{id}/reject")]
pub async fn reject(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    decide(&state, &caller, id, SelfStudyStatus::Rejected).await
}

// ---- hours (TRN-6) ----

/// A person's hours of a year against the minimum.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"person_id": 7, "name": "王伟", "department_id": 2, "hours": 28.5, "session_hours": 24.0,
    "self_study_hours": 4.5, "required": 30, "short_by": 1.5, "compliant": false, "basis": ["TRN-6"]}))]
pub struct PersonHours {
    pub person_id: i64,
    pub name: String,
    pub department_id: i64,
    pub hours: f64,
    pub session_hours: f64,
    pub self_study_hours: f64,
    pub required: u32,
    pub short_by: f64,
    pub compliant: bool,
    pub basis: Vec<String>,
}

/// Everyone's hours of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearHours {
    pub year: i32,
    /// The day whose rule set gives the minimum (the year's last day once over, else today).
    pub rules_as_of: NaiveDate,
    pub rule_version: i64,
    pub items: Vec<PersonHours>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HoursQuery {
    pub year: i32,
    pub department_id: Option<i64>,
}

fn year_hours(
    conn: &mut DbConn,
    year: i32,
    vis: Visibility,
    department: Option<i64>,
    person: Option<i64>,
) -> Result<YearHours, AppError> {
    let as_of = rules::rules_day(year, crate::db::today());
    let rules = crate::rules::store::in_force(conn, as_of)?;
    let required = rules.rule.values.training_hours_per_year;
    let filter = crate::org::store::people::Filter {
        department_id: department,
        position: None,
        active: None,
    };
    let everyone = PageRequest {
        limit: i64::from(u32::MAX),
        after: None,
    };
    let people = crate::org::store::people::list(conn, vis, &filter, everyone)?;
    let hours = store::hours_by_person(conn, year)?;
    let items = people
        .into_iter()
        // Someone who has left stays on the years they trained in.
        .filter(|p| p.active || hours.contains_key(&p.id))
        .filter(|p| person.is_none_or(|id| id == p.id))
        .map(|p| {
            let (sessions, studied) = hours.get(&p.id).copied().unwrap_or_default();
            let short = rules::short_by(sessions + studied, required);
            PersonHours {
                person_id: p.id,
                name: p.name,
                department_id: p.department_id,
                hours: rules::hours(sessions + studied),
                session_hours: rules::hours(sessions),
                self_study_hours: rules::hours(studied),
                required,
                short_by: rules::hours(short),
                compliant: short == 0,
                basis: vec![TRN_6.to_string()],
            }
        })
        .collect();
    Ok(YearHours {
        year,
        rules_as_of: as_of,
        rule_version: rules.rule.version,
        items,
    })
}

/// Everyone's training hours of a year against the minimum of the rule set (TRN-6): attended
/// sessions plus confirmed self-study (staff: their own). People who have left are listed for
/// the years they have hours in.
#[utoipa::path(tag = "training", params(HoursQuery), responses((status = 200, body = YearHours)))]
#[get("/hours")]
pub async fn hours_of_year(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: Query<HoursQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let year = crate::http::validate::year(q.year)?;
    let (vis, person) = (caller.visibility(), own_person(&caller));
    let hours = state
        .db
        .read(move |conn| year_hours(conn, year, vis, q.department_id, person));
    state.pages.serve(&caller, &req, hours).await
}

// ---- exams ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "2026年度法制考试", "held_on": "2026-12-10"}))]
pub struct NewExam {
    pub title: String,
    pub held_on: NaiveDate,
}

/// A result as entered: a score from 0 to 100, or an absence.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultRow {
    pub person_id: i64,
    pub score: Option<i64>,
    pub absence: Option<ExamAbsence>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExamView {
    pub id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub pass_mark: u32,
    pub rule_version: i64,
    pub results: Vec<ResultView>,
    pub basis: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultView {
    pub person_id: i64,
    pub score: Option<i64>,
    pub absence: Option<ExamAbsence>,
    pub passed: bool,
}

fn exam_detail(conn: &mut DbConn, id: i64) -> Result<ExamView, AppError> {
    let e = store::exam(conn, id).map_err(missing("exam"))?;
    let rules = crate::rules::store::in_force(conn, e.held_on)?;
    let results = store::results(conn, id)?
        .into_iter()
        .map(|r| ResultView {
            person_id: r.person_id,
            score: r.score,
            absence: r.absence,
            passed: r.passed,
        })
        .collect();
    Ok(ExamView {
        id: e.id,
        title: e.title,
        held_on: e.held_on,
        pass_mark: rules.rule.values.exam_pass_mark,
        rule_version: rules.rule.version,
        results,
        basis: vec![TRN_7.to_string()],
    })
}

/// Schedule or record a law exam (法制考试).
#[utoipa::path(tag = "training", request_body = NewExam, responses((status = 201, body = ExamView)))]
#[post("/exams")]
pub async fn create_exam(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewExam>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let title = check.text("title", &b.title, 300);
    check.reportable_day("held_on", b.held_on);
    check.finish()?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let id = store::create_exam(conn, &title, b.held_on, by, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "training.exam",
                "exam",
                id,
                &serde_json::json!({"title": title, "held_on": b.held_on}),
            )?;
            exam_detail(conn, id)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// One exam with its results.
#[utoipa::path(tag = "training", responses((status = 200, body = ExamView)))]
#[get("/exams/{id}")]
pub async fn get_exam(state: web::Data<AppState>, _c: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    Ok(HttpResponse::Ok().json(state.db.read(move |conn| exam_detail(conn, id)).await?))
}

/// Record exam results. Below the pass mark of the rule set, or absent without excuse: an
/// off-post training order and a recommendation to withdraw the certificate (TRN-7); absent
/// with excuse: a make-up exam is owed; any result makes up earlier excused absences.
#[utoipa::path(tag = "training", request_body = Vec<ResultRow>,
    responses(
        (status = 200, body = ExamView),
        (status = 409, description = "A result is already recorded", body = Problem, content_type = "application/problem+json"),
    ))]
#[put("/exams/{id}/results")]
pub async fn record_results(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<Vec<ResultRow>>,
) -> Result<HttpResponse, AppError> {
    let (id, rows) = (id.get()?.into_inner(), body.get()?.into_inner());
    unique_people(rows.iter().map(|r| &r.person_id))?;
    for r in &rows {
        caller.not_on_own_record(r.person_id, "record an exam result")?;
    }
    let mut check = Check::default();
    for (n, r) in rows.iter().enumerate() {
        check_result(&mut check, &format!("[{n}]"), r.score, r.absence);
    }
    check.finish()?;
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let exam = store::exam(conn, id).map_err(missing("exam"))?;
            if exam.held_on > today {
                return Err(AppError::field("exam", "the exam has not been held yet"));
            }
            let pass_mark = pass_mark(conn, &exam)?;
            let existing = store::results(conn, id)?;
            for r in &rows {
                if crate::org::store::people::get(conn, r.person_id).is_err() {
                    return Err(AppError::field("person_id", format!("no person {}", r.person_id)));
                }
                if existing.iter().any(|e| e.person_id == r.person_id) {
                    return Err(AppError::conflict(
                        "result_recorded",
                        format!("person {} already has a result", r.person_id),
                    ));
                }
            }
            let now = crate::db::now();
            for r in &rows {
                let result = graded(r.person_id, r.score, r.absence, pass_mark);
                store::add_result(conn, id, &result, by)?;
                result_brings(conn, &exam, &result, now)?;
            }
            audit::append(conn, &actor, "training.results", "exam", id, &rows)?;
            exam_detail(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A result is a score from 0 to 100 or an absence, not both.
fn check_result(check: &mut Check, at: &str, score: Option<i64>, absence: Option<ExamAbsence>) {
    match (score, absence) {
        (Some(s), None) if !(0..=100).contains(&s) => check.fail(&format!("{at}.score"), "must be from 0 to 100"),
        (Some(_), None) | (None, Some(_)) => {}
        _ => check.fail(at, "give either a score or an absence"),
    }
}

/// A result as recorded: passed with a score of at least the pass mark, never with an absence.
fn graded(person_id: i64, score: Option<i64>, absence: Option<ExamAbsence>, pass_mark: i64) -> ExamResult {
    ExamResult {
        person_id,
        score,
        absence,
        passed: score.is_some_and(|s| s >= pass_mark),
    }
}

/// The pass mark of the rule set in force on the exam's day.
fn pass_mark(conn: &mut DbConn, exam: &store::Exam) -> Result<i64, AppError> {
    let rules = crate::rules::store::in_force(conn, exam.held_on)?;
    Ok(i64::from(rules.rule.values.exam_pass_mark))
}

/// What an exam result brings (TRN-7): any result makes up earlier excused absences; an
/// excused absence owes a make-up exam; a fail or an absence without excuse brings an off-post
/// order and a recommendation to withdraw the certificate.
fn result_brings(
    conn: &mut DbConn,
    exam: &store::Exam,
    r: &ExamResult,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let (id, on, person) = (exam.id, exam.held_on, r.person_id);
    match (r.score, r.absence) {
        (Some(_), _) => {
            store::fulfil_make_ups(conn, person, ConsequenceKind::MakeUpExam, Cause::Exam, id, on)?;
        }
        (None, Some(ExamAbsence::Excused)) => {
            store::add_consequence(conn, person, ConsequenceKind::MakeUpExam, Cause::Exam, id, on, now)?;
        }
        _ => {}
    }
    if !r.passed && r.absence != Some(ExamAbsence::Excused) {
        for kind in rules::consequences_of_absence(false) {
            store::add_consequence(conn, person, *kind, Cause::Exam, id, on, now)?;
        }
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"score": 72, "reason": "阅卷复核：第三大题漏计12分"}))]
pub struct ResultCorrection {
    pub score: Option<i64>,
    pub absence: Option<ExamAbsence>,
    /// Why the result was wrong: 1 to 2000 characters.
    pub reason: String,
}

/// Correct one person's recorded exam result, with a reason: a score from 0 to 100 or an
/// absence. What the wrong result brought is undone — the off-post order, the certificate
/// recommendation or the make-up it caused are lifted; make-ups it completed open again — and
/// what the right one brings follows, by the pass mark in force on the exam's day (TRN-7). A
/// recommendation the legal office has acted on is not undone here: 409
/// `recommendation_acted_on`.
#[utoipa::path(tag = "training", request_body = ResultCorrection,
    responses(
        (status = 200, body = ExamView),
        (status = 404, description = "No such exam, or no result of the person", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same result (`result_unchanged`), or a recommendation acted on (`recommendation_acted_on`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/exams/{id}/results/{person_id}")]
pub async fn correct_result(
    state: web::Data<AppState>,
    caller: Caller,
    path: Path<(i64, i64)>,
    body: Json<ResultCorrection>,
) -> Result<HttpResponse, AppError> {
    let ((id, person), b) = (path.get()?.into_inner(), body.get()?.into_inner());
    caller.not_on_own_record(person, "correct an exam result")?;
    let mut check = Check::default();
    check_result(&mut check, "result", b.score, b.absence);
    let reason = check.text("reason", &b.reason, 2000);
    check.finish()?;
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let exam = store::exam(conn, id).map_err(missing("exam"))?;
            let was = store::results(conn, id)?
                .into_iter()
                .find(|r| r.person_id == person)
                .ok_or_else(|| AppError::not_found("result of the person"))?;
            if (was.score, was.absence) == (b.score, b.absence) {
                return Err(AppError::conflict("result_unchanged", "the same result is recorded"));
            }
            undo_consequences(conn, person, Cause::Exam, id, today)?;
            let result = graded(person, b.score, b.absence, pass_mark(conn, &exam)?);
            store::set_result(conn, id, &result, by)?;
            result_brings(conn, &exam, &result, crate::db::now())?;
            let change = serde_json::json!({"person_id": person, "from": {"score": was.score, "absence": was.absence},
                "to": {"score": b.score, "absence": b.absence}, "reason": reason});
            audit::append(conn, &actor, "training.results.correct", "exam", id, &change)?;
            exam_detail(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

// ---- consequences ----

/// An off-post training order, a withdrawal recommendation or a make-up obligation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsequenceView {
    pub id: i64,
    pub person_id: i64,
    pub kind: ConsequenceKind,
    /// What caused it: a session or an exam.
    pub cause: Cause,
    pub cause_id: i64,
    /// The day of the session or exam.
    pub since: NaiveDate,
    /// For a make-up: the session or exam that made it up; for an off-post order: the session
    /// that completed it; for a recommendation: the certificate the legal office withdrew on it.
    pub made_up_by: Option<Cause>,
    pub made_up_by_id: Option<i64>,
    pub made_up_on: Option<NaiveDate>,
    /// Lifted because an appeal reversed the decision that brought it.
    pub lifted_on: Option<NaiveDate>,
    pub basis: Vec<String>,
}

impl From<Consequence> for ConsequenceView {
    fn from(c: Consequence) -> Self {
        Self {
            id: c.id,
            person_id: c.person_id,
            kind: c.kind,
            cause: c.cause_kind,
            cause_id: c.cause_id,
            since: c.created_on,
            made_up_by: c.fulfilled_kind,
            made_up_by_id: c.fulfilled_id,
            made_up_on: c.fulfilled_on,
            lifted_on: c.lifted_on,
            basis: vec![c.cause_kind.basis().to_string()],
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsequenceQuery {
    pub person_id: Option<i64>,
    /// Only those still in force: make-ups not yet made up, orders not lifted.
    pub open: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

async fn list_consequences(
    state: &AppState,
    caller: &Caller,
    q: ConsequenceQuery,
    kinds: &'static [ConsequenceKind],
) -> Result<HttpResponse, AppError> {
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let (vis, person) = (caller.visibility(), listed_person(caller, q.person_id));
    let open = q.open.unwrap_or(false);
    let rows = state
        .db
        .read(move |conn| store::consequences(conn, vis, kinds, person, open, page))
        .await?;
    let views = rows.into_iter().map(ConsequenceView::from).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |c: &ConsequenceView| c.id)))
}

/// Off-post training orders (责令离岗培训, TRN-7) (staff: their own).
#[utoipa::path(tag = "training", params(ConsequenceQuery), responses((status = 200, body = Page<ConsequenceView>)))]
#[get("/orders")]
pub async fn orders(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<ConsequenceQuery>,
) -> Result<HttpResponse, AppError> {
    list_consequences(
        &state,
        &caller,
        q.get()?.into_inner(),
        &[ConsequenceKind::OffPostTraining],
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"session_id": 12}))]
pub struct CompleteOrderRequest {
    /// A training session the person attended (`present`), held on or after the order's day.
    pub session_id: i64,
}

/// Complete an off-post training order (责令离岗培训, TRN-7) by a session the person attended;
/// another member of the office does it, never the person ordered (403).
/// While an order is open the person may not be recorded as enforcing; from the day after the
/// session they may again.
#[utoipa::path(tag = "training", request_body = CompleteOrderRequest,
    responses((status = 200, body = ConsequenceView),
        (status = 409, description = "The order is already completed or was lifted (`order_closed`)", body = Problem, content_type = "application/problem+json")))]
#[post("/orders/{id}/complete")]
pub async fn complete_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<CompleteOrderRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let (actor, me) = (caller.actor(), caller.clone());
    let v = state
        .db
        .write(move |conn| {
            let order = store::consequence(conn, id)
                .ok()
                .filter(|c| c.kind == ConsequenceKind::OffPostTraining)
                .ok_or_else(|| AppError::not_found("off-post training order"))?;
            me.not_on_own_record(order.person_id, "complete an off-post training order")?;
            let closed = match (order.lifted_on, order.fulfilled_on) {
                (Some(on), _) => Some(format!("the order was lifted on {on}")),
                (_, Some(on)) => Some(format!("the order was completed on {on}")),
                _ => None,
            };
            if let Some(detail) = closed {
                return Err(AppError::conflict("order_closed", detail));
            }
            let session = store::session(conn, b.session_id)
                .map_err(|_| AppError::field("session_id", format!("no session {}", b.session_id)))?;
            if session.held_on < order.created_on {
                return Err(AppError::field(
                    "session_id",
                    format!("the session was held before the order of {}", order.created_on),
                ));
            }
            let attended = store::participants(conn, session.id)?
                .iter()
                .any(|(p, a)| *p == order.person_id && *a == Some(Attendance::Present));
            if !attended {
                return Err(AppError::field(
                    "session_id",
                    format!("person {} is not recorded present at the session", order.person_id),
                ));
            }
            store::fulfil(conn, id, Cause::Session, session.id, session.held_on)?;
            audit::append(
                conn,
                &actor,
                "training.order.complete",
                "training_consequence",
                id,
                &serde_json::json!({"session_id": session.id, "completed_on": session.held_on}),
            )?;
            Ok(ConsequenceView::from(store::consequence(conn, id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Recommendations to the district legal office to withdraw a certificate (TRN-7). The
/// certificate itself changes only when that office decides, recorded through the certificate
/// endpoint with cause `training` and this recommendation's id; the revocation closes the
/// recommendation (`made_up_by: certificate`), so `open=true` lists those still undecided.
#[utoipa::path(tag = "training", params(ConsequenceQuery), responses((status = 200, body = Page<ConsequenceView>)))]
#[get("/recommendations")]
pub async fn recommendations(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<ConsequenceQuery>,
) -> Result<HttpResponse, AppError> {
    list_consequences(
        &state,
        &caller,
        q.get()?.into_inner(),
        &[ConsequenceKind::CertificateWithdrawalRecommendation],
    )
    .await
}

/// Make-up sessions and exams owed after excused absences (补训、补考); `open=true` lists
/// those not yet made up.
#[utoipa::path(tag = "training", params(ConsequenceQuery), responses((status = 200, body = Page<ConsequenceView>)))]
#[get("/makeups")]
pub async fn makeups(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<ConsequenceQuery>,
) -> Result<HttpResponse, AppError> {
    list_consequences(
        &state,
        &caller,
        q.get()?.into_inner(),
        &[ConsequenceKind::MakeUpTraining, ConsequenceKind::MakeUpExam],
    )
    .await
}

// ---- note checks (TRN-8) and the personal record ----

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"person_id": 7, "period_from": "2026-01-01", "period_to": "2026-06-30", "result": "good", "comment": "笔记完整"}))]
pub struct NewNoteCheck {
    pub person_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub result: NoteResult,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteCheckView {
    pub id: i64,
    pub person_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub result: NoteResult,
    pub comment: String,
    pub basis: Vec<String>,
}

impl From<NoteCheck> for NoteCheckView {
    fn from(n: NoteCheck) -> Self {
        Self {
            id: n.id,
            person_id: n.person_id,
            period_from: n.period_from,
            period_to: n.period_to,
            result: n.result,
            comment: n.comment,
            basis: vec![TRN_8.to_string()],
        }
    }
}

/// Record a check of a person's study notes (笔记检查, TRN-8), one per period of notes.
#[utoipa::path(tag = "training", request_body = NewNoteCheck, responses((status = 201, body = NoteCheckView),
    (status = 409, description = "A check of the same person covers part of the period (`notes_checked`)", body = Problem, content_type = "application/problem+json")))]
#[post("/note-checks")]
pub async fn note_check(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewNoteCheck>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    caller.not_on_own_record(b.person_id, "check notes")?;
    if b.period_to < b.period_from {
        return Err(AppError::field("period_to", "must not be before period_from"));
    }
    let mut check = Check::default();
    // The notes checked are notes already taken.
    if b.period_to > crate::db::today() {
        check.fail("period_to", "must not be in the future");
    }
    check.reportable_day("period_from", b.period_from);
    let comment = check.optional_text("comment", &b.comment, 2000);
    check.finish()?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            crate::org::store::people::get(conn, b.person_id)
                .map_err(|_| AppError::field("person_id", "no such person"))?;
            // One check per period: a second would leave two verdicts on the same notes.
            let overlapping = store::note_checks(conn, b.person_id)?
                .into_iter()
                .find(|n| n.period_from <= b.period_to && b.period_from <= n.period_to);
            if let Some(n) = overlapping {
                return Err(AppError::conflict(
                    "notes_checked",
                    format!(
                        "check {} already judged these notes ({} to {}: {})",
                        n.id, n.period_from, n.period_to, n.result
                    ),
                ));
            }
            let record = NoteCheck {
                id: 0,
                person_id: b.person_id,
                period_from: b.period_from,
                period_to: b.period_to,
                result: b.result,
                comment,
                checked_by: Some(by),
            };
            let id = store::add_note_check(conn, &record, crate::db::now())?;
            audit::append(conn, &actor, "training.note_check", "note_check", id, &b)?;
            Ok::<_, AppError>(NoteCheckView::from(NoteCheck { id, ..record }))
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// A person's training of a year: the input to EVAL-4(8) and to appointment and promotion.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingRecord {
    pub year: i32,
    pub hours: PersonHours,
    pub sessions: Vec<RecordSession>,
    pub self_study: Vec<SelfStudyView>,
    pub exams: Vec<RecordExam>,
    pub consequences: Vec<ConsequenceView>,
    pub note_checks: Vec<NoteCheckView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordSession {
    pub session_id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub hours: f64,
    pub attendance: Option<Attendance>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordExam {
    pub exam_id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub score: Option<i64>,
    pub absence: Option<ExamAbsence>,
    pub passed: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    pub year: i32,
}

/// A person's training record of a year (staff: their own).
#[utoipa::path(tag = "training", params(RecordQuery), responses((status = 200, body = TrainingRecord)))]
#[get("/{id}/training")]
pub async fn person_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    q: Query<RecordQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = (
        id.get()?.into_inner(),
        crate::http::validate::year(q.get()?.into_inner().year)?,
    );
    if own_person(&caller).is_some_and(|own| own != id) {
        return Err(AppError::not_found("person"));
    }
    let out = state
        .db
        .read(move |conn| {
            let mut all = year_hours(conn, year, Visibility::All, None, Some(id))?;
            let hours = match all.items.pop() {
                Some(h) => h,
                None => return Err(AppError::not_found("person")),
            };
            let sessions = store::sessions_of(conn, id, year)?
                .into_iter()
                .map(|(s, a)| RecordSession {
                    session_id: s.id,
                    title: s.title,
                    held_on: s.held_on,
                    hours: rules::hours(s.hours_tenths),
                    attendance: a,
                })
                .collect();
            let all_studies = PageRequest {
                limit: i64::from(u32::MAX),
                after: None,
            };
            let self_study = store::studies(conn, Visibility::All, Some(id), None, all_studies)?
                .into_iter()
                .filter(|s| rules::year_of(s.studied_on) == year)
                .map(SelfStudyView::from)
                .collect();
            let exams = store::results_of(conn, id, year)?
                .into_iter()
                .map(|(e, r)| RecordExam {
                    exam_id: e.id,
                    title: e.title,
                    held_on: e.held_on,
                    score: r.score,
                    absence: r.absence,
                    passed: r.passed,
                })
                .collect();
            let kinds = ConsequenceKind::ALL;
            let consequences = store::consequences(conn, Visibility::All, kinds, Some(id), false, all_studies)?
                .into_iter()
                .filter(|c| rules::year_of(c.created_on) == year)
                .map(ConsequenceView::from)
                .collect();
            // A check whose period overlaps the year.
            let note_checks = store::note_checks(conn, id)?
                .into_iter()
                .filter(|n| rules::year_of(n.period_from) <= year && year <= rules::year_of(n.period_to))
                .map(NoteCheckView::from)
                .collect();
            Ok(TrainingRecord {
                year,
                hours,
                sessions,
                self_study,
                exams,
                consequences,
                note_checks,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_plan)
        .service(put_plan)
        .service(get_summary)
        .service(put_summary)
        .service(list_sessions)
        .service(create_session)
        .service(get_session)
        .service(update_session)
        .service(record_attendance)
        .service(correct_attendance)
        .service(list_self_study)
        .service(claim)
        .service(confirm)
        .service(reject)
        .service(hours_of_year)
        .service(create_exam)
        .service(get_exam)
        .service(record_results)
        .service(correct_result)
        .service(orders)
        .service(complete_order)
        .service(recommendations)
        .service(makeups)
        .service(note_check);
}
