//! `page_number` / `limit` paging (`sources.md` §4.1).
//!
//! The docs give the parameters (0-based page, limit 0..1000, 50 when absent) and nothing
//! else: a list is a bare JSON array with no count and no hint that more pages exist, so a
//! client has to read until a page comes back short.

use serde_json::Value;

use super::query::Params;
use super::reply::{Problem, Reply};
use super::state::State;

/// The largest `limit`.
pub const MAX_LIMIT: u64 = 1000;
/// `limit` when none is given.
pub const DEFAULT_LIMIT: u64 = 50;

/// One page of `items` (already in their stable order) as a bare array.
pub(crate) fn page(st: &State, q: &Params, items: Vec<Value>) -> Result<Reply, Problem> {
    let number = |key: &str, default: u64| match q.get(key) {
        None => Ok(default),
        Some(raw) => raw.trim().parse::<u64>().map_err(|_| {
            Problem::invalid(format!("{key} must be a non-negative integer, got '{raw}'"))
        }),
    };
    let page_number = number("page_number", 0)?;
    let page_number = if st.config.ignore_page_number {
        0
    } else {
        page_number
    };
    let limit = number("limit", DEFAULT_LIMIT)?;
    if limit > MAX_LIMIT {
        return Err(Problem::invalid(format!(
            "limit must be at most {MAX_LIMIT}, got {limit}"
        )));
    }
    let skip = usize::try_from(page_number.saturating_mul(limit)).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    let data: Vec<Value> = items.into_iter().skip(skip).take(take).collect();
    Ok(Reply::json(200, &Value::Array(data)))
}
