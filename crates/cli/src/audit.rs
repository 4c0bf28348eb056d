//! `inboxlens audit`: the DNS posture of one domain or thousands (DESIGN.md §3).

use std::net::IpAddr;
use std::time::Duration;

use futures_util::StreamExt;
use inboxlens_core::account::{normalize_domain, normalize_selector};
use inboxlens_core::audit::{AuditOptions, AuditReport, FetchOptions, audit};
use inboxlens_core::dns::Resolver;
use inboxlens_core::finding::any_failing;
use inboxlens_store::NewCheck;

use crate::Outcome;
use crate::args::{AuditArgs, Cli, Format};
use crate::lookup::effective_dns;
use crate::output::{input, open_store, print_findings, print_json, read_list};

/// History rows are written in transactions of this many audits.
const STORE_BATCH: usize = 50;

pub fn run(cli: &Cli, args: &AuditArgs) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    let settings = store.settings().map_err(input)?;
    let account = match &args.account {
        Some(name) => Some(store.account_by_name(name).map_err(input)?),
        None => None,
    };
    let mut domains = Vec::new();
    for d in &args.domains {
        domains.push(normalize_domain(d).map_err(|e| input(format!("domain {e}")))?);
    }
    if let Some(path) = &args.from {
        domains.extend(read_list(path, normalize_domain)?);
    }
    let mut selectors = Vec::new();
    for s in &args.selectors {
        selectors.push(normalize_selector(s).map_err(|e| input(format!("--selector {e}")))?);
    }
    let mut ips: Vec<IpAddr> = Vec::new();
    for ip in &args.ips {
        ips.push(
            ip.trim()
                .parse()
                .map_err(|_| input(format!("--ip '{ip}' is not an IPv4 or IPv6 address")))?,
        );
    }
    if let Some(a) = &account {
        if domains.is_empty() {
            domains.extend(a.domains.iter().cloned());
        }
        for s in &a.dkim_selectors {
            if !selectors.contains(s) {
                selectors.push(s.clone());
            }
        }
        for ip in &a.sending_ips {
            if let Ok(ip) = ip.parse()
                && !ips.contains(&ip)
            {
                ips.push(ip);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    domains.retain(|d| seen.insert(d.clone()));
    if domains.is_empty() {
        return Err(input(
            "nothing to audit: give domains, --from FILE (or - for stdin), or --account NAME with domains",
        ));
    }
    if !(1..=1024).contains(&args.concurrency) {
        return Err(input("--concurrency must be between 1 and 1024"));
    }
    if !(0.1..=600.0).contains(&args.deadline) {
        return Err(input("--deadline must be between 0.1 and 600 seconds"));
    }
    let dns = effective_dns(cli, &settings)?;
    let opts = AuditOptions {
        selectors,
        ips,
        discover_selectors: !args.no_discover,
        mta_sts: FetchOptions {
            enabled: settings.mta_sts_fetch && !args.no_mta_sts_fetch,
            ..FetchOptions::default()
        },
    };
    let deadline = Duration::from_secs_f64(args.deadline);
    let account_id = account.as_ref().map(|a| a.id);
    let many = domains.len() > 1;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut failing = false;
    let mut pending: Vec<(String, String)> = Vec::new();
    let mut first = true;
    if cli.format == Format::Json && many {
        outln!("[")?;
    }
    let resolver_desc = rt.block_on(async {
        let resolver = Resolver::from_settings(&dns).map_err(input)?;
        let desc = resolver.describe().to_string();
        let resolver_ref = &resolver;
        let opts_ref = &opts;
        let mut stream = futures_util::stream::iter(
            domains
                .iter()
                .map(|d| async move { audit(resolver_ref, d, opts_ref, deadline).await }),
        )
        .buffered(args.concurrency);
        while let Some(report) = stream.next().await {
            failing |= any_failing(&report.findings);
            // Serialized once: printed (jsonl) and stored as the same text.
            let text = serde_json::to_string(&report)?;
            match cli.format {
                Format::Text => print_text(&report, &desc)?,
                Format::Jsonl => outln!("{text}")?,
                Format::Json if many => {
                    if !first {
                        outln!(",")?;
                    }
                    out!("{}", serde_json::to_string_pretty(&report)?)?;
                }
                Format::Json => outln!("{}", serde_json::to_string_pretty(&report)?)?,
            }
            first = false;
            pending.push((report.domain.clone(), text));
            if pending.len() >= STORE_BATCH {
                save(&mut store, account_id, &desc, &pending)?;
                pending.clear();
            }
        }
        anyhow::Ok(desc)
    })?;
    if cli.format == Format::Json && many {
        outln!("\n]")?;
    }
    save(&mut store, account_id, &resolver_desc, &pending)?;
    Ok(if failing {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn save(
    store: &mut inboxlens_store::Store,
    account_id: Option<i64>,
    resolver: &str,
    rows: &[(String, String)],
) -> anyhow::Result<()> {
    let checks: Vec<NewCheck<'_>> = rows
        .iter()
        .map(|(d, v)| NewCheck {
            account_id,
            kind: "audit",
            target: d,
            resolver,
            result: v,
        })
        .collect();
    store.record_checks(&checks).map_err(input)
}

fn print_text(r: &AuditReport, resolver: &str) -> std::io::Result<()> {
    let s = &r.summary;
    outln!(
        "{}  {}  ({} critical, {} error, {} warning, {} info, {} passed; {} DNS queries in {} ms via {resolver})",
        r.domain,
        r.verdict.as_str().to_uppercase(),
        s.critical,
        s.error,
        s.warning,
        s.info,
        s.pass,
        r.dns.queries,
        r.dns.elapsed_ms
    )?;
    let spf = match r.spf.records.first() {
        Some(rec) => format!(
            "{rec}  [{} of 10 lookups, {} void; unlisted senders: {}]",
            r.spf.lookups,
            r.spf.void_lookups,
            json_name(&r.spf.result_for_unlisted)
        ),
        None => "none".into(),
    };
    outln!("  SPF    {spf}")?;
    for (ip, res) in &r.spf.result_for_ip {
        outln!("         {ip}: {}", json_name(res))?;
    }
    let dmarc = match (&r.dmarc.discovery.record, &r.dmarc.discovery.policy_domain) {
        (Some(rec), Some(at)) => format!("{rec}  [at _dmarc.{at}]"),
        _ => "none".into(),
    };
    outln!("  DMARC  {dmarc}")?;
    for k in &r.dkim {
        outln!(
            "  DKIM   {}: {}{}",
            k.name,
            json_name(&k.status),
            k.bits
                .map(|b| format!(" ({} {b} bits)", k.key_type.clone().unwrap_or_default()))
                .unwrap_or_default()
        )?;
    }
    for m in &r.mx {
        let addrs: Vec<String> = m.addresses.iter().map(|a| a.to_string()).collect();
        outln!(
            "  MX     {} {} {}",
            m.preference,
            m.exchange,
            addrs.join(", ")
        )?;
    }
    print_findings(&r.findings)?;
    Ok(())
}

/// The JSON name of a unit enum value (`permerror`, `found`), for text output.
fn json_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `inboxlens audit-diff`: two stored audits of a domain compared.
pub fn diff(cli: &Cli, args: &crate::args::AuditDiffArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let stored = store
        .audit_diff(&args.domain, args.from, args.to)
        .map_err(input)?;
    let (domain, older, newer, d) = (&stored.domain, &stored.from, &stored.to, &stored.diff);
    if cli.format != Format::Text {
        print_json(cli.format, &stored)?;
        return Ok(Outcome::Clean);
    }
    outln!(
        "{domain}: audit {} ({}, resolver {}) → audit {} ({}, resolver {})",
        older.id,
        older.checked_at,
        older.resolver,
        newer.id,
        newer.checked_at,
        newer.resolver
    )?;
    if d.is_empty() {
        outln!("  no change")?;
    }
    for c in &stored.changes {
        outln!("  {} {}", c.what, c.how)?;
    }
    for r in &d.added {
        outln!("  + {r}")?;
    }
    for r in &d.removed {
        outln!("  - {r}")?;
    }
    for (r, a, b) in &d.ttl_changed {
        outln!("  ~ {r} (TTL {a} → {b})")?;
    }
    for s in &d.status_changed {
        outln!("  ! {s}")?;
    }
    for f in &d.findings_added {
        outln!("  new finding: {f}")?;
    }
    for f in &d.findings_removed {
        outln!("  gone: {f}")?;
    }
    if !d.records_compared {
        outln!("  (an audit without a DNS snapshot: only findings compared)")?;
    }
    Ok(Outcome::Clean)
}
