//! Inboxlens desktop shell: registers the state and the IPC commands, nothing else.
//! The logic lives in `inboxlens-core` and `inboxlens-store`; commands are thin adapters.

pub mod bindings;
pub mod commands;
pub mod dto;
pub mod error;
mod security;
pub mod state;

/// Starts the app. The database is `$INBOXLENS_DB`, else the platform default; if it
/// cannot be opened the window still opens and every view shows why.
pub fn run() {
    let state = state::AppState::open_default();
    tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::info::app_info,
            commands::accounts::list_accounts,
            commands::accounts::create_account,
            commands::accounts::update_account,
            commands::accounts::delete_account,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::blocklists::check_blocklists,
            commands::blocklists::get_blocklists,
            commands::blocklists::save_blocklists,
            commands::blocklists::set_blocklist_enabled,
            commands::audit::run_audit,
            commands::audit::audit_history,
            commands::message::verify_message,
            commands::feeds::start_feed_import,
            commands::feeds::feed_import_status,
            commands::feeds::feed_records,
            commands::feeds::feed_summary,
            commands::feeds::feed_message,
            commands::feeds::report_overview,
            commands::habits::score_account,
            commands::habits::list_rules,
            commands::habits::check_rule,
            commands::habits::save_rule,
            commands::habits::set_rule_enabled,
            commands::habits::delete_rule,
            commands::habits::reset_rule,
            commands::habits::export_rules,
            commands::habits::list_metrics,
            commands::habits::habit_trends,
            commands::workspace::account_overview,
            commands::workspace::account_timeline,
            commands::workspace::search,
            commands::workspace::audit_diff,
            commands::workspace::export_report,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Inboxlens window");
}
