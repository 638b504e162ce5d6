//! Recognising header cells: which column holds what.
//!
//! Headers are compared after folding case, umlaut spellings (`ä` = `ae`), spaces and
//! punctuation, so `E-Mail`, `e_mail` and `EMAIL` are one name. Unit words (`min`, `h`,
//! `Std`, `hh:mm`) are taken off the name and kept as a hint for the break column.

use super::value::BreakUnit;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Email,
    Date,
    Start,
    End,
    Break,
    Comment,
    PersonnelNumber,
    CardId,
    Name,
    FirstName,
    LastName,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Email,
        Role::Date,
        Role::Start,
        Role::End,
        Role::Break,
        Role::Comment,
        Role::PersonnelNumber,
        Role::CardId,
        Role::Name,
        Role::FirstName,
        Role::LastName,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}

const SYNONYMS: &[(Role, &[&str])] = &[
    (
        Role::Email,
        &[
            "email",
            "mail",
            "emailadresse",
            "mailadresse",
            "emailaddress",
            "mitarbeiteremail",
            "employeeemail",
            "mitarbeitermail",
            "benutzeremail",
            "useremail",
        ],
    ),
    (
        Role::Date,
        &[
            "datum",
            "date",
            "tag",
            "arbeitstag",
            "buchungsdatum",
            "workdate",
            "anwesenheitsdatum",
        ],
    ),
    (
        Role::Start,
        &[
            "startzeit",
            "start",
            "beginn",
            "kommen",
            "von",
            "begin",
            "arbeitsbeginn",
            "kommt",
            "clockin",
            "checkin",
            "from",
            "in",
            "beginnzeit",
            "anfang",
            "startuhrzeit",
        ],
    ),
    (
        Role::End,
        &[
            "endzeit",
            "ende",
            "gehen",
            "end",
            "bis",
            "arbeitsende",
            "geht",
            "clockout",
            "checkout",
            "to",
            "out",
            "stop",
            "endeuhrzeit",
            "enduhrzeit",
        ],
    ),
    (
        Role::Break,
        &[
            "pause",
            "break",
            "pausenzeit",
            "pausen",
            "pausendauer",
            "breaks",
            "unterbrechung",
            "breakduration",
            "pausezeit",
        ],
    ),
    (
        Role::Comment,
        &[
            "kommentar",
            "comment",
            "bemerkung",
            "notiz",
            "bemerkungen",
            "notizen",
            "note",
            "notes",
            "anmerkung",
            "comments",
            "kommentare",
            "remark",
            "remarks",
        ],
    ),
    (
        Role::PersonnelNumber,
        &[
            "personalnummer",
            "personalnr",
            "persnr",
            "pnr",
            "mitarbeiternummer",
            "mitarbeiternr",
            "manr",
            "mitarbeiterid",
            "employeenumber",
            "employeeid",
            "employeeno",
            "personnelnumber",
            "staffid",
            "staffnumber",
        ],
    ),
    (
        Role::CardId,
        &[
            "karte",
            "kartennummer",
            "kartennr",
            "kartenid",
            "chip",
            "chipnummer",
            "chipid",
            "card",
            "cardid",
            "cardnumber",
            "rfid",
            "transponder",
            "badge",
            "badgeid",
        ],
    ),
    (
        Role::Name,
        &[
            "name",
            "mitarbeiter",
            "employee",
            "mitarbeitername",
            "employeename",
            "fullname",
            "mitarbeiterin",
            "person",
        ],
    ),
    (Role::FirstName, &["vorname", "firstname", "givenname"]),
    (
        Role::LastName,
        &["nachname", "lastname", "surname", "familienname"],
    ),
];

/// Words that only say how a column is measured.
fn unit_of(token: &str) -> Option<BreakUnit> {
    match token {
        "min" | "mins" | "minute" | "minuten" | "minutes" => Some(BreakUnit::Minutes),
        "h" | "std" | "stunde" | "stunden" | "hour" | "hours" | "hrs" | "dezimal" | "decimal" => {
            Some(BreakUnit::Hours)
        }
        "hh" | "hhmm" | "hmm" | "hhmmss" => Some(BreakUnit::Hmm),
        _ => None,
    }
}

/// Words that add nothing to a column's name.
const FILLERS: &[&str] = &[
    "in", "der", "des", "the", "of", "time", "zeit", "uhrzeit", "mm", "ss",
];

/// A header cell read as a column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderName {
    pub role: Option<Role>,
    pub unit: Option<BreakUnit>,
}

/// Folds a label for comparison: lower case, umlauts spelled out, only letters and digits,
/// split into words.
pub fn fold_words(label: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => word.push_str("ae"),
            'ö' => word.push_str("oe"),
            'ü' => word.push_str("ue"),
            'ß' => word.push_str("ss"),
            // Combining diaeresis of a decomposed umlaut (a + ¨).
            '\u{308}' => word.push('e'),
            c if c.is_alphanumeric() => word.push(c),
            _ => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Folds a label into one comparable key (`"E-Mail"` → `"email"`).
pub fn fold(label: &str) -> String {
    fold_words(label).concat()
}

pub fn classify(label: &str) -> HeaderName {
    let words = fold_words(label);
    let mut unit = None;
    let mut name_words: Vec<&str> = Vec::new();
    for w in &words {
        match unit_of(w) {
            Some(u) if !name_words.is_empty() => unit = Some(u),
            _ => name_words.push(w),
        }
    }
    let without_fillers: Vec<&str> = name_words
        .iter()
        .copied()
        .filter(|w| !FILLERS.contains(w))
        .collect();
    let key = if without_fillers.is_empty() {
        name_words.concat()
    } else {
        without_fillers.concat()
    };
    let role = role_of(&key).or_else(|| role_of(&name_words.concat()));
    HeaderName { role, unit }
}

fn role_of(key: &str) -> Option<Role> {
    if key.is_empty() {
        return None;
    }
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&key))
        .map(|(role, _)| *role)
}

/// Words that open a total row.
pub fn is_total_label(text: &str) -> bool {
    const TOTALS: &[&str] = &[
        "summe",
        "gesamt",
        "total",
        "saldo",
        "sum",
        "zwischensumme",
        "gesamtsumme",
        "summen",
        "totals",
        "subtotal",
        "gesamtzeit",
        "monatssumme",
        "wochensumme",
    ];
    fold_words(text)
        .first()
        .is_some_and(|w| TOTALS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(label: &str) -> Option<Role> {
        classify(label).role
    }

    #[test]
    fn synonyms_in_german_and_english_any_spelling() {
        for l in ["E-Mail", "Email", "MAIL", "e_mail", " E-Mail-Adresse "] {
            assert_eq!(role(l), Some(Role::Email), "{l}");
        }
        for l in ["Datum", "Date", "Tag", "DATUM:"] {
            assert_eq!(role(l), Some(Role::Date), "{l}");
        }
        for l in [
            "Startzeit",
            "Beginn",
            "Kommen",
            "Start",
            "Von",
            "Start time",
            "Uhrzeit von",
        ] {
            assert_eq!(role(l), Some(Role::Start), "{l}");
        }
        for l in [
            "Endzeit", "Ende", "Gehen", "End", "Bis", "End Time", "END_TIME",
        ] {
            assert_eq!(role(l), Some(Role::End), "{l}");
        }
        for l in [
            "Pause",
            "Break",
            "Pausenzeit",
            "Pause (min)",
            "Pause_h",
            "Pause in Minuten",
        ] {
            assert_eq!(role(l), Some(Role::Break), "{l}");
        }
        for l in ["Kommentar", "Comment", "Bemerkung", "Notiz"] {
            assert_eq!(role(l), Some(Role::Comment), "{l}");
        }
        assert_eq!(role("Personal-Nr."), Some(Role::PersonnelNumber));
        assert_eq!(role("Kartennummer"), Some(Role::CardId));
        assert_eq!(role("Mitarbeiter"), Some(Role::Name));
        assert_eq!(role("Wochentag"), None);
        assert_eq!(role("Arbeitszeit"), None);
        assert_eq!(role("Soll_h"), None);
        assert_eq!(role(""), None);
    }

    #[test]
    fn umlauts_fold_either_way() {
        assert_eq!(fold("Bemerkung für HR"), "bemerkungfuerhr");
        assert_eq!(fold("Bemerkung fuer HR"), "bemerkungfuerhr");
        assert_eq!(fold("Bemerkung fu\u{308}r HR"), "bemerkungfuerhr");
    }

    #[test]
    fn units_become_break_hints() {
        assert_eq!(classify("Pause (min)").unit, Some(BreakUnit::Minutes));
        assert_eq!(classify("Pause_h").unit, Some(BreakUnit::Hours));
        assert_eq!(classify("Pause in Std.").unit, Some(BreakUnit::Hours));
        assert_eq!(classify("Pause [hh:mm]").unit, Some(BreakUnit::Hmm));
        assert_eq!(classify("Pause").unit, None);
    }

    #[test]
    fn total_rows_are_recognised_by_their_first_word() {
        assert!(is_total_label("Summe"));
        assert!(is_total_label("SUMME MONAT"));
        assert!(is_total_label("Gesamt:"));
        assert!(is_total_label("Total"));
        assert!(is_total_label("Saldo"));
        assert!(!is_total_label("Gesamtbetriebsversammlung"));
        assert!(!is_total_label("anna@example.com"));
    }
}
