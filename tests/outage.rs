//! A PostgreSQL outage, made by cutting a TCP proxy between the service and the server:
//! readiness and API calls answer 503 quickly, and the service recovers by itself when the
//! database is back. (SQLite is a file in the process: it has no outage to test.)

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::test::{call_service, init_service, TestRequest};
use common::TestDb;
use safeguards::db::Backend;

/// Forwards 127.0.0.1:port to the database while up; cut, it drops every connection and
/// refuses new ones.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

impl Proxy {
    fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, open) = (Arc::new(AtomicBool::new(true)), Arc::new(Mutex::new(Vec::new())));
        let (u, o) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !u.load(Ordering::SeqCst) {
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut list = o.lock().unwrap();
                list.push(client.try_clone().unwrap());
                list.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Self { port, up, open }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[actix_web::test]
async fn a_database_outage_answers_503_quickly_and_the_service_recovers() {
    let test_db = TestDb::new();
    if test_db.backend != Backend::Postgres {
        eprintln!("PostgreSQL only: run with TEST_DATABASE_URL");
        return;
    }
    // postgres://user@127.0.0.1:5432/name → the same through the proxy.
    let (head, tail) = test_db.url.split_once("@").unwrap();
    let (hostport, name) = tail.split_once('/').unwrap();
    let proxy = Proxy::start(hostport.to_owned());
    let url = format!("{head}@127.0.0.1:{}/{name}", proxy.port);
    let db = safeguards::db::Db::connect(&url, 2).unwrap();
    db.migrate().unwrap();
    let state =
        actix_web::web::Data::new(safeguards::AppState::new(db, &safeguards::config::JwtSecret::generate()).unwrap());
    let service = init_service(safeguards::app(state)).await;
    let ready = || TestRequest::get().uri("/health/ready").to_request();
    let list = || TestRequest::get().uri("/api/v1/public/disclosures").to_request();
    assert_eq!(call_service(&service, ready()).await.status(), 200);
    assert_eq!(call_service(&service, list()).await.status(), 200);

    proxy.cut();
    let started = Instant::now();
    assert_eq!(call_service(&service, ready()).await.status(), 503);
    let res = call_service(&service, list()).await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no hang: {:?}",
        started.elapsed()
    );

    proxy.restore();
    let back = Instant::now();
    loop {
        if call_service(&service, list()).await.status() == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(20), "the service did not recover");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(call_service(&service, ready()).await.status(), 200);
}
