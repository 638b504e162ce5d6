//! The employees job.

use zeitpost_sim::personio::PersonioConfig;
use zeitpost_sim::timetrack::{Attendance, TimeTrackConfig, User};

use super::{second_run_is_quiet, spawn, spawn_with};

const TO_TT: &str = "[timetrack.employees]\ndirection = \"personio_to_timetrack\"\n";
const TO_PERSONIO: &str = "[timetrack.employees]\ndirection = \"timetrack_to_personio\"\n";

#[test]
fn new_hires_become_timetrack_users_named_by_the_rule_and_follow_personio() {
    let t = spawn(TO_TT);
    // Somebody else already holds the plain name.
    t.tt.add_user(User::new(
        "joerg.gross",
        "Jörg",
        "Groß",
        "joerg.gross@old.example.com",
    ));
    let joerg = t
        .personio
        .add_person("Joerg.Gross@example.com", "Jörg", "Groß");
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("new TimeTrack user joerg.gross2"), "{text}");
    let created =
        t.tt.users()
            .into_iter()
            .find(|u| u.username == "joerg.gross2")
            .unwrap();
    assert_eq!(
        (
            created.first_name.as_str(),
            created.last_name.as_str(),
            created.email.as_str()
        ),
        ("Jörg", "Groß", "joerg.gross@example.com")
    );
    assert!(created.enabled);
    assert_eq!(
        t.tt.users().len(),
        4,
        "Anna and Ben were matched by address, not created"
    );
    second_run_is_quiet(&t, &[]);
    // A new name in Personio reaches TimeTrack; a name changed only in TimeTrack stays.
    t.personio
        .update_person(&joerg, |p| p.last_name = "Groß-Meier".into());
    t.tt.set_user(1, |u| u.first_name = "Annie".into());
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    let users = t.tt.users();
    assert_eq!(
        users
            .iter()
            .find(|u| u.username == "joerg.gross2")
            .unwrap()
            .last_name,
        "Groß-Meier"
    );
    assert_eq!(
        users
            .iter()
            .find(|u| u.username == "annam")
            .unwrap()
            .first_name,
        "Annie"
    );
    assert!(t.personio.persons().iter().all(|p| p.first_name != "Annie"));
    // Leaving in Personio disables the TimeTrack user (who keeps the entries made).
    t.tt.add_attendance(Attendance::new(
        "joerg.gross2",
        "2026-11-02T07:00:00Z",
        Some("2026-11-02T15:00:00Z"),
    ));
    t.personio.set_person_status(&joerg, "INACTIVE");
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let gone =
        t.tt.users()
            .into_iter()
            .find(|u| u.username == "joerg.gross2")
            .unwrap();
    assert!(!gone.enabled, "{text}");
    second_run_is_quiet(&t, &[]);
}

#[test]
fn timetrack_users_become_personio_persons_and_a_disabled_user_is_reported() {
    let t = spawn(TO_PERSONIO);
    let carla = t.tt.add_user(User::new(
        "carlac",
        "Carla",
        "Cortez",
        "carla.cortez@example.com",
    ));
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let persons = t.personio.persons();
    let p = persons
        .iter()
        .find(|p| p.email == "carla.cortez@example.com")
        .expect(&text);
    assert_eq!(
        (p.first_name.as_str(), p.last_name.as_str()),
        ("Carla", "Cortez")
    );
    second_run_is_quiet(&t, &[]);
    t.tt.set_user(carla, |u| {
        u.last_name = "Cortez-Lopez".into();
        u.enabled = false;
    });
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("end the employment in Personio"), "{text}");
    let p = t
        .personio
        .persons()
        .into_iter()
        .find(|p| p.email == "carla.cortez@example.com")
        .unwrap();
    assert_eq!(
        (p.last_name.as_str(), p.status.as_str()),
        ("Cortez-Lopez", "ACTIVE")
    );
    // Said once, not every run.
    second_run_is_quiet(&t, &[]);
}

#[test]
fn a_personio_without_person_writes_gets_a_clear_reason() {
    let t = spawn_with(
        TimeTrackConfig::default(),
        PersonioConfig {
            person_writes: false,
            ..PersonioConfig::default()
        },
        "",
        TO_PERSONIO,
    );
    t.tt.add_user(User::new(
        "carlac",
        "Carla",
        "Cortez",
        "carla.cortez@example.com",
    ));
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("create the person in Personio"), "{text}");
    assert_eq!(t.personio.persons().len(), 2);
}

#[test]
fn in_both_directions_the_master_wins_a_clash() {
    for (master, first) in [("personio", "Anna-Lena"), ("timetrack", "Annie")] {
        let t = spawn(&format!(
            "[timetrack.employees]\ndirection = \"both\"\nmaster = \"{master}\"\n"
        ));
        assert_eq!(t.sync(&[]).0.status.code(), Some(0));
        t.personio
            .update_person(&t.anna, |p| p.first_name = "Anna-Lena".into());
        t.tt.set_user(1, |u| u.first_name = "Annie".into());
        let (out, text) = t.sync(&[]);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("changed in both systems"), "{text}");
        let p = t
            .personio
            .persons()
            .into_iter()
            .find(|p| p.id == t.anna)
            .unwrap();
        let u =
            t.tt.users()
                .into_iter()
                .find(|u| u.username == "annam")
                .unwrap();
        assert_eq!(
            (p.first_name.as_str(), u.first_name.as_str()),
            (first, first),
            "master {master}"
        );
        second_run_is_quiet(&t, &[]);
    }
}

#[test]
fn only_the_chosen_employees_are_synced() {
    let t = spawn(&format!("{TO_TT}emails = [\"*@werk1.example.com\"]\n"));
    t.personio
        .add_person("dora@werk1.example.com", "Dora", "Dorn");
    t.personio
        .add_person("emil@werk2.example.com", "Emil", "Ernst");
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    let names: Vec<String> = t.tt.users().into_iter().map(|u| u.username).collect();
    assert!(names.contains(&"dora".to_string()), "{names:?}");
    assert!(!names.contains(&"emil".to_string()), "{names:?}");
    let t = spawn(&format!("{TO_TT}department = \"Lager\"\n"));
    let fritz = t.personio.add_person("fritz@example.com", "Fritz", "Fink");
    t.personio
        .update_person(&fritz, |p| p.department = Some("Lager".into()));
    t.personio.add_person("gina@example.com", "Gina", "Gold");
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    let names: Vec<String> = t.tt.users().into_iter().map(|u| u.username).collect();
    assert!(
        names.contains(&"fritz".to_string()) && !names.contains(&"gina".to_string()),
        "{names:?}"
    );
}

#[test]
fn check_tries_the_timetrack_credentials_and_names_the_keys_at_fault() {
    let t = spawn(TO_TT);
    let check = || {
        let out = crate::util::zeitpost()
            .arg("--config")
            .arg(&t.config)
            .arg("check")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = check();
    assert!(text.contains("ok     TimeTrack"), "{text}");
    assert_eq!(code, Some(0), "{text}");
    t.tt.rotate_secret("new-secret");
    let (code, text) = check();
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("FAILED TimeTrack") && text.contains("timetrack.api_key and api_secret"),
        "{text}"
    );
    assert!(!text.contains("sim-secret"), "{text}");
}

#[test]
fn a_person_no_longer_selected_is_left_alone_not_disabled() {
    let t = spawn(&format!("{TO_TT}emails = [\"*@example.com\"]\n"));
    t.personio.add_person("dora@example.com", "Dora", "Dorn");
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert!(
        t.tt.users()
            .iter()
            .any(|u| u.username == "dora" && u.enabled)
    );
    let text = std::fs::read_to_string(&t.config).unwrap();
    std::fs::write(&t.config, text.replace("\"*@example.com\"", "\"anna*\"")).unwrap();
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let users = t.tt.users();
    assert!(
        users.iter().any(|u| u.username == "dora" && u.enabled),
        "{text}"
    );
    assert!(users.iter().all(|u| u.enabled), "{text}");
}

#[test]
fn a_rehired_person_is_paired_with_the_disabled_user_not_created_twice() {
    let t = spawn(TO_TT);
    let mut dora = User::new("dora", "Dora", "Dorn", "dora@example.com");
    dora.enabled = false;
    t.tt.add_user(dora);
    t.personio.add_person("dora@example.com", "Dora", "Dorn");
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("enable the user in TimeTrack by hand"),
        "{text}"
    );
    assert!(
        text.contains("differs between Personio and TimeTrack"),
        "{text}"
    );
    assert_eq!(t.tt.users().len(), 3, "no second user for the address");
    second_run_is_quiet(&t, &[]);
}
