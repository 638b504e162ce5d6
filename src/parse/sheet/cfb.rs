//! The compound file around an `.xls`, walked before calamine loads it.
//!
//! An `.xls` is a little file system: sectors linked by a table (the FAT). calamine
//! follows those links without noticing a loop, so a directory chain that points back
//! at itself grows a buffer until memory runs out, and a looping stream chain grows it
//! to whatever length the directory claims (up to 4 GiB). This module follows the same
//! links the same way — including how calamine reads a sector that lies past the end of
//! the file — refuses loops, and hands back the workbook stream calamine will read, so
//! that [`super::biff`] can measure it.

use std::borrow::Cow;

use crate::parse::error::FileError;

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Sector ids from here up are markers, not sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream, in 64-byte sectors.
const MINI_CUTOFF: usize = 4096;
const MINI_SECTOR: usize = 64;

/// The stream calamine reads an `.xls` from ("Workbook", or "Book" in BIFF5 files).
/// An encrypted xlsx (an OLE file holding an `EncryptedPackage`) is [`FileError::Encrypted`].
pub fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, FileError> {
    if bytes.len() < 512 || bytes[..8] != SIGNATURE {
        return Err(FileError::Corrupt(
            "not an Excel 97-2003 workbook (no compound file header)".into(),
        ));
    }
    let mut file = Sectors::open(bytes)?;
    let directory = file.directory()?;
    if directory.iter().any(|e| e.is("EncryptedPackage")) {
        return Err(FileError::Encrypted);
    }
    let mini = if file.mini_fat_len > 0 {
        let root = &directory[0];
        let stream = file.chain(root.start, root.len)?;
        let fat = file.chain(
            file.mini_fat_start,
            file.mini_fat_len.saturating_mul(file.size),
        )?;
        Some((stream, words(&fat)?))
    } else {
        None
    };
    let entry = ["Workbook", "Book"]
        .iter()
        .find_map(|name| directory.iter().find(|e| e.is(name)))
        .ok_or_else(|| FileError::Corrupt("no workbook stream in the compound file".into()))?;
    if entry.len < MINI_CUTOFF {
        let (stream, fat) = mini.as_ref().ok_or_else(|| broken("no mini stream"))?;
        mini_chain(stream, fat, entry.start, entry.len)
    } else {
        file.chain(entry.start, entry.len)
    }
}

fn broken(what: &str) -> FileError {
    FileError::Corrupt(format!("broken compound file: {what}"))
}

fn words(bytes: &[u8]) -> Result<Vec<u32>, FileError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(broken("a table ends mid-entry"));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        .collect())
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

struct Entry {
    name: String,
    start: u32,
    len: usize,
}

impl Entry {
    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// The regular sectors, read the way calamine reads them: lazily and in order, a sector
/// past the end of the file coming back short the first time and zero-filled after.
struct Sectors<'a> {
    /// Everything after the header.
    body: &'a [u8],
    size: usize,
    max_id: u32,
    /// How much of the body calamine would have loaded so far (may pass its end).
    loaded: usize,
    fat: Vec<u32>,
    version: u16,
    dir_start: u32,
    mini_fat_start: u32,
    mini_fat_len: usize,
}

impl<'a> Sectors<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, FileError> {
        let size = match u16_at(bytes, 30) {
            9 => 512,
            12 => 4096,
            _ => return Err(broken("unknown sector size")),
        };
        if bytes.len() < size || u16_at(bytes, 32) != 6 {
            return Err(broken("bad header"));
        }
        let mut file = Sectors {
            body: &bytes[size..],
            size,
            max_id: u32::try_from(bytes.len() / size).unwrap_or(u32::MAX),
            loaded: 0,
            fat: Vec::new(),
            version: u16_at(bytes, 26),
            dir_start: u32_at(bytes, 48),
            mini_fat_start: u32_at(bytes, 60),
            mini_fat_len: u32_at(bytes, 64) as usize,
        };
        let mut difat = words(&bytes[76..512])?;
        let mut next = u32_at(bytes, 68);
        let mut hops = 0u64;
        while next < RESERVED {
            hops += 1;
            if hops > u64::from(file.max_id) + 1 {
                return Err(broken("the sector allocation list loops"));
            }
            difat.extend(words(&file.sector(next)?)?);
            next = difat
                .pop()
                .ok_or_else(|| broken("empty allocation sector"))?;
        }
        let fat_sectors: Vec<u32> = difat.into_iter().filter(|id| *id < DIFAT_SECTOR).collect();
        // More table sectors than the file has sectors only serves to blow up the table.
        if fat_sectors.len() as u64 > u64::from(file.max_id) + 1 {
            return Err(broken("more allocation sectors than sectors"));
        }
        for id in fat_sectors {
            let words = words(&file.sector(id)?)?;
            file.fat.extend(words);
        }
        Ok(file)
    }

    fn sector(&mut self, id: u32) -> Result<Cow<'a, [u8]>, FileError> {
        if id > self.max_id {
            return Err(broken("a sector lies past the end of the file"));
        }
        let start = id as usize * self.size;
        let end = start + self.size;
        let mut stop = end;
        if end > self.loaded {
            // calamine reads on from where it stopped; at the end of the file the read
            // comes back short, and the buffer is zero-filled up to `end` regardless.
            let reached = self.loaded.max(self.body.len()).min(end);
            if reached < end {
                stop = reached;
            }
            self.loaded = end;
        }
        if start > stop {
            return Err(broken("a sector lies past the end of the file"));
        }
        Ok(if stop <= self.body.len() {
            Cow::Borrowed(&self.body[start..stop])
        } else {
            let mut padded = self.body.get(start..).unwrap_or_default().to_vec();
            padded.resize(stop - start, 0);
            Cow::Owned(padded)
        })
    }

    /// The bytes of the chain starting at `start`, at most `len` of them.
    fn chain(&mut self, start: u32, len: usize) -> Result<Vec<u8>, FileError> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.max_id as usize + 1];
        let mut id = start;
        while id != END_OF_CHAIN {
            let sector = self.sector(id)?;
            let index = id as usize;
            if std::mem::replace(&mut seen[index], true) {
                return Err(broken("a sector chain loops"));
            }
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            id = *self
                .fat
                .get(index)
                .ok_or_else(|| broken("a chain leaves the table"))?;
        }
        Ok(out)
    }

    fn directory(&mut self) -> Result<Vec<Entry>, FileError> {
        let bytes = self.chain(self.dir_start, usize::MAX)?;
        let entries: Vec<Entry> = bytes
            .chunks_exact(128)
            .map(|raw| {
                let units = raw[..64]
                    .chunks_exact(2)
                    .map(|u| u16::from_le_bytes([u[0], u[1]]))
                    .take_while(|u| *u != 0);
                let name = char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect();
                let len = if self.size == 512 {
                    u32_at(raw, 120) as usize
                } else {
                    usize::try_from(u64::from(u32_at(raw, 120)) | u64::from(u32_at(raw, 124)) << 32)
                        .unwrap_or(usize::MAX)
                };
                Entry {
                    name,
                    start: u32_at(raw, 116),
                    len,
                }
            })
            .collect();
        match entries.first() {
            None => Err(broken("empty directory")),
            Some(root) if self.version != 3 && root.start == END_OF_CHAIN => {
                Err(broken("empty root"))
            }
            Some(_) => Ok(entries),
        }
    }
}

/// A short stream out of the mini stream. calamine fetches a mini sector past the mini
/// stream's end from wherever its file reader happens to stand; such files are refused.
fn mini_chain(stream: &[u8], fat: &[u32], start: u32, len: usize) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::new();
    let mut id = start;
    while id != END_OF_CHAIN {
        let from = id as usize * MINI_SECTOR;
        let sector = stream
            .get(from..from + MINI_SECTOR)
            .ok_or_else(|| broken("a mini sector lies outside the mini stream"))?;
        let take = sector.len().min(len - out.len());
        out.extend_from_slice(&sector[..take]);
        if out.len() >= len {
            break;
        }
        id = *fat
            .get(id as usize)
            .ok_or_else(|| broken("a chain leaves the table"))?;
    }
    Ok(out)
}
