//! Resolver settings: which servers, how long to wait.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// Default per-query timeout in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 5.0;
/// Default number of attempts per query (per server).
pub const DEFAULT_ATTEMPTS: u32 = 2;

/// One explicit nameserver: an IP literal and a port, queried over UDP with TCP fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Nameserver(pub SocketAddr);

impl Nameserver {
    /// Parses `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT` where HOST is an IP literal; the
    /// default port is 53. A bare IPv6 address without brackets is accepted with port 53.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let t = text.trim();
        let bad = |why: &str| ValidationError::new("nameserver", format!("'{text}': {why}"));
        if t.is_empty() {
            return Err(bad("empty"));
        }
        if let Ok(sa) = t.parse::<SocketAddr>() {
            return check_port(sa).map(Nameserver).map_err(|w| bad(&w));
        }
        if let Ok(ip) = t.parse::<IpAddr>() {
            return Ok(Nameserver(SocketAddr::new(ip, 53)));
        }
        if let Some(Ok(ip)) = t
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .map(str::parse::<IpAddr>)
        {
            return Ok(Nameserver(SocketAddr::new(ip, 53)));
        }
        if let Some((host, port)) = t.rsplit_once(':') {
            if host.parse::<IpAddr>().is_err() && !host.contains(':') {
                if port.parse::<u16>().is_err() {
                    return Err(bad("the port is not a number from 1 to 65535"));
                }
                return Err(bad(
                    "the host must be an IP address (a nameserver's name would itself need DNS)",
                ));
            }
            return Err(bad("the port is not a number from 1 to 65535"));
        }
        Err(bad(
            "not an IP address; use 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53",
        ))
    }
}

fn check_port(sa: SocketAddr) -> Result<SocketAddr, String> {
    if sa.port() == 0 {
        Err("port 0 is not a usable port".into())
    } else {
        Ok(sa)
    }
}

impl std::fmt::Display for Nameserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How the engine resolves names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsSettings {
    /// Explicit servers; empty means the system resolver (`/etc/resolv.conf`).
    pub nameservers: Vec<Nameserver>,
    /// Per-query timeout in seconds (0.1–60).
    pub timeout_secs: f64,
    /// Attempts per query (1–5).
    pub attempts: u32,
}

impl Default for DnsSettings {
    fn default() -> Self {
        Self {
            nameservers: Vec::new(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            attempts: DEFAULT_ATTEMPTS,
        }
    }
}

impl DnsSettings {
    /// Checks ranges; returns the settings unchanged when they are usable.
    pub fn validate(self) -> Result<Self, ValidationError> {
        if !(0.1..=60.0).contains(&self.timeout_secs) || !self.timeout_secs.is_finite() {
            return Err(ValidationError::new(
                "timeout",
                format!("{} s is outside 0.1–60 seconds", self.timeout_secs),
            ));
        }
        if !(1..=5).contains(&self.attempts) {
            return Err(ValidationError::new(
                "attempts",
                format!("{} is outside 1–5", self.attempts),
            ));
        }
        Ok(self)
    }

    /// The per-query timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_secs)
    }

    /// Parses a timeout given in seconds as text (`"2"`, `"0.5"`).
    pub fn parse_timeout(text: &str) -> Result<f64, ValidationError> {
        let v: f64 = text.trim().parse().map_err(|_| {
            ValidationError::new("timeout", format!("'{text}' is not a number of seconds"))
        })?;
        DnsSettings {
            timeout_secs: v,
            ..Default::default()
        }
        .validate()
        .map(|s| s.timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nameserver_forms() {
        let p = |s: &str| Nameserver::parse(s).map(|n| n.0.to_string());
        assert_eq!(p("192.0.2.1").expect("v4"), "192.0.2.1:53");
        assert_eq!(p("127.0.0.1:5353").expect("v4 port"), "127.0.0.1:5353");
        assert_eq!(p("::1").expect("v6"), "[::1]:53");
        assert_eq!(p("[::1]").expect("v6 brackets"), "[::1]:53");
        assert_eq!(
            p("[2001:db8::53]:5300").expect("v6 port"),
            "[2001:db8::53]:5300"
        );
        assert!(
            p("ns1.example.com")
                .expect_err("name")
                .reason
                .contains("IP address")
        );
        assert!(
            p("ns1.example.com:53")
                .expect_err("name")
                .reason
                .contains("IP address")
        );
        assert!(
            p("127.0.0.1:99999")
                .expect_err("port")
                .reason
                .contains("port")
        );
        assert!(
            p("127.0.0.1:0")
                .expect_err("port 0")
                .reason
                .contains("port 0")
        );
        assert!(p("").is_err());
    }

    #[test]
    fn validates_ranges() {
        assert!(DnsSettings::default().validate().is_ok());
        assert_eq!(DnsSettings::parse_timeout("0.5").expect("ok"), 0.5);
        assert!(DnsSettings::parse_timeout("0").is_err());
        assert!(DnsSettings::parse_timeout("abc").is_err());
        assert!(DnsSettings::parse_timeout("NaN").is_err());
        let s = DnsSettings {
            attempts: 9,
            ..Default::default()
        };
        assert_eq!(s.validate().expect_err("attempts").field, "attempts");
    }
}
