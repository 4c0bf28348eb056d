//! The one integration-test binary of Inboxlens. Every test talks only to loopback.

mod cli;
mod dns;
mod store;
#[cfg(feature = "e2e")]
#[path = "../e2e/mod.rs"]
mod e2e;
