//! The domain audit (issue #3, DESIGN.md §3 `inboxlens audit`): SPF, DKIM, DMARC, MX,
//! MTA-STS, TLS-RPT, BIMI and PTR of one domain, through one [`DnsJob`] (one cache, one
//! deadline, one query count), every problem a [`Finding`].

pub mod bimi;
pub mod dkim;
pub mod dmarc;
pub mod history;
pub mod mta_sts;
pub mod mx;
pub mod policy_fetch;
pub mod ptr;
pub mod spf;
pub mod tls_rpt;
mod txt_policy;

use std::net::IpAddr;

use serde::Serialize;

pub use policy_fetch::FetchOptions;

use crate::dns::{DnsJob, DnsStats, Resolver};
use crate::finding::{Finding, Severity};

/// What to audit besides the domain itself.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// DKIM selectors to check (from `--selector` or the account).
    pub selectors: Vec<String>,
    /// Sending IPs: SPF result and PTR/FCrDNS for each.
    pub ips: Vec<IpAddr>,
    /// Also try the common DKIM selectors.
    pub discover_selectors: bool,
    /// MTA-STS policy fetching.
    pub mta_sts: FetchOptions,
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    /// Critical findings.
    pub critical: usize,
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Informational.
    pub info: usize,
    /// Verified.
    pub pass: usize,
}

/// One domain's audit (DESIGN.md §3).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditReport {
    /// The domain audited.
    pub domain: String,
    /// The most severe finding (`pass` when nothing is wrong).
    pub verdict: Severity,
    /// Findings by severity.
    pub summary: Summary,
    /// SPF.
    pub spf: spf::SpfSection,
    /// DKIM keys.
    pub dkim: Vec<dkim::DkimKey>,
    /// DMARC.
    pub dmarc: dmarc::DmarcSection,
    /// MX (the exchanges; the section's status is in `mx_status`).
    pub mx: Vec<mx::MxHost>,
    /// `records`, `null`, `implicit`, `none`, `nxdomain` or `error`.
    pub mx_status: String,
    /// The domain's own addresses when it has no MX (implicit MX).
    pub mx_implicit: Vec<IpAddr>,
    /// MTA-STS.
    pub mta_sts: mta_sts::MtaStsSection,
    /// TLS-RPT.
    pub tls_rpt: tls_rpt::TlsRptSection,
    /// BIMI.
    pub bimi: bimi::BimiSection,
    /// Reverse DNS of each sending IP.
    pub ptr: Vec<ptr::PtrCheck>,
    /// Every finding, most severe first.
    pub findings: Vec<Finding>,
    /// DNS queries made and time taken.
    pub dns: DnsStats,
    /// Every DNS answer the audit saw, with TTLs (its DNS snapshot, for history diffs).
    pub records: Vec<crate::dns::SeenAnswer>,
}

/// The order areas are listed in (findings of equal severity).
const AREAS: &[&str] = &[
    "spf", "dkim", "dmarc", "mx", "mta-sts", "tlsrpt", "bimi", "ptr",
];

fn area_rank(id: &str) -> usize {
    AREAS
        .iter()
        .position(|a| id.starts_with(&format!("{a}-")))
        .unwrap_or(AREAS.len())
}

/// Audits `domain` in a job of its own: its own cache and query count, and `deadline` for
/// all of its DNS work (a domain whose servers hang ends with `*-dns-error` findings, never
/// a hang). The MTA-STS fetch has its own timeout on top.
pub async fn audit(
    resolver: &Resolver,
    domain: &str,
    opts: &AuditOptions,
    deadline: std::time::Duration,
) -> AuditReport {
    let job = DnsJob::new(resolver.clone(), deadline);
    audit_domain(&job, domain, opts).await
}

/// Audits `domain` (already normalized: lowercase, no trailing dot) within `job`.
pub async fn audit_domain(job: &DnsJob, domain: &str, opts: &AuditOptions) -> AuditReport {
    let (
        (spf_section, spf_findings),
        (dkim_keys, dkim_findings),
        (dmarc_section, dmarc_findings),
        (mx_section, mx_findings),
        (tls_section, tls_findings),
    ) = tokio::join!(
        spf::audit(job, domain, &opts.ips),
        dkim::audit(job, domain, &opts.selectors, opts.discover_selectors),
        dmarc::audit(job, domain),
        mx::audit(job, domain),
        tls_rpt::audit(job, domain),
    );
    let mx_hosts: Vec<String> = mx_section
        .hosts
        .iter()
        .filter(|h| h.exchange != "." && !h.exchange.is_empty())
        .map(|h| h.exchange.clone())
        .collect();
    let dmarc_for_bimi = dmarc_section
        .record
        .as_ref()
        .map(|r| (r, dmarc_section.discovery.inherited));
    let ptr_jobs = futures_util::future::join_all(opts.ips.iter().map(|ip| ptr::audit(job, *ip)));
    let ((sts_section, sts_findings), (bimi_section, bimi_findings), ptrs) = tokio::join!(
        mta_sts::audit(job, domain, &mx_hosts, &opts.mta_sts),
        bimi::audit(job, domain, dmarc_for_bimi),
        ptr_jobs,
    );
    let mut findings = Vec::new();
    findings.extend(spf_findings);
    findings.extend(dkim_findings);
    findings.extend(dmarc_findings);
    findings.extend(mx_findings);
    if mx_section.status == "null" && sends_mail(&spf_section) {
        findings.push(
            Finding::new(
                "mx-null-sender",
                Severity::Warning,
                format!("{domain} sends mail but accepts none (null MX)"),
            )
            .detail("Its SPF record authorizes senders, yet the null MX says no mail can be delivered back: bounces and replies are lost, and receivers that check the sender domain (e.g. Postfix reject_unknown_sender_domain) reject it.")
            .evidence(
                spf_section
                    .records
                    .iter()
                    .map(|r| format!("{domain} TXT \"{r}\""))
                    .chain(std::iter::once(format!("{domain} MX 0 .")))
                    .collect(),
            )
            .fix(format!("Publish real MX records for {domain}, or stop sending as it (SPF \"v=spf1 -all\")."))
            .refs(&["RFC 7505 §4.2"]),
        );
    }
    findings.extend(sts_findings);
    findings.extend(tls_findings);
    findings.extend(bimi_findings);
    let mut ptr_checks = Vec::new();
    for (c, f) in ptrs {
        ptr_checks.push(c);
        findings.extend(f);
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(area_rank(&a.id).cmp(&area_rank(&b.id)))
    });
    let mut summary = Summary::default();
    for f in &findings {
        match f.severity {
            Severity::Critical => summary.critical += 1,
            Severity::Error => summary.error += 1,
            Severity::Warning => summary.warning += 1,
            Severity::Info => summary.info += 1,
            Severity::Pass => summary.pass += 1,
        }
    }
    AuditReport {
        domain: domain.to_string(),
        verdict: findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Pass),
        summary,
        spf: spf_section,
        dkim: dkim_keys,
        dmarc: dmarc_section,
        mx: mx_section.hosts,
        mx_status: mx_section.status,
        mx_implicit: mx_section.implicit,
        mta_sts: sts_section,
        tls_rpt: tls_section,
        bimi: bimi_section,
        ptr: ptr_checks,
        findings,
        dns: job.stats(),
        records: job.snapshot(),
    }
}

/// Whether the SPF policy authorizes any sender (a parked domain publishes `v=spf1 -all`).
fn sends_mail(s: &spf::SpfSection) -> bool {
    s.records.len() == 1
        && s.records[0]
            .split_whitespace()
            .skip(1)
            .any(|t| !t.eq_ignore_ascii_case("-all") && !t.eq_ignore_ascii_case("~all"))
}
