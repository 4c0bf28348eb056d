//! `inboxlens-eval SUITE PATH`: scores the engine on a corpus suite and prints
//! `SCORE <passed> <total>` followed by every deviation. Run by `cargo xtask eval`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(suite), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: inboxlens-eval bounces|spf-rfc7208|spf-mail-auth|arc-valimail|dkim-mail-auth|arc-mail-auth PATH"
        );
        return ExitCode::from(2);
    };
    if suite == "bounces" {
        return bounces(&PathBuf::from(path));
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
/// (on `expected-crlf.jsonl`). Besides the reason score (SCORE), the other gates of issue #6
/// print `GATE` lines that fail the eval: recipient ≥ 99 %, hard/soft ≥ 98 %, no record for
/// any non-bounce.
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
            let rate = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
            if rate(s.recipient, s.recipient_total) < 0.99 {
                println!("GATE recipient agreement below 99 %");
            }
            if rate(s.hard, s.records) < 0.98 {
                println!("GATE hard/soft agreement below 98 %");
            }
            if s.non_bounces_ok < s.non_bounces {
                println!("GATE a non-bounce gave records");
            }
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
