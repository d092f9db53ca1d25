//! `/public/petitions` (no token) and `/petitions` (the bureau).

use std::time::Instant;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{self, Channel, PetitionStatus, EVAL_5_4};
use super::store::{self, NewPetition, Petition};
use crate::accountability::cases::{self as cases, Respondent};
use crate::audit::{self, Actor};
use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::{DbConn, StoreError};
use crate::http::auth::client_address;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::rules::calendar::{no_schedule_warnings, Calendar};
use crate::rules::Basis;
use crate::AppState;

/// The text of a petition, checked; every problem at once.
fn check_text(
    subject: &str,
    content: &str,
    contact: Option<&str>,
    anonymous: bool,
) -> Result<(String, String, Option<String>), AppError> {
    let mut check = Check::default();
    let subject = check.text("subject", subject, 200);
    let content = check.text("content", content, 5000);
    let contact = contact.map(|c| check.text("contact", c, 200));
    if anonymous && contact.is_some() {
        check.fail("contact", "an anonymous petition gives no contact");
    }
    check.finish()?;
    Ok((subject, content, contact))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subject": "某企业违规储存危险化学品", "content": "位于…的仓库…", "anonymous": true}))]
pub struct PublicPetition {
    /// 1 to 200 characters.
    pub subject: String,
    /// 1 to 5000 characters.
    pub content: String,
    /// How to reach the petitioner; none when anonymous.
    pub contact: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
}

/// The receipt of a petition: keep the code to follow it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PetitionReceipt)]
pub struct Receipt {
    pub tracking_code: String,
}

/// Submit a petition or report — no token. Limited per client address (429 with Retry-After).
#[utoipa::path(tag = "public", request_body = PublicPetition,
    responses(
        (status = 201, body = Receipt),
        (status = 429, description = "Too many submissions from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/petitions")]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<PublicPetition>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    if let Some(secs) = state.petition_throttle.retry_after("petition", &client, Instant::now()) {
        return Err(AppError::TooManyRequests {
            detail: format!("too many petitions from this address; try again in {secs} seconds"),
            retry_after_secs: secs,
        });
    }
    let b = body.get()?.into_inner();
    let (subject, content, contact) = check_text(&b.subject, &b.content, b.contact.as_deref(), b.anonymous)?;
    let new = NewPetition {
        tracking_code: rules::tracking_code(),
        channel: Channel::Web,
        subject,
        content,
        contact,
        anonymous: b.anonymous,
        received_on: crate::db::today(),
    };
    let code = new.tracking_code.clone();
    state
        .db
        .write(move |conn| {
            let id = store::create(conn, &new, None, crate::db::now())?;
            audit::append(
                conn,
                &Actor::System("public"),
                "petition.submit",
                "petition",
                id,
                &serde_json::json!({"channel": "web"}),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    state
        .petition_throttle
        .record_failure("petition", &client, Instant::now());
    Ok(HttpResponse::Created().json(Receipt { tracking_code: code }))
}

/// What the petitioner sees: the status and the reply, nothing internal.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStatus {
    pub tracking_code: String,
    pub subject: String,
    pub status: PetitionStatus,
    pub received_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub reply: Option<String>,
}

/// Follow a petition by its tracking code — no token.
#[utoipa::path(tag = "public", responses((status = 200, body = PublicStatus)))]
#[get("/petitions/{tracking_code}")]
pub async fn follow(state: web::Data<AppState>, code: Path<String>) -> Result<HttpResponse, AppError> {
    let code = code.get()?.into_inner();
    let p = state
        .db
        .read(move |conn| store::by_code(conn, &code).map_err(missing("petition")))
        .await?;
    Ok(HttpResponse::Ok().json(PublicStatus {
        tracking_code: p.tracking_code,
        subject: p.subject,
        status: p.status,
        received_on: p.received_on,
        replied_on: p.replied_on,
        reply: p.reply,
    }))
}

/// A petition as the bureau sees it (staff: no contact details, ever).
#[derive(Debug, Serialize, ToSchema)]
pub struct PetitionView {
    pub id: i64,
    pub channel: Channel,
    pub subject: String,
    pub content: String,
    /// Absent for anonymous petitions, for staff and for service accounts.
    pub contact: Option<String>,
    pub anonymous: bool,
    pub status: PetitionStatus,
    pub department_id: Option<i64>,
    pub assigned_on: Option<NaiveDate>,
    /// The last day to reply (working days of the rule set after assignment).
    pub reply_due_on: Option<NaiveDate>,
    pub overdue: bool,
    pub rule_version: Option<i64>,
    pub reply: Option<String>,
    pub replied_on: Option<NaiveDate>,
    /// 解答处理不符合政策 / mishandling (EVAL-5(4)).
    pub mishandled: bool,
    /// 越级上访 (EVAL-5(4)).
    pub escalated: bool,
    /// Passed on after its reply deadline: the department that held it when the deadline
    /// passed, charged with the missed reply (EVAL-5(4)1).
    pub lapsed_department_id: Option<i64>,
    /// Marked escalated: the department that held it then, charged with it (EVAL-5(4)3).
    pub escalated_department_id: Option<i64>,
    pub received_on: NaiveDate,
    pub basis: Vec<String>,
    /// E.g. the reply deadline was counted over a year with no holiday schedule loaded.
    pub warnings: Vec<String>,
}

/// The petitioner's contact is for the bureau's office and leadership only: never staff,
/// never another system.
fn sees_contacts(role: Role) -> bool {
    matches!(role, Role::Leadership | Role::SupervisoryOffice)
}

/// One petition as the bureau sees it, read now.
fn read_view(conn: &mut DbConn, id: i64, vis: Visibility, show_contact: bool) -> Result<PetitionView, AppError> {
    let p = store::get(conn, id, vis).map_err(missing("petition"))?;
    Ok(view(p, show_contact, &crate::rules::store::book(conn)?.calendar))
}

fn view(p: Petition, show_contact: bool, calendar: &Calendar) -> PetitionView {
    let today = crate::db::today();
    let unscheduled = match (p.assigned_on, p.reply_due_on) {
        (Some(from), Some(due)) => calendar.unscheduled_between(from, due),
        _ => Vec::new(),
    };
    PetitionView {
        warnings: no_schedule_warnings(unscheduled),
        overdue: rules::overdue(p.status, p.reply_due_on, today),
        contact: if show_contact { p.contact } else { None },
        basis: vec![EVAL_5_4.to_string()],
        id: p.id,
        channel: p.channel,
        subject: p.subject,
        content: p.content,
        anonymous: p.anonymous,
        status: p.status,
        department_id: p.department_id,
        assigned_on: p.assigned_on,
        reply_due_on: p.reply_due_on,
        rule_version: p.rule_version,
        reply: p.reply,
        replied_on: p.replied_on,
        mishandled: p.mishandled,
        escalated: p.escalated,
        lapsed_department_id: p.lapsed_department_id,
        escalated_department_id: p.escalated_department_id,
        received_on: p.received_on,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel": "hotline", "subject": "投诉执法态度", "content": "…", "anonymous": false, "contact": "138…"}))]
pub struct NewPetitionRequest {
    pub channel: Channel,
    pub subject: String,
    pub content: String,
    pub contact: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    /// Default today; not in the future.
    pub received_on: Option<NaiveDate>,
}

/// Record a petition received by hotline, letter, visit or the web.
#[utoipa::path(tag = "petitions", request_body = NewPetitionRequest, responses((status = 201, body = PetitionView)))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewPetitionRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let (subject, content, contact) = check_text(&b.subject, &b.content, b.contact.as_deref(), b.anonymous)?;
    let received_on = b.received_on.unwrap_or_else(crate::db::today);
    let mut check = Check::default();
    if received_on > crate::db::today() {
        check.fail("received_on", "must not be in the future");
    }
    check.reportable_day("received_on", received_on);
    check.finish()?;
    let new = NewPetition {
        tracking_code: rules::tracking_code(),
        channel: b.channel,
        subject,
        content,
        contact,
        anonymous: b.anonymous,
        received_on,
    };
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let id = store::create(conn, &new, Some(by), crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "petition.create",
                "petition",
                id,
                &serde_json::json!({"channel": new.channel}),
            )?;
            read_view(conn, id, Visibility::All, true)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PetitionQuery {
    pub status: Option<PetitionStatus>,
    pub department_id: Option<i64>,
    /// Only assigned petitions past their reply deadline.
    pub overdue: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List petitions (staff: those assigned to their department).
#[utoipa::path(tag = "petitions", params(PetitionQuery), responses((status = 200, body = Page<PetitionView>)))]
#[get("")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<PetitionQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = store::Filter {
        status: q.status,
        department_id: q.department_id,
        overdue_on: q.overdue.filter(|o| *o).map(|_| crate::db::today()),
    };
    let (vis, show) = (caller.visibility(), sees_contacts(caller.role));
    let views = state
        .db
        .read(move |conn| {
            let book = crate::rules::store::book(conn)?;
            let rows = store::list(conn, vis, &filter, page)?;
            Ok::<_, StoreError>(rows.into_iter().map(|p| view(p, show, &book.calendar)).collect())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |p: &PetitionView| p.id)))
}

/// One petition.
#[utoipa::path(tag = "petitions", responses((status = 200, body = PetitionView)))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis, show) = (id.get()?.into_inner(), caller.visibility(), sees_contacts(caller.role));
    let p = state.db.read(move |conn| read_view(conn, id, vis, show)).await?;
    Ok(HttpResponse::Ok().json(p))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub department_id: i64,
}

/// Assign a petition to a department; the reply is due the rule set's number of working days
/// later (EVAL-5(4): unanswered petitions cost points). Assigning it again transfers it to
/// another department with the deadline it already had; transferred after that deadline, the
/// missed reply stays charged to the department that held it then (`lapsed_department_id`).
#[utoipa::path(tag = "petitions", request_body = AssignRequest,
    responses((status = 200, body = PetitionView), (status = 409, description = "Already replied", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<AssignRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let (actor, today) = (caller.actor(), crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let p = store::get(conn, id, Visibility::All).map_err(missing("petition"))?;
            if p.status == PetitionStatus::Replied {
                return Err(AppError::conflict(
                    "petition_replied",
                    "the petition is already answered",
                ));
            }
            let department = crate::org::store::departments::get(conn, b.department_id, Visibility::All)
                .map_err(|_| AppError::field("department_id", "no such department"))?;
            if !department.active {
                return Err(AppError::field("department_id", "the department is inactive"));
            }
            // A transfer keeps the first assignment's deadline: passing a petition on must not
            // restart the clock of an answer already owed (ACC-4(2), EVAL-5(4)).
            let (on, due, version) = match (p.assigned_on, p.reply_due_on, p.rule_version) {
                (Some(on), Some(due), Some(version)) => (on, due, version),
                _ => {
                    let d = crate::rules::store::book(conn)?.deadline(today, |v| v.petition_reply_working_days)?;
                    (today, d.due_on, d.rule_version)
                }
            };
            // Passed on after the deadline: the missed reply stays with the holder it lapsed with.
            let lapsed_department = p.lapsed_department_id.or(p.department_id.filter(|_| today > due));
            let a = store::Assignment {
                department: b.department_id,
                on,
                due,
                version,
                lapsed_department,
            };
            store::assign(conn, id, &a, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "petition.assign",
                "petition",
                id,
                &serde_json::json!({"department_id": b.department_id, "due": due}),
            )?;
            read_view(conn, id, Visibility::All, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    pub text: String,
}

/// Reply to an assigned petition (the office, or staff of the department).
#[utoipa::path(tag = "petitions", request_body = ReplyRequest,
    responses((status = 200, body = PetitionView), (status = 409, description = "Not assigned, or already replied", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/reply")]
pub async fn reply(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ReplyRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let text = check.text("text", &b.text, 5000);
    check.finish()?;
    let (actor, vis, show, today) = (
        caller.actor(),
        caller.visibility(),
        sees_contacts(caller.role),
        crate::db::today(),
    );
    let v = state
        .db
        .write(move |conn| {
            let p = store::get(conn, id, vis).map_err(missing("petition"))?;
            if p.status != PetitionStatus::Assigned {
                return Err(AppError::conflict(
                    "petition_state",
                    format!("the petition is {}; only an assigned petition is answered", p.status),
                ));
            }
            store::reply(conn, id, &text, today, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "petition.reply",
                "petition",
                id,
                &serde_json::json!({"text": text}),
            )?;
            crate::events::emit(
                conn,
                crate::events::EventType::PetitionReplied,
                id,
                &serde_json::json!({"petition_id": id, "replied_on": today}),
            )?;
            read_view(conn, id, Visibility::All, show)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarksRequest {
    pub mishandled: Option<bool>,
    /// 越级上访 caused by mishandling.
    pub escalated: Option<bool>,
}

/// Mark mishandling or escalation (EVAL-5(4)) of an assigned petition; the marks charge its
/// department.
#[utoipa::path(tag = "petitions", request_body = MarksRequest,
    responses((status = 200, body = PetitionView), (status = 409, description = "Not assigned to a department yet (`petition_unassigned`), or a standing deduction rests on the mark taken off (`evidence_counted`)", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/marks")]
pub async fn marks(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<MarksRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let actor = caller.actor();
    let v = state
        .db
        .write(move |conn| {
            let p = store::get(conn, id, Visibility::All).map_err(missing("petition"))?;
            if p.department_id.is_none() && (b.mishandled == Some(true) || b.escalated == Some(true)) {
                // EVAL-5(4) charges the department that handled it; none has yet.
                return Err(AppError::conflict(
                    "petition_unassigned",
                    "the petition is not assigned to a department yet, so no department has handled it (EVAL-5(4))",
                ));
            }
            counted_marks_stay(conn, &p, &b)?;
            store::mark(conn, &p, b.mishandled, b.escalated, crate::db::now())?;
            audit::append(conn, &actor, "petition.marks", "petition", id, &b)?;
            read_view(conn, id, Visibility::All, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A mark a standing EVAL-5(4) deduction rests on is not taken off while the deduction counts:
/// the deduction is withdrawn first (409), so the sheet never counts a problem its evidence
/// no longer shows.
fn counted_marks_stay(conn: &mut DbConn, p: &Petition, b: &MarksRequest) -> Result<(), AppError> {
    use crate::evaluation::rules::{EvidenceKind, ProblemType};
    let unmarked = [
        (
            p.mishandled && b.mishandled == Some(false),
            ProblemType::AnswerAgainstPolicy,
        ),
        (p.escalated && b.escalated == Some(false), ProblemType::EscalationCaused),
    ];
    for (_, problem) in unmarked.into_iter().filter(|(off, _)| *off) {
        if let Some(deduction) = crate::evaluation::store::counting(conn, EvidenceKind::Petition, p.id, problem)? {
            return Err(AppError::Conflict {
                code: "evidence_counted",
                detail: format!(
                    "deduction {deduction} counts `{problem}` on this petition: withdraw it before taking the mark off"
                ),
                basis: Basis::of(&[EVAL_5_4]),
            });
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PetitionReferRequest)]
pub struct ReferRequest {
    pub respondents: Vec<Respondent>,
    /// ACC-4 (1)–(7).
    pub fault_types: Vec<u8>,
    #[serde(default)]
    pub facts: String,
    /// When the fault happened (ACC-7(2) counts a year either side of it). Default: for
    /// ACC-4(2) (未及时依法受理和查处举报案件) on a reply missed or late, the day after the reply
    /// was due; otherwise the day the petition was received.
    pub fault_on: Option<NaiveDate>,
}

/// The day a petition's fault happened unless told: a reply owed by `due` and not given by
/// then is late from the next day; anything else the petition reports had happened by the day
/// it came in.
fn default_fault_on(p: &Petition, fault_types: &[u8], today: NaiveDate) -> NaiveDate {
    let late = p
        .reply_due_on
        .filter(|due| p.replied_on.unwrap_or(today) > *due)
        .and_then(|due| due.succ_opt());
    match late {
        Some(day) if fault_types.contains(&2) && day <= today => day,
        _ => p.received_on,
    }
}

/// Open an accountability case from a petition, once; respondents never see who reported.
#[utoipa::path(tag = "petitions", request_body = ReferRequest, responses((status = 201, body = cases::CaseView),
    (status = 409, description = "The source is already referred (`already_referred`, ACC-7(2))", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/refer")]
pub async fn refer(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ReferRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let mut check = Check::default();
    if let Some(day) = b.fault_on {
        if day > today {
            check.fail("fault_on", "must not be in the future");
        }
        check.reportable_day("fault_on", day);
    }
    check.finish()?;
    let v = state
        .db
        .write(move |conn| {
            let p = store::get(conn, id, Visibility::All).map_err(missing("petition"))?;
            let fault_on = b
                .fault_on
                .unwrap_or_else(|| default_fault_on(&p, &b.fault_types, today));
            // Handling the petition (ACC-4(2) alone) cannot have gone wrong before it came in;
            // other faults it reports may have happened earlier.
            if b.fault_types == [2] && fault_on < p.received_on {
                return Err(AppError::field(
                    "fault_on",
                    format!(
                        "an ACC-4(2) fault in handling the petition is not before its receipt on {}",
                        p.received_on
                    ),
                ));
            }
            let facts = if b.facts.trim().is_empty() {
                p.subject.clone()
            } else {
                b.facts.trim().to_owned()
            };
            cases::open_from(
                conn,
                &actor,
                by,
                crate::accountability::rules::SourceKind::Petition,
                id,
                &b.respondents,
                &b.fault_types,
                facts,
                fault_on,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get)
        .service(assign)
        .service(reply)
        .service(marks)
        .service(refer);
}

/// The public's petitions, under `/public`.
pub fn public_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(submit).service(follow);
}
