//! The enforcement-act register: recording, the certificate rule (SUP-6(2)), publication
//! deadlines (PUB-6), filing, reviews, revocation and visibility.

mod common;

use chrono::{Datelike, Days};
use common::{Session, TestApp};
use safeguards::auth::Role;
use safeguards::db::today;
use serde_json::{json, Value};

fn penalty(department: i64, officers: &[i64], decided: chrono::NaiveDate) -> Value {
    json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": department, "officers": officers,
           "counterpart": {"name": "某化工有限公司", "type": "legal_person"}, "legal_basis": "《安全生产法》",
           "decision_text": "罚款三万元", "decision_date": decided})
}

/// Drafts the decision of `act` as a disclosure (staff `s`) and publishes it (office `o`);
/// returns the disclosure.
async fn publish_decision(app: &TestApp, s: Option<&str>, o: Option<&str>, act: i64, department: i64) -> i64 {
    let item = json!({"category": "penalty", "content_type": "decision", "act_id": act,
        "department_id": department, "title": "行政处罚决定书"});
    let item = app.post("/api/v1/disclosures", s, &item).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    app.post(&format!("/api/v1/disclosures/{item}/publish"), o, &json!({}))
        .await
        .ok(200);
    item
}

/// The id of the first certificate of `holder`.
async fn first_certificate(app: &TestApp, token: &str, holder: i64) -> i64 {
    let path = format!("/api/v1/certificates?holder_id={holder}");
    app.get(&path, Some(token)).await.ok(200)["items"][0]["id"]
        .as_i64()
        .unwrap()
}

async fn setup() -> (TestApp, Session, i64) {
    let app = TestApp::new().await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("王伟", staff.department_id, 365, 365);
    (app, staff, officer)
}

#[actix_web::test]
async fn staff_record_an_act_of_their_department_with_its_publication_deadline() {
    let (app, staff, officer) = setup().await;
    let decided = today() - Days::new(1);
    let r = app
        .post(
            "/api/v1/acts",
            Some(&staff.token),
            &penalty(staff.department_id, &[officer], decided),
        )
        .await;
    let act = r.ok(201).clone();
    assert_eq!(act["officers"][0]["name"], "王伟");
    assert_eq!(act["status"], "active");
    assert_eq!(act["disclosure"]["basis"], json!(["PUB-6"]));
    assert_eq!(act["disclosure"]["rule_version"], 1);
    assert_eq!(act["disclosure"]["status"], "pending");
    // The due day is the seventh working day after the decision on the stored calendar.
    let due = app
        .get(
            &format!("/api/v1/calendar/due-date?from={decided}&working_days=7"),
            Some(&staff.token),
        )
        .await;
    assert_eq!(act["disclosure"]["due_on"], due.body["due_on"]);

    let other = app.department("other division");
    let r = app
        .post("/api/v1/acts", Some(&staff.token), &penalty(other, &[officer], decided))
        .await;
    r.problem(403);
}

#[actix_web::test]
async fn the_answer_to_recording_is_the_act_as_read_back() {
    // The create answer is built from what was written, not read again: it must be exactly
    // what a read gives, officers in person order whatever order they were named in.
    let (app, staff, first) = setup().await;
    let second = app.officer_with_certificate("李娜", staff.department_id, 365, 365);
    let (low, high) = (first.min(second), first.max(second));
    let body = penalty(staff.department_id, &[high, low], today());
    let created = app.post("/api/v1/acts", Some(&staff.token), &body).await;
    let act = created.ok(201).clone();
    let id = act["id"].as_i64().unwrap();
    let read = app.get(&format!("/api/v1/acts/{id}"), Some(&staff.token)).await;
    assert_eq!(read.ok(200), &act);
    assert_eq!(created.header("etag"), read.header("etag"));
    assert_eq!(act["officers"][0]["person_id"], low);
    assert_eq!(act["officers"][1]["person_id"], high);
    assert_eq!(act["reviews"], json!([]));
    assert_eq!(act["supervision"], json!([]));
    assert_eq!(act["accountability_cases"], json!([]));
}

#[actix_web::test]
async fn an_officer_without_a_valid_certificate_is_refused_and_nothing_is_stored() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let d = staff.department_id;
    let expired = app.officer_with_certificate("过期", d, 400, -10);
    let none = app.person("无证", safeguards::org::rules::Position::Officer, d);
    let suspended = app.officer_with_certificate("暂扣", d, 100, 100);
    let cert_id = first_certificate(&app, &office.token, suspended).await;
    let s = json!({"status": "suspended", "reason": "暂扣", "cause": {"kind": "manual"}});
    app.post(
        &format!("/api/v1/certificates/{cert_id}/status"),
        Some(&office.token),
        &s,
    )
    .await
    .ok(200);
    let before = (app.count("acts"), app.count("act_officers"), app.count("audit_log"));
    let yesterday = today() - Days::new(1);
    let cases = [
        (vec![officer, expired], yesterday),
        (vec![officer, none], yesterday),
        (vec![officer, suspended], today()),
        (vec![officer], today() - Days::new(366)),
    ];
    for (officers, date) in cases {
        let r = app
            .post("/api/v1/acts", Some(&staff.token), &penalty(d, &officers, date))
            .await;
        assert_eq!(r.problem(422), "officer_without_valid_certificate", "{}", r.text);
        assert_eq!(r.body["basis"], json!(["SUP-6(2)"]));
    }
    // The expired certificate was valid on a day before it expired.
    app.post(
        "/api/v1/acts",
        Some(&staff.token),
        &penalty(d, &[expired], today() - Days::new(20)),
    )
    .await
    .ok(201);
    assert_eq!(app.count("acts"), before.0 + 1);
    assert_eq!(app.count("act_officers"), before.1 + 1);
    assert_eq!(
        app.count("audit_log"),
        before.2 + 1,
        "only the accepted act was audited"
    );
    // Suspended today, the certificate was valid yesterday: an act of yesterday stands.
    app.post("/api/v1/acts", Some(&staff.token), &penalty(d, &[suspended], yesterday))
        .await
        .ok(201);
}

#[actix_web::test]
async fn a_suspension_of_one_card_keeps_its_holder_off_acts_whatever_other_card_they_hold() {
    let (app, staff, _) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let d = staff.department_id;
    let holder = app.officer_with_certificate("两证", d, 100, 100);
    let first = first_certificate(&app, &office.token, holder).await;
    let second = json!({"number": "LN-SECOND-1", "holder_id": holder, "issued_on": today() - Days::new(10),
        "expires_on": today() + Days::new(700)});
    app.post("/api/v1/certificates", Some(&office.token), &second)
        .await
        .ok(201);
    let s = json!({"status": "suspended", "reason": "暂扣", "cause": {"kind": "manual"}});
    app.post(&format!("/api/v1/certificates/{first}/status"), Some(&office.token), &s)
        .await
        .ok(200);
    let before = app.count("acts");
    let r = app
        .post("/api/v1/acts", Some(&staff.token), &penalty(d, &[holder], today()))
        .await;
    assert_eq!(r.problem(422), "officer_without_valid_certificate", "{}", r.text);
    assert_eq!(app.count("acts"), before);
    // Before the suspension's day either card served.
    app.post(
        "/api/v1/acts",
        Some(&staff.token),
        &penalty(d, &[holder], today() - Days::new(1)),
    )
    .await
    .ok(201);
}

#[actix_web::test]
async fn a_certificate_counts_with_the_status_it_had_on_the_act_day() {
    let (app, staff, _) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let d = staff.department_id;
    let holder = app.officer_with_certificate("停证", d, 100, 100);
    let cert = first_certificate(&app, &office.token, holder).await;
    let status = format!("/api/v1/certificates/{cert}/status");
    for to in ["suspended", "valid"] {
        let body = json!({"status": to, "reason": "SUP-7(2)", "cause": {"kind": "manual"}});
        app.post(&status, Some(&office.token), &body).await.ok(200);
    }
    // Suspended on the 10th day back (08:00 in China), valid again from the 5th.
    let at = |days: u64| format!("{} 00:00:00", today() - Days::new(days));
    app.sql(&format!(
        "UPDATE certificate_status_changes SET changed_at = '{}' WHERE certificate_id = {cert} AND to_status = 'suspended'",
        at(10)
    ));
    app.sql(&format!(
        "UPDATE certificate_status_changes SET changed_at = '{}' WHERE certificate_id = {cert} AND to_status = 'valid' AND from_status = 'suspended'",
        at(5)
    ));
    for (days_back, stands) in [(11, true), (10, false), (7, false), (6, false), (5, true), (0, true)] {
        let r = app
            .post(
                "/api/v1/acts",
                Some(&staff.token),
                &penalty(d, &[holder], today() - Days::new(days_back)),
            )
            .await;
        match stands {
            true => assert_eq!(r.status.as_u16(), 201, "{days_back} days back: {}", r.text),
            false => assert_eq!(
                r.problem(422),
                "officer_without_valid_certificate",
                "{days_back} days back"
            ),
        };
    }
}

#[actix_web::test]
async fn bad_acts_are_refused_clearly() {
    let (app, staff, officer) = setup().await;
    let d = staff.department_id;
    let t = Some(staff.token.as_str());
    let before = app.count("acts");
    let future = penalty(d, &[officer], today() + Days::new(1));
    assert_eq!(
        app.post("/api/v1/acts", t, &future).await.body["errors"][0]["field"],
        "decision_date"
    );
    let mut no_procedure = penalty(d, &[officer], today());
    no_procedure.as_object_mut().unwrap().remove("penalty_procedure");
    assert_eq!(
        app.post("/api/v1/acts", t, &no_procedure).await.body["errors"][0]["field"],
        "penalty_procedure"
    );
    let mut licensing_with_procedure = penalty(d, &[officer], today());
    licensing_with_procedure["kind"] = json!("licensing");
    app.post("/api/v1/acts", t, &licensing_with_procedure)
        .await
        .problem(422);
    app.post("/api/v1/acts", t, &penalty(d, &[], today()))
        .await
        .problem(422);
    app.post("/api/v1/acts", t, &penalty(d, &[officer, officer], today()))
        .await
        .problem(422);
    let mut bad_kind = penalty(d, &[officer], today());
    bad_kind["kind"] = json!("tax");
    app.post("/api/v1/acts", t, &bad_kind).await.problem(400);
    assert_eq!(app.count("acts"), before);
}

#[actix_web::test]
async fn an_unpublished_decision_past_its_due_day_is_overdue() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let old = app
        .post(
            "/api/v1/acts",
            Some(&staff.token),
            &penalty(staff.department_id, &[officer], today() - Days::new(40)),
        )
        .await;
    let old_id = old.ok(201)["id"].as_i64().unwrap();
    assert_eq!(old.body["disclosure"]["status"], "overdue");
    let fresh = app
        .post(
            "/api/v1/acts",
            Some(&staff.token),
            &penalty(staff.department_id, &[officer], today()),
        )
        .await;
    assert_eq!(fresh.ok(201)["disclosure"]["status"], "pending");
    let list = app.get("/api/v1/publicity/overdue", Some(&office.token)).await;
    let ids: Vec<i64> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [old_id]);
}

#[actix_web::test]
async fn major_acts_are_filed_once_and_reviews_are_recorded() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let mut body = penalty(staff.department_id, &[officer], today() - Days::new(3));
    let minor = app.post("/api/v1/acts", Some(&staff.token), &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    body["major"] = json!(true);
    let major = app.post("/api/v1/acts", Some(&staff.token), &body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let filed = json!({"filed_on": today()});
    let r = app
        .post(&format!("/api/v1/acts/{minor}/filing"), Some(&staff.token), &filed)
        .await;
    assert_eq!(r.problem(422), "not_a_major_act");
    assert_eq!(r.body["basis"], json!(["SUP-6(8)"]));
    let early = json!({"filed_on": today() - Days::new(10)});
    app.post(&format!("/api/v1/acts/{major}/filing"), Some(&staff.token), &early)
        .await
        .problem(422);
    let r = app
        .post(&format!("/api/v1/acts/{major}/filing"), Some(&staff.token), &filed)
        .await;
    assert_eq!(r.ok(200)["filing"]["filed_on"], json!(today()));
    app.post(&format!("/api/v1/acts/{major}/filing"), Some(&staff.token), &filed)
        .await
        .problem(409);

    let review = json!({"kind": "litigation", "outcome": "upheld", "decided_on": today(), "note": "一审维持"});
    app.post(&format!("/api/v1/acts/{major}/reviews"), Some(&staff.token), &review)
        .await
        .problem(403);
    let r = app
        .post(&format!("/api/v1/acts/{major}/reviews"), Some(&office.token), &review)
        .await;
    assert_eq!(r.ok(201)["reviews"][0]["outcome"], "upheld");
}

async fn act_etag(app: &TestApp, id: i64) -> String {
    let office = app.account(Role::SupervisoryOffice).await;
    app.get(&format!("/api/v1/acts/{id}"), Some(&office.token))
        .await
        .header("etag")
        .unwrap()
}

#[actix_web::test]
async fn a_correction_keeps_reviews_after_the_decision_and_the_filing_duty_it_had() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let (s, o) = (Some(staff.token.as_str()), Some(office.token.as_str()));
    let mut body = penalty(staff.department_id, &[officer], today() - Days::new(5));
    body["major"] = json!(true);
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.post("/api/v1/acts", s, &body).await.ok(201)["id"].as_i64().unwrap());
    }
    let (reviewed, filed, unfiled) = (ids[0], ids[1], ids[2]);

    let review = json!({"kind": "reconsideration", "outcome": "upheld", "decided_on": today() - Days::new(2)});
    app.post(&format!("/api/v1/acts/{reviewed}/reviews"), o, &review)
        .await
        .ok(201);
    let path = format!("/api/v1/acts/{reviewed}");
    let later = json!({"decision_date": today() - Days::new(1)});
    let r = app.patch(&path, o, Some(&act_etag(&app, reviewed).await), &later).await;
    assert_eq!(r.problem(422), "validation_failed", "{}", r.text);
    assert!(r.text.contains("EVAL-4(6)"), "{}", r.text);

    let r = app
        .post(
            &format!("/api/v1/acts/{filed}/filing"),
            s,
            &json!({"filed_on": today()}),
        )
        .await;
    r.ok(200);
    assert_eq!(
        r.header("etag"),
        Some(act_etag(&app, filed).await),
        "the new state's ETag"
    );
    let not_major = json!({"major": false});
    let path = format!("/api/v1/acts/{filed}");
    let r = app
        .patch(&path, o, Some(&act_etag(&app, filed).await), &not_major)
        .await;
    assert_eq!(r.problem(409), "act_filed");

    let path = format!("/api/v1/acts/{unfiled}");
    let r = app
        .patch(&path, s, Some(&act_etag(&app, unfiled).await), &not_major)
        .await;
    r.problem(403);
    let r = app
        .patch(&path, o, Some(&act_etag(&app, unfiled).await), &not_major)
        .await;
    assert_eq!(r.ok(200)["filing"]["required"], false);
    let dates: Vec<Value> = [reviewed, filed]
        .iter()
        .map(|id| json!(app.number(&format!("SELECT COUNT(*) AS n FROM acts WHERE id = {id} AND major"))))
        .collect();
    assert_eq!(dates, [json!(1), json!(1)], "the refused corrections changed nothing");
}

#[actix_web::test]
async fn an_act_of_an_officer_who_has_left_can_still_be_corrected() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let (s, o) = (Some(staff.token.as_str()), Some(office.token.as_str()));
    let act = app
        .post(
            "/api/v1/acts",
            s,
            &penalty(staff.department_id, &[officer], today() - Days::new(5)),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let person = format!("/api/v1/people/{officer}");
    let etag = app.get(&person, o).await.header("etag").unwrap();
    app.patch(&person, o, Some(&etag), &json!({"active": false}))
        .await
        .ok(200);
    let path = format!("/api/v1/acts/{act}");
    let etag = app.get(&path, o).await.header("etag").unwrap();
    let r = app
        .patch(
            &path,
            s,
            Some(&etag),
            &json!({"legal_basis": "《安全生产法》第九十九条"}),
        )
        .await;
    assert_eq!(r.ok(200)["legal_basis"], "《安全生产法》第九十九条");
    // A new act does not name someone who has left.
    let r = app
        .post("/api/v1/acts", s, &penalty(staff.department_id, &[officer], today()))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
}

#[actix_web::test]
async fn a_revoked_act_is_final() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let id = app
        .post(
            "/api/v1/acts",
            Some(&staff.token),
            &penalty(staff.department_id, &[officer], today()),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/acts/{id}");
    app.post(&format!("{path}/revoke"), Some(&staff.token), &json!({"reason": "x"}))
        .await
        .problem(403);
    let r = app
        .post(
            &format!("{path}/revoke"),
            Some(&office.token),
            &json!({"reason": "事实不清"}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "revoked");
    assert_eq!(
        r.body["disclosure"]["status"], "lapsed",
        "a revoked decision unpublished has nothing left to publish (neither pending nor overdue)"
    );
    assert_eq!(
        app.post(
            &format!("{path}/revoke"),
            Some(&office.token),
            &json!({"reason": "again"})
        )
        .await
        .problem(409),
        "act_revoked"
    );
    let etag = app.get(&path, Some(&office.token)).await.header("etag").unwrap();
    app.patch(&path, Some(&office.token), Some(&etag), &json!({"decision_text": "x"}))
        .await
        .problem(409);
}

#[actix_web::test]
async fn an_act_is_corrected_with_if_match_and_rechecked() {
    let (app, staff, officer) = setup().await;
    let d = staff.department_id;
    let id = app
        .post("/api/v1/acts", Some(&staff.token), &penalty(d, &[officer], today()))
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/acts/{id}");
    let t = Some(staff.token.as_str());
    let etag = app.get(&path, t).await.header("etag").unwrap();
    app.patch(&path, t, None, &json!({"decision_text": "改"}))
        .await
        .problem(428);
    let uncertified = app.person("无证人员", safeguards::org::rules::Position::Officer, d);
    let r = app
        .patch(&path, t, Some(&etag), &json!({"officers": [uncertified]}))
        .await;
    assert_eq!(r.problem(422), "officer_without_valid_certificate");
    let r = app
        .patch(&path, t, Some(&etag), &json!({"decision_text": "罚款二万元"}))
        .await;
    assert_eq!(r.ok(200)["decision_text"], "罚款二万元");
    app.patch(&path, t, Some(&etag), &json!({"decision_text": "stale"}))
        .await
        .problem(412);
}

#[actix_web::test]
async fn staff_see_only_their_department_acts() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let other_officer = app.officer_with_certificate("李", office.department_id, 10, 10);
    let mine = app
        .post(
            "/api/v1/acts",
            Some(&staff.token),
            &penalty(staff.department_id, &[officer], today()),
        )
        .await
        .ok(201)["id"]
        .clone();
    let theirs = app
        .post(
            "/api/v1/acts",
            Some(&office.token),
            &penalty(office.department_id, &[other_officer], today()),
        )
        .await;
    let theirs = theirs.ok(201)["id"].clone();
    let list = app.get("/api/v1/acts", Some(&staff.token)).await;
    let ids: Vec<Value> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(ids, [mine]);
    app.get(&format!("/api/v1/acts/{theirs}"), Some(&staff.token))
        .await
        .problem(404);
    assert_eq!(
        app.get("/api/v1/acts", Some(&office.token)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// A list page reads its acts' officers with the page's own filters; every listed act must carry
/// exactly the officers its own record shows, whatever the filter, page size or caller.
#[actix_web::test]
async fn listed_acts_carry_their_own_officers_on_every_page_and_filter() {
    let (app, staff, wang) = setup().await;
    let li = app.officer_with_certificate("李娜", staff.department_id, 365, 365);
    let other = app.department("other division");
    let zhao = app.officer_with_certificate("赵敏", other, 365, 365);
    let office = app.account(Role::SupervisoryOffice).await;
    let decided = today() - Days::new(1);
    let teams: [(i64, &[i64]); 6] = [
        (staff.department_id, &[wang]),
        (other, &[zhao]),
        (staff.department_id, &[wang, li]),
        (staff.department_id, &[li]),
        (other, &[zhao]),
        (staff.department_id, &[li, wang]),
    ];
    for (department, officers) in teams {
        app.post(
            "/api/v1/acts",
            Some(&office.token),
            &penalty(department, officers, decided),
        )
        .await
        .ok(201);
    }
    let lists = [
        (&office, String::new(), 6),
        (&office, format!("officer_id={li}"), 3),
        (&office, format!("officer_id={zhao}&department_id={other}"), 2),
        (&office, format!("department_id={other}"), 2),
        (&staff, String::new(), 4),
        (&staff, format!("officer_id={wang}"), 3),
    ];
    for (who, filter, expected) in lists {
        let listed = app
            .every_item(&format!("/api/v1/acts?limit=2&{filter}"), Some(&who.token))
            .await;
        for act in &listed {
            let own = app.get(&format!("/api/v1/acts/{}", act["id"]), Some(&who.token)).await;
            assert_eq!(act["officers"], own.ok(200)["officers"], "{filter}: act {}", act["id"]);
            assert!(!act["officers"].as_array().unwrap().is_empty());
        }
        let seen = listed.len();
        assert_eq!(seen, expected, "{filter}");
    }
}

#[actix_web::test]
async fn a_deadline_counted_without_a_holiday_schedule_says_so() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let day = today() - Days::new(30);
    let year = day.year();
    app.sql(&format!("DELETE FROM calendar_days WHERE year = {year}"));
    app.sql(&format!("DELETE FROM calendar_years WHERE year = {year}"));
    let act = app
        .post(
            "/api/v1/acts",
            Some(&staff.token),
            &penalty(staff.department_id, &[officer], day),
        )
        .await;
    let warnings = act.ok(201)["disclosure"]["warnings"].clone();
    let says = |w: &Value, y: i32| {
        w.as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains(&format!("for {y}")))
    };
    assert!(says(&warnings, year), "{warnings}");
    let path = format!("/api/v1/acts/{}", act.body["id"]);
    assert_eq!(
        app.get(&path, Some(&office.token)).await.ok(200)["disclosure"]["warnings"],
        warnings
    );
    // Loading the years counted over (here with no holidays at all) silences it.
    let due_year = act.body["disclosure"]["due_on"].as_str().unwrap()[..4]
        .parse::<i32>()
        .unwrap();
    for y in year..=due_year {
        if says(&warnings, y) {
            let put = actix_web::test::TestRequest::put()
                .uri(&format!("/api/v1/calendar/{y}"))
                .insert_header(("authorization", format!("Bearer {}", office.token)))
                .set_json(json!({"holidays": [], "make_up_workdays": []}));
            app.send(put).await.ok(200);
        }
    }
    assert_eq!(
        app.get(&path, Some(&office.token)).await.ok(200)["disclosure"]["warnings"],
        json!([])
    );
}

#[actix_web::test]
async fn correcting_a_published_decision_marks_it_out_of_date_until_a_new_version_is_published() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let (s, o) = (Some(staff.token.as_str()), Some(office.token.as_str()));
    let record = penalty(staff.department_id, &[officer], today() - Days::new(1));
    let act = app.post("/api/v1/acts", s, &record).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let unpublished = app.post("/api/v1/acts", s, &record).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let item = publish_decision(&app, s, o, act, staff.department_id).await;
    let publish = format!("/api/v1/disclosures/{item}/publish");

    let correct = |id: i64, change: Value| {
        let app = &app;
        async move {
            let path = format!("/api/v1/acts/{id}");
            let etag = app.get(&path, o).await.header("etag").unwrap();
            app.patch(&path, o, Some(&etag), &change).await.ok(200).clone()
        }
    };
    // Filing concerns the bureau, not the public: nothing to update.
    let filed = correct(act, json!({"major": true})).await;
    assert_eq!(filed["disclosure"]["outdated_since"], Value::Null);
    let fixed = correct(act, json!({"decision_text": "罚款二万元"})).await;
    assert_eq!(fixed["disclosure"]["outdated_since"], json!(today()));
    assert_eq!(fixed["disclosure"]["basis"], json!(["PUB-6", "PUB-5"]));
    assert_eq!(fixed["disclosure"]["status"], "published", "PUB-6 stays met");
    let never = correct(unpublished, json!({"decision_text": "罚款二万元"})).await;
    assert_eq!(
        never["disclosure"]["outdated_since"],
        Value::Null,
        "nothing public to update"
    );
    let listed = app.get("/api/v1/acts?disclosure_outdated=true", o).await;
    let ids: Vec<i64> = listed.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [act]);

    // A new version of the decision, published, brings the public text up to date.
    let path = format!("/api/v1/disclosures/{item}");
    let etag = app.get(&path, s).await.header("etag").unwrap();
    app.patch(&path, s, Some(&etag), &json!({"title": "行政处罚决定书（更正）"}))
        .await
        .ok(200);
    app.post(&publish, o, &json!({})).await.ok(200);
    let now = app.get(&format!("/api/v1/acts/{act}"), o).await;
    assert_eq!(now.ok(200)["disclosure"]["outdated_since"], Value::Null);
    assert_eq!(now.body["disclosure"]["basis"], json!(["PUB-6"]));
    assert_eq!(
        now.body["disclosure"]["published_on"],
        json!(today()),
        "the first publication stays"
    );
    assert_eq!(now.body["disclosure"]["published_late"], json!(false));
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM acts WHERE disclosure_outdated_since IS NOT NULL"),
        0
    );

    // Revoking takes the publication down: nothing public is left out of date.
    let stale = correct(act, json!({"decision_text": "罚款三万元"})).await;
    assert_eq!(stale["disclosure"]["outdated_since"], json!(today()));
    let revoked = app
        .post(&format!("/api/v1/acts/{act}/revoke"), o, &json!({"reason": "撤销"}))
        .await;
    assert_eq!(revoked.ok(200)["disclosure"]["outdated_since"], Value::Null);
    let listed = app.get("/api/v1/acts?disclosure_outdated=true", o).await;
    assert_eq!(listed.ok(200)["items"], json!([]));
}

#[actix_web::test]
async fn a_review_that_revokes_or_modifies_the_decision_takes_effect_on_the_act() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let (s, o) = (Some(staff.token.as_str()), Some(office.token.as_str()));
    let record = penalty(staff.department_id, &[officer], today() - Days::new(1));
    let (mut published, mut items) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        let act = app.post("/api/v1/acts", s, &record).await.ok(201)["id"]
            .as_i64()
            .unwrap();
        let item = publish_decision(&app, s, o, act, staff.department_id).await;
        published.push(act);
        items.push(item);
    }
    let review = |act: i64, outcome: &str, note: &str| {
        let body = json!({"kind": "reconsideration", "outcome": outcome, "decided_on": today(), "note": note});
        let app = &app;
        async move { app.post(&format!("/api/v1/acts/{act}/reviews"), o, &body).await }
    };

    // Free text may span lines, but a NUL (which PostgreSQL cannot store) or another control
    // character is refused, naming the field, and nothing is recorded.
    let r = review(published[0], "revoked", "复议\u{0}撤销").await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "note");
    assert_eq!(
        review(published[0], "revoked", "\u{7}").await.problem(422),
        "validation_failed"
    );
    assert_eq!(app.count("act_reviews"), 0);

    let revoked = review(published[0], "revoked", "复议机关决定：\n撤销原处罚决定。").await;
    assert_eq!(revoked.ok(201)["status"], "revoked");
    assert_eq!(revoked.body["reviews"][0]["note"], "复议机关决定：\n撤销原处罚决定。");
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM disclosures WHERE taken_down_at IS NOT NULL"),
        1,
        "the revoked decision is taken down"
    );
    // No new version of a revoked act's decision goes out either.
    let path = format!("/api/v1/disclosures/{}", items[0]);
    let etag = app.get(&path, s).await.header("etag").unwrap();
    app.patch(&path, s, Some(&etag), &json!({"title": "行政处罚决定书（更正）"}))
        .await
        .ok(200);
    let r = app.post(&format!("{path}/publish"), o, &json!({})).await;
    assert_eq!(r.problem(409), "act_revoked");

    let modified = review(published[1], "modified", "罚款变更为二万元").await;
    assert_eq!(modified.ok(201)["status"], "active");
    assert_eq!(modified.body["disclosure"]["outdated_since"], json!(today()));
    assert_eq!(modified.body["disclosure"]["basis"], json!(["PUB-6", "PUB-5"]));
}

#[actix_web::test]
async fn a_decision_spans_lines_and_is_never_filed_before_it_is_taken() {
    let (app, staff, officer) = setup().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let (s, o) = (Some(staff.token.as_str()), Some(office.token.as_str()));
    let mut body = penalty(staff.department_id, &[officer], today() - Days::new(5));
    body["decision_text"] = json!("一、罚款三万元；\n二、责令改正。");
    body["major"] = json!(true);
    let act = app.post("/api/v1/acts", s, &body).await;
    assert_eq!(act.ok(201)["decision_text"], "一、罚款三万元；\n二、责令改正。");
    let id = act.body["id"].as_i64().unwrap();
    let mut named = body.clone();
    named["counterpart"]["name"] = json!("某化工\n有限公司");
    let r = app.post("/api/v1/acts", s, &named).await;
    assert_eq!(
        r.body["errors"][0]["field"], "counterpart.name",
        "a name stays on one line"
    );

    app.post(
        &format!("/api/v1/acts/{id}/filing"),
        s,
        &json!({"filed_on": today() - Days::new(5)}),
    )
    .await
    .ok(200);
    let path = format!("/api/v1/acts/{id}");
    let etag = app.get(&path, o).await.header("etag").unwrap();
    let r = app
        .patch(&path, o, Some(&etag), &json!({"decision_date": today() - Days::new(3)}))
        .await;
    assert_eq!(r.body["errors"][0]["field"], "decision_date");
    let reversed = format!(
        "/api/v1/acts?decided_from={}&decided_to={}",
        today(),
        today() - Days::new(1)
    );
    assert_eq!(app.get(&reversed, o).await.problem(400), "bad_request");
    assert_eq!(
        app.get(&path, o).await.body["decision_date"],
        json!(today() - Days::new(5))
    );
}
