//! `/rules` and `/calendar`.

use std::collections::BTreeMap;

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::calendar::{self, DayKind, OffReason};
use super::ruleset::{self, RuleValues};
use super::store::{self, StoredVersion};
use crate::audit;
use crate::db::StoreError;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::pagination::{Page, PageQuery};
use crate::http::{AppError, Caller, FieldError};
use crate::AppState;

/// A version of the rule set, each number with the articles it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleSetView {
    #[schema(example = 1)]
    pub version: i64,
    pub effective_from: NaiveDate,
    pub values: RuleValues,
    /// For each field of `values`, the articles it comes from.
    #[schema(example = json!({"disclosure_deadline_working_days": ["PUB-6"], "appeal_window_days": ["ACC-13"]}))]
    pub articles: BTreeMap<String, Vec<String>>,
    pub created_by: Option<i64>,
    #[serde(serialize_with = "crate::db::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
}

impl From<StoredVersion> for RuleSetView {
    fn from(v: StoredVersion) -> Self {
        let articles = ruleset::ARTICLES
            .iter()
            .map(|(field, refs)| (field.to_string(), refs.iter().map(ToString::to_string).collect()))
            .collect();
        Self {
            version: v.rule.version,
            effective_from: v.rule.effective_from,
            values: v.rule.values,
            articles,
            created_by: v.created_by,
            created_at: v.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// The day whose rules are wanted (default today, China time).
    pub on: Option<NaiveDate>,
}

/// The rule set in force on a day.
#[utoipa::path(tag = "rules", params(OnQuery), responses((status = 200, body = RuleSetView),
        (status = 404, description = "No rule set was in force on that day", body = Problem, content_type = "application/problem+json")))]
#[get("")]
pub async fn in_force(state: web::Data<AppState>, _c: Caller, q: Query<OnQuery>) -> Result<HttpResponse, AppError> {
    let on = q.get()?.into_inner().on.unwrap_or_else(crate::db::today);
    let v = state
        .db
        .read(move |conn| {
            store::in_force(conn, on).map_err(|e| match e {
                StoreError::NotFound => AppError::not_found("a rule set in force on that day"),
                other => other.into(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(RuleSetView::from(v)))
}

/// Every version of the rule set, oldest first.
/// The versions of the rule set, oldest first (the cursor is a version number).
#[utoipa::path(tag = "rules", params(PageQuery), responses((status = 200, body = Page<RuleSetView>)))]
#[get("/versions")]
pub async fn versions(state: web::Data<AppState>, _c: Caller, q: Query<PageQuery>) -> Result<HttpResponse, AppError> {
    let page = q.get()?.into_inner().page()?;
    let all = state.db.read(store::versions).await?;
    let rows: Vec<RuleSetView> = all
        .into_iter()
        .filter(|v| page.after.is_none_or(|after| v.rule.version > after))
        .take(page.fetch() as usize)
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, page, |v| v.version)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRuleVersion {
    /// Today or later: versions already in force never change.
    pub effective_from: NaiveDate,
    pub values: RuleValues,
}

/// Adopt a new version of the rule set from today or a later day.
#[utoipa::path(tag = "rules", request_body = NewRuleVersion,
    responses(
        (status = 201, body = RuleSetView),
        (status = 409, description = "A version already starts on that day", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewRuleVersion>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut errors: Vec<FieldError> = ruleset::validate(&b.values)
        .into_iter()
        .map(|(f, m)| FieldError::new(format!("values.{f}"), m))
        .collect();
    if b.effective_from < crate::db::today() {
        errors.push(FieldError::new(
            "effective_from",
            "must be today or later: versions already in force never change",
        ));
    }
    if chrono::Datelike::year(&b.effective_from) > 2100 {
        errors.push(FieldError::new("effective_from", "must fall within 2000 to 2100"));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let version =
                store::create(conn, b.effective_from, &b.values, Some(by), crate::db::now()).map_err(|e| match e {
                    StoreError::Unique(_) => {
                        AppError::conflict("rule_version_exists", "a version already starts on that day")
                    }
                    other => other.into(),
                })?;
            audit::append(conn, &actor, "rules.create", "rule_version", version, &b)?;
            crate::acts::store::recompute_disclosure_due(conn, b.effective_from, None)?;
            crate::petitions::store::recompute_reply_due(conn, b.effective_from, None)?;
            let all = store::versions(conn)?;
            all.into_iter()
                .find(|v| v.rule.version == version)
                .ok_or_else(|| AppError::Internal("version vanished".into()))
        })
        .await?;
    Ok(HttpResponse::Created().json(RuleSetView::from(v)))
}

/// A year's holiday schedule.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2026, "loaded": true, "holidays": ["2026-01-01"], "make_up_workdays": ["2026-01-04"]}))]
pub struct CalendarYear {
    pub year: i32,
    /// False when no schedule was loaded: then only weekends are off, and results say so.
    pub loaded: bool,
    /// Public holidays (off, even on weekdays).
    pub holidays: Vec<NaiveDate>,
    /// Make-up working days (调休上班日: working, even on weekends).
    pub make_up_workdays: Vec<NaiveDate>,
}

async fn read_year(state: &AppState, year: i32) -> Result<CalendarYear, AppError> {
    let stored = state.db.read(move |conn| store::year(conn, year)).await?;
    let days = stored;
    let pick = |kind: DayKind| -> Vec<NaiveDate> {
        days.iter()
            .flatten()
            .filter(|(_, k)| *k == kind)
            .map(|(d, _)| *d)
            .collect()
    };
    Ok(CalendarYear {
        year,
        loaded: days.is_some(),
        holidays: pick(DayKind::Holiday),
        make_up_workdays: pick(DayKind::MakeUpWorkday),
    })
}

/// A year's public holidays and make-up working days.
#[utoipa::path(tag = "calendar", responses((status = 200, body = CalendarYear)))]
#[get("/{year}")]
pub async fn get_year(state: web::Data<AppState>, _c: Caller, year: Path<i32>) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    Ok(HttpResponse::Ok().json(read_year(&state, year).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "make_up_workdays": []}))]
pub struct CalendarInput {
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days.
    pub make_up_workdays: Vec<NaiveDate>,
}

/// Replace a year's schedule. Disclosure and petition reply deadlines that depend on it are
/// recomputed.
#[utoipa::path(tag = "calendar", request_body = CalendarInput, responses((status = 200, body = CalendarYear)))]
#[put("/{year}")]
pub async fn put_year(
    state: web::Data<AppState>,
    caller: Caller,
    year: Path<i32>,
    body: Json<CalendarInput>,
) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    let b = body.get()?.into_inner();
    let problems = calendar::validate_schedule(year, &b.holidays, &b.make_up_workdays);
    if !problems.is_empty() {
        return Err(AppError::invalid(
            problems.into_iter().map(|(f, m)| FieldError::new(f, m)).collect(),
        ));
    }
    let (actor, by) = (caller.actor(), caller.user_id);
    state
        .db
        .write(move |conn| {
            store::replace_year(conn, year, &b.holidays, &b.make_up_workdays, Some(by), crate::db::now())?;
            audit::append(conn, &actor, "calendar.replace", "calendar_year", year, &b)?;
            // Decisions of the year before can fall due in this one.
            let from = NaiveDate::from_ymd_opt(year - 1, 1, 1).expect("valid date");
            let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
            crate::acts::store::recompute_disclosure_due(conn, from, Some(to))?;
            crate::petitions::store::recompute_reply_due(conn, from, Some(to))?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(read_year(&state, year).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DueDateQuery {
    /// The day counting starts after (e.g. a decision date).
    pub from: NaiveDate,
    /// Working days allowed, 1 to 1000.
    pub working_days: i64,
}

/// A day that was not counted, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: OffReason,
}

/// A due date on the working-day calendar, explained.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"from": "2026-12-28", "working_days": 7, "due_on": "2027-01-07",
    "counted_days": ["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07"],
    "skipped_days": [{"date": "2027-01-01", "reason": "holiday"}], "basis": ["PUB-6"], "warnings": []}))]
pub struct DueDateView {
    pub from: NaiveDate,
    pub working_days: u32,
    /// The last allowed day; overdue from the next calendar day.
    pub due_on: NaiveDate,
    /// The working days counted, in order.
    pub counted_days: Vec<NaiveDate>,
    pub skipped_days: Vec<SkippedDay>,
    pub basis: Vec<String>,
    /// E.g. a year crossed that has no holiday schedule loaded (weekends only were used).
    pub warnings: Vec<String>,
}

impl DueDateView {
    pub fn new(from: NaiveDate, working_days: u32, due: calendar::DueDate) -> Self {
        Self {
            from,
            working_days,
            due_on: due.due_on,
            counted_days: due.counted,
            skipped_days: due
                .skipped
                .into_iter()
                .map(|(date, reason)| SkippedDay { date, reason })
                .collect(),
            basis: vec![crate::publicity::rules::PUB_6.to_string()],
            warnings: calendar::no_schedule_warnings(due.years_without_schedule),
        }
    }
}

/// The due day `working_days` working days after `from` (counting starts the next day).
#[utoipa::path(tag = "calendar", params(DueDateQuery), responses((status = 200, body = DueDateView),
        (status = 422, description = "The count or the day is out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/due-date")]
pub async fn due_date(
    state: web::Data<AppState>,
    _c: Caller,
    q: Query<DueDateQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let n = u32::try_from(q.working_days)
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or_else(|| AppError::field("working_days", "must be from 1 to 1000"))?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&q.from)) {
        return Err(AppError::field("from", "must be in the years 2000 to 2100"));
    }
    let due = state.db.read(move |conn| store::due_date(conn, q.from, n)).await?;
    Ok(HttpResponse::Ok().json(DueDateView::new(q.from, n, due)))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(in_force).service(versions).service(create);
}

/// The working-day calendar, under `/calendar`.
pub fn calendar_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // `due-date` before `{year}`, which would otherwise claim it.
    cfg.service(due_date).service(get_year).service(put_year);
}
