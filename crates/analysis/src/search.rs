//! The exact feasibility oracle behind [`crate::deadlock()`].
//!
//! Given a set of constraints (red lines and reservations), decide whether one option per
//! issue keeps every red line in the set and gives every party with a reservation
//! constraint a utility of at least `reservation - EPS`. Red lines only narrow the options
//! of their issue; what remains is a multi-dimensional multiple-choice knapsack, solved by
//! depth-first branch and bound:
//!
//! 1. per issue, options dominated for every constrained party by another allowed option
//!    are dropped (dropping them loses no solution: utility sums are monotone, also in
//!    floating point);
//! 2. at the root, a multiplicative-weights iteration looks for Lagrange multipliers
//!    `lambda >= 0` with `max_x sum_p lambda_p (U_p(x) - r_p) < 0`, a proof of
//!    infeasibility, and tries each maximiser as a witness;
//! 3. every node is bounded with the unit multipliers (each party's optimistic bound) and
//!    the best multipliers of the root; the bound is separable by issue, so suffix sums
//!    make it `O(parties x multipliers)` per node. Nodes that pass are tightened further
//!    by a few multiplier updates on the remaining issues, warm-started from the parent's.
//!
//! Pruning keeps a small slack so that floating-point error never prunes a true solution;
//! every leaf is verified with [`Scenario::utility`], the same sum the callers check.
//!
//! The option rows, the budget and the multiplier step come from the search kit
//! ([`crate::kit`]); the bound is this search's own. The budget limits nodes, where a node
//! counts one more node per [`NODE_COST`] units of work its bounds look at.

use detente_core::{Outcome, Scenario};

use crate::EPS;
use crate::deadlock::Constraint;
use crate::kit::{Budget, OptionRows, step};

/// Bounds must fall this far below zero to prune: far above rounding error, far below `EPS`.
const SLACK: f64 = 1e-11;
/// Multiplier iterations at the root.
const ROOT_ITERS: usize = 300;
/// Multiplier iterations at each inner node that survives the static bounds.
const NODE_ITERS: usize = 6;
/// Above this many kept options the dominance filter stops (it is quadratic).
const DOMINANCE_CAP: usize = 512;
/// A node counts one more node per this many units of work its bounds look at.
pub(crate) const NODE_COST: usize = 1024;
/// How many witnesses are remembered for reuse across calls.
const WITNESS_CACHE: usize = 64;

/// The budget stopped the search before it decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stopped;

/// The oracle with its budget (over all calls) and a cache of witnesses found so far.
pub(crate) struct Oracle<'a> {
    s: &'a Scenario,
    /// Nodes (each counting one more per [`NODE_COST`] units of work) and work, over all
    /// calls; only the nodes are limited.
    pub(crate) budget: Budget,
    witnesses: Vec<Outcome>,
}

impl<'a> Oracle<'a> {
    pub(crate) fn new(s: &'a Scenario, max_nodes: Option<u64>) -> Oracle<'a> {
        Oracle { s, budget: Budget::new(max_nodes, None), witnesses: Vec::new() }
    }

    /// Counts a node whose bounds look at `rows` units of work (one more node per
    /// [`NODE_COST`] of them).
    fn tick(budget: &Budget, rows: usize) -> Result<(), Stopped> {
        budget.count_nodes(1 + (rows / NODE_COST) as u64);
        budget.charge(1 + rows as u64);
        if budget.spent() { Err(Stopped) } else { Ok(()) }
    }

    /// Whether the outcome satisfies the constraint.
    pub(crate) fn satisfies(s: &Scenario, o: &Outcome, c: &Constraint) -> bool {
        match *c {
            Constraint::RedLine { party, issue, red_line } => {
                let k = o.option(issue);
                red_line_of(s, party, issue, red_line)
                    .is_none_or(|r| r.allows(k, s.issues()[issue].scale_value(k)))
            }
            Constraint::Reservation { party } => {
                s.utility(party, o) >= s.parties()[party].reservation - EPS
            }
        }
    }

    /// An outcome satisfying every constraint in `cons`, or `None` when there is none.
    pub(crate) fn solve(&mut self, cons: &[Constraint]) -> Result<Option<Outcome>, Stopped> {
        let s = self.s;
        Self::tick(&self.budget, 0)?;
        if let Some(w) =
            self.witnesses.iter().find(|w| cons.iter().all(|c| Self::satisfies(s, w, c)))
        {
            return Ok(Some(w.clone()));
        }
        let Some(allowed) = allowed_options(s, cons) else { return Ok(None) };
        let mut parties: Vec<usize> = cons
            .iter()
            .filter_map(|c| match *c {
                Constraint::Reservation { party } => Some(party),
                Constraint::RedLine { .. } => None,
            })
            .collect();
        parties.sort_unstable();
        parties.dedup();
        let found = if parties.is_empty() {
            Some(Outcome::new_unchecked(allowed.iter().map(|a| a[0]).collect()))
        } else {
            let mut search = Search::new(s, &allowed, parties);
            search.run(&self.budget)?
        };
        if let Some(w) = &found {
            if self.witnesses.len() == WITNESS_CACHE {
                self.witnesses.remove(0);
            }
            self.witnesses.push(w.clone());
        }
        Ok(found)
    }
}

/// The red line a constraint names, if it exists.
pub(crate) fn red_line_of(
    s: &Scenario,
    party: usize,
    issue: usize,
    red_line: usize,
) -> Option<&detente_core::RedLine> {
    s.stances().get(party)?.get(issue)?.as_ref()?.red_lines.get(red_line)
}

/// The options of each issue that keep every red line in `cons`; `None` if an issue has none.
pub(crate) fn allowed_options(s: &Scenario, cons: &[Constraint]) -> Option<Vec<Vec<usize>>> {
    let mut masks: Vec<Option<Vec<bool>>> = vec![None; s.issues().len()];
    for c in cons {
        let Constraint::RedLine { party, issue, red_line } = *c else { continue };
        let Some(r) = red_line_of(s, party, issue, red_line) else { continue };
        let n = s.issues()[issue].n_options();
        let mask = masks[issue].get_or_insert_with(|| vec![true; n]);
        for (k, m) in mask.iter_mut().enumerate() {
            if *m && !r.allows(k, s.issues()[issue].scale_value(k)) {
                *m = false;
            }
        }
    }
    let mut allowed = Vec::with_capacity(s.issues().len());
    for (i, mask) in masks.into_iter().enumerate() {
        let a: Vec<usize> = match mask {
            None => (0..s.issues()[i].n_options()).collect(),
            Some(m) => (0..m.len()).filter(|&k| m[k]).collect(),
        };
        if a.is_empty() {
            return None;
        }
        allowed.push(a);
    }
    Some(allowed)
}

/// One issue still to decide: its options and their contributions per constrained party.
struct Branch {
    issue: usize,
    rows: OptionRows,
}

/// A branch-and-bound search over the issues with more than one useful option.
struct Search<'a> {
    s: &'a Scenario,
    parties: Vec<usize>,
    /// `reservation - EPS` per constrained party.
    thr: Vec<f64>,
    /// Contributions of the issues with a single useful option.
    base: Vec<f64>,
    /// The outcome under construction (fixed issues filled in at the start).
    outcome: Vec<usize>,
    branches: Vec<Branch>,
    /// Multipliers used at every node, each normalised to sum 1.
    pool: Vec<Vec<f64>>,
    /// `suffix[m][d]`: sum over branches `d..` of the best `pool[m]`-weighted contribution.
    suffix: Vec<Vec<f64>>,
    /// `rows_from[d]`: option rows x parties of the branches `d..`.
    rows_from: Vec<usize>,
}

impl<'a> Search<'a> {
    fn new(s: &'a Scenario, allowed: &[Vec<usize>], parties: Vec<usize>) -> Search<'a> {
        let n_p = parties.len();
        let thr: Vec<f64> = parties.iter().map(|&p| s.parties()[p].reservation - EPS).collect();
        // Utility starts from each party's bias (0 unless raw).
        let mut base: Vec<f64> = parties.iter().map(|&p| s.bias(p)).collect();
        let mut outcome = vec![0; s.issues().len()];
        let mut branches = Vec::new();
        for (i, options) in allowed.iter().enumerate() {
            let contrib = |k: usize| -> Vec<f64> {
                parties.iter().map(|&p| s.weight(p, i) * s.value(p, i, k)).collect()
            };
            let kept = undominated(options, &contrib);
            if kept.len() == 1 {
                outcome[i] = kept[0];
                for (b, x) in base.iter_mut().zip(contrib(kept[0])) {
                    *b += x;
                }
            } else {
                let c = kept.iter().flat_map(|&k| contrib(k)).collect();
                branches.push(Branch { issue: i, rows: OptionRows { options: kept, c } });
            }
        }
        let mut rows_from = vec![0; branches.len() + 1];
        for d in (0..branches.len()).rev() {
            rows_from[d] = rows_from[d + 1] + branches[d].rows.len() * n_p;
        }
        Search { s, parties, thr, base, outcome, branches, pool: vec![], suffix: vec![], rows_from }
    }

    fn n_parties(&self) -> usize {
        self.parties.len()
    }

    /// Verifies a complete outcome with the callers' own utility sum.
    fn verify(&self, outcome: &[usize]) -> Option<Outcome> {
        let o = Outcome::new_unchecked(outcome.to_vec());
        self.parties
            .iter()
            .all(|&p| self.s.utility(p, &o) >= self.s.parties()[p].reservation - EPS)
            .then_some(o)
    }

    /// Maximises `lambda . contributions` on branches `from..`, writing the choices to `pick`
    /// and returning the per-party sums.
    fn maximise(&self, lambda: &[f64], from: usize, pick: &mut [usize]) -> Vec<f64> {
        let n_p = self.n_parties();
        let mut sums = vec![0.0; n_p];
        for (d, b) in self.branches.iter().enumerate().skip(from) {
            let best = b.rows.argmax(lambda);
            pick[d] = best.1;
            for (s, x) in sums.iter_mut().zip(b.rows.row(best.1, n_p)) {
                *s += x;
            }
        }
        sums
    }

    fn run(&mut self, budget: &Budget) -> Result<Option<Outcome>, Stopped> {
        let n_p = self.n_parties();
        // Each party's own optimistic bound first: cheap and often enough.
        for q in 0..n_p {
            let best: f64 = self.base[q]
                + self
                    .branches
                    .iter()
                    .map(|b| (0..b.rows.len()).map(|j| b.rows.c[j * n_p + q]).fold(0.0, f64::max))
                    .sum::<f64>();
            if best < self.thr[q] - SLACK {
                return Ok(None);
            }
        }
        // Root multipliers.
        let mut lambda = vec![1.0 / n_p as f64; n_p];
        let mut best_lambda = lambda.clone();
        let mut best_g = f64::INFINITY;
        let mut pick = vec![0; self.branches.len()];
        for t in 0..ROOT_ITERS {
            let sums = self.maximise(&lambda, 0, &mut pick);
            let h: Vec<f64> = (0..n_p).map(|q| self.base[q] + sums[q] - self.thr[q]).collect();
            let g: f64 = h.iter().zip(&lambda).map(|(h, l)| h * l).sum();
            if g < best_g {
                best_g = g;
                best_lambda.clone_from(&lambda);
            }
            if g < -SLACK {
                return Ok(None);
            }
            if h.iter().all(|&x| x >= 0.0) {
                let mut o = self.outcome.clone();
                for (d, b) in self.branches.iter().enumerate() {
                    o[b.issue] = b.rows.options[pick[d]];
                }
                if let Some(w) = self.verify(&o) {
                    return Ok(Some(w));
                }
            }
            let eta = 2.0 / ((t + 1) as f64).sqrt();
            step(&mut lambda, &h, eta);
        }
        // Order: options by combined value, issues by how much is at stake.
        let key = |b: &Branch, j: usize| -> f64 {
            b.rows.row(j, n_p).iter().zip(&best_lambda).map(|(x, l)| x * l).sum()
        };
        for b in &mut self.branches {
            let mut order: Vec<usize> = (0..b.rows.len()).collect();
            order.sort_by(|&x, &y| key(b, y).total_cmp(&key(b, x)).then(x.cmp(&y)));
            b.rows.permute(&order, n_p);
        }
        let spread = |b: &Branch| -> f64 {
            (0..n_p)
                .map(|q| {
                    let col = (0..b.rows.len()).map(|j| b.rows.c[j * n_p + q]);
                    let (lo, hi) = col.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                        (lo.min(x), hi.max(x))
                    });
                    hi - lo
                })
                .sum()
        };
        self.branches.sort_by(|a, b| spread(b).total_cmp(&spread(a)).then(a.issue.cmp(&b.issue)));
        // Multiplier pool: unit vectors and the root's best.
        for q in 0..n_p {
            let mut e = vec![0.0; n_p];
            e[q] = 1.0;
            self.pool.push(e);
        }
        if n_p > 1 {
            self.pool.push(best_lambda.clone());
        }
        self.suffix = self
            .pool
            .iter()
            .map(|lam| {
                let mut suf = vec![0.0; self.branches.len() + 1];
                for d in (0..self.branches.len()).rev() {
                    let b = &self.branches[d];
                    let best = b.rows.argmax(lam).0;
                    suf[d] = suf[d + 1] + best;
                }
                suf
            })
            .collect();
        let mut sums = self.base.clone();
        let mut outcome = self.outcome.clone();
        let mut scratch = vec![0; self.branches.len()];
        self.dfs(0, &mut sums, &mut outcome, &best_lambda, &mut scratch, budget)
    }

    fn dfs(
        &self,
        d: usize,
        sums: &mut Vec<f64>,
        outcome: &mut Vec<usize>,
        lambda: &[f64],
        scratch: &mut Vec<usize>,
        budget: &Budget,
    ) -> Result<Option<Outcome>, Stopped> {
        // A node whose bounds pass over many option rows counts as one node per
        // NODE_COST rows: the budget bounds time, not just the count of nodes.
        let n_p = self.n_parties();
        let rows = if n_p > 1 { NODE_ITERS * self.rows_from[d] } else { 0 };
        Oracle::tick(budget, rows)?;
        if d == self.branches.len() {
            return Ok(self.verify(outcome));
        }
        for (lam, suf) in self.pool.iter().zip(&self.suffix) {
            let g: f64 = (0..n_p).map(|q| lam[q] * (sums[q] - self.thr[q])).sum::<f64>() + suf[d];
            if g < -SLACK {
                return Ok(None);
            }
        }
        // Tighten with a few multiplier updates on the remaining issues.
        let mut lam = lambda.to_vec();
        if n_p > 1 && d + 1 < self.branches.len() {
            for t in 0..NODE_ITERS {
                let rest = self.maximise(&lam, d, scratch);
                let h: Vec<f64> = (0..n_p).map(|q| sums[q] + rest[q] - self.thr[q]).collect();
                let g: f64 = h.iter().zip(&lam).map(|(h, l)| h * l).sum();
                if g < -SLACK {
                    return Ok(None);
                }
                if h.iter().all(|&x| x >= 0.0) {
                    // The maximiser may be a witness: try it.
                    let mut o = outcome.clone();
                    for (e, b) in self.branches.iter().enumerate().skip(d) {
                        o[b.issue] = b.rows.options[scratch[e]];
                    }
                    if let Some(w) = self.verify(&o) {
                        return Ok(Some(w));
                    }
                    break;
                }
                step(&mut lam, &h, 1.0 / ((t + 1) as f64).sqrt());
            }
        }
        let b = &self.branches[d];
        let saved = sums.clone();
        for j in 0..b.rows.len() {
            let row = b.rows.row(j, n_p);
            for q in 0..n_p {
                sums[q] = saved[q] + row[q];
            }
            outcome[b.issue] = b.rows.options[j];
            if let Some(w) = self.dfs(d + 1, sums, outcome, &lam, scratch, budget)? {
                return Ok(Some(w));
            }
        }
        sums.copy_from_slice(&saved);
        Ok(None)
    }
}

/// The options not dominated (for every party at least as good, and better somewhere or
/// earlier) by another option, in their original order.
fn undominated(options: &[usize], contrib: &dyn Fn(usize) -> Vec<f64>) -> Vec<usize> {
    let mut rows: Vec<(usize, Vec<f64>, f64)> = options
        .iter()
        .map(|&k| {
            let c = contrib(k);
            let sum = c.iter().sum();
            (k, c, sum)
        })
        .collect();
    rows.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut kept: Vec<(usize, Vec<f64>)> = Vec::new();
    for (k, c, _) in rows {
        let dominated = kept.len() < DOMINANCE_CAP
            && kept.iter().any(|(_, d)| d.iter().zip(&c).all(|(x, y)| x >= y));
        if !dominated {
            kept.push((k, c));
        }
    }
    let mut out: Vec<usize> = kept.into_iter().map(|(k, _)| k).collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominance_keeps_the_frontier() {
        let rows = [vec![0.5, 0.5], vec![0.5, 0.5], vec![0.2, 0.9], vec![0.1, 0.1], vec![0.6, 0.4]];
        let kept = undominated(&[0, 1, 2, 3, 4], &|k| rows[k].clone());
        assert_eq!(kept, vec![0, 2, 4]);
    }
}
