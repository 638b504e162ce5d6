//! Every IMAP command runs under a deadline, and its failure is sorted by what the daemon
//! can do about it.
//!
//! A server that stops answering must not stall the daemon forever, so each command,
//! including the reading of its whole response, gets a timeout. A failure is either a
//! refusal (the server said NO or BAD; the connection still works and the caller knows
//! whether that means a missing folder or a refused login) or a broken connection, which
//! the daemon answers by reconnecting.

use std::future::Future;
use std::time::Duration;

use async_imap::error::Error;

use crate::source::SourceError;

/// Why a command failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// The server answered NO or BAD, with its text.
    Refused(String),
    /// Timeout, I/O error, lost connection or an unreadable answer.
    Broken(SourceError),
}

impl Failure {
    /// A refusal of a command that should not be refused; the session is then in doubt.
    pub(super) fn into_error(self, command: &str) -> SourceError {
        match self {
            Failure::Refused(text) => SourceError::Protocol(format!("{command} refused: {text}")),
            Failure::Broken(e) => e,
        }
    }

    /// A refusal concerning `folder` (as configured).
    pub(super) fn or_folder(self, folder: &str) -> SourceError {
        match self {
            Failure::Refused(message) => SourceError::Folder {
                folder: folder.to_string(),
                message,
            },
            Failure::Broken(e) => e,
        }
    }
}

/// Runs `fut` (a command and the reading of its response) with a deadline of `limit`.
pub(super) async fn within<T>(
    limit: Duration,
    command: &str,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(classify(command, e)),
        Err(_) => Err(Failure::Broken(timed_out(command, limit))),
    }
}

pub(super) fn timed_out(command: &str, limit: Duration) -> SourceError {
    SourceError::Timeout {
        command: command.to_string(),
        seconds: limit.as_secs_f64().ceil() as u64,
    }
}

/// Sorts an async-imap error into a refusal or a broken connection.
pub(super) fn classify(command: &str, e: Error) -> Failure {
    match e {
        Error::No(raw) | Error::Bad(raw) => Failure::Refused(server_text(&raw)),
        Error::Validate(v) => Failure::Refused(v.to_string()),
        Error::Append => Failure::Refused("APPEND refused".into()),
        Error::Io(io) => Failure::Broken(SourceError::Connect(format!("{command}: {io}"))),
        Error::ConnectionLost => Failure::Broken(SourceError::Connect(format!(
            "{command}: the server closed the connection"
        ))),
        other => Failure::Broken(SourceError::Protocol(format!("{command}: {other}"))),
    }
}

/// The server's own words from async-imap's rendering of a NO or BAD answer
/// (`code: None, info: Some("...")`), or the whole rendering when they cannot be found.
pub(super) fn server_text(raw: &str) -> String {
    for marker in ["information: Some(\"", "info: Some(\""] {
        if let Some(start) = raw.find(marker) {
            let rest = &raw[start + marker.len()..];
            if let Some(end) = rest.rfind("\")") {
                return rest[..end].replace("\\\"", "\"");
            }
        }
    }
    raw.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_is_unwrapped() {
        let raw = r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#;
        assert_eq!(
            server_text(raw),
            "[AUTHENTICATIONFAILED] Authentication failed."
        );
        let raw =
            r#"outcome: Outcome { code: None, information: Some("Mailbox doesn't exist: X") }"#;
        assert_eq!(server_text(raw), "Mailbox doesn't exist: X");
        assert_eq!(server_text("something else"), "something else");
    }

    #[test]
    fn lost_connections_break_and_refusals_do_not() {
        assert!(matches!(
            classify("NOOP", Error::ConnectionLost),
            Failure::Broken(e) if e.breaks_connection()
        ));
        assert!(matches!(
            classify("NOOP", Error::No("info: Some(\"no\")".into())),
            Failure::Refused(t) if t == "no"
        ));
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let never = std::future::pending::<Result<(), Error>>();
        let failure = within(Duration::from_millis(20), "NOOP", never)
            .await
            .unwrap_err();
        match failure {
            Failure::Broken(e @ SourceError::Timeout { .. }) => {
                assert!(e.breaks_connection());
                assert_eq!(e.to_string(), "mailbox command NOOP timed out after 1 s");
            }
            other => panic!("{other:?}"),
        }
    }
}
