//! Supervision documents (执法监督检查文书, SUP-10): issued when an inspection concludes,
//! served to each target with a recorded receipt, archived and never changed.

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::super::rules::{self, MeasureAction, TargetKind, SUP_10};
use super::super::store::{self, Document, FindingFilter};
use super::{finding_view, inspection_detail};
use crate::audit::{self, Actor};
use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::DbConn;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::pagination::{Page, PageRequest};
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::AppState;

/// Who the document is served to, and whether they have received it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServedTo {
    pub kind: TargetKind,
    pub id: i64,
    pub department_id: i64,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<String>,
}

/// A supervision document with its archived content.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    /// `{prefix}〔{year}〕{n}号`.
    #[schema(example = "高新安监督〔2026〕1号")]
    pub number: String,
    pub inspection_id: i64,
    pub issued_on: NaiveDate,
    /// The inspection, its findings and measures as they stood at conclusion.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub served_to: Vec<ServedTo>,
    /// Every target has acknowledged receipt.
    pub served: bool,
    pub basis: Vec<String>,
}

/// The document as `vis` may read it: a department's staff read the findings about their
/// department, as they read findings themselves; the rest stays with the bureau.
fn view(conn: &mut DbConn, d: Document, vis: Visibility) -> Result<DocumentView, AppError> {
    let served_to: Vec<ServedTo> = store::targets(conn, d.id)?
        .into_iter()
        .map(|t| ServedTo {
            kind: t.target_kind,
            id: t.target_id,
            department_id: t.department_id,
            received_on: t.received_on,
            received_by: t.received_by,
        })
        .collect();
    Ok(DocumentView {
        served: served_to.iter().all(|t| t.received_on.is_some()),
        served_to,
        content: visible_content(serde_json::from_str(&d.content).unwrap_or_default(), vis),
        id: d.id,
        number: d.number,
        inspection_id: d.inspection_id,
        issued_on: d.issued_on,
        basis: vec![SUP_10.to_string()],
    })
}

/// An act's department and its enforcing officers.
fn act_targets(conn: &mut DbConn, targets: &mut BTreeMap<(TargetKind, i64), i64>, id: i64) -> Result<(), AppError> {
    let department = crate::acts::store::get(conn, id, Visibility::All)?.department_id;
    targets.insert((TargetKind::Department, department), department);
    for (officer, _) in crate::acts::store::officers(conn, id)? {
        targets.insert((TargetKind::Officer, officer), department);
    }
    Ok(())
}

/// Who the document is served on (SUP-10 送达被监督处（室）和执法人员), each with their department:
/// the departments and officers inspected (an act in the scope brings its department and
/// officers; no scope, every active department), and those the findings name (a finding on an
/// act that names no officer, the act's officers).
fn targets(
    conn: &mut DbConn,
    scope: &[super::Target],
    found: &[store::Finding],
) -> Result<Vec<(TargetKind, i64, i64)>, AppError> {
    let mut targets: BTreeMap<(TargetKind, i64), i64> = BTreeMap::new();
    if scope.is_empty() {
        let every = PageRequest {
            limit: i64::from(u32::MAX),
            after: None,
        };
        for d in crate::org::store::departments::list(conn, Visibility::All, Some(true), every)? {
            targets.insert((TargetKind::Department, d.id), d.id);
        }
    }
    for t in scope {
        match t.kind {
            TargetKind::Department => {
                targets.insert((TargetKind::Department, t.id), t.id);
            }
            TargetKind::Officer => {
                let p = crate::org::store::people::get(conn, t.id)?;
                targets.insert((TargetKind::Officer, t.id), p.department_id);
            }
            TargetKind::Act => act_targets(conn, &mut targets, t.id)?,
        }
    }
    for f in found {
        targets.insert((TargetKind::Department, f.department_id), f.department_id);
        match (f.officer_id, f.act_id) {
            (Some(o), _) => {
                targets.insert((TargetKind::Officer, o), f.department_id);
            }
            (None, Some(a)) => act_targets(conn, &mut targets, a)?,
            (None, None) => {}
        }
    }
    Ok(targets.into_iter().map(|((k, id), d)| (k, id, d)).collect())
}

/// Issues the document of a concluding inspection, inside its transaction: the inspection,
/// its findings and measures are archived as they stand, and every department and officer
/// concerned becomes a target to serve.
pub fn issue(conn: &mut DbConn, inspection: i64, prefix: &str, actor: &Actor) -> Result<i64, AppError> {
    let today = crate::db::today();
    let x = inspection_detail(conn, inspection)?;
    let filter = FindingFilter {
        inspection_id: Some(inspection),
        ..Default::default()
    };
    let all = PageRequest {
        limit: i64::from(u32::MAX),
        after: None,
    };
    let found = store::findings(conn, Visibility::All, &filter, all)?;
    let targets = targets(conn, &x.scope, &found)?;
    let findings = found
        .into_iter()
        .map(|f| finding_view(conn, f, today))
        .collect::<Result<Vec<_>, _>>()?;
    let year = today.year();
    let seq = store::next_document_seq(conn, year)?;
    let number = rules::document_number(prefix, year, seq);
    let content = serde_json::json!({
        "number": number, "issued_on": today, "inspection": x, "findings": findings, "basis": [SUP_10.to_string()],
    });
    let new = store::NewDocument {
        inspection_id: inspection,
        number: &number,
        year,
        seq,
        content: &content.to_string(),
        issued_on: today,
        targets: &targets,
    };
    let id = store::add_document(conn, &new, crate::db::now())?;
    audit::append(
        conn,
        actor,
        "document.issue",
        "supervision_document",
        id,
        &serde_json::json!({"number": number, "inspection": inspection}),
    )?;
    Ok(id)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    pub inspection_id: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List supervision documents (staff: those served to their department).
#[utoipa::path(tag = "supervision", params(DocumentQuery), responses((status = 200, body = Page<DocumentView>)))]
#[get("")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<DocumentQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let vis = caller.visibility();
    let views = state
        .db
        .read(move |conn| {
            let docs = store::documents(conn, vis, q.inspection_id, page)?;
            docs.into_iter()
                .map(|d| view(conn, d, vis))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |d| d.id)))
}

/// One supervision document as JSON.
#[utoipa::path(tag = "supervision", responses((status = 200, body = DocumentView)))]
#[get("/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let v = state
        .db
        .read(move |conn| {
            let d = store::document(conn, id, vis).map_err(missing("supervision document"))?;
            view(conn, d, vis)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

fn visible_content(mut content: serde_json::Value, vis: Visibility) -> serde_json::Value {
    if let (Visibility::Department(mine), Some(findings)) = (vis, content["findings"].as_array_mut()) {
        findings.retain(|f| f["department_id"] == mine);
    }
    content
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A measure as the served document words it: the action, and the deadline it sets.
fn measure_zh(m: &serde_json::Value) -> String {
    let action = m["action"].as_str().and_then(|a| a.parse::<MeasureAction>().ok());
    let mut out = action.map_or_else(|| m["action"].to_string(), |a| a.zh().to_owned());
    if let Some(day) = m["deadline"].as_str() {
        out.push_str(&format!("（期限：{day}）"));
    }
    out
}

fn render_html(v: &DocumentView) -> String {
    let c = &v.content;
    let text = |p: &serde_json::Value| escape(p.as_str().unwrap_or_default());
    let mut rows = String::new();
    for f in c["findings"].as_array().into_iter().flatten() {
        let measures: Vec<String> = f["measures"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| format!("SUP-7({}) {}", m["item"], measure_zh(m)))
            .collect();
        rows.push_str(&format!(
            "<tr><td>SUP-6({})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            f["checklist_item"],
            text(&f["checklist_text"]),
            text(&f["description"]),
            escape(&measures.join("；"))
        ));
    }
    format!(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{number}</title>\
         <style>body{{font-family:serif;max-width:50em;margin:2em auto}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border:1px solid #444;padding:.3em}}</style></head><body>\
         <h1>执法监督检查文书</h1><p>{number}　{issued}</p><h2>{title}</h2>\
         <p>检查期间：{from} 至 {to}</p><table><tr><th>检查内容</th><th>事项</th><th>问题</th><th>处理</th></tr>{rows}</table>\
         <p>{conclusion}</p></body></html>",
        number = escape(&v.number),
        issued = v.issued_on,
        title = text(&c["inspection"]["title"]),
        from = text(&c["inspection"]["period_from"]),
        to = text(&c["inspection"]["period_to"]),
        conclusion = text(&c["inspection"]["conclusion"]),
    )
}

/// The document, printable.
#[utoipa::path(tag = "supervision", responses((status = 200, description = "Printable HTML", content_type = "text/html")))]
#[get("/{id}/html")]
pub async fn html(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), caller.visibility());
    let v = state
        .db
        .read(move |conn| {
            let d = store::document(conn, id, vis).map_err(missing("supervision document"))?;
            view(conn, d, vis)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(render_html(&v)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target": {"kind": "department", "id": 2}, "received_on": "2026-11-27", "received_by": "赵强"}))]
pub struct Receipt {
    pub target: super::Target,
    /// Not before the document was issued, not in the future.
    pub received_on: NaiveDate,
    /// Who signed for it.
    pub received_by: Option<String>,
}

/// Record that a target received the document (staff: for their own department, and for an
/// officer only that officer).
#[utoipa::path(tag = "supervision", request_body = Receipt,
    responses(
        (status = 201, body = DocumentView),
        (status = 409, description = "Receipt already recorded", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{id}/receipts")]
pub async fn receipt(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<Receipt>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let received_by = b
        .received_by
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if received_by.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::field("received_by", "must be at most 100 characters"));
    }
    let (actor, by, vis, role, dept, me, today) = (
        caller.actor(),
        caller.user_id,
        caller.visibility(),
        caller.role,
        caller.department_id,
        caller.person_id,
        crate::db::today(),
    );
    let v = state
        .db
        .write(move |conn| {
            let d = store::document(conn, id, vis).map_err(missing("supervision document"))?;
            let targets = store::targets(conn, id)?;
            let t = targets
                .iter()
                .find(|t| t.target_kind == b.target.kind && t.target_id == b.target.id)
                .ok_or_else(|| AppError::field("target", "the document is not served to this target"))?;
            if role == Role::Staff && dept != Some(t.department_id) {
                return Err(AppError::Forbidden(
                    "staff acknowledge documents served to their own department".into(),
                ));
            }
            if role == Role::Staff && t.target_kind == TargetKind::Officer && me != Some(t.target_id) {
                return Err(AppError::Forbidden(
                    "a document served to an officer is acknowledged by that officer (or recorded by the office)"
                        .into(),
                ));
            }
            if let Some(on) = t.received_on {
                return Err(AppError::conflict(
                    "already_received",
                    format!("receipt was recorded for {on}"),
                ));
            }
            if b.received_on < d.issued_on || b.received_on > today {
                return Err(AppError::field("received_on", "must be from the issue date to today"));
            }
            store::record_receipt(
                conn,
                id,
                b.target.kind,
                b.target.id,
                b.received_on,
                received_by.as_deref(),
                by,
            )?;
            audit::append(conn, &actor, "document.receipt", "supervision_document", id, &b)?;
            let d = store::document(conn, id, Visibility::All)?;
            view(conn, d, vis)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list).service(get).service(html).service(receipt);
}
