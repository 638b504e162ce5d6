//! zeitpost turns time-clock exports that arrive by e-mail into deduplicated attendance
//! records in Personio.
//!
//! # Layout
//!
//! The crate is a pipeline, and its modules are its stages, in the order data flows:
//!
//! - [`mail`]: a raw mail → the files it carries, wherever in the MIME tree they hide
//!   (forwarded as attachments, inline, encoded names). Bounded in depth, parts and size.
//! - [`parse`]: a file's bytes → raw rows. Decodes CSV of any dialect and encoding and
//!   spreadsheets (xlsx, xls, ods), finds the header by synonyms or a configured column
//!   profile, and reads dates, times and breaks. It judges syntax, not meaning.
//! - [`records`]: raw rows → attendance [`records::Record`]s or rejections with a
//!   reason HR understands; repeats and overlaps within one file.
//! - [`target`]: records → Personio v2 attendance periods, or Personio import files in an
//!   outbox. What to write for a record ([`target::layout`]) and whether it clashes with
//!   what Personio holds ([`target::compare`]) are plain functions; the targets carry
//!   them out, exactly once.
//! - [`report`]: what became of every file and row, in HR's words.
//!
//! [`ingest`] joins parsing and validation for one file behind a panic boundary, and
//! [`importer`] runs a batch of files through to the target. Beside the pipeline, [`jobs`]
//! holds the sync jobs: timr → Personio, and TimeTrack ↔ Personio (employees, time entries,
//! absences, decided by one pure reconcile step against pairs in the ledger); both write
//! attendance through the same target. [`source`] is where mails come from (IMAP,
//! Maildir), and [`daemon`] runs the loop: mails, then due jobs. [`oauth`] fetches the
//! tokens that mailbox and SMTP logins use where passwords are switched off (Microsoft 365).
//!
//! Around the pipeline: [`ledger`] (the SQLite state: files seen, records written, every
//! remote write planned before it is sent), [`config`] (the typed TOML config and its
//! secrets), [`senders`] (address patterns), [`lang`] (German or English for
//! everything HR reads) and [`http`] (the one retry loop, pacing and token cache the
//! Personio, timr and TimeTrack clients share, so a lost write is never sent twice).
//!
//! Parsing, validation, deduplication and planning are plain functions on plain data: they
//! do no I/O and are unit-tested where they live. The command line lives in the binary
//! (`src/cli/`) and is tested end to end in `tests/integration/`, against simulators of
//! Personio, timr and TimeTrack (the `sim` crate) where it talks to them.

pub mod config;
pub mod daemon;
pub mod http;
pub mod importer;
pub mod ingest;
pub mod jobs;
pub mod lang;
pub mod ledger;
pub mod mail;
pub mod oauth;
pub mod parse;
pub mod records;
pub mod report;
pub mod senders;
pub mod source;
pub mod target;
