//! `Idempotency-Key`: replays of the first response, another body refused, a running or
//! interrupted first request refused, failures not remembered, keys per account and expiring.

mod common;

use actix_web::test::TestRequest;
use common::{Resp, TestApp};
use safeguards::auth::Role;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

async fn create(app: &TestApp, token: &str, key: &str, body: &Value) -> Resp {
    app.send(
        TestRequest::post()
            .uri("/api/v1/departments")
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("idempotency-key", key))
            .set_json(body),
    )
    .await
}

#[actix_web::test]
async fn the_same_key_and_body_replay_the_first_response() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let before = app.count("departments");
    let body = json!({"name": "安全科", "code": "AQK"});
    let first = create(&app, &office.token, "k-1", &body).await;
    first.ok(201);
    let again = create(&app, &office.token, "k-1", &body).await;
    assert_eq!(again.status, first.status);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(app.count("departments"), before + 1, "created once");

    let other = create(&app, &office.token, "k-1", &json!({"name": "别的", "code": "BD"})).await;
    assert_eq!(other.problem(422), "idempotency_key_reused");
    assert_eq!(app.count("departments"), before + 1);
    // Keys belong to the account: another account's k-1 is its own.
    let second = app.account(Role::SupervisoryOffice).await;
    create(&app, &second.token, "k-1", &json!({"name": "另一个", "code": "LYG"}))
        .await
        .ok(201);
    create(&app, &office.token, &"x".repeat(256), &body).await.problem(400);
}

#[actix_web::test]
async fn failures_are_not_remembered_and_keys_expire() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let bad = create(&app, &office.token, "k-2", &json!({"name": "", "code": "E"})).await;
    bad.problem(422);
    create(&app, &office.token, "k-2", &json!({"name": "改正后", "code": "E"}))
        .await
        .ok(201);
    assert_eq!(app.count("idempotency_keys"), 1);
    app.sql("UPDATE idempotency_keys SET created_at = '2000-01-01 00:00:00'");
    let body = json!({"name": "过期后", "code": "GQH"});
    let r = create(&app, &office.token, "k-2", &body).await;
    assert!(r.ok(201).get("id").is_some());
    assert!(r.header("idempotent-replayed").is_none(), "an expired key runs again");
}

fn fingerprint(path: &str, body: &Value) -> String {
    let mut h = Sha256::new();
    for part in ["POST", path, ""] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(serde_json::to_vec(body).unwrap());
    hex::encode(h.finalize())
}

#[actix_web::test]
async fn after_an_interruption_a_retry_runs_only_if_nothing_was_applied() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let body = json!({"name": "进行中", "code": "JXZ"});
    let fp = fingerprint("/api/v1/departments", &body);
    let owner = format!("user:{}", office.user_id);
    let row = |key: &str, instance: &str, applied: bool| {
        format!(
            "INSERT INTO idempotency_keys (owner, idem_key, fingerprint, instance, done, applied, created_at) \
             VALUES ('{owner}', '{key}', '{fp}', '{instance}', false, {applied}, CURRENT_TIMESTAMP)"
        )
    };
    app.sql(&row("running", &app.state.instance, false));
    app.sql(&row("applied", "a-process-that-died", true));
    app.sql(&row("lost", "a-process-that-died", false));
    let before = app.count("departments");
    let r = create(&app, &office.token, "running", &body).await;
    assert_eq!(r.problem(409), "idempotency_in_progress");
    let r = create(&app, &office.token, "applied", &body).await;
    assert_eq!(r.problem(409), "idempotency_applied");
    assert_eq!(
        app.count("departments"),
        before,
        "an applied first attempt is not run again"
    );
    // Nothing of this first attempt committed: the retry runs, once.
    create(&app, &office.token, "lost", &body).await.ok(201);
    let again = create(&app, &office.token, "lost", &body).await;
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(app.count("departments"), before + 1);
}

#[actix_web::test]
async fn the_write_transaction_marks_the_key_applied() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    create(&app, &office.token, "k-9", &json!({"name": "标记", "code": "BJ"}))
        .await
        .ok(201);
    assert_eq!(app.count("idempotency_keys WHERE applied AND done"), 1);
}
