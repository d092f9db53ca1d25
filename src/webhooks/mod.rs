//! Webhooks: subscriptions to the change feed, delivered in order per subscription, signed,
//! retried with exponential backoff and jitter, recorded attempt by attempt.

pub mod api;
pub mod rules;
pub mod store;
pub mod worker;
