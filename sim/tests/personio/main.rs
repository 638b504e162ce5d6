//! Black-box tests of the Personio simulator over real sockets.
//!
//! Other crates trust the simulator to stand in for Personio, so every documented behaviour and
//! every switch is checked here the way a client would meet it.

#[path = "../common/bearer.rs"]
mod bearer;
#[path = "../common/wire.rs"]
mod wire;

mod absences;
mod auth;
mod client;
mod faults;
mod list;
mod person_writes;
mod persons;
mod ratelimit;
mod writes;
