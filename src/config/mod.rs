//! The TOML config, typed.
//!
//! Every key of the documented interface has a field here; unknown keys are errors, so a
//! typo does not silently fall back to a default. Load errors name the file, the line and
//! the key. Sections the running command does not need may be left out.

mod oauth2;
mod secret;
mod timetrack;
pub mod units;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use oauth2::{AuthMethod, OAuth2Config};
pub use secret::{Secret, SecretError, SecretValue};
pub use timetrack::{
    AbsencesJob, Direction, EmployeesJob, EntriesMode, Master, TimeEntriesJob, TimetrackConfig,
    UsernameRule,
};

use crate::lang::Lang;
use crate::parse::{Limits, Profile};
use crate::records::{EmployeeMap, Overnight};

/// Where the config is looked for when `--config` is not given.
pub const DEFAULT_PATH: &str = "/etc/zeitpost/zeitpost.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub state: StateConfig,
    pub source: Option<SourceConfig>,
    #[serde(default)]
    pub import: ImportConfig,
    #[serde(default)]
    pub senders: SendersConfig,
    pub personio: Option<PersonioConfig>,
    #[serde(default)]
    pub outbox: OutboxConfig,
    #[serde(default)]
    pub report: ReportConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    #[serde(default)]
    pub employees: EmployeesConfig,
    pub timr: Option<TimrConfig>,
    pub timetrack: Option<TimetrackConfig>,
    pub metrics: Option<MetricsConfig>,
    #[serde(default)]
    pub logging: LoggingConfig,
}

/// `[logging]`: how much the log says. `RUST_LOG`, when set, wins.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// `error`, `warn`, `info`, `debug`, `trace`, or a filter like `zeitpost=debug`.
    pub level: Option<String>,
}

/// `[metrics]`: Prometheus metrics of the daemon.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address and port, e.g. `"127.0.0.1:9464"`; the path is `/metrics`.
    pub listen: std::net::SocketAddr,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateConfig {
    pub path: PathBuf,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            path: PathBuf::from("/var/lib/zeitpost/zeitpost.db"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Imap,
    Maildir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Implicit,
    Starttls,
    /// Plain text; only allowed towards a loopback address.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub kind: SourceKind,
    pub host: Option<String>,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    pub tls_ca_file: Option<PathBuf>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `"password"` or `"oauth2"` (then `[source.oauth2]` says where the token comes from).
    #[serde(default)]
    pub auth: AuthMethod,
    pub oauth2: Option<OAuth2Config>,
    #[serde(default = "default_folder")]
    pub folder: String,
    #[serde(default = "default_processed")]
    pub processed_folder: String,
    #[serde(default = "default_failed")]
    pub failed_folder: String,
    #[serde(default = "default_poll", deserialize_with = "units::duration")]
    pub poll_interval: Duration,
    /// The Maildir, for `kind = "maildir"`.
    pub path: Option<PathBuf>,
}

fn default_folder() -> String {
    "INBOX".into()
}
fn default_processed() -> String {
    "Processed".into()
}
fn default_failed() -> String {
    "Failed".into()
}
fn default_poll() -> Duration {
    Duration::from_secs(60)
}

impl Default for SendersConfig {
    fn default() -> Self {
        SendersConfig {
            allow: Vec::new(),
            hr: Vec::new(),
            require_auth: false,
            authserv_id: None,
            notify_rejected: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Corrections {
    /// A changed record is a conflict, reported and not written.
    #[default]
    Reject,
    /// HR senders may change imported records.
    Update,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    #[serde(default)]
    pub overnight: Overnight,
    #[serde(default = "default_max_period", deserialize_with = "units::duration")]
    pub max_period: Duration,
    #[serde(default)]
    pub corrections: Corrections,
    /// How often a mail that fails is tried before it goes to the failed folder.
    #[serde(default = "default_mail_attempts")]
    pub mail_attempts: u32,
    /// How far after today a record may be dated.
    #[serde(default = "default_max_future", deserialize_with = "units::duration")]
    pub max_future: Duration,
}

fn default_mail_attempts() -> u32 {
    3
}
fn default_max_period() -> Duration {
    Duration::from_secs(16 * 3600)
}
fn default_max_future() -> Duration {
    Duration::from_secs(86_400)
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            overnight: Overnight::default(),
            max_period: default_max_period(),
            corrections: Corrections::default(),
            mail_attempts: default_mail_attempts(),
            max_future: default_max_future(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendersConfig {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub hr: Vec<String>,
    #[serde(default)]
    pub require_auth: bool,
    pub authserv_id: Option<String>,
    /// Tell `report.to` about mails from senders that are not trusted (never the sender).
    #[serde(default = "yes")]
    pub notify_rejected: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonioConfig {
    #[serde(default = "default_personio_url")]
    pub base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    #[serde(default = "yes")]
    pub skip_approval: bool,
    pub partner_id: Option<String>,
    pub app_id: Option<String>,
    /// `"split"`: WORK, BREAK, WORK; `"gap"`: two WORK periods around the break.
    #[serde(default)]
    pub break_mode: crate::target::layout::BreakMode,
    /// `"midnight"`: a period ending at midnight ends at 00:00 of the next day;
    /// `"last_second"`: at 23:59:59.
    #[serde(default)]
    pub day_end: crate::target::layout::DayEnd,
    /// Requests per second at most (client-side rate limit).
    #[serde(default = "default_max_rps")]
    pub max_rps: f64,
    #[serde(default = "default_timeout", deserialize_with = "units::duration")]
    pub timeout: Duration,
    /// Attempts per request before a transient failure is given up on for this run.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
}

fn default_max_rps() -> f64 {
    5.0
}
fn default_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_attempts() -> u32 {
    6
}

/// `[outbox]`: where Personio import files go when there is no `[personio]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxConfig {
    /// Default: `outbox` next to the state database.
    pub dir: Option<PathBuf>,
}

fn default_personio_url() -> String {
    "https://api.personio.de".into()
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    Smtp,
    /// `.eml` files in `dir` instead of sending.
    #[default]
    Outbox,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    #[serde(default)]
    pub kind: ReportKind,
    pub host: Option<String>,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Option<TlsMode>,
    pub tls_ca_file: Option<PathBuf>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `"password"` or `"oauth2"` (then `[report.oauth2]` says where the token comes from).
    #[serde(default)]
    pub auth: AuthMethod,
    pub oauth2: Option<OAuth2Config>,
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    pub dir: Option<PathBuf>,
    /// The language of reports and rejection reasons.
    #[serde(default)]
    pub language: Lang,
}

/// `[limits]`: what one mail or file may cost.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    #[serde(default = "default_attachment", deserialize_with = "units::size")]
    pub attachment: u64,
    #[serde(default = "default_inflated", deserialize_with = "units::size")]
    pub inflated: u64,
    #[serde(default = "default_rows")]
    pub rows: u64,
    #[serde(default = "default_mail_depth")]
    pub mail_depth: usize,
    #[serde(default = "default_mail_parts")]
    pub mail_parts: usize,
}

fn default_attachment() -> u64 {
    Limits::default().file_bytes
}
fn default_inflated() -> u64 {
    Limits::default().inflated_bytes
}
fn default_rows() -> u64 {
    Limits::default().rows
}
fn default_mail_depth() -> usize {
    crate::mail::MailLimits::default().depth
}
fn default_mail_parts() -> usize {
    crate::mail::MailLimits::default().parts
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            attachment: default_attachment(),
            inflated: default_inflated(),
            rows: default_rows(),
            mail_depth: default_mail_depth(),
            mail_parts: default_mail_parts(),
        }
    }
}

impl LimitsConfig {
    pub fn file(&self) -> Limits {
        Limits {
            file_bytes: self.attachment,
            inflated_bytes: self.inflated,
            rows: self.rows,
        }
    }

    pub fn mail(&self) -> crate::mail::MailLimits {
        crate::mail::MailLimits {
            depth: self.mail_depth,
            parts: self.mail_parts,
            attachment_bytes: self.attachment,
            ..crate::mail::MailLimits::default()
        }
    }
}

/// `[employees]`: who is who in exports without e-mail addresses.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployeesConfig {
    /// Personnel number, card id or name → e-mail address.
    #[serde(default)]
    pub map: BTreeMap<String, String>,
    /// A CSV file with an e-mail column and personnel number, card or name columns.
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimrConfig {
    #[serde(default = "default_timr_url")]
    pub base_url: String,
    #[serde(default = "default_timr_token_url")]
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    #[serde(default = "default_hourly", deserialize_with = "units::duration")]
    pub interval: Duration,
    pub start_date: Option<chrono::NaiveDate>,
    #[serde(default = "yes")]
    pub lock: bool,
    #[serde(default)]
    pub zeitausgleich: Vec<String>,
    /// The Personio absence type (its id) that a Zeitausgleich day is booked as. Without it,
    /// Zeitausgleich entries are reported and not transferred.
    #[serde(default)]
    pub zeitausgleich_absence_type: Option<String>,
    /// Also send `report.to` a summary when a run went through without problems.
    #[serde(default)]
    pub notify_always: bool,
    /// Working-time type categories that count as attendance.
    #[serde(default = "default_attendance_categories")]
    pub attendance_categories: Vec<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The company's time zone: timr's times (with offsets) become local times in it.
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

fn default_attendance_categories() -> Vec<String> {
    vec!["attendance_time".into()]
}

fn default_timezone() -> String {
    "Europe/Berlin".into()
}

fn default_timr_url() -> String {
    "https://api.timr.com/v0.2/".into()
}
fn default_timr_token_url() -> String {
    "https://system.timr.com/id/oauth2/token".into()
}
fn default_hourly() -> Duration {
    Duration::from_secs(3600)
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("config file {path}: key {key}: {message}")]
    Invalid {
        path: String,
        key: String,
        message: String,
    },
}

impl Config {
    /// Reads and checks the config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let config = Config::from_toml(&text, &path.display().to_string())?;
        config.warn_if_readable(path);
        Ok(config)
    }

    /// The keys whose secret is written in the config file itself.
    pub fn literal_secrets(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        let mut note = |key: &'static str, secret: Option<&Secret>| {
            if secret.is_some_and(Secret::is_literal) {
                keys.push(key);
            }
        };
        note(
            "source.password",
            self.source.as_ref().and_then(|s| s.password.as_ref()),
        );
        note(
            "personio.client_secret",
            self.personio.as_ref().map(|p| &p.client_secret),
        );
        note(
            "source.oauth2.client_secret",
            self.source
                .as_ref()
                .and_then(|s| s.oauth2.as_ref())
                .map(|o| &o.client_secret),
        );
        note("report.password", self.report.password.as_ref());
        note(
            "report.oauth2.client_secret",
            self.report.oauth2.as_ref().map(|o| &o.client_secret),
        );
        note(
            "timr.client_secret",
            self.timr.as_ref().map(|t| &t.client_secret),
        );
        note(
            "timetrack.api_secret",
            self.timetrack.as_ref().map(|t| &t.api_secret),
        );
        keys
    }

    /// Warns when the file holds secrets and others than its owner may read it.
    fn warn_if_readable(&self, path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let secrets = self.literal_secrets();
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        if !secrets.is_empty() && mode & 0o044 != 0 {
            tracing::warn!(
                "{} holds secrets ({}) and can be read by others (mode {:o}): chmod 600 it, or use {{ env = ... }}, {{ file = ... }} or {{ credential = ... }}",
                path.display(),
                secrets.join(", "),
                mode & 0o777
            );
        }
    }

    /// Parses and checks config text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config
            .check()
            .map_err(|(key, message)| ConfigError::Invalid {
                path: origin.to_string(),
                key,
                message,
            })?;
        Ok(config)
    }

    /// The checks serde cannot make; returns the key at fault.
    fn check(&self) -> Result<(), (String, String)> {
        if let Some(s) = &self.source {
            match s.kind {
                SourceKind::Imap if s.host.is_none() => {
                    return Err(("source.host".into(), "required for kind = \"imap\"".into()));
                }
                SourceKind::Maildir if s.path.is_none() => {
                    return Err((
                        "source.path".into(),
                        "required for kind = \"maildir\"".into(),
                    ));
                }
                _ => {}
            }
            if s.kind == SourceKind::Imap {
                oauth2::check("source", s.auth, s.oauth2.as_ref(), s.username.as_deref())?;
            }
        }
        if self.report.kind == ReportKind::Smtp {
            let r = &self.report;
            oauth2::check("report", r.auth, r.oauth2.as_ref(), r.username.as_deref())?;
        }
        if self.report.kind == ReportKind::Smtp && self.report.host.is_none() {
            return Err(("report.host".into(), "required for kind = \"smtp\"".into()));
        }
        if self.report.kind == ReportKind::Smtp && self.report.from.is_none() {
            return Err(("report.from".into(), "required for kind = \"smtp\"".into()));
        }
        if let Some(p) = &self.personio
            && !(p.max_rps > 0.0 && p.max_rps <= 1000.0)
        {
            return Err((
                "personio.max_rps".into(),
                "must be above 0 and at most 1000".into(),
            ));
        }
        if self.senders.require_auth && self.senders.authserv_id.is_none() {
            return Err(("senders.authserv_id".into(), "required with require_auth = true: the id your mail server writes into Authentication-Results".into()));
        }
        if let Some(t) = &self.timr
            && t.timezone.parse::<chrono_tz::Tz>().is_err()
        {
            return Err((
                "timr.timezone".into(),
                format!(
                    "{:?} is not a time zone name like \"Europe/Berlin\"",
                    t.timezone
                ),
            ));
        }
        if let Some(t) = &self.timetrack {
            t.check()?;
        }
        if self.import.max_period.is_zero()
            || self.import.max_period > Duration::from_secs(48 * 3600)
        {
            return Err((
                "import.max_period".into(),
                "must be between 1m and 48h".into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (i, p) in self.profiles.iter().enumerate() {
            let key = format!("profiles[{i}] ({})", p.name);
            p.check().map_err(|m| (key.clone(), m))?;
            if !names.insert(p.name.as_str()) {
                return Err((key, "a profile of this name is defined twice".into()));
            }
        }
        for (key, email) in &self.employees.map {
            crate::records::validate::normalise_email(email).map_err(|_| {
                (
                    format!("employees.map.{key:?}"),
                    format!("{email:?} is not an e-mail address"),
                )
            })?;
        }
        Ok(())
    }

    /// Where report e-mails go with `report.kind = "outbox"`.
    pub fn report_dir(&self) -> PathBuf {
        self.report.dir.clone().unwrap_or_else(|| {
            self.state
                .path
                .parent()
                .unwrap_or(Path::new("."))
                .join("reports")
        })
    }

    /// Where the outbox target writes.
    pub fn outbox_dir(&self) -> PathBuf {
        self.outbox.dir.clone().unwrap_or_else(|| {
            self.state
                .path
                .parent()
                .unwrap_or(Path::new("."))
                .join("outbox")
        })
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The employee map from `[employees]`: the file first, then `map` entries on top.
    pub fn employee_map(&self) -> Result<EmployeeMap, ConfigError> {
        let mut map = EmployeeMap::default();
        if let Some(path) = &self.employees.file {
            let bytes = std::fs::read(path).map_err(|e| ConfigError::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            crate::records::employees::load_csv(&bytes, &mut map).map_err(|message| {
                ConfigError::Invalid {
                    path: path.display().to_string(),
                    key: "employees.file".into(),
                    message,
                }
            })?;
        }
        for (key, email) in &self.employees.map {
            map.insert(key, email);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests;
