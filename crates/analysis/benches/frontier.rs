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
//!
//! With `FRONTIER_SWEEP=1` set, the criterion cases are skipped and a table is printed
//! instead: for seeds 1-20 of the 28-issue plans with 3-5 options and 4 parties (and,
//! with `FRONTIER_SWEEP_PARTIES=4,5,6`, other party counts), the time of one `frontier()`
//! call, the frontier size and which solutions are exact (N = Nash, E = egalitarian,
//! K = Kalai-Smorodinsky, W = max welfare; `-` marks an inexact one):
//!
//! ```text
//! FRONTIER_SWEEP=1 cargo bench -p detente-analysis --bench frontier
//! ```
//!
//! With `FRONTIER_HARD=<cases>` set (what `bench/frontier/run` sets; it prints the table),
//! one `frontier()` call is timed per case and seed and one line printed for each:
//! `row <family> <parties> <issues> <seed> <wall s> <cpu s> <NEKW flags> <nash points>`.
//! `<cases>` is a comma-separated list of `family:parties:issues`, the family `easy`
//! (`random_plan`: independent random values, 3-5 options), `opposed` (`opposed_plan`:
//! opposed values, 3-5 options, reservations in `[0.3, 0.6)`) or `zerosum` (`zero_sum_plan`:
//! two parties whose utilities sum to 1, 3-5 options, reservations in `[0, 0.3)`; the
//! parties given are ignored); `FRONTIER_SEEDS=a-b` (default
//! `1-5`) chooses the seeds. With `FRONTIER_PER_SOLUTION=1`, each row is followed by
//! `per-solution <family> <parties> <issues> <seed> <welfare s> <egalitarian s> <Nash s>`:
//! the CPU time of each of those searches alone (the Nash search without its seeds).
//! With `FRONTIER_SAMPLE=<n>`, each call also draws a uniform sample of `n` frontier points
//! (seed 0, as `frontier --sample n`), timed with the rest, and each row is followed by
//! `sample <family> <parties> <issues> <seed> <drawn> <n> <how>` (`how`: `counted`, or the
//! sampler's note).
//! `FRONTIER_PROBE=<cases>` times the Nash search alone (nodes, work, the product found),
//! for work on that search.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use detente_analysis::{FrontierOptions, FrontierSize, frontier};
use detente_testkit::{PlanConfig, opposed_plan, random_plan, zero_sum_plan};

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

/// The seed sweep: one line per seed, and a summary per party count.
#[allow(clippy::disallowed_methods)] // a benchmark reads the clock
fn sweep() {
    let parties: Vec<usize> = std::env::var("FRONTIER_SWEEP_PARTIES")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![4]);
    let seeds: u64 =
        std::env::var("FRONTIER_SWEEP_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let mut options = FrontierOptions::default();
    if let Some(w) = env("FRONTIER_MAX_WORK") {
        options.max_work = w;
    }
    for n_p in parties {
        println!("{n_p} parties, 28 issues, 3-5 options");
        println!("{:>4} {:>9} {:>16} {:>6}", "seed", "time (s)", "frontier size", "exact");
        let (mut worst, mut all_exact) = (0.0f64, true);
        let first = env("FRONTIER_SWEEP_FIRST").unwrap_or(1);
        for seed in first..=seeds {
            let s = random_plan(seed, &plan(n_p, 28, 3, 5));
            let t = Instant::now();
            let f = frontier(&s, &options).expect("no error");
            let secs = t.elapsed().as_secs_f64();
            worst = worst.max(secs);
            let flags: String = [
                (&f.nash, 'N'),
                (&f.egalitarian, 'E'),
                (&f.kalai_smorodinsky, 'K'),
                (&f.max_welfare, 'W'),
            ]
            .iter()
            .map(|(sol, c)| if sol.exact { *c } else { '-' })
            .collect();
            all_exact &= !flags.contains('-');
            let size = match f.size {
                FrontierSize::Exact(n) => format!("{n}"),
                FrontierSize::AtLeast(n) => format!(">= {n}"),
            };
            println!("{seed:>4} {secs:>9.3} {size:>16} {flags:>6}");
            for sol in [&f.nash, &f.egalitarian, &f.kalai_smorodinsky, &f.max_welfare] {
                if let Some(note) = &sol.note {
                    println!("       note: {note}");
                }
            }
        }
        println!("worst {worst:.3} s, all exact: {all_exact}\n");
    }
}

/// This thread's CPU time in seconds (Linux: `/proc/thread-self/schedstat`), NaN elsewhere.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse::<f64>().ok()))
        .map_or(f64::NAN, |ns| ns * 1e-9)
}

/// The CPU seconds of `f`, repeated until at least 50 ms were spent (or 50 times): the
/// thread's CPU clock ticks in milliseconds.
fn cpu_of(f: &dyn Fn()) -> f64 {
    let c = cpu_seconds();
    let mut n = 0;
    while n < 50 {
        f();
        n += 1;
        if cpu_seconds() - c >= 0.05 {
            break;
        }
    }
    (cpu_seconds() - c) / n as f64
}

/// The hard-instance table's rows (see the module documentation).
#[allow(clippy::disallowed_methods)] // a benchmark reads the clock
fn hard(cases: &str) {
    let seeds = std::env::var("FRONTIER_SEEDS").unwrap_or_else(|_| "1-5".into());
    let (first, last) = match seeds.split_once('-') {
        Some((a, b)) => (a.trim().parse().unwrap_or(1), b.trim().parse().unwrap_or(5)),
        None => {
            let n = seeds.trim().parse().unwrap_or(1);
            (n, n)
        }
    };
    let sample: Option<usize> = std::env::var("FRONTIER_SAMPLE")
        .ok()
        .map(|v| v.trim().parse().expect("FRONTIER_SAMPLE: the number of points to draw"));
    let options = FrontierOptions { sample: sample.map(|n| (n, 0)), ..FrontierOptions::default() };
    for case in cases.split(',').filter(|c| !c.trim().is_empty()) {
        let parts: Vec<&str> = case.trim().split(':').collect();
        let [family, n_p, n_i] = parts[..] else {
            panic!("FRONTIER_HARD: a case is family:parties:issues, not {case:?}")
        };
        let (n_p, n_i): (usize, usize) =
            (n_p.parse().expect("parties"), n_i.parse().expect("issues"));
        for seed in first..=last {
            let cfg = plan(n_p, n_i, 3, 5);
            let s = match family {
                "easy" => random_plan(seed, &cfg),
                "opposed" => opposed_plan(seed, &cfg, (0.3, 0.6)),
                "zerosum" => zero_sum_plan(seed, &cfg, (0.0, 0.3)),
                other => {
                    panic!("FRONTIER_HARD: unknown family {other:?} (easy, opposed, zerosum)")
                }
            };
            let (t, c) = (Instant::now(), cpu_seconds());
            let f = frontier(&s, &options).expect("no error");
            let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
            let flags: String = [
                (&f.nash, 'N'),
                (&f.egalitarian, 'E'),
                (&f.kalai_smorodinsky, 'K'),
                (&f.max_welfare, 'W'),
            ]
            .iter()
            .map(|(sol, c)| if sol.exact { *c } else { '-' })
            .collect();
            println!(
                "row {family} {n_p} {n_i} {seed} {wall:.6} {cpu:.6} {flags} {} ties {} {} {} {}",
                f.nash.points.len(),
                f.nash.points.len(),
                f.egalitarian.points.len(),
                f.kalai_smorodinsky.points.len(),
                f.max_welfare.points.len(),
            );
            if let Some(n) = sample {
                let drawn = f.sample.as_ref().map_or(0, |x| x.len());
                let how = match (&f.sample, &f.sample_note) {
                    (Some(_), None) => "counted".to_string(),
                    (_, Some(note)) => note.clone(),
                    (None, None) => "none".to_string(),
                };
                println!("sample {family} {n_p} {n_i} {seed} {drawn} {n} {how}");
            }
            if std::env::var_os("FRONTIER_PER_SOLUTION").is_some() {
                let search = detente_analysis::testkit::solution_search;
                let w = cpu_of(&|| drop(search(&s, &options, "welfare")));
                let e = cpu_of(&|| drop(search(&s, &options, "egalitarian")));
                let n = cpu_of(&|| drop(detente_analysis::testkit::nash_search(&s, &options)));
                // The Nash search alone: its seeds (the welfare and egalitarian points) are
                // found again inside `nash_search`.
                println!(
                    "per-solution {family} {n_p} {n_i} {seed} {w:.6} {e:.6} {:.6}",
                    (n - w - e).max(0.0)
                );
            }
            if std::env::var_os("FRONTIER_NOTES").is_some() {
                for sol in [&f.nash, &f.egalitarian, &f.kalai_smorodinsky, &f.max_welfare] {
                    if let Some(note) = &sol.note {
                        println!("  note: {note}");
                    }
                }
            }
        }
    }
}

/// The Nash search alone on each case and seed (`FRONTIER_PROBE=<cases>`, as `FRONTIER_HARD`):
/// time, nodes, work, whether exact, the product found and the note.
#[allow(clippy::disallowed_methods)] // a benchmark reads the clock
fn probe(cases: &str) {
    let seeds = std::env::var("FRONTIER_SEEDS").unwrap_or_else(|_| "1-5".into());
    let (first, last) = seeds
        .split_once('-')
        .map_or((1, 5), |(a, b)| (a.trim().parse().unwrap_or(1), b.trim().parse().unwrap_or(5)));
    let options = FrontierOptions::default();
    for case in cases.split(',').filter(|c| !c.trim().is_empty()) {
        let parts: Vec<&str> = case.trim().split(':').collect();
        let [family, n_p, n_i] = parts[..] else { panic!("a case is family:parties:issues") };
        let (n_p, n_i): (usize, usize) = (n_p.parse().unwrap(), n_i.parse().unwrap());
        for seed in first..=last {
            let cfg = plan(n_p, n_i, 3, 5);
            let s = match family {
                "easy" => random_plan(seed, &cfg),
                "zerosum" => zero_sum_plan(seed, &cfg, (0.0, 0.3)),
                _ => opposed_plan(seed, &cfg, (0.3, 0.6)),
            };
            let t = Instant::now();
            let (sol, product, nodes, work) =
                detente_analysis::testkit::nash_search(&s, &options).expect("no error");
            let wall = t.elapsed().as_secs_f64();
            println!(
                "{family} {n_p}x{n_i} seed {seed}: {wall:.3} s, {nodes} nodes, {work} work, exact {}, product {product:.6e} {}",
                sol.exact,
                sol.note.unwrap_or_default()
            );
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(cases) = std::env::var("FRONTIER_PROBE") {
        probe(&cases);
        return;
    }
    if let Ok(cases) = std::env::var("FRONTIER_HARD") {
        hard(&cases);
        return;
    }
    if std::env::var_os("FRONTIER_SWEEP").is_some() {
        sweep();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
