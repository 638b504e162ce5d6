//! Query strings and form bodies as the simulators read them: decoded pairs in their order.
//!
//! The pairs are kept as sent, repeats and all, because what a client got wrong in its encoding
//! (a raw `+` in an offset, a repeated scalar) is exactly what a simulator must be able to see.
//! What a value must look like is each API's own business and lives with its simulator.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Decoded `key=value` pairs in their order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses `a=1&b=2` (also a form-urlencoded body); `+` decodes to a space.
    pub fn parse(raw: &str) -> Params {
        Params(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
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

    /// All values of a repeated `key`.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// All values of `key`, repeated or comma-separated or both, blanks dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.all(key)
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The pairs whose key is none of `keys`.
    pub fn without(&self, keys: &[&str]) -> Params {
        Params(
            self.0
                .iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }
}

/// Exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Percent-decoding with `+` as space; a `%` without two hex digits stays as it is.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_decode_in_order() {
        let p = Params::parse("email=a%40b.c,X@Y.z&email=q%2Bw&person.id=1&x&cursor=c");
        assert_eq!(p.list("email"), vec!["a@b.c", "X@Y.z", "q+w"]);
        assert_eq!(p.all("email"), vec!["a@b.c,X@Y.z", "q+w"]);
        assert_eq!(p.get("person.id"), Some("1"));
        assert_eq!(p.get("x"), Some(""));
        assert_eq!(p.without(&["cursor", "email"]).0.len(), 2);
        assert_eq!(Params::parse("a=b+c%").get("a"), Some("b c%"));
        assert_eq!(Params::parse("x=%4").get("x"), Some("%4"));
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(encode("a+b c"), "a%2Bb%20c");
        assert_eq!(encode("A-z_0.~"), "A-z_0.~");
    }

    #[test]
    fn dates_are_exact() {
        assert!(parse_date("2026-03-01").is_some());
        assert!(parse_date("2026-3-1").is_none());
    }
}
