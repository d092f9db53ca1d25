//! Who may call each operation: the one table the `Caller` extractor enforces, the OpenAPI
//! document's `security` is written from, and `tests/roles.rs` checks every documented
//! operation against. An operation missing here refuses every caller (fail closed).

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::http::Method;

use crate::auth::Role;
use crate::integration::rules::{scope_for, Scope};

/// The prefix every API route is mounted under.
pub const API: &str = "/api/v1";

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (the public reading room, sign-in, health).
    Public,
    /// A person's account with one of these roles, or a service account holding the scope
    /// `integration::rules::scope_for` gives the route.
    People(&'static [Role]),
}

use Access::{People, Public};

const PEOPLE: &[Role] = Role::PEOPLE;
/// The enforcement leadership group and the supervisory office (EVAL-3, ACC-10).
const LEADERSHIP_OR_OFFICE: &[Role] = &[Role::Leadership, Role::SupervisoryOffice];
/// The supervisory office only: administration, scoring, training, publication review.
const OFFICE: &[Role] = &[Role::SupervisoryOffice];
/// The leadership group only: rule amendments, decisions, regular inspections.
const LEADERSHIP: &[Role] = &[Role::Leadership];
/// The supervisory office and the department that answers.
const OFFICE_OR_STAFF: &[Role] = &[Role::SupervisoryOffice, Role::Staff];

/// Every operation: method, route pattern, who may call it.
pub static TABLE: &[(Method, &str, Access)] = &[
    (
        Method::POST,
        "/api/v1/accountability/allocation",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::GET,
        "/api/v1/accountability/award-ineligibility",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/accountability/cases", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/accountability/cases",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/accountability/cases/{id}", People(PEOPLE)),
    (Method::POST, "/api/v1/accountability/cases/{id}/appeal", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/accountability/cases/{id}/appeal-decision",
        People(LEADERSHIP),
    ),
    (
        Method::POST,
        "/api/v1/accountability/cases/{id}/decide",
        People(LEADERSHIP),
    ),
    (
        Method::POST,
        "/api/v1/accountability/cases/{id}/evidence",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/accountability/cases/{id}/finalize",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/accountability/cases/{id}/investigate",
        People(OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/accountability/cases/{id}/opinion",
        People(OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/accountability/cases/{id}/serve",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::GET,
        "/api/v1/accountability/sanctions",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/acts", People(PEOPLE)),
    (Method::POST, "/api/v1/acts", People(PEOPLE)),
    (Method::GET, "/api/v1/acts/{id}", People(PEOPLE)),
    (Method::PATCH, "/api/v1/acts/{id}", People(PEOPLE)),
    (Method::POST, "/api/v1/acts/{id}/filing", People(PEOPLE)),
    (Method::POST, "/api/v1/acts/{id}/reviews", People(LEADERSHIP_OR_OFFICE)),
    (Method::POST, "/api/v1/acts/{id}/revoke", People(LEADERSHIP_OR_OFFICE)),
    (Method::GET, "/api/v1/attachments/{id}", People(PEOPLE)),
    (Method::GET, "/api/v1/audit", People(LEADERSHIP_OR_OFFICE)),
    (Method::GET, "/api/v1/audit/verify", People(LEADERSHIP_OR_OFFICE)),
    (Method::POST, "/api/v1/auth/login", Public),
    (Method::POST, "/api/v1/auth/logout", People(PEOPLE)),
    (Method::POST, "/api/v1/auth/refresh", Public),
    (Method::POST, "/api/v1/auth/token", Public),
    (Method::GET, "/api/v1/calendar/due-date", People(PEOPLE)),
    (Method::GET, "/api/v1/calendar/{year}", People(PEOPLE)),
    (Method::PUT, "/api/v1/calendar/{year}", People(OFFICE)),
    (Method::GET, "/api/v1/certificates", People(PEOPLE)),
    (Method::POST, "/api/v1/certificates", People(OFFICE)),
    (Method::GET, "/api/v1/certificates/{id}", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/certificates/{id}/status",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/departments", People(PEOPLE)),
    (Method::POST, "/api/v1/departments", People(OFFICE)),
    (Method::GET, "/api/v1/departments/{id}", People(PEOPLE)),
    (Method::PATCH, "/api/v1/departments/{id}", People(OFFICE)),
    (Method::GET, "/api/v1/disclosures", People(PEOPLE)),
    (Method::POST, "/api/v1/disclosures", People(PEOPLE)),
    (Method::GET, "/api/v1/disclosures/{id}", People(PEOPLE)),
    (Method::PATCH, "/api/v1/disclosures/{id}", People(PEOPLE)),
    (Method::POST, "/api/v1/disclosures/{id}/attachments", People(PEOPLE)),
    (Method::POST, "/api/v1/disclosures/{id}/publish", People(OFFICE)),
    (Method::POST, "/api/v1/disclosures/{id}/return", People(OFFICE)),
    (Method::POST, "/api/v1/disclosures/{id}/submit", People(PEOPLE)),
    (Method::GET, "/api/v1/disclosures/{id}/versions", People(PEOPLE)),
    (Method::POST, "/api/v1/disclosures/{id}/withdraw", People(OFFICE)),
    (Method::GET, "/api/v1/evaluation/deductions", People(PEOPLE)),
    (Method::POST, "/api/v1/evaluation/deductions", People(OFFICE)),
    (Method::GET, "/api/v1/evaluation/deductions/{id}", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/evaluation/deductions/{id}/withdraw",
        People(OFFICE),
    ),
    (Method::GET, "/api/v1/evaluation/meetings", People(LEADERSHIP_OR_OFFICE)),
    (
        Method::POST,
        "/api/v1/evaluation/meetings",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/evaluation/years/{year}", People(PEOPLE)),
    (
        Method::GET,
        "/api/v1/evaluation/years/{year}/awards",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::GET,
        "/api/v1/evaluation/years/{year}/candidates",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/evaluation/years/{year}/departments/{department_id}/preliminary",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::GET,
        "/api/v1/evaluation/years/{year}/departments/{department_id}/qualitative",
        People(PEOPLE),
    ),
    (
        Method::PUT,
        "/api/v1/evaluation/years/{year}/departments/{department_id}/qualitative",
        People(OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/evaluation/years/{year}/departments/{department_id}/response",
        People(OFFICE_OR_STAFF),
    ),
    (
        Method::POST,
        "/api/v1/evaluation/years/{year}/finalize",
        People(LEADERSHIP),
    ),
    (
        Method::POST,
        "/api/v1/evaluation/years/{year}/open",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/evaluation/years/{year}/publish",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::GET,
        "/api/v1/evaluation/years/{year}/quarters/{quarter}/scores",
        People(PEOPLE),
    ),
    (
        Method::POST,
        "/api/v1/evaluation/years/{year}/report",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/evaluation/years/{year}/scores", People(PEOPLE)),
    (Method::GET, "/api/v1/events", People(LEADERSHIP_OR_OFFICE)),
    (Method::GET, "/api/v1/findings", People(PEOPLE)),
    (Method::GET, "/api/v1/findings/{id}", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/findings/{id}/evidence",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/findings/{id}/measures",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/findings/{id}/refer",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/health/live", Public),
    (Method::GET, "/health/ready", Public),
    (Method::GET, "/api/v1/inspections", People(LEADERSHIP_OR_OFFICE)),
    (Method::POST, "/api/v1/inspections", People(LEADERSHIP_OR_OFFICE)),
    (Method::GET, "/api/v1/inspections/{id}", People(LEADERSHIP_OR_OFFICE)),
    (Method::PATCH, "/api/v1/inspections/{id}", People(LEADERSHIP_OR_OFFICE)),
    (
        Method::POST,
        "/api/v1/inspections/{id}/conclude",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/inspections/{id}/findings",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/inspections/{id}/requests",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/inspections/{id}/sample",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::POST,
        "/api/v1/inspections/{id}/start",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/material-requests", People(PEOPLE)),
    (Method::POST, "/api/v1/material-requests/{id}/answer", People(PEOPLE)),
    (Method::POST, "/api/v1/material-requests/{id}/refuse", People(PEOPLE)),
    (Method::GET, "/api/v1/me", People(PEOPLE)),
    (Method::GET, "/api/v1/measures", People(PEOPLE)),
    (Method::GET, "/api/v1/measures/{id}", People(PEOPLE)),
    (Method::POST, "/api/v1/measures/{id}/rectification", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/measures/{id}/verify",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/people", People(PEOPLE)),
    (Method::POST, "/api/v1/people", People(OFFICE)),
    (Method::GET, "/api/v1/people/{id}", People(PEOPLE)),
    (Method::PATCH, "/api/v1/people/{id}", People(OFFICE)),
    (Method::GET, "/api/v1/people/{id}/training", People(PEOPLE)),
    (Method::GET, "/api/v1/petitions", People(PEOPLE)),
    (Method::POST, "/api/v1/petitions", People(OFFICE)),
    (Method::GET, "/api/v1/petitions/{id}", People(PEOPLE)),
    (Method::POST, "/api/v1/petitions/{id}/assign", People(OFFICE)),
    (Method::POST, "/api/v1/petitions/{id}/marks", People(OFFICE)),
    (
        Method::POST,
        "/api/v1/petitions/{id}/refer",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::POST, "/api/v1/petitions/{id}/reply", People(OFFICE_OR_STAFF)),
    (Method::GET, "/api/v1/public/attachments/{id}", Public),
    (Method::GET, "/api/v1/public/certificates/{number}", Public),
    (Method::GET, "/api/v1/public/disclosures", Public),
    (Method::GET, "/api/v1/public/disclosures/{id}", Public),
    (Method::GET, "/api/v1/public/evaluation/{year}", Public),
    (Method::POST, "/api/v1/public/petitions", Public),
    (Method::GET, "/api/v1/public/petitions/{tracking_code}", Public),
    (Method::GET, "/api/v1/publicity/overdue", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/publicity/overdue/{act_id}/refer",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::GET, "/api/v1/rules", People(PEOPLE)),
    (Method::POST, "/api/v1/rules", People(LEADERSHIP)),
    (Method::GET, "/api/v1/rules/versions", People(PEOPLE)),
    (Method::GET, "/api/v1/service-accounts", People(OFFICE)),
    (Method::POST, "/api/v1/service-accounts", People(OFFICE)),
    (Method::GET, "/api/v1/service-accounts/{id}", People(OFFICE)),
    (Method::POST, "/api/v1/service-accounts/{id}/revoke", People(OFFICE)),
    (Method::POST, "/api/v1/service-accounts/{id}/rotate", People(OFFICE)),
    (Method::PUT, "/api/v1/service-accounts/{id}/scopes", People(OFFICE)),
    (Method::GET, "/api/v1/supervision-documents", People(PEOPLE)),
    (Method::GET, "/api/v1/supervision-documents/{id}", People(PEOPLE)),
    (Method::GET, "/api/v1/supervision-documents/{id}/html", People(PEOPLE)),
    (
        Method::POST,
        "/api/v1/supervision-documents/{id}/receipts",
        People(PEOPLE),
    ),
    (
        Method::GET,
        "/api/v1/supervision/compliance",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (
        Method::GET,
        "/api/v1/supervision/trend-analyses",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::POST, "/api/v1/supervision/trend-analyses", People(LEADERSHIP)),
    (Method::GET, "/api/v1/supervision/trends", People(LEADERSHIP_OR_OFFICE)),
    (Method::POST, "/api/v1/training/exams", People(OFFICE)),
    (Method::GET, "/api/v1/training/exams/{id}", People(LEADERSHIP_OR_OFFICE)),
    (Method::PUT, "/api/v1/training/exams/{id}/results", People(OFFICE)),
    (
        Method::PATCH,
        "/api/v1/training/exams/{id}/results/{person_id}",
        People(OFFICE),
    ),
    (Method::GET, "/api/v1/training/hours", People(PEOPLE)),
    (Method::GET, "/api/v1/training/makeups", People(PEOPLE)),
    (Method::POST, "/api/v1/training/note-checks", People(OFFICE)),
    (Method::GET, "/api/v1/training/orders", People(PEOPLE)),
    (Method::POST, "/api/v1/training/orders/{id}/complete", People(OFFICE)),
    (Method::GET, "/api/v1/training/plans/{year}", People(PEOPLE)),
    (Method::PUT, "/api/v1/training/plans/{year}", People(OFFICE)),
    (Method::GET, "/api/v1/training/recommendations", People(PEOPLE)),
    (Method::GET, "/api/v1/training/self-study", People(PEOPLE)),
    (Method::POST, "/api/v1/training/self-study", People(PEOPLE)),
    (Method::POST, "/api/v1/training/self-study/{id}/confirm", People(OFFICE)),
    (Method::POST, "/api/v1/training/self-study/{id}/reject", People(OFFICE)),
    (Method::GET, "/api/v1/training/sessions", People(LEADERSHIP_OR_OFFICE)),
    (Method::POST, "/api/v1/training/sessions", People(OFFICE)),
    (
        Method::GET,
        "/api/v1/training/sessions/{id}",
        People(LEADERSHIP_OR_OFFICE),
    ),
    (Method::PATCH, "/api/v1/training/sessions/{id}", People(OFFICE)),
    (Method::PUT, "/api/v1/training/sessions/{id}/attendance", People(OFFICE)),
    (
        Method::PATCH,
        "/api/v1/training/sessions/{id}/attendance/{person_id}",
        People(OFFICE),
    ),
    (Method::GET, "/api/v1/training/summaries/{year}", People(PEOPLE)),
    (Method::PUT, "/api/v1/training/summaries/{year}", People(OFFICE)),
    (Method::GET, "/api/v1/users", People(PEOPLE)),
    (Method::POST, "/api/v1/users", People(OFFICE)),
    (Method::GET, "/api/v1/users/{id}", People(PEOPLE)),
    (Method::PATCH, "/api/v1/users/{id}", People(OFFICE)),
    (Method::GET, "/api/v1/webhooks", People(OFFICE)),
    (Method::POST, "/api/v1/webhooks", People(OFFICE)),
    (Method::DELETE, "/api/v1/webhooks/{id}", People(OFFICE)),
    (Method::GET, "/api/v1/webhooks/{id}", People(OFFICE)),
    (Method::GET, "/api/v1/webhooks/{id}/deliveries", People(OFFICE)),
    (Method::POST, "/api/v1/webhooks/{id}/replay", People(OFFICE)),
];

/// The table by route pattern, built once: every request looks its operation up.
static BY_PATTERN: LazyLock<HashMap<&'static str, Vec<(Method, Access)>>> = LazyLock::new(|| {
    let mut by_pattern: HashMap<_, Vec<_>> = HashMap::new();
    for (method, pattern, access) in TABLE {
        by_pattern.entry(*pattern).or_default().push((method.clone(), *access));
    }
    by_pattern
});

/// The access rule of the operation a request matched (`HEAD` is read as `GET`).
pub fn of(method: &Method, pattern: &str) -> Option<Access> {
    let method = if method == Method::HEAD { &Method::GET } else { method };
    BY_PATTERN
        .get(pattern)?
        .iter()
        .find(|(m, _)| m == method)
        .map(|(_, access)| *access)
}

/// The methods the operations at `path` (a request path, not a pattern) take: what a `405`
/// answers in `Allow`.
pub fn methods_at(path: &str) -> Vec<String> {
    let fits = |pattern: &str| {
        let (mut a, mut b) = (pattern.split('/'), path.split('/'));
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(p), Some(s)) if (p.starts_with('{') && !s.is_empty()) || p == s => {}
                _ => return false,
            }
        }
    };
    let mut methods: Vec<String> = TABLE
        .iter()
        .filter(|(_, pattern, _)| fits(pattern))
        .map(|(m, ..)| m.to_string())
        .collect();
    methods.sort();
    methods.dedup();
    methods
}

/// The scope that lets a service account call a secured operation, if any.
pub fn scope(method: &Method, pattern: &str) -> Option<Scope> {
    scope_for(
        matches!(*method, Method::GET | Method::HEAD),
        pattern.strip_prefix(API)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (m, p, _) in TABLE {
            assert!(seen.insert((m.as_str(), *p)), "{m} {p} twice");
        }
    }

    #[test]
    fn lookup_follows_method_and_whole_pattern() {
        assert_eq!(of(&Method::GET, "/api/v1/users"), Some(People(PEOPLE)));
        assert_eq!(of(&Method::HEAD, "/api/v1/users"), Some(People(PEOPLE)));
        assert_eq!(of(&Method::POST, "/api/v1/users"), Some(People(OFFICE)));
        assert_eq!(of(&Method::POST, "/api/v1/auth/login"), Some(Public));
        assert_eq!(of(&Method::GET, "/api/v1/user"), None);
        assert_eq!(of(&Method::GET, "/users"), None);
        assert_eq!(of(&Method::GET, "/health/ready"), Some(Public));
    }
}
