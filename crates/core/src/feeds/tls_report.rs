//! SMTP TLS reports (RFC 8460 §4): JSON, what sending MTAs saw when they tried TLS to the
//! customer's MX hosts under its MTA-STS (RFC 8461) or DANE policy.
//!
//! Read through `serde_json::Value` so that one odd field (a string where a list belongs, a
//! count written as a string) is read as meant instead of failing the report; the fields
//! RFC 8460 §4.4 makes required are checked and a report missing one is rejected with the
//! field named.

use serde::Serialize;
use serde_json::Value;

/// One TLS report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsReport {
    /// `organization-name`.
    pub organization_name: String,
    /// `date-range/start-datetime`, Unix seconds.
    pub begin: i64,
    /// `date-range/end-datetime`, Unix seconds.
    pub end: i64,
    /// `contact-info`.
    pub contact_info: Option<String>,
    /// `report-id`.
    pub report_id: String,
    /// One entry per policy the sender applied.
    pub policies: Vec<TlsPolicy>,
}

/// One `policies[]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsPolicy {
    /// `sts`, `tlsa` or `no-policy-found`.
    pub policy_type: String,
    /// The policy domain (the customer's domain).
    pub policy_domain: String,
    /// The policy as the sender saw it (MTA-STS lines or TLSA records).
    pub policy_strings: Vec<String>,
    /// MX patterns of the policy.
    pub mx_hosts: Vec<String>,
    /// Sessions that negotiated TLS under the policy.
    pub successful: u64,
    /// Sessions that failed.
    pub failed: u64,
    /// What failed, where.
    pub failures: Vec<TlsFailure>,
}

/// One `failure-details[]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsFailure {
    /// RFC 8460 §4.3 result type (`certificate-expired`, `starttls-not-supported`, …).
    pub result_type: String,
    /// The sender's IP.
    pub sending_mta_ip: Option<String>,
    /// The MX host it tried.
    pub receiving_mx_hostname: Option<String>,
    /// The MX's HELO name.
    pub receiving_mx_helo: Option<String>,
    /// The MX's IP.
    pub receiving_ip: Option<String>,
    /// Sessions that failed this way.
    pub failed_sessions: u64,
    /// URI with more information.
    pub additional_information: Option<String>,
    /// The sender's own reason code.
    pub failure_reason_code: Option<String>,
}

/// Why a JSON document is not a usable TLS report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsReportError {
    /// Not JSON.
    #[error("not a TLS report: invalid JSON ({0})")]
    Json(String),
    /// JSON, but nothing like a TLS report.
    #[error("not a TLS report: JSON without organization-name or policies")]
    NotTls,
    /// A field RFC 8460 §4.4 requires is missing or of the wrong type.
    #[error("invalid TLS report: {0} (RFC 8460 §4.4)")]
    Invalid(String),
}

/// Parses a TLS report from JSON bytes.
pub fn parse_tls(json: &[u8]) -> Result<TlsReport, TlsReportError> {
    let value: Value =
        serde_json::from_slice(json).map_err(|e| TlsReportError::Json(e.to_string()))?;
    let invalid = |what: String| TlsReportError::Invalid(what);
    let root = value
        .as_object()
        .ok_or_else(|| invalid("the report is not a JSON object".into()))?;
    if !root.contains_key("policies") && !root.contains_key("organization-name") {
        return Err(TlsReportError::NotTls);
    }
    let text = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let organization_name = text(root.get("organization-name"))
        .ok_or_else(|| invalid("missing organization-name".into()))?;
    let report_id =
        text(root.get("report-id")).ok_or_else(|| invalid("missing report-id".into()))?;
    let range = root
        .get("date-range")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("missing date-range".into()))?;
    let time = |key: &str| -> Result<i64, TlsReportError> {
        let raw =
            text(range.get(key)).ok_or_else(|| invalid(format!("missing date-range/{key}")))?;
        mail_parser::DateTime::parse_rfc3339(&raw)
            .map(|d| d.to_timestamp())
            .ok_or_else(|| invalid(format!("date-range/{key} is not an RFC 3339 time: {raw:?}")))
    };
    let begin = time("start-datetime")?;
    let end = time("end-datetime")?;
    let policies_json = root
        .get("policies")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("missing policies".into()))?;
    let mut policies = Vec::with_capacity(policies_json.len());
    for (i, p) in policies_json.iter().enumerate() {
        let n = i + 1;
        let policy = p
            .get("policy")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid(format!("policy {n} has no policy object")))?;
        let policy_type = text(policy.get("policy-type"))
            .ok_or_else(|| invalid(format!("policy {n} has no policy-type")))?
            .to_ascii_lowercase();
        let policy_domain = text(policy.get("policy-domain"))
            .ok_or_else(|| invalid(format!("policy {n} has no policy-domain")))?
            .to_ascii_lowercase();
        let summary = p
            .get("summary")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid(format!("policy {n} has no summary")))?;
        let failures = p
            .get("failure-details")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|f| TlsFailure {
                        result_type: text(f.get("result-type"))
                            .unwrap_or_default()
                            .to_ascii_lowercase(),
                        sending_mta_ip: text(f.get("sending-mta-ip")),
                        receiving_mx_hostname: text(f.get("receiving-mx-hostname"))
                            .map(|h| h.trim_end_matches('.').to_ascii_lowercase()),
                        receiving_mx_helo: text(f.get("receiving-mx-helo")),
                        receiving_ip: text(f.get("receiving-ip")),
                        failed_sessions: count(f.get("failed-session-count")),
                        additional_information: text(f.get("additional-information")),
                        failure_reason_code: text(f.get("failure-reason-code")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        policies.push(TlsPolicy {
            policy_type,
            policy_domain,
            policy_strings: strings(policy.get("policy-string")),
            mx_hosts: strings(policy.get("mx-host")),
            successful: count(summary.get("total-successful-session-count")),
            failed: count(summary.get("total-failure-session-count")),
            failures,
        });
    }
    Ok(TlsReport {
        organization_name,
        begin,
        end,
        contact_info: text(root.get("contact-info")),
        report_id,
        policies,
    })
}

/// A count written as a number or a numeric string; anything else is 0.
fn count(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// A list of strings, or one string taken as a list of one.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rfc_example_shape() {
        let json = br#"{"organization-name":"Company-X","date-range":{"start-datetime":"2016-04-01T00:00:00Z","end-datetime":"2016-04-01T23:59:59Z"},"contact-info":"sts-reporting@company-x.example","report-id":"5065427c-23d3","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing"],"policy-domain":"Company-Y.example","mx-host":"*.mail.company-y.example"},"summary":{"total-successful-session-count":5326,"total-failure-session-count":"303"},"failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"2001:db8:abcd:0012::1","receiving-mx-hostname":"mx1.mail.company-y.example.","failed-session-count":100}]}]}"#;
        let r = parse_tls(json).expect("parses");
        assert_eq!(r.begin, 1_459_468_800);
        assert_eq!(r.end - r.begin, 86_399);
        let p = &r.policies[0];
        assert_eq!(p.policy_domain, "company-y.example");
        assert_eq!((p.successful, p.failed), (5326, 303));
        assert_eq!(p.mx_hosts, vec!["*.mail.company-y.example"]);
        assert_eq!(
            p.failures[0].receiving_mx_hostname.as_deref(),
            Some("mx1.mail.company-y.example")
        );
    }

    #[test]
    fn names_the_missing_field() {
        let e = parse_tls(br#"{"organization-name":"G","report-id":"x","date-range":{"start-datetime":"2019-04-14T00:00:00Z","end-datetime":"2019-04-14T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts"},"summary":{}}]}"#);
        assert_eq!(
            e,
            Err(TlsReportError::Invalid(
                "policy 1 has no policy-domain".into()
            ))
        );
        assert!(matches!(
            parse_tls(b"{not json"),
            Err(TlsReportError::Json(_))
        ));
    }
}
