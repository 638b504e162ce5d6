//! Killed in the middle of a run, again and again: nothing lost, nothing doubled.

use std::collections::HashSet;
use std::time::Duration;

use zeitpost_sim::personio::{Fault as PFault, Route as PRoute};
use zeitpost_sim::timetrack::{Attendance, Fault, Route};

use zeitpost_sim::personio::PersonioConfig;
use zeitpost_sim::timetrack::{Absence, TimeTrackConfig};

use super::{local, second_run_is_quiet, spawn_with};
use crate::util::{kill_at_random, slow_personio_creates, zeitpost};

#[test]
fn kills_at_random_moments_lose_and_double_nothing() {
    let t = spawn_with(
        TimeTrackConfig::default(),
        PersonioConfig::default(),
        "absence_types = { \"Urlaub\" = 1 }\n",
        "[timetrack.employees]\n\n[timetrack.time_entries]\nmode = \"bidirectional\"\n\n[timetrack.absences]\ntype_map = { \"Urlaub\" = \"Paid vacation\" }\n",
    );
    let vacation = t.personio.add_absence_type("Paid vacation", "day");
    // New hires for the employees job, absences on both sides for the absences job.
    for n in 0..8 {
        t.personio
            .add_person(&format!("neu{n}@example.com"), "Neu", &format!("{n}"));
    }
    for week in 0..3u32 {
        let monday = 2 + 7 * week;
        let mut leave = Absence::new(
            "annam",
            &format!("2026-11-{:02}", monday + 3),
            &format!("2026-11-{:02}", monday + 4),
            1,
        );
        leave.status = 1;
        t.tt.add_absence(leave);
        t.personio.add_absence(
            &t.ben,
            &vacation,
            local(&format!("2026-11-{:02}T00:00", monday + 4)),
            Some(local(&format!("2026-11-{:02}T23:59", monday + 4))),
            "APPROVED",
        );
    }
    let days = 2..=16u32;
    for d in days.clone() {
        t.work(&t.ben, &format!("2026-11-{d:02}"), "08:00", "12:00");
        t.tt.add_attendance(
            Attendance::new(
                "annam",
                &format!("2026-11-{d:02}T07:00:00Z"),
                Some(&format!("2026-11-{d:02}T15:30:00Z")),
            )
            .break_minutes(30),
        );
    }
    // Slow writes, so kills land between planning, sending and confirming.
    for _ in 0..200 {
        for route in [
            Route::CreateAttendance,
            Route::CreateUser,
            Route::CreateAbsence,
        ] {
            t.tt.inject(Fault::Delay {
                route,
                delay: Duration::from_millis(30),
                times: 1,
            });
        }
    }
    slow_personio_creates(&t.personio, 200, 20);
    for route in [
        Route::CreateAttendance,
        Route::CreateUser,
        Route::CreateAbsence,
    ] {
        t.tt.inject(Fault::ApplyThenDrop { route, times: 1 });
    }
    t.personio.inject(PFault::ApplyThenDrop {
        route: PRoute::CreatePeriod,
        times: 2,
    });
    let run = kill_at_random(
        zeitpost().arg("--config").arg(&t.config).args([
            "sync",
            "timetrack",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ]),
        0x2545_F491_4F6C_DD1Du64 ^ u64::from(std::process::id()),
        60,
        (40, 300),
        |status| status.code() == Some(0),
    );
    let kills = run.kills;
    let mut done = run.ended.is_some();
    for _ in 0..3 {
        if done {
            break;
        }
        let (out, _) = t.sync(&[]);
        done = out.status.code() == Some(0);
    }
    eprintln!("killed {kills} times");
    assert!(kills > 0, "the test must actually interrupt runs");
    assert!(done, "a run without kills finishes cleanly");
    let attendances = t.tt.attendances();
    let distinct: HashSet<(String, String)> = attendances
        .iter()
        .map(|a| (a.user.clone(), a.from.to_rfc3339()))
        .collect();
    assert_eq!(attendances.len(), 30, "{:#?}", t.attendances());
    assert_eq!(distinct.len(), 30, "no entry twice: {:#?}", t.attendances());
    let n = days.count();
    assert_eq!(
        t.periods_of(&t.anna).len(),
        3 * n,
        "{:#?}",
        t.periods_of(&t.anna)
    );
    assert_eq!(t.periods_of(&t.ben).len(), n, "{:#?}", t.periods_of(&t.ben));
    let mut periods: Vec<_> = t.personio.periods();
    periods.sort_by_key(|p| (p.person_id.clone(), p.start));
    for w in periods.windows(2) {
        if w[0].person_id == w[1].person_id {
            assert!(
                w[0].end.unwrap() <= w[1].start,
                "overlap: {:?} {:?}",
                w[0],
                w[1]
            );
        }
    }
    let users = t.tt.users();
    let names: HashSet<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(users.len(), 2 + 8, "{names:?}");
    assert_eq!(names.len(), users.len(), "no user twice: {names:?}");
    let leaves = t.tt.absences();
    let distinct: HashSet<(String, String)> = leaves
        .iter()
        .map(|a| (a.user.clone(), a.from.to_string()))
        .collect();
    assert_eq!((leaves.len(), distinct.len()), (6, 6), "{leaves:#?}");
    assert_eq!(
        t.personio.absences().len(),
        6,
        "{:#?}",
        t.personio.absences()
    );
    second_run_is_quiet(&t, &[]);
}
