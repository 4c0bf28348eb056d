//! The domain-audit benchmark world (issue #3): 1,000 generated domains under `bench.`,
//! sixteen kinds of posture (one clean, fifteen with one known problem each), served by
//! knot DNS on 127.0.0.2:53 for `inboxlens audit` and checkdmarc (whose `-n` takes an
//! address only, so port 53 and root).

use std::fmt::Write as _;
use std::path::Path;

use crate::Result;

/// Domains in the world.
pub const DOMAINS: usize = 1000;

/// The kinds, in order: (name, the inboxlens finding id that must be reported; "" for clean).
pub const KINDS: &[(&str, &str)] = &[
    ("clean", ""),
    ("spf missing", "spf-missing"),
    ("two SPF records", "spf-multiple-records"),
    ("SPF syntax error", "spf-syntax-error"),
    ("SPF over 10 lookups", "spf-too-many-lookups"),
    ("SPF over 2 void lookups", "spf-void-lookups"),
    ("SPF +all", "spf-pass-all"),
    ("SPF include loop", "spf-include-loop"),
    ("DMARC missing", "dmarc-missing"),
    ("DMARC p=none", "dmarc-policy-none"),
    ("DMARC syntax error", "dmarc-syntax-error"),
    ("two DMARC records", "dmarc-multiple-records"),
    ("rua to an unauthorized domain", "dmarc-rua-unauthorized"),
    ("MX host without address", "mx-host-unresolvable"),
    ("no MX, no address", "mx-missing"),
    ("1024-bit DKIM key", "dkim-key-weak"),
];

fn domain(i: usize) -> String {
    format!("d{i:04}.bench")
}

/// Writes `zones/bench.zone`, `knot.conf`, `domains.txt` and `expected.json` into `dir`.
pub fn generate(dir: &Path, ns: &str, keys: &Path) -> Result {
    let read = |f: &str| {
        std::fs::read_to_string(keys.join(f))
            .map(|s| s.trim().to_string())
            .map_err(|e| format!("{f}: {e}"))
    };
    let k2048 = read("dkim-2048.b64")?;
    let k1024 = read("dkim-1024.b64")?;
    let split = |s: &str| {
        s.as_bytes()
            .chunks(250)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    std::fs::create_dir_all(dir.join("zones")).map_err(|e| e.to_string())?;
    let mut z = String::from(
        "$ORIGIN bench.\n$TTL 300\n@ IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 300\n@ IN NS ns.bench.\nns IN A 127.0.0.1\n",
    );
    for k in 1..=11 {
        let _ = writeln!(z, "_inc{k} IN TXT \"v=spf1 ip4:198.51.100.{k} -all\"");
    }
    let mut rev = String::from(
        "$ORIGIN 18.198.in-addr.arpa.\n$TTL 300\n@ IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 300\n@ IN NS ns.bench.\n",
    );
    let mut domains = Vec::new();
    let mut expected = Vec::new();
    for i in 0..DOMAINS {
        let d = domain(i);
        let n = d.trim_end_matches(".bench").to_string();
        let kind = i % KINDS.len();
        let (name, id) = KINDS[kind];
        let spf = match name {
            "spf missing" => None,
            "SPF syntax error" => {
                Some("v=spf1 ip4:192.0.2.300 include:_inc1.bench -all".to_string())
            }
            "SPF over 10 lookups" => Some(format!(
                "v=spf1 {} -all",
                (1..=11)
                    .map(|k| format!("include:_inc{k}.bench"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            "SPF over 2 void lookups" => Some(format!(
                "v=spf1 a:v1.{d} a:v2.{d} a:v3.{d} ip4:192.0.2.0/24 -all"
            )),
            "SPF +all" => Some("v=spf1 +all".to_string()),
            "SPF include loop" => Some(format!("v=spf1 include:{d} -all")),
            _ => Some("v=spf1 ip4:192.0.2.0/24 include:_inc1.bench -all".to_string()),
        };
        if let Some(s) = &spf {
            // Long records split at a space, as DNS strings hold 255 octets at most.
            let mut parts = Vec::new();
            let mut cur = String::new();
            for t in s.split(' ') {
                if cur.len() + t.len() + 1 > 250 {
                    parts.push(std::mem::take(&mut cur));
                }
                cur.push_str(t);
                cur.push(' ');
            }
            parts.push(cur.trim_end().to_string());
            let strings: Vec<String> = parts.iter().map(|p| format!("\"{p}\"")).collect();
            let _ = writeln!(z, "{n} IN TXT {}", strings.join(" "));
        }
        if name == "two SPF records" {
            let _ = writeln!(z, "{n} IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"");
            let _ = writeln!(z, "{n} IN TXT \"v=spf1 include:_inc2.bench -all\"");
        }
        let dmarc = match name {
            "DMARC missing" => None,
            "DMARC p=none" => Some(format!("v=DMARC1; p=none; rua=mailto:dmarc@{d}")),
            "DMARC syntax error" => Some(format!("v=DMARC1; p=rejected; rua=mailto:dmarc@{d}")),
            "rua to an unauthorized domain" => {
                Some("v=DMARC1; p=reject; rua=mailto:dmarc@reports.bench".to_string())
            }
            _ => Some(format!("v=DMARC1; p=reject; rua=mailto:dmarc@{d}")),
        };
        if let Some(r) = &dmarc {
            let _ = writeln!(z, "_dmarc.{n} IN TXT \"{r}\"");
        }
        if name == "two DMARC records" {
            let _ = writeln!(z, "_dmarc.{n} IN TXT \"v=DMARC1; p=none\"");
        }
        match name {
            "no MX, no address" => {}
            "MX host without address" => {
                let _ = writeln!(z, "{n} IN MX 10 mx.{d}.");
            }
            _ => {
                let _ = writeln!(z, "{n} IN MX 10 mx.{d}.");
                // A distinct address per MX with a matching PTR (checkdmarc checks MX
                // reverse DNS; the clean kind must be clean for both tools).
                let (a, b) = (i / 250, i % 250 + 1);
                let _ = writeln!(z, "mx.{n} IN A 198.18.{a}.{b}");
                let _ = writeln!(rev, "{b}.{a} IN PTR mx.{d}.");
            }
        }
        let key = if name == "1024-bit DKIM key" {
            &k1024
        } else {
            &k2048
        };
        let _ = writeln!(
            z,
            "google._domainkey.{n} IN TXT {}",
            split(&format!("v=DKIM1; k=rsa; p={key}"))
        );
        domains.push(d.clone());
        expected.push(format!(
            "{{\"domain\":\"{d}\",\"kind\":\"{name}\",\"id\":\"{id}\"}}"
        ));
    }
    std::fs::write(dir.join("zones/bench.zone"), z).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("zones/18.198.in-addr.arpa.zone"), rev).map_err(|e| e.to_string())?;
    let knot = format!(
        "server:\n    listen: {ns}@53\n    rundir: {0}\ndatabase:\n    storage: {0}/knotdb\nlog:\n  - target: stderr\n    any: warning\nzone:\n  - domain: bench\n    file: {0}/zones/bench.zone\n  - domain: 18.198.in-addr.arpa\n    file: {0}/zones/18.198.in-addr.arpa.zone\n",
        dir.display()
    );
    std::fs::write(dir.join("knot.conf"), knot).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("domains.txt"), domains.join("\n") + "\n")
        .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("expected.json"),
        format!("[{}]", expected.join(",\n")),
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}
