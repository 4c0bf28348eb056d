//! The error every command returns: `{code, message}`, shown to the user as is.

use serde::Serialize;
use ts_rs::TS;

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiError {
    /// Stable machine code (`invalid-input`, `duplicate`, `db-corrupt`, …).
    pub code: String,
    /// Plain-words explanation, naming the field or file concerned.
    pub message: String,
}

impl ApiError {
    /// Builds an error.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<inboxlens_store::StoreError> for ApiError {
    fn from(e: inboxlens_store::StoreError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<inboxlens_core::ValidationError> for ApiError {
    fn from(e: inboxlens_core::ValidationError) -> Self {
        ApiError::new("invalid-input", e.to_string())
    }
}
