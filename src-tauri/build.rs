//! Tauri build step. The app manifest lists every IPC command so that each one is denied
//! unless a capability (capabilities/main.json) grants it: least privilege by default.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(inboxlens_commands());
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build step failed");
}

// Keep in step with `commands::HANDLERS` in src/commands/mod.rs (a unit test checks it).
fn inboxlens_commands() -> &'static [&'static str] {
    &[
        "app_info",
        "list_accounts",
        "create_account",
        "update_account",
        "delete_account",
        "get_settings",
        "save_settings",
        "check_blocklists",
        "get_blocklists",
        "save_blocklists",
        "set_blocklist_enabled",
    ]
}
