//! IPC commands: thin adapters from the UI to the store and the engine.
//! Every command returns `Result<_, ApiError>` so errors reach the UI as `{code, message}`.

pub mod accounts;
pub mod blocklists;
pub mod info;
pub mod settings;

/// Every command name, in registration order. `build.rs` (permissions), the capability
/// file and the generated TypeScript bindings must list the same names; a test checks it.
pub const NAMES: &[&str] = &[
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
];
