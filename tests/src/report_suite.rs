//! Scores the report reader on the corpus folders `dmarc/*` and `tlsrpt/*`.
//!
//! Each folder has `expected-parsedmarc-11.1.0.json` (parsedmarc 11.1.0's parse of every
//! sample, or its rejection); the mail-auth folders also hold mail-auth's own expectations
//! (`NNN.json` beside a DMARC sample; a TLS `rptNN.eml` must read as `rptNN.json`). A sample
//! passes when our verdict agrees: a report of the same type with the same record count,
//! message sum, report id, reporter and per-record source/count/disposition/results (DMARC),
//! the same source/domain/arrival/failure type (failure reports), the same policies and
//! session counts (TLS) — or a rejection where the expectation is one. Where the two
//! expectations disagree (parsedmarc rejects a report mail-auth reads), mail-auth's, the
//! stricter reading of the RFC-conformant report, is used and the disagreement is printed.

use std::collections::BTreeMap;
use std::path::Path;

use inboxlens_core::feeds::batch::decode_one;
use inboxlens_core::feeds::{Decoded, Keep, Report};
use serde_json::Value;

/// One sample's outcome.
#[derive(Debug)]
pub struct Row {
    /// Sample path relative to the folder.
    pub file: String,
    /// `aggregate`, `failure`, `tls`, or `rejected`.
    pub got: String,
    /// Records (DMARC aggregate), policies (TLS), or 0.
    pub records: usize,
    /// Messages (DMARC) or sessions (TLS).
    pub messages: u64,
    /// Agreement with the expectation.
    pub ok: bool,
    /// What differed, or the rejection reason / a note.
    pub note: String,
}

/// Runs the folder.
pub fn run(dir: &Path) -> Result<Vec<Row>, String> {
    let expected_path = dir.join("expected-parsedmarc-11.1.0.json");
    let text = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: {e}", expected_path.display()))?;
    let expected: BTreeMap<String, Value> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", expected_path.display()))?;
    let mut rows = Vec::new();
    for (file, want) in &expected {
        let path = dir.join(file);
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let got = match decode_one(file.clone(), data, Keep::Records) {
            Decoded::Message {
                report: Some(r), ..
            } => Ok(*r),
            Decoded::Message { .. } => Err("not a report".to_string()),
            Decoded::Failed { reason, .. } => Err(reason),
        };
        rows.push(score(dir, file, want, got));
    }
    Ok(rows)
}

fn score(dir: &Path, file: &str, want: &Value, got: Result<Report, String>) -> Row {
    let mut row = Row {
        file: file.to_string(),
        got: "rejected".into(),
        records: 0,
        messages: 0,
        ok: false,
        note: String::new(),
    };
    let report = match got {
        Ok(r) => r,
        Err(reason) => {
            row.ok = want["ok"] == Value::Bool(false);
            row.note = reason;
            return row;
        }
    };
    row.got = report.kind().into();
    let mut wrong: Vec<String> = Vec::new();
    match &report {
        Report::Aggregate(a) => {
            row.records = a.records.len();
            row.messages = a.records.iter().map(|r| r.count).sum();
        }
        Report::Tls(t) => {
            row.records = t.policies.len();
            row.messages = t.policies.iter().map(|p| p.successful + p.failed).sum();
        }
        Report::Failure(_) => {}
    }
    if want["ok"] != Value::Bool(true) {
        // parsedmarc rejects it: accepted only when mail-auth's expectation reads it.
        match mail_auth_twin(dir, file) {
            Some(twin) if twin == report => {
                row.ok = true;
                row.note = format!(
                    "parsedmarc rejects ({}); read as mail-auth expects (same as its .json)",
                    want["error"]
                        .as_str()
                        .unwrap_or("?")
                        .lines()
                        .next()
                        .unwrap_or("")
                );
            }
            _ => {
                row.note = format!(
                    "read, but parsedmarc rejects it: {}",
                    want["error"].as_str().unwrap_or("?")
                );
            }
        }
        return row;
    }
    let w = &want["report"];
    let kind = want["report_type"].as_str().unwrap_or("");
    match (&report, kind) {
        (Report::Aggregate(a), "aggregate") => {
            let wr = w["records"].as_array().cloned().unwrap_or_default();
            if wr.len() != a.records.len() {
                wrong.push(format!(
                    "{} records (expected {})",
                    a.records.len(),
                    wr.len()
                ));
            }
            let want_sum: u64 = wr.iter().filter_map(|r| r["count"].as_u64()).sum();
            if want_sum != row.messages {
                wrong.push(format!("{} messages (expected {want_sum})", row.messages));
            }
            let meta = &w["report_metadata"];
            if meta["report_id"].as_str() != Some(a.report_id.as_str()) {
                wrong.push(format!(
                    "report id {:?} (expected {})",
                    a.report_id, meta["report_id"]
                ));
            }
            // parsedmarc lower-cases reporter names; the name is compared as a name.
            if !meta["org_name"]
                .as_str()
                .unwrap_or("")
                .eq_ignore_ascii_case(&a.org_name)
            {
                wrong.push(format!(
                    "org {:?} (expected {})",
                    a.org_name, meta["org_name"]
                ));
            }
            if w["policy_published"]["domain"]
                .as_str()
                .map(str::to_ascii_lowercase)
                != Some(a.policy.domain.clone())
            {
                wrong.push(format!("policy domain {:?}", a.policy.domain));
            }
            let mut ours: Vec<String> = a
                .records
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {} {}",
                        r.source_ip, r.count, r.disposition, r.dkim, r.spf
                    )
                })
                .collect();
            let mut theirs: Vec<String> = wr
                .iter()
                .map(|r| {
                    let pe = &r["policy_evaluated"];
                    let s = |v: &Value| v.as_str().unwrap_or("").to_ascii_lowercase();
                    format!(
                        "{} {} {} {} {}",
                        r["source"]["ip_address"].as_str().unwrap_or(""),
                        r["count"].as_u64().unwrap_or(0),
                        s(&pe["disposition"]),
                        s(&pe["dkim"]),
                        s(&pe["spf"])
                    )
                })
                .collect();
            ours.sort();
            theirs.sort();
            if ours != theirs {
                let diff: Vec<&String> = ours
                    .iter()
                    .filter(|o| !theirs.contains(o))
                    .take(3)
                    .collect();
                wrong.push(format!("records differ, e.g. {diff:?}"));
            }
            // mail-auth's own expectation, where there is one.
            if let Some(ma) = mail_auth_json(dir, file) {
                let recs = ma["record"].as_array().cloned().unwrap_or_default();
                let sum: u64 = recs.iter().filter_map(|r| r["row"]["count"].as_u64()).sum();
                if recs.len() != a.records.len() || sum != row.messages {
                    wrong.push(format!(
                        "mail-auth expects {} records / {sum} messages",
                        recs.len()
                    ));
                }
                if ma["report_metadata"]["report_id"].as_str() != Some(a.report_id.as_str()) {
                    wrong.push("report id differs from mail-auth's".into());
                }
            }
        }
        (Report::Failure(f), "failure") => {
            let s = |v: &Value| {
                v.as_str()
                    .map(|x| x.trim_matches(['<', '>', ' ']).to_ascii_lowercase())
            };
            if s(&w["source"]["ip_address"]) != f.source_ip.clone() {
                wrong.push(format!("source IP {:?}", f.source_ip));
            }
            if s(&w["reported_domain"]) != f.reported_domain {
                wrong.push(format!("reported domain {:?}", f.reported_domain));
            }
            if s(&w["feedback_type"]).as_deref() != Some(f.feedback_type.as_str()) {
                wrong.push(format!("feedback type {}", f.feedback_type));
            }
            if s(&w["delivery_result"]) != f.delivery_result {
                wrong.push(format!("delivery result {:?}", f.delivery_result));
            }
            let want_fail: Vec<String> = w["auth_failure"]
                .as_array()
                .map(|a| a.iter().filter_map(&s).collect())
                .unwrap_or_default();
            if want_fail != f.auth_failure {
                wrong.push(format!("auth failure {:?}", f.auth_failure));
            }
            let ours_rcpt = f
                .original_rcpt_to
                .as_deref()
                .map(|v| v.trim_matches(['<', '>', ' ']).to_ascii_lowercase());
            if s(&w["original_rcpt_to"]) != ours_rcpt {
                wrong.push(format!("original rcpt {:?}", f.original_rcpt_to));
            }
            let arrival = f.arrival.map(|t| {
                mail_parser::DateTime::from_timestamp(t)
                    .to_rfc3339()
                    .replace('T', " ")
                    .trim_end_matches('Z')
                    .to_string()
            });
            if w["arrival_date_utc"].as_str().map(str::to_string) != arrival {
                wrong.push(format!("arrival {arrival:?}"));
            }
        }
        (Report::Tls(t), "smtp_tls") => {
            if w["report_id"].as_str() != Some(t.report_id.as_str()) {
                wrong.push(format!("report id {:?}", t.report_id));
            }
            if w["organization_name"].as_str() != Some(t.organization_name.as_str()) {
                wrong.push(format!("organization {:?}", t.organization_name));
            }
            let wp = w["policies"].as_array().cloned().unwrap_or_default();
            let ours: Vec<String> = t
                .policies
                .iter()
                .map(|p| {
                    format!(
                        "{} {} {} {} {}",
                        p.policy_domain,
                        p.policy_type,
                        p.successful,
                        p.failed,
                        p.failures.len()
                    )
                })
                .collect();
            let theirs: Vec<String> = wp
                .iter()
                .map(|p| {
                    format!(
                        "{} {} {} {} {}",
                        p["policy_domain"]
                            .as_str()
                            .unwrap_or("")
                            .to_ascii_lowercase(),
                        p["policy_type"].as_str().unwrap_or(""),
                        p["successful_session_count"].as_u64().unwrap_or(0),
                        p["failed_session_count"].as_u64().unwrap_or(0),
                        p["failure_details"].as_array().map_or(0, Vec::len)
                    )
                })
                .collect();
            if ours != theirs {
                wrong.push(format!("policies {ours:?} (expected {theirs:?})"));
            }
            if let Some(twin) = mail_auth_twin(dir, file)
                && twin != report
            {
                wrong.push("differs from the same report's .json (mail-auth)".into());
            }
        }
        (r, k) => wrong.push(format!("read as {} (expected {k})", r.kind())),
    }
    row.ok = wrong.is_empty();
    row.note = wrong.join("; ");
    row
}

/// mail-auth's expected parse of a DMARC sample (`NNN.json` beside `NNN.xml`/`NNN.eml`).
fn mail_auth_json(dir: &Path, file: &str) -> Option<Value> {
    if !dir.ends_with("dmarc/mail-auth") {
        return None;
    }
    let json = dir.join(Path::new(file).with_extension("json"));
    serde_json::from_str(&std::fs::read_to_string(json).ok()?).ok()
}

/// For a TLS report mail in the mail-auth folder, our parse of its `.json` twin.
fn mail_auth_twin(dir: &Path, file: &str) -> Option<Report> {
    if !dir.ends_with("tlsrpt/mail-auth") || !file.ends_with(".eml") {
        return None;
    }
    let twin = Path::new(file).with_extension("json");
    let data = std::fs::read(dir.join(&twin)).ok()?;
    match decode_one(twin.display().to_string(), data, Keep::Records) {
        Decoded::Message {
            report: Some(r), ..
        } => Some(*r),
        _ => None,
    }
}

/// Prints the table.
pub fn print(dir: &str, rows: &[Row]) {
    println!("{dir}");
    println!(
        "  {:<4} {:<9} {:>7} {:>9}  file / note",
        "ok", "read as", "records", "messages"
    );
    for r in rows {
        let file: String = r.file.chars().take(70).collect();
        println!(
            "  {:<4} {:<9} {:>7} {:>9}  {file}{}",
            if r.ok { "yes" } else { "NO" },
            r.got,
            r.records,
            r.messages,
            if r.note.is_empty() {
                String::new()
            } else {
                format!("\n{:>34}{}", "", r.note)
            }
        );
    }
}
