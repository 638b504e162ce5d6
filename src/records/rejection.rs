//! Why a row cannot become a record, said the way HR would say it.

use chrono::NaiveDate;

use crate::lang::Lang;
use crate::parse::value::format_minutes;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    MissingEmployee,
    /// A personnel number, card id or name the employee map does not know.
    UnknownEmployee(String),
    InvalidEmail(String),
    MissingDate,
    InvalidDate(String),
    ImpossibleDate(String),
    MissingStart,
    InvalidStart(String),
    /// A forgotten clock-out.
    MissingEnd,
    InvalidEnd(String),
    EndBeforeStart {
        start: u16,
        end: u16,
    },
    SameStartAndEnd {
        at: u16,
    },
    /// A date-time in the start or end cell on another day than the row's date.
    DateMismatch {
        date: NaiveDate,
        other: NaiveDate,
    },
    InvalidBreak(String),
    NegativeBreak(String),
    BreakTooLong {
        break_minutes: u32,
        period: u32,
    },
    TooLong {
        minutes: u32,
        max: u32,
    },
    InFuture(NaiveDate),
    /// Overlaps a period of an earlier row of the same file.
    Overlaps {
        row: String,
        start: u16,
        end: u16,
    },
    /// Same employee, day and start as an earlier row, but another end or break.
    Conflicts {
        row: String,
    },
}

fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn hours(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

impl Rejection {
    /// One sentence for HR: what is wrong and, where it helps, what to do.
    pub fn reason(&self, lang: Lang) -> String {
        use Rejection::*;
        let t = format_minutes;
        match lang {
            Lang::De => match self {
                MissingEmployee => "Es ist kein Mitarbeiter angegeben (E-Mail-Adresse fehlt).".into(),
                UnknownEmployee(k) => format!(
                    "Mitarbeiter „{k}“ ist keiner E-Mail-Adresse zugeordnet; bitte in der Mitarbeiterliste ergänzen."
                ),
                InvalidEmail(e) => format!("„{e}“ ist keine gültige E-Mail-Adresse."),
                MissingDate => "Das Datum fehlt.".into(),
                InvalidDate(s) => format!("„{s}“ ist kein gültiges Datum (erwartet TT.MM.JJJJ)."),
                ImpossibleDate(s) => format!("Das Datum {s} gibt es nicht."),
                MissingStart => "Die Startzeit fehlt.".into(),
                InvalidStart(s) => format!("„{s}“ ist keine gültige Startzeit (erwartet HH:MM)."),
                MissingEnd => "Die Endzeit fehlt – vermutlich wurde das Ausstempeln vergessen. Bitte die Endzeit eintragen und die Zeile erneut senden.".into(),
                InvalidEnd(s) => format!("„{s}“ ist keine gültige Endzeit (erwartet HH:MM)."),
                EndBeforeStart { start, end } => format!(
                    "Ende {} liegt vor Beginn {}. Nachtschichten über Mitternacht sind nicht freigegeben.",
                    t(*end),
                    t(*start)
                ),
                SameStartAndEnd { at } => format!("Beginn und Ende sind gleich ({}).", t(*at)),
                DateMismatch { date, other } => format!(
                    "Beginn oder Ende liegt am {}, die Zeile gehört aber zum {}.",
                    day(*other),
                    day(*date)
                ),
                InvalidBreak(s) => format!("„{s}“ ist keine gültige Pause (erwartet Minuten oder H:MM)."),
                NegativeBreak(s) => format!("Die Pause darf nicht negativ sein ({s})."),
                BreakTooLong { break_minutes, period } => format!(
                    "Die Pause ({break_minutes} Min.) ist nicht kürzer als die Anwesenheit ({period} Min.)."
                ),
                TooLong { minutes, max } => format!(
                    "Die Anwesenheit ist mit {} Std. länger als erlaubt ({} Std.).",
                    hours(*minutes),
                    hours(*max)
                ),
                InFuture(d) => format!("Das Datum {} liegt in der Zukunft.", day(*d)),
                Overlaps { row, start, end } => format!(
                    "Überschneidet sich mit Zeile {row} ({}–{}) desselben Mitarbeiters.",
                    t(*start),
                    t(*end)
                ),
                Conflicts { row } => format!(
                    "Widerspricht Zeile {row}: gleicher Mitarbeiter, Tag und Beginn, aber anderes Ende oder andere Pause."
                ),
            },
            Lang::En => match self {
                MissingEmployee => "No employee given (the e-mail address is missing).".into(),
                UnknownEmployee(k) => format!(
                    "Employee \"{k}\" is not mapped to an e-mail address; please add them to the employee list."
                ),
                InvalidEmail(e) => format!("\"{e}\" is not a valid e-mail address."),
                MissingDate => "The date is missing.".into(),
                InvalidDate(s) => format!("\"{s}\" is not a valid date (expected DD.MM.YYYY)."),
                ImpossibleDate(s) => format!("The date {s} does not exist."),
                MissingStart => "The start time is missing.".into(),
                InvalidStart(s) => format!("\"{s}\" is not a valid start time (expected HH:MM)."),
                MissingEnd => "The end time is missing; the clock-out was probably forgotten. Please enter the end time and send the row again.".into(),
                InvalidEnd(s) => format!("\"{s}\" is not a valid end time (expected HH:MM)."),
                EndBeforeStart { start, end } => {
                    format!("end {} is before start {}", t(*end), t(*start))
                }
                SameStartAndEnd { at } => format!("Start and end are the same ({}).", t(*at)),
                DateMismatch { date, other } => format!(
                    "The start or end is on {}, but the row is for {}.",
                    day(*other),
                    day(*date)
                ),
                InvalidBreak(s) => format!("\"{s}\" is not a valid break (expected minutes or H:MM)."),
                NegativeBreak(s) => format!("The break cannot be negative ({s})."),
                BreakTooLong { break_minutes, period } => format!(
                    "The break ({break_minutes} min) is not shorter than the attendance ({period} min)."
                ),
                TooLong { minutes, max } => format!(
                    "The attendance of {} h is longer than allowed ({} h).",
                    hours(*minutes),
                    hours(*max)
                ),
                InFuture(d) => format!("The date {} is in the future.", day(*d)),
                Overlaps { row, start, end } => format!(
                    "Overlaps row {row} ({}–{}) of the same employee.",
                    t(*start),
                    t(*end)
                ),
                Conflicts { row } => format!(
                    "Contradicts row {row}: same employee, day and start, but another end or break."
                ),
            },
        }
    }
}
