//! Access tokens for the mailbox and the SMTP server (SASL XOAUTH2), fetched with the
//! OAuth2 client-credentials grant.
//!
//! A token is kept and reused until a minute before it expires, so a daemon that reconnects
//! every few minutes does not ask the identity provider each time. A server that turns a
//! token down may have revoked it early; [`OAuthToken::forget`] drops it so the next login
//! asks for a fresh one. Neither the client secret nor a token ever appears in an error or
//! a log line: errors carry the endpoint's own error code and description only.

use std::time::Duration;

use serde::Deserialize;

use crate::config::{OAuth2Config, SecretError};
use crate::http::{Issued, Pacer, Token, ask_for_token};

/// Token requests per second at most; a login needs one an hour.
const MAX_RPS: f64 = 2.0;
/// Attempts per token request while the endpoint is busy or unreachable.
const ATTEMPTS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{key}.client_secret: {source}")]
    Secret {
        key: &'static str,
        source: SecretError,
    },
    #[error("{key}.token_url {url:?} refused client {client_id}: {reason}")]
    Refused {
        key: &'static str,
        url: String,
        client_id: String,
        reason: String,
    },
    #[error("{key}.token_url {url:?} did not issue a token: {reason}")]
    Unavailable {
        key: &'static str,
        url: String,
        reason: String,
    },
}

impl OAuthError {
    /// Whether asking again later may work without anyone changing the config.
    pub fn is_transient(&self) -> bool {
        matches!(self, OAuthError::Unavailable { .. })
    }
}

/// A token as handed out: where it came from decides what a refusal means.
#[derive(Clone, PartialEq, Eq)]
pub struct Bearer {
    pub token: String,
    /// Taken from the cache rather than just issued; a refused cached token may only have
    /// been revoked early, so one fresh try is worth it.
    pub cached: bool,
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bearer(<redacted>, cached: {})", self.cached)
    }
}

/// Fetches and keeps the access token of one `[*.oauth2]` block.
pub struct OAuthToken {
    /// `source.oauth2` or `report.oauth2`, for messages.
    key: &'static str,
    cfg: OAuth2Config,
    http: reqwest::Client,
    pacer: Pacer,
    token: tokio::sync::Mutex<Token>,
}

impl std::fmt::Debug for OAuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthToken")
            .field("key", &self.key)
            .field("token_url", &self.cfg.token_url)
            .field("client_id", &self.cfg.client_id)
            .finish_non_exhaustive()
    }
}

/// The parts of an OAuth2 error answer (RFC 6749 §5.2) that may be shown.
#[derive(Deserialize)]
struct Refusal {
    error: Option<String>,
    error_description: Option<String>,
}

impl OAuthToken {
    /// The fetcher for the block at `key`; `timeout` bounds each token request. The secret
    /// is read when a token is needed, so a rotated secret file takes effect without a
    /// restart.
    pub fn new(key: &'static str, cfg: &OAuth2Config, timeout: Duration) -> OAuthToken {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("zeitpost/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        OAuthToken {
            key,
            cfg: cfg.clone(),
            http,
            pacer: Pacer::new(MAX_RPS),
            token: tokio::sync::Mutex::new(Token::default()),
        }
    }

    /// A token that is valid for at least another minute: the kept one, or a new one.
    pub async fn bearer(&self) -> Result<Bearer, OAuthError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.fresh() {
            return Ok(Bearer {
                token: t.to_string(),
                cached: true,
            });
        }
        let secret = self
            .cfg
            .client_secret
            .resolve()
            .map_err(|source| OAuthError::Secret {
                key: self.key,
                source,
            })?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.cfg.client_id.as_str()),
            ("client_secret", secret.expose()),
            ("scope", self.cfg.scope.as_str()),
        ];
        let post = || self.http.post(&self.cfg.token_url).form(&form).send();
        let answer = ask_for_token(&self.pacer, ATTEMPTS, post).await;
        let url = self.cfg.token_url.clone();
        if answer.status.is_success() {
            let issued = answer
                .issued()
                .ok()
                .filter(|i: &Issued| !i.access_token.is_empty())
                .ok_or_else(|| OAuthError::Unavailable {
                    key: self.key,
                    url: url.clone(),
                    reason: "the answer holds no access_token".into(),
                })?;
            slot.keep(&issued.access_token, issued.expires_in);
            tracing::debug!(key = self.key, expires_in = ?issued.expires_in, "OAuth2 token issued");
            return Ok(Bearer {
                token: issued.access_token,
                cached: false,
            });
        }
        let reason = format!("HTTP {}: {}", answer.status.as_u16(), refusal(&answer.body));
        if answer.transient() {
            return Err(OAuthError::Unavailable {
                key: self.key,
                url,
                reason,
            });
        }
        Err(OAuthError::Refused {
            key: self.key,
            url,
            client_id: self.cfg.client_id.clone(),
            reason,
        })
    }

    /// Drops the kept token after a server turned it down.
    pub async fn forget(&self) {
        *self.token.lock().await = Token::default();
    }
}

/// `error: error_description` of an OAuth2 error answer; never the raw body, which a
/// misbehaving endpoint might fill with what it was sent.
/// A request that got no answer at all carries the transport error instead (see
/// [`crate::http::TokenAnswer`]), which names the URL and the cause and nothing sent.
fn refusal(body: &str) -> String {
    match serde_json::from_str::<Refusal>(body) {
        Ok(Refusal {
            error: Some(e),
            error_description: Some(d),
        }) => format!("{e}: {}", first_line(&d)),
        Ok(Refusal { error: Some(e), .. }) => e,
        Ok(_) => "no OAuth2 error in the answer".into(),
        Err(_) if body.trim_start().starts_with(['{', '<']) || body.contains('=') => {
            "no OAuth2 error in the answer".into()
        }
        Err(_) => first_line(body),
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_show_the_error_code_and_description_only() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1","client_secret":"s3cr3t"}"#;
        assert_eq!(
            refusal(body),
            "invalid_client: AADSTS7000215: Invalid client secret provided."
        );
        assert_eq!(
            refusal("client_secret=s3cr3t"),
            "no OAuth2 error in the answer"
        );
        assert_eq!(refusal(r#"{"error":"invalid_scope"}"#), "invalid_scope");
    }

    #[test]
    fn bearers_do_not_print_the_token() {
        let b = Bearer {
            token: "eyJ0eXAi".into(),
            cached: true,
        };
        assert!(!format!("{b:?}").contains("eyJ0eXAi"));
    }
}
