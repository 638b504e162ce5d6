//! Spreadsheet reading (`zeitpost::parse::sheet`): the real-world corpus, workbooks
//! written here with the cell types time clocks use, the samples, and hostile files.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook as XlsxWriter};
use zeitpost::parse::sheet::{Workbook, open};
use zeitpost::parse::{Cell, FileError, FileKind, Limits};

fn corpus_sheets() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sheets");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} not found; corpus checks skipped", dir.display());
        None
    }
}

fn open_bytes(name: &str, bytes: &[u8]) -> Result<Workbook, FileError> {
    let kind = FileKind::detect(name, bytes).expect("a spreadsheet kind");
    open(bytes, kind, &Limits::default())
}

fn open_file(path: &Path) -> Result<Workbook, FileError> {
    let bytes = std::fs::read(path).unwrap();
    open_bytes(&path.file_name().unwrap().to_string_lossy(), &bytes)
}

/// A sheet's name and its rows, the cells shown as `Debug` so they outlive the workbook.
type Dumped = (String, Vec<(u32, Vec<String>)>);

fn dump(book: &Workbook) -> Vec<Dumped> {
    book.sheets
        .iter()
        .map(|s| {
            let rows = s
                .rows()
                .map(|(n, cells)| (n, cells.iter().map(|c| format!("{c:?}")).collect()))
                .collect();
            (s.name.clone(), rows)
        })
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn hm(h: u32, m: u32) -> u32 {
    h * 3600 + m * 60
}

/// What `open` says for each corpus spreadsheet; no file may panic calamine (a caught
/// panic shows as the "reader failed" message) or take long.
#[test]
fn corpus_spreadsheets() {
    let Some(dir) = corpus_sheets() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "xlsx" || e == "xls" || e == "ods")
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "only {} spreadsheets in the corpus",
        files.len()
    );
    let mut outcomes = std::collections::BTreeMap::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let started = Instant::now();
        let outcome = open_file(path);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(10), "{name} took {took:?}");
        let shown = match &outcome {
            Ok(book) => format!(
                "Ok: {} sheet(s), {} row(s)",
                book.sheets.len(),
                book.sheets.iter().map(|s| s.rows().count()).sum::<usize>()
            ),
            Err(e) => format!("Err: {e}"),
        };
        eprintln!("{name}: {shown}");
        assert!(
            !shown.contains("reader failed"),
            "{name}: calamine panicked"
        );
        outcomes.insert(name, outcome);
    }
    let outcome = |name: &str| {
        outcomes
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert_eq!(
        outcome("calamine-pass_protected.xlsx").as_ref().err(),
        Some(&FileError::Encrypted)
    );
    for broken in [
        "calamine-too_small.xls",
        "calamine-issue_594_dos.ods",
        "xlrd-biff4_no_format_no_window2.xls",
    ] {
        assert!(
            matches!(outcome(broken), Err(FileError::Corrupt(_))),
            "{broken} was read"
        );
    }
    for fine in [
        "calamine-date.xlsx",
        "calamine-date.xls",
        "calamine-date.ods",
        "calamine-date_1904.xlsx",
        "calamine-date_1904.xls",
        "calamine-any_sheets.xlsx",
        "calamine-number_rows_repeated.ods",
        "calamine-merged_cells.ods",
        "calamine-OOM_alloc.xls",
        "calamine-issue444.xls",
        "calamine-gh548_incorrect_sst_unique_count.xls",
        "calamine-ptgexp-truncated-operand.xls",
        "calamine-empty_shared_string.xlsx",
        "calamine-capitalized_wbook_stream.xls",
        "xlrd-corrupted_error.xls",
        "xlrd-Formate.xls",
    ] {
        assert!(
            outcome(fine).is_ok(),
            "{fine}: {:?}",
            outcome(fine).as_ref().err()
        );
    }
    // The chart sheet of any_sheets.xlsx has no cells and is left out; hidden ones stay.
    let names: Vec<&str> = outcome("calamine-any_sheets.xlsx")
        .as_ref()
        .unwrap()
        .sheets
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["Visible", "Hidden", "VeryHidden"]);
}

/// The same dates saved with the 1900 and the 1904 epoch read the same.
#[test]
fn epochs_1900_and_1904_give_the_same_dates() {
    let Some(dir) = corpus_sheets() else { return };
    for ext in ["xlsx", "xls"] {
        let plain = open_file(&dir.join(format!("calamine-date.{ext}"))).unwrap();
        let shifted = open_file(&dir.join(format!("calamine-date_1904.{ext}"))).unwrap();
        assert_eq!(dump(&plain), dump(&shifted), "{ext}");
        let sheet = &plain.sheets[0];
        let cells: Vec<Cell> = sheet.rows().flat_map(|(_, cells)| cells).collect();
        assert!(
            cells.contains(&Cell::Date(date(2021, 1, 1))),
            "{ext}: {cells:?}"
        );
        assert!(
            cells.iter().any(|c| matches!(c, Cell::Duration(_))),
            "{ext}: {cells:?}"
        );
    }
}

/// ODS date and time cells: dates as ISO text, times as durations.
#[test]
fn ods_dates_and_times() {
    let Some(dir) = corpus_sheets() else { return };
    let book = open_file(&dir.join("calamine-date.ods")).unwrap();
    let cells: Vec<String> = dump(&book)[0]
        .1
        .iter()
        .flat_map(|(_, c)| c.clone())
        .collect();
    assert!(
        cells.contains(&"Text(\"2021-01-01\")".to_string()),
        "{cells:?}"
    );
    assert!(
        cells.iter().any(|c| c.starts_with("Duration(")),
        "{cells:?}"
    );
}

/// An export as a time clock writes it: a title block, a header, real date, time and
/// duration cells, dates and times typed as text, and a second sheet.
fn time_clock_workbook() -> Vec<u8> {
    let mut book = XlsxWriter::new();
    let day = Format::new().set_num_format("dd.mm.yyyy");
    let clock = Format::new().set_num_format("hh:mm");
    let hours = Format::new().set_num_format("[h]:mm");
    let stamp = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let sheet = book.add_worksheet().set_name("Anna Muster").unwrap();
    sheet
        .write_string(0, 0, "Mitarbeiter: Anna Muster (anna.muster@example.com)")
        .unwrap();
    for (col, title) in ["Datum", "Kommen", "Gehen", "Pause", "Arbeitszeit", "Text"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, col as u16, *title).unwrap();
    }
    let nov2 = ExcelDateTime::from_ymd(2026, 11, 2).unwrap();
    sheet.write_datetime_with_format(3, 0, &nov2, &day).unwrap();
    let in_at = ExcelDateTime::from_hms(7, 58, 0).unwrap();
    sheet
        .write_datetime_with_format(3, 1, &in_at, &clock)
        .unwrap();
    // 16:31 as a serial just below the exact value, as typed-in times often are.
    sheet
        .write_number_with_format(3, 2, 0.6881944444, &clock)
        .unwrap();
    sheet
        .write_number_with_format(3, 3, 0.5 / 24.0, &hours)
        .unwrap();
    sheet
        .write_number_with_format(3, 4, 41.25 / 24.0, &hours)
        .unwrap();
    sheet.write_string(3, 5, "03.11.2026 07:45").unwrap();
    sheet.write_string(4, 0, "03.11.2026").unwrap();
    sheet.write_string(4, 1, "07:45").unwrap();
    sheet.write_number(4, 3, 30).unwrap();
    let stamped = ExcelDateTime::from_ymd(2026, 11, 4)
        .unwrap()
        .and_hms(22, 15, 0)
        .unwrap();
    sheet
        .write_datetime_with_format(5, 0, &stamped, &stamp)
        .unwrap();
    let second = book.add_worksheet().set_name("Ben").unwrap();
    second.write_string(1, 2, "Ben Beispiel").unwrap();
    second.write_boolean(1, 3, true).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn cell_types_of_a_written_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    std::fs::write(&path, time_clock_workbook()).unwrap();
    let book = open_file(&path).unwrap();
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Anna Muster", "Ben"]);

    let rows: Vec<(u32, Vec<Cell>)> = book.sheets[0].rows().collect();
    let numbers: Vec<u32> = rows.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, [1, 3, 4, 5, 6], "the empty row 2 is left out");
    assert_eq!(
        rows[0].1,
        [Cell::Text(
            "Mitarbeiter: Anna Muster (anna.muster@example.com)"
        )]
    );
    assert_eq!(rows[1].1[0], Cell::Text("Datum"));
    assert_eq!(
        rows[2].1,
        [
            Cell::Date(date(2026, 11, 2)),
            Cell::Time(hm(7, 58)),
            Cell::Time(hm(16, 31)),
            Cell::Duration(hm(0, 30)),
            Cell::Duration(hm(41, 15)),
            Cell::Text("03.11.2026 07:45"),
        ]
    );
    assert_eq!(
        rows[3].1,
        [
            Cell::Text("03.11.2026"),
            Cell::Text("07:45"),
            Cell::Empty,
            Cell::Number(30.0),
        ]
    );
    let at = NaiveDateTime::new(
        date(2026, 11, 4),
        NaiveTime::from_hms_opt(22, 15, 0).unwrap(),
    );
    assert_eq!(rows[4].1, [Cell::DateTime(at)]);

    // Cells start at column A even when the sheet does not.
    let ben: Vec<(u32, Vec<Cell>)> = book.sheets[1].rows().collect();
    assert_eq!(
        ben,
        [(
            2,
            vec![
                Cell::Empty,
                Cell::Empty,
                Cell::Text("Ben Beispiel"),
                Cell::Bool(true)
            ]
        )]
    );
}

#[test]
fn a_renamed_file_is_read_by_its_content() {
    let bytes = time_clock_workbook();
    // An xlsx sent as ".ods" is still a zip holding an xlsx.
    let book = open(&bytes, FileKind::Ods, &Limits::default()).unwrap();
    assert_eq!(book.sheets.len(), 2);
}

#[test]
fn row_limit_counts_rows_of_all_sheets() {
    let bytes = time_clock_workbook();
    let limits = |rows| Limits {
        rows,
        ..Limits::default()
    };
    assert!(open(&bytes, FileKind::Xlsx, &limits(6)).is_ok());
    assert_eq!(
        open(&bytes, FileKind::Xlsx, &limits(5)).err(),
        Some(FileError::TooManyRows { limit: 5 })
    );
}

/// One cell at A1 and one at XFD1048576: calamine's own rectangle would be 17 billion
/// cells and abort the process; read cell by cell it is two rows.
#[test]
fn far_apart_cells_are_not_a_rectangle() {
    let mut book = XlsxWriter::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "a").unwrap();
    sheet.write_string(1_048_575, 16_383, "b").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let book = open(&bytes, FileKind::Xlsx, &Limits::default()).unwrap();
    let rows: Vec<(u32, Vec<Cell>)> = book.sheets[0].rows().collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].0, 1_048_576);
    assert_eq!(rows[1].1.len(), 16_384);
    assert_eq!(rows[1].1[16_383], Cell::Text("b"));
}

/// A zip with one entry of 50 MB of zeros (about 50 kB compressed). `streamed` writes it
/// as a mail client streaming it would, with the sizes only after the data, so the
/// directory gives no total up front.
fn zip_bomb(streamed: bool) -> Vec<u8> {
    fn fill<W: Write + std::io::Seek>(zip: &mut zip::ZipWriter<W>) {
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..50 {
            zip.write_all(&zeros).unwrap();
        }
    }
    let bytes = if streamed {
        let mut zip = zip::ZipWriter::new_stream(Cursor::new(Vec::new()));
        fill(&mut zip);
        zip.finish().unwrap().into_inner().into_inner()
    } else {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        fill(&mut zip);
        zip.finish().unwrap().into_inner()
    };
    assert!(bytes.len() < 1 << 20, "{} bytes compressed", bytes.len());
    bytes
}

/// Sets every uncompressed size in the zip's headers to 100 bytes.
fn lie_about_sizes(mut bytes: Vec<u8>) -> Vec<u8> {
    // Offset 22 in local headers, 24 in central directory entries.
    for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let starts: Vec<usize> = bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| w == signature)
            .map(|(i, _)| i)
            .collect();
        for start in starts {
            bytes[start + offset..start + offset + 4].copy_from_slice(&100u32.to_le_bytes());
        }
    }
    bytes
}

#[test]
fn zip_bombs_are_refused_however_small_they_claim_to_be() {
    let limits = Limits {
        inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    let too_large = Some(FileError::InflatesTooLarge { limit: 10 << 20 });
    let started = Instant::now();
    for streamed in [false, true] {
        // Sizes stated up front, or known only after inflating.
        let bomb = zip_bomb(streamed);
        assert_eq!(open(&bomb, FileKind::Xlsx, &limits).err(), too_large);
        // Sizes that lie: the zip reader stops at the stated size, the file is unreadable.
        let outcome = open(&lie_about_sizes(bomb), FileKind::Xlsx, &limits);
        assert!(
            matches!(
                outcome,
                Err(FileError::InflatesTooLarge { .. } | FileError::Corrupt(_))
            ),
            "{:?}",
            outcome.err()
        );
    }
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// The zip with one entry's content replaced.
fn with_entry(bytes: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..source.len() {
        let entry = source.by_index(index).unwrap();
        if entry.name_raw() == name.as_bytes() {
            drop(entry);
            let options = zip::write::SimpleFileOptions::default();
            out.start_file(name, options).unwrap();
            out.write_all(content).unwrap();
        } else {
            out.raw_copy_file(entry).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

fn entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
}

/// Parts of a few hundred bytes that would make calamine allocate gigabytes or more.
#[test]
fn announced_and_repeated_sizes_are_refused() {
    let xlsx = time_clock_workbook();
    let strings = entry(&xlsx, "xl/sharedStrings.xml");
    let start = strings.find("uniqueCount=\"").unwrap() + 13;
    let end = start + strings[start..].find('"').unwrap();
    let bomb = format!("{}100000000000000{}", &strings[..start], &strings[end..]);
    let bomb = with_entry(&xlsx, "xl/sharedStrings.xml", bomb.as_bytes());
    let outcome = open(&bomb, FileKind::Xlsx, &Limits::default());
    assert!(
        matches!(&outcome, Err(FileError::Corrupt(why)) if why.contains("texts")),
        "{:?}",
        outcome.err()
    );

    let ods = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/sheets/Wochenreport_KW45.ods"),
    )
    .unwrap();
    let content = entry(&ods, "content.xml");
    let table_start = content.find("<table:table-row>").unwrap();
    let filled = "<table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"90\"/>";
    let cells_bomb = format!(
        "<table:table-row table:number-rows-repeated=\"1000000\">{filled}</table:table-row>"
    );
    let spaces_bomb = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"1000000000\"/></text:p></table:table-cell></table:table-row>";
    let ods_with = |rows: &str| {
        let bomb = format!(
            "{}{rows}{}",
            &content[..table_start],
            &content[table_start..]
        );
        open(
            &with_entry(&ods, "content.xml", bomb.as_bytes()),
            FileKind::Ods,
            &Limits::default(),
        )
    };
    // 90 million cells: under calamine's own limit, several GB in its memory.
    let outcome = ods_with(&cells_bomb);
    assert!(
        matches!(&outcome, Err(FileError::Corrupt(why)) if why.contains("cells")),
        "{:?}",
        outcome.err()
    );
    // A billion spaces in one cell.
    let outcome = ods_with(spaces_bomb);
    assert!(
        matches!(outcome, Err(FileError::InflatesTooLarge { .. })),
        "{:?}",
        outcome.err()
    );
    // The sample itself passes the same way.
    assert!(ods_with("").is_ok());
}

/// The sample workbooks in `samples/sheets/` and the cells their layout relies on.
#[test]
fn sample_workbooks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/sheets");

    let month = open_file(&dir.join("Monatsreport_2026-11.xlsx")).unwrap();
    let names: Vec<&str> = month.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Anna Muster", "Ben Beispiel"]);
    let anna: Vec<(u32, Vec<Cell>)> = month.sheets[0].rows().collect();
    assert_eq!(anna[0], (1, vec![Cell::Text("Monatsreport November 2026")]));
    assert_eq!(
        anna[1].1,
        [Cell::Text(
            "Mitarbeiter: Anna Muster (anna.muster@example.com)"
        )]
    );
    assert_eq!(anna[2].0, 4, "row 3 is blank");
    assert_eq!(anna[2].1[0], Cell::Text("Datum"));
    assert_eq!(
        anna[3].1,
        [
            Cell::Date(date(2026, 11, 2)),
            Cell::Text("Mo"),
            Cell::Time(hm(7, 58)),
            Cell::Time(hm(16, 31)),
            Cell::Number(30.0),
            Cell::Duration(hm(8, 3)),
        ]
    );
    let weekend = anna
        .iter()
        .find(|(_, c)| c.get(1) == Some(&Cell::Text("Sa")))
        .unwrap();
    assert_eq!(weekend.1, [Cell::Date(date(2026, 11, 7)), Cell::Text("Sa")]);
    let total = anna.last().unwrap();
    assert_eq!(total.1[0], Cell::Text("Summe"));
    assert!(matches!(total.1[5], Cell::Duration(_)));
    let ben: Vec<(u32, Vec<Cell>)> = month.sheets[1].rows().collect();
    assert!(
        ben.iter()
            .any(|(_, c)| matches!(c[..], [Cell::Date(_), _, Cell::Time(_), Cell::Empty, ..])),
        "Ben's forgotten clock-out"
    );

    let week = open_file(&dir.join("Wochenreport_KW45.ods")).unwrap();
    let rows: Vec<(u32, Vec<Cell>)> = week.sheets[0].rows().collect();
    assert_eq!(
        rows[0].1,
        ["E-Mail", "Datum", "Beginn", "Ende", "Pause", "Kommentar"].map(Cell::Text)
    );
    assert_eq!(
        rows[1].1[..5],
        [
            Cell::Text("anna.muster@example.com"),
            Cell::Text("02.11.2026"),
            Cell::Text("07:58"),
            Cell::Text("16:31"),
            Cell::Text("0:30"),
        ]
    );
    assert_eq!(rows.last().unwrap().1[0], Cell::Text("Gesamt"));

    let day = open_file(&dir.join("Tagesreport_2026-11-02.xls")).unwrap();
    let rows: Vec<(u32, Vec<Cell>)> = day.sheets[0].rows().collect();
    assert!(
        rows.iter()
            .any(|(_, c)| c.contains(&Cell::Date(date(2026, 11, 2)))
                && c.contains(&Cell::Time(hm(7, 58)))),
        "{rows:?}"
    );
}

/// One long text in many cells is stored once in the file but copied into every cell.
#[test]
fn repeated_long_texts_count_every_copy() {
    let mut book = XlsxWriter::new();
    let sheet = book.add_worksheet();
    let long = "Bemerkung ".repeat(3_000);
    for row in 0..1_000 {
        sheet.write_string(row, 0, &long).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    assert!(bytes.len() < 1 << 20);
    assert!(open(&bytes, FileKind::Xlsx, &Limits::default()).is_ok());
    let limits = Limits {
        inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    assert_eq!(
        open(&bytes, FileKind::Xlsx, &limits).err(),
        Some(FileError::InflatesTooLarge { limit: 10 << 20 })
    );
}
