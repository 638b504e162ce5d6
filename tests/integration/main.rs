//! One integration-test binary; each module covers one area.

mod check;
mod corpus;
mod daemon;
mod demo;
mod dovecot;
mod fuzz;
mod imap;
mod import;
mod mail;
mod oauth;
mod parse_cli;
mod personio_more;
mod report_mail;
mod service;
mod sheets;
mod smtp_server;
mod timetrack_client;
mod timetrack_sync;
mod timr_client;
mod timr_sync;
mod util;
