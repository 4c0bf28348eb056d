//! The DMARC part of a domain audit: discovery (RFC 9989 §4.10 tree walk), the record's
//! lint, and authorization of report destinations outside the domain (RFC 7489 §7.1).

use serde::Serialize;

use crate::auth::dmarc::{self, Discovery, DmarcRecord, Policy};
use crate::dns::DnsJob;
use crate::finding::{Finding, Severity};

/// Whether an external report destination agreed to receive the domain's reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExternalAuth {
    /// `rua` or `ruf`.
    pub tag: String,
    /// The URI as written.
    pub uri: String,
    /// The destination's domain.
    pub destination: String,
    /// The name queried (`<domain>._report._dmarc.<destination>`).
    pub query: String,
    /// `true` authorized, `false` not, `None` the query failed.
    pub authorized: Option<bool>,
    /// What the query returned.
    pub evidence: String,
}

/// The DMARC section of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DmarcSection {
    /// Every `_dmarc` query of the walk and what it found.
    pub discovery: Discovery,
    /// The record that applies, parsed (absent when none or invalid).
    pub record: Option<DmarcRecord>,
    /// The policy that applies to this domain (`sp=` for a subdomain, else `p=`).
    pub effective_policy: Option<Policy>,
    /// External report destinations and their authorization.
    pub external: Vec<ExternalAuth>,
}

/// The organizational domain by the Public Suffix List (RFC 7489 §3.2).
pub fn organizational_domain(domain: &str) -> String {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&d).unwrap_or(&d).to_string()
}

/// Audits the DMARC policy of `domain`.
pub async fn audit(job: &DnsJob, domain: &str) -> (DmarcSection, Vec<Finding>) {
    let discovery = dmarc::discover(job, domain).await;
    let mut out = dmarc::discovery_findings(&discovery);
    let record = discovery
        .record
        .as_deref()
        .and_then(|t| dmarc::parse(t).ok());
    let effective_policy = record.as_ref().and_then(|r| {
        if discovery.inherited {
            r.sp.or(r.p)
        } else {
            r.p
        }
    });
    let mut section = DmarcSection {
        discovery,
        record,
        effective_policy,
        external: Vec::new(),
    };
    if let (Some(r), Some(policy_domain)) = (&section.record, &section.discovery.policy_domain) {
        let own = organizational_domain(policy_domain);
        let mut checked: Vec<(String, String)> = Vec::new();
        for (tag, uris) in [("rua", &r.rua), ("ruf", &r.ruf)] {
            for u in uris {
                let Some(dest) = &u.domain else { continue };
                let dest = dest.trim_end_matches('.').to_ascii_lowercase();
                if organizational_domain(&dest) == own
                    || checked.contains(&(tag.to_string(), dest.clone()))
                {
                    continue;
                }
                checked.push((tag.to_string(), dest.clone()));
                // RFC 7489 §7.1: the destination publishes a DMARC record at
                // <policy domain>._report._dmarc.<destination>.
                let query = format!("{policy_domain}._report._dmarc.{dest}");
                let (authorized, evidence) = match job.txt(&query).await {
                    Ok(a) => {
                        let texts = a.txt();
                        let ok = texts.iter().any(|t| dmarc::is_dmarc(t));
                        let ev = if texts.is_empty() {
                            format!("{query} TXT: {}", a.status.describe())
                        } else {
                            format!(
                                "{query} TXT {}",
                                texts
                                    .iter()
                                    .map(|t| format!("\"{t}\""))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            )
                        };
                        (Some(ok), ev)
                    }
                    Err(e) => (None, format!("{query} TXT: {e}")),
                };
                section.external.push(ExternalAuth {
                    tag: tag.into(),
                    uri: u.uri.clone(),
                    destination: dest,
                    query,
                    authorized,
                    evidence,
                });
            }
        }
        for x in &section.external {
            let record_line = format!("_dmarc.{policy_domain} TXT \"{}\"", r.text);
            match x.authorized {
                Some(true) => {}
                Some(false) => out.push(
                    Finding::new(
                        if x.tag == "rua" { "dmarc-rua-unauthorized" } else { "dmarc-ruf-unauthorized" },
                        Severity::Warning,
                        format!("{} has not agreed to receive {}'s DMARC {} reports", x.destination, policy_domain, if x.tag == "rua" { "aggregate" } else { "failure" }),
                    )
                    .detail(format!(
                        "{} is outside {own} (the organizational domain of {policy_domain}), so receivers first check that it accepts the reports (RFC 7489 §7.1). It publishes no DMARC record at {}: receivers drop {} from the list and send no reports there.",
                        x.destination, x.query, x.uri
                    ))
                    .evidence(vec![record_line, x.evidence.clone()])
                    .fix(format!("Have {} publish TXT \"v=DMARC1\" at {} (or a wildcard *._report._dmarc.{}), or send reports to an address in {own}.", x.destination, x.query, x.destination))
                    .refs(&["RFC 7489 §7.1"]),
                ),
                None => out.push(
                    Finding::new(
                        "dmarc-report-auth-dns-error",
                        Severity::Warning,
                        format!("Could not check whether {} accepts {}'s DMARC reports", x.destination, policy_domain),
                    )
                    .detail("The authorization lookup failed; receivers that see the same failure send no reports there.")
                    .evidence(vec![record_line, x.evidence.clone()])
                    .fix(format!("Make {}'s nameservers answer {} reliably.", x.destination, x.query))
                    .refs(&["RFC 7489 §7.1"]),
                ),
            }
        }
    }
    if section.effective_policy.is_some_and(|p| p != Policy::None)
        && !out.iter().any(|f| f.severity >= Severity::Warning)
    {
        out.push(
            Finding::new(
                "dmarc-ok",
                Severity::Pass,
                format!("{domain} has an enforced DMARC policy"),
            )
            .detail(
                format!(
                    "p={:?} applies to {domain}.",
                    section.effective_policy.unwrap_or(Policy::None)
                )
                .to_lowercase()
                .replacen("p=", "Policy p=", 1),
            )
            .evidence(
                section
                    .discovery
                    .record
                    .iter()
                    .map(|r| {
                        format!(
                            "_dmarc.{} TXT \"{r}\"",
                            section.discovery.policy_domain.clone().unwrap_or_default()
                        )
                    })
                    .collect(),
            )
            .refs(&["RFC 7489 §6.3"]),
        );
    }
    (section, out)
}

#[cfg(test)]
mod tests {
    use super::organizational_domain;

    #[test]
    fn organizational_domains_use_the_public_suffix_list() {
        assert_eq!(organizational_domain("mail.example.co.uk"), "example.co.uk");
        assert_eq!(organizational_domain("a.b.example.com."), "example.com");
        assert_eq!(organizational_domain("Example.COM"), "example.com");
    }
}
