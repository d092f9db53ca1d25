//! HTTP conventions: problem+json for every failure, body limits, request ids, health,
//! metrics, Swagger UI — and refused requests leave stored data unchanged.

mod common;

use actix_web::http::header;
use actix_web::test::TestRequest;
use common::TestApp;
use safeguards::auth::Role;
use serde_json::json;

async fn office_with_department() -> (TestApp, String, String) {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let path = format!("/api/v1/departments/{}", office.department_id);
    (app, office.token, path)
}

#[actix_web::test]
async fn malformed_bodies_are_400_and_change_nothing() {
    let (app, token, path) = office_with_department().await;
    let before = app.get(&path, Some(&token)).await.text;
    let etag = app.get(&path, Some(&token)).await.header("etag").unwrap();
    let bearer = format!("Bearer {token}");
    let cases: Vec<(&str, &str)> = vec![
        ("truncated JSON", "{\"name\": "),
        ("not JSON", "name=x"),
        ("wrong type", "{\"name\": 42}"),
        ("unknown field", "{\"name\": \"x\", \"colour\": \"red\"}"),
        ("array", "[1, 2]"),
    ];
    for (name, body) in cases {
        let req = TestRequest::patch()
            .uri(&path)
            .insert_header((header::AUTHORIZATION, bearer.clone()))
            .insert_header((header::IF_MATCH, etag.clone()))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(body);
        let r = app.send(req).await;
        assert_eq!(r.problem(400), "bad_request", "{name}");
    }
    let wrong_type = TestRequest::post()
        .uri("/api/v1/departments")
        .insert_header((header::AUTHORIZATION, bearer.clone()))
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("{}");
    assert_eq!(app.send(wrong_type).await.problem(415), "unsupported_media_type");
    assert_eq!(app.get(&path, Some(&token)).await.text, before, "stored data unchanged");
}

#[actix_web::test]
async fn an_array_is_not_read_as_an_object_at_any_depth() {
    let (app, token, _) = office_with_department().await;
    let t = Some(token.as_str());
    let dept = app.department("一科");
    let officer = app.officer_with_certificate("王伟", dept, 30, 365);
    // serde reads a struct from an array of its fields in order: `[]` for a body whose fields
    // all have defaults, a pair for the counterpart.
    let r = app.post("/api/v1/publicity/overdue/1/refer", t, &json!([])).await;
    assert_eq!(r.problem(400), "bad_request", "{}", r.text);
    let act = json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": dept, "officers": [officer],
        "counterpart": ["某化工有限公司", "legal_person"], "legal_basis": "《安全生产法》", "decision_text": "罚款三万元",
        "decision_date": safeguards::db::today()});
    let r = app.post("/api/v1/acts", t, &act).await;
    assert_eq!(r.problem(400), "bad_request", "{}", r.text);
    assert!(r.text.contains("JSON object"), "{}", r.text);
    assert_eq!((app.count("acts"), app.count("acc_cases")), (0, 0));
}

#[actix_web::test]
async fn an_oversized_body_is_413_and_nothing_is_stored() {
    let (app, token, _) = office_with_department().await;
    let before = app.count("departments");
    let huge = json!({"name": "x".repeat(safeguards::JSON_LIMIT + 1), "code": "BIG"});
    let r = app.post("/api/v1/departments", Some(&token), &huge).await;
    assert_eq!(r.problem(413), "payload_too_large");
    assert_eq!(app.count("departments"), before);
}

#[actix_web::test]
async fn invalid_ids_are_400_and_missing_ones_404() {
    let (app, token, _) = office_with_department().await;
    let t = Some(token.as_str());
    app.get("/api/v1/departments/abc", t).await.problem(400);
    app.get("/api/v1/departments/99999999999999999999", t)
        .await
        .problem(400);
    app.get("/api/v1/departments/424242", t).await.problem(404);
    app.get("/api/v1/departments/-1", t).await.problem(404);
    app.get("/api/v1/no-such-thing", t).await.problem(404);
}

#[actix_web::test]
async fn a_stale_etag_leaves_the_record_unchanged() {
    let (app, token, path) = office_with_department().await;
    let t = Some(token.as_str());
    let first = app.get(&path, t).await;
    let etag = first.header("etag").unwrap();
    app.patch(&path, t, Some(&etag), &json!({"code": "NEW-1"}))
        .await
        .ok(200);
    let after_first = app.get(&path, t).await.text;
    app.patch(&path, t, Some(&etag), &json!({"code": "NEW-2"}))
        .await
        .problem(412);
    assert_eq!(app.get(&path, t).await.text, after_first);
}

#[actix_web::test]
async fn request_ids_are_echoed_or_made() {
    let app = TestApp::new().await;
    let r = app
        .send(
            TestRequest::get()
                .uri("/health/live")
                .insert_header(("x-request-id", "abc-123")),
        )
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("abc-123"));
    let r = app.get("/health/live", None).await;
    let id = uuid::Uuid::parse_str(&r.header("x-request-id").unwrap()).unwrap();
    assert_eq!(id.get_version(), Some(uuid::Version::Random));
    let again = app.get("/health/live", None).await.header("x-request-id").unwrap();
    assert_ne!(again, id.to_string(), "a new id for every request");
    let r = app.get("/api/v1/me", None).await;
    assert!(r.header("x-request-id").is_some(), "errors carry it too");
}

#[actix_web::test]
async fn health_metrics_and_docs_answer() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/health/live", None).await.ok(200)["status"], "ok");
    assert_eq!(app.get("/health/ready", None).await.ok(200)["status"], "ok");
    app.get("/api/v1/public/certificates/none", None).await;
    app.get("/random/path/12345", None).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.text.contains("safeguards_http_requests_total"));
    assert!(metrics
        .text
        .contains("safeguards_http_requests_duration_seconds_bucket"));
    assert!(metrics.text.contains("safeguards_db_pool_connections{state=\"max\"} 4"));
    assert!(
        metrics
            .text
            .contains("endpoint=\"/api/v1/public/certificates/{number}\""),
        "labelled by route"
    );
    assert!(
        !metrics.text.contains("/random/path/12345"),
        "unrouted paths are masked"
    );
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status, 200);
    assert!(docs.text.contains("swagger"), "Swagger UI is served from the binary");
    let spec = app.get("/openapi.json", None).await;
    assert_eq!(spec.ok(200)["info"]["title"], "safeguards");
}

#[actix_web::test]
async fn readiness_is_503_when_the_database_is_gone() {
    // A pool pointed at a server that is not there: ready says 503, and an API call answers a
    // 503 problem rather than hanging or failing with 500.
    let db = safeguards::db::Db::connect("postgres://nobody@127.0.0.1:1/none", 2).unwrap();
    let state =
        actix_web::web::Data::new(safeguards::AppState::new(db, &safeguards::config::JwtSecret::generate()).unwrap());
    let service = actix_web::test::init_service(safeguards::app(state)).await;
    let started = std::time::Instant::now();
    let res = actix_web::test::call_service(&service, TestRequest::get().uri("/health/ready").to_request()).await;
    assert_eq!(res.status(), 503);
    let res = actix_web::test::call_service(
        &service,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": "a", "password": "b"}))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
    assert!(started.elapsed().as_secs() < 15, "answered without hanging");
}

/// The write baseline of `bench/load.sh` answers only when served with `--bench-baseline`, and
/// then stores exactly one row per call, with no audit entry.
#[actix_web::test]
async fn the_write_baseline_answers_only_when_switched_on() {
    let off = TestApp::new().await;
    let r = off.post("/bench/insert", None, &json!({})).await;
    assert_eq!(r.problem(404), "not_found");
    assert_eq!(off.count("baseline_writes"), 0);

    let on = TestApp::with(|state| state.bench_baseline = true).await;
    let audit = on.count("audit_log");
    for _ in 0..3 {
        on.post("/bench/insert", None, &json!({})).await.ok(201);
    }
    assert_eq!(on.count("baseline_writes"), 3);
    assert_eq!(on.count("audit_log"), audit);
    let doc = serde_json::to_value(safeguards::openapi_document()).unwrap();
    assert!(doc["paths"]["/bench/insert"].is_null());
}

#[actix_web::test]
async fn a_path_asked_with_a_method_it_does_not_take_is_405_with_allow() {
    let (app, token, _) = office_with_department().await;
    let req = TestRequest::delete()
        .uri("/api/v1/acts/1")
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
    let r = app.send(req).await;
    assert_eq!(r.problem(405), "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
    let r = app.get("/api/v1/no-such-thing", Some(&token)).await;
    assert_eq!(r.problem(404), "not_found");
}
