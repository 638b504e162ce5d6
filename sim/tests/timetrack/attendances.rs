//! `/attendances`: the user filter under both names, the time window, overlaps, `ID` vs `id`,
//! timestamps with and without milliseconds.

use serde_json::json;
use zeitpost_sim::timetrack::{Attendance, IdField, TimeTrackConfig, User, UserFilter, ts};

use crate::http::{World, world};

fn two_users(config: TimeTrackConfig) -> World {
    let w = world(config);
    w.sim
        .add_user(User::new("annab", "Anna", "Berg", "anna@example.com"));
    for (user, day) in [("hansm", "20"), ("annab", "20"), ("hansm", "21")] {
        w.sim.add_attendance(Attendance::new(
            user,
            &format!("2020-10-{day}T08:00:00Z"),
            Some(&format!("2020-10-{day}T16:00:00Z")),
        ));
    }
    w
}

#[test]
fn the_user_filter_honours_the_configured_name_only() {
    let cases = [
        (UserFilter::User, [1, 2]),
        (UserFilter::Username, [2, 1]),
        (UserFilter::Both, [1, 1]),
    ];
    for (filter, [by_user, by_username]) in cases {
        let w = two_users(TimeTrackConfig {
            user_filter: filter,
            ..TimeTrackConfig::default()
        });
        // Two entries lie in the window (Hans and Anna on the 20th); an ignored filter shows both.
        let q = "from=2020-10-20T00:00:00.000Z&to=2020-10-21T00:00:00Z";
        let n = |name: &str| {
            w.get(&format!("attendances?{q}&{name}=hansm"))
                .items()
                .len()
        };
        assert_eq!(
            [n("user"), n("username")],
            [by_user, by_username],
            "{filter:?}"
        );
    }
}

#[test]
fn the_window_is_half_open_on_from() {
    let w = two_users(TimeTrackConfig::default());
    let n = |q: &str| w.get(&format!("attendances?{q}")).items().len();
    assert_eq!(n("from=2020-10-20T08:00:00Z"), 3);
    assert_eq!(n("from=2020-10-20T08:00:01Z"), 1);
    assert_eq!(n("to=2020-10-21T08:00:00Z"), 2);
    for bad in [
        "2020-10-20T08:00:00",
        "2020-10-20T08:00:00%2B01:00",
        "2020-10-20",
    ] {
        assert_eq!(
            w.get(&format!("attendances?from={bad}")).status,
            400,
            "{bad}"
        );
    }
}

#[test]
fn items_carry_the_configured_id_and_time_format() {
    for (id_field, millis, from) in [
        (IdField::Upper, true, "2020-10-20T08:00:00.000Z"),
        (IdField::Lower, false, "2020-10-20T08:00:00Z"),
    ] {
        let w = two_users(TimeTrackConfig {
            id_field,
            millis,
            ..TimeTrackConfig::default()
        });
        let item = &w.get("attendances?username=annab").items()[0];
        let other = if id_field == IdField::Upper {
            "id"
        } else {
            "ID"
        };
        assert!(item[id_field.as_str()].is_u64(), "{item}");
        assert!(item.get(other).is_none(), "{item}");
        assert_eq!(item["from"], from);
        assert_eq!(item["workedMinutes"], 480);
        assert!(item["latitudeStart"].is_null() && item.get("longitudeEnd").is_some());
    }
}

#[test]
fn create_update_delete_with_overlap_checks() {
    let w = two_users(TimeTrackConfig::default());
    let body = json!({"user": "hansm", "username": "hansm", "from": "2020-10-22T08:00:00Z",
        "to": "2020-10-22T16:30:00.000Z", "breakMinutes": 30, "notes": "Büro", "manual": true});
    let r = w.call("POST", "attendances", Some(&body));
    assert_eq!(r.status, 200, "{}", r.body);
    let item = r.json();
    assert_eq!(
        (item["workedMinutes"].as_i64(), item["notes"].as_str()),
        (Some(480), Some("Büro"))
    );
    let id = item["ID"].as_u64().unwrap();
    // Overlapping another entry of the same user: refused, nothing stored.
    let clash =
        json!({"username": "hansm", "from": "2020-10-22T16:00:00Z", "to": "2020-10-22T18:00:00Z"});
    let r = w.call("POST", "attendances", Some(&clash));
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (409, Some("overlap"))
    );
    w.sim.set_config(|c| c.overlap_status = 400);
    assert_eq!(w.call("POST", "attendances", Some(&clash)).status, 400);
    // Touching is not overlapping; another user may overlap.
    let after =
        json!({"username": "hansm", "from": "2020-10-22T16:30:00Z", "to": "2020-10-22T18:00:00Z"});
    assert_eq!(w.call("POST", "attendances", Some(&after)).status, 200);
    let anna = json!({"user": "annab", "from": "2020-10-22T09:00:00Z"});
    assert_eq!(w.call("POST", "attendances", Some(&anna)).status, 200);
    // An update may not create an overlap either, but may move the entry itself.
    let moved =
        json!({"from": "2020-10-22T07:00:00Z", "to": "2020-10-22T15:00:00Z", "breakMinutes": 0});
    assert_eq!(
        w.call("PUT", &format!("attendances/{id}"), Some(&moved))
            .status,
        200
    );
    let stored = w
        .sim
        .attendances()
        .into_iter()
        .find(|a| a.id == id)
        .unwrap();
    assert_eq!(
        (stored.from, stored.break_minutes),
        (ts("2020-10-22T07:00:00Z"), 0)
    );
    let longer = json!({"to": "2020-10-22T17:00:00Z"});
    assert_eq!(
        w.call("PUT", &format!("attendances/{id}"), Some(&longer))
            .status,
        400
    );
    assert_eq!(
        w.call("DELETE", &format!("attendances/{id}"), None).status,
        200
    );
    assert_eq!(
        w.call("DELETE", &format!("attendances/{id}"), None).status,
        404
    );
    assert_eq!(w.sim.attendances().len(), 5);
}

#[test]
fn bad_writes_are_refused() {
    let w = two_users(TimeTrackConfig::default());
    let cases = [
        (
            json!({"username": "nobody", "from": "2020-11-01T08:00:00Z"}),
            400,
        ),
        (
            json!({"username": "hansm", "from": "2020-11-01T08:00:00+01:00"}),
            400,
        ),
        (json!({"username": "hansm"}), 400),
        (
            json!({"user": "hansm", "username": "annab", "from": "2020-11-01T08:00:00Z"}),
            400,
        ),
        (
            json!({"username": "hansm", "from": "2020-11-01T08:00:00Z", "to": "2020-11-01T07:00:00Z"}),
            400,
        ),
    ];
    for (body, status) in &cases {
        assert_eq!(
            w.call("POST", "attendances", Some(body)).status,
            *status,
            "{body}"
        );
    }
    w.sim.set_config(|c| c.unknown_user_status = 404);
    assert_eq!(w.call("POST", "attendances", Some(&cases[0].0)).status, 404);
    assert_eq!(w.sim.attendances().len(), 3);
}
