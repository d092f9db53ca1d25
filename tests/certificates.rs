//! Enforcement certificates: issue, status changes with causes, derived expiry, history, the
//! expiring list and the public check.

mod common;

use chrono::Days;
use common::TestApp;
use safeguards::auth::Role;
use safeguards::db::today;
use safeguards::org::rules::Position;
use serde_json::{json, Value};

async fn issue(app: &TestApp, token: &str, number: &str, holder: i64, expires_in_days: i64) -> Value {
    let issued = today() - Days::new(100);
    let expires = if expires_in_days >= 0 {
        today() + Days::new(expires_in_days as u64)
    } else {
        today() - Days::new((-expires_in_days) as u64)
    };
    let body = json!({"number": number, "holder_id": holder, "issued_on": issued, "expires_on": expires});
    app.post("/api/v1/certificates", Some(token), &body)
        .await
        .ok(201)
        .clone()
}

fn status(to: &str, kind: &str, id: Option<i64>) -> Value {
    json!({"status": to, "reason": "test", "cause": {"kind": kind, "id": id}})
}

#[actix_web::test]
async fn a_certificate_is_issued_valid_with_a_first_history_entry() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let holder = app.person("王伟", Position::Officer, office.department_id);
    let c = issue(&app, &office.token, "LN-1", holder, 400).await;
    assert_eq!(c["status"], "valid");
    assert_eq!(c["holder_name"], "王伟");
    assert_eq!(c["history"].as_array().unwrap().len(), 1);
    assert_eq!(c["history"][0]["to_status"], "valid");
    assert!(c["history"][0]["from_status"].is_null());
}

#[actix_web::test]
async fn bad_certificates_are_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let holder = app.person("王伟", Position::Officer, office.department_id);
    issue(&app, &office.token, "LN-1", holder, 400).await;
    let before = (
        app.count("certificates"),
        app.count("certificate_status_changes"),
        app.count("audit_log"),
    );
    let t = Some(office.token.as_str());
    let dup = json!({"number": "LN-1", "holder_id": holder, "issued_on": "2026-01-01", "expires_on": "2027-01-01"});
    assert_eq!(
        app.post("/api/v1/certificates", t, &dup).await.problem(409),
        "certificate_number_taken"
    );
    let backwards =
        json!({"number": "LN-2", "holder_id": holder, "issued_on": "2026-01-02", "expires_on": "2026-01-01"});
    let r = app.post("/api/v1/certificates", t, &backwards).await;
    r.problem(422);
    assert_eq!(r.body["errors"][0]["field"], "expires_on");
    let nobody = json!({"number": "LN-3", "holder_id": 424242, "issued_on": "2026-01-01", "expires_on": "2027-01-01"});
    assert_eq!(
        app.post("/api/v1/certificates", t, &nobody).await.body["errors"][0]["field"],
        "holder_id"
    );
    let bad_date =
        json!({"number": "LN-4", "holder_id": holder, "issued_on": "2026-02-30", "expires_on": "2027-01-01"});
    app.post("/api/v1/certificates", t, &bad_date).await.problem(400);
    let after = (
        app.count("certificates"),
        app.count("certificate_status_changes"),
        app.count("audit_log"),
    );
    assert_eq!(before, after);
}

#[actix_web::test]
async fn status_changes_name_their_cause_and_build_the_history() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let holder = app.person("周杰", Position::Officer, office.department_id);
    let id = issue(&app, &office.token, "LN-9", holder, 400).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/certificates/{id}/status");
    let t = Some(office.token.as_str());

    // A non-manual cause must name its record; a manual one must not.
    let r = app
        .post(&path, t, &status("suspended", "inspection_finding", None))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    app.post(&path, t, &status("suspended", "manual", Some(3)))
        .await
        .problem(422);

    let r = app
        .post(&path, t, &status("suspended", "inspection_finding", Some(17)))
        .await;
    assert_eq!(r.ok(200)["status"], "suspended");
    let r = app.post(&path, t, &status("suspended", "manual", None)).await;
    assert_eq!(r.problem(409), "certificate_transition");
    let r = app
        .post(&path, t, &status("revoked", "accountability_decision", Some(5)))
        .await;
    assert_eq!(r.ok(200)["status"], "revoked");

    // Revoked is final except by appeal (ACC-13).
    let r = app.post(&path, t, &status("valid", "manual", None)).await;
    assert_eq!(r.problem(409), "certificate_transition");
    assert_eq!(r.body["basis"], json!(["ACC-13"]));
    let r = app.post(&path, t, &status("valid", "appeal", Some(5))).await;
    assert_eq!(r.ok(200)["status"], "valid");

    let detail = app.get(&format!("/api/v1/certificates/{id}"), t).await;
    let history = detail.ok(200)["history"].as_array().unwrap().clone();
    let steps: Vec<_> = history
        .iter()
        .map(|h| {
            (
                h["to_status"].as_str().unwrap().to_owned(),
                h["cause"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("valid", "manual"),
            ("suspended", "inspection_finding"),
            ("revoked", "accountability_decision"),
            ("valid", "appeal")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(history[1]["cause"]["id"], 17);
    assert_eq!(history[1]["changed_by"], office.user_id);
}

#[actix_web::test]
async fn expiry_is_derived_from_the_date_and_listed_ahead_of_time() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let d = office.department_id;
    let t = Some(office.token.as_str());
    let today_c = issue(
        &app,
        &office.token,
        "LAST-DAY",
        app.person("a", Position::Officer, d),
        0,
    )
    .await;
    let past = issue(&app, &office.token, "PAST", app.person("b", Position::Officer, d), -1).await;
    issue(&app, &office.token, "IN30", app.person("c", Position::Officer, d), 30).await;
    issue(&app, &office.token, "IN31", app.person("e", Position::Officer, d), 31).await;
    assert_eq!(today_c["status"], "valid", "the last valid day is still valid");
    assert_eq!(past["status"], "expired");
    assert_eq!(past["recorded_status"], "valid");

    let numbers = |r: &common::Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap().to_owned())
            .collect()
    };
    let expiring = app.get("/api/v1/certificates?expiring_within_days=30", t).await;
    assert_eq!(numbers(&expiring), ["LAST-DAY", "IN30"]);
    let by_rule = app.get("/api/v1/certificates?expiring=true", t).await;
    assert_eq!(numbers(&by_rule), ["LAST-DAY", "IN30"], "the rule set's 30 days");
    app.get("/api/v1/certificates?expiring=true&expiring_within_days=3", t)
        .await
        .problem(400);
    let expired = app.get("/api/v1/certificates?status=expired", t).await;
    assert_eq!(numbers(&expired), ["PAST"]);
    let valid = app.get("/api/v1/certificates?status=valid", t).await;
    assert_eq!(numbers(&valid), ["LAST-DAY", "IN30", "IN31"]);
    app.get("/api/v1/certificates?expiring_within_days=-1", t)
        .await
        .problem(400);
    app.get("/api/v1/certificates?status=lost", t).await.problem(400);
}

#[actix_web::test]
async fn the_public_check_shows_only_holder_department_status_and_validity() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let holder = app.person("吴敏", Position::Officer, office.department_id);
    issue(&app, &office.token, "LN-PUB-1", holder, 10).await;
    let r = app.get("/api/v1/public/certificates/LN-PUB-1", None).await;
    let body = r.ok(200);
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["department_name", "holder_name", "number", "status", "valid_until"]
    );
    assert_eq!(body["holder_name"], "吴敏");
    assert_eq!(body["status"], "valid");
    app.get("/api/v1/public/certificates/NOPE-1", None).await.problem(404);
}

#[actix_web::test]
async fn staff_see_their_department_certificates_and_cannot_change_status() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let mine = issue(
        &app,
        &office.token,
        "MINE",
        app.person("m", Position::Officer, staff.department_id),
        100,
    )
    .await;
    let theirs = issue(
        &app,
        &office.token,
        "THEIRS",
        app.person("o", Position::Officer, office.department_id),
        100,
    )
    .await;
    let t = Some(staff.token.as_str());
    let list = app.get("/api/v1/certificates", t).await;
    let ids: Vec<_> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(ids, [mine["id"].clone()]);
    app.get(&format!("/api/v1/certificates/{}", theirs["id"]), t)
        .await
        .problem(404);
    let path = format!("/api/v1/certificates/{}/status", mine["id"]);
    app.post(&path, t, &status("suspended", "manual", None))
        .await
        .problem(403);
}
