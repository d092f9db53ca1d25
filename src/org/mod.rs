//! The organisation: departments, people, user accounts and enforcement certificates.

pub mod api;
pub mod rules;
pub mod store;
