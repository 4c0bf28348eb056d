//! The loopback DNS servers tests resolve against. Never touches anything but 127.0.0.1.

use std::net::{SocketAddr, TcpListener as StdTcpListener, UdpSocket as StdUdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::Server;
use hickory_server::proto::rr::{LowerName, Name};
use hickory_server::store::file::{FileConfig, FileZoneHandler};
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use tokio::sync::oneshot;

/// An authoritative server for every zone file in a folder, on `127.0.0.1:<port>` over UDP
/// and TCP (same port). Stops when dropped.
pub struct DnsFixture {
    addr: SocketAddr,
    zones: Vec<String>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsFixture {
    /// Serves `tests/fixtures/zones/*.zone`. The zone origin is the file name without
    /// `.zone` (`example.test.zone` → `example.test.`).
    pub fn start() -> Self {
        Self::start_with(&crate::fixture("zones"))
    }

    /// Serves every `*.zone` file in `dir`.
    pub fn start_with(dir: &Path) -> Self {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read zone folder {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "zone"))
            .collect();
        files.sort();
        let mut catalog = Catalog::new();
        let mut zones = Vec::new();
        for file in &files {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("zone file name is UTF-8");
            let origin = Name::from_ascii(format!("{stem}.")).expect("zone name");
            let handler = FileZoneHandler::try_from_config(
                origin.clone(),
                ZoneType::Primary,
                AxfrPolicy::Deny,
                None,
                &FileConfig {
                    zone_path: file.clone(),
                },
            )
            .unwrap_or_else(|e| panic!("zone file {}: {e}", file.display()));
            let handlers: Vec<Arc<dyn ZoneHandler>> = vec![Arc::new(handler)];
            catalog.upsert(LowerName::new(&origin), handlers);
            zones.push(origin.to_string());
        }
        let (udp, tcp) = bind_pair();
        let addr = udp.local_addr().expect("local addr");
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("dns-fixture-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("fixture runtime");
                rt.block_on(async move {
                    let mut server = Server::new(catalog);
                    server.register_socket(tokio::net::UdpSocket::from_std(udp).expect("udp"));
                    server.register_listener(
                        tokio::net::TcpListener::from_std(tcp).expect("tcp"),
                        Duration::from_secs(5),
                        64 * 1024,
                    );
                    let _ = ready_tx.send(());
                    let _ = stop_rx.await;
                    let _ = server.shutdown_gracefully().await;
                });
            })
            .expect("spawn fixture thread");
        ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("DNS fixture did not start");
        DnsFixture {
            addr,
            zones,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Where it listens (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:<port>`, as `--nameserver` takes it.
    pub fn nameserver(&self) -> String {
        self.addr.to_string()
    }

    /// The zones served, with trailing dots.
    pub fn zones(&self) -> &[String] {
        &self.zones
    }
}

impl Drop for DnsFixture {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Binds UDP and TCP on the same free loopback port.
fn bind_pair() -> (StdUdpSocket, StdTcpListener) {
    for _ in 0..50 {
        let udp = StdUdpSocket::bind("127.0.0.1:0").expect("bind udp on loopback");
        let port = udp.local_addr().expect("addr").port();
        if let Ok(tcp) = StdTcpListener::bind(("127.0.0.1", port)) {
            udp.set_nonblocking(true).expect("nonblocking");
            tcp.set_nonblocking(true).expect("nonblocking");
            return (udp, tcp);
        }
    }
    panic!("no loopback port free for both UDP and TCP after 50 tries");
}

/// A loopback UDP+TCP endpoint that accepts queries and never answers.
pub struct Blackhole {
    addr: SocketAddr,
    _udp: StdUdpSocket,
    _tcp: StdTcpListener,
}

impl Blackhole {
    /// Binds it. Queries pile up unread in the kernel buffers; nothing is ever sent back.
    pub fn start() -> Self {
        let (udp, tcp) = bind_pair();
        Blackhole {
            addr: udp.local_addr().expect("addr"),
            _udp: udp,
            _tcp: tcp,
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn nameserver(&self) -> String {
        self.addr.to_string()
    }
}
