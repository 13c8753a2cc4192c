//! `detente sensitivity`: for each verdict, the estimates that flip it and the exact value at
//! which they do (computed by `detente_robust::sensitivity`), ranked by how likely each
//! estimate is to lie past its threshold; a tornado chart with `--plot`.

use std::fmt::Write as _;
use std::path::Path;

use detente_core::{Estimate, Origin, Scenario};
use detente_robust::sensitivity::{
    self as sens, Flip, ProposalSensitivity, RedLineHold, VerdictSensitivity,
};
use detente_words::{noun, num, range};
use serde_json::{Value, json};

use crate::json;
use crate::plot;
use crate::printer::Report;
use crate::prose::{counted_words, proposal_line, verdict_word};
use crate::table::{Table, truncate};

/// Flips a verdict's sentence names.
const IN_SENTENCE: usize = 3;
/// Flips a verdict's rows in the table.
const IN_TABLE: usize = 5;
/// Bars of the tornado chart.
const IN_PLOT: usize = 25;

/// `detente sensitivity`'s report.
pub struct Sensitivity<'a> {
    s: &'a Scenario,
    parties: Vec<usize>,
    results: Vec<ProposalSensitivity>,
}

/// The sensitivity of each of `parties`' verdicts on each of `proposals`; with `plot`, a
/// tornado chart of `plot_proposal` written there.
pub fn sensitivity<'a>(
    s: &'a Scenario,
    proposals: &[usize],
    parties: Vec<usize>,
    plot: Option<(&Path, usize)>,
) -> anyhow::Result<Sensitivity<'a>> {
    let results = proposals
        .iter()
        .map(|&j| sens::sensitivity(s, j, &parties))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((path, j)) = plot {
        let found = match results.iter().find(|r| r.proposal == j) {
            Some(r) => r.clone(),
            None => sens::sensitivity(s, j, &parties)?,
        };
        crate::output::write_file(path, tornado(s, &found).as_bytes())?;
    }
    Ok(Sensitivity { s, parties, results })
}

/// An estimate's name in a table cell: `reservation`, `weight SEC-01`, `value TER-01 keep`.
fn estimate_cell(s: &Scenario, e: Estimate) -> String {
    let issue = |i: usize| s.issues()[i].id.as_str();
    match e {
        Estimate::Value { issue: i, option, .. } => {
            format!("value {} {}", issue(i), s.issues()[i].option_id(option))
        }
        _ => match e.issue() {
            Some(i) => format!("{} {}", e.field(), issue(i)),
            None => e.field().to_string(),
        },
    }
}

fn estimate_json(s: &Scenario, e: Estimate) -> Value {
    let option = match e {
        Estimate::Value { issue, option, .. } => Some(s.issues()[issue].option_id(option)),
        _ => None,
    };
    json!({
        "party": s.parties()[e.party()].id,
        "field": e.field(),
        "issue": e.issue().map(|i| s.issues()[i].id.clone()),
        "option": option,
    })
}

pub(crate) fn flip_json(s: &Scenario, f: &Flip) -> Value {
    let r = &f.range;
    let (origin, grade) = match r.origin {
        Origin::Stated => ("stated", None),
        Origin::Grade(g) => ("grade", Some(g.as_str())),
        Origin::Fixed => ("fixed", None),
    };
    json!({
        "estimate": estimate_json(s, f.estimate()),
        "point": json::num(r.point),
        "low": json::num(r.spread.low()),
        "high": json::num(r.spread.high()),
        "spread": r.spread.name(),
        "origin": origin,
        "grade": grade,
        "threshold": json::num(f.threshold),
        // Not rounded: set exactly, this number gives the new verdict.
        "stated": f.stated,
        "direction": f.direction.as_str(),
        "to": json::verdict(f.to),
        "inside_range": f.inside,
        "beyond": json::num(f.beyond),
        "range_widths": if f.widths.is_finite() { json::num(f.widths) } else { Value::Null },
        "words": sens::flip_words(s, f),
    })
}

pub(crate) fn holds_json(s: &Scenario, h: &RedLineHold) -> Value {
    json!({ "red_line": json::red_line(s, h.red_line), "holds": json::num(h.holds) })
}

fn verdict_json(s: &Scenario, v: &VerdictSensitivity) -> Value {
    json!({
        "party": s.parties()[v.party].id,
        "verdict": json::verdict(v.verdict),
        "utility": [json::num(v.utility_min), json::num(v.utility_max)],
        "reservation": json::num(v.reservation),
        "red_lines_crossed": v.crossed.iter().map(|h| holds_json(s, h)).collect::<Vec<_>>(),
        "red_lines_at_risk": v.at_risk.iter().map(|h| holds_json(s, h)).collect::<Vec<_>>(),
        "flips": v.flips.iter().map(|f| flip_json(s, f)).collect::<Vec<_>>(),
        "no_flip": v.steady.iter().map(|&e| estimate_json(s, e)).collect::<Vec<_>>(),
    })
}

/// Where the verdict flips, for a table cell: `below 0.52`, `above 2.10`, `at 0.00`.
fn flips_cell(f: &Flip) -> String {
    use sens::Direction::*;
    let at = match f.direction {
        FallsBelow => "below",
        RisesAbove => "above",
        FallsTo | RisesTo => "at",
    };
    format!("{at} {}", f.stated_words())
}

impl Report for Sensitivity<'_> {
    fn json(&self) -> Value {
        let s = self.s;
        json!({
            "scenario": s.meta().name,
            "parties": self.parties.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
            "proposals": self.results.iter().map(|r| json!({
                "proposal": json::proposal_header(s, r.proposal),
                "verdicts": r.verdicts.iter().map(|v| verdict_json(s, v)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    fn text(&self) -> String {
        let s = self.s;
        let mut out = String::new();
        if self.parties.len() < s.parties().len() {
            let _ = writeln!(out, "Verdicts of {}.\n", counted_words(s, &self.parties));
        }
        for (n, r) in self.results.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let _ = writeln!(out, "{}\n", proposal_line(s, r.proposal));
            for v in &r.verdicts {
                let _ = writeln!(out, "{}", sens::sentence(s, v, IN_SENTENCE));
            }
            let shown: Vec<(&VerdictSensitivity, &Flip)> = r
                .verdicts
                .iter()
                .flat_map(|v| v.flips.iter().take(IN_TABLE).map(move |f| (v, f)))
                .collect();
            if shown.is_empty() {
                continue;
            }
            let mut t = Table::new(
                ["party", "estimate", "point", "range", "flips", "to", "chance"]
                    .map(String::from)
                    .to_vec(),
            );
            for (v, f) in &shown {
                t.row(vec![
                    s.parties()[v.party].id.clone(),
                    truncate(&estimate_cell(s, f.estimate()), 30),
                    num(f.range.point),
                    range(f.range.spread.low(), f.range.spread.high()),
                    flips_cell(f),
                    verdict_word(f.to).to_string(),
                    num(f.beyond),
                ]);
            }
            out.push('\n');
            out.push_str(&t.render_fit("  ", 2));
            let total: usize = r.verdicts.iter().map(|v| v.flips.len()).sum();
            let more = total - shown.len();
            let _ = writeln!(
                out,
                "  (flips: the estimate past this value, all else as it stands, gives the verdict in `to`; chance: the probability under the estimate's range that it lies past the threshold; most likely first{})",
                if more > 0 {
                    format!(
                        ", at most {IN_TABLE} per verdict: {more} more {} in --json",
                        noun(more, "flip", "flips")
                    )
                } else {
                    String::new()
                }
            );
        }
        out
    }
}

/// The tornado chart of one proposal: one bar per estimate that flips a verdict (the most
/// likely first, at most [`IN_PLOT`]).
fn tornado(s: &Scenario, r: &ProposalSensitivity) -> String {
    let mut bars: Vec<plot::TornadoBar> = vec![];
    let mut flips: Vec<&Flip> = r.verdicts.iter().flat_map(|v| v.flips.iter()).collect();
    flips.sort_by(|a, b| b.beyond.total_cmp(&a.beyond).then(a.widths.total_cmp(&b.widths)));
    for f in flips {
        let label =
            format!("{}: {}", s.parties()[f.estimate().party()].id, estimate_cell(s, f.estimate()));
        let mark = plot::TornadoMark {
            at: f.threshold,
            label: format!("{} {}", flips_cell(f), verdict_word(f.to)),
        };
        let room = bars.len() < IN_PLOT;
        match bars.iter_mut().find(|b| b.label == label) {
            Some(b) => b.marks.push(mark),
            None if room => bars.push(plot::TornadoBar {
                label,
                low: f.range.spread.low(),
                high: f.range.spread.high(),
                point: f.range.point,
                chance: f.beyond,
                marks: vec![mark],
            }),
            None => {}
        }
    }
    let id = &s.proposals()[r.proposal].id;
    let title = format!("{}: where each estimate flips a verdict on {id}", s.meta().name);
    let note =
        if bars.is_empty() { Some(format!("no estimate flips a verdict on {id}")) } else { None };
    plot::tornado_svg(&title, &bars, note.as_deref())
}
