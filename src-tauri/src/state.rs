//! App state: the store, opened once at start-up.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use inboxlens_store::ImportSummary;

use crate::dto::ImportStatusDto;

use inboxlens_store::{Store, default_db_path};

use crate::error::ApiError;

/// Shared state of the running app.
pub struct AppState {
    store: Mutex<Result<Store, ApiError>>,
    db_path: Option<PathBuf>,
    jobs: Arc<Jobs>,
}

/// Background import jobs and their progress, polled by the UI.
#[derive(Default)]
pub struct Jobs {
    inner: Mutex<(u64, HashMap<u64, ImportStatusDto>)>,
}

impl Jobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, HashMap<u64, ImportStatusDto>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new job; returns its id.
    pub fn start(&self) -> u64 {
        let mut g = self.lock();
        g.0 += 1;
        let id = g.0;
        g.1.insert(
            id,
            ImportStatusDto {
                done: false,
                summary: ImportSummary::default(),
                error: None,
            },
        );
        id
    }

    /// Records progress.
    pub fn update(&self, id: u64, summary: ImportSummary) {
        if let Some(s) = self.lock().1.get_mut(&id) {
            s.summary = summary;
        }
    }

    /// Records the outcome.
    pub fn finish(&self, id: u64, result: Result<ImportSummary, String>) {
        if let Some(s) = self.lock().1.get_mut(&id) {
            s.done = true;
            match result {
                Ok(summary) => s.summary = summary,
                Err(e) => s.error = Some(e),
            }
        }
    }

    /// The job's status.
    pub fn status(&self, id: u64) -> Option<ImportStatusDto> {
        self.lock().1.get(&id).cloned()
    }
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
            jobs: Arc::new(Jobs::default()),
        }
    }

    /// The import jobs (shared with their worker threads).
    pub fn jobs(&self) -> Arc<Jobs> {
        Arc::clone(&self.jobs)
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
