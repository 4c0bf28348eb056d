//! Ordered pattern sets behind one literal prefilter.
//!
//! The reason patterns (some 600, in ~35 ordered sets) are asked one question per text:
//! which is the first set with a matching pattern? Running every set's automaton over the
//! text costs one pass per set. Instead, each pattern's *required literals* are worked out
//! from its syntax tree (strings at least one of which every match contains); one pass over
//! the text ([`LiteralScan`]) finds which of them occur, and only the patterns whose
//! literals occurred (plus the few with none to require) are run. The answer is the same as
//! running every set in order: patterns are numbered set by set, so the first pattern (in
//! that numbering) that matches belongs to the first set that has a match.
//!
//! Most patterns (nine in ten) are plain phrases or finite alternations of phrases ("dmarc
//! (check|verification)? ?(failed|fail)"): their whole language is a few strings. Those
//! strings are their literals, and a literal found inside the part asked about *is* the
//! match: such a pattern never runs.
//!
//! The pattern file's index is worked out by `build.rs` (`pattern_literals.rs`, shared with
//! it), which also compiles each pattern that runs to a full DFA; nothing is parsed or
//! compiled at start-up (that was ~35 M instructions a process). The unit tests build their
//! own small sets at run time ([`PatternSets::new`]).

use std::sync::OnceLock;

use regex_automata::Input;
use regex_automata::dfa::Automaton;
use regex_automata::dfa::dense::DFA;

use super::built::{Aligned, read_dfa};
use super::literal_scan::LiteralScan;

/// How a pattern is tried on a part of a text.
enum Matcher {
    /// Never run: its language is exactly its literals, so a hit of one inside the part is
    /// its match (see the module docs).
    Exact,
    /// The full DFA `build.rs` compiled it to (the pattern file's patterns), read and
    /// checked when the pattern is first a candidate.
    Built(&'static [u8], Box<OnceLock<Option<DFA<&'static [u32]>>>>),
    /// Compiled from its source when first a candidate (the unit tests' own sets).
    #[cfg(test)]
    Source(String, OnceLock<Option<regex::Regex>>),
}

/// One pattern of a set.
struct Pattern {
    set: usize,
    matcher: Matcher,
}

impl Pattern {
    /// Whether the pattern matches `part` (given that it is a candidate for it).
    fn is_match(&self, part: &str) -> bool {
        match &self.matcher {
            Matcher::Exact => true,
            Matcher::Built(bytes, dfa) => {
                dfa.get_or_init(|| read_dfa(bytes))
                    .as_ref()
                    .is_some_and(|dfa| {
                        // Unanchored, no quit bytes: the search cannot fail.
                        matches!(
                            dfa.try_search_fwd(&Input::new(part).earliest(true)),
                            Ok(Some(_))
                        )
                    })
            }
            #[cfg(test)]
            Matcher::Source(source, compiled) => compiled
                .get_or_init(|| regex::Regex::new(source).ok())
                .as_ref()
                .is_some_and(|r| r.is_match(part)),
        }
    }
}

/// One occurrence of a required literal (see [`PatternSets::hits`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    start: usize,
    end: usize,
    literal: u32,
}

/// The index of the pattern file as `build.rs` worked it out (`OUT_DIR/reason_index.rs`).
pub(crate) struct BuiltIndex {
    /// Each pattern in order: its set, whether it is exact, and where its DFA lies in `dfas`
    /// (an empty range for an exact pattern).
    pub(crate) patterns: &'static [(u32, bool, u32, u32)],
    /// The literals, numbered by position.
    pub(crate) literals: &'static [&'static [u8]],
    /// Each literal's piece the scan keys it on (see [`LiteralScan::with_anchors`]).
    pub(crate) anchors: &'static [u32],
    /// Literal number -> the patterns requiring it.
    pub(crate) by_literal: &'static [&'static [u32]],
    /// Patterns with no literal to require.
    pub(crate) always: &'static [u32],
    /// The patterns' serialized DFAs, one after another (each at a multiple of 8 bytes).
    pub(crate) dfas: &'static Aligned<[u8]>,
}

/// Ordered sets of patterns with the literal prefilter (see the module docs).
pub(crate) struct PatternSets {
    patterns: Vec<Pattern>,
    /// Literal id → the patterns requiring it.
    by_literal: Vec<Vec<u32>>,
    /// Patterns with no literal to require: candidates for every text.
    always: Vec<u32>,
    literals: Option<LiteralScan>,
}

impl PatternSets {
    /// The pattern file's sets, from the index and DFAs `build.rs` wrote: nothing is parsed
    /// or compiled at start-up, and a pattern's DFA is read when it is first a candidate.
    pub(crate) fn built(index: &BuiltIndex) -> Self {
        let patterns = index
            .patterns
            .iter()
            .map(|&(set, exact, start, end)| Pattern {
                set: set as usize,
                matcher: if exact {
                    Matcher::Exact
                } else {
                    let bytes = index.dfas.bytes.get(start as usize..end as usize);
                    Matcher::Built(bytes.unwrap_or(&[]), Box::default())
                },
            })
            .collect();
        Self::with_index(
            patterns,
            index.by_literal.iter().map(|p| p.to_vec()).collect(),
            index.always.to_vec(),
            LiteralScan::with_anchors(index.literals, index.anchors),
        )
    }

    /// Sets in order, each a list of patterns (regex syntax, matched case-sensitively; a
    /// pattern that does not parse never matches), indexed and compiled at run time.
    #[cfg(test)]
    pub(crate) fn new(sets: &[Vec<String>]) -> Self {
        let plan = super::pattern_literals::plan_index(sets);
        let sources = sets.iter().flatten();
        let patterns = plan
            .patterns
            .iter()
            .zip(sources)
            .map(|(&(set, exact), source)| Pattern {
                set,
                matcher: if exact {
                    Matcher::Exact
                } else {
                    Matcher::Source(source.clone(), OnceLock::new())
                },
            })
            .collect();
        let literals = LiteralScan::new(&plan.literals);
        Self::with_index(patterns, plan.by_literal, plan.always, literals)
    }

    fn with_index(
        patterns: Vec<Pattern>,
        by_literal: Vec<Vec<u32>>,
        mut always: Vec<u32>,
        literals: Option<LiteralScan>,
    ) -> Self {
        if literals.is_none() {
            // Cannot happen (literals are three bytes or more); if it did, every pattern
            // runs.
            always = (0..patterns.len() as u32).collect();
        }
        PatternSets {
            patterns,
            by_literal,
            always,
            literals,
        }
    }

    /// Whether the literal scan was built (without it, every pattern runs).
    #[cfg(test)]
    pub(crate) fn has_literal_scan(&self) -> bool {
        self.literals.is_some()
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
                if p.is_match(part) {
                    return Some(p.set);
                }
            }
        }
        None
    }

    /// Compiles every pattern that runs (the exact ones never do) and counts those that
    /// compiled.
    #[cfg(test)]
    fn compile_all(&self) -> usize {
        self.patterns
            .iter()
            .filter(|p| {
                p.is_match("");
                match &p.matcher {
                    Matcher::Source(_, compiled) => compiled.get().is_some_and(Option::is_some),
                    _ => false,
                }
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::super::pattern_literals::{
        exact_strings, parsed_literals, pattern_literals, required_literals,
    };
    use super::*;
    use regex::Regex;
    use regex_syntax::hir::Hir;

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
        // Three of the eight are not exact: they run, and compile.
        assert_eq!(p.compile_all(), 3);
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
