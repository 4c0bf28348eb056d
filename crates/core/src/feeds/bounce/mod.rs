//! Bounce, complaint and auto-reply decoding.
//!
//! [`decode`] turns one message into zero or more [`BounceRecord`]s, one per recipient:
//! - RFC 3464 delivery status notifications (`multipart/report; report-type=delivery-status`),
//!   with the human-readable part read for recipients the status block leaves vague;
//! - the non-standard bounces of MTAs and mailbox providers (qmail, Exim, Gmail, Yahoo,
//!   Exchange, …), read from their text: the error text ends where the returned message
//!   starts, and each failed recipient carries the lines after it;
//! - RFC 5965 ARF complaints (and RFC 6591 authentication-failure reports): reason `feedback`;
//! - Amazon SES event notifications (JSON in the body);
//! - RFC 3834 auto-replies: reason `vacation`.
//!
//! A message that is none of these yields no record (an empty `Vec`, not an error).

mod arf;
mod built;
mod command_words;
pub(crate) mod dsn;
mod head;
mod line_patterns;
mod literal_scan;
mod mime;
#[cfg(test)]
mod pattern_literals;
mod prefilter;
mod reason;
mod recipient_line;
mod ses;
pub(crate) mod text;
// (Most of the expressions are read by build.rs and the tests only.)
#[cfg_attr(not(test), allow(dead_code))]
mod text_patterns;

use thiserror::Error;

use head::{Field, Head};

use crate::feeds::record::{BounceRecord, is_hard};
pub use reason::check_patterns;

/// Caps on one message.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest message accepted (bytes).
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
        }
    }
}

/// Why a message could not be read at all.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    /// Larger than [`Limits::max_bytes`].
    #[error("message is {size} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// No header section could be found.
    #[error("not an e-mail message (no header section)")]
    NotMail,
    /// MIME parts nested deeper than the limit.
    #[error("MIME parts nested {depth} deep, more than the limit of {max}")]
    TooDeep {
        /// How deep it went before giving up.
        depth: usize,
        /// The limit.
        max: usize,
    },
}

/// Decodes one message (see the module docs). `file` names it in the records.
pub fn decode(raw: &[u8], file: &str, limits: Limits) -> Result<Vec<BounceRecord>, DecodeError> {
    decode_nested(raw, file, limits, 0)
}

/// A small Postfix bounce that walks the decoder's common paths (MIME, status block, text,
/// returned headers, classification).
const WARM_UP: &[u8] = b"From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: s@example.com\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n<r@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <r@example.org>:\n    Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; r@example.org\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; 550 5.1.1 <r@example.org>: Recipient address rejected: User unknown\n\n--b\nContent-Type: text/rfc822-headers\n\nFrom: s@example.com\nTo: r@example.org\nSubject: hello\nMessage-ID: <1@example.com>\n\n--b--\n";

/// Reads the decoder's automata now (`build.rs` compiled them; reading checks them) and
/// decodes a small sample, which also builds the calling thread's search states of the few
/// expressions compiled at run time: a batch's first worker runs it while the reader opens
/// the first files.
pub fn warm_up() {
    // (Classifying the sample reads the reason index too.)
    let _ = decode(WARM_UP, "warm-up", Limits::default());
}

/// Repeatable pseudo-random numbers (xorshift64) for the generated inputs of unit tests.
#[cfg(test)]
fn test_numbers(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// `count` repeatable texts, each fewer than `max_pieces` of `pieces` run together, for the
/// differential unit tests.
#[cfg(test)]
fn test_texts<'a>(
    seed: u64,
    pieces: &'a [&'a str],
    max_pieces: u64,
    count: usize,
) -> impl Iterator<Item = String> + 'a {
    let mut next = test_numbers(seed);
    (0..count).map(move |_| {
        let n = next() % max_pieces;
        (0..n)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect()
    })
}

/// How many forwarded reports deep a bounce is looked for.
const MAX_FORWARDED: usize = 2;

fn decode_nested(
    raw: &[u8],
    file: &str,
    limits: Limits,
    level: usize,
) -> Result<Vec<BounceRecord>, DecodeError> {
    if raw.len() > limits.max_bytes {
        return Err(DecodeError::TooLarge {
            size: raw.len(),
            max: limits.max_bytes,
        });
    }
    let (head, body) = mime::split_head_body(raw);
    let (message, first_received) = mime::report_headers(head);
    if message.is_empty() {
        return Err(DecodeError::NotMail);
    }
    let parts = mime::split(&message, body).map_err(|depth| DecodeError::TooDeep {
        depth,
        max: mime::MAX_DEPTH,
    })?;
    let mut parts = parts;
    if parts.human.iter().all(|h| h.trim().is_empty()) && parts.delivery_status.is_empty() {
        // Broken MIME (a missing closing boundary, a part without headers) leaves no text
        // part: read the body as plain text instead.
        parts.human = vec![mime::raw_body_text(raw)];
    }
    let ctx = Context::new(&message, file, first_received.as_deref());

    if parts.feedback.is_some() || parts.report_type == "feedback-report" {
        return Ok(arf::decode(&ctx, &parts));
    }
    // Apple Mail's "Unsubscribe" sends a message marked X-Apple-Unsubscribe: an opt-out
    // complaint from the From address about mail sent to the To address.
    if message
        .raw(Field::XAppleUnsubscribe)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        let mut rec = ctx.record("ARF");
        rec.reason = "feedback".into();
        rec.feedbacktype = "opt-out".into();
        rec.recipient = ctx.from.clone();
        rec.addresser = ctx.to.first().cloned();
        rec.diagnosticcode = text::fold(&parts.human.join("\n"))
            .chars()
            .take(1000)
            .collect();
        return Ok(vec![rec]);
    }
    if let Some(records) = ses::decode(&ctx, &parts, raw) {
        return Ok(records);
    }
    // A DMARC failure report written as plain text (Exim's "DMARC Forensic Report": "A message
    // claiming to be from you has failed the published DMARC policy…") is a report about the
    // domain, not a bounce; the report reader (`inboxlens reports`, import) takes it.
    if is_plain_dmarc_failure_report(&ctx.subject, &parts.human) {
        return Ok(Vec::new());
    }
    let mut records = bounce(&ctx, &parts);
    // A report forwarded as an attachment ("Fw: Returned mail"): decode the attached one.
    if (records.is_empty()
        || records
            .iter()
            .all(|r| r.reason == "onhold" || r.reason == "undefined"))
        && level < MAX_FORWARDED
        && let Some(nested) = &parts.nested
    {
        // The attachment is only a candidate: when it is no mail at all (an empty part, a
        // header-less fragment) the report is judged on its own text, not refused.
        let inner = decode_nested(nested, file, limits, level + 1).unwrap_or_default();
        if !inner.is_empty() {
            return Ok(inner);
        }
    }
    if records.is_empty() && is_auto_reply(&message) {
        records = auto_reply(&ctx, &parts);
    }
    Ok(records)
}

/// What every record of one message shares.
pub(crate) struct Context {
    pub file: String,
    pub subject: String,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub date: Option<i64>,
    pub failed_recipients: Vec<String>,
    pub lhost: String,
    /// The report comes from a filtering appliance (McAfee, m-FILTER, MXLogic, ActiveHunter):
    /// such gateways answer "user unknown" for mail their filter refused.
    pub filtering_gateway: bool,
    /// The message comes from a mailing-list manager (fml's `X-MLServer`): its notices about a
    /// post it refused or dropped (a loop, a non-member) go to the poster or the list owner.
    pub list_server: bool,
    /// The message says it is an automatic reply (RFC 3834 `Auto-Submitted: auto-replied`,
    /// the vendors' auto-reply fields and subjects).
    pub auto_reply: bool,
}

impl Context {
    fn new(m: &Head, file: &str, first_received: Option<&str>) -> Self {
        let failed_recipients = m
            .texts(Field::XFailedRecipients)
            .iter()
            .flat_map(|v| text::addresses(v))
            .collect();
        let lhost = first_received
            .and_then(text::received_by)
            .unwrap_or_default();
        let filtering_gateway = m.raw(Field::XNaiHeader).is_some()
            || m.raw(Field::XAhmailid).is_some()
            || m.raw(Field::XMailer)
                .is_some_and(|v| v.to_ascii_lowercase().contains("m-filter"))
            || m.id(Field::MessageId)
                .is_some_and(|v| v.to_ascii_lowercase().contains("mxlogic"));
        let list_server = [Field::XMlserver, Field::XMlServer].into_iter().any(|h| {
            m.raw(h)
                .is_some_and(|v| v.to_ascii_lowercase().contains("fml"))
        });
        Context {
            filtering_gateway,
            list_server,
            auto_reply: is_auto_reply(m),
            file: file.to_string(),
            subject: m.text(Field::Subject).unwrap_or_default(),
            from: m.addresses(Field::From).into_iter().next(),
            to: m.addresses(Field::To),
            date: m.timestamp(Field::Date),
            failed_recipients,
            lhost,
        }
    }

    pub(crate) fn record(&self, decodedby: &str) -> BounceRecord {
        BounceRecord {
            file: self.file.clone(),
            timestamp: self.date,
            lhost: self.lhost.clone(),
            decodedby: decodedby.to_string(),
            ..Default::default()
        }
    }

    /// Whether the message presents itself as a bounce (sender, subject, headers).
    fn looks_like_bounce(&self) -> bool {
        let from_daemon =
            self.from.as_deref().is_some_and(text::is_system_address) || self.from.is_none();
        let subject = self.subject.to_ascii_lowercase();
        let bounce_subject = [
            "undeliver",
            "undelivered",
            "delivery",
            "returned mail",
            "failure",
            "failed",
            "not delivered",
            "could not be delivered",
            "delayed",
            "warning",
            "error",
            "returned",
            "bounce",
            "rejected",
            "notification",
            "nondeliverable",
            "non-deliverable",
            "no se ha podido entregar",
            "unzustellbar",
            "non remis",
        ]
        .iter()
        .any(|w| subject.contains(w));
        from_daemon || bounce_subject || !self.failed_recipients.is_empty() || self.list_server
    }
}

/// A recipient's data before classification.
#[derive(Default)]
struct Draft {
    recipient: Option<String>,
    action: String,
    status: String,
    diagnostic: String,
    diagnostic_type: String,
    /// Text about this recipient from the human-readable part.
    text: String,
    rhost: String,
    lhost: String,
    timestamp: Option<i64>,
}

fn bounce(ctx: &Context, parts: &mime::Parts<'_>) -> Vec<BounceRecord> {
    let human: String = parts.human.join("\n");
    let block = text::error_block(&human);
    let whole = text::fold(block);
    let mut original = parts.original.clone();
    if original.is_none() {
        original = text::trailing_headers(&human[block.len()..])
            .and_then(|t| mime::Original::from_header_text(t.as_bytes()));
    }
    let sender = original.as_ref().and_then(mime::Original::sender);
    let mut exclude: Vec<String> = sender.iter().cloned().collect();
    exclude.extend(ctx.to.iter().cloned());
    let scraped = text::recipients(block, &whole, &exclude);

    let mut drafts = status_drafts(parts, &human);
    let decodedby;
    if drafts.is_empty() {
        if !ctx.looks_like_bounce() {
            return Vec::new();
        }
        decodedby = "text";
        let mut found = scraped.clone();
        // X-Failed-Recipients (Exim, Google) names the recipients outright.
        if !ctx.failed_recipients.is_empty() {
            found = ctx
                .failed_recipients
                .iter()
                .map(|r| text::Found {
                    recipient: r.clone(),
                    diagnostic: scraped
                        .iter()
                        .find(|f| &f.recipient == r)
                        .map(|f| f.diagnostic.clone())
                        .unwrap_or_else(|| whole.clone()),
                })
                .collect();
        }
        // Gmail's "Send mail as" failure: the relay the sender set up for that address
        // refused the session, so no recipient was reached and every addressee of the
        // returned message failed, whoever X-Failed-Recipients also names.
        if let Some(o) = &original
            && sends_through_own_relay(&whole)
        {
            let mut all: Vec<text::Found> =
                o.to.iter()
                    .filter(|r| !found.iter().any(|f| &f.recipient == *r))
                    .map(|r| text::Found {
                        recipient: r.clone(),
                        diagnostic: whole.clone(),
                    })
                    .collect();
            all.append(&mut found);
            found = all;
        }
        // A session transcript (Postfix's report to the postmaster, Sendmail's) names the
        // recipients in its RCPT commands and the failure in the server's answer.
        if found.is_empty()
            && let Some(t) = text::transcript(block)
        {
            found = t
                .recipients
                .iter()
                .filter(|r| !exclude.contains(r))
                .map(|r| text::Found {
                    recipient: r.clone(),
                    // Worded as Postfix words it, so the command is read like any other.
                    diagnostic: match t.command {
                        "" | "CONN" => t.reply.clone(),
                        c => format!("{} (in reply to {c} command)", t.reply),
                    },
                })
                .collect();
        }
        // A mailing-list manager's notice names the list the post was refused by ("Duplicated
        // Message-ID in <list@…>"): the first address its text holds.
        if found.is_empty()
            && ctx.list_server
            && let Some(list) = text::addresses(block)
                .into_iter()
                .find(|a| !exclude.contains(a) && !text::is_system_address(a))
        {
            found = vec![text::Found {
                recipient: list,
                diagnostic: whole.clone(),
            }];
        }
        if found.is_empty() {
            found = text::listed_envelope_recipients(&human[block.len()..])
                .into_iter()
                .map(|recipient| text::Found {
                    recipient,
                    diagnostic: whole.clone(),
                })
                .collect();
        }
        if found.is_empty() {
            // X-Failed-Recipients (Exim), else the one addressee of the returned message.
            let fallback: Vec<String> = if ctx.failed_recipients.is_empty() {
                original
                    .as_ref()
                    .map(|o| o.to.clone())
                    // No copy returned: the summary of it in the error text above the
                    // line that announces the copy ("Subject: …", "To: a@b" above Yahoo's
                    // "---Below this line is a copy"); not any "To:" line of a text that
                    // announces none (an auto-reply quoting the message it answers).
                    .or_else(|| {
                        (block.len() < human.len())
                            .then(|| text::summary_to(block))
                            .filter(|to| to.iter().all(|a| !exclude.contains(a)))
                    })
                    .filter(|to| to.len() == 1)
                    .unwrap_or_default()
            } else {
                ctx.failed_recipients.clone()
            };
            if whole.is_empty() {
                return Vec::new();
            }
            found = fallback
                .into_iter()
                .map(|r| text::Found {
                    recipient: r,
                    diagnostic: whole.clone(),
                })
                .collect();
        }
        drafts = found
            .into_iter()
            .map(|f| Draft {
                recipient: Some(f.recipient),
                diagnostic: f.diagnostic,
                ..Default::default()
            })
            .collect();
    } else {
        decodedby = "RFC3464";
        for d in &mut drafts {
            if let Some(r) = &d.recipient
                && let Some(f) = scraped.iter().find(|f| &f.recipient == r)
            {
                d.text = f.diagnostic.clone();
            }
        }
        // Only one recipient and the text names none: the whole error text is about it.
        if drafts.len() == 1 && drafts[0].text.is_empty() {
            drafts[0].text = whole.clone();
        }
    }
    let single = drafts.len() == 1;
    // Mail from a person ("I sent mail to d@… but it came back", subject "Re: returned
    // mail?") reads like a bounce to the text scraper; without a status code, a reply code
    // or any named cause it is none.
    // The same holds for an automatic reply (RFC 3834) that names an address in passing
    // ("please send mail to b@…") from anyone but the mail system (whose bounces say
    // "auto-replied" too): it is read as the auto-reply it says it is.
    let from_person = decodedby == "text"
        && ctx.from.as_deref().is_some_and(|f| {
            !text::is_system_address(f) || (ctx.auto_reply && !text::is_mail_system(f))
        });
    drafts
        .into_iter()
        .filter(|d| d.recipient.is_some())
        .map(|d| {
            finish(
                ctx,
                d,
                single,
                &whole,
                original.as_ref(),
                decodedby,
                &human[block.len()..],
            )
        })
        .filter(|r| {
            !(from_person
                && r.reason == "undefined"
                && r.status.is_empty()
                && r.replycode.is_empty())
        })
        .collect()
}

/// Whether the error text is Gmail's report that the sender's own SMTP relay for a "Send
/// mail as" address failed (support.google.com/mail/?p=CustomFromDenied): a failure of the
/// whole message, not of one recipient.
fn sends_through_own_relay(whole: &str) -> bool {
    let lower = text::ascii_lower(whole);
    lower.contains("customfromdenied") || lower.contains("'send mail as' account")
}

/// Recipients from RFC 3464 status blocks (the MIME part, or the same fields in text).
fn status_drafts(parts: &mime::Parts<'_>, human: &str) -> Vec<Draft> {
    let mut blocks: Vec<&str> = parts.delivery_status.iter().map(String::as_str).collect();
    if blocks.is_empty() && dsn::looks_like_status(human) {
        blocks.push(human);
    }
    let mut drafts: Vec<Draft> = Vec::new();
    for block in blocks {
        let groups = dsn::groups(block);
        let mut reporting = String::new();
        let mut arrival: Option<i64> = None;
        for g in &groups {
            // RFC 3464 §2.3.2: Final-Recipient is the address delivery failed at (a local
            // host without a dot, "user@mailhub0", included); Original-Recipient (§2.3.1)
            // stands in when it is missing or unreadable.
            let recipient = ["final-recipient", "original-recipient"]
                .iter()
                .filter_map(|f| dsn::get(g, f))
                .find_map(|v| text::mailbox(dsn::typed(v).1));
            if recipient.is_none() {
                if let Some(v) = dsn::get(g, "reporting-mta") {
                    reporting = dsn::typed(v).1.to_ascii_lowercase();
                }
                if let Some(v) = dsn::get(g, "arrival-date") {
                    arrival = parse_date(v);
                }
                continue;
            }
            let (diagnostic_type, diagnostic) = dsn::get(g, "diagnostic-code")
                .map(dsn::typed)
                .unwrap_or_default();
            let recipient_key = recipient.clone();
            if drafts.iter().any(|d| d.recipient == recipient_key) {
                continue;
            }
            drafts.push(Draft {
                recipient,
                action: dsn::get(g, "action")
                    .map(|a| {
                        a.split_whitespace()
                            .next()
                            .unwrap_or("")
                            .to_ascii_lowercase()
                    })
                    .unwrap_or_default(),
                status: dsn::get(g, "status")
                    .and_then(text::status)
                    .unwrap_or_default(),
                diagnostic: text::fold(diagnostic),
                diagnostic_type: diagnostic_type.to_ascii_uppercase(),
                rhost: dsn::get(g, "remote-mta")
                    .map(|v| dsn::typed(v).1.to_ascii_lowercase())
                    .unwrap_or_default(),
                lhost: reporting.clone(),
                timestamp: dsn::get(g, "last-attempt-date")
                    .and_then(parse_date)
                    .or(arrival),
                text: String::new(),
            });
        }
    }
    drafts
}

pub(crate) fn parse_date(value: &str) -> Option<i64> {
    head::timestamp(value.trim().as_bytes())
}

/// Classifies a draft and fills in the record.
fn finish(
    ctx: &Context,
    d: Draft,
    single: bool,
    whole: &str,
    original: Option<&mime::Original>,
    decodedby: &str,
    after_block: &str,
) -> BounceRecord {
    let mut rec = ctx.record(decodedby);
    // A status block's Diagnostic-Code that says nothing in words ("X-Unix; 77", a bare
    // code) yields to the human-readable text about the recipient.
    let says_nothing = d
        .diagnostic
        .chars()
        .filter(|c| c.is_alphabetic())
        .take(3)
        .count()
        < 3;
    let diag = if says_nothing && !d.text.is_empty() {
        d.text.clone()
    } else {
        d.diagnostic.clone()
    };
    // The readers below are pure functions of their text: a second text equal to the first
    // (the diagnostic taken from the text, the text that is the whole report) is not read
    // again.
    let text_is_diag = d.text == diag;
    let text_is_whole = d.text == whole;
    let status = if d.status.is_empty() || d.status.ends_with(".0.0") {
        text::status(&diag)
            .or_else(|| (!text_is_diag).then(|| text::status(&d.text)).flatten())
            .filter(|s| d.status.is_empty() || s.as_bytes().first() == d.status.as_bytes().first())
            .unwrap_or(d.status.clone())
    } else {
        d.status.clone()
    };
    let replycode = text::reply_code(&diag)
        .or_else(|| (!text_is_diag).then(|| text::reply_code(&d.text)).flatten())
        .unwrap_or_default();
    let command = text::command(&diag)
        .or_else(|| (!text_is_diag).then(|| text::command(&d.text)).flatten())
        // The whole report names the command only when it is about one recipient.
        .or_else(|| {
            (single && !text_is_whole && diag != whole)
                .then(|| text::command(whole))
                .flatten()
        })
        // A session transcript (">>> DATA" / "<<< 550 …") shows the command outright.
        .or_else(|| text::transcript(&d.text).map(|t| t.command))
        .unwrap_or("")
        .to_string();
    let action = if d.action.is_empty() {
        if status.starts_with('4') {
            "delayed"
        } else {
            "failed"
        }
        .to_string()
    } else {
        d.action.clone()
    };

    let rhost = if d.rhost.is_empty() {
        text::rhost(&diag)
            .or_else(|| (!text_is_diag).then(|| text::rhost(&d.text)).flatten())
            .unwrap_or_default()
    } else {
        d.rhost.clone()
    };
    let reason = classify(&Evidence {
        gateway: ctx.filtering_gateway,
        diagnostic_type: &d.diagnostic_type,
        after_block,
        diag: &diag,
        text_about: &d.text,
        whole,
        status: &status,
        replycode: &replycode,
        command: &command,
        action: &action,
        single,
        rhost: &rhost,
        lhost: if d.lhost.is_empty() {
            &ctx.lhost
        } else {
            &d.lhost
        },
    });
    rec.hardbounce = is_hard(reason, &status) && action != "delayed";
    rec.reason = reason.to_string();
    rec.recipient = d.recipient;
    rec.addresser = original
        .and_then(mime::Original::sender)
        .or_else(|| ctx.to.first().cloned());
    rec.status = status;
    rec.replycode = replycode;
    rec.action = action;
    rec.diagnostictype = if d.diagnostic_type.is_empty() && !rec.replycode.is_empty() {
        "SMTP".to_string()
    } else {
        d.diagnostic_type
    };
    rec.rhost = rhost;
    if !d.lhost.is_empty() {
        rec.lhost = d.lhost;
    }
    rec.timestamp = d.timestamp.or(ctx.date);
    rec.command = command;
    // Without the rules of dashes and the like that frame report sections ("----- Transcript
    // of session follows -----", a rule under the last recipient's lines): decoration, not
    // words. A recipient whose own lines then say nothing ("target mail address: a@b" under
    // "reject reason: …") is shown the error text it was judged by when it is the only one.
    let diag = text::without_rules(diag);
    rec.diagnosticcode = if diag.is_empty() && single {
        text::without_rules(whole.to_string())
    } else {
        diag
    };
    if let Some(o) = original {
        rec.messageid = o.message_id.clone();
        rec.listid = o.list_id.clone();
        rec.subject = o.subject.clone();
    }
    rec
}

/// What a recipient's verdict is decided from.
struct Evidence<'a> {
    /// The report comes from a filtering appliance.
    gateway: bool,
    /// The status block's Diagnostic-Code type (`smtp`, `X-Unix`, …; empty when none).
    diagnostic_type: &'a str,
    /// The human-readable text after the error text (where amavis names the header the
    /// message broke, below its excerpt of the returned header).
    after_block: &'a str,
    /// The diagnostic (the status block's, else the text's about this recipient).
    diag: &'a str,
    /// The human-readable text about this recipient.
    text_about: &'a str,
    /// The whole error text of the report.
    whole: &'a str,
    status: &'a str,
    replycode: &'a str,
    command: &'a str,
    action: &'a str,
    /// The report is about one recipient only.
    single: bool,
    /// The host that answered (empty when unknown).
    rhost: &'a str,
    /// The host that wrote the report (its Reporting-MTA).
    lhost: &'a str,
}

/// Text, then status code, then context (see `reason.rs`).
fn classify(e: &Evidence<'_>) -> &'static str {
    if matches!(e.action, "delivered" | "relayed" | "expanded") || e.status.starts_with('2') {
        return "delivered";
    }
    // Each text is read once: a text equal to one already read gave no reason.
    let by_text = text_reason(e.diag)
        .or_else(|| diag_status_reason(e))
        .or_else(|| {
            (e.text_about != e.diag)
                .then(|| text_reason(e.text_about))
                .flatten()
        });
    if let Some(r) = by_text {
        // The report's own words about its only recipient ("The user(s) account is
        // disabled.") are more precise than the remote's generic "user unknown": the
        // mailbox exists and is switched off (RFC 3463 X.2.1).
        // (The whole text equal to the diagnostic says "userunknown" again.)
        if e.single
            && r.reason == "userunknown"
            && !r.is_final
            && e.whole != e.diag
            && text_reason(e.whole).is_some_and(|w| w.reason == "suspend")
        {
            return "suspend";
        }
        let reason = refine(r, e);
        // A content filter's verdict ("unsolicited bulk e-mail", "Reject … SPAM") whose report
        // names the header the message broke: the broken header is the cause (RFC 5322 §3.6).
        if matches!(
            reason,
            "spamdetected" | "filtered" | "policyviolation" | "securityerror" | "contenterror"
        ) && text::names_bad_header(e.after_block)
        {
            return "notcompliantrfc";
        }
        return reason;
    }
    // RFC 3464 §2.3.6: an "X-Unix" diagnostic is the exit code of the local delivery program
    // (a pipe, procmail), not a remote reply; with no words to say more, the program failed.
    // (The status code a delivery agent puts beside it, "4.5.0" for a pipe's exit 71, names no
    // cause of its own.)
    if e.diagnostic_type.eq_ignore_ascii_case("x-unix") {
        return "mailererror";
    }
    if let Some(r) = reason::from_status(e.status) {
        return r;
    }
    if e.whole != e.diag
        && e.whole != e.text_about
        && let Some(r) = text_reason(e.whole)
    {
        return r.reason;
    }
    reason::from_context(e.command, e.replycode, e.action)
}

/// The remote server's own status code in a diagnostic whose words name no cause (RFC 3464
/// §2.3.6: the Diagnostic-Code is the remote's reply): it outranks the report's text around
/// it, where Sendmail's own closing "554 5.0.0 Service unavailable" would read as a refused
/// connection, and a status field that says nothing more than X.0.0.
fn diag_status_reason(e: &Evidence<'_>) -> Option<reason::TextReason> {
    // With no text around it, the diagnostic's status only stands in for a status field
    // that says nothing (OpenSMTPD's "Status: 5.0.0" after a "451 4.3.5" reply).
    if e.diag == e.text_about && !(e.status.is_empty() || e.status.ends_with(".0.0")) {
        return None;
    }
    status_reason(e.diag)
}

/// The reason a text's first specific status code names (not X.0.0).
fn status_reason(text: &str) -> Option<reason::TextReason> {
    let status = text::status(text).filter(|s| !s.ends_with(".0.0"))?;
    reason::from_status(&status).map(|reason| reason::TextReason {
        reason,
        is_final: false,
    })
}

/// Adjusts a reason read from text with what the SMTP dialogue says about it.
fn refine(t: reason::TextReason, e: &Evidence<'_>) -> &'static str {
    let subject = e.status.split('.').nth(1);
    match t.reason {
        // An answer to MAIL FROM is about the sender, not the recipient (RFC 5321 §3.3).
        "userunknown" | "hostunknown" | "filtered" if e.command == "MAIL" => "rejected",
        // An answer to HELO/EHLO (or at connection) is about the client, not a domain.
        "hostunknown" if matches!(e.command, "HELO" | "EHLO" | "CONN") => "blocked",
        "userunknown" if !t.is_final && is_filter_rejection(e, subject) => "filtered",
        // RFC 3463 X.2.3: the size limit is the recipient's (per-mailbox), not the system's.
        "mesgtoobig" if e.status.ends_with(".2.3") => "exceedlimit",
        r => r,
    }
}

/// The reason the text names: the remote server's own reply first (what follows "said:",
/// "returned was:" …), then the whole text; multi-line SMTP replies are joined first.
fn text_reason(t: &str) -> Option<reason::TextReason> {
    if t.is_empty() {
        return None;
    }
    let clean = text::join_multiline_reply(t);
    let scan = reason::Scan::new(&clean);
    if let Some(at) = text::remote_reply(scan.lower()) {
        if let Some(r) = scan.reason_in(at.clone()) {
            return Some(r);
        }
        // The remote server's own enhanced status code outranks the report's wording around
        // its reply (Amazon SES: "Unknown address error 550-'5.7.1 … Access denied'").
        if let Some(r) = status_reason(&clean[at]) {
            return Some(r);
        }
    }
    scan.reason_in(0..clean.len())
}

/// "User unknown" that is not the answer to RCPT TO is a filter's, not the directory's:
/// RFC 5321 §3.3 has the server check the recipient at RCPT, so an address refused after
/// it (at DATA, or with no command shown) was accepted there and refused later by a
/// per-recipient rule. Not so when the status says the address is bad (X.1.x), when the
/// words come from the directory itself (`final` patterns), or when the answering (or
/// reporting) host is a provider whose mailbox check runs after DATA
/// (`after_data_directories` in the pattern file). A filtering gateway's "user unknown" is
/// its filter's unless the status says X.1.x.
fn is_filter_rejection(e: &Evidence<'_>, subject: Option<&str>) -> bool {
    if subject == Some("1") {
        return false;
    }
    if e.gateway {
        return true;
    }
    e.command != "RCPT"
        && !reason::checks_mailbox_after_data(e.rhost)
        && !reason::checks_mailbox_after_data(e.lhost)
}

/// A DMARC failure (forensic) report without an ARF part (RFC 7489 §7.3 reports are ARF; Exim
/// and others also send a plain-text form).
fn is_plain_dmarc_failure_report(subject: &str, human: &[String]) -> bool {
    let subject = subject.to_ascii_lowercase();
    (subject.contains("dmarc forensic report") || subject.contains("dmarc failure report"))
        && human.iter().any(|h| {
            let lower = h.to_ascii_lowercase();
            lower.contains("dmarc") && lower.contains("sender ip address")
        })
}

fn is_auto_reply(m: &Head) -> bool {
    let header = |f: Field| m.raw(f).map(|v| v.trim().to_ascii_lowercase());
    if header(Field::AutoSubmitted).is_some_and(|v| v.starts_with("auto-replied")) {
        return true;
    }
    if header(Field::XAutoreply).is_some()
        || header(Field::XAutorespond).is_some()
        || header(Field::XAutoResponseSuppress).is_some_and(|v| v.contains("oof"))
        || header(Field::Precedence).is_some_and(|v| v == "auto_reply")
    {
        return true;
    }
    let subject = m
        .text(Field::Subject)
        .unwrap_or_default()
        .to_ascii_lowercase();
    [
        "automatic reply",
        "auto reply",
        "autoreply",
        "auto-reply",
        "autorespon",
        "out of office",
        "out of the office",
        "away from",
        "on vacation",
        "abwesenheit",
        "absence",
        "réponse automatique",
    ]
    .iter()
    .any(|w| subject.contains(w))
}

/// RFC 3834 auto-reply: the recipient is the person away (the reply's From).
fn auto_reply(ctx: &Context, parts: &mime::Parts<'_>) -> Vec<BounceRecord> {
    // A system mailbox (postmaster, mailer-daemon) is nobody on vacation.
    let Some(from) = ctx
        .from
        .clone()
        .filter(|f| !f.starts_with("postmaster@") && !f.starts_with("mailer-daemon@"))
    else {
        return Vec::new();
    };
    let mut rec = ctx.record("RFC3834");
    rec.recipient = Some(from);
    rec.addresser = ctx.to.first().cloned();
    rec.reason = "vacation".into();
    rec.diagnosticcode = text::fold(parts.human.first().map(String::as_str).unwrap_or(""))
        .chars()
        .take(1000)
        .collect();
    if let Some(o) = &parts.original {
        rec.messageid = o.message_id.clone();
        rec.listid = o.list_id.clone();
    }
    vec![rec]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Postfix-style plain bounce about one recipient whose error line is `line`.
    fn reason_of(line: &str) -> String {
        let raw = format!(
            "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: s@example.com\nSubject: Undelivered Mail Returned to Sender\n\nI'm sorry to have to inform you that your message could not be delivered.\n\n<r@example.org>: {line}\n"
        );
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert_eq!(records.len(), 1, "{line}");
        records[0].reason.clone()
    }

    #[test]
    fn user_unknown_is_a_filter_unless_rcpt_or_the_directory_says_so() {
        // Refused after RCPT accepted it (RFC 5321 §3.3): a per-recipient filter.
        assert_eq!(
            reason_of(
                "host mx.example.org[192.0.2.1] said: 550 Unknown user (in reply to end of DATA command)"
            ),
            "filtered"
        );
        assert_eq!(reason_of("550 Unknown user"), "filtered");
        // The answer to RCPT TO, or an X.1.1 status: the address does not exist.
        assert_eq!(
            reason_of(
                "host mx.example.org[192.0.2.1] said: 550 Unknown user (in reply to RCPT TO command)"
            ),
            "userunknown"
        );
        assert_eq!(reason_of("550 5.1.1 Unknown user"), "userunknown");
        // Sendmail's RCPT answer names the address.
        assert_eq!(
            reason_of("550 <r@example.org>... User unknown"),
            "userunknown"
        );
        // The directory's own words, and a provider that checks mailboxes after DATA.
        assert_eq!(
            reason_of("User r (r@example.org) not listed in Domino Directory"),
            "userunknown"
        );
        assert_eq!(
            reason_of(
                "host aspmx.l.google.com[192.0.2.2] said: 550 Unknown user (in reply to end of DATA command)"
            ),
            "userunknown"
        );
    }

    #[test]
    fn a_local_programs_exit_code_is_a_mailer_error_whatever_status_stands_beside_it() {
        // Sendmail's delay warning for two recipients delivered through a pipe: each status
        // block says only "X-Unix; 71" (EX_OSERR) beside Status 4.5.0.
        let block = |r: &str| {
            format!(
                "Final-Recipient: RFC822; {r}\nX-Actual-Recipient: X-Unix; |/usr/local/bin/filter\nAction: delayed\nStatus: 4.5.0\nDiagnostic-Code: X-Unix; 71\n\n"
            )
        };
        let raw = format!(
            "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\nTo: s@example.com\nSubject: Warning: could not send message for past 4 hours\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\n\n    **  THIS IS A WARNING MESSAGE ONLY  **\n\nWarning: message still undelivered after 4 hours\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n{}{}--B--\n",
            block("a@example.org"),
            block("b@example.org")
        );
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        let reasons: Vec<&str> = records.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons, ["mailererror", "mailererror"]);
        assert!(records.iter().all(|r| !r.hardbounce));
    }

    #[test]
    fn the_warm_up_sample_is_a_bounce() {
        let records = decode(WARM_UP, "w", Limits::default()).expect("decodes");
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].reason, "userunknown");
        assert_eq!(records[0].recipient.as_deref(), Some("r@example.org"));
    }

    #[test]
    fn a_person_asking_about_returned_mail_and_a_plain_dmarc_report_are_no_bounces() {
        for raw in [
            "From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: Re: returned mail?\n\nI sent mail to dave@example.net but it came back. Do you know why?\n",
            "From: no-reply@mx.example.net\nTo: dmarc@example.com\nSubject: DMARC Forensic Report for example.com from IP 203.0.113.68\n\nA message claiming to be from you has failed the published DMARC policy for your domain.\n\n  Sender Domain: example.com\n  Sender IP Address: 203.0.113.68\n\nReceived: from x\nFrom: user@example.com\nTo: a@b.example\n",
        ] {
            let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
            assert!(records.is_empty(), "{records:?}");
        }
    }

    #[test]
    fn the_report_saying_the_account_is_disabled_outranks_user_unknown() {
        let raw = "From: MAILER-DAEMON@mx.example.net\nTo: s@example.com\nSubject: Undelivered Mail\n\nThe user(s) account is disabled.\n\n<r@example.org>: 550 user unknown (in reply to RCPT TO command)\n";
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert_eq!(records[0].reason, "suspend");
        assert!(!records[0].hardbounce);
    }

    #[test]
    fn a_recipient_line_that_says_nothing_is_shown_the_error_text_without_its_rules() {
        // The verdict above the address, a rule and a heading above the returned message.
        let raw = "From: postmaster@mx.example.net\nTo: s@example.com\nSubject: email bounce notification\n\nYour message was rejected.\n\nreject reason: Mailbox full\ntarget mail address: r@example.net\n\n------------------------------------------\nbounced E-Mail:\n\nDate: Sat, 04 Oct 2025 06:00:03 +0000\nFrom: s@example.com\nTo: r@example.net\nMessage-ID: <m-1@example.com>\nSubject: Hello\n\nhi\n";
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.recipient.as_deref(), Some("r@example.net"));
        assert_eq!(r.reason, "mailboxfull");
        assert_eq!(
            r.diagnosticcode,
            "Your message was rejected. reject reason: Mailbox full target mail address: r@example.net"
        );
        // "bounced E-Mail:" announces the returned message, which is read.
        assert_eq!(r.messageid, "m-1@example.com");
        // Several recipients, each with its own words: a rule under the last one is not part
        // of them.
        let raw = "From: MAILER-DAEMON@mx.example.net\nTo: s@example.com\nSubject: Undeliverable\n\nThe following recipients failed.\n\na@example.org: user unknown\nb@example.org: mailbox full\n==================================\n";
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        let diags: Vec<&str> = records.iter().map(|r| r.diagnosticcode.as_str()).collect();
        assert_eq!(diags, ["user unknown", "mailbox full"]);
    }

    #[test]
    fn a_list_managers_notice_is_about_the_list_and_quotes_the_post_indented() {
        let raw = "From: ml-admin@lists.example.org\nTo: ml-admin@lists.example.org\nSubject: Loop Alert: Duplicated Message-ID (cats ML)\nX-MLServer: fml [fml 4.0.3 release]\n\nDuplicated Message-ID in <cats@lists.example.org>.\n\nOriginal mail as follows:\n\n   Return-Path: <poster@example.net>\n   Received: from mx.example.net\n   \tby lists.example.org; Thu, 29 Apr 2017 23:34:45 +0900\n   To: <cats@lists.example.org>\n   From: <poster@example.net>\n   Subject: Meow\n   Message-ID: <post-1@example.net>\n\n   meow\n";
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert_eq!(records.len(), 1, "{records:?}");
        let r = &records[0];
        assert_eq!(r.recipient.as_deref(), Some("cats@lists.example.org"));
        assert_eq!(r.reason, "systemerror");
        assert_eq!(
            r.diagnosticcode,
            "Duplicated Message-ID in <cats@lists.example.org>."
        );
        assert_eq!(r.messageid, "post-1@example.net");
        assert_eq!(r.addresser.as_deref(), Some("poster@example.net"));
        // The same text without the list server's header is no bounce (a person's mail).
        let plain = raw.replace("X-MLServer: fml [fml 4.0.3 release]\n", "");
        let records = decode(plain.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert!(records.is_empty(), "{records:?}");
    }

    #[test]
    fn a_report_listing_the_envelope_after_its_error_names_the_rcpt_to_recipient() {
        let raw = "From: post_master@sms.example.com\nTo: s@example.com\nSubject: Re:Test message\n\nError: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n\nMessage details:\n  Subject: Test message\n  MAIL FROM: s@example.com\n  RCPT TO: 15550100@sms.example.com\n  From: s@example.com\n  Size (in bytes): 222\n";
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert_eq!(records.len(), 1, "{records:?}");
        let r = &records[0];
        assert_eq!(r.recipient.as_deref(), Some("15550100@sms.example.com"));
        // The error text, not the listing: no "MAIL" command, no reply code 222.
        assert_eq!(r.replycode, "550");
        assert_eq!(r.command, "");
        assert!(
            r.diagnosticcode.ends_with("no such user here"),
            "{}",
            r.diagnosticcode
        );
    }

    #[test]
    fn multipart_alternative_is_read_from_its_plain_text_part() {
        let alt = |plain: &str| {
            format!(
                "From: MAILER-DAEMON@mx.example.net\nTo: s@example.com\nSubject: Delivery Status Notification (Failure)\nContent-Type: multipart/alternative; boundary=\"a\"\n\n--a\nContent-Type: text/plain\n\n{plain}\n--a\nContent-Type: text/html\n\n<html><body><p>Address not found: <b>r@example.org</b> could not be reached</p></body></html>\n--a--\n"
            )
        };
        let records = decode(
            alt("Address not found: r@example.org could not be reached").as_bytes(),
            "t.eml",
            Limits::default(),
        )
        .expect("decodes");
        assert_eq!(records.len(), 1, "{records:?}");
        // RFC 2046 §5.1.4: one rendering of the content, not both.
        assert_eq!(
            records[0]
                .diagnosticcode
                .matches("could not be reached")
                .count(),
            1,
            "{}",
            records[0].diagnosticcode
        );
        // An empty plain part: the HTML one is read.
        let records = decode(alt("").as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert_eq!(records.len(), 1, "{records:?}");
        assert!(records[0].diagnosticcode.contains("could not be reached"));
    }

    fn one(raw: &str) -> BounceRecord {
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert_eq!(records.len(), 1, "{records:?}");
        records.into_iter().next().unwrap_or_default()
    }

    #[test]
    fn an_attachment_that_is_no_mail_does_not_make_the_report_unreadable() {
        // Nothing to read in the text, and the attached "copy" is a placeholder: no record,
        // not "not an e-mail message".
        let raw = "From: postmaster@example.net\nTo: s@example.com\nSubject: Undeliverable: hello\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSomething happened.\n\n--b\nContent-Type: message/rfc822\n\nMessage removed\n\n--b--\n";
        let records = decode(raw.as_bytes(), "t.eml", Limits::default());
        assert_eq!(records, Ok(Vec::new()));
    }

    #[test]
    fn a_summary_of_the_sent_message_above_the_error_is_read_as_error_text() {
        // SpamLion's report: "Your Message" opens a summary (lines apart, so no header
        // section), the failure follows; the report comes from the null address.
        let raw = "From: Postmaster <>\nTo: s@example.com\nSubject: Undeliverable: r@example.org\nContent-Type: text/plain;\n     charset=\"us-ascii\"\n\n----------------------------------------\nYour Message\n\nTo:      <r@example.org>\n\nSubject: Hello\n\nDate:    Tue, 02 May 2006 22:09:32 -0700\n\nDid not reach the following recipient: r@example.org\n";
        let r = one(raw);
        assert_eq!(r.recipient.as_deref(), Some("r@example.org"));
        assert!(
            r.diagnosticcode
                .ends_with("Did not reach the following recipient: r@example.org"),
            "{}",
            r.diagnosticcode
        );
        // From a person (not the null address) the same words with no cause are no bounce.
        let person = raw.replace("From: Postmaster <>", "From: Sam <sam@example.net>");
        let records = decode(person.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        assert!(records.is_empty(), "{records:?}");
    }

    #[test]
    fn an_html_only_report_opening_with_a_summary_of_the_message_is_read() {
        // Exchange 5.5 in HTML: "Your message" (below the tags' line breaks, so not the
        // first line) opens a summary of the sent message, not its returned copy.
        let raw = "From: System Administrator <postmaster@example.net>\nTo: s@example.com\nSubject: Undeliverable: hello\nMIME-Version: 1.0\nContent-Type: text/html; charset=\"iso-8859-1\"\n\n<HTML><BODY><P><FONT SIZE=2>Your message<BR>\n<BR>\n&nbsp; To:&nbsp;&nbsp;&nbsp; list@example.com<BR>\n&nbsp; Subject: hello<BR>\n<BR>\ndid not reach the following recipient(s):<BR>\n<BR>\nr@example.org on Thu, 11 Jul 2002 16:54:54 -0300<BR>\n&nbsp;&nbsp;&nbsp; The recipient name is not recognized<BR>\n&nbsp;&nbsp;&nbsp; MSEXCH:IMS:Example:SITE:SRV 0 (000C05A6) Unknown Recipient<BR>\n</FONT></P></BODY></HTML>\n";
        let r = one(raw);
        assert_eq!(r.recipient.as_deref(), Some("r@example.org"));
        assert_eq!(r.reason, "userunknown");
    }

    #[test]
    fn a_copy_announced_without_being_returned_gives_its_summary_addressee() {
        // Yahoo: the returned message's Subject and To above "---Below this line is a copy",
        // plain text labelled text/html, and no copy after it.
        let raw = "From: MAILER-DAEMON@yahoo.example\nTo: list-bounces@lists.example.org\nMIME-Version: 1.0\nContent-Type: text/html; charset=\"utf-8\"\n\nI'm afraid I wasn't able to deliver the following message.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\nSubject: [List] Re: hello\nTo: r@yahoo.example\n\n---Below this line is a copy of the message.\n";
        let r = one(raw);
        assert_eq!(r.recipient.as_deref(), Some("r@yahoo.example"));
    }

    #[test]
    fn addresses_in_brackets_quotes_and_x400_form_are_recipients() {
        let report = |text: &str| {
            format!(
                "From: Delivery Subsystem <postmaster@example.net>\nTo: s@example.com\nSubject: Message Delivery Failure\n\n{text}\n"
            )
        };
        // MailEnable / Exchange: [SMTP:a@b].
        let r = one(&report(
            "MailEnable: Message could not be delivered to some recipients.\nThe following recipient(s) could not be reached:\n\n\tRecipient: [SMTP:r@example.org]\n\tReason: Remote SMTP Server Returned: 550 Requested action not taken: mailbox unavailable or not local.",
        ));
        assert_eq!(r.recipient.as_deref(), Some("r@example.org"));
        assert_eq!(r.replycode, "550");
        // "* [a@b]: 550 …".
        let r = one(&report(
            "Delivery has failed to these recipients or distribution lists:\n\n\t* [r@example.org]: 550 r@example.org...User account is overquota",
        ));
        assert_eq!(r.recipient.as_deref(), Some("r@example.org"));
        assert_eq!(r.reason, "mailboxfull");
        // Exchange 5.5's X.400 address with the Internet one inside.
        let r = one(&report(
            "did not reach the following recipient(s):\n\nc=US;a= ;p=Example;o=Site;dda:SMTP=r@example.ORG; on Fri, 4 Oct 2002\n17:12:28 -0400\n    The recipient name is not recognized",
        ));
        assert_eq!(r.recipient.as_deref(), Some("r@example.org"));
        assert_eq!(r.reason, "userunknown");
        // 'a@b' in single quotes.
        let r = one(&report(
            "A message that you sent could not be delivered.\nThe following message, addressed to 'r@example.org',\nwas undeliverable because the recipient's mailbox is full.",
        ));
        assert_eq!(r.recipient.as_deref(), Some("r@example.org"));
        // A label with an apostrophe.
        let r = one(&report(
            "User's mailbox is full: <r@example.org>\nUnable to deliver mail.",
        ));
        assert_eq!(r.recipient.as_deref(), Some("r@example.org"));
        assert_eq!(r.reason, "mailboxfull");
    }

    #[test]
    fn recipients_named_in_running_text() {
        let report = |text: &str| {
            format!(
                "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: s@example.com\nSubject: Undeliverable Mail\n\n{text}\n"
            )
        };
        for (text, reason) in [
            // SMTP32: two spaces.
            (
                "undeliverable  to r@example.org\n\n\nOriginal message follows.",
                Some("undefined"),
            ),
            // Mail.Ru.
            (
                "Message was not accepted -- invalid mailbox.\n Local mailbox r@example.org is unavailable: user not found",
                None,
            ),
            // Exim hiding a one-time alias.
            (
                "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  an undisclosed address\n    (generated from r@example.org)",
                Some("undefined"),
            ),
        ] {
            let r = one(&report(text));
            assert_eq!(r.recipient.as_deref(), Some("r@example.org"), "{text}");
            if let Some(reason) = reason {
                assert_eq!(r.reason, reason, "{text}");
            }
        }
    }

    #[test]
    fn a_send_mail_as_relay_failure_fails_every_addressee_of_the_message() {
        let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: me@gmail.example\nSubject: Delivery Status Notification (Failure)\nX-Failed-Recipients: list@groups.example\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=\"UTF-8\"\n\n** Message not delivered **\n\nYou're sending this from a different address or alias using the 'Send mail as' feature. The settings for your 'Send mail as' account are misconfigured or out of date. Check those settings and try resending.\n\nLearn more here: https://support.google.com/mail/?p=CustomFromDenied\n\nThe response was:\n\nUnspecified Error (SENT_SECOND_EHLO): Smtp server does not advertise AUTH capability\n--b\nContent-Type: message/delivery-status\n\n\n--b\nContent-Type: message/rfc822\n\nFrom: <me@alias.example>\nTo: <a@example.org>, b@example.net\nSubject: hi\nMessage-ID: <1@mail.gmail.example>\n\nhello\n--b--\n";
        let records = decode(raw.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        let rcpts: Vec<_> = records
            .iter()
            .filter_map(|r| r.recipient.as_deref())
            .collect();
        assert_eq!(
            rcpts,
            ["a@example.org", "b@example.net", "list@groups.example"]
        );
        // An ordinary Gmail failure keeps to what X-Failed-Recipients names.
        let other = raw
            .replace("'Send mail as' account", "account")
            .replace("CustomFromDenied", "NoSuchUser");
        let records = decode(other.as_bytes(), "t.eml", Limits::default()).expect("decodes");
        let rcpts: Vec<_> = records
            .iter()
            .filter_map(|r| r.recipient.as_deref())
            .collect();
        assert_eq!(rcpts, ["list@groups.example"]);
    }

    #[test]
    fn an_auto_reply_naming_an_address_in_passing_stays_an_auto_reply() {
        for text in [
            "Thank you for your message. For urgent matters please send mail to bob@shop.example.",
            "Your mailbox bob@shop.example request was received.",
        ] {
            let raw = format!(
                "From: No Reply <noreply@shop.example>\nTo: s@example.com\nSubject: Auto: Re: order\nAuto-Submitted: auto-replied\n\n{text}\n"
            );
            let r = one(&raw);
            assert_eq!(r.reason, "vacation", "{text}");
            assert_eq!(r.recipient.as_deref(), Some("noreply@shop.example"));
        }
    }

    #[test]
    fn an_auto_reply_quoting_its_message_stays_an_auto_reply() {
        let raw = "From: No Reply <noreply@shop.example>\nTo: s@example.com\nSubject: Auto: Re: order\nAuto-Submitted: auto-replied\n\nThank you for your message. We answer within two days.\n\n> From: s@example.com\n> To: support@shop.example\n";
        let r = one(raw);
        assert_eq!(r.reason, "vacation");
        let plain = raw.replace("> ", "");
        let r = one(&plain);
        assert_eq!(r.reason, "vacation");
    }

    #[test]
    fn mail_to_oneself_that_bounces_names_the_sender_as_recipient() {
        // The returned copy's one addressee is the bounce's own addressee: still the
        // recipient (the summary-line reading excludes the report's addressees, this does not).
        let raw = "From: MAILER-DAEMON@mx.example.net\nTo: me@example.org\nSubject: Returned mail: see transcript for details\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nThe message could not be delivered.\n\n--b\nContent-Type: message/rfc822\n\nFrom: me@example.org\nTo: me@example.org\nSubject: note to self\nMessage-ID: <1@example.org>\n\nhi\n--b--\n";
        let r = one(raw);
        assert_eq!(r.recipient.as_deref(), Some("me@example.org"));
    }
}
