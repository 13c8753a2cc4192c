//! `detente evaluate`: would each party accept a proposal, per party and per point.

use detente_analysis::{self as analysis, DatedAfter, Evaluation, PartyEvaluation, PointVerdict};
use detente_core::Scenario;
use detente_words::{num, range, signed_range};
use serde_json::json;
use std::fmt::Write as _;

use crate::json;
use crate::printer::Report;
use crate::prose::{
    dated_after_json, dated_after_paragraph, proposal_line, term_cell, verdict_sentence,
    verdict_word,
};
use crate::table::{Table, truncate};

/// `detente evaluate`: each proposal's evaluation, and what is dated after `as_of`.
pub struct Evaluate<'a> {
    s: &'a Scenario,
    evals: Vec<Evaluation>,
    late: Vec<DatedAfter>,
}

/// `detente evaluate` on the proposals (indices into the scenario's).
pub fn evaluate<'a>(s: &'a Scenario, proposals: &[usize]) -> anyhow::Result<Evaluate<'a>> {
    let evals = proposals.iter().map(|&j| analysis::evaluate(s, j)).collect::<Result<_, _>>()?;
    Ok(Evaluate { s, evals, late: analysis::dated_after_as_of(s) })
}

/// The marks of [`point_cell`], in words.
pub const POINT_LEGEND: &str = "✗ crosses a red line, ~ below the party's reservation, ? open (range of values), ?✗ open and some ways of settling it cross a red line, - no stance";

/// A party's point `i` of an evaluation in a cell: its mark and the value of the term.
pub fn point_cell(pe: &PartyEvaluation, i: usize) -> String {
    let pt = &pe.points[i];
    match pt.verdict {
        PointVerdict::Indifferent => "-".to_string(),
        // No stance and no red line at stake: nothing to show.
        PointVerdict::Open if pe.no_stake_in_open(i) => "-".to_string(),
        PointVerdict::Open if pe.open_red_line(i) => {
            format!("?✗ {}", range(pt.value_min, pt.value_max))
        }
        PointVerdict::Open => format!("? {}", range(pt.value_min, pt.value_max)),
        PointVerdict::Accepts => format!("  {}", num(pt.value_min)),
        PointVerdict::Objects => format!("~ {}", num(pt.value_min)),
        PointVerdict::Rejects => format!("✗ {}", num(pt.value_min)),
    }
}

impl Report for Evaluate<'_> {
    fn json(&self) -> serde_json::Value {
        let Evaluate { s, evals, late } = self;
        json!({
            "scenario": s.meta().name,
            "as_of": s.meta().as_of,
            "dated_after_as_of": dated_after_json(s, late),
            "evaluations": evals.iter().map(|e| json::evaluation(s, e)).collect::<Vec<_>>(),
        })
    }

    fn text(&self) -> String {
        let Evaluate { s, evals, late } = self;
        let mut out = dated_after_paragraph(s, late);
        if !out.is_empty() {
            out.push('\n');
        }
        for (n, e) in evals.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let _ = writeln!(out, "{}\n", proposal_line(s, e.proposal));
            let mut t = Table::new(
                ["party", "verdict", "utility", "reservation", "surplus"]
                    .map(String::from)
                    .to_vec(),
            );
            for pe in &e.parties {
                t.row(vec![
                    s.parties()[pe.party].id.clone(),
                    verdict_word(pe.verdict).to_string(),
                    range(pe.utility_min, pe.utility_max),
                    num(pe.reservation),
                    signed_range(pe.surplus_min, pe.surplus_max),
                ]);
            }
            out.push_str(&t.render("  "));
            out.push('\n');
            let mut header = vec!["point".to_string(), "term".to_string()];
            header.extend(s.parties().iter().map(|p| p.id.clone()));
            let mut t = Table::new(header);
            for (i, issue) in s.issues().iter().enumerate() {
                let term = s.proposals()[e.proposal].terms[i];
                let mut row = vec![issue.id.clone(), truncate(&term_cell(s, i, term), 22)];
                for pe in &e.parties {
                    row.push(point_cell(pe, i));
                }
                t.row(row);
            }
            out.push_str(&t.render("  "));
            let _ = write!(out, "  (value of the term to each party: {POINT_LEGEND})\n\n");
            for pe in &e.parties {
                let _ = writeln!(out, "{}", verdict_sentence(s, pe));
            }
        }
        out
    }
}
