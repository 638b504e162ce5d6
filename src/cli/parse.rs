//! `zeitpost parse FILE...`

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use zeitpost::ingest::{self, Settings};
use zeitpost::lang::Lang;
use zeitpost::mail;
use zeitpost::parse::value::format_minutes;
use zeitpost::parse::{FileError, Profile};
use zeitpost::records::{Outcome, Record};

use super::{EXIT_FAILED, load_config};

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// Export files (.csv .txt .xlsx .xls .ods) or mails (.eml)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Read the files with this column profile from the config instead of detecting
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Language of the reasons: de or en [default: report.language from the config, else de]
    #[arg(long, value_name = "LANG")]
    lang: Option<Lang>,
}

/// One output line.
#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    row: &'a str,
    status: &'static str,
    #[serde(flatten)]
    record: Option<RecordJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
struct RecordJson<'a> {
    employee: &'a str,
    date: String,
    start: String,
    end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<String>,
    break_minutes: u32,
    comment: Option<&'a str>,
}

impl<'a> RecordJson<'a> {
    fn new(r: &'a Record) -> Self {
        RecordJson {
            employee: &r.employee,
            date: r.date.to_string(),
            start: format_minutes(r.start),
            end: format_minutes(r.end),
            end_date: r.end_date.map(|d| d.to_string()),
            break_minutes: r.break_minutes,
            comment: r.comment.as_deref().filter(|c| !c.is_empty()),
        }
    }
}

pub fn run(args: ParseArgs, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, true)?;
    let profile: Option<Profile> = match &args.profile {
        Some(name) => Some(config.profile(name).cloned().ok_or_else(|| {
            anyhow::anyhow!(
                "{}",
                FileError::UnknownProfile(name.clone()).reason(Lang::En)
            )
        })?),
        None => None,
    };
    let mut settings = Settings::from_config(&config, chrono::Local::now().date_naive())?;
    if let Some(lang) = args.lang {
        settings.lang = lang;
    }
    // Deeply nested input is bounded, but reading still recurses: give it room.
    let worker = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || parse_all(&args.files, &settings, profile))?;
    let all_read = worker
        .join()
        .map_err(|_| anyhow::anyhow!("internal error while parsing"))??;
    Ok(if all_read {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}

/// Prints every file's rows; returns whether every file could be read.
fn parse_all(
    files: &[PathBuf],
    settings: &Settings,
    profile: Option<Profile>,
) -> anyhow::Result<bool> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut all_read = true;
    for path in files {
        let label = path.display().to_string();
        let bytes = match read_bounded(
            path,
            settings
                .mail_limits
                .decoded_bytes
                .max(settings.limits.file_bytes),
        ) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{label}: {e}");
                all_read = false;
                continue;
            }
        };
        let ok = if ingest::looks_like_mail(&label, &bytes) {
            parse_mail(&label, &bytes, settings, profile.as_ref(), &mut out)?
        } else {
            let name = path
                .file_name()
                .map_or(label.clone(), |n| n.to_string_lossy().into_owned());
            parse_export(&label, &name, &bytes, settings, profile.as_ref(), &mut out)?
        };
        all_read &= ok;
    }
    out.flush().or_else(ignore_broken_pipe)?;
    Ok(all_read)
}

fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "file is larger than the limit of {limit} bytes"
        )));
    }
    Ok(bytes)
}

fn parse_mail(
    label: &str,
    bytes: &[u8],
    settings: &Settings,
    profile: Option<&Profile>,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let mail = match mail::read(bytes, &settings.mail_limits) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{label}: mail cannot be read: {e}");
            return Ok(false);
        }
    };
    for problem in &mail.problems {
        tracing::warn!(mail = label, "{problem}");
    }
    let mut all_read = true;
    let mut exports = 0;
    for attachment in mail.attachments.iter().filter(|a| a.is_export()) {
        exports += 1;
        let file = format!("{label}/{}", attachment.name);
        if attachment.oversized {
            let e = FileError::TooLarge {
                size: settings.limits.file_bytes + 1,
                limit: settings.limits.file_bytes,
            };
            eprintln!("{file}: {}", e.reason(settings.lang));
            all_read = false;
            continue;
        }
        all_read &= parse_export(
            &file,
            &attachment.name,
            &attachment.bytes,
            settings,
            profile,
            out,
        )?;
    }
    if exports == 0 {
        eprintln!("{label}: the mail carries no export file (CSV, XLSX, XLS or ODS)");
    }
    Ok(all_read)
}

/// Prints one export's rows under the label `file`; `name` is its own file name.
fn parse_export(
    file: &str,
    name: &str,
    bytes: &[u8],
    settings: &Settings,
    profile: Option<&Profile>,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let mut write_error = None;
    let result = ingest::read_file(name, bytes, settings, profile, &mut |row, outcome| {
        if write_error.is_some() {
            return;
        }
        if let Err(e) = write_line(out, file, &row, &outcome, settings.lang) {
            write_error = Some(e);
        }
    });
    if let Some(e) = write_error {
        ignore_broken_pipe(e)?;
    }
    match result {
        Ok(()) => Ok(true),
        Err(e) => {
            eprintln!("{file}: {}", e.reason(settings.lang));
            Ok(false)
        }
    }
}

fn write_line(
    out: &mut impl Write,
    file: &str,
    row: &str,
    outcome: &Outcome,
    lang: Lang,
) -> io::Result<()> {
    let line = match outcome {
        Outcome::Ok(r) => Line {
            file,
            row,
            status: "ok",
            record: Some(RecordJson::new(r)),
            duplicate_of: None,
            reason: None,
        },
        Outcome::Duplicate { record, first } => Line {
            file,
            row,
            status: "duplicate",
            record: Some(RecordJson::new(record)),
            duplicate_of: Some(first),
            reason: None,
        },
        Outcome::Rejected(r) => Line {
            file,
            row,
            status: "rejected",
            record: None,
            duplicate_of: None,
            reason: Some(r.rejection.reason(lang)),
        },
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// A closed pipe (`zeitpost parse x.csv | head`) ends the output quietly.
fn ignore_broken_pipe(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    Err(e)
}
