//! Tests of [`read`](super::read) as a whole: headers, limits, forwarded messages.

use super::*;

fn names(mail: &Mail) -> Vec<&str> {
    mail.attachments.iter().map(|a| a.name.as_str()).collect()
}

/// A multipart/mixed mail with one base64 part per `(name, content type, body)`.
fn mixed(parts: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut out = String::from(
        "From: \"Terminal Halle 1\" <Terminal@Example.com>\r\n\
         Subject: =?utf-8?Q?Export_f=C3=BCr_November?=\r\n\
         Message-ID: <20261102.1@terminal.example.com>\r\n\
         Auto-Submitted: auto-generated\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
         --outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n",
    );
    for (name, ctype, body) in parts {
        out.push_str(&format!(
            "--outer\r\nContent-Type: {ctype}; name=\"{name}\"\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64(body)
        ));
    }
    out.push_str("--outer--\r\n");
    out.into_bytes()
}

/// Plain base64 for test bodies, 76 characters a line.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

const CSV: &[u8] = b"E-Mail;Datum;Startzeit;Endzeit;Pause;Kommentar\r\n\
    anna.muster@example.com;02.11.2026;07:58;16:31;30;\r\n";

#[test]
fn reads_headers() {
    let mail = read(
        &mixed(&[("a.csv", "text/csv", CSV)]),
        &MailLimits::default(),
    )
    .unwrap();
    assert_eq!(mail.from.as_deref(), Some("terminal@example.com"));
    assert_eq!(mail.subject.as_deref(), Some("Export für November"));
    assert_eq!(
        mail.message_id.as_deref(),
        Some("20261102.1@terminal.example.com")
    );
    assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    assert_eq!(names(&mail), ["a.csv"]);
    assert_eq!(mail.attachments[0].bytes, CSV);
    assert_eq!(mail.attachments[0].content_type, "text/csv");
    assert!(mail.problems.is_empty(), "{:?}", mail.problems);
}

#[test]
fn missing_headers_are_none() {
    let mail = read(b"\r\nbody only\r\n", &MailLimits::default()).unwrap();
    assert_eq!(mail, Mail::default());
}

#[test]
fn from_without_display_name_and_broken_from() {
    let mail = read(
        b"From: PERSONAL@hr.example.com\r\n\r\nx",
        &MailLimits::default(),
    )
    .unwrap();
    assert_eq!(mail.from.as_deref(), Some("personal@hr.example.com"));
    let mail = read(b"From: no address here\r\n\r\nx", &MailLimits::default()).unwrap();
    assert_eq!(mail.from, None);
}

#[test]
fn only_exports_are_decoded() {
    let raw = mixed(&[
        ("logo.png", "image/png", b"\x89PNG"),
        ("b.xlsx", "application/octet-stream", b"PK"),
    ]);
    let mail = read(&raw, &MailLimits::default()).unwrap();
    assert_eq!(names(&mail), ["logo.png", "b.xlsx"]);
    assert!(mail.attachments[0].bytes.is_empty());
    assert!(!mail.attachments[0].is_export());
    assert_eq!(mail.attachments[1].bytes, b"PK");
}

#[test]
fn oversized_export_is_listed_without_bytes() {
    let limits = MailLimits {
        attachment_bytes: 10,
        ..MailLimits::default()
    };
    let mail = read(
        &mixed(&[("a.csv", "text/csv", CSV), ("b.csv", "text/csv", b"x")]),
        &limits,
    )
    .unwrap();
    assert_eq!(names(&mail), ["a.csv", "b.csv"]);
    assert!(mail.attachments[0].oversized);
    assert!(mail.attachments[0].bytes.is_empty());
    assert!(!mail.attachments[1].oversized);
    assert_eq!(mail.attachments[1].bytes, b"x");
    assert_eq!(mail.problems.len(), 1, "{:?}", mail.problems);
}

#[test]
fn decoded_budget_stops_the_walk() {
    // The raw mail must fit into the budget, so only decoding the same bytes again (a
    // base64 forward inside a base64 forward) can exceed it.
    let raw = forwarded(3, true);
    let limits = MailLimits {
        decoded_bytes: raw.len() as u64,
        ..MailLimits::default()
    };
    let mail = read(&raw, &limits).unwrap();
    assert_eq!(names(&mail), ["fwd2.eml", "fwd1.eml"]);
    assert_eq!(
        mail.problems,
        [format!(
            "parts skipped: more than {} bytes decoded",
            raw.len()
        )]
    );
}

#[test]
fn raw_mail_over_budget_is_too_large() {
    let limits = MailLimits {
        decoded_bytes: 10,
        ..MailLimits::default()
    };
    assert_eq!(
        read(b"Subject: hello world\r\n\r\n", &limits),
        Err(MailError::TooLarge {
            size: 24,
            limit: 10
        })
    );
}

#[test]
fn part_limit_stops_the_walk() {
    let many: Vec<(String, &str, &[u8])> = (0..10)
        .map(|i| (format!("{i}.csv"), "text/csv", CSV))
        .collect();
    let many: Vec<(&str, &str, &[u8])> =
        many.iter().map(|(n, c, b)| (n.as_str(), *c, *b)).collect();
    // Root, text body, then attachments: a limit of 5 leaves room for 3 of them.
    let limits = MailLimits {
        parts: 5,
        ..MailLimits::default()
    };
    let mail = read(&mixed(&many), &limits).unwrap();
    assert_eq!(names(&mail), ["0.csv", "1.csv", "2.csv"]);
    assert_eq!(mail.problems, ["parts skipped: more than 5 parts"]);
}

/// A multipart with `count` tiny parts named `0.csv`, `1.csv`, ...
fn flat(count: usize) -> Vec<u8> {
    let mut out =
        String::from("Subject: flat\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
    for i in 0..count {
        out.push_str(&format!(
            "--b\r\nContent-Type: text/csv; name={i}.csv\r\n\r\nx\r\n"
        ));
    }
    out.push_str("--b--\r\n");
    out.into_bytes()
}

#[test]
fn many_parts_stop_at_the_limit() {
    let mail = read(&flat(2000), &MailLimits::default()).unwrap();
    // The root multipart is a part too.
    assert_eq!(mail.attachments.len(), 499);
    assert_eq!(mail.problems, ["parts skipped: more than 500 parts"]);
}

#[test]
fn millions_of_parts_are_not_parsed() {
    let mail = read(&flat(20_000), &MailLimits::default()).unwrap();
    assert_eq!(mail.subject.as_deref(), Some("flat"));
    assert!(mail.attachments.is_empty());
    assert!(
        mail.problems[0].contains("delimiter lines"),
        "{:?}",
        mail.problems
    );
}

/// `levels` multiparts, each inside the previous one, with a CSV at the bottom.
fn nested(levels: usize) -> Vec<u8> {
    let mut out = String::from("Subject: deep\r\n");
    for i in 0..levels {
        out.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i:05}\"\r\n\r\n--b{i:05}\r\n"
        ));
    }
    out.push_str("Content-Type: text/csv; name=\"deep.csv\"\r\n\r\na;b\r\n");
    for i in (0..levels).rev() {
        out.push_str(&format!("--b{i:05}--\r\n"));
    }
    out.into_bytes()
}

#[test]
fn nesting_within_limit_is_found() {
    let mail = read(&nested(16), &MailLimits::default()).unwrap();
    assert_eq!(names(&mail), ["deep.csv"]);
    assert!(mail.problems.is_empty());
}

#[test]
fn nesting_over_limit_is_skipped() {
    let mail = read(&nested(17), &MailLimits::default()).unwrap();
    assert!(mail.attachments.is_empty());
    assert_eq!(mail.problems, ["part skipped: nesting deeper than 16"]);
}

#[test]
fn absurd_nesting_is_not_parsed_but_headers_are() {
    for levels in [101, 200, 5000] {
        let mail = read(&nested(levels), &MailLimits::default()).unwrap();
        assert_eq!(mail.subject.as_deref(), Some("deep"));
        assert!(mail.attachments.is_empty());
        assert!(
            mail.problems[0].contains("more than 100 multipart boundaries"),
            "{:?}",
            mail.problems
        );
    }
}

#[test]
fn depth_setting_cannot_lift_the_hard_limit() {
    let limits = MailLimits {
        depth: usize::MAX,
        ..MailLimits::default()
    };
    let mail = read(&nested(64), &limits).unwrap();
    assert_eq!(names(&mail), ["deep.csv"]);
    let mail = read(&nested(65), &limits).unwrap();
    assert!(mail.attachments.is_empty());
    assert_eq!(mail.problems, ["part skipped: nesting deeper than 64"]);
}

/// `levels` forwarded messages, each one the body of the previous, base64-encoded when
/// `encode` is set, with a CSV in the innermost one.
fn forwarded(levels: usize, encode: bool) -> Vec<u8> {
    let mut inner = String::from_utf8(mixed(&[("inner.csv", "text/csv", CSV)])).unwrap();
    for i in 0..levels {
        let body = if encode {
            base64(inner.as_bytes())
        } else {
            inner.clone()
        };
        let cte = if encode { "base64" } else { "7bit" };
        inner = format!(
            "From: personal@hr.example.com\r\nSubject: Fwd {i}\r\n\
             Content-Type: multipart/mixed; boundary=\"fwd{i}\"\r\n\r\n\
             --fwd{i}\r\nContent-Type: text/plain\r\n\r\nsiehe Anhang\r\n\
             --fwd{i}\r\nContent-Type: message/rfc822; name=\"fwd{i}.eml\"\r\n\
             Content-Transfer-Encoding: {cte}\r\n\r\n{body}\r\n--fwd{i}--\r\n"
        );
    }
    inner.into_bytes()
}

#[test]
fn forwarded_messages_are_descended_into() {
    for encode in [false, true] {
        let mail = read(&forwarded(2, encode), &MailLimits::default()).unwrap();
        assert_eq!(
            names(&mail),
            ["fwd1.eml", "fwd0.eml", "inner.csv"],
            "encode {encode}"
        );
        assert_eq!(mail.attachments[2].bytes, CSV);
        assert_eq!(mail.from.as_deref(), Some("personal@hr.example.com"));
        assert!(mail.problems.is_empty(), "{:?}", mail.problems);
    }
}

#[test]
fn forward_chains_count_towards_depth() {
    // Each forward adds two levels (multipart, then the message inside it).
    let mail = read(&forwarded(8, false), &MailLimits::default()).unwrap();
    assert_eq!(mail.attachments.len(), 8);
    assert_eq!(mail.problems, ["part skipped: nesting deeper than 16"]);
}

#[test]
fn long_forward_chain_does_not_exhaust_the_stack() {
    let limits = MailLimits {
        depth: usize::MAX,
        ..MailLimits::default()
    };
    // 90 forwards declare 91 boundaries: still parsed, but walked only 64 levels deep.
    let raw = forwarded(90, false);
    // A small stack, as on a worker thread, must still be enough.
    let mail = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || read(&raw, &limits))
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(mail.attachments.len(), 32);
    assert_eq!(mail.problems, ["part skipped: nesting deeper than 64"]);
}

#[test]
fn unquoted_encoded_word_name() {
    let raw = b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\
        Content-Type: text/csv; name==?utf-8?B?WmVpdGVuLmNzdg==?=\r\n\r\na\r\n--x--\r\n";
    let mail = read(raw, &MailLimits::default()).unwrap();
    assert_eq!(names(&mail), ["Zeiten.csv"]);
}

#[test]
fn filename_beats_name() {
    let raw = b"Content-Type: text/csv; name=\"typ.csv\"\r\n\
        Content-Disposition: attachment; filename*=UTF-8''Arbeitszeiten_M%C3%A4rz.csv\r\n\r\na\r\n";
    let mail = read(raw, &MailLimits::default()).unwrap();
    assert_eq!(names(&mail), ["Arbeitszeiten_März.csv"]);
}

#[test]
fn unparsable_mail_is_unreadable() {
    assert!(matches!(
        read(b" leading space\r\n\r\n", &MailLimits::default()),
        Err(MailError::Unreadable(_))
    ));
}

proptest::proptest! {
    #[test]
    fn never_panics(raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000)) {
        let _ = read(&raw, &MailLimits::default());
    }

    #[test]
    fn never_panics_on_mime_like_input(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "\r\n", "\n", "--b", "--b--", "--c", "Content-Type: multipart/mixed; boundary=b",
                "Content-Type: multipart/mixed; boundary=c", "Content-Type: message/rfc822",
                "Content-Transfer-Encoding: base64", "Content-Disposition: attachment; filename*0*=utf-8''%C3",
                "; filename*1=x.csv", "name==?utf-8?B?QQ==?=", " ", "QUJD", "=?", "?=", ":",
            ]),
            0..200,
        )
    ) {
        let raw: String = pieces.concat();
        let _ = read(raw.as_bytes(), &MailLimits::default());
    }
}
