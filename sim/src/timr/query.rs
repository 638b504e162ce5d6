//! Reading query parameters strictly, on the shared pairs of [`crate::query`].
//!
//! A client that forgets to percent-encode the `+` of an offset sends a space, and timr answers
//! 400; so do unknown parameters and date-times without an offset. Being strict here is what lets
//! a test catch those client bugs before the real API does.

use chrono::{DateTime, NaiveDate};

use super::model::Timestamp;
use super::reply::Problem;
use super::routes::Operation;
pub(crate) use crate::query::{Params, encode, parse_date};

/// What the spec declares a parameter's value must look like.
pub(crate) trait TimrParams {
    /// Refuses parameters the operation does not declare, and repeated scalars.
    fn check(&self, op: &Operation) -> Result<(), Problem>;

    /// A `DateTime` parameter: RFC 3339 with an offset.
    fn date_time(&self, key: &str) -> Result<Option<Timestamp>, Problem>;

    /// A `LocalDate` parameter: `YYYY-MM-DD`.
    fn date(&self, key: &str) -> Result<Option<NaiveDate>, Problem>;

    /// A boolean parameter: `true` or `false`.
    fn boolean(&self, key: &str) -> Result<Option<bool>, Problem>;

    /// An array of enum values, each checked with `parse`.
    fn enums<T>(&self, key: &str, parse: fn(&str) -> Option<T>) -> Result<Vec<T>, Problem>;
}

impl TimrParams for Params {
    fn check(&self, op: &Operation) -> Result<(), Problem> {
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

    fn date_time(&self, key: &str) -> Result<Option<Timestamp>, Problem> {
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

    fn date(&self, key: &str) -> Result<Option<NaiveDate>, Problem> {
        self.get(key)
            .map(|v| {
                parse_date(v)
                    .ok_or_else(|| Problem::invalid(key, format!("'{v}' is not a date YYYY-MM-DD")))
            })
            .transpose()
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, Problem> {
        self.get(key)
            .map(|v| match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Problem::invalid(key, format!("'{v}' is not a boolean"))),
            })
            .transpose()
    }

    fn enums<T>(&self, key: &str, parse: fn(&str) -> Option<T>) -> Result<Vec<T>, Problem> {
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
    }
}
