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
    println!("{text}");
    Ok(())
}

/// Prints a list: one JSON array for `json`, one line per item for `jsonl`.
pub fn print_json_list<T: Serialize>(format: Format, items: &[T]) -> anyhow::Result<()> {
    if format == Format::Jsonl {
        for item in items {
            println!("{}", serde_json::to_string(item)?);
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
