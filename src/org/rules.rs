//! Organisation rules: positions, and the life of an enforcement certificate (行政执法证件).

use std::ops::RangeInclusive;

use chrono::NaiveDate;

use crate::rules::{ArticleRef, Basis, Regime};

crate::text_enum! {
    /// A person's position; it matters for the allocation of responsibility (ACC-5).
    pub enum Position {
        /// 局长
        Director = "director",
        /// 副局长
        DeputyDirector = "deputy_director",
        /// 处室负责人
        DepartmentHead = "department_head",
        /// 执法人员
        Officer = "officer",
    }
}

crate::text_enum! {
    /// The recorded status of a certificate. `expired` is never recorded: it follows from
    /// `expires_on` (see `EffectiveStatus`).
    pub enum CertificateStatus {
        Valid = "valid",
        /// 暂扣
        Suspended = "suspended",
        /// 收回 / 收缴 / 没收
        Revoked = "revoked",
    }
}

impl CertificateStatus {
    /// How far the card is withdrawn: valid, then suspended, then revoked.
    pub fn withdrawal_rank(self) -> u8 {
        match self {
            Self::Valid => 0,
            Self::Suspended => 1,
            Self::Revoked => 2,
        }
    }
}

crate::text_enum! {
    /// The status a certificate has on a given day.
    pub enum EffectiveStatus {
        Valid = "valid",
        Suspended = "suspended",
        Revoked = "revoked",
        Expired = "expired",
        /// Issued with a first valid day still to come.
        NotYetValid = "not_yet_valid",
    }
}

crate::text_enum! {
    /// What triggered a certificate's status change.
    pub enum CauseKind {
        /// A decision recorded by hand (e.g. the district legal office's withdrawal).
        Manual = "manual",
        /// A supervision measure (SUP-7(2)).
        InspectionFinding = "inspection_finding",
        /// A training failure (TRN-7).
        Training = "training",
        /// An accountability sanction (ACC-6).
        AccountabilityDecision = "accountability_decision",
        /// An appeal outcome (ACC-13).
        Appeal = "appeal",
    }
}

impl CauseKind {
    /// Every cause but a manual one names the record that caused it.
    pub fn needs_reference(self) -> bool {
        self != Self::Manual
    }

    /// The article under which a cause of this kind changes a certificate.
    pub fn basis(self) -> Basis {
        match self {
            Self::Manual => Basis::default(),
            Self::InspectionFinding => Basis::of(&[ArticleRef::item(Regime::Sup, 7, 2)]),
            Self::Training => Basis::of(&[ArticleRef::article(Regime::Trn, 7)]),
            Self::AccountabilityDecision => Basis::of(&[ArticleRef::article(Regime::Acc, 6)]),
            Self::Appeal => Basis::of(&[ArticleRef::article(Regime::Acc, 13)]),
        }
    }

    /// The register the cause's id points into, in words.
    fn register(self) -> &'static str {
        match self {
            Self::Manual => "manual decision",
            Self::InspectionFinding => "supervision finding",
            Self::Training => "training order or recommendation",
            Self::AccountabilityDecision | Self::Appeal => "accountability case",
        }
    }

    /// What the named record must be for this cause, in words.
    fn record_needed(self) -> &'static str {
        match self {
            Self::Manual | Self::InspectionFinding => "a record of this kind",
            Self::Training => "a recommendation to withdraw the certificate (TRN-7)",
            Self::AccountabilityDecision => "a decided case (ACC-10)",
            Self::Appeal => "a case whose appeal is decided (ACC-13)",
        }
    }
}

/// What a cause's register holds about the record a status change names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseRecord {
    /// Whether the record is what the cause needs: a TRN-7 recommendation rather than another
    /// training order, a case with a decision, a case with a decided appeal.
    pub fitting: bool,
    /// The people the record concerns (a finding's officer, a case's person respondents).
    pub persons: Vec<i64>,
}

/// Why the record a status change names cannot be its cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CauseRefused {
    #[error("there is no {} {id}", .kind.register())]
    Missing { kind: CauseKind, id: i64 },
    #[error("{} {id} is not {}", .kind.register(), .kind.record_needed())]
    WrongKind { kind: CauseKind, id: i64 },
    #[error("{} {id} does not concern the certificate's holder", .kind.register())]
    OtherPerson { kind: CauseKind, id: i64 },
}

/// Whether the record `id` (as its register reads, `None` when absent) can be the cause of a
/// change to `holder`'s certificate: every change names its cause (DOMAIN §0), and a cause
/// about someone else or of another kind would put a false reason on the holder's record.
pub fn cause_fits(kind: CauseKind, id: i64, record: Option<&CauseRecord>, holder: i64) -> Result<(), CauseRefused> {
    match record {
        None => Err(CauseRefused::Missing { kind, id }),
        Some(r) if !r.fitting => Err(CauseRefused::WrongKind { kind, id }),
        Some(r) if !r.persons.contains(&holder) => Err(CauseRefused::OtherPerson { kind, id }),
        Some(_) => Ok(()),
    }
}

/// The status on `today`: revoked stays revoked; otherwise past `expires_on` (the last valid
/// day) the certificate is expired, and before `issued_on` (the first) not yet valid.
pub fn effective_status(
    recorded: CertificateStatus,
    valid: RangeInclusive<NaiveDate>,
    today: NaiveDate,
) -> EffectiveStatus {
    match recorded {
        CertificateStatus::Revoked => EffectiveStatus::Revoked,
        _ if today > *valid.end() => EffectiveStatus::Expired,
        CertificateStatus::Suspended => EffectiveStatus::Suspended,
        CertificateStatus::Valid if today < *valid.start() => EffectiveStatus::NotYetValid,
        CertificateStatus::Valid => EffectiveStatus::Valid,
    }
}

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the certificate is already {0}")]
    Unchanged(CertificateStatus),
    #[error("a revoked certificate can only become valid again through an appeal outcome (ACC-13)")]
    RevokedIsFinal,
}

impl TransitionError {
    pub fn basis(&self) -> Basis {
        match self {
            Self::Unchanged(_) => Basis::default(),
            Self::RevokedIsFinal => Basis::of(&[ArticleRef::article(Regime::Acc, 13)]),
        }
    }
}

/// The one transition function of a certificate's recorded status.
pub fn transition(
    from: CertificateStatus,
    to: CertificateStatus,
    cause: CauseKind,
) -> Result<CertificateStatus, TransitionError> {
    use CertificateStatus::*;
    match (from, to) {
        (a, b) if a == b => Err(TransitionError::Unchanged(a)),
        (Revoked, Valid) if cause == CauseKind::Appeal => Ok(Valid),
        (Revoked, _) => Err(TransitionError::RevokedIsFinal),
        (_, to) => Ok(to),
    }
}

/// Why a new certificate may not be issued: a second card would defeat a suspension in force
/// (SUP-7(2), ACC-6(1)) or a loss of the enforcement qualification (ACC-6(2)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueRefused {
    #[error("the holder's certificate {0} is suspended: lift the suspension before issuing another (SUP-7(2), ACC-6)")]
    Suspended(i64),
    #[error("the holder's certificate {0} was revoked by an accountability decision or by hand: the holder has lost the enforcement qualification (ACC-6(2)), which only an appeal restores (ACC-13)")]
    QualificationLost(i64),
}

impl IssueRefused {
    pub fn basis(&self) -> Basis {
        match self {
            Self::Suspended(_) => {
                Basis::of(&[ArticleRef::item(Regime::Sup, 7, 2), ArticleRef::article(Regime::Acc, 6)])
            }
            Self::QualificationLost(_) => Basis::of(&[
                ArticleRef::item(Regime::Acc, 6, 2),
                ArticleRef::article(Regime::Acc, 13),
            ]),
        }
    }
}

/// One of a holder's certificates, with the cause of the change that gave it its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldCertificate {
    pub id: i64,
    pub status: CertificateStatus,
    /// The last valid day.
    pub expires_on: NaiveDate,
    pub cause: Option<CauseKind>,
}

/// Whether a holder with these certificates may be issued another. A suspended card bars a new
/// one even after its term (expiry does not end a sanction), and so does a card confiscated on
/// an accountability decision or its appeal (ACC-6(2) takes the qualification itself) or
/// revoked by hand with no record to say otherwise. A card the legal office withdrew on a TRN-7
/// recommendation, or one confiscated as invalid (SUP-7(2)), does not: the office may issue a
/// new one once the holder qualifies.
pub fn may_issue(held: &[HeldCertificate]) -> Result<(), IssueRefused> {
    held.iter().try_for_each(|c| match c.status {
        _ if !bars_holder(c.status, c.cause) => Ok(()),
        CertificateStatus::Revoked => Err(IssueRefused::QualificationLost(c.id)),
        _ => Err(IssueRefused::Suspended(c.id)),
    })
}

/// Whether a card in this status, put there by this cause, keeps its holder from enforcing
/// and from a new card: a suspension, and a revocation that takes the qualification (an
/// accountability decision or its appeal, ACC-6(2), or by hand). A card withdrawn on a TRN-7
/// recommendation or confiscated as invalid (SUP-7(2)) is only that card gone.
pub fn bars_holder(status: CertificateStatus, cause: Option<CauseKind>) -> bool {
    match status {
        CertificateStatus::Valid => false,
        CertificateStatus::Suspended => true,
        CertificateStatus::Revoked => !matches!(cause, Some(CauseKind::Training | CauseKind::InspectionFinding)),
    }
}

/// Which of a holder's certificates a suspension or confiscation takes (SUP-7(2), ACC-6): one the change is allowed for, preferring the one in
/// force today (not expired), then the latest to expire: an old expired card left `valid` on
/// file must not be taken in place of the one the officer enforces with.
pub fn certificate_to_take(
    held: &[HeldCertificate],
    to: CertificateStatus,
    cause: CauseKind,
    today: NaiveDate,
) -> Option<(i64, CertificateStatus)> {
    held.iter()
        .filter(|c| transition(c.status, to, cause).is_ok())
        .max_by_key(|c| (c.expires_on >= today, c.expires_on, c.id))
        .map(|c| (c.id, c.status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use CertificateStatus::*;

    #[test]
    fn a_suspension_or_a_lost_qualification_bars_a_new_certificate() {
        let held = |id, status, cause| card(id, status, d("2020-01-01"), Some(cause));
        assert_eq!(may_issue(&[]), Ok(()));
        assert_eq!(may_issue(&[held(1, Valid, CauseKind::Appeal)]), Ok(()));
        assert_eq!(
            may_issue(&[
                held(1, Valid, CauseKind::Manual),
                held(2, Suspended, CauseKind::Training)
            ]),
            Err(IssueRefused::Suspended(2))
        );
        let lost = may_issue(&[held(3, Revoked, CauseKind::AccountabilityDecision)]).unwrap_err();
        assert_eq!(lost, IssueRefused::QualificationLost(3));
        let refs: Vec<String> = lost.basis().0.iter().map(ToString::to_string).collect();
        assert_eq!(refs, ["ACC-6(2)", "ACC-13"]);
        for cause in [CauseKind::Training, CauseKind::InspectionFinding] {
            assert_eq!(may_issue(&[held(4, Revoked, cause)]), Ok(()), "{cause}");
        }
        assert_eq!(
            may_issue(&[held(5, Revoked, CauseKind::Manual)]),
            Err(IssueRefused::QualificationLost(5))
        );
    }

    #[test]
    fn the_certificate_in_force_is_the_one_taken() {
        let today = d("2026-11-28");
        let old = card(1, Valid, d("2025-12-31"), None);
        let current = card(2, Valid, d("2028-12-31"), None);
        let take = |held: &[_], to| certificate_to_take(held, to, CauseKind::InspectionFinding, today);
        assert_eq!(take(&[old, current], Suspended), Some((2, Valid)));
        assert_eq!(take(&[current, old], Suspended), Some((2, Valid)));
        let suspended = card(2, Suspended, d("2028-12-31"), None);
        assert_eq!(
            take(&[old, suspended], Suspended),
            Some((1, Valid)),
            "only the old one can still be suspended"
        );
        assert_eq!(take(&[old, suspended], Revoked), Some((2, Suspended)));
        assert_eq!(take(&[card(3, Revoked, d("2028-12-31"), None)], Suspended), None);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn card(id: i64, status: CertificateStatus, expires_on: NaiveDate, cause: Option<CauseKind>) -> HeldCertificate {
        HeldCertificate {
            id,
            status,
            expires_on,
            cause,
        }
    }

    #[test]
    fn validity_is_derived_and_its_first_and_last_days_are_valid() {
        let card = || d("2026-01-01")..=d("2026-12-31");
        let on = |recorded, day| effective_status(recorded, card(), d(day));
        assert_eq!(on(Valid, "2026-12-31"), EffectiveStatus::Valid);
        assert_eq!(on(Valid, "2026-01-01"), EffectiveStatus::Valid);
        assert_eq!(on(Valid, "2025-12-31"), EffectiveStatus::NotYetValid);
        assert_eq!(on(Valid, "2027-01-01"), EffectiveStatus::Expired);
        assert_eq!(on(Suspended, "2027-01-01"), EffectiveStatus::Expired);
        assert_eq!(on(Suspended, "2026-06-01"), EffectiveStatus::Suspended);
        assert_eq!(on(Suspended, "2025-06-01"), EffectiveStatus::Suspended);
        assert_eq!(on(Revoked, "2027-01-01"), EffectiveStatus::Revoked);
    }

    #[test]
    fn revoked_returns_to_valid_only_by_appeal() {
        for cause in CauseKind::ALL {
            let r = transition(Revoked, Valid, *cause);
            if *cause == CauseKind::Appeal {
                assert_eq!(r, Ok(Valid));
            } else {
                assert_eq!(r, Err(TransitionError::RevokedIsFinal));
            }
        }
        assert_eq!(
            transition(Revoked, Suspended, CauseKind::Appeal),
            Err(TransitionError::RevokedIsFinal)
        );
        assert_eq!(TransitionError::RevokedIsFinal.basis().0[0].to_string(), "ACC-13");
    }

    #[test]
    fn a_cause_must_exist_fit_and_concern_the_holder() {
        let kind = CauseKind::Training;
        let record = |fitting, persons: &[i64]| CauseRecord {
            fitting,
            persons: persons.to_vec(),
        };
        assert_eq!(cause_fits(kind, 4, Some(&record(true, &[7])), 7), Ok(()));
        assert_eq!(cause_fits(kind, 4, None, 7), Err(CauseRefused::Missing { kind, id: 4 }));
        assert_eq!(
            cause_fits(kind, 4, Some(&record(false, &[7])), 7),
            Err(CauseRefused::WrongKind { kind, id: 4 })
        );
        assert_eq!(
            cause_fits(kind, 4, Some(&record(true, &[8])), 7),
            Err(CauseRefused::OtherPerson { kind, id: 4 })
        );
        assert_eq!(
            cause_fits(CauseKind::InspectionFinding, 4, Some(&record(true, &[])), 7),
            Err(CauseRefused::OtherPerson {
                kind: CauseKind::InspectionFinding,
                id: 4
            }),
            "a finding naming no officer concerns no holder"
        );
        assert_eq!(
            CauseRefused::WrongKind { kind, id: 4 }.to_string(),
            "training order or recommendation 4 is not a recommendation to withdraw the certificate (TRN-7)"
        );
        assert_eq!(CauseKind::Appeal.basis().0[0].to_string(), "ACC-13");
        assert_eq!(CauseKind::InspectionFinding.basis().0[0].to_string(), "SUP-7(2)");
    }

    #[test]
    fn other_changes_are_allowed_and_no_op_is_refused() {
        assert_eq!(
            transition(Valid, Suspended, CauseKind::InspectionFinding),
            Ok(Suspended)
        );
        assert_eq!(transition(Suspended, Valid, CauseKind::Manual), Ok(Valid));
        assert_eq!(
            transition(Valid, Revoked, CauseKind::AccountabilityDecision),
            Ok(Revoked)
        );
        assert_eq!(
            transition(Valid, Valid, CauseKind::Manual),
            Err(TransitionError::Unchanged(Valid))
        );
    }
}
