//! Two parties: the Nash, egalitarian and Kalai-Smorodinsky solutions by a meet in the
//! middle over the issues ([`PairSums`]), for games whose welfare barely varies (zero-sum
//! or constant-sum games, where every outcome is on the frontier and the branch and bound's
//! proofs become a subset-sum search: which outcomes reach a given utility).
//!
//! With two parties, `u_0 + u_1` lies in `[w_lo, w_hi]` for every outcome, the bounds
//! adding each issue's smallest and largest `c_0 + c_1` to the biases (widened far above
//! their rounding error). Each objective is then bounded by a function of `u_0` alone,
//! unimodal in it:
//!
//! - egalitarian: `min(u_0 - d_0, u_1 - d_1) <= min(u_0 - d_0, w_hi - u_0 - d_1)`;
//! - Nash: `prod_p (u_p - d_p)^e_p <= (u_0 - d_0)^e_0 (w_hi - u_0 - d_1)^e_1`, the gains
//!   of a rational outcome being at least 0 (`d_p = max(reservation, min)`);
//! - Kalai-Smorodinsky: the spread `|a_0 - a_1|` is at least the distance from `a_0(u_0)`
//!   to the values `a_1` takes for `u_1` in `[w_lo - u_0, w_hi - u_0]`;
//!
//! and a rational outcome has `u_0` in `[r_0, w_hi - r_1]`. So the outcomes that can reach
//! a value have `u_0` in an interval (found by bisection), and [`PairSums`] counts and lists
//! them from the sorted sums of two halves of the issues. Every outcome listed is evaluated
//! exactly (utilities summed in issue order), and every interval is widened by a bound on
//! the difference between that sum and the sum of the halves, so nothing is decided on an
//! approximate number. For Nash and egalitarian:
//!
//! 1. an incumbent: the rational outcomes nearest the bound's peak (a window around it,
//!    widened until it holds one), evaluated exactly, give a value `theta`;
//! 2. the outcomes whose bound reaches `theta - TIE` are listed and evaluated: the best is
//!    the optimum, those within [`TIE`] of it the ties, and the frontier's ties are the ones
//!    no other tie dominates (a rational outcome dominating a tie is a tie): counted
//!    exactly;
//! 3. when they are too many to list (a tie set of any size), the optimum comes from the
//!    outcomes whose bound reaches `theta` itself (few: the bound is tight in a zero-sum
//!    game), up to [`MAX_LISTED_TIES`] ties are listed, each certified on the frontier (no
//!    rational outcome dominates it: one that did would have `u_0` in
//!    `[u_0(x), w_hi - u_1(x)]`, a window listed and evaluated), and the ties are counted
//!    as a range: those listed, and at most the outcomes in the interval of step 2.
//!
//! Kalai-Smorodinsky minimises the spread over frontier points, not over rational outcomes:
//! a certified frontier point near the diagonal gives a spread `s`; every outcome whose
//! bound allows a spread within [`TIE`] of `s` is listed and evaluated, and those of
//! smallest spread are certified one by one, in ascending spread, until the spread of the
//! first certified one plus [`TIE`] is passed.
//!
//! Where the welfare varies widely the intervals hold most outcomes: a listing passes
//! [`MAX_LISTED`] outcomes (or a half [`MAX_HALF`] sums, or the work budget runs out) and
//! the search gives up, leaving the solutions to the branch and bound. Its answers are exact
//! or absent, never approximate.

use crate::frontier::{
    FrontierPoint, MAX_LISTED_TIES, Objectives, Prepared, Solution, TIE, TieCount, lex_cmp,
    sort_points, weakly_dominates, weighted_product, welfare,
};
use crate::kit::{Budget, PairSums};
use detente_core::Outcome;

/// The most sums a half may hold (about 32 MB each).
const MAX_HALF: usize = 1 << 21;
/// The most outcomes one interval may list.
const MAX_LISTED: usize = 1 << 16;

/// The three solutions, and the frontier points certified on the way.
pub(super) struct PairSolutions {
    pub(super) nash: Solution,
    pub(super) egalitarian: Solution,
    pub(super) kalai_smorodinsky: Solution,
    /// Max welfare, when the welfare varies by less than [`TIE`] (else `None`: the branch
    /// and bound's).
    pub(super) max_welfare: Option<Solution>,
    pub(super) known: Vec<FrontierPoint>,
}

/// A rational outcome evaluated exactly.
#[derive(Clone, Debug)]
struct Cand {
    u: Vec<f64>,
    outcome: Outcome,
}

impl Cand {
    fn point(&self) -> FrontierPoint {
        FrontierPoint { utilities: self.u.clone(), outcome: self.outcome.clone() }
    }
}

/// The search's state: the halves, the welfare range and the rounding bounds.
struct Pairs<'a> {
    prep: &'a Prepared,
    obj: &'a Objectives<'a>,
    sums: PairSums,
    w_lo: f64,
    w_hi: f64,
    /// A bound on `|u_0 - (a + b)|`, the sum of the halves against the utility.
    delta: f64,
    /// The interval of the sums of halves that can hold a rational outcome.
    lo: f64,
    hi: f64,
    budget: &'a Budget,
    /// The most outcomes one interval may list ([`MAX_LISTED`]; smaller in tests).
    max_listed: usize,
    known: Vec<FrontierPoint>,
}

/// Nash, egalitarian and Kalai-Smorodinsky for two parties by the meet in the middle, or
/// `None` when it does not apply (not two parties, welfare too varied for its intervals,
/// halves too large, `budget` spent): then the branch and bound answers.
pub(super) fn solve(
    prep: &Prepared,
    obj: &Objectives<'_>,
    budget: &Budget,
) -> Option<PairSolutions> {
    solve_listing(prep, obj, budget, MAX_LISTED)
}

/// [`solve`] listing at most `max_listed` outcomes an interval.
fn solve_listing(
    prep: &Prepared,
    obj: &Objectives<'_>,
    budget: &Budget,
    max_listed: usize,
) -> Option<PairSolutions> {
    let mut pairs = Pairs::new(prep, obj, budget, max_listed)?;
    let egalitarian = pairs.egalitarian()?;
    let nash = pairs.nash()?;
    let kalai_smorodinsky = pairs.kalai_smorodinsky()?;
    let max_welfare = pairs.max_welfare();
    Some(PairSolutions { nash, egalitarian, kalai_smorodinsky, max_welfare, known: pairs.known })
}

/// The egalitarian solution alone by the meet in the middle, when it applies (for the
/// benchmarks' per-search times).
pub(super) fn egalitarian_only(
    prep: &Prepared,
    obj: &Objectives<'_>,
    budget: &Budget,
) -> Option<Solution> {
    Pairs::new(prep, obj, budget, MAX_LISTED)?.egalitarian()
}

/// Max welfare alone by the meet in the middle, when it applies.
pub(super) fn welfare_only(
    prep: &Prepared,
    obj: &Objectives<'_>,
    budget: &Budget,
) -> Option<Solution> {
    Pairs::new(prep, obj, budget, MAX_LISTED)?.max_welfare()
}

/// The Nash solution alone by the meet in the middle, when it applies.
pub(super) fn nash_only(
    prep: &Prepared,
    obj: &Objectives<'_>,
    budget: &Budget,
) -> Option<Solution> {
    Pairs::new(prep, obj, budget, MAX_LISTED)?.nash()
}

/// The interval of `x` in `[lo, hi]` where `phi(x) >= theta`, for `phi` nondecreasing up to
/// `peak` and nonincreasing after it (found by bisection to adjacent numbers); `None` when
/// `phi(peak) < theta`.
fn window(phi: &dyn Fn(f64) -> f64, peak: f64, lo: f64, hi: f64, theta: f64) -> Option<(f64, f64)> {
    let p = peak.clamp(lo, hi);
    let top = phi(p);
    if top.is_nan() || top < theta {
        return None;
    }
    // The boundary between `out` (phi < theta) and `inn` (phi >= theta).
    let edge = |mut out: f64, mut inn: f64| -> f64 {
        for _ in 0..200 {
            let mid = 0.5 * (out + inn);
            if mid == out || mid == inn {
                break;
            }
            if phi(mid) >= theta {
                inn = mid;
            } else {
                out = mid;
            }
        }
        inn
    };
    let l = if phi(lo) >= theta { lo } else { edge(lo, p) };
    let h = if phi(hi) >= theta { hi } else { edge(hi, p) };
    Some((l, h))
}

impl<'a> Pairs<'a> {
    /// The halves and bounds, or `None` when the search does not apply: not two parties
    /// both counted by Kalai-Smorodinsky, no rational outcome possible (the branch and
    /// bound says so), halves too large or the budget spent.
    fn new(
        prep: &'a Prepared,
        obj: &'a Objectives<'a>,
        budget: &'a Budget,
        max_listed: usize,
    ) -> Option<Pairs<'a>> {
        if prep.n_p != 2 || prep.empty || !obj.ks_active(0) || !obj.ks_active(1) {
            return None;
        }
        let n = prep.n_issues() as f64 + 4.0;
        let scale = |p: usize| prep.bias[p].abs() + prep.sufabs[p];
        let delta = 4.0 * n * f64::EPSILON * (scale(0) + 1.0);
        let (mut w_lo, mut w_hi) = (prep.bias[0] + prep.bias[1], prep.bias[0] + prep.bias[1]);
        for lv in &prep.levels {
            let (mut a, mut b) = (f64::INFINITY, f64::NEG_INFINITY);
            for j in 0..lv.len() {
                let r = lv.row(j, 2);
                a = a.min(r[0] + r[1]);
                b = b.max(r[0] + r[1]);
            }
            w_lo += a;
            w_hi += b;
        }
        let dw = 4.0 * n * f64::EPSILON * (scale(0) + scale(1) + 1.0);
        let (w_lo, w_hi) = (w_lo - dw, w_hi + dw);
        let lo = prep.reservation[0] - delta;
        let hi = w_hi - prep.reservation[1] + delta;
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return None;
        }
        let sums = PairSums::new(&prep.levels, 2, 0, prep.bias[0], MAX_HALF, budget)?;
        Some(Pairs {
            prep,
            obj,
            sums,
            w_lo,
            w_hi,
            delta,
            lo,
            hi,
            budget,
            max_listed,
            known: vec![],
        })
    }

    /// The egalitarian solution: `min(u_0 - d_0, u_1 - d_1)` bounded by
    /// `min(u_0 - d_0, w_hi - d_1 - u_0)`.
    fn egalitarian(&mut self) -> Option<Solution> {
        let obj = self.obj;
        let (d0, c) = (obj.d[0], self.w_hi - obj.d[1]);
        let bound = move |x: f64| (x - d0).min(c - x);
        self.monotone(&|u: &[f64]| obj.egalitarian(u), &bound, 0.5 * (d0 + c))
    }

    /// Max welfare, bounded by `w_hi` whatever `u_0`: answered only when every rational
    /// outcome ties (the incumbent within half a [`TIE`] of `w_hi`), its ties counted as a
    /// range (the points listed, at most the outcomes whose `u_0` can be rational).
    fn max_welfare(&mut self) -> Option<Solution> {
        let w_hi = self.w_hi;
        let middle = 0.5 * (self.lo + self.hi);
        self.monotone(&welfare, &move |_| w_hi, middle)
    }

    /// The (weighted) Nash solution: the product bounded by
    /// `(u_0 - d_0)^e_0 (w_hi - d_1 - u_0)^e_1`, whose peak is at
    /// `(e_0 (w_hi - d_1) + e_1 d_0) / (e_0 + e_1)`.
    fn nash(&mut self) -> Option<Solution> {
        let obj = self.obj;
        let (d0, c) = (obj.d[0], self.w_hi - obj.d[1]);
        let e = obj.power.map_or([1.0, 1.0], |e| [e[0], e[1]]);
        let bound = move |x: f64| weighted_product([x - d0, c - x].into_iter(), &e);
        let peak = (e[0] * c + e[1] * d0) / (e[0] + e[1]);
        self.monotone(&|u: &[f64]| obj.nash(u), &bound, peak)
    }

    /// The outcomes whose sum of halves lies in `[l, h]` widened by the rounding bound and
    /// clipped to the rational range, evaluated exactly: the rational ones, one outcome (the
    /// smallest) per utility vector (`None` when more than `max_listed` or the budget is
    /// spent).
    fn rational_in(&mut self, l: f64, h: f64) -> Option<Vec<Cand>> {
        let (l, h) = ((l - self.delta).max(self.lo), (h + self.delta).min(self.hi));
        let list = self.sums.list(l, h, self.max_listed, self.budget)?;
        self.budget.charge((list.len() * (16 + 2 * self.prep.n_issues())) as u64);
        if self.budget.spent() {
            return None;
        }
        let mut out = Vec::new();
        for picks in list {
            let u = self.prep.utilities_of(&picks);
            if u.iter().zip(&self.prep.reservation).all(|(u, r)| u >= r) {
                let outcome = Outcome::new_unchecked(
                    picks
                        .iter()
                        .enumerate()
                        .map(|(i, &j)| self.prep.levels[i].options[j])
                        .collect(),
                );
                out.push(Cand { u, outcome });
            }
        }
        // One outcome per utility vector (the smallest), in a fixed order.
        out.sort_by(|a, b| lex_cmp(&a.u, &b.u).then_with(|| a.outcome.cmp(&b.outcome)));
        out.dedup_by(|later, first| later.u == first.u);
        Some(out)
    }

    /// Whether no rational outcome dominates `u` (`None`: the window is too large to
    /// list). A dominating outcome has `u_0 >= u_0(x)` and `u_0 <= w_hi - u_1 <= w_hi -
    /// u_1(x)`.
    fn certify(&mut self, u: &[f64]) -> Option<bool> {
        let around = self.rational_in(u[0], self.w_hi - u[1])?;
        let on = !around.iter().any(|c| weakly_dominates(&c.u, u) && c.u != u);
        if on {
            self.known.push(FrontierPoint {
                utilities: u.to_vec(),
                outcome: around
                    .iter()
                    .find(|c| c.u == u)
                    .map(|c| c.outcome.clone())
                    .unwrap_or_else(|| Outcome::new_unchecked(vec![])),
            });
        }
        Some(on)
    }

    /// A window around `peak`, narrowed (4 times each step) while it holds too many outcomes
    /// to list and widened while it holds no rational outcome for which `accept` holds,
    /// until it holds one (`Some(vec![])`: none in the whole rational range; `None`: no
    /// window found within 64 steps, or the budget spent).
    fn near(
        &mut self,
        peak: f64,
        accept: &mut dyn FnMut(&mut Self, &[Cand]) -> Option<bool>,
    ) -> Option<Vec<Cand>> {
        let p = peak.clamp(self.lo, self.hi);
        let spacing = (self.hi - self.lo).max(0.0) / self.sums.outcomes().max(1) as f64;
        let mut w = spacing + self.delta;
        for _ in 0..64 {
            let (l, h) = ((p - w).max(self.lo), (p + w).min(self.hi));
            let Some(found) = self.rational_in(l, h) else {
                if self.budget.spent() || w <= self.delta {
                    return None;
                }
                w /= 4.0;
                continue;
            };
            if !found.is_empty() && accept(self, &found)? {
                return Some(found);
            }
            if l <= self.lo && h >= self.hi {
                return Some(vec![]);
            }
            w *= 4.0;
        }
        None
    }

    /// The solution maximising `value` (monotone in each utility), bounded by `phi` of
    /// `u_0`, unimodal with its peak at `peak` (see the module documentation).
    fn monotone(
        &mut self,
        value: &dyn Fn(&[f64]) -> f64,
        phi: &dyn Fn(f64) -> f64,
        peak: f64,
    ) -> Option<Solution> {
        let first = self.near(peak, &mut |_, _| Some(true))?;
        let Some(theta) =
            first.iter().map(|c| value(&c.u)).filter(|v| !v.is_nan()).reduce(f64::max)
        else {
            return if first.is_empty() { Some(Solution::exact(vec![])) } else { None };
        };
        // Far above the rounding of the objective and of `phi`.
        let tol = |v: f64| 64.0 * f64::EPSILON * v.abs() + 1e-300;
        let (l, h) = window(phi, peak, self.lo, self.hi, theta - TIE - tol(theta))?;
        if let Some(all) = self.rational_in(l, h) {
            let best = all.iter().map(|c| value(&c.u)).fold(f64::NEG_INFINITY, f64::max);
            let mut ties: Vec<Cand> =
                all.into_iter().filter(|c| value(&c.u) >= best - TIE).collect();
            // Two parties: sorted by u_0 then u_1 descending, a tie is on the frontier when
            // its u_1 exceeds every one before it (the vectors are distinct).
            ties.sort_by(|a, b| b.u[0].total_cmp(&a.u[0]).then(b.u[1].total_cmp(&a.u[1])));
            let mut top = f64::NEG_INFINITY;
            let mut points = Vec::new();
            for c in ties {
                if c.u[1] > top {
                    top = c.u[1];
                    points.push(c.point());
                }
            }
            sort_points(&mut points);
            self.known.extend(points.iter().take(MAX_LISTED_TIES).cloned());
            return Some(Solution::exact(points));
        }
        // Too many ties to list. The optimum is at most `phi` at its peak: when the
        // incumbent is within half a TIE of that, the outcomes near the peak within TIE of
        // it are ties whatever the optimum; otherwise the optimum comes from the outcomes
        // that can reach `theta` (few unless the bound is loose).
        let ub = phi(peak.clamp(self.lo, self.hi));
        let ub = ub + tol(ub);
        let (floor, mut top) = if theta >= ub - 0.5 * TIE {
            (ub - TIE, first)
        } else {
            let (l, h) = window(phi, peak, self.lo, self.hi, theta - tol(theta))?;
            let top = self.rational_in(l, h)?;
            let best = top.iter().map(|c| value(&c.u)).fold(f64::NEG_INFINITY, f64::max);
            (best - TIE, top)
        };
        top.retain(|c| value(&c.u) >= floor);
        top.sort_by(|a, b| value(&b.u).total_cmp(&value(&a.u)).then(a.outcome.cmp(&b.outcome)));
        let mut points = Vec::new();
        for c in top {
            if points.len() == MAX_LISTED_TIES {
                break;
            }
            if self.certify(&c.u)? {
                points.push(c.point());
            }
        }
        // Every tie reaches the optimum less TIE, at least `theta - TIE`.
        let (l, h) = window(phi, peak, self.lo, self.hi, theta - TIE - tol(theta))?;
        let at_most = self.sums.count(
            (l - self.delta).max(self.lo),
            (h + self.delta).min(self.hi),
            self.budget,
        );
        if self.budget.spent() || points.is_empty() {
            return None;
        }
        sort_points(&mut points);
        let ties = TieCount { at_least: points.len() as u128, at_most: Some(at_most) };
        Some(Solution { points, exact: true, note: None, ties })
    }

    /// Kalai-Smorodinsky (see the module documentation).
    fn kalai_smorodinsky(&mut self) -> Option<Solution> {
        let obj = self.obj;
        let (d0, d1) = (obj.d[0], obj.d[1]);
        let g0 = 1.0 / (obj.maxs[0] - d0);
        let g1 = 1.0 / (obj.maxs[1] - d1);
        let (w_lo, w_hi) = (self.w_lo, self.w_hi);
        // Minus the smallest spread an outcome with u_0 = x can have.
        let phi = move |x: f64| {
            let a0 = g0 * (x - d0);
            -(a0 - g1 * (w_hi - x - d1)).max(g1 * (w_lo - x - d1) - a0).max(0.0)
        };
        let peak = (g0 * d0 + g1 * (0.5 * (w_lo + w_hi) - d1)) / (g0 + g1);
        let by_spread = |v: &mut Vec<Cand>| {
            v.sort_by(|a, b| obj.ks(&a.u).total_cmp(&obj.ks(&b.u)).then(a.outcome.cmp(&b.outcome)))
        };
        let mut best = None;
        let first = self.near(peak, &mut |me, found| {
            let mut found = found.to_vec();
            by_spread(&mut found);
            for c in &found {
                if me.certify(&c.u)? {
                    best = Some(obj.ks(&c.u));
                    return Some(true);
                }
            }
            Some(false)
        })?;
        let Some(s) = best else {
            return if first.is_empty() { Some(Solution::exact(vec![])) } else { None };
        };
        let cut = s + TIE + 64.0 * f64::EPSILON * (1.0 + s);
        let (l, h) = window(&phi, peak, self.lo, self.hi, -cut)?;
        let mut all = self.rational_in(l, h)?;
        all.retain(|c| obj.ks(&c.u) <= s + TIE);
        by_spread(&mut all);
        let mut points: Vec<FrontierPoint> = Vec::new();
        let mut least = None;
        for c in all {
            let v = obj.ks(&c.u);
            if least.is_some_and(|m: f64| v > m + TIE) {
                break;
            }
            if self.certify(&c.u)? {
                least.get_or_insert(v);
                points.push(c.point());
            }
        }
        sort_points(&mut points);
        Some(Solution::exact(points))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{brute_frontier, brute_optima};
    use super::*;
    use crate::frontier::{disagreement_and_maxima, power_exponents, utility_ranges};
    use detente_core::{Issue, Meta, Party, Role, Scenario, Stance};
    use detente_testkit::{PlanConfig, random_plan, zero_sum_plan};

    /// A zero-sum game whose values lie on a grid of quarters and whose weights are equal:
    /// many outcomes share a utility vector, and with 6 issues (weights of a sixth, not
    /// exact in binary) outcomes of equal value sum to numbers a few units in the last
    /// place apart, some dominating others.
    fn grid_zero_sum(seed: u64, n_issues: usize, reservations: [f64; 2], noise: f64) -> Scenario {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = |k: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % k
        };
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, reservations[0]),
            Party::new("b", "B", Role::Principal, 1.0, reservations[1]),
        ];
        let mut issues = vec![];
        let mut stances = vec![vec![], vec![]];
        for i in 0..n_issues {
            let n = 2 + next(3) as usize;
            let names: Vec<String> = (0..n).map(|k| format!("o{k}")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            issues.push(Issue::discrete(&format!("i{i}"), &format!("I{i}"), &names));
            // With noise: 0, 1, 1/2 and 1/2 (the Nash peak amid a cluster of outcomes) plus up to
            // `noise`, else quarters.
            let v: Vec<f64> = if noise > 0.0 {
                (0..n)
                    .map(|k| {
                        [0.0, 1.0, 0.5, 0.5][k] * (1.0 - noise)
                            + next(1 << 40) as f64 * noise / 2f64.powi(40)
                    })
                    .collect()
            } else {
                (0..n).map(|_| next(5) as f64 * 0.25).collect()
            };
            stances[0].push(Some(Stance::values(1.0, v.clone())));
            stances[1].push(Some(Stance::values(1.0, v.iter().map(|v| 1.0 - v).collect())));
        }
        Scenario::new(Meta::named("grid"), parties, issues, stances, vec![], vec![]).unwrap()
    }

    /// Compares the three solutions with brute force (`front`, the frontier; when the search answers: whether it
    /// did, and how many of its tie counts were ranges rather than exact): every solution
    /// exact, its points true ties on the frontier reached by their outcomes, at most
    /// [`MAX_LISTED_TIES`] and distinct, and its count bracketing the true one.
    fn check(
        s: &Scenario,
        front: &[Vec<f64>],
        power: Option<&[f64]>,
        max_listed: usize,
        ctx: &str,
    ) -> (bool, usize, bool) {
        let prep = Prepared::new(s);
        let ranges = utility_ranges(s);
        let (d, maxs) = disagreement_and_maxima(&ranges, &prep.reservation);
        let e = power_exponents(power, 2).unwrap();
        let obj = Objectives { d: &d, maxs: &maxs, power: e.as_deref() };
        let budget = Budget::new(None, Some(1 << 40));
        let Some(got) = solve_listing(&prep, &obj, &budget, max_listed) else {
            return (false, 0, false);
        };
        let want = brute_optima(front, &obj);
        let reaches =
            |pt: &FrontierPoint| (0..2).all(|p| s.utility(p, &pt.outcome) == pt.utilities[p]);
        let mut ranged = 0;
        let sols = [Some(&got.nash), Some(&got.egalitarian), Some(&got.kalai_smorodinsky)];
        let sols = sols.into_iter().chain([got.max_welfare.as_ref()]);
        for (k, (sol, want)) in sols.zip(&want).enumerate() {
            let ctx = format!("{ctx}, solution {k} (N/E/K/W)");
            let Some(sol) = sol else { continue };
            assert!(sol.exact, "{ctx}");
            assert_eq!(sol.points.is_empty(), want.is_empty(), "{ctx}");
            assert!(sol.points.len() <= MAX_LISTED_TIES, "{ctx}");
            for (i, pt) in sol.points.iter().enumerate() {
                assert!(want.iter().any(|w| w.utilities == pt.utilities), "{ctx}: {pt:?}");
                assert!(reaches(pt), "{ctx}");
                assert!(sol.points[..i].iter().all(|q| q.utilities != pt.utilities), "{ctx}");
            }
            let (n, t) = (want.len() as u128, sol.ties);
            assert!(t.at_least >= sol.points.len() as u128, "{ctx}");
            assert!(t.at_least <= n && t.at_most.is_some_and(|m| n <= m), "{ctx}: {t:?} vs {n}");
            if t.is_exact() {
                assert_eq!(sol.points.len(), want.len().min(MAX_LISTED_TIES), "{ctx}");
            } else {
                ranged += 1;
            }
        }
        for pt in &got.known {
            assert!(front.contains(&pt.utilities) && reaches(pt), "{ctx}: known {pt:?}");
        }
        (true, ranged, got.max_welfare.is_some())
    }

    /// Zero-sum games (random values and values on a grid, with duplicate and nearly equal
    /// utility vectors), symmetric and weighted Nash, listing up to the default or only 8
    /// outcomes an interval (the path for tie sets too large to list), and independent
    /// plans (which it may decline): every answer equals brute force.
    #[test]
    fn two_party_solutions_equal_brute_force() {
        let (mut answered, mut ranged, mut declined, mut welfare) = (0, 0, 0, 0);
        for seed in 1..=6 {
            let cfg = PlanConfig { n_parties: 2, n_issues: 6, min_options: 2, max_options: 4 };
            let res = [0.05 * seed as f64, 0.3 - 0.04 * seed as f64];
            let games = [
                ("zero-sum", zero_sum_plan(seed, &cfg, (0.0, 0.4))),
                ("grid of 6", grid_zero_sum(seed, 6, res, 0.0)),
                ("grid of 8", grid_zero_sum(seed, 8, [0.0, 0.0], 0.0)),
                ("clustered", grid_zero_sum(seed, 7, [0.0, 0.0], 1e-9)),
                ("independent", random_plan(seed, &cfg)),
            ];
            for (name, s) in &games {
                let front = brute_frontier(s);
                for power in [None, Some(&[1.0, 3.0][..])] {
                    for max_listed in [MAX_LISTED, 512, 64, 8] {
                        let ctx = format!("{name}, seed {seed}, power {power:?}, {max_listed}");
                        let (ok, r, w) = check(s, &front, power, max_listed, &ctx);
                        if ok {
                            answered += 1;
                            ranged += r;
                            welfare += usize::from(w);
                        } else {
                            declined += 1;
                            assert!(*name == "independent" || max_listed < MAX_LISTED, "{ctx}");
                        }
                    }
                }
            }
        }
        assert!(
            answered >= 50 && ranged >= 5 && welfare >= 20 && declined >= 1,
            "{answered} answered ({ranged} counts ranges, {welfare} with welfare), {declined} declined"
        );
    }
}
