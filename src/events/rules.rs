//! The kinds of event and the scope a service account needs to see each.

use crate::integration::rules::Scope;

crate::text_enum! {
    /// What happened.
    pub enum EventType {
        ActRecorded = "act.recorded",
        ActRevoked = "act.revoked",
        DisclosurePublished = "disclosure.published",
        DisclosureTakenDown = "disclosure.taken_down",
        CertificateStatusChanged = "certificate.status_changed",
        FindingRecorded = "finding.recorded",
        MeasureImposed = "measure.imposed",
        CaseDecided = "case.decided",
        CaseServed = "case.served",
        CaseAppealDecided = "case.appeal_decided",
        TrainingRecommendation = "training.recommendation",
        EvaluationPublished = "evaluation.published",
        PetitionReplied = "petition.replied",
    }
}

impl EventType {
    /// The scope that reads the records the event is about.
    pub fn scope(self) -> Scope {
        use EventType::*;
        match self {
            ActRecorded | ActRevoked => Scope::ActsRead,
            DisclosurePublished | DisclosureTakenDown => Scope::DisclosuresRead,
            CertificateStatusChanged => Scope::CertificatesRead,
            FindingRecorded | MeasureImposed => Scope::SupervisionRead,
            CaseDecided | CaseServed | CaseAppealDecided => Scope::AccountabilityRead,
            TrainingRecommendation => Scope::RecommendationsRead,
            EvaluationPublished => Scope::EvaluationRead,
            PetitionReplied => Scope::PetitionsRead,
        }
    }

    /// What the event's `entity_id` names.
    pub fn entity(self) -> &'static str {
        use EventType::*;
        match self {
            ActRecorded | ActRevoked => "act",
            DisclosurePublished | DisclosureTakenDown => "disclosure",
            CertificateStatusChanged => "certificate",
            FindingRecorded => "finding",
            MeasureImposed => "measure",
            CaseDecided | CaseServed | CaseAppealDecided => "case",
            TrainingRecommendation => "training_consequence",
            EvaluationPublished => "evaluation_year",
            PetitionReplied => "petition",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_a_read_scope() {
        for t in EventType::ALL {
            assert!(t.scope().as_str().ends_with(":read"), "{t}");
            assert!(!t.entity().is_empty());
        }
    }
}
