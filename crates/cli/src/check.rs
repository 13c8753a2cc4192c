//! `detente check`: a scenario file valid or not, with every problem located and the
//! warnings.

use detente_analysis::{self as analysis};
use detente_core::Scenario;
use serde_json::json;
use std::fmt::Write as _;

use crate::json;
use crate::printer::Report;
use crate::prose::{dated_after_words, dated_item};

/// `detente check` on a valid file: its summary and warnings.
pub struct Check<'a> {
    arg: &'a str,
    s: &'a Scenario,
    warnings: Vec<(String, serde_json::Value)>,
}

/// `detente check` on a valid file (`arg` as the user named it).
/// `full`: the file as written, every dated record in it (its warnings look at the whole
/// record, `s` is the scenario as of the day).
pub fn check<'a>(arg: &'a str, s: &'a Scenario, full: &Scenario) -> Check<'a> {
    // The whole file, dated against the day asked (`--as-of`, else the file's as_of).
    let day = s.meta().as_of.clone();
    let whole = full.clone().edit(|p| p.meta.as_of = day).unwrap_or_else(|_| full.clone());
    let mut warnings = check_warnings(&whole);
    warnings.extend(history_warnings(&whole));
    Check { arg, s, warnings }
}

impl Report for Check<'_> {
    fn json(&self) -> serde_json::Value {
        json!({
            "file": self.arg,
            "valid": true,
            "problems": [],
            "warnings": self.warnings.iter().map(|(_, w)| w).collect::<Vec<_>>(),
            "scenario": json::scenario_header(self.s),
        })
    }

    /// A one-line summary, then the warnings.
    fn text(&self) -> String {
        use detente_words::count;
        let (arg, s) = (self.arg, self.s);
        let n_stances = s.stances().iter().flatten().flatten().count();
        let n_red =
            s.stances().iter().flatten().flatten().map(|st| st.red_lines.len()).sum::<usize>();
        let mut out = format!(
            "{arg}: ok: scenario {} with {}, {}, {}, {}, {}, {}\n",
            s.meta().name,
            count(s.parties().len(), "party", "parties"),
            count(s.issues().len(), "issue", "issues"),
            count(n_stances, "stance", "stances"),
            count(n_red, "red line", "red lines"),
            count(s.proposals().len(), "proposal", "proposals"),
            count(s.sources().len(), "source", "sources"),
        );
        for (w, _) in &self.warnings {
            let _ = writeln!(out, "{arg}: warning: {w}");
        }
        out
    }
}

/// What is valid but worth a second look (a warning does not make the file invalid): each
/// in words and as JSON (`kind`, `message` and the details).
fn check_warnings(s: &Scenario) -> Vec<(String, serde_json::Value)> {
    let mut out = vec![];
    if !s.parties().iter().any(|p| p.role == detente_core::Role::Principal) {
        let message = "no party is a principal, so every party counts in questions about a deal (deadlock, mediate, frontier, divide, simulate); mark the parties who must sign with role = \"principal\"".to_string();
        let v = json!({"kind": "no_principal", "message": message});
        out.push((message, v));
    }
    for d in analysis::dated_after_as_of(s) {
        let (item, id) = dated_item(s, &d);
        let message = dated_after_words(s, &d);
        let v = json!({
            "kind": "dated_after_as_of",
            "item": item,
            "id": id,
            "date": d.date,
            "as_of": s.meta().as_of,
            "certain": d.certain,
            "message": message,
        });
        out.push((message, v));
    }
    out
}

/// An event after `as_of` that no revision of one of its parties on its day follows: the
/// default report leaves it out, and the file may be missing what it changed.
fn history_warnings(s: &Scenario) -> Vec<(String, serde_json::Value)> {
    let mut out = vec![];
    if let Some(as_of) = s.meta().as_of.as_deref().and_then(detente_core::day) {
        let h = s.history();
        for e in &h.events {
            if !detente_core::surely_after(&e.date, as_of) {
                continue;
            }
            let revised = h.revisions.iter().any(|r| {
                r.date == e.date && (e.parties.is_empty() || e.parties.contains(&r.party))
            });
            if revised {
                continue;
            }
            let message = format!(
                "event {:?} of {} is after as_of {} and no revision of its parties is dated that day: if it changed a stance, record the change as a revision (reports as of {} leave it out as later)",
                e.title,
                e.date,
                s.meta().as_of.as_deref().unwrap_or(""),
                s.meta().as_of.as_deref().unwrap_or(""),
            );
            let v = json!({
                "kind": "event_without_revision",
                "date": e.date,
                "title": e.title,
                "as_of": s.meta().as_of,
                "message": message,
            });
            out.push((message, v));
        }
    }
    out
}

/// `detente check --json` on an invalid file: the problems as JSON (people read them on
/// stderr, located like a compiler's).
pub fn problems_json(arg: &str, e: &detente_scenario::Error) -> serde_json::Value {
    json!({
        "file": arg,
        "valid": false,
        "warnings": [],
        "problems": e.problems().iter().map(|p| json!({
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "path": p.path,
            "kind": p.kind.as_str(),
            "message": p.message,
        })).collect::<Vec<_>>(),
    })
}
