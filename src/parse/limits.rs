//! Bounds on what one file may cost to read. Every input is untrusted: a mail can carry a
//! zip bomb, an endless CSV or a spreadsheet that asks for a billion cells.

/// Size limits for one export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file (attachment) accepted, in bytes, before anything is decoded.
    pub file_bytes: u64,
    /// Largest total size a zipped spreadsheet (xlsx, ods) may inflate to.
    pub inflated_bytes: u64,
    /// Most rows read from one file (all sheets together).
    pub rows: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: 25 * 1024 * 1024,
            inflated_bytes: 200 * 1024 * 1024,
            rows: 1_000_000,
        }
    }
}
