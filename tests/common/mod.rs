//! The test harness: the real application (`safeguards::app`) over a fresh database per test —
//! a temporary SQLite file, or, when `TEST_DATABASE_URL` is set, a new PostgreSQL database
//! created on that server and dropped afterwards.
#![allow(dead_code)] // each test binary uses part of the harness

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web;
use diesel::{Connection, PgConnection, RunQueryDsl};
use safeguards::audit::Actor;
use safeguards::auth::Role;
use safeguards::config::JwtSecret;
use safeguards::db::{Backend, Db};
use safeguards::org::api::users::{create_account, prepare_account};
use safeguards::org::rules::Position;
use safeguards::org::store::{departments, people};
use safeguards::{app, AppState};
use serde_json::Value;

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => Self::postgres(admin_url),
            _ => Self::sqlite(),
        }
    }

    fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("safeguards-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self {
            url: format!("sqlite://{}", dir.join("test.db").display()),
            backend: Backend::Sqlite,
            cleanup: Cleanup::File(dir),
        }
    }

    fn postgres(admin_url: String) -> Self {
        let name = format!("sg_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
        Self {
            url: format!("{base}/{name}"),
            backend: Backend::Postgres,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
                }
            }
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// Asserts an RFC 9457 problem with this status and returns its `code`.
    pub fn problem(&self, status: u16) -> String {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string() && self.body["type"].is_string());
        self.body["code"].as_str().expect("problem code").to_owned()
    }

    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        &self.body
    }
}

type Call = Rc<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = ServiceResponse<BoxBody>>>>>;

/// A signed-in test account.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: i64,
    pub person_id: i64,
    pub department_id: i64,
    pub username: String,
    pub password: String,
    pub token: String,
    pub refresh_token: String,
}

pub const PASSWORD: &str = "test-password-long-enough";

/// The application over its own database.
pub struct TestApp {
    pub state: web::Data<AppState>,
    pub db: Db,
    call: Call,
    pub test_db: Rc<TestDb>,
    secret: JwtSecret,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// A test app whose state `configure` adjusts first (what command-line flags would set).
    pub async fn with(configure: impl FnOnce(&mut AppState)) -> Self {
        let test_db = Rc::new(TestDb::new());
        Self::instance(test_db, JwtSecret::generate(), configure).await
    }

    /// A second server process over the same database (its own pool and memory, the same
    /// signing key), as behind a load balancer.
    pub async fn another_instance(&self) -> Self {
        Self::instance(self.test_db.clone(), self.secret.clone(), |_| {}).await
    }

    async fn instance(test_db: Rc<TestDb>, secret: JwtSecret, configure: impl FnOnce(&mut AppState)) -> Self {
        let db = Db::connect(&test_db.url, 4).expect("connect");
        db.migrate().expect("migrate");
        let mut state = AppState::new(db.clone(), &secret).expect("state");
        configure(&mut state);
        let state = web::Data::new(state);
        let service = Rc::new(test::init_service(app(state.clone())).await);
        let call: Call = Rc::new(move |req| {
            let service = service.clone();
            Box::pin(async move { test::call_service(&*service, req).await.map_into_boxed_body() })
        });
        Self {
            state,
            db,
            call,
            test_db,
            secret,
        }
    }

    pub async fn send(&self, req: TestRequest) -> Resp {
        let res = (self.call)(req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    fn request(method: Method, path: &str, token: Option<&str>) -> TestRequest {
        let mut req = TestRequest::default().method(method).uri(path);
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        req
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Self::request(Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send(Self::request(Method::POST, path, token).set_json(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, etag: Option<&str>, body: &Value) -> Resp {
        let mut req = Self::request(Method::PATCH, path, token).set_json(body);
        if let Some(tag) = etag {
            req = req.insert_header((header::IF_MATCH, tag.to_owned()));
        }
        self.send(req).await
    }

    /// Creates a department directly in the store (arrangement, not under test).
    /// Every item of a list, page after page by its `next` cursor (`path` has a query string).
    pub async fn every_item(&self, path: &str, token: Option<&str>) -> Vec<Value> {
        let mut items = Vec::new();
        let mut uri = path.to_owned();
        loop {
            let page = self.get(&uri, token).await.ok(200).clone();
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next"].as_str() {
                Some(cursor) => uri = format!("{path}&after={cursor}"),
                None => return items,
            }
        }
    }

    pub fn department(&self, name: &str) -> i64 {
        let new = departments::NewDepartment {
            name: name.into(),
            code: name.replace(' ', "-"),
            active: true,
        };
        self.db
            .write_blocking(|c| {
                departments::create(c, &new, safeguards::db::now()).map_err(safeguards::http::AppError::from)
            })
            .expect("department")
            .id
    }

    pub fn person(&self, name: &str, position: Position, department_id: i64) -> i64 {
        let new = people::NewPerson {
            name: name.into(),
            position,
            department_id,
            active: true,
        };
        self.db
            .write_blocking(|c| {
                people::create(c, &new, safeguards::db::now()).map_err(safeguards::http::AppError::from)
            })
            .expect("person")
            .id
    }

    /// An account of `role` for a new person in `department_id`, signed in.
    pub async fn account_in(&self, role: Role, username: &str, department_id: i64) -> Session {
        let person_id = self.person(&format!("{username} person"), Position::Officer, department_id);
        let new = prepare_account(username, PASSWORD, role, Some(person_id)).expect("account");
        let user = self
            .db
            .write_blocking(|c| create_account(c, &Actor::System("test"), new))
            .expect("create account");
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                &serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        let body = r.ok(200);
        Session {
            user_id: user.id,
            person_id,
            department_id,
            username: username.into(),
            password: PASSWORD.into(),
            token: body["access_token"].as_str().unwrap().into(),
            refresh_token: body["refresh_token"].as_str().unwrap().into(),
        }
    }

    /// An account of `role` in a department made for it.
    pub async fn account(&self, role: Role) -> Session {
        let username = format!(
            "{}-{}",
            role.as_str().replace('_', "-"),
            &uuid::Uuid::new_v4().simple().to_string()[..6]
        );
        let dept = self.department(&format!("dept {username}"));
        self.account_in(role, &username, dept).await
    }

    /// A service account with `scopes`, created by a new office account through the API,
    /// and its access token: (client id, client secret, token).
    pub async fn service(&self, scopes: &[&str]) -> (String, String, String) {
        let office = self.account(Role::SupervisoryOffice).await;
        let r = self
            .post(
                "/api/v1/service-accounts",
                Some(&office.token),
                &serde_json::json!({"name": "法制办平台", "scopes": scopes}),
            )
            .await;
        let body = r.ok(201);
        let (id, secret) = (
            body["client_id"].as_str().unwrap().to_owned(),
            body["client_secret"].as_str().unwrap().to_owned(),
        );
        let t = self
            .post(
                "/api/v1/auth/token",
                None,
                &serde_json::json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
            )
            .await;
        let token = t.ok(200)["access_token"].as_str().unwrap().to_owned();
        (id, secret, token)
    }

    /// Runs raw SQL on the test database (tampering, inspection).
    pub fn sql(&self, statement: &str) {
        let mut conn = self.db.conn().expect("conn");
        diesel::sql_query(statement)
            .execute(&mut *conn)
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }

    /// Counts rows of a table.
    pub fn count(&self, table: &str) -> i64 {
        self.number(&format!("SELECT COUNT(*) AS n FROM {table}"))
    }

    /// The one integer, named `n`, a query answers.
    pub fn number(&self, query: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db.conn().expect("conn");
        diesel::sql_query(query)
            .get_result::<N>(&mut *conn)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .n
    }
}

impl TestApp {
    /// An officer of `department_id` holding a certificate valid from `issued_days_ago` days
    /// ago until `expires_in_days` days from today.
    pub fn officer_with_certificate(
        &self,
        name: &str,
        department_id: i64,
        issued_days_ago: u64,
        expires_in_days: i64,
    ) -> i64 {
        use safeguards::org::store::certificates;
        let person = self.person(name, Position::Officer, department_id);
        let today = safeguards::db::today();
        let expires_on = if expires_in_days >= 0 {
            today + chrono::Days::new(expires_in_days as u64)
        } else {
            today - chrono::Days::new(expires_in_days.unsigned_abs())
        };
        let new = certificates::NewCertificate {
            number: format!("T-{}", uuid::Uuid::new_v4().simple()),
            holder_id: person,
            issued_on: today - chrono::Days::new(issued_days_ago),
            expires_on,
        };
        self.db
            .write_blocking(|c| {
                certificates::create(c, &new, None, safeguards::db::now()).map_err(safeguards::http::AppError::from)
            })
            .expect("certificate");
        person
    }
}
