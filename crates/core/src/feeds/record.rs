//! One decoded bounce, complaint or auto-reply, per recipient.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// One record: what happened to one recipient of one original message.
///
/// Field names match sisimai's so results can be compared (DESIGN.md §3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BounceRecord {
    /// Where the message came from: a path, `path#N` for the N-th message of an mbox.
    pub file: String,
    /// The recipient the report is about (lower-cased), when the report names one.
    pub recipient: Option<String>,
    /// The original sender (envelope or From of the returned message), when known.
    pub addresser: Option<String>,
    /// Reason in the shared taxonomy (sisimai v5 names: `userunknown`, `mailboxfull`, …).
    pub reason: String,
    /// RFC 3463 enhanced status code (`5.1.1`), empty when the report has none.
    pub status: String,
    /// SMTP reply code (`550`), empty when the report has none.
    pub replycode: String,
    /// Whether sending to this recipient again is pointless (the address or domain is gone).
    pub hardbounce: bool,
    /// RFC 3464 action: `failed`, `delayed`, `delivered`, `relayed`, `expanded`, or empty.
    pub action: String,
    /// The error text the verdict came from (whitespace folded).
    pub diagnosticcode: String,
    /// `SMTP` when the diagnostic is an SMTP reply, `X-Unix`/`X-Postfix` etc. from the DSN, or empty.
    pub diagnostictype: String,
    /// ARF feedback type (`abuse`, `auth-failure`, …) for complaints.
    pub feedbacktype: String,
    /// The software that wrote a complaint (ARF `User-Agent`, RFC 5965 §3.1: which
    /// feedback loop it came from, e.g. `Yahoo!-Mail-Feedback/1.0`); empty for bounces.
    /// A complaint's `Source-IP` (the sending IP complained about) is in `rhost`, as sisimai
    /// has it.
    #[serde(default)]
    pub useragent: String,
    /// The SMTP command the remote server answered (`RCPT`, `MAIL`, `DATA`, `HELO`, `EHLO`, `CONN`).
    pub command: String,
    /// The remote host that rejected the message.
    pub rhost: String,
    /// The local host that wrote the report.
    pub lhost: String,
    /// When the failure happened (Unix seconds), from the report or its Date header.
    pub timestamp: Option<i64>,
    /// Message-ID of the original message.
    pub messageid: String,
    /// List-Id of the original message.
    pub listid: String,
    /// Which decoder read it: `RFC3464`, `ARF`, `RFC3834`, or the vendor format's name.
    pub decodedby: String,
    /// Subject of the original message.
    pub subject: String,
}

/// Reasons whose bounce means the address itself is dead (sending again cannot succeed).
pub fn is_hard(reason: &str, status: &str) -> bool {
    match reason {
        "userunknown" | "hostunknown" | "hasmoved" => true,
        // RFC 7505 null MX / a host that takes no mail: hard when permanent.
        "notaccept" => !status.starts_with('4'),
        _ => false,
    }
}

/// The 35 reason names of the taxonomy (DESIGN.md §3), in a stable order.
pub const REASONS: [&str; 35] = [
    "userunknown",
    "mailboxfull",
    "filtered",
    "rejected",
    "blocked",
    "hostunknown",
    "authfailure",
    "feedback",
    "expired",
    "networkerror",
    "policyviolation",
    "requireptr",
    "suspend",
    "spamdetected",
    "systemerror",
    "notaccept",
    "securityerror",
    "mailererror",
    "norelaying",
    "hasmoved",
    "notcompliantrfc",
    "toomanyconn",
    "vacation",
    "onhold",
    "badreputation",
    "delivered",
    "exceedlimit",
    "mesgtoobig",
    "contenterror",
    "syntaxerror",
    "virusdetected",
    "speeding",
    "systemfull",
    "undefined",
    "failedstarttls",
];

/// What a reason means for the sender and what to do about it, in plain words
/// (`crates/core/data/bounce-reason-guide.toml`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ReasonGuide {
    /// What happened.
    pub meaning: String,
    /// What the sender should do.
    pub fix: String,
}

#[derive(Deserialize)]
struct GuideFile {
    reason: BTreeMap<String, ReasonGuide>,
}

static GUIDE: LazyLock<BTreeMap<String, ReasonGuide>> = LazyLock::new(|| {
    // Part of the build; the unit test below fails if it does not parse or misses a reason.
    toml::from_str::<GuideFile>(include_str!("../../data/bounce-reason-guide.toml"))
        .map(|f| f.reason)
        .unwrap_or_default()
});

/// The plain-words guide for `reason` (one of [`REASONS`]).
pub fn reason_guide(reason: &str) -> Option<&'static ReasonGuide> {
    GUIDE.get(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_guide_and_no_guide_names_an_unknown_reason() {
        for r in REASONS {
            let g = reason_guide(r).unwrap_or_else(|| panic!("no guide for {r}"));
            assert!(g.meaning.len() > 20 && g.fix.len() > 5, "{r}");
        }
        assert_eq!(GUIDE.len(), REASONS.len());
    }
}
