//! Create, change and delete: validation, overlaps, Trim mode and the 201 body shapes.

use serde_json::{Value, json};
use zeitpost_sim::personio::{CreatedBody, OverlapMode, PeriodType, PersonioSim, Route};

use crate::client::{call, dt, morning_work, period_body, send, with_anna};

const URL: &str = "/v2/attendance-periods";

fn post(sim: &PersonioSim, tok: &str, target: &str, body: &Value) -> crate::client::Resp {
    call(sim, tok, "POST", target, Some(body))
}

#[test]
fn create_returns_201_with_id_and_affected_periods() {
    let (sim, person, tok) = with_anna();
    let body = morning_work(&person);
    let r = post(&sim, &tok, &format!("{URL}?skip_approval=true"), &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    let id = created["id"].as_str().unwrap();
    let affected = created["affected_periods"].as_array().unwrap();
    assert_eq!(affected.len(), 1);
    assert_eq!(affected[0]["id"], id);
    assert_eq!(affected[0]["approval"]["status"], "CONFIRMED");
    let self_href = created["_meta"]["links"]["self"]["href"].as_str().unwrap();
    assert_eq!(self_href, format!("{}{URL}/{id}", sim.base_url()));

    let pending = period_body(
        &person,
        "BREAK",
        "2026-03-03T12:00:00",
        Some("2026-03-03T12:30:00"),
    );
    let r = post(&sim, &tok, URL, &pending);
    assert_eq!(r.status, 201, "{}", r.body);
    let periods = sim.periods();
    assert_eq!(periods.len(), 2);
    assert_eq!(
        (periods[1].kind, periods[1].approval.as_str()),
        (PeriodType::Break, "PENDING")
    );
    assert_eq!(periods[0].comment.as_deref(), Some("imported"));
    assert_eq!(sim.stats().writes, 2);
}

#[test]
fn every_created_body_shape() {
    let (sim, person, tok) = with_anna();
    let shapes = [
        (CreatedBody::IdAndAffected, "/id"),
        (CreatedBody::CreatedObject, "/id"),
        (CreatedBody::DataWrapped, "/data/id"),
        (CreatedBody::UnderscoreData, "/_data/id"),
    ];
    for (hour, (shape, pointer)) in (8..).zip(shapes) {
        sim.set_config(|c| c.created_body = shape);
        let start = format!("2026-03-03T{hour:02}:00:00");
        let end = format!("2026-03-03T{hour:02}:30:00");
        let r = post(
            &sim,
            &tok,
            URL,
            &period_body(&person, "WORK", &start, Some(&end)),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let body = r.json();
        let id = body.pointer(pointer).and_then(Value::as_str).unwrap();
        assert!(sim.periods().iter().any(|p| p.id == id), "{shape:?}");
        let has_affected = body.get("affected_periods").is_some();
        assert_eq!(
            has_affected,
            shape == CreatedBody::IdAndAffected,
            "{shape:?}"
        );
        let has_meta = body.get("_meta").is_some();
        let expect_meta = matches!(
            shape,
            CreatedBody::IdAndAffected | CreatedBody::CreatedObject
        );
        assert_eq!(has_meta, expect_meta, "{shape:?}");
    }
}

#[test]
fn create_validation() {
    let (sim, person, tok) = with_anna();
    let base = morning_work(&person);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = base.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            with(&|b| b["type"] = json!("SLEEP")),
            400,
            "Invalid type field",
        ),
        (
            with(&|b| drop(b.as_object_mut().unwrap().remove("start"))),
            400,
            "Missing required parameters",
        ),
        (
            with(&|b| drop(b.as_object_mut().unwrap().remove("person"))),
            400,
            "Missing required parameters",
        ),
        (
            with(&|b| b["start"]["date_time"] = json!("2026-03-03T08:00:00Z")),
            400,
            "Invalid start field",
        ),
        (
            with(&|b| b["end"]["date_time"] = json!("2026-03-03T12:00:00+01:00")),
            400,
            "Invalid end field",
        ),
        (
            with(&|b| b["end"]["date_time"] = json!("2026-03-03T07:00:00")),
            422,
            "Start date greater than end date",
        ),
        (
            with(&|b| b["end"]["date_time"] = json!("2026-03-04T01:00:00")),
            422,
            "Period time range too long",
        ),
        (
            with(&|b| b["end"]["date_time"] = json!("2026-03-04T00:00:00")),
            422,
            "Period time range too long",
        ),
        (
            with(&|b| {
                b["type"] = json!("BREAK");
                b["project"] = json!({"id": "7"});
            }),
            422,
            "Break periods with project",
        ),
        (
            with(&|b| b["person"]["id"] = json!("999")),
            422,
            "Person not found",
        ),
    ];
    for (body, status, title) in cases {
        let r = post(&sim, &tok, URL, &body);
        assert_eq!((r.status, r.title().as_str()), (status, title), "{body}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    let auth = format!("Bearer {tok}");
    let raw = |ct: &str, text: &str| {
        send(
            &sim.base_url(),
            "POST",
            URL,
            &[("Authorization", &auth), ("Content-Type", ct)],
            Some(text),
        )
        .unwrap()
    };
    assert_eq!(raw("application/json", "{not json").title(), "Invalid JSON");
    assert_eq!(raw("text/plain", &base.to_string()).status, 415);
    assert!(sim.periods().is_empty());

    sim.set_config(|c| c.allow_end_at_midnight = true);
    let late = with(&|b| {
        b["start"]["date_time"] = json!("2026-03-03T22:00:00");
        b["end"]["date_time"] = json!("2026-03-04T00:00:00");
    });
    assert_eq!(post(&sim, &tok, URL, &late).status, 201);
    let open = with(&|b| {
        b["start"]["date_time"] = json!("2026-03-05T08:00:00");
        b["end"] = Value::Null;
    });
    assert_eq!(post(&sim, &tok, URL, &open).status, 201);
}

#[test]
fn overlap_is_rejected_touching_is_fine() {
    let (sim, person, tok) = with_anna();
    sim.add_period(
        &person,
        PeriodType::Work,
        dt("2026-03-03T08:00:00"),
        Some(dt("2026-03-03T12:00:00")),
        None,
    );
    let overlapping = period_body(
        &person,
        "WORK",
        "2026-03-03T11:00:00",
        Some("2026-03-03T13:00:00"),
    );
    let r = post(&sim, &tok, URL, &overlapping);
    assert_eq!(
        (r.status, r.title().as_str()),
        (422, "Overlapping attendance periods")
    );
    let brk = period_body(
        &person,
        "BREAK",
        "2026-03-03T10:00:00",
        Some("2026-03-03T10:30:00"),
    );
    assert_eq!(post(&sim, &tok, URL, &brk).status, 422);
    let touching = period_body(
        &person,
        "WORK",
        "2026-03-03T12:00:00",
        Some("2026-03-03T13:00:00"),
    );
    assert_eq!(post(&sim, &tok, URL, &touching).status, 201);
    let other = sim.add_person("ben@example.com", "Ben", "B");
    let elsewhere = period_body(
        &other,
        "WORK",
        "2026-03-03T08:00:00",
        Some("2026-03-03T12:00:00"),
    );
    assert_eq!(post(&sim, &tok, URL, &elsewhere).status, 201);

    sim.set_config(|c| c.overlap_status = 409);
    assert_eq!(post(&sim, &tok, URL, &overlapping).status, 409);
    sim.set_config(|c| c.break_inside_work = true);
    assert_eq!(post(&sim, &tok, URL, &brk).status, 201);
    assert_eq!(sim.periods().len(), 4);
    assert_eq!(sim.stats().count_status(Route::CreatePeriod, 422), 2);
}

#[test]
fn trim_mode_splits_and_trims_neighbours() {
    let (sim, person, tok) = with_anna();
    sim.set_config(|c| c.overlap = OverlapMode::Trim);
    let work = sim.add_period(
        &person,
        PeriodType::Work,
        dt("2026-03-03T08:00:00"),
        Some(dt("2026-03-03T16:00:00")),
        Some("by hand"),
    );
    let brk = period_body(
        &person,
        "BREAK",
        "2026-03-03T12:00:00",
        Some("2026-03-03T12:30:00"),
    );
    let r = post(&sim, &tok, URL, &brk);
    assert_eq!(r.status, 201, "{}", r.body);
    let body = r.json();
    let affected = body["affected_periods"].as_array().unwrap();
    assert_eq!(affected.len(), 3);
    assert_eq!(affected[0]["id"], body["id"]);
    assert!(affected.iter().any(|p| p["id"] == work.as_str()));
    let spans: Vec<_> = sim
        .periods()
        .iter()
        .map(|p| (p.kind, p.start, p.end))
        .collect();
    assert_eq!(
        spans,
        vec![
            (
                PeriodType::Work,
                dt("2026-03-03T08:00:00"),
                Some(dt("2026-03-03T12:00:00"))
            ),
            (
                PeriodType::Break,
                dt("2026-03-03T12:00:00"),
                Some(dt("2026-03-03T12:30:00"))
            ),
            (
                PeriodType::Work,
                dt("2026-03-03T12:30:00"),
                Some(dt("2026-03-03T16:00:00"))
            ),
        ]
    );
    // A WORK over the tail of the first piece and the whole break: trims one, removes the other.
    let over = period_body(
        &person,
        "WORK",
        "2026-03-03T11:00:00",
        Some("2026-03-03T12:30:00"),
    );
    let r = post(&sim, &tok, URL, &over);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["affected_periods"].as_array().unwrap().len(), 2);
    let spans: Vec<_> = sim.periods().iter().map(|p| (p.start, p.end)).collect();
    assert_eq!(
        spans,
        vec![
            (dt("2026-03-03T08:00:00"), Some(dt("2026-03-03T11:00:00"))),
            (dt("2026-03-03T11:00:00"), Some(dt("2026-03-03T12:30:00"))),
            (dt("2026-03-03T12:30:00"), Some(dt("2026-03-03T16:00:00"))),
        ]
    );
}

#[test]
fn patch_changes_validates_and_404s() {
    let (sim, person, tok) = with_anna();
    let body = period_body(&person, "WORK", "2026-03-03T08:00:00", None);
    let id = post(&sim, &tok, &format!("{URL}?skip_approval=true"), &body).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.add_period(
        &person,
        PeriodType::Work,
        dt("2026-03-03T14:00:00"),
        Some(dt("2026-03-03T18:00:00")),
        None,
    );
    let target = format!("{URL}/{id}?skip_approval=true");
    let close = json!({ "end": { "date_time": "2026-03-03T12:00:00" } });
    let r = call(&sim, &tok, "PATCH", &target, Some(&close));
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    let mine = sim.periods().into_iter().find(|p| p.id == id).unwrap();
    assert_eq!(
        (mine.end, mine.approval.as_str()),
        (Some(dt("2026-03-03T12:00:00")), "CONFIRMED")
    );

    // Moving within its own range is no overlap with itself.
    let earlier = json!({ "start": { "date_time": "2026-03-03T07:30:00" }, "comment": "fixed" });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&earlier)).status,
        204
    );
    let into_other = json!({ "end": { "date_time": "2026-03-03T15:00:00" } });
    let r = call(&sim, &tok, "PATCH", &target, Some(&into_other));
    assert_eq!(
        (r.status, r.title().as_str()),
        (422, "Overlapping attendance periods")
    );
    let backwards = json!({ "end": { "date_time": "2026-03-03T07:00:00" } });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&backwards)).title(),
        "Start date greater than end date"
    );
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&json!({}))).status,
        400
    );
    let pending = call(
        &sim,
        &tok,
        "PATCH",
        &format!("{URL}/{id}"),
        Some(&json!({"comment": "x"})),
    );
    assert_eq!(pending.status, 204);
    let mine = sim.periods().into_iter().find(|p| p.id == id).unwrap();
    assert_eq!(
        (mine.start, mine.approval.as_str()),
        (dt("2026-03-03T07:30:00"), "PENDING")
    );
    let unknown = call(&sim, &tok, "PATCH", &format!("{URL}/nope"), Some(&close));
    assert_eq!(unknown.status, 404);
}

#[test]
fn delete_is_204_then_404() {
    let (sim, person, tok) = with_anna();
    let id = sim.add_period(
        &person,
        PeriodType::Work,
        dt("2026-03-03T08:00:00"),
        Some(dt("2026-03-03T12:00:00")),
        None,
    );
    let r = call(&sim, &tok, "DELETE", &format!("{URL}/{id}"), None);
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    assert!(sim.periods().is_empty());
    let again = call(&sim, &tok, "DELETE", &format!("{URL}/{id}"), None);
    assert_eq!(again.status, 404);
    assert_eq!(
        again.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(sim.stats().writes, 1);
}

#[test]
fn patch_of_the_comment_alone_keeps_the_times_and_moves_updated_at() {
    let (sim, person, tok) = with_anna();
    let id = sim.add_period(
        &person,
        PeriodType::Work,
        dt("2026-03-03T08:00:00"),
        Some(dt("2026-03-03T12:00:00")),
        Some("alt"),
    );
    let before = sim.periods()[0].updated_at;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let target = format!("{URL}/{id}?skip_approval=true");
    let comment = json!({ "comment": "neu" });
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&comment)).status,
        204
    );
    let item = call(&sim, &tok, "GET", &format!("{URL}/{id}"), None).json();
    assert_eq!(item["comment"], "neu");
    assert_eq!(item["start"]["date_time"], "2026-03-03T08:00:00");
    assert_eq!(item["end"]["date_time"], "2026-03-03T12:00:00");
    assert_eq!(item["approval"]["status"], "CONFIRMED");
    let after = sim.periods()[0].updated_at;
    assert!(after > before, "{before} → {after}");
    let since = after.naive_utc().format("%Y-%m-%dT%H:%M:%S");
    let listed = call(
        &sim,
        &tok,
        "GET",
        &format!("{URL}?updated_at.gte={since}"),
        None,
    )
    .json();
    assert_eq!(listed["_data"][0]["id"], id.as_str());
}
