//! The [`Negotiator`] trait and what a mechanism tells a negotiator ([`Nmi`]).

use crate::{Domain, OutcomeId, Rng};

/// The negotiator-mechanism interface (NegMAS's "NMI"): what a negotiator may know when it
/// is asked to act.
#[derive(Clone, Copy, Debug)]
pub struct Nmi<'a> {
    /// The outcome space and every party's utility (complete information, as the scenario
    /// gives it; built-in negotiators other than `nash` read only their own).
    pub domain: &'a Domain,
    /// The index of the party this negotiator plays.
    pub party: usize,
    /// The current step, from 0.
    pub step: u32,
    /// The relative time in `[0, 1]`: `max(step / n_steps, elapsed / time_limit)` over the
    /// deadlines given (simulated time, no wall clock).
    pub relative_time: f64,
    /// The step deadline, if any.
    pub n_steps: Option<u32>,
}

impl Nmi<'_> {
    /// My utility of an outcome.
    pub fn utility(&self, id: OutcomeId) -> f64 {
        self.domain.utility(self.party, id)
    }

    /// Whether an outcome keeps my red lines and reaches my reservation.
    pub fn acceptable(&self, id: OutcomeId) -> bool {
        self.domain.acceptable(self.party, id)
    }

    /// My reservation utility.
    pub fn reservation(&self) -> f64 {
        self.domain.reservation(self.party)
    }
}

/// What a negotiator does when it is its turn to offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Offer this outcome (it must be below [`Domain::n_outcomes`], or the session ends
    /// with [`Termination::NegotiatorError`](crate::Termination::NegotiatorError)).
    Offer(OutcomeId),
    /// End the negotiation without agreement.
    End,
}

/// A negotiator's answer to an offer (SAO) or to the final text (mediated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Response {
    /// Accept the offer.
    Accept,
    /// Reject it (in SAO, the negotiator then gets its own turns to offer).
    Reject,
    /// End the negotiation without agreement.
    End,
}

/// A party's vote on a mediator's proposal against the current single text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vote {
    /// The proposal is better for me than the current text.
    Prefer,
    /// I do not mind either way.
    Indifferent,
    /// The proposal is worse for me: I veto it.
    Veto,
    /// End the negotiation without agreement.
    End,
}

/// A negotiator: a strategy that plays one party in a session.
///
/// Two methods are required ([`propose`](Negotiator::propose) and
/// [`respond`](Negotiator::respond)); the others have documented defaults. A negotiator
/// is created fresh for each session (by [`negotiator()`](crate::negotiator()) or by the
/// caller), so it may keep any state it likes between calls. Randomness must come from the
/// `rng` argument, which the session derives from its seed, so that a session is
/// reproducible.
///
/// A negotiator that misbehaves (offers an id outside the outcome space, or panics) ends
/// its session with [`Termination::NegotiatorError`](crate::Termination::NegotiatorError).
///
/// A full implementation, a negotiator that offers its best outcome and accepts anything
/// acceptable to it:
///
/// ```
/// use detente_sim::{Action, Negotiator, Nmi, OutcomeId, Response, Rng};
///
/// struct Greedy;
///
/// impl Negotiator for Greedy {
///     fn propose(&mut self, nmi: &Nmi, _rng: &mut Rng) -> Action {
///         match nmi.domain.best_outcome(nmi.party) {
///             Some(id) => Action::Offer(id),
///             None => Action::End,
///         }
///     }
///
///     fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, _rng: &mut Rng) -> Response {
///         if nmi.acceptable(offer) { Response::Accept } else { Response::Reject }
///     }
/// }
/// ```
pub trait Negotiator: Send {
    /// Called once before the first step. Default: does nothing.
    fn on_start(&mut self, nmi: &Nmi) {
        let _ = nmi;
    }

    /// SAO: the negotiator's turn to make an offer.
    fn propose(&mut self, nmi: &Nmi, rng: &mut Rng) -> Action;

    /// SAO: answer another party's offer. Mediated: accept or reject the final text at the
    /// deadline (with `relative_time` 1).
    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, rng: &mut Rng) -> Response;

    /// Mediated single text: vote on the mediator's `proposal` against the `current` text.
    ///
    /// Default: compares my utilities, [`Vote::Prefer`] when the proposal is worth more,
    /// [`Vote::Veto`] when it is worth less or breaks one of my red lines (while the
    /// current text keeps them), [`Vote::Indifferent`] otherwise.
    fn vote(&mut self, nmi: &Nmi, current: OutcomeId, proposal: OutcomeId, rng: &mut Rng) -> Vote {
        let _ = rng;
        let (a, b) =
            (nmi.domain.allowed(nmi.party, current), nmi.domain.allowed(nmi.party, proposal));
        if a != b {
            return if b { Vote::Prefer } else { Vote::Veto };
        }
        let (u, v) = (nmi.utility(current), nmi.utility(proposal));
        if v > u {
            Vote::Prefer
        } else if v < u {
            Vote::Veto
        } else {
            Vote::Indifferent
        }
    }
}
