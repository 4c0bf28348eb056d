//! Naming the sources in DMARC aggregate reports: reverse DNS of source IPs (forward-confirmed,
//! so an IP whose owner writes `mail.google.com` into its own reverse zone is not "Google"),
//! matched against a map of known sending services kept as data
//! (`crates/core/data/senders.toml`), with the DKIM and envelope-from domains of the records
//! as a second clue.

use std::net::IpAddr;
use std::sync::LazyLock;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::dns::{DnsError, DnsJob, DnsSettings, RecordKind, Resolver, reverse_name};

/// One known sending service.
#[derive(Debug, Clone, Deserialize)]
pub struct KnownSender {
    /// Display name ("SendGrid (Twilio)").
    pub name: String,
    /// `mailbox-provider`, `esp`, `saas`, `security-gateway`, `hosting`.
    pub category: String,
    /// Reverse DNS name suffixes.
    #[serde(default)]
    pub ptr: Vec<String>,
    /// DKIM `d=` / envelope-from domain suffixes.
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Deserialize)]
struct SenderFile {
    sender: Vec<KnownSender>,
}

static SENDERS: LazyLock<Vec<KnownSender>> = LazyLock::new(|| {
    toml::from_str::<SenderFile>(include_str!("../../data/senders.toml"))
        .map(|f| f.sender)
        .unwrap_or_default()
});

/// The built-in map of known senders.
pub fn known_senders() -> &'static [KnownSender] {
    &SENDERS
}

/// Whether `name` is `suffix` or a name under it (case-insensitive, trailing dots ignored).
fn under(name: &str, suffix: &str) -> bool {
    let name = name.trim_end_matches('.');
    name.len() >= suffix.len()
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        && (name.len() == suffix.len() || name.as_bytes()[name.len() - suffix.len() - 1] == b'.')
}

/// Who a source is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceName {
    /// The service ("Amazon SES"), or `unknown`.
    pub org: String,
    /// Its category, or `unknown`.
    pub category: String,
    /// What named it: `ptr`, `dkim`, `envelope-from`, or `none`.
    pub via: String,
}

impl SourceName {
    fn unknown() -> Self {
        Self {
            org: "unknown".into(),
            category: "unknown".into(),
            via: "none".into(),
        }
    }
}

/// Names a source from its confirmed reverse DNS name, else from the DKIM domains that
/// signed its mail, else from its envelope-from domain.
pub fn identify(
    confirmed_ptr: Option<&str>,
    dkim_domains: &[&str],
    envelope_from: Option<&str>,
) -> SourceName {
    let found = |name: &str, pick: fn(&KnownSender) -> &Vec<String>| {
        SENDERS
            .iter()
            .find(|s| pick(s).iter().any(|suffix| under(name, suffix)))
    };
    let hit = |s: &KnownSender, via: &str| SourceName {
        org: s.name.clone(),
        category: s.category.clone(),
        via: via.into(),
    };
    if let Some(s) = confirmed_ptr.and_then(|p| found(p, |s| &s.ptr)) {
        return hit(s, "ptr");
    }
    if let Some(s) = dkim_domains.iter().find_map(|d| found(d, |s| &s.domains)) {
        return hit(s, "dkim");
    }
    if let Some(s) = envelope_from.and_then(|d| found(d, |s| &s.domains)) {
        return hit(s, "envelope-from");
    }
    SourceName::unknown()
}

/// What a report record says about its source: the name [`identify`] gives it and the
/// reverse DNS it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordSource {
    /// The service, or `unknown`.
    pub org: String,
    /// Its category.
    pub category: String,
    /// `ptr`, `dkim`, `envelope-from`, `none`.
    pub via: String,
    /// The PTR name, if one was found.
    pub reverse_dns: Option<String>,
    /// The PTR name resolves back to the IP.
    pub reverse_dns_confirmed: bool,
    /// `ok`, `none`, a DNS error code, or `not looked up`.
    pub reverse_dns_status: String,
}

/// Names the source of an aggregate record from its reverse DNS (when looked up) and the
/// DKIM domains that passed and the envelope-from domain of the record.
pub fn describe(
    record: &super::dmarc_report::AggregateRecord,
    rdns: Option<&ReverseName>,
) -> RecordSource {
    let ptr = rdns.filter(|n| n.confirmed).and_then(|n| n.ptr.as_deref());
    let dkim: Vec<&str> = record
        .dkim_results
        .iter()
        .filter(|d| d.result == "pass")
        .map(|d| d.domain.as_str())
        .collect();
    let name = identify(ptr, &dkim, record.envelope_from.as_deref());
    RecordSource {
        org: name.org,
        category: name.category,
        via: name.via,
        reverse_dns: rdns.and_then(|n| n.ptr.clone()),
        reverse_dns_confirmed: rdns.is_some_and(|n| n.confirmed),
        reverse_dns_status: rdns.map_or_else(|| "not looked up".to_string(), |n| n.status.clone()),
    }
}

/// The reverse DNS of one IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReverseName {
    /// The IP.
    pub ip: String,
    /// The first PTR name (no trailing dot), if any.
    pub ptr: Option<String>,
    /// The PTR name resolves back to the IP (forward-confirmed reverse DNS).
    pub confirmed: bool,
    /// `ok`, `none` (no PTR), or the DNS error code (`timeout`, `servfail`, …).
    pub status: String,
}

/// Looks up the reverse DNS of each IP, `concurrency` at a time, within `job` (its cache and
/// deadline). Unparsable IPs get status `invalid-ip`. Order follows `ips`.
pub async fn reverse_names(job: &DnsJob, ips: &[String], concurrency: usize) -> Vec<ReverseName> {
    futures_util::stream::iter(ips.iter().map(|ip| reverse_one(job, ip)))
        .buffered(concurrency.max(1))
        .collect()
        .await
}

/// [`reverse_names`] for callers without a runtime (the CLI, the app's import thread): a
/// resolver from `settings`, one job with `deadline`, 32 lookups at a time. Lookups cut
/// short by the deadline come back with status `deadline`.
pub fn reverse_names_blocking(
    settings: &DnsSettings,
    ips: &[String],
    deadline: std::time::Duration,
) -> Result<Vec<ReverseName>, DnsError> {
    if ips.is_empty() {
        return Ok(Vec::new());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DnsError::Config(e.to_string()))?;
    rt.block_on(async {
        let resolver = Resolver::from_settings(settings)?;
        let job = DnsJob::new(resolver, deadline);
        Ok(reverse_names(&job, ips, 32).await)
    })
}

async fn reverse_one(job: &DnsJob, ip_text: &str) -> ReverseName {
    let mut out = ReverseName {
        ip: ip_text.to_string(),
        ptr: None,
        confirmed: false,
        status: "ok".into(),
    };
    let Ok(ip) = ip_text.trim().parse::<IpAddr>() else {
        out.status = "invalid-ip".into();
        return out;
    };
    let answer = match job.lookup(&reverse_name(ip), RecordKind::Ptr).await {
        Ok(a) => a,
        Err(e) => {
            out.status = e.code().to_string();
            return out;
        }
    };
    let Some(name) = answer.targets().into_iter().next() else {
        out.status = "none".into();
        return out;
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let kind = if ip.is_ipv4() {
        RecordKind::A
    } else {
        RecordKind::Aaaa
    };
    out.confirmed = match job.lookup(&name, kind).await {
        Ok(fwd) => fwd.ips().contains(&ip),
        Err(_) => false,
    };
    out.ptr = Some(name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sender_map_loads_and_is_sane() {
        let senders = known_senders();
        assert!(senders.len() >= 30, "{} senders", senders.len());
        for s in senders {
            assert!(!s.ptr.is_empty() || !s.domains.is_empty(), "{}", s.name);
            for d in s.ptr.iter().chain(&s.domains) {
                assert_eq!(d, &d.to_ascii_lowercase(), "{}", s.name);
                assert!(!d.starts_with('.') && !d.ends_with('.'), "{d}");
            }
        }
    }

    #[test]
    fn names_by_confirmed_ptr_then_dkim_then_envelope() {
        let ses = identify(Some("a8-1.smtp-out.amazonses.com."), &[], None);
        assert_eq!((ses.org.as_str(), ses.via.as_str()), ("Amazon SES", "ptr"));
        let sg = identify(
            Some("host.example.net"),
            &["example.com", "sendgrid.net"],
            None,
        );
        assert_eq!(
            (sg.org.as_str(), sg.via.as_str()),
            ("SendGrid (Twilio)", "dkim")
        );
        let mg = identify(None, &[], Some("mg.mailgun.org"));
        assert_eq!(mg.via, "envelope-from");
        // A suffix matches whole labels only.
        assert_eq!(identify(Some("evilgoogle.com"), &[], None).org, "unknown");
    }
}
