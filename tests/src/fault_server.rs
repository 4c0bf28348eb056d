//! A loopback DNS server that misbehaves on purpose: answers every query with SERVFAIL or
//! REFUSED, or truncates every UDP answer and serves an oversized TXT record over TCP.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hickory_server::proto::op::{Message, MessageType, ResponseCode};
use hickory_server::proto::rr::rdata::TXT;
use hickory_server::proto::rr::{RData, Record};

/// How the server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Every answer is SERVFAIL.
    ServFail,
    /// Every answer is REFUSED.
    Refused,
    /// UDP answers are empty with TC=1; TCP answers carry a TXT record of `n` bytes (many
    /// 255-byte strings), for every name.
    TruncateThenTxt(usize),
}

/// The server; stops when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

fn answer(query: &[u8], fault: Fault, tcp: bool) -> Option<Vec<u8>> {
    let q = Message::from_vec(query).ok()?;
    let mut m = Message::new(q.metadata.id, MessageType::Response, q.metadata.op_code);
    m.metadata.recursion_desired = q.metadata.recursion_desired;
    m.metadata.recursion_available = true;
    m.add_queries(q.queries.clone());
    match fault {
        Fault::ServFail => m.metadata.response_code = ResponseCode::ServFail,
        Fault::Refused => m.metadata.response_code = ResponseCode::Refused,
        Fault::TruncateThenTxt(_) if !tcp => m.metadata.truncation = true,
        Fault::TruncateThenTxt(n) => {
            let name = q.queries.first()?.name().clone();
            let text = "v=spf1 ".to_string() + &"ip4:192.0.2.1 ".repeat(n / 14);
            let strings: Vec<String> = text
                .as_bytes()
                .chunks(255)
                .map(|c| String::from_utf8_lossy(c).to_string())
                .collect();
            m.add_answer(Record::from_rdata(name, 60, RData::TXT(TXT::new(strings))));
        }
    }
    m.to_vec().ok()
}

impl FaultServer {
    /// Starts on `127.0.0.1:<random>` (UDP and TCP).
    pub fn start(fault: Fault) -> Self {
        let (udp, tcp) = crate::dns_fixture::bind_pair();
        udp.set_nonblocking(false).expect("blocking");
        tcp.set_nonblocking(true).expect("nonblocking");
        udp.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("timeout");
        let addr = udp.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let s1 = stop.clone();
        let udp_thread = std::thread::spawn(move || udp_loop(udp, fault, s1));
        let s2 = stop.clone();
        let tcp_thread = std::thread::spawn(move || tcp_loop(tcp, fault, s2));
        FaultServer {
            addr,
            stop,
            threads: vec![udp_thread, tcp_thread],
        }
    }

    /// `127.0.0.1:<port>`, as `--nameserver` takes it.
    pub fn nameserver(&self) -> String {
        self.addr.to_string()
    }
}

fn udp_loop(udp: UdpSocket, fault: Fault, stop: Arc<AtomicBool>) {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        if let Ok((n, from)) = udp.recv_from(&mut buf)
            && let Some(a) = answer(&buf[..n], fault, false)
        {
            let _ = udp.send_to(&a, from);
        }
    }
}

fn tcp_loop(tcp: TcpListener, fault: Fault, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let Ok((mut s, _)) = tcp.accept() else {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let _ = s.set_nonblocking(false);
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut len = [0u8; 2];
        if s.read_exact(&mut len).is_err() {
            continue;
        }
        let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if s.read_exact(&mut q).is_err() {
            continue;
        }
        if let Some(a) = answer(&q, fault, true) {
            let mut framed = (a.len() as u16).to_be_bytes().to_vec();
            framed.extend(a);
            let _ = s.write_all(&framed);
        }
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
