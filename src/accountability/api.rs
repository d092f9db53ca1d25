//! `/accountability/allocation` and `/accountability/sanctions`: the ACC calculators. (Cases
//! and their workflow come next.)

use std::collections::HashMap;

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::{self, Allocation, DepartmentSanction, HowMade, Sanction, Severity};
use crate::db::{DbConn, StoreError};
use crate::http::checked::Json;
use crate::http::{AppError, Caller, FieldError};
use crate::rules::{ArticleRef, Basis, Regime};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"how": {"mode": "collective", "principal": 1, "participants": [2, 4, 7], "dissenters": [4]}}))]
pub struct AllocationRequest {
    pub how: HowMade,
}

/// Each person's share, with the item of ACC-5 that gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationResult {
    pub allocations: Vec<Allocation>,
    pub basis: Vec<String>,
}

fn people_of(how: &HowMade) -> Vec<i64> {
    match how {
        HowMade::Direct { staff } => staff.clone(),
        HowMade::Approved { staff, approvers } | HowMade::ApprovedOnFalseFacts { staff, approvers } => {
            staff.iter().chain(approvers).copied().collect()
        }
        HowMade::Instructed { staff, instructors } => staff.iter().chain(instructors).copied().collect(),
        HowMade::Collective {
            principal,
            participants,
            ..
        } => participants.iter().chain([principal]).copied().collect(),
    }
}

fn refused(e: rules::AllocationError) -> AppError {
    AppError::rule("allocation_invalid", e.to_string(), Basis::of(&[e.basis()]))
}

/// ACC-5's allocation among people of the register, each in a position their part allows.
pub(super) fn allocate_among(conn: &mut DbConn, how: &HowMade) -> Result<Vec<Allocation>, AppError> {
    let allocations = rules::allocate(how).map_err(refused)?;
    let mut positions = HashMap::new();
    let mut unknown = Vec::new();
    for p in people_of(how) {
        match crate::org::store::people::get(conn, p) {
            Ok(person) => drop(positions.insert(p, person.position)),
            Err(StoreError::NotFound) => unknown.push(FieldError::new("how", format!("no person {p}"))),
            Err(e) => return Err(e.into()),
        }
    }
    if !unknown.is_empty() {
        return Err(AppError::invalid(unknown));
    }
    rules::check_positions(how, |p| positions[&p]).map_err(refused)?;
    Ok(allocations)
}

/// Allocate responsibility for a fault from how the act was made (ACC-5).
#[utoipa::path(tag = "accountability", request_body = AllocationRequest, responses((status = 200, body = AllocationResult)))]
#[post("/allocation")]
pub async fn allocation(
    state: web::Data<AppState>,
    _c: Caller,
    body: Json<AllocationRequest>,
) -> Result<HttpResponse, AppError> {
    let how = body.get()?.into_inner().how;
    let allocations = state.db.read(move |conn| allocate_among(conn, &how)).await?;
    let mut basis: Vec<String> = allocations.iter().map(|a| a.basis.clone()).collect();
    basis.dedup();
    Ok(HttpResponse::Ok().json(AllocationResult { allocations, basis }))
}

/// The sanctions one severity allows.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeveritySanctions {
    pub severity: Severity,
    /// Everything a decision of this severity may impose on a person.
    pub sanctions: Vec<Sanction>,
    /// The 处分 of which a decision chooses at least one for each person held responsible.
    pub penalties: Vec<Sanction>,
    /// What the severity imposes besides, added to every decision of it.
    pub imposed: Vec<Sanction>,
    #[schema(value_type = String, example = "ACC-6(1)")]
    pub basis: String,
}

/// The sanction matrix of ACC-6.
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionMatrix {
    pub persons: Vec<SeveritySanctions>,
    /// Sanctions on a department at fault (ACC-6, first sentence): all three, always.
    pub departments: Vec<DepartmentSanction>,
    pub basis: Vec<String>,
}

/// Which sanctions each severity allows (ACC-6).
#[utoipa::path(tag = "accountability", responses((status = 200, body = SanctionMatrix)))]
#[get("/sanctions")]
pub async fn sanctions(_c: Caller) -> Result<HttpResponse, AppError> {
    let persons = Severity::ALL
        .iter()
        .map(|s| SeveritySanctions {
            severity: *s,
            sanctions: rules::allowed(*s).to_vec(),
            penalties: rules::penalties(*s).to_vec(),
            imposed: rules::imposed(*s).to_vec(),
            basis: rules::severity_basis(*s).to_string(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(SanctionMatrix {
        persons,
        departments: rules::DEPARTMENT_SANCTIONS.to_vec(),
        basis: vec![ArticleRef::article(Regime::Acc, 6).to_string()],
    }))
}

/// Who may not be commended this year: everyone sanctioned under ACC-6 by a decision that
/// stands (EVAL-7, ACC-6 (1)(2): 取消当年评比先进的资格).
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardIneligibility {
    pub year: i32,
    pub persons: Vec<IneligibleBy>,
    pub departments: Vec<IneligibleBy>,
    pub basis: Vec<String>,
}

/// One person or department and the cases that took their eligibility.
#[derive(Debug, Serialize, ToSchema)]
pub struct IneligibleBy {
    pub id: i64,
    pub cases: Vec<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: i32,
}

/// Persons and departments that lost this year's award eligibility through accountability.
#[utoipa::path(tag = "accountability", params(YearQuery), responses((status = 200, body = AwardIneligibility)))]
#[get("/award-ineligibility")]
pub async fn award_ineligibility(
    state: web::Data<AppState>,
    _c: Caller,
    q: crate::http::checked::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(q.get()?.into_inner().year)?;
    let s = state
        .db
        .read(move |conn| super::store::sanctioned_in(conn, year))
        .await?;
    let list = |m: std::collections::BTreeMap<i64, Vec<i64>>| {
        m.into_iter().map(|(id, cases)| IneligibleBy { id, cases }).collect()
    };
    Ok(HttpResponse::Ok().json(AwardIneligibility {
        year,
        persons: list(s.persons),
        departments: list(s.departments),
        basis: vec![
            ArticleRef::article(Regime::Acc, 6).to_string(),
            ArticleRef::article(Regime::Eval, 7).to_string(),
        ],
    }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(allocation)
        .service(sanctions)
        .service(award_ineligibility)
        .configure(super::cases::routes);
}
