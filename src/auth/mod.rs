//! Accounts' credentials: passwords, access and refresh tokens, sessions, login throttling,
//! and the `/auth` and `/me` endpoints. The request extractor lives in `http::auth`.

pub mod api;
pub mod passwords;
pub mod rules;
pub mod store;
pub mod throttle;
pub mod tokens;

pub use rules::Role;
