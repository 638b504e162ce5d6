//! Reading query strings, form bodies, local date-times and opaque cursors.
//!
//! The real API is strict about date-times (`personio-api.md` §3.2: a trailing `Z` gives 400), so
//! the parsers here accept exactly the local `YYYY-MM-DDTHH:MM:SS` form and nothing looser.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::model::DATE_TIME_FORMAT;

/// Decoded `key=value` pairs in their order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses `a=1&b=2` (also a form-urlencoded body).
    pub fn parse(raw: &str) -> Params {
        Params(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => (decode(k), decode(v)),
                    None => (decode(pair), String::new()),
                })
                .collect(),
        )
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All values of `key`, each split on commas, blanks dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The pairs except `cursor` and `limit`: the filters a cursor must carry.
    pub fn filters(&self) -> Params {
        Params(
            self.0
                .iter()
                .filter(|(k, _)| k != "cursor" && k != "limit")
                .cloned()
                .collect(),
        )
    }
}

/// Percent-decoding with `+` as space.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes a query value (unreserved characters stay).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A local date-time, exactly `YYYY-MM-DDTHH:MM:SS`; anything with an offset, `Z`, a fraction
/// or missing seconds is refused.
pub(crate) fn parse_local(s: &str) -> Option<NaiveDateTime> {
    if s.len() != 19 {
        return None;
    }
    NaiveDateTime::parse_from_str(s, DATE_TIME_FORMAT).ok()
}

/// A date, exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
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
    fn params_decode_and_split() {
        let p = Params::parse("email=a%40b.c,X@Y.z&email=q%2Bw&person.id=1&x");
        assert_eq!(p.list("email"), vec!["a@b.c", "X@Y.z", "q+w"]);
        assert_eq!(p.get("person.id"), Some("1"));
        assert_eq!(p.get("x"), Some(""));
        assert_eq!(Params::parse("a=b+c%").get("a"), Some("b c%"));
    }

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
