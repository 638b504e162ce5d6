//! Zip bombs: a zipped spreadsheet is inflated once, into nothing, before it is read.
//!
//! The sizes in a zip's central directory are the sender's claim; a deflate stream can
//! expand a thousandfold. So every entry is streamed through a sink that only counts,
//! and the file is refused as soon as the running total passes
//! [`Limits::inflated_bytes`]. The parts whose few bytes can make calamine allocate
//! without bound are measured on the same pass: the ODS tables ([`OdsScan`]), where a
//! row repeated a billion times costs nothing to inflate, and the xlsx shared strings
//! ([`StringsScan`]).

use std::io::{self, Cursor, Write};

use zip::ZipArchive;
use zip::result::ZipError;

use super::detail;
use super::ods_scan::OdsScan;
use super::strings_scan::StringsScan;
use crate::parse::error::FileError;
use crate::parse::limits::Limits;

/// More parts than any real workbook has (one per sheet, image, style …).
pub const MAX_ENTRIES: usize = 10_000;

/// The manifest is read whole to look for encryption; real ones are a few kB.
const MAX_MANIFEST: usize = 1 << 20;

/// What the zip container holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    Xlsx,
    Ods,
    Unknown,
}

/// Inflates every entry of the zip in `bytes` without keeping it; refuses the file when
/// the entries inflate to more than the limit, when there are too many of them, or when
/// an ODS table or the xlsx shared strings ask for more than calamine may allocate.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<Package, FileError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error(&e))?;
    if zip.len() > MAX_ENTRIES {
        return Err(FileError::Corrupt(format!(
            "the zip container has {} parts, more than {MAX_ENTRIES}",
            zip.len()
        )));
    }
    let too_large = FileError::InflatesTooLarge {
        limit: limits.inflated_bytes,
    };
    // An honest directory that already says too much saves the work of inflating.
    if zip
        .decompressed_size()
        .is_some_and(|size| size > u128::from(limits.inflated_bytes))
    {
        return Err(too_large);
    }
    let package = package(&zip);
    let mut meter = Meter {
        used: 0,
        limit: limits.inflated_bytes,
    };
    let mut scan = OdsScan::new();
    let mut manifest = Vec::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| zip_error(&e))?;
        let name = String::from_utf8_lossy(entry.name_raw()).replace('\\', "/");
        let mut strings = None;
        let copied = if name == "content.xml" {
            io::copy(&mut entry, &mut Tee(&mut meter, &mut |b| scan.feed(b)))
        } else if name == "META-INF/manifest.xml" {
            let keep = &mut manifest;
            io::copy(
                &mut entry,
                &mut Tee(&mut meter, &mut |b| keep_head(keep, b)),
            )
        } else if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            // calamine finds this part by a path of the workbook's choosing, ignoring case.
            let scan = strings.insert(StringsScan::new());
            io::copy(&mut entry, &mut Tee(&mut meter, &mut |b| scan.feed(b)))
        } else {
            io::copy(&mut entry, &mut Tee(&mut meter, &mut |_| {}))
        };
        if let Err(e) = copied {
            return Err(if meter.used > meter.limit {
                too_large
            } else {
                FileError::Corrupt(format!("zip entry cannot be inflated: {}", detail(&e)))
            });
        }
        if let Some(scan) = strings {
            scan.finish()?;
        }
    }
    // An encrypted ODS has an unreadable content.xml; say why rather than what.
    if contains(&manifest, b"manifest:encryption-data") {
        return Err(FileError::Encrypted);
    }
    scan.finish(limits)?;
    Ok(package)
}

fn package<R: io::Read + io::Seek>(zip: &ZipArchive<R>) -> Package {
    if zip.file_names_raw().any(|n| n == b"[Content_Types].xml") {
        Package::Xlsx
    } else if zip.file_names_raw().any(|n| n == b"content.xml") {
        Package::Ods
    } else {
        Package::Unknown
    }
}

fn zip_error(e: &ZipError) -> FileError {
    match e {
        ZipError::UnsupportedArchive(msg) if *msg == ZipError::PASSWORD_REQUIRED => {
            FileError::Encrypted
        }
        _ => FileError::Corrupt(format!("not a readable zip container: {}", detail(e))),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Counts inflated bytes over all entries and fails the write that passes the limit.
struct Meter {
    used: u64,
    limit: u64,
}

/// The start of the manifest, kept to look for encryption.
fn keep_head(keep: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_MANIFEST.saturating_sub(keep.len());
    keep.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// One entry's destination: the meter, then whatever measures or keeps the entry.
struct Tee<'a>(&'a mut Meter, &'a mut dyn FnMut(&[u8]));

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let meter = &mut *self.0;
        meter.used = meter.used.saturating_add(buf.len() as u64);
        if meter.used > meter.limit {
            return Err(io::Error::other("inflate limit reached"));
        }
        (self.1)(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use zip::write::{SimpleFileOptions, ZipWriter};

    use super::*;

    fn zip_of(entries: &[(&str, &[u8], usize)]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, chunk, times) in entries {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            for _ in 0..*times {
                zip.write_all(chunk).unwrap();
            }
        }
        zip.finish().unwrap().into_inner()
    }

    fn limits(inflated_bytes: u64) -> Limits {
        Limits {
            inflated_bytes,
            ..Limits::default()
        }
    }

    #[test]
    fn entries_within_the_limit_pass() {
        let bytes = zip_of(&[
            ("[Content_Types].xml", b"<Types/>", 1),
            ("a", &[0; 1024], 10),
        ]);
        assert_eq!(check(&bytes, &limits(20_000)), Ok(Package::Xlsx));
        assert_eq!(
            check(&bytes, &limits(5_000)),
            Err(FileError::InflatesTooLarge { limit: 5_000 })
        );
    }

    #[test]
    fn too_many_entries_are_refused() {
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("e{i}")).collect();
        let entries: Vec<(&str, &[u8], usize)> =
            names.iter().map(|n| (n.as_str(), &b""[..], 0)).collect();
        let bytes = zip_of(&entries);
        assert!(matches!(
            check(&bytes, &limits(1 << 20)),
            Err(FileError::Corrupt(_))
        ));
    }

    #[test]
    fn not_a_zip_is_corrupt() {
        assert!(matches!(
            check(b"PK\x03\x04 nonsense", &limits(1 << 20)),
            Err(FileError::Corrupt(_))
        ));
    }
}
