//! Findings about one SPF record on its own (no DNS): syntax, weak endings, deprecated
//! mechanisms, terms that never take effect. The lookup tree and limits need DNS and are
//! checked by the evaluator.

use super::record::{Mechanism, Qualifier, TermKind, parse};
use crate::finding::{Finding, Severity};

fn finding(
    id: &str,
    severity: Severity,
    title: String,
    detail: String,
    evidence: Vec<String>,
    fix: String,
    refs: &[&str],
) -> Finding {
    Finding {
        id: id.into(),
        severity,
        title,
        detail,
        evidence,
        fix,
        references: refs.iter().map(|r| r.to_string()).collect(),
    }
}

/// Lints the SPF record `text` published at `domain`.
pub fn lint(domain: &str, text: &str) -> Vec<Finding> {
    let evidence = vec![format!("{domain} TXT \"{text}\"")];
    let record = match parse(text) {
        Ok(r) => r,
        Err(e) => {
            let pointer = format!("{}^", " ".repeat(e.position));
            return vec![finding(
                "spf-syntax-error",
                Severity::Critical,
                format!("The SPF record of {domain} has a syntax error"),
                format!(
                    "{} Receivers treat the whole record as a permanent error (permerror) and SPF fails for every message.",
                    e
                ),
                vec![evidence[0].clone(), text.to_string(), pointer],
                format!(
                    "Correct \"{}\" at position {}: {}.",
                    e.term, e.position, e.message
                ),
                &["RFC 7208 §4.6", "RFC 7208 §12"],
            )];
        }
    };
    let mut out = Vec::new();
    let mut all_seen: Option<(usize, Qualifier)> = None;
    for t in &record.terms {
        if let Some((at, _)) = all_seen
            && let TermKind::Directive(_) = t.kind
        {
            out.push(finding(
                "spf-terms-after-all",
                Severity::Warning,
                format!("\"{}\" comes after \"all\" and is never evaluated", t.text),
                format!("Evaluation stops at \"all\" (position {at}); mechanisms after it have no effect."),
                evidence.clone(),
                format!("Move \"{}\" before \"all\", or remove it.", t.text),
                &["RFC 7208 §5.1"],
            ));
        }
        if let TermKind::Directive(d) = &t.kind {
            match &d.mechanism {
                Mechanism::All if all_seen.is_none() => all_seen = Some((t.position, d.qualifier)),
                Mechanism::Ptr { .. } => out.push(finding(
                    "spf-ptr",
                    Severity::Warning,
                    "The SPF record uses the deprecated \"ptr\" mechanism".into(),
                    "\"ptr\" is slow, unreliable and SHOULD NOT be used; some receivers ignore it or count it harshly.".into(),
                    evidence.clone(),
                    format!("Replace \"{}\" with ip4:/ip6: ranges or an include: of the sender's SPF record.", t.text),
                    &["RFC 7208 §5.5"],
                )),
                Mechanism::Ip4 { addr, len } if *len < 32 && u32::from(*addr) & (u32::MAX >> len) != 0 => {
                    out.push(finding(
                        "spf-ip-host-bits",
                        Severity::Info,
                        format!("\"{}\" has host bits set", t.text),
                        format!("The range covers {} addresses from the network address, not from {addr}; check it is what was meant.", 1u64 << (32 - len)),
                        evidence.clone(),
                        format!("Write the network address of the range, e.g. ip4:{}/{len}.", std::net::Ipv4Addr::from(u32::from(*addr) & !(u32::MAX >> len))),
                        &["RFC 7208 §5.6"],
                    ))
                }
                Mechanism::Ip4 { len, .. } if *len < 8 => out.push(finding(
                    "spf-wide-range",
                    Severity::Error,
                    format!("\"{}\" authorizes a huge address range", t.text),
                    "A prefix shorter than /8 lets much of the Internet send as this domain.".into(),
                    evidence.clone(),
                    "Authorize only the sender's own ranges.".into(),
                    &["RFC 7208 §5.6"],
                )),
                _ => {}
            }
        }
    }
    match all_seen {
        Some((_, Qualifier::Pass)) => out.push(finding(
            "spf-pass-all",
            Severity::Critical,
            format!("The SPF record of {domain} ends in \"+all\": anyone may send as it"),
            "\"+all\" (or a bare \"all\") makes SPF pass for every IP address on the Internet.".into(),
            evidence.clone(),
            "End the record with \"-all\" (or \"~all\" while testing) after listing every legitimate sender.".into(),
            &["RFC 7208 §5.1", "RFC 7208 §10.1"],
        )),
        Some((_, Qualifier::Neutral)) => out.push(finding(
            "spf-neutral-all",
            Severity::Warning,
            format!("The SPF record of {domain} ends in \"?all\": unlisted senders are neutral"),
            "\"?all\" says nothing about unlisted senders, so SPF gives no protection and DMARC cannot rely on it.".into(),
            evidence.clone(),
            "End the record with \"-all\" (or \"~all\" while testing).".into(),
            &["RFC 7208 §8.2"],
        )),
        Some((_, Qualifier::SoftFail)) => out.push(finding(
            "spf-softfail-all",
            Severity::Info,
            format!("The SPF record of {domain} ends in \"~all\" (softfail)"),
            "Unlisted senders soft-fail. With DMARC enforcing, this is common and acceptable; \"-all\" is stricter.".into(),
            evidence.clone(),
            "Once every legitimate sender is listed, consider \"-all\".".into(),
            &["RFC 7208 §8.5"],
        )),
        Some((_, Qualifier::Fail)) => {}
        None if record.redirect().is_none() => out.push(finding(
            "spf-no-all",
            Severity::Warning,
            format!("The SPF record of {domain} has no \"all\" and no redirect"),
            "Without a final \"all\", unlisted senders get \"neutral\" (RFC 7208 §4.7): SPF gives no protection.".into(),
            evidence.clone(),
            "End the record with \"-all\" (or \"~all\" while testing).".into(),
            &["RFC 7208 §4.7"],
        )),
        None => {}
    }
    if all_seen.is_some() && record.redirect().is_some() {
        out.push(finding(
            "spf-redirect-ignored",
            Severity::Warning,
            "\"redirect=\" is ignored because the record has \"all\"".into(),
            "RFC 7208 §6.1: redirect is used only when no mechanism matched, and \"all\" always matches.".into(),
            evidence.clone(),
            "Remove either \"all\" or \"redirect=\".".into(),
            &["RFC 7208 §6.1"],
        ));
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
    fn good_record_has_no_findings() {
        assert!(ids("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all").is_empty());
    }

    #[test]
    fn weak_endings_and_mistakes() {
        assert_eq!(ids("v=spf1 +all"), vec!["spf-pass-all"]);
        assert_eq!(ids("v=spf1 a all"), vec!["spf-pass-all"]);
        assert_eq!(ids("v=spf1 a ?all"), vec!["spf-neutral-all"]);
        assert_eq!(ids("v=spf1 a ~all"), vec!["spf-softfail-all"]);
        assert_eq!(ids("v=spf1 a mx"), vec!["spf-no-all"]);
        assert!(ids("v=spf1 a redirect=_spf.example.net").is_empty());
        assert_eq!(ids("v=spf1 ptr -all"), vec!["spf-ptr"]);
        assert_eq!(ids("v=spf1 -all a"), vec!["spf-terms-after-all"]);
        assert_eq!(
            ids("v=spf1 -all redirect=x.example.net"),
            vec!["spf-redirect-ignored"]
        );
        assert_eq!(
            ids("v=spf1 ip4:192.0.2.1/24 -all"),
            vec!["spf-ip-host-bits"]
        );
        assert_eq!(ids("v=spf1 ip4:0.0.0.0/1 -all"), vec!["spf-wide-range"]);
    }

    #[test]
    fn syntax_errors_point_at_the_term() {
        let f = lint("example.com", "v=spf1 ip4:192.0.2.300 -all");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "spf-syntax-error");
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].evidence[2], format!("{}^", " ".repeat(7)));
        assert!(f[0].fix.contains("ip4:192.0.2.300"), "{}", f[0].fix);
    }
}
