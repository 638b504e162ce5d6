//! The TimeTrack time entries job on a month: what the first sync costs per entry, and what
//! a run with nothing to do costs against merely reading both systems (the floor any sync
//! must pay: it cannot know what changed without listing both sides).
//!
//! 60 persons × the 21 working days of November 2026, half of them clocking in TimeTrack and
//! half entered in Personio, so both directions carry 630 entries. Targets: a second run makes
//! 0 writes and takes at most 1.5× the read-only baseline; one change on each side writes
//! that one item each way and nothing else.
//!
//! `cargo bench --bench timetrack` (under `cargo test` it runs a small quick version).

use std::time::Instant;

use chrono::{Datelike, NaiveDate, Weekday};
use zeitpost::config::Config;
use zeitpost::importer::Target;
use zeitpost::jobs::timetrack::summary::Job;
use zeitpost::jobs::timetrack::sync::{TimetrackSync, Window, client};
use zeitpost::ledger::Ledger;
use zeitpost_sim::personio::{PeriodType, PersonioConfig, PersonioSim, Route as PRoute};
use zeitpost_sim::timetrack::{Attendance, TimeTrackConfig, TimeTrackSim, User};

struct Sims {
    tt: TimeTrackSim,
    personio: PersonioSim,
}

impl Sims {
    fn writes(&self) -> u64 {
        let p = self.personio.stats();
        let personio: u64 = [
            PRoute::CreatePeriod,
            PRoute::DeletePeriod,
            PRoute::PatchPeriod,
        ]
        .into_iter()
        .map(|r| p.count(r))
        .sum();
        personio
            + self
                .tt
                .requests()
                .iter()
                .filter(|r| r.method != "GET")
                .count() as u64
    }

    fn requests(&self) -> u64 {
        self.personio.stats().requests + self.tt.stats().requests
    }
}

/// Fresh clients for one measured run, as a new process would make them.
struct Clients {
    tt: zeitpost::config::TimetrackConfig,
    client: zeitpost::jobs::timetrack::client::Client,
    target: Box<zeitpost::target::personio::PersonioTarget>,
    runtime: tokio::runtime::Runtime,
}

fn clients(config: &Config) -> Clients {
    let tt = config.timetrack.clone().unwrap();
    let Target::Personio(target) = Target::from_config(config).unwrap() else {
        unreachable!("configured for Personio")
    };
    let client = client(&tt, std::time::Duration::from_secs(30), 4).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    Clients {
        tt,
        client,
        target,
        runtime,
    }
}

fn sync(config: &Config, window: Window) -> (f64, String) {
    let Clients {
        tt,
        client,
        mut target,
        runtime,
    } = clients(config);
    let mut ledger = Ledger::open(&config.state.path).unwrap();
    let started = Instant::now();
    let summary = runtime
        .block_on(
            TimetrackSync {
                client: &client,
                target: &mut target,
                ledger: &mut ledger,
                config: &tt,
            }
            .run(Job::TimeEntries, Some(window), false),
        )
        .unwrap();
    (started.elapsed().as_secs_f64(), summary.line())
}

/// Lists both systems as a sync must, writing nothing: the floor of a run.
fn read_both(config: &Config, window: Window) -> f64 {
    let Clients {
        client,
        target,
        runtime,
        ..
    } = clients(config);
    let started = Instant::now();
    runtime.block_on(async {
        let users = client.users().await.unwrap();
        let persons = target.client().persons().await.unwrap();
        let ids: Vec<String> = persons.iter().map(|p| p.id.clone()).collect();
        let periods = target
            .client()
            .periods(&ids, window.from, window.to)
            .await
            .unwrap();
        let from = window.from.and_hms_opt(0, 0, 0).unwrap().and_utc();
        let to = window.to.and_hms_opt(23, 59, 59).unwrap().and_utc();
        let entries = client.attendances(from, to, None).await.unwrap();
        assert!(!users.is_empty() && !periods.is_empty() && !entries.is_empty());
    });
    started.elapsed().as_secs_f64()
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let persons = if quick { 6 } else { 60 };
    let window = Window {
        from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    };
    let days: Vec<NaiveDate> = window
        .from
        .iter_days()
        .take_while(|d| *d <= window.to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .take(if quick { 3 } else { 31 })
        .collect();
    let sims = Sims {
        tt: TimeTrackSim::start(TimeTrackConfig::default()),
        personio: PersonioSim::start(PersonioConfig {
            client_id: "bench".into(),
            client_secret: "bench-secret".into(),
            ..PersonioConfig::default()
        }),
    };
    for p in 0..persons {
        let email = format!("mitarbeiter{p:03}@example.com");
        let id = sims.personio.add_person(&email, "M", &format!("{p:03}"));
        let username = format!("m{p:03}");
        sims.tt
            .add_user(User::new(&username, "M", &format!("{p:03}"), &email));
        for d in &days {
            if p % 2 == 0 {
                let at = |h| d.and_hms_opt(h, 0, 0).unwrap();
                sims.personio
                    .add_period(&id, PeriodType::Work, at(8), Some(at(16)), None);
            } else {
                sims.tt.add_attendance(
                    Attendance::new(
                        &username,
                        &format!("{d}T06:00:00Z"),
                        Some(&format!("{d}T14:30:00Z")),
                    )
                    .break_minutes(30),
                );
            }
        }
    }
    let entries = persons as usize * days.len();
    let dir = tempfile::tempdir().unwrap();
    let config = Config::from_toml(
        &format!(
            "[state]\npath = {:?}\n[personio]\nbase_url = {:?}\nclient_id = \"bench\"\nclient_secret = \"bench-secret\"\nmax_rps = 1000\n[timetrack]\nbase_url = {:?}\napi_key = \"sim-key\"\napi_secret = \"sim-secret\"\nmax_rps = 1000\n[timetrack.time_entries]\n",
            dir.path().join("zeitpost.db"),
            sims.personio.base_url(),
            sims.tt.base_url()
        ),
        "bench",
    )
    .unwrap();
    println!(
        "month: {entries} entries ({persons} persons × {} days), half from each side",
        days.len()
    );
    let (first, line) = sync(&config, window);
    let (w1, r1) = (sims.writes(), sims.requests());
    println!("first sync   : {first:.2} s, {line}");
    println!(
        "  requests   : {r1} ({:.2} per entry), writes {w1} ({:.2} per entry)",
        r1 as f64 / entries as f64,
        w1 as f64 / entries as f64
    );
    // Each measured three times, side by side, the median kept: the first connection of a
    // run costs more than the rest.
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut baselines = Vec::new();
    let mut seconds = Vec::new();
    let mut line = String::new();
    let (mut r_base, mut r2, mut w2) = (0, 0, 0);
    for _ in 0..3 {
        let r = sims.requests();
        baselines.push(read_both(&config, window));
        r_base = sims.requests() - r;
        let (r, w) = (sims.requests(), sims.writes());
        let (t, l) = sync(&config, window);
        seconds.push(t);
        line = l;
        r2 = sims.requests() - r;
        w2 += sims.writes() - w;
    }
    let (baseline, second) = (median(baselines), median(seconds));
    println!("read both    : {baseline:.3} s, {r_base} requests (baseline, median of 3)");
    println!(
        "second sync  : {second:.3} s (median of 3), {r2} requests, {w2} writes in all (target 0), {line}"
    );
    println!(
        "  ratio      : {:.2}× the baseline (target ≤ 1.5×)",
        second / baseline
    );
    assert_eq!(w2, 0, "a second run writes nothing");
    // One change on each side: exactly one write to each.
    let entry = sims.tt.attendances()[0].id;
    sims.tt.set_attendance(entry, |a| a.break_minutes = 45);
    let period = sims
        .personio
        .periods()
        .into_iter()
        .find(|p| p.comment.is_none() && p.start.format("%H").to_string() == "08")
        .unwrap();
    sims.personio.remove_period(&period.id);
    let before = sims.writes();
    let (third, line) = sync(&config, window);
    println!(
        "two changes  : {third:.3} s, {} write requests (the entry's periods replaced in Personio, one delete in TimeTrack), {line}",
        sims.writes() - before
    );
}
