//! A real SMTP server for tests: Python's aiosmtpd on 127.0.0.1, storing every message it
//! accepts with its envelope, so tests see exactly what a mail server would.
//!
//! A mock inside the test process would only agree with our own reading of SMTP; a
//! separate implementation catches what ours gets wrong. The server refuses recipients
//! whose local part starts with `unknown` (`550 5.1.1`), accepts the login
//! `zeitpost`/`secret`, and answers the login `blocked` the way Microsoft 365 does when
//! SMTP AUTH is off for a mailbox. Started with an identity provider
//! ([`SmtpServer::start_oauth`]) it also offers XOAUTH2 and takes the tokens that provider
//! says are active for the user named with them. It speaks plain SMTP, implicit TLS or STARTTLS, with a
//! certificate for 127.0.0.1 from a CA made for the test ([`SmtpServer::ca_file`]). When
//! python3 or aiosmtpd is missing, `start` returns `None` and the calling test skips
//! (`pip install aiosmtpd`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tempfile::TempDir;

const SCRIPT: &str = r#"
import asyncio, base64, json, os, ssl, sys, time, urllib.parse, urllib.request
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

host, port, out, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
introspection = sys.argv[7] if len(sys.argv) > 7 else None
context = None
if mode != "none":
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[5], sys.argv[6])

class Handler:
    def __init__(self):
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.split("@")[0].lower().startswith("unknown"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.count:04d}"
        login = session.login_data.decode() if session.login_data else None
        meta = {"mail_from": envelope.mail_from, "rcpt_to": envelope.rcpt_tos, "login": login}
        data = envelope.original_content or envelope.content
        for ext, body in ((".json", json.dumps(meta).encode()), (".eml", data)):
            tmp = os.path.join(out, "." + name + ext)
            with open(tmp, "wb") as f:
                f.write(body)
            os.replace(tmp, os.path.join(out, name + ext))
        return "250 2.0.0 OK stored"

def authenticator(server, session, envelope, mechanism, data):
    if isinstance(data, LoginPassword):
        if data.login == b"zeitpost" and data.password == b"secret":
            return AuthResult(success=True, auth_data=data)
        if data.login == b"blocked":
            return AuthResult(success=False, handled=False, message=(
                "535 5.7.139 Authentication unsuccessful, "
                "SmtpClientAuthentication is disabled for the Mailbox."))
    return AuthResult(success=False, handled=False)

def token_user(token):
    body = urllib.parse.urlencode({"token": token}).encode()
    with urllib.request.urlopen(introspection, data=body, timeout=10) as answer:
        found = json.load(answer)
    return found.get("username") if found.get("active") is True else None

class OAuthSMTP(SMTP):
    async def auth_XOAUTH2(self, _, args):
        if len(args) < 2:
            await self.push("501 5.5.2 XOAUTH2 needs an initial response")
            return AuthResult(success=False, handled=True)
        try:
            fields = base64.b64decode(args[1], validate=True).decode().split("\x01")
            pairs = dict(f.split("=", 1) for f in fields if f)
            user, scheme_token = pairs["user"], pairs["auth"]
            scheme, token = scheme_token.split(" ", 1)
        except Exception:
            await self.push("501 5.5.2 Malformed XOAUTH2 response")
            return AuthResult(success=False, handled=True)
        if scheme == "Bearer" and token_user(token) == user:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful")

async def main():
    loop = asyncio.get_running_loop()
    handler = Handler()
    starttls = context if mode == "starttls" else None
    server = await loop.create_server(
        lambda: OAuthSMTP(handler, authenticator=authenticator, auth_require_tls=False,
                          auth_exclude_mechanism=[] if introspection else ["XOAUTH2"],
                          tls_context=starttls, require_starttls=starttls is not None,
                          loop=loop),
        host, port, ssl=context if mode == "implicit" else None)
    print("ready", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"#;

/// How the server encrypts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerTls {
    None,
    Implicit,
    Starttls,
}

impl ServerTls {
    fn arg(self) -> &'static str {
        match self {
            ServerTls::None => "none",
            ServerTls::Implicit => "implicit",
            ServerTls::Starttls => "starttls",
        }
    }
}

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The login the client authenticated with, if any.
    pub login: Option<String>,
    pub data: Vec<u8>,
}

pub struct SmtpServer {
    pub port: u16,
    dir: TempDir,
    child: Child,
    tls: ServerTls,
    /// The identity provider's introspection URL when XOAUTH2 is offered.
    introspection: Option<String>,
}

impl SmtpServer {
    /// Starts a plain-text server on a free port, or `None` (with a note) without
    /// python3/aiosmtpd.
    pub fn start() -> Option<SmtpServer> {
        SmtpServer::start_tls(ServerTls::None)
    }

    /// Like [`SmtpServer::start`], encrypting as `tls` says.
    pub fn start_tls(tls: ServerTls) -> Option<SmtpServer> {
        SmtpServer::start_in(tls, None)
    }

    /// A plain-text server that also offers XOAUTH2, checking tokens at `introspection_url`.
    pub fn start_oauth(introspection_url: &str) -> Option<SmtpServer> {
        SmtpServer::start_in(ServerTls::None, Some(introspection_url.to_string()))
    }

    fn start_in(tls: ServerTls, introspection: Option<String>) -> Option<SmtpServer> {
        let available = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            crate::util::server_missing("python3 with aiosmtpd (pip install aiosmtpd)");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("server.py"), SCRIPT).expect("write server script");
        std::fs::create_dir(dir.path().join("messages")).expect("messages dir");
        write_certificates(dir.path());
        let (child, port) = spawn(dir.path(), 0, tls, introspection.as_deref());
        Some(SmtpServer {
            port,
            dir,
            child,
            tls,
            introspection,
        })
    }

    /// The PEM file of the CA that signed the server's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Stops the server; the port stays reserved for [`SmtpServer::start_again`].
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same port, keeping the messages received so far.
    pub fn start_again(&mut self) {
        self.stop();
        let (child, port) = spawn(
            self.dir.path(),
            self.port,
            self.tls,
            self.introspection.as_deref(),
        );
        assert_eq!(port, self.port);
        self.child = child;
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        let dir = self.dir.path().join("messages");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("messages dir")
            .map(|e| e.expect("dir entry").path())
            // Files being written are hidden (`.name.eml`) until renamed.
            .filter(|p| {
                p.extension().is_some_and(|e| e == "eml")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|eml| {
                let meta: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(eml.with_extension("json")).expect("envelope file"),
                )
                .expect("envelope JSON");
                Received {
                    mail_from: meta["mail_from"].as_str().unwrap_or("").to_string(),
                    rcpt_to: meta["rcpt_to"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default(),
                    login: meta["login"].as_str().map(String::from),
                    data: std::fs::read(&eml).expect("message file"),
                }
            })
            .collect()
    }

    /// The raw messages received so far, oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.received().into_iter().map(|r| r.data).collect()
    }

    /// Waits until at least `n` messages arrived; panics after `timeout`.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let until = Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < until,
                "expected {n} messages within {timeout:?}, got {}; server log:\n{}",
                got.len(),
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A CA and a certificate it signed for 127.0.0.1 and localhost: `ca.pem`, `cert.pem`,
/// `key.pem` in `dir`.
fn write_certificates(dir: &Path) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().expect("server key");
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("server params")
        .signed_by(&key, &issuer)
        .expect("server certificate");
    for (name, pem) in [
        ("ca.pem", ca_cert.pem()),
        ("cert.pem", cert.pem()),
        ("key.pem", key.serialize_pem()),
    ] {
        std::fs::write(dir.join(name), pem).expect("write certificate");
    }
}

/// Runs the script and waits for its `ready <port>` line.
fn spawn(dir: &Path, port: u16, tls: ServerTls, introspection: Option<&str>) -> (Child, u16) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .expect("server log");
    let mut child = Command::new("python3")
        .arg(dir.join("server.py"))
        .args(["127.0.0.1", &port.to_string()])
        .arg(dir.join("messages"))
        .arg(tls.arg())
        .arg(dir.join("cert.pem"))
        .arg(dir.join("key.pem"))
        .args(introspection)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start python3");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
    let Some(port) = line
        .strip_prefix("ready ")
        .and_then(|p| p.trim().parse::<u16>().ok())
    else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "SMTP test server did not start ({line:?}):\n{}",
            std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
        );
    };
    (child, port)
}
