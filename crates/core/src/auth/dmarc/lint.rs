//! Findings about a DMARC record on its own (RFC 7489, RFC 9989). Whether the domain has
//! one at all, and external report authorization, need DNS and are checked by the audit.

use super::record::{Alignment, Policy, parse};
use crate::finding::{Finding, Severity};

struct F<'a> {
    id: &'a str,
    severity: Severity,
    title: String,
    detail: String,
    fix: String,
    refs: &'a [&'a str],
}

/// Lints the DMARC record `text` published at `_dmarc.<domain>`.
pub fn lint(domain: &str, text: &str) -> Vec<Finding> {
    let evidence = vec![format!("_dmarc.{domain} TXT \"{text}\"")];
    let mk = |f: F<'_>| Finding {
        id: f.id.into(),
        severity: f.severity,
        title: f.title,
        detail: f.detail,
        evidence: evidence.clone(),
        fix: f.fix,
        references: f.refs.iter().map(|r| r.to_string()).collect(),
    };
    let r = match parse(text) {
        Ok(r) => r,
        Err(e) => {
            let mut f = mk(F {
                id: "dmarc-syntax-error",
                severity: Severity::Critical,
                title: format!("The DMARC record of {domain} is invalid"),
                detail: format!(
                    "{e}. Receivers ignore an invalid record: the domain has no DMARC policy."
                ),
                fix: format!(
                    "Correct the record at position {}: {}.",
                    e.position, e.message
                ),
                refs: &["RFC 7489 §6.3", "RFC 7489 §6.6.3"],
            });
            f.evidence.push(text.to_string());
            f.evidence.push(format!("{}^", " ".repeat(e.position)));
            return vec![f];
        }
    };
    let mut out = Vec::new();
    match r.p {
        None if !r.rua.is_empty() => out.push(mk(F {
            id: "dmarc-missing-policy",
            severity: Severity::Error,
            title: format!("The DMARC record of {domain} has no valid p= tag"),
            detail: "With a valid rua= present, receivers act as if p=none (RFC 7489 §6.6.3).".into(),
            fix: "Add p=none (monitoring), then move to p=quarantine and p=reject.".into(),
            refs: &["RFC 7489 §6.6.3"],
        })),
        None => out.push(mk(F {
            id: "dmarc-missing-policy",
            severity: Severity::Critical,
            title: format!("The DMARC record of {domain} has no p= tag and no rua="),
            detail: "RFC 7489 §6.6.3: such a record is not a usable DMARC policy.".into(),
            fix: "Publish at least \"v=DMARC1; p=none; rua=mailto:…\".".into(),
            refs: &["RFC 7489 §6.3", "RFC 7489 §6.6.3"],
        })),
        Some(Policy::None) => out.push(mk(F {
            id: "dmarc-policy-none",
            severity: Severity::Warning,
            title: format!("DMARC for {domain} is monitoring only (p=none)"),
            detail: "Mail that fails DMARC is delivered as usual; Gmail and Yahoo accept p=none for bulk senders, but spoofing is not stopped.".into(),
            fix: "Once the aggregate reports show every legitimate source passing, move to p=quarantine, then p=reject.".into(),
            refs: &["RFC 7489 §6.3", "Gmail email sender guidelines (2024)"],
        })),
        Some(_) => {}
    }
    if let (Some(p), Some(sp)) = (r.p, r.sp)
        && sp < p
    {
        out.push(mk(F {
            id: "dmarc-subdomain-weaker",
            severity: Severity::Warning,
            title: format!(
                "Subdomains of {domain} have a weaker policy (sp={sp:?}) than the domain (p={p:?})",
                sp = sp,
                p = p
            ),
            detail: "Spoofers can use any subdomain that does not publish its own DMARC record."
                .into(),
            fix: "Raise sp= to match p=, or remove sp= so subdomains inherit p=.".into(),
            refs: &["RFC 7489 §6.3"],
        }));
    }
    if let Some(pct) = r.pct
        && pct < 100
    {
        out.push(mk(F {
            id: "dmarc-partial-pct",
            severity: Severity::Warning,
            title: format!("The DMARC policy of {domain} applies to {pct} % of failing mail"),
            detail: "pct= below 100 lets the rest of the failing mail through under the next weaker policy; RFC 9989 drops pct= for t=.".into(),
            fix: "Set pct=100 (or remove it) once the policy is confirmed.".into(),
            refs: &["RFC 7489 §6.3", "RFC 9989"],
        }));
    }
    if r.testing {
        out.push(mk(F {
            id: "dmarc-testing",
            severity: Severity::Warning,
            title: format!("The DMARC record of {domain} is in testing mode (t=y)"),
            detail: "RFC 9989: receivers apply the next weaker policy while t=y.".into(),
            fix: "Remove t=y once the policy is confirmed.".into(),
            refs: &["RFC 9989"],
        }));
    }
    if r.rua.is_empty() {
        out.push(mk(F {
            id: "dmarc-no-rua",
            severity: Severity::Warning,
            title: format!("{domain} asks for no DMARC aggregate reports"),
            detail:
                "Without rua= nobody sees which sources send as the domain or whether they pass."
                    .into(),
            fix: "Add rua=mailto:<a mailbox you read or a report service>.".into(),
            refs: &["RFC 7489 §7.2"],
        }));
    }
    for tag in &r.deprecated {
        out.push(mk(F {
            id: "dmarc-obsolete-tag",
            severity: Severity::Info,
            title: format!("\"{tag}\" is obsolete"),
            detail: "RFC 9989 removed rf= and ri=; receivers ignore them.".into(),
            fix: format!("Remove \"{tag}\"."),
            refs: &["RFC 9989"],
        }));
    }
    for tag in &r.unknown {
        out.push(mk(F {
            id: "dmarc-unknown-tag",
            severity: Severity::Info,
            title: format!("\"{tag}\" is not a DMARC tag"),
            detail: "Unknown tags are ignored; a typo here may hide an intended setting.".into(),
            fix: format!("Check the spelling of \"{tag}\" or remove it."),
            refs: &["RFC 7489 §6.3"],
        }));
    }
    if r.adkim == Alignment::Strict || r.aspf == Alignment::Strict {
        out.push(mk(F {
            id: "dmarc-strict-alignment",
            severity: Severity::Info,
            title: format!("{domain} requires strict alignment"),
            detail: "adkim=s / aspf=s fail mail signed or bounced by a subdomain (e.g. an ESP's bounce domain under the organizational domain).".into(),
            fix: "Keep strict alignment only if every source uses exactly the From domain.".into(),
            refs: &["RFC 7489 §3.1"],
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        lint("example.com", text)
            .into_iter()
            .map(|f| f.id)
            .collect()
    }

    #[test]
    fn strong_record_is_clean() {
        assert!(ids("v=DMARC1; p=reject; rua=mailto:dmarc@example.com").is_empty());
    }

    #[test]
    fn weaknesses_are_reported() {
        assert_eq!(
            ids("v=DMARC1; p=none; rua=mailto:d@example.com"),
            vec!["dmarc-policy-none"]
        );
        assert_eq!(ids("v=DMARC1; p=reject"), vec!["dmarc-no-rua"]);
        assert_eq!(
            ids("v=DMARC1; rua=mailto:d@example.com"),
            vec!["dmarc-missing-policy"]
        );
        assert_eq!(
            ids("v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com"),
            vec!["dmarc-subdomain-weaker"]
        );
        assert_eq!(
            ids("v=DMARC1; p=quarantine; pct=20; rua=mailto:d@example.com"),
            vec!["dmarc-partial-pct"]
        );
        assert_eq!(
            ids("v=DMARC1; p=reject; t=y; rua=mailto:d@example.com"),
            vec!["dmarc-testing"]
        );
        assert_eq!(
            ids("v=DMARC1; p=reject; ri=86400; rua=mailto:d@example.com"),
            vec!["dmarc-obsolete-tag"]
        );
        assert_eq!(
            ids("v=DMARC1; p=reject; rua=mailto:d@example.com; adkim=s"),
            vec!["dmarc-strict-alignment"]
        );
        assert_eq!(
            ids("v=DMARC1; p=reject; rua=mailto:d@example.com; pc=100"),
            vec!["dmarc-unknown-tag"]
        );
        let f = lint("example.com", "v=DMARC1; p=rejet");
        assert_eq!(f[0].id, "dmarc-syntax-error");
        assert_eq!(f[0].severity, Severity::Critical);
    }
}
