//! PUB — the publicity regime (行政执法公示制度): disclosure items, their review and
//! publication, the public reading room, and the publication deadline of every decision.

pub mod api;
pub mod cache;
pub mod files;
pub mod rules;
pub mod store;

use std::time::Duration;

/// Records the take-down of every published decision whose retention ended, at start and then
/// every ten minutes. (The public lists never wait for it: they filter on the date.)
pub async fn sweep_retention_forever(state: actix_web::web::Data<crate::AppState>) {
    let mut tick = actix_web::rt::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let swept = state
            .db
            .write(|conn| store::sweep_retention(conn, crate::db::today(), crate::db::now()))
            .await;
        match swept {
            Ok(0) => {}
            Ok(n) => {
                state.public_cache.invalidate();
                tracing::info!(taken_down = n, "retention ended for published decisions")
            }
            Err(e) => tracing::warn!(error = %e, "retention sweep failed; will retry"),
        }
    }
}
