//! The reading kit: how a spanned tree (TOML or JSON alike) is read with every problem
//! located. A [`Cx`] collects the problems; [`open`] and [`Tab`] read tables and their
//! fields, [`string`] and [`number`] read values against a [`Range`], and [`Ids`] registers
//! and resolves ids, with "did you mean" for unknown fields.

use std::collections::HashMap;

use detente_core::{Spread, format_number};

use crate::error::{LineIndex, ProblemKind, RawProblem};
use crate::tree::{Entry, Kind, Node, number_text, quote};
use crate::{MAX_MAGNITUDE, MIN_MAGNITUDE};

/// Collects problems while the tree is walked.
pub(crate) struct Cx<'a> {
    pub(crate) problems: Vec<RawProblem>,
    lines: &'a LineIndex<'a>,
    /// What a table is called in messages: "a table" (scenario files, TOML or JSON alike) or
    /// "an object" (JSON formats of other programs).
    table: &'static str,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(lines: &'a LineIndex<'a>) -> Cx<'a> {
        Cx { problems: Vec::new(), lines, table: "a table" }
    }

    /// A context whose messages call tables "objects", for JSON formats of other programs.
    pub(crate) fn objects(self) -> Cx<'a> {
        Cx { table: "an object", ..self }
    }

    pub(crate) fn push(
        &mut self,
        offset: usize,
        path: &str,
        kind: ProblemKind,
        message: impl Into<String>,
    ) {
        self.problems.push(RawProblem {
            offset,
            path: path.to_string(),
            kind,
            message: message.into(),
        });
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }
}

/// The allowed range of a number, for checks and messages.
#[derive(Clone, Copy)]
pub(crate) enum Range {
    Any,
    NonNegative,
    /// `> 0`, and at least [`MIN_MAGNITUDE`]: tolerances and scale steps.
    Positive,
    /// `>= 0`, and 0 or at least [`MIN_MAGNITUDE`]: weights.
    Weight,
    Unit,
    /// `(0, 1]`, for discount factors.
    Discount,
    /// `[0, 1)`, for shares that must leave something (the width of a tolerance).
    Share,
    Within(f64, f64),
}

impl Range {
    pub(crate) fn contains(self, x: f64) -> bool {
        match self {
            Range::Any => true,
            Range::NonNegative => x >= 0.0,
            Range::Positive => x > 0.0,
            Range::Weight => x >= 0.0,
            Range::Unit => (0.0..=1.0).contains(&x),
            Range::Discount => x > 0.0 && x <= 1.0,
            Range::Share => (0.0..1.0).contains(&x),
            Range::Within(lo, hi) => x >= lo && x <= hi,
        }
    }

    pub(crate) fn describe(self) -> String {
        match self {
            Range::Any => String::new(),
            Range::NonNegative => " >= 0".to_string(),
            Range::Positive => " > 0".to_string(),
            Range::Weight => " >= 0".to_string(),
            Range::Unit => " in [0, 1]".to_string(),
            Range::Discount => " in (0, 1]".to_string(),
            Range::Share => " in [0, 1)".to_string(),
            Range::Within(lo, hi) => format!(" in [{}, {}]", format_number(lo), format_number(hi)),
        }
    }
}

pub(crate) fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// `path.key`, or `path["odd key"]` when the key is not id-like.
pub(crate) fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(is_id_char);
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", quote(key)),
    }
}

/// Lists ids for a message, at most ten (it reads at most eleven of them).
pub(crate) fn listing<'s>(ids: impl Iterator<Item = &'s str>) -> String {
    let ids: Vec<&str> = ids.take(11).collect();
    if ids.is_empty() {
        return "none defined".to_string();
    }
    let mut out = ids.iter().take(10).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > 10 {
        out.push_str(", ...");
    }
    out
}

/// Edit distance, for "did you mean".
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            let best = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            cur.push(best);
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

pub(crate) fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    if key.chars().count() > 64 {
        return None;
    }
    known
        .iter()
        .map(|k| (distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.min(k.len() / 2).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// A table being read: its entries, where it starts, and its path.
pub(crate) struct Tab<'a> {
    pub(crate) entries: &'a [Entry],
    pub(crate) start: usize,
    pub(crate) path: String,
}

/// Opens a table, reporting a wrong type and every unknown field.
pub(crate) fn open<'a>(
    cx: &mut Cx<'_>,
    node: &'a Node,
    path: &str,
    known: &[&str],
) -> Option<Tab<'a>> {
    let Some(entries) = node.as_table() else {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be {}, found {}", cx.table, node.describe()),
        );
        return None;
    };
    for e in entries {
        if known.contains(&e.key.as_str()) {
            continue;
        }
        let message = match suggest(&e.key, known) {
            Some(k) => format!("unknown field {} (did you mean {k:?}?)", quote(&e.key)),
            None => format!("unknown field {} (fields: {})", quote(&e.key), known.join(", ")),
        };
        cx.push(e.key_span.start, &key_path(path, &e.key), ProblemKind::UnknownField, message);
    }
    Some(Tab { entries, start: node.span.start, path: path.to_string() })
}

/// Opens a map whose keys are ids (values, terms): no field check.
pub(crate) fn open_map<'a>(cx: &mut Cx<'_>, node: &'a Node, path: &str) -> Option<&'a [Entry]> {
    let t = node.as_table();
    if t.is_none() {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be {}, found {}", cx.table, node.describe()),
        );
    }
    t
}

/// Opens a table whose other fields are ignored (formats of other programs carry fields
/// detente does not read).
pub(crate) fn open_any<'a>(cx: &mut Cx<'_>, node: &'a Node, path: &str) -> Option<Tab<'a>> {
    let entries = open_map(cx, node, path)?;
    Some(Tab { entries, start: node.span.start, path: path.to_string() })
}

impl<'a> Tab<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    pub(crate) fn entry(&self, key: &str) -> Option<&'a Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub(crate) fn path(&self, key: &str) -> String {
        key_path(&self.path, key)
    }

    pub(crate) fn req(&self, cx: &mut Cx<'_>, key: &str) -> Option<&'a Node> {
        let v = self.get(key);
        if v.is_none() {
            cx.push(
                self.start,
                &self.path,
                ProblemKind::MissingField,
                format!("missing field {key:?}"),
            );
        }
        v
    }

    pub(crate) fn field(&self, cx: &mut Cx<'_>, key: &str, required: bool) -> Option<&'a Node> {
        if required { self.req(cx, key) } else { self.get(key) }
    }

    pub(crate) fn string(&self, cx: &mut Cx<'_>, key: &str, required: bool) -> Option<String> {
        let node = self.field(cx, key, required)?;
        string(cx, node, &self.path(key))
    }

    pub(crate) fn id(&self, cx: &mut Cx<'_>, key: &str) -> Option<(String, &'a Node)> {
        let node = self.req(cx, key)?;
        let s = string(cx, node, &self.path(key))?;
        check_id(cx, node, &self.path(key), &s, false);
        Some((s, node))
    }

    pub(crate) fn number(
        &self,
        cx: &mut Cx<'_>,
        key: &str,
        required: bool,
        range: Range,
    ) -> Option<f64> {
        let node = self.field(cx, key, required)?;
        number(cx, node, &self.path(key), range)
    }

    /// An estimate field: a number or a range table (see [`estimate`]).
    pub(crate) fn estimate(
        &self,
        cx: &mut Cx<'_>,
        key: &str,
        required: bool,
        range: Range,
    ) -> Option<(f64, Option<Spread>)> {
        let node = self.field(cx, key, required)?;
        estimate(cx, node, &self.path(key), range)
    }

    pub(crate) fn date(&self, cx: &mut Cx<'_>, key: &str, day_only: bool) -> Option<String> {
        let node = self.get(key)?;
        let path = self.path(key);
        let wanted = if day_only { "YYYY-MM-DD" } else { "YYYY-MM-DD, YYYY-MM or YYYY" };
        let s = match &node.kind {
            Kind::Str(s) => s.clone(),
            Kind::Datetime { text, local_date: true } => text.clone(),
            Kind::Datetime { text, .. } => {
                cx.push(
                    node.span.start,
                    &path,
                    ProblemKind::Date,
                    format!(
                        "must be a date {wanted}, found the datetime {text} (write the day alone)"
                    ),
                );
                return None;
            }
            _ => {
                cx.push(
                    node.span.start,
                    &path,
                    ProblemKind::WrongType,
                    format!("must be a date string {wanted}, found {}", node.describe()),
                );
                return None;
            }
        };
        if !valid_date(&s, day_only) {
            cx.push(
                node.span.start,
                &path,
                ProblemKind::Date,
                format!("must be a date {wanted}, found {}", quote(&s)),
            );
            return None;
        }
        Some(s)
    }

    /// An array field; `what` names the entries for the "at least one" message.
    pub(crate) fn array(&self, cx: &mut Cx<'_>, key: &str, required: Option<&str>) -> &'a [Node] {
        let Some(node) = self.field(cx, key, required.is_some()) else { return &[] };
        items(cx, node, &self.path(key), required).unwrap_or(&[])
    }
}

/// The items of an array; with `required`, which names the items, an empty array is a
/// problem too (the items are still returned). `None` when the node is not an array.
pub(crate) fn items<'a>(
    cx: &mut Cx<'_>,
    node: &'a Node,
    path: &str,
    required: Option<&str>,
) -> Option<&'a [Node]> {
    let Kind::Array(items) = &node.kind else {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be an array, found {}", node.describe()),
        );
        return None;
    };
    if let (true, Some(what)) = (items.is_empty(), required) {
        cx.push(
            node.span.start,
            path,
            ProblemKind::Empty,
            format!("needs at least one {what}, found none"),
        );
    }
    Some(items)
}

pub(crate) fn string(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => Some(s.clone()),
        _ => {
            let hint =
                if matches!(node.kind, Kind::Datetime { .. }) { " (put it in quotes)" } else { "" };
            cx.push(
                node.span.start,
                path,
                ProblemKind::WrongType,
                format!("must be a string, found {}{hint}", node.describe()),
            );
            None
        }
    }
}

pub(crate) fn number(cx: &mut Cx<'_>, node: &Node, path: &str, range: Range) -> Option<f64> {
    let Kind::Num(n) = &node.kind else {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be a finite number{}, found {}", range.describe(), node.describe()),
        );
        return None;
    };
    match number_problem(n.value, &n.text, range) {
        Some((kind, message)) => {
            cx.push(node.span.start, path, kind, message);
            None
        }
        None => Some(n.value),
    }
}

/// What is wrong with a number read as `text` (its value `x`) that must lie in `range`
/// within the limits of docs/scenario-format.md ("Numbers"), or `None` when it is fine: the
/// one rule for scenario files and for what-if settings alike.
pub(crate) fn number_problem(x: f64, text: &str, range: Range) -> Option<(ProblemKind, String)> {
    let what = format!("must be a finite number{}", range.describe());
    if !x.is_finite() {
        return Some((ProblemKind::NotFinite, format!("{what}, found {}", number_text(text))));
    }
    if !range.contains(x) {
        return Some((ProblemKind::OutOfRange, format!("{what}, found {}", number_text(text))));
    }
    let problem = if x.abs() > MAX_MAGNITUDE {
        format!(
            "must be at most 1e9 in magnitude, found {} (larger numbers make utilities overflow or lose precision)",
            number_text(text)
        )
    } else if matches!(range, Range::Positive) && x < MIN_MAGNITUDE {
        format!(
            "must be at least 1e-9, found {} (a smaller tolerance or step loses precision)",
            number_text(text)
        )
    } else if matches!(range, Range::Weight) && x != 0.0 && x < MIN_MAGNITUDE {
        format!(
            "must be 0 or at least 1e-9, found {} (smaller weights lose precision when the weights are normalised)",
            number_text(text)
        )
    } else {
        return None;
    };
    Some((ProblemKind::OutOfRange, problem))
}

/// The fields of a range table (docs/scenario-format.md, "Uncertainty").
pub(crate) const RANGE: &[&str] = &["value", "low", "high", "dist"];

/// An estimate: a number, or a range table `{ value, low, high, dist }` whose three numbers
/// each keep `range` (so a range cannot leave the allowed values), with `low <= value <=
/// high` and `dist` `"triangular"` (the default) or `"uniform"`. Returns the point estimate
/// (`value`) and the stated spread, if any; every problem is located at the number or key
/// at fault.
pub(crate) fn estimate(
    cx: &mut Cx<'_>,
    node: &Node,
    path: &str,
    range: Range,
) -> Option<(f64, Option<Spread>)> {
    if node.as_table().is_none() {
        return number(cx, node, path, range).map(|x| (x, None));
    }
    let t = open(cx, node, path, RANGE)?;
    let mut part = |key: &str| match t.get(key) {
        Some(n) => number(cx, n, &t.path(key), range),
        None => {
            cx.push(
                t.start,
                &t.path,
                ProblemKind::MissingField,
                format!("missing field {key:?} (a range needs value, low and high)"),
            );
            None
        }
    };
    let (value, low, high) = (part("value"), part("low"), part("high"));
    let uniform = match t.get("dist") {
        None => Some(false),
        Some(d) => match string(cx, d, &t.path("dist")).as_deref() {
            None => None,
            Some("triangular") => Some(false),
            Some("uniform") => Some(true),
            Some(other) => {
                cx.push(
                    d.span.start,
                    &t.path("dist"),
                    ProblemKind::InvalidValue,
                    format!("must be \"triangular\" or \"uniform\", found {}", quote(other)),
                );
                None
            }
        },
    };
    let (value, low, high) = (value?, low?, high?);
    let mut ok = true;
    for (key, x, wrong, rule) in
        [("low", low, low > value, "<="), ("high", high, high < value, ">=")]
    {
        if wrong {
            ok = false;
            let at = t.get(key).map_or(t.start, |n| n.span.start);
            let found = match t.get(key).map(|n| &n.kind) {
                Some(Kind::Num(n)) => number_text(&n.text),
                _ => format_number(x),
            };
            cx.push(
                at,
                &t.path(key),
                ProblemKind::OutOfRange,
                format!(
                    "must be {rule} value ({}), found {found} (a range holds its value: low <= value <= high)",
                    format_number(value)
                ),
            );
        }
    }
    let uniform = uniform?;
    ok.then_some(())?;
    let spread =
        if uniform { Spread::Uniform { low, high } } else { Spread::Triangular { low, high } };
    Some((value, Some(spread)))
}

pub(crate) fn check_id(cx: &mut Cx<'_>, node: &Node, path: &str, s: &str, name: bool) {
    let (ok, allowed) = if name {
        (s.chars().all(|c| is_id_char(c) && c != '.'), "letters, digits, '-' and '_'")
    } else {
        (s.chars().all(is_id_char), "letters, digits, '-', '_' and '.'")
    };
    let what = if name { "name" } else { "id" };
    if s.is_empty() {
        cx.push(node.span.start, path, ProblemKind::InvalidId, format!("{what} must not be empty"));
    } else if !ok {
        cx.push(
            node.span.start,
            path,
            ProblemKind::InvalidId,
            format!("invalid {what} {}: use only {allowed}", quote(s)),
        );
    }
}

pub(crate) fn valid_date(s: &str, day_only: bool) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let num = |p: &str| p.parse::<u32>().unwrap_or(0);
    match parts.as_slice() {
        [y] if !day_only => digits(y, 4),
        [y, m] if !day_only => digits(y, 4) && digits(m, 2) && (1..=12).contains(&num(m)),
        [y, m, d] => {
            if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
                return false;
            }
            let (year, month, day) = (num(y), num(m), num(d));
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let days = match month {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 if leap => 29,
                2 => 28,
                _ => return false,
            };
            (1..=days).contains(&day)
        }
        _ => false,
    }
}

/// The ids of one kind (parties, issues, proposals, sources): each id's index and the byte
/// offset where it is defined, and the ids in definition order (for listings).
#[derive(Default)]
pub(crate) struct Ids {
    pub(crate) map: HashMap<String, (usize, usize)>,
    pub(crate) order: Vec<String>,
}

impl Ids {
    pub(crate) fn get(&self, id: &str) -> Option<&(usize, usize)> {
        self.map.get(id)
    }

    /// The first ten ids for a message.
    pub(crate) fn listing(&self) -> String {
        listing(self.order.iter().map(String::as_str))
    }
}

/// Registers an id, reporting a duplicate; returns whether it was new.
pub(crate) fn register(
    cx: &mut Cx<'_>,
    ids: &mut Ids,
    what: &str,
    id: &str,
    node: &Node,
    path: &str,
    idx: usize,
) -> bool {
    if let Some(&(_, first)) = ids.map.get(id) {
        let line = cx.line(first);
        cx.push(
            node.span.start,
            path,
            ProblemKind::DuplicateId,
            format!("duplicate {what} id {} (first at line {line})", quote(id)),
        );
        return false;
    }
    ids.map.insert(id.to_string(), (idx, node.span.start));
    ids.order.push(id.to_string());
    true
}

/// Resolves a reference to a party, issue, proposal or source id.
pub(crate) fn reference(
    cx: &mut Cx<'_>,
    ids: &Ids,
    what: &str,
    plural: &str,
    node: &Node,
    path: &str,
) -> Option<usize> {
    let s = string(cx, node, path)?;
    if let Some((i, _)) = ids.get(&s) {
        return Some(*i);
    }
    let known = ids.listing();
    cx.push(
        node.span.start,
        path,
        ProblemKind::UnknownReference,
        format!("unknown {what} {} ({plural}: {known})", quote(&s)),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2025", "2025-02", "2024-02-29", "2025-12-31"] {
            assert!(valid_date(ok, false), "{ok}");
        }
        for bad in [
            "25",
            "2025-13",
            "2025-02-29",
            "2025-1-01",
            "2025-01-32",
            "",
            "2025-01-01-01",
            "２０２５",
        ] {
            assert!(!valid_date(bad, false), "{bad}");
        }
        assert!(!valid_date("2025-01", true));
    }

    #[test]
    fn paths() {
        assert_eq!(key_path("", "version"), "version");
        assert_eq!(key_path("proposals[0].terms", "TER-03"), "proposals[0].terms.TER-03");
        assert_eq!(key_path("a", "b c"), "a[\"b c\"]");
    }
}
