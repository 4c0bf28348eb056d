//! Compiles constant expressions of the bounce decoder to full DFAs, serialized into
//! `OUT_DIR` for `feeds::bounce::text` to read: the SMTP-command wording
//! (`src/feeds/bounce/command_words.rs`), the line expressions of the error-text reader
//! (`src/feeds/bounce/line_patterns.rs`) and the expressions it searches error text with
//! (`src/feeds/bounce/text_patterns.rs`). Built once here instead of at every start-up and
//! again, state by state, in every thread that searches.

use regex_automata::MatchKind;
use regex_automata::dfa::{StartKind, dense, regex};

include!("src/feeds/bounce/command_words.rs");
include!("src/feeds/bounce/line_patterns.rs");
include!("src/feeds/bounce/text_patterns.rs");

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/command_words.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/line_patterns.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/text_patterns.rs");
    // The command lists: unanchored, leftmost-first over the entries in order, so the
    // pattern number of a match says which entry (and so which command) it was.
    for (name, words) in [
        ("commands", COMMAND_WORDS),
        ("implied_commands", IMPLIED_COMMAND_WORDS),
    ] {
        let patterns: Vec<String> = words.iter().map(|(p, _)| dfa_pattern(p)).collect();
        write(name, &patterns, StartKind::Unanchored);
    }
    // The line expressions all start with `^`: anchored searches only.
    for (name, pattern) in [
        ("boundary", BOUNDARY.to_string()),
        ("header_line", HEADER_LINE.to_string()),
        ("start_header", start_header()),
    ] {
        write(name, &[pattern], StartKind::Anchored);
    }
    // The search expressions: a forward DFA finds where the leftmost-first match ends, a
    // reverse one (anchored there) where it starts, as `regex_automata::dfa::regex` pairs
    // them; only unanchored forward searches are run.
    for (name, pattern) in FIND_PATTERNS {
        let re = regex::Builder::new()
            .dense(
                dense::Config::new()
                    .start_kind(StartKind::Unanchored)
                    .minimize(true),
            )
            .build(&ascii_word_boundaries(pattern))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        save(&format!("{name}.fwd"), re.forward());
        save(&format!("{name}.rev"), re.reverse());
    }
}

fn write(name: &str, patterns: &[String], start: StartKind) {
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .start_kind(start)
                .minimize(true),
        )
        .build_many(patterns)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    save(name, &dfa);
}

/// Writes `dfa` to `OUT_DIR/<name>.dfa` in the target's byte order.
fn save(name: &str, dfa: &dense::DFA<Vec<u32>>) {
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    let (bytes, padding) = if big_endian {
        dfa.to_bytes_big_endian()
    } else {
        dfa.to_bytes_little_endian()
    };
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join(format!("{name}.dfa")), &bytes[padding..])
        .unwrap_or_else(|e| panic!("writing {name}.dfa: {e}"));
}
