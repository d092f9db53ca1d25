//! Storage of the score sheet's deductions, the annual procedure, opinions, the qualitative
//! record and the leadership group's meetings.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{Counted, EvidenceKind, PetitionFacts, ProblemType, Section, YearStatus};
use crate::acts::rules::{ActKind, PenaltyProcedure, ReviewKind, ReviewOutcome};
use crate::auth::rules::Visibility;
use crate::db::schema::eval_deductions::dsl as d;
use crate::db::schema::{eval_meetings as m, eval_opinions as o, eval_qualitative as q, eval_years as y};
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;
use crate::rules::calendar::year_bounds;
use crate::supervision::rules::MeasureAction;

#[derive(Clone, Debug, Queryable)]
pub struct Deduction {
    pub id: i64,
    pub year: i32,
    pub department_id: i64,
    pub section: Section,
    pub problem_type: ProblemType,
    pub evidence_kind: EvidenceKind,
    pub evidence_id: i64,
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub points: i32,
    pub rule_version: i64,
    pub found_on: NaiveDate,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub withdrawn_by: Option<i64>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

impl Deduction {
    pub fn counted(&self) -> Counted {
        Counted {
            section: self.section,
            points: u32::try_from(self.points).unwrap_or(0),
            found_on: self.found_on,
            withdrawn: self.withdrawn_at.is_some(),
        }
    }
}

macro_rules! columns {
    () => {
        (
            d::id,
            d::year,
            d::department_id,
            d::section,
            d::problem_type,
            d::evidence_kind,
            d::evidence_id,
            d::penalty_procedure,
            d::points,
            d::rule_version,
            d::found_on,
            d::note,
            d::created_by,
            d::created_at,
            d::withdrawn_on,
            d::withdrawal_reason,
            d::withdrawn_by,
            d::withdrawn_at,
        )
    };
}

pub struct NewDeduction {
    pub year: i32,
    pub department_id: i64,
    pub problem_type: ProblemType,
    pub evidence_kind: EvidenceKind,
    pub evidence_id: i64,
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub points: u32,
    pub rule_version: i64,
    pub found_on: NaiveDate,
    pub note: String,
}

/// Stores a deduction; gives it back as stored.
pub fn create(conn: &mut DbConn, n: &NewDeduction, by: i64, now: NaiveDateTime) -> Result<Deduction, StoreError> {
    let insert = diesel::insert_into(d::eval_deductions)
        .values((
            d::year.eq(n.year),
            d::department_id.eq(n.department_id),
            d::section.eq(n.problem_type.section()),
            d::problem_type.eq(n.problem_type),
            d::evidence_kind.eq(n.evidence_kind),
            d::evidence_id.eq(n.evidence_id),
            d::penalty_procedure.eq(n.penalty_procedure),
            d::points.eq(i32::try_from(n.points).unwrap_or(i32::MAX)),
            d::rule_version.eq(n.rule_version),
            d::found_on.eq(n.found_on),
            d::note.eq(&n.note),
            d::created_by.eq(by),
            d::created_at.eq(now),
        ))
        .returning(columns!());
    Ok(crate::native!(conn, |c| insert.get_result(c))?)
}

/// Staff see their own department's deductions.
pub fn get(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Deduction, StoreError> {
    let x: Deduction = crate::native!(conn, |c| d::eval_deductions.select(columns!()).find(id).first(c))?;
    crate::db::visible_row(vis, x.department_id, x)
}

/// The standing deduction that already counts this problem on this evidence, if any.
pub fn counting(
    conn: &mut DbConn,
    kind: EvidenceKind,
    id: i64,
    problem: ProblemType,
) -> Result<Option<i64>, StoreError> {
    Ok(standing_on(conn, kind, id, problem)?.map(|(deduction, _)| deduction))
}

/// The standing deduction of this problem on this evidence, if any: (id, department). At most
/// one, by the unique evidence index (EVAL-5 deducts per problem found).
fn standing_on(
    conn: &mut DbConn,
    kind: EvidenceKind,
    id: i64,
    problem: ProblemType,
) -> Result<Option<(i64, i64)>, StoreError> {
    let q = d::eval_deductions
        .filter(d::evidence_kind.eq(kind))
        .filter(d::evidence_id.eq(id))
        .filter(d::problem_type.eq(problem))
        .filter(d::withdrawn_at.is_null())
        .select((d::id, d::department_id));
    Ok(crate::native!(conn, |c| q.first(c).optional())?)
}

/// The standing deduction that already counts the same problem through other evidence: each
/// act of the evidence, the findings about it and the supervision documents stating those
/// findings (one problem of one act counts once), and, for a finding or a supervision
/// document, the document stating the finding or the findings the document states (SUP-10),
/// for the same department. Every lookup runs on an index: this is on every deduction's write.
pub fn counting_same_problem(
    conn: &mut DbConn,
    kind: EvidenceKind,
    id: i64,
    facts: &EvidenceFacts,
    problem: ProblemType,
    department: i64,
) -> Result<Option<i64>, StoreError> {
    use crate::db::schema::findings as f;
    let mut others: Vec<(EvidenceKind, i64, bool)> = Vec::new();
    for act in &facts.acts {
        others.push((EvidenceKind::Act, act.id, false));
        let about: Vec<(i64, i64)> = f::table
            .filter(f::act_id.eq(act.id))
            .select((f::id, f::inspection_id))
            .load(conn)?;
        for (finding, inspection) in about {
            others.push((EvidenceKind::Finding, finding, false));
            others.extend(
                documents_of(conn, inspection)?
                    .into_iter()
                    .map(|d| (EvidenceKind::Document, d, true)),
            );
        }
    }
    match (kind, facts.inspection) {
        (EvidenceKind::Finding, Some(inspection)) => {
            others.extend(
                documents_of(conn, inspection)?
                    .into_iter()
                    .map(|d| (EvidenceKind::Document, d, true)),
            );
        }
        (EvidenceKind::Document, Some(inspection)) => {
            let stated: Vec<i64> = f::table
                .filter(f::inspection_id.eq(inspection))
                .select(f::id)
                .load(conn)?;
            others.extend(stated.into_iter().map(|f| (EvidenceKind::Finding, f, true)));
        }
        _ => {}
    }
    others.sort_unstable();
    others.dedup();
    for (other, other_id, same_department) in others.into_iter().filter(|o| (o.0, o.1) != (kind, id)) {
        if let Some((deduction, dept)) = standing_on(conn, other, other_id, problem)? {
            if !same_department || dept == department {
                return Ok(Some(deduction));
            }
        }
    }
    Ok(None)
}

/// The supervision documents of an inspection (SUP-10).
fn documents_of(conn: &mut DbConn, inspection: i64) -> Result<Vec<i64>, StoreError> {
    use crate::db::schema::supervision_documents as sd;
    Ok(sd::table
        .filter(sd::inspection_id.eq(inspection))
        .select(sd::id)
        .load(conn)?)
}

#[derive(Debug, Default)]
pub struct Filter {
    pub year: Option<i32>,
    pub department_id: Option<i64>,
    pub section: Option<Section>,
    pub problem_type: Option<ProblemType>,
    pub evidence_kind: Option<EvidenceKind>,
    pub evidence_id: Option<i64>,
    /// `Some(false)`: standing only; `Some(true)`: withdrawn only.
    pub withdrawn: Option<bool>,
}

pub fn list(conn: &mut DbConn, vis: Visibility, f: &Filter, page: PageRequest) -> Result<Vec<Deduction>, StoreError> {
    let mut q = d::eval_deductions
        .select(columns!())
        .order(d::id.asc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, d::department_id);
    crate::filter_if_some!(q, f.year => d::year.eq);
    crate::filter_if_some!(q, f.department_id => d::department_id.eq);
    crate::filter_if_some!(q, f.section => d::section.eq);
    crate::filter_if_some!(q, f.problem_type => d::problem_type.eq);
    crate::filter_if_some!(q, f.evidence_kind => d::evidence_kind.eq);
    crate::filter_if_some!(q, f.evidence_id => d::evidence_id.eq);
    match f.withdrawn {
        Some(true) => q = q.filter(d::withdrawn_at.is_not_null()),
        Some(false) => q = q.filter(d::withdrawn_at.is_null()),
        None => {}
    }
    crate::filter_if_some!(q, page.after => d::id.gt);
    Ok(q.load(conn)?)
}

/// Every deduction of a year, withdrawn ones included (they count until withdrawn).
pub fn of_year(conn: &mut DbConn, year: i32) -> Result<Vec<Deduction>, StoreError> {
    Ok(d::eval_deductions
        .select(columns!())
        .filter(d::year.eq(year))
        .order(d::id.asc())
        .load(conn)?)
}

/// Every piece of evidence standing deductions already use (for any problem).
pub fn used_evidence(conn: &mut DbConn) -> Result<BTreeSet<(EvidenceKind, i64)>, StoreError> {
    let rows: Vec<(EvidenceKind, i64)> = d::eval_deductions
        .filter(d::withdrawn_at.is_null())
        .select((d::evidence_kind, d::evidence_id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

pub fn withdraw(
    conn: &mut DbConn,
    id: i64,
    reason: &str,
    on: NaiveDate,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(
        d::eval_deductions,
        (
            d::withdrawn_on.eq(on),
            d::withdrawal_reason.eq(reason),
            d::withdrawn_by.eq(by),
            d::withdrawn_at.eq(now),
        ),
        d::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

/// What the evidence says about whose it is and how a penalty was made.
#[derive(Debug, Default)]
pub struct EvidenceFacts {
    /// The departments the evidence concerns (none: a petition not yet assigned).
    pub departments: Vec<i64>,
    /// The acts of the register the evidence is or is about: the act itself, a finding's act,
    /// a supervision document's acts (those it is served about and those of the findings it
    /// states for its departments).
    pub acts: Vec<ActAbout>,
    /// Whether the evidence also stands for something that is no act: a finding about no act,
    /// or a document stating one (or naming no act at all).
    pub also_no_act: bool,
    /// The evidence's own day (an act's decision, a finding, a petition's receipt, a document's
    /// issue): no problem is found in it before.
    pub dated: NaiveDate,
    /// The petition's handling, when the evidence is a petition.
    pub petition: Option<PetitionFacts>,
    /// The inspection of a finding or a supervision document.
    pub inspection: Option<i64>,
}

/// An act of the register that evidence is about.
#[derive(Clone, Copy, Debug)]
pub struct ActAbout {
    pub id: i64,
    pub kind: ActKind,
    pub procedure: Option<PenaltyProcedure>,
}

fn act_about(conn: &mut DbConn, id: i64) -> Result<ActAbout, StoreError> {
    use crate::db::schema::acts::dsl as a;
    let q = a::acts.find(id).select((a::kind, a::penalty_procedure));
    let (kind, procedure) = crate::native!(conn, |c| q.first(c))?;
    Ok(ActAbout { id, kind, procedure })
}

pub fn evidence(conn: &mut DbConn, kind: EvidenceKind, id: i64) -> Result<EvidenceFacts, StoreError> {
    use crate::db::schema::{acts as a, findings as f, petitions as p};
    match kind {
        EvidenceKind::Finding => {
            let (dept, act, dated, inspection): (i64, Option<i64>, NaiveDate, i64) = f::table
                .find(id)
                .select((f::department_id, f::act_id, f::found_on, f::inspection_id))
                .first(conn)?;
            Ok(EvidenceFacts {
                departments: vec![dept],
                acts: act.map(|a| act_about(conn, a)).transpose()?.into_iter().collect(),
                also_no_act: act.is_none(),
                dated,
                petition: None,
                inspection: Some(inspection),
            })
        }
        EvidenceKind::Petition => {
            let row: PetitionRow = p::table.find(id).select(PETITION_ROW).first(conn)?;
            Ok(EvidenceFacts {
                departments: row.department_id.into_iter().collect(),
                acts: Vec::new(),
                also_no_act: true,
                dated: row.received_on,
                petition: Some(row.facts()),
                inspection: None,
            })
        }
        EvidenceKind::Act => {
            let q = a::table
                .find(id)
                .select((a::department_id, a::kind, a::penalty_procedure, a::decision_date));
            let (dept, kind, procedure, dated) = crate::native!(conn, |c| q.first(c))?;
            Ok(EvidenceFacts {
                departments: vec![dept],
                acts: vec![ActAbout { id, kind, procedure }],
                also_no_act: false,
                dated,
                petition: None,
                inspection: None,
            })
        }
        EvidenceKind::Document => document_facts(conn, id),
    }
}

/// A supervision document's facts: the departments it is served on, and the acts it is about,
/// served about or stated in the findings of its inspection for those departments (SUP-10).
fn document_facts(conn: &mut DbConn, id: i64) -> Result<EvidenceFacts, StoreError> {
    use crate::db::schema::{document_targets as dt, findings as f, supervision_documents as sd};
    let (dated, inspection): (NaiveDate, i64) = sd::table
        .find(id)
        .select((sd::issued_on, sd::inspection_id))
        .first(conn)?;
    let targets: Vec<(String, i64, i64)> = dt::table
        .filter(dt::document_id.eq(id))
        .select((dt::target_kind, dt::target_id, dt::department_id))
        .load(conn)?;
    let departments: BTreeSet<i64> = targets.iter().map(|t| t.2).collect();
    let stated: Vec<Option<i64>> = f::table
        .filter(f::inspection_id.eq(inspection))
        .filter(f::department_id.eq_any(departments.iter().copied().collect::<Vec<_>>()))
        .select(f::act_id)
        .load(conn)?;
    let mut act_ids: BTreeSet<i64> = targets.iter().filter(|t| t.0 == "act").map(|t| t.1).collect();
    act_ids.extend(stated.iter().flatten());
    let acts = act_ids
        .into_iter()
        .map(|a| act_about(conn, a))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EvidenceFacts {
        departments: departments.into_iter().collect(),
        also_no_act: acts.is_empty() || stated.iter().any(Option::is_none),
        acts,
        dated,
        petition: None,
        inspection: Some(inspection),
    })
}

// ---- the annual procedure (EVAL-6) ----

#[derive(Clone, Debug, Queryable)]
pub struct Year {
    pub year: i32,
    pub status: YearStatus,
    pub rule_version: Option<i64>,
    pub report: Option<String>,
    /// The results fixed at finalisation, as JSON.
    pub results: Option<String>,
    pub opened_by: Option<i64>,
    pub opened_at: NaiveDateTime,
    pub reported_at: Option<NaiveDateTime>,
    pub finalized_by: Option<i64>,
    pub finalized_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

pub fn year(conn: &mut DbConn, year: i32) -> Result<Option<Year>, StoreError> {
    Ok(crate::native!(conn, |c| y::table.find(year).first(c).optional())?)
}

pub fn open_year(conn: &mut DbConn, year: i32, by: i64, now: NaiveDateTime) -> Result<(), StoreError> {
    diesel::insert_into(y::table)
        .values((
            y::year.eq(year),
            y::status.eq(YearStatus::Open),
            y::opened_by.eq(by),
            y::opened_at.eq(now),
            y::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn report(conn: &mut DbConn, year: i32, text: &str, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        y::table,
        (
            y::status.eq(YearStatus::Reported),
            y::report.eq(text),
            y::reported_at.eq(now),
            y::updated_at.eq(now),
        ),
        y::year.eq(year),
    )
    .execute(conn)?;
    Ok(())
}

pub fn finalize(
    conn: &mut DbConn,
    year: i32,
    results: &str,
    version: i64,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(
        y::table,
        (
            y::status.eq(YearStatus::Finalized),
            y::results.eq(results),
            y::rule_version.eq(version),
            y::finalized_by.eq(by),
            y::finalized_at.eq(now),
            y::updated_at.eq(now),
        ),
        y::year.eq(year),
    )
    .execute(conn)?;
    Ok(())
}

pub fn publish(conn: &mut DbConn, year: i32, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        y::table,
        (
            y::status.eq(YearStatus::Published),
            y::published_at.eq(now),
            y::updated_at.eq(now),
        ),
        y::year.eq(year),
    )
    .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable)]
pub struct Opinion {
    pub year: i32,
    pub department_id: i64,
    pub opinion: String,
    pub fed_back_by: Option<i64>,
    pub fed_back_at: NaiveDateTime,
    pub response: Option<String>,
    pub responded_by: Option<i64>,
    pub responded_at: Option<NaiveDateTime>,
}

pub fn opinion(conn: &mut DbConn, year: i32, department: i64) -> Result<Option<Opinion>, StoreError> {
    Ok(o::table.find((year, department)).first(conn).optional()?)
}

pub fn opinions(conn: &mut DbConn, year: i32) -> Result<Vec<Opinion>, StoreError> {
    Ok(o::table
        .filter(o::year.eq(year))
        .order(o::department_id.asc())
        .load(conn)?)
}

/// Feeds back (or revises) the preliminary opinion; a revision asks for a new response.
pub fn feed_back(
    conn: &mut DbConn,
    year: i32,
    department: i64,
    text: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::delete(o::table.find((year, department))).execute(conn)?;
    diesel::insert_into(o::table)
        .values((
            o::year.eq(year),
            o::department_id.eq(department),
            o::opinion.eq(text),
            o::fed_back_by.eq(by),
            o::fed_back_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn respond(
    conn: &mut DbConn,
    year: i32,
    department: i64,
    text: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(
        o::table,
        (o::response.eq(text), o::responded_by.eq(by), o::responded_at.eq(now)),
        o::year.eq(year).and(o::department_id.eq(department)),
    )
    .execute(conn)?;
    Ok(())
}

// ---- the qualitative record (EVAL-4) ----

/// (review, act, kind, outcome, decided on).
pub type ReviewRow = (i64, i64, ReviewKind, ReviewOutcome, NaiveDate);
/// One exam result of the year: passed, failed, or missed (an absence, excused or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExamSitting {
    Passed,
    Failed,
    Missed,
}

/// A department's training results in a year (EVAL-4(8), TRN-8).
pub struct TrainingResults {
    /// Its active people.
    pub people: Vec<i64>,
    pub exams: Vec<ExamSitting>,
    /// Note checks whose period ends in the year.
    pub note_checks: Vec<crate::training::rules::NoteResult>,
}

pub fn qualitative(conn: &mut DbConn, year: i32, department: i64) -> Result<Vec<(i32, String)>, StoreError> {
    Ok(q::table
        .filter(q::year.eq(year))
        .filter(q::department_id.eq(department))
        .order(q::item.asc())
        .select((q::item, q::content))
        .load(conn)?)
}

pub fn put_qualitative(
    conn: &mut DbConn,
    year: i32,
    department: i64,
    items: &[(i32, String)],
    by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    for (item, content) in items {
        diesel::delete(q::table.find((year, department, item))).execute(conn)?;
        if content.is_empty() {
            continue;
        }
        diesel::insert_into(q::table)
            .values((
                q::year.eq(year),
                q::department_id.eq(department),
                q::item.eq(item),
                q::content.eq(content),
                q::updated_by.eq(by),
                q::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Reconsiderations and lawsuits decided in a year on the department's acts (EVAL-4(6)).
pub fn reviews_of(conn: &mut DbConn, year: i32, department: i64) -> Result<Vec<ReviewRow>, StoreError> {
    use crate::db::schema::{act_reviews as r, acts as a};
    let (from, to) = year_bounds(year);
    Ok(r::table
        .inner_join(a::table)
        .filter(a::department_id.eq(department))
        .filter(r::decided_on.ge(from))
        .filter(r::decided_on.le(to))
        .order(r::id.asc())
        .select((r::id, r::act_id, r::kind, r::outcome, r::decided_on))
        .load(conn)?)
}

/// The department's active people and their exam results of the year (EVAL-4(8)).
pub fn training_results(conn: &mut DbConn, year: i32, department: i64) -> Result<TrainingResults, StoreError> {
    use crate::db::schema::{exam_results as er, exams as e, note_checks as nc, people as p};
    let (from, to) = year_bounds(year);
    let people: Vec<i64> = p::table
        .filter(p::department_id.eq(department))
        .filter(p::active.eq(true))
        .order(p::id.asc())
        .select(p::id)
        .load(conn)?;
    let results: Vec<(bool, Option<String>)> = er::table
        .inner_join(e::table)
        .inner_join(p::table.on(p::id.eq(er::person_id)))
        .filter(p::department_id.eq(department))
        .filter(e::held_on.ge(from))
        .filter(e::held_on.le(to))
        .select((er::passed, er::absence))
        .load(conn)?;
    let note_checks = nc::table
        .inner_join(p::table.on(p::id.eq(nc::person_id)))
        .filter(p::department_id.eq(department))
        .filter(nc::period_to.ge(from))
        .filter(nc::period_to.le(to))
        .select(nc::result)
        .load(conn)?;
    let exams = results
        .into_iter()
        .map(|(passed, absence)| match (absence, passed) {
            (Some(_), _) => ExamSitting::Missed,
            (None, true) => ExamSitting::Passed,
            (None, false) => ExamSitting::Failed,
        })
        .collect();
    Ok(TrainingResults {
        people,
        exams,
        note_checks,
    })
}

// ---- the leadership group's monthly meetings ----

#[derive(Clone, Debug, Queryable)]
pub struct Meeting {
    pub id: i64,
    pub held_on: NaiveDate,
    pub topic: String,
    pub minutes: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn add_meeting(
    conn: &mut DbConn,
    held_on: NaiveDate,
    topic: &str,
    minutes: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(m::table)
        .values((
            m::held_on.eq(held_on),
            m::topic.eq(topic),
            m::minutes.eq(minutes),
            m::created_by.eq(by),
            m::created_at.eq(now),
        ))
        .returning(m::id)
        .get_result(conn)?)
}

pub fn meeting(conn: &mut DbConn, id: i64) -> Result<Meeting, StoreError> {
    Ok(m::table.find(id).first(conn)?)
}

pub fn meetings(conn: &mut DbConn, year: i32) -> Result<Vec<Meeting>, StoreError> {
    let (from, to) = year_bounds(year);
    Ok(m::table
        .filter(m::held_on.ge(from))
        .filter(m::held_on.le(to))
        .order((m::held_on.asc(), m::id.asc()))
        .load(conn)?)
}

// ---- candidate deductions: evidence the registers already hold ----

/// (finding, department, checklist item, act kind, procedure).
pub type FindingRow = (i64, i64, i32, Option<ActKind>, Option<PenaltyProcedure>);
/// (act, department, procedure, what undid it).
pub type UndoneAct<T> = (i64, i64, Option<PenaltyProcedure>, T);

/// Findings of concluded inspections found in the year, with the act they concern:
/// (finding, department, checklist item, act kind, procedure).
pub fn concluded_findings(conn: &mut DbConn, year: i32) -> Result<Vec<FindingRow>, StoreError> {
    use crate::db::schema::{acts as a, findings as f, inspections as i};
    use crate::supervision::rules::InspectionStatus;
    let (from, to) = year_bounds(year);
    Ok(f::table
        .inner_join(i::table)
        .left_join(a::table.on(f::act_id.eq(a::id.nullable())))
        .filter(i::status.eq(InspectionStatus::Concluded))
        .filter(f::found_on.ge(from))
        .filter(f::found_on.le(to))
        .order(f::id.asc())
        .select((
            f::id,
            f::department_id,
            f::checklist_item,
            a::kind.nullable(),
            a::penalty_procedure.nullable(),
        ))
        .load(conn)?)
}

/// Assigned petitions of the year that were not answered in time, or were marked
/// mishandled or escalated: (petition, department, replied, due, mishandled, escalated).
pub fn troubled_petitions(
    conn: &mut DbConn,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<(i64, PetitionFacts)>, StoreError> {
    use crate::db::schema::petitions as p;
    let (from, to) = year_bounds(year);
    // Assignment sets the department and the deadline together.
    let rows: Vec<PetitionRow> = p::table
        .filter(p::department_id.is_not_null())
        .filter(p::reply_due_on.is_not_null())
        .filter(p::received_on.ge(from))
        .filter(p::received_on.le(to))
        .filter(
            p::mishandled
                .eq(true)
                .or(p::escalated.eq(true))
                .or(p::reply_due_on.lt(today).and(p::replied_on.is_null()))
                .or(p::replied_on.gt(p::reply_due_on)),
        )
        .order(p::id.asc())
        .select(PETITION_ROW)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.id, r.facts())).collect())
}

/// A petition as EVAL-5(4) reads it.
#[derive(Queryable)]
struct PetitionRow {
    id: i64,
    received_on: NaiveDate,
    department_id: Option<i64>,
    reply_due_on: Option<NaiveDate>,
    replied_on: Option<NaiveDate>,
    mishandled: bool,
    escalated: bool,
    lapsed_department_id: Option<i64>,
    escalated_department_id: Option<i64>,
}

const PETITION_ROW: (
    crate::db::schema::petitions::id,
    crate::db::schema::petitions::received_on,
    crate::db::schema::petitions::department_id,
    crate::db::schema::petitions::reply_due_on,
    crate::db::schema::petitions::replied_on,
    crate::db::schema::petitions::mishandled,
    crate::db::schema::petitions::escalated,
    crate::db::schema::petitions::lapsed_department_id,
    crate::db::schema::petitions::escalated_department_id,
) = {
    use crate::db::schema::petitions as p;
    (
        p::id,
        p::received_on,
        p::department_id,
        p::reply_due_on,
        p::replied_on,
        p::mishandled,
        p::escalated,
        p::lapsed_department_id,
        p::escalated_department_id,
    )
};

impl PetitionRow {
    fn facts(&self) -> PetitionFacts {
        PetitionFacts {
            reply_due_on: self.reply_due_on,
            replied_on: self.replied_on,
            mishandled: self.mishandled,
            escalated: self.escalated,
            department_id: self.department_id,
            lapsed_department_id: self.lapsed_department_id,
            escalated_department_id: self.escalated_department_id,
        }
    }
}

/// Acts corrected or revoked by a SUP measure in the year: (act, department, procedure, measure action).
pub fn acts_undone_by_measures(conn: &mut DbConn, year: i32) -> Result<Vec<UndoneAct<MeasureAction>>, StoreError> {
    use crate::db::schema::{acts as a, findings as f, measures as ms};
    let (from, to) = year_bounds(year);
    let (start, end) = (
        from.and_hms_opt(0, 0, 0).unwrap_or_default(),
        to.and_hms_opt(23, 59, 59).unwrap_or_default(),
    );
    Ok(ms::table
        .inner_join(f::table.inner_join(a::table.on(a::id.nullable().eq(f::act_id))))
        .filter(ms::action.eq_any([MeasureAction::Correct, MeasureAction::Revoke]))
        .filter(ms::created_at.ge(start))
        .filter(ms::created_at.le(end))
        .order(ms::id.asc())
        .select((a::id, a::department_id, a::penalty_procedure, ms::action))
        .load(conn)?)
}

/// Acts that lost a reconsideration or lawsuit decided in the year: (act, department, procedure, outcome).
pub fn acts_lost_on_review(conn: &mut DbConn, year: i32) -> Result<Vec<UndoneAct<ReviewOutcome>>, StoreError> {
    use crate::db::schema::{act_reviews as r, acts as a};
    let (from, to) = year_bounds(year);
    Ok(r::table
        .inner_join(a::table)
        .filter(r::outcome.ne(ReviewOutcome::Upheld))
        .filter(r::outcome.ne(ReviewOutcome::Dismissed))
        .filter(r::decided_on.ge(from))
        .filter(r::decided_on.le(to))
        .order(r::id.asc())
        .select((a::id, a::department_id, a::penalty_procedure, r::outcome))
        .load(conn)?)
}
