//! Crash safety: the real server is killed with SIGKILL at random moments while a client sends
//! POSTs with Idempotency-Keys and retries each until it is acknowledged. Afterwards every
//! acknowledged write is there exactly once and the audit chain verifies.
//!
//! `CRASH_ROUNDS` (default 2) and `CRASH_POSTS` (default 60) set the size; the figures in the
//! notes come from `CRASH_ROUNDS=20 CRASH_POSTS=1000`.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TestDb;
use rand::RngExt;
use serde_json::{json, Value};

const SECRET: &str = "crash-test-secret-of-more-than-32-bytes!";
const PASSWORD: &str = "crash-test-password";

/// One server-killing test at a time: run side by side, the random kills starve the graceful
/// test's server of the CPU it needs to take up every connection before its signal.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn command(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_safeguards"));
    c.env("SAFEGUARDS_DATABASE_URL", url)
        .env("SAFEGUARDS_JWT_SECRET", SECRET)
        .env("SAFEGUARDS_PASSWORD", PASSWORD)
        .env("SAFEGUARDS_LOG", "json")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(url: &str, port: u16) -> Child {
    let child = command(url)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        // Long enough for the server to accept every connection, short of finishing the writes.
        std::thread::sleep(Duration::from_millis(200));
    }
    child
}

/// What a POST came to.
enum Outcome {
    Acknowledged,
    Retry,
}

async fn post(client: &awc::Client, base: &str, token: &str, key: &str, body: &Value) -> Outcome {
    let sent = client
        .post(format!("{base}/api/v1/departments"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("idempotency-key", key))
        .send_json(body)
        .await;
    let Ok(mut res) = sent else { return Outcome::Retry };
    let status = res.status().as_u16();
    let problem: Value = res.json().await.unwrap_or_default();
    match (status, problem["code"].as_str()) {
        (201, _) | (409, Some("idempotency_applied")) => Outcome::Acknowledged,
        (409, Some("idempotency_in_progress")) | (503, _) => Outcome::Retry,
        other => panic!("unexpected answer {other:?}: {problem}"),
    }
}

fn count(url: &str, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let db = safeguards::db::Db::connect(url, 1).unwrap();
    let mut conn = db.conn().unwrap();
    diesel::RunQueryDsl::get_result::<N>(diesel::sql_query(sql), &mut *conn)
        .unwrap()
        .n
}

/// A fresh database with an office account, the server on a free port, and the account's token.
async fn running(username: &str) -> (TestDb, u16, Child, String) {
    let db = TestDb::new();
    let status = command(&db.url)
        .args(["create-user", "--username", username, "--role", "supervisory_office"])
        .status()
        .unwrap();
    assert!(status.success());
    let port = free_port();
    let server = start(&db.url, port);
    let mut login = awc::Client::default()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .send_json(&json!({"username": username, "password": PASSWORD}))
        .await
        .unwrap();
    let token = login.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (db, port, server, token)
}

#[actix_web::test]
async fn killed_at_random_the_server_loses_and_duplicates_nothing() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (rounds, posts) = (env_or("CRASH_ROUNDS", 2), env_or("CRASH_POSTS", 60));
    let (db, port, server, token) = running("crash-office").await;
    let base = format!("http://127.0.0.1:{port}");
    let server = Arc::new(Mutex::new(server));
    let client = awc::Client::builder().timeout(Duration::from_secs(5)).finish();
    let mut kills = 0;
    for round in 0..rounds {
        let done = Arc::new(AtomicBool::new(false));
        let killer = {
            let (server, done, url) = (server.clone(), done.clone(), db.url.clone());
            std::thread::spawn(move || {
                let mut kills = 0;
                while !done.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(rand::rng().random_range(50..400)));
                    let mut s = server.lock().unwrap();
                    s.kill().unwrap();
                    s.wait().unwrap();
                    *s = start(&url, port);
                    kills += 1;
                }
                kills
            })
        };
        for i in 0..posts {
            let key = format!("crash-{round}-{i}");
            let body = json!({"name": format!("崩溃-{round}-{i}"), "code": format!("CR{round}X{i}")});
            let started = Instant::now();
            while let Outcome::Retry = post(&client, &base, &token, &key, &body).await {
                assert!(started.elapsed() < Duration::from_secs(60), "{key} never acknowledged");
                actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            }
        }
        done.store(true, Ordering::SeqCst);
        kills += killer.join().unwrap();
        let stored = count(
            &db.url,
            &format!("SELECT COUNT(*) AS n FROM departments WHERE code LIKE 'CR{round}X%'"),
        );
        let distinct = count(
            &db.url,
            &format!("SELECT COUNT(DISTINCT code) AS n FROM departments WHERE code LIKE 'CR{round}X%'"),
        );
        assert_eq!(
            (stored, distinct),
            (posts as i64, posts as i64),
            "round {round}: each write exactly once"
        );
    }
    // The client may hold connections to a killed server: a fresh one asks.
    let fresh = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
    let mut verify = fresh
        .get(format!("{base}/api/v1/audit/verify"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    let v: Value = verify.json().await.unwrap();
    assert_eq!(v["ok"], true, "{v}");
    server.lock().unwrap().kill().unwrap();
    assert!(kills >= rounds, "the server was killed {kills} times");
    eprintln!("{rounds} rounds of {posts} POSTs, {kills} kills: every write exactly once, audit chain intact");
}

#[actix_web::test]
async fn sigterm_finishes_the_requests_in_flight() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (db, port, mut server, token) = running("term-office").await;
    // Raw connections, each with its whole request written before the signal: truly in flight.
    let mut streams: Vec<std::net::TcpStream> = (0..80)
        .map(|i| {
            let body = json!({"name": format!("停机-{i}"), "code": format!("TJ{i}")}).to_string();
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            let req = format!(
                "POST /api/v1/departments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            std::io::Write::write_all(&mut s, req.as_bytes()).unwrap();
            s
        })
        .collect();
    // Long enough for the server to accept every connection, short of finishing the writes.
    std::thread::sleep(Duration::from_millis(200));
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let answers: Vec<String> = streams
        .iter_mut()
        .map(|s| {
            let mut out = String::new();
            let _ = std::io::Read::read_to_string(s, &mut out);
            out.lines().next().unwrap_or_default().to_owned()
        })
        .collect();
    let created = answers.iter().filter(|a| a.starts_with("HTTP/1.1 201")).count();
    assert_eq!(created, 80, "every request in flight was answered: {answers:?}");
    assert!(server.wait().unwrap().success(), "a clean exit");
    assert_eq!(
        count(&db.url, "SELECT COUNT(*) AS n FROM departments WHERE code LIKE 'TJ%'"),
        80
    );
}
