//! The options of the Spatial Model of Politics ([`SmpParams`]), with KTAB's defaults.

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, ErrorKind};

/// The default work budget of a run ([`SmpParams::max_work`]): 10^10 units of about a
/// nanosecond of one core each, so that any run stops within about 10 seconds of
/// computing (measured 0.7 to 1.1 ns a unit on a loaded 2-core machine, from 20 to 2,000
/// actors and 1 to 2,000 dimensions, with every election model:
/// `cargo run --release -p detente-forecast --example smp_work`). It covers the opening
/// state of up to 2,000 actors, and on one dimension the rounds of 160 actors to
/// convergence (43 rounds, 1.9 × 10^9 units), or 5 of 300 with a Markov election.
pub const DEFAULT_MAX_WORK: u64 = 10_000_000_000;

/// KTAB's default PRNG seed (unused in deterministic mode).
pub const KTAB_DEFAULT_SEED: u64 = 15_455_440_707_583_219_804;

macro_rules! keyword_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $($kw:literal)|+ ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $( $(#[$vmeta])* $(#[doc = concat!("KTAB keyword `", $kw, "`.")])+ $variant, )+
        }

        impl $name {
            /// Every option, in KTAB's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// KTAB's keyword for this option (as in `smpSchema.xsd`).
            pub fn keyword(self) -> &'static str {
                match self { $($name::$variant => keyword_enum!(@first $($kw)+),)+ }
            }

            /// Reads KTAB's keyword (exact, case-sensitive).
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($($kw)|+ => Some($name::$variant),)+ _ => None }
            }
        }
    };
    (@first $first:literal $($rest:literal)*) => { $first };
}

keyword_enum! {
    /// How coalition strengths become a probability of victory (§4 of the spec).
    VictoryProbModel {
        /// `V = C_ab / (C_ab + C_ba)` (default).
        #[default]
        Linear = "Linear",
        /// Strengths squared.
        Square = "Square",
        /// Strengths to the fourth power.
        Quartic = "Quartic",
        /// Strengths to the eighth power.
        Octic = "Octic",
        /// Certain win when one side is 10% stronger, a linear ramp in between.
        Binary = "Binary",
    }
}

keyword_enum! {
    /// The probabilistic Condorcet election turning pairwise victory probabilities into a
    /// distribution over options (§4).
    PceModel {
        /// `P(a) ∝ Π_b V(a, b)` (default).
        #[default]
        Conditional = "Conditional",
        /// Markov chain with challenges weighted by incentive (used by `smpExample.xml`).
        MarkovIncentive = "MarkovIncentive",
        /// Markov chain with uniform challenges.
        MarkovUniform = "MarkovUniform",
    }
}

keyword_enum! {
    /// How each actor picks among the bargains in its queue (§6d).
    StateTransitions {
        /// The most probable bargain, first on ties (default).
        #[default]
        Deterministic = "Deterministic",
        /// A bargain drawn with its probability from the run's seeded generator.
        Stochastic = "Stochastic",
    }
}

keyword_enum! {
    /// How an actor's utility difference between two options becomes a vote (§4).
    VotingRule {
        /// `w · clip(Δ / 1e-8, -1, 1)`.
        Binary = "Binary",
        /// `w (0.8 Δ + 0.2 binary)`.
        PropBin = "PropBin",
        /// `w Δ` (default).
        #[default]
        Proportional = "Proportional" | "Prop",
        /// `w (0.5 Δ + 0.5 Δ³)` (used by `smpExample.xml`).
        PropCbc = "PropCbc",
        /// `w Δ³`.
        Cubic = "Cubic",
        /// `w Δ` for losses, `2/3 w Δ` for gains.
        ASymProsp = "ASymProsp",
    }
}

keyword_enum! {
    /// How actor `h` estimates actor `i`'s risk attitude (§5).
    BigRAdjust {
        /// `R_i`.
        Full = "Full",
        /// `(R_h + 2 R_i) / 3`.
        TwoThirds = "TwoThirds",
        /// `(R_h + R_i) / 2`.
        Half = "Half",
        /// `(2 R_h + R_i) / 3` (default).
        #[default]
        OneThird = "OneThird",
        /// `R_h`: everyone is assumed to share one's own attitude.
        None = "No" | "None",
    }
}

keyword_enum! {
    /// The range of risk attitudes derived from win probabilities (§5).
    BigRRange {
        /// `[0, 1]`.
        Min = "Min",
        /// `[-1/2, 1]` (default).
        #[default]
        Mid = "Mid",
        /// `[-1, 1]`.
        Max = "Max",
    }
}

keyword_enum! {
    /// What a third party expects to do after joining a side of a challenge (§6a).
    ThirdPartyCommit {
        /// Never moves.
        NoCommit = "NoCommit",
        /// Moves only with a losing side it joined (default).
        #[default]
        SemiCommit = "SemiCommit",
        /// Always ends at the winner's position.
        FullCommit = "FullCommit",
    }
}

keyword_enum! {
    /// How two positions are interpolated into a bargain (§6c).
    InterVecBargain {
        /// Weights salience × probability.
        S1P1 = "S1P1",
        /// Weights salience² × probability², rounded to 0.01 on the 0-100 scale (default).
        #[default]
        S2P2 = "S2P2",
        /// Only the weaker side moves, by salience²; not rounded.
        S2PMax = "S2PMax",
    }
}

keyword_enum! {
    /// Whose view of a challenge shapes the bargain (§6c).
    ///
    /// KTAB's two non-default modes read the challenger's expected gain where they should
    /// read the receiver's probability of the challenge succeeding; this crate uses the
    /// probability (a deliberate fix, so these two modes do not reproduce KTAB).
    BargainModel {
        /// Only the initiator's view (default).
        #[default]
        InitOnlyInterp = "InitOnlyInterp",
        /// The initiator's bargain and a second one from the receiver's view.
        InitRcvrInterp = "InitRcvrInterp",
        /// One bargain: the two views averaged, weighted by capability × total salience.
        PWCompInterp = "PWCompInterp",
    }
}

/// One cell of the accommodation matrix (KTAB's `iaPair`): how much actor `adjusting`'s
/// ideal moves toward actor `reference`'s new position each round (§7).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdealAdjustment {
    /// Index of the actor whose ideal moves.
    pub adjusting: usize,
    /// Index of the actor whose position it moves toward.
    pub reference: usize,
    /// The weight `a_ij`, `>= 0`.
    pub adjust: f64,
}

/// Every option of the model, with KTAB's defaults ([`SmpParams::default`]).
///
/// The defaults are the C++ member defaults, which KTAB's CSV path uses: Linear,
/// Conditional, Deterministic, Prop, OneThird, Mid, SemiCommit, S2P2, InitOnlyInterp,
/// identity accommodation (ideals follow positions), at most 100 rounds, stop once the
/// change of a round is below 2% of the first round's, from round 2 on.
#[derive(Clone, Debug, PartialEq)]
pub struct SmpParams {
    /// Victory probability model.
    pub victory_prob: VictoryProbModel,
    /// Probabilistic Condorcet election model.
    pub pce: PceModel,
    /// Deterministic or stochastic choice among bargains.
    pub transitions: StateTransitions,
    /// Voting rule.
    pub voting_rule: VotingRule,
    /// Estimate of others' risk attitudes.
    pub big_r_adjust: BigRAdjust,
    /// Range of risk attitudes.
    pub big_r_range: BigRRange,
    /// Third parties' commitment.
    pub third_party_commit: ThirdPartyCommit,
    /// Interpolation of bargains.
    pub inter_vec_bargain: InterVecBargain,
    /// Whose view shapes bargains.
    pub bargain_model: BargainModel,
    /// Cells of the accommodation matrix that differ from the identity (KTAB's
    /// `IdealAdjustment`; empty: ideals follow positions). A later cell overwrites an
    /// earlier one with the same actors.
    pub ideal_adjustment: Vec<IdealAdjustment>,
    /// Seed of the generator used by [`StateTransitions::Stochastic`]; a (input, params)
    /// pair reproduces the same run on every machine and thread count.
    pub seed: u64,
    /// The run stops after this many rounds at the latest (KTAB: 100); 0 runs none: the
    /// run is the opening state with its win probabilities.
    pub max_rounds: usize,
    /// The work budget ([`DEFAULT_MAX_WORK`] by default), in units of about a nanosecond:
    /// every inner iteration of the model is counted (a challenge weighed with one third
    /// party, a vote in an election, an iteration of a Markov election, a distance's
    /// term). A round that would take the total past this is not kept: the run stops with
    /// [`crate::Stop::Budget`] and the states before it. The opening state must fit
    /// ([`crate::opening_work`] is its least work).
    pub max_work: u64,
    /// The run does not stop for convergence before this round (KTAB: 2).
    pub min_rounds: usize,
    /// The run stops when a round's change is below this fraction of the first round's
    /// (KTAB: 0.02).
    pub min_delta_ratio: f64,
    /// Worker threads for the challenge and queue computations: 0 picks the machine's
    /// parallelism for inputs of 64 actors or more and runs smaller ones serially, `t > 0`
    /// uses up to `t` threads. Results are bit-identical for every value.
    pub threads: usize,
}

impl Default for SmpParams {
    fn default() -> SmpParams {
        SmpParams {
            victory_prob: VictoryProbModel::default(),
            pce: PceModel::default(),
            transitions: StateTransitions::default(),
            voting_rule: VotingRule::default(),
            big_r_adjust: BigRAdjust::default(),
            big_r_range: BigRRange::default(),
            third_party_commit: ThirdPartyCommit::default(),
            inter_vec_bargain: InterVecBargain::default(),
            bargain_model: BargainModel::default(),
            ideal_adjustment: Vec::new(),
            seed: KTAB_DEFAULT_SEED,
            max_rounds: 100,
            max_work: DEFAULT_MAX_WORK,
            min_rounds: 2,
            min_delta_ratio: 0.02,
            threads: 0,
        }
    }
}

impl SmpParams {
    /// The accommodation matrix `a[i][j]` for `n_actors`, as sparse rows: row `i` lists
    /// its non-zero cells `(j, a_ij)` by increasing `j`. It is the identity with the cells
    /// of [`SmpParams::ideal_adjustment`] written over it, checked (indices in range, cells
    /// finite and `>= 0`, rows summing to at most 1). Its size grows with `n_actors` plus
    /// the number of cells given, never with `n_actors²`.
    pub fn accommodation(&self, n_actors: usize) -> Result<Vec<Vec<(usize, f64)>>, Error> {
        self.accommodation_named(&(0..n_actors).map(|i| i.to_string()).collect::<Vec<_>>())
    }

    /// [`SmpParams::accommodation`], naming actors in messages by `names` (one per actor).
    pub(crate) fn accommodation_named(
        &self,
        names: &[String],
    ) -> Result<Vec<Vec<(usize, f64)>>, Error> {
        let n_actors = names.len();
        let mut cells: BTreeMap<(usize, usize), f64> =
            (0..n_actors).map(|i| ((i, i), 1.0)).collect();
        for ia in &self.ideal_adjustment {
            if ia.adjusting >= n_actors || ia.reference >= n_actors {
                return Err(Error::new(
                    ErrorKind::Params,
                    format!(
                        "ideal adjustment ({}, {}) names no actor: there are {n_actors}",
                        ia.adjusting, ia.reference
                    ),
                ));
            }
            if !(ia.adjust.is_finite() && ia.adjust >= 0.0) {
                return Err(Error::new(
                    ErrorKind::Params,
                    format!(
                        "ideal adjustment ({}, {}): adjust {} must be finite and >= 0",
                        ia.adjusting, ia.reference, ia.adjust
                    ),
                ));
            }
            cells.insert((ia.adjusting, ia.reference), ia.adjust);
        }
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n_actors];
        for ((i, j), a) in cells {
            if a != 0.0 {
                rows[i].push((j, a));
            }
        }
        for (i, row) in rows.iter().enumerate() {
            // Summed in column order, as a dense row would be (its zeros add nothing).
            let total = row.iter().fold(0.0, |t, &(_, a)| t + a);
            if total > 1.0 + 1e-12 {
                return Err(Error::new(
                    ErrorKind::Params,
                    format!(
                        "ideal adjustment of actor {}: the weights sum to {total}, above 1",
                        names[i]
                    ),
                ));
            }
        }
        Ok(rows)
    }

    /// The parameters for the actors at the indices `keep` only (as
    /// [`crate::SmpInput::restrict`] keeps them): the ideal adjustments between kept
    /// actors, renumbered; those naming a left-out actor are dropped.
    pub fn restrict(&self, keep: &[usize]) -> SmpParams {
        let new_index: HashMap<usize, usize> =
            keep.iter().enumerate().map(|(new, &old)| (old, new)).collect();
        let ideal_adjustment = self
            .ideal_adjustment
            .iter()
            .filter_map(|ia| {
                Some(IdealAdjustment {
                    adjusting: *new_index.get(&ia.adjusting)?,
                    reference: *new_index.get(&ia.reference)?,
                    adjust: ia.adjust,
                })
            })
            .collect();
        SmpParams { ideal_adjustment, ..self.clone() }
    }

    /// Checks the numeric options.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.min_delta_ratio.is_finite() && self.min_delta_ratio >= 0.0) {
            return Err(Error::new(
                ErrorKind::Params,
                format!("min_delta_ratio {} must be finite and >= 0", self.min_delta_ratio),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_ktab_defaults() {
        let p = SmpParams::default();
        assert_eq!(p.voting_rule, VotingRule::Proportional);
        assert_eq!(p.pce, PceModel::Conditional);
        assert_eq!(p.big_r_adjust, BigRAdjust::OneThird);
        assert_eq!(p.seed, 15455440707583219804);
        assert_eq!(VotingRule::parse("Prop"), Some(VotingRule::Proportional));
        assert_eq!(VotingRule::Proportional.keyword(), "Proportional");
        assert_eq!(BigRAdjust::parse("No"), Some(BigRAdjust::None));
        assert_eq!(PceModel::ALL.len(), 3);
        assert_eq!(PceModel::parse("conditional"), None);
    }

    #[test]
    fn accommodation_overwrites_the_identity() {
        let mut p = SmpParams {
            ideal_adjustment: vec![
                IdealAdjustment { adjusting: 1, reference: 1, adjust: 0.75 },
                IdealAdjustment { adjusting: 1, reference: 0, adjust: 0.07 },
            ],
            ..SmpParams::default()
        };
        let a = p.accommodation(2).unwrap();
        assert_eq!(a, vec![vec![(0, 1.0)], vec![(0, 0.07), (1, 0.75)]]);
        p.ideal_adjustment.push(IdealAdjustment { adjusting: 0, reference: 1, adjust: 0.5 });
        assert_eq!(p.accommodation(2).unwrap_err().kind(), ErrorKind::Params);
        p.ideal_adjustment[2].reference = 5;
        assert!(p.accommodation(2).unwrap_err().message().contains("names no actor"));
    }

    #[test]
    fn restricting_keeps_the_adjustments_between_kept_actors() {
        let p = SmpParams {
            ideal_adjustment: vec![
                IdealAdjustment { adjusting: 2, reference: 0, adjust: 0.5 },
                IdealAdjustment { adjusting: 2, reference: 1, adjust: 0.25 },
            ],
            ..SmpParams::default()
        };
        let r = p.restrict(&[0, 2]);
        assert_eq!(
            r.ideal_adjustment,
            vec![IdealAdjustment { adjusting: 1, reference: 0, adjust: 0.5 }]
        );
        assert_eq!(p.restrict(&[1]).ideal_adjustment, vec![]);
    }
}
