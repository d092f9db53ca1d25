//! The enforcement-act register's rules (DOMAIN.md §1).

use chrono::NaiveDate;

use crate::rules::{ArticleRef, Basis, Regime};

crate::text_enum! {
    /// The seven kinds of enforcement act (PUB-4 (1)–(7)); also the disclosure categories.
    pub enum ActKind {
        /// 行政许可
        Licensing = "licensing",
        /// 行政处罚
        Penalty = "penalty",
        /// 行政确认
        Confirmation = "confirmation",
        /// 行政征收
        Levy = "levy",
        /// 行政强制
        Coercive = "coercive",
        /// 行政检查
        Inspection = "inspection",
        /// 其它
        Other = "other",
    }
}

crate::text_enum! {
    /// How a penalty was imposed; the score sheet deducts differently (EVAL-5(3)).
    pub enum PenaltyProcedure {
        /// 当场处罚
        OnTheSpot = "on_the_spot",
        /// 立案处罚
        FiledCase = "filed_case",
    }
}

crate::text_enum! {
    /// The counterpart (管理相对人); retention of a published decision depends on it.
    pub enum CounterpartType {
        NaturalPerson = "natural_person",
        LegalPerson = "legal_person",
        Other = "other",
    }
}

crate::text_enum! {
    /// Whether the act stands.
    pub enum ActStatus {
        Active = "active",
        Revoked = "revoked",
    }
}

crate::text_enum! {
    /// Administrative reconsideration (复议) or litigation (诉讼) of an act (EVAL-4(6)).
    pub enum ReviewKind {
        Reconsideration = "reconsideration",
        Litigation = "litigation",
    }
}

crate::text_enum! {
    /// The outcome of a reconsideration or a lawsuit.
    pub enum ReviewOutcome {
        /// 维持
        Upheld = "upheld",
        /// 变更
        Modified = "modified",
        /// 撤销
        Revoked = "revoked",
        /// 确认违法
        ConfirmedUnlawful = "confirmed_unlawful",
        /// 责令履行
        OrderedToPerform = "ordered_to_perform",
        /// 驳回 / 撤回
        Dismissed = "dismissed",
    }
}

pub const SUP_6_2: ArticleRef = ArticleRef::item(Regime::Sup, 6, 2);
pub const SUP_6_8: ArticleRef = ArticleRef::item(Regime::Sup, 6, 8);

/// A penalty names its procedure; no other kind does.
pub fn check_procedure(kind: ActKind, procedure: Option<PenaltyProcedure>) -> Result<(), &'static str> {
    match (kind, procedure) {
        (ActKind::Penalty, None) => Err("a penalty must name its procedure (on_the_spot or filed_case)"),
        (ActKind::Penalty, Some(_)) => Ok(()),
        (_, Some(_)) => Err("only a penalty has a procedure"),
        (_, None) => Ok(()),
    }
}

/// What the register knows of an officer's certificates, for SUP-6(2).
#[derive(Clone, Debug)]
pub struct CertificateOnFile {
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    /// Whether its recorded status was `valid` on the act's day (at the end of it): a
    /// suspension or revocation stops its holder from enforcing from its day on (SUP-7(2)),
    /// not before it.
    pub valid_that_day: bool,
    /// Whether its status that day kept its holder off enforcement altogether: a suspension,
    /// or a revocation that took the qualification (ACC-6(2)).
    pub bars_holder: bool,
}

/// An officer may be recorded on an act dated `on` only while holding a certificate that was
/// valid that day and whose validity period covers it (SUP-6(2): 是否有非行政执法人员参与执法),
/// and while none of their certificates was suspended, or revoked with the qualification,
/// that day: such a sanction takes the person off enforcement (SUP-7(2), ACC-6), not one card
/// of two. A card withdrawn on a TRN-7 recommendation or confiscated as invalid is only that
/// card gone: a new one issued since counts.
pub fn may_enforce(certificates: &[CertificateOnFile], on: NaiveDate) -> bool {
    let covering = |c: &&CertificateOnFile| c.issued_on <= on && on <= c.expires_on;
    certificates.iter().filter(covering).any(|c| c.valid_that_day) && !certificates.iter().any(|c| c.bars_holder)
}

/// The refusal when an officer lacks a valid certificate.
pub fn without_certificate_basis() -> Basis {
    Basis::of(&[SUP_6_2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn validity_covers_its_first_and_last_day_only() {
        let c = CertificateOnFile {
            issued_on: d("2026-01-01"),
            expires_on: d("2026-12-31"),
            valid_that_day: true,
            bars_holder: false,
        };
        assert!(may_enforce(std::slice::from_ref(&c), d("2026-01-01")));
        assert!(may_enforce(std::slice::from_ref(&c), d("2026-12-31")));
        assert!(!may_enforce(std::slice::from_ref(&c), d("2025-12-31")));
        assert!(!may_enforce(std::slice::from_ref(&c), d("2027-01-01")));
        let suspended = CertificateOnFile {
            valid_that_day: false,
            bars_holder: true,
            ..c.clone()
        };
        assert!(!may_enforce(std::slice::from_ref(&suspended), d("2026-06-01")));
        assert!(
            !may_enforce(&[suspended.clone(), c.clone()], d("2026-06-01")),
            "a second card does not outlast the sanction on the first"
        );
        let expired = CertificateOnFile {
            expires_on: d("2025-12-31"),
            issued_on: d("2020-01-01"),
            ..c.clone()
        };
        assert!(
            may_enforce(&[expired, c.clone()], d("2026-06-01")),
            "an old card expired, still valid on file"
        );
        assert!(!may_enforce(&[], d("2026-06-01")));
        let withdrawn_on_training = CertificateOnFile {
            valid_that_day: false,
            bars_holder: false,
            ..c.clone()
        };
        assert!(
            may_enforce(&[withdrawn_on_training.clone(), c], d("2026-06-01")),
            "a card withdrawn on TRN-7 is that card gone, not the new one"
        );
        assert!(!may_enforce(&[withdrawn_on_training], d("2026-06-01")));
    }

    #[test]
    fn only_penalties_have_a_procedure() {
        assert!(check_procedure(ActKind::Penalty, Some(PenaltyProcedure::OnTheSpot)).is_ok());
        assert!(check_procedure(ActKind::Penalty, None).is_err());
        assert!(check_procedure(ActKind::Licensing, Some(PenaltyProcedure::FiledCase)).is_err());
        assert!(check_procedure(ActKind::Levy, None).is_ok());
    }
}
