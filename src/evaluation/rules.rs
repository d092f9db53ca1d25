//! EVAL-5, pure: the 100-point score sheet, its sections, problem types and deductions, each
//! section floored at 0, and the grades.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::acts::rules::{ActKind, PenaltyProcedure};
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

crate::text_enum! {
    /// What a deduction rests on (EVAL-5: deductions come with evidence).
    pub enum EvidenceKind {
        /// A supervision finding (SUP-6).
        Finding = "finding",
        /// A petition record (§7).
        Petition = "petition",
        /// An act of the register.
        Act = "act",
        /// A supervision document (执法监督检查文书, SUP-10).
        Document = "document",
    }
}

pub const EVAL_5: ArticleRef = ArticleRef::article(Regime::Eval, 5);
pub const EVAL_7: ArticleRef = ArticleRef::article(Regime::Eval, 7);

/// Why a deduction is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeductionRefused {
    #[error("EVAL-5 lists `{problem}` under section `{listed}`, not `{given}`")]
    WrongSection {
        problem: ProblemType,
        listed: Section,
        given: Section,
    },
    #[error("EVAL-5(3) deducts by the penalty's procedure: the evidence names no single act procedure, so give `penalty_procedure`")]
    NoProcedure,
    #[error("EVAL-5(3): the act was a `{act}` penalty, not `{given}`")]
    ProcedureConflict {
        act: PenaltyProcedure,
        given: PenaltyProcedure,
    },
    #[error(
        "EVAL-5 scores by a penalty's procedure only in section `penalty`; `{section}` takes no `penalty_procedure`"
    )]
    ProcedureOutsidePenalty { section: Section },
    #[error("`{problem}` is a problem of {wanted}; the evidence's act is a `{act}` act")]
    ActKindMismatch {
        problem: ProblemType,
        act: ActKind,
        wanted: &'static str,
    },
    #[error("a petition is evidence of the problems of EVAL-5(4) only, not of `{0}`")]
    NotAPetitionProblem(ProblemType),
    #[error("`{0}` is a problem of handling a petition (EVAL-5(4)): its evidence is the petition")]
    PetitionProblemNeedsPetition(ProblemType),
    #[error("the petition is not assigned to a department yet: no department has handled it")]
    PetitionUnassigned,
    #[error("the petition does not show `{problem}`: {why}")]
    PetitionDoesNotShow { problem: ProblemType, why: String },
}

impl DeductionRefused {
    pub fn basis(&self) -> ArticleRef {
        match self {
            Self::WrongSection { listed, .. } => listed.basis(),
            Self::ActKindMismatch { problem, .. } => problem.section().basis(),
            Self::NotAPetitionProblem(_)
            | Self::PetitionProblemNeedsPetition(_)
            | Self::PetitionUnassigned
            | Self::PetitionDoesNotShow { .. } => Section::Petitions.basis(),
            _ => Section::Penalty.basis(),
        }
    }
}

/// The procedure a penalty problem is scored by: the evidence's act decides; a procedure given
/// by hand is only used where the evidence names none (e.g. a coercive measure).
pub fn scored_procedure(
    problem: ProblemType,
    section: Section,
    of_act: Option<PenaltyProcedure>,
    given: Option<PenaltyProcedure>,
) -> Result<Option<PenaltyProcedure>, DeductionRefused> {
    if problem.section() != section {
        return Err(DeductionRefused::WrongSection {
            problem,
            listed: problem.section(),
            given: section,
        });
    }
    if section != Section::Penalty {
        return match given {
            Some(_) => Err(DeductionRefused::ProcedureOutsidePenalty { section }),
            None => Ok(None),
        };
    }
    match (of_act, given) {
        (Some(act), Some(given)) if act != given => Err(DeductionRefused::ProcedureConflict { act, given }),
        (Some(p), _) | (None, Some(p)) => Ok(Some(p)),
        (None, None) => Err(DeductionRefused::NoProcedure),
    }
}

/// Whether the act the evidence is about can show this problem: licensing problems are found
/// in licensing acts (EVAL-5(2)), items 1–8 of EVAL-5(3) in penalties, items 9–12 in coercive
/// measures, also those taken within a penalty case. A problem of EVAL-5(1) is one of a
/// normative document (规范性文件), never of an enforcement act of the register.
pub fn fits_act(problem: ProblemType, act: ActKind) -> Result<(), DeductionRefused> {
    use ProblemType::*;
    let (fits, wanted) = match problem {
        CoerciveNotApproved | CoerciveGroundsInsufficient | CoercivePropertyMishandled | OtherCoerciveDefect => (
            matches!(act, ActKind::Coercive | ActKind::Penalty),
            "coercive measures (行政强制)",
        ),
        _ => match problem.section() {
            Section::Licensing => (act == ActKind::Licensing, "licensing (行政许可)"),
            Section::Penalty => (act == ActKind::Penalty, "penalties (行政处罚)"),
            Section::AbstractActs => (false, "normative documents (规范性文件)"),
            Section::Petitions => (true, ""),
        },
    };
    if fits {
        Ok(())
    } else {
        Err(DeductionRefused::ActKindMismatch { problem, act, wanted })
    }
}

/// The penalty procedures of the evidence's acts that can show this problem (`fits_act`): the
/// evidence is refused when it names acts and none of them can, unless it also stands for
/// something that is no act (a finding about no act, or a document stating one).
pub fn acts_showing(
    problem: ProblemType,
    acts: &[(ActKind, Option<PenaltyProcedure>)],
    also_no_act: bool,
) -> Result<BTreeSet<PenaltyProcedure>, DeductionRefused> {
    let mut procedures = BTreeSet::new();
    let (mut fits_any, mut refusal) = (also_no_act || acts.is_empty(), None);
    for (kind, procedure) in acts {
        match fits_act(problem, *kind) {
            Ok(()) => {
                fits_any = true;
                procedures.extend(*procedure);
            }
            Err(e) => refusal = refusal.or(Some(e)),
        }
    }
    match refusal {
        Some(e) if !fits_any => Err(e),
        _ => Ok(procedures),
    }
}

/// What the petition register holds about a petition given as evidence.
#[derive(Clone, Copy, Debug)]
pub struct PetitionFacts {
    /// Set with the department on assignment.
    pub reply_due_on: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub mishandled: bool,
    pub escalated: bool,
    /// The department holding it now.
    pub department_id: Option<i64>,
    /// The department that held it when its deadline passed unanswered, if it was passed on
    /// afterwards.
    pub lapsed_department_id: Option<i64>,
    /// The department that held it when it was marked escalated.
    pub escalated_department_id: Option<i64>,
}

impl PetitionFacts {
    /// The department a problem of the petition is charged to: a reply missed to the one that
    /// held the petition when its deadline passed, an escalation to the one holding it when
    /// marked, an answer against policy to the one that answered (an answered petition is no
    /// longer transferred).
    pub fn charged(&self, problem: ProblemType) -> Option<i64> {
        match problem {
            ProblemType::NotAnswered => self.lapsed_department_id.or(self.department_id),
            ProblemType::EscalationCaused => self.escalated_department_id.or(self.department_id),
            _ => self.department_id,
        }
    }

    /// The EVAL-5(4) problem the petition shows as of `on`, the gravest first: escalation,
    /// an answer against policy, no answer by the deadline.
    pub fn problem(&self, on: NaiveDate) -> Option<ProblemType> {
        use ProblemType::*;
        [EscalationCaused, AnswerAgainstPolicy, NotAnswered]
            .into_iter()
            .find(|&problem| fits_petition(problem, self, on).is_ok())
    }
}

/// Whether a petition shows the EVAL-5(4) problem as of `found` (the day the problem is
/// recorded as found): (4)1 not answered by its deadline, or answered after it; (4)2 answered
/// and marked mishandled (an answer must exist to be against policy); (4)3 marked escalated.
/// The candidate list reads petitions the same way ([`PetitionFacts::problem`]).
pub fn fits_petition(problem: ProblemType, p: &PetitionFacts, found: NaiveDate) -> Result<(), DeductionRefused> {
    use ProblemType::*;
    let Some(due) = p.reply_due_on else {
        return Err(DeductionRefused::PetitionUnassigned);
    };
    let why = match problem {
        NotAnswered => match p.replied_on {
            Some(on) if on <= due => format!("it was answered on {on}, by its deadline {due}"),
            None if found <= due => format!("its deadline {due} had not passed on {found}"),
            Some(on) if found <= due => format!("its deadline {due} had not passed on {found} (answered {on})"),
            _ => return Ok(()),
        },
        AnswerAgainstPolicy if !p.mishandled => "it is not marked mishandled".to_owned(),
        AnswerAgainstPolicy if p.replied_on.is_none() => {
            "it has not been answered, so no answer of it is against policy".to_owned()
        }
        EscalationCaused if !p.escalated => "it is not marked escalated (越级上访)".to_owned(),
        AnswerAgainstPolicy | EscalationCaused => return Ok(()),
        other => return Err(DeductionRefused::NotAPetitionProblem(other)),
    };
    Err(DeductionRefused::PetitionDoesNotShow { problem, why })
}

/// One recorded deduction, as the score sheet counts it.
#[derive(Clone, Copy, Debug)]
pub struct Counted {
    pub section: Section,
    pub points: u32,
    pub found_on: NaiveDate,
    /// Withdrawn on review: the problem was not one, so it never counted (the record stays).
    pub withdrawn: bool,
}

impl Counted {
    /// Found by `day` (日积累: the sheet accumulates day by day) and not withdrawn. A
    /// withdrawal is not dated into the sheet: a deduction found wrong in December must not
    /// still lower the year's first three quarters, nor a past year not yet finalised.
    pub fn stands_on(&self, day: NaiveDate) -> bool {
        self.found_on <= day && !self.withdrawn
    }
}

/// A department's sections, total and grade on `day`.
pub fn score(
    sheet: &ScoreSheet,
    thresholds: &GradeThresholds,
    deductions: &[Counted],
    day: NaiveDate,
) -> (Vec<SectionScore>, u32, Grade) {
    let secs = sections(sheet, |s| {
        deductions
            .iter()
            .filter(|d| d.section == s && d.stands_on(day))
            .map(|d| d.points)
            .sum()
    });
    let total = secs.iter().map(|s| s.score).sum();
    (secs, total, grade(total, thresholds))
}

/// The last day of a quarter (季评议), 1 to 4.
pub fn quarter_end(year: i32, quarter: u8) -> Option<NaiveDate> {
    let month = match quarter {
        1..=3 => u32::from(quarter) * 3 + 1,
        4 => return NaiveDate::from_ymd_opt(year, 12, 31),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, 1)?.pred_opt()
}

crate::text_enum! {
    /// Where a year's annual assessment stands (EVAL-6).
    pub enum YearStatus {
        /// (1)–(3) opened: forms filled, preliminary opinions fed back, departments respond.
        Open = "open",
        /// (4) the report is formed.
        Reported = "reported",
        /// Results fixed by the leadership group.
        Finalized = "finalized",
        /// (5) results published; read-only from now on.
        Published = "published",
    }
}

/// A step of the annual procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearStep {
    Report,
    Finalize,
    Publish,
}

impl YearStep {
    fn needs(self) -> YearStatus {
        match self {
            Self::Report => YearStatus::Open,
            Self::Finalize => YearStatus::Reported,
            Self::Publish => YearStatus::Finalized,
        }
    }

    fn article_item(self) -> u8 {
        match self {
            Self::Report => 4,
            Self::Finalize => 4,
            Self::Publish => 5,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("EVAL-6({item}): the year is `{current}`; this step needs `{needed}`")]
pub struct OutOfOrder {
    pub current: YearStatus,
    pub needed: YearStatus,
    pub item: u8,
}

impl OutOfOrder {
    pub fn basis(&self) -> ArticleRef {
        ArticleRef::item(Regime::Eval, 6, self.item)
    }
}

/// The one transition function of the annual procedure: open → reported → finalized → published.
pub fn year_step(current: YearStatus, step: YearStep) -> Result<YearStatus, OutOfOrder> {
    if current != step.needs() {
        return Err(OutOfOrder {
            current,
            needed: step.needs(),
            item: step.article_item(),
        });
    }
    Ok(match step {
        YearStep::Report => YearStatus::Reported,
        YearStep::Finalize => YearStatus::Finalized,
        YearStep::Publish => YearStatus::Published,
    })
}

impl YearStatus {
    /// Deductions and the qualitative record change only while the year is open: the report
    /// (EVAL-6(4)) is formed from the sheet the opinions were fed back on (EVAL-6(2)(3)), so
    /// a later change would leave the report and the results saying different things.
    pub fn sheet_open(self) -> bool {
        self == Self::Open
    }
}

crate::text_enum! {
    /// What a grade brings (EVAL-7).
    pub enum Outcome {
        /// 给予表彰和奖励
        CommendationAndReward = "commendation_and_reward",
        /// 给予通报表扬
        CirculatedPraise = "circulated_praise",
        /// Nothing named for an average grade.
        Unremarked = "none",
        /// 给予通报批评，取消评先评优资格
        CirculatedCriticism = "circulated_criticism",
    }
}

pub fn outcome(grade: Grade) -> Outcome {
    match grade {
        Grade::Excellent => Outcome::CommendationAndReward,
        Grade::Good => Outcome::CirculatedPraise,
        Grade::Average => Outcome::Unremarked,
        Grade::Poor => Outcome::CirculatedCriticism,
    }
}

/// The nine items of the qualitative assessment (EVAL-4), in the seed's words.
pub const QUALITATIVE_ITEMS: [&str; 9] = [
    "行政执法的主体资格是否符合规定",
    "行政执法行为是否符合执法权限",
    "适用执法依据是否准确、规范",
    "行政执法程序是否合法",
    "行政执法决定的内容是否合法、适当",
    "行政执法决定的行政复议和行政诉讼结果",
    "案卷质量情况",
    "法制学习、培训情况",
    "执法人员形象",
];

/// Items (6) and (8) come from the registers, not from typing.
pub fn qualitative_from_registers(item: u8) -> bool {
    matches!(item, 6 | 8)
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

    #[test]
    fn the_act_decides_the_procedure_and_problems_stay_in_their_section() {
        use PenaltyProcedure::*;
        let p = ProblemType::UnclearFacts;
        assert_eq!(
            scored_procedure(p, Section::Penalty, Some(FiledCase), None),
            Ok(Some(FiledCase))
        );
        assert_eq!(
            scored_procedure(p, Section::Penalty, None, Some(OnTheSpot)),
            Ok(Some(OnTheSpot))
        );
        assert_eq!(
            scored_procedure(p, Section::Penalty, None, None),
            Err(DeductionRefused::NoProcedure)
        );
        assert_eq!(
            scored_procedure(p, Section::Penalty, Some(OnTheSpot), Some(FiledCase)),
            Err(DeductionRefused::ProcedureConflict {
                act: OnTheSpot,
                given: FiledCase
            })
        );
        let wrong = scored_procedure(p, Section::Licensing, None, None).unwrap_err();
        assert_eq!(wrong.basis().to_string(), "EVAL-5(3)");
        assert_eq!(
            scored_procedure(ProblemType::NotAnswered, Section::Petitions, Some(FiledCase), None),
            Ok(None)
        );
    }

    #[test]
    fn a_deduction_counts_from_its_day_unless_withdrawn() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let c = Counted {
            section: Section::Penalty,
            points: 3,
            found_on: d("2026-03-10"),
            withdrawn: false,
        };
        assert!(!c.stands_on(d("2026-03-09")));
        assert!(c.stands_on(d("2026-03-10")) && c.stands_on(d("2026-12-31")));
        let withdrawn = Counted { withdrawn: true, ..c };
        assert!(!withdrawn.stands_on(d("2026-03-10")) && !withdrawn.stands_on(d("2026-12-31")));
        let v = RuleValues::default();
        let (_, total, g) = score(&v.score_sheet, &v.grade_thresholds, &[c, c], d("2026-04-01"));
        assert_eq!((total, g), (94, Grade::Good));
        assert_eq!(quarter_end(2026, 1), Some(d("2026-03-31")));
        assert_eq!(quarter_end(2026, 2), Some(d("2026-06-30")));
        assert_eq!(quarter_end(2026, 3), Some(d("2026-09-30")));
        assert_eq!(quarter_end(2026, 4), Some(d("2026-12-31")));
        assert_eq!(quarter_end(2026, 0), None);
    }

    #[test]
    fn the_annual_procedure_moves_one_way() {
        use YearStatus::*;
        assert_eq!(year_step(Open, YearStep::Report), Ok(Reported));
        assert_eq!(year_step(Reported, YearStep::Finalize), Ok(Finalized));
        assert_eq!(year_step(Finalized, YearStep::Publish), Ok(Published));
        let e = year_step(Open, YearStep::Publish).unwrap_err();
        assert_eq!(e.basis().to_string(), "EVAL-6(5)");
        assert!(year_step(Published, YearStep::Report).is_err());
        assert!(Open.sheet_open() && !Reported.sheet_open() && !Finalized.sheet_open() && !Published.sheet_open());
        assert_eq!(outcome(Grade::Poor), Outcome::CirculatedCriticism);
        assert_eq!(outcome(Grade::Excellent), Outcome::CommendationAndReward);
    }

    mod properties {
        use super::super::*;
        use crate::rules::ruleset::RuleValues;
        use proptest::prelude::*;

        fn section() -> impl Strategy<Value = Section> {
            prop::sample::select(Section::ALL.to_vec())
        }

        fn deduction() -> impl Strategy<Value = Counted> {
            let day = |n: i64| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::TimeDelta::days(n);
            (section(), 1u32..6, 0i64..365, any::<bool>()).prop_map(move |(s, p, f, w)| Counted {
                section: s,
                points: p,
                found_on: day(f),
                withdrawn: w,
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]
            #[test]
            fn every_section_is_its_cap_less_what_stands_never_below_zero(
                ds in prop::collection::vec(deduction(), 0..40), on in 0i64..365, extra in deduction(),
            ) {
                let v = RuleValues::default();
                let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::TimeDelta::days(on);
                let (secs, total, g) = score(&v.score_sheet, &v.grade_thresholds, &ds, day);
                for s in &secs {
                    let standing: u32 = ds.iter().filter(|d| d.section == s.section && d.stands_on(day)).map(|d| d.points).sum();
                    prop_assert_eq!(s.deducted, standing);
                    prop_assert_eq!(s.score, s.cap.saturating_sub(standing));
                }
                prop_assert_eq!(total, secs.iter().map(|s| s.score).sum::<u32>());
                prop_assert!(total <= 100);
                prop_assert_eq!(g, grade(total, &v.grade_thresholds));
                // One more deduction never raises the total.
                let mut more = ds.clone();
                more.push(extra);
                let (_, after, _) = score(&v.score_sheet, &v.grade_thresholds, &more, day);
                prop_assert!(after <= total);
            }

            #[test]
            fn grades_follow_the_total_monotonically(a in 0u32..=100, b in 0u32..=100) {
                let t = RuleValues::default().grade_thresholds;
                let rank = |g: Grade| Grade::ALL.iter().position(|x| *x == g).unwrap();
                if a >= b {
                    prop_assert!(rank(grade(a, &t)) <= rank(grade(b, &t)));
                }
                prop_assert_eq!(grade(a, &t) == Grade::Excellent, a >= 95);
                prop_assert_eq!(grade(a, &t) == Grade::Poor, a <= 79);
            }
        }
    }
}
