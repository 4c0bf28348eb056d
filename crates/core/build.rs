//! Compiles the SMTP-command wording of bounces (`src/feeds/bounce/command_words.rs`) to
//! full DFAs, serialized into `OUT_DIR` for `feeds::bounce::text` to read: the patterns are
//! constants, so their automata are built once here instead of at every start-up and again
//! in every thread that searches.

use regex_automata::MatchKind;
use regex_automata::dfa::dense;

include!("src/feeds/bounce/command_words.rs");

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/feeds/bounce/command_words.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    for (name, words) in [
        ("commands", COMMAND_WORDS),
        ("implied_commands", IMPLIED_COMMAND_WORDS),
    ] {
        let patterns: Vec<String> = words.iter().map(|(p, _)| dfa_pattern(p)).collect();
        // Leftmost-first over the entries in order: the pattern number of a match says which
        // entry (and so which command) it was.
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .minimize(true),
            )
            .build_many(&patterns)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (bytes, padding) = if big_endian {
            dfa.to_bytes_big_endian()
        } else {
            dfa.to_bytes_little_endian()
        };
        std::fs::write(out.join(format!("{name}.dfa")), &bytes[padding..])
            .unwrap_or_else(|e| panic!("writing {name}.dfa: {e}"));
    }
}
