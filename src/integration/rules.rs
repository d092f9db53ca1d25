//! Service accounts' scopes and the one route table that says which scope a route needs.

use std::collections::BTreeSet;

crate::text_enum! {
    /// What a service account may do: `{resource}:{read|write}`.
    pub enum Scope {
        ActsRead = "acts:read",
        ActsWrite = "acts:write",
        CertificatesRead = "certificates:read",
        /// The legal office's certificate decisions.
        CertificatesWrite = "certificates:write",
        DisclosuresRead = "disclosures:read",
        SupervisionRead = "supervision:read",
        TrainingRead = "training:read",
        /// TRN-7 recommendations to withdraw certificates.
        RecommendationsRead = "recommendations:read",
        AccountabilityRead = "accountability:read",
        PetitionsRead = "petitions:read",
        /// Frontends forwarding petitions they received.
        PetitionsWrite = "petitions:write",
        EvaluationRead = "evaluation:read",
        OrganisationRead = "organisation:read",
        RulesRead = "rules:read",
        /// The change feed.
        EventsRead = "events:read",
        /// The account's own webhook subscriptions.
        WebhooksManage = "webhooks:manage",
    }
}

/// Route prefixes (under `/api/v1`), most specific first, with the scope a read (GET/HEAD)
/// and a write needs; `None`: service accounts may not write there.
const TABLE: &[(&str, Scope, Option<Scope>)] = &[
    ("/training/recommendations", Scope::RecommendationsRead, None),
    ("/people/{id}/training", Scope::TrainingRead, None),
    ("/acts", Scope::ActsRead, Some(Scope::ActsWrite)),
    ("/publicity/overdue", Scope::ActsRead, None),
    ("/certificates", Scope::CertificatesRead, Some(Scope::CertificatesWrite)),
    ("/disclosures", Scope::DisclosuresRead, None),
    ("/inspections", Scope::SupervisionRead, None),
    ("/findings", Scope::SupervisionRead, None),
    ("/measures", Scope::SupervisionRead, None),
    ("/material-requests", Scope::SupervisionRead, None),
    ("/supervision", Scope::SupervisionRead, None),
    ("/supervision-documents", Scope::SupervisionRead, None),
    ("/training", Scope::TrainingRead, None),
    ("/accountability", Scope::AccountabilityRead, None),
    ("/petitions", Scope::PetitionsRead, Some(Scope::PetitionsWrite)),
    ("/evaluation", Scope::EvaluationRead, None),
    ("/departments", Scope::OrganisationRead, None),
    ("/people", Scope::OrganisationRead, None),
    ("/rules", Scope::RulesRead, None),
    ("/calendar", Scope::RulesRead, None),
    ("/events", Scope::EventsRead, None),
    ("/webhooks", Scope::WebhooksManage, Some(Scope::WebhooksManage)),
];

/// The scope a service account needs for a route (its pattern below `/api/v1`, e.g. `/acts/{id}`);
/// `None`: no service account may call it (accounts, rules adoption, audit…).
pub fn scope_for(read: bool, path: &str) -> Option<Scope> {
    let (_, r, w) = TABLE.iter().find(|(prefix, _, _)| {
        path == *prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
    })?;
    if read {
        Some(*r)
    } else {
        *w
    }
}

/// Scopes as stored and carried in tokens: space-separated, sorted.
pub fn join(scopes: &BTreeSet<Scope>) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

pub fn split(stored: &str) -> BTreeSet<Scope> {
    stored.split_whitespace().filter_map(|s| s.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_map_to_scopes_on_segment_boundaries() {
        assert_eq!(scope_for(true, "/acts"), Some(Scope::ActsRead));
        assert_eq!(scope_for(false, "/acts/{id}/reviews"), Some(Scope::ActsWrite));
        assert_eq!(
            scope_for(true, "/training/recommendations"),
            Some(Scope::RecommendationsRead)
        );
        assert_eq!(scope_for(true, "/training/hours"), Some(Scope::TrainingRead));
        assert_eq!(scope_for(false, "/evaluation/deductions"), None);
        assert_eq!(
            scope_for(true, "/supervision-documents/{id}"),
            Some(Scope::SupervisionRead)
        );
        assert_eq!(scope_for(true, "/actsx"), None);
        assert_eq!(scope_for(true, "/users"), None);
        assert_eq!(scope_for(true, "/other/acts"), None);
    }

    #[test]
    fn stored_scopes_round_trip() {
        let s: BTreeSet<Scope> = [Scope::EventsRead, Scope::ActsRead].into();
        assert_eq!(join(&s), "acts:read events:read");
        assert_eq!(split("acts:read events:read bogus"), s);
    }
}
