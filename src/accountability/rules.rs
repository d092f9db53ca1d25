//! ACC rules, pure: who bears what share of a fault (ACC-5), the sanctions each severity allows
//! (ACC-6), how circumstances move the severity (ACC-7, ACC-8, ACC-9), repeated faults within a
//! year (ACC-7(2)) and the appeal window (ACC-13).

use std::collections::BTreeSet;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::org::rules::{CertificateStatus, Position};
use crate::rules::calendar::Calendar;
use crate::rules::{ArticleRef, Regime};

const fn acc(article: u8, item: u8) -> ArticleRef {
    ArticleRef::item(Regime::Acc, article, item)
}

crate::text_enum! {
    /// A person's share of a fault (ACC-5).
    pub enum Share {
        /// 全部责任
        Full = "full",
        /// 主要责任
        Primary = "primary",
        /// 次要责任
        Secondary = "secondary",
        /// 不承担责任 (correct dissent overruled, ACC-5(4))
        None = "none",
    }
}

/// How the act at fault was made, with the people in each part (ACC-5 (1)–(4)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum HowMade {
    /// The officers acted directly (ACC-5(1)).
    Direct { staff: Vec<i64> },
    /// Approved by the department head and/or bureau leaders (ACC-5(2)).
    Approved { staff: Vec<i64>, approvers: Vec<i64> },
    /// Approved on facts the staff concealed or misstated (ACC-5(2), second sentence).
    ApprovedOnFalseFacts { staff: Vec<i64>, approvers: Vec<i64> },
    /// Heads instructed concealment, alteration or illegal handling (ACC-5(3)).
    Instructed { staff: Vec<i64>, instructors: Vec<i64> },
    /// Decided collectively (ACC-5(4)): the principal leader (局机关主要负责人), the other
    /// participants, and those whose correct opinion was overruled.
    Collective {
        principal: i64,
        participants: Vec<i64>,
        /// Those whose correct opinion was overruled: none if left out.
        #[serde(default)]
        dissenters: Vec<i64>,
    },
}

/// One person's share and the item of ACC-5 that gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Allocation {
    pub person_id: i64,
    pub share: Share,
    #[schema(value_type = String, example = "ACC-5(2)")]
    pub basis: String,
}

/// Why an allocation cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("person {0} is named more than once")]
    Repeated(i64),
    #[error("{0} must name at least one person")]
    Empty(&'static str),
    #[error("a dissenter must be one of the participants or the principal leader")]
    DissenterOutside,
    #[error("person {person} is a {position} and cannot be counted among the {part}: ACC-5({item}) names {named}")]
    WrongPosition {
        person: i64,
        position: Position,
        part: &'static str,
        item: u8,
        named: &'static str,
    },
}

impl AllocationError {
    /// The item of ACC-5 the error is about (the whole article when none in particular).
    pub fn basis(&self) -> ArticleRef {
        match self {
            Self::WrongPosition { item, .. } => acc(5, *item),
            Self::DissenterOutside => acc(5, 4),
            _ => ArticleRef::article(Regime::Acc, 5),
        }
    }
}

/// 承办处（室）负责人 or 局机关负责人: who ACC-5 (2) and (3) make approve or instruct.
const HEADS: &[Position] = &[Position::DepartmentHead, Position::DeputyDirector, Position::Director];

/// Whether each person holds the position ACC-5 gives their part: approvers and instructors are
/// heads (department heads or bureau leaders), the principal of a collective decision is the
/// director (局机关主要负责人). Staff and the other participants may hold any position.
pub fn check_positions(how: &HowMade, position: impl Fn(i64) -> Position) -> Result<(), AllocationError> {
    let (part, item, people, allowed, named): (_, _, &[i64], _, _) = match how {
        HowMade::Direct { .. } => return Ok(()),
        HowMade::Approved { approvers, .. } | HowMade::ApprovedOnFalseFacts { approvers, .. } => {
            ("approvers", 2, approvers, HEADS, "department heads and bureau leaders")
        }
        HowMade::Instructed { instructors, .. } => (
            "instructors",
            3,
            instructors,
            HEADS,
            "department heads and bureau leaders",
        ),
        HowMade::Collective { principal, .. } => (
            "principal",
            4,
            std::slice::from_ref(principal),
            &[Position::Director][..],
            "the director (局机关主要负责人)",
        ),
    };
    match people
        .iter()
        .map(|p| (*p, position(*p)))
        .find(|(_, pos)| !allowed.contains(pos))
    {
        Some((person, position)) => Err(AllocationError::WrongPosition {
            person,
            position,
            part,
            item,
            named,
        }),
        None => Ok(()),
    }
}

fn push(out: &mut Vec<Allocation>, people: &[i64], share: Share, item: u8) {
    out.extend(people.iter().map(|p| Allocation {
        person_id: *p,
        share,
        basis: acc(5, item).to_string(),
    }));
}

fn require(name: &'static str, people: &[i64]) -> Result<(), AllocationError> {
    if people.is_empty() {
        Err(AllocationError::Empty(name))
    } else {
        Ok(())
    }
}

/// The one allocation function of ACC-5.
pub fn allocate(how: &HowMade) -> Result<Vec<Allocation>, AllocationError> {
    let mut out = Vec::new();
    match how {
        HowMade::Direct { staff } => {
            require("staff", staff)?;
            push(&mut out, staff, Share::Full, 1);
        }
        HowMade::Approved { staff, approvers } => {
            require("staff", staff)?;
            require("approvers", approvers)?;
            push(&mut out, approvers, Share::Primary, 2);
            push(&mut out, staff, Share::Secondary, 2);
        }
        HowMade::ApprovedOnFalseFacts { staff, approvers } => {
            require("staff", staff)?;
            require("approvers", approvers)?;
            push(&mut out, staff, Share::Primary, 2);
            push(&mut out, approvers, Share::Secondary, 2);
        }
        HowMade::Instructed { staff, instructors } => {
            require("staff", staff)?;
            require("instructors", instructors)?;
            push(&mut out, instructors, Share::Primary, 3);
            push(&mut out, staff, Share::Secondary, 3);
        }
        HowMade::Collective {
            principal,
            participants,
            dissenters,
        } => {
            let all: BTreeSet<i64> = participants.iter().chain([principal]).copied().collect();
            if dissenters.iter().any(|d| !all.contains(d)) {
                return Err(AllocationError::DissenterOutside);
            }
            let share = |p: &i64, otherwise| if dissenters.contains(p) { Share::None } else { otherwise };
            push(&mut out, &[*principal], share(principal, Share::Primary), 4);
            for p in participants {
                push(&mut out, &[*p], share(p, Share::Secondary), 4);
            }
        }
    }
    let mut seen = BTreeSet::new();
    for a in &out {
        if !seen.insert(a.person_id) {
            return Err(AllocationError::Repeated(a.person_id));
        }
    }
    Ok(out)
}

crate::text_enum! {
    /// 情节 (ACC-6).
    pub enum Severity {
        /// 情节轻微
        Minor = "minor",
        /// 情节严重
        Serious = "serious",
        /// 情节特别严重，构成犯罪
        Criminal = "criminal",
    }
}

crate::text_enum! {
    /// What a decision may impose on a person (ACC-6 (1)–(3)).
    pub enum Sanction {
        /// 批评教育
        CriticismEducation = "criticism_education",
        /// 警告
        Warning = "warning",
        /// 记过
        Demerit = "demerit",
        /// 记大过
        MajorDemerit = "major_demerit",
        /// 降级
        Demotion = "demotion",
        /// 撤职
        DismissalFromPost = "dismissal_from_post",
        /// 通报批评
        CirculatedCriticism = "circulated_criticism",
        /// 取消当年评比先进的资格
        LossOfAwardEligibility = "loss_of_award_eligibility",
        /// 暂扣行政执法证件
        CertificateSuspension = "certificate_suspension",
        /// 责令离岗培训
        OffPostTraining = "off_post_training",
        /// 取消行政执法资格
        LossOfEnforcementQualification = "loss_of_enforcement_qualification",
        /// 调离行政执法岗位
        TransferOffPost = "transfer_off_post",
        /// 收缴行政执法证件
        CertificateConfiscation = "certificate_confiscation",
        /// 移交司法机关
        TransferToJudicialOrgans = "transfer_to_judicial_organs",
    }
}

crate::text_enum! {
    /// What a decision may impose on a department (ACC-6, first sentence).
    pub enum DepartmentSanction {
        /// 责令改正
        OrderCorrection = "order_correction",
        /// 通报批评
        CirculatedCriticism = "circulated_criticism",
        /// 取消评比先进的资格
        LossOfAwardEligibility = "loss_of_award_eligibility",
    }
}

/// The 处分 ACC-6 gives the person responsible at a severity: a decision chooses at least one.
pub fn penalties(severity: Severity) -> &'static [Sanction] {
    use Sanction::*;
    match severity {
        Severity::Minor => &[CriticismEducation, Warning, Demerit],
        Severity::Serious => &[Demerit, MajorDemerit, Demotion, DismissalFromPost],
        Severity::Criminal => &[TransferToJudicialOrgans],
    }
}

/// What ACC-6 imposes at a severity besides the chosen 处分 (its "取消…资格", "通报批评",
/// "调离…并收缴…" are not options): part of every such decision.
pub fn imposed(severity: Severity) -> &'static [Sanction] {
    use Sanction::*;
    match severity {
        Severity::Minor => &[LossOfAwardEligibility],
        Severity::Serious => &[
            CirculatedCriticism,
            LossOfEnforcementQualification,
            LossOfAwardEligibility,
            TransferOffPost,
            CertificateConfiscation,
        ],
        Severity::Criminal => &[],
    }
}

/// The chosen sanctions with what the severity imposes added, in the order of `allowed`.
pub fn with_imposed(severity: Severity, chosen: &[Sanction]) -> Vec<Sanction> {
    let mut all: Vec<Sanction> = chosen.to_vec();
    all.extend(imposed(severity).iter().filter(|s| !chosen.contains(s)));
    all
}

/// A department at fault is ordered to correct, criticised in a circular and loses award
/// eligibility (ACC-6, first sentence): all three, whatever the decision lists.
pub const DEPARTMENT_SANCTIONS: [DepartmentSanction; 3] = [
    DepartmentSanction::OrderCorrection,
    DepartmentSanction::CirculatedCriticism,
    DepartmentSanction::LossOfAwardEligibility,
];

/// The sanctions a severity allows a person (ACC-6 (1)–(3)).
pub fn allowed(severity: Severity) -> &'static [Sanction] {
    use Sanction::*;
    match severity {
        Severity::Minor => &[
            CriticismEducation,
            Warning,
            Demerit,
            LossOfAwardEligibility,
            CertificateSuspension,
            OffPostTraining,
        ],
        Severity::Serious => &[
            Demerit,
            MajorDemerit,
            Demotion,
            DismissalFromPost,
            CirculatedCriticism,
            LossOfEnforcementQualification,
            LossOfAwardEligibility,
            TransferOffPost,
            CertificateConfiscation,
        ],
        Severity::Criminal => &[TransferToJudicialOrgans],
    }
}

/// A sanction's place on a scale of like measures, lightest first: 处分 from 批评教育 to 撤职,
/// the certificate from 暂扣 to 取消执法资格, the post from 离岗培训 to 调离.
fn scale(s: Sanction) -> Option<(u8, u8)> {
    use Sanction::*;
    Some(match s {
        CriticismEducation => (0, 0),
        Warning => (0, 1),
        Demerit => (0, 2),
        MajorDemerit => (0, 3),
        Demotion => (0, 4),
        DismissalFromPost => (0, 5),
        CertificateSuspension => (1, 0),
        CertificateConfiscation => (1, 1),
        LossOfEnforcementQualification => (1, 2),
        OffPostTraining => (2, 0),
        TransferOffPost => (2, 1),
        CirculatedCriticism | LossOfAwardEligibility | TransferToJudicialOrgans => return None,
    })
}

/// Whether `s` is one of `before` or lighter than one of them on the same scale: what an appeal
/// may put in place of what was decided (ACC-13) without making it heavier.
pub fn no_heavier_than_any(s: Sanction, before: &[Sanction]) -> bool {
    before.iter().any(|b| {
        *b == s || matches!((scale(s), scale(*b)), (Some((kind, rank)), Some((was, of))) if kind == was && rank <= of)
    })
}

/// The article item of ACC-6 that lists a severity's sanctions.
pub fn severity_basis(severity: Severity) -> ArticleRef {
    match severity {
        Severity::Minor => acc(6, 1),
        Severity::Serious => acc(6, 2),
        Severity::Criminal => acc(6, 3),
    }
}

/// The sanctions of `chosen` that `severity` does not allow.
pub fn refused(severity: Severity, chosen: &[Sanction]) -> Vec<Sanction> {
    chosen
        .iter()
        .copied()
        .filter(|s| !allowed(severity).contains(s))
        .collect()
}

/// The circumstances found (ACC-7 (1)–(6) aggravating, ACC-8 (1)–(4) mitigating, ACC-9 (1)–(3) exempting).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Circumstances {
    #[serde(default)]
    pub aggravating: BTreeSet<u8>,
    #[serde(default)]
    pub mitigating: BTreeSet<u8>,
    #[serde(default)]
    pub exempting: BTreeSet<u8>,
}

impl Circumstances {
    /// Items outside the articles' lists.
    pub fn unknown(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (article, items, max) in [
            (7, &self.aggravating, 6),
            (8, &self.mitigating, 4),
            (9, &self.exempting, 3),
        ] {
            out.extend(
                items
                    .iter()
                    .filter(|i| **i == 0 || **i > max)
                    .map(|i| format!("ACC-{article}({i})")),
            );
        }
        out
    }

    pub fn basis(&self) -> Vec<ArticleRef> {
        let mut out: Vec<ArticleRef> = self.aggravating.iter().map(|i| acc(7, *i)).collect();
        out.extend(self.mitigating.iter().map(|i| acc(8, *i)));
        out.extend(self.exempting.iter().map(|i| acc(9, *i)));
        out
    }
}

/// The outcomes open to the decision: `None` is no liability. Any exempting circumstance
/// means no liability (ACC-9); aggravation may raise the severity one level (ACC-7);
/// mitigation may lower it one level or exempt (ACC-8).
pub fn open_outcomes(base: Severity, c: &Circumstances) -> Vec<Option<Severity>> {
    if !c.exempting.is_empty() {
        return vec![None];
    }
    let order = [Severity::Minor, Severity::Serious, Severity::Criminal];
    let at = order.iter().position(|s| *s == base).unwrap_or(0);
    let mut out = vec![Some(base)];
    if !c.aggravating.is_empty() && at + 1 < order.len() {
        out.push(Some(order[at + 1]));
    }
    if !c.mitigating.is_empty() {
        if at > 0 {
            out.push(Some(order[at - 1]));
        }
        out.push(None);
    }
    out.sort();
    out
}

/// Whether a decided case holds `person` accountable (ACC-7(2) 应予以追究的, ACC-6 责任人):
/// its current decision imposes a severity (no exemption under ACC-9 or ACC-8) and the
/// opinion's allocation gives the person a share (not a dissenter's none, ACC-5(4)).
pub fn holds_accountable(person: i64, opinion: &serde_json::Value, decision: &serde_json::Value) -> bool {
    let share = |a: &serde_json::Value| a["person_id"] == person && a["share"] != Share::None.as_str();
    !decision["request"]["severity"].is_null() && opinion["allocation"].as_array().is_some_and(|a| a.iter().any(share))
}

/// How far a stored decision withdraws the person's certificate (ACC-6): `revoked` for a
/// confiscation, `suspended` for a suspension, `None` when it leaves the card.
pub fn certificate_withdrawal(person: i64, decision: &serde_json::Value) -> Option<CertificateStatus> {
    decision["request"]["persons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["person_id"] == person)
        .filter_map(|p| p["sanctions"].as_array())
        .flatten()
        .filter_map(|s| match s.as_str()?.parse().ok()? {
            Sanction::CertificateConfiscation => Some(CertificateStatus::Revoked),
            Sanction::CertificateSuspension => Some(CertificateStatus::Suspended),
            _ => None,
        })
        .max_by_key(|s| s.withdrawal_rank())
}

/// ACC-7(2) 一年内出现两次以上: the person's other faults held against them that lie within a
/// year of this one, before or after it (a fault found later may have happened earlier), both
/// ends included (a year by the calendar: 2024-02-29 to 2025-02-28); one or more makes this
/// the second fault within a year.
pub fn repeated_within_a_year(fault_on: NaiveDate, others: &[(i64, NaiveDate)]) -> Vec<i64> {
    let (from, to) = (fault_on - Months::new(12), fault_on + Months::new(12));
    others
        .iter()
        .filter(|(_, d)| (from..=to).contains(d))
        .map(|(id, _)| *id)
        .collect()
}

/// The last day to appeal (ACC-13): `window` days after the served date, which is not counted.
/// A period whose last day is a day off (weekend or public holiday) ends on the next working
/// day, as periods do in Chinese administrative procedure (期间届满的最后一日是节假日的，以节假日后的
/// 第一日为期间届满的日期).
pub fn appeal_deadline(served_on: NaiveDate, window_days: u32, calendar: &Calendar) -> NaiveDate {
    let mut last = served_on + Days::new(u64::from(window_days));
    while !calendar.is_working_day(last) {
        last = last.succ_opt().expect("dates stay far inside chrono's range");
    }
    last
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::rules::calendar::DayKind;
    use proptest::prelude::*;

    /// Distinct people split into (staff, others).
    fn two_groups() -> impl Strategy<Value = (Vec<i64>, Vec<i64>)> {
        prop::collection::btree_set(1i64..500, 2..12).prop_flat_map(|set| {
            let v: Vec<i64> = set.into_iter().collect();
            let n = v.len();
            (Just(v), 1..n).prop_map(|(v, cut)| (v[..cut].to_vec(), v[cut..].to_vec()))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn everyone_named_gets_exactly_one_share_by_the_mode((staff, others) in two_groups(), mode in 0u8..4) {
            let how = match mode {
                0 => HowMade::Direct { staff: [staff.clone(), others.clone()].concat() },
                1 => HowMade::Approved { staff: staff.clone(), approvers: others.clone() },
                2 => HowMade::ApprovedOnFalseFacts { staff: staff.clone(), approvers: others.clone() },
                _ => HowMade::Instructed { staff: staff.clone(), instructors: others.clone() },
            };
            let out = allocate(&how).unwrap();
            prop_assert_eq!(out.len(), staff.len() + others.len());
            let share = |p: i64| out.iter().find(|a| a.person_id == p).map(|a| a.share);
            let (staff_share, others_share, item) = match mode {
                0 => (Share::Full, Share::Full, "ACC-5(1)"),
                1 => (Share::Secondary, Share::Primary, "ACC-5(2)"),
                2 => (Share::Primary, Share::Secondary, "ACC-5(2)"),
                _ => (Share::Secondary, Share::Primary, "ACC-5(3)"),
            };
            prop_assert!(staff.iter().all(|p| share(*p) == Some(staff_share)));
            prop_assert!(others.iter().all(|p| share(*p) == Some(others_share)));
            prop_assert!(out.iter().all(|a| a.basis == item));
            // Naming someone twice is refused.
            let twice = HowMade::Direct { staff: vec![staff[0], staff[0]] };
            prop_assert_eq!(allocate(&twice), Err(AllocationError::Repeated(staff[0])));
        }

        #[test]
        fn collective_dissenters_bear_nothing_and_the_principal_leads(
            (participants, rest) in two_groups(), dissent in prop::collection::vec(any::<bool>(), 12),
        ) {
            let principal = rest[0];
            let dissenters: Vec<i64> = participants.iter().zip(&dissent).filter(|(_, d)| **d).map(|(p, _)| *p).collect();
            let how = HowMade::Collective { principal, participants: participants.clone(), dissenters: dissenters.clone() };
            let out = allocate(&how).unwrap();
            prop_assert_eq!(out.len(), participants.len() + 1);
            for a in &out {
                let expected = if dissenters.contains(&a.person_id) {
                    Share::None
                } else if a.person_id == principal {
                    Share::Primary
                } else {
                    Share::Secondary
                };
                prop_assert_eq!(a.share, expected);
            }
            let outsider = HowMade::Collective { principal, participants, dissenters: vec![1000] };
            prop_assert_eq!(allocate(&outsider), Err(AllocationError::DissenterOutside));
        }

        #[test]
        fn the_appeal_window_counts_from_the_day_after_service_to_a_working_day(
            served in 0i64..20_000,
            window in 1u32..400,
            later in 0i64..400,
            off in prop::collection::btree_set(0i64..20_500, 0..60),
            on in prop::collection::btree_set(0i64..20_500, 0..20),
        ) {
            let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            let at = |n: i64| start + chrono::TimeDelta::days(n);
            let mut cal = Calendar::default();
            cal.days.extend(off.iter().map(|&n| (at(n), DayKind::Holiday)));
            cal.days.extend(on.iter().map(|&n| (at(n), DayKind::MakeUpWorkday)));
            let day = at(served);
            let last = appeal_deadline(day, window, &cal);
            let nominal = day + chrono::TimeDelta::days(i64::from(window));
            // The 30th day, or the first working day from it: never earlier, never past one.
            prop_assert!(cal.is_working_day(last));
            prop_assert!(last >= nominal);
            prop_assert!(nominal.iter_days().take_while(|d| *d < last).all(|d| !cal.is_working_day(d)));
            let later_day = day + chrono::TimeDelta::days(later);
            prop_assert!(appeal_deadline(later_day, window, &cal) >= last);
            prop_assert!(appeal_deadline(day, window + 1, &cal) >= last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::calendar::DayKind;

    fn shares(v: &[Allocation]) -> Vec<(i64, Share, String)> {
        v.iter().map(|a| (a.person_id, a.share, a.basis.clone())).collect()
    }

    #[test]
    fn every_mode_of_acc_5() {
        let s = |n: &str| n.to_string();
        assert_eq!(
            shares(&allocate(&HowMade::Direct { staff: vec![1, 2] }).unwrap()),
            [(1, Share::Full, s("ACC-5(1)")), (2, Share::Full, s("ACC-5(1)"))]
        );
        assert_eq!(
            shares(
                &allocate(&HowMade::Approved {
                    staff: vec![1],
                    approvers: vec![5, 9]
                })
                .unwrap()
            ),
            [
                (5, Share::Primary, s("ACC-5(2)")),
                (9, Share::Primary, s("ACC-5(2)")),
                (1, Share::Secondary, s("ACC-5(2)"))
            ]
        );
        assert_eq!(
            shares(
                &allocate(&HowMade::ApprovedOnFalseFacts {
                    staff: vec![1],
                    approvers: vec![5]
                })
                .unwrap()
            ),
            [(1, Share::Primary, s("ACC-5(2)")), (5, Share::Secondary, s("ACC-5(2)"))]
        );
        assert_eq!(
            shares(
                &allocate(&HowMade::Instructed {
                    staff: vec![1],
                    instructors: vec![5]
                })
                .unwrap()
            ),
            [(5, Share::Primary, s("ACC-5(3)")), (1, Share::Secondary, s("ACC-5(3)"))]
        );
        assert_eq!(
            shares(
                &allocate(&HowMade::Collective {
                    principal: 9,
                    participants: vec![5, 1, 2],
                    dissenters: vec![2]
                })
                .unwrap()
            ),
            [
                (9, Share::Primary, s("ACC-5(4)")),
                (5, Share::Secondary, s("ACC-5(4)")),
                (1, Share::Secondary, s("ACC-5(4)")),
                (2, Share::None, s("ACC-5(4)"))
            ]
        );
        let dissenting_principal = allocate(&HowMade::Collective {
            principal: 9,
            participants: vec![5],
            dissenters: vec![9],
        })
        .unwrap();
        assert_eq!(dissenting_principal[0].share, Share::None);
    }

    #[test]
    fn allocation_inputs_are_checked() {
        assert_eq!(
            allocate(&HowMade::Direct { staff: vec![] }),
            Err(AllocationError::Empty("staff"))
        );
        assert_eq!(
            allocate(&HowMade::Approved {
                staff: vec![1],
                approvers: vec![1]
            }),
            Err(AllocationError::Repeated(1))
        );
        assert_eq!(
            allocate(&HowMade::Collective {
                principal: 9,
                participants: vec![1],
                dissenters: vec![4]
            }),
            Err(AllocationError::DissenterOutside)
        );
    }

    #[test]
    fn acc_5_gives_each_part_its_positions() {
        // 1 director, 2 deputy, 3 department head, 4 officer.
        let pos = |p: i64| {
            [
                Position::Director,
                Position::DeputyDirector,
                Position::DepartmentHead,
                Position::Officer,
            ][p as usize - 1]
        };
        let approved = |approvers: Vec<i64>| HowMade::Approved {
            staff: vec![4],
            approvers,
        };
        assert_eq!(check_positions(&approved(vec![2, 3]), pos), Ok(()));
        let e = check_positions(&approved(vec![3, 4]), pos).unwrap_err();
        assert!(
            matches!(e, AllocationError::WrongPosition { person: 4, item: 2, .. }),
            "{e}"
        );
        assert_eq!(e.basis().to_string(), "ACC-5(2)");
        let instructed = HowMade::Instructed {
            staff: vec![3],
            instructors: vec![4],
        };
        assert!(
            check_positions(&instructed, pos).is_err(),
            "an officer instructs no one"
        );
        let collective = |principal| HowMade::Collective {
            principal,
            participants: vec![2, 4],
            dissenters: vec![],
        };
        assert_eq!(check_positions(&collective(1), pos), Ok(()));
        let e = check_positions(&collective(2), pos).unwrap_err();
        assert_eq!(e.basis().to_string(), "ACC-5(4)");
        assert_eq!(check_positions(&HowMade::Direct { staff: vec![1, 4] }, pos), Ok(()));
    }

    #[test]
    fn the_severity_sanction_matrix() {
        for severity in Severity::ALL {
            for sanction in Sanction::ALL {
                let ok = refused(*severity, &[*sanction]).is_empty();
                let expected = match severity {
                    Severity::Minor => matches!(
                        sanction,
                        Sanction::CriticismEducation
                            | Sanction::Warning
                            | Sanction::Demerit
                            | Sanction::LossOfAwardEligibility
                            | Sanction::CertificateSuspension
                            | Sanction::OffPostTraining
                    ),
                    Severity::Serious => matches!(
                        sanction,
                        Sanction::Demerit
                            | Sanction::MajorDemerit
                            | Sanction::Demotion
                            | Sanction::DismissalFromPost
                            | Sanction::CirculatedCriticism
                            | Sanction::LossOfEnforcementQualification
                            | Sanction::LossOfAwardEligibility
                            | Sanction::TransferOffPost
                            | Sanction::CertificateConfiscation
                    ),
                    Severity::Criminal => *sanction == Sanction::TransferToJudicialOrgans,
                };
                assert_eq!(ok, expected, "{severity} {sanction}");
            }
        }
        assert_eq!(severity_basis(Severity::Serious).to_string(), "ACC-6(2)");
    }

    #[test]
    fn circumstances_move_the_severity() {
        let none = Circumstances::default();
        assert_eq!(open_outcomes(Severity::Minor, &none), [Some(Severity::Minor)]);
        let agg = Circumstances {
            aggravating: [2].into(),
            ..Default::default()
        };
        assert_eq!(
            open_outcomes(Severity::Minor, &agg),
            [Some(Severity::Minor), Some(Severity::Serious)]
        );
        assert_eq!(open_outcomes(Severity::Criminal, &agg), [Some(Severity::Criminal)]);
        let mit = Circumstances {
            mitigating: [1].into(),
            ..Default::default()
        };
        assert_eq!(
            open_outcomes(Severity::Serious, &mit),
            [None, Some(Severity::Minor), Some(Severity::Serious)]
        );
        assert_eq!(open_outcomes(Severity::Minor, &mit), [None, Some(Severity::Minor)]);
        let exempt = Circumstances {
            exempting: [3].into(),
            aggravating: [1].into(),
            ..Default::default()
        };
        assert_eq!(open_outcomes(Severity::Serious, &exempt), [None]);
        let odd = Circumstances {
            aggravating: [7].into(),
            mitigating: [0].into(),
            exempting: [4].into(),
        };
        assert_eq!(odd.unknown(), ["ACC-7(7)", "ACC-8(0)", "ACC-9(4)"]);
    }

    #[test]
    fn a_year_either_side_of_the_fault_both_ends_included() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let others = [
            (1, d("2025-06-01")),
            (2, d("2025-05-31")),
            (3, d("2026-05-31")),
            (4, d("2026-06-02")),
            (5, d("2027-06-01")),
            (6, d("2027-06-02")),
        ];
        assert_eq!(repeated_within_a_year(d("2026-06-01"), &others), [1, 3, 4, 5]);
        // A year by the calendar, across a leap day: 366 days back is still within it.
        assert_eq!(repeated_within_a_year(d("2025-02-01"), &[(7, d("2024-02-01"))]), [7]);
        assert_eq!(repeated_within_a_year(d("2025-02-28"), &[(8, d("2024-02-28"))]), [8]);
        assert!(repeated_within_a_year(d("2025-03-01"), &[(9, d("2024-02-29"))]).is_empty());
    }

    #[test]
    fn a_decision_withdraws_a_card_by_suspension_or_confiscation_only() {
        use serde_json::json;
        let d = json!({"request": {"severity": "serious", "persons": [
            {"person_id": 7, "sanctions": ["demotion", "certificate_confiscation"]},
            {"person_id": 8, "sanctions": ["warning", "off_post_training"]}]}});
        assert_eq!(certificate_withdrawal(7, &d), Some(CertificateStatus::Revoked));
        assert_eq!(
            certificate_withdrawal(8, &d),
            None,
            "a 处分 and training leave the card"
        );
        assert_eq!(certificate_withdrawal(9, &d), None, "not in the decision");
        assert_eq!(certificate_withdrawal(7, &json!({})), None);
        let both = json!({"request": {"persons": [{"person_id": 7, "sanctions": ["certificate_suspension", "certificate_confiscation"]}]}});
        assert_eq!(
            certificate_withdrawal(7, &both),
            Some(CertificateStatus::Revoked),
            "the stronger"
        );
    }

    #[test]
    fn only_a_liability_decided_counts_against_a_person() {
        use serde_json::json;
        let opinion = json!({"allocation": [{"person_id": 7, "share": "primary"}, {"person_id": 8, "share": "none"}]});
        let minor = json!({"request": {"severity": "minor", "persons": []}});
        assert!(holds_accountable(7, &opinion, &minor), "liable, whatever was listed");
        assert!(
            !holds_accountable(8, &opinion, &minor),
            "a dissenter overruled (ACC-5(4))"
        );
        assert!(!holds_accountable(9, &opinion, &minor), "not in the allocation");
        let exempt = json!({"request": {"severity": null, "persons": []}});
        assert!(!holds_accountable(7, &opinion, &exempt), "exempted (ACC-9)");
    }

    #[test]
    fn an_appeal_may_put_a_lighter_measure_of_the_same_kind_in_place_of_one_decided() {
        use Sanction::*;
        assert!(no_heavier_than_any(Warning, &[Demerit, CertificateSuspension]));
        assert!(no_heavier_than_any(CertificateSuspension, &[CertificateConfiscation]));
        assert!(no_heavier_than_any(OffPostTraining, &[TransferOffPost]));
        assert!(no_heavier_than_any(CirculatedCriticism, &[CirculatedCriticism]));
        assert!(!no_heavier_than_any(Demerit, &[Warning]));
        assert!(!no_heavier_than_any(OffPostTraining, &[Warning, CertificateSuspension]));
        assert!(!no_heavier_than_any(CirculatedCriticism, &[DismissalFromPost]));
        assert!(!no_heavier_than_any(Warning, &[]));
    }

    #[test]
    fn the_appeal_window_does_not_count_the_served_day_and_ends_on_a_working_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let cal = Calendar::default();
        assert_eq!(appeal_deadline(d("2026-11-01"), 30, &cal), d("2026-12-01"));
        assert_eq!(appeal_deadline(d("2026-12-15"), 30, &cal), d("2027-01-14"));
        // 30 days after 2026-11-06 is Sunday 2026-12-06.
        assert_eq!(appeal_deadline(d("2026-11-06"), 30, &cal), d("2026-12-07"));
        let mut holidays = cal.clone();
        holidays.days.insert(d("2026-12-07"), DayKind::Holiday);
        assert_eq!(appeal_deadline(d("2026-11-06"), 30, &holidays), d("2026-12-08"));
        holidays.days.insert(d("2026-12-06"), DayKind::MakeUpWorkday);
        assert_eq!(appeal_deadline(d("2026-11-06"), 30, &holidays), d("2026-12-06"));
    }
}

crate::text_enum! {
    /// The steps of a case (ACC-10).
    pub enum CaseStatus {
        Proposed = "proposed",
        /// The office investigates.
        Investigating = "investigating",
        /// The office's preliminary opinion (初步意见) awaits the leadership group.
        Opinion = "opinion",
        /// Decided by the leadership group; effects apply now (ACC-14).
        Decided = "decided",
        /// Served (送达) on the respondents; the appeal window runs (ACC-13).
        Served = "served",
        Appealed = "appealed",
        AppealDecided = "appeal_decided",
        Final = "final",
    }
}

crate::text_enum! {
    /// Where a case came from.
    pub enum SourceKind {
        Finding = "finding",
        Petition = "petition",
        OverdueDisclosure = "overdue_disclosure",
        Training = "training",
        Other = "other",
    }
}

crate::text_enum! {
    pub enum RespondentKind {
        Person = "person",
        Department = "department",
    }
}

/// A step of the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseStep {
    Investigate,
    Opinion,
    Decide,
    Serve,
    Appeal,
    AppealDecision,
    Finalize,
}

/// The one transition function of a case: proposed → investigating → opinion → decided →
/// served → final, with served → appealed → appeal_decided → final.
pub fn case_step(current: CaseStatus, step: CaseStep) -> Result<CaseStatus, CaseStatus> {
    use CaseStatus::*;
    match (current, step) {
        (Proposed, CaseStep::Investigate) => Ok(Investigating),
        // Until the leadership group decides, the office may revise its preliminary opinion
        // (the group 审议: it may send the opinion back rather than decide on it, ACC-10).
        (Investigating | Opinion, CaseStep::Opinion) => Ok(Opinion),
        (Opinion, CaseStep::Decide) => Ok(Decided),
        (Decided, CaseStep::Serve) => Ok(Served),
        // Each respondent handled appeals on their own (ACC-13): beside a pending appeal, or
        // after another's was decided.
        (Served | Appealed | AppealDecided, CaseStep::Appeal) => Ok(Appealed),
        (Appealed, CaseStep::AppealDecision) => Ok(AppealDecided),
        (Served | AppealDecided, CaseStep::Finalize) => Ok(Final),
        (other, _) => Err(other),
    }
}

/// ACC-4 has seven fault types.
pub fn fault_type_known(n: u8) -> bool {
    (1..=7).contains(&n)
}

#[cfg(test)]
mod case_tests {
    use super::*;

    #[test]
    fn the_workflow_moves_one_way() {
        use CaseStatus::*;
        let path = [
            (Proposed, CaseStep::Investigate, Investigating),
            (Investigating, CaseStep::Opinion, Opinion),
            (Opinion, CaseStep::Decide, Decided),
            (Decided, CaseStep::Serve, Served),
            (Served, CaseStep::Appeal, Appealed),
            (Appealed, CaseStep::AppealDecision, AppealDecided),
            (AppealDecided, CaseStep::Finalize, Final),
        ];
        for (from, step, to) in path {
            assert_eq!(case_step(from, step), Ok(to));
        }
        assert_eq!(case_step(Served, CaseStep::Finalize), Ok(Final));
        assert_eq!(
            case_step(Opinion, CaseStep::Opinion),
            Ok(Opinion),
            "revised before the decision"
        );
        assert_eq!(case_step(Decided, CaseStep::Opinion), Err(Decided));
        assert_eq!(case_step(Proposed, CaseStep::Decide), Err(Proposed));
        assert_eq!(case_step(Decided, CaseStep::Appeal), Err(Decided));
        assert_eq!(case_step(Final, CaseStep::Appeal), Err(Final));
        assert_eq!(case_step(AppealDecided, CaseStep::Appeal), Ok(Appealed));
        assert!(fault_type_known(7) && !fault_type_known(8) && !fault_type_known(0));
    }
}
