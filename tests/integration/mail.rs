//! Mail reading against real-world mails from other projects' test suites (the shared
//! corpus) and against the project's own sample mails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zeitpost::mail::{MailError, MailLimits, read};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mail")
}

/// Attachment names `read` finds, or `Err` with the reason.
fn names_of(raw: &[u8]) -> Result<Vec<String>, MailError> {
    read(raw, &MailLimits::default())
        .map(|mail| mail.attachments.into_iter().map(|a| a.name).collect())
}

/// Every corpus mail goes through `read` without a panic (also not one caught inside
/// `read`) and in reasonable time; every mail listed in `mail-attachments.json` yields
/// exactly the listed names, in order.
#[test]
fn corpus_attachment_names() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        println!("note: {} not found; corpus test skipped", dir.display());
        return;
    }
    let json = std::fs::read_to_string(dir.join("mail-attachments.json")).unwrap();
    let expected: BTreeMap<String, Vec<String>> = serde_json::from_str(&json).unwrap();

    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("mail"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 84, "corpus should hold 84 mails");

    let mut checked = 0;
    let mut mismatches = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read(path).unwrap();
        let started = Instant::now();
        let result = names_of(&raw);
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, file.clone());
        }
        if let Err(MailError::Unreadable(why)) = &result {
            assert!(!why.contains("panicked"), "{file}: {why}");
        }
        let Some(want) = expected.get(&file) else {
            continue;
        };
        checked += 1;
        let got = match &result {
            Ok(names) => names.clone(),
            Err(_) => Vec::new(),
        };
        if &got != want {
            mismatches.push(format!(
                "{file}:\n  expected {want:?}\n  got      {result:?}"
            ));
        }
    }
    println!(
        "{} mails read, {checked} compared, slowest {} ({:?})",
        files.len(),
        slowest.1,
        slowest.0
    );
    assert_eq!(checked, expected.len(), "every JSON entry has a mail");
    assert!(
        slowest.0 < Duration::from_secs(5),
        "{} took {:?}",
        slowest.1,
        slowest.0
    );
    if !mismatches.is_empty() {
        println!("{}", mismatches.join("\n"));
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} mails differ",
        mismatches.len()
    );
}

/// The known awkward cases of the corpus, spelled out.
#[test]
fn corpus_known_quirks() {
    let dir = corpus_dir().join("mail");
    if !dir.is_dir() {
        println!("note: {} not found; corpus test skipped", dir.display());
        return;
    }
    let read_file = |name: &str| {
        read(
            &std::fs::read(dir.join(name)).unwrap(),
            &MailLimits::default(),
        )
    };

    // "Header cannot start with a space"
    assert!(matches!(
        read_file("mailparser-rs-malformed-019.eml"),
        Err(MailError::Unreadable(_))
    ));
    // 105 levels of nesting: not parsed, no names, but the mail is not lost.
    let nested = read_file("mailparse-nested.eml");
    match nested {
        Ok(mail) => {
            assert!(mail.attachments.is_empty());
            assert!(!mail.problems.is_empty());
        }
        Err(e) => assert!(matches!(e, MailError::Unreadable(_))),
    }
    // Unquoted encoded word as parameter value.
    let mail = read_file("mikel-attachment_with_base64_encoded_name.eml").unwrap();
    assert_eq!(mail.attachments[0].name, "This is a test.pdf");
    assert!(!mail.attachments[0].is_export());
    // Path and newline in names are kept, and made safe on demand.
    let mail = read_file("phpmimemailparser-m0027.eml").unwrap();
    assert_eq!(mail.attachments[0].name, "1234/../../1234.txt");
    assert_eq!(mail.attachments[0].safe_name(), "1234.txt");
    let mail = read_file("phpmimemailparser-issue250.eml").unwrap();
    assert!(!mail.attachments[0].safe_name().contains('\n'));
}

/// Each sample mail yields exactly its expected export attachments.
#[test]
fn samples_yield_their_exports() {
    let dir = samples_dir();
    let expected: &[(&str, &[&str], &[&str])] = &[
        (
            "01-terminal-export.eml",
            &["Personio_Export_2026-11-02.csv"],
            &["Personio_Export_2026-11-02.csv"],
        ),
        (
            "02-outlook-forward.eml",
            &[
                "image001.png",
                "Zeiterfassung.eml",
                "Personio_Export_2026-11-03.csv",
            ],
            &["Personio_Export_2026-11-03.csv"],
        ),
        (
            "03-gmail-forward-umlaut.eml",
            &["Arbeitszeiten_März.csv"],
            &["Arbeitszeiten_März.csv"],
        ),
        (
            "04-apple-mail-encoded-name.eml",
            &["Zeiten Grüße.csv", "smime.p7s"],
            &["Zeiten Grüße.csv"],
        ),
        ("05-pdf-only.eml", &["Monatsbericht_Oktober_2026.pdf"], &[]),
    ];

    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".eml"))
        .collect();
    files.sort();
    let listed: Vec<&str> = expected.iter().map(|(file, _, _)| *file).collect();
    assert_eq!(files, listed, "every sample is checked");

    for (file, all, exports) in expected {
        let raw = std::fs::read(dir.join(file)).unwrap();
        let mail = read(&raw, &MailLimits::default()).unwrap();
        assert!(mail.problems.is_empty(), "{file}: {:?}", mail.problems);
        let names: Vec<&str> = mail.attachments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, *all, "{file}");
        let found: Vec<&str> = mail
            .attachments
            .iter()
            .filter(|a| a.is_export())
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(found, *exports, "{file}");
        for export in mail.attachments.iter().filter(|a| a.is_export()) {
            assert!(!export.oversized);
            check_csv(file, &export.bytes);
        }
    }
}

/// The sample CSVs are what the time clock writes: the fixed header, 3 to 6 rows of six
/// fields, dates in early November 2026.
fn check_csv(file: &str, bytes: &[u8]) {
    // Windows-1252 umlauts are single bytes >= 0x80; the structure is plain ASCII.
    let text: String = bytes.iter().map(|&b| b as char).collect();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("E-Mail;Datum;Startzeit;Endzeit;Pause;Kommentar"),
        "{file}"
    );
    let rows: Vec<&str> = lines.filter(|line| !line.is_empty()).collect();
    assert!((3..=6).contains(&rows.len()), "{file}: {} rows", rows.len());
    for row in rows {
        let fields: Vec<&str> = row.split(';').collect();
        assert_eq!(fields.len(), 6, "{file}: {row}");
        assert!(fields[0].ends_with("@example.com"), "{file}: {row}");
        assert!(fields[1].ends_with(".11.2026"), "{file}: {row}");
    }
}

#[test]
fn sample_headers() {
    let raw = std::fs::read(samples_dir().join("01-terminal-export.eml")).unwrap();
    let mail = read(&raw, &MailLimits::default()).unwrap();
    assert_eq!(mail.from.as_deref(), Some("terminal@example.com"));
    assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    assert!(
        mail.message_id
            .as_deref()
            .is_some_and(|id| !id.contains(['<', '>']))
    );

    let raw = std::fs::read(samples_dir().join("02-outlook-forward.eml")).unwrap();
    let mail = read(&raw, &MailLimits::default()).unwrap();
    assert_eq!(mail.from.as_deref(), Some("personal@hr.example.com"));
    assert_eq!(mail.auto_submitted, None);
    assert!(
        mail.subject
            .as_deref()
            .is_some_and(|s| s.starts_with("WG:"))
    );
}
