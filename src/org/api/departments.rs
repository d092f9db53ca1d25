//! `/departments`

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{created, guarded_update, missing, Audited};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::etag::{self, IfMatch};
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::store::departments::{self as store, Department};
use crate::AppState;

fn code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "综合处", "code": "ZHC"}))]
pub struct NewDepartment {
    /// 1 to 100 characters, unique.
    pub name: String,
    /// 1 to 32 letters, digits, `-` or `_`; unique.
    pub code: String,
    #[serde(default = "active_default")]
    pub active: bool,
}

fn active_default() -> bool {
    true
}

impl NewDepartment {
    fn parse(self) -> Result<store::NewDepartment, AppError> {
        let mut check = Check::default();
        let name = check.text("name", &self.name, 100);
        let code = check.token("code", &self.code, 32, code_char, "letters, digits, - or _");
        check.finish()?;
        Ok(store::NewDepartment {
            name,
            code,
            active: self.active,
        })
    }
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub code: Option<String>,
    pub active: Option<bool>,
}

impl DepartmentPatch {
    fn parse(self) -> Result<store::Changes, AppError> {
        let mut check = Check::default();
        let name = self.name.map(|v| check.text("name", &v, 100));
        let code = self
            .code
            .map(|v| check.token("code", &v, 32, code_char, "letters, digits, - or _"));
        check.finish()?;
        Ok(store::Changes {
            name,
            code,
            active: self.active,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    pub active: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List departments (staff: their own department only).
#[utoipa::path(tag = "organisation", params(DepartmentQuery),
    responses((status = 200, body = Page<Department>)))]
#[get("")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<DepartmentQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let vis = caller.visibility();
    let rows = state
        .db
        .read(move |conn| store::list(conn, vis, q.active, page))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, page, |d| d.id)))
}

/// One department, with its ETag.
#[utoipa::path(tag = "organisation", responses((status = 200, body = Department, headers(("ETag" = String)))))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let d = state
        .db
        .read(move |conn| store::get(conn, id, vis).map_err(missing("department")))
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &d))
}

/// Create a department.
#[utoipa::path(tag = "organisation", request_body = NewDepartment,
    responses(
        (status = 201, body = Department, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "Name or code already in use", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewDepartment>,
) -> Result<HttpResponse, AppError> {
    let new = body.get()?.into_inner().parse()?;
    let actor = caller.actor();
    let d = state
        .db
        .write(move |conn| {
            let d = store::create(conn, &new, crate::db::now())?;
            audit::append(conn, &actor, "department.create", "department", d.id, &d)?;
            Ok::<_, AppError>(d)
        })
        .await?;
    Ok(created(format!("/api/v1/departments/{}", d.id), &d))
}

/// Change a department (requires `If-Match`).
#[utoipa::path(tag = "organisation", request_body = DepartmentPatch,
    params(("If-Match" = String, Header, description = "The current ETag")),
    responses(
        (status = 200, body = Department, headers(("ETag" = String))),
        (status = 409, description = "Name or code already in use", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    if_match: IfMatch,
    body: Json<DepartmentPatch>,
) -> Result<HttpResponse, AppError> {
    let (id, changes) = (id.get()?.into_inner(), body.get()?.into_inner().parse()?);
    let audited = Audited {
        actor: caller.actor(),
        action: "department.update",
        entity: "department",
        id,
    };
    let d = state
        .db
        .write(move |conn| {
            guarded_update(
                conn,
                &if_match,
                audited,
                |conn| store::get(conn, id, Visibility::All),
                |conn, _| Ok(store::update(conn, id, &changes, crate::db::now())?),
            )
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &d))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list).service(get).service(create).service(update);
}
