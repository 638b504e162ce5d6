//! What can go wrong talking to TimeTrack, sorted by what the sync job must do about it.
//!
//! Every message names the call that failed ("TimeTrack create attendance: HTTP 409: …"),
//! because one sync run makes many different calls and the log line is all an operator gets.
//! No message ever carries the API key or secret.

/// A failed TimeTrack call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeTrackError {
    /// Key or secret refused; the secret may have been regenerated in the web app.
    #[error("TimeTrack refused the API key or secret: {0}")]
    Unauthorized(String),
    /// The account may not read or change this (e.g. not an Enterprise account).
    #[error("TimeTrack denied access (HTTP 403): {0}")]
    Forbidden(String),
    #[error("not found in TimeTrack: {0}")]
    NotFound(String),
    /// The entry overlaps another of the same user: the job must reconcile, not resend.
    #[error("TimeTrack refused an overlapping entry: {0}")]
    Overlap(String),
    /// TimeTrack refused the request itself: sending it again will not help.
    #[error("TimeTrack rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    /// Still rate limited after every retry.
    #[error("TimeTrack is rate limiting (HTTP 429) and retries ran out: {0}")]
    RateLimited(String),
    /// A server error or a broken connection. For a write, TimeTrack may or may not have
    /// applied it: `maybe_applied` says whether the request had been sent.
    #[error("TimeTrack did not answer properly: {message}")]
    Unavailable {
        message: String,
        maybe_applied: bool,
    },
    /// An answer zeitpost cannot read, or a setting it cannot use.
    #[error("unexpected answer from TimeTrack: {0}")]
    Unexpected(String),
}

impl TimeTrackError {
    /// Whether a write that failed this way may nonetheless have been applied: the caller
    /// must read the resource again before deciding to repeat it.
    pub fn maybe_applied(&self) -> bool {
        matches!(
            self,
            TimeTrackError::Unavailable {
                maybe_applied: true,
                ..
            }
        )
    }

    /// Whether the same call may succeed on a later run without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            TimeTrackError::RateLimited(_) | TimeTrackError::Unavailable { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_outages_are_transient_and_only_lost_writes_maybe_applied() {
        let lost = TimeTrackError::Unavailable {
            message: "x".into(),
            maybe_applied: true,
        };
        assert!(lost.maybe_applied() && lost.is_transient());
        let overlap = TimeTrackError::Overlap("x".into());
        assert!(!overlap.maybe_applied() && !overlap.is_transient());
        assert!(TimeTrackError::RateLimited("x".into()).is_transient());
        assert!(!TimeTrackError::Unauthorized("x".into()).is_transient());
    }
}
