//! Storage of the organisation. Each function takes `&mut DbConn` so it composes inside the
//! caller's transaction.

pub mod certificates;
pub mod departments;
pub mod people;
pub mod users;
