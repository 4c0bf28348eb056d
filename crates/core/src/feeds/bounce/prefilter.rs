//! Ordered pattern sets behind one literal prefilter.
//!
//! The reason patterns (some 600, in ~35 ordered sets) are asked one question per text:
//! which is the first set with a matching pattern? Running every set's automaton over the
//! text costs one pass per set. Instead, each pattern's *required literals* are worked out
//! from its syntax tree (strings at least one of which every match contains); one pass over
//! the text ([`LiteralScan`]) finds which of them occur, and only the patterns whose
//! literals occurred (plus the few with none to require) are run, each compiled on first
//! use. The answer is the same as running every set in order: patterns are numbered set by
//! set, so the first pattern (in that numbering) that matches belongs to the first set
//! that has a match.
//!
//! Most patterns (two in three) are plain phrases or finite alternations of phrases ("dmarc
//! (check|verification)? ?(failed|fail)"): their whole language is a few strings. Those
//! strings are their literals, and a literal found inside the part asked about *is* the
//! match: such a pattern is never compiled nor run.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind};

use super::literal_scan::LiteralScan;

/// Literals shorter than this select too little to be worth it: such a pattern always runs.
const MIN_LITERAL: usize = 3;
/// More alternatives than this and a pattern always runs.
const MAX_ALTERNATIVES: usize = 64;

/// One pattern, compiled when it is first a candidate.
struct Pattern {
    source: String,
    set: usize,
    /// The pattern's language is exactly its literals (see [`exact_strings`]): a literal
    /// hit inside the part is a match.
    exact: bool,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                RegexBuilder::new(&self.source)
                    .size_limit(1 << 24)
                    .build()
                    .ok()
            })
            .as_ref()
            .is_some_and(|r| r.is_match(text))
    }
}

/// Ordered sets of patterns with the literal prefilter (see the module docs).
/// One occurrence of a required literal (see [`PatternSets::hits`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    start: usize,
    end: usize,
    literal: u32,
}

pub(crate) struct PatternSets {
    patterns: Vec<Pattern>,
    /// Literal id → the patterns requiring it.
    by_literal: Vec<Vec<u32>>,
    /// Patterns with no literal to require: candidates for every text.
    always: Vec<u32>,
    literals: Option<LiteralScan>,
}

impl PatternSets {
    /// Sets in order, each a list of patterns (regex syntax, matched case-sensitively; a
    /// pattern that does not parse never matches — the pattern file's test reports it).
    pub(crate) fn new(sets: &[Vec<String>]) -> Self {
        let mut patterns = Vec::new();
        let mut literal_ids: std::collections::HashMap<Vec<u8>, u32> = Default::default();
        let mut literal_list: Vec<Vec<u8>> = Vec::new();
        let mut by_literal: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        for (set, sources) in sets.iter().enumerate() {
            for source in sources {
                let id = patterns.len() as u32;
                let (required, is_exact) = pattern_literals(source);
                match required {
                    Some(lits) => {
                        for lit in lits {
                            let lid = *literal_ids.entry(lit.clone()).or_insert_with(|| {
                                literal_list.push(lit);
                                by_literal.push(Vec::new());
                                (literal_list.len() - 1) as u32
                            });
                            let users = &mut by_literal[lid as usize];
                            if users.last() != Some(&id) {
                                users.push(id);
                            }
                        }
                    }
                    None => always.push(id),
                }
                patterns.push(Pattern {
                    source: source.clone(),
                    set,
                    exact: is_exact,
                    compiled: OnceLock::new(),
                });
            }
        }
        let literals = LiteralScan::new(&literal_list);
        if literals.is_none() {
            // Cannot happen (literals are MIN_LITERAL bytes or more); if it did, every
            // pattern runs.
            always = (0..patterns.len() as u32).collect();
        }
        PatternSets {
            patterns,
            by_literal,
            always,
            literals,
        }
    }

    /// The index of the first set with a pattern matching `text`.
    #[cfg(test)]
    pub(crate) fn first_match(&self, text: &str) -> Option<usize> {
        self.first_match_in(text, &self.hits(text), 0..text.len())
    }

    /// Where the required literals occur in `text` (every occurrence, overlapping ones too):
    /// one pass that serves [`first_match_in`](Self::first_match_in) for any part of `text`.
    pub(crate) fn hits(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        if let Some(scan) = &self.literals {
            scan.for_each(text.as_bytes(), |start, end, literal| {
                hits.push(Hit {
                    start,
                    end,
                    literal,
                })
            });
        }
        hits
    }

    /// The index of the first set with a pattern matching `text[range]`, given the literal
    /// `hits` of the whole `text`: a pattern is tried only when one of its literals lies
    /// inside the range (a match inside the range contains one).
    pub(crate) fn first_match_in(
        &self,
        text: &str,
        hits: &[Hit],
        range: std::ops::Range<usize>,
    ) -> Option<usize> {
        let part = text.get(range.clone())?;
        let words = self.patterns.len().div_ceil(64);
        let mut candidates = vec![0u64; words];
        let mut mark = |id: u32| candidates[id as usize / 64] |= 1 << (id % 64);
        for &id in &self.always {
            mark(id);
        }
        for h in hits
            .iter()
            .filter(|h| h.start >= range.start && h.end <= range.end)
        {
            for &id in &self.by_literal[h.literal as usize] {
                mark(id);
            }
        }
        for (w, mut bits) in candidates.into_iter().enumerate() {
            while bits != 0 {
                let id = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let p = &self.patterns[id];
                // An exact pattern is a candidate only through a hit of one of its strings
                // inside the range: that hit is its match.
                if p.exact || p.is_match(part) {
                    return Some(p.set);
                }
            }
        }
        None
    }

    /// Compiles every pattern now (for a caller that wants start-up work done up front).
    #[cfg(test)]
    fn compile_all(&self) -> usize {
        self.patterns
            .iter()
            .filter(|p| {
                p.is_match("");
                p.compiled.get().is_some_and(Option::is_some)
            })
            .count()
    }
}

/// A pattern's literals (`None` when it has none to require) and whether they are its whole
/// language.
pub(crate) type Literals = (Option<Vec<Vec<u8>>>, bool);

/// Whether a pattern's literals can index it: few enough, none too short.
fn usable(lits: &[Vec<u8>]) -> bool {
    lits.len() <= MAX_ALTERNATIVES && lits.iter().all(|l| l.len() >= MIN_LITERAL)
}

/// A pattern's literals for the index and whether they are its whole language (see the
/// module docs).
fn pattern_literals(source: &str) -> Literals {
    // A plain phrase (no character that means anything to the regex syntax: it is its own
    // escape) is its one string, without parsing: two in three patterns, and parsing them
    // was most of building the index at start-up.
    if regex_syntax::escape(source) == source {
        let lits = vec![source.as_bytes().to_vec()];
        return if usable(&lits) {
            (Some(lits), true)
        } else {
            (None, false)
        };
    }
    parsed_literals(source)
}

/// The literals with the plain-phrase shortcut and from the syntax tree (for the test that
/// compares them on the pattern file).
#[cfg(test)]
pub(crate) fn literals_both_ways(source: &str) -> (Literals, Literals) {
    (pattern_literals(source), parsed_literals(source))
}

/// [`pattern_literals`] from the pattern's syntax tree.
fn parsed_literals(source: &str) -> Literals {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(source)
        .ok();
    let exact = hir.as_ref().and_then(exact_strings).filter(|l| usable(l));
    let is_exact = exact.is_some();
    let required = exact.or_else(|| {
        hir.as_ref()
            .and_then(required_literals)
            .filter(|l| usable(l))
    });
    (required, is_exact)
}

/// Most strings an exact language may have (see [`exact_strings`]).
const MAX_EXACT: usize = 64;

/// Every string `hir` matches, when that is a small finite set (literals, alternations,
/// optional parts, classes of a few characters; no look-around): `None` otherwise.
fn exact_strings(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::Class;
    let mut out = match hir.kind() {
        HirKind::Empty => vec![Vec::new()],
        HirKind::Literal(lit) => vec![lit.0.to_vec()],
        HirKind::Capture(c) => exact_strings(&c.sub)?,
        HirKind::Class(Class::Unicode(c)) => {
            let mut chars = Vec::new();
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    if chars.len() == 4 {
                        return None;
                    }
                    chars.push(ch.to_string().into_bytes());
                }
            }
            chars
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut bytes = Vec::new();
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    if bytes.len() == 4 || !b.is_ascii() {
                        return None;
                    }
                    bytes.push(vec![b]);
                }
            }
            bytes
        }
        HirKind::Repetition(r) if r.min <= 1 && r.max == Some(1) => {
            let mut v = exact_strings(&r.sub)?;
            if r.min == 0 {
                v.push(Vec::new());
            }
            v
        }
        HirKind::Concat(parts) => {
            let mut acc = vec![Vec::new()];
            for part in parts {
                let tails = exact_strings(part)?;
                if acc.len() * tails.len() > MAX_EXACT {
                    return None;
                }
                acc = acc
                    .iter()
                    .flat_map(|head| tails.iter().map(move |t| [head.as_slice(), t].concat()))
                    .collect();
            }
            acc
        }
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for b in branches {
                all.extend(exact_strings(b)?);
                if all.len() > MAX_EXACT {
                    return None;
                }
            }
            all
        }
        _ => return None,
    };
    out.sort();
    out.dedup();
    Some(out)
}

/// Strings one of which every match of `hir` contains, if there is such a finite set.
/// Sound by construction: a concatenation requires what any of its parts requires (the
/// most selective part is taken), an alternation requires one of its branches' literals,
/// and anything that may match empty (a look-around, `x?`, `x*`) or a character class
/// requires nothing.
fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(vec![lit.0.to_vec()]),
        HirKind::Capture(c) => required_literals(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_literals(&r.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required_literals)
            .max_by_key(|lits| {
                let shortest = lits.iter().map(Vec::len).min().unwrap_or(0);
                (shortest.min(8), std::cmp::Reverse(lits.len()))
            }),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for b in branches {
                all.extend(required_literals(b)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strings `find` gives for pattern `p`, as text.
    fn strings(p: &str, find: fn(&Hir) -> Option<Vec<Vec<u8>>>) -> Option<Vec<String>> {
        let hir = regex_syntax::parse(p).expect("parses");
        find(&hir).map(|v| {
            v.into_iter()
                .map(|l| String::from_utf8(l).expect("utf-8"))
                .collect()
        })
    }

    fn lits(p: &str) -> Option<Vec<String>> {
        strings(p, required_literals)
    }

    #[test]
    fn required_literals_are_sound() {
        assert_eq!(lits("mailbox (is )?full"), Some(vec!["mailbox ".into()]));
        assert_eq!(
            lits("(user|account) (is )?disabled"),
            Some(vec!["disabled".into()])
        );
        assert_eq!(
            lits("(?-u:\\b)(no such|unknown) user"),
            Some(vec!["no such".into(), "unknown".into()])
        );
        // Nothing every match must contain.
        assert_eq!(lits("(a|\\d+)"), None);
        assert_eq!(lits("(quota)?"), None);
        assert_eq!(lits("[0-9]{3}"), None);
    }

    fn exact(p: &str) -> Option<Vec<String>> {
        strings(p, exact_strings)
    }

    #[test]
    fn exact_languages_are_every_string_the_pattern_matches() {
        assert_eq!(exact("mailbox full"), Some(vec!["mailbox full".into()]));
        assert_eq!(
            exact("(user|account) (is )?disabled"),
            Some(vec![
                "account disabled".into(),
                "account is disabled".into(),
                "user disabled".into(),
                "user is disabled".into(),
            ])
        );
        assert_eq!(
            exact("unverif[iy]able"),
            Some(vec!["unverifiable".into(), "unverifyable".into()])
        );
        assert_eq!(exact("pt?r"), Some(vec!["pr".into(), "ptr".into()]));
        // Not a finite set of strings, or too many of them.
        assert_eq!(exact("(?-u:\\b)unknown user"), None);
        assert_eq!(exact("user .{0,20}not found"), None);
        assert_eq!(exact("over ?quota+"), None);
        assert_eq!(exact("[a-z]x"), None);
        assert_eq!(exact("(a|b|c|d)(e|f|g|h)(i|j|k|l)(m|n)(o|p)"), None);
    }

    #[test]
    fn a_plain_phrase_needs_no_parsing() {
        for p in [
            "mailbox full",
            "ab",
            "",
            "user's mailbox",
            "x-y #1 ~ & @",
            "a.b",
            "(a)",
            "mailbox (is )?full",
            "\\bword",
        ] {
            assert_eq!(pattern_literals(p), parsed_literals(p), "{p}");
        }
    }

    #[test]
    fn same_answer_as_running_every_set_in_order() {
        let sets: Vec<Vec<String>> = vec![
            vec!["mailbox (is )?full".into(), "over ?quota".into()],
            vec![
                "(?-u:\\b)(no such|unknown) user".into(),
                "user .{0,20}not found".into(),
            ],
            vec!["[45][0-9][0-9] ".into()],
            vec!["spam".into(), "blocked".into()],
            vec!["(account|user) (is )?(disabled|suspended)".into()],
        ];
        let p = PatternSets::new(&sets);
        let naive = |t: &str| {
            sets.iter()
                .position(|s| s.iter().any(|x| Regex::new(x).is_ok_and(|r| r.is_match(t))))
        };
        for t in [
            "550 5.2.2 mailbox full",
            "user kijitora not found here",
            "unknown user",
            "unknownuser",
            "blocked as spam",
            "over quota",
            "overquota",
            "452 try later",
            "",
            "nothing",
            "user is suspended",
            "account  disabled",
            "the account disabled it",
        ] {
            assert_eq!(p.first_match(t), naive(t), "{t}");
        }
        assert_eq!(p.compile_all(), 8);
    }

    #[test]
    fn a_part_of_a_text_is_classified_from_the_whole_texts_literals() {
        let sets: Vec<Vec<String>> = vec![
            vec!["mailbox (is )?full".into()],
            vec!["(?-u:\\b)unknown user".into()],
            vec!["blocked".into()],
        ];
        let p = PatternSets::new(&sets);
        let text = "host said: unknown user; mailbox full; blocked";
        let hits = p.hits(text);
        for start in 0..text.len() {
            for end in start..=text.len() {
                assert_eq!(
                    p.first_match_in(text, &hits, start..end),
                    p.first_match(&text[start..end]),
                    "{start}..{end}"
                );
            }
        }
    }
}
