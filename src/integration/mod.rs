//! Integration with other systems: service accounts with scopes.

pub mod api;
pub mod rules;
pub mod store;
