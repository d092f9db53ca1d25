//! `/users`: accounts, managed by the supervisory office.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{created, guarded_update, missing, Audited};
use crate::audit::{self, Actor};
use crate::auth::rules::check_password;
use crate::auth::{passwords, store as sessions, Role};
use crate::db::{run_blocking, DbConn, StoreError};
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::etag::{self, IfMatch};
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::store::people;
use crate::org::store::users::{self as store, User};
use crate::AppState;

fn username_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "wangwei", "password": "a-long-passphrase", "role": "staff", "person_id": 3}))]
pub struct NewUser {
    /// 3 to 64 lowercase letters, digits, `.`, `_` or `-`; unique.
    pub username: String,
    /// At least 12 characters.
    pub password: String,
    pub role: Role,
    /// The person the account belongs to; required for `staff`.
    pub person_id: Option<i64>,
}

/// Fields to change. Disabling an account or resetting its password signs out all its sessions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UserPatch {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// A new password (at least 12 characters).
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// Validates and stores a new account; shared by the API and the `create-user` command.
pub fn create_account(conn: &mut DbConn, actor: &Actor, new: store::NewUser) -> Result<User, AppError> {
    if let Some(pid) = new.person_id {
        match people::get(conn, pid) {
            Ok(p) if p.active => {}
            Ok(_) => return Err(AppError::field("person_id", "the person is not active")),
            Err(StoreError::NotFound) => return Err(AppError::field("person_id", "no such person")),
            Err(e) => return Err(e.into()),
        }
        if store::person_has_account(conn, pid)? {
            return Err(AppError::conflict(
                "person_has_account",
                "this person already has an account",
            ));
        }
    }
    let user = store::create(conn, &new, crate::db::now()).map_err(|e| match e {
        StoreError::Unique(_) => AppError::conflict("username_taken", "the username is already in use"),
        other => other.into(),
    })?;
    audit::append(conn, actor, "user.create", "user", user.id, &user)?;
    Ok(user)
}

/// Checks the fields of a new account and hashes its password (slow: call off the workers).
pub fn prepare_account(
    username: &str,
    password: &str,
    role: Role,
    person_id: Option<i64>,
) -> Result<store::NewUser, AppError> {
    let mut check = Check::default();
    let username = check.token(
        "username",
        username,
        64,
        username_char,
        "lowercase letters, digits, ., _ or -",
    );
    if username.chars().count() < 3 {
        check.fail("username", "must be at least 3 characters");
    }
    if let Err(m) = check_password(password) {
        check.fail("password", m);
    }
    if role == Role::Staff && person_id.is_none() {
        check.fail("person_id", "a staff account must belong to a person");
    }
    if role == Role::Integration {
        check.fail("role", "service accounts are created at /api/v1/service-accounts");
    }
    check.finish()?;
    let password_hash = passwords::hash(password).map_err(AppError::Internal)?;
    Ok(store::NewUser {
        username,
        password_hash,
        role,
        person_id,
    })
}

/// List accounts (staff: accounts of their own department).
#[utoipa::path(tag = "organisation", params(UserQuery),
    responses((status = 200, body = Page<User>)))]
#[get("")]
pub async fn list(state: web::Data<AppState>, caller: Caller, q: Query<UserQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = store::Filter {
        role: q.role,
        active: q.active,
    };
    let vis = caller.visibility();
    let rows = state.db.read(move |conn| store::list(conn, vis, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, page, |u| u.id)))
}

/// One account, with its ETag.
#[utoipa::path(tag = "organisation", responses((status = 200, body = User, headers(("ETag" = String)))))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let u = state
        .db
        .read(move |conn| store::get_visible(conn, id, vis).map_err(missing("user")))
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &u))
}

/// Create an account.
#[utoipa::path(tag = "organisation", request_body = NewUser,
    responses(
        (status = 201, body = User, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "Username taken, or the person already has an account", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create(state: web::Data<AppState>, caller: Caller, body: Json<NewUser>) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let new = run_blocking(move || prepare_account(&b.username, &b.password, b.role, b.person_id)).await?;
    let actor = caller.actor();
    let u = state.db.write(move |conn| create_account(conn, &actor, new)).await?;
    Ok(created(format!("/api/v1/users/{}", u.id), &u))
}

/// Change an account's role, activity or password (requires `If-Match`).
///
/// The office cannot disable or demote its own account (so it cannot lock itself out).
#[utoipa::path(tag = "organisation", request_body = UserPatch,
    params(("If-Match" = String, Header, description = "The current ETag")),
    responses(
        (status = 200, body = User, headers(("ETag" = String))),
        (status = 409, description = "Would disable or demote the caller's own account", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    if_match: IfMatch,
    body: Json<UserPatch>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    if id == caller.user_id && (b.active == Some(false) || b.role.is_some_and(|r| r != caller.role)) {
        return Err(AppError::conflict(
            "own_account",
            "you cannot disable or demote your own account",
        ));
    }
    let password = b.password;
    let password_hash = run_blocking(move || {
        password
            .map(|p| {
                check_password(&p).map_err(|m| AppError::field("password", m))?;
                passwords::hash(&p).map_err(AppError::Internal)
            })
            .transpose()
    })
    .await?;
    let signs_out = b.active == Some(false) || password_hash.is_some();
    let changes = store::Changes {
        role: b.role,
        active: b.active,
        password_hash,
    };
    let audited = Audited {
        actor: caller.actor(),
        action: "user.update",
        entity: "user",
        id,
    };
    let u = state
        .db
        .write(move |conn| {
            guarded_update(
                conn,
                &if_match,
                audited,
                |conn| store::get(conn, id),
                |conn, before| {
                    if before.role == Role::Integration || changes.role == Some(Role::Integration) {
                        return Err(AppError::field(
                            "role",
                            "service accounts are managed at /api/v1/service-accounts",
                        ));
                    }
                    if changes.role == Some(Role::Staff) && before.person_id.is_none() {
                        return Err(AppError::field("role", "a staff account must belong to a person"));
                    }
                    let after = store::update(conn, id, &changes, crate::db::now())?;
                    if signs_out {
                        sessions::revoke_all_sessions(conn, id, crate::db::now())?;
                    }
                    Ok(after)
                },
            )
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &u))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list).service(get).service(create).service(update);
}
