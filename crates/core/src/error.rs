//! The error raised when a scenario would break one of its invariants.

use std::fmt;

/// An error raised when a [`Scenario`](crate::Scenario) would break one of its invariants.
///
/// The scenario reader reports file problems with their place; this error is what is left
/// for programs that build scenarios in code.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    message: String,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Error {
        Error { message: message.into() }
    }

    /// The message, lowercase, without a trailing period.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
