//! A loopback HTTPS server for MTA-STS policies: serves `fixtures/mta-sts/<host>.txt` as
//! `text/plain` to whoever asks for `/.well-known/mta-sts.txt` with that `Host`, using the
//! test certificate `fixtures/tls/server.pem` (signed by the test CA `fixtures/tls/ca.pem`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

/// The server; stops when dropped.
pub struct HttpsFixture {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HttpsFixture {
    /// Starts on `127.0.0.1:<random>`.
    pub fn start() -> Self {
        let dir = crate::fixture("mta-sts");
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(crate::fixture("tls/server.pem"))
                .expect("server.pem")
                .collect::<Result<_, _>>()
                .expect("server certificate");
        let key = PrivateKeyDer::from_pem_file(crate::fixture("tls/server.key")).expect("key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind https");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let (tcp, _) = tokio::select! {
                        r = listener.accept() => match r { Ok(x) => x, Err(_) => continue },
                        _ = &mut stop_rx => break,
                    };
                    let acceptor = acceptor.clone();
                    let dir = dir.clone();
                    tokio::spawn(async move {
                        let Ok(Ok(mut tls)) =
                            tokio::time::timeout(Duration::from_secs(5), acceptor.accept(tcp)).await
                        else {
                            return;
                        };
                        let mut buf = Vec::new();
                        let mut chunk = [0u8; 1024];
                        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16384 {
                            match tls.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let head = String::from_utf8_lossy(&buf).to_string();
                        let path = head.split_whitespace().nth(1).unwrap_or_default().to_string();
                        let host = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("host").then(|| v.trim().to_ascii_lowercase())
                            })
                            .unwrap_or_default();
                        let file = dir.join(format!("{host}.txt"));
                        let response = match std::fs::read(&file) {
                            Ok(body) if path == "/.well-known/mta-sts.txt" && !host.contains('/') => {
                                let mut r = format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                    body.len()
                                )
                                .into_bytes();
                                r.extend(body);
                                r
                            }
                            _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                        };
                        let _ = tls.write_all(&response).await;
                        let _ = tls.shutdown().await;
                    });
                }
            });
        });
        HttpsFixture {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// The port to fetch policies from.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The test CA in PEM, to trust in the fetcher.
    pub fn ca_pem() -> Vec<u8> {
        std::fs::read(crate::fixture("tls/ca.pem")).expect("ca.pem")
    }
}

impl Drop for HttpsFixture {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
