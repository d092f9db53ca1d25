//! `/auth/login`, `/auth/refresh`, `/auth/logout` and `/me`.

use std::time::Instant;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Account, Rotation};
use super::tokens::{Claims, ACCESS_TTL_SECS};
use super::Role;
use crate::audit::{self, Actor};
use crate::db::{run_blocking, StoreError};
use crate::http::auth::client_address;
use crate::http::checked::Json;
use crate::http::error::Problem;
use crate::http::{AppError, Caller};
use crate::org::store::people;
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "office")]
    pub username: String,
    #[schema(example = "office-password-2026")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A fresh access token (15 minutes) and the refresh token that replaces the one presented.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Single use: each refresh returns a new one; presenting a used one signs the session out.
    pub refresh_token: String,
}

fn tokens_for(
    state: &AppState,
    account: &Account,
    session_id: i64,
    refresh_token: String,
) -> Result<TokenResponse, AppError> {
    let claims = Claims::new(
        account.id,
        account.role,
        account.department_id,
        session_id,
        chrono::Utc::now(),
    );
    let access_token = state.tokens.sign(&claims).map_err(AppError::Internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TTL_SECS,
        refresh_token,
    })
}

const BAD_CREDENTIALS: &str = "the username or password is wrong, or the account is disabled";

fn checks_busy() -> AppError {
    AppError::TooManyRequests {
        detail: "too many sign-ins are being checked at the moment; try again shortly".into(),
        retry_after_secs: 1,
    }
}

/// Sign in with username and password.
///
/// Failed attempts are throttled per client address and per username from that address:
/// past the limit the answer is 429 with `Retry-After`, even for the right password. 429 also
/// when more sign-ins are waiting for their password check than the service takes at once.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password, or account disabled", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { username, password } = body.get()?.into_inner();
    let client = client_address(&req);
    if let Some(secs) = state.throttle.retry_after(&username, &client, Instant::now()) {
        return Err(AppError::TooManyRequests {
            detail: format!("too many failed sign-in attempts; try again in {secs} seconds"),
            retry_after_secs: secs,
        });
    }
    // A place in the password-check queue first: a flood it refuses costs no database read.
    let place = state.password_checks.place().ok_or_else(checks_busy)?;
    let st = state.clone();
    let name = username.clone();
    let account = run_blocking(move || Ok::<_, AppError>(store::find_account(&mut *st.db.conn()?, &name)?)).await?;
    // Unknown usernames verify against a dummy hash: the same work as a wrong password.
    let hash = account
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |a| a.password_hash.clone());
    let matches = state
        .password_checks
        .verify(place, password, hash)
        .await
        .ok_or_else(checks_busy)?;
    let Some(account) = account.filter(|a| matches && a.active) else {
        state.throttle.record_failure(&username, &client, Instant::now());
        return Err(AppError::Unauthorized(BAD_CREDENTIALS.into()));
    };
    let (session_id, refresh_token) = open_session(&state, account.id).await?;
    state.throttle.record_success(&username, &client);
    Ok(HttpResponse::Ok().json(tokens_for(&state, &account, session_id, refresh_token)?))
}

/// A new session of `user_id` with its refresh token, audited.
async fn open_session(state: &AppState, user_id: i64) -> Result<(i64, String), AppError> {
    state
        .db
        .write(move |conn| {
            let now = crate::db::now();
            let session_id = store::open_session(conn, user_id, now)?;
            let refresh_token = store::issue_refresh(conn, session_id, now)?;
            audit::append(
                conn,
                &Actor::User(user_id),
                "auth.login",
                "session",
                session_id,
                &serde_json::json!({"user_id": user_id}),
            )?;
            Ok::<_, AppError>((session_id, refresh_token))
        })
        .await
}

/// Exchange a refresh token for new tokens (rotation).
///
/// Presenting a refresh token that was already used revokes its whole session (every token
/// descended from the same login) and answers 401.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Unknown, expired, reused or signed-out refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> Result<HttpResponse, AppError> {
    let presented = body.get()?.into_inner().refresh_token;
    let rotation = state
        .db
        .write(move |conn| {
            let now = crate::db::now();
            let rotation = store::rotate(conn, &presented, now)?;
            match &rotation {
                Rotation::Rotated {
                    account, session_id, ..
                } => {
                    audit::append(
                        conn,
                        &Actor::User(account.id),
                        "auth.refresh",
                        "session",
                        session_id,
                        &serde_json::json!({}),
                    )?;
                }
                Rotation::Reused { session_id, user_id } => {
                    audit::append(
                        conn,
                        &Actor::User(*user_id),
                        "auth.refresh_reuse_revoked",
                        "session",
                        session_id,
                        &serde_json::json!({"revoked": true}),
                    )?;
                }
                Rotation::Refused(_) => {}
            }
            Ok::<_, AppError>(rotation)
        })
        .await?;
    match rotation {
        Rotation::Rotated {
            account,
            session_id,
            refresh_token,
        } => Ok(HttpResponse::Ok().json(tokens_for(&state, &account, session_id, refresh_token)?)),
        Rotation::Reused { .. } => Err(AppError::Unauthorized(
            "this refresh token was already used; the session has been revoked, sign in again".into(),
        )),
        Rotation::Refused(why) => Err(AppError::Unauthorized(why.into())),
    }
}

/// Sign out: revokes the session of the access token (and its refresh tokens).
#[utoipa::path(tag = "auth", responses((status = 204, description = "Signed out")))]
#[post("/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let actor = caller.actor();
    let sid = caller.session_id;
    state
        .db
        .write(move |conn| {
            store::revoke_session(conn, sid, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "auth.logout",
                "session",
                sid,
                &serde_json::json!({"revoked": true}),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub person: Option<people::Person>,
}

/// Who am I: the account, its role, and the person it belongs to.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me)))]
#[get("")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let (user_id, role, department_id) = (caller.user_id, caller.role, caller.department_id);
    let me = state
        .db
        .read(move |conn| {
            let user = crate::org::store::users::get(conn, user_id)?;
            let person = user.person_id.map(|id| people::get(conn, id)).transpose()?;
            Ok::<_, StoreError>(Me {
                user_id,
                username: user.username,
                role,
                department_id,
                person,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(login).service(refresh).service(logout);
}
