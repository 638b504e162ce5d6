//! Importing a month into the Personio simulator: requests per record, use of the rate
//! ceiling, and what a second import of the same month costs.
//!
//! 250 persons × 31 days × 4 periods = 31,000 records (one in four with a break, so three
//! periods), through the simulator's token bucket. Then the same month again with the
//! state database (target: 0 writes, 0 reads), and again without it (target: 0 writes,
//! at most one page per 100 periods plus the person look-up).
//!
//! `cargo bench --bench import`; `ZEITPOST_BENCH_RPS` sets the ceiling (default 300/s; above that the simulator, which scans
//! all stored periods on every write, becomes the limit rather than the ceiling).

mod common;

use std::time::Instant;

use zeitpost::config::Config;
use zeitpost::importer::{Importer, Input, Target};
use zeitpost::ingest::Settings;
use zeitpost::ledger::Ledger;
use zeitpost::report::counts;
use zeitpost::target::Policy;
use zeitpost::target::personio::client::{Call, Stats};
use zeitpost_sim::personio::{PersonioConfig, PersonioSim, RateLimit, Route};

struct Run {
    seconds: f64,
    client: Stats,
    summary: String,
}

fn import(config: &Config, file: &std::path::Path) -> Run {
    let settings = Settings::from_config(
        config,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    )
    .unwrap();
    let mut ledger = Ledger::open(&config.state.path).unwrap();
    let mut target = Target::from_config(config).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let input = Input {
        label: "monat.csv".into(),
        name: "monat.csv".into(),
        bytes: std::fs::read(file).unwrap(),
    };
    let started = Instant::now();
    let reports = runtime
        .block_on(
            Importer {
                settings: &settings,
                ledger: &mut ledger,
                target: &mut target,
                lang: settings.lang,
            }
            .run(vec![input], "bench", Policy::default()),
        )
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let Target::Personio(p) = &target else {
        unreachable!("configured for Personio")
    };
    Run {
        seconds,
        client: p.client().stats(),
        summary: counts(&reports).summary(zeitpost::lang::Lang::En),
    }
}

fn per_record(stats: &Stats, records: usize) -> String {
    stats
        .requests
        .iter()
        .map(|(call, n)| format!("{call:?} {n} ({:.3}/record)", *n as f64 / records as f64))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let (employees, days) = if quick {
        (10, 3)
    } else {
        (common::EMPLOYEES, 31)
    };
    let rps: u32 = std::env::var("ZEITPOST_BENCH_RPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let sim = PersonioSim::start(PersonioConfig {
        client_id: "bench".into(),
        client_secret: "bench-secret".into(),
        rate_limit: Some(RateLimit {
            capacity: rps / 10,
            per_second: rps,
        }),
        allow_end_at_midnight: true,
        ..PersonioConfig::default()
    });
    for e in 0..employees {
        sim.add_person(
            &format!("mitarbeiter{e:03}@example.com"),
            "M",
            &format!("{e:03}"),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("monat.csv");
    let records = common::write_csv_for(&file, days, employees);
    let state = dir.path().join("zeitpost.db");
    let config = Config::from_toml(
        &format!(
            "[state]\npath = {state:?}\n[personio]\nbase_url = {:?}\nclient_id = \"bench\"\nclient_secret = \"bench-secret\"\nmax_rps = {rps}\n",
            sim.base_url()
        ),
        "bench",
    )
    .unwrap();

    let first = import(&config, &file);
    let periods = sim.periods().len();
    let total: u64 = first.client.requests.values().sum();
    println!(
        "month: {records} records, {employees} persons, {periods} periods written; ceiling {rps} requests/s"
    );
    println!("first import : {:.1} s, {}", first.seconds, first.summary);
    println!("  requests   : {}", per_record(&first.client, records));
    println!(
        "  rate       : {:.0} requests/s = {:.1} % of the ceiling (target >= 90 %), {} answered 429",
        total as f64 / first.seconds,
        100.0 * total as f64 / first.seconds / f64::from(rps),
        sim.stats().rate_limited
    );

    let creates_before = sim.stats().count(Route::CreatePeriod);
    let second = import(&config, &file);
    println!("same month   : {:.2} s, {}", second.seconds, second.summary);
    println!(
        "  writes {} (target 0), requests: {}",
        sim.stats().count(Route::CreatePeriod) - creates_before,
        if second.client.requests.is_empty() {
            "none".to_string()
        } else {
            per_record(&second.client, records)
        }
    );

    std::fs::remove_file(&state).unwrap();
    let _ = std::fs::remove_file(state.with_extension("db-wal"));
    let _ = std::fs::remove_file(state.with_extension("db-shm"));
    let creates_before = sim.stats().count(Route::CreatePeriod);
    let third = import(&config, &file);
    let reads = third
        .client
        .requests
        .get(&Call::ListPeriods)
        .copied()
        .unwrap_or(0);
    let persons = third
        .client
        .requests
        .get(&Call::Persons)
        .copied()
        .unwrap_or(0);
    println!("without state: {:.1} s, {}", third.seconds, third.summary);
    println!(
        "  writes {} (target 0); period pages read {reads} (target <= {}), person pages {persons}",
        sim.stats().count(Route::CreatePeriod) - creates_before,
        periods.div_ceil(100)
    );
    assert_eq!(sim.stats().count(Route::CreatePeriod) - creates_before, 0);
    assert_eq!(sim.periods().len(), periods);
}
