//! `/disclosures`, `/attachments` and the public reading room.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::files;
use super::rules::{
    self, AttachmentPurpose, ContentType, Edit, LicensingDetails, Step, TakeDownReason, VersionStatus, PUB_4, PUB_5,
};
use super::store::{self, AttachmentMeta, Content, Item, Version};
use crate::acts::rules::{ActKind, ActStatus};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::db::{DbConn, StoreError};
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::etag::{self, IfMatch};
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller, FieldError};
use crate::org::api::missing;
use crate::rules::Basis;
use crate::AppState;

/// An attachment of a version.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub purpose: AttachmentPurpose,
}

impl AttachmentView {
    fn new(m: AttachmentMeta, purpose: AttachmentPurpose) -> Self {
        Self {
            id: m.id,
            filename: m.filename,
            content_type: m.content_type,
            size: m.size,
            sha256: m.sha256,
            purpose,
        }
    }
}

/// One version of a disclosure item.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub id: i64,
    pub number: i64,
    pub status: VersionStatus,
    pub title: String,
    pub body: String,
    pub licensing: Option<LicensingDetails>,
    pub attachments: Vec<AttachmentView>,
    /// The office's comment when it returned the version to draft.
    pub return_comment: Option<String>,
    pub withdraw_reason: Option<String>,
    pub created_by: Option<i64>,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub published_by: Option<i64>,
}

fn version_view(conn: &mut DbConn, v: Version) -> Result<VersionView, StoreError> {
    let attachments = store::attachments_of(conn, v.id)?
        .into_iter()
        .map(|(m, p)| AttachmentView::new(m, p))
        .collect();
    Ok(VersionView {
        licensing: v.licensing(),
        attachments,
        id: v.id,
        number: v.number,
        status: v.status,
        title: v.title,
        body: v.body,
        return_comment: v.return_comment,
        withdraw_reason: v.withdraw_reason,
        created_by: v.created_by,
        created_at: v.created_at,
        published_at: v.published_at.map(|t| t.and_utc()),
        published_by: v.published_by,
    })
}

/// A recorded take-down (retention ended, or the act was revoked).
#[derive(Debug, Serialize, ToSchema)]
pub struct TakeDownView {
    pub version_id: i64,
    pub reason_kind: TakeDownReason,
    pub reason: String,
    #[schema(value_type = String, format = DateTime)]
    pub taken_down_at: chrono::DateTime<chrono::Utc>,
}

/// What the public sees of the item now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicState {
    /// Whether the item is in the public reading room today.
    pub visible: bool,
    /// The version number the public sees.
    pub version: Option<i64>,
    pub published_on: Option<NaiveDate>,
    /// The last public day of a decision (retention, PUB-6).
    pub public_until: Option<NaiveDate>,
}

/// A disclosure item with its latest version, as the bureau sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureView {
    pub id: i64,
    pub department_id: i64,
    /// One of the seven act kinds of PUB-4.
    pub category: ActKind,
    pub content_type: ContentType,
    /// The act a decision disclosure publishes.
    pub act_id: Option<i64>,
    /// The status of the latest version.
    pub status: VersionStatus,
    pub latest: VersionView,
    pub public: PublicState,
    pub takedowns: Vec<TakeDownView>,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

fn is_public(item: &Item, today: NaiveDate) -> bool {
    item.public_version_id.is_some() && item.taken_down_at.is_none() && item.public_until.is_none_or(|u| u >= today)
}

fn view(conn: &mut DbConn, item: Item, today: NaiveDate) -> Result<DisclosureView, AppError> {
    let latest = store::latest(conn, item.id)?;
    let public_number = match item.public_version_id {
        Some(id) => Some(store::version(conn, id)?.number),
        None => None,
    };
    let takedowns = store::takedowns(conn, item.id)?
        .into_iter()
        .map(|t| TakeDownView {
            version_id: t.version_id,
            reason_kind: t.reason_kind,
            reason: t.reason,
            taken_down_at: t.taken_down_at.and_utc(),
        })
        .collect();
    Ok(DisclosureView {
        public: PublicState {
            visible: is_public(&item, today),
            version: public_number,
            published_on: item.published_on,
            public_until: item.public_until,
        },
        status: latest.status,
        latest: version_view(conn, latest)?,
        takedowns,
        id: item.id,
        department_id: item.department_id,
        category: item.category,
        content_type: item.content_type,
        act_id: item.act_id,
        created_at: item.created_at,
        updated_at: item.updated_at,
    })
}

fn detail(conn: &mut DbConn, id: i64, vis: Visibility, today: NaiveDate) -> Result<DisclosureView, AppError> {
    let item = store::item(conn, id, vis).map_err(missing("disclosure"))?;
    view(conn, item, today)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"department_id": 2, "category": "licensing", "content_type": "procedure",
    "title": "危险化学品经营许可办事指南", "body": "…",
    "licensing": {"matter": "危险化学品经营许可", "basis": "《危险化学品安全管理条例》第三十三条", "conditions": "…",
        "quantity": "不限", "procedure": "申请—受理—审查—决定", "time_limit": "20个工作日", "required_materials": ["申请书", "营业执照"]}}))]
pub struct NewDisclosure {
    pub department_id: i64,
    pub category: ActKind,
    pub content_type: ContentType,
    /// Required for a decision (and only then): the act it publishes, of the same kind and department.
    pub act_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// The PUB-4 fields of a licensing item.
    pub licensing: Option<LicensingDetails>,
}

/// New content; absent fields keep the latest version's, the licensing fields one by one. A
/// published version is never
/// changed: the edit becomes a new draft version that supersedes it once published (PUB-5).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "更新后的办事流程…"}))]
pub struct DisclosurePatch {
    pub title: Option<String>,
    pub body: Option<String>,
    pub licensing: Option<LicensingDetails>,
}

/// Title and body are bounded text; PUB-4's licensing fields belong to a licensing item only.
fn check_content(
    title: &str,
    body: &str,
    licensing: Option<LicensingDetails>,
    licensing_item: bool,
) -> Result<Content, AppError> {
    let mut check = Check::default();
    let title = check.text("title", title, 300);
    let body = check.optional_text("body", body, 100_000);
    if licensing.is_some() && !licensing_item {
        check.fail(
            "licensing",
            "only a licensing item (category licensing, not a decision) carries PUB-4's licensing fields",
        );
    }
    check.finish()?;
    Ok(Content { title, body, licensing })
}

/// A decision disclosure names an active act of its kind and department; nothing else names one.
fn check_act(conn: &mut DbConn, b: &NewDisclosure) -> Result<(), AppError> {
    let field = |m: &str| AppError::field("act_id", m);
    match (b.content_type, b.act_id) {
        (ContentType::Decision, None) => Err(field("a decision disclosure must name the act it publishes")),
        (ContentType::Decision, Some(id)) => {
            let act = crate::acts::store::get(conn, id, Visibility::All).map_err(|e| match e {
                StoreError::NotFound => field("no such act"),
                other => other.into(),
            })?;
            if act.kind != b.category || act.department_id != b.department_id {
                return Err(field("the act must be of the disclosure's category and department"));
            }
            if act.status == ActStatus::Revoked {
                return Err(field("the act is revoked"));
            }
            if store::item_of_act(conn, id)?.is_some() {
                return Err(AppError::conflict(
                    "act_already_disclosed",
                    "the act already has a decision disclosure",
                ));
            }
            Ok(())
        }
        (_, Some(_)) => Err(field("only a decision disclosure names an act")),
        (_, None) => Ok(()),
    }
}

/// Draft a disclosure item (staff: for their own department).
#[utoipa::path(tag = "publicity", request_body = NewDisclosure,
    responses(
        (status = 201, body = DisclosureView, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The act already has a decision disclosure", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewDisclosure>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let licensing_item = rules::is_licensing_item(b.category, b.content_type);
    let content = check_content(&b.title, &b.body, b.licensing.clone(), licensing_item)?;
    caller.staff_own_department(b.department_id, "draft disclosures")?;
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let view = state
        .db
        .write(move |conn| {
            if let Err(StoreError::NotFound) =
                crate::org::store::departments::get(conn, b.department_id, Visibility::All)
            {
                return Err(AppError::field("department_id", "no such department"));
            }
            check_act(conn, &b)?;
            let new = store::NewItem {
                department_id: b.department_id,
                category: b.category,
                content_type: b.content_type,
                act_id: b.act_id,
            };
            let id = store::create(conn, &new, &content, by, crate::db::now())?;
            audit::append(conn, &actor, "disclosure.create", "disclosure", id, &content)?;
            detail(conn, id, Visibility::All, today)
        })
        .await?;
    Ok(crate::org::api::created(
        format!("/api/v1/disclosures/{}", view.id),
        &view,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DisclosureQuery {
    pub category: Option<ActKind>,
    pub content_type: Option<ContentType>,
    pub department_id: Option<i64>,
    pub act_id: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List disclosure items, newest first (staff: their own department's).
#[utoipa::path(tag = "publicity", params(DisclosureQuery), responses((status = 200, body = Page<DisclosureView>)))]
#[get("")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<DisclosureQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let filter = store::Filter {
        category: q.category,
        content_type: q.content_type,
        department_id: q.department_id,
        act_id: q.act_id,
    };
    let (vis, today) = (caller.visibility(), crate::db::today());
    let views = state
        .db
        .read(move |conn| {
            let items = store::list(conn, vis, &filter, page)?;
            items
                .into_iter()
                .map(|i| view(conn, i, today))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |v| v.id)))
}

/// One disclosure item: its latest version, what the public sees, and its take-downs.
#[utoipa::path(tag = "publicity", responses((status = 200, body = DisclosureView, headers(("ETag" = String)))))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis, today) = (id.get()?.into_inner(), caller.visibility(), crate::db::today());
    let v = state.db.read(move |conn| detail(conn, id, vis, today)).await?;
    Ok(etag::json_with_etag(StatusCode::OK, &v))
}

/// Every version of an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct Versions {
    pub items: Vec<VersionView>,
}

/// Every version of a disclosure item, oldest first.
#[utoipa::path(tag = "publicity", responses((status = 200, body = Versions)))]
#[get("/{id}/versions")]
pub async fn versions(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let items = state
        .db
        .read(move |conn| {
            store::item(conn, id, vis).map_err(missing("disclosure"))?;
            let all = store::versions(conn, id)?;
            all.into_iter()
                .map(|v| version_view(conn, v).map_err(AppError::from))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Versions { items }))
}

fn refused(e: rules::StepRefused) -> AppError {
    AppError::Conflict {
        code: "disclosure_state",
        detail: e.to_string(),
        basis: Basis::of(&[PUB_5]),
    }
}

/// Edit the latest version (requires `If-Match`). A draft changes in place; a published or
/// withdrawn version stays as it was and the edit becomes a new draft version (PUB-5).
#[utoipa::path(tag = "publicity", request_body = DisclosurePatch,
    params(("If-Match" = String, Header, description = "The current ETag")),
    responses(
        (status = 200, body = DisclosureView, headers(("ETag" = String))),
        (status = 409, description = "The latest version is awaiting review", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    if_match: IfMatch,
    body: Json<DisclosurePatch>,
) -> Result<HttpResponse, AppError> {
    let (id, p) = (id.get()?.into_inner(), body.get()?.into_inner());
    let (actor, by, vis, today) = (caller.actor(), caller.user_id, caller.visibility(), crate::db::today());
    let view = state
        .db
        .write(move |conn| {
            let before = detail(conn, id, vis, today)?;
            if_match.check(&etag::of(&before))?;
            let latest = store::latest(conn, id)?;
            let content = check_content(
                p.title.as_deref().unwrap_or(&latest.title),
                p.body.as_deref().unwrap_or(&latest.body),
                match p.licensing {
                    Some(l) => Some(l.over(latest.licensing())),
                    None => latest.licensing(),
                },
                rules::is_licensing_item(before.category, before.content_type),
            )?;
            let now = crate::db::now();
            match rules::edit(latest.status) {
                Ok(Edit::InPlace) => store::rewrite(conn, latest.id, &content, now)?,
                Ok(Edit::NewVersion) => {
                    store::new_version(conn, &latest, &content, by, now)?;
                }
                Err(current) => {
                    return Err(AppError::conflict(
                        "disclosure_state",
                        format!("the latest version is {current}: it can change again once the office returns it"),
                    ))
                }
            }
            audit::append(conn, &actor, "disclosure.edit", "disclosure", id, &content)?;
            detail(conn, id, Visibility::All, today)
        })
        .await?;
    Ok(etag::json_with_etag(StatusCode::OK, &view))
}

/// Runs one lifecycle step on the item inside a transaction and answers the new view.
async fn lifecycle(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: &'static str,
    run: impl FnOnce(&mut DbConn, &Item, i64, NaiveDate) -> Result<serde_json::Value, AppError> + Send + 'static,
) -> Result<HttpResponse, AppError> {
    let (actor, by, vis, today) = (caller.actor(), caller.user_id, caller.visibility(), crate::db::today());
    let view = state
        .db
        .write(move |conn| {
            let item = store::item(conn, id, vis).map_err(missing("disclosure"))?;
            let change = run(conn, &item, by, today)?;
            audit::append(conn, &actor, action, "disclosure", id, &change)?;
            detail(conn, id, Visibility::All, today)
        })
        .await?;
    // Publishing, withdrawing (and the steps around them) may change what the public sees.
    state.public_cache.invalidate();
    Ok(HttpResponse::Ok().json(view))
}

/// Submit the latest draft for the office's review.
#[utoipa::path(tag = "publicity",
    responses(
        (status = 200, body = DisclosureView),
        (status = 409, description = "The latest version is not a draft", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/submit")]
pub async fn submit(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    lifecycle(&state, &caller, id, "disclosure.submit", |conn, item, _, _| {
        let latest = store::latest(conn, item.id)?;
        let to = rules::step(latest.status, Step::Submit).map_err(refused)?;
        store::set_status(conn, &latest, to, None, crate::db::now())?;
        Ok(serde_json::json!({"version": latest.number}))
    })
    .await
}

/// The retention end of a decision published today (PUB-6), from the rules in force on its
/// decision date and its counterpart.
fn retention_end(conn: &mut DbConn, act_id: i64, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let act = crate::acts::store::get(conn, act_id, Visibility::All)?;
    if act.status == ActStatus::Revoked {
        return Err(AppError::conflict(
            "act_revoked",
            "the act is revoked; its decision is not published",
        ));
    }
    retained_until(conn, &act, today)
}

/// The last public day of `act`'s decision published on `published`: by the rules in force on
/// its decision date and its counterpart.
fn retained_until(
    conn: &mut DbConn,
    act: &crate::acts::store::Act,
    published: NaiveDate,
) -> Result<NaiveDate, AppError> {
    let rules = crate::rules::store::in_force(conn, act.decision_date)?;
    Ok(rules::public_until(
        published,
        rules.rule.values.retention.years_for(act.counterpart_type),
    ))
}

/// A changed act keeps its published decision's retention right: counted again from the first
/// publication by the act's counterpart and decision date as they now stand (a natural person
/// 2 years, others 5 by default). Nothing to do before publication or after a take-down.
pub fn retention_follows_act(conn: &mut DbConn, act_id: i64) -> Result<(), AppError> {
    let Some(item) = store::item_of_act(conn, act_id)? else {
        return Ok(());
    };
    let (Some(published), Some(_)) = (item.published_on, item.public_until) else {
        return Ok(());
    };
    if item.taken_down_at.is_some() {
        return Ok(());
    }
    let act = crate::acts::store::get(conn, act_id, Visibility::All)?;
    let until = retained_until(conn, &act, published)?;
    store::set_public_until(conn, item.id, until)?;
    Ok(())
}

/// Publish the submitted version, or a draft at once (the supervisory office, which reviews).
///
/// A licensing item is refused until it carries everything PUB-4 requires
/// (`licensing_item_incomplete`, every missing field listed). The version it replaces becomes
/// `superseded`. Publishing a decision meets its act's publication duty (PUB-6).
#[utoipa::path(tag = "publicity",
    responses(
        (status = 200, body = DisclosureView),
        (status = 409, description = "The latest version is neither a draft nor submitted", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/publish")]
pub async fn publish(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    lifecycle(&state, &caller, id, "disclosure.publish", |conn, item, by, today| {
        let latest = store::latest(conn, item.id)?;
        rules::step(latest.status, Step::Publish).map_err(refused)?;
        if rules::is_licensing_item(item.category, item.content_type) {
            let has_form = store::attachments_of(conn, latest.id)?
                .iter()
                .any(|(_, p)| *p == AttachmentPurpose::SampleApplicationForm);
            let missing = rules::licensing_missing(latest.licensing().as_ref(), has_form);
            if !missing.is_empty() {
                return Err(AppError::Unprocessable {
                    code: "licensing_item_incomplete",
                    detail: format!("a licensing item cannot be published without: {}", missing.join(", ")),
                    basis: Basis::of(&[PUB_4]),
                    errors: missing
                        .iter()
                        .map(|f| FieldError::new(*f, "required by PUB-4"))
                        .collect(),
                });
            }
        }
        // Every version of a revoked act's decision is refused, not only the first.
        let until = match item.act_id {
            Some(act) => Some(retention_end(conn, act, today)?).filter(|_| item.published_on.is_none()),
            None => None,
        };
        store::publish(conn, item, &latest, by, today, until, crate::db::now())?;
        if let Some(act) = item.act_id {
            crate::acts::store::mark_disclosed(conn, act, today)?;
        }
        Ok(serde_json::json!({"version": latest.number, "public_until": until}))
    })
    .await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "请补充办理时限"}))]
pub struct ReturnRequest {
    pub comment: String,
}

/// Return the submitted version to draft, with a comment (the supervisory office).
#[utoipa::path(tag = "publicity", request_body = ReturnRequest,
    responses(
        (status = 200, body = DisclosureView),
        (status = 409, description = "The latest version is not submitted", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/return")]
pub async fn return_to_draft(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ReturnRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let comment = check.text("comment", &b.comment, 2000);
    check.finish()?;
    lifecycle(&state, &caller, id, "disclosure.return", move |conn, item, _, _| {
        let latest = store::latest(conn, item.id)?;
        let to = rules::step(latest.status, Step::Return).map_err(refused)?;
        store::set_status(conn, &latest, to, Some(&comment), crate::db::now())?;
        Ok(serde_json::json!({"version": latest.number, "comment": comment}))
    })
    .await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "机构调整，职责已划转"}))]
#[schema(as = DisclosureWithdrawRequest)]
pub struct WithdrawRequest {
    pub reason: String,
}

/// The decision of an act in force stays public while its retention lasts (PUB-4, DOMAIN
/// retention): only revoking the act takes it down.
fn decision_stays_public(conn: &mut DbConn, item: &Item, today: NaiveDate) -> Result<(), AppError> {
    let (ContentType::Decision, Some(act)) = (item.content_type, item.act_id) else {
        return Ok(());
    };
    let retained = item.public_until.is_none_or(|last| today <= last);
    let stands = crate::acts::store::get(conn, act, Visibility::All)?.status == crate::acts::rules::ActStatus::Active;
    if !(retained && stands) {
        return Ok(());
    }
    Err(AppError::Conflict {
        code: "decision_stays_public",
        detail: format!(
            "the decision of act {act} stays public while the act stands and its retention lasts; revoke the act to take it down"
        ),
        basis: Basis::of(&[rules::PUB_4]),
    })
}

/// Withdraw the published version (the supervisory office): the item leaves the public
/// reading room; nothing is deleted. The decision of an act in force stays public until its
/// retention ends (PUB-4); revoking the act takes it down.
#[utoipa::path(tag = "publicity", request_body = WithdrawRequest,
    responses(
        (status = 200, body = DisclosureView),
        (status = 409, description = "Nothing is published, or the decision of an act in force within its retention", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<WithdrawRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let reason = check.text("reason", &b.reason, 2000);
    check.finish()?;
    lifecycle(
        &state,
        &caller,
        id,
        "disclosure.withdraw",
        move |conn, item, _, today| {
            let public = match item.public_version_id {
                Some(v) => store::version(conn, v)?,
                None => store::latest(conn, item.id)?,
            };
            rules::step(public.status, Step::Withdraw).map_err(refused)?;
            decision_stays_public(conn, item, today)?;
            store::withdraw(conn, item, &public, &reason, crate::db::now())?;
            Ok(serde_json::json!({"version": public.number, "reason": reason}))
        },
    )
    .await
}

/// Attach a file to the latest version, which must be a draft. Stored in the database with
/// its SHA-256.
#[utoipa::path(tag = "publicity",
    request_body(content = crate::publicity::files::FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AttachmentView),
        (status = 409, description = "The latest version is not a draft", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/attachments")]
pub async fn attach(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    form: crate::http::checked::Checked<Multipart>,
) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let upload = files::read(form.get()?, &["purpose"]).await?;
    let purpose: AttachmentPurpose = match upload.fields.get("purpose") {
        Some(p) => p.parse().map_err(|e: String| AppError::field("purpose", e))?,
        None => AttachmentPurpose::Other,
    };
    let (actor, by, vis) = (caller.actor(), caller.user_id, caller.visibility());
    let view = state
        .db
        .write(move |conn| {
            store::item(conn, id, vis).map_err(missing("disclosure"))?;
            let latest = store::latest(conn, id)?;
            if latest.status != VersionStatus::Draft {
                return Err(AppError::conflict(
                    "disclosure_state",
                    format!(
                        "files are attached to a draft; the latest version is {} (edit it to start a new draft)",
                        latest.status
                    ),
                ));
            }
            let att = store::add_attachment(conn, &upload.file, by, crate::db::now())?;
            store::link(conn, latest.id, att, purpose)?;
            let change = serde_json::json!({"attachment_id": att, "version": latest.number, "filename": upload.file.filename,
                "sha256": upload.file.sha256, "purpose": purpose});
            audit::append(conn, &actor, "disclosure.attach", "disclosure", id, &change)?;
            let (meta, _) = store::attachment(conn, att)?;
            Ok(AttachmentView::new(meta, purpose))
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Download an attachment of a disclosure item, a finding or a case the caller may see.
#[utoipa::path(tag = "publicity", responses((status = 200, description = "The file, as the type its bytes showed at upload", content(
        (Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"),
        (Vec<u8> = "application/msword"), (Vec<u8> = "application/vnd.ms-excel"), (Vec<u8> = "application/vnd.ms-powerpoint"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.presentationml.presentation")))))]
#[get("/{id}")]
pub async fn download(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let case_vis = crate::accountability::cases::visibility(&caller);
    let (meta, data) = state
        .db
        .read(move |conn| {
            let items = store::items_of_attachment(conn, id)?;
            let evidence = crate::supervision::store::evidence_visible(conn, id, vis)?
                || crate::accountability::store::evidence_visible(conn, id, case_vis)?;
            if !evidence && !items.iter().any(|i| vis.admits(i.department_id)) {
                return Err(AppError::not_found("attachment"));
            }
            store::attachment(conn, id).map_err(missing("attachment"))
        })
        .await?;
    Ok(files::response(meta, data))
}

/// A published item in the public list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSummary {
    pub id: i64,
    pub department_id: i64,
    pub category: ActKind,
    pub content_type: ContentType,
    pub title: String,
    /// The version the public sees.
    pub version: i64,
    pub published_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    pub category: Option<ActKind>,
    pub content_type: Option<ContentType>,
    pub department_id: Option<i64>,
    /// Words to find in the title or text (1 to 100 characters).
    pub q: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// The public reading room: published items, newest first — no token.
#[utoipa::path(tag = "public", params(PublicQuery), responses((status = 200, body = Page<PublicSummary>)))]
#[get("/disclosures")]
pub async fn public_list(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    q: Query<PublicQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let today = crate::db::today();
    let key = format!("{today}?{}", req.query_string());
    let db = &state.db;
    let page = async move {
        let page = PageRequest::parse(q.limit, q.after.as_deref())?;
        let text = q.q.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if text.as_ref().is_some_and(|t| t.chars().count() > 100) {
            return Err(AppError::BadRequest("q must be at most 100 characters".into()));
        }
        let filter = store::PublicFilter {
            category: q.category,
            content_type: q.content_type,
            department_id: q.department_id,
            text,
        };
        let rows = db
            .read(move |conn| store::public_list(conn, &filter, today, page))
            .await?;
        let items = rows
            .into_iter()
            .map(|r| PublicSummary {
                id: r.id,
                department_id: r.department_id,
                category: r.category,
                content_type: r.content_type,
                title: r.title,
                version: r.version,
                published_on: r.published_on,
            })
            .collect();
        Ok(Page::from_rows(items, page, |s: &PublicSummary| s.id))
    };
    state.public_cache.serve(key, page).await
}

/// A published version as the public sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicVersion {
    pub number: i64,
    /// `published` for the current version, `superseded` for earlier ones.
    pub status: VersionStatus,
    pub title: String,
    pub body: String,
    pub licensing: Option<LicensingDetails>,
    pub attachments: Vec<AttachmentView>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A published item: the current version and the published history.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDisclosure {
    pub id: i64,
    pub department_id: i64,
    pub category: ActKind,
    pub content_type: ContentType,
    pub published_on: Option<NaiveDate>,
    pub current: PublicVersion,
    /// Every published version, oldest first (the current one last).
    pub history: Vec<PublicVersion>,
}

/// One published item with its version history — no token. Drafts, submitted, withdrawn and
/// taken-down items answer 404, as if they did not exist.
#[utoipa::path(tag = "public", responses((status = 200, body = PublicDisclosure)))]
#[get("/disclosures/{id}")]
pub async fn public_get(state: web::Data<AppState>, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.get()?.into_inner(), crate::db::today());
    let out = state
        .db
        .read(move |conn| {
            let (item, history) = store::public_item(conn, id, today).map_err(missing("disclosure"))?;
            let mut published = Vec::new();
            for v in history {
                let attachments = store::attachments_of(conn, v.id)?
                    .into_iter()
                    .map(|(m, p)| AttachmentView::new(m, p))
                    .collect();
                published.push(PublicVersion {
                    licensing: v.licensing(),
                    number: v.number,
                    status: v.status,
                    title: v.title,
                    body: v.body,
                    attachments,
                    published_at: v.published_at.map(|t| t.and_utc()),
                });
            }
            let current = published
                .last()
                .cloned()
                .ok_or_else(|| AppError::not_found("disclosure"))?;
            Ok::<_, AppError>(PublicDisclosure {
                id: item.id,
                department_id: item.department_id,
                category: item.category,
                content_type: item.content_type,
                published_on: item.published_on,
                current,
                history: published,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Download an attachment of a published version — no token.
#[utoipa::path(tag = "public", responses((status = 200, description = "The file, as the type its bytes showed at upload", content(
        (Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"),
        (Vec<u8> = "application/msword"), (Vec<u8> = "application/vnd.ms-excel"), (Vec<u8> = "application/vnd.ms-powerpoint"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.presentationml.presentation")))))]
#[get("/attachments/{id}")]
pub async fn public_download(state: web::Data<AppState>, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.get()?.into_inner(), crate::db::today());
    let (meta, data) = state
        .db
        .read(move |conn| {
            if !store::attachment_is_public(conn, id, today)? {
                return Err(AppError::not_found("attachment"));
            }
            store::attachment(conn, id).map_err(missing("attachment"))
        })
        .await?;
    Ok(files::response(meta, data))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(versions)
        .service(submit)
        .service(publish)
        .service(return_to_draft)
        .service(withdraw)
        .service(attach);
}

/// The reading room, under `/public`.
pub fn public_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(public_list).service(public_get).service(public_download);
}
