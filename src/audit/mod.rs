//! The hash-chained audit log: every write appends an entry in its own transaction, and the
//! verifier recomputes the chain to find the first entry that was altered, removed or forged.

pub mod api;
pub mod rules;
pub mod store;

pub use rules::Actor;
pub use store::append;
