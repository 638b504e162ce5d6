//! Reading query strings and form bodies, strictly.
//!
//! A client that forgets to percent-encode the `+` of an offset sends a space, and timr answers
//! 400; so do unknown parameters and date-times without an offset. Being strict here is what lets
//! a test catch those client bugs before the real API does.

use chrono::{DateTime, NaiveDate};

use super::model::Timestamp;
use super::reply::Problem;
use super::routes::Operation;

/// Decoded `key=value` pairs in their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

    /// The value of `key` (at most one is allowed for scalars, see `check`).
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

    /// Refuses parameters the operation does not declare, and repeated scalars.
    pub fn check(&self, op: &Operation) -> Result<(), Problem> {
        for (i, (k, _)) in self.0.iter().enumerate() {
            if !op.query.contains(&k.as_str()) {
                return Err(Problem::invalid(
                    k,
                    format!("Unknown query parameter '{k}'"),
                ));
            }
            let repeated = self.0[..i].iter().any(|(seen, _)| seen == k);
            if repeated && !op.arrays.contains(&k.as_str()) {
                return Err(Problem::invalid(
                    k,
                    format!("Query parameter '{k}' given twice"),
                ));
            }
        }
        Ok(())
    }

    /// A `DateTime` parameter: RFC 3339 with an offset.
    pub fn date_time(&self, key: &str) -> Result<Option<Timestamp>, Problem> {
        self.get(key)
            .map(|v| {
                parse_date_time(v).ok_or_else(|| {
                    Problem::invalid(
                        key,
                        format!(
                            "'{v}' is not an RFC 3339 date-time with offset \
                             (is the '+' percent-encoded?)"
                        ),
                    )
                })
            })
            .transpose()
    }

    /// A `LocalDate` parameter: `YYYY-MM-DD`.
    pub fn date(&self, key: &str) -> Result<Option<NaiveDate>, Problem> {
        self.get(key)
            .map(|v| {
                parse_date(v)
                    .ok_or_else(|| Problem::invalid(key, format!("'{v}' is not a date YYYY-MM-DD")))
            })
            .transpose()
    }

    /// A boolean parameter: `true` or `false`.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, Problem> {
        self.get(key)
            .map(|v| match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Problem::invalid(key, format!("'{v}' is not a boolean"))),
            })
            .transpose()
    }

    /// An array of enum values, each checked with `parse`.
    pub fn enums<T>(&self, key: &str, parse: fn(&str) -> Option<T>) -> Result<Vec<T>, Problem> {
        self.all(key)
            .into_iter()
            .map(|v| {
                parse(v).ok_or_else(|| Problem::invalid(key, format!("'{v}' is not a valid value")))
            })
            .collect()
    }
}

/// RFC 3339 with a mandatory offset (`Z` or `±hh:mm`) and `T` between date and time.
pub(crate) fn parse_date_time(s: &str) -> Option<Timestamp> {
    if s.contains(' ') || s.get(10..11) != Some("T") {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
}

/// Exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Percent-decoding with `+` as space.
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
    fn plus_is_a_space_and_breaks_the_offset() {
        let p = Params::parse("a=2026-03-01T08:00:00+01:00&b=2026-03-01T08:00:00%2B01:00");
        assert!(p.date_time("a").is_err());
        assert!(p.date_time("b").unwrap().is_some());
        assert!(parse_date_time("2026-03-01T08:00:00").is_none());
        assert!(parse_date_time("2026-03-01T08:00:00Z").is_some());
        assert_eq!(Params::parse("x=%4").get("x"), Some("%4"));
        assert_eq!(encode("a+b c"), "a%2Bb%20c");
    }
}
