//! Mails (RFC 5322) → the export files they carry.
//!
//! Exports reach the importer in every shape mail clients produce: attached straight by
//! the time clock, forwarded by HR as an attachment (Outlook), forwarded inline with the
//! file re-attached (Gmail), shown inline (Apple Mail), signed. [`read`] finds every named
//! part in all of these and says which ones may be exports; it does not read the files.
//!
//! Every mail is untrusted input. `mailparse` does the MIME work; around it, [`read`]
//! bounds nesting, part count and decoded size ([`MailLimits`]), looks at the raw bytes
//! before parsing so `mailparse` is never handed something that would exhaust the stack
//! or memory (module `scan`), and turns a panic inside the parser into an error. A limit
//! that is hit skips the rest of the mail and is noted in [`Mail::problems`]; only a mail
//! of which nothing can be parsed is an error.

mod export;
mod extract;
mod name;
mod scan;

use std::panic::{AssertUnwindSafe, catch_unwind};

use mailparse::{MailHeaderMap, MailParseError};

pub use name::{FALLBACK_NAME, MAX_SAFE_NAME_CHARS};

/// Bounds on what one mail may cost to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLimits {
    /// Deepest nesting of parts, counting multiparts and forwarded messages alike; the
    /// message itself is level 0. Deeper parts are skipped. Never more than 64, whatever
    /// is set, to keep the stack small.
    pub depth: usize,
    /// Most parts looked at, containers included. The rest is skipped.
    pub parts: usize,
    /// Most bytes decoded from the transfer encoding (base64, quoted-printable), all
    /// parts together. A raw mail larger than this is refused outright.
    pub decoded_bytes: u64,
    /// Largest decoded export kept; a larger one is listed with `oversized` set.
    pub attachment_bytes: u64,
}

impl Default for MailLimits {
    fn default() -> Self {
        MailLimits {
            depth: 16,
            parts: 500,
            decoded_bytes: 100 * 1024 * 1024,
            attachment_bytes: 25 * 1024 * 1024,
        }
    }
}

/// What the importer needs from one mail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mail {
    /// `Message-ID` without the angle brackets, to recognise a mail seen before.
    pub message_id: Option<String>,
    /// The bare address of the `From` header in lower case, to match allowed senders.
    pub from: Option<String>,
    /// The decoded subject, for reports.
    pub subject: Option<String>,
    /// The `Auto-Submitted` header, if any: replies to automatic mail cause mail loops.
    pub auto_submitted: Option<String>,
    /// `References`, to thread the report under the original.
    pub references: Option<String>,
    /// `X-Loop`: set by zeitpost on its own reports.
    pub x_loop: Option<String>,
    /// `Return-Path`; `<>` marks a bounce.
    pub return_path: Option<String>,
    /// `Precedence` (`bulk`, `list`, `junk` are not answered).
    pub precedence: Option<String>,
    /// The top-level media type, lower case (`multipart/report` is a delivery report).
    pub content_type: Option<String>,
    /// Every `Authentication-Results` header, in order.
    pub authentication_results: Vec<String>,
    /// Every named part, depth-first in document order.
    pub attachments: Vec<Attachment>,
    /// What was skipped and why, in English, for the log.
    pub problems: Vec<String>,
}

/// A named part of a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The decoded file name exactly as sent, not sanitised: see [`Attachment::safe_name`].
    pub name: String,
    /// Lower-case media type, e.g. `text/csv`.
    pub content_type: String,
    /// The decoded body. Only filled for exports ([`Attachment::is_export`]) that are
    /// within [`MailLimits::attachment_bytes`]; empty for everything else.
    pub bytes: Vec<u8>,
    /// The export's decoded body was larger than [`MailLimits::attachment_bytes`]; `bytes`
    /// is empty. Never set for parts that are not exports (they are not decoded).
    pub oversized: bool,
}

impl Attachment {
    /// Whether this part may be a time-clock export (CSV, text, Excel, ODS), judged by
    /// the name's extension and the content type. Images, PDFs, signatures, calendar
    /// entries and HTML bodies never are.
    pub fn is_export(&self) -> bool {
        export::is_export(&self.name, &self.content_type)
    }

    /// A form of the name that is safe as a file name and in a log line: last path
    /// component only, no control characters, no leading dots, no `/ \ :`, at most
    /// [`MAX_SAFE_NAME_CHARS`] characters, never empty ([`FALLBACK_NAME`]).
    pub fn safe_name(&self) -> String {
        name::safe_name(&self.name)
    }
}

/// Why a mail could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The message itself cannot be parsed (or the parser gave up on it).
    #[error("mail cannot be read: {0}")]
    Unreadable(String),
    /// The raw mail is larger than all its parts may decode to.
    #[error("mail is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
}

/// Reads a raw mail: its identifying headers and every named part.
///
/// Fails only when nothing can be parsed: `mailparse` rejects the message, the mail is
/// larger than [`MailLimits::decoded_bytes`], or its headers are unreadable. Anything
/// else that goes wrong on the way is listed in [`Mail::problems`].
pub fn read(raw: &[u8], limits: &MailLimits) -> Result<Mail, MailError> {
    let size = raw.len() as u64;
    if size > limits.decoded_bytes {
        return Err(MailError::TooLarge {
            size,
            limit: limits.decoded_bytes,
        });
    }
    match catch_unwind(AssertUnwindSafe(|| read_unguarded(raw, limits))) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(MailError::Unreadable(format!("parser panicked: {what}")))
        }
    }
}

fn read_unguarded(raw: &[u8], limits: &MailLimits) -> Result<Mail, MailError> {
    if let Some(why) = extract::refuse_to_parse(raw, limits) {
        // Headers alone are parsed without recursion, so sender and Message-ID can still
        // be reported.
        let (headers, _) = mailparse::parse_headers(raw).map_err(unreadable)?;
        let mut mail = headers_of(&headers);
        mail.problems
            .push(format!("parts skipped: mail not parsed: {why}"));
        return Ok(mail);
    }
    let parsed = mailparse::parse_mail(raw).map_err(unreadable)?;
    let mut mail = headers_of(&parsed.headers);
    let mut walker = extract::Walker::new(limits);
    walker.walk(&parsed, 0);
    mail.attachments = walker.attachments;
    mail.problems = walker.problems;
    Ok(mail)
}

fn unreadable(e: MailParseError) -> MailError {
    MailError::Unreadable(e.to_string())
}

/// The top-level headers the importer uses.
fn headers_of(headers: &[mailparse::MailHeader<'_>]) -> Mail {
    let text = |key: &str| {
        headers
            .get_first_value(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Mail {
        message_id: text("Message-ID").and_then(|v| strip_angle_brackets(&v)),
        from: headers
            .get_first_header("From")
            .and_then(|header| bare_address(header)),
        subject: text("Subject"),
        auto_submitted: text("Auto-Submitted"),
        references: text("References"),
        x_loop: text("X-Loop"),
        return_path: text("Return-Path"),
        precedence: text("Precedence").map(|v| v.to_lowercase()),
        content_type: text("Content-Type")
            .map(|v| v.split(';').next().unwrap_or("").trim().to_lowercase()),
        authentication_results: headers
            .get_all_values("Authentication-Results")
            .into_iter()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect(),
        ..Mail::default()
    }
}

/// `<abc@host>` → `abc@host`; a value without brackets is taken as it is.
fn strip_angle_brackets(value: &str) -> Option<String> {
    let inner = match (value.find('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => &value[open + 1..close],
        _ => value,
    };
    let inner = inner.trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

/// The first mailbox of a `From` header in lower case. Falls back to the text between
/// `<` and `>` when the header does not parse as an address list.
fn bare_address(header: &mailparse::MailHeader<'_>) -> Option<String> {
    let first = mailparse::addrparse_header(header)
        .ok()
        .and_then(|list| {
            list.iter().find_map(|addr| match addr {
                mailparse::MailAddr::Single(single) => Some(single.addr.clone()),
                mailparse::MailAddr::Group(group) => {
                    group.addrs.first().map(|single| single.addr.clone())
                }
            })
        })
        .or_else(|| {
            let value = header.get_value();
            let open = value.find('<')?;
            let close = open + value[open..].find('>')?;
            Some(value[open + 1..close].to_string())
        })?;
    let first = first.trim().to_lowercase();
    first.contains('@').then_some(first)
}

#[cfg(test)]
mod tests;
