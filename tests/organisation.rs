//! Departments, people and accounts: who may do what, validation, ETags, visibility, audit.

mod common;

use common::TestApp;
use safeguards::auth::Role;
use safeguards::org::rules::Position;
use serde_json::json;

#[actix_web::test]
async fn the_office_creates_reads_and_updates_a_department_with_if_match() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let r = app
        .post("/api/v1/departments", t, &json!({"name": "监管处", "code": "JGC"}))
        .await;
    let id = r.ok(201)["id"].as_i64().unwrap();
    assert_eq!(r.header("location").unwrap(), format!("/api/v1/departments/{id}"));
    let path = format!("/api/v1/departments/{id}");
    let got = app.get(&path, t).await;
    assert_eq!(got.ok(200)["name"], "监管处");
    let etag = got.header("etag").unwrap();
    assert_eq!(etag, r.header("etag").unwrap(), "creation and read give the same ETag");

    // Without If-Match: 428; with a stale one: 412; neither changes anything.
    app.patch(&path, t, None, &json!({"name": "监管一处"}))
        .await
        .problem(428);
    app.patch(&path, t, Some("\"stale\""), &json!({"name": "监管一处"}))
        .await
        .problem(412);
    assert_eq!(app.get(&path, t).await.body["name"], "监管处");

    let r = app
        .patch(&path, t, Some(&etag), &json!({"name": "监管一处", "active": false}))
        .await;
    assert_eq!(r.ok(200)["name"], "监管一处");
    assert_eq!(r.body["active"], false);
    assert_ne!(r.header("etag").unwrap(), etag);
    // The old ETag is now stale.
    app.patch(&path, t, Some(&etag), &json!({"name": "x"}))
        .await
        .problem(412);
}

#[actix_web::test]
async fn duplicate_names_and_codes_conflict_and_bad_fields_are_listed() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    app.post("/api/v1/departments", t, &json!({"name": "综合处", "code": "ZHC"}))
        .await
        .ok(201);
    let before = app.count("departments");
    assert_eq!(
        app.post("/api/v1/departments", t, &json!({"name": "综合处", "code": "OTHER"}))
            .await
            .problem(409),
        "already_exists"
    );
    let r = app
        .post("/api/v1/departments", t, &json!({"name": "  ", "code": "has space"}))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    let fields: Vec<_> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["name", "code"]);
    // Text of invisible characters only (zero-width space, direction mark, BOM) is no name.
    let r = app
        .post(
            "/api/v1/departments",
            t,
            &json!({"name": "\u{200b}\u{200f}\u{feff}", "code": "ZW"}),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["message"], "must contain a visible character");
    assert_eq!(app.count("departments"), before, "nothing was stored");
}

#[actix_web::test]
async fn staff_see_only_their_department_and_cannot_write() {
    let app = TestApp::new().await;
    let staff = app.account(Role::Staff).await;
    let other = app.department("elsewhere");
    let t = Some(staff.token.as_str());
    let list = app.get("/api/v1/departments", t).await;
    let ids: Vec<i64> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [staff.department_id]);
    app.get(&format!("/api/v1/departments/{other}"), t).await.problem(404);
    app.get(&format!("/api/v1/departments/{}", staff.department_id), t)
        .await
        .ok(200);
    app.post("/api/v1/departments", t, &json!({"name": "x", "code": "x"}))
        .await
        .problem(403);

    let someone_else = app.person("外部门人员", Position::Officer, other);
    app.get(&format!("/api/v1/people/{someone_else}"), t).await.problem(404);
    app.get(&format!("/api/v1/people/{}", staff.person_id), t).await.ok(200);
    let people = app.get("/api/v1/people", t).await;
    assert!(people.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["department_id"] == staff.department_id));
}

#[actix_web::test]
async fn leadership_reads_everything_but_does_not_administer() {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let d1 = app.department("d one");
    let d2 = app.department("d two");
    let t = Some(leader.token.as_str());
    let list = app.get("/api/v1/departments", t).await;
    let ids: Vec<i64> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&d1) && ids.contains(&d2));
    app.post(
        "/api/v1/people",
        t,
        &json!({"name": "x", "position": "officer", "department_id": d1}),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn people_need_an_existing_department_and_a_known_position() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let before = app.count("people");
    let r = app
        .post(
            "/api/v1/people",
            t,
            &json!({"name": "李四", "position": "officer", "department_id": 9999}),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "department_id");
    app.post(
        "/api/v1/people",
        t,
        &json!({"name": "李四", "position": "boss", "department_id": office.department_id}),
    )
    .await
    .problem(400);
    assert_eq!(app.count("people"), before);
    let r = app
        .post(
            "/api/v1/people",
            t,
            &json!({"name": "李四", "position": "department_head", "department_id": office.department_id}),
        )
        .await;
    assert_eq!(r.ok(201)["position"], "department_head");
}

#[actix_web::test]
async fn lists_page_with_a_cursor_and_refuse_bad_limits() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    for i in 0..5 {
        app.department(&format!("page {i}"));
    }
    let t = Some(office.token.as_str());
    let mut seen = Vec::new();
    let mut uri = "/api/v1/departments?limit=2".to_owned();
    loop {
        let page = app.get(&uri, t).await;
        let body = page.ok(200);
        let items = body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|d| d["id"].as_i64().unwrap()));
        match body["next"].as_str() {
            Some(next) => uri = format!("/api/v1/departments?limit=2&after={next}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "each once, in order");
    assert_eq!(seen.len() as i64, app.count("departments"));
    app.get("/api/v1/departments?limit=0", t).await.problem(400);
    app.get("/api/v1/departments?limit=201", t).await.problem(400);
    app.get("/api/v1/departments?after=abc", t).await.problem(400);
    app.get("/api/v1/departments?bogus=1", t).await.problem(400);
}

#[actix_web::test]
async fn accounts_are_validated_and_staff_need_a_person() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let before = app.count("users");
    let r = app
        .post(
            "/api/v1/users",
            t,
            &json!({"username": "Bad Name", "password": "short", "role": "staff"}),
        )
        .await;
    r.problem(422);
    let fields: Vec<_> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["username", "password", "person_id"]);
    assert_eq!(app.count("users"), before);

    let person = app.person("新人", Position::Officer, office.department_id);
    let body =
        json!({"username": "xinren", "password": "a-long-enough-password", "role": "staff", "person_id": person});
    let r = app.post("/api/v1/users", t, &body).await;
    assert_eq!(r.ok(201)["role"], "staff");
    assert!(r.body.get("password_hash").is_none() && !r.text.contains("argon2"));
    let again =
        json!({"username": "xinren2", "password": "a-long-enough-password", "role": "staff", "person_id": person});
    assert_eq!(
        app.post("/api/v1/users", t, &again).await.problem(409),
        "person_has_account"
    );
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "xinren", "password": "a-long-enough-password"}),
        )
        .await;
    login.ok(200);
}

#[actix_web::test]
async fn a_password_reset_signs_out_and_the_new_password_works() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let t = Some(office.token.as_str());
    let path = format!("/api/v1/users/{}", staff.user_id);
    let etag = app.get(&path, t).await.header("etag").unwrap();
    app.patch(&path, t, Some(&etag), &json!({"password": "short"}))
        .await
        .problem(422);
    app.patch(&path, t, Some(&etag), &json!({"password": "a-brand-new-password"}))
        .await
        .ok(200);
    app.get("/api/v1/me", Some(&staff.token)).await.problem(401);
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": staff.username, "password": "a-brand-new-password"}),
    )
    .await
    .ok(200);
}

#[actix_web::test]
async fn the_office_cannot_disable_or_demote_itself() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let path = format!("/api/v1/users/{}", office.user_id);
    let etag = app.get(&path, t).await.header("etag").unwrap();
    assert_eq!(
        app.patch(&path, t, Some(&etag), &json!({"active": false}))
            .await
            .problem(409),
        "own_account"
    );
    assert_eq!(
        app.patch(&path, t, Some(&etag), &json!({"role": "staff"}))
            .await
            .problem(409),
        "own_account"
    );
    app.get("/api/v1/me", t).await.ok(200);
}

#[actix_web::test]
async fn a_role_change_invalidates_tokens_that_carry_the_old_role() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let path = format!("/api/v1/users/{}", staff.user_id);
    let etag = app.get(&path, Some(&office.token)).await.header("etag").unwrap();
    app.patch(&path, Some(&office.token), Some(&etag), &json!({"role": "leadership"}))
        .await
        .ok(200);
    app.get("/api/v1/me", Some(&staff.token)).await.problem(401);
    let again = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": staff.username, "password": staff.password}),
        )
        .await;
    let token = again.ok(200)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.body["role"], "leadership");
}

#[actix_web::test]
async fn an_inactive_department_or_person_takes_on_no_new_work() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let dissolved = app.department("撤销处");
    let officer = app.officer_with_certificate("调离", dissolved, 100, 300);
    let act = json!({"kind": "penalty", "penalty_procedure": "on_the_spot", "department_id": dissolved, "officers": [officer],
        "counterpart": {"name": "某公司", "type": "legal_person"}, "legal_basis": "依据", "decision_text": "罚款",
        "decision_date": safeguards::db::today()});
    let earlier = app.post("/api/v1/acts", t, &act).await.ok(201)["id"].as_i64().unwrap();
    let petition = json!({"channel": "hotline", "subject": "投诉", "content": "内容"});
    let petition = app.post("/api/v1/petitions", t, &petition).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    app.sql(&format!("UPDATE departments SET active = false WHERE id = {dissolved}"));
    app.sql(&format!("UPDATE people SET active = false WHERE id = {officer}"));
    let before = (app.count("acts"), app.count("inspections"));

    let r = app.post("/api/v1/acts", t, &act).await;
    assert_eq!(r.body["errors"][0]["field"], "department_id", "{}", r.body);
    let r = app
        .post(
            &format!("/api/v1/petitions/{petition}/assign"),
            t,
            &json!({"department_id": dissolved}),
        )
        .await;
    assert_eq!(r.body["errors"][0]["message"], "the department is inactive");
    let inspection = json!({"kind": "ad_hoc", "title": "检查", "period_from": safeguards::db::today(),
        "period_to": safeguards::db::today(), "scope": [], "inspectors": [officer]});
    let r = app.post("/api/v1/inspections", t, &inspection).await;
    assert_eq!(r.body["errors"][0]["field"], "inspectors[0]");
    assert_eq!(before, (app.count("acts"), app.count("inspections")));
    let r = app
        .post(
            "/api/v1/people",
            t,
            &json!({"name": "新人", "position": "officer", "department_id": dissolved}),
        )
        .await;
    assert_eq!(r.body["errors"][0]["message"], "the department is inactive");
    let r = app
        .post(
            "/api/v1/users",
            t,
            &json!({"username": "gone", "password": "inactive-pass-1", "role": "staff", "person_id": officer}),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "person_id");
    // Its past acts stay on record and can still be read.
    app.get(&format!("/api/v1/acts/{earlier}"), t).await.ok(200);
}
