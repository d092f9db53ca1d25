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
    diesel::update(i::inspections.find(id))
        .set((
            i::title.eq(&plan.title),
            i::period_from.eq(plan.period_from),
            i::period_to.eq(plan.period_to),
            i::updated_at.eq(now),
        ))
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

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

pub fn list(conn: &mut DbConn, filter: &InspectionFilter, page: PageRequest) -> Result<Vec<Inspection>, StoreError> {
    let mut q = i::inspections
        .select(inspection_columns!())
        .order(i::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(k) = filter.kind {
        q = q.filter(i::kind.eq(k));
    }
    if let Some(s) = filter.status {
        q = q.filter(i::status.eq(s));
    }
    if let Some(y) = filter.year {
        let (from, to) = year_bounds(y);
        q = q.filter(i::period_from.ge(from)).filter(i::period_from.le(to));
    }
    if let Some(after) = page.after {
        q = q.filter(i::id.gt(after));
    }
    Ok(q.load(conn)?)
}

pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: InspectionStatus,
    conclusion: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let target = i::inspections.find(id);
    match status {
        InspectionStatus::InProgress => diesel::update(target)
            .set((i::status.eq(status), i::started_at.eq(now), i::updated_at.eq(now)))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((
                i::status.eq(status),
                i::concluded_at.eq(now),
                i::conclusion.eq(conclusion),
                i::updated_at.eq(now),
            ))
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
    if let Some(x) = filter.inspection_id {
        q = q.filter(f::inspection_id.eq(x));
    }
    if let Some(x) = filter.department_id {
        q = q.filter(f::department_id.eq(x));
    }
    if let Some(x) = filter.checklist_item {
        q = q.filter(f::checklist_item.eq(x));
    }
    if let Some(x) = filter.found_from {
        q = q.filter(f::found_on.ge(x));
    }
    if let Some(x) = filter.found_to {
        q = q.filter(f::found_on.le(x));
    }
    if let Some(after) = page.after {
        q = q.filter(f::id.gt(after));
    }
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
    if let Some(x) = filter.finding_id {
        q = q.filter(m::finding_id.eq(x));
    }
    if let Some(x) = filter.department_id {
        q = q.filter(f::department_id.eq(x));
    }
    if let Some(x) = filter.status {
        q = q.filter(m::status.eq(x));
    }
    if let Some(day) = filter.overdue_on {
        q = q
            .filter(m::status.eq_any([MeasureStatus::Open, MeasureStatus::Reported]))
            .filter(m::deadline.lt(day));
    }
    if let Some(after) = page.after {
        q = q.filter(m::id.gt(after));
    }
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
    diesel::update(m::measures.find(id))
        .set((m::status.eq(status), m::updated_at.eq(now)))
        .execute(conn)?;
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
    diesel::update(r::rectifications.find(report))
        .set((
            r::accepted.eq(accepted),
            r::comment.eq(comment),
            r::verified_by.eq(by),
            r::verified_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
