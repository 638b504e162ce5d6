//! calamine's readers → [`Sheet`]s, within the row and cell budget.
//!
//! xlsx sheets are streamed cell by cell and only the cells that hold something are
//! kept; xls and ods are decoded by calamine as a whole when opened (after the checks
//! in [`super::biff`] and [`super::ods_scan`]) and their rectangles are cut down to the
//! rows that hold something. A sheet that cannot be read is skipped as long as another
//! one can; chart sheets and macro modules have no cells and are left out.

use std::io::Cursor;

use calamine::{Data, Ods, OdsError, Range, Reader, SheetType, Xls, XlsError, Xlsx, XlsxError};

use super::{Budget, Row, Sheet, detail};
use crate::parse::error::FileError;

type Bytes<'b> = Cursor<&'b [u8]>;

/// A cell that holds something: row, column (both from 0) and value.
type Placed = (u32, u32, Data);

pub fn xlsx(bytes: &[u8], budget: &mut Budget) -> Result<Vec<Sheet>, FileError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_error(&e))?;
    let mut reads = Reads::default();
    for name in sheet_names(&book) {
        match xlsx_cells(&mut book, &name, budget) {
            Ok(Some(cells)) => reads.sheets.push(from_cells(name, cells, budget)?),
            Ok(None) => {}
            Err(Failure::File(e)) => return Err(e),
            Err(Failure::Sheet(e)) => reads.failed(e),
        }
    }
    reads.finish()
}

pub fn xls(bytes: &[u8], budget: &mut Budget) -> Result<Vec<Sheet>, FileError> {
    let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsError::Password => FileError::Encrypted,
        e => FileError::Corrupt(detail(&e)),
    })?;
    from_ranges(&mut book, budget)
}

pub fn ods(bytes: &[u8], budget: &mut Budget) -> Result<Vec<Sheet>, FileError> {
    let mut book = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        OdsError::Password => FileError::Encrypted,
        e => FileError::Corrupt(detail(&e)),
    })?;
    from_ranges(&mut book, budget)
}

/// The sheets worth reading, each name once, in workbook order.
fn sheet_names<'b, R: Reader<Bytes<'b>>>(book: &R) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for sheet in book.sheets_metadata() {
        let cells = matches!(sheet.typ, SheetType::WorkSheet | SheetType::MacroSheet);
        if cells && !names.contains(&sheet.name) {
            names.push(sheet.name.clone());
        }
    }
    names
}

/// Sheets read so far and the first reason one could not be.
#[derive(Default)]
struct Reads {
    sheets: Vec<Sheet>,
    first_failure: Option<FileError>,
}

impl Reads {
    fn failed(&mut self, error: FileError) {
        self.first_failure.get_or_insert(error);
    }

    fn finish(self) -> Result<Vec<Sheet>, FileError> {
        match self.first_failure {
            Some(error) if self.sheets.is_empty() => Err(error),
            _ => Ok(self.sheets),
        }
    }
}

enum Failure {
    /// The whole file is refused (a limit).
    File(FileError),
    /// Only this sheet is unreadable.
    Sheet(FileError),
}

fn xlsx_error(e: &XlsxError) -> FileError {
    match e {
        XlsxError::Password => FileError::Encrypted,
        e => FileError::Corrupt(detail(e)),
    }
}

/// The cells of one xlsx sheet that hold something, as (row, column, value);
/// `None` for a sheet that turns out to be a chart or dialog.
fn xlsx_cells(
    book: &mut Xlsx<Bytes<'_>>,
    name: &str,
    budget: &mut Budget,
) -> Result<Option<Vec<Placed>>, Failure> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(None),
        Err(e) => return Err(Failure::Sheet(xlsx_error(&e))),
    };
    let mut cells = Vec::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| Failure::Sheet(xlsx_error(&e)))?
    {
        if *cell.get_value() == calamine::DataRef::Empty {
            continue;
        }
        // A shared string is copied into every cell that uses it; count the copies.
        let value = Data::from(cell.get_value().clone());
        budget.take_text(&value).map_err(Failure::File)?;
        // Each kept cell takes at least one cell of the budget; stop before it runs out.
        if cells.len() as u64 >= budget.cells_left {
            return Err(Failure::File(super::too_many_cells()));
        }
        let (row, col) = cell.get_position();
        cells.push((row, col, value));
    }
    Ok(Some(cells))
}

/// Rows from scattered cells; a cell given twice keeps its last value.
fn from_cells(
    name: String,
    mut cells: Vec<Placed>,
    budget: &mut Budget,
) -> Result<Sheet, FileError> {
    cells.sort_by_key(|(row, col, _)| (*row, *col));
    let mut rows: Vec<Row> = Vec::new();
    let mut rest = cells.as_mut_slice();
    while let Some(&(row, ..)) = rest.first() {
        let len = rest.iter().take_while(|(r, ..)| *r == row).count();
        let (line, tail) = rest.split_at_mut(len);
        let width = u64::from(line[len - 1].1) + 1;
        budget.take_row(width)?;
        let mut values = vec![Data::Empty; width as usize];
        for (_, col, value) in line.iter_mut() {
            values[*col as usize] = std::mem::take(value);
        }
        rows.push(Row {
            number: row + 1,
            cells: values,
        });
        rest = tail;
    }
    Ok(Sheet { name, rows })
}

/// Every sheet of a workbook calamine has already decoded.
fn from_ranges<'b, R>(book: &mut R, budget: &mut Budget) -> Result<Vec<Sheet>, FileError>
where
    R: Reader<Bytes<'b>>,
    R::Error: std::fmt::Display,
{
    let mut reads = Reads::default();
    for name in sheet_names(book) {
        match book.worksheet_range(&name) {
            Ok(range) => reads.sheets.push(from_range(name, range, budget)?),
            Err(e) => reads.failed(FileError::Corrupt(detail(&e))),
        }
    }
    reads.finish()
}

/// The rows of a rectangle that hold something, each from column A to its last cell.
/// calamine hands out a copy of its rectangle, so the cells are moved out of it rather
/// than copied once more.
fn from_range(
    name: String,
    mut range: Range<Data>,
    budget: &mut Budget,
) -> Result<Sheet, FileError> {
    let Some((first_row, first_col)) = range.start() else {
        return Ok(Sheet {
            name,
            rows: Vec::new(),
        });
    };
    let mut rows = Vec::new();
    for i in 0..range.height() {
        let line = &mut range[i];
        let Some(last) = line.iter().rposition(|c| *c != Data::Empty) else {
            continue;
        };
        let width = u64::from(first_col) + last as u64 + 1;
        budget.take_row(width)?;
        let mut cells = Vec::with_capacity(width as usize);
        cells.resize(first_col as usize, Data::Empty);
        for value in &mut line[..=last] {
            budget.take_text(value)?;
            cells.push(std::mem::take(value));
        }
        rows.push(Row {
            number: first_row + i as u32 + 1,
            cells,
        });
    }
    Ok(Sheet { name, rows })
}
