//! The session's seeded generator is the workspace's one, [`detente_core::Rng`].
//!
//! Every random draw of a session (a negotiator's choice among outcomes near its target,
//! the mediator's next text) comes from an [`Rng`] derived from the session seed, never
//! from a thread-local or OS source, so that a `(scenario, negotiators, seed)` triple
//! reproduces a session bit for bit on every platform.

pub use detente_core::rng::{Rng, mix64};
