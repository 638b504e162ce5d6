//! One file's bytes → judged rows: the parse and records stages together, as every
//! command that reads exports needs them.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::config::Config;
use crate::lang::Lang;
use crate::mail::MailLimits;
use crate::parse::{self, FileError, Limits, Profile};
use crate::records::{Checker, EmployeeMap, Outcome, Rules};

/// Everything reading a file depends on, resolved from the config once.
#[derive(Debug, Clone)]
pub struct Settings {
    pub limits: Limits,
    pub mail_limits: MailLimits,
    pub rules: Rules,
    pub employees: EmployeeMap,
    pub lang: Lang,
}

impl Settings {
    pub fn from_config(
        config: &Config,
        today: chrono::NaiveDate,
    ) -> Result<Settings, crate::config::ConfigError> {
        let days = |d: std::time::Duration| chrono::Days::new(d.as_secs().div_ceil(86_400));
        Ok(Settings {
            limits: config.limits.file(),
            mail_limits: config.limits.mail(),
            rules: Rules {
                overnight: config.import.overnight,
                max_period_minutes: (config.import.max_period.as_secs() / 60) as u32,
                latest_date: today + days(config.import.max_future),
            },
            employees: config.employee_map()?,
            lang: config.report.language,
        })
    }
}

/// Reads one export file and hands each data row's location and outcome to `sink`.
/// A panic anywhere below is caught here and reported as an unreadable file: one bad
/// attachment must not take the daemon down.
pub fn read_file(
    name: &str,
    bytes: &[u8],
    settings: &Settings,
    profile: Option<&Profile>,
    sink: &mut dyn FnMut(String, Outcome),
) -> Result<(), FileError> {
    let options = parse::Options {
        limits: settings.limits,
        profile,
    };
    let mut checker = Checker::new(&settings.rules, &settings.employees);
    let result = catch_unwind(AssertUnwindSafe(|| {
        parse::read_file(name, bytes, &options, &mut |raw, cells| {
            let (location, outcome) = checker.check(raw, cells);
            sink(location, outcome);
        })
    }));
    result.unwrap_or_else(|_| Err(FileError::Corrupt("internal error while reading".into())))
}

/// Whether a file given on the command line is a whole mail rather than an export.
pub fn looks_like_mail(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".eml") || lower.ends_with(".msg.txt") {
        return true;
    }
    if parse::FileKind::detect(name, bytes).is_some() {
        return false;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    [
        "received:",
        "return-path:",
        "mime-version:",
        "message-id:",
        "from:",
        "delivered-to:",
    ]
    .iter()
    .any(|h| head.starts_with(h) || head.contains(&format!("\n{h}")))
        && head.contains("\nsubject:")
}
