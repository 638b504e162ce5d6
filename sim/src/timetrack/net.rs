//! The HTTP edge: faults first, then the simulated API, then the log.
//!
//! "Change applied, answer lost" is what a sync job has to survive; the connection is cut with
//! the shared kill switch ([`crate::net`]), so no status line is ever sent.

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

/// Every request lands here.
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
    let (fault, (route, known_path, id)) = {
        let mut st = lock(&shared);
        let types_path = st.config.absence_types_path.clone();
        let classified = classify(&parts.method, parts.uri.path(), types_path.as_deref());
        (st.faults.take(classified.0), classified)
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
        known_path,
        id,
    };
    let mut st = lock(&shared);
    let (reply, applied, dropped) = match &fault {
        Some(Fault::Status { status, .. }) => {
            let p = Problem::new(*status, "injected", "Injected failure");
            (st.err(&p), false, false)
        }
        Some(Fault::RateLimited { .. }) => (st.too_many(), false, false),
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
