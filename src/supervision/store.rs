//! Storage of inspections, sample draws, findings, measures and rectification reports.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{InspectionKind, InspectionStatus, MeasureAction, MeasureStatus, TargetKind};
use crate::auth::rules::Visibility;
use crate::db::schema::findings::dsl as f;
use crate::db::schema::inspection_inspectors::dsl as ii;
use crate::db::schema::inspection_samples::dsl as sm;
use crate::db::schema::inspection_scope::dsl as sc;
use crate::db::schema::inspections::dsl as i;
use crate::db::schema::measures::dsl as m;
use crate::db::schema::rectifications::dsl as r;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;
use crate::rules::calendar::year_bounds;

#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct Inspection {
    pub id: i64,
    pub kind: InspectionKind,
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: InspectionStatus,
    pub created_by: Option<i64>,
    pub started_at: Option<NaiveDateTime>,
    pub concluded_at: Option<NaiveDateTime>,
    pub conclusion: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

macro_rules! inspection_columns {
    () => {
        (
            i::id,
            i::kind,
            i::title,
            i::period_from,
            i::period_to,
            i::status,
            i::created_by,
            i::started_at,
            i::concluded_at,
            i::conclusion,
            i::created_at,
            i::updated_at,
        )
    };
}

/// An inspection's scope: what kind of target, and which.
pub type Scope = Vec<(TargetKind, i64)>;

/// What is planned: title, period, scope and inspectors.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Plan {
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub scope: Scope,
    pub inspectors: Vec<i64>,
}

pub fn create(
    conn: &mut DbConn,
    kind: InspectionKind,
    plan: &Plan,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let id: i64 = diesel::insert_into(i::inspections)
        .values((
            i::kind.eq(kind),
            i::title.eq(&plan.title),
            i::period_from.eq(plan.period_from),
            i::period_to.eq(plan.period_to),
            i::status.eq(InspectionStatus::Planned),
            i::created_by.eq(by),
            i::created_at.eq(now),
            i::updated_at.eq(now),
        ))
        .returning(i::id)
        .get_result(conn)?;
    set_plan_lists(conn, id, plan)?;
    Ok(id)
}

fn set_plan_lists(conn: &mut DbConn, id: i64, plan: &Plan) -> Result<(), StoreError> {
    diesel::delete(sc::inspection_scope.filter(sc::inspection_id.eq(id))).execute(conn)?;
    diesel::delete(ii::inspection_inspectors.filter(ii::inspection_id.eq(id))).execute(conn)?;
    for (kind, target) in &plan.scope {
        diesel::insert_into(sc::inspection_scope)
            .values((
                sc::inspection_id.eq(id),
                sc::target_kind.eq(kind),
                sc::target_id.eq(target),
            ))
            .execute(conn)?;
    }
    for person in &plan.inspectors {
        diesel::insert_into(ii::inspection_inspectors)
            .values((ii::inspection_id.eq(id), ii::person_id.eq(person)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn replan(conn: &mut DbConn, id: i64, plan: &Plan, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        i::inspections,
        (
            i::title.eq(&plan.title),
            i::period_from.eq(plan.period_from),
            i::period_to.eq(plan.period_to),
            i::updated_at.eq(now),
        ),
        i::id.eq(id),
    )
    .execute(conn)?;
    set_plan_lists(conn, id, plan)
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<Inspection, StoreError> {
    Ok(i::inspections
        .select(inspection_columns!())
        .filter(i::id.eq(id))
        .first(conn)?)
}

pub fn plan_lists(conn: &mut DbConn, id: i64) -> Result<(Scope, Vec<i64>), StoreError> {
    let scope = sc::inspection_scope
        .filter(sc::inspection_id.eq(id))
        .order((sc::target_kind.asc(), sc::target_id.asc()))
        .select((sc::target_kind, sc::target_id))
        .load(conn)?;
    let inspectors = ii::inspection_inspectors
        .filter(ii::inspection_id.eq(id))
        .order(ii::person_id.asc())
        .select(ii::person_id)
        .load(conn)?;
    Ok((scope, inspectors))
}

#[derive(Debug, Default)]
pub struct InspectionFilter {
    pub kind: Option<InspectionKind>,
    pub status: Option<InspectionStatus>,
    /// Inspections whose period starts in this year.
    pub year: Option<i32>,
}

pub fn list(conn: &mut DbConn, filter: &InspectionFilter, page: PageRequest) -> Result<Vec<Inspection>, StoreError> {
    let mut q = i::inspections
        .select(inspection_columns!())
        .order(i::id.asc())
        .limit(page.fetch())
        .into_boxed();
    crate::filter_if_some!(q, filter.kind => i::kind.eq);
    crate::filter_if_some!(q, filter.status => i::status.eq);
    if let Some(y) = filter.year {
        let (from, to) = year_bounds(y);
        q = q.filter(i::period_from.ge(from)).filter(i::period_from.le(to));
    }
    crate::filter_if_some!(q, page.after => i::id.gt);
    Ok(q.load(conn)?)
}

pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: InspectionStatus,
    conclusion: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let (table, target) = (i::inspections, i::id.eq(id));
    match status {
        InspectionStatus::InProgress => crate::db::update(
            table,
            (i::status.eq(status), i::started_at.eq(now), i::updated_at.eq(now)),
            target,
        )
        .execute(conn)?,
        _ => crate::db::update(
            table,
            (
                i::status.eq(status),
                i::concluded_at.eq(now),
                i::conclusion.eq(conclusion),
                i::updated_at.eq(now),
            ),
            target,
        )
        .execute(conn)?,
    };
    Ok(())
}

/// Regular inspections concluded whose period starts in `year` (SUP-5).
pub fn regular_held(conn: &mut DbConn, year: i32) -> Result<Vec<i64>, StoreError> {
    let (from, to) = year_bounds(year);
    Ok(i::inspections
        .filter(i::kind.eq(InspectionKind::Regular))
        .filter(i::status.eq(InspectionStatus::Concluded))
        .filter(i::period_from.ge(from))
        .filter(i::period_from.le(to))
        .order(i::id.asc())
        .select(i::id)
        .load(conn)?)
}

/// A recorded sample draw.
#[derive(Clone, Debug, Queryable)]
pub struct SampleDraw {
    pub id: i64,
    pub seed: String,
    pub size: i64,
    pub filters: String,
    pub population: i64,
    pub act_ids: String,
    pub drawn_by: Option<i64>,
    pub drawn_at: NaiveDateTime,
}

pub struct NewSample<'a> {
    pub seed: &'a str,
    pub size: i64,
    pub filters: &'a str,
    pub population: i64,
    pub act_ids: &'a [i64],
}

pub fn add_sample(
    conn: &mut DbConn,
    inspection: i64,
    s: &NewSample,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let ids = serde_json::to_string(s.act_ids).map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(diesel::insert_into(sm::inspection_samples)
        .values((
            sm::inspection_id.eq(inspection),
            sm::seed.eq(s.seed),
            sm::size.eq(s.size),
            sm::filters.eq(s.filters),
            sm::population.eq(s.population),
            sm::act_ids.eq(ids),
            sm::drawn_by.eq(by),
            sm::drawn_at.eq(now),
        ))
        .returning(sm::id)
        .get_result(conn)?)
}

pub fn samples(conn: &mut DbConn, inspection: i64) -> Result<Vec<SampleDraw>, StoreError> {
    Ok(sm::inspection_samples
        .filter(sm::inspection_id.eq(inspection))
        .order(sm::id.asc())
        .select((
            sm::id,
            sm::seed,
            sm::size,
            sm::filters,
            sm::population,
            sm::act_ids,
            sm::drawn_by,
            sm::drawn_at,
        ))
        .load(conn)?)
}

#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct Finding {
    pub id: i64,
    pub inspection_id: i64,
    pub checklist_item: i32,
    pub description: String,
    pub department_id: i64,
    pub officer_id: Option<i64>,
    pub act_id: Option<i64>,
    pub found_on: NaiveDate,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

macro_rules! finding_columns {
    () => {
        (
            f::id,
            f::inspection_id,
            f::checklist_item,
            f::description,
            f::department_id,
            f::officer_id,
            f::act_id,
            f::found_on,
            f::created_by,
            f::created_at,
        )
    };
}

pub struct NewFinding {
    pub checklist_item: i32,
    pub description: String,
    pub department_id: i64,
    pub officer_id: Option<i64>,
    pub act_id: Option<i64>,
    pub found_on: NaiveDate,
}

pub fn add_finding(
    conn: &mut DbConn,
    inspection: i64,
    n: &NewFinding,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(f::findings)
        .values((
            f::inspection_id.eq(inspection),
            f::checklist_item.eq(n.checklist_item),
            f::description.eq(&n.description),
            f::department_id.eq(n.department_id),
            f::officer_id.eq(n.officer_id),
            f::act_id.eq(n.act_id),
            f::found_on.eq(n.found_on),
            f::created_by.eq(by),
            f::created_at.eq(now),
        ))
        .returning(f::id)
        .get_result(conn)?)
}

/// Staff see findings that target their department or themselves.
pub fn finding(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Finding, StoreError> {
    let q = f::findings.select(finding_columns!()).filter(f::id.eq(id)).into_boxed();
    Ok(crate::visible!(q, vis, f::department_id).first(conn)?)
}

#[derive(Debug, Default)]
pub struct FindingFilter {
    pub inspection_id: Option<i64>,
    pub department_id: Option<i64>,
    pub checklist_item: Option<i32>,
    pub found_from: Option<NaiveDate>,
    pub found_to: Option<NaiveDate>,
}

pub fn findings(
    conn: &mut DbConn,
    vis: Visibility,
    filter: &FindingFilter,
    page: PageRequest,
) -> Result<Vec<Finding>, StoreError> {
    let mut q = f::findings
        .select(finding_columns!())
        .order(f::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, f::department_id);
    crate::filter_if_some!(q, filter.inspection_id => f::inspection_id.eq);
    crate::filter_if_some!(q, filter.department_id => f::department_id.eq);
    crate::filter_if_some!(q, filter.checklist_item => f::checklist_item.eq);
    crate::filter_if_some!(q, filter.found_from => f::found_on.ge);
    crate::filter_if_some!(q, filter.found_to => f::found_on.le);
    crate::filter_if_some!(q, page.after => f::id.gt);
    Ok(q.load(conn)?)
}

#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct Measure {
    pub id: i64,
    pub finding_id: i64,
    pub item: i32,
    pub action: MeasureAction,
    pub deadline: Option<NaiveDate>,
    pub note: String,
    pub status: MeasureStatus,
    pub certificate_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

macro_rules! measure_columns {
    () => {
        (
            m::id,
            m::finding_id,
            m::item,
            m::action,
            m::deadline,
            m::note,
            m::status,
            m::certificate_id,
            m::created_by,
            m::created_at,
            m::updated_at,
        )
    };
}

pub struct NewMeasure {
    pub item: i32,
    pub action: MeasureAction,
    pub deadline: Option<NaiveDate>,
    pub note: String,
    pub status: MeasureStatus,
    pub certificate_id: Option<i64>,
}

pub fn add_measure(
    conn: &mut DbConn,
    finding: i64,
    n: &NewMeasure,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(m::measures)
        .values((
            m::finding_id.eq(finding),
            m::item.eq(n.item),
            m::action.eq(n.action),
            m::deadline.eq(n.deadline),
            m::note.eq(&n.note),
            m::status.eq(n.status),
            m::certificate_id.eq(n.certificate_id),
            m::created_by.eq(by),
            m::created_at.eq(now),
            m::updated_at.eq(now),
        ))
        .returning(m::id)
        .get_result(conn)?)
}

/// A measure with the department its finding targets, as the caller may see it.
pub fn measure(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<(Measure, i64), StoreError> {
    let q = m::measures
        .inner_join(f::findings)
        .select((measure_columns!(), f::department_id))
        .filter(m::id.eq(id))
        .into_boxed();
    Ok(crate::visible!(q, vis, f::department_id).first(conn)?)
}

#[derive(Debug, Default)]
pub struct MeasureFilter {
    pub finding_id: Option<i64>,
    pub department_id: Option<i64>,
    pub status: Option<MeasureStatus>,
    /// Open or reported and past the deadline on this day.
    pub overdue_on: Option<NaiveDate>,
}

pub fn measures(
    conn: &mut DbConn,
    vis: Visibility,
    filter: &MeasureFilter,
    page: PageRequest,
) -> Result<Vec<(Measure, i64)>, StoreError> {
    let mut q = m::measures
        .inner_join(f::findings)
        .select((measure_columns!(), f::department_id))
        .order(m::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, f::department_id);
    crate::filter_if_some!(q, filter.finding_id => m::finding_id.eq);
    crate::filter_if_some!(q, filter.department_id => f::department_id.eq);
    crate::filter_if_some!(q, filter.status => m::status.eq);
    if let Some(day) = filter.overdue_on {
        q = q
            .filter(m::status.eq_any([MeasureStatus::Open, MeasureStatus::Reported]))
            .filter(m::deadline.lt(day));
    }
    crate::filter_if_some!(q, page.after => m::id.gt);
    Ok(q.load(conn)?)
}

pub fn measures_of_finding(conn: &mut DbConn, finding: i64) -> Result<Vec<Measure>, StoreError> {
    Ok(m::measures
        .select(measure_columns!())
        .filter(m::finding_id.eq(finding))
        .order(m::id.asc())
        .load(conn)?)
}

pub fn set_measure_status(
    conn: &mut DbConn,
    id: i64,
    status: MeasureStatus,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(m::measures, (m::status.eq(status), m::updated_at.eq(now)), m::id.eq(id)).execute(conn)?;
    Ok(())
}

/// A rectification report and its verification.
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct Rectification {
    pub id: i64,
    pub measure_id: i64,
    pub report: String,
    pub reported_by: Option<i64>,
    pub reported_at: NaiveDateTime,
    pub accepted: Option<bool>,
    pub comment: Option<String>,
    pub verified_by: Option<i64>,
    pub verified_at: Option<NaiveDateTime>,
}

pub fn report(conn: &mut DbConn, measure: i64, text: &str, by: i64, now: NaiveDateTime) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(r::rectifications)
        .values((
            r::measure_id.eq(measure),
            r::report.eq(text),
            r::reported_by.eq(by),
            r::reported_at.eq(now),
        ))
        .returning(r::id)
        .get_result(conn)?)
}

pub fn rectifications(conn: &mut DbConn, measure: i64) -> Result<Vec<Rectification>, StoreError> {
    Ok(r::rectifications
        .filter(r::measure_id.eq(measure))
        .order(r::id.asc())
        .select((
            r::id,
            r::measure_id,
            r::report,
            r::reported_by,
            r::reported_at,
            r::accepted,
            r::comment,
            r::verified_by,
            r::verified_at,
        ))
        .load(conn)?)
}

pub fn verify(
    conn: &mut DbConn,
    report: i64,
    accepted: bool,
    comment: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(
        r::rectifications,
        (
            r::accepted.eq(accepted),
            r::comment.eq(comment),
            r::verified_by.eq(by),
            r::verified_at.eq(now),
        ),
        r::id.eq(report),
    )
    .execute(conn)?;
    Ok(())
}

use super::rules::RequestStatus;
use crate::db::schema::document_targets::dsl as dt;
use crate::db::schema::material_requests::dsl as mr;
use crate::db::schema::supervision_documents::dsl as sd;
use crate::db::schema::trend_analyses::dsl as ta;

/// A request for materials (SUP-8).
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct MaterialRequest {
    pub id: i64,
    pub inspection_id: i64,
    pub department_id: i64,
    pub description: String,
    pub deadline: NaiveDate,
    pub status: RequestStatus,
    pub response: Option<String>,
    pub responded_by: Option<i64>,
    pub responded_on: Option<NaiveDate>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

macro_rules! request_columns {
    () => {
        (
            mr::id,
            mr::inspection_id,
            mr::department_id,
            mr::description,
            mr::deadline,
            mr::status,
            mr::response,
            mr::responded_by,
            mr::responded_on,
            mr::created_by,
            mr::created_at,
        )
    };
}

pub fn add_request(
    conn: &mut DbConn,
    inspection: i64,
    department: i64,
    description: &str,
    deadline: NaiveDate,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(mr::material_requests)
        .values((
            mr::inspection_id.eq(inspection),
            mr::department_id.eq(department),
            mr::description.eq(description),
            mr::deadline.eq(deadline),
            mr::status.eq(RequestStatus::Open),
            mr::created_by.eq(by),
            mr::created_at.eq(now),
        ))
        .returning(mr::id)
        .get_result(conn)?)
}

pub fn request(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<MaterialRequest, StoreError> {
    let q = mr::material_requests
        .select(request_columns!())
        .filter(mr::id.eq(id))
        .into_boxed();
    Ok(crate::visible!(q, vis, mr::department_id).first(conn)?)
}

#[derive(Debug, Default)]
pub struct RequestFilter {
    pub inspection_id: Option<i64>,
    pub department_id: Option<i64>,
}

pub fn requests(
    conn: &mut DbConn,
    vis: Visibility,
    f: &RequestFilter,
    page: PageRequest,
) -> Result<Vec<MaterialRequest>, StoreError> {
    let mut q = mr::material_requests
        .select(request_columns!())
        .order(mr::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, mr::department_id);
    crate::filter_if_some!(q, f.inspection_id => mr::inspection_id.eq);
    crate::filter_if_some!(q, f.department_id => mr::department_id.eq);
    crate::filter_if_some!(q, page.after => mr::id.gt);
    Ok(q.load(conn)?)
}

pub fn respond(
    conn: &mut DbConn,
    id: i64,
    status: RequestStatus,
    text: &str,
    by: i64,
    on: NaiveDate,
) -> Result<(), StoreError> {
    crate::db::update(
        mr::material_requests,
        (
            mr::status.eq(status),
            mr::response.eq(text),
            mr::responded_by.eq(by),
            mr::responded_on.eq(on),
        ),
        mr::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

/// A supervision document (执法监督检查文书, SUP-10).
#[derive(Clone, Debug, Queryable)]
pub struct Document {
    pub id: i64,
    pub inspection_id: i64,
    pub number: String,
    pub year: i32,
    pub seq: i64,
    pub content: String,
    pub issued_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

macro_rules! document_columns {
    () => {
        (
            sd::id,
            sd::inspection_id,
            sd::number,
            sd::year,
            sd::seq,
            sd::content,
            sd::issued_on,
            sd::created_at,
        )
    };
}

/// The next number of the year.
pub fn next_document_seq(conn: &mut DbConn, year: i32) -> Result<i64, StoreError> {
    let last: Option<i64> = sd::supervision_documents
        .filter(sd::year.eq(year))
        .select(diesel::dsl::max(sd::seq))
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

/// Someone a document is served to.
#[derive(Clone, Debug, Queryable)]
pub struct DocumentTarget {
    pub target_kind: TargetKind,
    pub target_id: i64,
    pub department_id: i64,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<String>,
    pub recorded_by: Option<i64>,
}

pub struct NewDocument<'a> {
    pub inspection_id: i64,
    pub number: &'a str,
    pub year: i32,
    pub seq: i64,
    pub content: &'a str,
    pub issued_on: NaiveDate,
    /// (kind, id, department)
    pub targets: &'a [(TargetKind, i64, i64)],
}

pub fn add_document(conn: &mut DbConn, d: &NewDocument, now: NaiveDateTime) -> Result<i64, StoreError> {
    let id: i64 = diesel::insert_into(sd::supervision_documents)
        .values((
            sd::inspection_id.eq(d.inspection_id),
            sd::number.eq(d.number),
            sd::year.eq(d.year),
            sd::seq.eq(d.seq),
            sd::content.eq(d.content),
            sd::issued_on.eq(d.issued_on),
            sd::created_at.eq(now),
        ))
        .returning(sd::id)
        .get_result(conn)?;
    for (kind, target, department) in d.targets {
        diesel::insert_into(dt::document_targets)
            .values((
                dt::document_id.eq(id),
                dt::target_kind.eq(kind),
                dt::target_id.eq(target),
                dt::department_id.eq(department),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn targets(conn: &mut DbConn, document: i64) -> Result<Vec<DocumentTarget>, StoreError> {
    Ok(dt::document_targets
        .filter(dt::document_id.eq(document))
        .order((dt::target_kind.asc(), dt::target_id.asc()))
        .select((
            dt::target_kind,
            dt::target_id,
            dt::department_id,
            dt::received_on,
            dt::received_by,
            dt::recorded_by,
        ))
        .load(conn)?)
}

/// The document if the caller may see it: staff see documents served to their department.
pub fn document(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Document, StoreError> {
    let mut q = sd::supervision_documents
        .select(document_columns!())
        .filter(sd::id.eq(id))
        .into_boxed();
    q = match vis {
        Visibility::All => q,
        Visibility::Department(d) => q.filter(
            sd::id.eq_any(
                dt::document_targets
                    .filter(dt::department_id.eq(d))
                    .select(dt::document_id),
            ),
        ),
        Visibility::Nothing => q.filter(sd::id.eq(-1_i64)),
    };
    Ok(q.first(conn)?)
}

pub fn documents(
    conn: &mut DbConn,
    vis: Visibility,
    inspection: Option<i64>,
    page: PageRequest,
) -> Result<Vec<Document>, StoreError> {
    let mut q = sd::supervision_documents
        .select(document_columns!())
        .order(sd::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = match vis {
        Visibility::All => q,
        Visibility::Department(d) => q.filter(
            sd::id.eq_any(
                dt::document_targets
                    .filter(dt::department_id.eq(d))
                    .select(dt::document_id),
            ),
        ),
        Visibility::Nothing => q.filter(sd::id.eq(-1_i64)),
    };
    crate::filter_if_some!(q, inspection => sd::inspection_id.eq);
    crate::filter_if_some!(q, page.after => sd::id.gt);
    Ok(q.load(conn)?)
}

pub fn record_receipt(
    conn: &mut DbConn,
    document: i64,
    kind: TargetKind,
    target: i64,
    on: NaiveDate,
    received_by: Option<&str>,
    by: i64,
) -> Result<(), StoreError> {
    crate::db::update(
        dt::document_targets,
        (
            dt::received_on.eq(on),
            dt::received_by.eq(received_by),
            dt::recorded_by.eq(by),
        ),
        dt::document_id
            .eq(document)
            .and(dt::target_kind.eq(kind))
            .and(dt::target_id.eq(target)),
    )
    .execute(conn)?;
    Ok(())
}

/// Findings counted by checklist item or by department between two days (SUP-9).
pub fn finding_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    by_department: bool,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let base = f::findings.filter(f::found_on.ge(from)).filter(f::found_on.le(to));
    if by_department {
        let rows: Vec<(i64, i64)> = base
            .group_by(f::department_id)
            .select((f::department_id, diesel::dsl::count_star()))
            .order(f::department_id.asc())
            .load(conn)?;
        Ok(rows)
    } else {
        let rows: Vec<(i32, i64)> = base
            .group_by(f::checklist_item)
            .select((f::checklist_item, diesel::dsl::count_star()))
            .order(f::checklist_item.asc())
            .load(conn)?;
        Ok(rows.into_iter().map(|(k, n)| (i64::from(k), n)).collect())
    }
}

/// The leadership group's analysis of a period's tendencies (SUP-9).
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct TrendAnalysis {
    pub id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub analysis: String,
    pub measures: String,
    pub recommendations: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn add_analysis(conn: &mut DbConn, a: &TrendAnalysis) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(ta::trend_analyses)
        .values((
            ta::period_from.eq(a.period_from),
            ta::period_to.eq(a.period_to),
            ta::analysis.eq(&a.analysis),
            ta::measures.eq(&a.measures),
            ta::recommendations.eq(&a.recommendations),
            ta::created_by.eq(a.created_by),
            ta::created_at.eq(a.created_at),
        ))
        .returning(ta::id)
        .get_result(conn)?)
}

pub fn analyses(conn: &mut DbConn, page: PageRequest) -> Result<Vec<TrendAnalysis>, StoreError> {
    let mut q = ta::trend_analyses
        .select((
            ta::id,
            ta::period_from,
            ta::period_to,
            ta::analysis,
            ta::measures,
            ta::recommendations,
            ta::created_by,
            ta::created_at,
        ))
        .order(ta::id.asc())
        .limit(page.fetch())
        .into_boxed();
    crate::filter_if_some!(q, page.after => ta::id.gt);
    Ok(q.load(conn)?)
}

use crate::db::schema::attachments::dsl as at;
use crate::db::schema::finding_attachments::dsl as fa;
use crate::publicity::store::AttachmentMeta;

pub fn attach_evidence(conn: &mut DbConn, finding: i64, attachment: i64) -> Result<(), StoreError> {
    diesel::insert_into(fa::finding_attachments)
        .values((fa::finding_id.eq(finding), fa::attachment_id.eq(attachment)))
        .execute(conn)?;
    Ok(())
}

/// The evidence files of a finding.
pub fn evidence(conn: &mut DbConn, finding: i64) -> Result<Vec<AttachmentMeta>, StoreError> {
    Ok(fa::finding_attachments
        .inner_join(at::attachments)
        .filter(fa::finding_id.eq(finding))
        .order(at::id.asc())
        .select((
            at::id,
            at::filename,
            at::content_type,
            at::size,
            at::sha256,
            at::uploaded_at,
        ))
        .load(conn)?)
}

/// Whether a finding the caller may see holds this attachment as evidence.
pub fn evidence_visible(conn: &mut DbConn, attachment: i64, vis: Visibility) -> Result<bool, StoreError> {
    let q = fa::finding_attachments
        .inner_join(f::findings)
        .filter(fa::attachment_id.eq(attachment))
        .select(fa::finding_id)
        .into_boxed();
    let q = crate::visible!(q, vis, f::department_id);
    Ok(!q.load::<i64>(conn)?.is_empty())
}

/// Every measure imposed on findings about an act (they mark the act, SUP-7).
pub fn measures_on_act(conn: &mut DbConn, act: i64) -> Result<Vec<Measure>, StoreError> {
    Ok(m::measures
        .inner_join(f::findings)
        .filter(f::act_id.eq(act))
        .order(m::id.asc())
        .select(measure_columns!())
        .load(conn)?)
}
