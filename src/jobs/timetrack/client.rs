//! The TimeTrack HTTP client: credential headers, pacing, retries, page-number paging.
//!
//! Retries follow what a request is. Reads, and requests refused before anything was sent,
//! are repeated with capped exponential back-off and jitter. A write whose answer was lost
//! (5xx, reset, timeout after sending) is not repeated but reported as maybe applied:
//! TimeTrack has no idempotency key, so only the caller, by reading the resource again, can
//! tell. A 429 is always safe to repeat, after `Retry-After` when one comes (no rate limits are
//! documented, so the client is defensive about them).
//!
//! Lists are bare arrays without counts or next-page hints, so the client reads pages until
//! one comes back shorter than `limit`, and stops with an error if the server hands back the
//! same full page twice (a server that ignores `page_number` would otherwise be read forever).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Map, Value, json};

pub use super::error::TimeTrackError;
use super::wire::{self, FromWire};
pub use super::wire::{
    Absence, AbsenceStatus, AbsenceType, Attendance, NewAbsence, NewAttendance, NewUser, User,
};
use crate::config::SecretValue;
use crate::http::{Lost, Pacer, exchange};

/// TimeTrack's largest page.
pub const MAX_PAGE: u32 = 1000;
/// Pages read for one list at most.
const MAX_PAGES: u32 = 100_000;

#[derive(Clone)]
pub struct Settings {
    /// The API root, e.g. `https://<account>.timetrackenterprise.com/api/v2/ext/`.
    pub base_url: String,
    /// Sent as `X-TimeTrack-Api-Key`.
    pub api_key: String,
    /// Sent as `X-TimeTrack-Api-Secret`; regenerating it in the web app invalidates this one.
    pub api_secret: SecretValue,
    /// Requests per second at most, all kinds together.
    pub max_rps: f64,
    pub timeout: Duration,
    /// Attempts for one call before giving up.
    pub attempts: u32,
    /// Items per page, 1 to 1000 (clamped).
    pub page_size: u32,
    /// The path of an absence type list relative to `base_url`, if the account has one: no
    /// such endpoint is documented.
    pub absence_types_path: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("api_secret", &self.api_secret)
            .field("max_rps", &self.max_rps)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .field("page_size", &self.page_size)
            .field("absence_types_path", &self.absence_types_path)
            .finish()
    }
}

/// What a request is, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Users,
    CreateUser,
    UpdateUser,
    DeactivateUser,
    Attendances,
    CreateAttendance,
    UpdateAttendance,
    DeleteAttendance,
    Absences,
    CreateAbsence,
    SetAbsenceStatus,
    DeleteAbsence,
    AbsenceTypes,
    Check,
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Call::Users => "TimeTrack users",
            Call::CreateUser => "TimeTrack create user",
            Call::UpdateUser => "TimeTrack update user",
            Call::DeactivateUser => "TimeTrack deactivate user",
            Call::Attendances => "TimeTrack attendances",
            Call::CreateAttendance => "TimeTrack create attendance",
            Call::UpdateAttendance => "TimeTrack update attendance",
            Call::DeleteAttendance => "TimeTrack delete attendance",
            Call::Absences => "TimeTrack absences",
            Call::CreateAbsence => "TimeTrack create absence",
            Call::SetAbsenceStatus => "TimeTrack set absence status",
            Call::DeleteAbsence => "TimeTrack delete absence",
            Call::AbsenceTypes => "TimeTrack absence types",
            Call::Check => "TimeTrack check",
        })
    }
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
    page_size: u32,
    attempts: u32,
    absence_types_path: Option<String>,
    /// Strings that must never appear in a message: the key and the secret.
    hidden: [String; 2],
    pacer: Pacer,
}

impl Client {
    pub fn new(settings: Settings) -> Result<Client, TimeTrackError> {
        let mut base = Url::parse(&settings.base_url).map_err(|e| {
            TimeTrackError::Unexpected(format!("TimeTrack base_url {:?}: {e}", settings.base_url))
        })?;
        if base.cannot_be_a_base() {
            return Err(TimeTrackError::Unexpected(format!(
                "TimeTrack base_url {:?} cannot take a path",
                settings.base_url
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let header = |name: &str, value: &str| {
            let mut v = HeaderValue::from_str(value).map_err(|_| {
                TimeTrackError::Unexpected(format!(
                    "TimeTrack {name} contains characters that cannot go in a header"
                ))
            })?;
            v.set_sensitive(true);
            Ok::<_, TimeTrackError>(v)
        };
        let mut headers = HeaderMap::new();
        headers.insert("X-TimeTrack-Api-Key", header("api_key", &settings.api_key)?);
        headers.insert(
            "X-TimeTrack-Api-Secret",
            header("api_secret", settings.api_secret.expose())?,
        );
        headers.insert("Accept", HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("zeitpost/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .build()
            .map_err(|e| TimeTrackError::Unexpected(format!("TimeTrack client: {e}")))?;
        Ok(Client {
            http,
            base,
            page_size: settings.page_size.clamp(1, MAX_PAGE),
            attempts: settings.attempts.max(1),
            absence_types_path: settings
                .absence_types_path
                .map(|p| p.trim_matches('/').to_owned())
                .filter(|p| !p.is_empty()),
            hidden: [
                settings.api_key.clone(),
                settings.api_secret.expose().to_owned(),
            ],
            pacer: Pacer::new(settings.max_rps),
        })
    }

    /// All users, disabled ones included.
    pub async fn users(&self) -> Result<Vec<User>, TimeTrackError> {
        self.pages(Call::Users, self.url(Call::Users, "users", None)?)
            .await
    }

    /// Creates a user; TimeTrack refuses a username that is taken
    /// ([`TimeTrackError::Rejected`]).
    pub async fn create_user(&self, u: &NewUser) -> Result<User, TimeTrackError> {
        let call = Call::CreateUser;
        let mut body = json!({
            "username": u.username,
            "firstName": u.first_name,
            "lastName": u.last_name,
            "email": u.email,
            "password": u.password,
        });
        if let Some(n) = &u.personal_number {
            body["personalNumber"] = json!(n);
        }
        let url = self.url(call, "users", None)?;
        let answer = self.send(call, Method::POST, url, Some(&body)).await?;
        let v = self.json(call, &answer)?;
        match User::from_wire(&v) {
            Ok(user) => Ok(user),
            // Some answers carry the id only: the rest is what was sent.
            Err(_) => match wire::item_id(&v) {
                Some(id) => Ok(User {
                    id,
                    username: u.username.clone(),
                    email: Some(u.email.clone()),
                    first_name: Some(u.first_name.clone()),
                    last_name: Some(u.last_name.clone()),
                    enabled: true,
                }),
                None => Err(self.unexpected(call, "the answer has no id")),
            },
        }
    }

    /// Changes a user's names and e-mail (TimeTrack does not let `username` or `enabled`
    /// change through the API).
    pub async fn update_user(
        &self,
        id: &str,
        first_name: &str,
        last_name: &str,
        email: &str,
    ) -> Result<(), TimeTrackError> {
        let call = Call::UpdateUser;
        let body = json!({ "firstName": first_name, "lastName": last_name, "email": email });
        let url = self.url(call, "users", Some(id))?;
        self.send(call, Method::PUT, url, Some(&body)).await?;
        Ok(())
    }

    /// Deletes a user; TimeTrack keeps accounts with time entries and disables them instead.
    /// A user that is already gone counts as done.
    pub async fn deactivate_user(&self, id: &str) -> Result<(), TimeTrackError> {
        self.delete(Call::DeactivateUser, "users", id).await
    }

    /// Attendances starting in `[from, to)`, of one user or all. Both names of the user
    /// filter are sent (the docs use both, `sources.md` §6.14), and the answer is filtered
    /// again here, so a server that honours neither still gives the right list.
    pub async fn attendances(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        username: Option<&str>,
    ) -> Result<Vec<Attendance>, TimeTrackError> {
        let call = Call::Attendances;
        let mut url = self.url(call, "attendances", None)?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("from", &wire::format_timestamp(from))
                .append_pair("to", &wire::format_timestamp(to));
            if let Some(name) = username {
                q.append_pair("user", name).append_pair("username", name);
            }
        }
        let all: Vec<Attendance> = self.pages(call, url).await?;
        Ok(all
            .into_iter()
            .filter(|a| a.from >= from && a.from < to)
            .filter(|a| username.is_none_or(|n| a.user == n))
            .collect())
    }

    /// Creates a manual attendance; returns its id. An overlap with another entry of the
    /// user gives [`TimeTrackError::Overlap`].
    pub async fn create_attendance(&self, a: &NewAttendance) -> Result<String, TimeTrackError> {
        let call = Call::CreateAttendance;
        let url = self.url(call, "attendances", None)?;
        let answer = self
            .send(call, Method::POST, url, Some(&attendance_body(a)))
            .await
            .map_err(overlap)?;
        let v = self.json(call, &answer)?;
        wire::item_id(&v).ok_or_else(|| self.unexpected(call, "the answer has no ID"))
    }

    /// Replaces an attendance's user, times, break and notes.
    pub async fn update_attendance(
        &self,
        id: &str,
        a: &NewAttendance,
    ) -> Result<(), TimeTrackError> {
        let call = Call::UpdateAttendance;
        let url = self.url(call, "attendances", Some(id))?;
        self.send(call, Method::PUT, url, Some(&attendance_body(a)))
            .await
            .map_err(overlap)?;
        Ok(())
    }

    /// Deletes an attendance; one that is already gone counts as done.
    pub async fn delete_attendance(&self, id: &str) -> Result<(), TimeTrackError> {
        self.delete(Call::DeleteAttendance, "attendances", id).await
    }

    /// Absences that touch `[from, to]` (inclusive dates), of all users.
    pub async fn absences(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Absence>, TimeTrackError> {
        let call = Call::Absences;
        let mut url = self.url(call, "absences", None)?;
        url.query_pairs_mut()
            .append_pair("from", &wire::format_date(from))
            .append_pair("to", &wire::format_date(to));
        let all: Vec<Absence> = self.pages(call, url).await?;
        Ok(all
            .into_iter()
            .filter(|a| a.from <= to && a.to >= from)
            .collect())
    }

    /// Creates an absence (status new); returns its id. An overlap with another absence of
    /// the user gives [`TimeTrackError::Overlap`].
    pub async fn create_absence(&self, a: &NewAbsence) -> Result<String, TimeTrackError> {
        let call = Call::CreateAbsence;
        let body = json!({
            "username": a.username,
            "from": wire::format_date(a.from),
            "to": wire::format_date(a.to),
            "absenceType": a.absence_type,
        });
        let url = self.url(call, "absences", None)?;
        let answer = self
            .send(call, Method::POST, url, Some(&body))
            .await
            .map_err(overlap)?;
        let v = self.json(call, &answer)?;
        wire::item_id(&v).ok_or_else(|| self.unexpected(call, "the answer has no ID"))
    }

    /// Approves, rejects or reopens an absence: the only change TimeTrack allows on one. The
    /// status goes as a string, as in the docs' example.
    pub async fn set_absence_status(
        &self,
        id: &str,
        status: AbsenceStatus,
    ) -> Result<(), TimeTrackError> {
        let call = Call::SetAbsenceStatus;
        let body = json!({ "status": status.code().to_string() });
        let url = self.url(call, "absences", Some(id))?;
        self.send(call, Method::PUT, url, Some(&body)).await?;
        Ok(())
    }

    /// Deletes an absence; one that is already gone counts as done.
    pub async fn delete_absence(&self, id: &str) -> Result<(), TimeTrackError> {
        self.delete(Call::DeleteAbsence, "absences", id).await
    }

    /// The account's absence types, from the configured path; `None` when no path is
    /// configured or it does not exist (no such endpoint is documented).
    pub async fn absence_types(&self) -> Result<Option<Vec<AbsenceType>>, TimeTrackError> {
        let call = Call::AbsenceTypes;
        let Some(path) = &self.absence_types_path else {
            return Ok(None);
        };
        let url = self
            .base
            .join(path)
            .map_err(|e| self.unexpected(call, &format!("path {path:?}: {e}")))?;
        let answer = match self.send(call, Method::GET, url, None).await {
            Ok(a) => a,
            Err(TimeTrackError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let items = self.items(call, &answer)?;
        items
            .iter()
            .map(|v| AbsenceType::from_wire(v).map_err(|e| self.unexpected(call, &e)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// One cheap authenticated read: proves the URL, key and secret work.
    pub async fn check(&self) -> Result<(), TimeTrackError> {
        let call = Call::Check;
        let mut url = self.url(call, "users", None)?;
        url.query_pairs_mut()
            .append_pair("page_number", "0")
            .append_pair("limit", "1");
        let answer = self.send(call, Method::GET, url, None).await?;
        self.items(call, &answer).map(|_| ())
    }

    /// `base/resource[/id]`, the id percent-encoded as one segment.
    fn url(&self, call: Call, resource: &str, id: Option<&str>) -> Result<Url, TimeTrackError> {
        let mut url = self
            .base
            .join(resource)
            .map_err(|e| self.unexpected(call, &e.to_string()))?;
        if let Some(id) = id {
            url.path_segments_mut()
                .map_err(|_| self.unexpected(call, "base_url cannot take a path"))?
                .push(id);
        }
        Ok(url)
    }

    async fn delete(&self, call: Call, resource: &str, id: &str) -> Result<(), TimeTrackError> {
        let url = self.url(call, resource, Some(id))?;
        match self.send(call, Method::DELETE, url, None).await {
            Ok(_) | Err(TimeTrackError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Reads every page: `page_number` from 0 with the configured `limit`.
    async fn pages<T: FromWire>(&self, call: Call, first: Url) -> Result<Vec<T>, TimeTrackError> {
        let limit = self.page_size as usize;
        let mut out = Vec::new();
        let mut previous: Option<Vec<Value>> = None;
        for page in 0..MAX_PAGES {
            let mut url = first.clone();
            url.query_pairs_mut()
                .append_pair("page_number", &page.to_string())
                .append_pair("limit", &self.page_size.to_string());
            let answer = self.send(call, Method::GET, url, None).await?;
            let items = self.items(call, &answer)?;
            if !items.is_empty() && previous.as_ref() == Some(&items) {
                return Err(self.unexpected(
                    call,
                    &format!(
                        "page {page} repeats page {}: the server seems to ignore page_number",
                        page - 1
                    ),
                ));
            }
            for v in &items {
                out.push(T::from_wire(v).map_err(|e| self.unexpected(call, &e))?);
            }
            // Short: the last page. Longer than asked: the server ignored the paging and sent
            // everything at once.
            if items.len() != limit {
                return Ok(out);
            }
            previous = Some(items);
        }
        Err(self.unexpected(call, "paging does not end"))
    }

    fn json(&self, call: Call, answer: &str) -> Result<Value, TimeTrackError> {
        serde_json::from_str(answer).map_err(|e| self.unexpected(call, &format!("not JSON: {e}")))
    }

    fn items(&self, call: Call, answer: &str) -> Result<Vec<Value>, TimeTrackError> {
        wire::list_items(self.json(call, answer)?)
            .ok_or_else(|| self.unexpected(call, "the answer is not a list"))
    }

    fn unexpected(&self, call: Call, what: &str) -> TimeTrackError {
        TimeTrackError::Unexpected(self.scrub(format!("{call}: {what}")))
    }

    /// Removes the key and secret from a message, should a server or proxy echo them.
    fn scrub(&self, mut message: String) -> String {
        for hidden in self.hidden.iter().filter(|h| h.len() >= 4) {
            message = message.replace(hidden.as_str(), "<redacted>");
        }
        message
    }

    /// Sends one request under the shared retry rules; returns a 2xx body.
    async fn send(
        &self,
        call: Call,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<String, TimeTrackError> {
        let write = method != Method::GET;
        let attempt = || {
            let mut req = self.http.request(method.clone(), url.clone());
            if let Some(b) = body {
                req = req.json(b);
            }
            req.send()
        };
        let reply = match exchange(&self.pacer, self.attempts, write, attempt, &|_| {}).await {
            Ok(r) => r,
            Err(Lost::Unanswered {
                detail,
                maybe_applied,
            }) => {
                return Err(TimeTrackError::Unavailable {
                    message: self.scrub(format!("{call}: {detail}")),
                    maybe_applied,
                });
            }
            Err(Lost::RateLimited(r)) => {
                return Err(TimeTrackError::RateLimited(self.scrub(format!(
                    "{call}: HTTP 429: {}",
                    wire::error_message(&r.body)
                ))));
            }
        };
        if reply.status.is_success() {
            return Ok(reply.body);
        }
        let message = self.scrub(format!(
            "{call}: HTTP {}: {}",
            reply.status.as_u16(),
            wire::error_message(&reply.body)
        ));
        Err(match reply.status {
            StatusCode::UNAUTHORIZED => TimeTrackError::Unauthorized(message),
            StatusCode::FORBIDDEN => TimeTrackError::Forbidden(message),
            StatusCode::NOT_FOUND => TimeTrackError::NotFound(message),
            s if s.is_server_error() => TimeTrackError::Unavailable {
                message,
                maybe_applied: write,
            },
            s => TimeTrackError::Rejected {
                status: s.as_u16(),
                message,
            },
        })
    }
}

/// The body of an attendance write: `user` and `username` both (the docs use both names),
/// and `manual`, because zeitpost's entries never come from a stamp clock.
fn attendance_body(a: &NewAttendance) -> Value {
    let mut body = Map::new();
    body.insert("user".into(), json!(a.username));
    body.insert("username".into(), json!(a.username));
    body.insert("from".into(), json!(wire::format_timestamp(a.from)));
    body.insert("to".into(), json!(wire::format_timestamp(a.to)));
    body.insert("breakMinutes".into(), json!(a.break_minutes));
    if let Some(notes) = &a.notes {
        body.insert("notes".into(), json!(notes));
    }
    body.insert("manual".into(), json!(true));
    Value::Object(body)
}

/// A refusal of an entry because of another one: 409, or a 400 that says "overlap".
fn overlap(e: TimeTrackError) -> TimeTrackError {
    match e {
        TimeTrackError::Rejected {
            status: 409,
            message,
        } => TimeTrackError::Overlap(message),
        TimeTrackError::Rejected {
            status: 400,
            message,
        } if message.to_lowercase().contains("overlap") => TimeTrackError::Overlap(message),
        e => e,
    }
}
