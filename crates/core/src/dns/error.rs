//! DNS failures: what went wrong with a query that did not produce an answer.

use serde::Serialize;
use thiserror::Error;

/// A query that produced no usable answer. Cloneable so a per-job cache can hold it:
/// a temporary error seen once in a job is seen the same way for the rest of the job.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DnsError {
    /// No server answered within the per-query timeout after all attempts.
    #[error("DNS query for {name} {rtype} timed out")]
    Timeout {
        /// Queried name.
        name: String,
        /// Queried type.
        rtype: String,
    },
    /// The job's deadline passed before this query finished.
    #[error("the job's deadline of {deadline_ms} ms passed before {name} {rtype} was answered")]
    DeadlineExceeded {
        /// Queried name.
        name: String,
        /// Queried type.
        rtype: String,
        /// The job's total budget in milliseconds.
        deadline_ms: u64,
    },
    /// The server answered with an error response code (SERVFAIL, REFUSED, …).
    #[error("DNS server answered {rcode} for {name} {rtype}")]
    ResponseCode {
        /// Queried name.
        name: String,
        /// Queried type.
        rtype: String,
        /// Response code name as in RFC 1035 / RFC 6895 (`SERVFAIL`, `REFUSED`, …).
        rcode: String,
    },
    /// The name is not a valid DNS name (too long, empty label, …).
    #[error("'{name}' is not a valid DNS name: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// Why.
        reason: String,
    },
    /// Network or protocol failure talking to the server.
    #[error("DNS query for {name} {rtype} failed: {reason}")]
    Network {
        /// Queried name.
        name: String,
        /// Queried type.
        rtype: String,
        /// What failed.
        reason: String,
    },
    /// The resolver could not be set up from the settings.
    #[error("DNS resolver configuration: {0}")]
    Config(String),
}

impl DnsError {
    /// A short stable code for UIs and JSON (`timeout`, `servfail`, `refused`, …).
    pub fn code(&self) -> &'static str {
        match self {
            DnsError::Timeout { .. } => "timeout",
            DnsError::DeadlineExceeded { .. } => "deadline",
            DnsError::ResponseCode { rcode, .. } if rcode == "SERVFAIL" => "servfail",
            DnsError::ResponseCode { rcode, .. } if rcode == "REFUSED" => "refused",
            DnsError::ResponseCode { .. } => "rcode",
            DnsError::InvalidName { .. } => "invalid-name",
            DnsError::Network { .. } => "network",
            DnsError::Config(_) => "config",
        }
    }
}
