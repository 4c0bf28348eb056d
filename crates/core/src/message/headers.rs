//! Header checks: RFC 5322 well-formedness (one From/Date/Message-ID, valid syntax, line
//! length), and the bulk-sender rules of Gmail and Yahoo (2024) and Microsoft (2025):
//! List-Unsubscribe with one-click (RFC 8058) covered by DKIM.

use serde::Serialize;

use crate::finding::{Finding, Severity};

/// RFC 5322 §2.1.1: a line MUST NOT exceed 998 characters.
pub const LINE_LIMIT: usize = 998;
/// Header sections beyond this are refused or truncated by some receivers.
pub const HEADER_SECTION_LIMIT: usize = 64 * 1024;
/// Headers that may appear at most once (RFC 5322 §3.6, the table's "max number" = 1).
const SINGLETONS: &[&str] = &[
    "date",
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "message-id",
    "in-reply-to",
    "references",
    "subject",
];

/// The header facts shown in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HeaderFacts {
    /// Every header in order: (name, unfolded value).
    pub table: Vec<(String, String)>,
    /// Size of the header section in bytes.
    pub size: usize,
    /// `List-Unsubscribe`, if present.
    pub list_unsubscribe: Option<String>,
    /// `List-Unsubscribe-Post`, if present.
    pub list_unsubscribe_post: Option<String>,
    /// `Message-ID`, if present.
    pub message_id: Option<String>,
    /// `Date`, if present.
    pub date: Option<String>,
}

/// Header fields as (name, unfolded value, raw lines), and the header section's size.
pub type Split = (Vec<(String, String, String)>, usize);

/// The raw header section split into (name, unfolded value, raw lines).
pub fn split_headers(raw: &[u8]) -> Split {
    let text = String::from_utf8_lossy(raw);
    let end = text
        .find("\r\n\r\n")
        .map(|i| i + 2)
        .or_else(|| text.find("\n\n").map(|i| i + 1))
        .unwrap_or(text.len());
    let head = &text[..end];
    let mut out: Vec<(String, String, String)> = Vec::new();
    for line in head.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare.is_empty() {
            continue;
        }
        if bare.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(bare.trim());
                last.2.push_str(line);
            }
            continue;
        }
        let (name, value) = bare.split_once(':').unwrap_or((bare, ""));
        out.push((
            name.trim().to_string(),
            value.trim().to_string(),
            line.to_string(),
        ));
    }
    (out, end)
}

fn valid_msg_id(v: &str) -> bool {
    let v = v.trim();
    let Some(inner) = v.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        return false;
    };
    let Some((left, right)) = inner.split_once('@') else {
        return false;
    };
    !left.is_empty()
        && !right.is_empty()
        && !inner.contains(char::is_whitespace)
        && !right.contains('@')
}

/// Checks the headers of `raw`, already split by [`split_headers`]. `dkim_signed` is the set
/// of header names (lowercase) covered by some passing DKIM signature.
pub fn check(raw: &[u8], split: &Split, dkim_signed: &[String]) -> (HeaderFacts, Vec<Finding>) {
    let (headers, size) = (&split.0, split.1);
    let mut out = Vec::new();
    let get = |n: &str| -> Vec<&(String, String, String)> {
        headers
            .iter()
            .filter(|h| h.0.eq_ignore_ascii_case(n))
            .collect()
    };
    let line = |h: &(String, String, String)| format!("{}: {}", h.0, h.1);
    let facts = HeaderFacts {
        table: headers.iter().map(|h| (h.0.clone(), h.1.clone())).collect(),
        size,
        list_unsubscribe: get("list-unsubscribe").first().map(|h| h.1.clone()),
        list_unsubscribe_post: get("list-unsubscribe-post").first().map(|h| h.1.clone()),
        message_id: get("message-id").first().map(|h| h.1.clone()),
        date: get("date").first().map(|h| h.1.clone()),
    };
    // RFC 5322 §3.6: From and Date are required; singletons appear once.
    if get("from").is_empty() {
        out.push(Finding::new("message-from-missing", Severity::Critical, "The message has no From header")
            .detail("RFC 5322 §3.6 requires exactly one From header; without it there is no domain for DMARC and Gmail rejects the message.")
            .evidence(vec!["no From: header".into()])
            .fix("Have the sending system set a From header with the sender's address.")
            .refs(&["RFC 5322 §3.6", "RFC 7489 §6.6.1"]));
    }
    for name in SINGLETONS {
        let hs = get(name);
        if hs.len() > 1 {
            out.push(Finding::new("message-header-repeated", Severity::Error, format!("The message has {} {} headers", hs.len(), hs[0].0))
                .detail("RFC 5322 §3.6 allows this header once. Receivers may reject the message, and with several From headers DMARC cannot decide (RFC 7489 §6.6.1).")
                .evidence(hs.iter().map(|h| line(h)).collect())
                .fix(format!("Send exactly one {} header.", hs[0].0))
                .refs(&["RFC 5322 §3.6"]));
        }
    }
    match get("date").first() {
        None => out.push(Finding::new("message-date-missing", Severity::Error, "The message has no Date header")
            .detail("RFC 5322 §3.6 requires a Date header; Gmail treats messages without one as non-compliant.")
            .evidence(vec!["no Date: header".into()])
            .fix("Have the sending system add a Date header (RFC 5322 §3.3 format).")
            .refs(&["RFC 5322 §3.6", "Gmail email sender guidelines (2024)"])),
        Some(h) if mail_parser::DateTime::parse_rfc822(&h.1).is_none() => out.push(
            Finding::new("message-date-invalid", Severity::Warning, "The Date header is not a valid RFC 5322 date")
                .detail("Receivers may score a malformed date as spam or show the wrong time.")
                .evidence(vec![line(h)])
                .fix("Use the RFC 5322 §3.3 format, e.g. \"Tue, 26 Nov 2026 12:00:00 +0000\".")
                .refs(&["RFC 5322 §3.3"]),
        ),
        Some(_) => {}
    }
    match get("message-id").first() {
        None => out.push(Finding::new("message-id-missing", Severity::Error, "The message has no Message-ID header")
            .detail("Gmail rejects or spam-folders mail without a Message-ID (its 2024 guidelines require RFC 5322 compliance).")
            .evidence(vec!["no Message-ID: header".into()])
            .fix("Have the sending system add a unique Message-ID such as <unique@sending-domain>.")
            .refs(&["RFC 5322 §3.6.4", "Gmail email sender guidelines (2024)"])),
        Some(h) if !valid_msg_id(&h.1) => out.push(
            Finding::new("message-id-invalid", Severity::Warning, "The Message-ID is not of the form <id@domain>")
                .detail("RFC 5322 §3.6.4 defines msg-id as \"<\" id-left \"@\" id-right \">\"; malformed ids hurt threading and spam scores.")
                .evidence(vec![line(h)])
                .fix("Generate ids like <random-part@sending-domain>.")
                .refs(&["RFC 5322 §3.6.4"]),
        ),
        Some(_) => {}
    }
    let long: Vec<String> = String::from_utf8_lossy(&raw[..size.min(raw.len())])
        .split('\n')
        .filter(|l| l.trim_end_matches('\r').len() > LINE_LIMIT)
        .map(|l| {
            format!(
                "{}… ({} characters)",
                &l[..l.char_indices().nth(80).map_or(l.len(), |(i, _)| i)],
                l.trim_end_matches('\r').len()
            )
        })
        .collect();
    if !long.is_empty() {
        out.push(Finding::new("message-line-too-long", Severity::Error, "A header line is longer than 998 characters")
            .detail("RFC 5322 §2.1.1 forbids lines over 998 characters; servers on the way may break or reject the message.")
            .evidence(long)
            .fix("Fold long headers over several lines (RFC 5322 §2.2.3).")
            .refs(&["RFC 5322 §2.1.1"]));
    }
    if size > HEADER_SECTION_LIMIT {
        out.push(
            Finding::new(
                "message-headers-oversized",
                Severity::Warning,
                format!("The header section is {size} bytes"),
            )
            .detail(format!(
                "Header sections over {} KiB are refused or truncated by some receivers.",
                HEADER_SECTION_LIMIT / 1024
            ))
            .evidence(vec![format!("{} headers, {size} bytes", headers.len())])
            .fix("Remove unneeded custom headers.")
            .refs(&["RFC 5322 §2.1.1"]),
        );
    }
    // Bulk-sender rules: one-click unsubscribe (RFC 8058) for marketing and subscribed mail.
    let bulk_signal = !get("list-id").is_empty()
        || get("precedence")
            .iter()
            .any(|h| ["bulk", "list", "junk"].contains(&h.1.to_ascii_lowercase().as_str()));
    let lu = get("list-unsubscribe");
    let lup = get("list-unsubscribe-post");
    match lu.first() {
        None if bulk_signal => out.push(Finding::new("message-list-unsubscribe-missing", Severity::Error, "A list message without List-Unsubscribe")
            .detail("The message has List-Id or Precedence: bulk, so it is bulk mail; Gmail and Yahoo require bulk senders to offer one-click unsubscribe (RFC 8058), Microsoft requires an unsubscribe link.")
            .evidence(get("list-id").iter().chain(get("precedence").iter()).map(|h| line(h)).collect())
            .fix("Add List-Unsubscribe: <https://…/unsubscribe?id=…>, <mailto:…> and List-Unsubscribe-Post: List-Unsubscribe=One-Click, both covered by the DKIM signature.")
            .refs(&["RFC 8058", "RFC 2369", "Gmail email sender guidelines (2024)", "Yahoo sender best practices (2024)"])),
        None => {}
        Some(h) => {
            let uris: Vec<String> = h.1.split(',').map(|u| u.trim().trim_start_matches('<').trim_end_matches('>').to_string()).collect();
            let https = uris.iter().any(|u| u.to_ascii_lowercase().starts_with("https://"));
            let mailto = uris.iter().any(|u| u.to_ascii_lowercase().starts_with("mailto:"));
            if !https && !mailto {
                out.push(Finding::new("message-list-unsubscribe-invalid", Severity::Error, "List-Unsubscribe has no https or mailto URI")
                    .detail("Mailbox providers act only on https: (one-click) and mailto: unsubscribe URIs.")
                    .evidence(vec![line(h)])
                    .fix("Use List-Unsubscribe: <https://…>, <mailto:…>.")
                    .refs(&["RFC 2369 §3.2", "RFC 8058 §3.1"]));
            }
            match lup.first() {
                None => out.push(Finding::new("message-one-click-missing", Severity::Error, "List-Unsubscribe-Post (one-click) is missing")
                    .detail("Gmail and Yahoo require bulk senders to support one-click unsubscribe: List-Unsubscribe-Post: List-Unsubscribe=One-Click with an https URI in List-Unsubscribe (RFC 8058).")
                    .evidence(vec![line(h)])
                    .fix("Add List-Unsubscribe-Post: List-Unsubscribe=One-Click and make the https URI accept a POST that unsubscribes at once.")
                    .refs(&["RFC 8058 §3.1", "Gmail email sender guidelines (2024)", "Yahoo sender best practices (2024)"])),
                Some(p) if p.1.trim() != "List-Unsubscribe=One-Click" => out.push(Finding::new("message-one-click-invalid", Severity::Error, "List-Unsubscribe-Post is not exactly \"List-Unsubscribe=One-Click\"")
                    .detail("RFC 8058 §3.1 requires this exact key and value.")
                    .evidence(vec![line(p)])
                    .fix("Set List-Unsubscribe-Post: List-Unsubscribe=One-Click.")
                    .refs(&["RFC 8058 §3.1"])),
                Some(p) => {
                    if !https {
                        out.push(Finding::new("message-one-click-no-https", Severity::Error, "One-click unsubscribe needs an https URI")
                            .detail("RFC 8058 §3.1: List-Unsubscribe MUST contain one HTTPS URI for the POST.")
                            .evidence(vec![line(h), line(p)])
                            .fix("Add an https:// unsubscribe URI to List-Unsubscribe.")
                            .refs(&["RFC 8058 §3.1"]));
                    }
                    let covered = |n: &str| dkim_signed.iter().any(|s| s.eq_ignore_ascii_case(n));
                    if !(covered("list-unsubscribe") && covered("list-unsubscribe-post")) {
                        out.push(Finding::new("message-one-click-unsigned", Severity::Error, "The unsubscribe headers are not covered by a passing DKIM signature")
                            .detail("RFC 8058 §4: the message needs a valid DKIM signature whose h= covers both List-Unsubscribe and List-Unsubscribe-Post, or receivers ignore them.")
                            .evidence(vec![line(h), line(p), format!("headers signed by passing signatures: {}", if dkim_signed.is_empty() { "none".to_string() } else { dkim_signed.join(", ") })])
                            .fix("Add list-unsubscribe and list-unsubscribe-post to the DKIM signer's h= list.")
                            .refs(&["RFC 8058 §4"]));
                    }
                }
            }
        }
    }
    if let Some(p) = get("precedence").first() {
        out.push(Finding::new("message-precedence", Severity::Info, format!("Precedence: {}", p.1))
            .detail("A non-standard header some receivers use as a bulk signal; it does not replace List-Unsubscribe.")
            .evidence(vec![line(p)])
            .refs(&["RFC 2076 §3.9"]));
    }
    (facts, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_ids_and_folding() {
        assert!(valid_msg_id("<a.b@example.com>"));
        assert!(!valid_msg_id("a.b@example.com"));
        assert!(!valid_msg_id("<nodomain>"));
        let (h, size) = split_headers(b"Subject: a\r\n b\r\nFrom: x@y\r\n\r\nbody");
        assert_eq!(h[0].1, "a b");
        assert_eq!(h.len(), 2);
        assert_eq!(size, 27);
    }
}
