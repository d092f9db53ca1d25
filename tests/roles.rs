//! Every operation of the OpenAPI document, called with no token, as each role and as
//! service accounts. The expected outcome comes from the access table the extractor enforces
//! (`http::access::TABLE`), and an operation missing from it fails: the roles a row lists get
//! past authorisation, every other role gets 403, no token 401 (public rows: never 401/403);
//! a service account passes exactly where the route's scope is one it holds.

mod common;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use common::TestApp;
use safeguards::auth::Role;
use safeguards::http::access::{self, Access};

fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{number}", "NO-SUCH-NUMBER")
}

#[actix_web::test]
async fn each_operation_admits_exactly_the_roles_it_documents() {
    let app = TestApp::new().await;
    let mut sessions = Vec::new();
    for role in Role::PEOPLE {
        sessions.push((*role, app.account(*role).await));
    }
    let doc = serde_json::to_value(safeguards::openapi_document()).unwrap();
    let mut clients: Vec<(String, String, String)> = Vec::new();
    let mut ops: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut public = Vec::new();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let verb: Method = method.to_uppercase().parse().unwrap();
            let mut roles: Vec<String> = match access::of(&verb, path) {
                None => {
                    missing.push(format!("{verb} {path}"));
                    continue;
                }
                Some(Access::Public) => {
                    public.push((verb, path.clone()));
                    continue;
                }
                Some(Access::People(roles)) => roles.iter().map(|r| r.as_str().to_owned()).collect(),
            };
            if let Some(scope) = access::scope(&verb, path) {
                roles.push(format!("scope:{scope}"));
            }
            ops.push((method.clone(), path.clone(), roles));
        }
    }
    assert!(
        missing.is_empty(),
        "operations missing from the access table: {missing:?}"
    );
    let stale: Vec<_> = access::TABLE
        .iter()
        .filter(|(m, p, _)| doc["paths"][*p][m.as_str().to_lowercase()].is_null())
        .collect();
    assert!(
        stale.is_empty(),
        "access table rows without a documented operation: {stale:?}"
    );
    for (verb, path) in &public {
        let r = app
            .send(
                TestRequest::default()
                    .method(verb.clone())
                    .uri(&concrete(path))
                    .set_json(serde_json::json!({})),
            )
            .await;
        assert!(
            r.status != 401 && r.status != 403,
            "public {verb} {path}: {} {}",
            r.status,
            r.text
        );
    }
    assert!(public.len() >= 10, "only {} public operations", public.len());
    // Service account 1 is the one `/service-accounts/1/…` rotates and revokes.
    app.service(&["rules:read"]).await;
    // Two service accounts for each scope: one with only it, one with every other scope.
    let scopes: Vec<String> = doc["components"]["securitySchemes"]["client"]["flows"]["clientCredentials"]["scopes"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for scope in &scopes {
        let others: Vec<&str> = scopes.iter().filter(|s| *s != scope).map(String::as_str).collect();
        let only = app.service(&[scope.as_str()]).await.2;
        let all_but = app.service(&others).await.2;
        clients.push((format!("scope:{scope}"), only, all_but));
    }
    // Signing out ends the session the other calls use: do it last.
    ops.sort_by_key(|(_, path, _)| path.ends_with("/logout"));
    assert!(ops.len() >= 15, "only {} secured operations", ops.len());
    for (method, path, allowed) in &ops {
        let uri = concrete(path);
        let method: Method = method.to_uppercase().parse().unwrap();
        let r = app
            .send(
                TestRequest::default()
                    .method(method.clone())
                    .uri(&uri)
                    .set_json(serde_json::json!({})),
            )
            .await;
        assert_eq!(r.problem(401), "unauthorized", "{method} {path} without a token");
        for (role, s) in &sessions {
            let req = TestRequest::default()
                .method(method.clone())
                .uri(&uri)
                .insert_header(("authorization", format!("Bearer {}", s.token)))
                .set_json(serde_json::json!({}));
            let r = app.send(req).await;
            if allowed.iter().any(|a| a == role.as_str()) {
                assert!(
                    r.status != 401 && r.status != 403,
                    "{method} {path} as {role}: {} {}",
                    r.status,
                    r.text
                );
            } else {
                assert_eq!(r.problem(403), "forbidden", "{method} {path} as {role}");
            }
        }
        for (scope, only, all_but) in &clients {
            let call = |token: &str| {
                TestRequest::default()
                    .method(method.clone())
                    .uri(&uri)
                    .insert_header(("authorization", format!("Bearer {token}")))
                    .set_json(serde_json::json!({}))
            };
            if allowed.contains(scope) {
                let r = app.send(call(only)).await;
                assert!(
                    r.status != 401 && r.status != 403,
                    "{method} {path} with {scope}: {} {}",
                    r.status,
                    r.text
                );
            } else {
                let r = app.send(call(only)).await;
                assert_eq!(r.problem(403), "forbidden", "{method} {path} with only {scope}");
            }
            if allowed.contains(scope) {
                let r = app.send(call(all_but)).await;
                assert_eq!(
                    r.problem(403),
                    "forbidden",
                    "{method} {path} with every scope but {scope}"
                );
            }
        }
    }
    assert!(clients.len() >= 10 && ops.iter().any(|o| o.2.iter().any(|r| r.starts_with("scope:"))));
}
