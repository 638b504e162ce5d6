//! `GET /v2/attendance-periods`: filters, cursor paging, strict date-times.

use chrono::{Duration, NaiveDate};
use serde_json::Value;
use zeitpost_sim::personio::{PeriodType, PersonioSim};

use crate::client::{call, dt, sim, token};

/// Three persons with one WORK period per day for 84 days each: 252 periods.
fn populated() -> (PersonioSim, Vec<String>) {
    let sim = sim();
    let persons: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|n| sim.add_person(&format!("{n}@example.com"), n, n))
        .collect();
    let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    // Add in reverse to prove the list sorts.
    for d in (0..84).rev() {
        let day = day0 + Duration::days(d);
        for p in persons.iter().rev() {
            let start = day.and_hms_opt(8, 0, 0).unwrap();
            let end = day.and_hms_opt(12, 0, 0).unwrap();
            sim.add_period(p, PeriodType::Work, start, Some(end), None);
        }
    }
    (sim, persons)
}

fn items(body: &Value) -> &Vec<Value> {
    body["_data"].as_array().unwrap()
}

/// Follows `next` from `first`; returns all items and the number of pages.
fn follow(sim: &PersonioSim, tok: &str, first: &str) -> (Vec<Value>, usize, Vec<String>) {
    let mut target = first.to_owned();
    let (mut all, mut pages, mut nexts) = (Vec::new(), 0, Vec::new());
    loop {
        let r = call(sim, tok, "GET", &target, None);
        assert_eq!(r.status, 200, "{}", r.body);
        let body = r.json();
        all.extend(items(&body).iter().cloned());
        pages += 1;
        match body["_meta"]["links"]["next"]["href"].as_str() {
            Some(n) => {
                nexts.push(n.to_owned());
                target = n.to_owned();
            }
            None => return (all, pages, nexts),
        }
    }
}

#[test]
fn pages_over_more_than_100_with_absolute_links() {
    let (sim, persons) = populated();
    let tok = token(&sim);
    let (all, pages, nexts) = follow(&sim, &tok, "/v2/attendance-periods");
    assert_eq!((all.len(), pages), (252, 3));
    for n in &nexts {
        let prefix = format!("{}/v2/attendance-periods?cursor=", sim.base_url());
        assert!(n.starts_with(&prefix), "{n}");
    }
    // Sorted by person, then start.
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|p| {
            let person = p["person"]["id"].as_str().unwrap().to_owned();
            (person, p["start"]["date_time"].as_str().unwrap().to_owned())
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys[0].0, persons[0]);
    let first = &all[0];
    assert_eq!(first["type"], "WORK");
    assert_eq!(first["start"]["date_time"], "2026-01-01T08:00:00");
    assert_eq!(first["end"]["date_time"], "2026-01-01T12:00:00");
    assert_eq!(first["attribution_date"], "2026-01-01");
    assert_eq!(first["approval"]["status"], "CONFIRMED");
    assert_eq!(first["is_auto_generated"], false);
    assert!(first["created_at"].is_string() && first["updated_at"].is_string());
}

#[test]
fn cursor_carries_filters_and_links_can_be_relative() {
    let (sim, persons) = populated();
    sim.set_config(|c| c.absolute_links = false);
    let tok = token(&sim);
    let first = format!(
        "/v2/attendance-periods?limit=7&person.id={},{}&start.date_time.gte=2026-01-10T00:00:00&start.date_time.lte=2026-01-19T23:59:59",
        persons[0], persons[2]
    );
    let (all, pages, nexts) = follow(&sim, &tok, &first);
    assert_eq!((all.len(), pages), (20, 3));
    assert!(
        nexts
            .iter()
            .all(|n| n.starts_with("/v2/attendance-periods?cursor="))
    );
    assert!(all.iter().all(|p| p["person"]["id"] != persons[1].as_str()));
    let repeated = format!(
        "/v2/attendance-periods?person.id={}&person.id={}&attribution_date.gte=2026-01-10&attribution_date.lte=2026-01-19",
        persons[0], persons[2]
    );
    assert_eq!(
        items(&call(&sim, &tok, "GET", &repeated, None).json()).len(),
        20
    );
}

#[test]
fn other_filters() {
    let sim = sim();
    let p = sim.add_person("x@example.com", "X", "X");
    let closed = sim.add_period(
        &p,
        PeriodType::Work,
        dt("2026-03-03T08:00:00"),
        Some(dt("2026-03-03T12:00:00")),
        None,
    );
    let open = sim.add_period(
        &p,
        PeriodType::Work,
        dt("2026-03-04T08:00:00"),
        None,
        Some("open"),
    );
    let tok = token(&sim);
    let get = |q: &str| {
        let r = call(
            &sim,
            &tok,
            "GET",
            &format!("/v2/attendance-periods?{q}"),
            None,
        );
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        items(&r.json())
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        get("end.date_time.lte=2026-03-05T00:00:00"),
        vec![closed.clone()]
    );
    assert_eq!(get(&format!("id={open}")), vec![open.clone()]);
    assert_eq!(get("updated_at.gte=2000-01-01T00:00:00").len(), 2);
    assert!(get("updated_at.lte=2000-01-01T00:00:00").is_empty());
    assert_eq!(
        get("sort=-start.date_time"),
        vec![open.clone(), closed.clone()]
    );
    assert_eq!(get("status=PENDING"), Vec::<String>::new());

    let one = call(
        &sim,
        &tok,
        "GET",
        &format!("/v2/attendance-periods/{open}"),
        None,
    );
    assert_eq!(one.status, 200);
    assert!(one.json()["end"].is_null());
    assert_eq!(one.json()["comment"], "open");
    let missing = call(
        &sim,
        &tok,
        "GET",
        "/v2/attendance-periods/00000000-0000-0000-0000-000000000000",
        None,
    );
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
}

#[test]
fn bad_date_times_limits_and_cursors_are_400() {
    let sim = sim();
    let tok = token(&sim);
    for q in [
        "start.date_time.gte=2026-03-03T00:00:00Z",
        "start.date_time.gte=2026-03-03T00:00:00%2B01:00",
        "end.date_time.lte=2026-03-03T00:00:00-02:00",
        "updated_at.gte=2026-03-03",
        "attribution_date.gte=2026-03-03T00:00:00",
        "limit=0",
        "limit=101",
        "limit=ten",
        "cursor=not-a-cursor",
        "sort=comment",
    ] {
        let r = call(
            &sim,
            &tok,
            "GET",
            &format!("/v2/attendance-periods?{q}"),
            None,
        );
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.title(), "Invalid request content.", "{q}");
    }
    assert_eq!(
        call(&sim, &tok, "GET", "/v2/attendance-periods?limit=100", None).status,
        200
    );
}
