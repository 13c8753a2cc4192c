//! The validator: walks the spanned tree of a scenario file (TOML or JSON alike), collects
//! every problem with its place, and builds the [`Scenario`] only when there is none.
//!
//! Each section is read into core types with placeholders where a value is missing or
//! wrong, so that later sections can still be checked (an unknown party in one stance does
//! not hide a bad weight in the next). References are resolved by id; amendments are
//! resolved in dependency order once everything else is known to be sound.

mod amend;
mod history;

use std::collections::HashMap;

use detente_core::{
    Doubt, Estimate, Evidence, Grade, Issue, IssueKind, IssueOption, Meta, Party, Preference,
    Proposal, Quality, RedLine, RedLineKind, RedLineRef, Role, Scenario, ScenarioParts, Source,
    Spread, Stance, StatedRange, Term, Uncertainty, UtilityForm, format_number, scale_points,
};

use crate::error::ProblemKind;
use crate::kit::{
    Cx, Ids, Range, Tab, check_id, estimate, items, key_path, listing, number, open, open_map,
    reference, register, string,
};
use crate::tree::{Entry, Kind, Node, number_text, quote};
use crate::{MAX_PARTY_ISSUES, MAX_PARTY_OPTIONS, MAX_PROPOSAL_ISSUES, MIN_MAGNITUDE};
use amend::{RawProposal, circles, resolve};

const TOP: &[&str] = &[
    "version",
    "scenario",
    "uncertainty",
    "parties",
    "issues",
    "stances",
    "proposals",
    "sources",
    "revisions",
    "events",
];
const META: &[&str] = &["name", "title", "description", "as_of", "utility"];
const PARTY: &[&str] = &[
    "id",
    "name",
    "role",
    "capability",
    "reservation",
    "bias",
    "discount",
    "description",
    "aliases",
];
const ISSUE: &[&str] = &["id", "name", "description", "aliases", "options", "axis", "scale"];
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
const RED_LINE: &[&str] = &["forbid", "require", "min", "max", "holds", "reason"];
const UNCERTAINTY: &[&str] = &["ungraded", "A", "B", "C"];
const WIDTHS: &[&str] = &["weight", "value", "ideal", "tolerance", "reservation", "capability"];
const EVIDENCE: &[&str] = &["source", "note"];
const PROPOSAL: &[&str] =
    &["id", "title", "author", "date", "amends", "description", "terms", "open"];
const SOURCE: &[&str] = &["id", "title", "url", "date", "outlet", "quality", "candidate"];

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
    /// Sources marked `candidate = true` (proposed by `detente ingest`, not yet confirmed):
    /// checked, cited only by candidate events, and left out of the scenario.
    candidate_source_ids: Ids,
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
    let mut uncertainty = uncertainty(cx, &top);
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
        candidate_source_ids: Ids::default(),
    };
    parties(cx, &top, &mut read, &mut uncertainty);
    issues(cx, &top, &mut read);
    sources(cx, &top, &mut read);
    if !size(cx, &top, &read) {
        return None;
    }
    let stances = stances(cx, &top, &read, &mut uncertainty);
    let proposals = proposals(cx, &top, &read);
    let history = history::history(cx, &top, &read, &stances);
    if !cx.problems.is_empty() {
        return None;
    }
    let proposals = proposals?;
    // One order whatever the order in the file, so that equal files give equal scenarios.
    uncertainty.ranges.sort_by_key(|r| r.estimate);
    uncertainty.doubts.sort_by_key(|d| d.red_line);
    let parts = ScenarioParts {
        meta,
        parties: read.parties,
        issues: read.issues,
        stances,
        proposals,
        sources: read.sources,
        uncertainty,
        history,
    };
    match Scenario::from_parts(parts) {
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

/// Reads the `[uncertainty]` table: the grade that ungraded stances count as, and the widths
/// of each grade (each field overrides the default width of its kind; the others stay).
fn uncertainty(cx: &mut Cx<'_>, top: &Tab<'_>) -> Uncertainty {
    let mut u = Uncertainty::default();
    let Some(node) = top.get("uncertainty") else { return u };
    let Some(t) = open(cx, node, "uncertainty", UNCERTAINTY) else { return u };
    if let Some(g_node) = t.get("ungraded")
        && let Some(g) = string(cx, g_node, &t.path("ungraded"))
    {
        match (g.as_str(), Grade::parse(&g)) {
            ("none", _) => u.ungraded = None,
            (_, Some(grade)) => u.ungraded = Some(grade),
            (_, None) => cx.push(
                g_node.span.start,
                &t.path("ungraded"),
                ProblemKind::InvalidValue,
                format!("must be \"A\", \"B\", \"C\" or \"none\", found {}", quote(&g)),
            ),
        }
    }
    for grade in [Grade::A, Grade::B, Grade::C] {
        let key = grade.as_str();
        let Some(w_node) = t.get(key) else { continue };
        let Some(w) = open(cx, w_node, &t.path(key), WIDTHS) else { continue };
        let widths = &mut u.widths[grade as usize];
        for (field, slot) in [
            ("weight", &mut widths.weight),
            ("value", &mut widths.value),
            ("ideal", &mut widths.ideal),
            ("tolerance", &mut widths.tolerance),
            ("reservation", &mut widths.reservation),
            ("capability", &mut widths.capability),
        ] {
            // A tolerance stays positive: its width is a share below 1.
            let range = if field == "tolerance" { Range::Share } else { Range::NonNegative };
            if let Some(x) = w.number(cx, field, false, range) {
                *slot = x;
            }
        }
    }
    u
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

fn parties(cx: &mut Cx<'_>, top: &Tab<'_>, read: &mut Read, u: &mut Uncertainty) {
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
            let capability = t.estimate(cx, "capability", false, Range::NonNegative);
            party.capability = capability.map_or(1.0, |c| c.0);
            let reservation = t.estimate(cx, "reservation", false, read.value_range());
            party.reservation = reservation.map_or(0.0, |r| r.0);
            for (e, x) in [
                (Estimate::Capability { party: idx }, capability),
                (Estimate::Reservation { party: idx }, reservation),
            ] {
                if let Some((_, Some(spread))) = x {
                    u.ranges.push(StatedRange { estimate: e, spread });
                }
            }
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
            party.aliases = aliases(cx, &t);
        }
        read.parties.push(party);
    }
}

/// The longest alias, in bytes (a name or a keyword, not a paragraph).
const MAX_ALIAS: usize = 100;

/// A party's or an issue's `aliases`: other names the news uses for it, each a non-empty
/// string of at most [`MAX_ALIAS`] bytes, listed once.
fn aliases(cx: &mut Cx<'_>, t: &Tab<'_>) -> Vec<String> {
    let Some(node) = t.get("aliases") else { return vec![] };
    let path = t.path("aliases");
    let Some(list) = items(cx, node, &path, None) else { return vec![] };
    let mut out: Vec<String> = vec![];
    let mut seen = std::collections::HashSet::new();
    for (k, n) in list.iter().enumerate() {
        let at = format!("{path}[{k}]");
        let Some(a) = string(cx, n, &at) else { continue };
        let problem = if a.trim().is_empty() {
            Some("an alias is a name or a keyword, found an empty string".to_string())
        } else if a.len() > MAX_ALIAS {
            Some(format!("an alias is at most {MAX_ALIAS} bytes, found {}", a.len()))
        } else if !seen.insert(a.to_lowercase()) {
            Some(format!("alias {} is listed twice", quote(&a)))
        } else {
            None
        };
        match problem {
            Some(message) => cx.push(n.span.start, &at, ProblemKind::InvalidValue, message),
            None => out.push(a),
        }
    }
    out
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
            issue.aliases = aliases(cx, &t);
            match (t.entry("options"), t.entry("scale")) {
                (Some(_), Some(scale)) | (None, Some(scale))
                    if t.entry("axis").is_some() && t.entry("options").is_none() =>
                {
                    let _ = scale;
                    let axis = t.entry("axis").map_or(t.start, |e| e.key_span.start);
                    cx.push(
                        axis,
                        &t.path("axis"),
                        ProblemKind::Conflict,
                        "an axis orders an issue's options; a scale issue is already ordered (drop `axis`)",
                    );
                }
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
                    if let Some((mut opts, index)) = options_of(cx, &t, &options.value, &issue.id) {
                        let placed = match t.entry("axis") {
                            Some(axis) => axis_of(cx, &t, axis, &issue.id, &mut opts, &index),
                            None => true,
                        };
                        issue.kind = IssueKind::Discrete { options: opts };
                        info = IssueInfo { ok: placed, options: index };
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
            options.push(IssueOption { id, label: label.unwrap_or_default(), position: None });
        }
    }
    let index = ids.into_iter().map(|(id, (k, _))| (id, k)).collect();
    (cx.problems.len() == n_before).then_some((options, index))
}

/// The word that orders an issue's options as they are listed (`axis = "listed"`).
pub(crate) const AXIS_LISTED: &str = "listed";

/// Reads an issue's `axis` onto its options: `"listed"` places them at 0, 1, 2, ... in the
/// order listed; a table `{ option = position, ... }` places each by id, every option
/// exactly once, at finite and distinct positions. Whether every problem was absent.
fn axis_of(
    cx: &mut Cx<'_>,
    t: &Tab<'_>,
    axis: &Entry,
    issue_id: &str,
    options: &mut [IssueOption],
    index: &HashMap<String, usize>,
) -> bool {
    let path = t.path("axis");
    let node = &axis.value;
    let n_before = cx.problems.len();
    match &node.kind {
        Kind::Str(word) if word == AXIS_LISTED => {
            for (k, o) in options.iter_mut().enumerate() {
                o.position = Some(k as f64);
            }
            return true;
        }
        Kind::Table(entries) => {
            // Where each option was placed, to find two options at one position.
            let mut at: Vec<Option<(f64, usize)>> = vec![None; options.len()];
            for e in entries {
                let epath = key_path(&path, &e.key);
                let Some(&k) = index.get(&e.key) else {
                    let issue = Issue {
                        id: issue_id.to_string(),
                        name: String::new(),
                        description: None,
                        kind: IssueKind::Discrete { options: options.to_vec() },
                        aliases: Vec::new(),
                    };
                    unknown_option(cx, e.key_span.start, &epath, &issue, &e.key);
                    continue;
                };
                if at[k].is_some() {
                    // The JSON reader has reported the repeated key already; TOML refuses it.
                    continue;
                }
                if let Some(x) = number(cx, &e.value, &epath, Range::Any) {
                    at[k] = Some((x, e.value.span.start));
                }
            }
            let missing: Vec<&str> = options
                .iter()
                .zip(&at)
                .filter(|(_, a)| a.is_none())
                .map(|(o, _)| o.id.as_str())
                .collect();
            if cx.problems.len() == n_before && !missing.is_empty() {
                cx.push(
                    node.span.start,
                    &path,
                    ProblemKind::MissingValue,
                    format!(
                        "the axis of issue {issue_id} places no position for {} (place every option, or write axis = \"{AXIS_LISTED}\")",
                        listing(missing.iter().copied())
                    ),
                );
            }
            let mut placed: Vec<(f64, usize, usize)> =
                at.iter().enumerate().filter_map(|(k, a)| a.map(|(x, o)| (x, o, k))).collect();
            placed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for w in placed.windows(2) {
                if w[0].0 == w[1].0 {
                    cx.push(
                        w[1].1,
                        &key_path(&path, &options[w[1].2].id),
                        ProblemKind::Conflict,
                        format!(
                            "options {} and {} of issue {issue_id} share the position {} (an axis orders its options: give each its own)",
                            quote(&options[w[0].2].id),
                            quote(&options[w[1].2].id),
                            format_number(w[0].0)
                        ),
                    );
                }
            }
            if cx.problems.len() == n_before {
                for (o, a) in options.iter_mut().zip(&at) {
                    o.position = a.map(|(x, _)| x);
                }
            }
        }
        _ => cx.push(
            node.span.start,
            &path,
            ProblemKind::WrongType,
            format!(
                "must be \"{AXIS_LISTED}\" (the options in the order listed) or a table of a position per option, found {}",
                node.describe()
            ),
        ),
    }
    cx.problems.len() == n_before
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

/// Whether a table is marked `candidate = true`: proposed by `detente ingest` and not yet
/// confirmed by the analyst (docs/scenario-format.md, "Candidates from the news"). Checked
/// like the rest, then left out of the scenario.
fn candidate(cx: &mut Cx<'_>, t: &Tab<'_>) -> bool {
    let Some(node) = t.get("candidate") else { return false };
    match node.kind {
        Kind::Bool(b) => b,
        _ => {
            cx.push(
                node.span.start,
                &t.path("candidate"),
                ProblemKind::WrongType,
                format!(
                    "must be true (an unconfirmed candidate) or false, found {}",
                    node.describe()
                ),
            );
            false
        }
    }
}

fn sources(cx: &mut Cx<'_>, top: &Tab<'_>, read: &mut Read) {
    // Every source's id, confirmed or candidate, for duplicates.
    let mut all = Ids::default();
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
        let mut is_candidate = false;
        if let Some(t) = open(cx, node, &path, SOURCE) {
            is_candidate = candidate(cx, &t);
            if let Some((id, id_node)) = t.id(cx, "id") {
                if register(cx, &mut all, "source", &id, id_node, &t.path("id"), idx) {
                    let ids = if is_candidate {
                        &mut read.candidate_source_ids
                    } else {
                        &mut read.source_ids
                    };
                    ids.map.insert(id.clone(), (read.sources.len(), id_node.span.start));
                    ids.order.push(id.clone());
                }
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
        if !is_candidate {
            read.sources.push(source);
        }
    }
}

/// One of a stance's numbers, named before the stance's party and issue are known.
#[derive(Clone, Copy)]
enum Slot {
    Weight,
    Value(usize),
    Ideal,
    Tolerance,
}

impl Slot {
    fn estimate(self, party: usize, issue: usize) -> Estimate {
        match self {
            Slot::Weight => Estimate::Weight { party, issue },
            Slot::Value(option) => Estimate::Value { party, issue, option },
            Slot::Ideal => Estimate::Ideal { party, issue },
            Slot::Tolerance => Estimate::Tolerance { party, issue },
        }
    }
}

/// The ranges stated for a stance's numbers and the doubts on its red lines (by index).
#[derive(Default)]
struct StanceDoubts {
    ranges: Vec<(Slot, Spread)>,
    holds: Vec<(usize, f64)>,
}

fn stances(
    cx: &mut Cx<'_>,
    top: &Tab<'_>,
    read: &Read,
    u: &mut Uncertainty,
) -> Vec<Vec<Option<Stance>>> {
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
        let mut doubts = StanceDoubts::default();
        let weight = t.estimate(cx, "weight", true, Range::Weight).map(|(w, spread)| {
            doubts.ranges.extend(spread.map(|sp| (Slot::Weight, sp)));
            w
        });
        let issue = issue_idx.and_then(|i| read.known(i));
        let preference = preference(cx, &t, issue, read.value_range(), &mut doubts.ranges);
        let red_lines =
            red_lines(cx, &t, issue, party.and_then(|p| read.parties.get(p)), &mut doubts.holds);
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
            let ranges = doubts.ranges.into_iter();
            u.ranges.extend(
                ranges.map(|(s, spread)| StatedRange { estimate: s.estimate(p, i), spread }),
            );
            u.doubts.extend(doubts.holds.into_iter().map(|(index, holds)| Doubt {
                red_line: RedLineRef { party: p, issue: i, index },
                holds,
            }));
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
    ranges: &mut Vec<(Slot, Spread)>,
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
                    estimate(cx, &e.value, &key_path(&t.path("values"), &e.key), range);
                }
            }
            t.estimate(cx, "ideal", false, Range::Any);
            t.estimate(cx, "tolerance", false, Range::Positive);
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
                let x = estimate(cx, &e.value, &epath, range);
                match known.option_index(&e.key) {
                    Some(k) => {
                        if let Some((_, Some(spread))) = x {
                            ranges.push((Slot::Value(k), spread));
                        }
                        let x = x.map(|(x, _)| x);
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
            let ideal = t.estimate(cx, "ideal", true, range);
            let tolerance = t.estimate(cx, "tolerance", true, Range::Positive);
            match (ok, ideal, tolerance) {
                (true, Some((ideal, i)), Some((tolerance, t))) => {
                    ranges.extend(i.map(|sp| (Slot::Ideal, sp)));
                    ranges.extend(t.map(|sp| (Slot::Tolerance, sp)));
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
    holds: &mut Vec<(usize, f64)>,
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
        // The probability that the red line holds; pushed with the index the red line gets
        // (a red line with a problem gets none, and then no list is returned at all).
        if let Some(h) = r.number(cx, "holds", false, Range::Unit) {
            holds.push((out.len(), h));
        }
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
    evidence_of(cx, t, read, false)
}

/// The evidence of a table; `candidate`: whether it may cite candidate sources (a candidate
/// event, whose evidence is checked and then left out with it).
fn evidence_of(cx: &mut Cx<'_>, t: &Tab<'_>, read: &Read, candidate: bool) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (k, item) in t.array(cx, "evidence", None).iter().enumerate() {
        let epath = format!("{}[{k}]", t.path("evidence"));
        let Some(e) = open(cx, item, &epath, EVIDENCE) else { continue };
        let source = e.req(cx, "source").and_then(|n| {
            if let Kind::Str(id) = &n.kind
                && read.source_ids.get(id).is_none()
                && let Some(&(j, _)) = read.candidate_source_ids.get(id)
            {
                if !candidate {
                    cx.push(
                        n.span.start,
                        &e.path("source"),
                        ProblemKind::UnknownReference,
                        format!(
                            "source {} is an unconfirmed candidate: confirm it first (delete its `candidate = true`)",
                            quote(id)
                        ),
                    );
                }
                return candidate.then_some(j);
            }
            reference(cx, &read.source_ids, "source", "sources", n, &e.path("source"))
        });
        let note = e.string(cx, "note", false);
        if let Some(source) = source {
            out.push(Evidence { source, note });
        }
    }
    out
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
    // A proposal amends only one dated on or before it.
    for (raw, p) in raws.iter().zip(&parent) {
        let (Some(a), Some((node, _)), Some(date)) = (p, raw.amends, raw.proposal.date.as_deref())
        else {
            continue;
        };
        let Some(amended) = raws.get(*a) else { continue };
        let Some(adate) = amended.proposal.date.as_deref() else { continue };
        if let (Some((_, last)), Some((first, _))) =
            (detente_core::date_span(date), detente_core::date_span(adate))
            && first > last
        {
            cx.push(
                node.span.start,
                &key_path(&raw.path, "amends"),
                ProblemKind::Date,
                format!(
                    "proposal {} of {date} amends {} of {adate}, a later one (a proposal amends an earlier one)",
                    raw.proposal.id, amended.proposal.id
                ),
            );
        }
    }
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
        IssueKind::Scale { .. } => {
            let x = number(cx, node, path, Range::Any)?;
            let found = match &node.kind {
                Kind::Num(n) => number_text(&n.text),
                _ => format_number(x),
            };
            match scale_term(issue, x, &found) {
                Ok(k) => Some(k),
                Err(message) => {
                    cx.push(node.span.start, path, ProblemKind::Term, message);
                    None
                }
            }
        }
    }
}

/// The grid point of scale issue `issue` at `x` (a finite number, written `found` in
/// messages), or what is wrong: off the scale, or between grid points (naming the nearest
/// two). The one rule for proposal terms in files and in what-if settings.
pub(crate) fn scale_term(issue: &Issue, x: f64, found: &str) -> Result<usize, String> {
    let IssueKind::Scale { min, max, step, .. } = &issue.kind else {
        return Err(format!("issue {} is not a scale", issue.id));
    };
    let tol = step * 1e-6;
    if x < min - tol || x > max + tol {
        return Err(format!(
            "must be on the scale of issue {} [{}, {}], found {found}",
            issue.id,
            format_number(*min),
            format_number(*max)
        ));
    }
    issue.scale_index(x).ok_or_else(|| {
        let below = ((x - min) / step).floor().max(0.0);
        let lo = (min + below * step).min(*max);
        let hi = (lo + step).min(*max);
        format!(
            "must be a grid value of issue {} ({} to {} in steps of {}), found {found}; nearest: {}, {}",
            issue.id,
            format_number(*min),
            format_number(*max),
            format_number(*step),
            format_number(lo),
            format_number(hi)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::{distance, suggest};

    #[test]
    fn suggestions() {
        assert_eq!(suggest("reservaton", PARTY), Some("reservation"));
        assert_eq!(suggest("nmae", PARTY), Some("name"));
        assert_eq!(suggest("zzzzzz", PARTY), None);
        assert_eq!(distance("", "abc"), 3);
    }
}
