//! Every file of the shared real-world corpus goes through `zeitpost parse`: no crash, no
//! hang, an exit status from the interface, and JSON on stdout.

use std::path::PathBuf;

use crate::util::{corpus, parsed, zeitpost};

fn files(sub: &str) -> Vec<PathBuf> {
    let Some(dir) = corpus() else { return vec![] };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Runs `parse` on one file; returns its exit code after checking the output's shape.
fn parse_one(file: &PathBuf) -> i32 {
    let out = zeitpost().arg("parse").arg(file).output().unwrap();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{} killed by a signal", file.display()));
    assert!(
        code == 0 || code == 1,
        "{}: exit {code}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    let p = parsed(out);
    for line in &p.lines {
        assert!(
            line["file"]
                .as_str()
                .unwrap()
                .starts_with(&file.display().to_string())
        );
        assert!(line["row"].is_string());
    }
    if code == 1 {
        assert!(
            !p.stderr.trim().is_empty(),
            "{}: exit 1 without a reason",
            file.display()
        );
    }
    code
}

#[test]
fn every_corpus_sheet_and_csv_goes_through_parse() {
    let files = files("sheets");
    let mut unreadable = Vec::new();
    for f in &files {
        if f.extension().is_some_and(|e| e == "md") {
            continue;
        }
        if parse_one(f) == 1 {
            unreadable.push(f.file_name().unwrap().to_string_lossy().to_string());
        }
    }
    // None of these is an attendance export; the broken ones must be among the unreadable.
    for must_fail in [
        "calamine-pass_protected.xlsx",
        "calamine-too_small.xls",
        "calamine-issue_594_dos.ods",
        "csvspectrum-empty.csv",
    ] {
        if !files.is_empty() {
            assert!(
                unreadable.iter().any(|u| u == must_fail),
                "{must_fail} was read"
            );
        }
    }
}

#[test]
fn every_corpus_mail_goes_through_parse() {
    for f in files("mail") {
        parse_one(&f);
    }
}
