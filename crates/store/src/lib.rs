//! Inboxlens persistence: one SQLite file per user (rusqlite, bundled SQLite).
//!
//! * [`Store::open`] refuses files it must not touch — another application's database, a
//!   database written by a newer Inboxlens, a corrupt or unreadable file — with an error
//!   naming the file; it never overwrites them.
//! * Schema changes are numbered migrations (`PRAGMA user_version`), each applied in one
//!   transaction; WAL journaling and foreign keys are on for every connection.

mod accounts;
mod blocklists;
mod error;
mod export;
mod feeds;
mod habits;
mod history;
mod migrations;
mod open;
mod reports;
mod settings;
mod workspace;

pub use accounts::Account;
pub use error::StoreError;
pub use export::{
    AccountReport, CheckSnapshot, RecentRecord, default_report_path, redact_addresses, render_html,
    write_atomically,
};
pub use feeds::{
    Count, FailedInput, FeedFilter, FeedMessage, FeedSummary, ImportSummary, ReasonNote,
    StoredMessage, StoredRecord, day_start, message_kind,
};
pub use habits::{
    AccountScore, DayTrend, LogImportSummary, LogRowError, StoredRule, shipped_rules,
};
pub use history::{HistoryEntry, NewCheck, finding_ids};
pub use migrations::SCHEMA_VERSION;
pub use open::{APPLICATION_ID, Store, default_db_path};
pub use reports::{
    DaySummary, FailureSummary, IP_NAME_TTL, ReportFilter, ReportOverview, ReportSummary,
    SourceSummary, TlsFailureSummary, TlsPolicySummary, WhatIf,
};
pub use settings::{SETTING_KEYS, Settings};
pub use workspace::{
    AccountOverview, AuditRef, LastCheck, OpenFinding, SearchHit, StoredAuditDiff, Timeline,
    TimelineDay, TimelineEvent,
};
