//! The one error type of the crate: [`Error`], with an [`ErrorKind`] to match on and, for
//! file problems, a [`Location`].

use std::fmt;

/// Where in an input file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file name given to the reader.
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, counted in characters.
    pub column: usize,
}

/// What kind of problem an [`Error`] reports.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file is not well formed: bad CSV quoting, XML that does not parse, an unknown
    /// element.
    Syntax,
    /// A required line, field or element is missing.
    Missing,
    /// A field that must hold a value is empty (KTAB's shipped `smpExample.xml` has an
    /// empty coordinate).
    Empty,
    /// A field is not a number (or not a whole number where a count is expected).
    NotANumber,
    /// A number is not finite or lies outside the range KTAB accepts.
    OutOfRange,
    /// The counts disagree: actors, dimensions, coordinates or saliences.
    Count,
    /// Two actors (or two dimensions) share a name.
    Duplicate,
    /// A name refers to no actor, or a keyword to no model option.
    Unknown,
    /// A scenario cannot be turned into an SMP input (an issue is not a scale, a stance is
    /// missing).
    Unsupported,
    /// The input or the parameters go beyond a stated limit of the model (actors, stored
    /// cells); the message says which.
    Limit,
    /// The work budget ([`crate::SmpParams::max_work`]) does not cover the opening state;
    /// the message says how much it takes, or that its election did not settle within it.
    Budget,
    /// The parameters do not fit the input (an ideal adjustment names no actor, a row of
    /// the accommodation matrix sums above 1).
    Params,
}

/// A problem reading, checking or converting an SMP input, or running the model.
///
/// Displayed as `file:line:column: message` when it comes from a file, else `message`.
/// Messages are lowercase, without a trailing period, and name the actor and dimension
/// concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    location: Option<Location>,
}

impl Error {
    /// An error with no location.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), location: None }
    }

    /// An error at a place in a file.
    pub(crate) fn at(
        kind: ErrorKind,
        file: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Error {
        Error {
            kind,
            message: message.into(),
            location: Some(Location { file: file.to_string(), line, column }),
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in a file the problem is, if it comes from one.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = &self.location {
            write!(f, "{}:{}:{}: ", l.file, l.line, l.column)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_puts_the_location_first() {
        let e = Error::at(ErrorKind::Empty, "a.csv", 3, 7, "actor x: empty position");
        assert_eq!(e.to_string(), "a.csv:3:7: actor x: empty position");
        assert_eq!(e.kind(), ErrorKind::Empty);
        let e = Error::new(ErrorKind::Params, "bad");
        assert_eq!(e.to_string(), "bad");
        assert!(e.location().is_none());
    }
}
