//! The SPF part of a domain audit: discovery (RFC 7208 §4.5), the record's own lint, the
//! full include/redirect walk with its lookup budget (§4.6.4), results for given IPs, and a
//! flattened record when the budget is exceeded.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::auth::spf::{
    self, LOOKUP_LIMIT, Mechanism, Qualifier, SpfEvaluation, SpfInput, SpfNode, SpfResult,
    TermKind, VOID_LIMIT,
};
use crate::dns::{DnsJob, RecordData, RecordKind};
use crate::finding::{Finding, Severity};

/// An SPF record should stay under this many octets so the answer fits a 512-byte UDP
/// response (RFC 7208 §3.4).
pub const RECORD_LENGTH_LIMIT: usize = 450;

/// The SPF result for one sending address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IpCheck {
    /// The address.
    pub ip: IpAddr,
    /// The result.
    pub result: SpfResult,
    /// The term that decided it.
    pub matched: Option<String>,
    /// The `exp=` explanation, on fail.
    pub explanation: Option<String>,
    /// Why temperror/permerror.
    pub error: Option<String>,
}

/// The SPF section of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpfSection {
    /// The `v=spf1` records at the domain (exactly one is valid).
    pub records: Vec<String>,
    /// The character-strings of each record as published (a record over 255 octets must
    /// be split into several).
    pub strings: Vec<Vec<String>>,
    /// What a sender listed nowhere gets (the policy's effective ending).
    pub result_for_unlisted: SpfResult,
    /// The result for each `--ip`, keyed by address.
    pub result_for_ip: BTreeMap<String, SpfResult>,
    /// Details of each `--ip` evaluation.
    pub ip_checks: Vec<IpCheck>,
    /// DNS-querying terms in the whole tree (limit 10).
    pub lookups: u32,
    /// Lookups that found nothing (limit 2).
    pub void_lookups: u32,
    /// Why the policy is temperror/permerror, if it is.
    pub error: Option<String>,
    /// The include/redirect tree with per-branch lookup counts.
    pub tree: Option<SpfNode>,
    /// A flattened replacement when the lookup limit is exceeded.
    pub flattened: Option<Vec<String>>,
}

/// Audits the SPF policy of `domain`.
pub async fn audit(job: &DnsJob, domain: &str, ips: &[IpAddr]) -> (SpfSection, Vec<Finding>) {
    let mut section = SpfSection {
        records: Vec::new(),
        strings: Vec::new(),
        result_for_unlisted: SpfResult::None,
        result_for_ip: BTreeMap::new(),
        ip_checks: Vec::new(),
        lookups: 0,
        void_lookups: 0,
        error: None,
        tree: None,
        flattened: None,
    };
    let mut out = Vec::new();
    let answer = match job.txt(domain).await {
        Ok(a) => a,
        Err(e) => {
            section.result_for_unlisted = SpfResult::Temperror;
            section.error = Some(e.to_string());
            out.push(
                Finding::new(
                    "spf-dns-error",
                    Severity::Error,
                    format!("The SPF lookup for {domain} failed"),
                )
                .detail(format!(
                    "{e}. Receivers get a temporary error (temperror) and may defer the mail or treat it as unauthenticated."
                ))
                .evidence(vec![format!("{domain} TXT: {e}")])
                .fix("Make the domain's nameservers answer TXT queries reliably.")
                .refs(&["RFC 7208 §4.4", "RFC 7208 §2.6.6"]),
            );
            return (section, out);
        }
    };
    let mut near_misses = Vec::new();
    for r in answer.matching() {
        if let RecordData::Txt { strings } = &r.data {
            let text = strings.concat();
            if spf::is_spf(&text) {
                section.records.push(text);
                section.strings.push(strings.clone());
            } else if text.to_ascii_lowercase().contains("spf") {
                near_misses.push(format!("{domain} TXT \"{text}\""));
            }
        }
    }
    match section.records.len() {
        0 => {
            let mut evidence = vec![format!("{domain} TXT: no record starting with \"v=spf1\"")];
            evidence.extend(near_misses.iter().cloned());
            let detail = if near_misses.is_empty() {
                "Without SPF, receivers cannot tell which servers may send as this domain. Gmail and Yahoo require SPF or DKIM from every sender, and both from bulk senders.".to_string()
            } else {
                "A TXT record mentions SPF but does not start with exactly \"v=spf1\" followed by a space, so receivers ignore it (RFC 7208 §4.5).".to_string()
            };
            out.push(
                Finding::new("spf-missing", Severity::Error, format!("{domain} has no SPF record"))
                    .detail(detail)
                    .evidence(evidence)
                    .fix(format!(
                        "Publish one TXT record at {domain} listing every sender, e.g. \"v=spf1 include:<your provider's SPF domain> -all\"."
                    ))
                    .refs(&["RFC 7208 §4.5", "Gmail email sender guidelines (2024)"]),
            );
            return (section, out);
        }
        1 => {}
        n => {
            section.result_for_unlisted = SpfResult::Permerror;
            section.error = Some(format!("{n} SPF records"));
            out.push(
                Finding::new(
                    "spf-multiple-records",
                    Severity::Critical,
                    format!("{domain} publishes {n} SPF records"),
                )
                .detail("With more than one \"v=spf1\" record the result is permerror for every message: SPF fails everywhere (RFC 7208 §4.5).")
                .evidence(section.records.iter().map(|t| format!("{domain} TXT \"{t}\"")).collect())
                .fix(format!("Merge them into one record, e.g. \"{}\".", merge(&section.records)))
                .refs(&["RFC 7208 §4.5", "RFC 7208 §3.2"]),
            );
            return (section, out);
        }
    }
    let text = section.records[0].clone();
    let strings = section.strings[0].clone();
    if let Some(f) = joined_strings(domain, &strings) {
        section.result_for_unlisted = SpfResult::Permerror;
        section.error = Some("strings joined without a space".into());
        out.push(f);
        return (section, out);
    }
    let lint = spf::lint(domain, &text);
    let syntax = lint.iter().any(|f| f.id == "spf-syntax-error");
    out.extend(lint);
    if syntax {
        section.result_for_unlisted = SpfResult::Permerror;
        return (section, out);
    }
    if text.len() > RECORD_LENGTH_LIMIT {
        out.push(
            Finding::new(
                "spf-record-too-long",
                Severity::Warning,
                format!("The SPF record of {domain} is {} octets long", text.len()),
                )
                .detail(format!(
                    "Records over {RECORD_LENGTH_LIMIT} octets may not fit a 512-byte UDP answer; some receivers then fail to fetch them (temperror). It is split into {} strings.",
                    strings.len()
                ))
                .evidence(vec![format!("{domain} TXT {}", quoted(&strings))])
                .fix("Shorten the record: replace runs of ip4:/ip6: terms with an include: of a record that holds them.")
                .refs(&["RFC 7208 §3.4"]),
        );
    }

    let eval = spf::walk(job, domain).await;
    section.result_for_unlisted = eval.result;
    section.lookups = eval.lookups;
    section.void_lookups = eval.void_lookups;
    section.error = eval.error.clone();
    out.extend(walk_findings(domain, &eval));
    if eval
        .error
        .as_deref()
        .is_some_and(|e| e.contains("DNS-querying"))
    {
        let flat = flatten(job, &eval.tree).await;
        if let Some(f) = out.iter_mut().find(|f| f.id == "spf-too-many-lookups") {
            f.fix = format!(
                "{} A flattened equivalent of today's tree ({} lookups): {} Flattened ranges go stale when a provider changes them; re-check regularly or use a provider's macro-based include.",
                f.fix,
                flat.lookups,
                flat.records.join(" ; ")
            );
        }
        section.flattened = Some(flat.records);
    }
    section.tree = Some(eval.tree);

    let sender = format!("postmaster@{domain}");
    for ip in ips {
        let input = SpfInput {
            ip: *ip,
            domain,
            sender: &sender,
            helo: domain,
        };
        let r = spf::check_host(job, &input).await;
        section.result_for_ip.insert(ip.to_string(), r.result);
        if let Some(f) = ip_finding(domain, *ip, &r) {
            out.push(f);
        }
        section.ip_checks.push(IpCheck {
            ip: *ip,
            result: r.result,
            matched: r.matched,
            explanation: r.explanation,
            error: r.error,
        });
    }
    if !out.iter().any(|f| f.severity >= Severity::Warning) {
        out.push(
            Finding::new("spf-ok", Severity::Pass, format!("{domain} has a valid SPF policy"))
                .detail(format!(
                    "One record, {} of {LOOKUP_LIMIT} DNS lookups, {} of {VOID_LIMIT} void lookups; unlisted senders get {:?}.",
                    section.lookups, section.void_lookups, section.result_for_unlisted
                ).to_lowercase())
                .evidence(vec![format!("{domain} TXT \"{text}\"")])
                .refs(&["RFC 7208"]),
        );
    }
    (section, out)
}

fn quoted(strings: &[String]) -> String {
    strings
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Merges several SPF records into one (for the fix of `spf-multiple-records`): every
/// directive once, the strictest `all` last.
fn merge(records: &[String]) -> String {
    let mut terms: Vec<String> = Vec::new();
    let mut all: Option<String> = None;
    for r in records {
        for t in r.split_whitespace().skip(1) {
            let bare = t
                .trim_start_matches(['+', '-', '~', '?'])
                .to_ascii_lowercase();
            if bare == "all" {
                let rank = |s: &str| match s.chars().next() {
                    Some('-') => 3,
                    Some('~') => 2,
                    Some('?') => 1,
                    _ => 0,
                };
                if all.as_deref().is_none_or(|a| rank(t) > rank(a)) {
                    all = Some(t.to_string());
                }
            } else if !terms.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                terms.push(t.to_string());
            }
        }
    }
    let mut s = String::from("v=spf1");
    for t in terms {
        s.push(' ');
        s.push_str(&t);
    }
    s.push(' ');
    s.push_str(all.as_deref().unwrap_or("~all"));
    s
}

/// RFC 7208 §3.3: strings are concatenated with no space. A record split as
/// `"…include:a.example" "include:b.example …"` becomes one broken term.
fn joined_strings(domain: &str, strings: &[String]) -> Option<Finding> {
    if strings.len() < 2 {
        return None;
    }
    let term_ok = |t: &str| !t.is_empty() && spf::parse(&format!("v=spf1 {t}")).is_ok();
    let mut joins = Vec::new();
    for w in strings.windows(2) {
        let (l, r) = (&w[0], &w[1]);
        if !l.ends_with(' ') && !r.starts_with(' ') {
            let left = l.rsplit(' ').next().unwrap_or_default();
            let right = r.split(' ').next().unwrap_or_default();
            // Two whole terms glued together, not one long term split mid-way.
            if term_ok(left) && term_ok(right) && !left.eq_ignore_ascii_case("v=spf1") {
                joins.push(format!("\"…{left}\" + \"{right}…\" = \"{left}{right}\""));
            }
        }
    }
    if joins.is_empty() {
        return None;
    }
    Some(
        Finding::new(
            "spf-strings-joined",
            Severity::Critical,
            format!("The SPF record of {domain} is split into strings that join two terms"),
        )
        .detail("DNS returns the record's strings concatenated with no space (RFC 7208 §3.3), so the last term of one string runs into the first term of the next: the record says something else than intended, usually a syntax error (permerror) or an include of a name that does not exist.")
        .evidence({
            let mut e = vec![format!("{domain} TXT {}", quoted(strings))];
            e.extend(joins);
            e
        })
        .fix("End each string (but the last) with a space, or start the next one with a space.")
        .refs(&["RFC 7208 §3.3", "RFC 7208 §4.6"]),
    )
}

/// Per-branch cost lines for evidence: every top-level term that queried the DNS.
fn costs(tree: &SpfNode) -> Vec<String> {
    let mut v = vec![format!(
        "{} TXT \"{}\"",
        tree.domain,
        tree.record.as_deref().unwrap_or("")
    )];
    for t in &tree.terms {
        if t.lookups > 0 {
            v.push(format!(
                "{} costs {} lookup{}",
                t.term,
                t.lookups,
                if t.lookups == 1 { "" } else { "s" }
            ));
        }
    }
    v
}

fn errors_path(node: &SpfNode, out: &mut Vec<String>) {
    if let Some(e) = &node.error {
        out.push(format!("{}: {e}", node.domain));
    }
    if let Some(r) = &node.record {
        out.push(format!("{} TXT \"{r}\"", node.domain));
    }
    for t in &node.terms {
        if let Some(c) = &t.child
            && matches!(
                c.result,
                SpfResult::Permerror | SpfResult::Temperror | SpfResult::None
            )
        {
            errors_path(c, out);
        }
    }
}

fn walk_findings(domain: &str, eval: &SpfEvaluation) -> Vec<Finding> {
    let mut out = Vec::new();
    let tree = &eval.tree;
    if let Some(err) = &eval.error {
        let mut path = Vec::new();
        errors_path(tree, &mut path);
        let f = if err.contains("include loop") {
            Finding::new(
                "spf-include-loop",
                Severity::Critical,
                format!("The SPF policy of {domain} includes itself"),
            )
            .detail(format!("{err}. Receivers hit the lookup limit and return permerror: SPF fails for every message."))
            .evidence(path)
            .fix("Remove the include or redirect that points back to a record already on the path.")
            .refs(&["RFC 7208 §4.6.4", "RFC 7208 §5.2"])
        } else if err.contains("DNS-querying") {
            Finding::new(
                "spf-too-many-lookups",
                Severity::Critical,
                format!("The SPF policy of {domain} needs more than {LOOKUP_LIMIT} DNS lookups"),
            )
            .detail(format!(
                "Receivers stop after {LOOKUP_LIMIT} include/a/mx/ptr/exists/redirect lookups and return permerror: SPF fails for every message. The evidence shows where the budget is spent."
            ))
            .evidence(costs(tree))
            .fix("Remove includes of services no longer used, replace a/mx with ip4:/ip6: ranges, or move some senders to a subdomain with its own SPF record.")
            .refs(&["RFC 7208 §4.6.4"])
        } else if err.contains("void lookups") {
            Finding::new(
                "spf-void-lookups",
                Severity::Critical,
                format!("The SPF policy of {domain} has more than {VOID_LIMIT} lookups that find nothing"),
            )
            .detail("Receivers return permerror after the third lookup answered NXDOMAIN or with no records (RFC 7208 §4.6.4).")
            .evidence(void_terms(tree))
            .fix("Remove the terms whose names do not exist (see the evidence) or publish the records they expect.")
            .refs(&["RFC 7208 §4.6.4"])
        } else if err.contains("has no SPF record") {
            Finding::new(
                "spf-include-missing",
                Severity::Critical,
                format!("The SPF policy of {domain} includes a domain with no SPF record"),
            )
            .detail(format!("{err}: an include: or redirect= whose target has no SPF record is a permerror (RFC 7208 §5.2, §6.1); SPF fails for every message."))
            .evidence(path)
            .fix("Correct the include target (typo? retired provider?) or remove it.")
            .refs(&["RFC 7208 §5.2", "RFC 7208 §6.1"])
        } else if eval.result == SpfResult::Temperror {
            Finding::new(
                "spf-dns-error",
                Severity::Error,
                format!("A lookup in the SPF policy of {domain} failed"),
            )
            .detail(format!(
                "{err}. Receivers return temperror and may defer or distrust the mail."
            ))
            .evidence(path)
            .fix("Make the nameservers of the failing name answer reliably, or remove the term.")
            .refs(&["RFC 7208 §2.6.6", "RFC 7208 §4.4"])
        } else {
            Finding::new(
                "spf-include-invalid",
                Severity::Critical,
                format!("A record included by the SPF policy of {domain} is invalid"),
            )
            .detail(format!(
                "{err}. An error anywhere in the tree makes the whole policy permerror."
            ))
            .evidence(path)
            .fix("Correct the included record, or remove the include.")
            .refs(&["RFC 7208 §5.2", "RFC 7208 §4.6"])
        };
        out.push(f);
        return out;
    }
    if eval.result == SpfResult::Pass {
        let via = eval.matched.clone().unwrap_or_default();
        if via.to_ascii_lowercase().starts_with("include") || via.starts_with("+include") {
            out.push(
                Finding::new(
                    "spf-include-pass-all",
                    Severity::Critical,
                    format!("An include in the SPF policy of {domain} authorizes every address"),
                )
                .detail(format!("\"{via}\" leads to a record that passes any IP (\"+all\" or equivalent): anyone may send as {domain}."))
                .evidence(costs(tree))
                .fix("Remove or correct that include.")
                .refs(&["RFC 7208 §5.2", "RFC 7208 §10.1"]),
            );
        }
    }
    if eval.void_lookups > 0 {
        out.push(
            Finding::new(
                "spf-void-lookup",
                Severity::Warning,
                format!("The SPF policy of {domain} has {} lookup(s) that find nothing", eval.void_lookups),
            )
            .detail(format!("Each term whose name does not exist costs a lookup and counts against the limit of {VOID_LIMIT} void lookups; one more makes the policy permerror."))
            .evidence(void_terms(tree))
            .fix("Remove the terms whose names do not exist, or publish the records they expect.")
            .refs(&["RFC 7208 §4.6.4"]),
        );
    }
    if eval.lookups >= LOOKUP_LIMIT - 1 {
        out.push(
            Finding::new(
                "spf-lookups-near-limit",
                Severity::Info,
                format!("The SPF policy of {domain} uses {} of {LOOKUP_LIMIT} DNS lookups", eval.lookups),
            )
            .detail("One more include (or a provider adding one to theirs) makes the policy permerror.")
            .evidence(costs(tree))
            .fix("Free budget before adding senders: drop unused includes, replace a/mx with ip4:/ip6:.")
            .refs(&["RFC 7208 §4.6.4"]),
        );
    }
    out
}

/// Terms whose lookup found nothing, from the trace notes.
fn void_terms(node: &SpfNode) -> Vec<String> {
    let mut v = Vec::new();
    fn rec(n: &SpfNode, v: &mut Vec<String>) {
        for t in &n.terms {
            if t.note.contains("no addresses") || t.note.contains("has no MX") {
                v.push(format!("{}: {} → {}", n.domain, t.term, t.note));
            }
            if let Some(c) = &t.child {
                rec(c, v);
            }
        }
    }
    rec(node, &mut v);
    v
}

fn ip_finding(domain: &str, ip: IpAddr, r: &SpfEvaluation) -> Option<Finding> {
    let evidence = vec![
        format!("check_host({ip}, {domain}) = {:?}", r.result).to_lowercase(),
        format!(
            "decided by: {}",
            r.matched.as_deref().unwrap_or("no term matched")
        ),
    ];
    match r.result {
        SpfResult::Pass => Some(
            Finding::new(
                "spf-ip-authorized",
                Severity::Pass,
                format!("{ip} may send as {domain}"),
            )
            .detail(format!("SPF passes for {ip}."))
            .evidence(evidence)
            .refs(&["RFC 7208 §2.6.3"]),
        ),
        SpfResult::Fail | SpfResult::Softfail | SpfResult::Neutral | SpfResult::None => Some(
            Finding::new(
                "spf-ip-not-authorized",
                Severity::Error,
                format!("{ip} is not authorized by the SPF policy of {domain}"),
            )
            .detail(
                format!(
                    "Mail from {ip} gets SPF {:?}; unless DKIM passes aligned, DMARC fails for it.",
                    r.result
                )
                .to_lowercase()
                .replacen("mail", "Mail", 1),
            )
            .evidence(evidence)
            .fix(format!(
                "Add \"ip{}:{ip}\" (or the sender's include:) to the SPF record of {domain}.",
                if ip.is_ipv4() { 4 } else { 6 }
            ))
            .refs(&["RFC 7208 §2.6"]),
        ),
        // Temperror/permerror are reported by the walk.
        SpfResult::Temperror | SpfResult::Permerror => None,
    }
}

/// A flattened policy: records to publish, and the lookups it costs.
pub struct Flattened {
    /// The records: the first at the domain, the rest at `_spfN.<domain>` when split.
    pub records: Vec<String>,
    /// DNS lookups the flattened policy costs.
    pub lookups: u32,
}

/// Resolves every include/a/mx of the tree into ip4:/ip6: ranges (terms that cannot be
/// resolved statically — exists, ptr, macros — are kept as they are).
pub async fn flatten(job: &DnsJob, tree: &SpfNode) -> Flattened {
    let mut ranges: Vec<String> = Vec::new();
    let mut kept: Vec<String> = Vec::new();
    let mut negatives: Vec<String> = Vec::new();
    let mut ending = "~all".to_string();
    collect(
        job,
        tree,
        true,
        &mut ranges,
        &mut kept,
        &mut negatives,
        &mut ending,
    )
    .await;
    let domain = tree.domain.clone();
    let single = format!(
        "v=spf1 {}{}{} {ending}",
        join_prefix(&negatives),
        ranges.join(" "),
        join_prefix_before(&kept)
    );
    if single.len() <= RECORD_LENGTH_LIMIT {
        let lookups = kept.iter().filter(|t| counts(t)).count() as u32;
        return Flattened {
            records: vec![format!(
                "{domain}: \"{}\"",
                single.split_whitespace().collect::<Vec<_>>().join(" ")
            )],
            lookups,
        };
    }
    // Split the ranges over _spf1.., _spf2.. records included from the top.
    let mut chunks: Vec<Vec<String>> = vec![Vec::new()];
    for r in ranges {
        let cur = chunks.last_mut().expect("one chunk");
        let len: usize = cur.iter().map(|x| x.len() + 1).sum::<usize>() + 7;
        if len + r.len() + 1 > RECORD_LENGTH_LIMIT - 8 {
            chunks.push(vec![r]);
        } else {
            cur.push(r);
        }
    }
    let includes: Vec<String> = (1..=chunks.len())
        .map(|i| format!("include:_spf{i}.{domain}"))
        .collect();
    let mut records = vec![format!(
        "{domain}: \"v=spf1 {}{}{} {ending}\"",
        join_prefix(&negatives),
        includes.join(" "),
        join_prefix_before(&kept)
    )];
    for (i, c) in chunks.iter().enumerate() {
        records.push(format!(
            "_spf{}.{domain}: \"v=spf1 {}\"",
            i + 1,
            c.join(" ")
        ));
    }
    let lookups = (includes.len() + kept.iter().filter(|t| counts(t)).count()) as u32;
    Flattened { records, lookups }
}

fn counts(term: &str) -> bool {
    let t = term
        .trim_start_matches(['+', '-', '~', '?'])
        .to_ascii_lowercase();
    ["include", "a", "mx", "ptr", "exists", "redirect"]
        .iter()
        .any(|m| {
            t == *m
                || t.starts_with(&format!("{m}:"))
                || t.starts_with(&format!("{m}/"))
                || t.starts_with(&format!("{m}="))
        })
}

fn join_prefix(v: &[String]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!("{} ", v.join(" "))
    }
}

fn join_prefix_before(v: &[String]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!(" {}", v.join(" "))
    }
}

type Acc<'a> = &'a mut Vec<String>;

fn collect<'a>(
    job: &'a DnsJob,
    node: &'a SpfNode,
    top: bool,
    ranges: Acc<'a>,
    kept: Acc<'a>,
    negatives: Acc<'a>,
    ending: &'a mut String,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
    Box::pin(async move {
        let Some(text) = &node.record else { return };
        let Ok(record) = spf::parse(text) else { return };
        for term in &record.terms {
            let TermKind::Directive(d) = &term.kind else {
                continue;
            };
            if matches!(d.mechanism, Mechanism::All) {
                if top {
                    *ending = term.text.clone();
                }
                continue;
            }
            if d.qualifier != Qualifier::Pass {
                if top {
                    negatives.push(term.text.clone());
                }
                continue;
            }
            match &d.mechanism {
                Mechanism::Ip4 { addr, len } => push(
                    ranges,
                    format!(
                        "ip4:{addr}{}",
                        if *len == 32 {
                            String::new()
                        } else {
                            format!("/{len}")
                        }
                    ),
                ),
                Mechanism::Ip6 { addr, len } => push(
                    ranges,
                    format!(
                        "ip6:{addr}{}",
                        if *len == 128 {
                            String::new()
                        } else {
                            format!("/{len}")
                        }
                    ),
                ),
                Mechanism::A { domain, v4, v6 }
                    if domain.as_deref().is_none_or(|d| !d.contains('%')) =>
                {
                    let name = domain.clone().unwrap_or_else(|| node.domain.clone());
                    addresses(job, &name, *v4, *v6, ranges).await;
                }
                Mechanism::Mx { domain, v4, v6 }
                    if domain.as_deref().is_none_or(|d| !d.contains('%')) =>
                {
                    let name = domain.clone().unwrap_or_else(|| node.domain.clone());
                    if let Ok(a) = job.lookup(&name, RecordKind::Mx).await {
                        for (_, host) in a.mx() {
                            if host != "." {
                                addresses(job, host.trim_end_matches('.'), *v4, *v6, ranges).await;
                            }
                        }
                    }
                }
                Mechanism::Include { .. } => {
                    let child = node
                        .terms
                        .iter()
                        .find(|t| t.term == term.text)
                        .and_then(|t| t.child.as_deref());
                    match (child, &d.mechanism) {
                        (Some(c), _) if c.record.is_some() => {
                            collect(job, c, false, ranges, kept, negatives, ending).await
                        }
                        // Not reached by the walk (it stopped at the limit): walk it now.
                        (None, Mechanism::Include { domain: target }) if !target.contains('%') => {
                            let sub = spf::walk(job, target).await;
                            if sub.tree.record.is_some() && sub.error.is_none() {
                                collect(job, &sub.tree, false, ranges, kept, negatives, ending)
                                    .await
                            } else {
                                kept.push(term.text.clone())
                            }
                        }
                        _ => kept.push(term.text.clone()),
                    }
                }
                _ => kept.push(term.text.clone()),
            }
        }
        if let Some(target) = record.redirect()
            && !record
                .terms
                .iter()
                .any(|t| matches!(&t.kind, TermKind::Directive(d) if d.mechanism == Mechanism::All))
        {
            let child = node
                .terms
                .iter()
                .find(|t| t.term.starts_with("redirect="))
                .and_then(|t| t.child.as_deref());
            match child {
                Some(c) if c.record.is_some() => {
                    // The redirect target's ending becomes the policy's ending.
                    collect(job, c, top, ranges, kept, negatives, ending).await
                }
                _ => kept.push(format!("redirect={target}")),
            }
        }
    })
}

fn push(ranges: &mut Vec<String>, r: String) {
    if !ranges.contains(&r) {
        ranges.push(r);
    }
}

async fn addresses(
    job: &DnsJob,
    name: &str,
    v4: Option<u8>,
    v6: Option<u8>,
    ranges: &mut Vec<String>,
) {
    for kind in [RecordKind::A, RecordKind::Aaaa] {
        if let Ok(a) = job.lookup(name, kind).await {
            for ip in a.ips() {
                let r = match ip {
                    IpAddr::V4(x) => match v4 {
                        Some(l) if l < 32 => format!("ip4:{x}/{l}"),
                        _ => format!("ip4:{x}"),
                    },
                    IpAddr::V6(x) => match v6 {
                        Some(l) if l < 128 => format!("ip6:{x}/{l}"),
                        _ => format!("ip6:{x}"),
                    },
                };
                push(ranges, r);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_every_sender_and_the_strictest_ending() {
        assert_eq!(
            merge(&[
                "v=spf1 include:a.example ~all".into(),
                "v=spf1 ip4:192.0.2.1 include:a.example -all".into()
            ]),
            "v=spf1 include:a.example ip4:192.0.2.1 -all"
        );
    }

    #[test]
    fn joined_strings_are_detected_only_when_a_space_would_fix_them() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let bad = s(&["v=spf1 include:a.example", "include:b.example -all"]);
        let f = joined_strings("d.example", &bad).expect("finding");
        assert_eq!(f.id, "spf-strings-joined");
        assert!(
            f.evidence[1].contains("a.exampleinclude:b.example"),
            "{:?}",
            f.evidence
        );
        let ips = s(&["v=spf1 ip4:192.0.2.1", "ip4:192.0.2.2 -all"]);
        assert!(joined_strings("d.example", &ips).is_some());
        let mid = s(&["v=spf1 include:_spf.exa", "mple.net -all"]);
        assert!(joined_strings("d.example", &mid).is_none());
        let good = s(&["v=spf1 include:a.example ", "include:b.example -all"]);
        assert!(joined_strings("d.example", &good).is_none());
    }

    #[test]
    fn lookup_counting_terms() {
        assert!(counts("include:x.example"));
        assert!(counts("a"));
        assert!(counts("mx/24"));
        assert!(counts("exists:%{i}.x.example"));
        assert!(!counts("ip4:192.0.2.1"));
        assert!(!counts("all"));
    }
}
