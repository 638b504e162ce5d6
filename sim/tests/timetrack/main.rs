//! Black-box tests of the TimeTrack simulator over real sockets.
//!
//! Other crates trust the simulator to stand in for TimeTrack, so each documented behaviour and
//! each switch is checked here the way a client would meet it.

#[path = "../common/wire.rs"]
mod wire;

mod absences;
mod attendances;
mod auth;
mod errors;
mod faults;
mod http;
mod paging;
mod users;
