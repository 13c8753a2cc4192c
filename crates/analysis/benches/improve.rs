//! Improving a draft (`improve`) for each objective (Nash, egalitarian, welfare):
//!
//! - on the shipped ukraine-2025 (24 points, 4 parties): the E3 mark-up improved for the
//!   three parties that accept it (Ukraine, the United States, Europe), within 3 changes and
//!   within every point (24);
//! - on seeded random plans of 28 points x 5 options x 4 parties and 40 points x 5 options x
//!   6 parties (every party counted, a few red lines, a tenth of the points open, a random
//!   draft), within 3 and 5 changes and every point, at the default work budget.
//!
//! Each case prints its answer (packages found, the best objective, nodes, exact or not)
//! before it is timed. Run with `cargo bench -p detente-analysis --bench improve`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::{Gains, ImproveOptions, improve};
use detente_core::{Role, Scenario};
use detente_testkit::{GenConfig, random_scenario};

fn plan(seed: u64, n_parties: usize, n_issues: usize) -> Scenario {
    let cfg = GenConfig {
        scale_chance: 0.2,
        n_proposals: 1,
        open_chance: 0.1,
        red_line_chance: 0.05,
        ..GenConfig::new(n_parties, n_issues, 5)
    };
    let mut parts = random_scenario(seed, &cfg).into_parts();
    for party in &mut parts.parties {
        party.role = Role::Principal;
    }
    Scenario::from_parts(parts).expect("roles keep the plan valid")
}

fn ukraine() -> Scenario {
    detente_scenario::shipped::load("ukraine-2025").expect("shipped").expect("valid")
}

/// One scenario benched: the draft improved, the counted parties (`None`: the principals)
/// and the change budgets tried.
struct Case {
    name: &'static str,
    s: Scenario,
    from: usize,
    parties: Option<Vec<usize>>,
    ks: Vec<usize>,
}

fn bench(c: &mut Criterion) {
    let u = ukraine();
    let e3 = u.proposal_index("e3-markup").expect("the E3 mark-up");
    let three: Vec<usize> =
        ["ukraine", "us", "europe"].iter().map(|id| u.party_index(id).expect("a party")).collect();
    let cases = [
        Case {
            name: "ukraine-2025/e3-markup",
            s: u.clone(),
            from: e3,
            parties: Some(three),
            ks: vec![3, 24],
        },
        Case {
            name: "plan-4x28x5",
            s: plan(21, 4, 28),
            from: 0,
            parties: None,
            ks: vec![3, 5, 28],
        },
        Case {
            name: "plan-6x40x5",
            s: plan(22, 6, 40),
            from: 0,
            parties: None,
            ks: vec![3, 5, 40],
        },
    ];
    let mut group = c.benchmark_group("improve");
    group.sample_size(10);
    for Case { name, s, from, parties, ks } in &cases {
        for objective in [Gains::Nash, Gains::Egalitarian, Gains::Welfare] {
            for &k in ks {
                let options = ImproveOptions {
                    objective,
                    max_changes: Some(k),
                    top: 3,
                    parties: parties.clone(),
                    ..ImproveOptions::default()
                };
                let m = improve(s, *from, &options).expect("valid input");
                eprintln!(
                    "{name} {} K={k}: {} packages, best {:?}, {} nodes, {} steps, exact {}",
                    objective.as_str(),
                    m.packages.len(),
                    m.packages.first().map(|p| p.objective),
                    m.nodes,
                    m.work,
                    m.exact
                );
                group.bench_function(format!("{name}/{}/K{k}", objective.as_str()), |b| {
                    b.iter(|| improve(black_box(s), *from, &options).map(|m| m.nodes))
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
