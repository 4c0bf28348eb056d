//! DMARC aggregate reports (RFC 7489 §7.2 and appendix C; RFC 9990, "DMARCbis" aggregate
//! reporting, namespace `urn:ietf:params:xml:ns:dmarc-2.0`).
//!
//! Parsed with the forgiving reader in [`super::xml`]: element names and enumerated values
//! are compared case-insensitively (some generators write `Pass`), namespace prefixes are
//! ignored, and a value that cannot be read is kept as a warning on the report rather than
//! losing the report. A document without `feedback`/`report_metadata`/`policy_published` is
//! not an aggregate report and is rejected with the reason.

use serde::Serialize;

use super::source::RecordSource;
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
    /// Who the source is, when it has been looked up ([`super::source::describe`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<RecordSource>,
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

/// The elements the parser knows, so the open-element stack holds small values and matches
/// are on enums, not strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Feedback,
    Version,
    ReportMetadata,
    OrgName,
    Email,
    ExtraContactInfo,
    ReportId,
    DateRange,
    Begin,
    End,
    Error,
    Generator,
    PolicyPublished,
    Domain,
    Adkim,
    Aspf,
    P,
    Sp,
    Np,
    Pct,
    Fo,
    Testing,
    DiscoveryMethod,
    Record,
    Row,
    SourceIp,
    Count,
    PolicyEvaluated,
    Disposition,
    Dkim,
    Spf,
    Reason,
    Type,
    Comment,
    Identifiers,
    HeaderFrom,
    EnvelopeFrom,
    EnvelopeTo,
    AuthResults,
    Selector,
    Result,
    HumanResult,
    Scope,
    Other,
}

impl Tag {
    fn of(name: &[u8]) -> Tag {
        // Lower-cased into a small buffer, then one `match` (compiled to length and byte
        // comparisons): this runs for every element of reports with tens of thousands of rows.
        let mut buf = [0u8; 20];
        if name.len() > buf.len() {
            return Tag::Other;
        }
        let lower = &mut buf[..name.len()];
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        match &*lower {
            b"feedback" => Tag::Feedback,
            b"version" => Tag::Version,
            b"report_metadata" => Tag::ReportMetadata,
            b"org_name" => Tag::OrgName,
            b"email" => Tag::Email,
            b"extra_contact_info" => Tag::ExtraContactInfo,
            b"report_id" => Tag::ReportId,
            b"date_range" => Tag::DateRange,
            b"begin" => Tag::Begin,
            b"end" => Tag::End,
            b"error" => Tag::Error,
            b"generator" => Tag::Generator,
            b"policy_published" => Tag::PolicyPublished,
            b"domain" => Tag::Domain,
            b"adkim" => Tag::Adkim,
            b"aspf" => Tag::Aspf,
            b"p" => Tag::P,
            b"sp" => Tag::Sp,
            b"np" => Tag::Np,
            b"pct" => Tag::Pct,
            b"fo" => Tag::Fo,
            b"testing" => Tag::Testing,
            b"discovery_method" => Tag::DiscoveryMethod,
            b"record" => Tag::Record,
            b"row" => Tag::Row,
            b"source_ip" => Tag::SourceIp,
            b"count" => Tag::Count,
            b"policy_evaluated" => Tag::PolicyEvaluated,
            b"disposition" => Tag::Disposition,
            b"dkim" => Tag::Dkim,
            b"spf" => Tag::Spf,
            b"reason" => Tag::Reason,
            b"type" => Tag::Type,
            b"comment" => Tag::Comment,
            b"identifiers" => Tag::Identifiers,
            b"header_from" => Tag::HeaderFrom,
            b"envelope_from" => Tag::EnvelopeFrom,
            b"envelope_to" => Tag::EnvelopeTo,
            b"auth_results" => Tag::AuthResults,
            b"selector" => Tag::Selector,
            b"result" => Tag::Result,
            b"human_result" => Tag::HumanResult,
            b"scope" => Tag::Scope,
            _ => Tag::Other,
        }
    }
}

/// What is being filled while the elements of one record are read.
#[derive(Default)]
struct Open {
    record: AggregateRecord,
    dkim: DkimAuth,
    spf: SpfAuth,
    reason: OverrideReason,
}

/// Parses an aggregate report from XML bytes.
pub fn parse_aggregate(xml: &[u8]) -> Result<AggregateReport, AggregateError> {
    let mut reader = Reader::new(xml);
    let mut report = AggregateReport::default();
    let mut path: Vec<Tag> = Vec::with_capacity(8);
    let mut text = String::new();
    // Depth of the `feedback` element: some generators wrap it (in an `xs:schema`, say).
    let mut base: Option<usize> = None;
    let mut seen_metadata = false;
    let mut seen_policy = false;
    let mut open = Open::default();
    while let Some(event) = reader.next_event()? {
        match event {
            Event::Start { name, empty, .. } => {
                text.clear();
                let tag = Tag::of(name);
                let Some(b) = base else {
                    if tag == Tag::Feedback {
                        base = Some(path.len());
                    }
                    if !empty {
                        path.push(tag);
                    }
                    continue;
                };
                let rel = &path[b.min(path.len())..];
                match (rel, tag) {
                    ([_], Tag::ReportMetadata) => seen_metadata = true,
                    ([_], Tag::PolicyPublished) => seen_policy = true,
                    ([_], Tag::Record) => open.record = AggregateRecord::default(),
                    ([_, _, Tag::AuthResults], Tag::Dkim) => open.dkim = DkimAuth::default(),
                    ([_, _, Tag::AuthResults], Tag::Spf) => open.spf = SpfAuth::default(),
                    ([_, _, _, Tag::PolicyEvaluated], Tag::Reason) => {
                        open.reason = OverrideReason::default()
                    }
                    _ => {}
                }
                if !empty {
                    path.push(tag);
                }
            }
            Event::Text(t) => text.push_str(&t),
            Event::End(name) => {
                let tag = Tag::of(name);
                // Recovery from mismatched end tags: close up to the matching open element.
                let Some(at) = path.iter().rposition(|p| *p == tag) else {
                    continue;
                };
                path.truncate(at + 1);
                if let Some(b) = base.filter(|&b| at > b) {
                    close(&path[b + 1..], text.trim(), &mut report, &mut open)?;
                }
                text.clear();
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

/// Assigns the value of the element that just closed (`p`: its path below `feedback`).
fn close(
    p: &[Tag],
    value: &str,
    report: &mut AggregateReport,
    open: &mut Open,
) -> Result<(), AggregateError> {
    use Tag as T;
    let opt = |v: &str| {
        if v.is_empty() {
            None
        } else {
            Some(v.to_string())
        }
    };
    let lower = |v: &str| v.to_ascii_lowercase();
    let lower_opt = |v: &str| opt(v).map(|v| v.to_ascii_lowercase());
    match p {
        [T::Version] => report.version = opt(value),
        [T::ReportMetadata, field] => match field {
            T::OrgName => report.org_name = value.to_string(),
            T::Email => report.email = value.to_string(),
            T::ExtraContactInfo => report.extra_contact_info = opt(value),
            T::ReportId => report.report_id = value.to_string(),
            T::Error => report.errors.push(value.to_string()),
            T::Generator => report.generator = opt(value),
            _ => {}
        },
        [T::ReportMetadata, T::DateRange, which @ (T::Begin | T::End)] => {
            match value.parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    if *which == T::Begin {
                        report.begin = v as i64
                    } else {
                        report.end = v as i64
                    }
                }
                _ => report.warnings.push(format!(
                    "date_range/{} is not a Unix time: {value:?}",
                    if *which == T::Begin { "begin" } else { "end" }
                )),
            }
        }
        [T::PolicyPublished, field] => {
            let pp = &mut report.policy;
            match field {
                T::Domain => pp.domain = lower(value),
                T::Adkim => pp.adkim = lower_opt(value),
                T::Aspf => pp.aspf = lower_opt(value),
                T::P => pp.p = lower(value),
                T::Sp => pp.sp = lower_opt(value),
                T::Np => pp.np = lower_opt(value),
                T::Pct => match value.parse() {
                    Ok(v) => pp.pct = Some(v),
                    Err(_) if value.is_empty() => {}
                    Err(_) => report
                        .warnings
                        .push(format!("policy_published/pct is not a number: {value:?}")),
                },
                T::Fo => pp.fo = opt(value),
                T::Testing => pp.testing = lower_opt(value),
                T::DiscoveryMethod => pp.discovery_method = lower_opt(value),
                _ => {}
            }
        }
        [T::Record] => {
            if report.records.len() >= MAX_RECORDS {
                return Err(AggregateError::TooManyRecords);
            }
            report.records.push(std::mem::take(&mut open.record));
        }
        [T::Record, T::Row, T::SourceIp] => open.record.source_ip = value.to_string(),
        [T::Record, T::Row, T::Count] => match value.parse() {
            Ok(v) => open.record.count = v,
            Err(_) => report.warnings.push(format!(
                "record {} has a count that is not a number: {value:?}",
                report.records.len() + 1
            )),
        },
        [T::Record, T::Row, T::PolicyEvaluated, T::Reason]
            if !open.reason.kind.is_empty() || open.reason.comment.is_some() =>
        {
            open.record.reasons.push(std::mem::take(&mut open.reason));
        }
        [T::Record, T::Row, T::PolicyEvaluated, field] => match field {
            T::Disposition => open.record.disposition = lower(value),
            T::Dkim => open.record.dkim = lower(value),
            T::Spf => open.record.spf = lower(value),
            _ => {}
        },
        [T::Record, T::Row, T::PolicyEvaluated, T::Reason, field] => match field {
            T::Type => open.reason.kind = lower(value),
            T::Comment => open.reason.comment = opt(value),
            _ => {}
        },
        [T::Record, T::Identifiers, field] => match field {
            T::HeaderFrom => open.record.header_from = lower(value),
            T::EnvelopeFrom => open.record.envelope_from = lower_opt(value),
            T::EnvelopeTo => open.record.envelope_to = lower_opt(value),
            _ => {}
        },
        [T::Record, T::AuthResults, T::Dkim] => {
            let dkim = std::mem::take(&mut open.dkim);
            open.record.dkim_results.push(dkim);
        }
        [T::Record, T::AuthResults, T::Dkim, field] => match field {
            T::Domain => open.dkim.domain = lower(value),
            T::Selector => open.dkim.selector = opt(value),
            T::Result => open.dkim.result = lower(value),
            T::HumanResult => open.dkim.human_result = opt(value),
            _ => {}
        },
        [T::Record, T::AuthResults, T::Spf] => {
            let spf = std::mem::take(&mut open.spf);
            open.record.spf_results.push(spf);
        }
        [T::Record, T::AuthResults, T::Spf, field] => match field {
            T::Domain => open.spf.domain = lower(value),
            T::Scope => open.spf.scope = lower_opt(value),
            T::Result => open.spf.result = lower(value),
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
