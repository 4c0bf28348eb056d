//! Data crossing the IPC boundary. TypeScript twins are generated into
//! `ui/www/src/bindings.ts` (see [`crate::bindings`]).

use inboxlens_core::account::AccountInput;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An account as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountDto {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Sending domains.
    pub domains: Vec<String>,
    /// Sending IPs.
    pub sending_ips: Vec<String>,
    /// DKIM selectors.
    pub dkim_selectors: Vec<String>,
    /// Notes.
    pub notes: String,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// RFC 3339 last edit time.
    pub updated_at: String,
}

impl From<inboxlens_store::Account> for AccountDto {
    fn from(a: inboxlens_store::Account) -> Self {
        Self {
            id: a.id,
            name: a.name,
            domains: a.domains,
            sending_ips: a.sending_ips,
            dkim_selectors: a.dkim_selectors,
            notes: a.notes,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// What the account form submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountInputDto {
    /// Name.
    pub name: String,
    /// Domains.
    pub domains: Vec<String>,
    /// Sending IPs.
    pub sending_ips: Vec<String>,
    /// DKIM selectors.
    pub dkim_selectors: Vec<String>,
    /// Notes.
    pub notes: String,
}

impl From<AccountInputDto> for AccountInput {
    fn from(d: AccountInputDto) -> Self {
        AccountInput {
            name: d.name,
            domains: d.domains,
            sending_ips: d.sending_ips,
            dkim_selectors: d.dkim_selectors,
            notes: d.notes,
        }
    }
}

/// Settings as the Settings view edits them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsDto {
    /// Nameservers as `IP[:PORT]` text; empty = system resolver.
    pub nameservers: Vec<String>,
    /// Per-query timeout in seconds.
    pub timeout_secs: f64,
    /// Attempts per query.
    pub attempts: u32,
    /// Spamhaus DQS key, empty for none.
    pub dqs_key: String,
}

/// Facts about the running app for the status bar and the Settings view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// Inboxlens version.
    pub version: String,
    /// The database file, if one could be determined.
    pub db_path: Option<String>,
    /// Schema version of the open database, if it is open.
    pub schema_version: Option<i64>,
    /// Why the database is not open, if it is not.
    pub db_error: Option<String>,
}
