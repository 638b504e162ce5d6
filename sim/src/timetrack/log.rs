//! The shared request log ([`crate::record`]) and its counts ([`crate::stats`]) over this
//! API's routes.

use super::routes::Route;

/// One request as the simulator saw it.
pub type RequestRecord = crate::record::RequestRecord<Route>;

/// Counts over the request log.
pub type Stats = crate::stats::Stats<Route>;
