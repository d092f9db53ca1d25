//! The annual procedure (EVAL-6): open, preliminary opinions fed back and answered, the report,
//! finalisation, publication; the public results and the award outcomes (EVAL-7).

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpResponse};
use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sheet::{self, YearScores};
use crate::audit::{self, Actor};
use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::DbConn;
use crate::evaluation::rules::{self, Grade, Outcome, YearStatus, YearStep, EVAL_7};
use crate::evaluation::store::{self, Opinion, Year};
use crate::http::checked::{Json, Path};
use crate::http::error::Problem;
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::rules::{ArticleRef, Basis, Regime};
use crate::AppState;

fn eval6(item: u8) -> ArticleRef {
    ArticleRef::item(Regime::Eval, 6, item)
}

/// An opinion fed back to a department, and its response.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpinionView {
    pub department_id: i64,
    pub opinion: String,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub fed_back_at: NaiveDateTime,
    pub response: Option<String>,
    #[serde(serialize_with = "crate::db::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub responded_at: Option<NaiveDateTime>,
}

fn opinion_view(o: Opinion) -> OpinionView {
    OpinionView {
        department_id: o.department_id,
        opinion: o.opinion,
        fed_back_at: o.fed_back_at,
        response: o.response,
        responded_at: o.responded_at,
    }
}

/// A year's annual assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearView {
    pub year: i32,
    pub status: YearStatus,
    pub report: Option<String>,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reported_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::db::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finalized_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::db::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<NaiveDateTime>,
    /// The rule-set version of the fixed results.
    pub rule_version: Option<i64>,
    pub opinions: Vec<OpinionView>,
    /// Departments on the sheet without a preliminary opinion yet (EVAL-6(3)).
    pub awaiting_opinion: Vec<i64>,
    #[schema(example = json!(["EVAL-6"]))]
    pub basis: Vec<String>,
}

/// Departments the year's sheet scores.
fn scored_departments(conn: &mut DbConn, year: i32) -> Result<Vec<i64>, AppError> {
    let s = sheet::current_or_fixed(conn, year, None)?;
    Ok(s.departments.iter().map(|d| d.department_id).collect())
}

fn year_view(conn: &mut DbConn, y: Year, vis: Visibility) -> Result<YearView, AppError> {
    let opinions = store::opinions(conn, y.year)?;
    let awaiting = awaiting_opinion(conn, y.year, &opinions, vis)?;
    Ok(view_of(y, opinions, awaiting, vis))
}

/// Departments the sheet scores that `vis` admits and no opinion has reached yet.
fn awaiting_opinion(
    conn: &mut DbConn,
    year: i32,
    opinions: &[store::Opinion],
    vis: Visibility,
) -> Result<Vec<i64>, AppError> {
    Ok(scored_departments(conn, year)?
        .into_iter()
        .filter(|d| vis.admits(*d) && !opinions.iter().any(|o| o.department_id == *d))
        .collect())
}

fn view_of(y: Year, opinions: Vec<store::Opinion>, awaiting: Vec<i64>, vis: Visibility) -> YearView {
    YearView {
        opinions: opinions
            .into_iter()
            .filter(|o| vis.admits(o.department_id))
            .map(opinion_view)
            .collect(),
        awaiting_opinion: awaiting,
        basis: vec![ArticleRef::article(Regime::Eval, 6).to_string()],
        year: y.year,
        status: y.status,
        report: y.report,
        opened_at: y.opened_at,
        reported_at: y.reported_at,
        finalized_at: y.finalized_at,
        published_at: y.published_at,
        rule_version: y.rule_version,
    }
}

/// The opened year, or 409: nothing of the procedure happens before it is opened.
fn opened(conn: &mut DbConn, year: i32) -> Result<Year, AppError> {
    store::year(conn, year)?.ok_or_else(|| AppError::Conflict {
        code: "year_not_open",
        detail: format!("the {year} assessment has not been opened"),
        basis: Basis::of(&[eval6(1)]),
    })
}

/// The opened year if `step` may follow now; 409 naming EVAL-6 otherwise.
fn ready(conn: &mut DbConn, year: i32, step: YearStep) -> Result<Year, AppError> {
    let y = opened(conn, year)?;
    rules::year_step(y.status, step).map_err(|e| AppError::Conflict {
        code: "year_state",
        detail: e.to_string(),
        basis: Basis::of(&[e.basis()]),
    })?;
    Ok(y)
}

/// 409 unless the year is open: opinions and responses come before the report (EVAL-6(3)).
fn still_open(conn: &mut DbConn, year: i32) -> Result<(), AppError> {
    let y = opened(conn, year)?;
    if y.status != YearStatus::Open {
        return Err(AppError::Conflict {
            code: "year_state",
            detail: format!(
                "the {year} assessment is {}; opinions are fed back while it is open",
                y.status
            ),
            basis: Basis::of(&[eval6(3)]),
        });
    }
    Ok(())
}

fn record(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    year: i32,
    change: &serde_json::Value,
) -> Result<(), AppError> {
    audit::append(conn, actor, action, "eval_year", i64::from(year), change)?;
    Ok(())
}

/// Open the year's assessment (EVAL-6(1)); not before the year begins.
#[utoipa::path(tag = "evaluation", responses((status = 201, body = YearView),
        (status = 409, description = "Already opened", body = Problem, content_type = "application/problem+json")))]
#[post("/years/{year}/open")]
pub async fn open(state: web::Data<AppState>, caller: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    if year > crate::db::today().year() {
        return Err(AppError::rule(
            "year_not_begun",
            format!("the {year} assessment cannot open before {year} begins"),
            Basis::of(&[eval6(1)]),
        ));
    }
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            if let Some(y) = store::year(conn, year)? {
                return Err(AppError::Conflict {
                    code: "year_opened",
                    detail: format!("the {year} assessment is already {}", y.status),
                    basis: Basis::of(&[eval6(1)]),
                });
            }
            store::open_year(conn, year, by, crate::db::now())?;
            record(conn, &actor, "evaluation.open", year, &serde_json::json!({}))?;
            let y = opened(conn, year)?;
            year_view(conn, y, Visibility::All)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// The year's assessment: its state, report and opinions (staff: their department's).
#[utoipa::path(tag = "evaluation", responses((status = 200, body = YearView)))]
#[get("/years/{year}")]
pub async fn get_year(state: web::Data<AppState>, caller: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let (year, vis) = (
        crate::http::validate::year(year.get()?.into_inner())?,
        caller.visibility(),
    );
    let v = state
        .db
        .read(move |conn| {
            let y = store::year(conn, year)?.ok_or_else(|| AppError::not_found("assessment year"))?;
            year_view(conn, y, vis)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "全年扣分 6 分，主要问题为处罚案卷证据不足，请于五日内反馈意见。"}))]
pub struct TextRequest {
    /// 1 to 10000 characters; line breaks allowed.
    pub text: String,
}

fn prose(name: &str, text: &str) -> Result<String, AppError> {
    let mut check = Check::default();
    let t = check.optional_text(name, text, 10_000);
    if t.is_empty() {
        check.fail(name, "must not be empty");
    }
    check.finish()?;
    Ok(t)
}

/// Feed the preliminary opinion back to a department (EVAL-6(3)); feeding it again revises it
/// and asks for a new response.
#[utoipa::path(tag = "evaluation", request_body = TextRequest, responses((status = 200, body = OpinionView),
        (status = 409, description = "The year is not open", body = Problem, content_type = "application/problem+json")))]
#[post("/years/{year}/departments/{department_id}/preliminary")]
pub async fn preliminary(
    state: web::Data<AppState>,
    caller: Caller,
    path: Path<(i32, i64)>,
    body: Json<TextRequest>,
) -> Result<HttpResponse, AppError> {
    let ((year, department), b) = (path.get()?.into_inner(), body.get()?.into_inner());
    let (year, text) = (crate::http::validate::year(year)?, prose("text", &b.text)?);
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            crate::org::store::departments::get(conn, department, Visibility::All)
                .map_err(crate::org::api::missing("department"))?;
            still_open(conn, year)?;
            store::feed_back(conn, year, department, &text, by, crate::db::now())?;
            record(
                conn,
                &actor,
                "evaluation.preliminary",
                year,
                &serde_json::json!({"department_id": department, "opinion": text}),
            )?;
            Ok::<_, AppError>(opinion_view(
                store::opinion(conn, year, department)?.ok_or(AppError::not_found("opinion"))?,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The department's response to its preliminary opinion (staff of the department, or the
/// office recording it).
#[utoipa::path(tag = "evaluation", request_body = TextRequest, responses((status = 200, body = OpinionView),
        (status = 409, description = "No opinion fed back, or the year is not open", body = Problem, content_type = "application/problem+json")))]
#[post("/years/{year}/departments/{department_id}/response")]
pub async fn respond(
    state: web::Data<AppState>,
    caller: Caller,
    path: Path<(i32, i64)>,
    body: Json<TextRequest>,
) -> Result<HttpResponse, AppError> {
    let ((year, department), b) = (path.get()?.into_inner(), body.get()?.into_inner());
    if caller.role == Role::Staff && caller.department_id != Some(department) {
        return Err(AppError::Forbidden("staff answer for their own department only".into()));
    }
    let (year, text) = (crate::http::validate::year(year)?, prose("text", &b.text)?);
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            still_open(conn, year)?;
            if store::opinion(conn, year, department)?.is_none() {
                return Err(AppError::Conflict {
                    code: "no_opinion",
                    detail: "no preliminary opinion has been fed back to this department".into(),
                    basis: Basis::of(&[eval6(3)]),
                });
            }
            store::respond(conn, year, department, &text, by, crate::db::now())?;
            record(
                conn,
                &actor,
                "evaluation.response",
                year,
                &serde_json::json!({"department_id": department, "response": text}),
            )?;
            Ok::<_, AppError>(opinion_view(
                store::opinion(conn, year, department)?.ok_or(AppError::not_found("opinion"))?,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Form the report (EVAL-6(4)): every department on the sheet must have had its preliminary
/// opinion fed back. From now on deductions and the qualitative record of the year no longer
/// change (409 `year_closed`).
#[utoipa::path(tag = "evaluation", request_body = TextRequest, responses((status = 200, body = YearView),
        (status = 409, description = "Not open, or opinions missing", body = Problem, content_type = "application/problem+json")))]
#[post("/years/{year}/report")]
pub async fn report(
    state: web::Data<AppState>,
    caller: Caller,
    year: Path<i32>,
    body: Json<TextRequest>,
) -> Result<HttpResponse, AppError> {
    let (year, b) = (
        crate::http::validate::year(year.get()?.into_inner())?,
        body.get()?.into_inner(),
    );
    let text = prose("text", &b.text)?;
    let actor = caller.actor();
    let v = state
        .db
        .write(move |conn| {
            ready(conn, year, YearStep::Report)?;
            // The sheet is computed once: the report changes none of its departments.
            let opinions = store::opinions(conn, year)?;
            let awaiting = awaiting_opinion(conn, year, &opinions, Visibility::All)?;
            if !awaiting.is_empty() {
                return Err(AppError::Conflict {
                    code: "opinions_missing",
                    detail: format!("no preliminary opinion fed back to department(s) {awaiting:?}"),
                    basis: Basis::of(&[eval6(3)]),
                });
            }
            store::report(conn, year, &text, crate::db::now())?;
            record(
                conn,
                &actor,
                "evaluation.report",
                year,
                &serde_json::json!({"report": text}),
            )?;
            Ok(view_of(opened(conn, year)?, opinions, awaiting, Visibility::All))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Fix the results (leadership): the sheet as it stands today (or on the year's last day) is
/// kept as the year's results. The sheet stopped changing when the report was formed.
#[utoipa::path(tag = "evaluation", responses((status = 200, body = YearScores),
        (status = 409, description = "No report yet", body = Problem, content_type = "application/problem+json")))]
#[post("/years/{year}/finalize")]
pub async fn finalize(state: web::Data<AppState>, caller: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            ready(conn, year, YearStep::Finalize)?;
            let mut s = sheet::compute(conn, year, sheet::default_day(year))?;
            s.fixed = true;
            let json = serde_json::to_string(&s).map_err(|e| AppError::Internal(e.to_string()))?;
            store::finalize(conn, year, &json, s.rule_version, by, crate::db::now())?;
            let totals: BTreeMap<i64, u32> = s.departments.iter().map(|d| (d.department_id, d.total)).collect();
            record(
                conn,
                &actor,
                "evaluation.finalize",
                year,
                &serde_json::json!({"as_of": s.as_of, "totals": totals}),
            )?;
            Ok::<_, AppError>(s)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Publish the fixed results (EVAL-6(5)); from now on they are public and read-only.
#[utoipa::path(tag = "evaluation", responses((status = 200, body = YearView),
        (status = 409, description = "Not finalised", body = Problem, content_type = "application/problem+json")))]
#[post("/years/{year}/publish")]
pub async fn publish(state: web::Data<AppState>, caller: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    let actor = caller.actor();
    let v = state
        .db
        .write(move |conn| {
            ready(conn, year, YearStep::Publish)?;
            store::publish(conn, year, crate::db::now())?;
            record(conn, &actor, "evaluation.publish", year, &serde_json::json!({}))?;
            crate::events::emit(
                conn,
                crate::events::EventType::EvaluationPublished,
                i64::from(year),
                &serde_json::json!({"year": year, "results": format!("/api/v1/public/evaluation/{year}")}),
            )?;
            let y = opened(conn, year)?;
            year_view(conn, y, Visibility::All)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A department's published result.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicResult {
    pub department_id: i64,
    pub department_name: String,
    pub total: u32,
    pub grade: Grade,
    /// What the grade brings (EVAL-7), as on the awards list.
    pub outcome: Outcome,
}

/// A year's published results.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicResults {
    pub year: i32,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub published_at: NaiveDateTime,
    pub results: Vec<PublicResult>,
    #[schema(example = json!(["EVAL-6(5)"]))]
    pub basis: Vec<String>,
}

/// The published results of a year — no token; 404 until published.
#[utoipa::path(tag = "public", responses((status = 200, body = PublicResults)))]
#[get("/evaluation/{year}")]
pub async fn public_results(state: web::Data<AppState>, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    let v = state
        .db
        .read(move |conn| {
            let none = || AppError::NotFound(format!("no published results for {year}"));
            let y = store::year(conn, year)?.ok_or_else(none)?;
            let (Some(at), Some(s)) = (y.published_at, sheet::fixed(conn, year)?) else {
                return Err(none());
            };
            let sanctioned = crate::accountability::store::sanctioned_in(conn, year)?;
            Ok(PublicResults {
                year,
                published_at: at,
                results: awards_of(s, sanctioned)
                    .departments
                    .into_iter()
                    .map(|d| PublicResult {
                        department_id: d.department_id,
                        department_name: d.department_name,
                        total: d.total,
                        grade: d.grade,
                        outcome: d.outcome,
                    })
                    .collect(),
                basis: vec![eval6(5).to_string(), EVAL_7.to_string()],
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

crate::text_enum! {
    /// Why a department or person may not receive an award this year.
    pub enum ExclusionReason {
        /// Graded poor (EVAL-7).
        PoorGrade = "poor_grade",
        /// Sanctioned under ACC-6 this year.
        AccountabilitySanction = "accountability_sanction",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Exclusion {
    pub reason: ExclusionReason,
    /// The accountability cases that sanctioned, for `accountability_sanction`.
    pub cases: Vec<i64>,
    #[schema(example = json!(["ACC-6", "EVAL-7"]))]
    pub basis: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentAward {
    pub department_id: i64,
    pub department_name: String,
    pub total: u32,
    pub grade: Grade,
    /// What the grade brings (EVAL-7), but no reward to a department sanctioned under ACC-6
    /// that year (取消评比先进的资格): `none` for it even when excellent.
    pub outcome: Outcome,
    /// Whether the department may be put forward for awards (评先评优).
    pub eligible: bool,
    pub exclusions: Vec<Exclusion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonExclusion {
    pub person_id: i64,
    pub exclusion: Exclusion,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Awards {
    pub year: i32,
    /// Computed from the fixed results (true) or from the sheet as it stands (false).
    #[serde(rename = "final")]
    pub fixed: bool,
    pub departments: Vec<DepartmentAward>,
    /// Persons sanctioned under ACC-6 this year: not eligible for awards.
    pub persons_excluded: Vec<PersonExclusion>,
    #[schema(example = json!(["EVAL-7", "ACC-6"]))]
    pub basis: Vec<String>,
}

fn sanction_exclusion(cases: Vec<i64>) -> Exclusion {
    Exclusion {
        reason: ExclusionReason::AccountabilitySanction,
        cases,
        basis: vec![ArticleRef::article(Regime::Acc, 6).to_string(), EVAL_7.to_string()],
    }
}

fn awards_of(mut s: YearScores, sanctioned: crate::accountability::store::Sanctioned) -> Awards {
    sheet::withhold_rewards(&mut s, &sanctioned.departments);
    let departments = s
        .departments
        .into_iter()
        .map(|d| {
            let mut exclusions = Vec::new();
            if d.grade == Grade::Poor {
                exclusions.push(Exclusion {
                    reason: ExclusionReason::PoorGrade,
                    cases: Vec::new(),
                    basis: vec![EVAL_7.to_string()],
                });
            }
            if let Some(cases) = sanctioned.departments.get(&d.department_id) {
                exclusions.push(sanction_exclusion(cases.clone()));
            }
            DepartmentAward {
                eligible: exclusions.is_empty(),
                exclusions,
                department_id: d.department_id,
                department_name: d.department_name,
                total: d.total,
                grade: d.grade,
                outcome: d.outcome,
            }
        })
        .collect();
    Awards {
        year: s.year,
        fixed: s.fixed,
        departments,
        persons_excluded: sanctioned
            .persons
            .into_iter()
            .map(|(person_id, cases)| PersonExclusion {
                person_id,
                exclusion: sanction_exclusion(cases),
            })
            .collect(),
        basis: vec![EVAL_7.to_string(), ArticleRef::article(Regime::Acc, 6).to_string()],
    }
}

/// What each grade brings and who may not be put forward for awards (EVAL-7): poor grades and
/// everyone sanctioned under ACC-6 that year, each exclusion with its reason.
#[utoipa::path(tag = "evaluation", responses((status = 200, body = Awards)))]
#[get("/years/{year}/awards")]
pub async fn awards(state: web::Data<AppState>, _caller: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    let v = state
        .db
        .read(move |conn| {
            let s = sheet::current_or_fixed(conn, year, None)?;
            let sanctioned = crate::accountability::store::sanctioned_in(conn, year)?;
            Ok::<_, AppError>(awards_of(s, sanctioned))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(open)
        .service(get_year)
        .service(preliminary)
        .service(respond)
        .service(report)
        .service(finalize)
        .service(publish)
        .service(awards);
}
