//! IPC commands: thin adapters from the UI to the store and the engine.
//! Every command returns `Result<_, ApiError>` so errors reach the UI as `{code, message}`.

pub mod accounts;
pub mod audit;
pub mod blocklists;
pub mod feeds;
pub mod habits;
pub mod info;
pub mod message;
pub mod settings;
pub mod workspace;

/// Every command name, in registration order (`command_names.rs`, shared with `build.rs`).
pub const NAMES: &[&str] = include!("../../command_names.rs");
