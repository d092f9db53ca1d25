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

/// Every route, gathered with its OpenAPI description so the two cannot drift. The API is one
/// scope per first path segment: the router compares that static prefix first and runs the
/// patterns of the routes under it only, where it once ran the pattern of every route
/// registered before (a sixth of the CPU of a request to a late route). A segment's scope
/// takes every route under it, from whichever module: a request a scope claims never reaches
/// another.
fn routes<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(openapi::ApiDoc::openapi())
        .service(http::health::live)
        .service(http::health::ready)
        .service(
            scope("/api/v1")
                .service(
                    scope("/auth")
                        .configure(auth::api::routes)
                        .service(integration::api::token),
                )
                .service(scope("/me").service(auth::api::me))
                .service(scope("/departments").configure(org::api::departments::routes))
                .service(
                    scope("/people")
                        .configure(org::api::people::routes)
                        .service(training::api::person_record),
                )
                .service(scope("/users").configure(org::api::users::routes))
                .service(scope("/certificates").configure(org::api::certificates::routes))
                .service(
                    scope("/public")
                        .configure(publicity::api::public_routes)
                        .configure(petitions::api::public_routes)
                        .service(org::api::certificates::public_check)
                        .configure(evaluation::api::public_routes),
                )
                .service(scope("/audit").configure(audit::api::routes))
                .service(scope("/rules").configure(rules::api::routes))
                .service(scope("/calendar").configure(rules::api::calendar_routes))
                .service(scope("/acts").configure(acts::api::routes))
                .service(
                    scope("/publicity")
                        .service(acts::api::overdue)
                        .service(accountability::cases::refer_overdue),
                )
                .service(scope("/disclosures").configure(publicity::api::routes))
                .service(scope("/attachments").service(publicity::api::download))
                .service(scope("/inspections").configure(supervision::api::routes))
                .service(
                    scope("/findings")
                        .configure(supervision::api::finding_routes)
                        .service(accountability::cases::refer_finding),
                )
                .service(scope("/measures").configure(supervision::api::measure_routes))
                .service(scope("/material-requests").configure(supervision::api::cooperation::routes))
                .service(scope("/supervision").configure(supervision::api::supervision_routes))
                .service(scope("/supervision-documents").configure(supervision::api::documents::routes))
                .service(scope("/training").configure(training::api::routes))
                .service(scope("/accountability").configure(accountability::api::routes))
                .service(scope("/petitions").configure(petitions::api::routes))
                .service(scope("/evaluation").configure(evaluation::api::routes))
                .service(scope("/service-accounts").configure(integration::api::routes))
                .service(scope("/events").configure(events::api::routes))
                .service(scope("/webhooks").configure(webhooks::api::routes)),
        )
}

/// The OpenAPI document, as served at `/openapi.json` and committed in `openapi/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = routes(App::new().into_utoipa_app()).split_for_parts();
    openapi::CommonResponses.modify(&mut api);
    api
}

async fn no_route(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    let methods = http::access::methods_at(req.path());
    if methods.is_empty() {
        return Err(AppError::NotFound("no such route".into()));
    }
    Err(AppError::MethodNotAllowed(methods))
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
