//! TRN through the API: hours against the yearly minimum (boundary, fractional hours,
//! unconfirmed self-study, a rule change from its date), exams and TRN-7, make-ups, plans.

mod common;

use chrono::{Datelike, Days};
use common::{Session, TestApp};
use safeguards::auth::Role;
use safeguards::db::today;
use safeguards::org::rules::Position;
use serde_json::{json, Value};

struct Trn {
    app: TestApp,
    office: Session,
    staff: Session,
}

async fn trn() -> Trn {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    Trn { app, office, staff }
}

impl Trn {
    fn t(&self) -> Option<&str> {
        Some(&self.office.token)
    }

    async fn session(&self, hours: f64, people: &[i64], held_on: chrono::NaiveDate) -> i64 {
        let body = json!({"title": "讲座", "form": "lecture", "content_areas": ["professional_law"], "held_on": held_on, "hours": hours, "participants": people});
        self.app
            .post("/api/v1/training/sessions", self.t(), &body)
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap()
    }

    async fn attend(&self, session: i64, rows: Value) -> common::Resp {
        let req = actix_web::test::TestRequest::put()
            .uri(&format!("/api/v1/training/sessions/{session}/attendance"))
            .insert_header(("authorization", format!("Bearer {}", self.office.token)))
            .set_json(rows);
        self.app.send(req).await
    }

    async fn results(&self, exam: i64, rows: Value) -> common::Resp {
        let req = actix_web::test::TestRequest::put()
            .uri(&format!("/api/v1/training/exams/{exam}/results"))
            .insert_header(("authorization", format!("Bearer {}", self.office.token)))
            .set_json(rows);
        self.app.send(req).await
    }

    async fn hours_of(&self, person: i64) -> Value {
        let year = today().year();
        let r = self
            .app
            .get(&format!("/api/v1/training/hours?year={year}"), self.t())
            .await;
        r.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person_id"] == person)
            .unwrap()
            .clone()
    }
}

/// A day of this year on or before today.
fn this_year_day() -> chrono::NaiveDate {
    let jan1 = chrono::NaiveDate::from_ymd_opt(today().year(), 1, 1).unwrap();
    (today() - Days::new(1)).max(jan1)
}

#[actix_web::test]
async fn thirty_hours_exactly_is_compliant_and_twenty_nine_point_nine_is_not() {
    let s = trn().await;
    let p = s.staff.person_id;
    let day = this_year_day();
    let a = s.session(20.0, &[p], day).await;
    s.attend(a, json!([{"person_id": p, "status": "present"}]))
        .await
        .ok(200);
    let b = s.session(9.9, &[p], day).await;
    s.attend(b, json!([{"person_id": p, "status": "present"}]))
        .await
        .ok(200);
    let h = s.hours_of(p).await;
    assert_eq!(h["hours"], 29.9);
    assert_eq!(h["required"], 30);
    assert_eq!(h["short_by"], 0.1);
    assert_eq!(h["compliant"], false);
    assert_eq!(h["basis"], json!(["TRN-6"]));
    // Self-study counts only once confirmed.
    let claim = s
        .app
        .post(
            "/api/v1/training/self-study",
            Some(&s.staff.token),
            &json!({"studied_on": day, "hours": 0.1, "description": "自学"}),
        )
        .await;
    let claim = claim.ok(201)["id"].as_i64().unwrap();
    assert_eq!(s.hours_of(p).await["compliant"], false, "a claim does not count");
    s.app
        .post(
            &format!("/api/v1/training/self-study/{claim}/confirm"),
            Some(&s.staff.token),
            &json!({}),
        )
        .await
        .problem(403);
    s.app
        .post(
            &format!("/api/v1/training/self-study/{claim}/confirm"),
            s.t(),
            &json!({}),
        )
        .await
        .ok(200);
    s.app
        .post(
            &format!("/api/v1/training/self-study/{claim}/reject"),
            s.t(),
            &json!({}),
        )
        .await
        .problem(409);
    let h = s.hours_of(p).await;
    assert_eq!(h["hours"], 30.0);
    assert_eq!(h["self_study_hours"], 0.1);
    assert_eq!(h["compliant"], true);
}

#[actix_web::test]
async fn one_course_of_thirty_hours_meets_the_year_on_its_own() {
    let s = trn().await;
    let p = s.staff.person_id;
    let course = s.session(30.0, &[p], this_year_day()).await;
    s.attend(course, json!([{"person_id": p, "status": "present"}]))
        .await
        .ok(200);
    let h = s.hours_of(p).await;
    assert_eq!(
        (h["hours"].as_f64(), h["compliant"].as_bool()),
        (Some(30.0), Some(true))
    );
}

#[actix_web::test]
async fn a_new_required_number_takes_effect_from_its_date() {
    let s = trn().await;
    let leader = s.app.account(Role::Leadership).await;
    let mut values = serde_json::to_value(safeguards::rules::ruleset::RuleValues::default()).unwrap();
    values["training_hours_per_year"] = json!(40);
    let tomorrow = today() + Days::new(1);
    s.app
        .post(
            "/api/v1/rules",
            Some(&leader.token),
            &json!({"effective_from": tomorrow, "values": values}),
        )
        .await
        .ok(201);
    assert_eq!(s.hours_of(s.staff.person_id).await["required"], 30, "not in force yet");
    let mut values = serde_json::to_value(safeguards::rules::ruleset::RuleValues::default()).unwrap();
    values["training_hours_per_year"] = json!(36);
    s.app
        .post(
            "/api/v1/rules",
            Some(&leader.token),
            &json!({"effective_from": today(), "values": values}),
        )
        .await
        .ok(201);
    let h = s.hours_of(s.staff.person_id).await;
    assert_eq!(h["required"], 36, "in force from today");
}

#[actix_web::test]
async fn absence_brings_an_order_and_a_recommendation_and_excuse_a_make_up() {
    let s = trn().await;
    let (p1, p2, p3) = (
        s.staff.person_id,
        s.app
            .person("缺席", safeguards::org::rules::Position::Officer, s.staff.department_id),
        s.app
            .person("请假", safeguards::org::rules::Position::Officer, s.staff.department_id),
    );
    let day = this_year_day();
    let id = s.session(3.0, &[p1, p2, p3], day).await;
    let stranger = s
        .app
        .person("外人", safeguards::org::rules::Position::Officer, s.staff.department_id);
    let before = s.app.count("training_consequences");
    s.attend(id, json!([{"person_id": stranger, "status": "present"}]))
        .await
        .problem(422);
    s.attend(
        id,
        json!([{"person_id": p1, "status": "present"}, {"person_id": p1, "status": "absent"}]),
    )
    .await
    .problem(422);
    assert_eq!(s.app.count("training_consequences"), before);
    s.attend(id, json!([{"person_id": p1, "status": "present"}, {"person_id": p2, "status": "absent"}, {"person_id": p3, "status": "excused"}])).await.ok(200);
    s.attend(id, json!([{"person_id": p2, "status": "present"}]))
        .await
        .problem(409);
    let orders = s.app.get("/api/v1/training/orders", s.t()).await;
    assert_eq!(orders.ok(200)["items"].as_array().unwrap().len(), 1);
    assert_eq!(orders.body["items"][0]["person_id"], p2);
    assert_eq!(orders.body["items"][0]["basis"], json!(["TRN-7"]));
    // An accountability case from that order is about the one it befell.
    let order = orders.body["items"][0]["id"].as_i64().unwrap();
    let case = |person: i64| {
        json!({"respondents": [{"kind": "person", "id": person}], "source": {"kind": "training", "id": order},
            "fault_types": [1], "facts": "无故缺席培训", "fault_on": day})
    };
    let r = s.app.post("/api/v1/accountability/cases", s.t(), &case(p1)).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "respondents");
    assert_eq!(s.app.count("acc_cases"), 0);
    s.app
        .post("/api/v1/accountability/cases", s.t(), &case(p2))
        .await
        .ok(201);
    let recs = s.app.get("/api/v1/training/recommendations", s.t()).await;
    assert_eq!(recs.ok(200)["items"][0]["person_id"], p2);
    // Filters narrow a staff member's own list, never swap it for someone else's.
    let staff = Some(s.staff.token.as_str());
    let claim = json!({"studied_on": day, "hours": 1.0, "description": "自学"});
    s.app.post("/api/v1/training/self-study", staff, &claim).await.ok(201);
    let own = s
        .app
        .get(&format!("/api/v1/training/self-study?person_id={p1}"), staff)
        .await;
    assert_eq!(own.ok(200)["items"][0]["person_id"], p1);
    for path in ["orders", "recommendations", "makeups", "self-study"] {
        let theirs = s
            .app
            .get(&format!("/api/v1/training/{path}?person_id={p2}"), staff)
            .await;
        assert_eq!(theirs.ok(200)["items"], json!([]), "{path}");
    }
    let others = s
        .app
        .get(&format!("/api/v1/training/orders?person_id={p2}"), s.t())
        .await;
    assert_eq!(others.ok(200)["items"][0]["person_id"], p2, "the office lists anyone's");
    let open = s.app.get("/api/v1/training/makeups?open=true", s.t()).await;
    assert_eq!(open.ok(200)["items"].as_array().unwrap().len(), 1);
    assert_eq!(open.body["items"][0]["person_id"], p3);
    // A later session attended makes it up.
    let later = s.session(2.0, &[p3], today()).await;
    s.attend(later, json!([{"person_id": p3, "status": "present"}]))
        .await
        .ok(200);
    assert!(
        s.app.get("/api/v1/training/makeups?open=true", s.t()).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let all = s.app.get("/api/v1/training/makeups", s.t()).await;
    assert_eq!(all.body["items"][0]["made_up_by_id"], later);
}

#[actix_web::test]
async fn an_exam_below_the_pass_mark_follows_trn_7() {
    let s = &trn().await;
    let d = s.staff.department_id;
    let pos = safeguards::org::rules::Position::Officer;
    let (pass, fail, excused, unexcused) = (
        s.app.person("及格", pos, d),
        s.app.person("不及格", pos, d),
        s.app.person("因故", pos, d),
        s.app.person("缺考", pos, d),
    );
    let future = s
        .app
        .post(
            "/api/v1/training/exams",
            s.t(),
            &json!({"title": "考试", "held_on": today() + Days::new(3)}),
        )
        .await;
    let future = future.ok(201)["id"].as_i64().unwrap();
    s.results(future, json!([{"person_id": pass, "score": 80}]))
        .await
        .problem(422);
    let exam = s
        .app
        .post(
            "/api/v1/training/exams",
            s.t(),
            &json!({"title": "年度法制考试", "held_on": this_year_day()}),
        )
        .await;
    let exam = exam.ok(201)["id"].as_i64().unwrap();
    s.results(exam, json!([{"person_id": pass, "score": 101}]))
        .await
        .problem(422);
    s.results(exam, json!([{"person_id": pass}])).await.problem(422);
    let r = s
        .results(
            exam,
            json!([
                {"person_id": pass, "score": 60}, {"person_id": fail, "score": 59},
                {"person_id": excused, "absence": "excused"}, {"person_id": unexcused, "absence": "unexcused"}
            ]),
        )
        .await;
    let body = r.ok(200);
    assert_eq!(body["pass_mark"], 60);
    let passed: Vec<bool> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [true, false, false, false]);
    s.results(exam, json!([{"person_id": pass, "score": 70}]))
        .await
        .problem(409);
    let ordered: Vec<i64> = s.app.get("/api/v1/training/orders", s.t()).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["person_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ordered, [fail, unexcused]);
    let makeups = s.app.get("/api/v1/training/makeups?open=true", s.t()).await;
    assert_eq!(makeups.body["items"][0]["kind"], "make_up_exam");
    assert_eq!(makeups.body["items"][0]["person_id"], excused);
    // The certificate is not changed automatically.
    assert_eq!(s.app.count("certificate_status_changes"), 0);

    // Corrections, one person at a time with a reason, the consequences following.
    let correct = |person: i64, result: Value| {
        let path = format!("/api/v1/training/exams/{exam}/results/{person}");
        let mut body = result;
        body["reason"] = json!("阅卷复核");
        async move { s.app.patch(&path, s.t(), None, &body).await }
    };
    let open_orders = || async {
        let r = s.app.get("/api/v1/training/orders?open=true", s.t()).await;
        let items = r.ok(200)["items"].as_array().unwrap().clone();
        items
            .iter()
            .map(|x| x["person_id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    correct(fail, json!({"score": 59})).await.problem(409);
    correct(fail, json!({"score": 101})).await.problem(422);
    correct(fail, json!({})).await.problem(422);
    correct(s.staff.person_id, json!({"score": 70})).await.problem(404);
    // 59 was a marking error: 61 passes, the order and recommendation are lifted.
    let r = correct(fail, json!({"score": 61})).await;
    let row = r.ok(200)["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["person_id"] == fail)
        .cloned();
    assert_eq!(row.unwrap()["passed"], true);
    assert_eq!(open_orders().await, [unexcused]);
    // The excused one was in fact absent without excuse: the make-up goes, TRN-7 follows.
    correct(excused, json!({"absence": "unexcused"})).await.ok(200);
    assert_eq!(open_orders().await, [unexcused, excused]);
    let makeups = s.app.get("/api/v1/training/makeups?open=true", s.t()).await;
    assert_eq!(makeups.ok(200)["items"], json!([]));
    // The one who passed had 50: failed after all.
    correct(pass, json!({"score": 50})).await.ok(200);
    assert_eq!(open_orders().await, [unexcused, excused, pass]);
}

#[actix_web::test]
async fn bad_training_input_is_refused() {
    let s = trn().await;
    let p = s.staff.person_id;
    let before = s.app.count("training_sessions");
    for hours in [0.0, -1.0, 500.5, 1.25] {
        let body = json!({"title": "x", "form": "lecture", "content_areas": ["procedure"], "held_on": today(), "hours": hours, "participants": [p]});
        s.app.post("/api/v1/training/sessions", s.t(), &body).await.problem(422);
    }
    // A self-study claim is one day's study: 24 hours at most (a session may run for days).
    let claim = |hours: f64| json!({"studied_on": today(), "hours": hours, "description": "自学"});
    let studies = s.app.count("self_study");
    let r = s
        .app
        .post("/api/v1/training/self-study", Some(&s.staff.token), &claim(24.1))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(s.app.count("self_study"), studies);
    s.app
        .post("/api/v1/training/self-study", Some(&s.staff.token), &claim(23.5))
        .await
        .ok(201);
    let r = s
        .app
        .post("/api/v1/training/self-study", Some(&s.staff.token), &claim(0.6))
        .await;
    assert_eq!(r.body["errors"][0]["field"], "hours", "the same day's claims add up");
    s.app
        .post("/api/v1/training/self-study", Some(&s.staff.token), &claim(0.5))
        .await
        .ok(201);
    let bad_form = json!({"title": "x", "form": "party", "content_areas": ["procedure"], "held_on": today(), "hours": 1, "participants": [p]});
    s.app
        .post("/api/v1/training/sessions", s.t(), &bad_form)
        .await
        .problem(400);
    s.app
        .post("/api/v1/training/sessions", Some(&s.staff.token), &bad_form)
        .await
        .problem(403);
    assert_eq!(s.app.count("training_sessions"), before);
    let other = s
        .app
        .person("别人", safeguards::org::rules::Position::Officer, s.staff.department_id);
    let r = s
        .app
        .post(
            "/api/v1/training/self-study",
            Some(&s.staff.token),
            &json!({"person_id": other, "studied_on": today(), "hours": 1, "description": "x"}),
        )
        .await;
    r.problem(403);
}

#[actix_web::test]
async fn plans_and_summaries_are_flagged_when_late_and_records_are_private() {
    let s = trn().await;
    let r = s.app.get("/api/v1/training/plans/2020", s.t()).await;
    assert_eq!(r.ok(200)["flagged"], true);
    assert_eq!(r.body["due_on"], "2020-01-31");
    let put = actix_web::test::TestRequest::put()
        .uri("/api/v1/training/plans/2020")
        .insert_header(("authorization", format!("Bearer {}", s.office.token)))
        .set_json(json!({"content": "年度培训计划"}));
    s.app.send(put).await.ok(200);
    assert_eq!(
        s.app.get("/api/v1/training/plans/2020", s.t()).await.body["flagged"],
        false
    );
    assert_eq!(
        s.app.get("/api/v1/training/summaries/2020", s.t()).await.body["due_on"],
        "2021-01-31"
    );
    let next = today().year() + 1;
    assert_eq!(
        s.app
            .get(&format!("/api/v1/training/summaries/{next}"), s.t())
            .await
            .body["flagged"],
        false
    );

    let year = today().year();
    let own = s
        .app
        .get(
            &format!("/api/v1/people/{}/training?year={year}", s.staff.person_id),
            Some(&s.staff.token),
        )
        .await;
    assert_eq!(own.ok(200)["hours"]["required"], 30);
    s.app
        .get(
            &format!("/api/v1/people/{}/training?year={year}", s.office.person_id),
            Some(&s.staff.token),
        )
        .await
        .problem(404);
    let check = json!({"person_id": s.staff.person_id, "period_from": "2026-01-01", "period_to": "2026-06-30", "result": "good"});
    s.app.post("/api/v1/training/note-checks", s.t(), &check).await.ok(201);
    let mut contrary = check.clone();
    contrary["result"] = json!("poor");
    contrary["period_from"] = json!("2026-06-01");
    let r = s.app.post("/api/v1/training/note-checks", s.t(), &contrary).await;
    assert_eq!(r.problem(409), "notes_checked", "two verdicts on the same notes");
    let rec = s
        .app
        .get(
            &format!("/api/v1/people/{}/training?year={year}", s.staff.person_id),
            s.t(),
        )
        .await;
    assert_eq!(rec.body["note_checks"][0]["basis"], json!(["TRN-8"]));
    let hours = s
        .app
        .get(&format!("/api/v1/training/hours?year={year}"), Some(&s.staff.token))
        .await;
    assert_eq!(
        hours.ok(200)["items"].as_array().unwrap().len(),
        1,
        "staff see their own hours only"
    );
}

impl Trn {
    async fn put_document(&self, path: &str, content: &str) -> common::Resp {
        let put = actix_web::test::TestRequest::put()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {}", self.office.token)))
            .set_json(json!({"content": content}));
        self.app.send(put).await
    }
}

#[actix_web::test]
async fn a_summary_is_refused_for_a_year_not_yet_begun_and_nothing_is_stored() {
    let s = trn().await;
    let (this, next) = (today().year(), today().year() + 1);
    let before = (s.app.count("training_documents"), s.app.count("audit_log"));
    let r = s
        .put_document(&format!("/api/v1/training/summaries/{next}"), "年终总结")
        .await;
    assert_eq!(r.problem(422), "training_year_not_begun");
    assert_eq!(r.body["basis"], json!(["TRN-6"]));
    assert_eq!((s.app.count("training_documents"), s.app.count("audit_log")), before);
    let summary = s.app.get(&format!("/api/v1/training/summaries/{next}"), s.t()).await;
    assert!(summary.ok(200)["content"].is_null());
    // The year under way may have its summary drafted; next year's plan is filed ahead.
    s.put_document(&format!("/api/v1/training/summaries/{this}"), "年终总结")
        .await
        .ok(200);
    s.put_document(&format!("/api/v1/training/plans/{next}"), "年度计划")
        .await
        .ok(200);
}

#[actix_web::test]
async fn a_plan_filed_after_its_due_day_stays_late_when_replaced() {
    let s = trn().await;
    let next = today().year() + 1;
    let r = s.put_document("/api/v1/training/plans/2020", "年度培训计划").await;
    assert_eq!(r.ok(200)["flagged"], false, "no longer missing");
    assert_eq!(r.body["late"], true);
    assert_eq!(r.body["filed_on"], json!(today()));
    // Filed long ago (as the database would have it), a replacement keeps the first filing.
    s.app
        .sql("UPDATE training_documents SET filed_at = '2020-03-01 02:00:00' WHERE year = 2020 AND kind = 'plan'");
    let r = s.put_document("/api/v1/training/plans/2020", "修订后的计划").await;
    assert_eq!(r.ok(200)["content"], "修订后的计划");
    assert_eq!(r.body["filed_on"], "2020-03-01");
    assert_eq!(r.body["late"], true);
    let read = s.app.get("/api/v1/training/plans/2020", s.t()).await;
    assert_eq!(read.ok(200)["late"], true);

    let timely = s
        .put_document(&format!("/api/v1/training/plans/{next}"), "明年计划")
        .await;
    assert_eq!(timely.ok(200)["late"], false);
    let missing = s.app.get("/api/v1/training/summaries/2020", s.t()).await;
    assert_eq!(missing.ok(200)["late"], false);
    assert!(missing.body["filed_on"].is_null());
    assert_eq!(missing.body["flagged"], true);
}

#[actix_web::test]
async fn sessions_and_self_study_are_dated_within_the_reported_years() {
    let s = trn().await;
    let before = s.app.count("training_sessions");
    for held_on in ["0001-01-01", "9999-12-31"] {
        let body = json!({"title": "讲座", "form": "lecture", "content_areas": ["professional_law"], "held_on": held_on,
            "hours": 2.0, "participants": [s.staff.person_id]});
        let r = s.app.post("/api/v1/training/sessions", s.t(), &body).await;
        assert_eq!(r.problem(422), "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], "held_on", "{held_on}");
    }
    assert_eq!(s.app.count("training_sessions"), before, "nothing stored");
}

#[actix_web::test]
async fn an_officer_ordered_off_post_enforces_again_only_after_completing_the_training() {
    let s = trn().await;
    let d = |n: u64| today() - Days::new(n);
    let officer = s.app.officer_with_certificate("离岗", s.staff.department_id, 365, 365);
    let missed = s.session(3.0, &[officer], d(5)).await;
    s.attend(missed, json!([{"person_id": officer, "status": "absent"}]))
        .await
        .ok(200);
    let order = s.app.get("/api/v1/training/orders", s.t()).await.ok(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let act = |day: chrono::NaiveDate| {
        json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": s.staff.department_id,
            "officers": [officer], "counterpart": {"name": "某公司", "type": "legal_person"},
            "legal_basis": "依据", "decision_text": "罚款", "decision_date": day})
    };
    let record = |day| {
        let body = act(day);
        let app = &s.app;
        let token = s.staff.token.clone();
        async move { app.post("/api/v1/acts", Some(&token), &body).await }
    };
    record(d(6)).await.ok(201);
    let r = record(d(5)).await;
    assert_eq!(r.problem(422), "officer_off_post");
    assert_eq!(r.body["basis"], json!(["TRN-7"]));
    assert_eq!(r.body["errors"][0]["field"], "officers[0]");

    // Completed only by a session the person attended, held on or after the order.
    let complete = format!("/api/v1/training/orders/{order}/complete");
    let earlier = s.session(2.0, &[officer], d(10)).await;
    s.attend(earlier, json!([{"person_id": officer, "status": "present"}]))
        .await
        .ok(200);
    let skipped = s.session(2.0, &[officer], d(3)).await;
    s.attend(skipped, json!([{"person_id": officer, "status": "excused"}]))
        .await
        .ok(200);
    for session in [earlier, skipped, 999_999] {
        let r = s.app.post(&complete, s.t(), &json!({"session_id": session})).await;
        assert_eq!(r.problem(422), "validation_failed", "session {session}");
    }
    s.app
        .post(&complete, Some(&s.staff.token), &json!({"session_id": missed}))
        .await
        .problem(403);
    let course = s.session(8.0, &[officer], d(2)).await;
    s.attend(course, json!([{"person_id": officer, "status": "present"}]))
        .await
        .ok(200);
    let r = s.app.post(&complete, s.t(), &json!({"session_id": course})).await;
    assert_eq!(
        (r.ok(200)["made_up_by_id"].as_i64(), &r.body["made_up_on"]),
        (Some(course), &json!(d(2)))
    );
    let again = s.app.post(&complete, s.t(), &json!({"session_id": course})).await;
    assert_eq!(again.problem(409), "order_closed");
    record(d(2)).await.problem(422);
    record(d(1)).await.ok(201);
}

#[actix_web::test]
async fn no_one_decides_on_their_own_record() {
    let s = trn().await;
    let colleague = s.app.account(Role::SupervisoryOffice).await;
    let me = s.office.person_id;
    let claim = s
        .app
        .post(
            "/api/v1/training/self-study",
            s.t(),
            &json!({"studied_on": today(), "hours": 2.0, "description": "自学法律"}),
        )
        .await;
    let claim = claim.ok(201)["id"].as_i64().unwrap();
    let confirm = format!("/api/v1/training/self-study/{claim}/confirm");
    let r = s.app.post(&confirm, s.t(), &json!({})).await;
    assert_eq!(r.problem(403), "forbidden");
    s.app
        .post(
            &format!("/api/v1/training/self-study/{claim}/reject"),
            s.t(),
            &json!({}),
        )
        .await
        .problem(403);
    s.app.post(&confirm, Some(&colleague.token), &json!({})).await.ok(200);

    let exam = s
        .app
        .post(
            "/api/v1/training/exams",
            s.t(),
            &json!({"title": "法制考试", "held_on": today()}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let session = s.session(2.0, &[me], today()).await;
    s.attend(session, json!([{"person_id": me, "status": "present"}]))
        .await
        .problem(403);
    let own = json!([{"person_id": s.staff.person_id, "score": 90}, {"person_id": me, "score": 100}]);
    s.results(exam, own).await.problem(403);
    assert_eq!(s.app.count("exam_results"), 0, "nothing of the batch is stored");
    let note = json!({"person_id": me, "period_from": today(), "period_to": today(), "result": "good"});
    s.app
        .post("/api/v1/training/note-checks", s.t(), &note)
        .await
        .problem(403);
    s.app
        .post("/api/v1/training/note-checks", Some(&colleague.token), &note)
        .await
        .ok(201);
    for (from, to) in [("1990-01-01", "1990-06-30"), ("2026-01-01", "2999-01-01")] {
        let bad = json!({"person_id": me, "period_from": from, "period_to": to, "result": "good"});
        let r = s
            .app
            .post("/api/v1/training/note-checks", Some(&colleague.token), &bad)
            .await;
        assert_eq!(r.problem(422), "validation_failed", "{from}..{to}");
    }
    // The record of a year shows the checks of that year only.
    let year = today().year();
    let record = |y: i32| format!("/api/v1/people/{me}/training?year={y}");
    let this = s.app.get(&record(year), Some(&colleague.token)).await;
    assert_eq!(this.ok(200)["note_checks"].as_array().unwrap().len(), 1);
    let last = s.app.get(&record(year - 1), Some(&colleague.token)).await;
    assert_eq!(last.ok(200)["note_checks"], json!([]));

    // Ordered off post by an absence a colleague recorded: the colleague completes the order.
    let missed = s.session(2.0, &[me], today() - Days::new(2)).await;
    let attend = |session: i64, status: &str| {
        actix_web::test::TestRequest::put()
            .uri(&format!("/api/v1/training/sessions/{session}/attendance"))
            .insert_header(("authorization", format!("Bearer {}", colleague.token)))
            .set_json(json!([{"person_id": me, "status": status}]))
    };
    s.app.send(attend(missed, "absent")).await.ok(200);
    let order = s.app.get("/api/v1/training/orders", s.t()).await.ok(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let course = s.session(2.0, &[me], today() - Days::new(1)).await;
    s.app.send(attend(course, "present")).await.ok(200);
    let complete = format!("/api/v1/training/orders/{order}/complete");
    let r = s.app.post(&complete, s.t(), &json!({"session_id": course})).await;
    assert_eq!(r.problem(403), "forbidden");
    assert_eq!(
        s.app.number(&format!(
            "SELECT COUNT(*) AS n FROM training_consequences WHERE id = {order} AND fulfilled_on IS NULL"
        )),
        1
    );
    let r = s
        .app
        .post(&complete, Some(&colleague.token), &json!({"session_id": course}))
        .await;
    assert_eq!(r.ok(200)["made_up_by_id"].as_i64(), Some(course));
}

#[actix_web::test]
async fn a_session_correction_keeps_everyone_whose_attendance_is_recorded() {
    let s = trn().await;
    let (a, b) = (s.staff.person_id, s.office.person_id);
    let day = this_year_day();
    let session = s.session(2.0, &[a, b], day).await;
    s.attend(session, json!([{"person_id": a, "status": "present"}]))
        .await
        .ok(200);
    let path = format!("/api/v1/training/sessions/{session}");
    let etag = s.app.get(&path, s.t()).await.header("etag").unwrap();
    let restated = |people: &[i64]| {
        json!({"title": "讲座（更正）", "form": "lecture", "content_areas": ["professional_law"],
        "held_on": day, "hours": 2.0, "participants": people})
    };
    let r = s.app.patch(&path, s.t(), Some(&etag), &restated(&[b])).await;
    assert_eq!(r.problem(409), "attendance_recorded", "{}", r.text);
    assert_eq!(s.app.get(&path, s.t()).await.ok(200)["title"], "讲座");
    // The one without attendance may be dropped.
    let r = s.app.patch(&path, s.t(), Some(&etag), &restated(&[a])).await;
    assert_eq!(
        r.ok(200)["participants"],
        json!([{"person_id": a, "status": "present"}])
    );
}

#[actix_web::test]
async fn someone_who_has_left_stays_on_the_hours_of_the_year_they_trained_in() {
    let s = trn().await;
    let dept = s.staff.department_id;
    let trained = s.app.person("离职甲", safeguards::org::rules::Position::Officer, dept);
    let idle = s.app.person("离职乙", safeguards::org::rules::Position::Officer, dept);
    let session = s.session(4.0, &[trained], this_year_day()).await;
    s.attend(session, json!([{"person_id": trained, "status": "present"}]))
        .await
        .ok(200);
    for id in [trained, idle] {
        let path = format!("/api/v1/people/{id}");
        let etag = s.app.get(&path, s.t()).await.header("etag").unwrap();
        s.app
            .patch(&path, s.t(), Some(&etag), &json!({"active": false}))
            .await
            .ok(200);
    }
    assert_eq!(s.hours_of(trained).await["hours"], 4.0);
    let year = today().year();
    let all = s.app.get(&format!("/api/v1/training/hours?year={year}"), s.t()).await;
    let listed: Vec<i64> = all.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["person_id"].as_i64().unwrap())
        .collect();
    assert!(listed.contains(&trained) && !listed.contains(&idle), "{listed:?}");
}

#[actix_web::test]
async fn recorded_attendance_is_corrected_with_a_reason_and_its_consequences_follow() {
    let s = &trn().await;
    let d = s.staff.department_id;
    let (p, q) = (
        s.app.person("错记", Position::Officer, d),
        s.app.person("另一人", Position::Officer, d),
    );
    let day = this_year_day();
    let id = s.session(4.0, &[p, q], day).await;
    s.attend(id, json!([{"person_id": p, "status": "absent"}]))
        .await
        .ok(200);
    let correct = |person: i64, status: &str, reason: &str| {
        let body = json!({"status": status, "reason": reason});
        let path = format!("/api/v1/training/sessions/{id}/attendance/{person}");
        async move { s.app.patch(&path, s.t(), None, &body).await }
    };
    let open = |what: &'static str| async move {
        let r = s
            .app
            .get(&format!("/api/v1/training/{what}?open=true&person_id={p}"), s.t())
            .await;
        r.ok(200)["items"].as_array().unwrap().len()
    };
    assert_eq!((open("orders").await, open("recommendations").await), (1, 1));

    // Refused, and nothing changes: no reason, the same status, nothing recorded yet, a stranger.
    let audit = s.app.count("audit_log");
    correct(p, "excused", " ").await.problem(422);
    assert_eq!(correct(p, "absent", "重复").await.problem(409), "attendance_unchanged");
    assert_eq!(
        correct(q, "present", "未记").await.problem(409),
        "attendance_not_recorded"
    );
    let stranger = s.app.person("外人", Position::Officer, d);
    correct(stranger, "present", "外人").await.problem(404);
    assert_eq!(s.app.count("audit_log"), audit);

    // Absent was wrong, excused is right: the order and recommendation are lifted, a make-up is owed.
    let r = correct(p, "excused", "请假条经核实").await;
    let row = r.ok(200)["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["person_id"] == p)
        .cloned();
    assert_eq!(row.unwrap()["status"], "excused");
    assert_eq!(
        (
            open("orders").await,
            open("recommendations").await,
            open("makeups").await
        ),
        (0, 0, 1)
    );
    let order = s
        .app
        .get(&format!("/api/v1/training/orders?person_id={p}"), s.t())
        .await;
    assert_eq!(order.ok(200)["items"][0]["lifted_on"], json!(today()));
    // Present after all: the make-up is lifted and the hours count.
    correct(p, "present", "签到表补录").await.ok(200);
    assert_eq!(open("makeups").await, 0);
    assert_eq!(s.hours_of(p).await["hours"], 4.0);
    // Absent again: the order and recommendation come back, and the hours go.
    correct(p, "absent", "签到系笔误").await.ok(200);
    assert_eq!((open("orders").await, open("recommendations").await), (1, 1));
    assert_eq!(s.hours_of(p).await["hours"], 0.0);
    let log = s
        .app
        .get(&format!("/api/v1/audit?entity=training_session&entity_id={id}"), s.t())
        .await;
    let corrections = log.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "training.attendance.correct")
        .count();
    assert_eq!(corrections, 3);
}

#[actix_web::test]
async fn an_absence_whose_recommendation_the_legal_office_acted_on_is_not_corrected_here() {
    let s = trn().await;
    let p = s.app.officer_with_certificate("收证", s.staff.department_id, 30, 300);
    let cert = s
        .app
        .number(&format!("SELECT id AS n FROM certificates WHERE holder_id = {p}"));
    let id = s.session(2.0, &[p], this_year_day()).await;
    s.attend(id, json!([{"person_id": p, "status": "absent"}]))
        .await
        .ok(200);
    let recs = s
        .app
        .get(&format!("/api/v1/training/recommendations?person_id={p}"), s.t())
        .await;
    let rec = recs.ok(200)["items"][0]["id"].as_i64().unwrap();
    let withdrawal = json!({"status": "revoked", "reason": "法制办收回", "cause": {"kind": "training", "id": rec}});
    s.app
        .post(&format!("/api/v1/certificates/{cert}/status"), s.t(), &withdrawal)
        .await
        .ok(200);
    let body = json!({"status": "present", "reason": "误记"});
    let r = s
        .app
        .patch(
            &format!("/api/v1/training/sessions/{id}/attendance/{p}"),
            s.t(),
            None,
            &body,
        )
        .await;
    assert_eq!(r.problem(409), "recommendation_acted_on");
    assert_eq!(r.body["basis"], json!(["TRN-7"]));
    let session = s.app.get(&format!("/api/v1/training/sessions/{id}"), s.t()).await;
    assert_eq!(
        session.ok(200)["participants"][0]["status"],
        "absent",
        "nothing changed"
    );
}
