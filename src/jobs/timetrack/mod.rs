//! TimeTrack ↔ Personio: employees, time entries and absences, both ways.
//!
//! Three jobs share one shape. Each reads the items of its window from both systems, turns
//! them into the same plain content type (a person, a shift, an absence), and lets
//! [`reconcile`] decide against the pairs the ledger remembers what to write where. The job
//! then carries the steps out, saving each pair before its write is sent, so that a run
//! stopped anywhere neither loses nor doubles an item.

pub mod absences;
pub mod apply;
pub mod directory;
pub mod employees;
pub mod entries;
pub mod leave;
pub mod people;
pub mod reconcile;
pub mod shift;
pub mod summary;
pub mod sync;
