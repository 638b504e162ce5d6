//! Route kinds and the failures a test can queue against them.
//!
//! The importer must cope with lost answers, throttling and outages without importing twice;
//! these faults let a test produce each of those on the exact request it wants.

use axum::http::Method;

use crate::fault::RouteKind;

/// What kind of request a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `POST /v2/auth/token`.
    Token,
    /// `GET /v2/persons`.
    Persons,
    /// `GET /v2/attendance-periods`.
    ListPeriods,
    /// `GET /v2/attendance-periods/{id}`.
    GetPeriod,
    /// `POST /v2/attendance-periods`.
    CreatePeriod,
    /// `PATCH /v2/attendance-periods/{id}`.
    PatchPeriod,
    /// `DELETE /v2/attendance-periods/{id}`.
    DeletePeriod,
    /// `POST /v2/persons`.
    CreatePerson,
    /// `PATCH /v2/persons/{id}`.
    PatchPerson,
    /// `GET /v2/absence-periods`.
    ListAbsences,
    /// `POST /v2/absence-periods`.
    CreateAbsence,
    /// `GET /v2/absence-periods/{id}`.
    GetAbsence,
    /// `PATCH /v2/absence-periods/{id}`.
    PatchAbsence,
    /// `DELETE /v2/absence-periods/{id}`.
    DeleteAbsence,
    /// `GET /v2/absence-types`.
    AbsenceTypes,
    /// Anything else (answered 404 or 405).
    Unknown,
    /// In a fault: matches every route. Never the route of a logged request.
    Any,
}

impl Route {
    /// Whether a fault aimed at `self` applies to a request of kind `actual`.
    pub fn matches(self, actual: Route) -> bool {
        self.covers(actual)
    }

    /// Whether requests of this kind change data.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Route::CreatePeriod
                | Route::PatchPeriod
                | Route::DeletePeriod
                | Route::CreatePerson
                | Route::PatchPerson
                | Route::CreateAbsence
                | Route::PatchAbsence
                | Route::DeleteAbsence
        )
    }
}

/// The rate-limit bucket a route draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Group {
    Auth,
    Persons,
    AttendancePeriods,
    AbsencePeriods,
}

/// Splits a request into its route kind, its rate-limit group and the period id in the path.
/// A known path with the wrong method is `Unknown` with `Some(group)`, answered 405.
pub(crate) fn classify(method: &Method, path: &str) -> (Route, Option<Group>, Option<String>) {
    let path = path.trim_end_matches('/');
    let m = method.clone();
    match path {
        "/v2/auth/token" => match m {
            Method::POST => (Route::Token, Some(Group::Auth), None),
            _ => (Route::Unknown, Some(Group::Auth), None),
        },
        "/v2/persons" => match m {
            Method::GET => (Route::Persons, Some(Group::Persons), None),
            Method::POST => (Route::CreatePerson, Some(Group::Persons), None),
            _ => (Route::Unknown, Some(Group::Persons), None),
        },
        "/v2/absence-periods" => match m {
            Method::GET => (Route::ListAbsences, Some(Group::AbsencePeriods), None),
            Method::POST => (Route::CreateAbsence, Some(Group::AbsencePeriods), None),
            _ => (Route::Unknown, Some(Group::AbsencePeriods), None),
        },
        "/v2/absence-types" => match m {
            Method::GET => (Route::AbsenceTypes, Some(Group::AbsencePeriods), None),
            _ => (Route::Unknown, Some(Group::AbsencePeriods), None),
        },
        "/v2/attendance-periods" => match m {
            Method::GET => (Route::ListPeriods, Some(Group::AttendancePeriods), None),
            Method::POST => (Route::CreatePeriod, Some(Group::AttendancePeriods), None),
            _ => (Route::Unknown, Some(Group::AttendancePeriods), None),
        },
        _ => by_id(&m, path),
    }
}

/// Paths that end in an id: one attendance period, one absence period or one person.
fn by_id(m: &Method, path: &str) -> (Route, Option<Group>, Option<String>) {
    let collections = [
        ("/v2/attendance-periods/", Group::AttendancePeriods),
        ("/v2/absence-periods/", Group::AbsencePeriods),
        ("/v2/persons/", Group::Persons),
    ];
    for (prefix, group) in collections {
        let Some(id) = path.strip_prefix(prefix) else {
            continue;
        };
        if id.is_empty() || id.contains('/') {
            return (Route::Unknown, None, None);
        }
        let route = match (group, m.clone()) {
            (Group::AttendancePeriods, Method::GET) => Route::GetPeriod,
            (Group::AttendancePeriods, Method::PATCH) => Route::PatchPeriod,
            (Group::AttendancePeriods, Method::DELETE) => Route::DeletePeriod,
            (Group::AbsencePeriods, Method::GET) => Route::GetAbsence,
            (Group::AbsencePeriods, Method::PATCH) => Route::PatchAbsence,
            (Group::AbsencePeriods, Method::DELETE) => Route::DeleteAbsence,
            (Group::Persons, Method::PATCH) => Route::PatchPerson,
            _ => return (Route::Unknown, Some(group), None),
        };
        return (route, Some(group), Some(id.to_owned()));
    }
    (Route::Unknown, None, None)
}

/// A failure to inject. Each applies to the next `times` requests whose route matches.
pub type Fault = crate::fault::Fault<Route>;

/// Faults in the order they were injected.
pub(crate) type FaultQueue = crate::fault::FaultQueue<Route>;

impl RouteKind for Route {
    const ANY: Route = Route::Any;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_classify() {
        let (r, _, id) = classify(&Method::PATCH, "/v2/attendance-periods/abc");
        assert_eq!((r, id.as_deref()), (Route::PatchPeriod, Some("abc")));
        assert_eq!(classify(&Method::PUT, "/v2/persons").0, Route::Unknown);
        assert_eq!(classify(&Method::GET, "/v1/x").1, None);
        let (r, _, id) = classify(&Method::DELETE, "/v2/absence-periods/a1");
        assert_eq!((r, id.as_deref()), (Route::DeleteAbsence, Some("a1")));
        assert_eq!(
            classify(&Method::PATCH, "/v2/persons/7").0,
            Route::PatchPerson
        );
        assert_eq!(classify(&Method::GET, "/v2/persons/7").0, Route::Unknown);
        assert_eq!(
            classify(&Method::GET, "/v2/absence-types").0,
            Route::AbsenceTypes
        );
    }
}
