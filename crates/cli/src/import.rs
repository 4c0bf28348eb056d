//! `inboxlens import` and `inboxlens feeds`: feeds into an account's store, and back out.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use inboxlens_store::{FeedFilter, ImportSummary};

use crate::Outcome;
use crate::args::{Cli, FeedsArgs, Format, ImportArgs};
use crate::output::{input, open_store, print_json};

pub fn run(cli: &Cli, args: &ImportArgs) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    let account = store.account_by_name(&args.account).map_err(input)?;
    for p in &args.paths {
        if !p.exists() {
            return Err(input(format!("{}: no such file or directory", p.display())));
        }
    }
    // Sending logs (CSV) go to the log import; everything else is read as feeds.
    let (logs, feeds): (Vec<&std::path::PathBuf>, Vec<&std::path::PathBuf>) = args
        .paths
        .iter()
        .partition(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")));
    let mut log_summaries = Vec::new();
    for p in logs {
        let s = store
            .import_sending_log(account.id, p, &mut |_| {})
            .map_err(input)?;
        for e in &s.errors {
            eprintln!("inboxlens: {}:{}: {}", s.source, e.line, e.reason);
        }
        log_summaries.push(s);
    }
    if feeds.is_empty() {
        if cli.format == Format::Text {
            for s in &log_summaries {
                outln!(
                    "{}: {} rows imported, {} bad rows{}",
                    s.source,
                    s.rows,
                    s.bad_rows,
                    if s.duplicate {
                        " (already imported; nothing added)"
                    } else {
                        ""
                    }
                )?;
            }
        } else {
            print_json(cli.format, &serde_json::json!({ "logs": log_summaries }))?;
        }
        return Ok(Outcome::Clean);
    }
    let feed_paths: Vec<std::path::PathBuf> = feeds.into_iter().cloned().collect();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let started = Instant::now();
    let bar = std::io::stderr().is_terminal();
    let mut last = Instant::now() - Duration::from_secs(1);
    let summary = store
        .import_feeds(
            account.id,
            &feed_paths,
            threads,
            &mut |s: &ImportSummary| {
                if bar && last.elapsed() >= Duration::from_millis(100) {
                    last = Instant::now();
                    progress_line(s, started.elapsed());
                }
                true
            },
        )
        .map_err(|e| {
            anyhow::anyhow!("{e} (batches already committed are kept; re-run to finish)")
        })?;
    if bar {
        eprint!("\r\x1b[2K");
    }
    if !args.offline {
        crate::reports::resolve_account(cli, &mut store, account.id)?;
    }
    for f in &summary.failed {
        eprintln!("inboxlens: {}: {}", f.name, f.reason);
    }
    match cli.format {
        Format::Text => {
            outln!(
                "{} messages read in {:.1} s: {} new, {} already imported; {} records ({} bounces, {} complaints, {} auto-replies, {} other messages); {} reports ({} already imported); {} unreadable",
                summary.messages,
                started.elapsed().as_secs_f64(),
                summary.new_messages,
                summary.duplicates,
                summary.records,
                summary.bounces,
                summary.complaints,
                summary.autoreplies,
                summary.others,
                summary.reports,
                summary.duplicate_reports,
                summary.failed.len()
            )?;
        }
        _ if log_summaries.is_empty() => print_json(cli.format, &summary)?,
        _ => {
            let mut v = serde_json::to_value(&summary)?;
            v["logs"] = serde_json::to_value(&log_summaries)?;
            print_json(cli.format, &v)?;
        }
    }
    for s in &log_summaries {
        if cli.format == Format::Text {
            outln!(
                "{}: {} rows imported, {} bad rows",
                s.source,
                s.rows,
                s.bad_rows
            )?;
        }
    }
    Ok(Outcome::Clean)
}

/// One progress line on stderr (a terminal): messages, records, failures, rate.
fn progress_line(s: &ImportSummary, elapsed: Duration) {
    let rate = s.messages as f64 / elapsed.as_secs_f64().max(0.001);
    let spin = ["|", "/", "-", "\\"][(s.messages / 500 % 4) as usize];
    let name: String = s
        .current
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "\r\x1b[2K{spin} {} messages ({} new, {} records, {} unreadable) {:.0}/s  {name}",
        s.messages,
        s.new_messages,
        s.records,
        s.failed.len(),
        rate
    );
    let _ = err.flush();
}

pub fn day(value: &str, what: &str) -> anyhow::Result<i64> {
    inboxlens_store::day_start(value)
        .ok_or_else(|| input(format!("{what} '{value}' is not a date (YYYY-MM-DD)")))
}

pub fn feeds(cli: &Cli, args: &FeedsArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let account = store.account_by_name(&args.account).map_err(input)?;
    if args.summary {
        let s = store.feed_summary(account.id).map_err(input)?;
        if cli.format == Format::Text {
            outln!(
                "{} messages; {} bounces ({} hard), {} complaints, {} auto-replies",
                s.messages,
                s.bounces,
                s.hard,
                s.complaints,
                s.autoreplies
            )?;
            for c in &s.by_reason {
                let meaning = s
                    .reason_guide
                    .iter()
                    .find(|g| g.name == c.name)
                    .map(|g| format!("  {} Fix: {}", g.meaning, g.fix))
                    .unwrap_or_default();
                outln!("  {:<16} {:>7}{meaning}", c.name, c.count)?;
            }
        } else {
            print_json(cli.format, &s)?;
        }
        return Ok(Outcome::Clean);
    }
    if let Some(kind) = &args.kind
        && !["bounce", "complaint", "autoreply", "delivery"].contains(&kind.as_str())
    {
        return Err(input(format!(
            "--kind '{kind}': use bounce, complaint, autoreply or delivery"
        )));
    }
    if let Some(reason) = &args.reason
        && !inboxlens_core::feeds::record::REASONS.contains(&reason.as_str())
    {
        return Err(input(format!(
            "--reason '{reason}' is not a reason of the taxonomy"
        )));
    }
    let filter = FeedFilter {
        kind: args.kind.clone(),
        reason: args.reason.clone(),
        hard: if args.hard {
            Some(true)
        } else if args.soft {
            Some(false)
        } else {
            None
        },
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
        limit: Some(args.limit),
    };
    let rows = store.feed_records(account.id, &filter).map_err(input)?;
    match cli.format {
        Format::Text => {
            for r in &rows {
                let rec = &r.record;
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    rec.timestamp
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "-".into()),
                    rec.recipient.as_deref().unwrap_or("-"),
                    rec.reason,
                    if rec.hardbounce { "hard" } else { "soft" },
                    rec.diagnosticcode.chars().take(100).collect::<String>()
                )?;
            }
        }
        Format::Json => print_json(cli.format, &rows)?,
        Format::Jsonl => {
            for r in &rows {
                outln!("{}", serde_json::to_string(r)?)?;
            }
        }
    }
    Ok(Outcome::Clean)
}
