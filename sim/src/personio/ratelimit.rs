//! Token buckets per endpoint group, with the gateway's `x-ratelimit-*` headers.
//!
//! `personio-api.md` §7.1 and `personio-v2-breaks.md` §6: v2 sits behind per-endpoint token
//! buckets that report themselves in four headers on every response and send no `Retry-After`.

use std::collections::HashMap;
use std::time::Instant;

use super::config::RateLimit;
use super::faults::Group;
use super::reply::{self, Reply};

/// The outcome of drawing one token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verdict {
    pub allowed: bool,
    pub remaining: u32,
    /// Whole seconds until a token is back.
    pub retry_after: u64,
}

#[derive(Debug)]
struct Bucket {
    limit: RateLimit,
    tokens: f64,
    last: Instant,
}

/// One bucket per group, created full on first use and reset when the limit changes.
#[derive(Debug, Default)]
pub(crate) struct Buckets(HashMap<Group, Bucket>);

impl Buckets {
    pub fn take(&mut self, group: Group, limit: RateLimit, now: Instant) -> Verdict {
        let bucket = self.0.entry(group).or_insert(Bucket {
            limit,
            tokens: f64::from(limit.capacity),
            last: now,
        });
        if bucket.limit != limit {
            *bucket = Bucket {
                limit,
                tokens: f64::from(limit.capacity),
                last: now,
            };
        }
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens =
            (bucket.tokens + elapsed * f64::from(limit.per_second)).min(f64::from(limit.capacity));
        bucket.last = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let retry_after = if limit.per_second == 0 {
            60
        } else {
            (((1.0 - bucket.tokens).max(0.0)) / f64::from(limit.per_second))
                .ceil()
                .max(1.0) as u64
        };
        Verdict {
            allowed,
            remaining: bucket.tokens.floor() as u32,
            retry_after,
        }
    }
}

/// Adds the four gateway headers.
pub(crate) fn with_headers(reply: Reply, limit: RateLimit, remaining: u32) -> Reply {
    reply
        .with_header("x-ratelimit-remaining", remaining.to_string())
        .with_header("x-ratelimit-replenish-rate", limit.per_second.to_string())
        .with_header("x-ratelimit-burst-capacity", limit.capacity.to_string())
        .with_header("x-ratelimit-requested-tokens", "1")
}

/// The 429 answer.
pub(crate) fn too_many(limit: RateLimit, retry_after: Option<u64>) -> Reply {
    let reply = reply::problem(
        429,
        "Too Many Requests",
        "The rate limit for this endpoint has been exceeded.",
    );
    let reply = with_headers(reply, limit, 0);
    match retry_after {
        Some(secs) => reply.with_header("retry-after", secs.to_string()),
        None => reply,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_empties_and_refills() {
        let limit = RateLimit {
            capacity: 2,
            per_second: 4,
        };
        let mut b = Buckets::default();
        let t0 = Instant::now();
        assert!(b.take(Group::Persons, limit, t0).allowed);
        assert!(b.take(Group::Persons, limit, t0).allowed);
        let v = b.take(Group::Persons, limit, t0);
        assert!(!v.allowed);
        assert_eq!(v.retry_after, 1);
        assert!(b.take(Group::Auth, limit, t0).allowed);
        assert!(
            b.take(Group::Persons, limit, t0 + Duration::from_millis(260))
                .allowed
        );
    }
}
