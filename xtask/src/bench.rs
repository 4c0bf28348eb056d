//! `cargo xtask bench`: the benchmarks named in the issues, side by side with peer tools in
//! one run, written to BENCHMARKS.md. Not part of `cargo xtask test` (timing is not pass/fail).
//!
//! DNSBL (issue #4): 1,000 IPs × 8 lists generated as zone files, served by knot DNS on
//! 127.0.0.2:53 (port 53 because pydnsbl's resolver cannot use another port; binding it
//! needs root), checked by `inboxlens blocklist` and by pydnsbl.
//!
//! Domain audit (issue #3): 1,000 generated domains ([`crate::bench_audit`]) on the same
//! knot address, audited by `inboxlens audit` and by checkdmarc (two processes, as it has no
//! parallel option), with detection of each domain's known problem scored for both.
//!
//! Bounces (issue #6): `inboxlens bounces` vs sisimai 5.3.0 and flufl.bounce on the bounce
//! corpus x10 and a synthetic 100,000-message mbox (`xtask/bench/bounce_bench.py`), and
//! beside it the failed recipients both find on flufl.bounce's own real-world samples
//! (`xtask/bench/flufl_samples.py`).
//!
//! `cargo xtask bench [dnsbl|audit|bounces]` runs one; without an argument, all.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, root, step};

const IPS: usize = 1000;
const LISTS: usize = 8;
const NS: &str = "127.0.0.2";

fn ip(i: usize) -> String {
    format!("198.18.{}.{}", i / 250, i % 250 + 1)
}

fn listed_code(i: usize, k: usize) -> Option<u8> {
    (i + 3 * k)
        .is_multiple_of(7)
        .then_some(2 + ((i + k) % 4) as u8)
}

/// Writes zones, knot.conf, ips.txt, lists.toml and expected.json into `dir`.
fn generate(dir: &Path) -> Result {
    std::fs::create_dir_all(dir.join("zones")).map_err(|e| e.to_string())?;
    let mut expected_listed = String::new();
    let mut lists_toml = String::new();
    let mut knot = format!(
        "server:\n    listen: {NS}@53\n    rundir: {0}\ndatabase:\n    storage: {0}/knotdb\nlog:\n  - target: stderr\n    any: warning\nzone:\n",
        dir.display()
    );
    let mut zones = Vec::new();
    for k in 1..=LISTS {
        let zone = format!("l{k}.dnsbl.bench");
        zones.push(format!("\"{zone}\""));
        let mut z = format!(
            "$ORIGIN {zone}.\n$TTL 300\n@ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300\n@ IN NS ns.{zone}.\nns IN A 127.0.0.1\n2.0.0.127 IN A 127.0.0.2\n"
        );
        for i in 0..IPS {
            if let Some(code) = listed_code(i, k) {
                let addr = ip(i);
                let rev: Vec<&str> = addr.split('.').rev().collect();
                let _ = writeln!(z, "{} IN A 127.0.0.{code}", rev.join("."));
                let _ = writeln!(z, "{} IN TXT \"listed by bench list {k}\"", rev.join("."));
                if !expected_listed.is_empty() {
                    expected_listed.push(',');
                }
                let _ = write!(expected_listed, "\"{addr} {zone}\":\"127.0.0.{code}\"");
            }
        }
        std::fs::write(dir.join("zones").join(format!("{zone}.zone")), z)
            .map_err(|e| e.to_string())?;
        let _ = write!(
            knot,
            "  - domain: {zone}\n    file: {}/zones/{zone}.zone\n",
            dir.display()
        );
        let _ = write!(
            lists_toml,
            "[[list]]\nname = \"Bench {k}\"\nzone = \"{zone}\"\nkind = \"ip4\"\ncodes = {{ \"127.0.0.2\" = \"a\", \"127.0.0.3\" = \"b\", \"127.0.0.4\" = \"c\", \"127.0.0.5\" = \"d\" }}\nrate = 10000\n\n"
        );
    }
    let ips: Vec<String> = (0..IPS).map(ip).collect();
    std::fs::write(dir.join("ips.txt"), ips.join("\n") + "\n").map_err(|e| e.to_string())?;
    std::fs::write(dir.join("lists.toml"), lists_toml).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("knot.conf"), knot).map_err(|e| e.to_string())?;
    let ips_json: Vec<String> = ips.iter().map(|i| format!("\"{i}\"")).collect();
    std::fs::write(
        dir.join("expected.json"),
        format!(
            "{{\"ips\":[{}],\"zones\":[{}],\"listed\":{{{expected_listed}}}}}",
            ips_json.join(","),
            zones.join(",")
        ),
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

struct Knot(Child);

impl Drop for Knot {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn start_knot(dir: &Path, probe: &str, rtype: &str, expect: &str) -> Result<Knot> {
    let child = Command::new("knotd")
        .args(["-c", &dir.join("knot.conf").display().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start knotd: {e}"))?;
    let knot = Knot(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let ok = Command::new("kdig")
            .args([
                &format!("@{NS}"),
                "+short",
                "+timeout=1",
                "+retry=0",
                probe,
                rtype,
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains(expect))
            .unwrap_or(false);
        if ok {
            return Ok(knot);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!(
        "knotd did not answer on {NS}:53 (is the port free, and are you root?)"
    ))
}

/// Runs a harness (`xtask/bench/<script>`) on the world in `dir`; returns its BENCHMARKS.md
/// section (the JSON result stays in `dir/result.json`).
fn harness(title: &str, script: &str, dir: &Path, bin: &str) -> Result<String> {
    let md = dir.join("section.md");
    step(
        title,
        Command::new("python3")
            .arg(root().join("xtask/bench").join(script))
            .args(["--workdir", &dir.display().to_string(), "--ns", NS])
            .args(["--inboxlens", bin])
            .args([
                "--out",
                &dir.join("result.json").display().to_string(),
                "--markdown",
                &md.display().to_string(),
            ]),
    )?;
    std::fs::read_to_string(&md).map_err(|e| e.to_string())
}

/// Runs the benchmarks (`which`: dnsbl, audit, bounces, reports, habits, or all) and writes BENCHMARKS.md.
pub fn run(which: Option<&str>) -> Result {
    if which.is_none_or(|w| w == "dnsbl" || w == "audit") {
        crate::sys::ensure_bench_tools()?;
    }
    let root = root();
    step(
        "build inboxlens (release)",
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--release", "-p", "inboxlens"])
            .current_dir(&root),
    )?;
    let bin = root.join("target/release/inboxlens").display().to_string();
    let mut sections = Vec::new();
    if which.is_none_or(|w| w == "dnsbl") {
        let dir = root.join("target/bench/dnsbl");
        let _ = std::fs::remove_dir_all(&dir);
        generate(&dir)?;
        let _knot = start_knot(&dir, "2.0.0.127.l1.dnsbl.bench", "A", "127.0.0.2")?;
        sections.push(harness(
            "DNSBL: inboxlens vs pydnsbl",
            "dnsbl_bench.py",
            &dir,
            &bin,
        )?);
    }
    if which.is_none_or(|w| w == "audit") {
        let dir = root.join("target/bench/audit");
        let _ = std::fs::remove_dir_all(&dir);
        crate::bench_audit::generate(&dir, NS, &root.join("xtask/bench"))?;
        let _knot = start_knot(&dir, "_inc1.bench", "TXT", "v=spf1")?;
        sections.push(harness(
            "Domain audit: inboxlens vs checkdmarc",
            "audit_bench.py",
            &dir,
            &bin,
        )?);
    }
    if which.is_none_or(|w| w == "bounces") {
        let dir = root.join("target/bench/bounces");
        let lib = crate::sys::ensure_bounce_bench_tools(&root.join("target/bench/tools"))?;
        let md = dir.join("section.md");
        step(
            "Bounces: inboxlens vs sisimai and flufl.bounce",
            Command::new("python3")
                .arg(root.join("xtask/bench/bounce_bench.py"))
                .args(["--workdir", &dir.display().to_string()])
                .args([
                    "--corpus",
                    &root
                        .join("../shared/corpus/bounces/dev")
                        .display()
                        .to_string(),
                ])
                .args(["--inboxlens", &bin])
                .args(["--sisimai-lib", &lib.display().to_string()])
                .args(["--markdown", &md.display().to_string()]),
        )?;
        let mut section = std::fs::read_to_string(&md).map_err(|e| e.to_string())?;
        // Accuracy beside the speed: failed recipients on bounces outside the sisimai set.
        let md = dir.join("flufl-section.md");
        step(
            "Bounces: recipients on flufl.bounce's samples",
            Command::new("python3")
                .arg(root.join("xtask/bench/flufl_samples.py"))
                .args([
                    "--workdir",
                    &root.join("target/bench/flufl").display().to_string(),
                ])
                .args(["--inboxlens", &bin])
                .args(["--sisimai-lib", &lib.display().to_string()])
                .args(["--markdown", &md.display().to_string()]),
        )?;
        section.push_str(&std::fs::read_to_string(&md).map_err(|e| e.to_string())?);
        sections.push(section);
    }
    if which.is_none_or(|w| w == "reports") {
        crate::sys::ensure_report_bench_tools()?;
        let dir = root.join("target/bench/reports");
        let md = root.join("target/bench/reports-section.md");
        step(
            "DMARC/TLS reports: inboxlens vs parsedmarc",
            Command::new("python3")
                .arg(root.join("xtask/bench/report_bench.py"))
                .args(["--workdir", &dir.display().to_string()])
                .args([
                    "--corpus",
                    &root.join("../shared/corpus").display().to_string(),
                ])
                .args(["--inboxlens", &bin])
                .args(["--markdown", &md.display().to_string()]),
        )?;
        sections.push(std::fs::read_to_string(&md).map_err(|e| e.to_string())?);
    }
    if which.is_none_or(|w| w == "habits") {
        let md = root.join("target/bench/habits-section.md");
        step(
            "Sending habits: 1M-row log import and score",
            Command::new("python3")
                .arg(root.join("xtask/bench/habits_bench.py"))
                .args([
                    "--workdir",
                    &root.join("target/bench/habits").display().to_string(),
                ])
                .args(["--inboxlens", &bin])
                .args(["--markdown", &md.display().to_string()]),
        )?;
        sections.push(std::fs::read_to_string(&md).map_err(|e| e.to_string())?);
    }
    if which.is_some() {
        // One benchmark alone: replace its section, keep the other's from the last full run.
        let path = root.join("BENCHMARKS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let title = sections[0].lines().next().unwrap_or_default().to_string();
        let mut kept: Vec<String> = old
            .split("\n## ")
            .skip(1)
            .map(|s| format!("## {s}"))
            .filter(|s| s.lines().next() != Some(title.as_str()))
            .collect();
        kept.extend(sections);
        // Issue order: DNSBL (#4), audit (#3), bounces (#6), reports (#7).
        kept.sort_by_key(|s| {
            if s.contains("DNSBL") {
                0
            } else if s.contains("Domain audit") {
                1
            } else if s.contains("DMARC and TLS reports") {
                3
            } else if s.contains("Sending habits") {
                4
            } else {
                2
            }
        });
        sections = kept;
    }
    let machine = Command::new("sh")
        .args([
            "-c",
            "echo \"$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)\"",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let body: Vec<String> = sections.iter().map(|s| s.trim_end().to_string()).collect();
    let doc = format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench` (do not edit by hand). Machine: {machine}.\n\n{}\n",
        body.join("\n\n")
    );
    std::fs::write(root.join("BENCHMARKS.md"), doc).map_err(|e| e.to_string())?;
    for s in &body {
        eprintln!("\n{s}");
    }
    Ok(())
}
