//! Tournaments: every ordered combination of negotiators on every scenario, repeated, in
//! parallel, deterministic by seed, shardable and mergeable.
//!
//! # The work list
//! For scenario `s` with `n` parties and `k` negotiators, the combinations are all `k^n`
//! ordered `n`-tuples with repetition (negotiator `c[p]` plays party `p`), numbered as
//! base-`k` numbers with party 0 the most significant digit. Every negotiator thus plays
//! every role against every other, and itself; in SAO party 0 proposes first, so roles and
//! first moves rotate with the tuples. Each combination runs `repetitions` times. Sessions
//! are numbered scenario by scenario, then combination, then repetition; session
//! `(s, c, r)` runs with seed `Rng::derive(seed, &[s, c, r]).next_u64()`, so its result
//! depends on nothing but those numbers: not on the thread that ran it, nor on the shard.
//!
//! # Parallelism, shards and merging
//! [`tournament`] runs the sessions of its shard (those whose index `i` has `i % n == k`
//! for shard `k/n`) on `threads` scoped threads pulling from a shared counter, and returns
//! their records sorted by index. [`merge`] checks that parts come from the same
//! tournament, takes the union of their records (a session in two parts must have the same
//! record in both) and sorts it: merging the `n` shards, in any order, gives exactly the
//! result of one unsharded run. [`scores`] then sums in index order, so the scores are
//! identical too.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{
    Domain, Error, ErrorKind, OutcomeId, Rng, SessionConfig, Termination, TraceKeep, negotiator,
    run_with,
};

/// The most sessions a tournament may have: every session's record is kept (about 200
/// bytes) and written to its part (about 700 bytes of JSON), so larger ones are refused.
pub const MAX_SESSIONS: u64 = 100_000;

/// One part of a tournament: the sessions whose index `i` has `i % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    /// Which part, `0..count`.
    pub index: u32,
    /// How many parts, at least 1.
    pub count: u32,
}

impl Shard {
    /// The whole tournament.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Reads `K/N` (`0 <= K < N`).
    pub fn parse(s: &str) -> Option<Shard> {
        let (k, n) = s.split_once('/')?;
        let (index, count) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
        (index < count).then_some(Shard { index, count })
    }

    fn contains(&self, i: usize) -> bool {
        i as u64 % self.count as u64 == self.index as u64
    }
}

/// The settings of a tournament.
#[derive(Clone, Debug, PartialEq)]
pub struct TournamentConfig {
    /// Negotiator names, as [`negotiator()`] accepts them.
    pub negotiators: Vec<String>,
    /// The session settings.
    pub session: SessionConfig,
    /// Repetitions of each combination, at least 1.
    pub repetitions: u32,
    /// The tournament seed.
    pub seed: u64,
    /// Worker threads; 0 means all cores (`std::thread::available_parallelism`).
    pub threads: usize,
    /// The part to run.
    pub shard: Shard,
}

/// What identifies a tournament: two parts merge only when their specs are equal.
#[derive(Clone, Debug, PartialEq)]
pub struct TournamentSpec {
    /// Negotiator names, in the order given.
    pub negotiators: Vec<String>,
    /// Per scenario: its name, number of parties and number of outcomes.
    pub scenarios: Vec<(String, usize, u64)>,
    /// The session settings.
    pub session: SessionConfig,
    /// Repetitions.
    pub repetitions: u32,
    /// The seed.
    pub seed: u64,
}

/// The record of one session of a tournament.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    /// The session's index in the work list.
    pub index: usize,
    /// The scenario's index.
    pub scenario: usize,
    /// The combination's index.
    pub combination: usize,
    /// Which negotiator (index into the names) played each party.
    pub negotiators: Vec<usize>,
    /// The repetition, from 0.
    pub repetition: u32,
    /// The session seed.
    pub seed: u64,
    /// How it ended.
    pub termination: Termination,
    /// The agreement, if any.
    pub agreement: Option<OutcomeId>,
    /// Each party's utility (its reservation when there is no agreement).
    pub utilities: Vec<f64>,
    /// Each party's reservation.
    pub reservations: Vec<f64>,
    /// Steps started.
    pub steps: u32,
    /// Distance to the Pareto frontier, when known.
    pub pareto_distance: Option<f64>,
    /// Distance to the nearest Nash point, when there is one.
    pub nash_distance: Option<f64>,
}

/// The sessions of a tournament (or of one shard).
#[derive(Clone, Debug, PartialEq)]
pub struct TournamentResult {
    /// What tournament this is.
    pub spec: TournamentSpec,
    /// The number of sessions of the whole tournament.
    pub total_sessions: usize,
    /// The records held, sorted by index.
    pub records: Vec<SessionRecord>,
}

impl TournamentResult {
    /// Whether every session of the tournament is held.
    pub fn is_complete(&self) -> bool {
        self.records.len() == self.total_sessions
    }
}

/// Progress of a running tournament, passed to the callback after each session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Sessions finished in this run.
    pub done: usize,
    /// Sessions this run will finish (those of its shard).
    pub total: usize,
}

/// Per-negotiator scores, averaged over its appearances (a session where a negotiator
/// plays two parties counts twice).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// The negotiator's name.
    pub negotiator: String,
    /// Parties played.
    pub appearances: usize,
    /// Mean utility (its reservation when there was no agreement).
    pub mean_utility: f64,
    /// Mean of utility minus reservation.
    pub mean_advantage: f64,
    /// Share of its sessions that ended in agreement.
    pub agreement_rate: f64,
    /// Mean welfare (sum of every party's utility) of its sessions.
    pub mean_welfare: f64,
    /// Mean distance to the nearest Nash point, over the sessions where one exists.
    pub mean_nash_distance: Option<f64>,
    /// Mean distance to the Pareto frontier, over the sessions where it is known.
    pub mean_pareto_distance: Option<f64>,
}

/// The sessions of the work list: per scenario, the offset of its first session.
struct Plan {
    offsets: Vec<usize>,
    total: usize,
}

fn plan(domains: &[Arc<Domain>], k: usize, reps: usize) -> Result<Plan, Error> {
    let counts: Vec<usize> = domains.iter().map(|d| d.n_parties()).collect();
    plan_of(&counts, k, reps)
}

/// The work list of scenarios with these numbers of parties; refused beyond [`MAX_SESSIONS`].
fn plan_of(n_parties: &[usize], k: usize, reps: usize) -> Result<Plan, Error> {
    let mut offsets = Vec::with_capacity(n_parties.len());
    let mut total = 0u64;
    let too_big = || {
        Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "the tournament has more than {MAX_SESSIONS} sessions (negotiators^parties x repetitions, summed over the scenarios); run fewer repetitions or negotiators"
            ),
        )
    };
    for &n in n_parties {
        offsets.push(total as usize);
        let mut c = reps as u64;
        for _ in 0..n {
            c = c.checked_mul(k as u64).filter(|&c| c <= MAX_SESSIONS).ok_or_else(too_big)?;
        }
        total = total.checked_add(c).filter(|&t| t <= MAX_SESSIONS).ok_or_else(too_big)?;
    }
    Ok(Plan { offsets, total: total as usize })
}

fn spec(domains: &[Arc<Domain>], config: &TournamentConfig) -> TournamentSpec {
    TournamentSpec {
        negotiators: config.negotiators.clone(),
        scenarios: domains
            .iter()
            .map(|d| (d.scenario().meta.name.clone(), d.n_parties(), d.n_outcomes()))
            .collect(),
        session: config.session,
        repetitions: config.repetitions,
        seed: config.seed,
    }
}

/// Runs the sessions of `config.shard` of the tournament on `domains`, calling `progress`
/// (from worker threads) after each session.
///
/// Errors for an unknown negotiator, no negotiators, zero repetitions, a bad session
/// configuration or a shard with `count == 0` or `index >= count`.
pub fn tournament(
    domains: &[Arc<Domain>],
    config: &TournamentConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<TournamentResult, Error> {
    let bad = |m: &str| Err(Error::new(ErrorKind::InvalidConfig, m));
    if config.negotiators.is_empty() {
        return bad("a tournament needs at least one negotiator");
    }
    if config.repetitions == 0 {
        return bad("a tournament needs at least one repetition");
    }
    if config.shard.count == 0 || config.shard.index >= config.shard.count {
        return bad("a shard K/N needs 0 <= K < N");
    }
    config.session.check()?;
    for name in &config.negotiators {
        negotiator(name)?;
    }
    let k = config.negotiators.len();
    let plan = plan(domains, k, config.repetitions as usize)?;
    let work: Vec<usize> = (0..plan.total).filter(|&i| config.shard.contains(i)).collect();
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        config.threads
    }
    .clamp(1, work.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Result<SessionRecord, Error>>> =
        Mutex::new(Vec::with_capacity(work.len()));
    let worker = || {
        let mut local = Vec::new();
        loop {
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = work.get(j) else { break };
            local.push(run_one(domains, config, &plan, i));
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress { done: d, total: work.len() });
        }
        match results.lock() {
            Ok(mut r) => r.extend(local),
            Err(poisoned) => poisoned.into_inner().extend(local),
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(worker);
        }
        worker();
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut records = Vec::with_capacity(results.len());
    for r in results.drain(..) {
        records.push(r?);
    }
    records.sort_by_key(|r| r.index);
    Ok(TournamentResult { spec: spec(domains, config), total_sessions: plan.total, records })
}

fn run_one(
    domains: &[Arc<Domain>],
    config: &TournamentConfig,
    plan: &Plan,
    i: usize,
) -> Result<SessionRecord, Error> {
    let s = plan.offsets.partition_point(|&o| o <= i) - 1;
    let local = i - plan.offsets[s];
    let reps = config.repetitions as usize;
    let (combination, repetition) = (local / reps, (local % reps) as u32);
    let domain = &domains[s];
    let n = domain.n_parties();
    let k = config.negotiators.len();
    let mut who = vec![0usize; n];
    let mut c = combination;
    for slot in who.iter_mut().rev() {
        *slot = c % k;
        c /= k;
    }
    let mut negs = who
        .iter()
        .map(|&j| negotiator(&config.negotiators[j]))
        .collect::<Result<Vec<_>, Error>>()?;
    let seed =
        Rng::derive(config.seed, &[s as u64, combination as u64, repetition as u64]).next_u64();
    let r = run_with(domain, &config.session, &mut negs, seed, TraceKeep::None)?;
    Ok(SessionRecord {
        index: i,
        scenario: s,
        combination,
        negotiators: who,
        repetition,
        seed,
        termination: r.termination,
        agreement: r.agreement,
        utilities: r.utilities,
        reservations: (0..n).map(|p| domain.reservation(p)).collect(),
        steps: r.steps,
        pareto_distance: r.pareto_distance,
        nash_distance: r.nash_distance,
    })
}

/// Combines parts of one tournament (shards, in any order) into one result; merging all
/// shards gives exactly the result of one unsharded run.
///
/// Errors when the parts come from different tournaments, when a session appears in two
/// parts with different records, or when there are no parts.
pub fn merge(parts: &[TournamentResult]) -> Result<TournamentResult, Error> {
    let Some(first) = parts.first() else {
        return Err(Error::new(ErrorKind::MergeMismatch, "nothing to merge"));
    };
    let mut records: Vec<SessionRecord> = Vec::new();
    for part in parts {
        if part.spec != first.spec || part.total_sessions != first.total_sessions {
            return Err(Error::new(
                ErrorKind::MergeMismatch,
                "the parts come from different tournaments (negotiators, scenarios, settings or seed differ)",
            ));
        }
        records.extend(part.records.iter().cloned());
    }
    records.sort_by_key(|r| r.index);
    let mut out: Vec<SessionRecord> = Vec::with_capacity(records.len());
    for r in records {
        match out.last() {
            Some(last) if last.index == r.index => {
                if *last != r {
                    return Err(Error::new(
                        ErrorKind::MergeMismatch,
                        format!("session {} differs between parts", r.index),
                    ));
                }
            }
            _ => out.push(r),
        }
    }
    if out.iter().any(|r| r.index >= first.total_sessions) {
        return Err(Error::new(ErrorKind::MergeMismatch, "a session index is out of range"));
    }
    Ok(TournamentResult {
        spec: first.spec.clone(),
        total_sessions: first.total_sessions,
        records: out,
    })
}

/// Scores per negotiator, in the order of the names, summed over the records in index
/// order (so equal results give bit-identical scores).
pub fn scores(result: &TournamentResult) -> Vec<Score> {
    #[derive(Default, Clone)]
    struct Acc {
        n: usize,
        utility: f64,
        advantage: f64,
        agreements: usize,
        welfare: f64,
        nash: (usize, f64),
        pareto: (usize, f64),
    }
    let mut acc = vec![Acc::default(); result.spec.negotiators.len()];
    for r in &result.records {
        let welfare: f64 = r.utilities.iter().sum();
        for (p, &j) in r.negotiators.iter().enumerate() {
            let a = &mut acc[j];
            a.n += 1;
            a.utility += r.utilities[p];
            a.advantage += r.utilities[p] - r.reservations[p];
            a.agreements += usize::from(r.agreement.is_some());
            a.welfare += welfare;
            if let Some(d) = r.nash_distance {
                a.nash.0 += 1;
                a.nash.1 += d;
            }
            if let Some(d) = r.pareto_distance {
                a.pareto.0 += 1;
                a.pareto.1 += d;
            }
        }
    }
    let mean = |x: f64, n: usize| if n == 0 { 0.0 } else { x / n as f64 };
    let opt = |(n, x): (usize, f64)| (n > 0).then(|| x / n as f64);
    result
        .spec
        .negotiators
        .iter()
        .zip(acc)
        .map(|(name, a)| Score {
            negotiator: name.clone(),
            appearances: a.n,
            mean_utility: mean(a.utility, a.n),
            mean_advantage: mean(a.advantage, a.n),
            agreement_rate: mean(a.agreements as f64, a.n),
            mean_welfare: mean(a.welfare, a.n),
            mean_nash_distance: opt(a.nash),
            mean_pareto_distance: opt(a.pareto),
        })
        .collect()
}
