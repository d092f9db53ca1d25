//! The enforcement-act register (执法行为台账): the hub every regime refers to.

pub mod api;
pub mod rules;
pub mod store;
