//! The Nash search's own bound and branching (see [`Search::nash_dfs`]).
//!
//! The product of gains is bounded at a node by the weighted arithmetic-geometric mean
//! inequality with multipliers `lambda` (`Search::lambda_bound`), which is valid for every
//! `lambda > 0` and tightest at the optimum of the concave relaxation: maximise
//! `sum_p e_p ln x_p` over the convex hull of the node's completions (each remaining issue a
//! mixture of its options), where `lambda` is proportional to `e_p / x_p`. That optimum is
//! found by Frank-Wolfe steps: the best vertex for `lambda` is one separable maximisation
//! (a pass over the remaining option rows, the bound's own), and the step towards it is an
//! exact line search. The point of the relaxation (the gains `x` and each issue's mixture
//! `m`) is handed to the children with the child's issue set to its option, so a child
//! starts where its parent stopped and a few steps suffice. Heuristic multiplier steps
//! proved far weaker on opposed values (a root bound 1.8 times the optimum where the
//! relaxation's was 1.04 times).

use super::{Goal, Rows, Search, normalise};

/// Frank-Wolfe steps at the root (it stops earlier once the relaxation is solved).
const ROOT_STEPS: usize = 400;
/// Frank-Wolfe steps at most at an inner node.
const NODE_STEPS: usize = 6;

/// A point of the node's relaxation: `x` the gains (partial sums plus every remaining
/// issue's mixture, minus the disagreement point) and `m[level * n_p + p]` the mixture of
/// each issue's option rows (meaningful for the issues not fixed yet).
#[derive(Clone, Debug)]
pub(super) struct Relaxed {
    x: Vec<f64>,
    m: Vec<f64>,
}

impl Search<'_> {
    /// The exponents of the product (1 each when symmetric).
    fn exponents(&self) -> Vec<f64> {
        self.power.map_or_else(|| vec![1.0; self.n_p()], <[f64]>::to_vec)
    }

    /// Multipliers `e_p / x_p`, scaled to sum 1 (needs every `x_p > 0`).
    fn fw_lambda(&self, x: &[f64], e: &[f64]) -> Vec<f64> {
        let mut l: Vec<f64> = x.iter().zip(e).map(|(x, e)| (e / x).max(1e-300)).collect();
        normalise(&mut l);
        l
    }

    /// The relaxation point of the outcome `picks` (level positions) at branch `t` with
    /// partial sums `ps`: every remaining issue at its pick.
    pub(super) fn relaxed_at(&self, t: usize, ps: &[f64], picks: &[usize]) -> Relaxed {
        let n_p = self.n_p();
        let mut m = vec![0.0; self.prep.n_issues() * n_p];
        let mut x: Vec<f64> = (0..n_p).map(|p| ps[p] - self.d[p]).collect();
        for b in &self.branches[t..] {
            let row = self.prep.levels[b.level].row(picks[b.level], n_p);
            m[b.level * n_p..(b.level + 1) * n_p].copy_from_slice(row);
            for p in 0..n_p {
                x[p] += row[p];
            }
        }
        Relaxed { x, m }
    }

    /// Up to `steps` Frank-Wolfe steps on the relaxation at branch `t` (partial sums `ps`)
    /// from `rel` (every gain positive), each vertex tried as an outcome. Returns the smallest
    /// bound met and its multipliers, or `None` when a bound proves the node cannot hold a
    /// point of the solution (or the budget ran out).
    pub(super) fn frank_wolfe(
        &mut self,
        t: usize,
        ps: &[f64],
        rel: &mut Relaxed,
        steps: usize,
        scratch: &mut [usize],
    ) -> Option<(f64, Vec<f64>)> {
        let n_p = self.n_p();
        let e = self.exponents();
        let leaf = (self.prep.n_issues() * n_p) as u64;
        let mut best: Option<(f64, Vec<f64>)> = None;
        for _ in 0..steps {
            if !self.budget.spend(2 * self.rows_from[t] + leaf) {
                return None;
            }
            let lam = self.fw_lambda(&rel.x, &e);
            let (rest, sums) = self.lagrange(&lam, t, scratch);
            let b = self.lambda_bound(&lam, ps, rest);
            let tail = scratch.to_vec();
            self.try_leaf(t, &tail);
            if self.cannot_reach(b) {
                return None;
            }
            let improved = best.as_ref().is_none_or(|(bb, _)| b < *bb);
            let gap_small = best.as_ref().is_some_and(|(bb, _)| b > bb * (1.0 - 1e-4));
            if improved {
                best = Some((b, lam));
            }
            // The vertex y and the exact line search of sum_p e_p ln(x + g (y - x)), g in [0, 1].
            let y: Vec<f64> = (0..n_p).map(|p| ps[p] + sums[p] - self.d[p]).collect();
            let slope = |g: f64| -> f64 {
                (0..n_p)
                    .map(|p| {
                        let v = rel.x[p] + g * (y[p] - rel.x[p]);
                        if v <= 0.0 { f64::NEG_INFINITY } else { e[p] * (y[p] - rel.x[p]) / v }
                    })
                    .sum()
            };
            if slope(0.0) <= 0.0 {
                // x is optimal for the relaxation: its bound is the relaxation's.
                break;
            }
            let g = if slope(1.0) >= 0.0 {
                1.0
            } else {
                let (mut lo, mut hi) = (0.0, 1.0);
                for _ in 0..40 {
                    let mid = 0.5 * (lo + hi);
                    if slope(mid) > 0.0 { lo = mid } else { hi = mid }
                }
                lo
            };
            if g <= 0.0 {
                break;
            }
            for (x, y) in rel.x.iter_mut().zip(&y) {
                *x += g * (y - *x);
            }
            for (tt, &j) in scratch.iter().enumerate().skip(t) {
                let level = self.branches[tt].level;
                let row = self.prep.levels[level].row(j, n_p);
                for (slot, c) in rel.m[level * n_p..(level + 1) * n_p].iter_mut().zip(row) {
                    *slot += g * (c - *slot);
                }
            }
            if !improved && gap_small {
                break;
            }
        }
        best
    }

    /// The depth-first search of the Nash goal: at each node the static bounds, then
    /// Frank-Wolfe steps on the relaxation from the parent's point (or, while no point with
    /// every gain positive is known, the heuristic multiplier steps), then the children in
    /// the order of the node's multipliers.
    pub(super) fn nash_dfs(
        &mut self,
        t: usize,
        ps: &mut Vec<f64>,
        lambda: &[f64],
        rel: Option<Relaxed>,
        scratch: &mut Vec<usize>,
    ) {
        debug_assert_eq!(self.goal, Goal::Nash);
        if self.aborted {
            return;
        }
        self.budget.count_nodes(1);
        let n_b = self.branches.len();
        if t == n_b {
            let picks = self.picks.clone();
            self.leaf(picks);
            return;
        }
        let mut bound = self.static_bound(t, ps);
        if self.cannot_reach(bound) {
            return;
        }
        let n_p = self.n_p();
        self.budget.charge(1 + (self.pool.len() * n_p) as u64);
        if self.budget.spent() {
            self.aborted = true;
            self.open_bound = self.open_bound.max(bound);
            return;
        }
        if self.defer_or_count(t, ps, lambda, rel.as_ref(), bound) {
            return;
        }
        let mut lam = lambda.to_vec();
        let mut rel = rel.filter(|r| r.x.iter().all(|&x| x > 0.0));
        if t + 1 < n_b {
            if rel.is_none() {
                // No relaxation point yet: heuristic steps, until a vertex has every gain
                // positive.
                let leaf = (self.prep.n_issues() * n_p) as u64;
                for it in 0..super::NODE_ITERS {
                    if !self.budget.spend(self.rows_from[t] + leaf) {
                        break;
                    }
                    let w = self.weights(&lam);
                    let (rest, sums) = self.lagrange(&w, t, scratch);
                    let b = self.lambda_bound(&w, ps, rest);
                    let tail = scratch.clone();
                    self.try_leaf(t, &tail);
                    if self.cannot_reach(b) {
                        return;
                    }
                    bound = bound.min(b);
                    let x: Vec<f64> = (0..n_p).map(|p| ps[p] + sums[p] - self.d[p]).collect();
                    if x.iter().all(|&x| x > 0.0) {
                        let mut picks = self.picks.clone();
                        for (tt, &j) in tail.iter().enumerate().skip(t) {
                            picks[self.branches[tt].level] = j;
                        }
                        rel = Some(self.relaxed_at(t, ps, &picks));
                        break;
                    }
                    self.update(&mut lam, &x, it + 4);
                }
            }
            if let Some(r) = rel.as_mut() {
                match self.frank_wolfe(t, ps, r, NODE_STEPS, scratch) {
                    None => {
                        if self.budget.spent() {
                            self.aborted = true;
                            self.open_bound = self.open_bound.max(bound);
                        }
                        return;
                    }
                    Some((b, l)) => {
                        bound = bound.min(b);
                        lam = l;
                    }
                }
            }
            if self.defer_or_count(t, ps, &lam, rel.as_ref(), bound) {
                return;
            }
        }
        // Children best first under the node's multipliers.
        let level = self.branches[t].level;
        let mut order = self.branches[t].picks.clone();
        {
            let lv = &self.prep.levels[level];
            let key =
                |j: usize| -> f64 { lv.row(j, n_p).iter().zip(&lam).map(|(c, l)| c * l).sum() };
            order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        }
        let saved = ps.clone();
        for j in order {
            let row = self.prep.levels[level].row(j, n_p).to_vec();
            for p in 0..n_p {
                ps[p] = saved[p] + row[p];
            }
            self.picks[level] = j;
            let child = rel.as_ref().map(|r| {
                let mut c = r.clone();
                let mix = &r.m[level * n_p..(level + 1) * n_p];
                for ((x, c), m) in c.x.iter_mut().zip(&row).zip(mix) {
                    *x += c - m;
                }
                c.m[level * n_p..(level + 1) * n_p].copy_from_slice(&row);
                c
            });
            self.nash_dfs(t + 1, ps, &lam, child, scratch);
            if self.budget.spent() {
                self.aborted = true;
            }
            if self.aborted {
                self.open_bound = self.open_bound.max(bound);
                break;
            }
        }
        ps.copy_from_slice(&saved);
    }

    /// The relaxation at the root solved from the incumbent (when its product is positive):
    /// its point and the multipliers of its smallest bound, or `None`.
    pub(super) fn nash_root(
        &mut self,
        root: &[f64],
        scratch: &mut [usize],
    ) -> Option<(Relaxed, Vec<f64>, f64)> {
        if self.best.is_nan() || self.best <= 0.0 {
            return None;
        }
        let picks = self.cands.iter().max_by(|a, b| a.2.total_cmp(&b.2))?.1.clone();
        let mut rel = self.relaxed_at(0, root, &picks);
        if !rel.x.iter().all(|&x| x > 0.0) {
            return None;
        }
        let (b, l) = self.frank_wolfe(0, root, &mut rel, ROOT_STEPS, scratch)?;
        Some((rel, l, b))
    }
}
