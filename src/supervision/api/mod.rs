//! `/inspections`, `/findings`, `/measures` and `/supervision/compliance`; material requests,
//! supervision documents and trends in the submodules.

pub mod cooperation;
pub mod documents;
pub mod trends;

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{
    self, InspectionKind, InspectionStatus, InspectionStep, MeasureAction, MeasureStatus, StepRefused, TargetKind,
    SUP_5,
};
use super::store::{self, Finding, Inspection, Measure, Plan, Rectification};
use crate::acts::rules::ActKind;
use crate::audit::{self, Actor};
use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::{DbConn, StoreError};
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::etag::{self, IfMatch};
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::org::rules::{CauseKind, CertificateStatus};
use crate::rules::Basis;
use crate::AppState;

/// One target of an inspection's scope.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub kind: TargetKind,
    pub id: i64,
}

/// An inspection with its scope, inspectors and sample draws.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionView {
    pub id: i64,
    pub kind: InspectionKind,
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: InspectionStatus,
    pub scope: Vec<Target>,
    /// People.
    pub inspectors: Vec<i64>,
    pub samples: Vec<SampleView>,
    pub conclusion: Option<String>,
    pub created_by: Option<i64>,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// A recorded, reproducible sample of acts (spot checks).
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleView {
    pub id: i64,
    /// Redo the draw: the acts whose SHA-256(seed | id) are smallest among the population.
    pub seed: String,
    /// How many acts were drawn: the size asked, or the whole population when smaller.
    pub size: i64,
    #[schema(value_type = Object)]
    pub filters: serde_json::Value,
    /// How many acts matched the filters.
    pub population: i64,
    pub act_ids: Vec<i64>,
    pub drawn_by: Option<i64>,
}

fn inspection_view(conn: &mut DbConn, x: Inspection) -> Result<InspectionView, AppError> {
    let (scope, inspectors) = store::plan_lists(conn, x.id)?;
    let samples = store::samples(conn, x.id)?
        .into_iter()
        .map(|s| SampleView {
            id: s.id,
            seed: s.seed,
            size: s.size,
            filters: serde_json::from_str(&s.filters).unwrap_or_default(),
            population: s.population,
            act_ids: serde_json::from_str(&s.act_ids).unwrap_or_default(),
            drawn_by: s.drawn_by,
        })
        .collect();
    Ok(InspectionView {
        scope: scope.into_iter().map(|(kind, id)| Target { kind, id }).collect(),
        inspectors,
        samples,
        id: x.id,
        kind: x.kind,
        title: x.title,
        period_from: x.period_from,
        period_to: x.period_to,
        status: x.status,
        conclusion: x.conclusion,
        created_by: x.created_by,
        created_at: x.created_at,
        updated_at: x.updated_at,
    })
}

pub(crate) fn inspection_detail(conn: &mut DbConn, id: i64) -> Result<InspectionView, AppError> {
    let x = store::get(conn, id).map_err(missing("inspection"))?;
    inspection_view(conn, x)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "regular", "title": "2026年上半年定期执法检查", "period_from": "2026-06-01", "period_to": "2026-06-30",
    "scope": [{"kind": "department", "id": 2}], "inspectors": [4, 5]}))]
pub struct NewInspection {
    pub kind: InspectionKind,
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    #[serde(default)]
    pub scope: Vec<Target>,
    /// People who inspect (at least one).
    pub inspectors: Vec<i64>,
}

/// Checks and resolves a plan; every problem at once.
fn check_plan(
    conn: &mut DbConn,
    kind: InspectionKind,
    title: &str,
    from: NaiveDate,
    to: NaiveDate,
    scope: &[Target],
    inspectors: &[i64],
) -> Result<Plan, AppError> {
    let mut check = Check::default();
    let title = check.text("title", title, 300);
    check.reportable_day("period_from", from);
    check.reportable_day("period_to", to);
    if to < from {
        check.fail("period_to", "must not be before period_from");
    } else if kind == InspectionKind::Regular && chrono::Datelike::year(&from) != chrono::Datelike::year(&to) {
        // Each counts towards one year's two (SUP-5: 每年定期二次).
        check.fail(
            "period_to",
            "a regular inspection's period lies within one year (SUP-5)",
        );
    }
    if inspectors.is_empty() {
        check.fail("inspectors", "at least one inspector is required");
    }
    for (n, person) in inspectors.iter().enumerate() {
        match crate::org::store::people::get(conn, *person) {
            Ok(p) if p.active => {}
            Ok(_) => check.fail(&format!("inspectors[{n}]"), format!("person {person} is not active")),
            Err(_) => check.fail(&format!("inspectors[{n}]"), format!("no person {person}")),
        }
    }
    for (n, t) in scope.iter().enumerate() {
        let exists = match t.kind {
            TargetKind::Department => crate::org::store::departments::get(conn, t.id, Visibility::All).is_ok(),
            TargetKind::Officer => crate::org::store::people::get(conn, t.id).is_ok(),
            TargetKind::Act => crate::acts::store::get(conn, t.id, Visibility::All).is_ok(),
        };
        if !exists {
            check.fail(&format!("scope[{n}]"), format!("no {} {}", t.kind, t.id));
        }
    }
    check.finish()?;
    let mut scope: Vec<(TargetKind, i64)> = scope.iter().map(|t| (t.kind, t.id)).collect();
    scope.sort();
    scope.dedup();
    let mut inspectors = inspectors.to_vec();
    inspectors.sort_unstable();
    inspectors.dedup();
    Ok(Plan {
        title,
        period_from: from,
        period_to: to,
        scope,
        inspectors,
    })
}

/// Refuses a caller who may not plan or change an inspection of `kind`.
fn directs(kind: InspectionKind, role: Role) -> Result<(), AppError> {
    if rules::may_direct(kind, role) {
        return Ok(());
    }
    Err(AppError::Forbidden(
        "regular inspections are organised by the leadership group (SUP-5)".into(),
    ))
}

/// Plan an inspection. Regular inspections are the leadership group's (SUP-5); the office
/// runs ad-hoc inspections and spot checks.
#[utoipa::path(tag = "supervision", request_body = NewInspection,
    responses((status = 201, body = InspectionView, headers(("ETag" = String), ("Location" = String)))))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewInspection>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    directs(b.kind, caller.role)?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let view = state
        .db
        .write(move |conn| {
            let plan = check_plan(
                conn,
                b.kind,
                &b.title,
                b.period_from,
                b.period_to,
                &b.scope,
                &b.inspectors,
            )?;
            let id = store::create(conn, b.kind, &plan, by, crate::db::now())?;
            audit::append(conn, &actor, "inspection.create", "inspection", id, &plan)?;
            inspection_detail(conn, id)
        })
        .await?;
    Ok(crate::org::api::created(
        format!("/api/v1/inspections/{}", view.id),
        &view,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    pub kind: Option<InspectionKind>,
    pub status: Option<InspectionStatus>,
    /// Inspections whose period starts in this year.
    pub year: Option<i32>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List inspections.
#[utoipa::path(tag = "supervision", params(InspectionQuery), responses((status = 200, body = Page<InspectionView>)))]
#[get("")]
pub async fn list(state: web::Data<AppState>, _c: Caller, q: Query<InspectionQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = store::InspectionFilter {
        kind: q.kind,
        status: q.status,
        year: q.year,
    };
    let views = state
        .db
        .read(move |conn| {
            let rows = store::list(conn, &filter, page)?;
            rows.into_iter()
                .map(|x| inspection_view(conn, x))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |v| v.id)))
}

/// One inspection.
#[utoipa::path(tag = "supervision", responses((status = 200, body = InspectionView, headers(("ETag" = String)))))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, _c: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let view = state.db.read(move |conn| inspection_detail(conn, id)).await?;
    Ok(etag::json_with_etag(actix_web::http::StatusCode::OK, &view))
}

/// Changes to a planned inspection; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionPatch {
    pub title: Option<String>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub scope: Option<Vec<Target>>,
    pub inspectors: Option<Vec<i64>>,
}

pub(crate) fn state_conflict(current: InspectionStatus, what: &str) -> AppError {
    AppError::conflict("inspection_state", format!("the inspection is {current}; {what}"))
}

/// Change a planned inspection (requires `If-Match`). Like planning it, changing a regular
/// inspection is the leadership group's (SUP-5).
#[utoipa::path(tag = "supervision", request_body = InspectionPatch,
    params(("If-Match" = String, Header, description = "The current ETag")),
    responses(
        (status = 200, body = InspectionView, headers(("ETag" = String))),
        (status = 403, description = "A regular inspection, and the caller is not the leadership group (SUP-5)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer planned", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    if_match: IfMatch,
    body: Json<InspectionPatch>,
) -> Result<HttpResponse, AppError> {
    let (id, p) = (id.get()?.into_inner(), body.get()?.into_inner());
    let (actor, role) = (caller.actor(), caller.role);
    let view = state
        .db
        .write(move |conn| {
            let before = inspection_detail(conn, id)?;
            directs(before.kind, role)?;
            if_match.check(&etag::of(&before))?;
            if before.status != InspectionStatus::Planned {
                return Err(state_conflict(before.status, "only a planned inspection changes"));
            }
            let plan = check_plan(
                conn,
                before.kind,
                p.title.as_deref().unwrap_or(&before.title),
                p.period_from.unwrap_or(before.period_from),
                p.period_to.unwrap_or(before.period_to),
                p.scope.as_deref().unwrap_or(&before.scope),
                p.inspectors.as_deref().unwrap_or(&before.inspectors),
            )?;
            store::replan(conn, id, &plan, crate::db::now())?;
            audit::append(conn, &actor, "inspection.update", "inspection", id, &plan)?;
            inspection_detail(conn, id)
        })
        .await?;
    Ok(etag::json_with_etag(actix_web::http::StatusCode::OK, &view))
}

fn step_refused(e: StepRefused, step: InspectionStep) -> AppError {
    match e {
        StepRefused::State(current) => state_conflict(
            current,
            match step {
                InspectionStep::Start => "only a planned inspection starts",
                InspectionStep::Conclude => "only an inspection in progress concludes",
            },
        ),
        StepRefused::PeriodNotBegun(_) => AppError::Conflict {
            code: "inspection_period_not_begun",
            detail: e.to_string(),
            basis: Basis::of(&[SUP_5]),
        },
    }
}

async fn step(
    state: &AppState,
    caller: &Caller,
    id: i64,
    step: InspectionStep,
    conclusion: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, prefix) = (caller.actor(), state.document_prefix.clone());
    let view = state
        .db
        .write(move |conn| {
            let x = store::get(conn, id).map_err(missing("inspection"))?;
            let to = rules::inspection_step(x.status, step, x.period_from, crate::db::today())
                .map_err(|e| step_refused(e, step))?;
            store::set_status(conn, id, to, conclusion.as_deref(), crate::db::now())?;
            audit::append(
                conn,
                &actor,
                &format!("inspection.{to}"),
                "inspection",
                id,
                &serde_json::json!({"status": to, "conclusion": conclusion}),
            )?;
            if to == InspectionStatus::Concluded {
                documents::issue(conn, id, &prefix, &actor)?;
            }
            inspection_detail(conn, id)
        })
        .await?;
    // The new state's ETag, for a change that follows without reading it again.
    Ok(etag::json_with_etag(actix_web::http::StatusCode::OK, &view))
}

/// Start a planned inspection, on the first day of its period at the earliest (SUP-5). The
/// office carries out the group's regular inspections; only the group plans and changes them.
#[utoipa::path(tag = "supervision",
    responses((status = 200, body = InspectionView, headers(("ETag" = String))),
        (status = 409, description = "Not planned, or its period has not begun (SUP-5)", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/start")]
pub async fn start_inspection(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    step(&state, &caller, id, InspectionStep::Start, None).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcludeRequest {
    /// The inspectors' overall conclusion.
    pub conclusion: Option<String>,
}

/// Conclude an inspection in progress; it is read-only afterwards. Its supervision document
/// (SUP-10) is issued at once with the next number of the year.
#[utoipa::path(tag = "supervision", request_body = ConcludeRequest,
    responses((status = 200, body = InspectionView, headers(("ETag" = String))),
        (status = 409, description = "Not in progress", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/conclude")]
pub async fn conclude_inspection(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ConcludeRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let conclusion = b.conclusion.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if conclusion.as_ref().is_some_and(|c| c.chars().count() > 20_000) {
        return Err(AppError::field("conclusion", "must be at most 20000 characters"));
    }
    step(&state, &caller, id, InspectionStep::Conclude, conclusion).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleFilters {
    pub department_id: Option<i64>,
    pub kind: Option<ActKind>,
    pub decided_from: Option<NaiveDate>,
    pub decided_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"size": 10, "filters": {"department_id": 2, "decided_from": "2026-01-01"}}))]
pub struct SampleRequest {
    /// 1 to 1000.
    pub size: i64,
    #[serde(default)]
    pub filters: SampleFilters,
    /// Given to redo a draw; otherwise a random one is made and recorded.
    pub seed: Option<String>,
}

/// The acts an inspection covers: a sample is drawn among them only, as findings are made.
fn within(conn: &mut DbConn, inspection: i64) -> Result<crate::acts::store::Within, AppError> {
    let (scope, _) = store::plan_lists(conn, inspection)?;
    let mut w = crate::acts::store::Within::default();
    for (kind, id) in scope {
        match kind {
            TargetKind::Department => w.departments.push(id),
            TargetKind::Officer => w.officers.push(id),
            TargetKind::Act => w.acts.push(id),
        }
    }
    Ok(w)
}

/// Draw a random sample of acts for a spot check, among the acts within the inspection's scope
/// that match the filters; the seed and the population are recorded so anyone can redo the draw.
#[utoipa::path(tag = "supervision", request_body = SampleRequest,
    responses((status = 201, body = InspectionView), (status = 409, description = "Concluded", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/sample")]
pub async fn draw_sample(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<SampleRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    if !(1..=1000).contains(&b.size) {
        return Err(AppError::field("size", "must be from 1 to 1000"));
    }
    if let (Some(from), Some(to)) = (b.filters.decided_from, b.filters.decided_to) {
        if from > to {
            return Err(AppError::field(
                "filters.decided_to",
                format!("must not be before decided_from {from}"),
            ));
        }
    }
    let seed = match b.seed {
        Some(s) if !s.is_empty() && s.len() <= 128 => s,
        Some(_) => return Err(AppError::field("seed", "must be 1 to 128 characters")),
        None => crate::auth::tokens::random_token(),
    };
    let (actor, by) = (caller.actor(), caller.user_id);
    let view = state
        .db
        .write(move |conn| {
            let x = store::get(conn, id).map_err(missing("inspection"))?;
            if x.status == InspectionStatus::Concluded {
                return Err(state_conflict(x.status, "a concluded inspection draws no samples"));
            }
            let filter = crate::acts::store::Filter {
                kind: b.filters.kind,
                department_id: b.filters.department_id,
                decided_from: b.filters.decided_from,
                decided_to: b.filters.decided_to,
                ..Default::default()
            };
            let scope = within(conn, id)?;
            let population = crate::acts::store::ids(conn, &filter, &scope)?;
            if population.is_empty() {
                return Err(AppError::field(
                    "filters",
                    "no act within the inspection's scope matches the filters: there is nothing to draw from",
                ));
            }
            let chosen = rules::sample(&seed, &population, b.size as usize);
            let filters = serde_json::to_string(&b.filters).map_err(|e| AppError::Internal(e.to_string()))?;
            // The size drawn: a population smaller than asked is drawn whole.
            let size = chosen.len() as i64;
            let new = store::NewSample { seed: &seed, size, filters: &filters, population: population.len() as i64, act_ids: &chosen };
            let sample_id = store::add_sample(conn, id, &new, by, crate::db::now())?;
            let change = serde_json::json!({"sample_id": sample_id, "seed": seed, "population": population.len(), "act_ids": chosen});
            audit::append(conn, &actor, "inspection.sample", "inspection", id, &change)?;
            inspection_detail(conn, id)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Whether the twice-a-year duty of SUP-5 was met.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2026, "regular_inspections_held": 2, "required": 2, "compliant": true, "inspection_ids": [1, 4], "rule_version": 1, "basis": ["SUP-5"]}))]
pub struct Compliance {
    pub year: i32,
    /// Regular inspections concluded whose period starts in the year.
    pub regular_inspections_held: i64,
    pub required: u32,
    pub compliant: bool,
    pub inspection_ids: Vec<i64>,
    /// The rule-set version in force on 1 January of the year.
    pub rule_version: i64,
    pub basis: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: i32,
}

/// The leadership group's regular inspections of a year against the rule set (SUP-5).
#[utoipa::path(tag = "supervision", params(YearQuery), responses((status = 200, body = Compliance)))]
#[get("/compliance")]
pub async fn compliance(state: web::Data<AppState>, _c: Caller, q: Query<YearQuery>) -> Result<HttpResponse, AppError> {
    let year = q.get()?.into_inner().year;
    let start = NaiveDate::from_ymd_opt(year, 1, 1)
        .filter(|_| (2000..=2100).contains(&year))
        .ok_or_else(|| AppError::BadRequest("year must be from 2000 to 2100".into()))?;
    let out = state
        .db
        .read(move |conn| {
            let held = store::regular_held(conn, year)?;
            let rules = crate::rules::store::in_force(conn, start)?;
            let required = rules.rule.values.regular_inspections_per_year;
            Ok::<_, StoreError>(Compliance {
                year,
                regular_inspections_held: held.len() as i64,
                required,
                compliant: held.len() as u64 >= u64::from(required),
                inspection_ids: held,
                rule_version: rules.rule.version,
                basis: vec![SUP_5.to_string()],
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A finding (问题) with its measures.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    pub id: i64,
    pub inspection_id: i64,
    /// SUP-6 (1)–(9).
    pub checklist_item: i32,
    /// The checklist item in the seed's words.
    pub checklist_text: String,
    pub description: String,
    pub department_id: i64,
    pub officer_id: Option<i64>,
    pub act_id: Option<i64>,
    pub found_on: NaiveDate,
    pub measures: Vec<MeasureView>,
    /// Evidence files (download with `GET /attachments/{id}`).
    pub evidence: Vec<Evidence>,
    /// Accountability cases referred from this finding.
    pub cases: Vec<i64>,
    pub basis: Vec<String>,
    pub created_by: Option<i64>,
}

/// An evidence file of a finding.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FindingEvidence)]
pub struct Evidence {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

pub(crate) fn finding_view(conn: &mut DbConn, x: Finding, today: NaiveDate) -> Result<FindingView, AppError> {
    let measures = store::measures_of_finding(conn, x.id)?;
    let measures = measures
        .into_iter()
        .map(|m| measure_view(conn, m, x.department_id, today))
        .collect::<Result<Vec<_>, _>>()?;
    let evidence = store::evidence(conn, x.id)?
        .into_iter()
        .map(|m| Evidence {
            id: m.id,
            filename: m.filename,
            content_type: m.content_type,
            size: m.size,
            sha256: m.sha256,
        })
        .collect();
    let cases =
        crate::accountability::store::from_source(conn, crate::accountability::rules::SourceKind::Finding, x.id)?;
    Ok(FindingView {
        cases,
        evidence,
        checklist_text: rules::CHECKLIST[(x.checklist_item - 1) as usize].to_owned(),
        basis: vec![format!("SUP-6({})", x.checklist_item)],
        measures,
        id: x.id,
        inspection_id: x.inspection_id,
        checklist_item: x.checklist_item,
        description: x.description,
        department_id: x.department_id,
        officer_id: x.officer_id,
        act_id: x.act_id,
        found_on: x.found_on,
        created_by: x.created_by,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"checklist_item": 2, "description": "执法人员周杰证件已过期仍参与执法", "department_id": 2, "officer_id": 8}))]
pub struct NewFinding {
    /// SUP-6 (1)–(9).
    pub checklist_item: i64,
    pub description: String,
    /// The department targeted.
    pub department_id: i64,
    pub officer_id: Option<i64>,
    pub act_id: Option<i64>,
    /// Default today; not in the future, nor before the inspection's period or the act's
    /// decision.
    pub found_on: Option<NaiveDate>,
}

/// Record a finding of an inspection in progress, about a target within its scope (an
/// inspection with no scope covers the bureau).
#[utoipa::path(tag = "supervision", request_body = NewFinding,
    responses((status = 201, body = FindingView), (status = 409, description = "The inspection is not in progress", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/findings")]
pub async fn add_finding(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<NewFinding>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let today = crate::db::today();
    let mut check = Check::default();
    let description = check.text("description", &b.description, 5000);
    let item = rules::checklist_item(b.checklist_item);
    if item.is_none() {
        check.fail("checklist_item", "must be a SUP-6 checklist item, 1 to 9");
    }
    let found_on = b.found_on.unwrap_or(today);
    if found_on > today {
        check.fail("found_on", "must not be in the future");
    }
    check.finish()?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let view = state
        .db
        .write(move |conn| {
            let x = store::get(conn, id).map_err(missing("inspection"))?;
            if x.status != InspectionStatus::InProgress {
                return Err(state_conflict(
                    x.status,
                    "findings are recorded while it is in progress",
                ));
            }
            check_finding(conn, &x, &b, found_on)?;
            let new = store::NewFinding {
                checklist_item: item.unwrap_or(1),
                description,
                department_id: b.department_id,
                officer_id: b.officer_id,
                act_id: b.act_id,
                found_on,
            };
            let fid = store::add_finding(conn, id, &new, by, crate::db::now())?;
            let finding = store::finding(conn, fid, Visibility::All)?;
            audit::append(conn, &actor, "finding.create", "finding", fid, &finding)?;
            crate::events::emit(
                conn,
                crate::events::EventType::FindingRecorded,
                fid,
                &serde_json::json!({"finding_id": fid, "inspection_id": id, "department_id": finding.department_id,
                    "checklist_item": finding.checklist_item, "act_id": finding.act_id}),
            )?;
            finding_view(conn, finding, today)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The target must exist and lie within the inspection's scope; an officer or act named must
/// belong to the department; nothing is found before the inspection's period or the act.
fn check_finding(
    conn: &mut DbConn,
    x: &store::Inspection,
    b: &NewFinding,
    found_on: NaiveDate,
) -> Result<(), AppError> {
    let mut check = Check::default();
    if crate::org::store::departments::get(conn, b.department_id, Visibility::All).is_err() {
        check.fail("department_id", "no such department");
    }
    if let Some(o) = b.officer_id {
        match crate::org::store::people::get(conn, o) {
            Ok(p) if p.department_id == b.department_id => {}
            Ok(_) => check.fail("officer_id", "the officer is not of that department"),
            Err(_) => check.fail("officer_id", "no such person"),
        }
    }
    // The officers the finding is about: its own, and the act's (an officer's scope covers
    // their acts).
    let mut named: Vec<i64> = b.officer_id.into_iter().collect();
    if let Some(a) = b.act_id {
        match crate::acts::store::get(conn, a, Visibility::All) {
            Ok(act) if act.department_id != b.department_id => {
                check.fail("act_id", "the act is not of that department")
            }
            Ok(act) if found_on < act.decision_date => check.fail(
                "found_on",
                format!("must not be before the act's decision date {}", act.decision_date),
            ),
            Ok(_) => {
                let officers = crate::acts::store::officers(conn, a)?;
                if b.officer_id.is_some_and(|o| !officers.iter().any(|(p, _)| *p == o)) {
                    check.fail("officer_id", "the officer is not one of the act's enforcing officers");
                }
                named.extend(officers.into_iter().map(|(p, _)| p));
            }
            Err(_) => check.fail("act_id", "no such act"),
        }
    }
    if found_on < x.period_from {
        check.fail(
            "found_on",
            format!(
                "must not be before the inspection's period, which begins on {}",
                x.period_from
            ),
        );
    }
    let (scope, _) = store::plan_lists(conn, x.id)?;
    if !rules::in_scope(&scope, b.department_id, &named, b.act_id) {
        check.fail(
            "department_id",
            "the target lies outside the inspection's scope: name a department, officer or act it covers",
        );
    }
    check.finish()
}

/// Whether an inspection covers `department`: no scope (the whole bureau), or the department,
/// one of its officers or one of its acts is listed.
fn department_in_scope(conn: &mut DbConn, inspection: i64, department: i64) -> Result<bool, AppError> {
    let (scope, _) = store::plan_lists(conn, inspection)?;
    if scope.is_empty() {
        return Ok(true);
    }
    for (kind, id) in scope {
        let of = match kind {
            TargetKind::Department => id,
            TargetKind::Officer => crate::org::store::people::get(conn, id)?.department_id,
            TargetKind::Act => crate::acts::store::get(conn, id, Visibility::All)?.department_id,
        };
        if of == department {
            return Ok(true);
        }
    }
    Ok(false)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    pub inspection_id: Option<i64>,
    pub department_id: Option<i64>,
    pub checklist_item: Option<i32>,
    pub found_from: Option<NaiveDate>,
    pub found_to: Option<NaiveDate>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List findings (staff: those targeting their department).
#[utoipa::path(tag = "supervision", params(FindingQuery), responses((status = 200, body = Page<FindingView>)))]
#[get("")]
pub async fn list_findings(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<FindingQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    if let (Some(from), Some(to)) = (q.found_from, q.found_to) {
        if to < from {
            return Err(AppError::BadRequest("found_to must not be before found_from".into()));
        }
    }
    if q.checklist_item.is_some_and(|i| !(1..=9).contains(&i)) {
        return Err(AppError::BadRequest(
            "checklist_item must be from 1 to 9 (SUP-6)".into(),
        ));
    }
    let filter = store::FindingFilter {
        inspection_id: q.inspection_id,
        department_id: q.department_id,
        checklist_item: q.checklist_item,
        found_from: q.found_from,
        found_to: q.found_to,
    };
    let (vis, today) = (caller.visibility(), crate::db::today());
    let views = state
        .db
        .read(move |conn| {
            let rows = store::findings(conn, vis, &filter, page)?;
            rows.into_iter()
                .map(|x| finding_view(conn, x, today))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |v| v.id)))
}

/// One finding with its measures.
#[utoipa::path(tag = "supervision", responses((status = 200, body = FindingView)))]
#[get("/{id}")]
pub async fn get_finding(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis, today) = (id.get()?.into_inner(), caller.visibility(), crate::db::today());
    let view = state
        .db
        .read(move |conn| {
            let x = store::finding(conn, id, vis).map_err(missing("finding"))?;
            finding_view(conn, x, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Attach an evidence file to a finding of an inspection not yet concluded.
#[utoipa::path(tag = "supervision",
    request_body(content = crate::publicity::files::FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = FindingView),
        (status = 409, description = "The inspection is concluded", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/evidence")]
pub async fn add_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    form: crate::http::checked::Checked<actix_multipart::Multipart>,
) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let upload = crate::publicity::files::read(form.get()?, &[]).await?;
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let view = state
        .db
        .write(move |conn| {
            let finding = store::finding(conn, id, Visibility::All).map_err(missing("finding"))?;
            let x = store::get(conn, finding.inspection_id)?;
            if x.status == InspectionStatus::Concluded {
                return Err(state_conflict(x.status, "its findings take no more evidence"));
            }
            let att = crate::publicity::store::add_attachment(conn, &upload.file, by, crate::db::now())?;
            store::attach_evidence(conn, id, att)?;
            let change = serde_json::json!({"attachment_id": att, "filename": upload.file.filename, "sha256": upload.file.sha256});
            audit::append(conn, &actor, "finding.evidence", "finding", id, &change)?;
            finding_view(conn, finding, today)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// A handling measure (SUP-7) and its follow-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureView {
    pub id: i64,
    pub finding_id: i64,
    /// SUP-7 (1)–(6).
    pub item: i32,
    pub action: MeasureAction,
    pub deadline: Option<NaiveDate>,
    pub note: String,
    pub status: MeasureStatus,
    /// Open or reported past the deadline.
    pub overdue: bool,
    /// The certificate a SUP-7(2) measure suspended or confiscated.
    pub certificate_id: Option<i64>,
    pub department_id: i64,
    pub rectifications: Vec<RectificationView>,
    pub basis: Vec<String>,
}

/// A rectification report and, once verified, the inspector's verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct RectificationView {
    pub id: i64,
    pub report: String,
    pub reported_by: Option<i64>,
    pub accepted: Option<bool>,
    pub comment: Option<String>,
    pub verified_by: Option<i64>,
}

impl From<Rectification> for RectificationView {
    fn from(r: Rectification) -> Self {
        Self {
            id: r.id,
            report: r.report,
            reported_by: r.reported_by,
            accepted: r.accepted,
            comment: r.comment,
            verified_by: r.verified_by,
        }
    }
}

fn measure_view(conn: &mut DbConn, x: Measure, department_id: i64, today: NaiveDate) -> Result<MeasureView, AppError> {
    let rectifications = store::rectifications(conn, x.id)?.into_iter().map(Into::into).collect();
    Ok(MeasureView {
        overdue: rules::measure_overdue(x.status, x.deadline, today),
        basis: vec![format!("SUP-7({})", x.item)],
        rectifications,
        department_id,
        id: x.id,
        finding_id: x.finding_id,
        item: x.item,
        action: x.action,
        deadline: x.deadline,
        note: x.note,
        status: x.status,
        certificate_id: x.certificate_id,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"item": 2, "action": "suspend_certificate", "note": "证件失效，予以暂扣"}))]
pub struct NewMeasure {
    /// SUP-7 (1)–(6); must fit the finding's checklist item.
    pub item: i64,
    pub action: MeasureAction,
    /// Required for order_filing and order_performance; today or later (China time).
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
}

/// Applies the measure's effect; returns the certificate it changed, if any.
fn apply_effect(
    conn: &mut DbConn,
    finding: &Finding,
    action: MeasureAction,
    by: i64,
    note: &str,
) -> Result<Option<i64>, AppError> {
    let now = crate::db::now();
    match action {
        MeasureAction::SuspendCertificate | MeasureAction::ConfiscateCertificate => {
            let officer = finding
                .officer_id
                .ok_or_else(|| AppError::field("action", "the finding names no officer whose certificate to take"))?;
            let to = if action == MeasureAction::SuspendCertificate {
                CertificateStatus::Suspended
            } else {
                CertificateStatus::Revoked
            };
            let held = crate::org::store::certificates::held_by(conn, officer)?;
            let target =
                crate::org::rules::certificate_to_take(&held, to, CauseKind::InspectionFinding, crate::db::today());
            let Some((cert, from)) = target else {
                return Err(AppError::field(
                    "action",
                    "the officer holds no certificate this measure can take",
                ));
            };
            let reason = format!(
                "SUP-7(2): finding {} — {}",
                finding.id,
                if note.is_empty() { &finding.description } else { note }
            );
            let change = crate::org::store::certificates::Change {
                to,
                reason: &reason,
                cause_kind: CauseKind::InspectionFinding,
                cause_ref: Some(finding.id),
                by: Some(by),
            };
            crate::org::store::certificates::change_status(conn, cert, from, &change, now)?;
            audit::append(
                conn,
                &Actor::User(by),
                "certificate.status",
                "certificate",
                cert,
                &serde_json::json!({"from": from, "to": to, "cause": {"kind": "inspection_finding", "id": finding.id}}),
            )?;
            Ok(Some(cert))
        }
        MeasureAction::Revoke | MeasureAction::Correct | MeasureAction::OrderFiling => {
            let act_id = finding
                .act_id
                .ok_or_else(|| AppError::field("action", "the finding names no act"))?;
            let act = crate::acts::store::get(conn, act_id, Visibility::All)?;
            if act.status == crate::acts::rules::ActStatus::Revoked {
                return Err(AppError::conflict("act_revoked", "the act is already revoked"));
            }
            if action == MeasureAction::OrderFiling && (!act.major || act.filed_on.is_some()) {
                return Err(AppError::field(
                    "action",
                    "only an unfiled major act is ordered to be filed (SUP-6(8))",
                ));
            }
            if action == MeasureAction::Revoke {
                let reason = format!("SUP-7: finding {} — {}", finding.id, finding.description);
                crate::acts::store::revoke(conn, act_id, &reason, now)?;
                audit::append(
                    conn,
                    &Actor::User(by),
                    "act.revoke",
                    "act",
                    act_id,
                    &serde_json::json!({"reason": reason, "finding": finding.id}),
                )?;
            }
            Ok(None)
        }
        MeasureAction::OrderPerformance => Ok(None),
    }
}

/// Impose a handling measure on a finding (SUP-7), with its effect at once: a certificate is
/// suspended or confiscated with the finding as cause; a revoked act is marked revoked and its
/// published decision taken down.
#[utoipa::path(tag = "supervision", request_body = NewMeasure,
    responses(
        (status = 201, body = FindingView),
        (status = 409, description = "The inspection is concluded, the act already revoked, or the same order is still open on the finding (`measure_pending`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/measures")]
pub async fn add_measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<NewMeasure>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let today = crate::db::today();
    let mut check = Check::default();
    let note = check.optional_text("note", &b.note, 5000);
    // A time limit an order sets (责令限期, SUP-7(5), (6)) runs from the order: one already
    // past would make the measure overdue the day it is imposed.
    if let Some(deadline) = b.deadline {
        if deadline < today {
            check.fail(
                "deadline",
                "a time limit set by an order (SUP-7) must be today or later",
            );
        }
        check.reportable_day("deadline", deadline);
    }
    check.finish()?;
    let item = u8::try_from(b.item).unwrap_or(0);
    let (actor, by) = (caller.actor(), caller.user_id);
    let view = state
        .db
        .write(move |conn| {
            let finding = store::finding(conn, id, Visibility::All).map_err(missing("finding"))?;
            let x = store::get(conn, finding.inspection_id)?;
            if x.status == InspectionStatus::Concluded {
                return Err(state_conflict(x.status, "measures are imposed before it concludes"));
            }
            rules::measure_fits(item, b.action, finding.checklist_item)
                .map_err(|e| AppError::rule("measure_does_not_fit", e.to_string(), e.basis(item)))?;
            if b.action.needs_deadline() && b.deadline.is_none() {
                return Err(AppError::field("deadline", "this measure sets a deadline"));
            }
            let pending = store::measures_of_finding(conn, id)?
                .into_iter()
                .find(|m| m.action == b.action && matches!(m.status, MeasureStatus::Open | MeasureStatus::Reported));
            if let Some(m) = pending {
                return Err(AppError::conflict(
                    "measure_pending",
                    format!(
                        "measure {} already orders this and is {}: one order at a time",
                        m.id, m.status
                    ),
                ));
            }
            let certificate_id = apply_effect(conn, &finding, b.action, by, &note)?;
            let new = store::NewMeasure {
                item: i32::from(item),
                action: b.action,
                deadline: b.deadline,
                note,
                status: if b.action.immediate() {
                    MeasureStatus::Executed
                } else {
                    MeasureStatus::Open
                },
                certificate_id,
            };
            let mid = store::add_measure(conn, id, &new, by, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "measure.create",
                "measure",
                mid,
                &serde_json::json!({"finding": id, "item": item, "action": b.action, "deadline": b.deadline}),
            )?;
            crate::events::emit(
                conn,
                crate::events::EventType::MeasureImposed,
                mid,
                &serde_json::json!({"measure_id": mid, "finding_id": id, "item": item, "action": b.action,
                    "deadline": b.deadline}),
            )?;
            finding_view(conn, finding, today)
        })
        .await?;
    state.public_cache.invalidate();
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    pub finding_id: Option<i64>,
    pub department_id: Option<i64>,
    pub status: Option<MeasureStatus>,
    /// Only measures past their deadline and not verified.
    pub overdue: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List measures (staff: those targeting their department).
#[utoipa::path(tag = "supervision", params(MeasureQuery), responses((status = 200, body = Page<MeasureView>)))]
#[get("")]
pub async fn list_measures(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<MeasureQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let today = crate::db::today();
    let filter = store::MeasureFilter {
        finding_id: q.finding_id,
        department_id: q.department_id,
        status: q.status,
        overdue_on: q.overdue.filter(|o| *o).map(|_| today),
    };
    let vis = caller.visibility();
    let views = state
        .db
        .read(move |conn| {
            let rows = store::measures(conn, vis, &filter, page)?;
            rows.into_iter()
                .map(|(x, d)| measure_view(conn, x, d, today))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |v| v.id)))
}

/// One measure with its rectification reports.
#[utoipa::path(tag = "supervision", responses((status = 200, body = MeasureView)))]
#[get("/{id}")]
pub async fn get_measure(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis, today) = (id.get()?.into_inner(), caller.visibility(), crate::db::today());
    let view = state
        .db
        .read(move |conn| {
            let (x, d) = store::measure(conn, id, vis).map_err(missing("measure"))?;
            measure_view(conn, x, d, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"report": "已补办备案手续，备案号2026-017"}))]
pub struct RectificationReport {
    pub report: String,
}

/// Report rectification of an open measure (the target department).
#[utoipa::path(tag = "supervision", request_body = RectificationReport,
    responses((status = 201, body = MeasureView), (status = 409, description = "Not open (`measure_state`), or the caller is the inspection's only inspector, who verifies it (`sole_inspector_reports`)", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/rectification")]
pub async fn report_rectification(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<RectificationReport>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let text = check.text("report", &b.report, 5000);
    check.finish()?;
    let (actor, by, vis, today) = (caller.actor(), caller.user_id, caller.visibility(), crate::db::today());
    let me = caller.person_id;
    let view = state
        .db
        .write(move |conn| {
            let (x, d) = store::measure(conn, id, vis).map_err(missing("measure"))?;
            if x.status != MeasureStatus::Open {
                return Err(AppError::conflict(
                    "measure_state",
                    format!("the measure is {}; only an open measure is reported", x.status),
                ));
            }
            // Another inspector verifies what is reported; with none, the measure would stay
            // reported for good.
            let inspectors = inspectors_behind(conn, x.finding_id)?;
            if me.is_some_and(|p| inspectors == [p]) {
                return Err(AppError::conflict(
                    "sole_inspector_reports",
                    "the inspection's only inspector verifies this rectification and cannot also report it: the inspected department reports it",
                ));
            }
            let now = crate::db::now();
            let rid = store::report(conn, id, &text, by, now)?;
            store::set_measure_status(conn, id, MeasureStatus::Reported, now)?;
            audit::append(
                conn,
                &actor,
                "measure.rectification",
                "measure",
                id,
                &serde_json::json!({"report_id": rid, "report": text}),
            )?;
            let (x, _) = store::measure(conn, id, Visibility::All)?;
            measure_view(conn, x, d, today)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"accepted": true, "comment": "经核查已整改到位"}))]
#[schema(as = RectificationVerdict)]
pub struct Verification {
    pub accepted: bool,
    #[serde(default)]
    pub comment: String,
}

/// An order to file (SUP-7(5)) is rectified only once the act is filed (SUP-6(8)), or moot
/// once the act is revoked: a revoked act can no longer be filed.
fn filing_done(conn: &mut DbConn, finding: i64) -> Result<(), AppError> {
    let act = store::finding(conn, finding, Visibility::All)?.act_id;
    let filed = match act {
        Some(a) => {
            let act = crate::acts::store::get(conn, a, Visibility::All)?;
            act.filed_on.is_some() || act.status == crate::acts::rules::ActStatus::Revoked
        }
        None => true,
    };
    if filed {
        return Ok(());
    }
    Err(AppError::Conflict {
        code: "act_not_filed",
        detail: "the order to file is not rectified: the act is still not filed".into(),
        basis: Basis::of(&[crate::acts::rules::SUP_6_8]),
    })
}

/// The inspectors of the inspection that made a finding: they verify its rectifications.
fn inspectors_behind(conn: &mut DbConn, finding: i64) -> Result<Vec<i64>, AppError> {
    let inspection = store::finding(conn, finding, Visibility::All)?.inspection_id;
    Ok(store::plan_lists(conn, inspection)?.1)
}

/// Verify a reported rectification (an inspector): accepted closes the measure, rejected
/// opens it again. Nobody verifies their own report.
#[utoipa::path(tag = "supervision", request_body = Verification,
    responses((status = 200, body = MeasureView), (status = 409, description = "Nothing reported, one's own report, or an order to file accepted while the act is unfiled (`act_not_filed`)", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/verify")]
pub async fn verify_rectification(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<Verification>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let comment = check.optional_text("comment", &b.comment, 5000);
    check.finish()?;
    let (actor, by, me, today) = (caller.actor(), caller.user_id, caller.person_id, crate::db::today());
    let view = state
        .db
        .write(move |conn| {
            let (x, d) = store::measure(conn, id, Visibility::All).map_err(missing("measure"))?;
            let inspectors = inspectors_behind(conn, x.finding_id)?;
            if !me.is_some_and(|p| inspectors.contains(&p)) {
                return Err(AppError::Forbidden(
                    "a rectification is verified by an inspector of the inspection that found it".into(),
                ));
            }
            let pending = store::rectifications(conn, id)?
                .into_iter()
                .rev()
                .find(|r| r.verified_at.is_none());
            let report = match (x.status, pending) {
                (MeasureStatus::Reported, Some(r)) => r,
                _ => {
                    return Err(AppError::conflict(
                        "measure_state",
                        format!("the measure is {}; nothing awaits verification", x.status),
                    ))
                }
            };
            if report.reported_by == Some(by) {
                return Err(AppError::conflict(
                    "own_report",
                    "an inspector does not verify a rectification they reported",
                ));
            }
            if b.accepted && x.action == MeasureAction::OrderFiling {
                filing_done(conn, x.finding_id)?;
            }
            let now = crate::db::now();
            store::verify(conn, report.id, b.accepted, &comment, by, now)?;
            let to = if b.accepted {
                MeasureStatus::Verified
            } else {
                MeasureStatus::Open
            };
            store::set_measure_status(conn, id, to, now)?;
            audit::append(
                conn,
                &actor,
                "measure.verify",
                "measure",
                id,
                &serde_json::json!({"report_id": report.id, "accepted": b.accepted, "comment": b.comment}),
            )?;
            let (x, _) = store::measure(conn, id, Visibility::All)?;
            measure_view(conn, x, d, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Inspections and their cooperation requests, under `/inspections`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(start_inspection)
        .service(conclude_inspection)
        .service(draw_sample)
        .service(add_finding)
        .service(cooperation::create);
}

/// Findings, under `/findings`.
pub fn finding_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_findings)
        .service(get_finding)
        .service(add_evidence)
        .service(add_measure);
}

/// Rectification measures, under `/measures`.
pub fn measure_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_measures)
        .service(get_measure)
        .service(report_rectification)
        .service(verify_rectification);
}

/// Compliance and trends, under `/supervision`.
pub fn supervision_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(compliance).configure(trends::routes);
}
