//! Column profiles: the layout of a file that detection does not understand, written
//! down in the config.
//!
//! ```toml
//! [[profiles]]
//! name = "zeitmaster"
//! header_row = 3                 # 1-based; omitted: found by the column names below
//! columns = { email = "Mitarbeiter-Mail", date = "B", start = 3, end = 4, break = "Pause" }
//! date_format = "%d/%m/%Y"       # chrono strftime syntax
//! time_format = "%H.%M"
//! break_unit = "minutes"         # "auto" | "minutes" | "hours" | "hmm"
//! delimiter = ";"
//! encoding = "windows-1252"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::columns::{Role, fold};
use super::value::BreakUnit;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub columns: BTreeMap<Role, ColumnRef>,
    #[serde(default)]
    pub header_row: Option<u32>,
    #[serde(default)]
    pub date_format: Option<String>,
    #[serde(default)]
    pub time_format: Option<String>,
    #[serde(default)]
    pub break_unit: BreakUnit,
    #[serde(default)]
    pub delimiter: Option<char>,
    #[serde(default)]
    pub encoding: Option<String>,
}

/// A column named by its header text, its letter (`"C"`) or its 1-based number.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ColumnRef {
    Number(usize),
    Name(String),
}

impl ColumnRef {
    /// The 0-based index of this column, given the header row's labels (if any).
    pub fn resolve(&self, header: Option<&[String]>) -> Option<usize> {
        match self {
            ColumnRef::Number(n) => n.checked_sub(1),
            ColumnRef::Name(name) => {
                if let Some(header) = header {
                    let want = fold(name);
                    if let Some(i) = header.iter().position(|h| fold(h) == want) {
                        return Some(i);
                    }
                }
                column_letter(name)
            }
        }
    }

    /// Whether this reference needs a header row to resolve.
    pub fn needs_header(&self) -> bool {
        matches!(self, ColumnRef::Name(n) if column_letter(n).is_none())
    }
}

/// `"A"` → 0, `"AB"` → 27; only up to three letters, so real names are not taken for letters.
fn column_letter(name: &str) -> Option<usize> {
    let name = name.trim();
    if name.is_empty() || name.len() > 3 || !name.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some(
        name.bytes()
            .fold(0usize, |acc, b| acc * 26 + usize::from(b - b'A' + 1))
            - 1,
    )
}

impl Profile {
    /// The formats this profile overrides.
    pub fn formats(&self) -> super::value::Formats<'_> {
        super::value::Formats {
            date: self.date_format.as_deref(),
            time: self.time_format.as_deref(),
        }
    }

    /// Whether the profile's columns can be placed without a header row.
    pub fn is_headerless(&self) -> bool {
        self.header_row.is_none() && !self.columns.values().any(ColumnRef::needs_header)
    }

    /// Checks what serde cannot: the columns a record needs are there.
    pub fn check(&self) -> Result<(), String> {
        for role in [Role::Date, Role::Start, Role::End] {
            if !self.columns.contains_key(&role) {
                return Err(format!(
                    "profile {:?} has no column for {role:?}",
                    self.name
                ));
            }
        }
        if let Some(e) = &self.encoding
            && encoding_rs::Encoding::for_label(e.as_bytes()).is_none()
        {
            return Err(format!("profile {:?}: unknown encoding {e:?}", self.name));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_resolve_by_name_letter_or_number() {
        let header: Vec<String> = ["Nr", "Mitarbeiter-Mail", "Tag"].map(String::from).into();
        let h = Some(header.as_slice());
        assert_eq!(
            ColumnRef::Name("mitarbeiter mail".into()).resolve(h),
            Some(1)
        );
        assert_eq!(ColumnRef::Name("C".into()).resolve(h), Some(2));
        assert_eq!(ColumnRef::Name("AB".into()).resolve(None), Some(27));
        assert_eq!(ColumnRef::Number(1).resolve(None), Some(0));
        assert_eq!(ColumnRef::Number(0).resolve(None), None);
        assert_eq!(ColumnRef::Name("Pause".into()).resolve(h), None);
    }

    #[test]
    fn a_profile_reads_from_toml() {
        let p: Profile = toml::from_str(
            r#"
            name = "x"
            columns = { email = "Mail", date = "B", start = 3, end = 4 }
            date_format = "%d/%m/%Y"
            break_unit = "hours"
            "#,
        )
        .unwrap();
        assert_eq!(p.columns[&Role::Start], ColumnRef::Number(3));
        assert_eq!(p.break_unit, BreakUnit::Hours);
        assert!(!p.is_headerless());
        assert!(p.check().is_ok());
    }
}
