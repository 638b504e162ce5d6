//! One integration-test binary; each module covers one area.

mod corpus;
mod fuzz;
mod mail;
mod parse_cli;
mod sheets;
mod util;
