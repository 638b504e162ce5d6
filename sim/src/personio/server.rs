//! The HTTP side: every request passes faults, the simulated API and the log here. A fault
//! that loses the answer throws the connection's kill switch ([`crate::net`]).

use std::time::SystemTime;

use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::response::Response;

use super::config::RateLimit;
use super::faults::{Fault, classify};
use super::log::RequestRecord;
use super::query::Params;
use super::ratelimit;
use super::reply::{self, Reply, title_for};
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
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return reply::problem(413, "Payload Too Large", "The request body is too large")
            .into_response();
    };
    let (route, group, id) = classify(&parts.method, parts.uri.path());
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
        group,
        id,
    };
    let mut st = lock(&shared);
    let (reply, applied, dropped) = match &fault {
        Some(Fault::Status { status, .. }) => (
            reply::problem(*status, title_for(*status), "Injected failure"),
            false,
            false,
        ),
        Some(Fault::RateLimited { .. }) => {
            let limit = st.config.rate_limit.unwrap_or(RateLimit {
                capacity: 1,
                per_second: 1,
            });
            let retry = st.config.retry_after_on_429.then_some(1);
            (ratelimit::too_many(limit, retry), false, false)
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
    st.log.push(record(&ctx, at, status, applied, dropped));
    drop(st);
    if dropped {
        kill.fire();
    }
    reply.into_response()
}

fn record(ctx: &Ctx, at: SystemTime, status: u16, applied: bool, dropped: bool) -> RequestRecord {
    let first = |a: &str, b: &str| ctx.header(a).or_else(|| ctx.header(b)).map(str::to_owned);
    RequestRecord {
        method: ctx.method.to_string(),
        path: ctx.path.to_owned(),
        query: ctx.raw_query.to_owned(),
        route: ctx.route,
        status,
        dropped,
        applied_write: applied,
        at,
        partner_id: first("x-personio-partner-id", "personio-partner-id"),
        app_id: first("x-personio-app-id", "personio-app-id"),
        headers: crate::record::headers(ctx.headers),
        body: String::from_utf8_lossy(ctx.body).into_owned(),
    }
}
