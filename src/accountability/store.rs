//! Storage of accountability cases and their respondents.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{certificate_withdrawal, holds_accountable, CaseStatus, RespondentKind, SourceKind};
use crate::db::schema::acc_cases::dsl as c;
use crate::db::schema::acc_respondents::dsl as r;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;
use crate::org::rules::CertificateStatus;

/// Who may see a case: the office and leadership all; staff only cases naming them.
#[derive(Clone, Copy, Debug)]
pub enum CaseVisibility {
    All,
    Respondent(i64),
}

#[derive(Clone, Debug, Queryable)]
pub struct Case {
    pub id: i64,
    pub status: CaseStatus,
    pub source_kind: SourceKind,
    pub source_id: Option<i64>,
    pub fault_types: String,
    pub act_ids: String,
    pub facts: String,
    pub fault_on: NaiveDate,
    pub opinion: Option<String>,
    pub decision: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub served_on: Option<NaiveDate>,
    pub appeal: Option<String>,
    pub appeal_outcome: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

macro_rules! case_columns {
    () => {
        (
            c::id,
            c::status,
            c::source_kind,
            c::source_id,
            c::fault_types,
            c::act_ids,
            c::facts,
            c::fault_on,
            c::opinion,
            c::decision,
            c::decided_on,
            c::served_on,
            c::appeal,
            c::appeal_outcome,
            c::created_by,
            c::created_at,
            c::updated_at,
        )
    };
}

pub struct NewCase {
    pub source_kind: SourceKind,
    pub source_id: Option<i64>,
    pub fault_types: String,
    pub act_ids: String,
    pub facts: String,
    pub fault_on: NaiveDate,
    /// (kind, id, department)
    pub respondents: Vec<(RespondentKind, i64, i64)>,
}

pub fn create(conn: &mut DbConn, n: &NewCase, by: i64, now: NaiveDateTime) -> Result<i64, StoreError> {
    let id: i64 = diesel::insert_into(c::acc_cases)
        .values((
            c::status.eq(CaseStatus::Proposed),
            c::source_kind.eq(n.source_kind),
            c::source_id.eq(n.source_id),
            c::fault_types.eq(&n.fault_types),
            c::act_ids.eq(&n.act_ids),
            c::facts.eq(&n.facts),
            c::fault_on.eq(n.fault_on),
            c::created_by.eq(by),
            c::created_at.eq(now),
            c::updated_at.eq(now),
        ))
        .returning(c::id)
        .get_result(conn)?;
    for (kind, target, department) in &n.respondents {
        diesel::insert_into(r::acc_respondents)
            .values((
                r::case_id.eq(id),
                r::kind.eq(kind),
                r::target_id.eq(target),
                r::department_id.eq(department),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// The cases naming a person as respondent.
fn respondent_cases(conn: &mut DbConn, person: i64) -> Result<Vec<i64>, StoreError> {
    Ok(r::acc_respondents
        .filter(r::kind.eq(RespondentKind::Person))
        .filter(r::target_id.eq(person))
        .select(r::case_id)
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: i64, vis: CaseVisibility) -> Result<Case, StoreError> {
    let mut q = c::acc_cases.select(case_columns!()).filter(c::id.eq(id)).into_boxed();
    if let CaseVisibility::Respondent(p) = vis {
        q = q.filter(c::id.eq_any(respondent_cases(conn, p)?));
    }
    Ok(q.first(conn)?)
}

pub fn list(
    conn: &mut DbConn,
    vis: CaseVisibility,
    status: Option<CaseStatus>,
    page: PageRequest,
) -> Result<Vec<Case>, StoreError> {
    let mut q = c::acc_cases
        .select(case_columns!())
        .order(c::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let CaseVisibility::Respondent(p) = vis {
        q = q.filter(c::id.eq_any(respondent_cases(conn, p)?));
    }
    crate::filter_if_some!(q, status => c::status.eq);
    crate::filter_if_some!(q, page.after => c::id.gt);
    Ok(q.load(conn)?)
}

pub fn respondents(conn: &mut DbConn, case: i64) -> Result<Vec<(RespondentKind, i64, i64)>, StoreError> {
    Ok(r::acc_respondents
        .filter(r::case_id.eq(case))
        .order((r::kind.asc(), r::target_id.asc()))
        .select((r::kind, r::target_id, r::department_id))
        .load(conn)?)
}

/// Cases opened from a source (the link back from the finding or act).
pub fn from_source(conn: &mut DbConn, kind: SourceKind, id: i64) -> Result<Vec<i64>, StoreError> {
    Ok(c::acc_cases
        .filter(c::source_kind.eq(kind))
        .filter(c::source_id.eq(id))
        .select(c::id)
        .order(c::id.asc())
        .load(conn)?)
}

/// A case decided and not revoked on appeal, with what it was decided on.
pub struct Decided {
    pub id: i64,
    pub fault_on: NaiveDate,
    pub opinion: serde_json::Value,
    pub decision: serde_json::Value,
}

/// The decided cases, not revoked on appeal, among `cases` (all when `None`) and decided within
/// `days` (any day when `None`).
fn decided(
    conn: &mut DbConn,
    cases: Option<Vec<i64>>,
    days: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<Decided>, StoreError> {
    let mut q = c::acc_cases
        .filter(c::decided_on.is_not_null())
        .filter(c::appeal_outcome.is_null().or(c::appeal_outcome.ne("revoked")))
        .order(c::id.asc())
        .select((c::id, c::fault_on, c::opinion, c::decision))
        .into_boxed();
    if let Some(cases) = cases {
        q = q.filter(c::id.eq_any(cases));
    }
    if let Some((from, to)) = days {
        q = q.filter(c::decided_on.ge(from)).filter(c::decided_on.le(to));
    }
    let rows: Vec<(i64, NaiveDate, Option<String>, Option<String>)> = q.load(conn)?;
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|(id, fault_on, opinion, decision)| Decided {
            id,
            fault_on,
            opinion: json(opinion),
            decision: json(decision),
        })
        .collect())
}

/// The person's other faults held against them, with their fault dates (for ACC-7(2)).
pub fn accountable_faults_of(conn: &mut DbConn, person: i64, except: i64) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
    let theirs = respondent_cases(conn, person)?;
    Ok(decided(conn, Some(theirs), None)?
        .into_iter()
        .filter(|d| d.id != except && holds_accountable(person, &d.opinion, &d.decision))
        .map(|d| (d.id, d.fault_on))
        .collect())
}

/// The strongest withdrawal of the person's certificate by another standing decision
/// (decided, not revoked on appeal), and that decision's case: a card it keeps withdrawn does
/// not come back further when `except` is reversed.
pub fn other_withdrawal(
    conn: &mut DbConn,
    person: i64,
    except: i64,
) -> Result<Option<(i64, CertificateStatus)>, StoreError> {
    let theirs = respondent_cases(conn, person)?;
    Ok(decided(conn, Some(theirs), None)?
        .into_iter()
        .filter(|d| d.id != except)
        .filter_map(|d| Some((d.id, certificate_withdrawal(person, &d.decision)?)))
        .max_by_key(|(id, level)| (level.withdrawal_rank(), std::cmp::Reverse(*id))))
}

pub fn set_status(conn: &mut DbConn, id: i64, status: CaseStatus, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        c::acc_cases,
        (c::status.eq(status), c::updated_at.eq(now)),
        c::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn set_opinion(conn: &mut DbConn, id: i64, opinion: &str, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        c::acc_cases,
        (
            c::status.eq(CaseStatus::Opinion),
            c::opinion.eq(opinion),
            c::updated_at.eq(now),
        ),
        c::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn set_decision(
    conn: &mut DbConn,
    id: i64,
    decision: &str,
    on: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(
        c::acc_cases,
        (
            c::status.eq(CaseStatus::Decided),
            c::decision.eq(decision),
            c::decided_on.eq(on),
            c::updated_at.eq(now),
        ),
        c::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn serve(conn: &mut DbConn, id: i64, on: NaiveDate, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        c::acc_cases,
        (
            c::status.eq(CaseStatus::Served),
            c::served_on.eq(on),
            c::updated_at.eq(now),
        ),
        c::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn appeal(conn: &mut DbConn, id: i64, appeal: &str, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        c::acc_cases,
        (
            c::status.eq(CaseStatus::Appealed),
            c::appeal.eq(appeal),
            c::appeal_outcome.eq(None::<String>),
            c::updated_at.eq(now),
        ),
        c::id.eq(id),
    )
    .execute(conn)?;
    Ok(())
}

pub fn appeal_decision(
    conn: &mut DbConn,
    id: i64,
    outcome: &str,
    decision: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let (table, target) = (c::acc_cases, c::id.eq(id));
    match decision {
        Some(d) => crate::db::update(
            table,
            (
                c::status.eq(CaseStatus::AppealDecided),
                c::appeal_outcome.eq(outcome),
                c::decision.eq(d),
                c::updated_at.eq(now),
            ),
            target,
        )
        .execute(conn)?,
        None => crate::db::update(
            table,
            (
                c::status.eq(CaseStatus::AppealDecided),
                c::appeal_outcome.eq(outcome),
                c::updated_at.eq(now),
            ),
            target,
        )
        .execute(conn)?,
    };
    Ok(())
}

use crate::db::schema::attachments::dsl as at;
use crate::db::schema::case_attachments::dsl as ca;
use crate::publicity::store::AttachmentMeta;

pub fn attach_evidence(conn: &mut DbConn, case: i64, attachment: i64) -> Result<(), StoreError> {
    diesel::insert_into(ca::case_attachments)
        .values((ca::case_id.eq(case), ca::attachment_id.eq(attachment)))
        .execute(conn)?;
    Ok(())
}

/// The evidence files of a case.
pub fn evidence(conn: &mut DbConn, case: i64) -> Result<Vec<AttachmentMeta>, StoreError> {
    Ok(ca::case_attachments
        .inner_join(at::attachments)
        .filter(ca::case_id.eq(case))
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

/// Whether a case the caller may see holds this attachment.
pub fn evidence_visible(conn: &mut DbConn, attachment: i64, vis: CaseVisibility) -> Result<bool, StoreError> {
    let cases: Vec<i64> = ca::case_attachments
        .filter(ca::attachment_id.eq(attachment))
        .select(ca::case_id)
        .load(conn)?;
    for case in cases {
        if get(conn, case, vis).is_ok() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Persons and departments sanctioned under ACC-6 in a year, each with the cases that did it.
#[derive(Debug, Default)]
pub struct Sanctioned {
    pub persons: BTreeMap<i64, Vec<i64>>,
    pub departments: BTreeMap<i64, Vec<i64>>,
}

fn collect(map: &mut BTreeMap<i64, Vec<i64>>, id: i64, case: i64) {
    let cases = map.entry(id).or_default();
    if !cases.contains(&case) {
        cases.push(case);
    }
}

/// Who was held accountable by a case decided in the year and not revoked on appeal: they are
/// not eligible for that year's awards (ACC-6: 取消…当年评比先进的资格, for every severity that
/// imposes liability, whatever sanctions were listed; EVAL-7). A department loses it when it is
/// a respondent of such a case (ACC-6 first sentence) or was sanctioned by one.
pub fn sanctioned_in(conn: &mut DbConn, year: i32) -> Result<Sanctioned, StoreError> {
    let mut out = Sanctioned::default();
    let (from, to) = crate::rules::calendar::year_bounds(year);
    // The year's respondents in one query, not one per case: score sheets read this.
    let decided_that_year = c::acc_cases
        .filter(c::decided_on.ge(from))
        .filter(c::decided_on.le(to))
        .select(c::id);
    let rows: Vec<(i64, RespondentKind, i64)> = r::acc_respondents
        .filter(r::case_id.eq_any(decided_that_year))
        .select((r::case_id, r::kind, r::target_id))
        .load(conn)?;
    let mut by_case: BTreeMap<i64, Vec<(RespondentKind, i64)>> = BTreeMap::new();
    for (case, kind, id) in rows {
        by_case.entry(case).or_default().push((kind, id));
    }
    for d in decided(conn, None, Some((from, to)))? {
        if d.decision["request"]["severity"].is_null() {
            continue;
        }
        let named = d.decision["request"]["departments"].as_array().into_iter().flatten();
        let mut departments: Vec<i64> = named.filter_map(|x| x["department_id"].as_i64()).collect();
        for &(kind, id) in by_case.get(&d.id).into_iter().flatten() {
            match kind {
                RespondentKind::Person if holds_accountable(id, &d.opinion, &d.decision) => {
                    collect(&mut out.persons, id, d.id)
                }
                RespondentKind::Person => {}
                RespondentKind::Department => departments.push(id),
            }
        }
        for department in departments {
            collect(&mut out.departments, department, d.id);
        }
    }
    Ok(out)
}

/// Whether the record a case names as its source exists (`other` names none to check).
pub fn source_exists(conn: &mut DbConn, kind: SourceKind, id: i64) -> Result<bool, StoreError> {
    use crate::db::schema::{acts, findings, petitions, training_consequences};
    use diesel::dsl::{exists, select};
    Ok(match kind {
        SourceKind::Finding => select(exists(findings::table.find(id))).get_result(conn)?,
        SourceKind::Petition => select(exists(petitions::table.find(id))).get_result(conn)?,
        SourceKind::OverdueDisclosure => select(exists(acts::table.find(id))).get_result(conn)?,
        SourceKind::Training => select(exists(training_consequences::table.find(id))).get_result(conn)?,
        SourceKind::Other => true,
    })
}

/// The person a training consequence is about.
pub fn consequence_person(conn: &mut DbConn, id: i64) -> Result<i64, StoreError> {
    use crate::db::schema::training_consequences as t;
    Ok(t::table.find(id).select(t::person_id).first(conn)?)
}

/// The case already opened from this source, if any.
pub fn opened_from(conn: &mut DbConn, kind: SourceKind, id: i64) -> Result<Option<i64>, StoreError> {
    Ok(c::acc_cases
        .filter(c::source_kind.eq(kind).and(c::source_id.eq(id)))
        .select(c::id)
        .order(c::id.asc())
        .first(conn)
        .optional()?)
}
