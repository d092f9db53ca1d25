//! Petitions and reports (DOMAIN.md §7): channels, the reply duty and its deadline.

use chrono::NaiveDate;

use crate::rules::{ArticleRef, Regime};

/// Unanswered or mishandled petitions are the evidence of EVAL-5(4) deductions.
pub const EVAL_5_4: ArticleRef = ArticleRef::item(Regime::Eval, 5, 4);

crate::text_enum! {
    /// How a petition arrived (PUB-3: the hotline; letters, visits, the web).
    pub enum Channel {
        Hotline = "hotline",
        Letter = "letter",
        Visit = "visit",
        Web = "web",
    }
}

crate::text_enum! {
    pub enum PetitionStatus {
        Received = "received",
        /// Assigned to a department, waiting for its reply.
        Assigned = "assigned",
        Replied = "replied",
    }
}

/// Overdue: assigned, unanswered, and past the reply deadline (from the next calendar day).
pub fn overdue(status: PetitionStatus, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    status == PetitionStatus::Assigned && due.is_some_and(|d| today > d)
}

/// An unguessable tracking code: 128 random bits, hex.
pub fn tracking_code() -> String {
    crate::auth::tokens::random_token()[..32].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_from_the_day_after_the_deadline() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(!overdue(
            PetitionStatus::Assigned,
            Some(d("2026-12-01")),
            d("2026-12-01")
        ));
        assert!(overdue(
            PetitionStatus::Assigned,
            Some(d("2026-12-01")),
            d("2026-12-02")
        ));
        assert!(!overdue(
            PetitionStatus::Replied,
            Some(d("2026-12-01")),
            d("2026-12-02")
        ));
        assert_ne!(tracking_code(), tracking_code());
        assert_eq!(tracking_code().len(), 32);
    }
}
