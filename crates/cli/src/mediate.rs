//! `detente mediate`: revisions of a draft that narrow the gap, and the single negotiating
//! text procedure.

use std::fmt::Write as _;

use detente_analysis::{
    Change, MediateOptions, Mediation, Objective, RedLineState, Revision, SingleText,
    SingleTextOptions, Whose,
};
use detente_core::{Scenario, Term};
use detente_words::count;
use serde_json::{Value, json};

use crate::BadInput;
use crate::json as j;
use crate::printer::Report;
use crate::table::Table;

/// The most revisions `--top` may list.
pub const MAX_TOP: usize = 100;
/// The largest `--budget`, in steps: about an hour of work.
pub const MAX_BUDGET: u64 = 1_000_000_000_000;
/// The most revisions `--max-rounds` may allow.
pub const MAX_ROUNDS: usize = 1000;
/// The work budget of the "what would narrow the gap" section of `analyze`, in steps.
pub const NARROW_BUDGET: u64 = detente_analysis::DEFAULT_BUDGET / 10;

/// The mediation procedure asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Procedure {
    /// Ranked revisions of the draft, proved best within the limits.
    Search,
    /// The single negotiating text: one change per round, until all accept or it sticks.
    SingleText,
}

/// What the search ranks by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    /// The fewest changes after which every counted party accepts.
    FewestChanges,
    /// The largest smallest surplus of a counted party, red lines kept.
    MaxMinSurplus,
    /// The largest product of the counted parties' surpluses, every one accepting.
    Nash,
}

impl ObjectiveArg {
    fn objective(self) -> Objective {
        match self {
            ObjectiveArg::FewestChanges => Objective::FewestChanges,
            ObjectiveArg::MaxMinSurplus => Objective::MaxMinSurplus,
            ObjectiveArg::Nash => Objective::Nash,
        }
    }
}

/// The flags of `detente mediate` that belong to one procedure only.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    /// `--objective` (search).
    pub objective: Option<ObjectiveArg>,
    /// `--max-changes` (search).
    pub max_changes: Option<usize>,
    /// `--top` (search).
    pub top: Option<usize>,
    /// `--budget` (both procedures).
    pub budget: Option<u64>,
    /// `--max-rounds` (single text).
    pub max_rounds: Option<usize>,
    /// `--min-probability` (search).
    pub min_probability: Option<f64>,
    /// `--samples` (with `--min-probability`).
    pub samples: Option<u64>,
    /// `--seed` (with `--min-probability`).
    pub seed: Option<u64>,
    /// `--power` (with `--objective nash`).
    pub power: Option<String>,
}

/// Draws behind `--min-probability` by default (as `analyze`).
pub const DEFAULT_SAMPLES: u64 = 1_000;
/// The most draws `--min-probability` takes (`robust` takes more, in shards).
pub const MAX_SAMPLES: u64 = 1_000_000;

/// Drafts ranked by a count over draws of the estimates' ranges (`--min-probability`):
/// for `mediate`, the draws in which every counted party accepts a revision; for
/// `improve`, those in which a package still improves the draft.
pub(crate) struct Ranked {
    pub(crate) min: f64,
    pub(crate) samples: u64,
    pub(crate) seed: u64,
    /// `(rank by the objective, from 0; draws counted)`, by that count (largest first; ties
    /// in the objective's order), only those at or above `min`.
    pub(crate) kept: Vec<(usize, u64)>,
    /// How many drafts the search listed.
    pub(crate) of: usize,
}

impl Ranked {
    /// Checks `--min-probability`, `--samples` and `--seed` (`None` without the first),
    /// then counts with `count(samples, seed)` (one count per draft, in the objective's
    /// order) and keeps those at or above the probability.
    pub(crate) fn by_draws(
        min_probability: Option<f64>,
        samples: Option<u64>,
        seed: Option<u64>,
        count: impl FnOnce(u64, u64) -> anyhow::Result<Vec<u64>>,
    ) -> anyhow::Result<Option<Ranked>> {
        let Some(min) = min_probability else {
            if samples.is_some() || seed.is_some() {
                return Err(
                    BadInput("--samples and --seed go with --min-probability".into()).into()
                );
            }
            return Ok(None);
        };
        if !(0.0..=1.0).contains(&min) {
            return Err(BadInput(format!("--min-probability {min}: a probability, 0 to 1")).into());
        }
        let samples = samples.unwrap_or(DEFAULT_SAMPLES);
        if !(1..=MAX_SAMPLES).contains(&samples) {
            return Err(BadInput(format!(
                "--samples {samples}: 1 to {MAX_SAMPLES} draws (detente robust takes more)"
            ))
            .into());
        }
        let seed = seed.unwrap_or(0);
        let counts = count(samples, seed)?;
        let of = counts.len();
        let mut kept: Vec<(usize, u64)> = counts.into_iter().enumerate().collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        kept.retain(|&(_, k)| k as f64 >= min * samples as f64);
        Ok(Some(Ranked { min, samples, seed, kept, of }))
    }
}

fn rank(s: &Scenario, m: &Mediation, flags: &Flags) -> anyhow::Result<Option<Ranked>> {
    Ranked::by_draws(flags.min_probability, flags.samples, flags.seed, |samples, seed| {
        let drafts: Vec<Vec<Term>> = m.revisions.iter().map(|r| r.terms.clone()).collect();
        Ok(detente_robust::drafts::all_accept(s, &drafts, &m.parties, samples, seed)?)
    })
}

/// `--max-changes K` of `mediate` and `improve`: at least 1 (a revision of no change is the
/// draft itself); a K above the scenario's points searches every point, and the output
/// gives the limit searched (`max_changes`, "within 4 changes").
pub fn check_max_changes(s: &Scenario, k: Option<usize>) -> Result<(), BadInput> {
    match k {
        Some(0) => Err(BadInput(format!(
            "--max-changes 0: must be at least 1 (a revision of no change is the draft itself; a K of {} or more, the scenario's points, searches every point)",
            s.issues().len()
        ))),
        _ => Ok(()),
    }
}

/// `detente mediate`: checks that every flag given belongs to the procedure, then runs it.
pub fn run<'a>(
    s: &'a Scenario,
    from: usize,
    parties: Vec<usize>,
    procedure: Procedure,
    flags: &Flags,
) -> anyhow::Result<Box<dyn Report + 'a>> {
    let search_only = [
        ("--objective", flags.objective.is_some()),
        ("--max-changes", flags.max_changes.is_some()),
        ("--top", flags.top.is_some()),
        ("--min-probability", flags.min_probability.is_some()),
    ];
    if flags.budget.is_some_and(|b| !(1..=MAX_BUDGET).contains(&b)) {
        return Err(BadInput(format!(
            "--budget must be between 1 and {MAX_BUDGET} steps (about an hour)"
        ))
        .into());
    }
    let budget = Some(flags.budget.unwrap_or(detente_analysis::DEFAULT_BUDGET));
    match procedure {
        Procedure::Search => {
            if flags.max_rounds.is_some() {
                return Err(BadInput(
                    "--max-rounds applies to --procedure single-text only".to_string(),
                )
                .into());
            }
            check_max_changes(s, flags.max_changes)?;
            let top = flags.top.unwrap_or(3);
            if !(1..=MAX_TOP).contains(&top) {
                return Err(BadInput(format!("--top must be between 1 and {MAX_TOP}")).into());
            }
            let power = match &flags.power {
                None => None,
                Some(_) if flags.objective != Some(ObjectiveArg::Nash) => {
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
            let options = MediateOptions {
                objective: flags.objective.unwrap_or(ObjectiveArg::FewestChanges).objective(),
                max_changes: flags.max_changes,
                top,
                budget,
                parties: Some(parties),
                power,
            };
            let mut search = mediate(s, from, &options)?;
            search.ranked = rank(s, &search.m, flags)?;
            Ok(Box::new(search))
        }
        Procedure::SingleText => {
            let given: Vec<&str> =
                search_only.iter().filter(|(_, on)| *on).map(|(flag, _)| *flag).collect();
            if !given.is_empty() {
                return Err(BadInput(format!(
                    "{} {} to --procedure search only",
                    detente_words::and_list(&given),
                    if given.len() == 1 { "applies" } else { "apply" }
                ))
                .into());
            }
            let max_rounds = flags.max_rounds.unwrap_or(30);
            if !(1..=MAX_ROUNDS).contains(&max_rounds) {
                return Err(
                    BadInput(format!("--max-rounds must be between 1 and {MAX_ROUNDS}")).into()
                );
            }
            let options = SingleTextOptions { max_rounds, parties: Some(parties), budget };
            Ok(Box::new(single_text(s, from, &options)?))
        }
    }
}

/// The counted parties for a header: `russia, ukraine (the principals)`.
pub fn counted_words(s: &Scenario, parties: &[usize]) -> String {
    let ids: Vec<&str> = parties.iter().map(|&p| s.parties()[p].id.as_str()).collect();
    let which = match detente_analysis::whose(s, parties) {
        Whose::Everyone => " (every party)",
        Whose::Principals => " (the principals)",
        Whose::Others => " (as named with --parties)",
    };
    format!("{}{which}", ids.join(", "))
}

fn change_json(s: &Scenario, c: &Change) -> Value {
    json!({
        "issue": s.issues()[c.issue].id,
        "before": j::term(s, c.issue, c.before),
        "after": j::term(s, c.issue, Term::Set(c.after)),
    })
}

pub fn revision_json(s: &Scenario, r: &Revision) -> Value {
    json!({
        "changes": r.changes.iter().map(|c| change_json(s, c)).collect::<Vec<_>>(),
        "parties": s.parties().iter().enumerate().map(|(p, party)| json!({
            "party": party.id,
            "utility_before": [j::num(r.utilities_before[p].0), j::num(r.utilities_before[p].1)],
            "utility_after": [j::num(r.utilities_after[p].0), j::num(r.utilities_after[p].1)],
            "verdict_before": j::verdict(r.verdicts_before[p]),
            "verdict_after": j::verdict(r.verdicts_after[p]),
            "accepts": r.accepts[p],
            "shortfall": j::num(r.shortfalls[p]),
            "shortfall_best": j::num(r.shortfalls_best[p]),
        })).collect::<Vec<_>>(),
        "red_lines": r.red_lines.iter().map(|m| {
            let mut v = j::red_line(s, m.red_line);
            v["before"] = json!(m.before.as_str());
            v["after"] = json!(m.after.as_str());
            v
        }).collect::<Vec<_>>(),
        "red_lines_now_kept": j::red_lines(s, &r.red_lines_now_kept),
        "red_lines_broken": j::red_lines(s, &r.red_lines_broken),
        "red_lines_at_risk": j::red_lines(s, &r.red_lines_at_risk),
        "objective": j::num(r.objective),
    })
}

fn change_words(s: &Scenario, c: &Change) -> String {
    let issue = &s.issues()[c.issue];
    let before = match c.before {
        Term::Open => "(open)".to_string(),
        Term::Set(k) => issue.option_id(k),
    };
    format!("{}: {before} -> {}", issue.id, issue.option_id(c.after))
}

/// A utility for a table: `0.50`, or `0.40 to 0.60`.
pub fn u(x: (f64, f64)) -> String {
    detente_words::range(x.0, x.1)
}

/// Each party's remaining gap for a table: its crossed red lines, its shortfall (a range
/// when open points decide it), or `-` for none.
pub fn gap_cell(s: &Scenario, r: &Revision, p: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let crossed: Vec<String> = r.issues_crossing(p).map(|i| s.issues()[i].id.clone()).collect();
    if !crossed.is_empty() {
        parts.push(format!("red line {}", crossed.join(" ")));
    }
    if r.shortfalls[p] > 0.0 {
        parts.push(detente_words::range(r.shortfalls_best[p], r.shortfalls[p]));
    }
    if parts.is_empty() { "-".to_string() } else { parts.join(", ") }
}

/// The red lines a revision crosses: `ukraine on TER-03 (was open)`.
pub fn crossed_words(s: &Scenario, r: &Revision) -> Vec<String> {
    r.red_lines
        .iter()
        .filter(|m| m.after == RedLineState::Crossed)
        .map(|m| {
            format!(
                "{} on {}{}",
                s.parties()[m.red_line.party].id,
                s.issues()[m.red_line.issue].id,
                match m.before {
                    RedLineState::Crossed => " (already crossed)",
                    RedLineState::AtRisk => " (was open)",
                    RedLineState::Kept => "",
                }
            )
        })
        .collect()
}

/// The verdicts a revision changes: `russia rejects -> accepts`.
pub fn moved_words(s: &Scenario, r: &Revision) -> Vec<String> {
    (0..s.parties().len())
        .filter(|&p| r.verdicts_before[p] != r.verdicts_after[p])
        .map(|p| {
            format!(
                "{} {} -> {}",
                s.parties()[p].id,
                j::verdict(r.verdicts_before[p]),
                j::verdict(r.verdicts_after[p])
            )
        })
        .collect()
}

/// The red lines a revision's open points put at risk: `russia on TER-02`.
pub fn at_risk_words(s: &Scenario, r: &Revision) -> Vec<String> {
    r.red_lines
        .iter()
        .filter(|m| m.after == RedLineState::AtRisk)
        .map(|m| {
            format!("{} on {}", s.parties()[m.red_line.party].id, s.issues()[m.red_line.issue].id)
        })
        .collect()
}

/// `none`, or the items joined by commas.
pub fn or_none(items: &[String]) -> String {
    if items.is_empty() { "none".to_string() } else { items.join(", ") }
}

/// One revision: the red lines it crosses and the verdicts it changes first, then the
/// changes, then every party before and after.
fn revision_table(s: &Scenario, r: &Revision, out: &mut String) {
    let _ = writeln!(out, "    red lines crossed: {}", or_none(&crossed_words(s, r)));
    let _ = writeln!(out, "    verdicts changed: {}", or_none(&moved_words(s, r)));
    for c in &r.changes {
        let _ = writeln!(out, "    {}", change_words(s, c));
    }
    let mut t = Table::new(
        ["party", "before", "after", "accepts", "remaining gap"].map(String::from).to_vec(),
    );
    for (p, party) in s.parties().iter().enumerate() {
        t.row(vec![
            party.id.clone(),
            format!("{} {}", j::verdict(r.verdicts_before[p]), u(r.utilities_before[p])),
            format!("{} {}", j::verdict(r.verdicts_after[p]), u(r.utilities_after[p])),
            if r.accepts[p] { "yes".to_string() } else { "no".to_string() },
            gap_cell(s, r, p),
        ]);
    }
    out.push_str(&t.render("    "));
    let risky = at_risk_words(s, r);
    if !risky.is_empty() {
        let _ = writeln!(out, "    red lines open points put at risk: {}", risky.join(", "));
    }
}

/// `detente mediate` (the search): the mediation and its words.
pub struct Search<'a> {
    s: &'a Scenario,
    from: usize,
    m: Mediation,
    words: Vec<String>,
    ranked: Option<Ranked>,
}

/// `detente mediate` (the search).
pub fn mediate<'a>(
    s: &'a Scenario,
    from: usize,
    options: &MediateOptions,
) -> anyhow::Result<Search<'a>> {
    let m = detente_analysis::mediate(s, from, options).map_err(|e| BadInput(e.to_string()))?;
    let words = detente_analysis::mediation_words(s, &m);
    Ok(Search { s, from, m, words, ranked: None })
}

impl Search<'_> {
    /// The mediation and its words.
    pub fn found(&self) -> (&Mediation, &[String]) {
        (&self.m, &self.words)
    }
}

impl Report for Search<'_> {
    fn json(&self) -> Value {
        let mut v = mediation_json(self.s, &self.m, &self.words);
        if let Some(r) = &self.ranked {
            v["min_probability"] = json!(r.min);
            v["samples"] = json!(r.samples);
            v["seed"] = json!(r.seed);
            v["revisions"] = r
                .kept
                .iter()
                .map(|&(n, k)| {
                    let mut rv = revision_json(self.s, &self.m.revisions[n]);
                    rv["rank_by_objective"] = json!(n + 1);
                    rv["all_accept"] = crate::robust::share_json(k, r.samples);
                    rv
                })
                .collect();
        }
        v
    }

    fn text(&self) -> String {
        let Search { s, from, m, words, ranked } = self;
        let (s, from) = (*s, *from);
        let mut out = String::new();
        let _ = writeln!(out, "{}", search_heading(s, from, m));
        let _ = writeln!(out, "{}\n", exact_words(m));
        let listed: Vec<(usize, Option<u64>)> = match ranked {
            None => (0..m.revisions.len()).map(|n| (n, None)).collect(),
            Some(r) => {
                let _ = writeln!(
                    out,
                    "Ranked by the share of {} draws of the estimates' ranges (seed {}) in which every counted party accepts; kept: those at or above {} ({} of {}).\n",
                    r.samples,
                    r.seed,
                    detente_words::num(r.min),
                    r.kept.len(),
                    r.of
                );
                r.kept.iter().map(|&(n, k)| (n, Some(k))).collect()
            }
        };
        for (shown, &(n, k)) in listed.iter().enumerate() {
            let r = &m.revisions[n];
            let changes = count(r.changes.len(), "change", "changes");
            match (k, ranked) {
                (Some(k), Some(rk)) => {
                    let _ = writeln!(
                        out,
                        "  {}. {changes} (every counted party accepts in {} of the draws; {} by the objective):",
                        shown + 1,
                        crate::robust::percent(k, rk.samples),
                        ordinal(n + 1)
                    );
                }
                _ => {
                    let _ = writeln!(out, "  {}. {changes}:", n + 1);
                }
            }
            revision_table(s, r, &mut out);
            out.push('\n');
        }
        if ranked.as_ref().is_some_and(|r| r.kept.is_empty() && r.of > 0) {
            out.push_str("  No revision listed reaches that share.\n\n");
        }
        if m.revisions.is_empty() && !m.feasible {
            out.push_str(if m.exact {
                "  No revision within the limit makes every counted party accept.\n\n"
            } else {
                "  No revision every counted party accepts was found within the budget.\n\n"
            });
        }
        if let Some(c) = &m.closest {
            let _ = writeln!(
                out,
                "  The closest revision (fewest red lines crossed or at risk, then least total shortfall):"
            );
            revision_table(s, c, &mut out);
            out.push('\n');
        }
        for w in words {
            let _ = writeln!(out, "{w}");
        }
        out
    }
}

/// What was searched: `Mediating from us-28 (...), objective fewest-changes, within 24
/// changes; counted: russia, ukraine (the principals)`.
pub fn search_heading(s: &Scenario, from: usize, m: &Mediation) -> String {
    format!(
        "Mediating from {} ({}), objective {}, within {}; counted: {}",
        s.proposals()[from].id,
        s.proposals()[from].title,
        m.objective.as_str(),
        count(m.max_changes, "change", "changes"),
        counted_words(s, &m.parties)
    )
}

/// Whether the search is exact, in a sentence (with a pointer to the note at the end).
pub fn exact_words(m: &Mediation) -> String {
    let words = exact_sentence(m.exact, m.budget);
    if m.exact {
        words
    } else {
        format!("{} (see the note at the end).", words.trim_end_matches('.'))
    }
}

/// Whether a search of revisions within `budget` steps is exact, in a sentence (the pages'
/// words; the CLI's add where the note is).
pub fn exact_sentence(exact: bool, budget: Option<u64>) -> String {
    if exact {
        "Exact: the search covered every revision within the limit.".to_string()
    } else {
        format!(
            "Not exact: the work budget ({} steps) was reached; what follows is the best found.",
            budget.unwrap_or(0)
        )
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, ..., `11th`, `21st`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn mediation_json(s: &Scenario, m: &Mediation, words: &[String]) -> Value {
    let counted: Vec<String> = m.parties.iter().map(|&p| s.parties()[p].id.clone()).collect();
    json!({
        "scenario": s.meta().name,
        "from": j::proposal_header(s, m.proposal),
        "objective": m.objective.as_str(),
        "max_changes": m.max_changes,
        "principals": counted,
        "parties": counted,
        "feasible": m.feasible,
        "fewest_changes": m.fewest,
        "exact": m.exact,
        "termination": j::termination(m.termination()),
        "note": m.note,
        "revisions": m.revisions.iter().map(|r| revision_json(s, r)).collect::<Vec<_>>(),
        "closest": m.closest.as_ref().map(|r| revision_json(s, r)),
        "deadlock": m.deadlock.as_ref().map(|d| j::deadlock(s, d)),
        "explanation": words,
        "nodes": m.nodes,
        "work": m.work,
        "budget": m.budget,
    })
}

/// `detente mediate --procedure single-text`: the rounds and their words.
pub struct SingleTextReport<'a> {
    s: &'a Scenario,
    from: usize,
    st: SingleText,
    options: SingleTextOptions,
    words: Vec<String>,
}

/// `detente mediate --procedure single-text`.
pub fn single_text<'a>(
    s: &'a Scenario,
    from: usize,
    options: &SingleTextOptions,
) -> anyhow::Result<SingleTextReport<'a>> {
    let st =
        detente_analysis::single_text(s, from, options).map_err(|e| BadInput(e.to_string()))?;
    let words = detente_analysis::single_text_words(s, &st);
    Ok(SingleTextReport { s, from, st, options: options.clone(), words })
}

impl Report for SingleTextReport<'_> {
    fn json(&self) -> Value {
        single_text_json(self.s, &self.st, &self.options, &self.words)
    }

    fn text(&self) -> String {
        let SingleTextReport { s, from, st, options, words } = self;
        let (s, from) = (*s, *from);
        let mut out = format!(
            "Single negotiating text from {} ({}), at most {}; counted: {}\n\n",
            s.proposals()[from].id,
            s.proposals()[from].title,
            count(options.max_rounds, "revision", "revisions"),
            counted_words(s, &st.parties)
        );
        for (n, round) in st.rounds.iter().enumerate() {
            let utilities: Vec<String> = s
                .parties()
                .iter()
                .enumerate()
                .map(|(p, party)| {
                    format!(
                        "{} {} {}",
                        party.id,
                        j::verdict(round.verdicts[p]),
                        u(round.utilities[p])
                    )
                })
                .collect();
            let _ = writeln!(out, "Round {}: {}", n + 1, utilities.join("; "));
            for (k, objections) in round.objections.iter().enumerate() {
                if objections.is_empty() {
                    continue;
                }
                let party = st.parties.get(k).map_or("?", |&p| s.parties()[p].id.as_str());
                let list: Vec<String> = objections
                    .iter()
                    .take(4)
                    .map(|o| {
                        format!(
                            "{} -> {}{}",
                            s.issues()[o.issue].id,
                            s.issues()[o.issue].option_id(o.option),
                            if o.red_line { " (red line)" } else { "" }
                        )
                    })
                    .collect();
                let more = if objections.len() > 4 {
                    format!(" and {} more", objections.len() - 4)
                } else {
                    String::new()
                };
                let _ = writeln!(out, "  {party} objects: {}{more}", list.join(", "));
            }
            let _ = writeln!(out, "  {}", detente_analysis::round_outcome(s, st, n));
        }
        let _ = writeln!(out, "\nEnd: {}\n", st.end.as_str().replace('_', " "));
        for w in words {
            let _ = writeln!(out, "{w}");
        }
        out
    }
}

fn single_text_json(
    s: &Scenario,
    st: &SingleText,
    options: &SingleTextOptions,
    words: &[String],
) -> Value {
    json!({
        "scenario": s.meta().name,
        "procedure": "single-text",
        "from": j::proposal_header(s, st.proposal),
        "principals": st.parties.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
        "rounds": st.rounds.iter().map(|round| json!({
            "draft": round.draft.iter().enumerate().map(|(i, &t)| (s.issues()[i].id.clone(), j::term(s, i, t))).collect::<serde_json::Map<_, _>>(),
            "parties": s.parties().iter().enumerate().map(|(p, party)| json!({
                "party": party.id,
                "utility": [j::num(round.utilities[p].0), j::num(round.utilities[p].1)],
                "verdict": j::verdict(round.verdicts[p]),
            })).collect::<Vec<_>>(),
            "objections": round.objections.iter().flatten().map(|o| json!({
                "party": s.parties()[o.party].id,
                "issue": s.issues()[o.issue].id,
                "option": j::term(s, o.issue, Term::Set(o.option)),
                "gain": j::num(o.gain),
                "red_line": o.red_line,
            })).collect::<Vec<_>>(),
            "revision": round.revision.as_ref().map(|c| change_json(s, c)),
        })).collect::<Vec<_>>(),
        "parties": st.parties.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
        "max_rounds": options.max_rounds,
        "end": st.end.as_str(),
        "termination": j::termination(st.termination()),
        "work": st.work,
        "budget": st.budget,
        "explanation": words,
    })
}

/// The "what would narrow the gap" section of `detente analyze` for one draft: the
/// fewest-changes search within a few changes, its words, or why it was not computed.
pub type Narrow = Result<(Mediation, Vec<String>), String>;

/// Runs the "what would narrow the gap" search on draft `from` for `detente analyze`
/// (the principals, at most 3 changes, [`NARROW_BUDGET`]). A failure is returned as
/// the reason, for the report to state, never dropped.
pub fn narrow_the_gap(s: &Scenario, from: usize) -> Narrow {
    narrow_with(s, from, NARROW_BUDGET)
}

fn narrow_with(s: &Scenario, from: usize, budget: u64) -> Narrow {
    let options = MediateOptions {
        objective: Objective::FewestChanges,
        max_changes: Some(3),
        top: 1,
        budget: Some(budget),
        parties: None,
        power: None,
    };
    let m = detente_analysis::mediate(s, from, &options).map_err(|e| e.to_string())?;
    let words = detente_analysis::narrow_words(s, &m);
    Ok((m, words))
}

/// The section as JSON, for `analyze --json`: the mediation, or `{"not_computed": why}`.
pub fn narrow_the_gap_json(s: &Scenario, n: &Narrow) -> Value {
    match n {
        Ok((m, words)) => mediation_json(s, m, words),
        Err(why) => json!({ "not_computed": why }),
    }
}

/// The section in words, for `analyze`: what the list is (the fewest changes that bring
/// every principal to accept the draft, or the closest revision when none does), the red
/// lines it crosses and the verdicts it changes, the changes, and each party's utility
/// (a range where points stay open) and remaining gap.
pub fn narrow_the_gap_text(s: &Scenario, n: &Narrow, out: &mut String) {
    let (m, words) = match n {
        Ok(x) => x,
        Err(why) => {
            let _ = writeln!(out, "What would narrow the gap: not computed: {why}.");
            return;
        }
    };
    let id = &s.proposals()[m.proposal].id;
    let names: Vec<&str> = m.parties.iter().map(|&p| s.parties()[p].name.as_str()).collect();
    let within = count(m.max_changes, "change", "changes");
    let (head, shown) = match (m.revisions.first(), &m.closest) {
        (Some(r), _) if m.feasible && r.changes.is_empty() => (
            format!(
                "What would narrow the gap on {id}: nothing needs to; {} {} it as it stands",
                detente_words::and_list(&names),
                if names.len() == 1 { "accepts" } else { "accept" }
            ),
            None,
        ),
        (Some(r), _) if m.feasible => (
            format!(
                "What would narrow the gap on {id}: the fewest changes (searched within {within}) that bring {} to accept it{}",
                detente_words::and_list(&names),
                if m.exact { "" } else { " (not exact: budget reached)" }
            ),
            Some(r),
        ),
        (_, Some(c)) => (
            format!(
                "What would narrow the gap on {id}: no revision within {within} is accepted by {} {}{}; the closest revision",
                if names.len() == 2 { "both" } else { "all of" },
                detente_words::and_list(&names),
                if m.exact { "" } else { " (not exact: budget reached)" }
            ),
            Some(c),
        ),
        _ => (
            format!(
                "What would narrow the gap on {id}: {}",
                if m.exact {
                    format!(
                        "no revision within {within} is accepted, and no closest revision was found"
                    )
                } else {
                    "not computed: the work budget was reached before any revision was scored"
                        .to_string()
                }
            ),
            None,
        ),
    };
    let _ = writeln!(out, "{head}{}", if shown.is_some() { ":" } else { "." });
    if let Some(r) = shown {
        let mut table = String::new();
        revision_table(s, r, &mut table);
        for line in table.lines() {
            let _ = writeln!(out, "{}", line.strip_prefix("  ").unwrap_or(line));
        }
    }
    // The first sentence says what the heading already said.
    for w in words.iter().skip(1) {
        let _ = writeln!(out, "{w}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> Scenario {
        let sh = detente_scenario::shipped::all()
            .iter()
            .find(|sh| sh.name == "tutorial")
            .expect("the tutorial is shipped");
        detente_scenario::parse_auto(sh.file, sh.text.as_bytes()).expect("valid")
    }

    /// A failed search is stated in the report, never dropped.
    #[test]
    fn narrow_failure_is_stated() {
        let s = tutorial();
        let n = narrow_the_gap(&s, 99);
        let Err(why) = &n else { panic!("a proposal out of range fails") };
        assert!(why.contains("out of range"));
        let mut out = String::new();
        narrow_the_gap_text(&s, &n, &mut out);
        assert!(out.starts_with("What would narrow the gap: not computed: proposal index 99"));
        assert_eq!(narrow_the_gap_json(&s, &n)["not_computed"], json!(why));
    }

    /// A search stopped by its budget says so in the section's first line.
    #[test]
    fn narrow_at_its_budget_says_not_exact() {
        let s = tutorial();
        let n = narrow_with(&s, 0, 1);
        let mut out = String::new();
        narrow_the_gap_text(&s, &n, &mut out);
        assert!(out.lines().next().unwrap().contains("not"), "{out}");
        assert!(out.contains("Not exact: the work budget (1 steps)"), "{out}");
    }
}
