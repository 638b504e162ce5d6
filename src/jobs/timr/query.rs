//! Query strings as timr reads them.
//!
//! timr is strict: arrays are repeated parameters (`users=a&users=b`, never `users[]` or comma
//! lists), date-times are RFC 3339 with an offset, and an unencoded `+` in that offset decodes
//! to a space and is refused. `Url::query_pairs_mut` percent-encodes `+` as `%2B`, so every
//! parameter goes through it.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use reqwest::Url;

use super::wire::Status;

/// Filters of `GET /working-times`; the default reads everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Only entries changed strictly after this instant.
    pub last_modified_after: Option<DateTime<FixedOffset>>,
    /// Only entries starting on or after this day.
    pub start_from: Option<NaiveDate>,
    /// Only entries starting on or before this day.
    pub start_to: Option<NaiveDate>,
    /// Only entries of these user ids (empty: all).
    pub users: Vec<String>,
    /// Only entries with these statuses (empty: all).
    pub statuses: Vec<Status>,
}

/// RFC 3339 with the offset kept as given (`+02:00`, not converted to `Z`).
pub fn date_time(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

impl Query {
    /// Appends the filters, sorted by `last_modified` ascending so a page boundary never
    /// depends on entries starting on the same minute.
    pub fn apply(&self, url: &mut Url) {
        let mut q = url.query_pairs_mut();
        if let Some(t) = &self.last_modified_after {
            q.append_pair("last_modified_after", &date_time(t));
        }
        if let Some(d) = self.start_from {
            q.append_pair("start_from", &d.to_string());
        }
        if let Some(d) = self.start_to {
            q.append_pair("start_to", &d.to_string());
        }
        for u in &self.users {
            q.append_pair("users", u);
        }
        for s in &self.statuses {
            q.append_pair("statuses", s.as_str());
        }
        q.append_pair("sort_by", "last_modified")
            .append_pair("sort_direction", "asc");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_repeat_and_the_plus_of_an_offset_is_encoded() {
        let mut url = Url::parse("http://x/v0.2/working-times").unwrap();
        Query {
            last_modified_after: Some(
                DateTime::parse_from_rfc3339("2026-03-10T12:00:00+02:00").unwrap(),
            ),
            start_from: NaiveDate::from_ymd_opt(2026, 3, 1),
            start_to: None,
            users: vec!["a".into(), "b".into()],
            statuses: vec![Status::Changeable, Status::Running],
        }
        .apply(&mut url);
        assert_eq!(
            url.query(),
            Some(
                "last_modified_after=2026-03-10T12%3A00%3A00%2B02%3A00&start_from=2026-03-01\
                 &users=a&users=b&statuses=changeable&statuses=running\
                 &sort_by=last_modified&sort_direction=asc"
            )
        );
    }
}
