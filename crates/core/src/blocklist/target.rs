//! What is checked, and how it becomes a query name.

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use crate::account::normalize_domain;
use crate::error::ValidationError;

/// An address or a domain to look up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Target {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A domain, normalized (lowercase, no trailing dot).
    Domain(String),
}

impl Target {
    /// Parses an IP address or a domain name (`mail.example.com.` → `mail.example.com`).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let t = text.trim();
        if let Ok(ip) = t
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            return Ok(Target::Ip(ip));
        }
        normalize_domain(t).map(Target::Domain).map_err(|why| {
            ValidationError::new("target", format!("not an IP address or domain: {why}"))
        })
    }

    /// The name queried in `zone` (RFC 5782): reversed octets for IPv4 (§2.1), reversed
    /// nibbles for IPv6 (§2.4), the registered domain for domains (§3; subdomains are
    /// not listed separately on the domain lists in use).
    pub fn query_name(&self, zone: &str) -> String {
        let zone = zone.trim_end_matches('.');
        match self {
            Target::Ip(ip) => format!("{}.{zone}.", crate::dns::reversed_labels(*ip)),
            Target::Domain(d) => format!("{}.{zone}.", self.registered_domain().unwrap_or(d)),
        }
    }

    /// For a domain: its registered domain by the Public Suffix List (`news.acme.co.uk` →
    /// `acme.co.uk`); the name itself when it has none (a bare suffix, or a test name).
    pub fn registered_domain(&self) -> Option<&str> {
        match self {
            Target::Domain(d) => Some(psl::domain_str(d).unwrap_or(d)),
            Target::Ip(_) => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Ip(ip) => write!(f, "{ip}"),
            Target::Domain(d) => f.write_str(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_follow_rfc_5782() {
        let t = |s: &str| Target::parse(s).expect("target");
        assert_eq!(
            t("192.0.2.99").query_name("zen.example"),
            "99.2.0.192.zen.example."
        );
        // RFC 5782 section 2.4's own example.
        assert_eq!(
            t("2001:db8:1:2:3:4:567:89ab").query_name("ugly.example.com"),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com."
        );
        assert_eq!(
            t("Mail.News.Acme.CO.UK.").query_name("dbl.example"),
            "acme.co.uk.dbl.example."
        );
        assert_eq!(
            t("a.b.example.com").query_name("dbl.example."),
            "example.com.dbl.example."
        );
        assert_eq!(
            t("[2001:db8::1]"),
            Target::Ip("2001:db8::1".parse().expect("ip"))
        );
        assert!(Target::parse("not a domain").is_err());
    }
}
