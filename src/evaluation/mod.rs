//! EVAL — the evaluation and assessment regime (行政执法评议考核制度).

pub mod api;
pub mod rules;
pub mod store;
