//! Reading the human-readable part of a bounce: where the error text ends and the returned
//! message begins, which lines name a failed recipient, and the status code, reply code,
//! SMTP command and remote host inside a piece of error text.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use regex_automata::dfa::Automaton;
use regex_automata::dfa::dense::DFA;
use regex_automata::dfa::regex::Regex as DfaRegex;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};

use super::built::{Aligned, built_dfa, read_dfa};
pub(crate) use super::command_words::ascii_word_boundaries;
use super::command_words::{COMMAND_WORDS, IMPLIED_COMMAND_WORDS};
use super::line_patterns::START_FIELDS;

fn re(pattern: &str) -> Regex {
    // The patterns below are constants checked by the unit tests. Word boundaries are ASCII
    // ones: a Unicode `\b` makes the regex engine leave its fast DFA for non-ASCII text.
    Regex::new(&ascii_word_boundaries(pattern))
        .unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()))
}

/// Where the lines of `bytes` lie, line ends included, like `split_inclusive(b'\n')` but
/// found with the SIMD `memchr` (the standard library's per-call search was a tenth of a run).
fn line_spans(bytes: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let rest = bytes.get(start..).filter(|r| !r.is_empty())?;
        let end = start + memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let line = start..end;
        start = end;
        Some(line)
    })
}

/// The lines of `text` with their line ends, like `str::split_inclusive('\n')`.
pub(crate) fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    // '\n' is ASCII: every index after it is a character boundary.
    line_spans(text.as_bytes()).filter_map(move |r| text.get(r))
}

/// The lines of `bytes` with their line ends (a header section, before any decoding).
pub(crate) fn byte_lines_inclusive(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    line_spans(bytes).filter_map(move |r| bytes.get(r))
}

/// The lines of `text` without their line ends ("\n" or "\r\n"), like `str::lines`.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    lines_inclusive(text).map(|l| match l.strip_suffix('\n') {
        Some(l) => l.strip_suffix('\r').unwrap_or(l),
        None => l,
    })
}

/// `text` split at the first `byte` (an ASCII character), as `str::split_once` splits it:
/// found by the vectorized `memchr` rather than the standard library's word-at-a-time search.
pub(crate) fn split_once_ascii(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = memchr::memchr(byte, text.as_bytes())?;
    // An ASCII byte in UTF-8 is always a whole character: both sides are on boundaries.
    Some((&text[..at], &text[at + 1..]))
}

/// `bytes` as text, each invalid UTF-8 sequence replaced by U+FFFD; borrowed when valid.
/// Like `String::from_utf8_lossy`, which checks byte by byte; valid text (nearly all of
/// it) goes through `str::from_utf8` first, which reads ASCII a word at a time.
pub(crate) fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:"[^"\r\n]+"|[a-z0-9!#$%&'*+/=?^_`{|}~.-]+|=\?[^?\s]+\?[bq]\?[^?\s]+\?=)@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}\b"#,
    )
});

/// Every e-mail address in `text`, lower-cased, in order, duplicates kept.
pub(crate) fn addresses(text: &str) -> Vec<String> {
    ADDRESS
        .find_iter(text)
        .map(|m| m.as_str().trim_matches('.').to_ascii_lowercase())
        .collect()
}

/// The one address a recipient field holds ("<a@b.example>", "a@b.example", "a@mailhub0"),
/// lower-cased.
pub(crate) fn mailbox(value: &str) -> Option<String> {
    if let Some(a) = addresses(value).into_iter().next() {
        return Some(a);
    }
    let v = value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let (local, host) = v.rsplit_once('@')?;
    let plain = |s: &str, extra: &[char]| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || extra.contains(&c))
    };
    (plain(local, &['.', '_', '+', '=']) && plain(host, &[])).then(|| v.to_ascii_lowercase())
}

/// Whether `addr` is the mail system's own (the postmaster, the mailer daemon): the senders
/// of bounces, unlike other automated senders ("noreply").
pub(crate) fn is_mail_system(addr: &str) -> bool {
    is_system_address(addr)
        && !matches!(
            addr.split('@').next(),
            Some("no-reply" | "noreply" | "root" | "abuse")
        )
}

/// Local parts that are taken for the report's own senders, never the failed recipient (a
/// bounce for root@ or abuse@ of a customer's list would be missed; the corpus shows these
/// names in report text far more often than as recipients).
pub(crate) fn is_system_address(addr: &str) -> bool {
    let local = addr.split('@').next().unwrap_or("");
    matches!(
        local,
        "postmaster"
            | "post_master"
            | "mailer-daemon"
            | "mailerdaemon"
            | "mail-daemon"
            | "maildaemon"
            | "root"
            | "no-reply"
            | "noreply"
            | "abuse"
    ) || local.starts_with("mailer-daemon")
}

/// The forward and reverse DFAs `build.rs` wrote for the search expression `name` of
/// `text_patterns.rs`, as a [`FindDfa`].
macro_rules! built_find {
    ($name:literal) => {{
        static FWD: &Aligned<[u8]> = built_dfa!($name, ".fwd.dfa");
        static REV: &Aligned<[u8]> = built_dfa!($name, ".rev.dfa");
        LazyLock::new(|| FindDfa::new(FWD, REV, $name))
    }};
}

/// One of the search expressions of `text_patterns.rs`, compiled by `build.rs` to a forward
/// DFA (where a match ends) and a reverse one (where it starts), paired as
/// `regex_automata::dfa::regex` pairs them: it finds the matches the regex finds
/// (leftmost-first), with nothing to compile at start-up and no search states for each
/// thread to build.
pub(crate) struct FindDfa {
    re: Option<DfaRegex<DFA<&'static [u32]>>>,
}

impl FindDfa {
    fn new(fwd: &'static Aligned<[u8]>, rev: &'static Aligned<[u8]>, name: &str) -> Self {
        FindDfa {
            re: read_dfa(&fwd.bytes)
                .zip(read_dfa(&rev.bytes))
                .map(|(mut fwd, rev)| {
                    fwd.set_prefilter(prefilter(name));
                    DfaRegex::builder().build_from_dfas(fwd, rev)
                }),
        }
    }

    /// The first match in `text` that starts at `start` or later (the text before it is
    /// context, as for `Regex::find_at`).
    pub(crate) fn find_at(&self, text: &str, start: usize) -> Option<std::ops::Range<usize>> {
        let re = self.re.as_ref()?;
        if start > text.len() {
            return None;
        }
        // No quit bytes are configured and every search is unanchored: it cannot fail.
        let m = re.try_search(&Input::new(text).range(start..)).ok()??;
        Some(m.range())
    }

    /// The first match in `text`.
    pub(crate) fn find(&self, text: &str) -> Option<std::ops::Range<usize>> {
        self.find_at(text, 0)
    }

    /// Every match in `text`, left to right, none overlapping (no expression matches the
    /// empty string: a unit test checks it).
    pub(crate) fn find_iter<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        let mut at = 0;
        std::iter::from_fn(move || {
            let m = self.find_at(text, at)?;
            at = m.end.max(at + 1);
            Some(m)
        })
    }
}

/// The literals every match of each unanchored DFA starts with (`OUT_DIR/prefixes.rs`).
mod built_prefixes {
    include!(concat!(env!("OUT_DIR"), "/prefixes.rs"));
}

/// The prefilter the regex engine would give the DFA `name`'s expression (`build.rs` works
/// its literals out; a prefilter is not serialized with a DFA): a search skips to where a
/// match may start instead of reading every byte. Only a fast one (a vectorized search for
/// a few literals) is kept.
fn prefilter(name: &str) -> Option<Prefilter> {
    let (_, literals) = built_prefixes::PREFIXES.iter().find(|(n, _)| *n == name)?;
    Prefilter::new(MatchKind::LeftmostFirst, (*literals)?).filter(Prefilter::is_fast)
}

/// Lines that announce the copy of the returned message (the error text ends above them).
static BOUNDARY: LazyLock<LineDfa> = LazyLock::new(|| LineDfa::new(BOUNDARY_DFA));
/// A header field of the returned message.
static HEADER_LINE: LazyLock<LineDfa> = LazyLock::new(|| LineDfa::new(HEADER_LINE_DFA));
/// A field that opens the returned message's header block.
static START_HEADER: LazyLock<LineDfa> = LazyLock::new(|| LineDfa::new(START_HEADER_DFA));

static BOUNDARY_DFA: &Aligned<[u8]> = built_dfa!("boundary.dfa");
static HEADER_LINE_DFA: &Aligned<[u8]> = built_dfa!("header_line.dfa");
static START_HEADER_DFA: &Aligned<[u8]> = built_dfa!("start_header.dfa");

/// One of the line expressions of `line_patterns.rs`, compiled to a full DFA by `build.rs`
/// (anchored at the line's start, as each expression is): tested on most lines of every
/// report, so its search states are built once with the crate instead of in every thread.
struct LineDfa {
    dfa: Option<DFA<&'static [u32]>>,
}

impl LineDfa {
    fn new(serialized: &'static Aligned<[u8]>) -> Self {
        LineDfa {
            dfa: read_dfa(&serialized.bytes),
        }
    }

    fn is_match(&self, line: &str) -> bool {
        self.dfa.as_ref().is_some_and(|dfa| {
            let input = Input::new(line).anchored(Anchored::Yes).earliest(true);
            matches!(dfa.try_search_fwd(&input), Ok(Some(_)))
        })
    }
}

/// Whether `line` may open the returned message's header block: a cheap test of its first
/// letter before the anchored [`START_HEADER`].
fn may_start_header(line: &str) -> bool {
    line.as_bytes().first().is_some_and(|b| {
        START_FIELDS
            .iter()
            .any(|f| f.as_bytes()[0] == b.to_ascii_lowercase())
    }) && memchr::memchr(b':', line.as_bytes()).is_some()
}

/// Byte offset where the error text of `text` ends: the first boundary marker line, or the
/// first block of header lines that starts with a trace or identity field.
pub(crate) fn error_block(text: &str) -> &str {
    let mut offset = 0usize;
    for (i, line) in lines_inclusive(text).enumerate() {
        let end = offset + line.len();
        let trimmed = line.trim_end();
        if i > 0
            && !trimmed.is_empty()
            && trimmed.len() < 90
            // (An automaton gate on the words every boundary names cost more per line than
            // the anchored regex, which fails within the first bytes of most lines.)
            && BOUNDARY.is_match(trimmed)
        {
            return &text[..offset];
        }
        if may_start_header(trimmed) && START_HEADER.is_match(trimmed) {
            // The lines below, read again only here (no list of every line is kept). A
            // header section holds no empty line (RFC 5322 §2.1): a summary of the returned
            // message with lines apart ("To: a@b", "", "Subject: …", "", "Date: …") is
            // still error text.
            let following = lines_inclusive(&text[end..])
                .take(6)
                .take_while(|l| !l.trim().is_empty())
                .filter(|l| HEADER_LINE.is_match(l) || l.starts_with([' ', '\t']))
                .count();
            if following >= 2 {
                return &text[..offset];
            }
        }
        offset = end;
    }
    text
}

/// The returned message's header block in `rest`, the text after the error block
/// ([`error_block`]) of a plain-text (non-MIME) bounce. A block quoted with an indent (fml's
/// "Original mail as follows:" indents it by three spaces) comes back without the indent.
pub(crate) fn trailing_headers(rest: &str) -> Option<Cow<'_, str>> {
    let (start, indent) = rest
        .split_inclusive('\n')
        .scan(0usize, |pos, l| {
            let at = *pos;
            *pos += l.len();
            Some((at, l))
        })
        .find_map(|(at, l)| {
            let body = l.trim_start_matches(' ');
            let indent = l.len() - body.len();
            (indent <= 8 && HEADER_LINE.is_match(body)).then_some((at, indent))
        })?;
    let block = &rest[start..];
    if indent == 0 {
        return Some(Cow::Borrowed(block));
    }
    let prefix = &block[..indent];
    Some(Cow::Owned(
        block
            .split_inclusive('\n')
            .map(|l| l.strip_prefix(prefix).unwrap_or(l))
            .collect(),
    ))
}

/// The envelope recipients a report lists for the returned message after its error text
/// ("Message details: … MAIL FROM: a@b / RCPT TO: c@d", Verizon's and Apache James' form).
pub(crate) fn listed_envelope_recipients(rest: &str) -> Vec<String> {
    lines(rest)
        .filter_map(|l| {
            let t = l.trim_start();
            let head = t.get(..8)?;
            head.eq_ignore_ascii_case("rcpt to:")
                .then(|| mailbox(&t[8..]))
                .flatten()
        })
        .collect()
}

/// The host after "by" in a Received field (RFC 5321 §4.4: the host that received the
/// message), lower-cased; comments in parentheses are skipped.
pub(crate) fn received_by(value: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut after_by = false;
    for token in value.split_whitespace() {
        // (Byte counts: parentheses are ASCII, and tokens are a few bytes long.)
        let opens = token.bytes().filter(|b| *b == b'(').count();
        let closes = token.bytes().filter(|b| *b == b')').count();
        if depth > 0 || token.starts_with('(') {
            depth = (depth + opens).saturating_sub(closes);
            continue;
        }
        if after_by {
            let host = token
                .trim_end_matches([';', ','])
                .trim_start_matches('[')
                .trim_end_matches(']');
            return (!host.is_empty()).then(|| host.to_ascii_lowercase());
        }
        after_by = token.eq_ignore_ascii_case("by");
    }
    None
}

/// `line` with the address forms other than `a@b` and `<a@b>` that reports write rewritten
/// as `<a@b>`, so that [`super::recipient_line`] reads them: Exchange's and MailEnable's
/// `[SMTP:a@b]`, a bare `[a@b]` ("* [a@b]: 550 …"), and Exchange 5.5's X.400 address with
/// the Internet one inside (`c=US;a= ;p=Org;o=Site;dda:SMTP=a@b; on <date>`, RFC 2156's
/// domain-defined attribute).
pub(crate) fn plain_address_forms(line: &str) -> Cow<'_, str> {
    let bytes = line.as_bytes();
    let x400 = line
        .trim_start()
        .get(..2)
        .is_some_and(|p| p.eq_ignore_ascii_case("c="));
    if memchr::memchr(b'[', bytes).is_none() && !x400 {
        return Cow::Borrowed(line);
    }
    if x400 {
        let lower = line.to_ascii_lowercase();
        if let Some(at) = lower.find("smtp=").map(|i| i + 5) {
            // The attribute runs to the next ';' or the end of the line.
            let end = line[at..].find(';').map_or(line.len(), |n| at + n);
            if ADDRESS.is_match(&line[at..end]) {
                let rest = line[end..].trim_start_matches(';');
                return Cow::Owned(format!("<{}>{rest}", &line[at..end]));
            }
        }
        return Cow::Borrowed(line);
    }
    // Most bracketed text is a host's address ("mx[192.0.2.1]"): nothing to rewrite then.
    let bracketed_address = line.split('[').skip(1).any(|s| {
        s.split_once(']')
            .is_some_and(|(inner, _)| inner.contains('@'))
    });
    if !bracketed_address {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            break;
        };
        let inner = &after[..close];
        let addr = match inner.get(..5) {
            Some(p) if p.eq_ignore_ascii_case("smtp:") => &inner[5..],
            _ => inner,
        };
        out.push_str(&rest[..open]);
        if addr.contains('@') && !addr.contains(char::is_whitespace) && ADDRESS.is_match(addr) {
            out.push('<');
            out.push_str(addr);
            out.push('>');
        } else {
            out.push('[');
            out.push_str(inner);
            out.push(']');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The addresses of the first "To:" line of a summary of the returned message inside error
/// text (at most a few spaces in; a header-style line, not prose).
pub(crate) fn summary_to(block: &str) -> Vec<String> {
    lines(block)
        .find_map(|l| {
            let t = l.trim_start_matches([' ', '\t']);
            let head = t.get(..3)?;
            (l.len() - t.len() <= 8 && head.eq_ignore_ascii_case("to:")).then(|| addresses(&t[3..]))
        })
        .unwrap_or_default()
}

/// `addr` without the single quote it opens with when a quote also follows it (`'a@b'`, as
/// in "addressed to 'a@b',"): a quote may begin a local part (RFC 5322 atext) but never ends a
/// domain, so the pair is quoting, not part of the address.
fn unquoted<'a>(addr: &'a str, after: &str) -> &'a str {
    match addr.strip_prefix('\'') {
        Some(inner) if after.starts_with('\'') => inner,
        _ => addr,
    }
}

/// The address of an angle-addr that opens `rest` (after white space) and is followed by a
/// colon ("<c@d>: …"), with where the text after the `>` starts.
fn angle_addr_after(rest: &str) -> Option<(&str, usize)> {
    let trimmed = rest.trim_start_matches(' ');
    let inner = trimmed.strip_prefix('<')?;
    let close = inner.find('>')?;
    let addr = &inner[..close];
    let after = &inner[close + 1..];
    (after.starts_with(':') && ADDRESS.is_match(addr) && !addr.contains([' ', '<']))
        .then(|| (addr, rest.len() - after.len()))
}

/// Whether `word` is a rule: only dashes, equals signs, asterisks, underscores, '#' or '~'
/// (at least three), with white space around them.
pub(crate) fn is_rule(word: &str) -> bool {
    let t = word.trim();
    t.len() >= 3
        && t.bytes()
            .all(|b| matches!(b, b'-' | b'=' | b'*' | b'_' | b'#' | b'~'))
}

/// `text` without its words that are rules ([`is_rule`]), the others one space apart; as
/// it is (not copied) when it has none.
pub(crate) fn without_rules(text: String) -> String {
    if !text.split(' ').any(is_rule) {
        return text;
    }
    text.split(' ')
        .filter(|w| !w.is_empty() && !is_rule(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A failed recipient found in error text with the lines that belong to it.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub recipient: String,
    pub diagnostic: String,
}

static RECIPIENT_PHRASE: LazyLock<FindDfa> = built_find!("recipient_phrase");

/// [`text_patterns::RECIPIENT_PHRASE`] as a regex, for the groups of the rare match that
/// [`phrase_recipient`] cannot split by itself.
static RECIPIENT_PHRASE_GROUPS: LazyLock<Regex> =
    LazyLock::new(|| re(super::text_patterns::RECIPIENT_PHRASE));

/// The address (the expression's group) of a [`RECIPIENT_PHRASE`] match `m` of `text`.
///
/// The address is the match's last part and holds none of white space, `<>()"`; the part
/// before it ends with one of those (the white space after the phrase, an optional `"` or
/// `<`), except when the optional "the following address(es):" ran into the address with
/// nothing between ("the following addresses:a@b"). So the address is the match's last run
/// without those characters, unless the match holds "following": then the regex says.
fn phrase_recipient(text: &str, m: std::ops::Range<usize>) -> Option<&str> {
    let found = &text[m.clone()];
    let following = |w: &[u8]| w.eq_ignore_ascii_case(b"following");
    if found.as_bytes().windows(9).any(following) {
        let c = RECIPIENT_PHRASE_GROUPS.captures_at(text, m.start)?;
        return c.get(1).map(|g| g.as_str());
    }
    let start = found
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '"'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    Some(&found[start..])
}

/// Failed recipients named in `block` (the error text), each with its own diagnostic lines.
/// `whole` is `block` folded (`fold`), the diagnostic of recipients named in running text.
/// `exclude` holds addresses that cannot be the recipient (the original sender).
pub(crate) fn recipients(block: &str, whole: &str, exclude: &[String]) -> Vec<Found> {
    let lines: Vec<&str> = lines(block).collect();
    let mut starts: Vec<(usize, String, String)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // Cheap test first: a recipient line holds an address.
        if memchr::memchr(b'@', line.as_bytes()).is_none() {
            continue;
        }
        let line = &*plain_address_forms(line);
        if let Some(c) = super::recipient_line::find(line) {
            // "Invalid final delivery userid: a@b" names a recipient; "MAIL FROM: a@b",
            // "From: a@b", "Sender: …" name the sender.
            if let Some(label) = &c.label {
                let label = line[label.clone()].trim().to_ascii_lowercase();
                if label.ends_with("from")
                    || label.contains("sender")
                    || label.contains("reply")
                    || label.contains("return")
                    || label == "cc"
                    || label.ends_with("message-id")
                    || label == "id"
                    || label == "references"
                {
                    continue;
                }
            }
            let mut addr = unquoted(&line[c.addr.clone()], &line[c.addr.end..])
                .trim_matches('.')
                .to_ascii_lowercase();
            let mut rest_at = c.rest;
            // "a@b <c@d>: malformed address" (Exim): in a name-addr the address is the one
            // in angle brackets, what comes before it the display name (RFC 5322 §3.4).
            if let Some((angle, end)) = angle_addr_after(&line[c.rest..]) {
                addr = angle.to_ascii_lowercase();
                rest_at = c.rest + end;
            }
            // A line that names an address on its own is a recipient even when it is also the
            // sender (mail to oneself); `exclude` applies to addresses found in running text,
            // and to a server's reply that names the sender ("550 news@example.org Invalid SPF
            // record": an answer to MAIL FROM, RFC 5321 §3.3).
            if !ADDRESS.is_match(&addr)
                || is_system_address(&addr)
                || (exclude.contains(&addr) && starts_with_reply_code(line))
            {
                continue;
            }
            let rest = &line[rest_at..];
            let rest = if line.trim_start().starts_with(">>>") {
                // A transcript line (">>> RCPT To:<a@b>"): the command is part of the story.
                line.trim().to_string()
            } else {
                rest.trim_start_matches([':', ',', ';', '.', ' '])
                    .to_string()
            };
            starts.push((i, addr, rest));
        }
    }
    if !starts.is_empty() {
        let mut found: Vec<Found> = Vec::new();
        for (n, (i, addr, rest)) in starts.iter().enumerate() {
            let end = starts.get(n + 1).map(|s| s.0).unwrap_or(lines.len());
            // A transcript right above the recipient's line (Sendmail: ">>> MAIL From:<…>",
            // "<<< 501 …", then "554 <rcpt>... Remote protocol error") is its story.
            let mut diag = String::new();
            let above = lines[..*i]
                .iter()
                .rev()
                .take_while(|l| {
                    let t = l.trim_start();
                    t.starts_with(">>>") || t.starts_with("<<<")
                })
                .count();
            for l in &lines[i - above..*i] {
                push_folded(&mut diag, l);
            }
            push_folded(&mut diag, rest);
            for l in &lines[i + 1..end] {
                push_folded(&mut diag, l);
            }
            match found.iter_mut().find(|f| &f.recipient == addr) {
                Some(f) => push_folded(&mut f.diagnostic, &diag),
                None => found.push(Found {
                    recipient: addr.clone(),
                    diagnostic: diag,
                }),
            }
        }
        // The text before the first recipient often carries the verdict ("mailbox full",
        // "account disabled") when the lines after it carry only the address.
        return found;
    }
    let mut found: Vec<Found> = Vec::new();
    // Addresses inside the remote server's reply ("… please forward this message to
    // delist@…", "Recipient x@y not found") are its words, not more failed recipients, once
    // the report has named one.
    // Looked for only when a second address turns up (most reports name one).
    let mut reply_at: Option<usize> = None;
    for m in RECIPIENT_PHRASE.find_iter(block) {
        if !found.is_empty()
            && m.start
                >= *reply_at.get_or_insert_with(|| {
                    remote_reply(&ascii_lower(block)).map_or(usize::MAX, |r| r.start)
                })
        {
            break;
        }
        let Some(addr) = phrase_recipient(block, m.clone()) else {
            continue;
        };
        let addr = unquoted(addr, &block[m.end..])
            .trim_matches('.')
            .to_ascii_lowercase();
        if is_system_address(&addr) || exclude.contains(&addr) || !ADDRESS.is_match(&addr) {
            continue;
        }
        if !found.iter().any(|f| f.recipient == addr) {
            found.push(Found {
                recipient: addr,
                diagnostic: whole.to_string(),
            });
        }
    }
    found
}

/// The line opens with an SMTP reply code (RFC 5321 §4.2: three digits, then a space, a
/// hyphen or the end).
fn starts_with_reply_code(line: &str) -> bool {
    let b = line.trim_start().as_bytes();
    b.len() >= 3
        && matches!(b[0], b'2'..=b'5')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b.get(3).is_none_or(|c| matches!(c, b' ' | b'-' | b'\t'))
}

/// Whether `text` holds a header check that a content filter (amavis) writes below its
/// excerpt of the returned header: "Duplicate header field: "From"", "Missing required header
/// field: "Date"", "Non-encoded 8-bit data (char E9 hex) in message header 'Subject'",
/// "Improper use of control character (char 0D hex) in message header 'Subject'".
pub(crate) fn names_bad_header(text: &str) -> bool {
    fn starts_with_ignoring_case(line: &str, prefix: &str) -> bool {
        line.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    }
    // Every such line says "header": most reports are passed over with one search.
    if memchr::memmem::find(text.as_bytes(), b"header").is_none() {
        return false;
    }
    lines(text).any(|l| {
        let l = l.trim_start();
        starts_with_ignoring_case(l, "duplicate header field")
            || starts_with_ignoring_case(l, "missing required header field")
            || (l.contains("in message header")
                && (starts_with_ignoring_case(l, "non-encoded 8-bit data")
                    || starts_with_ignoring_case(l, "improper use of control character")
                    || starts_with_ignoring_case(l, "improper folding")))
    })
}

/// White space as `char::is_whitespace` (and so `str::split_whitespace` and the regex `\s`)
/// has it among ASCII bytes: tab, line feed, vertical tab, form feed, carriage return, space.
pub(crate) fn is_ascii_white_space(b: u8) -> bool {
    static SPACE: [bool; 256] = {
        let mut t = [false; 256];
        t[b' ' as usize] = true;
        t[b'\t' as usize] = true;
        t[b'\n' as usize] = true;
        t[b'\r' as usize] = true;
        t[0x0b] = true;
        t[0x0c] = true;
        t
    };
    SPACE[b as usize]
}

/// Folds whitespace and appends `line` to `out`.
pub(crate) fn push_folded(out: &mut String, line: &str) {
    if line.is_ascii() {
        // The common case without decoding characters: the same words `split_whitespace`
        // finds (its ASCII white space includes the vertical tab). Every byte is ASCII, so
        // every index is a character boundary and the words are sliced, not re-validated.
        let is_space = is_ascii_white_space;
        let bytes = line.as_bytes();
        // Most lines are words one plain space apart between some leading and trailing
        // white space: found in two branch-free passes (tab … carriage return are 9..=13)
        // and copied whole.
        let Some(first) = bytes.iter().position(|b| !is_space(*b)) else {
            return;
        };
        let last = bytes.iter().rposition(|b| !is_space(*b)).unwrap_or(first) + 1;
        let core = &bytes[first..last];
        let control = core
            .iter()
            .fold(false, |acc, b| acc | (b.wrapping_sub(b'\t') < 5));
        let double = core
            .iter()
            .zip(&core[1..])
            .fold(false, |acc, (a, b)| acc | ((*a == b' ') & (*b == b' ')));
        if !control && !double {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&line[first..last]);
            return;
        }
        // Words already one plain space apart are copied as one run.
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            while i < n && is_space(bytes[i]) {
                i += 1;
            }
            if i == n {
                break;
            }
            let start = i;
            loop {
                while i < n && !is_space(bytes[i]) {
                    i += 1;
                }
                if i + 1 < n && bytes[i] == b' ' && !is_space(bytes[i + 1]) {
                    i += 1;
                } else {
                    break;
                }
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&line[start..i]);
        }
        return;
    }
    for word in line.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// `text` with all whitespace runs folded to single spaces.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Line by line: the line breaks of a whole text (control characters) keep it from
    // `push_folded`'s fast path, which most of its lines take on their own. The words and
    // the single spaces between them are the same either way.
    for line in lines_inclusive(text) {
        push_folded(&mut out, line);
    }
    out
}

/// Where a reply code followed by a space or a hyphen ("550 ", "451-") starts in `bytes`:
/// the vectorized search for its first digit, then the three bytes after it.
fn reply_code_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr3_iter(b'2', b'4', b'5', bytes).filter(|&i| {
        bytes.get(i + 1..i + 4).is_some_and(|w| {
            w[0].is_ascii_digit() && w[1].is_ascii_digit() && (w[2] == b' ' || w[2] == b'-')
        })
    })
}

static CONTINUATION: LazyLock<FindDfa> = built_find!("continuation");

/// The reply code and the status code after it (trimmed; empty when there is none) of a
/// [`CONTINUATION`] match: the match is one white-space character or none, the code's three
/// digits (the first ASCII digits in it), a `-` or a space, then the status code if any.
fn continuation_codes(m: &str) -> Option<(&str, &str)> {
    let at = m.bytes().position(|b| b.is_ascii_digit())?;
    Some((m.get(at..at + 3)?, m.get(at + 4..).unwrap_or("").trim()))
}

/// A multi-line SMTP reply folded onto one line ("550-5.7.1 Messages with multiple 550-5.7.1
/// addresses …") with the repeated code prefixes after the first removed, so phrases read
/// whole again.
pub(crate) fn join_multiline_reply(text: &str) -> std::borrow::Cow<'_, str> {
    // Nothing to join unless a reply code appears at least twice.
    let codes = reply_code_starts(text.as_bytes()).take(2).count();
    if codes < 2 {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut first: Option<String> = None;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for whole in CONTINUATION.find_iter(text) {
        let Some((code, status)) = continuation_codes(&text[whole.clone()]) else {
            continue;
        };
        let key = format!("{code}{status}");
        match &first {
            None => first = Some(key),
            Some(k) if *k == key => ranges.push((whole.start, whole.end)),
            Some(_) => {}
        }
    }
    if ranges.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in ranges {
        out.push_str(&text[at..start]);
        out.push(' ');
        at = end;
    }
    out.push_str(&text[at..]);
    std::borrow::Cow::Owned(out)
}

static REMOTE_REPLY: LazyLock<FindDfa> = built_find!("remote_reply");

/// The remote server's reply inside a report's wording: the text after the last "said:",
/// "The error that the other server returned was:", "Remote Server returned" …, as a byte
/// range of `lower`, the report's text ASCII-lower-cased (see [`ascii_lower`]; the range is
/// the same in the original).
pub(crate) fn remote_reply(lower: &str) -> Option<std::ops::Range<usize>> {
    let m = REMOTE_REPLY.find_iter(lower).last()?;
    let after = &lower[m.end..];
    let mut rest = after.trim();
    // A sendmail transcript's "<<<" line is one reply: the next reply code starts another
    // line of the transcript.
    if &lower[m.clone()] == "<<<"
        && let Some(next) = NEXT_REPLY.find(rest.get(4..).unwrap_or(""))
    {
        rest = rest[..4 + next.start].trim();
    }
    // qmail-send's own words follow the reply on the next line ("Giving up on 192.0.2.1.",
    // "I'm not going to try again; this message has been in the queue too long."): they say
    // the queue gave up, not why the remote server refused.
    if let Some(at) = rest.find("giving up on ") {
        rest = rest[..at].trim_end();
    }
    if rest.is_empty() {
        return None;
    }
    // `rest` is a trimmed slice of `after`: its offset is the white space trimmed before it.
    let start = m.end + (after.len() - after.trim_start().len());
    Some(start..start + rest.len())
}

static NEXT_REPLY: LazyLock<FindDfa> = built_find!("next_reply");
static STATUS: LazyLock<FindDfa> = built_find!("status");
static REPLY: LazyLock<FindDfa> = built_find!("reply");
static REPLY_STATUS: LazyLock<FindDfa> = built_find!("reply_status");

/// The first RFC 3463 status code in `text` (`5.1.1`).
///
/// The regexes find where a code is (a fast DFA scan); the code itself is read from the
/// match by hand: a capture-group search costs several times more per match.
pub(crate) fn status(text: &str) -> Option<String> {
    STATUS
        .find_iter(text)
        .filter_map(|m| status_in(&text[m]))
        .find(|s| s.len() <= 9)
}

/// The `d.ddd.ddd` code inside a [`STATUS`] match (which may start with one non-digit).
fn status_in(m: &str) -> Option<String> {
    let start = m.find(|c: char| c.is_ascii_digit())?;
    let rest = &m[start..];
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let class = &rest[..1];
    let rest = rest.get(2..)?;
    let n = digits(rest);
    let subject = &rest[..n];
    let rest = rest.get(n + 1..)?;
    let detail = &rest[..digits(rest)];
    Some(format!("{class}.{subject}.{detail}"))
}

/// The first SMTP reply code in `text` (`550`), preferring one followed by a status code.
pub(crate) fn reply_code(text: &str) -> Option<String> {
    // REPLY_STATUS: the code, separators, an optional '#', then the status's class digit.
    if let Some(m) = REPLY_STATUS.find(text) {
        let m = &text[m];
        let start = m.find(|c: char| c.is_ascii_digit())?;
        let code = &m[start..start + 3];
        let class = m[start + 3..]
            .trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == ':')
            .trim_start_matches('#')
            .bytes()
            .next();
        if class == Some(code.as_bytes()[0]) {
            return Some(code.to_string());
        }
    }
    REPLY.find(text).and_then(|m| {
        let m = &text[m];
        let start = m.find(|c: char| c.is_ascii_digit())?;
        m.get(start..start + 3).map(str::to_string)
    })
}

/// The command wording compiled to full DFAs by `build.rs` (from [`COMMAND_WORDS`] and
/// [`IMPLIED_COMMAND_WORDS`]): one search over the text finds the earliest mention (leftmost
/// match; at the same position the earlier entry wins) and which entry it was, its pattern
/// number. Built with the crate, not at start-up, and shared by every thread: the lazy DFA
/// the regex engine builds as it searches cost each worker thread about 13 M instructions
/// of states before it was warm, and the compilation another 2 ms.
struct CommandDfa {
    dfa: Option<DFA<&'static [u32]>>,
    words: &'static [(&'static str, &'static str)],
}

static COMMANDS_DFA: &Aligned<[u8]> = built_dfa!("commands.dfa");
static IMPLIED_COMMANDS_DFA: &Aligned<[u8]> = built_dfa!("implied_commands.dfa");
static ANY_COMMANDS_DFA: &Aligned<[u8]> = built_dfa!("any_commands.dfa");

impl CommandDfa {
    fn new(
        serialized: &'static Aligned<[u8]>,
        words: &'static [(&'static str, &'static str)],
        name: &str,
    ) -> Self {
        let mut dfa = read_dfa(&serialized.bytes);
        if let Some(dfa) = &mut dfa {
            dfa.set_prefilter(prefilter(name));
        }
        CommandDfa { dfa, words }
    }

    fn find(&self, text: &str) -> Option<&'static str> {
        self.find_entry(text)
            .and_then(|i| self.words.get(i))
            .map(|(_, c)| *c)
    }

    /// The number of the entry found first (see [`CommandDfa`]).
    fn find_entry(&self, text: &str) -> Option<usize> {
        let dfa = self.dfa.as_ref()?;
        let m = dfa.try_search_fwd(&Input::new(text)).ok()??;
        Some(m.pattern().as_usize())
    }
}

static COMMANDS: LazyLock<CommandDfa> =
    LazyLock::new(|| CommandDfa::new(COMMANDS_DFA, COMMAND_WORDS, "commands"));
static IMPLIED_COMMANDS: LazyLock<CommandDfa> = LazyLock::new(|| {
    CommandDfa::new(
        IMPLIED_COMMANDS_DFA,
        IMPLIED_COMMAND_WORDS,
        "implied_commands",
    )
});

/// Both lists in one automaton, [`COMMAND_WORDS`]' entries first: its earliest match says
/// whether either list matches at all in one pass over the text.
static ANY_COMMANDS: LazyLock<CommandDfa> =
    LazyLock::new(|| CommandDfa::new(ANY_COMMANDS_DFA, &[], "any_commands"));

/// `text` with ASCII letters lower-cased, borrowed when it has no upper-case letter.
pub(crate) fn ascii_lower(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(text.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The SMTP command the error answered, from the wording around it.
pub(crate) fn command(text: &str) -> Option<&'static str> {
    // The earliest mention wins: "after RCPT TO: … 503 need MAIL" is about RCPT. A wording
    // that names the command outranks one that implies it, wherever they are.
    //
    // One pass of the combined automaton first (most texts name no command at all, and
    // searching each list in turn read them twice): the earliest match of either list.
    // Where it is a named command, it is also the earliest of that list (at one position
    // the named entries come first). Where it implies one, a named command may still come
    // later: only then is the first list searched on its own. And where it implies one,
    // no implying entry starts earlier, so it is also that list's earliest match.
    let named = COMMAND_WORDS.len();
    match ANY_COMMANDS.find_entry(text) {
        Some(i) if i < named => COMMAND_WORDS.get(i).map(|(_, c)| *c),
        Some(i) => COMMANDS
            .find(text)
            .or_else(|| IMPLIED_COMMAND_WORDS.get(i - named).map(|(_, c)| *c)),
        // (No automaton: the lists one by one, as the combined search would answer.)
        None if ANY_COMMANDS.dfa.is_none() => {
            COMMANDS.find(text).or_else(|| IMPLIED_COMMANDS.find(text))
        }
        None => None,
    }
}

/// What an SMTP session transcript in a report shows: Postfix's "errors from" report to the
/// postmaster (` In:` what the client sent, ` Out:` what Postfix answered) or a Sendmail
/// transcript (`>>>` sent, `<<<` answered).
#[derive(Debug, PartialEq)]
pub(crate) struct Transcript {
    /// Addresses of the `RCPT TO:` commands, in order.
    pub recipients: Vec<String>,
    /// The last 4xx/5xx answer (continuation lines joined).
    pub reply: String,
    /// The command that answer was to (RFC 5321 verb, `DATA` for the end of the data).
    pub command: &'static str,
}

/// Reads a session transcript (see [`Transcript`]); `None` without a failed answer.
pub(crate) fn transcript(text: &str) -> Option<Transcript> {
    let mut recipients = Vec::new();
    let mut last_sent = "";
    let mut failure: Option<(String, &'static str)> = None;
    let mut in_reply = false;
    let mut sent_any = false;
    for line in lines(text) {
        let t = line.trim_start();
        let (sent, answer) = if let Some(r) = t.strip_prefix("In:").or(t.strip_prefix(">>>")) {
            (Some(r.trim()), None)
        } else if let Some(r) = t.strip_prefix("Out:").or(t.strip_prefix("<<<")) {
            (None, Some(r.trim()))
        } else {
            // A continuation of the line above (Postfix wraps long commands).
            if in_reply
                && line.starts_with([' ', '\t'])
                && let Some((reply, _)) = failure.as_mut()
            {
                push_folded(reply, t);
            }
            continue;
        };
        in_reply = false;
        if let Some(cmd) = sent {
            last_sent = cmd;
            sent_any = true;
            // By bytes: the line is attacker-controlled and may hold any character there.
            if let Some(rest) = cmd
                .get(..8)
                .filter(|head| head.eq_ignore_ascii_case("rcpt to:"))
                .and(cmd.get(8..))
                .filter(|rest| !rest.is_empty())
            {
                recipients.extend(addresses(rest).into_iter().take(1));
            }
        }
        if let Some(ans) = answer
            && ans.starts_with(['4', '5'])
            && ans.len() >= 3
            && ans.as_bytes()[..3].iter().all(u8::is_ascii_digit)
        {
            let verb = last_sent
                .split([' ', ':'])
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let command = match verb.as_str() {
                "HELO" => "HELO",
                "EHLO" => "EHLO",
                "MAIL" => "MAIL",
                "RCPT" => "RCPT",
                // Nothing sent yet: a 554 or 421 instead of the greeting is a refusal at
                // connection (RFC 5321 §3.1); anything else is an answer to a command the
                // transcript does not show.
                "" if !sent_any && (ans.starts_with("554") || ans.starts_with("421")) => "CONN",
                // After DATA's 354, the answer is to the message itself.
                "DATA" | "BDAT" => "DATA",
                _ => "",
            };
            failure = Some((fold(ans), command));
            in_reply = true;
        }
    }
    let (reply, command) = failure?;
    Some(Transcript {
        recipients,
        reply,
        command,
    })
}

/// The remote-host expressions of [`text_patterns::RHOST`](super::text_patterns::RHOST),
/// in order, each with where its group (the host) lies in a match.
static RHOST: [(LazyLock<FindDfa>, HostAt); 7] = [
    (built_find!("rhost0"), HostAt::BeforeBracket),
    (built_find!("rhost1"), HostAt::BeforeBracket),
    (built_find!("rhost2"), HostAt::First),
    (built_find!("rhost3"), HostAt::Last),
    (built_find!("rhost4"), HostAt::First),
    (built_find!("rhost5"), HostAt::Last),
    (built_find!("rhost6"), HostAt::BeforeBracket),
];

/// Where a remote-host expression's group lies in its match. The host holds neither white
/// space nor `[`; the expressions put it after a keyword and white space, at the end or
/// before white space and `[`, or first after leading white space.
#[derive(Clone, Copy)]
enum HostAt {
    /// "host mx.example.net [": the last word before the closing `[` (without a root dot).
    BeforeBracket,
    /// "Giving up on 192.0.2.1": the last word.
    Last,
    /// "  mx.example.net [192.0.2.1] did not like": the first word.
    First,
}

impl HostAt {
    fn group(self, m: &str) -> Option<&str> {
        fn last_word(s: &str) -> Option<&str> {
            s.rsplit(char::is_whitespace).next()
        }
        match self {
            // A root dot ("mx.example.jp. [") is not part of the name.
            HostAt::BeforeBracket => last_word(m.strip_suffix('[').unwrap_or(m).trim_end())
                .map(|h| h.strip_suffix('.').unwrap_or(h)),
            HostAt::Last => last_word(m),
            HostAt::First => m
                .trim_start()
                .split(|c: char| c.is_whitespace() || c == '[')
                .next(),
        }
    }
}

/// The [`RHOST`] expressions in one DFA that reports every pattern matching anywhere.
static RHOST_ANY: LazyLock<Option<DFA<&'static [u32]>>> =
    LazyLock::new(|| read_dfa(&RHOST_ANY_DFA.bytes));
static RHOST_ANY_DFA: &Aligned<[u8]> = built_dfa!("rhost_any.dfa");

/// The remote host named in the error text: the host of the first expression (in order) that
/// matches.
pub(crate) fn rhost(text: &str) -> Option<String> {
    // Most texts match none: one pass over the text says which match at all (seven searches
    // each read all of it), then only those are searched for their match.
    let mut which = PatternSet::new(RHOST.len());
    let known = RHOST_ANY.as_ref().is_some_and(|dfa| {
        dfa.try_which_overlapping_matches(&Input::new(text), &mut which)
            .is_ok()
    });
    RHOST
        .iter()
        .enumerate()
        .filter(|(i, _)| !known || PatternID::new(*i).is_ok_and(|id| which.contains(id)))
        .find_map(|(_, (dfa, at))| {
            let m = dfa.find(text)?;
            at.group(&text[m]).map(str::to_ascii_lowercase)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_splitting_matches_the_standard_library() {
        for text in [
            "",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\n\n",
            "x\n\ny\r\n\r\nz",
            "é\nü\r\n",
            "a\r",
            "a\rb\r\n\r",
        ] {
            assert_eq!(
                lines_inclusive(text).collect::<Vec<_>>(),
                text.split_inclusive('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
            assert_eq!(
                byte_lines_inclusive(text.as_bytes()).collect::<Vec<_>>(),
                text.as_bytes()
                    .split_inclusive(|b| *b == b'\n')
                    .collect::<Vec<_>>(),
                "{text:?}"
            );
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn rules_are_dropped_from_diagnostics_and_nothing_else() {
        assert_eq!(
            without_rules(
                "----- Transcript of session follows ----- 550 5.1.1 <a@b.example>... User unknown"
                    .into()
            ),
            "Transcript of session follows 550 5.1.1 <a@b.example>... User unknown"
        );
        // (Two characters are no rule: "** WARNING **" keeps its stars.)
        assert_eq!(
            without_rules("** WARNING ** *** x ===".into()),
            "** WARNING ** x"
        );
        // Words that merely hold such characters stay, and a text without rules is as it was.
        for text in ["a--b ***@example.com #5.1.1 __init__", "two  spaces", ""] {
            assert_eq!(without_rules(text.into()), text);
        }
    }

    #[test]
    fn split_once_ascii_is_split_once() {
        for text in [
            "",
            ":",
            "a:b",
            "é:ü:x",
            "no colon",
            "日本語: テキスト",
            "a=b=c",
            "x/y",
        ] {
            for (byte, c) in [(b':', ':'), (b'=', '='), (b'/', '/')] {
                assert_eq!(split_once_ascii(text, byte), text.split_once(c), "{text:?}");
            }
        }
    }

    #[test]
    fn ascii_white_space_is_that_of_char() {
        for b in 0..=0x7fu8 {
            assert_eq!(
                is_ascii_white_space(b),
                char::from(b).is_whitespace(),
                "{b:#x}"
            );
        }
    }

    /// The error block as first written: every line collected first.
    fn error_block_line_by_line(text: &str) -> &str {
        let lines: Vec<&str> = lines_inclusive(text).collect();
        let mut offset = 0usize;
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_end();
            if i > 0 && !trimmed.is_empty() && trimmed.len() < 90 && BOUNDARY.is_match(trimmed) {
                return &text[..offset];
            }
            if may_start_header(trimmed) && START_HEADER.is_match(trimmed) {
                let following = lines[i + 1..]
                    .iter()
                    .take(6)
                    .take_while(|l| !l.trim().is_empty())
                    .filter(|l| HEADER_LINE.is_match(l) || l.starts_with([' ', '\t']))
                    .count();
                if following >= 2 {
                    return &text[..offset];
                }
            }
            offset += line.len();
        }
        text
    }

    #[test]
    fn error_block_ends_where_a_line_by_line_reading_ends_it() {
        const LINES: [&str; 14] = [
            "550 5.1.1 user unknown\n",
            "--- Original message follows.\n",
            "  ------ This is a copy of the message, including all the headers. ------\n",
            "Received: from mx.example.net by mx.example.org\n",
            "Message-ID: <1@example.net>\n",
            "From: a@example.net\n",
            "\tcontinued\n",
            "The mail system\n",
            "\n",
            "\r\n",
            "MESSAGE HEADERS FOLLOW\n",
            "text of the original message follows:\n",
            "# original\n",
            "no line end",
        ];
        for text in super::super::test_texts(0xb10c_7e47, &LINES, 8, 30_000) {
            assert_eq!(
                error_block(&text),
                error_block_line_by_line(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn folding_matches_split_whitespace_on_generated_lines() {
        const PIECES: [&str; 13] = [
            " ", "  ", "\t", "a", "bc", "\r\n", "\n", "\x0b", "\x0c", "é", "-", "\u{3000}",
            "\u{85}",
        ];
        for text in super::super::test_texts(0x00f0_1ded, &PIECES, 9, 50_000) {
            let mut got = String::from("pre");
            push_folded(&mut got, &text);
            let want = std::iter::once("pre")
                .chain(text.split_whitespace())
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(got, want, "{text:?}");
            // The whole text folded line by line is the same.
            assert_eq!(
                fold(&text),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
                "{text:?}"
            );
        }
    }

    #[test]
    fn folding_matches_split_whitespace() {
        for text in [
            "",
            " ",
            "a",
            "  a  ",
            "a b  c\td\r\ne",
            "one two three four",
            "a \tb",
            "a\x0bb\x0cc ",
            " lead and trail ",
            "x  ",
            "550 5.1.1 <a@b.example>: Recipient address rejected",
            "é  ü\tß",
            "a\tb c",
            "a b\x0d",
            "\x0ba b\x0c",
            "a b  ",
            "a  b c",
        ] {
            let mut got = String::from("pre");
            push_folded(&mut got, text);
            let mut want = String::from("pre");
            for w in text.split_whitespace() {
                want.push(' ');
                want.push_str(w);
            }
            assert_eq!(got, want, "{text:?}");
            assert_eq!(
                fold(text),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
                "{text:?}"
            );
        }
    }

    #[test]
    fn reply_code_starts_are_every_window_that_looks_like_one() {
        let pieces = [
            "5", "4", "2", "0", "9", " ", "-", "550 ", "451-", "a", "\n", "25",
        ];
        for text in super::super::test_texts(0x0c0d_e5a1, &pieces, 16, 20_000) {
            let by_window: Vec<usize> = text
                .as_bytes()
                .windows(4)
                .enumerate()
                .filter(|(_, w)| {
                    matches!(w[0], b'2' | b'4' | b'5')
                        && w[1].is_ascii_digit()
                        && w[2].is_ascii_digit()
                        && (w[3] == b' ' || w[3] == b'-')
                })
                .map(|(i, _)| i)
                .collect();
            assert_eq!(
                reply_code_starts(text.as_bytes()).collect::<Vec<_>>(),
                by_window,
                "{text:?}"
            );
        }
    }

    /// The DFA search, then the group read from its match, give what the regexes' capture
    /// search gave.
    #[test]
    fn the_rhost_search_then_groups_is_a_capture_search() {
        let pieces = [
            "host ",
            "HOST ",
            "connect to ",
            "remote server at ",
            "Generating server: ",
            "giving up on ",
            "did not like",
            " does not like",
            " failed after",
            "recipient domain example.jp by ",
            "mx.example.jp. [",
            "mx.example.jp",
            "MX1.Example.NET",
            " [192.0.2.1]",
            "[2001:db8::1]",
            "192.0.2.25",
            " ",
            "\n",
            "x",
            "é",
            "550 5.1.1 ",
            "\u{a0}",
            "\u{3000}",
            "\t",
            "ſ",
            "K",
        ];
        let regexes: Vec<Regex> = super::super::text_patterns::RHOST
            .into_iter()
            .map(re)
            .collect();
        let mut found = 0;
        for text in super::super::test_texts(0x5eed_4321, &pieces, 8, 20_000) {
            let captured = regexes
                .iter()
                .find_map(|r| r.captures(&text).map(|c| c[1].to_ascii_lowercase()));
            found += usize::from(captured.is_some());
            assert_eq!(rhost(&text), captured, "{text:?}");
        }
        assert!(found > 500, "{found}");
    }

    #[test]
    fn codes_and_commands() {
        let t = "SMTP error from remote mail server after RCPT TO:<a@example.jp>: host mx.example.jp [192.0.2.153]: 550 5.1.1 <a@example.jp>... User Unknown";
        assert_eq!(status(t).as_deref(), Some("5.1.1"));
        assert_eq!(reply_code(t).as_deref(), Some("550"));
        assert_eq!(command(t), Some("RCPT"));
        assert_eq!(rhost(t).as_deref(), Some("mx.example.jp"));
        assert_eq!(status("IP 192.0.2.1 said"), None);
        // A named command outranks an implied one before it; an implied one stands alone.
        let t = "Sender address rejected: not logged in (in reply to RCPT TO command)";
        assert_eq!(command(t), Some("RCPT"));
        assert_eq!(
            command("Sender address rejected: not logged in"),
            Some("MAIL")
        );
        assert_eq!(command("550 5.7.1 spam"), None);
        // MAIL FROM as the command, not as prose about mail from someone.
        for t in [
            "SMTP error from remote mail server after MAIL FROM:<a@example.jp> SIZE=1024",
            ">>> MAIL From:<> SIZE=2222",
            "550 5.7.1 not allowed (in reply to MAIL FROM command)",
            "553 5.1.8 Server rejected MAIL FROM address",
            "550-5.7.26 The MAIL FROM domain [example.jp] has an SPF record",
        ] {
            assert_eq!(command(t), Some("MAIL"), "{t}");
        }
        // m-FILTER: "-------SMTP command" over the command on the next line.
        assert_eq!(
            command(
                "-------server message 550 unknown user <a@b.example> -------SMTP command DATA"
            ),
            Some("DATA")
        );
        for t in [
            "550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy",
            "550 because the recipient is only accepting mail from specific email addresses",
            "Subject: The results of your email commands",
        ] {
            assert_eq!(command(t), None, "{t}");
        }
        assert_eq!(command("rejected after the MAIL command"), Some("MAIL"));
    }

    #[test]
    fn a_summary_with_lines_apart_is_no_header_section() {
        // A header section holds no empty line: fields set apart are a summary.
        let summary = "Message-ID: <1@example.net>\n\nSubject: hi\n\nDate: Tue, 2 May 2006\n\nDid not reach r@example.org\n";
        assert_eq!(error_block(summary), summary);
        let copy = "Did not reach r@example.org\n\nMessage-ID: <1@example.net>\nSubject: hi\nDate: Tue, 2 May 2006\n";
        assert_eq!(error_block(copy), "Did not reach r@example.org\n\n");
    }

    #[test]
    fn address_forms_are_rewritten_as_angle_addresses() {
        assert_eq!(
            plain_address_forms("\tRecipient: [SMTP:a@b.example]"),
            "\tRecipient: <a@b.example>"
        );
        assert_eq!(
            plain_address_forms("* [a@b.example]: 550 over quota [#4]"),
            "* <a@b.example>: 550 over quota [#4]"
        );
        assert_eq!(
            plain_address_forms("host x [192.0.2.1]: 550 <a@b.example>"),
            "host x [192.0.2.1]: 550 <a@b.example>"
        );
        assert_eq!(
            plain_address_forms("c=US;a= ;p=Org;o=Site;dda:SMTP=a@b.EXAMPLE; on Fri, 4 Oct 2002"),
            "<a@b.EXAMPLE> on Fri, 4 Oct 2002"
        );
        assert_eq!(plain_address_forms("c=US;a= ;p=Org"), "c=US;a= ;p=Org");
        assert_eq!(
            plain_address_forms("[unclosed a@b.example"),
            "[unclosed a@b.example"
        );
        assert_eq!(unquoted("'a@b.example", "',"), "a@b.example");
        assert_eq!(unquoted("'a@b.example", " is"), "'a@b.example");
        assert_eq!(
            summary_to("Subject: x\nTo: a@b.example\n"),
            vec!["a@b.example"]
        );
        assert!(summary_to("Mail to a@b.example failed\n").is_empty());
    }

    #[test]
    fn commands_are_found_in_any_case() {
        assert_eq!(command("550 Sender Address Rejected"), Some("MAIL"));
        assert_eq!(
            command("Connected to MX.example.net but sender was rejected"),
            Some("CONN")
        );
        assert_eq!(command("550 <A@B.example>... User Unknown"), Some("RCPT"));
    }

    /// Each search expression's DFA pair with the expression.
    fn find_dfas() -> Vec<(&'static FindDfa, &'static str)> {
        use super::super::text_patterns as p;
        let mut all: Vec<(&'static FindDfa, &'static str)> = vec![
            (&RECIPIENT_PHRASE, p::RECIPIENT_PHRASE),
            (&CONTINUATION, p::CONTINUATION),
            (&REMOTE_REPLY, p::REMOTE_REPLY),
            (&NEXT_REPLY, p::NEXT_REPLY),
            (&STATUS, p::STATUS),
            (&REPLY, p::REPLY),
            (&REPLY_STATUS, p::REPLY_STATUS),
        ];
        all.extend(RHOST.iter().zip(p::RHOST).map(|((d, _), r)| (&**d, r)));
        assert_eq!(all.len(), p::FIND_PATTERNS.len());
        all
    }

    #[test]
    fn no_search_expression_matches_the_empty_string() {
        // (`FindDfa::find_iter` steps past each match's end.)
        for (_, pattern) in find_dfas() {
            let hir = regex_syntax::parse(&ascii_word_boundaries(pattern)).expect("parses");
            assert!(
                hir.properties().minimum_len().is_some_and(|n| n > 0),
                "{pattern}"
            );
        }
    }

    /// Pieces of error text that reach every search expression, near misses, case variants
    /// and non-ASCII text (the long s and the Kelvin sign fold to ASCII letters).
    const SEARCH_PIECES: [&str; 60] = [
        "mx.example.org [192.0.2.1] did not like",
        "  MX.Example.ORG[2001:db8::1] does not like",
        "192.0.2.25 does not like",
        " 192.0.2.25  failed after",
        "host mx.example.org [",
        "connect to mx.example.net[",
        "550 5.1.1 ",
        "451-#4.2.2 ",
        "could not be delivered to ",
        "Delivery to ",
        "unable to deliver your message to",
        "the following addresses:",
        "The Following recipient: ",
        "recipient ",
        "address:",
        "delivery failed 3 attempts:",
        "<",
        ">",
        "\"",
        "(",
        "kijitora@example.jp",
        "A.B@MX.EXAMPLE.NET",
        "x@y.z",
        "said:",
        "Remote host said:",
        "<<< ",
        "error 550-'",
        "remote server returned",
        "server message",
        "550",
        "451",
        "-",
        "#",
        ":",
        "5.1.1",
        "4.2.2.",
        "5.7.",
        "1",
        ".",
        " ",
        "  ",
        "\n",
        "\t",
        "\u{a0}",
        "host ",
        "mx.example.org",
        " [192.0.2.1]",
        "connect to ",
        "did not like",
        " did not like our RCPT TO:",
        " failed after",
        "Giving up on 192.0.2.25",
        "recipient domain example.jp by ",
        "mx.example.jp. [192.0.2.1]",
        " by MX.example.jp.  [2001:db8::1]",
        "server at ",
        "é",
        "日本",
        "ſ",
        "K",
    ];

    #[test]
    fn search_dfas_find_what_their_regexes_find() {
        let oracles: Vec<(&FindDfa, Regex)> = find_dfas()
            .into_iter()
            .map(|(dfa, pattern)| (dfa, re(pattern)))
            .collect();
        let mut matched = vec![0usize; oracles.len()];
        for text in super::super::test_texts(0xf1d_dfa5, &SEARCH_PIECES, 12, 40_000) {
            for (i, (dfa, regex)) in oracles.iter().enumerate() {
                let expected: Vec<_> = regex.find_iter(&text).map(|m| m.range()).collect();
                matched[i] += expected.len();
                assert_eq!(
                    dfa.find_iter(&text).collect::<Vec<_>>(),
                    expected,
                    "{i} {text:?}"
                );
                let from = text.len() / 2;
                let expected_at = regex.find_at(&text, from).map(|m| m.range());
                assert_eq!(dfa.find_at(&text, from), expected_at, "{i} {text:?}");
            }
        }
        assert!(matched.iter().all(|m| *m > 100), "{matched:?}");
    }

    #[test]
    fn groups_read_from_a_match_are_the_regex_groups() {
        use super::super::text_patterns as p;
        let phrase = re(p::RECIPIENT_PHRASE);
        let continuation = re(p::CONTINUATION);
        let (mut phrases, mut continuations) = (0, 0);
        for text in super::super::test_texts(0x9_0a95, &SEARCH_PIECES, 12, 36_000) {
            for c in phrase.captures_iter(&text) {
                let whole = c.get(0).expect("match").range();
                assert_eq!(
                    phrase_recipient(&text, whole),
                    c.get(1).map(|g| g.as_str()),
                    "{text:?}"
                );
                phrases += 1;
            }
            for c in continuation.captures_iter(&text) {
                let whole = c.get(0).expect("match").as_str();
                let expected = (&c[1], c.get(2).map_or("", |m| m.as_str().trim()));
                assert_eq!(continuation_codes(whole), Some(expected), "{text:?}");
                continuations += 1;
            }
        }
        assert!(
            phrases > 500 && continuations > 500,
            "{phrases} {continuations}"
        );
    }

    #[test]
    fn the_dfas_built_with_the_crate_read_back() {
        assert!(RHOST_ANY.is_some());
        // Each DFA build.rs gave prefix literals (and so marked start states) gets its
        // prefilter: the remote reply's wording at least.
        let mut prefiltered = 0;
        for (name, literals) in built_prefixes::PREFIXES {
            assert_eq!(prefilter(name).is_some(), literals.is_some(), "{name}");
            prefiltered += usize::from(literals.is_some());
        }
        assert!(prefiltered >= 1);
        let remote = REMOTE_REPLY.re.as_ref().expect("read back");
        assert!(remote.forward().get_prefilter().is_some());
        for (dfa, pattern) in find_dfas() {
            assert!(dfa.re.is_some(), "{pattern}");
        }
        assert!(COMMANDS.dfa.is_some());
        assert!(IMPLIED_COMMANDS.dfa.is_some());
        assert!(ANY_COMMANDS.dfa.is_some());
        assert!(BOUNDARY.dfa.is_some());
        assert!(HEADER_LINE.dfa.is_some());
        assert!(START_HEADER.dfa.is_some());
    }

    #[test]
    fn line_dfas_match_the_lines_their_regexes_match() {
        use super::super::line_patterns::{BOUNDARY as B, HEADER_LINE as H, start_header};
        let oracles = [
            (&*BOUNDARY, re(B)),
            (&*HEADER_LINE, re(H)),
            (&*START_HEADER, re(&start_header())),
        ];
        // Pieces of boundary lines and header fields in several cases, with the marks and
        // spaces around them, near misses and non-ASCII text.
        let pieces = [
            "original message",
            "Original Message Follows",
            " headers",
            "is attached",
            ":",
            "-----",
            "=== ",
            "*",
            "#",
            ">",
            "|",
            "copy of the message",
            "This is a copy of your original message",
            "below this line is a copy",
            "message headers follow",
            "Headers of the original message",
            "header of the original message",
            "undelivered message",
            "Returned Message below",
            "text of the returned message",
            "forwarded message",
            "original e-mail",
            "original mail as follows",
            "message details",
            "## original",
            "included is a copy",
            "received-header of the original",
            "Message header follows",
            "Below the next line is a copy",
            "Mensaje original adjunto",
            "No message was collected",
            "original mail info",
            "En-têtes de message d'origine",
            "En-tetes de message d'origine",
            "Intestazioni originali del messaggio",
            "Ursprungshuvuden",
            "The attachment contains the original mail headers",
            "Received:",
            "received: ",
            "Return-Path: <",
            "From: a",
            "to:",
            "X-Mailer: x",
            "x-:",
            "X-A-B: v",
            "Content-Type:",
            "Message-ID: <1@a>",
            "dkim-signature:\t",
            "MIME-Version: 1.0",
            "Delivered-To: b",
            "user-agent:",
            "Subject",
            " ",
            "\t",
            ".",
            "é",
            "日本",
            "ſ",
            "K",
            "\u{a0}",
            "x",
        ];
        let mut matched = [0usize; 3];
        for text in super::super::test_texts(0x11e5_dfa0, &pieces, 8, 30_000) {
            for (i, (dfa, regex)) in oracles.iter().enumerate() {
                let expected = regex.is_match(&text);
                matched[i] += usize::from(expected);
                assert_eq!(dfa.is_match(&text), expected, "{i} {text:?}");
            }
        }
        assert!(matched.iter().all(|m| *m > 500), "{matched:?}");
    }

    /// The command wording matched as it was before the DFAs: one case-insensitive regex over
    /// each list for the earliest mention, then the entries tried in order at its start.
    fn command_by_regex(text: &str) -> Option<&'static str> {
        use super::super::command_words::dfa_pattern;
        type Compiled = (Regex, Vec<(Regex, &'static str)>);
        fn compile(words: &[(&str, &'static str)]) -> Compiled {
            let any = words
                .iter()
                .map(|(p, _)| format!("(?:{})", dfa_pattern(p)))
                .collect::<Vec<_>>()
                .join("|");
            let each = words
                .iter()
                .map(|(p, c)| (re(&dfa_pattern(p)), *c))
                .collect();
            (re(&any), each)
        }
        fn find((any, each): &Compiled, text: &str) -> Option<&'static str> {
            let m = any.find(text)?;
            // The entry with a match where the earliest one starts (searched from there, so
            // a word boundary still sees the character before).
            each.iter()
                .find(|(r, _)| {
                    r.find_at(text, m.start())
                        .is_some_and(|e| e.start() == m.start())
                })
                .map(|(_, c)| *c)
        }
        static ORACLE: LazyLock<[Compiled; 2]> =
            LazyLock::new(|| [compile(COMMAND_WORDS), compile(IMPLIED_COMMAND_WORDS)]);
        find(&ORACLE[0], text).or_else(|| find(&ORACLE[1], text))
    }

    #[test]
    fn commands_from_the_dfas_are_those_of_the_regex() {
        // Every phrase of both lists in several cases, near misses (word boundaries, a line
        // break inside "connected to … but", a truncated address), overlaps between entries,
        // and non-ASCII text around them.
        let pieces = [
            "end of data",
            "After DATA",
            "reply to data",
            "FINAL data",
            "failed after I sent the message",
            "after sending the message",
            "End Of Message",
            "rcpt to",
            "RCPT TO:",
            "[RCPT_TO]",
            "rcpt command",
            "smtp:rcpt",
            "xsmtp:rcpt",
            "smtp:rcpt_",
            "mail from",
            "MAIL FROM:<",
            "email from",
            " command",
            " address",
            "reply to ",
            "after ",
            "[MAIL_FROM]",
            "mail command",
            "smtp command",
            "SMTP command: ",
            "my name was rejected",
            "helo",
            "EHLO",
            "xhelo",
            "helo2",
            " helo ",
            "refused to talk to me",
            "Greeting",
            "initial connection",
            "connected to ",
            " but",
            "\n",
            "while connecting",
            "connect to",
            "connec",
            "does not like recipient",
            "Rejected Recipient",
            "recipient address rejected",
            "550 ",
            "<a@b.example>",
            "a@b",
            "... User unknown",
            "... no such user",
            "...",
            "x550 ",
            "sender was rejected",
            "Sender Address Rejected",
            " ",
            "\t",
            "é",
            "日本",
            "ſ",
            "K",
            ":",
            "-",
            "data",
            "rcpt",
            "mail",
            "from",
            "to",
            "end of ",
            "message",
            // The letters that case-fold to s and k, inside the phrases.
            "\u{17f}ender address rejected",
            "refu\u{17f}ed to tal\u{212a} to me",
            "\u{17f}mtp:rcpt",
            "after \u{17f}ending the me\u{17f}\u{17f}age",
        ];
        let mut found = 0;
        for text in super::super::test_texts(0xc0de_d0fa, &pieces, 12, 30_000) {
            let expected = command_by_regex(&text);
            found += usize::from(expected.is_some());
            assert_eq!(command(&text), expected, "{text:?}");
        }
        // The texts reach every branch, not only "no command".
        assert!(found > 10_000, "{found}");
    }

    #[test]
    fn codes_are_ascii_digits_next_to_any_script() {
        // Japanese text runs words together: the code after "エラー" is still a code.
        assert_eq!(
            status("エラー5.2.2 メールボックス").as_deref(),
            Some("5.2.2")
        );
        assert_eq!(reply_code("応答550 5.2.2 満杯").as_deref(), Some("550"));
        // ASCII letters and digits still join: no code inside a word or a longer number.
        assert_eq!(status("v5.2.2 build"), None);
        assert_eq!(reply_code("x550 y"), None);
        // Digits of other scripts are no code.
        assert_eq!(status("٥.٢.٢"), None);
        assert_eq!(reply_code("٥٥٠ ٥.٢.٢"), None);
    }

    #[test]
    fn exim_style_recipients() {
        let block = "The following address(es) failed:\n\n  a@example.jp\n    SMTP error: 550 5.1.1 User Unknown\n  b@example.jp\n    552 Mailbox full\n";
        let found = recipients(block, &fold(block), &[]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].recipient, "b@example.jp");
        assert!(found[1].diagnostic.contains("Mailbox full"));
    }

    #[test]
    fn a_malformed_name_addr_names_the_address_in_angle_brackets() {
        // Exim's "malformed recipient address" report quotes the To: entry as written.
        let block = "  kijitora@example.com <neko@example.net>: malformed address: <neko@example.net> may not follow kijitora@example.com\n";
        let found = recipients(block, &fold(block), &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].recipient, "neko@example.net");
        assert!(found[0].diagnostic.starts_with("malformed address:"));
        // Not for an address followed by a second one that is not such a prefix.
        for line in [
            "  a@example.com <b@example.net> said: 550 no\n",
            "  a@example.com: <b@example.net>: 550 no\n",
        ] {
            let found = recipients(line, &fold(line), &[]);
            assert_eq!(found[0].recipient, "a@example.com", "{line}");
        }
    }

    #[test]
    fn the_receiving_host_of_a_received_field() {
        assert_eq!(
            received_by("from mx.example.net (mx.example.net [192.0.2.1]) (using TLS) by mail.example.org (Postfix) with ESMTP id 1; Thu, 29 Apr 2010").as_deref(),
            Some("mail.example.org")
        );
        assert_eq!(
            received_by("by MX9.Example.COM; Thu, 29 Apr 1999").as_deref(),
            Some("mx9.example.com")
        );
        // "by" inside a comment is not the field's.
        assert_eq!(received_by("from a (sent by b.example) with SMTP"), None);
    }

    #[test]
    fn mailbox_of_a_recipient_field() {
        assert_eq!(mailbox(" <A@B.example>").as_deref(), Some("a@b.example"));
        assert_eq!(
            mailbox("kijitora@mailhub0").as_deref(),
            Some("kijitora@mailhub0")
        );
        assert_eq!(mailbox("not an address"), None);
        assert_eq!(mailbox("a b@c"), None);
    }

    #[test]
    fn postfix_session_transcript() {
        let t = " Out: 220 mx ESMTP\n In:  EHLO a\n Out: 250 ok\n In:  MAIL\n     FROM:<s@a.example>\n Out: 250 2.1.0 Ok\n In:  RCPT TO:<r@b.example> ORCPT=rfc822;r@b.example\n Out: 250 2.1.5 Ok\n In:  DATA\n Out: 354 End data\n Out: 451 4.3.0 Error: queue file write error\n In:  QUIT\n Out: 221 Bye\n";
        let got = transcript(t).expect("transcript");
        assert_eq!(got.recipients, vec!["r@b.example".to_string()]);
        assert_eq!(got.reply, "451 4.3.0 Error: queue file write error");
        assert_eq!(got.command, "DATA");
        assert_eq!(transcript(" In:  EHLO a\n Out: 250 ok\n"), None);
    }

    #[test]
    fn boundary_cuts_the_copy() {
        let text = "Error text\n<a@b.example>:\n550 no\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <s@x.example>\n";
        assert!(error_block(text).ends_with("550 no\n\n"));
        let text2 = "Error\n\nReceived: from x\n by y\nFrom: a@b.example\nSubject: s\n";
        assert_eq!(error_block(text2), "Error\n\n");
    }

    /// The copy announced as the MTAs word it: Gmail's older header copy, qmail's variants,
    /// V5 Sendmail's, mFILTER's, Exchange in French, Italian and Swedish.
    #[test]
    fn boundary_cuts_the_copy_in_each_mtas_words() {
        for line in [
            "----- Message header follows -----",
            "--- Below the next line is a copy of the message.",
            "--- Mensaje original adjunto.",
            "   ----- No message was collected -----",
            "-------original mail info",
            "En-têtes de message d'origine :",
            "Intestazioni originali del messaggio:",
            "Ursprungshuvuden:",
            "The attachment contains the original mail headers",
        ] {
            let text =
                format!("Error text\n<a@b.example>:\n550 no\n\n{line}\n\nX-Note: y\nSubject: s\n");
            assert!(error_block(&text).ends_with("550 no\n\n"), "{line}");
        }
    }
}
