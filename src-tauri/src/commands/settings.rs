//! Settings commands.

use inboxlens_core::dns::{DnsSettings, Nameserver};
use inboxlens_store::Settings;
use tauri::State;

use crate::dto::SettingsDto;
use crate::error::ApiError;
use crate::state::AppState;

fn to_dto(s: &Settings) -> SettingsDto {
    SettingsDto {
        nameservers: s.dns.nameservers.iter().map(|n| n.to_string()).collect(),
        timeout_secs: s.dns.timeout_secs,
        attempts: s.dns.attempts,
        dqs_key: s.dqs_key.clone().unwrap_or_default(),
        mta_sts_fetch: s.mta_sts_fetch,
    }
}

/// Parses and validates what the Settings form submitted.
pub fn from_dto(d: &SettingsDto) -> Result<Settings, ApiError> {
    let nameservers = d
        .nameservers
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| Nameserver::parse(n))
        .collect::<Result<Vec<_>, _>>()?;
    let dns = DnsSettings {
        nameservers,
        timeout_secs: d.timeout_secs,
        attempts: d.attempts,
    }
    .validate()?;
    let mut s = Settings {
        dns,
        dqs_key: None,
        mta_sts_fetch: d.mta_sts_fetch,
    };
    s.set_text("dqs_key", &d.dqs_key)?;
    Ok(s)
}

/// Current settings.
#[tauri::command(async)]
pub fn get_settings(state: State<'_, AppState>) -> Result<SettingsDto, ApiError> {
    state.with_store(|s| Ok(to_dto(&s.settings()?)))
}

/// Validates and saves all settings; returns them as stored.
#[tauri::command(async)]
pub fn save_settings(
    state: State<'_, AppState>,
    settings: SettingsDto,
) -> Result<SettingsDto, ApiError> {
    let parsed = from_dto(&settings)?;
    state.with_store(|s| {
        s.save_settings(&parsed)?;
        Ok(to_dto(&s.settings()?))
    })
}
