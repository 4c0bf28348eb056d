//! Opening the database file safely.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::StoreError;
use crate::migrations::{self, SCHEMA_VERSION};

/// `PRAGMA application_id` of Inboxlens databases ("ILNS").
pub const APPLICATION_ID: i64 = 0x494c_4e53;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An open Inboxlens database.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The default database file: `<platform data dir>/inboxlens.db`
/// (`~/.local/share/inboxlens/inboxlens.db` on Linux).
pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "Inboxlens", "inboxlens")
        .map(|d| d.data_dir().join("inboxlens.db"))
}

impl Store {
    /// Opens (creating if absent) the database at `path` and brings its schema up to date.
    ///
    /// Refuses, without writing anything: a file that is not SQLite, an SQLite file of
    /// another application, a file whose schema is newer than this build, a damaged file.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let unreadable = |reason: String| StoreError::Unreadable {
            path: path.to_path_buf(),
            reason,
        };
        let corrupt = |reason: String| StoreError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let exists = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => return Err(unreadable("it is a directory".into())),
            Ok(m) => m.len() > 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(unreadable(e.to_string())),
        };
        if exists {
            let mut header = [0u8; 16];
            let mut f = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
            let n = read_up_to(&mut f, &mut header).map_err(|e| unreadable(e.to_string()))?;
            if n < 16 || &header != SQLITE_MAGIC {
                return Err(corrupt(
                    "the file does not start with the SQLite header".into(),
                ));
            }
        } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| unreadable(format!("cannot create folder {}: {e}", dir.display())))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| classify(path, e))?;

        let app_id: i64 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        let has_tables: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| classify(path, e))?;
        if app_id != APPLICATION_ID && (app_id != 0 || has_tables) {
            return Err(StoreError::ForeignDatabase {
                path: path.to_path_buf(),
                found: app_id,
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version > 0 {
            // Every table but the history, which only grows (a year of audits is hundreds
            // of megabytes, and checking it would make every command slow). A damaged
            // history page still surfaces as db-corrupt when it is read.
            let tables: Vec<String> = {
                let mut stmt = conn
                    .prepare(
                        "SELECT name FROM sqlite_schema WHERE type = 'table'
                         AND name NOT LIKE 'sqlite_%' AND name <> 'check_history'",
                    )
                    .map_err(|e| classify(path, e))?;
                stmt.query_map([], |r| r.get(0))
                    .and_then(|rows| rows.collect())
                    .map_err(|e| classify(path, e))?
            };
            for table in &tables {
                let check: String = conn
                    .query_row(&format!("PRAGMA quick_check(\"{table}\")"), [], |r| {
                        r.get(0)
                    })
                    .map_err(|e| classify(path, e))?;
                if check != "ok" {
                    return Err(corrupt(check));
                }
            }
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| classify(path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| classify(path, e))?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|e| classify(path, e))?;
        if app_id == 0 {
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| classify(path, e))?;
        }
        migrations::apply(&mut conn, version).map_err(|e| classify(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.seed_blocklists(&inboxlens_core::blocklist::Catalogue::builtin())?;
        store.seed_rules()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version in the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let code = e.sqlite_error_code();
    let reason = e.to_string();
    match code {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            reason,
        },
        Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::PermissionDenied)
        | Some(ErrorCode::ReadOnly)
        | Some(ErrorCode::SystemIoFailure)
        | Some(ErrorCode::DatabaseBusy)
        | Some(ErrorCode::DatabaseLocked) => StoreError::Unreadable {
            path: path.to_path_buf(),
            reason,
        },
        _ => StoreError::Sqlite(e),
    }
}
