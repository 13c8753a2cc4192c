//! `detente scenarios`: the scenarios shipped inside the binary.

use detente_core::Scenario;
use serde_json::json;

use crate::printer::Report;
use crate::table::Table;

/// `detente scenarios`: each shipped scenario with its file read.
pub struct Scenarios {
    rows: Vec<(&'static detente_scenario::shipped::Shipped, Scenario)>,
}

/// `detente scenarios`.
pub fn scenarios() -> anyhow::Result<Scenarios> {
    let mut rows = vec![];
    for sh in detente_scenario::shipped::all() {
        let s = detente_scenario::parse_auto(sh.file, sh.text.as_bytes())
            .map_err(|e| anyhow::anyhow!("shipped scenario {} is invalid:\n{e}", sh.name))?;
        rows.push((sh, s));
    }
    Ok(Scenarios { rows })
}

impl Report for Scenarios {
    fn json(&self) -> serde_json::Value {
        json!({
            "default": detente_scenario::shipped::DEFAULT,
            "scenarios": self.rows.iter().map(|(sh, s)| json!({
                "name": sh.name,
                "file": sh.file,
                "title": s.meta().title,
                "parties": s.parties().len(),
                "issues": s.issues().len(),
                "proposals": s.proposals().len(),
            })).collect::<Vec<_>>(),
        })
    }

    fn text(&self) -> String {
        let mut t = Table::new(
            ["name", "parties", "points", "proposals", "title"].map(String::from).to_vec(),
        );
        for (sh, s) in &self.rows {
            let name = if sh.name == detente_scenario::shipped::DEFAULT {
                format!("{} (default)", sh.name)
            } else {
                sh.name.to_string()
            };
            t.row(vec![
                name,
                s.parties().len().to_string(),
                s.issues().len().to_string(),
                s.proposals().len().to_string(),
                s.meta().title.clone(),
            ]);
        }
        t.render("")
    }
}
