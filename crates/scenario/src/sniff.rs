//! Telling the input formats detente reads apart by their content: a scenario (TOML or
//! JSON), a NegMAS JSON domain, a file of a GENIUS domain, a KTAB input (CSV or XML), or a
//! points table for Adjusted Winner. Callers use it to say what to run when a file is given
//! to a command that does not read its format.

use crate::Format;
use crate::tree::Kind;

/// What a file holds, as told by [`sniff`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A detente scenario file in this spelling (also what anything unrecognised is read as,
    /// so that its problems are reported against the scenario format).
    Scenario(Format),
    /// A NegMAS plain JSON domain, read by [`crate::import::negmas_json`]: a JSON object
    /// without `version` whose `parties` carry `value_utils`.
    NegmasJson,
    /// One XML file of a GENIUS domain (root `<negotiation_template>` or `<utility_space>`);
    /// [`crate::import::genius`] reads the folder holding the domain and its profiles.
    GeniusXml,
    /// A KTAB SMP input in CSV: a first line `name, description, N, K` with whole numbers
    /// `N` and `K`.
    KtabCsv,
    /// A KTAB SMP input in XML (root `<Scenario>`).
    KtabXml,
    /// A points table for `divide`: a CSV whose header is `item,<party>,<party>,...`.
    PointsCsv,
}

impl InputKind {
    /// What the file is, in words: "a NegMAS JSON domain", ...
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Scenario(_) => "a detente scenario",
            InputKind::NegmasJson => "a NegMAS JSON domain",
            InputKind::GeniusXml => "a file of a GENIUS domain",
            InputKind::KtabCsv => "a KTAB input (CSV)",
            InputKind::KtabXml => "a KTAB input (XML)",
            InputKind::PointsCsv => "a points table for Adjusted Winner",
        }
    }
}

/// Tells what a file holds from its bytes, and from its name's extension where the bytes
/// leave it open (a scenario's spelling; a `.csv` file that is no points table is taken for
/// KTAB's). Reads the bytes at most once through (a JSON object is parsed to look at its
/// keys), never fails and never panics.
///
/// ```
/// use detente_scenario::{Format, InputKind, sniff};
/// assert_eq!(sniff("a.toml", b"version = 1\n[scenario]\n"), InputKind::Scenario(Format::Toml));
/// assert_eq!(sniff("x", b"{\"version\": 1}"), InputKind::Scenario(Format::Json));
/// let negmas = br#"{"issues": [], "parties": [{"name": "p", "value_utils": [[1]]}]}"#;
/// assert_eq!(sniff("d.json", negmas), InputKind::NegmasJson);
/// assert_eq!(sniff("p.csv", b"item,alice,bob\nhouse,60,40\n"), InputKind::PointsCsv);
/// assert_eq!(sniff("k.csv", b"toy, a toy, 2, 1\nActor,Desc,Power,X pos,X sal\n"), InputKind::KtabCsv);
/// assert_eq!(sniff("d.xml", b"<?xml version=\"1.0\"?><negotiation_template/>"), InputKind::GeniusXml);
/// ```
pub fn sniff(file: &str, bytes: &[u8]) -> InputKind {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let scenario = InputKind::Scenario(Format::from_path(file).unwrap_or(Format::Toml));
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let rest = bytes.get(start..).unwrap_or(&[]);
    match rest.first() {
        Some(b'{') => json_kind(bytes),
        Some(b'<') => match root_tag(rest) {
            Some("negotiation_template" | "utility_space") => InputKind::GeniusXml,
            Some("Scenario") => InputKind::KtabXml,
            _ => scenario,
        },
        _ => csv_kind(file, rest).unwrap_or(scenario),
    }
}

/// A JSON object: a NegMAS domain when it has no `version` and its `parties` carry
/// `value_utils`, else a scenario. Text that does not parse (NegMAS writes `NaN`) is judged
/// by the same keys found as text.
fn json_kind(bytes: &[u8]) -> InputKind {
    let text = String::from_utf8_lossy(bytes);
    let negmas = match crate::json_in::parse(&text) {
        Ok((root, _)) => {
            let top = root.as_table().unwrap_or(&[]);
            let get = |key: &str| top.iter().find(|e| e.key == key).map(|e| &e.value);
            let utils = match get("parties").map(|n| &n.kind) {
                Some(Kind::Array(parties)) => parties.iter().any(|p| {
                    p.as_table().is_some_and(|t| t.iter().any(|e| e.key == "value_utils"))
                }),
                _ => false,
            };
            get("version").is_none() && utils
        }
        Err(_) => text.contains("\"value_utils\"") && !text.contains("\"version\""),
    };
    if negmas { InputKind::NegmasJson } else { InputKind::Scenario(Format::Json) }
}

/// The name of the first element of an XML text (after declarations and comments).
fn root_tag(text: &[u8]) -> Option<&str> {
    let mut at = 0;
    while let Some(open) = text.get(at..)?.iter().position(|&b| b == b'<') {
        let from = at + open + 1;
        match text.get(from) {
            Some(b'?' | b'!') => at = from,
            Some(_) => {
                let len = text
                    .get(from..)?
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                    .unwrap_or(text.len() - from);
                return std::str::from_utf8(text.get(from..from + len)?).ok();
            }
            None => return None,
        }
    }
    None
}

/// A CSV by its first line: `item,<a>,<b>,...` is a points table, `name, description, N, K` a
/// KTAB input; any other `.csv` file is taken for KTAB's (whose reader then says what is
/// wrong with it).
fn csv_kind(file: &str, text: &[u8]) -> Option<InputKind> {
    let line_end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    let first = String::from_utf8_lossy(text.get(..line_end).unwrap_or(&[]));
    let fields: Vec<&str> = first.split(',').map(|f| f.trim().trim_matches('"')).collect();
    let whole = |f: Option<&&str>| {
        f.is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    };
    if fields.len() >= 3 && fields[0].eq_ignore_ascii_case("item") {
        return Some(InputKind::PointsCsv);
    }
    if fields.len() >= 4 && whole(fields.get(2)) && whole(fields.get(3)) {
        return Some(InputKind::KtabCsv);
    }
    let csv = std::path::Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if csv {
        return Some(if fields.len() == 3 { InputKind::PointsCsv } else { InputKind::KtabCsv });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_by_extension_and_content() {
        assert_eq!(sniff("a.json", b"  {\"version\": 1}"), InputKind::Scenario(Format::Json));
        assert_eq!(sniff("a", b"\xEF\xBB\xBF{}"), InputKind::Scenario(Format::Json));
        assert_eq!(sniff("a", b"version = 1"), InputKind::Scenario(Format::Toml));
        assert_eq!(sniff("a.json", b""), InputKind::Scenario(Format::Json));
        assert_eq!(sniff("a", b""), InputKind::Scenario(Format::Toml));
        // TOML arrays have commas, not whole numbers in third and fourth place.
        let toml = b"options = [\"a\", \"b\", \"c\", \"d\"]\n";
        assert_eq!(sniff("a.toml", toml), InputKind::Scenario(Format::Toml));
        // Unknown XML and binary bytes are read as scenarios (and their problems reported).
        assert_eq!(sniff("a", b"<html></html>"), InputKind::Scenario(Format::Toml));
        assert_eq!(sniff("a", b"\xff\xfe\x00"), InputKind::Scenario(Format::Toml));
    }

    #[test]
    fn negmas_json_even_with_nan() {
        let nan =
            br#"{"issues": [{"name": "a", "values": [1]}], "parties": [{"value_utils": [[NaN]]}]}"#;
        assert_eq!(sniff("d.json", nan), InputKind::NegmasJson);
        let scenario = br#"{"version": 1, "parties": [{"value_utils": 1}]}"#;
        assert_eq!(sniff("d.json", scenario), InputKind::Scenario(Format::Json));
    }

    #[test]
    fn xml_roots() {
        let profile = b"<!-- a profile --><utility_space><objective/></utility_space>";
        assert_eq!(sniff("p.xml", profile), InputKind::GeniusXml);
        assert_eq!(sniff("k.xml", b"<?xml version=\"1.0\"?>\n<Scenario>"), InputKind::KtabXml);
        assert_eq!(sniff("k.xml", b"<"), InputKind::Scenario(Format::Toml));
        assert_eq!(sniff("k.xml", b"<?"), InputKind::Scenario(Format::Toml));
    }

    #[test]
    fn csv_tables() {
        assert_eq!(sniff("p", b"Item, a_points, b_points\n"), InputKind::PointsCsv);
        assert_eq!(sniff("k", b"\"toy\", \"d\", 3, 2, extra\n"), InputKind::KtabCsv);
        assert_eq!(sniff("odd.csv", b"a;b\n"), InputKind::KtabCsv);
        assert_eq!(sniff("odd.CSV", b"a,b,c\n"), InputKind::PointsCsv);
    }
}
