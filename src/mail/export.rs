//! Which attachments may be time-clock exports.
//!
//! Mail clients label files carelessly: a CSV comes as `application/octet-stream`, as
//! `text/plain` or as `application/vnd.ms-excel`, so the file name's extension counts as
//! much as the content type. Some parts are never worth opening even when a name or type
//! would otherwise match (a signature, a logo, a calendar invitation, the HTML body
//! itself): ruling them out first keeps the importer from reporting them to HR as
//! "unreadable export files".

use super::name::extension;

/// File name extensions of the formats the importer can read.
const EXPORT_EXTENSIONS: &[&str] = &["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods"];

/// Content types of the formats the importer can read.
const EXPORT_TYPES: &[&str] = &[
    "text/csv",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// Content types that are never exports, whatever the name says.
const NEVER_TYPES: &[&str] = &[
    "application/pdf",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pkcs7-mime",
    "application/x-pkcs7-mime",
    "application/pgp-signature",
    "application/pgp-encrypted",
    "application/ics",
    "text/calendar",
    "text/html",
];

/// Extensions that are never exports, whatever the content type says.
const NEVER_EXTENSIONS: &[&str] = &[
    "pdf", "p7s", "p7m", "p7c", "asc", "sig", "gpg", "pgp", "ics", "vcs", "htm", "html", "png",
    "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "heic", "svg", "ico",
];

/// Whether a part named `name` with the lower-case `content_type` may be an export.
pub fn is_export(name: &str, content_type: &str) -> bool {
    let content_type = content_type.trim();
    let ext = extension(name);
    let ext = ext.as_deref();
    if content_type.starts_with("image/") || NEVER_TYPES.contains(&content_type) {
        return false;
    }
    if ext.is_some_and(|ext| NEVER_EXTENSIONS.contains(&ext)) {
        return false;
    }
    ext.is_some_and(|ext| EXPORT_EXTENSIONS.contains(&ext)) || EXPORT_TYPES.contains(&content_type)
}

#[cfg(test)]
mod tests {
    use super::is_export;

    #[test]
    fn exports_by_name() {
        for name in [
            "Personio_Export_2026-11-02.csv",
            "ZEITEN.CSV",
            "zeiten.Txt",
            "a.tsv",
            "Monat.xlsx",
            "Monat.xlsm",
            "alt.xls",
            "libre.ods",
        ] {
            assert!(is_export(name, "application/octet-stream"), "{name}");
        }
    }

    #[test]
    fn exports_by_content_type() {
        for ct in [
            "text/csv",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.oasis.opendocument.spreadsheet",
        ] {
            assert!(is_export("download", ct), "{ct}");
        }
    }

    #[test]
    fn never_exports() {
        assert!(!is_export("image001.png", "image/png"));
        assert!(!is_export("zeiten.csv", "image/png"));
        assert!(!is_export("smime.p7s", "application/pkcs7-signature"));
        assert!(!is_export("smime.p7s", "application/octet-stream"));
        assert!(!is_export("signature.asc", "application/pgp-signature"));
        assert!(!is_export("signature.asc", "text/plain"));
        assert!(!is_export("Bericht.pdf", "application/pdf"));
        assert!(!is_export("Bericht.pdf", "application/vnd.ms-excel"));
        assert!(!is_export("invite.ics", "text/calendar"));
        assert!(!is_export("body.txt", "text/html"));
        assert!(!is_export("Zeiterfassung.eml", "message/rfc822"));
        assert!(!is_export("winmail.dat", "application/ms-tnef"));
        assert!(!is_export("archive.zip", "application/zip"));
    }
}
