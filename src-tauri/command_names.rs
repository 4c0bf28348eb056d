// Every IPC command of the app, in registration order. Included by build.rs (which makes a
// permission for each) and by src/commands/mod.rs; a unit test checks that the capability
// file, the handler list in lib.rs and the TypeScript signatures name the same commands.
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
    "run_audit",
    "audit_history",
    "verify_message",
    "start_feed_import",
    "feed_import_status",
    "feed_records",
    "feed_summary",
    "feed_message",
    "report_overview",
]
