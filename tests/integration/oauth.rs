//! Logging in with OAuth2 tokens (SASL XOAUTH2), as Microsoft 365 requires: a real Dovecot
//! and a real SMTP server check the tokens with the identity-provider simulator, which
//! issues them for a client id and secret (client-credentials grant).

use std::process::Output;
use std::time::Duration;

use zeitpost::config::{Config, ReportConfig, SourceConfig};
use zeitpost::oauth::{OAuthError, OAuthToken};
use zeitpost::report::smtp::{ReportError, Sender};
use zeitpost::source::SourceError;
use zeitpost::source::imap::{Credential, ImapSource};
use zeitpost_sim::oauth::{OAuthConfig, OAuthSim};

use crate::daemon::{Rec, TERMINAL, export_mail};
use crate::dovecot::{Dovecot, USER};
use crate::smtp_server::SmtpServer;
use crate::util::zeitpost;

const TIMEOUT: Duration = Duration::from_secs(20);
const CLIENT_ID: &str = "zeitpost-app";
const CLIENT_SECRET: &str = "app-s3cret-for-oauth-tests";
const SECRET_ENV: &str = "ZP_TEST_OAUTH_CLIENT_SECRET";

fn provider() -> OAuthSim {
    OAuthSim::start(OAuthConfig {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        username: USER.into(),
        lifetime: Duration::from_secs(3600),
    })
}

/// The `[section.oauth2]` block for the provider, with `secret` as the client secret.
fn block(section: &str, idp: &OAuthSim, secret: &str) -> String {
    format!(
        "[{section}.oauth2]\ntoken_url = {:?}\nclient_id = {CLIENT_ID:?}\nclient_secret = {secret:?}\n",
        idp.token_url()
    )
}

fn source(dc: &Dovecot, idp: &OAuthSim, secret: &str) -> SourceConfig {
    let text = format!(
        "[source]\nkind = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
         username = \"{USER}\"\nauth = \"oauth2\"\n{}",
        dc.port,
        block("source", idp, secret)
    );
    Config::from_toml(&text, "test").unwrap().source.unwrap()
}

fn report(smtp: &SmtpServer, idp: &OAuthSim, secret: &str) -> ReportConfig {
    let text = format!(
        "[report]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
         username = \"{USER}\"\nauth = \"oauth2\"\nfrom = \"zeiten@example.com\"\n{}",
        smtp.port,
        block("report", idp, secret)
    );
    Config::from_toml(&text, "test").unwrap().report
}

fn token_for(cfg: &SourceConfig) -> OAuthToken {
    OAuthToken::new("source.oauth2", cfg.oauth2.as_ref().unwrap(), TIMEOUT)
}

async fn connect(cfg: &SourceConfig, token: &OAuthToken) -> Result<ImapSource, SourceError> {
    ImapSource::connect(cfg, Credential::OAuth2(token), TIMEOUT).await
}

#[tokio::test]
async fn imap_logs_in_with_a_token_reuses_it_and_renews_it() {
    let idp = provider();
    let Some(dc) = Dovecot::start_oauth(&idp.introspection_url()) else {
        return;
    };
    let raw =
        b"From: uhr@example.com\r\nSubject: x\r\nMessage-ID: <x@example.com>\r\n\r\nExport\r\n";
    dc.append(USER, "INBOX", raw);
    let cfg = source(&dc, &idp, CLIENT_SECRET);
    let token = token_for(&cfg);

    let mut imap = connect(&cfg, &token).await.unwrap();
    let keys = imap.list().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(imap.fetch(&keys[0]).await.unwrap(), raw);
    imap.logout().await;
    assert_eq!(idp.issued(), 1);
    assert!(idp.introspected() >= 1, "Dovecot checked the token");

    // Reconnecting reuses the token.
    connect(&cfg, &token).await.unwrap().logout().await;
    assert_eq!(idp.issued(), 1);

    // A token revoked early is refused once, then replaced.
    idp.expire_all();
    connect(&cfg, &token).await.unwrap().logout().await;
    assert_eq!(idp.issued(), 2);

    // A token is renewed a minute before it expires, without waiting for a refusal.
    idp.set_config(|c| c.lifetime = Duration::from_secs(61));
    token.forget().await;
    connect(&cfg, &token).await.unwrap().logout().await;
    assert_eq!(idp.issued(), 3);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let introspected = idp.introspected();
    connect(&cfg, &token).await.unwrap().logout().await;
    assert_eq!(idp.issued(), 4);
    assert_eq!(
        idp.introspected(),
        introspected + 1,
        "no refused attempt first"
    );
}

#[tokio::test]
async fn a_wrong_secret_or_a_refused_token_is_said_plainly() {
    let idp = provider();
    let Some(dc) = Dovecot::start_oauth(&idp.introspection_url()) else {
        return;
    };
    let cfg = source(&dc, &idp, "wrong-secret");
    let e = connect(&cfg, &token_for(&cfg)).await.err().unwrap();
    assert!(
        matches!(e, SourceError::Token(OAuthError::Refused { .. })),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("source.oauth2.token_url") && text.contains("invalid_client"),
        "{text}"
    );
    assert!(!text.contains("wrong-secret"), "{text}");

    // The token is issued, but not for this mailbox.
    idp.set_config(|c| c.username = "someone-else".into());
    let cfg = source(&dc, &idp, CLIENT_SECRET);
    let e = connect(&cfg, &token_for(&cfg)).await.err().unwrap();
    assert!(matches!(e, SourceError::TokenRefused { .. }), "{e:?}");
    assert_eq!(
        idp.issued(),
        1,
        "a token refused when new is not fetched again"
    );
    for token in idp.tokens() {
        assert!(!e.to_string().contains(&token), "{e}");
    }
}

#[tokio::test]
async fn smtp_sends_with_a_token_and_renews_it() {
    let idp = provider();
    let Some(smtp) = SmtpServer::start_oauth(&idp.introspection_url()) else {
        return;
    };
    let sender = Sender::from_config(&report(&smtp, &idp, CLIENT_SECRET), TIMEOUT).unwrap();
    let to = vec!["hr@example.com".to_string()];
    let mail = b"From: zeiten@example.com\r\nTo: hr@example.com\r\nSubject: Bericht\r\n\r\nok\r\n";
    sender.send("zeiten@example.com", &to, mail).await.unwrap();
    assert!(sender.check().await.unwrap().contains("accepts"));
    assert_eq!(idp.issued(), 1, "the token is reused");
    idp.expire_all();
    sender.send("zeiten@example.com", &to, mail).await.unwrap();
    assert_eq!(idp.issued(), 2);
    let got = smtp.wait_for(2, TIMEOUT);
    assert!(
        got.iter().all(|r| r.login.as_deref() == Some(USER)),
        "{got:?}"
    );
    assert_eq!(got.len(), 2, "nothing sent twice");

    let wrong = Sender::from_config(&report(&smtp, &idp, "wrong-secret"), TIMEOUT).unwrap();
    let e = wrong
        .send("zeiten@example.com", &to, mail)
        .await
        .err()
        .unwrap();
    assert!(matches!(e, ReportError::Token(_)), "{e:?}");
    assert!(!e.is_transient());

    idp.set_config(|c| c.username = "someone-else".into());
    let e = Sender::from_config(&report(&smtp, &idp, CLIENT_SECRET), TIMEOUT)
        .unwrap()
        .check()
        .await
        .err()
        .unwrap();
    assert!(matches!(e, ReportError::Auth { .. }), "{e:?}");
    assert!(e.to_string().contains("SMTP.SendAsApp"), "{e}");
}

fn run(config: &std::path::Path, secret: &str, args: &[&str]) -> Output {
    zeitpost()
        .env(SECRET_ENV, secret)
        .env(
            "RUST_LOG",
            "trace,async_imap=trace,lettre=trace,reqwest=trace",
        )
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

/// `check` and `run --once` with both logins on tokens; no secret and no token in any
/// log line; a wrong secret gets a hint naming the keys and the permissions.
#[test]
fn check_and_run_use_tokens_for_mailbox_and_reports() {
    let idp = provider();
    let Some(dc) = Dovecot::start_oauth(&idp.introspection_url()) else {
        return;
    };
    let Some(smtp) = SmtpServer::start_oauth(&idp.introspection_url()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zeitpost.toml");
    let secret = format!("{{ env = {SECRET_ENV:?} }}");
    let text = format!(
        "[state]\npath = {state:?}\n\n\
         [source]\nkind = \"imap\"\nhost = \"127.0.0.1\"\nport = {imap}\ntls = \"none\"\n\
         username = \"{USER}\"\nauth = \"oauth2\"\npoll_interval = \"2s\"\n\n\
         [source.oauth2]\ntoken_url = {url:?}\nclient_id = {CLIENT_ID:?}\nclient_secret = {secret}\n\n\
         [report]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\n\
         username = \"{USER}\"\nauth = \"oauth2\"\nfrom = \"Zeiterfassung <zeiten@example.com>\"\n\
         to = [\"personal@hr.example.com\"]\n\n\
         [report.oauth2]\ntoken_url = {url:?}\nclient_id = {CLIENT_ID:?}\nclient_secret = {secret}\n\n\
         [senders]\nallow = [\"terminal@example.com\"]\n",
        state = dir.path().join("state/zeitpost.db"),
        imap = dc.port,
        url = idp.token_url(),
        port = smtp.port,
    );
    std::fs::write(&config, text).unwrap();

    let out = run(&config, CLIENT_SECRET, &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("ok     mailbox: IMAP 127.0.0.1"),
        "{stdout}"
    );
    assert!(stdout.contains("ok     reports: SMTP"), "{stdout}");

    dc.append(
        USER,
        "INBOX",
        &export_mail("oauth-1", TERMINAL, &[Rec::nth(0, false)]),
    );
    let out = run(&config, CLIENT_SECRET, &["run", "--once"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{log}");
    let got = smtp.wait_for(1, TIMEOUT);
    assert!(
        got.iter().all(|r| r.login.as_deref() == Some(USER)),
        "{got:?}"
    );
    assert_eq!(dc.messages("Processed").len(), 1, "{log}");
    assert!(log.len() > 1000, "trace logging is on");
    let mut secrets = idp.tokens();
    secrets.push(CLIENT_SECRET.into());
    assert!(secrets.len() >= 3, "tokens were issued");
    for s in &secrets {
        let leaks: Vec<&str> = log.lines().filter(|l| l.contains(s.as_str())).collect();
        assert!(leaks.is_empty(), "{s:?} in the log: {leaks:#?}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(s.as_str()));
    }

    let out = run(&config, "not-the-secret", &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for part in [
        "FAILED mailbox",
        "invalid_client",
        "source.oauth2.token_url",
        "IMAP.AccessAsApp",
        "FAILED reports",
        "report.oauth2",
        "SMTP.SendAsApp",
    ] {
        assert!(stdout.contains(part), "{part:?} missing:\n{stdout}");
    }
    assert!(!stdout.contains("not-the-secret"), "{stdout}");
}
