//! The loopback DNS servers tests resolve against. Never touches anything but 127.0.0.1.

use std::net::{SocketAddr, TcpListener as StdTcpListener, UdpSocket as StdUdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::Server;
use hickory_server::proto::rr::{LowerName, Name, RecordType};
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
        Self::run(catalog, zones)
    }

    /// Runs `handler` on a fresh loopback port pair in its own thread.
    fn run<H: hickory_server::server::RequestHandler>(handler: H, zones: Vec<String>) -> Self {
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
                    let mut server = Server::new(handler);
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
pub(crate) fn bind_pair() -> (StdUdpSocket, StdTcpListener) {
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

/// One record for [`DnsFixture::serve`].
#[derive(Debug, Clone)]
pub enum FixtureRecord {
    /// IPv4 address.
    A(std::net::Ipv4Addr),
    /// IPv6 address.
    Aaaa(std::net::Ipv6Addr),
    /// Mail exchanger.
    Mx(u16, String),
    /// Text record: its character-strings.
    Txt(Vec<Vec<u8>>),
    /// Reverse pointer.
    Ptr(String),
    /// Canonical name.
    Cname(String),
}

/// Answers like the catalogue, except for names listed as timing out: queries for a type
/// the name has no record of are answered only after 3 s, well past any test resolver's
/// timeout (the RFC 7208 suite's TIMEOUT convention).
struct SlowNames {
    inner: Catalog,
    timeouts: std::collections::HashMap<LowerName, std::collections::HashSet<RecordType>>,
}

#[async_trait::async_trait]
impl hickory_server::server::RequestHandler for SlowNames {
    async fn handle_request<
        R: hickory_server::server::ResponseHandler,
        T: hickory_server::net::runtime::Time,
    >(
        &self,
        request: &hickory_server::server::Request,
        response_handle: R,
    ) -> hickory_server::server::ResponseInfo {
        if let Ok(info) = request.request_info()
            && let Some(present) = self.timeouts.get(info.query.name())
            && !present.contains(&info.query.query_type())
        {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        self.inner
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

impl DnsFixture {
    /// Serves `records` (owner name, data) from one root zone, so any name not given is
    /// NXDOMAIN, and lets the names in `timeouts` time out. For data-driven suites such as
    /// the RFC 7208 test suite.
    pub fn serve(records: &[(String, FixtureRecord)], timeouts: &[String]) -> Result<Self, String> {
        use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, MX, PTR, SOA, TXT};
        use hickory_server::proto::rr::{RData, Record};
        use hickory_server::store::in_memory::InMemoryZoneHandler;

        // Labels are taken as raw bytes: test suites use names with ':' '/' '%' or spaces.
        let name = |s: &str| {
            let trimmed = s.trim_end_matches('.');
            if trimmed.is_empty() {
                return Ok(Name::root());
            }
            let mut n = Name::from_labels(trimmed.split('.').map(str::as_bytes))
                .map_err(|e| format!("'{s}': {e}"))?;
            n.set_fqdn(true);
            Ok::<Name, String>(n)
        };
        let mut zone =
            InMemoryZoneHandler::<hickory_server::net::runtime::TokioRuntimeProvider>::empty(
                Name::root(),
                ZoneType::Primary,
                AxfrPolicy::Deny,
            );
        let soa = SOA::new(
            name("ns.fixture.test")?,
            name("hostmaster.fixture.test")?,
            1,
            3600,
            600,
            86400,
            300,
        );
        zone.upsert_mut(Record::from_rdata(Name::root(), 300, RData::SOA(soa)), 1);
        for (owner, rr) in records {
            let owner = name(owner)?;
            let data = match rr {
                FixtureRecord::A(a) => RData::A(A(*a)),
                FixtureRecord::Aaaa(a) => RData::AAAA(AAAA(*a)),
                FixtureRecord::Mx(p, host) => RData::MX(MX::new(*p, name(host)?)),
                FixtureRecord::Txt(strings) => {
                    RData::TXT(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect()))
                }
                FixtureRecord::Ptr(t) => RData::PTR(PTR(name(t)?)),
                FixtureRecord::Cname(t) => RData::CNAME(CNAME(name(t)?)),
            };
            zone.upsert_mut(Record::from_rdata(owner, 300, data), 1);
        }
        let mut catalog = Catalog::new();
        let handlers: Vec<Arc<dyn ZoneHandler>> = vec![Arc::new(zone)];
        catalog.upsert(LowerName::new(&Name::root()), handlers);
        let mut slow: std::collections::HashMap<LowerName, std::collections::HashSet<RecordType>> =
            std::collections::HashMap::new();
        for t in timeouts {
            let key = LowerName::new(&name(t)?);
            let mut present = std::collections::HashSet::new();
            for (owner, rr) in records {
                if LowerName::new(&name(owner)?) == key {
                    present.insert(match rr {
                        FixtureRecord::A(_) => RecordType::A,
                        FixtureRecord::Aaaa(_) => RecordType::AAAA,
                        FixtureRecord::Mx(..) => RecordType::MX,
                        FixtureRecord::Txt(_) => RecordType::TXT,
                        FixtureRecord::Ptr(_) => RecordType::PTR,
                        FixtureRecord::Cname(_) => RecordType::CNAME,
                    });
                }
            }
            slow.insert(key, present);
        }
        Ok(Self::run(
            SlowNames {
                inner: catalog,
                timeouts: slow,
            },
            vec![".".to_string()],
        ))
    }
}
