//! Tests of the flip thresholds: each one checked by the evaluation on both sides, on the
//! shipped scenarios and on random ones, and steady estimates scanned for a missed flip.

use super::*;
use detente_analysis::evaluate;
use detente_core::{Doubt, Uncertainty};
use detente_testkit::{GenConfig, random_raw_scenario, random_scenario};
use proptest::prelude::*;

fn shipped(name: &str) -> Scenario {
    detente_scenario::shipped::load(name).unwrap().unwrap()
}

/// Party `p`'s verdict on proposal `j` with estimate `e` set to `x` (the evaluation itself);
/// `None` when `x` is not an allowed value. `scratch` is restored.
fn verdict_with(
    scratch: &mut Scenario,
    j: usize,
    p: usize,
    e: Estimate,
    x: f64,
) -> Option<Verdict> {
    let point = scratch.point(e).unwrap();
    scratch.set_estimates(&[(e, x)]).ok()?;
    let v = evaluate(scratch, j).unwrap().parties[p].verdict;
    scratch.set_estimates(&[(e, point)]).unwrap();
    Some(v)
}

/// Values of `e` to scan for a flip: a grid over its allowed values (for an unbounded
/// estimate, from 0, or far below, to well past the point estimate).
fn grid(s: &Scenario, e: Estimate, n: usize) -> Vec<f64> {
    let (lo, hi) = s.bounds(e);
    let x0 = s.point(e).unwrap();
    let span = 4.0 * x0.abs().max(1.0);
    let (a, b) =
        (if lo.is_finite() { lo } else { x0 - span }, if hi.is_finite() { hi } else { x0 + span });
    let mut out: Vec<f64> = (0..=n).map(|k| a + (b - a) * k as f64 / n as f64).collect();
    if !hi.is_finite() {
        out.push(x0 + 1e6 * x0.abs().max(1.0));
    }
    if !lo.is_finite() {
        out.push(x0 - 1e6 * x0.abs().max(1.0));
    }
    out.retain(|&x| !(matches!(e, Estimate::Tolerance { .. }) && x <= 0.0));
    out
}

/// Checks every flip of every verdict of `s` by evaluating just past and just short of its
/// threshold, the stated number, and that every estimate reported steady has no flip on a grid
/// of its allowed values. Returns how many flips were checked.
fn check_scenario(s: &Scenario, grid_points: usize) -> usize {
    let mut scratch = s.clone();
    let all: Vec<usize> = (0..s.parties().len()).collect();
    let mut checked = 0;
    for j in 0..s.proposals().len() {
        let eval = evaluate(s, j).unwrap();
        let sens = sensitivity(s, j, &all).unwrap();
        for v in &sens.verdicts {
            let p = v.party;
            assert_eq!(v.verdict, eval.parties[p].verdict);
            let at = |scratch: &mut Scenario, e, x| verdict_with(scratch, j, p, e, x);
            for f in &v.flips {
                let (e, t, x0) = (f.estimate(), f.threshold, f.range.point);
                let what = format!("{} {e:?} {:?} {t} (point {x0})", s.meta().name, f.direction);
                assert_ne!(f.to, v.verdict, "{what}");
                // Just past the threshold the verdict is the new one, just short of it the
                // old one. "Just" is at most a billionth (relative); where the utility is nearly flat
                // in the estimate (a weight far past its range, where the utility barely
                // moves) the double arithmetic of the evaluation blurs that, so a wider
                // band is allowed there, never for a threshold inside the estimate's range.
                let sides = |scratch: &mut Scenario, rel: f64| -> bool {
                    let delta = rel * t.abs().max(1.0);
                    let (past, short) = match f.direction {
                        Direction::FallsBelow => (t - delta, t + delta),
                        Direction::RisesAbove => (t + delta, t - delta),
                        Direction::FallsTo => (t, t + delta),
                        Direction::RisesTo => (t, t - delta),
                    };
                    let near_point = (t - x0).abs() <= 2.0 * delta
                        && matches!(f.direction, Direction::FallsBelow | Direction::RisesAbove);
                    at(scratch, e, past) == Some(f.to)
                        && (near_point || at(scratch, e, short) == Some(v.verdict))
                };
                match f.direction {
                    Direction::FallsBelow | Direction::FallsTo => assert!(t <= x0, "{what}"),
                    Direction::RisesAbove | Direction::RisesTo => assert!(t >= x0, "{what}"),
                }
                // Two thresholds of one estimate may lie closer than a billionth (a weight
                // near 0 where the worst and the best kept utility cross the reservation
                // within its tolerance of each other): nearer bands are tried first.
                let near = [1e-9, 1e-11, 1e-13];
                let ok = near.iter().any(|&rel| sides(&mut scratch, rel))
                    || (!f.inside && [1e-7, 1e-5].iter().any(|&rel| sides(&mut scratch, rel)));
                assert!(ok, "{what}");
                // The number written in words flips the verdict when set.
                let written: f64 = f.stated_words().parse().unwrap();
                assert_eq!(written, f.stated, "{what}");
                assert_eq!(at(&mut scratch, e, written), Some(f.to), "{what}: stated {written}");
                // The rank measure is the probability beyond the threshold.
                let cdf = f.range.spread.cdf(x0, t);
                assert_eq!(f.beyond, if f.direction.falls() { cdf } else { 1.0 - cdf });
                checked += 1;
            }
            for w in v.flips.windows(2) {
                assert!(w[0].beyond >= w[1].beyond, "ranked by the probability beyond");
            }
            assert_eq!(v.nearest(), v.flips.first());
            for &e in &v.steady {
                for x in grid(s, e, grid_points) {
                    assert_eq!(
                        at(&mut scratch, e, x),
                        Some(v.verdict),
                        "{} proposal {j} party {p}: {e:?} reported steady flips at {x}",
                        s.meta().name
                    );
                }
            }
            // Every estimate of the party is either steady or has a flip.
            let n = s.estimates().iter().filter(|r| r.estimate.party() == p).count();
            let mut seen: Vec<Estimate> = v.flips.iter().map(Flip::estimate).collect();
            seen.extend(&v.steady);
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), n);
        }
    }
    checked
}

#[test]
fn the_tutorial_thresholds_flip_the_verdicts() {
    let s = shipped("tutorial");
    assert!(check_scenario(&s, 60) > 10);
}

#[test]
fn a_reservation_flips_at_the_utility_plus_the_tolerance() {
    let s = shipped("tutorial");
    let j = s.proposal_index("commission-draft").unwrap();
    let up = s.party_index("upland").unwrap();
    let v = &sensitivity(&s, j, &[up]).unwrap().verdicts[0];
    assert_eq!(v.verdict, Verdict::Accepts);
    let f = v
        .flips
        .iter()
        .find(|f| f.estimate() == Estimate::Reservation { party: up })
        .expect("a reservation flip");
    assert_eq!(f.direction, Direction::RisesAbove);
    assert_eq!(f.to, Verdict::Rejects);
    assert_eq!(f.threshold, v.utility_min + EPS);
    // Written with two decimals, rounded up past the threshold.
    assert!(f.stated > f.threshold && f.decimals == 2, "{f:?}");
    // The reservation (0.45, grade B: 0.35 to 0.55) is far below the utility (0.69).
    assert!(!f.inside && f.beyond == 0.0);
    assert!(flip_words(&s, f).starts_with("flips to reject if its reservation rises above 0.7"));
}

#[test]
fn a_normalised_weight_flips_at_its_closed_form() {
    // One party, two issues: values 1 and 0, weights w and 1; utility w / (w + 1) meets the
    // reservation 0.6 at w = 1.5 (plus the tolerance).
    use detente_core::{Issue, Meta, Party, Proposal, Role, Stance};
    let parties = vec![
        Party::new("a", "A", Role::Principal, 1.0, 0.6),
        Party::new("b", "B", Role::Principal, 1.0, 0.0),
    ];
    let issues = vec![Issue::discrete("x", "X", &["x0", "x1"]), Issue::discrete("y", "Y", &["y0"])];
    let stances = vec![
        vec![Some(Stance::values(2.0, vec![1.0, 0.0])), Some(Stance::values(1.0, vec![0.0]))],
        vec![None, Some(Stance::values(1.0, vec![1.0]))],
    ];
    let proposal = Proposal {
        id: "d".into(),
        title: "D".into(),
        author: None,
        date: None,
        amends: None,
        terms: vec![Term::Set(0), Term::Set(0)],
        stated: vec![true; 2],
        description: None,
    };
    let s =
        Scenario::new(Meta::named("w"), parties, issues, stances, vec![proposal], vec![]).unwrap();
    let v = &sensitivity(&s, 0, &[0]).unwrap().verdicts[0];
    assert_eq!(v.verdict, Verdict::Accepts);
    let w = Estimate::Weight { party: 0, issue: 0 };
    let f = v.flips.iter().find(|f| f.estimate() == w).unwrap();
    let theta = 0.6 - EPS;
    assert_eq!(f.threshold, theta / (1.0 - theta));
    assert!((f.threshold - 1.5).abs() < 1e-8);
    assert_eq!((f.direction, f.to), (Direction::FallsBelow, Verdict::Rejects));
    assert_eq!(f.stated_words(), "1.49");
    // Grade B spreads the weight 2 from 1.5 to 2.5: the threshold is the range's low end.
    assert!(!f.inside && f.beyond == 0.0 && (f.widths - 0.5).abs() < 1e-8);
    // The weight of y rises above 2 / 1.5 to flip it as well; capability never does.
    let wy = v.flips.iter().find(|f| f.estimate() == Estimate::Weight { party: 0, issue: 1 });
    assert!(wy.is_some_and(|f| f.direction == Direction::RisesAbove));
    assert!(v.steady.contains(&Estimate::Capability { party: 0 }));
    assert!(check_scenario(&s, 50) >= 3);
}

#[test]
fn a_crossed_red_line_pins_the_verdict_and_says_how_sure_it_is() {
    let s = shipped("tutorial");
    let j = s.proposal_index("commission-draft").unwrap();
    let low = s.party_index("lowland").unwrap();
    let v = &sensitivity(&s, j, &[low]).unwrap().verdicts[0];
    assert_eq!(v.verdict, Verdict::Rejects);
    assert!(v.flips.is_empty() && v.nearest().is_none());
    assert_eq!(v.crossed.len(), 1);
    assert_eq!(
        sentence(&s, v, 3),
        "Lowland rejects commission-draft: it crosses its red line on share; no estimate flips it."
    );
    // With a doubt on that red line, its probability of holding is given.
    let r = v.crossed[0].red_line;
    let s = s
        .edit(|parts| {
            parts.uncertainty = Uncertainty {
                doubts: vec![Doubt { red_line: r, holds: 0.8 }],
                ..parts.uncertainty.clone()
            }
        })
        .unwrap();
    let v = &sensitivity(&s, j, &[low]).unwrap().verdicts[0];
    assert_eq!(v.crossed[0].holds, 0.8);
    assert!(sentence(&s, v, 3).contains("share (which holds with probability 0.80)"));
}

#[test]
fn an_open_red_line_keeps_a_party_from_accepting() {
    let s = shipped("tutorial");
    let j = s.proposal_index("lowland-markup").unwrap();
    let up = s.party_index("upland").unwrap();
    let v = &sensitivity(&s, j, &[up]).unwrap().verdicts[0];
    assert_eq!(v.verdict, Verdict::Depends);
    assert!(!v.at_risk.is_empty());
    assert!(v.flips.iter().all(|f| f.to == Verdict::Rejects), "{:?}", v.flips);
    assert!(sentence(&s, v, 2).contains("no estimate makes it accept"));
}

#[test]
fn the_ukraine_thresholds_flip_the_verdicts() {
    assert!(check_scenario(&shipped("ukraine-2025"), 12) > 10);
}

#[test]
fn bad_indices_are_errors() {
    let s = shipped("tutorial");
    assert!(sensitivity(&s, 0, &[7]).is_err());
    assert!(sensitivity(&s, 9, &[0]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_threshold_flips_and_every_steady_estimate_is_steady(
        seed in any::<u64>(),
        n_parties in 2usize..4,
        n_issues in 1usize..5,
        n_options in 1usize..5,
        raw in any::<bool>(),
    ) {
        let mut cfg = GenConfig::new(n_parties, n_issues, n_options);
        cfg.open_chance = 0.35;
        cfg.red_line_chance = 0.15;
        let s = if raw { random_raw_scenario(seed, &cfg) } else { random_scenario(seed, &cfg) };
        check_scenario(&s, 24);
    }
}

#[test]
fn random_scenarios_have_flips_of_every_kind() {
    // The property test above must meet thresholds, not only steady estimates.
    let mut seen = std::collections::BTreeMap::new();
    for seed in 0..40 {
        let mut cfg = GenConfig::new(3, 4, 4);
        cfg.open_chance = 0.35;
        let s = random_scenario(seed, &cfg);
        let all: Vec<usize> = (0..3).collect();
        for j in 0..s.proposals().len() {
            for v in sensitivity(&s, j, &all).unwrap().verdicts {
                for f in v.flips {
                    *seen.entry((f.estimate().field(), f.direction, f.to.as_str())).or_insert(0) +=
                        1;
                }
            }
        }
        check_scenario(&s, 8);
    }
    let fields: std::collections::BTreeSet<_> = seen.keys().map(|k| k.0).collect();
    for field in ["weight", "value", "ideal", "tolerance", "reservation"] {
        assert!(fields.contains(field), "no flip of a {field}: {seen:?}");
    }
    assert!(seen.keys().any(|k| k.2 == "depends"), "{seen:?}");
}
