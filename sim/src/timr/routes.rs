//! Which requests the simulator serves, with the query parameters each one accepts.
//!
//! One table drives both the server's strict parameter check and the test that holds the
//! simulator to the published spec, so the two cannot drift apart.

use axum::http::Method;

/// The path prefix of the API, as in the spec's server URL `https://api.timr.com/v0.2/`.
pub const API_PREFIX: &str = "/v0.2";
/// The token endpoint's path, as on `https://system.timr.com/id/oauth2/token`.
pub const TOKEN_PATH: &str = "/id/oauth2/token";

/// What kind of request a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `POST /id/oauth2/token`.
    Token,
    /// `GET /users`.
    Users,
    /// `GET /working-time-types`.
    WorkingTimeTypes,
    /// `GET /working-times`.
    ListWorkingTimes,
    /// `GET /working-times:deleted`.
    DeletedWorkingTimes,
    /// `GET /working-times/{id}`.
    GetWorkingTime,
    /// `PATCH /working-times/{id}`.
    PatchWorkingTime,
    /// `DELETE /working-times/{id}`.
    DeleteWorkingTime,
    /// Anything else (answered 404 or 405).
    Unknown,
    /// In a fault: matches every route. Never the route of a logged request.
    Any,
}

impl Route {
    /// Whether a fault aimed at `self` applies to a request of kind `actual`.
    pub fn matches(self, actual: Route) -> bool {
        crate::fault::RouteKind::covers(self, actual)
    }
}

/// One served API operation.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template relative to the base URL, as the spec's `paths` key.
    pub path: &'static str,
    /// Every query parameter accepted; any other gets 400.
    pub query: &'static [&'static str],
    /// Parameters that may repeat (the spec's arrays, `form` style exploded).
    pub arrays: &'static [&'static str],
    /// Its route kind.
    pub route: Route,
}

const PAGING: [&str; 4] = ["page_token", "limit", "sort_direction", "sort_by"];

/// Every API operation the simulator serves.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "GET",
        path: "/users",
        query: &[
            "name",
            "entry_date_from",
            "entry_date_to",
            "resign_date_from",
            "resign_date_to",
            "resigned",
            "employee_number",
            PAGING[0],
            PAGING[1],
            PAGING[2],
            PAGING[3],
        ],
        arrays: &[],
        route: Route::Users,
    },
    Operation {
        method: "GET",
        path: "/working-time-types",
        query: &[
            "name",
            "short_name",
            "description",
            "categories",
            "sub_categories",
            "edit_units",
            "archived",
            "recording_modes",
            PAGING[0],
            PAGING[1],
            PAGING[2],
            PAGING[3],
        ],
        arrays: &[
            "categories",
            "sub_categories",
            "edit_units",
            "recording_modes",
        ],
        route: Route::WorkingTimeTypes,
    },
    Operation {
        method: "GET",
        path: "/working-times",
        query: &[
            "notes",
            "start_from",
            "start_to",
            "last_modified_after",
            "working_time_types",
            "working_time_type_categories",
            "statuses",
            "users",
            "changed",
            PAGING[0],
            PAGING[1],
            PAGING[2],
            PAGING[3],
        ],
        arrays: &[
            "working_time_types",
            "working_time_type_categories",
            "statuses",
            "users",
        ],
        route: Route::ListWorkingTimes,
    },
    Operation {
        method: "GET",
        path: "/working-times:deleted",
        query: &["last_modified", PAGING[0], PAGING[1], PAGING[2], PAGING[3]],
        arrays: &[],
        route: Route::DeletedWorkingTimes,
    },
    Operation {
        method: "GET",
        path: "/working-times/{id}",
        query: &[],
        arrays: &[],
        route: Route::GetWorkingTime,
    },
    Operation {
        method: "PATCH",
        path: "/working-times/{id}",
        query: &[],
        arrays: &[],
        route: Route::PatchWorkingTime,
    },
    Operation {
        method: "DELETE",
        path: "/working-times/{id}",
        query: &[],
        arrays: &[],
        route: Route::DeleteWorkingTime,
    },
];

/// The operation of a route kind.
pub(crate) fn operation(route: Route) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.route == route)
}

/// Splits a request into its route kind, whether the path is known at all, and the id in it.
pub(crate) fn classify(method: &Method, path: &str) -> (Route, bool, Option<String>) {
    if path == TOKEN_PATH {
        let route = if method == Method::POST {
            Route::Token
        } else {
            Route::Unknown
        };
        return (route, true, None);
    }
    let Some(rel) = path.strip_prefix(API_PREFIX) else {
        return (Route::Unknown, false, None);
    };
    let (template, id) = match rel.strip_prefix("/working-times/") {
        Some(id) if !id.is_empty() && !id.contains('/') => {
            ("/working-times/{id}", Some(id.to_owned()))
        }
        _ => (rel, None),
    };
    let mut known = false;
    for op in OPERATIONS.iter().filter(|o| o.path == template) {
        known = true;
        if op.method == method.as_str() {
            return (op.route, true, id);
        }
    }
    (Route::Unknown, known, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_classify() {
        let (r, _, id) = classify(&Method::PATCH, "/v0.2/working-times/abc");
        assert_eq!((r, id.as_deref()), (Route::PatchWorkingTime, Some("abc")));
        let (r, _, _) = classify(&Method::GET, "/v0.2/working-times:deleted");
        assert_eq!(r, Route::DeletedWorkingTimes);
        assert_eq!(classify(&Method::PUT, "/v0.2/users").0, Route::Unknown);
        assert!(classify(&Method::PUT, "/v0.2/users").1);
        assert!(!classify(&Method::GET, "/v1/users").1);
    }
}
