//! `/people`

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{created, guarded_update, missing, Audited};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::db::DbConn;
use crate::http::checked::{Json, Path, Query};
use crate::http::etag::{self, IfMatch};
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::rules::Position;
use crate::org::store::departments;
use crate::org::store::people::{self as store, Person};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "王伟", "position": "officer", "department_id": 2}))]
pub struct NewPerson {
    pub name: String,
    pub position: Position,
    pub department_id: i64,
    #[serde(default = "active_default")]
    pub active: bool,
}

fn active_default() -> bool {
    true
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"position": "department_head"}))]
pub struct PersonPatch {
    pub name: Option<String>,
    pub position: Option<Position>,
    pub department_id: Option<i64>,
    pub active: Option<bool>,
}

/// 422 unless the department exists and is active (nobody joins a dissolved department).
fn require_department(conn: &mut DbConn, id: i64) -> Result<(), AppError> {
    match departments::get(conn, id, Visibility::All) {
        Ok(d) if d.active => Ok(()),
        Ok(_) => Err(AppError::field("department_id", "the department is inactive")),
        Err(crate::db::StoreError::NotFound) => Err(AppError::field("department_id", "no such department")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    pub department_id: Option<i64>,
    pub position: Option<Position>,
    pub active: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List people (staff: their own department only).
#[utoipa::path(tag = "organisation", params(PersonQuery),
    responses((status = 200, body = Page<Person>)))]
#[get("")]
pub async fn list(state: web::Data<AppState>, caller: Caller, q: Query<PersonQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = store::Filter {
        department_id: q.department_id,
        position: q.position,
        active: q.active,
    };
    let vis = caller.visibility();
    let rows = state.db.read(move |conn| store::list(conn, vis, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, page, |p| p.id)))
}

/// One person, with its ETag.
#[utoipa::path(tag = "organisation", responses((status = 200, body = Person, headers(("ETag" = String)))))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let p = state
        .db
        .read(move |conn| store::get_visible(conn, id, vis).map_err(missing("person")))
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &p))
}

/// Record a person.
#[utoipa::path(tag = "organisation", request_body = NewPerson,
    responses((status = 201, body = Person, headers(("ETag" = String), ("Location" = String)))))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewPerson>,
) -> Result<HttpResponse, AppError> {
    let body = body.get()?.into_inner();
    let mut check = Check::default();
    let name = check.text("name", &body.name, 100);
    check.finish()?;
    let new = store::NewPerson {
        name,
        position: body.position,
        department_id: body.department_id,
        active: body.active,
    };
    let actor = caller.actor();
    let p = state
        .db
        .write(move |conn| {
            require_department(conn, new.department_id)?;
            let p = store::create(conn, &new, crate::db::now())?;
            audit::append(conn, &actor, "person.create", "person", p.id, &p)?;
            Ok::<_, AppError>(p)
        })
        .await?;
    Ok(created(format!("/api/v1/people/{}", p.id), &p))
}

/// Change a person (requires `If-Match`).
#[utoipa::path(tag = "organisation", request_body = PersonPatch,
    params(("If-Match" = String, Header, description = "The current ETag")),
    responses((status = 200, body = Person, headers(("ETag" = String)))))]
#[patch("/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    if_match: IfMatch,
    body: Json<PersonPatch>,
) -> Result<HttpResponse, AppError> {
    let (id, body) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let name = body.name.map(|v| check.text("name", &v, 100));
    check.finish()?;
    let changes = store::Changes {
        name,
        position: body.position,
        department_id: body.department_id,
        active: body.active,
    };
    let audited = Audited {
        actor: caller.actor(),
        action: "person.update",
        entity: "person",
        id,
    };
    let p = state
        .db
        .write(move |conn| {
            guarded_update(
                conn,
                &if_match,
                audited,
                |conn| store::get(conn, id),
                |conn, _| {
                    if let Some(d) = changes.department_id {
                        require_department(conn, d)?;
                    }
                    Ok(store::update(conn, id, &changes, crate::db::now())?)
                },
            )
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &p))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list).service(get).service(create).service(update);
}
