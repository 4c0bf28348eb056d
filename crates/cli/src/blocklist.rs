//! `inboxlens blocklist`: DNSBL checks of IPs and domains.

use std::time::Duration;

use inboxlens_core::blocklist::{Catalogue, CheckOptions, ListStatus, Target, TargetReport, check};
use inboxlens_core::dns::Resolver;
use inboxlens_core::finding::any_failing;
use inboxlens_store::NewCheck;

use crate::Outcome;
use crate::args::{BlocklistArgs, Cli, Format};
use crate::lookup::effective_dns;
use crate::output::{input, open_store, print_json, read_list};

pub fn run(cli: &Cli, args: &BlocklistArgs) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    let settings = store.settings().map_err(input)?;
    let account = match &args.account {
        Some(name) => Some(store.account_by_name(name).map_err(input)?),
        None => None,
    };
    let mut targets = Vec::new();
    for t in &args.targets {
        targets.push(Target::parse(t).map_err(|e| input(format!("target '{t}': {}", e.reason)))?);
    }
    if let Some(path) = &args.from {
        targets.extend(read_list(path, |t| Target::parse(t).map_err(|e| e.reason))?);
    }
    if targets.is_empty()
        && let Some(a) = &account
    {
        for t in a.sending_ips.iter().chain(a.domains.iter()) {
            targets.push(Target::parse(t).map_err(input)?);
        }
    }
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(t.clone()));
    if targets.is_empty() {
        return Err(input(
            "nothing to check: give IPs or domains, --from FILE, or --account NAME with IPs or domains",
        ));
    }
    let catalogue = match &args.lists {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| input(format!("{}: {e}", path.display())))?;
            Catalogue::from_toml(&text, &path.display().to_string()).map_err(input)?
        }
        None => store.blocklists().map_err(input)?,
    };
    if !(1..=1024).contains(&args.concurrency) {
        return Err(input("--concurrency must be between 1 and 1024"));
    }
    if !(0.1..=600.0).contains(&args.deadline) {
        return Err(input("--deadline must be between 0.1 and 600 seconds"));
    }
    let dns = effective_dns(cli, &settings)?;
    let opts = CheckOptions {
        concurrency: args.concurrency,
        key: args.dqs_key.clone().or(settings.dqs_key.clone()),
        deadline: Duration::from_secs_f64(args.deadline),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (resolver_desc, reports) = rt.block_on(async {
        let resolver = Resolver::from_settings(&dns).map_err(input)?;
        let reports = check(&resolver, &catalogue, &targets, &opts).await;
        anyhow::Ok((resolver.describe().to_string(), reports))
    })?;
    let account_id = account.as_ref().map(|a| a.id);
    let values = reports
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    let checks: Vec<NewCheck<'_>> = reports
        .iter()
        .zip(&values)
        .map(|(r, v)| NewCheck {
            account_id,
            kind: "blocklist",
            target: &r.target,
            resolver: &resolver_desc,
            result: v,
        })
        .collect();
    store.record_checks(&checks).map_err(input)?;
    match cli.format {
        Format::Text => print_text(&reports, &resolver_desc)?,
        Format::Json if reports.len() == 1 => print_json(cli.format, &reports[0])?,
        Format::Json => print_json(cli.format, &reports)?,
        Format::Jsonl => {
            for r in &reports {
                print_json(cli.format, r)?;
            }
        }
    }
    let failing = reports.iter().any(|r| any_failing(&r.findings));
    Ok(if failing {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn print_text(reports: &[TargetReport], resolver: &str) -> std::io::Result<()> {
    outln!(";; DNSBL check via {resolver}")?;
    for r in reports {
        match &r.queried_as {
            Some(d) if d != &r.target => outln!("\n{} (queried as {d})", r.target)?,
            _ => outln!("\n{}", r.target)?,
        }
        for res in &r.results {
            let status = match res.status {
                ListStatus::Listed => "LISTED",
                ListStatus::Clean => "clean",
                ListStatus::Refused => "refused",
                ListStatus::Timeout => "timeout",
                ListStatus::Error => "error",
                ListStatus::DeadList => "dead-list",
            };
            let codes = if res.codes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", res.codes.join(", "))
            };
            outln!("  {status:<9} {:<34} {}{codes}", res.list, res.meaning)?;
            if let Some(t) = &res.txt {
                outln!("            reason: {t}")?;
            }
        }
        for f in r
            .findings
            .iter()
            .filter(|f| f.severity.fails_run() || f.id == "dnsbl-needs-key")
        {
            outln!("  {:<9} {} — {}", f.severity.as_str(), f.title, f.fix)?;
        }
    }
    Ok(())
}
