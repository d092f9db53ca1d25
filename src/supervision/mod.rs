//! SUP — the supervision and inspection regime (行政执法监督检查制度).

pub mod api;
pub mod rules;
pub mod store;
