//! `zeitpost sync timr [--dry-run]` and
//! `zeitpost sync timetrack [--job JOB] [--from DATE --to DATE] [--dry-run]`

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use zeitpost::importer::Target;
use zeitpost::jobs::timr::client::{Client, Settings};
use zeitpost::jobs::timr::sync::TimrSync;
use zeitpost::ledger::Ledger;

use super::{EXIT_FAILED, load_config};

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The system to sync with
    #[arg(value_enum)]
    system: System,
    /// Read both sides and show the plan; write nothing
    #[arg(long)]
    dry_run: bool,
    /// TimeTrack only: run this job (employees, time_entries, absences); default all configured
    #[arg(long)]
    job: Option<String>,
    /// TimeTrack only: first day to sync (YYYY-MM-DD), instead of the configured lookback
    #[arg(long, requires = "to")]
    from: Option<chrono::NaiveDate>,
    /// TimeTrack only: last day to sync (YYYY-MM-DD)
    #[arg(long, requires = "from")]
    to: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum System {
    Timr,
    Timetrack,
}

pub fn run(args: SyncArgs, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, false)?;
    if let System::Timetrack = args.system {
        return timetrack(&args, &config);
    }
    if args.job.is_some() || args.from.is_some() {
        anyhow::bail!("--job, --from and --to apply to the TimeTrack sync only");
    }
    let timr = config
        .timr
        .clone()
        .context("no [timr] section in the config")?;
    let Target::Personio(mut target) = Target::from_config(&config)? else {
        anyhow::bail!("the timr sync writes to Personio: the config needs a [personio] section");
    };
    let client = Client::new(Settings {
        base_url: timr.base_url.clone(),
        token_url: timr.token_url.clone(),
        client_id: timr.client_id.clone(),
        client_secret: timr.client_secret.resolve().context("timr.client_secret")?,
        max_rps: 5.0,
        timeout: Duration::from_secs(30),
        attempts: 6,
    })?;
    let (mut ledger, runtime) = open(&config, args.dry_run)?;
    let summary = runtime.block_on(
        TimrSync {
            client: &client,
            target: &mut target,
            ledger: &mut ledger,
            config: &timr,
        }
        .run(args.dry_run),
    )?;
    println!("timr: {}", summary.line());
    for (id, plan) in &summary.planned {
        println!("  entry {id}: {plan}");
    }
    for (id, why) in &summary.problems {
        println!("  entry {id}: {why}");
    }
    Ok(if summary.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}

fn timetrack(args: &SyncArgs, config: &zeitpost::config::Config) -> anyhow::Result<ExitCode> {
    use zeitpost::jobs::timetrack::summary::Job;
    use zeitpost::jobs::timetrack::sync::{TimetrackSync, Window, client};
    let tt = config
        .timetrack
        .clone()
        .context("no [timetrack] section in the config")?;
    let jobs: Vec<Job> = match &args.job {
        Some(name) => vec![Job::parse(name).with_context(|| {
            format!("unknown job {name:?}: use employees, time_entries or absences")
        })?],
        None => {
            let on = [
                (Job::Employees, tt.employees.as_ref().map(|j| j.enabled)),
                (
                    Job::TimeEntries,
                    tt.time_entries.as_ref().map(|j| j.enabled),
                ),
                (Job::Absences, tt.absences.as_ref().map(|j| j.enabled)),
            ];
            on.into_iter()
                .filter(|(_, enabled)| *enabled == Some(true))
                .map(|(j, _)| j)
                .collect()
        }
    };
    if jobs.is_empty() {
        anyhow::bail!("no TimeTrack job is enabled: add [timetrack.time_entries] or another job");
    }
    let window = match (args.from, args.to) {
        (Some(from), Some(to)) if from <= to => Some(Window { from, to }),
        (Some(_), Some(_)) => anyhow::bail!("--from must not be after --to"),
        _ => None,
    };
    let Target::Personio(mut target) = Target::from_config(config)? else {
        anyhow::bail!(
            "the TimeTrack sync works with Personio: the config needs a [personio] section"
        );
    };
    let client = client(&tt, Duration::from_secs(30), 6)?;
    let (mut ledger, runtime) = open(config, args.dry_run)?;
    let mut clean = true;
    for job in jobs {
        let summary = runtime.block_on(
            TimetrackSync {
                client: &client,
                target: &mut target,
                ledger: &mut ledger,
                config: &tt,
            }
            .run(job, window, args.dry_run),
        )?;
        println!("TimeTrack {}: {}", job.name(), summary.line());
        for line in summary
            .planned
            .iter()
            .chain(&summary.conflicts)
            .chain(&summary.problems)
            .chain(&summary.notes)
            .chain(&summary.held)
        {
            println!("  {line}");
        }
        clean &= summary.problems.is_empty() && summary.unfinished == 0;
    }
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}

/// The state database (read-only for a dry run, which must not even create it) and a
/// runtime for one run.
fn open(
    config: &zeitpost::config::Config,
    dry_run: bool,
) -> anyhow::Result<(Ledger, tokio::runtime::Runtime)> {
    let ledger = if dry_run {
        Ledger::open_read_only(&config.state.path)?
    } else {
        Ledger::open(&config.state.path)?
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok((ledger, runtime))
}
