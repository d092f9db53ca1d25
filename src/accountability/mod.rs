//! ACC — the fault accountability regime (行政执法过错追究制度).

pub mod api;
pub mod cases;
pub mod rules;
pub mod store;
