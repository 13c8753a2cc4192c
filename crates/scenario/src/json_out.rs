//! Writes a [`Scenario`] as format-v1 JSON: the inverse of reading.
//!
//! # Wire format
//! The keys and nesting of `docs/scenario-format.md`, pretty-printed with a 2-space indent
//! and a trailing newline. Optional fields are left out when absent (`utility` when it is
//! `normalised`, a party's `bias` when it is 0, `discount` when there is none); stances come party by
//! party in issue order; `values` keys follow the issue's option order; a proposal that
//! amends another lists only the terms it states itself (set in `terms`, open in `open`),
//! a proposal that amends nothing lists every term. Whole numbers are written without a
//! fraction (`4`, not `4.0`); other numbers in the shortest form that reads back exactly.
//! An estimate with a stated range is an object `{ "value", "low", "high" }` (with
//! `"dist": "uniform"` when uniform), a doubtful red line has `"holds"` before `"reason"`,
//! and `"uncertainty"` (after `"scenario"`) holds `ungraded` when it is not `"B"` and, per
//! grade, the widths that differ from the defaults; it is left out when there is nothing.
//!
//! # Example
//! ```text
//! {
//!   "version": 1,
//!   "scenario": {
//!     "name": "toy",
//!     "title": "toy"
//!   },
//!   ...
//! ```

use std::collections::HashMap;

use detente_core::{
    Estimate, Evidence, Grade, Issue, IssueKind, Party, Preference, RedLine, RedLineKind,
    RedLineRef, Scenario, Spread, Term, UtilityForm, Widths,
};

/// Whether a party's bias is written: when it is not 0 (or is -0, so that raw utilities
/// keep their last bit), and only for raw utilities, where a bias is allowed.
pub(crate) fn writes_bias(sc: &Scenario, p: &Party) -> bool {
    sc.meta().utility == UtilityForm::Raw && (p.bias != 0.0 || p.bias.is_sign_negative())
}

/// The uncertainty a writer puts beside the numbers: each stated range by its estimate and
/// each doubt by its red line, found in constant time (so writing stays linear).
pub(crate) struct Stated {
    ranges: HashMap<Estimate, Spread>,
    doubts: HashMap<RedLineRef, f64>,
}

impl Stated {
    pub(crate) fn new(sc: &Scenario) -> Stated {
        let u = sc.uncertainty();
        Stated {
            ranges: u.ranges.iter().map(|r| (r.estimate, r.spread)).collect(),
            doubts: u.doubts.iter().map(|d| (d.red_line, d.holds)).collect(),
        }
    }

    /// The range stated for `e`, if any.
    pub(crate) fn range(&self, e: Estimate) -> Option<Spread> {
        self.ranges.get(&e).copied()
    }

    /// The probability that a red line holds, when the file doubts it.
    pub(crate) fn holds(&self, party: usize, issue: usize, index: usize) -> Option<f64> {
        self.doubts.get(&RedLineRef { party, issue, index }).copied()
    }
}

/// A grade's name and the widths written for it (`("A", [("weight", 0.2)])`).
pub(crate) type GradeWidths = (&'static str, Vec<(&'static str, f64)>);

/// What `[uncertainty]` says, when it says anything: `ungraded` when it is not `B` (`"none"`
/// for no grade), and per grade the widths that differ from the defaults (compared bit for
/// bit, so that every number reads back exactly).
pub(crate) fn uncertainty_fields(sc: &Scenario) -> (Option<&'static str>, Vec<GradeWidths>) {
    let u = sc.uncertainty();
    let ungraded = match u.ungraded {
        Some(Grade::B) => None,
        Some(g) => Some(g.as_str()),
        None => Some("none"),
    };
    let mut grades = Vec::new();
    for g in [Grade::A, Grade::B, Grade::C] {
        let (w, d) = (u.widths_of(g), Widths::default_for(g));
        let fields: Vec<(&'static str, f64)> = [
            ("weight", w.weight, d.weight),
            ("value", w.value, d.value),
            ("ideal", w.ideal, d.ideal),
            ("tolerance", w.tolerance, d.tolerance),
            ("reservation", w.reservation, d.reservation),
            ("capability", w.capability, d.capability),
        ]
        .into_iter()
        .filter(|(_, x, default)| x.to_bits() != default.to_bits())
        .map(|(k, x, _)| (k, x))
        .collect();
        if !fields.is_empty() {
            grades.push((g.as_str(), fields));
        }
    }
    (ungraded, grades)
}

/// A JSON value to print.
enum J {
    Obj(Vec<(&'static str, J)>),
    Map(Vec<(String, J)>),
    Arr(Vec<J>),
    Str(String),
    Num(f64),
}

fn s(x: &str) -> J {
    J::Str(x.to_string())
}

/// An estimate: its number, or `{ "value", "low", "high" }` (and `"dist": "uniform"`) when a
/// range is stated.
fn estimate(x: f64, range: Option<Spread>) -> J {
    let Some(sp) = range else { return J::Num(x) };
    let mut f = vec![("value", J::Num(x)), ("low", J::Num(sp.low())), ("high", J::Num(sp.high()))];
    if let Spread::Uniform { .. } = sp {
        f.push(("dist", s(sp.name())));
    }
    J::Obj(f)
}

/// Pushes `key: value` when the value is present.
fn opt(fields: &mut Vec<(&'static str, J)>, key: &'static str, value: Option<&String>) {
    if let Some(v) = value {
        fields.push((key, s(v)));
    }
}

/// A stance's red lines (`holds`: each one's stated doubt).
/// `"aliases": [...]`, when there are any.
fn aliases(fields: &mut Vec<(&'static str, J)>, list: &[String]) {
    if !list.is_empty() {
        fields.push(("aliases", J::Arr(list.iter().map(|a| s(a)).collect())));
    }
}

fn red_lines(issue: &Issue, lines: &[RedLine], holds: impl Fn(usize) -> Option<f64>) -> J {
    let lines = lines
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let mut rf = Vec::new();
            let names =
                |o: &[usize]| J::Arr(o.iter().map(|&k| J::Str(issue.option_id(k))).collect());
            match &r.kind {
                RedLineKind::Forbid(o) => rf.push(("forbid", names(o))),
                RedLineKind::Require(o) => rf.push(("require", names(o))),
                RedLineKind::Bounds { min, max } => {
                    if let Some(m) = min {
                        rf.push(("min", J::Num(*m)));
                    }
                    if let Some(m) = max {
                        rf.push(("max", J::Num(*m)));
                    }
                }
            }
            if let Some(h) = holds(index) {
                rf.push(("holds", J::Num(h)));
            }
            opt(&mut rf, "reason", r.reason.as_ref());
            J::Obj(rf)
        })
        .collect();
    J::Arr(lines)
}

/// Evidence as `[{ source, note }]`.
fn evidence(sc: &Scenario, ev: &[Evidence]) -> J {
    J::Arr(
        ev.iter()
            .map(|e| {
                let id = sc.sources().get(e.source).map_or("", |x| x.id.as_str());
                let mut ef = vec![("source", s(id))];
                opt(&mut ef, "note", e.note.as_ref());
                J::Obj(ef)
            })
            .collect(),
    )
}

/// The dated record, when there is one: `revisions`, then `events`.
fn history(top: &mut Vec<(&'static str, J)>, sc: &Scenario) {
    let h = sc.history();
    if !h.revisions.is_empty() {
        let revisions = h
            .revisions
            .iter()
            .map(|r| {
                let mut f = vec![("party", s(&sc.parties()[r.party].id))];
                let issue = r.issue.and_then(|i| sc.issues().get(i));
                if let Some(issue) = issue {
                    f.push(("issue", s(&issue.id)));
                }
                f.push(("date", s(&r.date)));
                if let Some(w) = r.weight {
                    f.push(("weight", J::Num(w)));
                }
                match (&r.preference, issue) {
                    (Some(Preference::Values(v)), Some(issue)) => {
                        let map = v
                            .iter()
                            .enumerate()
                            .map(|(k, x)| (issue.option_id(k), J::Num(*x)))
                            .collect();
                        f.push(("values", J::Map(map)));
                    }
                    (Some(Preference::Ideal { ideal, tolerance }), _) => {
                        f.push(("ideal", J::Num(*ideal)));
                        f.push(("tolerance", J::Num(*tolerance)));
                    }
                    _ => {}
                }
                if let (Some(lines), Some(issue)) = (&r.red_lines, issue) {
                    f.push(("red_lines", red_lines(issue, lines, |_| None)));
                }
                if let Some(x) = r.reservation {
                    f.push(("reservation", J::Num(x)));
                }
                opt(&mut f, "summary", r.summary.as_ref());
                f.push(("evidence", evidence(sc, &r.evidence)));
                J::Obj(f)
            })
            .collect();
        top.push(("revisions", J::Arr(revisions)));
    }
    if !h.events.is_empty() {
        let events = h
            .events
            .iter()
            .map(|e| {
                let mut f = vec![("date", s(&e.date)), ("title", s(&e.title))];
                if !e.parties.is_empty() {
                    f.push((
                        "parties",
                        J::Arr(e.parties.iter().map(|&p| s(&sc.parties()[p].id)).collect()),
                    ));
                }
                if !e.issues.is_empty() {
                    f.push((
                        "issues",
                        J::Arr(e.issues.iter().map(|&i| s(&sc.issues()[i].id)).collect()),
                    ));
                }
                f.push(("evidence", evidence(sc, &e.evidence)));
                J::Obj(f)
            })
            .collect();
        top.push(("events", J::Arr(events)));
    }
}

/// The scenario as pretty JSON in format version 1.
pub(crate) fn to_json(sc: &Scenario) -> String {
    let mut top: Vec<(&'static str, J)> = vec![("version", J::Num(1.0))];
    let mut meta = vec![("name", s(&sc.meta().name)), ("title", s(&sc.meta().title))];
    opt(&mut meta, "description", sc.meta().description.as_ref());
    opt(&mut meta, "as_of", sc.meta().as_of.as_ref());
    if sc.meta().utility != UtilityForm::default() {
        meta.push(("utility", s(sc.meta().utility.as_str())));
    }
    top.push(("scenario", J::Obj(meta)));
    let (ungraded, grades) = uncertainty_fields(sc);
    if ungraded.is_some() || !grades.is_empty() {
        let mut f = Vec::new();
        if let Some(g) = ungraded {
            f.push(("ungraded", s(g)));
        }
        for (g, widths) in grades {
            f.push((g, J::Obj(widths.into_iter().map(|(k, x)| (k, J::Num(x))).collect())));
        }
        top.push(("uncertainty", J::Obj(f)));
    }
    let stated = Stated::new(sc);

    let parties = sc
        .parties()
        .iter()
        .enumerate()
        .map(|(party, p)| {
            let mut f = vec![
                ("id", s(&p.id)),
                ("name", s(&p.name)),
                ("role", s(p.role.as_str())),
                (
                    "capability",
                    estimate(p.capability, stated.range(Estimate::Capability { party })),
                ),
                (
                    "reservation",
                    estimate(p.reservation, stated.range(Estimate::Reservation { party })),
                ),
            ];
            if writes_bias(sc, p) {
                f.push(("bias", J::Num(p.bias)));
            }
            if let Some(d) = p.discount {
                f.push(("discount", J::Num(d)));
            }
            opt(&mut f, "description", p.description.as_ref());
            aliases(&mut f, &p.aliases);
            J::Obj(f)
        })
        .collect();
    top.push(("parties", J::Arr(parties)));

    let issues = sc
        .issues()
        .iter()
        .map(|i| {
            let mut f = vec![("id", s(&i.id)), ("name", s(&i.name))];
            opt(&mut f, "description", i.description.as_ref());
            aliases(&mut f, &i.aliases);
            match &i.kind {
                IssueKind::Discrete { options } => {
                    let opts = options
                        .iter()
                        .map(|o| J::Obj(vec![("id", s(&o.id)), ("label", s(&o.label))]))
                        .collect();
                    f.push(("options", J::Arr(opts)));
                    if let Some(axis) = i.axis() {
                        if crate::write_as_listed(&axis) {
                            f.push(("axis", s(crate::validate::AXIS_LISTED)));
                        } else {
                            let map = options
                                .iter()
                                .zip(&axis)
                                .map(|(o, &x)| (o.id.clone(), J::Num(x)))
                                .collect();
                            f.push(("axis", J::Map(map)));
                        }
                    }
                }
                IssueKind::Scale { unit, min, max, step } => f.push((
                    "scale",
                    J::Obj(vec![
                        ("unit", s(unit)),
                        ("min", J::Num(*min)),
                        ("max", J::Num(*max)),
                        ("step", J::Num(*step)),
                    ]),
                )),
            }
            J::Obj(f)
        })
        .collect();
    top.push(("issues", J::Arr(issues)));

    let mut stances = Vec::new();
    for (p, row) in sc.stances().iter().enumerate() {
        for (i, st) in row.iter().enumerate() {
            let (Some(st), Some(party), Some(issue)) =
                (st, sc.parties().get(p), sc.issues().get(i))
            else {
                continue;
            };
            let at = |e| stated.range(e);
            let mut f = vec![
                ("party", s(&party.id)),
                ("issue", s(&issue.id)),
                ("weight", estimate(st.weight, at(Estimate::Weight { party: p, issue: i }))),
            ];
            match &st.preference {
                Preference::Values(v) => {
                    let map = v
                        .iter()
                        .enumerate()
                        .map(|(option, x)| {
                            let e = Estimate::Value { party: p, issue: i, option };
                            (issue.option_id(option), estimate(*x, at(e)))
                        })
                        .collect();
                    f.push(("values", J::Map(map)));
                }
                Preference::Ideal { ideal, tolerance } => {
                    f.push(("ideal", estimate(*ideal, at(Estimate::Ideal { party: p, issue: i }))));
                    let e = Estimate::Tolerance { party: p, issue: i };
                    f.push(("tolerance", estimate(*tolerance, at(e))));
                }
            }
            if !st.red_lines.is_empty() {
                f.push(("red_lines", red_lines(issue, &st.red_lines, |k| stated.holds(p, i, k))));
            }
            if let Some(c) = st.confidence {
                f.push(("confidence", s(c.as_str())));
            }
            opt(&mut f, "summary", st.summary.as_ref());
            if !st.evidence.is_empty() {
                f.push(("evidence", evidence(sc, &st.evidence)));
            }
            stances.push(J::Obj(f));
        }
    }
    top.push(("stances", J::Arr(stances)));

    let proposals = sc
        .proposals()
        .iter()
        .map(|p| {
            let mut f = vec![("id", s(&p.id)), ("title", s(&p.title))];
            if let Some(a) = p.author.and_then(|a| sc.parties().get(a)) {
                f.push(("author", s(&a.id)));
            }
            opt(&mut f, "date", p.date.as_ref());
            let amended = p.amends.and_then(|a| sc.proposals().get(a));
            if let Some(a) = amended {
                f.push(("amends", s(&a.id)));
            }
            opt(&mut f, "description", p.description.as_ref());
            let mut terms = Vec::new();
            let mut open = Vec::new();
            for (i, t) in p.terms.iter().enumerate() {
                let stated = amended.is_none() || p.stated.get(i).copied().unwrap_or(true);
                let Some(issue) = sc.issues().get(i).filter(|_| stated) else { continue };
                match t {
                    Term::Set(k) => {
                        let v = match issue.scale_value(*k) {
                            Some(x) => J::Num(x),
                            None => J::Str(issue.option_id(*k)),
                        };
                        terms.push((issue.id.clone(), v));
                    }
                    Term::Open => open.push(s(&issue.id)),
                }
            }
            f.push(("terms", J::Map(terms)));
            if !open.is_empty() {
                f.push(("open", J::Arr(open)));
            }
            J::Obj(f)
        })
        .collect();
    top.push(("proposals", J::Arr(proposals)));

    let sources = sc
        .sources()
        .iter()
        .map(|src| {
            let mut f = vec![("id", s(&src.id)), ("title", s(&src.title))];
            opt(&mut f, "url", src.url.as_ref());
            opt(&mut f, "date", src.date.as_ref());
            opt(&mut f, "outlet", src.outlet.as_ref());
            if let Some(q) = src.quality {
                f.push(("quality", s(q.as_str())));
            }
            J::Obj(f)
        })
        .collect();
    top.push(("sources", J::Arr(sources)));
    history(&mut top, sc);

    let mut out = String::new();
    write(&mut out, &J::Obj(top), 0);
    out.push('\n');
    out
}

fn write(out: &mut String, v: &J, indent: usize) {
    let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
    match v {
        J::Str(x) => write_str(out, x),
        J::Num(x) => out.push_str(&number(*x)),
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Arr(items) => {
            out.push_str("[\n");
            for (k, item) in items.iter().enumerate() {
                pad(out, indent + 2);
                write(out, item, indent + 2);
                out.push_str(if k + 1 < items.len() { ",\n" } else { "\n" });
            }
            pad(out, indent);
            out.push(']');
        }
        J::Obj(fields) => {
            let fields: Vec<(&str, &J)> = fields.iter().map(|(k, v)| (*k, v)).collect();
            write_obj(out, &fields, indent);
        }
        J::Map(fields) => {
            let fields: Vec<(&str, &J)> = fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
            write_obj(out, &fields, indent);
        }
    }
}

fn write_obj(out: &mut String, fields: &[(&str, &J)], indent: usize) {
    if fields.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    for (k, (key, value)) in fields.iter().enumerate() {
        out.extend(std::iter::repeat_n(' ', indent + 2));
        write_str(out, key);
        out.push_str(": ");
        write(out, value, indent + 2);
        out.push_str(if k + 1 < fields.len() { ",\n" } else { "\n" });
    }
    out.extend(std::iter::repeat_n(' ', indent));
    out.push('}');
}

/// A number that reads back exactly; whole numbers without a fraction (but `-0.0` keeps its
/// sign). Not-finite numbers (impossible in a valid scenario) are written as `null`.
fn number(x: f64) -> String {
    if !x.is_finite() {
        "null".to_string()
    } else if x == 0.0 && x.is_sign_negative() {
        "-0.0".to_string()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn write_str(out: &mut String, x: &str) {
    out.push('"');
    for c in x.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        assert_eq!(number(4.0), "4");
        assert_eq!(number(-0.0), "-0.0");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(0.45), "0.45");
        assert_eq!(number(1e300), format!("{}", 1e300));
        let mut out = String::new();
        write_str(&mut out, "a\"b\\\n\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\\\n\\u0001é\"");
    }
}
