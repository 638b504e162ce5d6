//! Sync jobs beside the mail pipeline: timr and TimeTrack.

pub mod timetrack;
pub mod timr;
