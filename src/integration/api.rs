//! `/service-accounts` (the office manages them) and `/auth/token` (client credentials).

use std::collections::BTreeSet;
use std::time::Instant;

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::{self, Scope};
use super::store::{self, ServiceAccount};
use crate::audit;
use crate::auth::tokens::{digest, Claims, ACCESS_TTL_SECS};
use crate::auth::Role;
use crate::http::auth::client_address;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::AppState;

/// A service account as the office sees it (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAccountView {
    pub id: i64,
    pub name: String,
    #[schema(example = "svc-2b1f0c9d7e6a4c3b8a9d0e1f2a3b4c5d")]
    pub client_id: String,
    pub scopes: Vec<Scope>,
    pub active: bool,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub rotated_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::db::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<NaiveDateTime>,
}

fn view(a: ServiceAccount) -> ServiceAccountView {
    ServiceAccountView {
        id: a.id,
        scopes: rules::split(&a.scopes).into_iter().collect(),
        active: a.revoked_at.is_none(),
        name: a.name,
        client_id: a.client_id,
        created_at: a.created_at,
        rotated_at: a.rotated_at,
        revoked_at: a.revoked_at,
    }
}

/// The account with its secret: shown this once, stored only as a digest.
#[derive(Debug, Serialize, ToSchema)]
pub struct Credentials {
    #[serde(flatten)]
    pub account: ServiceAccountView,
    pub client_secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "区法制办执法监督平台", "scopes": ["acts:read", "certificates:read", "certificates:write", "events:read"]}))]
pub struct NewServiceAccount {
    /// 1 to 200 characters.
    pub name: String,
    /// At least one.
    pub scopes: Vec<Scope>,
}

fn scopes(given: &[Scope], check: &mut Check) -> String {
    if given.is_empty() {
        check.fail("scopes", "name at least one scope");
    }
    rules::join(&given.iter().copied().collect::<BTreeSet<_>>())
}

/// Create a service account (role `integration`) with its scopes; the answer holds the
/// client secret, shown this once.
#[utoipa::path(tag = "integration", request_body = NewServiceAccount, responses((status = 201, body = Credentials)))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewServiceAccount>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let name = check.text("name", &b.name, 200);
    let scopes = scopes(&b.scopes, &mut check);
    check.finish()?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let (account, secret) = state
        .db
        .write(move |conn| {
            let (a, secret) = store::create(conn, &name, &scopes, by, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "service_account.create",
                "service_account",
                a.id,
                &serde_json::json!({"name": a.name, "client_id": a.client_id, "scopes": a.scopes}),
            )?;
            Ok::<_, AppError>((a, secret))
        })
        .await?;
    Ok(HttpResponse::Created().json(Credentials {
        account: view(account),
        client_secret: secret,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List service accounts.
#[utoipa::path(tag = "integration", params(ListQuery), responses((status = 200, body = Page<ServiceAccountView>)))]
#[get("")]
pub async fn list(state: web::Data<AppState>, _caller: Caller, q: Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let rows = state.db.read(move |conn| store::list(conn, page)).await?;
    let views = rows.into_iter().map(view).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |a: &ServiceAccountView| a.id)))
}

/// One service account.
#[utoipa::path(tag = "integration", responses((status = 200, body = ServiceAccountView)))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, _caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let a = state
        .db
        .read(move |conn| store::get(conn, id).map_err(missing("service account")))
        .await?;
    Ok(HttpResponse::Ok().json(view(a)))
}

/// The account, unless it is revoked (409): a revoked account is final.
fn live(conn: &mut crate::db::DbConn, id: i64) -> Result<ServiceAccount, AppError> {
    let a = store::get(conn, id).map_err(missing("service account"))?;
    if a.revoked_at.is_some() {
        return Err(AppError::conflict(
            "service_account_revoked",
            "the service account is revoked",
        ));
    }
    Ok(a)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopesRequest {
    pub scopes: Vec<Scope>,
}

/// Replace an account's scopes; they apply to its next request.
#[utoipa::path(tag = "integration", request_body = ScopesRequest, responses((status = 200, body = ServiceAccountView),
        (status = 409, description = "Revoked", body = Problem, content_type = "application/problem+json")))]
#[put("/{id}/scopes")]
pub async fn set_scopes(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ScopesRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let scopes = scopes(&b.scopes, &mut check);
    check.finish()?;
    let actor = caller.actor();
    let v = state
        .db
        .write(move |conn| {
            live(conn, id)?;
            store::set_scopes(conn, id, &scopes, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "service_account.scopes",
                "service_account",
                id,
                &serde_json::json!({"scopes": scopes}),
            )?;
            Ok::<_, AppError>(view(store::get(conn, id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Issue a new secret (shown once); the old secret and every token issued under it stop
/// working at once.
#[utoipa::path(tag = "integration", responses((status = 200, body = Credentials),
        (status = 409, description = "Revoked", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/rotate")]
pub async fn rotate(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let actor = caller.actor();
    let (a, secret) = state
        .db
        .write(move |conn| {
            let a = live(conn, id)?;
            let secret = store::rotate(conn, &a, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "service_account.rotate",
                "service_account",
                id,
                &serde_json::json!({"rotated": true}),
            )?;
            Ok::<_, AppError>((store::get(conn, id)?, secret))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Credentials {
        account: view(a),
        client_secret: secret,
    }))
}

/// Revoke an account for good: its tokens stop working at once.
#[utoipa::path(tag = "integration", responses((status = 200, body = ServiceAccountView),
        (status = 409, description = "Already revoked", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/revoke")]
pub async fn revoke(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let actor = caller.actor();
    let v = state
        .db
        .write(move |conn| {
            let a = live(conn, id)?;
            store::revoke(conn, &a, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "service_account.revoke",
                "service_account",
                id,
                &serde_json::json!({"revoked": true}),
            )?;
            Ok::<_, AppError>(view(store::get(conn, id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A token request (RFC 6749 §4.4), as JSON or form fields; the credentials may come in an
/// `Authorization: Basic` header instead.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "svc-2b1f0c9d7e6a4c3b8a9d0e1f2a3b4c5d", "client_secret": "…"}))]
pub struct TokenRequest {
    #[schema(example = "client_credentials")]
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Ignored: a token carries all of the account's scopes.
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientToken {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 900)]
    pub expires_in: i64,
    /// The account's scopes, space-separated.
    #[schema(example = "acts:read events:read")]
    pub scope: String,
}

fn token_request(req: &HttpRequest, body: &[u8]) -> Result<TokenRequest, AppError> {
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let mut t: TokenRequest = if form {
        serde_urlencoded::from_bytes(body).map_err(|e| AppError::BadRequest(format!("unreadable form: {e}")))?
    } else {
        serde_json::from_slice(body).map_err(|e| AppError::BadRequest(format!("unreadable JSON: {e}")))?
    };
    if let Some((id, secret)) = basic(req) {
        t.client_id.get_or_insert(id);
        t.client_secret.get_or_insert(secret);
    }
    if t.grant_type != "client_credentials" {
        return Err(AppError::field("grant_type", "only `client_credentials` is supported"));
    }
    Ok(t)
}

fn basic(req: &HttpRequest) -> Option<(String, String)> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let (id, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

const BAD_CLIENT: &str = "the client id or secret is wrong, or the account is revoked";

/// Get an access token with client credentials (service accounts). Failed attempts are
/// throttled like sign-ins (429 with Retry-After).
#[utoipa::path(tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = ClientToken),
        (status = 401, description = "Wrong credentials or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json")))]
#[post("/token")]
pub async fn token(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, AppError> {
    let t = token_request(&req, &body)?;
    let (Some(id), Some(secret)) = (t.client_id, t.client_secret) else {
        return Err(AppError::Unauthorized(
            "client_id and client_secret are required".into(),
        ));
    };
    let client = client_address(&req);
    if let Some(secs) = state.throttle.retry_after(&id, &client, Instant::now()) {
        return Err(AppError::TooManyRequests {
            detail: format!("too many failed attempts; try again in {secs} seconds"),
            retry_after_secs: secs,
        });
    }
    let key = id.clone();
    let found = state.db.read(move |conn| store::by_client_id(conn, &key)).await?;
    let Some(a) = found.filter(|a| a.revoked_at.is_none() && a.secret_hash == digest(&secret)) else {
        state.throttle.record_failure(&id, &client, Instant::now());
        return Err(AppError::Unauthorized(BAD_CLIENT.into()));
    };
    state.throttle.record_success(&id, &client);
    let mut claims = Claims::new(a.user_id, Role::Integration, None, a.session_id, chrono::Utc::now());
    claims.scope = Some(a.scopes.clone());
    let access_token = state.tokens.sign(&claims).map_err(AppError::Internal)?;
    Ok(HttpResponse::Ok().json(ClientToken {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TTL_SECS,
        scope: a.scopes,
    }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get)
        .service(set_scopes)
        .service(rotate)
        .service(revoke);
}
