//! Deadlock search on seeded random scenarios of 30 issues x 6 options x 6 parties:
//! `feasible` (reservations a little below a random outcome that keeps every red line),
//! `feasible-tight` (red lines, reservations 1e-4 below the best common level),
//! `red-lines` (two red lines that leave one issue no option), `reservations-1e-3` and
//! `reservations-1e-5` (no red lines, every reservation that far above the best common
//! level, so only the reservations collide) and `mixed-1e-3` (the same with red lines).
//!
//! Run with `cargo bench -p detente-analysis --bench deadlock`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::testkit::max_min_utility;
use detente_analysis::{DeadlockOptions, deadlock};
use detente_core::Rng;
use detente_core::{Outcome, RedLine, RedLineKind, Scenario, ScenarioParts};
use detente_testkit::{GenConfig, random_scenario};

const PARTIES: usize = 6;
const ISSUES: usize = 30;
const OPTIONS: usize = 6;

fn config(red_line_chance: f64) -> GenConfig {
    GenConfig {
        red_line_chance,
        scale_chance: 0.2,
        n_proposals: 0,
        ..GenConfig::new(PARTIES, ISSUES, OPTIONS)
    }
}

/// Rebuilds a scenario from edited parts, re-checking its invariants.
fn rebuilt(parts: ScenarioParts) -> Scenario {
    Scenario::from_parts(parts).expect("the edits keep the scenario valid")
}

/// (a) Red lines that leave a joint option on every issue, reservations a little below the
/// utilities of one random outcome that keeps them all.
fn feasible(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let mut attempt = seed;
    loop {
        let s = random_scenario(attempt, &config(0.15));
        let joint: Option<Vec<usize>> = (0..ISSUES)
            .map(|i| {
                let ok: Vec<usize> = (0..s.issues()[i].n_options())
                    .filter(|&k| (0..PARTIES).all(|p| s.allowed(p, i, k)))
                    .collect();
                (!ok.is_empty()).then(|| ok[rng.index(ok.len())])
            })
            .collect();
        if let Some(joint) = joint {
            let x0 = Outcome::new(&s, joint).expect("one allowed option per issue");
            let utilities: Vec<f64> = (0..PARTIES).map(|p| s.utility(p, &x0)).collect();
            let mut parts = s.into_parts();
            for (party, u) in parts.parties.iter_mut().zip(utilities) {
                party.reservation = (u - 0.01).max(0.0);
            }
            return rebuilt(parts);
        }
        attempt = attempt.wrapping_add(1_000_003);
    }
}

/// (b) The feasible scenario with two red lines that leave one issue no option.
fn red_lines(seed: u64) -> Scenario {
    let mut s = feasible(seed).into_parts();
    let issue = (0..ISSUES).find(|&i| !s.issues[i].is_scale()).unwrap_or(0);
    let push = |s: &mut ScenarioParts, p: usize, kind: RedLineKind| {
        if let Some(stance) = &mut s.stances[p][issue] {
            stance.red_lines.push(RedLine { kind, reason: Some("benchmark".into()) });
        }
    };
    for p in [1, 4] {
        if s.stances[p][issue].is_none() {
            s.stances[p][issue] =
                Some(detente_core::Stance::values(1.0, vec![0.5; s.issues[issue].n_options()]));
        }
    }
    push(&mut s, 1, RedLineKind::Require(vec![0, 1]));
    push(&mut s, 4, RedLineKind::Forbid(vec![0, 1]));
    rebuilt(s)
}

/// (c) Every reservation `margin` above the best common level (below it when negative),
/// with red lines at the given chance (the scenario is drawn again until the red lines
/// leave every issue an option).
fn reservations(seed: u64, red_line_chance: f64, margin: f64) -> Scenario {
    let mut attempt = seed;
    let s = loop {
        let s = random_scenario(attempt, &config(red_line_chance));
        if (0..ISSUES).all(|i| {
            (0..s.issues()[i].n_options()).any(|k| (0..PARTIES).all(|p| s.allowed(p, i, k)))
        }) {
            break s;
        }
        attempt = attempt.wrapping_add(1_000_003);
    };
    let level = max_min_utility(&s, 1e-7);
    let mut parts = s.into_parts();
    for p in &mut parts.parties {
        p.reservation = (level + margin).clamp(0.0, 1.0);
    }
    rebuilt(parts)
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("feasible", feasible(1)),
        ("feasible-tight", reservations(5, 0.15, -1e-4)),
        ("red-lines", red_lines(2)),
        ("reservations-1e-3", reservations(3, 0.0, 1e-3)),
        ("reservations-1e-5", reservations(4, 0.0, 1e-5)),
        ("mixed-1e-3", reservations(6, 0.15, 1e-3)),
    ];
    let mut group = c.benchmark_group("deadlock-30x6x6");
    group.sample_size(10);
    for (name, s) in &cases {
        let d = deadlock(s, &DeadlockOptions::default()).expect("no budget");
        assert_eq!(d.feasible, name.starts_with("feasible"), "{name}");
        eprintln!(
            "{name}: feasible {}, conflict of {}, {} nodes",
            d.feasible,
            d.conflict.len(),
            d.nodes
        );
        group.bench_function(*name, |b| {
            b.iter(|| deadlock(black_box(s), &DeadlockOptions::default()).map(|d| d.nodes))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
