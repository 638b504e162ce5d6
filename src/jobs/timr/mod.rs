//! timr (troii, API 0.2.14): the source of the timr → Personio sync job.
//!
//! The job reads working times from timr and locks those it has passed on, so that nobody
//! changes them afterwards without it noticing. This module is only the HTTP side of that:
//! [`client`] talks to the API (token, pacing, retries, cursor paging), [`convert`] turns an
//! entry's offset times into the company's local time for Personio, [`plan`] decides which
//! entries become records, wait or are skipped, [`wire`] reads its JSON
//! tolerantly into plain types, [`query`] builds the strict query strings timr expects, and
//! [`error`] sorts failures by what the job must do about them.

pub mod client;
pub mod convert;
pub mod error;
pub mod plan;
pub mod query;
pub mod sync;
pub mod wire;
