//! MX posture: null MX (RFC 7505), implicit MX (RFC 5321 §5.1), IP literals and CNAMEs
//! as exchanges, exchanges that do not resolve.

use std::net::IpAddr;

use serde::Serialize;

use crate::dns::{AnswerStatus, DnsJob, RecordKind};
use crate::finding::{Finding, Severity};

/// One exchange and what it resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MxHost {
    /// Lower is preferred.
    pub preference: u16,
    /// The exchange as published (trailing dot removed).
    pub exchange: String,
    /// Its IPv4 and IPv6 addresses.
    pub addresses: Vec<IpAddr>,
    /// CNAMEs followed (an exchange should not be an alias).
    pub cname: Vec<String>,
    /// A lookup that failed.
    pub error: Option<String>,
}

/// The domain's mail exchangers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MxSection {
    /// `records`, `null` (RFC 7505), `implicit` (no MX; the domain's own address is used),
    /// `none` (no MX and no address), `nxdomain` or `error`.
    pub status: String,
    /// The exchanges, by preference.
    pub hosts: Vec<MxHost>,
    /// For `implicit`: the domain's own addresses.
    pub implicit: Vec<IpAddr>,
}

fn looks_like_ip(name: &str) -> bool {
    let n = name.trim_end_matches('.');
    n.parse::<IpAddr>().is_ok()
        || n.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok()
}

async fn addresses(job: &DnsJob, name: &str) -> (Vec<IpAddr>, Vec<String>, Option<String>) {
    let mut ips = Vec::new();
    let mut cname = Vec::new();
    let mut error = None;
    for kind in [RecordKind::A, RecordKind::Aaaa] {
        match job.lookup(name, kind).await {
            Ok(a) => {
                ips.extend(a.ips());
                for (o, t) in a.cname_chain() {
                    let line = format!("{o} CNAME {t}");
                    if !cname.contains(&line) {
                        cname.push(line);
                    }
                }
            }
            Err(e) => error = Some(e.to_string()),
        }
    }
    (ips, cname, error)
}

/// Audits the MX records of `domain`.
pub async fn audit(job: &DnsJob, domain: &str) -> (MxSection, Vec<Finding>) {
    let mut section = MxSection {
        status: "records".into(),
        hosts: Vec::new(),
        implicit: Vec::new(),
    };
    let mut out = Vec::new();
    let answer = match job.lookup(domain, RecordKind::Mx).await {
        Ok(a) => a,
        Err(e) => {
            section.status = "error".into();
            out.push(
                Finding::new("mx-dns-error", Severity::Error, format!("The MX lookup for {domain} failed"))
                    .detail(format!("{e}. Senders retry and eventually bounce mail to {domain}; receivers checking the sender domain may defer mail from it."))
                    .evidence(vec![format!("{domain} MX: {e}")])
                    .fix("Make the domain's nameservers answer MX queries reliably.")
                    .refs(&["RFC 5321 §5.1"]),
            );
            return (section, out);
        }
    };
    if answer.status == AnswerStatus::NxDomain {
        section.status = "nxdomain".into();
        out.push(
            Finding::new("mx-nxdomain", Severity::Critical, format!("{domain} does not exist in the DNS"))
                .detail("The name answers NXDOMAIN: no mail can be delivered to it, and receivers reject mail whose sender domain does not exist.")
                .evidence(vec![format!("{domain} MX: {}", answer.status.describe())])
                .fix("Check the spelling, or register/delegate the domain.")
                .refs(&["RFC 5321 §5.1"]),
        );
        return (section, out);
    }
    let mut mx = answer.mx();
    mx.sort();
    let evidence: Vec<String> = answer.matching().map(|r| r.presentation()).collect();
    if mx.is_empty() {
        // RFC 5321 §5.1: with no MX, the domain's own A/AAAA is the implicit MX.
        let (ips, _, _) = addresses(job, domain).await;
        section.implicit = ips.clone();
        if ips.is_empty() {
            section.status = "none".into();
            out.push(
                Finding::new("mx-missing", Severity::Error, format!("{domain} cannot receive mail"))
                    .detail("No MX record and no address record: replies and bounces to this domain are lost, and receivers that check the sender domain can reject its mail.")
                    .evidence(vec![format!("{domain} MX: {}", answer.status.describe()), format!("{domain} A/AAAA: no addresses")])
                    .fix(format!("Publish MX records for {domain}, or a null MX (\"{domain}. MX 0 .\") if it must not receive mail."))
                    .refs(&["RFC 5321 §5.1", "RFC 7505"]),
            );
        } else {
            section.status = "implicit".into();
            out.push(
                Finding::new("mx-implicit", Severity::Warning, format!("{domain} has no MX record; mail goes to its web address"))
                    .detail("With no MX, senders deliver to the domain's A/AAAA address (RFC 5321 §5.1), usually a web server that does not accept mail.")
                    .evidence(vec![
                        format!("{domain} MX: {}", answer.status.describe()),
                        format!("{domain} A/AAAA: {}", ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")),
                    ])
                    .fix(format!("Publish MX records for the servers that receive {domain}'s mail, or a null MX if none should."))
                    .refs(&["RFC 5321 §5.1", "RFC 7505"]),
            );
        }
        return (section, out);
    }
    let null = mx.iter().any(|(_, e)| e == ".");
    if null {
        section.status = "null".into();
        section.hosts = mx
            .iter()
            .map(|(p, e)| MxHost {
                preference: *p,
                exchange: e.trim_end_matches('.').to_string(),
                addresses: Vec::new(),
                cname: Vec::new(),
                error: None,
            })
            .collect();
        if mx.len() > 1 {
            out.push(
                Finding::new("mx-null-mixed", Severity::Error, format!("{domain} publishes a null MX together with other MX records"))
                    .detail("A null MX says the domain accepts no mail; it MUST be the only MX (RFC 7505 §3). Senders may bounce mail or use the other records.")
                    .evidence(evidence)
                    .fix("Remove the null MX if the domain receives mail, or remove the other MX records.")
                    .refs(&["RFC 7505 §3"]),
            );
        } else {
            out.push(
                Finding::new("mx-null", Severity::Info, format!("{domain} accepts no mail (null MX)"))
                    .detail("The null MX (RFC 7505) tells senders not to try. Mail sent *from* this domain cannot receive bounces or replies, and some receivers reject such senders.")
                    .evidence(evidence)
                    .fix("Nothing, if the domain is not used to send or receive mail.")
                    .refs(&["RFC 7505"]),
            );
        }
        return (section, out);
    }
    let lookups = futures_util::future::join_all(mx.iter().map(|(_, e)| {
        let name = e.trim_end_matches('.').to_string();
        async move {
            if looks_like_ip(&name) {
                (Vec::new(), Vec::new(), None)
            } else {
                addresses(job, &name).await
            }
        }
    }))
    .await;
    let mut resolvable = 0;
    for ((pref, exchange), (ips, cname, error)) in mx.iter().zip(lookups) {
        let host = exchange.trim_end_matches('.').to_string();
        let mut ev = evidence.clone();
        ev.extend(cname.iter().cloned());
        if looks_like_ip(&host) {
            out.push(
                Finding::new("mx-ip-literal", Severity::Error, format!("The MX of {domain} is an IP address ({host})"))
                    .detail("An MX must name a host (RFC 5321 §5.1, RFC 1035 §3.3.9); senders look up the address as a name, find nothing and cannot deliver.")
                    .evidence(ev.clone())
                    .fix(format!("Publish a name (e.g. mx.{domain}) with an A record for {host}, and use it in the MX."))
                    .refs(&["RFC 5321 §5.1", "RFC 1035 §3.3.9"]),
            );
        } else if let Some(e) = &error
            && ips.is_empty()
        {
            out.push(
                Finding::new(
                    "mx-dns-error",
                    Severity::Error,
                    format!("The address lookup for MX host {host} failed"),
                )
                .detail(format!(
                    "{e}. Senders cannot reach this exchange until it resolves."
                ))
                .evidence({
                    let mut v = ev.clone();
                    v.push(format!("{host} A/AAAA: {e}"));
                    v
                })
                .fix(format!("Make the nameservers of {host} answer reliably."))
                .refs(&["RFC 5321 §5.1"]),
            );
        } else if ips.is_empty() {
            out.push(
                Finding::new("mx-host-unresolvable", Severity::Error, format!("MX host {host} of {domain} has no address"))
                    .detail("The exchange has no A or AAAA record, so senders skip it; if every MX is like this, mail to the domain bounces.")
                    .evidence({ let mut v = ev.clone(); v.push(format!("{host} A/AAAA: no addresses")); v })
                    .fix(format!("Publish A/AAAA records for {host}, or correct the MX to the provider's host name."))
                    .refs(&["RFC 5321 §5.1"]),
            );
        } else {
            resolvable += 1;
        }
        if !cname.is_empty() {
            out.push(
                Finding::new("mx-cname", Severity::Warning, format!("MX host {host} of {domain} is an alias (CNAME)"))
                    .detail("An MX must point to a host's canonical name, not an alias (RFC 2181 §10.3). Most senders follow the CNAME, but some reject or mis-handle it.")
                    .evidence(ev.clone())
                    .fix(format!("Point the MX at the CNAME's target ({}) directly.", cname.last().and_then(|c| c.rsplit(' ').next()).unwrap_or("the canonical name")))
                    .refs(&["RFC 2181 §10.3", "RFC 5321 §5.1"]),
            );
        }
        section.hosts.push(MxHost {
            preference: *pref,
            exchange: host,
            addresses: ips,
            cname,
            error,
        });
    }
    if resolvable == section.hosts.len() && !out.iter().any(|f| f.severity >= Severity::Warning) {
        out.push(
            Finding::new(
                "mx-ok",
                Severity::Pass,
                format!("{domain} has {} working MX host(s)", resolvable),
            )
            .detail("Every exchange is a host name with addresses.")
            .evidence(evidence)
            .refs(&["RFC 5321 §5.1"]),
        );
    }
    (section, out)
}
