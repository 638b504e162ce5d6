//! A cheap look at a message before `mailparse` builds its tree.
//!
//! `mailparse::parse_mail` parses every nested multipart at once, recursively, and keeps
//! every part in memory. Two kinds of input make that expensive before any limit of ours
//! can step in: very deep nesting (each level is a few stack frames; mailparse 0.18 stops
//! at 100 levels, older releases had no limit and could overflow the stack, which aborts
//! the process instead of panicking) and millions of tiny parts (each one an allocated
//! struct). Both can be bounded from above by a single pass over the bytes, without
//! parsing anything.

use std::collections::HashSet;

/// Upper bounds on the shape of a message, found without parsing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Distinct values of `boundary=` parameters. Every level of multipart nesting needs a
    /// boundary that differs from all its ancestors' (a part ends at the first line that
    /// starts with an ancestor's delimiter), so this bounds how deep `mailparse` recurses.
    pub boundaries: usize,
    /// Lines starting with `--`, plus one. Every part `mailparse` creates starts after
    /// such a line (or at the start of the body), so this bounds the number of parts.
    pub delimiter_lines: usize,
}

/// Scans `raw` once. Counting stops early at `stop_after` distinct boundaries, since
/// beyond that the exact number does not matter.
pub fn shape(raw: &[u8], stop_after: usize) -> Shape {
    let delimiter_lines = 1 + raw.windows(3).filter(|w| w == b"\n--").count();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut from = 0;
    while seen.len() <= stop_after {
        let Some(at) = find_ignore_case(&raw[from..], b"boundary") else {
            break;
        };
        let after = from + at + b"boundary".len();
        if let Some(value) = param_value(&raw[after..]) {
            seen.insert(value);
        }
        from = after;
    }
    Shape {
        boundaries: seen.len(),
        delimiter_lines,
    }
}

/// Position of the first ASCII-case-insensitive occurrence of `needle` (lower case).
fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The value after a parameter name: skips a RFC 2231 suffix (`*`, `*0`, `*0*`), white
/// space and the `=`, then takes a quoted string or a token. `None` when no `=` follows,
/// e.g. for the word "boundary" in body text.
fn param_value(rest: &[u8]) -> Option<&[u8]> {
    let mut i = 0;
    while i < rest.len() && (rest[i] == b'*' || rest[i].is_ascii_digit()) {
        i += 1;
    }
    while i < rest.len() && matches!(rest[i], b' ' | b'\t') {
        i += 1;
    }
    if rest.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while i < rest.len() && matches!(rest[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    let rest = &rest[i..];
    if let Some(quoted) = rest.strip_prefix(b"\"") {
        let end = quoted
            .iter()
            .position(|&b| matches!(b, b'"' | b'\r' | b'\n'))
            .unwrap_or(quoted.len());
        return Some(&quoted[..end]);
    }
    let end = rest
        .iter()
        .position(|&b| matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_boundaries() {
        let raw = b"Content-Type: multipart/mixed; boundary=\"a\"\r\n\r\n--a\r\n\
            Content-Type: multipart/alternative; BOUNDARY=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n\
            --a\r\nContent-Type: multipart/related;\r\n boundary = \"a\"\r\n\r\n--a--\r\n\
            The boundary is where the part ends.\r\n";
        let shape = shape(raw, 100);
        assert_eq!(shape.boundaries, 2);
        assert_eq!(shape.delimiter_lines, 6);
    }

    #[test]
    fn rfc2231_boundary_counts() {
        let raw = b"Content-Type: multipart/mixed; boundary*0=\"ab\"; boundary*1=cd\n";
        assert_eq!(shape(raw, 100).boundaries, 2);
    }

    #[test]
    fn stops_early() {
        let mut raw = Vec::new();
        for i in 0..1000 {
            raw.extend_from_slice(format!("boundary=b{i}\n").as_bytes());
        }
        assert_eq!(shape(&raw, 10).boundaries, 11);
    }

    #[test]
    fn empty_input() {
        assert_eq!(
            shape(b"", 10),
            Shape {
                boundaries: 0,
                delimiter_lines: 1
            }
        );
    }
}
