//! Token buckets per endpoint group and their headers.

use std::time::Duration;

use zeitpost_sim::personio::{PersonioConfig, PersonioSim, RateLimit};

use crate::client::{call, sim, token};

#[test]
fn bucket_empties_answers_429_and_refills() {
    let sim = PersonioSim::start(PersonioConfig {
        rate_limit: Some(RateLimit {
            capacity: 3,
            per_second: 2,
        }),
        ..PersonioConfig::default()
    });
    let tok = token(&sim);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = call(&sim, &tok, "GET", "/v2/persons", None);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-ratelimit-burst-capacity"), Some("3"));
        assert_eq!(r.header("x-ratelimit-replenish-rate"), Some("2"));
        assert_eq!(r.header("x-ratelimit-requested-tokens"), Some("1"));
        remaining.push(r.header("x-ratelimit-remaining").unwrap().to_owned());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let limited = call(&sim, &tok, "GET", "/v2/persons", None);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.title(), "Too Many Requests");
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(limited.header("retry-after"), None);
    // Another group has its own bucket.
    assert_eq!(
        call(&sim, &tok, "GET", "/v2/attendance-periods", None).status,
        200
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(call(&sim, &tok, "GET", "/v2/persons", None).status, 200);
    assert_eq!(sim.stats().rate_limited, 1);

    sim.set_config(|c| {
        c.retry_after_on_429 = true;
        c.rate_limit = Some(RateLimit {
            capacity: 1,
            per_second: 1,
        });
    });
    assert_eq!(call(&sim, &tok, "GET", "/v2/persons", None).status, 200);
    let limited = call(&sim, &tok, "GET", "/v2/persons", None);
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("1"))
    );
    assert_eq!(sim.stats().rate_limited, 2);
}

#[test]
fn no_headers_without_a_limit() {
    let sim = sim();
    let tok = token(&sim);
    let r = call(&sim, &tok, "GET", "/v2/persons", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-ratelimit-remaining"), None);
}
