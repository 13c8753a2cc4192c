//! The mediator's search: which revisions of a draft bring the principals to accept it?
//! The semantics, objectives and algorithm are documented on [`mediate()`]. This file
//! holds the API and its types; the branch and bound is in `engine.rs`, the sentences in
//! `words.rs`.

use detente_core::{RedLineRef, Scenario, Term};

use crate::EPS;
use crate::deadlock::{Deadlock, DeadlockOptions, deadlock};
use crate::error::{Error, ErrorKind};
use crate::evaluate::{Verdict, evaluate_terms};
use crate::gap::counted_parties;
use crate::kit::Termination;

mod engine;
mod improve;
mod words;

use engine::{CallBudget, Cand, Goal, at_risk, run};
pub use improve::{
    Blocked, Gains, ImproveOptions, Improvement, Improvements, improve, improvement_words, improves,
};
pub(crate) use words::{change_words, issue_ref, option_ref, range_words};
pub use words::{mediation_words, narrow_words};

/// What the search maximises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Objective {
    /// The fewest changes after which every principal accepts.
    FewestChanges,
    /// The largest smallest surplus of a principal, red lines kept.
    MaxMinSurplus,
    /// The largest product of the principals' surpluses, every principal accepting.
    Nash,
}

impl Objective {
    /// `fewest-changes`, `max-min-surplus` or `nash`.
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::FewestChanges => "fewest-changes",
            Objective::MaxMinSurplus => "max-min-surplus",
            Objective::Nash => "nash",
        }
    }

    /// Reads the names of [`Objective::as_str`].
    pub fn parse(s: &str) -> Option<Objective> {
        match s {
            "fewest-changes" => Some(Objective::FewestChanges),
            "max-min-surplus" => Some(Objective::MaxMinSurplus),
            "nash" => Some(Objective::Nash),
            _ => None,
        }
    }
}

/// The default work budget of [`MediateOptions::budget`], in steps: about a second or two
/// of work on one core of a 2020s laptop in an optimised build.
pub const DEFAULT_BUDGET: u64 = 1_000_000_000;

/// What [`mediate`] searches.
#[derive(Clone, Debug, PartialEq)]
pub struct MediateOptions {
    /// The objective.
    pub objective: Objective,
    /// At most this many changes (`K`); `None` allows every issue to change.
    pub max_changes: Option<usize>,
    /// How many revisions to list, best first (at least 1).
    pub top: usize,
    /// A work budget in steps over all the searches of one call ([`DEFAULT_BUDGET`] by
    /// default; `None` means unlimited). A step is about one arithmetic operation: weighing
    /// one option for one party in a bound, adding one issue's term for one party to a
    /// score, visiting a node for each of its bounds, so the budget bounds the time
    /// whatever the size of the scenario. Half of it may go to the
    /// ranked search, a quarter to the closest revision and the rest to the deadlock
    /// analysis (the last two only when no revision works). Spending it gives a result
    /// marked not exact, never an error.
    pub budget: Option<u64>,
    /// The parties whose acceptance is sought (party indices, in any order); `None` means
    /// the principals (everyone if none is a principal: see [`counted_parties`]).
    pub parties: Option<Vec<usize>>,
    /// `Nash`: bargaining powers, one per party of the scenario (by index; those of the
    /// parties not counted are ignored), each `> 0`: the product of the counted parties'
    /// surpluses each raised to `n a_q` (`a` their powers scaled to sum 1). `None`: equal.
    pub power: Option<Vec<f64>>,
}

impl Default for MediateOptions {
    fn default() -> MediateOptions {
        MediateOptions {
            objective: Objective::FewestChanges,
            max_changes: None,
            top: 1,
            budget: Some(DEFAULT_BUDGET),
            parties: None,
            power: None,
        }
    }
}

/// Where a red line stands on a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedLineState {
    /// No settled term breaks it and no open point could.
    Kept,
    /// An open point could break it (some option of the point is ruled out).
    AtRisk,
    /// A settled term breaks it.
    Crossed,
}

impl RedLineState {
    /// `kept`, `at_risk` or `crossed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RedLineState::Kept => "kept",
            RedLineState::AtRisk => "at_risk",
            RedLineState::Crossed => "crossed",
        }
    }
}

/// A red line that a revision moves, or leaves at risk or crossed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedLineMove {
    /// The red line.
    pub red_line: RedLineRef,
    /// On the proposal.
    pub before: RedLineState,
    /// On the revised draft.
    pub after: RedLineState,
}

/// One change of a revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// The issue.
    pub issue: usize,
    /// The proposal's term on it.
    pub before: Term,
    /// The option the revision sets.
    pub after: usize,
}

/// A revision of a proposal and what it does to every party.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    /// The changes, in issue order.
    pub changes: Vec<Change>,
    /// The revised draft, one term per issue.
    pub terms: Vec<Term>,
    /// Each party's `(utility_min, utility_max)` on the proposal, in party order.
    pub utilities_before: Vec<(f64, f64)>,
    /// Each party's `(utility_min, utility_max)` on the revised draft.
    pub utilities_after: Vec<(f64, f64)>,
    /// Each party's verdict on the proposal.
    pub verdicts_before: Vec<Verdict>,
    /// Each party's verdict on the revised draft.
    pub verdicts_after: Vec<Verdict>,
    /// Whether each party accepts the revised draft (`verdicts_after` is `Accepts`).
    pub accepts: Vec<bool>,
    /// Red lines (of every party) as `(party, issue, red_line)` that the proposal broke or
    /// put at risk and the revision keeps: the changed term allows it.
    pub red_lines_now_kept: Vec<RedLineRef>,
    /// Red lines (of every party) that a settled term of the revised draft breaks.
    pub red_lines_broken: Vec<RedLineRef>,
    /// Red lines (of every party) that an open point of the revised draft puts at risk.
    pub red_lines_at_risk: Vec<RedLineRef>,
    /// Each party's remaining gap on the revised draft: `max(0, reservation - utility_min)`
    /// (0 within `EPS`).
    pub shortfalls: Vec<f64>,
    /// Each party's remaining gap with the open points at their best for it:
    /// `max(0, reservation - utility_max)` (0 within `EPS`).
    pub shortfalls_best: Vec<f64>,
    /// Every red line (of every party) that is not kept on the proposal or on the revised
    /// draft, in party, issue and red-line order: the lines the revision crosses, keeps
    /// anew or leaves crossed or at risk.
    pub red_lines: Vec<RedLineMove>,
    /// The value it was ranked by: the smallest surplus of a principal (`FewestChanges`,
    /// `MaxMinSurplus`), the Nash product (`Nash`) or, for [`Mediation::closest`], the
    /// principals' total shortfall.
    pub objective: f64,
}

impl Revision {
    /// The issues on which the revised draft crosses a red line of `party`, in issue order
    /// (an issue may appear once per red line crossed on it).
    pub fn issues_crossing(&self, party: usize) -> impl Iterator<Item = usize> + '_ {
        self.red_lines
            .iter()
            .filter(move |m| m.red_line.party == party && m.after == RedLineState::Crossed)
            .map(|m| m.red_line.issue)
    }
}

/// The answer of [`mediate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Mediation {
    /// Index of the proposal revised.
    pub proposal: usize,
    /// The objective.
    pub objective: Objective,
    /// The change budget `K` used (the number of issues when none was given).
    pub max_changes: usize,
    /// The parties whose acceptance is sought, in party order: [`MediateOptions::parties`],
    /// by default the principals (everyone if none is).
    pub parties: Vec<usize>,
    /// The best revisions, best first, at most `top`. Empty when no revision within `K`
    /// qualifies (for `MaxMinSurplus`: keeps the red lines; otherwise: is accepted).
    pub revisions: Vec<Revision>,
    /// Whether some revision within `K` makes every principal accept.
    pub feasible: bool,
    /// For `FewestChanges`: the fewest changes that work, when some do.
    pub fewest: Option<usize>,
    /// Whether the answer is proved: false when the work budget stopped a search (then
    /// the revisions are the best found, `feasible: false` means none was found, and
    /// `deadlock` may be `None`: undecided).
    pub exact: bool,
    /// Why the result is not exact, or what limits it, in words.
    pub note: Option<String>,
    /// When not feasible: the deadlock analysis among the principals, over all complete
    /// outcomes (`None` when feasible, or when the budget ran out before it finished).
    pub deadlock: Option<Deadlock>,
    /// When not feasible: the revision within `K` with the fewest principals' red lines
    /// broken or at risk, then the smallest total shortfall of the principals.
    pub closest: Option<Revision>,
    /// Search nodes used, over all searches.
    pub nodes: u64,
    /// Work steps used, over all searches (see [`MediateOptions::budget`]).
    pub work: u64,
    /// The work budget the call had.
    pub budget: Option<u64>,
}

impl Mediation {
    /// How the search ended: [`Termination::BudgetReached`] when the work budget stopped it
    /// (`exact: false`), [`Termination::Infeasible`] when it proved that no revision within
    /// `K` makes every counted party accept, else [`Termination::Exact`].
    pub fn termination(&self) -> Termination {
        Termination::of(self.exact, self.feasible)
    }
}

/// Checks that `proposal` indexes one of the scenario's proposals.
pub(crate) fn check_proposal(s: &Scenario, proposal: usize) -> Result<(), Error> {
    if proposal >= s.proposals().len() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "proposal index {proposal} out of range (the scenario has {})",
                s.proposals().len()
            ),
        ));
    }
    Ok(())
}

/// The parties whose acceptance a mediation seeks: the ones given (sorted, once each), or
/// [`counted_parties`] when none are. An index out of range or an empty list is an error.
pub(crate) fn resolve_parties(s: &Scenario, given: Option<&[usize]>) -> Result<Vec<usize>, Error> {
    let Some(list) = given else { return Ok(counted_parties(s)) };
    if let Some(&p) = list.iter().find(|&&p| p >= s.parties().len()) {
        return Err(Error::new(
            ErrorKind::UnknownParty,
            format!("party index {p} out of range (the scenario has {})", s.parties().len()),
        ));
    }
    let mut list = list.to_vec();
    list.sort_unstable();
    list.dedup();
    if list.is_empty() {
        return Err(Error::new(ErrorKind::InvalidInput, "no party to mediate for"));
    }
    Ok(list)
}

/// Searches the revisions of proposal `proposal` (an index into `s.proposals`) and ranks
/// them by `options.objective`.
///
/// # Revisions
/// A **revision** of a proposal is a set of **changes**, each setting one issue to one
/// option: changing a settled term to another option, or filling an open point. Every
/// change counts as one, filling included; setting a settled term to the option it already
/// has is not a change. Points a revision does not touch keep their term, so open points
/// stay open.
///
/// A revised draft is judged exactly as [`evaluate()`](crate::evaluate()) judges a proposal:
/// a party **accepts** it when its verdict is [`Verdict::Accepts`]: no settled term breaks
/// one of its red lines, no open point could break one (a red line ruling out some option
/// of an open point puts it *at risk*), and its utility with the open points at their worst
/// for it (`utility_min`) reaches its reservation (`u >= reservation - EPS`). So a
/// revision must fill every open point that puts a principal's red line at risk, and an
/// open point left open counts at its worst. A party's **surplus** is
/// `utility_min - reservation`.
///
/// "Every principal accepts" means every party with [`Role::Principal`](detente_core::Role::Principal) accepts (every
/// party, if none is a principal: see [`counted_parties`]). A revision **keeps the red
/// lines** when no settled term breaks a principal's red line and no open point puts one at
/// risk.
///
/// # Objectives
/// Revisions are searched within `K` changes ([`MediateOptions::max_changes`], all issues
/// when `None`) and ranked, best first; ties are broken by fewer changes, then by the
/// changes in issue order, then option order (the smaller index first). The `top` best are
/// listed, all distinct.
///
/// - [`Objective::FewestChanges`]: the revisions every principal accepts, fewest changes
///   first; among as many changes, the higher smallest surplus of a principal first. Only
///   *minimal* revisions are listed (checked up to 20 changes): none contains (as a proper subset of its changes) a
///   revision every principal accepts, so the second and later revisions are alternatives,
///   never the first plus an idle change.
/// - [`Objective::MaxMinSurplus`]: among the revisions that keep every principal's red
///   lines, the largest smallest surplus of a principal (raise the worst-off the most).
///   The best may still leave someone short: then no revision within `K` makes every
///   principal accept, and the report says so.
/// - [`Objective::Nash`]: among the revisions every principal accepts, the largest product
///   of the principals' surpluses (surpluses within `EPS` below 0 count as 0).
///
/// # When no revision works
/// When no revision within `K` makes every principal accept, [`Mediation::feasible`] is
/// false and the report adds the deadlock explanation ([`deadlock()`](crate::deadlock())
/// among the principals: whether any complete outcome at all is acceptable and, if none
/// is, a minimal set of colliding red lines and reservations), and the **closest**
/// revision within `K`: the one with the fewest principals' red lines broken or at risk
/// (counted per red line), then the smallest total shortfall of the principals
/// (`max(0, reservation - utility_min)` summed, as in [`gap()`](crate::gap())), with each
/// party's remaining gap.
///
/// # Algorithm
/// An exact depth-first branch and bound over **change slots**: a node is a set of changes
/// taken in a fixed order of the issues (issues whose term must change come first, then by
/// what is at stake), each child adds one change at a later issue, and every node is also
/// the revision that stops there, so each revision is met once. Red lines are handled
/// before the search: a term breaking a principal's red line (or an open point putting one
/// at risk) must change, and a change may only pick options every principal's red lines
/// allow (not for the closest revision, which counts red lines instead).
///
/// Every bound is separable by issue under the change budget: for any linear functional
/// `w` of the parties' utilities, the best it can gain with `b` more changes is the sum of
/// the `b` largest per-issue gains among the issues still open to change (plus the gains
/// of the issues that must change), read from suffix tables of top-`b` sums in
/// `O(1)` per node. The functionals are each party's own utility (its optimistic bound),
/// the uniform average, and Lagrange multipliers tuned at the root by the same
/// multiplicative-weights step as the deadlock search ([`crate::deadlock()`]): the smallest
/// surplus is at most any convex combination of the surpluses; the Nash product is at most
/// `(sum_p lambda_p x_p / n)^n / prod_p lambda_p` (the arithmetic-geometric mean
/// inequality); the total shortfall is at least `sum_p mu_p (r_p - x_p)` for any
/// `mu in {0, 1}^n`. A subtree is cut only when its bound misses the `top`-th best by more
/// than a tolerance far above rounding error, so every revision that could enter the
/// ranking (ties included) is reached and scored with the exact issue-order sums of
/// `evaluate`. `FewestChanges` deepens the budget one change at a time.
///
/// A work budget ([`MediateOptions::budget`]) stops the search early: the result then
/// says it is not exact ([`Mediation::exact`]) and why ([`Mediation::note`]).
///
/// Errors: [`ErrorKind::InvalidInput`] for a proposal index out of range, `top == 0` or an
/// empty list of parties; [`ErrorKind::UnknownParty`] for a party index out of range.
pub fn mediate(
    s: &Scenario,
    proposal: usize,
    options: &MediateOptions,
) -> Result<Mediation, Error> {
    check_proposal(s, proposal)?;
    if options.top == 0 {
        return Err(Error::new(ErrorKind::InvalidInput, "top must be at least 1"));
    }
    let parties = resolve_parties(s, options.parties.as_deref())?;
    let terms = &s.proposals()[proposal].terms;
    let n = s.issues().len();
    let k = options.max_changes.unwrap_or(n).min(n);
    let top = options.top;
    let mut budget = CallBudget {
        used: 0,
        nodes: 0,
        max: options.budget,
        phase: options.budget.map(|b| b / 2),
        stopped: false,
    };
    let mut fewest = None;
    let mut notes: Vec<String> = Vec::new();
    let found: Vec<Cand> = match options.objective {
        Objective::FewestChanges => {
            // Is anything feasible within K? Stop at the first witness.
            let any = Goal::MaxMin { floor: true, size: None, minimal: None, first: true };
            let witness = run(s, terms, &parties, any, k, 1, &mut budget);
            let mut found: Vec<Cand> = Vec::new();
            if let Some(w) = witness.first() {
                let upto = if top == 1 { w.changes.len() } else { k };
                for m in 0..=upto {
                    let goal =
                        Goal::MaxMin { floor: true, size: Some(m), minimal: fewest, first: false };
                    let level = run(s, terms, &parties, goal, m, top - found.len(), &mut budget);
                    if budget.stopped {
                        notes.push(format!(
                            "not exact: the work budget ({} steps) was reached while trying {m} change{}: the revisions shown are the best found, not proved best",
                            budget.max.unwrap_or(0),
                            plural(m)
                        ));
                        found.extend(level);
                        break;
                    }
                    if !level.is_empty() && fewest.is_none() {
                        fewest = Some(m);
                    }
                    found.extend(level);
                    if found.len() >= top {
                        break;
                    }
                }
                if found.is_empty() {
                    // Only when the budget stopped the deepening: keep the witness.
                    found.push(w.clone());
                }
            } else if budget.stopped {
                notes.push(format!(
                    "not exact: the work budget ({} steps) was reached before a revision every counted party accepts was found; none is proved impossible",
                    budget.max.unwrap_or(0)
                ));
            }
            found
        }
        Objective::MaxMinSurplus => {
            let goal = Goal::MaxMin { floor: false, size: None, minimal: None, first: false };
            run(s, terms, &parties, goal, k, top, &mut budget)
        }
        Objective::Nash => {
            let power = match &options.power {
                None => None,
                Some(all) => {
                    let counted: Vec<f64> =
                        parties.iter().map(|&p| all.get(p).copied().unwrap_or(f64::NAN)).collect();
                    crate::frontier::power_exponents(Some(&counted), parties.len())?
                }
            };
            let measure = engine::Measure { power, improve: false };
            engine::run_measured(s, terms, &parties, Goal::Nash, k, top, &mut budget, measure)
        }
    };
    if budget.stopped && notes.is_empty() {
        notes.push(format!(
            "not exact: the work budget ({} steps) was reached: the revisions shown are the best found, not proved best",
            budget.max.unwrap_or(0)
        ));
    }
    let revisions: Vec<Revision> = found.iter().map(|c| revision(s, terms, c, false)).collect();
    let feasible = revisions.first().is_some_and(|r| parties.iter().all(|&p| r.accepts[p]));
    let mut deadlock_result = None;
    let mut closest = None;
    if !feasible {
        // The closest revision and the deadlock analysis get their own shares of the
        // budget, so that a ranked search that spent its half still leaves them room.
        let stopped_before = budget.stopped;
        budget.stopped = false;
        budget.phase = options.budget.map(|b| budget.used.max(b / 2) + b / 4);
        let cands = run(s, terms, &parties, Goal::Closest, k, 1, &mut budget);
        closest = cands.first().map(|c| revision(s, terms, c, true));
        if budget.stopped {
            notes.push(format!(
                "not exact: the work budget ({} steps) was reached in the search for the closest revision: it is the closest found, not proved closest",
                budget.max.unwrap_or(0)
            ));
        }
        let closest_stopped = budget.stopped;
        let left = budget.max.map(|m| m.saturating_sub(budget.used));
        // A deadlock node weighs every option of an issue for every counted party.
        let per_node = (parties.len() as u64).max(1) * (s.issues().len() as u64).max(1);
        let max_nodes = left.map(|w| w / per_node);
        budget.stopped = stopped_before || closest_stopped;
        let d = deadlock(s, &DeadlockOptions { parties: Some(parties.clone()), max_nodes })?;
        if d.decided {
            budget.used += d.nodes.saturating_mul(per_node);
            budget.nodes += d.nodes;
            if d.feasible {
                notes.push(format!(
                    "a complete outcome every principal accepts exists, but no revision within {k} change{} reaches one",
                    plural(k)
                ));
            }
            deadlock_result = Some(d);
        } else {
            budget.used = budget.max.unwrap_or(budget.used);
            budget.stopped = true;
            notes.push(format!(
                "not exact: the work budget ({} steps) was reached before the deadlock analysis decided whether any complete outcome is acceptable to every counted party",
                budget.max.unwrap_or(0)
            ));
        }
        if options.objective == Objective::Nash && !budget.stopped {
            notes.push(format!(
                "no revision within {k} change{} is accepted by every principal, so no Nash product is defined",
                plural(k)
            ));
        }
    }
    Ok(Mediation {
        proposal,
        objective: options.objective,
        max_changes: k,
        parties,
        revisions,
        feasible,
        fewest,
        exact: !budget.stopped,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        deadlock: deadlock_result,
        closest,
        nodes: budget.nodes,
        work: budget.used,
        budget: options.budget,
    })
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Builds the full report of one revision.
fn revision(s: &Scenario, terms: &[Term], c: &Cand, closest: bool) -> Revision {
    let mut after = terms.to_vec();
    let changes: Vec<Change> = c
        .changes
        .iter()
        .map(|&(issue, k)| {
            after[issue] = Term::Set(k);
            Change { issue, before: terms[issue], after: k }
        })
        .collect();
    let before_e: Vec<_> = (0..s.parties().len()).map(|p| evaluate_terms(s, p, terms)).collect();
    let after_e: Vec<_> = (0..s.parties().len()).map(|p| evaluate_terms(s, p, &after)).collect();
    let broken_or_risky = |t: &[Term], p: usize, i: usize| -> Vec<usize> {
        match t[i] {
            Term::Set(k) => s.red_lines_broken(p, i, k),
            Term::Open => at_risk(s, p, i),
        }
    };
    let mut now_kept = Vec::new();
    let mut broken = Vec::new();
    let mut risky = Vec::new();
    for p in 0..s.parties().len() {
        for (i, &term) in after.iter().enumerate() {
            if let Term::Set(k) = term {
                let was = broken_or_risky(terms, p, i);
                let still = s.red_lines_broken(p, i, k);
                let at = |index| RedLineRef { party: p, issue: i, index };
                now_kept.extend(was.iter().filter(|r| !still.contains(r)).map(|&r| at(r)));
                broken.extend(still.iter().map(|&r| at(r)));
            } else {
                risky.extend(at_risk(s, p, i).into_iter().map(|index| RedLineRef {
                    party: p,
                    issue: i,
                    index,
                }));
            }
        }
    }
    let objective = if closest { -c.score.1 } else { c.score.0 };
    Revision {
        changes,
        terms: after.clone(),
        utilities_before: before_e.iter().map(|e| (e.utility_min, e.utility_max)).collect(),
        utilities_after: after_e.iter().map(|e| (e.utility_min, e.utility_max)).collect(),
        verdicts_before: before_e.iter().map(|e| e.verdict).collect(),
        verdicts_after: after_e.iter().map(|e| e.verdict).collect(),
        accepts: after_e.iter().map(|e| e.verdict == Verdict::Accepts).collect(),
        red_lines_now_kept: now_kept,
        red_lines_broken: broken,
        red_lines_at_risk: risky,
        shortfalls: after_e
            .iter()
            .map(|e| {
                let x = e.reservation - e.utility_min;
                if x > EPS { x } else { 0.0 }
            })
            .collect(),
        shortfalls_best: after_e
            .iter()
            .map(|e| {
                let x = e.reservation - e.utility_max;
                if x > EPS { x } else { 0.0 }
            })
            .collect(),
        red_lines: red_line_moves(s, terms, &after),
        objective,
    }
}

/// Where red line `r` of party `p` on issue `i` stands under term `t`.
fn red_line_state(s: &Scenario, p: usize, i: usize, r: usize, t: Term) -> RedLineState {
    crate::compare::red_line_state(s, p, i, r, t)
}

/// Every red line not kept under `before` or under `after`, with both states.
pub(crate) fn red_line_moves(s: &Scenario, before: &[Term], after: &[Term]) -> Vec<RedLineMove> {
    let mut out = Vec::new();
    for p in 0..s.parties().len() {
        for i in 0..s.issues().len() {
            let Some(stance) = &s.stances()[p][i] else { continue };
            for r in 0..stance.red_lines.len() {
                let b = red_line_state(s, p, i, r, before[i]);
                let a = red_line_state(s, p, i, r, after[i]);
                if b != RedLineState::Kept || a != RedLineState::Kept {
                    let red_line = RedLineRef { party: p, issue: i, index: r };
                    out.push(RedLineMove { red_line, before: b, after: a });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::engine::{TABLE_CELLS, TEST_CELLS, rank};
    use super::*;
    use crate::Reason;
    use crate::evaluate::tests::river;
    use detente_testkit::{GenConfig, random_raw_scenario, random_scenario};
    use proptest::prelude::*;

    /// Every revision with at most `k` changes, as `(issue, option)` lists in issue order.
    fn all_revisions(s: &Scenario, terms: &[Term], k: usize) -> Vec<Vec<(usize, usize)>> {
        let mut out = vec![vec![]];
        for (i, &term) in terms.iter().enumerate() {
            let mut next = Vec::new();
            for r in out {
                if r.len() < k {
                    for o in 0..s.issues()[i].n_options() {
                        if term != Term::Set(o) {
                            let mut r2 = r.clone();
                            r2.push((i, o));
                            next.push(r2);
                        }
                    }
                }
                next.push(r);
            }
            out = next;
        }
        out
    }

    struct Judged {
        changes: Vec<(usize, usize)>,
        clean: bool,
        accepted: bool,
        min_surplus: f64,
        nash: f64,
        violations: usize,
        shortfall: f64,
    }

    /// Judges a revision with `evaluate` only.
    fn judge(
        s: &Scenario,
        terms: &[Term],
        parties: &[usize],
        changes: &[(usize, usize)],
    ) -> Judged {
        let mut t = terms.to_vec();
        for &(i, o) in changes {
            t[i] = Term::Set(o);
        }
        let evals: Vec<_> = parties.iter().map(|&p| evaluate_terms(s, p, &t)).collect();
        let clean = evals.iter().all(|e| {
            !e.reasons.iter().any(|r| {
                matches!(
                    r,
                    Reason::RedLineBroken { .. }
                        | Reason::OpenRedLineAtRisk { .. }
                        | Reason::OpenRedLineCrossed { .. }
                )
            })
        });
        let violations = parties
            .iter()
            .map(|&p| {
                (0..s.issues().len())
                    .map(|i| match t[i] {
                        Term::Set(k) => s.red_lines_broken(p, i, k).len(),
                        Term::Open => at_risk(s, p, i).len(),
                    })
                    .sum::<usize>()
            })
            .sum();
        Judged {
            changes: changes.to_vec(),
            clean,
            accepted: evals.iter().all(|e| e.verdict == Verdict::Accepts),
            min_surplus: evals.iter().map(|e| e.surplus_min).fold(f64::INFINITY, f64::min),
            nash: evals.iter().map(|e| e.surplus_min.max(0.0)).product(),
            violations,
            shortfall: evals
                .iter()
                .map(|e| {
                    if e.reservation - e.utility_min > EPS {
                        e.reservation - e.utility_min
                    } else {
                        0.0
                    }
                })
                .sum(),
        }
    }

    fn cand(j: &Judged, score: (f64, f64)) -> Cand {
        Cand { changes: j.changes.clone(), score }
    }

    /// The brute-force ranking of an objective (the closest ranking when `closest`).
    fn brute(
        s: &Scenario,
        proposal: usize,
        objective: Objective,
        k: usize,
        closest: bool,
    ) -> Vec<Cand> {
        let parties = counted_parties(s);
        let terms = &s.proposals()[proposal].terms;
        let judged: Vec<Judged> =
            all_revisions(s, terms, k).iter().map(|c| judge(s, terms, &parties, c)).collect();
        let mut out: Vec<Cand> = if closest {
            judged.iter().map(|j| cand(j, (-(j.violations as f64), -j.shortfall))).collect()
        } else {
            match objective {
                Objective::MaxMinSurplus => judged
                    .iter()
                    .filter(|j| j.clean)
                    .map(|j| cand(j, (j.min_surplus, 0.0)))
                    .collect(),
                Objective::Nash => {
                    judged.iter().filter(|j| j.accepted).map(|j| cand(j, (j.nash, 0.0))).collect()
                }
                Objective::FewestChanges => {
                    let accepted: Vec<&Judged> = judged.iter().filter(|j| j.accepted).collect();
                    let minimal = |j: &Judged| {
                        !accepted.iter().any(|a| {
                            a.changes.len() < j.changes.len()
                                && a.changes.iter().all(|c| j.changes.contains(c))
                        })
                    };
                    let mut v: Vec<Cand> = accepted
                        .iter()
                        .filter(|j| minimal(j))
                        .map(|j| cand(j, (j.min_surplus, 0.0)))
                        .collect();
                    v.sort_by(|a, b| {
                        a.changes.len().cmp(&b.changes.len()).then_with(|| rank(a, b))
                    });
                    return v;
                }
            }
        };
        out.sort_by(rank);
        out
    }

    fn listed(m: &Mediation) -> Vec<Vec<(usize, usize)>> {
        m.revisions.iter().map(|r| r.changes.iter().map(|c| (c.issue, c.after)).collect()).collect()
    }

    fn check(s: &Scenario, objective: Objective, k: usize, top: usize) {
        for j in 0..s.proposals().len() {
            let options = MediateOptions {
                objective,
                max_changes: Some(k),
                top,
                budget: None,
                parties: None,
                power: None,
            };
            let m = mediate(s, j, &options).unwrap();
            assert!(m.exact);
            let want = brute(s, j, objective, k, false);
            let want_lists: Vec<Vec<(usize, usize)>> =
                want.iter().take(top).map(|c| c.changes.clone()).collect();
            assert_eq!(listed(&m), want_lists, "{objective:?} k {k} top {top} proposal {j}");
            for (r, w) in m.revisions.iter().zip(&want) {
                assert_eq!(r.objective.to_bits(), w.score.0.to_bits());
            }
            let brute_feasible = !brute(s, j, Objective::Nash, k, false).is_empty();
            assert_eq!(m.feasible, brute_feasible, "feasibility, proposal {j}");
            if objective == Objective::FewestChanges {
                assert_eq!(m.fewest, want.first().map(|c| c.changes.len()));
            }
            if m.feasible {
                assert!(m.closest.is_none() && m.deadlock.is_none());
            } else {
                let c = m.closest.as_ref().expect("a closest revision");
                let best = &brute(s, j, objective, k, true)[0];
                let got: Vec<(usize, usize)> =
                    c.changes.iter().map(|c| (c.issue, c.after)).collect();
                assert_eq!(got, best.changes, "closest, proposal {j}");
                assert_eq!(c.objective.to_bits(), (-best.score.1).to_bits());
                assert!(m.deadlock.is_some());
            }
            for r in m.revisions.iter().chain(&m.closest) {
                honest(s, j, r);
            }
        }
    }

    /// No revision claims to keep a red line it breaks; the rest of the report agrees with
    /// `evaluate`.
    fn honest(s: &Scenario, proposal: usize, r: &Revision) {
        for &RedLineRef { party: p, issue: i, index: rl } in &r.red_lines_now_kept {
            let Term::Set(k) = r.terms[i] else { panic!("an open point keeps no red line") };
            assert!(!s.red_lines_broken(p, i, k).contains(&rl));
            assert!(r.changes.iter().any(|c| c.issue == i));
        }
        for &RedLineRef { party: p, issue: i, index: rl } in &r.red_lines_broken {
            let Term::Set(k) = r.terms[i] else { panic!() };
            assert!(s.red_lines_broken(p, i, k).contains(&rl));
        }
        for p in 0..s.parties().len() {
            let e = evaluate_terms(s, p, &r.terms);
            assert_eq!(r.accepts[p], e.verdict == Verdict::Accepts);
            assert_eq!(r.utilities_after[p], (e.utility_min, e.utility_max));
            let kept_all = (0..s.issues().len()).all(|i| match r.terms[i] {
                Term::Set(k) => s.allowed(p, i, k),
                Term::Open => at_risk(s, p, i).is_empty(),
            });
            let listed =
                r.red_lines_broken.iter().chain(&r.red_lines_at_risk).any(|t| t.party == p);
            assert_eq!(kept_all, !listed);
        }
        let terms = &s.proposals()[proposal].terms;
        let changed = (0..s.issues().len()).filter(|&i| r.terms[i] != terms[i]).count();
        assert_eq!(changed, r.changes.len());
    }

    #[test]
    fn river_fewest_changes_moves_the_share() {
        let s = river();
        let options = MediateOptions { top: 4, ..MediateOptions::default() };
        let m = mediate(&s, 0, &options).unwrap();
        assert!(m.feasible && m.exact);
        assert_eq!(m.fewest, Some(1));
        // Lowland needs a share of at least 40 %, Upland reaches 0.45 up to 55 %; the
        // worst-off does best at 40 % (Lowland, 0.52 against 0.35; Upland 0.64 against 0.45).
        assert_eq!(listed(&m), vec![vec![(0, 4)], vec![(0, 5)], vec![(0, 6)], vec![(0, 7)]]);
        let r = &m.revisions[0];
        assert_eq!(r.changes, vec![Change { issue: 0, before: Term::Set(3), after: 4 }]);
        assert!((r.objective - 0.17).abs() < 1e-12);
        assert_eq!(r.red_lines_now_kept, vec![RedLineRef { party: 1, issue: 0, index: 0 }]);
        assert!(r.red_lines_broken.is_empty());
        assert_eq!(r.accepts, vec![true, true, true]);
        assert_eq!(r.verdicts_before[1], Verdict::Rejects);
        let words = mediation_words(&s, &m);
        assert_eq!(
            words[0],
            "1 change to the Draft brings Upland and Lowland to accept it, and no fewer do."
        );
        // What it crosses and whose verdict it changes come before anything else.
        assert_eq!(words[1], "It crosses no red line, and turns Lowland from rejects to accepts.");
        assert_eq!(words[2], "The change: share (Share) from 35 % to 40 %.");
        assert_eq!(
            r.red_lines,
            vec![RedLineMove {
                red_line: RedLineRef { party: 1, issue: 0, index: 0 },
                before: RedLineState::Crossed,
                after: RedLineState::Kept
            }]
        );
        assert!(
            words.iter().any(|w| w.starts_with("It stops crossing Lowland's red line on share"))
        );
        check(&s, Objective::FewestChanges, 4, 6);
        check(&s, Objective::MaxMinSurplus, 2, 3);
        check(&s, Objective::Nash, 3, 3);
    }

    #[test]
    fn colliding_red_lines_give_the_closest_revision() {
        let s = river()
            .edit(|s| {
                if let Some(st) = &mut s.stances[0][1] {
                    st.red_lines.push(detente_core::RedLine {
                        kind: detente_core::RedLineKind::Forbid(vec![1]),
                        reason: None,
                    });
                }
            })
            .unwrap();
        for objective in [Objective::FewestChanges, Objective::MaxMinSurplus, Objective::Nash] {
            let m =
                mediate(&s, 0, &MediateOptions { objective, ..MediateOptions::default() }).unwrap();
            assert!(!m.feasible);
            assert!(m.revisions.is_empty());
            let d = m.deadlock.as_ref().unwrap();
            assert!(!d.feasible);
            let c = m.closest.as_ref().unwrap();
            // One red line on the dam must stay crossed; the share is fixed.
            assert_eq!(c.red_lines_broken.len(), 1);
            let words = mediation_words(&s, &m);
            assert!(words[0].starts_with("No revision of the Draft within 4 changes"));
            assert!(words[1].starts_with("No outcome is acceptable to Upland and Lowland"));
            // The closest revision names the red line it crosses before its changes.
            let at = words.iter().position(|w| w.starts_with("The closest revision")).unwrap();
            assert!(words[at].contains("crosses") && words[at].contains("'s red line on"));
            assert!(words[at + 1].starts_with("The change"));
            // A report with a deadlock section of its own refers to it instead.
            let narrow = narrow_words(&s, &m);
            assert!(
                narrow[1].ends_with("; the deadlock section says what collides."),
                "{narrow:?}"
            );
            assert!(!narrow.iter().any(|w| w.starts_with("No outcome is acceptable")));
            check(&s, objective, 2, 2);
        }
    }

    #[test]
    fn budget_gives_a_result_marked_inexact() {
        let s = random_scenario(3, &GenConfig::new(4, 12, 4));
        let options = MediateOptions {
            objective: Objective::MaxMinSurplus,
            max_changes: Some(4),
            top: 1,
            budget: Some(5),
            parties: None,
            power: None,
        };
        let m = mediate(&s, 0, &options).unwrap();
        assert!(!m.exact);
        assert_eq!(m.termination(), Termination::BudgetReached);
        assert!(
            m.note.as_ref().unwrap().contains("not exact: the work budget (5 steps) was reached")
        );
        let exact = mediate(&s, 0, &MediateOptions { budget: None, ..options.clone() }).unwrap();
        let want = if exact.feasible { Termination::Exact } else { Termination::Infeasible };
        assert_eq!(exact.termination(), want);
        let e = mediate(&s, 9, &options).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let e = mediate(&s, 0, &MediateOptions { top: 0, ..options }).unwrap_err();
        assert_eq!(e.message(), "top must be at least 1");
    }

    /// A scenario of 10 parties and 200 issues: the default budget ends the search, and the
    /// answer says it is not exact rather than claiming what it did not prove.
    #[test]
    fn large_input_ends_within_the_budget_and_says_not_exact() {
        let s = random_scenario(7, &GenConfig::new(10, 200, 5));
        for objective in [Objective::FewestChanges, Objective::MaxMinSurplus, Objective::Nash] {
            let budget = 20_000_000;
            let options =
                MediateOptions { objective, top: 3, budget: Some(budget), ..Default::default() };
            let m = mediate(&s, 0, &options).unwrap();
            assert!(!m.exact, "{objective:?}");
            assert!(m.work <= budget + budget / 100, "{} steps", m.work);
            assert!(m.note.as_ref().unwrap().starts_with("not exact: the work budget"));
            let words = mediation_words(&s, &m);
            assert!(words.iter().any(|w| w.starts_with("Not exact: the work budget")));
        }
    }

    #[test]
    fn parties_choose_whose_acceptance_is_sought() {
        let s = river();
        // Upland alone accepts the draft as it stands.
        let options = MediateOptions { parties: Some(vec![0]), ..Default::default() };
        let m = mediate(&s, 0, &options).unwrap();
        assert_eq!(m.parties, vec![0]);
        assert_eq!(m.fewest, Some(0));
        let m = mediate(&s, 0, &MediateOptions { parties: Some(vec![2, 1]), ..options.clone() })
            .unwrap();
        assert_eq!(m.parties, vec![1, 2]);
        let e = mediate(&s, 0, &MediateOptions { parties: Some(vec![7]), ..options.clone() })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownParty);
        let e = mediate(&s, 0, &MediateOptions { parties: Some(vec![]), ..options }).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn objective_names() {
        for o in [Objective::FewestChanges, Objective::MaxMinSurplus, Objective::Nash] {
            assert_eq!(Objective::parse(o.as_str()), Some(o));
        }
        assert_eq!(Objective::parse("nope"), None);
        fn is<T: Send + Sync>() {}
        is::<Mediation>();
        is::<MediateOptions>();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn mediate_matches_brute_force(
            seed in any::<u64>(),
            n_parties in 2usize..=4,
            n_issues in 2usize..=5,
            n_options in 2usize..=4,
            open_chance in 0.0f64..0.6,
            red_line_chance in 0.0f64..0.5,
            k in 0usize..=4,
            top in 1usize..=4,
            objective in 0usize..3,
        ) {
            let cfg = GenConfig {
                open_chance,
                red_line_chance,
                n_proposals: 2,
                reservation_max: 0.7,
                ..GenConfig::new(n_parties, n_issues, n_options)
            };
            let s = random_scenario(seed, &cfg);
            let objective =
                [Objective::FewestChanges, Objective::MaxMinSurplus, Objective::Nash][objective];
            check(&s, objective, k, top);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// `--objective nash` with bargaining powers: the best revision's weighted product
        /// equals the brute force's largest among the revisions every counted party accepts.
        #[test]
        fn weighted_nash_matches_brute_force(
            seed in any::<u64>(),
            n_parties in 2usize..=4,
            n_issues in 2usize..=5,
            n_options in 2usize..=4,
            k in 0usize..=3,
            powers in proptest::collection::vec(0.05f64..5.0, 4),
        ) {
            let cfg = GenConfig {
                open_chance: 0.3,
                red_line_chance: 0.3,
                n_proposals: 1,
                reservation_max: 0.7,
                ..GenConfig::new(n_parties, n_issues, n_options)
            };
            let s = random_scenario(seed, &cfg);
            let power = powers[..n_parties].to_vec();
            let options = MediateOptions {
                objective: Objective::Nash,
                max_changes: Some(k),
                top: 1,
                budget: None,
                parties: None,
                power: Some(power.clone()),
            };
            let m = mediate(&s, 0, &options).unwrap();
            prop_assert!(m.exact);
            let parties = counted_parties(&s);
            let counted: Vec<f64> = parties.iter().map(|&p| power[p]).collect();
            let e = crate::frontier::power_exponents(Some(&counted), parties.len()).unwrap();
            let terms = &s.proposals()[0].terms;
            let best = all_revisions(&s, terms, k)
                .iter()
                .map(|c| (c, judge(&s, terms, &parties, c)))
                .filter(|(_, j)| j.accepted)
                .map(|(c, _)| {
                    let mut t = terms.to_vec();
                    for &(i, o) in c {
                        t[i] = Term::Set(o);
                    }
                    let u: Vec<f64> =
                        parties.iter().map(|&p| evaluate_terms(&s, p, &t).surplus_min).collect();
                    match &e {
                        None => u.iter().map(|x| x.max(0.0)).product(),
                        Some(e) => crate::frontier::weighted_product(u.into_iter(), e),
                    }
                })
                .fold(f64::NEG_INFINITY, f64::max);
            match m.revisions.first() {
                None => prop_assert!(best == f64::NEG_INFINITY),
                Some(r) => prop_assert!(
                    (r.objective - best).abs() <= 1e-9 * best.abs().max(1e-300),
                    "{} vs {best}", r.objective
                ),
            }
        }
    }

    /// Past the table memory bound the bounds are weaker but still bounds: with tables of
    /// no cells at all, every objective still matches the brute force.
    #[test]
    fn capped_tables_keep_the_search_exact() {
        TEST_CELLS.with(|c| c.set(0));
        for seed in 0..40u64 {
            let cfg = GenConfig {
                open_chance: 0.3,
                red_line_chance: 0.3,
                reservation_max: 0.7,
                ..GenConfig::new(2 + (seed % 3) as usize, 5, 3)
            };
            let s = random_scenario(seed, &cfg);
            for objective in [Objective::FewestChanges, Objective::MaxMinSurplus, Objective::Nash] {
                check(&s, objective, 1 + (seed % 4) as usize, 2);
            }
        }
        TEST_CELLS.with(|c| c.set(TABLE_CELLS));
    }

    /// The random cases cover what the property test is about: both feasible and
    /// infeasible proposals, forced changes and top-N ties.
    #[test]
    fn random_cases_cover_both_answers() {
        let (mut feasible, mut infeasible, mut forced) = (0, 0, 0);
        for seed in 0..200u64 {
            let cfg = GenConfig {
                open_chance: 0.3,
                red_line_chance: 0.3,
                reservation_max: 0.7,
                ..GenConfig::new(2 + (seed % 3) as usize, 4, 3)
            };
            let s = random_scenario(seed, &cfg);
            let m = mediate(&s, 0, &MediateOptions { max_changes: Some(2), ..Default::default() })
                .unwrap();
            if m.feasible {
                feasible += 1
            } else {
                infeasible += 1
            }
            forced +=
                usize::from(m.revisions.first().is_some_and(|r| !r.red_lines_now_kept.is_empty()));
        }
        assert!(
            feasible > 30 && infeasible > 30 && forced > 10,
            "{feasible} {infeasible} {forced}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Raw utilities (imported domains: a bias, values and reservations of any sign)
        /// rank as the brute force does too.
        #[test]
        fn mediate_matches_brute_force_on_raw_utilities(
            seed in any::<u64>(),
            n_parties in 2usize..=4,
            n_issues in 2usize..=5,
            red_line_chance in 0.0f64..0.5,
            k in 0usize..=4,
            top in 1usize..=4,
            objective in 0usize..3,
            reservations in proptest::collection::vec(-6.0f64..6.0, 4),
        ) {
            let cfg = GenConfig {
                open_chance: 0.3,
                red_line_chance,
                n_proposals: 2,
                ..GenConfig::new(n_parties, n_issues, 3)
            };
            let s = random_raw_scenario(seed, &cfg)
                .edit(|p| {
                    for (party, &r) in p.parties.iter_mut().zip(&reservations) {
                        party.reservation = r;
                    }
                })
                .unwrap();
            let objective =
                [Objective::FewestChanges, Objective::MaxMinSurplus, Objective::Nash][objective];
            check(&s, objective, k, top);
        }
    }
}
