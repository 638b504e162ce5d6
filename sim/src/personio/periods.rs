//! `GET /v2/attendance-periods` and `GET /v2/attendance-periods/{id}`: how the importer finds
//! what is already in Personio after a lost answer.
//!
//! `personio-api.md` §3.3 and §3.4: `limit` 1–100 (default 100), repeatable or comma-list `id`
//! and `person.id`, range filters on local date-times (a `Z` or an offset gives 400 "Invalid
//! request content."), `sort` with the documented fields, default order person, start, end.

use std::cmp::Ordering;

use chrono::{NaiveDate, NaiveDateTime};

use super::model::Period;
use super::paging;
use super::query::{Params, parse_date, parse_local};
use super::reply::{self, Reply};
use super::state::{Ctx, State};

/// One `GET` by id.
pub(crate) fn get(st: &State, ctx: &Ctx) -> Reply {
    let id = ctx.id.as_deref().unwrap_or_default();
    match st.periods.iter().find(|p| p.id == id) {
        Some(p) => Reply::json(200, &p.to_json()),
        None => reply::not_found(&format!("Attendance period {id} was not found")),
    }
}

/// The list.
pub(crate) fn list(st: &State, ctx: &Ctx) -> Reply {
    let page = match paging::read(&ctx.query, 100, 100) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let filter = match Filter::read(&page.filters) {
        Ok(f) => f,
        Err(reply) => return reply,
    };
    let mut matched: Vec<&Period> = st.periods.iter().filter(|p| filter.keeps(p)).collect();
    matched.sort_by(|a, b| filter.order(a, b));
    let items = matched.iter().map(|p| p.to_json()).collect();
    let body = paging::body(st, "/v2/attendance-periods", ctx.raw_query, &page, items);
    Reply::json(200, &body)
}

pub(crate) type Range<T> = (Option<T>, Option<T>);

struct Filter {
    ids: Vec<String>,
    persons: Vec<String>,
    projects: Vec<String>,
    statuses: Vec<String>,
    start: Range<NaiveDateTime>,
    end: Range<NaiveDateTime>,
    updated: Range<NaiveDateTime>,
    attribution: Range<NaiveDate>,
    sort: Vec<(SortField, bool)>,
}

#[derive(Clone, Copy)]
enum SortField {
    Person,
    Start,
    End,
    Updated,
    Status,
}

fn bad(name: &str) -> Reply {
    reply::invalid_query(&format!("Provided value for {name} is not valid"))
}

pub(crate) fn range<T>(
    f: &Params,
    name: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Range<T>, Reply> {
    let one = |suffix: &str| -> Result<Option<T>, Reply> {
        let key = format!("{name}.{suffix}");
        match f.get(&key) {
            None => Ok(None),
            Some(raw) => parse(raw).map(Some).ok_or_else(|| bad(&key)),
        }
    };
    Ok((one("gte")?, one("lte")?))
}

pub(crate) fn within<T: PartialOrd>(value: Option<T>, (gte, lte): &Range<T>) -> bool {
    if gte.is_none() && lte.is_none() {
        return true;
    }
    // An open period has no end: any end filter leaves it out.
    let Some(v) = value else { return false };
    gte.as_ref().is_none_or(|g| v >= *g) && lte.as_ref().is_none_or(|l| v <= *l)
}

impl Filter {
    fn read(f: &Params) -> Result<Filter, Reply> {
        let statuses = f.list("status");
        if statuses
            .iter()
            .any(|s| !matches!(s.as_str(), "PENDING" | "CONFIRMED" | "REJECTED"))
        {
            return Err(bad("status"));
        }
        let mut sort = Vec::new();
        for key in f.list("sort") {
            let (name, desc) = match key.strip_prefix('-') {
                Some(n) => (n, true),
                None => (key.as_str(), false),
            };
            let field = match name {
                "person.id" => SortField::Person,
                "start.date_time" => SortField::Start,
                "end.date_time" => SortField::End,
                "updated_at" => SortField::Updated,
                "status" => SortField::Status,
                _ => return Err(bad("sort")),
            };
            sort.push((field, desc));
        }
        if sort.is_empty() {
            sort = vec![
                (SortField::Person, false),
                (SortField::Start, false),
                (SortField::End, false),
            ];
        }
        Ok(Filter {
            ids: f.list("id"),
            persons: f.list("person.id"),
            projects: f.list("project.id"),
            statuses,
            start: range(f, "start.date_time", parse_local)?,
            end: range(f, "end.date_time", parse_local)?,
            updated: range(f, "updated_at", parse_local)?,
            attribution: range(f, "attribution_date", parse_date)?,
            sort,
        })
    }

    fn keeps(&self, p: &Period) -> bool {
        let any = |list: &[String], v: Option<&String>| {
            list.is_empty() || v.is_some_and(|v| list.contains(v))
        };
        any(&self.ids, Some(&p.id))
            && any(&self.persons, Some(&p.person_id))
            && any(&self.projects, p.project_id.as_ref())
            && any(&self.statuses, Some(&p.approval))
            && within(Some(p.start), &self.start)
            && within(p.end, &self.end)
            && within(Some(p.updated_at.naive_utc()), &self.updated)
            && within(Some(p.attribution_date()), &self.attribution)
    }

    fn order(&self, a: &Period, b: &Period) -> Ordering {
        let person = |p: &Period| p.person_id.parse::<u64>().unwrap_or(u64::MAX);
        // An open end sorts after every closed one.
        let end = |p: &Period| (p.end.is_none(), p.end);
        self.sort
            .iter()
            .map(|&(field, desc)| {
                let o = match field {
                    SortField::Person => person(a).cmp(&person(b)),
                    SortField::Start => a.start.cmp(&b.start),
                    SortField::End => end(a).cmp(&end(b)),
                    SortField::Updated => a.updated_at.cmp(&b.updated_at),
                    SortField::Status => a.approval.cmp(&b.approval),
                };
                if desc { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.id.cmp(&b.id))
    }
}
