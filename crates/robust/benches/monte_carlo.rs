//! The Monte Carlo study of ukraine-2025 (every proposal evaluated and the deadlock searched
//! in each draw): 1,000 draws on one thread, and the parts of one draw (setting the
//! estimates, evaluating and measuring the gap of every proposal, the deadlock search) to
//! show where the time goes. The whole-process figures (10^5 and 10^6 draws on every core)
//! are measured by `bench/robust/run`.
//!
//! Run with `cargo bench -p detente-robust --bench monte_carlo`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::{DeadlockOptions, counted_parties, deadlock, evaluate, gap};
use detente_core::{Estimate, Rng, Scenario};
use detente_robust::monte_carlo::{DEFAULT_DRAW_NODES, Options, run};

fn ukraine() -> Scenario {
    detente_scenario::shipped::load("ukraine-2025")
        .expect("a shipped scenario")
        .expect("the shipped scenario loads")
}

fn bench(c: &mut Criterion) {
    let s = ukraine();
    let mut g = c.benchmark_group("ukraine-2025");
    g.sample_size(10);
    g.bench_function("1000 draws, 1 thread", |b| {
        let o = Options { threads: 1, ..Options::new(&s, 1000, 0) };
        b.iter(|| black_box(run(&s, &o, &|_, _| {}).unwrap()))
    });
    // One draw's parts.
    let varying: Vec<_> = s.estimates().into_iter().filter(|e| !e.spread.is_point()).collect();
    let mut rng = Rng::new(1);
    let changes: Vec<(Estimate, f64)> =
        varying.iter().map(|e| (e.estimate, e.spread.quantile(e.point, rng.unit()))).collect();
    let mut drawn = s.clone();
    g.bench_function("set_estimates", |b| {
        b.iter(|| drawn.set_estimates(black_box(&changes)).unwrap())
    });
    g.bench_function("evaluate and gap, every proposal", |b| {
        b.iter(|| {
            for j in 0..drawn.proposals().len() {
                black_box(evaluate(&drawn, j).unwrap());
                black_box(gap(&drawn, j).unwrap());
            }
        })
    });
    let options =
        DeadlockOptions { parties: Some(counted_parties(&s)), max_nodes: Some(DEFAULT_DRAW_NODES) };
    g.bench_function("deadlock", |b| b.iter(|| black_box(deadlock(&drawn, &options).unwrap())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
