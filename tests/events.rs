//! The change feed: events written with the change, stable cursors, type and scope filters,
//! and no gap or duplicate while writers run concurrently.

mod common;

use std::cell::RefCell;

use chrono::Days;
use common::{Session, TestApp};
use futures_util::future::join_all;
use safeguards::auth::Role;
use safeguards::db::today;
use serde_json::{json, Value};

async fn act(app: &TestApp, staff: &Session, officer: i64) -> i64 {
    let body = json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": staff.department_id,
        "officers": [officer], "counterpart": {"name": "某公司", "type": "legal_person"}, "legal_basis": "依据",
        "decision_text": "罚款", "decision_date": today() - Days::new(1)});
    app.post("/api/v1/acts", Some(&staff.token), &body).await.ok(201)["id"]
        .as_i64()
        .unwrap()
}

fn seqs(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn changes_appear_in_the_feed_filtered_by_type_and_scope() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("钱程", staff.department_id, 100, 300);
    let a = act(&app, &staff, officer).await;
    let cert = app
        .get(
            &format!("/api/v1/certificates?holder_id={officer}"),
            Some(&office.token),
        )
        .await;
    let cert = cert.ok(200)["items"][0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/certificates/{cert}/status"),
        Some(&office.token),
        &json!({"status": "suspended", "reason": "暂扣", "cause": {"kind": "manual"}}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/api/v1/acts/{a}/revoke"),
        Some(&office.token),
        &json!({"reason": "撤销"}),
    )
    .await
    .ok(200);

    let all = app.get("/api/v1/events", Some(&office.token)).await;
    let types: Vec<&str> = all.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["act.recorded", "certificate.status_changed", "act.revoked"]);
    assert_eq!(all.body["items"][0]["entity_id"], a);
    assert_eq!(all.body["items"][0]["payload"]["kind"], "penalty");
    assert_eq!(all.body["items"][1]["payload"]["to"], "suspended");
    assert_eq!(
        (all.body["next"].as_str(), all.body["head"].as_i64()),
        (Some("3"), Some(3))
    );

    let page = app.get("/api/v1/events?limit=1", Some(&office.token)).await;
    assert_eq!(seqs(page.ok(200)), [1]);
    let next = page.body["next"].as_str().unwrap().to_owned();
    let rest = app
        .get(&format!("/api/v1/events?after={next}"), Some(&office.token))
        .await;
    assert_eq!(seqs(rest.ok(200)), [2, 3]);
    let empty = app.get("/api/v1/events?after=3", Some(&office.token)).await;
    assert_eq!(
        (seqs(empty.ok(200)).len(), empty.body["next"].as_str()),
        (0, Some("3")),
        "an empty page keeps the cursor"
    );
    let only = app
        .get("/api/v1/events?types=act.revoked,act.recorded", Some(&office.token))
        .await;
    assert_eq!(seqs(only.ok(200)), [1, 3]);
    app.get("/api/v1/events?types=act.deleted", Some(&office.token))
        .await
        .problem(400);
    app.get("/api/v1/events?after=abc", Some(&office.token))
        .await
        .problem(400);
    // A cursor beyond the head was never given: kept, it would skip what comes next.
    let r = app.get("/api/v1/events?after=99999", Some(&office.token)).await;
    assert_eq!(r.problem(400), "bad_request", "{}", r.text);
    app.get("/api/v1/events", Some(&staff.token)).await.problem(403);

    let (_, _, acts_client) = app.service(&["events:read", "acts:read"]).await;
    let seen = app.get("/api/v1/events", Some(&acts_client)).await;
    assert_eq!(
        seqs(seen.ok(200)),
        [1, 3],
        "no certificate events without certificates:read"
    );
    let (_, _, no_feed) = app.service(&["acts:read"]).await;
    app.get("/api/v1/events", Some(&no_feed)).await.problem(403);
}

#[actix_web::test]
async fn a_reader_during_concurrent_writes_misses_nothing_and_sees_nothing_twice() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("孙立", staff.department_id, 100, 300);
    let seen = RefCell::new(Vec::<i64>::new());
    let done = RefCell::new(false);
    let reader = async {
        let mut cursor = "0".to_owned();
        loop {
            let finished = *done.borrow();
            let page = app
                .get(&format!("/api/v1/events?after={cursor}&limit=7"), Some(&office.token))
                .await;
            let got = seqs(page.ok(200));
            cursor = page.body["next"].as_str().unwrap().to_owned();
            seen.borrow_mut().extend(&got);
            if finished && got.is_empty() {
                break;
            }
            actix_web::rt::task::yield_now().await;
        }
    };
    let writers = async {
        join_all((0..30).map(|_| act(&app, &staff, officer))).await;
        *done.borrow_mut() = true;
    };
    futures_util::future::join(reader, writers).await;
    let seen = seen.into_inner();
    assert_eq!(seen, (1..=30).collect::<Vec<i64>>(), "every event once, in order");
    assert_eq!(app.count("events"), 30);
}

#[actix_web::test]
async fn on_sqlite_events_and_act_officers_are_stored_by_their_keys() {
    // A key other than `INTEGER PRIMARY KEY` makes SQLite keep a rowid b-tree plus an index on
    // the key: one b-tree insert more on the writer for every event and every officer.
    let app = TestApp::new().await;
    if app.db.backend() != safeguards::db::Backend::Sqlite {
        return;
    }
    assert_eq!(
        app.count(
            "sqlite_master WHERE name LIKE 'sqlite_autoindex_events%' OR name LIKE 'sqlite_autoindex_act_officers%'"
        ),
        0
    );
    assert_eq!(
        app.count("sqlite_master WHERE name = 'act_officers' AND sql LIKE '%WITHOUT ROWID'"),
        1
    );
}
