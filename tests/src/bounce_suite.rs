//! Scores `inboxlens bounces` on the sisimai set (`../shared/corpus/bounces`), as its README
//! says: strict on lines whose `table_check` is `agree`, `none` or `is-table`; either value
//! for `disagree`; `disputed` and `unknown` skipped; files expected to give no record must
//! give none. Prints a confusion table of the reason mismatches.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Scores of one run.
#[derive(Debug, Default)]
pub struct BounceScore {
    /// Strictly scored records.
    pub records: usize,
    /// Records whose reason agrees.
    pub reason: usize,
    /// Records whose recipient agrees (of those with an expected recipient).
    pub recipient: usize,
    /// Records with an expected recipient.
    pub recipient_total: usize,
    /// Records whose hard/soft verdict agrees.
    pub hard: usize,
    /// Files expected to give no record.
    pub non_bounces: usize,
    /// Of those, the ones that gave none.
    pub non_bounces_ok: usize,
    /// Records produced beyond the expected ones (files with expectations).
    pub extra: usize,
    /// Deviations, one line each.
    pub failures: Vec<String>,
    /// (expected reason, got reason) → count, for mismatches.
    pub confusion: BTreeMap<(String, String), usize>,
}

/// The `inboxlens` binary next to the running one (target/debug).
fn cli() -> PathBuf {
    let me = std::env::current_exe().unwrap_or_default();
    me.with_file_name("inboxlens")
}

/// Runs `inboxlens bounces DIR` and scores it against `expected` (jsonl).
pub fn run(dir: &Path, expected: &Path) -> Result<BounceScore, String> {
    let corpus_root = expected
        .parent()
        .ok_or("expected file has no parent folder")?
        .to_path_buf();
    let out = std::process::Command::new(cli())
        .args(["--format", "jsonl", "bounces"])
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cli().display()))?;
    if !out.status.success() {
        return Err(format!(
            "inboxlens bounces failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut got: HashMap<String, Vec<Value>> = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("bad output line: {e}"))?;
        let file = v["file"].as_str().unwrap_or_default();
        // An mbox file's messages are file#N; its expectations are per file.
        let file = match file.rsplit_once('#') {
            Some((f, n)) if n.chars().all(|c| c.is_ascii_digit()) => f,
            _ => file,
        };
        let rel = Path::new(file)
            .strip_prefix(&corpus_root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| file.to_string());
        got.entry(rel).or_default().push(v);
    }
    let text =
        std::fs::read_to_string(expected).map_err(|e| format!("{}: {e}", expected.display()))?;
    let mut by_file: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("expected: {e}"))?;
        let file = v["file"].as_str().unwrap_or_default().to_string();
        by_file.entry(file).or_default().push(v);
    }
    let mut score = BounceScore::default();
    for (file, lines) in &by_file {
        let empty = Vec::new();
        let ours = got.get(file).unwrap_or(&empty);
        let check = lines[0]["table_check"].as_str().unwrap_or("");
        if matches!(check, "disputed" | "unknown") {
            continue;
        }
        if lines[0]["count"].as_u64() == Some(0) {
            score.non_bounces += 1;
            if ours.is_empty() {
                score.non_bounces_ok += 1;
            } else {
                score.failures.push(format!(
                    "{file}: not a bounce, but {} record(s) returned",
                    ours.len()
                ));
            }
            continue;
        }
        if ours.len() > lines.len() {
            score.extra += ours.len() - lines.len();
            score.failures.push(format!(
                "{file}: {} record(s), expected {} ({})",
                ours.len(),
                lines.len(),
                ours.iter()
                    .map(|o| o["recipient"].as_str().unwrap_or("-").to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut used = vec![false; ours.len()];
        for (i, exp) in lines.iter().enumerate() {
            let check = exp["table_check"].as_str().unwrap_or("");
            score.records += 1;
            let want_rcpt = exp["recipient"].as_str().map(str::to_ascii_lowercase);
            // Match by recipient, else by position.
            let pick = want_rcpt
                .as_ref()
                .and_then(|r| {
                    ours.iter()
                        .enumerate()
                        .find(|(j, o)| !used[*j] && o["recipient"].as_str() == Some(r.as_str()))
                        .map(|(j, _)| j)
                })
                .or_else(|| (i < ours.len() && !used[i]).then_some(i))
                .or_else(|| used.iter().position(|u| !u));
            let Some(j) = pick else {
                score.failures.push(format!(
                    "{file} #{}: no record (expected {} for {})",
                    i + 1,
                    exp["reason"].as_str().unwrap_or("?"),
                    want_rcpt.as_deref().unwrap_or("?")
                ));
                *score
                    .confusion
                    .entry((
                        exp["reason"].as_str().unwrap_or("?").to_string(),
                        "(none)".into(),
                    ))
                    .or_default() += 1;
                if want_rcpt.is_some() {
                    score.recipient_total += 1;
                }
                continue;
            };
            used[j] = true;
            let o = &ours[j];
            let table = &exp["table"];
            let accept = |field: &str, got: &Value| -> bool {
                *got == exp[field]
                    || (check == "disagree" && table.get(field).is_some_and(|t| t == got))
            };
            let got_reason = o["reason"].clone();
            if accept("reason", &got_reason) {
                score.reason += 1;
            } else {
                let (e, g) = (
                    exp["reason"].as_str().unwrap_or("?").to_string(),
                    got_reason.as_str().unwrap_or("?").to_string(),
                );
                score.failures.push(format!(
                    "{file} #{}: reason {g}, expected {e} — {}",
                    i + 1,
                    o["diagnosticcode"]
                        .as_str()
                        .unwrap_or("")
                        .chars()
                        .take(140)
                        .collect::<String>()
                ));
                *score.confusion.entry((e, g)).or_default() += 1;
            }
            if accept("hardbounce", &o["hardbounce"]) {
                score.hard += 1;
            } else {
                score.failures.push(format!(
                    "{file} #{}: hardbounce {}, expected {}",
                    i + 1,
                    o["hardbounce"],
                    exp["hardbounce"]
                ));
            }
            if let Some(want) = &want_rcpt {
                score.recipient_total += 1;
                let got = o["recipient"].as_str();
                // sisimai names an ARF report without any recipient
                // "undisclosed-recipient-in-headers@libsisimai.org.invalid"; we report none.
                let placeholder = want.ends_with("@libsisimai.org.invalid") && got.is_none();
                if got == Some(want.as_str()) || placeholder {
                    score.recipient += 1;
                } else {
                    score.failures.push(format!(
                        "{file} #{}: recipient {:?}, expected {want}",
                        i + 1,
                        got
                    ));
                }
            }
        }
    }
    Ok(score)
}

/// Prints the score table and the confusion table.
pub fn print(name: &str, s: &BounceScore) {
    let pct = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            a as f64 * 100.0 / b as f64
        }
    };
    println!(
        "TABLE {name}: reason {}/{} ({:.1} %), recipient {}/{} ({:.1} %), hard/soft {}/{} ({:.1} %), non-bounces with no record {}/{}, extra records {}",
        s.reason,
        s.records,
        pct(s.reason, s.records),
        s.recipient,
        s.recipient_total,
        pct(s.recipient, s.recipient_total),
        s.hard,
        s.records,
        pct(s.hard, s.records),
        s.non_bounces_ok,
        s.non_bounces,
        s.extra
    );
    if !s.confusion.is_empty() {
        println!("TABLE confusion (expected -> got: count)");
        for ((e, g), n) in &s.confusion {
            println!("TABLE   {e:<16} -> {g:<16} {n}");
        }
    }
}
