//! mail-auth's SPF cases (`../shared/corpus/spf/mail-auth/*.yml`) through the real DNS path.
//!
//! Their format is line-based YAML with repeated keys under `records:` (so it is read line by
//! line, not with a YAML parser): `spf|exp: NAME TEXT` (TXT), `a|aaaa: NAME IP, IP…`,
//! `mx: NAME IP, IP…` (the name's mail exchangers have these addresses: one synthetic
//! exchanger per address), `ptr: IP NAME`. Each test gives `domain`, `sender`, `ip` and
//! `expect: RESULT [EXPLANATION]`.

use std::net::IpAddr;
use std::path::Path;

use inboxlens_core::auth::spf::SpfInput;
use inboxlens_core::dns::reverse_name;

use crate::dns_fixture::{DnsFixture, FixtureRecord};
use crate::spf_suite::{SuiteOutcome, check, result_name};

struct Case {
    label: String,
    domain: String,
    sender: String,
    ip: String,
    expect: String,
    /// Records of the test item itself (they replace the scenario's TXT at the same names).
    records: Vec<(String, FixtureRecord)>,
    /// mail-auth checks the HELO identity in its "HELO identity" scenario.
    helo_check: bool,
}

struct Scenario {
    name: String,
    records: Vec<(String, FixtureRecord)>,
    tests: Vec<Case>,
}

/// One `ip:`/`expect:` pair of a test item, with the `domain:`/`sender:` written between them.
#[derive(Default, Clone)]
struct Pair {
    ip: String,
    expect: Option<String>,
    domain: Option<String>,
    sender: Option<String>,
}

/// One `- ` item of `tests:`.
#[derive(Default)]
struct Item {
    name: Option<String>,
    domain: Option<String>,
    sender: Option<String>,
    records: Vec<(String, FixtureRecord)>,
    pairs: Vec<Pair>,
}

fn txt(text: &str) -> FixtureRecord {
    FixtureRecord::Txt(text.as_bytes().chunks(255).map(<[u8]>::to_vec).collect())
}

/// Adds the records of one `kind: OWNER VALUE` line.
fn record_line(
    kind: &str,
    rest: &str,
    out: &mut Vec<(String, FixtureRecord)>,
    mx_hosts: &mut usize,
) -> Result<bool, String> {
    let rest = rest.trim_start();
    let (owner, value) = rest.split_once(' ').unwrap_or((rest, ""));
    let ips = || -> Result<Vec<IpAddr>, String> {
        value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| format!("bad address '{s}'")))
            .collect()
    };
    match kind {
        "spf" | "exp" => out.push((owner.to_string(), txt(value.trim_end()))),
        "a" | "aaaa" => {
            for ip in ips()? {
                out.push((owner.to_string(), addr(ip)));
            }
        }
        "mx" => {
            for ip in ips()? {
                *mx_hosts += 1;
                let host = format!("mx{mx_hosts}.mx-hosts.invalid-test");
                out.push((
                    owner.to_string(),
                    FixtureRecord::Mx(10 * *mx_hosts as u16, host.clone()),
                ));
                out.push((host, addr(ip)));
            }
        }
        "ptr" => {
            let ip: IpAddr = owner
                .parse()
                .map_err(|_| format!("bad PTR address '{owner}'"))?;
            for target in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                out.push((reverse_name(ip), FixtureRecord::Ptr(target.to_string())));
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn parse(text: &str) -> Result<Vec<Scenario>, String> {
    let mut out = Vec::new();
    for doc in text.split("\n---") {
        let mut sc = Scenario {
            name: String::new(),
            records: Vec::new(),
            tests: Vec::new(),
        };
        let mut section = "";
        let mut mx_hosts = 0usize;
        let mut items: Vec<Item> = Vec::new();
        for raw in doc.lines() {
            let line = raw.trim_end();
            if line.trim_start().starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if let Some(n) = line.strip_prefix("name:") {
                sc.name = n.trim().to_string();
                continue;
            }
            if line == "records:" || line == "tests:" {
                section = if line == "records:" {
                    "records"
                } else {
                    "tests"
                };
                continue;
            }
            let body = line.trim_start();
            if section == "records" {
                let Some((kind, rest)) = body.split_once(':') else {
                    return Err(format!("{}: bad record line '{line}'", sc.name));
                };
                if !record_line(kind, rest, &mut sc.records, &mut mx_hosts)
                    .map_err(|e| format!("{}: {e}", sc.name))?
                {
                    return Err(format!("{}: unknown record kind '{kind}'", sc.name));
                }
            } else if section == "tests" {
                if body.starts_with("- ") {
                    items.push(Item::default());
                }
                let item = body.strip_prefix("- ").unwrap_or(body);
                let Some((k, v)) = item.split_once(':') else {
                    continue;
                };
                let Some(cur) = items.last_mut() else {
                    continue;
                };
                let k = k.trim();
                let v = v.trim().to_string();
                let open_pair = cur.pairs.last_mut().filter(|p| p.expect.is_none());
                match (k, open_pair) {
                    ("name", _) => cur.name = Some(v),
                    ("ip", _) => cur.pairs.push(Pair {
                        ip: v,
                        ..Pair::default()
                    }),
                    ("expect", Some(p)) => p.expect = Some(v),
                    ("domain", Some(p)) => p.domain = Some(v),
                    ("sender", Some(p)) => p.sender = Some(v),
                    ("domain", None) => cur.domain = Some(v),
                    ("sender", None) => cur.sender = Some(v),
                    (kind, _) => {
                        record_line(kind, &v, &mut cur.records, &mut mx_hosts)
                            .map_err(|e| format!("{}: {e}", sc.name))?;
                    }
                }
            }
        }
        // Items without addresses set defaults (sender, domain) for the items after them.
        let (mut domain, mut sender) = (String::new(), String::new());
        let mut n = 0;
        let helo_check = sc.name.contains("HELO identity");
        for it in &items {
            if let Some(d) = &it.domain {
                domain = d.clone();
            }
            if let Some(x) = &it.sender {
                sender = x.clone();
            }
            for p in &it.pairs {
                n += 1;
                sc.tests.push(Case {
                    label: format!("{}#{n}", it.name.clone().unwrap_or_else(|| sc.name.clone())),
                    domain: p.domain.clone().unwrap_or_else(|| domain.clone()),
                    sender: p.sender.clone().unwrap_or_else(|| sender.clone()),
                    ip: p.ip.clone(),
                    expect: p.expect.clone().unwrap_or_default(),
                    records: it.records.clone(),
                    helo_check,
                });
            }
        }
        if !sc.tests.is_empty() {
            out.push(sc);
        }
    }
    Ok(out)
}

fn addr(ip: IpAddr) -> FixtureRecord {
    match ip {
        IpAddr::V4(a) => FixtureRecord::A(a),
        IpAddr::V6(a) => FixtureRecord::Aaaa(a),
    }
}

/// Runs every `*.yml` file of `dir`.
pub fn run(dir: &Path) -> Result<SuiteOutcome, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut outcome = SuiteOutcome::default();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        for sc in parse(&text)? {
            // Names DNS cannot carry (the "malformed domain" cases) are left out of the zone;
            // the test then sees them as absent, as a resolver would refuse to ask.
            let servable = |n: &str| {
                let n = n.trim_end_matches('.');
                n.len() <= 253 && n.split('.').all(|l| !l.is_empty() && l.len() <= 63)
            };
            for t in &sc.tests {
                outcome.total += 1;
                let label = format!("{stem}/{}", t.label);
                let mut records: Vec<(String, FixtureRecord)> = sc
                    .records
                    .iter()
                    .filter(|(n, _)| servable(n))
                    .cloned()
                    .collect();
                for (owner, rec) in &t.records {
                    if matches!(rec, FixtureRecord::Txt(_)) {
                        records
                            .retain(|(n, r)| !(n == owner && matches!(r, FixtureRecord::Txt(_))));
                    }
                }
                records.extend(t.records.iter().filter(|(n, _)| servable(n)).cloned());
                // mail-auth's convention: names starting with _dns_error fail to resolve.
                let mut timeouts: Vec<String> = records
                    .iter()
                    .map(|(n, _)| n.clone())
                    .chain([t.domain.clone(), t.sender.clone()])
                    .chain(records.iter().filter_map(|(_, r)| match r {
                        FixtureRecord::Txt(s) => {
                            Some(String::from_utf8_lossy(&s.concat()).to_string())
                        }
                        _ => None,
                    }))
                    .flat_map(|s| {
                        s.split([' ', ':', '@', '='])
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .filter(|n| n.starts_with("_dns_error."))
                    .collect();
                timeouts.sort();
                timeouts.dedup();
                let fixture = match DnsFixture::serve(&records, &timeouts) {
                    Ok(f) => f,
                    Err(e) => {
                        outcome
                            .failures
                            .push(format!("{label}: zone data not servable: {e}"));
                        continue;
                    }
                };
                let (want, want_exp) = match t.expect.split_once(' ') {
                    Some((r, e)) => (r.to_string(), Some(e.trim().to_string())),
                    None => (t.expect.clone(), None),
                };
                let Ok(ip) = t.ip.parse::<IpAddr>() else {
                    outcome.failures.push(format!("{label}: bad ip {}", t.ip));
                    continue;
                };
                // mail-auth's cases check the MAIL FROM identity: the sender's domain, or
                // postmaster@<HELO domain> when the sender is empty (RFC 7208 §2.4).
                let (sender, domain) = match t.sender.rsplit_once('@') {
                    _ if t.helo_check => (format!("postmaster@{}", t.domain), t.domain.clone()),
                    Some((_, d)) => (t.sender.clone(), d.to_string()),
                    None if t.sender.is_empty() => {
                        (format!("postmaster@{}", t.domain), t.domain.clone())
                    }
                    None => (format!("postmaster@{}", t.sender), t.sender.clone()),
                };
                let ns = fixture.nameserver();
                let got = check(
                    &rt,
                    &ns,
                    &SpfInput {
                        ip,
                        domain: &domain,
                        sender: &sender,
                        helo: &t.domain,
                    },
                );
                let result = result_name(got.result);
                if result != want {
                    outcome.failures.push(format!(
                        "{label}: got {result}, expected {want}{}",
                        got.error.map(|e| format!(" ({e})")).unwrap_or_default()
                    ));
                } else if want_exp.is_some() && got.explanation != want_exp {
                    outcome.failures.push(format!(
                        "{label}: explanation {:?}, expected {:?}",
                        got.explanation, want_exp
                    ));
                } else {
                    outcome.passed += 1;
                }
            }
        }
    }
    Ok(outcome)
}
