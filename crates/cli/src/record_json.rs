//! One bounce record as a line of JSON, written directly into a buffer.
//!
//! `inboxlens bounces --format jsonl` writes a record per recipient, a hundred thousand for
//! a large mailbox. serde_json spends most of that on the machinery around each of the 20
//! keys and values (three writes per string, a scan per key); this writes the keys as
//! constants and copies each value in one piece when it needs no escape. The bytes are
//! serde_json's: the unit test compares the two on records holding every kind of character.

use inboxlens_core::feeds::BounceRecord;

/// Appends `r` as compact JSON (serde_json's output for the derived `Serialize`).
pub fn write(out: &mut Vec<u8>, r: &BounceRecord) {
    out.extend_from_slice(b"{\"file\":");
    string(out, &r.file);
    out.extend_from_slice(b",\"recipient\":");
    opt_string(out, r.recipient.as_deref());
    out.extend_from_slice(b",\"addresser\":");
    opt_string(out, r.addresser.as_deref());
    out.extend_from_slice(b",\"reason\":");
    string(out, &r.reason);
    out.extend_from_slice(b",\"status\":");
    string(out, &r.status);
    out.extend_from_slice(b",\"replycode\":");
    string(out, &r.replycode);
    out.extend_from_slice(b",\"hardbounce\":");
    out.extend_from_slice(if r.hardbounce { b"true" } else { b"false" });
    out.extend_from_slice(b",\"action\":");
    string(out, &r.action);
    out.extend_from_slice(b",\"diagnosticcode\":");
    string(out, &r.diagnosticcode);
    out.extend_from_slice(b",\"diagnostictype\":");
    string(out, &r.diagnostictype);
    out.extend_from_slice(b",\"feedbacktype\":");
    string(out, &r.feedbacktype);
    out.extend_from_slice(b",\"useragent\":");
    string(out, &r.useragent);
    out.extend_from_slice(b",\"command\":");
    string(out, &r.command);
    out.extend_from_slice(b",\"rhost\":");
    string(out, &r.rhost);
    out.extend_from_slice(b",\"lhost\":");
    string(out, &r.lhost);
    out.extend_from_slice(b",\"timestamp\":");
    match r.timestamp {
        Some(t) => out.extend_from_slice(t.to_string().as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"messageid\":");
    string(out, &r.messageid);
    out.extend_from_slice(b",\"listid\":");
    string(out, &r.listid);
    out.extend_from_slice(b",\"decodedby\":");
    string(out, &r.decodedby);
    out.extend_from_slice(b",\"subject\":");
    string(out, &r.subject);
    out.push(b'}');
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Whether JSON needs an escape for byte `b` (RFC 8259 §7: quote, backslash, controls).
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any of the eight bytes in `x` needs an escape: the classic exact tests for a
/// byte below 0x20 and for a zero byte (after XOR with the quote and the backslash).
fn chunk_needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH != 0;
    below(x, 0x20)
        || below(x ^ (ONES * u64::from(b'"')), 1)
        || below(x ^ (ONES * u64::from(b'\\')), 1)
}

/// A JSON string, escaped as serde_json escapes: the short forms for `\"`, `\\`, `\b`,
/// `\f`, `\n`, `\r`, `\t`, `\u00XX` (lower-case hex) for the other controls.
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none needs an escape (most values have none).
        if let Some(chunk) = bytes.get(i..i + 8)
            && let Ok(chunk) = <[u8; 8]>::try_from(chunk)
            && !chunk_needs_escape(u64::from_le_bytes(chunk))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        i += 1;
        if !needs_escape(b) {
            continue;
        }
        let at = i - 1;
        out.extend_from_slice(&bytes[start..at]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(r: &BounceRecord) -> Vec<u8> {
        serde_json::to_vec(r).expect("serializes")
    }

    #[test]
    fn same_bytes_as_serde_json() {
        let every_byte: String = (0u8..0x80).map(char::from).collect();
        let records = [
            BounceRecord::default(),
            BounceRecord {
                file: "a/b.eml#3".into(),
                recipient: Some("kijitora@example.jp".into()),
                addresser: Some("\"quoted\" \\ back".into()),
                reason: "userunknown".into(),
                status: "5.1.1".into(),
                replycode: "550".into(),
                hardbounce: true,
                action: "failed".into(),
                diagnosticcode: every_byte.clone(),
                diagnostictype: "SMTP".into(),
                feedbacktype: "abuse".into(),
                useragent: "Yahoo!-Mail-Feedback/1.0 \"x\"".into(),
                command: "RCPT".into(),
                rhost: "mx.example.jp".into(),
                lhost: "é日本語\u{7f}\u{2028}".into(),
                timestamp: Some(-1_234_567_890),
                messageid: "<x@y>".into(),
                listid: "\u{0}\u{1f}\t\r\n\u{8}\u{c}".into(),
                decodedby: "RFC3464".into(),
                subject: every_byte,
            },
            BounceRecord {
                timestamp: Some(i64::MAX),
                ..Default::default()
            },
        ];
        // An escape at every position of strings around the chunk size.
        let mut records = records.to_vec();
        for len in 0..20 {
            for at in 0..len {
                for c in ['"', '\\', '\n', '\u{1}', '\u{1f}', 'é', ' ', '~', '\u{7f}'] {
                    let mut s: Vec<char> = "abcdefghijklmnopqrst"[..len].chars().collect();
                    s[at] = c;
                    records.push(BounceRecord {
                        subject: s.into_iter().collect(),
                        ..Default::default()
                    });
                }
            }
        }
        for r in &records {
            let mut mine = Vec::new();
            write(&mut mine, r);
            assert_eq!(
                String::from_utf8_lossy(&mine),
                String::from_utf8_lossy(&serde(r))
            );
        }
    }
}
