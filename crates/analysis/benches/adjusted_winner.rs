//! Adjusted Winner on points tables of 10,000 items (the reader's limit), read from CSV text,
//! divided and described, as `detente divide FILE.csv` does:
//!
//! - `10k-integers`: whole points (totals near 10^6), the common case;
//! - `10k-2-decimals`: points with 2 decimals;
//! - `10k-20-decimals`: points with 20 decimals, past 128 bits in the procedure.
//!
//! Run with `cargo bench -p detente-analysis --bench adjusted_winner`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::adjusted_winner::{adjusted_winner, describe, read_points_csv};

/// A table of `n` items whose two columns hold the same values in different orders (so the
/// totals agree), each value with `decimals` decimals, from a seeded generator.
fn table(n: usize, decimals: usize, seed: u64) -> String {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let values: Vec<String> = (0..n)
        .map(|_| {
            let whole = next() % 200;
            let frac: String =
                (0..decimals).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            if decimals == 0 { whole.to_string() } else { format!("{whole}.{frac}") }
        })
        .collect();
    let mut text = "item,a,b\n".to_string();
    for i in 0..n {
        text.push_str(&format!("item {i},{},{}\n", values[i], values[(i * 7 + 3) % n]));
    }
    text
}

fn divide(text: &str) -> usize {
    let t = read_points_csv("bench.csv", text).expect("a valid table");
    let [a, b] = t.points;
    let aw = adjusted_winner(t.items, a, b).expect("divided");
    describe(&aw, ["a", "b"]).len() + aw.steps.len()
}

fn bench(c: &mut Criterion) {
    // 10,000 items: 7 * i + 3 mod 10,000 is a permutation (7 and 10,000 are coprime).
    for (name, decimals) in [("10k-integers", 0), ("10k-2-decimals", 2), ("10k-20-decimals", 20)] {
        let text = table(10_000, decimals, 7);
        c.bench_function(&format!("adjusted_winner/{name}"), |b| {
            b.iter(|| divide(black_box(&text)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
