//! The work budget of a run: every inner iteration of the model is counted, in the
//! threads that do it, against one limit.
//!
//! A unit is about a nanosecond of one core (measured 0.7 to 1.3 ns on the 2-core machine
//! the defaults were set on, under load): an iteration that writes or reads one cell of a
//! table is 1 unit, one [`TERM`] of an inner loop streaming through a table 2, one
//! [`CHALLENGE_LANE`] 7.
//!
//! Work is charged in batches, never from inside a hot loop: the work of a loop is computed
//! from its sizes and charged once, before it runs when its sizes are known up front (so a
//! batch past the limit costs no time), and a loop whose length is only known as it runs
//! (a Markov election's iterations, the search for a state's distinct positions) charges
//! what it has done every [`CHECK_EVERY`] units or so and at its end. A batch counts exactly
//! the units of its iterations, so a state's total is the same however its charges are cut.
//!
//! A run keeps a state only when the work counted up to the end of that state is within
//! the limit. Charges are deterministic (they depend on the input and parameters only), so
//! whether a state is kept does not depend on the thread count or on the order in which
//! threads charge: a partial sum past the limit means the whole is past it, and the last
//! charge of a state brings the count to its whole.

use std::sync::atomic::{AtomicU64, Ordering};

/// The units of one term of an inner loop streaming through a table: one voter's vote
/// between two options in an election, one term of a Markov election's step, one dimension
/// of a distance, one actor's utility added into a bargain's value.
pub(crate) const TERM: u64 = 2;

/// The units of one challenge lane: an actor weighing, with one third party, its
/// challenge to one other actor (two votes, a utility and a division).
pub(crate) const CHALLENGE_LANE: u64 = 7;

/// How much work a loop whose length is not known up front does between two charges
/// (about 65 microseconds): the most a run goes on past its limit before it notices.
pub(crate) const CHECK_EVERY: u64 = 1 << 16;

/// `a × b × c × ...`, saturating.
pub(crate) fn product(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |p, &f| p.saturating_mul(f))
}

/// The limit was passed: the state being computed is not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OverBudget;

/// Counts work against a limit; shared by the threads of a run.
pub(crate) struct Meter {
    used: AtomicU64,
    limit: u64,
}

impl Meter {
    pub(crate) fn new(limit: u64) -> Meter {
        Meter { used: AtomicU64::new(0), limit }
    }

    /// Counts `units` of work about to be done; `Err` once the count is past the limit
    /// (and for every charge after that).
    pub(crate) fn charge(&self, units: u64) -> Result<(), OverBudget> {
        let before = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| Some(u.saturating_add(units)))
            .unwrap_or_else(|u| u);
        if before.saturating_add(units) > self.limit { Err(OverBudget) } else { Ok(()) }
    }

    /// The work counted so far.
    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_inclusive_and_stays_passed() {
        let m = Meter::new(10);
        assert_eq!(m.charge(4), Ok(()));
        assert_eq!(m.charge(6), Ok(()));
        assert_eq!(m.charge(1), Err(OverBudget));
        assert_eq!(m.charge(0), Err(OverBudget));
        assert_eq!(m.used(), 11);
        let m = Meter::new(u64::MAX);
        assert_eq!(m.charge(u64::MAX), Ok(()));
        assert_eq!(m.charge(5), Ok(()));
        assert_eq!(m.used(), u64::MAX);
    }
}
