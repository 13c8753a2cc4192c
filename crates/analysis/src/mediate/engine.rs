//! The engine of [`mediate()`](super::mediate()): an exact branch and bound over change slots.

#[cfg(test)]
use std::cell::Cell;
use std::cmp::Ordering;

use detente_core::{Scenario, Term};

use crate::EPS;
use crate::kit::{Budget, OptionRows, step};

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
pub(super) const TABLE_CELLS: usize = 1 << 24;
#[cfg(not(test))]
fn table_cells() -> usize {
    TABLE_CELLS
}

#[cfg(test)]
thread_local! {
    /// Tests shrink the tables to check the bounds past [`TABLE_CELLS`].
    pub(super) static TEST_CELLS: Cell<usize> = const { Cell::new(TABLE_CELLS) };
}

#[cfg(test)]
fn table_cells() -> usize {
    TEST_CELLS.with(Cell::get)
}

/// Functionals a search may tabulate besides one per coordinate (the pool).
const POOL_TABLES: usize = 64;
/// Minimality of a `FewestChanges` revision is checked over all its subsets up to this size.
const MAX_SUBSET_CHECK: usize = 20;
/// The work budget shared by the searches of one call, in phases (each search of a phase
/// gets what is left of the phase as its [`Budget`]).
pub(super) struct CallBudget {
    /// Work steps used.
    pub(super) used: u64,
    /// Search nodes used.
    pub(super) nodes: u64,
    /// The whole budget.
    pub(super) max: Option<u64>,
    /// The most the current phase may reach (a total, not a share): at most `max`.
    pub(super) phase: Option<u64>,
    pub(super) stopped: bool,
}

/// What one search ranks.
#[derive(Clone, Copy, Debug)]
pub(super) enum Goal {
    /// The smallest principal surplus, red lines kept. `floor`: every principal must
    /// accept. `size`: exactly this many changes. `minimal`: list only revisions with no
    /// accepted proper subset (checked when `Some(m)`: the fewest changes that work).
    /// `first`: stop at the first accepted revision.
    MaxMin { floor: bool, size: Option<usize>, minimal: Option<usize>, first: bool },
    /// The Nash product, every principal accepting.
    Nash,
    /// Fewest red lines broken or at risk, then the smallest total shortfall.
    Closest,
    /// The sum of the surpluses, every principal accepting (`improve`'s welfare).
    Welfare,
}

/// What a ranked search measures its surpluses from, besides its goal.
#[derive(Clone, Debug, Default)]
pub(super) struct Measure {
    /// `Nash`: the exponents of the weighted product, per counted party (`None`: symmetric).
    pub(super) power: Option<Vec<f64>>,
    /// `improve`: surpluses are gains over the draft itself (its `utility_min` per counted
    /// party) instead of over the reservations; a gain within `EPS` of 0 counts as 0, and a
    /// revision enters the ranking only when some counted party gains (or, when the draft
    /// breaks a counted party's red line, always: every revision repairs it).
    pub(super) improve: bool,
}

/// A scored revision: changes as `(issue, option)` in issue order; a larger score is better
/// (compared lexicographically).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cand {
    pub(super) changes: Vec<(usize, usize)>,
    pub(super) score: (f64, f64),
}

/// The ranking: score, then fewer changes, then the changes in issue and option order.
pub(super) fn rank(a: &Cand, b: &Cand) -> Ordering {
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
    /// The options a change may pick; `rows.row(j, dim)[q]` is what changing to
    /// `rows.options[j]` adds to coordinate `q` (the principals' utilities, then minus the
    /// red lines broken or at risk) against keeping the term.
    rows: OptionRows,
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
    /// Nodes and work steps (see [`MediateOptions::budget`](super::MediateOptions::budget)),
    /// limited in work only.
    budget: Budget,
    stopped: bool,
    done: bool,
    /// `Nash`: the exponents of the weighted product, per counted party (`None`: symmetric).
    power: Option<Vec<f64>>,
    /// Gains over the draft (see [`Measure::improve`]).
    improve: bool,
}

/// Runs one search; returns the ranked candidates (at most `top`).
pub(super) fn run(
    s: &Scenario,
    terms: &[Term],
    parties: &[usize],
    goal: Goal,
    k: usize,
    top: usize,
    budget: &mut CallBudget,
) -> Vec<Cand> {
    run_measured(s, terms, parties, goal, k, top, budget, Measure::default())
}

/// [`run`] with what the surpluses are measured from and how (`Measure`).
#[allow(clippy::too_many_arguments)]
pub(super) fn run_measured(
    s: &Scenario,
    terms: &[Term],
    parties: &[usize],
    goal: Goal,
    k: usize,
    top: usize,
    budget: &mut CallBudget,
    measure: Measure,
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
    let Some(mut e) = Engine::new(s, terms, parties, goal, k, top, max_work, measure) else {
        return vec![];
    };
    e.search();
    budget.used += e.budget.work();
    budget.nodes += e.budget.nodes();
    budget.stopped |= e.stopped || e.spent();
    e.best
}

/// Principal `q`'s violations of option `k` of issue `i` (red lines it breaks).
fn violations(s: &Scenario, p: usize, i: usize, k: usize) -> usize {
    s.red_lines_broken(p, i, k).len()
}

/// The red lines of party `p` an open issue `i` puts at risk (ruling out some option).
pub(super) fn at_risk(s: &Scenario, p: usize, i: usize) -> Vec<usize> {
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
    #[allow(clippy::too_many_arguments)]
    fn new(
        s: &'a Scenario,
        terms: &'a [Term],
        parties: &'a [usize],
        goal: Goal,
        k: usize,
        top: usize,
        max_work: Option<u64>,
        measure: Measure,
    ) -> Option<Engine<'a>> {
        let n_p = parties.len();
        let dim = n_p + 1;
        let closest = matches!(goal, Goal::Closest);
        let keep_c: Vec<Vec<f64>> = (0..s.issues().len())
            .map(|i| parties.iter().map(|&p| contribution(s, p, i, terms[i])).collect())
            .collect();
        let keep_v: Vec<usize> =
            (0..s.issues().len()).map(|i| term_violations(s, parties, i, terms[i])).collect();
        // Utility starts from each party's bias (0 unless raw).
        let mut base = vec![0.0; dim];
        for (q, &p) in parties.iter().enumerate() {
            base[q] = s.bias(p);
        }
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
            slots.push(Slot { issue: i, keep_ok, rows: OptionRows { options: opts, c: d } });
        }
        // Order: must-change first (issue order), then by what is at stake.
        let stake = |sl: &Slot| -> f64 {
            (0..dim)
                .map(|q| {
                    (0..sl.rows.options.len()).map(|j| sl.rows.c[j * dim + q]).fold(0.0, f64::max)
                        * if q == n_p { 10.0 } else { 1.0 }
                })
                .sum()
        };
        // Options: most promising first (uniform weights, red lines heavy), so that good
        // revisions come early; the ranking does not depend on this order.
        for sl in &mut slots {
            let key = |j: usize| -> f64 {
                (0..dim)
                    .map(|q| sl.rows.c[j * dim + q] * if q == n_p { RED_LINE_WEIGHT } else { 1.0 })
                    .sum()
            };
            let mut order: Vec<usize> = (0..sl.rows.len()).collect();
            order.sort_by(|&x, &y| key(y).total_cmp(&key(x)).then(x.cmp(&y)));
            sl.rows.permute(&order, dim);
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
        let reservation = if measure.improve {
            base[..n_p].to_vec()
        } else {
            parties.iter().map(|&p| s.parties()[p].reservation).collect()
        };
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
            budget: Budget::new(None, max_work),
            stopped: false,
            done: false,
            power: measure.power,
            improve: measure.improve,
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
        self.budget.charge(steps as u64);
    }

    /// Whether the work budget is spent.
    fn spent(&self) -> bool {
        self.budget.spent()
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
        self.charge(sl.rows.len().max(1) * self.dim);
        sl.rows.argmax(w)
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
            for (sum, x) in sums.iter_mut().zip(&self.slots[pos].rows.c[o * dim..(o + 1) * dim]) {
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
        // Gains within EPS of 0 count as 0 (`improve`): a score may exceed the raw sums by
        // that much per party.
        let snap = if self.improve { EPS } else { 0.0 };
        let surplus_ub: Vec<f64> = (0..n_p)
            .map(|q| self.bound(&self.units[q], j, b, x[q]) - self.reservation[q] + TOL + snap)
            .collect();
        let pooled = |t: &Table| -> f64 {
            self.bound(t, j, b, Self::dot(&t.w, x)) - Self::dot(&t.w[..n_p], &self.reservation)
                + TOL
                + snap * t.w[..n_p].iter().sum::<f64>()
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
                let n = n_p as f64;
                if let Some(e) = &self.power {
                    let prod = crate::frontier::weighted_product(surplus_ub.iter().copied(), e);
                    if prod < t {
                        return true;
                    }
                    // Weighted AM-GM, a_q = e_q / n: prod x^a <= (l . x) / prod (l_q / a_q)^a_q.
                    return self.pool.iter().any(|tb| {
                        let lam = &tb.w[..n_p];
                        if lam.iter().any(|&l| l <= 0.0) {
                            return false;
                        }
                        let g = pooled(tb).max(0.0);
                        let log_c: f64 =
                            lam.iter().zip(e).map(|(l, e)| (e / n) * (l / (e / n)).ln()).sum();
                        (n * (g.ln() - log_c)).exp() < t
                    });
                }
                let prod: f64 = surplus_ub.iter().map(|&u| u.max(0.0)).product();
                if prod < t {
                    return true;
                }
                self.pool.iter().any(|tb| {
                    let lam = &tb.w[..n_p];
                    let g = pooled(tb).max(0.0);
                    let denom: f64 = lam.iter().product();
                    denom > 0.0 && (g / n).powi(n_p as i32) / denom < t
                })
            }
            Goal::Welfare => {
                if surplus_ub.iter().any(|&u| u < -EPS) {
                    return true;
                }
                let Some(k) = kth else { return false };
                surplus_ub.iter().sum::<f64>() < k.0 || self.pool.iter().any(|tb| pooled(tb) < k.0)
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
            Goal::MaxMin { .. } | Goal::Nash | Goal::Welfare => {
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
                if let Goal::Welfare = self.goal {
                    // The sum of the gains, bounded directly.
                    let mut ones = vec![1.0; n_p];
                    ones.push(0.0);
                    let t = self.table(ones);
                    self.pool.push(t);
                    return;
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
            .filter(|&pos| !self.slots[pos].rows.options.is_empty())
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
            for (sum, x) in sums.iter_mut().zip(&sl.rows.c[j * self.dim..(j + 1) * self.dim]) {
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
        self.budget.count_nodes(1);
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
        if self.improve
            && matches!(self.goal, Goal::MaxMin { .. } | Goal::Nash)
            && self.kth().is_some_and(|k| k.0 <= 0.0)
        {
            // A party that cannot gain more than EPS here scores every revision of the
            // subtree 0, as the `top`-th: only fewer changes (or as many, earlier in order)
            // can rank higher.
            let n_p = self.n_p();
            let stuck = (0..n_p)
                .any(|q| self.bound(&self.units[q], j, b, x[q]) - self.reservation[q] + TOL <= EPS);
            if stuck {
                cap = self.best[self.top - 1].changes.len();
                if depth > cap {
                    return;
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
            for o in 0..self.slots[pos].rows.options.len() {
                let dim = self.dim;
                for (xq, d) in x.iter_mut().zip(&self.slots[pos].rows.c[o * dim..(o + 1) * dim]) {
                    *xq += d;
                }
                chosen.push((pos, o));
                self.dfs(pos + 1, x, chosen, &mu);
                chosen.pop();
                for (xq, d) in x.iter_mut().zip(&self.slots[pos].rows.c[o * dim..(o + 1) * dim]) {
                    *xq -= d;
                }
                if self.done {
                    return;
                }
            }
        }
    }

    /// The principals' exact `utility_min` of the revision, summed as `evaluate` does (from
    /// the party's bias, then in issue order), and the principals' red lines it breaks or
    /// puts at risk.
    fn exact(&self, changes: &[(usize, usize)]) -> (Vec<f64>, usize) {
        let n_p = self.n_p();
        self.charge(self.s.issues().len() * (n_p + 1));
        let mut u: Vec<f64> = self.parties.iter().map(|&p| self.s.bias(p)).collect();
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
            .map(|&(pos, j)| (self.slots[pos].issue, self.slots[pos].rows.options[j]))
            .collect();
        changes.sort_unstable();
        let (u, viol) = self.exact(&changes);
        let surplus: Vec<f64> = u.iter().zip(&self.reservation).map(|(u, r)| u - r).collect();
        let score = if self.improve {
            match self.gain_score(&u, &surplus) {
                Some(x) => (x, 0.0),
                None => return,
            }
        } else {
            match self.goal {
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
                    match &self.power {
                        None => (surplus.iter().map(|&x| x.max(0.0)).product(), 0.0),
                        Some(e) => {
                            (crate::frontier::weighted_product(surplus.iter().copied(), e), 0.0)
                        }
                    }
                }
                Goal::Welfare => {
                    if !self.accepted(&u) {
                        return;
                    }
                    (surplus.iter().sum(), 0.0)
                }
                Goal::Closest => {
                    let short: f64 = surplus.iter().map(|&x| if -x > EPS { -x } else { 0.0 }).sum();
                    (-(viol as f64), -short)
                }
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

    /// `improve`'s score of a revision from its gains over the draft (`surplus`), or `None`
    /// when it is no improvement: someone loses more than `EPS`, or nobody gains and no red
    /// line of a counted party is repaired. Gains within `EPS` of 0 count as 0.
    fn gain_score(&self, u: &[f64], surplus: &[f64]) -> Option<f64> {
        if !self.accepted(u) {
            return None;
        }
        let gains: Vec<f64> =
            surplus.iter().map(|&g| if g.abs() <= EPS { 0.0 } else { g }).collect();
        if self.n_forced == 0 && gains.iter().all(|&g| g <= 0.0) {
            return None;
        }
        Some(match self.goal {
            Goal::MaxMin { .. } => gains.iter().copied().fold(f64::INFINITY, f64::min),
            Goal::Nash => match &self.power {
                None => gains.iter().product(),
                Some(e) => crate::frontier::weighted_product(gains.iter().copied(), e),
            },
            Goal::Welfare => gains.iter().sum(),
            Goal::Closest => return None,
        })
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
