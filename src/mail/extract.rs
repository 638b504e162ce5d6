//! The walk over a parsed message that collects its named parts.
//!
//! `mailparse` splits multiparts but treats a `message/rfc822` part (a mail forwarded as
//! an attachment, as Outlook does it) as an opaque body. Such a part is decoded and parsed
//! here as a message of its own, so the export a terminal sent and HR forwarded is found
//! inside. Every limit is checked while walking: a part over a limit is skipped and
//! noted in `problems`, and the rest of the mail still counts.

use std::panic::{AssertUnwindSafe, catch_unwind};

use mailparse::body::Body;
use mailparse::{MailHeaderMap, ParsedMail};

use super::name::decode_leftover_words;
use super::scan;
use super::{Attachment, MailLimits};

/// Nesting no configuration can lift: multiparts inside forwarded messages inside
/// multiparts... Every level is a stack frame of the walk, so the bound keeps the stack
/// small whatever `MailLimits::depth` says.
pub const HARD_DEPTH: usize = 64;

/// Most distinct boundaries one buffer may declare before `mailparse` is asked to parse
/// it (see [`scan::Shape::boundaries`]). The same as mailparse 0.18's own recursion limit,
/// so the recursion stays bounded even with a release that has none (0.16 had none and
/// overflows the stack a few hundred levels deep). 100 levels take about 400 KiB of
/// stack in a debug build, which fits the 2 MiB of a spawned thread.
pub const MAX_BOUNDARIES: usize = 100;

/// How many times `MailLimits::parts` a buffer may contain delimiter lines before it is
/// not handed to `mailparse` at all (see [`scan::Shape::delimiter_lines`]). Generous,
/// because lines such as `-- ` or `-----Original Message-----` count too; the real part
/// limit is applied while walking.
const DELIMITER_LINES_PER_PART: usize = 20;

/// Why a buffer was not handed to `mailparse`.
pub fn refuse_to_parse(raw: &[u8], limits: &MailLimits) -> Option<String> {
    let shape = scan::shape(raw, MAX_BOUNDARIES);
    if shape.boundaries > MAX_BOUNDARIES {
        return Some(format!(
            "nesting may be too deep (more than {MAX_BOUNDARIES} multipart boundaries)"
        ));
    }
    let max_lines = limits
        .parts
        .saturating_mul(DELIMITER_LINES_PER_PART)
        .max(1000);
    if shape.delimiter_lines > max_lines {
        return Some(format!(
            "more than {max_lines} part delimiter lines (limit {} parts)",
            limits.parts
        ));
    }
    None
}

/// Collects the named parts of one message, depth-first in document order.
pub struct Walker<'l> {
    limits: &'l MailLimits,
    parts: usize,
    decoded: u64,
    stopped: bool,
    pub attachments: Vec<Attachment>,
    pub problems: Vec<String>,
}

impl<'l> Walker<'l> {
    pub fn new(limits: &'l MailLimits) -> Self {
        Walker {
            limits,
            parts: 0,
            decoded: 0,
            stopped: false,
            attachments: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Notes a problem once; the same skip repeated a thousand times says nothing new.
    fn problem(&mut self, text: String) {
        if !self.problems.contains(&text) {
            self.problems.push(text);
        }
    }

    /// The deepest level a part may sit on: the root message is level 0.
    fn max_depth(&self) -> usize {
        self.limits.depth.min(HARD_DEPTH)
    }

    /// Visits `part`, found at nesting level `depth`, and everything below it.
    pub fn walk(&mut self, part: &ParsedMail<'_>, depth: usize) {
        if self.stopped {
            return;
        }
        if depth > self.max_depth() {
            self.problem(format!(
                "part skipped: nesting deeper than {}",
                self.max_depth()
            ));
            return;
        }
        self.parts += 1;
        if self.parts > self.limits.parts {
            self.problem(format!(
                "parts skipped: more than {} parts",
                self.limits.parts
            ));
            self.stopped = true;
            return;
        }

        let name = match catch_unwind(AssertUnwindSafe(|| part_name(part))) {
            Ok(name) => name,
            Err(_) => {
                self.problem("part skipped: its headers could not be read".to_string());
                return;
            }
        };
        if let Some(name) = name {
            self.attachment(part, name);
            if self.stopped {
                return;
            }
        }

        if is_message(&part.ctype.mimetype) {
            self.forwarded(part, depth);
        } else {
            for sub in &part.subparts {
                self.walk(sub, depth + 1);
            }
        }
    }

    /// Records a named part. Only exports are decoded and kept; the size of anything
    /// else does not matter to the importer.
    fn attachment(&mut self, part: &ParsedMail<'_>, name: String) {
        let content_type = part.ctype.mimetype.clone();
        let mut attachment = Attachment {
            name,
            content_type,
            bytes: Vec::new(),
            oversized: false,
        };
        if attachment.is_export() {
            match part.get_body_raw() {
                Ok(bytes) => {
                    let size = bytes.len() as u64;
                    if !self.charge(size) {
                        return;
                    }
                    if size > self.limits.attachment_bytes {
                        attachment.oversized = true;
                        self.problem(format!(
                            "attachment {:?} not kept: {size} bytes, more than {}",
                            attachment.name, self.limits.attachment_bytes
                        ));
                    } else {
                        attachment.bytes = bytes;
                    }
                }
                Err(e) => self.problem(format!(
                    "attachment {:?}: body cannot be decoded: {e}",
                    attachment.name
                )),
            }
        }
        self.attachments.push(attachment);
    }

    /// Adds `size` decoded bytes to the total. Past the limit, stops the walk and returns
    /// false: the part that crossed it is dropped.
    fn charge(&mut self, size: u64) -> bool {
        self.decoded = self.decoded.saturating_add(size);
        if self.decoded > self.limits.decoded_bytes {
            self.problem(format!(
                "parts skipped: more than {} bytes decoded",
                self.limits.decoded_bytes
            ));
            self.stopped = true;
            return false;
        }
        true
    }

    /// Parses the body of a `message/rfc822` part and walks it one level deeper.
    fn forwarded(&mut self, part: &ParsedMail<'_>, depth: usize) {
        if depth + 1 > self.max_depth() {
            self.problem(format!(
                "part skipped: nesting deeper than {}",
                self.max_depth()
            ));
            return;
        }
        let decoded;
        let raw: &[u8] = match part.get_body_encoded() {
            Body::Base64(body) | Body::QuotedPrintable(body) => match body.get_decoded() {
                Ok(bytes) => {
                    if !self.charge(bytes.len() as u64) {
                        return;
                    }
                    decoded = bytes;
                    &decoded
                }
                Err(e) => {
                    self.problem(format!(
                        "forwarded message skipped: body cannot be decoded: {e}"
                    ));
                    return;
                }
            },
            Body::SevenBit(body) | Body::EightBit(body) => body.get_raw(),
            Body::Binary(body) => body.get_raw(),
        };
        if raw.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if let Some(why) = refuse_to_parse(raw, self.limits) {
            self.problem(format!("forwarded message skipped: {why}"));
            return;
        }
        match catch_unwind(|| mailparse::parse_mail(raw)) {
            Ok(Ok(inner)) => self.walk(&inner, depth + 1),
            Ok(Err(e)) => self.problem(format!("forwarded message skipped: {e}")),
            Err(_) => self.problem("forwarded message skipped: parser panicked".to_string()),
        }
    }
}

/// Whether a part holds a whole message that should be looked into.
fn is_message(mimetype: &str) -> bool {
    matches!(mimetype, "message/rfc822" | "message/global")
}

/// The decoded file name of a part: Content-Disposition `filename`, else Content-Type
/// `name`. `mailparse` has already undone RFC 2231 and quoted encoded words.
fn part_name(part: &ParsedMail<'_>) -> Option<String> {
    let from_disposition = part
        .headers
        .get_first_value("Content-Disposition")
        .and_then(|value| {
            mailparse::parse_content_disposition(&value)
                .params
                .remove("filename")
        });
    let raw = from_disposition.or_else(|| part.ctype.params.get("name").cloned())?;
    Some(decode_leftover_words(&raw))
}
