//! What the HTTP clients (Personio, timr, TimeTrack) share: pacing to a request rate, capped
//! back-off, reading `Retry-After`, caching and fetching OAuth tokens, and the one retry
//! loop ([`exchange`]) that decides which failures may be repeated.

use std::time::Duration;

use tokio::time::Instant;

/// Requests that may go out back to back after a pause: timers wake late (by up to a
/// millisecond), and without that credit the overshoot would add up to a third of the
/// allowed rate at a few hundred requests per second.
const BURST: u32 = 4;

/// Spaces requests 1/max_rps apart.
pub struct Pacer {
    gap: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pacer {
    pub fn new(max_rps: f64) -> Pacer {
        Pacer {
            gap: Duration::from_secs_f64(1.0 / max_rps.max(0.01)),
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    /// Waits for the next request slot.
    pub async fn pace(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        let earliest = now.checked_sub(self.gap * BURST).unwrap_or(now);
        let slot = (*next).max(earliest);
        *next = slot + self.gap;
        if slot > now {
            tokio::time::sleep_until(slot).await;
        }
    }

    /// Pushes the next slot back, e.g. after a 429 or when the server's bucket is empty.
    pub async fn hold(&self, d: Duration) {
        let mut next = self.next.lock().await;
        *next = (*next).max(Instant::now() + d);
    }
}

/// A bearer token and when to renew it: a minute before it expires, and after an hour when
/// the token answer gives no lifetime.
#[derive(Debug, Default)]
pub struct Token(Option<(String, Instant)>);

impl Token {
    /// The token, unless it is about to expire.
    pub fn fresh(&self) -> Option<&str> {
        match &self.0 {
            Some((t, until)) if Instant::now() < *until => Some(t),
            _ => None,
        }
    }

    /// Keeps a new token that lives `expires_in` seconds.
    pub fn keep(&mut self, token: &str, expires_in: Option<u64>) {
        let life = Duration::from_secs(expires_in.unwrap_or(3600));
        self.0 = Some((
            token.to_string(),
            Instant::now() + life.saturating_sub(Duration::from_secs(60)),
        ));
    }
}

/// The `Retry-After` seconds of an answer, at most five minutes.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(300)))
}

/// The parts of an OAuth2 token answer that matter (RFC 6749 §5.1).
#[derive(Debug, serde::Deserialize)]
pub struct Issued {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// A token endpoint's answer read whole. A request that never got an answer counts as a
/// 503, so the caller's one retry rule covers both: a token request changes nothing remote.
pub struct TokenAnswer {
    pub status: reqwest::StatusCode,
    pub wait: Option<Duration>,
    pub body: String,
}

impl TokenAnswer {
    pub async fn read(sent: Result<reqwest::Response, reqwest::Error>) -> TokenAnswer {
        match sent {
            Ok(resp) => TokenAnswer {
                status: resp.status(),
                wait: retry_after(resp.headers()),
                body: resp.text().await.unwrap_or_default(),
            },
            Err(e) => TokenAnswer {
                status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
                wait: None,
                body: e.to_string(),
            },
        }
    }

    /// The token of a successful answer.
    pub fn issued(&self) -> Result<Issued, serde_json::Error> {
        serde_json::from_str(&self.body)
    }

    /// Rate limits and server faults pass; anything else is the credentials' fault.
    pub fn transient(&self) -> bool {
        self.status == reqwest::StatusCode::TOO_MANY_REQUESTS || self.status.is_server_error()
    }
}

/// An answer read whole, for the client to sort by status.
#[derive(Debug)]
pub struct Reply {
    pub status: reqwest::StatusCode,
    pub body: String,
}

/// Why no answer came back that a client could sort.
#[derive(Debug)]
pub enum Lost {
    /// Nothing usable came back. For a write, `maybe_applied` says whether the request had
    /// left: then the server may have applied it, and only reading can tell.
    Unanswered { detail: String, maybe_applied: bool },
    /// Still 429 after every retry.
    RateLimited(Reply),
}

/// 429s tolerated for one call, whatever `attempts` says: waiting is always safe.
const RATE_LIMIT_ATTEMPTS: u32 = 8;

/// One request under the retry rules every client follows. `attempt` builds and sends a
/// fresh request; `observe` sees each attempt's status (`None`: no answer).
///
/// Reads, and requests refused before anything was sent, are repeated with capped
/// back-off. A write whose answer was lost (reset, timeout, cut-off body, or a 5xx) is not
/// repeated: no server here takes an idempotency key, so the caller must read before it
/// sends again. A 429 is repeated after `Retry-After`, and an empty token bucket
/// (`x-ratelimit-remaining: 0`) holds the next request back. The answer returned is a
/// 2xx, a 4xx other than 429, or a 5xx the rules do not repeat.
pub async fn exchange<F, Fut>(
    pacer: &Pacer,
    attempts: u32,
    write: bool,
    mut attempt: F,
    observe: &(dyn Fn(Option<u16>) + Sync),
) -> Result<Reply, Lost>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
{
    let mut n = 0;
    loop {
        n += 1;
        pacer.pace().await;
        let resp = match attempt().await {
            Ok(r) => r,
            Err(e) => {
                observe(None);
                let unsent = e.is_connect() || e.is_builder();
                if (unsent || !write) && n < attempts {
                    tokio::time::sleep(backoff(n)).await;
                    continue;
                }
                return Err(Lost::Unanswered {
                    detail: e.without_url().to_string(),
                    maybe_applied: write && !unsent,
                });
            }
        };
        let status = resp.status();
        observe(Some(status.as_u16()));
        if let Some(wait) = bucket_empty(resp.headers()) {
            pacer.hold(wait).await;
        }
        let wait = retry_after(resp.headers());
        let body = match resp.text().await {
            Ok(t) => t,
            Err(e) if status.is_success() => {
                if !write && n < attempts {
                    tokio::time::sleep(backoff(n)).await;
                    continue;
                }
                return Err(Lost::Unanswered {
                    detail: format!("answer cut off: {}", e.without_url()),
                    maybe_applied: write,
                });
            }
            Err(_) => String::new(),
        };
        let reply = Reply { status, body };
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            if n >= attempts.max(RATE_LIMIT_ATTEMPTS) {
                return Err(Lost::RateLimited(reply));
            }
            pacer.hold(wait.unwrap_or_else(|| backoff(n))).await;
            continue;
        }
        if status.is_server_error() && !write && n < attempts {
            tokio::time::sleep(backoff(n)).await;
            continue;
        }
        return Ok(reply);
    }
}

/// How long to hold back when the server says its token bucket is empty.
fn bucket_empty(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let (remaining, rate) = (
        num("x-ratelimit-remaining")?,
        num("x-ratelimit-replenish-rate")?,
    );
    (remaining < 1.0 && rate > 0.0).then(|| Duration::from_secs_f64(1.0 / rate))
}

/// Asks a token endpoint until it answers for good. A 429, a 5xx or no answer at all is
/// asked again after back-off (`Retry-After` when given); the answer returned is a success,
/// a refusal, or the last passing failure once `attempts` are spent.
pub async fn ask_for_token<F, Fut>(pacer: &Pacer, attempts: u32, mut post: F) -> TokenAnswer
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
{
    let mut n = 0;
    loop {
        n += 1;
        pacer.pace().await;
        let answer = TokenAnswer::read(post().await).await;
        if answer.status.is_success() || !answer.transient() || n >= attempts {
            return answer;
        }
        tokio::time::sleep(answer.wait.unwrap_or_else(|| backoff(n))).await;
    }
}

/// Capped exponential back-off with jitter: about 0.5 s, 1 s, 2 s, … up to 30 s.
pub fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(500)
        .saturating_mul(1 << attempt.min(6))
        .min(Duration::from_secs(30));
    cap.mul_f64(0.5 + rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_grows_and_is_capped() {
        assert!(backoff(1) <= Duration::from_secs(1));
        assert!(backoff(20) <= Duration::from_secs(30) && backoff(20) >= Duration::from_secs(15));
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert("retry-after", "99999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(300)));
    }

    #[test]
    fn an_empty_token_bucket_holds_the_next_request_back() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(bucket_empty(&h), None);
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-replenish-rate", "4".parse().unwrap());
        assert_eq!(bucket_empty(&h), Some(Duration::from_millis(250)));
        h.insert("x-ratelimit-remaining", "3".parse().unwrap());
        assert_eq!(bucket_empty(&h), None);
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_are_renewed_a_minute_before_they_expire() {
        let mut t = Token::default();
        assert_eq!(t.fresh(), None);
        t.keep("abc", Some(120));
        assert_eq!(t.fresh(), Some("abc"));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(t.fresh(), None);
        t.keep("def", None);
        tokio::time::advance(Duration::from_secs(3539)).await;
        assert_eq!(t.fresh(), Some("def"));
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_requests_after_a_small_burst() {
        let p = Pacer::new(10.0);
        tokio::time::advance(Duration::from_secs(1)).await;
        let start = Instant::now();
        for _ in 0..14 {
            p.pace().await;
        }
        // The one due now and 4 on credit at once, then 9 more 100 ms apart.
        assert_eq!(start.elapsed(), Duration::from_millis(900));
    }
}
