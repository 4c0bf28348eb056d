//! `cargo xtask fuzz [TARGET] [SECONDS]`: the coverage-guided fuzz targets in `fuzz/`
//! (cargo-fuzz, libFuzzer), seeded from the test fixtures. Installs cargo-fuzz when missing.
//! The toolchain is stable, so the build runs with `RUSTC_BOOTSTRAP=1` (cargo-fuzz passes
//! unstable flags) and without a sanitizer (`--sanitizer none`: coverage guidance stays; a
//! panic, overflow check or stack overflow is the crash signal). Crash inputs land in
//! `fuzz/artifacts/<target>/`; copy each into `tests/fixtures/fuzz-regressions/<target>/`,
//! where the `fuzz_regressions` test replays it on every `cargo xtask test`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, root, step};

/// Every target, with what seeds it.
pub const TARGETS: &[&str] = &[
    "spf_record",
    "dmarc_record",
    "dkim_key",
    "message_headers",
    "mta_sts_policy",
    "bounce_decode",
    "mbox_reader",
    "report_parse",
    "dmarc_aggregate_xml",
    "tls_report_json",
    "rule_expression",
];

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// TXT values (quoted strings of one record joined) of every zone fixture.
fn zone_txt(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir(root.join("tests/fixtures/zones")) else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        for line in text.lines() {
            if !line.contains(" TXT ") {
                continue;
            }
            let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
            if !quoted.is_empty() {
                out.push(quoted.concat());
            }
        }
    }
    out
}

fn seeds(root: &Path, target: &str, dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut n = 0;
    let mut put = |data: &[u8]| -> Result {
        n += 1;
        std::fs::write(dir.join(format!("seed-{n:04}")), data).map_err(|e| e.to_string())
    };
    let txt = zone_txt(root);
    let pick = |prefix: &str| -> Vec<String> {
        txt.iter()
            .filter(|t| t.to_ascii_lowercase().starts_with(prefix))
            .cloned()
            .collect()
    };
    match target {
        "spf_record" => pick("v=spf1").iter().try_for_each(|t| put(t.as_bytes()))?,
        "dmarc_record" => pick("v=dmarc1")
            .iter()
            .try_for_each(|t| put(t.as_bytes()))?,
        "dkim_key" => pick("v=dkim1").iter().try_for_each(|t| put(t.as_bytes()))?,
        "message_headers" | "mta_sts_policy" => {
            let sub = if target == "message_headers" {
                "messages"
            } else {
                "mta-sts"
            };
            for e in std::fs::read_dir(root.join("tests/fixtures").join(sub))
                .map_err(|e| e.to_string())?
                .flatten()
            {
                put(&std::fs::read(e.path()).map_err(|e| e.to_string())?)?;
            }
        }
        "bounce_decode" | "mbox_reader" => {
            // Our own feed fixtures, and the sisimai corpus when it is beside the project.
            let mut dirs = vec![root.join("tests/fixtures/feeds")];
            dirs.push(root.join("../shared/corpus/bounces/dev"));
            for d in dirs {
                let Ok(rd) = std::fs::read_dir(&d) else {
                    continue;
                };
                for e in rd.flatten().filter(|e| e.path().is_file()) {
                    put(&std::fs::read(e.path()).map_err(|e| e.to_string())?)?;
                }
            }
        }
        "rule_expression" => {
            // The shipped rules: each whole file, and each `when` expression alone.
            for area in std::fs::read_dir(root.join("rules"))
                .map_err(|e| e.to_string())?
                .flatten()
                .filter(|e| e.path().is_dir())
            {
                for f in std::fs::read_dir(area.path())
                    .map_err(|e| e.to_string())?
                    .flatten()
                {
                    let text = std::fs::read_to_string(f.path()).map_err(|e| e.to_string())?;
                    put(text.as_bytes())?;
                    if let Some(when) = text
                        .lines()
                        .find_map(|l| l.strip_prefix("when = \""))
                        .and_then(|l| l.strip_suffix('"'))
                    {
                        put(when.replace("\\\"", "\"").as_bytes())?;
                    }
                }
            }
        }
        "report_parse" | "dmarc_aggregate_xml" | "tls_report_json" => {
            // Our own report fixtures and the corpus reports when they are beside the project;
            // the XML and JSON targets get the plain (uncompressed) ones.
            let mut files: Vec<std::path::PathBuf> = Vec::new();
            let mut dirs = vec![root.join("tests/fixtures/reports")];
            for sub in [
                "dmarc/parsedmarc/aggregate",
                "dmarc/mail-auth",
                "dmarc/parsedmarc/failure",
                "tlsrpt/parsedmarc",
                "tlsrpt/mail-auth",
            ] {
                dirs.push(root.join("../shared/corpus").join(sub));
            }
            for d in dirs {
                let Ok(rd) = std::fs::read_dir(&d) else {
                    continue;
                };
                files.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
            }
            for f in files {
                let data = std::fs::read(&f).map_err(|e| e.to_string())?;
                let wanted = match target {
                    "dmarc_aggregate_xml" => data.trim_ascii_start().starts_with(b"<"),
                    "tls_report_json" => data.trim_ascii_start().starts_with(b"{"),
                    _ => true,
                };
                if wanted && data.len() < 1 << 20 {
                    put(&data)?;
                }
            }
        }
        other => {
            return Err(format!(
                "unknown fuzz target '{other}'; targets: {}",
                TARGETS.join(", ")
            ));
        }
    }
    Ok(())
}

/// Runs one target (or all) for `secs` seconds each.
pub fn run(target: Option<&str>, secs: u64) -> Result {
    let root = root();
    let have = Command::new(cargo())
        .args(["fuzz", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have {
        step(
            "cargo install cargo-fuzz",
            Command::new(cargo()).args(["install", "--locked", "cargo-fuzz@0.13.2"]),
        )?;
    }
    let targets: Vec<&str> = match target {
        Some(t) => vec![t],
        None => TARGETS.to_vec(),
    };
    for t in targets {
        let corpus: PathBuf = root.join("target/fuzz-corpus").join(t);
        seeds(&root, t, &corpus)?;
        step(
            &format!("fuzz {t} for {secs} s"),
            Command::new(cargo())
                .current_dir(root.join("fuzz"))
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", "--sanitizer", "none", "-O", t])
                .arg(&corpus)
                .args([
                    "--",
                    &format!("-max_total_time={secs}"),
                    "-print_final_stats=1",
                ]),
        )?;
    }
    Ok(())
}
