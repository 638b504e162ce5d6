//! The IMAP source against a real Dovecot: the three transport modes, login, listing,
//! fetching without marking as read, moving finished mails, IDLE, and a server restart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use zeitpost::config::{Config, SourceConfig};
use zeitpost::source::imap::{Credential, ImapSource};
use zeitpost::source::{Destination, SourceError, Woken};

use crate::dovecot::{Dovecot, PASSWORD, USER};

const TIMEOUT: Duration = Duration::from_secs(20);

/// A `[source]` for the test server; `extra` adds or overrides keys.
fn source(host: &str, port: u16, tls: &str, extra: &str) -> SourceConfig {
    let text = format!(
        "[source]\nkind = \"imap\"\nhost = \"{host}\"\nport = {port}\ntls = \"{tls}\"\n\
         username = \"{USER}\"\npassword = \"{PASSWORD}\"\n{extra}\n"
    );
    Config::from_toml(&text, "test").unwrap().source.unwrap()
}

fn plain(dc: &Dovecot) -> SourceConfig {
    source("127.0.0.1", dc.port, "none", "")
}

fn with_ca(dc: &Dovecot) -> String {
    format!("tls_ca_file = \"{}\"", dc.ca_file().display())
}

async fn connect(cfg: &SourceConfig) -> Result<ImapSource, SourceError> {
    let password = cfg.password.as_ref().unwrap().resolve().unwrap();
    ImapSource::connect(cfg, Credential::Password(&password), TIMEOUT).await
}

fn mail(subject: &str) -> Vec<u8> {
    format!(
        "From: Stempeluhr <uhr@example.com>\r\nTo: zeiten@example.com\r\n\
         Subject: {subject}\r\nMessage-ID: <{subject}@example.com>\r\n\r\n\
         Export {subject}\r\nPersonalnummer;Kommen;Gehen\r\n"
    )
    .into_bytes()
}

/// Dovecot stores lines with LF only.
fn stored(raw: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(raw)
        .replace("\r\n", "\n")
        .into_bytes()
}

#[tokio::test]
async fn list_fetch_finish_over_plain_loopback() {
    let Some(dc) = Dovecot::start() else { return };
    let (first, second) = (mail("first"), mail("second"));
    dc.append(USER, "INBOX", &first);
    dc.append(USER, "INBOX", &second);

    let mut imap = connect(&plain(&dc)).await.unwrap();
    assert_eq!(imap.mailbox(), "INBOX");
    let keys = imap.list().await.unwrap();
    assert_eq!(keys.len(), 2);
    let uids: Vec<u32> = keys
        .iter()
        .map(|k| {
            let (validity, uid) = k.id.split_once(':').unwrap();
            assert!(validity.parse::<u32>().unwrap() > 0);
            uid.parse().unwrap()
        })
        .collect();
    assert!(uids[0] < uids[1], "oldest first: {uids:?}");
    assert!(keys.iter().all(|k| k.mailbox == "INBOX"));

    assert_eq!(imap.fetch(&keys[0]).await.unwrap(), first);
    assert_eq!(imap.fetch(&keys[1]).await.unwrap(), second);
    // PEEK: reading is not opening.
    assert_eq!(dc.flags("INBOX"), ["", ""]);

    imap.finish(&keys[0], Destination::Processed).await.unwrap();
    assert_eq!(dc.messages("Processed"), [stored(&first)]);
    assert!(!dc.flags("Processed")[0].contains('S'));
    assert_eq!(dc.messages("INBOX"), [stored(&second)]);
    assert_eq!(imap.list().await.unwrap(), [keys[1].clone()]);
    assert!(matches!(
        imap.fetch(&keys[0]).await,
        Err(SourceError::Gone(_))
    ));

    let mut stale = keys[1].clone();
    stale.id = format!("1{}", stale.id);
    assert!(matches!(
        imap.fetch(&stale).await,
        Err(SourceError::Gone(_))
    ));
    assert!(!imap.is_broken());
    imap.logout().await;
}

#[tokio::test]
async fn implicit_tls_trusts_the_configured_ca_only() {
    let Some(dc) = Dovecot::start() else { return };
    dc.append(USER, "INBOX", &mail("tls"));

    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("company-ca.pem");
    std::fs::write(&bundle, &dc.ca_pem).unwrap();
    let ca = format!("tls_ca_file = \"{}\"", bundle.display());
    let cfg = source("localhost", dc.tls_port, "implicit", &ca);
    let mut imap = connect(&cfg).await.unwrap();
    assert_eq!(imap.list().await.unwrap().len(), 1);
    imap.logout().await;

    let cfg = source("localhost", dc.tls_port, "implicit", "");
    match connect(&cfg).await {
        Err(e @ SourceError::Connect(_)) => {
            assert!(e.to_string().contains("certificate"), "{e}");
        }
        other => panic!("expected a certificate error, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn starttls() {
    let Some(dc) = Dovecot::start() else { return };
    dc.append(USER, "INBOX", &mail("starttls"));
    let cfg = source("127.0.0.1", dc.port, "starttls", &with_ca(&dc));
    let mut imap = connect(&cfg).await.unwrap();
    let keys = imap.list().await.unwrap();
    assert_eq!(imap.fetch(&keys[0]).await.unwrap(), mail("starttls"));
    imap.logout().await;
}

#[tokio::test]
async fn wrong_password_is_a_login_error() {
    let Some(dc) = Dovecot::start() else { return };
    let mut cfg = plain(&dc);
    cfg.password = Some(zeitpost::config::Secret::Literal("falsch".into()));
    match connect(&cfg).await {
        Err(e @ SourceError::Login(_)) => assert!(!e.breaks_connection()),
        other => panic!("expected a login error, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn plain_text_to_a_remote_host_is_refused() {
    // 192.0.2.0/24 is reserved for documentation; nothing is sent there.
    let cfg = source("192.0.2.10", 143, "none", "");
    match connect(&cfg).await {
        Err(SourceError::Connect(message)) => assert!(message.contains("loopback"), "{message}"),
        other => panic!("expected a refusal, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn idle_wakes_on_new_mail_and_on_shutdown() {
    let Some(dc) = Dovecot::start() else { return };
    let dc = Arc::new(dc);
    let mut imap = connect(&plain(&dc)).await.unwrap();
    assert!(imap.list().await.unwrap().is_empty());
    let (tx, mut rx) = watch::channel(false);

    let wait = imap.wait(Duration::from_millis(500), &mut rx).await;
    assert_eq!(wait.unwrap(), Woken::Timeout);

    let delivery = {
        let dc = dc.clone();
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(300));
            dc.append(USER, "INBOX", &mail("idle"));
        })
    };
    let started = Instant::now();
    let woken = tokio::time::timeout(
        Duration::from_secs(10),
        imap.wait(Duration::from_secs(120), &mut rx),
    )
    .await
    .expect("IDLE did not wake within 10 s");
    assert_eq!(woken.unwrap(), Woken::News);
    assert!(started.elapsed() < Duration::from_secs(10));
    delivery.await.unwrap();
    assert_eq!(imap.list().await.unwrap().len(), 1);

    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.send(true).unwrap();
        tx
    });
    let woken = tokio::time::timeout(
        Duration::from_secs(10),
        imap.wait(Duration::from_secs(120), &mut rx),
    )
    .await
    .expect("shutdown did not end IDLE");
    assert_eq!(woken.unwrap(), Woken::Shutdown);
    let _tx = stopper.await.unwrap();
    // DONE handed the session back in working order.
    assert_eq!(imap.list().await.unwrap().len(), 1);
    imap.logout().await;
}

#[tokio::test]
async fn finishing_as_failed_creates_the_folder() {
    let Some(dc) = Dovecot::start() else { return };
    dc.append(USER, "INBOX", &mail("kaputt"));
    let on_disk = "Fehler Gepr&APw-ft";
    assert!(!dc.has_folder(on_disk));

    let cfg = source(
        "127.0.0.1",
        dc.port,
        "none",
        "failed_folder = \"Fehler Geprüft\"",
    );
    let mut imap = connect(&cfg).await.unwrap();
    assert!(dc.has_folder(on_disk), "connect creates the folder");
    assert!(dc.has_folder("Processed"));

    // Someone removes it while the daemon runs: finishing creates it again.
    dc.doveadm_ok(&["mailbox", "delete", "-u", USER, "Fehler Geprüft"]);
    assert!(!dc.has_folder(on_disk));
    let keys = imap.list().await.unwrap();
    imap.finish(&keys[0], Destination::Failed).await.unwrap();
    assert_eq!(dc.messages(on_disk), [stored(&mail("kaputt"))]);
    assert!(dc.messages("INBOX").is_empty());
    assert!(imap.list().await.unwrap().is_empty());
    imap.logout().await;
}

#[tokio::test]
async fn a_restart_breaks_the_session_and_loses_nothing() {
    let Some(dc) = Dovecot::start() else { return };
    let dc = Arc::new(dc);
    dc.append(USER, "INBOX", &mail("bleibt"));
    let mut imap = connect(&plain(&dc)).await.unwrap();
    let keys = imap.list().await.unwrap();
    assert_eq!(keys.len(), 1);
    let mut idler = connect(&plain(&dc)).await.unwrap();
    idler.list().await.unwrap();

    let restart = {
        let dc = dc.clone();
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(300));
            dc.restart();
        })
    };
    let (_tx, mut rx) = watch::channel(false);
    let waited = tokio::time::timeout(
        Duration::from_secs(10),
        idler.wait(Duration::from_secs(120), &mut rx),
    )
    .await
    .expect("IDLE on a dropped connection did not end");
    let err = waited.unwrap_err();
    assert!(err.breaks_connection(), "{err}");
    assert!(idler.is_broken());
    restart.await.unwrap();

    let err = imap.list().await.unwrap_err();
    assert!(err.breaks_connection(), "{err}");
    assert!(imap.is_broken());
    assert!(
        imap.fetch(&keys[0]).await.is_err(),
        "a broken source fails fast"
    );

    let mut fresh = connect(&plain(&dc)).await.unwrap();
    assert_eq!(fresh.list().await.unwrap(), keys);
    assert_eq!(fresh.fetch(&keys[0]).await.unwrap(), mail("bleibt"));
    fresh.logout().await;
}

/// Servers without MOVE get COPY, \Deleted and EXPUNGE (UID EXPUNGE with UIDPLUS);
/// servers without IDLE get a sleep.
#[tokio::test]
async fn servers_without_move_or_idle() {
    for caps in ["IMAP4rev1 LITERAL+ UIDPLUS", "IMAP4rev1 LITERAL+"] {
        let Some(dc) = Dovecot::start_with(&format!("imap_capability = {caps}\n")) else {
            return;
        };
        let (done, kept) = (mail("copied"), mail("kept"));
        dc.append(USER, "INBOX", &done);
        dc.append(USER, "INBOX", &kept);
        let mut imap = connect(&plain(&dc)).await.unwrap();
        let keys = imap.list().await.unwrap();
        imap.finish(&keys[0], Destination::Processed).await.unwrap();
        assert_eq!(dc.messages("Processed"), [stored(&done)], "{caps}");
        assert_eq!(dc.messages("INBOX"), [stored(&kept)], "{caps}");
        assert_eq!(imap.list().await.unwrap(), [keys[1].clone()], "{caps}");

        let (tx, mut rx) = watch::channel(false);
        let started = Instant::now();
        let wait = imap.wait(Duration::from_millis(300), &mut rx).await;
        assert_eq!(wait.unwrap(), Woken::Timeout);
        assert!(started.elapsed() >= Duration::from_millis(300));
        tx.send(true).unwrap();
        let wait = imap.wait(Duration::from_secs(60), &mut rx).await;
        assert_eq!(wait.unwrap(), Woken::Shutdown);
        imap.logout().await;
    }
}

/// LOGINDISABLED (here only announced; Dovecot would still take LOGIN) means
/// AUTHENTICATE PLAIN.
#[tokio::test]
async fn login_disabled_means_authenticate_plain() {
    let conf = "imap_capability = IMAP4rev1 LITERAL+ LOGINDISABLED IDLE MOVE UIDPLUS\n";
    let Some(dc) = Dovecot::start_with(conf) else {
        return;
    };
    dc.append(USER, "INBOX", &mail("plain"));
    let mut imap = connect(&plain(&dc)).await.unwrap();
    assert_eq!(imap.list().await.unwrap().len(), 1);
    imap.logout().await;
}
