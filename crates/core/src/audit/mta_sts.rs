//! MTA-STS (RFC 8461): the `_mta-sts.<domain>` TXT record (§3.1) and, when the setting is
//! on, the HTTPS policy at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (§3.2–3.3),
//! checked against the domain's MX hosts (§4.1).

use serde::Serialize;

use super::policy_fetch::{self, FetchOptions};
use super::txt_policy::{self, pointer};
use crate::dns::DnsJob;
use crate::finding::{Finding, Severity};

/// Longest `max_age` allowed (RFC 8461 §3.2: about one year).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
/// Shorter than a day defeats the purpose of caching the policy (RFC 8461 §3.2 suggests
/// weeks).
pub const MAX_AGE_SHORT: u64 = 86_400;

/// A parsed policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "MtaStsPolicy"))]
pub struct Policy {
    /// `enforce`, `testing` or `none`.
    pub mode: String,
    /// Allowed MX patterns.
    pub mx: Vec<String>,
    /// Seconds senders may cache the policy.
    pub max_age: u64,
}

/// What fetching the policy found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum PolicyFetch {
    /// Fetching is turned off in the settings.
    NotFetched,
    /// Fetched and parsed.
    Ok {
        /// The URL.
        url: String,
        /// The policy.
        policy: Policy,
        /// The body as served.
        body: String,
    },
    /// Fetched but invalid.
    Invalid {
        /// The URL.
        url: String,
        /// Why.
        error: String,
        /// The body as served (capped).
        body: String,
    },
    /// Could not be fetched (DNS, TCP, TLS, HTTP status, content type).
    Unavailable {
        /// The URL.
        url: String,
        /// Why.
        error: String,
    },
}

/// The MTA-STS section of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MtaStsSection {
    /// The TXT name.
    pub name: String,
    /// `v=STSv1` records found (exactly one is valid).
    pub records: Vec<String>,
    /// The `id=` of the valid record.
    pub id: Option<String>,
    /// The HTTPS policy, reported separately from the TXT record.
    pub policy: Option<PolicyFetch>,
}

/// Parses a policy body (RFC 8461 §3.2).
pub fn parse_policy(body: &str) -> Result<Policy, String> {
    let mut version = None;
    let mut mode = None;
    let mut max_age = None;
    let mut mx = Vec::new();
    for (n, line) in body.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            return Err(format!("line {}: \"{line}\" is not \"key: value\"", n + 1));
        };
        let (k, v) = (k.trim(), v.trim());
        match k {
            "version" => version = Some(v.to_string()),
            "mode" => mode = Some(v.to_string()),
            "max_age" => {
                let age: u64 = v
                    .parse()
                    .ok()
                    .filter(|_| {
                        !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit())
                    })
                    .ok_or_else(|| {
                        format!("line {}: max_age \"{v}\" is not a number of seconds", n + 1)
                    })?;
                if age > MAX_AGE_LIMIT {
                    return Err(format!(
                        "line {}: max_age {age} exceeds {MAX_AGE_LIMIT}",
                        n + 1
                    ));
                }
                max_age = Some(age);
            }
            "mx" => mx.push(v.to_ascii_lowercase()),
            _ => {} // extension fields are ignored
        }
    }
    if version.as_deref() != Some("STSv1") {
        return Err("\"version: STSv1\" is missing".into());
    }
    let mode = mode.ok_or("\"mode\" is missing")?;
    if !["enforce", "testing", "none"].contains(&mode.as_str()) {
        return Err(format!("mode \"{mode}\" is not enforce, testing or none"));
    }
    let max_age = max_age.ok_or("\"max_age\" is missing")?;
    if mx.is_empty() && mode != "none" {
        return Err("no \"mx\" lines: every MX would fail validation".into());
    }
    Ok(Policy { mode, mx, max_age })
}

/// Whether an MX host matches a policy pattern (RFC 8461 §4.1: exact, or `*.` matching
/// exactly one leftmost label).
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let p = pattern.trim_end_matches('.').to_ascii_lowercase();
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    match p.strip_prefix("*.") {
        Some(rest) => h
            .split_once('.')
            .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => p == h,
    }
}

fn valid_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Audits MTA-STS for `domain`; `mx_hosts` are the domain's MX exchanges (for §4.1).
pub async fn audit(
    job: &DnsJob,
    domain: &str,
    mx_hosts: &[String],
    fetch: &FetchOptions,
) -> (MtaStsSection, Vec<Finding>) {
    let name = format!("_mta-sts.{domain}");
    let mut s = MtaStsSection {
        name: name.clone(),
        records: Vec::new(),
        id: None,
        policy: None,
    };
    let found = match txt_policy::find(job, &name, "v=STSv1").await {
        Ok(f) => f,
        Err(e) => {
            return (
                s,
                vec![
                    Finding::new(
                        "mta-sts-dns-error",
                        Severity::Warning,
                        format!("The MTA-STS lookup for {domain} failed"),
                    )
                    .detail(format!(
                        "{e}. Senders that see this deliver without MTA-STS protection."
                    ))
                    .evidence(vec![format!("{name} TXT: {e}")])
                    .fix("Make the nameservers answer TXT queries for _mta-sts reliably.")
                    .refs(&["RFC 8461 §3.1"]),
                ],
            );
        }
    };
    s.records = found.records.clone();
    let ev = found.evidence;
    match found.records.len() {
        0 => {
            return (s, vec![Finding::new("mta-sts-missing", Severity::Info, format!("{domain} does not use MTA-STS"))
                .detail("Without MTA-STS, senders fall back to unauthenticated TLS (or plaintext) when an attacker strips STARTTLS or redirects MX traffic.")
                .evidence(ev)
                .fix(format!("Serve a policy at https://mta-sts.{domain}/.well-known/mta-sts.txt (start with mode: testing) and publish TXT \"v=STSv1; id=<date>\" at {name}."))
                .refs(&["RFC 8461 §3"])]);
        }
        1 => {}
        n => {
            return (s, vec![Finding::new("mta-sts-multiple-records", Severity::Error, format!("{domain} publishes {n} MTA-STS records"))
                .detail("With more than one v=STSv1 record, senders MUST assume the domain has no MTA-STS policy (RFC 8461 §3.1).")
                .evidence(ev)
                .fix(format!("Keep exactly one \"v=STSv1; id=…\" record at {name}."))
                .refs(&["RFC 8461 §3.1"])]);
        }
    }
    let text = found.records[0].clone();
    let line = format!("{name} TXT \"{text}\"");
    let bad = |at: usize, msg: String| {
        Finding::new("mta-sts-syntax-error", Severity::Error, format!("The MTA-STS record of {domain} is invalid"))
            .detail(format!("At position {at}: {msg}. Senders MUST treat the domain as having no policy (RFC 8461 §3.1)."))
            .evidence(vec![line.clone(), text.clone(), pointer(at)])
            .fix("Publish \"v=STSv1; id=20240101T000000\" (id: 1–32 letters and digits, changed whenever the policy changes).")
            .refs(&["RFC 8461 §3.1"])
    };
    let tags = match txt_policy::tags(&text) {
        Ok(t) => t,
        Err((at, msg)) => return (s, vec![bad(at, msg)]),
    };
    if tags
        .first()
        .is_none_or(|t| t.name != "v" || t.value != "STSv1")
    {
        return (s, vec![bad(0, "the record must start with v=STSv1".into())]);
    }
    match tags.iter().find(|t| t.name == "id") {
        None => {
            return (
                s,
                vec![bad(text.len(), "the required id= tag is missing".into())],
            );
        }
        Some(t) if !valid_id(&t.value) => {
            return (
                s,
                vec![bad(
                    t.position,
                    format!("id=\"{}\" must be 1–32 letters and digits", t.value),
                )],
            );
        }
        Some(t) => s.id = Some(t.value.clone()),
    }
    let mut out = Vec::new();
    if !fetch.enabled {
        s.policy = Some(PolicyFetch::NotFetched);
        return (s, out);
    }
    let host = format!("mta-sts.{domain}");
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    let fetched = policy_fetch::fetch(job, &host, "/.well-known/mta-sts.txt", fetch).await;
    let policy = match fetched {
        Err(error) => {
            out.push(Finding::new("mta-sts-policy-unavailable", Severity::Warning, format!("The MTA-STS policy of {domain} cannot be fetched"))
                .detail(format!("{error}. The TXT record announces a policy, but senders cannot retrieve it over validated HTTPS, so they deliver without MTA-STS (RFC 8461 §3.3)."))
                .evidence(vec![line.clone(), format!("GET {url}: {error}")])
                .fix(format!("Serve the policy as text/plain with HTTP 200 at {url}, with a valid certificate for {host} (no redirects)."))
                .refs(&["RFC 8461 §3.3"]));
            s.policy = Some(PolicyFetch::Unavailable { url, error });
            return (s, out);
        }
        Ok(body) => match parse_policy(&body) {
            Err(error) => {
                out.push(Finding::new("mta-sts-policy-invalid", Severity::Warning, format!("The MTA-STS policy of {domain} is invalid"))
                    .detail(format!("{error}. Senders ignore an invalid policy (RFC 8461 §3.2)."))
                    .evidence(vec![line.clone(), format!("{url}:"), body.clone()])
                    .fix("Serve \"version: STSv1\", \"mode: testing|enforce\", one \"mx:\" line per MX host and \"max_age: 604800\", one per line.")
                    .refs(&["RFC 8461 §3.2"]));
                s.policy = Some(PolicyFetch::Invalid { url, error, body });
                return (s, out);
            }
            Ok(p) => {
                s.policy = Some(PolicyFetch::Ok {
                    url: url.clone(),
                    policy: p.clone(),
                    body: body.clone(),
                });
                (p, body)
            }
        },
    };
    let (p, body) = policy;
    let pev = vec![line.clone(), format!("{url}:"), body.clone()];
    match p.mode.as_str() {
        "testing" => out.push(Finding::new("mta-sts-testing", Severity::Info, format!("The MTA-STS policy of {domain} is in testing mode"))
            .detail("Senders report TLS failures (with TLS-RPT) but still deliver; nothing is protected yet.")
            .evidence(pev.clone())
            .fix("Once TLS reports show no failures, switch to mode: enforce (and change the TXT id).")
            .refs(&["RFC 8461 §5"])),
        "none" => out.push(Finding::new("mta-sts-mode-none", Severity::Info, format!("The MTA-STS policy of {domain} is mode: none"))
            .detail("mode: none withdraws the policy; senders do not apply MTA-STS.")
            .evidence(pev.clone())
            .fix("If this is not a deliberate withdrawal, use mode: testing or enforce.")
            .refs(&["RFC 8461 §5"])),
        _ => {}
    }
    if p.mode != "none" {
        let unmatched: Vec<&String> = mx_hosts
            .iter()
            .filter(|h| !p.mx.iter().any(|pat| mx_matches(pat, h)))
            .collect();
        if !unmatched.is_empty() {
            let enforce = p.mode == "enforce";
            out.push(Finding::new("mta-sts-mx-mismatch", if enforce { Severity::Critical } else { Severity::Warning }, format!("MX host(s) of {domain} are not allowed by its MTA-STS policy"))
                .detail(format!(
                    "{} not matched by any mx: line. {}",
                    unmatched.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", "),
                    if enforce { "In enforce mode, senders that honour MTA-STS refuse to deliver to these hosts (RFC 8461 §4.1, §5)." } else { "In testing mode this is only reported; in enforce mode mail to these hosts would fail." }
                ))
                .evidence({ let mut v = pev.clone(); v.push(format!("MX hosts: {}", mx_hosts.join(", "))); v })
                .fix(format!("Add \"mx: {}\" to the policy (and change the TXT id), or correct the MX.", unmatched[0]))
                .refs(&["RFC 8461 §4.1"]));
        }
    }
    if p.max_age < MAX_AGE_SHORT && p.mode != "none" {
        out.push(Finding::new("mta-sts-max-age-short", Severity::Warning, format!("The MTA-STS policy of {domain} is cached for only {} seconds", p.max_age))
            .detail("A short max_age means senders often run without a cached policy, which is when an attacker can strip it. RFC 8461 suggests weeks.")
            .evidence(pev.clone())
            .fix("Set max_age: 604800 (one week) or more.")
            .refs(&["RFC 8461 §3.2"]));
    }
    if !out.iter().any(|f| f.severity >= Severity::Info) {
        out.push(
            Finding::new(
                "mta-sts-ok",
                Severity::Pass,
                format!("{domain} enforces MTA-STS"),
            )
            .detail(format!(
                "mode: {}, max_age {}, every MX allowed.",
                p.mode, p.max_age
            ))
            .evidence(pev)
            .refs(&["RFC 8461"]),
        );
    }
    (s, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse_per_rfc_8461() {
        let p = parse_policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n").expect("policy");
        assert_eq!(p.mode, "enforce");
        assert_eq!(p.mx, vec!["mail.example.com", "*.example.net"]);
        assert!(parse_policy("mode: enforce\nmx: a\nmax_age: 1").is_err());
        assert!(parse_policy("version: STSv1\nmode: strict\nmx: a\nmax_age: 1").is_err());
        assert!(parse_policy("version: STSv1\nmode: enforce\nmax_age: 1").is_err());
        assert!(
            parse_policy("version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999999").is_err()
        );
        assert!(parse_policy("version: STSv1\nmode: none\nmax_age: 1").is_ok());
    }

    #[test]
    fn mx_patterns_match_one_label() {
        assert!(mx_matches("mail.example.com", "MAIL.example.com."));
        assert!(mx_matches("*.example.net", "mx1.example.net"));
        assert!(!mx_matches("*.example.net", "a.b.example.net"));
        assert!(!mx_matches("*.example.net", "example.net"));
    }

    #[test]
    fn ids() {
        assert!(valid_id("20240101T000000"));
        assert!(!valid_id(""));
        assert!(!valid_id("2024-01-01"));
        assert!(!valid_id(&"a".repeat(33)));
    }
}
