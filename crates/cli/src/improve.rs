//! `detente improve`: the packages of changes to a draft that make every counted party at
//! least as well off and someone better off, ranked by the gains.

use std::fmt::Write as _;

use detente_analysis::{Blocked, Gains, ImproveOptions, Improvements};
use detente_core::{Scenario, Term};
use detente_words::{count, distinct, num};
use serde_json::{Value, json};

use crate::BadInput;
use crate::json as j;
use crate::mediate::{
    MAX_BUDGET, MAX_TOP, Ranked, check_max_changes, counted_words, revision_json,
};
use crate::printer::Report;
use crate::table::Table;

/// What the packages are ranked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    /// The product of the counted parties' gains (weighted by --power).
    Nash,
    /// The smallest gain of a counted party.
    Egalitarian,
    /// The sum of the counted parties' gains.
    Welfare,
}

impl ObjectiveArg {
    fn gains(self) -> Gains {
        match self {
            ObjectiveArg::Nash => Gains::Nash,
            ObjectiveArg::Egalitarian => Gains::Egalitarian,
            ObjectiveArg::Welfare => Gains::Welfare,
        }
    }
}

/// The flags of `detente improve` besides the scenario, the draft and the parties.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub objective: Option<ObjectiveArg>,
    pub max_changes: Option<usize>,
    pub top: Option<usize>,
    pub budget: Option<u64>,
    pub power: Option<String>,
    pub min_probability: Option<f64>,
    pub samples: Option<u64>,
    pub seed: Option<u64>,
}

/// `detente improve`: checks the flags, runs the search, and studies the packages over the
/// estimates' ranges when `--min-probability` asks.
pub fn run<'a>(
    s: &'a Scenario,
    from: usize,
    parties: Vec<usize>,
    flags: &Flags,
) -> anyhow::Result<Box<dyn Report + 'a>> {
    check_max_changes(s, flags.max_changes)?;
    let top = flags.top.unwrap_or(3);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(BadInput(format!("--top must be between 1 and {MAX_TOP}")).into());
    }
    if flags.budget.is_some_and(|b| !(1..=MAX_BUDGET).contains(&b)) {
        return Err(BadInput(format!(
            "--budget must be between 1 and {MAX_BUDGET} steps (about an hour)"
        ))
        .into());
    }
    let objective = flags.objective.unwrap_or(ObjectiveArg::Nash);
    let power = match &flags.power {
        None => None,
        Some(_) if objective != ObjectiveArg::Nash => {
            return Err(BadInput(
                "--power applies to --objective nash only (the bargaining powers of the Nash product)"
                    .to_string(),
            )
            .into());
        }
        Some(spec) => {
            let counted = crate::load::power(s, &parties, spec)?;
            let mut all = vec![1.0; s.parties().len()];
            for (&p, x) in parties.iter().zip(counted) {
                all[p] = x;
            }
            Some(all)
        }
    };
    let options = ImproveOptions {
        objective: objective.gains(),
        max_changes: flags.max_changes,
        top,
        budget: Some(flags.budget.unwrap_or(detente_analysis::DEFAULT_BUDGET)),
        parties: Some(parties),
        power,
    };
    let m = detente_analysis::improve(s, from, &options).map_err(|e| BadInput(e.to_string()))?;
    let ranked = rank(s, &m, flags)?;
    let words = detente_analysis::improvement_words(s, &m);
    Ok(Box::new(Improve { s, m, words, ranked }))
}

fn rank(s: &Scenario, m: &Improvements, flags: &Flags) -> anyhow::Result<Option<Ranked>> {
    Ranked::by_draws(flags.min_probability, flags.samples, flags.seed, |samples, seed| {
        let revised: Vec<Vec<Term>> = m.packages.iter().map(|p| p.revision.terms.clone()).collect();
        let draft = &s.proposals()[m.proposal].terms;
        Ok(detente_robust::drafts::all_improve(s, draft, &revised, &m.parties, samples, seed)?)
    })
}

/// `detente improve`: the search and its words.
struct Improve<'a> {
    s: &'a Scenario,
    m: Improvements,
    words: Vec<String>,
    ranked: Option<Ranked>,
}

fn package_json(s: &Scenario, m: &Improvements, n: usize) -> Value {
    let p = &m.packages[n];
    let mut v = revision_json(s, &p.revision);
    if let Some(rows) = v["parties"].as_array_mut() {
        for (q, row) in rows.iter_mut().enumerate() {
            row["gain"] = json!(j::num(p.gains[q]));
            row["counted"] = json!(m.parties.contains(&q));
        }
    }
    v["objective"] = json!(j::num(p.objective));
    v
}

fn blocked_json(s: &Scenario, b: &Blocked) -> Value {
    match b {
        Blocked::NoRepair { issue } => {
            json!({ "kind": "no_repair", "issue": s.issues()[*issue].id })
        }
        Blocked::TooManyRepairs { issues } => json!({
            "kind": "too_many_repairs",
            "issues": issues.iter().map(|&i| s.issues()[i].id.clone()).collect::<Vec<_>>(),
        }),
    }
}

fn improve_json(s: &Scenario, m: &Improvements, words: &[String]) -> Value {
    let counted: Vec<String> = m.parties.iter().map(|&p| s.parties()[p].id.clone()).collect();
    json!({
        "scenario": s.meta().name,
        "from": j::proposal_header(s, m.proposal),
        "objective": m.objective.as_str(),
        "power": m.power.as_ref().map(|a| m.parties.iter().zip(a).map(|(&p, x)| {
            (s.parties()[p].id.clone(), json!(j::num(*x)))
        }).collect::<serde_json::Map<_, _>>()),
        "max_changes": m.max_changes,
        "parties": counted,
        "draft": s.parties().iter().enumerate().map(|(p, party)| json!({
            "party": party.id,
            "utility": [j::num(m.utilities[p].0), j::num(m.utilities[p].1)],
            "verdict": j::verdict(m.verdicts[p]),
        })).collect::<Vec<_>>(),
        "repairs": j::red_lines(s, &m.repairs),
        "blocked": m.blocked.as_ref().map(|b| blocked_json(s, b)),
        "packages": (0..m.packages.len()).map(|n| package_json(s, m, n)).collect::<Vec<_>>(),
        "exact": m.exact,
        "termination": j::termination(m.termination()),
        "note": m.note,
        "explanation": words,
        "nodes": m.nodes,
        "work": m.work,
        "budget": m.budget,
    })
}

impl Report for Improve<'_> {
    fn json(&self) -> Value {
        let Improve { s, m, words, ranked } = self;
        let mut v = improve_json(s, m, words);
        if let Some(r) = ranked {
            v["min_probability"] = json!(r.min);
            v["samples"] = json!(r.samples);
            v["seed"] = json!(r.seed);
            v["packages"] = r
                .kept
                .iter()
                .map(|&(n, k)| {
                    let mut pv = package_json(s, m, n);
                    pv["rank_by_objective"] = json!(n + 1);
                    pv["improves"] = crate::robust::share_json(k, r.samples);
                    pv
                })
                .collect();
        }
        v
    }

    fn text(&self) -> String {
        let Improve { s, m, words, ranked } = self;
        let s = *s;
        let mut out = String::new();
        let draft = &s.proposals()[m.proposal];
        let _ = writeln!(
            out,
            "Improving {} ({}), objective {}, within {}; counted: {}",
            draft.id,
            draft.title,
            m.objective.as_str(),
            count(m.max_changes, "change", "changes"),
            counted_words(s, &m.parties)
        );
        let _ = writeln!(
            out,
            "{}\n",
            if m.exact {
                "Exact: the search covered every package within the limit.".to_string()
            } else {
                format!(
                    "Not exact: the work budget ({} steps) was reached; what follows is the best found.",
                    m.budget.unwrap_or(0)
                )
            }
        );
        let listed: Vec<(usize, Option<u64>)> = match ranked {
            None => (0..m.packages.len()).map(|n| (n, None)).collect(),
            Some(r) => {
                let _ = writeln!(
                    out,
                    "Ranked by the share of {} draws of the estimates' ranges (seed {}) in which the package still improves the draft for every counted party; kept: those at or above {} ({} of {}).\n",
                    r.samples,
                    r.seed,
                    num(r.min),
                    r.kept.len(),
                    r.of
                );
                r.kept.iter().map(|&(n, k)| (n, Some(k))).collect()
            }
        };
        for (shown, &(n, k)) in listed.iter().enumerate() {
            let p = &m.packages[n];
            let head = format!(
                "{}, {} {}",
                count(p.revision.changes.len(), "change", "changes"),
                m.objective.as_str(),
                distinct(p.objective, 0.0).0
            );
            match (k, ranked) {
                (Some(k), Some(r)) => {
                    let _ = writeln!(
                        out,
                        "  {}. {head} (improves in {} of the draws; {} by the objective):",
                        shown + 1,
                        crate::robust::percent(k, r.samples),
                        n + 1
                    );
                }
                _ => {
                    let _ = writeln!(out, "  {}. {head}:", n + 1);
                }
            }
            package_table(s, m, n, &mut out);
            out.push('\n');
        }
        if ranked.as_ref().is_some_and(|r| r.kept.is_empty() && r.of > 0) {
            out.push_str("  No package listed reaches that share.\n\n");
        }
        for w in words {
            let _ = writeln!(out, "{w}");
        }
        if ranked.is_none()
            && !m.packages.is_empty()
            && s.estimates().iter().any(|e| !e.spread.is_point())
        {
            let _ = writeln!(
                out,
                "The gains are at the estimates' central values; the estimates have ranges: --min-probability P says how often each package stays an improvement."
            );
        }
        out
    }
}

/// One package: the red lines it crosses and the verdicts it changes, the changes, then
/// every party's utility before and after and its gain.
fn package_table(s: &Scenario, m: &Improvements, n: usize, out: &mut String) {
    let p = &m.packages[n];
    let r = &p.revision;
    let _ = writeln!(
        out,
        "    red lines crossed: {}",
        crate::mediate::or_none(&crate::mediate::crossed_words(s, r))
    );
    let _ = writeln!(
        out,
        "    verdicts changed: {}",
        crate::mediate::or_none(&crate::mediate::moved_words(s, r))
    );
    for c in &r.changes {
        let issue = &s.issues()[c.issue];
        let before = match c.before {
            Term::Open => "(open)".to_string(),
            Term::Set(k) => issue.option_id(k),
        };
        let _ = writeln!(out, "    {}: {before} -> {}", issue.id, issue.option_id(c.after));
    }
    let mut t = Table::new(["party", "before", "after", "gain"].map(String::from).to_vec());
    for (q, party) in s.parties().iter().enumerate() {
        let u = crate::mediate::u;
        let gain = if m.parties.contains(&q) {
            signed_gain(p.gains[q])
        } else {
            format!("{} (not counted)", signed_gain(p.gains[q]))
        };
        t.row(vec![
            party.id.clone(),
            format!("{} {}", j::verdict(r.verdicts_before[q]), u(r.utilities_before[q])),
            format!("{} {}", j::verdict(r.verdicts_after[q]), u(r.utilities_after[q])),
            gain,
        ]);
    }
    out.push_str(&t.render("    "));
}

/// A gain with its sign: 2 decimals, or more when one above or below 0 would print as 0.
fn signed_gain(g: f64) -> String {
    format!("{}{}", if g < 0.0 { "-" } else { "+" }, distinct(g.abs(), 0.0).0)
}
