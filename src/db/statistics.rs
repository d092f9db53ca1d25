//! SQLite's planner statistics, kept true to the tables. The planner trusts what ANALYZE left in
//! `sqlite_stat1` however much a table grew since: statistics taken at 100 000 disclosures and
//! read at 500 000 made it scan the reading room (13–30 ms a page) instead of taking its
//! partial index (0.2 ms). `PRAGMA optimize` analyses a table again only once it grew 25-fold;
//! here a table whose rows doubled or halved since is analysed again, in full — a table doubles
//! a few times in its life. A database never analysed keeps SQLite's default estimates, which
//! suit our queries better than estimates taken while it was small. PostgreSQL's autovacuum
//! keeps its own statistics.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{Db, DbConn, StoreError};

/// Rows moved by this factor, up or down, since the statistics were taken make them stale.
const DRIFT: i64 = 2;
/// Tables smaller than this, then and now, plan well on any estimate.
const SMALL: i64 = 1_000;
/// How often the service looks.
pub const EVERY: Duration = Duration::from_secs(60 * 60);

/// A table whose statistics no longer describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub table: String,
    /// Its rows when the statistics were taken.
    pub analysed: i64,
    pub rows: i64,
}

#[derive(QueryableByName)]
struct Analysed {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = BigInt)]
    rows: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The tables whose rows doubled or halved since their statistics were taken (none on
/// PostgreSQL, none in a database never analysed).
pub fn stale(conn: &mut DbConn) -> Result<Vec<Drift>, StoreError> {
    let DbConn::Sqlite(c) = conn else {
        return Ok(Vec::new());
    };
    let analysed: Count =
        diesel::sql_query("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'sqlite_stat1'").get_result(c)?;
    if analysed.n == 0 {
        return Ok(Vec::new());
    }
    // The first number of a row is the rows of its index (of the table when `idx` is null);
    // the largest is the table's, as partial indexes hold fewer.
    let tables: Vec<Analysed> =
        diesel::sql_query("SELECT tbl, max(CAST(stat AS INTEGER)) AS rows FROM sqlite_stat1 GROUP BY tbl").load(c)?;
    let mut drifted = Vec::new();
    for t in tables {
        let now: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {}", quoted(&t.tbl))).get_result(c)?;
        if t.rows.max(now.n) >= SMALL && (now.n >= DRIFT * t.rows || now.n * DRIFT <= t.rows) {
            drifted.push(Drift {
                table: t.tbl,
                analysed: t.rows,
                rows: now.n,
            });
        }
    }
    Ok(drifted)
}

/// Analyses the stale tables again, on the writer; returns them.
pub async fn refresh(db: &Db) -> Result<Vec<Drift>, StoreError> {
    let stale = db.read(stale).await?;
    if !stale.is_empty() {
        let tables = stale.clone();
        db.write(move |conn| {
            tables
                .iter()
                .try_for_each(|t| conn.batch_execute(&format!("ANALYZE {}", quoted(&t.table))))
                .map_err(StoreError::from)
        })
        .await?;
    }
    Ok(stale)
}

/// Looks at start-up and every `EVERY` after, for as long as the service runs; on PostgreSQL
/// not at all (nothing to look at, and a connection taken hourly for nothing).
pub async fn run(db: Db) {
    if db.backend() != super::Backend::Sqlite {
        return;
    }
    loop {
        match refresh(&db).await {
            Ok(tables) if !tables.is_empty() => tracing::info!(?tables, "planner statistics taken again"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not check the planner statistics"),
        }
        actix_web::rt::time::sleep(EVERY).await;
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
