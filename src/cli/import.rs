//! `zeitpost import [--dry-run] FILE...`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use zeitpost::config::Corrections;
use zeitpost::importer::{Importer, Target, inputs_from};
use zeitpost::ingest::Settings;
use zeitpost::lang::Lang;
use zeitpost::ledger::Ledger;
use zeitpost::report::{counts, render_text};
use zeitpost::senders;
use zeitpost::target::Policy;

use super::{EXIT_FAILED, load_config};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Export files or mails (.eml) to import
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Read the target and show the plan; write nothing anywhere
    #[arg(long)]
    dry_run: bool,
    /// Import as if the files came from this address (HR senders may correct records)
    #[arg(long, value_name = "ADDRESS")]
    sender: Option<String>,
    /// Language of the report: de or en [default: report.language from the config]
    #[arg(long, value_name = "LANG")]
    lang: Option<Lang>,
}

pub fn run(args: ImportArgs, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, false)?;
    let mut settings = Settings::from_config(&config, chrono::Local::now().date_naive())?;
    if let Some(lang) = args.lang {
        settings.lang = lang;
    }
    let mut ledger = if args.dry_run {
        Ledger::open_read_only(&config.state.path)?
    } else {
        Ledger::open(&config.state.path)?
    };
    let mut target = Target::from_config(&config)?;
    let hr = args
        .sender
        .as_deref()
        .is_some_and(|s| senders::matches_any(&config.senders.hr, s));
    let policy = Policy {
        corrections: hr && config.import.corrections == Corrections::Update,
        dry_run: args.dry_run,
    };
    let mut reports = Vec::new();
    let mut inputs = Vec::new();
    for path in &args.files {
        let label = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {label}"))?;
        inputs.extend(inputs_from(
            &label,
            bytes,
            &settings.mail_limits,
            settings.lang,
            &mut reports,
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let source = match &args.sender {
        Some(s) => format!("import from {s}"),
        None => "import".to_string(),
    };
    let mut importer = Importer {
        settings: &settings,
        ledger: &mut ledger,
        target: &mut target,
        lang: settings.lang,
    };
    let files = runtime.block_on(importer.run(inputs, &source, policy))?;
    reports.extend(files);
    print!("{}", render_text(&reports, settings.lang));
    let c = counts(&reports);
    Ok(if c.unreadable_files + c.failed + c.deferred > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
