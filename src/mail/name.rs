//! Attachment file names: finishing what `mailparse` leaves undecoded, and turning a
//! decoded name into one that is safe on a file system.
//!
//! The two steps are kept apart on purpose. The decoded name is what the sender wrote and
//! what HR recognises in a report, so it is kept as it is, even when it is `../../x.csv`
//! or holds a newline. Only where a name touches the disk or a log line is it cut down
//! with [`safe_name`].

/// Longest name [`Attachment::safe_name`](super::Attachment::safe_name) returns, in characters. Long enough for any real export
/// name, short enough for every file system (255 bytes with 2-byte characters).
pub const MAX_SAFE_NAME_CHARS: usize = 120;

/// What [`Attachment::safe_name`](super::Attachment::safe_name) returns when nothing usable is left of a name.
pub const FALLBACK_NAME: &str = "attachment";

/// Decodes RFC 2047 encoded words that are still left in a parameter value.
///
/// `mailparse` decodes encoded words only where one begins after white space, a quote or
/// a bracket. A sender that writes the parameter unquoted
/// (`name==?utf-8?B?VGhpcy5wZGY=?=`) gets the encoded word back raw, because it follows
/// the `=` directly. Running the value through `mailparse`'s own header decoding again, as
/// the value of a made-up header, decodes it with the same charset support as everything
/// else. Values with a line break are left alone: the line break would end the made-up
/// header early, and such a value was already decoded once (that is where the break came
/// from).
pub fn decode_leftover_words(value: &str) -> String {
    if !value.contains("=?") || value.contains(['\r', '\n']) {
        return value.to_string();
    }
    let line = format!("X: {value}");
    match mailparse::parse_header(line.as_bytes()) {
        Ok((header, _)) => header.get_value(),
        Err(_) => value.to_string(),
    }
}

/// Characters that change how text around them is shown without being visible
/// themselves: zero-width characters, bidirectional overrides and isolates, the byte
/// order mark. A name such as `rechnung\u{202E}vsc.exe` would otherwise show as
/// `rechnungexe.csv`.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// A file-system-safe form of a decoded attachment name.
///
/// Only the last path component is kept (`1234/../../1234.txt` → `1234.txt`), so the name
/// can never leave the folder it is written to. Control and invisible characters become
/// spaces, `:` (a drive or stream separator on Windows) becomes `_`, runs of white space
/// shrink to one, and leading dots go (no hidden files, no `..`). Names longer than
/// [`MAX_SAFE_NAME_CHARS`] are shortened in the middle so the extension survives, because
/// the importer decides by extension how to read a file. If nothing is left, the result is
/// [`FALLBACK_NAME`].
pub fn safe_name(name: &str) -> String {
    let last = name
        .split(['/', '\\'])
        .rev()
        .find(|component| !component.trim().is_empty())
        .unwrap_or("");

    let mut cleaned = String::with_capacity(last.len());
    for c in last.chars() {
        let c = if c.is_control() || is_invisible(c) {
            ' '
        } else if c == ':' {
            '_'
        } else {
            c
        };
        if c.is_whitespace() && (cleaned.is_empty() || cleaned.ends_with(' ')) {
            continue;
        }
        cleaned.push(if c.is_whitespace() { ' ' } else { c });
    }
    let cleaned = cleaned.trim_end().trim_start_matches(['.', ' ']);

    let shortened = shorten(cleaned, MAX_SAFE_NAME_CHARS);
    let shortened = shortened.trim();
    if shortened.is_empty() {
        FALLBACK_NAME.to_string()
    } else {
        shortened.to_string()
    }
}

/// Cuts `name` to at most `max` characters, keeping a short extension (up to 10
/// characters after the last dot) at the end.
fn shorten(name: &str, max: usize) -> String {
    let count = name.chars().count();
    if count <= max {
        return name.to_string();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty() && ext.chars().count() <= 10);
    match extension {
        Some(ext) => {
            let keep = max - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        None => name.chars().take(max).collect(),
    }
}

/// The lower-case extension of a name's last path component, without the dot.
pub fn extension(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let (stem, ext) = last.rsplit_once('.')?;
    if stem.is_empty() && ext.is_empty() {
        return None;
    }
    Some(ext.trim().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_encoded_word_is_decoded() {
        assert_eq!(
            decode_leftover_words("=?utf-8?B?VGhpcyBpcyBhIHRlc3QucGRm?="),
            "This is a test.pdf"
        );
        assert_eq!(
            decode_leftover_words("=?iso-8859-1?Q?Stundenzettel_M=E4rz.csv?="),
            "Stundenzettel März.csv"
        );
    }

    #[test]
    fn plain_and_undecodable_values_stay() {
        assert_eq!(decode_leftover_words("export.csv"), "export.csv");
        assert_eq!(decode_leftover_words("a=?b.csv"), "a=?b.csv");
        assert_eq!(decode_leftover_words("=?bogus?X?abc?="), "=?bogus?X?abc?=");
        assert_eq!(
            decode_leftover_words("line\n=?utf-8?B?QQ==?="),
            "line\n=?utf-8?B?QQ==?="
        );
    }

    #[test]
    fn safe_name_keeps_last_component() {
        assert_eq!(safe_name("1234/../../1234.txt"), "1234.txt");
        assert_eq!(safe_name("attach/01"), "01");
        assert_eq!(safe_name(r"C:\Users\anna\Export.csv"), "Export.csv");
        assert_eq!(safe_name("exports/"), "exports");
    }

    #[test]
    fn safe_name_removes_dangerous_characters() {
        assert_eq!(
            safe_name("Kontoutskrift for 1506.14.90466\nBedriftskonto.pdf"),
            "Kontoutskrift for 1506.14.90466 Bedriftskonto.pdf"
        );
        assert_eq!(safe_name("..\u{0}..hidden.csv"), "hidden.csv");
        assert_eq!(safe_name(".bashrc"), "bashrc");
        assert_eq!(safe_name("zeit:stempel.csv"), "zeit_stempel.csv");
        assert_eq!(safe_name("rechnung\u{202E}vsc.exe"), "rechnung vsc.exe");
        assert_eq!(safe_name("  a \t\t b.csv  "), "a b.csv");
        assert_eq!(
            safe_name("Arbeitszeiten_März.csv"),
            "Arbeitszeiten_März.csv"
        );
    }

    #[test]
    fn safe_name_falls_back_when_empty() {
        for name in ["", "..", "/", "\\..\\", " ", "\u{200B}", "\n\r"] {
            assert_eq!(safe_name(name), FALLBACK_NAME, "{name:?}");
        }
    }

    #[test]
    fn safe_name_shortens_but_keeps_extension() {
        let long = format!("{}.xlsx", "ä".repeat(300));
        let safe = safe_name(&long);
        assert_eq!(safe.chars().count(), MAX_SAFE_NAME_CHARS);
        assert!(safe.ends_with(".xlsx"));

        let no_ext = "x".repeat(500);
        assert_eq!(safe_name(&no_ext).chars().count(), MAX_SAFE_NAME_CHARS);

        let odd_ext = format!("a.{}", "b".repeat(200));
        assert_eq!(safe_name(&odd_ext).chars().count(), MAX_SAFE_NAME_CHARS);
    }

    #[test]
    fn extension_is_lower_case_and_from_last_component() {
        assert_eq!(extension("Export.CSV").as_deref(), Some("csv"));
        assert_eq!(extension("a.tar/b").as_deref(), None);
        assert_eq!(extension("dir.d/Zeiten.xlsx ").as_deref(), Some("xlsx"));
        assert_eq!(extension("noext"), None);
    }

    proptest::proptest! {
        #[test]
        fn safe_name_is_always_safe(name in proptest::prelude::any::<String>()) {
            let safe = safe_name(&name);
            proptest::prop_assert!(!safe.is_empty());
            proptest::prop_assert!(safe.chars().count() <= MAX_SAFE_NAME_CHARS);
            proptest::prop_assert!(!safe.starts_with('.'));
            proptest::prop_assert!(!safe.contains(['/', '\\', ':']));
            proptest::prop_assert!(!safe.chars().any(|c| c.is_control()));
        }
    }
}
