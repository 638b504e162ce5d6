//! Strict query checks and both error shapes.

use zeitpost_sim::timr::{ErrorShape, TimrConfig};

use crate::client::world;

#[test]
fn spec_shape_is_code_and_message() {
    let w = world(TimrConfig::default());
    let r = w.get("working-times?last_modified_after=2026-03-01T08:00:00+01:00");
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert!(v["code"].is_string());
    assert!(v["message"].as_str().unwrap().contains("percent-encoded"));
    let ok = w.get("working-times?last_modified_after=2026-03-01T08:00:00%2B01:00");
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[test]
fn problem_shape_names_the_field() {
    let w = world(TimrConfig {
        error_shape: ErrorShape::Problem,
        ..TimrConfig::default()
    });
    let r = w.get("working-times?start_from=2026-3-1");
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let v = r.json();
    assert_eq!(v["status"], 400);
    assert_eq!(v["errors"][0]["field"], "start_from");
    assert!(
        v["type"]
            .as_str()
            .unwrap()
            .starts_with("https://errors.timr.com/")
    );
    let r = w.get("users?page=2");
    assert_eq!(
        (r.status, r.json()["errors"][0]["field"].as_str()),
        (400, Some("page"))
    );
}

#[test]
fn malformed_queries_are_400() {
    let w = world(TimrConfig::default());
    for rel in [
        "working-times?last_modified_after=2026-03-01T08:00:00",
        "working-times?last_modified_after=2026-03-01",
        "working-times?users[]=x",
        "working-times?sort_direction=desc",
        "working-times?sort_by=end",
        "working-times?statuses=open",
        "working-times?changed=yes",
        "working-times?limit=0",
        "working-times?page_token=garbage",
        "users?name=a&name=b",
        "working-times/abc?x=1",
    ] {
        let r = w.get(rel);
        assert_eq!(r.status, 400, "{rel}: {}", r.body);
    }
    assert_eq!(
        w.get("working-times?last_modified_after=2026-03-01T07:00:00Z")
            .status,
        200
    );
}

#[test]
fn unknown_paths_and_methods() {
    let w = world(TimrConfig::default());
    assert_eq!(w.get("teams").status, 404);
    let r = w.call("POST", "working-times", Some(&serde_json::json!({})));
    assert_eq!(r.status, 405);
    assert!(w.sim.base_url().ends_with("/v0.2/"));
}
