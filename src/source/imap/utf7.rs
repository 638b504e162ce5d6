//! Folder names on the wire.
//!
//! IMAP servers without UTF8=ACCEPT (Dovecot 2.3 among them) expect non-ASCII folder names
//! in "modified UTF-7" (RFC 3501 §5.1.3). The config holds names as people write them
//! ("Geprüft"), so they are encoded here before they reach a command.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// `name` in modified UTF-7.
pub(super) fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut pending);
    out
}

/// Writes the UTF-16 units in `pending` as one `&...-` run of modified base64.
fn flush(out: &mut String, pending: &mut Vec<u16>) {
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..=chunk.len() {
            let sextet = (group >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[sextet as usize]));
        }
    }
    out.push('-');
    pending.clear();
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn ascii_stays_and_ampersand_is_escaped() {
        assert_eq!(encode("INBOX"), "INBOX");
        assert_eq!(encode("Processed"), "Processed");
        assert_eq!(encode("A&B"), "A&-B");
    }

    #[test]
    fn rfc_3501_example() {
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
    }

    #[test]
    fn umlauts() {
        assert_eq!(encode("Geprüft"), "Gepr&APw-ft");
        assert_eq!(encode("Fehlerhafte Einträge"), "Fehlerhafte Eintr&AOQ-ge");
        assert_eq!(encode("Größe"), "Gr&APYA3w-e");
    }
}
