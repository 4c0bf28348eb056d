//! `inboxlens verify`: a real message checked the way the receiving mailbox provider did.

use std::io::Read;
use std::time::Duration;

use inboxlens_core::dns::Resolver;
use inboxlens_core::finding::any_failing;
use inboxlens_core::message::{MessageReport, VerifyOptions, verify};
use inboxlens_store::NewCheck;

use crate::Outcome;
use crate::args::{Cli, Format, VerifyArgs};
use crate::lookup::effective_dns;
use crate::output::{input, open_store, print_findings, print_json};

pub fn run(cli: &Cli, args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    let account = match &args.account {
        Some(a) => Some(store.account_by_name(a).map_err(input)?),
        None => None,
    };
    let settings = store.settings().map_err(input)?;
    let name = args.message.display().to_string();
    let mut raw = Vec::new();
    if name == "-" {
        std::io::stdin()
            .read_to_end(&mut raw)
            .map_err(|e| input(format!("stdin: {e}")))?;
    } else {
        let meta = std::fs::metadata(&args.message).map_err(|e| input(format!("{name}: {e}")))?;
        if meta.len() > inboxlens_core::message::MESSAGE_LIMIT as u64 {
            return Err(input(format!(
                "{name}: {} bytes; the limit is {} bytes",
                meta.len(),
                inboxlens_core::message::MESSAGE_LIMIT
            )));
        }
        raw = std::fs::read(&args.message).map_err(|e| input(format!("{name}: {e}")))?;
    }
    let opts = VerifyOptions {
        ip: match &args.ip {
            Some(ip) => Some(
                ip.trim()
                    .parse()
                    .map_err(|_| input(format!("--ip '{ip}' is not an IPv4 or IPv6 address")))?,
            ),
            None => None,
        },
        helo: args.helo.clone(),
        mail_from: args.mail_from.clone(),
    };
    if !(0.1..=600.0).contains(&args.deadline) {
        return Err(input("--deadline must be between 0.1 and 600 seconds"));
    }
    let dns = effective_dns(cli, &settings)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let report = rt.block_on(async {
        let resolver = Resolver::from_settings(&dns).map_err(input)?;
        verify(
            &resolver,
            &raw,
            &opts,
            Duration::from_secs_f64(args.deadline),
        )
        .await
        .map_err(|e| input(format!("{name}: {e}")))
    })?;
    match cli.format {
        Format::Text => print_text(&report)?,
        _ => print_json(cli.format, &report)?,
    }
    if let Some(account) = account {
        store
            .record_check(&NewCheck {
                account_id: Some(account.id),
                kind: "verify",
                target: &name,
                resolver: "",
                result: &serde_json::to_string(&report)?,
            })
            .map_err(input)?;
    }
    Ok(if any_failing(&report.findings) {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn print_text(r: &MessageReport) -> std::io::Result<()> {
    outln!(
        "{}  {}",
        r.verdict.as_str().to_uppercase(),
        r.subject.as_deref().unwrap_or("(no subject)")
    )?;
    outln!("  From      {}", r.from.join(", "))?;
    for s in &r.envelope.sources {
        outln!("  envelope  {s}")?;
    }
    outln!(
        "  SPF       {} for {}",
        format!("{:?}", r.spf.result).to_lowercase(),
        r.spf.domain.as_deref().unwrap_or("?")
    )?;
    for k in &r.dkim {
        outln!(
            "  DKIM      {} d={} s={}{}",
            k.result,
            k.domain,
            k.selector,
            k.reason
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default()
        )?;
    }
    outln!(
        "  DMARC     {} for {} (policy {}, disposition {})",
        r.dmarc.result,
        r.dmarc.from_domain.as_deref().unwrap_or("?"),
        r.dmarc
            .policy
            .map(|p| format!("{p:?}").to_lowercase())
            .unwrap_or_else(|| "none".into()),
        r.dmarc.disposition
    )?;
    if r.arc.result != "none" {
        outln!("  ARC       {} ({} sets)", r.arc.result, r.arc.hops.len())?;
    }
    for x in &r.receiver {
        outln!(
            "  receiver  {} {}={}",
            if x.authserv_id.is_empty() {
                &x.header
            } else {
                &x.authserv_id
            },
            x.method,
            x.result
        )?;
    }
    print_findings(&r.findings)?;
    Ok(())
}
