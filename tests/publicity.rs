//! PUB: drafting, review, publication and versions of disclosures; licensing completeness
//! (PUB-4); the public reading room; attachments; decisions, deadlines and take-downs.

mod common;

use actix_web::test::TestRequest;
use chrono::Days;
use common::{Resp, Session, TestApp};
use safeguards::auth::Role;
use safeguards::db::today;
use serde_json::{json, Value};

struct Bureau {
    app: TestApp,
    staff: Session,
    office: Session,
}

async fn bureau() -> Bureau {
    let app = TestApp::new().await;
    let staff = app.account(Role::Staff).await;
    let office = app.account(Role::SupervisoryOffice).await;
    Bureau { app, staff, office }
}

impl Bureau {
    async fn draft(&self, body: Value) -> i64 {
        self.app
            .post("/api/v1/disclosures", Some(&self.staff.token), &body)
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap()
    }

    async fn step(&self, id: i64, step: &str, token: &str) -> Resp {
        self.app
            .post(&format!("/api/v1/disclosures/{id}/{step}"), Some(token), &json!({}))
            .await
    }

    async fn submit_and_publish(&self, id: i64) -> Resp {
        self.step(id, "submit", &self.staff.token).await.ok(200);
        self.step(id, "publish", &self.office.token).await
    }

    async fn upload(&self, id: i64, filename: &str, bytes: &[u8], purpose: &str) -> Resp {
        let boundary = "XBOUNDARYX";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n").as_bytes(),
        );
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = TestRequest::post()
            .uri(&format!("/api/v1/disclosures/{id}/attachments"))
            .insert_header(("authorization", format!("Bearer {}", self.staff.token)))
            .insert_header(("content-type", format!("multipart/form-data; boundary={boundary}")))
            .set_payload(body);
        self.app.send(req).await
    }
}

fn item(department: i64, category: &str, content_type: &str) -> Value {
    json!({"department_id": department, "category": category, "content_type": content_type, "title": "执法流程", "body": "受理、审查、决定"})
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

#[actix_web::test]
async fn a_draft_is_reviewed_published_and_read_by_the_public_without_a_token() {
    let b = bureau().await;
    let id = b.draft(item(b.staff.department_id, "penalty", "procedure")).await;
    // Not public while a draft or submitted.
    b.app
        .get(&format!("/api/v1/public/disclosures/{id}"), None)
        .await
        .problem(404);
    b.step(id, "submit", &b.staff.token).await.ok(200);
    b.app
        .get(&format!("/api/v1/public/disclosures/{id}"), None)
        .await
        .problem(404);
    b.step(id, "publish", &b.staff.token).await.problem(403);
    let r = b.step(id, "publish", &b.office.token).await;
    assert_eq!(r.ok(200)["status"], "published");
    assert_eq!(r.body["public"]["visible"], true);
    let public = b.app.get(&format!("/api/v1/public/disclosures/{id}"), None).await;
    assert_eq!(public.ok(200)["current"]["title"], "执法流程");
    assert!(public.body.get("created_by").is_none() && !public.text.contains("return_comment"));
    let list = b.app.get("/api/v1/public/disclosures?category=penalty", None).await;
    assert_eq!(list.ok(200)["items"][0]["id"], id);
    // Publishing again is refused.
    assert_eq!(
        b.step(id, "publish", &b.office.token).await.problem(409),
        "disclosure_state"
    );
}

#[actix_web::test]
async fn the_office_may_publish_a_draft_without_its_submission() {
    let b = bureau().await;
    let id = b.draft(item(b.staff.department_id, "penalty", "procedure")).await;
    b.step(id, "publish", &b.staff.token).await.problem(403);
    assert_eq!(
        b.step(id, "publish", &b.office.token).await.ok(200)["status"],
        "published"
    );
    let public = b.app.get(&format!("/api/v1/public/disclosures/{id}"), None).await;
    assert_eq!(public.ok(200)["current"]["title"], "执法流程");
    // Still never back to a draft, nor published twice.
    assert_eq!(
        b.step(id, "submit", &b.staff.token).await.problem(409),
        "disclosure_state"
    );
    assert_eq!(
        b.step(id, "publish", &b.office.token).await.problem(409),
        "disclosure_state"
    );
}

#[actix_web::test]
async fn a_returned_draft_carries_the_comment_and_can_be_resubmitted() {
    let b = bureau().await;
    let id = b.draft(item(b.staff.department_id, "inspection", "duties")).await;
    b.step(id, "submit", &b.staff.token).await.ok(200);
    let r = b
        .app
        .post(
            &format!("/api/v1/disclosures/{id}/return"),
            Some(&b.office.token),
            &json!({"comment": "请补充依据"}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "draft");
    assert_eq!(r.body["latest"]["return_comment"], "请补充依据");
    b.app
        .post(
            &format!("/api/v1/disclosures/{id}/return"),
            Some(&b.office.token),
            &json!({"comment": "again"}),
        )
        .await
        .problem(409);
    b.submit_and_publish(id).await.ok(200);
}

#[actix_web::test]
async fn editing_a_published_item_makes_a_new_version_that_supersedes_it() {
    let b = bureau().await;
    let id = b.draft(item(b.staff.department_id, "levy", "standard")).await;
    b.submit_and_publish(id).await.ok(200);
    let path = format!("/api/v1/disclosures/{id}");
    let etag = b.app.get(&path, Some(&b.staff.token)).await.header("etag").unwrap();
    let r = b
        .app
        .patch(
            &path,
            Some(&b.staff.token),
            Some(&etag),
            &json!({"title": "征收标准（2027）"}),
        )
        .await;
    assert_eq!(r.ok(200)["latest"]["number"], 2);
    assert_eq!(r.body["latest"]["status"], "draft");
    // The public still sees version 1 until version 2 is published.
    assert_eq!(
        b.app.get(&format!("/api/v1/public/disclosures/{id}"), None).await.body["current"]["number"],
        1
    );
    b.submit_and_publish(id).await.ok(200);
    let public = b.app.get(&format!("/api/v1/public/disclosures/{id}"), None).await;
    assert_eq!(public.ok(200)["current"]["title"], "征收标准（2027）");
    let history: Vec<_> = public.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(history, ["superseded", "published"]);
    let versions = b.app.get(&format!("{path}/versions"), Some(&b.office.token)).await;
    assert_eq!(versions.ok(200)["items"].as_array().unwrap().len(), 2);
    // A submitted version cannot be edited.
    let etag = b.app.get(&path, Some(&b.staff.token)).await.header("etag").unwrap();
    let r = b
        .app
        .patch(&path, Some(&b.staff.token), Some(&etag), &json!({"body": "x"}))
        .await;
    r.ok(200);
    b.step(id, "submit", &b.staff.token).await.ok(200);
    let etag = b.app.get(&path, Some(&b.staff.token)).await.header("etag").unwrap();
    b.app
        .patch(&path, Some(&b.staff.token), Some(&etag), &json!({"body": "y"}))
        .await
        .problem(409);
}

#[actix_web::test]
async fn a_withdrawn_item_disappears_from_the_public_but_is_kept() {
    let b = bureau().await;
    let id = b.draft(item(b.staff.department_id, "other", "hotline")).await;
    b.submit_and_publish(id).await.ok(200);
    let path = format!("/api/v1/disclosures/{id}/withdraw");
    b.app
        .post(&path, Some(&b.staff.token), &json!({"reason": "x"}))
        .await
        .problem(403);
    let r = b
        .app
        .post(&path, Some(&b.office.token), &json!({"reason": "号码停用"}))
        .await;
    assert_eq!(r.ok(200)["status"], "withdrawn");
    b.app
        .get(&format!("/api/v1/public/disclosures/{id}"), None)
        .await
        .problem(404);
    let list = b.app.get("/api/v1/public/disclosures", None).await;
    assert!(list.ok(200)["items"].as_array().unwrap().is_empty());
    b.app
        .post(&path, Some(&b.office.token), &json!({"reason": "again"}))
        .await
        .problem(409);
    assert_eq!(
        b.app
            .get(&format!("/api/v1/disclosures/{id}"), Some(&b.office.token))
            .await
            .body["latest"]["withdraw_reason"],
        "号码停用"
    );
}

fn licensing_details() -> Value {
    json!({"matter": "危险化学品经营许可", "basis": "《危险化学品安全管理条例》", "conditions": "具备安全条件",
           "quantity": "不限", "procedure": "申请—受理—审查—决定", "time_limit": "20个工作日", "required_materials": ["申请书", "营业执照"]})
}

#[actix_web::test]
async fn licensing_fields_belong_to_a_licensing_item_only() {
    let b = bureau().await;
    let t = Some(b.staff.token.as_str());
    let mut body = item(b.staff.department_id, "penalty", "procedure");
    body["licensing"] = json!({"matter": "危险化学品经营许可"});
    let r = b.app.post("/api/v1/disclosures", t, &body).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "licensing");
    assert_eq!(b.app.number("SELECT COUNT(*) AS n FROM disclosures"), 0);

    let id = b.draft(item(b.staff.department_id, "penalty", "procedure")).await;
    let path = format!("/api/v1/disclosures/{id}");
    let etag = b.app.get(&path, t).await.header("etag").unwrap();
    let r = b
        .app
        .patch(&path, t, Some(&etag), &json!({"licensing": licensing_details()}))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(b.app.get(&path, t).await.ok(200)["latest"]["licensing"], Value::Null);
}

#[actix_web::test]
async fn a_licensing_item_is_published_only_when_complete() {
    let b = bureau().await;
    let mut body = item(b.staff.department_id, "licensing", "procedure");
    body["licensing"] = json!({"matter": "危险化学品经营许可", "quantity": " "});
    let id = b.draft(body).await;
    b.step(id, "submit", &b.staff.token).await.ok(200);
    let r = b.step(id, "publish", &b.office.token).await;
    assert_eq!(r.problem(422), "licensing_item_incomplete");
    assert_eq!(r.body["basis"], json!(["PUB-4"]));
    let fields: Vec<_> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        [
            "licensing.basis",
            "licensing.conditions",
            "licensing.quantity",
            "licensing.procedure",
            "licensing.time_limit",
            "licensing.required_materials",
            "attachments.sample_application_form"
        ]
    );
    assert_eq!(
        b.app
            .get(&format!("/api/v1/disclosures/{id}"), Some(&b.office.token))
            .await
            .body["status"],
        "submitted"
    );

    // Complete it: return, fill in, attach the sample form, resubmit.
    b.app
        .post(
            &format!("/api/v1/disclosures/{id}/return"),
            Some(&b.office.token),
            &json!({"comment": "不完整"}),
        )
        .await
        .ok(200);
    let path = format!("/api/v1/disclosures/{id}");
    let etag = b.app.get(&path, Some(&b.staff.token)).await.header("etag").unwrap();
    b.app
        .patch(
            &path,
            Some(&b.staff.token),
            Some(&etag),
            &json!({"licensing": licensing_details()}),
        )
        .await
        .ok(200);
    let r = b.step(id, "submit", &b.staff.token).await;
    r.ok(200);
    b.app
        .post(
            &format!("/api/v1/disclosures/{id}/return"),
            Some(&b.office.token),
            &json!({"comment": "缺示范文本"}),
        )
        .await
        .ok(200);
    let up = b.upload(id, "申请书示范文本.pdf", PDF, "sample_application_form").await;
    let attachment = up.ok(201)["id"].as_i64().unwrap();
    assert_eq!(up.body["content_type"], "application/pdf");
    assert_eq!(up.body["sha256"].as_str().unwrap().len(), 64);
    let r = b.submit_and_publish(id).await;
    assert_eq!(r.ok(200)["status"], "published");
    // The public downloads the sample form.
    let file = b
        .app
        .get(&format!("/api/v1/public/attachments/{attachment}"), None)
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.text.as_bytes(), PDF);
    assert!(file
        .header("content-disposition")
        .unwrap()
        .contains("filename*=UTF-8''"));

    // An update names the licensing field it changes; the others stay (PUB-5).
    let etag = b.app.get(&path, Some(&b.staff.token)).await.header("etag").unwrap();
    let r = b
        .app
        .patch(
            &path,
            Some(&b.staff.token),
            Some(&etag),
            &json!({"licensing": {"time_limit": "15个工作日"}}),
        )
        .await;
    let mut expected = licensing_details();
    expected["time_limit"] = json!("15个工作日");
    assert_eq!(r.ok(200)["latest"]["licensing"], expected);
    assert_eq!(r.body["latest"]["number"], 2);
}

#[actix_web::test]
async fn attachments_are_checked_and_private_until_published() {
    let b = bureau().await;
    let id = b.draft(item(b.staff.department_id, "coercive", "basis")).await;
    let before = b.app.count("attachments");
    let exe = b
        .upload(id, "tool.exe", b"MZ\x90\x00\x03 not a document", "other")
        .await;
    exe.problem(415);
    let huge = vec![b'%'; safeguards::publicity::rules::MAX_ATTACHMENT_BYTES + 1];
    b.upload(id, "huge.pdf", &huge, "other").await.problem(413);
    b.upload(id, "x.pdf", PDF, "poster").await.problem(422);
    // A zip names no Office application by its bytes: without a .docx/.xlsx/.pptx name (the
    // helper declares application/octet-stream) it is refused, not stored under a made-up type.
    let zip = b"PK\x03\x04\x14\x00 a zip archive";
    b.upload(id, "archive.zip", zip, "other").await.problem(415);
    assert_eq!(b.app.count("attachments"), before);
    let sheet = b.upload(id, "台账.XLSX", zip, "other").await;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    assert_eq!(sheet.ok(201)["content_type"], xlsx);
    let sheet_id = sheet.body["id"].as_i64().unwrap();
    let served = b
        .app
        .get(&format!("/api/v1/attachments/{sheet_id}"), Some(&b.staff.token))
        .await;
    assert_eq!(served.header("content-type").as_deref(), Some(xlsx));
    let ok = b.upload(id, "流程图.png", b"\x89PNG\r\n\x1a\n0000", "other").await;
    let att = ok.ok(201)["id"].as_i64().unwrap();
    b.app
        .get(&format!("/api/v1/public/attachments/{att}"), None)
        .await
        .problem(404);
    assert_eq!(
        b.app
            .get(&format!("/api/v1/attachments/{att}"), Some(&b.staff.token))
            .await
            .status,
        200
    );
    let outsider = b.app.account(Role::Staff).await;
    b.app
        .get(&format!("/api/v1/attachments/{att}"), Some(&outsider.token))
        .await
        .problem(404);
    b.step(id, "submit", &b.staff.token).await.ok(200);
    b.upload(id, "late.pdf", PDF, "other").await.problem(409);
}

async fn decided_act(b: &Bureau, kind_body: Value) -> i64 {
    b.app
        .post("/api/v1/acts", Some(&b.staff.token), &kind_body)
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap()
}

fn penalty_act(department: i64, officer: i64, decided: chrono::NaiveDate, counterpart: &str) -> Value {
    json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": department, "officers": [officer],
           "counterpart": {"name": "张三", "type": counterpart}, "legal_basis": "《安全生产法》",
           "decision_text": "警告", "decision_date": decided})
}

#[actix_web::test]
async fn publishing_a_decision_meets_its_deadline_and_revocation_takes_it_down() {
    let b = bureau().await;
    let officer = b.app.officer_with_certificate("王伟", b.staff.department_id, 100, 100);
    let act = decided_act(
        &b,
        penalty_act(
            b.staff.department_id,
            officer,
            today() - Days::new(30),
            "natural_person",
        ),
    )
    .await;
    assert_eq!(
        b.app
            .get(&format!("/api/v1/acts/{act}"), Some(&b.office.token))
            .await
            .body["disclosure"]["status"],
        "overdue"
    );
    let mut body = item(b.staff.department_id, "penalty", "decision");
    body["act_id"] = json!(act);
    let id = b.draft(body.clone()).await;
    assert_eq!(
        b.app
            .post("/api/v1/disclosures", Some(&b.staff.token), &body)
            .await
            .problem(409),
        "act_already_disclosed"
    );
    let r = b.submit_and_publish(id).await;
    // Retention: two years for a natural person, from publication.
    let until = today()
        .checked_add_months(chrono::Months::new(24))
        .unwrap()
        .pred_opt()
        .unwrap();
    assert_eq!(r.ok(200)["public"]["public_until"], json!(until));
    let a = b.app.get(&format!("/api/v1/acts/{act}"), Some(&b.office.token)).await;
    assert_eq!(a.body["disclosure"]["status"], "published");
    assert_eq!(a.body["disclosure"]["published_on"], json!(today()));
    assert!(
        b.app.get("/api/v1/publicity/overdue", Some(&b.office.token)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The counterpart turns out to be a company: five years from the same publication.
    let act_path = format!("/api/v1/acts/{act}");
    let etag = b
        .app
        .get(&act_path, Some(&b.office.token))
        .await
        .header("etag")
        .unwrap();
    b.app
        .patch(
            &act_path,
            Some(&b.office.token),
            Some(&etag),
            &json!({"counterpart": {"name": "某公司", "type": "legal_person"}}),
        )
        .await
        .ok(200);
    let five_years = today()
        .checked_add_months(chrono::Months::new(60))
        .unwrap()
        .pred_opt()
        .unwrap();
    let d = b
        .app
        .get(&format!("/api/v1/disclosures/{id}"), Some(&b.office.token))
        .await;
    assert_eq!(
        d.ok(200)["public"]["public_until"],
        json!(five_years),
        "retention follows the act"
    );
    // While the act stands, its decision stays public (PUB-4): no withdrawal.
    let r = b
        .app
        .post(
            &format!("/api/v1/disclosures/{id}/withdraw"),
            Some(&b.office.token),
            &json!({"reason": "撤回"}),
        )
        .await;
    assert_eq!(r.problem(409), "decision_stays_public");
    assert_eq!(r.body["basis"], json!(["PUB-4"]));
    b.app
        .get(&format!("/api/v1/public/disclosures/{id}"), None)
        .await
        .ok(200);

    b.app
        .post(
            &format!("/api/v1/acts/{act}/revoke"),
            Some(&b.office.token),
            &json!({"reason": "复议撤销"}),
        )
        .await
        .ok(200);
    b.app
        .get(&format!("/api/v1/public/disclosures/{id}"), None)
        .await
        .problem(404);
    let d = b
        .app
        .get(&format!("/api/v1/disclosures/{id}"), Some(&b.office.token))
        .await;
    assert_eq!(d.ok(200)["public"]["visible"], false);
    assert_eq!(d.body["takedowns"][0]["reason_kind"], "act_revoked");
}

#[actix_web::test]
async fn a_decision_leaves_the_public_lists_when_its_retention_ends() {
    let b = bureau().await;
    let officer = b.app.officer_with_certificate("王伟", b.staff.department_id, 100, 100);
    let act = decided_act(&b, penalty_act(b.staff.department_id, officer, today(), "legal_person")).await;
    let mut body = item(b.staff.department_id, "penalty", "decision");
    body["act_id"] = json!(act);
    let id = b.draft(body).await;
    b.submit_and_publish(id).await.ok(200);
    // Move the retention end into the past, as if five years had gone by.
    b.app.sql(&format!(
        "UPDATE disclosures SET public_until = '{}' WHERE id = {id}",
        today() - Days::new(1)
    ));
    b.app
        .get(&format!("/api/v1/public/disclosures/{id}"), None)
        .await
        .problem(404);
    assert!(b.app.get("/api/v1/public/disclosures", None).await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let swept = b
        .app
        .db
        .write_blocking(|c| {
            safeguards::publicity::store::sweep_retention(c, today(), safeguards::db::now())
                .map_err(safeguards::http::AppError::from)
        })
        .unwrap();
    assert_eq!(swept, 1);
    let d = b
        .app
        .get(&format!("/api/v1/disclosures/{id}"), Some(&b.office.token))
        .await;
    assert_eq!(d.body["takedowns"][0]["reason_kind"], "retention_ended");
}

#[actix_web::test]
async fn decision_disclosures_must_name_a_matching_act() {
    let b = bureau().await;
    let d = b.staff.department_id;
    let t = Some(b.staff.token.as_str());
    let before = b.app.count("disclosures");
    b.app
        .post("/api/v1/disclosures", t, &item(d, "penalty", "decision"))
        .await
        .problem(422);
    let mut with_act = item(d, "penalty", "procedure");
    with_act["act_id"] = json!(1);
    b.app.post("/api/v1/disclosures", t, &with_act).await.problem(422);
    let mut unknown = item(d, "penalty", "decision");
    unknown["act_id"] = json!(424242);
    b.app.post("/api/v1/disclosures", t, &unknown).await.problem(422);
    b.app
        .post("/api/v1/disclosures", t, &item(d, "bribery", "procedure"))
        .await
        .problem(400);
    b.app
        .post(
            "/api/v1/disclosures",
            t,
            &item(b.office.department_id, "penalty", "procedure"),
        )
        .await
        .problem(403);
    assert_eq!(b.app.count("disclosures"), before);
}

#[actix_web::test]
async fn the_public_list_filters_searches_and_pages() {
    let b = bureau().await;
    let d = b.staff.department_id;
    let mut ids = Vec::new();
    for (i, (category, title)) in [
        ("penalty", "罚款决定公示"),
        ("penalty", "处罚流程"),
        ("inspection", "检查计划"),
    ]
    .iter()
    .enumerate()
    {
        let mut body = item(d, category, "procedure");
        body["title"] = json!(title);
        body["body"] = json!(format!("正文{i}"));
        let id = b.draft(body).await;
        b.submit_and_publish(id).await.ok(200);
        ids.push(id);
    }
    let unpublished = b.draft(item(d, "penalty", "procedure")).await;
    let all = b.app.get("/api/v1/public/disclosures", None).await;
    let listed: Vec<i64> = all.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(listed, newest_first);
    assert!(!listed.contains(&unpublished));
    let penalty = b.app.get("/api/v1/public/disclosures?category=penalty", None).await;
    assert_eq!(penalty.body["items"].as_array().unwrap().len(), 2);
    let search = b
        .app
        .get(&format!("/api/v1/public/disclosures?q={}", "%E7%BD%9A%E6%AC%BE"), None)
        .await;
    assert_eq!(search.body["items"].as_array().unwrap().len(), 1, "罚款");
    let body_search = b
        .app
        .get(&format!("/api/v1/public/disclosures?q={}", "%E6%AD%A3%E6%96%872"), None)
        .await;
    assert_eq!(body_search.body["items"][0]["title"], "检查计划", "正文2");
    let page1 = b.app.get("/api/v1/public/disclosures?limit=2", None).await;
    let next = page1.body["next"].as_str().unwrap().to_owned();
    let page2 = b
        .app
        .get(&format!("/api/v1/public/disclosures?limit=2&after={next}"), None)
        .await;
    assert_eq!(page2.body["items"].as_array().unwrap().len(), 1);
    assert!(page2.body.get("next").is_none());
    b.app
        .get("/api/v1/public/disclosures?content_type=gossip", None)
        .await
        .problem(400);
    b.app
        .get(&format!("/api/v1/public/disclosures/{unpublished}"), None)
        .await
        .problem(404);
    b.app.get("/api/v1/public/disclosures/999999", None).await.problem(404);
}

/// The write benchmark's submitted disclosures are real ones: each publishes through the API.
#[actix_web::test]
async fn seeded_submitted_disclosures_publish_like_any_other() {
    let app = TestApp::new().await;
    app.department("一科");
    let office = app.account(Role::SupervisoryOffice).await;
    let (first, last) = safeguards::volume::seed_submitted(&app.db, 3).unwrap();
    assert_eq!(last - first, 2);
    for id in first..=last {
        let r = app
            .post(
                &format!("/api/v1/disclosures/{id}/publish"),
                Some(&office.token),
                &json!({}),
            )
            .await;
        assert_eq!(r.ok(200)["status"], "published", "{}", r.text);
    }
    let again = app
        .post(
            &format!("/api/v1/disclosures/{first}/publish"),
            Some(&office.token),
            &json!({}),
        )
        .await;
    again.problem(409);
    let public = app.get("/api/v1/public/disclosures", None).await;
    assert_eq!(public.ok(200)["items"].as_array().unwrap().len(), 3);
}
