//! Compiles constant expressions of the bounce decoder to full DFAs, serialized into
//! `OUT_DIR` for `feeds::bounce::text` to read: the SMTP-command wording
//! (`src/feeds/bounce/command_words.rs`), the line expressions of the error-text reader
//! (`src/feeds/bounce/line_patterns.rs`) and the expressions it searches error text with
//! (`src/feeds/bounce/text_patterns.rs`). Built once here instead of at every start-up and
//! again, state by state, in every thread that searches.
//!
//! It also works out the reason patterns' index (`data/bounce-reasons.toml`: each pattern's
//! required literals, see `src/feeds/bounce/pattern_literals.rs`) and compiles every pattern
//! that must run to a DFA of its own: `reason_index.rs` and `reason_patterns.dfa`, read by
//! `feeds::bounce::reason`. And it writes `prefixes.rs`, the literals each unanchored DFA's
//! matches start with, from which the crate builds the DFA's prefilter when it reads it.

use regex_automata::MatchKind;
use regex_automata::dfa::{StartKind, dense, regex};

include!("src/feeds/bounce/command_words.rs");
include!("src/feeds/bounce/line_patterns.rs");
include!("src/feeds/bounce/text_patterns.rs");
include!("src/feeds/bounce/pattern_literals.rs");

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/command_words.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/line_patterns.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/text_patterns.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/pattern_literals.rs");
    println!("cargo::rerun-if-changed=data/bounce-reasons.toml");
    // The command lists: unanchored, leftmost-first over the entries in order, so the
    // pattern number of a match says which entry (and so which command) it was.
    let mut prefixes = Vec::new();
    // `any_commands`: both lists in one, the named ones first (see `text::command`).
    let both: Vec<(&str, &str)> = COMMAND_WORDS
        .iter()
        .chain(IMPLIED_COMMAND_WORDS)
        .copied()
        .collect();
    for (name, words) in [
        ("commands", COMMAND_WORDS),
        ("implied_commands", IMPLIED_COMMAND_WORDS),
        ("any_commands", &both[..]),
    ] {
        let patterns: Vec<String> = words.iter().map(|(p, _)| dfa_pattern(p)).collect();
        let prefix = prefix_literals(&patterns);
        write(name, &patterns, StartKind::Unanchored, prefix.is_some());
        prefixes.push((name.to_string(), prefix));
    }
    // The line expressions all start with `^`: anchored searches only.
    for (name, pattern) in [
        ("boundary", BOUNDARY.to_string()),
        ("header_line", HEADER_LINE.to_string()),
        ("start_header", start_header()),
    ] {
        write(name, &[pattern], StartKind::Anchored, false);
    }
    // The search expressions: a forward DFA finds where the leftmost-first match ends, a
    // reverse one (anchored there) where it starts, as `regex_automata::dfa::regex` pairs
    // them; only unanchored forward searches are run.
    for (name, pattern) in FIND_PATTERNS {
        let pattern = ascii_word_boundaries(pattern);
        let prefix = prefix_literals(std::slice::from_ref(&pattern));
        let re = regex::Builder::new()
            .dense(config(
                MatchKind::LeftmostFirst,
                StartKind::Unanchored,
                prefix.is_some(),
            ))
            .build(&pattern)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        save(&format!("{name}.fwd"), re.forward());
        save(&format!("{name}.rev"), re.reverse());
        prefixes.push((name.to_string(), prefix));
    }
    write_prefixes(&prefixes);
    // The remote-host expressions together, every match kind: one pass tells which of them
    // match anywhere (only those are then searched for their match).
    let rhost = dense::Builder::new()
        .configure(config(MatchKind::All, StartKind::Unanchored, false))
        .build_many(&RHOST.map(ascii_word_boundaries))
        .unwrap_or_else(|e| panic!("rhost_any: {e}"));
    save("rhost_any", &rhost);
    reason_index();
}

/// The reason pattern file's index and DFAs (see the module docs).
fn reason_index() {
    let file: toml::Table = include_str!("data/bounce-reasons.toml")
        .parse()
        .unwrap_or_else(|e| panic!("data/bounce-reasons.toml: {e}"));
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut reasons = Vec::new();
    let mut sets = Vec::new();
    for entry in file
        .get("reason")
        .and_then(toml::Value::as_array)
        .expect("[[reason]] blocks")
    {
        let name = entry
            .get("name")
            .and_then(toml::Value::as_str)
            .expect("a reason's name");
        let is_final = entry
            .get("final")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        reasons.push((name.to_string(), is_final));
        // Matched against lower-cased text, word boundaries ASCII (as the regexes were).
        let patterns = strings(entry.get("patterns"));
        sets.push(
            patterns
                .iter()
                .map(|p| ascii_word_boundaries(p))
                .collect::<Vec<_>>(),
        );
    }
    let after_data = strings(file.get("after_data_directories"));
    let plan = plan_index(&sets);
    let anchors = anchor_offsets(&plan.literals);
    // Each pattern that runs (not an exact one) as an unanchored forward DFA: the question
    // is only whether it matches.
    let mut dfas: Vec<u8> = Vec::new();
    let mut ranges = Vec::new();
    for (&(_, exact), source) in plan.patterns.iter().zip(sets.iter().flatten()) {
        if exact {
            ranges.push((0, 0));
            continue;
        }
        let dfa = dense::Builder::new()
            .configure(config(
                MatchKind::LeftmostFirst,
                StartKind::Unanchored,
                false,
            ))
            .build(source)
            .unwrap_or_else(|e| panic!("reason pattern {source}: {e}"));
        dfas.resize(dfas.len().next_multiple_of(8), 0);
        let start = dfas.len();
        dfas.extend_from_slice(&serialize(&dfa));
        ranges.push((start, dfas.len()));
    }
    std::fs::write(out_dir().join("reason_patterns.dfa"), &dfas)
        .unwrap_or_else(|e| panic!("writing reason_patterns.dfa: {e}"));
    let mut rust =
        String::from("// Written by crates/core/build.rs from data/bounce-reasons.toml.\n\n");
    let list = |items: Vec<String>| items.join(", ");
    rust += &format!(
        "/// Reasons in file order: name, final.\npub(super) const REASONS: &[(&str, bool)] = &[{}];\n",
        list(
            reasons
                .iter()
                .map(|(n, f)| format!("({n:?}, {f})"))
                .collect()
        )
    );
    rust += &format!(
        "/// Hosts of providers that check the mailbox after DATA.\npub(super) const AFTER_DATA_DIRECTORIES: &[&str] = &[{}];\n",
        list(after_data.iter().map(|h| format!("{h:?}")).collect())
    );
    rust += &format!(
        "/// Patterns: set, exact, DFA range in reason_patterns.dfa.\npub(super) const PATTERNS: &[(u32, bool, u32, u32)] = &[{}];\n",
        list(
            plan.patterns
                .iter()
                .zip(&ranges)
                .map(|((set, exact), (s, e))| format!("({set}, {exact}, {s}, {e})"))
                .collect()
        )
    );
    rust += &format!(
        "/// The literals.\npub(super) const LITERALS: &[&[u8]] = &[{}];\n",
        list(plan.literals.iter().map(|l| format!("&{l:?}")).collect())
    );
    rust += &format!(
        "/// Each literal's anchor offset.\npub(super) const ANCHORS: &[u32] = &{anchors:?};\n"
    );
    rust += &format!(
        "/// Literal -> patterns requiring it.\npub(super) const BY_LITERAL: &[&[u32]] = &[{}];\n",
        list(plan.by_literal.iter().map(|p| format!("&{p:?}")).collect())
    );
    rust += &format!(
        "/// Patterns with no literal to require.\npub(super) const ALWAYS: &[u32] = &{:?};\n",
        plan.always
    );
    std::fs::write(out_dir().join("reason_index.rs"), rust)
        .unwrap_or_else(|e| panic!("writing reason_index.rs: {e}"));
}

/// The literals every match of `patterns` starts with, as the regex engine works them out
/// for its own prefilter (leftmost-first): `None` when there is no such finite set or the
/// prefilter they make is not a fast one (the crate builds the same prefilter from them).
fn prefix_literals(patterns: &[String]) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let mut seq = Seq::empty();
    for p in patterns {
        let hir = regex_syntax::parse(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        seq.union(&mut extractor.extract(&hir));
    }
    seq.optimize_for_prefix_by_preference();
    let literals = seq.literals()?;
    let literals: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
    let usable = !literals.is_empty() && literals.iter().all(|l| !l.is_empty());
    let fast = usable
        && regex_automata::util::prefilter::Prefilter::new(MatchKind::LeftmostFirst, &literals)
            .is_some_and(|p| p.is_fast());
    fast.then_some(literals)
}

/// Writes `prefixes.rs`: each searched DFA's prefix literals, from which the crate builds the
/// prefilter it attaches to the DFA (prefilters are not serialized with a DFA).
fn write_prefixes(prefixes: &[(String, Option<Vec<Vec<u8>>>)]) {
    let entries: Vec<String> = prefixes
        .iter()
        .map(|(name, lits)| match lits {
            Some(lits) => format!(
                "({name:?}, Some(&[{}]))",
                lits.iter()
                    .map(|l| format!("&{l:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!("({name:?}, None)"),
        })
        .collect();
    let rust = format!(
        "// Written by crates/core/build.rs.\n\n/// Each unanchored DFA's prefix literals (`None`: no finite set).\npub(super) const PREFIXES: &[(&str, Option<&[&[u8]]>)] = &[{}];\n",
        entries.join(", ")
    );
    std::fs::write(out_dir().join("prefixes.rs"), rust)
        .unwrap_or_else(|e| panic!("writing prefixes.rs: {e}"));
}

fn out_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
}

fn write(name: &str, patterns: &[String], start: StartKind, prefiltered: bool) {
    let dfa = dense::Builder::new()
        .configure(config(MatchKind::LeftmostFirst, start, prefiltered))
        .build_many(patterns)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    save(name, &dfa);
}

/// How every DFA here is built (minimized: smaller to ship and to check when read).
/// `prefiltered`: the DFA gets a prefilter when it is read (its start states are marked so
/// that the search can use one; without a prefilter marked start states only slow it).
fn config(kind: MatchKind, start: StartKind, prefiltered: bool) -> dense::Config {
    dense::Config::new()
        .match_kind(kind)
        .start_kind(start)
        .specialize_start_states(prefiltered)
        .minimize(true)
}

/// Writes `dfa` to `OUT_DIR/<name>.dfa`.
fn save(name: &str, dfa: &dense::DFA<Vec<u32>>) {
    std::fs::write(out_dir().join(format!("{name}.dfa")), serialize(dfa))
        .unwrap_or_else(|e| panic!("writing {name}.dfa: {e}"));
}

/// `dfa` serialized in the target's byte order.
fn serialize(dfa: &dense::DFA<Vec<u32>>) -> Vec<u8> {
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    let (bytes, padding) = if big_endian {
        dfa.to_bytes_big_endian()
    } else {
        dfa.to_bytes_little_endian()
    };
    bytes[padding..].to_vec()
}
