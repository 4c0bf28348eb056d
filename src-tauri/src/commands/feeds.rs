//! Feeds commands: import bounce/complaint mail into an account (a background job the UI
//! polls for progress), and read the stored records back.

use std::path::PathBuf;
use std::time::Duration;

use inboxlens_core::feeds::source::reverse_names_blocking;

use inboxlens_store::{
    FailedInput, FeedFilter, FeedSummary, ImportSummary, ReportFilter, ReportOverview, Store,
    StoredMessage, StoredRecord,
};
use tauri::State;

use crate::dto::{FeedFilterDto, ImportStatusDto, ReportFilterDto};
use crate::error::ApiError;
use crate::state::AppState;

/// Starts importing `paths` (files, folders, mbox, Maildir, .gz on this computer) into the
/// account on a worker thread with its own database connection, so the window and the
/// other commands stay responsive. Returns the job id for [`feed_import_status`].
#[tauri::command(async)]
pub fn start_feed_import(
    state: State<'_, AppState>,
    account_id: i64,
    paths: Vec<String>,
) -> Result<u64, ApiError> {
    state.with_store(|s| Ok(s.account(account_id)?))?;
    let paths: Vec<PathBuf> = paths
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    if paths.is_empty() {
        return Err(ApiError::new(
            "invalid-input",
            "name at least one file or folder to import",
        ));
    }
    for p in &paths {
        if !p.exists() {
            return Err(ApiError::new(
                "invalid-input",
                format!("{}: no such file or folder", p.display()),
            ));
        }
    }
    let db = state
        .db_path()
        .cloned()
        .ok_or_else(|| ApiError::new("db-unreadable", "no database is open"))?;
    let jobs = state.jobs();
    let id = jobs.start();
    std::thread::spawn(move || {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let result = Store::open(&db).and_then(|mut store| {
            // Sending logs (CSV) first, then everything else as feeds and reports.
            let (logs, feeds): (Vec<PathBuf>, Vec<PathBuf>) = paths
                .into_iter()
                .partition(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")));
            let mut log_part = ImportSummary::default();
            for p in &logs {
                let s = store.import_sending_log(account_id, p, &mut |rows| {
                    let mut now = log_part.clone();
                    now.log_rows += rows;
                    now.current = p.display().to_string();
                    jobs.update(id, now);
                })?;
                log_part.log_rows += s.rows;
                let listed = s.errors.len() as u64;
                for e in s.errors {
                    log_part.failed.push(FailedInput {
                        name: format!("{}:{}", s.source, e.line),
                        reason: e.reason,
                    });
                }
                if s.bad_rows > listed {
                    log_part.failed.push(FailedInput {
                        name: s.source.clone(),
                        reason: format!("{} more bad rows", s.bad_rows - listed),
                    });
                }
            }
            let mut summary = if feeds.is_empty() {
                ImportSummary::default()
            } else {
                store.import_feeds(account_id, &feeds, threads, &mut |s: &ImportSummary| {
                    let mut now = s.clone();
                    now.log_rows = log_part.log_rows;
                    jobs.update(id, now);
                    true
                })?
            };
            summary.log_rows = log_part.log_rows;
            summary.failed.splice(0..0, log_part.failed);
            name_report_sources(&mut store, account_id);
            Ok(summary)
        });
        jobs.finish(id, result.map_err(|e| e.to_string()));
    });
    Ok(id)
}

/// Reverse DNS of new DMARC report source IPs through the configured resolver (best effort:
/// a DNS failure leaves the sources to be named from DKIM/envelope domains, and they are
/// tried again after the next import).
fn name_report_sources(store: &mut Store, account_id: i64) {
    let Ok(settings) = store.settings() else {
        return;
    };
    let _ = store.refresh_ip_names(account_id, |ips| {
        reverse_names_blocking(&settings.dns, ips, Duration::from_secs(60))
            .map_err(|e| ApiError::new(e.code(), e.to_string()))
    });
}

/// The account's DMARC and TLS reports added up: sources, days, what-if, TLS failures.
#[tauri::command(async)]
pub fn report_overview(
    state: State<'_, AppState>,
    account_id: i64,
    filter: ReportFilterDto,
) -> Result<ReportOverview, ApiError> {
    let filter = ReportFilter::try_from(filter)?;
    state.with_store(|s| Ok(s.report_overview(account_id, &filter)?))
}

/// Progress (or the outcome) of an import job.
#[tauri::command(async)]
pub fn feed_import_status(
    state: State<'_, AppState>,
    job: u64,
) -> Result<ImportStatusDto, ApiError> {
    state
        .jobs()
        .status(job)
        .ok_or_else(|| ApiError::new("not-found", format!("no import job {job}")))
}

/// The account's records matching `filter`, newest first.
#[tauri::command(async)]
pub fn feed_records(
    state: State<'_, AppState>,
    account_id: i64,
    filter: FeedFilterDto,
) -> Result<Vec<StoredRecord>, ApiError> {
    let filter = FeedFilter::try_from(filter)?;
    state.with_store(|s| Ok(s.feed_records(account_id, &filter)?))
}

/// Counts over the account's feeds.
#[tauri::command(async)]
pub fn feed_summary(state: State<'_, AppState>, account_id: i64) -> Result<FeedSummary, ApiError> {
    state.with_store(|s| Ok(s.feed_summary(account_id)?))
}

/// One stored message, as text, for drill-down.
#[tauri::command(async)]
pub fn feed_message(
    state: State<'_, AppState>,
    account_id: i64,
    message: i64,
) -> Result<StoredMessage, ApiError> {
    state.with_store(|s| {
        s.feed_message(account_id, message)?
            .ok_or_else(|| ApiError::new("not-found", format!("no stored message {message}")))
    })
}
