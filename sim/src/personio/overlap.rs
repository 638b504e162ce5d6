//! Which periods a write collides with, and how Trim mode makes room.
//!
//! `personio-v2-breaks.md` §2: the v2 create answer carries `affected_periods`, which suggests
//! Personio trims or splits neighbours instead of refusing; nobody has confirmed either. Intervals
//! are half-open, so periods that only touch do not overlap. An open period counts as running to
//! the end of its start day (assumption, see README).

use chrono::{Duration, NaiveDateTime};

use super::model::{Period, PeriodType, now_secs};

/// The end used for overlap tests: the real end, or midnight after the start.
fn effective_end(start: NaiveDateTime, end: Option<NaiveDateTime>) -> NaiveDateTime {
    end.unwrap_or_else(|| {
        start
            .date()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or(start + Duration::days(1))
    })
}

/// The shape of a write, for overlap tests.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub kind: PeriodType,
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
}

impl Span {
    fn bounds(&self) -> (NaiveDateTime, NaiveDateTime) {
        (self.start, effective_end(self.start, self.end))
    }
}

fn bounds(p: &Period) -> (NaiveDateTime, NaiveDateTime) {
    (p.start, effective_end(p.start, p.end))
}

/// Whether `p` collides with `span`. With `break_inside_work`, a BREAK wholly inside a WORK
/// (either way round) is allowed.
pub(crate) fn collides(p: &Period, span: &Span, break_inside_work: bool) -> bool {
    let (s, e) = span.bounds();
    let (ps, pe) = bounds(p);
    if !(ps < e && s < pe) {
        return false;
    }
    if break_inside_work {
        let inside = |inner: (NaiveDateTime, NaiveDateTime),
                      outer: (NaiveDateTime, NaiveDateTime)| {
            outer.0 <= inner.0 && inner.1 <= outer.1
        };
        match (span.kind, p.kind) {
            (PeriodType::Break, PeriodType::Work) if inside((s, e), (ps, pe)) => return false,
            (PeriodType::Work, PeriodType::Break) if inside((ps, pe), (s, e)) => return false,
            _ => {}
        }
    }
    true
}

/// What Trim mode did to one neighbour.
#[derive(Debug)]
pub(crate) enum Cut {
    /// Wholly covered: removed.
    Removed,
    /// Shortened at one end, or split; the new remainder, if any, has to be stored.
    Kept { remainder: Option<Period> },
}

/// Cuts `span` out of `p` (which collides with it).
pub(crate) fn cut(p: &mut Period, span: &Span) -> Cut {
    let (s, e) = span.bounds();
    let (ps, pe) = bounds(p);
    let now = now_secs();
    let head = ps < s;
    let tail = pe > e;
    match (head, tail) {
        (false, false) => Cut::Removed,
        (true, false) => {
            p.end = Some(s);
            p.updated_at = now;
            Cut::Kept { remainder: None }
        }
        (false, true) => {
            p.start = e;
            p.updated_at = now;
            Cut::Kept { remainder: None }
        }
        (true, true) => {
            let mut rest = p.clone();
            rest.id = uuid::Uuid::new_v4().to_string();
            rest.start = e;
            rest.created_at = now;
            rest.updated_at = now;
            p.end = Some(s);
            p.updated_at = now;
            Cut::Kept {
                remainder: Some(rest),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 3)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid")
    }

    fn period(kind: PeriodType, s: NaiveDateTime, e: Option<NaiveDateTime>) -> Period {
        Period {
            id: "p".into(),
            person_id: "1001".into(),
            kind,
            start: s,
            end: e,
            comment: None,
            project_id: None,
            approval: "CONFIRMED".into(),
            created_at: now_secs(),
            updated_at: now_secs(),
        }
    }

    #[test]
    fn touching_is_no_overlap() {
        let p = period(PeriodType::Work, t(8, 0), Some(t(12, 0)));
        let span = |s, e| Span {
            kind: PeriodType::Work,
            start: s,
            end: Some(e),
        };
        assert!(!collides(&p, &span(t(12, 0), t(13, 0)), false));
        assert!(collides(&p, &span(t(11, 59), t(13, 0)), false));
        let open = period(PeriodType::Work, t(8, 0), None);
        assert!(collides(&open, &span(t(20, 0), t(21, 0)), false));
    }

    #[test]
    fn break_inside_work_switch() {
        let work = period(PeriodType::Work, t(8, 0), Some(t(16, 0)));
        let brk = Span {
            kind: PeriodType::Break,
            start: t(12, 0),
            end: Some(t(12, 30)),
        };
        assert!(collides(&work, &brk, false));
        assert!(!collides(&work, &brk, true));
    }

    #[test]
    fn split_keeps_both_sides() {
        let mut work = period(PeriodType::Work, t(8, 0), Some(t(16, 0)));
        let brk = Span {
            kind: PeriodType::Break,
            start: t(12, 0),
            end: Some(t(12, 30)),
        };
        let Cut::Kept {
            remainder: Some(rest),
        } = cut(&mut work, &brk)
        else {
            panic!("expected a split");
        };
        assert_eq!((work.start, work.end), (t(8, 0), Some(t(12, 0))));
        assert_eq!((rest.start, rest.end), (t(12, 30), Some(t(16, 0))));
    }
}
