//! What can go wrong talking to timr, sorted by what the sync job must do about it.
//!
//! Every message names the call that failed, because one sync run makes many different calls
//! and the log line is all an operator gets.

/// A failed timr call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimrError {
    /// Credentials refused (also after one fresh token).
    #[error("timr refused the credentials: {0}")]
    Unauthorized(String),
    /// The client may not read or change this.
    #[error("timr denied access (HTTP 403): {0}")]
    Forbidden(String),
    /// A change to an entry that is no longer changeable (locked, approved, closed, archived).
    #[error("timr refused to change the entry: {0}")]
    Refused(String),
    #[error("not found in timr: {0}")]
    NotFound(String),
    /// timr refused the request itself (400, 409, 422): sending it again will not help.
    #[error("timr rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    /// Still rate limited after every retry.
    #[error("timr is rate limiting (HTTP 429) and retries ran out: {0}")]
    RateLimited(String),
    /// A server error or a broken connection. For a write, timr may or may not have applied
    /// it: `maybe_applied` says whether the request had been sent.
    #[error("timr did not answer properly: {message}")]
    Unavailable {
        message: String,
        maybe_applied: bool,
    },
    /// An answer zeitpost cannot read.
    #[error("unexpected answer from timr: {0}")]
    Unexpected(String),
}

impl TimrError {
    /// Whether a write that failed this way may nonetheless have been applied.
    pub fn maybe_applied(&self) -> bool {
        matches!(
            self,
            TimrError::Unavailable {
                maybe_applied: true,
                ..
            }
        )
    }
}
