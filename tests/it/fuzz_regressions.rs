//! Replays `fixtures/fuzz-regressions/<target>/*` through the functions each fuzz target in
//! `fuzz/` exercises: every input that once crashed (or is known to be nasty) must now be
//! handled without a panic.

use inboxlens_tests::fixture;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fixture(&format!("fuzz-regressions/{target}"));
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no regression inputs for {target}");
    out
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn every_fuzz_regression_input_is_survived() {
    use inboxlens_core::auth::{dkim, dmarc, spf};
    for (name, data) in inputs("spf_record") {
        let text = String::from_utf8_lossy(&data);
        let _ = spf::parse(&text);
        let lint = spf::lint("fuzz.example", &text);
        assert!(!lint.is_empty() || spf::parse(&text).is_ok(), "{name}");
        let cx = spf::MacroContext {
            sender: "user@fuzz.example",
            domain: "fuzz.example",
            ip: "192.0.2.1".parse().expect("ip"),
            helo: "mail.fuzz.example",
            receiver: "mx.example",
            now: 0,
            validated: "unknown",
        };
        let _ = spf::expand(&text, &cx);
    }
    for (_, data) in inputs("dmarc_record") {
        let text = String::from_utf8_lossy(&data);
        let _ = dmarc::parse(&text);
        let _ = dmarc::lint("fuzz.example", &text);
    }
    for (_, data) in inputs("dkim_key") {
        if let Ok(k) = dkim::parse(&String::from_utf8_lossy(&data)) {
            let _ = dkim::key_bits(&k);
        }
        if let Ok(k) = dkim::parse(&format!("v=DKIM1; k=rsa; p={}", base64(&data))) {
            let _ = dkim::key_bits(&k);
        }
    }
    for (_, data) in inputs("message_headers") {
        use inboxlens_core::message::{auth_results, headers, parse_headers, trace};
        let _ = headers::check(&data, &headers::split_headers(&data), &["from".to_string()]);
        if let Some(m) = parse_headers(&data) {
            let hops = trace::hops(m.headers(), &data);
            let _ = trace::envelope(&hops, None, None, None, None);
        }
        let text = String::from_utf8_lossy(&data);
        let _ = auth_results::parse_authentication_results("A-R", &text);
        let _ = auth_results::parse_arc_authentication_results(&text);
        let _ = auth_results::parse_received_spf(&text);
    }
    for (name, data) in inputs("mta_sts_policy") {
        let r = inboxlens_core::audit::mta_sts::parse_policy(&String::from_utf8_lossy(&data));
        if name == "huge-max-age" {
            assert!(r.is_err(), "a max_age over a year is refused");
        }
    }
    for (name, data) in inputs("bounce_decode") {
        let _ = inboxlens_core::feeds::decode(&data, &name, Default::default());
    }
    let small = inboxlens_core::feeds::ReportLimits {
        max_inflated: 1 << 20,
    };
    for (name, data) in inputs("report_parse") {
        let r = inboxlens_core::feeds::parse_report(&data, small);
        if name == "gzip-six-deep.gz" {
            assert!(
                matches!(r, Err(inboxlens_core::feeds::ReportError::TooDeep)),
                "{r:?}"
            );
        }
    }
    for (_, data) in inputs("dmarc_aggregate_xml") {
        let _ = inboxlens_core::feeds::dmarc_report::parse_aggregate(&data);
    }
    for (name, data) in inputs("tls_report_json") {
        let r = inboxlens_core::feeds::tls_report::parse_tls(&data);
        if name == "odd-counts.json" {
            let r = r.expect("odd but readable");
            assert_eq!(r.end - r.begin, 86_399 - 7_200);
            assert_eq!((r.policies[0].successful, r.policies[0].failed), (0, 0));
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, data) in inputs("mbox_reader") {
        let path = dir.path().join(&name);
        std::fs::write(&path, &data).expect("write");
        let limits = inboxlens_core::feeds::input::InputLimits {
            max_message: 1 << 20,
            max_inflated: 4 << 20,
        };
        inboxlens_core::feeds::for_each_message(&path, limits, &mut |item| {
            if let Ok(item) = item {
                let _ = inboxlens_core::feeds::decode(&item.data, &item.name, Default::default());
            }
            true
        });
    }
}

/// Rule expressions: nesting near the length cap, huge conjunctions, overflow and division
/// by zero, regex matching, unicode escapes — each compiles or is refused, and evaluates or
/// errors, without a crash; run on a thread with a small stack like the app's command pool.
#[test]
fn rule_expressions_never_crash() {
    use inboxlens_core::habits::{MetricValue, Metrics, Rule, check, compile};
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            for (_, data) in inputs("rule_expression") {
                let text = String::from_utf8_lossy(&data).to_string();
                let _ = check(&text);
                let rule = Rule {
                    id: "fuzz".into(),
                    area: "volume".into(),
                    severity: "info".into(),
                    weight: 1,
                    when: text,
                    title: "t".into(),
                    why: "w".into(),
                    fix: "f".into(),
                    references: Vec::new(),
                    enabled: true,
                    examples: Vec::new(),
                };
                if let Ok(c) = compile(rule) {
                    let mut m = Metrics::new();
                    m.insert("sent".into(), MetricValue::Int(7));
                    m.insert("bulk_sender".into(), MetricValue::Bool(true));
                    m.insert("worst_provider".into(), MetricValue::Text("x".into()));
                    m.insert(
                        "dmarc_policy".into(),
                        MetricValue::Text("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".into()),
                    );
                    let _ = c.evaluate(&m);
                }
            }
        })
        .expect("thread");
    handle.join().expect("no crash");
}
