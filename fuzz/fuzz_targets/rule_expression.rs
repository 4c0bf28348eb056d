//! The rule engine: a rule's TOML (parse, compile, examples) and, taken as the `when`
//! expression of a rule, the CEL parser and evaluator over a full set of metrics.
#![no_main]
use inboxlens_core::habits::{MetricValue, Metrics, Rule, check, compile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = check(text);
    let rule = Rule {
        id: "fuzz".into(),
        area: "volume".into(),
        severity: "info".into(),
        weight: 1,
        when: text.to_string(),
        title: "t".into(),
        why: "w".into(),
        fix: "f".into(),
        references: Vec::new(),
        enabled: true,
        examples: Vec::new(),
    };
    if let Ok(c) = compile(rule) {
        let mut m = Metrics::new();
        for def in inboxlens_core::habits::METRICS {
            let v = match def.kind {
                "int" => MetricValue::Int(7),
                "bool" => MetricValue::Bool(true),
                "text" => MetricValue::Text("none".into()),
                "list" => MetricValue::List(vec!["spf-missing".into()]),
                _ => MetricValue::Float(0.25),
            };
            m.insert(def.name.to_string(), v);
        }
        let _ = c.evaluate(&m);
    }
});
