//! The Personio client's calls for a two-way sync against the simulator: persons and person
//! writes, period changes, absence periods and types, with both shapes of every undocumented
//! behaviour, lost answers, conflicts and paging.

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use zeitpost::config::Secret;
use zeitpost::target::personio::client::{Call, Client, Settings};
use zeitpost::target::personio::{Approval, PersonioError};
use zeitpost_sim::personio::{CreatedBody, Fault, PeriodType, PersonioConfig, PersonioSim, Route};

fn settings(sim: &PersonioSim) -> Settings {
    Settings {
        base_url: sim.base_url(),
        client_id: "sim-client".into(),
        client_secret: Secret::Literal("sim-secret".into()).resolve().unwrap(),
        partner_id: None,
        app_id: None,
        skip_approval: true,
        max_rps: 500.0,
        timeout: Duration::from_secs(5),
        attempts: 3,
    }
}

fn setup() -> (PersonioSim, Client) {
    let sim = PersonioSim::start(PersonioConfig::default());
    let client = Client::new(settings(&sim)).unwrap();
    (sim, client)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
    day(d).and_hms_opt(h, m, 0).unwrap()
}

#[tokio::test]
async fn persons_come_from_every_page_with_names_and_status() {
    let (sim, client) = setup();
    for i in 0..120 {
        sim.add_person(&format!("p{i}@example.com"), "P", &format!("N{i}"));
    }
    let gone = sim.add_person_with_status("gone@example.com", "Gina", "Weg", "INACTIVE");
    let all = client.persons().await.unwrap();
    assert_eq!(all.len(), 121);
    assert_eq!(client.stats().requests[&Call::Persons], 3, "pages of 50");
    let g = all.iter().find(|p| p.id == gone).unwrap();
    assert_eq!(
        (
            g.email.as_deref(),
            g.first_name.as_deref(),
            g.last_name.as_deref(),
            g.active
        ),
        (Some("gone@example.com"), Some("Gina"), Some("Weg"), false)
    );
    assert!(all.iter().filter(|p| p.id != gone).all(|p| p.active));
}

#[tokio::test]
async fn create_and_update_a_person() {
    let (sim, client) = setup();
    let id = client
        .create_person("dora@example.com", "Dora", "Neu")
        .await
        .unwrap();
    assert_eq!(sim.persons()[0].id, id);
    client.update_person(&id, "Dora", "Neumann").await.unwrap();
    assert_eq!(sim.persons()[0].last_name, "Neumann");
    let dup = client.create_person("DORA@example.com", "D", "N").await;
    assert!(matches!(dup, Err(PersonioError::Conflict(_))), "{dup:?}");
    let unknown = client.update_person("999", "A", "B").await;
    assert!(
        matches!(unknown, Err(PersonioError::NotFound(_))),
        "{unknown:?}"
    );
    // Every known shape of the created body.
    sim.set_config(|c| c.created_body = CreatedBody::UnderscoreData);
    let second = client
        .create_person("eva@example.com", "Eva", "E")
        .await
        .unwrap();
    assert_eq!(sim.persons()[1].id, second);
}

#[tokio::test]
async fn without_person_writes_the_client_says_unsupported() {
    let (sim, client) = setup();
    let anna = sim.add_person("anna@example.com", "Anna", "Muster");
    sim.set_config(|c| c.person_writes = false);
    let created = client.create_person("b@example.com", "B", "C").await;
    match created {
        Err(PersonioError::Unsupported(m)) => {
            assert!(m.contains("does not allow creating persons"), "{m}")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let updated = client.update_person(&anna, "Anne", "Muster").await;
    assert!(
        matches!(updated, Err(PersonioError::Unsupported(_))),
        "{updated:?}"
    );
    assert_eq!(sim.persons().len(), 1);
    assert_eq!(sim.persons()[0].first_name, "Anna");
}

#[tokio::test]
async fn a_lost_create_answer_is_maybe_applied_and_not_repeated() {
    let (sim, client) = setup();
    sim.inject(Fault::ApplyThenDrop {
        route: Route::CreatePerson,
        times: 1,
    });
    let e = client
        .create_person("lost@example.com", "L", "A")
        .await
        .unwrap_err();
    assert!(e.maybe_applied(), "{e:?}");
    assert_eq!(sim.persons().len(), 1);
    assert_eq!(sim.stats().count(Route::CreatePerson), 1, "not sent twice");

    let anna = sim.add_person("anna@example.com", "Anna", "Muster");
    sim.inject(Fault::Status {
        route: Route::CreateAbsence,
        status: 502,
        times: 1,
    });
    let e = client
        .create_absence_period(&anna, "5001", day(2), day(2), true, "Urlaub")
        .await
        .unwrap_err();
    assert!(e.maybe_applied(), "{e:?}");
    assert_eq!(sim.stats().count(Route::CreateAbsence), 1, "not sent twice");
}

#[tokio::test]
async fn periods_carry_comment_approval_and_updated_at_and_can_be_moved() {
    let (sim, client) = setup();
    let anna = sim.add_person("anna@example.com", "Anna", "Muster");
    let id = sim.add_period(
        &anna,
        PeriodType::Work,
        at(3, 8, 0),
        Some(at(3, 12, 0)),
        Some("Frühdienst"),
    );
    sim.add_period(
        &anna,
        PeriodType::Work,
        at(3, 13, 0),
        Some(at(3, 17, 0)),
        None,
    );
    let held = client
        .periods(std::slice::from_ref(&anna), day(3), day(3))
        .await
        .unwrap();
    let p = held.iter().find(|p| p.id == id).unwrap();
    assert_eq!(p.comment.as_deref(), Some("Frühdienst"));
    assert_eq!(p.approval.as_deref(), Some("CONFIRMED"));
    assert!(p.updated_at.as_deref().is_some_and(|u| u.starts_with("20")));

    client
        .update_period(&id, at(3, 7, 30), at(3, 11, 45), Some("korrigiert"))
        .await
        .unwrap();
    let moved = sim.periods().into_iter().find(|p| p.id == id).unwrap();
    assert_eq!(
        (moved.start, moved.end),
        (at(3, 7, 30), Some(at(3, 11, 45)))
    );
    assert_eq!(moved.comment.as_deref(), Some("korrigiert"));
    assert_eq!(moved.approval, "CONFIRMED", "skip_approval is sent");
    // No comment: the comment stays.
    client
        .update_period(&id, at(3, 8, 0), at(3, 12, 0), None)
        .await
        .unwrap();
    let kept = sim.periods().into_iter().find(|p| p.id == id).unwrap();
    assert_eq!(kept.comment.as_deref(), Some("korrigiert"));
    let clash = client
        .update_period(&id, at(3, 8, 0), at(3, 14, 0), None)
        .await;
    assert!(
        matches!(clash, Err(PersonioError::Rejected { status: 422, .. })),
        "{clash:?}"
    );
    let unknown = client
        .update_period("nope", at(3, 8, 0), at(3, 9, 0), None)
        .await;
    assert!(matches!(unknown, Err(PersonioError::NotFound(_))));
}

#[tokio::test]
async fn absences_create_list_approve_and_delete() {
    let (sim, client) = setup();
    let anna = sim.add_person("anna@example.com", "Anna", "Muster");
    let id = client
        .create_absence_period(&anna, "5001", day(2), day(4), false, "Urlaub")
        .await
        .unwrap();
    let stored = &sim.absences()[0];
    assert_eq!(stored.id, id);
    assert_eq!(stored.approval, "PENDING");
    assert_eq!(
        (stored.starts_from, stored.ends_at),
        (at(2, 0, 0), Some(day(4).and_hms_opt(23, 59, 59).unwrap()))
    );
    let listed = client
        .absence_periods(std::slice::from_ref(&anna), day(4), day(10))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let a = &listed[0];
    assert_eq!(
        (a.person_id.as_str(), a.type_id.as_str(), a.approval),
        (anna.as_str(), "5001", Approval::Pending)
    );
    assert_eq!(a.comment.as_deref(), Some("Urlaub"));
    assert!(
        client
            .absence_periods(std::slice::from_ref(&anna), day(5), day(10))
            .await
            .unwrap()
            .is_empty(),
        "ends before the window"
    );

    client
        .update_absence_approval(&id, Approval::Approved)
        .await
        .unwrap();
    assert_eq!(sim.absences()[0].approval, "APPROVED");

    let clash = client
        .create_absence_period(&anna, "5002", day(3), day(3), true, "krank")
        .await;
    assert!(
        matches!(clash, Err(PersonioError::Conflict(_))),
        "{clash:?}"
    );

    client.delete_absence_period(&id).await.unwrap();
    assert!(sim.absences().is_empty());
    client.delete_absence_period(&id).await.unwrap();
    let approved = client
        .create_absence_period(&anna, "5002", day(3), day(3), true, "krank")
        .await
        .unwrap();
    assert_eq!(sim.absences()[0].id, approved);
    assert_eq!(sim.absences()[0].approval, "APPROVED");
}

#[tokio::test]
async fn without_approval_patch_the_client_says_unsupported() {
    let (sim, client) = setup();
    let anna = sim.add_person("anna@example.com", "Anna", "Muster");
    let id = sim.add_absence(&anna, "5001", at(2, 0, 0), None, "PENDING");
    sim.set_config(|c| c.absence_approval_patch = false);
    let e = client
        .update_absence_approval(&id, Approval::Rejected)
        .await
        .unwrap_err();
    assert!(matches!(e, PersonioError::Unsupported(_)), "{e:?}");
    assert_eq!(sim.absences()[0].approval, "PENDING");
}

#[tokio::test]
async fn absence_lists_page_chunk_and_read_approval_tolerantly() {
    let (sim, client) = setup();
    let persons: Vec<String> = (0..60)
        .map(|i| sim.add_person(&format!("p{i}@example.com"), "P", "Q"))
        .collect();
    for p in &persons {
        for d in [2, 3] {
            sim.add_absence(p, "5001", at(d, 0, 0), Some(at(d, 23, 59)), "APPROVED");
        }
    }
    let open = sim.add_absence(&persons[0], "5003", at(20, 0, 0), None, "CONFIRMED");
    let rejected = sim.add_absence(&persons[1], "5003", at(20, 0, 0), None, "REJECTED");
    let all = client
        .absence_periods(&persons, day(1), day(31))
        .await
        .unwrap();
    assert_eq!(all.len(), 122);
    // 60 persons in chunks of 50; the first chunk holds 101 absences: two pages.
    assert_eq!(client.stats().requests[&Call::ListAbsences], 3);
    let o = all.iter().find(|a| a.id == open).unwrap();
    assert_eq!((o.end, o.approval), (None, Approval::Approved));
    let r = all.iter().find(|a| a.id == rejected).unwrap();
    assert_eq!(r.approval, Approval::Rejected);
    // The open-ended absence reaches into any later window.
    let later = client
        .absence_periods(&persons[..1], day(25), day(31))
        .await
        .unwrap();
    assert_eq!(
        later.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [open.as_str()]
    );
}

#[tokio::test]
async fn reads_are_retried_through_faults_on_new_routes() {
    let (sim, client) = setup();
    sim.add_absence_type("Urlaub", "day");
    let za = sim.add_absence_type("Zeitausgleich", "day");
    sim.inject(Fault::Status {
        route: Route::AbsenceTypes,
        status: 503,
        times: 1,
    });
    sim.inject(Fault::RateLimited {
        route: Route::AbsenceTypes,
        times: 1,
    });
    let types = client.absence_types().await.unwrap();
    assert_eq!(
        types,
        [
            ("5001".to_owned(), "Urlaub".to_owned()),
            (za, "Zeitausgleich".to_owned())
        ]
    );
    assert_eq!(sim.stats().count(Route::AbsenceTypes), 3);
    let anna = sim.add_person("anna@example.com", "Anna", "Muster");
    let id = sim.add_absence(&anna, "5001", at(2, 0, 0), None, "APPROVED");
    sim.inject(Fault::Drop {
        route: Route::ListAbsences,
        times: 1,
    });
    let listed = client
        .absence_periods(&[anna], day(1), day(2))
        .await
        .unwrap();
    assert_eq!(listed[0].id, id);
    // A dropped delete was never applied, but the client cannot know: maybe applied.
    sim.inject(Fault::Drop {
        route: Route::DeleteAbsence,
        times: 1,
    });
    let e = client.delete_absence_period(&id).await.unwrap_err();
    assert!(e.maybe_applied(), "{e:?}");
    assert_eq!(sim.absences().len(), 1);
}
