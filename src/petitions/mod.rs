//! Petitions and reports (信访、举报): public intake with tracking codes, assignment with a
//! reply deadline, replies, and referral to accountability.

pub mod api;
pub mod rules;
pub mod store;
