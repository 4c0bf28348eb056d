//! Customer accounts: name, domains, sending IPs, DKIM selectors, notes.

use inboxlens_core::account::{AccountInput, ValidAccount};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::open::Store;

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Row id.
    pub id: i64,
    /// Unique name (case-insensitive).
    pub name: String,
    /// Sending domains in the order given.
    pub domains: Vec<String>,
    /// Sending IPs in the order given.
    pub sending_ips: Vec<String>,
    /// DKIM selectors in the order given.
    pub dkim_selectors: Vec<String>,
    /// Notes.
    pub notes: String,
    /// RFC 3339 UTC creation time.
    pub created_at: String,
    /// RFC 3339 UTC time of the last edit.
    pub updated_at: String,
}

impl Store {
    /// All accounts, by name.
    pub fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM accounts ORDER BY name COLLATE NOCASE, id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter().map(|id| self.account(id)).collect()
    }

    /// The account with this id.
    pub fn account(&self, id: i64) -> Result<Account, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, notes, created_at, updated_at FROM accounts WHERE id = ?1",
                [id],
                |r| {
                    Ok(Account {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        notes: r.get(2)?,
                        created_at: r.get(3)?,
                        updated_at: r.get(4)?,
                        domains: Vec::new(),
                        sending_ips: Vec::new(),
                        dkim_selectors: Vec::new(),
                    })
                },
            )
            .optional()?;
        let mut account = row.ok_or_else(|| StoreError::NotFound {
            what: "account",
            name: format!("#{id}"),
        })?;
        account.domains = self.list_of("account_domains", "domain", id)?;
        account.sending_ips = self.list_of("account_ips", "ip", id)?;
        account.dkim_selectors = self.list_of("account_selectors", "selector", id)?;
        Ok(account)
    }

    /// The account with this name (case-insensitive).
    pub fn account_by_name(&self, name: &str) -> Result<Account, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM accounts WHERE name = ?1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.account(id),
            None => Err(StoreError::NotFound {
                what: "account",
                name: name.to_string(),
            }),
        }
    }

    /// Validates and creates an account.
    pub fn create_account(&mut self, input: &AccountInput) -> Result<Account, StoreError> {
        let valid = input.validate()?;
        let tx = self.conn.transaction()?;
        let id = {
            let inserted = tx.execute(
                "INSERT INTO accounts (name, notes) VALUES (?1, ?2)",
                params![valid.name, valid.notes],
            );
            match inserted {
                Ok(_) => tx.last_insert_rowid(),
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::Duplicate(valid.name));
                }
                Err(e) => return Err(e.into()),
            }
        };
        write_lists(&tx, id, &valid)?;
        tx.commit()?;
        self.account(id)
    }

    /// Validates and replaces every field of account `id`.
    pub fn update_account(&mut self, id: i64, input: &AccountInput) -> Result<Account, StoreError> {
        let valid = input.validate()?;
        let tx = self.conn.transaction()?;
        let changed = match tx.execute(
            "UPDATE accounts SET name = ?1, notes = ?2,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?3",
            params![valid.name, valid.notes, id],
        ) {
            Ok(n) => n,
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Duplicate(valid.name)),
            Err(e) => return Err(e.into()),
        };
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "account",
                name: format!("#{id}"),
            });
        }
        for table in ["account_domains", "account_ips", "account_selectors"] {
            tx.execute(&format!("DELETE FROM {table} WHERE account_id = ?1"), [id])?;
        }
        write_lists(&tx, id, &valid)?;
        tx.commit()?;
        self.account(id)
    }

    /// Deletes account `id` with everything stored for it (its history included).
    pub fn delete_account(&mut self, id: i64) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM accounts WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "account",
                name: format!("#{id}"),
            });
        }
        Ok(())
    }

    fn list_of(&self, table: &str, column: &str, id: i64) -> Result<Vec<String>, StoreError> {
        let sql = format!("SELECT {column} FROM {table} WHERE account_id = ?1 ORDER BY position");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn write_lists(tx: &Transaction<'_>, id: i64, v: &ValidAccount) -> Result<(), StoreError> {
    let ips: Vec<String> = v.sending_ips.iter().map(|ip| ip.to_string()).collect();
    for (table, column, values) in [
        ("account_domains", "domain", &v.domains),
        ("account_ips", "ip", &ips),
        ("account_selectors", "selector", &v.dkim_selectors),
    ] {
        let sql =
            format!("INSERT INTO {table} (account_id, position, {column}) VALUES (?1, ?2, ?3)");
        let mut stmt = tx.prepare_cached(&sql)?;
        for (pos, value) in values.iter().enumerate() {
            stmt.execute(params![id, pos as i64, value])?;
        }
    }
    Ok(())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}
