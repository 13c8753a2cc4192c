//! The mediator's search on seeded random plans of 28 points x 5 options x 4 parties
//! (every party a principal, a few red lines, a tenth of the points open, a random
//! proposal), for each objective and K = 1..5 changes. Each principal's reservation is its
//! utility of the proposal plus a margin: `near` (+0.02: a few changes bring everyone in),
//! `mid` (+0.05) and `far` (+0.10: no revision within 5 changes works, and the search must
//! prove it). Each case prints its answer (feasible, fewest changes, objective, nodes)
//! before it is timed.
//!
//! Run with `cargo bench -p detente-analysis --bench mediate`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::{MediateOptions, Objective, evaluate, mediate};
use detente_core::{Role, Scenario};
use detente_testkit::{GenConfig, random_scenario};

fn plan(seed: u64, margin: f64) -> Scenario {
    let cfg = GenConfig {
        scale_chance: 0.2,
        n_proposals: 1,
        open_chance: 0.1,
        red_line_chance: 0.05,
        ..GenConfig::new(4, 28, 5)
    };
    let s = random_scenario(seed, &cfg);
    let e = evaluate(&s, 0).expect("the plan has a proposal");
    let mut parts = s.into_parts();
    for (p, party) in parts.parties.iter_mut().enumerate() {
        party.role = Role::Principal;
        party.reservation = (e.parties[p].utility_min + margin).clamp(0.0, 1.0);
    }
    Scenario::from_parts(parts).expect("reservations in [0, 1] keep the plan valid")
}

fn bench(c: &mut Criterion) {
    let cases = [("near", plan(11, 0.02)), ("mid", plan(12, 0.05)), ("far", plan(13, 0.10))];
    let mut group = c.benchmark_group("mediate-28x5x4");
    group.sample_size(10);
    for (name, s) in &cases {
        for objective in [Objective::FewestChanges, Objective::MaxMinSurplus, Objective::Nash] {
            for k in 1..=5 {
                let options = MediateOptions {
                    objective,
                    max_changes: Some(k),
                    top: 1,
                    budget: None,
                    parties: None,
                    power: None,
                };
                let m = mediate(s, 0, &options).expect("valid input");
                assert!(m.exact);
                eprintln!(
                    "{name} {} K={k}: feasible {}, fewest {:?}, objective {:?}, {} nodes",
                    objective.as_str(),
                    m.feasible,
                    m.fewest,
                    m.revisions.first().map(|r| r.objective),
                    m.nodes
                );
                group.bench_function(format!("{name}/{}/K{k}", objective.as_str()), |b| {
                    b.iter(|| mediate(black_box(s), 0, &options).map(|m| m.nodes))
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
