//! Account commands.

use tauri::State;

use crate::dto::{AccountDto, AccountInputDto};
use crate::error::ApiError;
use crate::state::AppState;

/// All accounts by name.
#[tauri::command(async)]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountDto>, ApiError> {
    state.with_store(|s| {
        Ok(s.list_accounts()?
            .into_iter()
            .map(AccountDto::from)
            .collect())
    })
}

/// Validates and creates an account.
#[tauri::command(async)]
pub fn create_account(
    state: State<'_, AppState>,
    input: AccountInputDto,
) -> Result<AccountDto, ApiError> {
    state.with_store(|s| Ok(s.create_account(&input.into())?.into()))
}

/// Validates and replaces an account's fields.
#[tauri::command(async)]
pub fn update_account(
    state: State<'_, AppState>,
    id: i64,
    input: AccountInputDto,
) -> Result<AccountDto, ApiError> {
    state.with_store(|s| Ok(s.update_account(id, &input.into())?.into()))
}

/// Deletes an account and everything stored for it.
#[tauri::command(async)]
pub fn delete_account(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state.with_store(|s| Ok(s.delete_account(id)?))
}
