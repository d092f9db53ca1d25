//! Liveness and readiness.

use actix_web::{get, web, HttpResponse};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppError;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers. 503 while it does not; recovers by itself once it does.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database is unreachable", body = super::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .read(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|e| AppError::Unavailable(e.to_string()))
        })
        .await
        .map_err(|e| match e {
            AppError::Unavailable(m) | AppError::Internal(m) => AppError::Unavailable(m),
            other => other,
        })?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
