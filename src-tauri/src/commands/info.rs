//! `app_info`.

use tauri::State;

use crate::dto::AppInfo;
use crate::error::ApiError;
use crate::state::AppState;

/// Version, database file and whether it is open.
#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ApiError> {
    let db_path = state.db_path().map(|p| p.display().to_string());
    let (schema_version, db_error) =
        match state.with_store(|s| s.schema_version().map_err(ApiError::from)) {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e.message)),
        };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path,
        schema_version,
        db_error,
    })
}
