//! Service accounts: client credentials (JSON, form, Basic), secrets shown once and stored
//! hashed, rotation and revocation cutting tokens at once, scopes applied on every request.

mod common;

use actix_web::test::TestRequest;
use base64::Engine;
use common::TestApp;
use safeguards::auth::Role;
use serde_json::json;

#[actix_web::test]
async fn a_service_account_gets_a_token_with_its_scopes_in_three_ways() {
    let app = TestApp::new().await;
    let (id, secret, token) = app.service(&["acts:read", "events:read"]).await;
    assert!(id.starts_with("svc-") && secret.len() == 64);
    let stored = app.count(&format!("service_accounts WHERE secret_hash = '{secret}'"));
    assert_eq!(stored, 0, "the secret itself is not stored");
    app.get("/api/v1/acts", Some(&token)).await.ok(200);
    assert_eq!(
        app.get("/api/v1/certificates", Some(&token)).await.problem(403),
        "forbidden"
    );
    app.get("/api/v1/me", Some(&token)).await.problem(403);

    let form = TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={secret}"
        ));
    let r = app.send(form).await;
    assert_eq!(r.ok(200)["scope"], "acts:read events:read");
    assert_eq!(r.body["token_type"], "Bearer");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let r = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .insert_header(("authorization", format!("Basic {basic}")))
                .set_json(json!({"grant_type": "client_credentials"})),
        )
        .await;
    r.ok(200);

    let wrong = json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "0".repeat(64)});
    app.post("/api/v1/auth/token", None, &wrong).await.problem(401);
    let grant = json!({"grant_type": "password", "client_id": id, "client_secret": secret});
    app.post("/api/v1/auth/token", None, &grant).await.problem(422);
    // A service account never signs in with a password.
    let login = json!({"username": id, "password": "whatever-long-enough"});
    app.post("/api/v1/auth/login", None, &login).await.problem(401);
}

#[actix_web::test]
async fn rotation_revocation_and_scope_changes_apply_at_once() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let r = app
        .post(
            "/api/v1/service-accounts",
            t,
            &json!({"name": "政务平台", "scopes": ["acts:read"]}),
        )
        .await;
    let (account, id, secret) = (
        r.ok(201)["id"].as_i64().unwrap(),
        r.body["client_id"].as_str().unwrap().to_owned(),
        r.body["client_secret"].as_str().unwrap().to_owned(),
    );
    let token_for =
        |secret: &str| json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    let token = app.post("/api/v1/auth/token", None, &token_for(&secret)).await.ok(200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = app.get(&format!("/api/v1/service-accounts/{account}"), t).await;
    assert!(listed.ok(200).get("client_secret").is_none(), "shown once only");

    let path = format!("/api/v1/service-accounts/{account}/scopes");
    let put = |body: serde_json::Value| {
        TestRequest::put()
            .uri(&path)
            .insert_header(("authorization", format!("Bearer {}", office.token)))
            .set_json(body)
    };
    app.send(put(json!({"scopes": []}))).await.problem(422);
    app.send(put(json!({"scopes": ["acts:admin"]}))).await.problem(400);
    app.send(put(json!({"scopes": ["certificates:read"]}))).await.ok(200);
    app.get("/api/v1/acts", Some(&token)).await.problem(403);
    app.get("/api/v1/certificates", Some(&token)).await.ok(200);

    let r = app
        .post(&format!("/api/v1/service-accounts/{account}/rotate"), t, &json!({}))
        .await;
    let new_secret = r.ok(200)["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    app.get("/api/v1/certificates", Some(&token)).await.problem(401);
    app.post("/api/v1/auth/token", None, &token_for(&secret))
        .await
        .problem(401);
    let token = app
        .post("/api/v1/auth/token", None, &token_for(&new_secret))
        .await
        .ok(200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get("/api/v1/certificates", Some(&token)).await.ok(200);

    let r = app
        .post(&format!("/api/v1/service-accounts/{account}/revoke"), t, &json!({}))
        .await;
    assert_eq!(r.ok(200)["active"], false);
    app.get("/api/v1/certificates", Some(&token)).await.problem(401);
    app.post("/api/v1/auth/token", None, &token_for(&new_secret))
        .await
        .problem(401);
    app.post(&format!("/api/v1/service-accounts/{account}/rotate"), t, &json!({}))
        .await
        .problem(409);
    let staff = app.account(Role::Staff).await;
    app.post(
        "/api/v1/service-accounts",
        Some(&staff.token),
        &json!({"name": "x", "scopes": ["acts:read"]}),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn service_accounts_are_not_users_and_never_see_petitioners() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let body = json!({"username": "legal-office", "password": "a-long-passphrase", "role": "integration"});
    app.post("/api/v1/users", Some(&office.token), &body).await.problem(422);
    let (_, _, token) = app.service(&["petitions:read", "petitions:write"]).await;
    let r = app
        .post(
            "/api/v1/petitions",
            Some(&token),
            &json!({"channel": "web", "subject": "12345转办", "content": "内容", "contact": "13900000000"}),
        )
        .await;
    let id = r.ok(201)["id"].as_i64().unwrap();
    let seen = app.get(&format!("/api/v1/petitions/{id}"), Some(&token)).await;
    assert!(seen.ok(200)["contact"].is_null());
    let office_view = app.get(&format!("/api/v1/petitions/{id}"), Some(&office.token)).await;
    assert_eq!(office_view.ok(200)["contact"], "13900000000");
}
