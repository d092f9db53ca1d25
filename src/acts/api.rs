//! `/acts` and `/publicity/overdue`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{
    self, ActKind, ActStatus, CertificateOnFile, CounterpartType, PenaltyProcedure, ReviewKind, ReviewOutcome,
};
use super::store::{self, Act, ActFields};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::{DbConn, StoreError};
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::etag::{self, IfMatch};
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::{has_repeats, Check};
use crate::http::{AppError, Caller, FieldError};
use crate::org::rules::CertificateStatus;
use crate::org::store::{certificates, departments, people};
use crate::publicity::rules::{deadline_status, DeadlineStatus, PUB_5, PUB_6};
use crate::rules::Basis;
use crate::AppState;

/// The counterpart of an act (管理相对人).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Counterpart {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: CounterpartType,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": 2, "officers": [7, 8],
    "counterpart": {"name": "大连某化工有限公司", "type": "legal_person"}, "legal_basis": "《安全生产法》第一百零一条",
    "decision_text": "罚款人民币三万元", "decision_date": "2026-11-20", "major": false}))]
pub struct NewAct {
    pub kind: ActKind,
    /// Required for a penalty, absent otherwise (EVAL-5(3)).
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub department_id: i64,
    /// The enforcing officers (at least one), each with a valid certificate on the decision date (SUP-6(2)).
    pub officers: Vec<i64>,
    pub counterpart: Counterpart,
    pub legal_basis: String,
    pub decision_text: String,
    /// Not in the future.
    pub decision_date: NaiveDate,
    /// A major act (重大行政执法行为) must be filed (SUP-6(8)).
    #[serde(default)]
    pub major: bool,
}

/// Fields to change; absent ones stay. Kind and department never change (revoke and record anew).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision_text": "罚款人民币二万元"}))]
pub struct ActPatch {
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub officers: Option<Vec<i64>>,
    pub counterpart: Option<Counterpart>,
    pub legal_basis: Option<String>,
    pub decision_text: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub major: Option<bool>,
}

/// An officer named on an act.
#[derive(Debug, Serialize, ToSchema)]
pub struct Officer {
    pub person_id: i64,
    pub name: String,
}

/// The decision's publication duty (PUB-6).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"due_on": "2027-01-07", "status": "pending", "published_on": null, "published_late": false, "rule_version": 1, "basis": ["PUB-6"], "warnings": []}))]
pub struct DisclosureDuty {
    /// The last day to publish; overdue from the next calendar day.
    pub due_on: NaiveDate,
    pub status: DeadlineStatus,
    pub published_on: Option<NaiveDate>,
    /// Published after `due_on` (PUB-6: such a decision may still be referred to
    /// accountability, once).
    pub published_late: bool,
    /// The act was corrected on this day after its decision was published: the public text is
    /// out of date until a new version of the decision is published (PUB-5: 执法决定发生变化时，
    /// 公示的内容应随时调整并及时更新).
    pub outdated_since: Option<NaiveDate>,
    /// The rule-set version in force on the decision date.
    pub rule_version: i64,
    pub basis: Vec<String>,
    /// E.g. the count crossed a year with no holiday schedule loaded (weekends only were off):
    /// the office should load that year's schedule, which moves the due day.
    pub warnings: Vec<String>,
}

/// Filing of a major act (SUP-6(8)).
#[derive(Debug, Serialize, ToSchema)]
pub struct Filing {
    pub required: bool,
    pub filed_on: Option<NaiveDate>,
}

/// A reconsideration or litigation outcome (EVAL-4(6)).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub kind: ReviewKind,
    pub outcome: ReviewOutcome,
    pub decided_on: NaiveDate,
    pub note: String,
    pub recorded_by: Option<i64>,
}

/// A supervision measure that marks an act.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionMark {
    pub measure_id: i64,
    pub finding_id: i64,
    /// SUP-7 (1)–(6).
    pub item: i32,
    pub action: crate::supervision::rules::MeasureAction,
    pub status: crate::supervision::rules::MeasureStatus,
    pub deadline: Option<NaiveDate>,
}

/// An enforcement act.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActView {
    pub id: i64,
    pub kind: ActKind,
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub department_id: i64,
    pub officers: Vec<Officer>,
    pub counterpart: Counterpart,
    pub legal_basis: String,
    pub decision_text: String,
    pub decision_date: NaiveDate,
    pub major: bool,
    pub filing: Filing,
    pub status: ActStatus,
    pub revoked_reason: Option<String>,
    pub disclosure: DisclosureDuty,
    /// Present on a single act.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Vec<ReviewView>>,
    /// Supervision measures imposed on findings about this act (SUP-7); present on a single act.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision: Option<Vec<SupervisionMark>>,
    /// Accountability cases referred for its overdue publication; present on a single act.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accountability_cases: Option<Vec<i64>>,
    pub created_by: Option<i64>,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// The act as the API shows it; `unscheduled` are the years its deadline was counted over
/// without a holiday schedule.
fn view(a: Act, officers: Vec<(i64, String)>, today: NaiveDate, unscheduled: Vec<i32>) -> ActView {
    ActView {
        officers: officers
            .into_iter()
            .map(|(person_id, name)| Officer { person_id, name })
            .collect(),
        counterpart: Counterpart {
            name: a.counterpart_name,
            kind: a.counterpart_type,
        },
        filing: Filing {
            required: a.major,
            filed_on: a.filed_on,
        },
        disclosure: DisclosureDuty {
            due_on: a.disclosure_due_on,
            status: deadline_status(
                a.disclosure_due_on,
                a.disclosed_on,
                a.revoked_at.map(crate::db::china_date),
                today,
            ),
            published_on: a.disclosed_on,
            published_late: a.disclosed_on.is_some_and(|d| d > a.disclosure_due_on),
            outdated_since: a.disclosure_outdated_since,
            rule_version: a.disclosure_rule_version,
            basis: match a.disclosure_outdated_since {
                Some(_) => vec![PUB_6.to_string(), PUB_5.to_string()],
                None => vec![PUB_6.to_string()],
            },
            warnings: crate::rules::calendar::no_schedule_warnings(unscheduled),
        },
        id: a.id,
        kind: a.kind,
        penalty_procedure: a.penalty_procedure,
        department_id: a.department_id,
        legal_basis: a.legal_basis,
        decision_text: a.decision_text,
        decision_date: a.decision_date,
        major: a.major,
        status: a.status,
        revoked_reason: a.revoked_reason,
        reviews: None,
        supervision: None,
        accountability_cases: None,
        created_by: a.created_by,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// The years `act`'s deadline was counted over without a holiday schedule, by today's calendar.
fn unscheduled_years(conn: &mut DbConn, act: &Act) -> Result<Vec<i32>, StoreError> {
    let book = crate::rules::store::book(conn)?;
    Ok(book
        .calendar
        .unscheduled_between(act.decision_date, act.disclosure_due_on))
}

/// One act with its officers and reviews, as the caller may see it.
pub fn detail(conn: &mut DbConn, id: i64, vis: Visibility, today: NaiveDate) -> Result<ActView, AppError> {
    let act = store::get(conn, id, vis).map_err(crate::org::api::missing("act"))?;
    let officers = store::officers(conn, id)?;
    let reviews = store::reviews(conn, id)?
        .into_iter()
        .map(|r| ReviewView {
            id: r.id,
            kind: r.kind,
            outcome: r.outcome,
            decided_on: r.decided_on,
            note: r.note,
            recorded_by: r.recorded_by,
        })
        .collect();
    let supervision = crate::supervision::store::measures_on_act(conn, id)?
        .into_iter()
        .map(|m| SupervisionMark {
            measure_id: m.id,
            finding_id: m.finding_id,
            item: m.item,
            action: m.action,
            status: m.status,
            deadline: m.deadline,
        })
        .collect();
    let cases = crate::accountability::store::from_source(
        conn,
        crate::accountability::rules::SourceKind::OverdueDisclosure,
        id,
    )?;
    let unscheduled = unscheduled_years(conn, &act)?;
    Ok(ActView {
        reviews: Some(reviews),
        supervision: Some(supervision),
        accountability_cases: Some(cases),
        ..view(act, officers, today, unscheduled)
    })
}

/// Checks what can be checked without the database; every problem at once.
fn check_fields(f: &mut ActFields, today: NaiveDate) -> Result<(), AppError> {
    let mut check = Check::default();
    f.counterpart_name = check.text("counterpart.name", &f.counterpart_name, 200);
    f.legal_basis = check.text("legal_basis", &f.legal_basis, 2000);
    f.decision_text = check.text("decision_text", &f.decision_text, 20000);
    if let Err(m) = rules::check_procedure(f.kind, f.penalty_procedure) {
        check.fail("penalty_procedure", m);
    }
    if f.decision_date > today {
        check.fail("decision_date", "must not be in the future");
    }
    if f.officers.is_empty() {
        check.fail("officers", "at least one enforcing officer is required");
    }
    if has_repeats(&f.officers) {
        check.fail("officers", "an officer is listed twice");
    }
    check.finish()
}

/// The checks that need the database: the department (active, for a new act), the officers,
/// their certificates. An officer the act `before` a correction already named may have left
/// since (inactive): the act stays theirs and can still be corrected. Gives the officers
/// (person, name) in person order, as an act's view lists them.
fn check_references(
    conn: &mut DbConn,
    f: &ActFields,
    before: Option<&ActView>,
) -> Result<Vec<(i64, String)>, AppError> {
    let new = before.is_none();
    let named = |id: i64| before.is_some_and(|b| b.officers.iter().any(|o| o.person_id == id));
    match departments::get(conn, f.department_id, Visibility::All) {
        Ok(d) if new && !d.active => return Err(AppError::field("department_id", "the department is inactive")),
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(AppError::field("department_id", "no such department")),
        Err(e) => return Err(e.into()),
    }
    let (mut missing, mut officers) = (Vec::new(), Vec::new());
    for (i, id) in f.officers.iter().enumerate() {
        match people::get(conn, *id) {
            Ok(p) if p.active || named(p.id) => officers.push((p.id, p.name)),
            Ok(_) => missing.push(FieldError::new(
                format!("officers[{i}]"),
                format!("person {id} is not active"),
            )),
            Err(StoreError::NotFound) => {
                missing.push(FieldError::new(format!("officers[{i}]"), format!("no person {id}")))
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !missing.is_empty() {
        return Err(AppError::invalid(missing));
    }
    let held = certificates::of_holders_on(conn, &f.officers, f.decision_date)?;
    let unqualified: Vec<FieldError> = f
        .officers
        .iter()
        .enumerate()
        .filter(|(_, id)| {
            let theirs: Vec<CertificateOnFile> = held
                .iter()
                .filter(|c| c.holder == **id)
                .map(|c| CertificateOnFile {
                    issued_on: c.issued_on,
                    expires_on: c.expires_on,
                    valid_that_day: c.status == CertificateStatus::Valid,
                    bars_holder: c.bars_holder,
                })
                .collect();
            !rules::may_enforce(&theirs, f.decision_date)
        })
        .map(|(i, id)| {
            FieldError::new(
                format!("officers[{i}]"),
                format!(
                    "person {id} holds no valid enforcement certificate on {}",
                    f.decision_date
                ),
            )
        })
        .collect();
    if !unqualified.is_empty() {
        return Err(AppError::Unprocessable {
            code: "officer_without_valid_certificate",
            detail: "every enforcing officer must hold a valid enforcement certificate on the act's date (SUP-6(2))"
                .into(),
            basis: rules::without_certificate_basis(),
            errors: unqualified,
        });
    }
    check_on_post(conn, f)?;
    officers.sort_unstable();
    Ok(officers)
}

/// No officer may enforce on a day an off-post training order keeps them off post (TRN-7,
/// ACC-6: 责令离岗培训).
fn check_on_post(conn: &mut DbConn, f: &ActFields) -> Result<(), AppError> {
    let off = crate::training::store::off_post_on(conn, &f.officers, f.decision_date)?;
    if off.is_empty() {
        return Ok(());
    }
    let errors = f
        .officers
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let (_, order, since, _) = off.iter().find(|(person, ..)| person == id)?;
            Some(FieldError::new(
                format!("officers[{i}]"),
                format!("person {id} is off post for training since {since} (order {order})"),
            ))
        })
        .collect();
    // The order rests on TRN-7 or on an accountability decision (ACC-6(1)).
    let mut basis: Vec<crate::rules::ArticleRef> = off.iter().map(|(.., cause)| cause.basis()).collect();
    basis.sort_unstable_by_key(|a| a.to_string());
    basis.dedup();
    Err(AppError::Unprocessable {
        code: "officer_off_post",
        detail: "an officer ordered off post for training may not enforce until the order is completed".into(),
        basis: Basis::of(&basis),
        errors,
    })
}

/// Record an enforcement act.
///
/// Every officer must hold a valid certificate on the decision date, or the act is refused
/// with `officer_without_valid_certificate` (SUP-6(2)) and nothing is stored. The decision's
/// publication deadline (PUB-6) is computed at once.
#[utoipa::path(tag = "acts", request_body = NewAct,
    responses((status = 201, body = ActView, headers(("ETag" = String), ("Location" = String)))))]
#[post("")]
pub async fn create(state: web::Data<AppState>, caller: Caller, body: Json<NewAct>) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let today = crate::db::today();
    let mut fields = ActFields {
        kind: b.kind,
        penalty_procedure: b.penalty_procedure,
        department_id: b.department_id,
        counterpart_name: b.counterpart.name,
        counterpart_type: b.counterpart.kind,
        legal_basis: b.legal_basis,
        decision_text: b.decision_text,
        decision_date: b.decision_date,
        major: b.major,
        officers: b.officers,
    };
    check_fields(&mut fields, today)?;
    caller.staff_own_department(fields.department_id, "record acts")?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let act = state
        .db
        .write(move |conn| {
            let officers = check_references(conn, &fields, None)?;
            let (act, unscheduled) = store::create(conn, &fields, by, crate::db::now())?;
            let id = act.id;
            audit::append(conn, &actor, "act.create", "act", id, &fields)?;
            crate::events::emit(
                conn,
                crate::events::EventType::ActRecorded,
                id,
                &serde_json::json!({"act_id": id, "kind": fields.kind, "department_id": fields.department_id,
                    "decision_date": fields.decision_date}),
            )?;
            // What `detail` would read back, without reading: a new act has no reviews,
            // measures or cases yet.
            Ok::<_, AppError>(ActView {
                reviews: Some(Vec::new()),
                supervision: Some(Vec::new()),
                accountability_cases: Some(Vec::new()),
                ..view(act, officers, today, unscheduled)
            })
        })
        .await?;
    Ok(crate::org::api::created(format!("/api/v1/acts/{}", act.id), &act))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActQuery {
    pub kind: Option<ActKind>,
    pub department_id: Option<i64>,
    pub status: Option<ActStatus>,
    /// Acts this person enforced.
    pub officer_id: Option<i64>,
    /// Decision date from (inclusive).
    pub decided_from: Option<NaiveDate>,
    /// Decision date to (inclusive).
    pub decided_to: Option<NaiveDate>,
    /// Acts whose published decision is out of date with a later correction (PUB-5), or not.
    pub disclosure_outdated: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

async fn list_acts(
    state: &AppState,
    vis: Visibility,
    filter: store::Filter,
    page: PageRequest,
) -> Result<Page<ActView>, AppError> {
    let today = crate::db::today();
    let views = state
        .db
        .read(move |conn| {
            let acts = store::list(conn, vis, &filter, page)?;
            let mut officers = match (acts.first(), acts.last()) {
                (Some(first), Some(last)) => store::page_officers(conn, vis, &filter, first.id, last.id)?,
                _ => Default::default(),
            };
            let calendar = &crate::rules::store::book(conn)?.calendar;
            Ok::<_, StoreError>(
                acts.into_iter()
                    .map(|a| {
                        let o = officers.remove(&a.id).unwrap_or_default();
                        let unscheduled = calendar.unscheduled_between(a.decision_date, a.disclosure_due_on);
                        view(a, o, today, unscheduled)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    Ok(Page::from_rows(views, page, |a| a.id))
}

/// List acts (staff: their own department's).
#[utoipa::path(tag = "acts", params(ActQuery), responses((status = 200, body = Page<ActView>)))]
#[get("")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: Query<ActQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    if let (Some(from), Some(to)) = (q.decided_from, q.decided_to) {
        if to < from {
            return Err(AppError::BadRequest(
                "decided_to must not be before decided_from".into(),
            ));
        }
    }
    let filter = store::Filter {
        kind: q.kind,
        department_id: q.department_id,
        status: q.status,
        officer_id: q.officer_id,
        decided_from: q.decided_from,
        decided_to: q.decided_to,
        overdue_on: None,
        disclosure_outdated: q.disclosure_outdated,
    };
    let acts = list_acts(&state, caller.visibility(), filter, page);
    state.pages.serve(&caller, &req, acts).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    pub department_id: Option<i64>,
    pub kind: Option<ActKind>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// Decisions past their publication deadline and still unpublished (PUB-6).
///
/// Revoked acts are not listed (one revoked after its due day still shows `overdue` and may be
/// referred). Each is referred to accountability with `POST
/// /api/v1/publicity/overdue/{act_id}/refer`.
#[utoipa::path(tag = "publicity", params(OverdueQuery), responses((status = 200, body = Page<ActView>)))]
#[get("/overdue")]
pub async fn overdue(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<OverdueQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = store::Filter {
        kind: q.kind,
        department_id: q.department_id,
        overdue_on: Some(crate::db::today()),
        ..Default::default()
    };
    Ok(HttpResponse::Ok().json(list_acts(&state, caller.visibility(), filter, page).await?))
}

/// One act with its officers, publication duty, filing and review outcomes.
#[utoipa::path(tag = "acts", responses((status = 200, body = ActView, headers(("ETag" = String)))))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis, today) = (id.get()?.into_inner(), caller.visibility(), crate::db::today());
    let act = state.db.read(move |conn| detail(conn, id, vis, today)).await?;
    Ok(etag::json_with_etag(StatusCode::OK, &act))
}

fn active(act: &ActView) -> Result<(), AppError> {
    match act.status {
        ActStatus::Active => Ok(()),
        ActStatus::Revoked => Err(AppError::conflict(
            "act_revoked",
            "the act is revoked; it cannot change any more",
        )),
    }
}

/// Correct an act (requires `If-Match`); the certificate check and the deadline are redone. A
/// correction of a published decision marks it out of date (`disclosure.outdated_since`, PUB-5)
/// until a new version of it is published. Officers who have left since stay on it; the
/// decision date stays on or before its review outcomes (EVAL-4(6)); a filed act stays major,
/// and only the office or the leadership clears the flag of one not filed (SUP-6(8)).
#[utoipa::path(tag = "acts", request_body = ActPatch,
    params(("If-Match" = String, Header, description = "The current ETag")),
    responses(
        (status = 200, body = ActView, headers(("ETag" = String))),
        (status = 403, description = "Staff clearing the major flag", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The act is revoked (`act_revoked`), or filed as major (`act_filed`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    if_match: IfMatch,
    body: Json<ActPatch>,
) -> Result<HttpResponse, AppError> {
    let (id, p) = (id.get()?.into_inner(), body.get()?.into_inner());
    let (actor, vis, role, today) = (caller.actor(), caller.visibility(), caller.role, crate::db::today());
    let act = state
        .db
        .write(move |conn| {
            let before = detail(conn, id, vis, today)?;
            if_match.check(&etag::of(&before))?;
            active(&before)?;
            let counterpart = p.counterpart.unwrap_or_else(|| before.counterpart.clone());
            let mut fields = ActFields {
                kind: before.kind,
                penalty_procedure: p.penalty_procedure.or(before.penalty_procedure),
                department_id: before.department_id,
                counterpart_name: counterpart.name,
                counterpart_type: counterpart.kind,
                legal_basis: p.legal_basis.unwrap_or_else(|| before.legal_basis.clone()),
                decision_text: p.decision_text.unwrap_or_else(|| before.decision_text.clone()),
                decision_date: p.decision_date.unwrap_or(before.decision_date),
                major: p.major.unwrap_or(before.major),
                officers: p
                    .officers
                    .unwrap_or_else(|| before.officers.iter().map(|o| o.person_id).collect()),
            };
            check_fields(&mut fields, today)?;
            if let Some(filed_on) = before.filing.filed_on.filter(|f| *f < fields.decision_date) {
                return Err(AppError::field(
                    "decision_date",
                    format!("the act was filed on {filed_on}: a decision is not filed before it is taken (SUP-6(8))"),
                ));
            }
            check_correction(&before, &fields, role)?;
            check_references(conn, &fields, Some(&before))?;
            store::update(conn, id, &fields, crate::db::now())?;
            if decision_changed(&before, &fields) {
                store::mark_outdated(conn, id, today)?;
            }
            crate::publicity::api::retention_follows_act(conn, id)?;
            let after = detail(conn, id, Visibility::All, today)?;
            audit::append(
                conn,
                &actor,
                "act.update",
                "act",
                id,
                &serde_json::json!({"before": &before, "after": &after}),
            )?;
            Ok::<_, AppError>(after)
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &act))
}

/// What a correction may not undo: a review outcome decided before the new decision date
/// (EVAL-4(6)); the `major` flag of a filed act, or cleared by staff, whose filing duty it
/// would lift (SUP-6(8)).
fn check_correction(before: &ActView, after: &ActFields, role: Role) -> Result<(), AppError> {
    if let Some(r) = before
        .reviews
        .iter()
        .flatten()
        .find(|r| r.decided_on < after.decision_date)
    {
        return Err(AppError::field(
            "decision_date",
            format!(
                "a {} outcome was decided on {}: the decision came before it (EVAL-4(6))",
                r.kind, r.decided_on
            ),
        ));
    }
    if !before.major || after.major {
        return Ok(());
    }
    if let Some(filed_on) = before.filing.filed_on {
        return Err(AppError::conflict(
            "act_filed",
            format!("the act was filed as major on {filed_on}; it stays major (SUP-6(8))"),
        ));
    }
    match role {
        Role::Staff => Err(AppError::Forbidden(
            "only the supervisory office or the leadership clears an act's major flag, which lifts its filing duty (SUP-6(8))".into(),
        )),
        _ => Ok(()),
    }
}

/// Whether a correction changes what a published decision says: everything the recorder states
/// but the `major` flag, which concerns filing (SUP-6(8)), not the public.
fn decision_changed(before: &ActView, after: &ActFields) -> bool {
    let mut officers: Vec<i64> = before.officers.iter().map(|o| o.person_id).collect();
    let mut now = after.officers.clone();
    officers.sort_unstable();
    now.sort_unstable();
    before.penalty_procedure != after.penalty_procedure
        || before.counterpart.name != after.counterpart_name
        || before.counterpart.kind != after.counterpart_type
        || before.legal_basis != after.legal_basis
        || before.decision_text != after.decision_text
        || before.decision_date != after.decision_date
        || officers != now
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "decision revoked after supervision finding"}))]
pub struct RevokeRequest {
    pub reason: String,
}

/// Revoke an act. Its published decision is taken down at once.
#[utoipa::path(tag = "acts", request_body = RevokeRequest,
    responses(
        (status = 200, body = ActView, headers(("ETag" = String))),
        (status = 409, description = "Already revoked", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<RevokeRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let reason = check.text("reason", &b.reason, 2000);
    check.finish()?;
    let (actor, today) = (caller.actor(), crate::db::today());
    let act = state
        .db
        .write(move |conn| {
            active(&detail(conn, id, Visibility::All, today)?)?;
            let now = crate::db::now();
            store::revoke(conn, id, &reason, now)?;
            audit::append(
                conn,
                &actor,
                "act.revoke",
                "act",
                id,
                &serde_json::json!({"reason": &reason}),
            )?;
            detail(conn, id, Visibility::All, today)
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &act))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"filed_on": "2026-11-25"}))]
pub struct FilingRequest {
    /// Not before the decision date, not in the future.
    pub filed_on: NaiveDate,
}

/// Record the filing (备案) of a major act (SUP-6(8)).
#[utoipa::path(tag = "acts", request_body = FilingRequest,
    responses(
        (status = 200, body = ActView, headers(("ETag" = String))),
        (status = 409, description = "Already filed, or revoked", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/filing")]
pub async fn filing(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<FilingRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let (actor, vis, today) = (caller.actor(), caller.visibility(), crate::db::today());
    let act = state
        .db
        .write(move |conn| {
            let act = detail(conn, id, vis, today)?;
            active(&act)?;
            if !act.major {
                return Err(AppError::rule(
                    "not_a_major_act",
                    "only a major act (重大行政执法行为) is filed",
                    Basis::of(&[rules::SUP_6_8]),
                ));
            }
            if let Some(on) = act.filing.filed_on {
                return Err(AppError::conflict(
                    "already_filed",
                    format!("the act was filed on {on}"),
                ));
            }
            if b.filed_on < act.decision_date || b.filed_on > today {
                return Err(AppError::field("filed_on", "must be from the decision date to today"));
            }
            store::file(conn, id, b.filed_on, crate::db::now())?;
            audit::append(conn, &actor, "act.filing", "act", id, &b)?;
            detail(conn, id, Visibility::All, today)
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &act))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "reconsideration", "outcome": "upheld", "decided_on": "2026-11-26", "note": "复议维持"}))]
pub struct NewReview {
    pub kind: ReviewKind,
    pub outcome: ReviewOutcome,
    /// Not before the decision date, not in the future.
    pub decided_on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

/// Record a reconsideration or litigation outcome of an act (EVAL-4(6)). `revoked` (撤销)
/// revokes an active act and takes its published decision down; `modified` (变更) marks a
/// published decision out of date (PUB-5).
#[utoipa::path(tag = "acts", request_body = NewReview, responses((status = 201, body = ActView, headers(("ETag" = String)))))]
#[post("/{id}/reviews")]
pub async fn add_review(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<NewReview>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let note = check.optional_text("note", &b.note, 2000);
    check.finish()?;
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let act = state
        .db
        .write(move |conn| {
            let act = detail(conn, id, Visibility::All, today)?;
            if b.decided_on < act.decision_date || b.decided_on > today {
                return Err(AppError::field("decided_on", "must be from the decision date to today"));
            }
            let review = store::NewReview {
                kind: b.kind,
                outcome: b.outcome,
                decided_on: b.decided_on,
                note,
            };
            let now = crate::db::now();
            let rid = store::add_review(conn, id, &review, by, now)?;
            review_takes_effect(conn, &act, rid, &b, today, now)?;
            audit::append(
                conn,
                &actor,
                "act.review",
                "act",
                id,
                &serde_json::json!({"review_id": rid, "review": &b}),
            )?;
            detail(conn, id, Visibility::All, today)
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::CREATED, &act))
}

/// What a reconsideration or litigation outcome does to the act: 撤销 revokes it (and takes its
/// published decision down); 变更 changes the decision, so a published one is out of date
/// (PUB-5). The other outcomes leave the act as it is.
fn review_takes_effect(
    conn: &mut DbConn,
    act: &ActView,
    review: i64,
    b: &NewReview,
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    match b.outcome {
        ReviewOutcome::Revoked if act.status == ActStatus::Active => {
            let reason = format!("{} revoked the decision on {} (review {review})", b.kind, b.decided_on);
            store::revoke(conn, act.id, &reason, now)?;
        }
        ReviewOutcome::Modified => store::mark_outdated(conn, act.id, today)?,
        _ => {}
    }
    Ok(())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(revoke)
        .service(filing)
        .service(add_review);
}
