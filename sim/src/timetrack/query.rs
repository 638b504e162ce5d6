//! Reading query strings. Unknown parameters are ignored: nothing in the docs says TimeTrack
//! refuses them, and the user filter of the attendance list depends on exactly that.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{date, parse_ts};
use super::reply::Problem;

/// Decoded `key=value` pairs in their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses `a=1&b=2`; `+` decodes to a space.
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

    /// A timestamp parameter (`…Z` only).
    pub fn ts(&self, key: &str) -> Result<Option<DateTime<Utc>>, Problem> {
        self.get(key)
            .map(|v| {
                parse_ts(v).ok_or_else(|| {
                    Problem::invalid(format!(
                        "{key} must be a UTC timestamp YYYY-MM-DDTHH:MM:SS[.SSS]Z, got '{v}'"
                    ))
                })
            })
            .transpose()
    }

    /// A date parameter (`YYYY-MM-DD`).
    pub fn date(&self, key: &str) -> Result<Option<NaiveDate>, Problem> {
        self.get(key)
            .map(|v| {
                date(v).ok_or_else(|| {
                    Problem::invalid(format!("{key} must be a date YYYY-MM-DD, got '{v}'"))
                })
            })
            .transpose()
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<Option<i64>, Problem> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Problem::invalid(format!("{key} must be an integer, got '{v}'")))
            })
            .transpose()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_must_be_utc() {
        let p = Params::parse("a=2020-10-20T09%3A00%3A00Z&b=2020-10-20T09:00:00%2B01:00&c=x");
        assert!(p.ts("a").unwrap().is_some());
        assert!(p.ts("b").is_err());
        assert!(p.int("c").is_err());
        assert_eq!(p.ts("zz").unwrap(), None);
    }
}
