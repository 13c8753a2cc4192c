//! The Spatial Model of Politics: [`run_smp`] runs rounds of challenges and bargains until
//! positions settle (§2-§9 of the spec).
//!
//! Everything inside runs on KTAB's internal `[0, 1]` scale (inputs divided by 100) and is
//! reported back on the 0-100 scale (multiplied by 100), as KTAB does, so that positions
//! agree with KTAB's to the last bit.

use crate::error::{Error, ErrorKind};
use crate::input::SmpInput;
use crate::params::{
    BargainModel, BigRAdjust, BigRRange, InterVecBargain, SmpParams, StateTransitions,
    ThirdPartyCommit, VotingRule,
};
use crate::pce::{election_fixed_work, election_work, scalar_pce, vote};
use crate::work::{CHALLENGE_LANE, CHECK_EVERY, Meter, OverBudget, TERM, product};
use detente_core::Rng;

/// The smallest expected gain for which an actor challenges anyone.
const MIN_SIG_EU: f64 = 1e-5;
/// Floor of the challenge coalitions.
const MIN_CHALLENGE_COALITION: f64 = 1e-10;
/// The weight added to a side of an interpolated bargain.
const BARGAIN_EPS: f64 = 1e-6;
/// Positions closer than this (Euclidean, on `[0, 1]`) count as one in the win probabilities.
const POS_TOL: f64 = 1e-3;
/// Added to the first round's change in the stopping ratio.
const MIN_SIG_DELTA: f64 = 1e-4;

/// The most actors [`run_smp`] takes: its working matrices hold a few `actors × actors`
/// arrays of 8-byte numbers (a run on 2,000 actors was measured at 312 MB; the worst case
/// stays under 1 GB).
pub const MAX_ACTORS: usize = 2_000;

/// The most actor × (dimension + 1) cells a run keeps over all its states (the positions
/// and ideals of every round, 16 bytes a cell: 64 MB): a run stops with [`Stop::Storage`]
/// before a round whose state would take it past this.
pub const MAX_STORED_CELLS: usize = 4_000_000;

/// The least work of the opening state on `n` actors and `k` dimensions, in the units of
/// [`SmpParams::max_work`] (about a nanosecond each): every actor's distance to every
/// position (`2 n² k`), the tables derived from them (`4 n² + n`), and the election among
/// the `n` positions (`n² (n - 1)` for the votes, `3 n²` for its tables). A budget below
/// this is refused before anything is allocated.
pub fn opening_work(n_actors: usize, n_dims: usize) -> u64 {
    derive_work(n_actors, n_dims).saturating_add(election_work(n_actors, n_actors))
}

/// The least work of a round on `n` actors and `k` dimensions: every actor's challenges
/// ([`Model::best_challenge`]) and the new state's [`derive_work`] and election. A run
/// stops before a round that would take it past the budget even at this.
fn round_work(n: usize, k: usize) -> u64 {
    product(&[n as u64, challenge_work(n)]).saturating_add(opening_work(n, k))
}

/// The work of one actor's challenges ([`Model::best_challenge`]): `n` [`CHALLENGE_LANE`]s
/// for each of `n - 1` third parties, and `4 n` units.
fn challenge_work(n: usize) -> u64 {
    let n = n as u64;
    product(&[n, n.saturating_sub(1), CHALLENGE_LANE]).saturating_add(4 * n)
}

/// The work [`Model::derive`] counts besides its election.
fn derive_work(n: usize, k: usize) -> u64 {
    let (n, k) = (n as u64, k as u64);
    product(&[TERM, n, n, k]).saturating_add(product(&[4, n, n])).saturating_add(n)
}

/// A distinct position of a state, the actors holding it, and its probability of winning.
#[derive(Clone, Debug, PartialEq)]
pub struct Contender {
    /// The position, 0-100 per dimension (its first holder's).
    pub position: Vec<f64>,
    /// The actors holding it (closer than 0.1 on the 0-100 scale), by index.
    pub actors: Vec<usize>,
    /// The probability that this position wins (KTAB's probabilistic Condorcet election
    /// over the distinct positions); the contenders' probabilities sum to 1.
    pub probability: f64,
}

/// One state of a run: where every actor stands and what it wants.
#[derive(Clone, Debug, PartialEq)]
pub struct Round {
    /// `positions[actor][dim]`: the advocated positions, 0-100.
    pub positions: Vec<Vec<f64>>,
    /// `ideals[actor][dim]`: the ideal points, 0-100 (equal to the positions unless the
    /// parameters adjust ideals).
    pub ideals: Vec<Vec<f64>>,
    /// Per actor, the probability that its position wins, co-located actors (closer than
    /// 0.1 on the 0-100 scale) sharing one value; these may sum above 1.
    pub probabilities: Vec<f64>,
    /// Per actor, its risk attitude `R` in `[-1, 1]` (1: risk averse), from the win
    /// probabilities of every position.
    pub risk: Vec<f64>,
    /// The distinct positions and their probabilities of winning, in order of their first
    /// holder; `probabilities[a]` is the probability of the contender holding actor `a`.
    pub contenders: Vec<Contender>,
}

impl Round {
    /// The contenders most likely to win: every one whose probability is the largest (more
    /// than one only on an exact tie).
    pub fn most_likely(&self) -> Vec<&Contender> {
        let best = self.contenders.iter().map(|c| c.probability).fold(f64::NEG_INFINITY, f64::max);
        self.contenders.iter().filter(|c| c.probability == best).collect()
    }

    /// The expected position, per dimension: each contender's position weighted by its
    /// probability of winning (the weights are divided by their sum, 1 up to rounding).
    pub fn expected(&self) -> Vec<f64> {
        let k = self.contenders.first().map_or(0, |c| c.position.len());
        let total: f64 = self.contenders.iter().map(|c| c.probability).sum();
        (0..k)
            .map(|d| {
                self.contenders.iter().map(|c| c.probability * c.position[d]).sum::<f64>() / total
            })
            .collect()
    }
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// A round changed positions by less than [`SmpParams::min_delta_ratio`] of the first
    /// round's change.
    Converged,
    /// [`SmpParams::max_rounds`] rounds were run without converging.
    MaxRounds,
    /// The next round would have taken the run past its work budget
    /// ([`SmpParams::max_work`]): the run had not converged. The states kept are those of
    /// a run without the budget, bit for bit.
    Budget,
    /// The next round's state would have taken the run past [`MAX_STORED_CELLS`]: the run
    /// had not converged.
    Storage,
}

/// A run of the model: the initial state and one state per round.
#[derive(Clone, Debug, PartialEq)]
pub struct SmpRun {
    /// `rounds[0]` is the input; `rounds[t]` the state after round `t`.
    pub rounds: Vec<Round>,
    /// Per round `t >= 1`, the change of positions in that round over the first round's
    /// (KTAB's "fractional change compared to first step"); `rounds.len() - 1` values.
    pub fractional_changes: Vec<f64>,
    /// Why the run stopped.
    pub stop: Stop,
    /// The work counted for the states kept, in units of [`SmpParams::max_work`] (work
    /// spent on a round left unfinished at the budget is not included).
    pub work: u64,
}

impl SmpRun {
    /// The last state.
    pub fn last(&self) -> &Round {
        self.rounds.last().expect("a run has at least its initial state")
    }
}

/// Runs KTAB's Spatial Model of Politics on an input.
///
/// The input and parameters are validated first. A run is a pure function of its
/// arguments: the same input and parameters give the same run, bit for bit, on every
/// machine and for every [`SmpParams::threads`], in both deterministic and stochastic
/// modes.
///
/// Bounds, checked before anything is allocated: at most [`MAX_ACTORS`] actors, the first
/// state (and the first round, unless `max_rounds` is 0) within [`MAX_STORED_CELLS`], and
/// [`opening_work`] within [`SmpParams::max_work`]; beyond them an error of kind
/// [`ErrorKind::Limit`] or [`ErrorKind::Budget`] says which limit, as the latter does when
/// the opening state's work (its election may iterate) passes the budget. Every inner iteration of every round is
/// counted: a round that would take the run past either bound is not kept, and the run
/// stops with the states before it ([`Stop::Budget`], [`Stop::Storage`]). A run that
/// stops within its budget is the same, bit for bit, whatever the budget.
pub fn run_smp(input: &SmpInput, params: &SmpParams) -> Result<SmpRun, Error> {
    input.validate()?;
    params.validate()?;
    let (n, k) = (input.n_actors(), input.n_dims());
    if n > MAX_ACTORS {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "smp takes at most {MAX_ACTORS} actors (its memory grows with actors x actors); this input has {n}"
            ),
        ));
    }
    let cells = n.saturating_mul(k.saturating_add(1));
    let states = if params.max_rounds == 0 { 1 } else { 2 };
    if cells.saturating_mul(states) > MAX_STORED_CELLS {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "smp keeps at most {MAX_STORED_CELLS} actor x (dimension + 1) cells over a run; {n} actors x {} cells x {states} states do not fit",
                k.saturating_add(1)
            ),
        ));
    }
    let work = opening_work(n, k);
    if work > params.max_work {
        return Err(Error::new(
            ErrorKind::Budget,
            format!(
                "the opening state of smp on {n} actors and {k} dimensions takes at least {work} units of work, above the budget of {}",
                params.max_work
            ),
        ));
    }
    let accom = params.accommodation(input.n_actors())?;
    let model = Model::new(input, params, &accom);
    model.run().map_err(|OverBudget| {
        Error::new(
            ErrorKind::Budget,
            format!(
                "the opening state of smp on {n} actors and {k} dimensions takes more than the budget of {} units of work (its election did not settle within it)",
                params.max_work
            ),
        )
    })
}

/// The fixed data of a run, flattened.
struct Model<'a> {
    n: usize,
    k: usize,
    params: &'a SmpParams,
    threads: Threads,
    cap: Vec<f64>,
    /// `sal[i * k + d]` on `[0, 1]`.
    sal: Vec<f64>,
    /// `Σ_d sal²` per actor.
    sal_sq: Vec<f64>,
    /// `S_i c_i`: the weight in challenges.
    chal_w: Vec<f64>,
    /// Total salience `S_i` per actor.
    sal_total: Vec<f64>,
    /// Accommodation matrix as sparse rows (`(j, a_ij)` by increasing `j`), or `None` for
    /// the identity.
    accom: Option<Vec<Vec<(usize, f64)>>>,
    x0: Vec<f64>,
}

/// A state: positions and ideals on `[0, 1]`, `[actor * k + dim]`.
#[derive(Clone)]
struct State {
    pos: Vec<f64>,
    ideal: Vec<f64>,
}

/// What a state implies: distances, risk attitudes and objective utilities.
struct Derived {
    /// `d[i * n + j]`: distance from i's ideal to j's position, with i's saliences.
    d: Vec<f64>,
    /// `dt[j * n + i] = d[i * n + j]`.
    dt: Vec<f64>,
    /// Risk attitudes.
    risk: Vec<f64>,
    /// `obj[i * n + j] = U(d_ij, R_i)`: i's utility of j's position.
    obj: Vec<f64>,
}

/// One actor's beliefs about all actors.
struct View {
    /// Estimated risk attitudes.
    rh: Vec<f64>,
    /// Estimated utility of each actor for its own position.
    self_u: Vec<f64>,
}

/// A proposed pair of new positions for an initiator and a receiver.
struct Bargain {
    init: usize,
    recv: usize,
    /// Initiator's new position then receiver's, `2 * k` values.
    pos: Vec<f64>,
}

/// KTAB's utility of a normalised distance `d` for risk attitude `r`:
/// `(1 - d)(1 + r d)` for `d <= 1`, else `(1 - d)(1 + r)`, written without a branch
/// (`r * 1.0 == r` exactly).
#[inline]
fn util(d: f64, r: f64) -> f64 {
    (1.0 - d) * (1.0 + r * d.min(1.0))
}

/// Rounds to 4 decimals (0.01 on the 0-100 scale), half away from zero.
#[inline]
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl<'a> Model<'a> {
    fn new(input: &SmpInput, params: &'a SmpParams, accom: &[Vec<(usize, f64)>]) -> Model<'a> {
        let n = input.n_actors();
        let k = input.n_dims();
        let cap: Vec<f64> = input.actors.iter().map(|a| a.capability).collect();
        let sal: Vec<f64> = input.salience.iter().flatten().map(|s| s / 100.0).collect();
        let sal_sq =
            (0..n).map(|i| sal[i * k..(i + 1) * k].iter().fold(0.0, |t, s| t + s * s)).collect();
        let sal_total: Vec<f64> =
            (0..n).map(|i| sal[i * k..(i + 1) * k].iter().fold(0.0, |t, s| t + s)).collect();
        let chal_w = (0..n).map(|i| sal_total[i] * cap[i]).collect();
        let identity = accom.iter().enumerate().all(|(i, row)| row[..] == [(i, 1.0)]);
        let accom = (!identity).then(|| accom.to_vec());
        let x0 = input.positions.iter().flatten().map(|x| x / 100.0).collect();
        // Chosen automatically, threads only take chunks worth a spawn (each item costs
        // O(n²): 32 actors or more per thread); chosen by the caller, they are used as
        // given.
        let threads = match params.threads {
            0 => Threads { count: cores(), min_chunk: 32 },
            t => Threads { count: t, min_chunk: 1 },
        };
        Model { n, k, params, threads, cap, sal, sal_sq, chal_w, sal_total, accom, x0 }
    }

    /// The run; `Err` when the opening state alone passes the work budget.
    fn run(&self) -> Result<SmpRun, OverBudget> {
        let meter = Meter::new(self.params.max_work);
        let mut rng = Rng::new(self.params.seed);
        let mut state = State { pos: self.x0.clone(), ideal: self.x0.clone() };
        let mut derived = self.derive(&state, &meter)?;
        let mut rounds = vec![self.report(&state, &derived, &meter)?];
        let mut work = meter.used();
        let mut fractional_changes = Vec::new();
        let mut first_change = 0.0;
        let cells = self.n * (self.k + 1);
        let least_round = round_work(self.n, self.k);
        let stop = loop {
            let t = rounds.len();
            if t > self.params.max_rounds {
                break Stop::MaxRounds;
            }
            if (t + 1).saturating_mul(cells) > MAX_STORED_CELLS {
                break Stop::Storage;
            }
            if work.saturating_add(least_round) > self.params.max_work {
                break Stop::Budget;
            }
            // A round past the budget is dropped whole: the run is the states before it.
            let round = |rng: &mut Rng| -> Result<_, OverBudget> {
                let next = self.step(&state, &derived, rng, &meter)?;
                meter.charge(product(&[TERM, self.n as u64, self.k as u64]))?;
                let change = self.change(&state, &next);
                let derived = self.derive(&next, &meter)?;
                let report = self.report(&next, &derived, &meter)?;
                Ok((next, change, derived, report))
            };
            let Ok((next, change, next_derived, report)) = round(&mut rng) else {
                break Stop::Budget;
            };
            work = meter.used();
            if t == 1 {
                first_change = change;
            }
            let ratio = change / (first_change + MIN_SIG_DELTA);
            fractional_changes.push(ratio);
            derived = next_derived;
            rounds.push(report);
            state = next;
            if t >= self.params.min_rounds && ratio < self.params.min_delta_ratio {
                break Stop::Converged;
            }
            if t >= self.params.max_rounds {
                break Stop::MaxRounds;
            }
        };
        Ok(SmpRun { rounds, fractional_changes, stop, work })
    }

    /// `Σ_i ||θ_i − θ'_i||₂`.
    fn change(&self, a: &State, b: &State) -> f64 {
        let k = self.k;
        (0..self.n)
            .map(|i| {
                let mut s = 0.0;
                for d in 0..k {
                    let x = a.pos[i * k + d] - b.pos[i * k + d];
                    s += x * x;
                }
                s.sqrt()
            })
            .sum()
    }

    /// Distance from `ideal` (with actor `i`'s saliences) to `pos`.
    #[inline]
    fn dist(&self, i: usize, ideal: &[f64], pos: &[f64]) -> f64 {
        let s = &self.sal[i * self.k..(i + 1) * self.k];
        let mut t = 0.0;
        for d in 0..self.k {
            let x = s[d] * (ideal[d] - pos[d]);
            t += x * x;
        }
        (t / self.sal_sq[i]).sqrt()
    }

    /// [`derive_work`], and the election among the `n` positions, counted in one charge
    /// before the work (and a Markov election's iterations as they run).
    fn derive(&self, st: &State, meter: &Meter) -> Result<Derived, OverBudget> {
        let (n, k) = (self.n, self.k);
        let election = election_fixed_work(self.params.pce, n, n);
        meter.charge(derive_work(n, k).saturating_add(election))?;
        let mut d = vec![0.0; n * n];
        for i in 0..n {
            let q = &st.ideal[i * k..(i + 1) * k];
            for j in 0..n {
                d[i * n + j] = self.dist(i, q, &st.pos[j * k..(j + 1) * k]);
            }
        }
        let u0: Vec<f64> = d.iter().map(|x| 1.0 - x).collect();
        let p = self.pce(&u0, n, meter)?;
        let risk = risk_from_prob(self.params.big_r_range, &p);
        let obj = (0..n * n).map(|ij| util(d[ij], risk[ij / n])).collect();
        let dt = (0..n * n).map(|ji| d[(ji % n) * n + ji / n]).collect();
        Ok(Derived { d, dt, risk, obj })
    }

    /// The election among `m` options ([`scalar_pce`]: the caller counts
    /// [`election_fixed_work`], the Markov iterations are counted on `meter`).
    fn pce(&self, u: &[f64], m: usize, meter: &Meter) -> Result<Vec<f64>, OverBudget> {
        let p = self.params;
        scalar_pce(p.voting_rule, p.victory_prob, p.pce, &self.cap, u, m, meter)
    }

    /// For `m` distinct positions, the distances that find them and each actor's (at most
    /// `2 n m k` terms), the table of utilities (`n m`), and the election among them. The
    /// search for the distinct positions is counted a chunk of actors at a time (its length
    /// is not known up front), the rest in one charge before it is done.
    fn report(&self, st: &State, der: &Derived, meter: &Meter) -> Result<Round, OverBudget> {
        let (n, k) = (self.n, self.k);
        let rows = |v: &[f64]| -> Vec<Vec<f64>> {
            (0..n).map(|i| v[i * k..(i + 1) * k].iter().map(|x| x * 100.0).collect()).collect()
        };
        // Representatives: an actor is one when no earlier representative is within POS_TOL.
        let close = |a: usize, b: usize| {
            let mut s = 0.0;
            for d in 0..k {
                let x = st.pos[a * k + d] - st.pos[b * k + d];
                s += x * x;
            }
            s.sqrt() < POS_TOL
        };
        // Actor i compares itself with the representatives found before it, 2 k units each,
        // and 1 unit more. Chunks of actors of at most about CHECK_EVERY units each.
        let mut reps: Vec<usize> = Vec::new();
        let chunk = usize::try_from(CHECK_EVERY / product(&[TERM, n as u64, k as u64]).max(1))
            .unwrap_or(usize::MAX)
            .max(1);
        let mut start = 0;
        while start < n {
            let end = start.saturating_add(chunk).min(n);
            let before = reps.len();
            for i in start..end {
                if !reps.iter().any(|&r| close(i, r)) {
                    reps.push(i);
                }
            }
            // The representatives found before the chunk are seen by each of its actors,
            // one found at r in it by the actors after r.
            let seen = product(&[before as u64, (end - start) as u64])
                .saturating_add(reps[before..].iter().map(|&r| (end - 1 - r) as u64).sum());
            meter.charge(product(&[TERM, seen, k as u64]).saturating_add((end - start) as u64))?;
            start = end;
        }
        let m = reps.len();
        let (n64, m64) = (n as u64, m as u64);
        meter.charge(
            product(&[TERM, n64, m64, k as u64])
                .saturating_add(product(&[n64, m64]))
                .saturating_add(election_fixed_work(self.params.pce, n, m)),
        )?;
        let mut u = vec![0.0; n * m];
        for i in 0..n {
            for (o, &r) in reps.iter().enumerate() {
                u[i * m + o] = der.obj[i * n + r];
            }
        }
        let p = self.pce(&u, m, meter)?;
        let mut contenders: Vec<Contender> = reps
            .iter()
            .zip(&p)
            .map(|(&r, &probability)| Contender {
                position: st.pos[r * k..(r + 1) * k].iter().map(|x| x * 100.0).collect(),
                actors: Vec::new(),
                probability,
            })
            .collect();
        let probabilities = (0..n)
            .map(|i| {
                let o = reps
                    .iter()
                    .rposition(|&r| close(i, r))
                    .expect("every actor is near a representative");
                contenders[o].actors.push(i);
                p[o]
            })
            .collect();
        Ok(Round {
            positions: rows(&st.pos),
            ideals: rows(&st.ideal),
            probabilities,
            risk: der.risk.clone(),
            contenders,
        })
    }

    /// Actor `h`'s estimate of every actor's risk attitude.
    fn beliefs(&self, der: &Derived, h: usize) -> Vec<f64> {
        let rh = der.risk[h];
        (0..self.n)
            .map(|i| {
                if i == h {
                    return rh;
                }
                let ri = der.risk[i];
                match self.params.big_r_adjust {
                    BigRAdjust::None => rh,
                    BigRAdjust::OneThird => (2.0 * rh + ri) / 3.0,
                    BigRAdjust::Half => (rh + ri) / 2.0,
                    BigRAdjust::TwoThirds => (rh + 2.0 * ri) / 3.0,
                    BigRAdjust::Full => ri,
                }
            })
            .collect()
    }

    /// What actor `h` believes of every actor `t`: its risk attitude `rh[t]` and its
    /// utility of its own position `self_u[t]`.
    fn view(&self, der: &Derived, h: usize) -> View {
        let n = self.n;
        let rh = self.beliefs(der, h);
        let self_u = (0..n).map(|t| util(der.d[t * n + t], rh[t])).collect();
        View { rh, self_u }
    }

    /// KTAB's `probEduChlg(h, k, i, j)` from `h`'s view: the probability that `i` beats
    /// `j`, and `k`'s expected gain from the challenge. `col_i[t]` is `h`'s estimate of
    /// `t`'s utility of `i`'s position.
    fn challenge(
        &self,
        der: &Derived,
        view: &View,
        col_i: &[f64],
        k: usize,
        i: usize,
        j: usize,
    ) -> (f64, f64) {
        macro_rules! with_rule {
            ($($rule:ident),*) => {
                match self.params.voting_rule {
                    $(VotingRule::$rule => self.challenge_with(der, view, col_i, k, i, j, |w, a, b| vote(VotingRule::$rule, w, a, b)),)*
                }
            };
        }
        with_rule!(Binary, PropBin, Proportional, PropCbc, Cubic, ASymProsp)
    }

    /// [`Model::challenge`] with the voting rule fixed at compile time.
    #[allow(clippy::too_many_arguments)] // the four actors of KTAB's probEduChlg
    #[inline(always)]
    fn challenge_with(
        &self,
        der: &Derived,
        view: &View,
        col_i: &[f64],
        k: usize,
        i: usize,
        j: usize,
        vote: impl Fn(f64, f64, f64) -> f64,
    ) -> (f64, f64) {
        let n = self.n;
        let rh = &view.rh[..n];
        let self_u = &view.self_u[..n];
        let col_i = &col_i[..n];
        let col_j = &der.dt[j * n..(j + 1) * n];
        let chal_w = &self.chal_w[..n];
        let u = |a: usize, b: usize| util(der.d[a * n + b], rh[a]);
        let (u_ii, u_ij, u_ji, u_jj) = (col_i[i], u(i, j), col_i[j], self_u[j]);
        // Adding max(v, 0) is bit-identical to adding v only when it is positive.
        let v_i = vote(chal_w[i], u_ii, u_ij);
        let v_j = vote(chal_w[j], u_ji, u_jj);
        let c0_ij = MIN_CHALLENGE_COALITION + v_i.max(0.0) + v_j.max(0.0);
        let c0_ji = MIN_CHALLENGE_COALITION + (-v_i).max(0.0) + (-v_j).max(0.0);
        let (mut c_ij, mut c_ji) = (c0_ij, c0_ji);
        let commit = self.params.third_party_commit;
        for t in 0..n {
            if t == i || t == j {
                continue;
            }
            let w = chal_w[t];
            let u_ti = col_i[t];
            let u_tj = util(col_j[t], rh[t]);
            let u_tt = self_u[t];
            let v = vote(w, u_ti, u_tj);
            let a = c0_ij + v.max(0.0);
            let b = c0_ji + (-v).max(0.0);
            let pi = a / (a + b);
            let (ik_j, j_ik, i_jk, jk_i) = match commit {
                ThirdPartyCommit::SemiCommit => {
                    (2.0 * u_ti + u_tt, 3.0 * u_tj, 3.0 * u_ti, 2.0 * u_tj + u_tt)
                }
                ThirdPartyCommit::FullCommit => (3.0 * u_ti, 3.0 * u_tj, 3.0 * u_ti, 3.0 * u_tj),
                ThirdPartyCommit::NoCommit => {
                    (2.0 * u_ti + u_tt, 2.0 * u_tj + u_tt, 2.0 * u_ti + u_tt, 2.0 * u_tj + u_tt)
                }
            };
            let join_i = pi * ik_j + (1.0 - pi) * j_ik;
            let join_j = pi * i_jk + (1.0 - pi) * jk_i;
            let v = vote(w, join_i, join_j);
            c_ij += v.max(0.0);
            c_ji += (-v).max(0.0);
        }
        let p = c_ij / (c_ij + c_ji);
        let (u_ki, u_kj) = (u(k, i), u(k, j));
        let sq = u_ki + u_kj;
        let win = 2.0 * u_ki;
        let lose = 2.0 * u_kj;
        let s_j = self.sal_total[j];
        let e = (1.0 - s_j) * win + s_j * (p * win + (1.0 - p) * lose);
        (p, e - sq)
    }

    /// `h`'s estimate of every actor's utility of `i`'s position.
    fn column(&self, der: &Derived, view: &View, i: usize) -> Vec<f64> {
        let n = self.n;
        (0..n).map(|t| util(der.dt[i * n + t], view.rh[t])).collect()
    }

    /// Actor `i`'s best target and its probability of winning, if any gain is worth it:
    /// [`challenge_work`] units, counted by the caller.
    fn best_challenge(&self, der: &Derived, i: usize) -> Option<(usize, f64)> {
        let view = self.view(der, i);
        let col_i = self.column(der, &view, i);
        let evals = self.challenges_by(der, &view, &col_i, i);
        let mut best: Option<(usize, f64, f64)> = None;
        for (j, &(p, eu)) in evals.iter().enumerate() {
            if j != i && best.is_none_or(|(_, _, b)| eu > b) {
                best = Some((j, p, eu));
            }
        }
        best.filter(|&(_, _, eu)| eu > MIN_SIG_EU).map(|(j, p, _)| (j, p))
    }

    /// `probEduChlg(i, i, i, j)` for every `j` at once (the entry of `i` itself is
    /// meaningless): the same operations as [`Model::challenge`] in the same order for each
    /// `j`, laid out so that the loop over `j` runs in SIMD lanes.
    fn challenges_by(
        &self,
        der: &Derived,
        view: &View,
        col_i: &[f64],
        i: usize,
    ) -> Vec<(f64, f64)> {
        macro_rules! with_rule {
            ($($rule:ident),*) => {
                match self.params.voting_rule {
                    $(VotingRule::$rule => self.challenges_with(der, view, col_i, i, |w, a, b| vote(VotingRule::$rule, w, a, b)),)*
                }
            };
        }
        with_rule!(Binary, PropBin, Proportional, PropCbc, Cubic, ASymProsp)
    }

    #[inline(always)]
    fn challenges_with(
        &self,
        der: &Derived,
        view: &View,
        col_i: &[f64],
        i: usize,
        vote: impl Fn(f64, f64, f64) -> f64 + Copy,
    ) -> Vec<(f64, f64)> {
        match self.params.third_party_commit {
            ThirdPartyCommit::SemiCommit => {
                self.challenges_commit(der, view, col_i, i, vote, |ti, tj, tt| {
                    (2.0 * ti + tt, 3.0 * tj, 3.0 * ti, 2.0 * tj + tt)
                })
            }
            ThirdPartyCommit::FullCommit => {
                self.challenges_commit(der, view, col_i, i, vote, |ti, tj, _| {
                    (3.0 * ti, 3.0 * tj, 3.0 * ti, 3.0 * tj)
                })
            }
            ThirdPartyCommit::NoCommit => {
                self.challenges_commit(der, view, col_i, i, vote, |ti, tj, tt| {
                    (2.0 * ti + tt, 2.0 * tj + tt, 2.0 * ti + tt, 2.0 * tj + tt)
                })
            }
        }
    }

    #[inline(always)]
    fn challenges_commit(
        &self,
        der: &Derived,
        view: &View,
        col_i: &[f64],
        i: usize,
        vote: impl Fn(f64, f64, f64) -> f64 + Copy,
        payoffs: impl Fn(f64, f64, f64) -> (f64, f64, f64, f64) + Copy,
    ) -> Vec<(f64, f64)> {
        let n = self.n;
        let rh = &view.rh[..n];
        let self_u = &view.self_u[..n];
        let col_i = &col_i[..n];
        let chal_w = &self.chal_w[..n];
        let r_i = rh[i];
        let u_ii = col_i[i];
        let row_i = &der.d[i * n..(i + 1) * n];
        // Principals' votes, as in `challenge_with`.
        let mut c0_ij = vec![0.0; n];
        let mut c0_ji = vec![0.0; n];
        for j in 0..n {
            let u_ij = util(row_i[j], r_i);
            let v_i = vote(chal_w[i], u_ii, u_ij);
            let v_j = vote(chal_w[j], col_i[j], self_u[j]);
            c0_ij[j] = MIN_CHALLENGE_COALITION + v_i.max(0.0) + v_j.max(0.0);
            c0_ji[j] = MIN_CHALLENGE_COALITION + (-v_i).max(0.0) + (-v_j).max(0.0);
        }
        let mut c_ij = c0_ij.clone();
        let mut c_ji = c0_ji.clone();
        for t in 0..n {
            if t == i {
                continue;
            }
            let (w, u_ti, u_tt, r) = (chal_w[t], col_i[t], self_u[t], rh[t]);
            let row_t = &der.d[t * n..(t + 1) * n];
            // t is no third party of its own challenge: lanes j < t and j > t only.
            for range in [0..t, t + 1..n] {
                let lanes = row_t[range.clone()]
                    .iter()
                    .zip(&c0_ij[range.clone()])
                    .zip(&c0_ji[range.clone()])
                    .zip(c_ij[range.clone()].iter_mut().zip(&mut c_ji[range]));
                for (((&d_tj, &c0_ij), &c0_ji), (c_ij, c_ji)) in lanes {
                    let u_tj = util(d_tj, r);
                    let v = vote(w, u_ti, u_tj);
                    let a = c0_ij + v.max(0.0);
                    let b = c0_ji + (-v).max(0.0);
                    let pi = a / (a + b);
                    let (ik_j, j_ik, i_jk, jk_i) = payoffs(u_ti, u_tj, u_tt);
                    let join_i = pi * ik_j + (1.0 - pi) * j_ik;
                    let join_j = pi * i_jk + (1.0 - pi) * jk_i;
                    let v = vote(w, join_i, join_j);
                    *c_ij += v.max(0.0);
                    *c_ji += (-v).max(0.0);
                }
            }
        }
        (0..n)
            .map(|j| {
                let p = c_ij[j] / (c_ij[j] + c_ji[j]);
                let (u_ki, u_kj) = (u_ii, util(row_i[j], r_i));
                let sq = u_ki + u_kj;
                let win = 2.0 * u_ki;
                let lose = 2.0 * u_kj;
                let s_j = self.sal_total[j];
                let e = (1.0 - s_j) * win + s_j * (p * win + (1.0 - p) * lose);
                (p, e - sq)
            })
            .collect()
    }

    /// The interpolated bargain between `i` and `j`, `p_i` being the probability that `i`
    /// wins.
    fn interpolate(&self, st: &State, i: usize, j: usize, p_i: f64) -> Vec<f64> {
        let k = self.k;
        let p_j = 1.0 - p_i;
        let mut out = vec![0.0; 2 * k];
        for d in 0..k {
            let (s_i, s_j) = (self.sal[i * k + d], self.sal[j * k + d]);
            let (t_i, t_j) = (st.pos[i * k + d], st.pos[j * k + d]);
            match self.params.inter_vec_bargain {
                InterVecBargain::S1P1 | InterVecBargain::S2P2 => {
                    let (w_i, w_j) = if self.params.inter_vec_bargain == InterVecBargain::S2P2 {
                        (s_i * s_i * p_i * p_i, s_j * s_j * p_j * p_j)
                    } else {
                        (s_i * p_i, s_j * p_j)
                    };
                    let den = w_i + BARGAIN_EPS + w_j;
                    out[d] = round4(((w_i + BARGAIN_EPS) * t_i + w_j * t_j) / den);
                    out[k + d] = round4((w_i * t_i + (BARGAIN_EPS + w_j) * t_j) / den);
                }
                InterVecBargain::S2PMax => {
                    let d_i = (p_j - p_i).max(0.0);
                    let d_j = (p_i - p_j).max(0.0);
                    let (s2_i, s2_j) = (s_i * s_i, s_j * s_j);
                    out[d] = t_i
                        + d_i * s2_j / (d_i * s2_j + BARGAIN_EPS + (1.0 - d_i) * s2_i)
                            * (t_j - t_i);
                    out[k + d] = t_j
                        + d_j * s2_i / (d_j * s2_i + BARGAIN_EPS + (1.0 - d_j) * s2_j)
                            * (t_i - t_j);
                }
            }
        }
        out
    }

    /// The work of the bargains one actor proposes ([`Model::bargains`]): `k` units, and
    /// `n` [`CHALLENGE_LANE`]s and `4 n` units for a receiver's view.
    fn bargain_work(&self) -> u64 {
        let receivers_view = self.params.bargain_model != BargainModel::InitOnlyInterp;
        let view_work =
            if receivers_view { product(&[CHALLENGE_LANE + 4, self.n as u64]) } else { 0 };
        view_work.saturating_add(self.k as u64)
    }

    /// The bargains actor `i` proposes after choosing target `j` with probability `p`
    /// ([`Model::bargain_work`], counted by the caller).
    fn bargains(&self, st: &State, der: &Derived, i: usize, j: usize, p: f64) -> Vec<Bargain> {
        let mine = Bargain { init: i, recv: j, pos: self.interpolate(st, i, j, p) };
        match self.params.bargain_model {
            BargainModel::InitOnlyInterp => vec![mine],
            BargainModel::InitRcvrInterp | BargainModel::PWCompInterp => {
                let view = self.view(der, j);
                let col_i = self.column(der, &view, i);
                let (p_j_view, _) = self.challenge(der, &view, &col_i, j, i, j);
                let theirs = self.interpolate(st, i, j, p_j_view);
                if self.params.bargain_model == BargainModel::InitRcvrInterp {
                    vec![mine, Bargain { init: i, recv: j, pos: theirs }]
                } else {
                    let (w_i, w_j) = (self.chal_w[i], self.chal_w[j]);
                    let pos = mine
                        .pos
                        .iter()
                        .zip(&theirs)
                        .map(|(a, b)| (w_i * a + w_j * b) / (w_i + w_j))
                        .collect();
                    vec![Bargain { init: i, recv: j, pos }]
                }
            }
        }
    }

    /// One round: challenges, bargains, queues, new positions and ideals, each step's work
    /// counted in one charge before it is done (and Markov elections' iterations as they
    /// run).
    fn step(
        &self,
        st: &State,
        der: &Derived,
        rng: &mut Rng,
        meter: &Meter,
    ) -> Result<State, OverBudget> {
        let (n, k) = (self.n, self.k);
        let (n64, k64) = (n as u64, k as u64);
        meter.charge(product(&[n64, challenge_work(n)]))?;
        let targets = par_map(self.threads, n, |i| self.best_challenge(der, i));
        let proposers = targets.iter().filter(|t| t.is_some()).count() as u64;
        meter.charge(product(&[proposers, self.bargain_work()]))?;
        let mut bargains = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            if let Some((j, p)) = *t {
                bargains.extend(self.bargains(st, der, i, j, p));
            }
        }
        // The queues, the transposed utilities and the status quo's values.
        meter.charge(product(&[2, n64, n64 + 1]).saturating_add(2 * bargains.len() as u64))?;
        // queues[a]: indices of the bargains involving a, in initiator order.
        let mut queues: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (b, bg) in bargains.iter().enumerate() {
            queues[bg.init].push(b);
            queues[bg.recv].push(b);
        }
        // Every voter's mean utility over all positions once a bargain is implemented:
        // values[b][a] = (Σ_x U_a(x's position)) / n, summed over x in order for each
        // voter (the loop over voters runs in SIMD lanes).
        let objt: Vec<f64> = (0..n * n).map(|xa| der.obj[(xa % n) * n + xa / n]).collect();
        let nf = n as f64;
        let value_work = product(&[TERM, n64, n64 + 2 * k64]).saturating_add(3 * n64);
        meter.charge(product(&[bargains.len() as u64, value_work]))?;
        let values: Vec<Vec<f64>> = par_map(self.threads, bargains.len(), |b| {
            let bg = &bargains[b];
            let side_u = |side: usize| -> Vec<f64> {
                let pos = &bg.pos[side * k..(side + 1) * k];
                (0..n)
                    .map(|a| util(self.dist(a, &st.ideal[a * k..(a + 1) * k], pos), der.risk[a]))
                    .collect()
            };
            let (init_u, recv_u) = (side_u(0), side_u(1));
            let mut t = vec![0.0; n];
            for x in 0..n {
                let src = if x == bg.init {
                    &init_u[..]
                } else if x == bg.recv {
                    &recv_u[..]
                } else {
                    &objt[x * n..(x + 1) * n]
                };
                for (t, s) in t.iter_mut().zip(src) {
                    *t += s;
                }
            }
            t.iter_mut().for_each(|t| *t /= nf);
            t
        });
        let draws: Vec<f64> = match self.params.transitions {
            StateTransitions::Deterministic => Vec::new(),
            StateTransitions::Stochastic => {
                queues.iter().map(|q| if q.is_empty() { 0.0 } else { rng.unit() }).collect()
            }
        };
        let sq_value: Vec<f64> = (0..n)
            .map(|a| der.obj[a * n..(a + 1) * n].iter().fold(0.0, |t, x| t + x) / nf)
            .collect();
        // Each actor with a queue: its table of utilities and the election among the status
        // quo and its queue.
        let choice_work = queues.iter().filter(|q| !q.is_empty()).fold(0u64, |w, q| {
            let m = q.len() + 1;
            let election = election_fixed_work(self.params.pce, n, m);
            w.saturating_add(product(&[n64, m as u64])).saturating_add(election)
        });
        meter.charge(choice_work)?;
        let choices = try_par_map(self.threads, n, |me| {
            let queue = &queues[me];
            if queue.is_empty() {
                return Ok(None);
            }
            let m = queue.len() + 1;
            let mut u = vec![0.0; n * m];
            for a in 0..n {
                u[a * m] = sq_value[a];
                for (o, &b) in queue.iter().enumerate() {
                    u[a * m + o + 1] = values[b][a];
                }
            }
            let p = self.pce(&u, m, meter)?;
            let chosen = match self.params.transitions {
                StateTransitions::Deterministic => first_max(&p),
                StateTransitions::Stochastic => sample(&p, draws[me]),
            };
            Ok((chosen > 0).then(|| queue[chosen - 1]))
        })?;
        // The new positions, and the ideals moved toward them.
        let cells = self.accom.as_ref().map_or(0, |a| a.iter().map(Vec::len).sum::<usize>());
        meter.charge(product(&[TERM, (n + cells) as u64, k64 + 1]))?;
        let mut pos = st.pos.clone();
        for (me, c) in choices.iter().enumerate() {
            if let Some(b) = *c {
                let bg = &bargains[b];
                let side = usize::from(bg.init != me);
                pos[me * k..(me + 1) * k].copy_from_slice(&bg.pos[side * k..(side + 1) * k]);
            }
        }
        let ideal = match &self.accom {
            None => pos.clone(),
            Some(a) => {
                let mut q = vec![0.0; n * k];
                // Over the non-zero cells only, in column order: bit-identical to the dense
                // sums, whose zero cells add +0.0 to sums that are never -0.0.
                for (i, row) in a.iter().enumerate() {
                    let total = row.iter().fold(0.0, |t, &(_, x)| t + x);
                    for d in 0..k {
                        let mut s = 0.0;
                        for &(j, x) in row {
                            s += x * pos[j * k + d];
                        }
                        q[i * k + d] = s + (1.0 - total) * st.ideal[i * k + d];
                    }
                }
                q
            }
        };
        Ok(State { pos, ideal })
    }
}

/// KTAB's `bigRfromProb`: risk attitudes from win probabilities, the most likely actor
/// being the most risk averse (R = 1). When every probability is equal, every R is 0.
fn risk_from_prob(range: BigRRange, p: &[f64]) -> Vec<f64> {
    let pmin = p.iter().copied().fold(f64::INFINITY, f64::min);
    let pmax = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if pmax.partial_cmp(&pmin) != Some(std::cmp::Ordering::Greater) {
        return vec![0.0; p.len()];
    }
    p.iter()
        .map(|&p| match range {
            BigRRange::Min => (p - pmin) / (pmax - pmin),
            BigRRange::Mid => (3.0 * p - pmax - 2.0 * pmin) / (2.0 * (pmax - pmin)),
            BigRRange::Max => (2.0 * p - pmax - pmin) / (pmax - pmin),
        })
        .collect()
}

/// The index of the first largest value.
fn first_max(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in p.iter().enumerate() {
        if x > p[best] {
            best = i;
        }
    }
    best
}

/// The option drawn by a uniform number `u` in `[0, 1)`.
fn sample(p: &[f64], u: f64) -> usize {
    let total: f64 = p.iter().sum();
    let mut acc = 0.0;
    for (i, &x) in p.iter().enumerate() {
        acc += x / total;
        if u < acc {
            return i;
        }
    }
    p.len() - 1
}

/// The machine's cores (`available_parallelism`, read once: it reads the cgroup files on
/// each call, measured at 2% of a backtest that made one run per issue).
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |t| t.get()))
}

/// How work is spread: at most `count` threads, each with at least `min_chunk` items.
#[derive(Clone, Copy)]
pub(crate) struct Threads {
    pub(crate) count: usize,
    pub(crate) min_chunk: usize,
}

/// `(0..n).map(f).collect::<Vec<T>>()` computed on up to `threads` scoped threads over
/// contiguous chunks; the result does not depend on the thread count.
pub(crate) fn par_map<T: Send>(
    threads: Threads,
    n: usize,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let threads = threads.count.min(n / threads.min_chunk).max(1);
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let chunk = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                s.spawn(move || (start..(start + chunk).min(n)).map(f).collect::<Vec<T>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker threads do not panic")).collect()
    })
}

/// `(0..n).map(f).collect::<Result<Vec<T>, E>>()` computed on up to `threads` scoped
/// threads over contiguous chunks, each chunk stopping at its first error; the result does
/// not depend on the thread count when `f` fails for an item whatever the order (as a
/// charge past the work budget does once the budget is passed).
pub(crate) fn try_par_map<T: Send, E: Send>(
    threads: Threads,
    n: usize,
    f: impl Fn(usize) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E> {
    let threads = threads.count.min(n / threads.min_chunk).max(1);
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let chunk = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                s.spawn(move || {
                    (start..(start + chunk).min(n)).map(f).collect::<Result<Vec<T>, E>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        let mut failed = None;
        for h in handles {
            match h.join().expect("worker threads do not panic") {
                Ok(part) => out.extend(part),
                Err(e) => failed = failed.or(Some(e)),
            }
        }
        failed.map_or(Ok(out), Err)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{IdealAdjustment, PceModel};

    #[test]
    fn utility_and_rounding() {
        assert_eq!(util(0.0, 0.7), 1.0);
        assert_eq!(util(1.0, -0.5), 0.0);
        assert_eq!(util(0.5, 1.0), 0.75);
        assert_eq!(util(0.5, 0.0), 0.5);
        assert_eq!(util(0.5, -1.0), 0.25);
        assert_eq!(util(1.5, 0.5), -0.75);
        assert_eq!(round4(0.43234999), 0.4323);
        assert_eq!(round4(0.12345), 0.1235);
        assert_eq!(round4(0.4323) * 100.0, 43.230000000000004);
    }

    #[test]
    fn risk_ranges() {
        let p = [0.1, 0.2, 0.5];
        let mid = risk_from_prob(BigRRange::Mid, &p);
        assert_eq!(mid[2], 1.0);
        assert!((mid[0] + 0.5).abs() < 1e-15);
        let max = risk_from_prob(BigRRange::Max, &p);
        assert_eq!((max[0], max[2]), (-1.0, 1.0));
        let min = risk_from_prob(BigRRange::Min, &p);
        assert_eq!((min[0], min[2]), (0.0, 1.0));
        assert_eq!(risk_from_prob(BigRRange::Mid, &[0.5, 0.5]), vec![0.0, 0.0]);
    }

    #[test]
    fn first_max_and_sampling() {
        assert_eq!(first_max(&[0.2, 0.4, 0.4]), 1);
        assert_eq!(sample(&[0.2, 0.3, 0.5], 0.1), 0);
        assert_eq!(sample(&[0.2, 0.3, 0.5], 0.45), 1);
        assert_eq!(sample(&[0.2, 0.3, 0.5], 0.99), 2);
    }

    #[test]
    fn all_targets_at_once_match_one_by_one() {
        let input = SmpInput::random(3, 12, 2);
        for commit in
            [ThirdPartyCommit::SemiCommit, ThirdPartyCommit::FullCommit, ThirdPartyCommit::NoCommit]
        {
            for rule in VotingRule::ALL {
                let params = SmpParams {
                    voting_rule: *rule,
                    third_party_commit: commit,
                    ..SmpParams::default()
                };
                let accom = params.accommodation(12).unwrap();
                let model = Model::new(&input, &params, &accom);
                let st = State { pos: model.x0.clone(), ideal: model.x0.clone() };
                let der = model.derive(&st, &Meter::new(u64::MAX)).unwrap();
                for i in 0..12 {
                    let view = model.view(&der, i);
                    let col_i = model.column(&der, &view, i);
                    let all = model.challenges_by(&der, &view, &col_i, i);
                    for j in (0..12).filter(|&j| j != i) {
                        let (p, eu) = model.challenge(&der, &view, &col_i, i, i, j);
                        assert_eq!(
                            (p.to_bits(), eu.to_bits()),
                            (all[j].0.to_bits(), all[j].1.to_bits())
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn par_map_keeps_order() {
        let serial: Vec<usize> = (0..100).map(|i| i * i).collect();
        for count in [1, 2, 3, 7, 64, 200] {
            for min_chunk in [1, 8] {
                let threads = Threads { count, min_chunk };
                assert_eq!(par_map(threads, 100, |i| i * i), serial);
                assert_eq!(try_par_map(threads, 100, |i| Ok::<_, ()>(i * i)), Ok(serial.clone()));
                let failing = try_par_map(threads, 100, |i| if i >= 40 { Err(i) } else { Ok(i) });
                assert!(failing.is_err());
            }
        }
    }

    #[test]
    fn inputs_beyond_the_limits_are_refused_before_any_allocation() {
        // 20,000 actors once aborted on the n x n matrices.
        let mut input = SmpInput::random(1, 3, 1);
        let actor = input.actors[0].clone();
        for i in 3..20_000 {
            input.actors.push(crate::Actor { name: format!("x{i}"), ..actor.clone() });
            input.positions.push(vec![50.0]);
            input.salience.push(vec![50.0]);
        }
        let e = run_smp(&input, &SmpParams::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(
            e.message(),
            "smp takes at most 2000 actors (its memory grows with actors x actors); this input has 20000"
        );
        // 2 actors x 2,000,000 dimensions: two states are 8,000,002 cells.
        let k = 2_000_000;
        let wide = SmpInput {
            actors: input.actors[..2].to_vec(),
            dimensions: (0..k).map(|d| d.to_string()).collect(),
            positions: vec![vec![1.0; k], vec![2.0; k]],
            salience: vec![vec![1e-5; k], vec![1e-5; k]],
        };
        let e = run_smp(&wide, &SmpParams::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert!(e.message().starts_with("smp keeps at most 4000000 actor x (dimension + 1) cells"));
        // 2 actors x 699,999 dimensions: 1,400,000 cells a state, so two states fit and a
        // third does not: one round, then a stop that names the storage, not the budget.
        let k = 699_999;
        let wide = SmpInput {
            dimensions: (0..k).map(|d| d.to_string()).collect(),
            positions: vec![vec![1.0; k], vec![2.0; k]],
            salience: vec![vec![1e-4; k], vec![1e-4; k]],
            ..wide
        };
        let run = run_smp(&wide, &SmpParams::default()).unwrap();
        assert_eq!((run.rounds.len(), run.stop), (2, Stop::Storage));
        let tiny = SmpParams { max_work: 10, ..SmpParams::default() };
        let e = run_smp(&SmpInput::random(1, 3, 1), &tiny).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Budget);
        assert_eq!(
            e.message(),
            "the opening state of smp on 3 actors and 1 dimensions takes at least 102 units of work, above the budget of 10"
        );
        // 2 x 9 distance terms, 4 x 9 + 3 for the tables; 2 x 3 x 3 votes, 3 x 9 for the
        // election's tables.
        assert_eq!(opening_work(3, 1), 18 + 39 + 18 + 27);
    }

    fn none_work(input: &SmpInput) -> u64 {
        run_smp(input, &SmpParams { max_rounds: 0, ..SmpParams::default() }).unwrap().work
    }

    fn one_work(input: &SmpInput) -> u64 {
        run_smp(input, &SmpParams { max_rounds: 1, ..SmpParams::default() }).unwrap().work
    }

    #[test]
    fn a_run_stops_at_its_budget_and_says_so() {
        let input = SmpInput::random(5, 30, 2);
        let full = run_smp(&input, &SmpParams::default()).unwrap();
        assert_eq!(full.stop, Stop::Converged);
        assert!(full.rounds.len() > 3, "{}", full.rounds.len());
        // The work of the opening state and two rounds is a budget that keeps them, exactly.
        let two = run_smp(&input, &SmpParams { max_rounds: 2, ..SmpParams::default() }).unwrap();
        assert!(two.work < full.work);
        for threads in [1, 3] {
            for (max_work, states) in [(two.work, 3), (two.work - 1, 2)] {
                let params = SmpParams { max_work, threads, ..SmpParams::default() };
                let cut = run_smp(&input, &params).unwrap();
                assert_eq!(cut.stop, Stop::Budget);
                assert_eq!(cut.rounds.len(), states);
                assert_eq!(cut.rounds[..], full.rounds[..states]);
                assert!(cut.work <= max_work);
            }
        }
        // The least work of the opening state and of a round are below what is counted.
        assert!(none_work(&input) >= opening_work(30, 2));
        assert!(two.work - one_work(&input) >= round_work(30, 2));
        // A budget of the whole run's work changes nothing.
        let params = SmpParams { max_work: full.work, ..SmpParams::default() };
        assert_eq!(run_smp(&input, &params).unwrap(), full);
        // Zero rounds: the opening state and its win probabilities.
        let none = run_smp(&input, &SmpParams { max_rounds: 0, ..SmpParams::default() }).unwrap();
        assert_eq!((none.rounds.len(), none.stop), (1, Stop::MaxRounds));
        assert_eq!(none.rounds[0], full.rounds[0]);
        assert!(none.fractional_changes.is_empty());
        let one = run_smp(&input, &SmpParams { max_rounds: 1, ..SmpParams::default() }).unwrap();
        assert_eq!((one.rounds.len(), one.stop), (2, Stop::MaxRounds));
    }

    #[test]
    fn batched_charges_count_what_one_charge_per_iteration_counted() {
        // The work of these runs as counted when every inner iteration charged the meter on
        // its own (main at e7e1081): charging a loop's work in one batch, and the
        // representatives and Markov iterations a chunk at a time, changes no total. The
        // 30 x 100 input takes 10 chunks of 3 actors to find its representatives.
        use BargainModel::{InitOnlyInterp, InitRcvrInterp, PWCompInterp};
        use PceModel::{Conditional, MarkovIncentive, MarkovUniform};
        let det = StateTransitions::Deterministic;
        let sto = StateTransitions::Stochastic;
        let cases: [(u64, usize, usize, PceModel, BargainModel, StateTransitions, u64); 13] = [
            (2, 12, 2, Conditional, InitOnlyInterp, det, 273_174),
            (2, 12, 2, Conditional, InitRcvrInterp, det, 435_596),
            (2, 12, 2, Conditional, PWCompInterp, det, 318_975),
            (2, 12, 2, MarkovIncentive, InitOnlyInterp, det, 854_230),
            (2, 12, 2, MarkovIncentive, InitRcvrInterp, det, 1_415_734),
            (2, 12, 2, MarkovIncentive, PWCompInterp, det, 864_596),
            (2, 12, 2, MarkovUniform, InitOnlyInterp, det, 759_657),
            (2, 12, 2, MarkovUniform, InitRcvrInterp, det, 1_312_304),
            (2, 12, 2, MarkovUniform, PWCompInterp, det, 807_137),
            (5, 30, 100, Conditional, InitRcvrInterp, det, 6_887_396),
            (5, 30, 100, MarkovIncentive, InitRcvrInterp, sto, 9_969_990),
            (3, 9, 3, MarkovUniform, InitRcvrInterp, sto, 767_997),
            (3, 9, 3, Conditional, PWCompInterp, sto, 160_365),
        ];
        assert_eq!(CHECK_EVERY / product(&[TERM, 30, 100]), 10);
        for (seed, n, k, pce, bargain_model, transitions, work) in cases {
            let input = SmpInput::random(seed, n, k);
            // The last two with an ideal adjustment and third parties that do not commit.
            let (ideal_adjustment, third_party_commit) = if seed == 3 {
                let cell =
                    |adjusting, reference, adjust| IdealAdjustment { adjusting, reference, adjust };
                (vec![cell(0, 0, 0.7), cell(0, 1, 0.3)], ThirdPartyCommit::NoCommit)
            } else {
                (Vec::new(), ThirdPartyCommit::default())
            };
            let max_rounds = if n == 30 { 4 } else { 12 };
            for threads in [1, 2] {
                let params = SmpParams {
                    pce,
                    bargain_model,
                    transitions,
                    ideal_adjustment: ideal_adjustment.clone(),
                    third_party_commit,
                    max_rounds,
                    threads,
                    ..SmpParams::default()
                };
                let run = run_smp(&input, &params).unwrap();
                assert_eq!(run.work, work, "{seed} {n} {k} {pce:?} {bargain_model:?} {threads}");
            }
        }
    }

    #[test]
    fn markov_elections_are_counted_and_stopped_at_the_budget() {
        let input = SmpInput::random(7, 12, 2);
        for pce in [PceModel::MarkovUniform, PceModel::MarkovIncentive] {
            let params = SmpParams { pce, ..SmpParams::default() };
            let full = run_smp(&input, &params).unwrap();
            assert!(full.rounds.len() > 3, "{pce:?}");
            let opening = SmpParams { max_rounds: 0, ..params.clone() };
            let opening = run_smp(&input, &opening).unwrap().work;
            // More than the least work: the elections' iterations are counted.
            assert!(opening > opening_work(12, 2), "{pce:?}");
            for threads in [1, 2] {
                let cut =
                    SmpParams { max_work: (opening + full.work) / 2, threads, ..params.clone() };
                let cut = run_smp(&input, &cut).unwrap();
                assert_eq!(cut.stop, Stop::Budget);
                assert!(cut.rounds.len() < full.rounds.len());
                assert_eq!(cut.rounds[..], full.rounds[..cut.rounds.len()]);
            }
            // A budget the opening state's election passes: refused, saying so.
            let short = SmpParams { max_work: opening - 1, ..params.clone() };
            let e = run_smp(&input, &short).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Budget);
            assert!(e.message().ends_with("(its election did not settle within it)"), "{e}");
        }
    }

    #[test]
    fn contenders_are_the_distinct_positions_the_model_elects_among() {
        for seed in 0..20 {
            let input = SmpInput::random(seed, 9, 2);
            let run = run_smp(&input, &SmpParams::default()).unwrap();
            for r in &run.rounds {
                let total: f64 = r.contenders.iter().map(|c| c.probability).sum();
                assert!((total - 1.0).abs() < 1e-9, "{total}");
                let mut held: Vec<usize> =
                    r.contenders.iter().flat_map(|c| c.actors.clone()).collect();
                held.sort_unstable();
                assert_eq!(held, (0..9).collect::<Vec<_>>());
                for c in &r.contenders {
                    for &a in &c.actors {
                        assert_eq!(r.probabilities[a], c.probability);
                        let d2: f64 = r.positions[a]
                            .iter()
                            .zip(&c.position)
                            .map(|(x, y)| (x - y) * (x - y))
                            .sum();
                        assert!(d2.sqrt() < 0.1 + 1e-9);
                    }
                }
                let best = r.most_likely();
                assert!(!best.is_empty());
                assert!(r.contenders.iter().all(|c| c.probability <= best[0].probability));
                for (d, &e) in r.expected().iter().enumerate() {
                    let want: f64 =
                        r.contenders.iter().map(|c| c.probability * c.position[d]).sum::<f64>()
                            / total;
                    assert_eq!(e, want);
                }
            }
        }
    }
}
