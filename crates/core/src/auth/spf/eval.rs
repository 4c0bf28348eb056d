//! `check_host()` (RFC 7208 §4) with a full trace: every record and term visited, the DNS
//! lookups each branch cost against the limit of 10, and void lookups (§4.6.4).

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use serde::Serialize;

use super::macros::{MacroContext, expand, truncate_domain};
use super::record::{Mechanism, Qualifier, SpfRecord, TermKind, is_spf, parse, valid_explanation};
use crate::dns::{AnswerStatus, DnsError, DnsJob, RecordKind, reverse_name};

/// Mechanisms and modifiers that query the DNS, at most (RFC 7208 §4.6.4).
pub const LOOKUP_LIMIT: u32 = 10;
/// Lookups that return no answer, at most (RFC 7208 §4.6.4).
pub const VOID_LIMIT: u32 = 2;
/// MX names and PTR names examined per mechanism, at most (RFC 7208 §4.6.4).
pub const NAME_LIMIT: usize = 10;

/// The result of `check_host()` (RFC 7208 §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SpfResult {
    /// No SPF record (or no valid domain).
    None,
    /// The domain makes no assertion about the IP.
    Neutral,
    /// The IP is authorized.
    Pass,
    /// The IP is not authorized.
    Fail,
    /// Probably not authorized.
    Softfail,
    /// A transient DNS error.
    Temperror,
    /// The record(s) cannot be interpreted.
    Permerror,
}

impl SpfResult {
    fn from_qualifier(q: Qualifier) -> Self {
        match q {
            Qualifier::Pass => SpfResult::Pass,
            Qualifier::Fail => SpfResult::Fail,
            Qualifier::SoftFail => SpfResult::Softfail,
            Qualifier::Neutral => SpfResult::Neutral,
        }
    }
}

/// What `check_host()` is asked.
#[derive(Debug, Clone)]
pub struct SpfInput<'a> {
    /// The SMTP client's address.
    pub ip: IpAddr,
    /// The domain whose policy is evaluated (the MAIL FROM or HELO domain).
    pub domain: &'a str,
    /// The MAIL FROM address (`postmaster@<domain>` when there is none).
    pub sender: &'a str,
    /// The HELO/EHLO name.
    pub helo: &'a str,
}

/// One term as evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TermTrace {
    /// The term as written.
    pub term: String,
    /// DNS lookups this term cost against the limit (its subtree included).
    pub lookups: u32,
    /// Whether it matched (decided the result).
    pub matched: bool,
    /// What happened, in plain words (the addresses compared, why it did not match).
    pub note: String,
    /// The record it led to (include, redirect).
    pub child: Option<Box<SpfNode>>,
}

/// One `check_host()` call: a domain, its record and its terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpfNode {
    /// The domain evaluated.
    pub domain: String,
    /// The SPF record found, if one.
    pub record: Option<String>,
    /// The result of this call.
    pub result: SpfResult,
    /// DNS lookups spent in this subtree (the node's own TXT lookup is counted by the
    /// include or redirect that led here, as RFC 7208 counts it).
    pub lookups: u32,
    /// The terms in the order they were evaluated.
    pub terms: Vec<TermTrace>,
    /// Why the result is an error, if it is one.
    pub error: Option<String>,
}

/// The complete evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfEvaluation {
    /// The result.
    pub result: SpfResult,
    /// DNS-querying terms evaluated (limit 10).
    pub lookups: u32,
    /// Lookups that returned nothing (limit 2).
    pub void_lookups: u32,
    /// The term that decided, if a mechanism matched.
    pub matched: Option<String>,
    /// The `exp=` explanation on fail, expanded.
    pub explanation: Option<String>,
    /// Why the result is temperror or permerror.
    pub error: Option<String>,
    /// The trace.
    pub tree: SpfNode,
}

enum Abort {
    Temp(String),
    Perm(String),
}

struct Evaluator<'a> {
    job: &'a DnsJob,
    input: &'a SpfInput<'a>,
    /// Audit walk: no address is known, so only `all` (or an include that passes
    /// everything) matches; every lookup is still made and counted.
    walk: bool,
    /// The domains being evaluated, outermost first (include/redirect loop detection).
    stack: Vec<String>,
    lookups: u32,
    voids: u32,
    /// `%{p}` per domain, computed only when a macro asks for it.
    validated: std::collections::HashMap<String, String>,
}

type BoxFut<'b, T> = Pin<Box<dyn Future<Output = T> + Send + 'b>>;
/// The `exp=` that applies on fail: (domain-spec, domain of the record it came from).
type Exp = Option<(String, String)>;
/// A `check_host()` call's node, its exp and the deciding term.
type HostOutcome = (SpfNode, Exp, Option<String>);
/// A decided result, the deciding term and the exp that applies.
type Decision = (SpfResult, Option<String>, Exp);

/// Evaluates SPF for `input` (RFC 7208 §4) using `job` for DNS (its cache keeps every
/// answer consistent within the evaluation).
pub async fn check_host(job: &DnsJob, input: &SpfInput<'_>) -> SpfEvaluation {
    run(job, input, false).await
}

/// Walks the SPF policy of `domain` the way an audit needs it: every term a receiver would
/// evaluate for a sender that is not listed anywhere, with every DNS lookup made and
/// counted against the limits. The result is what such an unlisted sender gets (the
/// `all` qualifier, or neutral), so `+all` hidden in an include shows as `pass`.
pub async fn walk(job: &DnsJob, domain: &str) -> SpfEvaluation {
    let sender = format!("postmaster@{domain}");
    let input = SpfInput {
        ip: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        domain,
        sender: &sender,
        helo: domain,
    };
    run(job, &input, true).await
}

async fn run(job: &DnsJob, input: &SpfInput<'_>, walk: bool) -> SpfEvaluation {
    let mut ev = Evaluator {
        job,
        input,
        walk,
        stack: Vec::new(),
        lookups: 0,
        voids: 0,
        validated: std::collections::HashMap::new(),
    };
    let domain = input.domain.trim_end_matches('.').to_ascii_lowercase();
    let (tree, exp, matched) = ev.host(domain, 0).await;
    let mut explanation = None;
    if tree.result == SpfResult::Fail
        && let Some((exp_spec, exp_domain)) = exp
    {
        explanation = ev.explain(&exp_spec, &exp_domain).await;
    }
    SpfEvaluation {
        result: tree.result,
        lookups: ev.lookups,
        void_lookups: ev.voids,
        matched,
        explanation,
        error: tree.error.clone().or_else(|| deepest_error(&tree)),
        tree,
    }
}

fn deepest_error(node: &SpfNode) -> Option<String> {
    for t in &node.terms {
        if let Some(c) = &t.child
            && let Some(e) = c.error.clone().or_else(|| deepest_error(c))
        {
            return Some(e);
        }
    }
    None
}

fn temp(e: &DnsError) -> Abort {
    Abort::Temp(format!("DNS error: {e}"))
}

fn in_network(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (to_v4_if_mapped(ip), net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len.min(32)))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len.min(128)))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// RFC 7208 §5: an IPv4-mapped IPv6 client is treated as IPv4.
fn to_v4_if_mapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn valid_domain(d: &str) -> bool {
    let d = d.trim_end_matches('.');
    !d.is_empty()
        && d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| !l.is_empty() && l.len() <= 63)
}

impl<'a> Evaluator<'a> {
    /// Expands a macro-string for `domain`, resolving `%{p}` only when it is used.
    async fn expand(&mut self, spec: &str, domain: &str) -> String {
        let validated = if spec.contains("%{p") || spec.contains("%{P") {
            self.validated_name(domain).await
        } else {
            "unknown".to_string()
        };
        let cx = MacroContext {
            sender: self.input.sender,
            domain,
            ip: self.input.ip,
            helo: self.input.helo,
            receiver: "unknown",
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            validated: &validated,
        };
        truncate_domain(expand(spec, &cx))
    }

    /// `%{p}` (RFC 7208 §7.3): a PTR name of the client that resolves back to it, preferring
    /// `domain` or one of its subdomains; "unknown" when there is none. Errors are ignored.
    async fn validated_name(&mut self, domain: &str) -> String {
        if let Some(v) = self.validated.get(domain) {
            return v.clone();
        }
        let ip = to_v4_if_mapped(self.input.ip);
        let kind = if ip.is_ipv4() {
            RecordKind::A
        } else {
            RecordKind::Aaaa
        };
        let names = match self.job.lookup(&reverse_name(ip), RecordKind::Ptr).await {
            Ok(a) => a.targets(),
            Err(_) => Vec::new(),
        };
        let mut valid = Vec::new();
        for name in names.iter().take(NAME_LIMIT) {
            let n = name.trim_end_matches('.').to_ascii_lowercase();
            if let Ok(a) = self.job.lookup(&n, kind).await
                && a.ips().contains(&ip)
            {
                valid.push(n);
            }
        }
        let d = domain.to_ascii_lowercase();
        let chosen = valid
            .iter()
            .find(|n| **n == d || n.ends_with(&format!(".{d}")))
            .or(valid.first())
            .cloned()
            .unwrap_or_else(|| "unknown".to_string());
        self.validated.insert(domain.to_string(), chosen.clone());
        chosen
    }

    fn count_lookup(&mut self) -> Result<(), Abort> {
        self.lookups += 1;
        if self.lookups > LOOKUP_LIMIT {
            Err(Abort::Perm(format!(
                "more than {LOOKUP_LIMIT} DNS-querying mechanisms and modifiers (RFC 7208 §4.6.4)"
            )))
        } else {
            Ok(())
        }
    }

    fn count_void(&mut self, status: AnswerStatus) -> Result<(), Abort> {
        if status != AnswerStatus::Records {
            self.voids += 1;
            if self.voids > VOID_LIMIT {
                return Err(Abort::Perm(format!(
                    "more than {VOID_LIMIT} void lookups (NXDOMAIN or no records) (RFC 7208 §4.6.4)"
                )));
            }
        }
        Ok(())
    }

    /// `check_host()` for one domain; returns the node, the `exp=` to use on fail
    /// (spec, domain of the record), and the deciding term.
    fn host(&mut self, domain: String, depth: u32) -> BoxFut<'_, HostOutcome> {
        Box::pin(async move {
            let mut node = SpfNode {
                domain: domain.clone(),
                record: None,
                result: SpfResult::None,
                lookups: 0,
                terms: Vec::new(),
                error: None,
            };
            // §4.3: a malformed domain gives "none".
            if !valid_domain(&domain) {
                node.error = Some(format!(
                    "'{domain}' is not a valid domain name (RFC 7208 §4.3)"
                ));
                return (node, None, None);
            }
            let answer = match self.job.txt(&domain).await {
                Ok(a) => a,
                Err(DnsError::InvalidName { reason, .. }) => {
                    node.error = Some(format!("'{domain}' is not a valid domain name: {reason}"));
                    return (node, None, None);
                }
                Err(e) => {
                    node.result = SpfResult::Temperror;
                    node.error = Some(format!("SPF record lookup failed: {e}"));
                    return (node, None, None);
                }
            };
            let records: Vec<String> = answer.txt().into_iter().filter(|t| is_spf(t)).collect();
            match records.len() {
                0 => return (node, None, None),
                1 => {}
                n => {
                    node.result = SpfResult::Permerror;
                    node.error = Some(format!(
                        "{domain} publishes {n} SPF records; exactly one is allowed (RFC 7208 §4.5, §3.2)"
                    ));
                    node.record = Some(records.join(" | "));
                    return (node, None, None);
                }
            }
            node.record = Some(records[0].clone());
            let record = match parse(&records[0]) {
                Ok(r) => r,
                Err(e) => {
                    node.result = SpfResult::Permerror;
                    node.error = Some(format!("syntax error in the SPF record of {domain} {e}"));
                    return (node, None, None);
                }
            };
            if let Some(at) = self.stack.iter().position(|d| *d == domain) {
                let mut path = self.stack[at..].to_vec();
                path.push(domain.clone());
                node.result = SpfResult::Permerror;
                node.error = Some(format!(
                    "include loop: {} (RFC 7208 §4.6.4: the lookup limit makes this a permerror)",
                    path.join(" → ")
                ));
                return (node, None, None);
            }
            self.stack.push(domain.clone());
            let before = self.lookups;
            let outcome = self.terms(&record, &domain, depth, &mut node).await;
            node.lookups = self.lookups - before;
            self.stack.pop();
            match outcome {
                Ok(Some((result, term, exp))) => {
                    node.result = result;
                    (node, exp, term)
                }
                Ok(None) => {
                    node.result = SpfResult::Neutral;
                    (node, None, None)
                }
                Err(Abort::Temp(m)) => {
                    node.result = SpfResult::Temperror;
                    node.error = Some(m);
                    (node, None, None)
                }
                Err(Abort::Perm(m)) => {
                    node.result = SpfResult::Permerror;
                    node.error = Some(m);
                    (node, None, None)
                }
            }
        })
    }

    /// Evaluates the directives, then redirect. `Ok(None)` = nothing matched, no redirect.
    async fn terms(
        &mut self,
        record: &SpfRecord,
        domain: &str,
        depth: u32,
        node: &mut SpfNode,
    ) -> Result<Option<Decision>, Abort> {
        let own_exp = record.exp().map(|e| (e.to_string(), domain.to_string()));
        for term in &record.terms {
            let TermKind::Directive(d) = &term.kind else {
                continue;
            };
            let before = self.lookups;
            if d.mechanism.counts_lookup()
                && let Err(e) = self.count_lookup()
            {
                node.terms.push(TermTrace {
                    term: term.text.clone(),
                    lookups: 1,
                    matched: false,
                    note: "not evaluated: the lookup limit was exceeded here".into(),
                    child: None,
                });
                return Err(e);
            }
            let mut trace = TermTrace {
                term: term.text.clone(),
                lookups: 0,
                matched: false,
                note: String::new(),
                child: None,
            };
            let matched = self
                .mechanism(&d.mechanism, domain, depth, &mut trace)
                .await;
            trace.lookups = self.lookups - before;
            let matched = match matched {
                Ok(m) => m,
                Err(e) => {
                    node.terms.push(trace);
                    return Err(e);
                }
            };
            trace.matched = matched;
            node.terms.push(trace);
            if matched {
                return Ok(Some((
                    SpfResult::from_qualifier(d.qualifier),
                    Some(term.text.clone()),
                    own_exp,
                )));
            }
        }
        // §6.1: redirect applies only when no directive matched.
        let Some(target) = record.redirect() else {
            return Ok(None);
        };
        let text = format!("redirect={target}");
        let before = self.lookups;
        if let Err(e) = self.count_lookup() {
            node.terms.push(TermTrace {
                term: text,
                lookups: 1,
                matched: false,
                note: "not evaluated: the lookup limit was exceeded here".into(),
                child: None,
            });
            return Err(e);
        }
        let target = self.expand(target, domain).await;
        let (child, exp, matched) = self.host(target.clone(), depth + 1).await;
        let result = child.result;
        let mut trace = TermTrace {
            term: text,
            lookups: self.lookups - before,
            matched: true,
            note: format!("redirected to {target}"),
            child: Some(Box::new(child)),
        };
        if result == SpfResult::None {
            trace.note = format!("{target} has no SPF record: permerror (RFC 7208 §6.1)");
            node.terms.push(trace);
            return Err(Abort::Perm(format!(
                "redirect target {target} has no SPF record"
            )));
        }
        node.terms.push(trace);
        // The redirect target's own exp= applies (§6.2).
        Ok(Some((result, matched, exp)))
    }

    async fn mechanism(
        &mut self,
        m: &Mechanism,
        domain: &str,
        depth: u32,
        trace: &mut TermTrace,
    ) -> Result<bool, Abort> {
        let ip = to_v4_if_mapped(self.input.ip);
        let spec_of = |m: &Mechanism| match m {
            Mechanism::A { domain: s, .. }
            | Mechanism::Mx { domain: s, .. }
            | Mechanism::Ptr { domain: s } => s.clone(),
            Mechanism::Include { domain: s } | Mechanism::Exists { domain: s } => Some(s.clone()),
            _ => None,
        };
        let target = match spec_of(m) {
            Some(s) => self.expand(&s, domain).await,
            None => domain.to_string(),
        };
        match m {
            Mechanism::All => {
                trace.note = "always matches".into();
                Ok(true)
            }
            Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } if self.walk => {
                trace.note = "authorizes the listed range".into();
                Ok(false)
            }
            Mechanism::Ip4 { addr, len } => {
                let hit = in_network(ip, IpAddr::V4(*addr), *len);
                trace.note = format!(
                    "{ip} {} {addr}/{len}",
                    if hit { "is in" } else { "is not in" }
                );
                Ok(hit)
            }
            Mechanism::Ip6 { addr, len } => {
                let hit = in_network(ip, IpAddr::V6(*addr), *len);
                trace.note = format!(
                    "{ip} {} {addr}/{len}",
                    if hit { "is in" } else { "is not in" }
                );
                Ok(hit)
            }
            Mechanism::A { v4, v6, .. } => {
                if !valid_domain(&target) {
                    trace.note = format!("'{target}' is not a valid domain: no match");
                    return Ok(false);
                }
                let kind = if ip.is_ipv4() {
                    RecordKind::A
                } else {
                    RecordKind::Aaaa
                };
                let answer = self.job.lookup(&target, kind).await.map_err(|e| temp(&e))?;
                self.count_void(answer.status)?;
                let len = if ip.is_ipv4() {
                    v4.unwrap_or(32)
                } else {
                    v6.unwrap_or(128)
                };
                let addrs = answer.ips();
                let hit = !self.walk && addrs.iter().any(|a| in_network(ip, *a, len));
                trace.note = format!("{target} {}: {}", kind.as_str(), list(&addrs));
                Ok(hit)
            }
            Mechanism::Mx { v4, v6, .. } => {
                if !valid_domain(&target) {
                    trace.note = format!("'{target}' is not a valid domain: no match");
                    return Ok(false);
                }
                let answer = self
                    .job
                    .lookup(&target, RecordKind::Mx)
                    .await
                    .map_err(|e| temp(&e))?;
                self.count_void(answer.status)?;
                let mut exchanges = answer.mx();
                exchanges.sort();
                if exchanges.len() > NAME_LIMIT {
                    return Err(Abort::Perm(format!(
                        "{target} has {} MX records; at most {NAME_LIMIT} may be examined (RFC 7208 §4.6.4)",
                        exchanges.len()
                    )));
                }
                let kind = if ip.is_ipv4() {
                    RecordKind::A
                } else {
                    RecordKind::Aaaa
                };
                let len = if ip.is_ipv4() {
                    v4.unwrap_or(32)
                } else {
                    v6.unwrap_or(128)
                };
                let mut seen = Vec::new();
                for (_, host) in &exchanges {
                    if host == "." {
                        continue;
                    }
                    let a = self.job.lookup(host, kind).await.map_err(|e| temp(&e))?;
                    let addrs = a.ips();
                    seen.push(format!("{host} {}", list(&addrs)));
                    if !self.walk && addrs.iter().any(|x| in_network(ip, *x, len)) {
                        trace.note = format!("{target} MX {}", seen.join("; "));
                        return Ok(true);
                    }
                }
                trace.note = if seen.is_empty() {
                    format!("{target} has no MX")
                } else {
                    format!("{target} MX {}", seen.join("; "))
                };
                Ok(false)
            }
            Mechanism::Ptr { .. } if self.walk => {
                trace.note = "depends on the connecting address; not resolved in the audit".into();
                Ok(false)
            }
            Mechanism::Ptr { .. } => {
                let target = target.to_ascii_lowercase();
                let rev = reverse_name(ip);
                // §5.5: DNS errors in the PTR lookup mean "no match", not temperror.
                let names = match self.job.lookup(&rev, RecordKind::Ptr).await {
                    Ok(a) => {
                        self.count_void(a.status)?;
                        a.targets()
                    }
                    Err(_) => Vec::new(),
                };
                let kind = if ip.is_ipv4() {
                    RecordKind::A
                } else {
                    RecordKind::Aaaa
                };
                for name in names.iter().take(NAME_LIMIT) {
                    let n = name.trim_end_matches('.').to_ascii_lowercase();
                    if let Ok(a) = self.job.lookup(&n, kind).await
                        && a.ips().contains(&ip)
                        && (n == target || n.ends_with(&format!(".{target}")))
                    {
                        trace.note = format!("{rev} PTR {n}, which resolves back to {ip}");
                        return Ok(true);
                    }
                }
                trace.note = format!("no validated PTR name of {ip} under {target}");
                Ok(false)
            }
            Mechanism::Exists { .. } => {
                if !valid_domain(&target) {
                    trace.note = format!("'{target}' is not a valid domain: no match");
                    return Ok(false);
                }
                // §5.7: always an A query, whatever the client's address family.
                let answer = self
                    .job
                    .lookup(&target, RecordKind::A)
                    .await
                    .map_err(|e| temp(&e))?;
                self.count_void(answer.status)?;
                let hit = !self.walk && !answer.ips().is_empty();
                trace.note = format!("{target} A: {}", list(&answer.ips()));
                Ok(hit)
            }
            Mechanism::Include { .. } => {
                let (child, _exp, _) = self.host(target.clone(), depth + 1).await;
                let result = child.result;
                let error = child.error.clone();
                trace.child = Some(Box::new(child));
                // In the audit walk there is no client address: say what an unlisted
                // sender gets instead of naming the placeholder address.
                let who = if self.walk {
                    "a sender listed nowhere".to_string()
                } else {
                    ip.to_string()
                };
                match result {
                    SpfResult::Pass => {
                        trace.note = format!("{target} passes {who}");
                        Ok(true)
                    }
                    SpfResult::Fail | SpfResult::Softfail | SpfResult::Neutral => {
                        trace.note = format!("{target} does not pass {who}");
                        Ok(false)
                    }
                    SpfResult::Temperror => Err(Abort::Temp(error.unwrap_or_default())),
                    SpfResult::Permerror => Err(Abort::Perm(error.unwrap_or_default())),
                    SpfResult::None => {
                        trace.note =
                            format!("{target} has no SPF record: permerror (RFC 7208 §5.2)");
                        Err(Abort::Perm(format!(
                            "include target {target} has no SPF record"
                        )))
                    }
                }
            }
        }
    }

    /// The `exp=` explanation (RFC 7208 §6.2): any error means no explanation.
    async fn explain(&mut self, spec: &str, domain: &str) -> Option<String> {
        let target = self.expand(spec, domain).await;
        let answer = self.job.txt(&target).await.ok()?;
        let texts = answer.txt();
        if texts.len() != 1 {
            return None;
        }
        let text = &texts[0];
        // §6.2: non-ASCII or a syntax error means no explanation. Spaces separate words,
        // so each space-separated part is checked as a macro-string.
        if !text.is_ascii()
            || !text
                .split(' ')
                .all(|w| w.is_empty() || valid_explanation(w))
        {
            return None;
        }
        Some(self.expand(text, domain).await)
    }
}

fn list(addrs: &[IpAddr]) -> String {
    if addrs.is_empty() {
        "no addresses".into()
    } else {
        addrs
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::in_network;

    #[test]
    fn networks_and_mapped_addresses() {
        let ip = |s: &str| s.parse().expect("ip");
        assert!(in_network(ip("192.0.2.77"), ip("192.0.2.0"), 24));
        assert!(!in_network(ip("192.0.3.1"), ip("192.0.2.0"), 24));
        assert!(in_network(ip("10.1.2.3"), ip("0.0.0.0"), 0));
        assert!(in_network(ip("::ffff:192.0.2.5"), ip("192.0.2.0"), 24));
        assert!(in_network(ip("2001:db8::1"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("2001:db9::1"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("2001:db8::1"), ip("192.0.2.0"), 0));
    }
}
