//! Material requests (SUP-8): the inspected department must provide what is asked; a refusal
//! or an unanswered request past its deadline is recorded as such (later ACC-7(4)).

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::super::rules::{self, InspectionStatus, RequestOutcome, RequestStatus, SUP_8};
use super::super::store::{self, MaterialRequest, RequestFilter};
use super::state_conflict;
use crate::audit;
use crate::auth::rules::Visibility;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::AppState;

/// A request for materials and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub inspection_id: i64,
    pub department_id: i64,
    pub description: String,
    pub deadline: NaiveDate,
    pub status: RequestStatus,
    /// `overdue` when still open after the deadline.
    pub outcome: RequestOutcome,
    /// Answered after the deadline.
    pub late: bool,
    /// The answer, or the reason given for refusing.
    pub response: Option<String>,
    pub responded_by: Option<i64>,
    pub responded_on: Option<NaiveDate>,
    pub basis: Vec<String>,
}

fn view(r: MaterialRequest, today: NaiveDate) -> RequestView {
    RequestView {
        outcome: rules::request_outcome(r.status, r.deadline, today),
        late: r.responded_on.is_some_and(|d| d > r.deadline),
        basis: vec![SUP_8.to_string()],
        id: r.id,
        inspection_id: r.inspection_id,
        department_id: r.department_id,
        description: r.description,
        deadline: r.deadline,
        status: r.status,
        response: r.response,
        responded_by: r.responded_by,
        responded_on: r.responded_on,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"department_id": 2, "description": "提供2026年行政处罚案卷", "deadline": "2026-12-04"}))]
pub struct NewRequest {
    pub department_id: i64,
    pub description: String,
    /// Today or later.
    pub deadline: NaiveDate,
}

/// Ask a department for materials during an inspection (SUP-8).
#[utoipa::path(tag = "supervision", request_body = NewRequest,
    responses((status = 201, body = RequestView), (status = 409, description = "The inspection is concluded", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/requests")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<NewRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let today = crate::db::today();
    let mut check = Check::default();
    let description = check.text("description", &b.description, 5000);
    if b.deadline < today {
        check.fail("deadline", "must be today or later");
    }
    check.reportable_day("deadline", b.deadline);
    check.finish()?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let x = store::get(conn, id).map_err(missing("inspection"))?;
            if x.status == InspectionStatus::Concluded {
                return Err(state_conflict(x.status, "it requests nothing more"));
            }
            if crate::org::store::departments::get(conn, b.department_id, Visibility::All).is_err() {
                return Err(AppError::field("department_id", "no such department"));
            }
            if !super::department_in_scope(conn, x.id, b.department_id)? {
                return Err(AppError::field(
                    "department_id",
                    "the department is not inspected by this inspection (SUP-8 binds the department inspected)",
                ));
            }
            let rid = store::add_request(
                conn,
                id,
                b.department_id,
                &description,
                b.deadline,
                by,
                crate::db::now(),
            )?;
            let r = store::request(conn, rid, Visibility::All)?;
            audit::append(conn, &actor, "request.create", "material_request", rid, &r)?;
            Ok(view(r, today))
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    pub inspection_id: Option<i64>,
    pub department_id: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List material requests (staff: those addressed to their department).
#[utoipa::path(tag = "supervision", params(RequestQuery), responses((status = 200, body = Page<RequestView>)))]
#[get("")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<RequestQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = RequestFilter {
        inspection_id: q.inspection_id,
        department_id: q.department_id,
    };
    let (vis, today) = (caller.visibility(), crate::db::today());
    let rows = state
        .db
        .read(move |conn| store::requests(conn, vis, &filter, page))
        .await?;
    let views = rows.into_iter().map(|r| view(r, today)).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |r: &RequestView| r.id)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "已提供案卷12卷"}))]
pub struct Response {
    /// The answer, or the reason for refusing.
    pub text: String,
}

async fn respond(
    state: &AppState,
    caller: &Caller,
    id: i64,
    text: String,
    to: RequestStatus,
) -> Result<HttpResponse, AppError> {
    let mut check = Check::default();
    let text = check.text("text", &text, 5000);
    check.finish()?;
    let (actor, by, vis, today) = (caller.actor(), caller.user_id, caller.visibility(), crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let r = store::request(conn, id, vis).map_err(missing("material request"))?;
            if r.status != RequestStatus::Open {
                return Err(AppError::conflict(
                    "request_closed",
                    format!("the request was already {}", r.status),
                ));
            }
            store::respond(conn, id, to, &text, by, today)?;
            audit::append(
                conn,
                &actor,
                &format!("request.{to}"),
                "material_request",
                id,
                &serde_json::json!({"status": to, "text": text}),
            )?;
            Ok(view(store::request(conn, id, Visibility::All)?, today))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Answer a material request (the department asked).
#[utoipa::path(tag = "supervision", request_body = Response,
    responses((status = 200, body = RequestView), (status = 409, description = "Already answered or refused", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<Response>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    respond(&state, &caller, id, b.text, RequestStatus::Answered).await
}

/// Refuse a material request, with the reason; recorded for ACC-7(4).
#[utoipa::path(tag = "supervision", request_body = Response,
    responses((status = 200, body = RequestView), (status = 409, description = "Already answered or refused", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/refuse")]
pub async fn refuse(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<Response>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    respond(&state, &caller, id, b.text, RequestStatus::Refused).await
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list).service(answer).service(refuse);
}
