//! Time and work of SMP runs on generated inputs, to relate the work budget to seconds.
//!
//! `cargo run --release -p detente-forecast --example smp_work -- ACTORS DIMS [PCE] [MAX_WORK] [THREADS] [MAX_ROUNDS]`
//! (PCE: Conditional, MarkovIncentive or MarkovUniform; MAX_WORK default the crate's).
//! Runs on one thread by default. Prints rounds, why the run stopped, the work counted,
//! the wall-clock seconds of the run and the nanoseconds per unit of work; on a shared
//! machine run it under `/usr/bin/time -f "%U s"` and divide that CPU time by the work.

#![allow(clippy::disallowed_methods)] // A timing tool reads the clock; the library does not.

use std::time::Instant;

use detente_forecast::{DEFAULT_MAX_WORK, PceModel, SmpInput, SmpParams, run_smp};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let n: usize = arg(0).unwrap_or("1000").parse().expect("ACTORS");
    let k: usize = arg(1).unwrap_or("1").parse().expect("DIMS");
    let pce = PceModel::parse(arg(2).unwrap_or("Conditional")).expect("PCE model");
    let max_work = arg(3).map_or(DEFAULT_MAX_WORK, |w| w.parse::<f64>().expect("MAX_WORK") as u64);
    let threads = arg(4).unwrap_or("1").parse().expect("THREADS");
    let max_rounds = arg(5).unwrap_or("100").parse().expect("MAX_ROUNDS");
    let params = SmpParams { pce, max_work, threads, max_rounds, ..SmpParams::default() };
    let input = SmpInput::random(1, n, k);
    let start = Instant::now();
    match run_smp(&input, &params) {
        Ok(run) => {
            let s = start.elapsed().as_secs_f64();
            println!(
                "{n} actors x {k} dims {pce:?}: {} rounds, stop {:?}, work {:.3e}, {s:.2} s, {:.2} ns/unit",
                run.rounds.len() - 1,
                run.stop,
                run.work as f64,
                s * 1e9 / run.work as f64
            );
        }
        Err(e) => {
            println!("{n} actors x {k} dims {pce:?}: {e} ({:.2} s)", start.elapsed().as_secs_f64())
        }
    }
}
