//! SUP rules: the inspection state machine, the nine-item checklist (SUP-6), the six handling
//! measures (SUP-7) and which fits which, measure follow-up, reproducible sampling and the
//! twice-a-year duty (SUP-5).

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::auth::Role;
use crate::rules::{ArticleRef, Basis, Regime};

pub const SUP_5: ArticleRef = ArticleRef::article(Regime::Sup, 5);
pub const SUP_7: ArticleRef = ArticleRef::article(Regime::Sup, 7);

crate::text_enum! {
    /// SUP-5: the leadership group's regular inspections (定期, twice a year), and the daily
    /// supervision by ad-hoc checks (随时检查) and spot checks (抽查).
    pub enum InspectionKind {
        Regular = "regular",
        AdHoc = "ad_hoc",
        SpotCheck = "spot_check",
    }
}

crate::text_enum! {
    pub enum InspectionStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Concluded = "concluded",
    }
}

crate::text_enum! {
    /// What an inspection's scope names.
    pub enum TargetKind {
        Department = "department",
        Officer = "officer",
        Act = "act",
    }
}

/// Whether a finding about `department` (and the officers or act it names) lies within an
/// inspection's scope: the department, one of the officers or the act is listed. An empty
/// scope is the whole bureau.
pub fn in_scope(scope: &[(TargetKind, i64)], department: i64, officers: &[i64], act: Option<i64>) -> bool {
    scope.is_empty()
        || scope.iter().any(|(kind, id)| match kind {
            TargetKind::Department => *id == department,
            TargetKind::Officer => officers.contains(id),
            TargetKind::Act => act == Some(*id),
        })
}

/// A lifecycle step of an inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InspectionStep {
    Start,
    Conclude,
}

/// Why an inspection does not take a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepRefused {
    #[error("the inspection is {0}")]
    State(InspectionStatus),
    /// An inspection is held within its period: one started early would be counted as held
    /// in a year (SUP-5's twice a year) it was not held in.
    #[error("the inspection's period begins on {0}; it cannot start before then (SUP-5)")]
    PeriodNotBegun(NaiveDate),
}

/// planned → in_progress → concluded; nothing else, and no start before `period_from`.
pub fn inspection_step(
    current: InspectionStatus,
    step: InspectionStep,
    period_from: NaiveDate,
    today: NaiveDate,
) -> Result<InspectionStatus, StepRefused> {
    match (current, step) {
        (InspectionStatus::Planned, InspectionStep::Start) if today < period_from => {
            Err(StepRefused::PeriodNotBegun(period_from))
        }
        (InspectionStatus::Planned, InspectionStep::Start) => Ok(InspectionStatus::InProgress),
        (InspectionStatus::InProgress, InspectionStep::Conclude) => Ok(InspectionStatus::Concluded),
        (other, _) => Err(StepRefused::State(other)),
    }
}

/// Who plans and changes an inspection: the leadership group its regular inspections (SUP-5:
/// 由局行政执法工作领导小组…每年定期二次进行检查), the leadership group or the office the daily
/// ad-hoc inspections and spot checks. (The office, under the group, carries any of them out.)
pub fn may_direct(kind: InspectionKind, role: Role) -> bool {
    kind != InspectionKind::Regular || role == Role::Leadership
}

/// The nine checklist items of SUP-6, in the seed's words.
pub const CHECKLIST: [&str; 9] = [
    "执法主体资格是否符合规定，执法人员是否以本局的名义作出具体行政行为",
    "执法证件的合法、有效情况，是否有非行政执法人员参与执法",
    "执法行为是否符合执法权限",
    "执法程序是否合法",
    "适用执法依据是否准确、规范",
    "执法决定的内容是否合法、适当",
    "执法文书使用是否规范，以及案卷质量情况",
    "重大行政执法行为备案情况",
    "文明执法情况",
];

/// A checklist item number, 1 to 9.
pub fn checklist_item(n: i64) -> Option<i32> {
    (1..=9).contains(&n).then_some(n as i32)
}

crate::text_enum! {
    /// What a handling measure does (SUP-7).
    pub enum MeasureAction {
        /// 纠正 (SUP-7 (1), (3), (4)).
        Correct = "correct",
        /// 撤消 the decision or act (SUP-7 (1), (3), (4)).
        Revoke = "revoke",
        /// 暂扣 the certificate (SUP-7 (2)).
        SuspendCertificate = "suspend_certificate",
        /// 没收 the certificate (SUP-7 (2)).
        ConfiscateCertificate = "confiscate_certificate",
        /// 责令限期补备并予以通报 (SUP-7 (5)).
        OrderFiling = "order_filing",
        /// 责令限期履行职责 (SUP-7 (6)).
        OrderPerformance = "order_performance",
    }
}

impl MeasureAction {
    /// Whether the measure takes effect at once (nothing to rectify) or is followed up.
    pub fn immediate(self) -> bool {
        matches!(
            self,
            Self::Revoke | Self::SuspendCertificate | Self::ConfiscateCertificate
        )
    }

    /// The measure in the seed's words, for documents served on the department.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Correct => "予以纠正",
            Self::Revoke => "予以撤消",
            Self::SuspendCertificate => "暂扣执法证件",
            Self::ConfiscateCertificate => "没收执法证件",
            Self::OrderFiling => "责令限期补备并予以通报",
            Self::OrderPerformance => "责令限期履行职责",
        }
    }

    /// Whether the measure must carry a deadline.
    pub fn needs_deadline(self) -> bool {
        matches!(self, Self::OrderFiling | Self::OrderPerformance)
    }
}

/// Why a measure does not fit a finding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MeasureRefused {
    #[error("SUP-7({item}) has no measure `{action}`")]
    WrongAction { item: u8, action: MeasureAction },
    #[error("SUP-7({item}) does not handle a finding under checklist item SUP-6({checklist})")]
    WrongItem { item: u8, checklist: i32 },
    #[error("SUP-7 has six items; {0} is not one of them")]
    UnknownItem(u8),
}

impl MeasureRefused {
    pub fn basis(&self, item: u8) -> Basis {
        match self {
            Self::UnknownItem(_) => Basis::of(&[SUP_7]),
            _ => Basis::of(&[ArticleRef::item(Regime::Sup, 7, item)]),
        }
    }
}

/// Whether SUP-7 item `item` with `action` handles a finding under SUP-6 item `checklist`.
///
/// (1) subject → SUP-6(1); (2) certificate → SUP-6(2); (3) legal basis → SUP-6(5);
/// (4) procedure → SUP-6(4); (5) filing → SUP-6(8); (6) duties not performed → any item.
pub fn measure_fits(item: u8, action: MeasureAction, checklist: i32) -> Result<(), MeasureRefused> {
    use MeasureAction::*;
    let (actions, items): (&[MeasureAction], &[i32]) = match item {
        1 => (&[Correct, Revoke], &[1]),
        2 => (&[SuspendCertificate, ConfiscateCertificate], &[2]),
        3 => (&[Correct, Revoke], &[5]),
        4 => (&[Correct, Revoke], &[4]),
        5 => (&[OrderFiling], &[8]),
        6 => (&[OrderPerformance], &[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        other => return Err(MeasureRefused::UnknownItem(other)),
    };
    if !actions.contains(&action) {
        return Err(MeasureRefused::WrongAction { item, action });
    }
    if !items.contains(&checklist) {
        return Err(MeasureRefused::WrongItem { item, checklist });
    }
    Ok(())
}

crate::text_enum! {
    /// Where a measure stands.
    pub enum MeasureStatus {
        /// Took effect when imposed (revocation, certificate suspension or confiscation).
        Executed = "executed",
        /// Waiting for the target's rectification.
        Open = "open",
        /// Rectification reported, waiting for an inspector.
        Reported = "reported",
        /// Rectification accepted by an inspector.
        Verified = "verified",
    }
}

/// Whether a measure is past its deadline and not done: overdue from the day after.
pub fn measure_overdue(status: MeasureStatus, deadline: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> bool {
    matches!(status, MeasureStatus::Open | MeasureStatus::Reported) && deadline.is_some_and(|d| today > d)
}

/// A reproducible sample: the `size` candidates whose SHA-256(seed ‖ id) is smallest. Anyone
/// holding the seed and the candidate list can redo the draw.
pub fn sample(seed: &str, candidates: &[i64], size: usize) -> Vec<i64> {
    let mut scored: Vec<([u8; 32], i64)> = candidates
        .iter()
        .map(|id| {
            let mut h = Sha256::new();
            h.update(seed.as_bytes());
            h.update(b"|");
            h.update(id.to_string().as_bytes());
            (h.finalize().into(), *id)
        })
        .collect();
    scored.sort_unstable();
    let mut chosen: Vec<i64> = scored.into_iter().take(size).map(|(_, id)| id).collect();
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_in_scope_through_its_department_officer_or_act() {
        use TargetKind::*;
        assert!(in_scope(&[], 9, &[], None), "no scope: the whole bureau");
        let scope = [(Department, 2), (Officer, 7), (Act, 40)];
        assert!(in_scope(&scope, 2, &[], None));
        assert!(in_scope(&scope, 3, &[7], None));
        assert!(in_scope(&scope, 3, &[8, 7], Some(41)), "an act of the officer");
        assert!(in_scope(&scope, 3, &[], Some(40)));
        assert!(!in_scope(&scope, 3, &[8], Some(41)));
        assert!(
            !in_scope(&[(Officer, 7)], 3, &[], None),
            "the officer's department is not listed"
        );
    }

    #[test]
    fn inspections_move_forward_only() {
        use InspectionStatus::*;
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let step = |current, step| inspection_step(current, step, day, day);
        assert_eq!(step(Planned, InspectionStep::Start), Ok(InProgress));
        assert_eq!(step(InProgress, InspectionStep::Conclude), Ok(Concluded));
        assert_eq!(
            step(Planned, InspectionStep::Conclude),
            Err(StepRefused::State(Planned))
        );
        assert_eq!(
            step(Concluded, InspectionStep::Start),
            Err(StepRefused::State(Concluded))
        );
        assert_eq!(
            step(InProgress, InspectionStep::Start),
            Err(StepRefused::State(InProgress))
        );
    }

    #[test]
    fn an_inspection_starts_on_its_first_day_at_the_earliest() {
        use InspectionStatus::*;
        let from = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
        let eve = from.pred_opt().unwrap();
        assert_eq!(
            inspection_step(Planned, InspectionStep::Start, from, eve),
            Err(StepRefused::PeriodNotBegun(from))
        );
        assert_eq!(
            inspection_step(Planned, InspectionStep::Start, from, from),
            Ok(InProgress)
        );
        assert_eq!(
            inspection_step(Concluded, InspectionStep::Start, from, eve),
            Err(StepRefused::State(Concluded)),
            "the state is named first"
        );
    }

    #[test]
    fn only_the_leadership_group_directs_regular_inspections() {
        assert!(may_direct(InspectionKind::Regular, Role::Leadership));
        assert!(!may_direct(InspectionKind::Regular, Role::SupervisoryOffice));
        assert!(may_direct(InspectionKind::AdHoc, Role::SupervisoryOffice));
        assert!(may_direct(InspectionKind::SpotCheck, Role::Leadership));
    }

    #[test]
    fn each_measure_fits_its_checklist_items_only() {
        use MeasureAction::*;
        assert!(measure_fits(2, SuspendCertificate, 2).is_ok());
        assert_eq!(
            measure_fits(2, SuspendCertificate, 4),
            Err(MeasureRefused::WrongItem { item: 2, checklist: 4 })
        );
        assert_eq!(
            measure_fits(2, Revoke, 2),
            Err(MeasureRefused::WrongAction {
                item: 2,
                action: Revoke
            })
        );
        assert!(measure_fits(1, Revoke, 1).is_ok());
        assert!(measure_fits(3, Correct, 5).is_ok());
        assert!(measure_fits(3, Correct, 3).is_err());
        assert!(measure_fits(4, Revoke, 4).is_ok());
        assert!(measure_fits(5, OrderFiling, 8).is_ok());
        assert!(measure_fits(5, OrderFiling, 7).is_err());
        for checklist in 1..=9 {
            assert!(measure_fits(6, OrderPerformance, checklist).is_ok());
        }
        assert_eq!(measure_fits(7, Correct, 1), Err(MeasureRefused::UnknownItem(7)));
        assert_eq!(
            MeasureRefused::WrongItem { item: 2, checklist: 4 }.basis(2).0[0].to_string(),
            "SUP-7(2)"
        );
    }

    #[test]
    fn overdue_starts_the_day_after_the_deadline() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert!(!measure_overdue(
            MeasureStatus::Open,
            Some(d("2026-12-01")),
            d("2026-12-01")
        ));
        assert!(measure_overdue(
            MeasureStatus::Open,
            Some(d("2026-12-01")),
            d("2026-12-02")
        ));
        assert!(measure_overdue(
            MeasureStatus::Reported,
            Some(d("2026-12-01")),
            d("2026-12-02")
        ));
        assert!(!measure_overdue(
            MeasureStatus::Verified,
            Some(d("2026-12-01")),
            d("2026-12-02")
        ));
        assert!(!measure_overdue(MeasureStatus::Open, None, d("2026-12-02")));
    }

    #[test]
    fn a_sample_is_reproducible_and_depends_on_the_seed() {
        let ids: Vec<i64> = (1..=500).collect();
        let a = sample("seed-1", &ids, 10);
        assert_eq!(a, sample("seed-1", &ids, 10));
        assert_ne!(a, sample("seed-2", &ids, 10));
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample("s", &ids[..3], 10).len(), 3);
    }
}

pub const SUP_8: ArticleRef = ArticleRef::article(Regime::Sup, 8);
pub const SUP_9: ArticleRef = ArticleRef::article(Regime::Sup, 9);
pub const SUP_10: ArticleRef = ArticleRef::article(Regime::Sup, 10);

/// A supervision document's number: `{prefix}〔{year}〕{seq}号`, numbered from 1 each year.
pub fn document_number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}〔{year}〕{seq}号")
}

crate::text_enum! {
    /// A material request's recorded status (SUP-8).
    pub enum RequestStatus {
        Open = "open",
        Answered = "answered",
        /// 拒绝: later an aggravating circumstance (ACC-7(4)).
        Refused = "refused",
    }
}

crate::text_enum! {
    /// Where a material request stands on a day.
    pub enum RequestOutcome {
        Open = "open",
        /// Unanswered past its deadline: recorded as non-cooperation like a refusal.
        Overdue = "overdue",
        Answered = "answered",
        Refused = "refused",
    }
}

pub fn request_outcome(status: RequestStatus, deadline: chrono::NaiveDate, today: chrono::NaiveDate) -> RequestOutcome {
    match status {
        RequestStatus::Answered => RequestOutcome::Answered,
        RequestStatus::Refused => RequestOutcome::Refused,
        RequestStatus::Open if today > deadline => RequestOutcome::Overdue,
        RequestStatus::Open => RequestOutcome::Open,
    }
}

#[cfg(test)]
mod document_tests {
    use super::*;

    #[test]
    fn numbers_and_request_outcomes() {
        assert_eq!(document_number("高新安监督", 2026, 3), "高新安监督〔2026〕3号");
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(
            request_outcome(RequestStatus::Open, d("2026-12-01"), d("2026-12-01")),
            RequestOutcome::Open
        );
        assert_eq!(
            request_outcome(RequestStatus::Open, d("2026-12-01"), d("2026-12-02")),
            RequestOutcome::Overdue
        );
        assert_eq!(
            request_outcome(RequestStatus::Refused, d("2026-12-01"), d("2026-11-01")),
            RequestOutcome::Refused
        );
        assert_eq!(
            request_outcome(RequestStatus::Answered, d("2026-12-01"), d("2027-01-01")),
            RequestOutcome::Answered
        );
    }
}
