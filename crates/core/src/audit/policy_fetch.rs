//! Fetching a policy file over HTTPS the way RFC 8461 §3.3 requires of senders: the host
//! resolved through the audit's own resolver, a certificate valid for the host (PKIX,
//! Mozilla roots), HTTP 200 with `text/plain`, no redirects, a size cap and a deadline.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::dns::{DnsJob, RecordKind};

/// Largest policy body accepted (RFC 8461 §3.2 policies are a few hundred bytes).
pub const BODY_LIMIT: usize = 64 * 1024;

/// How (and whether) policies are fetched.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Fetch at all (the `mta_sts_fetch` setting; on by default).
    pub enabled: bool,
    /// TCP port (443; tests use a loopback port).
    pub port: u16,
    /// Extra trusted roots in PEM (tests add their own CA; empty in the app).
    pub extra_roots_pem: Vec<u8>,
    /// Connect + TLS + transfer time limit.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            port: 443,
            extra_roots_pem: Vec::new(),
            timeout: Duration::from_secs(10),
        }
    }
}

fn tls_config(extra_pem: &[u8]) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if !extra_pem.is_empty() {
        for cert in CertificateDer::pem_slice_iter(extra_pem) {
            let cert = cert.map_err(|e| format!("extra root certificate: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("extra root certificate: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// GETs `https://<host><path>` and returns the body. Every failure is a sentence that says
/// which step failed.
pub async fn fetch(
    job: &DnsJob,
    host: &str,
    path: &str,
    opts: &FetchOptions,
) -> Result<String, String> {
    let mut addrs: Vec<IpAddr> = Vec::new();
    for kind in [RecordKind::A, RecordKind::Aaaa] {
        match job.lookup(host, kind).await {
            Ok(a) => addrs.extend(a.ips()),
            Err(e) if addrs.is_empty() && kind == RecordKind::Aaaa => {
                return Err(format!("{host} does not resolve: {e}"));
            }
            Err(_) => {}
        }
    }
    if addrs.is_empty() {
        return Err(format!("{host} has no address record"));
    }
    let config = tls_config(&opts.extra_roots_pem)?;
    let server_name = ServerName::try_from(host.to_string()).map_err(|e| format!("{host}: {e}"))?;
    let work = async {
        let mut last = String::new();
        for ip in &addrs {
            let addr = SocketAddr::new(*ip, opts.port);
            let tcp = match tokio::net::TcpStream::connect(addr).await {
                Ok(t) => t,
                Err(e) => {
                    last = format!("cannot connect to {addr}: {e}");
                    continue;
                }
            };
            let connector = tokio_rustls::TlsConnector::from(config.clone());
            let mut tls = connector
                .connect(server_name.clone(), tcp)
                .await
                .map_err(|e| format!("TLS with {host} ({addr}) failed: {e}"))?;
            // HTTP/1.0: the server closes after the body, never chunks it.
            let request = format!(
                "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: inboxlens\r\nAccept: text/plain\r\n\r\n"
            );
            tls.write_all(request.as_bytes())
                .await
                .map_err(|e| format!("sending the request to {host} failed: {e}"))?;
            let mut raw = Vec::new();
            let mut limited = (&mut tls).take((BODY_LIMIT + 16 * 1024) as u64);
            // A server that closes without TLS close_notify still sent its answer.
            if let Err(e) = limited.read_to_end(&mut raw).await
                && raw.is_empty()
            {
                return Err(format!("reading the answer from {host} failed: {e}"));
            }
            return parse_response(host, &raw);
        }
        Err(last)
    };
    match tokio::time::timeout(opts.timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "no complete answer from {host} within {} s",
            opts.timeout.as_secs()
        )),
    }
}

fn parse_response(host: &str, raw: &[u8]) -> Result<String, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        })
        .ok_or_else(|| format!("{host} sent no complete HTTP header"))?;
    let head = String::from_utf8_lossy(&raw[..split.0]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{host} sent an invalid status line \"{status_line}\""))?;
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    if (300..400).contains(&status) {
        return Err(format!(
            "HTTP {status} redirect to {}: senders MUST NOT follow redirects (RFC 8461 §3.3)",
            header("location").unwrap_or_default()
        ));
    }
    if status != 200 {
        return Err(format!("HTTP {status} (\"{status_line}\")"));
    }
    let ctype = header("content-type").unwrap_or_default();
    if !ctype
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case("text/plain")
    {
        return Err(format!(
            "Content-Type is \"{ctype}\", not text/plain (RFC 8461 §3.2)"
        ));
    }
    let body = &raw[split.1..];
    if body.len() > BODY_LIMIT {
        return Err(format!("the policy is larger than {BODY_LIMIT} bytes"));
    }
    String::from_utf8(body.to_vec()).map_err(|_| "the policy is not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::parse_response;

    #[test]
    fn responses() {
        let ok =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nversion: STSv1\r\n";
        assert_eq!(parse_response("h", ok).expect("ok"), "version: STSv1\r\n");
        let redirect = b"HTTP/1.1 301 Moved\r\nLocation: https://x/\r\n\r\n";
        assert!(
            parse_response("h", redirect)
                .expect_err("redirect")
                .contains("MUST NOT")
        );
        let html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>";
        assert!(
            parse_response("h", html)
                .expect_err("type")
                .contains("text/html")
        );
        assert!(parse_response("h", b"HTTP/1.1 404 Not Found\r\n\r\n").is_err());
        assert!(parse_response("h", b"garbage").is_err());
    }
}
