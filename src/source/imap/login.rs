//! Logging in: LOGIN first, AUTHENTICATE PLAIN where LOGIN is switched off or turned down.
//!
//! LOGIN is what every server speaks, so it is the default. Some servers announce
//! LOGINDISABLED, or answer LOGIN with NO or BAD while still offering AUTH=PLAIN; those get
//! PLAIN. A plain "wrong password" (`[AUTHENTICATIONFAILED]`) is not retried with PLAIN,
//! so one bad password costs one failed attempt on the server, not two.

use std::collections::HashSet;
use std::time::Duration;

use async_imap::imap_proto::{Capability, Response, ResponseCode, Status};
use async_imap::{Authenticator, Client, Session};
use tokio::io::AsyncWriteExt;

use super::command::{Failure, classify, timed_out};
use super::transport::Conn;
use crate::source::SourceError;

/// The tag of the one command sent before login; async-imap's own tags look like `A0001`.
const CAPABILITY_TAG: &str = "zp0";

/// How to authenticate first.
#[derive(Debug, PartialEq, Eq)]
enum Method {
    Login,
    Plain,
}

/// Authenticates and returns the session.
pub(super) async fn login(
    mut client: Client<Conn>,
    user: &str,
    password: &str,
    limit: Duration,
) -> Result<Session<Conn>, SourceError> {
    let caps = capabilities(&mut client, limit).await?;
    let plain_offered = caps.contains("AUTH=PLAIN");
    if first_method(&caps)? == Method::Plain {
        return plain(client, user, password, limit).await;
    }
    let refusal = match tokio::time::timeout(limit, client.login(user, password)).await {
        Err(_) => return Err(timed_out("LOGIN", limit)),
        Ok(Ok(session)) => return Ok(session),
        Ok(Err((e, back))) => match classify("LOGIN", e) {
            Failure::Refused(text) => {
                client = back;
                text
            }
            Failure::Broken(e) => return Err(e),
        },
    };
    if !plain_offered || wrong_credentials(&refusal) {
        return Err(SourceError::Login(refusal));
    }
    tracing::debug!("LOGIN refused ({refusal}); trying AUTHENTICATE PLAIN");
    plain(client, user, password, limit)
        .await
        .map_err(|e| match e {
            SourceError::Login(text) => {
                SourceError::Login(format!("LOGIN: {refusal}; AUTHENTICATE PLAIN: {text}"))
            }
            e => e,
        })
}

fn first_method(caps: &HashSet<String>) -> Result<Method, SourceError> {
    if !caps.contains("LOGINDISABLED") {
        Ok(Method::Login)
    } else if caps.contains("AUTH=PLAIN") {
        Ok(Method::Plain)
    } else {
        Err(SourceError::Login(
            "the server disables LOGIN and offers no AUTH=PLAIN".into(),
        ))
    }
}

fn wrong_credentials(refusal: &str) -> bool {
    refusal.contains("[AUTHENTICATIONFAILED]")
}

async fn plain(
    client: Client<Conn>,
    user: &str,
    password: &str,
    limit: Duration,
) -> Result<Session<Conn>, SourceError> {
    let auth = PlainAuth { user, password };
    match tokio::time::timeout(limit, client.authenticate("PLAIN", auth)).await {
        Err(_) => Err(timed_out("AUTHENTICATE", limit)),
        Ok(Ok(session)) => Ok(session),
        Ok(Err((e, _))) => Err(match classify("AUTHENTICATE", e) {
            Failure::Refused(text) => SourceError::Login(text),
            Failure::Broken(e) => e,
        }),
    }
}

/// SASL PLAIN (RFC 4616): no authorization identity, user, password.
struct PlainAuth<'a> {
    user: &'a str,
    password: &'a str,
}

impl Authenticator for PlainAuth<'_> {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.user, self.password).into_bytes()
    }
}

/// The capabilities offered before login, upper-cased (`AUTH=PLAIN`, `LOGINDISABLED`).
///
/// async-imap has no CAPABILITY command for an unauthenticated client, so it is written
/// directly to the stream and the answer read back through the client.
pub(super) async fn capabilities(
    client: &mut Client<Conn>,
    limit: Duration,
) -> Result<HashSet<String>, SourceError> {
    tokio::time::timeout(limit, read_capabilities(client))
        .await
        .map_err(|_| timed_out("CAPABILITY", limit))?
}

async fn read_capabilities(client: &mut Client<Conn>) -> Result<HashSet<String>, SourceError> {
    let lost = |e: std::io::Error| SourceError::Connect(format!("CAPABILITY: {e}"));
    let stream = client.get_mut();
    stream
        .write_all(format!("{CAPABILITY_TAG} CAPABILITY\r\n").as_bytes())
        .await
        .map_err(lost)?;
    stream.flush().await.map_err(lost)?;
    let mut caps = HashSet::new();
    loop {
        let Some(line) = client.read_response().await.map_err(lost)? else {
            return Err(SourceError::Connect(
                "CAPABILITY: the server closed the connection".into(),
            ));
        };
        match line.parsed() {
            Response::Capabilities(list) => caps.extend(list.iter().map(name)),
            Response::Data { outcome, .. } => {
                if let Some(ResponseCode::Capabilities(list)) = &outcome.code {
                    caps.extend(list.iter().map(name));
                }
            }
            Response::Done {
                tag,
                status,
                outcome,
                ..
            } if tag.0 == CAPABILITY_TAG => {
                if *status != Status::Ok {
                    return Err(SourceError::Protocol(format!(
                        "CAPABILITY refused: {}",
                        outcome.information.as_deref().unwrap_or("")
                    )));
                }
                return Ok(caps);
            }
            _ => {}
        }
    }
}

fn name(cap: &Capability<'_>) -> String {
    match cap {
        Capability::Imap4rev1 => "IMAP4REV1".into(),
        Capability::Auth(mech) => format!("AUTH={}", mech.to_ascii_uppercase()),
        Capability::Atom(atom) => atom.to_ascii_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(list: &[&str]) -> HashSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn login_is_the_default() {
        let m = first_method(&caps(&["IMAP4REV1", "AUTH=PLAIN"])).unwrap();
        assert_eq!(m, Method::Login);
        assert_eq!(first_method(&caps(&["IMAP4REV1"])).unwrap(), Method::Login);
    }

    #[test]
    fn plain_when_login_is_disabled() {
        let m = first_method(&caps(&["LOGINDISABLED", "AUTH=PLAIN"])).unwrap();
        assert_eq!(m, Method::Plain);
        let e = first_method(&caps(&["LOGINDISABLED", "AUTH=XOAUTH2"])).unwrap_err();
        assert!(matches!(e, SourceError::Login(_)), "{e}");
    }

    #[test]
    fn a_wrong_password_is_not_retried() {
        assert!(wrong_credentials(
            "[AUTHENTICATIONFAILED] Authentication failed."
        ));
        assert!(!wrong_credentials("[PRIVACYREQUIRED] Use TLS"));
        assert!(!wrong_credentials("Command unknown"));
    }

    #[test]
    fn plain_response_layout() {
        let mut auth = PlainAuth {
            user: "zeiten",
            password: "pw",
        };
        assert_eq!(auth.process(b""), b"\0zeiten\0pw");
    }
}
