//! Report e-mails end to end: composed, then delivered to a real SMTP server or an outbox,
//! and read back the way a mail client would.

use std::time::{Duration, Instant};

use mailparse::{MailHeaderMap, ParsedMail, parse_mail};
use zeitpost::config::{ReportConfig, ReportKind, Secret, TlsMode};
use zeitpost::lang::Lang;
use zeitpost::records::Rejection;
use zeitpost::report::mail::{ComposedReport, LOOP_HEADER, ReportContext, compose};
use zeitpost::report::smtp::{ReportError, Sender};
use zeitpost::report::{FileReport, RowReport, RowStatus};
use zeitpost::target::Outcome;

use crate::smtp_server::{ServerTls, SmtpServer};

const TIMEOUT: Duration = Duration::from_secs(5);

fn files() -> Vec<FileReport> {
    let row = |row: &str, status: RowStatus, cells: &[&str]| RowReport {
        row: row.into(),
        employee: Some("anna.muster@example.com".into()),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2),
        status,
        cells: cells.iter().map(|c| c.to_string()).collect(),
    };
    vec![FileReport {
        name: "Stunden November.csv".into(),
        seen_before: None,
        header: None,
        error: None,
        rows: vec![
            row(
                "2",
                RowStatus::Target(Outcome::Written {
                    periods: 3,
                    changed_others: vec![],
                }),
                &[],
            ),
            row(
                "3",
                RowStatus::Rejected(Rejection::MissingEnd),
                &["anna.muster@example.com", "02.11.2026", "08:00", "", "=1+1"],
            ),
        ],
    }]
}

fn report(to: &[&str]) -> ComposedReport {
    let ctx = ReportContext {
        from: "Zeiterfassung <zeiten@example.com>",
        to: to.iter().map(|t| t.to_string()).collect(),
        original_message_id: Some("export-42@terminal.example.com"),
        original_references: None,
        original_subject: Some("Export KW 45"),
        lang: Lang::De,
        notice: None,
    };
    compose(&ctx, &files()).expect("compose")
}

fn smtp_config(port: u16) -> ReportConfig {
    ReportConfig {
        kind: ReportKind::Smtp,
        host: Some("127.0.0.1".into()),
        port: Some(port),
        tls: Some(TlsMode::None),
        from: Some("Zeiterfassung <zeiten@example.com>".into()),
        ..ReportConfig::default()
    }
}

async fn send(sender: &Sender, r: &ComposedReport) -> Result<(), ReportError> {
    sender.send(&r.sender, &r.recipients, &r.message).await
}

fn csv_attachment(m: &ParsedMail) -> Option<String> {
    if m.ctype.mimetype == "text/csv" {
        return String::from_utf8(m.get_body_raw().ok()?).ok();
    }
    m.subparts.iter().find_map(csv_attachment)
}

#[tokio::test]
async fn report_arrives_over_smtp_with_envelope_thread_and_attachment() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let sender = Sender::from_config(&smtp_config(server.port), TIMEOUT).unwrap();
    let r = report(&["hr@example.com", "Stempeluhr <clock@example.com>"]);
    send(&sender, &r).await.unwrap();

    let got = server.wait_for(1, TIMEOUT);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].mail_from, "zeiten@example.com");
    assert_eq!(got[0].rcpt_to, ["hr@example.com", "clock@example.com"]);
    let m = parse_mail(&got[0].data).unwrap();
    let h = |name: &str| m.headers.get_first_value(name).unwrap_or_default();
    assert_eq!(
        h("Subject"),
        "Zeiterfassung: 1 importiert, 1 abgelehnt – Re: Export KW 45"
    );
    assert_eq!(h("In-Reply-To"), "<export-42@terminal.example.com>");
    assert_eq!(h("References"), "<export-42@terminal.example.com>");
    assert_eq!(h(LOOP_HEADER.0), LOOP_HEADER.1);
    assert_eq!(h("Auto-Submitted"), "auto-replied");
    let csv = csv_attachment(&m).expect("CSV attachment");
    assert!(csv.starts_with("\u{feff}Zeile;Grund;"), "{csv}");
    assert!(
        csv.contains(";anna.muster@example.com;02.11.2026;08:00;;'=1+1\r\n"),
        "{csv}"
    );
}

#[tokio::test]
async fn login_is_used_and_a_disabled_smtp_auth_is_explained() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let with_login = |user: &str| ReportConfig {
        username: Some(user.into()),
        password: Some(Secret::Literal("secret".into())),
        ..smtp_config(server.port)
    };
    let r = report(&["hr@example.com"]);

    let ok = Sender::from_config(&with_login("zeitpost"), TIMEOUT).unwrap();
    send(&ok, &r).await.unwrap();
    assert_eq!(
        server.wait_for(1, TIMEOUT)[0].login.as_deref(),
        Some("zeitpost")
    );

    let blocked = Sender::from_config(&with_login("blocked"), TIMEOUT).unwrap();
    let err = send(&blocked, &r).await.unwrap_err();
    assert!(matches!(err, ReportError::Auth { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("refused the login of blocked"), "{text}");
    assert!(text.contains("5.7.139"), "{text}");
    assert!(
        text.contains("SMTP AUTH disabled for the mailbox?"),
        "{text}"
    );
}

#[tokio::test]
async fn a_refused_recipient_is_named() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let sender = Sender::from_config(&smtp_config(server.port), TIMEOUT).unwrap();
    let r = report(&["hr@example.com", "unknown.person@example.com"]);
    let err = send(&sender, &r).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, ReportError::Recipient { recipient, .. } if recipient == "unknown.person@example.com"),
        "{err:?}"
    );
    assert!(text.contains("550"), "{text}");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn smtp_down_fails_fast_and_the_report_goes_out_once_it_is_back() {
    let Some(mut server) = SmtpServer::start() else {
        return;
    };
    let sender = Sender::from_config(&smtp_config(server.port), TIMEOUT).unwrap();
    let r = report(&["hr@example.com"]);
    server.stop();

    let started = Instant::now();
    let err = send(&sender, &r).await.unwrap_err();
    assert!(started.elapsed() < TIMEOUT + Duration::from_secs(1));
    assert!(matches!(err, ReportError::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "cannot connect to SMTP server 127.0.0.1:{}",
            server.port
        )),
        "{text}"
    );

    server.start_again();
    send(&sender, &r).await.unwrap();
    assert_eq!(server.wait_for(1, TIMEOUT).len(), 1);
}

#[tokio::test]
async fn implicit_tls_and_starttls_trust_the_configured_ca() {
    for (mode, tls) in [
        (ServerTls::Implicit, TlsMode::Implicit),
        (ServerTls::Starttls, TlsMode::Starttls),
    ] {
        let Some(server) = SmtpServer::start_tls(mode) else {
            return;
        };
        let cfg = ReportConfig {
            tls: Some(tls),
            tls_ca_file: Some(server.ca_file()),
            ..smtp_config(server.port)
        };
        let sender = Sender::from_config(&cfg, TIMEOUT).unwrap();
        send(&sender, &report(&["hr@example.com"])).await.unwrap();
        assert_eq!(server.wait_for(1, TIMEOUT).len(), 1, "{mode:?}");
    }
}

#[tokio::test]
async fn tls_failures_are_named_as_such() {
    let Some(server) = SmtpServer::start_tls(ServerTls::Implicit) else {
        return;
    };
    let r = report(&["hr@example.com"]);
    let untrusted = ReportConfig {
        tls: Some(TlsMode::Implicit),
        ..smtp_config(server.port)
    };
    let err = send(&Sender::from_config(&untrusted, TIMEOUT).unwrap(), &r)
        .await
        .unwrap_err();
    assert!(matches!(err, ReportError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("tls_ca_file"), "{err}");

    let Some(plain) = SmtpServer::start() else {
        return;
    };
    let no_starttls = ReportConfig {
        tls: Some(TlsMode::Starttls),
        ..smtp_config(plain.port)
    };
    let err = send(&Sender::from_config(&no_starttls, TIMEOUT).unwrap(), &r)
        .await
        .unwrap_err();
    assert!(matches!(err, ReportError::Tls { .. }), "{err:?}");
    assert!(plain.messages().is_empty());
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Accepts connections (the kernel does) but never greets.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let timeout = Duration::from_millis(500);
    let sender = Sender::from_config(&smtp_config(port), timeout).unwrap();
    let started = Instant::now();
    let err = send(&sender, &report(&["hr@example.com"]))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ReportError::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("did not finish within 0.5 s"),
        "{err}"
    );
}

#[tokio::test]
async fn the_outbox_holds_a_parseable_eml() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    let cfg = ReportConfig {
        kind: ReportKind::Outbox,
        dir: Some(out.clone()),
        ..ReportConfig::default()
    };
    let sender = Sender::from_config(&cfg, TIMEOUT).unwrap();
    let r = report(&["hr@example.com"]);
    send(&sender, &r).await.unwrap();
    send(&sender, &r).await.unwrap();

    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(name.ends_with(".eml") && !name.starts_with('.'), "{name}");
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(bytes, r.message);
        let m = parse_mail(&bytes).unwrap();
        assert_eq!(
            m.headers.get_first_value("To").as_deref(),
            Some("hr@example.com")
        );
        assert!(csv_attachment(&m).is_some());
    }
}
