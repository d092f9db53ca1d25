//! The score sheet of a year as it stood on a day, or as fixed at finalisation.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::EvidenceLink;
use crate::acts::rules::PenaltyProcedure;
use crate::db::schema::departments::dsl as dp;
use crate::db::{DbConn, StoreError};
use crate::evaluation::rules::{self, Grade, Outcome, ProblemType, Section, EVAL_5, EVAL_7};
use crate::evaluation::store::{self, Deduction};
use crate::http::AppError;
use crate::rules::store::StoredVersion;
use crate::rules::{ArticleRef, Regime};

/// A deduction as a line of the sheet.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SheetLine {
    pub deduction_id: i64,
    pub problem_type: ProblemType,
    pub points: u32,
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub found_on: NaiveDate,
    /// The rule-set version the points were counted by.
    pub rule_version: i64,
    pub evidence: EvidenceLink,
}

/// One section of a department's sheet.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SectionSheet {
    pub section: Section,
    pub cap: u32,
    /// Points the standing deductions add up to (may exceed the cap).
    pub deducted: u32,
    /// `cap - deducted`, never below 0.
    pub score: u32,
    #[schema(example = "EVAL-5(3)")]
    pub basis: String,
    pub deductions: Vec<SheetLine>,
}

/// A department's score for the year.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DepartmentScore {
    pub department_id: i64,
    pub department_name: String,
    pub sections: Vec<SectionSheet>,
    /// The sum of the section scores, 0 to 100.
    pub total: u32,
    pub grade: Grade,
    /// What the grade brings (EVAL-7).
    pub outcome: Outcome,
    /// The rule-set version whose caps and thresholds scored it.
    pub rule_version: i64,
    #[schema(example = json!(["EVAL-5", "EVAL-7"]))]
    pub basis: Vec<String>,
}

/// Every department's score for a year.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct YearScores {
    pub year: i32,
    /// The day the sheet stands on.
    pub as_of: NaiveDate,
    /// The rule-set version whose caps and grade thresholds apply: the one in force on `as_of`.
    pub rule_version: i64,
    /// Whether these are the results fixed at finalisation (EVAL-6) rather than a live view.
    #[serde(rename = "final")]
    pub fixed: bool,
    pub departments: Vec<DepartmentScore>,
    #[schema(example = json!(["EVAL-4", "EVAL-5"]))]
    pub basis: Vec<String>,
}

/// The rule set in force on `day`; days before the first version use the first.
fn version_on(conn: &mut DbConn, day: NaiveDate) -> Result<StoredVersion, StoreError> {
    match crate::rules::store::in_force(conn, day) {
        Err(StoreError::NotFound) => crate::rules::store::versions(conn)?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound),
        other => other,
    }
}

fn line(x: &Deduction) -> SheetLine {
    SheetLine {
        deduction_id: x.id,
        problem_type: x.problem_type,
        points: u32::try_from(x.points).unwrap_or(0),
        penalty_procedure: x.penalty_procedure,
        found_on: x.found_on,
        rule_version: x.rule_version,
        evidence: EvidenceLink::new(x.evidence_kind, x.evidence_id),
    }
}

fn department(v: &StoredVersion, id: i64, name: String, mine: &[&Deduction], day: NaiveDate) -> DepartmentScore {
    let values = &v.rule.values;
    let counted: Vec<_> = mine.iter().map(|x| x.counted()).collect();
    let (secs, total, grade) = rules::score(&values.score_sheet, &values.grade_thresholds, &counted, day);
    let sections = secs
        .into_iter()
        .map(|s| SectionSheet {
            deductions: mine
                .iter()
                .filter(|x| x.section == s.section && x.counted().stands_on(day))
                .map(|x| line(x))
                .collect(),
            section: s.section,
            cap: s.cap,
            deducted: s.deducted,
            score: s.score,
            basis: s.basis,
        })
        .collect();
    DepartmentScore {
        department_id: id,
        department_name: name,
        sections,
        total,
        grade,
        outcome: rules::outcome(grade),
        rule_version: v.rule.version,
        basis: vec![EVAL_5.to_string(), EVAL_7.to_string()],
    }
}

/// The sheet on `day`: every active department, and any other with deductions that year.
pub fn compute(conn: &mut DbConn, year: i32, day: NaiveDate) -> Result<YearScores, StoreError> {
    let v = version_on(conn, day)?;
    let deductions = store::of_year(conn, year)?;
    // A department set up after the year had ended was not assessed in it.
    let (_, last) = crate::rules::calendar::year_bounds(year);
    let founded_by = crate::db::end_of_day(last);
    let departments: Vec<(i64, String, bool)> = dp::departments
        .filter(dp::created_at.lt(founded_by))
        .order(dp::id.asc())
        .select((dp::id, dp::name, dp::active))
        .load(conn)?;
    let scores = departments
        .into_iter()
        .filter_map(|(id, name, active)| {
            let mine: Vec<&Deduction> = deductions.iter().filter(|x| x.department_id == id).collect();
            (active || !mine.is_empty()).then(|| department(&v, id, name, &mine, day))
        })
        .collect();
    Ok(YearScores {
        year,
        as_of: day,
        rule_version: v.rule.version,
        fixed: false,
        departments: scores,
        basis: vec![ArticleRef::article(Regime::Eval, 4).to_string(), EVAL_5.to_string()],
    })
}

/// Today for the current year, the last day for a past year, the first for a future one.
pub fn default_day(year: i32) -> NaiveDate {
    let (first, last) = crate::rules::calendar::year_bounds(year);
    crate::db::today().clamp(first, last)
}

/// 取消评比先进的资格 (ACC-6): a department sanctioned in the year keeps its grade, but an
/// excellent grade brings it no commendation or reward (EVAL-7). Applied to every view of the
/// sheet, live or fixed, because a case may be decided after the results were fixed.
pub fn withhold_rewards(s: &mut YearScores, sanctioned: &BTreeMap<i64, Vec<i64>>) {
    for d in s
        .departments
        .iter_mut()
        .filter(|d| sanctioned.contains_key(&d.department_id))
    {
        if d.outcome == Outcome::CommendationAndReward {
            d.outcome = Outcome::Unremarked;
            d.basis.push(ArticleRef::article(Regime::Acc, 6).to_string());
        }
    }
}

/// The fixed results of a finalised year, if any.
pub fn fixed(conn: &mut DbConn, year: i32) -> Result<Option<YearScores>, AppError> {
    let Some(results) = store::year(conn, year)?.and_then(|y| y.results) else {
        return Ok(None);
    };
    let s: YearScores = serde_json::from_str(&results)
        .map_err(|e| AppError::Internal(format!("the fixed results of {year} are unreadable: {e}")))?;
    Ok(Some(s))
}

/// The fixed results when no day is asked for and the year is finalised; otherwise the live sheet.
pub fn current_or_fixed(conn: &mut DbConn, year: i32, day: Option<NaiveDate>) -> Result<YearScores, AppError> {
    if day.is_none() {
        if let Some(s) = fixed(conn, year)? {
            return Ok(s);
        }
    }
    Ok(compute(conn, year, day.unwrap_or_else(|| default_day(year)))?)
}
