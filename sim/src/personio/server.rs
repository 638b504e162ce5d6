//! The HTTP side: a loopback listener whose connections a fault can cut without a reply.
//!
//! "Write applied, answer lost" is the case exactly-once importing has to survive, so the
//! simulator must produce it for real: the request is applied, then the socket is closed with
//! nothing written. Each connection carries a kill switch the handler can throw; once thrown,
//! every write fails, hyper gives up on the connection and the socket is dropped.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::config::RateLimit;
use super::faults::{Fault, classify};
use super::log::RequestRecord;
use super::query::Params;
use super::ratelimit;
use super::reply::{Reply, title_for};
use super::state::{Ctx, State};

/// The state shared between the test thread and the server.
pub(crate) type Shared = Arc<Mutex<State>>;

/// Locks the state; a panic elsewhere must not hide it from the test.
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// A connection's kill switch.
#[derive(Debug, Clone, Default)]
pub(crate) struct Kill(Arc<AtomicBool>);

impl Kill {
    fn fire(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn fired(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, KillListener>> for Kill {
    fn connect_info(stream: IncomingStream<'_, KillListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP stream that stops reading and writing once its switch is thrown.
pub(crate) struct KillableStream {
    inner: TcpStream,
    kill: Kill,
}

fn aborted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by fault",
    )
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.kill.fired() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.kill.fired() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.fired() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.fired() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Hands out killable streams; the switch doubles as the connection's "address".
pub(crate) struct KillListener(pub TcpListener);

impl Listener for KillListener {
    type Io = KillableStream;
    type Addr = Kill;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((inner, _)) => {
                    let _ = inner.set_nodelay(true);
                    let kill = Kill::default();
                    return (
                        KillableStream {
                            inner,
                            kill: kill.clone(),
                        },
                        kill,
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Kill::default())
    }
}

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
        return Reply::problem(413, "Payload Too Large", "The request body is too large")
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
            Reply::problem(*status, title_for(*status), "Injected failure"),
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
    let headers: Vec<(String, String)> = ctx
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
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
        headers,
        body: String::from_utf8_lossy(ctx.body).into_owned(),
    }
}
