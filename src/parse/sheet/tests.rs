//! Hostile `.xls` files built byte by byte, opened through [`super::open`]: each would
//! make calamine allocate without bound (an abort, not a panic) if it got to see them.

use super::open;
use crate::parse::FileKind;
use crate::parse::cell::Cell;
use crate::parse::error::FileError;
use crate::parse::limits::Limits;

const END: u32 = 0xFFFF_FFFE;
const FREE: u32 = 0xFFFF_FFFF;
const FAT_SECTOR: u32 = 0xFFFF_FFFD;

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

fn bof(kind: u16) -> Vec<u8> {
    let mut data = 0x0600u16.to_le_bytes().to_vec();
    data.extend(kind.to_le_bytes());
    data.extend([0; 12]);
    record(0x0809, &data)
}

/// A BIFF8 workbook stream with one sheet "S" holding `sheet` records.
fn biff(sheet: &[Vec<u8>]) -> Vec<u8> {
    let bound = |pos: u32| {
        let mut data = pos.to_le_bytes().to_vec();
        data.extend([0, 0, 1, 0, b'S']);
        record(0x0085, &data)
    };
    let globals_len = (bof(5).len() + bound(0).len() + 4) as u32;
    let mut out = [bof(5), bound(globals_len), record(0x000A, &[])].concat();
    out.extend(bof(0x10));
    for r in sheet {
        out.extend(r);
    }
    out.extend(record(0x000A, &[]));
    out
}

fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend(col.to_le_bytes());
    data.extend(0u16.to_le_bytes());
    data.extend(value.to_le_bytes());
    record(0x0203, &data)
}

fn words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A compound file (512-byte sectors) holding `stream` as "Workbook": sector 0 is the
/// allocation table, sector 1 the directory, the stream follows. `fat` may rewrite
/// the table before it is stored.
fn compound(stream: &[u8], fat: impl FnOnce(&mut Vec<u32>), entries: &[&str]) -> Vec<u8> {
    let mut stream = stream.to_vec();
    stream.resize(stream.len().max(4096).div_ceil(512) * 512, 0);
    let sectors = stream.len() / 512;
    let mut table = vec![FAT_SECTOR, END];
    table.extend((3..3 + sectors as u32 - 1).chain([END]));
    table.resize(128, FREE);
    fat(&mut table);

    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let mut put = |at: usize, bytes: &[u8]| header[at..at + bytes.len()].copy_from_slice(bytes);
    put(24, &0x3Eu16.to_le_bytes());
    put(26, &3u16.to_le_bytes());
    put(28, &0xFFFEu16.to_le_bytes());
    put(30, &9u16.to_le_bytes());
    put(32, &6u16.to_le_bytes());
    put(44, &1u32.to_le_bytes());
    put(48, &1u32.to_le_bytes());
    put(56, &4096u32.to_le_bytes());
    put(60, &END.to_le_bytes());
    put(68, &END.to_le_bytes());
    put(76, &words(&[0]));
    put(80, &words(&[FREE; 108]));

    let mut directory = vec![0u8; 512];
    let names = ["Root Entry", "Workbook"].iter().chain(entries).enumerate();
    for (i, name) in names {
        let entry = &mut directory[i * 128..(i + 1) * 128];
        let utf16: Vec<u8> = name
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        entry[..utf16.len()].copy_from_slice(&utf16);
        entry[64..66].copy_from_slice(&(utf16.len() as u16).to_le_bytes());
        entry[66] = if i == 0 { 5 } else { 2 };
        let (start, len) = if i == 1 {
            (2, stream.len() as u32)
        } else {
            (END, 0)
        };
        entry[116..120].copy_from_slice(&start.to_le_bytes());
        entry[120..124].copy_from_slice(&len.to_le_bytes());
    }
    [header, words(&table), directory, stream].concat()
}

fn open_xls(bytes: &[u8]) -> Result<super::Workbook, FileError> {
    open(bytes, FileKind::Xls, &Limits::default())
}

fn is_corrupt(outcome: Result<super::Workbook, FileError>, saying: &str) -> bool {
    matches!(outcome, Err(FileError::Corrupt(why)) if why.contains(saying))
}

#[test]
fn a_well_formed_file_is_read() {
    let bytes = compound(&biff(&[number(2, 1, 42.0)]), |_| {}, &[]);
    let book = open_xls(&bytes).unwrap();
    let rows: Vec<_> = book.sheets[0].rows().collect();
    assert_eq!(rows, [(3, vec![Cell::Empty, Cell::Number(42.0)])]);
}

#[test]
fn dimensions_asking_for_billions_of_cells_are_refused() {
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend(u32::MAX.to_le_bytes());
    dims.extend([0, 0, 0xFF, 0, 0, 0]);
    let bytes = compound(
        &biff(&[record(0x0200, &dims), number(0, 0, 1.0)]),
        |_| {},
        &[],
    );
    assert!(is_corrupt(open_xls(&bytes), "cells"));
}

#[test]
fn cells_far_apart_are_refused() {
    let sheet = [number(0, 0, 1.0), number(65_535, 65_535, 2.0)];
    let bytes = compound(&biff(&sheet), |_| {}, &[]);
    assert!(is_corrupt(open_xls(&bytes), "cells"));
}

#[test]
fn looping_chains_are_refused() {
    let stream = biff(&[number(0, 0, 1.0)]);
    // The directory sector pointing at itself would grow calamine's buffer forever.
    let bytes = compound(&stream, |fat| fat[1] = 1, &[]);
    assert!(is_corrupt(open_xls(&bytes), "loops"));
    // A workbook chain looping back to its start would be followed up to the
    // length the directory claims.
    let bytes = compound(&stream, |fat| fat[4] = 2, &[]);
    assert!(is_corrupt(open_xls(&bytes), "loops"));
}

#[test]
fn broken_tables_are_refused() {
    let stream = biff(&[number(0, 0, 1.0)]);
    let bytes = compound(&stream, |fat| fat[3] = 5000, &[]);
    assert!(is_corrupt(open_xls(&bytes), "past the end"));
    let mut truncated = compound(&stream, |_| {}, &[]);
    truncated.truncate(600);
    assert!(open_xls(&truncated).is_err());
}

#[test]
fn an_encrypted_package_is_encrypted() {
    let bytes = compound(&biff(&[]), |_| {}, &["EncryptedPackage"]);
    assert_eq!(open_xls(&bytes).err(), Some(FileError::Encrypted));
}

/// A shared string table holding one string of `chars` one-byte characters, split
/// over CONTINUE records as Excel splits it.
fn shared_string(chars: usize) -> Vec<u8> {
    let text = vec![b'x'; chars];
    let mut chunks = text.chunks(8000);
    let mut first = vec![1, 0, 0, 0, 1, 0, 0, 0];
    first.extend((chars as u16).to_le_bytes());
    first.push(0);
    first.extend(chunks.next().unwrap_or_default());
    let mut out = record(0x00FC, &first);
    for chunk in chunks {
        out.extend(record(0x003C, &[&[0u8][..], chunk].concat()));
    }
    out
}

fn label_sst(row: u16) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend([0, 0, 0, 0]);
    data.extend(0u32.to_le_bytes());
    record(0x00FD, &data)
}

/// [`biff`] with a shared string table in the globals.
fn biff_with_strings(table: &[u8], sheet: &[Vec<u8>]) -> Vec<u8> {
    let plain = biff(sheet);
    // The globals end with BOUNDSHEET and EOF; the table goes before them, which moves
    // the sheet by the table's length.
    let bof_len = bof(5).len();
    let bound_len = 4 + 9;
    let position = u32::from_le_bytes(plain[bof_len + 4..bof_len + 8].try_into().unwrap());
    let mut out = plain[..bof_len].to_vec();
    out.extend(table);
    let mut bound = plain[bof_len..bof_len + bound_len].to_vec();
    bound[4..8].copy_from_slice(&(position + table.len() as u32).to_le_bytes());
    out.extend(bound);
    out.extend(&plain[bof_len + bound_len..]);
    out
}

#[test]
fn shared_strings_are_counted_per_cell() {
    let table = shared_string(60_000);
    let few: Vec<Vec<u8>> = (0..3).map(label_sst).collect();
    let book = open_xls(&compound(&biff_with_strings(&table, &few), |_| {}, &[])).unwrap();
    let rows: Vec<_> = book.sheets[0].rows().collect();
    assert_eq!(rows.len(), 3);
    assert!(matches!(rows[2].1[0], Cell::Text(t) if t.len() == 60_000));

    // Every cell is a copy: 100 cells of 60 000 characters pass 10 MB of text.
    let many: Vec<Vec<u8>> = (0..100).map(label_sst).collect();
    let stream = biff_with_strings(&table, &many);
    let limits = Limits {
        inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    // Refused before calamine makes the copies.
    assert!(super::biff::check(&stream, &limits).is_err());
    let bytes = compound(&stream, |_| {}, &[]);
    assert_eq!(
        open(&bytes, FileKind::Xls, &limits).err(),
        Some(FileError::InflatesTooLarge { limit: 10 << 20 })
    );
}
