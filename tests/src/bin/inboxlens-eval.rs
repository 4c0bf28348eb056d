//! `inboxlens-eval SUITE PATH`: scores the engine on a corpus suite and prints
//! `SCORE <passed> <total>` followed by every deviation. Run by `cargo xtask eval`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(suite), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: inboxlens-eval bounces|arf|reports|spf-rfc7208|spf-mail-auth|arc-valimail|dkim-mail-auth|arc-mail-auth PATH"
        );
        return ExitCode::from(2);
    };
    if suite == "bounces" {
        return bounces(&PathBuf::from(path));
    }
    if suite == "arf" {
        return arf(&PathBuf::from(path));
    }
    if suite == "reports" {
        return reports(&PathBuf::from(path));
    }
    let outcome = match suite.as_str() {
        "spf-rfc7208" => inboxlens_tests::spf_suite::run(&PathBuf::from(path)),
        "spf-mail-auth" => inboxlens_tests::spf_mail_auth::run(&PathBuf::from(path)),
        "arc-valimail" => inboxlens_tests::message_suites::arc_valimail(&PathBuf::from(path)),
        "dkim-mail-auth" => {
            inboxlens_tests::message_suites::mail_auth_samples(&PathBuf::from(path), false)
        }
        "arc-mail-auth" => {
            inboxlens_tests::message_suites::mail_auth_samples(&PathBuf::from(path), true)
        }
        other => Err(format!("unknown suite '{other}'")),
    };
    match outcome {
        Ok(o) => {
            println!("SCORE {} {}", o.passed, o.total);
            for f in &o.failures {
                println!("DEVIATION {f}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("inboxlens-eval: {e}");
            ExitCode::from(2)
        }
    }
}

/// `bounces DIR`: DIR is `…/bounces/dev` (scored on `expected.jsonl`) or `…/bounces/dev-crlf`
/// (on `expected-crlf.jsonl`). SCORE is the reason agreement; METRIC lines carry the other
/// measures of issue #6 (recipient, hard/soft, non-bounces), gated by `cargo xtask eval`.
fn bounces(dir: &std::path::Path) -> ExitCode {
    let crlf = dir.file_name().is_some_and(|n| n == "dev-crlf");
    let expected = dir.parent().unwrap_or(dir).join(if crlf {
        "expected-crlf.jsonl"
    } else {
        "expected.jsonl"
    });
    match inboxlens_tests::bounce_suite::run(dir, &expected) {
        Ok(s) => {
            inboxlens_tests::bounce_suite::print(&dir.display().to_string(), &s);
            println!("SCORE {} {}", s.reason, s.records);
            println!("METRIC recipient {} {}", s.recipient, s.recipient_total);
            println!("METRIC hard/soft {} {}", s.hard, s.records);
            println!(
                "METRIC non-bounces-without-record {} {}",
                s.non_bounces_ok, s.non_bounces
            );
            for f in &s.failures {
                println!("DEVIATION {f}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("inboxlens-eval: {e}");
            ExitCode::from(2)
        }
    }
}

/// `arf DIR`: mail-auth's ARF samples (`NNN.eml` with the expected parse in `NNN.json`).
/// A sample passes when every field the expectation fills agrees: feedback type, arrival
/// date, original sender and recipient, source IP.
fn arf(dir: &std::path::Path) -> ExitCode {
    let mut passed = 0;
    let mut total = 0;
    let mut failures = Vec::new();
    let mut names: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect(),
        Err(e) => {
            eprintln!("inboxlens-eval: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    names.sort();
    let addr = |v: &serde_json::Value| {
        v.as_str()
            .map(|s| s.trim_matches(['<', '>', ' ']).to_ascii_lowercase())
    };
    for eml in names {
        total += 1;
        let name = eml
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let (Ok(raw), Ok(json)) = (
            std::fs::read(&eml),
            std::fs::read_to_string(eml.with_extension("json")),
        ) else {
            failures.push(format!("{name}: unreadable sample"));
            continue;
        };
        let Ok(want) = serde_json::from_str::<serde_json::Value>(&json) else {
            failures.push(format!("{name}: expectation is not JSON"));
            continue;
        };
        let got = match inboxlens_core::feeds::decode(&raw, &name, Default::default()) {
            Ok(mut r) if !r.is_empty() => r.remove(0),
            Ok(_) => {
                failures.push(format!("{name}: no record"));
                continue;
            }
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut wrong = Vec::new();
        let ftype = want["feedback_type"].as_str().unwrap_or("").to_string();
        let ftype = match ftype.as_str() {
            "AuthFailure" => "auth-failure".to_string(),
            "NotSpam" => "not-spam".to_string(),
            other => other.to_ascii_lowercase(),
        };
        if got.feedbacktype != ftype {
            wrong.push(format!(
                "feedback type {} (expected {ftype})",
                got.feedbacktype
            ));
        }
        if let Some(t) = want["arrival_date"].as_i64()
            && got.timestamp != Some(t)
        {
            wrong.push(format!("arrival {:?} (expected {t})", got.timestamp));
        }
        if let Some(a) = addr(&want["original_mail_from"])
            && got.addresser.as_deref() != Some(a.as_str())
        {
            wrong.push(format!(
                "original sender {:?} (expected {a})",
                got.addresser
            ));
        }
        if let Some(a) = addr(&want["original_rcpt_to"])
            && got.recipient.as_deref() != Some(a.as_str())
        {
            wrong.push(format!(
                "original recipient {:?} (expected {a})",
                got.recipient
            ));
        }
        if let Some(ip) = want["source_ip"].as_str()
            && got.rhost != ip
        {
            wrong.push(format!("source IP {} (expected {ip})", got.rhost));
        }
        if wrong.is_empty() {
            passed += 1;
        } else {
            failures.push(format!("{name}: {}", wrong.join("; ")));
        }
    }
    println!("SCORE {passed} {total}");
    for f in failures {
        println!("DEVIATION {f}");
    }
    ExitCode::SUCCESS
}

/// `reports DIR`: a `dmarc/*` or `tlsrpt/*` folder, scored against its expectations (see
/// `report_suite`); the table of every sample is printed.
fn reports(dir: &std::path::Path) -> ExitCode {
    match inboxlens_tests::report_suite::run(dir) {
        Ok(rows) => {
            inboxlens_tests::report_suite::print(&dir.display().to_string(), &rows);
            let passed = rows.iter().filter(|r| r.ok).count();
            println!("SCORE {passed} {}", rows.len());
            for r in rows.iter().filter(|r| !r.ok) {
                println!("DEVIATION {}: {}", r.file, r.note);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("inboxlens-eval: {e}");
            ExitCode::from(2)
        }
    }
}
