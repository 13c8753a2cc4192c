//! `run_smp` on every KTAB scenario of `../shared/peers/ktab/scenarios` (skipped when the
//! folder is missing) and on generated problems of 160 actors x 1 dimension and 40 actors
//! x 6 dimensions, each with the default thread count (`auto`) and serially (`serial`).
//!
//! Run with `cargo bench -p detente-forecast --bench smp`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_forecast::{SmpInput, SmpParams, ktab, run_smp};

/// Every KTAB scenario, by file stem, with its parameters.
fn ktab_scenarios() -> Vec<(String, SmpInput, SmpParams)> {
    let Some(shared) = detente_testkit::require_shared("the KTAB scenario benchmarks") else {
        return Vec::new();
    };
    let dir = shared.join("peers/ktab/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "xml")))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("readable scenario");
            let file = p.display().to_string();
            let (input, params) = if p.extension().is_some_and(|e| e == "csv") {
                (ktab::parse_csv(&file, &text).expect("valid CSV").0, SmpParams::default())
            } else {
                ktab::parse_xml(&file, &text).expect("valid XML")
            };
            (name, input, params)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut cases = ktab_scenarios();
    cases.push(("gen-160x1".into(), SmpInput::random(1, 160, 1), SmpParams::default()));
    cases.push(("gen-40x6".into(), SmpInput::random(1, 40, 6), SmpParams::default()));
    let mut group = c.benchmark_group("smp");
    group.sample_size(10);
    for (name, input, params) in &cases {
        let states = run_smp(input, params).expect("runs").rounds.len();
        eprintln!("{name}: {} actors x {} dims, {states} states", input.n_actors(), input.n_dims());
        for (mode, threads) in [("auto", 0), ("serial", 1)] {
            let params = SmpParams { threads, ..params.clone() };
            group.bench_function(format!("{name}/{mode}"), |b| {
                b.iter(|| run_smp(black_box(input), &params).expect("runs"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
