//! Roles and the per-route policies that name which roles may call a route.

crate::text_enum! {
    /// What an account may do (DOMAIN.md §0). A person's account has exactly one role.
    pub enum Role {
        /// 行政执法工作领导小组 — the enforcement leadership group (EVAL-3): decides cases,
        /// annual results, regular inspections and rule amendments.
        Leadership = "leadership",
        /// 行政执法责任追究办公室 — the supervisory office (ACC-10): daily supervision,
        /// investigations, training, scoring, publication review, user administration.
        SupervisoryOffice = "supervisory_office",
        /// Enforcement staff: their own department's records and their own.
        Staff = "staff",
        /// A service account of another system (the district legal office, e-government
        /// frontends): exactly its scopes, on every route (`integration::rules::scope_for`).
        Integration = "integration",
    }
}

impl Role {
    /// The roles of people's accounts; `integration` belongs to service accounts only.
    pub const PEOPLE: &'static [Role] = &[Role::Leadership, Role::SupervisoryOffice, Role::Staff];
}

/// Minimum password length (issue #2).
pub const MIN_PASSWORD_LEN: usize = 12;
/// Upper bound, so hashing cost stays bounded.
pub const MAX_PASSWORD_LEN: usize = 256;

/// Checks a new password against the length rules, counting characters, not bytes.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(format!("must be at least {MIN_PASSWORD_LEN} characters"));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(format!("must be at most {MAX_PASSWORD_LEN} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_boundaries() {
        assert!(check_password(&"a".repeat(11)).is_err());
        assert!(check_password(&"a".repeat(12)).is_ok());
        assert!(check_password(&"安".repeat(12)).is_ok(), "characters, not bytes");
        assert!(check_password(&"a".repeat(256)).is_ok());
        assert!(check_password(&"a".repeat(257)).is_err());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        assert!("admin".parse::<Role>().is_err());
    }
}

/// Row-level visibility: staff see their own department's records (and their own person
/// record); the office and the leadership group see everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    All,
    Department(i64),
    /// A staff account not linked to a department sees nothing.
    Nothing,
}

impl Visibility {
    pub fn of(role: Role, department_id: Option<i64>, _person_id: Option<i64>) -> Self {
        match (role, department_id) {
            (Role::Leadership | Role::SupervisoryOffice | Role::Integration, _) => Self::All,
            (Role::Staff, Some(d)) => Self::Department(d),
            (Role::Staff, None) => Self::Nothing,
        }
    }

    /// Whether a record of `department_id` is visible.
    pub fn admits(self, department_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Department(d) => d == department_id,
            Self::Nothing => false,
        }
    }
}
