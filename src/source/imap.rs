//! The IMAP source (async-imap over tokio-rustls).

use std::time::Duration;

use super::{Destination, MailKey, SourceError, Woken};

pub struct ImapSource {
    mailbox: String,
}

impl ImapSource {
    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    pub async fn list(&mut self) -> Result<Vec<MailKey>, SourceError> {
        Err(SourceError::Protocol("IMAP is not built yet".into()))
    }

    pub async fn fetch(&mut self, key: &MailKey) -> Result<Vec<u8>, SourceError> {
        Err(SourceError::Gone(key.id.clone()))
    }

    pub async fn finish(&mut self, key: &MailKey, _to: Destination) -> Result<(), SourceError> {
        Err(SourceError::Gone(key.id.clone()))
    }

    pub async fn wait(
        &mut self,
        _max: Duration,
        _shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Result<Woken, SourceError> {
        Ok(Woken::Timeout)
    }
}
