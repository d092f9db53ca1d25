//! EVAL-5, pure: the 100-point score sheet, its sections, problem types and deductions, each
//! section floored at 0, and the grades.

use serde::Serialize;
use utoipa::ToSchema;

use crate::acts::rules::PenaltyProcedure;
use crate::rules::ruleset::{GradeThresholds, ScoreSheet};
use crate::rules::{ArticleRef, Regime};

crate::text_enum! {
    /// The four sections of the score sheet (EVAL-5 (1)–(4)).
    pub enum Section {
        /// 抽象行政行为合法性
        AbstractActs = "abstract_acts",
        /// 许可行为合法性
        Licensing = "licensing",
        /// 行政处罚行为合法性
        Penalty = "penalty",
        /// 受理信访申诉行为情况
        Petitions = "petitions",
    }
}

impl Section {
    pub fn basis(self) -> ArticleRef {
        let item = match self {
            Self::AbstractActs => 1,
            Self::Licensing => 2,
            Self::Penalty => 3,
            Self::Petitions => 4,
        };
        ArticleRef::item(Regime::Eval, 5, item)
    }

    pub fn cap(self, sheet: &ScoreSheet) -> u32 {
        match self {
            Self::AbstractActs => sheet.abstract_acts_cap,
            Self::Licensing => sheet.licensing_cap,
            Self::Penalty => sheet.penalty_cap,
            Self::Petitions => sheet.petitions_cap,
        }
    }
}

crate::text_enum! {
    /// The problems the score sheet names, and only these (EVAL-5).
    pub enum ProblemType {
        /// (1) 与法律、法规、规章或上级规定相抵触
        ConflictingProvision = "conflicting_provision",
        /// (1) 有"七不准"内容
        SevenProhibitions = "seven_prohibitions",
        /// (2)1 越权核准
        ExceedingAuthority = "exceeding_authority",
        /// (2)2 登记材料不全
        IncompleteRegistrationMaterials = "incomplete_registration_materials",
        /// (2)3 违反前置审批规定
        PreApprovalViolated = "pre_approval_violated",
        /// (2)4 经营范围和经营方式核准不规范
        ScopeOrModeIrregular = "scope_or_mode_irregular",
        /// (2)5 特况审批不符合政策或情况不真实
        SpecialApprovalImproper = "special_approval_improper",
        /// (3)1 执法主体有误
        WrongSubject = "wrong_subject",
        /// (3)2 违法事实不清
        UnclearFacts = "unclear_facts",
        /// (3)3 证据不足
        InsufficientEvidence = "insufficient_evidence",
        /// (3)4 定性错误
        WrongCharacterisation = "wrong_characterisation",
        /// (3)5 程序违法
        IllegalProcedure = "illegal_procedure",
        /// (3)6 处理失当
        ImproperHandling = "improper_handling",
        /// (3)7 应移送司法机关而未移送
        NotTransferredToJudicialOrgans = "not_transferred_to_judicial_organs",
        /// (3)8 其他导致行政处罚不能成立的问题
        OtherPenaltyDefect = "other_penalty_defect",
        /// (3)9 强制措施的采取或解除未经正常批准
        CoerciveNotApproved = "coercive_not_approved",
        /// (3)10 强制措施的采取或解除理由不充分
        CoerciveGroundsInsufficient = "coercive_grounds_insufficient",
        /// (3)11 财物不明确，去向不明，处理程序违法或超期
        CoercivePropertyMishandled = "coercive_property_mishandled",
        /// (3)12 其他导致强制措施不合法的问题
        OtherCoerciveDefect = "other_coercive_defect",
        /// (4)1 无故不予答复
        NotAnswered = "not_answered",
        /// (4)2 解答处理不符合政策
        AnswerAgainstPolicy = "answer_against_policy",
        /// (4)3 处理不当造成越级上访
        EscalationCaused = "escalation_caused",
    }
}

impl ProblemType {
    /// The section that lists this problem.
    pub fn section(self) -> Section {
        use ProblemType::*;
        match self {
            ConflictingProvision | SevenProhibitions => Section::AbstractActs,
            ExceedingAuthority
            | IncompleteRegistrationMaterials
            | PreApprovalViolated
            | ScopeOrModeIrregular
            | SpecialApprovalImproper => Section::Licensing,
            NotAnswered | AnswerAgainstPolicy | EscalationCaused => Section::Petitions,
            _ => Section::Penalty,
        }
    }
}

/// The points one problem costs: penalties by the act's procedure (2 on the spot, 3 on a
/// filed case), the others by their section. `None`: a penalty problem without a procedure.
pub fn points(sheet: &ScoreSheet, problem: ProblemType, procedure: Option<PenaltyProcedure>) -> Option<u32> {
    match problem.section() {
        Section::AbstractActs => Some(sheet.abstract_acts_deduction),
        Section::Licensing => Some(sheet.licensing_deduction),
        Section::Petitions => Some(sheet.petitions_deduction),
        Section::Penalty => procedure.map(|p| match p {
            PenaltyProcedure::OnTheSpot => sheet.penalty_on_the_spot_deduction,
            PenaltyProcedure::FiledCase => sheet.penalty_filed_case_deduction,
        }),
    }
}

crate::text_enum! {
    /// EVAL-5: 优秀 ≥ 95, 较好 90–94, 一般 80–89, 差 ≤ 79.
    pub enum Grade {
        Excellent = "excellent",
        Good = "good",
        Average = "average",
        Poor = "poor",
    }
}

pub fn grade(total: u32, t: &GradeThresholds) -> Grade {
    if total >= t.excellent {
        Grade::Excellent
    } else if total >= t.good {
        Grade::Good
    } else if total >= t.average {
        Grade::Average
    } else {
        Grade::Poor
    }
}

/// One section's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SectionScore {
    pub section: Section,
    pub cap: u32,
    /// The points the deductions add up to (may exceed the cap).
    pub deducted: u32,
    /// `cap - deducted`, never below 0.
    pub score: u32,
    #[schema(value_type = String, example = "EVAL-5(3)")]
    pub basis: String,
}

/// Each section's score from the points deducted in it.
pub fn sections(sheet: &ScoreSheet, deducted: impl Fn(Section) -> u32) -> Vec<SectionScore> {
    Section::ALL
        .iter()
        .map(|s| {
            let (cap, d) = (s.cap(sheet), deducted(*s));
            SectionScore {
                section: *s,
                cap,
                deducted: d,
                score: cap.saturating_sub(d),
                basis: s.basis().to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ruleset::RuleValues;

    #[test]
    fn each_problem_belongs_to_one_section_and_costs_its_points() {
        let v = RuleValues::default();
        let s = &v.score_sheet;
        let count = |sec: Section| ProblemType::ALL.iter().filter(|p| p.section() == sec).count();
        assert_eq!(
            (
                count(Section::AbstractActs),
                count(Section::Licensing),
                count(Section::Penalty),
                count(Section::Petitions)
            ),
            (2, 5, 12, 3)
        );
        assert_eq!(points(s, ProblemType::SevenProhibitions, None), Some(2));
        assert_eq!(points(s, ProblemType::ExceedingAuthority, None), Some(5));
        assert_eq!(
            points(s, ProblemType::UnclearFacts, Some(PenaltyProcedure::OnTheSpot)),
            Some(2)
        );
        assert_eq!(
            points(s, ProblemType::UnclearFacts, Some(PenaltyProcedure::FiledCase)),
            Some(3)
        );
        assert_eq!(points(s, ProblemType::CoerciveNotApproved, None), None);
        assert_eq!(points(s, ProblemType::EscalationCaused, None), Some(1));
    }

    #[test]
    fn sections_floor_at_zero_and_grades_have_exact_boundaries() {
        let v = RuleValues::default();
        let r = sections(&v.score_sheet, |s| {
            if s == Section::Petitions {
                13
            } else if s == Section::Licensing {
                5
            } else {
                0
            }
        });
        assert_eq!(
            r[3],
            SectionScore {
                section: Section::Petitions,
                cap: 10,
                deducted: 13,
                score: 0,
                basis: "EVAL-5(4)".into()
            }
        );
        assert_eq!(r[1].score, 25);
        assert_eq!(r.iter().map(|x| x.score).sum::<u32>(), 85);
        let t = &v.grade_thresholds;
        for (total, g) in [
            (100, Grade::Excellent),
            (95, Grade::Excellent),
            (94, Grade::Good),
            (90, Grade::Good),
            (89, Grade::Average),
            (80, Grade::Average),
            (79, Grade::Poor),
            (0, Grade::Poor),
        ] {
            assert_eq!(grade(total, t), g, "{total}");
        }
    }
}
