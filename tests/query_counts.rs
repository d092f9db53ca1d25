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

fn counting() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(|event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            QUERIES.fetch_add(1, Ordering::SeqCst);
        }
    }))
}

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
    safeguards::volume::seed(&app.db, 10, 0).unwrap();
    let (hours_200, hours_size) = statements(&app, &hours, &office.token).await;
    let (scores_200, scores_size) = statements(&app, &scores, &office.token).await;
    safeguards::volume::seed(&app.db, 10, 0).unwrap();
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
