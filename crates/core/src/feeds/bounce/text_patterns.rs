// The expressions the error-text reader searches with (`text.rs`). build.rs includes this
// file too and compiles each (its word boundaries made ASCII) to a pair of full DFAs, a
// forward one that finds where a match ends and a reverse one that finds where it starts, so
// it holds items only (no inner attributes or `//!` comments) and nothing but the standard
// library. The crate reads the DFAs; its tests compare them with these expressions as regexes.

/// Where a failed recipient is named in running text ("could not be delivered to a@b");
/// the address is the match's last part (see `text::phrase_recipient`).
pub(crate) const RECIPIENT_PHRASE: &str = r#"(?i)(?:delivering\ your\ (?:mail|message)\ to|address:|delivery\ failed\ [0-9]+\ attempts:|(?:could|can)\s?not\ be\ delivered\ to|wasn't\ delivered\ to|was\ not\ delivered\ to|not\ relayed\ to|failed\ to\ deliver\ to|unable\ to\ deliver\ (?:your\ )?(?:mail|message)?\s*to|problem\ delivering\ your\ message\ to|delivery\ to|your\ message\ to:?|message\ to|mail\ to|recipient|rejected\ recipient|addressed\ to:?|deliver\ to|undeliverable\s+to|inform\ you\ that|delivered\ to|mailbox|generated\ from)\s+(?:the\ following\ (?:address|recipient)e?s?:?\s*)?"?<?([^\s<>()"]+@[a-z0-9.-]+\.[a-z]{2,24})"#;

/// A reply code at the start of a line of a multi-line SMTP reply, with the status code
/// that may follow it.
pub(crate) const CONTINUATION: &str =
    r"(?:^|\s)([245][0-9][0-9])[- ](#?[245]\.[0-9]{1,3}\.[0-9]{1,3}\s)?";

/// The wording that introduces the remote server's reply (matched on lower-cased text).
pub(crate) const REMOTE_REPLY: &str = r"(?:the error that the other server returned was:|remote host said:|remote server returned|\bsaid:|responded with failure:|it responded as follows:|server message|<<<|\berror [45][0-9][0-9]-'|did not like our (?:rcpt to|mail from|final data|data|ehlo|helo):)";

/// The next reply code of a transcript.
pub(crate) const NEXT_REPLY: &str = r"\s[245][0-9][0-9][\s-]";

// Codes are ASCII digits (RFC 3463 §2 status-code, RFC 5321 §4.2 Reply-code), and the
// character before a code must not join it into a word or a number: an ASCII letter, digit,
// `_` or `.`. Letters of other scripts do not join (Japanese and Chinese text runs words
// together: "エラー550").

/// An RFC 3463 enhanced status code.
pub(crate) const STATUS: &str =
    r"(?:^|[^0-9.A-Za-z_])([245])\.([0-9]{1,3})\.([0-9]{1,3})(?:[^0-9.]|\.(?:\s|$)|$)";

/// An SMTP reply code.
pub(crate) const REPLY: &str = r"(?:^|[^0-9.A-Za-z_:/\-\[])([245][0-9][0-9])(?:[\s\-:]|$)";

/// An SMTP reply code followed by an enhanced status code.
pub(crate) const REPLY_STATUS: &str =
    r"(?:^|[^0-9.A-Za-z_])([245][0-9][0-9])[\s\-:]+#?([245])\.[0-9]{1,3}\.[0-9]{1,3}";

/// The ways error text names the remote host, in the order they are tried; the host is each
/// expression's group (see `text::rhost`).
pub(crate) const RHOST: [&str; 7] = [
    r"(?i)\bhost\s+([a-z0-9][a-z0-9.-]*\.[a-z0-9-]+)\s*\[",
    r"(?i)connect to\s+([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\s*\[",
    // "mx.example.net [192.0.2.1] did not like our RCPT TO:" (DragonFly, qmail-like reports):
    // at the start of the text or of a word.
    r"(?i)(?:^|\s)([a-z0-9][a-z0-9.-]*\.[a-z0-9-]+)\s*\[[0-9a-f.:]+\]\s*(?:did not like|does not like)",
    r"(?i)(?:remote server at|server at|generating server:)\s+([a-z0-9][a-z0-9.-]*\.[a-z]{2,})",
    r"(?i)^\s*([0-9]{1,3}(?:\.[0-9]{1,3}){3})\s+(?:does not like|failed after)",
    r"(?i)Giving up on ([0-9]{1,3}(?:\.[0-9]{1,3}){3})",
    // Gmail: "rejected by the server for the recipient domain example.jp by mx.example.jp.
    // [192.0.2.1]": the host written with its root dot, then its address.
    r"(?i)\bby\s+([a-z0-9][a-z0-9.-]*\.[a-z0-9-]+)\.\s*\[",
];

/// Every expression above with the name of its DFA pair in `OUT_DIR` (`<name>.fwd.dfa`,
/// `<name>.rev.dfa`).
pub(crate) const FIND_PATTERNS: [(&str, &str); 14] = [
    ("recipient_phrase", RECIPIENT_PHRASE),
    ("continuation", CONTINUATION),
    ("remote_reply", REMOTE_REPLY),
    ("next_reply", NEXT_REPLY),
    ("status", STATUS),
    ("reply", REPLY),
    ("reply_status", REPLY_STATUS),
    ("rhost0", RHOST[0]),
    ("rhost1", RHOST[1]),
    ("rhost2", RHOST[2]),
    ("rhost3", RHOST[3]),
    ("rhost4", RHOST[4]),
    ("rhost5", RHOST[5]),
    ("rhost6", RHOST[6]),
];
