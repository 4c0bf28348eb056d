//! Reverse DNS of sending addresses: a PTR record whose name resolves back to the address
//! (forward-confirmed reverse DNS, FCrDNS), which Gmail, Yahoo and Microsoft require of
//! senders, and names that look like dynamic/residential pools.

use std::net::IpAddr;

use serde::Serialize;

use crate::dns::{AnswerStatus, DnsJob, RecordKind, reverse_name};
use crate::finding::{Finding, Severity};

/// The reverse DNS of one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PtrCheck {
    /// The address.
    pub ip: IpAddr,
    /// The reverse name queried.
    pub name: String,
    /// PTR targets.
    pub ptr: Vec<String>,
    /// The PTR names that resolve back to the address.
    pub confirmed: Vec<String>,
    /// Why the lookup failed.
    pub error: Option<String>,
}

/// Words that mark generic (dynamic, residential) reverse names.
const GENERIC_WORDS: &[&str] = &[
    "dynamic",
    "dhcp",
    "pool",
    "dsl",
    "cable",
    "ppp",
    "dialup",
    "dial-up",
    "broadband",
    "residential",
    "customer",
    "unassigned",
];

/// Whether `name` looks generic: the address's octets in the name, or dynamic-pool words.
pub fn looks_generic(ip: IpAddr, name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let first = n.split('.').next().unwrap_or_default();
    if let IpAddr::V4(v4) = ip {
        let o = v4.octets();
        let dashed = format!("{}-{}-{}-{}", o[0], o[1], o[2], o[3]);
        let rdashed = format!("{}-{}-{}-{}", o[3], o[2], o[1], o[0]);
        let dotted = format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3]);
        let rdotted = format!("{}.{}.{}.{}", o[3], o[2], o[1], o[0]);
        if n.contains(&dashed)
            || n.contains(&rdashed)
            || n.starts_with(&dotted)
            || n.starts_with(&rdotted)
        {
            return true;
        }
    }
    GENERIC_WORDS
        .iter()
        .any(|w| first.contains(w) || n.split('.').nth(1).is_some_and(|l| l == *w))
}

/// Checks the reverse DNS of `ip`.
pub async fn audit(job: &DnsJob, ip: IpAddr) -> (PtrCheck, Vec<Finding>) {
    let name = reverse_name(ip);
    let mut c = PtrCheck {
        ip,
        name: name.clone(),
        ptr: Vec::new(),
        confirmed: Vec::new(),
        error: None,
    };
    let answer = match job.lookup(&name, RecordKind::Ptr).await {
        Ok(a) => a,
        Err(e) => {
            c.error = Some(e.to_string());
            return (c, vec![Finding::new("ptr-dns-error", Severity::Warning, format!("The reverse DNS lookup for {ip} failed"))
                .detail(format!("{e}. Receivers that see this treat the address as having no reverse DNS and may defer or reject its mail."))
                .evidence(vec![format!("{name} PTR: {e}")])
                .fix("Ask whoever runs the address block (the ISP or hosting provider) to fix its reverse zone's nameservers.")
                .refs(&["RFC 1912 §2.1", "Gmail email sender guidelines (2024)"])]);
        }
    };
    c.ptr = answer
        .targets()
        .iter()
        .map(|t| t.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    if c.ptr.is_empty() {
        return (c, vec![Finding::new("ptr-missing", Severity::Error, format!("{ip} has no reverse DNS (PTR)"))
            .detail("Gmail, Yahoo and Microsoft require sending IPs to have a PTR record whose name resolves back to the IP; mail from this address is rate-limited or rejected.")
            .evidence(vec![format!("{name} PTR: {}", if answer.status == AnswerStatus::Records { "records" } else { answer.status.describe() })])
            .fix(format!("Ask the owner of {ip} (ISP or hosting provider) for a PTR such as mail.<your domain>, and publish an A/AAAA record for that name pointing to {ip}."))
            .refs(&["RFC 1912 §2.1", "Gmail email sender guidelines (2024)", "Yahoo sender best practices (2024)"])]);
    }
    let kind = if ip.is_ipv4() {
        RecordKind::A
    } else {
        RecordKind::Aaaa
    };
    let mut forward = Vec::new();
    for target in c.ptr.iter().take(10) {
        match job.lookup(target, kind).await {
            Ok(a) => {
                let ips = a.ips();
                forward.push(format!(
                    "{target} {}: {}",
                    kind.as_str(),
                    if ips.is_empty() {
                        a.status.describe().to_string()
                    } else {
                        ips.iter()
                            .map(|i| i.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ));
                if ips.contains(&ip) {
                    c.confirmed.push(target.clone());
                }
            }
            Err(e) => forward.push(format!("{target} {}: {e}", kind.as_str())),
        }
    }
    let mut ev = vec![format!("{name} PTR {}", c.ptr.join(", "))];
    ev.extend(forward);
    let mut out = Vec::new();
    if c.confirmed.is_empty() {
        out.push(Finding::new("ptr-mismatch", Severity::Error, format!("The reverse DNS of {ip} does not resolve back to it"))
            .detail("Forward-confirmed reverse DNS fails: none of the PTR names has an address record for this IP. Gmail, Yahoo and Microsoft treat this like a missing PTR.")
            .evidence(ev.clone())
            .fix(format!("Publish {} {} {ip} for the PTR name {}, or have the PTR changed to a name that resolves to {ip}.", c.ptr[0], kind.as_str(), c.ptr[0]))
            .refs(&["RFC 1912 §2.1", "Gmail email sender guidelines (2024)"]));
    } else if let Some(g) = c.confirmed.iter().find(|n| looks_generic(ip, n)) {
        out.push(Finding::new("ptr-generic", Severity::Warning, format!("The reverse DNS of {ip} looks like a dynamic or residential address"))
            .detail(format!("\"{g}\" looks generic (the address or pool words in the name); many receivers score or block such names as likely botnet hosts."))
            .evidence(ev.clone())
            .fix("Ask the provider for a PTR that names the mail server under your domain (e.g. mail.example.com).")
            .refs(&["RFC 1912 §2.1", "Microsoft outbound requirements (2025)"]));
    } else {
        out.push(
            Finding::new(
                "ptr-ok",
                Severity::Pass,
                format!(
                    "{ip} has forward-confirmed reverse DNS ({})",
                    c.confirmed[0]
                ),
            )
            .detail("The PTR name resolves back to the address.")
            .evidence(ev)
            .refs(&["RFC 1912 §2.1"]),
        );
    }
    (c, out)
}

#[cfg(test)]
mod tests {
    use super::looks_generic;

    #[test]
    fn generic_names() {
        let ip = "192.0.2.10".parse().expect("ip");
        assert!(looks_generic(ip, "192-0-2-10.dynamic.isp.example"));
        assert!(looks_generic(ip, "10.2.0.192.in-addr.isp.example"));
        assert!(looks_generic(ip, "dsl-pool-17.isp.example"));
        assert!(looks_generic(ip, "host.dynamic.isp.example"));
        assert!(!looks_generic(ip, "mail.example.com"));
        assert!(!looks_generic(ip, "outbound1.mailer.example"));
    }
}
