//! What the registers already say: candidate deductions, the qualitative record (EVAL-4) with
//! items (6) and (8) filled from the registers, and the leadership group's monthly meetings.

use std::collections::BTreeSet;

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{sheet_open, EvidenceLink};
use crate::acts::rules::{ActKind, PenaltyProcedure, ReviewKind, ReviewOutcome};
use crate::audit;
use crate::auth::rules::Visibility;
use crate::db::DbConn;
use crate::evaluation::rules::{self, EvidenceKind, ProblemType, Section, QUALITATIVE_ITEMS};
use crate::evaluation::store::{self, ExamSitting, Meeting};
use crate::http::checked::{Json, Path, Query};
use crate::http::validate::Check;
use crate::http::{AppError, Caller};
use crate::org::api::missing;
use crate::rules::{ArticleRef, Regime};
use crate::training::rules::NoteResult;
use crate::AppState;

/// Evidence the registers hold that no standing deduction uses yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct Candidate {
    pub evidence: EvidenceLink,
    pub department_id: i64,
    pub section: Section,
    /// The problem the evidence points to, where the register tells; otherwise the office picks.
    pub problem_type: Option<ProblemType>,
    pub penalty_procedure: Option<PenaltyProcedure>,
    /// What the deduction would cost under today's rule set, when the problem is known.
    pub points: Option<u32>,
    /// Why it is offered.
    pub reason: String,
    pub basis: Vec<String>,
}

/// The problem a finding under a SUP-6 checklist item shows on an act of this kind, where it is plain.
fn finding_problem(item: i32, kind: Option<ActKind>) -> Option<(Section, Option<ProblemType>)> {
    use ProblemType::*;
    match kind? {
        ActKind::Licensing => Some((Section::Licensing, (item == 3).then_some(ExceedingAuthority))),
        ActKind::Penalty | ActKind::Coercive => {
            let p = match item {
                1 | 2 => Some(WrongSubject),
                4 => Some(IllegalProcedure),
                5 => Some(WrongCharacterisation),
                6 => Some(ImproperHandling),
                _ => None,
            };
            Some((Section::Penalty, p))
        }
        _ => None,
    }
}

fn candidates_of(conn: &mut DbConn, year: i32, today: NaiveDate) -> Result<Vec<Candidate>, AppError> {
    let used = store::used_evidence(conn)?;
    let sheet = crate::rules::store::in_force(conn, today)?.rule.values.score_sheet;
    let mut out = Vec::new();
    let mut offer = |kind: EvidenceKind,
                     id: i64,
                     dept: i64,
                     section: Section,
                     problem: Option<ProblemType>,
                     procedure: Option<PenaltyProcedure>,
                     reason: String| {
        if used.contains(&(kind, id))
            || out
                .iter()
                .any(|c: &Candidate| c.evidence.kind == kind && c.evidence.id == id)
        {
            return;
        }
        out.push(Candidate {
            evidence: EvidenceLink::new(kind, id),
            department_id: dept,
            section,
            points: problem.and_then(|p| rules::points(&sheet, p, procedure)),
            problem_type: problem,
            penalty_procedure: procedure,
            reason,
            basis: vec![section.basis().to_string()],
        });
    };
    for (id, dept, item, kind, procedure) in store::concluded_findings(conn, year)? {
        let (section, problem) = finding_problem(item, kind).unwrap_or((Section::Penalty, None));
        offer(
            EvidenceKind::Finding,
            id,
            dept,
            section,
            problem,
            procedure,
            format!("finding under SUP-6({item}) of a concluded inspection"),
        );
    }
    for (id, petition) in store::troubled_petitions(conn, year, today)? {
        let Some(problem) = petition.problem(today) else {
            continue;
        };
        let (due, replied) = (petition.reply_due_on.unwrap_or(today), petition.replied_on);
        let reason = match (problem, replied) {
            (ProblemType::EscalationCaused, _) => "mishandling caused an escalated petition (越级上访)".to_owned(),
            (ProblemType::AnswerAgainstPolicy, _) => "answered and marked as mishandled".to_owned(),
            (_, Some(on)) => format!("answered on {on}, after the deadline {due}"),
            (_, None) => format!("not answered; the deadline was {due}"),
        };
        if let Some(dept) = petition.charged(problem) {
            offer(
                EvidenceKind::Petition,
                id,
                dept,
                Section::Petitions,
                Some(problem),
                None,
                reason,
            );
        }
    }
    let undone = store::acts_undone_by_measures(conn, year)?
        .into_iter()
        .map(|(id, dept, p, action)| (id, dept, p, format!("penalty subject to a SUP-7 `{action}` measure")));
    let lost = store::acts_lost_on_review(conn, year)?
        .into_iter()
        .map(|(id, dept, p, outcome)| {
            (
                id,
                dept,
                p,
                format!("penalty {outcome} on reconsideration or litigation"),
            )
        });
    for (id, dept, procedure, reason) in undone.chain(lost).filter(|a| a.2.is_some()) {
        offer(EvidenceKind::Act, id, dept, Section::Penalty, None, procedure, reason);
    }
    Ok(out)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Candidates {
    pub year: i32,
    pub candidates: Vec<Candidate>,
}

/// Candidate deductions (so nothing is typed twice): findings of concluded inspections,
/// petitions answered late, not at all, mishandled or escalated, and penalties corrected or
/// revoked by SUP measures or lost on reconsideration or litigation. Evidence already counted
/// is left out.
#[utoipa::path(tag = "evaluation", responses((status = 200, body = Candidates)))]
#[get("/years/{year}/candidates")]
pub async fn candidates(
    state: web::Data<AppState>,
    _caller: Caller,
    year: Path<i32>,
) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(year.get()?.into_inner())?;
    let today = crate::db::today();
    let list = state.db.read(move |conn| candidates_of(conn, year, today)).await?;
    Ok(HttpResponse::Ok().json(Candidates { year, candidates: list }))
}

// ---- the qualitative record (EVAL-4) ----

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewLine {
    pub review_id: i64,
    pub act_id: i64,
    pub kind: ReviewKind,
    pub outcome: ReviewOutcome,
    pub decided_on: NaiveDate,
}

/// The department's training in the year (EVAL-4(8), from TRN).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingLine {
    pub people: usize,
    /// People who reached the yearly hours of TRN-6.
    pub people_meeting_hours: usize,
    pub hours_required: u32,
    /// Exams sat in the year (absences not included).
    pub exam_results: usize,
    pub exams_passed: usize,
    /// Exams missed, excused or not (TRN-7: a make-up or an order off post follows).
    pub exams_missed: usize,
    /// Note checks (笔记检查, TRN-8) whose period ends in the year, by result.
    pub note_checks: NoteCheckCounts,
}

/// How many note checks had each result.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct NoteCheckCounts {
    pub good: usize,
    pub adequate: usize,
    pub poor: usize,
}

impl FromIterator<NoteResult> for NoteCheckCounts {
    fn from_iter<I: IntoIterator<Item = NoteResult>>(results: I) -> Self {
        let mut counts = Self::default();
        for r in results {
            *match r {
                NoteResult::Good => &mut counts.good,
                NoteResult::Adequate => &mut counts.adequate,
                NoteResult::Poor => &mut counts.poor,
            } += 1;
        }
        counts
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualitativeItem {
    /// 1 to 9.
    pub item: u8,
    pub title: String,
    /// What the office recorded; items (6) and (8) come from the registers instead.
    pub content: Option<String>,
    pub from_registers: bool,
    /// Item (6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Vec<ReviewLine>>,
    /// Item (8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingLine>,
    #[schema(example = "EVAL-4(6)")]
    pub basis: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Qualitative {
    pub year: i32,
    pub department_id: i64,
    pub items: Vec<QualitativeItem>,
}

fn training_line(conn: &mut DbConn, year: i32, department: i64) -> Result<TrainingLine, AppError> {
    let required = crate::rules::store::in_force(
        conn,
        crate::rules::calendar::year_bounds(year).1.min(crate::db::today()),
    )?
    .rule
    .values
    .training_hours_per_year;
    let hours = crate::training::store::hours_by_person(conn, year)?;
    let r = store::training_results(conn, year, department)?;
    let meeting = r
        .people
        .iter()
        .filter(|p| hours.get(p).is_some_and(|(a, b)| a + b >= i64::from(required) * 10))
        .count();
    let count = |sitting: &[ExamSitting]| r.exams.iter().filter(|e| sitting.contains(e)).count();
    Ok(TrainingLine {
        people: r.people.len(),
        people_meeting_hours: meeting,
        hours_required: required,
        exam_results: count(&[ExamSitting::Passed, ExamSitting::Failed]),
        exams_passed: count(&[ExamSitting::Passed]),
        exams_missed: count(&[ExamSitting::Missed]),
        note_checks: r.note_checks.into_iter().collect(),
    })
}

fn qualitative_of(conn: &mut DbConn, year: i32, department: i64) -> Result<Qualitative, AppError> {
    let typed = store::qualitative(conn, year, department)?;
    let mut items = Vec::new();
    for (n, title) in (1u8..).zip(QUALITATIVE_ITEMS) {
        let reviews = (n == 6)
            .then(|| store::reviews_of(conn, year, department))
            .transpose()?
            .map(|rows| {
                rows.into_iter()
                    .map(|(review_id, act_id, kind, outcome, decided_on)| ReviewLine {
                        review_id,
                        act_id,
                        kind,
                        outcome,
                        decided_on,
                    })
                    .collect()
            });
        let training = (n == 8).then(|| training_line(conn, year, department)).transpose()?;
        items.push(QualitativeItem {
            item: n,
            title: title.to_owned(),
            content: typed.iter().find(|t| t.0 == i32::from(n)).map(|t| t.1.clone()),
            from_registers: rules::qualitative_from_registers(n),
            reviews,
            training,
            basis: ArticleRef::item(Regime::Eval, 4, n).to_string(),
        });
    }
    Ok(Qualitative {
        year,
        department_id: department,
        items,
    })
}

/// A department's qualitative assessment for the year (EVAL-4 (1)–(9)); staff read their own.
#[utoipa::path(tag = "evaluation", responses((status = 200, body = Qualitative)))]
#[get("/years/{year}/departments/{department_id}/qualitative")]
pub async fn qualitative(
    state: web::Data<AppState>,
    caller: Caller,
    path: Path<(i32, i64)>,
) -> Result<HttpResponse, AppError> {
    let (year, department) = path.get()?.into_inner();
    let (year, vis) = (crate::http::validate::year(year)?, caller.visibility());
    let v = state
        .db
        .read(move |conn| {
            crate::org::store::departments::get(conn, department, vis).map_err(missing("department"))?;
            qualitative_of(conn, year, department)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualitativeEntry {
    /// 1 to 9, except 6 and 8 (from the registers).
    pub item: u8,
    /// Up to 5000 characters; empty clears the item.
    pub content: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"item": 1, "content": "执法主体均符合规定"}, {"item": 9, "content": "文明执法，无投诉"}]}))]
pub struct QualitativeRequest {
    pub items: Vec<QualitativeEntry>,
}

fn checked_items(b: &QualitativeRequest) -> Result<Vec<(i32, String)>, AppError> {
    let mut check = Check::default();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, e) in b.items.iter().enumerate() {
        let name = format!("items[{i}]");
        if !(1..=9).contains(&e.item) {
            check.fail(&name, "EVAL-4 has items 1 to 9");
        } else if rules::qualitative_from_registers(e.item) {
            check.fail(&name, format!("EVAL-4({}) is filled from the registers", e.item));
        } else if !seen.insert(e.item) {
            check.fail(&name, format!("item {} is given twice", e.item));
        }
        out.push((
            i32::from(e.item),
            check.optional_text(&format!("{name}.content"), &e.content, 5000),
        ));
    }
    if b.items.is_empty() {
        check.fail("items", "must name at least one item");
    }
    check.finish()?;
    Ok(out)
}

/// Record items of the qualitative assessment (the office); 409 once the results are fixed.
#[utoipa::path(tag = "evaluation", request_body = QualitativeRequest, responses((status = 200, body = Qualitative)))]
#[put("/years/{year}/departments/{department_id}/qualitative")]
pub async fn put_qualitative(
    state: web::Data<AppState>,
    caller: Caller,
    path: Path<(i32, i64)>,
    body: Json<QualitativeRequest>,
) -> Result<HttpResponse, AppError> {
    let ((year, department), b) = (path.get()?.into_inner(), body.get()?.into_inner());
    let year = crate::http::validate::year(year)?;
    if year > chrono::Datelike::year(&crate::db::today()) {
        return Err(AppError::field(
            "year",
            "the qualitative record is kept for a year that has begun",
        ));
    }
    let items = checked_items(&b)?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            crate::org::store::departments::get(conn, department, Visibility::All).map_err(missing("department"))?;
            sheet_open(conn, year)?;
            store::put_qualitative(conn, year, department, &items, by, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "evaluation.qualitative",
                "eval_year",
                i64::from(year),
                &serde_json::json!({"department_id": department, "items": items}),
            )?;
            qualitative_of(conn, year, department)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

// ---- the leadership group's monthly meetings ----

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub held_on: NaiveDate,
    pub topic: String,
    pub minutes: String,
}

fn meeting_view(m: Meeting) -> MeetingView {
    MeetingView {
        id: m.id,
        held_on: m.held_on,
        topic: m.topic,
        minutes: m.minutes,
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-11-25", "topic": "十一月执法工作检查", "minutes": "检查各处室执法案卷…"}))]
pub struct NewMeeting {
    /// Not in the future.
    pub held_on: NaiveDate,
    /// 1 to 200 characters.
    pub topic: String,
    /// 1 to 20000 characters; line breaks allowed.
    pub minutes: String,
}

/// Record a meeting of the leadership group with its minutes (EVAL-4: monthly).
#[utoipa::path(tag = "evaluation", request_body = NewMeeting, responses((status = 201, body = MeetingView)))]
#[post("/meetings")]
pub async fn add_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewMeeting>,
) -> Result<HttpResponse, AppError> {
    let b = body.get()?.into_inner();
    let mut check = Check::default();
    let topic = check.text("topic", &b.topic, 200);
    let minutes = check.optional_text("minutes", &b.minutes, 20_000);
    if minutes.is_empty() {
        check.fail("minutes", "must not be empty");
    }
    if b.held_on > crate::db::today() {
        check.fail("held_on", "must not be in the future");
    }
    check.reportable_day("held_on", b.held_on);
    check.finish()?;
    let (actor, by) = (caller.actor(), caller.user_id);
    let v = state
        .db
        .write(move |conn| {
            let id = store::add_meeting(conn, b.held_on, &topic, &minutes, by, crate::db::now())?;
            audit::append(
                conn,
                &actor,
                "evaluation.meeting",
                "eval_meeting",
                id,
                &serde_json::json!({"held_on": b.held_on, "topic": topic}),
            )?;
            Ok::<_, AppError>(meeting_view(store::meeting(conn, id)?))
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    pub year: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingYear {
    pub year: i32,
    pub meetings: Vec<MeetingView>,
    /// Months gone by (this year: up to last month) without a meeting.
    pub months_without_meeting: Vec<u32>,
    #[schema(example = json!(["EVAL-4"]))]
    pub basis: Vec<String>,
}

/// The year's meetings, and the months that had none.
#[utoipa::path(tag = "evaluation", params(MeetingQuery), responses((status = 200, body = MeetingYear)))]
#[get("/meetings")]
pub async fn meetings(
    state: web::Data<AppState>,
    _caller: Caller,
    q: Query<MeetingQuery>,
) -> Result<HttpResponse, AppError> {
    let year = crate::http::validate::year(q.get()?.into_inner().year)?;
    let today = crate::db::today();
    let rows = state.db.read(move |conn| store::meetings(conn, year)).await?;
    let last_month = match year.cmp(&today.year()) {
        std::cmp::Ordering::Less => 12,
        std::cmp::Ordering::Equal => today.month() - 1,
        std::cmp::Ordering::Greater => 0,
    };
    let held: BTreeSet<u32> = rows.iter().map(|m| m.held_on.month()).collect();
    Ok(HttpResponse::Ok().json(MeetingYear {
        year,
        months_without_meeting: (1..=last_month).filter(|m| !held.contains(m)).collect(),
        meetings: rows.into_iter().map(meeting_view).collect(),
        basis: vec![ArticleRef::article(Regime::Eval, 4).to_string()],
    }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(candidates)
        .service(qualitative)
        .service(put_qualitative)
        .service(add_meeting)
        .service(meetings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_point_to_problems_only_where_plain() {
        assert_eq!(
            finding_problem(4, Some(ActKind::Penalty)),
            Some((Section::Penalty, Some(ProblemType::IllegalProcedure)))
        );
        assert_eq!(
            finding_problem(3, Some(ActKind::Licensing)),
            Some((Section::Licensing, Some(ProblemType::ExceedingAuthority)))
        );
        assert_eq!(
            finding_problem(9, Some(ActKind::Penalty)),
            Some((Section::Penalty, None))
        );
        assert_eq!(finding_problem(4, None), None);
    }
}
