//! The DKIM part of a domain audit: keys at the selectors the user named, plus discovery
//! over [`COMMON_SELECTORS`]; key type and size, testing mode, revocation, syntax, and keys
//! delegated by CNAME (shown with their target).

use futures_util::StreamExt;
use serde::Serialize;

use crate::auth::dkim::{self, COMMON_SELECTORS, KeyType};
use crate::dns::{AnswerStatus, DnsJob, RecordKind};
use crate::finding::{Finding, Severity};

/// RSA keys shorter than this are ignored by major receivers (RFC 8301 §3.2: < 1024 MUST NOT
/// be considered valid).
pub const RSA_MIN_BITS: u32 = 1024;
/// RSA keys shorter than this should be replaced (RFC 8301 §3.2 recommends 2048; Gmail and
/// Yahoo guidance asks for 2048).
pub const RSA_RECOMMENDED_BITS: u32 = 2048;
/// Concurrent selector queries per domain.
const DISCOVERY_CONCURRENCY: usize = 16;

/// What a selector holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum KeyStatus {
    /// A usable key.
    Found,
    /// No key record at the selector.
    Missing,
    /// `p=` empty.
    Revoked,
    /// A record that cannot be used (syntax, key, type).
    Invalid,
    /// The lookup failed.
    DnsError,
}

/// One selector's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DkimKey {
    /// The selector.
    pub selector: String,
    /// `<selector>._domainkey.<domain>`.
    pub name: String,
    /// Whether it was found by discovery rather than named by the user.
    pub discovered: bool,
    /// What it holds.
    pub status: KeyStatus,
    /// The TXT record(s).
    pub records: Vec<String>,
    /// CNAMEs followed to reach the key (delegated keys), as `owner → target`.
    pub cname: Vec<String>,
    /// `rsa`, `ed25519` or another type.
    pub key_type: Option<String>,
    /// Key size in bits.
    pub bits: Option<u32>,
    /// `t=y`.
    pub testing: bool,
    /// Why it is invalid or the lookup failed.
    pub error: Option<String>,
}

/// Audits DKIM keys of `domain` at `selectors` (user-given) and, when `discover` is set, at
/// the common selectors.
pub async fn audit(
    job: &DnsJob,
    domain: &str,
    selectors: &[String],
    discover: bool,
) -> (Vec<DkimKey>, Vec<Finding>) {
    let mut names: Vec<(String, bool)> = selectors
        .iter()
        .map(|s| (s.trim().to_ascii_lowercase(), false))
        .filter(|(s, _)| !s.is_empty())
        .collect();
    let mut skipped_discovery = None;
    let mut discovery_error = None;
    if discover {
        // RFC 8020: NXDOMAIN at _domainkey.<domain> means nothing exists below it, so no
        // selector can hold a key. Saves ~40 queries per domain without DKIM.
        let base = format!("_domainkey.{domain}");
        match job.txt(&base).await {
            Ok(a) if a.status == AnswerStatus::NxDomain => {
                skipped_discovery = Some(format!(
                    "{base}: {} (RFC 8020: no selectors below it)",
                    a.status.describe()
                ));
            }
            Err(e) => discovery_error = Some(format!("{base} TXT: {e}")),
            Ok(_) => {
                for s in COMMON_SELECTORS {
                    if !names.iter().any(|(n, _)| n == s) {
                        names.push(((*s).to_string(), true));
                    }
                }
            }
        }
    }
    let keys: Vec<DkimKey> = futures_util::stream::iter(
        names
            .into_iter()
            .map(|(s, discovered)| async move { lookup(job, domain, &s, discovered).await }),
    )
    .buffered(DISCOVERY_CONCURRENCY)
    .collect()
    .await;
    let keys: Vec<DkimKey> = keys
        .into_iter()
        .filter(|k| !(k.discovered && k.status == KeyStatus::Missing))
        .collect();
    let discovery_error = discovery_error.or_else(|| {
        keys.iter()
            .find(|k| k.discovered && k.status == KeyStatus::DnsError)
            .map(|k| format!("{}: {}", k.name, k.error.clone().unwrap_or_default()))
    });
    let keys: Vec<DkimKey> = keys
        .into_iter()
        .filter(|k| !(k.discovered && k.status == KeyStatus::DnsError))
        .collect();
    let mut findings = findings(
        domain,
        &keys,
        selectors.is_empty() && discovery_error.is_none(),
        skipped_discovery,
        discover,
    );
    if let Some(e) = discovery_error {
        findings.push(
            Finding::new(
                "dkim-dns-error",
                Severity::Warning,
                format!("DKIM key discovery for {domain} failed"),
            )
            .detail(format!("{e}. Verifiers that see such failures return temperror and the signature does not count."))
            .evidence(vec![e])
            .fix("Make the nameservers answer TXT queries for _domainkey names reliably.")
            .refs(&["RFC 6376 §6.1.2"]),
        );
    }
    (keys, findings)
}

async fn lookup(job: &DnsJob, domain: &str, selector: &str, discovered: bool) -> DkimKey {
    let name = format!("{selector}._domainkey.{domain}");
    let mut key = DkimKey {
        selector: selector.to_string(),
        name: name.clone(),
        discovered,
        status: KeyStatus::Missing,
        records: Vec::new(),
        cname: Vec::new(),
        key_type: None,
        bits: None,
        testing: false,
        error: None,
    };
    let answer = match job.lookup(&name, RecordKind::Txt).await {
        Ok(a) => a,
        Err(e) => {
            key.status = KeyStatus::DnsError;
            key.error = Some(e.to_string());
            return key;
        }
    };
    key.cname = answer
        .cname_chain()
        .into_iter()
        .map(|(a, b)| format!("{} CNAME {b}", a))
        .collect();
    let texts: Vec<String> = answer
        .txt()
        .into_iter()
        .filter(|t| dkim::looks_like_key(t))
        .collect();
    key.records = texts.clone();
    let Some(text) = texts.first() else {
        return key;
    };
    if texts.len() > 1 {
        key.status = KeyStatus::Invalid;
        key.error = Some(format!("{} key records at one selector", texts.len()));
        return key;
    }
    let rec = match dkim::parse(text) {
        Ok(r) => r,
        Err(e) => {
            key.status = KeyStatus::Invalid;
            key.error = Some(format!("syntax error {e}"));
            return key;
        }
    };
    key.testing = rec.testing();
    key.key_type = Some(match &rec.key_type {
        KeyType::Rsa => "rsa".into(),
        KeyType::Ed25519 => "ed25519".into(),
        KeyType::Unknown(t) => t.clone(),
    });
    if rec.revoked() {
        key.status = KeyStatus::Revoked;
        return key;
    }
    if let KeyType::Unknown(t) = &rec.key_type {
        key.status = KeyStatus::Invalid;
        key.error = Some(format!("unknown key type k={t}"));
        return key;
    }
    if !rec.services.is_empty()
        && !rec
            .services
            .iter()
            .any(|s| s == "*" || s.eq_ignore_ascii_case("email"))
    {
        key.status = KeyStatus::Invalid;
        key.error = Some(format!("s={} excludes email", rec.services.join(":")));
        return key;
    }
    if !rec.hashes.is_empty() && !rec.hashes.iter().any(|h| h.eq_ignore_ascii_case("sha256")) {
        key.status = KeyStatus::Invalid;
        key.error = Some(format!(
            "h={} allows only SHA-1, which verifiers no longer accept (RFC 8301 §3.1)",
            rec.hashes.join(":")
        ));
        return key;
    }
    match dkim::key_bits(&rec) {
        Ok(bits) => {
            key.bits = Some(bits);
            key.status = KeyStatus::Found;
        }
        Err(e) => {
            key.status = KeyStatus::Invalid;
            key.error = Some(e);
        }
    }
    key
}

fn evidence(k: &DkimKey) -> Vec<String> {
    let mut v = k.cname.clone();
    if k.records.is_empty() {
        v.push(format!("{} TXT: no DKIM key record", k.name));
    }
    for r in &k.records {
        v.push(format!("{} TXT \"{r}\"", k.name));
    }
    v
}

fn findings(
    domain: &str,
    keys: &[DkimKey],
    none_given: bool,
    skipped: Option<String>,
    discover: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for k in keys {
        let ev = evidence(k);
        let sel = &k.selector;
        match k.status {
            KeyStatus::Missing => out.push(
                Finding::new("dkim-selector-missing", Severity::Error, format!("No DKIM key at selector \"{sel}\" of {domain}"))
                    .detail(format!("Mail signed with s={sel} d={domain} fails DKIM: the verifier finds no key at {} (RFC 6376 §6.1.2).", k.name))
                    .evidence(ev)
                    .fix(format!("Publish the sender's public key at {} (TXT \"v=DKIM1; k=rsa; p=…\", or the CNAME the provider gives), or correct the selector.", k.name))
                    .refs(&["RFC 6376 §3.6.2.1", "RFC 6376 §6.1.2"]),
            ),
            KeyStatus::DnsError => out.push(
                Finding::new("dkim-dns-error", Severity::Warning, format!("The DKIM key lookup for selector \"{sel}\" of {domain} failed"))
                    .detail(format!("{}. Verifiers that see this return temperror and the signature does not count.", k.error.clone().unwrap_or_default()))
                    .evidence(vec![format!("{}: {}", k.name, k.error.clone().unwrap_or_default())])
                    .fix("Make the nameservers answer TXT queries for _domainkey names reliably.")
                    .refs(&["RFC 6376 §6.1.2"]),
            ),
            KeyStatus::Revoked => out.push(
                Finding::new(
                    "dkim-key-revoked",
                    if k.discovered { Severity::Info } else { Severity::Error },
                    format!("The DKIM key at selector \"{sel}\" of {domain} is revoked"),
                )
                .detail("p= is empty: signatures with this selector fail (RFC 6376 §3.6.1). Fine for a retired selector; wrong if anything still signs with it.")
                .evidence(ev)
                .fix(format!("If mail is still signed with s={sel}, publish its current public key; otherwise nothing to do."))
                .refs(&["RFC 6376 §3.6.1"]),
            ),
            KeyStatus::Invalid => {
                let err = k.error.clone().unwrap_or_default();
                let (id, fix) = if err.starts_with("syntax error") {
                    ("dkim-syntax-error", "Republish the record as \"v=DKIM1; k=rsa; p=<base64 key>\" exactly as the signer provides it.".to_string())
                } else if err.starts_with("unknown key type") {
                    ("dkim-unknown-key-type", "Use k=rsa (2048-bit) or k=ed25519 alongside an RSA key.".to_string())
                } else if err.contains("SHA-1") {
                    ("dkim-sha1-only", "Remove h= or set h=sha256, and sign with rsa-sha256.".to_string())
                } else if err.contains("excludes email") {
                    ("dkim-service-not-email", "Remove s= or set s=email.".to_string())
                } else if err.contains("key records at one selector") {
                    ("dkim-multiple-records", format!("Keep exactly one key record at {}.", k.name))
                } else {
                    ("dkim-key-invalid", "Republish the public key exactly as the signer provides it (base64 of the DER SubjectPublicKeyInfo).".to_string())
                };
                out.push(
                    Finding::new(id, Severity::Error, format!("The DKIM key at selector \"{sel}\" of {domain} is unusable"))
                        .detail(format!("{err}. Verifiers treat signatures with this selector as failing (permerror)."))
                        .evidence(ev)
                        .fix(fix)
                        .refs(&["RFC 6376 §3.6.1", "RFC 8301", "RFC 8463"]),
                )
            }
            KeyStatus::Found => {
                if let (Some("rsa"), Some(bits)) = (k.key_type.as_deref(), k.bits) {
                    if bits < RSA_MIN_BITS {
                        out.push(
                            Finding::new("dkim-key-too-short", Severity::Error, format!("The DKIM key at selector \"{sel}\" of {domain} is only {bits} bits"))
                                .detail(format!("RSA keys under {RSA_MIN_BITS} bits are not valid (RFC 8301 §3.2): Gmail, Yahoo and Microsoft treat the signature as failing."))
                                .evidence(ev.clone())
                                .fix(format!("Generate a {RSA_RECOMMENDED_BITS}-bit RSA key, publish it under a new selector, switch signing to it, then revoke \"{sel}\"."))
                                .refs(&["RFC 8301 §3.2"]),
                        );
                    } else if bits < RSA_RECOMMENDED_BITS {
                        out.push(
                            Finding::new("dkim-key-weak", Severity::Warning, format!("The DKIM key at selector \"{sel}\" of {domain} is {bits} bits"))
                                .detail(format!("{bits}-bit RSA still verifies, but {RSA_RECOMMENDED_BITS} bits is the recommended size (RFC 8301 §3.2) and what Gmail and Yahoo ask of bulk senders."))
                                .evidence(ev.clone())
                                .fix(format!("Rotate to a {RSA_RECOMMENDED_BITS}-bit key under a new selector."))
                                .refs(&["RFC 8301 §3.2", "Gmail email sender guidelines (2024)"]),
                        );
                    }
                }
                if k.testing {
                    out.push(
                        Finding::new("dkim-testing-mode", Severity::Warning, format!("The DKIM key at selector \"{sel}\" of {domain} is in testing mode (t=y)"))
                            .detail("Verifiers MUST NOT treat messages from a domain in testing mode differently from unsigned mail (RFC 6376 §3.6.1): the signature may be ignored.")
                            .evidence(ev.clone())
                            .fix("Remove t=y from the key record once signing works.")
                            .refs(&["RFC 6376 §3.6.1"]),
                    );
                }
                if !k.cname.is_empty() {
                    out.push(
                        Finding::new("dkim-key-delegated", Severity::Info, format!("The DKIM key at selector \"{sel}\" of {domain} is delegated by CNAME"))
                            .detail("The key is published by whoever controls the CNAME target (usually the sending service, which rotates it).")
                            .evidence(ev.clone())
                            .refs(&["RFC 6376 §3.6.2.1"]),
                    );
                }
            }
        }
    }
    let usable = keys.iter().any(|k| k.status == KeyStatus::Found);
    if !usable && none_given && discover {
        let mut ev = vec![format!(
            "tried {} common selectors: {}",
            COMMON_SELECTORS.len(),
            COMMON_SELECTORS.join(", ")
        )];
        ev.extend(skipped);
        out.push(
            Finding::new("dkim-no-keys", Severity::Warning, format!("No DKIM key found for {domain}"))
                .detail("No usable key at any common selector. Gmail and Yahoo require DKIM from bulk senders, and DMARC needs SPF or DKIM aligned. If the domain signs with a selector not in the list, audit again with --selector (the s= tag of a DKIM-Signature header).")
                .evidence(ev)
                .fix(format!("Enable DKIM signing at the sending service and publish its key at <selector>._domainkey.{domain}."))
                .refs(&["RFC 6376 §3.6.2.1", "Gmail email sender guidelines (2024)"]),
        );
    } else if usable && !out.iter().any(|f| f.severity >= Severity::Warning) {
        let found: Vec<String> = keys
            .iter()
            .filter(|k| k.status == KeyStatus::Found)
            .map(|k| {
                format!(
                    "{} ({} {} bits)",
                    k.name,
                    k.key_type.clone().unwrap_or_default(),
                    k.bits.unwrap_or(0)
                )
            })
            .collect();
        out.push(
            Finding::new(
                "dkim-ok",
                Severity::Pass,
                format!("{domain} publishes usable DKIM keys"),
            )
            .detail(format!("{} key(s) found.", found.len()))
            .evidence(found)
            .refs(&["RFC 6376 §3.6.1"]),
        );
    }
    out
}
