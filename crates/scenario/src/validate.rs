//! The validator: walks the spanned tree of a scenario file (TOML or JSON alike), collects
//! every problem with its place, and builds the [`Scenario`] only when there is none.
//!
//! Each section is read into core types with placeholders where a value is missing or
//! wrong, so that later sections can still be checked (an unknown party in one stance does
//! not hide a bad weight in the next). References are resolved by id; amendments are
//! resolved in dependency order once everything else is known to be sound.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use detente_core::{
    Evidence, Grade, Issue, IssueKind, IssueOption, Meta, Party, Preference, Proposal, Quality,
    RedLine, RedLineKind, Role, Scenario, Source, Stance, Term, UtilityForm, format_number,
    scale_points,
};

use crate::error::{LineIndex, ProblemKind, RawProblem};
use crate::tree::{Entry, Kind, Node, number_text, quote};
use crate::{
    MAX_MAGNITUDE, MAX_PARTY_ISSUES, MAX_PARTY_OPTIONS, MAX_PROPOSAL_ISSUES, MIN_MAGNITUDE,
};

const TOP: &[&str] =
    &["version", "scenario", "parties", "issues", "stances", "proposals", "sources"];
const META: &[&str] = &["name", "title", "description", "as_of", "utility"];
const PARTY: &[&str] =
    &["id", "name", "role", "capability", "reservation", "bias", "discount", "description"];
const ISSUE: &[&str] = &["id", "name", "description", "options", "scale"];
const OPTION: &[&str] = &["id", "label"];
const SCALE: &[&str] = &["unit", "min", "max", "step"];
const STANCE: &[&str] = &[
    "party",
    "issue",
    "weight",
    "values",
    "ideal",
    "tolerance",
    "red_lines",
    "confidence",
    "summary",
    "evidence",
];
const RED_LINE: &[&str] = &["forbid", "require", "min", "max", "reason"];
const EVIDENCE: &[&str] = &["source", "note"];
const PROPOSAL: &[&str] =
    &["id", "title", "author", "date", "amends", "description", "terms", "open"];
const SOURCE: &[&str] = &["id", "title", "url", "date", "outlet", "quality"];

/// Collects problems while the tree is walked.
pub(crate) struct Cx<'a> {
    pub(crate) problems: Vec<RawProblem>,
    lines: &'a LineIndex<'a>,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(lines: &'a LineIndex<'a>) -> Cx<'a> {
        Cx { problems: Vec::new(), lines }
    }

    fn push(&mut self, offset: usize, path: &str, kind: ProblemKind, message: impl Into<String>) {
        self.problems.push(RawProblem {
            offset,
            path: path.to_string(),
            kind,
            message: message.into(),
        });
    }

    fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }
}

/// The allowed range of a number, for checks and messages.
#[derive(Clone, Copy)]
enum Range {
    Any,
    NonNegative,
    /// `> 0`, and at least [`MIN_MAGNITUDE`]: tolerances and scale steps.
    Positive,
    /// `>= 0`, and 0 or at least [`MIN_MAGNITUDE`]: weights.
    Weight,
    Unit,
    /// `(0, 1]`, for discount factors.
    Discount,
    Within(f64, f64),
}

impl Range {
    fn contains(self, x: f64) -> bool {
        match self {
            Range::Any => true,
            Range::NonNegative => x >= 0.0,
            Range::Positive => x > 0.0,
            Range::Weight => x >= 0.0,
            Range::Unit => (0.0..=1.0).contains(&x),
            Range::Discount => x > 0.0 && x <= 1.0,
            Range::Within(lo, hi) => x >= lo && x <= hi,
        }
    }

    fn describe(self) -> String {
        match self {
            Range::Any => String::new(),
            Range::NonNegative => " >= 0".to_string(),
            Range::Positive => " > 0".to_string(),
            Range::Weight => " >= 0".to_string(),
            Range::Unit => " in [0, 1]".to_string(),
            Range::Discount => " in (0, 1]".to_string(),
            Range::Within(lo, hi) => format!(" in [{}, {}]", format_number(lo), format_number(hi)),
        }
    }
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// `path.key`, or `path["odd key"]` when the key is not id-like.
fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(is_id_char);
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", quote(key)),
    }
}

/// Lists ids for a message, at most ten (it reads at most eleven of them).
fn listing<'s>(ids: impl Iterator<Item = &'s str>) -> String {
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
fn distance(a: &str, b: &str) -> usize {
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

fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
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
struct Tab<'a> {
    entries: &'a [Entry],
    start: usize,
    path: String,
}

/// Opens a table, reporting a wrong type and every unknown field.
fn open<'a>(cx: &mut Cx<'_>, node: &'a Node, path: &str, known: &[&str]) -> Option<Tab<'a>> {
    let Some(entries) = node.as_table() else {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be a table, found {}", node.describe()),
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
fn open_map<'a>(cx: &mut Cx<'_>, node: &'a Node, path: &str) -> Option<&'a [Entry]> {
    let t = node.as_table();
    if t.is_none() {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be a table, found {}", node.describe()),
        );
    }
    t
}

impl<'a> Tab<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    fn entry(&self, key: &str) -> Option<&'a Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    fn path(&self, key: &str) -> String {
        key_path(&self.path, key)
    }

    fn req(&self, cx: &mut Cx<'_>, key: &str) -> Option<&'a Node> {
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

    fn field(&self, cx: &mut Cx<'_>, key: &str, required: bool) -> Option<&'a Node> {
        if required { self.req(cx, key) } else { self.get(key) }
    }

    fn string(&self, cx: &mut Cx<'_>, key: &str, required: bool) -> Option<String> {
        let node = self.field(cx, key, required)?;
        string(cx, node, &self.path(key))
    }

    fn id(&self, cx: &mut Cx<'_>, key: &str) -> Option<(String, &'a Node)> {
        let node = self.req(cx, key)?;
        let s = string(cx, node, &self.path(key))?;
        check_id(cx, node, &self.path(key), &s, false);
        Some((s, node))
    }

    fn number(&self, cx: &mut Cx<'_>, key: &str, required: bool, range: Range) -> Option<f64> {
        let node = self.field(cx, key, required)?;
        number(cx, node, &self.path(key), range)
    }

    fn date(&self, cx: &mut Cx<'_>, key: &str, day_only: bool) -> Option<String> {
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
    fn array(&self, cx: &mut Cx<'_>, key: &str, required: Option<&str>) -> &'a [Node] {
        let Some(node) = self.field(cx, key, required.is_some()) else { return &[] };
        let Kind::Array(items) = &node.kind else {
            cx.push(
                node.span.start,
                &self.path(key),
                ProblemKind::WrongType,
                format!("must be an array, found {}", node.describe()),
            );
            return &[];
        };
        if let (true, Some(what)) = (items.is_empty(), required) {
            cx.push(
                node.span.start,
                &self.path(key),
                ProblemKind::Empty,
                format!("needs at least one {what}, found none"),
            );
        }
        items
    }
}

fn string(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<String> {
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

fn number(cx: &mut Cx<'_>, node: &Node, path: &str, range: Range) -> Option<f64> {
    let what = format!("must be a finite number{}", range.describe());
    let Kind::Num(n) = &node.kind else {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("{what}, found {}", node.describe()),
        );
        return None;
    };
    if !n.value.is_finite() {
        cx.push(
            node.span.start,
            path,
            ProblemKind::NotFinite,
            format!("{what}, found {}", number_text(&n.text)),
        );
        return None;
    }
    if !range.contains(n.value) {
        cx.push(
            node.span.start,
            path,
            ProblemKind::OutOfRange,
            format!("{what}, found {}", number_text(&n.text)),
        );
        return None;
    }
    let x = n.value;
    let problem = if x.abs() > MAX_MAGNITUDE {
        Some(format!(
            "must be at most 1e9 in magnitude, found {} (larger numbers make utilities overflow or lose precision)",
            number_text(&n.text)
        ))
    } else if matches!(range, Range::Positive) && x < MIN_MAGNITUDE {
        Some(format!(
            "must be at least 1e-9, found {} (a smaller tolerance or step loses precision)",
            number_text(&n.text)
        ))
    } else if matches!(range, Range::Weight) && x != 0.0 && x < MIN_MAGNITUDE {
        Some(format!(
            "must be 0 or at least 1e-9, found {} (smaller weights lose precision when the weights are normalised)",
            number_text(&n.text)
        ))
    } else {
        None
    };
    if let Some(message) = problem {
        cx.push(node.span.start, path, ProblemKind::OutOfRange, message);
        return None;
    }
    Some(x)
}

fn check_id(cx: &mut Cx<'_>, node: &Node, path: &str, s: &str, name: bool) {
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

fn valid_date(s: &str, day_only: bool) -> bool {
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
struct Ids {
    map: HashMap<String, (usize, usize)>,
    order: Vec<String>,
}

impl Ids {
    fn get(&self, id: &str) -> Option<&(usize, usize)> {
        self.map.get(id)
    }

    /// The first ten ids for a message.
    fn listing(&self) -> String {
        listing(self.order.iter().map(String::as_str))
    }
}

/// Registers an id, reporting a duplicate; returns whether it was new.
fn register(
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
fn reference(
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

/// What is known about an issue once read: whether it is sound enough to check stances and
/// terms against, and its options' indices by id (found in constant time, so that reading
/// values, red lines and terms stays linear however many options an issue has).
#[derive(Default)]
struct IssueInfo {
    ok: bool,
    options: HashMap<String, usize>,
}

/// A sound issue, with its options' indices by id.
#[derive(Clone, Copy)]
struct Known<'r> {
    issue: &'r Issue,
    options: &'r HashMap<String, usize>,
}

impl Known<'_> {
    fn option_index(&self, id: &str) -> Option<usize> {
        self.options.get(id).copied()
    }
}

fn option_ids(issue: &Issue) -> impl Iterator<Item = &str> {
    let options = match &issue.kind {
        IssueKind::Discrete { options } => options.as_slice(),
        IssueKind::Scale { .. } => &[],
    };
    options.iter().map(|o| o.id.as_str())
}

fn unknown_option(cx: &mut Cx<'_>, offset: usize, path: &str, issue: &Issue, found: &str) {
    cx.push(
        offset,
        path,
        ProblemKind::UnknownReference,
        format!(
            "unknown option {} of issue {} (options: {})",
            quote(found),
            issue.id,
            listing(option_ids(issue))
        ),
    );
}

struct Read {
    /// How utilities add up: decides the ranges of values and reservations.
    form: UtilityForm,
    parties: Vec<Party>,
    party_ids: Ids,
    party_places: Vec<(usize, String)>,
    issues: Vec<Issue>,
    issue_info: Vec<IssueInfo>,
    issue_ids: Ids,
    sources: Vec<Source>,
    source_ids: Ids,
}

impl Read {
    /// Issue `i` when it is sound.
    fn known(&self, i: usize) -> Option<Known<'_>> {
        let info = self.issue_info.get(i).filter(|info| info.ok)?;
        Some(Known { issue: self.issues.get(i)?, options: &info.options })
    }
}

/// Validates a whole file's tree; the scenario when there is no problem at all.
pub(crate) fn scenario(cx: &mut Cx<'_>, root: &Node) -> Option<Scenario> {
    if root.as_table().is_none() {
        cx.push(
            root.span.start,
            "",
            ProblemKind::WrongType,
            format!("the top level must be a table (a JSON object), found {}", root.describe()),
        );
        return None;
    }
    let top = open(cx, root, "", TOP)?;
    version(cx, &top);
    let meta = meta(cx, &top);
    let mut read = Read {
        form: meta.utility,
        parties: Vec::new(),
        party_ids: Ids::default(),
        party_places: Vec::new(),
        issues: Vec::new(),
        issue_info: Vec::new(),
        issue_ids: Ids::default(),
        sources: Vec::new(),
        source_ids: Ids::default(),
    };
    parties(cx, &top, &mut read);
    issues(cx, &top, &mut read);
    sources(cx, &top, &mut read);
    if !size(cx, &top, &read) {
        return None;
    }
    let stances = stances(cx, &top, &read);
    let proposals = proposals(cx, &top, &read);
    if !cx.problems.is_empty() {
        return None;
    }
    let proposals = proposals?;
    match Scenario::new(meta, read.parties, read.issues, stances, proposals, read.sources) {
        Ok(s) => Some(s),
        Err(e) => {
            cx.push(
                0,
                "",
                ProblemKind::Internal,
                format!("internal error, please report: the model rejected the file: {e}"),
            );
            None
        }
    }
}

/// Whether the model the file describes fits the size limits ([`MAX_PARTY_ISSUES`],
/// [`MAX_PARTY_OPTIONS`], [`MAX_PROPOSAL_ISSUES`]), checked before the tables that grow
/// with the products are made, so that a small file cannot ask for gigabytes.
fn size(cx: &mut Cx<'_>, top: &Tab<'_>, read: &Read) -> bool {
    let n_parties = read.parties.len();
    let n_issues = read.issues.len();
    let n_options = read.issues.iter().map(Issue::n_options).fold(0usize, usize::saturating_add);
    let n_proposals = match top.get("proposals").map(|n| &n.kind) {
        Some(Kind::Array(items)) => items.len(),
        _ => 0,
    };
    let at = |key: &str| top.get(key).map_or(top.start, |n| n.span.start);
    let mut ok = true;
    for (product, limit, key, what) in [
        (
            n_parties.saturating_mul(n_issues),
            MAX_PARTY_ISSUES,
            "parties",
            format!("{n_parties} parties x {n_issues} issues"),
        ),
        (
            n_parties.saturating_mul(n_options),
            MAX_PARTY_OPTIONS,
            "parties",
            format!("{n_parties} parties x {n_options} options (grid points included)"),
        ),
        (
            n_proposals.saturating_mul(n_issues),
            MAX_PROPOSAL_ISSUES,
            "proposals",
            format!("{n_proposals} proposals x {n_issues} issues"),
        ),
    ] {
        if product > limit {
            ok = false;
            cx.push(
                at(key),
                key,
                ProblemKind::TooLarge,
                format!("too large: {what} make {product}, at most {limit} are read"),
            );
        }
    }
    ok
}

fn version(cx: &mut Cx<'_>, top: &Tab<'_>) {
    let Some(node) = top.get("version") else {
        cx.push(
            top.start,
            "",
            ProblemKind::Version,
            "missing field \"version\" (write `version = 1`)",
        );
        return;
    };
    match &node.kind {
        Kind::Num(n) if n.int == Some(1) => {}
        Kind::Num(n) if n.int.is_some() => cx.push(
            node.span.start,
            "version",
            ProblemKind::Version,
            format!("unsupported format version {} (this program reads version 1)", n.text),
        ),
        _ => cx.push(
            node.span.start,
            "version",
            ProblemKind::Version,
            format!("must be the integer 1, found {}", node.describe()),
        ),
    }
}

fn meta(cx: &mut Cx<'_>, top: &Tab<'_>) -> Meta {
    let mut meta = Meta::default();
    let Some(node) = top.req(cx, "scenario") else { return meta };
    let Some(t) = open(cx, node, "scenario", META) else { return meta };
    if let Some(name_node) = t.req(cx, "name")
        && let Some(name) = string(cx, name_node, "scenario.name")
    {
        check_id(cx, name_node, "scenario.name", &name, true);
        meta.name = name;
    }
    meta.title = t.string(cx, "title", true).unwrap_or_default();
    meta.description = t.string(cx, "description", false);
    meta.as_of = t.date(cx, "as_of", true);
    if let Some(u_node) = t.get("utility")
        && let Some(u) = string(cx, u_node, "scenario.utility")
    {
        match UtilityForm::parse(&u) {
            Some(form) => meta.utility = form,
            None => cx.push(
                u_node.span.start,
                "scenario.utility",
                ProblemKind::InvalidValue,
                format!("must be \"normalised\" or \"raw\", found {}", quote(&u)),
            ),
        }
    }
    meta
}

impl Read {
    /// The range of values and reservations: `[0, 1]` for normalised utilities, any finite
    /// number for raw ones.
    fn value_range(&self) -> Range {
        match self.form {
            UtilityForm::Normalised => Range::Unit,
            UtilityForm::Raw => Range::Any,
        }
    }
}

fn parties(cx: &mut Cx<'_>, top: &Tab<'_>, read: &mut Read) {
    let items = top.array(cx, "parties", Some("party"));
    if let ([_], Some(node)) = (items, top.get("parties")) {
        cx.push(
            node.span.start,
            "parties",
            ProblemKind::TooFewParties,
            "a negotiation needs at least two parties, found one",
        );
    }
    for (idx, node) in items.iter().enumerate() {
        let path = format!("parties[{idx}]");
        let mut party = Party::new("", "", Role::Principal, 1.0, 0.0);
        read.party_places.push((node.span.start, path.clone()));
        if let Some(t) = open(cx, node, &path, PARTY) {
            if let Some((id, id_node)) = t.id(cx, "id") {
                register(cx, &mut read.party_ids, "party", &id, id_node, &t.path("id"), idx);
                party.id = id;
            }
            party.name = t.string(cx, "name", true).unwrap_or_default();
            if let Some(role_node) = t.req(cx, "role")
                && let Some(role) = string(cx, role_node, &t.path("role"))
            {
                match Role::parse(&role) {
                    Some(r) => party.role = r,
                    None => cx.push(
                        role_node.span.start,
                        &t.path("role"),
                        ProblemKind::InvalidValue,
                        format!(
                            "must be \"principal\", \"mediator\" or \"stakeholder\", found {}",
                            quote(&role)
                        ),
                    ),
                }
            }
            party.capability = t.number(cx, "capability", false, Range::NonNegative).unwrap_or(1.0);
            let range = read.value_range();
            party.reservation = t.number(cx, "reservation", false, range).unwrap_or(0.0);
            if let Some(bias) = t.entry("bias") {
                match read.form {
                    UtilityForm::Raw => {
                        party.bias =
                            number(cx, &bias.value, &t.path("bias"), Range::Any).unwrap_or(0.0);
                    }
                    UtilityForm::Normalised => cx.push(
                        bias.key_span.start,
                        &t.path("bias"),
                        ProblemKind::Conflict,
                        "a bias needs raw utilities (write `utility = \"raw\"` in [scenario])",
                    ),
                }
            }
            party.discount = t.number(cx, "discount", false, Range::Discount);
            party.description = t.string(cx, "description", false);
        }
        read.parties.push(party);
    }
}

fn issues(cx: &mut Cx<'_>, top: &Tab<'_>, read: &mut Read) {
    for (idx, node) in top.array(cx, "issues", Some("issue")).iter().enumerate() {
        let path = format!("issues[{idx}]");
        let mut issue = Issue::discrete("", "", &[]);
        let mut info = IssueInfo::default();
        if let Some(t) = open(cx, node, &path, ISSUE) {
            if let Some((id, id_node)) = t.id(cx, "id") {
                register(cx, &mut read.issue_ids, "issue", &id, id_node, &t.path("id"), idx);
                issue.id = id;
            }
            issue.name = t.string(cx, "name", true).unwrap_or_default();
            issue.description = t.string(cx, "description", false);
            match (t.entry("options"), t.entry("scale")) {
                (Some(_), Some(scale)) => cx.push(
                    scale.key_span.start,
                    &t.path("scale"),
                    ProblemKind::Conflict,
                    "an issue has either options or a scale, found both",
                ),
                (None, None) => cx.push(
                    t.start,
                    &path,
                    ProblemKind::MissingField,
                    "missing field \"options\" or \"scale\" (an issue needs one of them)",
                ),
                (Some(options), None) => {
                    if let Some((opts, index)) = options_of(cx, &t, &options.value, &issue.id) {
                        issue.kind = IssueKind::Discrete { options: opts };
                        info = IssueInfo { ok: true, options: index };
                    }
                }
                (None, Some(scale)) => {
                    if let Some(kind) = scale_of(cx, &scale.value, &t.path("scale")) {
                        issue.kind = kind;
                        info.ok = true;
                    }
                }
            }
        }
        read.issues.push(issue);
        read.issue_info.push(info);
    }
}

fn options_of(
    cx: &mut Cx<'_>,
    t: &Tab<'_>,
    node: &Node,
    issue_id: &str,
) -> Option<(Vec<IssueOption>, HashMap<String, usize>)> {
    let path = t.path("options");
    let Kind::Array(items) = &node.kind else {
        cx.push(
            node.span.start,
            &path,
            ProblemKind::WrongType,
            format!("must be an array of {{ id, label }} tables, found {}", node.describe()),
        );
        return None;
    };
    if items.is_empty() {
        cx.push(
            node.span.start,
            &path,
            ProblemKind::Empty,
            "needs at least one option, found none",
        );
        return None;
    }
    let n_before = cx.problems.len();
    // Each id's index and where it is defined.
    let mut ids: HashMap<String, (usize, usize)> = HashMap::new();
    let mut options = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let opath = format!("{path}[{k}]");
        let Some(o) = open(cx, item, &opath, OPTION) else { continue };
        let id = o.id(cx, "id");
        let label = o.string(cx, "label", true);
        if let Some((id, id_node)) = id {
            if let Some(&(_, first)) = ids.get(&id) {
                let line = cx.line(first);
                cx.push(
                    id_node.span.start,
                    &o.path("id"),
                    ProblemKind::DuplicateId,
                    format!(
                        "duplicate option id {} in issue {issue_id} (first at line {line})",
                        quote(&id)
                    ),
                );
            } else {
                ids.insert(id.clone(), (options.len(), id_node.span.start));
            }
            options.push(IssueOption { id, label: label.unwrap_or_default() });
        }
    }
    let index = ids.into_iter().map(|(id, (k, _))| (id, k)).collect();
    (cx.problems.len() == n_before).then_some((options, index))
}

fn scale_of(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<IssueKind> {
    let t = open(cx, node, path, SCALE)?;
    let unit = t.string(cx, "unit", true);
    let min = t.number(cx, "min", true, Range::Any);
    let max = t.number(cx, "max", true, Range::Any);
    let step = t.number(cx, "step", true, Range::Positive);
    let (unit, min, max, step) = (unit?, min?, max?, step?);
    if max < min {
        let at = t.get("max").map_or(t.start, |n| n.span.start);
        cx.push(
            at,
            &t.path("max"),
            ProblemKind::Scale,
            format!("must be >= min ({}), found {}", format_number(min), format_number(max)),
        );
        return None;
    }
    let at = t.get("step").map_or(t.start, |n| n.span.start);
    let largest = min.abs().max(max.abs());
    if step < MIN_MAGNITUDE * largest {
        cx.push(
            at,
            &t.path("step"),
            ProblemKind::Scale,
            format!(
                "must be at least a billionth of the largest bound ({}), found {} (closer grid points could not be told apart)",
                format_number(largest),
                format_number(step)
            ),
        );
        return None;
    }
    let n = (max - min) / step;
    if (n - n.round()).abs() > 1e-6 {
        cx.push(
            at,
            &t.path("step"),
            ProblemKind::Scale,
            format!(
                "must divide max - min ({}) into whole steps, found step {} ({:.3} steps)",
                format_number(max - min),
                format_number(step),
                n
            ),
        );
        return None;
    }
    let max_steps = detente_core::MAX_SCALE_POINTS - 1;
    if n.round() > max_steps as f64 || scale_points(min, max, step).is_none() {
        cx.push(
            at,
            &t.path("step"),
            ProblemKind::Scale,
            format!(
                "makes {} steps from {} to {}; at most {max_steps} are allowed",
                format_number(n.round()),
                format_number(min),
                format_number(max)
            ),
        );
        return None;
    }
    Some(IssueKind::Scale { unit, min, max, step })
}

fn sources(cx: &mut Cx<'_>, top: &Tab<'_>, read: &mut Read) {
    for (idx, node) in top.array(cx, "sources", None).iter().enumerate() {
        let path = format!("sources[{idx}]");
        let mut source = Source {
            id: String::new(),
            title: String::new(),
            url: None,
            date: None,
            outlet: None,
            quality: None,
        };
        if let Some(t) = open(cx, node, &path, SOURCE) {
            if let Some((id, id_node)) = t.id(cx, "id") {
                register(cx, &mut read.source_ids, "source", &id, id_node, &t.path("id"), idx);
                source.id = id;
            }
            source.title = t.string(cx, "title", true).unwrap_or_default();
            source.url = t.string(cx, "url", false);
            source.date = t.date(cx, "date", false);
            source.outlet = t.string(cx, "outlet", false);
            if let Some(q_node) = t.get("quality")
                && let Some(q) = string(cx, q_node, &t.path("quality"))
            {
                source.quality = Quality::parse(&q);
                if source.quality.is_none() {
                    cx.push(
                        q_node.span.start,
                        &t.path("quality"),
                        ProblemKind::InvalidValue,
                        format!("must be \"H\", \"M\" or \"L\", found {}", quote(&q)),
                    );
                }
            }
        }
        read.sources.push(source);
    }
}

fn stances(cx: &mut Cx<'_>, top: &Tab<'_>, read: &Read) -> Vec<Vec<Option<Stance>>> {
    let mut grid: Vec<Vec<Option<Stance>>> =
        vec![vec![None; read.issues.len()]; read.parties.len()];
    let mut first: HashMap<(usize, usize), usize> = HashMap::new();
    // Per party: number of stances, and whether every weight was read and is 0.
    let mut weights: Vec<(usize, bool)> = vec![(0, true); read.parties.len()];
    for (idx, node) in top.array(cx, "stances", None).iter().enumerate() {
        let path = format!("stances[{idx}]");
        let Some(t) = open(cx, node, &path, STANCE) else { continue };
        let party = t
            .req(cx, "party")
            .and_then(|n| reference(cx, &read.party_ids, "party", "parties", n, &t.path("party")));
        let issue_idx = t
            .req(cx, "issue")
            .and_then(|n| reference(cx, &read.issue_ids, "issue", "issues", n, &t.path("issue")));
        let weight = t.number(cx, "weight", true, Range::Weight);
        let issue = issue_idx.and_then(|i| read.known(i));
        let preference = preference(cx, &t, issue, read.value_range());
        let red_lines = red_lines(cx, &t, issue, party.and_then(|p| read.parties.get(p)));
        let mut confidence = None;
        if let Some(c_node) = t.get("confidence")
            && let Some(c) = string(cx, c_node, &t.path("confidence"))
        {
            confidence = Grade::parse(&c);
            if confidence.is_none() {
                cx.push(
                    c_node.span.start,
                    &t.path("confidence"),
                    ProblemKind::InvalidValue,
                    format!("must be \"A\", \"B\" or \"C\", found {}", quote(&c)),
                );
            }
        }
        let summary = t.string(cx, "summary", false);
        let evidence = evidence(cx, &t, read);
        let (Some(p), Some(i)) = (party, issue_idx) else { continue };
        if let Some(&first_at) = first.get(&(p, i)) {
            let line = cx.line(first_at);
            cx.push(
                t.start,
                &path,
                ProblemKind::DuplicateStance,
                format!(
                    "second stance of party {} on issue {} (first at line {line})",
                    read.parties.get(p).map_or("", |x| x.id.as_str()),
                    read.issues.get(i).map_or("", |x| x.id.as_str()),
                ),
            );
            continue;
        }
        first.insert((p, i), t.start);
        if let Some(w) = weights.get_mut(p) {
            w.0 += 1;
            w.1 &= weight == Some(0.0);
        }
        if let (Some(weight), Some(preference), Some(red_lines), Some(slot)) =
            (weight, preference, red_lines, grid.get_mut(p).and_then(|row| row.get_mut(i)))
        {
            *slot = Some(Stance { weight, preference, red_lines, evidence, confidence, summary });
        }
    }
    for (p, (count, all_zero)) in weights.iter().enumerate() {
        // Raw utilities are well defined with zero weights (the bias alone).
        if *count > 0 && *all_zero && read.form == UtilityForm::Normalised {
            let (offset, path) = read.party_places.get(p).cloned().unwrap_or_default();
            let id = read.parties.get(p).map_or("", |x| x.id.as_str());
            let s = if *count == 1 { "" } else { "s" };
            cx.push(
                offset,
                &path,
                ProblemKind::AllWeightsZero,
                format!(
                    "every weight of party {id} is 0 in its {count} stance{s} (it would be indifferent to everything)"
                ),
            );
        }
    }
    grid
}

/// Reads `values`, or `ideal` and `tolerance`, against the issue when it is known.
fn preference(
    cx: &mut Cx<'_>,
    t: &Tab<'_>,
    known: Option<Known<'_>>,
    range: Range,
) -> Option<Preference> {
    let values = t.entry("values");
    let ideal = t.entry("ideal");
    let tolerance = t.entry("tolerance");
    match known.map(|k| (k.issue, &k.issue.kind)) {
        None => {
            // Unknown or unsound issue: check what can be checked on its own.
            if let Some(v) = values
                && let Some(map) = open_map(cx, &v.value, &t.path("values"))
            {
                for e in map {
                    number(cx, &e.value, &key_path(&t.path("values"), &e.key), range);
                }
            }
            t.number(cx, "ideal", false, Range::Any);
            t.number(cx, "tolerance", false, Range::Positive);
            None
        }
        Some((issue, IssueKind::Discrete { options })) => {
            let mut ok = true;
            for e in [ideal, tolerance].into_iter().flatten() {
                ok = false;
                cx.push(
                    e.key_span.start,
                    &t.path(&e.key),
                    ProblemKind::PreferenceMismatch,
                    format!(
                        "{} is for scale issues; issue {} has options (give values)",
                        e.key, issue.id
                    ),
                );
            }
            let Some(v) = values else {
                cx.push(
                    t.start,
                    &t.path,
                    ProblemKind::MissingField,
                    format!(
                        "missing field \"values\" (issue {} has options: one value each)",
                        issue.id
                    ),
                );
                return None;
            };
            let vpath = t.path("values");
            let map = open_map(cx, &v.value, &vpath)?;
            let mut vals: Vec<Option<f64>> = vec![None; options.len()];
            // Whether each option has a key in the map (whatever its value).
            let mut given = vec![false; options.len()];
            let known = known?;
            for e in map {
                let epath = key_path(&vpath, &e.key);
                let x = number(cx, &e.value, &epath, range);
                match known.option_index(&e.key) {
                    Some(k) => {
                        if let (Some(slot), Some(g)) = (vals.get_mut(k), given.get_mut(k)) {
                            *slot = x;
                            *g = true;
                        }
                        ok &= x.is_some();
                    }
                    None => {
                        ok = false;
                        unknown_option(cx, e.key_span.start, &epath, issue, &e.key);
                    }
                }
            }
            let missing: Vec<String> = options
                .iter()
                .zip(&given)
                .filter(|(_, given)| !**given)
                .map(|(o, _)| quote(&o.id))
                .collect();
            if !missing.is_empty() {
                ok = false;
                let s = if missing.len() == 1 { "" } else { "s" };
                let n_missing = missing.len();
                let mut missing: Vec<String> = missing.into_iter().take(10).collect();
                if n_missing > 10 {
                    missing.push(format!("... ({n_missing} in all)"));
                }
                cx.push(
                    v.value.span.start,
                    &vpath,
                    ProblemKind::MissingValue,
                    format!(
                        "no value for option{s} {} of issue {} (every option needs a value)",
                        missing.join(", "),
                        issue.id
                    ),
                );
            }
            if !ok {
                return None;
            }
            Some(Preference::Values(vals.into_iter().map(|v| v.unwrap_or(0.0)).collect()))
        }
        Some((issue, IssueKind::Scale { min, max, .. })) => {
            let mut ok = true;
            if let Some(v) = values {
                ok = false;
                cx.push(
                    v.key_span.start,
                    &t.path("values"),
                    ProblemKind::PreferenceMismatch,
                    format!(
                        "values is for issues with options; issue {} is a scale (give ideal and tolerance)",
                        issue.id
                    ),
                );
            }
            let range = Range::Within(*min, *max);
            let ideal = t.number(cx, "ideal", true, range);
            let tolerance = t.number(cx, "tolerance", true, Range::Positive);
            match (ok, ideal, tolerance) {
                (true, Some(ideal), Some(tolerance)) => {
                    Some(Preference::Ideal { ideal, tolerance })
                }
                _ => None,
            }
        }
    }
}

fn red_lines(
    cx: &mut Cx<'_>,
    t: &Tab<'_>,
    known: Option<Known<'_>>,
    party: Option<&Party>,
) -> Option<Vec<RedLine>> {
    let issue = known.map(|k| k.issue);
    let Some(node) = t.get("red_lines") else { return Some(Vec::new()) };
    let path = t.path("red_lines");
    let Kind::Array(items) = &node.kind else {
        cx.push(
            node.span.start,
            &path,
            ProblemKind::WrongType,
            format!("must be an array of tables, found {}", node.describe()),
        );
        return None;
    };
    let n_before = cx.problems.len();
    let mut out = Vec::new();
    for (j, item) in items.iter().enumerate() {
        let rpath = format!("{path}[{j}]");
        let Some(r) = open(cx, item, &rpath, RED_LINE) else { continue };
        let reason = r.string(cx, "reason", false);
        let forbid = r.entry("forbid");
        let require = r.entry("require");
        let has_bounds = r.get("min").is_some() || r.get("max").is_some();
        let red =
            |cx: &mut Cx<'_>, msg: String| cx.push(r.start, &rpath, ProblemKind::RedLine, msg);
        let list = match (forbid, require, has_bounds) {
            (Some(_), Some(_), _) => {
                red(cx, "has both forbid and require (write two red lines)".to_string());
                continue;
            }
            (Some(_), None, true) | (None, Some(_), true) => {
                red(cx, "has both an option list (forbid/require) and bounds (min/max); a red line is one of them".to_string());
                continue;
            }
            (None, None, false) => {
                red(cx, "needs forbid, require, or min/max bounds".to_string());
                continue;
            }
            (Some(e), None, false) | (None, Some(e), false) => Some(e),
            (None, None, true) => None,
        };
        if let Some(e) = list {
            let lpath = key_path(&rpath, &e.key);
            if let Some(issue) = issue.filter(|i| i.is_scale()) {
                red(
                    cx,
                    format!(
                        "{} needs an issue with options; issue {} is a scale (use min and max)",
                        e.key, issue.id
                    ),
                );
                continue;
            }
            let Kind::Array(names) = &e.value.kind else {
                cx.push(
                    e.value.span.start,
                    &lpath,
                    ProblemKind::WrongType,
                    format!("must be an array of option ids, found {}", e.value.describe()),
                );
                continue;
            };
            if names.is_empty() {
                cx.push(
                    e.value.span.start,
                    &lpath,
                    ProblemKind::RedLine,
                    format!("{} must name at least one option, found []", e.key),
                );
                continue;
            }
            let mut idxs = Vec::new();
            for (k, name) in names.iter().enumerate() {
                let npath = format!("{lpath}[{k}]");
                let Some(s) = string(cx, name, &npath) else { continue };
                if let Some(known) = known {
                    match known.option_index(&s) {
                        Some(x) => idxs.push(x),
                        None => unknown_option(cx, name.span.start, &npath, known.issue, &s),
                    }
                }
            }
            let kind = if e.key == "forbid" {
                RedLineKind::Forbid(idxs)
            } else {
                RedLineKind::Require(idxs)
            };
            out.push(RedLine { kind, reason });
        } else {
            if let Some(issue) = issue.filter(|i| !i.is_scale()) {
                red(
                    cx,
                    format!(
                        "min/max bounds need a scale issue; issue {} has options (use forbid or require)",
                        issue.id
                    ),
                );
                continue;
            }
            let min = r.number(cx, "min", false, Range::Any);
            let max = r.number(cx, "max", false, Range::Any);
            out.push(RedLine { kind: RedLineKind::Bounds { min, max }, reason });
        }
    }
    if cx.problems.len() != n_before {
        return None;
    }
    let issue = issue?;
    if !any_allowed(issue, &out) {
        cx.push(
            node.span.start,
            &path,
            ProblemKind::RedLine,
            format!(
                "the red lines of party {} on issue {} leave no acceptable option",
                party.map_or("", |p| p.id.as_str()),
                issue.id
            ),
        );
        return None;
    }
    Some(out)
}

/// Whether some option of the issue keeps every red line, in time linear in the number of
/// options and the size of the red lines: option lists are marked once, and of several
/// bounds only the tightest (highest minimum, lowest maximum) can decide.
fn any_allowed(issue: &Issue, red_lines: &[RedLine]) -> bool {
    let n = issue.n_options();
    let mut allowed = vec![true; n];
    let (mut lowest, mut highest) = (None::<f64>, None::<f64>);
    for r in red_lines {
        match &r.kind {
            RedLineKind::Forbid(list) => {
                for &k in list {
                    if let Some(a) = allowed.get_mut(k) {
                        *a = false;
                    }
                }
            }
            RedLineKind::Require(list) => {
                let mut listed = vec![false; n];
                for &k in list {
                    if let Some(l) = listed.get_mut(k) {
                        *l = true;
                    }
                }
                for (a, l) in allowed.iter_mut().zip(listed) {
                    *a &= l;
                }
            }
            RedLineKind::Bounds { min, max } => {
                // `allows` compares with `m -/+ 1e-9 * max(|m|, 1)`, increasing in `m`.
                lowest = match (lowest, *min) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                highest = match (highest, *max) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    let bounds = RedLine { kind: RedLineKind::Bounds { min: lowest, max: highest }, reason: None };
    allowed.iter().enumerate().any(|(k, &a)| a && bounds.allows(k, issue.scale_value(k)))
}

fn evidence(cx: &mut Cx<'_>, t: &Tab<'_>, read: &Read) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (k, item) in t.array(cx, "evidence", None).iter().enumerate() {
        let epath = format!("{}[{k}]", t.path("evidence"));
        let Some(e) = open(cx, item, &epath, EVIDENCE) else { continue };
        let source = e.req(cx, "source").and_then(|n| {
            reference(cx, &read.source_ids, "source", "sources", n, &e.path("source"))
        });
        let note = e.string(cx, "note", false);
        if let Some(source) = source {
            out.push(Evidence { source, note });
        }
    }
    out
}

/// A proposal as read, before amendments are resolved.
struct RawProposal<'a> {
    proposal: Proposal,
    path: String,
    /// `Some` when the file has `amends`: the node, and the resolved index if known.
    amends: Option<(&'a Node, Option<usize>)>,
    /// Issue index to term, for the terms the proposal states or opens.
    own: Vec<(usize, Term)>,
}

fn proposals(cx: &mut Cx<'_>, top: &Tab<'_>, read: &Read) -> Option<Vec<Proposal>> {
    let mut ids = Ids::default();
    let mut raws: Vec<RawProposal<'_>> = Vec::new();
    let items = top.array(cx, "proposals", None);
    for (idx, node) in items.iter().enumerate() {
        let path = format!("proposals[{idx}]");
        let mut raw = RawProposal {
            proposal: Proposal {
                id: String::new(),
                title: String::new(),
                author: None,
                date: None,
                amends: None,
                terms: Vec::new(),
                stated: Vec::new(),
                description: None,
            },
            path: path.clone(),
            amends: None,
            own: Vec::new(),
        };
        if let Some(t) = open(cx, node, &path, PROPOSAL) {
            if let Some((id, id_node)) = t.id(cx, "id") {
                register(cx, &mut ids, "proposal", &id, id_node, &t.path("id"), idx);
                raw.proposal.id = id;
            }
            raw.proposal.title = t.string(cx, "title", true).unwrap_or_default();
            raw.proposal.author = t.get("author").and_then(|n| {
                reference(cx, &read.party_ids, "party", "parties", n, &t.path("author"))
            });
            raw.proposal.date = t.date(cx, "date", false);
            raw.proposal.description = t.string(cx, "description", false);
            raw.amends = t.get("amends").map(|n| (n, None));
            raw.own = terms(cx, &t, read);
        }
        raws.push(raw);
    }
    // Amendments: resolve, then look for circles.
    for raw in &mut raws {
        if let Some((node, resolved)) = &mut raw.amends {
            *resolved =
                reference(cx, &ids, "proposal", "proposals", node, &key_path(&raw.path, "amends"));
        }
    }
    let parent: Vec<Option<usize>> =
        raws.iter().map(|r| r.amends.and_then(|(_, resolved)| resolved)).collect();
    circles(cx, &raws, &parent);
    // A proposal that amends nothing settles or opens every issue.
    for (idx, node) in items.iter().enumerate() {
        let Some(raw) = raws.get(idx) else { continue };
        if raw.amends.is_some() || node.as_table().is_none() {
            continue;
        }
        let mut stated = vec![false; read.issues.len()];
        for (i, _) in &raw.own {
            if let Some(s) = stated.get_mut(*i) {
                *s = true;
            }
        }
        let missing: Vec<&str> = read
            .issues
            .iter()
            .enumerate()
            .filter(|(i, _)| !stated.get(*i).copied().unwrap_or(true))
            // A duplicated issue id is reported once, as a duplicate.
            .filter(|(i, issue)| read.issue_ids.get(&issue.id).is_some_and(|(k, _)| k == i))
            .map(|(_, issue)| issue.id.as_str())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let terms_node = node.as_table().and_then(|t| t.iter().find(|e| e.key == "terms"));
        let (offset, path) = match terms_node {
            Some(e) => (e.value.span.start, key_path(&raw.path, "terms")),
            None => (node.span.start, raw.path.clone()),
        };
        let s = if missing.len() == 1 { "" } else { "s" };
        cx.push(
            offset,
            &path,
            ProblemKind::Term,
            format!(
                "issue{s} {} neither set nor open (a proposal that amends nothing settles or opens every issue)",
                listing(missing.iter().copied())
            ),
        );
    }
    if !cx.problems.is_empty() {
        return None;
    }
    Some(resolve(raws, &parent, read.issues.len()))
}

/// Reads `terms` and `open` into (issue index, term) pairs.
fn terms(cx: &mut Cx<'_>, t: &Tab<'_>, read: &Read) -> Vec<(usize, Term)> {
    let mut own: Vec<(usize, Term)> = Vec::new();
    // Per issue: 1 when set in `terms`, 2 when listed in `open`.
    let mut listed: HashMap<usize, u8> = HashMap::new();
    if let Some(node) = t.get("terms")
        && let Some(map) = open_map(cx, node, &t.path("terms"))
    {
        for e in map {
            let epath = key_path(&t.path("terms"), &e.key);
            let Some((i, _)) = read.issue_ids.get(&e.key) else {
                cx.push(
                    e.key_span.start,
                    &epath,
                    ProblemKind::UnknownReference,
                    format!(
                        "unknown issue {} (issues: {})",
                        quote(&e.key),
                        read.issue_ids.listing()
                    ),
                );
                continue;
            };
            let i = *i;
            own.push((i, Term::Open));
            listed.insert(i, 1);
            let Some(known) = read.known(i) else {
                continue;
            };
            if let Some(k) = term(cx, &e.value, &epath, known)
                && let Some(last) = own.last_mut()
            {
                last.1 = Term::Set(k);
            }
        }
    }
    for (k, node) in t.array(cx, "open", None).iter().enumerate() {
        let opath = format!("{}[{k}]", t.path("open"));
        let Some(i) = reference(cx, &read.issue_ids, "issue", "issues", node, &opath) else {
            continue;
        };
        let issue_id = read.issues.get(i).map_or("", |x| x.id.as_str());
        let before = listed.insert(i, 2);
        if before == Some(1) {
            listed.insert(i, 1);
            cx.push(
                node.span.start,
                &opath,
                ProblemKind::Term,
                format!("issue {issue_id} is both set in terms and open"),
            );
        } else if before == Some(2) {
            cx.push(
                node.span.start,
                &opath,
                ProblemKind::DuplicateId,
                format!("issue {issue_id} is listed twice in open"),
            );
        } else {
            own.push((i, Term::Open));
        }
    }
    own
}

/// One term: an option id on a discrete issue, a grid value on a scale.
fn term(cx: &mut Cx<'_>, node: &Node, path: &str, known: Known<'_>) -> Option<usize> {
    let issue = known.issue;
    match &issue.kind {
        IssueKind::Discrete { .. } => {
            let Kind::Str(s) = &node.kind else {
                cx.push(
                    node.span.start,
                    path,
                    ProblemKind::WrongType,
                    format!(
                        "must be an option id of issue {} (a string), found {}",
                        issue.id,
                        node.describe()
                    ),
                );
                return None;
            };
            let k = known.option_index(s);
            if k.is_none() {
                unknown_option(cx, node.span.start, path, issue, s);
            }
            k
        }
        IssueKind::Scale { min, max, step, .. } => {
            let x = number(cx, node, path, Range::Any)?;
            let found = match &node.kind {
                Kind::Num(n) => number_text(&n.text),
                _ => format_number(x),
            };
            let tol = step * 1e-6;
            if x < min - tol || x > max + tol {
                cx.push(
                    node.span.start,
                    path,
                    ProblemKind::Term,
                    format!(
                        "must be on the scale of issue {} [{}, {}], found {found}",
                        issue.id,
                        format_number(*min),
                        format_number(*max)
                    ),
                );
                return None;
            }
            let k = issue.scale_index(x);
            if k.is_none() {
                let below = ((x - min) / step).floor().max(0.0);
                let lo = (min + below * step).min(*max);
                let hi = (lo + step).min(*max);
                cx.push(
                    node.span.start,
                    path,
                    ProblemKind::Term,
                    format!(
                        "must be a grid value of issue {} ({} to {} in steps of {}), found {found}; nearest: {}, {}",
                        issue.id,
                        format_number(*min),
                        format_number(*max),
                        format_number(*step),
                        format_number(lo),
                        format_number(hi)
                    ),
                );
            }
            k
        }
    }
}

/// Reports each circle of amendments once, from its first proposal in the file.
fn circles(cx: &mut Cx<'_>, raws: &[RawProposal<'_>], parent: &[Option<usize>]) {
    let mut done = vec![false; raws.len()];
    for start in 0..raws.len() {
        let mut walk: Vec<usize> = Vec::new();
        let mut on_walk: HashSet<usize> = HashSet::new();
        let mut cur = Some(start);
        while let Some(j) = cur {
            if done.get(j).copied().unwrap_or(true) {
                break;
            }
            if on_walk.contains(&j) {
                let from = walk.iter().position(|&x| x == j).unwrap_or(0);
                let cycle = walk.get(from..).unwrap_or(&[]);
                let first = cycle.iter().copied().min().unwrap_or(j);
                let at = cycle.iter().position(|&x| x == first).unwrap_or(0);
                let mut names: Vec<&str> = Vec::new();
                for k in 0..=cycle.len() {
                    if let Some(&p) = cycle.get((at + k) % cycle.len().max(1)) {
                        names.push(raws.get(p).map_or("", |r| r.proposal.id.as_str()));
                    }
                }
                if let Some(raw) = raws.get(first)
                    && let Some((node, _)) = raw.amends
                {
                    cx.push(
                        node.span.start,
                        &key_path(&raw.path, "amends"),
                        ProblemKind::CircularAmendment,
                        format!("circular amendment: {}", names.join(" -> ")),
                    );
                }
                break;
            }
            on_walk.insert(j);
            walk.push(j);
            cur = parent.get(j).copied().flatten();
        }
        for j in walk {
            if let Some(d) = done.get_mut(j) {
                *d = true;
            }
        }
    }
}

/// Orders proposals so each comes after the one it amends (file order otherwise) and fills
/// in inherited terms. Needs resolved, acyclic amendments.
fn resolve(raws: Vec<RawProposal<'_>>, parent: &[Option<usize>], n_issues: usize) -> Vec<Proposal> {
    let n = raws.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut ready: BinaryHeap<Reverse<usize>> = BinaryHeap::new();
    for (j, p) in parent.iter().enumerate() {
        match p {
            Some(q) => {
                if let Some(c) = children.get_mut(*q) {
                    c.push(j);
                }
            }
            None => ready.push(Reverse(j)),
        }
    }
    let mut order: Vec<usize> = Vec::with_capacity(n);
    while let Some(Reverse(j)) = ready.pop() {
        order.push(j);
        for &c in children.get(j).map_or(&[][..], |c| c.as_slice()) {
            ready.push(Reverse(c));
        }
    }
    let mut position = vec![usize::MAX; n];
    for (pos, &j) in order.iter().enumerate() {
        if let Some(p) = position.get_mut(j) {
            *p = pos;
        }
    }
    let mut raws: Vec<Option<RawProposal<'_>>> = raws.into_iter().map(Some).collect();
    let mut out: Vec<Proposal> = Vec::with_capacity(n);
    for &j in &order {
        let Some(raw) = raws.get_mut(j).and_then(Option::take) else { continue };
        let mut p = raw.proposal;
        let amended = parent.get(j).copied().flatten().and_then(|q| position.get(q).copied());
        let (mut terms, mut stated) = match amended.and_then(|q| out.get(q)) {
            Some(base) => (base.terms.clone(), vec![false; n_issues]),
            None => (vec![Term::Open; n_issues], vec![false; n_issues]),
        };
        for (i, t) in raw.own {
            if let (Some(slot), Some(s)) = (terms.get_mut(i), stated.get_mut(i)) {
                *slot = t;
                *s = true;
            }
        }
        p.amends = amended;
        p.terms = terms;
        p.stated = stated;
        out.push(p);
    }
    out
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
    fn suggestions() {
        assert_eq!(suggest("reservaton", PARTY), Some("reservation"));
        assert_eq!(suggest("nmae", PARTY), Some("name"));
        assert_eq!(suggest("zzzzzz", PARTY), None);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn paths() {
        assert_eq!(key_path("", "version"), "version");
        assert_eq!(key_path("proposals[0].terms", "TER-03"), "proposals[0].terms.TER-03");
        assert_eq!(key_path("a", "b c"), "a[\"b c\"]");
    }
}
