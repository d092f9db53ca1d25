//! The change feed (outbox): every state change that matters to other systems is written as
//! an event in the same transaction, numbered without gaps in commit order.

pub mod api;
pub mod rules;
pub mod store;

pub use rules::EventType;
pub use store::emit;
