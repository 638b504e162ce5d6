//! PATCH (locking above all), GET and DELETE of one working time.

use serde_json::json;
use zeitpost_sim::timr::{BreakTime, Route, TimrConfig, WorkingTime, WorkingTimeStatus};

use crate::client::world;

#[test]
fn lock_then_refuse_further_changes() {
    let w = world(TimrConfig::default());
    let id = w.entry("2026-03-03");
    let r = w.patch_entry(&id, &json!({"status": "locked"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "locked");
    assert_eq!(r.json()["last_modified_by"], serde_json::Value::Null);
    assert_eq!(
        w.sim.working_time(&id).unwrap().status,
        WorkingTimeStatus::Locked
    );
    for body in [
        json!({"status": "changeable"}),
        json!({"notes": "late edit"}),
    ] {
        let r = w.patch_entry(&id, &body);
        assert_eq!(r.status, 403, "{}", r.body);
    }
    assert_eq!(w.delete_entry(&id).status, 403);
    w.sim.set_config(|c| c.refuse_status = 400);
    let r = w.patch_entry(&id, &json!({"notes": "x"}));
    assert_eq!(r.status, 400);
    assert_eq!(w.sim.working_time(&id).unwrap().notes, None);
    assert_eq!(w.sim.stats().writes, 1);
}

#[test]
fn patch_changes_fields_and_validates_them() {
    let w = world(TimrConfig::default());
    let id = w.entry("2026-03-03");
    let body = json!({
        "end": "2026-03-03T17:00:00+01:00",
        "break_times": [{"type": "manual", "duration_minutes": 30}],
        "changed": true,
        "notes": "imported",
        "metadata": {"record_key": "k1"},
    });
    let r = w.patch_entry(&id, &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["duration"]["minutes"], 8 * 60 + 30);
    assert_eq!(v["break_time_total_minutes"], 30);
    assert_eq!(v["metadata"]["record_key"], "k1");
    assert_eq!(v["end"], "2026-03-03T17:00:00+01:00");
    let bad = [
        json!({"user_id": "someone"}),
        json!({"end": "2026-03-03T17:00:00"}),
        json!({"end": "2026-03-03T07:00:00+01:00"}),
        json!({"status": "done"}),
        json!({"break_times": [{"type": "automatic", "duration_minutes": 5}]}),
        json!({"status": "running"}),
    ];
    for b in bad {
        let r = w.patch_entry(&id, &b);
        assert_eq!(r.status, 400, "{b}: {}", r.body);
    }
    assert_eq!(
        w.call("PATCH", "working-times/nope", Some(&json!({})))
            .status,
        404
    );
}

#[test]
fn stopping_a_running_entry() {
    let w = world(TimrConfig::default());
    let id = w.sim.add_working_time(
        WorkingTime::new(&w.user, &w.work, "2026-03-03T08:00:00+01:00", None)
            .breaks(vec![BreakTime::ongoing("2026-03-03T12:00:00+01:00")]),
    );
    let body =
        json!({"end": "2026-03-03T16:00:00+01:00", "status": "changeable", "break_times": []});
    let r = w.patch_entry(&id, &body);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["end_platform"], "timr_api");
}

#[test]
fn delete_goes_to_the_feed() {
    let w = world(TimrConfig::default());
    let id = w.entry("2026-03-03");
    let r = w.delete_entry(&id);
    assert_eq!(r.status, 204);
    assert!(w.sim.working_times().is_empty());
    let feed = w.get("working-times:deleted").json();
    assert_eq!(feed["data"][0]["id"], id.as_str());
    assert_eq!(feed["data"][0]["last_modified_by"], serde_json::Value::Null);
    assert_eq!(w.sim.stats().count(Route::DeleteWorkingTime), 1);
}
