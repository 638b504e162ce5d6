//! A streaming XML tag reader for measuring zipped parts before calamine parses them.
//!
//! It finds tags the way calamine's XML parser (quick-xml) does — a `>` inside a quoted
//! attribute value does not end a tag, comments end at the first `-->` after `<!--`,
//! CDATA at the first `]]>`, processing instructions at the first `?>` after `<?` — so
//! that markup cannot be hidden from the measurement. Anything else starting with `<!`
//! (a `<!DOCTYPE`) fails: no spreadsheet part needs one.

/// Longest tag kept whole; a longer one is handed on cut short, marked [`Tag::cut`].
const MAX_TAG: usize = 64 * 1024;

/// One start, end or empty-element tag.
pub struct Tag<'a> {
    pub closing: bool,
    /// `<x/>`: a start tag that is also its own end.
    pub empty: bool,
    /// The qualified name, prefix included.
    pub name: &'a [u8],
    /// Everything after the name.
    pub attrs: &'a [u8],
    /// The tag was longer than what is kept; `attrs` misses its end.
    pub cut: bool,
}

impl Tag<'_> {
    /// The name without its namespace prefix.
    pub fn local_name(&self) -> &[u8] {
        match self.name.iter().rposition(|b| *b == b':') {
            Some(colon) => &self.name[colon + 1..],
            None => self.name,
        }
    }
}

/// What is told about the document as it is read.
pub trait Handler {
    fn tag(&mut self, tag: &Tag);
    /// `len` bytes of character data between tags (entities not resolved).
    fn text(&mut self, _len: usize) {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    Tag,
    Comment,
    CData,
    Pi,
}

pub struct Lexer {
    state: State,
    tag: Vec<u8>,
    quote: Option<u8>,
    cut: bool,
    /// The last two bytes inside a comment, CDATA section or processing instruction.
    recent: [u8; 2],
    /// Set once the input cannot be measured; nothing more is reported.
    pub error: Option<&'static str>,
}

impl Lexer {
    pub fn new() -> Self {
        Lexer {
            state: State::Text,
            tag: Vec::new(),
            quote: None,
            cut: false,
            recent: [0; 2],
            error: None,
        }
    }

    /// Reads on, telling `handler` about every complete tag and run of text.
    pub fn feed(&mut self, bytes: &[u8], handler: &mut impl Handler) {
        let mut text = 0;
        for &b in bytes {
            if self.error.is_some() {
                return;
            }
            match self.state {
                State::Text if b == b'<' => {
                    if text > 0 {
                        handler.text(text);
                        text = 0;
                    }
                    self.state = State::Tag;
                    self.tag.clear();
                    self.quote = None;
                    self.cut = false;
                }
                State::Text => text += 1,
                State::Tag => self.tag_byte(b, handler),
                State::Comment => self.until(b, b"--"),
                State::CData => self.until(b, b"]]"),
                State::Pi => self.until(b, b"?"),
            }
        }
        if text > 0 {
            handler.text(text);
        }
    }

    /// Ends a comment, CDATA section or processing instruction at `>` after `before`.
    fn until(&mut self, b: u8, before: &[u8]) {
        if b == b'>' && self.recent.ends_with(before) {
            self.state = State::Text;
        }
        self.recent = [self.recent[1], b];
    }

    fn enter(&mut self, state: State) {
        self.state = state;
        self.recent = [0; 2];
    }

    fn tag_byte(&mut self, b: u8, handler: &mut impl Handler) {
        if self.tag.first() == Some(&b'!') || (self.tag.is_empty() && b == b'!') {
            self.tag.push(b);
            if self.tag == b"!--" {
                self.enter(State::Comment);
            } else if self.tag == b"![CDATA[" {
                self.enter(State::CData);
            } else if !(b"!--".starts_with(&self.tag) || b"![CDATA[".starts_with(&self.tag)) {
                self.error = Some("an XML declaration that cannot be measured");
            }
            return;
        }
        if self.tag.is_empty() && b == b'?' {
            self.enter(State::Pi);
            return;
        }
        match self.quote {
            None if b == b'>' => {
                self.state = State::Text;
                self.emit(handler);
                return;
            }
            None if b == b'"' || b == b'\'' => self.quote = Some(b),
            Some(q) if q == b => self.quote = None,
            _ => {}
        }
        if self.tag.len() < MAX_TAG {
            self.tag.push(b);
        } else {
            self.cut = true;
        }
    }

    fn emit(&self, handler: &mut impl Handler) {
        let (closing, body) = match self.tag.strip_prefix(b"/") {
            Some(rest) => (true, rest),
            None => (false, &self.tag[..]),
        };
        let name_end = body
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(body.len());
        handler.tag(&Tag {
            closing,
            empty: !closing && body.ends_with(b"/"),
            name: &body[..name_end],
            attrs: &body[name_end..],
            cut: self.cut,
        });
    }
}

/// The first value of attribute `key`, raw.
pub fn attribute<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    attributes(attrs).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// `key="value"` pairs in order; stops at the first malformed one.
pub fn attributes(mut rest: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        let start = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != b'/')?;
        rest = &rest[start..];
        let eq = rest.iter().position(|b| *b == b'=')?;
        let key = rest[..eq].trim_ascii_end();
        let after = rest[eq + 1..].trim_ascii_start();
        let quote = *after.first().filter(|q| **q == b'"' || **q == b'\'')?;
        let len = after[1..]
            .iter()
            .position(|b| *b == quote)
            .unwrap_or(after.len() - 1);
        let value = &after[1..1 + len];
        rest = after.get(len + 2..).unwrap_or_default();
        Some((key, value))
    })
}

/// XML's five named entities and numeric character references resolved.
pub fn unescape(raw: &[u8]) -> Option<String> {
    let raw = std::str::from_utf8(raw).ok()?;
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';')? + amp;
        let entity = &rest[amp + 1..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity.strip_prefix("#x") {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => entity.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tags as `name`, `/name` or `name/`, and text as its length.
    #[derive(Default)]
    struct Found(Vec<String>);

    impl Handler for Found {
        fn tag(&mut self, t: &Tag) {
            let name = String::from_utf8_lossy(t.name);
            self.0.push(match (t.closing, t.empty) {
                (true, _) => format!("/{name}"),
                (_, true) => format!("{name}/"),
                _ => name.to_string(),
            });
        }

        fn text(&mut self, len: usize) {
            match self.0.last_mut() {
                Some(last) if last.starts_with('#') => {
                    let before: usize = last[1..].parse().unwrap();
                    *last = format!("#{}", before + len);
                }
                _ => self.0.push(format!("#{len}")),
            }
        }
    }

    /// What is found, fed one byte at a time.
    fn tags(xml: &str) -> Result<Vec<String>, &'static str> {
        let mut lexer = Lexer::new();
        let mut found = Found::default();
        for b in xml.as_bytes() {
            lexer.feed(std::slice::from_ref(b), &mut found);
        }
        lexer.error.map_or(Ok(found.0), Err)
    }

    #[test]
    fn finds_tags_as_quick_xml_does() {
        assert_eq!(
            tags("<?xml version='1.0'?><a x='>' y=\"'\"><b/>text<!-- <c> --></a>").unwrap(),
            ["a", "b/", "#4", "/a"]
        );
        // `<!--->` and `<?>` are not closed yet; `<!---->` is.
        assert_eq!(tags("<!---><x/>--><?><y/>?><!----><z/>").unwrap(), ["z/"]);
        assert_eq!(tags("<![CDATA[]><a>]]><b/>").unwrap(), ["b/"]);
        assert!(tags("<!DOCTYPE a><a/>").is_err());
    }

    #[test]
    fn attributes_and_entities() {
        let attrs = b" a=\"1\" b = '2' a=\"3\"/";
        assert_eq!(attribute(attrs, b"a"), Some(&b"1"[..]));
        assert_eq!(attribute(attrs, b"b"), Some(&b"2"[..]));
        assert_eq!(unescape(b"&#49;&#x30;&lt;&amp;").as_deref(), Some("10<&"));
        assert_eq!(unescape(b"&bogus;"), None);
    }
}
