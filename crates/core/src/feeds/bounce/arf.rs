//! RFC 5965 ARF complaints (and RFC 6591 authentication-failure reports).

use super::{Context, dsn, mime, parse_date, text};
use crate::feeds::record::BounceRecord;

/// One record per reported recipient (§3.2 Original-Rcpt-To), else one for the returned
/// message's addressee, else one without a recipient.
pub(super) fn decode(ctx: &Context, parts: &mime::Parts<'_>) -> Vec<BounceRecord> {
    let report = parts.feedback.clone().unwrap_or_default();
    let fields: dsn::Fields<'_> = dsn::groups(&report).into_iter().flatten().collect();
    let get = |name: &str| dsn::get(&fields, name).map(str::to_string);
    let original = parts.original.clone().unwrap_or_default();
    let mut recipients: Vec<String> = fields
        .iter()
        .filter(|(n, _)| dsn::named(n, "original-rcpt-to") || dsn::named(n, "removal-recipient"))
        .flat_map(|(_, v)| text::addresses(v))
        .collect();
    if recipients.is_empty() {
        recipients = original.to.clone();
    }
    recipients.dedup();
    let addresser = get("original-mail-from")
        .and_then(|v| text::addresses(&v).into_iter().next())
        .or_else(|| original.sender());
    let human = text::fold(&parts.human.join("\n"));
    let base = {
        let mut r = ctx.record("ARF");
        r.reason = "feedback".into();
        r.feedbacktype = get("feedback-type")
            .map(|v| v.to_ascii_lowercase())
            .unwrap_or_else(|| "abuse".into());
        r.useragent = get("user-agent").unwrap_or_default();
        r.addresser = addresser;
        r.timestamp = get("arrival-date")
            .or_else(|| get("received-date"))
            .and_then(|v| parse_date(&v))
            .or(ctx.date);
        // Source-IP: an address, sometimes followed by a name in parentheses.
        r.rhost = get("source-ip")
            .and_then(|v| v.split_whitespace().next().map(str::to_string))
            .unwrap_or_default();
        r.diagnosticcode = human.chars().take(1000).collect();
        r.messageid = original.message_id.clone();
        r.listid = original.list_id.clone();
        r.subject = original.subject.clone();
        r
    };
    if recipients.is_empty() {
        return vec![base];
    }
    recipients
        .into_iter()
        .map(|r| BounceRecord {
            recipient: Some(r),
            ..base.clone()
        })
        .collect()
}
