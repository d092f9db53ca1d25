//! `/evaluation/…`: deductions on the score sheet (EVAL-5) and the scores they add up to.

mod procedure;
mod registers;
mod sheet;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{self, EvidenceKind, ProblemType, Section, EVAL_5};
use super::store::{self, Deduction, EvidenceFacts, NewDeduction};
use crate::acts::rules::PenaltyProcedure;
use crate::audit;
use crate::auth::rules::Visibility;
use crate::db::{DbConn, StoreError};
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::rules::{ArticleRef, Basis, Regime};
use crate::AppState;

pub use sheet::{DepartmentScore, YearScores};

/// 409 once the year's report is formed (EVAL-6(4)): nothing on its sheet changes any more.
fn sheet_open(conn: &mut DbConn, year: i32) -> Result<(), AppError> {
    match store::year(conn, year)? {
        Some(y) if !y.status.sheet_open() => Err(AppError::Conflict {
            code: "year_closed",
            detail: format!("the {year} assessment is {}; its sheet no longer changes", y.status),
            basis: Basis::of(&[ArticleRef::item(Regime::Eval, 6, 4)]),
        }),
        _ => Ok(()),
    }
}

/// Where the evidence can be read.
fn evidence_href(kind: EvidenceKind, id: i64) -> String {
    let path = match kind {
        EvidenceKind::Finding => "findings",
        EvidenceKind::Petition => "petitions",
        EvidenceKind::Act => "acts",
        EvidenceKind::Document => "supervision-documents",
    };
    format!("/api/v1/{path}/{id}")
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub id: i64,
}

/// The evidence with where to read it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct EvidenceLink {
    pub kind: EvidenceKind,
    pub id: i64,
    #[schema(example = "/api/v1/findings/7")]
    pub href: String,
}

impl EvidenceLink {
    fn new(kind: EvidenceKind, id: i64) -> Self {
        Self {
            kind,
            id,
            href: evidence_href(kind, id),
        }
    }
}

/// One deduction on the score sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeductionView {
    pub id: i64,
    pub year: i32,
    pub department_id: i64,
    pub section: Section,
    pub problem_type: ProblemType,
    pub evidence: EvidenceLink,
    /// The procedure a penalty problem was scored by (EVAL-5(3)).
    pub penalty_procedure: Option<PenaltyProcedure>,
    /// Points deducted, by the rule set in force on `found_on`.
    pub points: i32,
    pub rule_version: i64,
    pub found_on: NaiveDate,
    pub note: String,
    pub withdrawn: bool,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    #[schema(value_type = Vec<String>, example = json!(["EVAL-5(3)"]))]
    pub basis: Vec<String>,
}

fn view(x: Deduction) -> DeductionView {
    DeductionView {
        basis: vec![x.section.basis().to_string()],
        evidence: EvidenceLink::new(x.evidence_kind, x.evidence_id),
        withdrawn: x.withdrawn_at.is_some(),
        id: x.id,
        year: x.year,
        department_id: x.department_id,
        section: x.section,
        problem_type: x.problem_type,
        penalty_procedure: x.penalty_procedure,
        points: x.points,
        rule_version: x.rule_version,
        found_on: x.found_on,
        note: x.note,
        withdrawn_on: x.withdrawn_on,
        withdrawal_reason: x.withdrawal_reason,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2026, "department_id": 2, "section": "penalty", "problem_type": "insufficient_evidence",
    "evidence": {"kind": "finding", "id": 7}, "note": "询问笔录缺当事人签字"}))]
pub struct NewDeductionRequest {
    pub year: i32,
    pub department_id: i64,
    /// Optional: the problem's section; when given it must be the one EVAL-5 lists it under.
    pub section: Option<Section>,
    /// One of the problems EVAL-5 lists under `section`.
    pub problem_type: ProblemType,
    /// A finding, petition, act or supervision document; each counts once.
    pub evidence: Evidence,
    /// Only where the evidence names no penalty with a procedure (e.g. a coercive measure).
    pub penalty_procedure: Option<PenaltyProcedure>,
    /// The day the problem was found: within `year`, not in the future; default today (or
    /// the year's last day for a past year).
    pub found_on: Option<NaiveDate>,
    /// Up to 2000 characters.
    #[serde(default)]
    pub note: String,
}

fn found_on(year: i32, given: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let (first, last) = crate::rules::calendar::year_bounds(year);
    let day = given.unwrap_or_else(|| today.min(last));
    if day < first || day > last {
        return Err(AppError::field("found_on", format!("must fall within {year}")));
    }
    if day > today {
        return Err(AppError::field("found_on", "must not be in the future"));
    }
    Ok(day)
}

/// The deduction the request makes, checked against the evidence and the rule set, with what
/// the evidence says.
fn deduction(
    conn: &mut DbConn,
    b: &NewDeductionRequest,
    note: String,
    found: NaiveDate,
) -> Result<(NewDeduction, EvidenceFacts), AppError> {
    crate::org::store::departments::get(conn, b.department_id, Visibility::All)
        .map_err(|_| AppError::field("department_id", "no such department"))?;
    let facts = store::evidence(conn, b.evidence.kind, b.evidence.id).map_err(|e| match e {
        StoreError::NotFound => AppError::field("evidence", format!("no {} {}", b.evidence.kind, b.evidence.id)),
        other => other.into(),
    })?;
    let refused =
        |e: rules::DeductionRefused| AppError::rule("deduction_refused", e.to_string(), Basis::of(&[e.basis()]));
    match &facts.petition {
        Some(petition) => rules::fits_petition(b.problem_type, petition, found).map_err(refused)?,
        None if b.problem_type.section() == Section::Petitions => {
            return Err(refused(rules::DeductionRefused::PetitionProblemNeedsPetition(
                b.problem_type,
            )))
        }
        None => {}
    }
    // A petition's missed reply is charged to the department it lapsed with (EVAL-5(4)1).
    let departments = match &facts.petition {
        Some(petition) => petition.charged(b.problem_type).into_iter().collect(),
        None => facts.departments.clone(),
    };
    if !departments.contains(&b.department_id) {
        return Err(AppError::field(
            "department_id",
            format!(
                "the {} charges department(s) {:?} with `{}`, not {}",
                b.evidence.kind, departments, b.problem_type, b.department_id
            ),
        ));
    }
    if found < facts.dated {
        return Err(AppError::field(
            "found_on",
            format!("must not be before the {}'s own date {}", b.evidence.kind, facts.dated),
        ));
    }
    let acts: Vec<_> = facts.acts.iter().map(|a| (a.kind, a.procedure)).collect();
    let procedures = rules::acts_showing(b.problem_type, &acts, facts.also_no_act).map_err(refused)?;
    // Acts of both procedures (a document about several) leave the choice to the request.
    let of_acts = (procedures.len() == 1).then(|| procedures.first().copied()).flatten();
    let procedure = rules::scored_procedure(
        b.problem_type,
        b.section.unwrap_or(b.problem_type.section()),
        of_acts,
        b.penalty_procedure,
    )
    .map_err(refused)?;
    let version = crate::rules::store::in_force(conn, found)?;
    let points = rules::points(&version.rule.values.score_sheet, b.problem_type, procedure).ok_or_else(|| {
        AppError::rule(
            "deduction_refused",
            "no procedure to score by",
            Basis::of(&[Section::Penalty.basis()]),
        )
    })?;
    let deduction = NewDeduction {
        year: b.year,
        department_id: b.department_id,
        problem_type: b.problem_type,
        evidence_kind: b.evidence.kind,
        evidence_id: b.evidence.id,
        penalty_procedure: procedure,
        points,
        rule_version: version.rule.version,
        found_on: found,
        note,
    };
    Ok((deduction, facts))
}

/// Record a deduction (日积累). Points follow the section and, for penalties, the act's
/// procedure: 2 on the spot, 3 on a filed case. Each problem found counts once (409), whether
/// through the same evidence or another record of the same act or supervision document.
#[utoipa::path(tag = "evaluation", request_body = NewDeductionRequest,
    responses((status = 201, body = DeductionView),
        (status = 409, description = "The evidence already counts, or the year's results are fixed", body = Problem, content_type = "application/problem+json")))]
#[post("/deductions")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewDeductionRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let year = crate::http::validate::year(b.year)?;
    let mut check = Check::default();
    let note = check.optional_text("note", &b.note, 2000);
    check.finish()?;
    let found = found_on(year, b.found_on, crate::db::today())?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            sheet_open(conn, year)?;
            let (new, facts) = deduction(conn, &b, note, found)?;
            let same_problem = store::counting_same_problem(
                conn,
                new.evidence_kind,
                new.evidence_id,
                &facts,
                new.problem_type,
                new.department_id,
            )?;
            if let Some(other) = same_problem {
                return Err(AppError::Conflict {
                    code: "evidence_counted",
                    detail: format!(
                        "deduction {other} already counts this problem, of the same act or the same supervision document"
                    ),
                    basis: Basis::of(&[EVAL_5]),
                });
            }
            if let Some(other) = store::counting(conn, new.evidence_kind, new.evidence_id, new.problem_type)? {
                return Err(AppError::Conflict {
                    code: "evidence_counted",
                    detail: format!(
                        "deduction {other} already counts `{}` on this {}",
                        new.problem_type, new.evidence_kind
                    ),
                    basis: Basis::of(&[EVAL_5]),
                });
            }
            let x = store::create(conn, &new, by, crate::db::now())?;
            let id = x.id;
            audit::append(
                conn,
                &actor,
                "evaluation.deduct",
                "eval_deduction",
                id,
                &serde_json::json!({"year": x.year, "department_id": x.department_id, "problem_type": x.problem_type,
                    "evidence": [x.evidence_kind, x.evidence_id], "points": x.points}),
            )?;
            Ok::<_, AppError>(view(x))
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeductionQuery {
    pub year: Option<i32>,
    pub department_id: Option<i64>,
    pub section: Option<Section>,
    pub problem_type: Option<ProblemType>,
    pub evidence_kind: Option<EvidenceKind>,
    pub evidence_id: Option<i64>,
    /// `false`: standing deductions only; `true`: withdrawn only.
    pub withdrawn: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List deductions (staff: their department's).
#[utoipa::path(tag = "evaluation", params(DeductionQuery), responses((status = 200, body = Page<DeductionView>)))]
#[get("/deductions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<DeductionQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = store::Filter {
        year: q.year,
        department_id: q.department_id,
        section: q.section,
        problem_type: q.problem_type,
        evidence_kind: q.evidence_kind,
        evidence_id: q.evidence_id,
        withdrawn: q.withdrawn,
    };
    let vis = caller.visibility();
    let rows = state.db.read(move |conn| store::list(conn, vis, &filter, page)).await?;
    let views = rows.into_iter().map(view).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |x: &DeductionView| x.id)))
}

/// One deduction.
#[utoipa::path(tag = "evaluation", responses((status = 200, body = DeductionView)))]
#[get("/deductions/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let x = state
        .db
        .read(move |conn| store::get(conn, id, vis).map_err(missing("deduction")))
        .await?;
    Ok(HttpResponse::Ok().json(view(x)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "复查后证据补正，不构成证据不足"}))]
pub struct WithdrawRequest {
    /// 1 to 2000 characters.
    pub reason: String,
}

/// Withdraw a deduction with a reason: it stays on record and never counts again, on any day
/// (the problem was not one: past quarters and a year not yet finalised are restored); its
/// evidence may be used again.
#[utoipa::path(tag = "evaluation", request_body = WithdrawRequest,
    responses((status = 200, body = DeductionView),
        (status = 409, description = "Already withdrawn, or the year's results are fixed", body = Problem, content_type = "application/problem+json")))]
#[post("/deductions/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<WithdrawRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let reason = check.text("reason", &b.reason, 2000);
    check.finish()?;
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let x = store::get(conn, id, Visibility::All).map_err(missing("deduction"))?;
            sheet_open(conn, x.year)?;
            if x.withdrawn_at.is_some() {
                return Err(AppError::conflict(
                    "deduction_withdrawn",
                    "the deduction is already withdrawn",
                ));
            }
            store::withdraw(conn, id, &reason, today, by, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "evaluation.withdraw",
                "eval_deduction",
                id,
                &serde_json::json!({"reason": reason}),
            )?;
            Ok::<_, AppError>(view(store::get(conn, id, Visibility::All)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScoresQuery {
    /// The sheet as it stood on this day (within the year). Default: today, or the year's
    /// last day for a past year; for a finalised year, the fixed results.
    pub as_of: Option<NaiveDate>,
    /// 1 to 4: the quarterly view (季评议), as of the quarter's last day.
    pub quarter: Option<u8>,
    /// Only this department.
    pub department_id: Option<i64>,
}

/// The last day of a quarter that has begun: the quarterly review (季评议, EVAL-4) of a quarter
/// yet to come would show a sheet no one has had the chance to fill.
fn quarter_day(year: i32, quarter: u8) -> Result<NaiveDate, AppError> {
    let end = rules::quarter_end(year, quarter).ok_or_else(|| AppError::BadRequest("quarter must be 1 to 4".into()))?;
    let first = end
        .with_day(1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(2)));
    match first {
        Some(first) if first > crate::db::today() => Err(AppError::rule(
            "quarter_not_begun",
            format!("quarter {quarter} of {year} begins on {first}"),
            Basis::of(&[ArticleRef::article(Regime::Eval, 4)]),
        )),
        _ => Ok(end),
    }
}

/// The day a score view is computed for, from `as_of` or `quarter`.
fn view_day(year: i32, q: &ScoresQuery) -> Result<Option<NaiveDate>, AppError> {
    let (first, last) = crate::rules::calendar::year_bounds(year);
    match (q.as_of, q.quarter) {
        (Some(_), Some(_)) => Err(AppError::BadRequest("give as_of or quarter, not both".into())),
        (None, Some(n)) => quarter_day(year, n).map(Some),
        (Some(d), None) if d < first || d > last => Err(AppError::field("as_of", format!("must fall within {year}"))),
        (Some(d), None) => Ok(Some(d)),
        (None, None) => Ok(None),
    }
}

/// Each department's score sheet: every section's cap, deductions with their evidence,
/// score (floored at 0), the total, the grade and what it brings (EVAL-5, EVAL-7).
#[utoipa::path(tag = "evaluation", params(ScoresQuery), responses((status = 200, body = YearScores)))]
#[get("/years/{year}/scores")]
pub async fn scores(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    year: Path<i32>,
    q: Query<ScoresQuery>,
) -> Result<HttpResponse, AppError> {
    let (year, q) = (
        crate::http::validate::year(year.get()?.into_inner())?,
        q.get()?.into_inner(),
    );
    let sheet = visible_sheet(&state, caller.visibility(), year, view_day(year, &q)?, q.department_id);
    state.pages.serve(&caller, &req, sheet).await
}

/// The sheet of `day` (or the fixed or current one), with the departments the caller may see.
async fn visible_sheet(
    state: &AppState,
    vis: Visibility,
    year: i32,
    day: Option<NaiveDate>,
    department: Option<i64>,
) -> Result<YearScores, AppError> {
    let mut s = state
        .db
        .read(move |conn| {
            let mut s = sheet::current_or_fixed(conn, year, day)?;
            let sanctioned = crate::accountability::store::sanctioned_in(conn, year)?;
            sheet::withhold_rewards(&mut s, &sanctioned.departments);
            Ok::<_, AppError>(s)
        })
        .await?;
    s.departments
        .retain(|d| vis.admits(d.department_id) && department.is_none_or(|id| id == d.department_id));
    Ok(s)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    /// Only this department.
    pub department_id: Option<i64>,
}

/// The quarterly view (季评议): the sheet as of the quarter's last day (1 to 4), for a quarter
/// that has begun.
#[utoipa::path(tag = "evaluation", params(QuarterQuery), responses((status = 200, body = YearScores),
    (status = 422, description = "The quarter has not begun (`quarter_not_begun`, EVAL-4)", body = Problem, content_type = "application/problem+json")))]
#[get("/years/{year}/quarters/{quarter}/scores")]
pub async fn quarter_scores(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: Path<(i32, u8)>,
    query: Query<QuarterQuery>,
) -> Result<HttpResponse, AppError> {
    let (year, quarter) = path.get()?.into_inner();
    let year = crate::http::validate::year(year)?;
    let department = query.get()?.into_inner().department_id;
    let q = ScoresQuery {
        as_of: None,
        quarter: Some(quarter),
        department_id: department,
    };
    let sheet = visible_sheet(&state, caller.visibility(), year, view_day(year, &q)?, department);
    state.pages.serve(&caller, &req, sheet).await
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get)
        .service(withdraw)
        .service(scores)
        .service(quarter_scores)
        .configure(procedure::routes)
        .configure(registers::routes);
}

/// Published results, under `/public`.
pub fn public_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(procedure::public_results);
}
