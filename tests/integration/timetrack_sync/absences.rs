//! The absences job.

use chrono::NaiveDate;
use zeitpost_sim::personio::PersonioConfig;
use zeitpost_sim::timetrack::{Absence, TimeTrackConfig};

use super::{Tt, local, second_run_is_quiet, spawn, spawn_with};

const JOB: &str = "[timetrack.absences]\ntype_map = { \"Urlaub\" = \"Paid vacation\", \"Krank\" = \"Sick leave\" }\n";
const IDS: &str = "absence_types = { \"Urlaub\" = 1, \"Krank\" = 2 }\n";

/// Personio's absence types; returns (vacation, sick).
fn types(t: &Tt) -> (String, String) {
    (
        t.personio.add_absence_type("Paid vacation", "day"),
        t.personio.add_absence_type("Sick leave", "day"),
    )
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Personio's absences as `person type from..to approval`, sorted.
fn personio_absences(t: &Tt) -> Vec<String> {
    let mut out: Vec<String> = t
        .personio
        .absences()
        .into_iter()
        .map(|a| {
            format!(
                "{} {} {}..{} {}",
                a.person_id,
                a.absence_type_id,
                a.starts_from.date(),
                a.ends_at.map(|e| e.date().to_string()).unwrap_or_default(),
                a.approval
            )
        })
        .collect();
    out.sort();
    out
}

fn tt_absences(t: &Tt) -> Vec<String> {
    let mut out: Vec<String> =
        t.tt.absences()
            .into_iter()
            .map(|a| {
                format!(
                    "{} {} {}..{} {}",
                    a.user, a.absence_type, a.from, a.to, a.status
                )
            })
            .collect();
    out.sort();
    out
}

#[test]
fn absences_flow_both_ways_with_their_types_and_approval() {
    let t = spawn_with(
        TimeTrackConfig::default(),
        PersonioConfig::default(),
        IDS,
        JOB,
    );
    let (vacation, sick) = types(&t);
    let mut urlaub = Absence::new("annam", "2026-11-09", "2026-11-13", 1);
    urlaub.status = 1;
    let urlaub = t.tt.add_absence(urlaub);
    let flu = t.personio.add_absence(
        &t.ben,
        &sick,
        local("2026-11-16T00:00"),
        Some(local("2026-11-17T23:59")),
        "PENDING",
    );
    // A type nobody mapped stays where it is.
    t.tt.add_absence(Absence::new("benb", "2026-11-20", "2026-11-20", 7));
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("not in absences.type_map"), "{text}");
    let mut expected = vec![
        format!("{} {sick} 2026-11-16..2026-11-17 PENDING", t.ben),
        format!("{} {vacation} 2026-11-09..2026-11-13 APPROVED", t.anna),
    ];
    expected.sort();
    assert_eq!(personio_absences(&t), expected, "{text}");
    assert_eq!(
        tt_absences(&t),
        [
            "annam 1 2026-11-09..2026-11-13 1",
            "benb 2 2026-11-16..2026-11-17 0",
            "benb 7 2026-11-20..2026-11-20 0"
        ]
    );
    second_run_is_quiet(&t, &[]);
    // Approved in Personio → approved in TimeTrack; rejected in TimeTrack → rejected in Personio.
    t.personio.set_absence_approval(&flu, "APPROVED");
    t.tt.set_absence(urlaub, |a| a.status = 2);
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        tt_absences(&t).contains(&"benb 2 2026-11-16..2026-11-17 1".to_string()),
        "{text}"
    );
    assert!(
        personio_absences(&t).contains(&format!(
            "{} {vacation} 2026-11-09..2026-11-13 REJECTED",
            t.anna
        )),
        "{text}"
    );
    second_run_is_quiet(&t, &[]);
    // New days in TimeTrack replace the absence in Personio.
    t.tt.set_absence(urlaub, |a| {
        a.to = day("2026-11-12");
        a.status = 1;
    });
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        personio_absences(&t).contains(&format!(
            "{} {vacation} 2026-11-09..2026-11-12 APPROVED",
            t.anna
        )),
        "{text}"
    );
    assert_eq!(t.personio.absences().len(), 2, "{text}");
    // Deleted in Personio → deleted in TimeTrack.
    t.personio.remove_absence(&flu);
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert_eq!(
        tt_absences(&t),
        [
            "annam 1 2026-11-09..2026-11-12 1",
            "benb 7 2026-11-20..2026-11-20 0"
        ]
    );
    second_run_is_quiet(&t, &[]);
}

#[test]
fn when_both_changed_an_absence_the_master_wins() {
    for (master, tt_status, personio_approval) in
        [("personio", 1, "APPROVED"), ("timetrack", 2, "REJECTED")]
    {
        let t = spawn_with(
            TimeTrackConfig::default(),
            PersonioConfig::default(),
            IDS,
            &format!("{JOB}master = \"{master}\"\n"),
        );
        let (vacation, _) = types(&t);
        let id =
            t.tt.add_absence(Absence::new("annam", "2026-11-09", "2026-11-13", 1));
        assert_eq!(t.sync(&[]).0.status.code(), Some(0));
        let p = t.personio.absences()[0].id.clone();
        t.personio.set_absence_approval(&p, "APPROVED");
        t.tt.set_absence(id, |a| a.status = 2);
        let (out, text) = t.sync(&[]);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("changed in both systems"), "{text}");
        assert_eq!(
            tt_absences(&t),
            [format!("annam 1 2026-11-09..2026-11-13 {tt_status}")],
            "master {master}"
        );
        assert_eq!(
            personio_absences(&t),
            [format!(
                "{} {vacation} 2026-11-09..2026-11-13 {personio_approval}",
                t.anna
            )],
            "master {master}: {text}"
        );
        second_run_is_quiet(&t, &[]);
    }
}

#[test]
fn type_ids_come_from_the_list_when_the_account_has_one_and_a_refused_approval_change_replaces() {
    let t = spawn_with(
        TimeTrackConfig {
            absence_types_path: Some("absence_types".into()),
            ..TimeTrackConfig::default()
        },
        PersonioConfig {
            absence_approval_patch: false,
            ..PersonioConfig::default()
        },
        "absence_types_path = \"absence_types\"\n",
        JOB,
    );
    t.tt.add_absence_type(11, "Urlaub", "U");
    let (vacation, _) = types(&t);
    let leave = t.personio.add_absence(
        &t.anna,
        &vacation,
        local("2026-11-23T00:00"),
        Some(local("2026-11-27T23:59")),
        "PENDING",
    );
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        tt_absences(&t),
        ["annam 11 2026-11-23..2026-11-27 0"],
        "{text}"
    );
    let id = t.tt.absences()[0].id;
    t.tt.set_absence(id, |a| a.status = 1);
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        personio_absences(&t),
        [format!(
            "{} {vacation} 2026-11-23..2026-11-27 APPROVED",
            t.anna
        )],
        "{text}"
    );
    assert!(
        !t.personio.absences().iter().any(|a| a.id == leave),
        "replaced, as Personio refused the change"
    );
    second_run_is_quiet(&t, &[]);
}

#[test]
fn without_a_type_id_the_reason_names_the_key_to_set() {
    let t = spawn(JOB);
    let (vacation, _) = types(&t);
    t.personio.add_absence(
        &t.anna,
        &vacation,
        local("2026-11-23T00:00"),
        Some(local("2026-11-24T23:59")),
        "APPROVED",
    );
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("timetrack.absence_types"), "{text}");
    assert!(t.tt.absences().is_empty());
}

#[test]
fn a_rejected_timetrack_absence_is_not_booked_and_is_no_problem() {
    let t = spawn_with(
        TimeTrackConfig::default(),
        PersonioConfig::default(),
        IDS,
        JOB,
    );
    types(&t);
    let mut refused = Absence::new("annam", "2026-11-09", "2026-11-10", 1);
    refused.status = 2;
    t.tt.add_absence(refused);
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("rejected in TimeTrack: not booked in Personio"),
        "{text}"
    );
    assert!(t.personio.absences().is_empty());
    second_run_is_quiet(&t, &[]);
}
