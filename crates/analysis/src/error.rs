//! The one error type of the crate.

use std::fmt;

/// What went wrong, for callers that match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A party index given in the options is out of range.
    UnknownParty,
    /// A number too large for exact arithmetic to read (see
    /// [`rational::MAX_DIGITS`](crate::rational::MAX_DIGITS)); no rounded value is given in
    /// its place. Arithmetic on numbers that were read never overflows.
    Overflow,
    /// A division by zero in exact rational arithmetic.
    DivisionByZero,
    /// The input of a procedure is malformed, e.g. the point tables given to
    /// [`adjusted_winner`](crate::adjusted_winner::adjusted_winner).
    InvalidInput,
}

/// An error of an analysis: its kind and a lowercase message without a trailing period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_and_kind() {
        let e = Error::new(ErrorKind::UnknownParty, "party index 9 out of range");
        assert_eq!(e.kind(), ErrorKind::UnknownParty);
        assert_eq!(e.to_string(), "party index 9 out of range");
        fn is<T: Send + Sync + std::error::Error>() {}
        is::<Error>();
    }
}
