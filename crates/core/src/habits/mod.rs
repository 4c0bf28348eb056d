//! Sending habits (issue #8, DESIGN.md §4): the metrics mailbox providers judge senders by,
//! computed from an account's own data, a rule set of safe expressions over them, and the
//! score with its reasons, fixes and the Gmail / Yahoo / Microsoft bulk-sender scorecard.

pub mod metrics;
pub mod rules;
pub mod score;
pub mod sending_log;

pub use metrics::{METRICS, MetricDef, MetricInputs, MetricValue, Metrics, compute};
pub use rules::{
    CompiledRule, Example, ExampleCheck, Outcome, Rule, RuleCheck, RuleError, check, compile,
    parse_rule,
};
pub use score::{AreaScore, FiredRule, Requirement, ScoreReport, score};
