//! App state: the store, opened once at start-up.

use std::path::PathBuf;
use std::sync::Mutex;

use inboxlens_store::{Store, default_db_path};

use crate::error::ApiError;

/// Shared state of the running app.
pub struct AppState {
    store: Mutex<Result<Store, ApiError>>,
    db_path: Option<PathBuf>,
}

impl AppState {
    /// Opens `$INBOXLENS_DB` or the platform default database.
    pub fn open_default() -> Self {
        let path = std::env::var_os("INBOXLENS_DB")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(default_db_path);
        Self::open(path)
    }

    /// Opens the database at `path`; a failure is kept and reported by every command.
    pub fn open(path: Option<PathBuf>) -> Self {
        let store = match &path {
            Some(p) => Store::open(p).map_err(ApiError::from),
            None => Err(ApiError::new(
                "db-unreadable",
                "cannot determine the platform data folder (is HOME set?); set INBOXLENS_DB",
            )),
        };
        Self {
            store: Mutex::new(store),
            db_path: path,
        }
    }

    /// Where the database is (or would be).
    pub fn db_path(&self) -> Option<&PathBuf> {
        self.db_path.as_ref()
    }

    /// Runs `f` with the open store, or returns the error that kept it closed.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Ok(store) => f(store),
            Err(e) => Err(e.clone()),
        }
    }
}
