//! Export files → located raw rows.
//!
//! A file is first decoded into tables of [`Cell`]s (CSV in [`csv`], spreadsheets in
//! [`sheet`]); then [`layout`] finds the header row of each table, maps its columns to
//! roles by [`columns`] synonyms or a configured [`profile`], and turns every data row
//! into a [`RawRow`] whose fields [`value`] has read. Nothing here decides whether a row
//! is a valid attendance record; that is [`crate::records`]' job.

pub mod cell;
pub mod columns;
pub mod csv;
pub mod error;
pub mod layout;
pub mod limits;
pub mod profile;
pub mod raw;
pub mod sheet;
pub mod value;

pub use cell::Cell;
pub use error::FileError;
pub use limits::Limits;
pub use profile::Profile;
pub use raw::{EmployeeRef, RawRow};

/// What a file holds, decided by its first bytes and, for text, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
    Xls,
    Ods,
}

impl FileKind {
    /// Decides the kind from magic bytes first (a renamed file is still read correctly),
    /// then from the file name's extension.
    pub fn detect(name: &str, bytes: &[u8]) -> Option<FileKind> {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if bytes.starts_with(b"PK\x03\x04") {
            return Some(if ext == "ods" || zip_mimetype_is_ods(bytes) {
                FileKind::Ods
            } else {
                FileKind::Xlsx
            });
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Some(FileKind::Xls);
        }
        match ext.as_str() {
            "csv" | "txt" | "tsv" => Some(FileKind::Csv),
            "xlsx" | "xlsm" => Some(FileKind::Xlsx),
            "xls" => Some(FileKind::Xls),
            "ods" => Some(FileKind::Ods),
            _ => None,
        }
    }
}

/// An ODS file stores its media type uncompressed as the first zip entry.
fn zip_mimetype_is_ods(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(128)];
    head.windows(39)
        .any(|w| w == b"application/vnd.oasis.opendocument.spre")
}

/// How to read a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    pub limits: Limits,
    /// A configured column profile; `None`: detect the layout.
    pub profile: Option<&'a Profile>,
}

/// Reads one export file and hands every data row to `sink`, in file order, with the
/// row's cells (so a row that is rejected can be sent back as it was).
pub fn read_file(
    name: &str,
    bytes: &[u8],
    options: &Options,
    sink: &mut dyn FnMut(RawRow, &[Cell]),
) -> Result<(), FileError> {
    let size = bytes.len() as u64;
    if size > options.limits.file_bytes {
        return Err(FileError::TooLarge {
            size,
            limit: options.limits.file_bytes,
        });
    }
    let kind = FileKind::detect(name, bytes).ok_or(FileError::UnknownFormat)?;
    let found = match kind {
        FileKind::Csv => csv::read(bytes, &options.limits, options.profile, sink)?,
        FileKind::Xlsx | FileKind::Xls | FileKind::Ods => {
            let book = sheet::open(bytes, kind, &options.limits)?;
            let mut found = false;
            for s in &book.sheets {
                let mut table = layout::TableReader::new(options.profile, true);
                for (number, cells) in s.rows() {
                    if let Some(row) =
                        table.push(number as usize, || format!("{}!{number}", s.name), &cells)
                    {
                        sink(row, &cells);
                    }
                    if table.gave_up() {
                        break;
                    }
                }
                found |= table.layout().is_some();
            }
            found
        }
    };
    if found {
        Ok(())
    } else {
        Err(FileError::NoTable)
    }
}
