//! Located problems: [`Problem`], [`ProblemKind`], the [`Error`] that carries them, and the
//! line index that turns byte offsets into lines and columns.

use std::fmt;

/// A scenario file was rejected: every problem found, in file order (never empty).
#[derive(Clone, Debug)]
pub struct Error {
    problems: Vec<Problem>,
}

impl Error {
    /// Wraps problems; `problems` must not be empty.
    pub(crate) fn new(problems: Vec<Problem>) -> Error {
        debug_assert!(!problems.is_empty());
        Error { problems }
    }

    /// The problems, in file order; at least one.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// One problem of a scenario file, with its place, or of a what-if setting
/// ([`crate::what_if`]).
///
/// Displayed as `{file}:{line}:{column}: {path}: {message}`, or without the path when it is
/// empty (syntax errors, whole-file problems). A problem of a setting has no line (`line`
/// and `column` are 0, `file` is the flag as given, e.g. `--set russia.reservaton=0.5`)
/// and is displayed as `{file}: {message}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The file name given to [`crate::parse`].
    pub file: String,
    /// Line, from 1 (0 for a problem of a what-if setting).
    pub line: usize,
    /// Column, from 1, counted in characters (0 for a problem of a what-if setting).
    pub column: usize,
    /// The field path, e.g. `parties[2].reservation`; empty when the problem has no field.
    pub path: String,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// What is wrong, lowercase, without a trailing period, naming what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: {}", self.file, self.message);
        }
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// What kind of problem a [`Problem`] is.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not valid TOML or JSON (the parser's message), or cut short.
    Syntax,
    /// The bytes are not UTF-8.
    Encoding,
    /// `version` missing or not 1.
    Version,
    /// A required field is missing.
    MissingField,
    /// A field that the format does not know (often a misspelling).
    UnknownField,
    /// A value of the wrong type (a string where a number is needed, ...).
    WrongType,
    /// An id that is empty or has characters other than letters, digits, `-`, `_`, `.`.
    InvalidId,
    /// An id (or a JSON key) given twice.
    DuplicateId,
    /// A reference to a party, issue, option, proposal or source that does not exist.
    UnknownReference,
    /// A number that is NaN or infinite.
    NotFinite,
    /// A number outside its allowed range.
    OutOfRange,
    /// A malformed scale: `min > max`, `step <= 0`, a step that does not divide the range,
    /// or too many grid points.
    Scale,
    /// A second stance for the same party and issue.
    DuplicateStance,
    /// `values` lacks a value for some option of its issue.
    MissingValue,
    /// `values` on a scale issue, or `ideal`/`tolerance` on a discrete one.
    PreferenceMismatch,
    /// A malformed red line, or red lines that leave the party no acceptable option.
    RedLine,
    /// A party whose stances all have weight 0.
    AllWeightsZero,
    /// A proposal term off the grid or out of bounds, both set and open, or neither.
    Term,
    /// Proposals that amend each other in a circle.
    CircularAmendment,
    /// A date that is not `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    Date,
    /// An empty file, or an empty list that needs at least one entry.
    Empty,
    /// A value that is not one of the allowed words (a role, a confidence, a quality).
    InvalidValue,
    /// Fields that exclude each other, such as an issue with both `options` and `scale`.
    Conflict,
    /// The model rejected the scenario after every file check passed (a bug in this crate).
    Internal,
    /// An imported file uses something this crate does not read (a real-valued GENIUS issue,
    /// an evaluator other than a linear one), or a folder lacks a file it needs.
    Unsupported,
    /// Lists that must agree do not: a NegMAS party with a weight count other than the issue
    /// count, a stated outcome count other than the issues' product.
    Mismatch,
    /// A scenario (or imported domain) with one party: a negotiation needs at least two.
    TooFewParties,
    /// A scenario whose parties, issues, options and proposals multiply past the size
    /// limits ([`crate::MAX_PARTY_ISSUES`] and the like).
    TooLarge,
}

impl ProblemKind {
    /// The kind's name in snake_case, as `check --json` writes it (`missing_field`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Syntax => "syntax",
            ProblemKind::Encoding => "encoding",
            ProblemKind::Version => "version",
            ProblemKind::MissingField => "missing_field",
            ProblemKind::UnknownField => "unknown_field",
            ProblemKind::WrongType => "wrong_type",
            ProblemKind::InvalidId => "invalid_id",
            ProblemKind::DuplicateId => "duplicate_id",
            ProblemKind::UnknownReference => "unknown_reference",
            ProblemKind::NotFinite => "not_finite",
            ProblemKind::OutOfRange => "out_of_range",
            ProblemKind::Scale => "scale",
            ProblemKind::DuplicateStance => "duplicate_stance",
            ProblemKind::MissingValue => "missing_value",
            ProblemKind::PreferenceMismatch => "preference_mismatch",
            ProblemKind::RedLine => "red_line",
            ProblemKind::AllWeightsZero => "all_weights_zero",
            ProblemKind::Term => "term",
            ProblemKind::CircularAmendment => "circular_amendment",
            ProblemKind::Date => "date",
            ProblemKind::Empty => "empty",
            ProblemKind::InvalidValue => "invalid_value",
            ProblemKind::Conflict => "conflict",
            ProblemKind::Internal => "internal",
            ProblemKind::Unsupported => "unsupported",
            ProblemKind::Mismatch => "mismatch",
            ProblemKind::TooFewParties => "too_few_parties",
            ProblemKind::TooLarge => "too_large",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Turns byte offsets into 1-based lines and character columns.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The last character boundary at or before `offset` (the end for offsets past it).
    fn boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The 1-based line of a byte offset, in logarithmic time.
    pub(crate) fn line(&self, offset: usize) -> usize {
        let offset = self.boundary(offset);
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// The line and column of a byte offset; offsets past the end count as the end, offsets
    /// inside a character as that character. Counting the column takes time linear in its
    /// line's length: to locate many offsets, sort them and use [`LineIndex::locate_sorted`].
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.boundary(offset);
        let line = self.line(offset);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }

    /// The lines and columns of offsets in increasing order, counting each line's characters
    /// at most once, so that many problems on one long line take linear time.
    pub(crate) fn locate_sorted(
        &self,
        offsets: impl Iterator<Item = usize>,
    ) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        // The line, offset and column of the previous offset.
        let mut last: Option<(usize, usize, usize)> = None;
        for offset in offsets {
            let offset = self.boundary(offset);
            let line = self.line(offset);
            let column = match last {
                Some((l, o, c)) if l == line && o <= offset => {
                    c + self.text.get(o..offset).map_or(0, |s| s.chars().count())
                }
                _ => self.line_col(offset).1,
            };
            last = Some((line, offset, column));
            out.push((line, column));
        }
        out
    }
}

/// A problem before it is located: a byte offset instead of a line and column.
#[derive(Clone, Debug)]
pub(crate) struct RawProblem {
    pub(crate) offset: usize,
    pub(crate) path: String,
    pub(crate) kind: ProblemKind,
    pub(crate) message: String,
}

/// Locates raw problems, sorts them into file order (stable) and wraps them in an [`Error`].
pub(crate) fn locate(file: &str, text: &str, mut raw: Vec<RawProblem>) -> Error {
    raw.sort_by_key(|p| p.offset);
    let index = LineIndex::new(text);
    let places = index.locate_sorted(raw.iter().map(|p| p.offset));
    let problems = raw
        .into_iter()
        .zip(places)
        .map(|(p, (line, column))| Problem {
            file: file.to_string(),
            line,
            column,
            path: p.path,
            kind: p.kind,
            message: p.message,
        })
        .collect();
    Error::new(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let idx = LineIndex::new("ab\nçé=1\n");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(2), (1, 3));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(7), (2, 3));
        assert_eq!(idx.line_col(4), (2, 1)); // inside 'ç'
        assert_eq!(idx.line_col(10), (3, 1));
        assert_eq!(idx.line_col(999), (3, 1));
        assert_eq!(LineIndex::new("").line_col(5), (1, 1));
        let offsets = [0, 2, 2, 3, 4, 7, 10, 999];
        let one_by_one: Vec<(usize, usize)> = offsets.iter().map(|&o| idx.line_col(o)).collect();
        assert_eq!(idx.locate_sorted(offsets.into_iter()), one_by_one);
        assert_eq!(idx.line(7), 2);
    }

    #[test]
    fn display_with_and_without_path() {
        let mut p = Problem {
            file: "f.toml".into(),
            line: 3,
            column: 7,
            path: "parties[0].id".into(),
            kind: ProblemKind::InvalidId,
            message: "bad".into(),
        };
        assert_eq!(p.to_string(), "f.toml:3:7: parties[0].id: bad");
        p.path.clear();
        assert_eq!(p.to_string(), "f.toml:3:7: bad");
        let e = Error::new(vec![p.clone(), p]);
        assert_eq!(e.to_string(), "f.toml:3:7: bad\nf.toml:3:7: bad");
        // A what-if setting's problem has no line: the flag as given, then the message.
        let setting = Problem {
            file: "--set a.b=1".into(),
            line: 0,
            column: 0,
            path: "a.b".into(),
            kind: ProblemKind::UnknownReference,
            message: "unknown party".into(),
        };
        assert_eq!(setting.to_string(), "--set a.b=1: unknown party");
    }

    #[test]
    fn kinds_in_snake_case() {
        assert_eq!(ProblemKind::MissingField.as_str(), "missing_field");
        assert_eq!(ProblemKind::TooFewParties.to_string(), "too_few_parties");
    }

    #[test]
    fn error_is_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Error>();
        is::<Problem>();
    }
}
