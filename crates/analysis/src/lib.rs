//! Pure analysis of a negotiation [`Scenario`](detente_core::Scenario): who accepts a
//! draft, how wide the gap is, what an amendment changes, and whether any deal is possible.
//!
//! Every function takes a validated scenario, does no I/O, prints nothing and gives the
//! same answer every time. Utilities are the additive normalised utilities of
//! `detente-core`; acceptance is decided with a tolerance: a party accepts a utility `u`
//! when `u >= reservation - EPS`.
//!
//! - [`evaluate()`]: each party's verdict on a proposal, point by point, with the reasons.
//!   Open points make the utility an interval, from the worst fill to the best.
//! - [`gap()`]: how far each party falls short of its reservation and which points make the
//!   shortfall.
//! - [`dated_after_as_of`]: which proposals and sources are dated after the scenario's `as_of`.
//! - [`compare()`]: what one proposal changes against another, and who joins or leaves.
//! - [`deadlock()`]: whether some complete outcome keeps every red line and reservation; if
//!   none does, a minimal set of colliding constraints, put in words by [`explain()`] and
//!   [`describe_constraint`].
//! - [`improve()`]: the packages of changes that make every counted party at least as well
//!   off as a draft and someone better off, ranked by the gains, exact or labelled not.
//! - [`frontier()`]: the exact Pareto frontier of the rational outcomes and the Nash,
//!   egalitarian, Kalai-Smorodinsky and max-welfare solutions (NegMAS's semantics, to the
//!   last bit), by a dynamic programme over the issues instead of enumeration; when the
//!   frontier is too large to list, the solutions are still computed exactly without it.
//!
//! ```
//! use detente_analysis::*;
//! use detente_core::*;
//!
//! let parties = vec![
//!     Party::new("a", "Alpha", Role::Principal, 1.0, 0.5),
//!     Party::new("b", "Beta", Role::Principal, 1.0, 0.4),
//! ];
//! let issues = vec![
//!     Issue::discrete("split", "Split", &["a-more", "even", "b-more"]),
//!     Issue::discrete("venue", "Venue", &["a-city", "b-city"]),
//! ];
//! let stances = vec![
//!     vec![
//!         Some(Stance::values(3.0, vec![1.0, 0.6, 0.0])),
//!         Some(Stance::values(1.0, vec![1.0, 0.0])),
//!     ],
//!     vec![
//!         Some(Stance::values(3.0, vec![0.0, 0.6, 1.0])),
//!         Some(Stance::values(1.0, vec![0.0, 1.0])
//!             .with_red_line(RedLineKind::Forbid(vec![0]), Some("never in a-city"))),
//!     ],
//! ];
//! let draft = Proposal {
//!     id: "draft".into(), title: "Draft".into(), author: None, date: None, amends: None,
//!     terms: vec![Term::Set(1), Term::Open], stated: vec![true; 2], description: None,
//! };
//! let s = Scenario::new(Meta::named("toy"), parties, issues, stances, vec![draft], vec![])?;
//!
//! // An even split with the venue open: Alpha gets 0.45 or 0.7, so it depends.
//! let e = evaluate(&s, 0)?;
//! assert_eq!(e.parties[0].verdict, Verdict::Depends);
//! assert!((e.parties[0].utility_min - 0.45).abs() < EPS);
//! // Beta's red line is at risk on the open venue.
//! assert!(e.parties[1].reasons.contains(&Reason::OpenRedLineAtRisk { issue: 1 }));
//!
//! // With the venue at its worst (b-city), Alpha falls 0.05 short of its reservation.
//! let g = gap(&s, 0)?;
//! assert!((g.parties[0].shortfall - 0.05).abs() < 1e-12);
//!
//! // Without Beta's red line, "even" in a-city works (0.7 and 0.45); with it, no deal.
//! let d = deadlock(&s, &DeadlockOptions::default())?;
//! assert!(!d.feasible);
//! assert_eq!(d.conflict, vec![
//!     Constraint::RedLine { party: 1, issue: 1, red_line: 0 },
//!     Constraint::Reservation { party: 0 },
//!     Constraint::Reservation { party: 1 },
//! ]);
//! assert_eq!(describe_constraint(&s, &d.conflict[0]),
//!     "Beta forbids on venue (Venue): \"a-city\" - never in a-city");
//! assert_eq!(explain(&s, &d)[1], "Beta's red line on venue (Venue) leaves only \"b-city\".");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod adjusted_winner;
mod compare;
pub mod dates;
mod deadlock;
mod error;
mod evaluate;
mod explain;
pub mod fair;
mod frontier;
mod gap;
mod kit;
mod mediate;
pub mod rational;
mod search;
mod single_text;
mod solutions;
#[doc(hidden)]
pub mod testkit;

pub use compare::{Comparison, Movement, PartyChange, PointChange, compare, red_line_state};
pub use dates::{
    DatedAfter, DatedKind, LateSources, date_words, dated_after_as_of, late_sources,
    latest_proposal,
};
pub use deadlock::{
    Constraint, DEFAULT_MAX_NODES, Deadlock, DeadlockOptions, constraints, deadlock,
};
pub use error::{Error, ErrorKind};
pub use evaluate::{
    Evaluation, PartyEvaluation, PointEvaluation, PointVerdict, Reason, Verdict, evaluate,
};
pub use explain::{describe_constraint, explain};
pub use frontier::{
    Count, Frontier, FrontierOptions, FrontierPoint, FrontierPoints, FrontierSize, MAX_LISTED_TIES,
    Solution, TIE, TieCount, bargaining_scenario, frontier, spread, uniform_sample,
};
pub use gap::{Gap, MAX_FILLS, PartyGap, PointGap, Whose, counted_parties, gap, whose};
pub use kit::Termination;
pub use mediate::{
    Blocked, Change, DEFAULT_BUDGET, Gains, ImproveOptions, Improvement, Improvements,
    MediateOptions, Mediation, Objective, RedLineMove, RedLineState, Revision, improve,
    improvement_words, improves, mediate, mediation_words, narrow_words,
};
pub use single_text::{
    Objection, Round, SingleText, SingleTextEnd, SingleTextOptions, round_outcome, single_text,
    single_text_words,
};

/// The tolerance of acceptance: a utility `u` reaches a reservation `r` when `u >= r - EPS`
/// (the one rule, [`detente_core::reaches`]).
pub const EPS: f64 = detente_core::RESERVATION_TOLERANCE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Evaluation>();
        is::<Gap>();
        is::<Comparison>();
        is::<Deadlock>();
        is::<DeadlockOptions>();
        is::<Error>();
    }
}
