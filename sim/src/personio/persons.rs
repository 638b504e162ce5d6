//! `GET /v2/persons`: how the importer turns an e-mail address into a person id.
//!
//! `personio-api.md` §4.2: cursor paging, `limit` 1–50 (default 10, else 400 "Provided value for
//! limit is not valid"), filters AND-combined. E-mail matching ignores case here; the docs do not
//! say (assumption, see README).

use super::paging;
use super::reply::Reply;
use super::state::{Ctx, State};

/// Lists persons.
pub(crate) fn list(st: &State, ctx: &Ctx) -> Reply {
    let page = match paging::read(&ctx.query, 10, 50) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let f = &page.filters;
    let emails: Vec<String> = f.list("email").iter().map(|e| e.to_lowercase()).collect();
    let ids = f.list("id");
    let status = match f.get("status") {
        None => None,
        Some(s) if s == "ACTIVE" || s == "INACTIVE" => Some(s.to_owned()),
        Some(_) => return Reply::invalid_query("Provided value for status is not valid"),
    };
    let first = f.get("first_name");
    let last = f.get("last_name");
    let mut matched: Vec<_> = st
        .persons
        .iter()
        .filter(|p| emails.is_empty() || emails.contains(&p.email.to_lowercase()))
        .filter(|p| ids.is_empty() || ids.contains(&p.id))
        .filter(|p| status.as_ref().is_none_or(|s| *s == p.status))
        .filter(|p| first.is_none_or(|n| n == p.first_name))
        .filter(|p| last.is_none_or(|n| n == p.last_name))
        .collect();
    matched.sort_by_key(|p| p.id.parse::<u64>().unwrap_or(u64::MAX));
    let items = matched.iter().map(|p| p.to_json()).collect();
    Reply::json(
        200,
        &paging::body(st, "/v2/persons", ctx.raw_query, &page, items),
    )
}
