//! The HTTP edge: a loopback listener whose connections a fault can cut without a reply.
//!
//! "Change applied, answer lost" is what a sync job that locks entries has to survive, so the
//! simulator produces it for real. Each connection carries a switch; once the handler throws
//! it, reads and writes on the socket fail, hyper abandons the connection and no status line is
//! ever sent.

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

use super::faults::Fault;
use super::log::RequestRecord;
use super::query::Params;
use super::reply::{Problem, Reply};
use super::routes::classify;
use super::state::{Ctx, State};

/// The state shared between the test thread and the server.
pub(crate) type Shared = Arc<Mutex<State>>;

/// Locks the state; a panic elsewhere must not hide it from the test.
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// A connection's cut switch.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cut(Arc<AtomicBool>);

impl Cut {
    fn is_cut(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, CutListener>> for Cut {
    fn connect_info(stream: IncomingStream<'_, CutListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP stream that fails every operation once its switch is thrown.
pub(crate) struct CutStream {
    tcp: TcpStream,
    cut: Cut,
}

fn cut_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "cut by an injected fault")
}

impl AsyncRead for CutStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for CutStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.cut.is_cut() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// Hands out cuttable streams; the switch doubles as the connection's "address".
pub(crate) struct CutListener(pub TcpListener);

impl Listener for CutListener {
    type Io = CutStream;
    type Addr = Cut;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok((tcp, _)) = self.0.accept().await {
                let _ = tcp.set_nodelay(true);
                let cut = Cut::default();
                return (
                    CutStream {
                        tcp,
                        cut: cut.clone(),
                    },
                    cut,
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Cut::default())
    }
}

const BODY_LIMIT: usize = 4 << 20;

/// Every request lands here: faults first, then the simulated API, then the log.
pub(crate) async fn entry(
    AxState(shared): AxState<Shared>,
    ConnectInfo(cut): ConnectInfo<Cut>,
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
        headers: ctx
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(ctx.body).into_owned(),
    });
    drop(st);
    if dropped {
        cut.0.store(true, Ordering::SeqCst);
    }
    reply.into_response()
}
