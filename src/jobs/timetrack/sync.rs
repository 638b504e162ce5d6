//! One run of a TimeTrack job: the clients, the ledger and the window it looks at.

use chrono::{Duration, NaiveDate};

use super::apply::StepError;
use super::client::{Client, TimeTrackError};
use super::directory::Directory;
use super::summary::{Job, Summary};
use crate::config::TimetrackConfig;
use crate::ledger::{self, Ledger, Side};
use crate::target::personio::{PersonioError, PersonioTarget};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Timetrack(#[from] TimeTrackError),
    #[error(transparent)]
    Personio(#[from] PersonioError),
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
    #[error("{0}")]
    Stopped(String),
    #[error("the TimeTrack job {0} is not configured: add [timetrack.{0}]")]
    NotConfigured(&'static str),
    #[error("{0}")]
    Config(String),
}

/// The TimeTrack client `[timetrack]` describes.
pub fn client(
    config: &TimetrackConfig,
    timeout: std::time::Duration,
    attempts: u32,
) -> Result<Client, SyncError> {
    let secret = |key: &str, s: &crate::config::Secret| {
        s.resolve()
            .map_err(|e| SyncError::Config(format!("timetrack.{key}: {e}")))
    };
    Ok(Client::new(super::client::Settings {
        base_url: config.base_url.clone(),
        api_key: secret("api_key", &config.api_key)?.expose().to_string(),
        api_secret: secret("api_secret", &config.api_secret)?,
        max_rps: config.max_rps,
        timeout,
        attempts,
        page_size: config.page_size,
        absence_types_path: config.absence_types_path.clone(),
    })?)
}

impl SyncError {
    pub(super) fn from_step(e: StepError) -> SyncError {
        match e {
            StepError::Stop(m)
            | StepError::Refused(m)
            | StepError::NotMirrored(m)
            | StepError::Later(m) => SyncError::Stopped(m),
        }
    }

    /// A ledger failure inside a step stops the run.
    pub(super) fn step(e: ledger::LedgerError) -> StepError {
        StepError::Stop(e.to_string())
    }
}

/// What a failed TimeTrack write means for the item.
pub(super) fn timetrack_step_error(e: TimeTrackError) -> StepError {
    match e {
        TimeTrackError::Unauthorized(_) | TimeTrackError::Forbidden(_) => {
            StepError::Stop(e.to_string())
        }
        TimeTrackError::Overlap(_)
        | TimeTrackError::Rejected { .. }
        | TimeTrackError::NotFound(_) => StepError::Refused(e.to_string()),
        _ => StepError::Later(e.to_string()),
    }
}

/// What a failed Personio write means for the item.
pub(super) fn personio_step_error(e: PersonioError) -> StepError {
    match e {
        PersonioError::Unauthorized(_) | PersonioError::Forbidden(_) => {
            StepError::Stop(e.to_string())
        }
        PersonioError::Rejected { .. }
        | PersonioError::NotFound(_)
        | PersonioError::Conflict(_)
        | PersonioError::Unsupported(_) => StepError::Refused(e.to_string()),
        _ => StepError::Later(e.to_string()),
    }
}

/// The days a run looks at, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    /// `lookback` before `today` to `lookahead` after it, not before `start_date`.
    pub fn around(today: NaiveDate, config: &TimetrackConfig, ahead: bool) -> Window {
        let days = |d: std::time::Duration| Duration::days((d.as_secs() / 86_400) as i64);
        let mut from = today - days(config.lookback);
        if let Some(start) = config.start_date {
            from = from.max(start);
        }
        let to = if ahead {
            today + days(config.lookahead)
        } else {
            today
        };
        Window {
            from,
            to: to.max(from),
        }
    }
}

/// Items listed on either side, for finding their pairs.
pub(super) struct Listed<'a> {
    pub personio: Vec<&'a str>,
    pub timetrack: Vec<&'a str>,
}

/// Adds to the window's `pairs` those of listed items whose remembered day lies outside
/// the window, and returns their ids to set aside: the other side of such a pair was not
/// read, so nothing about it may be decided now. A run over days that hold both the old
/// and the new day settles it.
pub(super) fn across_the_edge(
    ledger: &Ledger,
    job: Job,
    listed: Listed,
    pairs: &mut Vec<crate::ledger::Pair>,
    summary: &mut Summary,
) -> Result<Vec<String>, SyncError> {
    // Only a listed id no pair of the window holds can belong to a pair outside it.
    let mut held: std::collections::HashSet<String> = pairs
        .iter()
        .flat_map(|p| [p.personio.id(), p.timetrack.id()])
        .flatten()
        .map(str::to_string)
        .collect();
    let mut frozen = Vec::new();
    for (side, ids) in [
        (Side::Personio, listed.personio),
        (Side::Timetrack, listed.timetrack),
    ] {
        for id in ids {
            if held.contains(id) {
                continue;
            }
            let Some(pair) = ledger.pair_holding(job.key(), side, id)? else {
                continue;
            };
            summary.held.push(format!(
                "{}: moved from {} into the synced days; sync a period holding both days to settle it",
                pair.key,
                pair.day.map(|d| d.to_string()).unwrap_or_default()
            ));
            for known in [pair.personio.id(), pair.timetrack.id()]
                .into_iter()
                .flatten()
            {
                held.insert(known.to_string());
                frozen.push(known.to_string());
            }
            pairs.push(pair);
        }
    }
    Ok(frozen)
}

pub struct TimetrackSync<'a> {
    pub client: &'a Client,
    pub target: &'a mut PersonioTarget,
    pub ledger: &'a mut Ledger,
    pub config: &'a TimetrackConfig,
}

impl TimetrackSync<'_> {
    /// Runs one job; a run that is not a dry run is recorded in the ledger for `status`.
    pub async fn run(
        &mut self,
        job: Job,
        window: Option<Window>,
        dry_run: bool,
    ) -> Result<Summary, SyncError> {
        let today = chrono::Utc::now()
            .with_timezone(&self.config.zone())
            .date_naive();
        let run = if dry_run {
            None
        } else {
            Some(self.ledger.sync_run_begin(job.key())?)
        };
        let result = match job {
            Job::Employees => {
                let j = self
                    .config
                    .employees
                    .clone()
                    .ok_or(SyncError::NotConfigured("employees"))?;
                super::employees::run(self, &j, dry_run).await
            }
            Job::TimeEntries => {
                let j = self
                    .config
                    .time_entries
                    .clone()
                    .ok_or(SyncError::NotConfigured("time_entries"))?;
                let w = window.unwrap_or_else(|| Window::around(today, self.config, false));
                super::entries::run(self, &j, w, dry_run).await
            }
            Job::Absences => {
                let j = self
                    .config
                    .absences
                    .clone()
                    .ok_or(SyncError::NotConfigured("absences"))?;
                let w = window.unwrap_or_else(|| Window::around(today, self.config, true));
                super::absences::run(self, &j, w, dry_run).await
            }
        };
        if let Some(id) = run {
            match &result {
                Ok(s) => self.ledger.sync_run_end(
                    id,
                    &s.line(),
                    s.problems.len() + s.conflicts.len(),
                    None,
                )?,
                Err(e) => self.ledger.sync_run_end(id, "", 0, Some(&e.to_string()))?,
            }
        }
        result
    }

    /// Both systems' people, linked by address; the usernames are remembered in the ledger.
    pub(super) async fn directory(&mut self, dry_run: bool) -> Result<Directory, SyncError> {
        let users = self.client.users().await?;
        let persons = self.target.client().persons().await?;
        if !dry_run {
            for u in &users {
                if let Some(e) = u.email.as_deref().filter(|e| e.contains('@')) {
                    self.ledger
                        .set_timetrack_user(e, &u.username, Some(&u.id))?;
                }
            }
        }
        let remembered = self.ledger.timetrack_users()?;
        Ok(Directory::new(
            &users
                .iter()
                .map(|u| (u.username.clone(), u.email.clone()))
                .collect::<Vec<_>>(),
            &persons
                .iter()
                .map(|p| (p.id.clone(), p.email.clone()))
                .collect::<Vec<_>>(),
            &remembered,
            &self.config.usernames,
        ))
    }
}
