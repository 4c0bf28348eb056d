//! Embeds the default rule set (`rules/<area>/<id>.toml`) into the store, which seeds it
//! into every database (issue #8, DESIGN.md §4).

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    if let Ok(areas) = std::fs::read_dir(&root) {
        for area in areas.flatten() {
            let area = area.path();
            if !area.is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", area.display());
            if let Ok(rules) = std::fs::read_dir(&area) {
                for f in rules.flatten() {
                    let p = f.path();
                    if p.extension().is_some_and(|e| e == "toml") {
                        files.push(p);
                    }
                }
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// The default rule set: (path under rules/, TOML).\npub const DEFAULT_RULES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let _ = writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("default_rules.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("{}: {e}", dest.display());
    }
}
