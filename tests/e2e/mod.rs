//! End-to-end tests of the desktop app: the real `inboxlens-app` binary in a real WebKit
//! window under Xvfb, driven by tauri-driver + WebKitWebDriver through fantoccini.
//!
//! Built only with `--features e2e`; `cargo xtask test` builds the app, starts Xvfb and
//! sets DISPLAY. Each test gets its own database file and its own driver ports.

mod driver;

mod accounts;
mod audit;
mod blocklists;
mod feeds;
mod habits;
mod message;
mod reports;
mod settings;
mod workspace;
