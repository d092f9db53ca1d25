//! SUP through the API: inspections, findings, measures and their effects on certificates,
//! acts and disclosures, rectification, overdue measures, compliance, samples, visibility.

mod common;

use chrono::Days;
use common::{Resp, Session, TestApp};
use safeguards::auth::Role;
use safeguards::db::today;
use serde_json::{json, Value};

fn year_end(day: chrono::NaiveDate) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&day), 12, 31).unwrap()
}

struct Sup {
    app: TestApp,
    leader: Session,
    office: Session,
    staff: Session,
    officer: i64,
}

async fn sup() -> Sup {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("周杰", staff.department_id, 100, 300);
    Sup {
        app,
        leader,
        office,
        staff,
        officer,
    }
}

impl Sup {
    async fn inspection(&self, kind: &str, token: &str) -> Resp {
        self.inspection_from(kind, token, today()).await
    }

    async fn inspection_from(&self, kind: &str, token: &str, from: chrono::NaiveDate) -> Resp {
        // A regular inspection ends within its year (SUP-5).
        let to = match kind {
            "regular" => (today() + Days::new(10)).min(year_end(from)),
            _ => today() + Days::new(10),
        };
        let body = json!({"kind": kind, "title": "检查", "period_from": from, "period_to": to,
            "scope": [{"kind": "department", "id": self.staff.department_id}], "inspectors": [self.office.person_id]});
        self.app.post("/api/v1/inspections", Some(token), &body).await
    }

    async fn running(&self) -> i64 {
        self.running_from(today()).await
    }

    /// An inspection in progress whose period began on `from`.
    async fn running_from(&self, from: chrono::NaiveDate) -> i64 {
        let id = self.inspection_from("ad_hoc", &self.office.token, from).await.ok(201)["id"]
            .as_i64()
            .unwrap();
        self.start(id).await
    }

    /// An ad hoc inspection of today, with this scope and these inspectors, in progress.
    async fn running_with(&self, scope: Value, inspectors: &[i64]) -> i64 {
        let body = json!({"kind": "ad_hoc", "title": "检查", "period_from": today(), "period_to": today(),
            "scope": scope, "inspectors": inspectors});
        let id = self
            .app
            .post("/api/v1/inspections", Some(&self.office.token), &body)
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap();
        self.start(id).await
    }

    /// Takes a lifecycle step of an inspection (`start`, `conclude`) as the office.
    async fn step(&self, id: i64, step: &str) {
        self.app
            .post(
                &format!("/api/v1/inspections/{id}/{step}"),
                Some(&self.office.token),
                &json!({}),
            )
            .await
            .ok(200);
    }

    async fn start(&self, id: i64) -> i64 {
        self.step(id, "start").await;
        id
    }

    /// Concludes an inspection as the office (it issues the SUP-10 document).
    async fn conclude(&self, id: i64) {
        self.step(id, "conclude").await;
    }

    async fn finding(&self, inspection: i64, item: i64, extra: Value) -> Resp {
        let mut body =
            json!({"checklist_item": item, "description": "问题", "department_id": self.staff.department_id});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .post(
                &format!("/api/v1/inspections/{inspection}/findings"),
                Some(&self.office.token),
                &body,
            )
            .await
    }

    async fn measure(&self, finding: i64, body: Value) -> Resp {
        self.app
            .post(
                &format!("/api/v1/findings/{finding}/measures"),
                Some(&self.office.token),
                &body,
            )
            .await
    }

    async fn act(&self, major: bool) -> i64 {
        self.act_decided(major, today() - Days::new(2)).await
    }

    async fn act_decided(&self, major: bool, on: chrono::NaiveDate) -> i64 {
        let body = json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": self.staff.department_id,
            "officers": [self.officer], "counterpart": {"name": "某公司", "type": "legal_person"}, "legal_basis": "依据",
            "decision_text": "罚款", "decision_date": on, "major": major});
        self.app
            .post("/api/v1/acts", Some(&self.staff.token), &body)
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap()
    }
}

#[actix_web::test]
async fn inspections_move_planned_in_progress_concluded_only() {
    let s = sup().await;
    s.inspection("regular", &s.office.token).await.problem(403);
    // A period no year's report could reach is refused, both ends named.
    let body = json!({"kind": "ad_hoc", "title": "检查", "period_from": "0001-01-01", "period_to": "9999-12-31",
        "inspectors": [s.office.person_id]});
    let r = s.app.post("/api/v1/inspections", Some(&s.office.token), &body).await;
    assert_eq!(r.problem(422), "validation_failed");
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["period_from", "period_to"]);
    let r = s.inspection("regular", &s.leader.token).await;
    let id = r.ok(201)["id"].as_i64().unwrap();
    assert_eq!(r.body["status"], "planned");
    let path = format!("/api/v1/inspections/{id}");
    let t = Some(s.leader.token.as_str());
    assert_eq!(
        s.app
            .post(&format!("{path}/conclude"), t, &json!({}))
            .await
            .problem(409),
        "inspection_state"
    );
    s.app.post(&format!("{path}/start"), t, &json!({})).await.ok(200);
    s.app.post(&format!("{path}/start"), t, &json!({})).await.problem(409);
    let etag = s.app.get(&path, t).await.header("etag").unwrap();
    s.app
        .patch(&path, t, Some(&etag), &json!({"title": "改"}))
        .await
        .problem(409);
    let r = s
        .app
        .post(&format!("{path}/conclude"), t, &json!({"conclusion": "总体良好"}))
        .await;
    assert_eq!(r.ok(200)["status"], "concluded");
    s.app
        .post(&format!("{path}/conclude"), t, &json!({}))
        .await
        .problem(409);
    s.finding(id, 2, json!({})).await.problem(409);
    s.app
        .get("/api/v1/inspections", Some(&s.staff.token))
        .await
        .problem(403);
}

#[actix_web::test]
async fn only_the_leadership_group_plans_and_changes_a_regular_inspection() {
    let s = sup().await;
    let id = s.inspection("regular", &s.leader.token).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/inspections/{id}");
    let (office, leader) = (Some(s.office.token.as_str()), Some(s.leader.token.as_str()));
    let etag = s.app.get(&path, office).await.header("etag").unwrap();
    let before = (s.app.count("audit_log"), s.app.get(&path, office).await.body.clone());
    let next_year = json!({"period_from": today() + Days::new(366), "period_to": today() + Days::new(380)});
    let r = s.app.patch(&path, office, Some(&etag), &next_year).await;
    assert_eq!(r.problem(403), "forbidden");
    assert!(r.body["detail"].as_str().unwrap().contains("SUP-5"), "{}", r.text);
    let after = (s.app.count("audit_log"), s.app.get(&path, office).await.body.clone());
    assert_eq!(after, before, "nothing changed");

    s.app
        .patch(&path, leader, Some(&etag), &json!({"title": "上半年定期检查"}))
        .await
        .ok(200);
    // The office carries the group's inspection out.
    s.app.post(&format!("{path}/start"), office, &json!({})).await.ok(200);
    let r = s.app.post(&format!("{path}/conclude"), office, &json!({})).await;
    assert_eq!(r.ok(200)["status"], "concluded");

    // The office still runs its own daily inspections.
    let adhoc = s.inspection("ad_hoc", &s.office.token).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/inspections/{adhoc}");
    let etag = s.app.get(&path, office).await.header("etag").unwrap();
    s.app
        .patch(&path, office, Some(&etag), &json!({"title": "随时检查"}))
        .await
        .ok(200);
    s.app.post(&format!("{path}/start"), office, &json!({})).await.ok(200);
}

#[actix_web::test]
async fn an_inspection_does_not_start_before_its_period_and_is_not_counted_early() {
    let s = sup().await;
    let from = today() + Days::new(200);
    let year = chrono::Datelike::year(&from);
    let body = json!({"kind": "regular", "title": "定期检查", "period_from": from, "period_to": (from + Days::new(29)).min(year_end(from)),
        "inspectors": [s.office.person_id]});
    let leader = Some(s.leader.token.as_str());
    let id = s.app.post("/api/v1/inspections", leader, &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/inspections/{id}");
    let before = s.app.count("audit_log");
    let r = s.app.post(&format!("{path}/start"), leader, &json!({})).await;
    assert_eq!(r.problem(409), "inspection_period_not_begun");
    assert_eq!(r.body["basis"], json!(["SUP-5"]));
    assert!(
        r.body["detail"].as_str().unwrap().contains(&from.to_string()),
        "{}",
        r.text
    );
    s.app
        .post(&format!("{path}/conclude"), leader, &json!({}))
        .await
        .problem(409);
    assert_eq!(s.app.get(&path, leader).await.body["status"], "planned");
    assert_eq!(s.app.count("audit_log"), before, "nothing changed");
    let c = s
        .app
        .get(&format!("/api/v1/supervision/compliance?year={year}"), leader)
        .await;
    assert_eq!(c.ok(200)["regular_inspections_held"], 0);

    // Brought forward to today, it starts.
    let etag = s.app.get(&path, leader).await.header("etag").unwrap();
    s.app
        .patch(
            &path,
            leader,
            Some(&etag),
            &json!({"period_from": today(), "period_to": year_end(today())}),
        )
        .await
        .ok(200);
    s.app.post(&format!("{path}/start"), leader, &json!({})).await.ok(200);
}

#[actix_web::test]
async fn twice_a_year_regular_inspections_make_the_year_compliant() {
    let s = sup().await;
    let year = chrono::Datelike::year(&today());
    let t = Some(s.leader.token.as_str());
    let c = s
        .app
        .get(&format!("/api/v1/supervision/compliance?year={year}"), t)
        .await;
    assert_eq!(c.ok(200)["required"], 2);
    assert_eq!(c.body["compliant"], false);
    assert_eq!(c.body["basis"], json!(["SUP-5"]));
    for n in 1..=2 {
        let id = s.inspection("regular", &s.leader.token).await.ok(201)["id"]
            .as_i64()
            .unwrap();
        s.app
            .post(&format!("/api/v1/inspections/{id}/start"), t, &json!({}))
            .await
            .ok(200);
        let before = s
            .app
            .get(&format!("/api/v1/supervision/compliance?year={year}"), t)
            .await;
        assert_eq!(before.body["regular_inspections_held"], n - 1, "held means concluded");
        s.app
            .post(&format!("/api/v1/inspections/{id}/conclude"), t, &json!({}))
            .await
            .ok(200);
    }
    // An ad-hoc inspection does not count.
    let adhoc = s.running().await;
    s.app
        .post(&format!("/api/v1/inspections/{adhoc}/conclude"), t, &json!({}))
        .await
        .ok(200);
    let c = s
        .app
        .get(&format!("/api/v1/supervision/compliance?year={year}"), t)
        .await;
    assert_eq!(c.body["regular_inspections_held"], 2);
    assert_eq!(c.body["compliant"], true);
    let next = s
        .app
        .get(&format!("/api/v1/supervision/compliance?year={}", year + 1), t)
        .await;
    assert_eq!(next.body["compliant"], false);
}

#[actix_web::test]
async fn suspending_a_certificate_bars_the_officer_from_new_acts() {
    let s = sup().await;
    let id = s.running().await;
    let f = s.finding(id, 2, json!({"officer_id": s.officer})).await;
    let fid = f.ok(201)["id"].as_i64().unwrap();
    assert_eq!(f.body["basis"], json!(["SUP-6(2)"]));
    let r = s
        .measure(
            fid,
            json!({"item": 2, "action": "suspend_certificate", "note": "证件失效"}),
        )
        .await;
    let measure = r.ok(201)["measures"][0].clone();
    assert_eq!(measure["status"], "executed");
    let cert = measure["certificate_id"].as_i64().unwrap();
    let c = s
        .app
        .get(&format!("/api/v1/certificates/{cert}"), Some(&s.office.token))
        .await;
    assert_eq!(c.body["status"], "suspended");
    assert_eq!(
        c.body["history"].as_array().unwrap().last().unwrap()["cause"],
        json!({"kind": "inspection_finding", "id": fid})
    );
    let act = json!({"kind": "inspection", "department_id": s.staff.department_id, "officers": [s.officer],
        "counterpart": {"name": "x", "type": "other"}, "legal_basis": "y", "decision_text": "z", "decision_date": today()});
    let r = s.app.post("/api/v1/acts", Some(&s.staff.token), &act).await;
    assert_eq!(r.problem(422), "officer_without_valid_certificate");
    // Confiscation follows suspension.
    let r = s
        .measure(fid, json!({"item": 2, "action": "confiscate_certificate"}))
        .await;
    r.ok(201);
    assert_eq!(
        s.app
            .get(&format!("/api/v1/certificates/{cert}"), Some(&s.office.token))
            .await
            .body["status"],
        "revoked"
    );
}

#[actix_web::test]
async fn a_measure_must_fit_the_checklist_item() {
    let s = sup().await;
    let id = s.running().await;
    let fid = s.finding(id, 4, json!({"officer_id": s.officer})).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let before = (s.app.count("measures"), s.app.count("certificate_status_changes"));
    let r = s
        .measure(fid, json!({"item": 2, "action": "suspend_certificate"}))
        .await;
    assert_eq!(r.problem(422), "measure_does_not_fit");
    assert_eq!(r.body["basis"], json!(["SUP-7(2)"]));
    s.measure(fid, json!({"item": 4, "action": "suspend_certificate"}))
        .await
        .problem(422);
    s.measure(fid, json!({"item": 9, "action": "correct"}))
        .await
        .problem(422);
    s.measure(fid, json!({"item": 6, "action": "order_performance"}))
        .await
        .problem(422);
    let early = json!({"item": 6, "action": "order_performance", "deadline": today() - Days::new(1)});
    s.measure(fid, early).await.problem(422);
    assert_eq!(
        (s.app.count("measures"), s.app.count("certificate_status_changes")),
        before
    );
    s.finding(id, 10, json!({})).await.problem(422);
}

#[actix_web::test]
async fn a_time_limited_order_cannot_be_overdue_when_imposed() {
    let s = sup().await;
    let act = s.act_decided(true, today() - Days::new(30)).await;
    let id = s.running_from(today() - Days::new(30)).await;
    // Found days ago: a deadline after the finding but before today was once accepted.
    let found = json!({"act_id": act, "officer_id": s.officer, "found_on": today() - Days::new(20)});
    let filing = s.finding(id, 8, found).await.ok(201)["id"].as_i64().unwrap();
    let before = (s.app.count("measures"), s.app.count("audit_log"));
    let late = [
        (
            filing,
            json!({"item": 5, "action": "order_filing", "deadline": today() - Days::new(1)}),
        ),
        (
            filing,
            json!({"item": 6, "action": "order_performance", "deadline": today() - Days::new(10)}),
        ),
    ];
    for (finding, body) in late {
        let r = s.measure(finding, body).await;
        assert_eq!(r.problem(422), "validation_failed", "{}", r.text);
        assert_eq!(r.body["errors"][0]["field"], "deadline");
    }
    assert_eq!((s.app.count("measures"), s.app.count("audit_log")), before);
    let r = s
        .measure(
            filing,
            json!({"item": 5, "action": "order_filing", "deadline": today()}),
        )
        .await;
    assert_eq!(r.ok(201)["measures"][0]["overdue"], false);
}

#[actix_web::test]
async fn revoking_an_act_takes_its_published_decision_down() {
    let s = sup().await;
    let act = s.act(false).await;
    let d = json!({"department_id": s.staff.department_id, "category": "penalty", "content_type": "decision", "act_id": act, "title": "处罚决定"});
    let did = s
        .app
        .post("/api/v1/disclosures", Some(&s.staff.token), &d)
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    s.app
        .post(
            &format!("/api/v1/disclosures/{did}/submit"),
            Some(&s.staff.token),
            &json!({}),
        )
        .await
        .ok(200);
    s.app
        .post(
            &format!("/api/v1/disclosures/{did}/publish"),
            Some(&s.office.token),
            &json!({}),
        )
        .await
        .ok(200);
    s.app
        .get(&format!("/api/v1/public/disclosures/{did}"), None)
        .await
        .ok(200);
    let id = s.running().await;
    let fid = s.finding(id, 4, json!({"act_id": act})).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    s.measure(fid, json!({"item": 4, "action": "revoke"})).await.ok(201);
    assert_eq!(
        s.app
            .get(&format!("/api/v1/acts/{act}"), Some(&s.office.token))
            .await
            .body["status"],
        "revoked"
    );
    s.app
        .get(&format!("/api/v1/public/disclosures/{did}"), None)
        .await
        .problem(404);
    assert!(s.app.get("/api/v1/public/disclosures", None).await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[actix_web::test]
async fn ordered_filing_is_rectified_verified_and_tracked_when_overdue() {
    let s = sup().await;
    let act = s.act_decided(true, today() - Days::new(5)).await;
    let id = s.running_from(today() - Days::new(5)).await;
    let fid = s
        .finding(id, 8, json!({"act_id": act, "found_on": today() - Days::new(5)}))
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    s.measure(fid, json!({"item": 5, "action": "order_filing"}))
        .await
        .problem(422);
    let r = s
        .measure(
            fid,
            json!({"item": 5, "action": "order_filing", "deadline": "2999-01-01"}),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "deadline");
    let r = s
        .measure(
            fid,
            json!({"item": 5, "action": "order_filing", "deadline": today(), "note": "限期补备并通报"}),
        )
        .await;
    let mid = r.ok(201)["measures"][0]["id"].as_i64().unwrap();
    assert_eq!(r.body["measures"][0]["overdue"], false, "the last day is still in time");
    // Past its deadline an unrectified measure reads as overdue.
    s.app.sql(&format!(
        "UPDATE measures SET deadline = '{}' WHERE id = {mid}",
        today() - Days::new(1)
    ));
    let overdue = s.app.get("/api/v1/measures?overdue=true", Some(&s.office.token)).await;
    assert_eq!(overdue.ok(200)["items"][0]["id"], mid);

    // Staff of the department report; another department's staff cannot even see it.
    let outsider = s.app.account(Role::Staff).await;
    s.app
        .get(&format!("/api/v1/measures/{mid}"), Some(&outsider.token))
        .await
        .problem(404);
    s.app
        .get(&format!("/api/v1/findings/{fid}"), Some(&outsider.token))
        .await
        .problem(404);
    let path = format!("/api/v1/measures/{mid}");
    s.app
        .post(
            &format!("{path}/verify"),
            Some(&s.office.token),
            &json!({"accepted": true}),
        )
        .await
        .problem(409);
    let r = s
        .app
        .post(
            &format!("{path}/rectification"),
            Some(&s.staff.token),
            &json!({"report": "已补备"}),
        )
        .await;
    assert_eq!(r.ok(201)["status"], "reported");
    s.app
        .post(
            &format!("{path}/rectification"),
            Some(&s.staff.token),
            &json!({"report": "again"}),
        )
        .await
        .problem(409);
    // Rejected: back to open, then reported again and accepted.
    let r = s
        .app
        .post(
            &format!("{path}/verify"),
            Some(&s.office.token),
            &json!({"accepted": false, "comment": "材料不全"}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "open");
    s.app
        .post(
            &format!("{path}/rectification"),
            Some(&s.staff.token),
            &json!({"report": "已补齐"}),
        )
        .await
        .ok(201);
    // Reported is not done: the order is rectified once the act is filed (SUP-6(8)).
    let accept = |path: String| {
        let app = &s.app;
        let token = s.office.token.clone();
        async move {
            app.post(&format!("{path}/verify"), Some(&token), &json!({"accepted": true}))
                .await
        }
    };
    let r = accept(path.clone()).await;
    assert_eq!(r.problem(409), "act_not_filed");
    assert_eq!(r.body["basis"], json!(["SUP-6(8)"]));
    s.app
        .post(
            &format!("/api/v1/acts/{act}/filing"),
            Some(&s.staff.token),
            &json!({"filed_on": today()}),
        )
        .await
        .ok(200);
    let r = accept(path.clone()).await;
    assert_eq!(r.ok(200)["status"], "verified");
    assert_eq!(r.body["overdue"], false);
    assert!(s
        .app
        .get("/api/v1/measures?overdue=true", Some(&s.office.token))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[actix_web::test]
async fn nobody_verifies_their_own_rectification_report() {
    let s = sup().await;
    let colleague = s.app.account(Role::SupervisoryOffice).await;
    let id = s
        .running_with(json!([]), &[s.office.person_id, colleague.person_id])
        .await;
    let fid = s.finding(id, 9, json!({})).await.ok(201)["id"].as_i64().unwrap();
    let r = s
        .measure(
            fid,
            json!({"item": 6, "action": "order_performance", "deadline": today() + Days::new(10)}),
        )
        .await;
    let mid = r.ok(201)["measures"][0]["id"].as_i64().unwrap();
    s.app
        .post(
            &format!("/api/v1/measures/{mid}/rectification"),
            Some(&s.office.token),
            &json!({"report": "办公室代报"}),
        )
        .await
        .ok(201);
    let r = s
        .app
        .post(
            &format!("/api/v1/measures/{mid}/verify"),
            Some(&s.office.token),
            &json!({"accepted": true}),
        )
        .await;
    assert_eq!(r.problem(409), "own_report");
    // Only an inspector of the inspection verifies: not the leadership as such.
    let verify = |token: &str| {
        let app = &s.app;
        let (path, token) = (format!("/api/v1/measures/{mid}/verify"), token.to_owned());
        async move { app.post(&path, Some(&token), &json!({"accepted": true})).await }
    };
    verify(&s.leader.token).await.problem(403);
    assert_eq!(verify(&colleague.token).await.ok(200)["status"], "verified");
}

#[actix_web::test]
async fn a_spot_check_sample_is_recorded_and_reproducible() {
    let s = sup().await;
    let mut acts = Vec::new();
    for _ in 0..12 {
        acts.push(s.act(false).await);
    }
    let s = &s;
    let spot_check = |scope: Value| {
        let body = json!({"kind": "spot_check", "title": "抽查", "period_from": today(), "period_to": today(),
            "inspectors": [s.office.person_id], "scope": scope});
        async move {
            let r = s.app.post("/api/v1/inspections", Some(&s.office.token), &body).await;
            r.ok(201)["id"].as_i64().unwrap()
        }
    };
    // A sample is drawn within the inspection's scope only: findings outside it are refused.
    let elsewhere = s.app.account(Role::Staff).await.department_id;
    let other = spot_check(json!([{"kind": "department", "id": elsewhere}])).await;
    let r = s
        .app
        .post(
            &format!("/api/v1/inspections/{other}/sample"),
            Some(&s.office.token),
            &json!({"size": 2}),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "filters", "{}", r.text);
    let two = spot_check(json!([{"kind": "act", "id": acts[3]}, {"kind": "act", "id": acts[7]}])).await;
    let r = s
        .app
        .post(
            &format!("/api/v1/inspections/{two}/sample"),
            Some(&s.office.token),
            &json!({"size": 5}),
        )
        .await;
    let draw = &r.ok(201)["samples"][0];
    assert_eq!(
        (&draw["population"], &draw["act_ids"], &draw["size"]),
        (&json!(2), &json!([acts[3], acts[7]]), &json!(2)),
        "five asked of two: both drawn, and the size says so"
    );
    let reversed = json!({"size": 1, "filters": {"decided_from": today(), "decided_to": today() - Days::new(1)}});
    let r = s
        .app
        .post(
            &format!("/api/v1/inspections/{two}/sample"),
            Some(&s.office.token),
            &reversed,
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    let id = spot_check(json!([])).await;
    let path = format!("/api/v1/inspections/{id}/sample");
    let r = s
        .app
        .post(
            &path,
            Some(&s.office.token),
            &json!({"size": 5, "filters": {"department_id": s.staff.department_id}}),
        )
        .await;
    let draw = r.ok(201)["samples"][0].clone();
    assert_eq!(draw["population"], 12);
    assert_eq!(draw["act_ids"].as_array().unwrap().len(), 5);
    let seed = draw["seed"].as_str().unwrap();
    let again = s
        .app
        .post(
            &path,
            Some(&s.office.token),
            &json!({"size": 5, "filters": {"department_id": s.staff.department_id}, "seed": seed}),
        )
        .await;
    assert_eq!(again.ok(201)["samples"][1]["act_ids"], draw["act_ids"]);
    s.app
        .post(&path, Some(&s.office.token), &json!({"size": 0}))
        .await
        .problem(422);
}

#[actix_web::test]
async fn staff_see_findings_of_their_department_only() {
    let s = sup().await;
    let id = s.running().await;
    s.finding(id, 9, json!({})).await.ok(201);
    let outsider = s.app.account(Role::Staff).await;
    assert_eq!(
        s.app.get("/api/v1/findings", Some(&s.staff.token)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(s.app.get("/api/v1/findings", Some(&outsider.token)).await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let wrong_officer = s.app.person(
        "外人",
        safeguards::org::rules::Position::Officer,
        outsider.department_id,
    );
    s.finding(id, 2, json!({"officer_id": wrong_officer}))
        .await
        .problem(422);
}

#[actix_web::test]
async fn concluding_issues_a_numbered_document_served_with_receipts() {
    let s = sup().await;
    let year = chrono::Datelike::year(&today());
    let first = s.running().await;
    let f = s.finding(first, 2, json!({"officer_id": s.officer})).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    s.measure(
        f,
        json!({"item": 6, "action": "order_performance", "deadline": today() + Days::new(5)}),
    )
    .await
    .ok(201);
    s.app
        .post(
            &format!("/api/v1/inspections/{first}/conclude"),
            Some(&s.office.token),
            &json!({"conclusion": "限期整改"}),
        )
        .await
        .ok(200);
    // A finding on an act that names no officer reaches the act's officers.
    let second = s.running().await;
    let act = s.act(false).await;
    s.finding(second, 7, json!({"act_id": act})).await.ok(201);
    let bureau_wide = s.running_with(json!([]), &[s.office.person_id]).await;
    for x in [second, bureau_wide] {
        s.conclude(x).await;
    }

    let docs = s
        .app
        .get(
            &format!("/api/v1/supervision-documents?inspection_id={first}"),
            Some(&s.office.token),
        )
        .await;
    let doc = docs.ok(200)["items"][0].clone();
    assert_eq!(doc["number"], format!("高新安监督〔{year}〕1号"));
    assert_eq!(doc["basis"], json!(["SUP-10"]));
    assert_eq!(
        doc["content"]["findings"][0]["measures"][0]["action"],
        "order_performance"
    );
    let targets = |doc: &Value| -> Vec<(String, i64)> {
        doc["served_to"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["kind"].as_str().unwrap().to_owned(), t["id"].as_i64().unwrap()))
            .collect()
    };
    assert_eq!(
        targets(&doc),
        [
            ("department".to_owned(), s.staff.department_id),
            ("officer".to_owned(), s.officer)
        ]
    );
    assert_eq!(doc["served"], false);
    let second_doc = s
        .app
        .get(
            &format!("/api/v1/supervision-documents?inspection_id={second}"),
            Some(&s.office.token),
        )
        .await;
    assert_eq!(
        second_doc.body["items"][0]["number"],
        format!("高新安监督〔{year}〕2号")
    );
    assert!(targets(&second_doc.body["items"][0]).contains(&("officer".to_owned(), s.officer)));
    let wide = s
        .app
        .get(
            &format!("/api/v1/supervision-documents?inspection_id={bureau_wide}"),
            Some(&s.office.token),
        )
        .await;
    let wide = &wide.ok(200)["items"][0];
    assert!(
        targets(wide).contains(&("department".to_owned(), s.staff.department_id)),
        "the whole bureau was inspected: every department is served"
    );
    assert_eq!(wide["served"], false);

    let id = doc["id"].as_i64().unwrap();
    let path = format!("/api/v1/supervision-documents/{id}/receipts");
    let dept = json!({"target": {"kind": "department", "id": s.staff.department_id}, "received_on": today(), "received_by": "处长"});
    let outsider = s.app.account(Role::Staff).await;
    s.app.post(&path, Some(&outsider.token), &dept).await.problem(404);
    s.app.post(&path, Some(&s.staff.token), &dept).await.ok(201);
    assert_eq!(
        s.app.post(&path, Some(&s.staff.token), &dept).await.problem(409),
        "already_received"
    );
    let stranger = json!({"target": {"kind": "officer", "id": 999}, "received_on": today()});
    s.app.post(&path, Some(&s.office.token), &stranger).await.problem(422);
    let officer = json!({"target": {"kind": "officer", "id": s.officer}, "received_on": today() + Days::new(1)});
    s.app.post(&path, Some(&s.office.token), &officer).await.problem(422);
    let officer = json!({"target": {"kind": "officer", "id": s.officer}, "received_on": today()});
    s.app.post(&path, Some(&s.staff.token), &officer).await.problem(403);
    let r = s.app.post(&path, Some(&s.office.token), &officer).await;
    assert_eq!(r.ok(201)["served"], true);
    let html = s
        .app
        .get(
            &format!("/api/v1/supervision-documents/{id}/html"),
            Some(&s.staff.token),
        )
        .await;
    assert_eq!(html.status, 200);
    assert!(html.text.contains(&format!("高新安监督〔{year}〕1号")) && html.text.contains("SUP-6(2)"));
    assert!(
        html.text.contains(&format!(
            "SUP-7(6) 责令限期履行职责（期限：{}）",
            today() + Days::new(5)
        )),
        "measures are worded as the seed words them: {}",
        html.text
    );
    s.app
        .get(&format!("/api/v1/supervision-documents/{id}"), Some(&outsider.token))
        .await
        .problem(404);
    // The concluded inspection takes no more findings or measures.
    s.measure(
        f,
        json!({"item": 6, "action": "order_performance", "deadline": today()}),
    )
    .await
    .problem(409);
}

#[actix_web::test]
async fn material_requests_are_answered_refused_or_recorded_overdue() {
    let s = sup().await;
    let id = s.running().await;
    let ask = |deadline: chrono::NaiveDate| json!({"department_id": s.staff.department_id, "description": "提供案卷", "deadline": deadline});
    let path = format!("/api/v1/inspections/{id}/requests");
    s.app
        .post(&path, Some(&s.office.token), &ask(today() - Days::new(1)))
        .await
        .problem(422);
    // SUP-8 binds the department inspected, not one outside the scope.
    let other = s.app.department("未检查处");
    let elsewhere = json!({"department_id": other, "description": "提供案卷", "deadline": today()});
    let r = s.app.post(&path, Some(&s.office.token), &elsewhere).await;
    assert_eq!(r.body["errors"][0]["field"], "department_id");
    let a = s.app.post(&path, Some(&s.office.token), &ask(today())).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let b = s.app.post(&path, Some(&s.office.token), &ask(today())).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let c = s.app.post(&path, Some(&s.office.token), &ask(today())).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let outsider = s.app.account(Role::Staff).await;
    s.app
        .post(
            &format!("/api/v1/material-requests/{a}/answer"),
            Some(&outsider.token),
            &json!({"text": "x"}),
        )
        .await
        .problem(404);
    let r = s
        .app
        .post(
            &format!("/api/v1/material-requests/{a}/answer"),
            Some(&s.staff.token),
            &json!({"text": "已提供"}),
        )
        .await;
    assert_eq!(r.ok(200)["outcome"], "answered");
    let r = s
        .app
        .post(
            &format!("/api/v1/material-requests/{b}/refuse"),
            Some(&s.staff.token),
            &json!({"text": "涉密"}),
        )
        .await;
    assert_eq!(r.ok(200)["outcome"], "refused");
    assert_eq!(r.body["basis"], json!(["SUP-8"]));
    s.app
        .post(
            &format!("/api/v1/material-requests/{b}/answer"),
            Some(&s.staff.token),
            &json!({"text": "x"}),
        )
        .await
        .problem(409);
    // Past its deadline an unanswered request reads as overdue.
    s.app.sql(&format!(
        "UPDATE material_requests SET deadline = '{}' WHERE id = {c}",
        today() - Days::new(1)
    ));
    let list = s.app.get("/api/v1/material-requests", Some(&s.staff.token)).await;
    let outcomes: Vec<_> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(outcomes, ["answered", "refused", "overdue"]);
}

#[actix_web::test]
async fn trends_count_findings_by_item_and_department() {
    let s = sup().await;
    // A bureau-wide inspection (no scope) reaches every department.
    let id = s.running_with(json!([]), &[s.office.person_id]).await;
    for item in [4, 4, 2, 9] {
        s.finding(id, item, json!({})).await.ok(201);
    }
    let other = s.app.department("另一处");
    let body = json!({"checklist_item": 4, "description": "程序", "department_id": other});
    s.app
        .post(
            &format!("/api/v1/inspections/{id}/findings"),
            Some(&s.office.token),
            &body,
        )
        .await
        .ok(201);
    let t = Some(s.leader.token.as_str());
    let q = |by: &str| {
        format!(
            "/api/v1/supervision/trends?from={}&to={}&by={by}",
            today() - Days::new(30),
            today()
        )
    };
    let by_item = s.app.get(&q("item"), t).await;
    assert_eq!(by_item.ok(200)["total"], 5);
    let groups: Vec<(i64, i64)> = by_item.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_i64().unwrap(), g["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(groups, [(2, 1), (4, 3), (9, 1)]);
    assert_eq!(by_item.body["basis"], json!(["SUP-9"]));
    let by_dept = s.app.get(&q("department"), t).await;
    let groups: Vec<(i64, i64)> = by_dept.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_i64().unwrap(), g["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(groups, [(s.staff.department_id, 4), (other, 1)]);
    let empty = s
        .app
        .get("/api/v1/supervision/trends?from=2020-01-01&to=2020-12-31&by=item", t)
        .await;
    assert_eq!(empty.ok(200)["total"], 0);
    s.app.get(&q("colour"), t).await.problem(400);

    let analysis = json!({"period_from": today() - Days::new(30), "period_to": today(), "analysis": "程序违法集中",
        "measures": "专题培训", "recommendations": "向上级反映"});
    s.app
        .post("/api/v1/supervision/trend-analyses", Some(&s.office.token), &analysis)
        .await
        .problem(403);
    let mut ahead = analysis.clone();
    ahead["period_from"] = json!(today() + Days::new(1));
    ahead["period_to"] = json!(today() + Days::new(30));
    let r = s.app.post("/api/v1/supervision/trend-analyses", t, &ahead).await;
    assert_eq!(r.body["errors"][0]["field"], "period_from");
    s.app
        .post("/api/v1/supervision/trend-analyses", t, &analysis)
        .await
        .ok(201);
    let list = s
        .app
        .get("/api/v1/supervision/trend-analyses", Some(&s.office.token))
        .await;
    assert_eq!(list.ok(200)["items"][0]["analysis"], "程序违法集中");
}

#[actix_web::test]
async fn a_correction_marks_the_act_and_evidence_is_kept_with_the_finding() {
    let s = sup().await;
    let act = s.act(false).await;
    let id = s.running().await;
    let fid = s.finding(id, 5, json!({"act_id": act})).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let r = s
        .measure(
            fid,
            json!({"item": 3, "action": "correct", "deadline": today() + Days::new(7)}),
        )
        .await;
    assert_eq!(r.ok(201)["measures"][0]["status"], "open");
    let a = s.app.get(&format!("/api/v1/acts/{act}"), Some(&s.staff.token)).await;
    assert_eq!(a.ok(200)["status"], "active");
    assert_eq!(a.body["supervision"][0]["action"], "correct");
    assert_eq!(a.body["supervision"][0]["item"], 3);

    let boundary = "EVIDENCEBOUNDARY";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"现场照片.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").into_bytes();
    body.extend_from_slice(b"\xFF\xD8\xFF\xE0 jpeg bytes");
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let upload = |token: &str| {
        actix_web::test::TestRequest::post()
            .uri(&format!("/api/v1/findings/{fid}/evidence"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("content-type", format!("multipart/form-data; boundary={boundary}")))
            .set_payload(body.clone())
    };
    s.app.send(upload(&s.staff.token)).await.problem(403);
    let r = s.app.send(upload(&s.office.token)).await;
    let evidence = r.ok(201)["evidence"][0].clone();
    assert_eq!(evidence["content_type"], "image/jpeg");
    let file = s
        .app
        .get(&format!("/api/v1/attachments/{}", evidence["id"]), Some(&s.staff.token))
        .await;
    assert_eq!(file.status, 200, "the targeted department sees the evidence");
    let outsider = s.app.account(Role::Staff).await;
    s.app
        .get(
            &format!("/api/v1/attachments/{}", evidence["id"]),
            Some(&outsider.token),
        )
        .await
        .problem(404);
    s.app
        .get(&format!("/api/v1/public/attachments/{}", evidence["id"]), None)
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_finding_is_referred_to_accountability_once() {
    let s = sup().await;
    let inspection = s.running().await;
    let finding = s
        .finding(
            inspection,
            2,
            json!({"officer_id": s.officer, "description": "非执法人员参与执法"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let refer = format!("/api/v1/findings/{finding}/refer");
    let t = Some(s.office.token.as_str());
    let case = s.app.post(&refer, t, &json!({"fault_types": [1]})).await;
    assert_eq!(case.ok(201)["source"], json!({"kind": "finding", "id": finding}));
    assert_eq!(case.body["respondents"], json!([{"kind": "person", "id": s.officer}]));
    assert_eq!(case.body["facts"], "非执法人员参与执法");

    let cases = s.app.count("acc_cases");
    let again = s.app.post(&refer, t, &json!({"fault_types": [1]})).await;
    assert_eq!(again.problem(409), "already_referred");
    assert_eq!(again.body["basis"], json!(["SUP-7", "ACC-7(2)"]));
    let by_hand = json!({"respondents": [{"kind": "person", "id": s.officer}], "source": {"kind": "finding", "id": finding},
        "fault_types": [1], "facts": "非执法人员参与执法", "fault_on": today()});
    let r = s.app.post("/api/v1/accountability/cases", t, &by_hand).await;
    assert_eq!(r.problem(409), "already_referred");
    assert_eq!(s.app.count("acc_cases"), cases);

    // A finding about an act names the act's officers, and the fault is dated by the act.
    let decided = today() - Days::new(4);
    let act = s.act_decided(false, decided).await;
    let about_act = s
        .finding(inspection, 4, json!({"act_id": act, "description": "程序违法"}))
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let case = s
        .app
        .post(
            &format!("/api/v1/findings/{about_act}/refer"),
            t,
            &json!({"fault_types": [1]}),
        )
        .await;
    assert_eq!(
        case.ok(201)["respondents"],
        json!([{"kind": "person", "id": s.officer}])
    );
    assert_eq!(case.body["fault_on"], json!(decided));
}

#[actix_web::test]
async fn a_finding_lies_within_its_inspection_scope_period_and_after_its_act() {
    let s = sup().await;
    let id = s.running_from(today() - Days::new(3)).await;
    let act = s.act_decided(false, today() - Days::new(1)).await;
    let other = s.app.department("其他处");
    let stranger = s.app.officer_with_certificate("外人", other, 100, 300);
    let before = s.app.count("findings");
    let refused = [
        (json!({"found_on": today() - Days::new(4)}), "found_on"),
        (json!({"act_id": act, "found_on": today() - Days::new(2)}), "found_on"),
        (json!({"department_id": other}), "department_id"),
        (json!({"department_id": other, "officer_id": stranger}), "department_id"),
        (json!({"act_id": act, "officer_id": s.office.person_id}), "officer_id"),
    ];
    for (extra, field) in refused {
        let r = s.finding(id, 1, extra.clone()).await;
        assert_eq!(r.problem(422), "validation_failed", "{extra}");
        assert_eq!(r.body["errors"][0]["field"], field, "{extra}: {}", r.body);
    }
    assert_eq!(s.app.count("findings"), before, "nothing stored");
    s.finding(id, 1, json!({"found_on": today() - Days::new(3)}))
        .await
        .ok(201);
    s.finding(id, 6, json!({"act_id": act, "found_on": today() - Days::new(1)}))
        .await
        .ok(201);
}

#[actix_web::test]
async fn an_order_to_file_a_revoked_act_is_verified_without_filing() {
    let s = sup().await;
    let act = s.act_decided(true, today() - Days::new(5)).await;
    let id = s.running_from(today() - Days::new(5)).await;
    let fid = s
        .finding(id, 8, json!({"act_id": act, "found_on": today()}))
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let r = s
        .measure(fid, json!({"item": 5, "action": "order_filing", "deadline": today()}))
        .await;
    let path = format!("/api/v1/measures/{}", r.ok(201)["measures"][0]["id"]);
    s.app
        .post(
            &format!("{path}/rectification"),
            Some(&s.staff.token),
            &json!({"report": "已撤销该行为"}),
        )
        .await
        .ok(201);
    let accept = json!({"accepted": true});
    let r = s
        .app
        .post(&format!("{path}/verify"), Some(&s.office.token), &accept)
        .await;
    assert_eq!(r.problem(409), "act_not_filed");
    s.app
        .post(
            &format!("/api/v1/acts/{act}/revoke"),
            Some(&s.office.token),
            &json!({"reason": "主体不合法"}),
        )
        .await
        .ok(200);
    let r = s
        .app
        .post(&format!("{path}/verify"), Some(&s.office.token), &accept)
        .await;
    assert_eq!(r.ok(200)["status"], "verified", "nothing is left to file");
}

#[actix_web::test]
async fn a_regular_inspection_lies_within_one_year() {
    let s = sup().await;
    let leader = Some(s.leader.token.as_str());
    let end = year_end(today());
    let body = json!({"kind": "regular", "title": "跨年检查", "period_from": end, "period_to": end + Days::new(1),
        "inspectors": [s.office.person_id]});
    let before = s.app.count("inspections");
    let r = s.app.post("/api/v1/inspections", leader, &body).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "period_to");
    assert_eq!(s.app.count("inspections"), before);
    // An ad-hoc inspection may run over the new year.
    let mut ad_hoc = body.clone();
    ad_hoc["kind"] = json!("ad_hoc");
    s.app
        .post("/api/v1/inspections", Some(&s.office.token), &ad_hoc)
        .await
        .ok(201);
}

#[actix_web::test]
async fn an_officer_scope_covers_the_acts_of_that_officer() {
    let s = sup().await;
    let t = Some(s.office.token.as_str());
    let body = json!({"kind": "ad_hoc", "title": "对王某的检查", "period_from": today(), "period_to": today() + Days::new(5),
        "scope": [{"kind": "officer", "id": s.officer}], "inspectors": [s.office.person_id]});
    let id = s.app.post("/api/v1/inspections", t, &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    s.app
        .post(&format!("/api/v1/inspections/{id}/start"), t, &json!({}))
        .await
        .ok(200);
    let theirs = s.act(false).await;
    s.finding(id, 4, json!({"act_id": theirs})).await.ok(201);
    // The department's other officers are not covered.
    let colleague = s.app.officer_with_certificate("同事", s.staff.department_id, 100, 300);
    let r = s.finding(id, 2, json!({"officer_id": colleague})).await;
    assert_eq!(r.problem(422), "validation_failed");
}

#[actix_web::test]
async fn the_only_inspector_does_not_report_the_rectification_they_verify() {
    let s = sup().await;
    let id = s.running().await;
    let fid = s.finding(id, 9, json!({})).await.ok(201)["id"].as_i64().unwrap();
    let r = s
        .measure(
            fid,
            json!({"item": 6, "action": "order_performance", "deadline": today() + Days::new(10)}),
        )
        .await;
    let mid = r.ok(201)["measures"][0]["id"].as_i64().unwrap();
    let twice = s
        .measure(
            fid,
            json!({"item": 6, "action": "order_performance", "deadline": today() + Days::new(20)}),
        )
        .await;
    assert_eq!(twice.problem(409), "measure_pending", "one order at a time");
    let report = format!("/api/v1/measures/{mid}/rectification");
    let body = json!({"report": "已整改"});
    let r = s.app.post(&report, Some(&s.office.token), &body).await;
    assert_eq!(r.problem(409), "sole_inspector_reports", "{}", r.text);
    // The department reports it; the inspector verifies.
    s.app.post(&report, Some(&s.staff.token), &body).await.ok(201);
    let verify = format!("/api/v1/measures/{mid}/verify");
    let r = s
        .app
        .post(&verify, Some(&s.office.token), &json!({"accepted": true}))
        .await;
    assert_eq!(r.ok(200)["status"], "verified");
}

#[actix_web::test]
async fn staff_read_only_their_own_department_in_a_shared_document() {
    let s = sup().await;
    let id = s.running_with(json!([]), &[s.office.person_id]).await;
    let other = s.app.department("其他处");
    s.finding(id, 9, json!({"description": "本处问题"})).await.ok(201);
    s.finding(id, 9, json!({"department_id": other, "description": "他处问题"}))
        .await
        .ok(201);
    s.conclude(id).await;
    let t = Some(s.office.token.as_str());
    let path = format!("/api/v1/supervision-documents?inspection_id={id}");
    let doc = s.app.get(&path, t).await.ok(200)["items"][0].clone();
    assert_eq!(doc["content"]["findings"].as_array().unwrap().len(), 2);
    let one = format!("/api/v1/supervision-documents/{}", doc["id"]);
    let seen = s.app.get(&one, Some(&s.staff.token)).await;
    let findings = seen.ok(200)["content"]["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["description"], "本处问题");
    let html = s.app.get(&format!("{one}/html"), Some(&s.staff.token)).await;
    assert!(html.text.contains("本处问题") && !html.text.contains("他处问题"));
    let (from, to) = (today(), today() - Days::new(1));
    let reversed = format!("/api/v1/findings?found_from={from}&found_to={to}");
    s.app.get(&reversed, t).await.problem(400);
    s.app.get("/api/v1/findings?checklist_item=10", t).await.problem(400);
}
