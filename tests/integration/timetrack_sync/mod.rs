//! `zeitpost sync timetrack` between the TimeTrack and Personio simulators: every direction
//! of every job, conflicts under each master, a DST week, disabled users, second runs that
//! write nothing, lost answers, and kills in the middle of a run.

mod absences;
mod crash;
mod daemon;
mod employees;
mod entries;

use std::path::PathBuf;
use std::process::Output;

use chrono::NaiveDateTime;
use zeitpost_sim::personio::{PeriodType, PersonioConfig, PersonioSim, Route as PRoute};
use zeitpost_sim::timetrack::{TimeTrackConfig, TimeTrackSim, User};

use crate::util::{printed, zeitpost};

pub struct Tt {
    pub tt: TimeTrackSim,
    pub personio: PersonioSim,
    pub config: PathBuf,
    pub dir: tempfile::TempDir,
    /// Personio ids of Anna and Ben.
    pub anna: String,
    pub ben: String,
}

pub const ANNA: &str = "anna.muster@example.com";
pub const BEN: &str = "ben.beispiel@example.com";

/// Both simulators with Anna and Ben on both sides, and a config whose `[timetrack]`
/// section ends with `jobs` (the job sections and any extra keys).
pub fn spawn(jobs: &str) -> Tt {
    spawn_with(
        TimeTrackConfig::default(),
        PersonioConfig::default(),
        "",
        jobs,
    )
}

pub fn spawn_with(tt: TimeTrackConfig, personio: PersonioConfig, keys: &str, jobs: &str) -> Tt {
    let tt = TimeTrackSim::start(tt);
    let personio = PersonioSim::start(PersonioConfig {
        client_id: "zp".into(),
        client_secret: "personio-secret".into(),
        ..personio
    });
    let anna = personio.add_person(ANNA, "Anna", "Muster");
    let ben = personio.add_person(BEN, "Ben", "Beispiel");
    tt.add_user(User::new(
        "annam",
        "Anna",
        "Muster",
        "Anna.Muster@example.com",
    ));
    tt.add_user(User::new("benb", "Ben", "Beispiel", BEN));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zeitpost.toml");
    std::fs::write(
        &config,
        format!(
            "[state]\npath = {:?}\n\n[personio]\nbase_url = {:?}\nclient_id = \"zp\"\nclient_secret = \"personio-secret\"\nmax_rps = 1000\nskip_approval = true\nday_end = \"last_second\"\n\n[timetrack]\nbase_url = {:?}\napi_key = \"sim-key\"\napi_secret = \"sim-secret\"\nmax_rps = 1000\n{keys}\n{jobs}\n",
            dir.path().join("zeitpost.db"),
            personio.base_url(),
            tt.base_url(),
        ),
    )
    .unwrap();
    Tt {
        tt,
        personio,
        config,
        dir,
        anna,
        ben,
    }
}

pub fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

impl Tt {
    /// A finished stretch of work in Personio for `person` on `day` (`2026-11-03`), from `from`
    /// to `to` local time (`08:00`): the usual start of a sync towards TimeTrack. Returns its id.
    pub fn work(&self, person: &str, day: &str, from: &str, to: &str) -> String {
        self.personio.add_period(
            person,
            PeriodType::Work,
            local(&format!("{day}T{from}")),
            Some(local(&format!("{day}T{to}"))),
            None,
        )
    }

    /// `zeitpost sync timetrack` over November 2026 with extra arguments.
    pub fn sync(&self, args: &[&str]) -> (Output, String) {
        self.sync_window("2026-11-01", "2026-11-30", args)
    }

    pub fn sync_window(&self, from: &str, to: &str, args: &[&str]) -> (Output, String) {
        let out = zeitpost()
            .arg("--config")
            .arg(&self.config)
            .args(["sync", "timetrack", "--from", from, "--to", to])
            .args(args)
            .output()
            .unwrap();
        let text = printed(&out);
        (out, text)
    }

    /// Every write either simulator has taken so far.
    pub fn writes(&self) -> u64 {
        let p = self.personio.stats();
        let personio: u64 = [
            PRoute::CreatePeriod,
            PRoute::PatchPeriod,
            PRoute::DeletePeriod,
            PRoute::CreatePerson,
            PRoute::PatchPerson,
            PRoute::CreateAbsence,
            PRoute::PatchAbsence,
            PRoute::DeleteAbsence,
        ]
        .into_iter()
        .map(|r| p.count(r))
        .sum();
        let tt = self
            .tt
            .requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count() as u64;
        personio + tt
    }

    /// Personio's periods of one person as `TYPE dd HH:MM-HH:MM`, sorted.
    pub fn periods_of(&self, person: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .personio
            .periods()
            .into_iter()
            .filter(|p| p.person_id == person)
            .map(|p| {
                format!(
                    "{:?} {} {}-{}",
                    p.kind,
                    p.start.format("%d"),
                    p.start.format("%H:%M"),
                    p.end
                        .map(|e| e.format("%H:%M").to_string())
                        .unwrap_or_default()
                )
            })
            .collect();
        out.sort();
        out
    }

    /// TimeTrack's attendances as `user from–to break`, sorted.
    pub fn attendances(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .tt
            .attendances()
            .into_iter()
            .map(|a| {
                format!(
                    "{} {}-{} {}",
                    a.user,
                    a.from.format("%Y-%m-%dT%H:%MZ"),
                    a.to.map(|t| t.format("%H:%MZ").to_string())
                        .unwrap_or_default(),
                    a.break_minutes
                )
            })
            .collect();
        out.sort();
        out
    }
}

/// Asserts a second run writes nothing anywhere and exits 0.
pub fn second_run_is_quiet(t: &Tt, args: &[&str]) {
    let before = t.writes();
    let (out, text) = t.sync(args);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(t.writes(), before, "a second run wrote:\n{text}");
}
