//! Sign-in, tokens, sessions and throttling, through the real application.

mod common;

use actix_web::http::header;
use actix_web::test::TestRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{TestApp, PASSWORD};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use safeguards::auth::Role;
use serde_json::{json, Value};

fn login_body(username: &str, password: &str) -> Value {
    json!({"username": username, "password": password})
}

#[actix_web::test]
async fn login_returns_a_bearer_token_that_identifies_the_caller() {
    let app = TestApp::new().await;
    let s = app.account(Role::Staff).await;
    let r = app
        .post("/api/v1/auth/login", None, &login_body(&s.username, PASSWORD))
        .await;
    let body = r.ok(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let me = app.get("/api/v1/me", body["access_token"].as_str()).await;
    assert_eq!(me.ok(200)["username"], s.username.as_str());
    assert_eq!(me.body["role"], "staff");
    assert_eq!(me.body["department_id"], s.department_id);
    assert_eq!(me.body["person"]["id"], s.person_id);
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = TestApp::new().await;
    let s = app.account(Role::Staff).await;
    let wrong = app
        .post("/api/v1/auth/login", None, &login_body(&s.username, "not-the-password"))
        .await;
    let unknown = app
        .post("/api/v1/auth/login", None, &login_body("nobody-here", PASSWORD))
        .await;
    assert_eq!(wrong.problem(401), "unauthorized");
    assert_eq!(unknown.problem(401), "unauthorized");
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = TestApp::new().await;
    let s = app.account(Role::Staff).await;
    let first = app
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": s.refresh_token}))
        .await;
    let second_refresh = first.ok(200)["refresh_token"].as_str().unwrap().to_owned();
    let new_access = first.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, s.refresh_token);
    app.get("/api/v1/me", Some(&new_access)).await.ok(200);

    // The first token again: reuse. The family dies, including the newest tokens.
    let reuse = app
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": s.refresh_token}))
        .await;
    reuse.problem(401);
    app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": second_refresh}))
        .await
        .problem(401);
    app.get("/api/v1/me", Some(&new_access)).await.problem(401);
    app.get("/api/v1/me", Some(&s.token)).await.problem(401);
    // Another login still works.
    app.post("/api/v1/auth/login", None, &login_body(&s.username, PASSWORD))
        .await
        .ok(200);
}

#[actix_web::test]
async fn logout_revokes_the_access_and_refresh_tokens() {
    let app = TestApp::new().await;
    let s = app.account(Role::Leadership).await;
    let r = app.post("/api/v1/auth/logout", Some(&s.token), &json!({})).await;
    assert_eq!(r.status.as_u16(), 204);
    app.get("/api/v1/me", Some(&s.token)).await.problem(401);
    app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": s.refresh_token}))
        .await
        .problem(401);
}

#[actix_web::test]
async fn a_disabled_account_cannot_log_in_refresh_or_use_its_token() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let s = app.account(Role::Staff).await;
    let path = format!("/api/v1/users/{}", s.user_id);
    let etag = app.get(&path, Some(&office.token)).await.header("etag").unwrap();
    app.patch(&path, Some(&office.token), Some(&etag), &json!({"active": false}))
        .await
        .ok(200);

    app.get("/api/v1/me", Some(&s.token)).await.problem(401);
    app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": s.refresh_token}))
        .await
        .problem(401);
    app.post("/api/v1/auth/login", None, &login_body(&s.username, PASSWORD))
        .await
        .problem(401);
}

fn claims(user_id: i64, role: &str, now: i64) -> Value {
    json!({"iss": "safeguards", "aud": "safeguards-api", "sub": user_id.to_string(), "role": role,
           "department_id": null, "iat": now, "nbf": now, "exp": now + 600, "jti": "x", "sid": 1})
}

fn sign(claims: &Value, secret: &[u8], alg: Algorithm) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

#[actix_web::test]
async fn bad_tokens_are_all_refused_with_401() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let now = chrono::Utc::now().timestamp();
    let wrong_secret = b"another-secret-another-secret-another-secret";
    let good_parts: Vec<&str> = staff.token.split('.').collect();

    let mut expired = claims(staff.user_id, "staff", now - 3600);
    expired["exp"] = json!(now - 1800);
    let future = {
        let mut c = claims(staff.user_id, "staff", now);
        c["nbf"] = json!(now + 3600);
        c
    };
    let mut no_exp = claims(staff.user_id, "staff", now);
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut wrong_iss = claims(staff.user_id, "staff", now);
    wrong_iss["iss"] = json!("someone-else");
    let mut wrong_aud = claims(staff.user_id, "staff", now);
    wrong_aud["aud"] = json!("another-api");

    // The staff token with its role claim changed to the office's (signature no longer matches).
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(good_parts[1]).unwrap()).unwrap();
    payload["role"] = json!("supervisory_office");
    let modified_role = format!("{}.{}.{}", good_parts[0], b64(&payload), good_parts[2]);

    let alg_none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), good_parts[1]);
    let hs512 = sign(&claims(staff.user_id, "staff", now), wrong_secret, Algorithm::HS512);

    // A disabled account's token obtained by refresh just before it was disabled.
    let victim = app.account(Role::Staff).await;
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": victim.refresh_token}),
        )
        .await;
    let refreshed_token = refreshed.ok(200)["access_token"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/users/{}", victim.user_id);
    let etag = app.get(&path, Some(&office.token)).await.header("etag").unwrap();
    app.patch(&path, Some(&office.token), Some(&etag), &json!({"active": false}))
        .await
        .ok(200);

    let cases: Vec<(&str, String)> = vec![
        ("alg none", alg_none),
        ("other algorithm", hs512),
        (
            "bad signature",
            sign(&claims(staff.user_id, "staff", now), wrong_secret, Algorithm::HS256),
        ),
        ("expired", sign(&expired, b"x", Algorithm::HS256)),
        ("not yet valid", sign(&future, b"x", Algorithm::HS256)),
        ("wrong iss", sign(&wrong_iss, b"x", Algorithm::HS256)),
        ("wrong aud", sign(&wrong_aud, b"x", Algorithm::HS256)),
        ("missing exp", sign(&no_exp, b"x", Algorithm::HS256)),
        ("garbage", "not.a.token".into()),
        ("empty bearer", String::new()),
        ("disabled account after refresh", refreshed_token),
        ("modified role claim", modified_role),
        ("truncated signature", staff.token[..staff.token.len() - 3].to_owned()),
    ];
    for (name, token) in cases {
        let req = TestRequest::get()
            .uri("/api/v1/me")
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        let r = app.send(req).await;
        assert_eq!(r.status.as_u16(), 401, "case `{name}` got {}: {}", r.status, r.text);
        r.problem(401);
        assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"), "case `{name}`");
    }
    // Another scheme than Bearer.
    let r = app
        .send(
            TestRequest::get()
                .uri("/api/v1/me")
                .insert_header((header::AUTHORIZATION, "Basic abc")),
        )
        .await;
    r.problem(401);
    app.get("/api/v1/me", Some(&staff.token)).await.ok(200);
}

#[actix_web::test]
async fn time_and_issuer_checks_apply_to_correctly_signed_tokens() {
    let app = TestApp::new().await;
    let staff = app.account(Role::Staff).await;
    let now = chrono::Utc::now();
    let good = safeguards::auth::tokens::Claims::new(staff.user_id, Role::Staff, Some(staff.department_id), 1, now);
    // Signed with the server's own key, so only the time and issuer checks can refuse them
    // (the cases of the test above signed with another key fail on the signature first).
    let secret_keys = &app.state.tokens;
    let expired =
        safeguards::auth::tokens::Claims::new(staff.user_id, Role::Staff, None, 1, now - chrono::TimeDelta::hours(1));
    let mut early = good.clone();
    early.nbf = now.timestamp() + 3600;
    let mut iss = good.clone();
    iss.iss = "elsewhere".into();
    let mut aud = good.clone();
    aud.aud = "elsewhere".into();
    for (name, c) in [
        ("expired", expired),
        ("not yet valid", early),
        ("iss", iss),
        ("aud", aud),
    ] {
        let token = secret_keys.sign(&c).unwrap();
        let r = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(r.status.as_u16(), 401, "case {name}: {}", r.text);
    }
}

#[actix_web::test]
async fn repeated_failures_are_throttled_per_client_without_blocking_others() {
    let app = TestApp::new().await;
    let s = app.account(Role::Staff).await;
    let attempt = |password: &str, ip: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr(format!("{ip}:40000").parse().unwrap())
            .set_json(login_body(&s.username, password))
    };
    for _ in 0..safeguards::auth::throttle::MAX_FAILURES_PER_ACCOUNT {
        app.send(attempt("wrong-password-x", "10.1.1.1")).await.problem(401);
    }
    // Now even the right password from that client waits.
    let r = app.send(attempt(PASSWORD, "10.1.1.1")).await;
    assert_eq!(r.problem(429), "rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900);
    // The server answers other requests normally, and another client signs in.
    app.get("/health/live", None).await.ok(200);
    app.send(attempt(PASSWORD, "10.2.2.2")).await.ok(200);
}
