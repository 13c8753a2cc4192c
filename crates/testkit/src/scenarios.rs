//! Seeded random scenarios for tests and benchmarks.
//!
//! The generators are deterministic: the same seed and configuration give the same scenario
//! on every platform. Values are often on a coarse grid so that ties and utilities exactly
//! at a reservation occur, which is where tolerance bugs hide. Every scenario they make
//! keeps the rules of a scenario file (what `detente check` checks):
//! `crates/scenario/tests/generated.rs` writes many of them out and reads them back.

use detente_core::{
    Doubt, Estimate, Grade, Issue, Meta, Party, Preference, Proposal, RedLineKind, RedLineRef, Rng,
    Role, Scenario, Spread, Stance, StatedRange, Term, UtilityForm,
};

/// What [`random_scenario`] generates.
#[derive(Clone, Debug, PartialEq)]
pub struct GenConfig {
    /// Number of parties (at least 2: a negotiation needs two).
    pub n_parties: usize,
    /// Number of issues (at least 1).
    pub n_issues: usize,
    /// Options per issue (grid points for a scale issue), at least 1.
    pub n_options: usize,
    /// Chance that a stance has a red line (and, again, a second one).
    pub red_line_chance: f64,
    /// Reservations are drawn from `[0, reservation_max]`, `reservation_max` taken within
    /// `[0, 1]` (the range of a reservation of normalised utilities).
    pub reservation_max: f64,
    /// Chance that an issue is a scale.
    pub scale_chance: f64,
    /// Chance that a party has no stance on an issue.
    pub no_stance_chance: f64,
    /// Number of proposals.
    pub n_proposals: usize,
    /// Chance that a proposal leaves a term open.
    pub open_chance: f64,
    /// Chance that an estimate (weight, value, ideal, tolerance, reservation, capability) has
    /// a range stated (triangular or uniform, now and then a single point). 0 by default.
    pub range_chance: f64,
    /// Chance that a red line has a doubt (a probability that it holds). 0 by default.
    pub doubt_chance: f64,
    /// Chance that a stance has a confidence grade, and (once per scenario) that the
    /// scenario overrides the grade of ungraded stances and some widths. 0 by default.
    pub grade_chance: f64,
}

impl GenConfig {
    /// Defaults for everything but the sizes.
    pub fn new(n_parties: usize, n_issues: usize, n_options: usize) -> GenConfig {
        GenConfig {
            n_parties,
            n_issues,
            n_options,
            red_line_chance: 0.2,
            reservation_max: 0.6,
            scale_chance: 0.25,
            no_stance_chance: 0.1,
            n_proposals: 2,
            open_chance: 0.25,
            range_chance: 0.0,
            doubt_chance: 0.0,
            grade_chance: 0.0,
        }
    }

    /// Whether the configuration asks for any uncertainty (ranges, doubts or grades).
    fn uncertain(&self) -> bool {
        self.range_chance > 0.0 || self.doubt_chance > 0.0 || self.grade_chance > 0.0
    }
}

/// A number in `[0, 1]`: on a grid of tenths half of the time.
fn value(rng: &mut Rng) -> f64 {
    if rng.chance(0.5) { rng.index(11) as f64 / 10.0 } else { rng.unit() }
}

/// A random valid scenario; each stance's own red lines leave it at least one option.
///
/// With `range_chance`, `doubt_chance` or `grade_chance` above 0, some estimates have
/// stated ranges, some red lines doubts and some stances grades (drawn from a generator of
/// their own, so the rest of the scenario is the one made without them).
pub fn random_scenario(seed: u64, cfg: &GenConfig) -> Scenario {
    with_uncertainty(certain_scenario(seed, cfg), seed, cfg)
}

/// [`random_scenario`] without the uncertainty.
fn certain_scenario(seed: u64, cfg: &GenConfig) -> Scenario {
    let mut rng = Rng::new(seed);
    let n_options = cfg.n_options.max(1);
    let parties: Vec<Party> = (0..cfg.n_parties.max(2))
        .map(|p| {
            let role = if p == 0 || rng.chance(0.7) { Role::Principal } else { Role::Mediator };
            // Reservations of normalised utilities are in [0, 1].
            let r = cfg.reservation_max.clamp(0.0, 1.0) * value(&mut rng);
            Party::new(&format!("p{p}"), &format!("Party {p}"), role, 1.0, r)
        })
        .collect();
    let issues: Vec<Issue> = (0..cfg.n_issues.max(1))
        .map(|i| {
            let (id, name) = (format!("i{i}"), format!("Issue {i}"));
            if rng.chance(cfg.scale_chance) {
                Issue::scale(&id, &name, "units", 0.0, 10.0 * (n_options - 1) as f64, 10.0)
            } else {
                let opts: Vec<String> = (0..n_options).map(|k| format!("o{k}")).collect();
                let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
                Issue::discrete(&id, &name, &opts)
            }
        })
        .collect();
    let mut stances: Vec<Vec<Option<Stance>>> = (0..parties.len())
        .map(|_| {
            issues
                .iter()
                .map(|issue| {
                    if rng.chance(cfg.no_stance_chance) {
                        return None;
                    }
                    let weight = if rng.chance(0.5) { rng.index(5) as f64 } else { rng.unit() };
                    let mut stance = if issue.is_scale() {
                        let top = 10.0 * (n_options - 1) as f64;
                        let ideal = if rng.chance(0.5) {
                            10.0 * rng.index(n_options) as f64
                        } else {
                            top * rng.unit()
                        };
                        Stance::ideal(weight, ideal, 5.0 + 40.0 * rng.unit())
                    } else {
                        Stance::values(weight, (0..n_options).map(|_| value(&mut rng)).collect())
                    };
                    for _ in 0..2 {
                        if !rng.chance(cfg.red_line_chance) {
                            break;
                        }
                        // Keep one option the stance accepts: no red line rules it out.
                        let keep = rng.index(n_options);
                        let kind = if issue.is_scale() {
                            let x = 10.0 * keep as f64;
                            match rng.index(3) {
                                0 => RedLineKind::Bounds { min: Some(x), max: None },
                                1 => RedLineKind::Bounds { min: None, max: Some(x) },
                                _ => RedLineKind::Bounds {
                                    min: Some(x - 10.0 * rng.index(2) as f64),
                                    max: Some(x + 10.0 * rng.index(2) as f64),
                                },
                            }
                        } else {
                            let others: Vec<usize> =
                                (0..n_options).filter(|&k| k != keep && rng.chance(0.5)).collect();
                            if rng.chance(0.5) {
                                RedLineKind::Forbid(others)
                            } else {
                                let mut req = others;
                                req.push(keep);
                                req.sort_unstable();
                                RedLineKind::Require(req)
                            }
                        };
                        let pick_keep = stance
                            .red_lines
                            .iter()
                            .all(|r| r.allows(keep, issue.scale_value(keep)));
                        // Forbidding nothing is no red line (and a file refuses it).
                        let empty = matches!(&kind, RedLineKind::Forbid(f) if f.is_empty());
                        if pick_keep && !empty {
                            stance = stance.with_red_line(kind, Some("a generated red line"));
                        }
                    }
                    Some(stance)
                })
                .collect()
        })
        .collect();
    // A party indifferent to everything (every weight 0) is refused by a scenario file:
    // its first stance then weighs 1 (no draw is spent, so other scenarios stay the same).
    for row in &mut stances {
        if row.iter().flatten().all(|st| st.weight == 0.0)
            && let Some(st) = row.iter_mut().flatten().next()
        {
            st.weight = 1.0;
        }
    }
    let proposals = (0..cfg.n_proposals)
        .map(|j| Proposal {
            id: format!("d{j}"),
            title: format!("Draft {j}"),
            author: None,
            date: None,
            amends: None,
            terms: (0..issues.len())
                .map(|_| {
                    if rng.chance(cfg.open_chance) {
                        Term::Open
                    } else {
                        Term::Set(rng.index(n_options))
                    }
                })
                .collect(),
            stated: vec![true; issues.len()],
            description: None,
        })
        .collect();
    Scenario::new(Meta::named("random"), parties, issues, stances, proposals, vec![])
        .expect("the generator builds valid scenarios")
}

/// The scenario of [`random_scenario`] turned raw ([`UtilityForm::Raw`]): weights in
/// `[0, 3)`, discrete values on a grid in `[-5, 5]` (so negative values and ties occur), a
/// bias in `[-2, 2]` for some parties, and each party's reservation placed in its utility
/// range at a fraction drawn from `[0, reservation_max]` (or far below it, a third of the
/// time).
pub fn random_raw_scenario(seed: u64, cfg: &GenConfig) -> Scenario {
    let s = certain_scenario(seed, cfg);
    let mut rng = Rng::new(seed ^ 0x00ba_d5ee_d0ff_1ce5);
    let mut meta = s.meta().clone();
    meta.utility = UtilityForm::Raw;
    let mut parties = s.parties().to_vec();
    for p in &mut parties {
        p.bias = if rng.chance(0.5) { rng.index(9) as f64 / 2.0 - 2.0 } else { 0.0 };
        p.reservation = f64::MIN;
    }
    let stances: Vec<Vec<Option<Stance>>> = s
        .stances()
        .iter()
        .map(|row| {
            row.iter()
                .map(|st| {
                    st.clone().map(|mut st| {
                        st.weight =
                            if rng.chance(0.5) { rng.index(4) as f64 } else { 3.0 * rng.unit() };
                        if let Preference::Values(v) = &mut st.preference {
                            for x in v.iter_mut() {
                                *x = if rng.chance(0.5) {
                                    rng.index(21) as f64 / 2.0 - 5.0
                                } else {
                                    10.0 * rng.unit() - 5.0
                                };
                            }
                        }
                        st
                    })
                })
                .collect()
        })
        .collect();
    let raw =
        Scenario::new(meta, parties, s.issues().to_vec(), stances, s.proposals().to_vec(), vec![])
            .expect("the raw variant is valid");
    let mut parts = raw.clone().into_parts();
    for (p, party) in parts.parties.iter_mut().enumerate() {
        let (mut lo, mut hi) = (raw.bias(p), raw.bias(p));
        for i in 0..raw.issues().len() {
            let c = raw.contributions(p, i);
            lo += c.iter().copied().fold(f64::INFINITY, f64::min);
            hi += c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        }
        party.reservation = if rng.chance(1.0 / 3.0) {
            lo - 1.0
        } else {
            lo + (hi - lo) * cfg.reservation_max * value(&mut rng)
        };
    }
    let raw = Scenario::from_parts(parts).expect("the raw variant is valid");
    with_uncertainty(raw, seed, cfg)
}

/// `s` with stated ranges, doubts and grades drawn as `cfg` asks, from a generator seeded
/// apart from the scenario's own; `s` unchanged when `cfg` asks for none. Ranges keep the
/// rules of a scenario file (within the allowed values, weights 0 or at least 1e-9) and come
/// sorted by estimate, doubts by red line, as a file reads them.
fn with_uncertainty(s: Scenario, seed: u64, cfg: &GenConfig) -> Scenario {
    if !cfg.uncertain() {
        return s;
    }
    let mut rng = Rng::new(seed ^ 0x0005_eed0_fd00_b7f0);
    let raw = s.meta().utility == UtilityForm::Raw;
    let mut parts = s.clone().into_parts();
    for row in &mut parts.stances {
        for st in row.iter_mut().flatten() {
            if rng.chance(cfg.grade_chance) {
                st.confidence = Some([Grade::A, Grade::B, Grade::C][rng.index(3)]);
            }
        }
    }
    let u = &mut parts.uncertainty;
    if rng.chance(cfg.grade_chance) {
        u.ungraded = [None, Some(Grade::A), Some(Grade::C)][rng.index(3)];
        let w = &mut u.widths[rng.index(3)];
        // Shares on a grid and off it; a tolerance's share stays below 1.
        w.weight = rng.index(5) as f64 / 4.0;
        w.value = 0.3 * rng.unit();
        w.tolerance = 0.9 * rng.unit();
    }
    for e in s.estimates() {
        if !rng.chance(cfg.range_chance) {
            continue;
        }
        let point = e.point;
        let (lo, hi) = s.bounds(e.estimate);
        // How far below and above the point the range reaches: a share of the room there
        // (of a span of 5 where the room is unbounded), on a grid of quarters half of the
        // time, so that single points and ranges touching a bound occur.
        let mut reach = |room: f64| {
            let room = if room.is_finite() { room } else { 5.0 };
            let share = if rng.chance(0.5) { rng.index(5) as f64 / 4.0 } else { rng.unit() };
            room * share
        };
        let (mut low, high) = match e.estimate {
            // Weights, capabilities and tolerances: a share of the number below it.
            Estimate::Weight { .. } | Estimate::Capability { .. } | Estimate::Tolerance { .. } => {
                (point - reach(point) * 0.9, point + reach(point.max(1.0)))
            }
            _ => (point - reach(point - lo), point + reach(hi - point)),
        };
        let (low_min, high_max) = if raw { (-1e6, 1e6) } else { (lo, hi) };
        low = low.clamp(lo.max(low_min), point);
        let high = high.clamp(point, hi.min(high_max));
        // A weight is 0 or at least 1e-9 in a file.
        if matches!(e.estimate, Estimate::Weight { .. }) && low < 1e-9 {
            low = 0.0;
        }
        let spread = if rng.chance(0.5) {
            Spread::Triangular { low, high }
        } else {
            Spread::Uniform { low, high }
        };
        u.ranges.push(StatedRange { estimate: e.estimate, spread });
    }
    u.ranges.sort_by_key(|r| r.estimate);
    for (party, row) in s.stances().iter().enumerate() {
        for (issue, st) in row.iter().enumerate() {
            let Some(st) = st else { continue };
            for index in 0..st.red_lines.len() {
                if rng.chance(cfg.doubt_chance) {
                    let holds =
                        if rng.chance(0.5) { rng.index(11) as f64 / 10.0 } else { rng.unit() };
                    u.doubts.push(Doubt { red_line: RedLineRef { party, issue, index }, holds });
                }
            }
        }
    }
    Scenario::from_parts(parts).expect("the generator's ranges are valid")
}

/// What [`random_plan`] generates: a large plan shaped like NegMAS's random problems.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanConfig {
    /// Number of parties (at least 2).
    pub n_parties: usize,
    /// Number of issues.
    pub n_issues: usize,
    /// Fewest options of an issue (at least 1).
    pub min_options: usize,
    /// Most options of an issue (at least `min_options`).
    pub max_options: usize,
}

impl PlanConfig {
    /// A configuration drawn from 2-6 parties, 20-40 issues and 2-6 options per issue
    /// (`min_options` and `max_options` drawn within that range).
    pub fn sample(seed: u64) -> PlanConfig {
        let mut rng = Rng::new(seed ^ 0x9fa1_a2b3_c4d5_e6f7);
        let a = 2 + rng.index(5);
        let b = 2 + rng.index(5);
        PlanConfig {
            n_parties: 2 + rng.index(5),
            n_issues: 20 + rng.index(21),
            min_options: a.min(b),
            max_options: a.max(b),
        }
    }
}

/// A large random plan: discrete issues with `min_options..=max_options` options, every
/// party with a stance on every issue, weights uniform in `(0, 1)` (normalised by the
/// scenario), values uniform in `[0, 1)`, reservations uniform in `[0.2, 0.4)` as in
/// NegMAS's random problems; no red lines, no proposals. Deterministic in the seed.
pub fn random_plan(seed: u64, cfg: &PlanConfig) -> Scenario {
    let mut rng = Rng::new(seed);
    let lo = cfg.min_options.max(1);
    let hi = cfg.max_options.max(lo);
    let issues: Vec<Issue> = (0..cfg.n_issues.max(1))
        .map(|i| {
            let n = lo + rng.index(hi - lo + 1);
            let opts: Vec<String> = (0..n).map(|k| format!("o{k}")).collect();
            let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
            Issue::discrete(&format!("i{i}"), &format!("Issue {i}"), &opts)
        })
        .collect();
    let parties: Vec<Party> = (0..cfg.n_parties.max(2))
        .map(|p| {
            let r = 0.2 + 0.2 * rng.unit();
            Party::new(&format!("p{p}"), &format!("Party {p}"), Role::Principal, 1.0, r)
        })
        .collect();
    let stances = (0..parties.len())
        .map(|_| {
            issues
                .iter()
                .map(|issue| {
                    let w = 1e-3 + rng.unit();
                    Some(Stance::values(w, (0..issue.n_options()).map(|_| rng.unit()).collect()))
                })
                .collect()
        })
        .collect();
    Scenario::new(Meta::named("plan"), parties, issues, stances, vec![], vec![])
        .expect("the generator builds valid scenarios")
}

/// A hard random plan, shaped like [`random_plan`] but with **opposed values**: on each
/// issue the parties are split at random into two sides of equal size (one more on the
/// second side when their number is odd), the first side values the options `v` and the
/// second `1 - v` (`v` uniform in `[0, 1)` per option), so whatever one side gains on an
/// issue the other loses; weights are independent, uniform in `(0, 1)`, so trades across
/// issues remain. With two parties this is NegMAS's `random_2p_opp` shape (party 1's values
/// are `1 - party 0's`). Reservations are uniform in `[reservations.0, reservations.1)`
/// (kept within `[0, 1]`): high ones leave few rational outcomes, and a Nash product over
/// many parties small. No red lines, no proposals. Deterministic in the seed.
pub fn opposed_plan(seed: u64, cfg: &PlanConfig, reservations: (f64, f64)) -> Scenario {
    let mut rng = Rng::new(seed ^ 0x0bb0_5ed0_0a1e_5eed);
    let lo = cfg.min_options.max(1);
    let hi = cfg.max_options.max(lo);
    let n_p = cfg.n_parties.max(2);
    let (r_lo, r_hi) = (reservations.0.clamp(0.0, 1.0), reservations.1.clamp(0.0, 1.0));
    let r_hi = r_hi.max(r_lo);
    let parties: Vec<Party> = (0..n_p)
        .map(|p| {
            let r = r_lo + (r_hi - r_lo) * rng.unit();
            Party::new(&format!("p{p}"), &format!("Party {p}"), Role::Principal, 1.0, r)
        })
        .collect();
    let mut issues = Vec::new();
    let mut stances: Vec<Vec<Option<Stance>>> = vec![Vec::new(); n_p];
    for i in 0..cfg.n_issues.max(1) {
        let n = lo + rng.index(hi - lo + 1);
        let opts: Vec<String> = (0..n).map(|k| format!("o{k}")).collect();
        let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
        issues.push(Issue::discrete(&format!("i{i}"), &format!("Issue {i}"), &opts));
        let v: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
        // A uniform random order of the parties (Fisher-Yates); the first half is side A.
        let mut order: Vec<usize> = (0..n_p).collect();
        for k in (1..n_p).rev() {
            order.swap(k, rng.index(k + 1));
        }
        let mut flipped = vec![false; n_p];
        for &p in &order[n_p / 2..] {
            flipped[p] = true;
        }
        for (p, row) in stances.iter_mut().enumerate() {
            let w = 1e-3 + rng.unit();
            let values = v.iter().map(|&x| if flipped[p] { 1.0 - x } else { x }).collect();
            row.push(Some(Stance::values(w, values)));
        }
    }
    Scenario::new(Meta::named("opposed"), parties, issues, stances, vec![], vec![])
        .expect("the generator builds valid scenarios")
}

/// A zero-sum random plan: two parties, discrete issues with `min_options..=max_options`
/// options, party 0 valuing the options `v` (uniform in `[0, 1)` per option) and party 1
/// `1 - v`, both with the same weight on each issue (uniform in `(0, 1)`), so that the two
/// utilities sum to 1 at every outcome (up to rounding) and every rational outcome is on the
/// Pareto frontier: the max-welfare point ties with every other. Reservations are uniform
/// in `[reservations.0, reservations.1)` (kept within `[0, 1]`). `n_parties` is ignored. No
/// red lines, no proposals. Deterministic in the seed.
pub fn zero_sum_plan(seed: u64, cfg: &PlanConfig, reservations: (f64, f64)) -> Scenario {
    let mut rng = Rng::new(seed ^ 0x2e50_5a3d_0b1a_7e11);
    let lo = cfg.min_options.max(1);
    let hi = cfg.max_options.max(lo);
    let (r_lo, r_hi) = (reservations.0.clamp(0.0, 1.0), reservations.1.clamp(0.0, 1.0));
    let r_hi = r_hi.max(r_lo);
    let parties: Vec<Party> = (0..2)
        .map(|p| {
            let r = r_lo + (r_hi - r_lo) * rng.unit();
            Party::new(&format!("p{p}"), &format!("Party {p}"), Role::Principal, 1.0, r)
        })
        .collect();
    let mut issues = Vec::new();
    let mut stances: Vec<Vec<Option<Stance>>> = vec![Vec::new(); 2];
    for i in 0..cfg.n_issues.max(1) {
        let n = lo + rng.index(hi - lo + 1);
        let opts: Vec<String> = (0..n).map(|k| format!("o{k}")).collect();
        let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
        issues.push(Issue::discrete(&format!("i{i}"), &format!("Issue {i}"), &opts));
        let v: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
        let w = 1e-3 + rng.unit();
        stances[0].push(Some(Stance::values(w, v.clone())));
        stances[1].push(Some(Stance::values(w, v.iter().map(|x| 1.0 - x).collect())));
    }
    Scenario::new(Meta::named("zero-sum"), parties, issues, stances, vec![], vec![])
        .expect("the generator builds valid scenarios")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let cfg = GenConfig::new(3, 5, 4);
        let a = random_scenario(42, &cfg);
        let b = random_scenario(42, &cfg);
        assert_eq!(a, b);
        assert_eq!(a.parties().len(), 3);
        assert_eq!(a.issues().len(), 5);
        assert!(a.issues().iter().all(|i| i.n_options() == 4));
        assert_ne!(random_scenario(43, &cfg), a);
    }

    #[test]
    fn opposed_plans_split_every_issue_into_two_opposed_sides() {
        let cfg = PlanConfig { n_parties: 5, n_issues: 12, min_options: 3, max_options: 5 };
        let s = opposed_plan(3, &cfg, (0.3, 0.6));
        assert_eq!(s, opposed_plan(3, &cfg, (0.3, 0.6)));
        assert_ne!(s, opposed_plan(4, &cfg, (0.3, 0.6)));
        assert_eq!((s.parties().len(), s.issues().len()), (5, 12));
        assert!(s.parties().iter().all(|p| (0.3..0.6).contains(&p.reservation)));
        for i in 0..12 {
            let n = s.issues()[i].n_options();
            assert!((3..=5).contains(&n));
            let vals = |p: usize| match &s.stance(p, i).unwrap().preference {
                Preference::Values(v) => v.clone(),
                other => panic!("a discrete stance, not {other:?}"),
            };
            // Two sides of 2 and 3 parties: values equal within a side, complementary across.
            let side_a: Vec<usize> = (0..5).filter(|&p| vals(p) == vals(0)).collect();
            let side_b: Vec<usize> = (0..5).filter(|&p| vals(p) != vals(0)).collect();
            assert!(side_a.len() + side_b.len() == 5 && [2, 3].contains(&side_a.len()));
            for &q in &side_b {
                assert!(vals(q).iter().zip(vals(0)).all(|(a, b)| (a + b - 1.0).abs() < 1e-12));
            }
        }
    }

    #[test]
    fn uncertainty_leaves_the_rest_of_the_scenario_as_it_was() {
        for raw in [false, true] {
            let make = if raw { random_raw_scenario } else { random_scenario };
            let cfg = GenConfig { red_line_chance: 0.5, ..GenConfig::new(3, 5, 4) };
            let plain = make(7, &cfg);
            assert_eq!(plain.uncertainty(), &detente_core::Uncertainty::default());
            let cfg = GenConfig { range_chance: 0.5, doubt_chance: 0.5, grade_chance: 1.0, ..cfg };
            let uncertain = make(7, &cfg);
            assert!(!uncertain.uncertainty().ranges.is_empty());
            assert!(uncertain.stances().iter().flatten().flatten().all(|s| s.confidence.is_some()));
            // Without its grades and uncertainty it is the plain scenario.
            let back = uncertain
                .edit(|p| {
                    p.uncertainty = Default::default();
                    p.stances.iter_mut().flatten().flatten().for_each(|s| s.confidence = None);
                })
                .unwrap();
            assert_eq!(back, plain);
        }
    }
}
