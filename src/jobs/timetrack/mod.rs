//! TimeTrack (`/api/v2/ext/`): users, attendances and absences kept in step with Personio.

pub mod client;
pub mod error;
pub mod wire;
