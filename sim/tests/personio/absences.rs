//! `/v2/absence-periods` and `/v2/absence-types`: paging, filters, approval, overlaps, the
//! `absence_approval_patch` switch, scopes and faults.

use std::time::Duration;

use serde_json::{Value, json};
use zeitpost_sim::personio::{Fault, Route, SCOPE_ABSENCES_WRITE};

use crate::client::{call, dt, token, try_call, with_anna};

const URL: &str = "/v2/absence-periods";

fn absence_body(person: &str, kind: &str, from: &str, to: Option<&str>) -> Value {
    let mut v = json!({
        "person": { "id": person },
        "absence_type": { "id": kind },
        "starts_from": { "date_time": from },
        "comment": "Urlaub",
    });
    if let Some(t) = to {
        v["ends_at"] = json!({ "date_time": t });
    }
    v
}

fn ids(body: &Value) -> Vec<String> {
    body["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn skip_approval_decides_between_approved_and_pending() {
    let (sim, person, tok) = with_anna();
    let approved = call(
        &sim,
        &tok,
        "POST",
        &format!("{URL}?skip_approval=true"),
        Some(&absence_body(
            &person,
            "5001",
            "2026-03-02T00:00:00",
            Some("2026-03-02T23:59:59"),
        )),
    );
    assert_eq!(approved.status, 201, "{}", approved.body);
    let id = approved.json()["id"].as_str().unwrap().to_owned();
    let pending = call(
        &sim,
        &tok,
        "POST",
        URL,
        Some(&absence_body(
            &person,
            "5001",
            "2026-03-03T00:00:00",
            Some("2026-03-03T23:59:59"),
        )),
    );
    assert_eq!(pending.status, 201);
    let got = call(&sim, &tok, "GET", &format!("{URL}/{id}"), None).json();
    assert_eq!(got["approval"]["status"], "APPROVED");
    assert_eq!(got["starts_from"]["date_time"], "2026-03-02T00:00:00");
    assert_eq!(got["ends_at"]["date_time"], "2026-03-02T23:59:59");
    assert_eq!(got["comment"], "Urlaub");
    assert!(got["timezone_id"].is_string() && got["updated_at"].is_string());
    let statuses: Vec<String> = sim.absences().iter().map(|a| a.approval.clone()).collect();
    assert_eq!(statuses, ["APPROVED", "PENDING"]);
    let bad = call(
        &sim,
        &tok,
        "POST",
        &format!("{URL}?skip_approval=yes"),
        Some(&absence_body(&person, "5001", "2026-03-05T00:00:00", None)),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(
        call(&sim, &tok, "GET", &format!("{URL}/nope"), None).status,
        404
    );
}

#[test]
fn overlap_is_409_unless_the_other_absence_was_rejected() {
    let (sim, person, tok) = with_anna();
    let first = sim.add_absence(
        &person,
        "5001",
        dt("2026-03-02T00:00:00"),
        Some(dt("2026-03-06T23:59:59")),
        "APPROVED",
    );
    let inside = absence_body(
        &person,
        "5002",
        "2026-03-04T00:00:00",
        Some("2026-03-04T23:59:59"),
    );
    let r = call(&sim, &tok, "POST", URL, Some(&inside));
    assert_eq!(
        (r.status, r.title().as_str()),
        (409, "Absence period conflict")
    );
    // Another person may be absent then.
    let ben = sim.add_person("ben@example.com", "Ben", "B");
    let other = absence_body(&ben, "5001", "2026-03-04T00:00:00", None);
    assert_eq!(call(&sim, &tok, "POST", URL, Some(&other)).status, 201);
    assert!(sim.set_absence_approval(&first, "REJECTED"));
    assert_eq!(call(&sim, &tok, "POST", URL, Some(&inside)).status, 201);
    // An open-ended absence blocks everything after its start.
    let open = absence_body(&person, "5003", "2026-04-01T00:00:00", None);
    assert_eq!(call(&sim, &tok, "POST", URL, Some(&open)).status, 201);
    let later = absence_body(
        &person,
        "5001",
        "2026-09-01T00:00:00",
        Some("2026-09-01T23:59:59"),
    );
    assert_eq!(call(&sim, &tok, "POST", URL, Some(&later)).status, 409);
    let backwards = absence_body(
        &person,
        "5001",
        "2026-02-02T00:00:00",
        Some("2026-02-01T00:00:00"),
    );
    assert_eq!(call(&sim, &tok, "POST", URL, Some(&backwards)).status, 422);
    assert_eq!(sim.absences().len(), 4);
}

#[test]
fn list_pages_and_filters() {
    let (sim, anna, tok) = with_anna();
    let ben = sim.add_person("ben@example.com", "Ben", "B");
    for day in 1..=7 {
        for (person, kind) in [(&anna, "5001"), (&ben, "5002")] {
            sim.add_absence(
                person,
                kind,
                dt(&format!("2026-03-{day:02}T00:00:00")),
                Some(dt(&format!("2026-03-{day:02}T23:59:59"))),
                "APPROVED",
            );
        }
    }
    let open = sim.add_absence(&ben, "5003", dt("2026-04-01T00:00:00"), None, "PENDING");
    // Three pages of five, following next alone.
    let mut target = format!("{URL}?limit=5");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let body = call(&sim, &tok, "GET", &target, None).json();
        seen.extend(ids(&body));
        pages += 1;
        match body["_meta"]["links"]["next"]["href"].as_str() {
            Some(next) => target = next.to_owned(),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (3, 15));
    let get = |q: &str| ids(&call(&sim, &tok, "GET", &format!("{URL}?{q}"), None).json());
    assert_eq!(get(&format!("person.id={anna}")).len(), 7);
    assert_eq!(get(&format!("person.id={anna},{ben}")).len(), 15);
    assert_eq!(get(&format!("person.id={anna}&person.id={ben}")).len(), 15);
    assert_eq!(get("absence_type.id=5002").len(), 7);
    assert_eq!(
        get("starts_from.date_time.gte=2026-03-06T00:00:00&starts_from.date_time.lte=2026-03-07T23:59:59")
            .len(),
        4
    );
    // Overlapping 3 to 4 March: starts before its end and ends after its start.
    assert_eq!(
        get("starts_from.date_time.lte=2026-03-04T23:59:59&ends_at.date_time.gte=2026-03-03T00:00:00")
            .len(),
        4
    );
    // An open end passes a lower bound on the end and fails an upper one.
    assert_eq!(
        get("ends_at.date_time.gte=2026-03-20T00:00:00"),
        std::slice::from_ref(&open)
    );
    assert_eq!(get("ends_at.date_time.lte=2026-12-31T00:00:00").len(), 14);
    assert!(sim.update_absence(&open, |a| a.updated_at =
        "2099-01-01T00:00:00Z".parse().unwrap()));
    assert_eq!(get("updated_at.gte=2098-01-01T00:00:00"), [open]);
    assert_eq!(get("updated_at.lte=2098-01-01T00:00:00").len(), 14);
    for bad in [
        "limit=0",
        "limit=101",
        "updated_at.gte=2026-03-03T00:00:00Z",
    ] {
        let r = call(&sim, &tok, "GET", &format!("{URL}?{bad}"), None);
        assert_eq!(r.status, 400, "{bad}");
    }
}

#[test]
fn patch_changes_range_comment_and_approval() {
    let (sim, person, tok) = with_anna();
    let id = sim.add_absence(
        &person,
        "5001",
        dt("2026-03-02T00:00:00"),
        Some(dt("2026-03-02T23:59:59")),
        "PENDING",
    );
    sim.add_absence(
        &person,
        "5001",
        dt("2026-03-10T00:00:00"),
        Some(dt("2026-03-10T23:59:59")),
        "APPROVED",
    );
    let target = format!("{URL}/{id}");
    let change = json!({
        "ends_at": { "date_time": "2026-03-03T23:59:59" },
        "comment": "zwei Tage",
        "approval": { "status": "APPROVED" },
    });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&change)).status,
        204
    );
    let got = call(&sim, &tok, "GET", &target, None).json();
    assert_eq!(got["ends_at"]["date_time"], "2026-03-03T23:59:59");
    assert_eq!(got["comment"], "zwei Tage");
    assert_eq!(got["approval"]["status"], "APPROVED");
    let into_other = json!({ "ends_at": { "date_time": "2026-03-10T12:00:00" } });
    let r = call(&sim, &tok, "PATCH", &target, Some(&into_other));
    assert_eq!(
        (r.status, r.title().as_str()),
        (409, "Absence period conflict")
    );
    let bad_status = json!({ "approval": { "status": "CONFIRMED" } });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&bad_status)).status,
        400
    );
    let reject = json!({ "approval": { "status": "REJECTED" } });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&reject)).status,
        204
    );
    assert_eq!(sim.absences()[0].approval, "REJECTED");
    let unknown = call(&sim, &tok, "PATCH", &format!("{URL}/nope"), Some(&reject));
    assert_eq!(unknown.status, 404);
}

#[test]
fn without_approval_patch_a_body_with_approval_is_422() {
    let (sim, person, tok) = with_anna();
    sim.set_config(|c| c.absence_approval_patch = false);
    let id = sim.add_absence(&person, "5001", dt("2026-03-02T00:00:00"), None, "PENDING");
    let target = format!("{URL}/{id}");
    let approve = json!({ "approval": { "status": "APPROVED" } });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&approve)).status,
        422
    );
    assert_eq!(sim.absences()[0].approval, "PENDING");
    let comment = json!({ "comment": "still allowed" });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&comment)).status,
        204
    );
    assert_eq!(sim.absences()[0].comment.as_deref(), Some("still allowed"));
}

#[test]
fn delete_is_204_then_404() {
    let (sim, person, tok) = with_anna();
    let id = sim.add_absence(&person, "5001", dt("2026-03-02T00:00:00"), None, "APPROVED");
    let target = format!("{URL}/{id}");
    assert_eq!(call(&sim, &tok, "DELETE", &target, None).status, 204);
    assert!(sim.absences().is_empty());
    assert_eq!(call(&sim, &tok, "DELETE", &target, None).status, 404);
    let gone = sim.add_absence(&person, "5001", dt("2026-03-05T00:00:00"), None, "APPROVED");
    assert!(sim.remove_absence(&gone));
    assert!(!sim.remove_absence(&gone));
}

#[test]
fn absence_types_are_paged() {
    let (sim, _, tok) = with_anna();
    let names = ["Urlaub", "Krankheit", "Zeitausgleich"];
    let ids: Vec<String> = names
        .iter()
        .map(|n| sim.add_absence_type(n, "day"))
        .collect();
    assert_eq!(ids, ["5001", "5002", "5003"]);
    let first = call(&sim, &tok, "GET", "/v2/absence-types?limit=2", None).json();
    assert_eq!(first["_data"].as_array().unwrap().len(), 2);
    assert_eq!(first["_data"][0]["name"], "Urlaub");
    assert_eq!(first["_data"][0]["unit"], "day");
    assert_eq!(first["_data"][0]["category"], "other");
    let next = first["_meta"]["links"]["next"]["href"].as_str().unwrap();
    let second = call(&sim, &tok, "GET", next, None).json();
    assert_eq!(second["_data"][0]["id"], "5003");
    assert!(second["_meta"]["links"]["next"].is_null());
    assert_eq!(sim.absence_types().len(), 3);
}

#[test]
fn absence_writes_need_the_write_scope() {
    let (sim, person, _) = with_anna();
    let id = sim.add_absence(&person, "5001", dt("2026-03-02T00:00:00"), None, "APPROVED");
    sim.set_config(|c| c.scopes.retain(|s| s != SCOPE_ABSENCES_WRITE));
    let tok = token(&sim);
    let target = format!("{URL}/{id}");
    let comment = json!({ "comment": "x" });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&comment)).status,
        403
    );
    assert_eq!(call(&sim, &tok, "DELETE", &target, None).status, 403);
    let body = absence_body(&person, "5001", "2026-05-02T00:00:00", None);
    assert_eq!(call(&sim, &tok, "POST", URL, Some(&body)).status, 403);
    assert_eq!(call(&sim, &tok, "GET", &target, None).status, 200);
    assert_eq!(
        call(&sim, &tok, "GET", "/v2/absence-types", None).status,
        200
    );
    assert_eq!(sim.absences().len(), 1);
}

#[test]
fn faults_apply_to_every_absence_route() {
    let (sim, person, tok) = with_anna();
    let id = sim.add_absence(&person, "5001", dt("2026-03-02T00:00:00"), None, "APPROVED");
    let target = format!("{URL}/{id}");
    sim.inject(Fault::Status {
        route: Route::GetAbsence,
        status: 502,
        times: 1,
    });
    assert_eq!(call(&sim, &tok, "GET", &target, None).status, 502);
    sim.inject(Fault::RateLimited {
        route: Route::AbsenceTypes,
        times: 1,
    });
    assert_eq!(
        call(&sim, &tok, "GET", "/v2/absence-types", None).status,
        429
    );
    sim.inject(Fault::Drop {
        route: Route::DeleteAbsence,
        times: 1,
    });
    assert!(try_call(&sim, &tok, "DELETE", &target, None).is_err());
    assert_eq!(sim.absences().len(), 1, "a dropped delete changes nothing");
    sim.inject(Fault::ApplyThenDrop {
        route: Route::PatchAbsence,
        times: 1,
    });
    let comment = json!({ "comment": "lost" });
    assert!(try_call(&sim, &tok, "PATCH", &target, Some(&comment)).is_err());
    assert_eq!(sim.absences()[0].comment.as_deref(), Some("lost"));
    sim.inject(Fault::Delay {
        route: Route::ListAbsences,
        delay: Duration::from_millis(300),
        times: 1,
    });
    let started = std::time::Instant::now();
    assert_eq!(call(&sim, &tok, "GET", URL, None).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let stats = sim.stats();
    assert_eq!(stats.count_status(Route::GetAbsence, 502), 1);
    assert_eq!(stats.count(Route::DeleteAbsence), 1);
    assert_eq!(stats.writes, 1);
}
