//! The negotiation model of detente: parties, issues, stances, red lines, proposals,
//! outcomes and utility.
//!
//! A [`Scenario`] holds everything an analyst writes down about a negotiation. It is built
//! once through [`Scenario::new`], which checks every structural invariant (indices in range,
//! finite numbers, one stance slot per party and issue), so the analysis code can index
//! without checking. This crate does no I/O and knows no file format: the
//! `detente-scenario` crate reads files, reports located errors and builds a `Scenario`.
//!
//! # Utility
//! Every issue has a finite list of options: the options of a discrete issue, or the grid
//! points `min, min + step, ..., max` of a scale issue. A party's utility of an [`Outcome`]
//! (one option per issue) is additive:
//!
//! ```text
//! U_p(x) = sum_i w_pi * v_pi(x_i) / sum_i w_pi
//! ```
//!
//! with `w_pi >= 0` the weight (salience) of issue `i` to party `p` and `v_pi` in `[0, 1]`
//! its value of an option. On a scale issue the value of a point `x` is
//! `max(0, 1 - |x - ideal| / tolerance)`. A party with no weight anywhere has utility 0.
//! An outcome is acceptable to a party when it breaks none of its red lines and its
//! utility is at least the party's reservation utility.
//!
//! Scenarios imported from automated-negotiation domains (GENIUS, NegMAS) use
//! [`UtilityForm::Raw`] instead: weights are not normalised, values may be any finite
//! number, and `U_p(x) = bias_p + w_p0 * v_p0(x_0) + w_p1 * v_p1(x_1) + ...`, summed left to
//! right from the bias exactly as those tools do, so that utilities agree to the last bit.
//!
//! ```
//! use detente_core::*;
//! let parties = vec![
//!     Party::new("a", "Alpha", Role::Principal, 1.0, 0.5),
//!     Party::new("b", "Beta", Role::Principal, 1.0, 0.4),
//! ];
//! let issues = vec![Issue::discrete("split", "Split", &["a-gets-more", "even", "b-gets-more"])];
//! let stances = vec![
//!     vec![Some(Stance::values(1.0, vec![1.0, 0.6, 0.0]))],
//!     vec![Some(Stance::values(1.0, vec![0.0, 0.6, 1.0]))],
//! ];
//! let scenario = Scenario::new(Meta::named("toy"), parties, issues, stances, vec![], vec![])?;
//! let even = Outcome::new(&scenario, vec![1])?;
//! assert_eq!(scenario.utility(0, &even), 0.6);
//! assert!(scenario.accepts(0, &even) && scenario.accepts(1, &even));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod error;
mod history;
mod issue;
mod outcome;
mod party;
mod proposal;
pub mod rng;
mod sampler;
mod scenario;
mod source;
mod stance;
mod uncertainty;

pub use error::*;
pub use history::{
    Day, History, Later, StanceRevision, TalksEvent, civil_from_days, date_span, day,
    days_from_civil, surely_after, utc_text,
};
pub use issue::*;
pub use outcome::*;
pub use party::*;
pub use proposal::*;
pub use rng::{Rng, mix64};
pub use sampler::Sampler;
pub use scenario::*;
pub use source::*;
pub use stance::*;
pub use uncertainty::*;
