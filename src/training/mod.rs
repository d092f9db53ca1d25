//! TRN — the study and training regime (行政执法学习和培训制度).

pub mod api;
pub mod rules;
pub mod store;
