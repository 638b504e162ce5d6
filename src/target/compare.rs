//! Comparing the periods a record needs with the periods the target already holds.

use chrono::NaiveDateTime;

use super::layout::{Period, PeriodKind};

/// A period the target holds, reduced to what comparison needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub kind: Option<PeriodKind>,
    pub start: NaiveDateTime,
    /// Open periods (no end yet) reach to the end of their day.
    pub end: NaiveDateTime,
}

/// How a record's periods relate to what is held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// Nothing held touches them: write all.
    Free,
    /// Some or all are held exactly (same kind, start, end); the rest is free. Pairs each
    /// planned period with the id holding it, if any.
    Partly(Vec<Option<String>>),
    /// A held period overlaps without being one of them.
    Clash(Held),
}

fn overlaps(a: (NaiveDateTime, NaiveDateTime), b: (NaiveDateTime, NaiveDateTime)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Compares `planned` against `held` (one person's periods), ignoring held ids in `own`.
pub fn fit(planned: &[Period], held: &[Held], own: &[String]) -> Fit {
    let mut matched = Vec::with_capacity(planned.len());
    for p in planned {
        let exact = held.iter().find(|h| {
            !own.contains(&h.id) && h.kind == Some(p.kind) && h.start == p.start && h.end == p.end
        });
        matched.push(exact.map(|h| h.id.clone()));
    }
    for h in held.iter().filter(|h| !own.contains(&h.id)) {
        if matched.iter().flatten().any(|id| *id == h.id) {
            continue;
        }
        if planned
            .iter()
            .any(|p| overlaps((p.start, p.end), (h.start, h.end)))
        {
            return Fit::Clash(h.clone());
        }
    }
    if matched.iter().all(Option::is_none) {
        Fit::Free
    } else {
        Fit::Partly(matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 2)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn period(kind: PeriodKind, a: NaiveDateTime, b: NaiveDateTime) -> Period {
        Period {
            kind,
            start: a,
            end: b,
            comment: None,
        }
    }

    fn held(id: &str, kind: PeriodKind, a: NaiveDateTime, b: NaiveDateTime) -> Held {
        Held {
            id: id.into(),
            kind: Some(kind),
            start: a,
            end: b,
        }
    }

    #[test]
    fn exact_matches_partial_matches_and_clashes() {
        use PeriodKind::*;
        let plan = [
            period(Work, t(8, 0), t(12, 0)),
            period(Break, t(12, 0), t(12, 30)),
            period(Work, t(12, 30), t(16, 0)),
        ];
        assert_eq!(fit(&plan, &[], &[]), Fit::Free);
        assert_eq!(
            fit(&plan, &[held("x", Work, t(16, 0), t(18, 0))], &[]),
            Fit::Free,
            "touching is fine"
        );
        let all = [
            held("a", Work, t(8, 0), t(12, 0)),
            held("b", Break, t(12, 0), t(12, 30)),
            held("c", Work, t(12, 30), t(16, 0)),
        ];
        assert_eq!(
            fit(&plan, &all, &[]),
            Fit::Partly(vec![Some("a".into()), Some("b".into()), Some("c".into())])
        );
        assert_eq!(
            fit(&plan, &all[..1], &[]),
            Fit::Partly(vec![Some("a".into()), None, None])
        );
        let manual = held("m", Work, t(15, 0), t(17, 0));
        assert_eq!(
            fit(&plan, std::slice::from_ref(&manual), &[]),
            Fit::Clash(manual.clone())
        );
        assert_eq!(
            fit(&plan, &[manual], &["m".into()]),
            Fit::Free,
            "own periods do not clash"
        );
        let wrong_kind = held("w", Break, t(8, 0), t(12, 0));
        assert!(matches!(fit(&plan, &[wrong_kind], &[]), Fit::Clash(_)));
    }
}
