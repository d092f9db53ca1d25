//! `/accountability/cases` and the referral endpoints: the ACC-10 workflow from proposal to a
//! final decision, with the effects of ACC-14 and their reversal on appeal (ACC-13).

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{
    self, CaseStatus, CaseStep, Circumstances, DepartmentSanction, HowMade, RespondentKind, Sanction, Severity, Share,
    SourceKind,
};
use super::store::{self, Case, CaseVisibility, NewCase};
use crate::audit::{self, Actor};
use crate::auth::rules::Visibility;
use crate::auth::Role;
use crate::db::DbConn;
use crate::http::checked::{Json, Path, Query};
use crate::http::error::Problem;
use crate::http::pagination::{Page, PageRequest};
use crate::http::validate::{has_repeats, Check};
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::org::rules::{CauseKind, CertificateStatus};
use crate::publicity::rules::deadline_missed;
use crate::rules::{ArticleRef, Basis, Regime};
use crate::AppState;

fn acc(article: u8) -> ArticleRef {
    ArticleRef::article(Regime::Acc, article)
}

pub fn visibility(caller: &Caller) -> CaseVisibility {
    match caller.role {
        Role::Staff => CaseVisibility::Respondent(caller.person_id.unwrap_or(-1)),
        _ => CaseVisibility::All,
    }
}

/// A respondent (被追究人): a person or a department.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Respondent {
    pub kind: RespondentKind,
    pub id: i64,
}

/// Where a case came from; for staff a report's id is never shown (the reporter stays hidden).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    pub id: Option<i64>,
}

/// An accountability case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub status: CaseStatus,
    pub source: Source,
    /// ACC-4 (1)–(7).
    pub fault_types: Vec<u8>,
    pub act_ids: Vec<i64>,
    pub facts: String,
    pub fault_on: NaiveDate,
    pub respondents: Vec<Respondent>,
    /// The office's preliminary opinion: allocation (ACC-5), circumstances, proposed severity.
    #[schema(value_type = Option<Object>)]
    pub opinion: Option<serde_json::Value>,
    /// The leadership group's decision: severity, sanctions and the effects applied (ACC-6, ACC-14).
    #[schema(value_type = Option<Object>)]
    pub decision: Option<serde_json::Value>,
    pub decided_on: Option<NaiveDate>,
    pub served_on: Option<NaiveDate>,
    /// The last day to appeal (ACC-13), once served: 30 days after service (the rule set in force
    /// that day), moved to the next working day when it falls on a weekend or public holiday.
    pub appeal_deadline: Option<NaiveDate>,
    /// E.g. the appeal deadline was counted over a year with no holiday schedule loaded.
    pub warnings: Vec<String>,
    #[schema(value_type = Option<Object>)]
    pub appeal: Option<serde_json::Value>,
    pub appeal_outcome: Option<String>,
    /// Material requests the respondents' departments refused or left unanswered (SUP-8),
    /// offered as the aggravating circumstance ACC-7(4); the office decides whether to apply it.
    pub offered_acc_7_4: Vec<i64>,
    /// Evidence files (download with `GET /attachments/{id}`).
    pub evidence: Vec<EvidenceFile>,
    pub basis: Vec<String>,
}

/// An evidence file of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceFile {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// Refused or overdue material requests of the departments concerned (SUP-8 → ACC-7(4)).
fn non_cooperation(conn: &mut DbConn, departments: &[i64]) -> Result<Vec<i64>, AppError> {
    let today = crate::db::today();
    let mut out = Vec::new();
    for d in departments {
        let filter = crate::supervision::store::RequestFilter {
            inspection_id: None,
            department_id: Some(*d),
        };
        let all = PageRequest {
            limit: i64::from(u32::MAX),
            after: None,
        };
        for r in crate::supervision::store::requests(conn, Visibility::All, &filter, all)? {
            let outcome = crate::supervision::rules::request_outcome(r.status, r.deadline, today);
            if matches!(
                outcome,
                crate::supervision::rules::RequestOutcome::Refused | crate::supervision::rules::RequestOutcome::Overdue
            ) {
                out.push(r.id);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn view(conn: &mut DbConn, c: Case, hide_reporter: bool) -> Result<CaseView, AppError> {
    let stored = store::respondents(conn, c.id)?;
    let departments: Vec<i64> = stored.iter().map(|(_, _, d)| *d).collect();
    let offered_acc_7_4 = if hide_reporter {
        Vec::new()
    } else {
        non_cooperation(conn, &departments)?
    };
    let respondents = stored
        .into_iter()
        .map(|(kind, id, _)| Respondent { kind, id })
        .collect();
    let evidence = store::evidence(conn, c.id)?
        .into_iter()
        .map(|m| EvidenceFile {
            id: m.id,
            filename: m.filename,
            content_type: m.content_type,
            size: m.size,
            sha256: m.sha256,
        })
        .collect();
    let window = c.served_on.map(|s| appeal_window(conn, s)).transpose()?;
    let (appeal_deadline, warnings) = match window {
        Some(w) => (Some(w.last_day), w.warnings),
        None => (None, Vec::new()),
    };
    let parse = |s: Option<String>| s.and_then(|j| serde_json::from_str(&j).ok());
    let source_id = if hide_reporter && c.source_kind == SourceKind::Petition {
        None
    } else {
        c.source_id
    };
    Ok(CaseView {
        source: Source {
            kind: c.source_kind,
            id: source_id,
        },
        fault_types: serde_json::from_str(&c.fault_types).unwrap_or_default(),
        act_ids: serde_json::from_str(&c.act_ids).unwrap_or_default(),
        opinion: parse(c.opinion),
        decision: parse(c.decision),
        appeal: parse(c.appeal),
        respondents,
        appeal_deadline,
        warnings,
        id: c.id,
        status: c.status,
        facts: c.facts,
        fault_on: c.fault_on,
        decided_on: c.decided_on,
        served_on: c.served_on,
        appeal_outcome: c.appeal_outcome,
        offered_acc_7_4,
        evidence,
        basis: vec![acc(10).to_string()],
    })
}

fn detail(conn: &mut DbConn, id: i64, vis: CaseVisibility) -> Result<CaseView, AppError> {
    let c = store::get(conn, id, vis).map_err(missing("case"))?;
    view(conn, c, matches!(vis, CaseVisibility::Respondent(_)))
}

/// Resolves respondents to (kind, id, department); every one must exist.
fn resolve(conn: &mut DbConn, respondents: &[Respondent]) -> Result<Vec<(RespondentKind, i64, i64)>, AppError> {
    if respondents.is_empty() {
        return Err(AppError::field("respondents", "name at least one respondent"));
    }
    let mut out = Vec::new();
    for (n, r) in respondents.iter().enumerate() {
        let department = match r.kind {
            RespondentKind::Person => crate::org::store::people::get(conn, r.id).map(|p| p.department_id),
            RespondentKind::Department => {
                crate::org::store::departments::get(conn, r.id, Visibility::All).map(|d| d.id)
            }
        }
        .map_err(|_| AppError::field(&format!("respondents[{n}]"), format!("no {} {}", r.kind, r.id)))?;
        if out.iter().any(|(k, i, _)| *k == r.kind && *i == r.id) {
            return Err(AppError::field(&format!("respondents[{n}]"), "named twice"));
        }
        out.push((r.kind, r.id, department));
    }
    Ok(out)
}

fn check_fault_types(types: &[u8]) -> Result<String, AppError> {
    if types.is_empty() || types.iter().any(|t| !rules::fault_type_known(*t)) {
        return Err(AppError::field(
            "fault_types",
            "name one or more ACC-4 fault types, 1 to 7",
        ));
    }
    let mut t = types.to_vec();
    t.sort_unstable();
    t.dedup();
    Ok(serde_json::to_string(&t).unwrap_or_default())
}

/// Opens a case from another record (a petition): one transaction with the caller's.
#[allow(clippy::too_many_arguments)] // the fields of a case, one by one, for callers outside ACC
pub fn open_from(
    conn: &mut DbConn,
    actor: &Actor,
    by: i64,
    kind: SourceKind,
    source: i64,
    respondents: &[Respondent],
    fault_types: &[u8],
    facts: String,
    fault_on: NaiveDate,
) -> Result<CaseView, AppError> {
    let new = NewCase {
        source_kind: kind,
        source_id: Some(source),
        fault_types: check_fault_types(fault_types)?,
        act_ids: "[]".into(),
        facts,
        fault_on,
        respondents: resolve(conn, respondents)?,
    };
    open_case(conn, actor, by, new)
}

/// Opens a case, one per source record: a second case about the same fault would count as a
/// second fault under ACC-7(2) and aggravate the first.
fn open_case(conn: &mut DbConn, actor: &Actor, by: i64, new: NewCase) -> Result<CaseView, AppError> {
    if let Some(source) = new.source_id.filter(|_| new.source_kind != SourceKind::Other) {
        if let Some(case) = store::opened_from(conn, new.source_kind, source)? {
            // The article that refers the record, then the one a second case would distort.
            let referring = match new.source_kind {
                SourceKind::Finding => Some(crate::supervision::rules::SUP_7),
                SourceKind::OverdueDisclosure => Some(crate::publicity::rules::PUB_6),
                _ => None,
            };
            return Err(AppError::Conflict {
                code: "already_referred",
                detail: format!("{} {source} is already referred as case {case}", new.source_kind),
                basis: Basis(
                    referring
                        .into_iter()
                        .chain([ArticleRef::item(Regime::Acc, 7, 2)])
                        .collect(),
                ),
            });
        }
    }
    let id = store::create(conn, &new, by, crate::db::now())?;
    audit::append(
        conn,
        actor,
        "case.propose",
        "case",
        id,
        &serde_json::json!({"source": new.source_kind, "source_id": new.source_id}),
    )?;
    detail(conn, id, CaseVisibility::All)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"respondents": [{"kind": "person", "id": 7}], "source": {"kind": "other"}, "fault_types": [1],
    "act_ids": [], "facts": "违反执法程序擅自立案", "fault_on": "2026-11-02"}))]
pub struct NewCaseRequest {
    pub respondents: Vec<Respondent>,
    pub source: Source,
    /// ACC-4 (1)–(7).
    pub fault_types: Vec<u8>,
    #[serde(default)]
    pub act_ids: Vec<i64>,
    pub facts: String,
    /// When the fault happened (ACC-7(2) counts a year back from it).
    pub fault_on: NaiveDate,
}

/// Propose a case (status `proposed`). A source record (finding, petition, overdue decision,
/// training consequence) opens one case only; a case from a training consequence names the
/// person it befell among its respondents.
#[utoipa::path(tag = "accountability", request_body = NewCaseRequest, responses((status = 201, body = CaseView),
    (status = 409, description = "The source is already referred (`already_referred`, ACC-7(2))", body = Problem, content_type = "application/problem+json")))]
#[post("/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewCaseRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let facts = check.text("facts", &b.facts, 20_000);
    if b.fault_on > crate::db::today() {
        check.fail("fault_on", "must not be in the future");
    }
    check.reportable_day("fault_on", b.fault_on);
    if has_repeats(&b.act_ids) {
        check.fail("act_ids", "an act is listed twice");
    }
    check.finish()?;
    let fault_types = check_fault_types(&b.fault_types)?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let respondents = resolve(conn, &b.respondents)?;
            match (b.source.kind, b.source.id) {
                (SourceKind::Other, Some(_)) => {
                    return Err(AppError::field("source.id", "an `other` source names no record"))
                }
                (SourceKind::Other, None) | (_, Some(_)) => {}
                (kind, None) => {
                    return Err(AppError::field(
                        "source.id",
                        format!("a {kind} source names its record"),
                    ))
                }
            }
            if let Some(id) = b.source.id {
                if !store::source_exists(conn, b.source.kind, id)? {
                    return Err(AppError::field("source.id", format!("no {} {id}", b.source.kind)));
                }
                match b.source.kind {
                    SourceKind::OverdueDisclosure => {
                        overdue_act(conn, id, crate::db::today())?;
                    }
                    SourceKind::Training => names_the_trainee(conn, id, &respondents)?,
                    _ => {}
                }
            }
            for a in &b.act_ids {
                crate::acts::store::get(conn, *a, Visibility::All)
                    .map_err(|_| AppError::field("act_ids", format!("no act {a}")))?;
            }
            let new = NewCase {
                source_kind: b.source.kind,
                source_id: b.source.id,
                fault_types,
                act_ids: serde_json::to_string(&b.act_ids).unwrap_or_default(),
                facts,
                fault_on: b.fault_on,
                respondents,
            };
            open_case(conn, &actor, by, new)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// A case from a training consequence (TRN-7) is about the person it befell: it names them.
fn names_the_trainee(
    conn: &mut DbConn,
    consequence: i64,
    respondents: &[(RespondentKind, i64, i64)],
) -> Result<(), AppError> {
    let person = store::consequence_person(conn, consequence)?;
    if respondents
        .iter()
        .any(|&(k, id, _)| k == RespondentKind::Person && id == person)
    {
        return Ok(());
    }
    Err(AppError::field(
        "respondents",
        format!("training consequence {consequence} befell person {person}: a case from it names them"),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferRequest {
    /// ACC-4 (1)–(7); an overdue disclosure defaults to (7).
    #[serde(default)]
    pub fault_types: Vec<u8>,
    /// Default: the finding's officer (or its department); an act's officers.
    #[serde(default)]
    pub respondents: Vec<Respondent>,
    #[serde(default)]
    pub facts: String,
}

/// Who a finding's referral names unless told: its officer; else the officers of its act; else
/// its department.
fn finding_respondents(conn: &mut DbConn, f: &crate::supervision::store::Finding) -> Result<Vec<Respondent>, AppError> {
    let person = |id| Respondent {
        kind: RespondentKind::Person,
        id,
    };
    if let Some(o) = f.officer_id {
        return Ok(vec![person(o)]);
    }
    let officers = match f.act_id {
        Some(a) => crate::acts::store::officers(conn, a)?,
        None => Vec::new(),
    };
    if officers.is_empty() {
        return Ok(vec![Respondent {
            kind: RespondentKind::Department,
            id: f.department_id,
        }]);
    }
    Ok(officers.into_iter().map(|(id, _)| person(id)).collect())
}

/// Refer a supervision finding to accountability (SUP-7, last paragraph): a `proposed` case.
#[utoipa::path(tag = "accountability", request_body = ReferRequest, responses((status = 201, body = CaseView),
    (status = 409, description = "The source is already referred (`already_referred`, ACC-7(2))", body = Problem, content_type = "application/problem+json")))]
#[post("/{id}/refer")]
pub async fn refer_finding(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ReferRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let fault_types = check_fault_types(&b.fault_types)?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let f = crate::supervision::store::finding(conn, id, Visibility::All).map_err(missing("finding"))?;
            let act = f
                .act_id
                .map(|a| crate::acts::store::get(conn, a, Visibility::All))
                .transpose()?;
            let named = if b.respondents.is_empty() {
                finding_respondents(conn, &f)?
            } else {
                b.respondents.clone()
            };
            let facts = if b.facts.trim().is_empty() {
                f.description.clone()
            } else {
                b.facts.trim().to_owned()
            };
            let new = NewCase {
                source_kind: SourceKind::Finding,
                source_id: Some(id),
                fault_types,
                act_ids: serde_json::to_string(&f.act_id.into_iter().collect::<Vec<_>>()).unwrap_or_default(),
                facts,
                // The fault is the act's, when the finding is about one (ACC-7(2) dates it).
                fault_on: act.map_or(f.found_on, |a| a.decision_date),
                respondents: resolve(conn, &named)?,
            };
            open_case(conn, &actor, by, new)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// Refer a decision whose publication is overdue (PUB-6: 应当公示而未按照规定予以公示的，按责任追究
/// 制度的规定追究执法责任): a `proposed` case against the act's officers. A decision published after
/// its deadline may be referred too; an act is referred once.
#[utoipa::path(tag = "accountability", request_body = ReferRequest, responses((status = 201, body = CaseView),
    (status = 409, description = "The source is already referred (`already_referred`, ACC-7(2))", body = Problem, content_type = "application/problem+json")))]
#[post("/overdue/{act_id}/refer")]
pub async fn refer_overdue(
    state: web::Data<AppState>,
    caller: Caller,
    act_id: Path<i64>,
    body: Json<ReferRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (act_id.get()?.into_inner(), body.get()?.into_inner());
    let types = if b.fault_types.is_empty() {
        vec![7]
    } else {
        b.fault_types.clone()
    };
    let fault_types = check_fault_types(&types)?;
    let (actor, by, today) = (caller.actor(), caller.user_id, crate::db::today());
    let v = state
        .db
        .write(move |conn| {
            let act = overdue_act(conn, id, today)?;
            let named = if b.respondents.is_empty() {
                let officers = crate::acts::store::officers(conn, id)?;
                officers
                    .into_iter()
                    .map(|(p, _)| Respondent {
                        kind: RespondentKind::Person,
                        id: p,
                    })
                    .collect()
            } else {
                b.respondents.clone()
            };
            let facts = if b.facts.trim().is_empty() {
                overdue_facts(&act)
            } else {
                b.facts.trim().to_owned()
            };
            let new = NewCase {
                source_kind: SourceKind::OverdueDisclosure,
                source_id: Some(id),
                fault_types,
                act_ids: serde_json::to_string(&[id]).unwrap_or_default(),
                facts,
                fault_on: act.disclosure_due_on + chrono::Days::new(1),
                respondents: resolve(conn, &named)?,
            };
            open_case(conn, &actor, by, new)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// What the case says happened when the referrer says nothing: not published by the due day,
/// or published only after it.
fn overdue_facts(act: &crate::acts::store::Act) -> String {
    let due = act.disclosure_due_on;
    match act.disclosed_on {
        Some(on) => format!(
            "执法决定（行为{}）的公示期限至{due}（含当日），迟至{on}方予公示",
            act.id
        ),
        None => format!("执法决定（行为{}）的公示期限至{due}（含当日），逾期未公示", act.id),
    }
}

/// The act `id` if its decision missed its publication deadline (PUB-6). Published after its
/// deadline is not published 按照规定 either, and a revocation after it does not undo the
/// omission.
fn overdue_act(conn: &mut DbConn, id: i64, today: NaiveDate) -> Result<crate::acts::store::Act, AppError> {
    let act = crate::acts::store::get(conn, id, Visibility::All).map_err(missing("act"))?;
    let revoked_on = act.revoked_at.map(crate::db::china_date);
    if deadline_missed(act.disclosure_due_on, act.disclosed_on, revoked_on, today) {
        return Ok(act);
    }
    Err(AppError::rule(
        "not_overdue",
        format!(
            "the decision of act {id} is neither overdue nor was it published or revoked after its due day {}",
            act.disclosure_due_on
        ),
        Basis::of(&[crate::publicity::rules::PUB_6]),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// List cases (staff: only cases naming them).
#[utoipa::path(tag = "accountability", params(CaseQuery), responses((status = 200, body = Page<CaseView>)))]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<CaseQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.get()?.into_inner();
    let page = PageRequest::parse(q.limit, q.after.as_deref())?;
    let vis = visibility(&caller);
    let views = state
        .db
        .read(move |conn| {
            let rows = store::list(conn, vis, q.status, page)?;
            rows.into_iter()
                .map(|c| view(conn, c, matches!(vis, CaseVisibility::Respondent(_))))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, page, |c| c.id)))
}

/// One case (staff: only a case naming them; the reporter of a report is never shown).
#[utoipa::path(tag = "accountability", responses((status = 200, body = CaseView)))]
#[get("/cases/{id}")]
pub async fn get_case(state: web::Data<AppState>, caller: Caller, id: Path<i64>) -> Result<HttpResponse, AppError> {
    let (id, vis) = (id.get()?.into_inner(), visibility(&caller));
    Ok(HttpResponse::Ok().json(state.db.read(move |conn| detail(conn, id, vis)).await?))
}

fn wrong_state(current: CaseStatus) -> AppError {
    AppError::Conflict {
        code: "case_state",
        detail: format!("the case is {current}; this step does not follow from it"),
        basis: Basis::of(&[acc(10)]),
    }
}

/// The steps other systems hear of.
fn event_of(status: CaseStatus) -> Option<crate::events::EventType> {
    use crate::events::EventType;
    match status {
        CaseStatus::Decided => Some(EventType::CaseDecided),
        CaseStatus::Served => Some(EventType::CaseServed),
        CaseStatus::AppealDecided => Some(EventType::CaseAppealDecided),
        _ => None,
    }
}

/// Runs one step: checks the transition, applies `run`, audits, answers the case.
async fn step(
    state: &AppState,
    caller: &Caller,
    id: i64,
    step: CaseStep,
    run: impl FnOnce(&mut DbConn, &Case) -> Result<serde_json::Value, AppError> + Send + 'static,
) -> Result<HttpResponse, AppError> {
    let (actor, me) = (caller.actor(), caller.person_id);
    let vis = visibility(caller);
    let v = state
        .db
        .write(move |conn| {
            let c = store::get(conn, id, vis).map_err(missing("case"))?;
            let to = rules::case_step(c.status, step).map_err(wrong_state)?;
            // A respondent appeals; every other step is someone else's to take.
            if step != CaseStep::Appeal {
                let respondents = store::respondents(conn, id)?;
                if respondents
                    .iter()
                    .any(|(k, p, _)| *k == RespondentKind::Person && Some(*p) == me)
                {
                    return Err(AppError::Forbidden(
                        "no one handles a case in which they are a respondent".into(),
                    ));
                }
            }
            let change = run(conn, &c)?;
            store::set_status(conn, id, to, crate::db::now())?;
            audit::append(conn, &actor, &format!("case.{to}"), "case", id, &change)?;
            if let Some(t) = event_of(to) {
                crate::events::emit(conn, t, id, &serde_json::json!({"case_id": id, "status": to}))?;
            }
            detail(conn, id, vis)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Start investigating (the supervisory office, ACC-10).
#[utoipa::path(tag = "accountability", responses((status = 200, body = CaseView), (status = 409, description = "Not proposed", body = Problem, content_type = "application/problem+json")))]
#[post("/cases/{id}/investigate")]
pub async fn start_investigation(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    step(&state, &caller, id, CaseStep::Investigate, |_, _| {
        Ok(serde_json::json!({}))
    })
    .await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"how": {"mode": "direct", "staff": [7]}, "circumstances": {"mitigating": [1]}, "severity": "minor", "text": "建议给予批评教育"}))]
pub struct OpinionRequest {
    /// How the act at fault was made (ACC-5). Required when a person is a respondent; a case
    /// against departments only allocates nothing among persons.
    pub how: Option<HowMade>,
    #[serde(default)]
    pub circumstances: Circumstances,
    /// The severity the facts show before circumstances (情节).
    pub severity: Severity,
    pub text: String,
}

/// Each article once, in the order first cited.
fn distinct(refs: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in refs {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Write the office's preliminary opinion (初步意见): the allocation of responsibility (ACC-5)
/// and the circumstances; ACC-7(2) is added when a respondent was held accountable for another
/// fault within a year of this one (before or after it), with those cases as evidence. Until
/// the leadership group decides, the office may write it again (the group sending it back for
/// revision, ACC-10); the latest opinion is the one decided on.
#[utoipa::path(tag = "accountability", request_body = OpinionRequest,
    responses((status = 200, body = CaseView), (status = 409, description = "Not investigating, nor awaiting the decision", body = Problem, content_type = "application/problem+json")))]
#[post("/cases/{id}/opinion")]
pub async fn write_opinion(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<OpinionRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, mut b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let unknown = b.circumstances.unknown();
    if !unknown.is_empty() {
        return Err(AppError::field(
            "circumstances",
            format!("not in ACC-7, ACC-8 or ACC-9: {}", unknown.join(", ")),
        ));
    }
    step(&state, &caller, id, CaseStep::Opinion, move |conn, c| {
        let allocation = match &b.how {
            Some(how) => super::api::allocate_among(conn, how)?,
            None => Vec::new(),
        };
        let respondents = store::respondents(conn, c.id)?;
        if b.how.is_none() && respondents.iter().any(|(k, ..)| *k == RespondentKind::Person) {
            return Err(AppError::field(
                "how",
                "a person is a respondent: state how the act was made, to allocate responsibility (ACC-5)",
            ));
        }
        let strangers: Vec<i64> = allocation
            .iter()
            .filter(|a| a.share != Share::None)
            .filter(|a| !respondents.iter().any(|(k, p, _)| *k == RespondentKind::Person && *p == a.person_id))
            .map(|a| a.person_id)
            .collect();
        if !strangers.is_empty() {
            return Err(AppError::field(
                "how",
                format!("person(s) {strangers:?} would bear a share but are not respondents of the case: a decision could not hold them responsible"),
            ));
        }
        // ACC-7 aggravates the 过错责任人: a respondent bearing no share of this fault is not
        // aggravated by it, nor does their history aggravate the others. (Everyone bearing a
        // share is a respondent: see `strangers`.)
        let responsible = allocation.iter().filter(|a| a.share != Share::None).map(|a| a.person_id);
        let repeated = repeated_faults(conn, c, responsible, crate::db::today())?;
        if !repeated.is_empty() {
            b.circumstances.aggravating.insert(2);
        } else if b.circumstances.aggravating.contains(&2) {
            return Err(AppError::rule(
                "acc_7_2_not_found",
                "ACC-7(2) is found from the register, and no respondent bearing a share has another accountable fault within a year of this one",
                Basis::of(&[ArticleRef::item(Regime::Acc, 7, 2)]),
            ));
        }
        let opinion = serde_json::json!({
            "allocation": allocation, "circumstances": b.circumstances, "severity": b.severity, "text": b.text.trim(),
            "open_outcomes": rules::open_outcomes(b.severity, &b.circumstances),
            "detected": {"ACC-7(2)": repeated},
            "basis": distinct(allocation.iter().map(|a| a.basis.clone()).chain(b.circumstances.basis().iter().map(ToString::to_string))),
        });
        store::set_opinion(conn, c.id, &opinion.to_string(), crate::db::now())?;
        Ok(opinion)
    })
    .await
}

/// ACC-7(2) from the register: each person's other accountable faults within a year of this
/// case's, as `{"person_id", "cases"}`.
fn repeated_faults(
    conn: &mut DbConn,
    c: &store::Case,
    people: impl IntoIterator<Item = i64>,
    as_of: NaiveDate,
) -> Result<Vec<serde_json::Value>, AppError> {
    let mut repeated = Vec::new();
    for person in people {
        // A fault that had not happened by the day of the opinion or decision cannot count.
        let mut others = store::accountable_faults_of(conn, person, c.id)?;
        others.retain(|(_, fault_on)| *fault_on <= as_of);
        let hits = rules::repeated_within_a_year(c.fault_on, &others);
        if !hits.is_empty() {
            repeated.push(serde_json::json!({"person_id": person, "cases": hits}));
        }
    }
    Ok(repeated)
}

/// The opinion as it reads on the day of decision: ACC-7(2) found again from the register, as
/// a fault it rested on may since have been revoked on appeal, or another been decided; a
/// decision recorded later counts only faults that had happened by its day.
fn with_repeats_refound(
    conn: &mut DbConn,
    c: &store::Case,
    mut opinion: serde_json::Value,
    decided_on: NaiveDate,
) -> Result<serde_json::Value, AppError> {
    let responsible: Vec<i64> = opinion["allocation"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["share"] != Share::None.as_str())
        .filter_map(|a| a["person_id"].as_i64())
        .collect();
    let repeated = repeated_faults(conn, c, responsible, decided_on)?;
    let mut circumstances: Circumstances = serde_json::from_value(opinion["circumstances"].clone()).unwrap_or_default();
    if repeated.is_empty() {
        circumstances.aggravating.remove(&2);
    } else {
        circumstances.aggravating.insert(2);
    }
    if let Ok(base) = serde_json::from_value::<Severity>(opinion["severity"].clone()) {
        opinion["open_outcomes"] = serde_json::json!(rules::open_outcomes(base, &circumstances));
    }
    opinion["circumstances"] = serde_json::json!(circumstances);
    opinion["detected"] = serde_json::json!({"ACC-7(2)": repeated});
    Ok(opinion)
}

/// Sanctions on one person.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonSanctions {
    pub person_id: i64,
    pub sanctions: Vec<Sanction>,
}

/// Sanctions on one department.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentSanctions {
    pub department_id: i64,
    pub sanctions: Vec<DepartmentSanction>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"severity": "minor", "persons": [{"person_id": 7, "sanctions": ["warning", "certificate_suspension"]}], "departments": [], "text": "给予警告处分"}))]
pub struct DecisionRequest {
    /// Absent: no liability (an exempting circumstance, or mitigation to exemption).
    pub severity: Option<Severity>,
    /// Every person the opinion holds responsible is listed (422 `respondent_missing`) with
    /// exactly one 处分 of the severity (422 `penalty_missing`, `one_penalty`); measures such
    /// as a suspended certificate come besides it, and what the severity imposes is added (see
    /// `/accountability/sanctions`).
    #[serde(default)]
    pub persons: Vec<PersonSanctions>,
    /// Every department respondent gets all three department sanctions of ACC-6, listed or not.
    #[serde(default)]
    pub departments: Vec<DepartmentSanctions>,
    #[serde(default)]
    pub text: String,
    /// The day the leadership group decided (ACC-10), when recorded later; not before the
    /// fault, not in the future. Default: today. Not part of an appeal's new decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
}

/// The day a decision was taken: as stated, else today; never before the fault nor later
/// than today.
fn decision_day(d: &DecisionRequest, fault_on: NaiveDate, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let day = d.decided_on.unwrap_or(today);
    if day < fault_on || day > today {
        return Err(AppError::field(
            "decided_on",
            format!("must be from the fault day {fault_on} to today"),
        ));
    }
    Ok(day)
}

/// What a decision rests on. With a severity: the ACC-5 item allocating each sanctioned
/// person's share, ACC-6 and its item for the severity, and the circumstances weighed (ACC-7,
/// ACC-8); with none: ACC-9 where a circumstance exempts, else ACC-8 (mitigated to 免于追究).
fn decision_basis(d: &DecisionRequest, opinion: &serde_json::Value) -> Vec<String> {
    let circumstances: Circumstances = serde_json::from_value(opinion["circumstances"].clone()).unwrap_or_default();
    let Some(severity) = d.severity else {
        let article = if circumstances.exempting.is_empty() { 8 } else { 9 };
        return vec![acc(article).to_string()];
    };
    let sanctioned: Vec<i64> = d
        .persons
        .iter()
        .filter(|p| !p.sanctions.is_empty())
        .map(|p| p.person_id)
        .collect();
    let shares = opinion["allocation"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["person_id"].as_i64().is_some_and(|id| sanctioned.contains(&id)))
        .filter_map(|a| a["basis"].as_str().map(str::to_owned));
    let level = match severity {
        Severity::Minor => 1,
        Severity::Serious => 2,
        Severity::Criminal => 3,
    };
    let item = (!sanctioned.is_empty()).then(|| ArticleRef::item(Regime::Acc, 6, level).to_string());
    distinct(
        shares
            .chain([acc(6).to_string()])
            .chain(item)
            .chain(circumstances.basis().iter().map(ToString::to_string)),
    )
}

/// `minor, serious`, or `no liability` for `None`.
fn outcome_names(open: &[Option<Severity>]) -> String {
    let names: Vec<&str> = open.iter().map(|o| o.map_or("no liability", |s| s.as_str())).collect();
    names.join(", ")
}

/// Checks a decision against the opinion: the severity must be one the circumstances open
/// (ACC-7/8/9), and its sanctions must fit it (`check_sanctions`).
fn check_decision(opinion: &serde_json::Value, d: &DecisionRequest) -> Result<(), AppError> {
    let base: Severity = serde_json::from_value(opinion["severity"].clone())
        .map_err(|_| AppError::Internal("opinion unreadable".into()))?;
    let circumstances: Circumstances = serde_json::from_value(opinion["circumstances"].clone()).unwrap_or_default();
    let open = rules::open_outcomes(base, &circumstances);
    if !open.contains(&d.severity) {
        let basis = if circumstances.exempting.is_empty() {
            Basis::of(&[acc(6), acc(7), acc(8)])
        } else {
            Basis::of(&[acc(9)])
        };
        return Err(AppError::rule(
            "severity_not_open",
            format!("the circumstances allow only: {}", outcome_names(&open)),
            basis,
        ));
    }
    check_sanctions(opinion, d)
}

/// Every sanction allowed for the decision's severity (ACC-6), every sanctioned person liable
/// in the opinion (ACC-5), every liable person listed.
fn check_sanctions(opinion: &serde_json::Value, d: &DecisionRequest) -> Result<(), AppError> {
    let allocation: Vec<serde_json::Value> = opinion["allocation"].as_array().cloned().unwrap_or_default();
    if has_repeats(d.persons.iter().map(|p| p.person_id)) || has_repeats(d.departments.iter().map(|x| x.department_id))
    {
        return Err(AppError::field(
            "persons",
            "a person or department is listed twice: list each once with all its sanctions",
        ));
    }
    for p in &d.persons {
        let liable = allocation
            .iter()
            .any(|a| a["person_id"] == p.person_id && a["share"] != Share::None.as_str());
        if !liable && !p.sanctions.is_empty() {
            return Err(AppError::rule(
                "not_liable",
                format!("person {} bears no responsibility in the opinion", p.person_id),
                Basis::of(&[acc(5)]),
            ));
        }
        let Some(severity) = d.severity else {
            if p.sanctions.is_empty() {
                continue;
            }
            return Err(AppError::rule(
                "no_liability",
                "with no liability nothing is imposed",
                Basis::of(&[acc(9)]),
            ));
        };
        if has_repeats(&p.sanctions) {
            return Err(AppError::field(
                "persons",
                format!("a sanction is listed twice for person {}", p.person_id),
            ));
        }
        let penalties = rules::penalties(severity);
        let chosen: Vec<&str> = p
            .sanctions
            .iter()
            .filter(|s| penalties.contains(s))
            .map(|s| s.as_str())
            .collect();
        if chosen.len() > 1 {
            return Err(AppError::rule(
                "one_penalty",
                format!(
                    "ACC-6 gives person {} one 处分, not {}",
                    p.person_id,
                    chosen.join(" and ")
                ),
                Basis::of(&[rules::severity_basis(severity)]),
            ));
        }
        let refused = rules::refused(severity, &p.sanctions);
        if !refused.is_empty() {
            let names: Vec<&str> = refused.iter().map(|s| s.as_str()).collect();
            return Err(AppError::rule(
                "sanction_not_allowed",
                format!("a {severity} fault does not allow: {}", names.join(", ")),
                Basis::of(&[rules::severity_basis(severity)]),
            ));
        }
        // Held responsible: ACC-6 gives a 处分 at every severity; measures such as off-post
        // training or a suspended certificate come besides it, never instead.
        if liable && chosen.is_empty() {
            let names: Vec<&str> = rules::penalties(severity).iter().map(|s| s.as_str()).collect();
            return Err(AppError::rule(
                "penalty_missing",
                format!(
                    "a {severity} fault gives person {} one of: {}",
                    p.person_id,
                    names.join(", ")
                ),
                Basis::of(&[rules::severity_basis(severity)]),
            ));
        }
    }
    if d.severity.is_none() && d.departments.iter().any(|x| !x.sanctions.is_empty()) {
        return Err(AppError::rule(
            "no_liability",
            "with no liability nothing is imposed",
            Basis::of(&[acc(9)]),
        ));
    }
    every_liable_person_listed(&allocation, d)
}

/// With a severity, the decision handles every person the opinion holds responsible (ACC-6
/// 对…责任人，按照下列规定处理): leaving one out would hold them accountable (ACC-7(2),
/// awards) with nothing decided about them.
fn every_liable_person_listed(allocation: &[serde_json::Value], d: &DecisionRequest) -> Result<(), AppError> {
    let Some(severity) = d.severity else { return Ok(()) };
    let missing: Vec<String> = allocation
        .iter()
        .filter(|a| a["share"] != Share::None.as_str())
        .filter_map(|a| a["person_id"].as_i64())
        .filter(|id| !d.persons.iter().any(|p| p.person_id == *id))
        .map(|id| id.to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::rule(
        "respondent_missing",
        format!(
            "the opinion holds person {} responsible: a {severity} decision gives each of them a 处分",
            missing.join(", ")
        ),
        Basis::of(&[acc(5), rules::severity_basis(severity)]),
    ))
}

/// The decision as ACC-6 makes it: each person's chosen 处分 with what the severity imposes
/// besides, and every department respondent ordered to correct, criticised and excluded from
/// awards. Stored so, the effects follow from it.
fn as_imposed(mut d: DecisionRequest, respondents: &[(RespondentKind, i64, i64)]) -> DecisionRequest {
    let Some(severity) = d.severity else { return d };
    // A person bearing no share is listed with nothing (`check_decision`) and stays so.
    for p in d.persons.iter_mut().filter(|p| !p.sanctions.is_empty()) {
        p.sanctions = rules::with_imposed(severity, &p.sanctions);
    }
    for (kind, id, _) in respondents {
        if *kind == RespondentKind::Department && !d.departments.iter().any(|x| x.department_id == *id) {
            d.departments.push(DepartmentSanctions {
                department_id: *id,
                sanctions: Vec::new(),
            });
        }
    }
    for x in &mut d.departments {
        x.sanctions = rules::DEPARTMENT_SANCTIONS.to_vec();
    }
    d
}

/// Applies the certificate effects of the sanctions (ACC-14) as of the decision's day `on`;
/// returns what changed.
fn apply_effects(
    conn: &mut DbConn,
    case: i64,
    d: &DecisionRequest,
    on: NaiveDate,
    by: Option<i64>,
) -> Result<Vec<serde_json::Value>, AppError> {
    let mut effects = Vec::new();
    for p in &d.persons {
        if p.sanctions.contains(&Sanction::OffPostTraining) {
            let order = crate::training::store::add_consequence(
                conn,
                p.person_id,
                crate::training::rules::ConsequenceKind::OffPostTraining,
                crate::training::rules::Cause::AccountabilityCase,
                case,
                on,
                crate::db::now(),
            )?;
            effects.push(serde_json::json!({"training_order_id": order, "person_id": p.person_id}));
        }
        for sanction in &p.sanctions {
            let to = match sanction {
                Sanction::CertificateSuspension => CertificateStatus::Suspended,
                Sanction::CertificateConfiscation => CertificateStatus::Revoked,
                _ => continue,
            };
            let held = crate::org::store::certificates::held_by(conn, p.person_id)?;
            let target = crate::org::rules::certificate_to_take(
                &held,
                to,
                CauseKind::AccountabilityDecision,
                crate::db::today(),
            );
            if let Some((cert, from)) = target {
                let reason = format!("ACC-6: accountability case {case}");
                let change = crate::org::store::certificates::Change {
                    to,
                    reason: &reason,
                    cause_kind: CauseKind::AccountabilityDecision,
                    cause_ref: Some(case),
                    by,
                };
                crate::org::store::certificates::change_status_from(conn, cert, from, &change, on, crate::db::now())?;
                effects.push(
                    serde_json::json!({"certificate_id": cert, "person_id": p.person_id, "from": from, "to": to}),
                );
            } else if let Some(card) = already_withdrawn(&held, to) {
                // Withdrawn already (by another decision or cause): this decision withdraws it
                // too, so the card stays withdrawn while either stands.
                effects.push(
                    serde_json::json!({"certificate_id": card, "person_id": p.person_id, "to": to, "already": true}),
                );
            }
        }
    }
    Ok(effects)
}

/// The card a withdrawal to `to` finds already withdrawn as far, the latest to expire.
fn already_withdrawn(held: &[crate::org::rules::HeldCertificate], to: CertificateStatus) -> Option<i64> {
    held.iter()
        .filter(|c| c.status.withdrawal_rank() >= to.withdrawal_rank())
        .max_by_key(|c| (c.expires_on, c.id))
        .map(|c| c.id)
}

/// Reverses certificate effects no longer supported: each certificate returns, through the
/// appeal, to what still stands without this case (valid, or a withdrawal by another cause or
/// another standing decision), as a new history entry dated back to the decision's day.
fn reverse_effects(
    conn: &mut DbConn,
    case: i64,
    decided_on: Option<NaiveDate>,
    effects: &[serde_json::Value],
    keep: &DecisionRequest,
    by: Option<i64>,
) -> Result<Vec<serde_json::Value>, AppError> {
    let mut reversed = Vec::new();
    for e in effects {
        let (Some(order), Some(person)) = (e["training_order_id"].as_i64(), e["person_id"].as_i64()) else {
            continue;
        };
        let still = keep
            .persons
            .iter()
            .any(|p| p.person_id == person && p.sanctions.contains(&Sanction::OffPostTraining));
        if !still {
            crate::training::store::lift(
                conn,
                person,
                crate::training::rules::Cause::AccountabilityCase,
                case,
                crate::db::today(),
            )?;
            reversed.push(serde_json::json!({"training_order_id": order, "person_id": person, "lifted": true}));
        }
    }
    for e in effects {
        let (Some(cert), Some(person)) = (e["certificate_id"].as_i64(), e["person_id"].as_i64()) else {
            continue;
        };
        // The same sanction must stand: a confiscation modified into a suspension is reversed,
        // and the suspension then applies as a sanction the new decision adds.
        let took = match e["to"].as_str().and_then(|t| t.parse::<CertificateStatus>().ok()) {
            Some(CertificateStatus::Suspended) => Sanction::CertificateSuspension,
            _ => Sanction::CertificateConfiscation,
        };
        let still = keep
            .persons
            .iter()
            .any(|p| p.person_id == person && p.sanctions.contains(&took));
        if still {
            continue;
        }
        let current = crate::org::store::certificates::get_visible(conn, cert, Visibility::All)?.status;
        let (to, why) = status_without(conn, cert, person, case)?;
        if to.withdrawal_rank() >= current.withdrawal_rank() {
            if current != CertificateStatus::Valid {
                let mut kept = why;
                kept.insert("certificate_id".into(), cert.into());
                kept.insert("kept".into(), serde_json::json!(current));
                reversed.push(kept.into());
            }
            continue;
        }
        let reason = format!("ACC-13: appeal against case {case}");
        let change = crate::org::store::certificates::Change {
            to,
            reason: &reason,
            cause_kind: CauseKind::Appeal,
            cause_ref: Some(case),
            by,
        };
        // The sanction dropped on appeal never stood: the card is valid again from the day the
        // decision took it (never before a later change of the card's).
        let from = decided_on.unwrap_or_else(crate::db::today);
        crate::org::store::certificates::change_status_from(conn, cert, current, &change, from, crate::db::now())?;
        reversed.push(serde_json::json!({"certificate_id": cert, "from": current, "to": to}));
    }
    Ok(reversed)
}

/// What a card's status is once `case`'s withdrawal is gone: the stronger of what other causes
/// left it at (its last change not made by an accountability decision or appeal — a SUP-7(2)
/// measure, the legal office — or valid as issued) and what another standing decision imposes
/// on its holder; with what keeps it there.
fn status_without(
    conn: &mut DbConn,
    cert: i64,
    person: i64,
    case: i64,
) -> Result<(CertificateStatus, serde_json::Map<String, serde_json::Value>), AppError> {
    let history = crate::org::store::certificates::history(conn, cert)?;
    let other_cause = history
        .iter()
        .rev()
        .find(|h| !matches!(h.cause_kind, CauseKind::AccountabilityDecision | CauseKind::Appeal));
    let mut why = serde_json::Map::new();
    let mut status = CertificateStatus::Valid;
    if let Some(h) = other_cause {
        status = h.to_status;
        why.insert(
            "by_cause".into(),
            serde_json::json!({"kind": h.cause_kind, "id": h.cause_ref}),
        );
    }
    if let Some((other, level)) = store::other_withdrawal(conn, person, case)? {
        if level.withdrawal_rank() > status.withdrawal_rank() {
            status = level;
            why = serde_json::Map::from_iter([("by_case".to_owned(), other.into())]);
        }
    }
    Ok((status, why))
}

/// Decide the case (the leadership group). Effects apply at once (ACC-14): a suspended or
/// confiscated certificate names the case as its cause.
#[utoipa::path(tag = "accountability", request_body = DecisionRequest,
    responses((status = 200, body = CaseView), (status = 409, description = "No opinion yet", body = Problem, content_type = "application/problem+json")))]
#[post("/cases/{id}/decide")]
pub async fn decide_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<DecisionRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, d) = (id.get()?.into_inner(), body.get()?.into_inner());
    let by = caller.user_id;
    step(&state, &caller, id, CaseStep::Decide, move |conn, c| {
        let decided_on = decision_day(&d, c.fault_on, crate::db::today())?;
        let opinion = with_repeats_refound(conn, c, record(c.opinion.as_deref()), decided_on)?;
        check_decision(&opinion, &d)?;
        let respondents = store::respondents(conn, c.id)?;
        for p in &d.persons {
            if !respondents
                .iter()
                .any(|(k, i, _)| *k == RespondentKind::Person && *i == p.person_id)
            {
                return Err(AppError::field(
                    "persons",
                    format!("person {} is not a respondent", p.person_id),
                ));
            }
        }
        for x in &d.departments {
            if !respondents
                .iter()
                .any(|(k, i, _)| *k == RespondentKind::Department && *i == x.department_id)
            {
                return Err(AppError::field(
                    "departments",
                    format!("department {} is not a respondent", x.department_id),
                ));
            }
        }
        let d = as_imposed(d, &respondents);
        let effects = apply_effects(conn, c.id, &d, decided_on, Some(by))?;
        let mut basis = decision_basis(&d, &opinion);
        if d.severity.is_some() {
            basis.push(acc(14).to_string());
        }
        let decision = serde_json::json!({"request": d, "effects": effects, "basis": basis,
            "circumstances": opinion["circumstances"], "detected": opinion["detected"]});
        store::set_decision(conn, c.id, &decision.to_string(), decided_on, crate::db::now())?;
        Ok(decision)
    })
    .await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServeRequest {
    /// The day the respondents received the decision; not before it, not in the future.
    pub served_on: NaiveDate,
}

/// Record that the decision was served (送达); the appeal window starts the next day.
#[utoipa::path(tag = "accountability", request_body = ServeRequest,
    responses((status = 200, body = CaseView), (status = 409, description = "Not decided", body = Problem, content_type = "application/problem+json")))]
#[post("/cases/{id}/serve")]
pub async fn serve_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<ServeRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let today = crate::db::today();
    step(&state, &caller, id, CaseStep::Serve, move |conn, c| {
        if c.decided_on.is_some_and(|d| b.served_on < d) || b.served_on > today {
            return Err(AppError::field("served_on", "must be from the decision day to today"));
        }
        store::serve(conn, c.id, b.served_on, crate::db::now())?;
        Ok(serde_json::json!({"served_on": b.served_on}))
    })
    .await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"filed_on": "2026-11-20", "grounds": "事实认定有误"}))]
pub struct AppealRequest {
    pub filed_on: NaiveDate,
    pub grounds: String,
    /// The respondent who appealed, when the supervisory office records a written appeal (a
    /// department respondent, or a person without an account). A person appealing for
    /// themselves leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appellant: Option<Respondent>,
}

/// Who appeals: the caller themselves, or the respondent a written appeal names, recorded by the
/// supervisory office (ACC-13 被处理人).
fn appellant_of(caller: &Caller, named: Option<Respondent>) -> Result<Respondent, AppError> {
    let own = caller.person_id.map(|id| Respondent {
        kind: RespondentKind::Person,
        id,
    });
    match named {
        None => own.ok_or_else(|| AppError::Forbidden("only a respondent appeals (ACC-13)".into())),
        Some(r) if caller.role == Role::SupervisoryOffice || own.as_ref() == Some(&r) => Ok(r),
        Some(_) => Err(AppError::Forbidden(
            "only the supervisory office records a written appeal for another respondent (ACC-13)".into(),
        )),
    }
}

/// A JSON record kept on the case (its opinion, decision or appeal); null when there is none.
fn record(text: Option<&str>) -> serde_json::Value {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
}

/// Whether the decision was revoked on appeal: nothing of it stands.
fn revoked_on_appeal(c: &store::Case) -> bool {
    c.appeal_outcome.as_deref() == Some(AppealOutcome::Revoked.as_str())
}

impl DecisionRequest {
    /// What the decision gives `person`: nothing when it does not list them.
    fn sanctions_of(&self, person: i64) -> &[Sanction] {
        self.persons
            .iter()
            .find(|q| q.person_id == person)
            .map_or(&[][..], |q| &q.sanctions[..])
    }
}

/// An appeal answers the appellant's complaint: it never makes the decision heavier (不得因申诉
/// 加重处理). A modified decision's severity is at most the first one's, and each person's
/// sanctions are ones the first decision gave them or lighter ones of the same kind.
fn not_heavier(first: &DecisionRequest, d: &DecisionRequest) -> Result<(), AppError> {
    let heavier = |detail: String| Err(AppError::rule("appeal_heavier", detail, Basis::of(&[acc(13)])));
    if d.severity > first.severity {
        return heavier(format!(
            "the decision appealed was {}; an appeal does not make it heavier",
            first.severity.map_or("no liability", |s| s.as_str())
        ));
    }
    for p in &d.persons {
        let before = first.sanctions_of(p.person_id);
        let added: Vec<&str> = p
            .sanctions
            .iter()
            .filter(|s| !rules::no_heavier_than_any(**s, before))
            .map(|s| s.as_str())
            .collect();
        if !added.is_empty() {
            return heavier(format!(
                "the decision appealed gave person {} nothing as heavy as {}; an appeal does not make it heavier",
                p.person_id,
                added.join(", ")
            ));
        }
    }
    Ok(())
}

/// Appends `item` to the list at `key` of `v`, starting it if absent.
fn push(v: &mut serde_json::Value, key: &str, item: serde_json::Value) {
    match v[key].as_array_mut() {
        Some(list) => list.push(item),
        None => v[key] = serde_json::json!([item]),
    }
}

/// Everyone who has appealed: the stored appeal's appellant, those who joined it, and those of
/// the appeals decided before it.
fn appellants(appeal: &serde_json::Value) -> Vec<Respondent> {
    let mut out: Vec<Respondent> = serde_json::from_value(appeal["appellant"].clone())
        .into_iter()
        .collect();
    for key in ["joined", "earlier"] {
        for other in appeal[key].as_array().into_iter().flatten() {
            out.extend(appellants(other));
        }
    }
    out
}

/// The appeal window of a decision served on a day (ACC-13).
struct AppealWindow {
    /// Its length in days, by the rule set in force on the served day.
    days: u32,
    /// Its last day, moved past days off.
    last_day: NaiveDate,
    /// The years it crossed with no holiday schedule loaded.
    warnings: Vec<String>,
}

fn appeal_window(conn: &mut DbConn, served: NaiveDate) -> Result<AppealWindow, AppError> {
    let book = crate::rules::store::book(conn)?;
    let days = book.in_force(served)?.rule.values.appeal_window_days;
    let last_day = rules::appeal_deadline(served, days, &book.calendar);
    let unscheduled = book.calendar.unscheduled_between(served, last_day);
    Ok(AppealWindow {
        days,
        last_day,
        warnings: crate::rules::calendar::no_schedule_warnings(unscheduled),
    })
}

/// Whether the stored decision handles `who`: a person it sanctions, a department it orders to
/// correct. A dissenter overruled bears nothing (ACC-5(4)), nor does anyone under no liability.
fn handled_by(decision: &serde_json::Value, who: &Respondent) -> bool {
    let (list, key) = match who.kind {
        RespondentKind::Person => ("persons", "person_id"),
        RespondentKind::Department => ("departments", "department_id"),
    };
    decision["request"][list].as_array().is_some_and(|xs| {
        xs.iter()
            .any(|x| x[key] == who.id && x["sanctions"].as_array().is_some_and(|s| !s.is_empty()))
    })
}

/// Appeal the decision (a respondent, or the supervisory office recording a written appeal that
/// names its appellant), within the window of the rule set counted from the
/// day after service (ACC-13). The decision keeps applying meanwhile (ACC-14). Every respondent
/// the decision handles appeals on their own, once: beside a pending appeal (`appeal.joined`,
/// one appeal decision answers all), or after another's was decided (kept in
/// `appeal.earlier` with its outcome).
#[utoipa::path(tag = "accountability", request_body = AppealRequest,
    responses((status = 200, body = CaseView), (status = 409, description = "Not served (`case_state`), appealed already by this respondent (`already_appealed`), or revoked on appeal (`decision_revoked`)", body = Problem, content_type = "application/problem+json")))]
#[post("/cases/{id}/appeal")]
pub async fn file_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<AppealRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let mut check = Check::default();
    let grounds = check.text("grounds", &b.grounds, 20_000);
    check.finish()?;
    let today = crate::db::today();
    let recorded = b.appellant.is_some();
    let appellant = appellant_of(&caller, b.appellant)?;
    step(&state, &caller, id, CaseStep::Appeal, move |conn, c| {
        let respondents = store::respondents(conn, c.id)?;
        if !respondents
            .iter()
            .any(|(k, i, _)| *k == appellant.kind && *i == appellant.id)
        {
            return Err(if recorded {
                AppError::field(
                    "appellant",
                    format!("{} {} is not a respondent", appellant.kind, appellant.id),
                )
            } else {
                AppError::Forbidden("only a respondent appeals (ACC-13)".into())
            });
        }
        if !handled_by(&record(c.decision.as_deref()), &appellant) {
            return Err(AppError::rule(
                "appellant_not_handled",
                format!(
                    "the decision imposes nothing on {} {}: only those it handles (被处理人) appeal",
                    appellant.kind, appellant.id
                ),
                Basis::of(&[acc(13)]),
            ));
        }
        let prior = record(c.appeal.as_deref());
        if appellants(&prior).contains(&appellant) {
            return Err(AppError::conflict(
                "already_appealed",
                format!("{} {} has appealed this decision already", appellant.kind, appellant.id),
            ));
        }
        if revoked_on_appeal(c) {
            return Err(AppError::conflict(
                "decision_revoked",
                "the decision was revoked on appeal: nothing is left to appeal",
            ));
        }
        let served = c
            .served_on
            .ok_or_else(|| AppError::Internal("served case without a date".into()))?;
        if b.filed_on < served || b.filed_on > today {
            return Err(AppError::field("filed_on", "must be from the served day to today"));
        }
        let AppealWindow {
            days: window,
            last_day: deadline,
            ..
        } = appeal_window(conn, served)?;
        if b.filed_on > deadline {
            return Err(AppError::rule(
                "appeal_window_closed",
                format!(
                    "the appeal window of {window} days after service on {served}{} closed on {deadline}",
                    if deadline > served + chrono::Days::new(u64::from(window)) {
                        ", its last day moved past days off to the next working day,"
                    } else {
                        ""
                    }
                ),
                Basis::of(&[acc(13)]),
            ));
        }
        let by_person = (appellant.kind == RespondentKind::Person).then_some(appellant.id);
        let appeal = serde_json::json!({"filed_on": b.filed_on, "grounds": grounds, "appellant": appellant,
            "by_person": by_person, "recorded_by_office": recorded, "deadline": deadline});
        let stored = match (c.status, prior) {
            // Joins the pending appeal: one appeal decision answers both.
            (CaseStatus::Appealed, mut pending) if !pending.is_null() => {
                push(&mut pending, "joined", appeal.clone());
                pending
            }
            // After another's appeal was decided: that one is kept with its outcome.
            (CaseStatus::AppealDecided, mut decided) if !decided.is_null() => {
                let mut earlier = decided["earlier"].take();
                decided["outcome"] = serde_json::json!(c.appeal_outcome);
                let mut next = appeal.clone();
                next["earlier"] = earlier.take();
                push(&mut next, "earlier", decided);
                next
            }
            _ => appeal.clone(),
        };
        store::appeal(conn, c.id, &stored.to_string(), crate::db::now())?;
        Ok(appeal)
    })
    .await
}

crate::text_enum! {
    pub enum AppealOutcome {
        Upheld = "upheld",
        Modified = "modified",
        Revoked = "revoked",
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealDecisionRequest {
    pub outcome: AppealOutcome,
    /// The new decision when `modified`.
    pub decision: Option<DecisionRequest>,
    #[serde(default)]
    pub text: String,
}

/// Decide the appeal (the leadership group): `revoked` reverses every effect, `modified`
/// replaces the decision and reverses the effects it no longer supports; nothing is deleted.
/// The review weighs the case afresh (ACC-13), so a modified decision may take any severity up
/// to the one appealed, but never a heavier outcome: no sanction a person was not given, no
/// heavier 处分 or measure of the same kind.
#[utoipa::path(tag = "accountability", request_body = AppealDecisionRequest,
    responses((status = 200, body = CaseView), (status = 409, description = "Not appealed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The modified decision is heavier than the one appealed (`appeal_heavier`, ACC-13) or its sanctions do not fit its severity (ACC-6)", body = Problem, content_type = "application/problem+json")))]
#[post("/cases/{id}/appeal-decision")]
pub async fn decide_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Json<AppealDecisionRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, b) = (id.get()?.into_inner(), body.get()?.into_inner());
    let by = caller.user_id;
    step(&state, &caller, id, CaseStep::AppealDecision, move |conn, c| {
        let decision = record(c.decision.as_deref());
        let effects: Vec<serde_json::Value> = decision["effects"].as_array().cloned().unwrap_or_default();
        let empty = DecisionRequest {
            severity: None,
            persons: vec![],
            departments: vec![],
            text: String::new(),
            decided_on: None,
        };
        if b.outcome != AppealOutcome::Modified && b.decision.is_some() {
            return Err(AppError::field(
                "decision",
                format!("an appeal {} states no new decision: only `modified` does", b.outcome),
            ));
        }
        let (new_decision, reversed) = match b.outcome {
            AppealOutcome::Upheld => (None, Vec::new()),
            AppealOutcome::Revoked => (
                None,
                reverse_effects(conn, c.id, c.decided_on, &effects, &empty, Some(by))?,
            ),
            AppealOutcome::Modified => {
                let d = b
                    .decision
                    .clone()
                    .ok_or_else(|| AppError::field("decision", "a modified decision states the new one"))?;
                if d.decided_on.is_some() {
                    return Err(AppError::field(
                        "decision.decided_on",
                        "the appeal decision is dated when it is recorded",
                    ));
                }
                // 认真复查 (ACC-13): the review may weigh the case afresh and come to any
                // outcome up to the one appealed, its sanctions fitting the severity it finds.
                let previous: DecisionRequest = serde_json::from_value(decision["request"].clone())
                    .map_err(|_| AppError::Internal("decision unreadable".into()))?;
                let opinion = record(c.opinion.as_deref());
                check_sanctions(&opinion, &d)?;
                let d = as_imposed(d, &store::respondents(conn, c.id)?);
                not_heavier(&previous, &d)?;
                let reversed = reverse_effects(conn, c.id, c.decided_on, &effects, &d, Some(by))?;
                let kept: Vec<serde_json::Value> = effects
                    .iter()
                    .filter(|e| {
                        !reversed.iter().any(|r| {
                            (e["certificate_id"].is_i64() && r["certificate_id"] == e["certificate_id"])
                                || (e["training_order_id"].is_i64() && r["training_order_id"] == e["training_order_id"])
                        })
                    })
                    .cloned()
                    .collect::<Vec<_>>();
                // Sanctions the modified decision adds take effect now, like any decision's.
                let added = DecisionRequest {
                    persons: d
                        .persons
                        .iter()
                        .map(|p| PersonSanctions {
                            person_id: p.person_id,
                            sanctions: p
                                .sanctions
                                .iter()
                                .copied()
                                .filter(|s| !previous.sanctions_of(p.person_id).contains(s))
                                .collect(),
                        })
                        .collect(),
                    ..d.clone()
                };
                let mut kept = kept;
                kept.extend(apply_effects(conn, c.id, &added, crate::db::today(), Some(by))?);
                // The circumstances the first decision found stand: the appeal changes the outcome.
                let mut weighed = opinion.clone();
                if !decision["circumstances"].is_null() {
                    weighed["circumstances"] = decision["circumstances"].clone();
                }
                let mut basis = decision_basis(&d, &weighed);
                basis.push(acc(13).to_string());
                let modified = serde_json::json!({"request": d, "effects": kept, "basis": basis,
                    "circumstances": decision["circumstances"], "detected": decision["detected"]});
                (Some(modified.to_string()), reversed)
            }
        };
        store::appeal_decision(
            conn,
            c.id,
            b.outcome.as_str(),
            new_decision.as_deref(),
            crate::db::now(),
        )?;
        Ok(serde_json::json!({"outcome": b.outcome, "reversed": reversed, "text": b.text}))
    })
    .await
}

/// Close the case: once the appeal window has passed, or within it once every respondent the
/// decision handles has appealed and the appeal is decided (or the decision was revoked).
#[utoipa::path(tag = "accountability",
    responses((status = 200, body = CaseView), (status = 409, description = "Not served or appeal-decided, or the window is still open", body = Problem, content_type = "application/problem+json")))]
#[post("/cases/{id}/finalize")]
pub async fn finalize_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let today = crate::db::today();
    step(&state, &caller, id, CaseStep::Finalize, move |conn, c| {
        let Some(served) = c.served_on else {
            return Ok(serde_json::json!({}));
        };
        let deadline = appeal_window(conn, served)?.last_day;
        if today > deadline || revoked_on_appeal(c) {
            return Ok(serde_json::json!({}));
        }
        // Within the window, every respondent the decision handles keeps the right to appeal
        // until they have used it.
        let (appealed, decision) = (appellants(&record(c.appeal.as_deref())), record(c.decision.as_deref()));
        let waiting = store::respondents(conn, c.id)?
            .into_iter()
            .map(|(kind, id, _)| Respondent { kind, id })
            .filter(|r| handled_by(&decision, r) && !appealed.contains(r))
            .count();
        if waiting > 0 {
            return Err(AppError::Conflict {
                code: "appeal_window_open",
                detail: format!("{waiting} respondent(s) handled by the decision may still appeal until {deadline}"),
                basis: Basis::of(&[acc(13)]),
            });
        }
        Ok(serde_json::json!({}))
    })
    .await
}

/// Attach an evidence file to a case not yet final.
#[utoipa::path(tag = "accountability",
    request_body(content = crate::publicity::files::FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = CaseView),
        (status = 409, description = "The case is final", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/cases/{id}/evidence")]
pub async fn add_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    form: crate::http::checked::Checked<actix_multipart::Multipart>,
) -> Result<HttpResponse, AppError> {
    let id = id.get()?.into_inner();
    let upload = crate::publicity::files::read(form.get()?, &[]).await?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let c = store::get(conn, id, CaseVisibility::All).map_err(missing("case"))?;
            if c.status == CaseStatus::Final {
                return Err(wrong_state(c.status));
            }
            let att = crate::publicity::store::add_attachment(conn, &upload.file, by, crate::db::now())?;
            store::attach_evidence(conn, id, att)?;
            let change = serde_json::json!({"attachment_id": att, "filename": upload.file.filename, "sha256": upload.file.sha256});
            audit::append(conn, &actor, "case.evidence", "case", id, &change)?;
            detail(conn, id, CaseVisibility::All)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_case)
        .service(list_cases)
        .service(get_case)
        .service(start_investigation)
        .service(write_opinion)
        .service(decide_case)
        .service(serve_decision)
        .service(file_appeal)
        .service(decide_appeal)
        .service(finalize_case)
        .service(add_evidence);
}
