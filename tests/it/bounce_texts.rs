//! Bounce reasons beyond the sisimai corpus: the providers' published replies
//! (`fixtures/bounce-texts/provider-replies.tsv`), each reported the way ten MTA formats
//! report a failed delivery — Postfix (as is and folded), Sendmail (DSN and session
//! transcript), OpenSMTPD and Office 365 (DSN or notice without the command), Exim, qmail,
//! Gmail, DragonFly and Yahoo (plain text). The reason must follow what the reply says, and
//! must not change with the MTA that reports it; and an amavis header check that names the
//! cause below its verdict.

use inboxlens_core::feeds::{Limits, decode};
use inboxlens_tests::fixture;

/// One line of the table.
struct Reply<'a> {
    reason: &'a str,
    /// The SMTP command answered: RCPT, MAIL, DATA, CONN (connection/greeting), or "-" (no
    /// remote reply: the reporting MTA's own words).
    command: &'a str,
    /// The answering host ("-": unnamed).
    rhost: &'a str,
    text: &'a str,
}

/// Writes a report of the failed delivery the way one MTA does (None: that MTA never
/// reports this reply).
type Report = fn(&Reply<'_>) -> Option<String>;

const RECIPIENT: &str = "user@receiver.example";

/// The table's replies with their line numbers.
fn table(text: &str) -> Vec<(usize, Reply<'_>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(no, line)| {
            let cols: Vec<&str> = line.split('\t').collect();
            let [reason, command, rhost, text, ..] = cols[..] else {
                panic!(
                    "line {}: reason, command, host and reply, tab-separated",
                    no + 1
                );
            };
            (
                no + 1,
                Reply {
                    reason,
                    command,
                    rhost,
                    text,
                },
            )
        })
        .collect()
}

/// The first RFC 3463 status code in the reply, else the reply code's class with `.0.0`.
fn status_of(reply: &str) -> String {
    let enhanced = reply
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            parts.len() == 3
                && matches!(parts[0], "2" | "4" | "5")
                && parts[1..].iter().all(|p| (1..=3).contains(&p.len()))
        });
    let class = reply
        .trim_start()
        .chars()
        .next()
        .filter(|c| matches!(c, '4' | '5'));
    enhanced.map_or_else(|| format!("{}.0.0", class.unwrap_or('5')), str::to_string)
}

/// The answering host's name (a documentation name when the table names none).
fn host<'a>(r: &Reply<'a>) -> &'a str {
    if r.rhost == "-" {
        "mx.receiver.example"
    } else {
        r.rhost
    }
}

/// The returned message's header, as the reports quote it.
const RETURNED: &str = "From: news@sender.example\nTo: user@receiver.example\nSubject: Offer\n\
                        Message-ID: <offer-1@sender.example>\n";

/// Postfix bounce(8): the human-readable line names the host and the command it answered;
/// the status block carries the reply as Diagnostic-Code.
fn postfix_as(r: &Reply<'_>, fold: bool) -> Option<String> {
    let (host, reply) = (host(r), r.text);
    let (human, diagnostic) = match r.command {
        "-" => (reply.to_string(), format!("X-Postfix; {reply}")),
        "CONN" => (
            format!("host {host}[192.0.2.25] refused to talk to me: {reply}"),
            format!("smtp; {reply}"),
        ),
        command => (
            format!(
                "host {host}[192.0.2.25] said: {reply} (in reply to {} command)",
                match command {
                    "RCPT" => "RCPT TO",
                    "MAIL" => "MAIL FROM",
                    _ => "end of DATA",
                }
            ),
            format!("smtp; {reply}"),
        ),
    };
    let status = status_of(reply);
    let action = if status.starts_with('4') {
        "delayed"
    } else {
        "failed"
    };
    let remote = if r.command == "-" {
        String::new()
    } else {
        format!("Remote-MTA: dns; {host}\n")
    };
    // Postfix fills the notice to 78 columns and folds the status block's long fields.
    let (human, diagnostic) = if fold {
        (
            folded(&format!("<{RECIPIENT}>: {human}")),
            folded(&format!("Diagnostic-Code: {diagnostic}")),
        )
    } else {
        (
            format!("<{RECIPIENT}>: {human}"),
            format!("Diagnostic-Code: {diagnostic}"),
        )
    };
    Some(format!(
        "From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)\n\
         To: news@sender.example\nSubject: Undelivered Mail Returned to Sender\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
         --B\nContent-Type: text/plain; charset=us-ascii\n\n\
         This is the mail system at host mx.sender.example.\n\n{human}\n\n\
         --B\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx.sender.example\n\n\
         Final-Recipient: rfc822; {RECIPIENT}\nAction: {action}\nStatus: {status}\n\
         {remote}{diagnostic}\n\n\
         --B\nContent-Type: text/rfc822-headers\n\n{RETURNED}\n--B--\n"
    ))
}

/// Postfix with each reply on one line.
fn postfix(r: &Reply<'_>) -> Option<String> {
    postfix_as(r, false)
}

/// Postfix as it writes long replies: wrapped lines (the words of a phrase may be split
/// over two lines).
fn postfix_folded(r: &Reply<'_>) -> Option<String> {
    postfix_as(r, true)
}

/// `text` filled to 78 columns at spaces, continuation lines indented by four spaces (a
/// word longer than a line stays whole).
fn folded(text: &str) -> String {
    let mut out = String::new();
    let mut column = 0;
    for word in text.split(' ') {
        if column > 0 && column + 1 + word.len() > 78 {
            out.push_str("\n    ");
            column = 4;
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.len();
    }
    out
}

/// Sendmail: the "(reason: …)" line, the session transcript (`>>>` sent, `<<<` received,
/// then Sendmail's own summary line) and the DSN.
fn sendmail(r: &Reply<'_>) -> Option<String> {
    let (host, reply) = (host(r), r.text);
    let status = status_of(reply);
    let code = reply
        .get(..3)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()));
    let transcript = match r.command {
        "-" => format!(
            "{} {status} <{RECIPIENT}>... {reply}",
            code.unwrap_or("554")
        ),
        command => {
            let sent = match command {
                "RCPT" => format!(">>> RCPT To:<{RECIPIENT}>"),
                "MAIL" => ">>> MAIL From:<news@sender.example> SIZE=300".to_string(),
                "CONN" => ">>> EHLO mx.sender.example".to_string(),
                _ => ">>> DATA\n<<< 354 go ahead\n>>> .".to_string(),
            };
            let summary = if command == "RCPT" {
                format!(
                    "{} {status} <{RECIPIENT}>... {reply}",
                    code.unwrap_or("550")
                )
            } else {
                "554 5.0.0 Service unavailable".to_string()
            };
            format!("... while talking to {host}.:\n{sent}\n<<< {reply}\n{summary}")
        }
    };
    let (dtype, remote) = if r.command == "-" {
        ("X-Unix", String::new())
    } else {
        ("SMTP", format!("Remote-MTA: DNS; {host}\n"))
    };
    Some(format!(
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.sender.example>\n\
         To: <news@sender.example>\nSubject: Returned mail: see transcript for details\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\nAuto-Submitted: auto-generated (failure)\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"S\"\n\n\
         This is a MIME-encapsulated message\n\n--S\n\n\
         The original message was received at Thu, 26 Nov 2026 09:59:00 +0000\n\
         from localhost [127.0.0.1]\n\n\
         \x20  ----- The following addresses had permanent fatal errors -----\n\
         <{RECIPIENT}>\n    (reason: {reply})\n\n\
         \x20  ----- Transcript of session follows -----\n{transcript}\n\n\
         --S\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx.sender.example\n\n\
         Final-Recipient: RFC822; {RECIPIENT}\nAction: failed\nStatus: {status}\n\
         {remote}Diagnostic-Code: {dtype}; {reply}\n\n\
         --S\nContent-Type: message/rfc822\n\n{RETURNED}\n--S--\n"
    ))
}

/// Exim's plain-text report: the failed address, the host, "SMTP error from remote mail
/// server after <command>:", the reply.
fn exim(r: &Reply<'_>) -> Option<String> {
    let detail = match r.command {
        "-" => format!("    {}", r.text),
        command => format!(
            "    host {} [192.0.2.25]\n    SMTP error from remote mail server after {}:\n    {}",
            host(r),
            match command {
                "RCPT" => format!("RCPT TO:<{RECIPIENT}>"),
                "MAIL" => "MAIL FROM:<news@sender.example>".to_string(),
                "CONN" => "initial connection".to_string(),
                _ => "end of data".to_string(),
            },
            r.text
        ),
    };
    Some(format!(
        "From: Mail Delivery System <Mailer-Daemon@mx.sender.example>\n\
         To: news@sender.example\nSubject: Mail delivery failed: returning message to sender\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\nAuto-Submitted: auto-replied\n\
         X-Failed-Recipients: {RECIPIENT}\n\n\
         This message was created automatically by mail delivery software.\n\n\
         A message that you sent could not be delivered to one or more of its\n\
         recipients. This is a permanent error. The following address(es) failed:\n\n\
         \x20 {RECIPIENT}\n{detail}\n\n\
         ------ This is a copy of the message, including all the headers. ------\n\n\
         Return-path: <news@sender.example>\n{RETURNED}\nHello.\n"
    ))
}

/// qmail-send's plain-text report: what the remote host did not like, "Remote host said:",
/// and qmail's own "Giving up on <IP>." after it.
fn qmail(r: &Reply<'_>) -> Option<String> {
    let detail = match r.command {
        "-" => r.text.to_string(),
        command => format!(
            "{}\nRemote host said: {}\nGiving up on 192.0.2.25.",
            match command {
                "RCPT" => "192.0.2.25 does not like recipient.",
                "MAIL" => "Connected to 192.0.2.25 but sender was rejected.",
                "CONN" => "Connected to 192.0.2.25 but greeting failed.",
                _ => "192.0.2.25 failed after I sent the message.",
            },
            r.text
        ),
    };
    Some(format!(
        "From: MAILER-DAEMON@mx.sender.example\nTo: news@sender.example\n\
         Subject: failure notice\nDate: Thu, 26 Nov 2026 10:00:00 +0000\n\n\
         Hi. This is the qmail-send program at mx.sender.example.\n\
         I'm afraid I wasn't able to deliver your message to the following addresses.\n\
         This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
         <{RECIPIENT}>:\n{detail}\n\n--- Below this line is a copy of the message.\n\n\
         Return-Path: <news@sender.example>\n{RETURNED}\nHello.\n"
    ))
}

/// OpenSMTPD: "address: reply" in its notice, and a status block whose Status is 5.0.0
/// and which has no Diagnostic-Code: the words are all there is.
fn opensmtpd(r: &Reply<'_>) -> Option<String> {
    Some(format!(
        "From: Mailer Daemon <MAILER-DAEMON@mx.sender.example>\nTo: news@sender.example\n\
         Subject: Delivery status notification: failed\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed;boundary=\"O/mx.sender.example\"\n\n\
         This is a MIME-encapsulated message.\n\n--O/mx.sender.example\n\
         Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n\
         \x20   Hi!\n\n\
         \x20   This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\n\
         \x20   An error has occurred while attempting to deliver a message for\n\
         \x20   the following list of recipients:\n\n{RECIPIENT}: {}\n\n\
         \x20   Below is a copy of the original message:\n\n--O/mx.sender.example\n\
         Content-Description: Delivery Report\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx.sender.example\n\n\
         Final-Recipient: rfc822; {RECIPIENT}\nAction: failed\nStatus: 5.0.0\n\n\
         --O/mx.sender.example\nContent-Description: Message headers\n\
         Content-Type: text/rfc822-headers\n\n{RETURNED}\n--O/mx.sender.example--\n",
        r.text
    ))
}

/// Gmail's own text report: "Technical details of permanent failure", the host that
/// refused, "The error that the other server returned was:" and the reply.
fn gmail(r: &Reply<'_>) -> Option<String> {
    let detail = match r.command {
        // Postfix's, Exim's … own words: Gmail never writes them.
        "-" => return None,
        _ => format!(
            "Google tried to deliver your message, but it was rejected by the server for the \
             recipient domain receiver.example by {}. [192.0.2.25].\n\n\
             The error that the other server returned was:\n{}",
            host(r),
            r.text
        ),
    };
    Some(format!(
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\
         To: news@sender.example\nSubject: Delivery Status Notification (Failure)\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\nContent-Type: text/plain; charset=UTF-8\n\n\
         This is an automatically generated Delivery Status Notification\n\n\
         Delivery to the following recipient failed permanently:\n\n     {RECIPIENT}\n\n\
         Technical details of permanent failure: \n{detail}\n\n\
         ----- Original message -----\n\n{RETURNED}\nHello.\n"
    ))
}

/// Exchange Online / Office 365's non-delivery report in text: the recipient, then
/// "Diagnostic information for administrators", the generating server and "Remote Server
/// returned '<reply>'".
fn office365(r: &Reply<'_>) -> Option<String> {
    if r.command == "-" {
        return None;
    }
    Some(format!(
        "From: Microsoft Outlook <postmaster@sender.onmicrosoft.com>\n\
         To: news@sender.example\nSubject: Undeliverable: Offer\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"X\"\n\n\
         --X\nContent-Type: text/plain; charset=\"us-ascii\"\n\n\
         Delivery has failed to these recipients or groups:\n\n\
         {RECIPIENT}<mailto:{RECIPIENT}>\n\n\n\
         Diagnostic information for administrators:\n\n\
         Generating server: AB1PR01MB0001.eurprd01.prod.outlook.com\n\n\
         {RECIPIENT}\nRemote Server returned '{}'\n\n\
         Original message headers:\n\n{RETURNED}\n--X--\n",
        r.text
    ))
}

/// DragonFly Mail Agent: "<host> [<IP>] did not like our <command>:" and the reply on the
/// next line.
fn dragonfly(r: &Reply<'_>) -> Option<String> {
    let detail = match r.command {
        "-" => return None,
        command => format!(
            "{} [192.0.2.25] did not like our {}:\n{}",
            host(r),
            match command {
                "RCPT" => "RCPT TO",
                "MAIL" => "MAIL FROM",
                "CONN" => "EHLO",
                _ => "final DATA",
            },
            r.text
        ),
    };
    Some(format!(
        "From: MAILER-DAEMON <>\nTo: news@sender.example\nSubject: Mail delivery failed\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\n\n\
         This is the DragonFly Mail Agent v0.13 at mx.sender.example.\n\n\
         There was an error delivering your mail to <{RECIPIENT}>.\n\n{detail}\n\n\
         Message headers follow.\n\n{RETURNED}"
    ))
}

/// Yahoo's own report: "Remote host said: <reply> [RCPT_TO]" (the command in brackets).
fn yahoo(r: &Reply<'_>) -> Option<String> {
    let command = match r.command {
        "-" => return None,
        "RCPT" => " [RCPT_TO]",
        "MAIL" => " [MAIL_FROM]",
        "DATA" => " [DATA]",
        _ => "",
    };
    Some(format!(
        "From: MAILER-DAEMON@yahoo.com\nTo: news@sender.example\nSubject: Failure Notice\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\n\n\
         Sorry, we were unable to deliver your message to the following address.\n\n\
         <{RECIPIENT}>:\nRemote host said: {}{command}\n\n\
         --- Below this line is a copy of the message.\n\n{RETURNED}\nHello.\n",
        r.text
    ))
}

/// Every reply of the table, in each MTA's report: the reason the table gives, for the one
/// recipient. Where a provider reuses a registered status code for something else (Gmail's
/// 4.7.27 SPF, 4.7.30 DKIM, 4.7.23 PTR), the words decide; qmail's "Giving up on" and
/// Sendmail's closing "Service unavailable" are the reporting MTA's words, not the cause.
#[test]
fn provider_replies_read_the_same_whichever_mta_reports_them() {
    let text =
        std::fs::read_to_string(fixture("bounce-texts/provider-replies.tsv")).expect("table");
    let table = table(&text);
    assert!(table.len() >= 120, "the table has {} replies", table.len());
    assert!(folded(&"word ".repeat(40)).lines().all(|l| l.len() <= 78));
    // (name, writer, whether the report names the SMTP command the reply answered, and the
    // remote host by name: then the record's rhost is the table's host, where it has one)
    let formats: [(&str, Report, bool, bool); 10] = [
        ("postfix", postfix, true, true),
        ("postfix folded", postfix_folded, true, true),
        ("sendmail", sendmail, true, true),
        ("exim", exim, true, true),
        ("qmail", qmail, true, false),
        ("opensmtpd", opensmtpd, false, false),
        ("gmail", gmail, false, true),
        ("office365", office365, false, false),
        ("dragonfly", dragonfly, true, true),
        ("yahoo", yahoo, true, false),
    ];
    let (mut wrong, mut reports) = (Vec::new(), 0);
    for (name, wrap, names_command, names_host) in formats {
        for (line, reply) in &table {
            let Some(raw) = wrap(reply) else { continue };
            reports += 1;
            let records = decode(raw.as_bytes(), "reply.eml", Limits::default()).expect("decodes");
            // A "user unknown" in a report that does not show which command it answered may
            // be a filter's (RFC 5321 §3.3 checks the address at RCPT TO; see
            // `is_filter_rejection`): either reading is right there.
            let accepts = |got: &str| {
                got == reply.reason
                    || (!names_command && reply.reason == "userunknown" && got == "filtered")
            };
            match records.as_slice() {
                [r] if accepts(&r.reason)
                    && r.recipient.as_deref() == Some(RECIPIENT)
                    && (!names_host || reply.rhost == "-" || r.rhost == reply.rhost) => {}
                other => wrong.push(format!(
                    "{name}, line {line}: expected {}, got {:?}: {}",
                    reply.reason,
                    other
                        .iter()
                        .map(|r| (r.reason.as_str(), r.recipient.as_deref(), r.rhost.as_str()))
                        .collect::<Vec<_>>(),
                    reply.text
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {reports} reports misread:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A content filter's report whose verdict is generic ("unsolicited bulk e-mail", "Reject …
/// BAD-HEADER") and which names the broken header below its header excerpt (amavis): the
/// header is the cause. Without that line the verdict stands.
#[test]
fn a_header_check_below_the_excerpt_names_the_cause() {
    let raw = std::fs::read(fixture("bounce-texts/amavis-bad-header.eml")).expect("fixture");
    let records = decode(&raw, "amavis-bad-header.eml", Limits::default()).expect("decodes");
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].reason, "notcompliantrfc");
    assert_eq!(records[0].recipient.as_deref(), Some(RECIPIENT));
    let without = String::from_utf8(raw).expect("ASCII").replace(
        "Non-encoded 8-bit data (char E9 hex) in message header 'Subject'\n",
        "",
    );
    let records = decode(without.as_bytes(), "amavis.eml", Limits::default()).expect("decodes");
    assert_eq!(records[0].reason, "spamdetected");
}
