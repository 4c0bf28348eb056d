//! The account workspace: overview, timeline, search across accounts, DNS history diff and
//! the report export. Every command here reads the store on a worker thread (`async`), so a
//! large account never freezes the window.

use std::path::PathBuf;

use inboxlens_store::{AccountOverview, SearchHit, StoredAuditDiff, Timeline};
use tauri::State;

use crate::dto::ExportDto;
use crate::error::ApiError;
use crate::state::AppState;

/// The account's Overview page: score, scorecard, open findings, last checks, volumes.
#[tauri::command(async)]
pub fn account_overview(
    state: State<'_, AppState>,
    account_id: i64,
) -> Result<AccountOverview, ApiError> {
    state.with_store(|s| Ok(s.account_overview(account_id)?))
}

/// The account over time: per-day series and the changes seen.
#[tauri::command(async)]
pub fn account_timeline(state: State<'_, AppState>, account_id: i64) -> Result<Timeline, ApiError> {
    state.with_store(|s| Ok(s.account_timeline(account_id)?))
}

/// Accounts, domains, IPs, selectors, recipients and report sources matching `query`.
#[tauri::command(async)]
pub fn search(state: State<'_, AppState>, query: String) -> Result<Vec<SearchHit>, ApiError> {
    state.with_store(|s| Ok(s.search(&query)?))
}

/// Two stored audits of `domain` compared (`from`/`to`: history ids; 0 = the newest two).
#[tauri::command(async)]
pub fn audit_diff(
    state: State<'_, AppState>,
    domain: String,
    from: i64,
    to: i64,
) -> Result<StoredAuditDiff, ApiError> {
    let id = |n: i64| (n > 0).then_some(n);
    state.with_store(|s| Ok(s.audit_diff(&domain, id(from), id(to))?))
}

/// Writes the account report (`html` or `json`) to `path` (empty: the Downloads folder),
/// recipient addresses redacted unless `include_personal_data`.
#[tauri::command(async)]
pub fn export_report(
    state: State<'_, AppState>,
    account_id: i64,
    path: String,
    format: String,
    include_personal_data: bool,
) -> Result<ExportDto, ApiError> {
    let ext = match format.as_str() {
        "html" | "json" => format.as_str(),
        other => {
            return Err(ApiError::new(
                "invalid-input",
                format!("format must be html or json, not '{other}'"),
            ));
        }
    };
    let report = state.with_store(|s| Ok(s.account_report(account_id, include_personal_data)?))?;
    let text = if ext == "html" {
        inboxlens_store::render_html(&report)
    } else {
        serde_json::to_string_pretty(&report)
            .map_err(|e| ApiError::new("internal", e.to_string()))?
    };
    let path = if path.trim().is_empty() {
        let day = report.generated_at.get(..10).unwrap_or("report");
        let first =
            inboxlens_store::default_report_path(&report.account, day, ext).ok_or_else(|| {
                ApiError::new(
                    "invalid-input",
                    "no home folder to save into: type a file path",
                )
            })?;
        // Another export the same day gets its own name (-2, -3, …).
        let stem = first.with_extension("");
        (1..1000)
            .map(|n| {
                if n == 1 {
                    first.clone()
                } else {
                    PathBuf::from(format!("{}-{n}.{ext}", stem.display()))
                }
            })
            .find(|p| !p.exists())
            .unwrap_or(first)
    } else {
        let p = PathBuf::from(path.trim());
        // A typed path never replaces a file that is already there.
        if p.exists() {
            return Err(ApiError::new(
                "exists",
                format!(
                    "{} already exists: choose another name (or delete it first)",
                    p.display()
                ),
            ));
        }
        p
    };
    inboxlens_store::write_atomically(&path, text.as_bytes())
        .map_err(|e| ApiError::new("io", format!("{}: {e}", path.display())))?;
    Ok(ExportDto {
        path: path.display().to_string(),
        bytes: text.len() as u64,
        findings: report
            .audits
            .iter()
            .chain(&report.blocklists)
            .map(|c| c.findings.len() as u64)
            .sum::<u64>()
            + report.score.report.fired.len() as u64,
    })
}
