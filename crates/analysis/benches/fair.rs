//! Fair division of indivisible items (`detente divide --method mnw|maximin`): a table of
//! the time of each exact search on seeded instances of 10 parties and 50 items, median
//! and worst by family, with whether each search proved its answer:
//!
//! - `uniform`: each party's values drawn independently from 1 to 100;
//! - `correlated`: a common value per item (1 to 100) plus each party's own noise (0 to
//!   20), so parties want the same items (the harder case for the Nash search);
//! - `sparse`: as uniform, with each value 0 half the time.
//!
//! The columns: the maximum Nash welfare allocation, the maximin allocation, and the
//! fairness report of the Nash allocation (which computes each party's maximin share, one
//! search each). Run with `cargo bench -p detente-analysis --bench fair` (add `-- N` for N
//! seeds per family, default 10).

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use detente_analysis::fair::{FairOptions, Valuations, fairness, max_nash_welfare, maximin};
use detente_core::Rng;

fn instance(family: &str, n: usize, m: usize, seed: u64) -> Valuations {
    let mut rng = Rng::new(seed);
    let common: Vec<f64> = (0..m).map(|_| 1.0 + rng.below(100) as f64).collect();
    let values = (0..n)
        .map(|_| {
            (0..m)
                .map(|i| match family {
                    "correlated" => common[i] + rng.below(21) as f64,
                    "sparse" if rng.chance(0.5) => 0.0,
                    _ => 1.0 + rng.below(100) as f64,
                })
                .collect()
        })
        .collect();
    let items = (0..m).map(|i| format!("i{i}")).collect();
    let parties = (0..n).map(|p| format!("p{p}")).collect();
    Valuations::new(items, parties, values).expect("valid")
}

#[allow(clippy::disallowed_methods)] // a benchmark reads the clock
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn summary(mut times: Vec<Duration>, exact: usize, runs: usize) -> String {
    times.sort();
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    format!("{:>9} {:>9} {:>6}", ms(median), ms(worst), format!("{exact}/{runs}"))
}

fn main() {
    let seeds: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    let o = FairOptions::default();
    println!(
        "{:<12} {:>6} | {:>9} {:>9} {:>6} | {:>9} {:>9} {:>6} | {:>9} {:>9} {:>6}",
        "family",
        "n x m",
        "mnw med",
        "worst ms",
        "exact",
        "maximin",
        "worst ms",
        "exact",
        "report",
        "worst ms",
        "exact"
    );
    for (n, m) in [(10, 50), (5, 30), (3, 100)] {
        for family in ["uniform", "correlated", "sparse"] {
            let (mut t1, mut t2, mut t3) = (vec![], vec![], vec![]);
            let (mut e1, mut e2, mut e3) = (0, 0, 0);
            for seed in 0..seeds {
                let v = instance(family, n, m, seed);
                let (d, t) = timed(|| max_nash_welfare(&v, &o));
                t1.push(t);
                e1 += usize::from(d.exact());
                let (g, t) = timed(|| maximin(&v, &o));
                t2.push(t);
                e2 += usize::from(g.exact());
                let (f, t) = timed(|| fairness(&v, &d.owner, &o).expect("an allocation"));
                t3.push(t);
                let all = f.parties.iter().all(|p| p.maximin_share.termination.is_exact());
                e3 += usize::from(all);
                eprintln!(
                    "{family} {n}x{m} seed {seed}: mnw {} ms ({} nodes, exact {}), maximin {} ms (exact {}), report {} ms",
                    ms(t1[t1.len() - 1]),
                    d.nodes,
                    d.exact(),
                    ms(t2[t2.len() - 1]),
                    g.exact(),
                    ms(t3[t3.len() - 1])
                );
            }
            let runs = seeds as usize;
            println!(
                "{family:<12} {:>6} | {} | {} | {}",
                format!("{n}x{m}"),
                summary(t1, e1, runs),
                summary(t2, e2, runs),
                summary(t3, e3, runs)
            );
        }
    }
}
