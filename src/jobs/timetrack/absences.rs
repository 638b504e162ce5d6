//! The absences job: TimeTrack absences ↔ Personio absence periods, in both directions.
//!
//! Types are matched by name through `absences.type_map`; TimeTrack names its types only
//! by integer id and short name, so the id of a name comes from `absence_types_path` when
//! the account has such a list, else from `timetrack.absence_types`, else from the absences
//! already seen. Approval states map 0/1/2 ↔ pending/approved/rejected; a change of
//! approval alone is written in place, any other change replaces the absence.

use std::collections::{HashMap, HashSet};

use super::apply::{Peer, StepError, Written, apply};
use super::client::{Client, TimeTrackError};
use super::directory::Directory;
use super::leave::{Approval, Leave, TypeMap, approval_of, status_of};
use super::plan::{Sides, plan};
use super::reconcile::{Rules, Seen};
use super::summary::{Job, Summary};
use super::sync::{SyncError, TimetrackSync, Window, personio_step_error, timetrack_step_error};
use super::wire::NewAbsence;
use crate::config::AbsencesJob;
use crate::ledger::{Ledger, Pair, Side};
use crate::target::personio::{PersonioError, PersonioTarget};

const JOB: Job = Job::Absences;

pub(super) async fn run(
    s: &mut TimetrackSync<'_>,
    job: &AbsencesJob,
    window: Window,
    dry_run: bool,
) -> Result<Summary, SyncError> {
    let mut summary = Summary::default();
    let map = TypeMap::new(&job.type_map);
    let dir = s.directory(dry_run).await?;
    let persons = dir.shared_persons();
    let p_types = s.target.client().absence_types().await?;
    let p_type_name: HashMap<String, String> = p_types.iter().cloned().collect();
    let p_type_id: HashMap<String, String> = p_types
        .iter()
        .map(|(id, name)| (name.to_lowercase(), id.clone()))
        .collect();
    // TimeTrack type names ↔ ids: the list, the config, then what the absences show.
    let mut t_type_id: HashMap<String, i64> = HashMap::new();
    let mut t_type_names: HashMap<i64, Vec<String>> = HashMap::new();
    let mut learn = |name: &str, id: i64| {
        t_type_id.entry(name.to_lowercase()).or_insert(id);
        let names = t_type_names.entry(id).or_default();
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_string());
        }
    };
    for t in s.client.absence_types().await?.unwrap_or_default() {
        learn(&t.name, t.id);
        if let Some(short) = &t.short_name {
            learn(short, t.id);
        }
    }
    for (name, id) in &s.config.absence_types {
        learn(name, *id);
    }
    let absences = s.client.absences(window.from, window.to).await?;
    for a in &absences {
        if let Some(n) = &a.absence_type_name {
            learn(n, a.absence_type);
        }
    }
    let mut t_items = Vec::new();
    let mut t_skipped = HashSet::new();
    for a in &absences {
        let Some(email) = dir.email_of_username(&a.user) else {
            summary
                .held
                .push(format!("TimeTrack user {} has no Personio person", a.user));
            t_skipped.insert(a.id.clone());
            continue;
        };
        // The type by any name it is known by: the absence's own, the list's name or short name.
        let names: Vec<&String> = a
            .absence_type_name
            .iter()
            .chain(t_type_names.get(&a.absence_type).into_iter().flatten())
            .collect();
        let Some(kind) = names.iter().find_map(|n| map.personio_name(n)) else {
            summary.held.push(format!(
                "{email} {}–{}: TimeTrack type {} is not in absences.type_map",
                a.from,
                a.to,
                names
                    .first()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| a.absence_type.to_string())
            ));
            t_skipped.insert(a.id.clone());
            continue;
        };
        let leave = Leave {
            email: email.to_string(),
            from: a.from,
            to: a.to,
            kind: kind.to_string(),
            approval: approval_of(a.status),
        };
        t_items.push(Seen {
            id: a.id.clone(),
            key: leave.key(),
            day: Some(a.from),
            content: leave,
        });
    }
    let mut p_items = Vec::new();
    let mut p_skipped = HashSet::new();
    for a in s
        .target
        .client()
        .absence_periods(&persons, window.from, window.to)
        .await?
    {
        let Some(email) = dir.email_of_person(&a.person_id) else {
            p_skipped.insert(a.id.clone());
            continue;
        };
        let kind = p_type_name
            .get(&a.type_id)
            .cloned()
            .unwrap_or_else(|| a.type_id.clone());
        if map.timetrack_name(&kind).is_none() {
            summary.held.push(format!(
                "{email} {}: Personio type {kind} is not in absences.type_map",
                a.start.date()
            ));
            p_skipped.insert(a.id.clone());
            continue;
        }
        let Some(end) = a.end else {
            summary.held.push(format!(
                "{email}: the absence from {} has no end yet",
                a.start.date()
            ));
            p_skipped.insert(a.id.clone());
            continue;
        };
        let leave = Leave {
            email: email.to_string(),
            from: a.start.date(),
            to: end.date(),
            kind,
            approval: a.approval,
        };
        p_items.push(Seen {
            id: a.id.clone(),
            key: leave.key(),
            day: Some(leave.from),
            content: leave,
        });
    }
    let pairs = s
        .ledger
        .sync_pairs(JOB.key(), Some((window.from, window.to)))?;
    let sides = Sides {
        personio: p_items,
        timetrack: t_items,
        skipped_personio: p_skipped,
        skipped_timetrack: t_skipped,
    };
    let current = sides.current();
    let rules = Rules::new(true, true, job.master);
    let plan = plan(s.ledger, JOB, true, pairs, sides, rules, &mut summary)?;
    let mut peer = AbsencesPeer {
        client: s.client,
        target: s.target,
        ledger: s.ledger,
        dir: &dir,
        map,
        p_type_id,
        t_type_id,
        current,
    };
    apply(JOB.key(), plan, &mut peer, &mut summary, dry_run)
        .await
        .map_err(SyncError::from_step)?;
    Ok(summary)
}

struct AbsencesPeer<'a> {
    client: &'a Client,
    target: &'a mut PersonioTarget,
    ledger: &'a mut Ledger,
    dir: &'a Directory,
    map: TypeMap,
    p_type_id: HashMap<String, String>,
    t_type_id: HashMap<String, i64>,
    current: HashMap<(Side, String), Leave>,
}

impl AbsencesPeer<'_> {
    async fn create_timetrack(&mut self, l: &Leave) -> Result<String, StepError> {
        let username = self
            .dir
            .username(&l.email)
            .ok_or_else(|| StepError::Refused(format!("{} has no TimeTrack user", l.email)))?;
        let name = self.map.timetrack_name(&l.kind).unwrap_or(&l.kind);
        let kind = *self.t_type_id.get(&name.to_lowercase()).ok_or_else(|| {
            StepError::Refused(format!(
                "the id of TimeTrack absence type {name} is unknown: add it to timetrack.absence_types"
            ))
        })?;
        let id = self
            .client
            .create_absence(&NewAbsence {
                username: username.to_string(),
                from: l.from,
                to: l.to,
                absence_type: kind,
            })
            .await
            .map_err(timetrack_step_error)?;
        if l.approval != Approval::Pending {
            // If this fails the pair stays pending; the next run finds the absence by its
            // key and sets the status then.
            self.client
                .set_absence_status(&id, status_of(l.approval))
                .await
                .map_err(timetrack_step_error)?;
        }
        Ok(id)
    }

    async fn create_personio(&mut self, l: &Leave) -> Result<String, StepError> {
        if l.approval == Approval::Rejected {
            return Err(StepError::NotMirrored(
                "rejected in TimeTrack: not booked in Personio".into(),
            ));
        }
        let person = self
            .dir
            .person_id(&l.email)
            .ok_or_else(|| {
                StepError::Refused(format!("no Personio person with the address {}", l.email))
            })?
            .to_string();
        let kind = self
            .p_type_id
            .get(&l.kind.to_lowercase())
            .ok_or_else(|| StepError::Refused(format!("Personio has no absence type {}", l.kind)))?
            .clone();
        self.target
            .client()
            .create_absence_period(
                &person,
                &kind,
                l.from,
                l.to,
                l.approval == Approval::Approved,
                "TimeTrack",
            )
            .await
            .map_err(personio_step_error)
    }

    async fn delete_personio(&self, id: &str) -> Result<(), StepError> {
        self.target
            .client()
            .delete_absence_period(id)
            .await
            .map_err(personio_step_error)
    }
}

impl Peer<Leave> for AbsencesPeer<'_> {
    fn ledger(&mut self) -> &mut Ledger {
        self.ledger
    }

    fn label(&self, l: &Leave) -> String {
        format!(
            "{} {} {}–{} ({})",
            l.email,
            l.kind,
            l.from.format("%d.%m.%Y"),
            l.to.format("%d.%m.%Y"),
            l.approval.as_str().to_lowercase()
        )
    }

    async fn create(&mut self, to: Side, l: &Leave, _pair: &Pair) -> Result<Written, StepError> {
        let id = match to {
            Side::Timetrack => self.create_timetrack(l).await?,
            Side::Personio => self.create_personio(l).await?,
        };
        Ok(Written::id(id))
    }

    async fn update(
        &mut self,
        to: Side,
        id: &str,
        l: &Leave,
        pair: &Pair,
    ) -> Result<Written, StepError> {
        let now = self.current.get(&(to, id.to_string())).cloned();
        let in_place = now
            .as_ref()
            .is_some_and(|n| n.only_approval_differs(l) || n == l);
        match (to, in_place) {
            (Side::Timetrack, true) => {
                self.client
                    .set_absence_status(id, status_of(l.approval))
                    .await
                    .map_err(timetrack_step_error)?;
                Ok(Written::id(id))
            }
            (Side::Timetrack, false) => {
                match self.client.delete_absence(id).await {
                    Ok(()) | Err(TimeTrackError::NotFound(_)) => {}
                    Err(e) => return Err(timetrack_step_error(e)),
                }
                self.create(to, l, pair).await
            }
            (Side::Personio, true) => {
                match self
                    .target
                    .client()
                    .update_absence_approval(id, l.approval)
                    .await
                {
                    Ok(()) => Ok(Written::id(id)),
                    Err(PersonioError::Unsupported(_)) => {
                        self.delete_personio(id).await?;
                        self.create(to, l, pair).await
                    }
                    Err(e) => Err(personio_step_error(e)),
                }
            }
            (Side::Personio, false) => {
                self.delete_personio(id).await?;
                self.create(to, l, pair).await
            }
        }
    }

    async fn delete(&mut self, to: Side, id: &str, _pair: &Pair) -> Result<(), StepError> {
        match to {
            Side::Timetrack => match self.client.delete_absence(id).await {
                Ok(()) | Err(TimeTrackError::NotFound(_)) => Ok(()),
                Err(e) => Err(timetrack_step_error(e)),
            },
            Side::Personio => self.delete_personio(id).await,
        }
    }
}
