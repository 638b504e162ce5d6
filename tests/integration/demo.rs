//! The embedded default: `run --once` over the sample Maildir, into import files and report
//! files, with no server; then `status`.

use std::path::Path;

use crate::util::{example_config, root, run_once, status_json, zeitpost};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.retain(|n| !n.starts_with('.'));
    v.sort();
    v
}

#[test]
fn the_embedded_default_runs_the_whole_job_without_servers() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    copy_dir(&root().join("samples/maildir"), &base.join("maildir"));
    // The example config with its paths moved into the temp dir.
    let (config, _) = example_config(base, "60s", "");

    let run = |args: &[&str]| {
        zeitpost()
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run_once(&config);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        stdout.contains("9 mails: 29 imported, 1 duplicates, 12 rejected"),
        "{stdout}"
    );

    assert!(files(&base.join("maildir/new")).is_empty());
    assert!(files(&base.join("maildir/cur")).is_empty());
    assert_eq!(files(&base.join("maildir/.Processed/cur")).len(), 7);
    // The stranger's mail and the PDF-only mail.
    assert_eq!(files(&base.join("maildir/.Failed/cur")).len(), 2);

    let import_rows: usize = files(&base.join("personio-import"))
        .iter()
        .map(|f| {
            std::fs::read_to_string(base.join("personio-import").join(f))
                .unwrap()
                .lines()
                .count()
                - 1
        })
        .sum();
    assert_eq!(import_rows, 29, "one import row per new record, none twice");

    let reports = files(&base.join("reports"));
    // Every mail but the terminal's automatic PDF-only mail is answered.
    assert_eq!(reports.len(), 8, "{reports:?}");
    let all: String = reports
        .iter()
        .map(|r| {
            String::from_utf8_lossy(&std::fs::read(base.join("reports").join(r)).unwrap())
                .into_owned()
        })
        .collect();
    assert!(
        all.contains("mallory@example.org"),
        "a notice names the stranger"
    );
    assert!(
        !all.contains("To: mallory") && !all.contains("To: <mallory"),
        "the stranger gets no answer"
    );

    let again = run(&["run", "--once"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 mails"));

    let s = status_json(&config);
    assert_eq!(s["mails_processed"], 7);
    assert_eq!(s["mails_failed"], 2);
    assert_eq!(s["records_outbox"], 29);
    assert_eq!(s["reports_queued"], 0);
}

/// An out-of-office reply to one of our reports, coming back into the mailbox, is filed
/// without a word to anyone: answering automatic mail is how mail loops start.
#[test]
fn automatic_mail_without_an_export_gets_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    std::fs::create_dir_all(base.join("maildir/new")).unwrap();
    std::fs::write(
        base.join("maildir/new/1.ooo"),
        "From: Personalabteilung <personal@hr.example.com>\r\nTo: zeiten@example.com\r\n\
         Subject: Abwesend: Zeiterfassung: 4 importiert\r\nAuto-Submitted: auto-replied\r\n\
         Message-ID: <ooo-1@hr.example.com>\r\n\r\nIch bin bis Montag nicht im Haus.\r\n",
    )
    .unwrap();
    let (config, _) = example_config(base, "60s", "");
    run_once(&config);
    assert_eq!(files(&base.join("maildir/.Failed/cur")).len(), 1);
    assert!(files(&base.join("reports")).is_empty(), "nobody is told");
}
