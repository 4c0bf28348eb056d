//! `inboxlens reports PATH…`: read DMARC aggregate and failure reports and SMTP TLS reports,
//! one JSON line per report. Aggregate records carry their source: reverse DNS of the IP
//! (forward-confirmed, through the configured resolver; skipped with `--offline`) and the
//! sending service it belongs to.

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use inboxlens_core::feeds::batch::decode_one;
use inboxlens_core::feeds::source::{ReverseName, describe, reverse_names_blocking};
use inboxlens_core::feeds::{Decoded, Keep, Report, decode_paths};

use crate::Outcome;
use crate::args::{Cli, Format, ReportsArgs};
use crate::import::day;
use crate::lookup::effective_dns;
use crate::output::{input, open_store, print_json};
use inboxlens_store::{ReportFilter, Store};

pub fn run(cli: &Cli, args: &ReportsArgs) -> anyhow::Result<Outcome> {
    if let Some(account) = &args.account {
        return overview(cli, args, account);
    }
    if args.paths.is_empty() {
        return Err(input(
            "name at least one report file, archive, mail or directory (or - for stdin)",
        ));
    }
    if !(0.1..=600.0).contains(&args.deadline) {
        return Err(input("--deadline must be between 0.1 and 600 seconds"));
    }
    let (stdin, files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        args.paths.iter().partition(|p| p.as_os_str() == "-");
    for p in &files {
        if !p.exists() {
            return Err(input(format!("{}: no such file or directory", p.display())));
        }
    }
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut failed = 0usize;
    let mut take = |d: Decoded| {
        match d {
            Decoded::Message {
                report: Some(report),
                name,
                ..
            } => reports.push((name, *report)),
            Decoded::Message { name, .. } => {
                failed += 1;
                eprintln!("inboxlens: {name}: not a DMARC or TLS report");
            }
            Decoded::Failed { name, reason } => {
                failed += 1;
                eprintln!("inboxlens: {name}: {reason}");
            }
        }
        true
    };
    if !stdin.is_empty() {
        let mut raw = Vec::new();
        std::io::stdin()
            .read_to_end(&mut raw)
            .map_err(|e| input(format!("stdin: {e}")))?;
        take(decode_one("-".into(), raw, Keep::Reports));
    }
    let files: Vec<PathBuf> = files.into_iter().cloned().collect();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    decode_paths(&files, threads, Keep::Reports, &mut take);

    let names = if args.offline {
        HashMap::new()
    } else {
        resolve(cli, &reports, Duration::from_secs_f64(args.deadline))?
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all = Vec::new();
    for (file, report) in &mut reports {
        if let Report::Aggregate(a) = report {
            for r in &mut a.records {
                r.source = Some(describe(r, names.get(&r.source_ip)));
            }
        }
        let line = Line { file, report };
        match cli.format {
            Format::Text => {
                if writeln!(out, "{}", text_line(file, line.report)).is_err() {
                    break;
                }
            }
            _ => {
                if cli.format == Format::Json {
                    all.push(serde_json::to_value(&line)?);
                } else if serde_json::to_writer(&mut out, &line)
                    .map_err(std::io::Error::other)
                    .and_then(|()| writeln!(out))
                    .is_err()
                {
                    break; // stdout closed
                }
            }
        }
    }
    if cli.format == Format::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
    }
    out.flush().ok();
    if failed > 0 {
        return Err(input(format!(
            "{failed} file(s) or message(s) were not readable reports (named above); the rest were read"
        )));
    }
    Ok(Outcome::Clean)
}

/// `reports --account`: the imported reports added up.
fn overview(cli: &Cli, args: &ReportsArgs, account: &str) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let account = store.account_by_name(account).map_err(input)?;
    let filter = ReportFilter {
        domain: args.domain.clone(),
        since: args
            .since
            .as_deref()
            .map(|d| day(d, "--since"))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|d| day(d, "--until"))
            .transpose()?,
    };
    let o = store.report_overview(account.id, &filter).map_err(input)?;
    if cli.format != Format::Text {
        print_json(cli.format, &o)?;
        return Ok(Outcome::Clean);
    }
    let pct = |n: u64, d: u64| {
        if d == 0 {
            0.0
        } else {
            100.0 * n as f64 / d as f64
        }
    };
    outln!(
        "{} aggregate, {} failure, {} TLS reports; {} messages, {:.1} % pass DMARC; published policy {}",
        o.aggregate_reports,
        o.failure_reports,
        o.tls_reports,
        o.messages,
        pct(o.dmarc_pass, o.messages),
        o.published_policy.as_deref().unwrap_or("unknown")
    )?;
    outln!(
        "{:<36} {:>9} {:>7} {:>7} {:>7}  IPs",
        "source",
        "messages",
        "SPF %",
        "DKIM %",
        "DMARC %"
    )?;
    for s in &o.sources {
        outln!(
            "{:<36} {:>9} {:>7.1} {:>7.1} {:>7.1}  {}",
            s.org,
            s.messages,
            pct(s.spf_aligned, s.messages),
            pct(s.dkim_aligned, s.messages),
            pct(s.dmarc_pass, s.messages),
            s.ip_count
        )?;
    }
    for w in &o.what_if {
        outln!(
            "p={}: {} messages fail DMARC ({:.1} %), {} of them delivered today; {} from known services, {} forwarded, {} unknown",
            w.policy,
            w.affected,
            100.0 * w.share,
            w.newly_affected,
            w.from_known_services,
            w.forwarded,
            w.from_unknown
        )?;
    }
    for f in &o.tls_failures {
        outln!("TLS {} {} {} sessions", f.mx, f.result_type, f.sessions)?;
    }
    Ok(Outcome::Clean)
}

/// Looks up the reverse DNS of the account's report source IPs that have no fresh cached
/// name, through the configured resolver, and caches the answers.
pub fn resolve_account(cli: &Cli, store: &mut Store, account_id: i64) -> anyhow::Result<()> {
    let dns = effective_dns(cli, &store.settings().map_err(input)?)?;
    store.refresh_ip_names(account_id, |ips| {
        reverse_names_blocking(&dns, ips, Duration::from_secs(60)).map_err(input)
    })
}

/// Reverse DNS of every aggregate source IP, once each.
fn resolve(
    cli: &Cli,
    reports: &[(String, Report)],
    deadline: Duration,
) -> anyhow::Result<HashMap<String, ReverseName>> {
    let ips: BTreeSet<String> = reports
        .iter()
        .filter_map(|(_, r)| match r {
            Report::Aggregate(a) => Some(a.records.iter().map(|r| r.source_ip.clone())),
            _ => None,
        })
        .flatten()
        .collect();
    if ips.is_empty() {
        return Ok(HashMap::new());
    }
    let store = open_store(cli)?;
    let settings = store.settings().map_err(input)?;
    let dns = effective_dns(cli, &settings)?;
    let ips: Vec<String> = ips.into_iter().collect();
    let names = reverse_names_blocking(&dns, &ips, deadline).map_err(input)?;
    Ok(names.into_iter().map(|n| (n.ip.clone(), n)).collect())
}

/// One output line: `file` first, then the report.
#[derive(serde::Serialize)]
struct Line<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

fn text_line(file: &str, report: &Report) -> String {
    match report {
        Report::Aggregate(a) => {
            let total: u64 = a.records.iter().map(|r| r.count).sum();
            let pass: u64 = a
                .records
                .iter()
                .filter(|r| r.dmarc_pass())
                .map(|r| r.count)
                .sum();
            format!(
                "{file}\taggregate\t{}\t{}\t{}\t{} records, {total} messages, {pass} pass DMARC",
                a.org_name,
                a.report_id,
                a.policy.domain,
                a.records.len()
            )
        }
        Report::Failure(f) => format!(
            "{file}\tfailure\t{}\t{}\tfrom {}\t{}",
            f.reporter,
            f.reported_domain.as_deref().unwrap_or("-"),
            f.source_ip.as_deref().unwrap_or("-"),
            f.auth_failure.join(",")
        ),
        Report::Tls(t) => {
            let ok: u64 = t.policies.iter().map(|p| p.successful).sum();
            let bad: u64 = t.policies.iter().map(|p| p.failed).sum();
            format!(
                "{file}\ttls\t{}\t{}\t{ok} sessions ok, {bad} failed",
                t.organization_name, t.report_id
            )
        }
    }
}
