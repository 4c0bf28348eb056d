//! The score: 100 points less the weight of every rule that fires, by area, with the metric
//! values that fired each rule, and the Gmail / Yahoo / Microsoft bulk-sender scorecard.

use serde::Serialize;

use super::metrics::{MetricValue, Metrics};
use super::rules::{AREAS, CompiledRule, Outcome};

/// A rule that fired, with the values it read.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FiredRule {
    /// Rule id.
    pub id: String,
    /// Its area.
    pub area: String,
    /// Its severity.
    pub severity: String,
    /// Points it took off.
    pub weight: u32,
    /// Title.
    pub title: String,
    /// Why it matters.
    pub why: String,
    /// What to do.
    pub fix: String,
    /// References.
    pub references: Vec<String>,
    /// The expression.
    pub when: String,
    /// The metric values the expression read: (name, value as text).
    pub values: Vec<(String, String)>,
}

/// One area's share.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AreaScore {
    /// The area.
    pub area: String,
    /// Points lost to its firing rules.
    pub lost: u32,
    /// Its rules that fired.
    pub fired: u32,
    /// Its rules that passed.
    pub passed: u32,
    /// Its rules without data.
    pub unknown: u32,
}

/// A rule that could not be judged.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnjudgedRule {
    /// Rule id.
    pub id: String,
    /// Missing metrics, or the evaluation error.
    pub detail: String,
}

/// One requirement of a mailbox provider's sender rules.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Requirement {
    /// `gmail`, `yahoo`, `microsoft`.
    pub provider: String,
    /// What is required.
    pub requirement: String,
    /// `met`, `not-met`, `unknown`.
    pub status: String,
    /// The metric values it was judged on, or what is missing.
    pub evidence: Vec<String>,
}

/// The whole result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScoreReport {
    /// 0–100.
    pub score: u32,
    /// Every computed metric.
    #[cfg_attr(
        feature = "ts",
        ts(type = "Record<string, number | boolean | string | Array<string>>")
    )]
    pub metrics: Metrics,
    /// Per area, in [`AREAS`] order.
    pub areas: Vec<AreaScore>,
    /// Firing rules, heaviest first.
    pub fired: Vec<FiredRule>,
    /// Rules that could not be judged (no data, or an evaluation error).
    pub unjudged: Vec<UnjudgedRule>,
    /// Rules evaluated.
    pub rules: u32,
    /// The bulk-sender scorecard.
    pub scorecard: Vec<Requirement>,
}

fn show(v: &MetricValue) -> String {
    match v {
        MetricValue::Int(i) => i.to_string(),
        MetricValue::Float(f) if *f != 0.0 && f.abs() < 1.0 => {
            format!("{:.4} ({:.2} %)", f, f * 100.0)
        }
        MetricValue::Float(f) => format!("{f:.2}"),
        MetricValue::Bool(b) => b.to_string(),
        MetricValue::Text(s) => s.clone(),
        MetricValue::List(l) if l.is_empty() => "[]".into(),
        MetricValue::List(l) => l.join(", "),
    }
}

/// Evaluates every rule on the metrics and adds up the score.
pub fn score(rules: &[CompiledRule], metrics: Metrics) -> ScoreReport {
    let mut areas: Vec<AreaScore> = AREAS
        .iter()
        .map(|a| AreaScore {
            area: a.to_string(),
            lost: 0,
            fired: 0,
            passed: 0,
            unknown: 0,
        })
        .collect();
    let mut fired = Vec::new();
    let mut unjudged = Vec::new();
    for r in rules {
        let area = areas.iter_mut().find(|a| a.area == r.rule.area);
        match r.evaluate(&metrics) {
            Outcome::Fired => {
                if let Some(a) = area {
                    a.lost += r.rule.weight;
                    a.fired += 1;
                }
                fired.push(FiredRule {
                    id: r.rule.id.clone(),
                    area: r.rule.area.clone(),
                    severity: r.rule.severity.clone(),
                    weight: r.rule.weight,
                    title: r.rule.title.clone(),
                    why: r.rule.why.clone(),
                    fix: r.rule.fix.clone(),
                    references: r.rule.references.clone(),
                    when: r.rule.when.clone(),
                    values: r
                        .reads
                        .iter()
                        .filter_map(|n| metrics.get(n).map(|v| (n.clone(), show(v))))
                        .collect(),
                });
            }
            Outcome::Passed => {
                if let Some(a) = area {
                    a.passed += 1;
                }
            }
            Outcome::Unknown { missing } => {
                if let Some(a) = area {
                    a.unknown += 1;
                }
                unjudged.push(UnjudgedRule {
                    id: r.rule.id.clone(),
                    detail: format!("no data for {}", missing.join(", ")),
                });
            }
            Outcome::Error { message } => unjudged.push(UnjudgedRule {
                id: r.rule.id.clone(),
                detail: message,
            }),
        }
    }
    fired.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.id.cmp(&b.id)));
    let lost: u32 = fired.iter().map(|f| f.weight).sum();
    let scorecard = scorecard(&metrics);
    ScoreReport {
        score: 100u32.saturating_sub(lost),
        metrics,
        areas,
        fired,
        unjudged,
        rules: rules.len() as u32,
        scorecard,
    }
}

/// Judges one requirement: `Some(true)` met, `Some(false)` not met, `None` unknown.
type Check = fn(&Metrics) -> Option<bool>;

fn has(m: &Metrics, metric: &str, id: &str) -> Option<bool> {
    match m.get(metric)? {
        MetricValue::List(l) => Some(l.iter().any(|x| x == id)),
        _ => None,
    }
}

fn num(m: &Metrics, metric: &str) -> Option<f64> {
    m.get(metric).and_then(MetricValue::as_f64)
}

fn none_of(m: &Metrics, ids: &[&str]) -> Option<bool> {
    let mut all = true;
    for id in ids {
        all &= !has(m, "audit_findings", id)?;
    }
    Some(all)
}

/// A DMARC record (any policy) on every audited domain.
fn dmarc_published(m: &Metrics) -> Option<bool> {
    match m.get("dmarc_policy")? {
        MetricValue::Text(p) => Some(p != "missing"),
        _ => None,
    }
}

/// Published, and the reported mail passes (aligned SPF or DKIM) — 98 % allows for forwarding.
fn dmarc_published_and_aligned(m: &Metrics) -> Option<bool> {
    Some(dmarc_published(m)? && num(m, "dmarc_pass_rate")? >= 0.98)
}

/// The requirements, as published: Gmail's and Yahoo's bulk-sender rules (February 2024) and
/// Microsoft's for outlook.com, hotmail.com and live.com (May 2025).
const REQUIREMENTS: &[(&str, &str, &[&str], Check)] = &[
    (
        "gmail",
        "SPF published and valid for the sending domains",
        &["audit_findings"],
        |m| {
            none_of(
                m,
                &[
                    "spf-missing",
                    "spf-multiple-records",
                    "spf-syntax-error",
                    "spf-too-many-lookups",
                    "spf-include-loop",
                ],
            )
        },
    ),
    (
        "gmail",
        "DKIM keys published (a key of 1024 bits or more)",
        &["audit_findings"],
        |m| {
            none_of(
                m,
                &[
                    "dkim-no-keys",
                    "dkim-key-too-short",
                    "dkim-key-revoked",
                    "dkim-key-invalid",
                ],
            )
        },
    ),
    (
        "gmail",
        "DMARC published, at least p=none",
        &["dmarc_policy"],
        dmarc_published,
    ),
    (
        "gmail",
        "From domain aligned with SPF or DKIM (DMARC pass)",
        &["dmarc_pass_rate"],
        |m| num(m, "dmarc_pass_rate").map(|r| r >= 0.98),
    ),
    (
        "gmail",
        "Sending IPs have valid forward and reverse DNS",
        &["audit_findings"],
        |m| none_of(m, &["ptr-missing", "ptr-mismatch"]),
    ),
    (
        "gmail",
        "Spam rate below 0.3 % (target below 0.1 %)",
        &["complaint_rate"],
        |m| num(m, "complaint_rate").map(|r| r < 0.003),
    ),
    (
        "gmail",
        "One-click unsubscribe (RFC 8058) in marketing mail",
        &["message_findings"],
        |m| {
            Some(
                !has(m, "message_findings", "message-one-click-missing")?
                    && !has(m, "message_findings", "message-one-click-unsigned")?,
            )
        },
    ),
    (
        "gmail",
        "TLS for transmitting mail",
        &["tls_failure_rate"],
        |m| num(m, "tls_failure_rate").map(|r| r < 0.01),
    ),
    (
        "yahoo",
        "SPF and DKIM both published",
        &["audit_findings"],
        |m| {
            none_of(
                m,
                &[
                    "spf-missing",
                    "dkim-no-keys",
                    "spf-syntax-error",
                    "spf-too-many-lookups",
                ],
            )
        },
    ),
    (
        "yahoo",
        "DMARC published, at least p=none, aligned",
        &["dmarc_policy", "dmarc_pass_rate"],
        dmarc_published_and_aligned,
    ),
    (
        "yahoo",
        "Spam complaint rate below 0.3 %",
        &["complaint_rate"],
        |m| num(m, "complaint_rate").map(|r| r < 0.003),
    ),
    (
        "yahoo",
        "One-click unsubscribe, honoured within 2 days",
        &["message_findings", "sends_after_hard_bounce"],
        |m| Some(!has(m, "message_findings", "message-one-click-missing")?),
    ),
    (
        "yahoo",
        "Valid forward and reverse DNS for sending IPs",
        &["audit_findings"],
        |m| none_of(m, &["ptr-missing", "ptr-mismatch"]),
    ),
    (
        "microsoft",
        "SPF passes for the sending domain",
        &["audit_findings"],
        |m| {
            none_of(
                m,
                &[
                    "spf-missing",
                    "spf-syntax-error",
                    "spf-too-many-lookups",
                    "spf-multiple-records",
                ],
            )
        },
    ),
    ("microsoft", "DKIM validates", &["audit_findings"], |m| {
        none_of(m, &["dkim-no-keys", "dkim-key-invalid", "dkim-key-revoked"])
    }),
    (
        "microsoft",
        "DMARC at least p=none, aligned with SPF or DKIM",
        &["dmarc_policy", "dmarc_pass_rate"],
        dmarc_published_and_aligned,
    ),
    (
        "microsoft",
        "List hygiene: invalid addresses removed",
        &["hard_bounce_rate", "sends_after_hard_bounce"],
        |m| Some(num(m, "hard_bounce_rate")? < 0.02 && num(m, "sends_after_hard_bounce")? == 0.0),
    ),
    (
        "microsoft",
        "A functional unsubscribe link",
        &["message_findings"],
        |m| {
            Some(!has(
                m,
                "message_findings",
                "message-list-unsubscribe-missing",
            )?)
        },
    ),
];

/// Judges each requirement on the metrics.
pub fn scorecard(m: &Metrics) -> Vec<Requirement> {
    REQUIREMENTS
        .iter()
        .map(|(provider, requirement, reads, check)| {
            let status = match check(m) {
                Some(true) => "met",
                Some(false) => "not-met",
                None => "unknown",
            };
            let evidence = reads
                .iter()
                .map(|r| match m.get(*r) {
                    Some(v) => format!("{r} = {}", show(v)),
                    None => format!("{r}: no data"),
                })
                .collect();
            Requirement {
                provider: provider.to_string(),
                requirement: requirement.to_string(),
                status: status.into(),
                evidence,
            }
        })
        .collect()
}
