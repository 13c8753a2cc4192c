//! `detente deadlock`: is any deal possible under the red lines, and if not, which
//! constraints collide.

use detente_analysis::{self as analysis, Deadlock, DeadlockOptions};
use detente_core::{Scenario, Term};
use detente_words::{and_list, count};
use serde_json::json;
use std::fmt::Write as _;

use crate::BadInput;
use crate::json;
use crate::printer::Report;
use crate::prose::{counted_words, term_label};
use crate::table::{Table, truncate};

/// The explanation after the numbered constraints. Its first sentence ("No outcome is
/// acceptable to ...: N constraints collide") restates the heading printed just above, so
/// it is left out there; JSON keeps every sentence.
pub fn explain_deadlock(s: &Scenario, d: &Deadlock, out: &mut String) {
    for line in explanation_lines(s, d) {
        let _ = writeln!(out, "{line}");
    }
}

/// The sentences of [`explain_deadlock`], one a line (the pages show them too).
pub fn explanation_lines(s: &Scenario, d: &Deadlock) -> Vec<String> {
    let skip = usize::from(!d.feasible);
    analysis::explain(s, d).into_iter().skip(skip).collect()
}

/// The deadlock answer; spending the budget is an answer that says so, not an error.
pub fn deadlock_answer(s: &Scenario, options: &DeadlockOptions) -> anyhow::Result<Deadlock> {
    analysis::deadlock(s, options).map_err(|e| BadInput(e.to_string()).into())
}

/// Why an undecided answer is not decided, in words.
fn undecided_why(d: &Deadlock, budget: Option<u64>) -> String {
    undecided_words(budget.unwrap_or(d.nodes))
}

/// Why a search of `nodes` nodes left the deal question undecided, in words (the room's
/// pages say it so too).
pub fn undecided_words(nodes: u64) -> String {
    format!(
        "not exact: the search stopped at its budget of {} before finding a deal or proving there is none",
        count(nodes as usize, "node", "nodes")
    )
}

/// The sentence for a proved deadlock whose minimal conflict was not found in the budget.
pub const NOT_MINIMAL: &str = "No outcome keeps every counted party's red lines and reservation (proved), but the search for a minimal set of colliding constraints stopped at its budget (not exact).";

pub fn deadlock_json(
    s: &Scenario,
    d: &Deadlock,
    counted: &[usize],
    budget: Option<u64>,
) -> serde_json::Value {
    if d.decided {
        let mut v = json::deadlock(s, d);
        v["decided"] = json!(true);
        v["minimal"] = json!(d.minimal);
        if !d.minimal {
            v["explanation"] = json!([NOT_MINIMAL]);
        }
        return v;
    }
    json!({
        "parties": counted.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
        "decided": false,
        "deal_possible": null,
        "minimal": false,
        "witness": null,
        "conflict": [],
        "relaxations": [],
        "explanation": [format!("Not decided ({}).", undecided_why(d, budget))],
        "nodes": d.nodes,
        "termination": json::termination(d.termination()),
    })
}

pub fn deadlock_text(s: &Scenario, d: &Deadlock, budget: Option<u64>, out: &mut String) {
    if d.decided {
        deadlock_body(s, d, out);
    } else {
        let _ = writeln!(
            out,
            "Not decided ({}); give a larger --budget to search further (the answer is not known either way).",
            undecided_why(d, budget)
        );
    }
}

/// The first sentence of a decided answer: "Yes. For example, ... this outcome:", or "No.
/// These N constraints collide; ..." (the pages show it too).
pub fn answer_heading(s: &Scenario, d: &Deadlock) -> String {
    if !d.feasible && !d.minimal {
        format!("No. {NOT_MINIMAL}")
    } else if d.feasible {
        let names: Vec<String> = d.parties.iter().map(|&p| s.parties()[p].name.clone()).collect();
        format!(
            "Yes. For example, {}{} this outcome:",
            and_list(&names),
            match names.len() {
                1 => " accepts",
                2 => " both accept",
                _ => " all accept",
            }
        )
    } else if d.conflict.len() == 1 {
        "No. This constraint cannot be met; dropping it makes a deal possible:".to_string()
    } else {
        format!(
            "No. These {} collide; dropping any one of them makes a deal possible:",
            count(d.conflict.len(), "constraint", "constraints")
        )
    }
}

pub fn deadlock_body(s: &Scenario, d: &Deadlock, out: &mut String) {
    if !d.feasible || d.witness.is_some() {
        let _ = writeln!(out, "{}", answer_heading(s, d));
    }
    if !d.feasible && !d.minimal {
        return;
    }
    if d.feasible {
        if let Some(w) = &d.witness {
            let mut t = Table::new(vec!["point".to_string(), "term".to_string()]);
            for (i, &k) in w.options().iter().enumerate() {
                t.row(vec![
                    s.issues()[i].id.clone(),
                    truncate(&term_label(s, i, Term::Set(k)), 70),
                ]);
            }
            out.push_str(&t.render("  "));
        }
    } else {
        for (n, c) in d.conflict.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", n + 1, analysis::describe_constraint(s, c));
        }
    }
    out.push('\n');
    explain_deadlock(s, d, out);
}

/// `detente deadlock`: the answer for the counted parties within the node budget.
pub struct DeadlockReport<'a> {
    s: &'a Scenario,
    answer: Deadlock,
    counted: Vec<usize>,
    budget: Option<u64>,
}

/// `detente deadlock`.
pub fn deadlock(
    s: &Scenario,
    parties: Option<Vec<usize>>,
    budget: Option<u64>,
) -> anyhow::Result<DeadlockReport<'_>> {
    let counted: Vec<usize> = parties.clone().unwrap_or_else(|| (0..s.parties().len()).collect());
    let mut options = DeadlockOptions { parties, ..DeadlockOptions::default() };
    if budget.is_some() {
        options.max_nodes = budget;
    }
    let answer = deadlock_answer(s, &options)?;
    Ok(DeadlockReport { s, answer, counted, budget: options.max_nodes })
}

impl Report for DeadlockReport<'_> {
    fn json(&self) -> serde_json::Value {
        let DeadlockReport { s, answer, counted, budget } = self;
        json!({
            "scenario": s.meta().name,
            "deadlock": deadlock_json(s, answer, counted, *budget),
        })
    }

    fn text(&self) -> String {
        let DeadlockReport { s, answer, counted, budget } = self;
        let mut out =
            format!("Is any deal possible in {}, {}? ", s.meta().name, deal_question(s, counted));
        deadlock_text(s, answer, *budget, &mut out);
        out
    }
}

/// Whose deal a question is about, in words: `counting every party` or `counting the
/// principals (Russia and Ukraine)` (or the parties named).
pub fn deal_question(s: &Scenario, counted: &[usize]) -> String {
    if analysis::whose(s, counted) == analysis::Whose::Everyone {
        "counting every party".to_string()
    } else {
        format!("counting {}", counted_words(s, counted))
    }
}
