//! Reason classification: the diagnostic text first (patterns in
//! `crates/core/data/bounce-reasons.toml`, first match wins), then the RFC 3463 enhanced
//! status code, then the SMTP command and reply code.

use std::sync::LazyLock;

use super::built::{Aligned, built_dfa};
use super::prefilter::{BuiltIndex, PatternSets};
use serde::Deserialize;

/// The pattern file (`build.rs` reads it too).
const PATTERNS: &str = include_str!("../../../data/bounce-reasons.toml");

/// The pattern file as [`check_patterns`] and the tests read it (the decoder reads what
/// `build.rs` made of it).
#[derive(Deserialize)]
struct File {
    /// Hosts (domain suffixes) of providers that check the mailbox after DATA.
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    after_data_directories: Vec<String>,
    reason: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    /// A match is the answer whatever the SMTP dialogue says (see [`TextReason::is_final`]).
    #[serde(default, rename = "final")]
    #[cfg_attr(not(test), allow(dead_code))]
    is_final: bool,
    patterns: Vec<String>,
}

struct Compiled {
    /// Each reason's name and whether its patterns are final, in file order.
    reasons: &'static [(&'static str, bool)],
    /// Their patterns, one set per reason in the same order.
    sets: PatternSets,
    after_data_directories: &'static [&'static str],
}

/// The reason that some text names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextReason {
    /// One of the taxonomy's reasons.
    pub reason: &'static str,
    /// The pattern is one marked `final` in the pattern file: the text comes from the
    /// authority on the question (the recipient directory), so the SMTP context does not
    /// turn it into another reason.
    pub is_final: bool,
}

/// The pattern file as `build.rs` read it: the reasons, the index of their patterns and
/// the hosts that check mailboxes after DATA (`OUT_DIR/reason_index.rs`).
mod built_index {
    include!(concat!(env!("OUT_DIR"), "/reason_index.rs"));
}

/// The patterns that run, each compiled by `build.rs` to a DFA of its own.
static PATTERN_DFAS: &Aligned<[u8]> = built_dfa!("reason_patterns.dfa");

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    // Patterns are written in lower case and matched against lower-cased text:
    // case-sensitive automata are several times smaller and faster than case-folding ones.
    // A pattern's DFA is read when a text first contains one of its literals (see
    // `prefilter`).
    Compiled {
        sets: PatternSets::built(&BuiltIndex {
            patterns: built_index::PATTERNS,
            literals: built_index::LITERALS,
            anchors: built_index::ANCHORS,
            by_literal: built_index::BY_LITERAL,
            always: built_index::ALWAYS,
            dfas: PATTERN_DFAS,
        }),
        reasons: built_index::REASONS,
        after_data_directories: built_index::AFTER_DATA_DIRECTORIES,
    }
});

/// The pattern file's reasons as ordered sets of patterns, word boundaries made ASCII.
#[cfg(test)]
fn pattern_sets(file: &File) -> Vec<Vec<String>> {
    file.reason
        .iter()
        .map(|e| {
            e.patterns
                .iter()
                .map(|p| crate::feeds::bounce::text::ascii_word_boundaries(p))
                .collect()
        })
        .collect()
}

/// Whether `rhost` (a host name, maybe followed by an address) belongs to a provider that
/// checks the mailbox after DATA, so its "user unknown" there is the directory's answer.
pub(crate) fn checks_mailbox_after_data(rhost: &str) -> bool {
    let host = rhost
        .split([' ', '[', '('])
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    !host.is_empty()
        && COMPILED.after_data_directories.iter().any(|suffix| {
            host == *suffix
                || host
                    .strip_suffix(suffix)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
}

/// Checks the pattern file: every reason compiles and names a reason of the taxonomy.
pub fn check_patterns() -> Result<usize, String> {
    let file: File = toml::from_str(PATTERNS).map_err(|e| e.to_string())?;
    let mut count = 0;
    for e in &file.reason {
        if !crate::feeds::record::REASONS.contains(&e.name.as_str()) {
            return Err(format!("unknown reason {}", e.name));
        }
        for p in &e.patterns {
            regex::RegexBuilder::new(p)
                .build()
                .map_err(|err| format!("{}: {p}: {err}", e.name))?;
            // Matched against lower-cased text: an upper-case letter outside an escape
            // (\S, \d, \b …) could never match.
            let mut chars = p.chars();
            while let Some(ch) = chars.next() {
                if ch == '\\' {
                    chars.next();
                } else if ch.is_ascii_uppercase() {
                    return Err(format!("{}: {p}: upper-case letter in a pattern", e.name));
                }
            }
            count += 1;
        }
    }
    Ok(count)
}

/// The reason the text names, if any pattern matches.
pub(crate) fn from_text(text: &str) -> Option<&'static str> {
    text_reason(text).map(|t| t.reason)
}

/// The reason the text names and whether it is final, if any pattern matches.
pub(crate) fn text_reason(text: &str) -> Option<TextReason> {
    Scan::new(text).reason_in(0..text.len())
}

/// A text read once for the patterns' literals, so that several parts of it (the remote
/// server's reply, then the whole) are classified without reading it again.
pub(crate) struct Scan<'a> {
    lower: std::borrow::Cow<'a, str>,
    hits: Vec<super::prefilter::Hit>,
}

impl<'a> Scan<'a> {
    /// Patterns are written in lower case: the text is lower-cased (ASCII, so byte offsets
    /// stay those of `text`) and its literals found.
    pub(crate) fn new(text: &'a str) -> Self {
        let lower = super::text::ascii_lower(text);
        let hits = if lower.is_empty() {
            Vec::new()
        } else {
            COMPILED.sets.hits(&lower)
        };
        Scan { lower, hits }
    }

    /// The text, ASCII-lower-cased (byte offsets are those of the original).
    pub(crate) fn lower(&self) -> &str {
        &self.lower
    }

    /// The reason `text[range]` names (byte offsets into the text given to [`Scan::new`]).
    pub(crate) fn reason_in(&self, range: std::ops::Range<usize>) -> Option<TextReason> {
        if range.is_empty() {
            return None;
        }
        COMPILED
            .sets
            .first_match_in(&self.lower, &self.hits, range)
            .and_then(|i| COMPILED.reasons.get(i))
            .map(|&(reason, is_final)| TextReason { reason, is_final })
    }
}

/// RFC 3463 §3 (and the registered codes of RFC 5248 / RFC 7372 / RFC 7505 / RFC 8689) →
/// reason, for the codes specific enough to decide on their own.
pub(crate) fn from_status(status: &str) -> Option<&'static str> {
    let mut it = status.split('.');
    let (class, subject, detail) = (it.next()?, it.next()?, it.next()?);
    if class == "2" {
        return Some("delivered");
    }
    let reason = match (subject, detail) {
        ("1", "1") => "userunknown",           // Bad destination mailbox address
        ("1", "2") => "hostunknown",           // Bad destination system address
        ("1", "3") => "userunknown",           // Bad destination mailbox address syntax
        ("1", "4") => "userunknown",           // Destination mailbox address ambiguous
        ("1", "6") => "hasmoved",              // Destination mailbox has moved
        ("1", "7") | ("1", "8") => "rejected", // Bad sender's mailbox / system address
        ("1", "10") => "notaccept",            // RFC 7505 null MX
        ("2", "1") => "suspend",               // Mailbox disabled, not accepting messages
        ("2", "2") => "mailboxfull",           // Mailbox full
        ("2", "3") => "exceedlimit",           // Message length exceeds administrative limit
        ("2", "4") => "systemerror",           // Mailing list expansion problem
        ("3", "1") => "systemfull",            // Mail system full
        ("3", "2") => "notaccept",             // System not accepting network messages
        ("3", "3") => "systemerror",           // System not capable of selected features
        ("3", "4") => "mesgtoobig",            // Message too big for system
        ("3", "5") => "systemerror",           // System incorrectly configured
        ("4", "1") | ("4", "2") | ("4", "3") => "networkerror",
        ("4", "4") => "hostunknown",  // Unable to route
        ("4", "5") => "systemfull",   // Mail system congestion
        ("4", "6") => "networkerror", // Routing loop detected
        ("4", "7") => "expired",      // Delivery time expired
        ("5", "3") => "toomanyconn",  // Too many recipients (counted with connections)
        ("5", _) => "syntaxerror",
        ("6", _) => "contenterror",
        ("7", "1") => "securityerror", // Delivery not authorized, message refused
        ("7", "2") | ("7", "3") | ("7", "4") | ("7", "5") | ("7", "6") | ("7", "7") => {
            "securityerror"
        }
        ("7", "8") => "securityerror", // RFC 4954 authentication credentials invalid
        ("7", "9") => "securityerror", // RFC 4954: authentication mechanism is too weak
        ("7", "13") => "suspend",      // RFC 5248 user account disabled
        ("7", "14") => "securityerror", // trust relationship required
        ("7", "17") | ("7", "18") | ("7", "19") => "suspend",
        ("7", "20") | ("7", "21") | ("7", "22") | ("7", "23") | ("7", "24") | ("7", "26") => {
            "authfailure" // RFC 7372
        }
        ("7", "25") => "requireptr", // RFC 7372 reverse DNS validation failed
        ("7", "27") => "notaccept",  // RFC 7505 sender address has null MX
        ("7", "30") => "failedstarttls", // RFC 8689 REQUIRETLS support required
        // Microsoft's Exchange Online codes.
        ("7", "509") | ("7", "510") => "authfailure",
        ("7", d) if (606..=649).contains(&d.parse::<u32>().unwrap_or(0)) => "blocked",
        ("7", "515") => "securityerror",
        ("7", "57") => "securityerror", // client not authenticated to send (SMTP AUTH)
        ("1", "351") => "filtered",
        _ => return None,
    };
    Some(reason)
}

/// Whatever the command and reply code still say when text and status did not decide.
pub(crate) fn from_context(command: &str, replycode: &str, action: &str) -> &'static str {
    if action == "delayed" || replycode.starts_with('4') {
        return "expired";
    }
    match command {
        "HELO" | "EHLO" | "CONN" => "blocked",
        "MAIL" => "rejected",
        "RCPT" if replycode == "550" || replycode == "553" => "userunknown",
        "DATA" => "filtered",
        // Nothing to go on (no words, no code, no command): say so rather than guess.
        _ => "undefined",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_file_is_valid() {
        assert!(check_patterns().expect("patterns") > 100);
    }

    #[test]
    fn the_index_answers_as_every_pattern_run_in_order() {
        // Texts made of the patterns' own words (so that most patterns are near a match,
        // exact phrases and their variants included), joined at random.
        let sets = pattern_sets(&toml::from_str(PATTERNS).expect("pattern file"));
        let regexes: Vec<Vec<regex::Regex>> = sets
            .iter()
            .map(|s| {
                s.iter()
                    .map(|p| regex::Regex::new(p).expect("compiles"))
                    .collect()
            })
            .collect();
        let naive = |t: &str| sets_first_match(&regexes, t);
        let words: Vec<&str> = sets
            .iter()
            .flatten()
            .flat_map(|p| p.split([' ', '(', ')', '|', '?']))
            .filter(|w| !w.is_empty() && !w.contains('\\'))
            .collect();
        let mut next = crate::feeds::bounce::test_numbers(0x0dd_ba11);
        let mut tried = 0;
        for _ in 0..20_000 {
            let n = 1 + (next() % 6) as usize;
            let text = (0..n)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ");
            let scan = Scan::new(&text);
            let got = COMPILED
                .sets
                .first_match_in(scan.lower(), &scan.hits, 0..text.len());
            assert_eq!(got, naive(&text), "{text:?}");
            tried += usize::from(got.is_some());
        }
        // The texts do reach the patterns.
        assert!(tried > 1_000, "{tried}");
    }

    #[test]
    fn the_index_built_with_the_crate_is_the_one_worked_out_now() {
        let file: File = toml::from_str(PATTERNS).expect("pattern file");
        let plan = super::super::pattern_literals::plan_index(&pattern_sets(&file));
        let built = built_index::PATTERNS
            .iter()
            .map(|&(set, exact, _, _)| (set as usize, exact))
            .collect::<Vec<_>>();
        assert_eq!(built, plan.patterns);
        assert_eq!(built_index::LITERALS, plan.literals);
        assert_eq!(built_index::BY_LITERAL, plan.by_literal);
        assert_eq!(built_index::ALWAYS, plan.always);
        assert_eq!(
            built_index::ANCHORS,
            super::super::pattern_literals::anchor_offsets(&plan.literals)
        );
        let reasons: Vec<(&str, bool)> = file
            .reason
            .iter()
            .map(|e| (e.name.as_str(), e.is_final))
            .collect();
        assert_eq!(built_index::REASONS, reasons);
        assert_eq!(
            built_index::AFTER_DATA_DIRECTORIES,
            file.after_data_directories
        );
        // Every pattern that runs has a DFA, and each reads back.
        let mut read = 0;
        for &(_, exact, start, end) in built_index::PATTERNS {
            assert_eq!(exact, start == end);
            if !exact {
                let bytes = &PATTERN_DFAS.bytes[start as usize..end as usize];
                assert!(super::super::built::read_dfa(bytes).is_some());
                read += 1;
            }
        }
        assert!(read > 30, "{read}");
        assert!(COMPILED.sets.has_literal_scan());
    }

    #[test]
    fn every_pattern_gets_the_literals_its_syntax_tree_gives() {
        let file: File = toml::from_str(PATTERNS).expect("pattern file");
        let mut plain = 0;
        for p in pattern_sets(&file).iter().flatten() {
            let (fast, parsed) = super::super::pattern_literals::literals_both_ways(p);
            assert_eq!(fast, parsed, "{p}");
            plain += usize::from(regex_syntax::escape(p) == *p);
        }
        assert!(plain > 300, "{plain}");
    }

    fn sets_first_match(regexes: &[Vec<regex::Regex>], t: &str) -> Option<usize> {
        regexes.iter().position(|s| s.iter().any(|r| r.is_match(t)))
    }

    #[test]
    fn specific_beats_generic() {
        assert_eq!(
            from_text("550 5.7.1 rejected due to example.org's DMARC policy"),
            Some("authfailure")
        );
        assert_eq!(from_text("552 5.2.2 Mailbox full"), Some("mailboxfull"));
        assert_eq!(
            from_text("550 5.1.1 <a@b>... User Unknown"),
            Some("userunknown")
        );
        assert_eq!(from_status("5.1.10"), Some("notaccept"));
        assert_eq!(from_status("4.7.25"), Some("requireptr"));
        // RFC 5321 551 "User not local" is a moved user; the words alone are not.
        assert_eq!(from_text("551 not our customer"), Some("hasmoved"));
        assert_eq!(from_text("550 5.1.1 <a@b> Not our Customer"), None);
        // A spam verdict, not a word that starts with one ("sender is spammer").
        assert_eq!(from_text("554 this message is spam"), Some("spamdetected"));
        assert_ne!(from_text("550 sender is spammer"), Some("spamdetected"));
    }
}
