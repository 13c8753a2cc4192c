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
//! - [`step`]: the multiplicative-weights update that tunes Lagrange multipliers;
//! - [`PairSums`]: a meet in the middle over the issues for one coordinate (the outcomes
//!   whose sum lies in an interval, counted and listed in about the square root of the work
//!   of enumerating them), used by the two-party solutions (`solutions/pairs.rs`).
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

/// A meet in the middle over the issues for one coordinate `q` of the option rows (a
/// party's utility): the issues are split into a prefix and the rest, and each half's sums
/// of coordinate `q` over all its option choices are sorted, so that the outcomes whose sum
/// lies in an interval are counted in `O(|A| log |B|)` and listed in that plus their number,
/// where enumerating the outcomes would cost `|A| |B|` (the halves are as even as the
/// option counts allow).
///
/// The prefix sums start from `start` and add the issues in order, exactly as
/// [`crate::frontier::Prepared::utilities_of`] does for the first issues; the suffix sums
/// start from 0. The sum of an outcome's two halves is therefore within rounding error of
/// its utility, not equal to it: callers widen their intervals by a bound on that error and
/// evaluate every outcome listed exactly.
#[derive(Clone, Debug)]
pub(crate) struct PairSums {
    /// The options per issue.
    sizes: Vec<usize>,
    /// Issues `..split` form the prefix.
    split: usize,
    /// `(sum, index)` of each prefix, sorted by sum (then index); the index is mixed-radix
    /// over the prefix issues' options.
    a: Vec<(f64, u64)>,
    /// The same for the suffixes.
    b: Vec<(f64, u64)>,
}

impl PairSums {
    /// The halves of coordinate `q` of `levels` (rows of `width` numbers), prefix sums from
    /// `start`; `None` when some issue has no option, when a half would hold more than
    /// `max_half` sums, or when `budget` runs out building them (one unit a sum and issue,
    /// and the sorts).
    pub(crate) fn new(
        levels: &[OptionRows],
        width: usize,
        q: usize,
        start: f64,
        max_half: usize,
        budget: &Budget,
    ) -> Option<PairSums> {
        let sizes: Vec<usize> = levels.iter().map(OptionRows::len).collect();
        if sizes.contains(&0) {
            return None;
        }
        let total: f64 = sizes.iter().map(|&k| k as f64).product();
        // The split whose larger half is smallest.
        let mut best = (f64::INFINITY, 0);
        let mut prefix = 1.0f64;
        for k in 0..=sizes.len() {
            let larger = prefix.max(total / prefix);
            if larger < best.0 {
                best = (larger, k);
            }
            if k < sizes.len() {
                prefix *= sizes[k] as f64;
            }
        }
        let split = best.1;
        let count =
            |r: std::ops::Range<usize>| -> f64 { sizes[r].iter().map(|&k| k as f64).product() };
        let (n_a, n_b) = (count(0..split), count(split..sizes.len()));
        if n_a > max_half as f64 || n_b > max_half as f64 {
            return None;
        }
        let (n_a, n_b) = (n_a as usize, n_b as usize);
        let log = |n: usize| u64::from(usize::BITS - n.leading_zeros()) + 1;
        let cost = (n_a as u64) * (split as u64 + log(n_a))
            + (n_b as u64) * ((sizes.len() - split) as u64 + log(n_b));
        if !budget.spend(cost) {
            return None;
        }
        let half = |issues: std::ops::Range<usize>, n: usize, from: f64| -> Vec<(f64, u64)> {
            let mut out = Vec::with_capacity(n);
            let mut pick = vec![0usize; issues.len()];
            for idx in 0..n as u64 {
                let mut x = from;
                for (slot, i) in pick.iter().zip(issues.clone()) {
                    x += levels[i].row(*slot, width)[q];
                }
                out.push((x, idx));
                // The next choice, the last issue fastest (the index's mixed radix).
                for (slot, i) in pick.iter_mut().zip(issues.clone()).rev() {
                    *slot += 1;
                    if *slot < sizes[i] {
                        break;
                    }
                    *slot = 0;
                }
            }
            out.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            out
        };
        let a = half(0..split, n_a, start);
        let b = half(split..sizes.len(), n_b, 0.0);
        Some(PairSums { sizes, split, a, b })
    }

    /// The number of outcomes, `|A| |B|`.
    pub(crate) fn outcomes(&self) -> u128 {
        self.a.len() as u128 * self.b.len() as u128
    }

    /// For each prefix, the range of suffixes whose sum with it lies in `[lo, hi]`, widened
    /// by a few units in the last place (so that every pair whose exact sum lies in
    /// `[lo, hi]` is in its range); one unit of work per prefix and halving step.
    fn ranges(&self, lo: f64, hi: f64, budget: &Budget) -> Vec<(usize, usize)> {
        let steps = u64::from(usize::BITS - self.b.len().leading_zeros()) + 1;
        budget.charge(2 * steps * self.a.len() as u64);
        self.a
            .iter()
            .map(|&(x, _)| {
                let tol = 4.0 * f64::EPSILON * (lo.abs().max(hi.abs()) + x.abs());
                let (l, h) = (lo - x - tol, hi - x + tol);
                let first = self.b.partition_point(|y| y.0 < l);
                let end = self.b.partition_point(|y| y.0 <= h);
                (first, end.max(first))
            })
            .collect()
    }

    /// How many outcomes have a sum of halves in `[lo, hi]` (and perhaps a few within
    /// rounding outside it).
    pub(crate) fn count(&self, lo: f64, hi: f64, budget: &Budget) -> u128 {
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return 0;
        }
        self.ranges(lo, hi, budget).iter().map(|&(f, e)| (e - f) as u128).sum()
    }

    /// The outcomes (option positions per issue) whose sum of halves lies in `[lo, hi]`
    /// (and perhaps a few within rounding outside it), or `None` when there are more than
    /// `cap`; one unit of work per issue of each outcome listed.
    pub(crate) fn list(
        &self,
        lo: f64,
        hi: f64,
        cap: usize,
        budget: &Budget,
    ) -> Option<Vec<Vec<usize>>> {
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Some(vec![]);
        }
        let ranges = self.ranges(lo, hi, budget);
        let n: u128 = ranges.iter().map(|&(f, e)| (e - f) as u128).sum();
        if n > cap as u128 {
            return None;
        }
        budget.charge(n as u64 * self.sizes.len() as u64);
        let mut out = Vec::with_capacity(n as usize);
        for (&(_, ia), &(first, end)) in self.a.iter().zip(&ranges) {
            for &(_, ib) in &self.b[first..end] {
                let mut picks = vec![0; self.sizes.len()];
                self.decode(ia, 0..self.split, &mut picks);
                self.decode(ib, self.split..self.sizes.len(), &mut picks);
                out.push(picks);
            }
        }
        Some(out)
    }

    /// Writes the option positions of the issues `issues` encoded in `idx`.
    fn decode(&self, mut idx: u64, issues: std::ops::Range<usize>, picks: &mut [usize]) {
        for i in issues.rev() {
            let k = self.sizes[i] as u64;
            picks[i] = (idx % k) as usize;
            idx /= k;
        }
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

    /// Counting and listing against enumerating every outcome: the sums of the listed
    /// outcomes lie in the interval and every outcome whose sum (added in issue order) does
    /// is listed, once.
    #[test]
    fn pair_sums_count_and_list_the_outcomes_in_an_interval() {
        let levels: Vec<OptionRows> = (0..5)
            .map(|i| {
                let k = 2 + i % 3;
                let c: Vec<f64> =
                    (0..k).flat_map(|j| [((i * 7 + j * 3) % 5) as f64 * 0.125, 1.0]).collect();
                OptionRows { options: (0..k).collect(), c }
            })
            .collect();
        let budget = Budget::new(None, None);
        let sums = PairSums::new(&levels, 2, 0, 0.25, 1 << 10, &budget).unwrap();
        let sizes: Vec<usize> = levels.iter().map(OptionRows::len).collect();
        let n: usize = sizes.iter().product();
        assert_eq!(sums.outcomes(), n as u128);
        let all: Vec<(Vec<usize>, f64)> = (0..n)
            .map(|mut idx| {
                let mut picks = vec![0; sizes.len()];
                for i in (0..sizes.len()).rev() {
                    picks[i] = idx % sizes[i];
                    idx /= sizes[i];
                }
                let x =
                    picks.iter().enumerate().fold(0.25, |x, (i, &j)| x + levels[i].row(j, 2)[0]);
                (picks, x)
            })
            .collect();
        for (lo, hi) in [(0.0, 10.0), (1.0, 1.25), (0.25, 0.25), (1.125, 1.0), (-1.0, 0.2)] {
            let mut want: Vec<Vec<usize>> =
                all.iter().filter(|(_, x)| lo <= *x && *x <= hi).map(|(p, _)| p.clone()).collect();
            want.sort();
            let mut got = sums.list(lo, hi, usize::MAX, &budget).unwrap();
            got.sort();
            assert_eq!(got, want, "[{lo}, {hi}]");
            assert_eq!(sums.count(lo, hi, &budget), want.len() as u128);
            if want.len() > 1 {
                assert!(sums.list(lo, hi, want.len() - 1, &budget).is_none());
            }
        }
        assert!(PairSums::new(&levels, 2, 0, 0.0, 4, &budget).is_none());
    }
}
