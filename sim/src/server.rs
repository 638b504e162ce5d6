//! The plumbing every simulator runs on: a loopback port, a thread with its own tokio runtime,
//! the state shared with the test, and a clean stop when the handle is dropped.
//!
//! Running on its own thread with its own runtime is what lets synchronous tests, async tests
//! and tests of a child process all talk to a simulator alike.

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use tokio::sync::oneshot;

use crate::entry::{Api, entry};
use crate::fault::{Fault, FaultQueue, RouteKind};
use crate::net::{Kill, KillListener};
use crate::stats::{Counted, Stats};

/// A simulator's state as both the test thread and the server see it.
pub(crate) type Shared<S> = Arc<Mutex<S>>;

/// Locks the state; a panic elsewhere must not hide it from the test.
pub(crate) fn lock<S>(shared: &Shared<S>) -> MutexGuard<'_, S> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// What every simulated account holds besides its data: the queued faults, the request log and
/// the switches of its behaviour.
pub(crate) trait Account: Send + 'static {
    /// The API's route kinds.
    type Route: RouteKind;
    /// One entry of the request log.
    type Record: Clone + Counted<Self::Route>;
    /// The switches of the simulated behaviour.
    type Config: Clone;

    fn faults(&mut self) -> &mut FaultQueue<Self::Route>;
    fn log(&mut self) -> &mut Vec<Self::Record>;
    fn config(&mut self) -> &mut Self::Config;
}

/// A running server. Dropping it stops the server.
pub(crate) struct Server<S> {
    shared: Shared<S>,
    origin: String,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl<S: Api> Server<S> {
    /// Binds `127.0.0.1:0`, builds the state for the bound origin (`http://127.0.0.1:PORT`) and
    /// sends every request to [`entry`]; returns once the port accepts connections. `name`
    /// names the threads.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot be built.
    pub fn start(name: &str, state: impl FnOnce(&str) -> S) -> Server<S> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let origin = format!("http://{addr}");
        let shared = Arc::new(Mutex::new(state(&origin)));
        let (shutdown, stop) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let app = Router::new()
            .fallback(entry::<S>)
            .with_state(Arc::clone(&shared));
        let worker = format!("{name}-sim-worker");
        let thread = std::thread::Builder::new()
            .name(format!("{name}-sim-{}", addr.port()))
            .spawn(move || serve(&worker, listener, app, stop, ready_tx))
            .expect("spawn simulator thread");
        ready_rx.recv().expect("simulator failed to start");
        Server {
            shared,
            origin,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The state, locked.
    pub fn lock(&self) -> MutexGuard<'_, S> {
        lock(&self.shared)
    }

    /// Queues a fault; faults apply in the order injected, one per request.
    pub fn inject(&self, fault: Fault<S::Route>) {
        self.lock().faults().push(fault);
    }

    /// Every request so far, in the order answered.
    pub fn requests(&self) -> Vec<S::Record> {
        self.lock().log().clone()
    }

    /// Forgets the request log (and so resets `stats`).
    pub fn clear_requests(&self) {
        self.lock().log().clear();
    }

    /// Counts over the request log.
    pub fn stats(&self) -> Stats<S::Route> {
        Stats::from_log(self.lock().log())
    }

    /// Changes the behaviour from the next request on.
    pub fn set_config(&self, f: impl FnOnce(&mut S::Config)) {
        f(self.lock().config());
    }

    /// The current behaviour.
    pub fn config(&self) -> S::Config {
        self.lock().config().clone()
    }
}

impl<S> Drop for Server<S> {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread: its own runtime, serving until the shutdown signal.
fn serve(
    worker: &str,
    listener: std::net::TcpListener,
    app: Router,
    stop: oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<()>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(worker)
        .enable_all()
        .build()
        .expect("simulator runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        let service = app.into_make_service_with_connect_info::<Kill>();
        let server = axum::serve(KillListener(listener), service);
        let _ = ready.send(());
        tokio::select! {
            _ = server.into_future() => {}
            _ = stop => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
}

/// The methods every simulator handle offers over its `server: Server<State>` field: faults,
/// the request log, its counts and the config.
///
/// A macro because they are inherent methods of three public types: tests call them without
/// importing a trait. `Fault`, `RequestRecord` and `Stats` are the calling simulator's own.
macro_rules! account_methods {
    ($config:ty) => {
        /// Queues a fault; faults apply in the order injected, one per request.
        pub fn inject(&self, fault: Fault) {
            self.server.inject(fault);
        }

        /// Every request so far, in the order answered.
        pub fn requests(&self) -> Vec<RequestRecord> {
            self.server.requests()
        }

        /// Forgets the request log (and so resets `stats`).
        pub fn clear_requests(&self) {
            self.server.clear_requests();
        }

        /// Counts over the request log.
        pub fn stats(&self) -> Stats {
            self.server.stats()
        }

        /// Changes the behaviour from the next request on.
        pub fn set_config(&self, f: impl FnOnce(&mut $config)) {
            self.server.set_config(f);
        }

        /// The current behaviour.
        pub fn config(&self) -> $config {
            self.server.config()
        }
    };
}
pub(crate) use account_methods;
