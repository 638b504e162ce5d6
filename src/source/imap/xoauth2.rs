//! Logging in with an OAuth2 token: `AUTHENTICATE XOAUTH2`, the only way into a Microsoft
//! 365 mailbox now that it refuses passwords.
//!
//! A refused token is forgotten. If it came from the cache it may just have been revoked
//! early, so one fresh token is tried on the same connection; a token refused right after
//! it was issued means the app lacks a permission, and that is said plainly.

use std::time::Duration;

use async_imap::{Authenticator, Client, Session};

use super::command::{Failure, classify, timed_out};
use super::login::capabilities;
use super::transport::Conn;
use crate::oauth::OAuthToken;
use crate::source::SourceError;

/// Authenticates with a token from `token` and returns the session.
pub(super) async fn login(
    mut client: Client<Conn>,
    user: &str,
    token: &OAuthToken,
    limit: Duration,
) -> Result<Session<Conn>, SourceError> {
    let caps = capabilities(&mut client, limit).await?;
    if !caps.contains("AUTH=XOAUTH2") {
        return Err(SourceError::Login(
            "the server offers no AUTH=XOAUTH2; use auth = \"password\" with it".into(),
        ));
    }
    let mut bearer = token.bearer().await?;
    loop {
        let auth = XOAuth2::new(user, &bearer.token);
        let refusal = match tokio::time::timeout(limit, client.authenticate("XOAUTH2", auth)).await
        {
            Err(_) => return Err(timed_out("AUTHENTICATE", limit)),
            Ok(Ok(session)) => return Ok(session),
            Ok(Err((e, back))) => match classify("AUTHENTICATE", e) {
                Failure::Refused(text) => {
                    client = back;
                    text
                }
                Failure::Broken(e) => return Err(e),
            },
        };
        token.forget().await;
        if !bearer.cached {
            return Err(SourceError::TokenRefused {
                user: user.to_string(),
                reply: refusal,
            });
        }
        tracing::debug!("the kept OAuth2 token was refused ({refusal}); fetching a new one");
        bearer = token.bearer().await?;
    }
}

/// The SASL XOAUTH2 exchange: `user=…^Aauth=Bearer …^A^A` first; a refusal comes as a
/// challenge holding a JSON error, which is answered with an empty line so the server
/// can finish with NO.
struct XOAuth2<'a> {
    user: &'a str,
    token: &'a str,
    sent: bool,
}

impl<'a> XOAuth2<'a> {
    fn new(user: &'a str, token: &'a str) -> XOAuth2<'a> {
        XOAuth2 {
            user,
            token,
            sent: false,
        }
    }
}

impl Authenticator for XOAuth2<'_> {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        if std::mem::replace(&mut self.sent, true) {
            return Vec::new();
        }
        format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token).into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sasl_string_comes_once_then_an_empty_answer() {
        let mut auth = XOAuth2::new("zeiten@example.com", "tok");
        assert_eq!(
            auth.process(b""),
            b"user=zeiten@example.com\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(auth.process(br#"{"status":"401"}"#), b"");
    }
}
