//! Concurrent writers: every write lands exactly once, none meets `database is locked`, and
//! the audit chain stays one unbroken line (SQLite serialises writers; PostgreSQL appends under
//! an advisory lock).

mod common;

use common::TestApp;
use futures_util::future::join_all;
use safeguards::auth::Role;
use serde_json::json;

const WRITERS: usize = 40;

/// A write with no other effect: one row of the baseline table; gives its id.
fn store_row(conn: &mut safeguards::db::DbConn) -> Result<i64, safeguards::db::StoreError> {
    use diesel::{ExpressionMethods, RunQueryDsl};
    use safeguards::db::schema::baseline_writes::dsl as b;
    Ok(diesel::insert_into(b::baseline_writes)
        .values(b::at.eq(safeguards::db::now()))
        .returning(b::id)
        .get_result(conn)?)
}

/// The rows stored are exactly those whose writes were acknowledged; then the writer goes on.
async fn only_acknowledged_rows_are_stored(app: &TestApp, results: &[Result<i64, safeguards::db::StoreError>]) {
    use diesel::{QueryDsl, RunQueryDsl};
    use safeguards::db::schema::baseline_writes::dsl as b;
    let mut acknowledged: Vec<i64> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    acknowledged.sort_unstable();
    let stored: Vec<i64> = {
        let mut conn = app.db.conn().unwrap();
        b::baseline_writes.select(b::id).order(b::id).load(&mut *conn).unwrap()
    };
    assert_eq!(stored, acknowledged, "stored writes are exactly the acknowledged ones");
    let next = app.db.write(store_row).await.expect("the writer goes on");
    assert_eq!(app.count("baseline_writes"), stored.len() as i64 + 1);
    assert!(stored.iter().all(|id| *id < next));
}

#[actix_web::test]
async fn concurrent_writes_all_land_and_the_chain_verifies() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let before = app.count("departments");
    let audit_before = app.count("audit_log");
    let token = office.token.clone();
    let requests = (0..WRITERS).map(|i| {
        let body = json!({"name": format!("并发{i}"), "code": format!("C{i}")});
        let app = &app;
        let token = token.clone();
        async move { app.post("/api/v1/departments", Some(&token), &body).await }
    });
    let responses = join_all(requests).await;
    for r in &responses {
        r.ok(201);
    }
    assert_eq!(app.count("departments"), before + WRITERS as i64);
    assert_eq!(app.count("audit_log"), audit_before + WRITERS as i64);
    let v = app.get("/api/v1/audit/verify", Some(&token)).await;
    assert_eq!(v.ok(200)["ok"], true, "{}", v.text);
}

#[actix_web::test]
async fn concurrent_reads_and_writes_mix_without_errors() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let token = office.token.clone();
    let work = (0..WRITERS).map(|i| {
        let app = &app;
        let token = token.clone();
        async move {
            if i % 2 == 0 {
                app.post(
                    "/api/v1/departments",
                    Some(&token),
                    &json!({"name": format!("混合{i}"), "code": format!("M{i}")}),
                )
                .await
                .status
                .as_u16()
            } else {
                app.get("/api/v1/departments?limit=200", Some(&token))
                    .await
                    .status
                    .as_u16()
            }
        }
    });
    let statuses = join_all(work).await;
    assert!(statuses.iter().all(|s| *s == 200 || *s == 201), "{statuses:?}");
}

#[actix_web::test]
async fn concurrent_read_then_write_updates_do_not_collide() {
    // An update reads the current row (for its ETag) before it writes: on SQLite two such
    // transactions would fail at once with `database is locked` if they were not serialised.
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let ids: Vec<i64> = (0..WRITERS).map(|i| app.department(&format!("更新{i}"))).collect();
    let token = office.token.clone();
    let work = ids.iter().map(|id| {
        let app = &app;
        let token = token.clone();
        async move {
            let path = format!("/api/v1/departments/{id}");
            app.patch(&path, Some(&token), Some("*"), &json!({"active": false}))
                .await
        }
    });
    for r in join_all(work).await {
        r.ok(200);
    }
    let v = app.get("/api/v1/audit/verify", Some(&token)).await;
    assert_eq!(v.ok(200)["ok"], true);
}

#[actix_web::test]
async fn a_write_that_fails_among_concurrent_ones_leaves_nothing_and_the_others_land() {
    // On SQLite concurrent writes commit together (group commit), each in a savepoint: one
    // that fails after writing must take back what it wrote, and only that.
    use safeguards::db::StoreError;
    let app = TestApp::new().await;
    let writes = (0..WRITERS).map(|i| {
        app.db.write(move |conn| {
            store_row(conn)?;
            match i % 3 {
                0 => Err(StoreError::Other(format!("write {i} refused after writing"))),
                _ => Ok(i),
            }
        })
    });
    let results = join_all(writes).await;
    for (i, r) in results.iter().enumerate() {
        match i % 3 {
            0 => assert!(
                matches!(r, Err(StoreError::Other(m)) if m.contains(&format!("write {i} "))),
                "{r:?}"
            ),
            _ => assert_eq!(r.as_ref().ok(), Some(&i)),
        }
    }
    let landed = results.iter().filter(|r| r.is_ok()).count() as i64;
    assert_eq!(app.count("baseline_writes"), landed);
}

#[actix_web::test]
async fn concurrent_writes_refused_by_a_constraint_do_not_disturb_the_rest() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    app.post(
        "/api/v1/departments",
        Some(&office.token),
        &json!({"name": "已有", "code": "DUP"}),
    )
    .await
    .ok(201);
    let (before, audit_before) = (app.count("departments"), app.count("audit_log"));
    let requests = (0..WRITERS).map(|i| {
        let code = if i % 4 == 0 { "DUP".to_owned() } else { format!("G{i}") };
        let body = json!({"name": format!("并发{i}"), "code": code});
        let (app, token) = (&app, office.token.clone());
        async move { app.post("/api/v1/departments", Some(&token), &body).await }
    });
    let responses = join_all(requests).await;
    for (i, r) in responses.iter().enumerate() {
        if i % 4 == 0 {
            r.problem(409);
        } else {
            r.ok(201);
        }
    }
    let landed = (0..WRITERS).filter(|i| i % 4 != 0).count() as i64;
    assert_eq!(app.count("departments"), before + landed);
    assert_eq!(app.count("audit_log"), audit_before + landed);
    let v = app.get("/api/v1/audit/verify", Some(&office.token)).await;
    assert_eq!(v.ok(200)["ok"], true, "{}", v.text);
}

#[actix_web::test]
async fn a_write_that_panics_loses_only_unacknowledged_writes_and_the_writer_goes_on() {
    // A panic inside a write must not take the writer down nor leave it inside a transaction:
    // every write acknowledged is stored, every write refused is not, and writing goes on.
    let app = TestApp::new().await;
    let writes = (0..WRITERS).map(|i| {
        app.db.write(move |conn| {
            let id = store_row(conn)?;
            assert!(i != WRITERS / 2, "write {i} panics after writing");
            Ok(id)
        })
    });
    let results = join_all(writes).await;
    assert!(results[WRITERS / 2].is_err());
    only_acknowledged_rows_are_stored(&app, &results).await;
}

#[actix_web::test]
async fn a_write_that_reads_first_waits_for_another_connections_write_lock() {
    // Another connection (another process, the CLI) holds SQLite's write lock for a moment. A
    // deferred transaction that had read first failed at once with `database is locked`: the
    // busy timeout does not cover a transaction that already reads. The writer's transactions
    // take the lock when they begin, where the busy timeout applies, and wait their turn.
    use diesel::connection::SimpleConnection;
    use diesel::{QueryDsl, RunQueryDsl};
    use safeguards::db::schema::baseline_writes::dsl as b;
    let app = TestApp::new().await;
    if app.db.backend() != safeguards::db::Backend::Sqlite {
        return;
    }
    let mut other = app.db.conn().unwrap();
    other.batch_execute("BEGIN IMMEDIATE").unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        other.batch_execute("COMMIT").unwrap();
    });
    let out = app
        .db
        .write(|conn| {
            let before: i64 = b::baseline_writes.count().get_result(conn)?;
            store_row(conn).map(|id| (before, id))
        })
        .await;
    holder.join().unwrap();
    let (before, _) = out.expect("the write waits for the lock instead of failing");
    assert_eq!(app.count("baseline_writes"), before + 1);
}

#[actix_web::test]
async fn the_sqlite_writer_keeps_its_savepoint_journals_in_memory() {
    // Every write of a group runs in a savepoint whose journal SQLite would otherwise spill to
    // a temporary file once it passes 64 KiB — an eighth of the writer's time when profiled.
    use diesel::RunQueryDsl;
    let app = TestApp::new().await;
    if app.db.backend() != safeguards::db::Backend::Sqlite {
        return;
    }
    let temp_store = app
        .db
        .write(|conn| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(
                "(SELECT temp_store FROM pragma_temp_store)",
            ))
            .get_result::<i32>(conn)
            .map_err(safeguards::db::StoreError::from)
        })
        .await
        .expect("pragma");
    assert_eq!(temp_store, 2, "PRAGMA temp_store = MEMORY");
}

#[actix_web::test]
async fn a_write_whose_failure_ends_the_transaction_takes_no_other_write_with_it() {
    // SQLite rolls a whole transaction back on some errors (disk full, I/O error); a write
    // that ends it by hand stands in for those here. On SQLite the writes queued behind it in
    // the same group must not run outside a transaction (each would commit on its own while
    // its caller is told it failed): every write stored is one acknowledged, and the reverse.
    use diesel::RunQueryDsl;
    use safeguards::db::StoreError;
    let app = TestApp::new().await;
    let writes = (0..WRITERS).map(|i| {
        app.db.write(move |conn| {
            let id = store_row(conn)?;
            if i % 10 == 7 {
                diesel::sql_query("ROLLBACK").execute(conn)?;
                return Err(StoreError::Other(format!("write {i} ended the transaction")));
            }
            Ok(id)
        })
    });
    let results = join_all(writes).await;
    for (i, r) in results.iter().enumerate().filter(|(i, _)| i % 10 == 7) {
        assert!(r.is_err(), "write {i}: {r:?}");
    }
    assert!(results.iter().any(Result::is_ok));
    only_acknowledged_rows_are_stored(&app, &results).await;
}

#[actix_web::test]
async fn writes_past_the_bound_of_the_sqlite_queue_are_refused_at_once_and_the_rest_land() {
    use safeguards::db::{StoreError, WAITING_AT_MOST};
    let app = TestApp::new().await;
    if app.db.backend() != safeguards::db::Backend::Sqlite {
        return;
    }
    // The writer thread held up in a write, while more than the queue holds arrive.
    let (running, is_running) = tokio::sync::oneshot::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let db = app.db.clone();
    let held = actix_web::rt::spawn(async move {
        db.write(move |_| {
            let _ = running.send(());
            released.recv().map_err(|e| StoreError::Other(e.to_string()))
        })
        .await
    });
    is_running.await.unwrap();
    actix_web::rt::spawn(async move {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
        release.send(()).unwrap();
    });
    let extra = 20;
    let writes = (0..WAITING_AT_MOST + extra).map(|_| app.db.write(store_row));
    let results = join_all(writes).await;
    held.await.unwrap().unwrap();
    let refused: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert_eq!(refused.len(), extra, "only the writes past the bound are refused");
    assert!(
        refused.iter().all(|r| matches!(r, Err(StoreError::Unavailable(_)))),
        "{:?}",
        refused[0]
    );
    assert_eq!(app.count("baseline_writes"), WAITING_AT_MOST as i64);
}

#[actix_web::test]
async fn concurrent_events_take_every_number_once_even_without_an_audit_entry_first() {
    // Events are numbered by one statement (`INSERT … SELECT MAX(seq) + 1`) under the writer
    // lock, which the emit takes itself when no audit entry of the write took it before.
    use safeguards::events::EventType;
    let app = TestApp::new().await;
    let before = app.count("events");
    let writes = (0..WRITERS as i64).map(|i| {
        app.db
            .write(move |conn| safeguards::events::emit(conn, EventType::ActRecorded, i, &json!({"act_id": i})))
    });
    let mut numbers: Vec<i64> = join_all(writes)
        .await
        .into_iter()
        .map(|r| r.expect("emitted"))
        .collect();
    numbers.sort_unstable();
    let expected: Vec<i64> = (before + 1..=before + WRITERS as i64).collect();
    assert_eq!(numbers, expected, "every number once, none skipped");
}
