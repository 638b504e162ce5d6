//! `POST /v2/persons`, `PATCH /v2/persons/{id}`, the `person_writes` switch, and the person
//! fields and filters a two-way sync reads.

use serde_json::{Value, json};
use zeitpost_sim::personio::{CreatedBody, Fault, Route, SCOPE_PERSONS_WRITE};

use crate::client::{call, sim, token};

fn emails(body: &Value) -> Vec<String> {
    body["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn create_gives_an_id_and_a_listed_active_person() {
    let sim = sim();
    let tok = token(&sim);
    let body = json!({"first_name": "Dora", "last_name": "Neu", "email": "dora@example.com"});
    let r = call(&sim, &tok, "POST", "/v2/persons", Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert!(
        r.json()["_meta"]["links"]["self"]["href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v2/persons/{id}"))
    );
    assert!(r.json().get("affected_periods").is_none());
    let listed = call(&sim, &tok, "GET", &format!("/v2/persons?id={id}"), None).json();
    let p = &listed["_data"][0];
    assert_eq!(
        (&p["first_name"], &p["last_name"], &p["email"], &p["status"]),
        (
            &json!("Dora"),
            &json!("Neu"),
            &json!("dora@example.com"),
            &json!("ACTIVE")
        )
    );
    assert!(p["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(sim.persons().len(), 1);
}

#[test]
fn create_follows_the_created_body_switch() {
    let sim = sim();
    let tok = token(&sim);
    sim.set_config(|c| c.created_body = CreatedBody::DataWrapped);
    let body = json!({"email": "e@example.com", "first_name": "E", "last_name": "F"});
    let r = call(&sim, &tok, "POST", "/v2/persons", Some(&body));
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["data"]["id"], sim.persons()[0].id.as_str());
}

#[test]
fn create_needs_a_unique_email() {
    let sim = sim();
    sim.add_person("Anna@Example.com", "Anna", "Muster");
    let tok = token(&sim);
    let dup = json!({"first_name": "A", "last_name": "M", "email": "anna@example.com"});
    let r = call(&sim, &tok, "POST", "/v2/persons", Some(&dup));
    assert_eq!(
        (r.status, r.title().as_str()),
        (409, "Person already exists")
    );
    let none = json!({"first_name": "A", "last_name": "M"});
    assert_eq!(
        call(&sim, &tok, "POST", "/v2/persons", Some(&none)).status,
        400
    );
    let bad = json!({"email": "not-an-address"});
    assert_eq!(
        call(&sim, &tok, "POST", "/v2/persons", Some(&bad)).status,
        422
    );
    assert_eq!(sim.persons().len(), 1);
}

#[test]
fn patch_renames_but_never_changes_the_email() {
    let sim = sim();
    let id = sim.add_person("anna@example.com", "Anna", "Muster");
    let tok = token(&sim);
    let target = format!("/v2/persons/{id}");
    let rename = json!({"last_name": "Neumann", "preferred_name": "Anni"});
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&rename)).status,
        204
    );
    let p = &sim.persons()[0];
    assert_eq!(
        (p.first_name.as_str(), p.last_name.as_str()),
        ("Anna", "Neumann")
    );
    assert_eq!(p.preferred_name.as_deref(), Some("Anni"));
    let email = json!({"email": "new@example.com"});
    assert_eq!(call(&sim, &tok, "PATCH", &target, Some(&email)).status, 422);
    assert_eq!(sim.persons()[0].email, "anna@example.com");
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&json!({}))).status,
        400
    );
    let unknown = call(&sim, &tok, "PATCH", "/v2/persons/999", Some(&rename));
    assert_eq!(unknown.status, 404);
}

#[test]
fn without_person_writes_both_routes_are_404() {
    let sim = sim();
    let id = sim.add_person("anna@example.com", "Anna", "Muster");
    sim.set_config(|c| c.person_writes = false);
    let tok = token(&sim);
    let body = json!({"first_name": "B", "last_name": "C", "email": "b@example.com"});
    let created = call(&sim, &tok, "POST", "/v2/persons", Some(&body));
    assert_eq!(created.status, 404);
    assert_eq!(created.title(), "Resource not found");
    let patched = call(
        &sim,
        &tok,
        "PATCH",
        &format!("/v2/persons/{id}"),
        Some(&json!({"first_name": "X"})),
    );
    assert_eq!(patched.status, 404);
    assert_eq!(sim.persons().len(), 1);
    assert_eq!(sim.persons()[0].first_name, "Anna");
    // Reading is unaffected.
    assert_eq!(call(&sim, &tok, "GET", "/v2/persons", None).status, 200);
}

#[test]
fn writes_need_the_persons_write_scope() {
    let sim = sim();
    let id = sim.add_person("anna@example.com", "Anna", "Muster");
    sim.set_config(|c| c.scopes.retain(|s| s != SCOPE_PERSONS_WRITE));
    let tok = token(&sim);
    let body = json!({"email": "b@example.com"});
    let r = call(&sim, &tok, "POST", "/v2/persons", Some(&body));
    assert_eq!(
        (r.status, r.title().as_str()),
        (403, "Insufficient access scope")
    );
    let p = call(
        &sim,
        &tok,
        "PATCH",
        &format!("/v2/persons/{id}"),
        Some(&json!({"first_name": "X"})),
    );
    assert_eq!(p.status, 403);
    assert_eq!(call(&sim, &tok, "GET", "/v2/persons", None).status, 200);
}

#[test]
fn status_and_updated_at_filters() {
    let sim = sim();
    sim.add_person("a@example.com", "A", "A");
    let gone = sim.add_person_with_status("b@example.com", "B", "B", "INACTIVE");
    let changed = sim.add_person("c@example.com", "C", "C");
    let tok = token(&sim);
    let inactive = call(&sim, &tok, "GET", "/v2/persons?status=INACTIVE", None).json();
    assert_eq!(emails(&inactive), ["b@example.com"]);
    assert_eq!(inactive["_data"][0]["id"], gone.as_str());
    let active = call(&sim, &tok, "GET", "/v2/persons?status=ACTIVE", None).json();
    assert_eq!(emails(&active), ["a@example.com", "c@example.com"]);
    // HR renames C later: only C is newer than the cut.
    assert!(sim.update_person(&changed, |p| {
        p.first_name = "Carla".into();
        p.updated_at = "2099-01-01T00:00:00Z".parse().unwrap();
    }));
    let newer = call(
        &sim,
        &tok,
        "GET",
        "/v2/persons?updated_at.gt=2098-12-31T23:59:59Z",
        None,
    )
    .json();
    assert_eq!(emails(&newer), ["c@example.com"]);
    assert_eq!(newer["_data"][0]["first_name"], "Carla");
    let older = call(
        &sim,
        &tok,
        "GET",
        "/v2/persons?updated_at.lt=2098-12-31T23:59:59",
        None,
    )
    .json();
    assert_eq!(emails(&older), ["a@example.com", "b@example.com"]);
    let bad = call(
        &sim,
        &tok,
        "GET",
        "/v2/persons?updated_at.gt=yesterday",
        None,
    );
    assert_eq!(bad.status, 400);
    assert!(!sim.update_person("999", |_| {}));
}

#[test]
fn faults_apply_to_person_writes() {
    let sim = sim();
    let tok = token(&sim);
    sim.inject(Fault::Status {
        route: Route::CreatePerson,
        status: 503,
        times: 1,
    });
    let body = json!({"email": "a@example.com"});
    assert_eq!(
        call(&sim, &tok, "POST", "/v2/persons", Some(&body)).status,
        503
    );
    assert!(sim.persons().is_empty());
    sim.inject(Fault::ApplyThenDrop {
        route: Route::CreatePerson,
        times: 1,
    });
    assert!(crate::client::try_call(&sim, &tok, "POST", "/v2/persons", Some(&body)).is_err());
    assert_eq!(
        sim.persons().len(),
        1,
        "applied although the answer was lost"
    );
    let id = sim.persons()[0].id.clone();
    sim.inject(Fault::RateLimited {
        route: Route::PatchPerson,
        times: 1,
    });
    let target = format!("/v2/persons/{id}");
    let rename = json!({"first_name": "Z"});
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&rename)).status,
        429
    );
    assert_eq!(
        call(&sim, &tok, "PATCH", &target, Some(&rename)).status,
        204
    );
    let stats = sim.stats();
    assert_eq!(stats.count(Route::CreatePerson), 2);
    assert_eq!(stats.count(Route::PatchPerson), 2);
    assert_eq!(stats.writes, 2);
}
