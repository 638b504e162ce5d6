//! Absences as both systems hold them: whole days of one type, with an approval state.
//!
//! Types are matched by name through `type_map` (TimeTrack name = Personio name); an
//! absence whose type has no mapping stays where it is and is named in the summary.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::reconcile::Content;

pub use crate::target::personio::Approval;

use super::wire::AbsenceStatus;

/// TimeTrack's 0 (new), 1 (approved), 2 (rejected) as Personio's approval.
pub fn approval_of(status: AbsenceStatus) -> Approval {
    match status {
        AbsenceStatus::New => Approval::Pending,
        AbsenceStatus::Approved => Approval::Approved,
        AbsenceStatus::Rejected => Approval::Rejected,
    }
}

/// Personio's approval as TimeTrack's status.
pub fn status_of(approval: Approval) -> AbsenceStatus {
    match approval {
        Approval::Pending => AbsenceStatus::New,
        Approval::Approved => AbsenceStatus::Approved,
        Approval::Rejected => AbsenceStatus::Rejected,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub email: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The Personio absence type name (TimeTrack names are mapped to it).
    pub kind: String,
    pub approval: Approval,
}

impl Content for Leave {
    fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.email,
            self.from,
            self.to,
            self.kind,
            self.approval.as_str()
        )
    }
}

impl Leave {
    /// The same absence on both sides: person, days and type (the approval may differ).
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.email,
            self.from,
            self.to,
            self.kind.to_lowercase()
        )
    }

    /// Whether only the approval differs, which both systems can change in place.
    pub fn only_approval_differs(&self, other: &Leave) -> bool {
        self.key() == other.key() && self.approval != other.approval
    }
}

/// `type_map` both ways, names compared without case.
#[derive(Debug, Clone, Default)]
pub struct TypeMap {
    to_personio: BTreeMap<String, String>,
    to_timetrack: BTreeMap<String, String>,
}

impl TypeMap {
    pub fn new(map: &BTreeMap<String, String>) -> TypeMap {
        let mut t = TypeMap::default();
        for (tt, p) in map {
            t.to_personio.insert(tt.to_lowercase(), p.clone());
            t.to_timetrack.insert(p.to_lowercase(), tt.clone());
        }
        t
    }

    pub fn personio_name(&self, timetrack_name: &str) -> Option<&str> {
        self.to_personio
            .get(&timetrack_name.to_lowercase())
            .map(String::as_str)
    }

    pub fn timetrack_name(&self, personio_name: &str) -> Option<&str> {
        self.to_timetrack
            .get(&personio_name.to_lowercase())
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_both_ways() {
        for s in [
            AbsenceStatus::New,
            AbsenceStatus::Approved,
            AbsenceStatus::Rejected,
        ] {
            assert_eq!(status_of(approval_of(s)), s);
        }
        assert_eq!(approval_of(AbsenceStatus::Rejected), Approval::Rejected);
    }

    #[test]
    fn types_map_by_name_without_case() {
        let m = TypeMap::new(&BTreeMap::from([(
            "Urlaub".to_string(),
            "Paid vacation".to_string(),
        )]));
        assert_eq!(m.personio_name("URLAUB"), Some("Paid vacation"));
        assert_eq!(m.timetrack_name("paid vacation"), Some("Urlaub"));
        assert_eq!(m.personio_name("Krank"), None);
    }

    #[test]
    fn the_key_ignores_the_approval() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 8, n).unwrap();
        let a = Leave {
            email: "a@x.de".into(),
            from: d(3),
            to: d(7),
            kind: "Paid vacation".into(),
            approval: Approval::Pending,
        };
        let b = Leave {
            approval: Approval::Approved,
            ..a.clone()
        };
        assert_eq!(a.key(), b.key());
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert!(a.only_approval_differs(&b));
    }
}
