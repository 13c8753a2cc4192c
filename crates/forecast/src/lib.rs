//! Forecasts of how a negotiation's positions move: KTAB's Spatial Model of Politics
//! (SMP), reproduced bit for bit and much faster, plus two baselines.
//!
//! An [`SmpInput`] holds actors (name, capability) and their position and salience on
//! 0-100 policy dimensions. [`run_smp`] plays KTAB's rounds of challenges and bargains
//! (specified in `../shared/peers/ktab/SMP_SPEC.md`) until positions settle, and returns
//! every state with each actor's probability of its position winning. [`compromise`] and
//! [`weighted_median`] are the capability × salience weighted mean and median to compare
//! against. [`ktab`] reads KTAB's CSV and XML inputs; [`to_scenario`] and
//! [`from_scenario`] convert to and from detente's [`detente_core::Scenario`].
//!
//! Scenarios with discrete points are forecast point by point ([`forecast_points`]): the
//! spatial models on scales and on options ordered on an axis, each landing on the option
//! nearest its position, and the weighted vote of [`discrete`] with its pairwise-majority
//! check on unordered options.
//!
//! The model is deterministic by default; with [`StateTransitions::Stochastic`] bargains
//! are drawn from the crate's own generator seeded by [`SmpParams::seed`], so a seed
//! reproduces a run (KTAB's own stochastic runs are not reproducible). Work is spread over
//! [`SmpParams::threads`] threads without changing a bit of the result.
//!
//! Runs are bounded: at most [`MAX_ACTORS`] actors and [`MAX_STORED_CELLS`] cells kept
//! over the states (checked before anything is allocated), and a work budget
//! ([`SmpParams::max_work`], [`DEFAULT_MAX_WORK`] by default: about 10 seconds of one
//! core) that counts every inner iteration of the model, elections' iterations included;
//! a run that reaches a bound stops, keeps the states before it, and says so
//! ([`Stop::Budget`], [`Stop::Storage`]). Each state names its distinct positions and their
//! probabilities of winning ([`Round::contenders`]), from which [`Round::most_likely`]
//! and [`Round::expected`] are read.
//!
//! ```
//! use detente_forecast::{Actor, SmpInput, SmpParams, compromise, run_smp, weighted_median};
//! let actor = |name: &str, capability| Actor { name: name.into(), description: String::new(), capability };
//! let input = SmpInput {
//!     actors: vec![actor("hawk", 100.0), actor("dove", 60.0), actor("broker", 40.0)],
//!     dimensions: vec!["army cap".into()],
//!     positions: vec![vec![90.0], vec![10.0], vec![50.0]],
//!     salience: vec![vec![80.0], vec![60.0], vec![90.0]],
//! };
//! let run = run_smp(&input, &SmpParams::default())?;
//! let last = run.last();
//! assert!(run.rounds.len() >= 3);
//! assert!(last.positions.iter().all(|p| (0.0..=100.0).contains(&p[0])));
//! // Deterministic: a second run is identical.
//! assert_eq!(run_smp(&input, &SmpParams::default())?, run);
//! assert_eq!(weighted_median(&input), vec![90.0]);
//! // (100·80·90 + 60·60·10 + 40·90·50) / (100·80 + 60·60 + 40·90)
//! assert!((compromise(&input)[0] - 936_000.0 / 15_200.0).abs() < 1e-9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod backtest;
mod baseline;
mod convert;
mod deu;
pub mod discrete;
mod error;
mod eum;
mod input;
pub mod ktab;
mod model;
mod params;
mod pce;
pub mod points;
mod work;

pub use baseline::{compromise, weighted_median};
pub use convert::{SCALE_STEP, TOLERANCE, from_scenario, from_scenario_parties, to_scenario};
pub use deu::{DeuFile, DeuIssue, MAX_DEU_ACTORS, SkippedRow, Stand, parse_deu};
pub use discrete::{Vote, Voter, vote};
pub use error::{Error, ErrorKind, Location};
pub use eum::{
    DEFAULT_EUM_WORK, EumInput, EumParams, EumRound, EumRun, RoundDetail,
    round_detail as eum_round_detail, run_eum,
};
pub use input::{Actor, MAX_CAPABILITY, SmpInput};
pub use model::{
    Contender, MAX_ACTORS, MAX_STORED_CELLS, Round, SmpRun, Stop, opening_work, run_smp,
};
pub use params::{
    BargainModel, BigRAdjust, BigRRange, DEFAULT_MAX_WORK, IdealAdjustment, InterVecBargain,
    KTAB_DEFAULT_SEED, PceModel, SmpParams, StateTransitions, ThirdPartyCommit, VictoryProbModel,
    VotingRule,
};
pub use points::{PointForecast, PointModel, SPATIAL_MODELS, Spatial, forecast_points, land};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<SmpInput>();
        is::<SmpParams>();
        is::<SmpRun>();
        is::<Error>();
    }
}
