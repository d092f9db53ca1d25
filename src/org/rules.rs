//! Organisation rules: positions, and the life of an enforcement certificate (行政执法证件).

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

crate::text_enum! {
    /// The status a certificate has on a given day.
    pub enum EffectiveStatus {
        Valid = "valid",
        Suspended = "suspended",
        Revoked = "revoked",
        Expired = "expired",
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
}

/// The status on `today`: revoked stays revoked; otherwise past `expires_on` (the last valid
/// day) the certificate is expired.
pub fn effective_status(recorded: CertificateStatus, expires_on: NaiveDate, today: NaiveDate) -> EffectiveStatus {
    match recorded {
        CertificateStatus::Revoked => EffectiveStatus::Revoked,
        _ if today > expires_on => EffectiveStatus::Expired,
        CertificateStatus::Valid => EffectiveStatus::Valid,
        CertificateStatus::Suspended => EffectiveStatus::Suspended,
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

/// Which of a holder's certificates (id, recorded status, last valid day) a suspension or
/// confiscation takes (SUP-7(2), ACC-6): one the change is allowed for, preferring the one in
/// force today (not expired), then the latest to expire: an old expired card left `valid` on
/// file must not be taken in place of the one the officer enforces with.
pub fn certificate_to_take(
    held: &[(i64, CertificateStatus, NaiveDate)],
    to: CertificateStatus,
    cause: CauseKind,
    today: NaiveDate,
) -> Option<(i64, CertificateStatus)> {
    held.iter()
        .filter(|(_, status, _)| transition(*status, to, cause).is_ok())
        .max_by_key(|(id, _, expires_on)| (*expires_on >= today, *expires_on, *id))
        .map(|(id, status, _)| (*id, *status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use CertificateStatus::*;

    #[test]
    fn the_certificate_in_force_is_the_one_taken() {
        let today = d("2026-11-28");
        let old = (1, Valid, d("2025-12-31"));
        let current = (2, Valid, d("2028-12-31"));
        let take = |held: &[_], to| certificate_to_take(held, to, CauseKind::InspectionFinding, today);
        assert_eq!(take(&[old, current], Suspended), Some((2, Valid)));
        assert_eq!(take(&[current, old], Suspended), Some((2, Valid)));
        let suspended = (2, Suspended, d("2028-12-31"));
        assert_eq!(
            take(&[old, suspended], Suspended),
            Some((1, Valid)),
            "only the old one can still be suspended"
        );
        assert_eq!(take(&[old, suspended], Revoked), Some((2, Suspended)));
        assert_eq!(take(&[(3, Revoked, d("2028-12-31"))], Suspended), None);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn expiry_is_derived_and_the_last_day_is_still_valid() {
        assert_eq!(
            effective_status(Valid, d("2026-12-31"), d("2026-12-31")),
            EffectiveStatus::Valid
        );
        assert_eq!(
            effective_status(Valid, d("2026-12-31"), d("2027-01-01")),
            EffectiveStatus::Expired
        );
        assert_eq!(
            effective_status(Suspended, d("2026-12-31"), d("2027-01-01")),
            EffectiveStatus::Expired
        );
        assert_eq!(
            effective_status(Suspended, d("2026-12-31"), d("2026-06-01")),
            EffectiveStatus::Suspended
        );
        assert_eq!(
            effective_status(Revoked, d("2026-12-31"), d("2027-01-01")),
            EffectiveStatus::Revoked
        );
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
