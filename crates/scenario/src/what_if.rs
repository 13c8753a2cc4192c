//! What-if settings: `PATH=VALUE` changes to a scenario's estimates and proposal terms, as
//! `--set` gives them on the command line, checked like the file (docs/cli.md, "What-if").
//!
//! The paths:
//!
//! | path | changes |
//! |---|---|
//! | `PARTY.reservation`, `PARTY.capability`, `PARTY.bias`, `PARTY.discount` | the party's field |
//! | `PARTY.ISSUE.weight` | the weight of the party's stance on the issue |
//! | `PARTY.ISSUE.ideal`, `PARTY.ISSUE.tolerance` | the stance's ideal point and tolerance (scale issues) |
//! | `PARTY.ISSUE.OPTION` | the party's value of that option (discrete issues) |
//! | `PARTY.ISSUE.red_lines` | `none`: the party drops its red lines on the issue |
//! | `PROPOSAL.ISSUE` | the proposal's term: an option id, a grid value, or `open` |
//!
//! Ids may hold dots, so a path is read against the scenario's ids, not split blindly: the
//! one reading that names existing things is taken (two readings are refused as ambiguous).
//! Settings apply in order, and a later one on the same thing wins. A stance that does not
//! exist is not created (a party without a stance on an issue has no weight or values
//! there to change). A term set on a proposal is inherited by the proposals that amend it
//! and do not state that term themselves, as it would be had the file said so.
//!
//! ```
//! use detente_scenario::{shipped, what_if};
//! let tutorial = shipped::load("tutorial").unwrap()?;
//! let settings = what_if::settings(&["lowland.reservation=0.5"])?;
//! let changed = what_if::apply(tutorial, &settings)?;
//! assert_eq!(changed.scenario.parties()[1].reservation, 0.5);
//! assert_eq!(changed.changes[0].path, "lowland.reservation");
//! assert_eq!(changed.changes[0].from, what_if::Value::Number(0.35));
//!
//! let tutorial = shipped::load("tutorial").unwrap()?;
//! let err = what_if::apply(tutorial, &what_if::settings(&["lowland.reservaton=0.5"])?)
//!     .unwrap_err();
//! assert!(err.to_string().contains("did you mean \"reservation\"?"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use detente_core::{Estimate, IssueKind, Preference, Scenario, Term, UtilityForm, format_number};

use crate::error::{Error, Problem, ProblemKind};
use crate::kit::{Range, distance, listing, number_problem, suggest};
use crate::tree::{number_text, quote};
use crate::validate::scale_term;

/// The fields of a party a setting may change.
const PARTY_FIELDS: &[&str] = &["reservation", "capability", "bias", "discount"];

/// The fields of a stance a setting may change (besides the value of an option).
const STANCE_FIELDS: &[&str] = &["weight", "ideal", "tolerance", "red_lines"];

/// The field of a stance's red lines, and the one value it may be set to.
const RED_LINES: &str = "red_lines";
const NONE: &str = "none";

/// The word for an open term.
const OPEN: &str = "open";

/// One `PATH=VALUE` setting, as given.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    text: String,
    path: String,
    value: String,
}

impl Setting {
    /// Reads `PATH=VALUE` (split at the first `=`; neither side empty).
    pub fn parse(text: &str) -> Result<Setting, Error> {
        let problem = |message: String| {
            Error::new(vec![setting_problem(text, "", ProblemKind::WrongType, message)])
        };
        let Some((path, value)) = text.split_once('=') else {
            return Err(problem(format!(
                "must be PATH=VALUE (e.g. russia.reservation=0.5), found no \"=\" in {}",
                quote(text)
            )));
        };
        if path.is_empty() || value.is_empty() {
            return Err(problem(format!(
                "must be PATH=VALUE (e.g. russia.reservation=0.5), found an empty {}",
                if path.is_empty() { "path" } else { "value" }
            )));
        }
        Ok(Setting { text: text.to_string(), path: path.to_string(), value: value.to_string() })
    }

    /// The setting as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The part before the first `=`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The part after the first `=`.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Reads every setting, reporting every malformed one at once.
pub fn settings<S: AsRef<str>>(texts: &[S]) -> Result<Vec<Setting>, Error> {
    let mut out = Vec::with_capacity(texts.len());
    let mut problems = Vec::new();
    for text in texts {
        match Setting::parse(text.as_ref()) {
            Ok(s) => out.push(s),
            Err(e) => problems.extend(e.problems().iter().cloned()),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(Error::new(problems)) }
}

/// Reads the settings and applies the well-formed ones (as [`apply`]), reporting every
/// problem at once: malformed settings and bad paths or values alike, in the order given.
pub fn apply_texts<S: AsRef<str>>(s: Scenario, texts: &[S]) -> Result<WhatIf, Error> {
    let mut good = Vec::with_capacity(texts.len());
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        match Setting::parse(text.as_ref()) {
            Ok(setting) => good.push((n, setting)),
            Err(e) => problems.extend(e.problems().iter().map(|p| (n, p.clone()))),
        }
    }
    let settings: Vec<Setting> = good.iter().map(|(_, s)| s.clone()).collect();
    match apply(s, &settings) {
        Ok(done) if problems.is_empty() => return Ok(done),
        Ok(_) => {}
        Err(e) => {
            // Problems of well-formed settings name them; place each by its setting's text.
            for p in e.problems() {
                let n = good.iter().find(|(_, s)| s.path == p.path && p.file == flag(&s.text));
                problems.push((n.map_or(usize::MAX, |(n, _)| *n), p.clone()));
            }
        }
    }
    problems.sort_by_key(|(n, _)| *n);
    Err(Error::new(problems.into_iter().map(|(_, p)| p).collect()))
}

/// A value before or after a change.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// An estimate: a reservation, capability, bias, discount, weight, or value of an option.
    Number(f64),
    /// A point or a distance on an issue's scale (an ideal, a tolerance), in the scale's unit.
    Scale(f64),
    /// No value: a party without a discount.
    Absent,
    /// How many red lines a party holds on an issue (a setting can only drop them all: 0).
    RedLines(usize),
    /// A proposal's term on an issue (`issue`: its index among the scenario's issues).
    Term {
        /// The issue's index.
        issue: usize,
        /// The term.
        term: Term,
    },
}

/// One thing a what-if changed: the net change of every setting on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The thing changed, named by ids and field joined by `.` (`russia.SEC-01.weight`).
    pub path: String,
    /// Its value in the scenario as loaded.
    pub from: Value,
    /// Its value after the settings (the last setting on it wins).
    pub to: Value,
    /// For a term: the proposals (indices) that amend this one, inherit the term and so
    /// changed with it.
    pub inherited_by: Vec<usize>,
}

/// A scenario changed by settings, and the changes.
#[derive(Clone, Debug)]
pub struct WhatIf {
    /// The changed scenario, checked again.
    pub scenario: Scenario,
    /// One change per thing changed, in the order of the first setting on it.
    pub changes: Vec<Change>,
}

/// What a setting changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Target {
    Reservation(usize),
    Capability(usize),
    Bias(usize),
    Discount(usize),
    Weight(usize, usize),
    Ideal(usize, usize),
    Tolerance(usize, usize),
    /// Party, issue, option.
    Value(usize, usize, usize),
    /// Proposal, issue.
    Term(usize, usize),
    /// Party, issue: the stance's red lines.
    RedLines(usize, usize),
}

impl Target {
    /// The estimate a setting changes (`None` for a bias, a discount or a term).
    fn estimate(self) -> Option<Estimate> {
        Some(match self {
            Target::Reservation(party) => Estimate::Reservation { party },
            Target::Capability(party) => Estimate::Capability { party },
            Target::Weight(party, issue) => Estimate::Weight { party, issue },
            Target::Ideal(party, issue) => Estimate::Ideal { party, issue },
            Target::Tolerance(party, issue) => Estimate::Tolerance { party, issue },
            Target::Value(party, issue, option) => Estimate::Value { party, issue, option },
            Target::Bias(_) | Target::Discount(_) | Target::Term(..) | Target::RedLines(..) => {
                return None;
            }
        })
    }
}

/// Applies the settings in order to the scenario and checks the result again (as the file
/// is checked): every setting's problem is reported at once, each naming the setting and
/// the part that is wrong.
pub fn apply(s: Scenario, settings: &[Setting]) -> Result<WhatIf, Error> {
    if settings.is_empty() {
        return Ok(WhatIf { scenario: s, changes: Vec::new() });
    }
    let mut problems = Vec::new();
    let mut resolved: Vec<(Target, Value, usize)> = Vec::with_capacity(settings.len());
    let mut index = Index::new(&s);
    for (n, setting) in settings.iter().enumerate() {
        let found = resolve(&mut index, &setting.path)
            .and_then(|t| Ok((t, new_value(&mut index, t, setting)?)));
        match found {
            Ok((target, value)) => resolved.push((target, value, n)),
            Err((kind, message)) => {
                problems.push(setting_problem(&setting.text, &setting.path, kind, message));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::new(problems));
    }
    // One change per target, in the order of its first setting; the last setting wins.
    let mut changes: Vec<(Target, Change)> = Vec::new();
    let mut seen: HashMap<Target, usize> = HashMap::new();
    for &(target, value, _) in &resolved {
        match seen.get(&target) {
            Some(&at) => changes[at].1.to = value,
            None => changes.push((
                target,
                Change {
                    path: canonical(&s, target),
                    from: old_value(&s, target),
                    to: value,
                    inherited_by: Vec::new(),
                },
            )),
        }
        seen.entry(target).or_insert(changes.len() - 1);
    }
    let zero_weights = all_weights_zero(&s, &resolved, settings);
    if !zero_weights.is_empty() {
        return Err(Error::new(zero_weights));
    }
    let mut inherited: Vec<Vec<usize>> = Vec::new();
    // A setting replaces the number as if the file wrote it alone: a range the file states
    // for it no longer applies (it was a range around the old number), so it is dropped and
    // the stance's grade gives the range, as for any number written alone.
    let estimates: std::collections::HashSet<Estimate> =
        resolved.iter().filter_map(|(t, _, _)| t.estimate()).collect();
    let edited = s.edit(|parts| {
        for &(target, value, _) in &resolved {
            set(parts, target, value);
        }
        if !estimates.is_empty() {
            parts.uncertainty.ranges.retain(|r| !estimates.contains(&r.estimate));
        }
        inherited = changes
            .iter()
            .map(|(t, _)| match *t {
                Target::Term(j, i) => inheritors(&parts.proposals, j, i),
                _ => Vec::new(),
            })
            .collect();
    });
    let scenario = edited.map_err(|e| {
        Error::new(vec![setting_problem(
            &settings.iter().map(Setting::text).collect::<Vec<_>>().join(" --set "),
            "",
            ProblemKind::Internal,
            format!("the changed scenario breaks an invariant ({e}); please report this bug"),
        )])
    })?;
    let changes = changes
        .into_iter()
        .zip(inherited)
        .map(|((_, mut c), by)| {
            c.inherited_by = by;
            c
        })
        .collect();
    Ok(WhatIf { scenario, changes })
}

/// The flag as shown in messages: its first 200 characters, and `...` when it is longer.
fn flag(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("--set {}...", &text[..at]),
        None => format!("--set {text}"),
    }
}

/// A problem of the setting `text` (no line: `file` is the flag as given, its first 200
/// characters and `...` when it is longer).
fn setting_problem(text: &str, path: &str, kind: ProblemKind, message: String) -> Problem {
    Problem { file: flag(text), line: 0, column: 0, path: path.to_string(), kind, message }
}

/// The settings that leave a party of a normalised scenario with stances but every weight
/// 0 (refused in a file too: it would be indifferent to everything), each named once, by
/// the last setting of a weight of that party.
fn all_weights_zero(
    s: &Scenario,
    resolved: &[(Target, Value, usize)],
    settings: &[Setting],
) -> Vec<Problem> {
    if s.meta().utility == UtilityForm::Raw {
        return Vec::new();
    }
    // Each party whose weights a setting changes: its weights after the settings, and the
    // last setting of one.
    let mut touched: HashMap<usize, (Vec<Option<f64>>, usize)> = HashMap::new();
    let mut order = Vec::new();
    for &(target, value, n) in resolved {
        if let (Target::Weight(p, i), Value::Number(w)) = (target, value) {
            let (weights, last) = touched.entry(p).or_insert_with(|| {
                order.push(p);
                (s.stances()[p].iter().map(|st| st.as_ref().map(|st| st.weight)).collect(), n)
            });
            weights[i] = Some(w);
            *last = n;
        }
    }
    order.sort_unstable();
    let mut out = Vec::new();
    for p in order {
        let Some((weights, n)) = touched.get(&p) else { continue };
        if weights.iter().all(|w| w.is_none_or(|w| w == 0.0)) {
            let setting = &settings[*n];
            out.push(setting_problem(
                &setting.text,
                &setting.path,
                ProblemKind::AllWeightsZero,
                format!(
                    "leaves party {} with every weight 0 (it would be indifferent to everything); a party with stances needs a positive weight",
                    s.parties()[p].id
                ),
            ));
        }
    }
    out
}

/// The proposals after `j` that inherit its term on issue `i` (through amendments that do
/// not state it), in order.
fn inheritors(proposals: &[detente_core::Proposal], j: usize, i: usize) -> Vec<usize> {
    let mut reached = vec![false; proposals.len()];
    let mut out = Vec::new();
    if let Some(r) = reached.get_mut(j) {
        *r = true;
    }
    for (k, p) in proposals.iter().enumerate().skip(j + 1) {
        let inherits = !p.stated.get(i).copied().unwrap_or(true);
        if inherits && p.amends.is_some_and(|a| reached.get(a).copied().unwrap_or(false)) {
            reached[k] = true;
            out.push(k);
        }
    }
    out
}

/// Changes the parts as one setting says (the target and value are already checked).
fn set(parts: &mut detente_core::ScenarioParts, target: Target, value: Value) {
    let number = match value {
        Value::Number(x) | Value::Scale(x) => Some(x),
        _ => None,
    };
    match (target, number) {
        (Target::Reservation(p), Some(x)) => parts.parties[p].reservation = x,
        (Target::Capability(p), Some(x)) => parts.parties[p].capability = x,
        (Target::Bias(p), Some(x)) => parts.parties[p].bias = x,
        (Target::Discount(p), Some(x)) => parts.parties[p].discount = Some(x),
        (Target::Weight(p, i), Some(x)) => {
            if let Some(st) = stance(parts, p, i) {
                st.weight = x;
            }
        }
        (Target::Ideal(p, i), Some(x)) => {
            if let Some(st) = stance(parts, p, i)
                && let Preference::Ideal { ideal, .. } = &mut st.preference
            {
                *ideal = x;
            }
        }
        (Target::Tolerance(p, i), Some(x)) => {
            if let Some(st) = stance(parts, p, i)
                && let Preference::Ideal { tolerance, .. } = &mut st.preference
            {
                *tolerance = x;
            }
        }
        (Target::Value(p, i, k), Some(x)) => {
            if let Some(st) = stance(parts, p, i)
                && let Preference::Values(v) = &mut st.preference
                && let Some(v) = v.get_mut(k)
            {
                *v = x;
            }
        }
        (Target::RedLines(p, i), _) => {
            if let Some(st) = stance(parts, p, i) {
                st.red_lines.clear();
            }
            // A doubt on a red line that is gone goes with it.
            parts.uncertainty.doubts.retain(|d| (d.red_line.party, d.red_line.issue) != (p, i));
        }
        (Target::Term(j, i), _) => {
            let Value::Term { term, .. } = value else { return };
            let inheritors = inheritors(&parts.proposals, j, i);
            for k in std::iter::once(j).chain(inheritors) {
                if let Some(t) = parts.proposals[k].terms.get_mut(i) {
                    *t = term;
                }
            }
            if let Some(stated) = parts.proposals[j].stated.get_mut(i) {
                *stated = true;
            }
        }
        _ => {}
    }
}

/// Party `p`'s stance on issue `i` in the parts, if any.
fn stance(
    parts: &mut detente_core::ScenarioParts,
    p: usize,
    i: usize,
) -> Option<&mut detente_core::Stance> {
    parts.stances.get_mut(p).and_then(|row| row.get_mut(i)).and_then(Option::as_mut)
}

/// The thing's name: ids and field joined by `.`.
fn canonical(s: &Scenario, target: Target) -> String {
    let party = |p: usize| s.parties()[p].id.as_str();
    let issue = |i: usize| s.issues()[i].id.as_str();
    match target {
        Target::Reservation(p) => format!("{}.reservation", party(p)),
        Target::Capability(p) => format!("{}.capability", party(p)),
        Target::Bias(p) => format!("{}.bias", party(p)),
        Target::Discount(p) => format!("{}.discount", party(p)),
        Target::Weight(p, i) => format!("{}.{}.weight", party(p), issue(i)),
        Target::Ideal(p, i) => format!("{}.{}.ideal", party(p), issue(i)),
        Target::Tolerance(p, i) => format!("{}.{}.tolerance", party(p), issue(i)),
        Target::Value(p, i, k) => {
            format!("{}.{}.{}", party(p), issue(i), s.issues()[i].option_id(k))
        }
        Target::Term(j, i) => format!("{}.{}", s.proposals()[j].id, issue(i)),
        Target::RedLines(p, i) => format!("{}.{}.{RED_LINES}", party(p), issue(i)),
    }
}

/// The thing's value in the scenario as loaded.
fn old_value(s: &Scenario, target: Target) -> Value {
    let pref = |p: usize, i: usize| s.stance(p, i).map(|st| &st.preference);
    match target {
        Target::Reservation(p) => Value::Number(s.parties()[p].reservation),
        Target::Capability(p) => Value::Number(s.parties()[p].capability),
        Target::Bias(p) => Value::Number(s.parties()[p].bias),
        Target::Discount(p) => s.parties()[p].discount.map_or(Value::Absent, Value::Number),
        Target::Weight(p, i) => s.stance(p, i).map_or(Value::Absent, |st| Value::Number(st.weight)),
        Target::Ideal(p, i) => match pref(p, i) {
            Some(Preference::Ideal { ideal, .. }) => Value::Scale(*ideal),
            _ => Value::Absent,
        },
        Target::Tolerance(p, i) => match pref(p, i) {
            Some(Preference::Ideal { tolerance, .. }) => Value::Scale(*tolerance),
            _ => Value::Absent,
        },
        Target::Value(p, i, k) => match pref(p, i) {
            Some(Preference::Values(v)) => v.get(k).map_or(Value::Absent, |&x| Value::Number(x)),
            _ => Value::Absent,
        },
        Target::Term(j, i) => Value::Term { issue: i, term: s.proposals()[j].terms[i] },
        Target::RedLines(p, i) => {
            Value::RedLines(s.stance(p, i).map_or(0, |st| st.red_lines.len()))
        }
    }
}

type Miss = (ProblemKind, String);

/// The new value of a resolved target, read and checked like the file's.
fn new_value(ix: &mut Index<'_>, target: Target, setting: &Setting) -> Result<Value, Miss> {
    let s = ix.s;
    let text = setting.value.as_str();
    let raw = s.meta().utility == UtilityForm::Raw;
    let value_range = if raw { Range::Any } else { Range::Unit };
    let number = |range: Range| -> Result<f64, Miss> {
        let x: f64 = text.parse().map_err(|_| {
            (
                ProblemKind::WrongType,
                format!("must be a number{}, found {}", range.describe(), quote(text)),
            )
        })?;
        match number_problem(x, text, range) {
            Some(problem) => Err(problem),
            None => Ok(x),
        }
    };
    match target {
        Target::Reservation(_) => number(value_range).map(Value::Number),
        Target::Capability(_) => number(Range::NonNegative).map(Value::Number),
        Target::Discount(_) => number(Range::Discount).map(Value::Number),
        Target::Bias(_) if !raw => Err((
            ProblemKind::Conflict,
            format!("a bias needs raw utilities, and scenario {}'s are normalised", s.meta().name),
        )),
        Target::Bias(_) => number(Range::Any).map(Value::Number),
        Target::Weight(..) => number(Range::Weight).map(Value::Number),
        Target::Value(..) => number(value_range).map(Value::Number),
        Target::Tolerance(..) => number(Range::Positive).map(Value::Scale),
        Target::Ideal(_, i) => match &s.issues()[i].kind {
            IssueKind::Scale { min, max, .. } => {
                let x = number(Range::Within(*min, *max)).map_err(|(kind, message)| {
                    (kind, format!("{message} (the scale of issue {})", s.issues()[i].id))
                })?;
                Ok(Value::Scale(x))
            }
            IssueKind::Discrete { .. } => Err((ProblemKind::Internal, "not a scale".to_string())),
        },
        Target::Term(_, i) => term(ix, i, text).map(|term| Value::Term { issue: i, term }),
        Target::RedLines(p, i) => {
            if text != NONE {
                return Err((
                    ProblemKind::WrongType,
                    format!(
                        "red lines can only be dropped: {RED_LINES}={NONE} (to change one, edit the file), found {}",
                        quote(text)
                    ),
                ));
            }
            if s.stance(p, i).is_none_or(|st| st.red_lines.is_empty()) {
                return Err((
                    ProblemKind::UnknownReference,
                    format!(
                        "party {} has no red line on issue {} to drop",
                        s.parties()[p].id,
                        s.issues()[i].id
                    ),
                ));
            }
            Ok(Value::RedLines(0))
        }
    }
}

/// A term on issue `i`: an option id, a grid value, or `open` (an option named `open`
/// wins over the open term).
fn term(ix: &mut Index<'_>, i: usize, text: &str) -> Result<Term, Miss> {
    let issue = &ix.s.issues()[i];
    match &issue.kind {
        IssueKind::Discrete { options } => {
            if let Some(k) = ix.option(i, text) {
                return Ok(Term::Set(k));
            }
            if text == OPEN {
                return Ok(Term::Open);
            }
            let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
            Err((
                ProblemKind::UnknownReference,
                format!(
                    "{}, or \"open\"",
                    unknown("option", text, &format!(" of issue {}", issue.id), &ids, "options")
                ),
            ))
        }
        IssueKind::Scale { min, max, .. } => {
            if text == OPEN {
                return Ok(Term::Open);
            }
            let Ok(x) = text.parse::<f64>() else {
                return Err((
                    ProblemKind::WrongType,
                    format!(
                        "must be a grid value of issue {} ({} to {}) or \"open\", found {}",
                        issue.id,
                        format_number(*min),
                        format_number(*max),
                        quote(text)
                    ),
                ));
            };
            if !x.is_finite() {
                return Err((
                    ProblemKind::NotFinite,
                    format!("must be a finite number, found {}", number_text(text)),
                ));
            }
            scale_term(issue, x, &number_text(text))
                .map(Term::Set)
                .map_err(|message| (ProblemKind::Term, message))
        }
    }
}

/// `unknown {what} "{found}"{of} (did you mean "x"?; {list}: a, b, c)`: the nearest id when
/// one is close, and the valid ids when there are at most ten, else the five nearest.
fn unknown(what: &str, found: &str, of: &str, known: &[&str], list: &str) -> String {
    let mut notes = Vec::new();
    if let Some(close) = suggest(found, known) {
        notes.push(format!("did you mean {}?", quote(close)));
    }
    if known.len() <= 10 {
        notes.push(format!("{list}: {}", listing(known.iter().copied())));
    } else {
        let mut near: Vec<(usize, &str)> = known.iter().map(|k| (distance(found, k), *k)).collect();
        near.sort();
        let near: Vec<&str> = near.iter().take(5).map(|(_, k)| *k).collect();
        notes.push(format!("nearest {list}: {}", near.join(", ")));
    }
    format!("unknown {what} {}{of} ({})", quote(found), notes.join("; "))
}

/// The readings of a path: the targets it names, and the best explanation when it names none.
#[derive(Default)]
struct Reading {
    found: Vec<Target>,
    /// How far the best failed reading got, and why it failed.
    miss: Option<(usize, ProblemKind, String)>,
}

impl Reading {
    fn miss(&mut self, depth: usize, kind: ProblemKind, message: String) {
        if self.miss.as_ref().is_none_or(|(d, _, _)| depth > *d) {
            self.miss = Some((depth, kind, message));
        }
    }
}

/// `rest` when `path` is `id.rest`.
fn after<'a>(path: &'a str, id: &str) -> Option<&'a str> {
    path.strip_prefix(id)?.strip_prefix('.')
}

/// Ids by name. Ids may hold dots, so a path's head is looked up at each length an id has:
/// reading a path takes time bounded by its length and the ids' total length, not by the
/// number of parties, issues or options times the number of settings.
struct Ids<'s> {
    by_id: HashMap<&'s str, usize>,
    /// The lengths ids have, increasing.
    lengths: Vec<usize>,
}

impl<'s> Ids<'s> {
    fn new(ids: impl Iterator<Item = &'s str>) -> Ids<'s> {
        let mut by_id = HashMap::new();
        let mut lengths = Vec::new();
        for (n, id) in ids.enumerate() {
            by_id.entry(id).or_insert(n);
            lengths.push(id.len());
        }
        lengths.sort_unstable();
        lengths.dedup();
        Ids { by_id, lengths }
    }

    fn get(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Every `(index, rest)` with `path` = `id.rest`, shortest id first.
    fn heads<'p>(&self, path: &'p str) -> Vec<(usize, &'p str)> {
        self.lengths
            .iter()
            .take_while(|&&l| l < path.len())
            .filter_map(|&l| {
                let rest = path.get(l..)?.strip_prefix('.')?;
                Some((self.get(path.get(..l)?)?, rest))
            })
            .collect()
    }
}

/// The scenario's ids, indexed once for every setting (options of an issue when first needed).
struct Index<'s> {
    s: &'s Scenario,
    parties: Ids<'s>,
    proposals: Ids<'s>,
    issues: Ids<'s>,
    options: HashMap<usize, Ids<'s>>,
}

impl<'s> Index<'s> {
    fn new(s: &'s Scenario) -> Index<'s> {
        Index {
            s,
            parties: Ids::new(s.parties().iter().map(|p| p.id.as_str())),
            proposals: Ids::new(s.proposals().iter().map(|p| p.id.as_str())),
            issues: Ids::new(s.issues().iter().map(|i| i.id.as_str())),
            options: HashMap::new(),
        }
    }

    /// The index of option `id` of discrete issue `i`.
    fn option(&mut self, i: usize, id: &str) -> Option<usize> {
        let s = self.s;
        self.options
            .entry(i)
            .or_insert_with(|| {
                let options = match &s.issues()[i].kind {
                    IssueKind::Discrete { options } => options.as_slice(),
                    IssueKind::Scale { .. } => &[],
                };
                Ids::new(options.iter().map(|o| o.id.as_str()))
            })
            .get(id)
    }
}

/// What a path names in the scenario.
fn resolve(ix: &mut Index<'_>, path: &str) -> Result<Target, Miss> {
    let s = ix.s;
    let mut r = Reading::default();
    for (p, rest) in ix.parties.heads(path) {
        party_rest(ix, p, rest, &mut r);
    }
    for (j, rest) in ix.proposals.heads(path) {
        let proposal = &s.proposals()[j];
        {
            match ix.issues.get(rest) {
                Some(i) => r.found.push(Target::Term(j, i)),
                None => match ix.issues.heads(rest).first().map(|&(i, _)| &s.issues()[i].id) {
                    Some(id) => r.miss(
                        2,
                        ProblemKind::UnknownField,
                        format!(
                            "a proposal's term is set as PROPOSAL.ISSUE=TERM, found {} after issue {id} of proposal {}",
                            quote(after(rest, id).unwrap_or_default()),
                            proposal.id
                        ),
                    ),
                    None => {
                        let issues: Vec<&str> = s.issues().iter().map(|i| i.id.as_str()).collect();
                        r.miss(
                            1,
                            ProblemKind::UnknownReference,
                            unknown(
                                "issue",
                                rest,
                                &format!(" of proposal {}", proposal.id),
                                &issues,
                                "issues",
                            ),
                        )
                    }
                },
            }
        }
    }
    match r.found.as_slice() {
        [one] => return Ok(*one),
        [] => {}
        many => {
            let readings: Vec<String> = many.iter().map(|&t| describe(s, t)).collect();
            return Err((
                ProblemKind::Conflict,
                format!("is ambiguous: it names {} (ids with dots)", readings.join(" and ")),
            ));
        }
    }
    if let Some((_, kind, message)) = r.miss {
        return Err((kind, message));
    }
    let head = path.split('.').next().unwrap_or(path);
    let mut ids: Vec<&str> = s.parties().iter().map(|p| p.id.as_str()).collect();
    ids.extend(s.proposals().iter().map(|p| p.id.as_str()));
    let shapes = "PARTY.FIELD, PARTY.ISSUE.FIELD, PARTY.ISSUE.OPTION or PROPOSAL.ISSUE";
    if !path.contains('.') {
        return Err((
            ProblemKind::UnknownField,
            format!("a path is {shapes}, found {} with no \".\"", quote(path)),
        ));
    }
    if ix.parties.get(head).is_some() || ix.proposals.get(head).is_some() {
        // `PARTY.` or `PROPOSAL.` with nothing after it.
        return Err((
            ProblemKind::UnknownField,
            format!("a path is {shapes}, found nothing after {}", quote(head)),
        ));
    }
    Err((
        ProblemKind::UnknownReference,
        unknown("party or proposal", head, "", &ids, "parties and proposals"),
    ))
}

/// The readings of `rest` after party `p`.
fn party_rest(ix: &mut Index<'_>, p: usize, rest: &str, r: &mut Reading) {
    let s = ix.s;
    let party = &s.parties()[p];
    match rest {
        "reservation" => return r.found.push(Target::Reservation(p)),
        "capability" => return r.found.push(Target::Capability(p)),
        "bias" => return r.found.push(Target::Bias(p)),
        "discount" => return r.found.push(Target::Discount(p)),
        _ => {}
    }
    let heads = ix.issues.heads(rest);
    let matched = !heads.is_empty();
    for (i, field) in heads {
        let issue = &s.issues()[i];
        let target = match (field, &issue.kind) {
            ("weight", _) => Target::Weight(p, i),
            (RED_LINES, IssueKind::Scale { .. }) => Target::RedLines(p, i),
            ("ideal", IssueKind::Scale { .. }) => Target::Ideal(p, i),
            ("tolerance", IssueKind::Scale { .. }) => Target::Tolerance(p, i),
            (_, IssueKind::Discrete { options }) => match ix.option(i, field) {
                Some(k) => Target::Value(p, i, k),
                // An option named `red_lines` is that option.
                None if field == RED_LINES => Target::RedLines(p, i),
                None if STANCE_FIELDS.contains(&field) => {
                    r.miss(
                            3,
                            ProblemKind::PreferenceMismatch,
                            format!(
                                "issue {} has options, not a scale: set the value of an option ({}.{}.OPTION=X) or the weight",
                                issue.id, party.id, issue.id
                            ),
                        );
                    continue;
                }
                None => {
                    let mut known: Vec<&str> = vec!["weight", RED_LINES];
                    known.extend(options.iter().map(|o| o.id.as_str()));
                    r.miss(
                        2,
                        ProblemKind::UnknownReference,
                        unknown(
                            "field or option",
                            field,
                            &format!(" of issue {}", issue.id),
                            &known,
                            "fields and options",
                        ),
                    );
                    continue;
                }
            },
            (_, IssueKind::Scale { .. }) => {
                r.miss(
                    2,
                    ProblemKind::UnknownField,
                    unknown(
                        "field",
                        field,
                        &format!(" of scale issue {} (it has no options)", issue.id),
                        STANCE_FIELDS,
                        "fields",
                    ),
                );
                continue;
            }
        };
        if s.stance(p, i).is_none() {
            r.miss(
                3,
                ProblemKind::UnknownReference,
                format!(
                    "party {} has no stance on issue {}, so no weight, ideal or values there to change (a what-if does not create a stance: add one to the file)",
                    party.id, issue.id
                ),
            );
            continue;
        }
        r.found.push(target);
    }
    if matched {
        return;
    }
    let issues: Vec<&str> = s.issues().iter().map(|i| i.id.as_str()).collect();
    if ix.issues.get(rest).is_some() {
        return r.miss(
            2,
            ProblemKind::UnknownField,
            format!(
                "names issue {rest} of party {} but no field: write {}.{rest}.weight, .ideal and .tolerance (scales), or .OPTION (the value of an option)",
                party.id, party.id
            ),
        );
    }
    match rest.split_once('.') {
        // `PARTY.X`: a party field, or an issue without its field.
        None => {
            let mut known: Vec<&str> = PARTY_FIELDS.to_vec();
            known.extend(&issues);
            let close = suggest(rest, &known).map(|c| format!("did you mean {}?; ", quote(c)));
            r.miss(
                1,
                ProblemKind::UnknownReference,
                format!(
                    "unknown field {} of party {} ({}a party's fields: {}; its stances: {}.ISSUE.weight, .ideal, .tolerance or .OPTION)",
                    quote(rest),
                    party.id,
                    close.unwrap_or_default(),
                    PARTY_FIELDS.join(", "),
                    party.id
                ),
            );
        }
        Some((head, _)) => {
            r.miss(1, ProblemKind::UnknownReference, unknown("issue", head, "", &issues, "issues"));
        }
    }
}

/// A target in words, for the ambiguity message.
fn describe(s: &Scenario, target: Target) -> String {
    match target {
        Target::Term(j, i) => {
            format!("the term of proposal {} on issue {}", s.proposals()[j].id, s.issues()[i].id)
        }
        _ => format!("{} of a party", quote(&canonical(s, target))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipped;

    fn tutorial() -> Scenario {
        shipped::load("tutorial").unwrap().unwrap()
    }

    fn ukraine() -> Scenario {
        shipped::load("ukraine-2025").unwrap().unwrap()
    }

    #[test]
    fn a_setting_replaces_a_stated_range_as_the_number_alone_would() {
        // The tutorial states ranges for Upland's reservation (0.35 to 0.5) and its value of
        // a joint board; setting the reservation outside its range is allowed and drops it.
        let s = tutorial();
        let reservation = Estimate::Reservation { party: 0 };
        assert!(s.uncertainty().stated(reservation).is_some());
        let n = s.uncertainty().ranges.len();
        let changed = apply(s, &settings(&["upland.reservation=0.95"]).unwrap()).unwrap();
        let s = changed.scenario;
        assert_eq!(s.parties()[0].reservation, 0.95);
        assert_eq!(s.uncertainty().stated(reservation), None);
        assert_eq!(s.uncertainty().ranges.len(), n - 1);
        // Its range now comes from the grade, around the new number.
        let r = s.estimate_range(reservation);
        assert_eq!(r.origin, detente_core::Origin::Grade(detente_core::Grade::C));
        assert!(r.spread.low() < 0.95 && r.spread.high() == 1.0);
        // A bias, a discount or a term drops nothing.
        let changed = apply(tutorial(), &settings(&["commission-draft.dam=upland-only"]).unwrap());
        assert_eq!(changed.unwrap().scenario.uncertainty().ranges.len(), n);
    }

    fn run(s: Scenario, texts: &[&str]) -> Result<WhatIf, Error> {
        apply(s, &settings(texts)?)
    }

    fn err(s: Scenario, texts: &[&str]) -> Vec<String> {
        run(s, texts).unwrap_err().problems().iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn parses_path_and_value_at_the_first_equals() {
        let s = Setting::parse("us-28.TER-03=a=b").unwrap();
        assert_eq!((s.path(), s.value(), s.text()), ("us-28.TER-03", "a=b", "us-28.TER-03=a=b"));
        let e = settings(&["russia.reservation", "=1", "x="]).unwrap_err();
        let lines: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lines,
            [
                "--set russia.reservation: must be PATH=VALUE (e.g. russia.reservation=0.5), found no \"=\" in \"russia.reservation\"",
                "--set =1: must be PATH=VALUE (e.g. russia.reservation=0.5), found an empty path",
                "--set x=: must be PATH=VALUE (e.g. russia.reservation=0.5), found an empty value",
            ]
        );
        assert_eq!(e.problems()[0].line, 0);
    }

    #[test]
    fn each_kind_of_setting_changes_what_it_names() {
        let w = run(
            ukraine(),
            &[
                "russia.reservation=0.5",
                "russia.capability=3",
                "russia.discount=0.9",
                "russia.SEC-01.weight=2",
                "russia.SEC-03.ideal=300000",
                "russia.SEC-03.tolerance=100000",
                "russia.TER-03.mirrored-pullback=0.25",
                "us-ua-20.TER-03=unilateral-withdrawal",
                "us-28.SEC-03=open",
            ],
        )
        .unwrap();
        let s = &w.scenario;
        let (ru, sec01, sec03, ter03) = (0, 7, 9, 2);
        assert_eq!(s.parties()[ru].reservation, 0.5);
        assert_eq!(s.parties()[ru].capability, 3.0);
        assert_eq!(s.parties()[ru].discount, Some(0.9));
        assert_eq!(s.stance(ru, sec01).unwrap().weight, 2.0);
        assert_eq!(
            s.stance(ru, sec03).unwrap().preference,
            Preference::Ideal { ideal: 300000.0, tolerance: 100000.0 }
        );
        let k = s.issues()[ter03].option_index("mirrored-pullback").unwrap();
        assert_eq!(s.value(ru, ter03, k), 0.25);
        let j = s.proposal_index("us-ua-20").unwrap();
        let k = s.issues()[ter03].option_index("unilateral-withdrawal").unwrap();
        assert_eq!(s.proposals()[j].terms[ter03], Term::Set(k));
        assert_eq!(s.proposals()[0].terms[sec03], Term::Open);
        assert_eq!(w.changes.len(), 9);
        assert_eq!(w.changes[0].path, "russia.reservation");
        assert_eq!(w.changes[0].from, Value::Number(0.6));
        assert_eq!(w.changes[0].to, Value::Number(0.5));
        assert_eq!(w.changes[2].from, Value::Absent);
        assert_eq!(w.changes[4].from, Value::Scale(100000.0));
        assert_eq!(w.changes[8].path, "us-28.SEC-03");
        assert_eq!(w.changes[8].to, Value::Term { issue: sec03, term: Term::Open });
    }

    #[test]
    fn a_later_setting_on_the_same_thing_wins_and_the_change_is_the_net_one() {
        let w = run(
            tutorial(),
            &["lowland.reservation=0.5", "upland.reservation=0.4", "lowland.reservation=0.2"],
        )
        .unwrap();
        assert_eq!(w.scenario.parties()[1].reservation, 0.2);
        assert_eq!(w.changes.len(), 2);
        assert_eq!(w.changes[0].path, "lowland.reservation");
        assert_eq!((w.changes[0].from, w.changes[0].to), (Value::Number(0.35), Value::Number(0.2)));
        assert_eq!(w.changes[1].path, "upland.reservation");
    }

    #[test]
    fn a_term_is_inherited_by_the_amendments_that_do_not_state_it() {
        // lowland-markup amends commission-draft and states share, monitoring and
        // compensation, not dam.
        let s = tutorial();
        let dam = s.issue_index("dam").unwrap();
        let share = s.issue_index("share").unwrap();
        let w = run(s, &["commission-draft.dam=upland-only", "commission-draft.share=40"]).unwrap();
        let k = w.scenario.issues()[dam].option_index("upland-only").unwrap();
        assert_eq!(w.scenario.proposals()[0].terms[dam], Term::Set(k));
        assert_eq!(w.scenario.proposals()[1].terms[dam], Term::Set(k));
        assert_eq!(w.changes[0].inherited_by, [1]);
        assert_eq!(w.scenario.proposals()[0].terms[share], Term::Set(4));
        // The markup states its own share (50): it keeps it.
        assert_eq!(w.scenario.proposals()[1].terms[share], Term::Set(6));
        assert!(w.changes[1].inherited_by.is_empty());
        // Set on the markup itself, the term stays there.
        let w = run(tutorial(), &["lowland-markup.dam=open"]).unwrap();
        assert_eq!(w.scenario.proposals()[1].terms[dam], Term::Open);
        assert_eq!(w.scenario.proposals()[0].terms[dam], Term::Set(1));
        assert_eq!(w.changes[0].from, Value::Term { issue: dam, term: Term::Set(1) });
    }

    #[test]
    fn unknown_ids_are_named_with_suggestions() {
        assert_eq!(
            err(ukraine(), &["rusia.reservation=0.5"]),
            [
                "--set rusia.reservation=0.5: unknown party or proposal \"rusia\" (did you mean \"russia\"?; parties and proposals: russia, ukraine, us, europe, us-28, e3-markup, us-ua-20)"
            ]
        );
        assert_eq!(
            err(ukraine(), &["russia.reservaton=0.5"]),
            [
                "--set russia.reservaton=0.5: unknown field \"reservaton\" of party russia (did you mean \"reservation\"?; a party's fields: reservation, capability, bias, discount; its stances: russia.ISSUE.weight, .ideal, .tolerance or .OPTION)"
            ]
        );
        assert_eq!(
            err(ukraine(), &["russia.SEC-1.weight=2"]),
            [
                "--set russia.SEC-1.weight=2: unknown issue \"SEC-1\" (did you mean \"SEC-01\"?; nearest issues: SEC-01, SEC-02, SEC-03, SEC-04, SEC-05)"
            ]
        );
        assert_eq!(
            err(ukraine(), &["us-ua-20.TER-03=mirrored-pulback"]),
            [
                "--set us-ua-20.TER-03=mirrored-pulback: unknown option \"mirrored-pulback\" of issue TER-03 (did you mean \"mirrored-pullback\"?; options: unilateral-withdrawal, mirrored-pullback, contact-line), or \"open\""
            ]
        );
        assert_eq!(
            err(ukraine(), &["us-ua-2.TER-03=open"]),
            [
                "--set us-ua-2.TER-03=open: unknown party or proposal \"us-ua-2\" (did you mean \"us-ua-20\"?; parties and proposals: russia, ukraine, us, europe, us-28, e3-markup, us-ua-20)"
            ]
        );
        assert_eq!(
            err(tutorial(), &["upland.dam.wieght=1"]),
            [
                "--set upland.dam.wieght=1: unknown field or option \"wieght\" of issue dam (did you mean \"weight\"?; fields and options: weight, red_lines, upland-only, joint-board, commission-run)"
            ]
        );
        assert_eq!(
            err(
                tutorial(),
                &["upland.dam=1", "upland=1", "upland.=1", "commission-draft.dma=open"]
            ),
            [
                "--set upland.dam=1: names issue dam of party upland but no field: write upland.dam.weight, .ideal and .tolerance (scales), or .OPTION (the value of an option)",
                "--set upland=1: a path is PARTY.FIELD, PARTY.ISSUE.FIELD, PARTY.ISSUE.OPTION or PROPOSAL.ISSUE, found \"upland\" with no \".\"",
                "--set upland.=1: unknown field \"\" of party upland (a party's fields: reservation, capability, bias, discount; its stances: upland.ISSUE.weight, .ideal, .tolerance or .OPTION)",
                "--set commission-draft.dma=open: unknown issue \"dma\" of proposal commission-draft (issues: share, dam, monitoring, compensation)",
            ]
        );
        let e = run(tutorial(), &["upland.dam.wieght=1"]).unwrap_err();
        assert_eq!(e.problems()[0].kind, ProblemKind::UnknownReference);
        assert_eq!(e.problems()[0].path, "upland.dam.wieght");
        assert_eq!(e.problems()[0].file, "--set upland.dam.wieght=1");
    }

    #[test]
    fn values_are_checked_like_the_file() {
        let lines = err(
            tutorial(),
            &[
                "upland.reservation=1.5",
                "upland.reservation=NaN",
                "upland.capability=-1",
                "upland.share.weight=-2",
                "upland.share.weight=1e-12",
                "upland.share.ideal=90",
                "upland.share.tolerance=0",
                "upland.bias=1",
                "upland.discount=0",
                "upland.dam.joint-board=abc",
                "commission-draft.share=33",
                "commission-draft.share=1e400",
                "commission-draft.share=100",
                "upland.reservation=1e10",
                "upland.capability=2e9",
            ],
        );
        assert_eq!(
            lines,
            [
                "--set upland.reservation=1.5: must be a finite number in [0, 1], found 1.5",
                "--set upland.reservation=NaN: must be a finite number in [0, 1], found NaN",
                "--set upland.capability=-1: must be a finite number >= 0, found -1",
                "--set upland.share.weight=-2: must be a finite number >= 0, found -2",
                "--set upland.share.weight=1e-12: must be 0 or at least 1e-9, found 1e-12 (smaller weights lose precision when the weights are normalised)",
                "--set upland.share.ideal=90: must be a finite number in [20, 80], found 90 (the scale of issue share)",
                "--set upland.share.tolerance=0: must be a finite number > 0, found 0",
                "--set upland.bias=1: a bias needs raw utilities, and scenario tutorial's are normalised",
                "--set upland.discount=0: must be a finite number in (0, 1], found 0",
                "--set upland.dam.joint-board=abc: must be a number in [0, 1], found \"abc\"",
                "--set commission-draft.share=33: must be a grid value of issue share (20 to 80 in steps of 5), found 33; nearest: 30, 35",
                "--set commission-draft.share=1e400: must be a finite number, found 1e400",
                "--set commission-draft.share=100: must be on the scale of issue share [20, 80], found 100",
                "--set upland.reservation=1e10: must be a finite number in [0, 1], found 1e10",
                "--set upland.capability=2e9: must be at most 1e9 in magnitude, found 2e9 (larger numbers make utilities overflow or lose precision)",
            ]
        );
        let e = run(tutorial(), &["upland.reservation=NaN"]).unwrap_err();
        assert_eq!(e.problems()[0].kind, ProblemKind::NotFinite);
        assert_eq!(e.problems()[0].path, "upland.reservation");
    }

    #[test]
    fn kind_mismatches_missing_stances_and_zero_weights_are_refused() {
        assert_eq!(
            err(tutorial(), &["commission.share.weight=1"]),
            [
                "--set commission.share.weight=1: party commission has no stance on issue share, so no weight, ideal or values there to change (a what-if does not create a stance: add one to the file)"
            ]
        );
        assert_eq!(
            err(tutorial(), &["upland.dam.ideal=1"]),
            [
                "--set upland.dam.ideal=1: issue dam has options, not a scale: set the value of an option (upland.dam.OPTION=X) or the weight"
            ]
        );
        assert_eq!(
            err(tutorial(), &["upland.share.joint-board=1"]),
            [
                "--set upland.share.joint-board=1: unknown field \"joint-board\" of scale issue share (it has no options) (fields: weight, ideal, tolerance, red_lines)"
            ]
        );
        let zero: Vec<String> =
            tutorial().issues().iter().map(|i| format!("upland.{}.weight=0", i.id)).collect();
        let lines = err(tutorial(), &zero.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            lines,
            [
                "--set upland.compensation.weight=0: leaves party upland with every weight 0 (it would be indifferent to everything); a party with stances needs a positive weight"
            ]
        );
        // A weight set to 0 then back is fine: the last setting wins.
        let mut back = zero.clone();
        back.push("upland.dam.weight=1".to_string());
        let w = run(tutorial(), &back.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
        assert_eq!(w.scenario.weight(0, 1), 1.0);
    }

    #[test]
    fn raw_scenarios_take_a_bias_and_any_finite_reservation() {
        let s = tutorial().edit(|p| p.meta.utility = UtilityForm::Raw).unwrap();
        let w = run(s, &["upland.bias=-3", "upland.reservation=12.5", "upland.dam.joint-board=7"])
            .unwrap();
        assert_eq!(w.scenario.parties()[0].bias, -3.0);
        assert_eq!(w.scenario.parties()[0].reservation, 12.5);
        assert_eq!(w.scenario.value(0, 1, 1), 7.0);
    }

    #[test]
    fn malformed_and_bad_settings_are_reported_together_in_order() {
        let e = apply_texts(tutorial(), &["upland.reservation=2", "x", "upland.capability=1"])
            .unwrap_err();
        let files: Vec<&str> = e.problems().iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files, ["--set upland.reservation=2", "--set x"]);
        let w = apply_texts(tutorial(), &["upland.capability=1"]).unwrap();
        assert_eq!(w.scenario.parties()[0].capability, 1.0);
    }

    #[test]
    fn every_problem_is_reported_and_nothing_applies_without_settings() {
        let lines = err(tutorial(), &["x.y=1", "upland.reservation=2", "upland.reservation=0.1"]);
        assert_eq!(lines.len(), 2, "{lines:?}");
        let w = apply(tutorial(), &[]).unwrap();
        assert_eq!(w.scenario, tutorial());
        assert!(w.changes.is_empty());
    }

    #[test]
    fn many_settings_take_linear_time() {
        // 20,000 issues, one setting each, and a setting with a path of 100,000 dots: with a
        // scan of every issue per setting this would be 4e8 comparisons (minutes in a debug
        // build, seconds here).
        const N: usize = 20_000;
        let parties = vec![
            detente_core::Party::new("a", "A", detente_core::Role::Principal, 1.0, 0.0),
            detente_core::Party::new("b", "B", detente_core::Role::Principal, 1.0, 0.0),
        ];
        let issues: Vec<detente_core::Issue> = (0..N)
            .map(|i| detente_core::Issue::discrete(&format!("i{i}"), "I", &["x", "y"]))
            .collect();
        let row = || vec![Some(detente_core::Stance::values(1.0, vec![1.0, 0.0])); N];
        let s = Scenario::new(
            detente_core::Meta::named("wide"),
            parties,
            issues,
            vec![row(), row()],
            vec![],
            vec![],
        )
        .unwrap();
        let texts: Vec<String> = (0..N).map(|i| format!("a.i{i}.y=0.5")).collect();
        let w = apply_texts(s.clone(), &texts).unwrap();
        assert_eq!(w.changes.len(), N);
        assert_eq!(w.scenario.value(0, N - 1, 1), 0.5);
        let dots = format!("a.{}=1", ".".repeat(100_000));
        let e = apply_texts(s, &[dots]).unwrap_err();
        assert!(e.problems()[0].file.len() < 300, "the flag is shown cut short");
    }

    #[test]
    fn ids_with_dots_are_read_against_the_scenario() {
        let s = tutorial()
            .edit(|p| {
                p.parties[0].id = "a.b".to_string();
                p.parties[1].id = "a".to_string();
            })
            .unwrap();
        let w = run(s, &["a.b.reservation=0.1", "a.reservation=0.2"]).unwrap();
        assert_eq!(w.scenario.parties()[0].reservation, 0.1);
        assert_eq!(w.scenario.parties()[1].reservation, 0.2);
        // A proposal named like a party, and an issue named `dam.weight`: two readings.
        let s = tutorial()
            .edit(|p| {
                p.proposals[0].id = "upland".to_string();
                p.issues[2].id = "dam.weight".to_string();
            })
            .unwrap();
        assert_eq!(
            err(s, &["upland.dam.weight=1"]),
            [
                "--set upland.dam.weight=1: is ambiguous: it names \"upland.dam.weight\" of a party and the term of proposal upland on issue dam.weight (ids with dots)"
            ]
        );
    }

    #[test]
    fn a_party_drops_its_red_lines_on_an_issue() {
        let s = ukraine();
        let (p, i) = (s.party_index("russia").unwrap(), s.issue_index("TER-03").unwrap());
        let before = s.stance(p, i).unwrap().red_lines.len();
        assert!(before > 0);
        let changed = apply_texts(s, &["russia.TER-03.red_lines=none"]).unwrap();
        assert!(changed.scenario.stance(p, i).unwrap().red_lines.is_empty());
        assert_eq!(changed.changes[0].path, "russia.TER-03.red_lines");
        assert_eq!(changed.changes[0].from, Value::RedLines(before));
        assert_eq!(changed.changes[0].to, Value::RedLines(0));
        let e = err(ukraine(), &["russia.TER-03.red_lines=some"]).join("\n");
        assert!(e.contains("red lines can only be dropped: red_lines=none"), "{e}");
        let e = err(changed.scenario, &["russia.TER-03.red_lines=none"]).join("\n");
        assert!(e.contains("party russia has no red line on issue TER-03 to drop"), "{e}");
        let e = err(ukraine(), &["russia.TER-03.red_line=none"]).join("\n");
        assert!(e.contains("did you mean \"red_lines\"?"), "{e}");
        // A doubt on a red line dropped goes with it.
        let s = tutorial();
        assert_eq!(s.uncertainty().doubts.len(), 1);
        let changed = apply_texts(s, &["upland.compensation.red_lines=none"]).unwrap();
        assert!(changed.scenario.uncertainty().doubts.is_empty());
    }
}
