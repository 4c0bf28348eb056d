//! `inboxlens-eval SUITE PATH`: scores the engine on a corpus suite and prints
//! `SCORE <passed> <total>` followed by every deviation. Run by `cargo xtask eval`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(suite), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: inboxlens-eval spf-rfc7208|spf-mail-auth|arc-valimail|dkim-mail-auth|arc-mail-auth PATH"
        );
        return ExitCode::from(2);
    };
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
