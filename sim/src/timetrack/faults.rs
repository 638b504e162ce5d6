//! The shared faults ([`crate::fault`]) aimed at this API's routes.

use super::routes::Route;
use crate::fault::RouteKind;

/// A failure to inject. Each applies to the next `times` requests whose route matches.
pub type Fault = crate::fault::Fault<Route>;

/// Faults in the order they were injected.
pub(crate) type FaultQueue = crate::fault::FaultQueue<Route>;

impl RouteKind for Route {
    const ANY: Route = Route::Any;
}
