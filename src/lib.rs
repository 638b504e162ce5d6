pub mod config;
pub mod ingest;
pub mod lang;
pub mod mail;
pub mod parse;
pub mod records;
