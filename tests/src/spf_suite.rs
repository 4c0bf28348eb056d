//! Runs the openspf RFC 7208 test suite (`../shared/corpus/spf/openspf-rfc7208`) through the
//! real DNS path: each scenario's zone data is served by the loopback fixture and every test
//! is evaluated by `check_host()` through the configured resolver.

use std::path::Path;
use std::time::Duration;

use inboxlens_core::auth::spf::{SpfInput, SpfResult, check_host};
use inboxlens_core::dns::DnsJob;
use serde_norway::Value;

use crate::dns_fixture::{DnsFixture, FixtureRecord};

/// The outcome of a suite run.
#[derive(Debug, Default)]
pub struct SuiteOutcome {
    /// Tests whose result (and explanation, where given) matched.
    pub passed: usize,
    /// Tests run.
    pub total: usize,
    /// `scenario/test: expected …, got …` for every other test.
    pub failures: Vec<String>,
}

/// Runs `check_host()` against the fixture at `ns` in a fresh job (20 s deadline).
pub fn check(
    rt: &tokio::runtime::Runtime,
    ns: &str,
    input: &SpfInput<'_>,
) -> inboxlens_core::auth::spf::SpfEvaluation {
    rt.block_on(async {
        let job = DnsJob::new(crate::resolver(ns, 0.5), Duration::from_secs(20));
        check_host(&job, input).await
    })
}

/// The suite's name of a result.
pub fn result_name(r: SpfResult) -> &'static str {
    match r {
        SpfResult::None => "none",
        SpfResult::Neutral => "neutral",
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::Softfail => "softfail",
        SpfResult::Temperror => "temperror",
        SpfResult::Permerror => "permerror",
    }
}

fn text(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Number(n) => n.to_string().into_bytes(),
        Value::Bool(b) => b.to_string().into_bytes(),
        _ => Vec::new(),
    }
}

/// TXT data: a string, or a list of character-strings.
fn strings(v: &Value) -> Vec<Vec<u8>> {
    match v {
        Value::Sequence(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    }
}

/// Builds the fixture records of one scenario. SPF-type entries become TXT records where
/// the name has no TXT of its own (the suite's convention for RFC 7208, which dropped type SPF).
/// A scenario's records (owner, data) and the names that time out.
type ZoneData = (Vec<(String, FixtureRecord)>, Vec<String>);

fn records(zonedata: &Value) -> Result<ZoneData, String> {
    let mut out = Vec::new();
    let mut timeouts = Vec::new();
    let Value::Mapping(map) = zonedata else {
        return Ok((out, timeouts));
    };
    for (name, rrs) in map {
        let owner = name
            .as_str()
            .ok_or("zone name is not a string")?
            .to_string();
        let rrs = rrs.as_sequence().cloned().unwrap_or_default();
        let has_txt = rrs.iter().any(|r| r.get("TXT").is_some());
        for rr in &rrs {
            if rr.as_str() == Some("TIMEOUT") {
                timeouts.push(owner.clone());
                continue;
            }
            let Value::Mapping(m) = rr else { continue };
            for (k, v) in m {
                let rec = match k.as_str().unwrap_or("") {
                    "A" => FixtureRecord::A(
                        v.as_str()
                            .and_then(|s| s.parse().ok())
                            .ok_or(format!("{owner}: bad A {v:?}"))?,
                    ),
                    "AAAA" => FixtureRecord::Aaaa(
                        v.as_str()
                            .and_then(|s| s.parse().ok())
                            .ok_or(format!("{owner}: bad AAAA {v:?}"))?,
                    ),
                    "MX" => {
                        let s = v.as_sequence().ok_or(format!("{owner}: bad MX"))?;
                        let pref = s.first().and_then(Value::as_u64).unwrap_or(0) as u16;
                        let host = s.get(1).and_then(Value::as_str).unwrap_or(".").to_string();
                        FixtureRecord::Mx(pref, host)
                    }
                    "PTR" => FixtureRecord::Ptr(v.as_str().unwrap_or(".").to_string()),
                    "CNAME" => FixtureRecord::Cname(v.as_str().unwrap_or(".").to_string()),
                    // "NONE": the name has no TXT record (but counts as having one for the
                    // SPF-to-TXT convention).
                    "TXT" if v.as_str() == Some("NONE") => continue,
                    "TXT" => FixtureRecord::Txt(strings(v)),
                    "SPF" if !has_txt => {
                        let s = strings(v);
                        if s.is_empty() {
                            continue;
                        }
                        FixtureRecord::Txt(s)
                    }
                    _ => continue,
                };
                out.push((owner.clone(), rec));
            }
        }
    }
    Ok((out, timeouts))
}

/// Runs every scenario of the suite file.
pub fn run(path: &Path) -> Result<SuiteOutcome, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut outcome = SuiteOutcome::default();
    for doc in serde_norway::Deserializer::from_str(&text) {
        let scenario: Value = <Value as serde::Deserialize>::deserialize(doc)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let title = scenario
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let (recs, timeouts) = records(scenario.get("zonedata").unwrap_or(&Value::Null))?;
        let fixture = match DnsFixture::serve(&recs, &timeouts) {
            Ok(f) => f,
            Err(e) => {
                outcome
                    .failures
                    .push(format!("{title}: zone data not servable: {e}"));
                continue;
            }
        };
        let Some(Value::Mapping(tests)) = scenario.get("tests") else {
            continue;
        };
        for (name, t) in tests {
            let name = name.as_str().unwrap_or("?");
            outcome.total += 1;
            let expected: Vec<String> = match t.get("result") {
                Some(Value::Sequence(v)) => v
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Some(v) => v.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
                None => vec![],
            };
            let helo = t
                .get("helo")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mailfrom = t
                .get("mailfrom")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let host = t.get("host").and_then(Value::as_str).unwrap_or("");
            let Ok(ip) = host.parse() else {
                outcome
                    .failures
                    .push(format!("{title}/{name}: bad host {host}"));
                continue;
            };
            let (sender, domain) = if mailfrom.is_empty() {
                (format!("postmaster@{helo}"), helo.clone())
            } else {
                let domain = mailfrom
                    .rsplit_once('@')
                    .map_or(mailfrom.clone(), |(_, d)| d.to_string());
                (mailfrom.clone(), domain)
            };
            let ns = fixture.nameserver();
            let got = check(
                &rt,
                &ns,
                &SpfInput {
                    ip,
                    domain: &domain,
                    sender: &sender,
                    helo: &helo,
                },
            );
            let result = result_name(got.result);
            let mut ok = expected.iter().any(|e| e == result);
            // "DEFAULT" is the suite's word for "the receiver's own default text": no exp= text.
            let want_exp = t.get("explanation").and_then(Value::as_str);
            let exp_ok = match want_exp {
                Some("DEFAULT") => got.explanation.is_none(),
                Some(w) => got.explanation.as_deref() == Some(w),
                None => true,
            };
            if ok && got.result == SpfResult::Fail && !exp_ok {
                ok = false;
                outcome.failures.push(format!(
                    "{title}/{name} (RFC 7208 {}): explanation {:?}, expected {:?}",
                    t.get("spec").and_then(Value::as_str).unwrap_or("?"),
                    got.explanation,
                    want_exp.unwrap_or("")
                ));
            } else if !ok {
                outcome.failures.push(format!(
                    "{title}/{name} (RFC 7208 {}): got {result}, expected {}{}",
                    t.get("spec").and_then(Value::as_str).unwrap_or("?"),
                    expected.join(" or "),
                    got.error.map(|e| format!(" ({e})")).unwrap_or_default()
                ));
            }
            if ok {
                outcome.passed += 1;
            }
        }
    }
    Ok(outcome)
}
