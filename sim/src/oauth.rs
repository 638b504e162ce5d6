//! An identity provider for mail logins with SASL XOAUTH2: the OAuth2 token endpoint of
//! the client-credentials grant (as Microsoft Entra ID answers it), and a token
//! introspection endpoint (RFC 7662) through which the test's mail servers check the
//! tokens they are shown.
//!
//! Tokens are random and tied to the mailbox the provider serves; the test can shorten
//! their lifetime or revoke all of them at once to see a client renew.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State as Extract;
use axum::http::Response;
use axum::routing::post;
use serde_json::json;
use tokio::sync::oneshot;

use crate::query::Params;
use crate::reply::Reply;
use crate::server::lock;

/// Who may ask for tokens, and for which mailbox they are good.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: String,
    /// The user name introspection answers for every token (the mailbox).
    pub username: String,
    /// `expires_in` of new tokens.
    pub lifetime: Duration,
}

struct State {
    config: OAuthConfig,
    /// Token → when it stops being accepted.
    tokens: HashMap<String, Instant>,
    issued: usize,
    introspected: usize,
}

type Shared = Arc<Mutex<State>>;

/// A running identity provider; dropping it stops the server.
pub struct OAuthSim {
    shared: Shared,
    origin: String,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl OAuthSim {
    /// Starts on a free loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot be built.
    pub fn start(config: OAuthConfig) -> OAuthSim {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Arc::new(Mutex::new(State {
            config,
            tokens: HashMap::new(),
            issued: 0,
            introspected: 0,
        }));
        let app = Router::new()
            .route("/token", post(token))
            .route("/introspect", post(introspect))
            .with_state(Arc::clone(&shared));
        let (shutdown, stop) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("oauth-sim".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("simulator runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    let _ = ready_tx.send(());
                    tokio::select! {
                        _ = axum::serve(listener, app).into_future() => {}
                        _ = stop => {}
                    }
                });
            })
            .expect("spawn simulator thread");
        ready_rx.recv().expect("simulator failed to start");
        OAuthSim {
            shared,
            origin,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// Where clients ask for tokens.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.origin)
    }

    /// Where mail servers check tokens (form POST `token=...`).
    pub fn introspection_url(&self) -> String {
        format!("{}/introspect", self.origin)
    }

    /// Tokens issued so far.
    pub fn issued(&self) -> usize {
        lock(&self.shared).issued
    }

    /// Introspection requests answered so far.
    pub fn introspected(&self) -> usize {
        lock(&self.shared).introspected
    }

    /// The tokens issued so far, for tests that look for them where they must not be.
    pub fn tokens(&self) -> Vec<String> {
        lock(&self.shared).tokens.keys().cloned().collect()
    }

    /// Makes every token issued so far invalid, as an early revocation does.
    pub fn expire_all(&self) {
        let now = Instant::now();
        for until in lock(&self.shared).tokens.values_mut() {
            *until = now;
        }
    }

    /// Changes the behaviour from the next request on.
    pub fn set_config(&self, f: impl FnOnce(&mut OAuthConfig)) {
        f(&mut lock(&self.shared).config);
    }
}

impl Drop for OAuthSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `POST /token`: the client-credentials grant.
async fn token(Extract(shared): Extract<Shared>, body: String) -> Response<Body> {
    let form = Params::parse(&body);
    let mut st = lock(&shared);
    let reply = if form.get("grant_type") != Some("client_credentials") {
        Reply::oauth_error(400, "unsupported_grant_type", "Only client_credentials")
    } else if form.get("client_id") != Some(st.config.client_id.as_str())
        || form.get("client_secret") != Some(st.config.client_secret.as_str())
    {
        Reply::oauth_error(
            401,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        )
    } else if form.get("scope").is_none_or(str::is_empty) {
        Reply::oauth_error(400, "invalid_scope", "AADSTS90014: scope is missing.")
    } else {
        let token = format!("tok-{}", uuid::Uuid::new_v4().simple());
        let lifetime = st.config.lifetime;
        st.tokens.insert(token.clone(), Instant::now() + lifetime);
        st.issued += 1;
        Reply::json(
            200,
            &json!({
                "token_type": "Bearer",
                "expires_in": lifetime.as_secs(),
                "access_token": token,
            }),
        )
    };
    reply.into_response()
}

/// `POST /introspect`: whether a token is valid, and for whom.
async fn introspect(Extract(shared): Extract<Shared>, body: String) -> Response<Body> {
    let form = Params::parse(&body);
    let mut st = lock(&shared);
    st.introspected += 1;
    let active = form
        .get("token")
        .and_then(|t| st.tokens.get(t))
        .is_some_and(|until| Instant::now() < *until);
    let answer = if active {
        json!({ "active": true, "username": st.config.username })
    } else {
        json!({ "active": false })
    };
    Reply::json(200, &answer).into_response()
}
