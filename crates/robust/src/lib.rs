//! How sure a verdict is.
//!
//! Every number in a scenario is an analyst's estimate with a range
//! ([`detente_core::Scenario::estimates`]: stated in the file, or derived from the stance's
//! confidence grade), and a red line may carry a probability that it holds. This crate turns
//! those ranges into:
//! - [`monte_carlo`]: draws of every estimate and doubtful red line, each
//!   draw analysed as the deterministic commands analyse the file (each party's verdict on
//!   each proposal, the gap, whether any deal exists and which red lines collide), counted
//!   into shares and quantiles; reproducible from `(scenario, seed, samples)` on any number
//!   of threads and any split into shards.
//! - [`sensitivity`]: for each verdict, the estimates that flip it and
//!   the exact value at which they do.
//! - [`part`]: a study's part (`--shard K/N`) as JSON, read back trusting nothing, and the
//!   merge of parts into exactly one run's tally.
//!
//! Pure: no I/O, no clock.

pub mod drafts;
mod error;
pub mod monte_carlo;
pub mod part;
pub mod sensitivity;

pub use error::Error;
