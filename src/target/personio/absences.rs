//! Absence periods and absence types in Personio v2 (`/v2/absence-periods`,
//! `/v2/absence-types`).
//!
//! Approval is read tolerantly (`CONFIRMED`, the attendance spelling, also counts as approved;
//! anything unknown as pending) because the absence enum is only known from third parties.
//! Changing approval by PATCH is not documented: a refusal becomes
//! [`PersonioError::Unsupported`] so the caller can delete and create instead.

use chrono::{NaiveDate, NaiveDateTime};
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Call, Client};
use super::error::PersonioError;
use super::people::conflict;
use super::wire::{self, AbsenceType};

/// Whether an absence is approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Approval {
    Pending,
    Approved,
    Rejected,
}

impl Approval {
    /// `APPROVED` or `CONFIRMED` → approved, `REJECTED` → rejected, anything else → pending.
    pub fn parse(s: &str) -> Approval {
        match s.to_ascii_uppercase().as_str() {
            "APPROVED" | "CONFIRMED" => Approval::Approved,
            "REJECTED" => Approval::Rejected,
            _ => Approval::Pending,
        }
    }

    /// The spelling Personio's absence API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Pending => "PENDING",
            Approval::Approved => "APPROVED",
            Approval::Rejected => "REJECTED",
        }
    }
}

/// An absence period as Personio holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsencePeriod {
    pub id: String,
    pub person_id: String,
    pub type_id: String,
    pub start: NaiveDateTime,
    /// `None`: open-ended (long sick leave, for instance).
    pub end: Option<NaiveDateTime>,
    pub approval: Approval,
    pub comment: Option<String>,
}

impl AbsencePeriod {
    fn from_wire(a: wire::AbsencePeriod) -> Result<AbsencePeriod, PersonioError> {
        let at = |s: Option<&str>| {
            let s = s.unwrap_or_default();
            wire::local_date_time(s)
                .ok_or_else(|| PersonioError::Unexpected(format!("absence date-time {s:?}")))
        };
        Ok(AbsencePeriod {
            id: wire::id_text(&a.id).unwrap_or_default(),
            person_id: wire::id_text(&a.person.id).unwrap_or_default(),
            type_id: a
                .absence_type
                .and_then(|t| wire::id_text(&t.id))
                .unwrap_or_default(),
            start: at(a.starts_from.date_time.as_deref())?,
            end: match a.ends_at.and_then(|e| e.date_time) {
                Some(e) => Some(at(Some(&e))?),
                None => None,
            },
            approval: a
                .approval
                .and_then(|a| a.status)
                .map_or(Approval::Pending, |s| Approval::parse(&s)),
            comment: a.comment,
        })
    }

    /// Whether it touches any moment from `from` 00:00 to `to` 23:59:59.
    fn overlaps(&self, from: NaiveDateTime, to: NaiveDateTime) -> bool {
        self.start <= to && self.end.is_none_or(|e| e >= from)
    }
}

fn day_start(d: NaiveDate) -> NaiveDateTime {
    d.and_time(chrono::NaiveTime::MIN)
}

fn day_end(d: NaiveDate) -> NaiveDateTime {
    let last = chrono::NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(chrono::NaiveTime::MIN);
    d.and_time(last)
}

const FMT: &str = "%Y-%m-%dT%H:%M:%S";

impl Client {
    /// Every absence of these persons that overlaps the days `from` to `to`, open-ended ones
    /// included. Filtered again here, in case Personio reads a filter more loosely.
    pub async fn absence_periods(
        &self,
        person_ids: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AbsencePeriod>, PersonioError> {
        let (lo, hi) = (day_start(from), day_end(to));
        let mut out = Vec::new();
        for chunk in person_ids.chunks(50) {
            let mut url = self.url("v2/absence-periods");
            url.query_pairs_mut()
                .append_pair("limit", "100")
                .append_pair("person.id", &chunk.join(","))
                .append_pair("starts_from.date_time.lte", &hi.format(FMT).to_string())
                .append_pair("ends_at.date_time.gte", &lo.format(FMT).to_string());
            for a in self
                .pages::<wire::AbsencePeriod>(Call::ListAbsences, url)
                .await?
            {
                let a = AbsencePeriod::from_wire(a)?;
                if a.overlaps(lo, hi) && chunk.contains(&a.person_id) {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }

    /// Books whole days `from` to `to`; returns the id. `approved` skips Personio's approval.
    /// An overlap with another absence is [`PersonioError::Conflict`]; a lost answer is
    /// `Unavailable { maybe_applied: true }`.
    pub async fn create_absence_period(
        &self,
        person_id: &str,
        type_id: &str,
        from: NaiveDate,
        to: NaiveDate,
        approved: bool,
        comment: &str,
    ) -> Result<String, PersonioError> {
        let body = json!({
            "person": { "id": person_id },
            "absence_type": { "id": type_id },
            "starts_from": { "date_time": day_start(from).format(FMT).to_string() },
            "ends_at": { "date_time": day_end(to).format(FMT).to_string() },
            "comment": comment,
        });
        let mut url = self.url("v2/absence-periods");
        url.query_pairs_mut()
            .append_pair("skip_approval", if approved { "true" } else { "false" });
        let answer = self
            .send(Call::CreateAbsence, Method::POST, url, Some(&body))
            .await
            .map_err(conflict)?;
        let value: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        wire::created_id(&value).ok_or_else(|| PersonioError::Unavailable {
            message: format!(
                "absence created (HTTP {}) without an id in the answer",
                answer.status.as_u16()
            ),
            maybe_applied: true,
        })
    }

    /// Sets an absence's approval. A 400 or 422 refusal is [`PersonioError::Unsupported`]:
    /// Personio does not take approval changes this way, so delete and create instead.
    pub async fn update_absence_approval(
        &self,
        id: &str,
        approval: Approval,
    ) -> Result<(), PersonioError> {
        let body = json!({ "approval": { "status": approval.as_str() } });
        let url = self.url(&format!("v2/absence-periods/{id}"));
        match self
            .send(Call::UpdateAbsence, Method::PATCH, url, Some(&body))
            .await
        {
            Ok(_) => Ok(()),
            Err(PersonioError::Rejected {
                status: 400 | 422,
                message,
            }) => Err(PersonioError::Unsupported(format!(
                "Personio refused to change the approval of an absence: {message}"
            ))),
            Err(e) => Err(conflict(e)),
        }
    }

    /// Deletes an absence; one that is already gone counts as deleted.
    pub async fn delete_absence_period(&self, id: &str) -> Result<(), PersonioError> {
        let url = self.url(&format!("v2/absence-periods/{id}"));
        match self
            .send(Call::DeleteAbsence, Method::DELETE, url, None)
            .await
        {
            Ok(_) | Err(PersonioError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every absence type as (id, name).
    pub async fn absence_types(&self) -> Result<Vec<(String, String)>, PersonioError> {
        let mut url = self.url("v2/absence-types");
        url.query_pairs_mut().append_pair("limit", "100");
        Ok(self
            .pages::<AbsenceType>(Call::AbsenceTypes, url)
            .await?
            .into_iter()
            .filter_map(|t| Some((wire::id_text(&t.id)?, t.name.unwrap_or_default())))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_is_read_tolerantly() {
        assert_eq!(Approval::parse("APPROVED"), Approval::Approved);
        assert_eq!(Approval::parse("confirmed"), Approval::Approved);
        assert_eq!(Approval::parse("REJECTED"), Approval::Rejected);
        assert_eq!(Approval::parse("PENDING"), Approval::Pending);
        assert_eq!(Approval::parse("CANCELLED"), Approval::Pending);
        assert_eq!(
            Approval::parse(Approval::Rejected.as_str()),
            Approval::Rejected
        );
        assert_eq!(
            wire::local_date_time("2026-03-02T08:00:00.000Z"),
            Some(
                day_start(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
                    + chrono::Duration::hours(8)
            )
        );
        assert_eq!(wire::local_date_time("2026-03-02"), None);
    }
}
