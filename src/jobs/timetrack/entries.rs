//! The time entries job: TimeTrack attendances ↔ Personio attendance periods.
//!
//! On the Personio side an item is either a record this job wrote (`rec:<id>`, its periods
//! known from the ledger) or a person's day of periods nobody in zeitpost wrote
//! (`day:<address>:<date>`), which becomes one TimeTrack attendance from the first start to
//! the last end. Periods zeitpost wrote for any other source (terminal mails, timr) are
//! never read back as new, so an import is never echoed into TimeTrack; a TimeTrack entry
//! that overlaps one becomes a conflict in the summary, not a double booking.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveTime};
use chrono_tz::Tz;

use super::apply::{Peer, StepError, Written, apply};
use super::client::{Client, TimeTrackError};
use super::directory::Directory;
use super::plan::{Sides, plan};
use super::reconcile::{Rules, Seen};
use super::shift::{NoShift, Period, Shift, from_periods, to_utc};
use super::summary::{Job, Summary};
use super::sync::{SyncError, TimetrackSync, Window, personio_step_error, timetrack_step_error};
use super::wire::{Attendance, NewAttendance};
use crate::config::{EntriesMode, TimeEntriesJob};
use crate::ledger::{Ledger, Pair, Side};
use crate::target::personio::client::RemotePeriod;
use crate::target::personio::{self, PersonioTarget};
use crate::target::{Item, Outcome, Policy};

const JOB: Job = Job::TimeEntries;
/// Marks records this job wrote, so an e-mail import of the same shift is told apart.
const SOURCE: &str = "timetrack";

pub(super) async fn run(
    s: &mut TimetrackSync<'_>,
    job: &TimeEntriesJob,
    window: Window,
    dry_run: bool,
) -> Result<Summary, SyncError> {
    let zone = s.config.zone();
    let dir = s.directory(dry_run).await?;
    let mut summary = Summary::default();
    if !dry_run {
        // A record a stopped run left half written is finished (or rolled back) first, so
        // that its periods are all there, or none, before they are compared.
        s.target.recover(s.ledger).await?;
    }
    // Still pending (Personio unreachable just now): neither written nor deleted.
    let unsettled: HashSet<String> = s
        .ledger
        .pending(personio::TARGET)?
        .into_iter()
        .map(|p| format!("rec:{}", p.record_id))
        .collect();
    let persons = dir.shared_persons();
    let periods = s
        .target
        .client()
        .periods(&persons, window.from, window.to)
        .await?;
    let written = s.ledger.written_remote_ids(personio::TARGET)?;
    let pairs = s
        .ledger
        .sync_pairs(JOB.key(), Some((window.from, window.to)))?;
    let mut records = HashMap::new();
    for p in &pairs {
        if let Some(n) = p.personio.id().and_then(record_id) {
            let ids: Vec<String> = s
                .ledger
                .live_remote_ids(n)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            records.insert(n, ids);
        }
    }
    let side = personio_items(&periods, &records, &written, &dir, &mut summary);
    let from = to_utc(window.from.and_time(NaiveTime::MIN), zone);
    let to = to_utc(
        (window.to + Duration::days(1)).and_time(NaiveTime::MIN),
        zone,
    );
    let attendances = s.client.attendances(from, to, None).await?;
    let theirs = timetrack_items(&attendances, &dir, zone, s.config.start_date, &mut summary);
    let mut sides = Sides {
        timetrack: theirs.items,
        skipped_personio: side.skipped,
        skipped_timetrack: theirs.skipped,
        ..Sides::default()
    };
    sides.skipped_personio.extend(unsettled);
    for i in side.items {
        if s.config.start_date.is_some_and(|d| i.content.date < d) {
            sides.skipped_personio.insert(i.id);
        } else {
            sides.personio.push(i);
        }
    }
    let rules = Rules::new(true, job.mode == EntriesMode::Bidirectional, job.master);
    let plan = plan(s.ledger, JOB, true, pairs, sides, rules, &mut summary)?;
    let mut peer = EntriesPeer {
        client: s.client,
        target: s.target,
        ledger: s.ledger,
        dir: &dir,
        zone,
        day_periods: side.day_periods,
        notes: theirs.notes,
        comments: side.comments,
    };
    apply(JOB.key(), plan, &mut peer, &mut summary, dry_run)
        .await
        .map_err(SyncError::from_step)?;
    Ok(summary)
}

/// The TimeTrack side's items: finished attendances of users with a Personio person.
struct TimetrackSide {
    items: Vec<Seen<Shift>>,
    /// There but not synced now (running, no person, not convertible, before `start_date`).
    skipped: HashSet<String>,
    /// Notes by attendance id, for the Personio comment.
    notes: HashMap<String, String>,
}

fn timetrack_items(
    attendances: &[Attendance],
    dir: &Directory,
    zone: Tz,
    start_date: Option<chrono::NaiveDate>,
    summary: &mut Summary,
) -> TimetrackSide {
    let mut out = TimetrackSide {
        items: Vec::new(),
        skipped: HashSet::new(),
        notes: HashMap::new(),
    };
    for a in attendances {
        let Some(email) = dir.email_of_username(&a.user) else {
            summary
                .held
                .push(format!("TimeTrack user {} has no Personio person", a.user));
            out.skipped.insert(a.id.clone());
            continue;
        };
        let Some(end) = a.to else {
            summary
                .held
                .push(format!("{email}: entry {} is still running", a.id));
            out.skipped.insert(a.id.clone());
            continue;
        };
        match Shift::from_attendance(email, a.from, end, a.break_minutes, zone) {
            Ok(shift) if start_date.is_some_and(|d| shift.date < d) => {
                out.skipped.insert(a.id.clone());
            }
            Ok(shift) => {
                if let Some(n) = a.notes.as_ref().filter(|n| !n.trim().is_empty()) {
                    out.notes.insert(a.id.clone(), n.clone());
                }
                out.items.push(Seen {
                    id: a.id.clone(),
                    key: shift.key(),
                    day: Some(shift.date),
                    content: shift,
                });
            }
            Err(e) => {
                summary
                    .problems
                    .push(format!("{email}: TimeTrack entry {}: {e}", a.id));
                out.skipped.insert(a.id.clone());
            }
        }
    }
    out
}

fn record_id(id: &str) -> Option<i64> {
    id.strip_prefix("rec:")?.parse().ok()
}

struct PersonioSide {
    items: Vec<Seen<Shift>>,
    /// The ids of the periods of each `day:` item, for replacing or deleting it.
    day_periods: HashMap<String, Vec<String>>,
    comments: HashMap<String, String>,
    /// Items there but not synced now (running, unusable).
    skipped: HashSet<String>,
}

fn period(p: &RemotePeriod) -> Period {
    Period {
        kind: p.kind.unwrap_or(crate::target::layout::PeriodKind::Work),
        start: p.start,
        end: p.end,
    }
}

/// The Personio side's items: this job's records, then days of periods nobody in zeitpost
/// wrote.
fn personio_items(
    periods: &[RemotePeriod],
    records: &HashMap<i64, Vec<String>>,
    written: &HashSet<String>,
    dir: &Directory,
    summary: &mut Summary,
) -> PersonioSide {
    let by_id: HashMap<&str, &RemotePeriod> = periods.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut out = PersonioSide {
        items: Vec::new(),
        day_periods: HashMap::new(),
        comments: HashMap::new(),
        skipped: HashSet::new(),
    };
    for (n, ids) in records {
        let found: Vec<&RemotePeriod> = ids
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).copied())
            .collect();
        let id = format!("rec:{n}");
        let Some(first) = found.first() else {
            continue;
        };
        let shift = dir.email_of_person(&first.person_id).and_then(|email| {
            from_periods(email, &found.iter().map(|p| period(p)).collect::<Vec<_>>()).ok()
        });
        match shift {
            Some(shift) => out.items.push(Seen {
                id,
                key: shift.key(),
                day: Some(shift.date),
                content: shift,
            }),
            // There, but not readable as a shift now: not deleted either.
            None => {
                out.skipped.insert(id);
            }
        }
    }
    let mut days: HashMap<(String, chrono::NaiveDate), Vec<&RemotePeriod>> = HashMap::new();
    for p in periods.iter().filter(|p| !written.contains(&p.id)) {
        if let Some(email) = dir.email_of_person(&p.person_id) {
            days.entry((email.to_string(), p.start.date()))
                .or_default()
                .push(p);
        }
    }
    let mut days: Vec<_> = days.into_iter().collect();
    days.sort_by(|a, b| a.0.cmp(&b.0));
    for ((email, date), list) in days {
        let id = format!("day:{email}:{date}");
        match from_periods(&email, &list.iter().map(|p| period(p)).collect::<Vec<_>>()) {
            Ok(shift) => {
                if let Some(c) = list
                    .iter()
                    .find_map(|p| p.comment.clone())
                    .filter(|c| !c.trim().is_empty())
                {
                    out.comments.insert(id.clone(), c);
                }
                out.day_periods
                    .insert(id.clone(), list.iter().map(|p| p.id.clone()).collect());
                out.items.push(Seen {
                    id,
                    key: shift.key(),
                    day: Some(shift.date),
                    content: shift,
                });
            }
            Err(NoShift::Running) => {
                summary
                    .held
                    .push(format!("{email} {date}: still clocked in in Personio"));
                out.skipped.insert(id);
            }
            Err(NoShift::NoWork) => {
                summary.held.push(format!(
                    "{email} {date}: only breaks in Personio, no working time"
                ));
                out.skipped.insert(id);
            }
            Err(NoShift::Unusable) => {
                summary.problems.push(format!(
                    "{email} {date}: Personio's periods of this day span more than one midnight"
                ));
                out.skipped.insert(id);
            }
        }
    }
    out
}

struct EntriesPeer<'a> {
    client: &'a Client,
    target: &'a mut PersonioTarget,
    ledger: &'a mut Ledger,
    dir: &'a Directory,
    zone: Tz,
    day_periods: HashMap<String, Vec<String>>,
    /// TimeTrack notes by attendance id, Personio comments by `day:` id.
    notes: HashMap<String, String>,
    comments: HashMap<String, String>,
}

impl EntriesPeer<'_> {
    fn attendance(&self, shift: &Shift, pair: &Pair) -> Result<NewAttendance, StepError> {
        let username = self
            .dir
            .username(&shift.email)
            .ok_or_else(|| StepError::Refused(format!("{} has no TimeTrack user", shift.email)))?;
        let (from, to) = shift.utc_span(self.zone);
        Ok(NewAttendance {
            username: username.to_string(),
            from,
            to,
            break_minutes: shift.break_minutes,
            notes: pair
                .personio
                .id()
                .and_then(|id| self.comments.get(id))
                .cloned(),
        })
    }

    /// Writes a TimeTrack shift into Personio through the target's exactly-once path.
    async fn import(&mut self, shift: &Shift, pair: &Pair) -> Result<Written, StepError> {
        let record = shift.to_record(
            pair.timetrack
                .id()
                .and_then(|id| self.notes.get(id))
                .cloned(),
        );
        let own = pair.personio.id().and_then(record_id);
        if let Some(e) = self
            .ledger
            .entry(personio::TARGET, &record)
            .map_err(SyncError::step)?
            && e.file_sha256.as_deref() != Some(SOURCE)
            && Some(e.id) != own
        {
            return Err(StepError::Refused(format!(
                "the same shift was imported from {} on {}",
                e.row.unwrap_or_else(|| "another source".into()),
                crate::ledger::day_of(&e.created_at)
            )));
        }
        let item = Item {
            row: format!("TimeTrack {}", pair.timetrack.id().unwrap_or("")),
            record: record.clone(),
            file_sha256: SOURCE.into(),
        };
        let outcomes = self
            .target
            .import(
                self.ledger,
                std::slice::from_ref(&item),
                Policy {
                    corrections: true,
                    dry_run: false,
                },
            )
            .await
            .map_err(personio_step_error)?;
        match outcomes.into_iter().next() {
            Some(o) if o.is_in_target() => {
                let entry = self
                    .ledger
                    .entry(personio::TARGET, &record)
                    .map_err(SyncError::step)?;
                let id = entry
                    .map(|e| format!("rec:{}", e.id))
                    .ok_or_else(|| StepError::Later("the record is not in the ledger".into()))?;
                Ok(Written::id(id))
            }
            Some(Outcome::Deferred(m)) => Err(StepError::Later(m)),
            Some(o) => Err(StepError::Refused(o.describe(crate::lang::Lang::En))),
            None => Err(StepError::Later("no outcome".into())),
        }
    }

    /// Takes an item out of Personio: a record through the target, a day period by period.
    async fn remove(&mut self, id: &str) -> Result<(), StepError> {
        if let Some(n) = record_id(id) {
            return self
                .target
                .withdraw(self.ledger, n)
                .await
                .map_err(personio_step_error);
        }
        for period in self.day_periods.get(id).cloned().unwrap_or_default() {
            self.target
                .client()
                .delete(&period)
                .await
                .map_err(personio_step_error)?;
        }
        Ok(())
    }
}

impl Peer<Shift> for EntriesPeer<'_> {
    fn ledger(&mut self) -> &mut Ledger {
        self.ledger
    }

    fn label(&self, s: &Shift) -> String {
        format!(
            "{} {} {}–{}",
            s.email,
            s.date.format("%d.%m.%Y"),
            s.local_start().format("%H:%M"),
            s.local_end().format("%H:%M")
        )
    }

    async fn create(&mut self, to: Side, shift: &Shift, pair: &Pair) -> Result<Written, StepError> {
        match to {
            Side::Personio => self.import(shift, pair).await,
            Side::Timetrack => {
                let a = self.attendance(shift, pair)?;
                let id = self
                    .client
                    .create_attendance(&a)
                    .await
                    .map_err(timetrack_step_error)?;
                Ok(Written::id(id))
            }
        }
    }

    async fn update(
        &mut self,
        to: Side,
        id: &str,
        shift: &Shift,
        pair: &Pair,
    ) -> Result<Written, StepError> {
        match to {
            Side::Personio => {
                // A record under another day or start is another record; a day of periods
                // written by hand is replaced by the shift as TimeTrack has it.
                let moved = match record_id(id) {
                    Some(n) => self
                        .ledger
                        .record_by_id(n)
                        .map_err(SyncError::step)?
                        .is_some_and(|r| (r.date, r.start) != (shift.date, shift.start)),
                    None => true,
                };
                if moved {
                    self.remove(id).await?;
                }
                self.import(shift, pair).await
            }
            Side::Timetrack => {
                let a = self.attendance(shift, pair)?;
                self.client
                    .update_attendance(id, &a)
                    .await
                    .map_err(timetrack_step_error)?;
                Ok(Written::id(id))
            }
        }
    }

    async fn delete(&mut self, to: Side, id: &str, _pair: &Pair) -> Result<(), StepError> {
        match to {
            Side::Personio => self.remove(id).await,
            Side::Timetrack => match self.client.delete_attendance(id).await {
                Ok(()) | Err(TimeTrackError::NotFound(_)) => Ok(()),
                Err(e) => Err(timetrack_step_error(e)),
            },
        }
    }
}
