//! Measures an ODS `content.xml` as it streams past, before calamine reads it.
//!
//! ODS compresses repetition into attributes: `table:number-rows-repeated` and
//! `table:number-columns-repeated` make one cell stand for millions, each a copy of
//! the cell's text, and `text:s text:c` for millions of spaces. calamine expands them
//! in memory and only stops at 100 million cells (several GB, or any amount of text) —
//! too late for a daemon. This scanner follows the
//! same elements calamine does, with the same rules (string cells end at the first
//! closing cell tag, other cells at their matching end, comments and CDATA hide
//! markup), adds up the cells and the text calamine would allocate, and fails on
//! anything it cannot measure, such as a `<!DOCTYPE`. Where it is unsure, it counts
//! more, never less.

use crate::parse::error::FileError;
use crate::parse::limits::Limits;

use super::MAX_CELLS;
use super::xml::{Handler, Lexer, Tag, attribute, attributes, unescape};

/// calamine's caps: a row holds at most this many cells, a table this many rows.
const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;

/// Where in the table structure the scan is, as calamine's reader would be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Outside,
    Table,
    Row,
    /// Inside a text cell: ends at the first closing cell tag, whatever the nesting.
    StringCell,
    /// Inside an annotation of a text cell.
    Annotation,
    /// Inside another cell: ends at the matching end of the element with this name.
    OtherCell {
        name: Vec<u8>,
        depth: u32,
    },
}

pub struct OdsScan {
    lexer: Lexer,
    count: Count,
}

/// What calamine would allocate, followed table by table.
struct Count {
    place: Place,
    // The current table.
    table_rows: u64,
    span: u64,
    pending_rows: u64,
    width: u64,
    // The current row.
    row_repeats: u64,
    row_width: u64,
    row_pending: u64,
    row_filled: bool,
    /// Bytes of text in the row, counting every copy of a repeated cell.
    row_text: u64,
    // The current cell: its text and how often calamine copies it into the row.
    cell_text: u64,
    cell_copies: u64,
    // Totals.
    cells: u64,
    text: u64,
    error: Option<&'static str>,
}

impl OdsScan {
    pub fn new() -> Self {
        OdsScan {
            lexer: Lexer::new(),
            count: Count {
                place: Place::Outside,
                table_rows: 0,
                span: 0,
                pending_rows: 0,
                width: 0,
                row_repeats: 0,
                row_width: 0,
                row_pending: 0,
                row_filled: false,
                row_text: 0,
                cell_text: 0,
                cell_copies: 0,
                cells: 0,
                text: 0,
                error: None,
            },
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.lexer.feed(bytes, &mut self.count);
    }

    /// Decides once all of `content.xml` went through [`OdsScan::feed`].
    pub fn finish(&mut self, limits: &Limits) -> Result<(), FileError> {
        let count = &mut self.count;
        if let Some(what) = self.lexer.error.or(count.error) {
            return Err(FileError::Corrupt(format!("{what} in content.xml")));
        }
        if matches!(count.place, Place::Table | Place::Row) {
            if count.place == Place::Row {
                count.end_row();
            }
            count.end_table();
        }
        // Every cell is kept twice, once as a value and once as a formula.
        if count.cells.saturating_mul(2) > MAX_CELLS {
            return Err(super::too_many_cells());
        }
        if count.text > limits.inflated_bytes {
            return Err(FileError::InflatesTooLarge {
                limit: limits.inflated_bytes,
            });
        }
        Ok(())
    }
}

impl Handler for Count {
    fn tag(&mut self, tag: &Tag) {
        if self.error.is_some() {
            return;
        }
        if tag.cut && RELEVANT.contains(&tag.name) {
            self.error = Some("an oversized tag");
        } else if tag.closing {
            self.end(tag.name);
        } else {
            self.start(tag.name, tag.attrs, tag.empty);
        }
    }

    fn text(&mut self, len: usize) {
        if self.place == Place::StringCell {
            self.cell_text = self.cell_text.saturating_add(len as u64);
        }
    }
}

impl Count {
    fn start(&mut self, name: &[u8], attrs: &[u8], empty: bool) {
        if name == b"text:s" {
            let spaces = self.count(attrs, b"text:c");
            if self.place == Place::StringCell {
                self.cell_text = self.cell_text.saturating_add(spaces);
            } else {
                self.text = self.text.saturating_add(spaces);
            }
        } else if self.place == Place::StringCell {
            // A paragraph, tab or line break is one more character.
            self.cell_text += 1;
        }
        match &mut self.place {
            Place::Outside if name == b"table:table" && !empty => self.place = Place::Table,
            Place::Table if name == b"table:table-row" => {
                let repeats = self.count(attrs, b"table:number-rows-repeated");
                let capped = repeats.min(MAX_ROWS - self.table_rows);
                self.table_rows += capped;
                self.row_repeats = capped;
                self.row_width = 0;
                self.row_pending = 0;
                self.row_filled = false;
                self.place = Place::Row;
                if empty {
                    self.end_row();
                }
            }
            Place::Row if name == b"table:table-cell" || name == b"table:covered-table-cell" => {
                let repeats = self.count(attrs, b"table:number-columns-repeated");
                let (filled, text) = cell_kind(attrs);
                self.cell_text = attribute_text(attrs);
                self.cell_copies = if filled { repeats.min(MAX_COLUMNS) } else { 0 };
                if filled {
                    let added = self.row_pending.saturating_add(repeats);
                    self.row_width = self.row_width.saturating_add(added).min(MAX_COLUMNS);
                    self.row_pending = 0;
                    self.row_filled = true;
                } else {
                    self.row_pending = self.row_pending.saturating_add(repeats);
                }
                if empty {
                    self.end_cell();
                } else {
                    self.place = if text {
                        Place::StringCell
                    } else {
                        Place::OtherCell {
                            name: name.to_vec(),
                            depth: 1,
                        }
                    };
                }
            }
            Place::StringCell if name == b"office:annotation" && !empty => {
                self.place = Place::Annotation;
            }
            Place::OtherCell { name: cell, depth } if name == cell.as_slice() && !empty => {
                *depth += 1;
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &[u8]) {
        match &mut self.place {
            Place::Table if name == b"table:table" => self.end_table(),
            Place::Row if name == b"table:table-row" => self.end_row(),
            Place::StringCell
                if name == b"table:table-cell" || name == b"table:covered-table-cell" =>
            {
                self.end_cell();
            }
            Place::Annotation if name == b"office:annotation" => self.place = Place::StringCell,
            Place::OtherCell { name: cell, depth } if name == cell.as_slice() => {
                *depth -= 1;
                if *depth == 0 {
                    self.end_cell();
                }
            }
            _ => {}
        }
    }

    fn end_cell(&mut self) {
        let copies = self.cell_text.saturating_mul(self.cell_copies);
        self.row_text = self.row_text.saturating_add(copies);
        self.place = Place::Row;
    }

    fn end_row(&mut self) {
        // calamine keeps every row's cells once, then copies repeated rows into the table.
        self.cells = self.cells.saturating_add(self.row_width);
        self.text = self.text.saturating_add(self.row_text);
        if self.row_filled {
            let copies = self.row_text.saturating_mul(self.row_repeats);
            self.text = self.text.saturating_add(copies);
            self.span = self
                .span
                .saturating_add(self.pending_rows)
                .saturating_add(self.row_repeats);
            self.pending_rows = 0;
            self.width = self.width.max(self.row_width);
        } else if self.span > 0 {
            self.pending_rows = self.pending_rows.saturating_add(self.row_repeats);
        }
        self.row_text = 0;
        self.place = Place::Table;
    }

    fn end_table(&mut self) {
        self.cells = self
            .cells
            .saturating_add(self.span.saturating_mul(self.width));
        self.table_rows = 0;
        self.span = 0;
        self.pending_rows = 0;
        self.width = 0;
        self.place = Place::Outside;
    }

    /// A repeat count; a count calamine might read differently fails the scan.
    fn count(&mut self, attrs: &[u8], key: &[u8]) -> u64 {
        match attribute(attrs, key) {
            None => 1,
            Some(raw) => match unescape(raw).and_then(|v| v.parse::<u64>().ok()) {
                Some(n) => n,
                None => {
                    self.error = Some("an unreadable repeat count");
                    0
                }
            },
        }
    }
}

/// Tag names whose attributes matter; one of them cut short cannot be measured.
const RELEVANT: [&[u8]; 5] = [
    b"table:table",
    b"table:table-row",
    b"table:table-cell",
    b"table:covered-table-cell",
    b"text:s",
];

/// The text a cell's attributes give it: a string, date or time value and a formula.
fn attribute_text(attrs: &[u8]) -> u64 {
    attributes(attrs)
        .filter(|(key, _)| {
            matches!(
                *key,
                b"office:string-value"
                    | b"office:date-value"
                    | b"office:time-value"
                    | b"table:formula"
            )
        })
        .map(|(_, raw)| raw.len() as u64)
        .sum()
}

/// Whether a cell holds something (calamine keeps it) and whether its text is read
/// from the content (it then ends at the first closing cell tag), decided exactly as
/// calamine decides: the first value attribute wins, `office:value-type` counts only
/// before it, and an error cell with an empty `office:string-value` reads its content.
fn cell_kind(attrs: &[u8]) -> (bool, bool) {
    let mut value: Option<(&[u8], &[u8])> = None;
    let mut string_type = false;
    let mut error = false;
    let mut formula = false;
    for (key, raw) in attributes(attrs) {
        match key {
            b"office:value"
            | b"office:string-value"
            | b"office:date-value"
            | b"office:time-value"
            | b"office:boolean-value"
                if value.is_none() =>
            {
                value = Some((key, raw));
            }
            b"office:value-type" if value.is_none() => string_type = raw == b"string",
            b"calcext:value-type" => error = raw == b"error",
            b"table:formula" => formula = !raw.is_empty(),
            _ => {}
        }
    }
    let empty_string = value == Some((&b"office:string-value"[..], &b""[..]));
    let text = (value.is_none() && string_type) || (error && empty_string);
    (value.is_some() || text || formula, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(xml: &str) -> Result<u64, FileError> {
        let mut scan = OdsScan::new();
        // Byte by byte, so that no state may depend on chunk boundaries.
        for b in xml.as_bytes() {
            scan.feed(std::slice::from_ref(b));
        }
        scan.finish(&Limits::default())?;
        Ok(scan.count.cells)
    }

    fn table(rows: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><office:body><table:table table:name=\"T\">{rows}</table:table></office:body>"
        )
    }

    const FLOAT: &str = "office:value-type=\"float\" office:value=\"1\"";

    #[test]
    fn a_plain_table_counts_its_cells() {
        let row = format!(
            "<table:table-row><table:table-cell {FLOAT}/><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell><table:table-cell table:number-columns-repeated=\"1000\"/></table:table-row>"
        );
        let trailing = "<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>";
        // 3 rows of 2 cells kept once each, then copied into a 3 x 2 table.
        assert_eq!(
            measure(&table(&format!("{row}{row}{row}{trailing}"))),
            Ok(12)
        );
    }

    #[test]
    fn repeated_rows_and_columns_are_counted_expanded() {
        let row = format!(
            "<table:table-row table:number-rows-repeated=\"999999999\"><table:table-cell table:number-columns-repeated=\"999999999\" {FLOAT}/></table:table-row>"
        );
        assert!(matches!(measure(&table(&row)), Err(FileError::Corrupt(_))));
        let row = format!(
            "<table:table-row table:number-rows-repeated=\"1000\"><table:table-cell table:number-columns-repeated=\"100\" {FLOAT}/></table:table-row>"
        );
        assert_eq!(measure(&table(&row)), Ok(100 + 100_000));
    }

    #[test]
    fn counts_hidden_in_entities_are_decoded() {
        let row = format!(
            "<table:table-row table:number-rows-repeated=\"&#49;&#x30;00000\"><table:table-cell table:number-columns-repeated=\"16384\" {FLOAT}/></table:table-row>"
        );
        assert!(matches!(measure(&table(&row)), Err(FileError::Corrupt(_))));
        let row = "<table:table-row table:number-rows-repeated=\"&bogus;\"/>";
        assert!(matches!(measure(&table(row)), Err(FileError::Corrupt(_))));
    }

    #[test]
    fn markup_hidden_from_a_naive_scan_is_still_seen() {
        let wide = format!("<table:table-cell table:number-columns-repeated=\"16384\" {FLOAT}/>");
        // A `>` inside a quoted value does not end the tag; a comment that looks closed
        // but is not; a row inside a number cell that calamine skips.
        let rows = format!(
            "<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell office:annotation=\"a>b\" {FLOAT}><table:table-row/></table:table-cell><!--->--> -->{wide}</table:table-row>"
        );
        assert!(matches!(measure(&table(&rows)), Err(FileError::Corrupt(_))));
    }

    #[test]
    fn text_copied_by_repeats_counts_every_copy() {
        let long = "x".repeat(100_000);
        let row = |rows: u32, cols: u32| {
            format!(
                "<table:table-row table:number-rows-repeated=\"{rows}\"><table:table-cell office:value-type=\"string\" table:number-columns-repeated=\"{cols}\"><text:p>{long}</text:p></table:table-cell></table:table-row>"
            )
        };
        assert!(measure(&table(&row(10, 10))).is_ok());
        // 100 kB of text in a few hundred bytes of markup, copied a million times.
        assert!(matches!(
            measure(&table(&row(1000, 1000))),
            Err(FileError::InflatesTooLarge { .. })
        ));
    }

    #[test]
    fn doctype_and_space_bombs_fail() {
        assert!(matches!(
            measure("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>"),
            Err(FileError::Corrupt(_))
        ));
        let spaces = "<text:s text:c=\"999999999999\"/>";
        assert!(matches!(
            measure(spaces),
            Err(FileError::InflatesTooLarge { .. })
        ));
    }
}
