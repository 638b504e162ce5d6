//! Cursor paging, filters and the deleted feed.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;
use zeitpost_sim::timr::{TimrConfig, User, WorkingTime, WorkingTimeStatus};

use crate::client::world;

/// Follows `next_page_token` from `first` (which must end in `?` or `&`), collecting ids.
fn collect(w: &crate::client::World, first: &str, limit: usize) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut rel = format!("{first}limit={limit}");
    loop {
        let r = w.get(&rel);
        assert_eq!(r.status, 200, "{}", r.body);
        pages += 1;
        let body = r.json();
        let data = body["data"].as_array().unwrap();
        assert!(data.len() <= limit);
        items.extend(data.iter().cloned());
        match body["next_page_token"].as_str() {
            Some(tok) => {
                assert!(r.header("link").is_some_and(|l| l.contains("page_token=")));
                rel = format!("{first}limit={limit}&page_token={tok}");
            }
            None => return (items, pages),
        }
    }
}

#[test]
fn users_page_by_cursor_in_name_order() {
    let w = world(TimrConfig::default());
    for i in 0..6 {
        w.sim.add_user(User::new(
            "F",
            &format!("Z{i}"),
            &format!("z{i}@example.com"),
        ));
    }
    let (items, pages) = collect(&w, "users?", 3);
    assert_eq!((items.len(), pages), (7, 3));
    let last: Vec<&str> = items
        .iter()
        .map(|u| u["lastname"].as_str().unwrap())
        .collect();
    assert_eq!(last, ["Muster", "Z0", "Z1", "Z2", "Z3", "Z4", "Z5"]);
    let r = w.get("users?limit=501");
    assert_eq!(r.status, 400);
}

#[test]
fn users_filter_by_resigned_and_employee_number() {
    let w = world(TimrConfig::default());
    w.sim
        .add_user(User::new("Old", "Hand", "old@example.com").resigned_on("2020-01-31"));
    let names = |rel: &str| -> Vec<String> {
        w.get(rel).json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["fullname"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("users?resigned=true"), ["Old Hand"]);
    assert_eq!(names("users?resigned=false"), ["Anna Muster"]);
    assert_eq!(names("users?employee_number=7"), ["Anna Muster"]);
    assert_eq!(
        names("users?resign_date_from=2020-01-01&resign_date_to=2020-12-31"),
        ["Old Hand"]
    );
}

#[test]
fn working_times_page_without_repeats_while_data_changes() {
    let w = world(TimrConfig::default());
    for day in 1..=9 {
        w.entry(&format!("2026-03-{day:02}"));
    }
    let first = w.get("working-times?limit=4");
    let tok = first.json()["next_page_token"].as_str().unwrap().to_owned();
    // An entry earlier than the cursor appears between pages: it must not shift the next page.
    w.entry("2026-02-01");
    let second = w.get(&format!("working-times?limit=4&page_token={tok}"));
    let starts: Vec<String> = second.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap()[..10].to_owned())
        .collect();
    assert_eq!(
        starts,
        ["2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"]
    );
    // The token belongs to its filters.
    let r = w.get(&format!(
        "working-times?limit=4&statuses=locked&page_token={tok}"
    ));
    assert_eq!(r.status, 400, "{}", r.body);
    let (all, _) = collect(&w, "working-times?sort_direction=dsc&", 4);
    assert_eq!(all.len(), 10);
    assert_eq!(&all[0]["start"].as_str().unwrap()[..10], "2026-03-09");
    let ids: HashSet<&str> = all.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10);
}

#[test]
fn working_time_filters() {
    let w = world(TimrConfig::default());
    let other = w.sim.add_user(User::new("Ben", "B", "ben@example.com"));
    let za = w.sim.add_working_time_type(
        "Zeitausgleich",
        Some("ZA"),
        None,
        zeitpost_sim::timr::Category::UnpaidTimeOff,
    );
    w.sim.set_clock("2026-03-10T12:00:00+00:00");
    let a = w.entry("2026-03-02");
    let b = w.sim.add_working_time(
        WorkingTime::new(
            &other,
            &za,
            "2026-03-03T08:00:00+01:00",
            Some("2026-03-03T12:00:00+01:00"),
        )
        .notes("Arzt")
        .status(WorkingTimeStatus::Locked),
    );
    let running = w.sim.add_working_time(WorkingTime::new(
        &w.user,
        &w.work,
        "2026-03-04T07:00:00+01:00",
        None,
    ));
    let ids = |rel: &str| -> Vec<String> {
        let r = w.get(rel);
        assert_eq!(r.status, 200, "{rel}: {}", r.body);
        r.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&format!("working-times?users={other}")), [b.as_str()]);
    assert_eq!(
        ids(&format!("working-times?users={other}&users={}", w.user)).len(),
        3
    );
    assert_eq!(
        ids("working-times?start_from=2026-03-03&start_to=2026-03-03"),
        [b.as_str()]
    );
    assert_eq!(
        ids("working-times?working_time_type_categories=unpaid_time_off"),
        [b.as_str()]
    );
    assert_eq!(
        ids(&format!("working-times?working_time_types={za}")),
        [b.as_str()]
    );
    assert_eq!(
        ids("working-times?statuses=running&statuses=locked"),
        [b.as_str(), running.as_str()]
    );
    assert_eq!(ids("working-times?notes=arz"), [b.as_str()]);
    // last_modified_after is strict: an entry stamped exactly then is not "after".
    assert!(ids("working-times?last_modified_after=2026-03-10T12:00:00Z").is_empty());
    w.sim.advance_clock(Duration::from_secs(60));
    w.sim
        .update_working_time(&a, |e| e.notes = Some("fixed".into()));
    assert_eq!(
        ids("working-times?last_modified_after=2026-03-10T13:00:00%2B01:00"),
        [a.as_str()]
    );
    assert_eq!(
        ids("working-times?sort_by=last_modified&sort_direction=dsc")[0],
        a
    );
    let run = w.get(&format!("working-times/{running}")).json();
    assert_eq!(
        (run["end"].clone(), run["duration"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(run["status"], "running");
}

#[test]
fn deleted_feed_since_an_instant() {
    let w = world(TimrConfig::default());
    w.sim.set_clock("2026-03-10T08:00:00+01:00");
    let keep = w.entry("2026-03-02");
    let gone = w.sim.add_working_time(
        WorkingTime::new(
            &w.user,
            &w.work,
            "2026-03-03T08:00:00+01:00",
            Some("2026-03-03T09:00:00+01:00"),
        )
        .metadata(serde_json::json!({"source": "zeitpost"})),
    );
    w.sim.advance_clock(Duration::from_secs(3600));
    assert!(w.sim.delete_working_time(&gone));
    let r = w.get("working-times:deleted?last_modified=2026-03-10T08:30:00%2B01:00");
    assert_eq!(r.status, 200, "{}", r.body);
    let data = r.json()["data"].clone();
    assert_eq!(data.as_array().unwrap().len(), 1);
    assert_eq!(data[0]["id"], gone.as_str());
    assert_eq!(data[0]["last_modified"], "2026-03-10T09:00:00+01:00");
    assert_eq!(data[0]["metadata"]["source"], "zeitpost");
    assert_eq!(data[0]["last_modified_by"]["id"], w.user.as_str());
    let later = w.get("working-times:deleted?last_modified=2026-03-10T09:00:00%2B01:00");
    assert!(later.json()["data"].as_array().unwrap().is_empty());
    assert_eq!(w.get(&format!("working-times/{gone}")).status, 404);
    assert_eq!(w.get(&format!("working-times/{keep}")).status, 200);
    // The spec's name is last_modified; a guessed name is refused.
    assert_eq!(
        w.get("working-times:deleted?deleted_after=2026-03-10T08:30:00Z")
            .status,
        400
    );
}

#[test]
fn working_time_types_filter_by_category() {
    let w = world(TimrConfig::default());
    w.sim.add_working_time_type(
        "Zeitausgleich",
        Some("ZA"),
        Some("za"),
        zeitpost_sim::timr::Category::UnpaidTimeOff,
    );
    let r = w.get("working-time-types?categories=unpaid_time_off");
    let data = r.json()["data"].clone();
    assert_eq!(data.as_array().unwrap().len(), 1);
    assert_eq!(
        (
            data[0]["short_name"].as_str(),
            data[0]["external_id"].as_str()
        ),
        (Some("ZA"), Some("za"))
    );
    assert_eq!(w.get("working-time-types?categories=holiday").status, 400);
    assert_eq!(
        w.get("working-time-types").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
