//! Finding the table in a grid of cells and reading its rows.
//!
//! Exports put title lines, comments and report headings above the header, blank lines
//! and total rows between the data, and monthly reports repeat a title and header per
//! employee. A [`TableReader`] walks the rows of one CSV file or sheet in order and keeps
//! the state that reading needs: the current header, the employee named in the title
//! above it, and (in spreadsheets) the date and employee of the row above, because merged
//! cells leave them empty on the rows below.

use chrono::NaiveDate;

use super::cell::Cell;
use super::columns::{Role, classify, fold_words, is_total_label};
use super::profile::Profile;
use super::raw::{EmployeeRef, RawRow};
use super::value::{self, BreakUnit, Field, Formats};

/// How many rows are searched for the first header before a table is given up on.
pub const HEADER_SEARCH_ROWS: usize = 50;

/// Which column holds which role.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    columns: [Option<usize>; Role::ALL.len()],
    break_unit: BreakUnit,
    /// The header's labels, for the rows sent back to fix.
    pub header: std::sync::Arc<[String]>,
}

impl Layout {
    /// Reads a row as a header: it is one when it names a date, a start and an end column.
    pub fn detect(cells: &[Cell]) -> Option<Layout> {
        let mut columns = [None; Role::ALL.len()];
        let mut break_unit = BreakUnit::Auto;
        for (i, cell) in cells.iter().enumerate() {
            let Some(text) = cell.text() else { continue };
            if text.len() > 80 {
                continue;
            }
            let name = classify(text);
            if let Some(role) = name.role {
                let slot = &mut columns[role.index()];
                if slot.is_none() {
                    *slot = Some(i);
                    if role == Role::Break {
                        break_unit = name.unit.unwrap_or(BreakUnit::Auto);
                    }
                }
            }
        }
        let has = |r: Role| columns[r.index()].is_some();
        (has(Role::Date) && has(Role::Start) && has(Role::End)).then(|| Layout {
            columns,
            break_unit,
            header: cells.iter().map(Cell::display).collect::<Vec<_>>().into(),
        })
    }

    /// Places the profile's columns; `header` is the header row when the profile has one.
    pub fn from_profile(profile: &Profile, header: Option<&[Cell]>) -> Option<Layout> {
        let labels: Option<Vec<String>> = header.map(|h| h.iter().map(Cell::display).collect());
        let mut columns = [None; Role::ALL.len()];
        for (role, column) in &profile.columns {
            columns[role.index()] = Some(column.resolve(labels.as_deref())?);
        }
        Some(Layout {
            columns,
            break_unit: profile.break_unit,
            header: labels.unwrap_or_default().into(),
        })
    }

    fn has(&self, role: Role) -> bool {
        self.columns[role.index()].is_some()
    }

    fn cell<'c>(&self, row: &[Cell<'c>], role: Role) -> Cell<'c> {
        self.columns[role.index()]
            .and_then(|i| row.get(i).copied())
            .unwrap_or(Cell::Empty)
    }

    fn text(&self, row: &[Cell], role: Role) -> Option<String> {
        match self.cell(row, role) {
            Cell::Empty => None,
            Cell::Text(t) => {
                let t = t.trim();
                (!t.is_empty()).then(|| t.to_string())
            }
            other => {
                let shown = other.display();
                let shown = shown.trim();
                (!shown.is_empty()).then(|| shown.to_string())
            }
        }
    }
}

/// Reads the rows of one table (a CSV file or one sheet) in order.
pub struct TableReader<'p> {
    layout: Option<Layout>,
    profile: Option<&'p Profile>,
    formats: Formats<'p>,
    rows_seen: usize,
    /// The employee named in a title line above the current table.
    title_employee: EmployeeRef,
    /// Spreadsheets only: the last data row's date and employee, for merged cells.
    carry_down: bool,
    above: Option<(NaiveDate, EmployeeRef)>,
}

impl<'p> TableReader<'p> {
    pub fn new(profile: Option<&'p Profile>, carry_down: bool) -> Self {
        let layout = profile
            .filter(|p| p.is_headerless())
            .and_then(|p| Layout::from_profile(p, None));
        TableReader {
            layout,
            profile,
            formats: profile.map(Profile::formats).unwrap_or_default(),
            rows_seen: 0,
            title_employee: EmployeeRef::default(),
            carry_down,
            above: None,
        }
    }

    /// The current layout, once a header was found.
    pub fn layout(&self) -> Option<&Layout> {
        self.layout.as_ref()
    }

    /// True while no header has been found and the search window is used up.
    pub fn gave_up(&self) -> bool {
        self.layout.is_none() && self.rows_seen >= HEADER_SEARCH_ROWS
    }

    /// Takes the next row (`number` is its 1-based position in the table); returns it
    /// when it is a data row.
    pub fn push(
        &mut self,
        number: usize,
        location: impl FnOnce() -> String,
        cells: &[Cell],
    ) -> Option<RawRow> {
        self.rows_seen += 1;
        if cells.iter().all(Cell::is_empty) {
            return None;
        }
        // A row whose date cell holds a date is data; only other rows can be headers,
        // which keeps header detection off the hot path.
        let date = self
            .layout
            .as_ref()
            .map(|l| value::date(&l.cell(cells, Role::Date), self.formats));
        if date.as_ref().and_then(Field::value).is_none()
            && let Some(layout) = self.header_at(number, cells)
        {
            self.layout = Some(layout);
            self.above = None;
            return None;
        }
        let (Some(layout), Some(date)) = (&self.layout, date) else {
            self.note_title(cells);
            return None;
        };
        let start_cell = layout.cell(cells, Role::Start);
        let end_cell = layout.cell(cells, Role::End);
        if date.value().is_none() && cells.iter().any(|c| c.text().is_some_and(is_total_label)) {
            return None;
        }
        if start_cell.is_empty() && end_cell.is_empty() {
            // A day without bookings, a separator or a title line.
            if date.value().is_none() {
                self.note_title(cells);
            }
            return None;
        }
        let start = value::time(&start_cell, self.formats);
        let end = value::time(&end_cell, self.formats);
        if date.value().is_none() && start.value().is_none() && end.value().is_none() {
            // Nothing in it reads as a date or a time: a title or separator line.
            self.note_title(cells);
            return None;
        }
        let mut row = RawRow {
            location: location(),
            employee: self.employee(layout, cells),
            date,
            start,
            end,
            break_minutes: value::break_minutes(
                &layout.cell(cells, Role::Break),
                layout.break_unit,
            ),
            comment: layout.text(cells, Role::Comment),
            header: layout.header.clone(),
        };
        if self.carry_down {
            self.carry(&mut row);
        }
        Some(row)
    }

    fn header_at(&self, number: usize, cells: &[Cell]) -> Option<Layout> {
        match self.profile {
            Some(p) if p.is_headerless() => None,
            Some(p) => match p.header_row {
                Some(h) => (h as usize == number)
                    .then(|| Layout::from_profile(p, Some(cells)))
                    .flatten(),
                None => {
                    let layout = Layout::from_profile(p, Some(cells))?;
                    // Names must really be found in this row, not fall back to letters.
                    let labels: Vec<String> = cells.iter().map(Cell::display).collect();
                    p.columns
                        .values()
                        .filter(|c| c.needs_header())
                        .all(|c| c.resolve(Some(&labels)).is_some())
                        .then_some(layout)
                }
            },
            None if self.layout.is_none() && self.rows_seen > HEADER_SEARCH_ROWS => None,
            None => Layout::detect(cells),
        }
    }

    fn employee(&self, layout: &Layout, cells: &[Cell]) -> EmployeeRef {
        let mut who = EmployeeRef {
            email: layout.text(cells, Role::Email),
            personnel_number: layout.text(cells, Role::PersonnelNumber),
            card_id: layout.text(cells, Role::CardId),
            name: layout.text(cells, Role::Name),
        };
        if who.name.is_none() {
            let first = layout.text(cells, Role::FirstName);
            let last = layout.text(cells, Role::LastName);
            who.name = match (first, last) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                (f, l) => f.or(l),
            };
        }
        // A name column that holds addresses.
        if who.email.is_none() && who.name.as_deref().is_some_and(|n| n.contains('@')) {
            who.email = who.name.as_deref().and_then(find_email).map(str::to_string);
        }
        let has_own_columns = [
            Role::Email,
            Role::PersonnelNumber,
            Role::CardId,
            Role::Name,
            Role::FirstName,
            Role::LastName,
        ]
        .iter()
        .any(|r| layout.has(*r));
        if who.is_empty() && !has_own_columns {
            who = self.title_employee.clone();
        }
        who
    }

    fn carry(&mut self, row: &mut RawRow) {
        if let Some((date, who)) = &self.above
            && row.date == Field::Missing
        {
            row.date = Field::Value(*date);
            if row.employee.is_empty() {
                row.employee = who.clone();
            }
        }
        if let Field::Value(d) = row.date {
            self.above = Some((d, row.employee.clone()));
        }
    }

    /// Remembers the employee a title line names ("Mitarbeiter: Anna Muster
    /// (anna.muster@example.com)", "Personalnummer: 1001").
    fn note_title(&mut self, cells: &[Cell]) {
        let texts: Vec<String> = cells
            .iter()
            .filter(|c| !c.is_empty())
            .map(Cell::display)
            .collect();
        let line = texts.join(" ");
        if line.len() > 500 {
            return;
        }
        if let Some(who) = title_employee(&line) {
            self.title_employee = who;
        }
    }
}

/// The employee a title line names, if it names one.
pub fn title_employee(line: &str) -> Option<EmployeeRef> {
    let email = find_email(line).map(str::to_string);
    let (label, rest) = line.split_once(':')?;
    let label = fold_words(label).concat();
    let rest = rest.trim();
    // The name is what stands before a parenthesised or angle-bracketed address.
    let name = rest
        .split(['(', '<'])
        .next()
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.contains('@'))
        .map(str::to_string);
    let mut who = EmployeeRef {
        email,
        ..EmployeeRef::default()
    };
    match label.as_str() {
        "mitarbeiter" | "mitarbeiterin" | "employee" | "name" | "mitarbeitername"
        | "employeename" | "person" => who.name = name,
        "personalnummer" | "personalnr" | "persnr" | "mitarbeiternummer" | "mitarbeiternr"
        | "employeenumber" | "employeeid" => {
            who.personnel_number = rest.split_whitespace().next().map(str::to_string)
        }
        "email" | "mail" | "emailadresse" => {}
        _ if who.email.is_some() && label.len() < 30 => {}
        _ => return None,
    }
    (!who.is_empty()).then_some(who)
}

/// The first thing in `text` that looks like an e-mail address.
pub fn find_email(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || "()<>[];,\"'".contains(c))
        .map(|t| t.strip_prefix("mailto:").unwrap_or(t))
        .map(|t| t.trim_matches(|c: char| c == '.' || c == ':'))
        .find(|t| {
            t.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(v: &'a [&'a str]) -> Vec<Cell<'a>> {
        v.iter().map(|s| Cell::Text(s)).collect()
    }

    fn read(rows: &[&[&str]], carry: bool) -> Vec<RawRow> {
        let mut reader = TableReader::new(None, carry);
        rows.iter()
            .enumerate()
            .filter_map(|(i, r)| reader.push(i + 1, || (i + 1).to_string(), &texts(r)))
            .collect()
    }

    #[test]
    fn header_after_title_lines_in_any_column_order() {
        let rows = read(
            &[
                &["## Export November"],
                &[
                    "Kommentar",
                    "Ende",
                    "Beginn",
                    "Datum",
                    "E-Mail",
                    "Wochentag",
                ],
                &["", "16:31", "07:58", "02.11.2026", "anna@example.com", "Mo"],
            ],
            false,
        );
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.location, "3");
        assert_eq!(r.employee.email.as_deref(), Some("anna@example.com"));
        assert_eq!(r.start.value().unwrap().minutes, 478);
        assert_eq!(r.end.value().unwrap().minutes, 991);
        assert_eq!(r.break_minutes, Field::Missing);
        assert_eq!(r.comment, None);
    }

    #[test]
    fn blank_total_and_empty_day_rows_are_not_data() {
        let rows = read(
            &[
                &["E-Mail", "Datum", "Start", "Ende", "Pause"],
                &["", "", "", "", ""],
                &["a@example.com", "07.11.2026", "", "", ""],
                &["", "SUMME MONAT", "", "", "1:00"],
                &["Gesamt", "", "", "", ""],
                &["a@example.com", "06.11.2026", "08:00", "", ""],
            ],
            false,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].end, Field::Missing);
    }

    #[test]
    fn a_comment_starting_with_a_total_word_is_still_data() {
        let rows = read(
            &[
                &["E-Mail", "Datum", "Start", "Ende", "Bemerkung"],
                &[
                    "a@example.com",
                    "06.11.2026",
                    "08:00",
                    "12:00",
                    "Gesamtbetriebsversammlung",
                ],
            ],
            false,
        );
        assert_eq!(
            rows[0].comment.as_deref(),
            Some("Gesamtbetriebsversammlung")
        );
    }

    #[test]
    fn employee_from_the_title_when_the_table_has_no_email_column() {
        let rows = read(
            &[
                &["Monatsreport November 2026"],
                &["Mitarbeiter: Anna Muster (anna.muster@example.com)"],
                &["Datum", "Kommen", "Gehen"],
                &["02.11.2026", "07:58", "16:31"],
                &["Mitarbeiter:", "Ben Beispiel <ben@example.com>"],
                &["Datum", "Kommen", "Gehen"],
                &["02.11.2026", "08:00", "17:00"],
            ],
            false,
        );
        assert_eq!(
            rows[0].employee.email.as_deref(),
            Some("anna.muster@example.com")
        );
        assert_eq!(rows[0].employee.name.as_deref(), Some("Anna Muster"));
        assert_eq!(rows[1].employee.email.as_deref(), Some("ben@example.com"));
    }

    #[test]
    fn merged_date_cells_carry_down_in_spreadsheets_only() {
        let rows: &[&[&str]] = &[
            &["E-Mail", "Datum", "Kommen", "Gehen"],
            &["a@example.com", "02.11.2026", "07:00", "12:00"],
            &["", "", "12:30", "16:00"],
        ];
        let sheet = read(rows, true);
        assert_eq!(sheet[1].date.value(), sheet[0].date.value());
        assert_eq!(sheet[1].employee.email.as_deref(), Some("a@example.com"));
        let csv = read(rows, false);
        assert_eq!(csv[1].date, Field::Missing);
    }

    #[test]
    fn title_lines_name_employees() {
        let t = title_employee("Personalnummer: 1001").unwrap();
        assert_eq!(t.personnel_number.as_deref(), Some("1001"));
        assert!(title_employee("Monatsreport November 2026").is_none());
        assert!(title_employee("Zeitraum: 01.11.2026 - 30.11.2026").is_none());
        assert_eq!(
            find_email("an: <Anna@Example.com>."),
            Some("Anna@Example.com")
        );
        assert_eq!(find_email("kein@"), None);
    }
}
