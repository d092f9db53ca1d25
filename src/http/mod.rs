//! HTTP plumbing shared by every regime: errors, the auth extractor, pagination, ETags,
//! request ids, health, metrics and the OpenAPI document.

pub mod access;
pub mod auth;
pub mod checked;
pub mod error;
pub mod etag;
pub mod export;
pub mod health;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod pagination;
pub mod request_id;
mod strict;
pub mod validate;

pub use auth::Caller;
pub use error::{AppError, FieldError};
