//! The one integration-test binary of Inboxlens. Every test talks only to loopback.

mod audit;
mod blocklist;
mod bounce_texts;
mod cli;
mod dmarc;
mod dns;
mod dns_faults;
#[cfg(feature = "e2e")]
#[path = "../e2e/mod.rs"]
mod e2e;
mod feeds;
mod fuzz_regressions;
mod habits;
mod message;
mod reports;
mod spf;
mod store;
mod workspace;

/// The app binary the e2e tests launch: `$INBOXLENS_APP`, else target/<profile>/inboxlens-app.
#[cfg(feature = "e2e")]
fn e2e_app() -> std::path::PathBuf {
    std::env::var_os("INBOXLENS_APP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| inboxlens_tests::target_bin("inboxlens-app"))
}
