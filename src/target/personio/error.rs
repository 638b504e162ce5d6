//! What can go wrong talking to Personio, sorted by what the caller must do about it.

/// A failed Personio call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PersonioError {
    /// Credentials refused (also after one fresh token).
    #[error("Personio refused the credentials: {0}")]
    Unauthorized(String),
    /// The credentials lack a scope or the object is not accessible.
    #[error("Personio denied access (HTTP 403): {0}")]
    Forbidden(String),
    #[error("not found in Personio: {0}")]
    NotFound(String),
    /// Personio refused the request itself (400, 409, 422): sending it again will not help.
    #[error("Personio rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    /// The object clashes with one Personio already holds (409), such as an absence that
    /// overlaps another absence of the person or a person whose e-mail is taken.
    #[error("Personio reports a conflict (HTTP 409): {0}")]
    Conflict(String),
    /// Personio does not offer this through the API (the route is missing or the field may not
    /// be changed); the caller needs another way, such as delete and create.
    #[error("not possible through the Personio API: {0}")]
    Unsupported(String),
    /// Still rate limited after every retry.
    #[error("Personio is rate limiting (HTTP 429) and retries ran out")]
    RateLimited,
    /// A server error or a broken connection. For a write, Personio may or may not have
    /// applied it: `maybe_applied` says whether the request had been sent.
    #[error("Personio did not answer properly: {message}")]
    Unavailable {
        message: String,
        maybe_applied: bool,
    },
    /// An answer zeitpost cannot read.
    #[error("unexpected answer from Personio: {0}")]
    Unexpected(String),
}

impl PersonioError {
    /// Whether a write that failed this way may nonetheless have been applied.
    pub fn maybe_applied(&self) -> bool {
        matches!(
            self,
            PersonioError::Unavailable {
                maybe_applied: true,
                ..
            }
        )
    }
}
