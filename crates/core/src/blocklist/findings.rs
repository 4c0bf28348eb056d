//! Findings of a blocklist check (DESIGN.md §2).

use super::catalogue::ListSpec;
use super::check::{ListResult, ListStatus};
use super::target::Target;
use crate::finding::{Finding, Severity};

/// Severity of a listing by the list's weight: receivers that rely on heavy lists reject.
fn listing_severity(weight: u8) -> Severity {
    match weight {
        8.. => Severity::Critical,
        5..=7 => Severity::Error,
        3..=4 => Severity::Warning,
        _ => Severity::Info,
    }
}

fn evidence(target: &Target, r: &ListResult) -> Vec<String> {
    let mut e = vec![format!(
        "{} {} → {}",
        target.query_name(&r.zone),
        "A",
        if r.codes.is_empty() {
            "-".to_string()
        } else {
            r.codes.join(", ")
        }
    )];
    if let Some(t) = &r.txt {
        e.push(format!("TXT \"{t}\""));
    }
    e.push(format!("{}: {}", r.list, r.meaning));
    e
}

/// The findings for one target's results (and the lists skipped for want of a key).
pub fn findings_for(
    target: &Target,
    results: &[ListResult],
    skipped: &[&ListSpec],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in results {
        let f = match r.status {
            ListStatus::Listed => Finding {
                id: "dnsbl-listed".into(),
                severity: listing_severity(r.weight),
                title: format!("{target} is listed on {}", r.list),
                detail: format!(
                    "{} answered {} for {target}: {}.",
                    r.list,
                    r.codes.join(", "),
                    r.meaning
                ),
                evidence: evidence(target, r),
                fix: if r.delist_url.is_empty() {
                    format!("Find and stop what caused the listing ({}), then ask {} for removal.", r.meaning, r.list)
                } else {
                    format!(
                        "Find and stop what caused the listing ({}), then look up {target} and request removal at {}.",
                        r.meaning, r.delist_url
                    )
                },
                references: vec!["RFC 5782 §2.1 (IPv4 DNSxL), §3 (domain DNSxL)".into()],
            },
            ListStatus::Refused => Finding {
                id: "dnsbl-refused".into(),
                severity: Severity::Warning,
                title: format!("{} refused to answer for {target}", r.list),
                detail: format!(
                    "The list did not say whether {target} is listed: {}. The result is unknown, not clean.",
                    r.meaning
                ),
                evidence: evidence(target, r),
                fix: "Your resolver is blocked by this list: use your own recursive resolver (inboxlens settings set nameservers …) or, for Spamhaus, a Data Query Service key (inboxlens settings set dqs_key …).".into(),
                references: vec!["RFC 5782 §2.3".into()],
            },
            ListStatus::DeadList => Finding {
                id: "dnsbl-dead-list".into(),
                severity: Severity::Warning,
                title: format!("{} failed its liveness test; its answers are ignored", r.list),
                detail: r.meaning.clone(),
                evidence: evidence(target, r),
                fix: format!("Disable {} ({}) in the blocklist catalogue: a list that fails RFC 5782 §5 cannot be trusted.", r.list, r.zone),
                references: vec!["RFC 5782 §5".into()],
            },
            ListStatus::Timeout => Finding {
                id: "dnsbl-timeout".into(),
                severity: Severity::Warning,
                title: format!("{} did not answer in time for {target}", r.list),
                detail: format!("The result is unknown: {}.", r.meaning),
                evidence: evidence(target, r),
                fix: "Check again later or raise the DNS timeout (inboxlens settings set timeout …).".into(),
                references: vec![],
            },
            ListStatus::Error => Finding {
                id: "dnsbl-error".into(),
                severity: Severity::Warning,
                title: format!("{} could not be checked for {target}", r.list),
                detail: format!("The result is unknown: {}.", r.meaning),
                evidence: evidence(target, r),
                fix: "Check the resolver settings; if the list keeps answering this way, disable it in the catalogue.".into(),
                references: vec!["RFC 5782 §2.3".into()],
            },
            ListStatus::Clean => continue,
        };
        out.push(f);
    }
    for s in skipped {
        out.push(Finding {
            id: "dnsbl-needs-key".into(),
            severity: Severity::Info,
            title: format!("{} was not checked: it needs a key", s.name),
            detail: format!("{} ({}) only answers subscribers.", s.name, s.zone),
            evidence: vec![],
            fix: "Set the key (inboxlens settings set dqs_key …) or disable the list.".into(),
            references: vec![],
        });
    }
    let clean: Vec<&str> = results
        .iter()
        .filter(|r| r.status == ListStatus::Clean)
        .map(|r| r.list.as_str())
        .collect();
    if !results.iter().any(|r| r.status == ListStatus::Listed) && !clean.is_empty() {
        out.push(Finding {
            id: "dnsbl-not-listed".into(),
            severity: Severity::Pass,
            title: format!(
                "{target} is not listed on the {} lists that answered",
                clean.len()
            ),
            detail: format!("Checked and clean on: {}.", clean.join(", ")),
            evidence: clean.iter().map(|l| format!("{l}: NXDOMAIN")).collect(),
            fix: String::new(),
            references: vec!["RFC 5782 §2.1".into()],
        });
    }
    out
}
