//! Sessions: the mechanisms (SAO and mediated single text), the runner, traces and replay.
//!
//! # SAO: stochastic alternating offers
//! One **step** is one round, as in NegMAS's default SAO (`one_offer_per_step = False`):
//! every party, in proposer order `0, 1, ..., n - 1`, gets one turn. On its turn a party
//! offers an outcome (or ends the session); every other party then responds, in ring order
//! after the proposer, and the offer is agreed when all of them accept. A response of
//! `End` ends the session at once. So a 2-party session of `n_steps = 100` has up to 200
//! offers, as in NegMAS; `steps` in the result counts the rounds started (the round of an
//! agreement included), and `n_offers` the offers made.
//!
//! Difference from NegMAS with more than two parties: NegMAS passes an offer around the
//! ring, each response taking a turn and a rejecting party countering at once; here all
//! others respond to an offer within the proposer's turn, and the turn then passes to the
//! next proposer in order.
//!
//! # Mediated single text
//! A mediator holds one text (an outcome), starting from a uniformly random one. Each step
//! it proposes a random neighbour of the text (one issue changed, see
//! [`Domain::neighbour`]) and every party votes ([`Negotiator::vote`]):
//! - [`Mechanism::HillClimbing`]: the text moves only when every party prefers the
//!   proposal (strict Pareto improvements);
//! - [`Mechanism::Veto`]: the text moves unless some party vetoes it (weak improvements,
//!   so the text can drift across plateaus).
//!
//! At the deadline every party responds to the final text ([`Negotiator::respond`] with
//! relative time 1): it is the agreement when all accept.
//!
//! # Time
//! There is no wall clock. The relative time of step `s` is
//! `max(s / n_steps, s * step_duration / time_limit)` over the deadlines given, and the
//! session ends before step `s` when `s >= n_steps` or `s * step_duration >= time_limit`.
//!
//! # Seeds
//! Party `p` draws from `Rng::derive(seed, &[1, p])` and the mediator from
//! `Rng::derive(seed, &[0])`, so the same inputs and seed give the same session.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{Action, Domain, Error, ErrorKind, Negotiator, Nmi, OutcomeId, Response, Rng, Vote};

/// The protocol of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// Stochastic alternating offers (`sao`).
    Sao,
    /// Mediated single text, moving on unanimous preference (`hill-climbing`).
    HillClimbing,
    /// Mediated single text, moving unless vetoed (`veto`).
    Veto,
}

impl Mechanism {
    /// The name on the command line: `sao`, `hill-climbing` or `veto`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Sao => "sao",
            Mechanism::HillClimbing => "hill-climbing",
            Mechanism::Veto => "veto",
        }
    }

    /// Reads a name (also `st` for hill climbing, NegMAS's single-text name).
    pub fn parse(s: &str) -> Option<Mechanism> {
        match s {
            "sao" => Some(Mechanism::Sao),
            "hill-climbing" | "st" => Some(Mechanism::HillClimbing),
            "veto" => Some(Mechanism::Veto),
            _ => None,
        }
    }
}

/// The most steps a deadline may allow ([`Deadline::max_steps`]); longer deadlines are
/// refused by [`SessionConfig::check`], so the step counter never overflows.
pub const MAX_STEPS: u64 = 1_000_000_000;

/// When a session stops without agreement; at least one of `n_steps` and `time_limit`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deadline {
    /// The most steps.
    pub n_steps: Option<u32>,
    /// The most simulated seconds.
    pub time_limit: Option<f64>,
    /// Simulated seconds per step (default 1).
    pub step_duration: f64,
}

impl Deadline {
    /// A deadline of `n` steps.
    pub fn steps(n: u32) -> Deadline {
        Deadline { n_steps: Some(n), time_limit: None, step_duration: 1.0 }
    }

    fn check(&self) -> Result<(), Error> {
        let bad = |m: &str| Err(Error::new(ErrorKind::InvalidConfig, m));
        if self.n_steps.is_none() && self.time_limit.is_none() {
            return bad("a deadline needs n_steps or time_limit");
        }
        if self.time_limit.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
            return bad("time_limit must be finite and > 0");
        }
        if !(self.step_duration.is_finite() && self.step_duration > 0.0) {
            return bad("step_duration must be finite and > 0");
        }
        let allowed = self.max_steps();
        if allowed > MAX_STEPS {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("the deadline allows {allowed} steps; at most {MAX_STEPS} are allowed"),
            ));
        }
        Ok(())
    }

    /// The most steps a session under this deadline can start: the smaller of `n_steps`
    /// and the steps before `time_limit` simulated seconds pass (saturating at `u64::MAX`).
    pub fn max_steps(&self) -> u64 {
        let by_steps = self.n_steps.map_or(u64::MAX, u64::from);
        let by_time = self.time_limit.map_or(u64::MAX, |t| {
            let s = (t / self.step_duration).ceil();
            // `as` saturates; NaN (refused by `check`) becomes 0
            s as u64
        });
        by_steps.min(by_time)
    }

    /// Whether the session ends before step `s`.
    pub fn reached(&self, s: u32) -> bool {
        self.n_steps.is_some_and(|n| s >= n)
            || self.time_limit.is_some_and(|t| s as f64 * self.step_duration >= t)
    }

    /// The relative time of step `s`, in `[0, 1]`.
    pub fn relative_time(&self, s: u32) -> f64 {
        let a = self.n_steps.map_or(0.0, |n| if n == 0 { 1.0 } else { s as f64 / n as f64 });
        let b = self.time_limit.map_or(0.0, |t| s as f64 * self.step_duration / t);
        a.max(b).clamp(0.0, 1.0)
    }
}

/// The settings of a session.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionConfig {
    /// The protocol.
    pub mechanism: Mechanism,
    /// The deadline.
    pub deadline: Deadline,
}

impl SessionConfig {
    /// SAO with a deadline of `n_steps` steps.
    pub fn sao(n_steps: u32) -> SessionConfig {
        SessionConfig { mechanism: Mechanism::Sao, deadline: Deadline::steps(n_steps) }
    }

    /// Checks the deadline.
    pub fn check(&self) -> Result<(), Error> {
        self.deadline.check()
    }
}

/// How a session ended.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Termination {
    /// Every party agreed (the outcome is [`SessionResult::agreement`]).
    Agreement,
    /// The deadline passed without agreement.
    Deadline,
    /// This party ended the session.
    EndedBy(usize),
    /// This party's negotiator misbehaved: it offered an outcome outside the space, or
    /// panicked (the panic is caught; the message says what happened).
    NegotiatorError {
        /// The party.
        party: usize,
        /// What went wrong, lowercase.
        message: String,
    },
}

impl Termination {
    /// `agreement`, `deadline`, `ended` or `error`.
    pub fn kind(&self) -> &'static str {
        match self {
            Termination::Agreement => "agreement",
            Termination::Deadline => "deadline",
            Termination::EndedBy(_) => "ended",
            Termination::NegotiatorError { .. } => "error",
        }
    }
}

/// What one trace entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// SAO: a party's offer (`outcome` `None`: it ended the session instead).
    Offer,
    /// Mediated: the mediator's proposal, voted on by every party.
    Proposal,
    /// Mediated: the final text, put to every party at the deadline.
    Ratification,
}

/// One event of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TraceEntry {
    /// The step.
    pub step: u32,
    /// What happened.
    pub kind: EntryKind,
    /// The proposer for an offer; `None` for the mediator.
    pub proposer: Option<u32>,
    /// The outcome offered or proposed (`None`: the proposer ended the session).
    pub outcome: Option<OutcomeId>,
}

/// A party's reply recorded in a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reply {
    /// Not asked (the proposer itself, or after the session ended in the entry).
    None,
    /// Accepted (SAO, ratification) or preferred the proposal (mediated vote).
    Accept,
    /// Rejected, or vetoed the proposal.
    Reject,
    /// Indifferent to the proposal (mediated vote).
    Indifferent,
    /// Ended the session.
    End,
}

/// How much of a session's trace [`run_with`] keeps. Only a full trace can be replayed;
/// the others hold memory bounded whatever the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceKeep {
    /// Every entry: memory grows with the number of offers.
    Full,
    /// The first `n` and the last `n` entries (at most `3n + 17` held while running).
    Summary(usize),
    /// No entry (only the counts).
    None,
}

impl TraceKeep {
    /// Entries kept at the start and at the end; `None` for a full trace.
    fn ends(self) -> Option<(usize, usize)> {
        match self {
            TraceKeep::Full => None,
            TraceKeep::Summary(n) => Some((n, n)),
            TraceKeep::None => Some((0, 0)),
        }
    }
}

/// Entries held beyond `head + 2 * tail` before the middle of a summary is dropped.
const SLACK: usize = 16;

/// The compact record of a session: enough to replay it ([`replay`]) when it is whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The settings.
    pub config: SessionConfig,
    /// The number of parties.
    pub n_parties: usize,
    /// Mediated: the mediator's first text.
    pub first_text: Option<OutcomeId>,
    /// The events in order.
    pub entries: Vec<TraceEntry>,
    /// `n_parties` replies per entry: `replies[e * n_parties + p]`.
    pub replies: Vec<Reply>,
    /// The negotiator error that ended the session, if one did.
    pub error: Option<TraceError>,
    /// Entries left out (by [`TraceKeep::Summary`] or [`TraceKeep::None`]); 0 for a whole trace.
    pub omitted: u64,
    /// Where the left-out entries were: the kept entries before them.
    pub omitted_at: usize,
}

/// A negotiator error recorded in a trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TraceError {
    /// The party whose negotiator misbehaved.
    pub party: usize,
    /// The steps started when it happened.
    pub steps: u32,
    /// What happened.
    pub message: String,
}

impl Trace {
    fn new(config: SessionConfig, n_parties: usize) -> Trace {
        Trace {
            config,
            n_parties,
            first_text: None,
            entries: Vec::new(),
            replies: Vec::new(),
            error: None,
            omitted: 0,
            omitted_at: 0,
        }
    }

    /// The replies to entry `e`, one per party.
    pub fn replies_of(&self, e: usize) -> &[Reply] {
        &self.replies[e * self.n_parties..(e + 1) * self.n_parties]
    }

    /// Whether every entry is held (nothing omitted), as [`replay`] needs.
    pub fn is_whole(&self) -> bool {
        self.omitted == 0
    }

    /// Drops the middle entries beyond what `keep` holds, when there are at least
    /// `at_least` (at least 1) of them.
    fn compact(&mut self, keep: TraceKeep, at_least: usize) {
        let Some((head, tail)) = keep.ends() else { return };
        let len = self.entries.len();
        if len < head + tail + at_least.max(1) {
            return;
        }
        let (from, to) = (head, len - tail);
        self.entries.drain(from..to);
        self.replies.drain(from * self.n_parties..to * self.n_parties);
        self.omitted += (to - from) as u64;
        self.omitted_at = head;
    }

    /// Appends an entry with no replies yet, returning where its replies start.
    fn push(&mut self, keep: TraceKeep, entry: TraceEntry) -> usize {
        let tail = keep.ends().map_or(0, |(_, tail)| tail);
        self.compact(keep, tail.max(SLACK));
        self.entries.push(entry);
        let base = self.replies.len();
        self.replies.extend(std::iter::repeat_n(Reply::None, self.n_parties));
        base
    }
}

/// The result of a session.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionResult {
    /// How it ended.
    pub termination: Termination,
    /// The agreed outcome, if any.
    pub agreement: Option<OutcomeId>,
    /// Each party's utility: of the agreement, or its reservation when there is none.
    pub utilities: Vec<f64>,
    /// Steps (SAO rounds) started, including the one that ended the session.
    pub steps: u32,
    /// Offers (SAO) or mediator proposals made.
    pub n_offers: u64,
    /// Euclidean distance in utility space from `utilities` to the nearest point of the
    /// exact Pareto frontier of rational outcomes (`None` when the frontier is empty or too
    /// large to list).
    pub pareto_distance: Option<f64>,
    /// Euclidean distance from `utilities` to the nearest Nash bargaining point (`None`
    /// when no outcome is rational for every party).
    pub nash_distance: Option<f64>,
    /// The trace.
    pub trace: Trace,
}

impl SessionResult {
    /// The sum of the utilities.
    pub fn welfare(&self) -> f64 {
        self.utilities.iter().sum()
    }
}

/// Runs one session of `negotiators` (one per party, in party order) on `domain`.
///
/// Errors only for a bad configuration (wrong number of negotiators, no deadline); a
/// misbehaving negotiator ends the session with [`Termination::NegotiatorError`].
///
/// ```
/// use std::sync::Arc;
/// use detente_core::*;
/// use detente_sim::*;
/// let parties = vec![
///     Party::new("a", "A", Role::Principal, 1.0, 0.2),
///     Party::new("b", "B", Role::Principal, 1.0, 0.2),
/// ];
/// let opts: Vec<String> = (0..11).map(|k| format!("o{k}")).collect();
/// let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
/// let issues = vec![Issue::discrete("x", "X", &opts)];
/// let stances = vec![
///     vec![Some(Stance::values(1.0, (0..11).map(|k| 1.0 - k as f64 / 10.0).collect()))],
///     vec![Some(Stance::values(1.0, (0..11).map(|k| k as f64 / 10.0).collect()))],
/// ];
/// let s = Scenario::new(Meta::named("split"), parties, issues, stances, vec![], vec![])?;
/// let domain = Domain::new(Arc::new(s))?;
/// let mut negs = vec![negotiator("boulware")?, negotiator("conceder")?];
/// let r = run(&domain, &SessionConfig::sao(100), &mut negs, 42)?;
/// assert_eq!(r.termination, Termination::Agreement);
/// assert!(r.utilities[0] > r.utilities[1]); // Boulware gets more
/// assert_eq!(r.pareto_distance, Some(0.0)); // every outcome is on this frontier
/// assert_eq!(replay(&domain, &r.trace)?, r);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    domain: &Domain,
    config: &SessionConfig,
    negotiators: &mut [Box<dyn Negotiator>],
    seed: u64,
) -> Result<SessionResult, Error> {
    run_with(domain, config, negotiators, seed, TraceKeep::Full)
}

/// [`run`], keeping only what `keep` asks of the trace: with [`TraceKeep::Summary`] or
/// [`TraceKeep::None`] the memory a session holds does not grow with its steps.
///
/// ```
/// # use std::sync::Arc;
/// # use detente_core::*;
/// # use detente_sim::*;
/// # let parties = vec![
/// #     Party::new("a", "A", Role::Principal, 1.0, 0.9),
/// #     Party::new("b", "B", Role::Principal, 1.0, 0.9),
/// # ];
/// # let issues = vec![Issue::discrete("x", "X", &["x0", "x1"])];
/// # let stances = vec![
/// #     vec![Some(Stance::values(1.0, vec![1.0, 0.0]))],
/// #     vec![Some(Stance::values(1.0, vec![0.0, 1.0]))],
/// # ];
/// # let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![])?;
/// # let domain = Domain::new(Arc::new(s))?;
/// let mut negs = vec![negotiator("hardliner")?, negotiator("hardliner")?];
/// let r = run_with(&domain, &SessionConfig::sao(10_000), &mut negs, 1, TraceKeep::Summary(5))?;
/// assert_eq!((r.termination, r.steps), (Termination::Deadline, 10_000));
/// assert_eq!(r.trace.entries.len(), 10); // the first 5 offers and the last 5
/// assert_eq!(r.trace.omitted, 20_000 - 10);
/// assert!(replay(&domain, &r.trace).is_err()); // only a whole trace replays
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_with(
    domain: &Domain,
    config: &SessionConfig,
    negotiators: &mut [Box<dyn Negotiator>],
    seed: u64,
    keep: TraceKeep,
) -> Result<SessionResult, Error> {
    config.check()?;
    let n = domain.n_parties();
    if negotiators.len() != n {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("{} negotiators for {} parties", negotiators.len(), n),
        ));
    }
    let mut state =
        State { trace: Trace::new(*config, n), keep, current: 0, steps: 0, n_offers: 0 };
    let outcome = catch_unwind(AssertUnwindSafe(|| match config.mechanism {
        Mechanism::Sao => run_sao(domain, config, negotiators, seed, &mut state),
        Mechanism::HillClimbing | Mechanism::Veto => {
            run_mediated(domain, config, negotiators, seed, &mut state)
        }
    }));
    let (termination, agreement, steps) = match outcome {
        Ok(done) => done,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let message = format!("negotiator panicked: {what}");
            let (party, steps) = (state.current, state.steps);
            state.trace.error = Some(TraceError { party, steps, message: message.clone() });
            (Termination::NegotiatorError { party, message }, None, steps)
        }
    };
    state.trace.compact(keep, 1);
    Ok(finish(domain, termination, agreement, steps, state.n_offers, state.trace))
}

struct State {
    trace: Trace,
    keep: TraceKeep,
    /// The party being asked, for panics.
    current: usize,
    /// The steps started, for panics.
    steps: u32,
    n_offers: u64,
}

type Done = (Termination, Option<OutcomeId>, u32);

fn nmi<'a>(domain: &'a Domain, config: &SessionConfig, party: usize, step: u32, t: f64) -> Nmi<'a> {
    Nmi { domain, party, step, relative_time: t, n_steps: config.deadline.n_steps }
}

fn run_sao(
    domain: &Domain,
    config: &SessionConfig,
    negs: &mut [Box<dyn Negotiator>],
    seed: u64,
    state: &mut State,
) -> Done {
    let n = negs.len();
    let mut rngs: Vec<Rng> = (0..n).map(|p| Rng::derive(seed, &[1, p as u64])).collect();
    for (p, neg) in negs.iter_mut().enumerate() {
        state.current = p;
        neg.on_start(&nmi(domain, config, p, 0, 0.0));
    }
    let mut step = 0u32;
    loop {
        if config.deadline.reached(step) {
            return (Termination::Deadline, None, step);
        }
        state.steps = step + 1;
        let t = config.deadline.relative_time(step);
        for p in 0..n {
            state.current = p;
            let action = negs[p].propose(&nmi(domain, config, p, step, t), &mut rngs[p]);
            match action {
                Action::End => {
                    let entry = TraceEntry {
                        step,
                        kind: EntryKind::Offer,
                        proposer: Some(p as u32),
                        outcome: None,
                    };
                    state.trace.push(state.keep, entry);
                    return (Termination::EndedBy(p), None, step + 1);
                }
                Action::Offer(id) if id >= domain.n_outcomes() => {
                    let message = format!(
                        "offered outcome {id}, outside the outcome space of {} outcomes",
                        domain.n_outcomes()
                    );
                    state.trace.error =
                        Some(TraceError { party: p, steps: step + 1, message: message.clone() });
                    return (Termination::NegotiatorError { party: p, message }, None, step + 1);
                }
                Action::Offer(id) => {
                    state.n_offers += 1;
                    let entry = TraceEntry {
                        step,
                        kind: EntryKind::Offer,
                        proposer: Some(p as u32),
                        outcome: Some(id),
                    };
                    let base = state.trace.push(state.keep, entry);
                    let mut all = true;
                    for q in (p + 1..n).chain(0..p) {
                        state.current = q;
                        let r = negs[q].respond(&nmi(domain, config, q, step, t), id, &mut rngs[q]);
                        match r {
                            Response::Accept => state.trace.replies[base + q] = Reply::Accept,
                            Response::Reject => {
                                state.trace.replies[base + q] = Reply::Reject;
                                all = false;
                            }
                            Response::End => {
                                state.trace.replies[base + q] = Reply::End;
                                return (Termination::EndedBy(q), None, step + 1);
                            }
                        }
                    }
                    if all {
                        return (Termination::Agreement, Some(id), step + 1);
                    }
                }
            }
        }
        step += 1;
    }
}

fn run_mediated(
    domain: &Domain,
    config: &SessionConfig,
    negs: &mut [Box<dyn Negotiator>],
    seed: u64,
    state: &mut State,
) -> Done {
    let n = negs.len();
    let mut rngs: Vec<Rng> = (0..n).map(|p| Rng::derive(seed, &[1, p as u64])).collect();
    let mut mediator = Rng::derive(seed, &[0]);
    for (p, neg) in negs.iter_mut().enumerate() {
        state.current = p;
        neg.on_start(&nmi(domain, config, p, 0, 0.0));
    }
    let mut text = domain.random_outcome(&mut mediator);
    state.trace.first_text = Some(text);
    let mut step = 0u32;
    while !config.deadline.reached(step) {
        state.steps = step + 1;
        let t = config.deadline.relative_time(step);
        let proposal = domain.neighbour(text, &mut mediator);
        state.n_offers += 1;
        let entry =
            TraceEntry { step, kind: EntryKind::Proposal, proposer: None, outcome: Some(proposal) };
        let base = state.trace.push(state.keep, entry);
        let mut votes = (0, 0); // (prefer, veto)
        for q in 0..n {
            state.current = q;
            let v = negs[q].vote(&nmi(domain, config, q, step, t), text, proposal, &mut rngs[q]);
            state.trace.replies[base + q] = match v {
                Vote::Prefer => {
                    votes.0 += 1;
                    Reply::Accept
                }
                Vote::Indifferent => Reply::Indifferent,
                Vote::Veto => {
                    votes.1 += 1;
                    Reply::Reject
                }
                Vote::End => {
                    state.trace.replies[base + q] = Reply::End;
                    return (Termination::EndedBy(q), None, step + 1);
                }
            };
        }
        if moves(config.mechanism, votes, n) {
            text = proposal;
        }
        step += 1;
    }
    let entry =
        TraceEntry { step, kind: EntryKind::Ratification, proposer: None, outcome: Some(text) };
    let base = state.trace.push(state.keep, entry);
    let mut all = true;
    for q in 0..n {
        state.current = q;
        match negs[q].respond(&nmi(domain, config, q, step, 1.0), text, &mut rngs[q]) {
            Response::Accept => state.trace.replies[base + q] = Reply::Accept,
            Response::Reject => {
                state.trace.replies[base + q] = Reply::Reject;
                all = false;
            }
            Response::End => {
                state.trace.replies[base + q] = Reply::End;
                return (Termination::EndedBy(q), None, step);
            }
        }
    }
    if all {
        (Termination::Agreement, Some(text), step)
    } else {
        (Termination::Deadline, None, step)
    }
}

fn moves(mechanism: Mechanism, (prefer, veto): (usize, usize), n: usize) -> bool {
    match mechanism {
        Mechanism::HillClimbing => prefer == n,
        _ => veto == 0,
    }
}

fn finish(
    domain: &Domain,
    termination: Termination,
    agreement: Option<OutcomeId>,
    steps: u32,
    n_offers: u64,
    trace: Trace,
) -> SessionResult {
    let utilities: Vec<f64> = (0..domain.n_parties())
        .map(|p| match agreement {
            Some(id) => domain.utility(p, id),
            None => domain.reservation(p),
        })
        .collect();
    let reference = domain.reference();
    SessionResult {
        termination,
        agreement,
        pareto_distance: reference.frontier_distance(&utilities),
        nash_distance: reference.nash_distance(&utilities),
        utilities,
        steps,
        n_offers,
        trace,
    }
}

/// Recomputes a session's result from its trace alone, without the negotiators, checking
/// that the trace follows the mechanism's rules (proposer order, steps, replies, the
/// mediator's text). `replay(domain, &run(..)?.trace)` equals the result of `run`.
pub fn replay(domain: &Domain, trace: &Trace) -> Result<SessionResult, Error> {
    let bad = |m: String| Err(Error::new(ErrorKind::InvalidTrace, m));
    let n = domain.n_parties();
    if trace.n_parties != n || trace.replies.len() != trace.entries.len() * n {
        return bad("the trace does not fit the domain's parties".to_string());
    }
    if !trace.is_whole() {
        return bad(format!(
            "the trace leaves out {} entries; only a whole trace can be replayed",
            trace.omitted
        ));
    }
    trace.config.check()?;
    let mut n_offers = 0u64;
    let mut end: Option<Done> = None;
    let mut text = trace.first_text;
    for (e, entry) in trace.entries.iter().enumerate() {
        if end.is_some() {
            return bad(format!("entry {e} follows the end of the session"));
        }
        if entry.outcome.is_some_and(|id| id >= domain.n_outcomes()) {
            return bad(format!("entry {e} names an outcome outside the space"));
        }
        let replies = trace.replies_of(e);
        match (trace.config.mechanism, entry.kind) {
            (Mechanism::Sao, EntryKind::Offer) => {
                let Some(p) = entry.proposer.map(|p| p as usize) else {
                    return bad(format!("entry {e} has no proposer"));
                };
                if p >= n || e / n != entry.step as usize || e % n != p {
                    return bad(format!("entry {e} breaks the proposer order"));
                }
                let Some(id) = entry.outcome else {
                    end = Some((Termination::EndedBy(p), None, entry.step + 1));
                    continue;
                };
                n_offers += 1;
                let mut all = true;
                for q in (p + 1..n).chain(0..p) {
                    match replies[q] {
                        Reply::Accept => {}
                        Reply::End => {
                            end = Some((Termination::EndedBy(q), None, entry.step + 1));
                            break;
                        }
                        _ => all = false,
                    }
                }
                if end.is_none() && all {
                    end = Some((Termination::Agreement, Some(id), entry.step + 1));
                }
            }
            (Mechanism::HillClimbing | Mechanism::Veto, EntryKind::Proposal) => {
                let (Some(cur), Some(id)) = (text, entry.outcome) else {
                    return bad(format!("entry {e} has no text or proposal"));
                };
                if entry.step as usize != e {
                    return bad(format!("entry {e} is out of step"));
                }
                n_offers += 1;
                if let Some(q) = replies.iter().position(|r| *r == Reply::End) {
                    end = Some((Termination::EndedBy(q), None, entry.step + 1));
                    continue;
                }
                let prefer = replies.iter().filter(|r| **r == Reply::Accept).count();
                let veto = replies.iter().filter(|r| **r == Reply::Reject).count();
                text =
                    Some(if moves(trace.config.mechanism, (prefer, veto), n) { id } else { cur });
            }
            (Mechanism::HillClimbing | Mechanism::Veto, EntryKind::Ratification) => {
                if entry.outcome != text || entry.step as usize != e {
                    return bad(format!("entry {e} ratifies another text than the mediator's"));
                }
                end = Some(if let Some(q) = replies.iter().position(|r| *r == Reply::End) {
                    (Termination::EndedBy(q), None, entry.step)
                } else if replies.iter().all(|r| *r == Reply::Accept) {
                    (Termination::Agreement, entry.outcome, entry.step)
                } else {
                    (Termination::Deadline, None, entry.step)
                });
            }
            _ => return bad(format!("entry {e} does not belong to this mechanism")),
        }
    }
    let (termination, agreement, steps) = match (end, &trace.error) {
        (Some(done), None) => done,
        (Some(_), Some(_)) => return bad("a session that ended has an error".to_string()),
        (None, Some(err)) => (
            Termination::NegotiatorError { party: err.party, message: err.message.clone() },
            None,
            err.steps,
        ),
        (None, None) => {
            let steps = trace.entries.last().map_or(0, |e| e.step + 1);
            if trace.config.mechanism != Mechanism::Sao
                || !trace.config.deadline.reached(steps)
                || trace.entries.len() != steps as usize * n
            {
                return bad("the trace stops before the deadline".to_string());
            }
            (Termination::Deadline, None, steps)
        }
    };
    Ok(finish(domain, termination, agreement, steps, n_offers, trace.clone()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use detente_analysis::testkit::{GenConfig, random_scenario};

    use super::*;
    use crate::negotiator;

    fn domain(seed: u64, n_parties: usize) -> Domain {
        let cfg = GenConfig { red_line_chance: 0.0, ..GenConfig::new(n_parties, 3, 5) };
        Domain::new(Arc::new(random_scenario(seed, &cfg))).expect("domain")
    }

    fn negs(names: &[&str]) -> Vec<Box<dyn Negotiator>> {
        names.iter().map(|n| negotiator(n).expect("known")).collect()
    }

    struct Rogue(Action);

    impl Negotiator for Rogue {
        fn propose(&mut self, _: &Nmi, _: &mut Rng) -> Action {
            self.0
        }
        fn respond(&mut self, _: &Nmi, _: OutcomeId, _: &mut Rng) -> Response {
            Response::Reject
        }
    }

    struct Panicky;

    impl Negotiator for Panicky {
        fn propose(&mut self, _: &Nmi, _: &mut Rng) -> Action {
            Action::Offer(0)
        }
        fn respond(&mut self, nmi: &Nmi, _: OutcomeId, _: &mut Rng) -> Response {
            if nmi.step == 3 {
                panic!("boom");
            }
            Response::Reject
        }
    }

    #[test]
    fn an_invalid_offer_ends_the_session_with_a_negotiator_error() {
        let d = domain(1, 2);
        let n = d.n_outcomes();
        let mut ns: Vec<Box<dyn Negotiator>> =
            vec![negotiator("boulware").unwrap(), Box::new(Rogue(Action::Offer(n)))];
        let r = run(&d, &SessionConfig::sao(10), &mut ns, 1).unwrap();
        assert_eq!(
            r.termination,
            Termination::NegotiatorError {
                party: 1,
                message: format!("offered outcome {n}, outside the outcome space of {n} outcomes"),
            }
        );
        assert_eq!((r.steps, r.n_offers, r.agreement), (1, 1, None));
        assert_eq!(replay(&d, &r.trace).unwrap(), r);
    }

    #[test]
    fn a_panic_ends_the_session_with_a_negotiator_error() {
        let d = domain(2, 2);
        let mut ns: Vec<Box<dyn Negotiator>> = vec![Box::new(Panicky), Box::new(Panicky)];
        let r = run(&d, &SessionConfig::sao(10), &mut ns, 1).unwrap();
        assert_eq!(
            r.termination,
            Termination::NegotiatorError { party: 1, message: "negotiator panicked: boom".into() }
        );
        assert_eq!(r.steps, 4);
        assert_eq!(replay(&d, &r.trace).unwrap(), r);
    }

    #[test]
    fn ending_and_deadlines() {
        let d = domain(3, 2);
        let mut ns: Vec<Box<dyn Negotiator>> =
            vec![negotiator("hardliner").unwrap(), Box::new(Rogue(Action::End))];
        let r = run(&d, &SessionConfig::sao(10), &mut ns, 1).unwrap();
        assert_eq!((r.termination.clone(), r.steps, r.n_offers), (Termination::EndedBy(1), 1, 1));
        assert_eq!(replay(&d, &r.trace).unwrap(), r);

        let r = run(&d, &SessionConfig::sao(7), &mut negs(&["hardliner", "hardliner"]), 1).unwrap();
        if r.termination == Termination::Deadline {
            assert_eq!((r.steps, r.n_offers), (7, 14));
            assert_eq!(r.utilities, vec![d.reservation(0), d.reservation(1)]);
        }
        assert_eq!(replay(&d, &r.trace).unwrap(), r);

        // simulated time: 2 s per step, 9 s allowed: steps 0..=4 start
        let config = SessionConfig {
            mechanism: Mechanism::Sao,
            deadline: Deadline { n_steps: None, time_limit: Some(9.0), step_duration: 2.0 },
        };
        let mut ns: Vec<Box<dyn Negotiator>> =
            vec![Box::new(Rogue(Action::Offer(0))), Box::new(Rogue(Action::Offer(1)))];
        let r = run(&d, &config, &mut ns, 1).unwrap();
        assert_eq!((r.termination.clone(), r.steps), (Termination::Deadline, 5));
        assert_eq!(replay(&d, &r.trace).unwrap(), r);
    }

    #[test]
    fn bad_configurations_are_errors() {
        let d = domain(4, 2);
        let e = run(&d, &SessionConfig::sao(10), &mut negs(&["boulware"]), 1).unwrap_err();
        assert_eq!(e.to_string(), "1 negotiators for 2 parties");
        let config = SessionConfig {
            mechanism: Mechanism::Sao,
            deadline: Deadline { n_steps: None, time_limit: None, step_duration: 1.0 },
        };
        let e = run(&d, &config, &mut negs(&["boulware", "boulware"]), 1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    }

    #[test]
    fn three_parties_agree_only_when_both_others_accept() {
        for seed in 0..10 {
            let d = domain(seed, 3);
            let mut ns = negs(&["conceder", "linear", "boulware"]);
            let r = run(&d, &SessionConfig::sao(60), &mut ns, seed).unwrap();
            if let Some(id) = r.agreement {
                let e = r.trace.entries.len() - 1;
                let proposer = r.trace.entries[e].proposer.unwrap() as usize;
                for (q, reply) in r.trace.replies_of(e).iter().enumerate() {
                    assert_eq!(*reply, if q == proposer { Reply::None } else { Reply::Accept });
                }
                assert_eq!(r.trace.entries[e].outcome, Some(id));
            }
            assert_eq!(replay(&d, &r.trace).unwrap(), r);
        }
    }

    #[test]
    fn hill_climbing_moves_only_on_strict_pareto_improvements() {
        for mechanism in [Mechanism::HillClimbing, Mechanism::Veto] {
            for seed in 0..10 {
                let d = domain(seed, 2);
                let config = SessionConfig { mechanism, deadline: Deadline::steps(200) };
                let r = run(&d, &config, &mut negs(&["linear", "boulware"]), seed).unwrap();
                let mut text = r.trace.first_text.unwrap();
                for (e, entry) in r.trace.entries.iter().enumerate() {
                    let id = entry.outcome.unwrap();
                    if entry.kind == EntryKind::Ratification {
                        assert_eq!(id, text);
                        break;
                    }
                    let (better, worse) = (0..2).fold((0, 0), |(b, w), p| {
                        let (u, v) = (d.utility(p, text), d.utility(p, id));
                        (b + usize::from(v > u), w + usize::from(v < u))
                    });
                    let moved = match mechanism {
                        Mechanism::HillClimbing => better == 2,
                        _ => worse == 0,
                    };
                    assert_eq!(r.trace.replies_of(e).len(), 2);
                    if moved {
                        text = id;
                    }
                }
                assert_eq!(r.steps, 200);
                if let Some(a) = r.agreement {
                    assert_eq!(a, text);
                    assert!(d.acceptable(0, a) && d.acceptable(1, a));
                }
                assert_eq!(replay(&d, &r.trace).unwrap(), r);
            }
        }
    }

    #[test]
    fn a_summary_trace_holds_the_same_memory_for_any_number_of_steps() {
        let d = domain(6, 2);
        let held = |n_steps: u32, keep: TraceKeep| {
            let r =
                run_with(&d, &SessionConfig::sao(n_steps), &mut negs(&["hardliner"; 2]), 1, keep)
                    .unwrap();
            assert_eq!((r.termination.clone(), r.steps), (Termination::Deadline, n_steps));
            let t = &r.trace;
            assert_eq!(t.entries.len() as u64 + t.omitted, 2 * u64::from(n_steps));
            assert_eq!(t.replies.len(), t.entries.len() * 2);
            (t.entries.len(), t.entries.capacity(), t.replies.capacity())
        };
        let small = held(1_000, TraceKeep::Summary(10));
        let large = held(100_000, TraceKeep::Summary(10));
        assert_eq!(small.0, 20);
        assert_eq!(small, large, "the trace held does not grow with the steps");
        assert!(large.1 <= 64);
        assert_eq!(held(100_000, TraceKeep::None).0, 0);
        assert!(held(100_000, TraceKeep::None).1 <= 32);
        // the summary is the first 10 and the last 10 entries of the whole trace
        let whole =
            run(&d, &SessionConfig::sao(500), &mut negs(&["boulware", "linear"]), 2).unwrap();
        let part = run_with(
            &d,
            &SessionConfig::sao(500),
            &mut negs(&["boulware", "linear"]),
            2,
            TraceKeep::Summary(10),
        )
        .unwrap();
        let n = whole.trace.entries.len();
        assert!(n > 20);
        assert_eq!(part.trace.omitted as usize, n - 20);
        assert_eq!(part.trace.omitted_at, 10);
        assert_eq!(part.trace.entries[..10], whole.trace.entries[..10]);
        assert_eq!(part.trace.entries[10..], whole.trace.entries[n - 10..]);
        assert_eq!(part.trace.replies[20..], whole.trace.replies[2 * (n - 10)..]);
        assert_eq!((part.agreement, part.steps), (whole.agreement, whole.steps));
        assert_eq!(replay(&d, &part.trace).unwrap_err().kind(), ErrorKind::InvalidTrace);
    }

    #[test]
    fn deadlines_beyond_the_most_steps_are_refused() {
        let d = domain(7, 2);
        let long = |n_steps, time_limit| SessionConfig {
            mechanism: Mechanism::Sao,
            deadline: Deadline { n_steps, time_limit, step_duration: 1.0 },
        };
        assert_eq!(long(Some(MAX_STEPS as u32), None).deadline.max_steps(), MAX_STEPS);
        assert!(long(Some(MAX_STEPS as u32), None).check().is_ok());
        for config in [
            long(Some(MAX_STEPS as u32 + 1), None),
            long(None, Some(1e12)),
            long(None, Some(f64::MAX)),
            long(None, Some(f64::NAN)),
            long(None, Some(-1.0)),
            long(None, Some(f64::INFINITY)),
        ] {
            let e = run(&d, &config, &mut negs(&["hardliner"; 2]), 1).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{config:?}");
        }
        // a step limit caps a long time limit
        assert_eq!(long(Some(5), Some(1e12)).deadline.max_steps(), 5);
        assert!(long(Some(5), Some(1e12)).check().is_ok());
    }

    #[test]
    fn replay_rejects_a_doctored_trace() {
        let d = domain(5, 2);
        let r = run(&d, &SessionConfig::sao(50), &mut negs(&["boulware", "linear"]), 3).unwrap();
        let mut t = r.trace.clone();
        t.entries.swap(0, 1);
        assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
        let mut t = r.trace.clone();
        t.entries.pop();
        t.replies.truncate(t.entries.len() * 2);
        if r.termination == Termination::Agreement && !t.entries.is_empty() {
            assert!(replay(&d, &t).is_err());
        }
    }
}
