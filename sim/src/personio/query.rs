//! Reading local date-times and opaque cursors; the pairs themselves are the shared
//! [`crate::query`].
//!
//! The real API is strict about date-times (`personio-api.md` §3.2: a trailing `Z` gives 400), so
//! the parsers here accept exactly the local `YYYY-MM-DDTHH:MM:SS` form and nothing looser.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::model::DATE_TIME_FORMAT;
pub(crate) use crate::query::{Params, encode, parse_date};

/// A local date-time, exactly `YYYY-MM-DDTHH:MM:SS`; anything with an offset, `Z`, a fraction
/// or missing seconds is refused.
pub(crate) fn parse_local(s: &str) -> Option<NaiveDateTime> {
    if s.len() != 19 {
        return None;
    }
    NaiveDateTime::parse_from_str(s, DATE_TIME_FORMAT).ok()
}

/// What an opaque cursor holds: where the next page starts, its size, and the filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cursor {
    pub offset: usize,
    pub limit: usize,
    pub filters: Params,
}

impl Cursor {
    /// Base64url of the JSON form.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// The inverse of `encode`; `None` for anything else.
    pub fn decode(s: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_date_times_are_strict() {
        assert!(parse_local("2026-03-03T08:00:00").is_some());
        assert!(parse_local("2026-03-03T08:00:00Z").is_none());
        assert!(parse_local("2026-03-03T08:00:00+01:00").is_none());
        assert!(parse_local("2026-03-03T08:00").is_none());
        assert!(parse_local("2026-03-03T08:00:00.000").is_none());
    }

    #[test]
    fn cursor_round_trips() {
        let c = Cursor {
            offset: 100,
            limit: 7,
            filters: Params::parse("person.id=1001"),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("garbage!"), None);
    }
}
