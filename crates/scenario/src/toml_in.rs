//! Reads TOML into the spanned [`Node`] tree with the `toml` crate's span-keeping parser.

use std::collections::HashSet;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{ProblemKind, RawProblem};
use crate::tree::{Entry, Kind, Node, Num};

/// Parses a TOML document; on syntax errors returns every error the parser reports.
pub(crate) fn parse(text: &str) -> Result<Node, Vec<RawProblem>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let mut problems: Vec<RawProblem> = Vec::new();
        let mut seen: HashSet<(usize, String)> = HashSet::new();
        for e in errors {
            let offset = e.span().map_or(0, |s| s.start);
            let message = e.message().trim_end_matches('.').to_string();
            if !seen.insert((offset, message.clone())) {
                continue;
            }
            problems.push(RawProblem {
                offset,
                path: String::new(),
                kind: ProblemKind::Syntax,
                message,
            });
        }
        return Err(problems);
    }
    let span = table.span();
    Ok(Node { span, kind: table_kind(text, table.get_ref()) })
}

fn table_kind(text: &str, table: &DeTable<'_>) -> Kind {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            key_span: k.span(),
            value: node(text, v),
        })
        .collect();
    // The parser keeps keys sorted by name; problems read better in file order.
    entries.sort_by_key(|e| e.key_span.start);
    Kind::Table(entries)
}

fn node(text: &str, v: &Spanned<DeValue<'_>>) -> Node {
    let span = v.span();
    let raw = text.get(span.clone()).unwrap_or("").to_string();
    let kind = match v.get_ref() {
        DeValue::String(s) => Kind::Str(s.to_string()),
        DeValue::Integer(i) => {
            let int = i64::from_str_radix(i.as_str(), i.radix()).ok();
            let value = match int {
                Some(n) => n as f64,
                None => fold_digits(i.as_str(), i.radix()),
            };
            Kind::Num(Num { value, int, text: raw })
        }
        DeValue::Float(f) => {
            let value = f.as_str().parse::<f64>().unwrap_or(f64::NAN);
            Kind::Num(Num { value, int: None, text: raw })
        }
        DeValue::Boolean(b) => Kind::Bool(*b),
        DeValue::Datetime(d) => {
            let local_date = d.date.is_some() && d.time.is_none() && d.offset.is_none();
            Kind::Datetime { text: d.to_string(), local_date }
        }
        DeValue::Array(a) => Kind::Array(a.iter().map(|v| node(text, v)).collect()),
        DeValue::Table(t) => table_kind(text, t),
    };
    Node { span, kind }
}

/// The approximate value of an integer too large for `i64`.
fn fold_digits(s: &str, radix: u32) -> f64 {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let x = digits
        .chars()
        .filter_map(|c| c.to_digit(radix))
        .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d));
    if neg { -x } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_file_order_and_spans() {
        let text = "b = 1\na = \"x\"\n[t]\nz = 1979-05-27\nw = 1979-05-27T07:00:00Z\n";
        let n = parse(text).unwrap();
        let t = n.as_table().unwrap();
        assert_eq!(t[0].key, "b");
        assert_eq!(t[1].key, "a");
        assert_eq!(&text[t[1].value.span.clone()], "\"x\"");
        let inner = t[2].value.as_table().unwrap();
        assert!(matches!(inner[0].value.kind, Kind::Datetime { local_date: true, .. }));
        assert!(matches!(inner[1].value.kind, Kind::Datetime { local_date: false, .. }));
    }

    #[test]
    fn big_integers_become_floats() {
        let n = parse("a = 99999999999999999999\nb = 0xffffffffffffffffff\nc = nan").unwrap();
        let t = n.as_table().unwrap();
        let Kind::Num(a) = &t[0].value.kind else { panic!() };
        assert_eq!(a.int, None);
        assert!((a.value - 1e20).abs() < 1e6);
        let Kind::Num(b) = &t[1].value.kind else { panic!() };
        assert!(b.value > 4e21);
        let Kind::Num(c) = &t[2].value.kind else { panic!() };
        assert!(c.value.is_nan());
        assert_eq!(c.text, "nan");
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse("a = 1\nb = \n").unwrap_err();
        assert_eq!(e[0].kind, ProblemKind::Syntax);
        assert!(e[0].offset >= 6);
    }
}
