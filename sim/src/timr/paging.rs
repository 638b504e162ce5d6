//! Cursor pagination shared by the list endpoints.
//!
//! `sources.md` §3.3: `limit` (default 20, at most 500) and `page_token`; the envelope is
//! `{"data": [...], "next_page_token": "…" | null}`. The token remembers the sort key of the last
//! item rather than an offset, so entries added or removed between pages neither repeat nor
//! vanish. It also remembers the filters: the spec's `Link` header carries "filter parameters
//! and page token", so a client must send the same filters again, and a token used with other
//! filters is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::query::{Params, encode};
use super::reply::{Problem, Reply};

/// A list's sort position: compared component by component as strings.
pub(crate) type SortKey = Vec<String>;

/// The paging part of a list request.
#[derive(Debug)]
pub(crate) struct Paging {
    pub sort_by: String,
    limit: usize,
    desc: bool,
    after: Option<SortKey>,
    filters: Vec<(String, String)>,
}

const MAX_LIMIT: usize = 500;

/// Reads `limit`, `sort_direction`, `sort_by` (one of `columns`, default the first) and
/// `page_token`.
pub(crate) fn read(q: &Params, columns: &[&str]) -> Result<Paging, Problem> {
    let limit = match q.get("limit") {
        None => 20,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(Problem::invalid(
                    "limit",
                    format!("limit must be an integer from 1 to {MAX_LIMIT}"),
                ));
            }
        },
    };
    let desc = match q.get("sort_direction") {
        None | Some("asc") => false,
        Some("dsc") => true,
        Some(v) => {
            return Err(Problem::invalid(
                "sort_direction",
                format!("'{v}' is not one of asc, dsc"),
            ));
        }
    };
    let sort_by = match q.get("sort_by") {
        None => columns[0].to_owned(),
        Some(v) if columns.contains(&v) => v.to_owned(),
        Some(v) => {
            return Err(Problem::invalid(
                "sort_by",
                format!("'{v}' is not one of {}", columns.join(", ")),
            ));
        }
    };
    let mut filters: Vec<(String, String)> =
        q.0.iter()
            .filter(|(k, _)| k != "page_token" && k != "limit")
            .cloned()
            .collect();
    filters.sort();
    let after = match q.get("page_token") {
        None => None,
        Some(tok) => Some(decode_token(tok, &filters)?),
    };
    Ok(Paging {
        sort_by,
        limit,
        desc,
        after,
        filters,
    })
}

fn decode_token(tok: &str, filters: &[(String, String)]) -> Result<SortKey, Problem> {
    let bad = |msg: &str| Problem::invalid("page_token", msg.to_owned());
    let bytes = URL_SAFE_NO_PAD
        .decode(tok)
        .map_err(|_| bad("page_token is not valid"))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad("page_token is not valid"))?;
    if v["f"] != json!(filters) {
        return Err(bad(
            "page_token was issued for other filters; send the same filters with it",
        ));
    }
    serde_json::from_value(v["k"].clone()).map_err(|_| bad("page_token is not valid"))
}

impl Paging {
    /// One page of `items`, with `next_page_token` and a `Link` header when more follow.
    /// `url` is the absolute URL of the list without query.
    pub fn apply(&self, mut items: Vec<(SortKey, Value)>, url: &str) -> Reply {
        items.sort_by(|a, b| a.0.cmp(&b.0));
        if self.desc {
            items.reverse();
        }
        if let Some(after) = &self.after {
            items.retain(|(k, _)| if self.desc { k < after } else { k > after });
        }
        let more = items.len() > self.limit;
        items.truncate(self.limit);
        let next = match items.last() {
            Some((key, _)) if more => {
                let raw = json!({ "k": key, "f": self.filters }).to_string();
                Some(URL_SAFE_NO_PAD.encode(raw))
            }
            _ => None,
        };
        let data: Vec<Value> = items.into_iter().map(|(_, v)| v).collect();
        let reply = Reply::json(200, &json!({ "data": data, "next_page_token": next }));
        match next {
            Some(tok) => {
                let mut query: Vec<String> = self
                    .filters
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                    .collect();
                query.push(format!("limit={}", self.limit));
                query.push(format!("page_token={tok}"));
                reply.with_header("link", format!("<{url}?{}>; rel=\"next\"", query.join("&")))
            }
            None => reply,
        }
    }
}
