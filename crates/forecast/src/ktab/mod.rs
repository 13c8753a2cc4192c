//! Readers of KTAB's SMP input files: the CSV format of `smpc --csv` ([`parse_csv`]) and
//! the XML format of `smpSchema.xsd` ([`parse_xml`]).
//!
//! Both take the file's name (for messages) and its text, and report the first problem as
//! `file:line:column: message`, naming the actor and dimension concerned. They accept what
//! KTAB's readers accept, and turn KTAB's silent or confusing failures into clear errors:
//! an empty coordinate is an error naming the actor and dimension, and a missing
//! `IdealAdjustment` in XML means the identity (ideals follow positions), as the schema
//! says, where KTAB's reader refuses the file.

mod csv;
mod xml;

pub use csv::parse_csv;
pub use xml::{parse_xml, parse_xml_with_info};

/// The descriptive fields of a KTAB scenario file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Info {
    /// The scenario's name (CSV: first field of line 1; XML: `<name>`).
    pub name: String,
    /// Its description (CSV: second field of line 1; XML: `<desc>`).
    pub description: String,
}

/// Reads a number, trimmed; `None` when it is not one. Accepts what `strtod` accepts of
/// decimal numbers (`12`, `-3.5`, `1e3`, `.5`).
fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if ok { s.parse().ok() } else { None }
}

/// A field's text as a message quotes it: in quotes, cut to its first 40 characters.
fn shown(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        None => format!("{text:?}"),
        Some((end, _)) => format!("{:?}... ({} characters)", &text[..end], text.chars().count()),
    }
}

/// A number read from `text` as a message prints it: in full when short, in scientific
/// notation when its decimal form would be long (`1e308`, not 309 digits), as written
/// (cut short) when it is beyond the floats.
fn shown_value(text: &str, x: f64) -> String {
    let plain = x.to_string();
    if !x.is_finite() {
        shown(text.trim())
    } else if plain.len() <= 20 {
        plain
    } else {
        format!("{x:e}")
    }
}
