//! Moving a finished mail out of the folder, and the folders it moves to.
//!
//! UID MOVE where the server has it; otherwise UID COPY, \Deleted and an expunge, which
//! is the same to an observer once done. If the target folder vanished since connect (a
//! person tidied up), it is created again and the move retried once.

use futures_util::TryStreamExt;

use super::ImapSource;
use super::command::{Failure, within};
use crate::source::{Destination, MailKey, SourceError};

impl ImapSource {
    pub(super) async fn finish_now(
        &mut self,
        key: &MailKey,
        to: Destination,
    ) -> Result<(), SourceError> {
        let uid = self.uid_of(key)?;
        let target = self.target(to);
        let (wire, name) = (target.wire.clone(), target.name.clone());
        // A refusal most likely means someone removed the folder since connect.
        if let Err(failure) = self.transfer(uid, &wire).await {
            let Failure::Refused(text) = failure else {
                return Err(failure.or_folder(&name));
            };
            tracing::debug!(folder = %name, "moving mail refused ({text}); creating the folder");
            self.ensure_folder(&wire, &name).await?;
            self.transfer(uid, &wire)
                .await
                .map_err(|f| f.or_folder(&name))?;
        }
        if !self.caps.moves {
            self.remove(uid).await?;
        }
        Ok(())
    }

    /// UID MOVE, or UID COPY where the server has no MOVE.
    async fn transfer(&mut self, uid: u32, wire: &str) -> Result<(), Failure> {
        let moves = self.caps.moves;
        let (s, limit) = self.live().map_err(Failure::Broken)?;
        if moves {
            within(limit, "UID MOVE", s.uid_mv(uid.to_string(), wire)).await
        } else {
            within(limit, "UID COPY", s.uid_copy(uid.to_string(), wire)).await
        }
    }

    /// Flags a copied mail \Deleted and expunges it: only it with UIDPLUS, otherwise
    /// every mail flagged \Deleted in the folder.
    async fn remove(&mut self, uid: u32) -> Result<(), SourceError> {
        let uidplus = self.caps.uidplus;
        let (s, limit) = self.live()?;
        within(limit, "UID STORE", async {
            s.uid_store(uid.to_string(), "+FLAGS.SILENT (\\Deleted)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await
        .map_err(|f| f.into_error("UID STORE"))?;
        let expunged = if uidplus {
            within(limit, "UID EXPUNGE", async {
                s.uid_expunge(uid.to_string())
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await
        } else {
            within(limit, "EXPUNGE", async {
                s.expunge().await?.try_collect::<Vec<_>>().await
            })
            .await
        };
        expunged.map(drop).map_err(|f| f.into_error("EXPUNGE"))
    }

    /// Creates a folder unless it exists, and subscribes to it so mail clients show it.
    pub(super) async fn ensure_folder(
        &mut self,
        wire: &str,
        name: &str,
    ) -> Result<(), SourceError> {
        let (s, limit) = self.live()?;
        match within(limit, "CREATE", s.create(wire)).await {
            Ok(()) => {
                tracing::info!(folder = name, "created IMAP folder");
                let _ = within(limit, "SUBSCRIBE", s.subscribe(wire)).await;
                Ok(())
            }
            Err(Failure::Refused(text)) if text.contains("[ALREADYEXISTS]") => Ok(()),
            Err(Failure::Refused(text)) => {
                if self.folder_exists(wire).await? {
                    Ok(())
                } else {
                    Err(SourceError::Folder {
                        folder: name.to_string(),
                        message: format!("cannot be created: {text}"),
                    })
                }
            }
            Err(Failure::Broken(e)) => Err(e),
        }
    }

    async fn folder_exists(&mut self, wire: &str) -> Result<bool, SourceError> {
        let (s, limit) = self.live()?;
        let pattern = format!("\"{}\"", wire.replace('\\', "\\\\").replace('"', "\\\""));
        let names = within(limit, "LIST", async {
            s.list(Some(""), Some(&pattern))
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await
        .map_err(|f| f.into_error("LIST"))?;
        Ok(names.iter().any(|n| n.name() == wire))
    }
}
