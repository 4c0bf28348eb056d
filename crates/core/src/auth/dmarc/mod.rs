//! DMARC policy records (RFC 7489 §6.3, RFC 9989): a strict parser with error positions and
//! a DNS-free linter. Discovery (the RFC 9989 tree walk) and report-destination
//! authorization need DNS and come with the audit.

mod discover;
mod lint;
mod record;

pub use discover::{
    Discovery, DiscoveryStep, StepOutcome, discover, discovery_findings, walk_names,
};
pub use lint::lint;
pub use record::{Alignment, DmarcError, DmarcRecord, Policy, ReportUri, is_dmarc, parse};
