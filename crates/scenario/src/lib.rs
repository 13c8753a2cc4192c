//! Scenario files: the TOML and JSON spellings of format version 1, read into a validated
//! [`detente_core::Scenario`] with every problem reported at once, each with its place.
//! Ranges on the estimates, doubts on red lines and `[uncertainty]` (the extension of
//! version 1 for how sure the numbers are) are read into the scenario's
//! [`detente_core::Uncertainty`] and written back by both writers.
//!
//! The format is described in `docs/scenario-format.md`. This crate does no file I/O:
//! callers pass bytes and a file name (used only in messages).
//!
//! - [`parse`] reads bytes in a given [`Format`]; [`parse_auto`] picks the format from the
//!   file name's extension, else from the first non-blank byte (`{` means JSON);
//! - [`to_json`] writes a scenario back as JSON, and [`to_toml`] as TOML laid out for people;
//!   both parse to an equal scenario;
//! - [`import`] reads automated-negotiation domains (GENIUS XML folders, NegMAS plain JSON)
//!   as scenarios with raw utilities;
//! - [`shipped`] holds the scenarios compiled into the program;
//! - [`sniff`] tells a scenario from the other formats detente reads (NegMAS and GENIUS
//!   domains, KTAB inputs, points tables), so that a program can say what to run;
//! - [`what_if`] changes a scenario's estimates and terms by `PATH=VALUE` settings (the
//!   command line's `--set`), checked like the file.
//!
//! Reading never panics, whatever the bytes. A rejected file gives an [`Error`] whose
//! [`problems`](Error::problems) each print as `file:line:column: path: message`.
//!
//! ```
//! use detente_scenario::{parse, parse_auto, to_json, Format, ProblemKind};
//!
//! let text = r#"
//! version = 1
//! [scenario]
//! name = "toy"
//! title = "A toy negotiation"
//!
//! [[parties]]
//! id = "a"
//! name = "Alpha"
//! role = "principal"
//!
//! [[issues]]
//! id = "split"
//! name = "Split"
//! options = [{ id = "even", label = "Even split" }, { id = "a-more", label = "Alpha gets more" }]
//!
//! [[stances]]
//! party = "a"
//! issue = "split"
//! weight = 1
//! values = { even = 0.5, a-more = 1.0 }
//!
//! [[parties]]
//! id = "b"
//! name = "Beta"
//! role = "principal"
//! "#;
//! let scenario = parse("toy.toml", text.as_bytes(), Format::Toml)?;
//! assert_eq!(scenario.parties()[0].reservation, 0.0); // the default
//!
//! // JSON has the same structure, and round-trips.
//! let json = to_json(&scenario);
//! assert_eq!(parse_auto("toy.json", json.as_bytes())?, scenario);
//!
//! // Every problem is reported, located.
//! let bad = text.replace("weight = 1", "weight = nan").replace("a-more = 1.0", "a-mor = 1.0");
//! let err = parse("toy.toml", bad.as_bytes(), Format::Toml).unwrap_err();
//! let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
//! assert_eq!(lines, [
//!     "toy.toml:20:10: stances[0].weight: must be a finite number >= 0, found nan",
//!     "toy.toml:21:10: stances[0].values: no value for option \"a-more\" of issue split (every option needs a value)",
//!     "toy.toml:21:24: stances[0].values.a-mor: unknown option \"a-mor\" of issue split (options: even, a-more)",
//! ]);
//! assert_eq!(err.problems()[0].kind, ProblemKind::NotFinite);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod error;
pub mod import;
pub mod ingest;
mod json_in;
mod json_out;
mod kit;
pub mod shipped;
mod sniff;
mod toml_in;
mod toml_out;
mod tree;
mod validate;
pub mod what_if;

pub use error::{Error, Problem, ProblemKind};
pub use sniff::{InputKind, sniff};

use error::{LineIndex, RawProblem, locate};

/// The largest magnitude of any number a scenario holds (weights, values, reservations,
/// biases, capabilities, scale bounds, ideals, tolerances, red-line bounds, terms; in imported
/// domains too): utilities add weights times values in floating point, and larger numbers
/// would overflow or lose precision. Readers refuse larger numbers, naming the field.
pub const MAX_MAGNITUDE: f64 = 1e9;

/// The smallest positive weight, tolerance or scale step a scenario may hold: weights are
/// divided by their sum and scale values by their step and tolerance, which smaller numbers
/// would make inexact. A scale's step must also be at least `MIN_MAGNITUDE` times its
/// largest bound in magnitude, so that its grid points differ.
pub const MIN_MAGNITUDE: f64 = 1e-9;

/// The most (party, issue) pairs a scenario file may describe: each has a stance slot.
pub const MAX_PARTY_ISSUES: usize = 1_000_000;

/// The most (party, option) pairs a scenario file may describe, grid points of scales
/// included: each has a value and a weighted value (16 bytes).
pub const MAX_PARTY_OPTIONS: usize = 10_000_000;

/// The most (proposal, issue) pairs a scenario file may describe: each proposal has a term
/// per issue.
pub const MAX_PROPOSAL_ISSUES: usize = 10_000_000;

/// The two spellings of a scenario file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TOML, for people.
    Toml,
    /// JSON, for programs.
    Json,
}

impl Format {
    /// The format named by a path's extension, `.toml` or `.json` (any case).
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = std::path::Path::new(path).extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("toml") {
            Some(Format::Toml)
        } else if ext.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

/// Reads a scenario file. `file` is only used in error messages.
///
/// Returns every problem found (syntax errors stop reading; all other checks run to the
/// end). A leading UTF-8 byte-order mark is ignored.
pub fn parse(file: &str, bytes: &[u8], format: Format) -> Result<detente_core::Scenario, Error> {
    let text = utf8(file, bytes)?;
    if text.trim().is_empty() {
        let raw = RawProblem {
            offset: 0,
            path: String::new(),
            kind: ProblemKind::Empty,
            message:
                "empty file: a scenario needs `version = 1`, [scenario], [[parties]] and [[issues]]"
                    .to_string(),
        };
        return Err(locate(file, text, vec![raw]));
    }
    let (root, mut problems) = match format {
        Format::Toml => match toml_in::parse(text) {
            Ok(root) => (root, Vec::new()),
            Err(problems) => return Err(locate(file, text, problems)),
        },
        Format::Json => match json_in::parse(text) {
            Ok(parsed) => parsed,
            Err(problem) => return Err(locate(file, text, vec![problem])),
        },
    };
    let lines = LineIndex::new(text);
    let mut cx = kit::Cx::new(&lines);
    let scenario = validate::scenario(&mut cx, &root);
    problems.extend(cx.problems);
    match scenario {
        Some(s) if problems.is_empty() => Ok(s),
        _ if problems.is_empty() => {
            // Unreachable by construction: validation yields no scenario only with problems.
            let raw = RawProblem {
                offset: 0,
                path: String::new(),
                kind: ProblemKind::Internal,
                message: "internal error, please report: no scenario and no problem".to_string(),
            };
            Err(locate(file, text, vec![raw]))
        }
        _ => Err(locate(file, text, problems)),
    }
}

/// Reads a scenario file in the format named by the extension of `file`; without a known
/// extension, JSON if the first non-blank byte is `{`, else TOML.
pub fn parse_auto(file: &str, bytes: &[u8]) -> Result<detente_core::Scenario, Error> {
    let format = Format::from_path(file).unwrap_or_else(|| spelling(bytes));
    parse(file, bytes, format)
}

/// The text of a file: UTF-8 without a leading byte-order mark, or an encoding problem.
pub(crate) fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t),
        Err(e) => {
            let valid = e.valid_up_to();
            let prefix = std::str::from_utf8(bytes.get(..valid).unwrap_or(&[])).unwrap_or("");
            let byte = bytes.get(valid).copied().unwrap_or(0);
            let raw = RawProblem {
                offset: valid,
                path: String::new(),
                kind: ProblemKind::Encoding,
                message: format!("not UTF-8: invalid byte 0x{byte:02x} (save the file as UTF-8)"),
            };
            Err(locate(file, prefix, vec![raw]))
        }
    }
}

/// The spelling of a file without a known extension: JSON when its first non-blank byte is
/// `{`, else TOML.
fn spelling(bytes: &[u8]) -> Format {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Format::Json,
        _ => Format::Toml,
    }
}

/// Writes a scenario as pretty JSON (2-space indent, trailing newline) in format version 1;
/// parsing it back gives an equal scenario, its uncertainty included (stated ranges as
/// `{ "value", "low", "high" }`, doubts as `"holds"`, widths and `ungraded` in
/// `"uncertainty"` where they differ from the defaults; nothing of it when there is none).
///
/// A proposal that amends another lists only the terms it states itself; the others are
/// inherited on reading. (A proposal built in code that amends nothing yet marks terms as
/// not stated is written with every term, so it reads back with every term stated.)
pub fn to_json(s: &detente_core::Scenario) -> String {
    json_out::to_json(s)
}

/// Writes a scenario as a TOML file for people in format version 1, laid out like
/// `scenarios/tutorial.toml`; parsing it back gives an equal scenario, every number bit for
/// bit.
///
/// Strings are escaped wherever needed (quotes, backslashes, control characters; text with
/// line breaks becomes a multi-line string), keys that are not bare TOML keys are quoted,
/// and numbers are written in the shortest form that reads back as the same `f64`, always
/// as TOML floats (`30.0`, `1e300`). Proposals are written as by [`to_json`].
///
/// ```
/// use detente_scenario::{parse, shipped, to_toml, Format};
/// let tutorial = shipped::load("tutorial").unwrap()?;
/// let text = to_toml(&tutorial);
/// assert!(text.starts_with("version = 1\n\n[scenario]\nname = \"tutorial\"\n"));
/// assert_eq!(parse("tutorial.toml", text.as_bytes(), Format::Toml)?, tutorial);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_toml(s: &detente_core::Scenario) -> String {
    toml_out::to_toml(s)
}

/// Whether an axis is the options in the order listed (0, 1, 2, ...), written `"listed"`.
pub(crate) fn write_as_listed(axis: &[f64]) -> bool {
    axis.iter().enumerate().all(|(k, &x)| x == k as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_path() {
        assert_eq!(Format::from_path("a/b.TOML"), Some(Format::Toml));
        assert_eq!(Format::from_path("x.json"), Some(Format::Json));
        assert_eq!(Format::from_path("x.yaml"), None);
        assert_eq!(Format::from_path("json"), None);
        assert_eq!(Format::from_path(""), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(spelling(b"  \n {"), Format::Json);
        assert_eq!(spelling(b"\xEF\xBB\xBF{"), Format::Json);
        assert_eq!(spelling(b"version = 1"), Format::Toml);
        assert_eq!(spelling(b""), Format::Toml);
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Error>();
        is::<Problem>();
        is::<Format>();
        is::<shipped::Shipped>();
    }
}
