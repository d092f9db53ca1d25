//! `/metrics` in Prometheus text: request counts and latency by route and status (from
//! actix-web-prom) and the state of the connection pool.

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntGaugeVec, Opts, Registry};

use crate::db::Db;

/// Reads the pool's state at every scrape.
struct PoolCollector {
    db: Db,
    gauges: IntGaugeVec,
}

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.gauges.desc()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let (max, open, idle) = self.db.pool_state();
        for (state, n) in [("max", max), ("open", open), ("idle", idle)] {
            self.gauges.with_label_values(&[state]).set(i64::from(n));
        }
        self.gauges.collect()
    }
}

/// The metrics middleware; build once per process and clone into every worker's app.
pub fn build(db: &Db) -> Result<PrometheusMetrics, String> {
    let registry = Registry::new();
    let gauges = IntGaugeVec::new(
        Opts::new("safeguards_db_pool_connections", "Database pool connections by state"),
        &["state"],
    )
    .map_err(|e| e.to_string())?;
    registry
        .register(Box::new(PoolCollector { db: db.clone(), gauges }))
        .map_err(|e| e.to_string())?;
    PrometheusMetricsBuilder::new("safeguards")
        .registry(registry)
        .endpoint("/metrics")
        // Unrouted paths share one label, so random URLs cannot grow the series without bound.
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|e| e.to_string())
}
