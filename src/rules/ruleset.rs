//! The versioned rule set: every number the regimes use, with the article it comes from
//! (DOMAIN.md §8). A version is in force from its `effective_from` until the next version's.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ArticleRef, Basis, Regime};
use crate::acts::rules::{ActKind, CounterpartType};

/// Working days after the decision date within which a decision must be published, by act
/// kind (PUB-6; defaults follow 国办发〔2018〕118号: 7 for licensing and penalties, 20 otherwise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureDeadlines {
    pub licensing: u32,
    pub penalty: u32,
    pub confirmation: u32,
    pub levy: u32,
    pub coercive: u32,
    pub inspection: u32,
    pub other: u32,
}

impl DisclosureDeadlines {
    pub fn for_kind(&self, kind: ActKind) -> u32 {
        match kind {
            ActKind::Licensing => self.licensing,
            ActKind::Penalty => self.penalty,
            ActKind::Confirmation => self.confirmation,
            ActKind::Levy => self.levy,
            ActKind::Coercive => self.coercive,
            ActKind::Inspection => self.inspection,
            ActKind::Other => self.other,
        }
    }

    fn all(&self) -> [u32; 7] {
        [
            self.licensing,
            self.penalty,
            self.confirmation,
            self.levy,
            self.coercive,
            self.inspection,
            self.other,
        ]
    }
}

/// Years a published decision stays public (PUB-6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Legal persons and others.
    pub default_years: u32,
    /// Where the counterpart is a natural person.
    pub natural_person_years: u32,
}

impl Retention {
    pub fn years_for(&self, counterpart: CounterpartType) -> u32 {
        match counterpart {
            CounterpartType::NaturalPerson => self.natural_person_years,
            _ => self.default_years,
        }
    }
}

/// The 100-point score sheet (EVAL-5): section caps and deductions per problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreSheet {
    /// EVAL-5(1) 抽象行政行为合法性.
    pub abstract_acts_cap: u32,
    pub abstract_acts_deduction: u32,
    /// EVAL-5(2) 许可行为合法性.
    pub licensing_cap: u32,
    pub licensing_deduction: u32,
    /// EVAL-5(3) 行政处罚行为合法性.
    pub penalty_cap: u32,
    pub penalty_on_the_spot_deduction: u32,
    pub penalty_filed_case_deduction: u32,
    /// EVAL-5(4) 受理信访申诉行为情况.
    pub petitions_cap: u32,
    pub petitions_deduction: u32,
}

/// Lowest total of each grade (EVAL-5): excellent ≥ 95, good 90–94, average 80–89, poor below.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeThresholds {
    pub excellent: u32,
    pub good: u32,
    pub average: u32,
}

/// Every number of the regimes. Posted as is to create a version; read back with the article
/// of each number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleValues {
    pub disclosure_deadline_working_days: DisclosureDeadlines,
    pub retention: Retention,
    /// TRN-6: yearly study and training hours per person.
    pub training_hours_per_year: u32,
    /// TRN-7: the exam pass mark.
    pub exam_pass_mark: u32,
    /// ACC-13: days from receipt of a decision within which an appeal may be filed.
    pub appeal_window_days: u32,
    pub score_sheet: ScoreSheet,
    pub grade_thresholds: GradeThresholds,
    /// SUP-5: regular inspections the leadership group holds each year.
    pub regular_inspections_per_year: u32,
    /// Working days a department has to answer an assigned petition (EVAL-5(4)).
    pub petition_reply_working_days: u32,
    /// Certificates expiring within this many days are listed ahead of time.
    pub certificate_expiry_warning_days: u32,
}

impl Default for RuleValues {
    fn default() -> Self {
        Self {
            disclosure_deadline_working_days: DisclosureDeadlines {
                licensing: 7,
                penalty: 7,
                confirmation: 20,
                levy: 20,
                coercive: 20,
                inspection: 20,
                other: 20,
            },
            retention: Retention {
                default_years: 5,
                natural_person_years: 2,
            },
            training_hours_per_year: 30,
            exam_pass_mark: 60,
            appeal_window_days: 30,
            score_sheet: ScoreSheet {
                abstract_acts_cap: 20,
                abstract_acts_deduction: 2,
                licensing_cap: 30,
                licensing_deduction: 5,
                penalty_cap: 40,
                penalty_on_the_spot_deduction: 2,
                penalty_filed_case_deduction: 3,
                petitions_cap: 10,
                petitions_deduction: 1,
            },
            grade_thresholds: GradeThresholds {
                excellent: 95,
                good: 90,
                average: 80,
            },
            regular_inspections_per_year: 2,
            petition_reply_working_days: 15,
            certificate_expiry_warning_days: 30,
        }
    }
}

const fn art(regime: Regime, article: u8) -> ArticleRef {
    ArticleRef::article(regime, article)
}

const fn item(regime: Regime, article: u8, item: u8) -> ArticleRef {
    ArticleRef::item(regime, article, item)
}

/// The article each number comes from, by its field name.
pub const ARTICLES: &[(&str, &[ArticleRef])] = &[
    ("disclosure_deadline_working_days", &[art(Regime::Pub, 6)]),
    ("retention", &[art(Regime::Pub, 6)]),
    ("training_hours_per_year", &[art(Regime::Trn, 6)]),
    ("exam_pass_mark", &[art(Regime::Trn, 7)]),
    ("appeal_window_days", &[art(Regime::Acc, 13)]),
    (
        "score_sheet",
        &[
            item(Regime::Eval, 5, 1),
            item(Regime::Eval, 5, 2),
            item(Regime::Eval, 5, 3),
            item(Regime::Eval, 5, 4),
        ],
    ),
    ("grade_thresholds", &[art(Regime::Eval, 5)]),
    ("regular_inspections_per_year", &[art(Regime::Sup, 5)]),
    ("petition_reply_working_days", &[item(Regime::Eval, 5, 4)]),
    ("certificate_expiry_warning_days", &[item(Regime::Sup, 6, 2)]),
];

/// The basis of one number of the rule set.
pub fn basis_of(field: &str) -> Basis {
    ARTICLES
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, refs)| Basis::of(refs))
        .unwrap_or_default()
}

/// Checks a proposed set; every problem is named with its field.
pub fn validate(v: &RuleValues) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut range = |field: &str, value: u32, lo: u32, hi: u32| {
        if !(lo..=hi).contains(&value) {
            problems.push((field.to_owned(), format!("must be from {lo} to {hi}")));
        }
    };
    for (i, d) in v.disclosure_deadline_working_days.all().into_iter().enumerate() {
        range(
            &format!("disclosure_deadline_working_days.{}", ActKind::ALL[i]),
            d,
            1,
            365,
        );
    }
    range("retention.default_years", v.retention.default_years, 1, 50);
    range(
        "retention.natural_person_years",
        v.retention.natural_person_years,
        1,
        50,
    );
    range("training_hours_per_year", v.training_hours_per_year, 1, 2000);
    range("exam_pass_mark", v.exam_pass_mark, 1, 100);
    range("appeal_window_days", v.appeal_window_days, 1, 365);
    range("regular_inspections_per_year", v.regular_inspections_per_year, 1, 52);
    range("petition_reply_working_days", v.petition_reply_working_days, 1, 365);
    range(
        "certificate_expiry_warning_days",
        v.certificate_expiry_warning_days,
        1,
        3650,
    );
    let s = &v.score_sheet;
    let caps = s.abstract_acts_cap + s.licensing_cap + s.penalty_cap + s.petitions_cap;
    if caps != 100 {
        problems.push((
            "score_sheet".into(),
            format!("the section caps must add up to 100 (EVAL-5), not {caps}"),
        ));
    }
    for (field, deduction, cap) in [
        (
            "score_sheet.abstract_acts_deduction",
            s.abstract_acts_deduction,
            s.abstract_acts_cap,
        ),
        (
            "score_sheet.licensing_deduction",
            s.licensing_deduction,
            s.licensing_cap,
        ),
        (
            "score_sheet.penalty_on_the_spot_deduction",
            s.penalty_on_the_spot_deduction,
            s.penalty_cap,
        ),
        (
            "score_sheet.penalty_filed_case_deduction",
            s.penalty_filed_case_deduction,
            s.penalty_cap,
        ),
        (
            "score_sheet.petitions_deduction",
            s.petitions_deduction,
            s.petitions_cap,
        ),
    ] {
        if deduction == 0 || deduction > cap {
            problems.push((field.into(), "must be at least 1 and at most its section's cap".into()));
        }
    }
    let g = &v.grade_thresholds;
    if !(g.excellent <= 100 && g.excellent > g.good && g.good > g.average && g.average > 0) {
        problems.push((
            "grade_thresholds".into(),
            "must satisfy 100 ≥ excellent > good > average > 0".into(),
        ));
    }
    problems
}

/// A version of the rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleVersion {
    pub version: i64,
    pub effective_from: NaiveDate,
    pub values: RuleValues,
}

/// The version in force on `on`: the latest whose `effective_from` is not after it.
pub fn in_force<V: AsRef<RuleVersion>>(versions: &[V], on: NaiveDate) -> Option<&V> {
    versions
        .iter()
        .filter(|v| v.as_ref().effective_from <= on)
        .max_by_key(|v| v.as_ref().effective_from)
}

impl AsRef<RuleVersion> for RuleVersion {
    fn as_ref(&self) -> &RuleVersion {
        self
    }
}

/// The effective date of the version shipped with the service (the regulations apply 自公布之日起).
pub fn first_effective_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_seed_numbers_and_valid() {
        let v = RuleValues::default();
        assert!(validate(&v).is_empty(), "{:?}", validate(&v));
        assert_eq!(v.disclosure_deadline_working_days.for_kind(ActKind::Penalty), 7);
        assert_eq!(v.disclosure_deadline_working_days.for_kind(ActKind::Inspection), 20);
        assert_eq!(v.retention.years_for(CounterpartType::NaturalPerson), 2);
        assert_eq!(v.retention.years_for(CounterpartType::LegalPerson), 5);
        assert_eq!(basis_of("appeal_window_days").0[0].to_string(), "ACC-13");
    }

    #[test]
    fn caps_must_add_to_100_and_grades_must_descend() {
        let mut v = RuleValues::default();
        v.score_sheet.penalty_cap = 41;
        v.grade_thresholds.good = 95;
        v.disclosure_deadline_working_days.levy = 0;
        let fields: Vec<_> = validate(&v).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "disclosure_deadline_working_days.levy",
                "score_sheet",
                "grade_thresholds"
            ]
        );
    }

    #[test]
    fn the_version_in_force_is_the_latest_started() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let v = |n: i64, from: &str| RuleVersion {
            version: n,
            effective_from: d(from),
            values: RuleValues::default(),
        };
        let all = [v(1, "2000-01-01"), v(3, "2027-03-01"), v(2, "2027-01-01")];
        assert_eq!(in_force(&all, d("2026-12-31")).unwrap().version, 1);
        assert_eq!(in_force(&all, d("2027-01-01")).unwrap().version, 2);
        assert_eq!(in_force(&all, d("2027-02-28")).unwrap().version, 2);
        assert_eq!(in_force(&all, d("2027-03-01")).unwrap().version, 3);
        assert!(in_force(&all, d("1999-12-31")).is_none());
    }
}
