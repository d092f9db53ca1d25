//! EVAL through the API: deductions with evidence, section rates and floors, grade boundaries,
//! penalty procedures, rule-set versions, the annual procedure, awards, candidates, the
//! qualitative record and meetings.

mod common;

use chrono::{Datelike, Days, NaiveDate};
use common::{Resp, Session, TestApp};
use safeguards::auth::Role;
use safeguards::db::today;
use serde_json::{json, Value};

struct Ev {
    app: TestApp,
    leader: Session,
    office: Session,
    staff: Session,
    officer: i64,
    year: i32,
}

async fn ev() -> Ev {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("赵敏", staff.department_id, 400, 400);
    Ev {
        app,
        leader,
        office,
        staff,
        officer,
        year: today().year(),
    }
}

impl Ev {
    /// An act of the staff's department: `procedure` only for penalties.
    async fn act(&self, kind: &str, procedure: Option<&str>) -> i64 {
        let body = json!({"kind": kind, "penalty_procedure": procedure, "department_id": self.staff.department_id,
            "officers": [self.officer], "counterpart": {"name": "某公司", "type": "legal_person"}, "legal_basis": "依据",
            "decision_text": "决定", "decision_date": today() - Days::new(30)});
        let r = self.app.post("/api/v1/acts", Some(&self.staff.token), &body).await;
        r.ok(201)["id"].as_i64().unwrap()
    }

    /// A finding about no act of the register, 30 days ago: what a problem of a normative
    /// document (EVAL-5(1)) rests on.
    async fn finding_about_no_act(&self) -> i64 {
        let from = today() - Days::new(30);
        let body = json!({"kind": "ad_hoc", "title": "规范性文件检查", "period_from": from, "period_to": today(),
            "scope": [{"kind": "department", "id": self.staff.department_id}], "inspectors": [self.office.person_id]});
        let r = self
            .app
            .post("/api/v1/inspections", Some(&self.office.token), &body)
            .await;
        let insp = r.ok(201)["id"].as_i64().unwrap();
        self.app
            .post(
                &format!("/api/v1/inspections/{insp}/start"),
                Some(&self.office.token),
                &json!({}),
            )
            .await
            .ok(200);
        let finding = json!({"checklist_item": 5, "description": "规范性文件与上位法相抵触",
            "department_id": self.staff.department_id, "found_on": from});
        let r = self
            .app
            .post(
                &format!("/api/v1/inspections/{insp}/findings"),
                Some(&self.office.token),
                &finding,
            )
            .await;
        r.ok(201)["id"].as_i64().unwrap()
    }

    /// A petition assigned to the staff's department.
    async fn petition(&self) -> i64 {
        let body =
            json!({"channel": "hotline", "subject": "投诉", "content": "内容", "received_on": today() - Days::new(30)});
        let r = self
            .app
            .post("/api/v1/petitions", Some(&self.office.token), &body)
            .await;
        let id = r.ok(201)["id"].as_i64().unwrap();
        self.app
            .post(
                &format!("/api/v1/petitions/{id}/assign"),
                Some(&self.office.token),
                &json!({"department_id": self.staff.department_id}),
            )
            .await
            .ok(200);
        id
    }

    /// An assigned petition that shows every EVAL-5(4) problem: answered ten days after its
    /// deadline, marked mishandled and escalated.
    async fn troubled_petition(&self) -> i64 {
        let id = self.petition().await;
        let marks = json!({"mishandled": true, "escalated": true});
        self.app
            .post(
                &format!("/api/v1/petitions/{id}/marks"),
                Some(&self.office.token),
                &marks,
            )
            .await
            .ok(200);
        self.reply(id).await;
        self.app.sql(&format!(
            "UPDATE petitions SET reply_due_on = '{}', replied_on = '{}' WHERE id = {id}",
            today() - Days::new(20),
            today() - Days::new(10)
        ));
        id
    }

    async fn reply(&self, petition: i64) {
        self.app
            .post(
                &format!("/api/v1/petitions/{petition}/reply"),
                Some(&self.office.token),
                &json!({"text": "答复"}),
            )
            .await
            .ok(200);
    }

    async fn deduct(&self, section: &str, problem: &str, kind: &str, id: i64, extra: Value) -> Resp {
        let mut body = json!({"year": self.year, "department_id": self.staff.department_id, "section": section,
            "problem_type": problem, "evidence": {"kind": kind, "id": id}, "note": "记录"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .post("/api/v1/evaluation/deductions", Some(&self.office.token), &body)
            .await
    }

    /// The staff department's score sheet, with an optional query.
    async fn sheet(&self, query: &str) -> Value {
        let r = self
            .app
            .get(
                &format!("/api/v1/evaluation/years/{}/scores{query}", self.year),
                Some(&self.office.token),
            )
            .await;
        let d = r.ok(200)["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["department_id"] == self.staff.department_id)
            .cloned();
        d.expect("the department is on the sheet")
    }

    async fn step(&self, path: &str, token: &str, body: Value) -> Resp {
        self.app
            .post(
                &format!("/api/v1/evaluation/years/{}/{path}", self.year),
                Some(token),
                &body,
            )
            .await
    }
}

/// Days ago, and the (section, problem, act kind, `petition` or `normative`) deducted that day.
type Step = (u64, &'static [(&'static str, &'static str, &'static str)]);

fn section<'a>(sheet: &'a Value, name: &str) -> &'a Value {
    sheet["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == name)
        .unwrap()
}

#[actix_web::test]
async fn each_section_deducts_its_rate_and_is_floored_at_zero() {
    let e = ev().await;
    let fresh = e.sheet("").await;
    assert_eq!(
        (fresh["total"].as_u64(), fresh["grade"].as_str()),
        (Some(100), Some("excellent"))
    );
    let caps: Vec<u64> = fresh["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cap"].as_u64().unwrap())
        .collect();
    assert_eq!(caps, [20, 30, 40, 10]);

    // A normative document's problem rests on a finding, never on an enforcement act.
    let other = e.act("other", None).await;
    let r = e
        .deduct("abstract_acts", "seven_prohibitions", "act", other, json!({}))
        .await;
    assert_eq!(r.problem(422), "deduction_refused");
    assert_eq!(r.body["basis"], json!(["EVAL-5(1)"]));
    let rule = e.finding_about_no_act().await;
    let r = e
        .deduct("abstract_acts", "seven_prohibitions", "finding", rule, json!({}))
        .await;
    assert_eq!(
        (r.ok(201)["points"].as_i64(), &r.body["basis"]),
        (Some(2), &json!(["EVAL-5(1)"]))
    );
    let spot = e.act("penalty", Some("on_the_spot")).await;
    let filed = e.act("penalty", Some("filed_case")).await;
    let r = e.deduct("penalty", "unclear_facts", "act", spot, json!({})).await;
    assert_eq!(
        (r.ok(201)["points"].as_i64(), &r.body["penalty_procedure"]),
        (Some(2), &json!("on_the_spot"))
    );
    let r = e.deduct("penalty", "illegal_procedure", "act", filed, json!({})).await;
    assert_eq!(r.ok(201)["points"], 3);
    let p = e.troubled_petition().await;
    assert_eq!(
        e.deduct("petitions", "not_answered", "petition", p, json!({}))
            .await
            .ok(201)["points"],
        1
    );
    // Seven licensing problems cost 35 of a 30-point section: it stops at 0.
    for _ in 0..7 {
        let a = e.act("licensing", None).await;
        let r = e
            .deduct("licensing", "incomplete_registration_materials", "act", a, json!({}))
            .await;
        assert_eq!(r.ok(201)["points"], 5);
    }
    let s = e.sheet("").await;
    let lic = section(&s, "licensing");
    assert_eq!((lic["deducted"].as_u64(), lic["score"].as_u64()), (Some(35), Some(0)));
    assert_eq!(lic["deductions"].as_array().unwrap().len(), 7);
    assert_eq!(section(&s, "penalty")["score"], 35);
    assert_eq!(section(&s, "abstract_acts")["score"], 18);
    // The section may be left out: the problem names it.
    let unassigned = e
        .app
        .post(
            "/api/v1/petitions",
            Some(&e.office.token),
            &json!({"channel": "letter", "subject": "来信", "content": "内容"}),
        )
        .await;
    let unassigned = unassigned.ok(201)["id"].as_i64().unwrap();
    let by_problem = |id: i64| {
        json!({"year": e.year, "department_id": e.staff.department_id, "problem_type": "escalation_caused",
            "evidence": {"kind": "petition", "id": id}})
    };
    let r = e
        .app
        .post(
            "/api/v1/evaluation/deductions",
            Some(&e.office.token),
            &by_problem(unassigned),
        )
        .await;
    assert_eq!(r.problem(422), "deduction_refused", "no department handled it");
    assert_eq!(r.body["basis"], json!(["EVAL-5(4)"]));
    let troubled = e.troubled_petition().await;
    let r = e
        .app
        .post(
            "/api/v1/evaluation/deductions",
            Some(&e.office.token),
            &by_problem(troubled),
        )
        .await;
    assert_eq!(
        (r.ok(201)["section"].as_str(), r.body["points"].as_i64()),
        (Some("petitions"), Some(1))
    );
    let s = e.sheet("").await;
    assert_eq!(section(&s, "petitions")["score"], 8);
    let line = &section(&s, "penalty")["deductions"][0];
    assert_eq!(line["evidence"]["href"], format!("/api/v1/acts/{spot}"));
    assert_eq!(line["rule_version"], 1);
    assert_eq!((s["total"].as_u64(), s["grade"].as_str()), (Some(61), Some("poor")));
    assert_eq!(s["rule_version"], 1);
    assert_eq!(s["outcome"], "circulated_criticism");
    assert_eq!(s["basis"], json!(["EVAL-5", "EVAL-7"]));
}

#[actix_web::test]
async fn grades_change_exactly_at_95_90_and_80() {
    let e = ev().await;
    let d = |n: u64| today() - Days::new(n);
    // Day by day: 95, 94, 90, 89, 80, 79.
    let steps: [Step; 6] = [
        (6, &[("licensing", "exceeding_authority", "licensing")]),
        (5, &[("petitions", "answer_against_policy", "petition")]),
        (
            4,
            &[
                ("abstract_acts", "conflicting_provision", "normative"),
                ("abstract_acts", "conflicting_provision", "normative"),
            ],
        ),
        (3, &[("petitions", "escalation_caused", "petition")]),
        (
            2,
            &[
                ("licensing", "pre_approval_violated", "licensing"),
                ("abstract_acts", "seven_prohibitions", "normative"),
                ("abstract_acts", "seven_prohibitions", "normative"),
            ],
        ),
        (1, &[("petitions", "not_answered", "petition")]),
    ];
    for (ago, items) in steps {
        for (sec, problem, kind) in items {
            let (ekind, id) = if *kind == "petition" {
                ("petition", e.troubled_petition().await)
            } else if *kind == "normative" {
                ("finding", e.finding_about_no_act().await)
            } else {
                ("act", e.act(kind, None).await)
            };
            e.deduct(sec, problem, ekind, id, json!({"found_on": d(ago)}))
                .await
                .ok(201);
        }
    }
    let expected = [
        (95, "excellent"),
        (94, "good"),
        (90, "good"),
        (89, "average"),
        (80, "average"),
        (79, "poor"),
    ];
    for (i, (total, grade)) in expected.into_iter().enumerate() {
        let s = e.sheet(&format!("?as_of={}", d(6 - i as u64))).await;
        assert_eq!(
            (s["total"].as_u64(), s["grade"].as_str()),
            (Some(total), Some(grade)),
            "as of {}",
            d(6 - i as u64)
        );
    }
    assert_eq!(
        e.sheet(&format!("?as_of={}", d(7))).await["total"],
        100,
        "nothing yet the day before"
    );
    // The quarterly view is the sheet as of the quarter's last day.
    let quarter = (today().month0() / 3 + 1) as u8;
    assert_eq!(e.sheet(&format!("?quarter={quarter}")).await["total"], 79);
    let q = e
        .app
        .get(
            &format!("/api/v1/evaluation/years/{}/quarters/{quarter}/scores", e.year),
            Some(&e.office.token),
        )
        .await;
    let mine = q.ok(200)["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department_id"] == e.staff.department_id)
        .unwrap()
        .clone();
    assert_eq!(mine["total"], 79);
    assert_eq!(
        q.body["as_of"],
        json!(safeguards::evaluation::rules::quarter_end(e.year, quarter).unwrap())
    );
    let one = e
        .app
        .get(
            &format!(
                "/api/v1/evaluation/years/{}/quarters/{quarter}/scores?department_id={}",
                e.year, e.staff.department_id
            ),
            Some(&e.office.token),
        )
        .await;
    let departments = one.ok(200)["departments"].as_array().unwrap();
    assert_eq!(departments.len(), 1, "the filter applies to the quarterly view too");
    assert_eq!(departments[0]["total"], 79);
    e.app
        .get(
            &format!("/api/v1/evaluation/years/{}/quarters/{quarter}/scores?dept=1", e.year),
            Some(&e.office.token),
        )
        .await
        .problem(400);
    let r = e
        .app
        .get(
            &format!("/api/v1/evaluation/years/{}/scores?quarter=5", e.year),
            Some(&e.office.token),
        )
        .await;
    r.problem(400);
    let r = e
        .app
        .get(
            &format!("/api/v1/evaluation/years/{}/quarters/1/scores", e.year + 1),
            Some(&e.office.token),
        )
        .await;
    assert_eq!(r.problem(422), "quarter_not_begun");
    assert_eq!(r.body["basis"], json!(["EVAL-4"]));
    let r = e
        .app
        .get(
            &format!("/api/v1/evaluation/years/{}/scores?as_of={}-01-01", e.year, e.year + 1),
            Some(&e.office.token),
        )
        .await;
    r.problem(422);
}

#[actix_web::test]
async fn the_same_evidence_counts_once_and_withdrawal_keeps_the_record() {
    let e = ev().await;
    let act = e.act("penalty", Some("filed_case")).await;
    // Found earlier this year: the sheet as of that day counts it until it is withdrawn.
    let found_on = (today() - Days::new(20)).max(today().with_ordinal(1).unwrap());
    let first = e
        .deduct(
            "penalty",
            "insufficient_evidence",
            "act",
            act,
            json!({"found_on": found_on}),
        )
        .await;
    let id = first.ok(201)["id"].as_i64().unwrap();
    assert_eq!(e.sheet(&format!("?as_of={found_on}")).await["total"], 97);
    let before = e.app.count("eval_deductions");
    let again = e
        .deduct("penalty", "insufficient_evidence", "act", act, json!({}))
        .await;
    assert_eq!(again.problem(409), "evidence_counted");
    assert_eq!(again.body["basis"], json!(["EVAL-5"]));
    assert_eq!(e.app.count("eval_deductions"), before);
    assert_eq!(e.sheet("").await["total"], 97);
    // Another problem of the same act counts on its own (发现下列问题…扣3分, per problem).
    let other = e
        .deduct("penalty", "wrong_characterisation", "act", act, json!({}))
        .await;
    let other = other.ok(201)["id"].as_i64().unwrap();
    assert_eq!(e.sheet("").await["total"], 94);
    e.app
        .post(
            &format!("/api/v1/evaluation/deductions/{other}/withdraw"),
            Some(&e.office.token),
            &json!({"reason": "另行核查"}),
        )
        .await
        .ok(200);

    let path = format!("/api/v1/evaluation/deductions/{id}/withdraw");
    e.app
        .post(&path, Some(&e.office.token), &json!({"reason": " "}))
        .await
        .problem(422);
    e.app
        .post(&path, Some(&e.staff.token), &json!({"reason": "复查"}))
        .await
        .problem(403);
    let r = e
        .app
        .post(&path, Some(&e.office.token), &json!({"reason": "复查后证据充分"}))
        .await;
    assert_eq!(
        (r.ok(200)["withdrawn"].as_bool(), &r.body["withdrawal_reason"]),
        (Some(true), &json!("复查后证据充分"))
    );
    e.app
        .post(&path, Some(&e.office.token), &json!({"reason": "again"}))
        .await
        .problem(409);
    assert_eq!(e.sheet("").await["total"], 100, "a withdrawn deduction stops counting");
    assert_eq!(
        e.sheet(&format!("?as_of={found_on}")).await["total"],
        100,
        "nor did it ever count: the problem was not one"
    );
    let kept = e
        .app
        .get("/api/v1/evaluation/deductions?withdrawn=true", Some(&e.office.token))
        .await;
    assert_eq!(kept.ok(200)["items"][0]["id"], id, "withdrawn, not deleted");
    // The evidence is free again.
    e.deduct("penalty", "wrong_characterisation", "act", act, json!({}))
        .await
        .ok(201);
    assert_eq!(e.sheet("").await["total"], 97);
}

#[actix_web::test]
async fn penalty_points_follow_the_procedure_and_problems_their_section() {
    let e = ev().await;
    let coercive = e.act("coercive", None).await;
    let r = e
        .deduct("penalty", "coercive_not_approved", "act", coercive, json!({}))
        .await;
    assert_eq!(r.problem(422), "deduction_refused");
    assert_eq!(r.body["basis"], json!(["EVAL-5(3)"]));
    let r = e
        .deduct(
            "penalty",
            "coercive_not_approved",
            "act",
            coercive,
            json!({"penalty_procedure": "on_the_spot"}),
        )
        .await;
    assert_eq!(r.ok(201)["points"], 2);
    let spot = e.act("penalty", Some("on_the_spot")).await;
    let r = e
        .deduct(
            "penalty",
            "wrong_subject",
            "act",
            spot,
            json!({"penalty_procedure": "filed_case"}),
        )
        .await;
    assert_eq!(r.problem(422), "deduction_refused", "the act's procedure decides");
    let r = e.deduct("licensing", "wrong_subject", "act", spot, json!({})).await;
    assert_eq!(r.problem(422), "deduction_refused");
    assert_eq!(
        r.body["basis"],
        json!(["EVAL-5(3)"]),
        "names where the problem is listed"
    );
    let before = e.app.count("eval_deductions");
    e.deduct("penalty", "late_filing", "act", spot, json!({}))
        .await
        .problem(400);
    e.deduct("penalty", "wrong_subject", "act", 999_999, json!({}))
        .await
        .problem(422);
    // Evidence of another department does not count against this one.
    let other = e.app.department("他处");
    let r = e
        .app
        .post(
            "/api/v1/evaluation/deductions",
            Some(&e.office.token),
            &json!({"year": e.year, "department_id": other, "section": "penalty", "problem_type": "wrong_subject",
                "evidence": {"kind": "act", "id": spot}}),
        )
        .await;
    r.problem(422);
    e.deduct(
        "penalty",
        "wrong_subject",
        "act",
        spot,
        json!({"found_on": today() + Days::new(1)}),
    )
    .await
    .problem(422);
    e.deduct(
        "penalty",
        "wrong_subject",
        "act",
        spot,
        json!({"found_on": format!("{}-12-31", e.year - 1)}),
    )
    .await
    .problem(422);
    let staff = e
        .app
        .post(
            "/api/v1/evaluation/deductions",
            Some(&e.staff.token),
            &json!({"year": e.year, "department_id": e.staff.department_id, "section": "penalty",
                "problem_type": "wrong_subject", "evidence": {"kind": "act", "id": spot}}),
        )
        .await;
    staff.problem(403);
    // The evidence must be able to show the problem: a licensing problem in a penalty act, a
    // penalty problem in a licensing act, a problem found before the act was decided, a
    // procedure where nothing is scored by one.
    let r = e
        .deduct("licensing", "exceeding_authority", "act", spot, json!({}))
        .await;
    assert_eq!(r.problem(422), "deduction_refused");
    assert_eq!(r.body["basis"], json!(["EVAL-5(2)"]));
    let licence = e.act("licensing", None).await;
    let r = e
        .deduct(
            "penalty",
            "wrong_subject",
            "act",
            licence,
            json!({"penalty_procedure": "on_the_spot"}),
        )
        .await;
    assert_eq!(r.problem(422), "deduction_refused");
    let r = e
        .deduct(
            "licensing",
            "exceeding_authority",
            "act",
            licence,
            json!({"penalty_procedure": "filed_case"}),
        )
        .await;
    assert_eq!(r.problem(422), "deduction_refused");
    let r = e
        .deduct(
            "penalty",
            "wrong_subject",
            "act",
            spot,
            json!({"found_on": today() - Days::new(31)}),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "found_on");
    assert_eq!(e.app.count("eval_deductions"), before, "nothing stored");
    e.deduct("licensing", "exceeding_authority", "act", licence, json!({}))
        .await
        .ok(201);
    // A finding about a penalty carries the act's procedure.
    let filed = e.act("penalty", Some("filed_case")).await;
    let insp = e
        .app
        .post(
            "/api/v1/inspections",
            Some(&e.office.token),
            &json!({"kind": "ad_hoc", "title": "检查", "period_from": today(), "period_to": today(),
                "scope": [{"kind": "department", "id": e.staff.department_id}], "inspectors": [e.office.person_id]}),
        )
        .await;
    let insp = insp.ok(201)["id"].as_i64().unwrap();
    e.app
        .post(
            &format!("/api/v1/inspections/{insp}/start"),
            Some(&e.office.token),
            &json!({}),
        )
        .await
        .ok(200);
    let f = e
        .app
        .post(
            &format!("/api/v1/inspections/{insp}/findings"),
            Some(&e.office.token),
            &json!({"checklist_item": 4, "description": "程序违法", "department_id": e.staff.department_id, "act_id": filed}),
        )
        .await;
    let f = f.ok(201)["id"].as_i64().unwrap();
    let r = e.deduct("penalty", "illegal_procedure", "finding", f, json!({})).await;
    assert_eq!(
        (r.ok(201)["points"].as_i64(), &r.body["evidence"]["href"]),
        (Some(3), &json!(format!("/api/v1/findings/{f}")))
    );
    // The same problem of the same act counts once, through the finding or the act; another
    // problem of that act counts on its own.
    let r = e.deduct("penalty", "illegal_procedure", "act", filed, json!({})).await;
    assert_eq!(r.problem(409), "evidence_counted");
    // Nor again through the supervision document that states the finding (SUP-10).
    e.app
        .post(
            &format!("/api/v1/inspections/{insp}/conclude"),
            Some(&e.office.token),
            &json!({"conclusion": "限期整改"}),
        )
        .await
        .ok(200);
    let docs = e
        .app
        .get(
            &format!("/api/v1/supervision-documents?inspection_id={insp}"),
            Some(&e.office.token),
        )
        .await;
    let doc = docs.ok(200)["items"][0]["id"].as_i64().unwrap();
    let r = e
        .deduct(
            "penalty",
            "illegal_procedure",
            "document",
            doc,
            json!({"penalty_procedure": "filed_case"}),
        )
        .await;
    assert_eq!(r.problem(409), "evidence_counted", "{}", r.body);
    e.deduct("penalty", "unclear_facts", "act", filed, json!({}))
        .await
        .ok(201);
}

#[actix_web::test]
async fn a_new_rule_set_counts_from_its_day_and_old_deductions_keep_their_points() {
    let e = ev().await;
    let old = e.act("penalty", Some("filed_case")).await;
    e.deduct(
        "penalty",
        "unclear_facts",
        "act",
        old,
        json!({"found_on": today() - Days::new(1)}),
    )
    .await
    .ok(201);
    let mut values = e.app.get("/api/v1/rules", Some(&e.leader.token)).await.body["values"].clone();
    values["score_sheet"]["penalty_filed_case_deduction"] = json!(4);
    values["score_sheet"]["penalty_cap"] = json!(45);
    values["score_sheet"]["petitions_cap"] = json!(5);
    let r = e
        .app
        .post(
            "/api/v1/rules",
            Some(&e.leader.token),
            &json!({"effective_from": "2999-01-01", "values": values}),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["field"], "effective_from",
        "no year could report it"
    );
    e.app
        .post(
            "/api/v1/rules",
            Some(&e.leader.token),
            &json!({"effective_from": today(), "values": values}),
        )
        .await
        .ok(201);
    let new = e.act("penalty", Some("filed_case")).await;
    let r = e.deduct("penalty", "unclear_facts", "act", new, json!({})).await;
    assert_eq!(
        (r.ok(201)["points"].as_i64(), r.body["rule_version"].as_i64()),
        (Some(4), Some(2))
    );
    let now = e.sheet("").await;
    assert_eq!(section(&now, "penalty")["cap"], 45);
    assert_eq!(
        section(&now, "penalty")["deducted"],
        7,
        "3 by version 1, 4 by version 2"
    );
    let yesterday = e.sheet(&format!("?as_of={}", today() - Days::new(1))).await;
    assert_eq!(section(&yesterday, "penalty")["cap"], 40);
    assert_eq!(yesterday["total"], 97);
}

#[actix_web::test]
async fn the_annual_procedure_runs_in_order_and_published_results_are_public_and_fixed() {
    let e = ev().await;
    let (o, l, s) = (e.office.token.as_str(), e.leader.token.as_str(), e.staff.token.as_str());
    let dept = e.staff.department_id;
    let act = e.act("licensing", None).await;
    e.deduct("licensing", "exceeding_authority", "act", act, json!({}))
        .await
        .ok(201);
    assert_eq!(
        e.step("report", o, json!({"text": "报告"})).await.problem(409),
        "year_not_open"
    );
    e.step("open", s, json!({})).await.problem(403);
    assert_eq!(e.step("open", o, json!({})).await.ok(201)["status"], "open");
    e.step("open", l, json!({})).await.problem(409);
    let r = e.step("report", o, json!({"text": "报告"})).await;
    assert_eq!(r.problem(409), "opinions_missing");
    assert_eq!(r.body["basis"], json!(["EVAL-6(3)"]));
    let year = e
        .app
        .get(&format!("/api/v1/evaluation/years/{}", e.year), Some(o))
        .await;
    let waiting: Vec<i64> = year.ok(200)["awaiting_opinion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert!(waiting.contains(&dept));
    e.step(&format!("departments/{dept}/response"), s, json!({"text": "无异议"}))
        .await
        .problem(409);
    for d in &waiting {
        e.step(
            &format!("departments/{d}/preliminary"),
            o,
            json!({"text": "初步意见：扣5分"}),
        )
        .await
        .ok(200);
    }
    let other = waiting.iter().find(|d| **d != dept).unwrap();
    e.step(&format!("departments/{other}/response"), s, json!({"text": "x"}))
        .await
        .problem(403);
    let r = e
        .step(
            &format!("departments/{dept}/response"),
            s,
            json!({"text": "无异议\n已整改"}),
        )
        .await;
    assert_eq!(r.ok(200)["response"], "无异议\n已整改");
    e.step("finalize", l, json!({})).await.problem(409);
    e.step("publish", l, json!({})).await.problem(409);
    assert_eq!(
        e.step("report", o, json!({"text": "年度评议考核报告"})).await.ok(200)["status"],
        "reported"
    );
    e.step(&format!("departments/{dept}/preliminary"), o, json!({"text": "改"}))
        .await
        .problem(409);
    // Reported: the sheet the report was formed from no longer changes (EVAL-6(4)).
    let more = e.act("licensing", None).await;
    let r = e
        .deduct("licensing", "exceeding_authority", "act", more, json!({}))
        .await;
    assert_eq!(r.problem(409), "year_closed");
    assert_eq!(r.body["basis"], json!(["EVAL-6(4)"]));
    e.step("finalize", o, json!({})).await.problem(403);
    let public = format!("/api/v1/public/evaluation/{}", e.year);
    e.app.get(&public, None).await.problem(404);
    let fixed = e.step("finalize", l, json!({})).await;
    assert_eq!(fixed.ok(200)["final"], true);
    assert_eq!(
        e.deduct("licensing", "exceeding_authority", "act", more, json!({}))
            .await
            .problem(409),
        "year_closed"
    );
    e.app.get(&public, None).await.problem(404);
    assert_eq!(e.step("publish", o, json!({})).await.ok(200)["status"], "published");
    e.step("publish", o, json!({})).await.problem(409);
    let r = e.app.get(&public, None).await;
    let mine = r.ok(200)["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["department_id"] == dept)
        .unwrap()
        .clone();
    assert_eq!(
        (mine["total"].as_u64(), mine["grade"].as_str(), mine["outcome"].as_str()),
        (Some(95), Some("excellent"), Some("commendation_and_reward"))
    );
    assert!(
        mine.get("sections").is_none(),
        "the public sees department, total, grade and what it brings"
    );
    let sheet = e.sheet("").await;
    assert_eq!(sheet["total"], 95);
    let first = e.app.get("/api/v1/evaluation/deductions", Some(o)).await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    e.app
        .post(
            &format!("/api/v1/evaluation/deductions/{first}/withdraw"),
            Some(o),
            &json!({"reason": "x"}),
        )
        .await
        .problem(409);
    let q = format!("/api/v1/evaluation/years/{}/departments/{dept}/qualitative", e.year);
    e.app
        .send(
            actix_web::test::TestRequest::put()
                .uri(&q)
                .insert_header(("Authorization", format!("Bearer {o}")))
                .set_json(json!({"items": [{"item": 1, "content": "x"}]})),
        )
        .await
        .problem(409);
}

#[actix_web::test]
async fn awards_exclude_poor_grades_and_everyone_sanctioned_that_year() {
    let e = ev().await;
    let (o, l) = (e.office.token.as_str(), e.leader.token.as_str());
    for _ in 0..5 {
        let a = e.act("licensing", None).await;
        e.deduct("licensing", "scope_or_mode_irregular", "act", a, json!({}))
            .await
            .ok(201);
    }
    let p = e.troubled_petition().await;
    e.deduct("petitions", "not_answered", "petition", p, json!({}))
        .await
        .ok(201);
    let good = e.app.department("优秀处");
    // A case decided this year holds the good department and a person accountable.
    let case = e
        .app
        .post(
            "/api/v1/accountability/cases",
            Some(o),
            &json!({"respondents": [{"kind": "department", "id": good}, {"kind": "person", "id": e.staff.person_id}],
                "source": {"kind": "other"}, "fault_types": [1], "facts": "违反程序", "fault_on": today()}),
        )
        .await;
    let case = case.ok(201)["id"].as_i64().unwrap();
    let step = |s: &'static str| format!("/api/v1/accountability/cases/{case}/{s}");
    e.app.post(&step("investigate"), Some(o), &json!({})).await.ok(200);
    let opinion = json!({"how": {"mode": "direct", "staff": [e.staff.person_id]}, "circumstances": {}, "severity": "minor", "text": "意见"});
    e.app.post(&step("opinion"), Some(o), &opinion).await.ok(200);
    // Only a 处分 listed: ACC-6 takes the year's award eligibility from every liable person and
    // every department at fault all the same.
    let decision = json!({"severity": "minor", "persons": [{"person_id": e.staff.person_id, "sanctions": ["warning"]}],
        "departments": []});
    e.app.post(&step("decide"), Some(l), &decision).await.ok(200);

    let r = e
        .app
        .get(&format!("/api/v1/evaluation/years/{}/awards", e.year), Some(l))
        .await;
    let depts = r.ok(200)["departments"].as_array().unwrap().clone();
    let of = |id: i64| depts.iter().find(|d| d["department_id"] == id).unwrap().clone();
    let poor = of(e.staff.department_id);
    assert_eq!(
        (poor["total"].as_u64(), poor["grade"].as_str()),
        (Some(74), Some("poor"))
    );
    assert_eq!(
        (poor["eligible"].as_bool(), poor["outcome"].as_str()),
        (Some(false), Some("circulated_criticism"))
    );
    assert_eq!(poor["exclusions"][0]["reason"], "poor_grade");
    let sanctioned = of(good);
    assert_eq!(
        (sanctioned["grade"].as_str(), sanctioned["outcome"].as_str()),
        (Some("excellent"), Some("none")),
        "excellent, but excluded from awards (取消评比先进的资格): no reward"
    );
    assert_eq!(sanctioned["eligible"], false);
    assert_eq!(sanctioned["exclusions"][0]["reason"], "accountability_sanction");
    assert_eq!(sanctioned["exclusions"][0]["cases"], json!([case]));
    assert_eq!(sanctioned["exclusions"][0]["basis"], json!(["ACC-6", "EVAL-7"]));
    assert_eq!(r.body["persons_excluded"][0]["person_id"], e.staff.person_id);
    assert_eq!(r.body["final"], false);
    // The score sheet and the quarter's view say the same: the grade stays, the reward goes.
    for path in ["scores", "quarters/1/scores"] {
        let r = e
            .app
            .get(
                &format!("/api/v1/evaluation/years/{}/{path}?department_id={good}", e.year),
                Some(l),
            )
            .await;
        let d = &r.ok(200)["departments"][0];
        assert_eq!(
            (d["grade"].as_str(), d["outcome"].as_str()),
            (Some("excellent"), Some("none")),
            "{path}"
        );
        assert_eq!(d["basis"], json!(["EVAL-5", "EVAL-7", "ACC-6"]), "{path}");
    }
    let r = e
        .app
        .get(&format!("/api/v1/evaluation/years/{}/scores", e.year), Some(l))
        .await;
    let others = r.ok(200)["departments"].as_array().unwrap().clone();
    let unsanctioned: Vec<_> = others
        .iter()
        .filter(|d| d["department_id"] != good && d["grade"] == "excellent")
        .collect();
    assert!(!unsanctioned.is_empty());
    assert!(
        unsanctioned.iter().all(|d| d["outcome"] == "commendation_and_reward"),
        "departments not sanctioned keep their reward"
    );
    e.app
        .get(
            &format!("/api/v1/evaluation/years/{}/awards", e.year),
            Some(&e.staff.token),
        )
        .await
        .problem(403);
}

#[actix_web::test]
async fn a_missed_reply_stays_with_the_department_it_lapsed_with_and_only_an_answer_is_against_policy() {
    let e = ev().await;
    let (mine, other) = (e.staff.department_id, e.app.department("二科"));
    let o = e.office.token.as_str();
    let assign = |p: i64| format!("/api/v1/petitions/{p}/assign");
    // Marked mishandled but never answered: no answer is against policy.
    let p = e.petition().await;
    let marks = json!({"mishandled": true});
    e.app
        .post(&format!("/api/v1/petitions/{p}/marks"), Some(o), &marks)
        .await
        .ok(200);
    let r = e
        .deduct("petitions", "answer_against_policy", "petition", p, json!({}))
        .await;
    assert_eq!(r.problem(422), "deduction_refused");
    assert_eq!(r.body["basis"], json!(["EVAL-5(4)"]));
    // Its deadline passes in this department, then it is passed on to another.
    e.app.sql(&format!(
        "UPDATE petitions SET reply_due_on = '{}' WHERE id = {p}",
        today() - Days::new(1)
    ));
    let moved = e.app.post(&assign(p), Some(o), &json!({"department_id": other})).await;
    assert_eq!(
        (&moved.ok(200)["department_id"], &moved.body["lapsed_department_id"]),
        (&json!(other), &json!(mine))
    );
    // Passed on again: still charged to the first.
    let back = e
        .app
        .post(&assign(p), Some(o), &json!({"department_id": e.app.department("三科")}))
        .await;
    assert_eq!(back.ok(200)["lapsed_department_id"], json!(mine));
    // Marked escalated while one department held it, then passed on: the escalation stays
    // with the department whose handling caused it.
    let escalated = e.petition().await;
    let marks = json!({"escalated": true});
    e.app
        .post(&format!("/api/v1/petitions/{escalated}/marks"), Some(o), &marks)
        .await
        .ok(200);
    let moved = e
        .app
        .post(&assign(escalated), Some(o), &json!({"department_id": other}))
        .await;
    assert_eq!(moved.ok(200)["escalated_department_id"], json!(mine));
    let r = e
        .deduct(
            "petitions",
            "escalation_caused",
            "petition",
            escalated,
            json!({"department_id": other}),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    e.deduct(
        "petitions",
        "escalation_caused",
        "petition",
        escalated,
        json!({"department_id": mine}),
    )
    .await
    .ok(201);
    // Transferred before its deadline: the new holder owes the reply.
    let early = e.petition().await;
    let r = e
        .app
        .post(&assign(early), Some(o), &json!({"department_id": other}))
        .await;
    assert_eq!(r.ok(200)["lapsed_department_id"], json!(null));
    e.app.sql(&format!(
        "UPDATE petitions SET reply_due_on = '{}' WHERE id = {early}",
        today() - Days::new(1)
    ));
    let list = e
        .app
        .get(&format!("/api/v1/evaluation/years/{}/candidates", e.year), Some(o))
        .await;
    let offered = |id: i64| {
        let c = list.body["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["evidence"]["kind"] == "petition" && c["evidence"]["id"] == id)
            .cloned()
            .unwrap();
        (
            c["department_id"].as_i64().unwrap(),
            c["problem_type"].as_str().unwrap().to_owned(),
        )
    };
    list.ok(200);
    assert_eq!(offered(p), (mine, "not_answered".to_owned()));
    assert_eq!(offered(early), (other, "not_answered".to_owned()));
    let charge = |dept: i64| json!({"department_id": dept});
    let r = e
        .deduct("petitions", "not_answered", "petition", p, charge(other))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "department_id");
    assert_eq!(e.app.count("eval_deductions"), 1, "nothing recorded but the escalation");
    e.deduct("petitions", "not_answered", "petition", p, charge(mine))
        .await
        .ok(201);
    e.deduct("petitions", "not_answered", "petition", early, charge(other))
        .await
        .ok(201);
    // An answer given late and marked mishandled is against policy too, charged to its holder.
    e.reply(early).await;
    let marks = json!({"mishandled": true});
    e.app
        .post(&format!("/api/v1/petitions/{early}/marks"), Some(o), &marks)
        .await
        .ok(200);
    let counted = e
        .deduct("petitions", "answer_against_policy", "petition", early, charge(other))
        .await;
    let deduction = counted.ok(201)["id"].as_i64().unwrap();
    // The mark it rests on stays while the deduction counts.
    let unmark = json!({"mishandled": false});
    let r = e
        .app
        .post(&format!("/api/v1/petitions/{early}/marks"), Some(o), &unmark)
        .await;
    assert_eq!(r.problem(409), "evidence_counted");
    let shown = e.app.get(&format!("/api/v1/petitions/{early}"), Some(o)).await;
    assert_eq!(shown.ok(200)["mishandled"], true, "nothing changed");
    let withdraw = json!({"reason": "误记"});
    e.app
        .post(
            &format!("/api/v1/evaluation/deductions/{deduction}/withdraw"),
            Some(o),
            &withdraw,
        )
        .await
        .ok(200);
    e.app
        .post(&format!("/api/v1/petitions/{early}/marks"), Some(o), &unmark)
        .await
        .ok(200);
}

#[actix_web::test]
async fn the_registers_offer_candidates_once() {
    let e = ev().await;
    let o = e.office.token.as_str();
    // An overdue unanswered petition and a penalty lost on reconsideration.
    let p = e.petition().await;
    e.app.sql(&format!(
        "UPDATE petitions SET reply_due_on = '{}' WHERE id = {p}",
        today() - Days::new(1)
    ));
    let lost = e.act("penalty", Some("on_the_spot")).await;
    e.app
        .post(
            &format!("/api/v1/acts/{lost}/reviews"),
            Some(o),
            &json!({"kind": "reconsideration", "outcome": "revoked", "decided_on": today(), "note": "撤销"}),
        )
        .await
        .ok(201);
    let path = format!("/api/v1/evaluation/years/{}/candidates", e.year);
    let r = e.app.get(&path, Some(o)).await;
    let list = r.ok(200)["candidates"].as_array().unwrap().clone();
    let pet = list.iter().find(|c| c["evidence"]["kind"] == "petition").unwrap();
    assert_eq!(
        (pet["evidence"]["id"].as_i64(), pet["problem_type"].as_str()),
        (Some(p), Some("not_answered"))
    );
    assert_eq!(
        (pet["points"].as_u64(), &pet["basis"]),
        (Some(1), &json!(["EVAL-5(4)"]))
    );
    let act = list.iter().find(|c| c["evidence"]["kind"] == "act").unwrap();
    assert_eq!(
        (act["evidence"]["id"].as_i64(), act["penalty_procedure"].as_str()),
        (Some(lost), Some("on_the_spot"))
    );
    e.deduct("petitions", "not_answered", "petition", p, json!({}))
        .await
        .ok(201);
    let r = e.app.get(&path, Some(o)).await;
    assert!(
        r.ok(200)["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["evidence"]["kind"] != "petition"),
        "counted: no longer offered"
    );
    e.app.get(&path, Some(&e.staff.token)).await.problem(403);
}

#[actix_web::test]
async fn the_qualitative_record_fills_reviews_and_training_from_the_registers() {
    let e = ev().await;
    let (o, dept) = (e.office.token.as_str(), e.staff.department_id);
    let act = e.act("penalty", Some("filed_case")).await;
    e.app
        .post(
            &format!("/api/v1/acts/{act}/reviews"),
            Some(o),
            &json!({"kind": "litigation", "outcome": "upheld", "decided_on": today(), "note": "维持"}),
        )
        .await
        .ok(201);
    let exam = e
        .app
        .post(
            "/api/v1/training/exams",
            Some(o),
            &json!({"title": "法制考试", "held_on": today()}),
        )
        .await;
    let exam = exam.ok(201)["id"].as_i64().unwrap();
    let results = actix_web::test::TestRequest::put()
        .uri(&format!("/api/v1/training/exams/{exam}/results"))
        .insert_header(("Authorization", format!("Bearer {o}")))
        .set_json(json!([{"person_id": e.staff.person_id, "score": 85},
            {"person_id": e.officer, "absence": "excused"}]));
    e.app.send(results).await.ok(200);
    for (person, result) in [(e.staff.person_id, "good"), (e.officer, "poor")] {
        let check = json!({"person_id": person, "period_from": format!("{}-01-01", e.year),
            "period_to": today(), "result": result});
        e.app
            .post("/api/v1/training/note-checks", Some(o), &check)
            .await
            .ok(201);
    }
    let path = format!("/api/v1/evaluation/years/{}/departments/{dept}/qualitative", e.year);
    let put = |body: Value, token: &str| {
        actix_web::test::TestRequest::put()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .set_json(body)
    };
    let r = e
        .app
        .send(put(
            json!({"items": [{"item": 1, "content": "主体合法"}, {"item": 9, "content": "文明执法"}]}),
            o,
        ))
        .await;
    let items = r.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 9);
    assert_eq!(
        (items[0]["content"].as_str(), items[0]["basis"].as_str()),
        (Some("主体合法"), Some("EVAL-4(1)"))
    );
    assert_eq!(items[5]["reviews"][0]["outcome"], "upheld");
    assert_eq!(items[5]["from_registers"], true);
    assert_eq!(items[7]["training"]["hours_required"], 30);
    assert!(items[7]["training"]["people"].as_u64().unwrap() >= 1);
    let training = &items[7]["training"];
    assert_eq!(
        (
            &training["exam_results"],
            &training["exams_passed"],
            &training["exams_missed"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "an absence is a missed exam, not a result"
    );
    assert_eq!(training["note_checks"], json!({"good": 1, "adequate": 0, "poor": 1}));
    let before = e.app.count("eval_qualitative");
    e.app
        .send(put(json!({"items": [{"item": 6, "content": "x"}]}), o))
        .await
        .problem(422);
    e.app
        .send(put(
            json!({"items": [{"item": 10, "content": "x"}, {"item": 1, "content": "y"}]}),
            o,
        ))
        .await
        .problem(422);
    e.app
        .send(put(json!({"items": [{"item": 1, "content": "y"}]}), &e.staff.token))
        .await
        .problem(403);
    let next_year = actix_web::test::TestRequest::put()
        .uri(&format!(
            "/api/v1/evaluation/years/{}/departments/{dept}/qualitative",
            e.year + 1
        ))
        .insert_header(("authorization", format!("Bearer {o}")))
        .set_json(json!({"items": [{"item": 1, "content": "y"}]}));
    let r = e.app.send(next_year).await;
    assert_eq!(r.body["errors"][0]["field"], "year", "a year not begun has no record");
    assert_eq!(e.app.count("eval_qualitative"), before);
    let r = e.app.get(&path, Some(&e.staff.token)).await;
    assert_eq!(r.ok(200)["items"][8]["content"], "文明执法");
    let other = e.app.account(Role::Staff).await;
    e.app.get(&path, Some(&other.token)).await.problem(404);
}

#[actix_web::test]
async fn monthly_meetings_are_recorded_and_missed_months_shown() {
    let e = ev().await;
    let l = e.leader.token.as_str();
    let last_year = e.year - 1;
    let held = NaiveDate::from_ymd_opt(last_year, 3, 10).unwrap();
    let r = e
        .app
        .post(
            "/api/v1/evaluation/meetings",
            Some(l),
            &json!({"held_on": held, "topic": "三月例会", "minutes": "检查各处室\n执法情况"}),
        )
        .await;
    assert_eq!(r.ok(201)["minutes"], "检查各处室\n执法情况");
    for held_on in [today() + Days::new(1), NaiveDate::from_ymd_opt(1999, 12, 31).unwrap()] {
        e.app
            .post(
                "/api/v1/evaluation/meetings",
                Some(l),
                &json!({"held_on": held_on, "topic": "x", "minutes": "y"}),
            )
            .await
            .problem(422);
    }
    e.app
        .post(
            "/api/v1/evaluation/meetings",
            Some(&e.staff.token),
            &json!({"held_on": held, "topic": "x", "minutes": "y"}),
        )
        .await
        .problem(403);
    let r = e
        .app
        .get(&format!("/api/v1/evaluation/meetings?year={last_year}"), Some(l))
        .await;
    assert_eq!(r.ok(200)["meetings"][0]["topic"], "三月例会");
    assert_eq!(
        r.body["months_without_meeting"],
        json!([1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    );
}

#[actix_web::test]
async fn staff_see_their_own_department_only() {
    let e = ev().await;
    let act = e.act("licensing", None).await;
    e.deduct("licensing", "exceeding_authority", "act", act, json!({}))
        .await
        .ok(201);
    let other = e.app.account(Role::Staff).await;
    let path = format!("/api/v1/evaluation/years/{}/scores", e.year);
    let mine = e.app.get(&path, Some(&e.staff.token)).await;
    let depts = mine.ok(200)["departments"].as_array().unwrap();
    assert_eq!(depts.len(), 1);
    assert_eq!(depts[0]["total"], 95);
    let theirs = e.app.get(&path, Some(&other.token)).await;
    assert_eq!(theirs.ok(200)["departments"][0]["department_id"], other.department_id);
    let list = e.app.get("/api/v1/evaluation/deductions", Some(&other.token)).await;
    assert!(list.ok(200)["items"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn a_petition_counts_only_for_the_problem_it_shows() {
    let e = ev().await;
    let refused = |r: Resp| {
        assert_eq!(r.problem(422), "deduction_refused");
        assert_eq!(r.body["basis"], json!(["EVAL-5(4)"]), "{}", r.body);
    };
    // Assigned, deadline ahead, no marks: it shows nothing yet.
    let fresh = e.petition().await;
    for problem in ["not_answered", "answer_against_policy", "escalation_caused"] {
        refused(e.deduct("petitions", problem, "petition", fresh, json!({})).await);
    }
    // Answered by its deadline is answered; answered after it is (4)1 — but only from the
    // day after the deadline.
    let p = e.petition().await;
    let due = today() - Days::new(10);
    e.app.sql(&format!(
        "UPDATE petitions SET reply_due_on = '{due}', replied_on = '{due}' WHERE id = {p}"
    ));
    refused(e.deduct("petitions", "not_answered", "petition", p, json!({})).await);
    e.app.sql(&format!(
        "UPDATE petitions SET replied_on = '{}' WHERE id = {p}",
        due + Days::new(1)
    ));
    refused(
        e.deduct("petitions", "not_answered", "petition", p, json!({"found_on": due}))
            .await,
    );
    // A petition problem rests on a petition, and a petition is no evidence of a penalty problem.
    let act = e.act("penalty", Some("on_the_spot")).await;
    refused(e.deduct("petitions", "not_answered", "act", act, json!({})).await);
    refused(
        e.deduct(
            "penalty",
            "unclear_facts",
            "petition",
            p,
            json!({"penalty_procedure": "on_the_spot"}),
        )
        .await,
    );
    assert_eq!(e.app.count("eval_deductions"), 0);
    let r = e
        .deduct(
            "petitions",
            "not_answered",
            "petition",
            p,
            json!({"found_on": due + Days::new(1)}),
        )
        .await;
    assert_eq!(r.ok(201)["points"], 1);
}

#[actix_web::test]
async fn a_department_set_up_after_a_year_is_not_on_that_years_sheet() {
    let e = ev().await;
    let listed = |year: i32| {
        let e = &e;
        async move {
            let r = e
                .app
                .get(
                    &format!("/api/v1/evaluation/years/{year}/scores"),
                    Some(&e.office.token),
                )
                .await;
            r.ok(200)["departments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["department_id"] == e.staff.department_id)
        }
    };
    assert!(listed(e.year).await, "set up this year: assessed this year");
    assert!(!listed(e.year - 1).await, "not in existence last year");
}
