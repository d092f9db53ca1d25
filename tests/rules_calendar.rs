//! The rule set and the working-day calendar through the API.

mod common;

use chrono::Days;
use common::TestApp;
use safeguards::auth::Role;
use safeguards::db::today;
use serde_json::{json, Value};

#[actix_web::test]
async fn the_shipped_rules_are_in_force_with_their_articles() {
    let app = TestApp::new().await;
    let staff = app.account(Role::Staff).await;
    let r = app.get("/api/v1/rules", Some(&staff.token)).await;
    let body = r.ok(200);
    assert_eq!(body["version"], 1);
    assert_eq!(body["values"]["disclosure_deadline_working_days"]["penalty"], 7);
    assert_eq!(body["values"]["disclosure_deadline_working_days"]["other"], 20);
    assert_eq!(body["values"]["retention"]["natural_person_years"], 2);
    assert_eq!(body["values"]["training_hours_per_year"], 30);
    assert_eq!(body["values"]["exam_pass_mark"], 60);
    assert_eq!(body["values"]["appeal_window_days"], 30);
    assert_eq!(body["values"]["regular_inspections_per_year"], 2);
    assert_eq!(body["values"]["score_sheet"]["penalty_filed_case_deduction"], 3);
    assert_eq!(body["values"]["grade_thresholds"]["excellent"], 95);
    assert_eq!(body["articles"]["appeal_window_days"], json!(["ACC-13"]));
    assert_eq!(body["articles"]["training_hours_per_year"], json!(["TRN-6"]));
    app.get("/api/v1/rules?on=1999-12-31", Some(&staff.token))
        .await
        .problem(404);
}

fn values_with_penalty_days(days: u32) -> Value {
    let mut v = serde_json::to_value(safeguards::rules::ruleset::RuleValues::default()).unwrap();
    v["disclosure_deadline_working_days"]["penalty"] = json!(days);
    v
}

#[actix_web::test]
async fn leadership_adopts_a_future_version_and_each_day_reads_its_own() {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(leader.token.as_str());
    let from = today() + Days::new(10);
    let body = json!({"effective_from": from, "values": values_with_penalty_days(5)});
    app.post("/api/v1/rules", Some(&office.token), &body).await.problem(403);
    let r = app.post("/api/v1/rules", t, &body).await;
    assert_eq!(r.ok(201)["version"], 2);
    assert_eq!(app.get("/api/v1/rules", t).await.body["version"], 1, "not yet in force");
    let later = app.get(&format!("/api/v1/rules?on={from}"), t).await;
    assert_eq!(later.body["values"]["disclosure_deadline_working_days"]["penalty"], 5);
    let day_before = app.get(&format!("/api/v1/rules?on={}", from - Days::new(1)), t).await;
    assert_eq!(day_before.body["version"], 1);
    assert_eq!(
        app.get("/api/v1/rules/versions", t).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A list like the others: one version a page, then the next by its cursor.
    let first = app.get("/api/v1/rules/versions?limit=1", t).await;
    assert_eq!(
        (&first.ok(200)["items"][0]["version"], &first.body["next"]),
        (&json!(1), &json!("1"))
    );
    let second = app.get("/api/v1/rules/versions?limit=1&after=1", t).await;
    assert_eq!(second.ok(200)["items"][0]["version"], 2);
    assert!(second.body.get("next").is_none(), "the last page");
    for bad in ["limit=0", "limit=201", "after=x", "year=2026"] {
        app.get(&format!("/api/v1/rules/versions?{bad}"), t).await.problem(400);
    }
    assert_eq!(
        app.post("/api/v1/rules", t, &body).await.problem(409),
        "rule_version_exists"
    );
}

#[actix_web::test]
async fn versions_in_force_are_immutable_and_bad_values_are_listed() {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let t = Some(leader.token.as_str());
    let before = app.count("rule_versions");
    let past = json!({"effective_from": today() - Days::new(1), "values": values_with_penalty_days(5)});
    let r = app.post("/api/v1/rules", t, &past).await;
    assert_eq!(r.body["errors"][0]["field"], "effective_from");
    let mut bad = values_with_penalty_days(0);
    bad["score_sheet"]["penalty_cap"] = json!(50);
    let r = app
        .post("/api/v1/rules", t, &json!({"effective_from": today(), "values": bad}))
        .await;
    r.problem(422);
    let fields: Vec<_> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        ["values.disclosure_deadline_working_days.penalty", "values.score_sheet"]
    );
    let mut unknown = values_with_penalty_days(5);
    unknown["bonus"] = json!(1);
    app.post(
        "/api/v1/rules",
        t,
        &json!({"effective_from": today(), "values": unknown}),
    )
    .await
    .problem(400);
    assert_eq!(app.count("rule_versions"), before);
}

#[actix_web::test]
async fn the_issue_example_due_date_with_the_2027_new_year_holidays() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let before = app
        .get("/api/v1/calendar/due-date?from=2026-12-28&working_days=7", t)
        .await;
    assert_eq!(
        before.ok(200)["due_on"],
        "2027-01-06",
        "without a 2027 schedule only weekends are off"
    );
    assert!(before.body["warnings"][0].as_str().unwrap().contains("2027"));
    let schedule = json!({"holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "make_up_workdays": []});
    let r = app.send(
        actix_web::test::TestRequest::put()
            .uri("/api/v1/calendar/2027")
            .insert_header(("authorization", format!("Bearer {}", office.token)))
            .set_json(&schedule),
    );
    let r = r.await;
    assert_eq!(r.ok(200)["loaded"], true);
    let due = app
        .get("/api/v1/calendar/due-date?from=2026-12-28&working_days=7", t)
        .await;
    let body = due.ok(200);
    assert_eq!(body["due_on"], "2027-01-07");
    assert_eq!(body["counted_days"].as_array().unwrap().len(), 7);
    assert_eq!(body["counted_days"][0], "2026-12-29");
    assert_eq!(body["basis"], json!(["PUB-6"]));
    assert_eq!(body["warnings"], json!([]));
}

#[actix_web::test]
async fn the_2026_schedule_is_shipped() {
    let app = TestApp::new().await;
    let staff = app.account(Role::Staff).await;
    let y = app.get("/api/v1/calendar/2026", Some(&staff.token)).await;
    let body = y.ok(200);
    assert_eq!(body["loaded"], true);
    assert_eq!(body["holidays"].as_array().unwrap().len(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
    assert_eq!(
        body["make_up_workdays"],
        json!([
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10"
        ])
    );
    let empty = app.get("/api/v1/calendar/2031", Some(&staff.token)).await;
    assert_eq!(empty.ok(200)["loaded"], false);
    // Sunday 2026-01-04 is a working day.
    let r = app
        .get(
            "/api/v1/calendar/due-date?from=2025-12-31&working_days=1",
            Some(&staff.token),
        )
        .await;
    assert_eq!(r.ok(200)["due_on"], "2026-01-04");
}

#[actix_web::test]
async fn bad_calendar_input_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    for q in [
        "working_days=-1",
        "working_days=0",
        "working_days=1001",
        "working_days=99999999999999",
    ] {
        let r = app
            .get(&format!("/api/v1/calendar/due-date?from=2026-01-05&{q}"), t)
            .await;
        assert!(r.status == 422 || r.status == 400, "{q}: {}", r.status);
        r.problem(r.status.as_u16());
    }
    app.get("/api/v1/calendar/due-date?from=2026-13-01&working_days=3", t)
        .await
        .problem(400);
    let put = |body: Value| {
        actix_web::test::TestRequest::put()
            .uri("/api/v1/calendar/2026")
            .insert_header(("authorization", format!("Bearer {}", office.token)))
            .set_json(body)
    };
    let before = app.get("/api/v1/calendar/2026", t).await.text;
    let both = json!({"holidays": ["2026-01-01"], "make_up_workdays": ["2026-01-01"]});
    assert_eq!(app.send(put(both)).await.problem(422), "validation_failed");
    let weekday = json!({"holidays": [], "make_up_workdays": ["2026-01-05"]});
    app.send(put(weekday)).await.problem(422);
    let other_year = json!({"holidays": ["2027-01-01"], "make_up_workdays": []});
    app.send(put(other_year)).await.problem(422);
    assert_eq!(app.get("/api/v1/calendar/2026", t).await.text, before);
    let staff = app.account(Role::Staff).await;
    let r = app
        .send(
            actix_web::test::TestRequest::put()
                .uri("/api/v1/calendar/2026")
                .insert_header(("authorization", format!("Bearer {}", staff.token)))
                .set_json(json!({"holidays": [], "make_up_workdays": []})),
        )
        .await;
    r.problem(403);
}

#[actix_web::test]
async fn a_new_schedule_moves_the_deadlines_of_recorded_decisions() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let officer = app.officer_with_certificate("王伟", office.department_id, 30, 30);
    let decided = today() - Days::new(2);
    let act = json!({"kind": "inspection", "department_id": office.department_id, "officers": [officer],
        "counterpart": {"name": "某公司", "type": "legal_person"}, "legal_basis": "依据", "decision_text": "责令整改",
        "decision_date": decided});
    let r = app.post("/api/v1/acts", Some(&office.token), &act).await;
    let id = r.ok(201)["id"].as_i64().unwrap();
    let due_before: chrono::NaiveDate = serde_json::from_value(r.body["disclosure"]["due_on"].clone()).unwrap();
    // Declare every weekday of the window a holiday except the last: the due day moves later.
    let year = chrono::Datelike::year(&due_before);
    let existing = app.get(&format!("/api/v1/calendar/{year}"), Some(&office.token)).await;
    let mut holidays: Vec<chrono::NaiveDate> = serde_json::from_value(existing.body["holidays"].clone()).unwrap();
    let workdays: Vec<chrono::NaiveDate> = serde_json::from_value(existing.body["make_up_workdays"].clone()).unwrap();
    if !holidays.contains(&due_before) && !workdays.contains(&due_before) {
        holidays.push(due_before);
    }
    let put = actix_web::test::TestRequest::put()
        .uri(&format!("/api/v1/calendar/{year}"))
        .insert_header(("authorization", format!("Bearer {}", office.token)))
        .set_json(json!({"holidays": holidays, "make_up_workdays": workdays}));
    app.send(put).await.ok(200);
    let after = app.get(&format!("/api/v1/acts/{id}"), Some(&office.token)).await;
    let due_after: chrono::NaiveDate = serde_json::from_value(after.body["disclosure"]["due_on"].clone()).unwrap();
    assert!(due_after > due_before, "{due_before} → {due_after}");
    let check = app
        .get(
            &format!("/api/v1/calendar/due-date?from={decided}&working_days=20"),
            Some(&office.token),
        )
        .await;
    assert_eq!(after.body["disclosure"]["due_on"], check.body["due_on"]);
}

#[actix_web::test]
async fn versions_adopted_out_of_order_take_effect_by_their_dates() {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let t = Some(leader.token.as_str());
    let (later, sooner) = (today() + Days::new(60), today() + Days::new(30));
    for (from, days) in [(later, 5), (sooner, 6)] {
        let body = json!({"effective_from": from, "values": values_with_penalty_days(days)});
        app.post("/api/v1/rules", t, &body).await.ok(201);
    }
    for (on, version) in [
        (sooner, 3),
        (later - Days::new(1), 3),
        (later, 2),
        (later + Days::new(30), 2),
    ] {
        let r = app.get(&format!("/api/v1/rules?on={on}"), t).await;
        assert_eq!(r.ok(200)["version"], version, "on {on}");
    }
}

#[actix_web::test]
async fn a_calendar_changed_behind_the_service_moves_deadlines_at_once_in_its_database_only() {
    // Rules and calendar are kept in memory while the database's revision tag stays the same;
    // a change by hand (or by another process) renews the tag through the triggers.
    let (app, other) = (TestApp::new().await, TestApp::new().await);
    async fn due_on(app: &TestApp) -> String {
        let token = app.account(Role::Staff).await.token;
        let r = app
            .get("/api/v1/calendar/due-date?from=2026-12-28&working_days=7", Some(&token))
            .await;
        r.ok(200)["due_on"].as_str().unwrap().to_owned()
    }
    assert_eq!(due_on(&app).await, "2027-01-06");
    assert_eq!(due_on(&other).await, "2027-01-06");
    app.sql("INSERT INTO calendar_years (year, updated_at) VALUES (2027, '2026-11-28 09:00:00')");
    app.sql("INSERT INTO calendar_days (day, year, kind) VALUES ('2027-01-04', 2027, 'holiday')");
    assert_eq!(due_on(&app).await, "2027-01-07", "the holiday added by hand counts");
    assert_eq!(
        due_on(&other).await,
        "2027-01-06",
        "another database keeps its own calendar"
    );
    assert_eq!(due_on(&app).await, "2027-01-07");
}
