//! `GET /v2/persons`: paging, limits and the e-mail filter.

use serde_json::Value;

use crate::client::{call, sim, token};

fn ids(body: &Value) -> Vec<String> {
    body["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn pages_by_cursor_until_next_is_missing() {
    let sim = sim();
    for i in 0..23 {
        sim.add_person(&format!("p{i}@example.com"), "P", &format!("N{i}"));
    }
    let tok = token(&sim);
    let mut target = "/v2/persons".to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = call(&sim, &tok, "GET", &target, None);
        assert_eq!(r.status, 200, "{}", r.body);
        let body = r.json();
        seen.extend(ids(&body));
        pages += 1;
        let links = &body["_meta"]["links"];
        assert!(
            links["self"]["href"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
        match links["next"]["href"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&sim.base_url()), "{next}");
                target = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (1001..1024).map(|i| i.to_string()).collect();
    assert_eq!(seen, expected);
    let first = &call(&sim, &tok, "GET", "/v2/persons?limit=50", None).json()["_data"][0];
    assert_eq!(first["email"], "p0@example.com");
    assert!(first["employments"][0]["id"].is_string());
    assert!(first["_meta"]["links"].is_object());
}

#[test]
fn limit_outside_1_to_50_is_400() {
    let sim = sim();
    let tok = token(&sim);
    for bad in ["0", "51", "100", "x", "-1"] {
        let r = call(&sim, &tok, "GET", &format!("/v2/persons?limit={bad}"), None);
        assert_eq!(r.status, 400, "limit={bad}");
        let detail = r.json()["errors"][0]["detail"].as_str().unwrap().to_owned();
        assert_eq!(detail, "Provided value for limit is not valid");
    }
    assert_eq!(
        call(&sim, &tok, "GET", "/v2/persons?limit=50", None).status,
        200
    );
}

#[test]
fn email_filter_ignores_case_and_takes_lists() {
    let sim = sim();
    let anna = sim.add_person("Anna.Muster@Example.com", "Anna", "Muster");
    let ben = sim.add_person("ben@example.com", "Ben", "B");
    sim.add_person("carl@example.com", "Carl", "C");
    let tok = token(&sim);
    let one = call(
        &sim,
        &tok,
        "GET",
        "/v2/persons?email=anna.muster%40example.com",
        None,
    );
    assert_eq!(ids(&one.json()), vec![anna.clone()]);
    let comma = call(
        &sim,
        &tok,
        "GET",
        "/v2/persons?email=BEN@example.com,anna.muster@example.com",
        None,
    );
    assert_eq!(ids(&comma.json()), vec![anna.clone(), ben.clone()]);
    let repeated = call(
        &sim,
        &tok,
        "GET",
        "/v2/persons?email=ben@example.com&email=nobody@x.y",
        None,
    );
    assert_eq!(ids(&repeated.json()), vec![ben.clone()]);
    let none = call(&sim, &tok, "GET", "/v2/persons?email=nobody@x.y", None);
    assert_eq!(ids(&none.json()), Vec::<String>::new());
    assert!(none.json()["_meta"]["links"]["next"].is_null());
    let by_id = call(&sim, &tok, "GET", &format!("/v2/persons?id={ben}"), None);
    assert_eq!(ids(&by_id.json()), vec![ben.clone()]);
    sim.set_person_status(&ben, "INACTIVE");
    let active = call(&sim, &tok, "GET", "/v2/persons?status=ACTIVE", None);
    assert_eq!(ids(&active.json()).len(), 2);
}

#[test]
fn relative_links_when_switched() {
    let sim = sim();
    for i in 0..3 {
        sim.add_person(&format!("r{i}@example.com"), "R", "R");
    }
    sim.set_config(|c| c.absolute_links = false);
    let tok = token(&sim);
    let body = call(&sim, &tok, "GET", "/v2/persons?limit=2", None).json();
    let next = body["_meta"]["links"]["next"]["href"].as_str().unwrap();
    assert!(next.starts_with("/v2/persons?cursor="), "{next}");
    let rest = call(&sim, &tok, "GET", next, None).json();
    assert_eq!(ids(&rest), vec!["1003".to_owned()]);
}
