//! Petitions: public intake and follow-up, assignment with a working-day deadline, replies,
//! overdue listing, marks, referral to accountability without the reporter.

mod common;

use actix_web::test::TestRequest;
use chrono::Days;
use common::TestApp;
use safeguards::auth::Role;
use safeguards::db::today;
use serde_json::json;

#[actix_web::test]
async fn the_public_submits_and_follows_a_petition_without_a_token() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let r = app
        .post(
            "/api/v1/public/petitions",
            None,
            &json!({"subject": "违规储存", "content": "某仓库", "contact": "13800000000"}),
        )
        .await;
    let code = r.ok(201)["tracking_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 32);
    let follow = app.get(&format!("/api/v1/public/petitions/{code}"), None).await;
    assert_eq!(follow.ok(200)["status"], "received");
    assert!(follow.body.get("contact").is_none() && follow.body.get("department_id").is_none());
    app.get("/api/v1/public/petitions/0000", None).await.problem(404);

    let list = app.get("/api/v1/petitions", Some(&office.token)).await;
    let id = list.ok(200)["items"][0]["id"].as_i64().unwrap();
    assert_eq!(list.body["items"][0]["contact"], "13800000000");
    let r = app
        .post(
            &format!("/api/v1/petitions/{id}/assign"),
            Some(&office.token),
            &json!({"department_id": staff.department_id}),
        )
        .await;
    let due = r.ok(200)["reply_due_on"].clone();
    let check = app
        .get(
            &format!("/api/v1/calendar/due-date?from={}&working_days=15", today()),
            Some(&office.token),
        )
        .await;
    assert_eq!(due, check.body["due_on"], "15 working days from the rule set");
    // Staff of the department see it, without the contact, and answer it.
    let seen = app.get(&format!("/api/v1/petitions/{id}"), Some(&staff.token)).await;
    assert!(seen.ok(200)["contact"].is_null());
    let other = app.account(Role::Staff).await;
    app.get(&format!("/api/v1/petitions/{id}"), Some(&other.token))
        .await
        .problem(404);
    app.post(
        &format!("/api/v1/petitions/{id}/reply"),
        Some(&staff.token),
        &json!({"text": "已核查处理"}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/api/v1/petitions/{id}/reply"),
        Some(&staff.token),
        &json!({"text": "again"}),
    )
    .await
    .problem(409);
    let follow = app.get(&format!("/api/v1/public/petitions/{code}"), None).await;
    assert_eq!(follow.body["reply"], "已核查处理");
}

#[actix_web::test]
async fn bad_or_too_many_submissions_are_refused() {
    let app = TestApp::new().await;
    let before = app.count("petitions");
    app.post(
        "/api/v1/public/petitions",
        None,
        &json!({"subject": "", "content": "x"}),
    )
    .await
    .problem(422);
    app.post(
        "/api/v1/public/petitions",
        None,
        &json!({"subject": "x", "content": "y".repeat(5001)}),
    )
    .await
    .problem(422);
    app.post(
        "/api/v1/public/petitions",
        None,
        &json!({"subject": "x", "content": "y", "anonymous": true, "contact": "me"}),
    )
    .await
    .problem(422);
    app.post(
        "/api/v1/public/petitions",
        None,
        &json!({"subject": "x", "content": "y", "extra": 1}),
    )
    .await
    .problem(400);
    assert_eq!(app.count("petitions"), before);
    let send = || {
        TestRequest::post()
            .uri("/api/v1/public/petitions")
            .peer_addr("10.9.9.9:5000".parse().unwrap())
            .set_json(json!({"subject": "x", "content": "y", "anonymous": true}))
    };
    for _ in 0..safeguards::auth::throttle::MAX_FAILURES_PER_ACCOUNT {
        app.send(send()).await.ok(201);
    }
    let r = app.send(send()).await;
    assert_eq!(r.problem(429), "rate_limited");
    assert!(r.header("retry-after").is_some());
}

#[actix_web::test]
async fn overdue_petitions_are_listed_and_referral_hides_the_reporter() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let t = Some(office.token.as_str());
    let body = json!({"channel": "hotline", "subject": "态度恶劣", "content": "执法人员态度恶劣", "contact": "王先生"});
    let mut ancient = body.clone();
    ancient["received_on"] = json!("1999-12-31");
    let r = app.post("/api/v1/petitions", t, &ancient).await;
    assert_eq!(r.problem(422), "validation_failed", "no year's report could reach it");
    assert_eq!(app.count("petitions"), 0);
    let id = app.post("/api/v1/petitions", t, &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/petitions/{id}/assign"),
        t,
        &json!({"department_id": staff.department_id}),
    )
    .await
    .ok(200);
    assert!(app.get("/api/v1/petitions?overdue=true", t).await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    app.sql(&format!(
        "UPDATE petitions SET reply_due_on = '{}' WHERE id = {id}",
        today() - chrono::Days::new(1)
    ));
    let overdue = app.get("/api/v1/petitions?overdue=true", t).await;
    assert_eq!(overdue.ok(200)["items"][0]["overdue"], true);
    assert_eq!(overdue.body["items"][0]["basis"], json!(["EVAL-5(4)"]));
    app.post(&format!("/api/v1/petitions/{id}/marks"), t, &json!({"escalated": true}))
        .await
        .ok(200);

    let mut refer = json!({"respondents": [{"kind": "person", "id": staff.person_id}], "fault_types": [2],
        "fault_on": today() + chrono::Days::new(1)});
    let r = app.post(&format!("/api/v1/petitions/{id}/refer"), t, &refer).await;
    assert_eq!(r.problem(422), "validation_failed");
    // Handling the petition (ACC-4(2)) did not go wrong before it came in (today).
    refer["fault_on"] = json!(today() - chrono::Days::new(1));
    let r = app.post(&format!("/api/v1/petitions/{id}/refer"), t, &refer).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "fault_on");
    assert_eq!(app.count("acc_cases"), 0);
    refer.as_object_mut().unwrap().remove("fault_on");
    let case = app.post(&format!("/api/v1/petitions/{id}/refer"), t, &refer).await;
    let case_id = case.ok(201)["id"].as_i64().unwrap();
    assert_eq!(case.body["source"], json!({"kind": "petition", "id": id}));
    assert_eq!(
        case.body["fault_on"],
        json!(today()),
        "ACC-4(2): the reply was late from the day after it was due"
    );
    let seen = app
        .get(&format!("/api/v1/accountability/cases/{case_id}"), Some(&staff.token))
        .await;
    assert_eq!(seen.ok(200)["source"], json!({"kind": "petition", "id": null}));
    assert!(!seen.text.contains("王先生"));

    // One petition, one case: a second would count as a second fault under ACC-7(2).
    let cases = app.count("acc_cases");
    let again = app.post(&format!("/api/v1/petitions/{id}/refer"), t, &refer).await;
    assert_eq!(again.problem(409), "already_referred");
    let by_hand = json!({"respondents": [{"kind": "person", "id": staff.person_id}], "source": {"kind": "petition", "id": id},
        "fault_types": [2], "facts": "答复不及时", "fault_on": today()});
    let r = app.post("/api/v1/accountability/cases", t, &by_hand).await;
    assert_eq!(r.problem(409), "already_referred");
    assert_eq!(app.count("acc_cases"), cases);
}

#[actix_web::test]
async fn a_reply_deadline_counted_without_a_holiday_schedule_says_so() {
    use chrono::Datelike;
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let t = Some(office.token.as_str());
    let year = today().year();
    app.sql(&format!("DELETE FROM calendar_days WHERE year = {year}"));
    app.sql(&format!("DELETE FROM calendar_years WHERE year = {year}"));
    let body = json!({"channel": "letter", "subject": "投诉", "content": "内容"});
    let id = app.post("/api/v1/petitions", t, &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/petitions/{id}"), t).await.ok(200)["warnings"],
        json!([]),
        "no deadline yet"
    );
    let assign = json!({"department_id": staff.department_id});
    let r = app.post(&format!("/api/v1/petitions/{id}/assign"), t, &assign).await;
    let warning = r.ok(200)["warnings"][0].as_str().unwrap_or_default().to_owned();
    assert!(warning.contains(&format!("for {year}")), "{}", r.text);
    let listed = app.get("/api/v1/petitions", t).await;
    assert_eq!(listed.ok(200)["items"][0]["warnings"][0], warning);
}

#[actix_web::test]
async fn a_calendar_change_moves_reply_deadlines_as_it_moves_publication_deadlines() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let body = json!({"channel": "letter", "subject": "投诉", "content": "内容"});
    let id = app.post("/api/v1/petitions", Some(&office.token), &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/petitions/{id}/assign"),
            Some(&office.token),
            &json!({"department_id": staff.department_id}),
        )
        .await;
    let due: chrono::NaiveDate = serde_json::from_value(r.ok(200)["reply_due_on"].clone()).unwrap();
    // The last day becomes a public holiday: the reply is due a working day later.
    let put = TestRequest::put()
        .uri(&format!("/api/v1/calendar/{}", chrono::Datelike::year(&due)))
        .insert_header(("authorization", format!("Bearer {}", office.token)))
        .set_json(json!({"holidays": [due], "make_up_workdays": []}));
    app.send(put).await.ok(200);
    let check = app
        .get(
            &format!("/api/v1/calendar/due-date?from={}&working_days=15", today()),
            Some(&office.token),
        )
        .await;
    let moved = app.get(&format!("/api/v1/petitions/{id}"), Some(&office.token)).await;
    assert_eq!(moved.ok(200)["reply_due_on"], check.ok(200)["due_on"]);
    assert_ne!(moved.body["reply_due_on"], json!(due));
}

#[actix_web::test]
async fn an_unassigned_petition_cannot_be_marked_mishandled() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let t = Some(office.token.as_str());
    let body = json!({"channel": "letter", "subject": "投诉", "content": "内容"});
    let id = app.post("/api/v1/petitions", t, &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let marks = format!("/api/v1/petitions/{id}/marks");
    for mark in [json!({"mishandled": true}), json!({"escalated": true})] {
        let refused = app.post(&marks, t, &mark).await;
        assert_eq!(refused.problem(409), "petition_unassigned");
    }
    let stored = app.number(&format!(
        "SELECT COUNT(*) AS n FROM petitions WHERE id = {id} AND (mishandled OR escalated)"
    ));
    assert_eq!(stored, 0);
    app.post(
        &format!("/api/v1/petitions/{id}/assign"),
        t,
        &json!({"department_id": staff.department_id}),
    )
    .await
    .ok(200);
    assert_eq!(
        app.post(&marks, t, &json!({"mishandled": true})).await.ok(200)["mishandled"],
        true
    );
}

#[actix_web::test]
async fn a_rule_set_in_force_on_the_assignment_day_sets_the_reply_deadline_at_once() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let leader = app.account(Role::Leadership).await;
    let staff = app.account(Role::Staff).await;
    let body = json!({"channel": "letter", "subject": "投诉", "content": "内容"});
    let id = app.post("/api/v1/petitions", Some(&office.token), &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let assigned = app
        .post(
            &format!("/api/v1/petitions/{id}/assign"),
            Some(&office.token),
            &json!({"department_id": staff.department_id}),
        )
        .await;
    assert_eq!(assigned.ok(200)["rule_version"], 1);
    let mut values = app.get("/api/v1/rules", Some(&leader.token)).await.body["values"].clone();
    values["petition_reply_working_days"] = json!(1);
    app.post(
        "/api/v1/rules",
        Some(&leader.token),
        &json!({"effective_from": today(), "values": values}),
    )
    .await
    .ok(201);
    let expected = app
        .get(
            &format!("/api/v1/calendar/due-date?from={}&working_days=1", today()),
            Some(&office.token),
        )
        .await;
    let now = app.get(&format!("/api/v1/petitions/{id}"), Some(&office.token)).await;
    assert_eq!(now.ok(200)["rule_version"], 2);
    assert_eq!(now.body["reply_due_on"], expected.body["due_on"]);
}

#[actix_web::test]
async fn a_transfer_to_another_department_keeps_the_deadline_already_running() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let other = app.department("二科");
    let t = Some(office.token.as_str());
    let body = json!({"channel": "hotline", "subject": "举报", "content": "内容"});
    let id = app.post("/api/v1/petitions", t, &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let assign = |d: i64| json!({"department_id": d});
    let path = format!("/api/v1/petitions/{id}/assign");
    app.post(&path, t, &assign(staff.department_id)).await.ok(200);
    // Assigned a month ago: its reply is overdue.
    let (on, due) = (today() - Days::new(30), today() - Days::new(5));
    app.sql(&format!(
        "UPDATE petitions SET assigned_on = '{on}', reply_due_on = '{due}' WHERE id = {id}"
    ));
    let moved = app.post(&path, t, &assign(other)).await;
    assert_eq!(moved.ok(200)["department_id"], other);
    assert_eq!(
        (
            &moved.body["assigned_on"],
            &moved.body["reply_due_on"],
            &moved.body["overdue"]
        ),
        (&json!(on), &json!(due), &json!(true)),
        "{}",
        moved.text
    );
    let overdue = app.get("/api/v1/petitions?overdue=true", t).await;
    assert_eq!(overdue.ok(200)["items"][0]["id"], id);
}
