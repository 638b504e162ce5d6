//! The employee map: personnel numbers, card ids and names → e-mail addresses, for
//! exports that do not carry addresses (and for addresses that changed).

use std::collections::HashMap;

use crate::parse::EmployeeRef;
use crate::parse::columns::fold_words;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmployeeMap {
    by_key: HashMap<String, String>,
}

/// Keys compare without case, spacing, word order or leading zeros, so `"Muster, Anna"`,
/// `"anna  muster"` and `"ANNA MUSTER"` are one person and card `0004711` is `4711`.
pub fn key(text: &str) -> String {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let k = t.trim_start_matches('0');
        return if k.is_empty() { "0".into() } else { k.into() };
    }
    let mut words = fold_words(t);
    words.sort_unstable();
    words.join(" ")
}

impl EmployeeMap {
    pub fn insert(&mut self, key_text: &str, email: &str) {
        self.by_key
            .insert(key(key_text), email.trim().to_lowercase());
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    fn get(&self, text: &str) -> Option<&str> {
        self.by_key.get(&key(text)).map(String::as_str)
    }

    /// The address for what a row says about its employee. `Ok(None)`: the row names
    /// nobody. `Err(key)`: it names someone the map does not know.
    pub fn resolve<'a>(&'a self, who: &'a EmployeeRef) -> Result<Option<&'a str>, String> {
        if let Some(email) = &who.email {
            if self.by_key.is_empty() {
                return Ok(Some(email));
            }
            return Ok(Some(self.get(email).unwrap_or(email)));
        }
        let keys = [&who.personnel_number, &who.card_id, &who.name];
        for k in keys.iter().copied().flatten() {
            if let Some(email) = self.get(k) {
                return Ok(Some(email));
            }
        }
        match keys.iter().copied().flatten().next() {
            Some(k) => Err(k.clone()),
            None => Ok(None),
        }
    }
}

/// Loads an employee list: a CSV with a header naming an e-mail column and any of
/// personnel number, card id, name (or first and last name) columns. Returns how many
/// people it held.
pub fn load_csv(bytes: &[u8], map: &mut EmployeeMap) -> Result<usize, String> {
    use crate::parse::columns::{Role, classify};
    let text = crate::parse::csv::decode(bytes, None);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(crate::parse::csv::sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        _ => return Err("the employee list is empty".into()),
    };
    let column = |role: Role| header.iter().position(|h| classify(h).role == Some(role));
    let email_col = column(Role::Email).ok_or("the employee list has no e-mail column")?;
    let keys: Vec<usize> = [Role::PersonnelNumber, Role::CardId, Role::Name]
        .into_iter()
        .filter_map(column)
        .collect();
    let names = (column(Role::FirstName), column(Role::LastName));
    if keys.is_empty() && names.0.is_none() && names.1.is_none() {
        return Err("the employee list has no personnel number, card or name column".into());
    }
    let mut people = 0;
    for (i, record) in records.enumerate() {
        let record = record.map_err(|e| format!("line {}: {e}", i + 2))?;
        let field = |c: usize| record.get(c).map(str::trim).filter(|v| !v.is_empty());
        let Some(email) = field(email_col) else {
            continue;
        };
        let email = super::validate::normalise_email(email)
            .map_err(|_| format!("line {}: {email:?} is not an e-mail address", i + 2))?;
        for &k in &keys {
            if let Some(key) = field(k) {
                map.insert(key, &email);
            }
        }
        if let (Some(f), Some(l)) = (names.0.and_then(field), names.1.and_then(field)) {
            map.insert(&format!("{f} {l}"), &email);
        }
        people += 1;
    }
    Ok(people)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_employee_list_loads_from_csv() {
        let mut map = EmployeeMap::default();
        let csv = "Personalnummer;Vorname;Nachname;Karte;E-Mail\n1001;Anna;Muster;0004711;Anna.Muster@example.com\n1002;Ben;Beispiel;;ben@example.com\n";
        assert_eq!(load_csv(csv.as_bytes(), &mut map), Ok(2));
        let by = |n: &str| {
            let who = EmployeeRef {
                name: Some(n.into()),
                ..Default::default()
            };
            map.resolve(&who).map(|e| e.map(str::to_string))
        };
        assert_eq!(
            by("Muster Anna"),
            Ok(Some("anna.muster@example.com".into()))
        );
        let card = EmployeeRef {
            card_id: Some("4711".into()),
            ..Default::default()
        };
        assert_eq!(map.resolve(&card), Ok(Some("anna.muster@example.com")));
        assert!(load_csv(b"Name;Telefon\nA;1\n", &mut map).is_err());
        assert!(
            load_csv(b"Name;E-Mail\nA;kaputt\n", &mut map)
                .unwrap_err()
                .contains("line 2")
        );
    }

    #[test]
    fn keys_ignore_case_order_spacing_and_leading_zeros() {
        assert_eq!(key("Muster, Anna"), key("anna  MUSTER"));
        assert_eq!(key("0004711"), "4711");
        assert_eq!(key("Jürgen"), key("Juergen"));
        assert_ne!(key("A1"), key("1A"));
    }

    #[test]
    fn resolves_numbers_cards_names_and_old_addresses() {
        let mut map = EmployeeMap::default();
        map.insert("1001", "Anna.Muster@example.com");
        map.insert("Ben Beispiel", "ben@example.com");
        map.insert("old@example.com", "new@example.com");
        let who = |n: Option<&str>, c: Option<&str>, name: Option<&str>| EmployeeRef {
            personnel_number: n.map(Into::into),
            card_id: c.map(Into::into),
            name: name.map(Into::into),
            email: None,
        };
        assert_eq!(
            map.resolve(&who(Some("01001"), None, None)),
            Ok(Some("anna.muster@example.com"))
        );
        assert_eq!(
            map.resolve(&who(None, None, Some("Beispiel, Ben"))),
            Ok(Some("ben@example.com"))
        );
        assert_eq!(map.resolve(&who(Some("9"), None, None)), Err("9".into()));
        assert_eq!(map.resolve(&EmployeeRef::default()), Ok(None));
        let old = EmployeeRef {
            email: Some("old@example.com".into()),
            ..Default::default()
        };
        assert_eq!(map.resolve(&old), Ok(Some("new@example.com")));
    }
}
