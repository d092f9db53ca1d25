//! Authenticated read pages served from memory (`http::pages`): a repeated read runs only the
//! session check (one statement), and every write — through this instance or another over the same
//! database — shows in the very next read. Sessions never share pages.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::TestApp;
use diesel::connection::{set_default_instrumentation, Instrumentation, InstrumentationEvent};
use safeguards::auth::Role;
use serde_json::{json, Value};

static QUERIES: AtomicUsize = AtomicUsize::new(0);

fn counting() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(|event: InstrumentationEvent<'_>| {
        // Not the pool's liveness check of a PostgreSQL connection.
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            if !query.to_string().starts_with("SELECT 1 --") {
                QUERIES.fetch_add(1, Ordering::SeqCst);
            }
        }
    }))
}

/// The act ids of a list answer, and the statements the call ran.
async fn acts(app: &TestApp, token: &str) -> (Vec<i64>, usize) {
    let before = QUERIES.load(Ordering::SeqCst);
    let r = app.get("/api/v1/acts", Some(token)).await;
    let ran = QUERIES.load(Ordering::SeqCst) - before;
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"));
    let ids = r.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    (ids, ran)
}

fn new_act(department_id: i64, officer: i64) -> Value {
    json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": department_id,
        "officers": [officer], "counterpart": {"name": "某公司", "type": "legal_person"},
        "legal_basis": "《安全生产法》", "decision_text": "罚款", "decision_date": safeguards::db::today()})
}

#[actix_web::test]
async fn a_repeated_read_is_served_from_memory_until_any_instance_writes() {
    set_default_instrumentation(counting).unwrap();
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let other = app.department("二科");
    let mine = app.officer_with_certificate("王伟", staff.department_id, 30, 300);
    let theirs = app.officer_with_certificate("李娜", other, 30, 300);
    let first = app
        .post("/api/v1/acts", Some(&office.token), &new_act(other, theirs))
        .await;
    let first = first.ok(201)["id"].as_i64().unwrap();

    let (ids, computed) = acts(&app, &office.token).await;
    assert_eq!(ids, vec![first]);
    let (again, served) = acts(&app, &office.token).await;
    assert_eq!(again, ids);
    assert_eq!(served, 1, "a repeated read runs the session check only");
    assert!(
        computed > served,
        "the first read computed the page ({computed} statements)"
    );

    // Another session, another page: staff see their own department's acts only.
    assert_eq!(acts(&app, &staff.token).await.0, Vec::<i64>::new());

    // A write through this instance shows at once.
    let second = app
        .post("/api/v1/acts", Some(&office.token), &new_act(staff.department_id, mine))
        .await;
    let second = second.ok(201)["id"].as_i64().unwrap();
    assert_eq!(acts(&app, &office.token).await.0, vec![first, second]);
    assert_eq!(acts(&app, &staff.token).await.0, vec![second]);

    // So does a write through another instance over the same database.
    let other_instance = app.another_instance().await;
    let third = other_instance
        .post("/api/v1/acts", Some(&office.token), &new_act(other, theirs))
        .await;
    let third = third.ok(201)["id"].as_i64().unwrap();
    assert_eq!(acts(&app, &office.token).await.0, vec![first, second, third]);
    let revoke = other_instance
        .post(
            &format!("/api/v1/acts/{third}/revoke"),
            Some(&office.token),
            &json!({"reason": "撤销"}),
        )
        .await;
    revoke.ok(200);
    let listed = app.get("/api/v1/acts", Some(&office.token)).await;
    assert_eq!(listed.ok(200)["items"][2]["status"], "revoked");

    // A page in memory is no way around signing out.
    app.post("/api/v1/auth/logout", Some(&staff.token), &json!({})).await;
    app.get("/api/v1/acts", Some(&staff.token)).await.problem(401);
}
