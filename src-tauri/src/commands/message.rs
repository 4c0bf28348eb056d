//! Message inspector command.

use std::time::Duration;

use inboxlens_core::dns::Resolver;
use inboxlens_core::message::{MessageReport, VerifyOptions, verify};
use tauri::State;

use crate::error::ApiError;
use crate::state::AppState;

/// Verifies a pasted or dropped message as the receiver saw it. The envelope comes from
/// its trace headers unless `ip` / `helo` / `mail_from` are given (empty = not given).
#[tauri::command]
pub async fn verify_message(
    state: State<'_, AppState>,
    raw: String,
    ip: String,
    helo: String,
    mail_from: String,
) -> Result<MessageReport, ApiError> {
    let settings = state.with_store(|s| Ok(s.settings()?))?;
    let invalid = |m: String| ApiError::new("invalid-input", m);
    let opts = VerifyOptions {
        ip: match ip.trim() {
            "" => None,
            v => Some(
                v.parse()
                    .map_err(|_| invalid(format!("'{v}' is not an IPv4 or IPv6 address")))?,
            ),
        },
        helo: Some(helo.trim().to_string()).filter(|v| !v.is_empty()),
        mail_from: Some(mail_from.trim().to_string()).filter(|v| !v.is_empty()),
    };
    let resolver = Resolver::from_settings(&settings.dns)
        .map_err(|e| ApiError::new(e.code(), e.to_string()))?;
    verify(&resolver, raw.as_bytes(), &opts, Duration::from_secs(30))
        .await
        .map_err(|e| ApiError::new("invalid-message", e.to_string()))
}
