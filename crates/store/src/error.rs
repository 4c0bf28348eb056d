//! Store errors. Every error about the database file names the file.

use std::path::PathBuf;

use inboxlens_core::ValidationError;
use thiserror::Error;

/// What can go wrong reading or writing the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file was written by a newer Inboxlens; it is left untouched.
    #[error(
        "{path}: the database has schema version {found}, newer than this Inboxlens understands ({supported}); upgrade Inboxlens or use another --db (the file was not changed)"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Version in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// The file is an SQLite database of another application.
    #[error(
        "{path}: this is an SQLite database of another application (application_id {found:#x}); it was not changed"
    )]
    ForeignDatabase {
        /// The database file.
        path: PathBuf,
        /// Its application id.
        found: i64,
    },
    /// The file is not a database, or is damaged.
    #[error(
        "{path}: not a usable Inboxlens database ({reason}); it was not changed — move it aside or pass another --db"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite or the header check said.
        reason: String,
    },
    /// The file or its folder cannot be opened or created.
    #[error("{path}: cannot open the database: {reason}")]
    Unreadable {
        /// The database file.
        path: PathBuf,
        /// The operating system's or SQLite's reason.
        reason: String,
    },
    /// A named thing does not exist.
    #[error("no {what} named '{name}'")]
    NotFound {
        /// Kind of thing (`account`).
        what: &'static str,
        /// The name or id asked for.
        name: String,
    },
    /// A unique name is already taken.
    #[error("an account named '{0}' already exists")]
    Duplicate(String),
    /// Input was rejected before anything was written.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A rule was rejected (its id, field and position are in the error).
    #[error(transparent)]
    Rule(#[from] inboxlens_core::habits::RuleError),
    /// A sending log could not be read at all.
    #[error(transparent)]
    Log(#[from] inboxlens_core::habits::sending_log::LogError),
    /// A stored JSON value could not be read back.
    #[error("stored JSON is unreadable: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// A short stable code for the UI's `{code, message}` errors.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NewerSchema { .. } => "db-newer-schema",
            StoreError::ForeignDatabase { .. } => "db-foreign",
            StoreError::Corrupt { .. } => "db-corrupt",
            StoreError::Unreadable { .. } => "db-unreadable",
            StoreError::NotFound { .. } => "not-found",
            StoreError::Duplicate(_) => "duplicate",
            StoreError::Invalid(_) => "invalid-input",
            StoreError::Sqlite(_) => "db-error",
            StoreError::Json(_) => "db-error",
            StoreError::Rule(_) => "invalid-rule",
            StoreError::Log(_) => "invalid-input",
        }
    }
}
