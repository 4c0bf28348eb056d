// The wording that tells which SMTP command a bounce's error answered. build.rs includes
// this file too and compiles both lists to full DFAs (see `text::command`), so it holds
// items only (no inner attributes or `//!` comments) and nothing but the standard library.

/// Phrases that name the command outright ("in reply to end of DATA command", "after RCPT
/// TO:", sendmail's ">>> MAIL From:", qmail's "[RCPT_TO]"), each with the command. Matched
/// ASCII case-insensitively, `\b` an ASCII word boundary (see [`dfa_pattern`]).
pub(crate) const COMMAND_WORDS: &[(&str, &str)] = &[
    (
        r"end of data|after data|reply to data|final data|failed after i sent the message|after sending the message|end of message|smtp command:? data\b",
        "DATA",
    ),
    // m-FILTER heads the command it was answering with "SMTP command".
    (
        r"rcpt to|\[rcpt_to\]|rcpt command|\bsmtp:rcpt\b|smtp command:? rcpt\b",
        "RCPT",
    ),
    // The command, not prose: "after MAIL FROM:<a@b>", "in reply to MAIL FROM command", "the
    // MAIL FROM domain" name it; "email from …", "not accepting mail from …" do not.
    (
        r"\bmail from ?[:<]|\bmail from (command|address|domain)\b|(reply to|after) mail from\b|\[mail_from\]|\bmail command\b",
        "MAIL",
    ),
    (
        r"my name was rejected|\bhelo\b|\behlo\b|refused to talk to me|greeting",
        "HELO",
    ),
    (
        r"initial connection|connected to .* but|while connecting|connect to",
        "CONN",
    ),
];

/// Wording that only implies the command (Postfix's "Recipient address rejected" is usually,
/// not always, the RCPT answer): used when nothing names it.
pub(crate) const IMPLIED_COMMAND_WORDS: &[(&str, &str)] = &[
    (
        r"does not like recipient|rejected recipient|recipient address rejected",
        "RCPT",
    ),
    // Sendmail's answer to RCPT names the address: "550 <a@b>... User unknown" (with an
    // enhanced status code, the code speaks for itself).
    (
        r"\b[45][0-9][0-9] <?[^\s<>@]+@[^\s<>]+?>?\.\.\. (?:user unknown|no such user)",
        "RCPT",
    ),
    (r"sender was rejected|sender address rejected", "MAIL"),
];

/// `pattern` with each `\b` made an ASCII word boundary (`(?-u:\b)`). Here, not in `text.rs`
/// which uses it for every expression, because build.rs needs it too.
pub(crate) fn ascii_word_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

/// One entry's expression as it is compiled: case-insensitive, and its word boundaries ASCII
/// ones (a Unicode `\b` cannot be compiled to a full DFA).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn dfa_pattern(words: &str) -> String {
    format!("(?i){}", ascii_word_boundaries(words))
}
