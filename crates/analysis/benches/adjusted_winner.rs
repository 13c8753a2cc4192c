//! Adjusted Winner on points tables of 10,000 items (the reader's limit), read from CSV text,
//! divided and described, as `detente divide FILE.csv` does:
//!
//! - `10k-integers`: whole points (totals near 10^6), the common case;
//! - `10k-2-decimals`: points with 2 decimals;
//! - `10k-20-decimals`: points with 20 decimals, past 128 bits in the procedure;
//! - `10k-at-the-limits`: 100 digits before the decimal point and 100 after, the largest
//!   numbers the reader accepts (the worst case of time and memory).
//!
//! Run with `cargo bench -p detente-analysis --bench adjusted_winner`.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::adjusted_winner::{adjusted_winner, describe, read_points_csv};

/// A table of `n` items whose two columns hold the same values in different orders (so the
/// totals agree), each value with `decimals` decimals (and `whole` digits before the point
/// when given, else below 200), from a seeded generator.
fn table(n: usize, whole: Option<usize>, decimals: usize, seed: u64) -> String {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let values: Vec<String> = (0..n)
        .map(|_| {
            let whole = match whole {
                Some(k) => digits(&mut next, k),
                None => (next() % 200).to_string(),
            };
            let frac = digits(&mut next, decimals);
            if decimals == 0 { whole.to_string() } else { format!("{whole}.{frac}") }
        })
        .collect();
    let mut text = "item,a,b\n".to_string();
    for i in 0..n {
        text.push_str(&format!("item {i},{},{}\n", values[i], values[(i * 7 + 3) % n]));
    }
    text
}

/// `k` random decimal digits.
fn digits(next: &mut impl FnMut() -> u64, k: usize) -> String {
    (0..k).map(|_| char::from(b'0' + (next() % 10) as u8)).collect()
}

fn divide(text: &str) -> usize {
    let t = read_points_csv("bench.csv", text).expect("a valid table");
    let [a, b] = t.points;
    let aw = adjusted_winner(t.items, a, b).expect("divided");
    describe(&aw, ["a", "b"]).len() + aw.steps.len()
}

fn bench(c: &mut Criterion) {
    // 10,000 items: 7 * i + 3 mod 10,000 is a permutation (7 and 10,000 are coprime).
    let cases = [
        ("10k-integers", None, 0),
        ("10k-2-decimals", None, 2),
        ("10k-20-decimals", None, 20),
        ("10k-at-the-limits", Some(100), 100),
    ];
    for (name, whole, decimals) in cases {
        let text = table(10_000, whole, decimals, 7);
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
