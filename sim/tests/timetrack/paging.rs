//! `page_number` / `limit`: bare arrays, 50 by default, 1000 at most, no hint of more pages.

use zeitpost_sim::timetrack::{Attendance, TimeTrackConfig, User};

use crate::http::world;

#[test]
fn pages_are_bare_arrays_and_the_last_one_is_short() {
    let w = world(TimeTrackConfig::default());
    for i in 0..6 {
        w.sim.add_user(User::new(
            &format!("u{i}"),
            "A",
            "B",
            &format!("u{i}@example.com"),
        ));
    }
    // hansm plus six: 7 users at 3 a page is 3, 3, 1.
    let sizes: Vec<usize> = (0..4)
        .map(|p| {
            w.get(&format!("users?limit=3&page_number={p}"))
                .items()
                .len()
        })
        .collect();
    assert_eq!(sizes, [3, 3, 1, 0]);
    let first = w.get("users?limit=3&page_number=0").items();
    let second = w.get("users?limit=3&page_number=1").items();
    assert_ne!(first[0]["id"], second[0]["id"]);
    assert_eq!(w.get("users?limit=0").items().len(), 0);
}

#[test]
fn the_default_limit_is_50_and_more_than_1000_is_refused() {
    let w = world(TimeTrackConfig::default());
    for h in 0..120 {
        let mut a = Attendance::new("hansm", "2020-10-01T00:00:00Z", None);
        a.from += chrono::TimeDelta::hours(h);
        a.to = Some(a.from + chrono::TimeDelta::minutes(30));
        w.sim.add_attendance(a);
    }
    assert_eq!(w.get("attendances").items().len(), 50);
    assert_eq!(w.get("attendances?page_number=2").items().len(), 20);
    assert_eq!(w.get("attendances?limit=1000").items().len(), 120);
    let r = w.get("attendances?limit=1001");
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("1000"));
    assert_eq!(w.get("attendances?page_number=-1").status, 400);
}

#[test]
fn a_server_ignoring_page_number_repeats_the_first_page() {
    let w = world(TimeTrackConfig {
        ignore_page_number: true,
        ..TimeTrackConfig::default()
    });
    w.sim
        .add_user(User::new("annab", "Anna", "Berg", "anna@example.com"));
    let first = w.get("users?limit=1&page_number=0").items();
    let second = w.get("users?limit=1&page_number=1").items();
    assert_eq!(first.len(), 1);
    assert_eq!(first, second);
}
