//! Test fixtures shared by the integration tests (`it/`) and the end-to-end tests.
//!
//! * [`DnsFixture`]: an in-process authoritative hickory-server on `127.0.0.1:<random>`
//!   (UDP and TCP) serving every `fixtures/zones/*.zone` file.
//! * [`Blackhole`]: a "server" on loopback that reads queries and never answers, for
//!   timeout and deadline tests.
//! * [`FaultServer`]: a loopback DNS server answering SERVFAIL or REFUSED to everything, or
//!   truncating every UDP answer and serving an oversized TXT over TCP.
//! * [`HttpsFixture`]: a loopback HTTPS server for MTA-STS policies, with a test CA.
//! * [`workspace_root`], [`fixture`], [`target_bin`]: paths.
//! * [`story::story_account`]: an account with imports and two rounds of checks that changed.

pub mod bounce_suite;
mod dns_fixture;
mod fault_server;
mod https_fixture;
pub mod message_suites;
mod paths;
pub mod report_suite;
pub mod spf_mail_auth;
pub mod spf_suite;
pub mod story;

pub use dns_fixture::{Blackhole, DnsFixture, FixtureRecord};
pub use fault_server::{Fault, FaultServer};
pub use https_fixture::HttpsFixture;
pub use paths::{fixture, resolver, run_inboxlens, target_bin, workspace_root};
