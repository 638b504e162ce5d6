//! `GET /v2/persons`: how the importer turns an e-mail address into a person id.
//!
//! `personio-api.md` §4.2: cursor paging, `limit` 1–50 (default 10, else 400 "Provided value for
//! limit is not valid"), filters AND-combined. E-mail matching ignores case here; the docs do not
//! say (assumption, see README). `created_at.gt/.lt` and `updated_at.gt/.lt` take an RFC 3339
//! instant or a local date-time read as UTC (the docs name the filters, not their format).

use chrono::{DateTime, Utc};

use super::model::Person;
use super::paging;
use super::query::{Params, parse_local};
use super::reply::{self, Reply};
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
        Some(_) => return reply::invalid_query("Provided value for status is not valid"),
    };
    let stamps = match Stamps::read(f) {
        Ok(s) => s,
        Err(reply) => return reply,
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
        .filter(|p| stamps.keeps(p))
        .collect();
    matched.sort_by_key(|p| p.id.parse::<u64>().unwrap_or(u64::MAX));
    let items = matched.iter().map(|p| p.to_json()).collect();
    Reply::json(
        200,
        &paging::body(st, "/v2/persons", ctx.raw_query, &page, items),
    )
}

/// An instant: RFC 3339 with an offset, or a local date-time taken as UTC.
fn instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| parse_local(raw).map(|t| t.and_utc()))
}

/// The strict bounds on `created_at` and `updated_at`.
struct Stamps([Option<DateTime<Utc>>; 4]);

impl Stamps {
    const KEYS: [&str; 4] = [
        "created_at.gt",
        "created_at.lt",
        "updated_at.gt",
        "updated_at.lt",
    ];

    fn read(f: &Params) -> Result<Stamps, Reply> {
        let mut bounds = [None; 4];
        for (slot, key) in bounds.iter_mut().zip(Self::KEYS) {
            if let Some(raw) = f.get(key) {
                *slot = Some(instant(raw).ok_or_else(|| {
                    reply::invalid_query(&format!("Provided value for {key} is not valid"))
                })?);
            }
        }
        Ok(Stamps(bounds))
    }

    fn keeps(&self, p: &Person) -> bool {
        let [c_gt, c_lt, u_gt, u_lt] = self.0;
        c_gt.is_none_or(|t| p.created_at > t)
            && c_lt.is_none_or(|t| p.created_at < t)
            && u_gt.is_none_or(|t| p.updated_at > t)
            && u_lt.is_none_or(|t| p.updated_at < t)
    }
}
