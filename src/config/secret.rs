//! Secrets in the config: a literal string, an environment variable, a file, or a
//! systemd credential. Their values never appear in `Debug` output or logs.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

/// Where a secret comes from, as written in the config.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Secret {
    Literal(String),
    Env {
        env: String,
    },
    File {
        file: PathBuf,
    },
    /// A file in `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`).
    Credential {
        credential: String,
    },
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Literal(_) => f.write_str("Secret(<redacted>)"),
            Secret::Env { env } => write!(f, "Secret(env {env})"),
            Secret::File { file } => write!(f, "Secret(file {})", file.display()),
            Secret::Credential { credential } => write!(f, "Secret(credential {credential})"),
        }
    }
}

/// A secret's value. Printing it shows nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("environment variable {0} is not set")]
    EnvMissing(String),
    #[error("cannot read secret file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("credential {0:?} requested but $CREDENTIALS_DIRECTORY is not set")]
    NoCredentialsDirectory(String),
    #[error("secret is empty")]
    Empty,
}

impl Secret {
    /// Reads the secret's value now. A trailing newline (as `echo` writes) is dropped.
    pub fn resolve(&self) -> Result<SecretValue, SecretError> {
        let read = |path: PathBuf| {
            std::fs::read_to_string(&path).map_err(|e| SecretError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        };
        let value = match self {
            Secret::Literal(s) => s.clone(),
            Secret::Env { env } => {
                std::env::var(env).map_err(|_| SecretError::EnvMissing(env.clone()))?
            }
            Secret::File { file } => read(file.clone())?,
            Secret::Credential { credential } => {
                let dir = std::env::var_os("CREDENTIALS_DIRECTORY")
                    .ok_or_else(|| SecretError::NoCredentialsDirectory(credential.clone()))?;
                read(PathBuf::from(dir).join(credential))?
            }
        };
        let value = value.trim_end_matches(['\r', '\n']).to_string();
        if value.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(SecretValue(value))
    }

    /// True when the value is written in the config file itself.
    pub fn is_literal(&self) -> bool {
        matches!(self, Secret::Literal(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct T {
        a: Secret,
        b: Secret,
        c: Secret,
        d: Secret,
    }

    #[test]
    fn every_form_parses_and_none_prints_its_value() {
        let t: T = toml::from_str(
            r#"
            a = "hunter2"
            b = { env = "ZP_TEST_SECRET_B" }
            c = { file = "/run/secret" }
            d = { credential = "imap" }
            "#,
        )
        .unwrap();
        assert_eq!(t.a, Secret::Literal("hunter2".into()));
        let shown = format!("{t:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("ZP_TEST_SECRET_B"));
        assert_eq!(
            t.b,
            Secret::Env {
                env: "ZP_TEST_SECRET_B".into()
            }
        );
        assert!(matches!(t.c, Secret::File { .. }));
        assert_eq!(
            t.d,
            Secret::Credential {
                credential: "imap".into()
            }
        );
        assert_eq!(format!("{:?}", t.a.resolve().unwrap()), "<redacted>");
    }

    #[test]
    fn files_lose_their_trailing_newline_and_missing_sources_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "s3cret\n").unwrap();
        let s = Secret::File { file: path };
        assert_eq!(s.resolve().unwrap().expose(), "s3cret");
        let e = Secret::Env {
            env: "ZP_SURELY_UNSET_VARIABLE".into(),
        };
        assert_eq!(
            e.resolve().unwrap_err(),
            SecretError::EnvMissing("ZP_SURELY_UNSET_VARIABLE".into())
        );
    }
}
