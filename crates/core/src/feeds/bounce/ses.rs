//! Amazon SES event notifications (SNS JSON in the body): Bounce, Complaint, Delivery.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde_json::Value;

use super::{Context, mime, reason};
use crate::feeds::record::{BounceRecord, is_hard};

/// The notification's key, searched in every report (built once: a searcher costs more to
/// set up than to run over most reports).
static KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("notificationType"));

/// `None` when the body is not an SES notification.
pub(super) fn decode(
    ctx: &Context,
    parts: &mime::Parts<'_>,
    raw: &[u8],
) -> Option<Vec<BounceRecord>> {
    // Most reports are no notification: one search of the raw message tells, unless a text
    // part had to be decoded (then its words are looked for below). A notification is a
    // JSON object, and most reports hold no '{' at all: that single byte is looked for first.
    if !parts.human_recoded && (memchr::memchr(b'{', raw).is_none() || KEY.find(raw).is_none()) {
        return None;
    }
    let lossy;
    let body: &str = match parts
        .human
        .iter()
        .find(|h| KEY.find(h.as_bytes()).is_some())
    {
        Some(h) => h,
        None => {
            // The notification can sit inside a forwarded message/rfc822 part.
            KEY.find(raw)?;
            lossy = super::text::lossy(raw);
            let at = lossy.find("notificationType")?;
            let open = lossy[..at].rfind("\n{").map(|i| i + 1)?;
            &lossy[open..]
        }
    };
    let start = body.find('{')?;
    let first = |text: &str| -> Option<Value> {
        serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .next()?
            .ok()
    };
    // Some relays fold the long JSON line like a header ("\n " inside a string): unfold.
    let mut v: Value = first(&body[start..]).or_else(|| {
        let unfolded = body[start..].replace("\r\n ", "").replace("\n ", "");
        first(&unfolded)
    })?;
    // SNS envelope: {"Type": "Notification", "Message": "<json>"}.
    if let Some(inner) = v.get("Message").and_then(Value::as_str) {
        v = serde_json::from_str(inner).ok()?;
    }
    let kind = v
        .get("notificationType")
        .or_else(|| v.get("eventType"))
        .and_then(Value::as_str)?
        .to_string();
    let mail = v.get("mail");
    let source = mail
        .and_then(|m| m.get("source"))
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let message_id = mail
        .and_then(|m| m.get("messageId"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let s = |v: Option<&Value>, k: &str| {
        v.and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut out = Vec::new();
    let base = |ctx: &Context| {
        let mut r = ctx.record("AmazonSES");
        r.addresser = source.clone();
        r.messageid = message_id.clone();
        r
    };
    match kind.as_str() {
        "Bounce" => {
            let b = v.get("bounce");
            let sub = s(b, "bounceSubType");
            let permanent = s(b, "bounceType") == "Permanent";
            for r in b
                .and_then(|b| b.get("bouncedRecipients"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut rec = base(ctx);
                rec.recipient = Some(s(Some(r), "emailAddress").to_ascii_lowercase());
                rec.status = s(Some(r), "status");
                rec.action = s(Some(r), "action");
                let diag = s(Some(r), "diagnosticCode");
                let (kind, text) = match diag.split_once(';') {
                    Some((k, t)) if !k.contains(' ') => {
                        (k.trim().to_ascii_uppercase(), t.trim().to_string())
                    }
                    _ => (String::new(), diag.clone()),
                };
                rec.diagnostictype = kind;
                rec.replycode = super::text::reply_code(&text).unwrap_or_default();
                rec.reason = reason::from_text(&text)
                    .or(match sub.as_str() {
                        "NoEmail" => Some("userunknown"),
                        "MailboxFull" => Some("mailboxfull"),
                        "MessageTooLarge" => Some("mesgtoobig"),
                        "ContentRejected" | "AttachmentRejected" => Some("contenterror"),
                        "Suppressed" | "OnAccountSuppressionList" => Some("suppressed"),
                        _ => None,
                    })
                    .filter(|r| *r != "suppressed")
                    .or_else(|| reason::from_status(&rec.status))
                    .unwrap_or(if permanent { "undefined" } else { "onhold" })
                    .to_string();
                rec.hardbounce = permanent && is_hard(&rec.reason, &rec.status);
                rec.diagnosticcode = text;
                rec.rhost = s(b, "remoteMtaIp");
                rec.lhost = s(b, "reportingMTA");
                out.push(rec);
            }
        }
        "Complaint" => {
            let c = v.get("complaint");
            for r in c
                .and_then(|c| c.get("complainedRecipients"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut rec = base(ctx);
                rec.recipient = Some(s(Some(r), "emailAddress").to_ascii_lowercase());
                rec.reason = "feedback".into();
                rec.feedbacktype = {
                    let t = s(c, "complaintFeedbackType");
                    if t.is_empty() { "abuse".into() } else { t }
                };
                rec.useragent = s(c, "userAgent");
                out.push(rec);
            }
        }
        "Delivery" => {
            let d = v.get("delivery");
            let response = s(d, "smtpResponse");
            for r in d
                .and_then(|d| d.get("recipients"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let mut rec = base(ctx);
                rec.recipient = Some(r.to_ascii_lowercase());
                rec.reason = "delivered".into();
                rec.action = "delivered".into();
                rec.status = super::text::status(&response).unwrap_or_default();
                rec.replycode = super::text::reply_code(&response).unwrap_or_default();
                rec.diagnosticcode = response.clone();
                rec.lhost = s(d, "reportingMTA");
                out.push(rec);
            }
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::feeds::bounce::{Limits, decode};

    /// A notification whose JSON only a transfer decoding shows (base64 here): the search of
    /// the raw message finds no key, and the decoded text is still read.
    #[test]
    fn a_transfer_encoded_notification_is_read() {
        let raw = "From: no-reply@sns.amazonaws.com\nTo: news@sender.example\n\
                   Subject: AWS Notification Message\nMIME-Version: 1.0\n\
                   Content-Type: text/plain; charset=UTF-8\n\
                   Content-Transfer-Encoding: base64\n\neyJub3RpZmljYXRpb25UeXBlIjoiQm91bmNlIiwiYm91bmNlIjp7ImJvdW5jZVR5cGUiOiJQZXJt\nYW5lbnQiLCJib3VuY2VTdWJUeXBlIjoiR2VuZXJhbCIsImJvdW5jZWRSZWNpcGllbnRzIjpbeyJl\nbWFpbEFkZHJlc3MiOiJ1c2VyQHJlY2VpdmVyLmV4YW1wbGUiLCJhY3Rpb24iOiJmYWlsZWQiLCJz\ndGF0dXMiOiI1LjEuMSIsImRpYWdub3N0aWNDb2RlIjoic210cDsgNTUwIDUuMS4xIHVzZXIgdW5r\nbm93biJ9XSwicmVwb3J0aW5nTVRBIjoiZHNuOyBhMS0yLnNtdHAtb3V0LmFtYXpvbnNlcy5jb20i\nfSwibWFpbCI6eyJzb3VyY2UiOiJuZXdzQHNlbmRlci5leGFtcGxlIiwibWVzc2FnZUlkIjoiMDEw\nMGFiYyJ9fQ==\n";
        assert!(!raw.contains("notificationType"));
        let records = decode(raw.as_bytes(), "ses.eml", Limits::default()).expect("decodes");
        let [r] = records.as_slice() else {
            panic!("{records:?}");
        };
        assert_eq!(r.recipient.as_deref(), Some("user@receiver.example"));
        assert_eq!(r.reason, "userunknown");
        assert_eq!(r.decodedby, "AmazonSES");
    }
}
