use chrono::NaiveDate;

use super::*;

fn record(start: u16, end: u16) -> Record {
    Record {
        employee: "anna@example.com".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        start,
        end,
        end_date: None,
        break_minutes: 0,
        comment: None,
    }
}

fn period(r: &Record) -> PlannedWrite {
    let at = |m: u16| {
        r.date
            .and_hms_opt(u32::from(m) / 60, u32::from(m) % 60, 0)
            .unwrap()
    };
    PlannedWrite {
        kind: "WORK".into(),
        start: at(r.start),
        end: at(r.end),
        comment: None,
    }
}

#[test]
fn planned_writes_stay_pending_until_confirmed() {
    let mut l = Ledger::open_in_memory().unwrap();
    let r = record(480, 720);
    assert_eq!(l.entry("personio", &r).unwrap(), None);
    let id = l
        .plan("personio", &r, (Some("abc"), Some("2")), &[period(&r)], &[])
        .unwrap();
    let e = l.entry("personio", &r).unwrap().unwrap();
    assert!(e.pending);
    assert_eq!(e.content_hash, content_hash(&r));
    let pending = l.pending("personio").unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].writes[0].state, WriteState::Planned);
    assert!(l.pending("outbox").unwrap().is_empty());

    l.write_done(pending[0].writes[0].id, Some("uuid-1"))
        .unwrap();
    l.record_done(id).unwrap();
    assert!(l.pending("personio").unwrap().is_empty());
    assert!(!l.entry("personio", &r).unwrap().unwrap().pending);
    assert_eq!(l.live_remote_ids(id).unwrap()[0].0, "uuid-1");
    assert_eq!(l.count_done("personio").unwrap(), 1);
}

#[test]
fn a_correction_replaces_the_record_and_keeps_history() {
    let mut l = Ledger::open_in_memory().unwrap();
    let r = record(480, 720);
    let id = l
        .plan("personio", &r, (None, None), &[period(&r)], &[])
        .unwrap();
    let w = l.writes(id).unwrap();
    l.write_done(w[0].id, Some("old")).unwrap();
    l.record_done(id).unwrap();

    let corrected = record(480, 750);
    let old = l.live_remote_ids(id).unwrap();
    let id2 = l
        .plan(
            "personio",
            &corrected,
            (None, None),
            &[period(&corrected)],
            &old,
        )
        .unwrap();
    assert_eq!(id, id2);
    let w = l.writes(id).unwrap();
    assert_eq!(w.len(), 3);
    assert!(w[1].delete && w[1].remote_id.as_deref() == Some("old"));
    l.write_done(w[1].id, None).unwrap();
    l.write_done(w[2].id, Some("new")).unwrap();
    let live: Vec<String> = l
        .live_remote_ids(id)
        .unwrap()
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(live, ["new"]);
    assert_eq!(
        l.entry("personio", &corrected)
            .unwrap()
            .unwrap()
            .content_hash,
        content_hash(&corrected)
    );
}

#[test]
fn adopted_records_are_done_with_their_remote_ids() {
    let mut l = Ledger::open_in_memory().unwrap();
    let r = record(480, 720);
    let id = l
        .adopt(
            "personio",
            &r,
            (None, None),
            &[(period(&r), "found".into())],
        )
        .unwrap();
    assert_eq!(l.live_remote_ids(id).unwrap()[0].0, "found");
    assert!(l.pending("personio").unwrap().is_empty());
}

#[test]
fn the_database_survives_reopening_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/zeitpost.db");
    {
        let l = Ledger::open(&path).unwrap();
        l.note_file("sha", "a.csv", "mail 1").unwrap();
    }
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.file_seen("sha").unwrap().unwrap().0, "a.csv");
    l.conn.pragma_update(None, "user_version", 99).unwrap();
    drop(l);
    assert!(matches!(
        Ledger::open(&path),
        Err(LedgerError::TooNew { found: 99, .. })
    ));
}

#[test]
fn forgetting_a_record_removes_its_writes() {
    let mut l = Ledger::open_in_memory().unwrap();
    let r = record(480, 720);
    let id = l
        .plan("personio", &r, (None, None), &[period(&r)], &[])
        .unwrap();
    l.forget_record(id).unwrap();
    assert_eq!(l.entry("personio", &r).unwrap(), None);
    assert!(l.writes(id).unwrap().is_empty());
}
