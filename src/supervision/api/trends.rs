//! Tendencies (倾向性问题, SUP-9): findings counted by checklist item or department, and the
//! leadership group's recorded analyses.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::super::rules::{CHECKLIST, SUP_9};
use super::super::store::{self, TrendAnalysis};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::http::checked::{Json, Query};
use crate::http::pagination::{Page, PageQuery, PageRequest};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::AppState;

/// How findings are grouped.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Item,
    Department,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: GroupBy,
}

/// One group's count.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendGroup {
    /// The checklist item (1–9) or the department id.
    pub key: i64,
    pub label: String,
    pub count: i64,
}

/// Findings of a period, grouped.
#[derive(Debug, Serialize, ToSchema)]
pub struct Trends {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: GroupBy,
    pub total: i64,
    pub groups: Vec<TrendGroup>,
    pub basis: Vec<String>,
}

/// Findings counted by checklist item or by department (SUP-9).
#[utoipa::path(tag = "supervision", params(TrendQuery), responses((status = 200, body = Trends)))]
#[get("/trends")]
pub async fn trends(state: web::Data<AppState>, _c: Caller, q: Query<TrendQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    if q.to < q.from {
        return Err(AppError::BadRequest("`to` must not be before `from`".into()));
    }
    let out = state
        .db
        .read(move |conn| {
            let counts = store::finding_counts(conn, q.from, q.to, q.by == GroupBy::Department)?;
            let mut groups = Vec::new();
            for (key, count) in counts {
                let label = match q.by {
                    GroupBy::Item => format!(
                        "SUP-6({key}) {}",
                        CHECKLIST.get((key - 1) as usize).copied().unwrap_or_default()
                    ),
                    GroupBy::Department => crate::org::store::departments::get(conn, key, Visibility::All)?.name,
                };
                groups.push(TrendGroup { key, label, count });
            }
            Ok::<_, AppError>(Trends {
                total: groups.iter().map(|g| g.count).sum(),
                from: q.from,
                to: q.to,
                by: q.by,
                groups,
                basis: vec![SUP_9.to_string()],
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period_from": "2026-01-01", "period_to": "2026-06-30", "analysis": "程序违法问题集中",
    "measures": "开展程序专题培训", "recommendations": "建议上级明确简易程序适用范围"}))]
pub struct NewAnalysis {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub analysis: String,
    pub measures: String,
    /// Recommendations to the higher authority (向上级反映).
    #[serde(default)]
    pub recommendations: String,
}

/// A recorded analysis of tendencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisView {
    pub id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub analysis: String,
    pub measures: String,
    pub recommendations: String,
    pub created_by: Option<i64>,
    pub basis: Vec<String>,
}

impl From<TrendAnalysis> for AnalysisView {
    fn from(a: TrendAnalysis) -> Self {
        Self {
            id: a.id,
            period_from: a.period_from,
            period_to: a.period_to,
            analysis: a.analysis,
            measures: a.measures,
            recommendations: a.recommendations,
            created_by: a.created_by,
            basis: vec![SUP_9.to_string()],
        }
    }
}

/// Record the leadership group's analysis, measures and recommendations for a period (SUP-9).
#[utoipa::path(tag = "supervision", request_body = NewAnalysis, responses((status = 201, body = AnalysisView)))]
#[post("/trend-analyses")]
pub async fn create_analysis(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewAnalysis>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let analysis = check.text("analysis", &b.analysis, 20_000);
    let measures = check.text("measures", &b.measures, 20_000);
    let recommendations = check.optional_text("recommendations", &b.recommendations, 20_000);
    if b.period_to < b.period_from {
        check.fail("period_to", "must not be before period_from");
    }
    // Tendencies are analysed from what happened: a period may run on, but not begin later.
    if b.period_from > crate::db::today() {
        check.fail("period_from", "must not be in the future");
    }
    check.reportable_day("period_from", b.period_from);
    check.reportable_day("period_to", b.period_to);
    check.finish()?;
    let record = TrendAnalysis {
        id: 0,
        period_from: b.period_from,
        period_to: b.period_to,
        analysis,
        measures,
        recommendations,
        created_by: Some(caller.user_id),
        created_at: crate::db::now(),
    };
    let actor = caller.actor();
    let v = state
        .db
        .write(move |conn| {
            let id = store::add_analysis(conn, &record)?;
            audit::append(conn, &actor, "trend_analysis.create", "trend_analysis", id, &record)?;
            Ok::<_, AppError>(AnalysisView::from(TrendAnalysis { id, ..record }))
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// The recorded analyses, oldest first.
#[utoipa::path(tag = "supervision", params(PageQuery), responses((status = 200, body = Page<AnalysisView>)))]
#[get("/trend-analyses")]
pub async fn analyses(state: web::Data<AppState>, _c: Caller, q: Query<PageQuery>) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let rows = state.db.read(move |conn| store::analyses(conn, page)).await?;
    let views = rows.into_iter().map(AnalysisView::from).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |a: &AnalysisView| a.id)))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(trends).service(create_analysis).service(analyses);
}
