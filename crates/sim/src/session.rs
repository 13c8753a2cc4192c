//! Sessions: the one runner that drives a [`Mechanism`], the settings, traces, observers and
//! replay.
//!
//! [`run`] (and [`run_with`], [`run_observed`]) set up a session (the negotiators'
//! generators, the mediator, the observers), call each negotiator's `on_start`, then let the
//! mechanism of the [`SessionConfig`] play the session through a [`Session`], and measure the
//! result. [`replay`] runs the same mechanism with negotiators (and a mediator) that play
//! back the moves a [`Trace`] recorded, and accepts the trace only when the rules give it
//! back exactly.
//!
//! # Observers
//! A session tells its [`Observer`]s what happens ([`Event`]): steps starting, the
//! mediator's first text, each entry and each reply, a negotiator's failure, the end. The
//! trace is one observer ([`TraceRecorder`], always attached, keeping what [`TraceKeep`]
//! asks); a progress bar or a live plot are others ([`run_observed`]).
//!
//! # Time
//! There is no wall clock. The relative time of step `s` is
//! `max(s / n_steps, s * step_duration / time_limit)` over the deadlines given, and the
//! session ends before step `s` when `s >= n_steps` or `s * step_duration >= time_limit`.
//!
//! # Seeds
//! Party `p` draws from `Rng::derive(seed, &[1, p])` and the mediator from
//! `Rng::derive(seed, &[0])`, so the same inputs and seed give the same session.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::mechanism::{Ending, Stop};
use crate::{
    Action, Domain, Error, ErrorKind, Mechanism, Negotiator, Nmi, OutcomeId, Response, Rng, Vote,
};

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
#[derive(Clone, Copy, Debug)]
pub struct SessionConfig {
    /// The protocol ([`SAO`](crate::SAO), [`HILL_CLIMBING`](crate::HILL_CLIMBING),
    /// [`VETO`](crate::VETO) or another [`Mechanism`]).
    pub mechanism: &'static dyn Mechanism,
    /// The deadline.
    pub deadline: Deadline,
}

/// Two settings are equal when their mechanisms have the same name and their deadlines are
/// equal.
impl PartialEq for SessionConfig {
    fn eq(&self, other: &SessionConfig) -> bool {
        self.mechanism.name() == other.mechanism.name() && self.deadline == other.deadline
    }
}

impl SessionConfig {
    /// SAO with a deadline of `n_steps` steps.
    pub fn sao(n_steps: u32) -> SessionConfig {
        SessionConfig { mechanism: &crate::SAO, deadline: Deadline::steps(n_steps) }
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

/// What happens in a session, as its [`Observer`]s are told.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event<'e> {
    /// A step starts (`steps` steps have then started), at this relative time.
    Step {
        /// The step, from 0.
        step: u32,
        /// Its relative time in `[0, 1]`.
        relative_time: f64,
        /// The most steps the deadline allows ([`Deadline::max_steps`]).
        max_steps: u64,
    },
    /// Mediated: the mediator's first text.
    FirstText(OutcomeId),
    /// An entry of the trace: an offer, a proposal, a ratification.
    Entry(&'e TraceEntry),
    /// A party's reply to the last entry.
    Reply {
        /// The party.
        party: usize,
        /// Its reply.
        reply: Reply,
    },
    /// A negotiator failed; the session ends.
    Failed(&'e TraceError),
    /// The session ended (the last event).
    End {
        /// How.
        termination: &'e Termination,
        /// The agreed outcome, if any.
        agreement: Option<OutcomeId>,
        /// The steps started.
        steps: u32,
    },
}

/// Watches a session: told every [`Event`] in order. The trace is one observer
/// ([`TraceRecorder`]); [`run_observed`] takes others (a progress bar, a live plot).
///
/// An observer must not panic: a panic ends the session as a failure of the negotiator
/// being asked at the time.
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
/// /// Counts the steps, as a progress bar would show them.
/// #[derive(Default)]
/// struct Steps(u64);
///
/// impl Observer for Steps {
///     fn on_event(&mut self, event: &Event<'_>) {
///         if let Event::Step { .. } = event {
///             self.0 += 1;
///         }
///     }
/// }
///
/// let mut steps = Steps::default();
/// let mut negs = vec![negotiator("hardliner")?, negotiator("hardliner")?];
/// let config = SessionConfig::sao(1_000);
/// let r = run_observed(&domain, &config, &mut negs, 1, TraceKeep::None, &mut [&mut steps])?;
/// assert_eq!((r.steps, steps.0), (1_000, 1_000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Observer {
    /// Called for each event, in order.
    fn on_event(&mut self, event: &Event<'_>);
}

/// The trace as an observer: records the events into a [`Trace`], keeping what its
/// [`TraceKeep`] asks (the middle of a summary is dropped as the session goes, so the memory
/// held does not grow with the steps).
#[derive(Clone, Debug)]
pub struct TraceRecorder {
    trace: Trace,
    keep: TraceKeep,
    /// Where the replies of the last entry start.
    base: usize,
}

impl TraceRecorder {
    /// An empty trace of a session of `n_parties` under `config`.
    pub fn new(config: SessionConfig, n_parties: usize, keep: TraceKeep) -> TraceRecorder {
        TraceRecorder { trace: Trace::new(config, n_parties), keep, base: 0 }
    }

    /// The trace recorded.
    pub fn into_trace(self) -> Trace {
        self.trace
    }

    #[inline]
    fn entry(&mut self, entry: TraceEntry) {
        self.base = self.trace.push(self.keep, entry);
    }

    #[inline]
    fn reply(&mut self, party: usize, reply: Reply) {
        if let Some(slot) = self.trace.replies.get_mut(self.base + party) {
            *slot = reply;
        }
    }
}

impl Observer for TraceRecorder {
    fn on_event(&mut self, event: &Event<'_>) {
        match *event {
            Event::Entry(entry) => self.entry(*entry),
            Event::Reply { party, reply } => self.reply(party, reply),
            Event::FirstText(text) => self.trace.first_text = Some(text),
            Event::Failed(error) => self.trace.error = Some(error.clone()),
            Event::End { .. } => self.trace.compact(self.keep, 1),
            Event::Step { .. } => {}
        }
    }
}

/// Where the mediator's texts come from: its generator in a session that runs, the trace
/// in one that is replayed.
trait Mediator {
    /// The first text.
    fn first_text(&mut self, domain: &Domain) -> OutcomeId;
    /// A proposal against the current `text`.
    fn propose(&mut self, domain: &Domain, text: OutcomeId) -> OutcomeId;
}

/// The mediator of a session that runs: a uniformly random first text, then random
/// neighbours ([`Domain::neighbour`]).
struct RandomMediator(Rng);

impl Mediator for RandomMediator {
    fn first_text(&mut self, domain: &Domain) -> OutcomeId {
        domain.random_outcome(&mut self.0)
    }

    fn propose(&mut self, domain: &Domain, text: OutcomeId) -> OutcomeId {
        domain.neighbour(text, &mut self.0)
    }
}

/// A session being played: what a [`Mechanism`] asks the parties and the mediator through,
/// and tells the observers through. Every question of a party checks the answer (an offer
/// outside the outcome space is the negotiator's failure: the question returns [`Stop`]),
/// and every reply is recorded to the last entry.
pub struct Session<'a> {
    domain: &'a Domain,
    deadline: Deadline,
    /// [`Deadline::max_steps`], once.
    max_steps: u64,
    negotiators: &'a mut [Box<dyn Negotiator>],
    rngs: Vec<Rng>,
    mediator: &'a mut dyn Mediator,
    recorder: TraceRecorder,
    observers: Vec<&'a mut dyn Observer>,
    /// The party being asked, for panics.
    current: usize,
    /// The steps started.
    steps: u32,
    n_offers: u64,
    failure: Option<TraceError>,
}

impl fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("deadline", &self.deadline)
            .field("steps", &self.steps)
            .field("n_offers", &self.n_offers)
            .finish_non_exhaustive()
    }
}

impl<'a> Session<'a> {
    /// Tells the observers other than the trace (the trace is told by the caller, directly:
    /// the hot path of a session with no other observer does no more).
    #[inline]
    fn tell(&mut self, event: Event<'_>) {
        for o in self.observers.iter_mut() {
            o.on_event(&event);
        }
    }

    /// Tells every observer, the trace first.
    fn emit(&mut self, event: Event<'_>) {
        self.recorder.on_event(&event);
        self.tell(event);
    }

    #[inline]
    fn nmi(&self, party: usize, step: u32, t: f64) -> Nmi<'a> {
        Nmi { domain: self.domain, party, step, relative_time: t, n_steps: self.deadline.n_steps }
    }

    /// The outcome space and the parties' utilities.
    pub fn domain(&self) -> &'a Domain {
        self.domain
    }

    /// The number of parties.
    pub fn n_parties(&self) -> usize {
        self.negotiators.len()
    }

    /// The deadline.
    pub fn deadline(&self) -> &Deadline {
        &self.deadline
    }

    /// Starts step `step` and returns its relative time, or `None` when the deadline has
    /// passed before it (the session then ends without starting it).
    #[inline]
    pub fn start_step(&mut self, step: u32) -> Option<f64> {
        if self.deadline.reached(step) {
            return None;
        }
        self.steps = step + 1;
        let relative_time = self.deadline.relative_time(step);
        if !self.observers.is_empty() {
            let max_steps = self.max_steps;
            self.tell(Event::Step { step, relative_time, max_steps });
        }
        Some(relative_time)
    }

    /// Records an entry of the trace (an offer or mediator proposal with an outcome counts
    /// as an offer); the replies asked for next are the replies to it.
    #[inline]
    pub fn record(&mut self, entry: TraceEntry) {
        if entry.kind != EntryKind::Ratification && entry.outcome.is_some() {
            self.n_offers += 1;
        }
        self.recorder.entry(entry);
        if !self.observers.is_empty() {
            self.tell(Event::Entry(&entry));
        }
    }

    /// Records a negotiator's failure; the session stops.
    fn fail(&mut self, party: usize, message: String) -> Stop {
        let error = TraceError { party, steps: self.steps, message };
        self.emit(Event::Failed(&error));
        self.failure = Some(error);
        Stop(())
    }

    #[inline]
    fn reply(&mut self, party: usize, reply: Reply) {
        self.recorder.reply(party, reply);
        if !self.observers.is_empty() {
            self.tell(Event::Reply { party, reply });
        }
    }

    /// Asks party `p` for an offer at `step` and relative time `t`; an offer outside the
    /// outcome space is its failure.
    #[inline]
    pub fn propose(&mut self, p: usize, step: u32, t: f64) -> Result<Action, Stop> {
        self.current = p;
        let nmi = self.nmi(p, step, t);
        let action = self.negotiators[p].propose(&nmi, &mut self.rngs[p]);
        match action {
            Action::Offer(id) if id >= self.domain.n_outcomes() => {
                let message = format!(
                    "offered outcome {id}, outside the outcome space of {} outcomes",
                    self.domain.n_outcomes()
                );
                Err(self.fail(p, message))
            }
            _ => Ok(action),
        }
    }

    /// Asks party `q` to answer `offer` (the last entry's outcome) at `step` and relative
    /// time `t`, and records its reply.
    #[inline]
    pub fn respond(
        &mut self,
        q: usize,
        offer: OutcomeId,
        step: u32,
        t: f64,
    ) -> Result<Response, Stop> {
        self.current = q;
        let nmi = self.nmi(q, step, t);
        let response = self.negotiators[q].respond(&nmi, offer, &mut self.rngs[q]);
        let reply = match response {
            Response::Accept => Reply::Accept,
            Response::Reject => Reply::Reject,
            Response::End => Reply::End,
        };
        self.reply(q, reply);
        Ok(response)
    }

    /// Asks party `q` to vote on the mediator's `proposal` against the `current` text at
    /// `step` and relative time `t`, and records its vote.
    #[inline]
    pub fn vote(
        &mut self,
        q: usize,
        current: OutcomeId,
        proposal: OutcomeId,
        step: u32,
        t: f64,
    ) -> Result<Vote, Stop> {
        self.current = q;
        let nmi = self.nmi(q, step, t);
        let vote = self.negotiators[q].vote(&nmi, current, proposal, &mut self.rngs[q]);
        let reply = match vote {
            Vote::Prefer => Reply::Accept,
            Vote::Indifferent => Reply::Indifferent,
            Vote::Veto => Reply::Reject,
            Vote::End => Reply::End,
        };
        self.reply(q, reply);
        Ok(vote)
    }

    /// The mediator's first text (told to the observers).
    pub fn first_text(&mut self) -> OutcomeId {
        let text = self.mediator.first_text(self.domain);
        self.emit(Event::FirstText(text));
        text
    }

    /// The mediator's next proposal against the current `text` (record it as an entry).
    pub fn mediator_proposal(&mut self, text: OutcomeId) -> OutcomeId {
        self.mediator.propose(self.domain, text)
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
    run_observed(domain, config, negotiators, seed, TraceKeep::Full, &mut [])
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
    run_observed(domain, config, negotiators, seed, keep, &mut [])
}

/// [`run_with`], also telling `observers` (after the trace) every [`Event`] of the session.
pub fn run_observed(
    domain: &Domain,
    config: &SessionConfig,
    negotiators: &mut [Box<dyn Negotiator>],
    seed: u64,
    keep: TraceKeep,
    observers: &mut [&mut dyn Observer],
) -> Result<SessionResult, Error> {
    let mut mediator = RandomMediator(Rng::derive(seed, &[0]));
    play(domain, config, negotiators, seed, &mut mediator, keep, observers)
}

/// The session runner: sets the session up, lets the mechanism play it, measures the end.
fn play(
    domain: &Domain,
    config: &SessionConfig,
    negotiators: &mut [Box<dyn Negotiator>],
    seed: u64,
    mediator: &mut dyn Mediator,
    keep: TraceKeep,
    observers: &mut [&mut dyn Observer],
) -> Result<SessionResult, Error> {
    config.check()?;
    let n = domain.n_parties();
    if negotiators.len() != n {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("{} negotiators for {} parties", negotiators.len(), n),
        ));
    }
    let mechanism = config.mechanism;
    let mut session = Session {
        domain,
        deadline: config.deadline,
        max_steps: config.deadline.max_steps(),
        negotiators,
        rngs: (0..n).map(|p| Rng::derive(seed, &[1, p as u64])).collect(),
        mediator,
        recorder: TraceRecorder::new(*config, n, keep),
        observers: observers.iter_mut().map(|o| &mut **o as &mut dyn Observer).collect(),
        current: 0,
        steps: 0,
        n_offers: 0,
        failure: None,
    };
    let ending = catch_unwind(AssertUnwindSafe(|| {
        for p in 0..n {
            session.current = p;
            let nmi = session.nmi(p, 0, 0.0);
            session.negotiators[p].on_start(&nmi);
        }
        mechanism.run(&mut session)
    }));
    let (termination, agreement) = match ending {
        Ok(Ok(Ending::Agreement(id))) if id < domain.n_outcomes() => {
            (Termination::Agreement, Some(id))
        }
        Ok(Ok(Ending::Agreement(id))) => {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!(
                    "mechanism {} agreed on outcome {id}, outside the outcome space",
                    mechanism.name()
                ),
            ));
        }
        Ok(Ok(Ending::Deadline)) => (Termination::Deadline, None),
        Ok(Ok(Ending::EndedBy(p))) => (Termination::EndedBy(p), None),
        Ok(Err(Stop(()))) => match &session.failure {
            Some(e) => {
                (Termination::NegotiatorError { party: e.party, message: e.message.clone() }, None)
            }
            None => unreachable!("a Stop is made only with a failure recorded"),
        },
        Err(payload) => {
            let message = match payload.downcast::<Replayed>() {
                Ok(replayed) => replayed.0,
                Err(payload) => {
                    let what = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".to_string());
                    format!("negotiator panicked: {what}")
                }
            };
            let party = session.current;
            let _ = session.fail(party, message.clone());
            (Termination::NegotiatorError { party, message }, None)
        }
    };
    let steps = session.steps;
    session.emit(Event::End { termination: &termination, agreement, steps });
    let n_offers = session.n_offers;
    Ok(finish(domain, termination, agreement, steps, n_offers, session.recorder.into_trace()))
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

/// A recorded failure played back: the runner takes the message as it is.
struct Replayed(String);

/// A move a party made, as a trace records it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Move {
    /// An offer (`None`: it ended the session instead).
    Offer(Option<OutcomeId>),
    /// A reply to an offer, a vote on a proposal, or an answer to the final text.
    Reply(Reply),
}

/// A negotiator that plays back one party's recorded moves, in order; when they run out it
/// fails as the trace says it failed, or ends the session.
struct Scripted {
    moves: std::vec::IntoIter<Move>,
    /// The failure the trace records for this party, and the steps started when it came.
    failure: Option<(String, u32)>,
}

impl Scripted {
    fn next(&mut self, started: bool) -> Option<Move> {
        let next = self.moves.next();
        if next.is_none()
            && let Some((message, steps)) = &self.failure
            && (started || *steps == 0)
        {
            resume_unwind(Box::new(Replayed(message.clone())));
        }
        next
    }
}

impl Negotiator for Scripted {
    fn on_start(&mut self, _: &Nmi) {
        if self.moves.len() == 0 {
            let _ = self.next(false);
        }
    }

    fn propose(&mut self, _: &Nmi, _: &mut Rng) -> Action {
        match self.next(true) {
            Some(Move::Offer(Some(id))) => Action::Offer(id),
            _ => Action::End,
        }
    }

    fn respond(&mut self, _: &Nmi, _: OutcomeId, _: &mut Rng) -> Response {
        match self.next(true) {
            Some(Move::Reply(Reply::Accept)) => Response::Accept,
            Some(Move::Reply(Reply::Reject | Reply::Indifferent)) => Response::Reject,
            _ => Response::End,
        }
    }

    fn vote(&mut self, _: &Nmi, _: OutcomeId, _: OutcomeId, _: &mut Rng) -> Vote {
        match self.next(true) {
            Some(Move::Reply(Reply::Accept)) => Vote::Prefer,
            Some(Move::Reply(Reply::Indifferent)) => Vote::Indifferent,
            Some(Move::Reply(Reply::Reject)) => Vote::Veto,
            _ => Vote::End,
        }
    }
}

/// A mediator that plays back the recorded texts.
struct ScriptedMediator {
    first: Option<OutcomeId>,
    proposals: std::vec::IntoIter<OutcomeId>,
}

impl Mediator for ScriptedMediator {
    fn first_text(&mut self, _: &Domain) -> OutcomeId {
        self.first.unwrap_or(0)
    }

    fn propose(&mut self, _: &Domain, text: OutcomeId) -> OutcomeId {
        self.proposals.next().unwrap_or(text)
    }
}

/// Recomputes a session's result from its trace alone, without the negotiators: the
/// mechanism of the trace's settings plays the session again with negotiators (and a
/// mediator) that play back the recorded moves, and the trace is accepted only when the
/// rules give it back exactly (proposer order, steps, replies, the mediator's text, the
/// end). `replay(domain, &run(..)?.trace)` equals the result of `run`.
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
    if let Some(error) = &trace.error
        && error.party >= n
    {
        return bad(format!("the error names party {}, not one of the {n} parties", error.party));
    }
    let mut moves: Vec<Vec<Move>> = vec![Vec::new(); n];
    let mut proposals = Vec::new();
    for (e, entry) in trace.entries.iter().enumerate() {
        if entry.outcome.is_some_and(|id| id >= domain.n_outcomes()) {
            return bad(format!("entry {e} names an outcome outside the space"));
        }
        match (entry.kind, entry.proposer) {
            (EntryKind::Offer, Some(p)) if (p as usize) < n => {
                moves[p as usize].push(Move::Offer(entry.outcome));
            }
            (EntryKind::Offer, _) => return bad(format!("entry {e} has no proposer")),
            (EntryKind::Proposal, _) => proposals.push(entry.outcome.unwrap_or(0)),
            (EntryKind::Ratification, _) => {}
        }
        for (q, &reply) in trace.replies_of(e).iter().enumerate() {
            if reply != Reply::None {
                moves[q].push(Move::Reply(reply));
            }
        }
    }
    let mut negotiators: Vec<Box<dyn Negotiator>> = moves
        .into_iter()
        .enumerate()
        .map(|(p, moves)| {
            let failure = trace.error.as_ref().filter(|e| e.party == p);
            Box::new(Scripted {
                moves: moves.into_iter(),
                failure: failure.map(|e| (e.message.clone(), e.steps)),
            }) as Box<dyn Negotiator>
        })
        .collect();
    let mut mediator =
        ScriptedMediator { first: trace.first_text, proposals: proposals.into_iter() };
    let result =
        play(domain, &trace.config, &mut negotiators, 0, &mut mediator, TraceKeep::Full, &mut [])?;
    match difference(trace, &result.trace) {
        None => Ok(result),
        Some(what) => bad(format!("{what} ({} rules)", trace.config.mechanism.name())),
    }
}

/// Where a trace differs from the one its recorded moves give under the rules.
fn difference(given: &Trace, rules: &Trace) -> Option<String> {
    if given.first_text != rules.first_text {
        return Some("the first text is not the mediator's".to_string());
    }
    for e in 0..given.entries.len().max(rules.entries.len()) {
        match (given.entries.get(e), rules.entries.get(e)) {
            (Some(a), Some(b)) if a == b && given.replies_of(e) == rules.replies_of(e) => {}
            (Some(_), Some(_)) => {
                return Some(format!(
                    "entry {e} is not what the rules give from the moves recorded"
                ));
            }
            (Some(_), None) => return Some(format!("entry {e} follows the end of the session")),
            (None, _) => return Some("the trace stops before the session ends".to_string()),
        }
    }
    if given.error != rules.error {
        return Some("the error recorded is not where the session fails".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use detente_testkit::{GenConfig, random_scenario};

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

        // two hardliners whose best outcomes differ never agree: the deadline passes
        assert_ne!(d.best_outcome(0), d.best_outcome(1));
        let r = run(&d, &SessionConfig::sao(7), &mut negs(&["hardliner", "hardliner"]), 1).unwrap();
        assert_eq!(r.termination, Termination::Deadline);
        assert_eq!((r.steps, r.n_offers, r.agreement), (7, 14, None));
        assert_eq!(r.utilities, vec![d.reservation(0), d.reservation(1)]);
        assert_eq!(replay(&d, &r.trace).unwrap(), r);

        // simulated time: 2 s per step, 9 s allowed: steps 0..=4 start
        let config = SessionConfig {
            mechanism: &crate::SAO,
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
            mechanism: &crate::SAO,
            deadline: Deadline { n_steps: None, time_limit: None, step_duration: 1.0 },
        };
        let e = run(&d, &config, &mut negs(&["boulware", "boulware"]), 1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    }

    #[test]
    fn three_parties_agree_only_when_both_others_accept() {
        let mut agreed = 0;
        for seed in 0..10 {
            let d = domain(seed, 3);
            let mut ns = negs(&["conceder", "linear", "boulware"]);
            let r = run(&d, &SessionConfig::sao(60), &mut ns, seed).unwrap();
            if let Some(id) = r.agreement {
                agreed += 1;
                let e = r.trace.entries.len() - 1;
                let proposer = r.trace.entries[e].proposer.unwrap() as usize;
                for (q, reply) in r.trace.replies_of(e).iter().enumerate() {
                    assert_eq!(*reply, if q == proposer { Reply::None } else { Reply::Accept });
                }
                assert_eq!(r.trace.entries[e].outcome, Some(id));
            }
            assert_eq!(replay(&d, &r.trace).unwrap(), r);
        }
        assert!(agreed >= 3, "only {agreed} of 10 sessions agreed: the check above ran too little");
    }

    #[test]
    fn hill_climbing_moves_only_on_strict_pareto_improvements() {
        let mut agreed = 0;
        for mechanism in [&crate::HILL_CLIMBING, &crate::VETO] {
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
                    let moved = match mechanism.name() {
                        "hill-climbing" => better == 2,
                        _ => worse == 0,
                    };
                    assert_eq!(r.trace.replies_of(e).len(), 2);
                    if moved {
                        text = id;
                    }
                }
                assert_eq!(r.steps, 200);
                if let Some(a) = r.agreement {
                    agreed += 1;
                    assert_eq!(a, text);
                    assert!(d.acceptable(0, a) && d.acceptable(1, a));
                }
                assert_eq!(replay(&d, &r.trace).unwrap(), r);
            }
        }
        assert!(agreed >= 3, "only {agreed} of 20 sessions agreed: the check above ran too little");
    }

    /// Counts what it is told, as a progress bar or a live plot would.
    #[derive(Default)]
    struct Counter {
        steps: u32,
        entries: usize,
        replies: usize,
        first_text: Option<OutcomeId>,
        failed: Option<TraceError>,
        ended: Option<(Termination, Option<OutcomeId>, u32)>,
    }

    impl Observer for Counter {
        fn on_event(&mut self, event: &Event<'_>) {
            match *event {
                Event::Step { step, relative_time, max_steps } => {
                    assert_eq!(step, self.steps);
                    assert!((0.0..=1.0).contains(&relative_time) && max_steps > u64::from(step));
                    self.steps += 1;
                }
                Event::FirstText(t) => self.first_text = Some(t),
                Event::Entry(_) => self.entries += 1,
                Event::Reply { reply, .. } => self.replies += usize::from(reply != Reply::None),
                Event::Failed(e) => self.failed = Some(e.clone()),
                Event::End { termination, agreement, steps } => {
                    assert!(self.ended.is_none(), "the end comes once");
                    self.ended = Some((termination.clone(), agreement, steps));
                }
            }
        }
    }

    #[test]
    fn observers_see_what_the_trace_records() {
        for &mechanism in crate::mechanisms() {
            for seed in 0..5 {
                let d = domain(seed, 3);
                let config = SessionConfig { mechanism, deadline: Deadline::steps(40) };
                let (mut a, mut b) = (Counter::default(), Counter::default());
                let mut ns = negs(&["conceder", "linear", "random"]);
                let r = run_observed(
                    &d,
                    &config,
                    &mut ns,
                    seed,
                    TraceKeep::Full,
                    &mut [&mut a, &mut b],
                )
                .unwrap();
                assert_eq!(
                    r,
                    run(&d, &config, &mut negs(&["conceder", "linear", "random"]), seed).unwrap()
                );
                let t = &r.trace;
                for c in [&a, &b] {
                    assert_eq!(c.steps, r.steps);
                    assert_eq!(c.entries, t.entries.len());
                    assert_eq!(c.replies, t.replies.iter().filter(|&&x| x != Reply::None).count());
                    assert_eq!(c.first_text, t.first_text);
                    assert_eq!(c.failed, None);
                    assert_eq!(c.ended, Some((r.termination.clone(), r.agreement, r.steps)));
                }
            }
        }
        // a failure is told too
        let d = domain(2, 2);
        let mut c = Counter::default();
        let mut ns: Vec<Box<dyn Negotiator>> = vec![Box::new(Panicky), Box::new(Panicky)];
        let r =
            run_observed(&d, &SessionConfig::sao(10), &mut ns, 1, TraceKeep::None, &mut [&mut c])
                .unwrap();
        assert_eq!(c.failed, r.trace.error);
        assert!(c.failed.is_some());
    }

    /// Panics when it starts.
    struct Stillborn;

    impl Negotiator for Stillborn {
        fn on_start(&mut self, _: &Nmi) {
            panic!("no start");
        }
        fn propose(&mut self, _: &Nmi, _: &mut Rng) -> Action {
            Action::End
        }
        fn respond(&mut self, _: &Nmi, _: OutcomeId, _: &mut Rng) -> Response {
            Response::End
        }
    }

    #[test]
    fn failures_replay_where_they_happened() {
        let d = domain(8, 2);
        for &mechanism in crate::mechanisms() {
            let config = SessionConfig { mechanism, deadline: Deadline::steps(10) };
            let failing: [Vec<Box<dyn Negotiator>>; 3] = [
                vec![negotiator("linear").unwrap(), Box::new(Stillborn)],
                vec![
                    Box::new(Rogue(Action::Offer(d.n_outcomes() + 3))),
                    negotiator("linear").unwrap(),
                ],
                vec![negotiator("boulware").unwrap(), Box::new(Panicky)],
            ];
            for mut ns in failing {
                let r = run(&d, &config, &mut ns, 4).unwrap();
                let Termination::NegotiatorError { party, .. } = r.termination else {
                    // an offer outside the space fails only where parties offer (SAO)
                    assert_eq!(replay(&d, &r.trace).unwrap(), r);
                    continue;
                };
                assert_eq!(replay(&d, &r.trace).unwrap(), r, "{}", mechanism.name());
                // the failure recorded elsewhere is refused
                let mut t = r.trace.clone();
                t.error.as_mut().unwrap().steps += 1;
                assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
                // (a failure at the start, before any move, could be either party's)
                let mut t = r.trace.clone();
                t.error.as_mut().unwrap().party = 1 - party;
                assert_eq!(replay(&d, &t).is_err(), r.steps > 0);
                let mut t = r.trace.clone();
                t.error = None;
                assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
            }
        }
    }

    #[test]
    fn replay_rejects_a_doctored_mediated_trace() {
        for &mechanism in &[&crate::HILL_CLIMBING as &dyn crate::Mechanism, &crate::VETO] {
            let d = domain(9, 2);
            let config = SessionConfig { mechanism, deadline: Deadline::steps(30) };
            let r = run(&d, &config, &mut negs(&["linear", "boulware"]), 2).unwrap();
            assert_eq!(replay(&d, &r.trace).unwrap(), r);
            // no first text
            let mut t = r.trace.clone();
            t.first_text = None;
            assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
            // a ratification of a text the mediator did not hold
            let mut t = r.trace.clone();
            let last = t.entries.last_mut().unwrap();
            assert_eq!(last.kind, EntryKind::Ratification);
            last.outcome = last.outcome.map(|x| (x + 1) % d.n_outcomes());
            assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
            // a step cut off
            let mut t = r.trace.clone();
            t.entries.remove(3);
            t.replies.drain(6..8);
            assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
            // a vote missing
            let mut t = r.trace.clone();
            t.replies[0] = Reply::None;
            assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
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
            mechanism: &crate::SAO,
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
        assert_eq!(r.termination, Termination::Agreement);
        assert!(r.trace.entries.len() >= 2);
        assert_eq!(replay(&d, &r.trace).unwrap(), r);
        let mut t = r.trace.clone();
        t.entries.swap(0, 1);
        assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
        // without its last offer (the one accepted) the trace stops before any end
        let mut t = r.trace.clone();
        t.entries.pop();
        t.replies.truncate(t.entries.len() * 2);
        assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
        // an accepted offer turned into a rejection: the session would go on
        let mut t = r.trace.clone();
        let last = t.replies.len() - 2;
        let q = if t.replies[last] == Reply::None { last + 1 } else { last };
        assert_eq!(t.replies[q], Reply::Accept);
        t.replies[q] = Reply::Reject;
        assert_eq!(replay(&d, &t).unwrap_err().kind(), ErrorKind::InvalidTrace);
    }
}
