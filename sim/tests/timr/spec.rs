//! The simulator's surface, held against the published OpenAPI document.
//!
//! A simulator that serves a route or accepts a parameter the real API lacks would let a client
//! bug pass; this test fails as soon as the served table and the spec disagree.

use std::path::PathBuf;

use serde_json::Value;
use zeitpost_sim::timr::OPERATIONS;

fn spec() -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/timr-openapi-0.2.14.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("spec is JSON")),
        Err(_) => {
            eprintln!("skipped: {} not found", path.display());
            None
        }
    }
}

/// Follows a local `$ref`.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).expect("ref resolves"),
        None => v,
    }
}

#[test]
fn every_served_route_and_parameter_is_in_the_spec() {
    let Some(spec) = spec() else { return };
    assert_eq!(spec["servers"][0]["url"], "https://api.timr.com/v0.2/");
    for op in OPERATIONS {
        let item = &spec["paths"][op.path];
        let method = op.method.to_ascii_lowercase();
        let spec_op = &item[method.as_str()];
        assert!(
            spec_op.is_object(),
            "{} {} is not in the spec",
            op.method,
            op.path
        );
        let params: Vec<&Value> = item["parameters"]
            .as_array()
            .into_iter()
            .chain(spec_op["parameters"].as_array())
            .flatten()
            .map(|p| resolve(&spec, p))
            .collect();
        let query: Vec<&str> = params
            .iter()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        for name in op.query {
            assert!(
                query.contains(name),
                "{} {}: '{name}' not declared",
                op.method,
                op.path
            );
        }
        for name in op.arrays {
            let p = params.iter().find(|p| p["name"] == *name).unwrap();
            assert_eq!(
                p["schema"]["type"], "array",
                "{name} is not an array in the spec"
            );
        }
    }
}
