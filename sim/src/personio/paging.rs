//! Cursor pagination shared by the list endpoints.
//!
//! `personio-api.md` §3.4: `{"_data": [...], "_meta": {"links": {"self", "next"}}}`, no total,
//! `next` missing on the last page. The cursor carries the filters, so a client that only
//! follows `next.href` gets the same result set.

use serde_json::{Map, Value, json};

use super::query::{Cursor, Params, encode};
use super::reply::{self, Reply};
use super::state::State;

/// Where a page starts, how long it is, and which filters select the items.
#[derive(Debug)]
pub(crate) struct Page {
    pub offset: usize,
    pub limit: usize,
    pub filters: Params,
}

/// Reads `limit` (1..=max, else 400) and `cursor` (taken over from an earlier page).
pub(crate) fn read(query: &Params, default: usize, max: usize) -> Result<Page, Reply> {
    let limit = match query.get("limit") {
        None => None,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Some(n),
            _ => {
                return Err(reply::invalid_query(
                    "Provided value for limit is not valid",
                ));
            }
        },
    };
    match query.get("cursor") {
        Some(raw) => {
            let cursor = Cursor::decode(raw)
                .ok_or_else(|| reply::invalid_query("Provided value for cursor is not valid"))?;
            Ok(Page {
                offset: cursor.offset,
                limit: limit.unwrap_or(cursor.limit),
                filters: cursor.filters,
            })
        }
        None => Ok(Page {
            offset: 0,
            limit: limit.unwrap_or(default),
            filters: query.without(&["cursor", "limit"]),
        }),
    }
}

/// The list body for one page of `all` (already filtered and sorted).
pub(crate) fn body(st: &State, path: &str, raw_query: &str, page: &Page, all: Vec<Value>) -> Value {
    let total = all.len();
    let end = page.offset.saturating_add(page.limit).min(total);
    let items: Vec<Value> = all
        .into_iter()
        .skip(page.offset)
        .take(end.saturating_sub(page.offset))
        .collect();
    let self_target = if raw_query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{raw_query}")
    };
    let mut links = Map::new();
    links.insert("self".into(), json!({ "href": st.href(&self_target) }));
    if end < total {
        let cursor = Cursor {
            offset: end,
            limit: page.limit,
            filters: page.filters.clone(),
        };
        let target = format!("{path}?cursor={}", encode(&cursor.encode()));
        links.insert("next".into(), json!({ "href": st.href(&target) }));
    }
    json!({ "_data": items, "_meta": { "links": links } })
}
