//! TimeTrack ↔ Personio: employees, time entries and absences, both ways.
//!
//! Three jobs share one shape. Each reads the items of its window from both systems
//! ([`client`] for TimeTrack's `/api/v2/ext/`, read tolerantly by [`wire`]), turns them into
//! the same plain content type ([`people`], [`shift`], [`leave`]), and lets [`reconcile`]
//! decide against the pairs the ledger remembers what to write where. `apply` then carries
//! the steps out, saving each pair before its write is sent, so that a run stopped anywhere
//! neither loses nor doubles an item. [`sync`] holds one run together; [`employees`],
//! [`entries`] and [`absences`] are the three jobs.

pub mod absences;
mod apply;
pub mod client;
pub mod directory;
pub mod employees;
pub mod entries;
pub mod error;
pub mod leave;
pub mod people;
mod plan;
pub mod reconcile;
pub mod shift;
pub mod summary;
pub mod sync;
pub mod wire;
