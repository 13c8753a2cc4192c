//! `detente analyze`: the negotiation on one screen.

use detente_analysis::date_words;
use detente_analysis::{self as analysis, DatedAfter, DeadlockOptions, Evaluation, Gap};
use detente_core::Scenario;
use detente_words::{and_list, count, num, range};
use serde_json::json;
use std::fmt::Write as _;

use crate::deadlock::{deadlock_answer, deadlock_json, deadlock_text, deal_question};
use crate::json;
use crate::mediate::Narrow;
use crate::printer::Report;
use crate::prose::{
    counted_words, dated_after_json, dated_after_paragraph, party_name, verdict_cell,
    verdict_sentence,
};
use crate::robust::{inputs_words, percent, share_json};
use crate::sensitivity::{flip_json, holds_json};
use crate::table::Table;
use detente_robust::monte_carlo::{self, Inputs, Tally};
use detente_robust::sensitivity::{self, ProposalSensitivity, VerdictSensitivity};

/// `detente analyze`: every evaluation, the gap on the latest draft, what would narrow it,
/// and whether any deal is possible for the principals.
pub struct Analyze<'a> {
    s: &'a Scenario,
    evals: Vec<Evaluation>,
    latest: Option<usize>,
    gap: Option<Gap>,
    counted: Vec<usize>,
    d: detente_analysis::Deadlock,
    max_nodes: Option<u64>,
    narrow: Option<Narrow>,
    late: Vec<DatedAfter>,
    /// `None` when there is no proposal to be sure of.
    sure: Option<Sure>,
}

/// Draws behind each verdict's share in `analyze` (fewer than `robust`'s default: the share
/// is a guide here, within about 0.016 at worst; `robust` says more).
pub const DEFAULT_SAMPLES: u64 = 1_000;

/// The most draws `analyze` takes (`robust` takes more, and splits into shards).
const MAX_SAMPLES: u64 = 1_000_000;

/// How sure each verdict is: the share of draws of the estimates' ranges giving it (a
/// Monte Carlo study of every proposal, as `detente robust`), and its nearest flip (as
/// `detente sensitivity`).
struct Sure {
    seed: u64,
    inputs: Inputs,
    tally: Tally,
    /// One per proposal, every party.
    flips: Vec<ProposalSensitivity>,
}

fn sure(s: &Scenario, samples: u64, seed: u64) -> anyhow::Result<Option<Sure>> {
    if !(1..=MAX_SAMPLES).contains(&samples) {
        return Err(crate::BadInput(format!(
            "--samples {samples}: analyze takes 1 to {MAX_SAMPLES} draws (detente robust takes more)"
        ))
        .into());
    }
    if s.proposals().is_empty() {
        return Ok(None);
    }
    let options = monte_carlo::Options::new(s, samples, seed);
    let tally = monte_carlo::run(s, &options, &|_, _| {})?;
    let everyone: Vec<usize> = (0..s.parties().len()).collect();
    let flips = (0..s.proposals().len())
        .map(|j| sensitivity::sensitivity(s, j, &everyone))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Sure { seed, inputs: Inputs::of(s), tally, flips }))
}

impl Sure {
    /// How many draws gave party `p` the verdict `v` has on proposal `j`, of how many.
    fn same(&self, j: usize, v: &VerdictSensitivity) -> (u64, u64) {
        let counts = self.tally.proposals[j].verdicts[v.party];
        (counts[monte_carlo::verdict_index(v.verdict)], self.tally.draws)
    }

    fn json(&self, s: &Scenario) -> serde_json::Value {
        json!({
            "samples": self.tally.draws,
            "seed": self.seed,
            "varying_estimates": self.inputs.varying(),
            "doubtful_red_lines": self.inputs.doubts,
            "proposals": self.flips.iter().map(|ps| json!({
                "proposal": s.proposals()[ps.proposal].id,
                "parties": ps.verdicts.iter().map(|v| {
                    let (k, n) = self.same(ps.proposal, v);
                    json!({
                        "party": s.parties()[v.party].id,
                        "verdict": json::verdict(v.verdict),
                        "same_verdict": share_json(k, n),
                        "red_lines_crossed": v.crossed.iter().map(|h| holds_json(s, h)).collect::<Vec<_>>(),
                        "nearest_flip": v.nearest().map(|f| flip_json(s, f)),
                    })
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    fn text(&self, s: &Scenario, out: &mut String) {
        let _ = writeln!(
            out,
            "How sure is each verdict? The share of {} draws of the estimates' ranges (seed {}; \
             `detente robust` says more) that give the verdict above, and its nearest flip (the \
             estimate most likely to lie past the value that flips it; `detente sensitivity` lists \
             them all). {}",
            self.tally.draws,
            self.seed,
            inputs_words(&self.inputs).trim_end()
        );
        for ps in &self.flips {
            for v in &ps.verdicts {
                let (k, n) = self.same(ps.proposal, v);
                let head = format!(
                    "- {}: {} {} (in {} of the draws)",
                    s.proposals()[ps.proposal].id,
                    party_name(s, v.party),
                    v.verdict.as_str(),
                    percent(k, n)
                );
                let tail = if !v.crossed.is_empty() {
                    format!(
                        ": it crosses {}; no estimate flips it",
                        sensitivity::red_lines_words(s, &v.crossed)
                    )
                } else if let Some(f) = v.nearest() {
                    format!(
                        "; {}{}",
                        sensitivity::flip_words(s, f),
                        if f.inside { "" } else { ", beyond its range" }
                    )
                } else {
                    "; no estimate flips it within its allowed values".to_string()
                };
                let _ = writeln!(out, "{head}{tail}.");
            }
        }
        out.push('\n');
    }
}

/// `detente analyze`: the negotiation on one screen.
pub fn analyze(s: &Scenario, samples: u64, seed: u64) -> anyhow::Result<Analyze<'_>> {
    let evals = (0..s.proposals().len())
        .map(|j| analysis::evaluate(s, j))
        .collect::<Result<Vec<_>, _>>()?;
    let latest = analysis::latest_proposal(s);
    let gap = latest.map(|j| analysis::gap(s, j)).transpose()?;
    // Whose deal: the principals (everyone when none is named), as `detente deadlock`.
    let counted = analysis::counted_parties(s);
    let options = DeadlockOptions { parties: Some(counted.clone()), ..DeadlockOptions::default() };
    let d = deadlock_answer(s, &options)?;
    let narrow = latest.map(|j| crate::mediate::narrow_the_gap(s, j));
    let late = analysis::dated_after_as_of(s);
    let sure = sure(s, samples, seed)?;
    let max_nodes = options.max_nodes;
    Ok(Analyze { s, evals, latest, gap, counted, d, max_nodes, narrow, late, sure })
}

impl Report for Analyze<'_> {
    fn json(&self) -> serde_json::Value {
        let Analyze { s, evals, latest, gap, counted, d, max_nodes, narrow, late, sure } = self;
        json!({
            "scenario": json::scenario_header(s),
            "evaluations": evals.iter().map(|e| json::evaluation(s, e)).collect::<Vec<_>>(),
            "dated_after_as_of": dated_after_json(s, late),
            "latest": latest.map(|j| s.proposals()[j].id.clone()),
            "gap": gap.as_ref().map(|g| json::gap(s, g)),
            "narrow_the_gap": narrow.as_ref().map(|n| crate::mediate::narrow_the_gap_json(s, n)),
            "deadlock": deadlock_json(s, d, counted, *max_nodes),
            "how_sure": sure.as_ref().map(|sure| sure.json(s)),
        })
    }

    fn text(&self) -> String {
        let Analyze { s, evals, latest, gap, counted, d, max_nodes, narrow, late, sure } = self;
        let (latest, s) = (*latest, *s);
        let mut out = String::new();
        let _ = writeln!(out, "{}: {}", s.meta().name, s.meta().title);
        let mut facts = vec![];
        if let Some(d) = &s.meta().as_of {
            facts.push(format!("as of {}", date_words(d)));
        }
        facts.push(count(s.parties().len(), "party", "parties"));
        facts.push(count(s.issues().len(), "point", "points"));
        facts.push(count(s.proposals().len(), "proposal", "proposals"));
        let _ = writeln!(out, "{}", facts.join(", "));
        out.push_str(&dated_after_paragraph(s, late));
        out.push('\n');

        if evals.is_empty() {
            out.push_str("No proposals on the table.\n\n");
        } else {
            out.push_str(
                "Would each party sign? (verdict, utility; ✗n: n points cross its red lines)\n",
            );
            // One row per party, one column per proposal (parties are few, ids short).
            let mut header = vec!["party".to_string(), "reservation".to_string()];
            header.extend(evals.iter().map(|e| s.proposals()[e.proposal].id.clone()));
            let mut t = Table::new(header);
            if s.proposals().iter().any(|p| p.date.is_some()) {
                let mut dates = vec!["(date)".to_string(), String::new()];
                dates.extend(evals.iter().map(|e| {
                    s.proposals()[e.proposal].date.as_deref().map(date_words).unwrap_or_default()
                }));
                t.row(dates);
            }
            for (p, party) in s.parties().iter().enumerate() {
                let mut row = vec![party.id.clone(), num(party.reservation)];
                row.extend(evals.iter().map(|e| verdict_cell(&e.parties[p])));
                t.row(row);
            }
            out.push_str(&t.render_fit("  ", 2));
            out.push('\n');
            if let Some(sure) = sure {
                sure.text(s, &mut out);
            }
        }

        if let (Some(j), Some(g)) = (latest, &gap) {
            let prop = &s.proposals()[j];
            let late = prop
                .date
                .as_deref()
                .zip(s.meta().as_of.as_deref())
                .and_then(|(d, as_of)| analysis::dates::after(d, as_of).map(|c| (d, c)));
            let when = match late {
                Some((d, certain)) => format!(
                    " ({}, {}after this scenario's as_of)",
                    date_words(d),
                    if certain { "" } else { "possibly " }
                ),
                None => String::new(),
            };
            let everyone = analysis::whose(s, &g.counted) == analysis::Whose::Everyone;
            let them =
                if everyone { "every party".to_string() } else { counted_words(s, &g.counted) };
            let _ =
                writeln!(out, "The gap on the latest draft, {}{when}, counting {them}:", prop.id);
            for &p in &g.counted {
                let pg = &g.parties[p];
                if !pg.crossed_whatever() {
                    continue;
                }
                let issues: Vec<String> =
                    pg.issues_crossed().into_iter().map(|i| s.issues()[i].id.clone()).collect();
                let _ = writeln!(
                    out,
                    "  {}: {} ({}) {} crossed whatever the open points; shortfall {} besides.",
                    party_name(s, p),
                    if issues.len() == 1 { "a red line" } else { "red lines" },
                    and_list(&issues),
                    if issues.len() == 1 { "is" } else { "are" },
                    range(pg.shortfall_best, pg.shortfall),
                );
            }
            let blocked = g.blocked();
            let (lo, hi) = g.total_range;
            let total = if g.total_exact {
                range(lo, hi)
            } else {
                format!(
                    "between {} and {} (bounds: too many ways to settle them to weigh each)",
                    num(lo),
                    num(hi)
                )
            };
            let mut sentence = if hi == 0.0 {
                format!(
                    "  {}one of them falls short of its reservation, however the open points are settled",
                    if blocked { "Besides the red lines, n" } else { "N" }
                )
            } else {
                format!(
                    "  {}heir shortfall below their reservations totals {total}, as the open points are settled",
                    if blocked { "Besides the red lines, t" } else { "T" }
                )
            };
            if blocked {
                sentence.push_str(&format!(
                    "; no way of settling them brings {} to accept",
                    if g.counted.len() == 2 { "both" } else { "all of them" }
                ));
            }
            let _ = writeln!(out, "{sentence}.");
            let mut t = Table::new(
                ["party", "red lines", "shortfall", "points making it"].map(String::from).to_vec(),
            );
            for pg in &g.parties {
                let ids = |issues: Vec<usize>| {
                    issues.iter().map(|&i| s.issues()[i].id.as_str()).collect::<Vec<_>>().join(" ")
                };
                let mut lines = vec![];
                if !pg.red_lines_crossed.is_empty() {
                    lines.push(format!("✗ {}", ids(pg.issues_crossed())));
                }
                if !pg.red_lines_at_risk.is_empty() {
                    lines.push(format!("? {}", ids(pg.issues_at_risk())));
                }
                let points: Vec<String> = pg
                    .points
                    .iter()
                    .take(3)
                    .map(|&(i, share)| format!("{} {}", s.issues()[i].id, num(share)))
                    .collect();
                t.row(vec![
                    s.parties()[pg.party].id.clone(),
                    if lines.is_empty() { "-".to_string() } else { lines.join("; ") },
                    range(pg.shortfall_best, pg.shortfall),
                    points.join(", "),
                ]);
            }
            out.push_str(&t.render_fit("  ", 1));
            out.push_str(
            "  (red lines: ✗ crossed whatever the open points, ? at risk on an open point; shortfall below the reservation as the open points are settled)\n",
        );
            let top: Vec<String> = g
                .points
                .iter()
                .take(5)
                .map(|pg| {
                    format!(
                        "{} {} ({})",
                        s.issues()[pg.issue].id,
                        s.issues()[pg.issue].name,
                        num(pg.share)
                    )
                })
                .collect();
            if !top.is_empty() {
                let _ = writeln!(
                    out,
                    "  Points making most of the shortfall (at its worst): {}.",
                    top.join("; ")
                );
            }
            out.push('\n');
            if let Some(e) = evals.get(j) {
                for pe in &e.parties {
                    let _ = writeln!(out, "{}", verdict_sentence(s, pe));
                }
                out.push('\n');
            }
        }

        if let Some(n) = &narrow {
            crate::mediate::narrow_the_gap_text(s, n, &mut out);
            out.push('\n');
        }
        let _ = write!(
            out,
            "Is any deal possible under the red lines and reservations, {}? ",
            deal_question(s, counted)
        );
        deadlock_text(s, d, *max_nodes, &mut out);
        out
    }
}
