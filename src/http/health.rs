//! Liveness and readiness.

use actix_web::{get, web, HttpResponse};
use diesel::{ExpressionMethods, RunQueryDsl};
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

/// `POST /bench/insert`, only when served with `--bench-baseline` (404 otherwise, and never in
/// the OpenAPI document): one single-row INSERT through the same pool and write path as every
/// write, without an audit entry — the baseline `bench/load.sh` measures writes against.
pub async fn baseline_insert(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if !state.bench_baseline {
        return Err(AppError::NotFound("no route matches this path".into()));
    }
    use crate::db::schema::baseline_writes::dsl as b;
    let now = crate::db::now();
    state
        .db
        .write(move |conn| {
            Ok::<_, AppError>(
                diesel::insert_into(b::baseline_writes)
                    .values(b::at.eq(now))
                    .execute(conn)?,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(Health { status: "ok" }))
}
