//! The one error type of the crate.

use std::fmt;

/// What went wrong, for callers that match on it (the server maps each to an HTTP status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's role may not do this (HTTP 403).
    Forbidden,
    /// No such room, party, session, draft or bidding; also a wrong token, so that a
    /// token of one room tells nothing about another (HTTP 404).
    NotFound,
    /// The session has expired: sign in again (HTTP 401).
    Expired,
    /// Malformed or out-of-range input, with the field named (HTTP 400).
    InvalidInput,
    /// Input over a size limit (HTTP 413).
    TooLarge,
    /// The request conflicts with the room's state, e.g. an offer on a settled bidding
    /// or an offer that takes back a concession (HTTP 409).
    Conflict,
    /// A budget of the room is spent for now, e.g. the mediator's drafts
    /// ([`crate::DraftBudget`]); [`Error::retry_at`] says when it is not (HTTP 429).
    TooMany,
    /// The storage failed (HTTP 500): the change was not made.
    Storage,
}

/// An error of the room: its kind and a lowercase message without a trailing period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    retry_at: Option<i64>,
}

impl Error {
    /// An error of this kind with this message (lowercase, no trailing period): for the
    /// server, which refuses in the room's terms what it checks itself (a CSRF token).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), retry_at: None }
    }

    /// A [`ErrorKind::TooMany`] error: the budget is spent until `at` (seconds since the
    /// Unix epoch).
    pub(crate) fn too_many(message: impl Into<String>, at: i64) -> Error {
        Error { kind: ErrorKind::TooMany, message: message.into(), retry_at: Some(at) }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, message)
    }

    pub(crate) fn storage(e: impl fmt::Display) -> Error {
        Error::new(ErrorKind::Storage, format!("storage: {e}"))
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, lowercase, without a trailing period.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For a [`ErrorKind::TooMany`] error: when the request may be made again, in seconds
    /// since the Unix epoch.
    pub fn retry_at(&self) -> Option<i64> {
        self.retry_at
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::storage(e)
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        match e.as_db_error() {
            Some(db) => Error::storage(format!("{} ({})", db.message(), db.code().code())),
            None => Error::storage(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_and_kind() {
        let e = Error::new(ErrorKind::Forbidden, "a party may not read the audit trail");
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(e.to_string(), "a party may not read the audit trail");
        fn is<T: Send + Sync + std::error::Error>() {}
        is::<Error>();
    }
}
