//! The systemd unit is locked down: `systemd-analyze security` rates its exposure 1.5 or less.

use std::process::Command;

use crate::util::{root, server_missing};

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
    let example = std::fs::read_to_string(root().join("config/example.toml")).unwrap();
    let config = base.join("zeitpost.toml");
    std::fs::write(
        &config,
        example
            .replace("target/demo", &base.display().to_string())
            .replace("poll_interval = \"60s\"", "poll_interval = \"1s\""),
    )
    .unwrap();
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
