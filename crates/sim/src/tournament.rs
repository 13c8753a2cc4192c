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
//! A tournament has at most [`MAX_SESSIONS`] sessions.
//!
//! # Parallelism, shards and merging
//! [`tournament_each`] runs the sessions of its shard (those whose index `i` has
//! `i % n == k` for shard `k/n`) on `threads` scoped threads pulling from a shared counter,
//! and scores them as they finish, in index order (a session finished early waits for
//! those before it, and workers pause rather than run more than a few thousand sessions
//! ahead), so its memory does not depend on the number of sessions and its scores not on
//! the number of threads; each record is handed on, in index order, to whatever the caller
//! keeps of it (the JSON of a part, written on the worker threads). [`tournament`] keeps
//! the records, sorted by index. [`merge`] checks that parts come from the same
//! tournament and split it the same way, refuses a shard given twice, and takes the union
//! of their records: merging the `n` shards, in any order, gives exactly the result of one
//! unsharded run, and merging some of them gives a result that names the missing shards
//! ([`Shards::missing`]). [`scores`] then sums in index order, so the scores are identical
//! too.
//!
//! # Scores
//! Utilities of different scenarios are on different scales (normalised ones in `[0, 1]`,
//! raw imported ones in whatever units the peer used), so [`scores`] gives each scenario
//! its own table, and compares negotiators across scenarios only on a common scale: the
//! **rescaled utility** `(u - r) / (b - r)` of a party with reservation `r` whose best
//! outcome keeping its red lines is worth `b` (0 is the reservation, 1 the best outcome;
//! below 0 an agreement worse than no agreement). A party with `b <= r` (nothing to gain)
//! has no rescaled utility, and its appearances are left out of the rescaled means.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use crate::{
    Domain, Error, ErrorKind, OutcomeId, Rng, SessionConfig, Termination, TraceKeep, negotiator,
    run_with,
};

/// The most sessions a tournament may have: its part holds every session (about 700 bytes
/// of JSON each, [`crate::PartText`]), and merging reads the parts back, so larger ones are
/// refused.
pub const MAX_SESSIONS: u64 = 100_000;

/// The most worker threads a tournament runs on (more are refused).
pub const MAX_THREADS: usize = 256;

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

/// The shards a result holds: of a tournament split in `count` parts, the parts `held`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shards {
    /// How many parts the tournament was split into (1: not split).
    pub count: u32,
    /// The parts held, ascending, without repeats.
    pub held: Vec<u32>,
}

impl Shards {
    /// The whole tournament.
    pub fn all() -> Shards {
        Shards { count: 1, held: vec![0] }
    }

    /// Just this shard.
    pub fn one(shard: Shard) -> Shards {
        Shards { count: shard.count, held: vec![shard.index] }
    }

    /// The parts not held, ascending.
    pub fn missing(&self) -> Vec<u32> {
        let mut held = self.held.iter().peekable();
        (0..self.count)
            .filter(|k| {
                if held.peek() == Some(&k) {
                    held.next();
                    false
                } else {
                    true
                }
            })
            .collect()
    }

    /// Whether session `i` belongs to a held part.
    pub fn contains(&self, i: usize) -> bool {
        self.count > 0 && self.held.binary_search(&((i as u64 % self.count as u64) as u32)).is_ok()
    }

    /// How many of `total` sessions the held parts have.
    pub fn sessions_of(&self, total: usize) -> usize {
        let n = self.count.max(1) as usize;
        self.held.iter().map(|&k| (total + n - 1 - (k as usize).min(total + n - 1)) / n).sum()
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
    /// Worker threads, at most [`MAX_THREADS`]; 0 means all cores
    /// (`std::thread::available_parallelism`).
    pub threads: usize,
    /// The part to run.
    pub shard: Shard,
}

/// An issue as a tournament records it: enough to name an agreement by ids.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueSpec {
    /// The issue's id.
    pub id: String,
    /// Its options.
    pub options: OptionsSpec,
}

/// The options of an [`IssueSpec`].
#[derive(Clone, Debug, PartialEq)]
pub enum OptionsSpec {
    /// Option ids, in order.
    Discrete(Vec<String>),
    /// The grid `min, min + step, ...` up to `max` (as in `detente_core::Issue`).
    Scale {
        /// The lowest point.
        min: f64,
        /// The highest point.
        max: f64,
        /// The distance between points.
        step: f64,
    },
}

impl OptionsSpec {
    /// The number of options (0 for a malformed scale).
    pub fn len(&self) -> usize {
        match self {
            OptionsSpec::Discrete(ids) => ids.len(),
            OptionsSpec::Scale { min, max, step } => {
                detente_core::scale_points(*min, *max, *step).unwrap_or(0)
            }
        }
    }

    /// Whether there is no option.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of grid point `k` of a scale, as `detente_core::Issue::scale_value`.
    pub fn scale_value(&self, k: usize) -> Option<f64> {
        match self {
            OptionsSpec::Discrete(_) => None,
            OptionsSpec::Scale { min, max, step } => Some((min + k as f64 * step).min(*max)),
        }
    }
}

/// A scenario as a tournament records it.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioSpec {
    /// The scenario's name.
    pub name: String,
    /// Party ids, in order.
    pub parties: Vec<String>,
    /// Each party's reservation.
    pub reservations: Vec<f64>,
    /// Each party's best utility over the outcomes that keep its red lines (`None` when
    /// its red lines allow none).
    pub best: Vec<Option<f64>>,
    /// The issues.
    pub issues: Vec<IssueSpec>,
    /// The number of outcomes.
    pub outcomes: u64,
    /// [`Scenario::fingerprint`](detente_core::Scenario::fingerprint) of the scenario played,
    /// so that parts of tournaments on different contents under the same names never merge.
    pub fingerprint: u64,
}

impl ScenarioSpec {
    /// What a tournament records of a domain.
    pub fn of(d: &Domain) -> ScenarioSpec {
        let s = d.scenario();
        let n = d.n_parties();
        ScenarioSpec {
            name: s.meta().name.clone(),
            parties: s.parties().iter().map(|p| p.id.clone()).collect(),
            reservations: (0..n).map(|p| d.reservation(p)).collect(),
            best: (0..n).map(|p| d.best_outcome(p).map(|_| d.best_utility(p))).collect(),
            issues: s
                .issues()
                .iter()
                .map(|issue| IssueSpec {
                    id: issue.id.clone(),
                    options: match issue.kind {
                        detente_core::IssueKind::Scale { min, max, step, .. } => {
                            OptionsSpec::Scale { min, max, step }
                        }
                        detente_core::IssueKind::Discrete { .. } => OptionsSpec::Discrete(
                            (0..issue.n_options()).map(|k| issue.option_id(k)).collect(),
                        ),
                    },
                })
                .collect(),
            outcomes: d.n_outcomes(),
            fingerprint: s.fingerprint(),
        }
    }

    /// The option index per issue of an outcome id (`id < outcomes`).
    pub fn decode(&self, mut id: OutcomeId) -> Vec<usize> {
        let mut options = vec![0usize; self.issues.len()];
        for (slot, issue) in options.iter_mut().zip(&self.issues).rev() {
            let r = issue.options.len().max(1) as u64;
            *slot = (id % r) as usize;
            id /= r;
        }
        options
    }

    /// The outcome id of one option index per issue, if they fit.
    pub fn encode(&self, options: &[usize]) -> Option<OutcomeId> {
        if options.len() != self.issues.len() {
            return None;
        }
        let mut id = 0u64;
        for (&k, issue) in options.iter().zip(&self.issues) {
            let r = issue.options.len() as u64;
            if k as u64 >= r {
                return None;
            }
            id = id.checked_mul(r)?.checked_add(k as u64)?;
        }
        (id < self.outcomes).then_some(id)
    }

    /// A party's rescaled utility `(u - r) / (b - r)`, or `None` when it has nothing to
    /// gain (`b <= r`, or no outcome keeps its red lines).
    pub fn rescaled(&self, p: usize, u: f64) -> Option<f64> {
        let r = self.reservations[p];
        let b = self.best[p]?;
        (b > r).then(|| (u - r) / (b - r))
    }
}

/// What identifies a tournament: two parts merge only when their specs are equal.
#[derive(Clone, Debug, PartialEq)]
pub struct TournamentSpec {
    /// Negotiator names, in the order given.
    pub negotiators: Vec<String>,
    /// The scenarios, in order.
    pub scenarios: Vec<ScenarioSpec>,
    /// The session settings.
    pub session: SessionConfig,
    /// Repetitions.
    pub repetitions: u32,
    /// The seed.
    pub seed: u64,
}

impl TournamentSpec {
    /// The number of sessions of the whole tournament; errors beyond [`MAX_SESSIONS`].
    pub fn total_sessions(&self) -> Result<usize, Error> {
        let counts: Vec<usize> = self.scenarios.iter().map(|s| s.parties.len()).collect();
        Ok(plan_of(&counts, self.negotiators.len(), self.repetitions as usize)?.total)
    }

    /// Where session `i` sits in the work list: `(scenario, combination, repetition)`, the
    /// negotiator playing each party, and its seed. `None` when `i` is out of range.
    pub fn session(&self, i: usize) -> Option<SessionPlace> {
        let counts: Vec<usize> = self.scenarios.iter().map(|s| s.parties.len()).collect();
        let plan = plan_of(&counts, self.negotiators.len(), self.repetitions as usize).ok()?;
        (i < plan.total).then(|| place(&plan, &counts, self.negotiators.len(), self, i))
    }
}

/// Where a session sits in a tournament's work list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPlace {
    /// The scenario's index.
    pub scenario: usize,
    /// The combination's index.
    pub combination: usize,
    /// The repetition, from 0.
    pub repetition: u32,
    /// Which negotiator plays each party.
    pub negotiators: Vec<usize>,
    /// The session seed.
    pub seed: u64,
}

/// The threads that `asked` threads mean ([`TournamentConfig::threads`]): 0 means all cores
/// (`std::thread::available_parallelism`); at least 1, at most [`MAX_THREADS`].
pub fn worker_threads(asked: usize) -> usize {
    let n = if asked == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        asked
    };
    n.clamp(1, MAX_THREADS)
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

/// The sessions of a tournament (or of some of its shards).
#[derive(Clone, Debug, PartialEq)]
pub struct TournamentResult {
    /// What tournament this is.
    pub spec: TournamentSpec,
    /// The number of sessions of the whole tournament.
    pub total_sessions: usize,
    /// The shards held ([`Shards::all`] for a whole tournament).
    pub shards: Shards,
    /// The records held, sorted by index: every session of the held shards.
    pub records: Vec<SessionRecord>,
}

impl TournamentResult {
    /// Whether every session of the tournament is held.
    pub fn is_complete(&self) -> bool {
        self.shards.missing().is_empty()
    }

    /// The result without its records: what [`tournament_each`] returns for the same run.
    pub fn summary(&self) -> TournamentSummary {
        TournamentSummary {
            spec: self.spec.clone(),
            total_sessions: self.total_sessions,
            shards: self.shards.clone(),
            sessions: self.records.len(),
            scores: scores(self),
        }
    }
}

/// A tournament (or some of its shards) counted and scored, without its records: what
/// [`tournament_each`] returns, in memory that does not grow with the sessions.
#[derive(Clone, Debug, PartialEq)]
pub struct TournamentSummary {
    /// What tournament this is.
    pub spec: TournamentSpec,
    /// The number of sessions of the whole tournament.
    pub total_sessions: usize,
    /// The shards held ([`Shards::all`] for a whole tournament).
    pub shards: Shards,
    /// The sessions held: every session of the held shards.
    pub sessions: usize,
    /// Their scores, as [`scores`] gives them.
    pub scores: Scores,
}

impl TournamentSummary {
    /// Whether every session of the tournament is held.
    pub fn is_complete(&self) -> bool {
        self.shards.missing().is_empty()
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

/// A negotiator's scores over some sessions, averaged over its appearances (a session
/// where a negotiator plays two parties counts twice).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// The negotiator's name.
    pub negotiator: String,
    /// Parties played.
    pub appearances: usize,
    /// Appearances in sessions that ended in agreement.
    pub agreements: usize,
    /// `agreements / appearances` (0 without appearances).
    pub agreement_rate: f64,
    /// Mean utility (its reservation when there was no agreement), in the scenario's units;
    /// `None` across scenarios, where units differ.
    pub mean_utility: Option<f64>,
    /// Mean of utility minus reservation, in the scenario's units; `None` across scenarios.
    pub mean_advantage: Option<f64>,
    /// Mean rescaled utility (see the module documentation), over the appearances where
    /// the party has something to gain; `None` when there is none.
    pub mean_rescaled_utility: Option<f64>,
    /// The appearances counted in `mean_rescaled_utility`.
    pub rescaled_appearances: usize,
    /// Mean welfare (sum of every party's utility) of its sessions; `None` across scenarios.
    pub mean_welfare: Option<f64>,
    /// Mean distance to the nearest Nash point, over the sessions where one exists; `None`
    /// across scenarios.
    pub mean_nash_distance: Option<f64>,
    /// Mean distance to the Pareto frontier, over the sessions where it is known; `None`
    /// across scenarios.
    pub mean_pareto_distance: Option<f64>,
}

/// The scores of a tournament: per scenario, and across scenarios on the rescaled scale.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    /// Per scenario (in order), per negotiator (in order).
    pub by_scenario: Vec<Vec<Score>>,
    /// Per negotiator across every scenario: appearances, agreements and the rescaled
    /// utility only.
    pub overall: Vec<Score>,
}

impl Scores {
    /// The negotiators that gained most across scenarios: the highest mean rescaled utility
    /// and every negotiator with exactly it, in order; `None` when no negotiator has one.
    pub fn best_overall(&self) -> Option<(f64, Vec<&Score>)> {
        let best =
            self.overall.iter().filter_map(|sc| sc.mean_rescaled_utility).max_by(f64::total_cmp)?;
        let ties =
            self.overall.iter().filter(|sc| sc.mean_rescaled_utility == Some(best)).collect();
        Some((best, ties))
    }
}

/// The sessions of the work list: per scenario, the offset of its first session.
struct Plan {
    offsets: Vec<usize>,
    total: usize,
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

fn place(
    plan: &Plan,
    n_parties: &[usize],
    k: usize,
    spec: &TournamentSpec,
    i: usize,
) -> SessionPlace {
    let s = plan.offsets.partition_point(|&o| o <= i) - 1;
    let local = i - plan.offsets[s];
    let reps = spec.repetitions.max(1) as usize;
    let (combination, repetition) = (local / reps, (local % reps) as u32);
    let mut who = vec![0usize; n_parties[s]];
    let mut c = combination;
    for slot in who.iter_mut().rev() {
        *slot = c % k.max(1);
        c /= k.max(1);
    }
    let seed =
        Rng::derive(spec.seed, &[s as u64, combination as u64, repetition as u64]).next_u64();
    SessionPlace { scenario: s, combination, repetition, negotiators: who, seed }
}

fn spec(domains: &[Arc<Domain>], config: &TournamentConfig) -> TournamentSpec {
    TournamentSpec {
        negotiators: config.negotiators.clone(),
        scenarios: domains.iter().map(|d| ScenarioSpec::of(d)).collect(),
        session: config.session,
        repetitions: config.repetitions,
        seed: config.seed,
    }
}

/// How far the workers may run ahead of the first session not yet kept: a session finished
/// out of order waits (with what `prepare` made of it) until the ones before it are kept,
/// and at most this many wait, so a tournament's memory does not grow with its sessions.
const WINDOW: usize = 4096;

/// A tournament checked and laid out, before any session runs.
struct Layout {
    spec: TournamentSpec,
    plan: Plan,
    counts: Vec<usize>,
    /// The indices of the sessions of the shard, ascending.
    work: Vec<usize>,
    threads: usize,
}

/// Checks a tournament's settings and lays out its work list; errors as [`tournament`].
fn layout(domains: &[Arc<Domain>], config: &TournamentConfig) -> Result<Layout, Error> {
    let bad = |m: &str| Err(Error::new(ErrorKind::InvalidConfig, m));
    if config.negotiators.is_empty() {
        return bad("a tournament needs at least one negotiator");
    }
    if domains.is_empty() {
        return bad("a tournament needs at least one scenario");
    }
    if config.repetitions == 0 {
        return bad("a tournament needs at least one repetition");
    }
    if config.shard.count == 0 || config.shard.index >= config.shard.count {
        return bad("a shard K/N needs 0 <= K < N");
    }
    if config.threads > MAX_THREADS {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("at most {MAX_THREADS} threads (the result does not depend on them)"),
        ));
    }
    config.session.check()?;
    for name in &config.negotiators {
        negotiator(name)?;
    }
    let spec = spec(domains, config);
    let counts: Vec<usize> = domains.iter().map(|d| d.n_parties()).collect();
    let plan = plan_of(&counts, config.negotiators.len(), config.repetitions as usize)?;
    if config.shard.count as usize > plan.total.max(1) {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "shard {}/{}: the tournament has {} session{}, so at most as many shards",
                config.shard.index,
                config.shard.count,
                plan.total,
                if plan.total == 1 { "" } else { "s" }
            ),
        ));
    }
    let work: Vec<usize> = (0..plan.total).filter(|&i| config.shard.contains(i)).collect();
    let threads = worker_threads(config.threads).min(work.len().max(1));
    Ok(Layout { spec, plan, counts, work, threads })
}

/// Runs the sessions of `config.shard` of the tournament on `domains` and returns their
/// records sorted by index, calling `progress` (from worker threads) after each session.
///
/// Errors for an unknown negotiator, no negotiators, zero repetitions, more than
/// [`MAX_SESSIONS`] sessions, a bad session configuration or a shard with `count == 0` or
/// `index >= count`; all before any session runs.
pub fn tournament(
    domains: &[Arc<Domain>],
    config: &TournamentConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<TournamentResult, Error> {
    let mut records = Vec::new();
    let summary = tournament_each(domains, config, progress, &|_, _| (), &mut |r, ()| {
        records.push(r);
    })?;
    let TournamentSummary { spec, total_sessions, shards, .. } = summary;
    Ok(TournamentResult { spec, total_sessions, shards, records })
}

/// Runs the sessions of `config.shard` of the tournament on `domains` and scores them as
/// they finish, keeping no record: each record goes to `prepare` on the worker thread that
/// ran it (for work that may run in parallel, such as writing its JSON with
/// [`PartText::session`](crate::PartText::session)), then, with what `prepare` made of it,
/// to `keep`, one at a time and in index order. The scores are summed in index order, as
/// [`scores`] sums them, so they are those of [`tournament`] bit for bit whatever the
/// number of threads; at most a few thousand finished sessions wait for those before them
/// (workers pause rather than run further ahead), so the memory does not grow with the
/// number of sessions. `progress` is called from the worker threads after each session.
///
/// Errors as [`tournament`], before any session runs; a session that fails (it does not
/// with a checked configuration) stops the tournament with the error of the first such
/// session in index order.
///
/// ```
/// # use std::sync::Arc;
/// # use detente_core::*;
/// # use detente_sim::*;
/// # let parties = vec![
/// #     Party::new("a", "A", Role::Principal, 1.0, 0.2),
/// #     Party::new("b", "B", Role::Principal, 1.0, 0.2),
/// # ];
/// # let issues = vec![Issue::discrete("share", "A's share", &["0", "1", "2", "3"])];
/// # let stances = vec![
/// #     vec![Some(Stance::values(1.0, vec![0.0, 0.3, 0.7, 1.0]))],
/// #     vec![Some(Stance::values(1.0, vec![1.0, 0.7, 0.3, 0.0]))],
/// # ];
/// # let s = Scenario::new(Meta::named("split"), parties, issues, stances, vec![], vec![])?;
/// let domains = [Arc::new(Domain::new(Arc::new(s))?)];
/// let config = TournamentConfig {
///     negotiators: vec!["boulware".into(), "conceder".into()],
///     session: SessionConfig::sao(20),
///     repetitions: 3,
///     seed: 5,
///     threads: 2,
///     shard: Shard::ALL,
/// };
/// // The agreements, counted in index order while the sessions run on two threads.
/// let mut kept = vec![];
/// let summary = tournament_each(&domains, &config, &|_| {}, &|_, r| r.agreement.is_some(), &mut |r, agreed| {
///     kept.push((r.index, agreed));
/// })?;
/// assert_eq!(kept.len(), 2 * 2 * 3);
/// assert!(kept.iter().enumerate().all(|(i, &(index, _))| index == i));
/// let whole = tournament(&domains, &config, &|_| {})?;
/// assert_eq!(summary, whole.summary());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tournament_each<T: Send>(
    domains: &[Arc<Domain>],
    config: &TournamentConfig,
    progress: &(dyn Fn(Progress) + Sync),
    prepare: &(dyn Fn(&TournamentSpec, &SessionRecord) -> T + Sync),
    keep: &mut (dyn FnMut(SessionRecord, T) + Send),
) -> Result<TournamentSummary, Error> {
    let Layout { spec, plan, counts, work, threads } = layout(domains, config)?;
    let k = config.negotiators.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let order = Mutex::new(InOrder {
        next: 0,
        waiting: (0..WINDOW.min(work.len())).map(|_| None).collect(),
        tally: Tally::new(&spec),
        keep,
        error: None,
    });
    let moved = Condvar::new();
    let lock = || order.lock().unwrap_or_else(|p| p.into_inner());
    let worker = || {
        loop {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = work.get(j) else { break };
            {
                let mut o = lock();
                while j >= o.next + WINDOW && !stop.load(Ordering::Relaxed) {
                    o = moved.wait(o).unwrap_or_else(|p| p.into_inner());
                }
            }
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let at = place(&plan, &counts, k, &spec, i);
            let finished = run_one(domains, config, at, i).map(|r| {
                let t = prepare(&spec, &r);
                (r, t)
            });
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress { done: d, total: work.len() });
            let mut o = lock();
            let slot = j % o.waiting.len();
            o.waiting[slot] = Some(finished);
            if o.keep_ready(&spec) {
                if o.error.is_some() {
                    stop.store(true, Ordering::Relaxed);
                }
                moved.notify_all();
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(worker);
        }
        worker();
    });
    let o = order.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = o.error {
        return Err(e);
    }
    let scores = o.tally.scores(&spec.negotiators);
    let shards = if config.shard.count == 1 { Shards::all() } else { Shards::one(config.shard) };
    Ok(TournamentSummary {
        total_sessions: plan.total,
        shards,
        sessions: o.tally.sessions,
        scores,
        spec,
    })
}

/// The sessions finished, kept in the order of the work list.
struct InOrder<'a, T> {
    /// The position in the work list of the next session to keep.
    next: usize,
    /// The sessions finished and not yet kept: position `j` waits in slot `j % len`
    /// (`next <= j < next + len`, as the workers wait for the window).
    waiting: Vec<Option<Result<(SessionRecord, T), Error>>>,
    tally: Tally,
    keep: &'a mut (dyn FnMut(SessionRecord, T) + Send),
    /// The error of the first session that failed.
    error: Option<Error>,
}

impl<T> InOrder<'_, T> {
    /// Keeps the sessions now next in order; whether any was.
    fn keep_ready(&mut self, spec: &TournamentSpec) -> bool {
        let mut moved = false;
        while self.error.is_none() {
            let slot = self.next % self.waiting.len();
            match self.waiting[slot].take() {
                None => break,
                Some(Ok((r, t))) => {
                    self.tally.add(spec, &r);
                    (self.keep)(r, t);
                }
                Some(Err(e)) => self.error = Some(e),
            }
            self.next += 1;
            moved = true;
        }
        moved
    }
}

fn run_one(
    domains: &[Arc<Domain>],
    config: &TournamentConfig,
    at: SessionPlace,
    i: usize,
) -> Result<SessionRecord, Error> {
    let domain = &domains[at.scenario];
    let mut negs = at
        .negotiators
        .iter()
        .map(|&j| negotiator(&config.negotiators[j]))
        .collect::<Result<Vec<_>, Error>>()?;
    let r = run_with(domain, &config.session, &mut negs, at.seed, TraceKeep::None)?;
    Ok(SessionRecord {
        index: i,
        scenario: at.scenario,
        combination: at.combination,
        negotiators: at.negotiators,
        repetition: at.repetition,
        seed: at.seed,
        termination: r.termination,
        agreement: r.agreement,
        utilities: r.utilities,
        reservations: (0..domain.n_parties()).map(|p| domain.reservation(p)).collect(),
        steps: r.steps,
        pareto_distance: r.pareto_distance,
        nash_distance: r.nash_distance,
    })
}

/// [`merge_named`] with the parts named `part 1`, `part 2`, ...
pub fn merge(parts: &[TournamentResult]) -> Result<TournamentResult, Error> {
    let names: Vec<String> = (1..=parts.len()).map(|k| format!("part {k}")).collect();
    merge_named(&names.iter().map(String::as_str).zip(parts).collect::<Vec<_>>())
}

/// Combines parts of one tournament (shards, in any order, each named for messages) into
/// one result; merging all shards gives exactly the result of one unsharded run, and
/// merging some gives a result whose [`Shards::missing`] names the others.
///
/// Errors when there are no parts, when the parts come from different tournaments or
/// splits, when a shard is given twice, or when a part does not hold exactly the sessions
/// of its shards.
pub fn merge_named(parts: &[(&str, &TournamentResult)]) -> Result<TournamentResult, Error> {
    let bad = |m: String| Err(Error::new(ErrorKind::MergeMismatch, m));
    let Some(&(first_name, first)) = parts.first() else {
        return bad("nothing to merge".to_string());
    };
    let mut held: Vec<(u32, &str)> = Vec::new();
    for &(name, part) in parts {
        if let Some(field) = spec_difference(&first.spec, &part.spec) {
            return bad(format!(
                "{name} and {first_name} come from different tournaments (their {field} differ)"
            ));
        }
        if part.total_sessions != first.total_sessions {
            return bad(format!("{name} and {first_name} differ in their number of sessions"));
        }
        if part.shards.count != first.shards.count {
            return bad(format!(
                "{name} and {first_name} split the tournament differently ({} and {} shards)",
                part.shards.count, first.shards.count
            ));
        }
        if part.records.len() != part.shards.sessions_of(part.total_sessions)
            || part.records.iter().any(|r| !part.shards.contains(r.index))
        {
            return bad(format!("{name} does not hold exactly the sessions of its shards"));
        }
        held.extend(part.shards.held.iter().map(|&k| (k, name)));
    }
    held.sort_unstable();
    for w in held.windows(2) {
        if w[0].0 == w[1].0 {
            return bad(format!(
                "shard {}/{} is given twice ({} and {})",
                w[0].0, first.shards.count, w[0].1, w[1].1
            ));
        }
    }
    let mut records: Vec<SessionRecord> =
        parts.iter().flat_map(|(_, p)| p.records.iter().cloned()).collect();
    records.sort_by_key(|r| r.index);
    if records.windows(2).any(|w| w[0].index == w[1].index) {
        return bad("a session appears in two parts".to_string());
    }
    let mut shards =
        Shards { count: first.shards.count, held: held.iter().map(|&(k, _)| k).collect() };
    if shards.missing().is_empty() {
        shards = Shards::all();
    }
    Ok(TournamentResult {
        spec: first.spec.clone(),
        total_sessions: first.total_sessions,
        shards,
        records,
    })
}

/// The first field in which two specs differ, named for people.
fn spec_difference(a: &TournamentSpec, b: &TournamentSpec) -> Option<&'static str> {
    if a.negotiators != b.negotiators {
        Some("negotiators")
    } else if a.scenarios != b.scenarios {
        Some("scenarios")
    } else if a.session != b.session {
        Some("session settings")
    } else if a.repetitions != b.repetitions {
        Some("repetitions")
    } else if a.seed != b.seed {
        Some("seeds")
    } else {
        None
    }
}

#[derive(Default, Clone)]
struct Acc {
    n: usize,
    agreements: usize,
    utility: f64,
    advantage: f64,
    rescaled: (usize, f64),
    welfare: f64,
    nash: (usize, f64),
    pareto: (usize, f64),
}

/// The scores of sessions added one by one: per scenario and negotiator, and per negotiator
/// across scenarios. Adding the same records in the same order gives bit-identical scores.
struct Tally {
    by_scenario: Vec<Vec<Acc>>,
    overall: Vec<Acc>,
    /// The sessions added.
    sessions: usize,
}

impl Tally {
    fn new(spec: &TournamentSpec) -> Tally {
        let k = spec.negotiators.len();
        Tally {
            by_scenario: vec![vec![Acc::default(); k]; spec.scenarios.len()],
            overall: vec![Acc::default(); k],
            sessions: 0,
        }
    }

    fn add(&mut self, spec: &TournamentSpec, r: &SessionRecord) {
        self.sessions += 1;
        let Some(sc) = spec.scenarios.get(r.scenario) else { return };
        let welfare: f64 = r.utilities.iter().sum();
        for (p, &j) in r.negotiators.iter().enumerate() {
            let (Some(&u), Some(&res)) = (r.utilities.get(p), r.reservations.get(p)) else {
                continue;
            };
            let rescaled = sc.rescaled(p, u);
            for a in [&mut self.by_scenario[r.scenario][j], &mut self.overall[j]] {
                a.n += 1;
                a.agreements += usize::from(r.agreement.is_some());
                a.utility += u;
                a.advantage += u - res;
                a.welfare += welfare;
                if let Some(x) = rescaled {
                    a.rescaled.0 += 1;
                    a.rescaled.1 += x;
                }
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
    }

    fn scores(&self, names: &[String]) -> Scores {
        let mean = |x: f64, n: usize| if n == 0 { 0.0 } else { x / n as f64 };
        let opt = |(n, x): (usize, f64)| (n > 0).then(|| x / n as f64);
        let score = |name: &String, a: &Acc, raw: bool| Score {
            negotiator: name.clone(),
            appearances: a.n,
            agreements: a.agreements,
            agreement_rate: mean(a.agreements as f64, a.n),
            mean_utility: (raw && a.n > 0).then(|| a.utility / a.n as f64),
            mean_advantage: (raw && a.n > 0).then(|| a.advantage / a.n as f64),
            mean_rescaled_utility: opt(a.rescaled),
            rescaled_appearances: a.rescaled.0,
            mean_welfare: (raw && a.n > 0).then(|| a.welfare / a.n as f64),
            mean_nash_distance: if raw { opt(a.nash) } else { None },
            mean_pareto_distance: if raw { opt(a.pareto) } else { None },
        };
        Scores {
            by_scenario: self
                .by_scenario
                .iter()
                .map(|accs| names.iter().zip(accs).map(|(n, a)| score(n, a, true)).collect())
                .collect(),
            overall: names.iter().zip(&self.overall).map(|(n, a)| score(n, a, false)).collect(),
        }
    }
}

/// Scores per scenario and per negotiator (in the order of the names), and across
/// scenarios on the rescaled scale; sums run over the records in index order, so equal
/// results give bit-identical scores.
pub fn scores(result: &TournamentResult) -> Scores {
    let mut tally = Tally::new(&result.spec);
    for r in &result.records {
        tally.add(&result.spec, r);
    }
    tally.scores(&result.spec.negotiators)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_count_their_sessions_and_name_the_missing_ones() {
        let s = Shards { count: 4, held: vec![0, 2] };
        assert_eq!(s.missing(), vec![1, 3]);
        for total in 0..20 {
            let counted = (0..total).filter(|&i| s.contains(i)).count();
            assert_eq!(s.sessions_of(total), counted, "total {total}");
        }
        assert!(Shards::all().missing().is_empty());
        assert_eq!(Shards::all().sessions_of(7), 7);
    }

    #[test]
    fn rescaled_utility_runs_from_the_reservation_to_the_best_outcome() {
        let issue = |id: &str, options| IssueSpec { id: id.into(), options };
        let sc = ScenarioSpec {
            name: "laptop".into(),
            parties: vec!["buyer".into(), "seller".into(), "stuck".into()],
            reservations: vec![10.0, 0.25, 0.5],
            best: vec![Some(30.0), Some(0.75), Some(0.5)],
            issues: vec![
                issue("brand", OptionsSpec::Discrete(vec!["a".into(), "b".into()])),
                issue("price", OptionsSpec::Scale { min: 0.0, max: 1.0, step: 0.25 }),
            ],
            outcomes: 10,
            fingerprint: 0,
        };
        // raw units (30 at best) and normalised ones (0.75 at best) meet on one scale
        assert_eq!(sc.rescaled(0, 30.0), Some(1.0));
        assert_eq!(sc.rescaled(0, 20.0), Some(0.5));
        assert_eq!(sc.rescaled(1, 0.5), Some(0.5));
        assert_eq!(sc.rescaled(1, 0.0), Some(-0.5)); // worse than no agreement
        assert_eq!(sc.rescaled(2, 0.5), None); // nothing to gain
        // outcome ids: issue 0 most significant
        assert_eq!(sc.decode(7), vec![1, 2]);
        assert_eq!(sc.encode(&[1, 2]), Some(7));
        assert_eq!(sc.encode(&[2, 0]), None);
        assert_eq!(sc.issues[1].options.scale_value(4), Some(1.0));
    }

    #[test]
    fn the_best_overall_names_every_tie() {
        let score = |name: &str, rescaled: Option<f64>| Score {
            negotiator: name.into(),
            appearances: 2,
            agreements: 1,
            agreement_rate: 0.5,
            mean_utility: None,
            mean_advantage: None,
            mean_rescaled_utility: rescaled,
            rescaled_appearances: 2,
            mean_welfare: None,
            mean_nash_distance: None,
            mean_pareto_distance: None,
        };
        let names = |best: Option<(f64, Vec<&Score>)>| {
            best.map(|(u, ties)| (u, ties.iter().map(|sc| sc.negotiator.clone()).collect()))
        };
        let mut scores = Scores {
            by_scenario: vec![],
            overall: vec![score("a", Some(0.25)), score("b", None), score("c", Some(0.75))],
        };
        assert_eq!(names(scores.best_overall()), Some((0.75, vec!["c".to_string()])));
        scores.overall.push(score("d", Some(0.75)));
        assert_eq!(
            names(scores.best_overall()),
            Some((0.75, vec!["c".to_string(), "d".to_string()]))
        );
        scores.overall = vec![score("b", None)];
        assert_eq!(names(scores.best_overall()), None);
    }

    /// Sessions finished out of order are kept in order, each once, and scored as they are
    /// kept; the first failure in index order stops the keeping, whatever finished after it.
    #[test]
    fn sessions_are_kept_in_index_order_and_the_first_failure_stops_them() {
        let spec = TournamentSpec {
            negotiators: vec!["boulware".into()],
            scenarios: vec![ScenarioSpec {
                name: "s".into(),
                parties: vec!["a".into(), "b".into()],
                reservations: vec![0.0, 0.0],
                best: vec![Some(1.0), Some(1.0)],
                issues: vec![],
                outcomes: 1,
                fingerprint: 0,
            }],
            session: SessionConfig::sao(10),
            repetitions: 8,
            seed: 0,
        };
        let record = |index: usize| SessionRecord {
            index,
            scenario: 0,
            combination: 0,
            negotiators: vec![0, 0],
            repetition: index as u32,
            seed: 0,
            termination: Termination::Deadline,
            agreement: None,
            utilities: vec![0.0, 0.0],
            reservations: vec![0.0, 0.0],
            steps: 10,
            pareto_distance: None,
            nash_distance: None,
        };
        let mut kept = vec![];
        let mut keep = |r: SessionRecord, tag: usize| kept.push((r.index, tag));
        let mut order = InOrder {
            next: 0,
            waiting: (0..4).map(|_| None).collect(),
            tally: Tally::new(&spec),
            keep: &mut keep,
            error: None,
        };
        let finish = |o: &mut InOrder<'_, usize>, j: usize, ok: bool| {
            let slot = j % o.waiting.len();
            o.waiting[slot] = Some(if ok {
                Ok((record(j), 10 * j))
            } else {
                Err(Error::new(ErrorKind::InvalidConfig, format!("session {j} failed")))
            });
            o.keep_ready(&spec)
        };
        assert!(!finish(&mut order, 2, true)); // waits for 0 and 1
        assert!(!finish(&mut order, 1, true));
        assert!(finish(&mut order, 0, true)); // 0, 1 and 2 kept
        assert_eq!(order.next, 3);
        assert!(!finish(&mut order, 5, false)); // a later failure waits its turn
        assert!(!finish(&mut order, 4, true));
        assert!(finish(&mut order, 3, true)); // 3 and 4 kept, then 5 fails
        assert_eq!(order.error.as_ref().map(Error::message), Some("session 5 failed"));
        assert!(!finish(&mut order, 6, true)); // nothing is kept after the failure
        assert_eq!(order.tally.sessions, 5);
        assert_eq!(order.tally.scores(&spec.negotiators).overall[0].appearances, 10);
        drop(order);
        assert_eq!(kept, vec![(0, 0), (1, 10), (2, 20), (3, 30), (4, 40)]);
    }
}
