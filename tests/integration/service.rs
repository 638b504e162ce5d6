//! The systemd unit is locked down: `systemd-analyze security` rates its exposure 1.5 or less.

use std::process::Command;

use crate::util::{example_config, root, server_missing};

#[test]
fn the_unit_exposure_is_at_most_one_and_a_half() {
    let Ok(out) = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(root().join("systemd/zeitpost.service"))
        .output()
    else {
        return server_missing("systemd-analyze (package systemd)");
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let level: f64 = text
        .lines()
        .find_map(|l| l.split("exposure level for zeitpost.service:").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{text}"));
    assert!(level <= 1.5, "exposure {level}:\n{text}");
}

/// `zeitpost run` tells systemd it is ready, feeds the watchdog after each cycle with a
/// status line, and says it is stopping on SIGTERM.
#[test]
fn the_daemon_talks_to_systemd_in_order() {
    use std::os::unix::net::UnixDatagram;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    std::fs::create_dir_all(base.join("maildir/new")).unwrap();
    std::fs::copy(
        root().join("samples/mail/01-terminal-export.eml"),
        base.join("maildir/new/1.demo"),
    )
    .unwrap();
    let (config, _) = example_config(base, "1s", "");
    let socket_path = base.join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut child = crate::util::zeitpost()
        .env("NOTIFY_SOCKET", &socket_path)
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline
        && seen
            .iter()
            .filter(|m: &&String| m.contains("WATCHDOG=1"))
            .count()
            < 2
    {
        let n = socket.recv(&mut buf).expect("a message from the daemon");
        seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let n = socket.recv(&mut buf).expect("STOPPING");
    seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(seen[0].contains("READY=1"), "{seen:?}");
    let first_watchdog = seen
        .iter()
        .position(|m| m.contains("WATCHDOG=1"))
        .expect("watchdog fed");
    assert!(
        seen[first_watchdog].contains("STATUS=idle; last cycle"),
        "{seen:?}"
    );
    assert!(
        seen[first_watchdog].contains("1 mails, 4 imported"),
        "{seen:?}"
    );
    assert!(seen.last().unwrap().contains("STOPPING=1"), "{seen:?}");
}

/// SIGHUP re-reads the config; a broken new config leaves the old one running.
#[test]
fn sighup_reloads_and_a_bad_config_keeps_the_old_one() {
    use std::os::unix::net::UnixDatagram;
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    std::fs::create_dir_all(base.join("maildir/new")).unwrap();
    let (config, good) = example_config(base, "1s", "");
    let socket_path = base.join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let log = base.join("log");
    let mut child = crate::util::zeitpost()
        .env("NOTIFY_SOCKET", &socket_path)
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut buf = [0u8; 4096];
    let mut next = || {
        let n = socket.recv(&mut buf).expect("a message from the daemon");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let mut until = |what: &str| loop {
        let m = next();
        if m.contains(what) {
            return m;
        }
    };
    until("WATCHDOG=1");
    let hup = || {
        Command::new("kill")
            .arg("-HUP")
            .arg(child.id().to_string())
            .status()
            .unwrap()
    };

    std::fs::write(
        &config,
        good.replace("[senders]", "[senders]\nnot_a_key = 1"),
    )
    .unwrap();
    hup();
    let reloading = until("RELOADING=1");
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    until("READY=1");
    until("WATCHDOG=1");
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("not valid; going on with the old one")
    );

    std::fs::write(&config, &good).unwrap();
    hup();
    until("RELOADING=1");
    until("READY=1");
    until("WATCHDOG=1");
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("config reloaded")
    );

    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    until("STOPPING=1");
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// No configured secret ever reaches a log line, even at the most verbose level and even
/// when the protocol crates are asked for everything.
#[test]
fn no_secret_appears_in_the_logs_of_a_full_run() {
    use crate::daemon::{Rec, SECRET, Setup, TERMINAL, export_mail, spawn_daemon};
    use crate::dovecot::PASSWORD;

    for (n, log) in ["trace", "trace,async_imap=trace,lettre=trace,reqwest=trace"]
        .into_iter()
        .enumerate()
    {
        let Some(stack) = spawn_daemon(Setup {
            log,
            ..Setup::default()
        }) else {
            return;
        };
        stack.deliver(&export_mail(
            &format!("secrets-{n}"),
            TERMINAL,
            &[Rec::nth(n, true)],
        ));
        let out = stack.run_once();
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(out.stderr.len() > 1000, "trace logging is on");
        assert!(stack.sim.periods().len() >= 3, "the run did its work");
        for secret in [SECRET, PASSWORD] {
            let leaks: Vec<&str> = out.stderr.lines().filter(|l| l.contains(secret)).collect();
            assert!(
                leaks.is_empty(),
                "{secret:?} found in the log with {log}: {leaks:#?}"
            );
            assert!(
                !out.stdout.contains(secret),
                "{secret:?} found in the output"
            );
        }
    }
}

/// While the daemon runs, `status` reads the state database and `/metrics` answers.
#[test]
fn status_and_metrics_answer_during_a_run() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    std::fs::create_dir_all(base.join("maildir/new")).unwrap();
    std::fs::copy(
        root().join("samples/mail/01-terminal-export.eml"),
        base.join("maildir/new/1.demo"),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (config, _) = example_config(
        base,
        "1s",
        &format!("\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n"),
    );
    let mut child = crate::util::zeitpost()
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let get = || -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).ok()?;
        Some(text)
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let metrics = loop {
        match get() {
            Some(t) if t.contains("zeitpost_records_total{outcome=\"imported\"} 4") => break t,
            _ if Instant::now() > deadline => panic!("no metrics after a cycle: {:?}", get()),
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(
        metrics.contains("zeitpost_mails_total{result=\"processed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("zeitpost_last_success_timestamp_seconds"),
        "{metrics}"
    );

    let status = crate::util::zeitpost()
        .arg("--config")
        .arg(&config)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    let s: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(s["mails_processed"], 1);
    assert_eq!(s["records_outbox"], 4);
    assert!(s["last_cycle"]["finished_at"].is_string());

    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// The daemon's log level comes from `[logging] level`, and `RUST_LOG` wins over it.
#[test]
fn the_log_level_comes_from_the_config_unless_rust_log_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    std::fs::create_dir_all(base.join("maildir/new")).unwrap();
    let run = |level: &str, rust_log: Option<&str>| {
        let (config, _) = example_config(base, "1s", &format!("\n[logging]\nlevel = {level:?}\n"));
        let mut cmd = crate::util::zeitpost();
        if let Some(r) = rust_log {
            cmd.env("RUST_LOG", r);
        }
        let out = cmd
            .arg("--config")
            .arg(&config)
            .args(["run", "--once"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run("info", None).contains("cycle done"));
    assert!(!run("error", None).contains("cycle done"));
    assert!(run("error", Some("zeitpost=info")).contains("cycle done"));
}
