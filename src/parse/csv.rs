//! CSV and other delimited text: decoding, dialect sniffing, rows.
//!
//! Encoding: a UTF-8 or UTF-16 byte-order mark decides; without one, valid UTF-8 is
//! UTF-8 and anything else is Windows-1252 (what Excel on a German Windows writes).
//! Delimiter: whichever of `;` `,` tab `|` splits the first lines most consistently,
//! counted outside quotes.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::cell::Cell;
use super::error::FileError;
use super::layout::TableReader;
use super::limits::Limits;
use super::profile::Profile;
use super::raw::RawRow;

const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];
const SNIFF_LINES: usize = 60;

/// Decodes the file to text: BOM, then UTF-8, then Windows-1252 (or the profile's encoding).
pub fn decode<'b>(bytes: &'b [u8], forced: Option<&'static Encoding>) -> Cow<'b, str> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        return if enc == UTF_8 {
            String::from_utf8_lossy(body)
        } else {
            enc.decode_without_bom_handling(body).0
        };
    }
    if let Some(enc) = forced.filter(|e| *e != UTF_8) {
        return enc.decode_without_bom_handling(bytes).0;
    }
    if forced == Some(UTF_8) {
        return String::from_utf8_lossy(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) if looks_like_utf16(bytes) => {
            let enc = if bytes.iter().step_by(2).filter(|b| **b == 0).count() > bytes.len() / 4 {
                UTF_16BE
            } else {
                UTF_16LE
            };
            enc.decode_without_bom_handling(bytes).0
        }
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// UTF-16 without a BOM: every other byte of ASCII text is zero.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096)];
    sample.len() >= 8 && sample.iter().filter(|b| **b == 0).count() * 3 > sample.len()
}

/// Picks the delimiter that gives the most lines the same, non-zero field count.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(SNIFF_LINES)
        .collect();
    let mut best = (0usize, 0usize, b';');
    for &d in &DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_unquoted(l, d)).collect();
        let mut freq: std::collections::HashMap<usize, usize> = Default::default();
        for &c in counts.iter().filter(|c| **c > 0) {
            *freq.entry(c).or_default() += 1;
        }
        // Score: lines that agree on the most common count, then that count itself.
        if let Some((&count, &lines_agreeing)) = freq.iter().max_by_key(|(c, n)| (**n, **c))
            && (lines_agreeing, count) > (best.0, best.1)
        {
            best = (lines_agreeing, count, d);
        }
    }
    best.2
}

fn count_unquoted(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

/// Reads every row of a delimited text file and hands each data row to `sink`.
/// Returns whether a header (a table) was found.
pub fn read(
    bytes: &[u8],
    limits: &Limits,
    profile: Option<&Profile>,
    sink: &mut dyn FnMut(RawRow, &[Cell]),
) -> Result<bool, FileError> {
    let lines = bytecount_newlines(bytes);
    if lines > limits.rows {
        return Err(FileError::TooManyRows { limit: limits.rows });
    }
    let forced = profile
        .and_then(|p| p.encoding.as_deref())
        .and_then(|label| Encoding::for_label(label.as_bytes()));
    let text = decode(bytes, forced);
    if text.contains('\0') && !text.trim_matches('\0').contains(['\n', ';', ',']) {
        return Err(FileError::Corrupt("binary data, not text".into()));
    }
    let delimiter = match profile.and_then(|p| p.delimiter) {
        Some(c) if c.is_ascii() => c as u8,
        _ => sniff_delimiter(&text),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = TableReader::new(profile, false);
    let mut record = csv::StringRecord::new();
    let mut number = 0usize;
    let (mut line, mut counted_to) = (1u64, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // Invalid UTF-8 cannot happen on decoded text; anything else ends the file.
            Err(e) => return Err(FileError::Corrupt(e.to_string())),
        }
        number += 1;
        // Physical line of the record's first byte; counted here because the reader does
        // not count the blank lines it skips.
        // The reader reports where it stopped after the previous record, before the line
        // ends and blank lines it skipped.
        let bytes = text.as_bytes();
        let mut start = record.position().map_or(counted_to, |p| p.byte() as usize);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        line += bytecount_newlines(&bytes[counted_to..start.max(counted_to)]);
        counted_to = start.max(counted_to);
        let cells: Vec<Cell> = record.iter().map(Cell::Text).collect();
        if let Some(row) = table.push(number, || line.to_string(), &cells) {
            sink(row, &cells);
        }
        if table.gave_up() {
            break;
        }
    }
    Ok(table.layout().is_some())
}

fn bytecount_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_recognised() {
        assert_eq!(decode(b"\xEF\xBB\xBFa;b", None), "a;b");
        assert_eq!(decode(b"Gr\xFC\xDFe", None), "Grüße");
        assert_eq!(decode("Grüße".as_bytes(), None), "Grüße");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Grüße;x".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16, None), "Grüße;x");
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("ab".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&utf16be, None), "ab");
        assert_eq!(decode("Grüße".as_bytes(), Some(WINDOWS_1252)), "GrÃ¼ÃŸe");
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n"), b'|');
        assert_eq!(
            sniff_delimiter("E-Mail;Datum;Kommentar\na@x.de;1.1.2026;\"ja, gut, so\"\n"),
            b';'
        );
        assert_eq!(
            sniff_delimiter(
                "Export vom 1.11.2026, 08:00\nE-Mail;Datum;Start;Ende\na;b;c;d\ne;f;g;h\n"
            ),
            b';'
        );
    }

    fn rows(text: &str) -> Vec<RawRow> {
        let mut out = Vec::new();
        read(text.as_bytes(), &Limits::default(), None, &mut |r, _| {
            out.push(r)
        })
        .unwrap();
        out
    }

    #[test]
    fn quoted_fields_crlf_and_line_numbers() {
        let out = rows(
            "Zeiterfassung Muster GmbH\r\n\r\nE-Mail,Datum,Start,Ende,Kommentar\r\n\
             a@example.com,02.11.2026,08:00,12:00,\"Kunde, Termin\"\r\n\
             a@example.com,02.11.2026,12:30,16:00,\"zwei\r\nZeilen\"\r\n\
             a@example.com,03.11.2026,08:00,12:00,\r\n",
        );
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].location, "4");
        assert_eq!(out[0].comment.as_deref(), Some("Kunde, Termin"));
        assert_eq!(out[1].comment.as_deref(), Some("zwei\r\nZeilen"));
        assert_eq!(out[2].location, "7");
    }

    #[test]
    fn too_many_lines_refuse_the_file() {
        let limits = Limits {
            rows: 2,
            ..Limits::default()
        };
        let err = read(b"a\nb\nc\nd\n", &limits, None, &mut |_, _| {}).unwrap_err();
        assert_eq!(err, FileError::TooManyRows { limit: 2 });
    }

    #[test]
    fn files_without_a_table_say_so() {
        let found = read(b"name,age\nx,1\n", &Limits::default(), None, &mut |_, _| {}).unwrap();
        assert!(!found);
    }
}
