//! Enforcement certificates: issue, status changes with causes, derived expiry, history, the
//! expiring list and the public check.

mod common;

use chrono::Days;
use common::TestApp;
use safeguards::auth::Role;
use safeguards::db::{now, today, DbConn, StoreError};
use safeguards::org::rules::Position;
use safeguards::training::rules::ConsequenceKind;
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

/// Records a status change may name as its cause, written straight into their registers
/// (arrangement: each register's workflow has its own tests).
struct Records<'a> {
    app: &'a TestApp,
    /// The account that records them.
    by: i64,
    department: i64,
}

impl Records<'_> {
    fn write<T>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> T {
        self.app.db.write_blocking(work).expect("arrange a cause record")
    }

    /// A finding of an ad-hoc inspection naming `officer`, or no officer.
    fn finding(&self, officer: Option<i64>) -> i64 {
        use safeguards::supervision::{rules::InspectionKind, store};
        let plan = store::Plan {
            title: "检查".into(),
            period_from: today(),
            period_to: today(),
            scope: vec![],
            inspectors: officer.into_iter().collect(),
        };
        let finding = store::NewFinding {
            checklist_item: 2,
            description: "证件失效".into(),
            department_id: self.department,
            officer_id: officer,
            act_id: None,
            found_on: today(),
        };
        self.write(|c| {
            let inspection = store::create(c, InspectionKind::AdHoc, &plan, self.by, now())?;
            store::add_finding(c, inspection, &finding, self.by, now())
        })
    }

    /// A TRN-7 consequence of `kind` for `person`.
    fn training(&self, person: i64, kind: ConsequenceKind) -> i64 {
        use safeguards::training::{rules::Cause, store};
        self.write(|c| store::add_consequence(c, person, kind, Cause::Exam, 1, today(), now()))
    }

    /// A case against `person`, decided serious (it confiscates the card, ACC-6(2), so it may
    /// be cited for a suspension or a revocation), with its appeal decided when `appealed`.
    fn case(&self, person: i64, appealed: bool) -> i64 {
        self.decided_case(person, "serious", &["certificate_confiscation"], appealed)
    }

    /// A case against `person` decided at `severity` with these sanctions.
    fn decided_case(&self, person: i64, severity: &str, sanctions: &[&str], appealed: bool) -> i64 {
        use safeguards::accountability::{rules::RespondentKind, rules::SourceKind, store};
        let new = store::NewCase {
            source_kind: SourceKind::Other,
            source_id: None,
            fault_types: "[1]".into(),
            act_ids: "[]".into(),
            facts: "违反程序".into(),
            fault_on: today(),
            respondents: vec![(RespondentKind::Person, person, self.department)],
        };
        self.write(|c| {
            let id = store::create(c, &new, self.by, now())?;
            let decision = serde_json::json!({"request": {"severity": severity,
                "persons": [{"person_id": person, "sanctions": sanctions}]}});
            store::set_decision(c, id, &decision.to_string(), today(), now())?;
            if appealed {
                store::appeal(c, id, "{}", now())?;
                store::appeal_decision(c, id, "revoked", None, now())?;
            }
            Ok(id)
        })
    }
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
    let lower = json!({"number": "ln-1", "holder_id": holder, "issued_on": "2026-01-01", "expires_on": "2027-01-01"});
    let r = app.post("/api/v1/certificates", t, &lower).await;
    assert_eq!(
        r.problem(409),
        "certificate_number_taken",
        "a number but for letter case"
    );
    let public = app.get("/api/v1/public/certificates/ln-1", None).await;
    assert_eq!(
        public.ok(200)["number"],
        "LN-1",
        "the public check reads any letter case"
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
    let records = Records {
        app: &app,
        by: office.user_id,
        department: office.department_id,
    };
    let finding = records.finding(Some(holder));
    let case = records.case(holder, true);

    // A non-manual cause must name its record; a manual one must not.
    let r = app
        .post(&path, t, &status("suspended", "inspection_finding", None))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    app.post(&path, t, &status("suspended", "manual", Some(3)))
        .await
        .problem(422);

    let r = app
        .post(&path, t, &status("suspended", "inspection_finding", Some(finding)))
        .await;
    assert_eq!(r.ok(200)["status"], "suspended");
    let r = app.post(&path, t, &status("suspended", "manual", None)).await;
    assert_eq!(r.problem(409), "certificate_transition");
    let r = app
        .post(&path, t, &status("revoked", "accountability_decision", Some(case)))
        .await;
    assert_eq!(r.ok(200)["status"], "revoked");

    // Revoked is final except by appeal (ACC-13).
    let r = app.post(&path, t, &status("valid", "manual", None)).await;
    assert_eq!(r.problem(409), "certificate_transition");
    assert_eq!(r.body["basis"], json!(["ACC-13"]));
    let r = app.post(&path, t, &status("valid", "appeal", Some(case))).await;
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
    assert_eq!(history[1]["cause"]["id"], finding);
    assert_eq!(history[1]["changed_by"], office.user_id);
}

/// Asserts the status change `body` is refused for its cause, naming `article`, and that
/// nothing was stored.
async fn cause_refused(app: &TestApp, path: &str, token: &str, body: Value, article: &str) {
    let before = (app.count("certificate_status_changes"), app.count("audit_log"));
    let r = app.post(path, Some(token), &body).await;
    assert_eq!(r.problem(422), "certificate_cause_invalid", "{body}: {}", r.text);
    assert_eq!(r.body["errors"][0]["field"], "cause");
    assert_eq!(r.body["basis"], json!([article]));
    let after = (app.count("certificate_status_changes"), app.count("audit_log"));
    assert_eq!(after, before, "nothing stored for {body}");
}

#[actix_web::test]
async fn a_cause_must_be_a_record_of_its_kind_about_the_holder_or_nothing_is_stored() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let d = office.department_id;
    let (holder, other) = (
        app.person("周杰", Position::Officer, d),
        app.person("李娜", Position::Officer, d),
    );
    let id = issue(&app, &office.token, "LN-C1", holder, 400).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/certificates/{id}/status");
    let t = Some(office.token.as_str());
    let records = Records {
        app: &app,
        by: office.user_id,
        department: d,
    };
    let refused = [
        // (to, cause kind, record, the article the refusal names)
        ("suspended", "inspection_finding", 99999, "SUP-7(2)"),
        (
            "suspended",
            "inspection_finding",
            records.finding(Some(other)),
            "SUP-7(2)",
        ),
        ("suspended", "inspection_finding", records.finding(None), "SUP-7(2)"),
        ("suspended", "training", 99999, "TRN-7"),
        (
            "suspended",
            "training",
            records.training(holder, ConsequenceKind::OffPostTraining),
            "TRN-7",
        ),
        (
            "suspended",
            "training",
            records.training(other, ConsequenceKind::CertificateWithdrawalRecommendation),
            "TRN-7",
        ),
        ("revoked", "accountability_decision", 99999, "ACC-6"),
        (
            "revoked",
            "accountability_decision",
            records.case(other, false),
            "ACC-6",
        ),
    ];
    for (to, kind, record, article) in refused {
        cause_refused(&app, &path, &office.token, status(to, kind, Some(record)), article).await;
    }
    let recommendation = records.training(holder, ConsequenceKind::CertificateWithdrawalRecommendation);
    let r = app
        .post(&path, t, &status("revoked", "training", Some(recommendation)))
        .await;
    assert_eq!(r.ok(200)["status"], "revoked");

    // A revoked certificate comes back only through a decided appeal of a case about the holder.
    let undecided = records.case(holder, false);
    for record in [99999, undecided, records.case(other, true)] {
        let body = status("valid", "appeal", Some(record));
        cause_refused(&app, &path, &office.token, body, "ACC-13").await;
    }
    let appeal = records.case(holder, true);
    let r = app.post(&path, t, &status("valid", "appeal", Some(appeal))).await;
    assert_eq!(r.ok(200)["status"], "valid");
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
async fn a_certificate_issued_for_a_later_day_is_not_yet_valid_until_that_day() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let d = office.department_id;
    let card = |number: &str, holder: i64, from: chrono::NaiveDate| json!({"number": number, "holder_id": holder, "issued_on": from, "expires_on": today() + Days::new(400)});
    let tomorrow = today() + Days::new(1);
    let later = app
        .post(
            "/api/v1/certificates",
            t,
            &card("LATER", app.person("a", Position::Officer, d), tomorrow),
        )
        .await;
    assert_eq!(later.ok(201)["status"], "not_yet_valid");
    assert_eq!(later.body["recorded_status"], "valid");
    let first_day = app
        .post(
            "/api/v1/certificates",
            t,
            &card("TODAY", app.person("b", Position::Officer, d), today()),
        )
        .await;
    assert_eq!(first_day.ok(201)["status"], "valid", "the first day is valid");

    let numbers = |r: &common::Resp| -> Vec<Value> {
        r.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].clone())
            .collect()
    };
    assert_eq!(
        numbers(&app.get("/api/v1/certificates?status=valid", t).await),
        ["TODAY"]
    );
    assert_eq!(
        numbers(&app.get("/api/v1/certificates?status=not_yet_valid", t).await),
        ["LATER"]
    );
    let public = app.get("/api/v1/public/certificates/LATER", None).await;
    assert_eq!(public.ok(200)["status"], "not_yet_valid");
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

#[actix_web::test]
async fn a_holder_gets_no_new_certificate_while_one_is_suspended_or_the_qualification_is_lost() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let holder = app.person("孙丽", Position::Officer, office.department_id);
    let first = issue(&app, &office.token, "LN-21", holder, 400).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/certificates/{first}/status");
    app.post(&path, t, &status("suspended", "manual", None)).await.ok(200);
    // Nobody changes the status of their own card.
    let own = issue(&app, &office.token, "LN-OWN", office.person_id, 400).await["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/certificates/{own}/status"),
        t,
        &status("suspended", "manual", None),
    )
    .await
    .problem(403);

    // Neither a current nor a backdated card gets round the suspension.
    for issued in [today(), today() - Days::new(1000)] {
        let body = json!({"number": "LN-22", "holder_id": holder, "issued_on": issued,
            "expires_on": today() + Days::new(700)});
        let r = app.post("/api/v1/certificates", t, &body).await;
        assert_eq!(r.problem(409), "holder_certificate_withdrawn");
        assert_eq!(r.body["basis"], json!(["SUP-7(2)", "ACC-6"]));
    }
    assert_eq!(app.count("certificates"), 2);

    app.post(&path, t, &status("valid", "manual", None)).await.ok(200);
    let second = issue(&app, &office.token, "LN-22", holder, 700).await["id"]
        .as_i64()
        .unwrap();
    // Withdrawn by the legal office on a TRN-7 recommendation, or confiscated as invalid
    // (SUP-7(2)): the office may issue a new card once the holder qualifies.
    let app = &app;
    let records = Records {
        app,
        by: office.user_id,
        department: office.department_id,
    };
    let withdraw = |card: i64, kind: &'static str, cause: Option<i64>| async move {
        let path = format!("/api/v1/certificates/{card}/status");
        app.post(&path, t, &status("revoked", kind, cause)).await.ok(200);
    };
    let recommendation = records.training(holder, ConsequenceKind::CertificateWithdrawalRecommendation);
    let open = || async { app.get("/api/v1/training/recommendations?open=true", t).await };
    assert_eq!(open().await.ok(200)["items"][0]["id"], recommendation);
    withdraw(second, "training", Some(recommendation)).await;
    assert_eq!(open().await.ok(200)["items"], json!([]), "acted on: no longer open");
    let all = app.get("/api/v1/training/recommendations", t).await;
    let rec = &all.ok(200)["items"][0];
    assert_eq!(
        (&rec["made_up_by"], &rec["made_up_by_id"], &rec["made_up_on"]),
        (&json!("certificate"), &json!(second), &json!(today()))
    );
    // The holder still enforces (SUP-6(2)): the withdrawn card was only that card gone.
    let act = json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": office.department_id,
        "officers": [holder], "counterpart": {"name": "某化工有限公司", "type": "legal_person"},
        "legal_basis": "《安全生产法》", "decision_text": "罚款", "decision_date": today()});
    let enforce = || async { app.post("/api/v1/acts", t, &act).await };
    let third = issue(app, &office.token, "LN-23", holder, 700).await["id"]
        .as_i64()
        .unwrap();
    enforce().await.ok(201);
    withdraw(third, "inspection_finding", Some(records.finding(Some(holder)))).await;
    let fourth = issue(app, &office.token, "LN-24", holder, 700).await["id"]
        .as_i64()
        .unwrap();

    // Confiscated on an accountability decision (ACC-6(2)), even a card whose term has ended,
    // or revoked by hand: the qualification is lost.
    withdraw(fourth, "accountability_decision", Some(records.case(holder, false))).await;
    app.sql(&format!(
        "UPDATE certificates SET issued_on = '2019-01-01', expires_on = '2020-12-31' WHERE id = {fourth}"
    ));
    let body = json!({"number": "LN-25", "holder_id": holder, "issued_on": today(),
        "expires_on": today() + Days::new(700)});
    let r = app.post("/api/v1/certificates", t, &body).await;
    assert_eq!(r.problem(409), "holder_certificate_withdrawn");
    assert_eq!(r.body["basis"], json!(["ACC-6(2)", "ACC-13"]));
    assert_eq!(app.count("certificates"), 5);
    assert_eq!(
        enforce().await.problem(422),
        "officer_without_valid_certificate",
        "qualification lost"
    );

    let other = app.person("周敏", Position::Officer, office.department_id);
    let card = issue(app, &office.token, "LN-26", other, 700).await["id"]
        .as_i64()
        .unwrap();
    withdraw(card, "manual", None).await;
    let body = json!({"number": "LN-27", "holder_id": other, "issued_on": today(),
        "expires_on": today() + Days::new(700)});
    let r = app.post("/api/v1/certificates", t, &body).await;
    assert_eq!(r.problem(409), "holder_certificate_withdrawn");
}

#[actix_web::test]
async fn only_a_decision_that_confiscated_the_card_is_cited_to_revoke_it() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let holder = app.person("赵刚", Position::Officer, office.department_id);
    let card = issue(&app, &office.token, "LN-60", holder, 400).await["id"]
        .as_i64()
        .unwrap();
    let records = Records {
        app: &app,
        by: office.user_id,
        department: office.department_id,
    };
    let path = format!("/api/v1/certificates/{card}/status");
    let warned = records.decided_case(holder, "minor", &["warning"], false);
    let suspended = records.decided_case(holder, "minor", &["warning", "certificate_suspension"], false);
    let changes = app.count("certificate_status_changes");
    // Only a confiscation (ACC-6(2)) is cited for a revocation.
    for case in [warned, suspended] {
        let r = app
            .post(&path, t, &status("revoked", "accountability_decision", Some(case)))
            .await;
        assert_eq!(r.problem(422), "certificate_cause_invalid", "case {case}");
        assert_eq!(r.body["basis"], json!(["ACC-6(2)"]));
    }
    assert_eq!(app.count("certificate_status_changes"), changes, "nothing changed");
    let r = app
        .post(&path, t, &status("suspended", "accountability_decision", Some(warned)))
        .await;
    assert_eq!(r.ok(200)["status"], "suspended", "ACC-6(1) 可以暂扣");
}
