//! The configured resolver shared by all DNS jobs of a run.

use std::sync::Arc;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;

use super::error::DnsError;
use super::settings::DnsSettings;
use super::transport::Transport;

/// A resolver built from [`DnsSettings`]. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct Resolver {
    inner: TokioResolver,
    transport: Arc<Transport>,
    description: Arc<str>,
    settings: Arc<DnsSettings>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("description", &self.description)
            .finish()
    }
}

impl Resolver {
    /// Builds the resolver. With no explicit nameservers the system configuration
    /// (`/etc/resolv.conf`) is read; its search domains are ignored because every name the
    /// engine asks for is fully qualified.
    ///
    /// Must be called inside a Tokio runtime.
    pub fn from_settings(settings: &DnsSettings) -> Result<Self, DnsError> {
        let settings = settings
            .clone()
            .validate()
            .map_err(|e| DnsError::Config(e.to_string()))?;
        let (config, description, addrs) = if settings.nameservers.is_empty() {
            let (sys, _opts) = hickory_resolver::system_conf::read_system_conf().map_err(|e| {
                DnsError::Config(format!(
                    "cannot read the system resolver configuration: {e}"
                ))
            })?;
            let servers: Vec<String> = sys
                .name_servers()
                .iter()
                .map(|ns| ns.ip.to_string())
                .collect();
            if servers.is_empty() {
                return Err(DnsError::Config(
                    "the system resolver configuration lists no nameserver; set one with --nameserver".into(),
                ));
            }
            let mut deduped: Vec<String> = Vec::new();
            for s in servers {
                if !deduped.contains(&s) {
                    deduped.push(s);
                }
            }
            let mut addrs: Vec<std::net::SocketAddr> = Vec::new();
            for ns in sys.name_servers() {
                let a = std::net::SocketAddr::new(ns.ip, 53);
                if !addrs.contains(&a) {
                    addrs.push(a);
                }
            }
            let cfg = ResolverConfig::from_name_servers(sys.name_servers().to_vec());
            (cfg, format!("system ({})", deduped.join(", ")), addrs)
        } else {
            let mut servers = Vec::new();
            for ns in &settings.nameservers {
                let mut c = NameServerConfig::udp_and_tcp(ns.0.ip());
                for conn in &mut c.connections {
                    conn.port = ns.0.port();
                }
                servers.push(c);
            }
            let names: Vec<String> = settings.nameservers.iter().map(|n| n.to_string()).collect();
            (
                ResolverConfig::from_name_servers(servers),
                format!("{} (udp+tcp)", names.join(", ")),
                settings.nameservers.iter().map(|n| n.0).collect(),
            )
        };
        let mut opts = ResolverOpts::default();
        opts.timeout = settings.timeout();
        opts.attempts = settings.attempts as usize;
        // Our per-job cache is the cache; a cache miss there must be a real query.
        opts.cache_size = 0;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        opts.preserve_intermediates = true;
        // Large TXT answers (long SPF/DKIM records) arrive truncated over UDP; retry over TCP.
        opts.try_tcp_on_error = true;
        let inner = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .map_err(|e| DnsError::Config(e.to_string()))?;
        let transport = Arc::new(Transport::new(addrs, settings.timeout(), settings.attempts));
        Ok(Self {
            inner,
            transport,
            description: description.into(),
            settings: Arc::new(settings),
        })
    }

    /// Which servers answer, for history and evidence (`127.0.0.1:5353 (udp+tcp)`).
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// The settings it was built from.
    pub fn settings(&self) -> &DnsSettings {
        &self.settings
    }

    /// The query path of DNS jobs (see [`super::transport`]).
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The underlying hickory resolver (for mail-auth's `MessageAuthenticator`).
    pub fn hickory(&self) -> &TokioResolver {
        &self.inner
    }

    /// A mail-auth authenticator over the same servers and options, for message
    /// verification (DKIM, ARC, DMARC alignment).
    pub fn message_authenticator(&self) -> mail_auth::MessageAuthenticator {
        mail_auth::MessageAuthenticator(self.inner.clone())
    }
}
