//! From a mail's arrival to its periods in Personio, through the whole daemon.
//!
//! A real Dovecot, a real SMTP server and the Personio simulator, with `zeitpost run` as
//! it runs in production. Three figures:
//!
//! * latency with IMAP IDLE: mails delivered one at a time, each timed from the moment
//!   its delivery to Dovecot starts until all its periods are in the simulator;
//! * the same with polling: Dovecot announces no IDLE (`imap_capability` without it), so
//!   the daemon only looks every `poll_interval` (10 s); each mail arrives at a random
//!   moment of the interval;
//! * throughput: a backlog of 200 waiting mails, one `run --once`, in mails per minute.
//!
//! Dovecot holds change notifications back for half a second before it tells an idling
//! client (its `mailbox-watch.c`), so about 500 ms of the IDLE latency is the server's.
//!
//! `cargo bench --bench mail`. Without `--bench` (as `cargo test --all-targets` runs it)
//! a few mails each, as a smoke test.

#[path = "../tests/integration/daemon.rs"]
#[allow(dead_code, unused_imports)]
mod daemon;
#[path = "../tests/integration/dovecot.rs"]
#[allow(dead_code)]
mod dovecot;
#[path = "../tests/integration/smtp_server.rs"]
#[allow(dead_code)]
mod smtp_server;

/// The part of the integration tests' `util` the modules above use.
mod util {
    use std::path::PathBuf;
    use std::process::Command;

    pub fn sample(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(rel)
    }

    pub fn zeitpost() -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zeitpost"));
        cmd.env_remove("ZEITPOST_CONFIG").env_remove("RUST_LOG");
        cmd
    }

    pub fn server_missing(what: &str) {
        eprintln!("note: {what} missing; benchmark skipped");
    }
}

use std::time::{Duration, Instant};

use daemon::{Rec, Setup, Stack, TERMINAL, export_mail, spawn_daemon};

/// Dovecot 2.3's capabilities after login, without IDLE.
const NO_IDLE: &str = "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT \
    SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL \
    CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC \
    ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY \
    PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE\n";

/// Enough log to see which way the daemon waits.
const LOG: &str = "zeitpost=info,zeitpost::source=debug";

const GUARD: Duration = Duration::from_secs(120);

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (mails, poll, backlog) = if full {
        (20, "10s", 200)
    } else {
        (2, "2s", 10)
    };
    println!(
        "zeitpost run, mail to Personio ({}):",
        if full { "full" } else { "smoke" }
    );
    let Some(idle) = latency(
        Setup {
            poll: "10m",
            log: LOG,
            ..Setup::default()
        },
        mails,
        None,
    ) else {
        return;
    };
    report(&format!("IDLE, {mails} mails"), &idle);
    let Some(polled) = latency(
        Setup {
            poll,
            dovecot: NO_IDLE.into(),
            log: LOG,
            ..Setup::default()
        },
        mails,
        Some(seconds(poll)),
    ) else {
        return;
    };
    report(&format!("polling every {poll}, {mails} mails"), &polled);
    throughput(backlog);
}

fn seconds(poll: &str) -> Duration {
    Duration::from_secs(poll.trim_end_matches('s').parse().unwrap())
}

struct Sample {
    /// Delivery start to all periods in Personio.
    latency: Duration,
    /// Of that, the delivery itself (`doveadm save`).
    delivery: Duration,
}

/// Delivers `n` mails one at a time to a running daemon. With `poll`, each mail waits a
/// random part of the interval after the previous cycle, so arrivals fall anywhere in it.
fn latency(setup: Setup, n: usize, poll: Option<Duration>) -> Option<Vec<Sample>> {
    let stack = spawn_daemon(setup)?;
    let mut running = stack.start();
    running.wait_for_cycles(1, GUARD);
    assert_idle_use(&running, poll.is_none());
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        match poll {
            Some(p) => std::thread::sleep(p.mul_f64(rand::random::<f64>())),
            None => std::thread::sleep(Duration::from_millis(100)),
        }
        let rec = [Rec::nth(i, true)];
        let raw = export_mail(&format!("latency-{i:03}"), TERMINAL, &rec);
        let started = Instant::now();
        stack.deliver(&raw);
        let delivery = started.elapsed();
        while !stack.all_in_personio(&rec) {
            assert!(started.elapsed() < GUARD, "mail {i} not imported");
            std::thread::sleep(Duration::from_micros(500));
        }
        samples.push(Sample {
            latency: started.elapsed(),
            delivery,
        });
        // Let the cycle end (moved, answered) before the next mail.
        stack.smtp.wait_for(i + 1, GUARD);
    }
    let status = running.terminate();
    assert_eq!(status.code(), Some(0));
    stack.assert_exactly(&(0..n).map(|i| Rec::nth(i, true)).collect::<Vec<_>>());
    Some(samples)
}

/// Checks that the daemon waits the way the run means to measure.
fn assert_idle_use(running: &daemon::Running, idle: bool) {
    let log = running.log();
    let line = log
        .lines()
        .find(|l| l.contains("IMAP connected"))
        .unwrap_or_else(|| panic!("no connect line in the log:\n{log}"));
    assert!(
        line.contains(if idle { "idle: true" } else { "idle: false" }),
        "{line}"
    );
}

fn report(what: &str, samples: &[Sample]) {
    let mut latency: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
    let mut delivery: Vec<Duration> = samples.iter().map(|s| s.delivery).collect();
    latency.sort();
    delivery.sort();
    println!(
        "  {what:<32} median {:>8.1} ms   worst {:>8.1} ms   (delivery alone: median {:.1} ms)",
        ms(median(&latency)),
        ms(*latency.last().unwrap()),
        ms(median(&delivery)),
    );
}

fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A backlog of `n` mails, one record each, taken by one `run --once`.
fn throughput(n: usize) {
    let Some(stack) = spawn_daemon(Setup::default()) else {
        return;
    };
    let records: Vec<Rec> = (0..n).map(|i| Rec::nth(i, false)).collect();
    let delivering = Instant::now();
    for (i, r) in records.iter().enumerate() {
        stack.deliver(&export_mail(
            &format!("backlog-{i:03}"),
            TERMINAL,
            std::slice::from_ref(r),
        ));
    }
    let delivered = delivering.elapsed();
    let started = Instant::now();
    let out = stack.run_once();
    let took = started.elapsed();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    check_backlog(&stack, &records);
    println!(
        "  backlog of {n} mails, one run --once: {:.1} s, {:.0} mails/min \
         (incl. {n} reports sent; delivering them took {:.1} s)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64() * 60.0,
        delivered.as_secs_f64()
    );
}

fn check_backlog(stack: &Stack, records: &[Rec]) {
    stack.assert_exactly(records);
    assert!(stack.folder("INBOX").is_empty());
    assert_eq!(stack.folder("Processed").len(), records.len());
    assert_eq!(stack.reports().len(), records.len());
}
