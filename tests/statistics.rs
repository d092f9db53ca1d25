//! SQLite's planner statistics are taken again once a table's rows doubled or halved since
//! they were taken (issue #9); a database never analysed keeps the default estimates.

mod common;

use common::TestApp;
use safeguards::db::statistics::{refresh, Drift};
use safeguards::db::Backend;

fn add_rows(app: &TestApp, n: usize) {
    app.sql(&format!(
        "INSERT INTO baseline_writes (at) SELECT CURRENT_TIMESTAMP FROM \
         (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) SELECT x FROM c) AS n"
    ));
}

fn analysed_rows(app: &TestApp) -> i64 {
    app.number("SELECT CAST(stat AS INTEGER) AS n FROM sqlite_stat1 WHERE tbl = 'baseline_writes'")
}

#[actix_web::test]
async fn a_table_whose_rows_doubled_since_its_statistics_is_analysed_again() {
    let app = TestApp::new().await;
    add_rows(&app, 1_500);
    if app.db.backend() == Backend::Postgres {
        app.sql("ANALYZE");
        add_rows(&app, 3_000);
        assert_eq!(refresh(&app.db).await.unwrap(), [], "autovacuum's business");
        return;
    }
    assert_eq!(refresh(&app.db).await.unwrap(), [], "never analysed: default estimates");
    app.sql("ANALYZE");
    assert_eq!(analysed_rows(&app), 1_500);
    assert_eq!(refresh(&app.db).await.unwrap(), [], "fresh");
    add_rows(&app, 1_499);
    assert_eq!(refresh(&app.db).await.unwrap(), [], "not yet doubled");
    add_rows(&app, 1);
    let drift = Drift {
        table: "baseline_writes".into(),
        analysed: 1_500,
        rows: 3_000,
    };
    assert_eq!(refresh(&app.db).await.unwrap(), [drift]);
    assert_eq!(analysed_rows(&app), 3_000, "taken again");
    assert_eq!(refresh(&app.db).await.unwrap(), []);
    app.sql("DELETE FROM baseline_writes WHERE id > 1500");
    assert_eq!(refresh(&app.db).await.unwrap()[0].rows, 1_500, "halved");
    assert_eq!(analysed_rows(&app), 1_500);
}
