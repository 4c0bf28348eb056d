//! Error types shared by the engine.

use thiserror::Error;

/// One field of user input that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// Which field or argument was wrong (`domains`, `sending_ips`, `nameserver`, …).
    pub field: String,
    /// Why, in plain words, naming the offending value.
    pub reason: String,
}

impl ValidationError {
    /// Builds an error for `field` with a plain-words `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Errors of the engine as a whole.
#[derive(Debug, Error)]
pub enum CoreError {
    /// User input was not acceptable.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A DNS job could not be carried out.
    #[error(transparent)]
    Dns(#[from] crate::dns::DnsError),
}
