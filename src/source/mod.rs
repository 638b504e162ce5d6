//! Where mails come from: an IMAP folder or a local Maildir.
//!
//! Both give the same four operations: list what waits, fetch one mail, move a finished
//! mail out of the inbox, and wait for news. A mail is identified by a [`MailKey`] that
//! stays the same as long as the mail sits in the inbox (IMAP: UIDVALIDITY and UID;
//! Maildir: the file's unique name), which is what the ledger remembers it by.

pub mod imap;
pub mod maildir;
pub mod tls;

use std::time::Duration;

/// Where a finished mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Processed,
    Failed,
}

/// A mail's identity in its source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailKey {
    /// The folder or Maildir, as configured.
    pub mailbox: String,
    /// IMAP: `UIDVALIDITY:UID`; Maildir: the unique part of the file name.
    pub id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("mailbox connection: {0}")]
    Connect(String),
    #[error("mailbox login refused: {0}")]
    Login(String),
    #[error("mailbox token: {0}")]
    Token(#[from] crate::oauth::OAuthError),
    #[error("mailbox refused the OAuth2 token for {user}: {reply}")]
    TokenRefused { user: String, reply: String },
    #[error("mailbox folder {folder}: {message}")]
    Folder { folder: String, message: String },
    #[error("mailbox command {command} timed out after {seconds} s")]
    Timeout { command: String, seconds: u64 },
    #[error("mailbox: {0}")]
    Protocol(String),
    #[error("maildir {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("mail {0} is no longer in the mailbox")]
    Gone(String),
}

impl SourceError {
    /// Whether the connection must be rebuilt before the next command.
    pub fn breaks_connection(&self) -> bool {
        matches!(
            self,
            SourceError::Connect(_) | SourceError::Timeout { .. } | SourceError::Protocol(_)
        )
    }
}

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// The server says something changed (IMAP IDLE).
    News,
    /// The wait's time ran out.
    Timeout,
    /// Shutdown was requested.
    Shutdown,
}

/// The configured source, either kind.
pub enum Source {
    Imap(Box<imap::ImapSource>),
    Maildir(maildir::Maildir),
}

impl Source {
    pub fn mailbox(&self) -> &str {
        match self {
            Source::Imap(s) => s.mailbox(),
            Source::Maildir(m) => m.mailbox(),
        }
    }

    /// Every mail waiting in the inbox, oldest first.
    pub async fn list(&mut self) -> Result<Vec<MailKey>, SourceError> {
        match self {
            Source::Imap(s) => s.list().await,
            Source::Maildir(m) => m.list(),
        }
    }

    pub async fn fetch(&mut self, key: &MailKey) -> Result<Vec<u8>, SourceError> {
        match self {
            Source::Imap(s) => s.fetch(key).await,
            Source::Maildir(m) => m.fetch(key),
        }
    }

    /// Moves a finished mail out of the inbox.
    pub async fn finish(&mut self, key: &MailKey, to: Destination) -> Result<(), SourceError> {
        match self {
            Source::Imap(s) => s.finish(key, to).await,
            Source::Maildir(m) => m.finish(key, to),
        }
    }

    /// Waits up to `max` for news; returns early when `shutdown` fires.
    pub async fn wait(
        &mut self,
        max: Duration,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Result<Woken, SourceError> {
        match self {
            Source::Imap(s) => s.wait(max, shutdown).await,
            Source::Maildir(_) => {
                tokio::select! {
                    _ = tokio::time::sleep(max) => Ok(Woken::Timeout),
                    _ = shutdown.changed() => Ok(Woken::Shutdown),
                }
            }
        }
    }
}
