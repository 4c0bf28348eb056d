//! Rules as data (DESIGN.md §4): TOML, one rule per file, with an expression over named
//! metrics in the Common Expression Language (CEL, the `cel` crate: no I/O, no loops, every
//! evaluation terminates). A rule that does not parse, names an unknown metric or is not
//! boolean is rejected with its id and the position of the error; the other rules still run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::metrics::{METRICS, MetricValue, Metrics};

/// Areas a rule belongs to (DESIGN.md §4).
pub const AREAS: [&str; 8] = [
    "authentication",
    "dns",
    "blocklists",
    "bounces",
    "complaints",
    "hygiene",
    "volume",
    "message",
];

/// Severities, most severe first.
pub const SEVERITIES: [&str; 5] = ["critical", "error", "warning", "info", "pass"];

/// One rule as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id (kebab-case, area-prefixed by convention).
    pub id: String,
    /// One of [`AREAS`].
    pub area: String,
    /// One of [`SEVERITIES`].
    pub severity: String,
    /// Points off a 100-point score when the rule fires.
    pub weight: u32,
    /// CEL expression over metrics; the rule fires when it is `true`.
    pub when: String,
    /// One line.
    pub title: String,
    /// Why it matters.
    pub why: String,
    /// What to do, concretely.
    pub fix: String,
    /// Where the requirement comes from.
    #[serde(default)]
    pub references: Vec<String>,
    /// Whether the rule is evaluated (a rule set may keep rules switched off).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Cases the rule must get right (`rules test`, the test suite).
    #[serde(default, rename = "example", skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
}

fn yes() -> bool {
    true
}

fn is_true(v: &bool) -> bool {
    *v
}

/// One example case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Metric values (others are unknown).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub metrics: BTreeMap<String, toml::Value>,
    /// Whether the rule fires on them.
    pub fires: bool,
}

/// Why a rule cannot be used, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("rule {id}: {field}{}: {message}", position.map(|(l, c)| format!(" line {l} column {c}")).unwrap_or_default())]
pub struct RuleError {
    /// The rule's id (or the file name when the id itself is unreadable).
    pub id: String,
    /// `toml`, `when`, or the field at fault.
    pub field: String,
    /// 1-based line and column in that text, when known.
    pub position: Option<(u32, u32)>,
    /// What is wrong.
    pub message: String,
}

impl RuleError {
    fn new(
        id: &str,
        field: &str,
        position: Option<(u32, u32)>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            id: id.to_string(),
            field: field.to_string(),
            position,
            message: message.into(),
        }
    }
}

/// Parses one rule from TOML; `name` identifies it when the id cannot be read.
pub fn parse_rule(text: &str, name: &str) -> Result<Rule, RuleError> {
    toml::from_str::<Rule>(text).map_err(|e| {
        let position = e.span().map(|span| line_col(text, span.start));
        let id = toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| t.get("id").and_then(|v| v.as_str()).map(str::to_string))
            .unwrap_or_else(|| name.to_string());
        RuleError::new(&id, "toml", position, e.message().to_string())
    })
}

fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, col)
}

/// A rule ready to evaluate.
#[derive(Debug)]
pub struct CompiledRule {
    /// The rule.
    pub rule: Rule,
    program: cel::Program,
    /// The metrics the expression reads, sorted.
    pub reads: Vec<String>,
}

/// Checks a rule (fields, expression, metrics it names) and compiles its expression.
pub fn compile(rule: Rule) -> Result<CompiledRule, RuleError> {
    let id = rule.id.clone();
    let bad = |field: &str, message: String| Err(RuleError::new(&id, field, None, message));
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return bad("id", "use lower-case letters, digits and '-'".into());
    }
    if !AREAS.contains(&rule.area.as_str()) {
        return bad(
            "area",
            format!("'{}' is not one of {}", rule.area, AREAS.join(", ")),
        );
    }
    if !SEVERITIES.contains(&rule.severity.as_str()) {
        return bad(
            "severity",
            format!(
                "'{}' is not one of {}",
                rule.severity,
                SEVERITIES.join(", ")
            ),
        );
    }
    if rule.weight > 100 {
        return bad("weight", "at most 100 points".into());
    }
    for (field, value) in [
        ("title", &rule.title),
        ("why", &rule.why),
        ("fix", &rule.fix),
    ] {
        if value.trim().is_empty() {
            return bad(field, "must not be empty".into());
        }
    }
    if rule.when.len() > 4096 {
        return bad("when", "expression longer than 4096 characters".into());
    }
    // The CEL parser is recursive: bound nesting before handing it the text, so a hostile
    // rule is an error and not a stack overflow.
    if let Some((offset, message)) = too_nested(&rule.when) {
        return Err(RuleError::new(
            &id,
            "when",
            Some(line_col(&rule.when, offset)),
            message,
        ));
    }
    let program = compile_cel(&rule.when).map_err(|e| {
        let first = e.errors.first();
        RuleError::new(
            &id,
            "when",
            first.map(|p| (p.pos.0.max(1) as u32, p.pos.1.max(1) as u32)),
            first.map_or_else(|| e.to_string(), |p| p.msg.clone()),
        )
    })?;
    let refs = program.references();
    // Names bound by a list macro (`audit_findings.exists(f, …)`) are not metrics.
    let bound = bound_names(&rule.when);
    let mut reads: Vec<String> = refs
        .variables()
        .into_iter()
        .filter(|v| !bound.iter().any(|b| b == v))
        .map(str::to_string)
        .collect();
    reads.sort();
    reads.dedup();
    for v in &reads {
        if !METRICS.iter().any(|m| m.name == v) {
            let at = rule.when.find(v.as_str()).map(|o| line_col(&rule.when, o));
            return Err(RuleError::new(
                &id,
                "when",
                at,
                format!("unknown metric '{v}' (see `inboxlens rules metrics`)"),
            ));
        }
    }
    for f in refs.functions() {
        // Operators and macro internals (`_&&_`, `@in`, `@not_strictly_false`) are CEL's own.
        if !f.starts_with(['_', '@']) && !ALLOWED_FUNCTIONS.contains(&f) {
            let at = rule.when.find(f).map(|o| line_col(&rule.when, o));
            return Err(RuleError::new(
                &id,
                "when",
                at,
                format!("function '{f}' is not available"),
            ));
        }
    }
    let compiled = CompiledRule {
        rule,
        program,
        reads,
    };
    // The examples name metrics too: a typo there would silently make a case "unknown".
    for (i, ex) in compiled.rule.examples.iter().enumerate() {
        for name in ex.metrics.keys() {
            if !METRICS.iter().any(|m| m.name == name) {
                return Err(RuleError::new(
                    &id,
                    &format!("example {}", i + 1),
                    None,
                    format!("unknown metric '{name}'"),
                ));
            }
        }
    }
    Ok(compiled)
}

/// Stack for the CEL parser's thread. Its recursive descent takes over 100 KiB per bracket
/// level in a debug build, so it does not run on the caller's stack (2 MiB on worker threads).
const PARSER_STACK: usize = 256 << 20;

/// Compiles a CEL expression on a thread with a large stack (reserved, not committed).
fn compile_cel(expr: &str) -> Result<cel::Program, cel::ParseErrors> {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("cel-parser".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, || cel::Program::compile(expr));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(cel::ParseErrors {
                    errors: vec![cel::ParseError {
                        source: None,
                        pos: (1, 1),
                        msg: "the expression could not be parsed".into(),
                        expr_id: 0,
                        source_info: None,
                    }],
                })
            }),
            // No thread to be had: parse here (nesting is bounded by `too_nested`).
            Err(_) => cel::Program::compile(expr),
        }
    })
}

/// Deepest bracket nesting a rule expression may use.
pub const MAX_NESTING: usize = 24;
/// Most operators (`&&`, `||`, comparisons, arithmetic) in one rule expression.
pub const MAX_OPERATORS: usize = 64;

/// Where and why an expression is too deep or too long to parse safely.
fn too_nested(expr: &str) -> Option<(usize, String)> {
    let bytes = expr.as_bytes();
    let mut depth = 0usize;
    let mut unary = 0usize;
    let mut operators = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => {
                // Skip a string literal (with escapes).
                i += 1;
                while i < bytes.len() && bytes[i] != b {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((i, format!("nested deeper than {MAX_NESTING} brackets")));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' if bytes.get(i + 1) != Some(&b'=') => {
                unary += 1;
                if unary > 8 {
                    return Some((i, "more than 8 negations in a row".into()));
                }
                i += 1;
                continue;
            }
            b'&' | b'|' | b'<' | b'>' | b'=' | b'+' | b'-' | b'*' | b'/' | b'%' | b'?' => {
                operators += 1;
                // Two-character operators count once.
                if matches!(bytes.get(i + 1), Some(b'&' | b'|' | b'=')) {
                    i += 1;
                }
                if operators > MAX_OPERATORS {
                    return Some((i, format!("more than {MAX_OPERATORS} operators")));
                }
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        unary = 0;
        i += 1;
    }
    None
}

/// Variables bound by CEL's list macros in `expr`.
fn bound_names(expr: &str) -> Vec<String> {
    static MACRO: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\.\s*(?:exists_one|exists|all|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,",
        )
        .ok()
    });
    MACRO.as_ref().map_or_else(Vec::new, |re| {
        re.captures_iter(expr)
            .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
            .collect()
    })
}

/// Functions a rule may call besides CEL's operators (comparison, logic, arithmetic,
/// membership): size, list macros, string tests, conversions.
const ALLOWED_FUNCTIONS: &[&str] = &[
    "!_",
    "-_",
    "size",
    "exists",
    "all",
    "exists_one",
    "filter",
    "map",
    "contains",
    "startsWith",
    "endsWith",
    "int",
    "double",
    "string",
    "has",
    "max",
    "min",
    "matches",
];

/// What a rule did on a set of metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Outcome {
    /// The expression was true.
    Fired,
    /// The expression was false.
    Passed,
    /// A metric it reads has no value (no data for it): neither fired nor passed.
    Unknown {
        /// The metrics without a value.
        missing: Vec<String>,
    },
    /// Evaluation failed (a type error, say).
    Error {
        /// What went wrong.
        message: String,
    },
}

impl CompiledRule {
    /// Evaluates the rule on `metrics`.
    pub fn evaluate(&self, metrics: &Metrics) -> Outcome {
        let missing: Vec<String> = self
            .reads
            .iter()
            .filter(|m| !metrics.contains_key(m.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Outcome::Unknown { missing };
        }
        let mut ctx = cel::Context::default();
        for name in &self.reads {
            if let Some(v) = metrics.get(name.as_str()) {
                ctx.add_variable_from_value(name.clone(), to_cel(v));
            }
        }
        match self.program.execute(&ctx) {
            Ok(cel::Value::Bool(true)) => Outcome::Fired,
            Ok(cel::Value::Bool(false)) => Outcome::Passed,
            Ok(other) => Outcome::Error {
                message: format!("the expression gave {other:?}, not true or false"),
            },
            Err(e) => Outcome::Error {
                message: e.to_string(),
            },
        }
    }

    /// Runs the rule's examples: (example number, expected, outcome) for each that disagrees.
    pub fn failing_examples(&self) -> Vec<(usize, bool, Outcome)> {
        self.rule
            .examples
            .iter()
            .enumerate()
            .filter_map(|(i, ex)| {
                let metrics: Metrics = ex
                    .metrics
                    .iter()
                    .filter_map(|(k, v)| MetricValue::from_toml(v).map(|v| (k.clone(), v)))
                    .collect();
                let got = self.evaluate(&metrics);
                let ok = matches!(
                    (&got, ex.fires),
                    (Outcome::Fired, true) | (Outcome::Passed, false)
                );
                (!ok).then_some((i + 1, ex.fires, got))
            })
            .collect()
    }
}

/// One example's result in a [`RuleCheck`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExampleCheck {
    /// 1-based.
    pub number: u32,
    /// What the example expects.
    pub fires: bool,
    /// What the rule did.
    pub outcome: Outcome,
    /// They agree.
    pub ok: bool,
}

/// A rule's text checked as a whole: parse, compile, examples (for live validation).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RuleCheck {
    /// The rule, when it parses.
    pub rule: Option<Rule>,
    /// The first problem, with its field and position.
    pub error: Option<RuleError>,
    /// Each example's result (when the rule compiles).
    pub examples: Vec<ExampleCheck>,
}

/// Checks a rule's TOML without saving it.
pub fn check(text: &str) -> RuleCheck {
    let rule = match parse_rule(text, "rule") {
        Ok(r) => r,
        Err(e) => {
            return RuleCheck {
                rule: None,
                error: Some(e),
                examples: Vec::new(),
            };
        }
    };
    match compile(rule.clone()) {
        Err(e) => RuleCheck {
            rule: Some(rule),
            error: Some(e),
            examples: Vec::new(),
        },
        Ok(c) => {
            let examples: Vec<ExampleCheck> = c
                .rule
                .examples
                .iter()
                .enumerate()
                .map(|(i, ex)| {
                    let metrics: Metrics = ex
                        .metrics
                        .iter()
                        .filter_map(|(k, v)| MetricValue::from_toml(v).map(|v| (k.clone(), v)))
                        .collect();
                    let outcome = c.evaluate(&metrics);
                    let ok = matches!(
                        (&outcome, ex.fires),
                        (Outcome::Fired, true) | (Outcome::Passed, false)
                    );
                    ExampleCheck {
                        number: i as u32 + 1,
                        fires: ex.fires,
                        outcome,
                        ok,
                    }
                })
                .collect();
            let error = examples.iter().find(|e| !e.ok).map(|e| RuleError {
                id: rule.id.clone(),
                field: format!("example {}", e.number),
                position: None,
                message: format!(
                    "expected the rule to {}",
                    if e.fires { "fire" } else { "pass" }
                ),
            });
            RuleCheck {
                rule: Some(rule),
                error,
                examples,
            }
        }
    }
}

fn to_cel(v: &MetricValue) -> cel::Value {
    match v {
        MetricValue::Int(i) => cel::Value::Int(*i),
        MetricValue::Float(f) => cel::Value::Float(*f),
        MetricValue::Bool(b) => cel::Value::Bool(*b),
        MetricValue::Text(s) => cel::Value::String(std::sync::Arc::new(s.clone())),
        MetricValue::List(items) => cel::Value::List(std::sync::Arc::new(
            items
                .iter()
                .map(|s| cel::Value::String(std::sync::Arc::new(s.clone())))
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"
id = "complaint-rate-critical"
area = "complaints"
severity = "critical"
weight = 30
when = "complaint_rate >= 0.003 && delivered >= 1000"
title = "Spam complaint rate at or above 0.3 %"
why = "Gmail and Yahoo stop mitigating delivery problems at 0.3 %."
fix = "Stop mailing unengaged recipients."
references = ["Gmail bulk sender guidelines (2024)"]
[[example]]
metrics = { complaint_rate = 0.004, delivered = 5000 }
fires = true
[[example]]
metrics = { complaint_rate = 0.004, delivered = 500 }
fires = false
"#;

    #[test]
    fn a_rule_compiles_and_its_examples_hold() {
        let r = compile(parse_rule(RULE, "x.toml").expect("toml")).expect("compiles");
        assert_eq!(r.reads, vec!["complaint_rate", "delivered"]);
        assert!(
            r.failing_examples().is_empty(),
            "{:?}",
            r.failing_examples()
        );
        let mut m = Metrics::new();
        m.insert("complaint_rate".into(), MetricValue::Float(0.01));
        assert_eq!(
            r.evaluate(&m),
            Outcome::Unknown {
                missing: vec!["delivered".into()]
            }
        );
    }

    #[test]
    fn numbers_compare_across_int_and_float_and_lists_have_membership() {
        let rule = RULE
            .replace(
                "complaint_rate >= 0.003 && delivered >= 1000",
                "spike_factor >= 3 && sent > 2.5 && 'spf-missing' in audit_findings",
            )
            .split("[[example]]")
            .next()
            .unwrap_or_default()
            .to_string();
        let r = compile(parse_rule(&rule, "x.toml").expect("toml")).expect("compiles");
        let mut m = Metrics::new();
        m.insert("spike_factor".into(), MetricValue::Float(3.5));
        m.insert("sent".into(), MetricValue::Int(3));
        m.insert(
            "audit_findings".into(),
            MetricValue::List(vec!["spf-missing".into()]),
        );
        assert_eq!(r.evaluate(&m), Outcome::Fired);
        m.insert("spike_factor".into(), MetricValue::Float(2.9));
        assert_eq!(r.evaluate(&m), Outcome::Passed);
    }

    #[test]
    fn errors_name_the_rule_and_the_position() {
        let bad = RULE.replace(">= 0.003 &&", ">= 0.003 &&&");
        let e = compile(parse_rule(&bad, "x.toml").expect("toml")).expect_err("bad CEL");
        assert_eq!(
            (e.id.as_str(), e.field.as_str()),
            ("complaint-rate-critical", "when")
        );
        assert!(e.position.is_some(), "{e}");
        let typo = RULE.replace("delivered >= 1000\"", "delivred >= 1000\"");
        let e = compile(parse_rule(&typo, "x.toml").expect("toml")).expect_err("unknown metric");
        assert!(e.message.contains("unknown metric 'delivred'"), "{e}");
        assert_eq!(e.position, Some((1, 28)));
        let e = parse_rule("id = \"a\"\nweight = \"x\"\n", "a.toml").expect_err("toml");
        assert_eq!((e.id.as_str(), e.field.as_str()), ("a", "toml"));
        assert_eq!(e.position.map(|p| p.0), Some(2));
    }
}

#[cfg(test)]
mod default_rules {
    use super::*;

    /// Every rule under `rules/` parses, compiles and gets its own examples right.
    #[test]
    fn every_default_rule_holds_its_examples() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        let mut count = 0;
        let mut ids = std::collections::BTreeSet::new();
        for area in std::fs::read_dir(&root).expect("rules/") {
            let area = area.expect("entry").path();
            if !area.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&area).expect("area") {
                let path = file.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("read");
                let rule = parse_rule(&text, &path.display().to_string())
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(
                    path.file_stem().and_then(|s| s.to_str()),
                    Some(rule.id.as_str()),
                    "file name = id"
                );
                assert_eq!(
                    area.file_name().and_then(|s| s.to_str()),
                    Some(rule.area.as_str()),
                    "folder = area"
                );
                assert!(
                    rule.examples.iter().any(|e| e.fires),
                    "{}: no firing example",
                    rule.id
                );
                assert!(
                    rule.examples.iter().any(|e| !e.fires),
                    "{}: no passing example",
                    rule.id
                );
                let c = compile(rule).unwrap_or_else(|e| panic!("{e}"));
                assert!(
                    c.failing_examples().is_empty(),
                    "{}: {:?}",
                    c.rule.id,
                    c.failing_examples()
                );
                assert!(ids.insert(c.rule.id.clone()), "duplicate id {}", c.rule.id);
                count += 1;
            }
        }
        assert!(count >= 40, "{count} rules");
    }
}
