//! DMARC aggregate reports (RFC 7489 §7.2 and appendix C; RFC 9990, "DMARCbis" aggregate
//! reporting, namespace `urn:ietf:params:xml:ns:dmarc-2.0`).
//!
//! Parsed with the forgiving reader in [`super::xml`]: element names and enumerated values
//! are compared case-insensitively (some generators write `Pass`), namespace prefixes are
//! ignored, and a value that cannot be read is kept as a warning on the report rather than
//! losing the report. A document without `feedback`/`report_metadata`/`policy_published` is
//! not an aggregate report and is rejected with the reason.

use serde::Serialize;

use super::xml::{Event, Reader, XmlError};

/// Most records accepted in one report (the largest real reports hold a few ten thousand).
pub const MAX_RECORDS: usize = 1_000_000;

/// One aggregate report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AggregateReport {
    /// `version` (RFC 9990 §B; "1.0" in most reports), if given.
    pub version: Option<String>,
    /// The reporting organization (`report_metadata/org_name`).
    pub org_name: String,
    /// Its contact address.
    pub email: String,
    /// Extra contact information.
    pub extra_contact_info: Option<String>,
    /// The reporter's id for this report (unique per reporter).
    pub report_id: String,
    /// Start of the reporting period, Unix seconds (UTC).
    pub begin: i64,
    /// End of the reporting period, Unix seconds.
    pub end: i64,
    /// Errors the reporter listed (`report_metadata/error`).
    pub errors: Vec<String>,
    /// The software that wrote the report (RFC 9990).
    pub generator: Option<String>,
    /// The policy the reporter found published.
    pub policy: PolicyPublished,
    /// One row per source IP and result combination.
    pub records: Vec<AggregateRecord>,
    /// Values we could not read (kept so nothing is silently dropped).
    pub warnings: Vec<String>,
}

/// `policy_published`: the DMARC record the reporter applied.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicyPublished {
    /// The domain the policy was found at.
    pub domain: String,
    /// `r` or `s` (relaxed when absent, RFC 7489 §6.3).
    pub adkim: Option<String>,
    /// `r` or `s`.
    pub aspf: Option<String>,
    /// `none`, `quarantine`, `reject`.
    pub p: String,
    /// Subdomain policy.
    pub sp: Option<String>,
    /// Non-existent subdomain policy (RFC 9989).
    pub np: Option<String>,
    /// Percentage (RFC 7489; dropped by RFC 9989).
    pub pct: Option<u32>,
    /// Failure reporting options.
    pub fo: Option<String>,
    /// `t=y` testing mode (RFC 9989).
    pub testing: Option<String>,
    /// `psl` or `treewalk` (RFC 9990).
    pub discovery_method: Option<String>,
}

/// One `record`: messages from one source with one set of results.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AggregateRecord {
    /// The sending IP as written.
    pub source_ip: String,
    /// Messages.
    pub count: u64,
    /// What the receiver did: `none`, `quarantine`, `reject` (RFC 9990 adds `pass`).
    pub disposition: String,
    /// DMARC-aligned DKIM result (`policy_evaluated/dkim`): `pass` or `fail`.
    pub dkim: String,
    /// DMARC-aligned SPF result (`policy_evaluated/spf`).
    pub spf: String,
    /// Why the receiver did not apply the policy (forwarded, mailing list, …).
    pub reasons: Vec<OverrideReason>,
    /// RFC 5322.From domain.
    pub header_from: String,
    /// RFC 5321.MailFrom domain.
    pub envelope_from: Option<String>,
    /// Recipient domain.
    pub envelope_to: Option<String>,
    /// Raw DKIM results (any domain, aligned or not).
    pub dkim_results: Vec<DkimAuth>,
    /// Raw SPF results.
    pub spf_results: Vec<SpfAuth>,
}

impl AggregateRecord {
    /// DMARC passes when either aligned result passed (RFC 7489 §4.2 / RFC 9989 §4.4).
    pub fn dmarc_pass(&self) -> bool {
        self.dkim == "pass" || self.spf == "pass"
    }
}

/// `policy_evaluated/reason`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OverrideReason {
    /// `forwarded`, `sampled_out`, `trusted_forwarder`, `mailing_list`, `local_policy`, `other`.
    pub kind: String,
    /// The receiver's comment.
    pub comment: Option<String>,
}

/// `auth_results/dkim`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DkimAuth {
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: Option<String>,
    /// `pass`, `fail`, `none`, `neutral`, `policy`, `temperror`, `permerror`.
    pub result: String,
    /// Free text from the reporter.
    pub human_result: Option<String>,
}

/// `auth_results/spf`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpfAuth {
    /// The domain checked.
    pub domain: String,
    /// `mfrom` or `helo`.
    pub scope: Option<String>,
    /// RFC 7208 result.
    pub result: String,
}

/// Why an XML document is not a usable aggregate report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    /// The document could not be read.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// No `feedback` root element.
    #[error("not a DMARC aggregate report: no <feedback> element")]
    NotFeedback,
    /// A required part is missing.
    #[error("DMARC aggregate report without <{0}>")]
    Missing(&'static str),
    /// More records than [`MAX_RECORDS`].
    #[error("DMARC aggregate report with more than {MAX_RECORDS} records")]
    TooManyRecords,
}

/// Parses an aggregate report from XML bytes.
pub fn parse_aggregate(xml: &[u8]) -> Result<AggregateReport, AggregateError> {
    let mut reader = Reader::new(xml);
    let mut report = AggregateReport::default();
    let mut path: Vec<String> = Vec::with_capacity(8);
    let mut text = String::new();
    // Depth of the `feedback` element: some generators wrap it (in an `xs:schema`, say).
    let mut base: Option<usize> = None;
    let mut seen_metadata = false;
    let mut seen_policy = false;
    let mut record = AggregateRecord::default();
    let mut dkim = DkimAuth::default();
    let mut spf = SpfAuth::default();
    let mut reason = OverrideReason::default();
    while let Some(event) = reader.next_event()? {
        match event {
            Event::Start { name, empty, .. } => {
                text.clear();
                let Some(b) = base else {
                    if name == "feedback" {
                        base = Some(path.len());
                        if !empty {
                            path.push(name);
                        }
                    } else if !empty {
                        path.push(name);
                    }
                    continue;
                };
                let rel = &path[b.min(path.len())..];
                match (rel.len(), name.as_str()) {
                    (1, "report_metadata") => seen_metadata = true,
                    (1, "policy_published") => seen_policy = true,
                    _ => {}
                }
                if empty {
                    continue;
                }
                match (rel.len(), name.as_str()) {
                    (1, "record") => record = AggregateRecord::default(),
                    (3, "dkim") if rel[2] == "auth_results" => dkim = DkimAuth::default(),
                    (3, "spf") if rel[2] == "auth_results" => spf = SpfAuth::default(),
                    (4, "reason") if rel[3] == "policy_evaluated" => {
                        reason = OverrideReason::default()
                    }
                    _ => {}
                }
                path.push(name);
            }
            Event::Text(t) => text.push_str(&t),
            Event::End(name) => {
                // Recovery from mismatched end tags: close up to the matching open element.
                let Some(at) = path.iter().rposition(|p| *p == name) else {
                    continue;
                };
                path.truncate(at + 1);
                let value = text.trim().to_string();
                text.clear();
                if let Some(b) = base.filter(|&b| at > b) {
                    close(
                        &path[b..],
                        value,
                        &mut report,
                        &mut record,
                        &mut dkim,
                        &mut spf,
                        &mut reason,
                    )?;
                }
                path.pop();
            }
        }
    }
    if base.is_none() {
        return Err(AggregateError::NotFeedback);
    }
    if !seen_metadata {
        return Err(AggregateError::Missing("report_metadata"));
    }
    if !seen_policy {
        return Err(AggregateError::Missing("policy_published"));
    }
    if report.org_name.is_empty()
        && let Some((_, domain)) = report.email.rsplit_once('@')
    {
        report.org_name = domain.trim_end_matches('>').to_ascii_lowercase();
        report.warnings.push(
            "report_metadata/org_name is empty; the reporter is named from its contact address"
                .into(),
        );
    }
    Ok(report)
}

/// Assigns the value of the element that just closed (`path` still holds it).
fn close(
    path: &[String],
    value: String,
    report: &mut AggregateReport,
    record: &mut AggregateRecord,
    dkim: &mut DkimAuth,
    spf: &mut SpfAuth,
    reason: &mut OverrideReason,
) -> Result<(), AggregateError> {
    let p: Vec<&str> = path.iter().skip(1).map(String::as_str).collect();
    let opt = |v: String| if v.is_empty() { None } else { Some(v) };
    let lower = |v: &str| v.to_ascii_lowercase();
    match p.as_slice() {
        ["version"] => report.version = opt(value),
        ["report_metadata", "org_name"] => report.org_name = value,
        ["report_metadata", "email"] => report.email = value,
        ["report_metadata", "extra_contact_info"] => report.extra_contact_info = opt(value),
        ["report_metadata", "report_id"] => report.report_id = value,
        ["report_metadata", "error"] => report.errors.push(value),
        ["report_metadata", "generator"] => report.generator = opt(value),
        ["report_metadata", "date_range", which @ ("begin" | "end")] => {
            match value.parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    let v = v as i64;
                    if *which == "begin" {
                        report.begin = v
                    } else {
                        report.end = v
                    }
                }
                _ => report
                    .warnings
                    .push(format!("date_range/{which} is not a Unix time: {value:?}")),
            }
        }
        ["policy_published", field] => {
            let pp = &mut report.policy;
            match *field {
                "domain" => pp.domain = lower(&value),
                "adkim" => pp.adkim = opt(lower(&value)),
                "aspf" => pp.aspf = opt(lower(&value)),
                "p" => pp.p = lower(&value),
                "sp" => pp.sp = opt(lower(&value)),
                "np" => pp.np = opt(lower(&value)),
                "pct" => match value.parse() {
                    Ok(v) => pp.pct = Some(v),
                    Err(_) if value.is_empty() => {}
                    Err(_) => report
                        .warnings
                        .push(format!("policy_published/pct is not a number: {value:?}")),
                },
                "fo" => pp.fo = opt(value),
                "testing" => pp.testing = opt(lower(&value)),
                "discovery_method" => pp.discovery_method = opt(lower(&value)),
                _ => {}
            }
        }
        ["record"] => {
            if report.records.len() >= MAX_RECORDS {
                return Err(AggregateError::TooManyRecords);
            }
            report.records.push(std::mem::take(record));
        }
        ["record", "row", "source_ip"] => record.source_ip = value,
        ["record", "row", "count"] => match value.parse() {
            Ok(v) => record.count = v,
            Err(_) => report.warnings.push(format!(
                "record {} has a count that is not a number: {value:?}",
                report.records.len() + 1
            )),
        },
        ["record", "row", "policy_evaluated", "reason"]
            if !reason.kind.is_empty() || reason.comment.is_some() =>
        {
            record.reasons.push(std::mem::take(reason));
        }
        ["record", "row", "policy_evaluated", field] => match *field {
            "disposition" => record.disposition = lower(&value),
            "dkim" => record.dkim = lower(&value),
            "spf" => record.spf = lower(&value),
            _ => {}
        },
        ["record", "row", "policy_evaluated", "reason", field] => match *field {
            "type" => reason.kind = lower(&value),
            "comment" => reason.comment = opt(value),
            _ => {}
        },
        ["record", "identifiers", field] => match *field {
            "header_from" => record.header_from = lower(&value),
            "envelope_from" => record.envelope_from = opt(lower(&value)),
            "envelope_to" => record.envelope_to = opt(lower(&value)),
            _ => {}
        },
        ["record", "auth_results", "dkim"] => record.dkim_results.push(std::mem::take(dkim)),
        ["record", "auth_results", "dkim", field] => match *field {
            "domain" => dkim.domain = lower(&value),
            "selector" => dkim.selector = opt(value),
            "result" => dkim.result = lower(&value),
            "human_result" => dkim.human_result = opt(value),
            _ => {}
        },
        ["record", "auth_results", "spf"] => record.spf_results.push(std::mem::take(spf)),
        ["record", "auth_results", "spf", field] => match *field {
            "domain" => spf.domain = lower(&value),
            "scope" => spf.scope = opt(lower(&value)),
            "result" => spf.result = lower(&value),
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
  <version>1.0</version>
  <report_metadata>
    <org_name>Reporter</org_name><email>dmarc@reporter.test</email>
    <report_id>r-1</report_id>
    <date_range><begin>1700000000</begin><end>1700086399</end></date_range>
  </report_metadata>
  <policy_published><domain>Example.COM</domain><p>none</p><pct>100</pct></policy_published>
  <record>
    <row><source_ip>192.0.2.1</source_ip><count>5</count>
      <policy_evaluated><disposition>none</disposition><dkim>Pass</dkim><spf>fail</spf>
        <reason><type>local_policy</type><comment>ok</comment></reason></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results>
      <dkim><domain>example.com</domain><selector>s1</selector><result>pass</result></dkim>
      <spf><domain>bounce.esp.test</domain><scope>mfrom</scope><result>pass</result></spf>
    </auth_results>
  </record>
  <record>
    <row><source_ip>198.51.100.7</source_ip><count>two</count>
      <policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results/>
  </record>
</feedback>"#;

    #[test]
    fn reads_every_field_case_insensitively() {
        let r = parse_aggregate(REPORT.as_bytes()).expect("parses");
        assert_eq!(r.org_name, "Reporter");
        assert_eq!(r.report_id, "r-1");
        assert_eq!((r.begin, r.end), (1_700_000_000, 1_700_086_399));
        assert_eq!(r.policy.domain, "example.com");
        assert_eq!(r.policy.pct, Some(100));
        assert_eq!(r.records.len(), 2);
        let a = &r.records[0];
        assert_eq!(
            (a.count, a.dkim.as_str(), a.spf.as_str()),
            (5, "pass", "fail")
        );
        assert!(a.dmarc_pass());
        assert_eq!(a.reasons[0].kind, "local_policy");
        assert_eq!(a.dkim_results[0].selector.as_deref(), Some("s1"));
        assert_eq!(a.spf_results[0].domain, "bounce.esp.test");
        assert!(!r.records[1].dmarc_pass());
        // The unreadable count is a warning, not a lost report.
        assert_eq!(r.records[1].count, 0);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    }

    #[test]
    fn rejects_what_is_not_a_report() {
        assert_eq!(
            parse_aggregate(b"<html><body/></html>"),
            Err(AggregateError::NotFeedback)
        );
        assert_eq!(parse_aggregate(b""), Err(AggregateError::NotFeedback));
        assert_eq!(
            parse_aggregate(b"<feedback><report_metadata/></feedback>"),
            Err(AggregateError::Missing("policy_published"))
        );
    }
}
