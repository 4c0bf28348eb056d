//! Blocklist commands: check targets, read and edit the catalogue.

use std::time::Duration;

use inboxlens_core::blocklist::{Catalogue, CheckOptions, Target, check};
use inboxlens_core::dns::Resolver;
use inboxlens_store::NewCheck;
use tauri::State;

use crate::dto::{BlocklistReportDto, CatalogueDto};
use crate::error::ApiError;
use crate::state::AppState;

/// Checks `targets` (or, when empty, account `account_id`'s IPs and domains) against the
/// enabled lists; records each result in the history. The store is not held while DNS runs.
#[tauri::command]
pub async fn check_blocklists(
    state: State<'_, AppState>,
    targets: Vec<String>,
    account_id: Option<i64>,
) -> Result<Vec<BlocklistReportDto>, ApiError> {
    let (settings, catalogue, account) = state.with_store(|s| {
        let account = match account_id {
            Some(id) => Some(s.account(id)?),
            None => None,
        };
        Ok((s.settings()?, s.blocklists()?, account))
    })?;
    let mut parsed = Vec::new();
    for t in targets.iter().filter(|t| !t.trim().is_empty()) {
        let target = Target::parse(t)
            .map_err(|e| ApiError::new("invalid-input", format!("'{t}': {}", e.reason)))?;
        if !parsed.contains(&target) {
            parsed.push(target);
        }
    }
    if parsed.is_empty()
        && let Some(a) = &account
    {
        for t in a.sending_ips.iter().chain(a.domains.iter()) {
            parsed.push(Target::parse(t)?);
        }
    }
    if parsed.is_empty() {
        return Err(ApiError::new(
            "invalid-input",
            "nothing to check: type IPs or domains, or choose an account that has some",
        ));
    }
    let resolver = Resolver::from_settings(&settings.dns)
        .map_err(|e| ApiError::new(e.code(), e.to_string()))?;
    let opts = CheckOptions {
        key: settings.dqs_key.clone(),
        deadline: Duration::from_secs(30),
        ..CheckOptions::default()
    };
    let reports = check(&resolver, &catalogue, &parsed, &opts).await;
    let values = reports
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    let checks: Vec<NewCheck<'_>> = reports
        .iter()
        .zip(&values)
        .map(|(r, v)| NewCheck {
            account_id: account.as_ref().map(|a| a.id),
            kind: "blocklist",
            target: &r.target,
            resolver: resolver.describe(),
            result: v,
        })
        .collect();
    state.with_store(|s| Ok(s.record_checks(&checks)?))?;
    Ok(reports.iter().map(BlocklistReportDto::from).collect())
}

/// The stored catalogue.
#[tauri::command(async)]
pub fn get_blocklists(state: State<'_, AppState>) -> Result<CatalogueDto, ApiError> {
    state.with_store(|s| Ok(CatalogueDto::from(&s.blocklists()?)))
}

/// Validates TOML from the editor and makes it the catalogue.
#[tauri::command(async)]
pub fn save_blocklists(state: State<'_, AppState>, toml: String) -> Result<CatalogueDto, ApiError> {
    let catalogue = Catalogue::from_toml(&toml, "catalogue")
        .map_err(|e| ApiError::new("invalid-catalogue", e.to_string()))?;
    state.with_store(|s| {
        s.replace_blocklists(&catalogue)?;
        Ok(CatalogueDto::from(&s.blocklists()?))
    })
}

/// Turns one list on or off.
#[tauri::command(async)]
pub fn set_blocklist_enabled(
    state: State<'_, AppState>,
    zone: String,
    enabled: bool,
) -> Result<CatalogueDto, ApiError> {
    state.with_store(|s| {
        s.set_blocklist_enabled(&zone, enabled)?;
        Ok(CatalogueDto::from(&s.blocklists()?))
    })
}
