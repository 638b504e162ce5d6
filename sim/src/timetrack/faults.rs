//! Failures a test can queue against a route.
//!
//! A sync job must survive lost answers, throttling and outages without double work; these
//! faults produce each of them on exactly the request a test wants.

use std::collections::VecDeque;
use std::time::Duration;

use super::routes::Route;

/// A failure to inject. Each applies to the next `times` requests whose route matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with `status` and an error body in the configured shape; nothing is applied.
    Status {
        /// Which requests.
        route: Route,
        /// HTTP status to send.
        status: u16,
        /// How many requests.
        times: u32,
    },
    /// Apply the request, then close the connection without answering.
    ApplyThenDrop {
        /// Which requests.
        route: Route,
        /// How many requests.
        times: u32,
    },
    /// Close the connection without answering; nothing is applied.
    Drop {
        /// Which requests.
        route: Route,
        /// How many requests.
        times: u32,
    },
    /// Wait `delay`, then handle the request normally.
    Delay {
        /// Which requests.
        route: Route,
        /// How long to wait.
        delay: Duration,
        /// How many requests.
        times: u32,
    },
    /// Answer 429 (with `Retry-After` if configured); nothing is applied.
    RateLimited {
        /// Which requests.
        route: Route,
        /// How many requests.
        times: u32,
    },
}

impl Fault {
    fn times(&mut self) -> (Route, &mut u32) {
        match self {
            Fault::Status { route, times, .. }
            | Fault::ApplyThenDrop { route, times }
            | Fault::Drop { route, times }
            | Fault::Delay { route, times, .. }
            | Fault::RateLimited { route, times } => (*route, times),
        }
    }
}

/// Faults in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(VecDeque<Fault>);

impl FaultQueue {
    pub fn push(&mut self, mut fault: Fault) {
        if *fault.times().1 > 0 {
            self.0.push_back(fault);
        }
    }

    /// The first queued fault that matches `route`, used up by one.
    pub fn take(&mut self, route: Route) -> Option<Fault> {
        let pos = self.0.iter_mut().position(|f| f.times().0.matches(route))?;
        let fault = self.0[pos].clone();
        let (_, left) = self.0[pos].times();
        *left -= 1;
        if *left == 0 {
            self.0.remove(pos);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_used_up_in_order() {
        let mut q = FaultQueue::default();
        q.push(Fault::Drop {
            route: Route::CreateAttendance,
            times: 2,
        });
        q.push(Fault::RateLimited {
            route: Route::Any,
            times: 1,
        });
        assert!(matches!(
            q.take(Route::Users),
            Some(Fault::RateLimited { .. })
        ));
        assert!(q.take(Route::Users).is_none());
        assert!(q.take(Route::CreateAttendance).is_some());
        assert!(q.take(Route::CreateAttendance).is_some());
        assert!(q.take(Route::CreateAttendance).is_none());
    }
}
