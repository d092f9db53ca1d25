//! The audit log: every write appends a sealed entry, and the verifier names the first entry
//! that was altered, removed, swapped or forged, on whichever backend the suite runs.

mod common;

use common::TestApp;
use safeguards::auth::Role;
use safeguards::db::Backend;
use serde_json::{json, Value};

/// An office account plus a few audited writes: at least `n` entries in the log.
async fn with_entries(n: usize) -> (TestApp, String) {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    for i in 0..n {
        app.post(
            "/api/v1/departments",
            Some(&office.token),
            &json!({"name": format!("审计{i}"), "code": format!("A{i}")}),
        )
        .await
        .ok(201);
    }
    (app, office.token)
}

async fn verify(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/audit/verify", Some(token)).await.ok(200).clone()
}

/// Lets the test tamper: the log refuses UPDATE and DELETE through its triggers.
fn allow_tampering(app: &TestApp) {
    match app.test_db.backend {
        Backend::Sqlite => {
            app.sql("DROP TRIGGER audit_log_no_update");
            app.sql("DROP TRIGGER audit_log_no_delete");
        }
        Backend::Postgres => app.sql("ALTER TABLE audit_log DISABLE TRIGGER USER"),
    }
}

#[actix_web::test]
async fn every_write_is_in_the_log_with_its_actor_and_the_chain_verifies() {
    let (app, token) = with_entries(3).await;
    let v = verify(&app, &token).await;
    assert_eq!(v["ok"], true);
    assert_eq!(v["checked"].as_i64().unwrap(), app.count("audit_log"));
    let list = app.get("/api/v1/audit?entity=department", Some(&token)).await;
    let items = list.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3, "the three created through the API");
    let last = &items[2];
    assert_eq!(last["action"], "department.create");
    assert_eq!(last["change"]["name"], "审计2");
    assert!(last["actor"].as_str().unwrap().starts_with("user:"));
    assert_eq!(items[1]["hash"].as_str().unwrap().len(), 64);
    let all = app.get("/api/v1/audit?limit=200", Some(&token)).await;
    let all = all.ok(200)["items"].as_array().unwrap().clone();
    for pair in all.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "entries link to one another");
    }
}

#[actix_web::test]
async fn the_log_refuses_updates_and_deletes() {
    let (app, _) = with_entries(1).await;
    let mut conn = app.db.conn().unwrap();
    use diesel::RunQueryDsl;
    assert!(diesel::sql_query("UPDATE audit_log SET action = 'x' WHERE seq = 1")
        .execute(&mut *conn)
        .is_err());
    assert!(diesel::sql_query("DELETE FROM audit_log WHERE seq = 1")
        .execute(&mut *conn)
        .is_err());
}

#[actix_web::test]
async fn a_modified_entry_is_named() {
    let (app, token) = with_entries(4).await;
    allow_tampering(&app);
    app.sql("UPDATE audit_log SET actor = 'user:999' WHERE seq = 3");
    let v = verify(&app, &token).await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_seq"], 3);
    assert_eq!(v["checked"], 2);
}

#[actix_web::test]
async fn a_modified_change_is_named_even_with_its_digest_left_alone() {
    let (app, token) = with_entries(4).await;
    allow_tampering(&app);
    app.sql("UPDATE audit_log SET change = '{\"name\":\"forged\"}' WHERE seq = 2");
    assert_eq!(verify(&app, &token).await["first_bad_seq"], 2);
}

#[actix_web::test]
async fn a_deleted_entry_is_named() {
    let (app, token) = with_entries(4).await;
    allow_tampering(&app);
    app.sql("DELETE FROM audit_log WHERE seq = 4");
    let v = verify(&app, &token).await;
    assert_eq!(v["first_bad_seq"], 4);
    assert!(v["problem"].as_str().unwrap().contains("missing"));
}

#[actix_web::test]
async fn swapped_entries_are_named() {
    let (app, token) = with_entries(4).await;
    allow_tampering(&app);
    // Entries 2 and 3 trade places.
    app.sql("UPDATE audit_log SET seq = -1 WHERE seq = 2");
    app.sql("UPDATE audit_log SET seq = 2 WHERE seq = 3");
    app.sql("UPDATE audit_log SET seq = 3 WHERE seq = -1");
    let v = verify(&app, &token).await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_seq"], 2, "{v}");
    assert_eq!(v["checked"], 1);
}

#[actix_web::test]
async fn a_forged_entry_is_named() {
    let (app, token) = with_entries(3).await;
    let n = app.count("audit_log");
    let forged = n + 1;
    app.sql(&format!(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, change, change_digest, prev_hash, hash) \
         VALUES ({forged}, '2026-01-01 00:00:00', 'user:1', 'department.delete', 'department', '1', '{{}}', \
         '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', 'feed', 'beef')"
    ));
    let v = verify(&app, &token).await;
    assert_eq!(v["first_bad_seq"], forged);
    assert_eq!(v["checked"], n);
}

#[actix_web::test]
async fn the_log_is_for_the_office_and_leadership_only() {
    let (app, _) = with_entries(1).await;
    let staff = app.account(Role::Staff).await;
    app.get("/api/v1/audit", Some(&staff.token)).await.problem(403);
    app.get("/api/v1/audit/verify", Some(&staff.token)).await.problem(403);
    let leader = app.account(Role::Leadership).await;
    app.get("/api/v1/audit?actor=system:test&limit=1", Some(&leader.token))
        .await
        .ok(200);
}

#[actix_web::test]
async fn the_chain_links_on_after_a_rolled_back_entry_and_one_another_process_appended() {
    // Appending guesses that the entry this process appended last is still the head; the
    // guess is wrong after a write that rolled back and after another process appended.
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use safeguards::audit::{self, rules, Actor};
    use safeguards::db::schema::audit_log::dsl as a;
    let (app, token) = with_entries(2).await;
    let refused = app
        .db
        .write(|conn| {
            audit::append(conn, &Actor::System("test"), "test.rolled_back", "test", 0, &json!({}))?;
            Err::<(), _>(safeguards::db::StoreError::Other("refused after appending".into()))
        })
        .await;
    assert!(refused.is_err());
    let department = |code: &str| json!({"name": code, "code": code});
    app.post("/api/v1/departments", Some(&token), &department("B1"))
        .await
        .ok(201);

    // Another process: an entry sealed after the head and stored behind this one's back.
    let mut conn = app.db.conn().unwrap();
    let head: (i64, String) = a::audit_log
        .select((a::seq, a::hash))
        .order(a::seq.desc())
        .first(&mut *conn)
        .unwrap();
    let change = r#"{"by":"elsewhere"}"#.to_owned();
    let e = rules::seal(
        rules::Entry {
            seq: 0,
            at: safeguards::db::now(),
            actor: "system:elsewhere".into(),
            action: "test.elsewhere".into(),
            entity: "test".into(),
            entity_id: "0".into(),
            change,
            change_digest: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        },
        Some(head),
    );
    diesel::insert_into(a::audit_log)
        .values((
            a::seq.eq(e.seq),
            a::at.eq(e.at),
            a::actor.eq(&e.actor),
            a::action.eq(&e.action),
            a::entity.eq(&e.entity),
            a::entity_id.eq(&e.entity_id),
            a::change.eq(&e.change),
            a::change_digest.eq(&e.change_digest),
            a::prev_hash.eq(&e.prev_hash),
            a::hash.eq(&e.hash),
        ))
        .execute(&mut *conn)
        .unwrap();
    drop(conn);
    app.post("/api/v1/departments", Some(&token), &department("B2"))
        .await
        .ok(201);

    let v = verify(&app, &token).await;
    assert_eq!(v["ok"], true, "{v}");
    let all = app.get("/api/v1/audit?limit=200", Some(&token)).await;
    let all = all.ok(200)["items"].as_array().unwrap().clone();
    let actions: Vec<&str> = all.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(!actions.contains(&"test.rolled_back"), "{actions:?}");
    let n = actions.len();
    assert_eq!(
        actions[n - 3..],
        ["department.create", "test.elsewhere", "department.create"]
    );
    assert_eq!(
        all[n - 1]["prev_hash"],
        e.hash.as_str(),
        "linked to the other process's entry"
    );
    assert_eq!(all[n - 1]["seq"], e.seq + 1);
}
