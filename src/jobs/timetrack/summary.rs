//! What a TimeTrack job run did, for the log, `status`, metrics and the report to HR.

use crate::ledger::Side;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Employees,
    TimeEntries,
    Absences,
}

impl Job {
    pub const ALL: [Job; 3] = [Job::Employees, Job::TimeEntries, Job::Absences];

    /// The ledger's and the metrics' name.
    pub fn key(self) -> &'static str {
        match self {
            Job::Employees => "timetrack.employees",
            Job::TimeEntries => "timetrack.time_entries",
            Job::Absences => "timetrack.absences",
        }
    }

    /// As given to `--job`.
    pub fn name(self) -> &'static str {
        match self {
            Job::Employees => "employees",
            Job::TimeEntries => "time_entries",
            Job::Absences => "absences",
        }
    }

    pub fn parse(s: &str) -> Option<Job> {
        Job::ALL
            .into_iter()
            .find(|j| j.name() == s.replace('-', "_"))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub to_personio: Counts,
    pub to_timetrack: Counts,
    /// Items already alike on both sides (or adopted).
    pub unchanged: usize,
    /// Writes that did not finish and are tried again next run.
    pub unfinished: usize,
    /// Both sides changed; the line names the winner.
    pub conflicts: Vec<String>,
    /// Items not synced now, with the reason in words.
    pub problems: Vec<String>,
    /// Worth knowing, nothing to do (a new TimeTrack user).
    pub notes: Vec<String>,
    /// Left alone on purpose (direction, not selected).
    pub held: Vec<String>,
    /// Dry run: what would be written.
    pub planned: Vec<String>,
}

impl Summary {
    pub fn count(&mut self, to: Side, update: bool) {
        let c = self.side(to);
        if update {
            c.updated += 1;
        } else {
            c.created += 1;
        }
    }

    /// A write that did not finish now and is tried again next run.
    pub fn later(&mut self, label: &str, why: &str) {
        self.problems
            .push(format!("{label}: {why}; tried again next run"));
        self.unfinished += 1;
    }

    pub fn deleted(&mut self, to: Side) {
        self.side(to).deleted += 1;
    }

    fn side(&mut self, to: Side) -> &mut Counts {
        match to {
            Side::Personio => &mut self.to_personio,
            Side::Timetrack => &mut self.to_timetrack,
        }
    }

    pub fn written(&self) -> usize {
        let sum = |c: &Counts| c.created + c.updated + c.deleted;
        sum(&self.to_personio) + sum(&self.to_timetrack)
    }

    pub fn line(&self) -> String {
        let c = |c: &Counts| {
            format!(
                "{} created, {} updated, {} deleted",
                c.created, c.updated, c.deleted
            )
        };
        format!(
            "Personio: {}; TimeTrack: {}; {} unchanged, {} conflicts, {} not synced",
            c(&self.to_personio),
            c(&self.to_timetrack),
            self.unchanged,
            self.conflicts.len(),
            self.problems.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_go_to_their_side_and_jobs_parse() {
        let mut s = Summary::default();
        s.count(Side::Personio, false);
        s.count(Side::Timetrack, true);
        s.deleted(Side::Timetrack);
        assert_eq!(s.written(), 3);
        assert_eq!(
            s.line(),
            "Personio: 1 created, 0 updated, 0 deleted; TimeTrack: 0 created, 1 updated, 1 deleted; 0 unchanged, 0 conflicts, 0 not synced"
        );
        assert_eq!(Job::parse("time-entries"), Some(Job::TimeEntries));
        assert_eq!(Job::parse("holidays"), None);
    }
}
