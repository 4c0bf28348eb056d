//! The message inspector (issue #5, DESIGN.md §3 `inboxlens verify`): what the receiving
//! mailbox provider saw. DKIM and ARC are verified with mail-auth; SPF with our own
//! `check_host()` (with its trace) for the envelope found in the trace headers; DMARC
//! (RFC 7489 §3.1, §6.6) from our discovery and the alignment of the passing identifiers.

mod arc_strict;
pub mod auth_results;
pub mod headers;
pub mod trace;

use std::net::IpAddr;
use std::time::Duration;

use mail_auth::{AuthenticatedMessage, DkimResult};
use serde::Serialize;
use thiserror::Error;

use crate::audit::dmarc::organizational_domain;
use crate::auth::dmarc::{self, Alignment, Policy};
use crate::auth::spf::{self, SpfInput, SpfResult};
use crate::dns::{DnsJob, Resolver};
use crate::finding::{Finding, Severity};
pub use auth_results::ReceiverResult;
pub use headers::HeaderFacts;
pub use trace::{Envelope, Hop};

/// A message's parsed header section (mail-parser's, which mail-auth uses too).
pub type ParsedHeaders<'x> = mail_parser::Message<'x>;

/// Parses the header section of `raw` (no body decoding).
pub fn parse_headers(raw: &[u8]) -> Option<ParsedHeaders<'_>> {
    mail_parser::MessageParser::default().parse_headers(raw)
}

/// Largest message accepted (bytes).
pub const MESSAGE_LIMIT: usize = 50 * 1024 * 1024;
/// Most header fields accepted (real messages carry tens; thousands are an attack on the
/// parser or a mail loop).
pub const HEADER_COUNT_LIMIT: usize = 1000;
/// A hop slower than this is reported.
pub const SLOW_HOP_SECS: i64 = 3600;

/// Why a message cannot be inspected at all.
#[derive(Debug, Error)]
pub enum MessageError {
    /// Nothing that looks like a header section.
    #[error(
        "not an email message: no header section found (a message starts with lines like \"From: …\")"
    )]
    NoHeaders,
    /// Over [`MESSAGE_LIMIT`].
    #[error("the message is {0} bytes; the limit is {MESSAGE_LIMIT} bytes")]
    TooLarge(usize),
    /// Over [`HEADER_COUNT_LIMIT`] header fields.
    #[error(
        "the message has {0} header fields; the limit is {HEADER_COUNT_LIMIT} (a mail loop, or not a real message)"
    )]
    TooManyHeaders(usize),
}

/// What the user knows about the envelope (overrides the headers).
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Connecting IP.
    pub ip: Option<IpAddr>,
    /// HELO name.
    pub helo: Option<String>,
    /// MAIL FROM address.
    pub mail_from: Option<String>,
}

/// SPF for the envelope.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpfCheck {
    /// The domain checked (MAIL FROM domain, or the HELO name for a null sender).
    pub domain: Option<String>,
    /// The result.
    pub result: SpfResult,
    /// The deciding term.
    pub matched: Option<String>,
    /// Why temperror/permerror, or why not checked.
    pub error: Option<String>,
}

/// One DKIM signature.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DkimCheck {
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// `a=`.
    pub algorithm: String,
    /// `pass`, `fail`, `neutral`, `permerror`, `temperror`, `none`.
    pub result: String,
    /// Why it did not pass.
    pub reason: Option<String>,
    /// `l=` (signed body length), if set.
    pub body_length: Option<u64>,
    /// `x=` (expiry, Unix time), if set.
    pub expires: Option<u64>,
    /// `h=`: the signed headers.
    pub signed_headers: Vec<String>,
    /// Size of the published key in bits, when it could be read.
    pub key_bits: Option<u32>,
    /// Whether `d=` aligns with the From domain under the DMARC policy's adkim.
    pub aligned: bool,
}

/// DMARC for the From domain.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DmarcCheck {
    /// The RFC 5322.From domain.
    pub from_domain: Option<String>,
    /// Where the record was found.
    pub policy_domain: Option<String>,
    /// The record.
    pub record: Option<String>,
    /// `pass`, `fail`, `none` (no policy), `temperror`, `permerror`.
    pub result: String,
    /// The policy that applies (`sp=` when inherited).
    pub policy: Option<Policy>,
    /// What the receiver is asked to do with this message.
    pub disposition: String,
    /// SPF passed with an aligned domain.
    pub spf_aligned: bool,
    /// A DKIM signature passed with an aligned domain.
    pub dkim_aligned: bool,
    /// How each identifier was compared.
    pub alignment: Vec<String>,
}

/// One ARC set.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ArcHop {
    /// `i=`.
    pub instance: u32,
    /// Sealer `d=`.
    pub domain: String,
    /// Sealer `s=`.
    pub selector: String,
    /// `cv=` as sealed.
    pub cv: String,
}

/// The ARC chain.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ArcCheck {
    /// `pass`, `fail`, `none`, …
    pub result: String,
    /// Why it did not pass.
    pub reason: Option<String>,
    /// The sets, oldest first.
    pub hops: Vec<ArcHop>,
}

/// Everything about one message (DESIGN.md §3).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageReport {
    /// The most severe finding.
    pub verdict: Severity,
    /// The envelope and where it came from.
    pub envelope: Envelope,
    /// The From addresses.
    pub from: Vec<String>,
    /// `Subject`, if any.
    pub subject: Option<String>,
    /// SPF.
    pub spf: SpfCheck,
    /// DKIM, one per signature.
    pub dkim: Vec<DkimCheck>,
    /// DMARC.
    pub dmarc: DmarcCheck,
    /// ARC.
    pub arc: ArcCheck,
    /// The receivers' own verdicts.
    pub receiver: Vec<ReceiverResult>,
    /// Header facts and the header table.
    pub headers: HeaderFacts,
    /// The relay path, newest first.
    pub hops: Vec<Hop>,
    /// Every finding, most severe first.
    pub findings: Vec<Finding>,
}

fn dkim_result(r: &DkimResult) -> (String, Option<String>) {
    match r {
        DkimResult::Pass => ("pass".into(), None),
        DkimResult::Neutral(e) => ("neutral".into(), Some(e.to_string())),
        DkimResult::Fail(e) => ("fail".into(), Some(e.to_string())),
        DkimResult::PermError(e) => ("permerror".into(), Some(e.to_string())),
        DkimResult::TempError(e) => ("temperror".into(), Some(e.to_string())),
        DkimResult::None => ("none".into(), None),
    }
}

fn aligned(a: &str, b: &str, mode: Alignment) -> bool {
    let (a, b) = (
        a.trim_end_matches('.').to_ascii_lowercase(),
        b.trim_end_matches('.').to_ascii_lowercase(),
    );
    match mode {
        Alignment::Strict => a == b,
        Alignment::Relaxed => organizational_domain(&a) == organizational_domain(&b),
    }
}

fn domain_of(addr: &str) -> Option<String> {
    addr.rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
}

/// Inspects `raw` (a whole message, or headers only). DNS through `resolver` within
/// `deadline`.
pub async fn verify(
    resolver: &Resolver,
    raw: &[u8],
    opts: &VerifyOptions,
    deadline: Duration,
) -> Result<MessageReport, MessageError> {
    if raw.len() > MESSAGE_LIMIT {
        return Err(MessageError::TooLarge(raw.len()));
    }
    let parsed = parse_headers(raw).ok_or(MessageError::NoHeaders)?;
    let split = headers::split_headers(raw);
    let table = &split.0;
    if table.len() > HEADER_COUNT_LIMIT {
        return Err(MessageError::TooManyHeaders(table.len()));
    }
    if table.is_empty()
        || !table
            .iter()
            .any(|h| h.0.chars().all(|c| c.is_ascii_graphic()) && !h.0.is_empty())
    {
        return Err(MessageError::NoHeaders);
    }
    let header_value = |name: &str| {
        table
            .iter()
            .find(|h| h.0.eq_ignore_ascii_case(name))
            .map(|h| h.1.clone())
    };
    let hops = trace::hops(parsed.headers(), raw);
    let return_path = header_value("return-path").map(|v| {
        v.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string()
    });
    let envelope = trace::envelope(
        &hops,
        return_path.as_deref(),
        opts.ip,
        opts.helo.as_deref(),
        opts.mail_from.as_deref(),
    );
    let from: Vec<String> = table
        .iter()
        .filter(|h| h.0.eq_ignore_ascii_case("from"))
        .map(|h| h.1.clone())
        .collect();
    let from_domain = if from.len() == 1 {
        // The address inside <…> if there is one, else the whole value.
        let v = &from[0];
        let addr = v
            .rfind('<')
            .and_then(|i| v[i + 1..].split('>').next())
            .unwrap_or(v);
        domain_of(addr)
    } else {
        None
    };

    // DKIM and ARC with mail-auth. Signatures with l= need the non-strict parse.
    let authenticator = resolver.message_authenticator();
    let (dkim_raw, arc_check) = match AuthenticatedMessage::parse_with_opts(raw, None, false) {
        Some(msg) => {
            let outputs = authenticator.verify_dkim(&msg).await;
            let dkim: Vec<DkimCheck> = outputs
                .iter()
                .map(|o| {
                    let (result, reason) = dkim_result(o.result());
                    let mut k = DkimCheck {
                        domain: String::new(),
                        selector: String::new(),
                        algorithm: String::new(),
                        result,
                        reason,
                        body_length: None,
                        expires: None,
                        signed_headers: Vec::new(),
                        key_bits: None,
                        aligned: false,
                    };
                    if let Some(s) = o.signature() {
                        k.domain = s.d.clone();
                        k.selector = s.s.clone();
                        k.algorithm = format!("{:?}", s.a).to_lowercase();
                        k.body_length = (s.l > 0).then_some(s.l);
                        k.expires = (s.x > 0).then_some(s.x);
                        k.signed_headers = s.h.iter().map(|h| h.to_ascii_lowercase()).collect();
                    }
                    k
                })
                .collect();
            let arc = authenticator.verify_arc(&msg).await;
            let (result, reason) = dkim_result(arc.result());
            let hops: Vec<ArcHop> = msg
                .as_headers
                .iter()
                .map(|h| ArcHop {
                    instance: h.header.i,
                    domain: h.header.d.clone(),
                    selector: h.header.s.clone(),
                    cv: format!("{:?}", h.header.cv).to_lowercase(),
                })
                .collect();
            (
                dkim,
                ArcCheck {
                    result,
                    reason,
                    hops,
                },
            )
        }
        None => (
            Vec::new(),
            ArcCheck {
                result: "none".into(),
                reason: Some("the message could not be parsed for DKIM/ARC".into()),
                hops: Vec::new(),
            },
        ),
    };

    let mut arc_check = arc_check;
    if let Some(why) = arc_strict::violation(table) {
        arc_check.result = "fail".into();
        arc_check.reason = Some(why);
    }

    // SPF with our own evaluator.
    let job = DnsJob::new(resolver.clone(), deadline);
    // RFC 8301 §3.2: seals made with RSA keys under 1024 bits are not valid (ed25519 keys
    // are 256 bits by design).
    if arc_check.result == "pass" {
        for hop in &arc_check.hops {
            let name = format!("{}._domainkey.{}", hop.selector, hop.domain);
            if let Some((crate::auth::dkim::KeyType::Rsa, bits)) = published_key(&job, &name).await
                && bits < 1024
            {
                arc_check.result = "fail".into();
                arc_check.reason = Some(format!(
                    "the seal of i={} uses a {bits}-bit key ({name}); RFC 8301 §3.2 requires at least 1024",
                    hop.instance
                ));
            }
        }
    }
    let spf_domain = match (&envelope.mail_from, &envelope.helo) {
        (Some(m), _) if !m.is_empty() => domain_of(m),
        (_, Some(h)) => Some(h.to_ascii_lowercase()),
        _ => None,
    };
    let spf_check = match (&envelope.ip, &spf_domain) {
        (Some(ip), Some(d)) => match ip.parse::<IpAddr>() {
            Ok(ip) => {
                let sender = match &envelope.mail_from {
                    Some(m) if !m.is_empty() => m.clone(),
                    _ => format!("postmaster@{d}"),
                };
                let helo = envelope.helo.clone().unwrap_or_else(|| d.clone());
                let r = spf::check_host(&job, &SpfInput { ip, domain: d, sender: &sender, helo: &helo }).await;
                SpfCheck { domain: Some(d.clone()), result: r.result, matched: r.matched, error: r.error }
            }
            Err(_) => SpfCheck { domain: Some(d.clone()), result: SpfResult::None, matched: None, error: Some(format!("'{ip}' is not an IP address")) },
        },
        _ => SpfCheck {
            domain: spf_domain.clone(),
            result: SpfResult::None,
            matched: None,
            error: Some("not checked: the connecting IP or the MAIL FROM/HELO domain is unknown (give --ip / --mail-from)".into()),
        },
    };

    // DMARC: discovery, then alignment of the passing identifiers (RFC 7489 §3.1, §6.6.2).
    let mut dmarc_check = DmarcCheck {
        from_domain: from_domain.clone(),
        policy_domain: None,
        record: None,
        result: "none".into(),
        policy: None,
        disposition: "none".into(),
        spf_aligned: false,
        dkim_aligned: false,
        alignment: Vec::new(),
    };
    let mut dkim: Vec<DkimCheck> = dkim_raw;
    let mut discovery_error = None;
    let record = match &from_domain {
        Some(fd) => {
            let d = dmarc::discover(&job, fd).await;
            discovery_error = d.failed().map(str::to_string);
            dmarc_check.policy_domain = d.policy_domain.clone();
            dmarc_check.record = d.record.clone();
            d.record
                .as_deref()
                .and_then(|r| dmarc::parse(r).ok())
                .map(|r| (r, d.inherited))
        }
        None => None,
    };
    let (adkim, aspf) = record
        .as_ref()
        .map_or((Alignment::Relaxed, Alignment::Relaxed), |(r, _)| {
            (r.adkim, r.aspf)
        });
    for k in &mut dkim {
        if !k.domain.is_empty() && !k.selector.is_empty() {
            let name = format!("{}._domainkey.{}", k.selector, k.domain);
            k.key_bits = published_key(&job, &name).await.map(|(_, bits)| bits);
        }
        k.aligned = from_domain
            .as_deref()
            .is_some_and(|fd| !k.domain.is_empty() && aligned(&k.domain, fd, adkim));
    }
    if let Some(fd) = &from_domain {
        for k in &dkim {
            dmarc_check.alignment.push(
                format!(
                    "DKIM d={} ({}): {} with From {fd} ({:?})",
                    k.domain,
                    k.result,
                    if k.aligned { "aligned" } else { "not aligned" },
                    adkim
                )
                .replace("Relaxed", "relaxed")
                .replace("Strict", "strict"),
            );
        }
        dmarc_check.dkim_aligned = dkim.iter().any(|k| k.result == "pass" && k.aligned);
        if let Some(sd) = &spf_check.domain {
            let a = aligned(sd, fd, aspf);
            dmarc_check.spf_aligned = spf_check.result == SpfResult::Pass && a;
            dmarc_check.alignment.push(
                format!(
                    "SPF {sd} ({}): {} with From {fd} ({:?})",
                    format!("{:?}", spf_check.result).to_lowercase(),
                    if a { "aligned" } else { "not aligned" },
                    aspf
                )
                .replace("Relaxed", "relaxed")
                .replace("Strict", "strict"),
            );
        }
    }
    if let Some(e) = discovery_error {
        dmarc_check.result = "temperror".into();
        dmarc_check.alignment.push(e);
    } else if let Some((r, inherited)) = &record {
        let policy = if *inherited { r.sp.or(r.p) } else { r.p };
        dmarc_check.policy = policy;
        if dmarc_check.spf_aligned || dmarc_check.dkim_aligned {
            dmarc_check.result = "pass".into();
        } else {
            dmarc_check.result = "fail".into();
            dmarc_check.disposition = match policy {
                Some(Policy::Reject) => "reject",
                Some(Policy::Quarantine) => "quarantine",
                _ => "none",
            }
            .into();
        }
    } else if dmarc_check.record.is_some() {
        dmarc_check.result = "permerror".into();
    }

    // Receivers' verdicts.
    let mut receiver = Vec::new();
    for h in table {
        let name = h.0.to_ascii_lowercase();
        if name == "authentication-results" {
            receiver.extend(auth_results::parse_authentication_results(
                "Authentication-Results",
                &h.1,
            ));
        } else if name == "arc-authentication-results" {
            receiver.extend(auth_results::parse_arc_authentication_results(&h.1));
        } else if name == "received-spf"
            && let Some(r) = auth_results::parse_received_spf(&h.1)
        {
            receiver.push(r);
        }
    }

    let signed: Vec<String> = dkim
        .iter()
        .filter(|k| k.result == "pass")
        .flat_map(|k| k.signed_headers.iter().cloned())
        .collect();
    let (facts, mut findings) = headers::check(raw, &split, &signed);
    findings.extend(auth_findings(
        &envelope,
        &spf_check,
        &dkim,
        &dmarc_check,
        &arc_check,
    ));
    findings.extend(disagreements(&receiver, &spf_check, &dkim, &dmarc_check));
    for hop in &hops {
        if let Some(d) = hop.delay_secs
            && d > SLOW_HOP_SECS
        {
            findings.push(
                Finding::new("message-slow-hop", Severity::Warning, format!("Hop {} held the message for {} minutes", hop.index, d / 60))
                    .detail("A long delay between two Received headers usually means a queue: greylisting, throttling or a deferral by the next server.")
                    .evidence(vec![hop.raw.clone()])
                    .fix("Check the logs of the server that added this header for deferrals around that time.")
                    .refs(&["RFC 5321 §4.4"]),
            );
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Ok(MessageReport {
        verdict: findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Pass),
        envelope,
        from,
        subject: header_value("subject"),
        spf: spf_check,
        dkim,
        dmarc: dmarc_check,
        arc: arc_check,
        receiver,
        headers: facts,
        hops,
        findings,
    })
}

/// The type and size of the first readable DKIM key published at `name`.
async fn published_key(job: &DnsJob, name: &str) -> Option<(crate::auth::dkim::KeyType, u32)> {
    let answer = job.txt(name).await.ok()?;
    answer.txt().iter().find_map(|t| {
        let key = crate::auth::dkim::parse(t).ok()?;
        let bits = crate::auth::dkim::key_bits(&key).ok()?;
        Some((key.key_type, bits))
    })
}

fn auth_findings(
    env: &Envelope,
    spf: &SpfCheck,
    dkim: &[DkimCheck],
    dmarc: &DmarcCheck,
    arc: &ArcCheck,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let spf_ev = vec![
        format!(
            "envelope: ip {}, helo {}, mail from {}",
            env.ip.as_deref().unwrap_or("?"),
            env.helo.as_deref().unwrap_or("?"),
            env.mail_from.as_deref().unwrap_or("?")
        ),
        format!(
            "SPF {}: {}",
            spf.domain.as_deref().unwrap_or("?"),
            format!("{:?}", spf.result).to_lowercase()
        ),
        format!(
            "decided by: {}",
            spf.matched
                .as_deref()
                .or(spf.error.as_deref())
                .unwrap_or("no term")
        ),
    ];
    match spf.result {
        SpfResult::Pass => out.push(Finding::new("message-spf-pass", Severity::Pass, "SPF passed").evidence(spf_ev).refs(&["RFC 7208 §2.6.3"])),
        SpfResult::Fail | SpfResult::Softfail => out.push(
            Finding::new("message-spf-fail", Severity::Error, format!("SPF {} for {}", format!("{:?}", spf.result).to_lowercase(), spf.domain.as_deref().unwrap_or("?")))
                .detail("The connecting server is not authorized by the sender domain's SPF record; unless DKIM passes aligned, DMARC fails.")
                .evidence(spf_ev)
                .fix("Authorize the sending server in the SPF record of the MAIL FROM domain (or send through an authorized one).")
                .refs(&["RFC 7208 §2.6.4"]),
        ),
        SpfResult::Temperror | SpfResult::Permerror => out.push(
            Finding::new("message-spf-error", Severity::Error, format!("SPF {}", format!("{:?}", spf.result).to_lowercase()))
                .detail(spf.error.clone().unwrap_or_default())
                .evidence(spf_ev)
                .fix("Audit the MAIL FROM domain (inboxlens audit) and fix its SPF record.")
                .refs(&["RFC 7208 §2.6.6", "RFC 7208 §2.6.7"]),
        ),
        SpfResult::None | SpfResult::Neutral if spf.error.as_deref().is_some_and(|e| e.starts_with("not checked")) => out.push(
            Finding::new("message-envelope-unknown", Severity::Info, "SPF was not checked: the envelope is unknown")
                .detail(spf.error.clone().unwrap_or_default())
                .evidence(env.sources.clone())
                .fix("Give --ip and --mail-from, or paste the message with its Received and Return-Path headers.")
                .refs(&["RFC 7208 §4.1"]),
        ),
        SpfResult::None | SpfResult::Neutral => out.push(
            Finding::new("message-spf-none", Severity::Warning, format!("SPF {} for {}", format!("{:?}", spf.result).to_lowercase(), spf.domain.as_deref().unwrap_or("?")))
                .detail("The sender domain makes no SPF assertion for this server.")
                .evidence(spf_ev)
                .fix("Publish an SPF record for the MAIL FROM domain that lists this server.")
                .refs(&["RFC 7208 §2.6.1", "RFC 7208 §2.6.2"]),
        ),
    }
    if dkim.is_empty() {
        out.push(Finding::new("message-dkim-none", Severity::Error, "The message has no DKIM signature")
            .detail("Gmail and Yahoo require DKIM from bulk senders, and without it DMARC rests on SPF alone, which forwarding breaks.")
            .evidence(vec!["no DKIM-Signature header".into()])
            .fix("Turn on DKIM signing for the From domain at the sending service.")
            .refs(&["RFC 6376", "Gmail email sender guidelines (2024)"]));
    }
    for k in dkim {
        let ev = vec![
            format!(
                "d={} s={} a={} result={}",
                k.domain, k.selector, k.algorithm, k.result
            ),
            format!("h={}", k.signed_headers.join(":")),
            k.reason
                .clone()
                .map(|r| format!("reason: {r}"))
                .unwrap_or_default(),
        ]
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>();
        let reason = k.reason.clone().unwrap_or_default();
        if k.result == "pass" {
            out.push(
                Finding::new(
                    "message-dkim-pass",
                    Severity::Pass,
                    format!("DKIM passed for d={}", k.domain),
                )
                .evidence(ev.clone())
                .refs(&["RFC 6376 §6"]),
            );
            if let Some(l) = k.body_length {
                out.push(Finding::new("message-dkim-body-length", Severity::Warning, format!("The DKIM signature of {} covers only the first {l} bytes of the body (l=)", k.domain))
                    .detail("Anyone can append content after the signed part and the signature still passes (RFC 6376 §8.2); some receivers distrust l= signatures.")
                    .evidence(ev.clone())
                    .fix("Sign the whole body: remove l= from the signer's settings.")
                    .refs(&["RFC 6376 §3.5", "RFC 6376 §8.2"]));
            }
            continue;
        }
        let (id, title, fix) = if reason.contains("body hash") {
            (
                "message-dkim-body-hash",
                format!("The body was changed after {} signed it", k.domain),
                "Find what rewrites the body after signing (footers, link tracking, a mailing list) and sign after it.",
            )
        } else if reason.contains("expired") {
            (
                "message-dkim-expired",
                format!("The DKIM signature of {} has expired (x=)", k.domain),
                "Use a longer x= expiry, or none.",
            )
        } else if k.result == "temperror" || reason.contains("DNS") || reason.contains("record") {
            (
                "message-dkim-no-key",
                format!(
                    "The DKIM key of {} (s={}) could not be used",
                    k.domain, k.selector
                ),
                "Publish the selector's public key (inboxlens audit --selector) and keep old selectors until their mail is delivered.",
            )
        } else {
            (
                "message-dkim-fail",
                format!("DKIM failed for d={}", k.domain),
                "Check the signer's key matches the published selector and that nothing changes signed headers after signing.",
            )
        };
        out.push(
            Finding::new(id, Severity::Error, title)
                .detail(format!(
                    "{} ({}). A failing signature counts as no signature for DMARC.",
                    if reason.is_empty() {
                        k.result.clone()
                    } else {
                        reason.clone()
                    },
                    k.result
                ))
                .evidence(ev)
                .fix(fix)
                .refs(&["RFC 6376 §6.1", "RFC 6376 §3.5"]),
        );
    }
    let dm_ev: Vec<String> = dmarc
        .record
        .iter()
        .map(|r| {
            format!(
                "_dmarc.{} \"{r}\"",
                dmarc.policy_domain.as_deref().unwrap_or("?")
            )
        })
        .chain(dmarc.alignment.iter().cloned())
        .collect();
    match dmarc.result.as_str() {
        "pass" => out.push(Finding::new("message-dmarc-pass", Severity::Pass, format!("DMARC passed for {}", dmarc.from_domain.as_deref().unwrap_or("?"))).evidence(dm_ev).refs(&["RFC 7489 §3.1"])),
        "fail" => out.push(Finding::new("message-dmarc-fail", if dmarc.disposition == "none" { Severity::Error } else { Severity::Critical }, format!("DMARC failed for {}: policy asks receivers to {}", dmarc.from_domain.as_deref().unwrap_or("?"), if dmarc.disposition == "none" { "deliver anyway (p=none)".to_string() } else { dmarc.disposition.clone() }))
            .detail("Neither SPF nor DKIM passed with a domain aligned to the From address (RFC 7489 §3.1); the receiver applies the policy.")
            .evidence(dm_ev)
            .fix("Sign with DKIM using the From domain (or a subdomain under relaxed alignment), or send with a MAIL FROM under the From domain that SPF authorizes.")
            .refs(&["RFC 7489 §3.1", "RFC 7489 §6.6.2"])),
        "none" if dmarc.from_domain.is_some() => out.push(Finding::new("message-dmarc-none", Severity::Warning, format!("{} has no DMARC policy", dmarc.from_domain.as_deref().unwrap_or("?")))
            .detail("Gmail and Yahoo require bulk senders to publish DMARC (at least p=none) for the From domain.")
            .evidence(dm_ev)
            .fix("Publish a DMARC record (inboxlens audit shows the exact record).")
            .refs(&["RFC 7489 §6.1", "Gmail email sender guidelines (2024)"])),
        "temperror" | "permerror" => out.push(Finding::new("message-dmarc-error", Severity::Error, format!("DMARC {} for {}", dmarc.result, dmarc.from_domain.as_deref().unwrap_or("?")))
            .detail("The DMARC record could not be fetched or parsed.")
            .evidence(dm_ev)
            .fix("Audit the From domain and fix its DMARC record or nameservers.")
            .refs(&["RFC 7489 §6.6.3"])),
        _ => {}
    }
    match arc.result.as_str() {
        "none" => {}
        "pass" => out.push(Finding::new("message-arc-pass", Severity::Pass, format!("ARC chain of {} set(s) validates", arc.hops.len()))
            .evidence(arc.hops.iter().map(|h| format!("i={} d={} s={} cv={}", h.instance, h.domain, h.selector, h.cv)).collect())
            .refs(&["RFC 8617 §5.2"])),
        other => out.push(Finding::new("message-arc-fail", Severity::Warning, format!("ARC chain: {other}"))
            .detail(format!("{}. Receivers ignore the forwarders' authentication results, so a message that failed DMARC after forwarding is not rescued.", arc.reason.clone().unwrap_or_default()))
            .evidence(arc.hops.iter().map(|h| format!("i={} d={} s={} cv={}", h.instance, h.domain, h.selector, h.cv)).collect::<Vec<_>>().into_iter().chain(std::iter::once(format!("result: {other}"))).collect())
            .fix("The intermediary whose seal breaks the chain must fix its ARC signing (or stop modifying the message).")
            .refs(&["RFC 8617 §5.2"])),
    }
    out
}

/// Our verdicts against the receiver's, method by method.
fn disagreements(
    receiver: &[ReceiverResult],
    spf: &SpfCheck,
    dkim: &[DkimCheck],
    dmarc: &DmarcCheck,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let ours_spf = format!("{:?}", spf.result).to_lowercase();
    for r in receiver
        .iter()
        .filter(|r| r.header != "ARC-Authentication-Results")
    {
        let ours = match r.method.as_str() {
            "spf"
                if spf
                    .error
                    .as_deref()
                    .is_none_or(|e| !e.starts_with("not checked")) =>
            {
                Some(ours_spf.clone())
            }
            "dmarc" if dmarc.from_domain.is_some() => Some(dmarc.result.clone()),
            "dkim" => {
                let d = r
                    .properties
                    .iter()
                    .find(|(k, _)| k == "header.d" || k == "header.i")
                    .map(|(_, v)| v.trim_start_matches('@').to_ascii_lowercase());
                d.and_then(|d| {
                    dkim.iter().find(|k| {
                        k.domain.eq_ignore_ascii_case(&d) || d.ends_with(&format!(".{}", k.domain))
                    })
                })
                .map(|k| k.result.clone())
            }
            _ => None,
        };
        let Some(ours) = ours else { continue };
        let norm = |s: &str| {
            if s == "softfail" {
                "fail".to_string()
            } else {
                s.to_string()
            }
        };
        if norm(&ours) != norm(&r.result) {
            out.push(Finding::new("message-receiver-disagrees", Severity::Warning, format!("{} said {}={}, Inboxlens finds {}", if r.authserv_id.is_empty() { r.header.clone() } else { r.authserv_id.clone() }, r.method, r.result, ours))
                .detail("The receiver checked at delivery time; a difference usually means DNS changed since (a key rotated, SPF edited), the message was modified after it arrived, or the receiver evaluated a different envelope.")
                .evidence(vec![format!("{}: {} {}={} {}", r.header, r.authserv_id, r.method, r.result, r.properties.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")), format!("Inboxlens: {}={ours}", r.method)])
                .fix("Compare the DNS records then and now (the audit history) and the envelope the receiver recorded.")
                .refs(&["RFC 8601 §2.7"]));
        }
    }
    out
}
