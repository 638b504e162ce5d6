use crate::lang::Lang;

/// Why a whole file could not be read. Rows that cannot be read are not errors of the
/// file: they come out as rejected rows and the rest of the file goes on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    #[error("file is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("spreadsheet inflates to more than the limit of {limit} bytes")]
    InflatesTooLarge { limit: u64 },
    #[error("file has more than the limit of {limit} rows")]
    TooManyRows { limit: u64 },
    #[error("not a CSV, XLSX, XLS or ODS file")]
    UnknownFormat,
    #[error("spreadsheet is password-protected")]
    Encrypted,
    #[error("file cannot be read: {0}")]
    Corrupt(String),
    #[error("no table with date, start and end columns found")]
    NoTable,
    #[error("profile {0:?} is not defined in the config")]
    UnknownProfile(String),
}

impl FileError {
    /// The reason in words HR understands.
    pub fn reason(&self, lang: Lang) -> String {
        match (self, lang) {
            (FileError::TooLarge { limit, .. }, Lang::De) => {
                format!("Die Datei ist größer als erlaubt ({}).", human_size(*limit))
            }
            (FileError::TooLarge { limit, .. }, Lang::En) => {
                format!("The file is larger than allowed ({}).", human_size(*limit))
            }
            (FileError::InflatesTooLarge { limit }, Lang::De) => format!(
                "Die Tabelle ist entpackt größer als erlaubt ({}).",
                human_size(*limit)
            ),
            (FileError::InflatesTooLarge { limit }, Lang::En) => format!(
                "The spreadsheet is larger than allowed once unpacked ({}).",
                human_size(*limit)
            ),
            (FileError::TooManyRows { limit }, Lang::De) => {
                format!("Die Datei hat mehr als {limit} Zeilen.")
            }
            (FileError::TooManyRows { limit }, Lang::En) => {
                format!("The file has more than {limit} rows.")
            }
            (FileError::UnknownFormat, _) => lang
                .pick(
                    "Das Dateiformat wird nicht unterstützt (erwartet: CSV, XLSX, XLS oder ODS).",
                    "The file format is not supported (expected CSV, XLSX, XLS or ODS).",
                )
                .to_string(),
            (FileError::Encrypted, _) => lang
                .pick(
                    "Die Tabelle ist mit einem Passwort geschützt. Bitte ohne Passwort speichern.",
                    "The spreadsheet is password-protected. Please save it without a password.",
                )
                .to_string(),
            (FileError::Corrupt(detail), Lang::De) => {
                format!("Die Datei ist beschädigt oder unlesbar ({detail}).")
            }
            (FileError::Corrupt(detail), Lang::En) => {
                format!("The file is damaged or unreadable ({detail}).")
            }
            (FileError::NoTable, _) => lang
                .pick(
                    "In der Datei wurde keine Tabelle mit den Spalten Datum, Beginn und Ende gefunden.",
                    "No table with date, start and end columns was found in the file.",
                )
                .to_string(),
            (FileError::UnknownProfile(name), Lang::De) => {
                format!("Das Spaltenprofil {name:?} ist nicht konfiguriert.")
            }
            (FileError::UnknownProfile(name), Lang::En) => {
                format!("The column profile {name:?} is not configured.")
            }
        }
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}
