//! Every migration of the backend under test can be reverted, newest first, and applied again:
//! an operator's way back from a failed upgrade works, and a down script is never untested.

mod common;

use common::TestDb;
use diesel::RunQueryDsl;
use safeguards::db::{Backend, Db};

/// Tables of the application (not diesel's own bookkeeping).
fn tables(db: &Db, backend: Backend) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let query = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'"
        }
    };
    let mut conn = db.conn().unwrap();
    diesel::sql_query(query).get_result::<N>(&mut *conn).unwrap().n
}

/// The versions of the migrations shipped for `backend`, oldest first.
fn shipped(backend: Backend) -> Vec<String> {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            // `2026-11-27-000001_foundation` is version `20261127000001`.
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.split('_').next().unwrap_or_default().replace('-', "")
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_migration_reverts_newest_first_and_applies_again() {
    let t = TestDb::new();
    let db = Db::connect(&t.url, 2).unwrap();
    db.migrate().unwrap();
    let populated = tables(&db, t.backend);
    assert!(populated > 20, "{populated} tables");

    let one = db.revert(1).unwrap();
    let mut expected = shipped(t.backend);
    expected.reverse();
    assert_eq!(one, expected[..1]);
    db.migrate().unwrap();
    assert_eq!(tables(&db, t.backend), populated, "the newest migration applies again");

    let all = db.revert(usize::MAX).unwrap();
    assert_eq!(all, expected, "newest first");
    assert_eq!(
        tables(&db, t.backend),
        0,
        "every down script removes what its up script made"
    );
    assert!(db.revert(1).unwrap().is_empty(), "nothing left to revert");

    db.migrate().unwrap();
    assert_eq!(tables(&db, t.backend), populated);
}
