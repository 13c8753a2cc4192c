//! The exact Pareto frontier of the rational outcomes and the bargaining solutions on it,
//! without enumerating outcomes.
//!
//! # Semantics (NegMAS 0.16's, so that answers agree to the last bit)
//! - An outcome is *rational* when it keeps every red line and gives every party a utility
//!   of at least its reservation (exactly: `u >= reservation`, no tolerance).
//! - The *frontier* is the set of rational outcomes no rational outcome strictly dominates;
//!   outcomes with identical utility vectors collapse to one representative. It is listed
//!   in descending welfare (sum of utilities), ties by utilities in descending
//!   lexicographic order.
//! - The *disagreement point* is `d_p = max(reservation_p, min_p)` with `(min_p, max_p)` the
//!   range of party `p`'s utility over the whole outcome space (red lines ignored).
//! - Nash maximises `prod_p (u_p - d_p)`, egalitarian (NegMAS's "kalai") maximises
//!   `min_p (u_p - d_p)`, Kalai-Smorodinsky minimises `max_p a_p - min_p a_p` with
//!   `a_p = (u_p - d_p) / (max_p - d_p)`, max welfare maximises `sum_p u_p`; each returns
//!   every frontier point within [`TIE`] of the optimum. A party with `max_p == d_p` gets
//!   the same utility at every rational outcome and is left out of the Kalai-Smorodinsky
//!   spread (if every party is, the spread is 0 everywhere).
//!
//! # Algorithm
//! Utilities are `bias + c_0 + c_1 + ...` added in issue order, so a dynamic programme over
//! the issues in that order, starting from the bias vector and adding each option's
//! contribution vector, reproduces every utility bit for bit. Floating-point addition is
//! monotone, so a partial vector that another weakly dominates stays weakly dominated
//! whatever the completion: after each issue only the non-dominated, distinct partial
//! vectors are kept (a sort and sweep for 2 parties, a sweep with a 2-d staircase for 3,
//! beyond a k-d tree over all of an issue's candidates asked once per candidate, see
//! `dominance`), and partial vectors that cannot reach some
//! reservation even with the best remaining options are dropped (with a slack far above
//! rounding error; the last issue checks rationality exactly). Back-pointers per level
//! rebuild the outcomes. Per issue, options whose contribution vector another allowed
//! option weakly dominates are dropped first.
//!
//! The points are kept compactly ([`FrontierPoints`]: one flat array of utilities, the
//! outcomes as packed option indices). When the last issue leaves more than
//! [`FrontierOptions::max_points`] points, they are counted exactly and the first
//! `max_points` in descending welfare listed; when an earlier issue does (or the programme spends
//! [`FrontierOptions::max_work`] or [`FrontierOptions::max_bytes`]), the count is bounded
//! (below by the points known; above, for a split of the issues, by the partial points kept
//! before it times the outcomes between times the suffixes no other suffix dominates with a
//! margin that covers rounding, the smallest such product: see `bound`). In both cases the listing stops
//! and each solution is computed exactly without it (see `solutions.rs`): branch and bound for the optimum, the tie set
//! as the non-dominated part of the outcomes reaching it, and Kalai-Smorodinsky by a branch
//! and bound on the spread itself, restricted to a small polytope of normalised gains around
//! the diagonal, whose candidate leaves are certified Pareto-optimal one by one (no rational
//! outcome dominates them: a small multiple-choice knapsack search).
//!
//! A sample ([`FrontierOptions::sample`]) is drawn among the points counted when the
//! programme reaches the last issue; when it stops before, by rejection from the product of
//! the partial points it kept and the suffixes `bound` builds (see `sample.rs`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use detente_core::{Outcome, Scenario};

use crate::error::{Error, ErrorKind};
use crate::kit::{OptionRows, Termination};

mod bound;
mod dominance;
mod points;
mod sample;

pub use points::FrontierPoints;

/// The most work the upper bound's suffixes may take (see `bound`): a quarter of the
/// programme's default work.
const SUFFIX_WORK: u64 = 25_000_000;

/// Points within this distance of a solution's optimum all belong to the solution.
pub const TIE: f64 = 1e-12;

/// Limits of [`frontier()`]: each bounds time or memory, and reaching one is said (the
/// frontier size becomes a lower bound, a solution `exact: false` with a note), never an
/// error.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierOptions {
    /// The most partial points kept per issue by the frontier programme before the listing
    /// stops (on the last issue the points are still counted exactly, and this many listed);
    /// the solutions are still computed exactly. Default 1,000,000.
    pub max_points: usize,
    /// The most elementary steps (candidate vectors made plus dominance comparisons) the
    /// frontier programme may spend before the listing stops (about a third of a second for
    /// 4 parties). Default 100,000,000.
    pub max_work: u64,
    /// The most bytes the frontier programme may hold (candidate vectors of one issue plus
    /// the back-pointers of every issue), checked before allocating; past it the listing
    /// stops. Default 512 MiB.
    pub max_bytes: usize,
    /// The most branch-and-bound nodes per solution when the frontier is not listed;
    /// past it the solution is returned with `exact: false`. For Kalai-Smorodinsky the
    /// nodes of its certificates count too. Default 50,000,000.
    pub max_nodes: u64,
    /// The most work per solution when the frontier is not listed, in option rows
    /// evaluated (one unit per option and party a bound looks at): nodes deep in a large
    /// space cost far more than one unit each, so this, not `max_nodes`, bounds the time on
    /// many issues or parties. Past it the solution is returned with `exact: false`.
    /// Default 500,000,000 (a few seconds per solution in a release build).
    pub max_search_work: u64,
    /// Bargaining powers, one per party, each `> 0` (any scale): the Nash point is then the
    /// asymmetric (weighted) Nash solution, maximising `prod_p (u_p - d_p)^(n a_p)` with
    /// `a` the powers scaled to sum 1 (equal powers: the symmetric product). `None`: equal.
    pub power: Option<Vec<f64>>,
    /// `Some((n, seed))`: draw `n` frontier points uniformly at random without replacement
    /// (every set of `n` points equally likely) into [`Frontier::sample`], from the whole
    /// frontier: when it is counted exactly, by [`uniform_sample`] with `seed` among its
    /// points (also when it has more than `max_points` points and only the first are
    /// listed); when the programme stopped before counting it, by rejection from a product
    /// of partial points and suffixes that contains it (see `sample.rs`), within
    /// `max_sample_draws` and `max_sample_work`. `None`: no sample. Default `None`.
    pub sample: Option<(usize, u64)>,
    /// The most pairs the rejection sampler draws (fixed before drawing, so that the sample
    /// stays uniform whatever each check costs); fewer points than asked are drawn when the
    /// acceptance rate is too low, and [`Frontier::sample_note`] says so. Default 1,000,000.
    pub max_sample_draws: u64,
    /// The most steps the rejection sampler spends (its suffixes, its trees and its checks);
    /// past it no sample is drawn at all (never a biased one) and [`Frontier::sample_note`]
    /// says why. Default 1,000,000,000 (a few seconds in a release build).
    pub max_sample_work: u64,
}

impl Default for FrontierOptions {
    fn default() -> FrontierOptions {
        FrontierOptions {
            max_points: 1_000_000,
            max_work: 100_000_000,
            max_bytes: 512 << 20,
            max_nodes: 50_000_000,
            max_search_work: 500_000_000,
            power: None,
            sample: None,
            max_sample_draws: 1_000_000,
            max_sample_work: 1_000_000_000,
        }
    }
}

/// One point of the frontier: its utilities (one per party) and an outcome reaching them.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierPoint {
    /// Utilities, one per party, exactly as [`Scenario::utility`] computes them.
    pub utilities: Vec<f64>,
    /// An outcome with these utilities (one representative of equal utility vectors).
    pub outcome: Outcome,
}

/// How many points the frontier has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontierSize {
    /// Exactly this many (every one is listed when they are at most
    /// [`FrontierOptions::max_points`]).
    Exact(usize),
    /// At least this many: a true lower bound, the number of distinct points known to be on
    /// the frontier (those listed when the listing stopped on the last issue, the exact
    /// solutions' points and the points the Kalai-Smorodinsky search certified). The listing
    /// stopped at a cap before the frontier was complete.
    AtLeast(usize),
}

/// At most this many tied points of a solution are listed; the others are counted (or
/// bounded) in [`Solution::ties`]. A zero-sum game ties every outcome at max welfare.
pub const MAX_LISTED_TIES: usize = 16;

/// A count that may be known only as a range, "counted, not listed": how many points the
/// frontier has ([`Frontier::count`]) and how many of them tie at a solution's optimum
/// ([`Solution::ties`]). The lower end counts what is known (the points listed, or proved
/// to be on the frontier), the upper end everything the search could not rule out; the
/// count is exact when both meet. Written for people by [`detente_words::count_range`], the
/// one wording of such counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// At least this many (the points known, or the whole count when it is exact).
    pub at_least: u128,
    /// At most this many; `None` when no upper end is known within `u128::MAX`. For ties it
    /// counts every outcome the search could not rule out (it may count outcomes twice that
    /// have the same utilities, or that another tie dominates).
    pub at_most: Option<u128>,
}

impl Count {
    /// Exactly `n`.
    pub fn exact(n: usize) -> Count {
        Count { at_least: n as u128, at_most: Some(n as u128) }
    }

    /// Whether the count is exact.
    pub fn is_exact(&self) -> bool {
        self.at_most == Some(self.at_least)
    }
}

/// How many frontier points attain a solution's optimum (within [`TIE`]): a [`Count`].
/// Every point listed in [`Solution::points`] is counted.
pub type TieCount = Count;

/// A bargaining solution: the frontier points attaining the optimum (within [`TIE`]), all
/// of them when there are at most [`MAX_LISTED_TIES`], else that many and a count.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Tied points, in descending welfare (at most [`MAX_LISTED_TIES`], every one on the
    /// frontier when `exact`); empty if the frontier is empty.
    pub points: Vec<FrontierPoint>,
    /// Whether the points are exactly the solution (or, when more are tied than listed,
    /// proved ties of the optimum, with the others counted or bounded in `ties`).
    pub exact: bool,
    /// When not exact: what the points are, the bound on the optimum, and why.
    pub note: Option<String>,
    /// How many frontier points are tied at the optimum (exact when all are listed).
    pub ties: TieCount,
}

impl Solution {
    /// Exactly these points, listed up to [`MAX_LISTED_TIES`] and counted.
    pub(crate) fn exact(mut points: Vec<FrontierPoint>) -> Solution {
        let ties = TieCount::exact(points.len());
        points.truncate(MAX_LISTED_TIES);
        Solution { points, exact: true, note: None, ties }
    }

    /// Not proved: the best points found and why (no tie is proved, so the count is 0 to
    /// unbounded).
    pub(crate) fn inexact(points: Vec<FrontierPoint>, note: String) -> Solution {
        Solution {
            points,
            exact: false,
            note: Some(note),
            ties: TieCount { at_least: 0, at_most: None },
        }
    }

    /// How its search ended: [`Termination::Exact`], [`Termination::Infeasible`] (exact, and
    /// no rational outcome: the frontier is empty) or [`Termination::BudgetReached`] (not
    /// exact).
    pub fn termination(&self) -> Termination {
        Termination::of(self.exact, !self.points.is_empty())
    }
}

/// The frontier of the rational outcomes and the four bargaining solutions.
#[derive(Clone, Debug, PartialEq)]
pub struct Frontier {
    /// The number of outcomes, the product of the option counts; `None` when it exceeds
    /// `u128::MAX` (more than 3.4 x 10^38).
    pub n_outcomes: Option<u128>,
    /// `(min, max)` of each party's utility over the whole outcome space.
    pub utility_ranges: Vec<(f64, f64)>,
    /// The disagreement point, `max(reservation, min)` per party.
    pub disagreement: Vec<f64>,
    /// How many points the frontier has.
    pub size: FrontierSize,
    /// An upper bound on the number of points (equal to the count when `size` is exact);
    /// `None` when none is known within 128 bits.
    pub size_at_most: Option<u128>,
    /// The whole frontier in descending welfare when `size` is exact and within
    /// [`FrontierOptions::max_points`] (see [`Frontier::listed_all`]); otherwise points known
    /// to be on it, in the same order: the first `max_points` of the frontier when its count
    /// is exact, else every point known (as many as `size` says).
    pub points: FrontierPoints,
    /// Maximises the product of gains over the disagreement point.
    pub nash: Solution,
    /// Maximises the smallest gain over the disagreement point (NegMAS's "kalai").
    pub egalitarian: Solution,
    /// Minimises the spread of the gains normalised by each party's best possible gain.
    pub kalai_smorodinsky: Solution,
    /// Maximises the sum of utilities.
    pub max_welfare: Solution,
    /// With [`FrontierOptions::sample`]: the points drawn uniformly from the whole frontier
    /// without replacement, in descending welfare (counted or not; fewer than asked when
    /// the frontier has fewer points, or when the rejection sampler's draws ran out, which
    /// [`Frontier::sample_note`] says); `None` when not asked, or when no uniform sample
    /// could be drawn within the sampler's budget (a sample of [`Frontier::points`] is one
    /// of the points known, not of the frontier).
    pub sample: Option<FrontierPoints>,
    /// With [`FrontierOptions::sample`], when the frontier was not counted: how the sample
    /// was drawn (by rejection: the draws, the acceptance rate), and why it has fewer
    /// points than asked, or why none was drawn. `None` otherwise.
    pub sample_note: Option<String>,
}

impl Frontier {
    /// How many points the frontier has, as a [`Count`]: `size` and `size_at_most`.
    pub fn count(&self) -> Count {
        match self.size {
            FrontierSize::Exact(n) => Count::exact(n),
            FrontierSize::AtLeast(n) => Count { at_least: n as u128, at_most: self.size_at_most },
        }
    }

    /// Whether [`Frontier::points`] is the whole frontier.
    pub fn listed_all(&self) -> bool {
        self.size == FrontierSize::Exact(self.points.len())
    }

    /// Whether the answer is exact: the whole frontier counted and every bargaining
    /// solution proved.
    pub fn exact(&self) -> bool {
        matches!(self.size, FrontierSize::Exact(_))
            && [&self.nash, &self.egalitarian, &self.kalai_smorodinsky, &self.max_welfare]
                .iter()
                .all(|sol| sol.exact)
    }

    /// Each party's gain over its disagreement utility at the Nash point (the first of its
    /// ties); `None` when there is no Nash point.
    pub fn nash_gains(&self) -> Option<Vec<f64>> {
        let nash = self.nash.points.first()?;
        Some(nash.utilities.iter().zip(&self.disagreement).map(|(u, d)| u - d).collect())
    }

    /// Whether `sol` puts the agreement at the Nash point's outcome (the first of its ties)
    /// among its own ties; false when there is no Nash point.
    pub fn agrees_with_nash(&self, sol: &Solution) -> bool {
        self.nash.points.first().is_some_and(|n| sol.points.iter().any(|p| p.outcome == n.outcome))
    }
}

/// Computes the frontier of the rational outcomes of `s` and its bargaining solutions.
///
/// Never enumerates outcomes; see the module documentation for the semantics.
pub fn frontier(s: &Scenario, options: &FrontierOptions) -> Result<Frontier, Error> {
    let prep = Prepared::new(s);
    let n_outcomes =
        s.issues().iter().try_fold(1u128, |acc, issue| acc.checked_mul(issue.n_options() as u128));
    let ranges = utility_ranges(s);
    let (disagreement, maxs) = disagreement_and_maxima(&ranges, &prep.reservation);
    let limits = DpLimits {
        max_points: options.max_points,
        max_work: options.max_work,
        max_bytes: options.max_bytes,
        sample: options.sample,
    };
    let dp = pareto_dp(&prep, &prep.reservation, &|_| true, &limits);
    let exponents = power_exponents(options.power.as_deref(), prep.n_p)?;
    let objectives = Objectives { d: &disagreement, maxs: &maxs, power: exponents.as_deref() };
    if dp.complete {
        let pts = dp.points;
        let nash = Solution::exact(best_listed(&pts, |u| objectives.nash(u), true));
        let egalitarian = Solution::exact(best_listed(&pts, |u| objectives.egalitarian(u), true));
        let kalai_smorodinsky = Solution::exact(best_listed(&pts, |u| objectives.ks(u), false));
        let max_welfare = Solution::exact(best_listed(&pts, welfare, true));
        let sample =
            options.sample.map(|(k, seed)| pts.select(&uniform_sample(pts.len(), k, seed)));
        return Ok(Frontier {
            n_outcomes,
            utility_ranges: ranges,
            disagreement,
            size: FrontierSize::Exact(pts.len()),
            size_at_most: Some(pts.len() as u128),
            points: pts,
            nash,
            egalitarian,
            kalai_smorodinsky,
            max_welfare,
            sample,
            sample_note: None,
        });
    }
    let sol = crate::solutions::solve_without_frontier(&prep, &objectives, options);
    // Every known point once, with an outcome reaching it, in the frontier's order: the
    // programme's points (already in that order) merged with the solutions' few.
    let extra: Vec<FrontierPoint> =
        [&sol.nash, &sol.egalitarian, &sol.kalai_smorodinsky, &sol.max_welfare]
            .into_iter()
            .filter(|s| s.exact)
            .flat_map(|s| s.points.iter().cloned())
            .chain(sol.known.iter().cloned())
            .collect();
    let points = merge_known(&dp.points, extra);
    let (sample, sample_note) = match (options.sample, dp.sample) {
        (Some(asked), None) if dp.count.is_none() => {
            let limits = sample::SampleLimits {
                max_draws: options.max_sample_draws,
                max_work: options.max_sample_work,
                max_bytes: options.max_bytes,
            };
            match sample::draw(&prep, &dp.backs, asked, &limits) {
                Ok(d) => {
                    let note = sample::note(&d, asked.0, limits.max_draws);
                    (Some(d.points), Some(note))
                }
                Err(why) => (None, Some(format!("no uniform sample: {why}"))),
            }
        }
        (_, sample) => (sample, None),
    };
    let (size, size_at_most) = match dp.count {
        Some(n) => (FrontierSize::Exact(n), Some(n as u128)),
        // The points known reach the upper bound: they are the whole frontier.
        None if dp.at_most == Some(points.len() as u128) => {
            (FrontierSize::Exact(points.len()), dp.at_most)
        }
        None => (FrontierSize::AtLeast(points.len()), dp.at_most),
    };
    Ok(Frontier {
        n_outcomes,
        utility_ranges: ranges,
        disagreement,
        size,
        size_at_most,
        points,
        nash: sol.nash,
        egalitarian: sol.egalitarian,
        kalai_smorodinsky: sol.kalai_smorodinsky,
        max_welfare: sol.max_welfare,
        sample,
        sample_note,
    })
}

/// The scenario a bargaining question is asked on: only `parties` (indices into `s.parties()`,
/// in order, without repeats), and with every red line set aside when `ignore_red_lines`.
/// Issues, stances and utilities are unchanged, so outcomes mean the same; proposals are
/// left out (their authors may be gone). Errors: [`ErrorKind::UnknownParty`] for an index
/// out of range or repeated, or no party at all.
pub fn bargaining_scenario(
    s: &Scenario,
    parties: &[usize],
    ignore_red_lines: bool,
) -> Result<Scenario, Error> {
    let mut seen = vec![false; s.parties().len()];
    for &p in parties {
        if p >= s.parties().len() || std::mem::replace(&mut seen[p], true) {
            return Err(Error::new(
                ErrorKind::UnknownParty,
                format!("party index {p} out of range or repeated"),
            ));
        }
    }
    if parties.is_empty() {
        return Err(Error::new(ErrorKind::UnknownParty, "no party to bargain".to_string()));
    }
    let stances = parties
        .iter()
        .map(|&p| {
            let mut row = s.stances()[p].clone();
            if ignore_red_lines {
                row.iter_mut().flatten().for_each(|st| st.red_lines.clear());
            }
            row
        })
        .collect();
    Scenario::new(
        s.meta().clone(),
        parties.iter().map(|&p| s.parties()[p].clone()).collect(),
        s.issues().to_vec(),
        stances,
        vec![],
        s.sources().to_vec(),
    )
    .map_err(|e| Error::new(ErrorKind::UnknownParty, e.to_string()))
}

/// `k` distinct indices below `m` drawn uniformly at random without replacement (every set of
/// `k` equally likely; Floyd's algorithm on the seeded generator `detente_core::Rng`),
/// ascending; all of them when `k >= m`.
pub fn uniform_sample(m: usize, k: usize, seed: u64) -> Vec<usize> {
    if k >= m {
        return (0..m).collect();
    }
    let mut rng = detente_core::Rng::new(seed);
    let mut chosen = std::collections::BTreeSet::new();
    for j in m - k..m {
        let t = rng.index(j + 1);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen.into_iter().collect()
}

/// A well-spread subset of `n` points, deterministic: farthest-point sampling in utility
/// space normalised by each party's range over `points`, starting from each party's best
/// point (the extremes), in the order of `points`.
pub fn spread(points: &[FrontierPoint], n: usize) -> Vec<FrontierPoint> {
    if n >= points.len() {
        return points.to_vec();
    }
    if n == 0 {
        return vec![];
    }
    let n_p = points[0].utilities.len();
    let (mut lo, mut hi) = (vec![f64::INFINITY; n_p], vec![f64::NEG_INFINITY; n_p]);
    for pt in points {
        for (p, &u) in pt.utilities.iter().enumerate() {
            lo[p] = lo[p].min(u);
            hi[p] = hi[p].max(u);
        }
    }
    let norm = |pt: &FrontierPoint| -> Vec<f64> {
        pt.utilities
            .iter()
            .enumerate()
            .map(|(p, &u)| if hi[p] > lo[p] { (u - lo[p]) / (hi[p] - lo[p]) } else { 0.0 })
            .collect()
    };
    let xs: Vec<Vec<f64>> = points.iter().map(norm).collect();
    let mut chosen = vec![false; points.len()];
    let mut dist = vec![f64::INFINITY; points.len()];
    let take = |j: usize, chosen: &mut Vec<bool>, dist: &mut Vec<f64>| {
        chosen[j] = true;
        for (t, x) in xs.iter().enumerate() {
            let d2: f64 = x.iter().zip(&xs[j]).map(|(a, b)| (a - b) * (a - b)).sum();
            dist[t] = dist[t].min(d2);
        }
    };
    let mut count = 0;
    for p in 0..n_p {
        if count == n {
            break;
        }
        let best = (0..points.len())
            .max_by(|&a, &b| {
                points[a].utilities[p].total_cmp(&points[b].utilities[p]).then(b.cmp(&a))
            })
            .unwrap_or(0);
        if !chosen[best] {
            take(best, &mut chosen, &mut dist);
            count += 1;
        }
    }
    while count < n {
        let far = (0..points.len())
            .filter(|&j| !chosen[j])
            .max_by(|&a, &b| dist[a].total_cmp(&dist[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        take(far, &mut chosen, &mut dist);
        count += 1;
    }
    points.iter().zip(&chosen).filter(|(_, c)| **c).map(|(p, _)| p.clone()).collect()
}

/// The disagreement point, `max(reservation, min)` per party (the module documentation), and
/// each party's best possible utility, from the ranges of [`utility_ranges`].
pub(crate) fn disagreement_and_maxima(
    ranges: &[(f64, f64)],
    reservation: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let d = ranges.iter().zip(reservation).map(|(&(lo, _), &r)| if r >= lo { r } else { lo });
    (d.collect(), ranges.iter().map(|r| r.1).collect())
}

/// The range of each party's utility over the whole outcome space, summed like
/// [`Scenario::utility`] (exact by monotonicity of rounding).
pub(crate) fn utility_ranges(s: &Scenario) -> Vec<(f64, f64)> {
    (0..s.parties().len())
        .map(|p| {
            let (mut lo, mut hi) = (s.bias(p), s.bias(p));
            for i in 0..s.issues().len() {
                let c = s.contributions(p, i);
                lo += c.iter().copied().fold(f64::INFINITY, f64::min);
                hi += c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            }
            (lo, hi)
        })
        .collect()
}

/// The objective functions, computed exactly as NegMAS does.
pub(crate) struct Objectives<'a> {
    /// The disagreement point.
    pub(crate) d: &'a [f64],
    /// Each party's best utility.
    pub(crate) maxs: &'a [f64],
    /// The exponents of the weighted Nash product (`n` times the powers scaled to sum 1);
    /// `None`: the symmetric product.
    pub(crate) power: Option<&'a [f64]>,
}

/// The exponents `n a_p` of the weighted Nash product from powers (any positive scale), or
/// `None` when there are none or all are equal (the symmetric product, computed as before).
pub(crate) fn power_exponents(
    power: Option<&[f64]>,
    n_p: usize,
) -> Result<Option<Vec<f64>>, Error> {
    let Some(power) = power else { return Ok(None) };
    if power.len() != n_p {
        return Err(Error::new(
            crate::ErrorKind::InvalidInput,
            format!("{} bargaining powers for {n_p} parties", power.len()),
        ));
    }
    if let Some(x) = power.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
        return Err(Error::new(
            crate::ErrorKind::InvalidInput,
            format!("a bargaining power must be a finite number > 0, found {x}"),
        ));
    }
    if power.iter().all(|&x| x == power[0]) {
        return Ok(None);
    }
    let total: f64 = power.iter().sum();
    Ok(Some(power.iter().map(|&x| n_p as f64 * x / total).collect()))
}

/// The weighted Nash product `prod_p max(x_p, 0)^(e_p)` of gains `x`.
pub(crate) fn weighted_product(x: impl Iterator<Item = f64>, e: &[f64]) -> f64 {
    x.zip(e).fold(1.0, |acc, (x, &e)| acc * x.max(0.0).powf(e))
}

impl Objectives<'_> {
    pub(crate) fn nash(&self, u: &[f64]) -> f64 {
        match self.power {
            None => u.iter().zip(self.d).fold(1.0, |acc, (u, d)| acc * (u - d)),
            Some(e) => weighted_product(u.iter().zip(self.d).map(|(u, d)| u - d), e),
        }
    }

    pub(crate) fn egalitarian(&self, u: &[f64]) -> f64 {
        u.iter().zip(self.d).map(|(u, d)| u - d).fold(f64::INFINITY, f64::min)
    }

    /// Whether party `p` counts in the Kalai-Smorodinsky spread (`max_p > d_p`).
    pub(crate) fn ks_active(&self, p: usize) -> bool {
        self.maxs[p] > self.d[p]
    }

    /// Party `p`'s normalised gain `(u - d) / (max - d)`.
    pub(crate) fn normalised(&self, p: usize, u: f64) -> f64 {
        (u - self.d[p]) / (self.maxs[p] - self.d[p])
    }

    /// The smallest normalised gain over the active parties (infinite if none is active).
    pub(crate) fn min_normalised(&self, u: &[f64]) -> f64 {
        (0..u.len())
            .filter(|&p| self.ks_active(p))
            .map(|p| self.normalised(p, u[p]))
            .fold(f64::INFINITY, f64::min)
    }

    /// The Kalai-Smorodinsky spread `max_p a_p - min_p a_p` over the active parties.
    pub(crate) fn ks(&self, u: &[f64]) -> f64 {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (p, &x) in u.iter().enumerate() {
            if self.ks_active(p) {
                let a = self.normalised(p, x);
                lo = lo.min(a);
                hi = hi.max(a);
            }
        }
        if lo > hi { 0.0 } else { hi - lo }
    }
}

/// The sum of utilities, left to right.
pub(crate) fn welfare(u: &[f64]) -> f64 {
    u.iter().fold(0.0, |acc, x| acc + x)
}

/// Every point within [`TIE`] of the best value of `f` (largest if `maximise`).
pub(crate) fn best_of(
    points: &[FrontierPoint],
    f: impl Fn(&[f64]) -> f64,
    maximise: bool,
) -> Vec<FrontierPoint> {
    let vals: Vec<f64> = points.iter().map(|p| f(&p.utilities)).collect();
    if maximise {
        let best = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        points
            .iter()
            .zip(&vals)
            .filter(|(_, v)| **v >= best - TIE)
            .map(|(p, _)| p.clone())
            .collect()
    } else {
        let best = vals.iter().copied().fold(f64::INFINITY, f64::min);
        points
            .iter()
            .zip(&vals)
            .filter(|(_, v)| **v <= best + TIE)
            .map(|(p, _)| p.clone())
            .collect()
    }
}

/// Every listed point within [`TIE`] of the best value of `f` (largest if `maximise`).
fn best_listed(
    points: &FrontierPoints,
    f: impl Fn(&[f64]) -> f64,
    maximise: bool,
) -> Vec<FrontierPoint> {
    let vals: Vec<f64> = (0..points.len()).map(|i| f(points.utilities(i))).collect();
    let (best, near): (f64, fn(f64, f64) -> bool) = if maximise {
        (vals.iter().copied().fold(f64::NEG_INFINITY, f64::max), |v, best| v >= best - TIE)
    } else {
        (vals.iter().copied().fold(f64::INFINITY, f64::min), |v, best| v <= best + TIE)
    };
    (0..points.len()).filter(|&i| near(vals[i], best)).map(|i| points.get(i)).collect()
}

/// Descending welfare, then descending utilities, then ascending outcome.
pub(crate) fn sort_points(points: &mut [FrontierPoint]) {
    points.sort_by(|a, b| {
        fcmp(welfare(&b.utilities), welfare(&a.utilities))
            .then_with(|| lex_cmp(&b.utilities, &a.utilities))
            .then_with(|| a.outcome.cmp(&b.outcome))
    });
}

/// The points of `sorted` (in the frontier's order, distinct utilities) and of `extra`
/// merged in the frontier's order, each utility vector once (the first in that order): what
/// sorting the two lists together by [`sort_points`] and dropping repeated utilities gives,
/// `sorted` first among equals, without copying `sorted` into a vector a point.
fn merge_known(sorted: &FrontierPoints, mut extra: Vec<FrontierPoint>) -> FrontierPoints {
    sort_points(&mut extra);
    let mut out = sorted.empty_like();
    out.reserve(sorted.len() + extra.len());
    let same_as_last = |out: &FrontierPoints, u: &[f64]| {
        out.len().checked_sub(1).is_some_and(|last| out.utilities(last) == u)
    };
    let mut extra = extra.into_iter().peekable();
    for i in 0..sorted.len() {
        let u = sorted.utilities(i);
        // The extra points before this one (those equal to it in every key come after it).
        while let Some(e) = extra.next_if(|e| {
            fcmp(welfare(&e.utilities), welfare(u))
                .reverse()
                .then_with(|| lex_cmp(u, &e.utilities))
                .then_with(|| e.outcome.cmp(&sorted.outcome(i)))
                == Ordering::Less
        }) {
            if !same_as_last(&out, &e.utilities) {
                out.push(&e.utilities, e.outcome.options().iter().copied());
            }
        }
        if !same_as_last(&out, u) {
            out.push_from(sorted, i);
        }
    }
    for e in extra {
        if !same_as_last(&out, &e.utilities) {
            out.push(&e.utilities, e.outcome.options().iter().copied());
        }
    }
    out
}

/// An integer key ordered as the number: `okey(x).cmp(&okey(y)) == fcmp(x, y)` for numbers
/// (`-0.0` keyed as `0.0`), so that sorts compare plain integers.
#[inline]
fn okey(x: f64) -> u64 {
    let b = if x == 0.0 { 0 } else { x.to_bits() };
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

/// Compares finite numbers numerically (`-0.0 == 0.0`, unlike `total_cmp`).
#[inline]
pub(crate) fn fcmp(x: f64, y: f64) -> Ordering {
    x.partial_cmp(&y).unwrap_or_else(|| x.total_cmp(&y))
}

/// Lexicographic numeric comparison.
pub(crate) fn lex_cmp(a: &[f64], b: &[f64]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match fcmp(*x, *y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    Ordering::Equal
}

/// Whether `a >= b` in every coordinate.
#[inline]
pub(crate) fn weakly_dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x >= y)
}

/// Above this many allowed options the per-issue dominance filter is skipped (quadratic).
const OPTION_DOMINANCE_CAP: usize = 512;

/// The scenario reduced to what the frontier depends on.
pub(crate) struct Prepared {
    pub(crate) n_p: usize,
    pub(crate) bias: Vec<f64>,
    pub(crate) reservation: Vec<f64>,
    /// The allowed, undominated options of each issue and their contribution rows (one
    /// number per party), in issue order.
    pub(crate) levels: Vec<OptionRows>,
    /// `sufmax[i * n_p + p]`: sum over issues `i..` of party `p`'s best kept contribution.
    pub(crate) sufmax: Vec<f64>,
    /// `sufabs[i * n_p + p]`: sum over issues `i..` of the largest `|contribution|`.
    pub(crate) sufabs: Vec<f64>,
    /// Some issue has no option every party allows: no outcome is rational.
    pub(crate) empty: bool,
}

impl Prepared {
    pub(crate) fn new(s: &Scenario) -> Prepared {
        let n_p = s.parties().len();
        let n_i = s.issues().len();
        let mut levels = Vec::with_capacity(n_i);
        let mut empty = false;
        for (i, issue) in s.issues().iter().enumerate() {
            let allowed: Vec<usize> =
                (0..issue.n_options()).filter(|&k| (0..n_p).all(|p| s.allowed(p, i, k))).collect();
            if allowed.is_empty() {
                empty = true;
            }
            let vec_of =
                |k: usize| -> Vec<f64> { (0..n_p).map(|p| s.contribution(p, i, k)).collect() };
            let kept: Vec<usize> = if allowed.len() > OPTION_DOMINANCE_CAP {
                allowed
            } else {
                let rows: Vec<Vec<f64>> = allowed.iter().map(|&k| vec_of(k)).collect();
                (0..allowed.len())
                    .filter(|&a| {
                        !(0..allowed.len()).any(|b| {
                            b != a
                                && weakly_dominates(&rows[b], &rows[a])
                                && (rows[b] != rows[a] || b < a)
                        })
                    })
                    .map(|a| allowed[a])
                    .collect()
            };
            let c = kept.iter().flat_map(|&k| vec_of(k)).collect();
            levels.push(OptionRows { options: kept, c });
        }
        let mut sufmax = vec![0.0; (n_i + 1) * n_p];
        let mut sufabs = vec![0.0; (n_i + 1) * n_p];
        for i in (0..n_i).rev() {
            let lv = &levels[i];
            let k = lv.options.len();
            for p in 0..n_p {
                let col = (0..k).map(|j| lv.c[j * n_p + p]);
                let best = col.clone().fold(f64::NEG_INFINITY, f64::max);
                let abs = col.map(f64::abs).fold(0.0, f64::max);
                sufmax[i * n_p + p] = sufmax[(i + 1) * n_p + p] + if k == 0 { 0.0 } else { best };
                sufabs[i * n_p + p] = sufabs[(i + 1) * n_p + p] + abs;
            }
        }
        Prepared {
            n_p,
            bias: (0..n_p).map(|p| s.bias(p)).collect(),
            reservation: s.parties().iter().map(|p| p.reservation).collect(),
            levels,
            sufmax,
            sufabs,
            empty,
        }
    }

    pub(crate) fn n_issues(&self) -> usize {
        self.levels.len()
    }

    /// One more than the largest option index kept (at least 1).
    pub(crate) fn max_options(&self) -> usize {
        self.levels.iter().flat_map(|lv| lv.options.iter()).map(|&k| k + 1).max().unwrap_or(1)
    }

    /// A bound on the rounding error of summing `x` and the issues `from..` for party `p`,
    /// against `target`: far above the true error, far below any meaningful difference.
    #[inline]
    pub(crate) fn slack(&self, from: usize, p: usize, x: f64, target: f64) -> f64 {
        let n = (self.n_issues() + 4) as f64;
        8.0 * n * f64::EPSILON * (x.abs() + self.sufabs[from * self.n_p + p] + target.abs())
            + 1e-300
    }

    /// Whether the partial vector `v` (issues `..from` added) can still reach `lower`.
    #[inline]
    pub(crate) fn can_reach(&self, from: usize, v: &[f64], lower: &[f64]) -> bool {
        (0..self.n_p).all(|p| {
            v[p] + self.sufmax[from * self.n_p + p]
                >= lower[p] - self.slack(from, p, v[p], lower[p])
        })
    }

    /// The option positions within each level of `outcome`, `None` if one of its options is
    /// not kept.
    pub(crate) fn picks_of(&self, outcome: &Outcome) -> Option<Vec<usize>> {
        let options = outcome.options();
        (options.len() == self.levels.len()).then_some(())?;
        self.levels
            .iter()
            .zip(options)
            .map(|(lv, o)| lv.options.iter().position(|x| x == o))
            .collect()
    }

    /// The exact utilities of an outcome given by its option positions within each level,
    /// summed in issue order from the bias.
    pub(crate) fn utilities_of(&self, picks: &[usize]) -> Vec<f64> {
        let n_p = self.n_p;
        let mut u = self.bias.clone();
        for (lv, &j) in self.levels.iter().zip(picks) {
            for (x, c) in u.iter_mut().zip(&lv.c[j * n_p..(j + 1) * n_p]) {
                *x += c;
            }
        }
        u
    }
}

/// What [`pareto_dp`] found.
pub(crate) struct DpOut {
    /// The non-dominated accepted points in descending welfare (all of them if `complete`,
    /// otherwise the ones certified when the programme stopped on the last issue).
    pub(crate) points: FrontierPoints,
    /// Whether `points` is the whole answer.
    pub(crate) complete: bool,
    /// The number of non-dominated accepted points, when known (it is when `complete`, and
    /// when only `max_points` stopped the listing on the last issue).
    pub(crate) count: Option<usize>,
    /// An upper bound on that number (`None`: unknown or past 128 bits).
    pub(crate) at_most: Option<u128>,
    /// With `DpLimits::sample`, when the programme stopped on the last issue with the points
    /// counted: those drawn uniformly among all of them, in descending welfare.
    pub(crate) sample: Option<FrontierPoints>,
    /// With `DpLimits::sample`, when the programme stopped before counting the points: the
    /// back-pointers of the issues it finished (for the rejection sampler); else empty.
    backs: Vec<Back>,
}

impl DpOut {
    /// The answer when no outcome is accepted: no point, proved.
    fn none(points: FrontierPoints) -> DpOut {
        DpOut {
            points,
            complete: true,
            count: Some(0),
            at_most: Some(0),
            sample: None,
            backs: vec![],
        }
    }
}

/// The limits of [`pareto_dp`] (see [`FrontierOptions`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DpLimits {
    pub(crate) max_points: usize,
    pub(crate) max_work: u64,
    pub(crate) max_bytes: usize,
    /// [`FrontierOptions::sample`].
    pub(crate) sample: Option<(usize, u64)>,
}

/// The bytes one candidate vector of `n_p` utilities costs while an issue is filtered: the
/// vector, its back-pointer, its place in the sort order and its welfare, room for the kept
/// copy, and for 4 parties or more its share of the k-d tree.
fn candidate_bytes(n_p: usize) -> usize {
    let tree = if n_p >= 4 { dominance::tree_bytes(1 << 20, n_p) >> 20 } else { 0 };
    16 * n_p + 32 + tree
}

/// Back-pointers of one level: the parent's index and the option (index into the level).
struct Back {
    parent: Vec<u32>,
    option: Vec<u32>,
}

/// The non-dominated set of the outcomes `x` with `u(x) >= reservation` exactly and
/// `accept(u(x))`, where `accept` must describe an upper set (if it holds for `u`, it holds
/// for every `v >= u`). `prune_lower[p] >= reservation[p]` are lower bounds every accepted
/// utility vector meets (up to rounding), used only to drop partial vectors early.
pub(crate) fn pareto_dp(
    prep: &Prepared,
    prune_lower: &[f64],
    accept: &dyn Fn(&[f64]) -> bool,
    limits: &DpLimits,
) -> DpOut {
    let DpLimits { max_points, max_work, max_bytes, .. } = *limits;
    let n_p = prep.n_p;
    let n_i = prep.n_issues();
    let empty = || FrontierPoints::new(n_p, n_i, prep.max_options());
    if prep.empty {
        return DpOut::none(empty());
    }
    let options: Vec<usize> = prep.levels.iter().map(|lv| lv.options.len()).collect();
    // `prefix[l]`: the partial vectors kept after issue `l - 1` (or a bound on them).
    let mut prefix: Vec<usize> = vec![1];
    // The smallest `|A_l| x |T_l|` (see `bound`), given the sizes up to the issue stopped at.
    let bound = |prefix: &[usize]| {
        // A quarter of the programme's work, and at most a quarter of its default (a tenth
        // of a second or so): the bound costs little beside the listing it replaces.
        let max_work = (limits.max_work / 4).min(SUFFIX_WORK);
        let limits = DpLimits { max_work, ..*limits };
        let suffix = bound::suffix_sizes(prep, 0, &limits);
        bound::best_split(prefix, &suffix, 0, &options)
    };
    let mut vals = prep.bias.clone();
    let mut backs: Vec<Back> = Vec::with_capacity(n_i);
    let mut work: u64 = 0;
    // Bytes held by the back-pointers of the issues done (8 per kept point).
    let mut back_bytes: usize = 0;
    let mut buf = vec![0.0; n_p];
    for i in 0..n_i {
        let lv = &prep.levels[i];
        let m = vals.len() / n_p;
        let k = lv.options.len();
        let last = i + 1 == n_i;
        // Budgets first, allocation after: the candidates of this issue must fit both.
        let stop = |prefix: &[usize], backs: &mut Vec<Back>| DpOut {
            points: empty(),
            complete: false,
            count: None,
            at_most: bound(prefix),
            sample: None,
            backs: if limits.sample.is_some() { std::mem::take(backs) } else { vec![] },
        };
        let Some(cand) = m.checked_mul(k) else { return stop(&prefix, &mut backs) };
        work = work.saturating_add(cand as u64);
        if work > max_work {
            return stop(&prefix, &mut backs);
        }
        let need = (cand as u128) * candidate_bytes(n_p) as u128 + back_bytes as u128;
        if need > max_bytes as u128 {
            return stop(&prefix, &mut backs);
        }
        let mut cv: Vec<f64> = Vec::with_capacity(cand * n_p);
        let mut cpar: Vec<u32> = Vec::with_capacity(cand);
        let mut copt: Vec<u32> = Vec::with_capacity(cand);
        for j in 0..m {
            let base = &vals[j * n_p..(j + 1) * n_p];
            for o in 0..k {
                let row = &lv.c[o * n_p..(o + 1) * n_p];
                for p in 0..n_p {
                    buf[p] = base[p] + row[p];
                }
                let keep = if last {
                    buf.iter().zip(&prep.reservation).all(|(u, r)| u >= r) && accept(&buf)
                } else {
                    prep.can_reach(i + 1, &buf, prune_lower)
                };
                if keep {
                    cv.extend_from_slice(&buf);
                    cpar.push(j as u32);
                    copt.push(o as u32);
                }
            }
        }
        let n_cand = cpar.len();
        let Filtered { mut kept, done, count } =
            nd_filter(&cv, (&copt, k), n_p, (max_points, last), &mut work, max_work);
        // On the last issue every point is kept: the sample is drawn among all of them when
        // they are counted, then the first `max_points` in descending welfare are listed.
        let mut drawn: Option<Vec<usize>> = None;
        if last && !done {
            if let (Some((n, seed)), Some(_)) = (limits.sample, count) {
                drawn = Some(
                    uniform_sample(kept.len(), n, seed).into_iter().map(|a| kept[a]).collect(),
                );
            }
            keep_first_by_welfare(&mut kept, |t| &cv[t * n_p..(t + 1) * n_p], max_points);
        }
        let back = Back {
            parent: kept.iter().map(|&t| cpar[t]).collect(),
            option: kept.iter().map(|&t| copt[t]).collect(),
        };
        if !done {
            // The frontier's points pass through this issue's non-dominated partial points.
            prefix.push(count.unwrap_or(n_cand));
            if last {
                let at_most = Some(count.unwrap_or(n_cand) as u128);
                // Every kept point is certified: no candidate dominates it.
                let vals_of = |ts: &[usize]| -> Vec<f64> {
                    ts.iter().flat_map(|&t| cv[t * n_p..(t + 1) * n_p].to_vec()).collect()
                };
                let fin = vals_of(&kept);
                let sample = drawn.map(|ts| {
                    backs.push(Back {
                        parent: ts.iter().map(|&t| cpar[t]).collect(),
                        option: ts.iter().map(|&t| copt[t]).collect(),
                    });
                    let pts = rebuild(prep, &vals_of(&ts), &backs);
                    backs.pop();
                    pts
                });
                drop(cv);
                backs.push(back);
                let points = rebuild(prep, &fin, &backs);
                backs.pop();
                // Not counted: the rejection sampler starts from the issues finished.
                let sampler = limits.sample.is_some() && count.is_none();
                return DpOut {
                    points,
                    complete: false,
                    count,
                    at_most,
                    sample,
                    backs: if sampler { backs } else { vec![] },
                };
            }
            return stop(&prefix, &mut backs);
        }
        prefix.push(kept.len());
        back_bytes += kept.len() * 8;
        let mut next = Vec::with_capacity(kept.len() * n_p);
        for &t in &kept {
            next.extend_from_slice(&cv[t * n_p..(t + 1) * n_p]);
        }
        backs.push(back);
        vals = next;
        if vals.is_empty() {
            return DpOut::none(empty());
        }
    }
    let n = vals.len() / n_p;
    DpOut {
        points: rebuild(prep, &vals, &backs),
        complete: true,
        count: Some(n),
        at_most: Some(n as u128),
        sample: None,
        backs: vec![],
    }
}

/// The points of the last level with their outcomes, in descending welfare (then descending
/// utilities, then ascending outcome, as [`sort_points`]).
fn rebuild(prep: &Prepared, vals: &[f64], backs: &[Back]) -> FrontierPoints {
    let n_p = prep.n_p;
    let n_i = backs.len();
    let m = vals.len() / n_p;
    let at = |t: usize| &vals[t * n_p..(t + 1) * n_p];
    let outcome = |t: usize, out: &mut [usize]| {
        let mut at = t;
        for i in (0..n_i).rev() {
            out[i] = prep.levels[i].options[backs[i].option[at] as usize];
            at = backs[i].parent[at] as usize;
        }
    };
    // Sorted on integer keys (welfare, then the first utility); the rest compared only
    // where those tie.
    let mut order: Vec<(u64, u64, usize)> = (0..m)
        .map(|t| (!okey(welfare(at(t))), at(t).first().map_or(0, |&u| !okey(u)), t))
        .collect();
    order.sort_unstable_by(|a, b| {
        (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| lex_cmp(at(b.2), at(a.2))).then_with(|| {
            let (mut x, mut y) = (vec![0; n_i], vec![0; n_i]);
            outcome(a.2, &mut x);
            outcome(b.2, &mut y);
            x.cmp(&y).then(a.2.cmp(&b.2))
        })
    });
    let mut points = FrontierPoints::new(n_p, n_i, prep.max_options());
    points.reserve(m);
    let mut buf = vec![0; n_i];
    for &(_, _, t) in &order {
        outcome(t, &mut buf);
        points.push(at(t), buf.iter().copied());
    }
    points
}

/// What [`nd_filter`] kept.
struct Filtered {
    /// The indices of the vectors kept (none of them is dominated by any vector).
    kept: Vec<usize>,
    /// Whether `kept` is every non-dominated, first-of-equal vector.
    done: bool,
    /// How many non-dominated, first-of-equal vectors there are, when the filter finished
    /// (more than `kept` when past `max_points`).
    count: Option<usize>,
}

/// The indices of the non-dominated, first-of-equal vectors of `cv` (stride `n_p`): all of
/// them when the filter finishes within `max_points` kept and `max_work` steps; past
/// `max_points`, their exact count and, for 2 and 3 parties, the first `max_points` in the
/// sweep's order (beyond, all of them in index order), or on the `last` issue all of them
/// (the caller draws its sample and keeps the first in descending welfare); past
/// `max_work`, the ones certified so far.
///
/// `options` gives each vector's option (of `k`): for 2 and 3 parties the vectors are sorted
/// on integer keys laid out option by option, where each option's vectors (the previous
/// issue's points, kept in this order, plus one row) are nearly sorted already, so that the
/// run-merging sort takes a few passes, not `log n`.
fn nd_filter(
    cv: &[f64],
    options: (&[u32], usize),
    n_p: usize,
    (max_points, last): (usize, bool),
    work: &mut u64,
    max_work: u64,
) -> Filtered {
    let n = cv.len() / n_p;
    let at = |t: usize| &cv[t * n_p..(t + 1) * n_p];
    let mut kept = Vec::new();
    let mut count = 0usize;
    match n_p {
        2 => {
            let mut best = f64::NEG_INFINITY;
            // The first of each group of equal `u0` in the sweep's order (descending
            // utilities, then ascending index): kept if it beats every point before.
            for t in sweep_order_2(cv, options) {
                let v = at(t);
                if v[1] > best {
                    best = v[1];
                    if last || count < max_points {
                        kept.push(t);
                    }
                    count += 1;
                }
            }
        }
        3 => {
            let mut keys: Vec<(u64, u64, u64, usize)> = by_option(options)
                .map(|t| (!okey(at(t)[0]), !okey(at(t)[1]), !okey(at(t)[2]), t))
                .collect();
            keys.sort();
            // The 2-d staircase of (u1, u2) of the kept points: u2 falls as u1 rises.
            let mut stair: BTreeMap<Key, f64> = BTreeMap::new();
            for t in keys.into_iter().map(|k| k.3) {
                let v = at(t);
                if let Some((_, &y)) = stair.range(Key(v[1])..).next()
                    && y >= v[2]
                {
                    continue;
                }
                let doomed: Vec<Key> = stair
                    .range(..=Key(v[1]))
                    .rev()
                    .take_while(|(_, y)| **y <= v[2])
                    .map(|(k, _)| *k)
                    .collect();
                for key in doomed {
                    stair.remove(&key);
                }
                stair.insert(Key(v[1]), v[2]);
                if last || count < max_points {
                    kept.push(t);
                }
                count += 1;
            }
        }
        _ => {
            // Every vector asked once of a k-d tree over all of them (see `dominance`).
            let mut tree = dominance::Tree::new(cv, n_p, work);
            let mut stopped = false;
            for t in 0..n {
                match tree.beaten(t as u32, work, max_work) {
                    Some(true) => {}
                    Some(false) => kept.push(t),
                    None => {
                        stopped = true;
                        break;
                    }
                }
            }
            // Kept in index order (the next issue's candidates are made in this order); the
            // caller orders the last issue's points.
            if stopped {
                return Filtered { count: None, kept, done: false };
            }
            count = kept.len();
        }
    }
    Filtered { kept, done: count <= max_points, count: Some(count) }
}

/// The sort key of vector `t` in descending welfare: `(welfare, first utility, t)`, the two
/// numbers as integer keys of the descending order; [`welfare_cmp`] breaks their ties.
#[inline]
fn welfare_key<'a>(at: impl Fn(usize) -> &'a [f64], t: usize) -> (u64, u64, usize) {
    let u = at(t);
    (!okey(welfare(u)), u.first().map_or(0, |&x| !okey(x)), t)
}

/// Descending welfare, then descending utilities, then ascending index, on [`welfare_key`]s.
#[inline]
fn welfare_cmp<'a>(
    at: impl Fn(usize) -> &'a [f64],
    a: &(u64, u64, usize),
    b: &(u64, u64, usize),
) -> Ordering {
    (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| lex_cmp(at(b.2), at(a.2))).then(a.2.cmp(&b.2))
}

/// Keeps the first `max_points` of `kept` in descending welfare (by [`welfare_cmp`]; the
/// order of those kept is left to the caller), all of them when there are no more.
fn keep_first_by_welfare<'a>(
    kept: &mut Vec<usize>,
    at: impl Fn(usize) -> &'a [f64] + Copy,
    max_points: usize,
) {
    if kept.len() <= max_points {
        return;
    }
    let mut keys: Vec<(u64, u64, usize)> = kept.iter().map(|&t| welfare_key(at, t)).collect();
    if max_points > 0 {
        keys.select_nth_unstable_by(max_points - 1, |a, b| welfare_cmp(at, a, b));
    }
    keys.truncate(max_points);
    *kept = keys.into_iter().map(|k| k.2).collect();
}

/// For 2 parties: of each group of vectors of `cv` with equal `u0`, in descending `u0`, the
/// first in descending `(u0, u1)` then ascending index, which is all the sweep needs (the
/// others of a group cannot beat it). The vectors of one option, the previous issue's points
/// in the sweep's order plus one row, come in descending `u0` already (rounding is
/// monotone), so the options' runs are merged, not sorted; should a run not be in order, the
/// vectors are sorted instead.
fn sweep_order_2(cv: &[f64], options: (&[u32], usize)) -> Vec<usize> {
    use std::cmp::Reverse;
    let key = |t: usize, p: usize| okey(cv[2 * t + p]);
    let grouped: Vec<usize> = by_option(options).collect();
    let mut runs: Vec<(usize, usize)> = Vec::with_capacity(options.1);
    let mut start = 0;
    for (i, w) in grouped.windows(2).enumerate() {
        if options.0[w[0]] != options.0[w[1]] {
            runs.push((start, i + 1));
            start = i + 1;
        }
    }
    if !grouped.is_empty() {
        runs.push((start, grouped.len()));
    }
    let in_order = grouped
        .windows(2)
        .all(|w| options.0[w[0]] != options.0[w[1]] || key(w[0], 0) >= key(w[1], 0));
    let mut out = Vec::new();
    if !in_order {
        let mut keys: Vec<(u64, u64, usize)> =
            grouped.iter().map(|&t| (!key(t, 0), !key(t, 1), t)).collect();
        keys.sort_unstable();
        let mut last = None;
        for (k0, _, t) in keys {
            if last != Some(k0) {
                out.push(t);
                last = Some(k0);
            }
        }
        return out;
    }
    // A heap of the runs by their next `u0` (largest first, then the run's number).
    let mut heap: std::collections::BinaryHeap<(u64, Reverse<usize>)> =
        runs.iter().enumerate().map(|(r, &(a, _))| (key(grouped[a], 0), Reverse(r))).collect();
    let mut pos: Vec<usize> = runs.iter().map(|r| r.0).collect();
    while let Some((k0, _)) = heap.peek().copied() {
        // The group: every run's vectors with this `u0`; its first by (u1 desc, index asc).
        let mut first: Option<(u64, usize)> = None;
        while let Some(&(k, Reverse(r))) = heap.peek() {
            if k != k0 {
                break;
            }
            heap.pop();
            while pos[r] < runs[r].1 && key(grouped[pos[r]], 0) == k0 {
                let t = grouped[pos[r]];
                let k1 = key(t, 1);
                if first.is_none_or(|(b1, bt)| k1 > b1 || (k1 == b1 && t < bt)) {
                    first = Some((k1, t));
                }
                pos[r] += 1;
            }
            if pos[r] < runs[r].1 {
                heap.push((key(grouped[pos[r]], 0), Reverse(r)));
            }
        }
        if let Some((_, t)) = first {
            out.push(t);
        }
    }
    out
}

/// The indices of `options` (each below `k`) grouped by option, each group in index order (a
/// counting sort).
fn by_option((options, k): (&[u32], usize)) -> impl Iterator<Item = usize> {
    let mut start = vec![0usize; k + 1];
    for &o in options {
        start[o as usize + 1] += 1;
    }
    for o in 0..k {
        start[o + 1] += start[o];
    }
    let mut out = vec![0usize; options.len()];
    for (t, &o) in options.iter().enumerate() {
        out[start[o as usize]] = t;
        start[o as usize] += 1;
    }
    out.into_iter()
}

/// A finite `f64` ordered numerically, for the staircase.
#[derive(Clone, Copy, Debug)]
struct Key(f64);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        fcmp(self.0, other.0) == Ordering::Equal
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        fcmp(self.0, other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::{Issue, Meta, Party, RedLineKind, Role, Stance, UtilityForm};
    use detente_testkit::{GenConfig, random_raw_scenario, random_scenario};
    use proptest::prelude::*;

    /// Every outcome, in lexicographic order.
    fn outcomes(s: &Scenario) -> Vec<Outcome> {
        let sizes: Vec<usize> = s.issues().iter().map(|i| i.n_options()).collect();
        let mut all = vec![];
        let mut cur = vec![0; sizes.len()];
        loop {
            all.push(Outcome::new_unchecked(cur.clone()));
            let mut i = sizes.len();
            loop {
                if i == 0 {
                    return all;
                }
                i -= 1;
                cur[i] += 1;
                if cur[i] < sizes[i] {
                    break;
                }
                cur[i] = 0;
            }
        }
    }

    struct Brute {
        ranges: Vec<(f64, f64)>,
        frontier: Vec<Vec<f64>>,
    }

    fn brute(s: &Scenario) -> Brute {
        let n_p = s.parties().len();
        let all = outcomes(s);
        let us: Vec<Vec<f64>> =
            all.iter().map(|o| (0..n_p).map(|p| s.utility(p, o)).collect()).collect();
        let ranges = (0..n_p)
            .map(|p| {
                let col = us.iter().map(|u| u[p]);
                (col.clone().fold(f64::INFINITY, f64::min), col.fold(f64::NEG_INFINITY, f64::max))
            })
            .collect();
        let rational: Vec<&Vec<f64>> = all
            .iter()
            .zip(&us)
            .filter(|(o, u)| {
                (0..n_p).all(|p| {
                    u[p] >= s.parties()[p].reservation
                        && o.options().iter().enumerate().all(|(i, &k)| s.allowed(p, i, k))
                })
            })
            .map(|(_, u)| u)
            .collect();
        let mut frontier: Vec<Vec<f64>> = rational
            .iter()
            .filter(|u| !rational.iter().any(|v| weakly_dominates(v, u) && v != *u))
            .map(|u| (*u).clone())
            .collect();
        frontier.sort_by(|a, b| lex_cmp(a, b));
        frontier.dedup();
        Brute { ranges, frontier }
    }

    fn sorted(points: &[FrontierPoint]) -> Vec<Vec<f64>> {
        let mut v: Vec<Vec<f64>> = points.iter().map(|p| p.utilities.clone()).collect();
        v.sort_by(|a, b| lex_cmp(a, b));
        v
    }

    fn brute_solutions(s: &Scenario, b: &Brute) -> [Vec<Vec<f64>>; 4] {
        let d: Vec<f64> = b
            .ranges
            .iter()
            .zip(s.parties())
            .map(|(&(lo, _), p)| if p.reservation >= lo { p.reservation } else { lo })
            .collect();
        let maxs: Vec<f64> = b.ranges.iter().map(|r| r.1).collect();
        let obj = Objectives { d: &d, maxs: &maxs, power: None };
        let pts: Vec<FrontierPoint> = b
            .frontier
            .iter()
            .map(|u| FrontierPoint {
                utilities: u.clone(),
                outcome: Outcome::new_unchecked(vec![]),
            })
            .collect();
        [
            sorted(&best_of(&pts, |u| obj.nash(u), true)),
            sorted(&best_of(&pts, |u| obj.egalitarian(u), true)),
            sorted(&best_of(&pts, |u| obj.ks(u), false)),
            sorted(&best_of(&pts, welfare, true)),
        ]
    }

    fn solutions(f: &Frontier) -> [&Solution; 4] {
        [&f.nash, &f.egalitarian, &f.kalai_smorodinsky, &f.max_welfare]
    }

    /// Checks a point's outcome: rational, and utilities equal to the scenario's own sum.
    fn check_point(s: &Scenario, pt: &FrontierPoint) {
        for p in 0..s.parties().len() {
            assert_eq!(s.utility(p, &pt.outcome).to_bits(), pt.utilities[p].to_bits());
            assert!(pt.utilities[p] >= s.parties()[p].reservation);
            for (i, &k) in pt.outcome.options().iter().enumerate() {
                assert!(s.allowed(p, i, k));
            }
        }
    }

    /// A solution's ties against brute force's: all of them when at most
    /// [`MAX_LISTED_TIES`], else that many of them, and counted within the count's range.
    fn check_ties(sol: &Solution, want: &[Vec<f64>]) {
        let got = sorted(&sol.points);
        if want.len() <= MAX_LISTED_TIES {
            assert_eq!(got, want);
        } else {
            assert_eq!(got.len(), MAX_LISTED_TIES);
            assert!(got.iter().all(|u| want.contains(u)));
        }
        let n = want.len() as u128;
        assert!(sol.ties.at_least <= n && sol.ties.at_most.is_none_or(|m| m >= n));
    }

    fn check_against_brute_force(s: &Scenario) {
        let b = brute(s);
        let f = frontier(s, &FrontierOptions::default()).unwrap();
        assert_eq!(f.utility_ranges, b.ranges);
        assert_eq!(f.size, FrontierSize::Exact(b.frontier.len()));
        assert!(f.listed_all() && f.size_at_most == Some(b.frontier.len() as u128));
        assert_eq!(sorted(&f.points.to_vec()), b.frontier);
        for w in f.points.to_vec().windows(2) {
            assert!(welfare(&w[0].utilities) >= welfare(&w[1].utilities));
        }
        f.points.iter().for_each(|pt| check_point(s, &pt));
        let expected = brute_solutions(s, &b);
        for (sol, want) in solutions(&f).into_iter().zip(&expected) {
            assert!(sol.exact);
            check_ties(sol, want);
        }
        // Without the listing, every solution is still exact and the same.
        for max_points in [0, 1, 3] {
            let opts = FrontierOptions { max_points, ..FrontierOptions::default() };
            let g = frontier(s, &opts).unwrap();
            if b.frontier.len() > max_points {
                // Counted exactly when only the listing's cap stopped it on the last issue,
                // else a lower bound; the upper bound holds; every point listed is on it.
                match g.size {
                    FrontierSize::Exact(n) => {
                        // The first `max_points` in descending welfare are among those listed.
                        assert_eq!(n, b.frontier.len());
                        let mut by_welfare = b.frontier.clone();
                        by_welfare.sort_by(|x, y| {
                            fcmp(welfare(y), welfare(x)).then_with(|| lex_cmp(y, x))
                        });
                        let listed: Vec<Vec<f64>> = g.points.iter().map(|p| p.utilities).collect();
                        for u in &by_welfare[..max_points] {
                            assert!(listed.contains(u), "{u:?} of the first {max_points}");
                        }
                    }
                    FrontierSize::AtLeast(n) => assert!(n <= b.frontier.len()),
                }
                for pt in g.points.iter() {
                    assert!(b.frontier.contains(&pt.utilities));
                }
            }
            assert!(g.size_at_most.is_none_or(|hi| hi >= b.frontier.len() as u128));
            let c = g.count();
            let n = b.frontier.len() as u128;
            assert!(c.at_least <= n && c.at_most.is_none_or(|m| m >= n));
            assert_eq!(c.is_exact(), matches!(g.size, FrontierSize::Exact(_)));
            for (sol, want) in solutions(&g).into_iter().zip(&expected) {
                assert!(sol.exact, "{:?}", sol.note);
                check_ties(sol, want);
                sol.points.iter().for_each(|pt| check_point(s, pt));
            }
        }
        // A tiny node budget never claims exactness it does not have.
        let opts = FrontierOptions { max_points: 0, max_nodes: 2, ..FrontierOptions::default() };
        let g = frontier(s, &opts).unwrap();
        for (sol, want) in solutions(&g).into_iter().zip(&expected) {
            if sol.exact {
                check_ties(sol, want);
                let empty = want.is_empty();
                assert_eq!(sol.termination() == Termination::Infeasible, empty);
            } else {
                assert!(sol.note.is_some());
                assert_eq!(sol.termination(), Termination::BudgetReached);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The 2-party sweep's order, by merging the options' runs (vectors made as the
        /// programme makes them, in order) or by sorting (runs out of order), equals the
        /// first of each group of equal `u0` after a plain sort, on vectors with many ties.
        #[test]
        fn two_party_sweep_order_is_the_sorted_order(
            points in proptest::collection::vec((0u8..12, 0u8..12), 1..40),
            rows in proptest::collection::vec((0u8..4, 0u8..4), 1..6),
            made_in_order in any::<bool>(),
            drop_every in 2usize..7,
        ) {
            let mut points: Vec<(f64, f64)> =
                points.iter().map(|&(a, b)| (f64::from(a) / 8.0, f64::from(b) / 8.0)).collect();
            if made_in_order {
                points.sort_by(|x, y| fcmp(y.0, x.0).then(fcmp(x.1, y.1)));
            }
            let (mut cv, mut opts) = (vec![], vec![]);
            for (j, p) in points.iter().enumerate() {
                for (o, r) in rows.iter().enumerate() {
                    if (j + o) % drop_every != 0 {
                        cv.extend([p.0 + f64::from(r.0) / 8.0, p.1 + f64::from(r.1) / 8.0]);
                        opts.push(o as u32);
                    }
                }
            }
            let n = opts.len();
            let mut keys: Vec<(u64, u64, usize)> =
                (0..n).map(|t| (!okey(cv[2 * t]), !okey(cv[2 * t + 1]), t)).collect();
            keys.sort_unstable();
            let mut want = vec![];
            for (i, k) in keys.iter().enumerate() {
                if i == 0 || keys[i - 1].0 != k.0 {
                    want.push(k.2);
                }
            }
            prop_assert_eq!(sweep_order_2(&cv, (&opts, rows.len())), want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn frontier_matches_brute_force(
            seed in any::<u64>(),
            n_parties in 2usize..=4,
            n_issues in 2usize..=5,
            n_options in 2usize..=4,
            reservation_max in 0.0f64..0.9,
            red_line_chance in 0.0f64..0.4,
            raw in any::<bool>(),
        ) {
            let sizes = GenConfig::new(n_parties, n_issues, n_options);
            let cfg = GenConfig { reservation_max, red_line_chance, n_proposals: 0, ..sizes };
            let s = if raw { random_raw_scenario(seed, &cfg) } else { random_scenario(seed, &cfg) };
            check_against_brute_force(&s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The weighted (asymmetric) Nash point, with the frontier listed and without it,
        /// equals brute force: the frontier points of the largest weighted product.
        #[test]
        fn weighted_nash_matches_brute_force(
            seed in any::<u64>(),
            n_parties in 2usize..=4,
            n_issues in 2usize..=4,
            n_options in 2usize..=4,
            reservation_max in 0.0f64..0.8,
            powers in proptest::collection::vec(0.05f64..5.0, 4),
            max_points in prop_oneof![Just(0usize), Just(1_000_000usize)],
        ) {
            let sizes = GenConfig::new(n_parties, n_issues, n_options);
            let cfg = GenConfig { reservation_max, red_line_chance: 0.1, n_proposals: 0, ..sizes };
            let s = random_scenario(seed, &cfg);
            let power = powers[..n_parties].to_vec();
            let b = brute(&s);
            let d: Vec<f64> = b
                .ranges
                .iter()
                .zip(s.parties())
                .map(|(&(lo, _), p)| if p.reservation >= lo { p.reservation } else { lo })
                .collect();
            let e = power_exponents(Some(&power), n_parties).unwrap();
            let maxs: Vec<f64> = b.ranges.iter().map(|r| r.1).collect();
            let obj = Objectives { d: &d, maxs: &maxs, power: e.as_deref() };
            let pts: Vec<FrontierPoint> = b
                .frontier
                .iter()
                .map(|u| FrontierPoint { utilities: u.clone(), outcome: Outcome::new_unchecked(vec![]) })
                .collect();
            let want = sorted(&best_of(&pts, |u| obj.nash(u), true));
            let opts = FrontierOptions { max_points, power: Some(power.clone()), ..FrontierOptions::default() };
            let f = frontier(&s, &opts).unwrap();
            prop_assert!(f.nash.exact, "{:?}", f.nash.note);
            prop_assert_eq!(&sorted(&f.nash.points), &want);
            f.nash.points.iter().for_each(|pt| check_point(&s, pt));
            // Equal powers are the symmetric solution, to the bit.
            let equal = FrontierOptions { max_points, power: Some(vec![2.0; n_parties]), ..FrontierOptions::default() };
            let sym = FrontierOptions { max_points, ..FrontierOptions::default() };
            prop_assert_eq!(frontier(&s, &equal).unwrap().nash, frontier(&s, &sym).unwrap().nash);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Without the listing (`max_points` 0 or 1), Kalai-Smorodinsky comes from the branch
        /// and bound on the spread with its certificates: exact and equal to brute force, also
        /// for 5 and 6 parties.
        #[test]
        fn ks_branch_and_bound_matches_brute_force(
            seed in any::<u64>(),
            n_parties in 2usize..=6,
            n_issues in 2usize..=4,
            n_options in 2usize..=4,
            reservation_max in 0.0f64..0.9,
            red_line_chance in 0.0f64..0.3,
            raw in any::<bool>(),
            max_points in 0usize..=1,
        ) {
            let sizes = GenConfig::new(n_parties, n_issues, n_options);
            let cfg = GenConfig { reservation_max, red_line_chance, n_proposals: 0, ..sizes };
            let s = if raw { random_raw_scenario(seed, &cfg) } else { random_scenario(seed, &cfg) };
            let b = brute(&s);
            let want = &brute_solutions(&s, &b)[2];
            let opts = FrontierOptions { max_points, ..FrontierOptions::default() };
            let f = frontier(&s, &opts).unwrap();
            prop_assert!(f.kalai_smorodinsky.exact, "{:?}", f.kalai_smorodinsky.note);
            prop_assert_eq!(&sorted(&f.kalai_smorodinsky.points), want);
            f.kalai_smorodinsky.points.iter().for_each(|pt| check_point(&s, pt));
            if let FrontierSize::AtLeast(n) = f.size {
                prop_assert!(n <= b.frontier.len());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]
        /// Opposed values (half the parties value each issue's options `v`, the others
        /// `1 - v`) with high reservations, where the Nash search once stopped far from the
        /// optimum: without the listing, the Nash point, weighted or not, is exact and equals
        /// brute force, and so are the other three solutions.
        #[test]
        fn nash_on_opposed_values_matches_brute_force(
            seed in any::<u64>(),
            n_parties in 2usize..=5,
            n_issues in 2usize..=6,
            reservation in 0.0f64..0.6,
            powers in proptest::collection::vec(0.05f64..5.0, 5),
            weighted in any::<bool>(),
        ) {
            use detente_testkit::{PlanConfig, opposed_plan};
            let cfg = PlanConfig { n_parties, n_issues, min_options: 2, max_options: 4 };
            let s = opposed_plan(seed, &cfg, (reservation, reservation + 0.1));
            let b = brute(&s);
            let power = weighted.then(|| powers[..n_parties].to_vec());
            let d: Vec<f64> = b
                .ranges
                .iter()
                .zip(s.parties())
                .map(|(&(lo, _), p)| if p.reservation >= lo { p.reservation } else { lo })
                .collect();
            let e = power_exponents(power.as_deref(), n_parties).unwrap();
            let maxs: Vec<f64> = b.ranges.iter().map(|r| r.1).collect();
            let obj = Objectives { d: &d, maxs: &maxs, power: e.as_deref() };
            let pts: Vec<FrontierPoint> = b
                .frontier
                .iter()
                .map(|u| FrontierPoint { utilities: u.clone(), outcome: Outcome::new_unchecked(vec![]) })
                .collect();
            let want = sorted(&best_of(&pts, |u| obj.nash(u), true));
            let opts = FrontierOptions { max_points: 0, power: power.clone(), ..FrontierOptions::default() };
            let f = frontier(&s, &opts).unwrap();
            prop_assert!(f.nash.exact, "{:?}", f.nash.note);
            prop_assert_eq!(&sorted(&f.nash.points), &want);
            f.nash.points.iter().for_each(|pt| check_point(&s, pt));
            if power.is_none() {
                let expected = brute_solutions(&s, &b);
                for (sol, want) in solutions(&f).into_iter().zip(&expected) {
                    prop_assert!(sol.exact, "{:?}", sol.note);
                    prop_assert_eq!(&sorted(&sol.points), want);
                }
            }
        }
    }

    /// The Nash search starts from the other searches' points: when its budget stops it, it
    /// still gives a point (the best known, "not exact") whenever another solution found a
    /// rational outcome. It once gave none on opposed values though such outcomes existed.
    #[test]
    fn a_stopped_nash_search_still_gives_the_best_point_known() {
        use detente_testkit::{PlanConfig, opposed_plan};
        let cfg = PlanConfig { n_parties: 5, n_issues: 14, min_options: 3, max_options: 5 };
        let mut checked = 0;
        for seed in 1..=12 {
            let s = opposed_plan(seed, &cfg, (0.4, 0.55));
            for max_nodes in [1, 3, 30] {
                let opts =
                    FrontierOptions { max_points: 0, max_nodes, ..FrontierOptions::default() };
                let f = frontier(&s, &opts).unwrap();
                let product = |p: &FrontierPoint| -> f64 {
                    p.utilities.iter().zip(&f.disagreement).map(|(u, d)| u - d).product()
                };
                let others = [&f.egalitarian, &f.kalai_smorodinsky, &f.max_welfare];
                let Some(best_other) =
                    others.iter().flat_map(|sol| sol.points.iter()).map(product).reduce(f64::max)
                else {
                    continue;
                };
                checked += 1;
                let nash = f.nash.points.first().expect("a Nash point whenever another has one");
                check_point(&s, nash);
                assert!(product(nash) >= best_other, "seed {seed}, {max_nodes} nodes");
                if !f.nash.exact {
                    assert!(f.nash.note.as_deref().is_some_and(|n| n.contains("at most")));
                }
            }
        }
        assert!(checked > 10, "only {checked} runs found a rational outcome");
    }

    /// 28 issues of 3 to 5 options, 4 parties: the frontier is far too large to list, and
    /// every solution is still exact (a few seeds; `FRONTIER_SWEEP=1 cargo bench --bench
    /// frontier` sweeps seeds 1-20 with timings).
    #[test]
    fn large_plans_are_solved_exactly() {
        use detente_testkit::{PlanConfig, random_plan};
        let cfg = PlanConfig { n_parties: 4, n_issues: 28, min_options: 3, max_options: 5 };
        for seed in [5, 9, 14] {
            let s = random_plan(seed, &cfg);
            let f = frontier(&s, &FrontierOptions::default()).unwrap();
            assert!(matches!(f.size, FrontierSize::AtLeast(_)));
            for sol in solutions(&f) {
                assert!(sol.exact, "seed {seed}: {:?}", sol.note);
                assert!(!sol.points.is_empty());
                sol.points.iter().for_each(|pt| check_point(&s, pt));
            }
        }
    }

    /// Two scale issues of 100,001 points each, the parties pulling opposite ways: the
    /// programme would need 10^10 candidates on the second issue (160 GB). The budgets are
    /// checked before allocating, so it returns, saying what is not exact.
    #[test]
    fn two_huge_scales_end_within_memory_and_say_not_exact() {
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, 0.0),
            Party::new("b", "B", Role::Principal, 1.0, 0.0),
        ];
        let issues = vec![
            Issue::scale("x", "X", "u", 0.0, 100_000.0, 1.0),
            Issue::scale("y", "Y", "u", 0.0, 100_000.0, 1.0),
        ];
        let stances = vec![
            vec![
                Some(Stance::ideal(1.0, 100_000.0, 100_000.0)),
                Some(Stance::ideal(1.0, 0.0, 100_000.0)),
            ],
            vec![
                Some(Stance::ideal(1.0, 0.0, 100_000.0)),
                Some(Stance::ideal(1.0, 100_000.0, 100_000.0)),
            ],
        ];
        let s =
            Scenario::new(Meta::named("big"), parties, issues, stances, vec![], vec![]).unwrap();
        let opts = FrontierOptions { max_search_work: 2_000_000, ..FrontierOptions::default() };
        let f = frontier(&s, &opts).unwrap();
        assert_eq!(f.n_outcomes, Some(100_001u128 * 100_001));
        assert!(matches!(f.size, FrontierSize::AtLeast(_)));
        assert!(!f.max_welfare.exact && f.max_welfare.note.is_some());
        for pt in f.points.iter() {
            check_point(&s, &pt);
        }
        // A small byte budget stops the listing before the first big allocation too.
        let opts = FrontierOptions { max_bytes: 1 << 20, max_nodes: 1000, ..opts };
        let f = frontier(&s, &opts).unwrap();
        assert!(matches!(f.size, FrontierSize::AtLeast(_)));
    }

    /// The chi-square statistic of `tally` against equal counts in every cell, and the 0.999
    /// quantile of chi-square with one degree of freedom fewer than the cells
    /// (Wilson-Hilferty): a uniform draw stays below it but once in a thousand.
    fn chi_square(tally: &[usize]) -> (f64, f64) {
        let e = tally.iter().sum::<usize>() as f64 / tally.len() as f64;
        let chi2: f64 = tally.iter().map(|&o| (o as f64 - e).powi(2) / e).sum();
        let df = (tally.len() - 1) as f64;
        let h = 2.0 / (9.0 * df);
        (chi2, df * (1.0 - h + 3.090_232 * h.sqrt()).powi(3))
    }

    /// Issue 14: a frontier counted but not listed whole (more points than `max_points`) is
    /// sampled uniformly from all its points: one point drawn with each of 50 n seeds
    /// lands on each of the n brute-force frontier points about 50 times (chi-square
    /// below its 0.1% critical value with n - 1 degrees of freedom; the seeds are fixed, so
    /// the test is deterministic), and a sample of k is k distinct frontier points.
    #[test]
    fn a_frontier_not_listed_whole_is_sampled_uniformly() {
        let mut checked = 0;
        for seed in 0..40 {
            let cfg = GenConfig {
                reservation_max: 0.2,
                red_line_chance: 0.0,
                n_proposals: 0,
                ..GenConfig::new(2 + (seed as usize) % 2, 4, 3)
            };
            let s = random_scenario(seed, &cfg);
            let b = brute(&s);
            let n = b.frontier.len();
            if n < 8 {
                continue;
            }
            let cap = n / 2;
            let opts = |k: usize, seed: u64| FrontierOptions {
                max_points: cap,
                sample: Some((k, seed)),
                ..FrontierOptions::default()
            };
            let f = frontier(&s, &opts(3, 7)).unwrap();
            // Only the last issue's cap stops the listing here: counted, sampled from all.
            let Some(sample) = &f.sample else { continue };
            assert_eq!(f.size, FrontierSize::Exact(n));
            assert!(f.points.len() < n && sample.len() == 3);
            let got: Vec<Vec<f64>> = sample.iter().map(|p| p.utilities).collect();
            assert!(got.iter().all(|u| b.frontier.contains(u)));
            assert!(got.windows(2).all(|w| w[0] != w[1]));
            sample.iter().for_each(|pt| check_point(&s, &pt));
            let draws = 50 * n;
            let mut tally = vec![0usize; n];
            for d in 0..draws as u64 {
                let f = frontier(&s, &opts(1, d)).unwrap();
                let u = f.sample.expect("a sample").get(0).utilities;
                tally[b.frontier.iter().position(|v| *v == u).expect("on the frontier")] += 1;
            }
            let (chi2, critical) = chi_square(&tally);
            assert!(chi2 < critical, "seed {seed}: chi-square {chi2} >= {critical}, {tally:?}");
            checked += 1;
            if checked == 2 {
                break;
            }
        }
        assert_eq!(checked, 2);
    }

    /// The rejection sampler's cases: scenarios of 2 to 5 parties (red lines, reservations,
    /// parties without a stance, values on a grid, so that equal utility vectors occur)
    /// whose programme a tiny
    /// work budget stops before the last issue, with the brute-force frontier and how many
    /// rational, undominated outcomes reach each of its points.
    fn stopped_cases(want: usize) -> Vec<(Scenario, FrontierOptions, Brute, usize)> {
        let mut cases = vec![];
        for seed in 0..400u64 {
            let (n_p, n_i) = (2 + (seed as usize / 2) % 4, 5 + (seed as usize / 8) % 2);
            // Half on a grid of values, where sums tie exactly and several pairs of the
            // sampler's product reach one point.
            let s = match seed % 3 {
                0 => random_scenario(
                    seed,
                    &GenConfig { n_proposals: 0, ..GenConfig::new(n_p, n_i, 3) },
                ),
                1 => grid_scenario(seed, n_p, n_i, 3),
                _ => twin_scenario(seed, n_p, n_i),
            };
            let b = brute(&s);
            if b.frontier.len() < 4 {
                continue;
            }
            let opts = FrontierOptions {
                max_work: 20 + seed % 60,
                max_search_work: 1_000,
                ..FrontierOptions::default()
            };
            let f =
                frontier(&s, &FrontierOptions { sample: Some((1, 0)), ..opts.clone() }).unwrap();
            if f.sample_note.is_none() {
                continue;
            }
            let n_p = s.parties().len();
            let ties = outcomes(&s)
                .iter()
                .filter(|o| {
                    let u: Vec<f64> = (0..n_p).map(|p| s.utility(p, o)).collect();
                    b.frontier.contains(&u)
                        && (0..n_p).all(|p| {
                            o.options().iter().enumerate().all(|(i, &k)| s.allowed(p, i, k))
                        })
                })
                .count();
            cases.push((s, opts, b, ties));
            if cases.len() == want {
                break;
            }
        }
        assert_eq!(cases.len(), want, "too few stopped cases");
        cases
    }

    /// Issue 14: a frontier the programme stopped before counting is still sampled
    /// uniformly, by rejection: a sample of k is k distinct brute-force frontier points (all
    /// of them when k passes their number), the same for the same seed, and said.
    #[test]
    fn a_frontier_not_counted_is_sampled_from_the_whole_frontier() {
        let cases = stopped_cases(24);
        // Some point is reached by several outcomes: the pair standing for it is unique.
        assert!(cases.iter().any(|c| c.3 > c.2.frontier.len()));
        for (s, opts, b, _) in &cases {
            let n = b.frontier.len();
            for (k, seed) in [(3, 1), (n + 2, 2)] {
                let o = FrontierOptions { sample: Some((k, seed)), ..opts.clone() };
                let f = frontier(s, &o).unwrap();
                assert!(f.count().at_least <= n as u128);
                let sample = f.sample.as_ref().expect("a sample");
                assert_eq!(sample.len(), k.min(n), "{:?}", f.sample_note);
                let got: Vec<Vec<f64>> = sample.iter().map(|p| p.utilities).collect();
                assert!(got.iter().all(|u| b.frontier.contains(u)), "{got:?}");
                let mut distinct = got.clone();
                distinct.sort_by(|a, b| lex_cmp(a, b));
                distinct.dedup();
                assert_eq!(distinct.len(), got.len());
                if k > n {
                    assert_eq!(distinct, b.frontier);
                }
                let note = f.sample_note.as_deref().unwrap_or_default();
                assert_eq!(
                    k > n,
                    note.contains("so these are all the frontier's points"),
                    "{note}"
                );
                sample.iter().for_each(|pt| check_point(s, &pt));
                let mut again = sample.to_vec();
                sort_points(&mut again);
                assert_eq!(again, sample.to_vec(), "in the frontier's order");
                assert_eq!(frontier(s, &o).unwrap().sample, f.sample);
                let note = f.sample_note.as_deref().unwrap_or_default();
                assert!(note.starts_with("drawn by rejection"), "{note}");
            }
        }
    }

    /// The rejection sampler's draws are uniform on the frontier's points: one point drawn
    /// with each of 50 n seeds lands on each of the n brute-force frontier points about 50
    /// times (chi-square below its 0.1% critical value; the seeds are fixed, so the test is
    /// deterministic), also where several outcomes reach one point.
    #[test]
    fn the_rejection_sampler_is_uniform() {
        let cases = stopped_cases(40);
        let tied = cases.iter().find(|c| c.3 > c.2.frontier.len() && c.2.frontier.len() >= 6);
        let wide =
            cases.iter().filter(|c| c.2.frontier.len() >= 12).max_by_key(|c| c.0.parties().len());
        for (s, opts, b, _) in tied.into_iter().chain(wide) {
            let n = b.frontier.len();
            let draws = 50 * n;
            let mut tally = vec![0usize; n];
            // The sampler alone, as `frontier` calls it (the solutions' searches left out).
            let prep = Prepared::new(s);
            let limits = DpLimits {
                max_points: opts.max_points,
                max_work: opts.max_work,
                max_bytes: opts.max_bytes,
                sample: Some((1, 0)),
            };
            let dp = pareto_dp(&prep, &prep.reservation, &|_| true, &limits);
            let limits = sample::SampleLimits {
                max_draws: opts.max_sample_draws,
                max_work: opts.max_sample_work,
                max_bytes: opts.max_bytes,
            };
            for d in 0..draws as u64 {
                let drawn = sample::draw(&prep, &dp.backs, (1, d), &limits).expect("a sample");
                let u = drawn.points.get(0).utilities;
                tally[b.frontier.iter().position(|v| *v == u).expect("on the frontier")] += 1;
            }
            let (chi2, critical) = chi_square(&tally);
            assert!(chi2 < critical, "chi-square {chi2} >= {critical}, {tally:?}");
        }
    }

    /// The sampler's budgets: too few draws give fewer points than asked, said; too little
    /// work gives no sample at all, said.
    #[test]
    fn the_rejection_sampler_says_when_its_budget_ran_out() {
        let cases = stopped_cases(6);
        let (s, opts, b, _) = cases.iter().max_by_key(|c| c.2.frontier.len()).unwrap();
        let n = b.frontier.len();
        let o = FrontierOptions { sample: Some((n, 3)), max_sample_draws: 2, ..opts.clone() };
        let f = frontier(s, &o).unwrap();
        assert!(f.sample.as_ref().is_some_and(|x| x.len() <= 2));
        let note = f.sample_note.unwrap();
        assert!(note.contains(&format!("of the {n} asked: the 2 draws allowed ran out")), "{note}");
        let o = FrontierOptions { sample: Some((n, 3)), max_sample_work: 3, ..opts.clone() };
        let f = frontier(s, &o).unwrap();
        assert!(f.sample.is_none());
        let note = f.sample_note.unwrap();
        assert!(note.starts_with("no uniform sample: "), "{note}");
    }

    /// A scenario of values on a grid of quarters and weights 1 or 2 (many equal sums, so that
    /// rounding decides ties), some parties indifferent to some issues, raw or normalised.
    fn grid_scenario(seed: u64, n_parties: usize, n_issues: usize, n_options: usize) -> Scenario {
        let mut rng = detente_core::Rng::new(seed);
        let mut meta = Meta::named("grid");
        if rng.chance(0.5) {
            meta.utility = UtilityForm::Raw;
        }
        let parties = (0..n_parties)
            .map(|p| {
                let r = [0.0, 0.25, 0.4][rng.index(3)];
                Party::new(&format!("p{p}"), "P", Role::Principal, 1.0, r)
            })
            .collect();
        let labels: Vec<String> = (0..n_options).map(|k| format!("o{k}")).collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let issues =
            (0..n_issues).map(|i| Issue::discrete(&format!("i{i}"), "I", &labels)).collect();
        let stances = (0..n_parties)
            .map(|_| {
                (0..n_issues)
                    .map(|_| {
                        (!rng.chance(0.2)).then(|| {
                            let w = [1.0, 2.0, 0.1][rng.index(3)];
                            Stance::values(
                                w,
                                (0..n_options).map(|_| rng.index(5) as f64 / 4.0).collect(),
                            )
                        })
                    })
                    .collect()
            })
            .collect();
        Scenario::new(meta, parties, issues, stances, vec![], vec![]).unwrap()
    }

    /// Utilities on a grid of quarters added exactly (raw utilities, weights 1 and 2), with
    /// the last two issues alike for every party: swapping their options gives the same
    /// utilities to the bit, so that suffixes tie.
    fn twin_scenario(seed: u64, n_parties: usize, n_issues: usize) -> Scenario {
        let mut rng = detente_core::Rng::new(seed);
        let meta = Meta { utility: UtilityForm::Raw, ..Meta::named("twin") };
        let parties = (0..n_parties)
            .map(|p| {
                Party::new(&format!("p{p}"), "P", Role::Principal, 1.0, 0.25 * rng.index(3) as f64)
            })
            .collect();
        let issues = (0..n_issues)
            .map(|i| Issue::discrete(&format!("i{i}"), "I", &["o0", "o1", "o2"]))
            .collect();
        let stances = (0..n_parties)
            .map(|_| {
                let mut row: Vec<Option<Stance>> = (0..n_issues - 1)
                    .map(|_| {
                        let w = [1.0, 2.0][rng.index(2)];
                        Some(Stance::values(w, (0..3).map(|_| rng.index(5) as f64 / 4.0).collect()))
                    })
                    .collect();
                row.push(row[n_issues - 2].clone());
                row
            })
            .collect();
        Scenario::new(meta, parties, issues, stances, vec![], vec![]).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Issue 14: when the programme stops early, the upper bound (kept prefixes x the
        /// outcomes between x the suffixes no other dominates with a margin) is at least the
        /// brute-force frontier's size, the lower bound at most, and a count said exact is.
        #[test]
        fn the_bound_holds_and_exact_counts_are_exact(
            seed in any::<u64>(),
            n_parties in 2usize..=5,
            n_issues in 2usize..=6,
            n_options in 2usize..=4,
            grid in any::<bool>(),
            max_work in 1u64..600,
            max_points in 1usize..40,
        ) {
            let s = if grid {
                grid_scenario(seed, n_parties, n_issues, n_options)
            } else {
                let cfg = GenConfig { reservation_max: 0.5, n_proposals: 0, no_stance_chance: 0.2,
                    ..GenConfig::new(n_parties, n_issues, n_options) };
                random_scenario(seed, &cfg)
            };
            let n = brute(&s).frontier.len();
            let opts = FrontierOptions {
                max_work, max_points, max_nodes: 2000, max_search_work: 200_000,
                ..FrontierOptions::default()
            };
            let f = frontier(&s, &opts).unwrap();
            match f.size {
                FrontierSize::Exact(k) => prop_assert_eq!(k, n),
                FrontierSize::AtLeast(k) => prop_assert!(k <= n),
            }
            let hi = f.size_at_most;
            prop_assert!(hi.is_some_and(|hi| hi >= n as u128), "{:?} < {}", hi, n);
        }
    }

    /// 10 parties x 200 issues: the default limits bound the time (each search stops at its
    /// work budget, here a small one), and the answer says which solutions are exact.
    #[test]
    fn many_parties_and_issues_return_and_say_not_exact() {
        use detente_testkit::{PlanConfig, random_plan};
        let cfg = PlanConfig { n_parties: 10, n_issues: 200, min_options: 3, max_options: 5 };
        let s = random_plan(1, &cfg);
        let opts = FrontierOptions {
            max_work: 1_000_000,
            max_search_work: 3_000_000,
            ..FrontierOptions::default()
        };
        let f = frontier(&s, &opts).unwrap();
        assert!(matches!(f.size, FrontierSize::AtLeast(_)));
        assert!(solutions(&f).iter().any(|sol| !sol.exact));
        for sol in solutions(&f) {
            assert_eq!(sol.exact, sol.note.is_none());
            sol.points.iter().for_each(|pt| check_point(&s, pt));
        }
        if let FrontierSize::AtLeast(n) = f.size {
            assert_eq!(n, f.points.len());
        }
    }

    /// Issue 14: many parties. Two domains written by `bench/frontier/domain.py` (our own
    /// seeded generator, NegMAS's plain JSON), 6 parties x 7 issues and 4 parties x 12
    /// issues: the whole frontier is listed, every point equal to brute-force enumeration
    /// bit for bit, with its outcome, counted exactly; with the listing capped the count
    /// stays exact and the first points of the frontier in its order are listed.
    #[test]
    fn many_party_domains_are_listed_as_brute_force_lists_them() {
        let files: [(&str, &[u8]); 2] = [
            ("random_6p_7i.json", include_bytes!("../test_data/random_6p_7i.json")),
            ("random_4p_12i.json", include_bytes!("../test_data/random_4p_12i.json")),
        ];
        let mut exact_counts = 0;
        for (name, bytes) in files {
            let s = detente_scenario::import::negmas_json(name, bytes).unwrap();
            let b = brute(&s);
            assert!(b.frontier.len() > 100, "{name}: {} points", b.frontier.len());
            check_against_brute_force(&s);
            let f = frontier(&s, &FrontierOptions::default()).unwrap();
            let cap = b.frontier.len() / 3;
            let g =
                frontier(&s, &FrontierOptions { max_points: cap, ..FrontierOptions::default() })
                    .unwrap();
            let n = b.frontier.len();
            match g.size {
                // The cap stopped the last issue: counted, the first `cap` points listed
                // (with those the solutions' searches certified, which may be all).
                FrontierSize::Exact(count) => {
                    assert_eq!(count, n, "{name}");
                    assert_eq!(g.size_at_most, Some(n as u128));
                    let listed: Vec<Vec<f64>> = g.points.iter().map(|p| p.utilities).collect();
                    for i in 0..cap {
                        assert!(listed.contains(&f.points.get(i).utilities), "{name}: {i}");
                    }
                    exact_counts += 1;
                }
                // The cap stopped an earlier issue: bounded on both sides.
                FrontierSize::AtLeast(lo) => {
                    assert!(lo <= n && g.size_at_most.is_some_and(|hi| hi >= n as u128));
                }
            }
            g.points.iter().for_each(|pt| check_point(&s, &pt));
            // The listing is compact: 8 bytes a party and one byte an issue per point.
            let n_p = s.parties().len();
            assert_eq!(f.points.heap_bytes(), f.points.len() * (8 * n_p + s.issues().len()));
        }
        assert!(exact_counts > 0);
    }

    #[test]
    fn outcome_counts_never_saturate() {
        let parties = vec![Party::new("a", "A", Role::Principal, 1.0, 0.0)];
        let issues: Vec<Issue> =
            (0..130).map(|i| Issue::discrete(&format!("i{i}"), "I", &["x", "y"])).collect();
        let stances = vec![vec![None; 130]];
        let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![]).unwrap();
        let opts = FrontierOptions { max_search_work: 100_000, ..FrontierOptions::default() };
        assert_eq!(frontier(&s, &opts).unwrap().n_outcomes, None);
    }

    #[test]
    fn bargaining_scenarios_keep_outcomes_and_drop_red_lines_on_request() {
        let s = crate::evaluate::tests::river();
        let b = bargaining_scenario(&s, &[0, 1], true).unwrap();
        assert_eq!(b.parties().len(), 2);
        assert!(b.stances().iter().flatten().flatten().all(|st| st.red_lines.is_empty()));
        let o = Outcome::new_unchecked(vec![0; s.issues().len()]);
        assert_eq!(b.utility(1, &o).to_bits(), s.utility(1, &o).to_bits());
        assert!(bargaining_scenario(&s, &[0, 0], false).is_err());
        assert!(bargaining_scenario(&s, &[7], false).is_err());
        assert!(bargaining_scenario(&s, &[], false).is_err());
    }

    fn two_party(values: [[f64; 3]; 2], reservations: [f64; 2]) -> Scenario {
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, reservations[0]),
            Party::new("b", "B", Role::Principal, 1.0, reservations[1]),
        ];
        let issues = vec![Issue::discrete("x", "X", &["x0", "x1", "x2"])];
        let stances = vec![
            vec![Some(Stance::values(1.0, values[0].to_vec()))],
            vec![Some(Stance::values(1.0, values[1].to_vec()))],
        ];
        Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![]).unwrap()
    }

    #[test]
    fn a_split_by_hand() {
        // Options give (1, 0), (0.6, 0.6), (0, 1): all three on the frontier.
        let s = two_party([[1.0, 0.6, 0.0], [0.0, 0.6, 1.0]], [0.0, 0.0]);
        let f = frontier(&s, &FrontierOptions::default()).unwrap();
        assert_eq!(f.n_outcomes, Some(3));
        assert_eq!(f.size, FrontierSize::Exact(3));
        // Descending welfare: (0.6, 0.6) first, then (1, 0) before (0, 1).
        let us: Vec<Vec<f64>> = f.points.iter().map(|p| p.utilities.clone()).collect();
        assert_eq!(us, vec![vec![0.6, 0.6], vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert_eq!(f.disagreement, vec![0.0, 0.0]);
        for sol in [&f.nash, &f.egalitarian, &f.kalai_smorodinsky, &f.max_welfare] {
            assert!(sol.exact);
            assert_eq!(sol.points.len(), 1);
            assert_eq!(sol.points[0].outcome, Outcome::new_unchecked(vec![1]));
        }
    }

    #[test]
    fn reservations_and_ties() {
        // (0.5, 0.5) and (0.4, 0.6) tie on welfare; B's reservation 0.55 leaves (0.4, 0.6)
        // and (0, 1); the disagreement point is (0, 0.55).
        let s = two_party([[0.5, 0.4, 0.0], [0.5, 0.6, 1.0]], [0.0, 0.55]);
        let f = frontier(&s, &FrontierOptions::default()).unwrap();
        let us: Vec<Vec<f64>> = f.points.iter().map(|p| p.utilities.clone()).collect();
        assert_eq!(us, vec![vec![0.4, 0.6], vec![0.0, 1.0]]);
        assert_eq!(f.disagreement, vec![0.0, 0.55]);
        // Nash: 0.4 * 0.05 = 0.02 > 0; egalitarian: min(0.4, 0.05) = 0.05 > 0.
        assert_eq!(f.nash.points[0].utilities, vec![0.4, 0.6]);
        assert_eq!(f.egalitarian.points[0].utilities, vec![0.4, 0.6]);
        // KS: a = (0.4 / 0.5, 0.05 / 0.45) vs (0, 1): spreads 0.689 and 1.
        assert_eq!(f.kalai_smorodinsky.points[0].utilities, vec![0.4, 0.6]);
        // Both have welfare 1.0.
        assert_eq!(f.max_welfare.points.len(), 2);
        // Every solution is exact and agrees with Nash (the welfare maximum through a tie);
        // Nash gives A 0.4 and B 0.05 above the disagreement point.
        assert!(f.exact());
        for sol in [&f.egalitarian, &f.kalai_smorodinsky, &f.max_welfare] {
            assert!(f.agrees_with_nash(sol));
        }
        let gains = f.nash_gains().unwrap();
        assert!((gains[0] - 0.4).abs() < 1e-12 && (gains[1] - 0.05).abs() < 1e-12);
        let mut other = f.max_welfare.clone();
        other.points.retain(|p| p.outcome != f.nash.points[0].outcome);
        assert_eq!(other.points.len(), 1);
        assert!(!f.agrees_with_nash(&other));
        // Unreachable reservations: an empty frontier, empty solutions.
        let s = two_party([[0.5, 0.4, 0.0], [0.5, 0.6, 1.0]], [0.9, 0.9]);
        let f = frontier(&s, &FrontierOptions::default()).unwrap();
        assert_eq!(f.size, FrontierSize::Exact(0));
        assert!(f.nash.points.is_empty() && f.nash.exact);
        assert!(f.nash_gains().is_none() && !f.agrees_with_nash(&f.max_welfare));
        let opts = FrontierOptions { max_points: 0, ..FrontierOptions::default() };
        let g = frontier(&s, &opts).unwrap();
        assert!(g.nash.points.is_empty() && g.kalai_smorodinsky.points.is_empty());
        assert!(g.kalai_smorodinsky.exact && g.max_welfare.exact);
    }

    #[test]
    fn duplicates_collapse_and_red_lines_restrict() {
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, 0.0),
            Party::new("b", "B", Role::Principal, 1.0, 0.0),
        ];
        let issues = vec![Issue::discrete("x", "X", &["x0", "x1", "x2"])];
        let stances = vec![
            vec![Some(Stance::values(1.0, vec![1.0, 1.0, 0.2]))],
            vec![Some(
                Stance::values(1.0, vec![0.5, 0.5, 0.9])
                    .with_red_line(RedLineKind::Forbid(vec![2]), None),
            )],
        ];
        let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![]).unwrap();
        let f = frontier(&s, &FrontierOptions::default()).unwrap();
        assert_eq!(f.size, FrontierSize::Exact(1));
        assert_eq!(f.points.get(0).utilities, vec![1.0, 0.5]);
        assert_eq!(f.points.get(0).outcome, Outcome::new_unchecked(vec![0]));
        // The range ignores red lines.
        assert_eq!(f.utility_ranges[1], (0.5, 0.9));
    }

    #[test]
    fn raw_bias_and_a_degenerate_party() {
        // Party c is indifferent (max == d): it is left out of the KS spread.
        let mut meta = Meta::named("raw");
        meta.utility = UtilityForm::Raw;
        let mut parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, -10.0),
            Party::new("b", "B", Role::Principal, 1.0, -10.0),
            Party::new("c", "C", Role::Principal, 1.0, 0.0),
        ];
        parties[0].bias = 1.0;
        parties[2].bias = 2.0;
        let issues = vec![
            Issue::discrete("x", "X", &["x0", "x1"]),
            Issue::discrete("y", "Y", &["y0", "y1"]),
        ];
        let stances = vec![
            vec![
                Some(Stance::values(2.0, vec![-1.0, 3.0])),
                Some(Stance::values(1.0, vec![0.0, 1.0])),
            ],
            vec![
                Some(Stance::values(1.0, vec![2.0, -1.0])),
                Some(Stance::values(1.0, vec![1.0, 0.0])),
            ],
            vec![None, None],
        ];
        let s = Scenario::new(meta, parties, issues, stances, vec![], vec![]).unwrap();
        let f = frontier(&s, &FrontierOptions::default()).unwrap();
        // a: 1 + {-2, 6} + {0, 1}; b: {2, -1} + {1, 0}; c: 2.
        assert_eq!(f.utility_ranges, vec![(-1.0, 8.0), (-1.0, 3.0), (2.0, 2.0)]);
        assert_eq!(f.disagreement, vec![-1.0, -1.0, 2.0]);
        let us: Vec<Vec<f64>> = f.points.iter().map(|p| p.utilities.clone()).collect();
        // (8, -1, 2) and (7, 0, 2) with welfare 9, (0, 2, 2) and (-1, 3, 2) with welfare 4.
        assert_eq!(
            us,
            vec![
                vec![8.0, -1.0, 2.0],
                vec![7.0, 0.0, 2.0],
                vec![0.0, 2.0, 2.0],
                vec![-1.0, 3.0, 2.0]
            ]
        );
        // KS: a = ((u_a + 1) / 9, (u_b + 1) / 4): (1, 0), (8/9, 1/4), (1/9, 3/4), (0, 1);
        // the middle two tie with spread 23/36.
        let ks: Vec<Vec<f64>> =
            f.kalai_smorodinsky.points.iter().map(|p| p.utilities.clone()).collect();
        assert_eq!(ks, vec![vec![7.0, 0.0, 2.0], vec![0.0, 2.0, 2.0]]);
        // Nash: the product has c's gain 0 everywhere, so every point ties.
        assert_eq!(f.nash.points.len(), 4);
        check_against_brute_force(&s);
    }

    #[test]
    fn spread_keeps_the_extremes() {
        let pts: Vec<FrontierPoint> = (0..=10)
            .map(|k| FrontierPoint {
                utilities: vec![k as f64 / 10.0, 1.0 - k as f64 / 10.0],
                outcome: Outcome::new_unchecked(vec![k]),
            })
            .collect();
        let sub = spread(&pts, 3);
        let ks: Vec<usize> = sub.iter().map(|p| p.outcome.option(0)).collect();
        assert_eq!(ks, vec![0, 5, 10]);
        assert_eq!(spread(&pts, 20).len(), 11);
        assert!(spread(&pts, 0).is_empty());
        assert_eq!(spread(&pts, 1).len(), 1);
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Frontier>();
        is::<FrontierOptions>();
        is::<Solution>();
    }
}
