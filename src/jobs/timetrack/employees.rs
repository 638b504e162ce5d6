//! The employees job: Personio persons ↔ TimeTrack users, by e-mail address.
//!
//! New Personio hires get a TimeTrack user whose username follows `employees.username`;
//! names and the active state follow the configured direction. Two things are never done
//! through the API, because a sync should not decide them: TimeTrack cannot re-enable a
//! user (its API does not take `enabled`), and Personio employments are not ended because
//! someone was disabled in TimeTrack. Both are named in the summary for a person to do.

use std::collections::{HashMap, HashSet};

use rand::Rng;

use super::apply::{Peer, StepError, Written, apply};
use super::client::Client;
use super::people::{Person, selected, username_for};
use super::plan::{Sides, plan};
use super::reconcile::{Content, Rules, Seen};
use super::summary::{Job, Summary};
use super::sync::{SyncError, TimetrackSync, personio_step_error, timetrack_step_error};
use super::wire::NewUser;
use crate::config::{EmployeesJob, UsernameRule};
use crate::ledger::{Ledger, Pair, Side};
use crate::target::personio::{PersonioError, PersonioTarget};

const JOB: Job = Job::Employees;

pub(super) async fn run(
    s: &mut TimetrackSync<'_>,
    job: &EmployeesJob,
    dry_run: bool,
) -> Result<Summary, SyncError> {
    let mut summary = Summary::default();
    let users = s.client.users().await?;
    let persons = s.target.client().persons().await?;
    let pairs = s.ledger.sync_pairs(JOB.key(), None)?;
    let paired = |side: Side, id: &str| pairs.iter().any(|p| p.side(side).id() == Some(id));
    let wanted = |email: &str, department: Option<&str>| {
        selected(email, &job.emails)
            && job
                .department
                .as_deref()
                .is_none_or(|d| department.is_some_and(|x| x.eq_ignore_ascii_case(d)))
    };
    // Someone gone on one side and still there on the other is paired, not created twice.
    let address = |e: Option<&str>| e.map(|e| e.trim().to_lowercase());
    let tt_addresses: HashSet<String> = users
        .iter()
        .filter_map(|u| address(u.email.as_deref()))
        .collect();
    let personio_addresses: HashSet<String> = persons
        .iter()
        .filter_map(|p| address(p.email.as_deref()))
        .collect();
    let mut departments = HashMap::new();
    let mut p_items = Vec::new();
    let (mut p_skipped, mut t_skipped) = (HashSet::new(), HashSet::new());
    for p in &persons {
        let Some(email) = p
            .email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| e.contains('@'))
        else {
            p_skipped.insert(p.id.clone());
            continue;
        };
        departments.insert(email.clone(), p.department.clone());
        if !wanted(&email, p.department.as_deref()) {
            p_skipped.insert(p.id.clone());
            continue;
        }
        if !p.active && !paired(Side::Personio, &p.id) && !tt_addresses.contains(&email) {
            continue;
        }
        let content = Person {
            email: email.clone(),
            first_name: p.first_name.clone().unwrap_or_default(),
            last_name: p.last_name.clone().unwrap_or_default(),
            active: p.active,
        };
        p_items.push(Seen {
            id: p.id.clone(),
            key: email,
            day: None,
            content,
        });
    }
    let mut t_items = Vec::new();
    for u in &users {
        let Some(email) = u
            .email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| e.contains('@'))
        else {
            summary.held.push(format!(
                "TimeTrack user {} has no e-mail address",
                u.username
            ));
            t_skipped.insert(u.id.clone());
            continue;
        };
        // The department is Personio's; a TimeTrack user outside it is not synced either.
        let department = departments.get(&email).cloned().flatten();
        if (job.department.is_some() && !departments.contains_key(&email))
            || !wanted(&email, department.as_deref())
        {
            t_skipped.insert(u.id.clone());
            continue;
        }
        if !u.enabled && !paired(Side::Timetrack, &u.id) && !personio_addresses.contains(&email) {
            continue;
        }
        let content = Person {
            email: email.clone(),
            first_name: u.first_name.clone().unwrap_or_default(),
            last_name: u.last_name.clone().unwrap_or_default(),
            active: u.enabled,
        };
        t_items.push(Seen {
            id: u.id.clone(),
            key: email,
            day: None,
            content,
        });
    }
    let sides = Sides {
        personio: p_items,
        timetrack: t_items,
        skipped_personio: p_skipped,
        skipped_timetrack: t_skipped,
    };
    let current = sides.current();
    let rules = Rules::new(
        job.direction.to_personio(),
        job.direction.to_timetrack(),
        job.master,
    );
    let plan = plan(s.ledger, JOB, false, pairs, sides, rules, &mut summary)?;
    let mut peer = EmployeesPeer {
        client: s.client,
        target: s.target,
        ledger: s.ledger,
        rule: job.username,
        taken: users.iter().map(|u| u.username.to_lowercase()).collect(),
        current,
    };
    apply(JOB.key(), plan, &mut peer, &mut summary, dry_run)
        .await
        .map_err(SyncError::from_step)?;
    Ok(summary)
}

/// A first password for a new TimeTrack user, who sets their own when invited.
fn password() -> String {
    rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

struct EmployeesPeer<'a> {
    client: &'a Client,
    target: &'a mut PersonioTarget,
    ledger: &'a mut Ledger,
    rule: UsernameRule,
    taken: HashSet<String>,
    /// What each side shows now, by side and id.
    current: HashMap<(Side, String), Person>,
}

impl Peer<Person> for EmployeesPeer<'_> {
    fn ledger(&mut self) -> &mut Ledger {
        self.ledger
    }

    fn label(&self, p: &Person) -> String {
        format!("{} {} <{}>", p.first_name, p.last_name, p.email)
    }

    async fn create(&mut self, to: Side, p: &Person, _pair: &Pair) -> Result<Written, StepError> {
        if !p.active {
            return Err(StepError::NotMirrored(format!(
                "inactive: not created in {}",
                to.name()
            )));
        }
        match to {
            Side::Timetrack => {
                let username = username_for(self.rule, &p.email, &self.taken);
                let user = self
                    .client
                    .create_user(&NewUser {
                        username: username.clone(),
                        first_name: p.first_name.clone(),
                        last_name: p.last_name.clone(),
                        email: p.email.clone(),
                        password: password(),
                        personal_number: None,
                    })
                    .await
                    .map_err(timetrack_step_error)?;
                self.taken.insert(username.to_lowercase());
                self.ledger
                    .set_timetrack_user(&p.email, &user.username, Some(&user.id))
                    .map_err(SyncError::step)?;
                Ok(Written {
                    note: Some(format!("new TimeTrack user {}", user.username)),
                    ..Written::id(user.id)
                })
            }
            Side::Personio => {
                let id = self
                    .target
                    .client()
                    .create_person(&p.email, &p.first_name, &p.last_name)
                    .await
                    .map_err(|e| match e {
                        PersonioError::Unsupported(_) => StepError::Refused(
                            "Personio does not take new persons through the API: create the person in Personio".into(),
                        ),
                        e => personio_step_error(e),
                    })?;
                Ok(Written::id(id))
            }
        }
    }

    async fn update(
        &mut self,
        to: Side,
        id: &str,
        p: &Person,
        _pair: &Pair,
    ) -> Result<Written, StepError> {
        let now = self.current.get(&(to, id.to_string())).cloned();
        let names_differ = now.as_ref().is_none_or(|n| {
            (n.first_name.trim(), n.last_name.trim(), n.email.as_str())
                != (p.first_name.trim(), p.last_name.trim(), p.email.as_str())
        });
        let active_now = now.as_ref().is_none_or(|n| n.active);
        let mut shows = p.clone();
        let mut note = None;
        match to {
            Side::Timetrack => {
                if names_differ {
                    self.client
                        .update_user(id, &p.first_name, &p.last_name, &p.email)
                        .await
                        .map_err(timetrack_step_error)?;
                }
                if active_now && !p.active {
                    self.client
                        .deactivate_user(id)
                        .await
                        .map_err(timetrack_step_error)?;
                } else if !active_now && p.active {
                    shows.active = false;
                    note = Some("active in Personio again: enable the user in TimeTrack by hand (its API cannot)".into());
                }
            }
            Side::Personio => {
                if names_differ {
                    self.target
                        .client()
                        .update_person(id, &p.first_name, &p.last_name)
                        .await
                        .map_err(personio_step_error)?;
                }
                if active_now != p.active {
                    shows.active = active_now;
                    note = Some(if p.active {
                        "enabled in TimeTrack but inactive in Personio: check the employment in Personio".into()
                    } else {
                        "disabled in TimeTrack: end the employment in Personio if that is meant"
                            .into()
                    });
                }
            }
        }
        Ok(Written {
            shows: Some(shows.fingerprint()),
            todo: note,
            ..Written::id(id)
        })
    }

    async fn delete(&mut self, to: Side, id: &str, _pair: &Pair) -> Result<(), StepError> {
        match to {
            Side::Timetrack => self
                .client
                .deactivate_user(id)
                .await
                .map_err(timetrack_step_error),
            Side::Personio => Err(StepError::Refused(
                "removed from TimeTrack; persons are never deleted in Personio by the sync".into(),
            )),
        }
    }
}
