//! Failures a test can queue against the routes of any simulator.
//!
//! Every client zeitpost talks to must survive lost answers, throttling and outages without
//! double work. The kinds of failure are the same for every service; only what a route is
//! differs, so the queue is written once over a [`RouteKind`].

use std::collections::VecDeque;
use std::fmt::Debug;
use std::time::Duration;

/// What a simulator's route type must offer for faults and counts to be aimed at it.
pub trait RouteKind: Copy + Ord + Debug + Send + Sync + 'static {
    /// The route that, in a fault or a count, stands for every route. Never logged.
    const ANY: Self;

    /// Whether a fault aimed at `self` applies to a request of kind `actual`.
    fn covers(self, actual: Self) -> bool {
        self == Self::ANY || self == actual
    }
}

/// A failure to inject. Each applies to the next `times` requests whose route matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault<R> {
    /// Answer with `status` and an error body in the simulated service's shape; nothing is
    /// applied.
    Status {
        /// Which requests.
        route: R,
        /// HTTP status to send.
        status: u16,
        /// How many requests.
        times: u32,
    },
    /// Apply the request, then close the connection without answering.
    ApplyThenDrop {
        /// Which requests.
        route: R,
        /// How many requests.
        times: u32,
    },
    /// Close the connection without answering; nothing is applied.
    Drop {
        /// Which requests.
        route: R,
        /// How many requests.
        times: u32,
    },
    /// Wait `delay`, then handle the request normally.
    Delay {
        /// Which requests.
        route: R,
        /// How long to wait before handling.
        delay: Duration,
        /// How many requests.
        times: u32,
    },
    /// Answer 429 the way the simulated service throttles (its rate-limit headers, or
    /// `Retry-After` where configured); nothing is applied.
    RateLimited {
        /// Which requests.
        route: R,
        /// How many requests.
        times: u32,
    },
}

impl<R: RouteKind> Fault<R> {
    /// The route aimed at and the requests left.
    fn aim(&mut self) -> (R, &mut u32) {
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
#[derive(Debug)]
pub(crate) struct FaultQueue<R>(VecDeque<Fault<R>>);

impl<R> Default for FaultQueue<R> {
    fn default() -> Self {
        FaultQueue(VecDeque::new())
    }
}

impl<R: RouteKind> FaultQueue<R> {
    pub fn push(&mut self, mut fault: Fault<R>) {
        if *fault.aim().1 > 0 {
            self.0.push_back(fault);
        }
    }

    /// The first queued fault that matches `route`, used up by one.
    pub fn take(&mut self, route: R) -> Option<Fault<R>> {
        let pos = self.0.iter_mut().position(|f| f.aim().0.covers(route))?;
        let fault = self.0[pos].clone();
        let (_, left) = self.0[pos].aim();
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

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Door {
        Front,
        Back,
        Any,
    }

    impl RouteKind for Door {
        const ANY: Door = Door::Any;
    }

    #[test]
    fn faults_are_used_up_in_order() {
        let mut q = FaultQueue::default();
        q.push(Fault::Drop {
            route: Door::Back,
            times: 2,
        });
        q.push(Fault::RateLimited {
            route: Door::Any,
            times: 1,
        });
        q.push(Fault::Drop {
            route: Door::Front,
            times: 0,
        });
        assert!(matches!(
            q.take(Door::Front),
            Some(Fault::RateLimited { .. })
        ));
        assert!(q.take(Door::Front).is_none());
        assert!(matches!(q.take(Door::Back), Some(Fault::Drop { .. })));
        assert!(matches!(q.take(Door::Back), Some(Fault::Drop { .. })));
        assert!(q.take(Door::Back).is_none());
    }
}
