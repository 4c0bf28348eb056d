//! The query path of DNS jobs: hickory-proto messages over a few long-lived UDP sockets per
//! server, answers matched to queries by id and question, TCP when an answer is truncated.
//!
//! Why not hickory-resolver's lookup for this path: it opens a fresh UDP socket for every
//! query (port randomization) and runs each through its pool and caching client; measured on
//! the 1,000-domain audit benchmark that was most of the CPU time (kernel socket setup,
//! allocation, scheduling). Jobs have their own cache, deadline and retry policy, so they need
//! only a transport. Spoofing resistance comes from random 16-bit ids over several sockets
//! with OS-chosen ports, and from checking that the answer's question is the one asked.
//! hickory-resolver stays the resolver for mail-auth (message verification).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_resolver::proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_resolver::proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UdpSocket;
use tokio::sync::{OnceCell, oneshot};

/// UDP sockets kept open per server.
const SOCKETS_PER_SERVER: usize = 8;
/// Queries in flight at once per transport. Bursts beyond what socket buffers hold would be
/// dropped by the kernel and come back only as timeouts; queueing them costs nothing.
const MAX_IN_FLIGHT: usize = 256;
/// Receive buffer asked for per socket (the kernel caps it at net.core.rmem_max).
const RECV_BUFFER: usize = 1 << 20;
/// EDNS(0) payload size announced (the DNS Flag Day 2020 value: no IP fragmentation).
const EDNS_PAYLOAD: u16 = 1232;
/// Largest datagram read.
const MAX_UDP: usize = 4096;

type Pending = Arc<Mutex<HashMap<u16, oneshot::Sender<Vec<u8>>>>>;

/// One UDP socket connected to a server, with its reader task.
struct MuxSocket {
    socket: Arc<UdpSocket>,
    pending: Pending,
    reader: tokio::task::AbortHandle,
}

impl Drop for MuxSocket {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Why a query got no answer.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// No answer within the timeout, after every attempt.
    Timeout,
    /// Sockets, encoding, a malformed answer.
    Network(String),
}

/// Queries to a fixed list of servers with a per-attempt timeout.
pub(crate) struct Transport {
    servers: Vec<SocketAddr>,
    timeout: Duration,
    attempts: u32,
    sockets: Vec<OnceCell<Vec<MuxSocket>>>,
    in_flight: tokio::sync::Semaphore,
}

impl Transport {
    /// A transport to `servers` (tried in order on each attempt).
    pub(crate) fn new(servers: Vec<SocketAddr>, timeout: Duration, attempts: u32) -> Self {
        let sockets = servers.iter().map(|_| OnceCell::new()).collect();
        Self {
            servers,
            timeout,
            attempts: attempts.max(1),
            sockets,
            in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
        }
    }

    async fn sockets(&self, i: usize) -> Result<&[MuxSocket], TransportError> {
        let server = self.servers[i];
        let v = self.sockets[i]
            .get_or_try_init(|| async move {
                let mut v = Vec::with_capacity(SOCKETS_PER_SERVER);
                for _ in 0..SOCKETS_PER_SERVER {
                    let bind: SocketAddr = if server.is_ipv4() {
                        "0.0.0.0:0".parse().expect("literal")
                    } else {
                        "[::]:0".parse().expect("literal")
                    };
                    let socket = UdpSocket::bind(bind).await.map_err(|e| {
                        TransportError::Network(format!("cannot open a UDP socket: {e}"))
                    })?;
                    // Best effort: a smaller buffer only means more queueing.
                    let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(RECV_BUFFER);
                    socket.connect(server).await.map_err(|e| {
                        TransportError::Network(format!("cannot reach {server}: {e}"))
                    })?;
                    let socket = Arc::new(socket);
                    let pending: Pending = Arc::default();
                    let reader = tokio::spawn(read_loop(socket.clone(), pending.clone()));
                    v.push(MuxSocket {
                        socket,
                        pending,
                        reader: reader.abort_handle(),
                    });
                }
                Ok::<_, TransportError>(v)
            })
            .await?;
        Ok(v)
    }

    /// Sends one query and returns the answer message (any response code).
    pub(crate) async fn query(
        &self,
        name: &Name,
        rtype: RecordType,
    ) -> Result<Message, TransportError> {
        let mut last = TransportError::Timeout;
        for _ in 0..self.attempts {
            for i in 0..self.servers.len() {
                match self.query_udp(i, name, rtype).await {
                    Ok(m) if m.metadata.truncation => {
                        match self.query_tcp(self.servers[i], name, rtype).await {
                            Ok(m) => return Ok(m),
                            Err(e) => last = e,
                        }
                    }
                    Ok(m) => return Ok(m),
                    Err(e) => last = e,
                }
            }
        }
        Err(last)
    }

    async fn query_udp(
        &self,
        server: usize,
        name: &Name,
        rtype: RecordType,
    ) -> Result<Message, TransportError> {
        let sockets = self.sockets(server).await?;
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|_| TransportError::Network("the transport is closed".into()))?;
        let mux = &sockets[usize::from(rand::random::<u8>()) % sockets.len()];
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut pending = mux.pending.lock().unwrap_or_else(|p| p.into_inner());
            let mut id = rand::random::<u16>();
            while pending.contains_key(&id) {
                id = rand::random::<u16>();
            }
            pending.insert(id, tx);
            id
        };
        let forget = || {
            mux.pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        };
        let bytes = match request(id, name, rtype) {
            Ok(b) => b,
            Err(e) => {
                forget();
                return Err(e);
            }
        };
        if let Err(e) = mux.socket.send(&bytes).await {
            forget();
            return Err(TransportError::Network(format!(
                "sending to {}: {e}",
                self.servers[server]
            )));
        }
        let answer = match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(a)) => a,
            Ok(Err(_)) => {
                return Err(TransportError::Network("the UDP reader stopped".into()));
            }
            Err(_) => {
                forget();
                return Err(TransportError::Timeout);
            }
        };
        parse(&answer, id, name, rtype)
    }

    async fn query_tcp(
        &self,
        server: SocketAddr,
        name: &Name,
        rtype: RecordType,
    ) -> Result<Message, TransportError> {
        let id = rand::random::<u16>();
        let bytes = request(id, name, rtype)?;
        let work = async {
            let mut s = tokio::net::TcpStream::connect(server)
                .await
                .map_err(|e| TransportError::Network(format!("TCP to {server}: {e}")))?;
            let mut framed = Vec::with_capacity(bytes.len() + 2);
            framed.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
            framed.extend_from_slice(&bytes);
            s.write_all(&framed)
                .await
                .map_err(|e| TransportError::Network(format!("TCP to {server}: {e}")))?;
            let mut len = [0u8; 2];
            s.read_exact(&mut len)
                .await
                .map_err(|e| TransportError::Network(format!("TCP from {server}: {e}")))?;
            let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
            s.read_exact(&mut buf)
                .await
                .map_err(|e| TransportError::Network(format!("TCP from {server}: {e}")))?;
            parse(&buf, id, name, rtype)
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(TransportError::Timeout),
        }
    }
}

fn request(id: u16, name: &Name, rtype: RecordType) -> Result<Vec<u8>, TransportError> {
    let mut m = Message::new(id, MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(name.clone(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(EDNS_PAYLOAD);
    m.set_edns(edns);
    m.to_vec()
        .map_err(|e| TransportError::Network(format!("cannot encode the query: {e}")))
}

/// Decodes an answer and checks it answers this query (id, type, name, class).
fn parse(bytes: &[u8], id: u16, name: &Name, rtype: RecordType) -> Result<Message, TransportError> {
    let m = Message::from_vec(bytes)
        .map_err(|e| TransportError::Network(format!("malformed answer: {e}")))?;
    let ok = m.metadata.id == id
        && m.metadata.message_type == MessageType::Response
        && m.queries.len() == 1
        && m.queries[0].query_type() == rtype
        && m.queries[0].name() == name;
    if !ok {
        return Err(TransportError::Network(
            "the answer does not match the question".into(),
        ));
    }
    Ok(m)
}

async fn read_loop(socket: Arc<UdpSocket>, pending: Pending) {
    let mut buf = vec![0u8; MAX_UDP];
    loop {
        let n = match socket.recv(&mut buf).await {
            Ok(n) => n,
            // ICMP port unreachable and the like surface here; the query times out.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(1)).await;
                continue;
            }
        };
        if n < 12 {
            continue;
        }
        let id = u16::from_be_bytes([buf[0], buf[1]]);
        let tx = pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        if let Some(tx) = tx {
            let _ = tx.send(buf[..n].to_vec());
        }
    }
}
