//! The byte stream under the IMAP session: TCP, then implicit TLS, STARTTLS, or nothing.
//!
//! Plain text is refused unless every address of the host is a loopback address, so a
//! typo in the config cannot send the mailbox password over the network unencrypted.
//! async-imap leaves the greeting and STARTTLS to its caller; both happen here, and
//! whatever the server sent before the TLS handshake is thrown away with the plain client.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::Client;
use async_imap::imap_proto::{Response, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;

use super::command::{timed_out, within};
use crate::config::TlsMode;
use crate::source::{SourceError, tls};

/// A TCP stream, with or without TLS on top.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Conn::Plain(_) => "Conn::Plain",
            Conn::Tls(_) => "Conn::Tls",
        })
    }
}

/// Connects and reads the greeting; the client is ready for LOGIN.
pub(super) async fn open(
    host: &str,
    port: u16,
    mode: TlsMode,
    ca_file: Option<&Path>,
    limit: Duration,
) -> Result<Client<Conn>, SourceError> {
    let addrs = resolve(host, port, limit).await?;
    if mode == TlsMode::None && !addrs.iter().all(|a| a.ip().is_loopback()) {
        return Err(SourceError::Connect(format!(
            "tls = \"none\" is only allowed towards a loopback address, and {host} is not one; \
             use \"implicit\" or \"starttls\""
        )));
    }
    let tls = match mode {
        TlsMode::None => None,
        _ => Some(TlsConnector::from(
            tls::client_config(ca_file).map_err(SourceError::Connect)?,
        )),
    };
    let tcp = connect_any(host, &addrs, limit).await?;
    let mut client = match (&tls, mode) {
        (Some(tls), TlsMode::Implicit) => {
            Client::new(Conn::Tls(handshake(tls, host, tcp, limit).await?))
        }
        _ => Client::new(Conn::Plain(tcp)),
    };
    greeting(&mut client, host, limit).await?;
    if let (Some(tls), TlsMode::Starttls) = (&tls, mode) {
        within(
            limit,
            "STARTTLS",
            client.run_command_and_check_ok("STARTTLS", None),
        )
        .await
        .map_err(|f| match f.into_error("STARTTLS") {
            SourceError::Protocol(m) => SourceError::Connect(m),
            e => e,
        })?;
        let Conn::Plain(tcp) = client.into_inner() else {
            unreachable!("STARTTLS runs on a plain connection");
        };
        client = Client::new(Conn::Tls(handshake(tls, host, tcp, limit).await?));
    }
    Ok(client)
}

async fn resolve(host: &str, port: u16, limit: Duration) -> Result<Vec<SocketAddr>, SourceError> {
    let addrs = tokio::time::timeout(limit, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| timed_out(&format!("address lookup of {host}"), limit))?
        .map_err(|e| SourceError::Connect(format!("{host}: {e}")))?
        .collect::<Vec<_>>();
    if addrs.is_empty() {
        return Err(SourceError::Connect(format!("{host} has no address")));
    }
    Ok(addrs)
}

async fn connect_any(
    host: &str,
    addrs: &[SocketAddr],
    limit: Duration,
) -> Result<TcpStream, SourceError> {
    let mut last = None;
    for addr in addrs {
        match tokio::time::timeout(limit, TcpStream::connect(addr)).await {
            Ok(Ok(tcp)) => {
                tcp.set_nodelay(true).ok();
                return Ok(tcp);
            }
            Ok(Err(e)) => last = Some(SourceError::Connect(format!("{host} ({addr}): {e}"))),
            Err(_) => last = Some(timed_out(&format!("connect to {host} ({addr})"), limit)),
        }
    }
    Err(last.unwrap_or_else(|| SourceError::Connect(format!("{host} has no address"))))
}

async fn handshake(
    tls: &TlsConnector,
    host: &str,
    tcp: TcpStream,
    limit: Duration,
) -> Result<Box<TlsStream<TcpStream>>, SourceError> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| SourceError::Connect(format!("{host} is not a valid TLS server name: {e}")))?;
    match tokio::time::timeout(limit, tls.connect(name, tcp)).await {
        Ok(Ok(stream)) => Ok(Box::new(stream)),
        Ok(Err(e)) => Err(SourceError::Connect(format!(
            "TLS handshake with {host}: {e}"
        ))),
        Err(_) => Err(timed_out("TLS handshake", limit)),
    }
}

/// Reads the server's first line: `* OK` goes on, anything else (`* BYE`) is refused.
async fn greeting(
    client: &mut Client<Conn>,
    host: &str,
    limit: Duration,
) -> Result<(), SourceError> {
    let line = tokio::time::timeout(limit, client.read_response())
        .await
        .map_err(|_| timed_out("greeting", limit))?
        .map_err(|e| SourceError::Connect(format!("{host}: reading the greeting: {e}")))?
        .ok_or_else(|| {
            SourceError::Connect(format!("{host} closed the connection before greeting"))
        })?;
    match line.parsed() {
        Response::Data {
            status: Status::Ok, ..
        } => Ok(()),
        Response::Data { status, outcome } => Err(SourceError::Connect(format!(
            "{host} does not accept the connection: {status:?} {}",
            outcome.information.as_deref().unwrap_or("")
        ))),
        other => Err(SourceError::Protocol(format!(
            "{host} sent no IMAP greeting: {other:?}"
        ))),
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
