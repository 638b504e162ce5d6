//! The Personio v2 HTTP client: token, pacing, retries, paging.
//!
//! Retries follow what a request is: reads and refused-before-sending requests are repeated
//! with capped exponential back-off and jitter; a write whose answer was lost (5xx, reset,
//! timeout after sending) is not repeated here but reported as maybe applied, because v2 has
//! no idempotency key: only the caller, by reading what Personio holds, can tell whether to
//! send it again. A 429 is always safe to repeat, after `Retry-After` when Personio sends it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::http::{Lost, ask_for_token, exchange};

use super::error::PersonioError;
use super::wire::{self, AttendancePeriod, Page, Person};
use crate::config::SecretValue;
use crate::target::layout::{Period, PeriodKind};

const DT: &str = "%Y-%m-%dT%H:%M:%S";

#[derive(Debug, Clone)]
pub struct Settings {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretValue,
    pub partner_id: Option<String>,
    pub app_id: Option<String>,
    pub skip_approval: bool,
    /// Requests per second at most, all kinds together.
    pub max_rps: f64,
    pub timeout: Duration,
    /// Attempts for one call before giving up.
    pub attempts: u32,
}

/// What kind of call a request is, for statistics and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Call {
    Token,
    Persons,
    ListPeriods,
    CreatePeriod,
    DeletePeriod,
    ListAbsences,
    CreateAbsence,
    CreatePerson,
    UpdatePerson,
    UpdatePeriod,
    UpdateAbsence,
    DeleteAbsence,
    AbsenceTypes,
}

/// Requests sent, by kind, and how often Personio said 429.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: std::collections::BTreeMap<Call, u64>,
    /// Answers by kind of call and HTTP status (0: no answer).
    pub answers: std::collections::BTreeMap<(Call, u16), u64>,
    pub rate_limited: u64,
}

/// A period as Personio holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePeriod {
    pub id: String,
    pub person_id: String,
    pub kind: Option<PeriodKind>,
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
    pub comment: Option<String>,
    /// When Personio last changed it (RFC 3339 as sent), if it says.
    pub updated_at: Option<String>,
    /// `PENDING`, `CONFIRMED` or `REJECTED` as sent, if present.
    pub approval: Option<String>,
}

/// The answer to a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    /// Other periods Personio changed to make room (it should not have to).
    pub affected: Vec<String>,
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
    settings: Settings,
    token: tokio::sync::Mutex<crate::http::Token>,
    pacer: crate::http::Pacer,
    stats: Mutex<Stats>,
}

pub(super) struct Answer {
    pub status: StatusCode,
    pub body: String,
}

impl Client {
    pub fn new(settings: Settings) -> Result<Client, PersonioError> {
        let mut base = Url::parse(&settings.base_url).map_err(|e| {
            PersonioError::Unexpected(format!("personio.base_url {:?}: {e}", settings.base_url))
        })?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("zeitpost/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| PersonioError::Unexpected(e.to_string()))?;
        let pacer = crate::http::Pacer::new(settings.max_rps);
        Ok(Client {
            pacer,
            http,
            base,
            settings,
            token: tokio::sync::Mutex::new(crate::http::Token::default()),
            stats: Mutex::new(Stats::default()),
        })
    }

    pub fn stats(&self) -> Stats {
        self.stats.lock().expect("stats lock").clone()
    }

    fn count(&self, call: Call) {
        *self
            .stats
            .lock()
            .expect("stats lock")
            .requests
            .entry(call)
            .or_default() += 1;
    }

    fn answered(&self, call: Call, status: u16) {
        *self
            .stats
            .lock()
            .expect("stats lock")
            .answers
            .entry((call, status))
            .or_default() += 1;
    }

    pub(super) fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("static API paths join")
    }

    async fn token(&self, renew: bool) -> Result<String, PersonioError> {
        let mut slot = self.token.lock().await;
        if !renew && let Some(t) = slot.fresh() {
            return Ok(t.to_string());
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.expose()),
        ];
        let post = || async {
            self.count(Call::Token);
            // No `Accept: application/json` here: the token endpoint has refused it.
            let sent = self
                .http
                .post(self.url("v2/auth/token"))
                .form(&form)
                .send()
                .await;
            if let Ok(resp) = &sent {
                self.answered(Call::Token, resp.status().as_u16());
            }
            sent
        };
        let answer = ask_for_token(&self.pacer, self.settings.attempts, post).await;
        if answer.status.is_success() {
            let t = answer
                .issued()
                .map_err(|e| PersonioError::Unexpected(format!("token answer: {e}")))?;
            slot.keep(&t.access_token, t.expires_in);
            return Ok(t.access_token);
        }
        let refusal = format!(
            "HTTP {}: {}",
            answer.status.as_u16(),
            wire::error_message(&answer.body)
        );
        Err(if answer.transient() {
            PersonioError::Unavailable {
                message: format!("token: {refusal}"),
                maybe_applied: false,
            }
        } else {
            PersonioError::Unauthorized(refusal)
        })
    }

    /// Sends one API request with token and the shared retry rules; returns a 2xx answer.
    /// A 401 renews the token once.
    pub(super) async fn send(
        &self,
        call: Call,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Answer, PersonioError> {
        let write = method != Method::GET;
        let mut renewed = false;
        let observe = |status: Option<u16>| {
            self.count(call);
            self.answered(call, status.unwrap_or(0));
            if status == Some(429) {
                self.stats.lock().expect("stats lock").rate_limited += 1;
            }
        };
        loop {
            let token = self.token(false).await?;
            let attempt = || {
                let mut req = self
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(&token)
                    .header("Accept", "application/json");
                for (name, value) in [
                    ("Personio-Partner-ID", &self.settings.partner_id),
                    ("Personio-App-ID", &self.settings.app_id),
                ] {
                    if let Some(v) = value {
                        req = req.header(format!("X-{name}"), v).header(name, v);
                    }
                }
                if let Some(b) = body {
                    req = req.json(b);
                }
                req.send()
            };
            let reply = match exchange(
                &self.pacer,
                self.settings.attempts,
                write,
                attempt,
                &observe,
            )
            .await
            {
                Ok(r) => r,
                Err(Lost::Unanswered {
                    detail,
                    maybe_applied,
                }) => {
                    return Err(PersonioError::Unavailable {
                        message: format!("{call:?}: {detail}"),
                        maybe_applied,
                    });
                }
                Err(Lost::RateLimited(_)) => return Err(PersonioError::RateLimited),
            };
            let status = reply.status;
            if status.is_success() {
                return Ok(Answer {
                    status,
                    body: reply.body,
                });
            }
            let message = wire::error_message(&reply.body);
            return Err(match status.as_u16() {
                401 if !renewed => {
                    renewed = true;
                    self.token(true).await?;
                    continue;
                }
                401 => PersonioError::Unauthorized(message),
                403 => PersonioError::Forbidden(message),
                404 => PersonioError::NotFound(message),
                s if s >= 500 => PersonioError::Unavailable {
                    message: format!("{call:?}: HTTP {s}: {message}"),
                    maybe_applied: write,
                },
                s => PersonioError::Rejected { status: s, message },
            });
        }
    }

    /// Follows `_meta.links.next` (absolute or relative), always against the configured host.
    fn next_url(&self, href: &str) -> Option<Url> {
        let target = self.base.join(href).ok()?;
        let mut url = self.base.clone();
        url.set_path(target.path());
        url.set_query(target.query());
        Some(url)
    }

    pub(super) async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
        first: Url,
    ) -> Result<Vec<T>, PersonioError> {
        let mut out = Vec::new();
        let mut url = Some(first);
        let mut pages = 0;
        while let Some(u) = url.take() {
            let answer = self.send(call, Method::GET, u, None).await?;
            let page: Page<T> = serde_json::from_str(&answer.body)
                .map_err(|e| PersonioError::Unexpected(format!("{call:?} page: {e}")))?;
            pages += 1;
            if pages > 100_000 {
                return Err(PersonioError::Unexpected(format!(
                    "{call:?}: paging does not end"
                )));
            }
            url = page.next().and_then(|h| self.next_url(h));
            out.extend(page.data);
        }
        Ok(out)
    }

    /// Gets a token and reads one person and one period: proves the credentials and the
    /// read scopes, writes nothing. For `zeitpost check`.
    pub async fn check(&self) -> Result<(), PersonioError> {
        for (call, path) in [
            (Call::Persons, "v2/persons"),
            (Call::ListPeriods, "v2/attendance-periods"),
        ] {
            let mut url = self.url(path);
            url.query_pairs_mut().append_pair("limit", "1");
            self.send(call, Method::GET, url, None).await?;
        }
        Ok(())
    }

    /// Person ids by lower-case e-mail address; addresses Personio does not know are absent.
    pub async fn persons_by_email(
        &self,
        emails: &[String],
    ) -> Result<HashMap<String, String>, PersonioError> {
        let mut found = HashMap::new();
        for chunk in emails.chunks(50) {
            let mut url = self.url("v2/persons");
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("limit", "50");
                for e in chunk {
                    q.append_pair("email", e);
                }
            }
            for p in self.pages::<Person>(Call::Persons, url).await? {
                if let (Some(id), Some(email)) = (wire::id_text(&p.id), p.email) {
                    found.insert(email.to_lowercase(), id);
                }
            }
        }
        Ok(found)
    }

    /// Every period of these persons that starts on a day from `from` to `to`.
    pub async fn periods(
        &self,
        person_ids: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RemotePeriod>, PersonioError> {
        let mut out = Vec::new();
        for chunk in person_ids.chunks(50) {
            let mut url = self.url("v2/attendance-periods");
            url.query_pairs_mut()
                .append_pair("limit", "100")
                .append_pair("person.id", &chunk.join(","))
                .append_pair("start.date_time.gte", &format!("{from}T00:00:00"))
                .append_pair("start.date_time.lte", &format!("{to}T23:59:59"));
            for p in self
                .pages::<AttendancePeriod>(Call::ListPeriods, url)
                .await?
            {
                out.push(remote(p)?);
            }
        }
        Ok(out)
    }

    pub async fn create(&self, person_id: &str, period: &Period) -> Result<Created, PersonioError> {
        let body = serde_json::to_value(wire::NewPeriod {
            person: wire::PersonRef { id: person_id },
            kind: period.kind.as_str(),
            start: wire::At {
                date_time: period.start.format(DT).to_string(),
            },
            end: wire::At {
                date_time: period.end.format(DT).to_string(),
            },
            comment: period.comment.as_deref(),
        })
        .expect("period serialises");
        let mut url = self.url("v2/attendance-periods");
        url.query_pairs_mut()
            .append_pair("skip_approval", self.skip_approval());
        let answer = self
            .send(Call::CreatePeriod, Method::POST, url, Some(&body))
            .await?;
        let value: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        let id = wire::created_id(&value).ok_or_else(|| PersonioError::Unavailable {
            message: format!(
                "create answered HTTP {} without a period id",
                answer.status.as_u16()
            ),
            maybe_applied: true,
        })?;
        let affected = wire::affected_periods(&value, &id);
        Ok(Created { id, affected })
    }

    /// The absence periods of a person that start on `day`, as (id, absence type id).
    pub async fn absences_on(
        &self,
        person_id: &str,
        day: NaiveDate,
    ) -> Result<Vec<(String, String)>, PersonioError> {
        let mut url = self.url("v2/absence-periods");
        url.query_pairs_mut()
            .append_pair("limit", "100")
            .append_pair("person.id", person_id)
            .append_pair("starts_from.date_time.gte", &format!("{day}T00:00:00"))
            .append_pair("starts_from.date_time.lte", &format!("{day}T23:59:59"));
        let items = self.pages::<Value>(Call::ListAbsences, url).await?;
        Ok(items
            .iter()
            .filter_map(|a| {
                let id = a.get("id").and_then(wire::id_text)?;
                let kind = a
                    .get("absence_type")
                    .and_then(|t| t.get("id"))
                    .and_then(wire::id_text)?;
                Some((id, kind))
            })
            .collect())
    }

    /// Books a whole day of absence of the given type; returns its id.
    pub async fn create_absence(
        &self,
        person_id: &str,
        absence_type_id: &str,
        day: NaiveDate,
        comment: &str,
    ) -> Result<String, PersonioError> {
        let body = serde_json::json!({
            "person": { "id": person_id },
            "absence_type": { "id": absence_type_id },
            "starts_from": { "date_time": format!("{day}T00:00:00") },
            "ends_at": { "date_time": format!("{day}T23:59:59") },
            "comment": comment,
        });
        let mut url = self.url("v2/absence-periods");
        url.query_pairs_mut()
            .append_pair("skip_approval", self.skip_approval());
        let answer = self
            .send(Call::CreateAbsence, Method::POST, url, Some(&body))
            .await?;
        let value: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        wire::created_id(&value).ok_or_else(|| PersonioError::Unavailable {
            message: "absence created without an id in the answer".into(),
            maybe_applied: true,
        })
    }

    /// `skip_approval` as configured, for the query of a write.
    pub(super) fn skip_approval(&self) -> &'static str {
        if self.settings.skip_approval {
            "true"
        } else {
            "false"
        }
    }

    /// Moves a period and sets its comment (`None` leaves the comment alone). Approval follows
    /// `skip_approval`, as on create: without it Personio asks for approval again.
    pub async fn update_period(
        &self,
        id: &str,
        start: NaiveDateTime,
        end: NaiveDateTime,
        comment: Option<&str>,
    ) -> Result<(), PersonioError> {
        let mut body = serde_json::json!({
            "start": { "date_time": start.format(DT).to_string() },
            "end": { "date_time": end.format(DT).to_string() },
        });
        if let Some(c) = comment {
            body["comment"] = Value::from(c);
        }
        let mut url = self.url(&format!("v2/attendance-periods/{id}"));
        url.query_pairs_mut()
            .append_pair("skip_approval", self.skip_approval());
        self.send(Call::UpdatePeriod, Method::PATCH, url, Some(&body))
            .await
            .map(drop)
    }

    /// Deletes a period; one that is already gone counts as deleted.
    pub async fn delete(&self, id: &str) -> Result<(), PersonioError> {
        let url = self.url(&format!("v2/attendance-periods/{id}"));
        match self
            .send(Call::DeletePeriod, Method::DELETE, url, None)
            .await
        {
            Ok(_) | Err(PersonioError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn remote(p: AttendancePeriod) -> Result<RemotePeriod, PersonioError> {
    let parse = |s: &str| {
        NaiveDateTime::parse_from_str(s.get(..19).unwrap_or(s), DT)
            .map_err(|e| PersonioError::Unexpected(format!("period date-time {s:?}: {e}")))
    };
    Ok(RemotePeriod {
        id: wire::id_text(&p.id).unwrap_or_default(),
        person_id: wire::id_text(&p.person.id).unwrap_or_default(),
        kind: PeriodKind::parse(&p.kind),
        start: parse(p.start.date_time.as_deref().unwrap_or(""))?,
        end: match p.end.and_then(|e| e.date_time) {
            Some(e) => Some(parse(&e)?),
            None => None,
        },
        comment: p.comment,
        updated_at: p.updated_at,
        approval: p.approval.and_then(|a| a.status),
    })
}
