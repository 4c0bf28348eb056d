//! `inboxlens overview`, `timeline` and `search`: the account workspace of the app, as text
//! or JSON (the same structures the app shows).

use inboxlens_core::calendar::day_string;

use crate::Outcome;
use crate::args::{AccountArgs, Cli, Format, SearchArgs};
use crate::output::{input, open_store, print_json, print_json_list};

fn pct(n: u64, d: u64) -> String {
    if d == 0 {
        "—".into()
    } else {
        format!("{:.1} %", 100.0 * n as f64 / d as f64)
    }
}

/// `inboxlens overview --account A`; exit 1 when critical or error findings are open.
pub fn overview(cli: &Cli, args: &AccountArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let account = store.account_by_name(&args.account).map_err(input)?;
    let o = store.account_overview(account.id).map_err(input)?;
    let outcome = if o.open_findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Problems
    };
    if cli.format != Format::Text {
        print_json(cli.format, &o)?;
        return Ok(outcome);
    }
    let r = &o.score.report;
    say!(
        "{}: score {}/100 ({} to {}); scorecard {} met, {} not met, {} unknown",
        o.account,
        r.score,
        day_string(o.score.since),
        day_string(o.score.until - 1),
        r.scorecard.iter().filter(|q| q.status == "met").count(),
        r.scorecard.iter().filter(|q| q.status == "not-met").count(),
        r.scorecard.iter().filter(|q| q.status == "unknown").count(),
    );
    say!("\nOpen findings ({}):", o.open_findings.len());
    if o.open_findings.is_empty() {
        say!("  none at error or critical");
    }
    for f in &o.open_findings {
        say!(
            "  {:<8} {:<10} {:<28} {} — {}",
            f.severity,
            f.area,
            f.target,
            f.id,
            f.title
        );
        if !f.fix.is_empty() {
            say!("           fix: {}", f.fix);
        }
    }
    say!("\nLast audits:");
    for c in &o.audits {
        match &c.checked_at {
            Some(at) => say!(
                "  {:<32} {}  {} ({} findings)",
                c.target,
                at,
                c.verdict.as_deref().unwrap_or(""),
                c.findings
            ),
            None => say!("  {:<32} never audited", c.target),
        }
    }
    say!("\nLast blocklist checks:");
    for c in &o.blocklists {
        match &c.checked_at {
            Some(at) if c.listed.is_empty() => say!("  {:<32} {}  not listed", c.target, at),
            Some(at) => say!(
                "  {:<32} {}  LISTED on {}",
                c.target,
                at,
                c.listed.join(", ")
            ),
            None => say!("  {:<32} never checked", c.target),
        }
    }
    say!(
        "\nFeeds: {} messages, {} bounces ({} hard), {} complaints, {} auto-replies",
        o.feeds.messages,
        o.feeds.bounces,
        o.feeds.hard,
        o.feeds.complaints,
        o.feeds.autoreplies
    );
    say!(
        "Reports: {} aggregate ({} messages, {} pass DMARC), {} failure, {} TLS",
        o.aggregate_reports,
        o.dmarc_messages,
        pct(o.dmarc_pass, o.dmarc_messages),
        o.failure_reports,
        o.tls_reports
    );
    say!(
        "Sending log: {} rows; verified samples: {}",
        o.log_rows,
        o.samples
    );
    Ok(outcome)
}

/// `inboxlens timeline --account A`.
pub fn timeline(cli: &Cli, args: &AccountArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let account = store.account_by_name(&args.account).map_err(input)?;
    let t = store.account_timeline(account.id).map_err(input)?;
    if cli.format != Format::Text {
        print_json(cli.format, &t)?;
        return Ok(Outcome::Clean);
    }
    say!(
        "{:<10} {:>8} {:>8} {:>10} {:>8} {:>8}  bounces by reason",
        "day",
        "sent",
        "bounces",
        "complaints",
        "DMARC",
        "listings"
    );
    for d in &t.days {
        let by: Vec<String> = t
            .reasons
            .iter()
            .zip(&d.bounces)
            .filter(|(_, n)| **n > 0)
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        say!(
            "{:<10} {:>8} {:>8} {:>10} {:>8} {:>8}  {}",
            day_string(d.day),
            d.sent,
            d.bounces.iter().sum::<u64>(),
            d.complaints,
            pct(d.dmarc_pass, d.dmarc_messages),
            d.listings
                .map(|n| n.to_string())
                .unwrap_or_else(|| "".into()),
            by.join(", ")
        );
    }
    say!("\nChanges ({}):", t.events.len());
    for e in &t.events {
        say!(
            "  {}  {:<9} {:<28} {}",
            day_string(e.at),
            e.kind,
            e.target,
            e.title
        );
        for line in &e.evidence {
            say!("      {line}");
        }
    }
    Ok(Outcome::Clean)
}

/// `inboxlens search QUERY`.
pub fn search(cli: &Cli, args: &SearchArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    if args.query.trim().chars().count() < 2 {
        return Err(input("the query needs at least two characters"));
    }
    let hits = store.search(&args.query).map_err(input)?;
    if cli.format != Format::Text {
        print_json_list(cli.format, &hits)?;
        return Ok(Outcome::Clean);
    }
    if hits.is_empty() {
        say!("nothing matches '{}'", args.query.trim());
    }
    for h in &hits {
        say!(
            "{:<20} {:<10} {}{}",
            h.account,
            h.kind,
            h.text,
            if h.detail.is_empty() {
                String::new()
            } else {
                format!("  ({})", h.detail)
            }
        );
    }
    Ok(Outcome::Clean)
}
