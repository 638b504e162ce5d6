//! Random and mutated mails and files through extraction and parsing, for a bounded number
//! of rounds: nothing may panic, hang or allocate without bound.
//!
//! The seed is printed; `ZEITPOST_FUZZ_SEED=N` replays a run and `ZEITPOST_FUZZ_ROUNDS`
//! makes it longer.

use std::path::Path;

use zeitpost::mail::{self, MailLimits};
use zeitpost::parse::{self, Limits, Options};

use crate::util::{corpus, root};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b";",
    b",",
    b"\t",
    b"\"",
    b"\r\n",
    b"\n",
    b":",
    b".",
    b"24:00",
    b"31.02.2026",
    b"Summe",
    b"E-Mail;Datum;Start;Ende;Pause\n",
    b"--boundary\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n",
    b"Content-Type: message/rfc822\r\n\r\n",
    b"=?utf-8?B?w6TDtsO8?=",
    b"filename*0*=UTF-8''%C3%A4",
    b"Content-Transfer-Encoding: base64\r\n",
    b"PK\x03\x04",
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
    b"\xFF\xFE",
    b"\xEF\xBB\xBF",
    b"\0",
    b"-",
    b"9999999999",
    b"=cmd|' /C calc'!A0",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            2 => v.truncate(at),
            3 if !v.is_empty() => {
                let end = (at + rng.below(512)).min(v.len());
                let chunk = v[at.min(end)..end].to_vec();
                v.splice(at..at, chunk);
            }
            4 if !v.is_empty() => {
                let end = (at + rng.below(64)).min(v.len());
                v.drain(at.min(end)..end);
            }
            _ => {
                let noise: Vec<u8> = (0..rng.below(32)).map(|_| rng.next() as u8).collect();
                v.splice(at..at, noise);
            }
        }
    }
    v
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut dirs = vec![root().join("samples")];
    if let Some(c) = corpus() {
        dirs.push(c.join("mail"));
        dirs.push(c.join("sheets"));
    }
    let mut out = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if std::fs::metadata(&p)
                .map(|m| m.len() < 300_000)
                .unwrap_or(false)
            {
                out.push((
                    p.file_name().unwrap().to_string_lossy().into(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    for d in dirs {
        walk(&d, &mut out);
    }
    out.sort();
    out
}

#[test]
fn mutated_inputs_never_panic() {
    let seed = std::env::var("ZEITPOST_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let rounds: usize = std::env::var("ZEITPOST_FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    eprintln!("fuzz seed {seed} ({rounds} rounds); replay with ZEITPOST_FUZZ_SEED={seed}");
    let seeds = seeds();
    assert!(seeds.len() > 10, "seed inputs found");
    let mut rng = Rng(seed);
    let limits = Limits {
        inflated_bytes: 20 << 20,
        ..Limits::default()
    };
    let mail_limits = MailLimits::default();
    let mut rows = 0usize;
    for round in 0..rounds {
        let (name, input) = &seeds[rng.below(seeds.len())];
        let data = if round % 10 == 0 {
            (0..rng.below(4096)).map(|_| rng.next() as u8).collect()
        } else {
            mutate(&mut rng, input)
        };
        if let Ok(m) = mail::read(&data, &mail_limits) {
            for a in m.attachments.iter().filter(|a| a.is_export()) {
                let _ = parse::read_file(
                    &a.name,
                    &a.bytes,
                    &Options {
                        limits,
                        profile: None,
                    },
                    &mut |_, _| rows += 1,
                );
            }
        }
        let _ = parse::read_file(
            name,
            &data,
            &Options {
                limits,
                profile: None,
            },
            &mut |r, _| {
                assert!(!r.location.is_empty());
                rows += 1;
            },
        );
    }
    eprintln!("{rows} rows read from mutated inputs");
}
