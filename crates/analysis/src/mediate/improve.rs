//! Improving an agreed deal: the packages of changes to a draft that make every counted
//! party at least as well off and someone better off, ranked by the gains. The semantics are
//! documented on [`improve()`]; the search is the mediation engine's (`engine.rs`), measuring
//! each counted party's surplus from its utility on the draft instead of its reservation.

use detente_core::{RedLineRef, Scenario, Term};
use detente_words::{and_list, count, distinct, noun, num};

use super::engine::{CallBudget, Cand, Goal, Measure, at_risk, run_measured};
use super::words::{change_words, issue_ref, red_lines_words, stakes_words};
use super::{Revision, check_proposal, resolve_parties, revision};
use crate::EPS;
use crate::error::{Error, ErrorKind};
use crate::evaluate::{Verdict, evaluate_terms};
use crate::kit::Termination;

/// What the packages are ranked by: a function of the counted parties' gains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gains {
    /// The product of the gains (the Nash product over the draft; weighted by bargaining
    /// power when powers are given).
    Nash,
    /// The smallest gain.
    Egalitarian,
    /// The sum of the gains.
    Welfare,
}

impl Gains {
    /// `nash`, `egalitarian` or `welfare`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gains::Nash => "nash",
            Gains::Egalitarian => "egalitarian",
            Gains::Welfare => "welfare",
        }
    }

    /// Reads the names of [`Gains::as_str`].
    pub fn parse(s: &str) -> Option<Gains> {
        match s {
            "nash" => Some(Gains::Nash),
            "egalitarian" => Some(Gains::Egalitarian),
            "welfare" => Some(Gains::Welfare),
            _ => None,
        }
    }

    /// The value a package is ranked by, in words: `the product of the gains`.
    fn words(self, weighted: bool) -> &'static str {
        match (self, weighted) {
            (Gains::Nash, false) => "the product of the gains",
            (Gains::Nash, true) => "the product of the gains weighted by bargaining power",
            (Gains::Egalitarian, _) => "the smallest gain",
            (Gains::Welfare, _) => "the sum of the gains",
        }
    }
}

/// What [`improve`] searches.
#[derive(Clone, Debug, PartialEq)]
pub struct ImproveOptions {
    /// What the packages are ranked by.
    pub objective: Gains,
    /// At most this many changes (`K`, at least 1); `None` allows every issue to change.
    pub max_changes: Option<usize>,
    /// How many packages to list, best first (at least 1).
    pub top: usize,
    /// The work budget in steps ([`DEFAULT_BUDGET`](super::DEFAULT_BUDGET) by default;
    /// `None`: unlimited), counted as [`MediateOptions::budget`](super::MediateOptions::budget)
    /// counts it. Spending it gives a result marked not exact, never an error.
    pub budget: Option<u64>,
    /// The parties who must be no worse off (party indices, in any order); `None` means the
    /// principals (everyone if none is a principal: see [`counted_parties`](crate::counted_parties)).
    pub parties: Option<Vec<usize>>,
    /// `Nash` only: bargaining powers, one per party of the scenario (by index; those of the
    /// parties not counted are ignored), each `> 0`: the product of the counted parties'
    /// gains each raised to `n a_q` (`a` their powers scaled to sum 1). `None`: equal.
    pub power: Option<Vec<f64>>,
}

impl Default for ImproveOptions {
    fn default() -> ImproveOptions {
        ImproveOptions {
            objective: Gains::Nash,
            max_changes: None,
            top: 3,
            budget: Some(super::DEFAULT_BUDGET),
            parties: None,
            power: None,
        }
    }
}

/// One improving package: the revision and each party's gain.
#[derive(Clone, Debug, PartialEq)]
pub struct Improvement {
    /// The changes and what they do to every party (as `mediate` reports a revision; its
    /// `objective` is the value ranked by, as in [`Improvement::objective`]).
    pub revision: Revision,
    /// Each party's gain, in party order: `utility_min` on the revised draft minus on the
    /// draft (0 when within `EPS` of 0). At least 0 for every counted party.
    pub gains: Vec<f64>,
    /// The value the package is ranked by (see [`Gains`]).
    pub objective: f64,
}

/// Why no package can improve the draft, known before any search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// The draft's term on `issue` breaks (or, open, puts at risk) a counted party's red
    /// line, and no other option of the issue keeps every counted party's red lines.
    NoRepair {
        /// The issue.
        issue: usize,
    },
    /// The draft breaks or puts at risk counted parties' red lines on these issues, more
    /// than the changes allowed.
    TooManyRepairs {
        /// The issues to repair, in issue order.
        issues: Vec<usize>,
    },
}

/// The answer of [`improve`].
#[derive(Clone, Debug, PartialEq)]
pub struct Improvements {
    /// Index of the draft improved.
    pub proposal: usize,
    /// What the packages are ranked by.
    pub objective: Gains,
    /// `Nash` with unequal powers: each counted party's power scaled to sum 1, in the order
    /// of `parties`.
    pub power: Option<Vec<f64>>,
    /// The change budget `K` used (the number of issues when none was given).
    pub max_changes: usize,
    /// The parties who must be no worse off, in party order.
    pub parties: Vec<usize>,
    /// Each party's `(utility_min, utility_max)` on the draft, in party order.
    pub utilities: Vec<(f64, f64)>,
    /// Each party's verdict on the draft.
    pub verdicts: Vec<Verdict>,
    /// The counted parties' red lines that the draft breaks or (open) puts at risk: every
    /// package repairs them.
    pub repairs: Vec<RedLineRef>,
    /// Why no package can exist, when that is known before the search.
    pub blocked: Option<Blocked>,
    /// The improving packages, best first, at most `top`.
    pub packages: Vec<Improvement>,
    /// Whether the answer is proved: false when the work budget stopped the search (then the
    /// packages are the best found and an empty list proves nothing).
    pub exact: bool,
    /// Why the result is not exact, in words.
    pub note: Option<String>,
    /// Search nodes used.
    pub nodes: u64,
    /// Work steps used.
    pub work: u64,
    /// The work budget the call had.
    pub budget: Option<u64>,
}

impl Improvements {
    /// How the search ended: [`Termination::BudgetReached`] when the work budget stopped it,
    /// [`Termination::Infeasible`] when it proved that no package within `K` improves the
    /// draft, else [`Termination::Exact`].
    pub fn termination(&self) -> Termination {
        Termination::of(self.exact, !self.packages.is_empty())
    }
}

/// The packages of at most `K` changes to proposal `proposal` (an index into
/// `s.proposals()`) that make every counted party at least as well off and someone better
/// off, ranked by `options.objective` over the gains.
///
/// # Packages and gains
/// A **package** is a set of changes as [`mediate()`](super::mediate()) makes them: each sets
/// one issue to one option (changing a settled term, or filling an open point); points it
/// does not touch keep their term. A party's **gain** is its `utility_min` (open points at
/// their worst for it, as [`evaluate()`](crate::evaluate()) computes it) on the revised
/// draft minus on the draft; a gain within `EPS` of 0 counts as 0, by the one rule of
/// acceptance. A package **improves** the draft when, for every counted party, it keeps
/// every red line (no settled term breaks one, no open point puts one at risk) and its gain
/// is at least 0, and some counted party gains more than `EPS` or has a red line repaired.
///
/// # Drafts some party rejects
/// The draft need not be accepted by anyone: the packages improve on it as it stands, and
/// each says whose verdict it changes. A draft that breaks a counted party's red line (or
/// leaves an open point that puts one at risk) is no baseline that party can be kept
/// "as well off" on: a package that leaves that red line crossed is no improvement for it,
/// as `mediate` judges. So every package repairs those red lines (changes those terms to
/// options every counted party's red lines allow), and still costs no counted party
/// utility; [`Improvements::repairs`] lists them, and [`Improvements::blocked`] says when no
/// package can repair them within `K`.
///
/// # Ranking
/// `Nash`: the product of the counted parties' gains (with powers, `prod_q g_q^(n a_q)`, `a`
/// the powers scaled to sum 1); `Egalitarian`: the smallest gain; `Welfare`: their sum.
/// Ties go to fewer changes, then the changes in issue and option order. A package that
/// gains some parties and leaves another exactly where it was has a Nash product and a
/// smallest gain of 0, and still improves the draft: it is listed after every package that
/// gains every counted party.
///
/// # Algorithm
/// The mediation engine's exact branch and bound over change slots ([`mediate()`](super::mediate())
/// documents it), with each counted party's surplus measured from its utility on the draft:
/// the per-party, averaged and Lagrangian bounds are the same, welfare adds the bound of the
/// sum, and a subtree in which some counted party cannot gain cannot beat a package scoring
/// 0, so only its smaller packages are visited. The result is exact unless the work budget
/// stops the search ([`Improvements::exact`], [`Improvements::note`]).
///
/// Errors: [`ErrorKind::InvalidInput`] for a proposal index out of range, `top == 0`,
/// `max_changes == Some(0)`, an empty list of parties, powers with an objective other than
/// `Nash` or powers not finite and positive; [`ErrorKind::UnknownParty`] for a party index
/// out of range.
pub fn improve(
    s: &Scenario,
    proposal: usize,
    options: &ImproveOptions,
) -> Result<Improvements, Error> {
    check_proposal(s, proposal)?;
    if options.top == 0 {
        return Err(Error::new(ErrorKind::InvalidInput, "top must be at least 1"));
    }
    if options.max_changes == Some(0) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "max_changes must be at least 1: no change improves nothing",
        ));
    }
    let parties = resolve_parties(s, options.parties.as_deref())?;
    let power = match (&options.power, options.objective) {
        (None, _) => None,
        (Some(_), objective) if objective != Gains::Nash => {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "bargaining powers weigh the Nash product only",
            ));
        }
        (Some(all), _) => {
            let counted: Vec<f64> =
                parties.iter().map(|&p| all.get(p).copied().unwrap_or(f64::NAN)).collect();
            crate::frontier::power_exponents(Some(&counted), parties.len())?
        }
    };
    let terms = &s.proposals()[proposal].terms;
    let n = s.issues().len();
    let k = options.max_changes.unwrap_or(n).min(n);
    let evals: Vec<_> = (0..s.parties().len()).map(|p| evaluate_terms(s, p, terms)).collect();
    let repairs: Vec<RedLineRef> = parties
        .iter()
        .flat_map(|&p| {
            (0..n).flat_map(move |i| {
                let broken = match terms[i] {
                    Term::Set(o) => s.red_lines_broken(p, i, o),
                    Term::Open => at_risk(s, p, i),
                };
                broken.into_iter().map(move |index| RedLineRef { party: p, issue: i, index })
            })
        })
        .collect();
    let mut repair_issues: Vec<usize> = repairs.iter().map(|r| r.issue).collect();
    repair_issues.sort_unstable();
    repair_issues.dedup();
    let no_repair = repair_issues.iter().copied().find(|&i| {
        !(0..s.issues()[i].n_options())
            .any(|o| terms[i] != Term::Set(o) && parties.iter().all(|&p| s.allowed(p, i, o)))
    });
    let blocked = match no_repair {
        Some(issue) => Some(Blocked::NoRepair { issue }),
        None if repair_issues.len() > k => {
            Some(Blocked::TooManyRepairs { issues: repair_issues.clone() })
        }
        None => None,
    };
    let mut budget =
        CallBudget { used: 0, nodes: 0, max: options.budget, phase: None, stopped: false };
    let goal = match options.objective {
        Gains::Nash => Goal::Nash,
        Gains::Egalitarian => Goal::MaxMin { floor: true, size: None, minimal: None, first: false },
        Gains::Welfare => Goal::Welfare,
    };
    let found: Vec<Cand> = if blocked.is_some() {
        vec![]
    } else {
        let measure = Measure { power: power.clone(), improve: true };
        run_measured(s, terms, &parties, goal, k, options.top, &mut budget, measure)
    };
    let note = budget.stopped.then(|| {
        format!(
            "not exact: the work budget ({} steps) was reached: the packages shown are the best found, not proved best{}",
            budget.max.unwrap_or(0),
            if found.is_empty() { ", and none found is not proof that none exists" } else { "" }
        )
    });
    let packages = found
        .iter()
        .map(|c| {
            let revision = revision(s, terms, c, false);
            let gains = (0..s.parties().len())
                .map(|p| {
                    let g = revision.utilities_after[p].0 - revision.utilities_before[p].0;
                    if g.abs() <= EPS { 0.0 } else { g }
                })
                .collect();
            Improvement { revision, gains, objective: c.score.0 }
        })
        .collect();
    let power = power.map(|e| e.iter().map(|x| x / parties.len() as f64).collect());
    Ok(Improvements {
        proposal,
        objective: options.objective,
        power,
        max_changes: k,
        parties,
        utilities: evals.iter().map(|e| (e.utility_min, e.utility_max)).collect(),
        verdicts: evals.iter().map(|e| e.verdict).collect(),
        repairs,
        blocked,
        packages,
        exact: !budget.stopped,
        note,
        nodes: budget.nodes,
        work: budget.used,
        budget: options.budget,
    })
}

/// Whether the draft `after` improves on the draft `before` for the counted `parties`, by the
/// rule of [`improve()`]: for every counted party it keeps every red line and its
/// `utility_min` is at least as high (within `EPS`), and some counted party gains more than
/// `EPS` or has a red line repaired (one that `before` breaks or puts at risk). The rule a
/// Monte Carlo study applies in each draw to the packages [`improve()`] lists.
///
/// Errors: [`ErrorKind::InvalidInput`] for drafts of the wrong length or with an option out
/// of range; [`ErrorKind::UnknownParty`] for a party out of range.
pub fn improves(
    s: &Scenario,
    parties: &[usize],
    before: &[Term],
    after: &[Term],
) -> Result<bool, Error> {
    let n = s.issues().len();
    let fits = |t: &[Term]| {
        t.len() == n
            && t.iter().enumerate().all(|(i, x)| match *x {
                Term::Set(k) => k < s.issues()[i].n_options(),
                Term::Open => true,
            })
    };
    if !fits(before) || !fits(after) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("a draft needs one term per issue ({n}), each an option of its issue"),
        ));
    }
    if let Some(&p) = parties.iter().find(|&&p| p >= s.parties().len()) {
        return Err(Error::new(
            ErrorKind::UnknownParty,
            format!("party index {p} out of range (the scenario has {})", s.parties().len()),
        ));
    }
    let keeps = |p: usize, t: &[Term]| {
        (0..n).all(|i| match t[i] {
            Term::Set(k) => s.red_lines_broken(p, i, k).is_empty(),
            Term::Open => at_risk(s, p, i).is_empty(),
        })
    };
    let mut strict = false;
    for &p in parties {
        if !keeps(p, after) {
            return Ok(false);
        }
        let g = evaluate_terms(s, p, after).utility_min - evaluate_terms(s, p, before).utility_min;
        if g < -EPS {
            return Ok(false);
        }
        strict |= g > EPS || !keeps(p, before);
    }
    Ok(strict)
}

/// A gain for prose: 2 decimals, or more when a gain above 0 would print as 0.
fn gain(g: f64) -> String {
    distinct(g, 0.0).0
}

/// What one package does, in one sentence: `Changing TER-04 and ECO-02 gains Ukraine 0.06
/// and the United States 0.03 and costs no one.`
pub(crate) fn package_sentence(s: &Scenario, parties: &[usize], p: &Improvement) -> String {
    let issues: Vec<String> =
        p.revision.changes.iter().map(|c| s.issues()[c.issue].id.clone()).collect();
    let gainers: Vec<String> = parties
        .iter()
        .filter(|&&q| p.gains[q] > 0.0)
        .map(|&q| format!("{} {}", s.parties()[q].name, gain(p.gains[q])))
        .collect();
    let still: Vec<String> = parties
        .iter()
        .filter(|&&q| p.gains[q] <= 0.0)
        .map(|&q| s.parties()[q].name.clone())
        .collect();
    let what = if gainers.is_empty() {
        "gains no counted party utility but repairs a red line".to_string()
    } else {
        format!("gains {}", and_list(&gainers))
    };
    let rest = if still.is_empty() {
        "costs no one".to_string()
    } else {
        format!("leaves {} where {} {}", and_list(&still), pronoun(still.len()), was(still.len()))
    };
    format!("Changing {} {what} and {rest}.", and_list(&issues))
}

fn pronoun(n: usize) -> &'static str {
    if n == 1 { "it" } else { "they" }
}

fn was(n: usize) -> &'static str {
    if n == 1 { "was" } else { "were" }
}

/// A few sentences a mediator could read aloud about [`Improvements`]: where the draft
/// stands, the best package (which points to change, whom it gains and whom it costs: no
/// one), what it crosses and whose verdict it changes, whether the ranking is proved; or
/// that no package improves the draft, and whether that is proved.
pub fn improvement_words(s: &Scenario, m: &Improvements) -> Vec<String> {
    let title = &s.proposals()[m.proposal].title;
    let names: Vec<String> = m.parties.iter().map(|&p| s.parties()[p].name.clone()).collect();
    let who = and_list(&names);
    let within = format!("at most {}", count(m.max_changes, "change", "changes"));
    let mut out = Vec::new();
    let not_accepting: Vec<String> = m
        .parties
        .iter()
        .filter(|&&p| m.verdicts[p] != Verdict::Accepts)
        .map(|&p| format!("{} {}", s.parties()[p].name, m.verdicts[p].as_str()))
        .collect();
    if !not_accepting.is_empty() {
        out.push(format!(
            "On the {title} as it stands, {}{}.",
            and_list(&not_accepting),
            if m.packages.is_empty() {
                ""
            } else {
                ": the packages below improve on it as it is, and each says whose verdict it changes"
            }
        ));
    }
    if !m.repairs.is_empty() {
        let mut pairs: Vec<(usize, usize)> = m.repairs.iter().map(|r| (r.party, r.issue)).collect();
        pairs.dedup();
        out.push(format!(
            "The {title} crosses or puts at risk {}, so an improvement must repair {} (a package that leaves a red line crossed is no improvement for its party) and still cost no one utility.",
            red_lines_words(s, &pairs),
            if m.repairs.len() == 1 { "it" } else { "them" }
        ));
    }
    let weighted = m.power.is_some();
    let ranked_by = m.objective.words(weighted);
    if let Some(best) = m.packages.first() {
        let r = &best.revision;
        out.push(package_sentence(s, &m.parties, best));
        out.push(stakes_words(s, r, "It"));
        let items: Vec<String> = r.changes.iter().map(|c| change_words(s, c)).collect();
        out.push(format!(
            "The {}: {}.",
            noun(r.changes.len(), "change", "changes"),
            items.join("; ")
        ));
        let power = match &m.power {
            Some(a) => {
                let shares: Vec<String> = m
                    .parties
                    .iter()
                    .zip(a)
                    .map(|(&p, x)| format!("{} {}", s.parties()[p].name, num(*x)))
                    .collect();
                format!(" (powers {})", and_list(&shares))
            }
            None => String::new(),
        };
        out.push(format!(
            "It ranks first by {ranked_by}{power}: {}{}.",
            gain(best.objective),
            if best.objective == 0.0 && m.objective != Gains::Welfare {
                ", as no package gains every counted party"
            } else {
                ""
            }
        ));
        if m.exact {
            out.push(format!(
                "This is proved best: the search covered every package of {within} ({} nodes).",
                m.nodes
            ));
        }
        if m.packages.len() > 1 {
            let more = m.packages.len() - 1;
            out.push(format!(
                "{} {} in rank{}.",
                count(more, "other package", "other packages"),
                if more == 1 { "follows" } else { "follow" },
                if m.exact { ", and the ranking is proved too" } else { "" }
            ));
        }
    } else {
        match &m.blocked {
            Some(Blocked::NoRepair { issue }) => {
                let mut whose: Vec<String> = m
                    .repairs
                    .iter()
                    .filter(|r| r.issue == *issue)
                    .map(|r| s.parties()[r.party].name.clone())
                    .collect();
                whose.dedup();
                out.push(format!(
                    "No package improves the {title}: its term on {} crosses or puts at risk a red line of {}, and no other option of it keeps every red line of {who}. This is proved.",
                    issue_ref(s, *issue),
                    and_list(&whose)
                ));
            }
            Some(Blocked::TooManyRepairs { issues }) => {
                let ids: Vec<String> = issues.iter().map(|&i| s.issues()[i].id.clone()).collect();
                out.push(format!(
                    "No package of {within} improves the {title}: it must repair red lines on {} points ({}), more than {}. This is proved.",
                    issues.len(),
                    and_list(&ids),
                    count(m.max_changes, "change", "changes")
                ));
            }
            None if m.exact => out.push(format!(
                "No package of {within} makes {who} all at least as well off as the {title} and one of them better off{}. This is proved: the search covered every package of {within} ({} nodes).",
                if !m.repairs.is_empty() {
                    ": every package that repairs those red lines costs one of them"
                } else if m.max_changes == s.issues().len() {
                    ": the draft is Pareto optimal for them under their red lines"
                } else {
                    ""
                },
                m.nodes
            )),
            None => out.push(format!(
                "The search found no package of {within} that improves the {title} for {who} before its work budget ran out; none is proved impossible."
            )),
        }
    }
    if let Some(note) = &m.note {
        let mut chars = note.chars();
        let cap = chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>());
        out.push(format!("{}.", cap.unwrap_or_default()));
    }
    out
}

#[cfg(test)]
mod tests;
