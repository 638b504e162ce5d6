//! `/absences`: filters, overlaps, PUT changes the status only; the undocumented type list.

use serde_json::json;
use zeitpost_sim::timetrack::{
    Absence, IdField, STATUS_APPROVED, STATUS_REJECTED, TimeTrackConfig, User,
};

use crate::http::world;

#[test]
fn create_and_filter() {
    let w = world(TimeTrackConfig::default());
    w.sim
        .add_user(User::new("annab", "Anna", "Berg", "anna@example.com"));
    w.sim.add_absence_type(1, "Urlaub", "U");
    w.sim
        .add_absence(Absence::new("annab", "2020-10-26", "2020-10-30", 1));
    let r = w.call(
        "POST",
        "absences",
        Some(&json!({"username": "hansm", "absenceType": 1, "to": "2020-10-28", "from": "2020-10-26"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let a = r.json();
    assert_eq!(
        (a["status"].as_u64(), a["absenceTypeName"].as_str()),
        (Some(0), Some("U"))
    );
    assert_eq!(a["user_id"].as_u64(), Some(w.hans));
    assert_eq!(
        (a["from"].as_str(), a["user"].as_str()),
        (Some("2020-10-26"), Some("hansm"))
    );
    let n = |q: &str| w.get(&format!("absences?{q}")).items().len();
    assert_eq!(n(""), 2);
    assert_eq!(n("user=hansm"), 1);
    assert_eq!(n("username=annab"), 1);
    assert_eq!(n("from=2020-10-29&to=2020-11-05"), 1);
    assert_eq!(n("from=2020-10-28&to=2020-10-28"), 2);
    assert_eq!(n("absenceType=2"), 0);
    assert_eq!(w.get("absences?from=2020-10-29T00:00:00Z").status, 400);
    let unknown =
        json!({"username": "hansm", "absenceType": 9, "to": "2020-12-01", "from": "2020-12-01"});
    assert_eq!(w.call("POST", "absences", Some(&unknown)).status, 400);
}

#[test]
fn overlaps_are_refused_unless_the_other_was_rejected() {
    let w = world(TimeTrackConfig {
        id_field: IdField::Lower,
        ..TimeTrackConfig::default()
    });
    let first = w
        .sim
        .add_absence(Absence::new("hansm", "2020-10-26", "2020-10-28", 1));
    let body =
        json!({"username": "hansm", "absenceType": 2, "from": "2020-10-28", "to": "2020-10-29"});
    let r = w.call("POST", "absences", Some(&body));
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (409, Some("overlap"))
    );
    w.sim.set_absence(first, |a| a.status = STATUS_REJECTED);
    let r = w.call("POST", "absences", Some(&body));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["id"].is_u64());
}

#[test]
fn put_changes_the_status_only() {
    let w = world(TimeTrackConfig::default());
    let id = w
        .sim
        .add_absence(Absence::new("hansm", "2020-10-26", "2020-10-28", 1));
    let put =
        |body: serde_json::Value| w.call("PUT", &format!("absences/{id}"), Some(&body)).status;
    assert_eq!(put(json!({"status": "1"})), 200);
    assert_eq!(w.sim.absences()[0].status, STATUS_APPROVED);
    assert_eq!(put(json!({"status": 2})), 200);
    assert_eq!(w.sim.absences()[0].status, STATUS_REJECTED);
    assert_eq!(put(json!({"status": 3})), 400);
    assert_eq!(put(json!({"status": "x"})), 400);
    assert_eq!(put(json!({"status": 1, "to": "2020-10-30"})), 400);
    assert_eq!(put(json!({})), 400);
    assert_eq!(w.sim.absences()[0].status, STATUS_REJECTED);
    assert_eq!(
        w.call("DELETE", &format!("absences/{id}"), None).status,
        200
    );
    assert!(w.sim.absences().is_empty());
}

#[test]
fn the_type_list_exists_only_when_configured() {
    let w = world(TimeTrackConfig::default());
    w.sim.add_absence_type(1, "Urlaub", "U");
    assert_eq!(w.get("absence_types").status, 404);
    w.sim
        .set_config(|c| c.absence_types_path = Some("absence_types".into()));
    let r = w.get("absence_types");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!([{"id": 1, "name": "Urlaub", "shortName": "U"}])
    );
}
