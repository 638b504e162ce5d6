//! The timr HTTP client: token, pacing, retries, cursor paging.
//!
//! Retries follow what a request is. Reads, and requests refused before anything was sent,
//! are repeated with capped exponential back-off and jitter. A write whose answer was lost
//! (5xx, reset, timeout after sending) is not repeated but reported as maybe applied: timr
//! has no idempotency key, so only the caller, by reading the entry again, can tell. A 429 is
//! always safe to repeat, after `Retry-After` when timr sends one (rate limits are not
//! documented, so the client is defensive about them).

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use reqwest::{Method, Url};
use serde_json::{Value, json};

use crate::http::{Lost, ask_for_token, exchange};

pub use super::error::TimrError;
pub use super::query::Query;
pub use super::wire::{BreakTime, Deleted, Status, User, WorkingTime, WorkingTimeType};
use super::{query, wire};
use crate::config::SecretValue;

/// The scope a client-credentials client asks for.
const SCOPE: &str = "timrclient openid";
/// timr's largest page.
const MAX_PAGE: u32 = 500;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The API root, e.g. `https://api.timr.com/v0.2/`.
    pub base_url: String,
    /// e.g. `https://system.timr.com/id/oauth2/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretValue,
    /// Requests per second at most, all kinds together.
    pub max_rps: f64,
    pub timeout: Duration,
    /// Attempts for one call before giving up.
    pub attempts: u32,
}

/// What a request is, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Token,
    Users,
    WorkingTimeTypes,
    WorkingTimes,
    DeletedWorkingTimes,
    Lock,
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Call::Token => "timr token",
            Call::Users => "timr users",
            Call::WorkingTimeTypes => "timr working time types",
            Call::WorkingTimes => "timr working times",
            Call::DeletedWorkingTimes => "timr deleted working times",
            Call::Lock => "timr lock working time",
        })
    }
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
    token_url: Url,
    settings: Settings,
    page_size: u32,
    token: tokio::sync::Mutex<crate::http::Token>,
    pacer: crate::http::Pacer,
}

impl Client {
    pub fn new(settings: Settings) -> Result<Client, TimrError> {
        let parse = |what: &str, s: &str| {
            Url::parse(s).map_err(|e| TimrError::Unexpected(format!("timr {what} {s:?}: {e}")))
        };
        let mut base = parse("base_url", &settings.base_url)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let token_url = parse("token_url", &settings.token_url)?;
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("zeitpost/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TimrError::Unexpected(e.to_string()))?;
        let pacer = crate::http::Pacer::new(settings.max_rps);
        Ok(Client {
            pacer,
            http,
            base,
            token_url,
            settings,
            page_size: MAX_PAGE,
            token: tokio::sync::Mutex::new(crate::http::Token::default()),
        })
    }

    /// Entries per page (1 to 500; default 500, the fewest requests).
    pub fn with_page_size(mut self, n: u32) -> Client {
        self.page_size = n.clamp(1, MAX_PAGE);
        self
    }

    /// All users, resigned ones included (timr cannot filter by e-mail; match locally).
    pub async fn users(&self) -> Result<Vec<User>, TimrError> {
        let mut url = self.url("users");
        url.query_pairs_mut().append_pair("sort_direction", "asc");
        self.pages(Call::Users, url).await
    }

    /// All working time types, archived ones included.
    pub async fn working_time_types(&self) -> Result<Vec<WorkingTimeType>, TimrError> {
        let mut url = self.url("working-time-types");
        url.query_pairs_mut().append_pair("sort_direction", "asc");
        self.pages(Call::WorkingTimeTypes, url).await
    }

    /// Working times matching `q`, oldest change first.
    pub async fn working_times(&self, q: &Query) -> Result<Vec<WorkingTime>, TimrError> {
        let mut url = self.url("working-times");
        q.apply(&mut url);
        self.pages(Call::WorkingTimes, url).await
    }

    /// Working times deleted strictly after `since` (all when `None`).
    pub async fn deleted_working_times(
        &self,
        since: Option<DateTime<FixedOffset>>,
    ) -> Result<Vec<Deleted>, TimrError> {
        // "./": without it the colon makes the path parse as a URL scheme.
        let mut url = self.url("./working-times:deleted");
        {
            let mut q = url.query_pairs_mut();
            if let Some(t) = &since {
                q.append_pair("last_modified", &query::date_time(t));
            }
            q.append_pair("sort_by", "last_modified")
                .append_pair("sort_direction", "asc");
        }
        self.pages(Call::DeletedWorkingTimes, url).await
    }

    /// Sets a working time's status to `locked`. An entry that is already locked, approved,
    /// closed or archived gives [`TimrError::Refused`]; a lost answer gives
    /// [`TimrError::Unavailable`] with `maybe_applied`.
    pub async fn lock(&self, id: &str) -> Result<(), TimrError> {
        let mut url = self.url("working-times/");
        url.path_segments_mut()
            .map_err(|_| TimrError::Unexpected("timr base_url cannot take a path".into()))?
            .pop_if_empty()
            .push(id);
        let body = json!({ "status": Status::Locked.as_str() });
        match self.send(Call::Lock, Method::PATCH, url, Some(&body)).await {
            Ok(_) => Ok(()),
            Err(TimrError::Forbidden(m)) => Err(TimrError::Refused(m)),
            Err(TimrError::Rejected {
                status: 400 | 409 | 422,
                message,
            }) => Err(TimrError::Refused(message)),
            Err(e) => Err(e),
        }
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("static API paths join")
    }

    async fn token(&self, renew: bool) -> Result<String, TimrError> {
        let mut slot = self.token.lock().await;
        if !renew && let Some(t) = slot.fresh() {
            return Ok(t.to_string());
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.expose()),
            ("scope", SCOPE),
        ];
        let call = Call::Token;
        let post = || self.http.post(self.token_url.clone()).form(&form).send();
        let answer = ask_for_token(&self.pacer, self.settings.attempts, post).await;
        if answer.status.is_success() {
            let t = answer
                .issued()
                .map_err(|e| TimrError::Unexpected(format!("{call}: {e}")))?;
            slot.keep(&t.access_token, t.expires_in);
            return Ok(t.access_token);
        }
        let message = format!(
            "{call}: HTTP {}: {}",
            answer.status.as_u16(),
            wire::error_message(&answer.body)
        );
        Err(if answer.transient() {
            TimrError::Unavailable {
                message,
                maybe_applied: false,
            }
        } else {
            TimrError::Unauthorized(message)
        })
    }

    /// Sends one API request with token and the shared retry rules; returns a 2xx body. A
    /// 401 renews the token once.
    async fn send(
        &self,
        call: Call,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<String, TimrError> {
        let write = method != Method::GET;
        let mut renewed = false;
        loop {
            let token = self.token(false).await?;
            let attempt = || {
                let mut req = self
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(&token)
                    .header("Accept", "application/json");
                if let Some(b) = body {
                    req = req.json(b);
                }
                req.send()
            };
            let reply = match exchange(&self.pacer, self.settings.attempts, write, attempt, &|_| {})
                .await
            {
                Ok(r) => r,
                Err(Lost::Unanswered {
                    detail,
                    maybe_applied,
                }) => {
                    return Err(TimrError::Unavailable {
                        message: format!("{call}: {detail}"),
                        maybe_applied,
                    });
                }
                Err(Lost::RateLimited(r)) => {
                    return Err(TimrError::RateLimited(format!(
                        "{call}: HTTP 429: {}",
                        wire::error_message(&r.body)
                    )));
                }
            };
            if reply.status.is_success() {
                return Ok(reply.body);
            }
            let message = format!(
                "{call}: HTTP {}: {}",
                reply.status.as_u16(),
                wire::error_message(&reply.body)
            );
            return Err(match reply.status.as_u16() {
                401 if !renewed => {
                    renewed = true;
                    self.token(true).await?;
                    continue;
                }
                401 => TimrError::Unauthorized(message),
                403 => TimrError::Forbidden(message),
                404 => TimrError::NotFound(message),
                s if s >= 500 => TimrError::Unavailable {
                    message,
                    maybe_applied: write,
                },
                s => TimrError::Rejected { status: s, message },
            });
        }
    }

    /// Reads every page: the same filters each time, plus the previous page's token.
    async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
        first: Url,
    ) -> Result<Vec<T>, TimrError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..100_000 {
            let mut url = first.clone();
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("limit", &self.page_size.to_string());
                if let Some(t) = &token {
                    q.append_pair("page_token", t);
                }
            }
            let body = self.send(call, Method::GET, url, None).await?;
            let page: wire::Page<T> = serde_json::from_str(&body)
                .map_err(|e| TimrError::Unexpected(format!("{call}: page: {e}")))?;
            token = page.next().map(str::to_string);
            out.extend(page.data);
            if token.is_none() {
                return Ok(out);
            }
        }
        Err(TimrError::Unexpected(format!(
            "{call}: paging does not end"
        )))
    }
}
