//! The lengths of the strings in an `.xls` shared string table, read the way calamine
//! reads the table, so that what a text cell costs is known before calamine copies it.
//!
//! A string may run on into the next CONTINUE record, which then starts with a fresh
//! flag byte saying whether its characters take one byte or two; formatting runs and
//! phonetic data follow the characters and are skipped.

/// At most this many UTF-8 bytes come out of one character of the table: a one-byte
/// character is widened to two bytes before decoding, and any two bytes decode to at
/// most two characters of three bytes.
pub const UTF8_BYTES_PER_CHAR: u64 = 6;

/// The length in characters of every string of an SST record (`first`) and its
/// CONTINUE records (`rest`); `None` where calamine would fail on the table.
pub fn lengths<'a>(first: &'a [u8], rest: Vec<&'a [u8]>) -> Option<Vec<u16>> {
    let mut table = Parts {
        data: first.get(8..)?,
        rest: rest.into_iter(),
    };
    let mut lengths = Vec::new();
    while !table.data.is_empty() || table.next_part() {
        if table.data.is_empty() {
            lengths.push(0);
            continue;
        }
        lengths.push(table.string()?);
    }
    Some(lengths)
}

/// A record's data, then its CONTINUE records' data.
struct Parts<'a> {
    data: &'a [u8],
    rest: std::vec::IntoIter<&'a [u8]>,
}

impl<'a> Parts<'a> {
    fn next_part(&mut self) -> bool {
        match self.rest.next() {
            Some(data) => {
                self.data = data;
                true
            }
            None => false,
        }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.data.split_at_checked(n)?;
        self.data = tail;
        Some(head)
    }

    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            if self.data.is_empty() && !self.next_part() {
                return None;
            }
            let step = n.min(self.data.len());
            self.data = &self.data[step..];
            n -= step;
        }
        Some(())
    }

    /// One `XLUnicodeRichExtendedString`; its length in characters.
    fn string(&mut self) -> Option<u16> {
        let head = self.take(3)?;
        let chars = u16::from_le_bytes([head[0], head[1]]);
        let flags = head[2];
        let mut runs = 0;
        let mut phonetic = 0;
        if flags & 0x8 != 0 {
            let n = self.take(2)?;
            runs = usize::from(u16::from_le_bytes([n[0], n[1]]));
        }
        if flags & 0x4 != 0 {
            let n = self.take(4)?;
            // A negative size becomes a huge one, as in calamine; skipping then fails.
            phonetic = i32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize;
        }
        let mut wide = flags & 0x1 != 0;
        let mut left = usize::from(chars);
        while left > 0 {
            let width = if wide { 2 } else { 1 };
            let here = (self.data.len() / width).min(left);
            self.data = &self.data[here * width..];
            left -= here;
            if left > 0 {
                if !self.next_part() {
                    return None;
                }
                wide = self.take(1)?[0] & 0x1 != 0;
            }
        }
        self.skip(runs * 4)?;
        self.skip(phonetic)?;
        Some(chars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An SST record body: the two counts, then the strings.
    fn table(strings: &[u8]) -> Vec<u8> {
        [&[0u8; 8][..], strings].concat()
    }

    #[test]
    fn reads_plain_wide_and_rich_strings() {
        let strings = [
            &[2, 0, 0, b'a', b'b'][..],              // "ab", one byte a character
            &[1, 0, 1, b'c', 0],                     // "c", two bytes a character
            &[1, 0, 0x9, 1, 0, b'd', 0, 1, 2, 3, 4], // rich: one run of 4 bytes
            &[3, 0, 0x4, 2, 0, 0, 0, b'e', b'f', b'g', 9, 9], // phonetic data of 2 bytes
        ]
        .concat();
        assert_eq!(lengths(&table(&strings), vec![]), Some(vec![2, 1, 1, 3]));
    }

    #[test]
    fn strings_run_on_into_continue_records() {
        let first = table(&[5, 0, 0, b'a', b'b']);
        // The rest of the string, now two bytes a character, then an empty string.
        let second = [1, b'c', 0, b'd', 0, b'e', 0, 0, 0, 0].to_vec();
        assert_eq!(lengths(&first, vec![&second]), Some(vec![5, 0]));
    }

    #[test]
    fn broken_tables_are_none() {
        assert_eq!(lengths(&[0; 4], vec![]), None);
        assert_eq!(lengths(&table(&[9, 0, 0, b'a']), vec![]), None);
        assert_eq!(
            lengths(&table(&[1, 0, 0x4, 0xFF, 0xFF, 0xFF, 0xFF, b'a']), vec![]),
            None
        );
    }
}
