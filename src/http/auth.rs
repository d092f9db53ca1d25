//! The `Caller` extractor: a valid access token of an active account whose session is
//! open, whose role the access table (`http::access`) admits to the matched operation.
//! 401 before 403, always.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::access::{self, Access};
use super::pages::Version;
use super::AppError;
use crate::audit::Actor;
use crate::auth::rules::Visibility;
use crate::auth::{store, Role};
use crate::integration::rules::{split, Scope};
use crate::AppState;

/// The authenticated caller of an operation the access table admits it to.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: i64,
    pub role: Role,
    pub department_id: Option<i64>,
    pub person_id: Option<i64>,
    pub session_id: i64,
    /// A service account's scopes (`None` for people).
    pub scopes: Option<BTreeSet<Scope>>,
    /// Read with the session, before anything else of the request: what the request reads is
    /// at least this new (`http::pages`).
    pub version: Version,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor::User(self.user_id)
    }

    /// Staff act for their own department only: 403 naming `what` for any other.
    pub fn staff_own_department(&self, department_id: i64, what: &str) -> Result<(), AppError> {
        if self.role == Role::Staff && self.department_id != Some(department_id) {
            return Err(AppError::Forbidden(format!(
                "staff {what} of their own department only"
            )));
        }
        Ok(())
    }

    /// No one decides on their own record (confirms their self-study, scores their exam,
    /// checks their notes): 403 naming `what`.
    pub fn not_on_own_record(&self, person: i64, what: &str) -> Result<(), AppError> {
        if self.person_id == Some(person) {
            return Err(AppError::Forbidden(format!(
                "no one may {what} on their own record; another member of the office does"
            )));
        }
        Ok(())
    }

    /// Which departments' records this caller may see (row-level visibility).
    pub fn visibility(&self) -> Visibility {
        Visibility::of(self.role, self.department_id, self.person_id)
    }
}

fn bearer(req: &HttpRequest) -> Result<String, AppError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("an Authorization: Bearer token is required".into()))?;
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("the Authorization header is not readable".into()))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(token.trim().to_owned())
        }
        _ => Err(AppError::Unauthorized(
            "the Authorization header must be `Bearer <token>`".into(),
        )),
    }
}

/// A service account passes where the route table gives the route a scope it holds.
fn admit_service(scopes: &str, needed: Option<Scope>) -> Result<(), AppError> {
    match needed {
        Some(s) if split(scopes).contains(&s) => Ok(()),
        Some(s) => Err(AppError::Forbidden(format!(
            "the service account lacks the scope `{s}`"
        ))),
        None => Err(AppError::Forbidden(
            "service accounts may not call this operation".into(),
        )),
    }
}

/// The access table's verdict for this account on the matched operation.
fn admit(role: Role, scopes: Option<&str>, access: Option<Access>, scope: Option<Scope>) -> Result<(), AppError> {
    let Some(Access::People(roles)) = access else {
        return Err(AppError::Forbidden("this operation is not in the access table".into()));
    };
    if role == Role::Integration {
        return admit_service(scopes.unwrap_or_default(), scope);
    }
    if roles.contains(&role) {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "the role `{role}` may not do this; allowed: {}",
        roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
    )))
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let pattern = req.match_pattern().unwrap_or_default();
        let access = access::of(req.method(), &pattern);
        let scope = access::scope(req.method(), &pattern);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("application state missing".into()))?;
            let claims = state
                .tokens
                .verify(&token?)
                .map_err(|reason| AppError::Unauthorized(format!("invalid access token: {reason}")))?;
            let user_id: i64 = claims
                .sub
                .parse()
                .map_err(|_| AppError::Unauthorized("invalid access token: bad subject".into()))?;
            let sid = claims.sid;
            let commits = state.db.commits();
            let principal = state
                .db
                .read_here(move |conn| store::principal(conn, user_id, sid).map_err(AppError::from))
                .await?
                .ok_or_else(|| AppError::Unauthorized("the session is unknown".into()))?;
            if !principal.active {
                return Err(AppError::Unauthorized("the account is disabled".into()));
            }
            if principal.revoked_at.is_some() {
                return Err(AppError::Unauthorized("the session has been signed out".into()));
            }
            if principal.role != claims.role {
                return Err(AppError::Unauthorized(
                    "the account's role has changed; sign in again".into(),
                ));
            }
            admit(principal.role, principal.scopes.as_deref(), access, scope)?;
            Ok(Caller {
                user_id,
                role: principal.role,
                department_id: principal.department_id,
                person_id: principal.person_id,
                session_id: sid,
                scopes: principal.scopes.as_deref().map(split),
                version: Version {
                    commits,
                    audit_head: principal.audit_head.unwrap_or(0),
                    today: crate::db::today(),
                },
            })
        })
    }
}

/// The client's address, for throttling: the socket peer (proxies are not trusted).
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}
