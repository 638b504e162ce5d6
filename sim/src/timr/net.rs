//! The HTTP edge: a loopback listener whose connections a fault can cut without a reply.
//!
//! "Change applied, answer lost" is what a sync job that locks entries has to survive; the
//! connection is cut with the shared kill switch ([`crate::net`]), so no status line is ever
//! sent.

use std::time::SystemTime;

use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::response::Response;

use super::faults::Fault;
use super::log::RequestRecord;
use super::query::Params;
use super::reply::{Problem, Reply};
use super::routes::classify;
use super::state::{Ctx, State};
use crate::net::Kill;
use crate::server::lock;

/// The state shared between the test thread and the server.
pub(crate) type Shared = crate::server::Shared<State>;

const BODY_LIMIT: usize = 4 << 20;

/// Every request lands here: faults first, then the simulated API, then the log.
pub(crate) async fn entry(
    AxState(shared): AxState<Shared>,
    ConnectInfo(kill): ConnectInfo<Kill>,
    req: Request,
) -> Response {
    let at = SystemTime::now();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let (route, known_path, id) = classify(&parts.method, parts.uri.path());
    let fault = lock(&shared).faults.take(route);
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
        known_path,
        id,
    };
    let mut st = lock(&shared);
    let (reply, applied, dropped) = match &fault {
        Some(Fault::Status { status, .. }) => {
            let p = Problem::new(*status, "simulator/injected", "Injected failure");
            (st.err(&p), false, false)
        }
        Some(Fault::RateLimited { .. }) => {
            let p = Problem::new(429, "request/too-many-requests", "Too many requests");
            let mut reply = st.err(&p);
            if let Some(secs) = st.config.retry_after {
                reply = reply.with_header("retry-after", secs.to_string());
            }
            (reply, false, false)
        }
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
    st.log.push(RequestRecord {
        method: ctx.method.to_string(),
        path: ctx.path.to_owned(),
        query: ctx.raw_query.to_owned(),
        route,
        status,
        dropped,
        applied_write: applied,
        at,
        headers: crate::record::headers(ctx.headers),
        body: String::from_utf8_lossy(ctx.body).into_owned(),
    });
    drop(st);
    if dropped {
        kill.fire();
    }
    reply.into_response()
}
