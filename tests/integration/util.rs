//! Running the `zeitpost` binary the way users and scripts do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

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
