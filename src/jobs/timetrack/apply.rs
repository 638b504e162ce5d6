//! Carrying out the steps [`super::reconcile`] decided, the same way for every job.
//!
//! Each write is announced in the ledger first (the pair saved with `pending`), then sent,
//! then confirmed. A run stopped in between leaves the pair pending; the next run either
//! finds the item (adopted by its key) or sends it again. A write the other system refuses
//! (an overlap, an unknown user) marks that side gone and is reported, so it is not tried
//! again every hour until the item changes.

use super::plan::Plan;
use super::reconcile::{Content, Step};
use super::summary::Summary;
use crate::ledger::{Known, Ledger, LedgerError, Pair, Side};

/// Why one write did not go through.
#[derive(Debug)]
pub enum StepError {
    /// The other system will not take it as it is: reported, not retried until it changes.
    Refused(String),
    /// Not to be written there, by the rules (a rejected absence, an inactive person):
    /// said in the summary, not a problem.
    NotMirrored(String),
    /// Not done now (a lost answer, a server error): the next run looks again.
    Later(String),
    /// The whole run must stop (credentials refused, state database failing).
    Stop(String),
}

/// What a write left on the side written to.
pub struct Written {
    pub id: String,
    /// The fingerprint that side will show next run, when it differs from the content
    /// written (a field the system does not take through its API).
    pub shows: Option<String>,
    /// Worth knowing (a new user was created).
    pub note: Option<String>,
    /// Left for a person to do (enable a user by hand): reported as a problem.
    pub todo: Option<String>,
}

impl Written {
    pub fn id(id: impl Into<String>) -> Written {
        Written {
            id: id.into(),
            shows: None,
            note: None,
            todo: None,
        }
    }
}

/// The writes of one job on both systems.
pub(super) trait Peer<C: Content> {
    /// The ledger the peer's writes are recorded in (the Personio target records its own).
    fn ledger(&mut self) -> &mut Ledger;
    /// How the item is named in summaries ("Anna Muster", "anna@… 02.03.2026 08:00").
    fn label(&self, content: &C) -> String;
    async fn create(&mut self, to: Side, content: &C, pair: &Pair) -> Result<Written, StepError>;
    async fn update(
        &mut self,
        to: Side,
        id: &str,
        content: &C,
        pair: &Pair,
    ) -> Result<Written, StepError>;
    async fn delete(&mut self, to: Side, id: &str, pair: &Pair) -> Result<(), StepError>;
}

fn stop(e: LedgerError) -> StepError {
    StepError::Stop(e.to_string())
}

/// Remembers that `to` does not get the pair's item, so it is not tried again until the
/// other side changes.
fn leave_out<C: Content, P: Peer<C>>(
    peer: &mut P,
    job: &str,
    pair: &mut Pair,
    to: Side,
) -> Result<(), StepError> {
    *pair.side_mut(to) = Known::Gone;
    pair.pending = None;
    peer.ledger().save_pair(job, pair).map_err(stop)?;
    Ok(())
}

/// Carries out `steps` for `job`. Returns Err only for a problem that stops the run.
pub(super) async fn apply<C: Content, P: Peer<C>>(
    job: &str,
    plan: Plan<C>,
    peer: &mut P,
    summary: &mut Summary,
    dry_run: bool,
) -> Result<(), StepError> {
    let Plan { pairs, steps } = plan;
    // Pairs no step touches are alike on both sides; a save of a known pair counts below.
    let touched = steps
        .iter()
        .filter(|s| match s {
            Step::Write { pair, .. } | Step::Delete { pair, .. } | Step::Save { pair } => {
                pair.id != 0
            }
            Step::Forget { .. } => true,
        })
        .count();
    summary.unchanged += pairs.saturating_sub(touched);
    for step in steps {
        match step {
            Step::Save { pair } => {
                if !dry_run {
                    peer.ledger().save_pair(job, &pair).map_err(stop)?;
                }
                summary.unchanged += 1;
            }
            Step::Forget { pair } => {
                if !dry_run {
                    peer.ledger().forget_pair(pair).map_err(stop)?;
                }
            }
            Step::Write {
                mut pair,
                to,
                content,
                conflict,
            } => {
                let update = pair.side(to).id().map(str::to_string);
                let label = peer.label(&content);
                if conflict {
                    // A new pair is an item found on both sides, differing; a known one was
                    // changed on both since the last run.
                    let what = if pair.id == 0 {
                        "differs between Personio and TimeTrack"
                    } else {
                        "changed in both systems"
                    };
                    summary
                        .conflicts
                        .push(format!("{label}: {what}; {} wins", to.other().name()));
                }
                if dry_run {
                    let verb = if update.is_some() {
                        "would update"
                    } else {
                        "would create"
                    };
                    summary
                        .planned
                        .push(format!("{verb} in {}: {label}", to.name()));
                    continue;
                }
                pair.pending = Some(to);
                pair.id = peer.ledger().save_pair(job, &pair).map_err(stop)?;
                let result = match &update {
                    Some(id) => peer.update(to, id, &content, &pair).await,
                    None => peer.create(to, &content, &pair).await,
                };
                match result {
                    Ok(w) => {
                        *pair.side_mut(to) = Known::Live {
                            id: w.id,
                            hash: w.shows.unwrap_or_else(|| content.fingerprint()),
                        };
                        pair.pending = None;
                        peer.ledger().save_pair(job, &pair).map_err(stop)?;
                        summary.count(to, update.is_some());
                        if let Some(n) = w.note {
                            summary.notes.push(format!("{label}: {n}"));
                        }
                        if let Some(n) = w.todo {
                            summary.problems.push(format!("{label}: {n}"));
                        }
                    }
                    Err(StepError::Refused(why)) => {
                        leave_out(peer, job, &mut pair, to)?;
                        summary
                            .problems
                            .push(format!("{label}: not written to {}: {why}", to.name()));
                    }
                    Err(StepError::NotMirrored(why)) => {
                        leave_out(peer, job, &mut pair, to)?;
                        summary.held.push(format!("{label}: {why}"));
                    }
                    Err(StepError::Later(why)) => summary.later(&label, &why),
                    Err(e @ StepError::Stop(_)) => return Err(e),
                }
            }
            Step::Delete { pair, to, conflict } => {
                let Some(id) = pair.side(to).id().map(str::to_string) else {
                    continue;
                };
                let label = pair.key.clone();
                if conflict {
                    summary.conflicts.push(format!(
                        "{label}: deleted in {} and changed in {}; {} wins",
                        to.other().name(),
                        to.name(),
                        to.other().name()
                    ));
                }
                if dry_run {
                    summary
                        .planned
                        .push(format!("would delete in {}: {label}", to.name()));
                    continue;
                }
                match peer.delete(to, &id, &pair).await {
                    Ok(()) => {
                        peer.ledger().forget_pair(pair.id).map_err(stop)?;
                        summary.deleted(to);
                    }
                    Err(StepError::Refused(why) | StepError::NotMirrored(why)) => {
                        let mut pair = pair;
                        *pair.side_mut(to.other()) = Known::Gone;
                        peer.ledger().save_pair(job, &pair).map_err(stop)?;
                        summary
                            .problems
                            .push(format!("{label}: not deleted in {}: {why}", to.name()));
                    }
                    Err(StepError::Later(why)) => summary.later(&label, &why),
                    Err(e @ StepError::Stop(_)) => return Err(e),
                }
            }
        }
    }
    Ok(())
}
