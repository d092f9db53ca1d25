//! Webhooks against a real receiver on 127.0.0.1: signed deliveries in order, retries after a
//! receiver fails twice, every attempt recorded, replay, and disabling after repeated failure.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::Days;
use common::{Session, TestApp};
use safeguards::auth::Role;
use safeguards::db::today;
use safeguards::webhooks::rules::sign;
use safeguards::webhooks::worker::deliver_due;
use serde_json::{json, Value};

#[derive(Default)]
struct Receiver {
    /// Answer 500 to this many requests first.
    fail_first: usize,
    seen: AtomicUsize,
    got: Mutex<Vec<(String, String, Vec<u8>)>>,
}

/// Starts a receiver; returns its URL.
fn receiver(r: Arc<Receiver>) -> String {
    let server = HttpServer::new(move || {
        let r = r.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let r = r.clone();
            async move {
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let n = r.seen.fetch_add(1, Ordering::SeqCst);
                if n < r.fail_first {
                    return HttpResponse::InternalServerError().finish();
                }
                r.got.lock().unwrap().push((
                    header("x-safeguards-signature"),
                    header("x-safeguards-event"),
                    body.to_vec(),
                ));
                HttpResponse::NoContent().finish()
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{addr}/hook")
}

async fn act(app: &TestApp, token: &str, department: i64, officer: i64) {
    let body = json!({"kind": "penalty", "penalty_procedure": "filed_case", "department_id": department,
        "officers": [officer], "counterpart": {"name": "某公司", "type": "legal_person"}, "legal_basis": "依据",
        "decision_text": "罚款", "decision_date": today() - Days::new(1)});
    app.post("/api/v1/acts", Some(token), &body).await.ok(201);
}

fn due_now(app: &TestApp) {
    app.sql("UPDATE webhooks SET next_attempt_at = '2000-01-01 00:00:00'");
}

fn verify(secret: &str, signature: &str, body: &[u8]) -> bool {
    let (t, v1) = signature.split_once(",v1=").unwrap();
    let t: i64 = t.trim_start_matches("t=").parse().unwrap();
    sign(secret, t, body) == v1
}

#[actix_web::test]
async fn deliveries_are_signed_in_order_and_retried_until_the_receiver_answers() {
    let app = TestApp::new().await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("李明", staff.department_id, 100, 300);
    let r = Arc::new(Receiver {
        fail_first: 2,
        ..Default::default()
    });
    let url = receiver(r.clone());
    let (_, _, client) = app.service(&["webhooks:manage", "acts:read"]).await;
    let sub = app
        .post(
            "/api/v1/webhooks",
            Some(&client),
            &json!({"url": url, "event_types": ["act.recorded"]}),
        )
        .await;
    let (id, secret) = (
        sub.ok(201)["id"].as_i64().unwrap(),
        sub.body["secret"].as_str().unwrap().to_owned(),
    );
    act(&app, &staff.token, staff.department_id, officer).await;
    act(&app, &staff.token, staff.department_id, officer).await;

    assert_eq!(deliver_due(&app.state).await.unwrap(), 0, "the receiver fails");
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0, "not due again yet");
    assert_eq!(r.seen.load(Ordering::SeqCst), 1, "backoff holds the retry");
    let h = app.get(&format!("/api/v1/webhooks/{id}"), Some(&client)).await;
    assert_eq!(h.ok(200)["consecutive_failures"], 1);
    due_now(&app);
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
    due_now(&app);
    assert_eq!(
        deliver_due(&app.state).await.unwrap(),
        2,
        "both events, once the receiver answers"
    );

    let got = r.got.lock().unwrap().clone();
    let seqs: Vec<i64> = got
        .iter()
        .map(|(sig, event, body)| {
            assert!(verify(&secret, sig, body), "signature checks");
            assert!(!verify("another-secret", sig, body));
            assert_eq!(event, "act.recorded");
            let v: Value = serde_json::from_slice(body).unwrap();
            assert_eq!(v["webhook_id"], id);
            v["seq"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(seqs, [1, 2]);
    let d = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&client))
        .await;
    let attempts: Vec<(i64, i64, bool)> = d.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["event_seq"].as_i64().unwrap(),
                x["attempt"].as_i64().unwrap(),
                x["succeeded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(attempts, [(1, 1, false), (1, 2, false), (1, 3, true), (2, 1, true)]);
    assert_eq!(d.body["items"][0]["response_status"], 500);

    // Replay from the first event delivers both again.
    app.post(
        &format!("/api/v1/webhooks/{id}/replay"),
        Some(&client),
        &json!({"from_seq": 1}),
    )
    .await
    .ok(200);
    assert_eq!(deliver_due(&app.state).await.unwrap(), 2);
    assert_eq!(r.got.lock().unwrap().len(), 4);
    // Another account's subscription is not this client's to see.
    let (_, _, other) = app.service(&["webhooks:manage"]).await;
    app.get(&format!("/api/v1/webhooks/{id}"), Some(&other))
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_receiver_that_never_answers_gets_its_subscription_disabled() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("周强", staff.department_id, 100, 300);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sub = app
        .post(
            "/api/v1/webhooks",
            Some(&office.token),
            &json!({"url": format!("http://127.0.0.1:{port}/x")}),
        )
        .await;
    let id = sub.ok(201)["id"].as_i64().unwrap();
    act(&app, &staff.token, staff.department_id, officer).await;
    let max = app.state.webhooks.max_failures;
    for _ in 0..max {
        due_now(&app);
        deliver_due(&app.state).await.unwrap();
    }
    let h = app.get(&format!("/api/v1/webhooks/{id}"), Some(&office.token)).await;
    assert_eq!(
        (h.ok(200)["active"].as_bool(), h.body["cursor"].as_i64()),
        (Some(false), Some(0))
    );
    assert_eq!(h.body["disabled_reason"], "too many failed deliveries in a row");
    let d = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&office.token))
        .await;
    assert_eq!(d.ok(200)["items"].as_array().unwrap().len(), max as usize);
    assert!(d.body["items"][0]["error"].is_string());
    due_now(&app);
    deliver_due(&app.state).await.unwrap();
    let d = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&office.token))
        .await;
    assert_eq!(
        d.ok(200)["items"].as_array().unwrap().len(),
        max as usize,
        "disabled: no more attempts"
    );

    let bad = json!({"url": "ftp://example.org/x"});
    app.post("/api/v1/webhooks", Some(&office.token), &bad)
        .await
        .problem(422);
    let creds = json!({"url": "http://user:pw@example.org/x"});
    app.post("/api/v1/webhooks", Some(&office.token), &creds)
        .await
        .problem(422);
    let del = actix_web::test::TestRequest::delete()
        .uri(&format!("/api/v1/webhooks/{id}"))
        .insert_header(("authorization", format!("Bearer {}", office.token)));
    assert_eq!(app.send(del).await.status.as_u16(), 204);
}

#[actix_web::test]
async fn https_receivers_are_reached_through_tls() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("吴刚", staff.department_id, 100, 300);
    // A plain-HTTP server on an https:// address: the TLS handshake fails, and that is recorded.
    let r = Arc::new(Receiver::default());
    let url = receiver(r.clone()).replace("http://", "https://");
    let sub = app
        .post("/api/v1/webhooks", Some(&office.token), &json!({"url": url}))
        .await;
    let id = sub.ok(201)["id"].as_i64().unwrap();
    act(&app, &staff.token, staff.department_id, officer).await;
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
    let d = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&office.token))
        .await;
    let error = d.ok(200)["items"][0]["error"].as_str().unwrap().to_owned();
    assert!(!error.is_empty());
    assert!(
        r.got.lock().unwrap().is_empty(),
        "nothing reached the handler in clear text"
    );
}

#[actix_web::test]
async fn deliveries_never_go_to_cloud_metadata_services() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("郑明", staff.department_id, 100, 300);
    // In every form a URL may write them (hex, a single number, IPv4 inside IPv6).
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://0xa9.0xfe.0xa9.0xfe/latest",
        "http://2852039166/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1]/x",
        "https://100.100.100.200/latest/meta-data",
        "http://0.0.0.0:8080/x",
    ] {
        let r = app
            .post("/api/v1/webhooks", Some(&office.token), &json!({"url": url}))
            .await;
        r.problem(422);
        assert_eq!(r.body["errors"][0]["field"], "url", "{url}");
        let message = r.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.starts_with("deliveries may not go to"), "{url}: {message}");
    }
    assert_eq!(app.count("webhooks"), 0);
    // Receivers on private networks and on this machine are fine; the address is kept
    // normalised, as it was checked.
    let private = app
        .post(
            "/api/v1/webhooks",
            Some(&office.token),
            &json!({"url": "http://10.1.2.3:8080"}),
        )
        .await;
    assert_eq!(private.ok(201)["url"], "http://10.1.2.3:8080/");

    // A subscription stored before the check (written here behind the API's back) is refused
    // at delivery, at once, and the attempt says why.
    let id = private.body["id"].as_i64().unwrap();
    let hook = (id, &office, &staff, officer);
    let error = refused_at_delivery(&app, hook, "http://0xa9.0xfe.0xa9.0xfe:80/latest").await;
    assert!(error.contains("link-local"), "{error}");
}

/// Points subscription `id` at `url` behind the API's back, records an act and runs a delivery
/// round: nothing may go out; gives the error the attempt recorded.
async fn refused_at_delivery(
    app: &TestApp,
    (id, office, staff, officer): (i64, &Session, &Session, i64),
    url: &str,
) -> String {
    app.sql(&format!("UPDATE webhooks SET url = '{url}' WHERE id = {id}"));
    act(app, &staff.token, staff.department_id, officer).await;
    due_now(app);
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
    let d = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&office.token))
        .await;
    d.ok(200)["items"][0]["error"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn listed_networks_are_the_only_places_deliveries_go() {
    let listed = safeguards::webhooks::rules::Destinations::within(vec!["10.20.0.0/16".parse().unwrap()]);
    let app = TestApp::with(|s| s.webhooks.destinations = listed).await;
    let office = app.account(Role::SupervisoryOffice).await;
    let staff = app.account(Role::Staff).await;
    let officer = app.officer_with_certificate("钱峰", staff.department_id, 100, 300);
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://10.21.0.1/hook",
        "http://169.254.169.254/",
    ] {
        let r = app
            .post("/api/v1/webhooks", Some(&office.token), &json!({"url": url}))
            .await;
        assert_eq!(r.problem(422), "validation_failed", "{url}");
        assert_eq!(r.body["errors"][0]["field"], "url");
    }
    assert_eq!(app.count("webhooks"), 0);
    let inside = app
        .post(
            "/api/v1/webhooks",
            Some(&office.token),
            &json!({"url": "http://10.20.5.6/hook"}),
        )
        .await;
    let id = inside.ok(201)["id"].as_i64().unwrap();
    // A name is judged by what it resolves to, when delivering: localhost is outside the list.
    let hook = (id, &office, &staff, officer);
    let error = refused_at_delivery(&app, hook, "http://localhost:9/hook").await;
    assert!(error.contains("SAFEGUARDS_WEBHOOK_NETWORKS"), "{error}");
}

#[actix_web::test]
async fn delivery_rounds_commit_nothing_that_pages_kept_in_memory_depend_on() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let before = app.state.db.commits();
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
    assert_eq!(app.state.db.commits(), before, "nothing subscribed: not even a lease");
    let hook = json!({"url": "http://127.0.0.1:9/hook"});
    app.post("/api/v1/webhooks", Some(&office.token), &hook).await.ok(201);
    let subscribed = app.state.db.commits();
    assert!(subscribed > before, "the subscription itself is a change");
    // Due: leased, tried or found with nothing to send, released — bookkeeping only.
    due_now(&app);
    deliver_due(&app.state).await.unwrap();
    assert_eq!(app.state.db.commits(), subscribed);
    assert_eq!(app.count("webhooks"), 1);
}
