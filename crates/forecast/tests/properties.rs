//! Properties of runs on random inputs and options: runs are deterministic and independent
//! of the thread count, seeds reproduce stochastic runs, and positions, ideals and
//! probabilities stay in range; the baselines stay within the positions.

use detente_forecast::{
    BargainModel, BigRAdjust, BigRRange, InterVecBargain, PceModel, SmpInput, SmpParams,
    StateTransitions, ThirdPartyCommit, VictoryProbModel, VotingRule, compromise, run_smp,
    weighted_median,
};
use proptest::prelude::*;
use proptest::sample::select;

fn params() -> impl Strategy<Value = SmpParams> {
    (
        (
            select(VictoryProbModel::ALL.to_vec()),
            select(PceModel::ALL.to_vec()),
            select(VotingRule::ALL.to_vec()),
            select(BigRAdjust::ALL.to_vec()),
            select(BigRRange::ALL.to_vec()),
        ),
        (
            select(ThirdPartyCommit::ALL.to_vec()),
            select(InterVecBargain::ALL.to_vec()),
            select(BargainModel::ALL.to_vec()),
            select(StateTransitions::ALL.to_vec()),
            any::<u64>(),
        ),
    )
        .prop_map(|((vpm, pce, rule, radj, rrange), (commit, ivb, bm, trans, seed))| {
            SmpParams {
                victory_prob: vpm,
                pce,
                voting_rule: rule,
                big_r_adjust: radj,
                big_r_range: rrange,
                third_party_commit: commit,
                inter_vec_bargain: ivb,
                bargain_model: bm,
                transitions: trans,
                seed,
                max_rounds: 30,
                ..SmpParams::default()
            }
        })
}

fn input() -> impl Strategy<Value = SmpInput> {
    (any::<u64>(), 2usize..9, 1usize..4).prop_map(|(seed, n, k)| SmpInput::random(seed, n, k))
}

fn in_range(run: &detente_forecast::SmpRun) -> bool {
    run.rounds.iter().all(|r| {
        r.positions.iter().chain(&r.ideals).flatten().all(|x| (0.0..=100.0).contains(x))
            && r.probabilities.iter().all(|p| (0.0..=1.0 + 1e-12).contains(p))
            // R is KTAB's ratio of utility differences, reproduced bit for bit: when every
            // actor stands within a hair of one position its terms nearly cancel, and the
            // ratio overshoots [-1, 1] by rounding (1.00000015 on the regression case kept
            // in properties.proptest-regressions), so the range is checked to 1e-6.
            && r.risk.iter().all(|x| (-1.0 - 1e-6..=1.0 + 1e-6).contains(x))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn runs_are_deterministic_and_thread_independent(input in input(), params in params()) {
        let serial = run_smp(&input, &SmpParams { threads: 1, ..params.clone() }).unwrap();
        let threaded = run_smp(&input, &SmpParams { threads: 3, ..params.clone() }).unwrap();
        prop_assert_eq!(&serial, &threaded);
        prop_assert_eq!(&serial, &run_smp(&input, &params).unwrap());
        prop_assert!(in_range(&serial));
        prop_assert!(serial.rounds.len() >= 2 && serial.rounds.len() <= 31);
        prop_assert_eq!(serial.fractional_changes.len(), serial.rounds.len() - 1);
    }

    #[test]
    fn seeds_reproduce_stochastic_runs(input in input(), seed in any::<u64>()) {
        let params = SmpParams {
            transitions: StateTransitions::Stochastic,
            seed,
            ..SmpParams::default()
        };
        let a = run_smp(&input, &params).unwrap();
        let b = run_smp(&input, &SmpParams { threads: 2, ..params.clone() }).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert!(in_range(&a));
    }

    #[test]
    fn default_runs_stay_in_range(seed in any::<u64>(), n in 2usize..25, k in 1usize..5) {
        let input = SmpInput::random(seed, n, k);
        let run = run_smp(&input, &SmpParams::default()).unwrap();
        prop_assert!(in_range(&run));
        // Positions move on KTAB's grid of 0.01 once bargained.
        for r in &run.rounds[1..] {
            for (i, row) in r.positions.iter().enumerate() {
                for (d, x) in row.iter().enumerate() {
                    let moved = *x != input.positions[i][d];
                    prop_assert!(!moved || ((x * 100.0).round() - x * 100.0).abs() < 1e-6);
                }
            }
        }
    }

    #[test]
    fn baselines_lie_within_the_positions(input in input()) {
        let c = compromise(&input);
        let m = weighted_median(&input);
        for d in 0..input.n_dims() {
            let col: Vec<f64> = input.positions.iter().map(|p| p[d]).collect();
            let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(c[d] >= lo - 1e-9 && c[d] <= hi + 1e-9);
            prop_assert!(col.contains(&m[d]));
        }
    }
}
