//! The finding: the common currency of every check (DESIGN.md §2).

use serde::{Deserialize, Serialize};

/// How much a finding matters. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The check passed; kept so a report can show what was verified.
    Pass,
    /// Worth knowing, nothing to fix.
    Info,
    /// Should be fixed; mail may suffer.
    Warning,
    /// Wrong; mail is or will be affected.
    Error,
    /// Mail is being rejected or a mailbox-provider requirement is broken.
    Critical,
}

impl Severity {
    /// The lowercase name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Pass => "pass",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    /// Whether this severity makes the CLI exit with status 1 (DESIGN.md §3).
    pub fn fails_run(self) -> bool {
        self >= Severity::Error
    }
}

/// One problem (or verified fact) with the evidence it came from and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// Stable kebab-case id, area-prefixed (`spf-too-many-lookups`); never reused.
    pub id: String,
    /// How much it matters.
    pub severity: Severity,
    /// One line a specialist can read at a glance.
    pub title: String,
    /// The explanation in plain words.
    pub detail: String,
    /// The exact records, answers, headers or lines the verdict came from.
    pub evidence: Vec<String>,
    /// What to publish or change, concretely.
    pub fix: String,
    /// RFC sections and provider documents the verdict rests on.
    pub references: Vec<String>,
}

impl Finding {
    /// Starts a finding; fill the rest with the builder methods below.
    pub fn new(id: &str, severity: Severity, title: impl Into<String>) -> Self {
        Self {
            id: id.to_string(),
            severity,
            title: title.into(),
            detail: String::new(),
            evidence: Vec::new(),
            fix: String::new(),
            references: Vec::new(),
        }
    }

    /// Sets the explanation.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Sets the evidence lines.
    pub fn evidence(mut self, evidence: Vec<String>) -> Self {
        self.evidence = evidence;
        self
    }

    /// Sets the fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// Sets the references (RFC sections, provider documents).
    pub fn refs(mut self, refs: &[&str]) -> Self {
        self.references = refs.iter().map(|r| r.to_string()).collect();
        self
    }
}

/// Whether any of `findings` makes the run fail (exit status 1).
pub fn any_failing(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity.fails_run())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_serializes_lowercase() {
        assert!(Severity::Critical > Severity::Error);
        assert!(Severity::Warning > Severity::Info);
        assert!(!Severity::Warning.fails_run());
        assert!(Severity::Error.fails_run());
        assert_eq!(
            serde_json::to_string(&Severity::Warning).expect("serialize"),
            "\"warning\""
        );
        let parsed: Severity = serde_json::from_str("\"critical\"").expect("parse");
        assert_eq!(parsed, Severity::Critical);
    }
}
