//! The switches of the Personio simulator.
//!
//! Where the API documentation leaves a behaviour open, the simulator does not guess one answer:
//! it makes the behaviour a field here, so tests can run the client against each plausible shape.
//! Defaults follow the most likely shape according to `personio-api.md` and
//! `personio-v2-breaks.md`.

use std::time::Duration;

/// Scope needed to list persons.
pub const SCOPE_PERSONS_READ: &str = "personio:persons:read";
/// Scope needed to create or change persons.
pub const SCOPE_PERSONS_WRITE: &str = "personio:persons:write";
/// Scope for reading absence periods and absence types.
pub const SCOPE_ABSENCES_READ: &str = "personio:absences:read";
/// Scope for writing absence periods.
pub const SCOPE_ABSENCES_WRITE: &str = "personio:absences:write";
/// Scope needed to read attendance periods.
pub const SCOPE_ATTENDANCES_READ: &str = "personio:attendances:read";
/// Scope needed to create, change or delete attendance periods.
pub const SCOPE_ATTENDANCES_WRITE: &str = "personio:attendances:write";

/// How the simulated Personio behaves. Change it mid-test with `PersonioSim::set_config`.
#[derive(Debug, Clone)]
pub struct PersonioConfig {
    /// The only client id the token endpoint accepts.
    pub client_id: String,
    /// The secret that goes with `client_id`.
    pub client_secret: String,
    /// Lifetime of an access token, announced as `expires_in`.
    pub token_ttl: Duration,
    /// `false`: the token body has no `expires_in` field.
    pub expires_in_field: bool,
    /// Token bucket per endpoint group (auth, persons, attendance periods); `None`: no limit and no
    /// `x-ratelimit-*` headers.
    pub rate_limit: Option<RateLimit>,
    /// What a write that overlaps another period of the same person does.
    pub overlap: OverlapMode,
    /// HTTP status of an overlap rejection in `OverlapMode::Reject`.
    pub overlap_status: u16,
    /// `true`: a BREAK lying wholly inside a WORK (or a WORK wholly around a BREAK) is not an
    /// overlap, as in Personio's 2023 web UI. `false`: every intersection counts.
    pub break_inside_work: bool,
    /// `true`: a period may end at exactly 00:00 of the next day. `false`: any end on another
    /// calendar day than the start is "Period time range too long".
    pub allow_end_at_midnight: bool,
    /// Shape of the 201 body of a create.
    pub created_body: CreatedBody,
    /// `true`: `_meta.links.*.href` are absolute URLs; `false`: relative (`/v2/...`).
    pub absolute_links: bool,
    /// `true`: a 429 carries `Retry-After` (whole seconds).
    pub retry_after_on_429: bool,
    /// `true`: the token endpoint rejects a request with `Accept: application/json` (400).
    pub reject_accept_json_on_token: bool,
    /// HTTP status for a wrong client id or secret at the token endpoint (400 or 401).
    pub bad_credentials_status: u16,
    /// Scopes granted to the client; a token carries those it asked for (all if it asked none).
    pub scopes: Vec<String>,
    /// `true`: `POST /v2/persons` and `PATCH /v2/persons/{id}` exist. `false`: both answer 404
    /// like an unknown path, as they would if v2 offers no person writes (only v1 documents them).
    pub person_writes: bool,
    /// `true`: `PATCH /v2/absence-periods/{id}` may change `approval.status`. `false`: a body
    /// with `approval` is refused with 422, so the client has to delete and create instead.
    pub absence_approval_patch: bool,
}

impl Default for PersonioConfig {
    fn default() -> Self {
        PersonioConfig {
            client_id: "sim-client".to_owned(),
            client_secret: "sim-secret".to_owned(),
            token_ttl: Duration::from_secs(86_400),
            expires_in_field: true,
            rate_limit: None,
            overlap: OverlapMode::Reject,
            overlap_status: 422,
            break_inside_work: false,
            allow_end_at_midnight: false,
            created_body: CreatedBody::IdAndAffected,
            absolute_links: true,
            retry_after_on_429: false,
            reject_accept_json_on_token: false,
            bad_credentials_status: 400,
            scopes: vec![
                SCOPE_ATTENDANCES_READ.to_owned(),
                SCOPE_ATTENDANCES_WRITE.to_owned(),
                SCOPE_PERSONS_READ.to_owned(),
                SCOPE_PERSONS_WRITE.to_owned(),
                SCOPE_ABSENCES_READ.to_owned(),
                SCOPE_ABSENCES_WRITE.to_owned(),
            ],
            person_writes: true,
            absence_approval_patch: true,
        }
    }
}

/// A token bucket: `capacity` requests at once, refilled by `per_second` requests each second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Burst size (`x-ratelimit-burst-capacity`).
    pub capacity: u32,
    /// Refill per second (`x-ratelimit-replenish-rate`).
    pub per_second: u32,
}

/// What happens when a create or change would overlap another period of the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverlapMode {
    /// Refuse the write with `overlap_status` and the title "Overlapping attendance periods".
    #[default]
    Reject,
    /// Accept it; trim, split or remove the overlapped neighbours and report the survivors in
    /// `affected_periods`.
    Trim,
}

/// Shape of the 201 body of `POST /v2/attendance-periods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreatedBody {
    /// `{"id", "affected_periods": [...], "_meta": {"links": {"self": ...}}}`.
    #[default]
    IdAndAffected,
    /// `{"id", "_meta": {"links": {"self": ...}}}`: the generic v2 created object.
    CreatedObject,
    /// `{"data": {"id"}}`.
    DataWrapped,
    /// `{"_data": {"id"}}`.
    UnderscoreData,
}
