//! Check history: what was checked, when, with which resolver, and the full result.

use rusqlite::params;
use serde::Serialize;

use crate::error::StoreError;
use crate::open::Store;

/// A check to record.
#[derive(Debug, Clone)]
pub struct NewCheck<'a> {
    /// The account it was run for, if any.
    pub account_id: Option<i64>,
    /// What kind of check (`lookup`, `audit`, `blocklist`, …).
    pub kind: &'a str,
    /// What was checked (a domain, an IP, a file name).
    pub target: &'a str,
    /// Which resolver answered (`Resolver::describe`).
    pub resolver: &'a str,
    /// The full result as JSON text, as the CLI's JSON output shows it (serialized once by
    /// the caller, which usually prints the same text; the store checks it is valid JSON).
    pub result: &'a str,
}

/// A recorded check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Row id.
    pub id: i64,
    /// Account id, if the check belonged to one.
    pub account_id: Option<i64>,
    /// Kind of check.
    pub kind: String,
    /// What was checked.
    pub target: String,
    /// RFC 3339 UTC time.
    pub checked_at: String,
    /// Which resolver answered.
    pub resolver: String,
    /// The full result.
    pub result: serde_json::Value,
}

impl Store {
    /// Records a finished check; returns its id.
    pub fn record_check(&mut self, c: &NewCheck<'_>) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO check_history (account_id, kind, target, resolver, result)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.account_id, c.kind, c.target, c.resolver, c.result],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records several finished checks in one transaction: all of them or none.
    pub fn record_checks(&mut self, checks: &[NewCheck<'_>]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO check_history (account_id, kind, target, resolver, result)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for c in checks {
                stmt.execute(params![
                    c.account_id,
                    c.kind,
                    c.target,
                    c.resolver,
                    c.result
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest `limit` checks of one kind on one target (`audit` of `example.com`),
    /// newest first.
    pub fn checks_of(
        &self,
        kind: &str,
        target: &str,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, account_id, kind, target, checked_at, resolver, result
             FROM check_history
             WHERE kind = ?1 AND target = ?2
             ORDER BY checked_at DESC, id DESC LIMIT ?3",
        )?;
        read_entries(&mut stmt, params![kind, target, limit])
    }

    /// The newest `limit` checks, newest first, optionally of one account only.
    pub fn history(
        &self,
        account_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, account_id, kind, target, checked_at, resolver, result
             FROM check_history
             WHERE ?1 IS NULL OR account_id = ?1
             ORDER BY checked_at DESC, id DESC LIMIT ?2",
        )?;
        read_entries(&mut stmt, params![account_id, limit])
    }
}

/// Runs a `SELECT id, account_id, kind, target, checked_at, resolver, result …` and parses
/// each stored result.
fn read_entries(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let rows = stmt.query_map(params, |r| {
        Ok((
            HistoryEntry {
                id: r.get(0)?,
                account_id: r.get(1)?,
                kind: r.get(2)?,
                target: r.get(3)?,
                checked_at: r.get(4)?,
                resolver: r.get(5)?,
                result: serde_json::Value::Null,
            },
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut entry, json) = row?;
        entry.result = serde_json::from_str(&json)?;
        out.push(entry);
    }
    Ok(out)
}

/// Finding ids above `pass` in a stored result's JSON `findings` array (an audit, a blocklist
/// check, a verified message): what changed between two runs, what rules read.
pub use inboxlens_core::audit::history::finding_ids;
