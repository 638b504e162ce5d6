//! The IMAP source: one mailbox folder, read with async-imap over tokio-rustls.
//!
//! A mail is known by `UIDVALIDITY:UID`, never by its \Seen flag (a person may have opened
//! it), and is fetched with `BODY.PEEK[]` so reading it changes nothing. Finished mails are
//! moved to the processed or failed folder, which are created when missing. Every command
//! runs under a timeout and every response is read to its end, so one stalled or half-read
//! answer cannot poison the next command. After an error that leaves the connection in
//! doubt, [`ImapSource::is_broken`] says so and every further call fails fast; reconnecting
//! (with back-off) is the daemon's job.

mod command;
mod finish;
mod idle;
mod login;
mod transport;
mod utf7;
mod xoauth2;

use std::time::Duration;

use async_imap::Session;
use async_imap::types::UnsolicitedResponse;
use futures_util::TryStreamExt;

use self::command::{Failure, within};
use self::transport::Conn;
use super::{Destination, MailKey, SourceError};
use crate::config::{SecretValue, SourceConfig, TlsMode};
use crate::oauth::OAuthToken;

/// How zeitpost proves to the mailbox who it is.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// `source.password`: LOGIN or AUTHENTICATE PLAIN.
    Password(&'a SecretValue),
    /// A token for `source.oauth2`: AUTHENTICATE XOAUTH2.
    OAuth2(&'a OAuthToken),
}

/// An open, logged-in IMAP connection with the configured folder selected.
pub struct ImapSource {
    /// `None` only after IDLE lost the connection.
    session: Option<Session<Conn>>,
    /// The folder as configured, for keys and messages.
    mailbox: String,
    /// The folder as sent on the wire (modified UTF-7).
    folder: String,
    processed: Folder,
    failed: Folder,
    uidvalidity: u32,
    caps: Caps,
    timeout: Duration,
    broken: bool,
}

/// A target folder, as configured and as sent on the wire.
struct Folder {
    name: String,
    wire: String,
}

impl Folder {
    fn new(name: &str) -> Folder {
        Folder {
            name: name.to_string(),
            wire: utf7::encode(name),
        }
    }
}

/// The extensions zeitpost makes use of.
#[derive(Debug, Clone, Copy, Default)]
struct Caps {
    moves: bool,
    uidplus: bool,
    idle: bool,
}

impl ImapSource {
    /// Connects, logs in, creates the processed and failed folders if missing and selects
    /// the folder. `timeout` bounds every single command from now on.
    pub async fn connect(
        cfg: &SourceConfig,
        credential: Credential<'_>,
        timeout: Duration,
    ) -> Result<ImapSource, SourceError> {
        let host = cfg
            .host
            .as_deref()
            .ok_or_else(|| SourceError::Connect("source.host is not set".into()))?;
        let user = cfg
            .username
            .as_deref()
            .ok_or_else(|| SourceError::Login("source.username is not set".into()))?;
        for other in [&cfg.processed_folder, &cfg.failed_folder] {
            if *other == cfg.folder {
                return Err(SourceError::Folder {
                    folder: other.clone(),
                    message: "must differ from source.folder".into(),
                });
            }
        }
        let port = cfg.port.unwrap_or(match cfg.tls {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        });
        let ca_file = cfg.tls_ca_file.as_deref();
        let client = transport::open(host, port, cfg.tls, ca_file, timeout).await?;
        let session = match credential {
            Credential::Password(password) => {
                login::login(client, user, password.expose(), timeout).await?
            }
            Credential::OAuth2(token) => xoauth2::login(client, user, token, timeout).await?,
        };
        let mut source = ImapSource {
            session: Some(session),
            mailbox: cfg.folder.clone(),
            folder: utf7::encode(&cfg.folder),
            processed: Folder::new(&cfg.processed_folder),
            failed: Folder::new(&cfg.failed_folder),
            uidvalidity: 0,
            caps: Caps::default(),
            timeout,
            broken: false,
        };
        source.prepare().await?;
        tracing::debug!(
            host,
            port,
            folder = %source.mailbox,
            uidvalidity = source.uidvalidity,
            caps = ?source.caps,
            "IMAP connected"
        );
        Ok(source)
    }

    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    /// Whether an error left the connection unusable; the daemon then connects anew.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Every mail in the folder, oldest (lowest UID) first.
    pub async fn list(&mut self) -> Result<Vec<MailKey>, SourceError> {
        let result = self.list_now().await;
        self.track(result)
    }

    /// The raw mail; [`SourceError::Gone`] when it is no longer there.
    pub async fn fetch(&mut self, key: &MailKey) -> Result<Vec<u8>, SourceError> {
        let result = self.fetch_now(key).await;
        self.track(result)
    }

    /// Moves a mail to the processed or failed folder. A mail that is already gone counts
    /// as moved.
    pub async fn finish(&mut self, key: &MailKey, to: Destination) -> Result<(), SourceError> {
        let result = self.finish_now(key, to).await;
        self.track(result)
    }

    /// Says goodbye to the server, as far as it still listens.
    pub async fn logout(mut self) {
        if self.broken {
            return;
        }
        if let Some(mut session) = self.session.take() {
            let _ = tokio::time::timeout(self.timeout, session.logout()).await;
        }
    }

    async fn prepare(&mut self) -> Result<(), SourceError> {
        let (s, limit) = self.live()?;
        let caps = within(limit, "CAPABILITY", s.capabilities())
            .await
            .map_err(|f| f.into_error("CAPABILITY"))?;
        self.caps = Caps {
            moves: caps.has_str("MOVE"),
            uidplus: caps.has_str("UIDPLUS"),
            idle: caps.has_str("IDLE"),
        };
        for to in [Destination::Processed, Destination::Failed] {
            let target = self.target(to);
            let (wire, name) = (target.wire.clone(), target.name.clone());
            self.ensure_folder(&wire, &name).await?;
        }
        self.select().await
    }

    async fn list_now(&mut self) -> Result<Vec<MailKey>, SourceError> {
        self.select().await?;
        let (s, limit) = self.live()?;
        let uids = within(limit, "UID SEARCH", s.uid_search("ALL"))
            .await
            .map_err(|f| f.into_error("UID SEARCH"))?;
        let mut uids: Vec<u32> = uids.into_iter().collect();
        uids.sort_unstable();
        Ok(uids.into_iter().map(|uid| self.key(uid)).collect())
    }

    async fn fetch_now(&mut self, key: &MailKey) -> Result<Vec<u8>, SourceError> {
        let uid = self.uid_of(key)?;
        let (s, limit) = self.live()?;
        let fetched = within(limit, "UID FETCH", async {
            s.uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await;
        let fetched = match fetched {
            Err(Failure::Refused(text)) if text.contains("EXPUNGEISSUED") => {
                return Err(SourceError::Gone(key.id.clone()));
            }
            other => other.map_err(|f| f.into_error("UID FETCH"))?,
        };
        fetched
            .iter()
            .filter(|f| f.uid == Some(uid))
            .find_map(|f| f.body())
            .map(<[u8]>::to_vec)
            .ok_or_else(|| SourceError::Gone(key.id.clone()))
    }

    /// Selects the folder (again) and takes note of a changed UIDVALIDITY.
    async fn select(&mut self) -> Result<(), SourceError> {
        let folder = self.folder.clone();
        let (s, limit) = self.live()?;
        let selected = within(limit, "SELECT", s.select(&folder)).await;
        // What the server said before now is stale; only later news counts for `wait`.
        while s.unsolicited_responses.try_recv().is_ok() {}
        let mailbox = selected.map_err(|f| f.or_folder(&self.mailbox))?;
        let validity = mailbox.uid_validity.ok_or_else(|| {
            SourceError::Protocol(format!("SELECT {} gave no UIDVALIDITY", self.mailbox))
        })?;
        if self.uidvalidity != 0 && validity != self.uidvalidity {
            tracing::warn!(
                folder = %self.mailbox,
                old = self.uidvalidity,
                new = validity,
                "UIDVALIDITY changed; the server renumbered the folder"
            );
        }
        self.uidvalidity = validity;
        Ok(())
    }

    /// Whether the server announced new mail since the folder was last selected.
    fn news_pending(&mut self) -> bool {
        let Some(s) = self.session.as_mut() else {
            return false;
        };
        let mut news = false;
        while let Ok(response) = s.unsolicited_responses.try_recv() {
            news |= matches!(
                response,
                UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(1..)
            );
        }
        news
    }

    fn target(&self, to: Destination) -> &Folder {
        match to {
            Destination::Processed => &self.processed,
            Destination::Failed => &self.failed,
        }
    }

    fn key(&self, uid: u32) -> MailKey {
        MailKey {
            mailbox: self.mailbox.clone(),
            id: format!("{}:{uid}", self.uidvalidity),
        }
    }

    /// The UID in a key, if the key belongs to this folder as currently numbered.
    fn uid_of(&self, key: &MailKey) -> Result<u32, SourceError> {
        parse_key(&key.id)
            .filter(|&(validity, _)| key.mailbox == self.mailbox && validity == self.uidvalidity)
            .map(|(_, uid)| uid)
            .ok_or_else(|| SourceError::Gone(key.id.clone()))
    }

    /// The session and the command timeout, unless the connection is known to be dead.
    fn live(&mut self) -> Result<(&mut Session<Conn>, Duration), SourceError> {
        match self.session.as_mut() {
            Some(s) if !self.broken => Ok((s, self.timeout)),
            _ => Err(SourceError::Connect(
                "the IMAP connection broke earlier; connect again".into(),
            )),
        }
    }

    fn track<T>(&mut self, result: Result<T, SourceError>) -> Result<T, SourceError> {
        if let Err(e) = &result
            && e.breaks_connection()
        {
            self.broken = true;
        }
        result
    }
}

/// `"UIDVALIDITY:UID"` → both numbers; UID 0 does not exist.
fn parse_key(id: &str) -> Option<(u32, u32)> {
    let (validity, uid) = id.split_once(':')?;
    let (validity, uid) = (validity.parse().ok()?, uid.parse().ok()?);
    (uid != 0).then_some((validity, uid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse() {
        assert_eq!(parse_key("1795453852:7"), Some((1795453852, 7)));
        assert_eq!(parse_key("1:0"), None);
        assert_eq!(parse_key("17"), None);
        assert_eq!(parse_key("a:1"), None);
        assert_eq!(parse_key("1:2:3"), None);
    }

    /// The daemon may run the source in a spawned task.
    #[allow(dead_code)]
    fn futures_are_send(
        s: &mut ImapSource,
        key: &MailKey,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) {
        fn send<T: Send>(_: T) {}
        send(s.list());
        send(s.fetch(key));
        send(s.finish(key, Destination::Processed));
        send(s.wait(Duration::from_secs(1), shutdown));
    }
}
