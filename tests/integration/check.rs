//! `zeitpost check` against the real Dovecot and SMTP server and the Personio simulator,
//! with one failure of each kind.

use std::process::Output;

use crate::daemon::{SECRET, SECRET_ENV, Setup, Stack, spawn_daemon};
use crate::util::zeitpost;

fn check(stack: &Stack) -> (Option<i32>, String) {
    let out: Output = zeitpost()
        .env(SECRET_ENV, SECRET)
        .arg("--config")
        .arg(&stack.config)
        .arg("check")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn edit(stack: &Stack, from: &str, to: &str) {
    let text = std::fs::read_to_string(&stack.config).unwrap();
    assert!(text.contains(from), "{from} not in the config");
    std::fs::write(&stack.config, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn every_service_is_checked_and_each_failure_gets_a_hint() {
    let Some(mut stack) = spawn_daemon(Setup::default()) else {
        return;
    };
    let (code, text) = check(&stack);
    assert_eq!(code, Some(0), "{text}");
    for line in [
        "ok     config",
        "ok     state database",
        "ok     mailbox: IMAP 127.0.0.1",
        "ok     reports: SMTP",
        "ok     Personio",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }

    // Personio credentials without the attendance scope: 403.
    stack
        .sim
        .set_config(|c| c.scopes.retain(|s| s != "personio:attendances:read"));
    let (code, text) = check(&stack);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("FAILED Personio") && text.contains("personio:attendances:read"),
        "{text}"
    );
    stack
        .sim
        .set_config(|c| c.scopes.push("personio:attendances:read".into()));

    // SMTP down.
    stack.smtp.stop();
    let (code, text) = check(&stack);
    assert_eq!(code, Some(1));
    assert!(text.contains("FAILED reports"), "{text}");
    assert!(
        text.contains("ok     mailbox"),
        "the other checks still run:\n{text}"
    );
    stack.smtp.start_again();

    // A folder that does not exist.
    edit(
        &stack,
        "poll_interval",
        "folder = \"Nirgendwo\"\npoll_interval",
    );
    let (code, text) = check(&stack);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("FAILED mailbox") && text.contains("source.folder"),
        "{text}"
    );
    edit(&stack, "folder = \"Nirgendwo\"\n", "");

    // A wrong password.
    let text = std::fs::read_to_string(&stack.config).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("password = "))
        .unwrap()
        .to_string();
    edit(&stack, &line, "password = \"falsch\"");
    let (code, text) = check(&stack);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("FAILED mailbox") && text.contains("app password"),
        "{text}"
    );

    // Implicit TLS to a server whose certificate comes from a CA zeitpost does not know.
    edit(
        &stack,
        "tls = \"none\"\nusername",
        "tls = \"implicit\"\nusername",
    );
    edit(
        &stack,
        &format!("port = {}\n", stack.dc.port),
        &format!("port = {}\n", stack.dc.tls_port),
    );
    let (code, text) = check(&stack);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("FAILED mailbox") && text.contains("tls_ca_file"),
        "{text}"
    );

    // SMTP AUTH refused as Microsoft 365 does when it is disabled for the mailbox.
    let cfg = std::fs::read_to_string(&stack.config).unwrap();
    std::fs::write(
        &stack.config,
        cfg.replacen(
            "tls = \"none\"\nfrom",
            "tls = \"none\"\nusername = \"blocked\"\npassword = \"x\"\nfrom",
            1,
        ),
    )
    .unwrap();
    let (code, text) = check(&stack);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("FAILED reports") && text.contains("SMTP AUTH disabled"),
        "{text}"
    );

    // An invalid config is a usage error, before any connection.
    edit(&stack, "[senders]", "[senders]\nunknown_key = 1");
    let (code, _) = check(&stack);
    assert_eq!(code, Some(2));
}
