//! `inboxlens score` and `inboxlens rules …`: sending-habit scoring against the rule set in
//! the database (DESIGN.md §3, §4).

use std::io::{Read, Write};
use std::path::Path;

use inboxlens_core::habits::{METRICS, Outcome as RuleOutcome, compile, parse_rule};
use serde_json::json;

use crate::Outcome;
use crate::args::{Cli, Format, ReportArgs, RulesCommand, ScoreArgs};
use crate::import::day;
use crate::output::{input, open_store, print_json};

pub fn run(cli: &Cli, args: &ScoreArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let account = store.account_by_name(&args.account).map_err(input)?;
    let since = args
        .since
        .as_deref()
        .map(|d| day(d, "--since"))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|d| day(d, "--until").map(|t| t + 86_400))
        .transpose()?;
    let scored = store
        .score_account(account.id, since, until)
        .map_err(input)?;
    let (report, invalid, start, end) = (
        scored.report,
        scored.invalid_rules,
        scored.since,
        scored.until,
    );
    for e in &invalid {
        eprintln!("inboxlens: {e} (rule skipped)");
    }
    let failing = report
        .fired
        .iter()
        .any(|f| f.severity == "critical" || f.severity == "error");
    match cli.format {
        Format::Text => {
            let day = inboxlens_core::calendar::day_string;
            say!(
                "{}: score {}/100 ({} rules, {} fired, {} without data) for {} to {}",
                account.name,
                report.score,
                report.rules,
                report.fired.len(),
                report.unjudged.len(),
                day(start),
                day(end - 1)
            );
            for a in report.areas.iter().filter(|a| a.lost > 0) {
                say!("  {:<15} -{}", a.area, a.lost);
            }
            for f in &report.fired {
                let values: Vec<String> =
                    f.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                say!(
                    "[{}] -{} {}: {} ({})\n    fix: {}",
                    f.severity,
                    f.weight,
                    f.id,
                    f.title,
                    values.join(", "),
                    f.fix
                );
            }
            for r in &report.scorecard {
                say!("{:<9} {:<8} {}", r.provider, r.status, r.requirement);
            }
        }
        _ => print_json(
            cli.format,
            &json!({
                "account": account.name,
                "since": start,
                "until": end,
                "score": report.score,
                "metrics": report.metrics,
                "areas": report.areas,
                "findings": report.fired,
                "unjudged": report.unjudged,
                "rules": report.rules,
                "scorecard": report.scorecard,
                "invalid_rules": invalid,
            }),
        )?,
    }
    Ok(if failing {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| input(format!("stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| input(format!("{}: {e}", path.display())))
}

pub fn rules(cli: &Cli, cmd: &RulesCommand) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    match cmd {
        RulesCommand::List => {
            let rules = store.rules().map_err(input)?;
            if cli.format == Format::Text {
                for r in &rules {
                    let (area, sev, w, title) =
                        r.rule.as_ref().map_or(("?", "?", 0, "(invalid)"), |x| {
                            (
                                x.area.as_str(),
                                x.severity.as_str(),
                                x.weight,
                                x.title.as_str(),
                            )
                        });
                    let state = match (r.enabled, r.builtin, r.user_edited) {
                        (false, _, _) => "off",
                        (true, true, true) => "edited",
                        (true, true, false) => "shipped",
                        (true, false, _) => "own",
                    };
                    say!(
                        "{:<36} {:<15} {:<8} {:>3} {:<7} {title}",
                        r.id,
                        area,
                        sev,
                        w,
                        state
                    );
                }
            } else {
                print_json(cli.format, &rules)?;
            }
        }
        RulesCommand::Show { id } => {
            let r = store.rule(id).map_err(input)?;
            if cli.format == Format::Text {
                let _ = write!(std::io::stdout().lock(), "{}", r.toml);
            } else {
                print_json(cli.format, &r)?;
            }
        }
        RulesCommand::Test => {
            let mut bad = 0usize;
            let rules = store.rules().map_err(input)?;
            let mut results = Vec::new();
            for r in &rules {
                let result = parse_rule(&r.toml, &r.id).and_then(compile);
                let (ok, detail) = match &result {
                    Err(e) => (false, e.to_string()),
                    Ok(c) => {
                        let failing = c.failing_examples();
                        let text: Vec<String> = failing
                            .iter()
                            .map(|(n, want, got)| {
                                format!(
                                    "example {n}: expected {} but {}",
                                    if *want { "fires" } else { "passes" },
                                    match got {
                                        RuleOutcome::Fired => "fired".to_string(),
                                        RuleOutcome::Passed => "passed".to_string(),
                                        RuleOutcome::Unknown { missing } =>
                                            format!("no value for {}", missing.join(", ")),
                                        RuleOutcome::Error { message } => message.clone(),
                                    }
                                )
                            })
                            .collect();
                        (failing.is_empty(), text.join("; "))
                    }
                };
                if !ok {
                    bad += 1;
                }
                let examples = r.rule.as_ref().map_or(0, |x| x.examples.len());
                if cli.format == Format::Text {
                    say!(
                        "{} {} ({examples} examples){}",
                        if ok { "ok  " } else { "FAIL" },
                        r.id,
                        if detail.is_empty() {
                            String::new()
                        } else {
                            format!(": {detail}")
                        }
                    );
                }
                results.push(json!({"id": r.id, "ok": ok, "examples": examples, "detail": detail}));
            }
            if cli.format != Format::Text {
                print_json(cli.format, &results)?;
            } else {
                say!("{} rules, {} failing", rules.len(), bad);
            }
            return Ok(if bad > 0 {
                Outcome::Problems
            } else {
                Outcome::Clean
            });
        }
        RulesCommand::Export => {
            let _ = write!(
                std::io::stdout().lock(),
                "{}",
                store.export_rules().map_err(input)?
            );
        }
        RulesCommand::Import { file } => {
            let ids = store.import_rules(&read_text(file)?).map_err(input)?;
            if cli.format == Format::Text {
                say!("{} rules imported", ids.len());
            } else {
                print_json(cli.format, &ids)?;
            }
        }
        RulesCommand::Add { file } => {
            let r = store.save_rule(&read_text(file)?).map_err(input)?;
            if cli.format == Format::Text {
                say!("saved {}", r.id);
            } else {
                print_json(cli.format, &r)?;
            }
        }
        RulesCommand::Enable { id } | RulesCommand::Disable { id } => {
            let on = matches!(cmd, RulesCommand::Enable { .. });
            store.set_rule_enabled(id, on).map_err(input)?;
            if cli.format == Format::Text {
                say!("{id} {}", if on { "enabled" } else { "disabled" });
            }
        }
        RulesCommand::Rm { id } => store.delete_rule(id).map_err(input)?,
        RulesCommand::Reset { id } => store.reset_rule(id).map_err(input)?,
        RulesCommand::Metrics => {
            if cli.format == Format::Text {
                for m in METRICS {
                    say!("{:<28} {:<7} {}", m.name, m.kind, m.description);
                }
            } else {
                print_json(cli.format, &METRICS)?;
            }
        }
    }
    Ok(Outcome::Clean)
}

/// `inboxlens report`: the account report as HTML (or JSON).
pub fn report(cli: &Cli, args: &ReportArgs) -> anyhow::Result<Outcome> {
    let store = open_store(cli)?;
    let account = store.account_by_name(&args.account).map_err(input)?;
    let r = store
        .account_report(account.id, args.include_personal_data)
        .map_err(input)?;
    let text = match cli.format {
        Format::Text => inboxlens_store::render_html(&r),
        _ => serde_json::to_string_pretty(&r)? + "\n",
    };
    match &args.out {
        Some(path) => inboxlens_store::write_atomically(path, text.as_bytes())
            .map_err(|e| input(format!("{}: {e}", path.display())))?,
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(Outcome::Clean)
}
