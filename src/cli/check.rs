//! `zeitpost check`: the config, then every configured service, one line each.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use zeitpost::config::{AuthMethod, Config, SourceKind};
use zeitpost::importer::Target;
use zeitpost::ledger::Ledger;
use zeitpost::oauth::OAuthToken;
use zeitpost::report::smtp::{ReportError, Sender};
use zeitpost::source::SourceError;
use zeitpost::source::imap::{Credential, ImapSource};
use zeitpost::source::maildir::Maildir;
use zeitpost::target::personio::PersonioError;

use super::{EXIT_FAILED, load_config};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Lines {
    failed: bool,
}

impl Lines {
    fn ok(&mut self, what: &str, detail: impl std::fmt::Display) {
        println!("ok     {what}: {detail}");
    }

    fn fail(&mut self, what: &str, detail: impl std::fmt::Display, hint: Option<&str>) {
        self.failed = true;
        println!("FAILED {what}: {detail}");
        if let Some(h) = hint {
            println!("       hint: {h}");
        }
    }

    fn skip(&mut self, what: &str, why: &str) {
        println!("-      {what}: {why}");
    }
}

pub fn run(config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, false)?;
    let mut lines = Lines { failed: false };
    lines.ok("config", "valid");
    state(&config, &mut lines);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        mailbox(&config, &mut lines).await;
        reports(&config, &mut lines).await;
        personio(&config, &mut lines).await;
        timr(&config, &mut lines).await;
        timetrack(&config, &mut lines).await;
    });
    Ok(if lines.failed {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn state(config: &Config, lines: &mut Lines) {
    let path = &config.state.path;
    let result = if path.exists() {
        Ledger::open_read_only(path)
            .and_then(|l| l.status())
            .map(|_| "readable".to_string())
    } else {
        // The nearest directory that exists must let zeitpost create the rest.
        let dir = path
            .ancestors()
            .skip(1)
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .find(|d| d.exists())
            .unwrap_or(Path::new("."));
        match std::fs::metadata(dir) {
            Ok(m) if !m.permissions().readonly() => {
                Ok(format!("will be created in {}", dir.display()))
            }
            _ => {
                lines.fail("state database", format!("{} cannot be created", path.display()), Some("create its directory and make it writable for zeitpost (systemd: StateDirectory=zeitpost)"));
                return;
            }
        }
    };
    match result {
        Ok(detail) => lines.ok("state database", format!("{} {detail}", path.display())),
        Err(e) => lines.fail("state database", e, None),
    }
}

async fn mailbox(config: &Config, lines: &mut Lines) {
    let Some(cfg) = &config.source else {
        return lines.skip("mailbox", "no [source] section");
    };
    match cfg.kind {
        SourceKind::Maildir => match cfg
            .path
            .as_deref()
            .map(|p| Maildir::open(p, &cfg.processed_folder, &cfg.failed_folder))
        {
            Some(Ok(m)) => match m.list() {
                Ok(waiting) => lines.ok(
                    "mailbox",
                    format!("Maildir {}: {} mails waiting", m.mailbox(), waiting.len()),
                ),
                Err(e) => lines.fail("mailbox", e, None),
            },
            Some(Err(e)) => lines.fail(
                "mailbox",
                e,
                Some("does source.path exist and can zeitpost write there?"),
            ),
            None => lines.fail("mailbox", "source.path is not set", None),
        },
        SourceKind::Imap => {
            let token = cfg
                .oauth2
                .as_ref()
                .filter(|_| cfg.auth == AuthMethod::OAuth2)
                .map(|o| OAuthToken::new("source.oauth2", o, TIMEOUT));
            let password = match (&token, cfg.password.as_ref().map(|p| p.resolve())) {
                (Some(_), _) => None,
                (None, Some(Ok(p))) => Some(p),
                (None, Some(Err(e))) => {
                    return lines.fail("mailbox", format!("source.password: {e}"), None);
                }
                (None, None) => return lines.fail("mailbox", "source.password is not set", None),
            };
            let credential = match (&token, &password) {
                (Some(t), _) => Credential::OAuth2(t),
                (None, Some(p)) => Credential::Password(p),
                (None, None) => return,
            };
            match ImapSource::connect(cfg, credential, TIMEOUT).await {
                Ok(mut s) => {
                    let waiting = s.list().await.map(|l| l.len());
                    let host = cfg.host.as_deref().unwrap_or("");
                    match waiting {
                        Ok(n) => lines.ok(
                            "mailbox",
                            format!("IMAP {host}, folder {}: {n} mails waiting", cfg.folder),
                        ),
                        Err(e) => lines.fail("mailbox", e, None),
                    }
                    s.logout().await;
                }
                Err(e) => {
                    let hint = imap_hint(&e);
                    lines.fail("mailbox", e, hint);
                }
            }
        }
    }
}

fn imap_hint(e: &SourceError) -> Option<&'static str> {
    let text = e.to_string().to_lowercase();
    match e {
        SourceError::Token(t) if !t.is_transient() => Some(
            "check source.oauth2.token_url (tenant), client_id and client_secret (Entra ID: App registrations → Certificates & secrets; a secret expires); the app also needs the IMAP.AccessAsApp permission with admin consent and a mailbox permission in Exchange (Add-MailboxPermission for its service principal)",
        ),
        SourceError::Token(_) => Some("is source.oauth2.token_url right and reachable from here?"),
        SourceError::TokenRefused { .. } => Some(
            "the token was issued but the mailbox refused it: give the app the IMAP.AccessAsApp permission (Office 365 Exchange Online, admin consent), register its service principal in Exchange and grant it the mailbox (Add-MailboxPermission); source.username must be that mailbox and source.oauth2.scope https://outlook.office365.com/.default",
        ),
        SourceError::Login(_) => Some(
            "wrong username or password? Microsoft 365 no longer accepts passwords for IMAP (basic auth is off since 2022); Gmail needs an app password (2-step verification on)",
        ),
        SourceError::Folder { .. } => Some(
            "check source.folder, processed_folder and failed_folder (names are case-sensitive on most servers)",
        ),
        _ if text.contains("certificate") || text.contains("name") && text.contains("tls") => Some(
            "the server's certificate does not match source.host or comes from an unknown CA: use the name on the certificate, or set source.tls_ca_file",
        ),
        SourceError::Connect(_) | SourceError::Timeout { .. } => Some(
            "is source.host/port right, and does the firewall let zeitpost out? (993 implicit TLS, 143 STARTTLS)",
        ),
        _ => None,
    }
}

async fn reports(config: &Config, lines: &mut Lines) {
    let mut cfg = config.report.clone();
    cfg.dir = Some(config.report_dir());
    match Sender::from_config(&cfg, TIMEOUT) {
        Ok(sender) => match sender.check().await {
            Ok(detail) => lines.ok("reports", detail),
            Err(e) => {
                let hint = match &e {
                    ReportError::Token(t) if !t.is_transient() => Some(
                        "check report.oauth2.token_url (tenant), client_id and client_secret; the app also needs the SMTP.SendAsApp permission with admin consent and a mailbox permission in Exchange (Add-MailboxPermission for its service principal)",
                    ),
                    ReportError::Token(_) => {
                        Some("is report.oauth2.token_url right and reachable from here?")
                    }
                    _ => None,
                };
                lines.fail("reports", e, hint)
            }
        },
        Err(e) => lines.fail("reports", e, None),
    }
}

async fn personio(config: &Config, lines: &mut Lines) {
    if config.personio.is_none() {
        return lines.ok(
            "target",
            format!(
                "no [personio] section: Personio import files go to {}",
                config.outbox_dir().display()
            ),
        );
    }
    let target = match Target::from_config(config) {
        Ok(Target::Personio(t)) => t,
        Ok(Target::Outbox(_)) => return,
        Err(e) => return lines.fail("Personio", e, None),
    };
    match target.client().check().await {
        Ok(()) => lines.ok(
            "Personio",
            "token issued, persons and attendance periods readable",
        ),
        Err(e) => {
            let hint = match &e {
                PersonioError::Unauthorized(_) => Some(
                    "check personio.client_id and client_secret (Personio: Settings → Integrations → API credentials)",
                ),
                PersonioError::Forbidden(_) => Some(
                    "the credentials lack a scope: give them personio:persons:read, personio:attendances:read and personio:attendances:write",
                ),
                PersonioError::Unavailable { .. } => {
                    Some("is personio.base_url right and reachable from here?")
                }
                _ => None,
            };
            lines.fail("Personio", e, hint);
        }
    }
}

async fn timr(config: &Config, lines: &mut Lines) {
    use zeitpost::jobs::timr::client::{Client, Settings};
    use zeitpost::jobs::timr::error::TimrError;
    let Some(t) = &config.timr else { return };
    let secret = match t.client_secret.resolve() {
        Ok(s) => s,
        Err(e) => return lines.fail("timr", format!("timr.client_secret: {e}"), None),
    };
    let client = Client::new(Settings {
        base_url: t.base_url.clone(),
        token_url: t.token_url.clone(),
        client_id: t.client_id.clone(),
        client_secret: secret,
        max_rps: 5.0,
        timeout: TIMEOUT,
        attempts: 2,
    });
    let result = match client {
        Ok(c) => c.users().await.map(|u| u.len()),
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => lines.ok("timr", format!("token issued, {n} users readable")),
        Err(e) => {
            let hint = match &e {
                TimrError::Unauthorized(_) => {
                    Some("check timr.client_id and client_secret, and timr.token_url")
                }
                TimrError::Unavailable { .. } => {
                    Some("is timr.base_url right and reachable from here?")
                }
                _ => None,
            };
            lines.fail("timr", e, hint);
        }
    }
}

async fn timetrack(config: &Config, lines: &mut Lines) {
    use zeitpost::jobs::timetrack::error::TimeTrackError;
    use zeitpost::jobs::timetrack::sync::{SyncError, client};
    let Some(t) = &config.timetrack else { return };
    let result = match client(t, TIMEOUT, 2) {
        Ok(c) => c.check().await.map_err(SyncError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            lines.ok("TimeTrack", "API key and secret accepted, users readable");
            lines.skip(
                "TimeTrack",
                "switch TimeTrack's own Personio integration off: with both running, every entry is written twice",
            );
        }
        Err(e) => {
            let hint = match &e {
                SyncError::Timetrack(TimeTrackError::Unauthorized(_)) => Some(
                    "check timetrack.api_key and api_secret (Settings / General / API; a regenerated secret voids the old one)",
                ),
                SyncError::Timetrack(TimeTrackError::Forbidden(_)) => {
                    Some("the API needs a TimeTrack Enterprise account")
                }
                SyncError::Timetrack(
                    TimeTrackError::Unavailable { .. } | TimeTrackError::NotFound(_),
                ) => Some(
                    "is timetrack.base_url right (https://<account>.timetrackenterprise.com/api/v2/ext/)?",
                ),
                _ => None,
            };
            lines.fail("TimeTrack", e, hint);
        }
    }
}
