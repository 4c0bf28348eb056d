//! SMTP TLS Reporting policy at `_smtp._tls.<domain>` (RFC 8460 §3).

use serde::Serialize;

use super::txt_policy::{self, pointer};
use crate::dns::DnsJob;
use crate::finding::{Finding, Severity};

/// The TLS-RPT section of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsRptSection {
    /// The name queried.
    pub name: String,
    /// `v=TLSRPTv1` records found (exactly one is valid).
    pub records: Vec<String>,
    /// Report destinations of the valid record.
    pub rua: Vec<String>,
    /// Whether reports will be sent (exactly one valid record).
    pub valid: bool,
}

/// Audits the TLS-RPT record of `domain`.
pub async fn audit(job: &DnsJob, domain: &str) -> (TlsRptSection, Vec<Finding>) {
    let name = format!("_smtp._tls.{domain}");
    let mut s = TlsRptSection {
        name: name.clone(),
        records: Vec::new(),
        rua: Vec::new(),
        valid: false,
    };
    let found = match txt_policy::find(job, &name, "v=TLSRPTv1").await {
        Ok(f) => f,
        Err(e) => {
            return (
                s,
                vec![
                    Finding::new(
                        "tlsrpt-dns-error",
                        Severity::Warning,
                        format!("The TLS-RPT lookup for {domain} failed"),
                    )
                    .detail(format!("{e}. Senders that see this send no TLS reports."))
                    .evidence(vec![format!("{name} TXT: {e}")])
                    .fix("Make the nameservers answer TXT queries for _smtp._tls reliably.")
                    .refs(&["RFC 8460 §3"]),
                ],
            );
        }
    };
    s.records = found.records.clone();
    let ev = found.evidence;
    match found.records.len() {
        0 => {
            return (s, vec![Finding::new("tlsrpt-missing", Severity::Info, format!("{domain} does not ask for SMTP TLS reports"))
                .detail("Without TLS-RPT, nobody tells the domain when senders fail to establish TLS to its MX (expired certificates, MTA-STS mismatches).")
                .evidence(ev)
                .fix(format!("Publish at {name}: TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\"."))
                .refs(&["RFC 8460 §3"])]);
        }
        1 => {}
        n => {
            return (s, vec![Finding::new("tlsrpt-multiple-records", Severity::Error, format!("{domain} publishes {n} TLS-RPT records"))
                .detail("With more than one v=TLSRPTv1 record, senders MUST assume the domain does not implement TLS-RPT (RFC 8460 §3): no reports are sent.")
                .evidence(ev)
                .fix(format!("Keep exactly one record at {name}; list several destinations in one rua= separated by commas."))
                .refs(&["RFC 8460 §3"])]);
        }
    }
    let text = &found.records[0];
    let bad = |at: usize, msg: String| {
        Finding::new("tlsrpt-syntax-error", Severity::Error, format!("The TLS-RPT record of {domain} is invalid"))
            .detail(format!("At position {at}: {msg}. Senders ignore an invalid record and send no reports (RFC 8460 §3)."))
            .evidence(vec![format!("{name} TXT \"{text}\""), text.clone(), pointer(at)])
            .fix(format!("Publish \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\"."))
            .refs(&["RFC 8460 §3"])
    };
    let tags = match txt_policy::tags(text) {
        Ok(t) => t,
        Err((at, msg)) => return (s, vec![bad(at, msg)]),
    };
    if tags
        .first()
        .is_none_or(|t| t.name != "v" || t.value != "TLSRPTv1")
    {
        return (
            s,
            vec![bad(0, "the record must start with v=TLSRPTv1".into())],
        );
    }
    let Some(rua) = tags.iter().find(|t| t.name == "rua") else {
        return (
            s,
            vec![bad(text.len(), "the required rua= tag is missing".into())],
        );
    };
    let mut out = Vec::new();
    for uri in rua.value.split(',').map(str::trim) {
        let lower = uri.to_ascii_lowercase();
        let ok =
            (lower.starts_with("mailto:") && uri[7..].contains('@') && !uri[7..].starts_with('@'))
                || (lower.starts_with("https://") && uri.len() > 8);
        if !ok {
            out.push(Finding::new("tlsrpt-bad-rua", Severity::Error, format!("TLS-RPT destination \"{uri}\" of {domain} is not usable"))
                .detail("rua= takes mailto: addresses or https: URLs (RFC 8460 §3); senders skip anything else.")
                .evidence(vec![format!("{name} TXT \"{text}\"")])
                .fix(format!("Use rua=mailto:tls-reports@{domain} or an https:// endpoint of a report processor."))
                .refs(&["RFC 8460 §3"]));
        } else {
            s.rua.push(uri.to_string());
        }
    }
    s.valid = !s.rua.is_empty();
    if out.is_empty() {
        out.push(
            Finding::new(
                "tlsrpt-ok",
                Severity::Pass,
                format!("{domain} receives SMTP TLS reports"),
            )
            .detail(format!("Reports go to {}.", s.rua.join(", ")))
            .evidence(vec![format!("{name} TXT \"{text}\"")])
            .refs(&["RFC 8460 §3"]),
        );
    }
    (s, out)
}
