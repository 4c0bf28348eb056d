//! Lines that name a failed recipient: "<a@b.example>: host … said: 550 …",
//! "Final-Recipient: rfc822; a@b.example", "RCPT TO: a@b.example", "1) a@b.example (…)".
//!
//! The shape is one regular expression ([`PATTERN`]). The regex engine answers it with a
//! capture search on every line that holds an '@', a bounded backtracker over a few hundred
//! NFA states, which was a twentieth of the decoder's time. [`find`] walks the
//! same expression by hand for ASCII lines: the same alternatives in the same order, greedy
//! repetitions longest first, backtracking on failure, so the first way it finds to match
//! is the one the regex engine reports (leftmost-first). Other lines go to the regex. A
//! unit test compares the two on 200,000 generated lines.

use std::sync::LazyLock;

use regex::Regex;

// `\s` on ASCII: Unicode White_Space below 0x80.
use super::text::is_ascii_white_space as ws;

/// The recipient-line expression (ASCII-only case folding: Unicode folding adds the Kelvin
/// sign and the long s to every k and s). It ends at the first character of `rest`; the rest
/// of the line follows it.
pub(crate) const PATTERN: &str = r#"(?x)^\s*(?:
        (?i-u:final-recipient|original-recipient|recipient(?:\ address)?|failed\ recipient|rcpt(?:\ to)?|addressed\ to|address|envelope-to|x-failed-recipients|invalid\ address|unknown\ user|user)(?:\s*[:=]\s*|\s+)(?:(?i-u:rfc822);\s*)?
      | [*\-]+\s*
      | \d+\)\s*
      | >>>\s*(?i-u:rcpt)\s+(?i-u:to):\s*
      | (?P<label>(?i-u:[a-z][a-z\ \-']{2,40})):\s*
      | [245][0-9][0-9]\s+(?:)
    )?"?<?(?P<addr>[^\s<>()\[\]"]+@(?i-u:[a-z0-9.-]+\.[a-z]{2,24}))>?"?
    (?:\s*<(?i-u:mailto):[^>]*>)?
    (?:\s*\([^)]*\))?
    (?P<rest>\s*(?:[:,;\[]|\.\.\.|\.\s|\.$)|\s+\S|\s*$)"#;

static REGEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(PATTERN).unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()))
});

/// The keywords of the first prefix alternative, in the expression's order.
const KEYWORDS: [&str; 14] = [
    "final-recipient",
    "original-recipient",
    "recipient address",
    "recipient",
    "failed recipient",
    "rcpt to",
    "rcpt",
    "addressed to",
    "address",
    "envelope-to",
    "x-failed-recipients",
    "invalid address",
    "unknown user",
    "user",
];

/// What a recipient line holds (byte ranges into the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecipientLine {
    /// The label before the address ("Invalid final delivery userid"), when that prefix was
    /// the one that matched.
    pub label: Option<std::ops::Range<usize>>,
    /// The address as written.
    pub addr: std::ops::Range<usize>,
    /// Where the rest of the line (after the address and its decorations) starts.
    pub rest: usize,
}

/// Longest line the walk takes: its backtracking tries every '@' and every dot after it, where
/// the regex engine's backtracker is bounded by its visited set; past these bounds (a hostile
/// line) the regex answers.
const WALK_MAX_LEN: usize = 256;
/// Most '@' a walked line holds (see [`WALK_MAX_LEN`]).
const WALK_MAX_AT: usize = 4;

/// Reads `line` as a recipient line.
pub(crate) fn find(line: &str) -> Option<RecipientLine> {
    if line.len() <= WALK_MAX_LEN
        && line.is_ascii()
        && memchr::memchr_iter(b'@', line.as_bytes()).count() <= WALK_MAX_AT
    {
        Walk::new(line.as_bytes()).run()
    } else {
        by_regex(line)
    }
}

/// The regex engine's answer (non-ASCII lines, and the reference in tests).
pub(crate) fn by_regex(line: &str) -> Option<RecipientLine> {
    let c = REGEX.captures(line)?;
    Some(RecipientLine {
        label: c.name("label").map(|m| m.range()),
        addr: c.name("addr")?.range(),
        rest: c.name("rest")?.start(),
    })
}

/// A backtracking walk of [`PATTERN`] over an ASCII line, written as continuations: each step
/// tries its choices in the expression's order and hands each end position to the next
/// step, which answers whether the rest of the expression matched from there.
struct Walk<'a> {
    s: &'a [u8],
    label: Option<std::ops::Range<usize>>,
    addr: std::ops::Range<usize>,
    rest: usize,
}

impl<'a> Walk<'a> {
    fn new(s: &'a [u8]) -> Self {
        Walk {
            s,
            label: None,
            addr: 0..0,
            rest: 0,
        }
    }

    fn run(mut self) -> Option<RecipientLine> {
        let start = self.run_while(0, ws);
        self.prefix(start).then(|| RecipientLine {
            label: self.label.clone(),
            addr: self.addr.clone(),
            rest: self.rest,
        })
    }

    /// The end of the run of bytes from `at` that satisfy `f`.
    fn run_while(&self, at: usize, f: impl Fn(u8) -> bool) -> usize {
        at + self.s[at..].iter().take_while(|b| f(**b)).count()
    }

    /// `x*` (greedy) of a byte class, each possible end from the longest, then `k`.
    fn star(
        &mut self,
        at: usize,
        min: usize,
        max: usize,
        f: impl Fn(u8) -> bool,
        k: &mut dyn FnMut(&mut Self, usize) -> bool,
    ) -> bool {
        let longest = self.run_while(at, f) - at;
        let longest = longest.min(max);
        if longest < min {
            return false;
        }
        (min..=longest).rev().any(|n| k(self, at + n))
    }

    /// The ASCII case-insensitive literal `lit` at `at`.
    fn lit(&self, at: usize, lit: &str) -> Option<usize> {
        let end = at + lit.len();
        (self.s.get(at..end)?.eq_ignore_ascii_case(lit.as_bytes())).then_some(end)
    }

    /// The optional prefix (six alternatives, then none), then the address.
    fn prefix(&mut self, at: usize) -> bool {
        // Keyword, separator, optional "rfc822;".
        for kw in KEYWORDS {
            let Some(after) = self.lit(at, kw) else {
                continue;
            };
            // `recipient(?:\ address)?` and `rcpt(?:\ to)?` are greedy options: the longer
            // keyword comes first in KEYWORDS; the shorter is tried after it fails.
            self.label = None;
            if self.separator(after) {
                return true;
            }
        }
        // [*\-]+\s*
        if self.star(
            at,
            1,
            usize::MAX,
            |b| b == b'*' || b == b'-',
            &mut |w, p| {
                w.star(p, 0, usize::MAX, ws, &mut |w, q| {
                    w.label = None;
                    w.address(q)
                })
            },
        ) {
            return true;
        }
        // \d+\)\s*
        if self.star(at, 1, usize::MAX, |b| b.is_ascii_digit(), &mut |w, p| {
            w.s.get(p) == Some(&b')')
                && w.star(p + 1, 0, usize::MAX, ws, &mut |w, q| {
                    w.label = None;
                    w.address(q)
                })
        }) {
            return true;
        }
        // >>>\s*rcpt\s+to:\s*
        if let Some(p) = self.lit(at, ">>>")
            && self.star(p, 0, usize::MAX, ws, &mut |w, q| {
                let Some(r) = w.lit(q, "rcpt") else {
                    return false;
                };
                w.star(r, 1, usize::MAX, ws, &mut |w, t| {
                    let Some(u) = w.lit(t, "to:") else {
                        return false;
                    };
                    w.star(u, 0, usize::MAX, ws, &mut |w, v| {
                        w.label = None;
                        w.address(v)
                    })
                })
            })
        {
            return true;
        }
        // (?P<label>[a-z][a-z\ \-']{2,40}):\s*  ("User's mailbox is full: <a@b>")
        if self.s.get(at).is_some_and(u8::is_ascii_alphabetic)
            && self.star(
                at + 1,
                2,
                40,
                |b| b.is_ascii_alphabetic() || matches!(b, b' ' | b'-' | b'\''),
                &mut |w, p| {
                    w.s.get(p) == Some(&b':')
                        && w.star(p + 1, 0, usize::MAX, ws, &mut |w, q| {
                            w.label = Some(at..p);
                            w.address(q)
                        })
                },
            )
        {
            return true;
        }
        // [245][0-9][0-9]\s+
        if self
            .s
            .get(at)
            .is_some_and(|b| matches!(b, b'2' | b'4' | b'5'))
            && self.s.get(at + 1).is_some_and(u8::is_ascii_digit)
            && self.s.get(at + 2).is_some_and(u8::is_ascii_digit)
            && self.star(at + 3, 1, usize::MAX, ws, &mut |w, q| {
                w.label = None;
                w.address(q)
            })
        {
            return true;
        }
        self.label = None;
        self.address(at)
    }

    /// `(?:\s*[:=]\s*|\s+)(?:rfc822;\s*)?` after a keyword, then the address.
    fn separator(&mut self, at: usize) -> bool {
        let mut then = |w: &mut Self, p: usize| -> bool {
            // (?:rfc822;\s*)? — greedy: with it first, then without.
            if let Some(q) = w.lit(p, "rfc822;")
                && w.star(q, 0, usize::MAX, ws, &mut |w, r| w.address(r))
            {
                return true;
            }
            w.address(p)
        };
        // \s*[:=]\s*
        if self.star(at, 0, usize::MAX, ws, &mut |w, p| {
            matches!(w.s.get(p), Some(b':' | b'=')) && w.star(p + 1, 0, usize::MAX, ws, &mut then)
        }) {
            return true;
        }
        // \s+
        self.star(at, 1, usize::MAX, ws, &mut then)
    }

    /// `"?<?(?P<addr>…)>?"?`, the mailto and comment options, then `rest`.
    fn address(&mut self, at: usize) -> bool {
        let quote = |w: &Self, p: usize, c: u8| w.s.get(p) == Some(&c);
        // "? then <? — each greedy: present first, then absent.
        for q in [1, 0] {
            if q == 1 && !quote(self, at, b'"') {
                continue;
            }
            let p = at + q;
            for a in [1, 0] {
                if a == 1 && !quote(self, p, b'<') {
                    continue;
                }
                if self.addr_spec(p + a) {
                    return true;
                }
            }
        }
        false
    }

    /// `[^\s<>()\[\]"]+@(?i-u:[a-z0-9.-]+\.[a-z]{2,24})`, then what follows it.
    fn addr_spec(&mut self, at: usize) -> bool {
        let local = |b: u8| !ws(b) && !matches!(b, b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'"');
        let longest = self.run_while(at, local);
        // The local part ends right before an '@' (which the class also takes): every such
        // end, longest first.
        for l in (at + 1..longest).rev() {
            if self.s[l] != b'@' {
                continue;
            }
            let host = l + 1;
            let domain = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
            let far = self.run_while(host, domain);
            // [a-z0-9.-]+ then \.[a-z]{2,24}: the dot at d, 2..=24 letters after it, each
            // split longest first (the class run shrinks from the right).
            for d in (host + 1..far).rev() {
                if self.s[d] != b'.' {
                    continue;
                }
                let letters = self.run_while(d + 1, |b| b.is_ascii_alphabetic()) - (d + 1);
                for n in (2..=letters.min(24)).rev() {
                    let end = d + 1 + n;
                    self.addr = at..end;
                    if self.after_addr(end) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// `>?"?(?:\s*<mailto:[^>]*>)?(?:\s*\([^)]*\))?` then `rest`.
    fn after_addr(&mut self, at: usize) -> bool {
        for gt in [1, 0] {
            if gt == 1 && self.s.get(at) != Some(&b'>') {
                continue;
            }
            let p = at + gt;
            for qt in [1, 0] {
                if qt == 1 && self.s.get(p) != Some(&b'"') {
                    continue;
                }
                if self.mailto(p + qt) {
                    return true;
                }
            }
        }
        false
    }

    /// `(?:\s*<mailto:[^>]*>)?` then the comment option.
    fn mailto(&mut self, at: usize) -> bool {
        if self.star(at, 0, usize::MAX, ws, &mut |w, p| {
            let Some(q) = w.lit(p, "<mailto:") else {
                return false;
            };
            w.star(q, 0, usize::MAX, |b| b != b'>', &mut |w, r| {
                w.s.get(r) == Some(&b'>') && w.comment(r + 1)
            })
        }) {
            return true;
        }
        self.comment(at)
    }

    /// `(?:\s*\([^)]*\))?` then `rest`.
    fn comment(&mut self, at: usize) -> bool {
        if self.star(at, 0, usize::MAX, ws, &mut |w, p| {
            w.s.get(p) == Some(&b'(')
                && w.star(p + 1, 0, usize::MAX, |b| b != b')', &mut |w, r| {
                    w.s.get(r) == Some(&b')') && w.rest_at(r + 1)
                })
        }) {
            return true;
        }
        self.rest_at(at)
    }

    /// `(?P<rest>\s*(?:[:,;\[]|\.\.\.|\.\s|\.$)|\s+\S|\s*$)`: the first alternative that
    /// matches decides nothing but that one does; `rest` starts at `at` in every case.
    fn rest_at(&mut self, at: usize) -> bool {
        let n = self.s.len();
        let spaces_end = self.run_while(at, ws);
        // \s*(?:[:,;\[]|\.\.\.|\.\s|\.$): any split of the white space, the byte after it.
        let first = (at..=spaces_end).rev().any(|p| match self.s.get(p) {
            Some(b':' | b',' | b';' | b'[') => true,
            Some(b'.') => {
                self.s.get(p + 1..p + 3) == Some(b"..")
                    || self.s.get(p + 1).is_some_and(|b| ws(*b))
                    || p + 1 == n
            }
            _ => false,
        });
        // \s+\S
        let second = spaces_end > at && spaces_end < n;
        // \s*$
        let third = spaces_end == n;
        if first || second || third {
            self.rest = at;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_shapes() {
        let r = find("<kijitora@example.jp>: host mx.example.jp[192.0.2.1] said: 550")
            .expect("a recipient line");
        assert_eq!(r.addr, 1..20);
        assert_eq!(r.rest, 21);
        let r = find("Final-Recipient: rfc822; kijitora@example.jp").expect("a recipient line");
        assert_eq!(r.label, None);
        assert_eq!(r.addr, 25..44);
        let r =
            find("Invalid final delivery userid: kijitora@example.jp").expect("a recipient line");
        assert_eq!(r.label, Some(0..29));
        assert_eq!(find("see kijitora@example.jp for details"), None);
    }

    /// The walk gives what the regex engine gives, on lines built from the pieces that
    /// steer the expression (keywords, separators, quotes, brackets, dots, addresses).
    #[test]
    fn the_walk_agrees_with_the_regex() {
        const PIECES: &[&str] = &[
            "",
            " ",
            "  ",
            "\t",
            "\r",
            "<",
            ">",
            "\"",
            "(",
            ")",
            "[",
            "]",
            ":",
            ";",
            ",",
            ".",
            "..",
            "...",
            "-",
            "*",
            "=",
            "@",
            "1)",
            "12)",
            "550",
            "250 ",
            "4",
            "Final-Recipient",
            "final-recipient",
            "original-recipient",
            "RFC822;",
            "rfc822; ",
            "Recipient",
            "recipient address",
            "RCPT",
            "rcpt to",
            "RCPT TO:",
            ">>>",
            ">>> RCPT To:",
            "user",
            "User ",
            "address",
            "Addressed to",
            "X-Failed-Recipients",
            "invalid address",
            "unknown user",
            "envelope-to",
            "failed recipient",
            "mailto:",
            "<mailto:a@b.jp>",
            "<mailto:",
            "(comment)",
            "(",
            "a@b.example",
            "kijitora@example.jp",
            "Neko@Example.CO.JP",
            "x@y.z",
            "a@b@c.example",
            "n@example.co.jp.",
            "a.b",
            "label word",
            "Some-Label",
            "From",
            "userid",
            "a",
            "Z9",
            "x.",
            "jp",
            "a@b.c1",
            "@example.com",
            "a@-b.example",
            "ab",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
        ];
        let mut next = super::super::test_numbers(0x9e37_79b9_7f4a_7c15);
        // The expression as first written, with `rest` matched through the line's end: the
        // one in use stops where `rest` begins (`.*$` always matched, so the same
        // alternatives win).
        let through_end = Regex::new(&PATTERN.replace(
            r#"(?P<rest>\s*(?:[:,;\[]|\.\.\.|\.\s|\.$)|\s+\S|\s*$)"#,
            r#"(?P<rest>\s*(?:[:,;\[]|\.\.\.|\.\s|\.$).*|\s+\S.*|\s*)$"#,
        ))
        .expect("pattern");
        assert_ne!(through_end.as_str(), PATTERN);
        let mut matched = 0;
        for _ in 0..200_000 {
            let n = 1 + (next() % 9) as usize;
            let mut line = String::new();
            for _ in 0..n {
                line.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            if !line.contains('@') {
                continue;
            }
            let want = by_regex(&line);
            matched += usize::from(want.is_some());
            let full = through_end.captures(&line).map(|c| RecipientLine {
                label: c.name("label").map(|m| m.range()),
                addr: c.name("addr").map(|m| m.range()).unwrap_or_default(),
                rest: c.name("rest").map_or(0, |m| m.start()),
            });
            assert_eq!(full, want, "{line:?}");
            assert_eq!(Walk::new(line.as_bytes()).run(), want, "{line:?}");
        }
        // The generator reaches both answers often.
        assert!(matched > 10_000, "{matched}");
    }
}
