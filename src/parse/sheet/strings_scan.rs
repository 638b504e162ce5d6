//! Measures an xlsx shared-strings part before calamine reads it.
//!
//! calamine makes room for as many strings as `<sst uniqueCount="…">` announces before
//! it reads the first one: a few hundred bytes announcing 10^14 strings are an
//! allocation of petabytes, which aborts the process. The announced count and the
//! strings actually present (`<si>`) must both stay within [`MAX_CELLS`].

use crate::parse::error::FileError;

use super::MAX_CELLS;
use super::xml::{Handler, Lexer, Tag, attribute};

pub struct StringsScan {
    lexer: Lexer,
    count: Count,
}

#[derive(Default)]
struct Count {
    announced: u64,
    present: u64,
    error: Option<&'static str>,
}

impl StringsScan {
    pub fn new() -> Self {
        StringsScan {
            lexer: Lexer::new(),
            count: Count::default(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.lexer.feed(bytes, &mut self.count);
    }

    /// Decides once the whole part went through [`StringsScan::feed`].
    pub fn finish(&self) -> Result<(), FileError> {
        if let Some(what) = self.lexer.error.or(self.count.error) {
            return Err(FileError::Corrupt(format!("{what} in the shared strings")));
        }
        if self.count.announced.max(self.count.present) > MAX_CELLS {
            return Err(FileError::Corrupt(format!(
                "the workbook has more than {MAX_CELLS} different texts"
            )));
        }
        Ok(())
    }
}

impl Handler for Count {
    fn tag(&mut self, tag: &Tag) {
        if tag.closing {
            return;
        }
        match tag.local_name() {
            b"si" => self.present += 1,
            b"sst" if tag.cut => self.error = Some("an oversized tag"),
            b"sst" => match attribute(tag.attrs, b"uniqueCount") {
                Some(raw) if raw.iter().all(u8::is_ascii_digit) => {
                    let n = std::str::from_utf8(raw)
                        .ok()
                        .and_then(|digits| digits.parse::<u64>().ok())
                        .unwrap_or(if raw.is_empty() { 0 } else { u64::MAX });
                    self.announced = self.announced.max(n);
                }
                // A count calamine might read otherwise than digits say.
                Some(_) => self.error = Some("an unreadable string count"),
                None => {}
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str) -> Result<(), FileError> {
        let mut scan = StringsScan::new();
        scan.feed(xml.as_bytes());
        scan.finish()
    }

    #[test]
    fn announced_counts_are_bounded() {
        assert!(scan("<sst uniqueCount=\"2\"><si><t>a</t></si><si/></sst>").is_ok());
        assert!(scan("<x:sst count=\"1\"><x:si><x:t>a</x:t></x:si></x:sst>").is_ok());
        for bomb in [
            "<sst uniqueCount=\"100000000000000\"/>",
            "<x:sst uniqueCount=\"99999999999999999999999\"/>",
            "<sst uniqueCount=\"+100000000000000\"/>",
            "<sst uniqueCount=\"&#49;00000000000000\"/>",
        ] {
            assert!(matches!(scan(bomb), Err(FileError::Corrupt(_))), "{bomb}");
        }
    }
}
