//! The crate's one error type.

use std::fmt;

/// Why a robustness question could not be answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Error {
        Error { message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<detente_core::Error> for Error {
    fn from(e: detente_core::Error) -> Error {
        Error::new(e.to_string())
    }
}

impl From<detente_analysis::Error> for Error {
    fn from(e: detente_analysis::Error) -> Error {
        Error::new(e.to_string())
    }
}
