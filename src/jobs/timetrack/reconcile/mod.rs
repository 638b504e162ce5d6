//! The two-way sync's decision, as a pure function: given the pairs the ledger remembers
//! and the items each side shows now, what to write where.
//!
//! Every item is compared with the fingerprint its side showed at the last run, so the
//! question is never "do the sides differ" but "which side changed since we last looked".
//! That is what keeps an entry from echoing back and forth: a write made by the sync is
//! remembered as the state of both sides, and reads as unchanged next time. When both
//! changed, the configured master wins and the step says it was a conflict.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::ledger::{Known, Pair, Side};

/// What a job compares: equal content on both sides means nothing to do.
pub trait Content: Clone + PartialEq + std::fmt::Debug {
    /// A stable text of the content; stored in the ledger, compared next run.
    fn fingerprint(&self) -> String;
}

/// An item as one side shows it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen<C> {
    pub id: String,
    /// The natural key: the same item on both sides has the same key.
    pub key: String,
    pub day: Option<NaiveDate>,
    pub content: C,
}

/// Which ways a job may write, and who wins a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub to_personio: bool,
    pub to_timetrack: bool,
    pub master: Side,
}

impl Rules {
    pub fn new(to_personio: bool, to_timetrack: bool, master: crate::config::Master) -> Rules {
        Rules {
            to_personio,
            to_timetrack,
            master: match master {
                crate::config::Master::Personio => Side::Personio,
                crate::config::Master::Timetrack => Side::Timetrack,
            },
        }
    }

    pub fn allows(&self, to: Side) -> bool {
        match to {
            Side::Personio => self.to_personio,
            Side::Timetrack => self.to_timetrack,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step<C> {
    /// Write `content` to `to`: an update when the pair knows an id there, else a create.
    /// The pair is saved with `pending = to` before the write is sent.
    Write {
        pair: Pair,
        to: Side,
        content: C,
        /// Both sides had changed; the master's version is written.
        conflict: bool,
    },
    /// Delete the pair's item on `to`, because it is gone on the other side.
    Delete {
        pair: Pair,
        to: Side,
        conflict: bool,
    },
    /// Bookkeeping only: new fingerprints, an adopted item, a side left alone.
    Save { pair: Pair },
    /// Both items are gone: the pair is done.
    Forget { pair: i64 },
}

/// How one side of a pair looks now against the last run.
enum View<'a, C> {
    Unchanged(&'a Seen<C>),
    Changed(&'a Seen<C>),
    /// It was there last run and is not now: deleted.
    Missing,
    /// Never written there (`Absent`) or deliberately not there (`Gone`).
    NotThere {
        absent: bool,
    },
}

fn view<'a, C: Content>(known: &Known, now: Option<&'a Seen<C>>) -> View<'a, C> {
    match (known, now) {
        (Known::Live { hash, .. }, Some(s)) if s.content.fingerprint() == *hash => {
            View::Unchanged(s)
        }
        (Known::Live { .. }, Some(s)) => View::Changed(s),
        (Known::Live { .. }, None) => View::Missing,
        (Known::Absent, Some(s)) | (Known::Gone, Some(s)) => View::Changed(s),
        (Known::Absent, None) => View::NotThere { absent: true },
        (Known::Gone, None) => View::NotThere { absent: false },
    }
}

fn live<C: Content>(s: &Seen<C>) -> Known {
    Known::Live {
        id: s.id.clone(),
        hash: s.content.fingerprint(),
    }
}

fn seen_of<'a, C>(v: &View<'a, C>) -> Option<&'a Seen<C>> {
    match v {
        View::Unchanged(s) | View::Changed(s) => Some(s),
        _ => None,
    }
}

/// Sets aside the pairs whose item is there but not synced this run (a running entry, an
/// unmapped type, a person no longer selected), with their items on the other side: such an
/// item must neither read as deleted nor leave its twin looking new.
pub fn set_aside<C>(
    pairs: Vec<Pair>,
    personio: Vec<Seen<C>>,
    timetrack: Vec<Seen<C>>,
    skipped_personio: &HashSet<String>,
    skipped_timetrack: &HashSet<String>,
) -> (Vec<Pair>, Vec<Seen<C>>, Vec<Seen<C>>) {
    let mut frozen_p = HashSet::new();
    let mut frozen_t = HashSet::new();
    let kept = pairs
        .into_iter()
        .filter(|p| {
            let (pid, tid) = (p.personio.id(), p.timetrack.id());
            let skip = pid.is_some_and(|id| skipped_personio.contains(id))
                || tid.is_some_and(|id| skipped_timetrack.contains(id));
            if skip {
                frozen_p.extend(pid.map(str::to_string));
                frozen_t.extend(tid.map(str::to_string));
            }
            !skip
        })
        .collect();
    let personio = personio
        .into_iter()
        .filter(|s| !frozen_p.contains(&s.id))
        .collect();
    let timetrack = timetrack
        .into_iter()
        .filter(|s| !frozen_t.contains(&s.id))
        .collect();
    (kept, personio, timetrack)
}

/// Decides the steps for one run. `personio` and `timetrack` hold the items of the run's
/// window; `pairs` the remembered pairs of the same window.
pub fn reconcile<C: Content>(
    pairs: Vec<Pair>,
    personio: &[Seen<C>],
    timetrack: &[Seen<C>],
    rules: Rules,
) -> Vec<Step<C>> {
    let index = |items: &[Seen<C>]| -> HashMap<String, usize> {
        items
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect()
    };
    let (p_index, t_index) = (index(personio), index(timetrack));
    let mut used: HashMap<Side, HashSet<usize>> = HashMap::new();
    let mut steps = Vec::new();
    let mut attached: Vec<(Pair, Option<usize>, Option<usize>, bool)> = Vec::new();
    for pair in pairs {
        let find = |side: Side, idx: &HashMap<String, usize>| {
            pair.side(side).id().and_then(|id| idx.get(id).copied())
        };
        let p = find(Side::Personio, &p_index);
        let t = find(Side::Timetrack, &t_index);
        used.entry(Side::Personio).or_default().extend(p);
        used.entry(Side::Timetrack).or_default().extend(t);
        attached.push((pair, p, t, false));
    }
    // A pair waiting for a create adopts an item with its key: the create went through
    // but its answer was lost, or the state file was lost and rebuilt.
    for (pair, p, t, adopted) in &mut attached {
        for (side, slot, items) in [
            (Side::Personio, &mut *p, personio),
            (Side::Timetrack, &mut *t, timetrack),
        ] {
            if *pair.side(side) != Known::Absent || slot.is_some() {
                continue;
            }
            let taken = used.entry(side).or_default();
            if let Some(i) =
                (0..items.len()).find(|i| !taken.contains(i) && items[*i].key == pair.key)
            {
                taken.insert(i);
                *slot = Some(i);
                *pair.side_mut(side) = live(&items[i]);
                *adopted = true;
            }
        }
    }
    for (pair, p, t, adopted) in attached {
        let pv = view(&pair.personio, p.map(|i| &personio[i]));
        let tv = view(&pair.timetrack, t.map(|i| &timetrack[i]));
        let before = steps.len();
        decide(pair.clone(), pv, tv, rules, &mut steps);
        if adopted && steps.len() == before {
            steps.push(Step::Save { pair });
        }
    }
    unpaired(personio, timetrack, &used, rules, &mut steps);
    steps
}

fn decide<C: Content>(
    mut pair: Pair,
    pv: View<C>,
    tv: View<C>,
    rules: Rules,
    steps: &mut Vec<Step<C>>,
) {
    use View::*;
    // An unfinished write: the other side is the truth, finish it.
    if let Some(to) = pair.pending {
        let (src, dst) = match to {
            Side::Personio => (&tv, &pv),
            Side::Timetrack => (&pv, &tv),
        };
        if let Some(src) = seen_of(src) {
            *pair.side_mut(to.other()) = live(src);
            match seen_of(dst) {
                Some(d) if d.content == src.content => {
                    *pair.side_mut(to) = live(d);
                    pair.pending = None;
                    steps.push(Step::Save { pair });
                }
                _ => steps.push(Step::Write {
                    content: src.content.clone(),
                    pair,
                    to,
                    conflict: false,
                }),
            }
            return;
        }
        pair.pending = None;
    }
    let write =
        |mut pair: Pair, to: Side, src: &Seen<C>, conflict: bool, steps: &mut Vec<Step<C>>| {
            *pair.side_mut(to.other()) = live(src);
            // The item may have moved to another day or start: the pair follows it.
            pair.key = src.key.clone();
            pair.day = src.day;
            if rules.allows(to) {
                steps.push(Step::Write {
                    pair,
                    to,
                    content: src.content.clone(),
                    conflict,
                });
            } else {
                steps.push(Step::Save { pair });
            }
        };
    let delete = |mut pair: Pair, to: Side, conflict: bool, steps: &mut Vec<Step<C>>| {
        *pair.side_mut(to.other()) = Known::Gone;
        if rules.allows(to) && pair.side(to).id().is_some() {
            steps.push(Step::Delete { pair, to, conflict });
        } else {
            steps.push(Step::Save { pair });
        }
    };
    match (pv, tv) {
        (Unchanged(_), Unchanged(_))
        | (NotThere { absent: false }, Unchanged(_))
        | (Unchanged(_), NotThere { absent: false }) => {}
        (Changed(p), Unchanged(_)) => write(pair, Side::Timetrack, p, false, steps),
        (Unchanged(_), Changed(t)) => write(pair, Side::Personio, t, false, steps),
        (Changed(p), Changed(t)) => {
            if p.content == t.content {
                pair.personio = live(p);
                pair.timetrack = live(t);
                steps.push(Step::Save { pair });
            } else if rules.master == Side::Personio {
                pair.timetrack = live(t);
                write(pair, Side::Timetrack, p, true, steps);
            } else {
                pair.personio = live(p);
                write(pair, Side::Personio, t, true, steps);
            }
        }
        (Missing, Unchanged(_)) => delete(pair, Side::Timetrack, false, steps),
        (Unchanged(_), Missing) => delete(pair, Side::Personio, false, steps),
        (Missing, Changed(t)) => match rules.master {
            Side::Personio => delete(pair, Side::Timetrack, true, steps),
            Side::Timetrack => {
                pair.personio = Known::Absent;
                write(pair, Side::Personio, t, true, steps)
            }
        },
        (Changed(p), Missing) => match rules.master {
            Side::Timetrack => delete(pair, Side::Personio, true, steps),
            Side::Personio => {
                pair.timetrack = Known::Absent;
                write(pair, Side::Timetrack, p, true, steps)
            }
        },
        (Missing | NotThere { .. }, Missing | NotThere { .. }) => {
            steps.push(Step::Forget { pair: pair.id })
        }
        (NotThere { .. }, Changed(t)) => write(pair, Side::Personio, t, false, steps),
        (Changed(p), NotThere { .. }) => write(pair, Side::Timetrack, p, false, steps),
        (NotThere { absent: true }, Unchanged(t)) => {
            if rules.to_personio {
                write(pair, Side::Personio, t, false, steps)
            }
        }
        (Unchanged(p), NotThere { absent: true }) => {
            if rules.to_timetrack {
                write(pair, Side::Timetrack, p, false, steps)
            }
        }
    }
}

/// Items no pair knows: the same key on both sides is one item found twice (adopted);
/// an item on one side only is new and is created on the other.
fn unpaired<C: Content>(
    personio: &[Seen<C>],
    timetrack: &[Seen<C>],
    used: &HashMap<Side, HashSet<usize>>,
    rules: Rules,
    steps: &mut Vec<Step<C>>,
) {
    let free = |side: Side, items: &[Seen<C>]| -> Vec<usize> {
        let taken = used.get(&side);
        (0..items.len())
            .filter(|i| !taken.is_some_and(|t| t.contains(i)))
            .collect()
    };
    let p_free = free(Side::Personio, personio);
    let mut t_free: Vec<Option<usize>> = free(Side::Timetrack, timetrack)
        .into_iter()
        .map(Some)
        .collect();
    for i in p_free {
        let p = &personio[i];
        let twin = t_free
            .iter_mut()
            .find(|t| t.is_some_and(|t| timetrack[t].key == p.key))
            .and_then(Option::take);
        let mut pair = Pair {
            id: 0,
            key: p.key.clone(),
            day: p.day,
            origin: Side::Personio,
            personio: live(p),
            timetrack: Known::Absent,
            pending: None,
        };
        match twin {
            Some(j) => {
                let t = &timetrack[j];
                pair.timetrack = live(t);
                if p.content == t.content {
                    steps.push(Step::Save { pair });
                } else {
                    let (to, src) = match rules.master {
                        Side::Personio => (Side::Timetrack, p),
                        Side::Timetrack => (Side::Personio, t),
                    };
                    if rules.allows(to) {
                        steps.push(Step::Write {
                            content: src.content.clone(),
                            pair,
                            to,
                            conflict: true,
                        });
                    } else {
                        steps.push(Step::Save { pair });
                    }
                }
            }
            None if rules.to_timetrack => steps.push(Step::Write {
                content: p.content.clone(),
                pair,
                to: Side::Timetrack,
                conflict: false,
            }),
            None => {}
        }
    }
    if !rules.to_personio {
        return;
    }
    for j in t_free.into_iter().flatten() {
        let t = &timetrack[j];
        steps.push(Step::Write {
            pair: Pair {
                id: 0,
                key: t.key.clone(),
                day: t.day,
                origin: Side::Timetrack,
                personio: Known::Absent,
                timetrack: live(t),
                pending: None,
            },
            to: Side::Personio,
            content: t.content.clone(),
            conflict: false,
        });
    }
}

#[cfg(test)]
mod tests;
