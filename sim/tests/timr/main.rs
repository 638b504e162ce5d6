//! Black-box tests of the timr simulator over real sockets.
//!
//! Other crates trust the simulator to stand in for timr, so each documented behaviour and each
//! switch is checked here the way a client would meet it, and the served surface is held
//! against the published spec.

#[path = "../common/bearer.rs"]
mod bearer;
#[path = "../common/wire.rs"]
mod wire;

mod auth;
mod client;
mod entries;
mod errors;
mod faults;
mod lists;
mod spec;
