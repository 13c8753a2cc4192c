//! Monte Carlo over the estimates' ranges: how likely each verdict, the gap and a deal are.
//!
//! A **draw** gives every estimate with a range ([`Scenario::estimates`], not a single point)
//! a value, `Spread::quantile(point, u)` of a uniform `u`, and every doubtful red line
//! ([`detente_core::Doubt`]) a coin: it holds when `u < holds`. Draw `k` takes its `u`s, in
//! that fixed order, from `Rng::derive(seed, &[k])` and from nothing else, so a draw is the
//! same on any thread and in any shard. The draw is made by a per-thread
//! [`detente_core::Sampler`] (its own copy of the scenario, the ranges resolved once) and
//! analysed by the functions the deterministic commands use: for each proposal studied,
//! each party's verdict ([`detente_analysis::evaluate`]), whether every counted party
//! accepts, and the gap total (the counted parties' shortfalls, as [`detente_analysis::gap`]
//! adds them up: [`detente_analysis::PartyEvaluation::shortfall`]);
//! once per draw, whether any deal exists for the counted parties
//! ([`detente_analysis::deadlock`], with a node budget per draw) and, if none does, the
//! constraints of the minimal conflict.
//!
//! What is kept is a [`Tally`]: counts, the conflicts met with their counts, and every
//! draw's gap on every proposal (the quantiles are exact order statistics, and the mean is
//! summed in sorted order, so neither depends on the order of the draws). Tallies of shards
//! ([`Shard`]: the draws `k` with `k % count == index`) merge ([`Tally::merge`]) into exactly
//! the tally of one run.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use detente_analysis::{Constraint, DeadlockOptions, Verdict, deadlock, evaluate};
use detente_core::{Grade, Origin, RedLineRef, Rng, Sampler, Scenario};

use crate::Error;

/// The most draws a study may have.
pub const MAX_SAMPLES: u64 = 10_000_000;
/// The most gap values (draws x proposals studied) a study may keep: every one is kept, 8
/// bytes each, for exact quantiles.
pub const MAX_GAP_VALUES: u64 = 50_000_000;
/// The most worker threads (more are refused).
pub const MAX_THREADS: usize = 256;
/// The default node budget of each draw's deadlock search: far below the deadlock
/// command's, since a study runs up to millions of them; a search that spends it is counted
/// as not exact.
pub const DEFAULT_DRAW_NODES: u64 = 100_000;
/// Draws a worker takes at a time.
const CHUNK: u64 = 64;

/// One part of a study: the draws `k` with `k % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shard {
    /// Which part, `0..count`.
    pub index: u64,
    /// How many parts, at least 1.
    pub count: u64,
}

impl Shard {
    /// The whole study.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Reads `K/N` (`0 <= K < N`).
    pub fn parse(s: &str) -> Option<Shard> {
        let (k, n) = s.split_once('/')?;
        let (index, count) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
        (index < count).then_some(Shard { index, count })
    }

    /// How many of `samples` draws are in this part.
    pub fn draws_of(&self, samples: u64) -> u64 {
        if self.index >= samples { 0 } else { (samples - 1 - self.index) / self.count + 1 }
    }
}

/// What a study draws and analyses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// How many draws, `1..=MAX_SAMPLES`.
    pub samples: u64,
    /// The seed: draw `k` uses `Rng::derive(seed, &[k])`.
    pub seed: u64,
    /// The proposals studied (indices, each once, ascending).
    pub proposals: Vec<usize>,
    /// The parties whose acceptance counts (indices, each once, ascending; usually
    /// [`detente_analysis::counted_parties`]).
    pub counted: Vec<usize>,
    /// Node budget of each draw's deadlock search (`None`: unlimited).
    pub max_nodes: Option<u64>,
    /// Worker threads (0: all cores); the result does not depend on it.
    pub threads: usize,
    /// The part to run.
    pub shard: Shard,
}

impl Options {
    /// Every proposal, the default counted parties, one run on all cores.
    pub fn new(s: &Scenario, samples: u64, seed: u64) -> Options {
        Options {
            samples,
            seed,
            proposals: (0..s.proposals().len()).collect(),
            counted: detente_analysis::counted_parties(s),
            max_nodes: Some(DEFAULT_DRAW_NODES),
            threads: 0,
            shard: Shard::ALL,
        }
    }
}

/// How many estimates a study varies, and where their ranges come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Inputs {
    /// Estimates with a range stated in the file.
    pub stated: u64,
    /// Estimates with a range derived from grade A, B and C.
    pub by_grade: [u64; 3],
    /// Estimates taken as known (no range).
    pub fixed: u64,
    /// Red lines with a doubt (a probability that they hold).
    pub doubts: u64,
}

impl Inputs {
    /// The count for a scenario.
    pub fn of(s: &Scenario) -> Inputs {
        let mut out = Inputs::default();
        for e in s.estimates() {
            match (e.origin, e.spread.is_point()) {
                (_, true) | (Origin::Fixed, _) => out.fixed += 1,
                (Origin::Stated, false) => out.stated += 1,
                (Origin::Grade(g), false) => out.by_grade[g as usize] += 1,
            }
        }
        out.doubts = s.uncertainty().doubts.len() as u64;
        out
    }

    /// Estimates that vary from draw to draw.
    pub fn varying(&self) -> u64 {
        self.stated + self.by_grade.iter().sum::<u64>()
    }

    /// The grade of `by_grade[i]`.
    pub fn grade(i: usize) -> Grade {
        [Grade::A, Grade::B, Grade::C][i]
    }
}

/// A constraint of a minimal conflict, as a study counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collider {
    /// A red line.
    RedLine(RedLineRef),
    /// A party's reservation.
    Reservation(usize),
}

impl Collider {
    fn of(c: &Constraint) -> Collider {
        match *c {
            Constraint::RedLine { party, issue, red_line } => {
                Collider::RedLine(RedLineRef { party, issue, index: red_line })
            }
            Constraint::Reservation { party } => Collider::Reservation(party),
        }
    }
}

/// The counts of one proposal over the draws of a tally.
#[derive(Clone, Debug, PartialEq)]
pub struct ProposalTally {
    /// The proposal (index).
    pub proposal: usize,
    /// Per party (in party order): draws in which it accepts, depends, rejects.
    pub verdicts: Vec<[u64; 3]>,
    /// Draws in which every counted party accepts.
    pub all_accept: u64,
    /// Every draw's gap total (the counted parties' shortfalls), ascending
    /// (`f64::total_cmp`).
    pub gaps: Vec<f64>,
}

/// How a draw's deadlock search ended, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DealTally {
    /// Draws in which some outcome is acceptable to every counted party (proved).
    pub exists: u64,
    /// Draws in which no deal exists (proved), with a minimal conflict.
    pub none: u64,
    /// Draws in which no deal exists (proved) but the minimal conflict was not found in the
    /// budget (not exact).
    pub none_unexplained: u64,
    /// Draws whose search spent its budget before deciding (not exact).
    pub undecided: u64,
    /// The minimal conflicts met (each sorted), with the draws in which each was met.
    pub conflicts: BTreeMap<Vec<Collider>, u64>,
}

impl DealTally {
    /// Draws whose deadlock search was not exact (spent its budget).
    pub fn not_exact(&self) -> u64 {
        self.none_unexplained + self.undecided
    }

    /// Per constraint: the draws in which it is in the minimal conflict, by constraint.
    pub fn by_collider(&self) -> BTreeMap<Collider, u64> {
        let mut out = BTreeMap::new();
        for (set, n) in &self.conflicts {
            for c in set {
                *out.entry(*c).or_insert(0) += n;
            }
        }
        out
    }
}

/// What a study (or one part of it) counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Tally {
    /// How many draws the whole study has.
    pub samples: u64,
    /// The seed.
    pub seed: u64,
    /// Into how many parts the study is split (1: not split).
    pub shard_count: u64,
    /// The parts held, ascending, each once.
    pub held: Vec<u64>,
    /// Draws held (the draws of the parts held).
    pub draws: u64,
    /// One per proposal studied, in the order of [`Options::proposals`].
    pub proposals: Vec<ProposalTally>,
    /// The deadlock answers.
    pub deal: DealTally,
}

/// Quantile levels reported: min, 5%, 25%, median, 75%, 95%, max.
pub const LEVELS: [f64; 7] = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];

impl ProposalTally {
    /// The empirical quantile at level `q` in `[0, 1]`: the smallest gap with at least a
    /// share `q` of the draws at or below it, i.e. the draw of rank `max(1, ceil(q n))`
    /// in ascending order (Hyndman and Fan's type 1, the inverse of the empirical
    /// distribution function; `q = 0` gives the minimum, `q = 1` the maximum). An exact
    /// order statistic: a gap some draw had. `None` without draws.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.gaps.len();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as usize).clamp(1, n);
        Some(self.gaps[rank - 1])
    }

    /// The quantiles at [`LEVELS`].
    pub fn quantiles(&self) -> Option<[f64; 7]> {
        let mut out = [0.0; 7];
        for (o, q) in out.iter_mut().zip(LEVELS) {
            *o = self.quantile(q)?;
        }
        Some(out)
    }

    /// The mean gap: the least gap plus the mean excess over it, summed in ascending order
    /// (so it does not depend on the order of the draws, and equal gaps have exactly their
    /// value as mean). `None` without draws.
    pub fn mean(&self) -> Option<f64> {
        let (&lo, &hi) = (self.gaps.first()?, self.gaps.last()?);
        let excess: f64 = self.gaps.iter().map(|g| g - lo).sum();
        Some((lo + excess / self.gaps.len() as f64).clamp(lo, hi))
    }
}

/// Checks the options against the scenario: the errors of [`run`].
pub fn check(s: &Scenario, o: &Options) -> Result<(), Error> {
    if o.samples == 0 || o.samples > MAX_SAMPLES {
        return Err(Error::new(format!("samples: {} (must be 1 to {MAX_SAMPLES})", o.samples)));
    }
    if o.proposals.is_empty() {
        return Err(Error::new("no proposal to study"));
    }
    let ascending = |v: &[usize]| v.windows(2).all(|w| w[0] < w[1]);
    if !ascending(&o.proposals) || o.proposals.iter().any(|&p| p >= s.proposals().len()) {
        return Err(Error::new("proposals: indices in range, each once, ascending"));
    }
    if o.counted.is_empty()
        || !ascending(&o.counted)
        || o.counted.iter().any(|&p| p >= s.parties().len())
    {
        return Err(Error::new("counted parties: at least one, in range, each once, ascending"));
    }
    let values = o.samples.saturating_mul(o.proposals.len() as u64);
    if values > MAX_GAP_VALUES {
        return Err(Error::new(format!(
            "samples: {} draws of {} proposals keep {values} gaps, more than {MAX_GAP_VALUES} (fewer samples, or one proposal)",
            o.samples,
            o.proposals.len()
        )));
    }
    if o.threads > MAX_THREADS {
        return Err(Error::new(format!(
            "threads: at most {MAX_THREADS} (the result does not depend on them)"
        )));
    }
    if o.shard.count == 0 || o.shard.index >= o.shard.count {
        return Err(Error::new("shard: K/N needs 0 <= K < N"));
    }
    if o.shard.count > o.samples {
        return Err(Error::new(format!(
            "shard {}/{}: the study has {} draws, so at most as many shards",
            o.shard.index, o.shard.count, o.samples
        )));
    }
    Ok(())
}

/// Runs the draws of `o.shard` on `o.threads` threads and counts them. `progress(done,
/// total)` is called (from the worker threads) as draws finish.
///
/// # Errors
/// Bad options ([`check`]); an analysis error (not expected: every draw keeps every number
/// within its range, see [`Sampler`]).
pub fn run(
    s: &Scenario,
    o: &Options,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Tally, Error> {
    check(s, o)?;
    let total = o.shard.draws_of(o.samples);
    let threads = if o.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        o.threads
    }
    .clamp(1, (total.div_ceil(CHUNK) as usize).clamp(1, MAX_THREADS));
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let parts: Mutex<Vec<Result<Tally, Error>>> = Mutex::new(Vec::with_capacity(threads));
    let worker = || {
        let result = work(s, o, total, &next, &done, progress);
        match parts.lock() {
            Ok(mut p) => p.push(result),
            Err(poisoned) => poisoned.into_inner().push(result),
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(worker);
        }
        worker();
    });
    let parts = parts.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut tally = empty(s, o);
    for part in parts {
        add(&mut tally, part?);
    }
    for p in &mut tally.proposals {
        p.gaps.sort_unstable_by(f64::total_cmp);
    }
    Ok(tally)
}

fn empty(s: &Scenario, o: &Options) -> Tally {
    Tally {
        samples: o.samples,
        seed: o.seed,
        shard_count: o.shard.count,
        held: vec![o.shard.index],
        draws: 0,
        proposals: o
            .proposals
            .iter()
            .map(|&proposal| ProposalTally {
                proposal,
                verdicts: vec![[0; 3]; s.parties().len()],
                all_accept: 0,
                gaps: vec![],
            })
            .collect(),
        deal: DealTally::default(),
    }
}

/// Adds the counts of `b` to `a` (gaps appended, not sorted).
fn add(a: &mut Tally, b: Tally) {
    a.draws += b.draws;
    for (x, y) in a.proposals.iter_mut().zip(b.proposals) {
        for (vx, vy) in x.verdicts.iter_mut().zip(&y.verdicts) {
            for (cx, cy) in vx.iter_mut().zip(vy) {
                *cx += cy;
            }
        }
        x.all_accept += y.all_accept;
        x.gaps.extend_from_slice(&y.gaps);
    }
    let (d, e) = (&mut a.deal, b.deal);
    d.exists += e.exists;
    d.none += e.none;
    d.none_unexplained += e.none_unexplained;
    d.undecided += e.undecided;
    for (set, n) in e.conflicts {
        *d.conflicts.entry(set).or_insert(0) += n;
    }
}

/// One worker: takes chunks of the shard's draws until none is left.
fn work(
    whole: &Scenario,
    o: &Options,
    total: u64,
    next: &AtomicU64,
    done: &AtomicU64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Tally, Error> {
    let mut sampler = Sampler::new(whole);
    let mut tally = empty(whole, o);
    let deadlock_options =
        DeadlockOptions { parties: Some(o.counted.clone()), max_nodes: o.max_nodes };
    let mut known = KnownConflicts::default();
    loop {
        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
        if start >= total {
            break;
        }
        let end = (start + CHUNK).min(total);
        for j in start..end {
            // The j-th draw of the shard.
            let k = o.shard.index + j * o.shard.count;
            let s = sampler.draw(&mut Rng::derive(o.seed, &[k]));
            one_draw(s, o, &deadlock_options, &mut known, &mut tally)?;
        }
        let d = done.fetch_add(end - start, Ordering::Relaxed) + (end - start);
        progress(d, total);
    }
    Ok(tally)
}

/// Conflicts of red lines alone, by the red lines suspended in the draw.
///
/// When the minimal conflict `deadlock` finds is made of red lines only, the red lines alone
/// leave no outcome, and `deadlock` answers from the red lines alone (its first step finds
/// the issue they empty and minimises on it, before any search): the same answer, constraint
/// for constraint, in every draw with the same red lines suspended, whatever the numbers.
/// A draw with a known set of suspended red lines takes the answer from here instead of
/// searching again.
#[derive(Default)]
struct KnownConflicts {
    known: Vec<(Vec<RedLineRef>, Vec<Collider>)>,
}

/// Sets of suspended red lines remembered at most (a study with many doubts searches on).
const KNOWN_CONFLICTS: usize = 64;

impl KnownConflicts {
    fn get(&self, suspended: &[RedLineRef]) -> Option<&Vec<Collider>> {
        self.known.iter().find(|(k, _)| k == suspended).map(|(_, c)| c)
    }

    fn remember(&mut self, suspended: &[RedLineRef], conflict: &[Collider]) {
        let red_lines_only = conflict.iter().all(|c| matches!(c, Collider::RedLine(_)));
        if red_lines_only && self.known.len() < KNOWN_CONFLICTS {
            self.known.push((suspended.to_vec(), conflict.to_vec()));
        }
    }
}

/// Counts a minimal conflict met in a draw.
fn count_conflict(deal: &mut DealTally, set: &[Collider]) {
    deal.none += 1;
    match deal.conflicts.get_mut(set) {
        Some(n) => *n += 1,
        None => {
            deal.conflicts.insert(set.to_vec(), 1);
        }
    }
}

/// Analyses the scenario as drawn and counts it into `tally`.
fn one_draw(
    s: &Scenario,
    o: &Options,
    deadlock_options: &DeadlockOptions,
    known: &mut KnownConflicts,
    tally: &mut Tally,
) -> Result<(), Error> {
    tally.draws += 1;
    for pt in &mut tally.proposals {
        let e = evaluate(s, pt.proposal)?;
        let mut all = true;
        for (counts, pe) in pt.verdicts.iter_mut().zip(&e.parties) {
            counts[verdict_index(pe.verdict)] += 1;
        }
        for &p in &o.counted {
            all &= e.parties[p].verdict == Verdict::Accepts;
        }
        pt.all_accept += u64::from(all);
        // The gap total: the counted parties' shortfalls (`gap`'s, from this evaluation).
        pt.gaps.push(o.counted.iter().map(|&p| e.parties[p].shortfall()).sum());
    }
    let deal = &mut tally.deal;
    if let Some(set) = known.get(s.suspended_red_lines()) {
        count_conflict(deal, set);
        return Ok(());
    }
    let d = deadlock(s, deadlock_options)?;
    match (d.decided, d.feasible, d.minimal) {
        (false, _, _) => deal.undecided += 1,
        (true, true, _) => deal.exists += 1,
        (true, false, false) => deal.none_unexplained += 1,
        (true, false, true) => {
            let mut set: Vec<Collider> = d.conflict.iter().map(Collider::of).collect();
            set.sort_unstable();
            count_conflict(deal, &set);
            known.remember(s.suspended_red_lines(), &set);
        }
    }
    Ok(())
}

/// 0 accepts, 1 depends, 2 rejects.
pub fn verdict_index(v: Verdict) -> usize {
    match v {
        Verdict::Accepts => 0,
        Verdict::Depends => 1,
        Verdict::Rejects => 2,
    }
}

impl Tally {
    /// Combines tallies of parts of one study (shards, in any order) into one; merging all
    /// the parts gives exactly the tally of one run.
    ///
    /// # Errors
    /// No parts; parts of different studies (samples, seed, split, proposals or parties
    /// differ); a part held twice; counts that do not add up to a part's draws.
    pub fn merge(parts: &[Tally]) -> Result<Tally, Error> {
        let Some(first) = parts.first() else { return Err(Error::new("nothing to merge")) };
        let mut held: Vec<u64> = vec![];
        for (j, t) in parts.iter().enumerate() {
            let same = t.samples == first.samples
                && t.seed == first.seed
                && t.shard_count == first.shard_count
                && t.proposals.len() == first.proposals.len()
                && t.proposals
                    .iter()
                    .zip(&first.proposals)
                    .all(|(a, b)| a.proposal == b.proposal && a.verdicts.len() == b.verdicts.len());
            if !same {
                return Err(Error::new(format!(
                    "part {} and part 1 come from different studies",
                    j + 1
                )));
            }
            t.check_counts().map_err(|e| Error::new(format!("part {}: {e}", j + 1)))?;
            for &k in &t.held {
                if held.contains(&k) {
                    return Err(Error::new(format!(
                        "shard {k}/{} is given twice",
                        first.shard_count
                    )));
                }
                held.push(k);
            }
        }
        held.sort_unstable();
        let mut out = Tally {
            held,
            draws: 0,
            proposals: first
                .proposals
                .iter()
                .map(|p| ProposalTally {
                    proposal: p.proposal,
                    verdicts: vec![[0; 3]; p.verdicts.len()],
                    all_accept: 0,
                    gaps: vec![],
                })
                .collect(),
            deal: DealTally::default(),
            ..first.clone()
        };
        for t in parts {
            add(&mut out, t.clone());
        }
        for p in &mut out.proposals {
            p.gaps.sort_unstable_by(f64::total_cmp);
        }
        Ok(out)
    }

    /// The parts of the split not held, ascending.
    pub fn missing(&self) -> Vec<u64> {
        (0..self.shard_count).filter(|k| self.held.binary_search(k).is_err()).collect()
    }

    /// Checks that the counts agree with each other and with the parts held: the draws are
    /// those of the parts, every party's verdicts and every proposal's gaps count each draw
    /// once, the deadlock answers too, and the gaps are ascending and not negative.
    pub fn check_counts(&self) -> Result<(), Error> {
        if self.shard_count == 0 || self.held.iter().any(|&k| k >= self.shard_count) {
            return Err(Error::new("a part held is not one of the split's"));
        }
        if self.held.is_empty() || self.held.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::new("the parts held must be listed once each, ascending"));
        }
        let expected: u64 = self
            .held
            .iter()
            .map(|&index| Shard { index, count: self.shard_count }.draws_of(self.samples))
            .sum();
        if self.draws != expected {
            return Err(Error::new(format!("{} draws, but its parts have {expected}", self.draws)));
        }
        let n = self.draws;
        for p in &self.proposals {
            for v in &p.verdicts {
                if v.iter().try_fold(0u64, |a, &b| a.checked_add(b)) != Some(n) {
                    return Err(Error::new("a party's verdicts do not count every draw once"));
                }
            }
            if p.all_accept > n || p.gaps.len() as u64 != n {
                return Err(Error::new("a proposal's counts do not match its draws"));
            }
            if p.gaps.iter().any(|g| !(g.is_finite() && *g >= 0.0))
                || p.gaps.windows(2).any(|w| w[0].total_cmp(&w[1]).is_gt())
            {
                return Err(Error::new("gaps must be finite, >= 0 and ascending"));
            }
        }
        let d = &self.deal;
        let in_conflicts =
            d.conflicts.values().try_fold(0u64, |a, &b| a.checked_add(b)).unwrap_or(u64::MAX);
        if in_conflicts != d.none
            || [d.exists, d.none, d.none_unexplained, d.undecided]
                .iter()
                .try_fold(0u64, |a, &b| a.checked_add(b))
                != Some(n)
        {
            return Err(Error::new("the deadlock answers do not count every draw once"));
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;
