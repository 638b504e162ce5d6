//! Running the `zeitpost` binary the way users and scripts do.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use zeitpost_sim::personio::{Fault, PersonioSim, Route};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(rel: &str) -> PathBuf {
    root().join("samples").join(rel)
}

/// The shared corpus of real-world files, when it is present next to the project.
pub fn corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} not found; corpus checks skipped", dir.display());
        None
    }
}

/// `zeitpost` with no config in reach, so tests never read the machine's own config.
pub fn zeitpost() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zeitpost"));
    cmd.env_remove("ZEITPOST_CONFIG").env_remove("RUST_LOG");
    cmd
}

/// What `zeitpost parse` printed.
pub struct Parsed {
    pub code: i32,
    pub lines: Vec<Value>,
    pub stderr: String,
}

impl Parsed {
    pub fn statuses(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l["status"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn row(&self, row: &str) -> &Value {
        self.lines
            .iter()
            .find(|l| l["row"] == row)
            .unwrap_or_else(|| panic!("no line for row {row}: {:#?}", self.lines))
    }
}

pub fn parse(args: &[&str], files: &[&Path]) -> Parsed {
    let out = zeitpost()
        .arg("parse")
        .args(args)
        .args(files)
        .output()
        .unwrap();
    parsed(out)
}

pub fn parsed(out: Output) -> Parsed {
    let stdout = String::from_utf8(out.stdout).expect("parse output is UTF-8");
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    Parsed {
        code: out.status.code().expect("exited, not killed by a signal"),
        lines,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Everything a run printed, standard output then standard error, for assertions and their
/// failure messages.
pub fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts a run printed `needle`, and shows everything it printed when it did not.
#[track_caller]
pub fn assert_printed(out: &Output, needle: &str) {
    let all = printed(out);
    assert!(all.contains(needle), "{all}");
}

/// Writes a config file into `dir` and returns its path.
pub fn config(dir: &Path, toml: &str) -> PathBuf {
    let path = dir.join("zeitpost.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

/// Says a server needed by a test is missing: a note locally, a failure where the test
/// command promised the servers (`ZEITPOST_REQUIRE_SERVERS`, set by `scripts/test`).
pub fn server_missing(what: &str) {
    if std::env::var_os("ZEITPOST_REQUIRE_SERVERS").is_some() {
        panic!("{what} is required here (ZEITPOST_REQUIRE_SERVERS is set) but missing");
    }
    eprintln!("note: {what} missing; test skipped");
}

/// The embedded default (`config/example.toml`) moved into `base`, polling every `poll`,
/// with `extra` appended; written to `base/zeitpost.toml`. Returns the path and the text.
pub fn example_config(base: &Path, poll: &str, extra: &str) -> (PathBuf, String) {
    let example = std::fs::read_to_string(root().join("config/example.toml")).unwrap();
    let text = example
        .replace("target/demo", &base.display().to_string())
        .replace(
            "poll_interval = \"60s\"",
            &format!("poll_interval = {poll:?}"),
        )
        + extra;
    let path = base.join("zeitpost.toml");
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

/// Appends a Maildir source and an outbox report to the config at `config`, both below `base`,
/// so `zeitpost run` has a mailbox to poll and leaves its notices to HR as files in
/// `base/reports`. `report_keys` go at the end of the `[report]` section.
pub fn add_maildir_and_outbox(config: &Path, base: &Path, report_keys: &str) {
    std::fs::create_dir_all(base.join("maildir/new")).unwrap();
    let text = std::fs::read_to_string(config).unwrap()
        + &format!(
            "\n[source]\nkind = \"maildir\"\npath = {:?}\n\n[report]\nkind = \"outbox\"\ndir = {:?}\nfrom = \"Zeiterfassung <zeiten@example.com>\"\nto = [\"personal@hr.example.com\"]\n{report_keys}",
            base.join("maildir"),
            base.join("reports")
        );
    std::fs::write(config, text).unwrap();
}

/// `zeitpost run --once`: every due job once, then exit. Asserts it exited 0.
pub fn run_once(config: &Path) -> Output {
    let out = zeitpost()
        .arg("--config")
        .arg(config)
        .args(["run", "--once"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    out
}

/// The notices an outbox report left in `dir`, as text; none when it never wrote one.
pub fn outbox_reports(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// What `zeitpost status --json` says about the state file of `config`.
pub fn status_json(config: &Path) -> Value {
    let out = zeitpost()
        .arg("--config")
        .arg(config)
        .args(["status", "--json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "status is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// How a command fared that was started again and again and killed at random moments.
pub struct Killed {
    /// How often it was killed while still running.
    pub kills: u32,
    /// How the run ended that `ends` accepted, if one did.
    pub ended: Option<ExitStatus>,
}

/// Starts `cmd` up to `tries` times and kills each run after a pseudo-random pause of
/// `least` milliseconds plus less than `spread` more, until one run ends by itself with a
/// status `ends` accepts; a run that ends otherwise is simply started again.
///
/// Random moments find the gaps between planning, writing and confirming that a fixed pause
/// would miss; the xorshift sequence from `seed` (mixed with the process id by callers) keeps
/// runs varied without a dependency.
pub fn kill_at_random(
    cmd: &mut Command,
    seed: u64,
    tries: u32,
    (least, spread): (u64, u64),
    ends: impl Fn(ExitStatus) -> bool,
) -> Killed {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut seed = seed;
    let mut kills = 0;
    for _ in 0..tries {
        let mut child = cmd.spawn().unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(least + seed % spread));
        match child.try_wait().unwrap() {
            Some(status) if ends(status) => {
                return Killed {
                    kills,
                    ended: Some(status),
                };
            }
            Some(_) => {}
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
            }
        }
    }
    Killed { kills, ended: None }
}

/// Holds back the answer to each of Personio's next `creates` period creations by `millis`,
/// so a kill lands between planning, sending and confirming rather than before or after.
pub fn slow_personio_creates(sim: &PersonioSim, creates: usize, millis: u64) {
    for _ in 0..creates {
        sim.inject(Fault::Delay {
            route: Route::CreatePeriod,
            delay: Duration::from_millis(millis),
            times: 1,
        });
    }
}
