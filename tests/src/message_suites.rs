//! Message-verification suites through the real DNS path: the ValiMail ARC validation suite
//! (`cv` per test) and mail-auth's DKIM and ARC samples (DNS TXT lines, a blank line, the
//! message). Keys are served by the loopback fixture; messages go through
//! `inboxlens_core::message::verify` exactly as `inboxlens verify` runs them.

use std::path::Path;
use std::time::Duration;

use inboxlens_core::message::{MessageReport, VerifyOptions, verify};
use serde_norway::Value;

use crate::dns_fixture::{DnsFixture, FixtureRecord};
use crate::spf_suite::SuiteOutcome;

fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn txt(text: &str) -> FixtureRecord {
    FixtureRecord::Txt(text.as_bytes().chunks(255).map(<[u8]>::to_vec).collect())
}

fn run_one(
    rt: &tokio::runtime::Runtime,
    fixture: &DnsFixture,
    message: &str,
) -> Result<Option<MessageReport>, String> {
    let ns = fixture.nameserver();
    rt.block_on(async {
        let resolver = crate::resolver(&ns, 0.5);
        Ok(verify(
            &resolver,
            message.as_bytes(),
            &VerifyOptions::default(),
            Duration::from_secs(10),
        )
        .await
        .ok())
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// The suite repeats a few test names within a document (YAML forbids duplicate keys):
/// later ones get a `#2`, `#3` suffix so every test is run.
fn dedupe_test_names(text: &str) -> String {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") {
            seen.clear();
        }
        let bare = line.trim_end();
        let is_test_key = bare.starts_with("  ")
            && !bare.starts_with("   ")
            && bare.ends_with(':')
            && bare[2..bare.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if is_test_key {
            let n = seen.entry(bare.to_string()).or_insert(0);
            *n += 1;
            if *n > 1 {
                out.push_str(&format!("{}#{}:\n", &bare[..bare.len() - 1], n));
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// The ValiMail ARC validation suite: our ARC result against each test's `cv`.
pub fn arc_valimail(path: &Path) -> Result<SuiteOutcome, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = dedupe_test_names(&text);
    let rt = runtime()?;
    let mut outcome = SuiteOutcome::default();
    for doc in serde_norway::Deserializer::from_str(&text) {
        let scenario: Value = <Value as serde::Deserialize>::deserialize(doc)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let mut records = Vec::new();
        if let Some(Value::Mapping(m)) = scenario.get("txt-records") {
            for (k, v) in m {
                if let (Some(name), Some(value)) = (k.as_str(), v.as_str()) {
                    records.push((name.to_string(), txt(value)));
                }
            }
        }
        let fixture = DnsFixture::serve(&records, &[])?;
        let Some(Value::Mapping(tests)) = scenario.get("tests") else {
            continue;
        };
        for (name, t) in tests {
            let name = name.as_str().unwrap_or("?");
            outcome.total += 1;
            let want = t
                .get("cv")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            // The suite's empty cv marks a chain that must not validate.
            let want = if want.is_empty() {
                "fail".to_string()
            } else {
                want
            };
            let message = crlf(t.get("message").and_then(Value::as_str).unwrap_or(""));
            let got = match run_one(&rt, &fixture, &message)? {
                None => "none".to_string(),
                Some(r) => match r.arc.result.as_str() {
                    "pass" => "pass".to_string(),
                    "none" => "none".to_string(),
                    _ => "fail".to_string(),
                },
            };
            if got == want {
                outcome.passed += 1;
            } else {
                outcome.failures.push(format!(
                    "{name} ({}): got cv={got}, expected {want}",
                    t.get("description").and_then(Value::as_str).unwrap_or("")
                ));
            }
        }
    }
    Ok(outcome)
}

/// mail-auth's samples in `dir`: the DKIM cases pass when the last DKIM signature passes,
/// the ARC cases when ARC passes and at least one DKIM signature passes.
pub fn mail_auth_samples(dir: &Path, arc: bool) -> Result<SuiteOutcome, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "txt")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    files.sort();
    let rt = runtime()?;
    let mut outcome = SuiteOutcome::default();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let text = text.replace("\r\n", "\n");
        let Some((dns, message)) = text.split_once("\n\n") else {
            return Err(format!(
                "{}: no blank line after the DNS records",
                file.display()
            ));
        };
        let records: Vec<(String, FixtureRecord)> = dns
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(n, v)| (n.to_string(), txt(v.trim())))
            .collect();
        let fixture = DnsFixture::serve(&records, &[])?;
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        outcome.total += 1;
        match run_one(&rt, &fixture, &crlf(message))? {
            None => outcome
                .failures
                .push(format!("{name}: not parsed as a message")),
            Some(r) => {
                let ok = if arc {
                    r.arc.result == "pass" && r.dkim.iter().any(|k| k.result == "pass")
                } else {
                    r.dkim.last().is_some_and(|k| k.result == "pass")
                };
                if ok {
                    outcome.passed += 1;
                } else {
                    outcome.failures.push(format!(
                        "{name}: arc={}{} dkim=[{}]",
                        r.arc.result,
                        r.arc
                            .reason
                            .as_deref()
                            .map(|x| format!(" ({x})"))
                            .unwrap_or_default(),
                        r.dkim
                            .iter()
                            .map(|k| format!(
                                "{} d={} s={} {}",
                                k.result,
                                k.domain,
                                k.selector,
                                k.reason.clone().unwrap_or_default()
                            ))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
            }
        }
    }
    Ok(outcome)
}
