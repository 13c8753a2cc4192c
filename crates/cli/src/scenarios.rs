//! `detente scenarios`: the scenarios shipped inside the binary.

use detente_core::Scenario;
use serde_json::json;

use crate::printer::Report;
use crate::table::Table;

/// `detente scenarios`: each shipped scenario with its file read (and `detente serve`'s
/// `GET /api/scenarios`: the scenarios served).
pub struct Scenarios {
    default: String,
    rows: Vec<Row>,
}

/// One scenario of the list: its name, its file, and what it holds.
struct Row {
    name: String,
    file: String,
    title: String,
    parties: usize,
    issues: usize,
    proposals: usize,
}

/// The shipped scenarios, read.
pub fn shipped() -> anyhow::Result<Vec<(&'static str, &'static str, Scenario)>> {
    let mut rows = vec![];
    for sh in detente_scenario::shipped::all() {
        let s = detente_scenario::parse_auto(sh.file, sh.text.as_bytes())
            .map_err(|e| anyhow::anyhow!("shipped scenario {} is invalid:\n{e}", sh.name))?;
        rows.push((sh.name, sh.file, s));
    }
    Ok(rows)
}

/// `detente scenarios`.
pub fn scenarios() -> anyhow::Result<Scenarios> {
    let rows = shipped()?;
    Ok(listing(detente_scenario::shipped::DEFAULT, rows.iter().map(|(n, f, s)| (*n, *f, s))))
}

/// The list of scenarios given as (name, file, scenario), `default` marked as such.
pub fn listing<'a>(
    default: &str,
    rows: impl Iterator<Item = (&'a str, &'a str, &'a Scenario)>,
) -> Scenarios {
    let rows = rows
        .map(|(name, file, s)| Row {
            name: name.to_string(),
            file: file.to_string(),
            title: s.meta().title.clone(),
            parties: s.parties().len(),
            issues: s.issues().len(),
            proposals: s.proposals().len(),
        })
        .collect();
    Scenarios { default: default.to_string(), rows }
}

impl Report for Scenarios {
    fn json(&self) -> serde_json::Value {
        json!({
            "default": self.default,
            "scenarios": self.rows.iter().map(|r| json!({
                "name": r.name,
                "file": r.file,
                "title": r.title,
                "parties": r.parties,
                "issues": r.issues,
                "proposals": r.proposals,
            })).collect::<Vec<_>>(),
        })
    }

    fn text(&self) -> String {
        let mut t = Table::new(
            ["name", "parties", "points", "proposals", "title"].map(String::from).to_vec(),
        );
        for r in &self.rows {
            let name = if r.name == self.default {
                format!("{} (default)", r.name)
            } else {
                r.name.clone()
            };
            t.row(vec![
                name,
                r.parties.to_string(),
                r.issues.to_string(),
                r.proposals.to_string(),
                r.title.clone(),
            ]);
        }
        t.render("")
    }
}
