//! `/certificates` and the public certificate check.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, missing};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::db::{DbConn, StoreError};
use crate::http::checked::{Json, Path, Query};
use crate::http::error::{FieldError, Problem};
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::rules::{self, CauseKind, CauseRecord, CertificateStatus, EffectiveStatus};
use crate::org::store::certificates::{self as store, Certificate, StatusChange};
use crate::org::store::people;
use crate::rules::{ArticleRef, Basis, Regime};
use crate::training::rules::ConsequenceKind;
use crate::AppState;

/// A certificate as of today.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "number": "LN-GX-2024-0007", "holder_id": 3, "holder_name": "王伟", "department_id": 2,
    "issued_on": "2024-03-01", "expires_on": "2027-02-28", "status": "valid", "recorded_status": "valid",
    "created_at": "2026-11-27T08:00:00.000000Z", "updated_at": "2026-11-27T08:00:00.000000Z"}))]
pub struct CertificateView {
    pub id: i64,
    pub number: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub department_id: i64,
    pub issued_on: NaiveDate,
    /// The last day the certificate is valid.
    pub expires_on: NaiveDate,
    /// The status today: `expired` (after `expires_on`) and `not_yet_valid` (before `issued_on`)
    /// follow from the dates and are never stored.
    pub status: EffectiveStatus,
    /// The last recorded status.
    pub recorded_status: CertificateStatus,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl CertificateView {
    fn new(c: Certificate, today: NaiveDate) -> Self {
        Self {
            status: rules::effective_status(c.status, c.issued_on..=c.expires_on, today),
            id: c.id,
            number: c.number,
            holder_id: c.holder_id,
            holder_name: c.holder_name,
            department_id: c.department_id,
            issued_on: c.issued_on,
            expires_on: c.expires_on,
            recorded_status: c.status,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// What caused a status change: a kind and, except for `manual`, the id of the record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StatusCause)]
pub struct Cause {
    pub kind: CauseKind,
    /// The finding, training recommendation, accountability case or appeal that caused it.
    pub id: Option<i64>,
}

/// One entry of a certificate's status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeView {
    pub id: i64,
    /// Absent on the issue entry.
    pub from_status: Option<CertificateStatus>,
    pub to_status: CertificateStatus,
    pub reason: String,
    pub cause: Cause,
    /// The account that recorded it.
    pub changed_by: Option<i64>,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: NaiveDateTime,
}

impl From<StatusChange> for StatusChangeView {
    fn from(h: StatusChange) -> Self {
        Self {
            id: h.id,
            from_status: h.from_status,
            to_status: h.to_status,
            reason: h.reason,
            cause: Cause {
                kind: h.cause_kind,
                id: h.cause_ref,
            },
            changed_by: h.changed_by,
            changed_at: h.changed_at,
        }
    }
}

/// A certificate with its full status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateDetail {
    #[serde(flatten)]
    pub certificate: CertificateView,
    pub history: Vec<StatusChangeView>,
}

fn detail(conn: &mut DbConn, id: i64, vis: Visibility, today: NaiveDate) -> Result<CertificateDetail, AppError> {
    let c = store::get_visible(conn, id, vis).map_err(missing("certificate"))?;
    let history = store::history(conn, id)?.into_iter().map(Into::into).collect();
    Ok(CertificateDetail {
        certificate: CertificateView::new(c, today),
        history,
    })
}

/// What the register of a cause holds about the record `id`, `None` when there is none. Each
/// register is read through its own regime's store.
fn cause_record(conn: &mut DbConn, kind: CauseKind, id: i64) -> Result<Option<CauseRecord>, StoreError> {
    let found = match kind {
        CauseKind::Manual => return Ok(None),
        CauseKind::InspectionFinding => {
            crate::supervision::store::finding(conn, id, Visibility::All).map(|f| CauseRecord {
                fitting: true,
                persons: f.officer_id.into_iter().collect(),
            })
        }
        CauseKind::Training => crate::training::store::consequence(conn, id).map(|c| CauseRecord {
            fitting: c.kind == ConsequenceKind::CertificateWithdrawalRecommendation,
            persons: vec![c.person_id],
        }),
        CauseKind::AccountabilityDecision | CauseKind::Appeal => case_record(conn, kind, id),
    };
    match found {
        Ok(record) => Ok(Some(record)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An accountability case as a cause: a sanction needs its decision, a return through an
/// appeal needs the appeal decided; either concerns the case's person respondents.
fn case_record(conn: &mut DbConn, kind: CauseKind, id: i64) -> Result<CauseRecord, StoreError> {
    use crate::accountability::{rules::RespondentKind, store as cases};
    let case = cases::get(conn, id, cases::CaseVisibility::All)?;
    let persons = cases::respondents(conn, id)?
        .into_iter()
        .filter(|(k, _, _)| *k == RespondentKind::Person)
        .map(|(_, person, _)| person)
        .collect();
    let fitting = match kind {
        CauseKind::Appeal => case.appeal_outcome.is_some(),
        _ => case.decision.is_some(),
    };
    Ok(CauseRecord { fitting, persons })
}

/// Refuses a cause whose record is missing, of another kind, or about someone other than the
/// certificate's holder.
fn check_cause(conn: &mut DbConn, cause: &Cause, holder: i64) -> Result<(), AppError> {
    let (kind, Some(id)) = (cause.kind, cause.id) else {
        return Ok(());
    };
    let record = cause_record(conn, kind, id)?;
    rules::cause_fits(kind, id, record.as_ref(), holder).map_err(|e| AppError::Unprocessable {
        code: "certificate_cause_invalid",
        detail: e.to_string(),
        basis: kind.basis(),
        errors: vec![FieldError::new("cause", e.to_string())],
    })
}

/// A revocation citing an accountability decision needs a decision that confiscated the
/// holder's card: only ACC-6(2) takes the qualification, and a revoked card keeps its holder
/// from a new one. (A suspension may cite any decision on the holder: ACC-6(1) 可以暂扣.)
fn revocation_rests_on_confiscation(conn: &mut DbConn, b: &StatusRequest, holder: i64) -> Result<(), AppError> {
    let (CauseKind::AccountabilityDecision, Some(case), CertificateStatus::Revoked) =
        (b.cause.kind, b.cause.id, b.status)
    else {
        return Ok(());
    };
    let decision = crate::accountability::store::get(conn, case, crate::accountability::store::CaseVisibility::All)?
        .decision
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_default();
    if crate::accountability::rules::certificate_withdrawal(holder, &decision) == Some(CertificateStatus::Revoked) {
        return Ok(());
    }
    let what = format!("case {case}'s decision does not confiscate the holder's certificate (ACC-6(2))");
    Err(AppError::Unprocessable {
        code: "certificate_cause_invalid",
        detail: what.clone(),
        basis: Basis::of(&[ArticleRef::item(Regime::Acc, 6, 2)]),
        errors: vec![FieldError::new("cause", what)],
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": "LN-GX-2026-0101", "holder_id": 3, "issued_on": "2026-01-05", "expires_on": "2029-01-04"}))]
pub struct NewCertificate {
    /// 1 to 64 letters, digits or `-`; unique.
    pub number: String,
    pub holder_id: i64,
    pub issued_on: NaiveDate,
    /// The last valid day; not before `issued_on`.
    pub expires_on: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "suspended", "reason": "certificate used by a non-enforcement person", "cause": {"kind": "manual"}}))]
pub struct StatusRequest {
    pub status: CertificateStatus,
    pub reason: String,
    pub cause: Cause,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CertificateQuery {
    pub holder_id: Option<i64>,
    pub department_id: Option<i64>,
    /// The status today (`expired` included).
    pub status: Option<EffectiveStatus>,
    /// Valid or suspended certificates whose last valid day is within this many days (0 to 3650).
    pub expiring_within_days: Option<i64>,
    /// `true`: those nearing expiry by the rule set in force (`certificate_expiry_warning_days`,
    /// 30 by default), the list the office works through ahead of time. Not with
    /// `expiring_within_days`.
    pub expiring: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List certificates (staff: their own department's).
#[utoipa::path(tag = "certificates", params(CertificateQuery),
    responses((status = 200, body = Page<CertificateView>)))]
#[get("")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<CertificateQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    if q.expiring_within_days.is_some_and(|d| !(0..=3650).contains(&d)) {
        return Err(AppError::BadRequest(
            "expiring_within_days must be from 0 to 3650".into(),
        ));
    }
    if q.expiring.is_some() && q.expiring_within_days.is_some() {
        return Err(AppError::BadRequest(
            "give either expiring or expiring_within_days, not both".into(),
        ));
    }
    let mut filter = store::Filter {
        holder_id: q.holder_id,
        department_id: q.department_id,
        status: q.status,
        expiring_within_days: q.expiring_within_days,
    };
    let (vis, today, by_rule) = (caller.visibility(), crate::db::today(), q.expiring == Some(true));
    let rows = state
        .db
        .read(move |conn| {
            if by_rule {
                let rule = crate::rules::store::in_force(conn, today)?.rule;
                filter.expiring_within_days = Some(i64::from(rule.values.certificate_expiry_warning_days));
            }
            store::list(conn, vis, &filter, today, page)
        })
        .await?;
    let rows = rows.into_iter().map(|c| CertificateView::new(c, today)).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, page, |c: &CertificateView| c.id)))
}

/// One certificate with its full status history.
#[utoipa::path(tag = "certificates", responses((status = 200, body = CertificateDetail, headers(("ETag" = String)))))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis, today) = (id.get()?.into_inner(), caller.visibility(), crate::db::today());
    let d = state.db.read(move |conn| detail(conn, id, vis, today)).await?;
    Ok(etag::json_with_etag(StatusCode::OK, &d))
}

/// Issue a certificate to a person (status `valid`).
#[utoipa::path(tag = "certificates", request_body = NewCertificate,
    responses(
        (status = 201, body = CertificateDetail, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The number is already in use (`certificate_number_taken`), or a certificate of the holder's is suspended (SUP-7(2), ACC-6) or was revoked by an accountability decision or by hand (`holder_certificate_withdrawn`, ACC-6(2): the qualification is lost; a card withdrawn on a TRN-7 recommendation or confiscated as invalid under SUP-7(2) does not bar a new one)", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewCertificate>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let number = check.token(
        "number",
        b.number.trim(),
        64,
        |c| c.is_ascii_alphanumeric() || c == '-',
        "letters, digits or -",
    );
    if b.expires_on < b.issued_on {
        check.fail("expires_on", "must not be before issued_on");
    }
    check.finish()?;
    let new = store::NewCertificate {
        number,
        holder_id: b.holder_id,
        issued_on: b.issued_on,
        expires_on: b.expires_on,
    };
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let d = state
        .db
        .write(move |conn| {
            match people::get(conn, new.holder_id) {
                Ok(p) if p.active => {}
                Ok(_) => return Err(AppError::field("holder_id", "the person is not active")),
                Err(StoreError::NotFound) => return Err(AppError::field("holder_id", "no such person")),
                Err(e) => return Err(e.into()),
            }
            rules::may_issue(&store::held_by(conn, new.holder_id)?).map_err(|e| AppError::Conflict {
                code: "holder_certificate_withdrawn",
                basis: e.basis(),
                detail: e.to_string(),
            })?;
            let taken = |number: &str| {
                AppError::conflict(
                    "certificate_number_taken",
                    format!("certificate {number} has this number, letter case aside"),
                )
            };
            if let Some(other) = store::number_like(conn, &new.number)? {
                return Err(taken(&other));
            }
            let id = store::create(conn, &new, Some(by), crate::db::now()).map_err(|e| match e {
                StoreError::Unique(_) => taken(&new.number),
                other => other.into(),
            })?;
            let d = detail(conn, id, Visibility::All, today)?;
            audit::append(conn, &actor, "certificate.create", "certificate", id, &d)?;
            Ok(d)
        })
        .await?;
    Ok(created(format!("/api/v1/certificates/{}", d.certificate.id), &d))
}

/// Record a status change with its reason and cause.
///
/// A revoked certificate becomes valid again only through an appeal outcome (cause `appeal`,
/// ACC-13); setting the status it already has is a 409. The cause's record must exist, be of
/// its kind and concern the holder: an `inspection_finding` naming the holder as officer
/// (SUP-7(2)), a `training` recommendation to withdraw the holder's certificate (TRN-7), an
/// `accountability_decision` case decided with the holder as respondent (for a revocation, one
/// whose decision confiscated the card, ACC-6(2)), an `appeal`:
/// such a case whose appeal is decided (ACC-13); otherwise a 422 naming `cause`.
#[utoipa::path(tag = "certificates", request_body = StatusRequest,
    responses(
        (status = 200, body = CertificateDetail, headers(("ETag" = String))),
        (status = 422, description = "Validation failed, or the cause's record is missing, of another kind or about another person (`certificate_cause_invalid`, basis names the article)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status (basis names the article)", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/status")]
pub async fn change_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<StatusRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let reason = check.text("reason", &b.reason, 1000);
    match (b.cause.kind.needs_reference(), b.cause.id) {
        (true, None) => check.fail("cause.id", format!("a `{}` cause must name its record", b.cause.kind)),
        (false, Some(_)) => check.fail("cause.id", "a manual cause names no record"),
        _ => {}
    }
    check.finish()?;
    let (actor, by, today, me) = (caller.actor(), caller.user_id, crate::db::today(), caller.clone());
    let d = state
        .db
        .write(move |conn| {
            let current = store::get_visible(conn, id, Visibility::All).map_err(missing("certificate"))?;
            me.not_on_own_record(current.holder_id, "change a certificate's status")?;
            check_cause(conn, &b.cause, current.holder_id)?;
            revocation_rests_on_confiscation(conn, &b, current.holder_id)?;
            let to = rules::transition(current.status, b.status, b.cause.kind).map_err(|e| AppError::Conflict {
                code: "certificate_transition",
                detail: e.to_string(),
                basis: e.basis(),
            })?;
            let change = store::Change {
                to,
                reason: &reason,
                cause_kind: b.cause.kind,
                cause_ref: b.cause.id,
                by: Some(by),
            };
            store::change_status(conn, id, current.status, &change, crate::db::now())?;
            if let (CauseKind::Training, Some(recommendation), CertificateStatus::Revoked) =
                (b.cause.kind, b.cause.id, to)
            {
                let by = crate::training::rules::Cause::Certificate;
                crate::training::store::fulfil(conn, recommendation, by, id, today)?;
            }
            let audit_change =
                serde_json::json!({"from": current.status, "to": to, "reason": &reason, "cause": &b.cause});
            audit::append(conn, &actor, "certificate.status", "certificate", id, &audit_change)?;
            detail(conn, id, Visibility::All, today)
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &d))
}

/// The public certificate check (the QR-code check): holder, department, status, valid until.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"number": "LN-GX-2024-0007", "holder_name": "王伟", "department_name": "监管处", "status": "valid", "valid_until": "2027-02-28"}))]
pub struct PublicCertificate {
    pub number: String,
    pub holder_name: String,
    pub department_name: String,
    pub status: EffectiveStatus,
    pub valid_until: NaiveDate,
}

/// Check a certificate by its number — public, no token.
#[utoipa::path(tag = "public", responses((status = 200, body = PublicCertificate)))]
#[get("/certificates/{number}")]
pub async fn public_check(state: web::Data<AppState>, number: Path<String>) -> Result<HttpResponse, AppError> {
    let number = number.get()?.into_inner();
    let today = crate::db::today();
    let v = state
        .db
        .read(move |conn| store::by_number(conn, &number).map_err(missing("certificate")))
        .await?;
    Ok(HttpResponse::Ok().json(PublicCertificate {
        valid_until: *v.valid.end(),
        status: rules::effective_status(v.status, v.valid, today),
        number: v.number,
        holder_name: v.holder_name,
        department_name: v.department_name,
    }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list).service(get).service(create).service(change_status);
}
