//! The search kit: what the branch-and-bound searches of this crate share.
//!
//! Four searches walk one structure, a multiple-choice knapsack: one option per issue, each
//! option a row of contributions (one number per counted party), bounded separably issue by
//! issue. They are deadlock's feasibility oracle (`search.rs`), the two searches for the
//! bargaining solutions (`solutions.rs`: Nash, egalitarian and max welfare, and
//! Kalai-Smorodinsky) and the mediation engine (`mediate/engine.rs`). In the manner of
//! argmin's split between a solver and its executor, each search keeps its own bound (what
//! it maximises and how it prunes) and shares the rest from here:
//!
//! - [`OptionRows`]: one issue's options and their contribution rows;
//! - [`Budget`]: the nodes and the work a search may spend, counted the same way by all
//!   (below), with the part left handed to a nested search;
//! - [`Termination`]: how a search ended (exact, budget reached, infeasible), reported by
//!   every result the same way: spending a budget gives a result that says it is not exact,
//!   never an error;
//! - [`step`]: the multiplicative-weights update that tunes Lagrange multipliers.
//!
//! # Work
//! One unit of work is one contribution looked at: one option of one issue weighed for one
//! party (or one coordinate) by a bound, a maximisation or a score. A node costs one unit
//! more than the rows its bounds look at. Each search counts its work this way; what a
//! search's budget limits (nodes, work or both) is documented on its options.

use std::cell::Cell;

/// How a search ended.
///
/// Wire format (the CLI's `--json`): `"termination": { "kind": "exact" | "budget_reached" |
/// "infeasible" }`, as [`Termination::as_str`] spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Termination {
    /// The search finished and its answer is proved.
    Exact,
    /// The search finished and proved that nothing satisfies its constraints.
    Infeasible,
    /// The budget stopped the search: the answer is the best found, not proved.
    BudgetReached,
}

impl Termination {
    /// `exact`, `infeasible` or `budget_reached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Termination::Exact => "exact",
            Termination::Infeasible => "infeasible",
            Termination::BudgetReached => "budget_reached",
        }
    }

    /// Whether the answer is proved (the search was not stopped by its budget).
    pub fn is_exact(self) -> bool {
        self != Termination::BudgetReached
    }

    /// The termination of a search that was `exact` (not stopped) and `found` something.
    pub(crate) fn of(exact: bool, found: bool) -> Termination {
        match (exact, found) {
            (false, _) => Termination::BudgetReached,
            (true, true) => Termination::Exact,
            (true, false) => Termination::Infeasible,
        }
    }
}

/// What one search may spend and has spent: nodes and units of work (see the module
/// documentation), each with an optional limit.
///
/// The counters are cells so that bounds, which only read their search, can count their
/// work too.
#[derive(Clone, Debug)]
pub(crate) struct Budget {
    max_nodes: Option<u64>,
    max_work: Option<u64>,
    nodes: Cell<u64>,
    work: Cell<u64>,
}

impl Budget {
    /// A budget of at most `max_nodes` nodes and `max_work` units of work (`None`: no limit).
    pub(crate) fn new(max_nodes: Option<u64>, max_work: Option<u64>) -> Budget {
        Budget { max_nodes, max_work, nodes: Cell::new(0), work: Cell::new(0) }
    }

    /// Nodes visited.
    pub(crate) fn nodes(&self) -> u64 {
        self.nodes.get()
    }

    /// Units of work spent.
    pub(crate) fn work(&self) -> u64 {
        self.work.get()
    }

    /// Counts `units` of work.
    #[inline]
    pub(crate) fn charge(&self, units: u64) {
        self.work.set(self.work.get().saturating_add(units));
    }

    /// Counts `n` nodes.
    #[inline]
    pub(crate) fn count_nodes(&self, n: u64) {
        self.nodes.set(self.nodes.get().saturating_add(n));
    }

    /// Whether a limit is passed (spending exactly the limit is within it).
    #[inline]
    pub(crate) fn spent(&self) -> bool {
        self.max_nodes.is_some_and(|m| self.nodes.get() > m)
            || self.max_work.is_some_and(|m| self.work.get() > m)
    }

    /// Counts `units` of work; whether the budget still holds.
    #[inline]
    pub(crate) fn spend(&self, units: u64) -> bool {
        self.charge(units);
        !self.spent()
    }

    /// What is left, as the budget of a nested search (which starts from zero).
    pub(crate) fn left(&self) -> Budget {
        Budget::new(
            self.max_nodes.map(|m| m.saturating_sub(self.nodes.get())),
            self.max_work.map(|m| m.saturating_sub(self.work.get())),
        )
    }
}

/// One issue's options and their contribution rows: `row(j)` is what `options[j]` adds to
/// each of `width` coordinates (the counted parties, and for mediation the red lines).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OptionRows {
    /// Option indices of the issue.
    pub(crate) options: Vec<usize>,
    /// `c[j * width + q]`: what `options[j]` adds to coordinate `q`.
    pub(crate) c: Vec<f64>,
}

impl OptionRows {
    /// The number of options.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.options.len()
    }

    /// The contributions of the `j`-th option.
    #[inline]
    pub(crate) fn row(&self, j: usize, width: usize) -> &[f64] {
        &self.c[j * width..(j + 1) * width]
    }

    /// The largest `w . row(j)` and the first `j` reaching it (`(-inf, 0)` with no option).
    #[inline]
    pub(crate) fn argmax(&self, w: &[f64]) -> (f64, usize) {
        let width = w.len();
        let mut best = (f64::NEG_INFINITY, 0);
        for j in 0..self.len() {
            let v: f64 = self.row(j, width).iter().zip(w).map(|(x, l)| x * l).sum();
            if v > best.0 {
                best = (v, j);
            }
        }
        best
    }

    /// Reorders the options (and their rows) by `order`, a permutation of `0..len()`.
    pub(crate) fn permute(&mut self, order: &[usize], width: usize) {
        let c: Vec<f64> = order.iter().flat_map(|&j| self.row(j, width).iter().copied()).collect();
        self.options = order.iter().map(|&j| self.options[j]).collect();
        self.c = c;
    }
}

/// One multiplicative-weights step: coordinates with a deficit (`h < 0`) gain weight; the
/// weights are normalised to sum 1 and kept at least `1e-12`.
pub(crate) fn step(lambda: &mut [f64], h: &[f64], eta: f64) {
    for (l, &x) in lambda.iter_mut().zip(h) {
        *l *= (-eta * x).exp();
    }
    let total: f64 = lambda.iter().sum();
    if total > 0.0 && total.is_finite() {
        for l in lambda.iter_mut() {
            *l = (*l / total).max(1e-12);
        }
    } else {
        let n = lambda.len() as f64;
        lambda.iter_mut().for_each(|l| *l = 1.0 / n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_moves_weight_to_the_party_in_deficit() {
        let mut l = vec![0.5, 0.5];
        step(&mut l, &[0.1, -0.1], 1.0);
        assert!(l[1] > l[0]);
        assert!((l[0] + l[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn budget_counts_nodes_and_work_and_hands_down_what_is_left() {
        let b = Budget::new(Some(10), Some(100));
        b.count_nodes(4);
        assert!(b.spend(100));
        assert!(!b.spend(1));
        let nested = Budget::new(Some(10), None).left();
        assert!(nested.spend(u64::MAX));
        let b = Budget::new(Some(10), Some(100));
        b.count_nodes(4);
        b.charge(30);
        let nested = b.left();
        nested.count_nodes(6);
        assert!(!nested.spent());
        nested.count_nodes(1);
        assert!(nested.spent());
        b.count_nodes(nested.nodes());
        b.charge(nested.work());
        assert_eq!((b.nodes(), b.work()), (11, 30));
        assert!(b.spent());
    }

    #[test]
    fn termination_names_and_exactness() {
        assert_eq!(Termination::of(true, true), Termination::Exact);
        assert_eq!(Termination::of(true, false), Termination::Infeasible);
        assert_eq!(Termination::of(false, true), Termination::BudgetReached);
        assert_eq!(Termination::BudgetReached.as_str(), "budget_reached");
        assert!(Termination::Infeasible.is_exact() && !Termination::BudgetReached.is_exact());
    }

    #[test]
    fn option_rows_argmax_and_permute() {
        let mut r = OptionRows { options: vec![3, 5, 7], c: vec![0.1, 0.9, 0.5, 0.5, 0.9, 0.1] };
        assert_eq!(r.argmax(&[1.0, 0.0]), (0.9, 2));
        assert_eq!(r.argmax(&[0.5, 0.5]).1, 0);
        r.permute(&[2, 0, 1], 2);
        assert_eq!(r.options, vec![7, 3, 5]);
        assert_eq!(r.row(0, 2), &[0.9, 0.1]);
    }
}
