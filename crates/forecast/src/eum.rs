//! Bueno de Mesquita's expected utility model (the "predictioneer's game") on one issue, in
//! a variant following Scholz, Calbert and Smith (2011), "Unravelling Bueno de Mesquita's
//! group decision model", Journal of Theoretical Politics 23(4). Every choice the papers
//! leave open is fixed here and written in `docs/forecast-eum.md`; in short:
//!
//! - **Scale.** Distances are divided by the range of the opening positions (`δ_ij =
//!   |x_i - x_j| / (max x - min x)`), kept for the whole run; positions only move towards
//!   other positions, so `δ` stays in `[0, 1]`.
//! - **Median.** `μ` is the capability x salience weighted median of the current positions
//!   (the lower one on a tie): the position no other beats in a pairwise vote on a line.
//! - **Probability.** `P_ij = Σ_k max(0, v_k) / Σ_k |v_k|` with `v_k = c_k s_k (|x_k - x_j| -
//!   |x_k - x_i|)`, every actor voting (`i` and `j` too), so `P_ij + P_ji = 1`; `1/2` when
//!   `x_i = x_j`.
//! - **Utilities** (risk exponent `r_i`): `U^s = 2 - 4 (1/2 - δ_ij/2)^r`, `U^f = 2 - 4 (1/2 +
//!   δ_ij/2)^r`, `U^b = 2 - 4 (1/2 - (δ_iμ + δ_ij)/4)^r`, `U^w = 2 - 4 (1/2 + (δ_iμ +
//!   δ_ij)/4)^r`, `U^sq = 2 - 4 (1/2)^r`.
//! - **Expected utility** of `i` challenging `j`: `EU_ij = s_j (P_ij U^s + (1 - P_ij) U^f) +
//!   (1 - s_j) U^s - Q U^sq - (1 - Q) (T U^b + (1 - T) U^w)`, with `Q` and `T` parameters
//!   ([`EumParams`], default `Q = 1`: without a challenge the status quo holds).
//! - **Risk.** A first pass with every `r = 1`; `i`'s exposure is `S_i = Σ_{j≠i} EU_ji` (what
//!   the others expect from challenging it); `R_i = (2 S_i - max S - min S) / (max S - min S)`
//!   (0 when every `S` is equal) and `r_i = (1 - R_i/3) / (1 + R_i/3)`, in `[1/2, 2]`; the
//!   second pass, with these `r_i`, gives the `EU` the actors act on.
//! - **Offers.** Each `i` with `EU_ij > 0` proposes to `j` that `j` move to `x_i`. `j` reads
//!   the proposal with its own `EU_ji`: if `0 < EU_ji < EU_ij`, a conflict `j` expects to
//!   lose: it moves to `x_i`; if `EU_ji ≥ EU_ij > 0`, a conflict it expects to win: it
//!   refuses; if `EU_ji ≤ 0` and `|EU_ji| < EU_ij`, a compromise: it moves `|EU_ji| /
//!   EU_ij` of the way to `x_i`; if `EU_ji ≤ 0` and `|EU_ji| ≥ EU_ij`, it capitulates: it
//!   moves to `x_i`. Of the proposals it does not refuse, `j` takes the one that moves it
//!   least (the first proposer on a tie); every actor moves at once.
//! - **Stop.** When no position moves by more than [`CONVERGED`] of the range in a round
//!   (converged), after `max_rounds` rounds, or before a round past the work budget.
//!   The forecast is the weighted median of the last positions.
//!
//! A round of [`run_eum`] ([`Workspace::round`]) computes exactly what [`round_detail`]
//! computes, to the bit, with less work: the probabilities, which depend on the two
//! positions only, once for each pair of **distinct** positions (from sorted positions and
//! prefix sums, the midpoints' places found by a sweep: `O(1)` a pair), and each actor's
//! utilities of success and failure (two `powf` each) once per distinct position of its
//! rival; the buffers are kept from round to round. A round costs `O(n²)` and `2 n m`
//! `powf` for `m` distinct positions (DEU issues hold a few distinct positions among 27
//! actors).

use crate::error::{Error, ErrorKind};
use crate::model::{MAX_ACTORS, Stop};

/// The options of the expected utility model.
#[derive(Clone, Debug, PartialEq)]
pub struct EumParams {
    /// `Q`: the probability that, without a challenge, the status quo holds (in `[0, 1]`).
    pub q: f64,
    /// `T`: the probability that a change without a challenge is for the better (in
    /// `[0, 1]`; used only when `Q < 1`).
    pub t: f64,
    /// The most rounds run.
    pub max_rounds: usize,
    /// The work budget, in units of one pair of actors weighed once (about 30 ns each).
    pub max_work: u64,
}

/// A round in which no position moves by more than this share of the opening range ends
/// the run as converged (0.1 point on a 0-100 scale; compromises approach a position
/// geometrically and would otherwise take hundreds of rounds to stop).
pub const CONVERGED: f64 = 1e-3;

/// The default work budget of [`EumParams::max_work`]: 3 x 10^8 pair-units, a few
/// seconds of one core at most.
pub const DEFAULT_EUM_WORK: u64 = 300_000_000;

impl Default for EumParams {
    fn default() -> Self {
        EumParams { q: 1.0, t: 1.0, max_rounds: 100, max_work: DEFAULT_EUM_WORK }
    }
}

/// One issue: each actor's position, capability (at least 0) and salience (in `[0, 1]`).
#[derive(Clone, Debug, PartialEq)]
pub struct EumInput {
    /// Positions, on any finite scale.
    pub positions: Vec<f64>,
    /// Capabilities, finite, at least 0.
    pub capabilities: Vec<f64>,
    /// Saliences, in `[0, 1]`.
    pub saliences: Vec<f64>,
}

impl EumInput {
    /// Checks the sizes and ranges: 2 to [`MAX_ACTORS`] actors, finite positions,
    /// capabilities at least 0, saliences in `[0, 1]`, some actor with both above 0.
    pub fn validate(&self) -> Result<(), Error> {
        let n = self.positions.len();
        let bad = |kind, m: String| Err(Error::new(kind, m));
        if !(2..=MAX_ACTORS).contains(&n) {
            return bad(ErrorKind::Count, format!("eum needs 2 to {MAX_ACTORS} actors, found {n}"));
        }
        if self.capabilities.len() != n || self.saliences.len() != n {
            return bad(ErrorKind::Count, "eum: one capability and one salience per actor".into());
        }
        for i in 0..n {
            let (x, c, s) = (self.positions[i], self.capabilities[i], self.saliences[i]);
            if !x.is_finite() {
                return bad(
                    ErrorKind::OutOfRange,
                    format!("eum: actor {}: position {x} is not finite", i + 1),
                );
            }
            if !(c.is_finite() && (0.0..=crate::MAX_CAPABILITY).contains(&c)) {
                return bad(
                    ErrorKind::OutOfRange,
                    format!("eum: actor {}: capability {c} outside [0, 1e8]", i + 1),
                );
            }
            if !(s.is_finite() && (0.0..=1.0).contains(&s)) {
                return bad(
                    ErrorKind::OutOfRange,
                    format!("eum: actor {}: salience {s} outside [0, 1]", i + 1),
                );
            }
        }
        if !self.capabilities.iter().zip(&self.saliences).any(|(c, s)| c * s > 0.0) {
            return bad(
                ErrorKind::OutOfRange,
                "eum: no actor has both capability and salience above 0".into(),
            );
        }
        Ok(())
    }
}

/// One state of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct EumRound {
    /// Each actor's position.
    pub positions: Vec<f64>,
    /// The weighted median of the positions (the forecast had the run stopped here).
    pub median: f64,
    /// The weighted mean of the positions.
    pub mean: f64,
}

/// The details of one round, for checking and explaining it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundDetail {
    /// `μ`, the weighted median.
    pub median: f64,
    /// `P[i][j]`: the probability that `i` prevails over `j`.
    pub probability: Vec<Vec<f64>>,
    /// `EU[i][j]` of the first pass, every `r = 1`.
    pub eu_neutral: Vec<Vec<f64>>,
    /// Each actor's risk exponent `r_i`.
    pub risk: Vec<f64>,
    /// `EU[i][j]` of the second pass, with the `r_i`.
    pub eu: Vec<Vec<f64>>,
    /// The positions after the round.
    pub next: Vec<f64>,
    /// Who moved, towards whose proposal: `(mover, proposer)`.
    pub moves: Vec<(usize, usize)>,
}

/// A run of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct EumRun {
    /// Round 0 (the opening positions) and each round run.
    pub rounds: Vec<EumRound>,
    /// Why the run stopped ([`Stop::Converged`], [`Stop::MaxRounds`] or [`Stop::Budget`]).
    pub stop: Stop,
    /// The work counted, in pair-units.
    pub work: u64,
}

impl EumRun {
    /// The forecast: the weighted median of the last positions.
    pub fn forecast(&self) -> f64 {
        self.rounds.last().map_or(0.0, |r| r.median)
    }
}

/// Weighted (lower) median and mean of `x` with weights `w` (every weight 1 when all are 0).
fn median_and_mean(x: &[f64], w: &[f64]) -> (f64, f64) {
    let total: f64 = w.iter().sum();
    let unit = total <= 0.0;
    let wt = |i: usize| if unit { 1.0 } else { w[i] };
    let total = if unit { x.len() as f64 } else { total };
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut acc = 0.0;
    let mut median = x[idx[idx.len() - 1]];
    for &i in &idx {
        acc += wt(i);
        if 2.0 * acc >= total {
            median = x[i];
            break;
        }
    }
    let mean = (0..x.len()).map(|i| wt(i) * x[i]).sum::<f64>() / total;
    (median, mean)
}

/// Voters sorted by position with prefix sums, for the probabilities.
struct Votes {
    /// Sorted positions.
    x: Vec<f64>,
    /// `W[k]`: the weight of the first `k` sorted voters.
    w: Vec<f64>,
    /// `WX[k]`: their weight x position.
    wx: Vec<f64>,
}

impl Votes {
    fn new(x: &[f64], weight: &[f64]) -> Votes {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut v = Votes { x: Vec::with_capacity(x.len()), w: vec![0.0], wx: vec![0.0] };
        for &i in &idx {
            v.x.push(x[i]);
            v.w.push(v.w[v.w.len() - 1] + weight[i]);
            v.wx.push(v.wx[v.wx.len() - 1] + weight[i] * x[i]);
        }
        v
    }

    /// The number of sorted voters at or below `t`, and strictly below.
    fn at_or_below(&self, t: f64) -> usize {
        self.x.partition_point(|&x| x <= t)
    }
    fn below(&self, t: f64) -> usize {
        self.x.partition_point(|&x| x < t)
    }

    /// The votes for `a` against `b` (`a < b`) and for `b` against `a`: voters at or left
    /// of `a` give `w (b - a)` to `a`; at or right of `b`, to `b`; between them, `2 w |m -
    /// x|` to the nearer (`m` the midpoint).
    fn split(&self, a: f64, b: f64) -> (f64, f64) {
        let d = b - a;
        let m = 0.5 * (a + b);
        let n = self.x.len();
        let ia = self.at_or_below(a); // voters with x <= a
        let ib = self.below(b); // voters with x < b
        let im_lo = self.below(m).max(ia); // a < x < m: [ia, im_lo)
        let im_hi = self.at_or_below(m).min(ib).max(im_lo); // m < x < b: [im_hi, ib)
        let range = |lo: usize, hi: usize| (self.w[hi] - self.w[lo], self.wx[hi] - self.wx[lo]);
        let (w_left, _) = range(0, ia);
        let (w_right, _) = range(ib, n);
        let (w1, wx1) = range(ia, im_lo);
        let (w2, wx2) = range(im_hi, ib);
        let for_a = d * w_left + 2.0 * (m * w1 - wx1);
        let for_b = d * w_right + 2.0 * (wx2 - m * w2);
        (for_a.max(0.0), for_b.max(0.0))
    }

    /// `P_ij`: the share of the votes between `x_i` and `x_j` that go to `x_i`.
    fn probability(&self, xi: f64, xj: f64) -> f64 {
        if xi == xj {
            return 0.5;
        }
        let (a, b) = if xi < xj { (xi, xj) } else { (xj, xi) };
        let (for_a, for_b) = self.split(a, b);
        let total = for_a + for_b;
        if total <= 0.0 {
            return 0.5;
        }
        let for_i = if xi < xj { for_a } else { for_b };
        for_i / total
    }
}

/// `2 - 4 (base)^r`, with `r = 1` computed without `powf`.
fn u(base: f64, r: f64) -> f64 {
    let b = base.max(0.0);
    if r == 1.0 { 2.0 - 4.0 * b } else { 2.0 - 4.0 * b.powf(r) }
}

/// `EU[i][j]` for every pair with risk exponents `r`.
fn expected_utilities(
    input: &EumInput,
    x: &[f64],
    scale: f64,
    mu: f64,
    p: &[Vec<f64>],
    r: &[f64],
    params: &EumParams,
) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut eu = vec![vec![0.0; n]; n];
    for i in 0..n {
        let ri = r[i];
        let usq = u(0.5, ri);
        let d_mu = (x[i] - mu).abs() / scale;
        for j in 0..n {
            if i == j {
                continue;
            }
            let d = (x[i] - x[j]).abs() / scale;
            let us = u(0.5 - 0.5 * d, ri);
            let uf = u(0.5 + 0.5 * d, ri);
            let sj = input.saliences[j];
            let pij = p[i][j];
            let mut e = sj * (pij * us + (1.0 - pij) * uf) + (1.0 - sj) * us - params.q * usq;
            if params.q < 1.0 {
                let ub = u(0.5 - 0.25 * (d_mu + d), ri);
                let uw = u(0.5 + 0.25 * (d_mu + d), ri);
                e -= (1.0 - params.q) * (params.t * ub + (1.0 - params.t) * uw);
            }
            eu[i][j] = e;
        }
    }
    eu
}

/// One round from positions `x`: the median, probabilities, both passes of expected
/// utilities, the risk exponents, and the positions after the offers.
pub fn round_detail(input: &EumInput, x: &[f64], scale: f64, params: &EumParams) -> RoundDetail {
    let n = x.len();
    let weight: Vec<f64> =
        input.capabilities.iter().zip(&input.saliences).map(|(c, s)| c * s).collect();
    let (mu, _) = median_and_mean(x, &weight);
    let votes = Votes::new(x, &weight);
    let p: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 0.5 } else { votes.probability(x[i], x[j]) }).collect())
        .collect();
    let eu_neutral = expected_utilities(input, x, scale, mu, &p, &vec![1.0; n], params);
    // Exposure: what the others expect from challenging i.
    let exposure: Vec<f64> =
        (0..n).map(|i| (0..n).filter(|&j| j != i).map(|j| eu_neutral[j][i]).sum()).collect();
    let hi = exposure.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = exposure.iter().copied().fold(f64::INFINITY, f64::min);
    let risk: Vec<f64> = exposure
        .iter()
        .map(|&e| {
            let big_r = if hi > lo { (2.0 * e - hi - lo) / (hi - lo) } else { 0.0 };
            (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
        })
        .collect();
    let eu = expected_utilities(input, x, scale, mu, &p, &risk, params);
    let (next, moves) = offers(x, &eu.concat(), n);
    RoundDetail { median: mu, probability: p, eu_neutral, risk, eu, next, moves }
}

/// The buffers of [`run_eum`]'s rounds, kept from round to round. [`Workspace::round`]
/// computes the positions [`round_detail`] computes, to the bit: every value it uses is
/// computed by the same operations on the same numbers, only once where `round_detail`
/// computes it again (the tests check this on random inputs with ties).
struct Workspace {
    /// `c_i s_i`.
    weight: Vec<f64>,
    /// The actors sorted by position (stably, as [`Votes::new`] sorts them).
    order: Vec<usize>,
    /// `W[k]` and `WX[k]` of [`Votes`]: the weight and weight x position of the first `k`
    /// sorted actors.
    w: Vec<f64>,
    wx: Vec<f64>,
    /// The distinct positions, ascending (`==` decides: `-0` and `0` are one).
    value: Vec<f64>,
    /// `start[g]`: the number of actors below the `g`-th distinct position (one entry
    /// more than `value`, the last `n`).
    start: Vec<usize>,
    /// Each actor's distinct position.
    group: Vec<usize>,
    /// `P` between distinct positions, `m x m` for `m` distinct positions.
    p: Vec<f64>,
    /// `EU[i][j]` of the first pass (every `r = 1`) and of the second, `n x n`.
    neutral: Vec<f64>,
    eu: Vec<f64>,
    /// One actor's utilities against each distinct position (success, failure, better,
    /// worse).
    us: Vec<f64>,
    uf: Vec<f64>,
    ub: Vec<f64>,
    uw: Vec<f64>,
    /// Each actor's exposure and risk exponent.
    exposure: Vec<f64>,
    risk: Vec<f64>,
}

impl Workspace {
    fn new(input: &EumInput) -> Workspace {
        let n = input.positions.len();
        Workspace {
            weight: input.capabilities.iter().zip(&input.saliences).map(|(c, s)| c * s).collect(),
            order: Vec::with_capacity(n),
            w: Vec::with_capacity(n + 1),
            wx: Vec::with_capacity(n + 1),
            value: Vec::with_capacity(n),
            start: Vec::with_capacity(n + 1),
            group: vec![0; n],
            p: Vec::new(),
            neutral: vec![0.0; n * n],
            eu: vec![0.0; n * n],
            us: Vec::with_capacity(n),
            uf: Vec::with_capacity(n),
            ub: Vec::with_capacity(n),
            uw: Vec::with_capacity(n),
            exposure: Vec::with_capacity(n),
            risk: Vec::with_capacity(n),
        }
    }

    /// Sorts the positions, groups the equal ones and sums the weights (as [`Votes::new`]).
    fn sort(&mut self, x: &[f64]) {
        let n = x.len();
        self.order.clear();
        self.order.extend(0..n);
        self.order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        self.w.clear();
        self.wx.clear();
        self.w.push(0.0);
        self.wx.push(0.0);
        self.value.clear();
        self.start.clear();
        for (k, &i) in self.order.iter().enumerate() {
            self.w.push(self.w[k] + self.weight[i]);
            self.wx.push(self.wx[k] + self.weight[i] * x[i]);
            if self.value.last() != Some(&x[i]) {
                self.value.push(x[i]);
                self.start.push(k);
            }
            self.group[i] = self.value.len() - 1;
        }
        self.start.push(n);
    }

    /// `P` between every two distinct positions, as [`Votes::probability`] computes it:
    /// [`Votes::split`] once for each pair, its indices found by a sweep instead of binary
    /// searches (the same indices: every one is the start of a distinct position).
    fn probabilities(&mut self) {
        let m = self.value.len();
        let n = *self.start.last().unwrap_or(&0);
        self.p.clear();
        self.p.resize(m * m, 0.5);
        let range = |w: &[f64], wx: &[f64], lo: usize, hi: usize| (w[hi] - w[lo], wx[hi] - wx[lo]);
        for ga in 0..m {
            let a = self.value[ga];
            let ia = self.start[ga + 1]; // actors with x <= a
            // The first distinct positions at or above the midpoint, and above it.
            let (mut at, mut above) = (ga, ga);
            for gb in ga + 1..m {
                let b = self.value[gb];
                let d = b - a;
                let mid = 0.5 * (a + b);
                while at < m && self.value[at] < mid {
                    at += 1;
                }
                while above < m && self.value[above] <= mid {
                    above += 1;
                }
                let ib = self.start[gb]; // actors with x < b
                let im_lo = self.start[at].max(ia);
                let im_hi = self.start[above].min(ib).max(im_lo);
                let (w, wx) = (&self.w[..], &self.wx[..]);
                let (w_left, _) = range(w, wx, 0, ia);
                let (w_right, _) = range(w, wx, ib, n);
                let (w1, wx1) = range(w, wx, ia, im_lo);
                let (w2, wx2) = range(w, wx, im_hi, ib);
                let for_a = (d * w_left + 2.0 * (mid * w1 - wx1)).max(0.0);
                let for_b = (d * w_right + 2.0 * (wx2 - mid * w2)).max(0.0);
                let total = for_a + for_b;
                if total > 0.0 {
                    self.p[ga * m + gb] = for_a / total;
                    self.p[gb * m + ga] = for_b / total;
                }
            }
        }
    }

    /// `i`'s utilities of success, failure, a better and a worse status quo against each
    /// distinct position, with risk exponent `r` (as [`expected_utilities`]).
    fn utilities(&mut self, xi: f64, d_mu: f64, scale: f64, r: f64, q: f64) {
        self.us.clear();
        self.uf.clear();
        self.ub.clear();
        self.uw.clear();
        for &xj in &self.value {
            let d = (xi - xj).abs() / scale;
            self.us.push(u(0.5 - 0.5 * d, r));
            self.uf.push(u(0.5 + 0.5 * d, r));
            if q < 1.0 {
                self.ub.push(u(0.5 - 0.25 * (d_mu + d), r));
                self.uw.push(u(0.5 + 0.25 * (d_mu + d), r));
            }
        }
    }

    /// `EU_ij` from the utilities of [`Workspace::utilities`] for `i` (as
    /// [`expected_utilities`]).
    #[inline]
    fn eu_of(&self, s_j: f64, p_ij: f64, g: usize, usq: f64, params: &EumParams) -> f64 {
        let (us, uf) = (self.us[g], self.uf[g]);
        let mut e = s_j * (p_ij * us + (1.0 - p_ij) * uf) + (1.0 - s_j) * us - params.q * usq;
        if params.q < 1.0 {
            let (ub, uw) = (self.ub[g], self.uw[g]);
            e -= (1.0 - params.q) * (params.t * ub + (1.0 - params.t) * uw);
        }
        e
    }

    /// One round from positions `x` with weighted median `mu`: the positions after it.
    fn round(
        &mut self,
        input: &EumInput,
        x: &[f64],
        mu: f64,
        scale: f64,
        params: &EumParams,
    ) -> Vec<f64> {
        let n = x.len();
        self.sort(x);
        self.probabilities();
        let m = self.value.len();
        // First pass, every r = 1.
        let mut neutral = std::mem::take(&mut self.neutral);
        for i in 0..n {
            let d_mu = (x[i] - mu).abs() / scale;
            self.utilities(x[i], d_mu, scale, 1.0, params.q);
            let usq = u(0.5, 1.0);
            let row = &self.p[self.group[i] * m..(self.group[i] + 1) * m];
            for j in 0..n {
                if i != j {
                    let g = self.group[j];
                    neutral[i * n + j] = self.eu_of(input.saliences[j], row[g], g, usq, params);
                }
            }
        }
        self.exposure.clear();
        self.exposure.extend(
            (0..n).map(|i| (0..n).filter(|&j| j != i).map(|j| neutral[j * n + i]).sum::<f64>()),
        );
        self.neutral = neutral;
        let hi = self.exposure.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = self.exposure.iter().copied().fold(f64::INFINITY, f64::min);
        self.risk.clear();
        self.risk.extend(self.exposure.iter().map(|&e| {
            let big_r = if hi > lo { (2.0 * e - hi - lo) / (hi - lo) } else { 0.0 };
            (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
        }));
        // Second pass, with the r_i.
        for (i, &xi) in x.iter().enumerate() {
            let ri = self.risk[i];
            let d_mu = (xi - mu).abs() / scale;
            self.utilities(xi, d_mu, scale, ri, params.q);
            let usq = u(0.5, ri);
            let gi = self.group[i];
            for j in 0..n {
                let e = if i == j {
                    0.0
                } else {
                    let g = self.group[j];
                    self.eu_of(input.saliences[j], self.p[gi * m + g], g, usq, params)
                };
                self.eu[i * n + j] = e;
            }
        }
        offers(x, &self.eu, n).0
    }
}

/// The positions after the offers, from `EU` (`n x n`, row = challenger), and who moved
/// towards whose proposal.
fn offers(x: &[f64], eu: &[f64], n: usize) -> (Vec<f64>, Vec<(usize, usize)>) {
    let mut next = x.to_vec();
    let mut moves = vec![];
    for j in 0..n {
        // The proposals j does not refuse: (distance moved, proposer, new position).
        let mut best: Option<(f64, usize, f64)> = None;
        for i in 0..n {
            let (eij, eji) = (eu[i * n + j], eu[j * n + i]);
            if i == j || eij <= 0.0 || x[i] == x[j] {
                continue;
            }
            let to = if eji > 0.0 {
                if eji >= eij {
                    continue; // a conflict j expects to win
                }
                x[i]
            } else if -eji < eij {
                x[j] + (x[i] - x[j]) * (-eji / eij)
            } else {
                x[i]
            };
            let moved = (to - x[j]).abs();
            if best.is_none_or(|(b, _, _)| moved < b) {
                best = Some((moved, i, to));
            }
        }
        if let Some((_, i, to)) = best {
            next[j] = to;
            moves.push((j, i));
        }
    }
    (next, moves)
}

/// The work of one round on `n` actors, in pair-units.
fn round_work(n: usize) -> u64 {
    let n = n as u64;
    n.saturating_mul(n).saturating_mul(3)
}

/// Runs the model on one issue until the positions settle, `max_rounds` or the budget.
pub fn run_eum(input: &EumInput, params: &EumParams) -> Result<EumRun, Error> {
    input.validate()?;
    if !(0.0..=1.0).contains(&params.q) || !(0.0..=1.0).contains(&params.t) {
        return Err(Error::new(ErrorKind::Params, "eum: Q and T must lie in [0, 1]"));
    }
    let weight: Vec<f64> =
        input.capabilities.iter().zip(&input.saliences).map(|(c, s)| c * s).collect();
    let state = |x: Vec<f64>| {
        let (median, mean) = median_and_mean(&x, &weight);
        EumRound { positions: x, median, mean }
    };
    let x0 = input.positions.clone();
    let hi = x0.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = x0.iter().copied().fold(f64::INFINITY, f64::min);
    let scale = hi - lo;
    let mut rounds = vec![state(x0)];
    let mut work = 0u64;
    if scale <= 0.0 {
        return Ok(EumRun { rounds, stop: Stop::Converged, work });
    }
    let cost = round_work(input.positions.len());
    let mut stop = Stop::MaxRounds;
    let mut ws = Workspace::new(input);
    for _ in 0..params.max_rounds {
        if work.saturating_add(cost) > params.max_work {
            stop = Stop::Budget;
            break;
        }
        work += cost;
        let last = &rounds[rounds.len() - 1];
        // The median of the positions is the last state's (`round_detail` computes it again).
        let (x, mu) = (&last.positions, last.median);
        let next = ws.round(input, x, mu, scale, params);
        let moved = x.iter().zip(&next).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        rounds.push(state(next));
        if moved <= CONVERGED * scale {
            stop = Stop::Converged;
            break;
        }
    }
    Ok(EumRun { rounds, stop, work })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_from_prefix_sums_equal_the_sum_over_voters() {
        let mut rng = detente_core::Rng::new(5);
        for n in [2usize, 3, 7, 30] {
            let x: Vec<f64> = (0..n).map(|_| (rng.unit() * 10.0).round()).collect();
            let w: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
            let votes = Votes::new(&x, &w);
            for i in 0..n {
                for j in 0..n {
                    if x[i] == x[j] {
                        continue;
                    }
                    let (mut pos, mut abs) = (0.0, 0.0);
                    for k in 0..n {
                        let v = w[k] * ((x[k] - x[j]).abs() - (x[k] - x[i]).abs());
                        pos += v.max(0.0);
                        abs += v.abs();
                    }
                    let got = votes.probability(x[i], x[j]);
                    assert!(
                        (got - pos / abs).abs() < 1e-12,
                        "n {n} i {i} j {j}: {got} vs {}",
                        pos / abs
                    );
                }
            }
        }
    }

    #[test]
    fn a_workspace_round_is_round_detail_to_the_bit() {
        let mut rng = detente_core::Rng::new(11);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for case in 0..60 {
            let n = [2usize, 3, 5, 12, 40][case % 5];
            // Half the cases on a few points (ties, and -0 beside 0), half spread out.
            let ties = case % 2 == 0;
            let positions: Vec<f64> = (0..n)
                .map(|i| match (ties, i % 7) {
                    (true, 0) => -0.0,
                    (true, _) => (rng.unit() * 4.0).floor() * 25.0,
                    (false, _) => rng.unit() * 100.0,
                })
                .collect();
            let capabilities: Vec<f64> =
                (0..n).map(|i| if i % 5 == 3 { 0.0 } else { 1.0 + rng.unit() * 9.0 }).collect();
            let saliences: Vec<f64> =
                (0..n).map(|i| if i % 6 == 4 { 0.0 } else { rng.unit() }).collect();
            let input = EumInput { positions, capabilities, saliences };
            if input.validate().is_err() {
                continue;
            }
            let params = match case % 3 {
                0 => EumParams::default(),
                1 => EumParams { q: 0.7, t: 0.3, ..EumParams::default() },
                _ => EumParams { q: 0.0, t: 1.0, ..EumParams::default() },
            };
            let weight: Vec<f64> =
                input.capabilities.iter().zip(&input.saliences).map(|(c, s)| c * s).collect();
            let mut ws = Workspace::new(&input);
            let mut x = input.positions.clone();
            for _ in 0..8 {
                let (mu, _) = median_and_mean(&x, &weight);
                let want = round_detail(&input, &x, 100.0, &params);
                let got = ws.round(&input, &x, mu, 100.0, &params);
                assert_eq!(bits(&got), bits(&want.next), "case {case}, positions {x:?}");
                x = got;
            }
        }
        // And whole runs: the positions of every round are those of round_detail.
        let input = EumInput {
            positions: (0..30).map(|i| f64::from((i * 37) % 11) * 9.0).collect(),
            capabilities: (0..30).map(|i| f64::from(1 + i % 4)).collect(),
            saliences: (0..30).map(|i| f64::from(1 + i % 9) / 10.0).collect(),
        };
        let run = run_eum(&input, &EumParams::default()).unwrap();
        assert!(run.rounds.len() > 2);
        for pair in run.rounds.windows(2) {
            let want = round_detail(&input, &pair[0].positions, 90.0, &EumParams::default());
            assert_eq!(bits(&pair[1].positions), bits(&want.next));
        }
    }

    #[test]
    fn bad_inputs_are_refused() {
        let ok = EumInput {
            positions: vec![0.0, 1.0],
            capabilities: vec![1.0, 1.0],
            saliences: vec![0.5, 0.5],
        };
        assert!(run_eum(&ok, &EumParams::default()).is_ok());
        let mut b = ok.clone();
        b.saliences[0] = 1.5;
        assert!(run_eum(&b, &EumParams::default()).unwrap_err().message().contains("salience 1.5"));
        let mut b = ok.clone();
        b.positions[1] = f64::NAN;
        assert!(run_eum(&b, &EumParams::default()).is_err());
        let mut b = ok.clone();
        b.positions.pop();
        assert!(run_eum(&b, &EumParams::default()).is_err());
        let b = EumInput { saliences: vec![0.0, 0.0], ..ok.clone() };
        assert!(run_eum(&b, &EumParams::default()).is_err());
        assert!(run_eum(&ok, &EumParams { q: 2.0, ..EumParams::default() }).is_err());
        // A budget below one round runs none.
        let r = run_eum(&ok, &EumParams { max_work: 1, ..EumParams::default() }).unwrap();
        assert_eq!((r.rounds.len(), r.stop), (1, Stop::Budget));
    }
}
