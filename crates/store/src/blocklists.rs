//! The DNSBL catalogue in the database: seeded from the built-in catalogue, edited by users.
//!
//! Seeding (at every open) inserts built-in lists that are new, updates built-in lists the
//! user has not edited when the shipped entry changed, and never resurrects a built-in list
//! the user deleted or overwrites one the user edited.

use inboxlens_core::blocklist::{Catalogue, ListSpec};
use rusqlite::{OptionalExtension, params};

use crate::error::StoreError;
use crate::open::Store;

/// FNV-1a 64 of the entry's JSON: stable across builds and Rust versions.
fn content_hash(spec: &ListSpec) -> Result<String, StoreError> {
    let json = serde_json::to_string(spec)?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Ok(format!("{h:016x}"))
}

impl Store {
    /// Brings the stored catalogue up to date with `builtin` (see the module docs).
    pub fn seed_blocklists(&mut self, builtin: &Catalogue) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let mut next_pos: i64 = tx.query_row(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM blocklists",
            [],
            |r| r.get(0),
        )?;
        for spec in &builtin.lists {
            let hash = content_hash(spec)?;
            let row: Option<(Option<String>, bool, bool)> = tx
                .query_row(
                    "SELECT builtin_hash, user_edited, deleted FROM blocklists WHERE zone = ?1",
                    [&spec.zone],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            match row {
                None => {
                    tx.execute(
                        "INSERT INTO blocklists (zone, position, spec, builtin_hash) VALUES (?1, ?2, ?3, ?4)",
                        params![spec.zone, next_pos, serde_json::to_string(spec)?, hash],
                    )?;
                    next_pos += 1;
                }
                Some((old, false, false)) if old.as_deref() != Some(hash.as_str()) => {
                    tx.execute(
                        "UPDATE blocklists SET spec = ?2, builtin_hash = ?3 WHERE zone = ?1",
                        params![spec.zone, serde_json::to_string(spec)?, hash],
                    )?;
                }
                Some(_) => {}
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The catalogue as stored (deleted lists left out), in order.
    pub fn blocklists(&self) -> Result<Catalogue, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT spec FROM blocklists WHERE deleted = 0 ORDER BY position, zone",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut lists = Vec::new();
        for row in rows {
            lists.push(serde_json::from_str(&row?)?);
        }
        Ok(Catalogue { lists })
    }

    /// Replaces the whole catalogue with `catalogue` (validated TOML the user edited or
    /// imported). Lists missing from it are marked deleted; lists that differ from their
    /// built-in entry, and new lists, become the user's.
    pub fn replace_blocklists(&mut self, catalogue: &Catalogue) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE blocklists SET deleted = 1", [])?;
        for (pos, spec) in catalogue.lists.iter().enumerate() {
            // A built-in list saved unchanged stays "built-in": later upgrades still reach it.
            tx.execute(
                "INSERT INTO blocklists (zone, position, spec, builtin_hash, user_edited, deleted)
                 VALUES (?1, ?2, ?3, NULL, 1, 0)
                 ON CONFLICT (zone) DO UPDATE SET position = excluded.position,
                     spec = excluded.spec, deleted = 0,
                     user_edited = CASE WHEN builtin_hash = ?4 THEN 0 ELSE 1 END",
                params![
                    spec.zone,
                    pos as i64,
                    serde_json::to_string(spec)?,
                    content_hash(spec)?
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Turns one list on or off (a user edit unless it matches the built-in entry again).
    pub fn set_blocklist_enabled(&mut self, zone: &str, enabled: bool) -> Result<(), StoreError> {
        let mut catalogue = self.blocklists()?;
        let list = catalogue
            .lists
            .iter_mut()
            .find(|l| {
                l.zone
                    .eq_ignore_ascii_case(zone.trim().trim_end_matches('.'))
            })
            .ok_or_else(|| StoreError::NotFound {
                what: "blocklist",
                name: zone.to_string(),
            })?;
        list.enabled = enabled;
        self.replace_blocklists(&catalogue)
    }
}
