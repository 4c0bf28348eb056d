//! Printing results as text or JSON, and opening the store.

use anyhow::Context;
use inboxlens_store::{Store, default_db_path};
use serde::Serialize;

use crate::InputError;
use crate::args::{Cli, Format};

/// Opens the database named by `--db` / `INBOXLENS_DB`, or the default one.
pub fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let path = match &cli.db {
        Some(p) => p.clone(),
        None => default_db_path()
            .context("cannot determine the platform data folder (is HOME set?); pass --db PATH")?,
    };
    Store::open(&path).map_err(|e| InputError(e.to_string()).into())
}

/// Prints `value` as JSON (pretty for `json`, one line for `jsonl`).
pub fn print_json<T: Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    let text = if format == Format::Json {
        serde_json::to_string_pretty(value)?
    } else {
        serde_json::to_string(value)?
    };
    outln!("{text}")?;
    Ok(())
}

/// Prints a list: one JSON array for `json`, one line per item for `jsonl`.
pub fn print_json_list<T: Serialize>(format: Format, items: &[T]) -> anyhow::Result<()> {
    if format == Format::Jsonl {
        for item in items {
            outln!("{}", serde_json::to_string(item)?)?;
        }
        Ok(())
    } else {
        print_json(format, &items)
    }
}

/// Turns a store error into an input error (exit 2) with its message.
pub fn input<E: std::fmt::Display>(e: E) -> anyhow::Error {
    InputError(e.to_string()).into()
}

/// Prints findings above `pass` as text: severity, id and title, and for warnings and worse
/// the first evidence lines and the fix.
pub fn print_findings(findings: &[inboxlens_core::Finding]) -> std::io::Result<()> {
    use inboxlens_core::Severity;
    for f in findings.iter().filter(|f| f.severity > Severity::Pass) {
        outln!("  [{}] {}: {}", f.severity.as_str(), f.id, f.title)?;
        if f.severity >= Severity::Warning {
            for e in f.evidence.iter().take(4) {
                outln!("      {e}")?;
            }
            if !f.fix.is_empty() {
                outln!("      fix: {}", f.fix)?;
            }
        }
    }
    Ok(())
}

/// Reads one item per line from `path` (`-` = stdin); `#` starts a comment. A line that does
/// not parse is reported as `FILE:LINE` on stderr and skipped; the rest are returned.
pub fn read_list<T>(
    path: &std::path::Path,
    parse: impl Fn(&str) -> Result<T, String>,
) -> anyhow::Result<Vec<T>> {
    use std::io::BufRead;
    let name = path.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(path).map_err(|e| input(format!("{name}: {e}")))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| input(format!("{name}: {e}")))?;
        let t = line.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        match parse(t) {
            Ok(v) => out.push(v),
            Err(e) => eprintln!("inboxlens: {name}:{}: skipped '{t}': {e}", i + 1),
        }
    }
    Ok(out)
}
