//! Reading query parameters, on the shared pairs of [`crate::query`]. Unknown parameters are
//! ignored: nothing in the docs says TimeTrack refuses them, and the user filter of the
//! attendance list depends on exactly that.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{date, parse_ts};
use super::reply::Problem;
pub(crate) use crate::query::Params;

/// What TimeTrack's docs say a parameter's value looks like.
pub(crate) trait TimeTrackParams {
    /// A timestamp parameter (`…Z` only).
    fn ts(&self, key: &str) -> Result<Option<DateTime<Utc>>, Problem>;

    /// A date parameter (`YYYY-MM-DD`).
    fn date(&self, key: &str) -> Result<Option<NaiveDate>, Problem>;

    /// An integer parameter.
    fn int(&self, key: &str) -> Result<Option<i64>, Problem>;
}

impl TimeTrackParams for Params {
    fn ts(&self, key: &str) -> Result<Option<DateTime<Utc>>, Problem> {
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

    fn date(&self, key: &str) -> Result<Option<NaiveDate>, Problem> {
        self.get(key)
            .map(|v| {
                date(v).ok_or_else(|| {
                    Problem::invalid(format!("{key} must be a date YYYY-MM-DD, got '{v}'"))
                })
            })
            .transpose()
    }

    fn int(&self, key: &str) -> Result<Option<i64>, Problem> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Problem::invalid(format!("{key} must be an integer, got '{v}'")))
            })
            .transpose()
    }
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
