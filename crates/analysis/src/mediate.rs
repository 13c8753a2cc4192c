//! The mediator's search: which revisions of a draft bring the principals to accept it?
//! The semantics, objectives and algorithm are documented on [`mediate()`].

use std::cell::Cell;
use std::cmp::Ordering;

use detente_core::{Scenario, Term};

use detente_words::{and_list, count, noun, num, range};

use crate::EPS;
use crate::deadlock::{Deadlock, DeadlockOptions, deadlock};
use crate::error::{Error, ErrorKind};
use crate::evaluate::{Verdict, evaluate_terms};
use crate::gap::counted_parties;
use crate::search::step;

/// Bounds must miss by this much to cut a subtree: far above rounding error, far below `EPS`.
const TOL: f64 = 1e-9;
/// Multiplier iterations at the root.
const ROOT_ITERS: usize = 120;
/// Multiplier iterations at each node of the closest search that survives the static bounds.
const NODE_ITERS: usize = 6;
/// The weight of one red line against utility when ordering the closest search.
const RED_LINE_WEIGHT: f64 = 10.0;
/// The most cells the bound tables of one search hold together (a bound on memory: 128 MB
/// of `f64`s), shared by its functionals; past it, a table keeps the sums of the `b`
/// largest gains only for small `b` and bounds larger `b` by the sum of all positive gains.
const TABLE_CELLS: usize = 1 << 24;
#[cfg(not(test))]
fn table_cells() -> usize {
    TABLE_CELLS
}

#[cfg(test)]
thread_local! {
    /// Tests shrink the tables to check the bounds past [`TABLE_CELLS`].
    static TEST_CELLS: Cell<usize> = const { Cell::new(TABLE_CELLS) };
}

#[cfg(test)]
fn table_cells() -> usize {
    TEST_CELLS.with(Cell::get)
}

/// Functionals a search may tabulate besides one per coordinate (the pool).
const POOL_TABLES: usize = 64;
/// Minimality of a `FewestChanges` revision is checked over all its subsets up to this size.
const MAX_SUBSET_CHECK: usize = 20;

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
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

impl Default for MediateOptions {
    fn default() -> MediateOptions {
        MediateOptions {
            objective: Objective::FewestChanges,
            max_changes: None,
            top: 1,
            budget: Some(DEFAULT_BUDGET),
            parties: None,
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
    /// The party whose red line it is.
    pub party: usize,
    /// The issue it is on.
    pub issue: usize,
    /// Its position among the stance's red lines.
    pub index: usize,
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
    pub red_lines_now_kept: Vec<(usize, usize, usize)>,
    /// Red lines (of every party) that a settled term of the revised draft breaks.
    pub red_lines_broken: Vec<(usize, usize, usize)>,
    /// Red lines (of every party) that an open point of the revised draft puts at risk.
    pub red_lines_at_risk: Vec<(usize, usize, usize)>,
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
            .filter(move |m| m.party == party && m.after == RedLineState::Crossed)
            .map(|m| m.issue)
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

/// Searches the revisions of proposal `proposal` (an index into `s.proposals()`) and ranks
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
    let mut budget = Budget {
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
        Objective::Nash => run(s, terms, &parties, Goal::Nash, k, top, &mut budget),
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
        match deadlock(s, &DeadlockOptions { parties: Some(parties.clone()), max_nodes }) {
            Ok(d) => {
                budget.used += d.nodes.saturating_mul(per_node);
                budget.nodes += d.nodes;
                if d.feasible {
                    notes.push(format!(
                        "a complete outcome every principal accepts exists, but no revision within {k} change{} reaches one",
                        plural(k)
                    ));
                }
                deadlock_result = Some(d);
            }
            Err(e) if e.kind() == ErrorKind::Budget => {
                budget.used = budget.max.unwrap_or(budget.used);
                budget.stopped = true;
                notes.push(format!(
                    "not exact: the work budget ({} steps) was reached before the deadlock analysis decided whether any complete outcome is acceptable to every counted party",
                    budget.max.unwrap_or(0)
                ));
            }
            Err(e) => return Err(e),
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

/// The work budget shared by the searches of one call.
struct Budget {
    /// Work steps used.
    used: u64,
    /// Search nodes used.
    nodes: u64,
    /// The whole budget.
    max: Option<u64>,
    /// The most the current phase may reach (a total, not a share): at most `max`.
    phase: Option<u64>,
    stopped: bool,
}

/// What one search ranks.
#[derive(Clone, Copy, Debug)]
enum Goal {
    /// The smallest principal surplus, red lines kept. `floor`: every principal must
    /// accept. `size`: exactly this many changes. `minimal`: list only revisions with no
    /// accepted proper subset (checked when `Some(m)`: the fewest changes that work).
    /// `first`: stop at the first accepted revision.
    MaxMin { floor: bool, size: Option<usize>, minimal: Option<usize>, first: bool },
    /// The Nash product, every principal accepting.
    Nash,
    /// Fewest red lines broken or at risk, then the smallest total shortfall.
    Closest,
}

/// A scored revision: changes as `(issue, option)` in issue order; a larger score is better
/// (compared lexicographically).
#[derive(Clone, Debug, PartialEq)]
struct Cand {
    changes: Vec<(usize, usize)>,
    score: (f64, f64),
}

/// The ranking: score, then fewer changes, then the changes in issue and option order.
fn rank(a: &Cand, b: &Cand) -> Ordering {
    b.score
        .0
        .total_cmp(&a.score.0)
        .then(b.score.1.total_cmp(&a.score.1))
        .then(a.changes.len().cmp(&b.changes.len()))
        .then_with(|| a.changes.cmp(&b.changes))
}

/// One issue in search order: its kept term and the options a change may pick.
struct Slot {
    issue: usize,
    /// Whether keeping the term is allowed (false: the issue must change).
    keep_ok: bool,
    /// The options a change may pick.
    opts: Vec<usize>,
    /// `d[j * dim + q]`: what changing to `opts[j]` adds to coordinate `q` (the principals'
    /// utilities, then minus the red lines broken or at risk) against keeping the term.
    d: Vec<f64>,
}

/// Suffix tables for one linear functional `w` of the coordinates.
struct Table {
    w: Vec<f64>,
    /// `forced[j]`: the sum over the must-change slots at positions `>= j` of their best gain.
    forced: Vec<f64>,
    /// `top[(j - n_forced) * (kcap + 1) + b]`: the sum of the `b` largest positive gains of
    /// the free slots at positions `>= j`, for `b <= kcap`.
    top: Vec<f64>,
    /// The largest `b` tabulated in `top` (memory stays within [`TABLE_CELLS`]).
    kcap: usize,
    /// `all[j - n_forced]`: the sum of every positive gain of the free slots at positions
    /// `>= j`, a bound of the `b` largest for any `b`.
    all: Vec<f64>,
}

struct Engine<'a> {
    s: &'a Scenario,
    parties: &'a [usize],
    goal: Goal,
    k: usize,
    top: usize,
    dim: usize,
    reservation: Vec<f64>,
    slots: Vec<Slot>,
    n_forced: usize,
    /// Coordinates of the proposal itself (the incremental start).
    base: Vec<f64>,
    /// Per-party tables (unit functionals), then the violation table, then the pool.
    units: Vec<Table>,
    pool: Vec<Table>,
    /// `keep_c[i][q]`: principal `q`'s contribution of the kept term of issue `i` (its
    /// worst option when open), for exact issue-order sums.
    keep_c: Vec<Vec<f64>>,
    /// `keep_v[i]`: principals' red lines the kept term of issue `i` breaks or puts at risk.
    keep_v: Vec<usize>,
    best: Vec<Cand>,
    /// The closest search's multipliers tuned at the root (warm start of every node).
    mu: Vec<f64>,
    nodes: u64,
    /// Work steps used (see [`MediateOptions::budget`]); a `Cell` so that the bounds,
    /// which only read the engine, can count their work.
    work: Cell<u64>,
    max_work: Option<u64>,
    stopped: bool,
    done: bool,
}

/// Runs one search; returns the ranked candidates (at most `top`).
fn run(
    s: &Scenario,
    terms: &[Term],
    parties: &[usize],
    goal: Goal,
    k: usize,
    top: usize,
    budget: &mut Budget,
) -> Vec<Cand> {
    if budget.stopped || top == 0 {
        return vec![];
    }
    let limit = match (budget.max, budget.phase) {
        (Some(m), Some(p)) => Some(m.min(p)),
        (m, p) => m.or(p),
    };
    let max_work = limit.map(|m| m.saturating_sub(budget.used));
    if max_work == Some(0) {
        budget.stopped = true;
        return vec![];
    }
    let Some(mut e) = Engine::new(s, terms, parties, goal, k, top, max_work) else {
        return vec![];
    };
    e.search();
    budget.used += e.work.get();
    budget.nodes += e.nodes;
    budget.stopped |= e.stopped || e.spent();
    e.best
}

/// Principal `q`'s violations of option `k` of issue `i` (red lines it breaks).
fn violations(s: &Scenario, p: usize, i: usize, k: usize) -> usize {
    s.red_lines_broken(p, i, k).len()
}

/// The red lines of party `p` an open issue `i` puts at risk (ruling out some option).
fn at_risk(s: &Scenario, p: usize, i: usize) -> Vec<usize> {
    let Some(stance) = &s.stances()[p][i] else { return vec![] };
    let issue = &s.issues()[i];
    (0..stance.red_lines.len())
        .filter(|&r| {
            (0..issue.n_options()).any(|k| !stance.red_lines[r].allows(k, issue.scale_value(k)))
        })
        .collect()
}

/// Contribution of a term to party `p`: the option's, or the worst option's when open.
fn contribution(s: &Scenario, p: usize, i: usize, t: Term) -> f64 {
    match t {
        Term::Set(k) => s.contribution(p, i, k),
        Term::Open => s.contributions(p, i).iter().copied().fold(f64::INFINITY, f64::min),
    }
}

/// The principals' red lines the term breaks or puts at risk.
fn term_violations(s: &Scenario, parties: &[usize], i: usize, t: Term) -> usize {
    parties
        .iter()
        .map(|&p| match t {
            Term::Set(k) => violations(s, p, i, k),
            Term::Open => at_risk(s, p, i).len(),
        })
        .sum()
}

impl<'a> Engine<'a> {
    fn new(
        s: &'a Scenario,
        terms: &'a [Term],
        parties: &'a [usize],
        goal: Goal,
        k: usize,
        top: usize,
        max_work: Option<u64>,
    ) -> Option<Engine<'a>> {
        let n_p = parties.len();
        let dim = n_p + 1;
        let closest = matches!(goal, Goal::Closest);
        let keep_c: Vec<Vec<f64>> = (0..s.issues().len())
            .map(|i| parties.iter().map(|&p| contribution(s, p, i, terms[i])).collect())
            .collect();
        let keep_v: Vec<usize> =
            (0..s.issues().len()).map(|i| term_violations(s, parties, i, terms[i])).collect();
        let mut base = vec![0.0; dim];
        for i in 0..s.issues().len() {
            for q in 0..n_p {
                base[q] += keep_c[i][q];
            }
            base[n_p] -= keep_v[i] as f64;
        }
        let mut slots = Vec::with_capacity(s.issues().len());
        for i in 0..s.issues().len() {
            let keep_ok = closest || keep_v[i] == 0;
            let opts: Vec<usize> = (0..s.issues()[i].n_options())
                .filter(|&o| terms[i] != Term::Set(o))
                .filter(|&o| closest || parties.iter().all(|&p| s.allowed(p, i, o)))
                .collect();
            if !keep_ok && opts.is_empty() {
                return None; // a red line must be fixed and no option fixes it
            }
            let mut d = Vec::with_capacity(opts.len() * dim);
            for &o in &opts {
                for (q, &p) in parties.iter().enumerate() {
                    d.push(s.contribution(p, i, o) - keep_c[i][q]);
                }
                let v: usize = parties.iter().map(|&p| violations(s, p, i, o)).sum();
                d.push(keep_v[i] as f64 - v as f64);
            }
            slots.push(Slot { issue: i, keep_ok, opts, d });
        }
        // Order: must-change first (issue order), then by what is at stake.
        let stake = |sl: &Slot| -> f64 {
            (0..dim)
                .map(|q| {
                    (0..sl.opts.len()).map(|j| sl.d[j * dim + q]).fold(0.0, f64::max)
                        * if q == n_p { 10.0 } else { 1.0 }
                })
                .sum()
        };
        // Options: most promising first (uniform weights, red lines heavy), so that good
        // revisions come early; the ranking does not depend on this order.
        for sl in &mut slots {
            let key = |j: usize| -> f64 {
                (0..dim)
                    .map(|q| sl.d[j * dim + q] * if q == n_p { RED_LINE_WEIGHT } else { 1.0 })
                    .sum()
            };
            let mut order: Vec<usize> = (0..sl.opts.len()).collect();
            order.sort_by(|&x, &y| key(y).total_cmp(&key(x)).then(x.cmp(&y)));
            sl.opts = order.iter().map(|&j| sl.opts[j]).collect();
            sl.d = order.iter().flat_map(|&j| sl.d[j * dim..(j + 1) * dim].to_vec()).collect();
        }
        slots.sort_by(|a, b| {
            a.keep_ok
                .cmp(&b.keep_ok)
                .then_with(|| stake(b).total_cmp(&stake(a)))
                .then(a.issue.cmp(&b.issue))
        });
        let n_forced = slots.iter().filter(|sl| !sl.keep_ok).count();
        if n_forced > k {
            return None;
        }
        let reservation = parties.iter().map(|&p| s.parties()[p].reservation).collect();
        let mut e = Engine {
            s,
            parties,
            goal,
            k,
            top,
            dim,
            reservation,
            slots,
            n_forced,
            base,
            units: vec![],
            pool: vec![],
            keep_c,
            keep_v,
            best: vec![],
            mu: vec![1.0; n_p],
            nodes: 0,
            work: Cell::new(0),
            max_work,
            stopped: false,
            done: false,
        };
        e.units = (0..dim)
            .map(|q| {
                let mut w = vec![0.0; dim];
                w[q] = 1.0;
                e.table(w)
            })
            .collect();
        Some(e)
    }

    fn n_p(&self) -> usize {
        self.dim - 1
    }

    fn charge(&self, steps: usize) {
        self.work.set(self.work.get().saturating_add(steps as u64));
    }

    /// Whether the work budget is spent.
    fn spent(&self) -> bool {
        self.max_work.is_some_and(|m| self.work.get() > m)
    }

    /// Stops the search when the work budget is spent; returns whether it did.
    fn check(&mut self) -> bool {
        if self.spent() {
            self.stopped = true;
            self.done = true;
        }
        self.done
    }

    /// The best gain of slot `pos` under `w`, and the option index achieving it.
    fn best_gain(&self, pos: usize, w: &[f64]) -> (f64, usize) {
        let sl = &self.slots[pos];
        self.charge(sl.opts.len().max(1) * self.dim);
        let mut best = (f64::NEG_INFINITY, 0);
        for j in 0..sl.opts.len() {
            let g: f64 =
                sl.d[j * self.dim..(j + 1) * self.dim].iter().zip(w).map(|(x, y)| x * y).sum();
            if g > best.0 {
                best = (g, j);
            }
        }
        best
    }

    fn table(&self, w: Vec<f64>) -> Table {
        let n = self.slots.len();
        let kmax = self.k;
        let mut forced = vec![0.0; n + 1];
        for pos in (0..self.n_forced).rev() {
            forced[pos] = forced[pos + 1] + self.best_gain(pos, &w).0;
        }
        let rows = n - self.n_forced + 1;
        let per_table = table_cells() / (self.dim + POOL_TABLES);
        let kcap = kmax.min((per_table / rows).saturating_sub(1));
        self.charge(rows * (kcap + 2));
        let mut top = vec![0.0; rows * (kcap + 1)];
        let mut all = vec![0.0; rows];
        let mut total = 0.0;
        let mut sorted: Vec<f64> = Vec::with_capacity(kcap + 1);
        for pos in (self.n_forced..n).rev() {
            let g = self.best_gain(pos, &w).0;
            if g > 0.0 {
                total += g;
                let at = sorted.partition_point(|&x| x >= g);
                if at < kcap {
                    sorted.insert(at, g);
                    sorted.truncate(kcap);
                }
            }
            let r = pos - self.n_forced;
            all[r] = total;
            let row = &mut top[r * (kcap + 1)..(r + 1) * (kcap + 1)];
            let mut acc = 0.0;
            for (b, cell) in row.iter_mut().enumerate().skip(1) {
                if let Some(&x) = sorted.get(b - 1) {
                    acc += x;
                }
                *cell = acc;
            }
        }
        Table { w, forced, top, kcap, all }
    }

    /// The bound of `t` at position `j` with `b` changes left: an upper bound of `t.w . x`
    /// over the revisions of the subtree, given `wx = t.w . x` now.
    fn bound(&self, t: &Table, j: usize, b: usize, wx: f64) -> f64 {
        let nf = self.n_forced.saturating_sub(j);
        let free = b - nf;
        let from = j.max(self.n_forced) - self.n_forced;
        let b = free.min(self.k);
        let best = if b <= t.kcap { t.top[from * (t.kcap + 1) + b] } else { t.all[from] };
        wx + t.forced[j.min(self.n_forced)] + best
    }

    /// The maximiser of `w . gain` over the revisions of the subtree at position `j` with
    /// `b` changes left: its value and what it adds to each coordinate.
    fn subtree_max(&self, w: &[f64], j: usize, b: usize) -> (f64, Vec<f64>) {
        let dim = self.dim;
        let mut picks: Vec<(f64, usize, usize)> = Vec::new();
        let mut forced = Vec::new();
        for pos in j..self.slots.len() {
            let (g, o) = self.best_gain(pos, w);
            if pos < self.n_forced {
                forced.push((g, pos, o));
            } else if g > 0.0 {
                picks.push((g, pos, o));
            }
        }
        let room = b - forced.len();
        if picks.len() > room {
            picks.select_nth_unstable_by(room, |a, b| b.0.total_cmp(&a.0));
            picks.truncate(room);
        }
        let mut value = 0.0;
        let mut sums = vec![0.0; dim];
        for &(g, pos, o) in forced.iter().chain(&picks) {
            value += g;
            for (sum, x) in sums.iter_mut().zip(&self.slots[pos].d[o * dim..(o + 1) * dim]) {
                *sum += x;
            }
        }
        (value, sums)
    }

    /// For the closest revision, whether multipliers `mu` tuned at this node (in place,
    /// warm-started from the parent's) prove that no revision of the subtree has a total
    /// shortfall below `target`: `sum_p max(0, r_p - u_p) >= mu . (r - u)` for `mu` in
    /// `[0, 1]^n`.
    fn tuned_prune(&self, j: usize, b: usize, x: &[f64], mu: &mut [f64], target: f64) -> bool {
        let n_p = self.n_p();
        let slack = n_p as f64 * EPS + TOL;
        let mut w = vec![0.0; self.dim];
        for it in 0..NODE_ITERS {
            w[..n_p].copy_from_slice(mu);
            let (value, sums) = self.subtree_max(&w, j, b);
            let deficit: Vec<f64> =
                (0..n_p).map(|q| self.reservation[q] - x[q] - sums[q]).collect();
            let lb = Self::dot(mu, &self.reservation) - Self::dot(mu, &x[..n_p]) - value;
            if lb - slack > target {
                return true;
            }
            let eta = 0.5 / ((it + 1) as f64).sqrt();
            for q in 0..n_p {
                mu[q] = (mu[q] + eta * deficit[q]).clamp(0.0, 1.0);
            }
        }
        false
    }

    fn dot(w: &[f64], x: &[f64]) -> f64 {
        w.iter().zip(x).map(|(a, b)| a * b).sum()
    }

    /// The threshold a revision's primary score must reach to enter the ranking.
    fn kth(&self) -> Option<(f64, f64)> {
        (self.best.len() >= self.top).then(|| self.best[self.top - 1].score)
    }

    /// Whether the subtree at position `j` with `b` changes left and coordinates `x`
    /// cannot hold a revision that enters the ranking.
    fn prune(&self, j: usize, b: usize, x: &[f64]) -> bool {
        let n_p = self.n_p();
        if b < self.n_forced.saturating_sub(j) {
            return true;
        }
        let kth = self.kth();
        let surplus_ub: Vec<f64> = (0..n_p)
            .map(|q| self.bound(&self.units[q], j, b, x[q]) - self.reservation[q] + TOL)
            .collect();
        let pooled = |t: &Table| -> f64 {
            self.bound(t, j, b, Self::dot(&t.w, x)) - Self::dot(&t.w[..n_p], &self.reservation)
                + TOL
        };
        match self.goal {
            Goal::MaxMin { floor, .. } => {
                let mut t = if floor { -EPS } else { f64::NEG_INFINITY };
                if let Some(k) = kth {
                    t = t.max(k.0);
                }
                surplus_ub.iter().any(|&u| u < t) || self.pool.iter().any(|tb| pooled(tb) < t)
            }
            Goal::Nash => {
                if surplus_ub.iter().any(|&u| u < -EPS) {
                    return true;
                }
                let Some(k) = kth else { return false };
                let t = k.0 * (1.0 - 1e-12);
                let prod: f64 = surplus_ub.iter().map(|&u| u.max(0.0)).product();
                if prod < t {
                    return true;
                }
                let n = n_p as f64;
                self.pool.iter().any(|tb| {
                    let lam = &tb.w[..n_p];
                    let g = pooled(tb).max(0.0);
                    let denom: f64 = lam.iter().product();
                    denom > 0.0 && (g / n).powi(n_p as i32) / denom < t
                })
            }
            Goal::Closest => {
                let Some(k) = kth else { return false };
                let viol_ub = self.bound(&self.units[n_p], j, b, x[n_p]);
                if viol_ub < k.0 - 0.5 {
                    return true;
                }
                if viol_ub > k.0 + 0.5 {
                    return false;
                }
                // Same red lines: bound the total shortfall from below.
                let slack = n_p as f64 * EPS + TOL;
                let mut lb: f64 = surplus_ub.iter().map(|&u| (-u).max(0.0)).sum();
                for tb in &self.pool {
                    lb = lb.max(-pooled(tb));
                }
                -(lb - slack) < k.1
            }
        }
    }

    /// Tunes multipliers at the root (and tries each maximiser as a revision), then builds
    /// the pool of functionals.
    fn prepare_pool(&mut self) {
        let n_p = self.n_p();
        if n_p == 0 {
            return;
        }
        match self.goal {
            Goal::Closest => {
                // Incumbents: maximisers of mu . u + RED_LINE_WEIGHT * (-red lines), with mu
                // tuned by the same subgradient steps as at the nodes.
                let mut mu = vec![1.0; n_p];
                let mut best = (f64::NEG_INFINITY, mu.clone());
                for it in 0..ROOT_ITERS {
                    if self.check() {
                        return;
                    }
                    let mut w = mu.clone();
                    w.push(RED_LINE_WEIGHT);
                    if it % 8 == 0
                        && let (Some(picks), _) = self.root_max(&w)
                    {
                        self.try_revision(&picks);
                    }
                    w[n_p] = 0.0;
                    let (value, sums) = self.subtree_max(&w, 0, self.k);
                    let lb = Self::dot(&mu, &self.reservation)
                        - Self::dot(&mu, &self.base[..n_p])
                        - value;
                    if lb > best.0 {
                        best = (lb, mu.clone());
                    }
                    let eta = 0.5 / ((it + 1) as f64).sqrt();
                    for q in 0..n_p {
                        let deficit = self.reservation[q] - self.base[q] - sums[q];
                        mu[q] = (mu[q] + eta * deficit).clamp(0.0, 1.0);
                    }
                }
                self.mu = best.1;
                // mu in {0, 1}^n on the shortfalls: -(mu . (x - r)).
                let subsets: Vec<Vec<f64>> = if n_p <= 6 {
                    (1..(1usize << n_p))
                        .filter(|m| m.count_ones() > 1)
                        .map(|m| (0..n_p).map(|q| ((m >> q) & 1) as f64).collect())
                        .collect()
                } else {
                    vec![vec![1.0; n_p]]
                };
                for mu in subsets {
                    let mut w = mu;
                    w.push(0.0);
                    let t = self.table(w);
                    self.pool.push(t);
                }
            }
            Goal::MaxMin { .. } | Goal::Nash => {
                let mut lambda = vec![1.0 / n_p as f64; n_p];
                let mut best = (f64::INFINITY, lambda.clone());
                for it in 0..ROOT_ITERS {
                    if self.check() {
                        return;
                    }
                    let mut w = lambda.clone();
                    w.push(0.0);
                    let (picks, sums) = self.root_max(&w);
                    let h: Vec<f64> =
                        (0..n_p).map(|q| self.base[q] + sums[q] - self.reservation[q]).collect();
                    let g = Self::dot(&lambda, &h);
                    if g < best.0 {
                        best = (g, lambda.clone());
                    }
                    if let Some(picks) = picks
                        && it % 8 == 0
                    {
                        self.try_revision(&picks);
                    }
                    step(&mut lambda, &h, 2.0 / ((it + 1) as f64).sqrt());
                }
                let mut uniform = vec![1.0 / n_p as f64; n_p];
                uniform.push(0.0);
                let mut tuned = best.1;
                tuned.push(0.0);
                if n_p > 1 {
                    let t = self.table(uniform);
                    self.pool.push(t);
                    let t = self.table(tuned);
                    self.pool.push(t);
                }
            }
        }
    }

    /// The maximiser of `w . x` within the budget: its changes as `(pos, opt)` and the sums
    /// it adds to each coordinate (`None` picks when the budget cannot cover the forced slots).
    fn root_max(&self, w: &[f64]) -> (Option<Vec<(usize, usize)>>, Vec<f64>) {
        let mut picks = Vec::new();
        for pos in 0..self.n_forced {
            picks.push((pos, self.best_gain(pos, w).1));
        }
        let mut free: Vec<(f64, usize, usize)> = (self.n_forced..self.slots.len())
            .filter(|&pos| !self.slots[pos].opts.is_empty())
            .map(|pos| {
                let (g, j) = self.best_gain(pos, w);
                (g, pos, j)
            })
            .filter(|x| x.0 > 0.0)
            .collect();
        free.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let room = self.k.saturating_sub(self.n_forced);
        picks.extend(free.iter().take(room).map(|&(_, pos, j)| (pos, j)));
        let mut sums = vec![0.0; self.dim];
        for &(pos, j) in &picks {
            let sl = &self.slots[pos];
            for (sum, x) in sums.iter_mut().zip(&sl.d[j * self.dim..(j + 1) * self.dim]) {
                *sum += x;
            }
        }
        ((self.n_forced <= self.k).then_some(picks), sums)
    }

    fn search(&mut self) {
        self.prepare_pool();
        if self.done {
            return;
        }
        let mut x = self.base.clone();
        let mut chosen = Vec::new();
        let mu = self.mu.clone();
        self.dfs(0, &mut x, &mut chosen, &mu);
    }

    fn dfs(&mut self, j: usize, x: &mut Vec<f64>, chosen: &mut Vec<(usize, usize)>, mu: &[f64]) {
        if self.done {
            return;
        }
        self.nodes += 1;
        self.charge(self.dim * (2 + self.pool.len()) + chosen.len());
        if self.check() {
            return;
        }
        let depth = chosen.len();
        let b = self.k - depth;
        if self.prune(j, b, x) {
            return;
        }
        let mut mu = mu.to_vec();
        // The most changes a revision of this subtree may have and still enter the ranking.
        let mut cap = self.k;
        if let (Goal::Closest, Some(k)) = (self.goal, self.kth()) {
            let viol_ub = self.bound(&self.units[self.n_p()], j, b, x[self.n_p()]);
            if (viol_ub - k.0).abs() < 0.5 {
                if self.tuned_prune(j, b, x, &mut mu, -k.1) {
                    return;
                }
                if k.1 == 0.0 {
                    // No revision here can beat the `top`-th on red lines or shortfall (0),
                    // so only fewer changes (or as many, earlier in order) can rank higher.
                    cap = self.best[self.top - 1].changes.len();
                    if depth > cap {
                        return;
                    }
                }
            }
        }
        let size = match self.goal {
            Goal::MaxMin { size, .. } => size,
            _ => None,
        };
        if let Some(m) = size
            && (self.slots.len() - j < m - depth)
        {
            return;
        }
        if j >= self.n_forced && size.is_none_or(|m| m == depth) {
            let picks = chosen.clone();
            self.try_revision(&picks);
        }
        if b == 0 || depth >= cap {
            return;
        }
        let end = if j < self.n_forced { j + 1 } else { self.slots.len() };
        for pos in j..end {
            for o in 0..self.slots[pos].opts.len() {
                let dim = self.dim;
                for (xq, d) in x.iter_mut().zip(&self.slots[pos].d[o * dim..(o + 1) * dim]) {
                    *xq += d;
                }
                chosen.push((pos, o));
                self.dfs(pos + 1, x, chosen, &mu);
                chosen.pop();
                for (xq, d) in x.iter_mut().zip(&self.slots[pos].d[o * dim..(o + 1) * dim]) {
                    *xq -= d;
                }
                if self.done {
                    return;
                }
            }
        }
    }

    /// The principals' exact `utility_min` of the revision, summed in issue order as
    /// `evaluate` does, and the principals' red lines it breaks or puts at risk.
    fn exact(&self, changes: &[(usize, usize)]) -> (Vec<f64>, usize) {
        let n_p = self.n_p();
        self.charge(self.s.issues().len() * (n_p + 1));
        let mut u = vec![0.0; n_p];
        let mut viol = 0;
        let mut next = changes.iter().peekable();
        for i in 0..self.s.issues().len() {
            match next.peek() {
                Some(&&(issue, k)) if issue == i => {
                    next.next();
                    for (q, &p) in self.parties.iter().enumerate() {
                        u[q] += self.s.contribution(p, i, k);
                    }
                    viol +=
                        self.parties.iter().map(|&p| violations(self.s, p, i, k)).sum::<usize>();
                }
                _ => {
                    for (uq, c) in u.iter_mut().zip(&self.keep_c[i]) {
                        *uq += c;
                    }
                    viol += self.keep_v[i];
                }
            }
        }
        (u, viol)
    }

    fn accepted(&self, u: &[f64]) -> bool {
        u.iter().zip(&self.reservation).all(|(&u, &r)| u >= r - EPS)
    }

    /// Scores a revision given as `(pos, opt)` picks and enters it in the ranking.
    fn try_revision(&mut self, picks: &[(usize, usize)]) {
        let mut changes: Vec<(usize, usize)> = picks
            .iter()
            .map(|&(pos, j)| (self.slots[pos].issue, self.slots[pos].opts[j]))
            .collect();
        changes.sort_unstable();
        let (u, viol) = self.exact(&changes);
        let surplus: Vec<f64> = u.iter().zip(&self.reservation).map(|(u, r)| u - r).collect();
        let score = match self.goal {
            Goal::MaxMin { floor, minimal, size, .. } => {
                if size.is_some_and(|m| m != changes.len()) || floor && !self.accepted(&u) {
                    return;
                }
                if let Some(m) = minimal
                    && changes.len() > m
                    && self.has_accepted_subset(&changes)
                {
                    return;
                }
                if self.check() {
                    return; // minimality was not checked to the end
                }
                (surplus.iter().copied().fold(f64::INFINITY, f64::min), 0.0)
            }
            Goal::Nash => {
                if !self.accepted(&u) {
                    return;
                }
                (surplus.iter().map(|&x| x.max(0.0)).product(), 0.0)
            }
            Goal::Closest => {
                let short: f64 = surplus.iter().map(|&x| if -x > EPS { -x } else { 0.0 }).sum();
                (-(viol as f64), -short)
            }
        };
        let cand = Cand { changes, score };
        if self.best.iter().any(|c| c.changes == cand.changes) {
            return;
        }
        let at = self.best.partition_point(|c| rank(c, &cand) == Ordering::Less);
        if at < self.top {
            self.best.insert(at, cand);
            self.best.truncate(self.top);
        }
        if let Goal::MaxMin { first: true, .. } = self.goal {
            self.done = true;
        }
    }

    /// Whether some proper subset of the changes is accepted by every principal (red lines
    /// are kept by any subset that keeps the must-change issues changed).
    fn has_accepted_subset(&self, changes: &[(usize, usize)]) -> bool {
        let m = changes.len();
        if m > MAX_SUBSET_CHECK {
            return false;
        }
        (0..(1u64 << m) - 1).any(|mask| {
            if self.spent() {
                return false; // the caller sees the budget spent and stops
            }
            let sub: Vec<(usize, usize)> =
                (0..m).filter(|&x| (mask >> x) & 1 == 1).map(|x| changes[x]).collect();
            let fixed = (0..self.s.issues().len())
                .all(|i| self.keep_v[i] == 0 || sub.iter().any(|&(issue, _)| issue == i));
            fixed && {
                let (u, _) = self.exact(&sub);
                self.accepted(&u)
            }
        })
    }
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
                now_kept.extend(was.iter().filter(|r| !still.contains(r)).map(|&r| (p, i, r)));
                broken.extend(still.iter().map(|&r| (p, i, r)));
            } else {
                risky.extend(at_risk(s, p, i).into_iter().map(|r| (p, i, r)));
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
                    out.push(RedLineMove { party: p, issue: i, index: r, before: b, after: a });
                }
            }
        }
    }
    out
}

/// An issue for prose: `id (name)`.
pub(crate) fn issue_ref(s: &Scenario, i: usize) -> String {
    format!("{} ({})", s.issues()[i].id, s.issues()[i].name)
}

/// An option for prose: its id quoted, or the value with its unit on a scale.
pub(crate) fn option_ref(s: &Scenario, i: usize, k: usize) -> String {
    let issue = &s.issues()[i];
    if issue.is_scale() { issue.option_label(k) } else { format!("{:?}", issue.option_id(k)) }
}

/// One change for prose: `TER-03 (Donetsk) from "a" to "b"` or `TER-01 (Crimea), open, to "b"`.
pub(crate) fn change_words(s: &Scenario, c: &Change) -> String {
    match c.before {
        Term::Set(k) => format!(
            "{} from {} to {}",
            issue_ref(s, c.issue),
            option_ref(s, c.issue, k),
            option_ref(s, c.issue, c.after)
        ),
        Term::Open => {
            format!("{}, open, to {}", issue_ref(s, c.issue), option_ref(s, c.issue, c.after))
        }
    }
}

/// A utility pair for prose: `0.50`, or `0.40 to 0.60` when open points leave a range.
pub(crate) fn range_words(u: (f64, f64)) -> String {
    range(u.0, u.1)
}

/// Red lines as `Russia's red line on TER-03 and Ukraine's on TER-01`.
pub(crate) fn red_lines_words(s: &Scenario, list: &[(usize, usize)]) -> String {
    let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
    for &(p, i) in list {
        match groups.last_mut() {
            Some((q, issues)) if *q == p => issues.push(s.issues()[i].id.clone()),
            _ => groups.push((p, vec![s.issues()[i].id.clone()])),
        }
    }
    let items: Vec<String> = groups
        .iter()
        .enumerate()
        .map(|(j, (p, issues))| {
            let lines = if j > 0 {
                ""
            } else if issues.len() == 1 {
                " red line"
            } else {
                " red lines"
            };
            format!("{}'s{lines} on {}", s.parties()[*p].name, and_list(issues))
        })
        .collect();
    if items.len() > 1 && groups.iter().any(|g| g.1.len() > 1) {
        items.join("; ")
    } else {
        and_list(&items)
    }
}

/// The red lines of a revision whose states match, as `(party, issue)`, once per pair.
fn lines_where(
    r: &Revision,
    keep: impl Fn(RedLineState, RedLineState) -> bool,
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for m in &r.red_lines {
        if keep(m.before, m.after) && !out.contains(&(m.party, m.issue)) {
            out.push((m.party, m.issue));
        }
    }
    out
}

/// What a revision crosses and which verdicts it changes, as one sentence beginning with
/// `subject` ("It", "The closest revision"): every red line the revised draft crosses, of
/// every party, and every party whose verdict moves, from and to.
pub(crate) fn stakes_words(s: &Scenario, r: &Revision, subject: &str) -> String {
    let crossed = lines_where(r, |_, a| a == RedLineState::Crossed);
    let red = if crossed.is_empty() {
        "crosses no red line".to_string()
    } else {
        let new: Vec<(usize, usize)> =
            lines_where(r, |b, a| a == RedLineState::Crossed && b != RedLineState::Crossed);
        let old: Vec<(usize, usize)> =
            crossed.iter().copied().filter(|x| !new.contains(x)).collect();
        let mut parts = Vec::new();
        if !new.is_empty() {
            parts.push(format!("crosses {}", red_lines_words(s, &new)));
        }
        if !old.is_empty() {
            parts.push(format!("still crosses {}", red_lines_words(s, &old)));
        }
        parts.join(" and ")
    };
    let moved: Vec<String> = (0..s.parties().len())
        .filter(|&p| r.verdicts_before[p] != r.verdicts_after[p])
        .map(|p| {
            format!(
                "{} from {} to {}",
                s.parties()[p].name,
                r.verdicts_before[p].as_str(),
                r.verdicts_after[p].as_str()
            )
        })
        .collect();
    let verdicts = if moved.is_empty() {
        "changes no party's verdict".to_string()
    } else {
        format!("turns {}", and_list(&moved))
    };
    format!("{subject} {red}, and {verdicts}.")
}

/// What a revision does after its stakes, in a few sentences: the counted parties'
/// utilities, red lines kept anew or still at risk, the remaining gaps, the other parties.
fn revision_words(s: &Scenario, parties: &[usize], r: &Revision, out: &mut Vec<String>) {
    let moves: Vec<String> = parties
        .iter()
        .enumerate()
        .map(|(n, &p)| {
            let who = if n == 0 {
                format!("{}'s utility", s.parties()[p].name)
            } else {
                format!("{}'s", s.parties()[p].name)
            };
            format!(
                "{who} is {} (before: {}; reservation {})",
                range_words(r.utilities_after[p]),
                range_words(r.utilities_before[p]),
                num(s.parties()[p].reservation)
            )
        })
        .collect();
    out.push(format!("After it, {}.", and_list(&moves)));
    let was_crossed = lines_where(r, |b, a| b == RedLineState::Crossed && a == RedLineState::Kept);
    if !was_crossed.is_empty() {
        out.push(format!("It stops crossing {}.", red_lines_words(s, &was_crossed)));
    }
    let was_risky = lines_where(r, |b, a| b == RedLineState::AtRisk && a == RedLineState::Kept);
    if !was_risky.is_empty() {
        out.push(format!(
            "It settles open points that put at risk {}, keeping {}.",
            red_lines_words(s, &was_risky),
            if was_risky.len() == 1 { "it" } else { "them" }
        ));
    }
    let risky = lines_where(r, |_, a| a == RedLineState::AtRisk);
    if !risky.is_empty() {
        out.push(format!("Open points still put at risk {}.", red_lines_words(s, &risky)));
    }
    let gaps: Vec<String> = parties
        .iter()
        .filter_map(|&p| {
            let crossed: Vec<String> =
                r.issues_crossing(p).map(|i| s.issues()[i].id.clone()).collect();
            let name = &s.parties()[p].name;
            let short = r.shortfalls[p];
            let short = if short > 0.0 {
                Some(format!(
                    "{} short of its reservation{}",
                    range(r.shortfalls_best[p], short),
                    if r.shortfalls_best[p] < short { " as the open points go" } else { "" }
                ))
            } else {
                None
            };
            match (crossed.is_empty(), short) {
                (true, None) => None,
                (true, Some(x)) => Some(format!("{name} {x}")),
                (false, None) => {
                    Some(format!("{name} a crossed red line on {}", and_list(&dedup(crossed))))
                }
                (false, Some(x)) => Some(format!(
                    "{name} a crossed red line on {}, and {x}",
                    and_list(&dedup(crossed))
                )),
            }
        })
        .collect();
    if !gaps.is_empty() {
        out.push(format!("Remaining gap: {}.", gaps.join("; ")));
    }
    let others: Vec<usize> = (0..s.parties().len()).filter(|p| !parties.contains(p)).collect();
    if !others.is_empty() {
        let names = |v: Verdict| -> Vec<String> {
            others
                .iter()
                .filter(|&&p| r.verdicts_after[p] == v)
                .map(|&p| s.parties()[p].name.clone())
                .collect()
        };
        let (yes, maybe, no) =
            (names(Verdict::Accepts), names(Verdict::Depends), names(Verdict::Rejects));
        let mut parts = Vec::new();
        if !yes.is_empty() {
            parts.push(format!("{} would accept it", and_list(&yes)));
        }
        if !no.is_empty() {
            parts.push(format!("{} would reject it", and_list(&no)));
        }
        if !maybe.is_empty() {
            parts.push(format!(
                "{} would answer depending on how the open points are settled",
                and_list(&maybe)
            ));
        }
        out.push(format!("Of the other parties, {}.", and_list(&parts)));
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    v.retain(|x| {
        let new = !seen.contains(x);
        if new {
            seen.push(x.clone());
        }
        new
    });
    v
}

/// A few sentences a mediator could read aloud about a [`Mediation`]: which points to
/// change, what each revision crosses and whose verdict it changes (said first), how it
/// moves the counted parties and why, whether the answer is proved, and when no revision
/// works, what collides and what comes closest.
pub fn mediation_words(s: &Scenario, m: &Mediation) -> Vec<String> {
    words(s, m, false)
}

/// The sentences of [`mediation_words`] for a report that explains the deadlock in a
/// section of its own: when no revision works, they say whether any outcome at all is
/// acceptable and refer to that section instead of naming the colliding constraints.
pub fn narrow_words(s: &Scenario, m: &Mediation) -> Vec<String> {
    words(s, m, true)
}

fn words(s: &Scenario, m: &Mediation, deadlock_elsewhere: bool) -> Vec<String> {
    let title = &s.proposals()[m.proposal].title;
    let names: Vec<String> = m.parties.iter().map(|&p| s.parties()[p].name.clone()).collect();
    let who = and_list(&names);
    let k = m.max_changes;
    let within = format!("within {}", count(k, "change", "changes"));
    let changes = |r: &Revision| -> String {
        let items: Vec<String> = r.changes.iter().map(|c| change_words(s, c)).collect();
        items.join("; ")
    };
    let changes_sentence = |r: &Revision| -> String {
        format!("The {}: {}.", noun(r.changes.len(), "change", "changes"), changes(r))
    };
    let mut out = Vec::new();
    if let Some(r) = m.revisions.first().filter(|_| m.feasible) {
        let n = r.changes.len();
        match m.objective {
            Objective::FewestChanges if n == 0 => {
                out.push(format!("The {title} is already acceptable to {who} as it stands."))
            }
            Objective::FewestChanges => out.push(format!(
                "{} to the {title} {} {who} to accept it{}.",
                count(n, "change", "changes"),
                if n == 1 { "brings" } else { "bring" },
                if m.exact { ", and no fewer do" } else { "" }
            )),
            Objective::MaxMinSurplus => out.push(format!(
                "{within}, the revision of the {title} that does most for the worst-off of {who} {}.",
                if n == 0 { "is the draft itself" } else { "follows" }
            )),
            Objective::Nash => out.push(format!(
                "{within}, the revision of the {title} with the largest product of {who}'s surpluses ({}) {}.",
                num(r.objective),
                if n == 0 { "is the draft itself" } else { "follows" }
            )),
        }
        if let Some(first) = out.first_mut()
            && let Some(c) = first.get(..1)
        {
            *first = format!("{}{}", c.to_uppercase(), &first[1..]);
        }
        if n > 0 {
            out.push(stakes_words(s, r, "It"));
            out.push(changes_sentence(r));
            revision_words(s, &m.parties, r, &mut out);
        }
        if m.exact {
            out.push(match m.objective {
                Objective::FewestChanges => format!(
                    "No revision with fewer changes works: the search proved it by covering every smaller one ({} nodes).",
                    m.nodes
                ),
                _ => format!(
                    "This is proved best {within}: the search covered every revision of at most {} ({} nodes).",
                    count(k, "change", "changes"),
                    m.nodes
                ),
            });
        }
        if m.revisions.len() > 1 {
            let more = m.revisions.len() - 1;
            out.push(format!(
                "{} {} in rank{}.",
                count(more, "other revision", "other revisions"),
                if more == 1 { "follows" } else { "follow" },
                if m.exact { ", and the ranking is proved too" } else { "" }
            ));
        }
    } else {
        let both = if m.parties.len() == 2 { "both" } else { "all of" };
        if m.exact || m.deadlock.as_ref().is_some_and(|d| !d.feasible) {
            out.push(format!("No revision of the {title} {within} is accepted by {both} {who}."));
        } else {
            out.push(format!(
                "The search found no revision of the {title} {within} that {both} {who} accept before its work budget ran out; none is proved impossible."
            ));
        }
        match &m.deadlock {
            Some(d) if d.feasible => out.push(format!(
                "A deal does exist among {who}, but it needs more than {}.",
                count(k, "change", "changes")
            )),
            Some(_) if deadlock_elsewhere => out.push(format!(
                "No outcome at all is acceptable to {who}; the deadlock section says what collides."
            )),
            Some(d) => out.extend(crate::explain::explain(s, d)),
            None => out.push(format!(
                "Whether any outcome at all is acceptable to {who} was not decided within the work budget."
            )),
        }
        if let (Objective::MaxMinSurplus, Some(r)) = (m.objective, m.revisions.first()) {
            out.push(format!(
                "Keeping every red line, the most the worst-off can get is a surplus of {}, with {}.",
                num(r.objective),
                if r.changes.is_empty() { "no change".to_string() } else { changes(r) }
            ));
        }
        if let Some(r) = &m.closest {
            if r.changes.is_empty() {
                out.push(format!(
                    "The closest draft is the {title} itself: no change reduces the red lines crossed or the total shortfall."
                ));
            } else {
                out.push(stakes_words(
                    s,
                    r,
                    &format!(
                        "The closest revision (fewest red lines of {who} crossed or at risk, then the smallest total shortfall)"
                    ),
                ));
                out.push(changes_sentence(r));
                revision_words(s, &m.parties, r, &mut out);
            }
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
mod tests {
    use super::*;
    use crate::Reason;
    use crate::evaluate::tests::river;
    use detente_testkit::{GenConfig, random_scenario};
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
        for &(p, i, rl) in &r.red_lines_now_kept {
            let Term::Set(k) = r.terms[i] else { panic!("an open point keeps no red line") };
            assert!(!s.red_lines_broken(p, i, k).contains(&rl));
            assert!(r.changes.iter().any(|c| c.issue == i));
        }
        for &(p, i, rl) in &r.red_lines_broken {
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
            let listed = r.red_lines_broken.iter().chain(&r.red_lines_at_risk).any(|t| t.0 == p);
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
        assert_eq!(r.red_lines_now_kept, vec![(1, 0, 0)]);
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
                party: 1,
                issue: 0,
                index: 0,
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
        };
        let m = mediate(&s, 0, &options).unwrap();
        assert!(!m.exact);
        assert!(
            m.note.as_ref().unwrap().contains("not exact: the work budget (5 steps) was reached")
        );
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
}
