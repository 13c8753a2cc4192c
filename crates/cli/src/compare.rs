//! `detente compare`: what proposal B changes against proposal A, per point and per party.

use detente_analysis::{self as analysis, Comparison, Verdict};
use detente_core::Scenario;
use detente_words::{and_list, count, num, signed_range};
use serde_json::json;
use std::fmt::Write as _;

use crate::json;
use crate::printer::Report;
use crate::prose::{party_name, proposal_line, term_cell, verdict_cell};
use crate::table::{TABLE_WIDTH, Table, truncate};

/// `detente compare`: what changes from one proposal to another.
pub struct Compare<'a> {
    s: &'a Scenario,
    c: Comparison,
}

/// `detente compare` from proposal `from` to proposal `to` (indices into the scenario's).
pub fn compare(s: &Scenario, from: usize, to: usize) -> anyhow::Result<Compare<'_>> {
    Ok(Compare { s, c: analysis::compare(s, from, to)? })
}

impl Report for Compare<'_> {
    fn json(&self) -> serde_json::Value {
        json!({"scenario": self.s.meta().name, "comparison": json::comparison(self.s, &self.c)})
    }

    fn text(&self) -> String {
        let Compare { s, c } = self;
        let (from, to) = (c.from, c.to);
        let mut out = String::new();
        let _ = writeln!(out, "From {}", proposal_line(s, from));
        let _ = writeln!(out, "to {}\n", proposal_line(s, to));
        if c.changes.is_empty() {
            out.push_str("The two proposals set every point the same way.\n");
        } else {
            let _ = writeln!(
                out,
                "{} {} (change of each party's utility):",
                count(c.changes.len(), "point", "points"),
                detente_words::noun(c.changes.len(), "changes", "change")
            );
            let mut header = vec!["point".to_string(), "before".to_string(), "after".to_string()];
            header.extend(s.parties().iter().map(|p| p.id.clone()));
            let mut t = Table::new(header);
            for ch in &c.changes {
                let mut row = vec![
                    s.issues()[ch.issue].id.clone(),
                    truncate(&term_cell(s, ch.issue, ch.before), 24),
                    truncate(&term_cell(s, ch.issue, ch.after), 24),
                ];
                row.extend(ch.deltas.iter().map(|&(lo, hi)| signed_range(lo, hi)));
                t.row(row);
            }
            let whole = t.render("  ");
            if whole.lines().all(|l| l.chars().count() <= TABLE_WIDTH) {
                out.push_str(&whole);
            } else {
                // Too wide for one table: the terms, then the changes of utility.
                let terms: Vec<usize> = vec![0, 1, 2];
                out.push_str(&t.render_columns("  ", &terms));
                out.push('\n');
                let deltas: Vec<usize> =
                    std::iter::once(0).chain(3..3 + s.parties().len()).collect();
                out.push_str(&t.render_columns("  ", &deltas));
            }
        }
        out.push('\n');
        let mut t = Table::new(
            ["party", "before", "after", "change", "movement"].map(String::from).to_vec(),
        );
        for pc in &c.parties {
            t.row(vec![
                s.parties()[pc.party].id.clone(),
                verdict_cell(&pc.before),
                verdict_cell(&pc.after),
                signed_range(pc.delta_min, pc.delta_max),
                json::movement(pc.movement).replace('_', " "),
            ]);
        }
        out.push_str(&t.render("  "));
        out.push_str("  (verdict and utility; ✗n: n points cross a red line)\n\n");
        for line in words(s, c) {
            let _ = writeln!(out, "{line}");
        }
        out
    }
}

/// The comparison in words, one sentence a line: who gains and who loses, then each party
/// whose verdict or red lines move (the last lines of `detente compare`).
pub fn words(s: &Scenario, c: &Comparison) -> Vec<String> {
    let (from, to) = (c.from, c.to);
    let names = |keep: &dyn Fn(&analysis::PartyChange) -> bool| -> Vec<String> {
        c.parties
            .iter()
            .filter(|pc| keep(pc))
            .map(|pc| party_name(s, pc.party).to_string())
            .collect()
    };
    // A change that prints as 0.00 is no change.
    let gainers = names(&|pc| num(pc.delta_min) != num(0.0) && pc.delta_min > 0.0);
    let losers = names(&|pc| num(pc.delta_max) != num(0.0) && pc.delta_max < 0.0);
    let mixed = names(&|pc| {
        num(pc.delta_min) != num(0.0)
            && pc.delta_min < 0.0
            && num(pc.delta_max) != num(0.0)
            && pc.delta_max > 0.0
    });
    let from_id = &s.proposals()[from].id;
    let to_id = &s.proposals()[to].id;
    let open = !s.proposals()[from].open_issues().is_empty()
        || !s.proposals()[to].open_issues().is_empty();
    let verb = |who: &[String], one: &str, many: &str| {
        format!("{} {}", and_list(who), if who.len() == 1 { one } else { many })
    };
    let mut clauses = vec![];
    let mut sure = vec![];
    if !gainers.is_empty() {
        sure.push(verb(&gainers, "gains", "gain"));
    }
    if !losers.is_empty() {
        sure.push(verb(&losers, "loses", "lose"));
    }
    if !sure.is_empty() {
        let surely = if open { ", however the open points are settled" } else { "" };
        clauses.push(format!("{}{surely}", sure.join(" and ")));
    }
    if !mixed.is_empty() {
        clauses.push(format!(
            "{} or {}, as the open points are settled",
            verb(&mixed, "gains", "gain"),
            if mixed.len() == 1 { "loses" } else { "lose" }
        ));
    }
    if clauses.is_empty() {
        clauses.push("no party's utility changes".to_string());
    }
    let mut out = vec![format!("Moving from {from_id} to {to_id}, {}.", clauses.join("; "))];
    out.extend(c.parties.iter().filter_map(|pc| movement_sentence(s, pc)));
    out
}

/// A verdict in words: `accepts`, `rejects`, `depends on the open points`.
fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Accepts => "accepts",
        Verdict::Rejects => "rejects",
        Verdict::Depends => "depends on the open points",
    }
}

/// What moved for one party between two proposals, in one sentence: its verdict (exactly
/// from what to what) and its red lines by how they move between crossed, at risk (on an
/// open point) and kept. `None` when neither moves.
fn movement_sentence(s: &Scenario, pc: &analysis::PartyChange) -> Option<String> {
    use analysis::RedLineState::{AtRisk, Crossed, Kept};
    let name = party_name(s, pc.party);
    let moved = |before, after| -> Vec<String> {
        pc.issues_moving(before, after).into_iter().map(|i| s.issues()[i].id.clone()).collect()
    };
    let lines = |ids: &[String]| if ids.len() == 1 { "red line" } else { "red lines" };
    let them = |ids: &[String]| if ids.len() == 1 { "it" } else { "them" };
    let mut clauses = vec![];
    let x = moved(Kept, Crossed);
    if !x.is_empty() {
        clauses.push(format!("the new text crosses its {} on {}", lines(&x), and_list(&x)));
    }
    let x = moved(AtRisk, Crossed);
    if !x.is_empty() {
        clauses.push(format!(
            "the new text settles {} across its {} (the old text left {} open)",
            and_list(&x),
            lines(&x),
            them(&x)
        ));
    }
    let x = moved(Crossed, Kept);
    if !x.is_empty() {
        clauses.push(format!("the new text stops crossing its {} on {}", lines(&x), and_list(&x)));
    }
    let x = moved(Crossed, AtRisk);
    if !x.is_empty() {
        clauses.push(format!(
            "the new text no longer crosses its {} on {} but leaves {} open, where some ways of settling {} would",
            lines(&x),
            and_list(&x),
            them(&x),
            them(&x)
        ));
    }
    let x = moved(AtRisk, Kept);
    if !x.is_empty() {
        clauses.push(format!("the new text settles {} within its {}", and_list(&x), lines(&x)));
    }
    let x = moved(Kept, AtRisk);
    if !x.is_empty() {
        clauses.push(format!(
            "the new text leaves {} open, where some ways of settling {} would cross its {}",
            and_list(&x),
            them(&x),
            lines(&x)
        ));
    }
    let (before, after) = (pc.before.verdict, pc.after.verdict);
    let head = if before == after {
        if clauses.is_empty() {
            return None;
        }
        format!("{name} still {}", verdict_words(after))
    } else {
        format!("{name} goes from {} to {}", verdict_words(before), verdict_words(after))
    };
    if clauses.is_empty() {
        Some(format!("{head}."))
    } else {
        Some(format!("{head}: {}.", clauses.join("; ")))
    }
}
