//! The Pareto frontier and the four bargaining solutions on seeded random plans shaped like
//! NegMAS's benchmark problems (`random_plan`: weights and values uniform, reservations in
//! `[0.2, 0.4)`):
//!
//! - `2p-6x10` and `3p-6x10`: 6 issues of 10 options, 10^6 outcomes, as NegMAS's
//!   `random_2p_1e6` and `random_3p_1e6` (NegMAS 0.16: 2.9 s and 3.9 s on 2 cores);
//! - `2p-8x5`: 8 issues of 5 options, 390,625 outcomes, the shape of GENIUS's Energy
//!   (NegMAS: 1.9 s);
//! - `2p-40x6`: 6^40 outcomes, far beyond enumeration;
//! - `4p-28x3to5`: 28 issues of 3 to 5 options, 4 parties: the frontier is too large to
//!   list, every solution is computed exactly without it.
//!
//! Run with `cargo bench -p detente-analysis --bench frontier`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::testkit::{PlanConfig, random_plan};
use detente_analysis::{FrontierOptions, frontier};

fn plan(n_parties: usize, n_issues: usize, min_options: usize, max_options: usize) -> PlanConfig {
    PlanConfig { n_parties, n_issues, min_options, max_options }
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("2p-6x10", plan(2, 6, 10, 10)),
        ("3p-6x10", plan(3, 6, 10, 10)),
        ("2p-8x5", plan(2, 8, 5, 5)),
        ("2p-40x6", plan(2, 40, 6, 6)),
        ("4p-28x3to5", plan(4, 28, 3, 5)),
    ];
    let options = FrontierOptions::default();
    let mut group = c.benchmark_group("frontier");
    group.sample_size(10);
    for (name, cfg) in cases {
        for seed in [1, 2] {
            let s = random_plan(seed, &cfg);
            group.bench_function(format!("{name}/seed{seed}"), |b| {
                b.iter(|| frontier(black_box(&s), &options).expect("no error"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
