//! A strict (RFC 8259) recursive-descent JSON reader that keeps byte spans, producing the
//! same [`Node`] tree as the TOML reader.
//!
//! Numbers written without fraction or exponent that fit `i64` keep their integer value;
//! others are `f64` (a number too large for `f64` becomes infinite and is reported by the
//! validator). Nesting deeper than [`MAX_DEPTH`] is a syntax error, so the reader cannot
//! overflow the stack. A key given twice in one object is reported as
//! [`ProblemKind::DuplicateId`] and the first value is kept, so validation goes on.

use std::collections::HashSet;

use crate::error::{ProblemKind, RawProblem};
use crate::tree::{Entry, Kind, Node, Num, quote};

/// The deepest nesting of arrays and objects accepted.
pub(crate) const MAX_DEPTH: usize = 128;

/// Objects with more keys than this find duplicates with a hash set, not a search, so
/// reading stays linear in the size of the object.
const LINEAR_KEYS: usize = 16;

/// Parses a JSON document. `Err` holds one syntax problem; `Ok` holds the tree and the
/// duplicate-key problems found on the way.
///
/// A value spelled `NaN`, `Infinity` or `-Infinity` (as some writers print non-finite
/// floats) is reported as [`ProblemKind::NotFinite`], saying so.
pub(crate) fn parse(text: &str) -> Result<(Node, Vec<RawProblem>), RawProblem> {
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0, duplicates: Vec::new() };
    let parsed = (|| {
        p.skip_ws();
        let node = p.value(0)?;
        p.skip_ws();
        if p.pos < p.bytes.len() {
            return Err(p.error_here("trailing characters after the top-level value"));
        }
        Ok(node)
    })();
    match parsed {
        Ok(node) => Ok((node, p.duplicates)),
        Err(mut problem) => {
            let rest = text.get(problem.offset..).unwrap_or("");
            let word = ["NaN", "Infinity", "-Infinity"].into_iter().find(|w| rest.starts_with(w));
            if let Some(word) = word {
                problem.kind = ProblemKind::NotFinite;
                problem.message =
                    format!("{word} is not a JSON number: every number must be finite");
            }
            Err(problem)
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    duplicates: Vec<RawProblem>,
}

impl Parser<'_> {
    fn error_at(&self, offset: usize, message: impl Into<String>) -> RawProblem {
        RawProblem {
            offset,
            path: String::new(),
            kind: ProblemKind::Syntax,
            message: message.into(),
        }
    }

    fn error_here(&self, message: &str) -> RawProblem {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => self.error_at(self.pos, format!("{message}: unexpected end of file")),
            Some(c) => self.error_at(self.pos, format!("{message}, found {c:?}")),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, RawProblem> {
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node { span: start..self.pos, kind: Kind::Str(s) })
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Kind::Bool(true)),
            Some(b'f') => self.literal("false", Kind::Bool(false)),
            Some(b'n') => self.literal("null", Kind::Null),
            _ => Err(self.error_here("expected a value")),
        }
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Node, RawProblem> {
        let start = self.pos;
        if self.bytes.get(start..start + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(Node { span: start..self.pos, kind })
        } else {
            Err(self.error_here("expected a value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, RawProblem> {
        let start = self.pos;
        if depth >= MAX_DEPTH {
            return Err(self.error_at(start, format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.pos += 1;
        let mut entries: Vec<Entry> = Vec::new();
        // The keys seen, once the object is too large to search them one by one.
        let mut keys: Option<HashSet<String>> = None;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Node { span: start..self.pos, kind: Kind::Table(entries) });
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error_here("expected a key in double quotes"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error_here("expected ':' after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            if keys.is_none() && entries.len() >= LINEAR_KEYS {
                keys = Some(entries.iter().map(|e| e.key.clone()).collect());
            }
            let duplicate = match &mut keys {
                Some(keys) => !keys.insert(key.clone()),
                None => entries.iter().any(|e| e.key == key),
            };
            if duplicate {
                self.duplicates.push(RawProblem {
                    offset: key_start,
                    path: String::new(),
                    kind: ProblemKind::DuplicateId,
                    message: format!("duplicate key {}", quote(&key)),
                });
            } else {
                entries.push(Entry { key, key_span, value });
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node { span: start..self.pos, kind: Kind::Table(entries) });
                }
                _ => return Err(self.error_here("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, RawProblem> {
        let start = self.pos;
        if depth >= MAX_DEPTH {
            return Err(self.error_at(start, format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node { span: start..self.pos, kind: Kind::Array(items) });
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node { span: start..self.pos, kind: Kind::Array(items) });
                }
                _ => return Err(self.error_here("expected ',' or ']'")),
            }
        }
    }

    /// Reads a string starting at the opening quote.
    fn string(&mut self) -> Result<String, RawProblem> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = self.text.get(self.pos..).unwrap_or("");
            let Some(c) = rest.chars().next() else {
                return Err(self.error_at(start, "unclosed string: unexpected end of file"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    let esc_start = self.pos;
                    self.pos += 1;
                    let e = self.peek();
                    self.pos += 1;
                    match e {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape(esc_start)?),
                        _ => {
                            let found = self
                                .text
                                .get(esc_start + 1..)
                                .and_then(|s| s.chars().next())
                                .map_or("end of file".to_string(), |c| format!("\\{c}"));
                            return Err(self.error_at(
                                esc_start,
                                format!("invalid escape {found:?} in string"),
                            ));
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.error_here("control character in string (escape it)"));
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Reads the `XXXX` of `\uXXXX` (and a low surrogate's `\uXXXX` after a high one).
    fn unicode_escape(&mut self, esc_start: usize) -> Result<char, RawProblem> {
        let hi = self.hex4(esc_start)?;
        if (0xDC00..0xE000).contains(&hi) {
            return Err(self.error_at(esc_start, "lone low surrogate in \\u escape"));
        }
        if (0xD800..0xDC00).contains(&hi) {
            if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(self.error_at(esc_start, "high surrogate not followed by a low one"));
            }
            let low_start = self.pos;
            self.pos += 2;
            let lo = self.hex4(low_start)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.error_at(low_start, "high surrogate not followed by a low one"));
            }
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return char::from_u32(c).ok_or_else(|| self.error_at(esc_start, "invalid \\u escape"));
        }
        char::from_u32(hi).ok_or_else(|| self.error_at(esc_start, "invalid \\u escape"))
    }

    fn hex4(&mut self, esc_start: usize) -> Result<u32, RawProblem> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        let value = digits.and_then(|d| {
            d.iter().try_fold(0u32, |acc, b| (*b as char).to_digit(16).map(|x| acc * 16 + x))
        });
        match value {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error_at(esc_start, "\\u needs four hex digits")),
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - from
    }

    fn number(&mut self) -> Result<Node, RawProblem> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n_int = self.digits();
        if n_int == 0 {
            return Err(self.error_here("expected a digit"));
        }
        if n_int > 1 && self.bytes.get(int_start) == Some(&b'0') {
            return Err(self.error_at(int_start, "leading zeros are not allowed in numbers"));
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error_here("expected a digit after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error_here("expected a digit in the exponent"));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("0").to_string();
        let int = if integral { text.parse::<i64>().ok() } else { None };
        let value = match int {
            Some(n) => n as f64,
            None => text.parse::<f64>().unwrap_or(f64::NAN),
        };
        Ok(Node { span: start..self.pos, kind: Kind::Num(Num { value, int, text }) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Node {
        parse(text).unwrap().0
    }

    fn err(text: &str) -> (usize, String) {
        let e = parse(text).unwrap_err();
        (e.offset, e.message)
    }

    #[test]
    fn values_and_spans() {
        let text = r#" {"a": [1, -2.5, 1e2, true, null], "b": "x\u00e9\ud83d\ude00\n"} "#;
        let n = ok(text);
        assert_eq!(n.span, 1..text.len() - 1);
        let t = n.as_table().unwrap();
        assert_eq!(t[0].key_span, 2..5);
        let Kind::Array(items) = &t[0].value.kind else { panic!() };
        let Kind::Num(one) = &items[0].kind else { panic!() };
        assert_eq!((one.int, one.value), (Some(1), 1.0));
        let Kind::Num(e2) = &items[2].kind else { panic!() };
        assert_eq!((e2.int, e2.value), (None, 100.0));
        let Kind::Str(s) = &t[1].value.kind else { panic!() };
        assert_eq!(s, "xé😀\n");
    }

    #[test]
    fn big_numbers() {
        let Kind::Num(n) = ok("123456789012345678901234567890").kind else { panic!() };
        assert_eq!(n.int, None);
        assert!(n.value > 1e29);
        let Kind::Num(n) = ok("1e400").kind else { panic!() };
        assert!(n.value.is_infinite());
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(err("[1,]"), (3, "expected a value, found ']'".into()));
        assert_eq!(err(r#"{"a":1,}"#), (7, "expected a key in double quotes, found '}'".into()));
        assert_eq!(err("[1 2]"), (3, "expected ',' or ']', found '2'".into()));
        assert_eq!(err("01"), (0, "leading zeros are not allowed in numbers".into()));
        assert_eq!(err("\"ab"), (0, "unclosed string: unexpected end of file".into()));
        assert_eq!(err("[1"), (2, "expected ',' or ']': unexpected end of file".into()));
        assert_eq!(err(r#""\ud800""#), (1, "high surrogate not followed by a low one".into()));
        assert_eq!(err(r#""\x""#), (1, r#"invalid escape "\\x" in string"#.into()));
        assert_eq!(
            err("{} x"),
            (3, "trailing characters after the top-level value, found 'x'".into())
        );
        assert_eq!(err("nul"), (0, "expected a value, found 'n'".into()));
        assert_eq!(err("-"), (1, "expected a digit: unexpected end of file".into()));
        assert_eq!(
            err("\"a\u{1}\""),
            (2, "control character in string (escape it), found '\\u{1}'".into())
        );
    }

    #[test]
    fn depth_is_limited() {
        let deep = "[".repeat(100_000);
        let (offset, message) = err(&deep);
        assert_eq!(offset, MAX_DEPTH);
        assert_eq!(message, "nested deeper than 128 levels");
        let ok_depth = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok_depth).is_ok());
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_kept() {
        let (n, dups) = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].offset, 9);
        assert_eq!(dups[0].message, "duplicate key \"a\"");
        assert_eq!(n.as_table().unwrap().len(), 1);
    }

    #[test]
    fn duplicate_keys_of_large_objects() {
        let keys: Vec<String> = (0..40).map(|k| format!("\"k{k}\": {k}")).collect();
        let text = format!("{{{}, \"k3\": 0, \"k39\": 0}}", keys.join(", "));
        let (n, dups) = parse(&text).unwrap();
        let messages: Vec<&str> = dups.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["duplicate key \"k3\"", "duplicate key \"k39\""]);
        assert_eq!(n.as_table().unwrap().len(), 40);
    }
}
