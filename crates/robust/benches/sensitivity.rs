//! Sensitivity of every verdict of ukraine-2025 (each of its 4 parties on each of its 3
//! proposals): every flip of every estimate, with the numbers to state checked by the
//! evaluation. Issue 11 asks for under 50 ms.
//!
//! Run with `cargo bench -p detente-robust --bench sensitivity`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_robust::sensitivity::sensitivity;

fn every_verdict(c: &mut Criterion) {
    let s = detente_scenario::shipped::load("ukraine-2025")
        .expect("ukraine-2025 is shipped")
        .expect("ukraine-2025 is valid");
    let parties: Vec<usize> = (0..s.parties().len()).collect();
    c.bench_function("sensitivity/ukraine-2025/every-verdict", |b| {
        b.iter(|| {
            for j in 0..s.proposals().len() {
                black_box(sensitivity(black_box(&s), j, &parties).expect("in range"));
            }
        })
    });
}

criterion_group!(benches, every_verdict);
criterion_main!(benches);
