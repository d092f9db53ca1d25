//! Every operation of the OpenAPI document, called with no token and as each role: the roles
//! its `security` lists get past authorisation, every other role gets 403, no token 401.

mod common;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use common::TestApp;
use safeguards::auth::Role;

fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{number}", "NO-SUCH-NUMBER")
}

#[actix_web::test]
async fn each_operation_admits_exactly_the_roles_it_documents() {
    let app = TestApp::new().await;
    let mut sessions = Vec::new();
    for role in Role::ALL {
        sessions.push((*role, app.account(*role).await));
    }
    let doc = serde_json::to_value(safeguards::openapi_document()).unwrap();
    let mut ops: Vec<(String, String, Vec<String>)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(roles) = op["security"][0]["bearer"].as_array() else {
                continue;
            };
            let roles = roles.iter().map(|r| r.as_str().unwrap().to_owned()).collect();
            ops.push((method.clone(), path.clone(), roles));
        }
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
    }
}
