//! `/users`: create with the required fields, no duplicate usernames, PUT leaves `enabled` and
//! `username` alone, DELETE deactivates users who have time entries.

use serde_json::json;
use zeitpost_sim::timetrack::{Attendance, TimeTrackConfig};

use crate::http::world;

fn new_user(username: &str) -> serde_json::Value {
    json!({
        "username": username, "firstName": "Anna", "lastName": "Berg",
        "email": format!("{username}@example.com"), "password": "pw-1234",
        "personalNumber": "17", "language": "de", "admin": false, "teamLead": true
    })
}

#[test]
fn create_renders_every_field_but_the_password() {
    let w = world(TimeTrackConfig::default());
    let r = w.call("POST", "users", Some(&new_user("annab")));
    assert_eq!(r.status, 200, "{}", r.body);
    let u = r.json();
    assert!(u["id"].is_u64());
    assert_eq!(
        (
            &u["username"],
            &u["firstName"],
            &u["enabled"],
            &u["teamLead"]
        ),
        (&json!("annab"), &json!("Anna"), &json!(true), &json!(true))
    );
    assert_eq!(u["personalNumber"], "17");
    assert!(u.get("password").is_none());
    assert!(!w.get("users").body.contains("pw-1234"));
    let stored = w
        .sim
        .users()
        .into_iter()
        .find(|u| u.username == "annab")
        .unwrap();
    assert_eq!(stored.password, "pw-1234");
    let one = w.get(&format!("users/{}", u["id"]));
    assert_eq!(one.json()["email"], "annab@example.com");
    let filtered = w.get("users?username=annab").items();
    assert_eq!(filtered.len(), 1);
}

#[test]
fn missing_fields_and_duplicates_are_refused() {
    let w = world(TimeTrackConfig::default());
    let mut body = new_user("x");
    body.as_object_mut().unwrap().remove("password");
    let r = w.call("POST", "users", Some(&body));
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("password"));
    let dup = w.call("POST", "users", Some(&new_user("hansm")));
    assert_eq!(dup.status, 409);
    assert_eq!(dup.json()["error"], "duplicate_username");
    w.sim.set_config(|c| c.duplicate_user_status = 400);
    assert_eq!(
        w.call("POST", "users", Some(&new_user("hansm"))).status,
        400
    );
    assert_eq!(w.sim.users().len(), 1);
}

#[test]
fn put_ignores_enabled_and_username() {
    let w = world(TimeTrackConfig::default());
    let body = json!({"firstName": "Hans-Peter", "email": "hp@example.com", "enabled": false, "username": "other"});
    let r = w.call("PUT", &format!("users/{}", w.hans), Some(&body));
    assert_eq!(r.status, 200, "{}", r.body);
    let u = &w.sim.users()[0];
    assert_eq!(
        (u.first_name.as_str(), u.email.as_str()),
        ("Hans-Peter", "hp@example.com")
    );
    assert_eq!(
        (u.username.as_str(), u.enabled, u.last_name.as_str()),
        ("hansm", true, "Muster")
    );
    assert_eq!(w.call("PUT", "users/999", Some(&body)).status, 404);
}

#[test]
fn delete_removes_or_deactivates() {
    let w = world(TimeTrackConfig::default());
    let other = w.call("POST", "users", Some(&new_user("annab"))).json()["id"].clone();
    w.sim.add_attendance(Attendance::new(
        "hansm",
        "2020-10-20T08:00:00Z",
        Some("2020-10-20T16:00:00Z"),
    ));
    assert_eq!(
        w.call("DELETE", &format!("users/{}", w.hans), None).status,
        200
    );
    assert_eq!(
        w.call("DELETE", &format!("users/{other}"), None).status,
        200
    );
    let users = w.sim.users();
    assert_eq!(users.len(), 1);
    assert_eq!(
        (users[0].username.as_str(), users[0].enabled),
        ("hansm", false)
    );
    assert_eq!(w.get(&format!("users/{}", w.hans)).json()["enabled"], false);
    assert_eq!(
        w.call("DELETE", &format!("users/{other}"), None).status,
        404
    );
}
