//! DMARC failure ("forensic") reports: RFC 6591 authentication-failure reports in ARF
//! (RFC 5965) and the plain-text reports some MTAs send instead (OpenDMARC under Exim:
//! "Sender Domain: … Sender IP Address: …" followed by the failed message's headers).

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use serde::Serialize;

use super::bounce::dsn;

/// One failure report: a single message that failed authentication.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FailureReport {
    /// `Feedback-Type` (`auth-failure`).
    pub feedback_type: String,
    /// Who reported it: the report message's From address.
    pub reporter: String,
    /// `User-Agent` of the reporting software.
    pub user_agent: Option<String>,
    /// `Version` of the report format.
    pub version: Option<String>,
    /// `Arrival-Date` (else the report's Received date), Unix seconds.
    pub arrival: Option<i64>,
    /// `Source-IP`: where the failing message came from.
    pub source_ip: Option<String>,
    /// `Reported-Domain` (else the failed message's From domain).
    pub reported_domain: Option<String>,
    /// `Original-Mail-From`.
    pub original_mail_from: Option<String>,
    /// `Original-Rcpt-To`.
    pub original_rcpt_to: Option<String>,
    /// `Original-Envelope-Id`.
    pub original_envelope_id: Option<String>,
    /// `Auth-Failure` values (RFC 6591 §3.2.2: `adsp`, `bodyhash`, `revoked`, `signature`,
    /// `spf`, `dmarc`).
    pub auth_failure: Vec<String>,
    /// `Authentication-Results` as the reporter wrote it.
    pub authentication_results: Option<String>,
    /// `Delivery-Result` (`delivered`, `spam`, `policy`, `reject`, `other`).
    pub delivery_result: Option<String>,
    /// `DKIM-Domain`.
    pub dkim_domain: Option<String>,
    /// `DKIM-Selector`.
    pub dkim_selector: Option<String>,
    /// From of the failed message.
    pub header_from: Option<String>,
    /// Its Subject.
    pub subject: Option<String>,
    /// Its Message-ID.
    pub message_id: Option<String>,
    /// Only the failed message's headers were returned (no body).
    pub headers_only: bool,
}

/// Reads a failure report from a parsed report message; `None` when it is not one.
pub fn from_message(message: &Message<'_>) -> Option<FailureReport> {
    let mut feedback: Option<String> = None;
    let mut original: Option<(Message<'_>, bool)> = None;
    let mut plain: Option<String> = None;
    for part in &message.parts {
        let ct = part.content_type();
        let ty = ct
            .map(|c| c.ctype().to_ascii_lowercase())
            .unwrap_or_default();
        let sub = ct
            .and_then(|c| c.subtype())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match (&ty[..], &sub[..], &part.body) {
            ("message", "feedback-report", _) => {
                feedback = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            (_, _, PartType::Message(m)) if original.is_none() => {
                original = Some((m.clone(), false));
            }
            ("text", "rfc822-headers", _) if original.is_none() => {
                if let Some(m) = MessageParser::default().parse_headers(part.contents()) {
                    original = Some((m.into_owned(), true));
                }
            }
            ("text", "plain", _) if plain.is_none() => {
                plain = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            _ => {}
        }
    }
    let reporter = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match feedback {
        Some(fb) => {
            let fields: dsn::Fields<'_> = dsn::groups(&fb).into_iter().flatten().collect();
            let get = |n: &str| dsn::get(&fields, n).map(str::to_string);
            let feedback_type = get("feedback-type")?.to_ascii_lowercase();
            // RFC 6591 §3: only auth-failure reports are DMARC failure reports; abuse
            // complaints stay with the feeds.
            if feedback_type != "auth-failure" {
                return None;
            }
            let mut r = FailureReport {
                feedback_type,
                reporter,
                user_agent: get("user-agent"),
                version: get("version"),
                arrival: get("arrival-date")
                    .or_else(|| get("received-date"))
                    .and_then(|v| date(&v))
                    .or_else(|| message.date().map(|d| d.to_timestamp())),
                source_ip: get("source-ip")
                    .and_then(|v| v.split_whitespace().next().map(str::to_string)),
                reported_domain: get("reported-domain").map(|d| d.to_ascii_lowercase()),
                original_mail_from: get("original-mail-from"),
                original_rcpt_to: get("original-rcpt-to"),
                original_envelope_id: get("original-envelope-id"),
                auth_failure: auth_failures(&fields),
                authentication_results: get("authentication-results"),
                delivery_result: get("delivery-result").map(|v| delivery_result(&v)),
                dkim_domain: get("dkim-domain").map(|v| v.to_ascii_lowercase()),
                dkim_selector: get("dkim-selector"),
                ..FailureReport::default()
            };
            fill_original(&mut r, original.as_ref());
            Some(r)
        }
        None => {
            let text = plain?;
            plain_text(&text, reporter, message, original.as_ref())
        }
    }
}

/// The plain-text variant: "Sender Domain:" / "Sender IP Address:" lines, then a copy of
/// the failed message's headers after a "------ This is a copy of the headers" line.
fn plain_text(
    text: &str,
    reporter: String,
    message: &Message<'_>,
    original: Option<&(Message<'_>, bool)>,
) -> Option<FailureReport> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("dmarc") {
        return None;
    }
    let field = |name: &str| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let source_ip = field("Sender IP Address")?;
    let mut r = FailureReport {
        feedback_type: "auth-failure".into(),
        reporter,
        arrival: field("Received date")
            .and_then(|v| date(&v))
            .or_else(|| message.date().map(|d| d.to_timestamp())),
        source_ip: Some(source_ip),
        reported_domain: field("Sender Domain").map(|d| d.to_ascii_lowercase()),
        auth_failure: vec!["dmarc".into()],
        delivery_result: Some("other".into()),
        ..FailureReport::default()
    };
    let copied = lower
        .find("this is a copy of the headers")
        .and_then(|at| text[at..].find('\n').map(|nl| at + nl + 1))
        .and_then(|start| MessageParser::default().parse_headers(&text.as_bytes()[start..]))
        .map(|m| (m.into_owned(), true));
    fill_original(&mut r, copied.as_ref().or(original));
    Some(r)
}

fn fill_original(r: &mut FailureReport, original: Option<&(Message<'_>, bool)>) {
    let Some((m, headers_only)) = original else {
        return;
    };
    r.headers_only = *headers_only;
    r.header_from = m
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_ascii_lowercase);
    r.subject = m.subject().map(str::to_string);
    r.message_id = m.message_id().map(str::to_string);
    if r.reported_domain.is_none() {
        r.reported_domain = r
            .header_from
            .as_deref()
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.to_string());
    }
    if r.authentication_results.is_none() {
        r.authentication_results = m
            .header_raw("Authentication-Results")
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "));
    }
}

/// `Auth-Failure` values. RFC 6591 §3.2.2 requires the field; a report sent to a DMARC ruf=
/// address without it is a DMARC failure (RFC 7489 §7.3), so it reads as `dmarc`.
fn auth_failures(fields: &dsn::Fields<'_>) -> Vec<String> {
    let found: Vec<String> = fields
        .iter()
        .filter(|(n, _)| dsn::named(n, "auth-failure"))
        .flat_map(|(_, v)| v.split(',').map(|x| x.trim().to_ascii_lowercase()))
        .filter(|v| !v.is_empty())
        .collect();
    if found.is_empty() {
        vec!["dmarc".into()]
    } else {
        found
    }
}

/// `Delivery-Result` (RFC 6591 §3.2.2: delivered, spam, policy, reject, other). Vendor
/// values that name one of those ("smg-policy-action") read as it; anything else is `other`.
fn delivery_result(value: &str) -> String {
    let v = value.trim().to_ascii_lowercase();
    const KNOWN: [&str; 5] = ["delivered", "spam", "policy", "reject", "other"];
    if KNOWN.contains(&v.as_str()) {
        return v;
    }
    KNOWN
        .iter()
        .find(|k| v.contains(*k))
        .map_or_else(|| "other".to_string(), |k| k.to_string())
}

fn date(value: &str) -> Option<i64> {
    mail_parser::DateTime::parse_rfc822(value.trim()).map(|d| d.to_timestamp())
}
