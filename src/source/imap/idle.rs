//! Waiting for new mail: IMAP IDLE where offered, a plain sleep otherwise.
//!
//! IDLE lets the server tell us about a new mail within moments instead of at the next
//! poll. RFC 2177 asks clients to re-issue IDLE at least every 29 minutes, so no single
//! IDLE lasts longer. DONE is sent however the wait ended, and is itself bounded: on a
//! dead connection it can otherwise hang forever.

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use tokio::sync::watch;

use super::ImapSource;
use super::command::{classify, timed_out, within};
use crate::source::{SourceError, Woken};

/// The longest single IDLE (RFC 2177: re-issue at least every 29 minutes).
const IDLE_MAX: Duration = Duration::from_secs(29 * 60);
/// How long DONE may take before the connection counts as dead.
const DONE_LIMIT: Duration = Duration::from_secs(15);

impl ImapSource {
    /// Waits up to `max` for news; returns early when `shutdown` changes.
    pub async fn wait(
        &mut self,
        max: Duration,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<Woken, SourceError> {
        let result = self.wait_now(max, shutdown).await;
        self.track(result)
    }

    async fn wait_now(
        &mut self,
        max: Duration,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<Woken, SourceError> {
        self.live()?;
        if self.news_pending() {
            return Ok(Woken::News);
        }
        if !self.caps.idle {
            return Ok(tokio::select! {
                _ = tokio::time::sleep(max) => Woken::Timeout,
                _ = shutdown.changed() => Woken::Shutdown,
            });
        }
        let limit = self.timeout;
        let Some(session) = self.session.take() else {
            return Err(SourceError::Connect("no IMAP session".into()));
        };
        let mut idle = session.idle();
        within(limit, "IDLE", idle.init())
            .await
            .map_err(|f| f.into_error("IDLE"))?;
        let span = max.min(IDLE_MAX);
        let woken = {
            let (news, _stop) = idle.wait_with_timeout(span);
            tokio::select! {
                answer = news => match answer {
                    Ok(IdleResponse::NewData(_)) => Ok(Woken::News),
                    Ok(IdleResponse::Timeout) => Ok(Woken::Timeout),
                    Ok(IdleResponse::ManualInterrupt) => Err(SourceError::Connect(
                        "IDLE: the server closed the connection".into(),
                    )),
                    Err(e) => Err(classify("IDLE", e).into_error("IDLE")),
                },
                // The server's keep-alive lines restart async-imap's own timeout.
                _ = tokio::time::sleep(span) => Ok(Woken::Timeout),
                _ = shutdown.changed() => Ok(Woken::Shutdown),
            }
        }?;
        match tokio::time::timeout(DONE_LIMIT, idle.done()).await {
            Err(_) => Err(timed_out("DONE", DONE_LIMIT)),
            Ok(Err(e)) => Err(classify("DONE", e).into_error("DONE")),
            Ok(Ok(session)) => {
                self.session = Some(session);
                Ok(woken)
            }
        }
    }
}
