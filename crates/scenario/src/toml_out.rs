//! Writes a [`Scenario`] as a format-v1 TOML file for people: the layout of
//! `scenarios/tutorial.toml`, which reads back to an equal scenario.
//!
//! # Format
//! `version = 1`, then `[scenario]`, `[[parties]]`, `[[issues]]` (options as an array of
//! inline tables, one per line; a scale as one inline table), `[[stances]]` (values, red lines
//! and evidence inline), `[[proposals]]` and `[[sources]]`, each section under a comment
//! header. Optional fields are left out when absent, as in [`crate::to_json`]. Stated ranges
//! are inline tables (`weight = { value = 4.0, low = 3.0, high = 6.0 }`), doubts `holds = P`
//! in the red line's table, and `[uncertainty]` follows `[scenario]` when it says anything
//! (as in [`crate::to_json`]).
//!
//! Strings are basic strings with every `"`, `\` and control character escaped; a string
//! with a line break is written as a multi-line basic string (`"""`, breaks kept, everything
//! else escaped). Keys that are not bare keys (`A-Za-z0-9_-`; an option id with a `.` is
//! one) are quoted. Numbers are written with Rust's shortest round-trip form of `f64`
//! (`{:?}`), which TOML reads as a float: `30.0`, `0.45`, `1e300`, `-0.0`, so every number
//! reads back bit for bit.
//!
//! # Example
//! ```text
//! version = 1
//!
//! [scenario]
//! name = "toy"
//! title = "A toy"
//!
//! # --- Parties ---
//! [[parties]]
//! id = "a"
//! ...
//! ```

use std::fmt::Write as _;

use detente_core::{
    Estimate, Evidence, Issue, IssueKind, Preference, RedLine, RedLineKind, Scenario, Spread, Term,
    UtilityForm,
};

use crate::json_out::{Stated, uncertainty_fields, writes_bias};

/// The scenario as a TOML file in format version 1.
pub(crate) fn to_toml(sc: &Scenario) -> String {
    let mut out = String::from("version = 1\n\n[scenario]\n");
    line(&mut out, "name", &string(&sc.meta().name));
    line(&mut out, "title", &string(&sc.meta().title));
    opt_line(&mut out, "description", sc.meta().description.as_deref());
    opt_line(&mut out, "as_of", sc.meta().as_of.as_deref());
    if sc.meta().utility != UtilityForm::default() {
        line(&mut out, "utility", &string(sc.meta().utility.as_str()));
    }
    let (ungraded, grades) = uncertainty_fields(sc);
    if ungraded.is_some() || !grades.is_empty() {
        out.push_str("\n[uncertainty]\n");
        if let Some(g) = ungraded {
            line(&mut out, "ungraded", &string(g));
        }
        for (g, widths) in grades {
            let fields: Vec<(&str, String)> =
                widths.into_iter().map(|(k, x)| (k, number(x))).collect();
            line(&mut out, g, &inline(&fields));
        }
    }
    let stated = Stated::new(sc);

    header(&mut out, "Parties");
    for (party, p) in sc.parties().iter().enumerate() {
        out.push_str("[[parties]]\n");
        line(&mut out, "id", &string(&p.id));
        line(&mut out, "name", &string(&p.name));
        line(&mut out, "role", &string(p.role.as_str()));
        let capability = stated.range(Estimate::Capability { party });
        line(&mut out, "capability", &estimate(p.capability, capability));
        let reservation = stated.range(Estimate::Reservation { party });
        line(&mut out, "reservation", &estimate(p.reservation, reservation));
        if writes_bias(sc, p) {
            line(&mut out, "bias", &number(p.bias));
        }
        if let Some(d) = p.discount {
            line(&mut out, "discount", &number(d));
        }
        opt_line(&mut out, "description", p.description.as_deref());
        aliases(&mut out, &p.aliases);
        out.push('\n');
    }

    header(&mut out, "Issues");
    for issue in sc.issues() {
        out.push_str("[[issues]]\n");
        line(&mut out, "id", &string(&issue.id));
        line(&mut out, "name", &string(&issue.name));
        opt_line(&mut out, "description", issue.description.as_deref());
        aliases(&mut out, &issue.aliases);
        match &issue.kind {
            IssueKind::Discrete { options } => {
                out.push_str("options = [\n");
                for o in options {
                    let fields = [("id", string(&o.id)), ("label", string(&o.label))];
                    let _ = writeln!(out, "  {},", inline(&fields));
                }
                out.push_str("]\n");
                if let Some(axis) = issue.axis() {
                    if crate::write_as_listed(&axis) {
                        line(&mut out, "axis", &string(crate::validate::AXIS_LISTED));
                    } else {
                        let fields: Vec<(String, String)> = options
                            .iter()
                            .zip(&axis)
                            .map(|(o, &x)| (key(&o.id), number(x)))
                            .collect();
                        line(&mut out, "axis", &inline_owned(&fields));
                    }
                }
            }
            IssueKind::Scale { unit, min, max, step } => {
                let fields = [
                    ("unit", string(unit)),
                    ("min", number(*min)),
                    ("max", number(*max)),
                    ("step", number(*step)),
                ];
                line(&mut out, "scale", &inline(&fields));
            }
        }
        out.push('\n');
    }

    let n_stances = sc.stances().iter().flatten().flatten().count();
    if n_stances > 0 {
        header(&mut out, "Stances");
    }
    for (p, row) in sc.stances().iter().enumerate() {
        for (i, st) in row.iter().enumerate() {
            let (Some(st), Some(party), Some(issue)) =
                (st, sc.parties().get(p), sc.issues().get(i))
            else {
                continue;
            };
            out.push_str("[[stances]]\n");
            line(&mut out, "party", &string(&party.id));
            line(&mut out, "issue", &string(&issue.id));
            let at = |e| stated.range(e);
            line(
                &mut out,
                "weight",
                &estimate(st.weight, at(Estimate::Weight { party: p, issue: i })),
            );
            match &st.preference {
                Preference::Values(v) => {
                    let fields: Vec<(String, String)> = v
                        .iter()
                        .enumerate()
                        .map(|(option, x)| {
                            let e = Estimate::Value { party: p, issue: i, option };
                            (key(&issue.option_id(option)), estimate(*x, at(e)))
                        })
                        .collect();
                    line(&mut out, "values", &inline_owned(&fields));
                }
                Preference::Ideal { ideal, tolerance } => {
                    let e = Estimate::Ideal { party: p, issue: i };
                    line(&mut out, "ideal", &estimate(*ideal, at(e)));
                    let e = Estimate::Tolerance { party: p, issue: i };
                    line(&mut out, "tolerance", &estimate(*tolerance, at(e)));
                }
            }
            if !st.red_lines.is_empty() {
                let text = red_lines(issue, &st.red_lines, |index| stated.holds(p, i, index));
                line(&mut out, "red_lines", &text);
            }
            if let Some(c) = st.confidence {
                line(&mut out, "confidence", &string(c.as_str()));
            }
            opt_line(&mut out, "summary", st.summary.as_deref());
            if !st.evidence.is_empty() {
                line(&mut out, "evidence", &evidence(sc, &st.evidence));
            }
            out.push('\n');
        }
    }

    if !sc.proposals().is_empty() {
        header(&mut out, "Proposals");
    }
    for p in sc.proposals() {
        out.push_str("[[proposals]]\n");
        line(&mut out, "id", &string(&p.id));
        line(&mut out, "title", &string(&p.title));
        if let Some(a) = p.author.and_then(|a| sc.parties().get(a)) {
            line(&mut out, "author", &string(&a.id));
        }
        opt_line(&mut out, "date", p.date.as_deref());
        let amended = p.amends.and_then(|a| sc.proposals().get(a));
        if let Some(a) = amended {
            line(&mut out, "amends", &string(&a.id));
        }
        opt_line(&mut out, "description", p.description.as_deref());
        let mut terms: Vec<(String, String)> = Vec::new();
        let mut open = Vec::new();
        for (i, t) in p.terms.iter().enumerate() {
            let stated = amended.is_none() || p.stated.get(i).copied().unwrap_or(true);
            let Some(issue) = sc.issues().get(i).filter(|_| stated) else { continue };
            match t {
                Term::Set(k) => {
                    let v = match issue.scale_value(*k) {
                        Some(x) => number(x),
                        None => string(&issue.option_id(*k)),
                    };
                    terms.push((key(&issue.id), v));
                }
                Term::Open => open.push(string(&issue.id)),
            }
        }
        line(&mut out, "terms", &inline_owned(&terms));
        if !open.is_empty() {
            line(&mut out, "open", &format!("[{}]", open.join(", ")));
        }
        out.push('\n');
    }

    if !sc.sources().is_empty() {
        header(&mut out, "Sources");
    }
    for src in sc.sources() {
        out.push_str("[[sources]]\n");
        line(&mut out, "id", &string(&src.id));
        line(&mut out, "title", &string(&src.title));
        opt_line(&mut out, "url", src.url.as_deref());
        opt_line(&mut out, "date", src.date.as_deref());
        opt_line(&mut out, "outlet", src.outlet.as_deref());
        if let Some(q) = src.quality {
            line(&mut out, "quality", &string(q.as_str()));
        }
        out.push('\n');
    }
    history(&mut out, sc);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The dated record: `[[revisions]]`, then `[[events]]`.
fn history(out: &mut String, sc: &Scenario) {
    let h = sc.history();
    if !h.revisions.is_empty() {
        header(out, "Revisions");
    }
    for r in &h.revisions {
        out.push_str("[[revisions]]\n");
        line(out, "party", &string(&sc.parties()[r.party].id));
        let issue = r.issue.and_then(|i| sc.issues().get(i));
        if let Some(issue) = issue {
            line(out, "issue", &string(&issue.id));
        }
        line(out, "date", &string(&r.date));
        if let Some(w) = r.weight {
            line(out, "weight", &number(w));
        }
        match (&r.preference, issue) {
            (Some(Preference::Values(v)), Some(issue)) => {
                let fields: Vec<(String, String)> = v
                    .iter()
                    .enumerate()
                    .map(|(k, x)| (key(&issue.option_id(k)), number(*x)))
                    .collect();
                line(out, "values", &inline_owned(&fields));
            }
            (Some(Preference::Ideal { ideal, tolerance }), _) => {
                line(out, "ideal", &number(*ideal));
                line(out, "tolerance", &number(*tolerance));
            }
            _ => {}
        }
        if let (Some(lines), Some(issue)) = (&r.red_lines, issue) {
            line(out, "red_lines", &red_lines(issue, lines, |_| None));
        }
        if let Some(x) = r.reservation {
            line(out, "reservation", &number(x));
        }
        opt_line(out, "summary", r.summary.as_deref());
        line(out, "evidence", &evidence(sc, &r.evidence));
        out.push('\n');
    }
    if !h.events.is_empty() {
        header(out, "Events");
    }
    for e in &h.events {
        out.push_str("[[events]]\n");
        line(out, "date", &string(&e.date));
        line(out, "title", &string(&e.title));
        let ids = |v: Vec<&str>| {
            let v: Vec<String> = v.into_iter().map(string).collect();
            format!("[{}]", v.join(", "))
        };
        if !e.parties.is_empty() {
            line(
                out,
                "parties",
                &ids(e.parties.iter().map(|&p| sc.parties()[p].id.as_str()).collect()),
            );
        }
        if !e.issues.is_empty() {
            line(
                out,
                "issues",
                &ids(e.issues.iter().map(|&i| sc.issues()[i].id.as_str()).collect()),
            );
        }
        line(out, "evidence", &evidence(sc, &e.evidence));
        out.push('\n');
    }
}

/// A stance's red lines as an inline array (`holds`: each one's stated doubt).
fn red_lines(issue: &Issue, lines: &[RedLine], holds: impl Fn(usize) -> Option<f64>) -> String {
    let names = |o: &[usize]| {
        let ids: Vec<String> = o.iter().map(|&k| string(&issue.option_id(k))).collect();
        format!("[{}]", ids.join(", "))
    };
    let lines: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let mut f: Vec<(&str, String)> = Vec::new();
            match &r.kind {
                RedLineKind::Forbid(o) => f.push(("forbid", names(o))),
                RedLineKind::Require(o) => f.push(("require", names(o))),
                RedLineKind::Bounds { min, max } => {
                    if let Some(m) = min {
                        f.push(("min", number(*m)));
                    }
                    if let Some(m) = max {
                        f.push(("max", number(*m)));
                    }
                }
            }
            if let Some(h) = holds(index) {
                f.push(("holds", number(h)));
            }
            if let Some(reason) = &r.reason {
                f.push(("reason", string(reason)));
            }
            inline(&f)
        })
        .collect();
    format!("[{}]", lines.join(", "))
}

/// Evidence as an inline array of `{ source, note }`.
fn evidence(sc: &Scenario, ev: &[Evidence]) -> String {
    let ev: Vec<String> = ev
        .iter()
        .map(|e| {
            let id = sc.sources().get(e.source).map_or("", |x| x.id.as_str());
            let mut f = vec![("source", string(id))];
            if let Some(note) = &e.note {
                f.push(("note", string(note)));
            }
            inline(&f)
        })
        .collect();
    format!("[{}]", ev.join(", "))
}

/// An estimate: its number, or `{ value = .., low = .., high = .. }` (and `dist = "uniform"`)
/// when a range is stated.
fn estimate(x: f64, range: Option<Spread>) -> String {
    let Some(sp) = range else { return number(x) };
    let mut f = vec![("value", number(x)), ("low", number(sp.low())), ("high", number(sp.high()))];
    if let Spread::Uniform { .. } = sp {
        f.push(("dist", string(sp.name())));
    }
    inline(&f)
}

fn header(out: &mut String, title: &str) {
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
    let text = format!("# --- {title} ");
    let _ = writeln!(out, "{text}{}", "-".repeat(88usize.saturating_sub(text.len())));
}

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

/// `aliases = [...]`, when there are any.
fn aliases(out: &mut String, list: &[String]) {
    if !list.is_empty() {
        let items: Vec<String> = list.iter().map(|a| string(a)).collect();
        line(out, "aliases", &format!("[{}]", items.join(", ")));
    }
}

fn opt_line(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        line(out, key, &string(v));
    }
}

/// `{ k = v, ... }` from bare keys.
fn inline(fields: &[(&str, String)]) -> String {
    let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    braces(&parts)
}

/// `{ k = v, ... }` from keys already quoted when needed.
fn inline_owned(fields: &[(String, String)]) -> String {
    let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    braces(&parts)
}

fn braces(parts: &[String]) -> String {
    if parts.is_empty() { "{}".to_string() } else { format!("{{ {} }}", parts.join(", ")) }
}

/// A key: bare when it is made of `A-Za-z0-9_-` only, else a quoted basic string.
fn key(k: &str) -> String {
    let bare =
        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { k.to_string() } else { basic(k) }
}

/// A number that TOML reads back bit for bit: Rust's shortest round-trip form, always with
/// a fraction or an exponent, so it reads as a float. (Not-finite numbers cannot occur in a
/// valid scenario; they are written as TOML's `nan` and `inf`, which the reader rejects.)
fn number(x: f64) -> String {
    if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".to_string() } else { "-inf".to_string() }
    } else {
        format!("{x:?}")
    }
}

/// A string value: a multi-line basic string when it has a line feed, else a basic string.
pub(crate) fn string(x: &str) -> String {
    if !x.contains('\n') {
        return basic(x);
    }
    // The line feed right after the opening delimiter is trimmed by TOML readers.
    let mut out = String::from("\"\"\"\n");
    for c in x.chars() {
        match c {
            '\n' => out.push('\n'),
            c => escape(&mut out, c),
        }
    }
    out.push_str("\"\"\"");
    out
}

fn basic(x: &str) -> String {
    let mut out = String::with_capacity(x.len() + 2);
    out.push('"');
    for c in x.chars() {
        escape(&mut out, c);
    }
    out.push('"');
    out
}

pub(crate) fn escape(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\u{:04X}", c as u32);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_as_floats() {
        assert_eq!(number(30.0), "30.0");
        assert_eq!(number(-0.0), "-0.0");
        assert_eq!(number(0.45), "0.45");
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(1e-7), "1e-7");
        assert_eq!(number(-1.5e-300), "-1.5e-300");
    }

    #[test]
    fn strings_and_keys_are_escaped() {
        assert_eq!(string("a\"b\\c\t\u{1}\u{7f}é"), "\"a\\\"b\\\\c\\t\\u0001\\u007Fé\"");
        assert_eq!(string("one\ntwo\"\r"), "\"\"\"\none\ntwo\\\"\\r\"\"\"");
        assert_eq!(key("a-b_C9"), "a-b_C9");
        assert_eq!(key("4.37"), "\"4.37\"");
        assert_eq!(key("a b"), "\"a b\"");
    }
}
