//! The bargaining solutions computed exactly without listing the frontier, for outcome
//! spaces whose frontier is too large to list.
//!
//! For Nash, egalitarian and max welfare the objective is monotone in every utility
//! (rounding included), so the optimum over the frontier equals the optimum over the
//! rational outcomes, and the frontier points within [`TIE`] of it are exactly the
//! non-dominated outcomes among the rational outcomes within [`TIE`] of it (any outcome
//! dominating one of those is one of those). A depth-first branch and bound over the
//! issues finds them:
//!
//! - every node is pruned when some party cannot reach its reservation with its best
//!   remaining options;
//! - max welfare is bounded by the partial welfare plus each remaining issue's best welfare;
//! - egalitarian, `min_p x_p <= sum_p lambda_p x_p` for `lambda` in the simplex, maximised
//!   issue by issue (Lagrangian bound);
//! - Nash, `prod_p x_p <= (sum_p lambda_p x_p / n)^n / prod_p lambda_p` for `lambda > 0`
//!   and `x >= 0` (the arithmetic-geometric mean inequality), with the same separable
//!   maximisation, and `prod_p max(x_p)`.
//!
//! Multipliers are tuned at the root and refined for a few steps at each node that
//! survives; each maximiser met on the way is tried as an outcome, so good incumbents come
//! early. Bounds prune only when they fall short by far more than their rounding error;
//! every leaf is evaluated with the exact issue-order sum.
//!
//! Kalai-Smorodinsky is not monotone (a dominated outcome can be closer to the diagonal),
//! so it is found on the frontier itself, restricted to a region that must contain it:
//! with `e` any rational outcome and `z` any frontier point with spread at most `s0` (the
//! spread of a known frontier point), `max_p a_p(z) >= min_p a_p(e)` (else `e` would
//! dominate `z`), hence `min_p a_p(z) >= min_p a_p(e) - s0`. That lower bound defines an
//! upper set whose non-dominated points are exactly the frontier points in it, computed by
//! the frontier programme with raised lower bounds. `e` is the normalised-egalitarian
//! optimum (found by the same branch and bound), which makes the region small.

use crate::frontier::{
    Cut, DpOut, FrontierOptions, FrontierPoint, Objectives, Prepared, Solution, TIE, best_of,
    pareto_dp, sort_points, weakly_dominates, welfare,
};
use detente_core::Outcome;

/// Multiplier iterations at the root.
const ROOT_ITERS: usize = 60;
/// Multiplier iterations at each inner node that survives the static bounds.
const NODE_ITERS: usize = 3;

/// The four solutions.
pub(crate) struct Solutions {
    pub(crate) nash: Solution,
    pub(crate) egalitarian: Solution,
    pub(crate) kalai_smorodinsky: Solution,
    pub(crate) max_welfare: Solution,
}

/// Computes the four solutions exactly (or with `exact: false` and a bound when a budget
/// of [`FrontierOptions`] runs out).
pub(crate) fn solve_without_frontier(
    prep: &Prepared,
    obj: &Objectives<'_>,
    options: &FrontierOptions,
) -> Solutions {
    let n_p = prep.n_p;
    let ones = vec![1.0; n_p];
    let g_norm: Vec<f64> = (0..n_p)
        .map(|p| if obj.ks_active(p) { 1.0 / (obj.maxs[p] - obj.d[p]) } else { 0.0 })
        .collect();
    let g_nash: Vec<f64> = g_norm.iter().map(|&g| if g > 0.0 { g } else { 1.0 }).collect();
    let welfare_run = maximise(prep, obj.d, Goal::Welfare, &ones, &welfare, options.max_nodes);
    let egal_run = maximise(
        prep,
        obj.d,
        Goal::MinGain,
        &ones,
        &|u: &[f64]| obj.egalitarian(u),
        options.max_nodes,
    );
    let nash_run =
        maximise(prep, obj.d, Goal::Nash, &g_nash, &|u: &[f64]| obj.nash(u), options.max_nodes);
    let any_active = g_norm.iter().any(|&g| g > 0.0);
    let norm_run = any_active.then(|| {
        maximise(
            prep,
            obj.d,
            Goal::MinGain,
            &g_norm,
            &|u: &[f64]| obj.min_normalised(u),
            options.max_nodes,
        )
    });
    let ks = kalai_smorodinsky(
        prep,
        obj,
        options,
        [Some(&welfare_run), Some(&egal_run), Some(&nash_run), norm_run.as_ref()],
    );
    Solutions {
        nash: nash_run.solution("the Nash product"),
        egalitarian: egal_run.solution("the smallest gain"),
        kalai_smorodinsky: ks,
        max_welfare: welfare_run.solution("the welfare"),
    }
}

fn kalai_smorodinsky(
    prep: &Prepared,
    obj: &Objectives<'_>,
    options: &FrontierOptions,
    runs: [Option<&Run>; 4],
) -> Solution {
    let runs: Vec<&Run> = runs.into_iter().flatten().collect();
    let mut certified: Vec<&FrontierPoint> = Vec::new();
    let mut m0 = f64::NEG_INFINITY;
    let mut any_rational = false;
    for run in &runs {
        for pt in &run.points {
            any_rational = true;
            m0 = m0.max(obj.min_normalised(&pt.utilities));
            if run.exact {
                certified.push(pt);
            }
        }
        if run.exact && run.points.is_empty() {
            // An exact search found no rational outcome: the frontier is empty.
            return Solution { points: vec![], exact: true, note: None };
        }
    }
    let best_known = certified
        .iter()
        .copied()
        .min_by(|a, b| obj.ks(&a.utilities).total_cmp(&obj.ks(&b.utilities)))
        .cloned();
    let inexact = |why: String| {
        let points = best_known.clone().into_iter().collect::<Vec<_>>();
        let note = match &points.first() {
            Some(p) => format!(
                "{why}; the point given is the frontier point of smallest spread known ({}), an upper bound on the optimum",
                obj.ks(&p.utilities)
            ),
            None => format!("{why}; no frontier point is known"),
        };
        Solution { points, exact: false, note: Some(note) }
    };
    if !any_rational {
        return inexact(
            "no rational outcome was found but the searches were not exhaustive".into(),
        );
    }
    let Some(s0) = best_known.as_ref().map(|p| obj.ks(&p.utilities)) else {
        return inexact("no frontier point could be certified".into());
    };
    let active: Vec<bool> = (0..prep.n_p).map(|p| obj.ks_active(p)).collect();
    if !active.iter().any(|&a| a) {
        // Every rational outcome gives every party its maximum: the frontier is one point.
        return Solution::exact(best_known.into_iter().collect());
    }
    // Every Kalai-Smorodinsky point has min_p a_p >= m0 - s0 (up to the tie tolerance).
    let floor = m0 - s0 - 4.0 * TIE;
    let prune_lower: Vec<f64> = (0..prep.n_p)
        .map(|p| {
            let r = prep.reservation[p];
            if !active[p] {
                return r;
            }
            let (d, m) = (obj.d[p], obj.maxs[p]);
            let u = d + floor * (m - d);
            r.max(u - 1e-9 * (d.abs() + m.abs() + 1.0))
        })
        .collect();
    let accept = |u: &[f64]| obj.min_normalised(u) >= floor;
    // Every accepted u >= prune_lower, so w . u >= w . prune_lower for the multipliers the
    // searches tuned (normals near the frontier around the diagonal).
    let cuts: Vec<Cut> = runs
        .iter()
        .filter_map(|r| r.weights.clone())
        .map(|w| Cut::new(prep, w, &prune_lower))
        .collect();
    let DpOut { points, complete } =
        pareto_dp(prep, &prune_lower, &cuts, &accept, options.max_ks_points, options.max_work);
    if !complete {
        return inexact(format!(
            "the frontier near the diagonal (normalised gains >= {floor}) has more than {} points or took more than {} steps",
            options.max_ks_points, options.max_work
        ));
    }
    Solution::exact(best_of(&points, |u| obj.ks(u), false))
}

/// What is maximised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Goal {
    /// The sum of utilities.
    Welfare,
    /// `min_p g_p (u_p - d_p)` over the parties with `g_p > 0`.
    MinGain,
    /// `prod_p (u_p - d_p)`.
    Nash,
}

/// The result of one branch and bound.
struct Run {
    /// The non-dominated rational outcomes within [`TIE`] of the best value found.
    points: Vec<FrontierPoint>,
    best: f64,
    exact: bool,
    /// When not exact: an upper bound on the optimum.
    bound: f64,
    nodes: u64,
    /// The tuned multipliers as non-negative weights on the utilities, if any.
    weights: Option<Vec<f64>>,
}

impl Run {
    fn solution(&self, what: &str) -> Solution {
        if self.exact {
            return Solution::exact(self.points.clone());
        }
        let note = format!(
            "branch and bound stopped after {} nodes: the points are the best found ({what} {}), not necessarily on the frontier; the optimum is at most {}",
            self.nodes, self.best, self.bound
        );
        Solution { points: self.points.clone(), exact: false, note: Some(note) }
    }
}

/// One issue in search order: its level index and its option positions, best first.
struct Branch {
    level: usize,
    picks: Vec<usize>,
}

struct Search<'a> {
    prep: &'a Prepared,
    d: &'a [f64],
    goal: Goal,
    /// Per-party scale of the gains (`MinGain`) or initial multipliers (`Nash`).
    g: &'a [f64],
    value: &'a dyn Fn(&[f64]) -> f64,
    branches: Vec<Branch>,
    /// The partial sums of the single-option issues, from the bias.
    base: Vec<f64>,
    /// `picks[level]`: the position chosen in each level (issue order).
    picks: Vec<usize>,
    /// `sufmax[t * n_p + p]` over branches `t..` in search order.
    sufmax: Vec<f64>,
    sufabs: Vec<f64>,
    /// Best remaining welfare from branch `t`.
    sufw: Vec<f64>,
    /// Weights (multipliers already multiplied by `g`) and their suffix maxima.
    pool: Vec<(Vec<f64>, Vec<f64>)>,
    best: f64,
    cands: Vec<(Vec<f64>, Vec<usize>, f64)>,
    nodes: u64,
    max_nodes: u64,
    aborted: bool,
    open_bound: f64,
}

fn maximise(
    prep: &Prepared,
    d: &[f64],
    goal: Goal,
    g: &[f64],
    value: &dyn Fn(&[f64]) -> f64,
    max_nodes: u64,
) -> Run {
    if prep.empty {
        return Run {
            points: vec![],
            best: f64::NEG_INFINITY,
            exact: true,
            bound: 0.0,
            nodes: 0,
            weights: None,
        };
    }
    let mut search = Search::new(prep, d, goal, g, value, max_nodes);
    search.run()
}

impl<'a> Search<'a> {
    fn new(
        prep: &'a Prepared,
        d: &'a [f64],
        goal: Goal,
        g: &'a [f64],
        value: &'a dyn Fn(&[f64]) -> f64,
        max_nodes: u64,
    ) -> Search<'a> {
        let mut base = prep.bias.clone();
        let mut picks = vec![0; prep.n_issues()];
        let mut branches = Vec::new();
        for (level, lv) in prep.levels.iter().enumerate() {
            if lv.options.len() == 1 {
                for (b, c) in base.iter_mut().zip(&lv.c) {
                    *b += c;
                }
                picks[level] = 0;
            } else {
                branches.push(Branch { level, picks: (0..lv.options.len()).collect() });
            }
        }
        Search {
            prep,
            d,
            goal,
            g,
            value,
            branches,
            base,
            picks,
            sufmax: vec![],
            sufabs: vec![],
            sufw: vec![],
            pool: vec![],
            best: f64::NEG_INFINITY,
            cands: vec![],
            nodes: 0,
            max_nodes,
            aborted: false,
            open_bound: f64::NEG_INFINITY,
        }
    }

    fn n_p(&self) -> usize {
        self.prep.n_p
    }

    fn row(&self, t: usize, j: usize) -> &[f64] {
        let n_p = self.n_p();
        let lv = &self.prep.levels[self.branches[t].level];
        &lv.c[j * n_p..(j + 1) * n_p]
    }

    /// The suffix sums of each party's best contribution, of the largest magnitude and of
    /// the best welfare, over the branches in search order.
    fn suffixes(&mut self) {
        let n_p = self.n_p();
        let n_b = self.branches.len();
        self.sufmax = vec![0.0; (n_b + 1) * n_p];
        self.sufabs = vec![0.0; (n_b + 1) * n_p];
        self.sufw = vec![0.0; n_b + 1];
        for t in (0..n_b).rev() {
            let k = self.branches[t].picks.len();
            let mut bw = f64::NEG_INFINITY;
            for p in 0..n_p {
                let (mut bm, mut ba) = (f64::NEG_INFINITY, 0.0f64);
                for j in 0..k {
                    let c = self.row(t, j)[p];
                    bm = bm.max(c);
                    ba = ba.max(c.abs());
                }
                self.sufmax[t * n_p + p] = self.sufmax[(t + 1) * n_p + p] + bm;
                self.sufabs[t * n_p + p] = self.sufabs[(t + 1) * n_p + p] + ba;
            }
            for j in 0..k {
                bw = bw.max(self.row(t, j).iter().sum());
            }
            self.sufw[t] = self.sufw[t + 1] + bw;
        }
    }

    /// `sum over branches from.. of max_j lambda . c_j`, writing the maximisers to `pick`.
    fn lagrange(&self, lambda: &[f64], from: usize, pick: &mut [usize]) -> (f64, Vec<f64>) {
        let n_p = self.n_p();
        let mut total = 0.0;
        let mut sums = vec![0.0; n_p];
        for (t, slot) in pick.iter_mut().enumerate().skip(from) {
            let mut best = (f64::NEG_INFINITY, 0);
            for j in 0..self.branches[t].picks.len() {
                let v: f64 = self.row(t, j).iter().zip(lambda).map(|(c, l)| c * l).sum();
                if v > best.0 {
                    best = (v, j);
                }
            }
            *slot = best.1;
            total += best.0;
            for (s, c) in sums.iter_mut().zip(self.row(t, best.1)) {
                *s += c;
            }
        }
        (total, sums)
    }

    fn suffix_of(&self, lambda: &[f64]) -> Vec<f64> {
        let n_b = self.branches.len();
        let mut suf = vec![0.0; n_b + 1];
        for t in (0..n_b).rev() {
            let best = (0..self.branches[t].picks.len())
                .map(|j| self.row(t, j).iter().zip(lambda).map(|(c, l)| c * l).sum::<f64>())
                .fold(f64::NEG_INFINITY, f64::max);
            suf[t] = suf[t + 1] + best;
        }
        suf
    }

    /// A slack far above the rounding error of a bound of magnitude `x`.
    fn tol(&self, x: f64) -> f64 {
        TIE + 1e-9 * (1.0 + x.abs() + self.best.abs())
    }

    /// The weights of multipliers `mu`: `mu_p g_p` for `MinGain` (with `mu` in the simplex,
    /// `min_p g_p x_p <= sum_p mu_p g_p x_p`), `mu` itself for `Nash`.
    fn weights(&self, mu: &[f64]) -> Vec<f64> {
        match self.goal {
            Goal::Welfare => vec![1.0; self.n_p()],
            Goal::MinGain => mu.iter().zip(self.g).map(|(m, g)| m * g).collect(),
            Goal::Nash => mu.to_vec(),
        }
    }

    /// The bound with weights `lambda` (see [`Search::weights`]) whose separable maximum
    /// over the remaining branches is `rest`.
    fn lambda_bound(&self, lambda: &[f64], ps: &[f64], rest: f64) -> f64 {
        let s: f64 = (0..self.n_p()).map(|p| lambda[p] * (ps[p] - self.d[p])).sum::<f64>() + rest;
        match self.goal {
            Goal::Welfare => f64::INFINITY,
            Goal::MinGain => s,
            Goal::Nash => {
                if s < -self.tol(s) {
                    return f64::NEG_INFINITY;
                }
                let n = self.n_p() as f64;
                let prod_l: f64 = lambda.iter().product();
                (s.max(0.0) / n).powi(self.n_p() as i32) / prod_l
            }
        }
    }

    /// The bound from the per-party maxima and the pool; `NEG_INFINITY` if infeasible.
    fn static_bound(&self, t: usize, ps: &[f64]) -> f64 {
        let n_p = self.n_p();
        let mut hi = vec![0.0; n_p];
        for p in 0..n_p {
            hi[p] = ps[p] + self.sufmax[t * n_p + p];
            let r = self.prep.reservation[p];
            if hi[p] < r - self.prep_slack(t, p, ps[p], r) {
                return f64::NEG_INFINITY;
            }
        }
        let mut bound = match self.goal {
            Goal::Welfare => ps.iter().sum::<f64>() + self.sufw[t],
            Goal::MinGain => (0..n_p)
                .filter(|&p| self.g[p] > 0.0)
                .map(|p| self.g[p] * (hi[p] - self.d[p]))
                .fold(f64::INFINITY, f64::min),
            Goal::Nash => (0..n_p).map(|p| (hi[p] - self.d[p]).max(0.0)).product(),
        };
        for (lambda, suf) in &self.pool {
            bound = bound.min(self.lambda_bound(lambda, ps, suf[t]));
        }
        bound
    }

    fn prep_slack(&self, t: usize, p: usize, x: f64, target: f64) -> f64 {
        let n = (self.prep.n_issues() + 4) as f64;
        8.0 * n * f64::EPSILON * (x.abs() + self.sufabs[t * self.n_p() + p] + target.abs()) + 1e-300
    }

    /// Evaluates the outcome of `self.picks` with the branches `from..` set to the level
    /// positions `tail`.
    fn try_leaf(&mut self, from: usize, tail: &[usize]) {
        let mut picks = self.picks.clone();
        for t in from..self.branches.len() {
            picks[self.branches[t].level] = tail[t];
        }
        self.leaf(picks);
    }

    fn leaf(&mut self, picks: Vec<usize>) {
        let u = self.prep.utilities_of(&picks);
        if !u.iter().zip(&self.prep.reservation).all(|(u, r)| u >= r) {
            return;
        }
        let v = (self.value)(&u);
        if v.is_nan() || v < self.best - TIE {
            return;
        }
        if v > self.best {
            self.best = v;
            let floor = self.best - TIE;
            self.cands.retain(|c| c.2 >= floor);
        }
        if self.cands.iter().any(|c| weakly_dominates(&c.0, &u)) {
            return;
        }
        self.cands.retain(|c| !weakly_dominates(&u, &c.0));
        self.cands.push((u, picks, v));
    }

    fn run(&mut self) -> Run {
        let n_p = self.n_p();
        // Search order: issues with most at stake (scaled) first.
        let scale: Vec<f64> = match self.goal {
            Goal::Welfare => vec![1.0; n_p],
            _ => self.g.iter().map(|&g| if g > 0.0 { g } else { 0.0 }).collect(),
        };
        let stake = |b: &Branch| -> f64 {
            let lv = &self.prep.levels[b.level];
            (0..n_p)
                .map(|p| {
                    let col = (0..b.picks.len()).map(|j| lv.c[j * n_p + p]);
                    let lo = col.clone().fold(f64::INFINITY, f64::min);
                    let hi = col.fold(f64::NEG_INFINITY, f64::max);
                    scale[p] * (hi - lo)
                })
                .sum()
        };
        let mut branches = std::mem::take(&mut self.branches);
        branches.sort_by(|a, b| stake(b).total_cmp(&stake(a)).then(a.level.cmp(&b.level)));
        self.branches = branches;
        self.suffixes();
        let n_b = self.branches.len();
        let mut pick = vec![0; n_b];
        // Root multipliers; every maximiser is tried as an outcome.
        let mut lambda: Vec<f64> = scale.iter().map(|&s| s.max(1e-12)).collect();
        normalise(&mut lambda);
        let mut best_lambda = lambda.clone();
        let mut best_b = f64::INFINITY;
        let root = self.base.clone();
        let iters = if self.goal == Goal::Welfare { 1 } else { ROOT_ITERS };
        for it in 0..iters {
            let w = self.weights(&lambda);
            let (rest, sums) = self.lagrange(&w, 0, &mut pick);
            self.try_leaf(0, &pick.clone());
            if self.goal == Goal::Welfare {
                break;
            }
            let b = self.lambda_bound(&w, &root, rest);
            if b < best_b {
                best_b = b;
                best_lambda.clone_from(&lambda);
            }
            let x: Vec<f64> = (0..n_p).map(|p| root[p] + sums[p] - self.d[p]).collect();
            self.update(&mut lambda, &x, it);
        }
        let key_w = self.weights(&best_lambda);
        if self.goal != Goal::Welfare {
            let suf = self.suffix_of(&key_w);
            self.pool.push((key_w.clone(), suf));
        }
        // Options best first under the root multipliers.
        for t in 0..n_b {
            let lv = &self.prep.levels[self.branches[t].level];
            let key = |j: usize| -> f64 {
                lv.c[j * n_p..(j + 1) * n_p].iter().zip(&key_w).map(|(c, l)| c * l).sum()
            };
            self.branches[t].picks.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        }
        let mut ps = root;
        let mut scratch = vec![0; n_b];
        self.dfs(0, &mut ps, &best_lambda, &mut scratch);
        let mut cands = std::mem::take(&mut self.cands);
        let floor = self.best - TIE;
        cands.retain(|c| c.2 >= floor);
        let mut points: Vec<FrontierPoint> = cands
            .into_iter()
            .map(|(u, picks, _)| FrontierPoint {
                utilities: u,
                outcome: Outcome::new(
                    picks
                        .iter()
                        .enumerate()
                        .map(|(i, &j)| self.prep.levels[i].options[j])
                        .collect(),
                ),
            })
            .collect();
        sort_points(&mut points);
        Run {
            points,
            best: self.best,
            exact: !self.aborted,
            bound: self.open_bound.max(self.best),
            nodes: self.nodes,
            weights: Some(key_w),
        }
    }

    /// One multiplier step towards a tighter bound, given the maximiser's gains `x`.
    fn update(&self, lambda: &mut [f64], x: &[f64], it: usize) {
        let n_p = self.n_p();
        match self.goal {
            Goal::Welfare => {}
            Goal::MinGain => {
                // Shift weight to the parties with the smallest scaled gains.
                let y: Vec<f64> = (0..n_p).map(|p| self.g[p] * x[p]).collect();
                let (lo, hi) = y
                    .iter()
                    .zip(self.g)
                    .filter(|(_, g)| **g > 0.0)
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (y, _)| {
                        (lo.min(*y), hi.max(*y))
                    });
                let range = (hi - lo).max(1e-300);
                let eta = 2.0 / ((it + 1) as f64).sqrt();
                for p in 0..n_p {
                    if self.g[p] > 0.0 {
                        lambda[p] *= (-eta * (y[p] - lo) / range).exp();
                    }
                }
                normalise(lambda);
                for (l, g) in lambda.iter_mut().zip(self.g) {
                    *l = if *g > 0.0 { l.max(1e-12) } else { 0.0 };
                }
            }
            Goal::Nash => {
                // The bound is tight at lambda_p proportional to 1 / x_p: move halfway there.
                let mut target: Vec<f64> = x.iter().map(|&x| 1.0 / x.max(1e-12)).collect();
                normalise(&mut target);
                for p in 0..n_p {
                    lambda[p] = (lambda[p] * target[p]).sqrt().max(1e-12);
                }
                normalise(lambda);
            }
        }
    }

    fn dfs(&mut self, t: usize, ps: &mut Vec<f64>, lambda: &[f64], scratch: &mut Vec<usize>) {
        if self.aborted {
            return;
        }
        self.nodes += 1;
        let n_b = self.branches.len();
        if t == n_b {
            let picks = self.picks.clone();
            self.leaf(picks);
            return;
        }
        let bound = self.static_bound(t, ps);
        if bound < self.best - self.tol(bound) {
            return;
        }
        if self.nodes > self.max_nodes {
            self.aborted = true;
            self.open_bound = self.open_bound.max(bound);
            return;
        }
        let n_p = self.n_p();
        let mut lam = lambda.to_vec();
        if self.goal != Goal::Welfare && t + 1 < n_b {
            for it in 0..NODE_ITERS {
                let w = self.weights(&lam);
                let (rest, sums) = self.lagrange(&w, t, scratch);
                let b = self.lambda_bound(&w, ps, rest);
                let tail = scratch.clone();
                self.try_leaf(t, &tail);
                if b < self.best - self.tol(b) {
                    return;
                }
                let x: Vec<f64> = (0..n_p).map(|p| ps[p] + sums[p] - self.d[p]).collect();
                self.update(&mut lam, &x, it + 4);
            }
        }
        let saved = ps.clone();
        let level = self.branches[t].level;
        for jj in 0..self.branches[t].picks.len() {
            let j = self.branches[t].picks[jj];
            let row = &self.prep.levels[level].c[j * n_p..(j + 1) * n_p];
            for p in 0..n_p {
                ps[p] = saved[p] + row[p];
            }
            self.picks[level] = j;
            self.dfs(t + 1, ps, &lam, scratch);
            if self.aborted {
                self.open_bound = self.open_bound.max(bound);
                break;
            }
        }
        ps.copy_from_slice(&saved);
    }
}

fn normalise(lambda: &mut [f64]) {
    let total: f64 = lambda.iter().sum();
    if total > 0.0 && total.is_finite() {
        lambda.iter_mut().for_each(|l| *l /= total);
    } else {
        let n = lambda.len() as f64;
        lambda.iter_mut().for_each(|l| *l = 1.0 / n);
    }
}
