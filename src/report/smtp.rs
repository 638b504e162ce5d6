//! Delivering report e-mails: to an SMTP server, or as `.eml` files into an outbox
//! directory where no server is at hand.
//!
//! Every SMTP send opens its own connection under one deadline, so a dead server costs at
//! most the timeout and the next attempt starts clean. Encryption is mandatory except
//! towards a loopback address (a local relay); TLS is rustls with the aws-lc-rs provider,
//! trusting the webpki roots plus an optional private CA. Failures say which step failed
//! (connect, TLS, login, a refused recipient, the deadline) because the person reading
//! the log has to fix the config or the mailbox, not the code.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{AuthMethod, ReportConfig, ReportKind, TlsMode};
use crate::oauth::{OAuthError, OAuthToken};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("report config: {0}")]
    Config(String),
    #[error("invalid e-mail address {address:?}: {reason}")]
    Address { address: String, reason: String },
    #[error("the report has no valid recipient")]
    NoRecipients,
    #[error("cannot compose the report: {0}")]
    Compose(String),
    #[error("cannot connect to SMTP server {server}: {reason}")]
    Connect { server: String, reason: String },
    #[error("TLS with SMTP server {server} failed: {reason}{}", show_hint(.hint))]
    Tls {
        server: String,
        reason: String,
        hint: Option<&'static str>,
    },
    #[error("SMTP server {server} refused the login of {user}: {reply}{}", show_hint(.hint))]
    Auth {
        server: String,
        user: String,
        reply: String,
        hint: Option<&'static str>,
    },
    #[error("SMTP token: {0}")]
    Token(#[from] OAuthError),
    #[error("SMTP server {server} rejected the recipient {recipient}: {reply}")]
    Recipient {
        server: String,
        recipient: String,
        reply: String,
    },
    #[error("SMTP server {server} refused the report: {reply}")]
    Refused {
        server: String,
        reply: String,
        transient: bool,
    },
    #[error("sending to SMTP server {server} failed: {reason}")]
    Smtp { server: String, reason: String },
    #[error("SMTP server {server} did not finish within {} s", .after.as_secs_f32())]
    Timeout { server: String, after: Duration },
    #[error("report outbox {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn show_hint(hint: &Option<&'static str>) -> String {
    hint.map(|h| format!(" ({h})")).unwrap_or_default()
}

impl ReportError {
    /// Whether sending again later may work without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            ReportError::Connect { .. }
            | ReportError::Timeout { .. }
            | ReportError::Smtp { .. }
            | ReportError::Io { .. } => true,
            ReportError::Refused { transient, .. } => *transient,
            ReportError::Token(e) => e.is_transient(),
            _ => false,
        }
    }
}

/// Where reports go.
pub enum Sender {
    Smtp(SmtpSender),
    Outbox(PathBuf),
}

pub struct SmtpSender {
    /// With `auth = "password"` (or no login): the one transport every send uses.
    transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
    /// With `auth = "oauth2"`: a transport is built per send around the current token.
    oauth: Option<Box<OAuthLogin>>,
    /// `host:port`, for messages.
    server: String,
    user: Option<String>,
    timeout: Duration,
}

impl Sender {
    /// The sender `[report]` describes. `timeout` bounds each whole send. Without `tls`,
    /// port 587 or 25 means STARTTLS and anything else implicit TLS; the port defaults to
    /// 465, 587 or 25 by the TLS mode.
    pub fn from_config(cfg: &ReportConfig, timeout: Duration) -> Result<Sender, ReportError> {
        match cfg.kind {
            ReportKind::Outbox => cfg
                .dir
                .clone()
                .map(Sender::Outbox)
                .ok_or_else(|| config("report.dir is not set (kind = \"outbox\" writes there)")),
            ReportKind::Smtp => SmtpSender::from_config(cfg, timeout).map(Sender::Smtp),
        }
    }

    /// Delivers one message. `sender` and `recipients` are bare addresses (the envelope).
    pub async fn send(
        &self,
        sender: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), ReportError> {
        match self {
            Sender::Smtp(s) => s.send(sender, recipients, message).await,
            Sender::Outbox(dir) => {
                let (owned, message) = (dir.clone(), message.to_vec());
                tokio::task::spawn_blocking(move || write_eml(&owned, &message).map(|_| ()))
                    .await
                    .map_err(|e| ReportError::Io {
                        path: dir.display().to_string(),
                        source: std::io::Error::other(e),
                    })?
            }
        }
    }
}

impl Sender {
    /// Connects and (with credentials) logs in, sending nothing; for `zeitpost check`.
    /// For the outbox: makes sure the directory can be written.
    pub async fn check(&self) -> Result<String, ReportError> {
        match self {
            Sender::Smtp(s) => match &s.oauth {
                None => s.check_with(&s.transport).await,
                Some(oauth) => {
                    oauth
                        .attempt(|t| async move { s.check_with(&t).await })
                        .await
                }
            },
            Sender::Outbox(dir) => {
                let io = |source| ReportError::Io {
                    path: dir.display().to_string(),
                    source,
                };
                std::fs::create_dir_all(dir).map_err(io)?;
                let probe = dir.join(".zeitpost-check");
                std::fs::write(&probe, b"").map_err(io)?;
                let _ = std::fs::remove_file(probe);
                Ok(format!("report outbox {} is writable", dir.display()))
            }
        }
    }
}

fn config(message: &str) -> ReportError {
    ReportError::Config(message.to_string())
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl SmtpSender {
    fn from_config(cfg: &ReportConfig, timeout: Duration) -> Result<SmtpSender, ReportError> {
        let host = cfg
            .host
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .ok_or_else(|| config("report.host is not set (required for kind = \"smtp\")"))?;
        let mode = cfg.tls.unwrap_or(match cfg.port {
            Some(587 | 25) => TlsMode::Starttls,
            _ => TlsMode::Implicit,
        });
        let port = cfg.port.unwrap_or(match mode {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::None => 25,
        });
        let tls = match mode {
            TlsMode::Implicit => Tls::Wrapper(tls_parameters(host, cfg.tls_ca_file.as_deref())?),
            TlsMode::Starttls => Tls::Required(tls_parameters(host, cfg.tls_ca_file.as_deref())?),
            TlsMode::None if is_loopback(host) => Tls::None,
            TlsMode::None => {
                return Err(ReportError::Config(format!(
                    "report.tls = \"none\" is only allowed towards a loopback address, not {host}"
                )));
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .tls(tls)
            .timeout(Some(timeout));
        let mut oauth = None;
        match (cfg.auth, &cfg.oauth2, &cfg.username) {
            (AuthMethod::OAuth2, Some(o), Some(user)) => {
                oauth = Some(Box::new(OAuthLogin {
                    builder: Box::new(builder.clone()),
                    user: user.clone(),
                    token: OAuthToken::new("report.oauth2", o, timeout),
                }));
            }
            (AuthMethod::OAuth2, None, _) => {
                return Err(config("report.oauth2 is not set (auth = \"oauth2\")"));
            }
            (AuthMethod::OAuth2, _, None) => {
                return Err(config("report.username is not set (auth = \"oauth2\")"));
            }
            (AuthMethod::Password, _, Some(user)) => {
                let password = cfg
                    .password
                    .as_ref()
                    .ok_or_else(|| config("report.password is not set but report.username is"))?
                    .resolve()
                    .map_err(|e| ReportError::Config(format!("report.password: {e}")))?;
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    password.expose().to_string(),
                ));
            }
            (AuthMethod::Password, _, None) => {}
        }
        Ok(SmtpSender {
            transport: Box::new(builder.build()),
            oauth,
            server: format!("{host}:{port}"),
            user: cfg.username.clone(),
            timeout,
        })
    }

    /// Connects and logs in through `transport`, sending nothing.
    async fn check_with(
        &self,
        transport: &AsyncSmtpTransport<Tokio1Executor>,
    ) -> Result<String, ReportError> {
        match tokio::time::timeout(self.timeout, transport.test_connection()).await {
            Ok(Ok(true)) => Ok(format!("SMTP {} accepts the connection", self.server)),
            Ok(Ok(false)) => Err(ReportError::Refused {
                server: self.server.clone(),
                reply: "the server did not answer NOOP".into(),
                transient: true,
            }),
            Ok(Err(e)) => Err(self.explain(&e, &[])),
            Err(_) => Err(ReportError::Timeout {
                server: self.server.clone(),
                after: self.timeout,
            }),
        }
    }

    async fn send(
        &self,
        sender: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), ReportError> {
        let envelope = Envelope::new(
            Some(address(sender)?),
            recipients
                .iter()
                .map(|r| address(r))
                .collect::<Result<_, _>>()?,
        )
        .map_err(|_| ReportError::NoRecipients)?;
        match &self.oauth {
            None => {
                self.send_with(&self.transport, &envelope, recipients, message)
                    .await
            }
            Some(oauth) => {
                let envelope = &envelope;
                oauth
                    .attempt(
                        |t| async move { self.send_with(&t, envelope, recipients, message).await },
                    )
                    .await
            }
        }
    }

    async fn send_with(
        &self,
        transport: &AsyncSmtpTransport<Tokio1Executor>,
        envelope: &Envelope,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), ReportError> {
        match tokio::time::timeout(self.timeout, transport.send_raw(envelope, message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(self.explain(&e, recipients)),
            Err(_) => Err(ReportError::Timeout {
                server: self.server.clone(),
                after: self.timeout,
            }),
        }
    }

    /// Turns lettre's error into the step that failed.
    fn explain(&self, e: &lettre::transport::smtp::Error, recipients: &[String]) -> ReportError {
        let server = self.server.clone();
        if e.is_timeout() {
            return ReportError::Timeout {
                server,
                after: self.timeout,
            };
        }
        if let Some(code) = e.status() {
            let text = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default();
            let code: u16 = code.to_string().parse().unwrap_or(0);
            let user = self.user.as_deref().unwrap_or("");
            return from_reply(&server, user, recipients, code, text.trim());
        }
        let reason = root_cause(e);
        if e.is_tls() || rustls_failure(e) {
            let hint = reason
                .contains("UnknownIssuer")
                .then_some("is report.tls_ca_file needed for a private CA?");
            return ReportError::Tls {
                server,
                reason,
                hint,
            };
        }
        if reason.contains("STARTTLS") || reason.contains("not encrypted") {
            return ReportError::Tls {
                server,
                reason,
                hint: Some("does the server offer STARTTLS, or is it tls = \"implicit\"?"),
            };
        }
        if reason.contains("does not expect a challenge") {
            // A XOAUTH2 refusal that comes as a challenge with a JSON error (Gmail's way).
            return ReportError::Auth {
                server,
                user: self.user.clone().unwrap_or_default(),
                reply: "the server turned the token down".into(),
                hint: None,
            };
        }
        if reason.contains("authentication mechanism") {
            return ReportError::Auth {
                server,
                user: self.user.clone().unwrap_or_default(),
                reply: reason,
                hint: None,
            };
        }
        let text = e.to_string();
        if text.starts_with("Connection error") || text.starts_with("network error") {
            ReportError::Connect { server, reason }
        } else {
            ReportError::Smtp { server, reason }
        }
    }
}

/// What a send needs to log in with an OAuth2 token (`auth = "oauth2"`).
struct OAuthLogin {
    /// Everything but the credentials.
    builder: Box<AsyncSmtpTransportBuilder>,
    user: String,
    token: OAuthToken,
}

/// The hint for a token the server turned down right after it was issued.
const SEND_AS_APP: &str = "the app needs the SMTP.SendAsApp permission with admin consent and a mailbox permission in Exchange (Add-MailboxPermission for its service principal); report.username must be that mailbox, and SMTP AUTH must be on for it";

impl OAuthLogin {
    /// Runs `step` with a transport that logs in with the current token. A refused login
    /// drops the token; one that came from the cache may only have been revoked early, so
    /// the step runs once more with a fresh one. No mail is sent twice: the login comes
    /// before the envelope.
    async fn attempt<T, F, Fut>(&self, step: F) -> Result<T, ReportError>
    where
        F: Fn(AsyncSmtpTransport<Tokio1Executor>) -> Fut,
        Fut: std::future::Future<Output = Result<T, ReportError>>,
    {
        let mut bearer = self.token.bearer().await?;
        loop {
            let transport = (*self.builder)
                .clone()
                .credentials(Credentials::new(self.user.clone(), bearer.token.clone()))
                .authentication(vec![Mechanism::Xoauth2])
                .build();
            match step(transport).await {
                Err(ReportError::Auth {
                    server,
                    user,
                    reply,
                    hint,
                }) => {
                    self.token.forget().await;
                    if bearer.cached {
                        tracing::debug!("the kept OAuth2 token was refused; fetching a new one");
                        bearer = self.token.bearer().await?;
                        continue;
                    }
                    return Err(ReportError::Auth {
                        server,
                        user,
                        reply,
                        hint: hint.or(Some(SEND_AS_APP)),
                    });
                }
                other => return other,
            }
        }
    }
}

fn address(raw: &str) -> Result<Address, ReportError> {
    raw.trim()
        .parse::<Address>()
        .map_err(|e| ReportError::Address {
            address: raw.to_string(),
            reason: e.to_string(),
        })
}

/// The innermost cause: lettre's outer layers only repeat it behind a kind label.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// Whether a rustls error (a failed handshake) is among the causes; lettre reports those
/// as connection errors.
fn rustls_failure(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if err.is::<tokio_rustls::rustls::Error>() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.is::<tokio_rustls::rustls::Error>())
        {
            return true;
        }
        next = err.source();
    }
    false
}

/// What an SMTP error reply means for HR's admin.
fn from_reply(
    server: &str,
    user: &str,
    recipients: &[String],
    code: u16,
    text: &str,
) -> ReportError {
    let reply = format!("{code} {text}");
    let enhanced = text.split_whitespace().next().unwrap_or("");
    let auth = matches!(code, 530 | 534 | 535 | 538)
        || (code == 454 && text.to_ascii_lowercase().contains("auth"));
    if auth {
        let hint = if enhanced == "5.7.139" {
            Some("SMTP AUTH disabled for the mailbox?")
        } else if code == 530 && user.is_empty() {
            Some("the server wants a login: set report.username and report.password")
        } else {
            None
        };
        return ReportError::Auth {
            server: server.to_string(),
            user: user.to_string(),
            reply,
            hint,
        };
    }
    let lower = text.to_ascii_lowercase();
    let named = recipients
        .iter()
        .find(|r| lower.contains(&r.to_ascii_lowercase()));
    let bad_mailbox = matches!(
        enhanced.split_once('.').map(|(_, rest)| rest),
        Some("1.1" | "1.2" | "1.3" | "1.6" | "1.10")
    );
    if named.is_some() || bad_mailbox {
        return ReportError::Recipient {
            server: server.to_string(),
            recipient: named.cloned().unwrap_or_else(|| recipients.join(", ")),
            reply,
        };
    }
    ReportError::Refused {
        server: server.to_string(),
        reply,
        transient: (400..500).contains(&code),
    }
}

fn tls_parameters(host: &str, ca_file: Option<&Path>) -> Result<TlsParameters, ReportError> {
    let tls_error = |reason: String| ReportError::Tls {
        server: host.to_string(),
        reason,
        hint: None,
    };
    let mut builder =
        TlsParameters::builder(host.to_string()).certificate_store(CertificateStore::WebpkiRoots);
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            ReportError::Config(format!("report.tls_ca_file {}: {e}", path.display()))
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| {
            ReportError::Config(format!("report.tls_ca_file {}: {e}", path.display()))
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(|e| tls_error(e.to_string()))
}

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// Writes the message as `<dir>/<UTC timestamp>-<n>.eml`: first to a hidden temporary
/// file, then linked into place, so a reader never sees half a file and nothing is
/// overwritten.
pub fn write_eml(dir: &Path, message: &[u8]) -> Result<PathBuf, ReportError> {
    use std::io::Write as _;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ReportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let tmp = dir.join(format!(
        ".{stamp}-{}-{}.tmp",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let mut file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    file.write_all(message)
        .and_then(|()| file.sync_all())
        .map_err(io(&tmp))?;
    drop(file);
    let result = loop {
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{stamp}-{n}.eml"));
        match std::fs::hard_link(&tmp, &path) {
            Ok(()) => break Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => break Err(io(&path)(e)),
        }
    };
    let _ = std::fs::remove_file(&tmp);
    if result.is_ok()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rcpts() -> Vec<String> {
        vec!["hr@example.com".into(), "clock@example.com".into()]
    }

    #[test]
    fn login_refusals_name_the_likely_cause() {
        let e = from_reply(
            "smtp.office365.com:587",
            "zeiten@example.com",
            &rcpts(),
            535,
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
        );
        let text = e.to_string();
        assert!(matches!(e, ReportError::Auth { .. }));
        assert!(
            text.contains("refused the login of zeiten@example.com"),
            "{text}"
        );
        assert!(
            text.contains("SMTP AUTH disabled for the mailbox?"),
            "{text}"
        );
        assert!(!e.is_transient());
    }

    #[test]
    fn refused_recipients_are_named() {
        let e = from_reply(
            "mx:25",
            "",
            &rcpts(),
            550,
            "5.1.1 <clock@example.com>: Recipient address rejected",
        );
        match e {
            ReportError::Recipient { recipient, .. } => assert_eq!(recipient, "clock@example.com"),
            other => panic!("{other:?}"),
        }
        let e = from_reply("mx:25", "", &rcpts(), 550, "5.1.1 User unknown");
        assert!(matches!(e, ReportError::Recipient { .. }), "{e:?}");
    }

    #[test]
    fn other_replies_keep_the_server_text() {
        let e = from_reply("mx:25", "", &rcpts(), 421, "4.3.2 Service shutting down");
        assert!(e.is_transient());
        assert_eq!(
            e.to_string(),
            "SMTP server mx:25 refused the report: 421 4.3.2 Service shutting down"
        );
        let e = from_reply("mx:25", "", &rcpts(), 554, "5.7.1 Spam");
        assert!(!e.is_transient());
    }

    #[test]
    fn plain_text_only_towards_loopback() {
        let cfg = |host: &str| ReportConfig {
            kind: ReportKind::Smtp,
            host: Some(host.into()),
            tls: Some(TlsMode::None),
            from: Some("z@example.com".into()),
            ..ReportConfig::default()
        };
        let t = Duration::from_secs(1);
        for ok in ["127.0.0.1", "localhost", "::1", "[::1]"] {
            assert!(Sender::from_config(&cfg(ok), t).is_ok(), "{ok}");
        }
        let err = Sender::from_config(&cfg("smtp.example.com"), t)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("only allowed towards a loopback"),
            "{err}"
        );
    }

    #[test]
    fn config_gaps_are_reported() {
        let t = Duration::from_secs(1);
        let outbox = ReportConfig::default();
        assert!(matches!(
            Sender::from_config(&outbox, t),
            Err(ReportError::Config(_))
        ));
        let no_password = ReportConfig {
            kind: ReportKind::Smtp,
            host: Some("smtp.example.com".into()),
            username: Some("z@example.com".into()),
            ..ReportConfig::default()
        };
        let err = Sender::from_config(&no_password, t).err().unwrap();
        assert!(err.to_string().contains("report.password"), "{err}");
        let with_tls = ReportConfig {
            username: None,
            tls: Some(TlsMode::Starttls),
            ..no_password
        };
        assert!(Sender::from_config(&with_tls, t).is_ok());
    }

    #[test]
    fn eml_files_never_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("reports");
        let a = write_eml(&dir, b"one").unwrap();
        let b = write_eml(&dir, b"two").unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(std::fs::read(&b).unwrap(), b"two");
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
    }
}
