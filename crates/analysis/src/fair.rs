//! Fair division of indivisible items among any number of parties: the maximum Nash welfare
//! allocation, the maximin (egalitarian) allocation, and a fairness report for any
//! allocation (proportional, envy-free, envy-free up to one item, each party's maximin
//! share).
//!
//! Each party values the items additively; what a party gets is measured as its **share**,
//! the fraction of its own total valuation (so parties who spread different totals compare).
//!
//! # Maximum Nash welfare
//! The standard definition (Caragiannis et al., "The unreasonable fairness of maximum Nash
//! welfare", as Spliddit uses it): first give a positive share to as many parties as
//! possible (the largest such number is a maximum matching between parties and the items
//! they value), then maximise the product of those parties' shares. Found by branch and
//! bound over the items; the bound is the Lagrangian dual of the fractional problem (the
//! Eisenberg-Gale program) at the prices of the fractional equilibrium, found by
//! proportional response: for prices `p`, each party with utility `a` so far and best
//! value per price `b` among the items left contributes `ln b - 1 + a / b` (or `ln a` when
//! `a >= b`), plus the prices of the items left. Any prices give an upper bound, so the
//! bound is valid at every node. Exact within a relative [`TOLERANCE`] of the product.
//!
//! # Maximin
//! The allocation that maximises the smallest share (parties who value nothing are not
//! counted), by branch and bound with the bound `t` such that the parties' shortfalls
//! below `t` add up to what the items left could give at most (each item to whoever values
//! it most, as a share); then items move to whoever values them more while no share falls
//! below that smallest share. A party's **maximin share** is the same search among `n`
//! copies of its own valuation (bundles interchangeable, so equal bundles are tried once).
//!
//! Every search spends a [`FairOptions::max_work`] budget; past it the answer is the best
//! found, with a proved upper bound, and says it is not exact.

use crate::error::{Error, ErrorKind};
use crate::kit::{Budget, Termination};
use detente_core::Scenario;

/// Two shares (or logarithms of Nash products) closer than this are equal: the searches
/// are exact within it.
pub const TOLERANCE: f64 = 1e-9;

/// The default work budget of each search (units: one party weighed at one node).
pub const DEFAULT_MAX_WORK: u64 = 10_000_000;

/// The most parties a division takes.
pub const MAX_PARTIES: usize = 1_000;

/// The most items a division takes.
pub const MAX_ITEMS: usize = 10_000;

/// Options of the fair division searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FairOptions {
    /// Each search (the allocation, and each party's maximin share) spends at most this
    /// many units of work.
    pub max_work: u64,
}

impl Default for FairOptions {
    fn default() -> FairOptions {
        FairOptions { max_work: DEFAULT_MAX_WORK }
    }
}

/// Parties' additive valuations of items.
#[derive(Clone, Debug, PartialEq)]
pub struct Valuations {
    items: Vec<String>,
    parties: Vec<String>,
    /// `values[p][i]`: party `p`'s value of item `i`.
    values: Vec<Vec<f64>>,
    /// `w[p][i]`: `values[p][i]` over party `p`'s total (0 when the total is 0).
    shares: Vec<Vec<f64>>,
    totals: Vec<f64>,
    /// `grid[p]`: when party `p`'s values are whole multiples of one unit (a power of ten
    /// down to 1e-6) and its total is at most 1e9 units, that total in units: its shares
    /// are then multiples of `1 / grid[p]`, which tightens the maximin bounds.
    grid: Vec<Option<f64>>,
}

/// The number of units of a row of values when they are whole multiples of `10^-k` for some
/// `k` in 0..=6 and add up to at most 1e9 units.
fn grid_of(row: &[f64]) -> Option<f64> {
    (0..=6).find_map(|k| {
        let scale = 10f64.powi(k);
        let mut total = 0.0;
        for &x in row {
            let y = x * scale;
            if (y - y.round()).abs() > 1e-9 * y.abs().max(1.0) {
                return None;
            }
            total += y.round();
        }
        (total > 0.0 && total <= 1e9).then_some(total)
    })
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidInput, message)
}

impl Valuations {
    /// Valuations of `items` by `parties`, `values[p][i]` party `p`'s value of item `i`:
    /// every value finite and `>= 0`, at least one party and one item, at most
    /// [`MAX_PARTIES`] and [`MAX_ITEMS`].
    pub fn new(
        items: Vec<String>,
        parties: Vec<String>,
        values: Vec<Vec<f64>>,
    ) -> Result<Valuations, Error> {
        if parties.is_empty() || items.is_empty() {
            return Err(invalid("a division needs at least one party and one item".into()));
        }
        if parties.len() > MAX_PARTIES || items.len() > MAX_ITEMS {
            return Err(invalid(format!(
                "a division takes at most {MAX_PARTIES} parties and {MAX_ITEMS} items"
            )));
        }
        if values.len() != parties.len() {
            return Err(invalid("one row of values per party is needed".into()));
        }
        let mut totals = Vec::with_capacity(parties.len());
        for (p, row) in values.iter().enumerate() {
            if row.len() != items.len() {
                return Err(invalid(format!("party {}: one value per item is needed", parties[p])));
            }
            if let Some(i) = row.iter().position(|x| !x.is_finite() || *x < 0.0) {
                return Err(invalid(format!(
                    "party {}, item {}: a value must be a finite number >= 0",
                    parties[p], items[i]
                )));
            }
            let total: f64 = row.iter().sum();
            if !total.is_finite() {
                return Err(invalid(format!(
                    "party {}: the values' total is too large",
                    parties[p]
                )));
            }
            totals.push(total);
        }
        let shares = values
            .iter()
            .zip(&totals)
            .map(|(row, &t)| row.iter().map(|&x| if t > 0.0 { x / t } else { 0.0 }).collect())
            .collect();
        let grid = values.iter().map(|row| grid_of(row)).collect();
        Ok(Valuations { items, parties, values, shares, totals, grid })
    }

    /// The counted `parties` of a scenario value its issues (named by id) by their stance
    /// weights (0 without a stance).
    pub fn from_scenario(s: &Scenario, parties: &[usize]) -> Result<Valuations, Error> {
        if let Some(&p) = parties.iter().find(|&&p| p >= s.parties().len()) {
            return Err(Error::new(
                ErrorKind::UnknownParty,
                format!("party index {p} out of range"),
            ));
        }
        let items = s.issues().iter().map(|i| i.id.clone()).collect();
        let names = parties.iter().map(|&p| s.parties()[p].id.clone()).collect();
        let values = parties
            .iter()
            .map(|&p| {
                s.stances()[p].iter().map(|st| st.as_ref().map_or(0.0, |st| st.weight)).collect()
            })
            .collect();
        Valuations::new(items, names, values)
    }

    /// The item names.
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// The party names.
    pub fn parties(&self) -> &[String] {
        &self.parties
    }

    /// Party `p`'s value of item `i`, as given.
    pub fn value(&self, p: usize, i: usize) -> f64 {
        self.values[p][i]
    }

    /// Party `p`'s value of item `i` as a share of its total (0 when its total is 0).
    pub fn share(&self, p: usize, i: usize) -> f64 {
        self.shares[p][i]
    }

    /// Party `p`'s total value of all the items.
    pub fn total(&self, p: usize) -> f64 {
        self.totals[p]
    }

    /// Whether party `p` values nothing (its total is 0).
    pub fn values_nothing(&self, p: usize) -> bool {
        self.totals[p] <= 0.0
    }

    /// The share of its own total that each party gets from an allocation (`owner[i]`: the
    /// party that gets item `i`).
    pub fn shares_of(&self, owner: &[usize]) -> Vec<f64> {
        let mut s = vec![0.0; self.parties.len()];
        for (i, &o) in owner.iter().enumerate() {
            s[o] += self.shares[o][i];
        }
        s
    }
}

/// The method of a division.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The maximum Nash welfare allocation.
    MaxNashWelfare,
    /// The allocation that maximises the smallest share.
    Maximin,
}

/// An allocation of the items found by a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Division {
    /// The method.
    pub method: Method,
    /// `owner[i]`: the party that gets item `i`.
    pub owner: Vec<usize>,
    /// Each party's share of its own total.
    pub shares: Vec<f64>,
    /// How many parties get a positive share (for Nash welfare, the most possible when
    /// exact).
    pub positive: usize,
    /// The geometric mean of the positive shares (0 when none is).
    pub nash_welfare: f64,
    /// The smallest share among the parties who value something.
    pub min_share: f64,
    /// A proved upper bound of the method's objective (`nash_welfare` among allocations
    /// with `positive` positive shares, or `min_share`); the value itself when exact.
    pub bound: f64,
    /// How the search ended.
    pub termination: Termination,
    /// Nodes visited.
    pub nodes: u64,
}

impl Division {
    /// Whether the allocation is proved optimal (within [`TOLERANCE`]).
    pub fn exact(&self) -> bool {
        self.termination.is_exact()
    }
}

fn nash_and_min(v: &Valuations, shares: &[f64]) -> (usize, f64, f64) {
    let positive: Vec<f64> = shares.iter().copied().filter(|&x| x > 0.0).collect();
    let nash = if positive.is_empty() {
        0.0
    } else {
        (positive.iter().map(|x| x.ln()).sum::<f64>() / positive.len() as f64).exp()
    };
    let min = (0..shares.len())
        .filter(|&p| !v.values_nothing(p))
        .map(|p| shares[p])
        .fold(f64::INFINITY, f64::min);
    (positive.len(), nash, if min.is_finite() { min } else { 0.0 })
}

fn division(
    v: &Valuations,
    method: Method,
    owner: Vec<usize>,
    bound: f64,
    termination: Termination,
    nodes: u64,
) -> Division {
    let shares = v.shares_of(&owner);
    let (positive, nash_welfare, min_share) = nash_and_min(v, &shares);
    let value = match method {
        Method::MaxNashWelfare => nash_welfare,
        Method::Maximin => min_share,
    };
    let bound = if termination.is_exact() { value } else { bound.max(value) };
    Division { method, owner, shares, positive, nash_welfare, min_share, bound, termination, nodes }
}

/// The largest number of `parties` that can each get a distinct item of `items` they value
/// (a maximum matching, by augmenting paths).
fn matching(w: &[Vec<f64>], parties: &[usize], items: &[usize]) -> usize {
    let mut matched: Vec<Option<usize>> = vec![None; items.len()];
    let mut size = 0;
    for &p in parties {
        let mut seen = vec![false; items.len()];
        if augment(w, p, items, &mut matched, &mut seen) {
            size += 1;
        }
    }
    size
}

fn augment(
    w: &[Vec<f64>],
    p: usize,
    items: &[usize],
    matched: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    // Iterative depth-first search for an augmenting path from party p.
    let mut stack: Vec<(usize, usize)> = vec![(p, 0)];
    let mut path: Vec<usize> = vec![];
    while let Some(&mut (q, ref mut k)) = stack.last_mut() {
        if *k >= items.len() {
            stack.pop();
            path.pop();
            continue;
        }
        let t = *k;
        *k += 1;
        if seen[t] || w[q][items[t]] <= 0.0 {
            continue;
        }
        seen[t] = true;
        path.push(t);
        match matched[t] {
            None => {
                // Flip the path: each item on it goes to the party that reached it.
                let mut who: Vec<usize> = stack.iter().map(|&(q, _)| q).collect();
                for (&t, q) in path.iter().zip(who.drain(..)) {
                    matched[t] = Some(q);
                }
                return true;
            }
            Some(r) => stack.push((r, 0)),
        }
    }
    false
}

/// The maximum Nash welfare allocation (see the [module docs](self)).
pub fn max_nash_welfare(v: &Valuations, options: &FairOptions) -> Division {
    let n = v.parties.len();
    let m = v.items.len();
    let w = &v.shares;
    let budget = Budget::new(None, Some(options.max_work));
    let mut owner = vec![0; m];
    // Items nobody values go to the first party; the search places the others, each only
    // with a party that values it (moving an item to such a party never lowers the
    // objective).
    let valued: Vec<usize> = (0..m).filter(|&i| (0..n).any(|p| w[p][i] > 0.0)).collect();
    let everyone: Vec<usize> = (0..n).collect();
    let k_star = matching(w, &everyone, &valued);
    if k_star == 0 {
        return division(v, Method::MaxNashWelfare, owner, 0.0, Termination::Exact, 0);
    }
    // Prices of the fractional equilibrium (equal budgets), by proportional response.
    let mut bids: Vec<Vec<f64>> =
        (0..n).map(|p| valued.iter().map(|&i| w[p][i]).collect()).collect();
    let mut prices = vec![0.0; valued.len()];
    for _ in 0..300 {
        if !budget.spend((2 * n * valued.len()) as u64) {
            break;
        }
        for (t, price) in prices.iter_mut().enumerate() {
            *price = (0..n).map(|p| bids[p][t]).sum();
        }
        for p in 0..n {
            let u: f64 = (0..valued.len())
                .filter(|&t| prices[t] > 0.0)
                .map(|t| w[p][valued[t]] * bids[p][t] / prices[t])
                .sum();
            if u > 0.0 {
                for t in 0..valued.len() {
                    if prices[t] > 0.0 {
                        bids[p][t] = w[p][valued[t]] * bids[p][t] / prices[t] / u;
                    }
                }
            }
        }
    }
    for (t, price) in prices.iter_mut().enumerate() {
        *price = (0..n).map(|p| bids[p][t]).sum::<f64>().max(1e-12);
    }
    let x = |p: usize, t: usize| bids[p][t] / prices[t];
    // The most split items first, then the dearest.
    let mut order: Vec<usize> = (0..valued.len()).collect();
    let top = |t: usize| (0..n).map(|p| x(p, t)).fold(0.0, f64::max);
    order.sort_by(|&a, &b| {
        top(a).total_cmp(&top(b)).then(prices[b].total_cmp(&prices[a])).then(a.cmp(&b))
    });
    let ratio = |p: usize, t: usize| w[p][valued[t]] / prices[t];
    let root_beta: Vec<f64> =
        (0..n).map(|p| (0..valued.len()).map(|t| ratio(p, t)).fold(0.0, f64::max)).collect();
    let cands: Vec<Vec<usize>> = order
        .iter()
        .map(|&t| {
            let mut c: Vec<usize> = (0..n).filter(|&p| w[p][valued[t]] > 0.0).collect();
            let score = |p: usize| ratio(p, t) / root_beta[p];
            c.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(x(b, t).total_cmp(&x(a, t))));
            c
        })
        .collect();
    let depth = order.len();
    let mut psuf = vec![0.0; depth + 1];
    let mut beta = vec![vec![0.0; n]; depth + 1];
    for d in (0..depth).rev() {
        psuf[d] = psuf[d + 1] + prices[order[d]];
        let (here, below) = beta.split_at_mut(d + 1);
        for (p, b) in here[d].iter_mut().enumerate() {
            *b = f64::max(below[0][p], ratio(p, order[d]));
        }
    }
    let item = |d: usize| valued[order[d]];
    let objective = |a: &[f64]| -> (usize, f64) {
        let k = a.iter().filter(|&&u| u > 0.0).count();
        (k, a.iter().filter(|&&u| u > 0.0).map(|u| u.ln()).sum())
    };
    let mut h = vec![0.0; n];
    // The dual at the prices scaled by c (any c > 0 gives a bound; the search uses c = 1):
    // the prices of the items left, then each party's best value per price `b / c`.
    let mut eval = |d: usize, a: &[f64], c: f64| -> f64 {
        for p in 0..n {
            let (ap, b) = (a[p], beta[d][p] / c);
            h[p] = if b > 0.0 && ap < b {
                b.ln() - 1.0 + ap / b
            } else if ap > 0.0 {
                ap.ln()
            } else {
                f64::NEG_INFINITY
            };
        }
        if k_star < n {
            h.sort_by(|x, y| y.total_cmp(x));
        }
        c * psuf[d] + h[..k_star].iter().sum::<f64>()
    };
    let mut bound = |d: usize, a: &[f64]| -> f64 { eval(d, a, 1.0) };
    let root_bound = bound(0, &vec![0.0; n]);
    // The incumbent: the equilibrium rounded, then improved by single moves.
    let mut best_owner = owner.clone();
    for t in 0..valued.len() {
        let p = (0..n).fold(0, |b, p| if x(p, t) > x(b, t) { p } else { b });
        best_owner[valued[t]] =
            if w[p][valued[t]] > 0.0 { p } else { cands_first(w, valued[t], n) };
    }
    let mut a = vec![0.0; n];
    for &i in &valued {
        a[best_owner[i]] += w[best_owner[i]][i];
    }
    // Single moves, each weighed in constant time, while one improves (count, then log).
    let (mut k, mut l) = objective(&a);
    'passes: for _ in 0..100 {
        let mut moved = false;
        for &i in &valued {
            for p in 0..n {
                let o = best_owner[i];
                if p == o || w[p][i] <= 0.0 {
                    continue;
                }
                if !budget.spend(1) {
                    break 'passes;
                }
                let (ao, ap) = (a[o] - w[o][i], a[p] + w[p][i]);
                let ln = |x: f64| if x > 0.0 { x.ln() } else { 0.0 };
                let pos = |x: f64| usize::from(x > 0.0);
                let k2 = k + pos(ao) + pos(ap) - pos(a[o]) - pos(a[p]);
                let l2 = l + ln(ao) + ln(ap) - ln(a[o]) - ln(a[p]);
                if k2 > k || (k2 == k && l2 > l + 1e-12) {
                    a[o] = ao.max(0.0);
                    a[p] = ap;
                    best_owner[i] = p;
                    (k, l) = objective(&a);
                    budget.charge(n as u64);
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    let (k0, l0) = objective(&a);
    let mut best = if k0 == k_star { l0 } else { f64::NEG_INFINITY };
    // Depth-first branch and bound.
    let mut a = vec![0.0; n];
    let mut idx = vec![0usize; depth + 1];
    let mut chosen = vec![0usize; depth];
    let mut d = 0;
    let mut stopped = false;
    let mut zero: Vec<usize> = Vec::with_capacity(n);
    if best < root_bound - TOLERANCE {
        loop {
            if d == depth {
                let (k, l) = objective(&a);
                if k == k_star && l > best + TOLERANCE {
                    best = l;
                    for t in 0..depth {
                        best_owner[item(t)] = chosen[t];
                    }
                }
                d -= 1;
                a[chosen[d]] -= w[chosen[d]][item(d)];
                idx[d] += 1;
                continue;
            }
            if idx[d] >= cands[d].len() {
                if d == 0 {
                    break;
                }
                d -= 1;
                a[chosen[d]] -= w[chosen[d]][item(d)];
                idx[d] += 1;
                continue;
            }
            let p = cands[d][idx[d]];
            a[p] += w[p][item(d)];
            chosen[d] = p;
            budget.count_nodes(1);
            if !budget.spend(n as u64 + 1) {
                stopped = true;
                break;
            }
            let mut prune = bound(d + 1, &a) <= best + TOLERANCE;
            if !prune {
                let pos = a.iter().filter(|&&u| u > 0.0).count();
                if pos < k_star {
                    zero.clear();
                    zero.extend((0..n).filter(|&q| a[q] <= 0.0));
                    let rest: Vec<usize> = (d + 1..depth).map(item).collect();
                    budget.charge((zero.len() * rest.len()) as u64);
                    prune = pos + matching(w, &zero, &rest) < k_star;
                }
            }
            if prune {
                a[p] -= w[p][item(d)];
                idx[d] += 1;
                continue;
            }
            d += 1;
            idx[d] = 0;
        }
    }
    let termination = if stopped { Termination::BudgetReached } else { Termination::Exact };
    let ub = (root_bound / k_star as f64).exp();
    owner = best_owner;
    division(v, Method::MaxNashWelfare, owner, ub, termination, budget.nodes())
}

fn cands_first(w: &[Vec<f64>], i: usize, n: usize) -> usize {
    (0..n).find(|&p| w[p][i] > 0.0).unwrap_or(0)
}

/// The result of a maximin search: the assignment, its smallest share, a proved upper
/// bound, how it ended and the nodes visited.
struct MaximinSearch {
    owner: Vec<usize>,
    value: f64,
    bound: f64,
    termination: Termination,
    nodes: u64,
}

/// Branch and bound for the largest smallest share among `n` bundles, bundle `p` valuing
/// item `i` at `w(p, i)` (shares). `identical`: every bundle values alike (interchangeable
/// bundles: of those equal so far, only the first is tried).
fn maximin_search(
    n: usize,
    m: usize,
    w: &dyn Fn(usize, usize) -> f64,
    counted: &[bool],
    identical: bool,
    grid: &[Option<f64>],
    max_work: u64,
) -> MaximinSearch {
    let budget = Budget::new(None, Some(max_work));
    let mut owner = vec![0; m];
    let agents: Vec<usize> = (0..n).filter(|&p| counted[p]).collect();
    if agents.is_empty() {
        return MaximinSearch {
            owner,
            value: 0.0,
            bound: 0.0,
            termination: Termination::Exact,
            nodes: 0,
        };
    }
    let best_of = |i: usize| agents.iter().map(|&p| w(p, i)).fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..m).filter(|&i| best_of(i) > 0.0).collect();
    for (i, o) in owner.iter_mut().enumerate() {
        if best_of(i) <= 0.0 {
            *o = agents[0];
        }
    }
    order.sort_by(|&a, &b| best_of(b).total_cmp(&best_of(a)).then(a.cmp(&b)));
    let depth = order.len();
    budget.charge((n * m) as u64);
    // Suffix sums: what the items left are worth to each party, and at most in all.
    let width = if identical { 1 } else { n };
    let mut rem = vec![0.0; (depth + 1) * width];
    let mut most = vec![0.0; depth + 1];
    for d in (0..depth).rev() {
        let i = order[d];
        for q in 0..width {
            rem[d * width + q] = rem[(d + 1) * width + q] + w(q, i);
        }
        most[d] = most[d + 1] + best_of(i);
    }
    let mut sorted: Vec<f64> = Vec::with_capacity(agents.len());
    let mut bound = |d: usize, a: &[f64]| -> f64 {
        sorted.clear();
        sorted.extend(agents.iter().map(|&p| a[p]));
        let own = agents
            .iter()
            .map(|&p| a[p] + rem[d * width + if identical { 0 } else { p }])
            .fold(f64::INFINITY, f64::min);
        sorted.sort_by(f64::total_cmp);
        // Water filling: the largest t with sum of (t - a)+ <= most[d].
        let mut left = most[d];
        let mut t = sorted[0];
        for k in 0..sorted.len() {
            let next = sorted.get(k + 1).copied().unwrap_or(f64::INFINITY);
            let width = (k + 1) as f64;
            if left <= (next - t) * width {
                t += left / width;
                left = 0.0;
                break;
            }
            left -= (next - t) * width;
            t = next;
        }
        if left > 0.0 {
            t = f64::INFINITY;
        }
        let t = own.min(t);
        // On a grid, the smallest share is some party's multiple of its unit, at most t.
        if t.is_finite() && agents.iter().all(|&p| grid[p].is_some()) {
            agents
                .iter()
                .map(|&p| grid[p].map_or(t, |g| ((t * g + 1e-6).floor() / g).min(t)))
                .fold(f64::NEG_INFINITY, f64::max)
        } else {
            t
        }
    };
    let zeros = vec![0.0; n];
    let root_bound = bound(0, &zeros);
    let mut a = vec![0.0; n];
    let mut best = -1.0;
    let mut best_owner = owner.clone();
    let mut idx = vec![0usize; depth + 1];
    let mut cands: Vec<Vec<usize>> = vec![Vec::new(); depth + 1];
    let mut chosen = vec![0usize; depth];
    let mut stopped = false;
    let mut d = 0;
    let fill = |d: usize, a: &[f64], c: &mut Vec<usize>| {
        let i = order[d];
        c.clear();
        c.extend(agents.iter().copied().filter(|&p| w(p, i) > 0.0));
        c.sort_by(|&x, &y| a[x].total_cmp(&a[y]).then(w(y, i).total_cmp(&w(x, i))).then(x.cmp(&y)));
        if identical {
            c.dedup_by(|y, x| a[*x] == a[*y]);
        }
    };
    if depth == 0 {
        best = 0.0;
    } else {
        fill(0, &a, &mut cands[0]);
        loop {
            if d == depth {
                let value = agents.iter().map(|&p| a[p]).fold(f64::INFINITY, f64::min);
                if value > best + TOLERANCE || best < 0.0 {
                    best = value;
                    for t in 0..depth {
                        best_owner[order[t]] = chosen[t];
                    }
                    if best >= root_bound - TOLERANCE {
                        break;
                    }
                }
                d -= 1;
                a[chosen[d]] -= w(chosen[d], order[d]);
                idx[d] += 1;
                continue;
            }
            if idx[d] >= cands[d].len() {
                if d == 0 {
                    break;
                }
                d -= 1;
                a[chosen[d]] -= w(chosen[d], order[d]);
                idx[d] += 1;
                continue;
            }
            let p = cands[d][idx[d]];
            a[p] += w(p, order[d]);
            chosen[d] = p;
            budget.count_nodes(1);
            if !budget.spend(2 * agents.len() as u64 + 1) {
                stopped = true;
                break;
            }
            if best >= 0.0 && bound(d + 1, &a) <= best + TOLERANCE {
                a[p] -= w(p, order[d]);
                idx[d] += 1;
                continue;
            }
            d += 1;
            idx[d] = 0;
            if d < depth {
                fill(d, &a, &mut cands[d]);
            }
        }
    }
    let termination = if stopped { Termination::BudgetReached } else { Termination::Exact };
    if best < 0.0 {
        // Stopped before the first complete assignment: the greedy one.
        let mut s = vec![0.0f64; n];
        for &i in &order {
            let p = agents
                .iter()
                .copied()
                .filter(|&p| w(p, i) > 0.0)
                .min_by(|&x, &y| s[x].total_cmp(&s[y]))
                .unwrap_or(agents[0]);
            best_owner[i] = p;
            s[p] += w(p, i);
        }
        best = agents.iter().map(|&p| s[p]).fold(f64::INFINITY, f64::min);
    }
    let bound = if stopped { root_bound.max(best) } else { best };
    MaximinSearch { owner: best_owner, value: best, bound, termination, nodes: budget.nodes() }
}

/// The allocation that maximises the smallest share (see the [module docs](self)).
pub fn maximin(v: &Valuations, options: &FairOptions) -> Division {
    let n = v.parties.len();
    let m = v.items.len();
    let counted: Vec<bool> = (0..n).map(|p| !v.values_nothing(p)).collect();
    let w = |p: usize, i: usize| v.shares[p][i];
    let r = maximin_search(n, m, &w, &counted, false, &v.grid, options.max_work);
    let mut owner = r.owner;
    // Polish: move items to parties who value them more while no share falls below the
    // smallest found (at most m x n moves a pass, a bounded number of passes).
    let floor = r.value;
    let mut s = v.shares_of(&owner);
    for _ in 0..20 {
        let mut moved = false;
        for (i, slot) in owner.iter_mut().enumerate() {
            let o = *slot;
            let Some(p) = (0..n)
                .filter(|&p| w(p, i) > w(o, i) + 1e-15)
                .max_by(|&x, &y| w(x, i).total_cmp(&w(y, i)).then(y.cmp(&x)))
            else {
                continue;
            };
            if !counted[o] || s[o] - w(o, i) >= floor {
                s[o] -= w(o, i);
                s[p] += w(p, i);
                *slot = p;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    division(v, Method::Maximin, owner, r.bound, r.termination, r.nodes)
}

/// A party's maximin share: the largest smallest bundle it can make by splitting the items
/// into as many bundles as there are parties, by its own valuation (as a share of its
/// total), within `[lo, hi]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaximinShare {
    /// The best split found (the share itself when exact).
    pub lo: f64,
    /// A proved upper bound (the share itself when exact).
    pub hi: f64,
    /// How the search ended.
    pub termination: Termination,
    /// Nodes visited.
    pub nodes: u64,
}

/// Party `p`'s maximin share among `v`'s parties.
pub fn maximin_share(v: &Valuations, p: usize, options: &FairOptions) -> MaximinShare {
    let n = v.parties.len();
    let m = v.items.len();
    let row = &v.shares[p];
    if v.values_nothing(p) || row.iter().filter(|&&x| x > 0.0).count() < n {
        return MaximinShare { lo: 0.0, hi: 0.0, termination: Termination::Exact, nodes: 0 };
    }
    let w = |_: usize, i: usize| row[i];
    let r = maximin_search(n, m, &w, &vec![true; n], true, &vec![v.grid[p]; n], options.max_work);
    MaximinShare { lo: r.value, hi: r.bound, termination: r.termination, nodes: r.nodes }
}

/// One party in a fairness report.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyFairness {
    /// Its share of its own total.
    pub share: f64,
    /// Whether it values nothing (then it envies no one and every share is fair to it).
    pub values_nothing: bool,
    /// Whether its share is at least one over the number of parties.
    pub proportional: bool,
    /// The parties whose bundles it values more than its own.
    pub envies: Vec<usize>,
    /// Whether each envy goes once one item (the one it values most) leaves the envied
    /// bundle.
    pub ef1: bool,
    /// Its maximin share.
    pub maximin_share: MaximinShare,
    /// Whether it gets at least its maximin share: `None` when its share lies within the
    /// range of a maximin share not computed exactly.
    pub gets_maximin_share: Option<bool>,
}

/// A fairness report of an allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Fairness {
    /// Each party.
    pub parties: Vec<PartyFairness>,
    /// Whether every party's share is at least one over the number of parties.
    pub proportional: bool,
    /// Whether no party envies another.
    pub envy_free: bool,
    /// Whether every envy goes once one item leaves the envied bundle.
    pub ef1: bool,
    /// Whether every party gets its maximin share (`None`: not decided within the budget).
    pub maximin_shares: Option<bool>,
}

/// The fairness report of an allocation (`owner[i]`: the party that gets item `i`).
/// Errors when `owner` does not give each item to a party.
pub fn fairness(v: &Valuations, owner: &[usize], options: &FairOptions) -> Result<Fairness, Error> {
    let n = v.parties.len();
    if owner.len() != v.items.len() || owner.iter().any(|&o| o >= n) {
        return Err(invalid("an allocation gives each item to one party".into()));
    }
    // bundle[p][q]: what p makes of q's bundle; top[p][q]: the item of it p values most.
    let mut bundle = vec![vec![0.0; n]; n];
    let mut top = vec![vec![0.0f64; n]; n];
    for (i, &q) in owner.iter().enumerate() {
        for p in 0..n {
            let x = v.shares[p][i];
            bundle[p][q] += x;
            top[p][q] = top[p][q].max(x);
        }
    }
    let parties: Vec<PartyFairness> = (0..n)
        .map(|p| {
            let own = bundle[p][p];
            let nothing = v.values_nothing(p);
            let envies: Vec<usize> =
                (0..n).filter(|&q| q != p && !nothing && bundle[p][q] > own + TOLERANCE).collect();
            let ef1 = envies.iter().all(|&q| own + TOLERANCE >= bundle[p][q] - top[p][q]);
            let mms = maximin_share(v, p, options);
            let gets = if own + TOLERANCE >= mms.hi {
                Some(true)
            } else if own + TOLERANCE < mms.lo {
                Some(false)
            } else {
                None
            };
            PartyFairness {
                share: own,
                values_nothing: nothing,
                proportional: nothing || own + TOLERANCE >= 1.0 / n as f64,
                envies,
                ef1,
                maximin_share: mms,
                gets_maximin_share: gets,
            }
        })
        .collect();
    let maximin_shares = if parties.iter().any(|p| p.gets_maximin_share == Some(false)) {
        Some(false)
    } else if parties.iter().all(|p| p.gets_maximin_share == Some(true)) {
        Some(true)
    } else {
        None
    };
    Ok(Fairness {
        proportional: parties.iter().all(|p| p.proportional),
        envy_free: parties.iter().all(|p| p.envies.is_empty()),
        ef1: parties.iter().all(|p| p.ef1),
        maximin_shares,
        parties,
    })
}

#[cfg(test)]
mod tests;
