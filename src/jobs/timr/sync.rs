//! One timr → Personio sync run.
//!
//! Reads the working times changed since the last run (a watermark in the ledger), plans
//! them ([`super::plan`]), writes the records through the Personio target with its
//! exactly-once rules, and only then locks the transferred entries in timr. A run that
//! stops anywhere leaves nothing doubled: records already written are known to the ledger
//! (or found in Personio), and an entry whose lock was lost is locked next time. Entries
//! deleted in timr take the periods zeitpost made for them along; periods zeitpost did not
//! make are never touched.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

use super::client::Client;
use super::error::TimrError;
use super::plan::{Plan, Settings, Skip, plan};
use super::query::Query;
use super::wire::Status;
use crate::config::TimrConfig;
use crate::ledger::{self, Ledger};
use crate::target::personio::{self, PersonioError, PersonioTarget};
use crate::target::{Item, Outcome, Policy};

const WATERMARK: &str = "timr.last_modified";

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Timr(#[from] TimrError),
    #[error(transparent)]
    Personio(#[from] PersonioError),
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
}

/// What a run did, for the log, `status` and the report.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub written: usize,
    pub unchanged: usize,
    pub locked: usize,
    pub withdrawn: usize,
    pub waiting: usize,
    /// Entries not transferred now, with the reason in words.
    pub problems: Vec<(String, String)>,
    pub zeitausgleich: usize,
    /// Zeitausgleich days booked as absences (or found booked).
    pub zeitausgleich_booked: usize,
    /// Dry run: what would be written, per entry.
    pub planned: Vec<(String, String)>,
}

impl Summary {
    pub fn line(&self) -> String {
        format!(
            "{} written, {} unchanged, {} locked, {} withdrawn, {} running, {} not transferred",
            self.written,
            self.unchanged,
            self.locked,
            self.withdrawn,
            self.waiting,
            self.problems.len()
        ) + &if self.zeitausgleich_booked > 0 {
            format!(", {} Zeitausgleich days booked", self.zeitausgleich_booked)
        } else {
            String::new()
        }
    }
}

fn describe(skip: &Skip) -> String {
    match skip {
        Skip::NoEmail { user } => format!("timr has no e-mail address for {user}"),
        Skip::Resigned { user, on } => format!("{user} left on {on}"),
        Skip::Unknown => "the entry names a user or type timr did not list".into(),
        Skip::NotAttendance { kind } => format!("{kind} is not attendance"),
        Skip::BeforeStartDate => "before timr.start_date".into(),
        Skip::Invalid(e) => e.to_string(),
    }
}

pub struct TimrSync<'a> {
    pub client: &'a Client,
    pub target: &'a mut PersonioTarget,
    pub ledger: &'a mut Ledger,
    pub config: &'a TimrConfig,
}

impl TimrSync<'_> {
    /// Locks an entry in timr after its transfer, when configured and still changeable.
    /// Returns false when the lock did not go through (tried again next run).
    async fn lock_entry(
        &mut self,
        id: &str,
        entries: &[super::wire::WorkingTime],
        summary: &mut Summary,
    ) -> bool {
        let status = entries
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.status.clone());
        if !self.config.lock || status != Some(Status::Changeable) {
            return true;
        }
        match self.client.lock(id).await {
            Ok(()) | Err(TimrError::Refused(_)) => {
                let _ = self.ledger.timr_entry_locked(id);
                summary.locked += 1;
                true
            }
            Err(e) => {
                summary
                    .problems
                    .push((id.to_string(), format!("not locked in timr: {e}")));
                false
            }
        }
    }

    /// Books a Zeitausgleich day as an absence of the configured type, exactly once: the
    /// ledger remembers the booking, and before booking the person's absences of that day
    /// are read, so a lost answer or a lost state file does not book it twice. Returns
    /// false when no absence type is configured.
    async fn zeitausgleich(
        &mut self,
        id: &str,
        email: &str,
        day: chrono::NaiveDate,
        dry_run: bool,
    ) -> Result<bool, SyncError> {
        let Some(kind) = self.config.zeitausgleich_absence_type.clone() else {
            return Ok(false);
        };
        let key = format!("timr.zeitausgleich.{id}");
        if self.ledger.get_value(&key)?.is_some_and(|v| v != "planned") {
            return Ok(true);
        }
        let Some(person) = self.target.person_id(email).await? else {
            return Err(
                PersonioError::NotFound(format!("no person with the address {email}")).into(),
            );
        };
        let client = self.target.client();
        if let Some((absence, _)) = client
            .absences_on(&person, day)
            .await?
            .into_iter()
            .find(|(_, t)| *t == kind)
        {
            if !dry_run {
                self.ledger.set_value(&key, &absence)?;
            }
            return Ok(true);
        }
        if dry_run {
            return Ok(true);
        }
        self.ledger.set_value(&key, "planned")?;
        let absence = client
            .create_absence(&person, &kind, day, "Zeitausgleich (timr)")
            .await?;
        self.ledger.set_value(&key, &absence)?;
        Ok(true)
    }

    pub async fn run(&mut self, dry_run: bool) -> Result<Summary, SyncError> {
        let zone: Tz = self
            .config
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Europe::Berlin);
        let since = self
            .ledger
            .get_value(WATERMARK)?
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok());
        let users = self.client.users().await?;
        let types = self.client.working_time_types().await?;
        let entries = self
            .client
            .working_times(&Query {
                last_modified_after: since,
                start_from: self.config.start_date,
                ..Query::default()
            })
            .await?;
        let planned: Plan = plan(
            &users,
            &types,
            &entries,
            &Settings {
                attendance_categories: &self.config.attendance_categories,
                zeitausgleich: &self.config.zeitausgleich,
                start_date: self.config.start_date,
                zone,
            },
        );
        let mut summary = Summary {
            waiting: planned.waiting.len(),
            zeitausgleich: planned.zeitausgleich.len(),
            ..Summary::default()
        };
        for (id, skip) in &planned.skipped {
            summary.problems.push((id.clone(), describe(skip)));
        }
        for (id, email, day) in &planned.zeitausgleich {
            match self.zeitausgleich(id, email, *day, dry_run).await {
                Ok(true) => {
                    summary.zeitausgleich_booked += 1;
                    if !dry_run {
                        self.lock_entry(id, &entries, &mut summary).await;
                    }
                }
                Ok(false) => summary.problems.push((
                    id.clone(),
                    format!("Zeitausgleich of {email} on {day}: no timr.zeitausgleich_absence_type configured"),
                )),
                Err(e) => summary
                    .problems
                    .push((id.clone(), format!("Zeitausgleich of {email} on {day}: {e}"))),
            }
        }
        // An entry that moved to another day or start is another record: take the old one back.
        if !dry_run {
            for (id, record) in &planned.records {
                if let Some((old, _)) = self.ledger.timr_entry(id)?
                    && self.ledger.entry(personio::TARGET, record)?.map(|e| e.id) != Some(old)
                {
                    self.target.withdraw(self.ledger, old).await?;
                    self.ledger.forget_timr_entry(id)?;
                    summary.withdrawn += 1;
                }
            }
        }
        let items: Vec<Item> = planned
            .records
            .iter()
            .map(|(id, r)| Item {
                row: format!("timr {id}"),
                record: r.clone(),
                file_sha256: "timr".into(),
            })
            .collect();
        // timr is the master of its own entries: a changed entry replaces what zeitpost wrote.
        let outcomes = self
            .target
            .import(
                self.ledger,
                &items,
                Policy {
                    corrections: true,
                    dry_run,
                },
            )
            .await?;
        let mut all_done = true;
        for ((id, record), outcome) in planned.records.iter().zip(&outcomes) {
            match outcome {
                Outcome::Written { .. } | Outcome::Updated { .. } => summary.written += 1,
                Outcome::AlreadyImported { .. } | Outcome::AlreadyInTarget => {
                    summary.unchanged += 1
                }
                Outcome::WouldWrite { update, .. } => {
                    let what = if *update {
                        "would replace"
                    } else {
                        "would write"
                    };
                    let t = crate::parse::value::format_minutes;
                    summary.planned.push((
                        id.clone(),
                        format!(
                            "{what} {} {} {}–{}",
                            record.employee,
                            record.date,
                            t(record.start),
                            t(record.end)
                        ),
                    ));
                }
                other => {
                    all_done &= !matches!(other, Outcome::Deferred(_));
                    summary
                        .problems
                        .push((id.clone(), other.describe(crate::lang::Lang::En)));
                    continue;
                }
            }
            if dry_run {
                continue;
            }
            let Some(entry) = self.ledger.entry(personio::TARGET, record)? else {
                continue;
            };
            self.ledger.set_timr_entry(id, entry.id)?;
            if !self.lock_entry(id, &entries, &mut summary).await {
                all_done = false;
            }
        }
        if !dry_run {
            for deleted in self.client.deleted_working_times(since).await? {
                if let Some((record_id, _)) = self.ledger.timr_entry(&deleted.id)? {
                    self.target.withdraw(self.ledger, record_id).await?;
                    self.ledger.forget_timr_entry(&deleted.id)?;
                    summary.withdrawn += 1;
                }
            }
            // Move the watermark only past a run that left nothing to do again.
            let newest: Option<DateTime<FixedOffset>> =
                entries.iter().filter_map(|e| e.last_modified).max();
            if all_done && let Some(t) = newest {
                self.ledger.set_value(WATERMARK, &t.to_rfc3339())?;
            }
        }
        Ok(summary)
    }
}
