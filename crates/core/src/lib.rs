//! Inboxlens engine.
//!
//! The core holds every piece of deliverability logic that does not need a UI or a
//! database: the DNS layer every check runs through, the account model and its
//! validation, and the [`Finding`] type every check reports in. It never depends on
//! tauri or rusqlite (checked by `cargo xtask test`).

pub mod account;
pub mod audit;
pub mod auth;
pub mod blocklist;
pub mod calendar;
pub mod dns;
pub mod error;
pub mod feeds;
pub mod finding;
pub mod habits;
pub mod message;

pub use error::{CoreError, ValidationError};
pub use finding::{Finding, Severity};
