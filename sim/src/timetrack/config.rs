//! The switches of the TimeTrack simulator.
//!
//! `sources.md` §4 and §6 items 13–14 leave much open: the error body, which name the user filter
//! of the attendance list really has, whether items carry `ID` or `id`, how overlaps are refused,
//! and whether an absence type list exists at all. Each open point is a field here, so a client
//! can be run against every plausible answer.

/// The body of every API error (no format is documented).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// `application/json` `{"error": "<slug>", "message": "…"}`.
    Json,
    /// `text/plain`, the message alone.
    PlainText,
    /// No body at all.
    Empty,
}

/// Which query parameter the attendance list honours as its user filter. The docs list `user`,
/// their example sends `username`; the name not honoured is ignored like any unknown parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserFilter {
    /// Only `user` filters.
    User,
    /// Only `username` filters.
    Username,
    /// Either filters (both must match when both are sent).
    Both,
}

/// The name of the id property of attendances and absences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdField {
    /// `ID`, as the docs write it.
    Upper,
    /// `id`.
    Lower,
}

impl IdField {
    /// The property name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdField::Upper => "ID",
            IdField::Lower => "id",
        }
    }
}

/// How the simulated TimeTrack behaves. Change it mid-test with `TimeTrackSim::set_config`.
#[derive(Debug, Clone)]
pub struct TimeTrackConfig {
    /// The value `X-TimeTrack-Api-Key` must carry.
    pub api_key: String,
    /// The value `X-TimeTrack-Api-Secret` must carry (see `TimeTrackSim::rotate_secret`).
    pub api_secret: String,
    /// The body of every error.
    pub error_shape: ErrorShape,
    /// Timestamps rendered with `.000` milliseconds (`true`) or without.
    pub millis: bool,
    /// The user filter name(s) of `GET /attendances`.
    pub user_filter: UserFilter,
    /// `ID` or `id` on attendances and absences (users always carry `id`).
    pub id_field: IdField,
    /// Status of a refused overlapping attendance or absence.
    pub overlap_status: u16,
    /// Status of `POST /users` with a username that exists.
    pub duplicate_user_status: u16,
    /// Status of a write naming a username that does not exist.
    pub unknown_user_status: u16,
    /// `Some("absence_types")`: `GET /absence_types` lists the seeded types. `None`: no such
    /// endpoint (404), as far as the docs tell.
    pub absence_types_path: Option<String>,
    /// `Some(s)`: a 429 carries `Retry-After: s`.
    pub retry_after: Option<u64>,
    /// Every list answers its first page whatever `page_number` says: a broken server a
    /// client must not page through for ever.
    pub ignore_page_number: bool,
    /// `Some(n)`: more than `n` requests within one second get 429. Off by default: no rate
    /// limits are documented.
    pub rate_limit: Option<u32>,
}

impl Default for TimeTrackConfig {
    fn default() -> Self {
        TimeTrackConfig {
            api_key: "sim-key".to_owned(),
            api_secret: "sim-secret".to_owned(),
            error_shape: ErrorShape::Json,
            millis: true,
            user_filter: UserFilter::Both,
            id_field: IdField::Upper,
            overlap_status: 409,
            duplicate_user_status: 409,
            unknown_user_status: 400,
            absence_types_path: None,
            retry_after: None,
            ignore_page_number: false,
            rate_limit: None,
        }
    }
}
