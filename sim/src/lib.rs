//! Simulators of the SaaS APIs zeitpost talks to.
//!
//! Tests and benchmarks cannot reach the real services, so each module here runs a local HTTP
//! server that behaves like one of them, including its documented quirks and failure modes.

mod entry;
mod fault;
mod net;
pub mod oauth;
pub mod personio;
mod query;
mod record;
mod reply;
mod server;
mod stats;
pub mod timetrack;
pub mod timr;
