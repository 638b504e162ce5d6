//! Spreadsheets (xlsx, xls, ods) through calamine.
//!
//! A spreadsheet is a few kilobytes that can ask for gigabytes: a zip entry that inflates
//! a thousandfold, an ODS row repeated a billion times, an xls whose header promises four
//! billion rows, a 64k-character text that ten-byte cells copy over and over. calamine
//! allocates what the file asks for, and a failed allocation aborts the whole daemon (it
//! is not a panic that could be caught). So every file is measured before calamine
//! sees it, the way calamine will read it:
//!
//! - zip containers (xlsx, ods) are inflated once into a counting sink (`inflate`);
//!   on the way, the ODS tables (`ods_scan`) and the xlsx shared strings
//!   (`strings_scan`) are measured with a tag reader that sees markup as calamine's
//!   XML parser does (`xml`);
//! - xls compound files are walked sector by sector (`cfb`), their records measured
//!   (`biff`) along with the shared string table (`sst`);
//! - xlsx sheets are read cell by cell (`read`) instead of as one rectangle, since a
//!   single cell at `XFD1048576` would make that rectangle 17 billion cells.
//!
//! Rows, cells and text handed out are held to [`Limits`] and [`MAX_CELLS`].
//! Whatever still goes wrong inside calamine, a panic included, becomes a
//! [`FileError`] for this file alone.

mod biff;
mod cfb;
mod convert;
mod inflate;
mod ods_scan;
mod read;
mod sst;
mod strings_scan;
mod xml;

use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::Data;

use super::FileKind;
use super::cell::Cell;
use super::error::FileError;
use super::limits::Limits;

use convert::cell;

/// Most cells one workbook may hold, counted as the rectangle calamine fills in or, for
/// the rows handed out here, from column A to each row's last cell. 2^23 cells of 32
/// bytes are 256 MiB; a real time-clock export has a few thousand.
pub const MAX_CELLS: u64 = 1 << 23;

/// The sheets of one workbook, each a grid of cells.
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}

/// One sheet: its name as its tab shows it, and its rows.
pub struct Sheet {
    pub name: String,
    /// Rows holding at least one cell, in order; all-empty rows are left out.
    rows: Vec<Row>,
}

/// One row, stored from column A so that column indexes are the spreadsheet's.
struct Row {
    /// 1-based, as the spreadsheet program shows it.
    number: u32,
    cells: Vec<Data>,
}

impl Sheet {
    /// Every row that holds something, with its 1-based row number as the spreadsheet
    /// program shows it; cells start at column A. Empty rows are skipped: the row
    /// numbers stay exact, so nothing a report could point at is lost.
    pub fn rows(&self) -> impl Iterator<Item = (u32, Vec<Cell<'_>>)> + '_ {
        self.rows
            .iter()
            .map(|row| (row.number, row.cells.iter().map(cell).collect()))
    }
}

/// Opens a workbook held in memory. `kind` must be one of the spreadsheet kinds; a zip
/// container is read as xlsx or ods by what it holds, whatever its name said. A panic
/// inside calamine (earlier versions had some on broken `.xls` files) becomes
/// [`FileError::Corrupt`] for this file alone.
pub fn open(bytes: &[u8], kind: FileKind, limits: &Limits) -> Result<Workbook, FileError> {
    match catch_unwind(AssertUnwindSafe(|| open_guarded(bytes, kind, limits))) {
        Ok(result) => result,
        Err(_) => Err(FileError::Corrupt(
            "the spreadsheet reader failed on this file".into(),
        )),
    }
}

fn open_guarded(bytes: &[u8], kind: FileKind, limits: &Limits) -> Result<Workbook, FileError> {
    let mut budget = Budget::new(limits);
    let sheets = match kind {
        FileKind::Csv => return Err(FileError::UnknownFormat),
        FileKind::Xls => {
            let stream = cfb::workbook_stream(bytes)?;
            biff::check(&stream, limits)?;
            read::xls(bytes, &mut budget)?
        }
        FileKind::Xlsx | FileKind::Ods => match inflate::check(bytes, limits)? {
            inflate::Package::Ods => read::ods(bytes, &mut budget)?,
            inflate::Package::Xlsx => read::xlsx(bytes, &mut budget)?,
            inflate::Package::Unknown if kind == FileKind::Ods => read::ods(bytes, &mut budget)?,
            inflate::Package::Unknown => read::xlsx(bytes, &mut budget)?,
        },
    };
    Ok(Workbook { sheets })
}

/// What is left of the limits while a workbook is read: rows, cells, and bytes of text
/// (held to what the file may inflate to, as text cells can repeat a shared string).
struct Budget {
    row_limit: u64,
    rows_left: u64,
    cells_left: u64,
    text_limit: u64,
    text_left: u64,
}

impl Budget {
    fn new(limits: &Limits) -> Self {
        Budget {
            row_limit: limits.rows,
            rows_left: limits.rows,
            cells_left: MAX_CELLS,
            text_limit: limits.inflated_bytes,
            text_left: limits.inflated_bytes,
        }
    }

    /// Accounts for one stored row `width` cells wide (from column A).
    fn take_row(&mut self, width: u64) -> Result<(), FileError> {
        self.rows_left = self
            .rows_left
            .checked_sub(1)
            .ok_or(FileError::TooManyRows {
                limit: self.row_limit,
            })?;
        self.take_cells(width)
    }

    /// Accounts for the text of a cell about to be kept.
    fn take_text(&mut self, value: &Data) -> Result<(), FileError> {
        let len = match value {
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.len() as u64,
            _ => return Ok(()),
        };
        self.text_left = self
            .text_left
            .checked_sub(len)
            .ok_or(FileError::InflatesTooLarge {
                limit: self.text_limit,
            })?;
        Ok(())
    }

    /// Accounts for `n` cells about to be held in memory.
    fn take_cells(&mut self, n: u64) -> Result<(), FileError> {
        self.cells_left = self.cells_left.checked_sub(n).ok_or_else(too_many_cells)?;
        Ok(())
    }
}

fn too_many_cells() -> FileError {
    FileError::Corrupt(format!("the workbook asks for more than {MAX_CELLS} cells"))
}

/// A calamine error in a few English words: its first line, cut at 160 characters.
fn detail(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(160) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests;
