//! Persons in Personio: listing all of them, and creating or renaming one.
//!
//! A two-way sync has to match employees in both systems and create the ones Personio lacks.
//! Only `GET /v2/persons` is documented; whether v2 takes person writes is not, so a missing
//! route becomes [`PersonioError::Unsupported`] and the caller can tell the user plainly.

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Call, Client};
use super::error::PersonioError;
use super::wire::{self, Person};

/// A person as the sync needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInfo {
    pub id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `status` is `ACTIVE` (employed, on leave or onboarding), or Personio did not say.
    pub active: bool,
    pub department: Option<String>,
}

impl PersonInfo {
    fn from_wire(p: Person) -> Option<PersonInfo> {
        let department = p.department();
        Some(PersonInfo {
            department,
            id: wire::id_text(&p.id)?,
            email: p.email.filter(|e| !e.is_empty()),
            first_name: p.first_name,
            last_name: p.last_name,
            // Credentials without attribute rights see no status: do not call them gone.
            active: p
                .status
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("ACTIVE")),
        })
    }
}

const NO_CREATE: &str = "Personio does not allow creating persons through the API";
const NO_UPDATE: &str = "Personio does not allow changing persons through the API";

impl Client {
    /// Every person, active or not, over all pages.
    pub async fn persons(&self) -> Result<Vec<PersonInfo>, PersonioError> {
        let mut url = self.url("v2/persons");
        url.query_pairs_mut().append_pair("limit", "50");
        Ok(self
            .pages::<Person>(Call::Persons, url)
            .await?
            .into_iter()
            .filter_map(PersonInfo::from_wire)
            .collect())
    }

    /// Creates a person; returns the new id. A taken e-mail is [`PersonioError::Conflict`];
    /// a lost answer is `Unavailable { maybe_applied: true }`: look the e-mail up before
    /// sending again.
    pub async fn create_person(
        &self,
        email: &str,
        first_name: &str,
        last_name: &str,
    ) -> Result<String, PersonioError> {
        let body = json!({ "email": email, "first_name": first_name, "last_name": last_name });
        let url = self.url("v2/persons");
        let answer = match self
            .send(Call::CreatePerson, Method::POST, url, Some(&body))
            .await
        {
            Ok(a) => a,
            Err(PersonioError::NotFound(_)) => {
                return Err(PersonioError::Unsupported(NO_CREATE.into()));
            }
            Err(e) => return Err(conflict(e)),
        };
        let value: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        wire::created_id(&value).ok_or_else(|| PersonioError::Unavailable {
            message: format!(
                "person created (HTTP {}) without an id in the answer",
                answer.status.as_u16()
            ),
            maybe_applied: true,
        })
    }

    /// Sets a person's first and last name.
    ///
    /// A 404 means either an unknown person or no such route; one read tells which, so the
    /// caller gets `NotFound` or `Unsupported` and never has to guess.
    pub async fn update_person(
        &self,
        id: &str,
        first_name: &str,
        last_name: &str,
    ) -> Result<(), PersonioError> {
        let body = json!({ "first_name": first_name, "last_name": last_name });
        let url = self.url(&format!("v2/persons/{id}"));
        match self
            .send(Call::UpdatePerson, Method::PATCH, url, Some(&body))
            .await
        {
            Ok(_) => Ok(()),
            Err(PersonioError::NotFound(message)) => {
                if self.person_exists(id).await? {
                    Err(PersonioError::Unsupported(NO_UPDATE.into()))
                } else {
                    Err(PersonioError::NotFound(message))
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn person_exists(&self, id: &str) -> Result<bool, PersonioError> {
        let mut url = self.url("v2/persons");
        url.query_pairs_mut()
            .append_pair("limit", "1")
            .append_pair("id", id);
        let found = self.pages::<Person>(Call::Persons, url).await?;
        Ok(found
            .iter()
            .any(|p| wire::id_text(&p.id).as_deref() == Some(id)))
    }
}

/// A 409 refusal as [`PersonioError::Conflict`]; anything else unchanged.
pub(super) fn conflict(e: PersonioError) -> PersonioError {
    match e {
        PersonioError::Rejected {
            status: 409,
            message,
        } => PersonioError::Conflict(message),
        e => e,
    }
}
