//! Every request's way through a simulator: faults first, then the simulated API, then the log.
//!
//! "Change applied, answer lost" is what exactly-once writing has to survive, so the order is
//! fixed for all simulators: a queued fault decides whether the API sees the request at all and
//! whether its answer reaches the client; the log records what happened either way. When the
//! answer is to be lost, the connection's kill switch ([`crate::net`]) is thrown, so no status
//! line is ever sent.

use std::time::SystemTime;

use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{HeaderMap, Method};
use axum::response::Response;

use crate::fault::Fault;
use crate::net::Kill;
use crate::query::Params;
use crate::reply::Reply;
use crate::server::{Account, Shared, lock};

/// Bodies beyond this are not read.
const BODY_LIMIT: usize = 4 << 20;

/// One request, read in full, with what the simulator made of its method and path.
pub(crate) struct Ctx<'a, R, K> {
    pub method: &'a Method,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub query: Params,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub route: R,
    /// What the path alone tells: whether the API has it at all (timr, TimeTrack) or which
    /// rate-limit group it belongs to (Personio). An unknown path gets 404, a known one with
    /// another method 405.
    pub known: K,
    /// The id in the path, for routes of one item.
    pub id: Option<String>,
}

impl<R, K> Ctx<'_, R, K> {
    /// The first value of a header, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body's pairs, if its content type says it is a form (as token endpoints demand).
    pub fn form(&self) -> Option<Params> {
        let form = self.header("content-type").is_some_and(|ct| {
            ct.split(';').next().is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
        form.then(|| Params::parse(&String::from_utf8_lossy(self.body)))
    }
}

/// What became of a request, for its log entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    /// The status answered, or that would have been; 0 when dropped without applying.
    pub status: u16,
    /// The request changed stored data.
    pub applied_write: bool,
    /// The connection was closed instead of answering.
    pub dropped: bool,
}

/// The request side of a simulated API: what [`entry`] cannot know by itself.
pub(crate) trait Api: Account {
    /// See [`Ctx::known`].
    type Known: Copy + Send;

    /// Route kind, what the path tells and the id in it.
    fn classify(&self, method: &Method, path: &str) -> (Self::Route, Self::Known, Option<String>);

    /// The answer to a [`Fault::Status`].
    fn injected(&self, status: u16) -> Reply;

    /// The answer to a [`Fault::RateLimited`].
    fn throttled(&self) -> Reply;

    /// Answers a request; the flag tells whether stored data changed.
    fn process(&mut self, ctx: &Ctx<'_, Self::Route, Self::Known>) -> (Reply, bool);

    /// The log entry of a request.
    fn record(
        ctx: &Ctx<'_, Self::Route, Self::Known>,
        at: SystemTime,
        outcome: Outcome,
    ) -> Self::Record;

    /// The answer to a body over the limit; `None` reads it as empty.
    fn oversized() -> Option<Reply> {
        None
    }
}

/// Every request lands here.
pub(crate) async fn entry<S: Api>(
    AxState(shared): AxState<Shared<S>>,
    ConnectInfo(kill): ConnectInfo<Kill>,
    req: Request,
) -> Response {
    let at = SystemTime::now();
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => match S::oversized() {
            Some(reply) => return reply.into_response(),
            None => Default::default(),
        },
    };
    let (fault, (route, known, id)) = {
        let mut st = lock(&shared);
        let classified = st.classify(&parts.method, parts.uri.path());
        (st.faults().take(classified.0), classified)
    };
    if let Some(Fault::Delay { delay, .. }) = &fault {
        tokio::time::sleep(*delay).await;
    }
    let raw_query = parts.uri.query().unwrap_or("");
    let ctx = Ctx {
        method: &parts.method,
        path: parts.uri.path(),
        raw_query,
        query: Params::parse(raw_query),
        headers: &parts.headers,
        body: &body,
        route,
        known,
        id,
    };
    let mut st = lock(&shared);
    let (reply, applied_write, dropped) = match &fault {
        Some(Fault::Status { status, .. }) => (st.injected(*status), false, false),
        Some(Fault::RateLimited { .. }) => (st.throttled(), false, false),
        Some(Fault::Drop { .. }) => (Reply::empty(500), false, true),
        Some(Fault::ApplyThenDrop { .. }) => {
            let (reply, applied) = st.process(&ctx);
            (reply, applied, true)
        }
        Some(Fault::Delay { .. }) | None => {
            let (reply, applied) = st.process(&ctx);
            (reply, applied, false)
        }
    };
    let status = if matches!(fault, Some(Fault::Drop { .. })) {
        0
    } else {
        reply.status
    };
    let outcome = Outcome {
        status,
        applied_write,
        dropped,
    };
    st.log().push(S::record(&ctx, at, outcome));
    drop(st);
    if dropped {
        kill.fire();
    }
    reply.into_response()
}
