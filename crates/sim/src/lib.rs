//! Automated negotiation on detente scenarios: mechanisms, negotiators, sessions and
//! tournaments, deterministic by seed.
//!
//! - [`Domain`]: a scenario prepared for simulation (outcome ids, per-party sorted utility
//!   tables, the exact frontier and Nash point), built once and shared by every session.
//! - [`Negotiator`]: the strategy trait (two required methods); the built-ins are created
//!   by name with [`negotiator()`] from one table, [`builtins`] ([`names`] lists them:
//!   `boulware`, `linear`, `conceder`, `aspiration`, `tit-for-tat`, `random`, `hardliner`,
//!   `nash`, and NegMAS's time-based negotiators `boulware-negmas`, `linear-negmas`,
//!   `conceder-negmas`, `aspiration-negmas`).
//! - [`Mechanism`]: the rules of a session as a trait, driven by one session runner through
//!   a [`Session`]; the built-ins are [`SAO`], the mediated single-text
//!   [`HILL_CLIMBING`] and [`VETO`], and [`NEGMAS_SAO`], NegMAS's SAO (its turns and its
//!   relative time), with which the `-negmas` negotiators play sessions equal to NegMAS's
//!   ([`mechanism()`] finds them by name).
//! - [`run`] (and [`run_with`], keeping a bounded [`TraceKeep`] summary of the trace, and
//!   [`run_observed`], telling [`Observer`]s every [`Event`]): one session under a
//!   [`SessionConfig`], ending with one [`Termination`]; the trace is one observer
//!   ([`TraceRecorder`]). [`replay`] runs the same rules with negotiators playing back a
//!   [`Trace`], so it recomputes the result exactly and refuses a trace the rules do not
//!   give.
//! - [`tournament()`]: every ordered combination of negotiators on every scenario, in
//!   parallel, shardable ([`Shard`]); [`merge`] joins shards, [`scores`] ranks negotiators
//!   per scenario and across scenarios on a common (rescaled) scale; [`part_json`] and
//!   [`read_part`] write and read back (checking every field) the tournament JSON.
//!   [`tournament_each`] scores the sessions as they finish and keeps no record (memory
//!   independent of their number), handing each on in index order, e.g. to [`PartText`],
//!   which writes a part's text session by session.
//!
//! The crate does no I/O, reads no clock (time is simulated: steps and a step duration)
//! and draws randomness only from its own seeded [`Rng`], so the same scenario,
//! negotiators and seed give the same result on every platform, whatever the number of
//! threads or shards.
//!
//! ```
//! use std::sync::Arc;
//! use detente_core::*;
//! use detente_sim::*;
//!
//! // Two parties split 10 units; each also cares a little about a venue.
//! let parties = vec![
//!     Party::new("a", "A", Role::Principal, 1.0, 0.3),
//!     Party::new("b", "B", Role::Principal, 1.0, 0.3),
//! ];
//! let units: Vec<String> = (0..=10).map(|k| k.to_string()).collect();
//! let units: Vec<&str> = units.iter().map(String::as_str).collect();
//! let issues = vec![
//!     Issue::discrete("share", "A's share", &units),
//!     Issue::discrete("venue", "Venue", &["a-city", "b-city"]),
//! ];
//! let stances = vec![
//!     vec![
//!         Some(Stance::values(3.0, (0..=10).map(|k| k as f64 / 10.0).collect())),
//!         Some(Stance::values(1.0, vec![1.0, 0.0])),
//!     ],
//!     vec![
//!         Some(Stance::values(3.0, (0..=10).map(|k| 1.0 - k as f64 / 10.0).collect())),
//!         Some(Stance::values(1.0, vec![0.0, 1.0])),
//!     ],
//! ];
//! let s = Scenario::new(Meta::named("split"), parties, issues, stances, vec![], vec![])?;
//! let domain = Arc::new(Domain::new(Arc::new(s))?);
//!
//! // One session: the same seed gives the same session.
//! let mut negs = vec![negotiator("boulware")?, negotiator("conceder")?];
//! let r = run(&domain, &SessionConfig::sao(100), &mut negs, 7)?;
//! assert_eq!(r.termination, Termination::Agreement);
//! let mut again = vec![negotiator("boulware")?, negotiator("conceder")?];
//! assert_eq!(run(&domain, &SessionConfig::sao(100), &mut again, 7)?, r);
//!
//! // A tournament, in two shards merged: the same as one run.
//! let config = TournamentConfig {
//!     negotiators: vec!["boulware".into(), "linear".into(), "hardliner".into()],
//!     session: SessionConfig::sao(50),
//!     repetitions: 2,
//!     seed: 1,
//!     threads: 2,
//!     shard: Shard::ALL,
//! };
//! let whole = tournament(&[domain.clone()], &config, &|_| {})?;
//! assert_eq!(whole.records.len(), 3 * 3 * 2);
//! let part = |k| TournamentConfig { shard: Shard { index: k, count: 2 }, ..config.clone() };
//! let parts = [
//!     tournament(&[domain.clone()], &part(1), &|_| {})?,
//!     tournament(&[domain.clone()], &part(0), &|_| {})?,
//! ];
//! assert_eq!(merge(&parts)?, whole);
//! let table = scores(&whole);
//! assert_eq!(table.overall[2].negotiator, "hardliner");
//! // Parts written as JSON read back exactly.
//! let text = part_json(&parts[0]).to_string();
//! assert_eq!(read_part(&text)?, parts[0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod domain;
mod mechanism;
mod negotiator;
mod negotiators;
mod packed;
mod part;
mod rng;
mod session;
mod tournament;

use std::fmt;

pub use domain::{Domain, DomainOptions, OutcomeId, Reference, among};
pub use mechanism::{
    Ending, HILL_CLIMBING, Mechanism, NEGMAS_SAO, NegmasSao, SAO, Sao, SingleText, Stop, VETO,
    Votes, mechanism, mechanisms,
};
pub use negotiator::{Action, Negotiator, Nmi, Response, Vote};
pub use negotiators::{
    Aspiration, Builtin, Hardliner, NEGMAS_ASPIRATION_TOLERANCE, NEGMAS_TB_TOLERANCE, NashSeeker,
    NegmasTimeBased, RandomNegotiator, TimeBased, TitForTat, builtins, concession, names,
    negotiator,
};
pub use part::{PartFrame, PartText, read_part, termination_json, to_json as part_json};
pub use rng::{Rng, mix64};
pub use session::{
    Deadline, EntryKind, Event, MAX_STEPS, Observer, Reply, Session, SessionConfig, SessionResult,
    Termination, Trace, TraceEntry, TraceError, TraceKeep, TraceRecorder, replay, run,
    run_observed, run_with,
};
pub use tournament::{
    IssueSpec, MAX_SESSIONS, MAX_THREADS, OptionsSpec, Progress, ScenarioSpec, Score, Scores,
    SessionPlace, SessionRecord, Shard, Shards, TournamentConfig, TournamentResult, TournamentSpec,
    TournamentSummary, merge, merge_named, scores, tournament, tournament_each, worker_threads,
};

/// What went wrong, for callers that match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No built-in negotiator has this name.
    UnknownNegotiator,
    /// A session or tournament setting is out of range (no deadline, wrong number of
    /// negotiators, zero repetitions, a bad shard).
    InvalidConfig,
    /// The outcome space has more than `u64::MAX` outcomes.
    TooLarge,
    /// A trace given to [`replay`] breaks the mechanism's rules.
    InvalidTrace,
    /// Tournament parts given to [`merge`] do not belong together.
    MergeMismatch,
    /// A tournament part given to [`read_part`] is malformed (the message names the field).
    InvalidPart,
}

/// An error of the simulator: its kind and a lowercase message without a trailing period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, lowercase, without a trailing period.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Domain>();
        is::<SessionResult>();
        is::<TournamentResult>();
        is::<TournamentSummary>();
        is::<PartText>();
        is::<Error>();
        fn send<T: Send>() {}
        send::<Box<dyn Negotiator>>();
    }
}
