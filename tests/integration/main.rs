//! One integration-test binary; each module covers one area.

mod corpus;
mod demo;
mod daemon;
mod dovecot;
mod fuzz;
mod imap;
mod import;
mod mail;
mod parse_cli;
mod report_mail;
mod sheets;
mod smtp_server;
mod util;
