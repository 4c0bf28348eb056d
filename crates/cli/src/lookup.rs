//! `inboxlens lookup` and `inboxlens history`: the DNS layer and the check history, end to end.

use std::net::IpAddr;
use std::time::Duration;

use inboxlens_core::dns::{DnsJob, DnsSettings, Nameserver, RecordKind, Resolver, reverse_name};
use inboxlens_store::{NewCheck, Settings, Store};
use serde_json::json;

use crate::Outcome;
use crate::args::{Cli, Format, HistoryArgs, LookupArgs, LookupType};
use crate::output::{input, open_store, print_json, print_json_list};

/// The resolver settings for this run: saved settings, overridden by `--nameserver`
/// and `--timeout`.
pub fn effective_dns(cli: &Cli, saved: &Settings) -> anyhow::Result<DnsSettings> {
    let mut dns = saved.dns.clone();
    if !cli.nameservers.is_empty() {
        dns.nameservers = cli
            .nameservers
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Nameserver::parse(s).map_err(|e| input(format!("--nameserver {e}"))))
            .collect::<Result<_, _>>()?;
    }
    if let Some(t) = &cli.timeout {
        dns.timeout_secs =
            DnsSettings::parse_timeout(t).map_err(|e| input(format!("--timeout {e}")))?;
    }
    Ok(dns)
}

fn kind(t: LookupType) -> RecordKind {
    match t {
        LookupType::A => RecordKind::A,
        LookupType::Aaaa => RecordKind::Aaaa,
        LookupType::Mx => RecordKind::Mx,
        LookupType::Txt => RecordKind::Txt,
        LookupType::Ptr => RecordKind::Ptr,
        LookupType::Cname => RecordKind::Cname,
        LookupType::Ns => RecordKind::Ns,
        LookupType::Soa => RecordKind::Soa,
    }
}

pub fn run(cli: &Cli, args: &LookupArgs) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    let account_id = match &args.account {
        Some(name) => Some(store.account_by_name(name).map_err(input)?.id),
        None => None,
    };
    let dns = effective_dns(cli, &store.settings().map_err(input)?)?;
    if !(0.1..=600.0).contains(&args.deadline) {
        return Err(input("--deadline must be between 0.1 and 600 seconds"));
    }
    let kind = kind(args.rtype);
    let name = match (kind, args.name.trim().parse::<IpAddr>()) {
        (RecordKind::Ptr, Ok(ip)) => reverse_name(ip),
        _ => args.name.trim().to_string(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (resolver_desc, result, stats) = rt.block_on(async {
        let resolver = Resolver::from_settings(&dns).map_err(input)?;
        let job = DnsJob::new(resolver.clone(), Duration::from_secs_f64(args.deadline));
        let result = job.lookup(&name, kind).await;
        anyhow::Ok((resolver.describe().to_string(), result, job.stats()))
    })?;
    let (value, failed) = match &result {
        Ok(answer) => (
            json!({
                "name": answer.name,
                "type": kind.as_str(),
                "resolver": resolver_desc,
                "status": answer.status,
                "records": answer.records,
                "error": null,
                "stats": stats,
            }),
            false,
        ),
        Err(e) => (
            json!({
                "name": name,
                "type": kind.as_str(),
                "resolver": resolver_desc,
                "status": "error",
                "records": [],
                "error": { "code": e.code(), "message": e.to_string() },
                "stats": stats,
            }),
            true,
        ),
    };
    record(&mut store, account_id, &name, kind, &resolver_desc, &value)?;
    if cli.format == Format::Text {
        outln!(
            ";; {} {} via {}",
            value["name"].as_str().unwrap_or(&name),
            kind.as_str(),
            resolver_desc
        )?;
        match &result {
            Ok(answer) => {
                outln!(
                    ";; status: {:?}, {} queries, {} ms",
                    answer.status,
                    stats.queries,
                    stats.elapsed_ms
                )?;
                for r in &answer.records {
                    outln!("{}", r.presentation())?;
                }
            }
            Err(e) => outln!(";; error ({}): {e}", e.code())?,
        }
    } else {
        print_json(cli.format, &value)?;
    }
    Ok(if failed {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn record(
    store: &mut Store,
    account_id: Option<i64>,
    name: &str,
    kind: RecordKind,
    resolver: &str,
    value: &serde_json::Value,
) -> anyhow::Result<()> {
    let target = format!("{} {}", name.trim_end_matches('.'), kind.as_str());
    store
        .record_check(&NewCheck {
            account_id,
            kind: "lookup",
            target: &target,
            resolver,
            result: &serde_json::to_string(value)?,
        })
        .map_err(input)?;
    Ok(())
}

pub fn history(cli: &Cli, args: &HistoryArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let account_id = match &args.account {
        Some(name) => Some(store.account_by_name(name).map_err(input)?.id),
        None => None,
    };
    let entries = store.history(account_id, args.limit).map_err(input)?;
    if cli.format == Format::Text {
        if entries.is_empty() {
            outln!("No checks recorded yet.")?;
        }
        for e in &entries {
            outln!(
                "{}\t{}\t{}\tvia {}",
                e.checked_at,
                e.kind,
                e.target,
                e.resolver
            )?;
        }
    } else {
        print_json_list(cli.format, &entries)?;
    }
    Ok(Outcome::Clean)
}
