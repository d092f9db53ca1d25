//! `safeguards`: the five safeguard regimes of administrative law enforcement of a district
//! work-safety bureau (高新区安监局行政执法五项保障制度) as a REST/JSON service.
//!
//! `app(state)` builds the whole actix application; `main` and every HTTP test use it.

pub mod accountability;
pub mod acts;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod evaluation;
pub mod events;
pub mod http;
pub mod integration;
pub mod org;
pub mod petitions;
pub mod publicity;
pub mod rules;
pub mod supervision;
pub mod training;
pub mod volume;
pub mod webhooks;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse};
use actix_web_prom::PrometheusMetrics;
use utoipa::{Modify, OpenApi as _};
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::TokenKeys;
use crate::config::JwtSecret;
use crate::db::Db;
use crate::http::error::extractors;
use crate::http::{openapi, AppError};

/// Largest JSON body accepted (413 beyond).
pub const JSON_LIMIT: usize = 64 * 1024;

/// What every request handler shares.
pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub throttle: LoginThrottle,
    /// Password checks, on their own low-priority threads behind a short queue.
    pub password_checks: auth::passwords::Checker,
    /// Verified against when a username is unknown, so that costs what a wrong password costs.
    pub dummy_hash: String,
    /// Pages of the public reading room (PUB), dropped whenever something public changes.
    pub public_cache: publicity::cache::PublicCache,
    /// Authenticated read pages, per session, served again while nothing was written.
    pub pages: http::pages::PageCache,
    /// Public petition intake, limited per client address.
    pub petition_throttle: LoginThrottle,
    /// The prefix of supervision document numbers (`{prefix}〔{year}〕{n}号`, SUP-10).
    pub document_prefix: String,
    /// This process, to tell a request still running from one a crash interrupted.
    pub instance: String,
    /// How webhook deliveries are retried.
    pub webhooks: webhooks::rules::Settings,
    /// Whether `POST /bench/insert`, the write baseline of `bench/load.sh`, answers.
    pub bench_baseline: bool,
    metrics: PrometheusMetrics,
}

impl AppState {
    pub fn new(db: Db, secret: &JwtSecret) -> Result<Self, String> {
        Ok(Self {
            metrics: http::metrics::build(&db)?,
            tokens: TokenKeys::new(secret),
            instance: uuid::Uuid::new_v4().to_string(),
            webhooks: webhooks::rules::Settings::default(),
            bench_baseline: false,
            throttle: LoginThrottle::default(),
            password_checks: Default::default(),
            petition_throttle: LoginThrottle::default(),
            dummy_hash: auth::passwords::dummy_hash(),
            public_cache: Default::default(),
            pages: Default::default(),
            document_prefix: config::DEFAULT_DOCUMENT_PREFIX.to_owned(),
            db,
        })
    }
}

/// Every route, gathered with its OpenAPI description so the two cannot drift.
fn routes<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(openapi::ApiDoc::openapi())
        .service(http::health::live)
        .service(http::health::ready)
        .service(
            scope("/api/v1")
                .service(auth::api::login)
                .service(auth::api::refresh)
                .service(auth::api::logout)
                .service(auth::api::me)
                .configure(org::api::routes)
                .service(audit::api::list)
                .service(audit::api::verify)
                .configure(rules::api::routes)
                .configure(acts::api::routes)
                .configure(publicity::api::routes)
                .configure(supervision::api::routes)
                .configure(training::api::routes)
                .configure(accountability::api::routes)
                .configure(petitions::api::routes)
                .configure(evaluation::api::routes)
                .configure(integration::api::routes)
                .configure(events::api::routes)
                .configure(webhooks::api::routes),
        )
}

/// The OpenAPI document, as served at `/openapi.json` and committed in `openapi/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = routes(App::new().into_utoipa_app()).split_for_parts();
    openapi::CommonResponses.modify(&mut api);
    api
}

async fn no_route() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("no such route".into()))
}

/// The application: routes, extractor limits and error mapping, Swagger UI at `/docs/`,
/// metrics, request ids.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, mut api) = routes(App::new().into_utoipa_app()).split_for_parts();
    openapi::CommonResponses.modify(&mut api);
    let metrics = state.metrics.clone();
    app.app_data(state)
        .app_data(
            web::JsonConfig::default()
                .limit(JSON_LIMIT)
                .error_handler(extractors::json),
        )
        .app_data(web::QueryConfig::default().error_handler(extractors::query))
        .app_data(web::PathConfig::default().error_handler(extractors::path))
        .route("/bench/insert", web::post().to(http::health::baseline_insert))
        .service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(no_route))
        .wrap(from_fn(http::idempotency::middleware))
        .wrap(from_fn(http::export::middleware))
        .wrap(metrics)
        .wrap(from_fn(http::request_id::middleware))
}
