//! From what both systems show to the steps of one run, the same way for every job: pairs
//! whose item moved in from outside the window and items there but not synced now are set
//! aside, then [`reconcile`] decides.

use std::collections::{HashMap, HashSet};

use super::reconcile::{Content, Rules, Seen, Step, reconcile, set_aside};
use super::summary::{Job, Summary};
use super::sync::{Listed, SyncError, across_the_edge};
use crate::ledger::{Ledger, Pair, Side};

/// The items of one run on both sides, and those there but not synced now.
pub(super) struct Sides<C> {
    pub personio: Vec<Seen<C>>,
    pub timetrack: Vec<Seen<C>>,
    pub skipped_personio: HashSet<String>,
    pub skipped_timetrack: HashSet<String>,
}

impl<C: Content> Default for Sides<C> {
    fn default() -> Self {
        Sides {
            personio: Vec::new(),
            timetrack: Vec::new(),
            skipped_personio: HashSet::new(),
            skipped_timetrack: HashSet::new(),
        }
    }
}

impl<C: Content> Sides<C> {
    /// What each side shows now, by side and id, for writes that depend on it.
    pub fn current(&self) -> HashMap<(Side, String), C> {
        let on = |side: Side, items: &[Seen<C>]| {
            items
                .iter()
                .map(move |i| ((side, i.id.clone()), i.content.clone()))
                .collect::<Vec<_>>()
        };
        on(Side::Personio, &self.personio)
            .into_iter()
            .chain(on(Side::Timetrack, &self.timetrack))
            .collect()
    }
}

/// The steps of a run, and how many remembered pairs it looked at.
pub(super) struct Plan<C> {
    pub pairs: usize,
    pub steps: Vec<Step<C>>,
}

pub(super) fn plan<C: Content>(
    ledger: &Ledger,
    job: Job,
    // `pairs` are those of a window of days, not all of the job's.
    windowed: bool,
    mut pairs: Vec<Pair>,
    mut sides: Sides<C>,
    rules: Rules,
    summary: &mut Summary,
) -> Result<Plan<C>, SyncError> {
    if windowed {
        let listed = Listed {
            personio: sides.personio.iter().map(|i| i.id.as_str()).collect(),
            timetrack: sides.timetrack.iter().map(|i| i.id.as_str()).collect(),
        };
        // Ids are unique per side (numbers in TimeTrack, uuids or `day:`/`rec:` in
        // Personio), so one list serves both.
        for id in across_the_edge(ledger, job, listed, &mut pairs, summary)? {
            sides.skipped_personio.insert(id.clone());
            sides.skipped_timetrack.insert(id);
        }
    }
    let (pairs, personio, timetrack) = set_aside(
        pairs,
        sides.personio,
        sides.timetrack,
        &sides.skipped_personio,
        &sides.skipped_timetrack,
    );
    Ok(Plan {
        pairs: pairs.len(),
        steps: reconcile(pairs, &personio, &timetrack, rules),
    })
}
