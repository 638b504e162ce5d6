//! Absences as both systems hold them: whole days of one type, with an approval state.
//!
//! Types are matched by name through `type_map` (TimeTrack name = Personio name); an
//! absence whose type has no mapping stays where it is and is named in the summary.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::reconcile::Content;

/// TimeTrack's 0/1/2 and Personio's PENDING/APPROVED/REJECTED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Approval {
    Pending,
    Approved,
    Rejected,
}

impl Approval {
    pub fn from_timetrack(status: u8) -> Approval {
        match status {
            1 => Approval::Approved,
            2 => Approval::Rejected,
            _ => Approval::Pending,
        }
    }

    pub fn timetrack(self) -> u8 {
        match self {
            Approval::Pending => 0,
            Approval::Approved => 1,
            Approval::Rejected => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Pending => "pending",
            Approval::Approved => "approved",
            Approval::Rejected => "rejected",
        }
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
        for s in 0..=2 {
            assert_eq!(Approval::from_timetrack(s).timetrack(), s);
        }
        assert_eq!(Approval::from_timetrack(9), Approval::Pending);
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
