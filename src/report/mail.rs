//! The report e-mail HR gets for every mail zeitpost reads, composed without I/O.
//!
//! It answers the original (In-Reply-To, References), so it lands in the same thread. It is
//! marked as an automatic reply three ways, because each kind of mail system listens to a
//! different one: `Auto-Submitted` (RFC 3834, sieve and most autoresponders),
//! `X-Auto-Response-Suppress` (Exchange) and `X-Loop` (ours: the daemon drops mails
//! carrying it). `Precedence` is left out on purpose: `bulk` sends HR's report to spam or
//! a promotions folder, and `auto_reply` is not a standard value.
//!
//! Everything in a report that came from the mail (file names, cells quoted in reasons,
//! the subject) is foreign input: the HTML part escapes all of it, control and
//! direction-changing characters are dropped, and the rows to fix travel as a CSV
//! attachment whose cells are neutralised against spreadsheet formulas.

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};

use super::fix_csv::{self, FixCsv};
use super::smtp::ReportError;
use super::{FileReport, RowReport, counts};
use crate::lang::Lang;

/// The header (name, value) on every report, so zeitpost never answers its own mail.
pub const LOOP_HEADER: (&str, &str) = ("X-Loop", "zeitpost");

/// What the report answers, and to whom.
pub struct ReportContext<'a> {
    /// `report.from`, e.g. `Zeiterfassung <zeiten@example.com>`.
    pub from: &'a str,
    /// `report.to` and the original sender; duplicates (ignoring case) are dropped here.
    pub to: Vec<String>,
    /// The original's Message-ID without `<>`.
    pub original_message_id: Option<&'a str>,
    /// The original's `References` header, extended by its Message-ID.
    pub original_references: Option<&'a str>,
    pub original_subject: Option<&'a str>,
    pub lang: Lang,
    /// A sentence about the whole mail, shown above the files.
    pub notice: Option<String>,
}

/// A report ready to send.
#[derive(Debug, Clone)]
pub struct ComposedReport {
    /// The bare envelope sender.
    pub sender: String,
    /// The bare envelope recipients.
    pub recipients: Vec<String>,
    /// The whole RFC 5322 message.
    pub message: Vec<u8>,
}

pub fn compose(ctx: &ReportContext, files: &[FileReport]) -> Result<ComposedReport, ReportError> {
    let from: Mailbox = ctx.from.parse().map_err(|e| ReportError::Address {
        address: ctx.from.to_string(),
        reason: format!("report.from: {e}"),
    })?;
    let to = recipients(&ctx.to)?;
    let lang = ctx.lang;
    let summary = counts(files).summary(lang);
    let attachments = fix_csv::attachments(files, lang);

    let mut builder = Message::builder()
        .from(from.clone())
        .subject(subject(ctx, &summary))
        .message_id(Some(message_id(&from)));
    for m in &to {
        builder = builder.to(m.clone());
    }
    if let Some(id) = ctx.original_message_id.and_then(clean_id) {
        builder = builder
            .in_reply_to(format!("<{id}>"))
            .references(references(ctx.original_references, &id));
    }
    for (name, value) in [
        ("Auto-Submitted", "auto-replied"),
        ("X-Auto-Response-Suppress", "All"),
        LOOP_HEADER,
    ] {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(name),
            value.to_string(),
        ));
    }

    let body = MultiPart::alternative_plain_html(
        text_body(ctx, &summary, files, &attachments),
        html_body(ctx, &summary, files, &attachments),
    );
    let message = if attachments.is_empty() {
        builder.multipart(body)
    } else {
        let csv = ContentType::parse("text/csv; charset=utf-8")
            .map_err(|e| ReportError::Compose(e.to_string()))?;
        let mixed = attachments
            .into_iter()
            .fold(MultiPart::mixed().multipart(body), |m, a| {
                m.singlepart(Attachment::new(a.name).body(a.bytes, csv.clone()))
            });
        builder.multipart(mixed)
    }
    .map_err(|e| ReportError::Compose(e.to_string()))?;

    Ok(ComposedReport {
        sender: from.email.to_string(),
        recipients: to.iter().map(|m| m.email.to_string()).collect(),
        message: message.formatted(),
    })
}

/// The recipients, parsed and without repeats; unusable addresses are skipped.
fn recipients(raw: &[String]) -> Result<Vec<Mailbox>, ReportError> {
    let mut out: Vec<Mailbox> = Vec::new();
    for r in raw {
        match r.trim().parse::<Mailbox>() {
            Ok(m) => {
                let bare = m.email.to_string();
                if !out
                    .iter()
                    .any(|o| o.email.to_string().eq_ignore_ascii_case(&bare))
                {
                    out.push(m);
                }
            }
            Err(e) => tracing::warn!("report recipient {r:?} skipped: {e}"),
        }
    }
    if out.is_empty() {
        Err(ReportError::NoRecipients)
    } else {
        Ok(out)
    }
}

fn subject(ctx: &ReportContext, summary: &str) -> String {
    let mut s = format!(
        "{}: {summary}",
        ctx.lang.pick("Zeiterfassung", "Time import")
    );
    if let Some(original) = ctx.original_subject.map(clean_line) {
        let original: String = original.chars().take(150).collect();
        let lower = original.to_lowercase();
        if lower.starts_with("re:") || lower.starts_with("aw:") {
            s.push_str(&format!(" – {original}"));
        } else if !original.is_empty() {
            s.push_str(&format!(" – Re: {original}"));
        }
    }
    s
}

fn message_id(from: &Mailbox) -> String {
    format!(
        "<zeitpost.{}.{:016x}@{}>",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        rand::random::<u64>(),
        from.email.domain()
    )
}

/// A Message-ID that is safe to repeat in a header, without `<>`.
fn clean_id(raw: &str) -> Option<String> {
    let id = raw.trim().trim_start_matches('<').trim_end_matches('>');
    let ok = !id.is_empty()
        && id.len() <= 250
        && id
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>'));
    ok.then(|| id.to_string())
}

/// The original's references (well-formed ids only, the first and the latest few) and
/// then the original itself.
fn references(original: Option<&str>, id: &str) -> String {
    let mut ids: Vec<String> = original
        .unwrap_or("")
        .split('<')
        .filter_map(|part| part.split_once('>').map(|(inner, _)| inner))
        .filter_map(clean_id)
        .collect();
    if ids.len() > 20 {
        ids.drain(1..ids.len() - 19);
    }
    ids.retain(|i| i != id);
    ids.push(id.to_string());
    ids.iter()
        .map(|i| format!("<{i}>"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Foreign text on one line: no control or direction-changing characters.
fn clean_line(s: &str) -> String {
    let replaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The parts of one file's section, shared by the text and the HTML body.
struct Section<'a> {
    name: String,
    notes: Vec<String>,
    to_fix: Vec<&'a RowReport>,
    /// `"Übrige Zeilen: 11 importiert"`, or nothing when there are no other rows.
    rest: Option<String>,
}

fn sections(files: &[FileReport], lang: Lang) -> Vec<Section<'_>> {
    files
        .iter()
        .map(|f| {
            let mut notes = Vec::new();
            if let Some(seen) = &f.seen_before {
                notes.push(match lang {
                    Lang::De => format!("Diese Datei wurde bereits am {seen} empfangen."),
                    Lang::En => format!("This file was already received on {seen}."),
                });
            }
            notes.extend(f.error.clone());
            let to_fix = fix_csv::rows_to_fix(f);
            let others = FileReport {
                rows: f
                    .rows
                    .iter()
                    .filter(|r| !r.status.needs_action())
                    .cloned()
                    .collect(),
                ..FileReport::default()
            };
            let rest = if !others.rows.is_empty() {
                let label = if to_fix.is_empty() {
                    lang.pick("Zeilen", "Rows")
                } else {
                    lang.pick("Übrige Zeilen", "Other rows")
                };
                Some(format!("{label}: {}", counts(&[others]).summary(lang)))
            } else if f.rows.is_empty() && f.error.is_none() {
                Some(lang.pick("Keine Zeilen.", "No rows.").to_string())
            } else {
                None
            };
            Section {
                name: f.name.clone(),
                notes,
                to_fix,
                rest,
            }
        })
        .collect()
}

fn employee(r: &RowReport) -> String {
    r.employee.clone().unwrap_or_else(|| "–".into())
}

fn date(r: &RowReport) -> String {
    r.date
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|| "–".into())
}

fn attachment_note(lang: Lang, attachments: &[FixCsv]) -> Option<String> {
    if attachments.is_empty() {
        return None;
    }
    let names: Vec<&str> = attachments.iter().map(|a| a.name.as_str()).collect();
    Some(match lang {
        Lang::De => format!(
            "Die Zeilen zum Korrigieren hängen als {} an (Zeile, Grund, dann die Zellen wie gesendet).",
            names.join(", ")
        ),
        Lang::En => format!(
            "The rows to fix are attached as {} (row, reason, then the cells as sent).",
            names.join(", ")
        ),
    })
}

fn text_body(
    ctx: &ReportContext,
    summary: &str,
    files: &[FileReport],
    attachments: &[FixCsv],
) -> String {
    let lang = ctx.lang;
    let mut out = format!("{summary}\n");
    if let Some(n) = &ctx.notice {
        out.push_str(&format!("\n{}\n", clean_line(n)));
    }
    for s in sections(files, lang) {
        out.push_str(&format!(
            "\n{}: {}\n",
            lang.pick("Datei", "File"),
            clean_line(&s.name)
        ));
        for n in &s.notes {
            out.push_str(&format!("{}\n", clean_line(n)));
        }
        if !s.to_fix.is_empty() {
            out.push_str(lang.pick("Zu korrigieren:\n", "To fix:\n"));
            for r in &s.to_fix {
                out.push_str(&format!(
                    "- {} {} · {} · {}\n  {}\n",
                    lang.pick("Zeile", "Row"),
                    clean_line(&r.row),
                    clean_line(&employee(r)),
                    date(r),
                    clean_line(&r.status.describe(lang))
                ));
            }
        }
        if let Some(rest) = &s.rest {
            out.push_str(&format!("{rest}\n"));
        }
    }
    if let Some(note) = attachment_note(lang, attachments) {
        out.push_str(&format!("\n{note}\n"));
    }
    out
}

fn html_body(
    ctx: &ReportContext,
    summary: &str,
    files: &[FileReport],
    attachments: &[FixCsv],
) -> String {
    let lang = ctx.lang;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"></head>\n\
         <body style=\"font-family:sans-serif\">\n<p><strong>{}</strong></p>\n",
        lang.pick("de", "en"),
        escape(summary)
    );
    if let Some(n) = &ctx.notice {
        out.push_str(&format!("<p>{}</p>\n", escape(n)));
    }
    for s in sections(files, lang) {
        out.push_str(&format!(
            "<h3>{}: {}</h3>\n",
            lang.pick("Datei", "File"),
            escape(&s.name)
        ));
        for n in &s.notes {
            out.push_str(&format!("<p>{}</p>\n", escape(n)));
        }
        if !s.to_fix.is_empty() {
            out.push_str(
                "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" \
                 style=\"border-collapse:collapse\">\n<tr>",
            );
            for h in [
                lang.pick("Zeile", "Row"),
                lang.pick("Mitarbeiter", "Employee"),
                lang.pick("Datum", "Date"),
                lang.pick("Grund und was zu tun ist", "Reason and what to do"),
            ] {
                out.push_str(&format!("<th align=\"left\">{h}</th>"));
            }
            out.push_str("</tr>\n");
            for r in &s.to_fix {
                out.push_str(&format!(
                    "<tr valign=\"top\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    escape(&r.row),
                    escape(&employee(r)),
                    escape(&date(r)),
                    escape(&r.status.describe(lang))
                ));
            }
            out.push_str("</table>\n");
        }
        if let Some(rest) = &s.rest {
            out.push_str(&format!("<p>{}</p>\n", escape(rest)));
        }
    }
    if let Some(note) = attachment_note(lang, attachments) {
        out.push_str(&format!("<p>{}</p>\n", escape(&note)));
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use mailparse::{MailHeaderMap, ParsedMail, parse_mail};

    use super::*;
    use crate::records::Rejection;
    use crate::report::RowStatus;
    use crate::target::Outcome;

    fn row(row: &str, status: RowStatus, cells: &[&str]) -> RowReport {
        RowReport {
            row: row.into(),
            employee: Some("b@example.com".into()),
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2),
            status,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn imported() -> RowStatus {
        RowStatus::Target(Outcome::Written {
            periods: 1,
            changed_others: vec![],
        })
    }

    fn files() -> Vec<FileReport> {
        vec![FileReport {
            name: "Stunden A&B.csv".into(),
            seen_before: None,
            header: None,
            error: None,
            rows: vec![
                row("2", imported(), &[]),
                row(
                    "3",
                    RowStatus::Rejected(Rejection::InvalidDate("<script>alert(1)</script>".into())),
                    &["=1+1", "<script>", "08:00"],
                ),
                row(
                    "4",
                    RowStatus::Target(Outcome::AlreadyImported {
                        on: "01.11.2026".into(),
                    }),
                    &[],
                ),
            ],
        }]
    }

    fn ctx(lang: Lang) -> ReportContext<'static> {
        ReportContext {
            from: "Zeiterfassung <zeiten@example.com>",
            to: vec![
                "HR <hr@example.com>".into(),
                "clock@example.com".into(),
                "HR@Example.com".into(),
                "not an address".into(),
            ],
            original_message_id: Some("orig-1@terminal.example.com"),
            original_references: Some("<root@example.com> <mid@example.com>"),
            original_subject: Some("Export März"),
            lang,
            notice: None,
        }
    }

    fn parts<'a>(m: &'a ParsedMail<'a>, out: &mut Vec<&'a ParsedMail<'a>>) {
        out.push(m);
        for p in &m.subparts {
            parts(p, out);
        }
    }

    fn part<'a>(m: &'a ParsedMail<'a>, mime: &str) -> Option<&'a ParsedMail<'a>> {
        let mut all = Vec::new();
        parts(m, &mut all);
        all.into_iter().find(|p| p.ctype.mimetype == mime)
    }

    #[test]
    fn headers_thread_and_mark_the_reply() {
        let c = compose(&ctx(Lang::De), &files()).unwrap();
        assert_eq!(c.sender, "zeiten@example.com");
        assert_eq!(c.recipients, ["hr@example.com", "clock@example.com"]);
        let m = parse_mail(&c.message).unwrap();
        let h = |name: &str| m.headers.get_first_value(name).unwrap_or_default();
        assert_eq!(h("In-Reply-To"), "<orig-1@terminal.example.com>");
        assert_eq!(
            h("References"),
            "<root@example.com> <mid@example.com> <orig-1@terminal.example.com>"
        );
        assert_eq!(h("Auto-Submitted"), "auto-replied");
        assert_eq!(h(LOOP_HEADER.0), LOOP_HEADER.1);
        assert_eq!(h("X-Auto-Response-Suppress"), "All");
        assert_eq!(
            h("Subject"),
            "Zeiterfassung: 1 importiert, 1 Duplikate, 1 abgelehnt – Re: Export März"
        );
        assert!(
            h("Message-ID").ends_with("@example.com>"),
            "{}",
            h("Message-ID")
        );
        assert!(!h("Date").is_empty());
        assert!(h("To").contains("hr@example.com") && h("To").contains("clock@example.com"));
    }

    #[test]
    fn both_alternatives_escaped_html_and_a_neutralised_csv() {
        let c = compose(&ctx(Lang::De), &files()).unwrap();
        let m = parse_mail(&c.message).unwrap();
        assert_eq!(m.ctype.mimetype, "multipart/mixed");
        assert!(part(&m, "multipart/alternative").is_some());
        let text = part(&m, "text/plain").unwrap().get_body().unwrap();
        assert!(text.contains("Datei: Stunden A&B.csv"), "{text}");
        assert!(
            text.contains("- Zeile 3 · b@example.com · 02.11.2026"),
            "{text}"
        );
        assert!(
            text.contains("Übrige Zeilen: 1 importiert, 1 Duplikate"),
            "{text}"
        );
        let html = part(&m, "text/html").unwrap().get_body().unwrap();
        assert!(html.contains("Stunden A&amp;B.csv"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        let csv = part(&m, "text/csv").unwrap();
        assert_eq!(
            csv.get_content_disposition()
                .params
                .get("filename")
                .map(String::as_str),
            Some("zu-korrigieren.csv")
        );
        let bytes = csv.get_body_raw().unwrap();
        let csv = String::from_utf8(bytes).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains(";'=1+1;<script>;08:00\r\n"), "{csv}");
    }

    #[test]
    fn no_attachment_when_nothing_needs_action() {
        let mut f = files();
        f[0].rows.remove(1);
        let c = compose(&ctx(Lang::En), &f).unwrap();
        let m = parse_mail(&c.message).unwrap();
        assert_eq!(m.ctype.mimetype, "multipart/alternative");
        assert!(part(&m, "text/csv").is_none());
        let subject = m.headers.get_first_value("Subject").unwrap();
        assert_eq!(
            subject,
            "Time import: 1 imported, 1 duplicates – Re: Export März"
        );
        let text = part(&m, "text/plain").unwrap().get_body().unwrap();
        assert!(text.contains("Rows: 1 imported, 1 duplicates"), "{text}");
    }

    #[test]
    fn notice_seen_before_and_file_errors_are_shown() {
        let f = vec![FileReport {
            name: "a.xlsx".into(),
            seen_before: Some("02.11.2026".into()),
            header: None,
            error: Some("The file is not a spreadsheet.".into()),
            rows: vec![],
        }];
        let context = ReportContext {
            notice: Some("Already processed on 01.11.2026.".into()),
            original_references: None,
            ..ctx(Lang::En)
        };
        let c = compose(&context, &f).unwrap();
        let m = parse_mail(&c.message).unwrap();
        assert_eq!(
            m.headers.get_first_value("References").unwrap(),
            "<orig-1@terminal.example.com>"
        );
        let text = part(&m, "text/plain").unwrap().get_body().unwrap();
        for want in [
            "Already processed on 01.11.2026.",
            "This file was already received on 02.11.2026.",
            "The file is not a spreadsheet.",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
    }

    #[test]
    fn foreign_header_text_cannot_inject_headers() {
        let context = ReportContext {
            original_message_id: Some("x@y>\r\nBcc: evil@example.com"),
            original_subject: Some("Re: hi\r\nBcc: evil@example.com"),
            ..ctx(Lang::De)
        };
        let c = compose(&context, &files()).unwrap();
        let m = parse_mail(&c.message).unwrap();
        assert!(m.headers.get_first_value("Bcc").is_none());
        assert!(m.headers.get_first_value("In-Reply-To").is_none());
        assert_eq!(
            m.headers.get_first_value("Subject").unwrap(),
            "Zeiterfassung: 1 importiert, 1 Duplikate, 1 abgelehnt – Re: hi Bcc: evil@example.com"
        );
        assert_eq!(c.recipients.len(), 2);
    }

    #[test]
    fn no_usable_recipient_is_an_error() {
        let context = ReportContext {
            to: vec!["nobody".into()],
            ..ctx(Lang::De)
        };
        assert!(matches!(
            compose(&context, &files()),
            Err(ReportError::NoRecipients)
        ));
    }
}
