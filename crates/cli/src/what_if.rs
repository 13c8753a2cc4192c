//! `--set PATH=VALUE`: the what-if settings of every command that loads a scenario. The
//! settings are read, applied and checked by `detente_scenario::what_if`; this module
//! collects the flag, turns the changes into words and JSON, and puts them first in the
//! output (docs/cli.md, "What-if").

use detente_core::{Scenario, Term, format_number};
use detente_scenario::what_if::{self, Change, Value};
use serde_json::{Value as Json, json};

use crate::BadInput;
use crate::printer::Report;

/// The `--set` flag, shared by every command that loads a scenario.
#[derive(clap::Args, Debug, Default)]
pub struct SetArgs {
    /// What-if: change an estimate or a term first (repeatable; the last on the same thing
    /// wins)
    ///
    /// PATH is PARTY.reservation, .capability, .bias or .discount; PARTY.ISSUE.weight,
    /// .ideal or .tolerance; PARTY.ISSUE.OPTION (the party's value of the option);
    /// PARTY.ISSUE.red_lines=none (the party drops its red lines on the issue); or
    /// PROPOSAL.ISSUE (VALUE: an option id, a grid value, or open). Checked like the file;
    /// see docs/cli.md, "What-if".
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// The scenario as known on this day, YYYY-MM-DD (default: the file's as_of): its
    /// revisions up to then applied; later proposals, revisions and events left out
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
}

/// The changes made, as they are said: empty when no setting was given.
#[derive(Debug, Default)]
pub struct Shown {
    entries: Vec<Entry>,
    /// What the day's snapshot left out as later, in a sentence and as JSON.
    later: Option<crate::load::LeftOut>,
}

#[derive(Debug)]
struct Entry {
    path: String,
    from: (String, Json),
    to: (String, Json),
    inherited_by: Vec<String>,
}

/// The scenario as known on `--as-of` (else the file's `as_of`, [`crate::load::as_of`]),
/// then changed by the `--set` settings; what was left out as later and the changes, as
/// they are said.
pub fn load(s: Scenario, args: &SetArgs) -> Result<(Scenario, Shown), BadInput> {
    let (s, later) = crate::load::as_of(s, args.as_of.as_deref())?;
    let (s, mut shown) = apply(s, &args.set)?;
    shown.later = later;
    Ok((s, shown))
}

/// The scenario changed by the settings (checked again), and the changes as they are said.
/// A bad setting is bad input (exit 2), each problem naming its setting.
pub fn apply(s: Scenario, set: &[String]) -> Result<(Scenario, Shown), BadInput> {
    if set.is_empty() {
        return Ok((s, Shown::default()));
    }
    // One problem a line, each said as the program's other messages are.
    let bad = |e: detente_scenario::Error| {
        let lines: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        BadInput(lines.join("\ndetente: "))
    };
    let changed = what_if::apply_texts(s, set).map_err(bad)?;
    let s = changed.scenario;
    let entries = changed.changes.iter().map(|c| entry(&s, c)).collect();
    Ok((s, Shown { entries, later: None }))
}

/// Refuses settings where a command does not take them (`what`: why, in words).
pub fn refuse(set: &[String], what: &str) -> Result<(), BadInput> {
    match set.first() {
        None => Ok(()),
        Some(first) => Err(BadInput(format!("--set {first}: {what}"))),
    }
}

/// Refuses `--as-of` on an input without a dated record (`what`: the input, in words).
pub fn refuse_as_of(args: &SetArgs, what: &str) -> Result<(), BadInput> {
    match &args.as_of {
        None => Ok(()),
        Some(day) => Err(BadInput(format!(
            "--as-of {day}: {what} has no dated record to read as of a day (--as-of reads a scenario's dated proposals, revisions and events)"
        ))),
    }
}

fn entry(s: &Scenario, c: &Change) -> Entry {
    // Two estimates compared in one sentence print with as many decimals as tell them apart.
    let (from, to) = match (c.from, c.to) {
        (Value::Number(a), Value::Number(b)) => {
            let (x, y) = detente_words::distinct(a, b);
            ((x, crate::json::num(a)), (y, crate::json::num(b)))
        }
        (a, b) => (said(s, a), said(s, b)),
    };
    Entry {
        path: c.path.clone(),
        from,
        to,
        inherited_by: c.inherited_by.iter().map(|&j| s.proposals()[j].id.clone()).collect(),
    }
}

/// A value in words and in JSON.
fn said(s: &Scenario, v: Value) -> (String, Json) {
    match v {
        Value::Number(x) => (detente_words::num(x), crate::json::num(x)),
        // Points on a scale are written as the scenario writes them (`100000`, `2.5`).
        Value::Scale(x) => (format_number(x), crate::json::num(x)),
        Value::Absent => ("none".to_string(), Json::Null),
        Value::RedLines(0) => ("none".to_string(), json!(0)),
        Value::RedLines(n) => (detente_words::count(n, "red line", "red lines"), json!(n)),
        Value::Term { issue, term } => (
            match term {
                Term::Open => "open".to_string(),
                Term::Set(k) => s.issues()[issue].option_id(k),
            },
            crate::json::term(s, issue, term),
        ),
    }
}

impl Shown {
    /// The report with the changes said first (unchanged when there are none).
    pub fn around<'a>(&'a self, inner: &'a dyn Report) -> Said<'a> {
        Said { shown: self, inner }
    }

    /// What the day's snapshot left out as later, when it is said.
    pub fn later(&self) -> Option<&crate::load::LeftOut> {
        self.later.as_ref()
    }

    /// The changes in a sentence, when there are any.
    pub fn words(&self) -> Option<String> {
        (!self.entries.is_empty()).then(|| self.line())
    }

    /// `What-if: russia.reservation 0.60 -> 0.50; ...`.
    pub fn line(&self) -> String {
        let items: Vec<String> = self
            .entries
            .iter()
            .map(|e| {
                let mut item = format!("{} {} -> {}", e.path, e.from.0, e.to.0);
                if !e.inherited_by.is_empty() {
                    item.push_str(&format!(
                        " (inherited by {})",
                        detente_words::and_list(&e.inherited_by)
                    ));
                }
                item
            })
            .collect();
        format!("What-if: {}.", items.join("; "))
    }

    fn json(&self) -> Json {
        Json::Array(
            self.entries
                .iter()
                .map(|e| {
                    let mut v = json!({ "path": e.path, "from": e.from.1, "to": e.to.1 });
                    if !e.inherited_by.is_empty() {
                        v["inherited_by"] = json!(e.inherited_by);
                    }
                    v
                })
                .collect(),
        )
    }
}

/// A report with the what-if changes said first.
pub struct Said<'a> {
    shown: &'a Shown,
    inner: &'a dyn Report,
}

impl Report for Said<'_> {
    fn text(&self) -> String {
        let mut text = self.inner.text();
        if !self.shown.entries.is_empty() {
            text = format!("{}\n\n{text}", self.shown.line());
        }
        if let Some(later) = &self.shown.later {
            text = format!("{}\n\n{text}", later.words);
        }
        text
    }

    fn json(&self) -> Json {
        crate::printer::with_entries(self.inner.json(), &self.entries())
    }

    /// The inner report's text with the changes set among its entries (a report that writes
    /// its own text piece by piece keeps doing so).
    fn write_json(
        &self,
        out: &mut dyn std::io::Write,
        extra: &serde_json::Map<String, Json>,
    ) -> std::io::Result<()> {
        // Those from outside win, as an outer report's entries are set last in its value.
        let mut entries = self.entries();
        entries.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.inner.write_json(out, &entries)
    }
}

impl Said<'_> {
    /// What the changes add at the top level: `what_if` (the settings) and
    /// `left_out_as_later` (what the day's snapshot left out), when there are any.
    fn entries(&self) -> serde_json::Map<String, Json> {
        let mut map = serde_json::Map::new();
        if !self.shown.entries.is_empty() {
            map.insert("what_if".to_string(), self.shown.json());
        }
        if let Some(later) = &self.shown.later {
            map.insert("left_out_as_later".to_string(), later.json.clone());
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;

    impl Report for Plain {
        fn text(&self) -> String {
            "body\n".to_string()
        }
        fn json(&self) -> Json {
            json!({ "a": 1 })
        }
    }

    fn tutorial() -> Scenario {
        detente_scenario::shipped::load("tutorial").unwrap().unwrap()
    }

    #[test]
    fn without_settings_the_report_is_unchanged() {
        let (s, shown) = apply(tutorial(), &[]).unwrap();
        assert_eq!(s, tutorial());
        assert_eq!(shown.around(&Plain).text(), "body\n");
        assert_eq!(shown.around(&Plain).json(), json!({ "a": 1 }));
    }

    #[test]
    fn changes_are_said_first_with_the_old_values() {
        let set: Vec<String> = [
            "lowland.reservation=0.351",
            "upland.share.ideal=35",
            "commission-draft.dam=upland-only",
            "lowland-markup.compensation=none",
            "upland.discount=0.9",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        let (_, shown) = apply(tutorial(), &set).unwrap();
        assert_eq!(
            shown.around(&Plain).text(),
            "What-if: lowland.reservation 0.350 -> 0.351; upland.share.ideal 30 -> 35; commission-draft.dam joint-board -> upland-only (inherited by lowland-markup); lowland-markup.compensation open -> none; upland.discount none -> 0.90.\n\nbody\n"
        );
        let v = shown.around(&Plain).json();
        assert_eq!(v["a"], 1);
        assert_eq!(
            v["what_if"][0],
            json!({ "path": "lowland.reservation", "from": 0.35, "to": 0.351 })
        );
        assert_eq!(v["what_if"][2]["inherited_by"], json!(["lowland-markup"]));
        assert_eq!(
            v["what_if"][3],
            json!({ "path": "lowland-markup.compensation", "from": null, "to": "none" })
        );
        assert_eq!(v["what_if"][4]["from"], Json::Null);
    }

    #[test]
    fn refusal_names_the_first_setting() {
        assert!(refuse(&[], "no").is_ok());
        let e = refuse(&["a.b=1".to_string()], "not here").unwrap_err();
        assert!(refuse_as_of(&SetArgs::default(), "a table").is_ok());
        let dated = SetArgs { as_of: Some("2025-01-01".to_string()), ..SetArgs::default() };
        let e2 = refuse_as_of(&dated, "a table").unwrap_err();
        assert!(e2.0.starts_with("--as-of 2025-01-01: a table has no dated record"), "{}", e2.0);
        assert_eq!(e.0, "--set a.b=1: not here");
    }
}
