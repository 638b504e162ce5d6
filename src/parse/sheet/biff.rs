//! Measures the records of an `.xls` workbook stream before calamine decodes it.
//!
//! calamine decodes every sheet of an `.xls` when the file is opened and sizes its
//! buffers from what the records say: a DIMENSIONS record reserves rows × columns
//! cells up front (rows are 32-bit there, so one record can ask for 2^48 cells), and
//! each sheet becomes a rectangle spanning its outermost cells. A failed allocation of
//! that size aborts the process, so the same records are read here first, the way
//! calamine walks them, and a workbook whose rectangles add up to more than
//! [`MAX_CELLS`] is refused. Text cells are copies of an entry of the shared string
//! table, so a ten-byte record can stand for a 64k-character string; their text is
//! added up too ([`sst`]) and held to [`Limits::inflated_bytes`].

use crate::parse::error::FileError;
use crate::parse::limits::Limits;

use super::sst::{self, UTF8_BYTES_PER_CHAR};
use super::{MAX_CELLS, too_many_cells};

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILE_PASS: u16 = 0x002F;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const FORMULA: u16 = 0x0006;
const MUL_RK: u16 = 0x00BD;
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
const LABEL_SST: u16 = 0x00FD;
/// Records calamine turns into one cell each: NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST.
const CELL_RECORDS: [u16; 6] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD];

/// Refuses an encrypted workbook and one whose sheets ask for too many cells or too
/// much text.
pub fn check(stream: &[u8], limits: &Limits) -> Result<(), FileError> {
    let mut sheets = Vec::new();
    let mut strings = Vec::new();
    for record in records(stream) {
        let data = record.data;
        match record.typ {
            FILE_PASS if data.len() >= 2 && data[..2] != [0, 0] => {
                return Err(FileError::Encrypted);
            }
            BOUND_SHEET if data.len() >= 4 => {
                sheets.push(u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize);
            }
            SST => match sst::lengths(data, continues(record.rest)) {
                Some(lengths) => strings = lengths,
                None => return Ok(()), // calamine refuses the file itself
            },
            EOF => break,
            _ => {}
        }
    }
    let mut cells: u64 = 0;
    let mut text: u64 = 0;
    for position in sheets {
        let Some(sheet) = stream.get(position..) else {
            break; // calamine gives up on the file here
        };
        let cost = sheet_cost(sheet, &strings);
        cells = cells.saturating_add(cost.cells);
        text = text.saturating_add(cost.text);
        if cells > MAX_CELLS {
            return Err(too_many_cells());
        }
        if text > limits.inflated_bytes {
            return Err(FileError::InflatesTooLarge {
                limit: limits.inflated_bytes,
            });
        }
    }
    Ok(())
}

/// The CONTINUE records right after a record, which calamine reads as part of it (only
/// while more than a bare record header is left).
fn continues(mut rest: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    while rest.len() > 4 && u16::from_le_bytes([rest[0], rest[1]]) == CONTINUE {
        let Some(record) = records(rest).next() else {
            break;
        };
        parts.push(record.data);
        rest = record.rest;
    }
    parts
}

/// What calamine allocates for one sheet.
struct Cost {
    cells: u64,
    /// UTF-8 bytes of shared strings copied into cells, at most.
    text: u64,
}

/// The cost of the sheet whose records start at `stream`.
fn sheet_cost(stream: &[u8], strings: &[u16]) -> Cost {
    let mut reserved: u64 = 0;
    let mut text: u64 = 0;
    let mut values = Bounds::default();
    let mut formulas = Bounds::default();
    let mut seen_bof = false;
    let mut depth = 0usize;
    for Record { typ, data, .. } in records(stream) {
        // Embedded charts are nested BOF…EOF blocks whose cells calamine skips.
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        if typ == LABEL_SST && data.len() >= 10 {
            let index = u32::from_le_bytes([data[6], data[7], data[8], data[9]]) as usize;
            let chars = strings.get(index).copied().unwrap_or(0);
            text = text.saturating_add(u64::from(chars) * UTF8_BYTES_PER_CHAR);
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => reserved = reserved.saturating_add(dimensions(data)),
            FORMULA if data.len() >= 4 => {
                let (row, col) = position(data);
                values.add(row, col);
                formulas.add(row, col);
            }
            MUL_RK if data.len() >= 6 => {
                let (row, first) = position(data);
                let count = (data.len() - 6) / 6;
                values.add(row, first);
                if count > 0 {
                    values.add(row, first + count as u32 - 1);
                }
            }
            _ if CELL_RECORDS.contains(&typ) && data.len() >= 4 => {
                let (row, col) = position(data);
                values.add(row, col);
            }
            _ => {}
        }
    }
    Cost {
        cells: reserved
            .saturating_add(values.area())
            .saturating_add(formulas.area()),
        text,
    }
}

fn position(data: &[u8]) -> (u32, u32) {
    (
        u16::from_le_bytes([data[0], data[1]]).into(),
        u16::from_le_bytes([data[2], data[3]]).into(),
    )
}

/// What calamine reserves for a DIMENSIONS record, with its arithmetic (which wraps
/// when the last row lies before the first).
fn dimensions(data: &[u8]) -> u64 {
    let u16_at = |at: usize| u32::from(u16::from_le_bytes([data[at], data[at + 1]]));
    let u32_at =
        |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let (first_row, end_row, mut first_col, end_col) = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        _ => return 0,
    };
    if first_col > 0xFF || end_col < first_col {
        first_col = 0;
    }
    if end_row == 0 || end_col == 0 {
        return 1;
    }
    let rows = (end_row - 1).wrapping_sub(first_row).wrapping_add(1);
    let cols = end_col - first_col;
    u64::from(rows) * u64::from(cols)
}

/// The rectangle spanned by some cells.
#[derive(Default)]
struct Bounds(Option<(u32, u32, u32, u32)>);

impl Bounds {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }
}

/// One record of a BIFF stream and the stream after it.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    rest: &'a [u8],
}

/// The records of a BIFF stream; ends at the first truncated one.
fn records(mut stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let typ = u16::from_le_bytes([stream[0], stream[1]]);
        let len = usize::from(u16::from_le_bytes([stream[2], stream[3]]));
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some(Record {
            typ,
            data,
            rest: stream,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
        out
    }

    /// A globals block naming one sheet, then that sheet with the given records.
    fn workbook(sheet: &[Vec<u8>]) -> Vec<u8> {
        let globals_len = 8 + 12 + 4; // BOF, BOUNDSHEET, EOF
        let mut out = record(BOF, &[0; 4]);
        let mut bound = (globals_len as u32).to_le_bytes().to_vec();
        bound.extend([0, 0, 0, 0]);
        out.extend(record(BOUND_SHEET, &bound[..8]));
        out.extend(record(EOF, &[]));
        assert_eq!(out.len(), globals_len);
        out.extend(record(BOF, &[0; 4]));
        for r in sheet {
            out.extend(r);
        }
        out.extend(record(EOF, &[]));
        out
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(col.to_le_bytes());
        data.extend([0; 10]);
        record(0x0203, &data)
    }

    fn dims(first_row: u32, end_row: u32, end_col: u16) -> Vec<u8> {
        let mut data = first_row.to_le_bytes().to_vec();
        data.extend(end_row.to_le_bytes());
        data.extend(0u16.to_le_bytes());
        data.extend(end_col.to_le_bytes());
        data.extend([0, 0]);
        record(DIMENSIONS, &data)
    }

    #[test]
    fn ordinary_sheets_pass() {
        let sheet = [dims(0, 100, 8), number(0, 0), number(99, 7)];
        assert_eq!(sheet_cost(&workbook(&sheet)[24..], &[]).cells, 800 + 800);
        assert_eq!(check(&workbook(&sheet), &Limits::default()), Ok(()));
    }

    #[test]
    fn huge_dimensions_or_far_cells_are_refused() {
        let bombs = [
            vec![dims(0, u32::MAX, 255)],
            vec![dims(5, 1, 2)], // wraps round to four billion rows
            vec![number(0, 0), number(65_535, 65_535)],
        ];
        for sheet in bombs {
            assert!(matches!(
                check(&workbook(&sheet), &Limits::default()),
                Err(FileError::Corrupt(_))
            ));
        }
    }

    #[test]
    fn cells_of_embedded_charts_do_not_count() {
        let chart = [
            record(BOF, &[0; 4]),
            number(65_535, 65_535),
            record(EOF, &[]),
        ]
        .concat();
        assert_eq!(
            check(
                &workbook(&[number(0, 0), chart, number(1, 1)]),
                &Limits::default()
            ),
            Ok(())
        );
    }

    #[test]
    fn file_pass_means_encrypted() {
        let mut stream = record(BOF, &[0; 4]);
        stream.extend(record(FILE_PASS, &[1, 0, 0, 0]));
        assert_eq!(
            check(&stream, &Limits::default()),
            Err(FileError::Encrypted)
        );
    }
}
