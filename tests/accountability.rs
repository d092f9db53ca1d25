//! ACC through the API: the calculators, the case workflow, its effects and appeals.

mod common;

use common::TestApp;
use safeguards::auth::Role;
use safeguards::org::rules::Position;
use serde_json::json;

#[actix_web::test]
async fn the_allocation_calculator_applies_acc_5() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let d = office.department_id;
    let director = app.person("局长", Position::Director, d);
    let deputy = app.person("副局长", Position::DeputyDirector, d);
    let officer = app.person("科员", Position::Officer, d);
    let t = Some(office.token.as_str());
    let r = app
        .post(
            "/api/v1/accountability/allocation",
            t,
            &json!({"how": {"mode": "collective", "principal": director, "participants": [deputy, officer], "dissenters": [deputy]}}),
        )
        .await;
    let shares: Vec<(i64, String)> = r.ok(200)["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["person_id"].as_i64().unwrap(),
                a["share"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [
            (director, "primary".into()),
            (deputy, "none".into()),
            (officer, "secondary".into())
        ]
    );
    assert_eq!(r.body["basis"], json!(["ACC-5(4)"]));
    let r = app
        .post(
            "/api/v1/accountability/allocation",
            t,
            &json!({"how": {"mode": "approved_on_false_facts", "staff": [officer], "approvers": [deputy]}}),
        )
        .await;
    assert_eq!(
        r.ok(200)["allocations"][0],
        json!({"person_id": officer, "share": "primary", "basis": "ACC-5(2)"})
    );
    for (how, basis) in [
        (
            json!({"mode": "approved", "staff": [deputy], "approvers": [officer]}),
            "ACC-5(2)",
        ),
        (
            json!({"mode": "instructed", "staff": [deputy], "instructors": [officer]}),
            "ACC-5(3)",
        ),
        (
            json!({"mode": "collective", "principal": deputy, "participants": [director]}),
            "ACC-5(4)",
        ),
    ] {
        let r = app
            .post("/api/v1/accountability/allocation", t, &json!({"how": how}))
            .await;
        assert_eq!(r.problem(422), "allocation_invalid", "{how}");
        assert_eq!(r.body["basis"], json!([basis]));
    }
    let r = app
        .post(
            "/api/v1/accountability/allocation",
            t,
            &json!({"how": {"mode": "direct", "staff": []}}),
        )
        .await;
    assert_eq!(r.problem(422), "allocation_invalid");
    app.post(
        "/api/v1/accountability/allocation",
        t,
        &json!({"how": {"mode": "direct", "staff": [999999]}}),
    )
    .await
    .problem(422);
    app.post(
        "/api/v1/accountability/allocation",
        t,
        &json!({"how": {"mode": "vote", "staff": [officer]}}),
    )
    .await
    .problem(400);
    let staff = app.account(Role::Staff).await;
    app.post(
        "/api/v1/accountability/allocation",
        Some(&staff.token),
        &json!({"how": {"mode": "direct", "staff": [officer]}}),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn the_sanction_matrix_is_published_with_its_articles() {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let r = app.get("/api/v1/accountability/sanctions", Some(&leader.token)).await;
    let body = r.ok(200);
    assert_eq!(body["persons"][0]["severity"], "minor");
    assert_eq!(body["persons"][0]["basis"], "ACC-6(1)");
    assert_eq!(body["persons"][2]["sanctions"], json!(["transfer_to_judicial_organs"]));
    assert_eq!(
        body["persons"][0]["penalties"],
        json!(["criticism_education", "warning", "demerit"])
    );
    assert_eq!(
        body["persons"][1]["imposed"],
        json!([
            "circulated_criticism",
            "loss_of_enforcement_qualification",
            "loss_of_award_eligibility",
            "transfer_off_post",
            "certificate_confiscation"
        ])
    );
    assert_eq!(
        body["departments"],
        json!(["order_correction", "circulated_criticism", "loss_of_award_eligibility"])
    );
}

use actix_web::test::TestRequest;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use common::Session;
use safeguards::db::today;
use serde_json::Value;

struct Acc {
    app: TestApp,
    leader: Session,
    office: Session,
    staff: Session,
}

async fn acc() -> Acc {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    Acc {
        app,
        leader,
        office,
        staff,
    }
}

impl Acc {
    /// A certificate of the staff person, issued `issued_days_ago`, valid for 300 days more,
    /// written straight into the register (its own workflow has its own tests).
    fn staff_certificate(&self, number: &str, issued_days_ago: u64) -> i64 {
        let new = safeguards::org::store::certificates::NewCertificate {
            number: number.into(),
            holder_id: self.staff.person_id,
            issued_on: today() - Days::new(issued_days_ago),
            expires_on: today() + Days::new(300),
        };
        self.app
            .db
            .write_blocking(|c| {
                safeguards::org::store::certificates::create(c, &new, None, safeguards::db::now())
                    .map_err(safeguards::http::AppError::from)
            })
            .unwrap()
    }
    async fn case(&self, fault_on: chrono::NaiveDate) -> i64 {
        self.case_against(json!([{"kind": "person", "id": self.staff.person_id}]), fault_on)
            .await
    }

    /// A proposed case against `respondents`, from no particular record.
    async fn case_against(&self, respondents: Value, fault_on: chrono::NaiveDate) -> i64 {
        let body = json!({"respondents": respondents, "source": {"kind": "other"},
            "fault_types": [1], "facts": "违反程序", "fault_on": fault_on});
        self.app
            .post("/api/v1/accountability/cases", Some(&self.office.token), &body)
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap()
    }

    async fn post(&self, case: i64, step: &str, token: &str, body: Value) -> common::Resp {
        self.app
            .post(
                &format!("/api/v1/accountability/cases/{case}/{step}"),
                Some(token),
                &body,
            )
            .await
    }

    /// A case against the staff member and another officer of their department, both bearing
    /// full responsibility (direct, ACC-5(1)), taken to the opinion: (case, the other officer).
    async fn two_at_opinion(&self) -> (i64, i64) {
        let (me, other) = (
            self.staff.person_id,
            self.app.person("李明", Position::Officer, self.staff.department_id),
        );
        let respondents = json!([{"kind": "person", "id": me}, {"kind": "person", "id": other}]);
        let case = self.case_against(respondents, today()).await;
        self.post(case, "investigate", &self.office.token, json!({}))
            .await
            .ok(200);
        let opinion = json!({"how": {"mode": "direct", "staff": [me, other]}, "severity": "minor", "text": "意见"});
        self.post(case, "opinion", &self.office.token, opinion).await.ok(200);
        (case, other)
    }

    /// Serves a decided case today and records the staff member's appeal the same day.
    async fn serve_and_appeal(&self, case: i64) {
        self.post(case, "serve", &self.office.token, json!({"served_on": today()}))
            .await
            .ok(200);
        let appeal = json!({"filed_on": today(), "grounds": "不服"});
        self.post(case, "appeal", &self.staff.token, appeal).await.ok(200);
    }

    /// Takes a case to `decided` with a direct allocation and the given decision.
    async fn decided(&self, case: i64, severity: &str, circumstances: Value, decision: Value) -> common::Resp {
        self.post(case, "investigate", &self.office.token, json!({}))
            .await
            .ok(200);
        let opinion = json!({"how": {"mode": "direct", "staff": [self.staff.person_id]}, "circumstances": circumstances, "severity": severity, "text": "意见"});
        self.post(case, "opinion", &self.office.token, opinion).await.ok(200);
        self.post(case, "decide", &self.leader.token, decision).await
    }
}

#[actix_web::test]
async fn a_case_runs_to_decision_with_effects_and_a_revoked_appeal_reverses_them() {
    let s = acc().await;
    let officer_cert = s.staff_certificate("ACC-CERT-1", 100);
    let id = s.case(today() - Days::new(10)).await;
    s.post(id, "decide", &s.leader.token, json!({})).await.problem(409);
    s.post(id, "investigate", &s.leader.token, json!({})).await.problem(403);
    let decision = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning", "certificate_suspension"]}]});
    let r = s.decided(id, "minor", json!({}), decision).await;
    assert_eq!(r.ok(200)["status"], "decided");
    let cert = s
        .app
        .get(&format!("/api/v1/certificates/{officer_cert}"), Some(&s.office.token))
        .await;
    assert_eq!(cert.body["status"], "suspended", "effects apply when decided (ACC-14)");
    assert_eq!(
        cert.body["history"].as_array().unwrap().last().unwrap()["cause"],
        json!({"kind": "accountability_decision", "id": id})
    );

    s.post(id, "serve", &s.office.token, json!({"served_on": today()}))
        .await
        .ok(200);
    assert_eq!(
        s.post(id, "finalize", &s.office.token, json!({})).await.problem(409),
        "appeal_window_open"
    );
    s.post(
        id,
        "appeal",
        &s.office.token,
        json!({"filed_on": today(), "grounds": "x"}),
    )
    .await
    .problem(403);
    let r = s
        .post(
            id,
            "appeal",
            &s.staff.token,
            json!({"filed_on": today(), "grounds": "事实不清"}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "appealed");
    let r = s
        .post(id, "appeal-decision", &s.leader.token, json!({"outcome": "revoked"}))
        .await;
    assert_eq!(r.ok(200)["status"], "appeal_decided");
    let cert = s
        .app
        .get(&format!("/api/v1/certificates/{officer_cert}"), Some(&s.office.token))
        .await;
    assert_eq!(cert.body["status"], "valid");
    let history = cert.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "nothing deleted: issued, suspended, valid again");
    assert_eq!(history[2]["cause"], json!({"kind": "appeal", "id": id}));
    s.post(id, "finalize", &s.leader.token, json!({})).await.ok(200);
}

#[actix_web::test]
async fn a_suspension_decided_in_the_past_bars_acts_from_the_decision_day() {
    let s = acc().await;
    let cert = s.staff_certificate("ACC-CERT-2", 100);
    let id = s.case(today() - Days::new(10)).await;
    let decided_on = today() - Days::new(5);
    let decision = json!({"severity": "minor", "decided_on": decided_on,
        "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning", "certificate_suspension"]}]});
    s.decided(id, "minor", json!({}), decision).await.ok(200);
    let history = s
        .app
        .get(&format!("/api/v1/certificates/{cert}"), Some(&s.office.token))
        .await;
    let changed_at = history.ok(200)["history"][1]["changed_at"].as_str().unwrap().to_owned();
    let changed = chrono::DateTime::parse_from_rfc3339(&changed_at).unwrap();
    assert_eq!(
        safeguards::db::china_date(changed.naive_utc()),
        decided_on,
        "in force from the decision's day"
    );

    let act = |days_ago: u64| {
        json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": s.staff.department_id,
            "officers": [s.staff.person_id], "counterpart": {"name": "某公司", "type": "legal_person"},
            "legal_basis": "依据", "decision_text": "罚款", "decision_date": today() - Days::new(days_ago)})
    };
    let r = s.app.post("/api/v1/acts", Some(&s.staff.token), &act(5)).await;
    assert_eq!(r.problem(422), "officer_without_valid_certificate");
    s.app
        .post("/api/v1/acts", Some(&s.staff.token), &act(3))
        .await
        .problem(422);
    s.app.post("/api/v1/acts", Some(&s.staff.token), &act(6)).await.ok(201);

    // Revoked on appeal, the suspension never stood: the window opens again.
    s.post(id, "serve", &s.office.token, json!({"served_on": decided_on}))
        .await
        .ok(200);
    s.post(
        id,
        "appeal",
        &s.staff.token,
        json!({"filed_on": today(), "grounds": "事实不清"}),
    )
    .await
    .ok(200);
    s.post(id, "appeal-decision", &s.leader.token, json!({"outcome": "revoked"}))
        .await
        .ok(200);
    s.app.post("/api/v1/acts", Some(&s.staff.token), &act(3)).await.ok(201);
}

#[actix_web::test]
async fn sanctions_must_fit_the_severity_and_circumstances() {
    let s = acc().await;
    let id = s.case(today()).await;
    let r = s
        .decided(
            id,
            "minor",
            json!({}),
            json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["demotion"]}]}),
        )
        .await;
    assert_eq!(r.problem(422), "sanction_not_allowed");
    assert_eq!(r.body["basis"], json!(["ACC-6(1)"]));
    let r = s
        .post(
            id,
            "decide",
            &s.leader.token,
            json!({"severity": "serious", "persons": []}),
        )
        .await;
    assert_eq!(
        r.problem(422),
        "severity_not_open",
        "no aggravation, no higher severity"
    );
    // The group sends the opinion back: the office revises it (ACC-7(1) found), and the group
    // decides on the revised one.
    let revised = json!({"how": {"mode": "direct", "staff": [s.staff.person_id]}, "circumstances": {"aggravating": [1]},
        "severity": "minor", "text": "复议后意见"});
    let r = s.post(id, "opinion", &s.office.token, revised).await;
    assert_eq!(r.ok(200)["opinion"]["open_outcomes"], json!(["minor", "serious"]));
    let serious =
        json!({"severity": "serious", "persons": [{"person_id": s.staff.person_id, "sanctions": ["major_demerit"]}]});
    s.post(id, "decide", &s.leader.token, serious).await.ok(200);
    let again = json!({"how": {"mode": "direct", "staff": [s.staff.person_id]}, "circumstances": {}, "severity": "minor", "text": "再改"});
    assert_eq!(
        s.post(id, "opinion", &s.office.token, again).await.problem(409),
        "case_state",
        "decided: the opinion stays"
    );
    let id2 = s.case(today()).await;
    let r = s.decided(id2, "minor", json!({"aggravating": [1]}), json!({"severity": "serious", "persons": [{"person_id": s.staff.person_id, "sanctions": ["major_demerit"]}]})).await;
    r.ok(200);
    let id3 = s.case(today()).await;
    let r = s
        .decided(
            id3,
            "serious",
            json!({"exempting": [2]}),
            json!({"severity": "minor", "persons": []}),
        )
        .await;
    assert_eq!(r.problem(422), "severity_not_open");
    assert_eq!(r.body["basis"], json!(["ACC-9"]));
    s.post(id3, "decide", &s.leader.token, json!({"persons": []}))
        .await
        .ok(200);
}

/// A case decided and served on `served` (the decision recorded after the meeting), then
/// appealed by the staff member on `filed`.
async fn appeal_served_on(s: &Acc, served: NaiveDate, filed: NaiveDate) -> (i64, common::Resp) {
    let id = s.case(served - Days::new(5)).await;
    let decision = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning"]}],
        "decided_on": served});
    assert_eq!(
        s.decided(id, "minor", json!({}), decision).await.ok(200)["decided_on"],
        json!(served)
    );
    s.post(id, "serve", &s.office.token, json!({"served_on": served}))
        .await
        .ok(200);
    let appeal = json!({"filed_on": filed, "grounds": "不服"});
    (id, s.post(id, "appeal", &s.staff.token, appeal).await)
}

#[actix_web::test]
async fn the_appeal_window_closes_thirty_days_after_service_or_on_the_next_working_day() {
    let s = acc().await;
    let closed = |r: common::Resp| {
        assert_eq!(r.problem(422), "appeal_window_closed");
        assert_eq!(r.body["basis"], json!(["ACC-13"]));
    };
    // Served on a day whose 30th day after is a Wednesday: the window is exactly 30 days.
    let mut wed = today() - Days::new(60);
    while (wed + Days::new(30)).weekday() != Weekday::Wed {
        wed = wed.pred_opt().unwrap();
    }
    let (id, r) = appeal_served_on(&s, wed, wed + Days::new(30)).await;
    r.ok(200);
    let case = s
        .app
        .get(&format!("/api/v1/accountability/cases/{id}"), Some(&s.office.token))
        .await;
    assert_eq!(case.ok(200)["appeal_deadline"], json!(wed + Days::new(30)));
    let (id, r) = appeal_served_on(&s, wed, wed + Days::new(31)).await;
    closed(r);
    s.post(id, "finalize", &s.office.token, json!({})).await.ok(200);

    // The 30th day is a Saturday: the window runs to Monday, and closes on Tuesday.
    let mut sat = today() - Days::new(60);
    while (sat + Days::new(30)).weekday() != Weekday::Sat {
        sat = sat.pred_opt().unwrap();
    }
    let monday = sat + Days::new(32);
    let (id, r) = appeal_served_on(&s, sat, monday).await;
    r.ok(200);
    let case = s
        .app
        .get(&format!("/api/v1/accountability/cases/{id}"), Some(&s.office.token))
        .await;
    assert_eq!(case.ok(200)["appeal_deadline"], json!(monday));
    closed(appeal_served_on(&s, sat, monday + Days::new(1)).await.1);

    // That Monday is a public holiday, and Tuesday too: the window runs to Wednesday.
    let tuesday = monday + Days::new(1);
    let put = TestRequest::put()
        .uri(&format!("/api/v1/calendar/{}", tuesday.year()))
        .insert_header(("authorization", format!("Bearer {}", s.office.token)))
        .set_json(json!({"holidays": [monday, tuesday], "make_up_workdays": []}));
    s.app.send(put).await.ok(200);
    appeal_served_on(&s, sat, tuesday + Days::new(1)).await.1.ok(200);
    closed(appeal_served_on(&s, sat, tuesday + Days::new(2)).await.1);
}

#[actix_web::test]
async fn an_appeal_deadline_counted_over_a_year_without_a_schedule_says_so() {
    let s = acc().await;
    let served: NaiveDate = "2025-12-10".parse().unwrap();
    let (id, r) = appeal_served_on(&s, served, served + Days::new(1)).await;
    r.ok(200);
    let case = |id: i64| {
        let s = &s;
        async move {
            s.app
                .get(&format!("/api/v1/accountability/cases/{id}"), Some(&s.office.token))
                .await
        }
    };
    let shown = case(id).await;
    assert_eq!(shown.ok(200)["appeal_deadline"], "2026-01-09");
    let warnings = shown.body["warnings"].as_array().unwrap().clone();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("2025"));
    let put = TestRequest::put()
        .uri("/api/v1/calendar/2025")
        .insert_header(("authorization", format!("Bearer {}", s.office.token)))
        .set_json(json!({"holidays": ["2025-12-25"], "make_up_workdays": []}));
    s.app.send(put).await.ok(200);
    assert_eq!(case(id).await.ok(200)["warnings"], json!([]));
}

#[actix_web::test]
async fn a_decision_is_dated_from_the_fault_day_to_today() {
    let s = acc().await;
    let id = s.case(today() - Days::new(10)).await;
    let sanctions = json!([{"person_id": s.staff.person_id, "sanctions": ["warning"]}]);
    let future = json!({"severity": "minor", "persons": sanctions, "decided_on": today() + Days::new(1)});
    let r = s.decided(id, "minor", json!({}), future).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "decided_on");
    let early = json!({"severity": "minor", "persons": sanctions, "decided_on": today() - Days::new(11)});
    s.post(id, "decide", &s.leader.token, early).await.problem(422);
    let case = s
        .app
        .get(&format!("/api/v1/accountability/cases/{id}"), Some(&s.office.token))
        .await;
    assert_eq!(
        (&case.ok(200)["status"], &case.body["decided_on"]),
        (&json!("opinion"), &json!(null)),
        "nothing decided"
    );
    let on_fault_day = json!({"severity": "minor", "persons": sanctions, "decided_on": today() - Days::new(10)});
    let r = s.post(id, "decide", &s.leader.token, on_fault_day).await;
    assert_eq!(r.ok(200)["decided_on"], json!(today() - Days::new(10)));
}

#[actix_web::test]
async fn a_second_fault_within_a_year_is_detected_as_acc_7_2() {
    let s = acc().await;
    let warned = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning"]}]});
    let decided_minor = |days: u64| {
        let (s, warned) = (&s, warned.clone());
        async move {
            let id = s.case(today() - Days::new(days)).await;
            s.decided(id, "minor", json!({}), warned).await.ok(200);
            id
        }
    };
    // Around the new case's fault 200 days ago: 100 days before it, 100 after it (found and
    // decided first), 400 before it; and one within the year that ended in no liability.
    let before = decided_minor(300).await;
    let after = decided_minor(100).await;
    decided_minor(600).await;
    let exempted = s.case(today() - Days::new(150)).await;
    s.decided(exempted, "minor", json!({"exempting": [1]}), json!({"persons": []}))
        .await
        .ok(200);
    let second = s.case(today() - Days::new(200)).await;
    s.post(second, "investigate", &s.office.token, json!({})).await.ok(200);
    let opinion = json!({"how": {"mode": "direct", "staff": [s.staff.person_id]}, "severity": "minor", "text": "再犯"});
    let r = s.post(second, "opinion", &s.office.token, opinion).await;
    let body = r.ok(200);
    assert_eq!(
        body["opinion"]["detected"]["ACC-7(2)"][0]["cases"],
        json!([before, after]),
        "a year either side; not 400 days away, not a fault exempted (应予以追究的 only)"
    );
    assert_eq!(body["opinion"]["circumstances"]["aggravating"], json!([2]));
    assert!(body["opinion"]["basis"]
        .as_array()
        .unwrap()
        .contains(&json!("ACC-7(2)")));
    let exempted = s
        .app
        .get(
            &format!("/api/v1/accountability/cases/{exempted}"),
            Some(&s.office.token),
        )
        .await;
    assert_eq!(
        exempted.ok(200)["decision"]["basis"],
        json!(["ACC-9"]),
        "no liability rests on ACC-9, not ACC-6"
    );
    // Aggravated one level (从重): the decision names the repeat it rests on.
    let serious =
        json!({"severity": "serious", "persons": [{"person_id": s.staff.person_id, "sanctions": ["major_demerit"]}]});
    let r = s.post(second, "decide", &s.leader.token, serious).await;
    assert_eq!(
        r.ok(200)["decision"]["basis"],
        json!(["ACC-5(1)", "ACC-6", "ACC-6(2)", "ACC-7(2)", "ACC-14"])
    );
}

#[actix_web::test]
async fn a_decision_recorded_later_counts_only_faults_that_had_happened_by_its_day() {
    let s = acc().await;
    let warned = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning"]}]});
    let later_fault = s.case(today() - Days::new(10)).await;
    s.decided(later_fault, "minor", json!({}), warned).await.ok(200);
    let id = s.case(today() - Days::new(100)).await;
    s.post(id, "investigate", &s.office.token, json!({})).await.ok(200);
    let opinion = json!({"how": {"mode": "direct", "staff": [s.staff.person_id]}, "severity": "minor", "text": "意见"});
    let r = s.post(id, "opinion", &s.office.token, opinion).await;
    assert_eq!(
        r.ok(200)["opinion"]["detected"]["ACC-7(2)"][0]["cases"],
        json!([later_fault])
    );
    // Decided 50 days ago, before that other fault happened: no second fault yet.
    let person = |sanctions: Value| json!([{"person_id": s.staff.person_id, "sanctions": sanctions}]);
    let back = today() - Days::new(50);
    let serious = json!({"severity": "serious", "persons": person(json!(["major_demerit"])), "decided_on": back});
    assert_eq!(
        s.post(id, "decide", &s.leader.token, serious).await.problem(422),
        "severity_not_open"
    );
    let minor = json!({"severity": "minor", "persons": person(json!(["warning"])), "decided_on": back});
    let r = s.post(id, "decide", &s.leader.token, minor).await;
    assert!(
        !r.ok(200)["decision"]["basis"]
            .as_array()
            .unwrap()
            .contains(&json!("ACC-7(2)")),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn acc_7_2_is_found_again_when_the_case_is_decided() {
    let s = acc().await;
    let warned = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning"]}]});
    let earlier = s.case(today() - Days::new(100)).await;
    s.decided(earlier, "minor", json!({}), warned).await.ok(200);
    let second = s.case(today() - Days::new(10)).await;
    s.post(second, "investigate", &s.office.token, json!({})).await.ok(200);
    let opinion = json!({"how": {"mode": "direct", "staff": [s.staff.person_id]}, "severity": "minor", "text": "再犯"});
    let r = s.post(second, "opinion", &s.office.token, opinion).await;
    assert_eq!(r.ok(200)["opinion"]["open_outcomes"], json!(["minor", "serious"]));
    // The earlier decision falls on appeal: there is no second fault any more.
    revoke_on_appeal(&s, earlier).await;
    let serious =
        json!({"severity": "serious", "persons": [{"person_id": s.staff.person_id, "sanctions": ["major_demerit"]}]});
    let r = s.post(second, "decide", &s.leader.token, serious).await;
    assert_eq!(
        r.problem(422),
        "severity_not_open",
        "aggravated by a revoked fault: {}",
        r.text
    );
    let decided = format!("SELECT COUNT(*) AS n FROM acc_cases WHERE id = {second} AND decision IS NOT NULL");
    assert_eq!(s.app.number(&decided), 0);
    let minor = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning"]}]});
    let r = s.post(second, "decide", &s.leader.token, minor).await;
    assert_eq!(r.ok(200)["decision"]["detected"]["ACC-7(2)"], json!([]));
}

#[actix_web::test]
async fn acc_7_2_aggravates_only_a_person_responsible_for_this_fault() {
    let s = acc().await;
    let warned = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning"]}]});
    let earlier = s.case(today() - Days::new(100)).await;
    s.decided(earlier, "minor", json!({}), warned).await.ok(200);
    let colleague = s.app.officer_with_certificate("李强", s.staff.department_id, 200, 200);
    let respondents = json!([{"kind": "person", "id": s.staff.person_id}, {"kind": "person", "id": colleague}]);
    let case = s.case_against(respondents, today() - Days::new(10)).await;
    s.post(case, "investigate", &s.office.token, json!({})).await.ok(200);
    // The colleague acted alone (ACC-5(1)); the staff member, held accountable 90 days
    // before, bears no share of this fault.
    let opinion = json!({"how": {"mode": "direct", "staff": [colleague]}, "severity": "minor", "text": "意见"});
    let r = s.post(case, "opinion", &s.office.token, opinion).await;
    let body = r.ok(200);
    assert_eq!(body["opinion"]["detected"]["ACC-7(2)"], json!([]));
    assert_eq!(body["opinion"]["circumstances"]["aggravating"], json!([]));
    assert_eq!(body["opinion"]["open_outcomes"], json!(["minor"]));
    assert_eq!(body["opinion"]["basis"], json!(["ACC-5(1)"]), "each article once");
    let serious = json!({"severity": "serious", "persons": [{"person_id": colleague, "sanctions": ["major_demerit"]}]});
    let r = s.post(case, "decide", &s.leader.token, serious).await;
    assert_eq!(r.problem(422), "severity_not_open");
    assert_eq!(r.body["detail"], "the circumstances allow only: minor");
}

#[actix_web::test]
async fn staff_see_only_their_own_cases_and_never_a_reporter() {
    let s = acc().await;
    let petition = json!({"channel": "letter", "subject": "举报", "content": "内容"});
    let petition = s
        .app
        .post("/api/v1/petitions", Some(&s.office.token), &petition)
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let body = json!({"respondents": [{"kind": "person", "id": s.staff.person_id}], "source": {"kind": "petition", "id": petition},
        "fault_types": [2], "facts": "举报", "fault_on": today()});
    let id = s
        .app
        .post("/api/v1/accountability/cases", Some(&s.office.token), &body)
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let own = s
        .app
        .get(&format!("/api/v1/accountability/cases/{id}"), Some(&s.staff.token))
        .await;
    assert_eq!(own.ok(200)["source"], json!({"kind": "petition", "id": null}));
    assert_eq!(
        s.app
            .get(&format!("/api/v1/accountability/cases/{id}"), Some(&s.office.token))
            .await
            .body["source"]["id"],
        petition
    );
    let other = s.app.account(Role::Staff).await;
    s.app
        .get(&format!("/api/v1/accountability/cases/{id}"), Some(&other.token))
        .await
        .problem(404);
    assert!(
        s.app.get("/api/v1/accountability/cases", Some(&other.token)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[actix_web::test]
async fn an_overdue_decision_is_referred_in_one_call() {
    let s = acc().await;
    let officer = s.app.officer_with_certificate("王伟", s.staff.department_id, 200, 200);
    let act = json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": s.staff.department_id, "officers": [officer],
        "counterpart": {"name": "x", "type": "legal_person"}, "legal_basis": "y", "decision_text": "z", "decision_date": today() - Days::new(60)});
    let act = s.app.post("/api/v1/acts", Some(&s.staff.token), &act).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let fresh = json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": s.staff.department_id, "officers": [officer],
        "counterpart": {"name": "x", "type": "legal_person"}, "legal_basis": "y", "decision_text": "z", "decision_date": today()});
    let fresh = s.app.post("/api/v1/acts", Some(&s.staff.token), &fresh).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let r = s
        .app
        .post(
            &format!("/api/v1/publicity/overdue/{fresh}/refer"),
            Some(&s.office.token),
            &json!({}),
        )
        .await;
    assert_eq!(r.problem(422), "not_overdue");
    let r = s
        .app
        .post(
            &format!("/api/v1/publicity/overdue/{act}/refer"),
            Some(&s.office.token),
            &json!({}),
        )
        .await;
    let case = r.ok(201);
    assert_eq!(case["status"], "proposed");
    assert_eq!(case["source"], json!({"kind": "overdue_disclosure", "id": act}));
    assert_eq!(case["respondents"], json!([{"kind": "person", "id": officer}]));
    assert_eq!(case["fault_types"], json!([7]));
    assert!(case["facts"].as_str().unwrap().ends_with("（含当日），逾期未公示"));
    let case_id = case["id"].clone();
    let a = s.app.get(&format!("/api/v1/acts/{act}"), Some(&s.office.token)).await;
    assert_eq!(
        a.body["accountability_cases"],
        json!([case_id]),
        "the link runs both ways"
    );
    let cases = s.app.count("acc_cases");
    let again = s
        .app
        .post(
            &format!("/api/v1/publicity/overdue/{act}/refer"),
            Some(&s.office.token),
            &json!({}),
        )
        .await;
    assert_eq!(
        again.problem(409),
        "already_referred",
        "one omission is one case (ACC-7(2) counts cases)"
    );
    assert_eq!(s.app.count("acc_cases"), cases);
}

#[actix_web::test]
async fn a_decision_published_after_its_deadline_may_still_be_referred_under_pub_6() {
    let s = acc().await;
    let officer = s.app.officer_with_certificate("王伟", s.staff.department_id, 200, 200);
    let act = json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": s.staff.department_id, "officers": [officer],
        "counterpart": {"name": "x", "type": "legal_person"}, "legal_basis": "y", "decision_text": "z", "decision_date": today() - Days::new(60)});
    let act = s.app.post("/api/v1/acts", Some(&s.staff.token), &act).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let disclosure = json!({"category": "penalty", "content_type": "decision", "act_id": act, "department_id": s.staff.department_id,
        "title": "处罚决定"});
    let d = s
        .app
        .post("/api/v1/disclosures", Some(&s.staff.token), &disclosure)
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    s.app
        .post(
            &format!("/api/v1/disclosures/{d}/publish"),
            Some(&s.office.token),
            &json!({}),
        )
        .await
        .ok(200);
    let act_view = s
        .app
        .get(&format!("/api/v1/acts/{act}"), Some(&s.office.token))
        .await
        .ok(200)["disclosure"]
        .clone();
    assert_eq!(
        (&act_view["status"], &act_view["published_late"]),
        (&json!("published"), &json!(true))
    );
    let r = s
        .app
        .post(
            &format!("/api/v1/publicity/overdue/{act}/refer"),
            Some(&s.office.token),
            &json!({}),
        )
        .await;
    assert_eq!(r.ok(201)["source"], json!({"kind": "overdue_disclosure", "id": act}));
    let facts = r.body["facts"].as_str().unwrap();
    assert!(
        facts.contains(&format!("迟至{}方予公示", today())) && !facts.contains("未公示"),
        "the facts say it was published late, not never: {facts}"
    );
}

#[actix_web::test]
async fn revoking_an_overdue_decision_does_not_undo_the_omission() {
    let s = acc().await;
    let officer = s.app.officer_with_certificate("王伟", s.staff.department_id, 200, 200);
    let record = |days_ago: u64| {
        json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": s.staff.department_id, "officers": [officer],
            "counterpart": {"name": "x", "type": "legal_person"}, "legal_basis": "y", "decision_text": "z",
            "decision_date": today() - Days::new(days_ago)})
    };
    let late = s
        .app
        .post("/api/v1/acts", Some(&s.staff.token), &record(60))
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let fresh = s
        .app
        .post("/api/v1/acts", Some(&s.staff.token), &record(0))
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    for act in [late, fresh] {
        let revoked = s
            .app
            .post(
                &format!("/api/v1/acts/{act}/revoke"),
                Some(&s.office.token),
                &json!({"reason": "事实不清"}),
            )
            .await;
        let expected = if act == late { "overdue" } else { "lapsed" };
        assert_eq!(revoked.ok(200)["disclosure"]["status"], expected, "act {act}");
    }
    let refer = |act: i64| format!("/api/v1/publicity/overdue/{act}/refer");
    let cases = s.app.count("acc_cases");
    let r = s.app.post(&refer(fresh), Some(&s.office.token), &json!({})).await;
    assert_eq!(
        r.problem(422),
        "not_overdue",
        "revoked by its due day: nothing was missed"
    );
    assert_eq!(s.app.count("acc_cases"), cases);
    let r = s.app.post(&refer(late), Some(&s.office.token), &json!({})).await;
    assert_eq!(r.ok(201)["source"], json!({"kind": "overdue_disclosure", "id": late}));
    assert_eq!(r.body["respondents"], json!([{"kind": "person", "id": officer}]));

    // A case proposed by hand from the same source obeys the same rules.
    let by_hand = |act: i64| {
        json!({"respondents": [{"kind": "person", "id": officer}], "source": {"kind": "overdue_disclosure", "id": act},
            "fault_types": [7], "facts": "未按期公示", "fault_on": today()})
    };
    let cases = s.app.count("acc_cases");
    let r = s
        .app
        .post("/api/v1/accountability/cases", Some(&s.office.token), &by_hand(fresh))
        .await;
    assert_eq!(r.problem(422), "not_overdue");
    let r = s
        .app
        .post("/api/v1/accountability/cases", Some(&s.office.token), &by_hand(late))
        .await;
    assert_eq!(r.problem(409), "already_referred");
    assert_eq!(r.body["basis"], json!(["PUB-6", "ACC-7(2)"]));
    assert_eq!(s.app.count("acc_cases"), cases);
}

#[actix_web::test]
async fn a_case_names_only_a_source_that_exists() {
    let s = acc().await;
    let cases = s.app.count("acc_cases");
    let twice = json!({"respondents": [{"kind": "person", "id": s.staff.person_id}], "source": {"kind": "other"},
        "fault_types": [2], "act_ids": [1, 1], "facts": "事实", "fault_on": today()});
    let r = s
        .app
        .post("/api/v1/accountability/cases", Some(&s.office.token), &twice)
        .await;
    assert_eq!(r.body["errors"][0]["field"], "act_ids");
    assert_eq!(s.app.count("acc_cases"), cases);
    // Responsibility is allocated among the case's respondents only: a decision could hold no
    // one else responsible.
    let id = s.case(today()).await;
    s.post(id, "investigate", &s.office.token, json!({})).await.ok(200);
    let stranger = s.app.account(Role::Staff).await.person_id;
    let opinion = json!({"how": {"mode": "direct", "staff": [stranger]}, "circumstances": {}, "severity": "minor", "text": "意见"});
    let r = s.post(id, "opinion", &s.office.token, opinion).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "how");
    let cases = s.app.count("acc_cases");
    for kind in ["finding", "petition", "overdue_disclosure", "training"] {
        let body = json!({"respondents": [{"kind": "person", "id": s.staff.person_id}], "source": {"kind": kind, "id": 999_999},
            "fault_types": [2], "facts": "事实", "fault_on": today()});
        let r = s
            .app
            .post("/api/v1/accountability/cases", Some(&s.office.token), &body)
            .await;
        assert_eq!(r.problem(422), "validation_failed", "{kind}");
        assert!(r.body.to_string().contains("source.id"), "{kind}: {}", r.body);
    }
    assert_eq!(s.app.count("acc_cases"), cases, "nothing stored");
}

#[actix_web::test]
async fn a_decision_can_order_off_post_training_and_refusals_are_offered_as_acc_7_4() {
    let s = acc().await;
    let id = s.case(today()).await;
    // The respondent's department refused to provide materials to an inspection.
    let body = json!({"kind": "ad_hoc", "title": "检查", "period_from": today(), "period_to": today(), "inspectors": [s.office.person_id]});
    let insp = s
        .app
        .post("/api/v1/inspections", Some(&s.office.token), &body)
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let ask = json!({"department_id": s.staff.department_id, "description": "案卷", "deadline": today()});
    let req = s
        .app
        .post(
            &format!("/api/v1/inspections/{insp}/requests"),
            Some(&s.office.token),
            &ask,
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    s.app
        .post(
            &format!("/api/v1/material-requests/{req}/refuse"),
            Some(&s.staff.token),
            &json!({"text": "不提供"}),
        )
        .await
        .ok(200);
    let case = s
        .app
        .get(&format!("/api/v1/accountability/cases/{id}"), Some(&s.office.token))
        .await;
    assert_eq!(case.body["offered_acc_7_4"], json!([req]));
    let decision = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["criticism_education", "off_post_training"]}]});
    s.decided(id, "minor", json!({"aggravating": [4]}), decision)
        .await
        .ok(200);
    let orders = s.app.get("/api/v1/training/orders", Some(&s.office.token)).await;
    assert_eq!(orders.body["items"][0]["cause"], "accountability_case");
    assert_eq!(orders.body["items"][0]["cause_id"], id);
    assert_eq!(orders.body["items"][0]["basis"], json!(["ACC-6(1)"]));
    // Off post by the decision's order: no enforcing, and the refusal names the decision's article.
    s.staff_certificate("ACC-OFF-POST", 100);
    let act = json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": s.staff.department_id,
        "officers": [s.staff.person_id], "counterpart": {"name": "某公司", "type": "legal_person"},
        "legal_basis": "依据", "decision_text": "罚款", "decision_date": today()});
    let r = s.app.post("/api/v1/acts", Some(&s.staff.token), &act).await;
    assert_eq!(r.problem(422), "officer_off_post");
    assert_eq!(r.body["basis"], json!(["ACC-6(1)"]));
}

#[actix_web::test]
async fn a_revoked_appeal_lifts_the_training_order_and_restores_award_eligibility() {
    let s = acc().await;
    let year = chrono::Datelike::year(&today());
    let id = s.case(today()).await;
    let decision = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning", "off_post_training", "loss_of_award_eligibility"]}],
        "departments": []});
    s.decided(id, "minor", json!({}), decision).await.ok(200);
    let lost = s
        .app
        .get(
            &format!("/api/v1/accountability/award-ineligibility?year={year}"),
            Some(&s.leader.token),
        )
        .await;
    assert_eq!(
        lost.ok(200)["persons"],
        json!([{"id": s.staff.person_id, "cases": [id]}])
    );
    assert_eq!(
        s.app
            .get("/api/v1/training/orders?open=true", Some(&s.office.token))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Evidence kept with the case, visible to the respondent, not to others.
    let boundary = "CASEEVIDENCE";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"笔录.pdf\"\r\n\r\n")
            .into_bytes();
    body.extend_from_slice(b"%PDF-1.4 record");
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = TestRequest::post()
        .uri(&format!("/api/v1/accountability/cases/{id}/evidence"))
        .insert_header(("authorization", format!("Bearer {}", s.office.token)))
        .insert_header(("content-type", format!("multipart/form-data; boundary={boundary}")))
        .set_payload(body);
    let r = s.app.send(req).await;
    let file = r.ok(201)["evidence"][0]["id"].as_i64().unwrap();
    assert_eq!(
        s.app
            .get(&format!("/api/v1/attachments/{file}"), Some(&s.staff.token))
            .await
            .status,
        200
    );
    let other = s.app.account(Role::Staff).await;
    s.app
        .get(&format!("/api/v1/attachments/{file}"), Some(&other.token))
        .await
        .problem(404);

    revoke_on_appeal(&s, id).await;
    assert!(s
        .app
        .get("/api/v1/training/orders?open=true", Some(&s.office.token))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let order = s.app.get("/api/v1/training/orders", Some(&s.office.token)).await;
    assert_eq!(
        order.body["items"][0]["lifted_on"],
        json!(today()),
        "lifted, not deleted"
    );
    let lost = s
        .app
        .get(
            &format!("/api/v1/accountability/award-ineligibility?year={year}"),
            Some(&s.leader.token),
        )
        .await;
    assert!(lost.body["persons"].as_array().unwrap().is_empty());
}

async fn certificate_status(s: &Acc, cert: i64) -> String {
    let r = s
        .app
        .get(&format!("/api/v1/certificates/{cert}"), Some(&s.office.token))
        .await;
    r.body["status"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn an_appeal_undoes_only_what_its_case_did_to_a_certificate() {
    let s = acc().await;
    let cert = s.staff_certificate("ACC-CERT-LATER", 10);
    let id = s.case(today()).await;
    let decision = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning", "certificate_suspension"]}]});
    s.decided(id, "minor", json!({}), decision).await.ok(200);
    assert_eq!(certificate_status(&s, cert).await, "suspended");
    // The legal office then withdraws the card for a reason of its own.
    let withdrawal = json!({"status": "revoked", "reason": "法制办收回", "cause": {"kind": "manual"}});
    s.app
        .post(
            &format!("/api/v1/certificates/{cert}/status"),
            Some(&s.office.token),
            &withdrawal,
        )
        .await
        .ok(200);
    revoke_on_appeal(&s, id).await;
    let card = s
        .app
        .get(&format!("/api/v1/certificates/{cert}"), Some(&s.office.token))
        .await;
    assert_eq!(card.ok(200)["status"], "revoked", "the later withdrawal stands");
    let causes: Vec<&Value> = card.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["cause"]["kind"])
        .collect();
    assert_eq!(
        causes,
        [&json!("manual"), &json!("accountability_decision"), &json!("manual")]
    );
}

/// Takes a decided case through service and appeal to the appeal decision.
async fn appeal_to(s: &Acc, id: i64, decision: Value) {
    s.serve_and_appeal(id).await;
    s.post(
        id,
        "appeal-decision",
        &s.leader.token,
        json!({"outcome": "modified", "decision": decision}),
    )
    .await
    .ok(200);
}

/// Takes a decided case through service and appeal to its revocation on appeal.
async fn revoke_on_appeal(s: &Acc, id: i64) {
    s.serve_and_appeal(id).await;
    let r = s
        .post(id, "appeal-decision", &s.leader.token, json!({"outcome": "revoked"}))
        .await;
    assert_eq!(r.ok(200)["status"], "appeal_decided");
}

#[actix_web::test]
async fn a_modified_appeal_reverses_what_it_drops_and_applies_what_it_adds() {
    let s = acc().await;
    let cert = s.staff_certificate("ACC-CERT-2", 10);
    let p = s.staff.person_id;
    let with = |sanctions: Value| json!({"severity": "minor", "persons": [{"person_id": p, "sanctions": sanctions}]});

    let dropping = s.case(today()).await;
    s.decided(
        dropping,
        "minor",
        json!({}),
        with(json!(["warning", "certificate_suspension"])),
    )
    .await
    .ok(200);
    assert_eq!(certificate_status(&s, cert).await, "suspended");
    appeal_to(&s, dropping, with(json!(["warning"]))).await;
    assert_eq!(
        certificate_status(&s, cert).await,
        "valid",
        "the dropped suspension is reversed"
    );

    // A serious fault with nothing to weigh opens only `serious` at the decision; the review
    // (认真复查, ACC-13) finds it minor: the confiscation goes, the lighter suspension put in
    // its place takes effect.
    let lowered = s.case(today()).await;
    let serious = json!({"severity": "serious", "persons": [{"person_id": p, "sanctions": ["major_demerit"]}]});
    s.decided(lowered, "serious", json!({}), serious).await.ok(200);
    assert_eq!(certificate_status(&s, cert).await, "revoked");
    appeal_to(&s, lowered, with(json!(["warning", "certificate_suspension"]))).await;
    assert_eq!(
        certificate_status(&s, cert).await,
        "suspended",
        "the confiscation is reversed and the suspension put in its place takes effect"
    );
    let r = s
        .app
        .get(
            &format!("/api/v1/accountability/cases/{lowered}"),
            Some(&s.office.token),
        )
        .await;
    assert_eq!(r.ok(200)["decision"]["request"]["severity"], "minor");
}

#[actix_web::test]
async fn a_confiscation_modified_into_a_suspension_on_appeal_leaves_the_card_suspended() {
    let s = acc().await;
    let cert = s.staff_certificate("ACC-CERT-3", 10);
    let p = s.staff.person_id;
    let with = |sanctions: Value| json!({"severity": "minor", "persons": [{"person_id": p, "sanctions": sanctions}]});
    // Serious (aggravated, ACC-7(1)) takes the card; the appeal makes it minor with a suspension.
    let lighter = s.case(today()).await;
    let serious = json!({"severity": "serious", "persons": [{"person_id": p, "sanctions": ["major_demerit"]}]});
    s.decided(lighter, "minor", json!({"aggravating": [1]}), serious)
        .await
        .ok(200);
    assert_eq!(certificate_status(&s, cert).await, "revoked");
    appeal_to(&s, lighter, with(json!(["warning", "certificate_suspension"]))).await;
    assert_eq!(
        certificate_status(&s, cert).await,
        "suspended",
        "a confiscation made a suspension on appeal no longer stands"
    );
}

/// The benchmark volumes' cases are real ones: listed, read and taken through the next step of
/// ACC-10 like any other, each with the finding it came from.
#[actix_web::test]
async fn volume_seeded_cases_read_and_move_like_any_other() {
    let app = TestApp::new().await;
    let dept = app.department("一科");
    app.person("王伟", Position::Officer, dept);
    let office = app.account(Role::SupervisoryOffice).await;
    safeguards::volume::seed(&app.db, 10, 0).unwrap();
    let ids: Vec<i64> = app
        .every_item("/api/v1/accountability/cases?limit=200", Some(&office.token))
        .await
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() >= 30, "{} cases over five years", ids.len());
    let mut investigating = 0;
    for id in &ids {
        let case = app
            .get(&format!("/api/v1/accountability/cases/{id}"), Some(&office.token))
            .await;
        let case = case.ok(200);
        assert_eq!(case["source"]["kind"], "finding", "{case}");
        assert!(!case["respondents"].as_array().unwrap().is_empty(), "{case}");
        investigating += usize::from(case["status"] == "investigating");
    }
    assert!(investigating > 0 && investigating < ids.len());
    let proposed = app
        .get(
            "/api/v1/accountability/cases?status=proposed&limit=1",
            Some(&office.token),
        )
        .await;
    let first = proposed.ok(200)["items"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/accountability/cases/{first}/investigate"),
            Some(&office.token),
            &json!({}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "investigating", "{}", r.text);
}

#[actix_web::test]
async fn acc_6_imposes_what_the_severity_requires_besides_the_chosen_penalty() {
    let s = acc().await;
    let officer = s.app.officer_with_certificate("孙丽", s.staff.department_id, 200, 200);
    let respondents = json!([{"kind": "person", "id": officer}, {"kind": "person", "id": s.staff.person_id},
        {"kind": "department", "id": s.staff.department_id}]);
    let case = s.case_against(respondents, today() - Days::new(5)).await;
    s.post(case, "investigate", &s.office.token, json!({})).await.ok(200);
    // Decided collectively; the staff member held the correct view (坚持正确意见而未被采纳).
    let opinion = json!({"how": {"mode": "collective", "principal": officer, "participants": [s.staff.person_id],
        "dissenters": [s.staff.person_id]}, "severity": "serious", "text": "情节严重"});
    let r = s.post(case, "opinion", &s.office.token, opinion.clone()).await;
    assert_eq!(
        r.problem(422),
        "allocation_invalid",
        "an officer does not lead a collective decision"
    );
    assert_eq!(r.body["basis"], json!(["ACC-5(4)"]));
    s.app
        .sql(&format!("UPDATE people SET position = 'director' WHERE id = {officer}"));
    s.post(case, "opinion", &s.office.token, opinion).await.ok(200);
    // Held responsible and given nothing: refused, nothing decided.
    let nothing = json!({"severity": "serious", "persons": [{"person_id": officer, "sanctions": []}]});
    let r = s.post(case, "decide", &s.leader.token, nothing).await;
    assert_eq!(r.problem(422), "penalty_missing");
    assert_eq!(r.body["basis"], json!(["ACC-6(2)"]));
    assert_eq!(
        s.app.number(&format!(
            "SELECT COUNT(*) AS n FROM acc_cases WHERE id = {case} AND decision IS NULL"
        )),
        1
    );
    // 记过 chosen; 通报批评, 取消执法资格和评比资格, 调离岗位并收缴证件 are imposed (ACC-6(2)), and
    // the department at fault is ordered to correct, criticised and excluded (ACC-6).
    let demerit = json!({"severity": "serious", "persons": [{"person_id": officer, "sanctions": ["demerit"]},
        {"person_id": s.staff.person_id, "sanctions": []}]});
    let r = s.post(case, "decide", &s.leader.token, demerit).await;
    let decision = &r.ok(200)["decision"];
    assert_eq!(
        decision["basis"],
        json!(["ACC-5(4)", "ACC-6", "ACC-6(2)", "ACC-14"]),
        "the allocation, the severity's item and the effects it rests on"
    );
    assert_eq!(
        decision["request"]["persons"][0]["sanctions"],
        json!([
            "demerit",
            "circulated_criticism",
            "loss_of_enforcement_qualification",
            "loss_of_award_eligibility",
            "transfer_off_post",
            "certificate_confiscation"
        ])
    );
    assert_eq!(
        decision["request"]["persons"][1]["sanctions"],
        json!([]),
        "a dissenter (ACC-5(4)) bears nothing"
    );
    assert_eq!(
        decision["request"]["departments"],
        json!([{"department_id": s.staff.department_id,
            "sanctions": ["order_correction", "circulated_criticism", "loss_of_award_eligibility"]}])
    );
    assert_eq!(
        s.app.number(&format!(
            "SELECT COUNT(*) AS n FROM certificates WHERE holder_id = {officer} AND status = 'revoked'"
        )),
        1,
        "收缴行政执法证件 takes effect at once (ACC-14)"
    );
    // Only those the decision handles appeal it: not the dissenter (ACC-5(4), ACC-13).
    s.post(case, "serve", &s.office.token, json!({"served_on": today()}))
        .await
        .ok(200);
    let appeal = json!({"filed_on": today(), "grounds": "不服"});
    let r = s.post(case, "appeal", &s.staff.token, appeal.clone()).await;
    assert_eq!(r.problem(422), "appellant_not_handled", "{}", r.text);
    assert_eq!(r.body["basis"], json!(["ACC-13"]));
    let mut written = appeal;
    written["appellant"] = json!({"kind": "person", "id": officer});
    let r = s.post(case, "appeal", &s.office.token, written).await;
    assert_eq!(r.ok(200)["status"], "appealed");
}

#[actix_web::test]
async fn a_case_against_a_department_alone_is_decided_without_allocating_among_persons() {
    let s = acc().await;
    let dept = s.staff.department_id;
    let id = s
        .case_against(json!([{"kind": "department", "id": dept}]), today())
        .await;
    s.post(id, "investigate", &s.office.token, json!({})).await.ok(200);
    let opinion = json!({"circumstances": {}, "severity": "minor", "text": "处室集体过错"});
    let r = s.post(id, "opinion", &s.office.token, opinion).await;
    assert_eq!(r.ok(200)["opinion"]["allocation"], json!([]));
    let r = s
        .post(id, "decide", &s.leader.token, json!({"severity": "minor"}))
        .await;
    assert_eq!(
        r.ok(200)["decision"]["request"]["departments"],
        json!([{"department_id": dept, "sanctions": ["order_correction", "circulated_criticism", "loss_of_award_eligibility"]}])
    );

    // A person respondent needs the allocation.
    let person_case = s.case(today()).await;
    s.post(person_case, "investigate", &s.office.token, json!({}))
        .await
        .ok(200);
    let r = s
        .post(
            person_case,
            "opinion",
            &s.office.token,
            json!({"severity": "minor", "text": "意见"}),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "how");
}

#[actix_web::test]
async fn a_decision_gives_one_penalty_and_acc_7_2_comes_from_the_register() {
    let s = acc().await;
    let id = s.case(today()).await;
    s.post(id, "investigate", &s.office.token, json!({})).await.ok(200);
    // ACC-7(2) is found, not asserted: this respondent has no other fault.
    let opinion = |aggravating: Value| {
        json!({"how": {"mode": "direct", "staff": [s.staff.person_id]}, "circumstances": {"aggravating": aggravating},
            "severity": "minor", "text": "意见"})
    };
    let r = s.post(id, "opinion", &s.office.token, opinion(json!([2]))).await;
    assert_eq!(r.problem(422), "acc_7_2_not_found");
    assert_eq!(r.body["basis"], json!(["ACC-7(2)"]));
    s.post(id, "opinion", &s.office.token, opinion(json!([]))).await.ok(200);
    let decide = |sanctions: Value| json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": sanctions}]});
    let r = s
        .post(id, "decide", &s.leader.token, decide(json!(["warning", "demerit"])))
        .await;
    assert_eq!(r.problem(422), "one_penalty");
    let r = s
        .post(id, "decide", &s.leader.token, decide(json!(["warning", "warning"])))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(
        s.app.number(&format!(
            "SELECT COUNT(*) AS n FROM acc_cases WHERE id = {id} AND decision IS NULL"
        )),
        1
    );
    s.post(id, "decide", &s.leader.token, decide(json!(["warning"])))
        .await
        .ok(200);

    // A source of a register names its record; `other` names none; no fault before 2000.
    let body = |source: Value, fault_on: &str| {
        json!({"respondents": [{"kind": "person", "id": s.staff.person_id}], "source": source,
            "fault_types": [1], "facts": "事实", "fault_on": fault_on})
    };
    let today = today().to_string();
    let cases = s.app.count("acc_cases");
    for (source, fault_on) in [
        (json!({"kind": "finding"}), today.as_str()),
        (json!({"kind": "training"}), today.as_str()),
        (json!({"kind": "other", "id": 5}), today.as_str()),
        (json!({"kind": "other"}), "0001-01-01"),
    ] {
        let r = s
            .app
            .post(
                "/api/v1/accountability/cases",
                Some(&s.office.token),
                &body(source.clone(), fault_on),
            )
            .await;
        assert_eq!(r.problem(422), "validation_failed", "{source} {fault_on}");
    }
    assert_eq!(s.app.count("acc_cases"), cases);
}

#[actix_web::test]
async fn no_one_handles_their_own_case_and_each_respondent_is_listed_once() {
    let s = acc().await;
    // A case against the office's own person: the office may not investigate it.
    let own = s
        .case_against(json!([{"kind": "person", "id": s.office.person_id}]), today())
        .await;
    let r = s.post(own, "investigate", &s.office.token, json!({})).await;
    assert_eq!(r.problem(403), "forbidden");
    let colleague = s.app.account(Role::SupervisoryOffice).await;
    s.post(own, "investigate", &colleague.token, json!({})).await.ok(200);

    let id = s.case(today()).await;
    s.post(id, "investigate", &s.office.token, json!({})).await.ok(200);
    let opinion = json!({"how": {"mode": "direct", "staff": [s.staff.person_id]}, "severity": "minor", "text": "意见"});
    s.post(id, "opinion", &s.office.token, opinion).await.ok(200);
    let twice = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning"]},
        {"person_id": s.staff.person_id, "sanctions": ["criticism_education"]}]});
    let r = s.post(id, "decide", &s.leader.token, twice).await;
    assert_eq!(r.body["errors"][0]["field"], "persons");
}

#[actix_web::test]
async fn a_decision_handles_every_person_held_responsible_with_a_penalty() {
    let s = acc().await;
    let (me, cases) = (s.staff.person_id, s.app.count("acc_cases"));
    let (id, other) = s.two_at_opinion().await;
    let person = |p: i64, sanctions: Value| json!({"person_id": p, "sanctions": sanctions});

    // A measure is not a 处分 (ACC-6(1)): a suspended card alone is refused.
    let measures_only = json!({"severity": "minor", "persons": [person(me, json!(["certificate_suspension"])),
        person(other, json!(["warning"]))]});
    let r = s.post(id, "decide", &s.leader.token, measures_only).await;
    assert_eq!(r.problem(422), "penalty_missing");
    assert_eq!(r.body["basis"], json!(["ACC-6(1)"]));

    // Both bear full responsibility (ACC-5(1)): the decision may not leave one out.
    let one_left_out = json!({"severity": "minor", "persons": [person(me, json!(["warning"]))]});
    let r = s.post(id, "decide", &s.leader.token, one_left_out).await;
    assert_eq!(r.problem(422), "respondent_missing");
    assert!(r.body["detail"].as_str().unwrap().contains(&other.to_string()));
    assert_eq!(
        s.app.number(&format!(
            "SELECT COUNT(*) AS n FROM acc_cases WHERE id = {id} AND decision IS NULL"
        )),
        1
    );
    let both = json!({"severity": "minor", "persons": [person(me, json!(["warning", "certificate_suspension"])),
        person(other, json!(["criticism_education"]))]});
    s.post(id, "decide", &s.leader.token, both).await.ok(200);

    // Only a modified appeal decision states a new decision.
    s.serve_and_appeal(id).await;
    let contradictory = json!({"outcome": "upheld", "decision": {"severity": "minor",
        "persons": [person(me, json!(["criticism_education"])), person(other, json!(["warning"]))]}});
    let r = s.post(id, "appeal-decision", &s.leader.token, contradictory).await;
    assert_eq!(r.body["errors"][0]["field"], "decision");
    assert_eq!(s.app.count("acc_cases"), cases + 1);
}

#[actix_web::test]
async fn a_card_another_decision_withdraws_stays_withdrawn_when_one_appeal_succeeds() {
    let s = acc().await;
    let cert = s.staff_certificate("ACC-CERT-3", 10);
    let with = |sanctions: Value| json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": sanctions}]});
    let first = s.case(today()).await;
    s.decided(
        first,
        "minor",
        json!({}),
        with(json!(["warning", "certificate_suspension"])),
    )
    .await
    .ok(200);
    let second = s.case(today()).await;
    let r = s
        .decided(
            second,
            "minor",
            json!({}),
            with(json!(["demerit", "certificate_suspension"])),
        )
        .await;
    assert_eq!(
        r.ok(200)["decision"]["effects"],
        json!([{"certificate_id": cert, "person_id": s.staff.person_id, "to": "suspended", "already": true}]),
        "already suspended by the first, and withdrawn by this one too"
    );

    appeal_to(&s, first, with(json!(["warning"]))).await;
    assert_eq!(
        certificate_status(&s, cert).await,
        "suspended",
        "the second decision still withdraws it"
    );
    let log = s
        .app
        .get(
            &format!("/api/v1/audit?entity=case&entity_id={first}"),
            Some(&s.leader.token),
        )
        .await;
    let entry = log.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "case.appeal_decided")
        .cloned()
        .expect("the appeal decision is audited");
    let change: Value = match &entry["change"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    };
    assert_eq!(
        change["reversed"],
        json!([{"certificate_id": cert, "kept": "suspended", "by_case": second}])
    );
    // The second revoked too: nothing stands behind the suspension any more.
    revoke_on_appeal(&s, second).await;
    assert_eq!(certificate_status(&s, cert).await, "valid");
}

#[actix_web::test]
async fn a_reversed_confiscation_falls_back_to_what_still_stands() {
    let s = acc().await;
    let suspend = json!({"severity": "minor", "persons": [{"person_id": s.staff.person_id, "sanctions": ["warning", "certificate_suspension"]}]});
    let confiscate =
        json!({"severity": "serious", "persons": [{"person_id": s.staff.person_id, "sanctions": ["demotion"]}]});
    // A suspension by one decision, then a confiscation by another: revoking the second on
    // appeal leaves the first's suspension.
    let cert = s.staff_certificate("ACC-CERT-FALL", 10);
    let first = s.case(today()).await;
    s.decided(first, "minor", json!({}), suspend.clone()).await.ok(200);
    let second = s.case(today()).await;
    s.decided(second, "serious", json!({}), confiscate.clone())
        .await
        .ok(200);
    assert_eq!(certificate_status(&s, cert).await, "revoked");
    revoke_on_appeal(&s, second).await;
    assert_eq!(
        certificate_status(&s, cert).await,
        "suspended",
        "the first decision stands"
    );
}

#[actix_web::test]
async fn a_reversed_confiscation_leaves_a_suspension_of_another_cause() {
    let s = acc().await;
    let cert = s.staff_certificate("ACC-CERT-HAND", 10);
    let by_hand = json!({"status": "suspended", "reason": "待查", "cause": {"kind": "manual"}});
    s.app
        .post(
            &format!("/api/v1/certificates/{cert}/status"),
            Some(&s.office.token),
            &by_hand,
        )
        .await
        .ok(200);
    let id = s.case(today()).await;
    let confiscate =
        json!({"severity": "serious", "persons": [{"person_id": s.staff.person_id, "sanctions": ["demotion"]}]});
    s.decided(id, "serious", json!({}), confiscate).await.ok(200);
    assert_eq!(certificate_status(&s, cert).await, "revoked");
    revoke_on_appeal(&s, id).await;
    assert_eq!(
        certificate_status(&s, cert).await,
        "suspended",
        "the suspension by hand stands"
    );
}

#[actix_web::test]
async fn the_office_records_the_written_appeal_of_a_department_respondent() {
    let s = acc().await;
    let dept = s.staff.department_id;
    let id = s
        .case_against(json!([{"kind": "department", "id": dept}]), today())
        .await;
    s.post(id, "investigate", &s.office.token, json!({})).await.ok(200);
    s.post(
        id,
        "opinion",
        &s.office.token,
        json!({"severity": "minor", "text": "处室过错"}),
    )
    .await
    .ok(200);
    s.post(id, "decide", &s.leader.token, json!({"severity": "minor"}))
        .await
        .ok(200);
    s.post(id, "serve", &s.office.token, json!({"served_on": today()}))
        .await
        .ok(200);
    let appeal = |appellant: Value| json!({"filed_on": today(), "grounds": "处室不服", "appellant": appellant});

    let r = s
        .post(
            id,
            "appeal",
            &s.office.token,
            json!({"filed_on": today(), "grounds": "x"}),
        )
        .await;
    assert_eq!(r.problem(403), "forbidden", "the office is not the respondent");
    let r = s
        .post(
            id,
            "appeal",
            &s.leader.token,
            appeal(json!({"kind": "department", "id": dept})),
        )
        .await;
    assert_eq!(r.problem(403), "forbidden", "the office records written appeals");
    let elsewhere = s.app.department("其他处");
    let r = s
        .post(
            id,
            "appeal",
            &s.office.token,
            appeal(json!({"kind": "department", "id": elsewhere})),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "appellant");
    assert_eq!(
        s.app.number(&format!(
            "SELECT COUNT(*) AS n FROM acc_cases WHERE id = {id} AND appeal IS NULL"
        )),
        1
    );

    let r = s
        .post(
            id,
            "appeal",
            &s.office.token,
            appeal(json!({"kind": "department", "id": dept})),
        )
        .await;
    let body = r.ok(200);
    assert_eq!(body["status"], "appealed");
    assert_eq!(body["appeal"]["appellant"], json!({"kind": "department", "id": dept}));
    assert_eq!(body["appeal"]["recorded_by_office"], true);
}

#[actix_web::test]
async fn an_appeal_never_makes_the_decision_heavier() {
    let s = acc().await;
    let p = s.staff.person_id;
    let warned = json!({"severity": "minor", "persons": [{"person_id": p, "sanctions": ["warning"]}]});
    let case = s.case(today()).await;
    s.decided(case, "minor", json!({"aggravating": [1]}), warned)
        .await
        .ok(200);
    s.serve_and_appeal(case).await;
    let cert = s.staff_certificate("ACC-CERT-H", 10);
    let modify = |severity: &str, sanctions: Value| {
        let decision = json!({"severity": severity, "persons": [{"person_id": p, "sanctions": sanctions}]});
        s.post(
            case,
            "appeal-decision",
            &s.leader.token,
            json!({"outcome": "modified", "decision": decision}),
        )
    };
    // A heavier severity; within the same severity, a heavier 处分 or a measure the decision
    // did not take.
    for (severity, sanctions) in [
        ("serious", json!(["major_demerit"])),
        ("minor", json!(["demerit"])),
        ("minor", json!(["warning", "off_post_training"])),
        ("minor", json!(["warning", "certificate_suspension"])),
    ] {
        let r = modify(severity, sanctions.clone()).await;
        assert_eq!(r.problem(422), "appeal_heavier", "{severity} {sanctions}: {}", r.text);
        assert_eq!(r.body["basis"], json!(["ACC-13"]));
    }
    let still = s
        .app
        .get(&format!("/api/v1/accountability/cases/{case}"), Some(&s.office.token))
        .await;
    assert_eq!(still.ok(200)["status"], "appealed");
    assert_eq!(
        still.body["decision"]["request"]["persons"][0]["sanctions"],
        json!(["warning", "loss_of_award_eligibility"])
    );
    assert_eq!(certificate_status(&s, cert).await, "valid");
    assert_eq!(s.app.count("training_consequences"), 0);
    // Lighter on the same scale is a modification the appeal may make.
    let r = modify("minor", json!(["criticism_education"])).await;
    assert_eq!(
        r.ok(200)["decision"]["request"]["persons"][0]["sanctions"][0],
        "criticism_education"
    );
}

/// A case deciding a warning for the staff member and another officer, served today.
async fn two_warned() -> (Acc, i64, i64, i64) {
    let s = acc().await;
    let me = s.staff.person_id;
    let (case, other) = s.two_at_opinion().await;
    let both = json!({"severity": "minor", "persons": [{"person_id": me, "sanctions": ["warning"]},
        {"person_id": other, "sanctions": ["warning"]}]});
    s.post(case, "decide", &s.leader.token, both).await.ok(200);
    s.post(case, "serve", &s.office.token, json!({"served_on": today()}))
        .await
        .ok(200);
    (s, case, me, other)
}

#[actix_web::test]
async fn every_respondent_handled_appeals_on_their_own() {
    let (s, case, me, other) = two_warned().await;
    let mine = json!({"filed_on": today(), "grounds": "不服"});
    s.post(case, "appeal", &s.staff.token, mine.clone()).await.ok(200);
    s.post(case, "appeal-decision", &s.leader.token, json!({"outcome": "upheld"}))
        .await
        .ok(200);
    // The other respondent's window is still open: the case is not final yet.
    let r = s.post(case, "finalize", &s.office.token, json!({})).await;
    assert_eq!(r.problem(409), "appeal_window_open", "{}", r.text);
    let again = s.post(case, "appeal", &s.staff.token, mine).await;
    assert_eq!(again.problem(409), "already_appealed");
    let written = json!({"filed_on": today(), "grounds": "我也不服", "appellant": {"kind": "person", "id": other}});
    let r = s.post(case, "appeal", &s.office.token, written).await;
    assert_eq!(r.ok(200)["status"], "appealed", "{}", r.text);
    assert_eq!(r.body["appeal"]["appellant"], json!({"kind": "person", "id": other}));
    assert_eq!(
        (
            &r.body["appeal"]["earlier"][0]["appellant"],
            &r.body["appeal"]["earlier"][0]["outcome"]
        ),
        (&json!({"kind": "person", "id": me}), &json!("upheld")),
        "the first appeal is kept with its outcome"
    );
    s.post(case, "appeal-decision", &s.leader.token, json!({"outcome": "upheld"}))
        .await
        .ok(200);
    let r = s.post(case, "finalize", &s.office.token, json!({})).await;
    assert_eq!(r.ok(200)["status"], "final");
}

#[actix_web::test]
async fn a_second_respondent_joins_a_pending_appeal_and_one_decision_answers_both() {
    let (s, case, _, other) = two_warned().await;
    s.post(
        case,
        "appeal",
        &s.staff.token,
        json!({"filed_on": today(), "grounds": "不服"}),
    )
    .await
    .ok(200);
    let written = json!({"filed_on": today(), "grounds": "我也不服", "appellant": {"kind": "person", "id": other}});
    let r = s.post(case, "appeal", &s.office.token, written).await;
    assert_eq!(
        r.ok(200)["appeal"]["joined"][0]["appellant"],
        json!({"kind": "person", "id": other})
    );
    s.post(case, "appeal-decision", &s.leader.token, json!({"outcome": "upheld"}))
        .await
        .ok(200);
    let r = s.post(case, "finalize", &s.office.token, json!({})).await;
    assert_eq!(r.ok(200)["status"], "final", "both have appealed: nothing is left open");
}
