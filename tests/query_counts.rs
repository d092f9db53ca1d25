//! Scores for a year and hours for every person are a fixed number of queries, however many
//! people, sessions and deductions there are: never a round trip per row (issue #9). Every
//! statement any connection of this test binary runs is counted (diesel's instrumentation).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::Datelike;
use common::TestApp;
use diesel::connection::{set_default_instrumentation, Instrumentation, InstrumentationEvent};
use safeguards::auth::Role;
use safeguards::http::pages::PageCache;
use safeguards::org::rules::Position;

static QUERIES: AtomicUsize = AtomicUsize::new(0);
static AUDIT_LOG_STATEMENTS: AtomicUsize = AtomicUsize::new(0);
static EVENT_STATEMENTS: AtomicUsize = AtomicUsize::new(0);
static UPDATES_RUN: AtomicUsize = AtomicUsize::new(0);
static UPDATES_PREPARED: AtomicUsize = AtomicUsize::new(0);

fn counting() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(|event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            if sql.starts_with("UPDATE") {
                UPDATES_PREPARED.fetch_add(1, Ordering::SeqCst);
            }
        }
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            QUERIES.fetch_add(1, Ordering::SeqCst);
            let sql = query.to_string();
            if sql.starts_with("UPDATE") {
                UPDATES_RUN.fetch_add(1, Ordering::SeqCst);
            }
            // The session check reads the log's head too (the version of kept pages).
            if sql.contains("audit_log") && !sql.contains("sessions") {
                AUDIT_LOG_STATEMENTS.fetch_add(1, Ordering::SeqCst);
            }
            if ["`events`", "\"events\"", "INTO events "]
                .iter()
                .any(|t| sql.contains(t))
            {
                EVENT_STATEMENTS.fetch_add(1, Ordering::SeqCst);
            }
        }
    }))
}

/// The tests of this binary count statements of every connection: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The statements one call of `path` runs (after a first call, so the pool is warm), and the
/// size of its answer.
async fn statements(app: &TestApp, path: &str, token: &str) -> (usize, usize) {
    app.get(path, Some(token)).await.ok(200);
    let before = QUERIES.load(Ordering::SeqCst);
    let r = app.get(path, Some(token)).await;
    r.ok(200);
    (QUERIES.load(Ordering::SeqCst) - before, r.text.len())
}

#[actix_web::test]
async fn scores_and_hours_take_the_same_statements_for_twice_the_people_and_rows() {
    let _alone = ONE_AT_A_TIME.lock().await;
    set_default_instrumentation(counting).unwrap();
    // Every call computes its answer: no page kept in memory (`http::pages`).
    let app = TestApp::with(|s| s.pages = PageCache::new(Duration::ZERO, Duration::ZERO)).await;
    let dept = app.department("一科");
    app.person("王伟", Position::Officer, dept);
    let office = app.account(Role::SupervisoryOffice).await;
    let year = safeguards::db::today().year() - 1;
    let hours = format!("/api/v1/training/hours?year={year}");
    let scores = format!("/api/v1/evaluation/years/{year}/scores");

    // Five years of registers for 200 more people: twelve sessions a year each attended,
    // inspections with findings and a deduction on each.
    // The seeded cases are only proposed: decide each one (a minor fault of its department),
    // since the sheet reads every decided case of the year for the awards it withholds (ACC-6).
    let decide = "UPDATE acc_cases SET status = 'decided', decided_on = fault_on, \
                  decision = '{\"request\": {\"severity\": \"minor\"}}' WHERE status = 'proposed'";
    safeguards::volume::seed(&app.db, 10, 0).unwrap();
    app.sql(decide);
    let decided = app.number(&format!(
        "SELECT COUNT(*) AS n FROM acc_cases WHERE decided_on BETWEEN '{year}-01-01' AND '{year}-12-31'"
    ));
    assert!(decided >= 4, "{decided} cases decided in {year}");
    let (hours_200, hours_size) = statements(&app, &hours, &office.token).await;
    let (scores_200, scores_size) = statements(&app, &scores, &office.token).await;
    safeguards::volume::seed(&app.db, 10, 0).unwrap();
    app.sql(decide);
    let (hours_400, hours_size_400) = statements(&app, &hours, &office.token).await;
    let (scores_400, scores_size_400) = statements(&app, &scores, &office.token).await;
    assert!(hours_size_400 > hours_size * 3 / 2, "twice the people listed");
    assert_ne!(scores_size_400, scores_size, "the new deductions count");

    assert_eq!(hours_200, hours_400, "hours: statements grew with the people");
    assert_eq!(scores_200, scores_400, "scores: statements grew with the deductions");
    assert!(hours_200 <= 8, "hours took {hours_200} statements");
    assert!(scores_200 <= 16, "scores took {scores_200} statements");
    println!("statements per call: hours {hours_200}, scores {scores_200}");
}

#[actix_web::test]
async fn recording_an_act_takes_one_statement_on_the_audit_log_and_one_on_the_event_feed() {
    let _alone = ONE_AT_A_TIME.lock().await;
    set_default_instrumentation(counting).unwrap();
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let dept = app.department("一科");
    let officer = app.officer_with_certificate("王伟", dept, 30, 365);
    let act = serde_json::json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": dept,
        "officers": [officer], "counterpart": {"name": "某化工有限公司", "type": "legal_person"},
        "legal_basis": "《安全生产法》", "decision_text": "罚款三万元", "decision_date": safeguards::db::today()});
    app.post("/api/v1/acts", Some(&office.token), &act).await.ok(201);
    let (audit_before, events_before) = (
        AUDIT_LOG_STATEMENTS.load(Ordering::SeqCst),
        EVENT_STATEMENTS.load(Ordering::SeqCst),
    );
    for _ in 0..5 {
        app.post("/api/v1/acts", Some(&office.token), &act).await.ok(201);
    }
    let audit = AUDIT_LOG_STATEMENTS.load(Ordering::SeqCst) - audit_before;
    let events = EVENT_STATEMENTS.load(Ordering::SeqCst) - events_before;
    // Unguessed, the log's head is read before the insert; the feed's last number too.
    assert_eq!(audit, 5, "statements on the audit log for five acts");
    assert_eq!(events, 5, "statements on the event feed for five acts");
    assert_eq!(app.count("events"), 6);
}

#[actix_web::test]
async fn publishing_prepares_its_updates_once_per_connection() {
    // diesel prepares every UPDATE anew unless told its SQL is the same each time
    // (`db::Prepared`); a statement kept in the cache is reported once, when it is prepared.
    let _alone = ONE_AT_A_TIME.lock().await;
    set_default_instrumentation(counting).unwrap();
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let (first, last) = safeguards::volume::seed_submitted(&app.db, 6).unwrap();
    let publish = |id: i64| format!("/api/v1/disclosures/{id}/publish");
    app.post(&publish(first), Some(&office.token), &serde_json::json!({}))
        .await
        .ok(200);
    let (run, prepared) = (
        UPDATES_RUN.load(Ordering::SeqCst),
        UPDATES_PREPARED.load(Ordering::SeqCst),
    );
    assert!(prepared > 0, "the first publication prepared its updates for keeps");
    for id in first + 1..=last {
        app.post(&publish(id), Some(&office.token), &serde_json::json!({}))
            .await
            .ok(200);
    }
    let run = UPDATES_RUN.load(Ordering::SeqCst) - run;
    let prepared = UPDATES_PREPARED.load(Ordering::SeqCst) - prepared;
    assert!(run >= 10, "five publications ran {run} updates");
    if app.db.backend() == safeguards::db::Backend::Sqlite {
        // One writer connection: nothing left to prepare.
        assert_eq!(prepared, 0, "updates prepared again");
    } else {
        assert!(prepared < run, "{prepared} of {run} updates prepared again");
    }
}
