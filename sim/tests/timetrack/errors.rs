//! The three error body shapes, and 404 / 405 on paths and methods that do not exist.

use zeitpost_sim::timetrack::{ErrorShape, TimeTrackConfig};

use crate::http::world;

#[test]
fn each_shape_renders_its_body() {
    let w = world(TimeTrackConfig::default());
    let r = w.get("users?limit=5000");
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["error"], "invalid_request");
    assert!(r.json()["message"].as_str().unwrap().contains("limit"));
    w.sim.set_config(|c| c.error_shape = ErrorShape::PlainText);
    let r = w.get("users?limit=5000");
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        r.body.starts_with("limit must be at most 1000"),
        "{}",
        r.body
    );
    w.sim.set_config(|c| c.error_shape = ErrorShape::Empty);
    let r = w.get("users?limit=5000");
    assert_eq!((r.status, r.body.as_str()), (400, ""));
}

#[test]
fn unknown_paths_and_methods() {
    let w = world(TimeTrackConfig::default());
    assert_eq!(w.get("projects_unknown").status, 404);
    assert_eq!(w.call("PUT", "users", None).status, 405);
    assert_eq!(
        w.call("PATCH", &format!("users/{}", w.hans), None).status,
        405
    );
    assert_eq!(w.get("users/abc").status, 404);
}
