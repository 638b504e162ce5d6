//! The CSV of rows HR has to fix, attached to the report e-mail.
//!
//! HR opens it in a spreadsheet, corrects the rows and sends them again, so it is made for
//! Excel: semicolons, CRLF, UTF-8 with a BOM (or the umlauts break). The file's own header
//! row is not kept in the report, so each line is the row number, the reason and then the
//! row's cells exactly as they came. Those cells are foreign input: anything a spreadsheet
//! would run as a formula gets a leading `'`.

use super::{FileReport, RowReport};
use crate::lang::Lang;
use crate::target::outbox::neutralise;

/// One attachment: its file name and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixCsv {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The attachments for a report: none when no row needs action, one CSV per file that
/// has such rows (files differ in layout, so they are not mixed).
pub fn attachments(files: &[FileReport], lang: Lang) -> Vec<FixCsv> {
    let with_rows: Vec<(&FileReport, Vec<&RowReport>)> = files
        .iter()
        .map(|f| (f, rows_to_fix(f)))
        .filter(|(_, rows)| !rows.is_empty())
        .collect();
    let base = lang.pick("zu-korrigieren", "rows-to-fix");
    let single = with_rows.len() == 1;
    let mut out: Vec<FixCsv> = Vec::with_capacity(with_rows.len());
    for (f, rows) in with_rows {
        let stem = if single {
            base.to_string()
        } else {
            format!("{base}-{}", name_stem(&f.name, lang))
        };
        let mut name = format!("{stem}.csv");
        let mut n = 1;
        while out.iter().any(|a| a.name == name) {
            n += 1;
            name = format!("{stem}-{n}.csv");
        }
        out.push(FixCsv {
            name,
            bytes: build(&rows, f.header.as_deref(), lang),
        });
    }
    out
}

/// The rows of a file HR has to do something about.
pub fn rows_to_fix(file: &FileReport) -> Vec<&RowReport> {
    file.rows
        .iter()
        .filter(|r| r.status.needs_action())
        .collect()
}

/// The CSV for the given rows: a header line (the file's own header where known), then
/// row number, reason and the row's cells.
pub fn build(rows: &[&RowReport], file_header: Option<&[String]>, lang: Lang) -> Vec<u8> {
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let mut header = vec![
        lang.pick("Zeile", "Row").to_string(),
        lang.pick("Grund", "Reason").to_string(),
    ];
    let own = file_header.unwrap_or(&[]);
    header.extend((0..width.max(own.len())).map(|i| {
        match own.get(i).filter(|h| !h.trim().is_empty()) {
            Some(h) => h.clone(),
            None => format!("{} {}", lang.pick("Spalte", "Column"), i + 1),
        }
    }));
    let mut out = String::from("\u{feff}");
    push_line(&mut out, header.iter().map(String::as_str));
    for r in rows {
        let reason = r.status.describe(lang);
        let line = [r.row.as_str(), reason.as_str()]
            .into_iter()
            .chain(r.cells.iter().map(String::as_str));
        push_line(&mut out, line);
    }
    out.into_bytes()
}

fn push_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    let cells: Vec<String> = cells.map(cell).collect();
    out.push_str(&cells.join(";"));
    out.push_str("\r\n");
}

/// One cell, neutralised and quoted where a reader would otherwise split it.
fn cell(raw: &str) -> String {
    let safe = neutralise(raw);
    if safe.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

/// A file name's stem reduced to characters that are harmless in an attachment name.
fn name_stem(name: &str, lang: Lang) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    let trimmed = cleaned.trim_matches('-');
    if trimmed.is_empty() {
        lang.pick("datei", "file").into()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Rejection;
    use crate::report::RowStatus;
    use crate::target::Outcome;

    fn row(row: &str, status: RowStatus, cells: &[&str]) -> RowReport {
        RowReport {
            row: row.into(),
            employee: None,
            date: None,
            status,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn file(name: &str, rows: Vec<RowReport>) -> FileReport {
        FileReport {
            name: name.into(),
            rows,
            ..FileReport::default()
        }
    }

    fn imported() -> RowStatus {
        RowStatus::Target(Outcome::Written {
            periods: 1,
            changed_others: vec![],
        })
    }

    #[test]
    fn keeps_only_rows_to_fix_in_their_layout() {
        let f = file(
            "export.csv",
            vec![
                row("2", imported(), &["a@example.com", "01.11.2026", "08:00"]),
                row(
                    "3",
                    RowStatus::Rejected(Rejection::MissingEnd),
                    &["b@example.com", "01.11.2026", "08:00", ""],
                ),
            ],
        );
        let out = attachments(&[f], Lang::De);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].name, "zu-korrigieren.csv");
        let text = String::from_utf8(out[0].bytes.clone()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\u{feff}Zeile;Grund;Spalte 1;Spalte 2;Spalte 3;Spalte 4"
        );
        assert!(lines[1].starts_with("3;Die Endzeit fehlt"), "{}", lines[1]);
        assert!(lines[1].ends_with(";b@example.com;01.11.2026;08:00;"));
        assert_eq!(lines[2], "", "CRLF after the last line, nothing more");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn neutralises_formulas_and_quotes_separators() {
        let rows = [row(
            "7",
            RowStatus::Rejected(Rejection::InvalidDate("=1+1".into())),
            &["=1+1", "a;b", "say \"hi\"", "-5", "@SUM(A1)"],
        )];
        let refs: Vec<&RowReport> = rows.iter().collect();
        let text = String::from_utf8(build(&refs, None, Lang::En)).unwrap();
        let line = text.split("\r\n").nth(1).unwrap();
        assert!(
            line.ends_with(";'=1+1;\"a;b\";\"say \"\"hi\"\"\";'-5;'@SUM(A1)"),
            "{line}"
        );
        assert!(
            line.starts_with("7;\"\"\"=1+1\"\" is not a valid date"),
            "{line}"
        );
        assert!(text.starts_with("\u{feff}Row;Reason;Column 1;"));
    }

    #[test]
    fn nothing_to_fix_means_no_attachment() {
        let f = file("a.csv", vec![row("2", imported(), &["x"])]);
        assert!(attachments(&[f, FileReport::default()], Lang::De).is_empty());
    }

    #[test]
    fn one_file_per_export_when_several_need_fixing() {
        let bad = || row("2", RowStatus::Rejected(Rejection::MissingDate), &["x"]);
        let files = [
            file("März/Stunden März.csv", vec![bad()]),
            file("../..", vec![bad()]),
            file("Stunden März.xlsx", vec![bad()]),
        ];
        let names: Vec<String> = attachments(&files, Lang::En)
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(
            names,
            [
                "rows-to-fix-Stunden-März.csv",
                "rows-to-fix-file.csv",
                "rows-to-fix-Stunden-März-2.csv"
            ]
        );
    }
}
