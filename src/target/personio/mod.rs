//! The Personio target: records → v2 attendance periods, exactly once.
//!
//! For each batch: first finish what an earlier run left pending (reading Personio before
//! sending anything again), then sort the records by what the ledger knows, look up the
//! persons, read their periods for the days in question, and only then write what is
//! neither known nor held nor clashing. Every write is planned in the ledger before it is
//! sent; a write whose answer was lost is settled by reading Personio, never by sending it
//! blind a second time.

pub mod absences;
pub mod client;
pub mod error;
pub mod people;
pub mod wire;

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

pub use absences::{AbsencePeriod, Approval};
pub use client::{Client, Settings};
pub use error::PersonioError;
pub use people::PersonInfo;

use super::compare::{Fit, Held, fit};
use super::layout::{BreakMode, DayEnd, Period, PeriodKind, periods};
use super::{Conflict, Item, Outcome, Policy, clock};
use crate::ledger::{self, Ledger, PlannedWrite, WriteState};
use client::RemotePeriod;

pub const TARGET: &str = "personio";

/// Records planned (and confirmed) per ledger commit.
const BATCH: usize = 50;

/// What a record needs.
enum Decision {
    Done(Outcome),
    Write {
        record_id: i64,
        periods: usize,
        update: bool,
    },
}

/// Attempts to settle one write whose answer was lost.
const SETTLE_ATTEMPTS: u32 = 3;

pub struct PersonioTarget {
    client: Client,
    mode: BreakMode,
    day_end: DayEnd,
    /// Person ids by e-mail, looked up once per run; `None`: Personio has no such person.
    persons: HashMap<String, Option<String>>,
}

/// Whether a failure may pass by itself, so the record is tried again later.
fn transient(e: &PersonioError) -> bool {
    e.maybe_applied()
        || matches!(
            e,
            PersonioError::RateLimited | PersonioError::Unavailable { .. }
        )
}

/// Whether to stop the whole batch: errors that no record can get past.
fn fatal(e: &PersonioError) -> bool {
    matches!(
        e,
        PersonioError::Unauthorized(_) | PersonioError::Forbidden(_)
    )
}

fn planned(p: &Period) -> PlannedWrite {
    PlannedWrite {
        kind: p.kind.as_str().to_string(),
        start: p.start,
        end: p.end,
        comment: p.comment.clone(),
    }
}

fn to_held(r: &RemotePeriod) -> Held {
    Held {
        id: r.id.clone(),
        kind: r.kind,
        start: r.start,
        end: r
            .end
            .unwrap_or_else(|| r.start.date().and_hms_opt(23, 59, 59).expect("valid time")),
    }
}

impl PersonioTarget {
    pub fn new(client: Client, mode: BreakMode, day_end: DayEnd) -> Self {
        PersonioTarget {
            client,
            mode,
            day_end,
            persons: HashMap::new(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The Personio id of the person with this address, looked up once per run.
    pub async fn person_id(&mut self, email: &str) -> Result<Option<String>, PersonioError> {
        let email = email.to_lowercase();
        self.resolve(std::iter::once(&email)).await?;
        Ok(self.person(&email).cloned())
    }

    /// Looks up the person ids of these addresses that are not cached yet.
    async fn resolve(
        &mut self,
        emails: impl Iterator<Item = &String>,
    ) -> Result<(), PersonioError> {
        let mut missing: Vec<String> = emails
            .filter(|e| !self.persons.contains_key(*e))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let found = self.client.persons_by_email(&missing).await?;
        for e in missing {
            let id = found.get(&e).cloned();
            self.persons.insert(e, id);
        }
        Ok(())
    }

    fn person(&self, email: &str) -> Option<&String> {
        self.persons.get(email).and_then(Option::as_ref)
    }

    /// Finishes every record an earlier run left pending. Returns the ids of the records
    /// it settled, so a batch that brings them again can report them as imported now.
    pub async fn recover(&mut self, ledger: &mut Ledger) -> Result<Vec<i64>, PersonioError> {
        let pending = ledger.pending(TARGET).map_err(ledger_error)?;
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        self.resolve(pending.iter().map(|p| &p.employee)).await?;
        let mut settled = Vec::new();
        for p in pending {
            let Some(person) = self.person(&p.employee).cloned() else {
                tracing::warn!(
                    employee = p.employee,
                    "pending record of a person Personio no longer knows"
                );
                continue;
            };
            let mut held = self.day_periods(&person, p.date).await?;
            match self
                .carry_out(ledger, p.record_id, &person, &mut held)
                .await
            {
                Ok(_) => settled.push(p.record_id),
                Err(e) if fatal(&e) => return Err(e),
                Err(e) => tracing::warn!(record = p.record_id, "pending record not finished: {e}"),
            }
        }
        Ok(settled)
    }

    /// The person's periods on `date` and the day after (night shifts reach into it).
    async fn day_periods(
        &self,
        person: &str,
        date: NaiveDate,
    ) -> Result<Vec<RemotePeriod>, PersonioError> {
        self.client
            .periods(&[person.to_string()], date, date + Days::new(1))
            .await
    }

    /// Writes a batch; returns one outcome per item, in order. Errors only for what stops
    /// every record (credentials, access).
    pub async fn import(
        &mut self,
        ledger: &mut Ledger,
        items: &[Item],
        policy: Policy,
    ) -> Result<Vec<Outcome>, PersonioError> {
        let mut recovered = Vec::new();
        if !policy.dry_run {
            recovered = self.recover(ledger).await?;
        }
        let mut outcomes: Vec<Option<Outcome>> = vec![None; items.len()];
        let mut to_check = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match ledger.entry(TARGET, &item.record).map_err(ledger_error)? {
                Some(e) if e.content_hash == ledger::content_hash(&item.record) && !e.pending => {
                    outcomes[i] = Some(if recovered.contains(&e.id) {
                        // Finished just now, from an earlier attempt's plan.
                        let periods = ledger.live_remote_ids(e.id).map_err(ledger_error)?.len();
                        Outcome::Written {
                            periods,
                            changed_others: Vec::new(),
                        }
                    } else {
                        Outcome::AlreadyImported {
                            on: ledger::day_of(&e.created_at),
                        }
                    });
                }
                Some(e) if !policy.corrections && !e.pending => {
                    outcomes[i] = Some(Outcome::Conflict(Conflict::Changed {
                        imported_on: ledger::day_of(&e.created_at),
                    }));
                }
                entry => to_check.push((i, entry.map(|e| e.id))),
            }
        }
        if to_check.is_empty() {
            return Ok(outcomes
                .into_iter()
                .map(|o| o.expect("every item decided"))
                .collect());
        }
        self.resolve(to_check.iter().map(|(i, _)| &items[*i].record.employee))
            .await?;
        let mut held = self.held_for(items, &to_check).await?;
        for chunk in to_check.chunks(BATCH) {
            // Plans first, durable together: nothing is sent that the ledger does not know.
            ledger.begin_batch().map_err(ledger_error)?;
            let mut planned = Vec::new();
            for &(i, known) in chunk {
                let item = &items[i];
                let Some(person) = self.person(&item.record.employee).cloned() else {
                    outcomes[i] = Some(Outcome::UnknownEmployee);
                    continue;
                };
                let person_held = held.entry(person.clone()).or_default();
                match self.decide(ledger, item, known, person_held, policy) {
                    Ok(Decision::Done(o)) => outcomes[i] = Some(o),
                    Ok(Decision::Write {
                        record_id,
                        periods,
                        update,
                    }) => planned.push((i, record_id, person, periods, update)),
                    Err(e) => {
                        ledger.commit_batch().map_err(ledger_error)?;
                        return Err(e);
                    }
                }
            }
            ledger.commit_batch().map_err(ledger_error)?;
            // Then the writes; their confirmations are committed together at the end. A
            // confirmation lost in a crash only means the next run reads Personio to settle
            // the record, which finds the periods and sends nothing twice.
            ledger.begin_batch().map_err(ledger_error)?;
            let mut stop = None;
            for (i, record_id, person, periods, update) in planned {
                if stop.is_some() {
                    outcomes[i] = Some(Outcome::Deferred("not sent: the batch stopped".into()));
                    continue;
                }
                let person_held = held.entry(person.clone()).or_default();
                let result = self
                    .carry_out(ledger, record_id, &person, person_held)
                    .await;
                outcomes[i] = Some(match result {
                    Ok(_) if update => Outcome::Updated { periods },
                    Ok(changed_others) => Outcome::Written {
                        periods,
                        changed_others,
                    },
                    Err(e) if fatal(&e) => {
                        let o = Outcome::Deferred(e.to_string());
                        stop = Some(e);
                        o
                    }
                    Err(e) if transient(&e) => Outcome::Deferred(e.to_string()),
                    Err(e) => Outcome::Failed(e.to_string()),
                });
            }
            ledger.commit_batch().map_err(ledger_error)?;
            if let Some(e) = stop {
                return Err(e);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.expect("every item decided"))
            .collect())
    }

    /// Reads, per person, every period on the days of the records to check (and the day
    /// after each, for night shifts): one paged read per 50 persons.
    async fn held_for(
        &self,
        items: &[Item],
        to_check: &[(usize, Option<i64>)],
    ) -> Result<HashMap<String, Vec<RemotePeriod>>, PersonioError> {
        let mut persons: Vec<String> = Vec::new();
        let (mut from, mut to) = (NaiveDate::MAX, NaiveDate::MIN);
        for (i, _) in to_check {
            let r = &items[*i].record;
            if let Some(p) = self.person(&r.employee) {
                persons.push(p.clone());
                from = from.min(r.date);
                to = to.max(r.end_date.unwrap_or(r.date));
            }
        }
        persons.sort();
        persons.dedup();
        let mut by_person: HashMap<String, Vec<RemotePeriod>> = HashMap::new();
        if persons.is_empty() {
            return Ok(by_person);
        }
        for p in self.client.periods(&persons, from, to).await? {
            by_person.entry(p.person_id.clone()).or_default().push(p);
        }
        Ok(by_person)
    }

    /// Decides what a record needs: nothing (known, held, clashing) or writes, which are
    /// planned in the ledger here.
    fn decide(
        &self,
        ledger: &mut Ledger,
        item: &Item,
        known: Option<i64>,
        held: &[RemotePeriod],
        policy: Policy,
    ) -> Result<Decision, PersonioError> {
        let mut plan = periods(&item.record, self.mode);
        self.day_end.apply(&mut plan);
        let own: Vec<(String, ledger::Write)> = match known {
            Some(id) => ledger.live_remote_ids(id).map_err(ledger_error)?,
            None => Vec::new(),
        };
        let own_ids: Vec<String> = own.iter().map(|(id, _)| id.clone()).collect();
        let holding: Vec<Held> = held.iter().map(to_held).collect();
        let update = known.is_some();
        let origin = (Some(item.file_sha256.as_str()), Some(item.row.as_str()));
        match fit(&plan, &holding, &own_ids) {
            Fit::Clash(h) => Ok(Decision::Done(Outcome::Conflict(Conflict::Overlaps {
                start: clock(h.start),
                end: clock(h.end),
                date: h.start.date(),
            }))),
            Fit::Partly(found) if found.iter().all(Option::is_some) && !update => {
                if !policy.dry_run {
                    let pairs: Vec<(PlannedWrite, String)> = plan
                        .iter()
                        .zip(found)
                        .map(|(p, id)| (planned(p), id.expect("all found")))
                        .collect();
                    ledger
                        .adopt(TARGET, &item.record, origin, &pairs)
                        .map_err(ledger_error)?;
                }
                Ok(Decision::Done(Outcome::AlreadyInTarget))
            }
            _ if policy.dry_run => Ok(Decision::Done(Outcome::WouldWrite {
                periods: plan.len(),
                update,
            })),
            _ => {
                let writes: Vec<PlannedWrite> = plan.iter().map(planned).collect();
                let record_id = ledger
                    .plan(TARGET, &item.record, origin, &writes, &own)
                    .map_err(ledger_error)?;
                Ok(Decision::Write {
                    record_id,
                    periods: plan.len(),
                    update,
                })
            }
        }
    }

    /// Carries out a record's planned writes in order. A create whose answer was lost is
    /// settled by reading the day; a create refused for good rolls back what this record
    /// created, so no half-written record remains. Keeps `held` up to date.
    async fn carry_out(
        &self,
        ledger: &mut Ledger,
        record_id: i64,
        person: &str,
        held: &mut Vec<RemotePeriod>,
    ) -> Result<Vec<String>, PersonioError> {
        let mut changed_others = Vec::new();
        for w in ledger.writes(record_id).map_err(ledger_error)? {
            if w.state != WriteState::Planned {
                continue;
            }
            if w.delete {
                let id = w.remote_id.clone().unwrap_or_default();
                self.client.delete(&id).await?;
                held.retain(|h| h.id != id);
                ledger.write_done(w.id, None).map_err(ledger_error)?;
                continue;
            }
            let period = Period {
                kind: PeriodKind::parse(&w.kind).unwrap_or(PeriodKind::Work),
                start: w.start,
                end: w.end,
                comment: w.comment.clone(),
            };
            match self.create_once(person, &period, held).await {
                Ok((id, others)) => {
                    ledger.write_done(w.id, Some(&id)).map_err(ledger_error)?;
                    changed_others.extend(others);
                    held.push(RemotePeriod {
                        id,
                        person_id: person.to_string(),
                        kind: Some(period.kind),
                        start: period.start,
                        end: Some(period.end),
                        comment: period.comment,
                        updated_at: None,
                        approval: None,
                    });
                }
                Err(e)
                    if e.maybe_applied()
                        || fatal(&e)
                        || matches!(
                            e,
                            PersonioError::RateLimited | PersonioError::Unavailable { .. }
                        ) =>
                {
                    // Left planned: the next run settles it by reading Personio first.
                    return Err(e);
                }
                Err(e) => {
                    ledger
                        .write_failed(w.id, &e.to_string())
                        .map_err(ledger_error)?;
                    self.roll_back(ledger, record_id, held).await?;
                    return Err(e);
                }
            }
        }
        ledger.record_done(record_id).map_err(ledger_error)?;
        Ok(changed_others)
    }

    /// Creates one period exactly once: before sending again after a lost answer, the
    /// day is read and a period with exactly these times is taken as the one sent.
    async fn create_once(
        &self,
        person: &str,
        period: &Period,
        held: &[RemotePeriod],
    ) -> Result<(String, Vec<String>), PersonioError> {
        if let Some(h) = held.iter().find(|h| is_exactly(h, period)) {
            return Ok((h.id.clone(), Vec::new()));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.client.create(person, period).await {
                Ok(c) => return Ok((c.id, c.affected)),
                Err(e) if e.maybe_applied() && attempt < SETTLE_ATTEMPTS => {
                    tracing::info!(person, start = %period.start, "create answer lost; reading the day before sending again");
                    let day = self.day_periods(person, period.start.date()).await?;
                    if let Some(h) = day.iter().find(|h| is_exactly(h, period)) {
                        return Ok((h.id.clone(), Vec::new()));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Takes a record back: deletes the periods it made in Personio and forgets it. For a
    /// source that deleted or moved the entry the record came from.
    pub async fn withdraw(&self, ledger: &mut Ledger, record_id: i64) -> Result<(), PersonioError> {
        self.roll_back(ledger, record_id, &mut Vec::new()).await
    }

    /// Deletes what a record created and forgets the record.
    async fn roll_back(
        &self,
        ledger: &mut Ledger,
        record_id: i64,
        held: &mut Vec<RemotePeriod>,
    ) -> Result<(), PersonioError> {
        for (id, _) in ledger.live_remote_ids(record_id).map_err(ledger_error)? {
            self.client.delete(&id).await?;
            held.retain(|h| h.id != id);
        }
        ledger.forget_record(record_id).map_err(ledger_error)?;
        Ok(())
    }
}

fn is_exactly(h: &RemotePeriod, p: &Period) -> bool {
    h.kind == Some(p.kind) && h.start == p.start && h.end == Some(p.end)
}

fn ledger_error(e: ledger::LedgerError) -> PersonioError {
    PersonioError::Unexpected(e.to_string())
}
