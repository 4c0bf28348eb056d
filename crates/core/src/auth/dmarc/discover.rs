//! Finding the DMARC record that governs a domain: `_dmarc.<domain>`, then the RFC 9989
//! DNS tree walk (§4.10) up to the top-level domain.

use serde::Serialize;

use super::record::is_dmarc;
use crate::dns::DnsJob;

/// Most labels the walk starts from after the exact name (RFC 9989 §4.10: a name of more
/// than 8 labels is shortened to its 7 right-most labels).
const WALK_START_LABELS: usize = 7;
const LONG_NAME_LABELS: usize = 8;

/// What one `_dmarc` query found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum StepOutcome {
    /// No DMARC record at the name (other TXT records are ignored).
    None,
    /// Exactly one DMARC record.
    Record {
        /// The record.
        text: String,
    },
    /// More than one DMARC record: none applies (RFC 7489 §6.6.3).
    Multiple {
        /// The records.
        texts: Vec<String>,
    },
    /// The query failed; the walk cannot conclude.
    Error {
        /// Why.
        message: String,
    },
    /// The query of a public suffix (above any organizational domain) failed. Only a public
    /// suffix operator's PSD record could live there (RFC 9989 §4.10), and authoritative-only
    /// servers refuse such names, so the failure is shown and the walk goes on as if there
    /// were no record.
    SuffixError {
        /// Why.
        message: String,
    },
}

/// One query of the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DiscoveryStep {
    /// The name queried (`_dmarc.example.com`).
    pub name: String,
    /// What it found.
    pub outcome: StepOutcome,
}

/// The result of discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Discovery {
    /// The domain asked about.
    pub domain: String,
    /// The domain whose record applies, if any.
    pub policy_domain: Option<String>,
    /// The record that applies, if any.
    pub record: Option<String>,
    /// Whether the record was found at a parent (its sp=/np= then govern the domain).
    pub inherited: bool,
    /// Every query, in order.
    pub steps: Vec<DiscoveryStep>,
}

impl Discovery {
    /// Whether a DNS error stopped the walk (the result is temperror, not "no policy").
    pub fn failed(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match &s.outcome {
            StepOutcome::Error { message } => Some(message.as_str()),
            _ => None,
        })
    }
}

/// The names to query, in order: the domain itself, then (RFC 9989 §4.10) its 7 right-most
/// labels if it has more than 8, then one label fewer at a time down to the top-level domain.
pub fn walk_names(domain: &str) -> Vec<String> {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = d.split('.').filter(|l| !l.is_empty()).collect();
    let mut out = vec![d.clone()];
    let mut n = labels.len();
    if n > LONG_NAME_LABELS {
        n = WALK_START_LABELS + 1;
    }
    while n > 1 {
        n -= 1;
        let name = labels[labels.len() - n..].join(".");
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

async fn step(job: &DnsJob, domain: &str) -> DiscoveryStep {
    let name = format!("_dmarc.{domain}");
    let outcome = match job.txt(&name).await {
        Ok(answer) => {
            let texts: Vec<String> = answer.txt().into_iter().filter(|t| is_dmarc(t)).collect();
            match texts.len() {
                0 => StepOutcome::None,
                1 => StepOutcome::Record {
                    text: texts[0].clone(),
                },
                _ => StepOutcome::Multiple { texts },
            }
        }
        Err(e) => StepOutcome::Error {
            message: e.to_string(),
        },
    };
    DiscoveryStep { name, outcome }
}

/// Discovers the DMARC record for `domain`. Stops at the first name with exactly one record,
/// at multiple records, or at a DNS error (RFC 7489 §6.6.3, RFC 9989 §4.10).
pub async fn discover(job: &DnsJob, domain: &str) -> Discovery {
    let mut d = Discovery {
        domain: domain.trim_end_matches('.').to_ascii_lowercase(),
        policy_domain: None,
        record: None,
        inherited: false,
        steps: Vec::new(),
    };
    for (i, name) in walk_names(domain).into_iter().enumerate() {
        let mut s = step(job, &name).await;
        if let StepOutcome::Error { message } = &s.outcome
            && i > 0
            && psl::suffix_str(&name) == Some(name.as_str())
        {
            s.outcome = StepOutcome::SuffixError {
                message: message.clone(),
            };
        }
        let stop = match &s.outcome {
            StepOutcome::Record { text } => {
                d.policy_domain = Some(name.clone());
                d.record = Some(text.clone());
                d.inherited = i > 0;
                true
            }
            StepOutcome::Multiple { .. } | StepOutcome::Error { .. } => true,
            StepOutcome::None | StepOutcome::SuffixError { .. } => false,
        };
        d.steps.push(s);
        if stop {
            break;
        }
    }
    d
}

/// Findings about discovery itself, then (when a record applies) the record's own findings.
pub fn discovery_findings(d: &Discovery) -> Vec<crate::finding::Finding> {
    use crate::finding::{Finding, Severity};
    let evidence: Vec<String> = d
        .steps
        .iter()
        .map(|s| match &s.outcome {
            StepOutcome::None => format!("{} TXT: no DMARC record", s.name),
            StepOutcome::Record { text } => format!("{} TXT \"{text}\"", s.name),
            StepOutcome::Multiple { texts } => format!(
                "{} TXT: {} DMARC records: {}",
                s.name,
                texts.len(),
                texts.join(" | ")
            ),
            StepOutcome::Error { message } => format!("{}: {message}", s.name),
            StepOutcome::SuffixError { message } => format!(
                "{}: {message} (a public suffix: treated as no record)",
                s.name
            ),
        })
        .collect();
    let f =
        |id: &str, severity, title: String, detail: String, fix: String, refs: &[&str]| Finding {
            id: id.into(),
            severity,
            title,
            detail,
            evidence: evidence.clone(),
            fix,
            references: refs.iter().map(|r| r.to_string()).collect(),
        };
    let domain = &d.domain;
    if let Some(message) = d.failed() {
        return vec![f(
            "dmarc-dns-error",
            Severity::Error,
            format!("The DMARC lookup for {domain} failed"),
            format!(
                "{message}. Receivers that see this get a temporary error and may defer or treat the mail as unauthenticated."
            ),
            "Make the domain's nameservers answer TXT queries for _dmarc names reliably.".into(),
            &["RFC 7489 §6.6.3", "RFC 9989 §4.10"],
        )];
    }
    if let Some(step) = d
        .steps
        .iter()
        .find(|s| matches!(s.outcome, StepOutcome::Multiple { .. }))
    {
        return vec![f(
            "dmarc-multiple-records",
            Severity::Critical,
            format!("{} publishes more than one DMARC record", step.name),
            "With more than one record, receivers apply no DMARC policy at all (RFC 7489 §6.6.3)."
                .into(),
            format!("Keep exactly one \"v=DMARC1\" TXT record at {}.", step.name),
            &["RFC 7489 §6.6.3"],
        )];
    }
    let (Some(record), Some(policy_domain)) = (&d.record, &d.policy_domain) else {
        return vec![f(
            "dmarc-missing",
            Severity::Critical,
            format!("{domain} has no DMARC record"),
            "No _dmarc record at the domain or any parent: receivers apply no policy, and Gmail and Yahoo require DMARC (at least p=none) from bulk senders.".into(),
            format!("Publish at _dmarc.{domain}: \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\", then tighten the policy."),
            &["RFC 7489 §6.1", "Gmail email sender guidelines (2024)", "Yahoo sender best practices (2024)"],
        )];
    };
    let mut out = Vec::new();
    if d.inherited {
        out.push(f(
            "dmarc-inherited",
            Severity::Info,
            format!("{domain} is governed by the DMARC record of {policy_domain}"),
            format!("{domain} has no record of its own; the parent's sp= (or np= for non-existent names), else p=, applies."),
            format!("Publish a record at _dmarc.{domain} if it needs a different policy or reports."),
            &["RFC 9989 §4.10", "RFC 7489 §6.6.3"],
        ));
    }
    out.extend(super::lint(policy_domain, record));
    out
}

#[cfg(test)]
mod tests {
    use super::walk_names;

    #[test]
    fn walk_follows_rfc_9989() {
        assert_eq!(
            walk_names("mail.example.com"),
            vec!["mail.example.com", "example.com", "com"]
        );
        assert_eq!(walk_names("example.com."), vec!["example.com", "com"]);
        let long = "a.b.c.d.e.f.g.h.i.example.com";
        let names = walk_names(long);
        assert_eq!(names[0], long);
        assert_eq!(names[1], "f.g.h.i.example.com".replace("f.", "e.f."));
        assert_eq!(names.last().map(String::as_str), Some("com"));
        assert_eq!(names.len(), 1 + 7);
    }
}
