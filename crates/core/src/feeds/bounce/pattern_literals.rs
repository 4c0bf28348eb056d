// How the reason patterns' index is worked out (see `prefilter.rs`): each pattern's required
// literals, read from its syntax tree, the index of patterns by literal, and the piece of each
// literal the scan keys on (see `literal_scan.rs`). build.rs includes this file and works the
// index out once, with the crate; the crate's tests work it out again at run time for their
// own pattern sets. So it holds items only (no inner attributes or `//!` comments) and uses
// nothing but the standard library and `regex_syntax`.

use regex_syntax::hir::{Hir, HirKind};

/// Literals shorter than this select too little to be worth it: such a pattern always runs.
pub(crate) const MIN_LITERAL: usize = 3;
/// More alternatives than this and a pattern always runs.
pub(crate) const MAX_ALTERNATIVES: usize = 64;

/// A pattern's literals (`None` when it has none to require) and whether they are its whole
/// language.
pub(crate) type Literals = (Option<Vec<Vec<u8>>>, bool);

/// Whether a pattern's literals can index it: few enough, none too short.
pub(crate) fn usable(lits: &[Vec<u8>]) -> bool {
    lits.len() <= MAX_ALTERNATIVES && lits.iter().all(|l| l.len() >= MIN_LITERAL)
}

/// A pattern's literals for the index and whether they are its whole language (see
/// `prefilter.rs`).
pub(crate) fn pattern_literals(source: &str) -> Literals {
    // A plain phrase (no character that means anything to the regex syntax: it is its own
    // escape) is its one string, without parsing (two in three patterns).
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
pub(crate) fn parsed_literals(source: &str) -> Literals {
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
pub(crate) fn exact_strings(hir: &Hir) -> Option<Vec<Vec<u8>>> {
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
pub(crate) fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(vec![lit.0.to_vec()]),
        HirKind::Capture(c) => required_literals(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_literals(&r.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required_literals)
            .max_by_key(|lits| {
                let shortest = lits.iter().map(Vec::len).min().unwrap_or(0);
                // Digits alone (reply codes, pieces of addresses, dates and queue ids) turn
                // up in most reports; literals with a letter in each select fewer texts.
                let worded = lits.iter().all(|l| l.iter().any(u8::is_ascii_alphabetic));
                (shortest.min(8), worded, std::cmp::Reverse(lits.len()))
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

/// The index of ordered pattern sets (see `prefilter::PatternSets`).
pub(crate) struct IndexPlan {
    /// Each pattern in order (set by set): its set and whether its literals are its whole
    /// language.
    pub(crate) patterns: Vec<(usize, bool)>,
    /// The distinct literals, numbered in order of first use.
    pub(crate) literals: Vec<Vec<u8>>,
    /// Literal number -> the patterns requiring it, in order.
    pub(crate) by_literal: Vec<Vec<u32>>,
    /// Patterns with no literal to require: candidates for every text.
    pub(crate) always: Vec<u32>,
}

/// Works out the index of `sets` (each a list of patterns, in order).
pub(crate) fn plan_index(sets: &[Vec<String>]) -> IndexPlan {
    let mut plan = IndexPlan {
        patterns: Vec::new(),
        literals: Vec::new(),
        by_literal: Vec::new(),
        always: Vec::new(),
    };
    let mut literal_ids: std::collections::HashMap<Vec<u8>, u32> = Default::default();
    for (set, sources) in sets.iter().enumerate() {
        for source in sources {
            let id = plan.patterns.len() as u32;
            let (required, is_exact) = pattern_literals(source);
            match required {
                Some(lits) => {
                    for lit in lits {
                        let lid = *literal_ids.entry(lit.clone()).or_insert_with(|| {
                            plan.literals.push(lit);
                            plan.by_literal.push(Vec::new());
                            (plan.literals.len() - 1) as u32
                        });
                        let users = &mut plan.by_literal[lid as usize];
                        if users.last() != Some(&id) {
                            users.push(id);
                        }
                    }
                }
                None => plan.always.push(id),
            }
            plan.patterns.push((set, is_exact));
        }
    }
    plan
}

/// For each literal, the offset of the four-byte piece the scan keys it on: the one fewest
/// other literals hold (0 for a three-byte literal, keyed on itself).
pub(crate) fn anchor_offsets(literals: &[Vec<u8>]) -> Vec<u32> {
    let key = |w: &[u8]| u32::from_le_bytes(w.try_into().unwrap_or([0; 4]));
    let mut counts: std::collections::HashMap<u32, u32> = Default::default();
    for l in literals {
        for w in l.windows(4) {
            *counts.entry(key(w)).or_default() += 1;
        }
    }
    literals
        .iter()
        .map(|l| {
            l.windows(4)
                .enumerate()
                .min_by_key(|(_, w)| counts.get(&key(w)).copied().unwrap_or(0))
                .map_or(0, |(offset, _)| offset as u32)
        })
        .collect()
}
