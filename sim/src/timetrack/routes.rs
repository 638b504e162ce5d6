//! Which requests the simulator serves.

use axum::http::Method;

/// The path prefix, as in `https://<account>.timetrackenterprise.com/api/v2/ext/`.
pub const API_PREFIX: &str = "/api/v2/ext";

/// What kind of request a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `GET /users`.
    Users,
    /// `GET /users/{id}`.
    GetUser,
    /// `POST /users`.
    CreateUser,
    /// `PUT /users/{id}`.
    UpdateUser,
    /// `DELETE /users/{id}`.
    DeleteUser,
    /// `GET /attendances`.
    Attendances,
    /// `GET /attendances/{id}`.
    GetAttendance,
    /// `POST /attendances`.
    CreateAttendance,
    /// `PUT /attendances/{id}`.
    UpdateAttendance,
    /// `DELETE /attendances/{id}`.
    DeleteAttendance,
    /// `GET /absences`.
    Absences,
    /// `GET /absences/{id}`.
    GetAbsence,
    /// `POST /absences`.
    CreateAbsence,
    /// `PUT /absences/{id}`.
    UpdateAbsence,
    /// `DELETE /absences/{id}`.
    DeleteAbsence,
    /// `GET /<absence_types_path>` when configured.
    AbsenceTypes,
    /// Anything else (404 or 405).
    Unknown,
    /// In a fault: matches every route. Never the route of a logged request.
    Any,
}

impl Route {
    /// Whether a fault aimed at `self` applies to a request of kind `actual`.
    pub fn matches(self, actual: Route) -> bool {
        crate::fault::RouteKind::covers(self, actual)
    }

    /// Whether the route changes stored data.
    pub fn is_write(self) -> bool {
        !matches!(
            self,
            Route::Users
                | Route::GetUser
                | Route::Attendances
                | Route::GetAttendance
                | Route::Absences
                | Route::GetAbsence
                | Route::AbsenceTypes
                | Route::Unknown
                | Route::Any
        )
    }
}

/// Splits a request into its route, whether the path is known, and the id in it.
pub(crate) fn classify(
    method: &Method,
    path: &str,
    types_path: Option<&str>,
) -> (Route, bool, Option<String>) {
    let Some(rel) = path.strip_prefix(API_PREFIX) else {
        return (Route::Unknown, false, None);
    };
    let rel = rel.trim_start_matches('/').trim_end_matches('/');
    if types_path.is_some_and(|p| p.trim_matches('/') == rel) {
        let route = if method == Method::GET {
            Route::AbsenceTypes
        } else {
            Route::Unknown
        };
        return (route, true, None);
    }
    let (resource, id) = match rel.split_once('/') {
        Some((r, id)) if !id.is_empty() && !id.contains('/') => (r, Some(id.to_owned())),
        Some(_) => return (Route::Unknown, false, None),
        None => (rel, None),
    };
    use Route::*;
    let table: [Route; 5] = match resource {
        "users" => [Users, GetUser, CreateUser, UpdateUser, DeleteUser],
        "attendances" => [
            Attendances,
            GetAttendance,
            CreateAttendance,
            UpdateAttendance,
            DeleteAttendance,
        ],
        "absences" => [
            Absences,
            GetAbsence,
            CreateAbsence,
            UpdateAbsence,
            DeleteAbsence,
        ],
        _ => return (Route::Unknown, false, None),
    };
    let route = match (method.as_str(), id.is_some()) {
        ("GET", false) => table[0],
        ("GET", true) => table[1],
        ("POST", false) => table[2],
        ("PUT", true) => table[3],
        ("DELETE", true) => table[4],
        _ => Unknown,
    };
    (route, true, if route == Unknown { None } else { id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_classify() {
        let (r, _, id) = classify(&Method::PUT, "/api/v2/ext/absences/7", None);
        assert_eq!((r, id.as_deref()), (Route::UpdateAbsence, Some("7")));
        assert_eq!(
            classify(
                &Method::GET,
                "/api/v2/ext/absence_types",
                Some("absence_types")
            )
            .0,
            Route::AbsenceTypes
        );
        assert!(!classify(&Method::GET, "/api/v2/ext/absence_types", None).1);
        let (r, known, _) = classify(&Method::PUT, "/api/v2/ext/users", None);
        assert_eq!((r, known), (Route::Unknown, true));
    }
}
