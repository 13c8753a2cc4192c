//! The generic spanned tree that both the TOML and the JSON reader produce, and that the
//! validator walks: one validator for both spellings of the format.

use std::ops::Range;

/// A value with the byte range it was read from.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) span: Range<usize>,
    pub(crate) kind: Kind,
}

/// One `key = value` of a table, with the key's own byte range.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_span: Range<usize>,
    pub(crate) value: Node,
}

/// A number as written: its value, its integer value when it is a whole number written as
/// an integer that fits `i64`, and its text (for messages).
#[derive(Clone, Debug)]
pub(crate) struct Num {
    pub(crate) value: f64,
    pub(crate) int: Option<i64>,
    pub(crate) text: String,
}

/// The kinds of values.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// Entries in file order.
    Table(Vec<Entry>),
    Array(Vec<Node>),
    Str(String),
    Num(Num),
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A TOML datetime as written; `local_date` when it is a bare `YYYY-MM-DD`.
    Datetime {
        text: String,
        local_date: bool,
    },
}

impl Node {
    /// Says what the value is, for "found ..." in messages.
    pub(crate) fn describe(&self) -> String {
        match &self.kind {
            Kind::Table(_) => "a table".to_string(),
            Kind::Array(_) => "an array".to_string(),
            Kind::Str(s) => quote(s),
            Kind::Num(n) => number_text(&n.text),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => "null".to_string(),
            Kind::Datetime { text, local_date: true } => format!("the date {text}"),
            Kind::Datetime { text, .. } => format!("the datetime {text}"),
        }
    }

    /// The entries, if this is a table.
    pub(crate) fn as_table(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Table(t) => Some(t),
            _ => None,
        }
    }
}

/// A string quoted for a message, shortened when long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() > MAX {
        let short: String = s.chars().take(MAX).collect();
        let q = format!("{short:?}");
        format!("{}...\"", q.strip_suffix('"').unwrap_or(&q))
    } else {
        format!("{s:?}")
    }
}

/// A number as written, for a message: as it is when short, else its count of digits (a
/// number of 309 digits is not worth printing whole).
pub(crate) fn number_text(text: &str) -> String {
    const MAX: usize = 24;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let hex = text.contains(['x', 'X']);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) if !hex => (&text[..at], Some(&text[at + 1..])),
        _ => (text, None),
    };
    let n = mantissa.chars().filter(char::is_ascii_digit).count();
    if n == 0 {
        return quote(text);
    }
    match exponent {
        Some(e) => format!("a number of {n} digits and the exponent {}", number_text(e)),
        None => format!("a number of {n} digits"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_are_shortened() {
        assert_eq!(number_text("1e308"), "1e308");
        assert_eq!(number_text(&"9".repeat(309)), "a number of 309 digits");
        assert_eq!(
            number_text(&format!("-{}.5e10", "1".repeat(30))),
            "a number of 31 digits and the exponent 10"
        );
    }

    #[test]
    fn quote_shortens_long_strings() {
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        let long = "x".repeat(100);
        assert_eq!(quote(&long), format!("\"{}...\"", "x".repeat(60)));
    }
}
