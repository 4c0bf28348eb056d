//! RFC 3464 §2 delivery-status fields: one per-message group, then one group per recipient.
//! Also used for ARF (RFC 5965 §3.1), whose report has the same field syntax.

use std::borrow::Cow;

/// Header-style fields of one group: each name as written (compare with [`named`]) and its
/// value, continuation lines unfolded. Borrowed from the text unless unfolded.
pub(crate) type Fields<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// Whether the field name `n` is `name` (lower case): field names are case-insensitive
/// (RFC 5322 §1.2.2, RFC 3464 §2.1.1).
pub(crate) fn named(n: &str, name: &str) -> bool {
    n.eq_ignore_ascii_case(name)
}

/// Splits a status block into groups of fields (groups are separated by empty lines; a new
/// `Final-Recipient`/`Original-Recipient` after an `Action`/`Status` also starts one, for
/// reports that forget the empty line).
pub(crate) fn groups(text: &str) -> Vec<Fields<'_>> {
    let mut out: Vec<Fields<'_>> = Vec::new();
    let mut current: Fields<'_> = Vec::new();
    for raw in super::text::lines(text) {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                let value = value.to_mut();
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        let Some((name, value)) = super::text::split_once_ascii(line, b':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(' ') {
            continue;
        }
        // Recipients not separated by a blank line: a recipient field starts a new group
        // when the current group already has its recipient (and, for the second of the
        // pair, its per-recipient fields after it). Fields before any recipient field (some
        // MTAs write Diagnostic-Code and Status first; Sun's Messaging Server writes Action,
        // Status, Original-recipient, Final-recipient) stay with the recipient that follows.
        let split = if named(name, "final-recipient") {
            has(&current, "final-recipient") || completed_original(&current)
        } else if named(name, "original-recipient") {
            has(&current, "original-recipient")
        } else {
            false
        };
        if split {
            out.push(std::mem::take(&mut current));
        }
        current.push((name, Cow::Borrowed(value.trim())));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The group has an Original-Recipient followed by its per-recipient fields (Action or
/// Status after it): a Final-Recipient now belongs to the next recipient.
fn completed_original(fields: &Fields<'_>) -> bool {
    fields
        .iter()
        .position(|(n, _)| named(n, "original-recipient"))
        .is_some_and(|at| {
            fields[at + 1..]
                .iter()
                .any(|(n, _)| named(n, "action") || named(n, "status"))
        })
}

fn has(fields: &Fields<'_>, name: &str) -> bool {
    fields.iter().any(|(n, _)| named(n, name))
}

/// The first value of `name` (lower case) in `fields`.
pub(crate) fn get<'a>(fields: &'a Fields<'_>, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| named(n, name))
        .map(|(_, v)| v.as_ref())
        .filter(|v| !v.is_empty())
}

/// `type; value` → (`type`, `value`) — RFC 3464 address-type / diagnostic-type / mta-name-type.
pub(crate) fn typed(value: &str) -> (&str, &str) {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(['@', ' ']) => (kind.trim(), rest.trim()),
        _ => ("", value.trim()),
    }
}

/// Whether `text` carries RFC 3464 recipient fields (some MTAs put them in text/plain).
pub(crate) fn looks_like_status(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (lower.contains("final-recipient:") || lower.contains("original-recipient:"))
        && (lower.contains("\nstatus:") || lower.contains("\naction:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_before_the_recipient_stay_with_it() {
        let g = groups(
            "Reporting-MTA: dns; x\n\nDiagnostic-Code: SMTP; 550 5.1.1 RCP-P1\nStatus: 5.1.1\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n",
        );
        assert_eq!(g.len(), 2);
        assert_eq!(get(&g[1], "status"), Some("5.1.1"));
        assert_eq!(get(&g[1], "final-recipient"), Some("rfc822; a@example.org"));
    }

    #[test]
    fn per_recipient_fields_before_both_recipient_fields_stay_with_them() {
        // Sun Messaging Server's order: one recipient, not two.
        let g = groups(
            "Reporting-MTA: dns;msg00.example.com\n\nAction: failed\nStatus: 5.0.0 (recipient reached disk quota)\nOriginal-recipient: rfc822;a@example.com\nFinal-recipient: rfc822;a@ims-ms-daemon\n",
        );
        assert_eq!(g.len(), 2);
        assert_eq!(
            get(&g[1], "final-recipient"),
            Some("rfc822;a@ims-ms-daemon")
        );
        assert_eq!(
            get(&g[1], "original-recipient"),
            Some("rfc822;a@example.com")
        );
        // An Original-Recipient whose fields came after it is a finished group.
        let g = groups(
            "Original-Recipient: rfc822;a@example.com\nAction: failed\nStatus: 5.1.1\nFinal-Recipient: rfc822;b@example.com\nAction: failed\n",
        );
        assert_eq!(g.len(), 2);
        assert_eq!(get(&g[1], "final-recipient"), Some("rfc822;b@example.com"));
    }

    #[test]
    fn groups_split_on_blank_lines_and_unfold() {
        let g = groups(
            "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1\n  user unknown\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\n",
        );
        assert_eq!(g.len(), 3);
        assert_eq!(
            get(&g[1], "diagnostic-code"),
            Some("smtp; 550 5.1.1 user unknown")
        );
        assert_eq!(get(&g[2], "action"), Some("delayed"));
        assert_eq!(typed("rfc822; a@b").1, "a@b");
    }
}
