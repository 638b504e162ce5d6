//! A local Maildir: mails in `new/` and `cur/`; finished ones go to the Maildir++
//! sub-folders `.Processed` and `.Failed`.

use std::path::{Path, PathBuf};

use super::{Destination, MailKey, SourceError};

pub struct Maildir {
    root: PathBuf,
    mailbox: String,
    processed: String,
    failed: String,
}

impl Maildir {
    /// `processed` and `failed` are folder names (`Processed` → `.Processed`).
    pub fn open(root: &Path, processed: &str, failed: &str) -> Result<Maildir, SourceError> {
        let m = Maildir {
            root: root.to_path_buf(),
            mailbox: root.display().to_string(),
            processed: format!(".{}", processed.trim_start_matches('.')),
            failed: format!(".{}", failed.trim_start_matches('.')),
        };
        for dir in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(root.join(dir)).map_err(|e| m.io(root, e))?;
        }
        Ok(m)
    }

    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    fn io(&self, path: &Path, source: std::io::Error) -> SourceError {
        SourceError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// The unique part of a Maildir file name: everything before the `:2,` flags.
    fn unique(name: &str) -> &str {
        name.split(':').next().unwrap_or(name)
    }

    fn find(&self, key: &MailKey) -> Result<PathBuf, SourceError> {
        for dir in ["new", "cur"] {
            let d = self.root.join(dir);
            let entries = std::fs::read_dir(&d).map_err(|e| self.io(&d, e))?;
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if Self::unique(&name) == key.id {
                    return Ok(e.path());
                }
            }
        }
        Err(SourceError::Gone(key.id.clone()))
    }

    pub fn list(&self) -> Result<Vec<MailKey>, SourceError> {
        let mut found = Vec::new();
        for dir in ["new", "cur"] {
            let d = self.root.join(dir);
            let entries = std::fs::read_dir(&d).map_err(|e| self.io(&d, e))?;
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') || !e.file_type().map(|t| t.is_file()).unwrap_or(false) {
                    continue;
                }
                let modified = e.metadata().and_then(|m| m.modified()).ok();
                found.push((modified, Self::unique(&name).to_string()));
            }
        }
        found.sort();
        Ok(found
            .into_iter()
            .map(|(_, id)| MailKey {
                mailbox: self.mailbox.clone(),
                id,
            })
            .collect())
    }

    pub fn fetch(&self, key: &MailKey) -> Result<Vec<u8>, SourceError> {
        let path = self.find(key)?;
        std::fs::read(&path).map_err(|e| self.io(&path, e))
    }

    /// Moves the mail into `cur/` of the destination folder, keeping its name.
    pub fn finish(&self, key: &MailKey, to: Destination) -> Result<(), SourceError> {
        let from = self.find(key)?;
        let folder = self.root.join(match to {
            Destination::Processed => &self.processed,
            Destination::Failed => &self.failed,
        });
        for dir in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(folder.join(dir)).map_err(|e| self.io(&folder, e))?;
        }
        let name = from
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = if name.contains(":2,") {
            name
        } else {
            format!("{name}:2,S")
        };
        let target = folder.join("cur").join(name);
        std::fs::rename(&from, &target).map_err(|e| self.io(&from, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mails_are_listed_fetched_and_moved() {
        let dir = tempfile::tempdir().unwrap();
        let m = Maildir::open(dir.path(), "Processed", "Failed").unwrap();
        std::fs::write(
            dir.path().join("new/1700000000.1.host"),
            b"Subject: a\r\n\r\nx",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("cur/1700000001.2.host:2,S"),
            b"Subject: b\r\n\r\ny",
        )
        .unwrap();
        let keys = m.list().unwrap();
        assert_eq!(keys.len(), 2);
        let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
        assert!(ids.contains(&"1700000001.2.host"));
        assert!(m.fetch(&keys[0]).unwrap().starts_with(b"Subject: "));
        m.finish(&keys[0], Destination::Processed).unwrap();
        m.finish(&keys[1], Destination::Failed).unwrap();
        assert!(m.list().unwrap().is_empty());
        assert_eq!(
            std::fs::read_dir(dir.path().join(".Processed/cur"))
                .unwrap()
                .count(),
            1
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join(".Failed/cur"))
                .unwrap()
                .count(),
            1
        );
        assert!(matches!(m.fetch(&keys[0]), Err(SourceError::Gone(_))));
    }
}
