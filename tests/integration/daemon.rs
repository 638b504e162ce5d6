//! `zeitpost run` end to end: a real Dovecot as the mailbox, a real SMTP server taking
//! the reports and the Personio simulator, with the binary driven the way systemd and an
//! operator drive it (`run --once`, `run` in the background, SIGTERM, SIGKILL).
//!
//! Every case checks end states only: periods in the simulator, mails in the Dovecot
//! folders, messages the SMTP server accepted, exit codes. Waits are hang guards, never
//! timing assertions. The harness at the top is also used by `benches/mail.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use mailparse::{MailHeaderMap, ParsedMail};
use zeitpost_sim::personio::{Fault, Period, PeriodType, PersonioConfig, PersonioSim, Route};

use crate::dovecot::{Dovecot, PASSWORD, USER};
use crate::smtp_server::{Received, SmtpServer};
use crate::util::{sample, zeitpost};

/// The variable the config names for the Personio client secret.
pub const SECRET_ENV: &str = "ZP_TEST_DAEMON_PERSONIO_SECRET";
pub const SECRET: &str = "s3cr3t-value-for-daemon-tests";
const CLIENT_ID: &str = "zeitpost-daemon-test";

/// The sample staff, as Personio knows them.
pub const STAFF: [(&str, &str, &str); 7] = [
    ("anna.muster@example.com", "Anna", "Muster"),
    ("ben.beispiel@example.com", "Ben", "Beispiel"),
    ("carla.cortez@example.com", "Carla", "Cortez"),
    ("carla.schmidt@example.com", "Carla", "Schmidt"),
    ("david.yilmaz@example.com", "David", "Yilmaz"),
    ("emil.wagner@example.com", "Emil", "Wagner"),
    ("frieda.koenig@example.com", "Frieda", "König"),
];

/// Where reports go besides the sender.
pub const HR: &str = "personal@hr.example.com";

/// How one `run --once` (or one background run) may take at most before the test says
/// it hangs.
const RUN_GUARD: Duration = Duration::from_secs(120);
/// How long an event (a mail imported, a report sent) may take to show.
const EVENT_GUARD: Duration = Duration::from_secs(30);

/// What to set up besides the defaults.
#[derive(Debug, Clone)]
pub struct Setup {
    /// `source.poll_interval`.
    pub poll: &'static str,
    /// Lines appended to the Dovecot config.
    pub dovecot: String,
    /// TOML sections appended to the zeitpost config.
    pub extra: String,
    /// `RUST_LOG` of the daemon; its log goes to a file per run.
    pub log: &'static str,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            poll: "2s",
            dovecot: String::new(),
            extra: String::new(),
            log: "zeitpost=info",
        }
    }
}

/// Dovecot, aiosmtpd, the Personio simulator and a config joining them.
pub struct Stack {
    pub dc: Dovecot,
    pub smtp: SmtpServer,
    pub sim: PersonioSim,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    log: &'static str,
    runs: std::cell::Cell<u32>,
}

/// Starts every server and writes the config; `None` (the test skips) when Dovecot or
/// aiosmtpd is not installed.
pub fn spawn_daemon(setup: Setup) -> Option<Stack> {
    let dc = Dovecot::start_with(&setup.dovecot)?;
    let smtp = SmtpServer::start()?;
    let sim = PersonioSim::start(PersonioConfig {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        ..PersonioConfig::default()
    });
    for (email, first, last) in STAFF {
        sim.add_person(email, first, last);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zeitpost.toml");
    let toml = format!(
        r#"[state]
path = {state:?}

[source]
kind = "imap"
host = "127.0.0.1"
port = {imap}
tls = "none"
username = {user:?}
password = {password:?}
poll_interval = {poll:?}

[personio]
base_url = {url:?}
client_id = {CLIENT_ID:?}
client_secret = {{ env = {SECRET_ENV:?} }}
max_rps = 1000
timeout = "5s"

[report]
kind = "smtp"
host = "127.0.0.1"
port = {smtp}
tls = "none"
from = "Zeiterfassung <zeiten@example.com>"
to = [{HR:?}]

[senders]
allow = ["terminal@example.com", "*@hr.example.com"]

{extra}
"#,
        state = dir.path().join("state/zeitpost.db"),
        imap = dc.port,
        user = USER,
        password = PASSWORD,
        poll = setup.poll,
        url = sim.base_url(),
        smtp = smtp.port,
        extra = setup.extra,
    );
    std::fs::write(&config, toml).unwrap();
    Some(Stack {
        dc,
        smtp,
        sim,
        dir,
        config,
        log: setup.log,
        runs: std::cell::Cell::new(0),
    })
}

/// What a finished `zeitpost run --once` left behind.
#[derive(Debug)]
pub struct RunOutput {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// A `zeitpost run` in the background; killed when dropped.
pub struct Running {
    child: Option<Child>,
    log: PathBuf,
}

impl Stack {
    /// The command with config, secret and a log level that shows each cycle; its output
    /// goes to files numbered per run.
    fn command(&self, args: &[&str]) -> (std::process::Command, PathBuf, PathBuf) {
        let n = self.runs.get() + 1;
        self.runs.set(n);
        let out = self.dir.path().join(format!("run-{n}.out"));
        let log = self.dir.path().join(format!("run-{n}.log"));
        let mut cmd = zeitpost();
        cmd.env(SECRET_ENV, SECRET)
            .env("RUST_LOG", self.log)
            .arg("--config")
            .arg(&self.config)
            .arg("run")
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&log).unwrap());
        (cmd, out, log)
    }

    /// One cycle: `zeitpost run --once`, waited for under a hang guard.
    pub fn run_once(&self) -> RunOutput {
        let (mut cmd, out, log) = self.command(&["--once"]);
        let mut child = cmd.spawn().unwrap();
        let status = wait_guarded(&mut child, RUN_GUARD, &log);
        RunOutput {
            code: status.code(),
            stdout: std::fs::read_to_string(out).unwrap_or_default(),
            stderr: std::fs::read_to_string(log).unwrap_or_default(),
        }
    }

    /// `zeitpost run` in the background.
    pub fn start(&self) -> Running {
        let (mut cmd, _, log) = self.command(&[]);
        Running {
            child: Some(cmd.spawn().unwrap()),
            log,
        }
    }

    /// Delivers a mail into the INBOX.
    pub fn deliver(&self, raw: &[u8]) {
        self.dc.append(USER, "INBOX", raw);
    }

    /// The Message-IDs of the mails in a folder, oldest first.
    /// The Message-IDs of a folder's mails, sorted: a folder is a set, and the order of its
    /// files on disk says nothing.
    pub fn folder(&self, name: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .dc
            .messages(name)
            .iter()
            .map(|m| message_id(m))
            .collect();
        ids.sort();
        ids
    }

    /// How many mails a folder holds; unlike [`Stack::folder`] safe while the daemon
    /// moves mails (it reads no mail, only the names).
    pub fn count(&self, name: &str) -> usize {
        self.dc.flags(name).len()
    }

    /// Every report the SMTP server accepted.
    pub fn reports(&self) -> Vec<Received> {
        self.smtp.received()
    }

    pub fn creates(&self) -> u64 {
        self.sim.stats().count(Route::CreatePeriod)
    }

    /// Person id by e-mail address.
    pub fn person_ids(&self) -> BTreeMap<String, String> {
        self.sim
            .persons()
            .into_iter()
            .map(|p| (p.email, p.id))
            .collect()
    }

    /// Whether every period of these records is in the simulator.
    pub fn all_in_personio(&self, records: &[Rec]) -> bool {
        let ids = self.person_ids();
        let have: BTreeSet<(String, String)> = self
            .sim
            .periods()
            .iter()
            .map(|p| (p.person_id.clone(), describe(p)))
            .collect();
        records.iter().all(|r| {
            r.periods()
                .into_iter()
                .all(|p| have.contains(&(ids[r.email].clone(), p)))
        })
    }

    /// Asserts that the simulator holds exactly the periods of these records, each once,
    /// and nothing else.
    pub fn assert_exactly(&self, records: &[Rec]) {
        let ids = self.person_ids();
        let mut want: Vec<(String, String)> = records
            .iter()
            .flat_map(|r| r.periods().into_iter().map(|p| (ids[r.email].clone(), p)))
            .collect();
        want.sort();
        let mut got: Vec<(String, String)> = self
            .sim
            .periods()
            .iter()
            .map(|p| (p.person_id.clone(), describe(p)))
            .collect();
        got.sort();
        if got != want {
            let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
            let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
            let mut seen = BTreeSet::new();
            let twice: Vec<_> = got.iter().filter(|g| !seen.insert(*g)).collect();
            panic!(
                "Personio holds {} periods, expected {}\nmissing: {missing:?}\nnot expected: {extra:?}\ntwice: {twice:?}",
                got.len(),
                want.len()
            );
        }
    }
}

impl Running {
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether the process already ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().unwrap())
    }

    /// Waits until the log shows `n` finished cycles.
    pub fn wait_for_cycles(&mut self, n: usize, timeout: Duration) {
        let until = Instant::now() + timeout;
        while self.log().matches("cycle done").count() < n {
            if let Some(status) = self.exited() {
                panic!("zeitpost run ended early ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < until,
                "no {n} cycles within {timeout:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then waits for the exit under a hang guard.
    pub fn terminate(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let sent = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
        wait_guarded(&mut child, Duration::from_secs(60), &self.log)
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(mut self) {
        let mut child = self.child.take().expect("running");
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_guarded(child: &mut Child, guard: Duration, log: &Path) -> ExitStatus {
    let until = Instant::now() + guard;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "zeitpost hung for {guard:?}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Polls `done` until it holds; panics with `what` after `timeout`.
pub fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < until, "{what}: not within {timeout:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One time-clock record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rec {
    pub email: &'static str,
    pub date: NaiveDate,
    /// A 30-minute break (three periods) or none (one period).
    pub pause: bool,
}

impl Rec {
    /// The `i`-th of a series of records that never collide: a person a day, 08:00–16:30.
    pub fn nth(i: usize, pause: bool) -> Rec {
        let start = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        Rec {
            email: STAFF[i % STAFF.len()].0,
            date: start + Days::new((i / STAFF.len()) as u64),
            pause,
        }
    }

    fn row(&self) -> String {
        format!(
            "{};{};08:00;16:30;{}",
            self.email,
            self.date.format("%d.%m.%Y"),
            if self.pause { 30 } else { 0 }
        )
    }

    /// The periods as `TYPE yyyy-mm-dd HH:MM-HH:MM`: 480 minutes of work, the break
    /// after half of it.
    pub fn periods(&self) -> Vec<String> {
        let d = self.date;
        if self.pause {
            vec![
                format!("WORK {d} 08:00-12:00"),
                format!("BREAK {d} 12:00-12:30"),
                format!("WORK {d} 12:30-16:30"),
            ]
        } else {
            vec![format!("WORK {d} 08:00-16:30")]
        }
    }
}

fn describe(p: &Period) -> String {
    format!(
        "{} {} {}-{}",
        p.kind.as_str(),
        p.start.date(),
        p.start.format("%H:%M"),
        p.end
            .map(|e| e.format("%H:%M").to_string())
            .unwrap_or_default()
    )
}

/// A mail from `from` with one CSV export holding `records`; its Message-ID is
/// `<TAG@zeiterfassung.example.com>`.
pub fn export_mail(tag: &str, from: &str, records: &[Rec]) -> Vec<u8> {
    let mut csv = String::from("E-Mail;Datum;Startzeit;Endzeit;Pause\r\n");
    for r in records {
        csv.push_str(&r.row());
        csv.push_str("\r\n");
    }
    format!(
        "From: {from}\r\n\
         To: zeiten@example.com\r\n\
         Subject: Export {tag}\r\n\
         Date: Mon, 23 Nov 2026 08:00:00 +0100\r\n\
         Message-ID: {id}\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"=_zp_{tag}\"\r\n\
         \r\n\
         --=_zp_{tag}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Export {tag}\r\n\
         --=_zp_{tag}\r\n\
         Content-Type: text/csv; charset=utf-8; name=\"export-{tag}.csv\"\r\n\
         Content-Disposition: attachment; filename=\"export-{tag}.csv\"\r\n\
         \r\n\
         {csv}\
         --=_zp_{tag}--\r\n",
        id = mail_id(tag),
    )
    .into_bytes()
}

pub const TERMINAL: &str = "Zeiterfassung Halle 1 <terminal@example.com>";

pub fn mail_id(tag: &str) -> String {
    format!("<{tag}@zeiterfassung.example.com>")
}

/// The Message-ID header of a raw mail.
pub fn message_id(raw: &[u8]) -> String {
    let (headers, _) = mailparse::parse_headers(raw).expect("mail headers");
    headers.get_first_value("Message-ID").unwrap_or_default()
}

/// A header of a received report, decoded.
pub fn header(r: &Received, name: &str) -> String {
    let m = mailparse::parse_mail(&r.data).expect("report parses");
    m.headers.get_first_value(name).unwrap_or_default()
}

/// The plain-text body of a received report.
pub fn text(r: &Received) -> String {
    fn find(m: &ParsedMail) -> Option<String> {
        if m.ctype.mimetype == "text/plain" {
            return m.get_body().ok();
        }
        m.subparts.iter().find_map(find)
    }
    find(&mailparse::parse_mail(&r.data).expect("report parses")).unwrap_or_default()
}

/// The reports that answer the mail with this Message-ID.
pub fn answers<'a>(reports: &'a [Received], id: &str) -> Vec<&'a Received> {
    reports
        .iter()
        .filter(|r| header(r, "In-Reply-To") == id)
        .collect()
}

#[test]
fn a_mail_is_imported_moved_and_answered() {
    let Some(s) = spawn_daemon(Setup::default()) else {
        return;
    };
    let raw = std::fs::read(sample("mail/01-terminal-export.eml")).unwrap();
    let id = "<20261102180512.8F3A1C@zeiterfassung.example.com>";
    s.deliver(&raw);

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 mails: 4 imported"), "{}", out.stdout);
    // Four records with breaks: WORK, BREAK, WORK each.
    let periods = s.sim.periods();
    assert_eq!(periods.len(), 12, "{periods:#?}");
    let ids = s.person_ids();
    for who in [
        "anna.muster@example.com",
        "ben.beispiel@example.com",
        "carla.schmidt@example.com",
        "david.yilmaz@example.com",
    ] {
        let mine: Vec<_> = periods.iter().filter(|p| p.person_id == ids[who]).collect();
        assert_eq!(mine.len(), 3, "{who}: {mine:#?}");
        assert!(
            mine.iter()
                .all(|p| p.start.date().to_string() == "2026-11-02")
        );
        assert_eq!(
            mine.iter().filter(|p| p.kind == PeriodType::Break).count(),
            1
        );
    }
    assert!(s.folder("INBOX").is_empty());
    assert_eq!(s.folder("Processed"), [id]);
    assert!(s.folder("Failed").is_empty());

    let reports = s.smtp.wait_for(1, EVENT_GUARD);
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!(r.mail_from, "zeiten@example.com");
    // The terminal's mail is automatic (Auto-Submitted): only HR is answered.
    assert_eq!(r.rcpt_to, [HR]);
    assert_eq!(
        header(r, "Subject"),
        "Zeiterfassung: 4 importiert – Re: Tagesexport Zeiterfassung 02.11.2026"
    );
    assert_eq!(header(r, "In-Reply-To"), id);
    assert_eq!(header(r, "X-Loop"), "zeitpost");

    // Nothing is left to do: a second cycle writes and sends nothing.
    let creates = s.creates();
    let again = s.run_once();
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(s.creates(), creates);
    assert_eq!(s.sim.periods().len(), 12);
    assert_eq!(s.reports().len(), 1);
    assert_eq!(s.folder("Processed"), [id]);
}

#[test]
fn idle_wakes_the_daemon_and_sigterm_ends_it_cleanly() {
    // Polling alone would take ten minutes: only IDLE can bring the mail in time.
    let Some(s) = spawn_daemon(Setup {
        poll: "10m",
        ..Setup::default()
    }) else {
        return;
    };
    let mut daemon = s.start();
    daemon.wait_for_cycles(1, EVENT_GUARD);
    std::thread::sleep(Duration::from_millis(300));

    let rec = [Rec::nth(0, true), Rec::nth(1, false)];
    s.deliver(&export_mail("idle-1", TERMINAL, &rec));
    wait_until("the mail's periods in Personio", EVENT_GUARD, || {
        s.all_in_personio(&rec)
    });
    let reports = s.smtp.wait_for(1, EVENT_GUARD);
    assert_eq!(header(&reports[0], "In-Reply-To"), mail_id("idle-1"));
    assert_eq!(
        reports[0].rcpt_to,
        [HR, "terminal@example.com"],
        "a mail without Auto-Submitted is answered to its sender too"
    );
    wait_until("the mail moved", EVENT_GUARD, || s.count("INBOX") == 0);

    assert!(daemon.exited().is_none(), "{}", daemon.log());
    let log = daemon.log();
    let status = daemon.terminate();
    assert_eq!(status.code(), Some(0), "{log}");
    s.assert_exactly(&rec);
    assert_eq!(s.folder("Processed"), [mail_id("idle-1")]);
}

#[test]
fn a_dovecot_restart_is_survived_and_each_mail_is_imported_once() {
    let Some(s) = spawn_daemon(Setup {
        poll: "10m",
        ..Setup::default()
    }) else {
        return;
    };
    let mut daemon = s.start();
    daemon.wait_for_cycles(1, EVENT_GUARD);
    let before = [Rec::nth(0, true)];
    s.deliver(&export_mail("before", TERMINAL, &before));
    s.smtp.wait_for(1, EVENT_GUARD);

    s.dc.stop();
    std::thread::sleep(Duration::from_millis(1500));
    s.dc.start_again();

    let after = [Rec::nth(1, true)];
    s.deliver(&export_mail("after", TERMINAL, &after));
    s.smtp.wait_for(2, Duration::from_secs(60));
    // And the new connection is listening again.
    let later = [Rec::nth(2, false)];
    s.deliver(&export_mail("later", TERMINAL, &later));
    s.smtp.wait_for(3, EVENT_GUARD);

    assert!(daemon.exited().is_none(), "{}", daemon.log());
    let log = daemon.log();
    assert_eq!(daemon.terminate().code(), Some(0), "{log}");
    assert!(
        log.contains("mailbox not reachable") || log.contains("waiting for mail"),
        "the daemon saw the connection go: {log}"
    );

    let all: Vec<Rec> = [before, after, later].concat();
    s.assert_exactly(&all);
    assert_eq!(s.creates(), 7, "no period was sent twice");
    let reports = s.reports();
    assert_eq!(reports.len(), 3);
    for tag in ["before", "after", "later"] {
        assert_eq!(answers(&reports, &mail_id(tag)).len(), 1, "{tag}");
    }
    assert!(s.folder("INBOX").is_empty());
    let mut expected = [mail_id("before"), mail_id("after"), mail_id("later")];
    expected.sort();
    assert_eq!(s.folder("Processed"), expected);
}

#[test]
fn a_stranger_imports_nothing_and_only_hr_hears_of_it() {
    let Some(s) = spawn_daemon(Setup::default()) else {
        return;
    };
    let raw = export_mail(
        "stranger",
        "Mallory <mallory@example.org>",
        &[Rec::nth(0, true)],
    );
    s.deliver(&raw);

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(s.sim.periods().is_empty());
    assert_eq!(s.creates(), 0);
    assert!(s.folder("INBOX").is_empty());
    assert!(s.folder("Processed").is_empty());
    assert_eq!(s.folder("Failed"), [mail_id("stranger")]);

    let reports = s.smtp.wait_for(1, EVENT_GUARD);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].rcpt_to, [HR], "no answer to mallory");
    let body = text(&reports[0]);
    assert!(body.contains("mallory@example.org"), "{body}");
    assert!(body.contains("nicht freigegeben"), "{body}");
    assert!(
        !String::from_utf8_lossy(&reports[0].data).contains("To: Mallory"),
        "mallory is not among the recipients"
    );
}

#[test]
fn with_smtp_down_the_mail_is_still_done_and_the_report_follows_once() {
    let Some(mut s) = spawn_daemon(Setup::default()) else {
        return;
    };
    let rec = [Rec::nth(3, true)];
    s.deliver(&export_mail("smtp-down", TERMINAL, &rec));
    s.smtp.stop();

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    s.assert_exactly(&rec);
    assert!(s.folder("INBOX").is_empty());
    assert_eq!(s.folder("Processed"), [mail_id("smtp-down")]);
    assert!(s.reports().is_empty());
    assert!(out.stderr.contains("report not sent"), "{}", out.stderr);

    s.smtp.start_again();
    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let reports = s.smtp.wait_for(1, EVENT_GUARD);
    assert_eq!(reports.len(), 1);
    assert_eq!(header(&reports[0], "In-Reply-To"), mail_id("smtp-down"));
    assert!(header(&reports[0], "Subject").starts_with("Zeiterfassung: 1 importiert"));

    let out = s.run_once();
    assert_eq!(out.code, Some(0));
    assert_eq!(s.reports().len(), 1, "sent exactly once");
    assert_eq!(s.creates(), 3);
}

#[test]
fn a_backlog_of_200_mails_is_done_in_one_cycle() {
    let Some(s) = spawn_daemon(Setup::default()) else {
        return;
    };
    let records: Vec<Rec> = (0..200).map(|i| Rec::nth(i, false)).collect();
    for (i, r) in records.iter().enumerate() {
        s.deliver(&export_mail(
            &format!("backlog-{i:03}"),
            TERMINAL,
            std::slice::from_ref(r),
        ));
    }
    assert_eq!(s.folder("INBOX").len(), 200);

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("200 mails: 200 imported, 0 duplicates"),
        "{}",
        out.stdout
    );
    s.assert_exactly(&records);
    assert_eq!(s.creates(), 200);
    assert!(s.folder("INBOX").is_empty());
    let processed: BTreeSet<String> = s.folder("Processed").into_iter().collect();
    let expected: BTreeSet<String> = (0..200)
        .map(|i| mail_id(&format!("backlog-{i:03}")))
        .collect();
    assert_eq!(processed, expected);
    assert_eq!(s.folder("Processed").len(), 200);

    let reports = s.smtp.wait_for(200, EVENT_GUARD);
    assert_eq!(reports.len(), 200);
    let answered: BTreeSet<String> = reports.iter().map(|r| header(r, "In-Reply-To")).collect();
    assert_eq!(answered, expected, "one report per mail");
}

#[test]
fn a_mail_that_keeps_failing_blocks_nothing_and_ends_in_failed() {
    let Some(s) = spawn_daemon(Setup::default()) else {
        return;
    };
    let bad = [Rec::nth(0, false)];
    let good1 = [Rec::nth(1, false)];
    let good2 = [Rec::nth(2, false)];
    // The bad mail comes first, the good ones behind it.
    s.deliver(&export_mail("poison", TERMINAL, &bad));
    s.deliver(&export_mail("good-1", TERMINAL, &good1));
    s.deliver(&export_mail("good-2", TERMINAL, &good2));

    // Every create of the bad record gets 503; the good ones go through. A 503 on a create
    // is "maybe applied": the importer reads the day and sends again, three times in all.
    // Each later import first retries what is left pending (three more creates), then
    // writes its own record. The fault queue is consumed in that order; a 1 ms delay is a
    // create that passes.
    let fail = |times| Fault::Status {
        route: Route::CreatePeriod,
        status: 503,
        times,
    };
    let pass = Fault::Delay {
        route: Route::CreatePeriod,
        delay: Duration::from_millis(1),
        times: 1,
    };
    for f in [fail(6), pass.clone(), fail(3), pass] {
        s.sim.inject(f);
    }

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    s.assert_exactly(&[good1.clone(), good2.clone()].concat());
    assert_eq!(s.folder("INBOX"), [mail_id("poison")]);
    assert_eq!(
        s.folder("Processed"),
        [mail_id("good-1"), mail_id("good-2")]
    );
    let reports = s.smtp.wait_for(2, EVENT_GUARD);
    assert_eq!(reports.len(), 2);
    assert!(answers(&reports, &mail_id("poison")).is_empty());

    // From now on only the bad mail is left: every create fails.
    s.sim.inject(fail(1000));
    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert_eq!(s.folder("INBOX"), [mail_id("poison")], "second attempt");
    assert_eq!(s.reports().len(), 2);

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        s.folder("INBOX").is_empty(),
        "three attempts, then it is moved"
    );
    assert_eq!(
        s.folder("Failed"),
        [mail_id("poison")],
        "processed: {:?}",
        s.folder("Processed")
    );
    assert_eq!(
        s.folder("Processed"),
        [mail_id("good-1"), mail_id("good-2")]
    );
    let reports = s.smtp.wait_for(3, EVENT_GUARD);
    let answer = answers(&reports, &mail_id("poison"));
    assert_eq!(answer.len(), 1);
    assert!(
        header(answer[0], "Subject").starts_with("Zeiterfassung: 1 zurückgestellt"),
        "{}",
        header(answer[0], "Subject")
    );
    s.assert_exactly(&[good1, good2].concat());
}

#[test]
fn the_same_mail_again_is_answered_already_processed_and_writes_nothing() {
    let Some(s) = spawn_daemon(Setup::default()) else {
        return;
    };
    let rec = [Rec::nth(4, true), Rec::nth(5, false)];
    let raw = export_mail("twice", TERMINAL, &rec);
    s.deliver(&raw);
    assert_eq!(s.run_once().code, Some(0));
    s.assert_exactly(&rec);
    let creates = s.creates();
    assert_eq!(creates, 4);

    // Delivered again, byte for byte (a mail server retrying, HR copying it back).
    s.deliver(&raw);
    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert_eq!(s.creates(), creates, "no write");
    assert_eq!(s.sim.stats().count(Route::DeletePeriod), 0);
    s.assert_exactly(&rec);
    assert!(s.folder("INBOX").is_empty());
    assert_eq!(s.folder("Processed"), [mail_id("twice"), mail_id("twice")]);

    let reports = s.smtp.wait_for(2, EVENT_GUARD);
    assert_eq!(reports.len(), 2);
    assert!(header(&reports[0], "Subject").starts_with("Zeiterfassung: 2 importiert"));
    let second = &reports[1];
    assert_eq!(header(second, "In-Reply-To"), mail_id("twice"));
    assert!(
        header(second, "Subject").starts_with("Zeiterfassung: nichts importiert"),
        "{}",
        header(second, "Subject")
    );
    let body = text(second);
    assert!(body.contains("bereits am"), "{body}");
}

#[test]
fn killed_at_random_moments_every_mail_is_done_exactly_once() {
    let Some(s) = spawn_daemon(Setup {
        poll: "1s",
        // Kills while a mail is worked on count as attempts; here they must not add up
        // to giving up.
        extra: "[import]\nmail_attempts = 100\n".into(),
        ..Setup::default()
    }) else {
        return;
    };
    let mut records = Vec::new();
    for m in 0..20 {
        let mine = [Rec::nth(2 * m, true), Rec::nth(2 * m + 1, m % 3 == 0)];
        s.deliver(&export_mail(&format!("kill-{m:02}"), TERMINAL, &mine));
        records.extend(mine);
    }
    // Slow creates, so kills land between planning, sending and confirming; now and then
    // a create is applied but its answer lost.
    let slow = |times| Fault::Delay {
        route: Route::CreatePeriod,
        delay: Duration::from_millis(40),
        times,
    };
    let lost = Fault::ApplyThenDrop {
        route: Route::CreatePeriod,
        times: 1,
    };
    for f in [slow(25), lost.clone(), slow(25), lost, slow(1000)] {
        s.sim.inject(f);
    }

    let mut seed = 0x2545_F491_4F6C_DD1Du64 ^ u64::from(std::process::id());
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut kills = 0;
    // INBOX sizes after each kill.
    let mut left = Vec::new();
    for _ in 0..8 {
        if s.count("INBOX") == 0 {
            break;
        }
        let mut daemon = s.start();
        std::thread::sleep(Duration::from_millis(150 + next() % 900));
        if let Some(status) = daemon.exited() {
            panic!("zeitpost run ended by itself ({status}):\n{}", daemon.log());
        }
        daemon.kill();
        kills += 1;
        left.push(s.count("INBOX"));
    }
    assert!(kills >= 3, "the test must interrupt the daemon ({kills})");
    assert!(
        left.iter().any(|&n| n > 0 && n < 20),
        "kills must land in the middle of the backlog: {left:?}"
    );
    // Then it may finish.
    let mut daemon = s.start();
    daemon.wait_for_cycles(1, Duration::from_secs(90));
    wait_until("the INBOX emptied", Duration::from_secs(90), || {
        s.count("INBOX") == 0
    });
    wait_until("all periods in Personio", EVENT_GUARD, || {
        s.all_in_personio(&records)
    });
    let log = daemon.log();
    assert!(daemon.exited().is_none(), "{log}");
    assert_eq!(daemon.terminate().code(), Some(0), "{log}");
    // And whatever reports are still queued go out.
    assert_eq!(s.run_once().code, Some(0));
    eprintln!("killed {kills} times");

    s.assert_exactly(&records);
    let processed = s.folder("Processed");
    let unique: BTreeSet<&String> = processed.iter().collect();
    assert_eq!(processed.len(), 20, "each mail once: {processed:?}");
    assert_eq!(unique.len(), 20);
    assert!(s.folder("Failed").is_empty());
    let reports = s.reports();
    for m in 0..20 {
        let id = mail_id(&format!("kill-{m:02}"));
        let mine = answers(&reports, &id);
        assert!(!mine.is_empty(), "{id} was answered");
        assert!(
            mine.iter()
                .all(|r| !header(r, "Subject").contains("nichts importiert")),
            "{id} was never taken for a repeat"
        );
    }
}

#[test]
fn a_mail_deferred_once_is_reported_as_imported_when_it_goes_through() {
    let Some(s) = spawn_daemon(Setup::default()) else {
        return;
    };
    let rec = [Rec::nth(6, false)];
    s.deliver(&export_mail("deferred", TERMINAL, &rec));
    // Personio fails the create (and the two tries after reading the day) this cycle.
    s.sim.inject(Fault::Status {
        route: Route::CreatePeriod,
        status: 503,
        times: 3,
    });
    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(s.sim.periods().is_empty());
    assert_eq!(s.folder("INBOX"), [mail_id("deferred")]);
    assert!(
        s.reports().is_empty(),
        "no report while the mail is tried again"
    );

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    s.assert_exactly(&rec);
    assert!(s.folder("INBOX").is_empty());
    assert_eq!(s.folder("Processed"), [mail_id("deferred")]);
    let reports = s.smtp.wait_for(1, EVENT_GUARD);
    assert_eq!(reports.len(), 1);
    let (subject, body) = (header(&reports[0], "Subject"), text(&reports[0]));
    assert_eq!(
        subject, "Zeiterfassung: 1 importiert – Re: Export deferred",
        "{body}"
    );
    assert!(!body.contains("bereits am"), "{body}");
}

#[test]
fn sigterm_finishes_the_current_mail_and_leaves_the_rest_untouched() {
    let Some(s) = spawn_daemon(Setup {
        poll: "10m",
        ..Setup::default()
    }) else {
        return;
    };
    let mails: Vec<(String, Rec)> = (0..30)
        .map(|i| (format!("term-{i:02}"), Rec::nth(i, true)))
        .collect();
    for (tag, rec) in &mails {
        s.deliver(&export_mail(tag, TERMINAL, std::slice::from_ref(rec)));
    }
    s.sim.inject(Fault::Delay {
        route: Route::CreatePeriod,
        delay: Duration::from_millis(40),
        times: 1000,
    });
    let mut daemon = s.start();
    wait_until("three mails done", EVENT_GUARD, || {
        s.count("Processed") >= 3
    });
    assert!(daemon.exited().is_none(), "{}", daemon.log());
    let status = daemon.terminate();
    assert_eq!(status.code(), Some(0));

    let processed: BTreeSet<String> = s.folder("Processed").into_iter().collect();
    let waiting: BTreeSet<String> = s.folder("INBOX").into_iter().collect();
    assert_eq!(processed.len() + waiting.len(), 30);
    assert!(!waiting.is_empty(), "the daemon stopped before the end");
    let done: Vec<Rec> = mails
        .iter()
        .filter(|(tag, _)| processed.contains(&mail_id(tag)))
        .map(|(_, r)| r.clone())
        .collect();
    // The mail in hand was finished, nothing after it was begun.
    s.assert_exactly(&done);
    let reports = s.smtp.wait_for(done.len(), EVENT_GUARD);
    assert_eq!(
        reports.len(),
        done.len(),
        "the finished mails were answered"
    );

    let out = s.run_once();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let all: Vec<Rec> = mails.iter().map(|(_, r)| r.clone()).collect();
    s.assert_exactly(&all);
    assert!(s.folder("INBOX").is_empty());
    let reports = s.smtp.wait_for(30, EVENT_GUARD);
    assert_eq!(reports.len(), 30);
    for (tag, _) in &mails {
        assert_eq!(answers(&reports, &mail_id(tag)).len(), 1, "{tag}");
    }
}
