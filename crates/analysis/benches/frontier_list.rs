//! Listing large frontiers: one `frontier()` call on one instance, with the time, the
//! points listed, the bytes the listing takes and the process's peak memory. Run one
//! instance per process (`bench/frontier/run --listing` does, and prints the table), so
//! that the peak memory is this instance's:
//!
//! ```text
//! FRONTIER_LIST=plan:4:20:3:5:1 cargo bench -p detente-analysis --bench frontier_list
//! FRONTIER_LIST=file:domain.json cargo bench -p detente-analysis --bench frontier_list
//! ```
//!
//! `plan:P:I:A:B:SEED` is `random_plan` (P parties, I issues of A to B options, reservations
//! in `[0.2, 0.4)`); `file:PATH` a NegMAS plain JSON domain. `FRONTIER_WORK=N` sets the
//! frontier programme's work budget (default: the library's). One line is printed:
//! `row <case> <size> <listed> <wall s> <cpu s> <listing bytes> <peak RSS kB> <exact>`,
//! `<size>` being `N` (exact), `>=N` or `N..M` (between).

// A benchmark's main is undocumented.
#![allow(missing_docs)]

use std::time::Instant;

use detente_analysis::{FrontierOptions, FrontierSize, frontier};
use detente_testkit::{PlanConfig, random_plan};

/// This thread's CPU time in seconds (Linux: `/proc/thread-self/schedstat`), NaN elsewhere.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse::<f64>().ok()))
        .map_or(f64::NAN, |ns| ns * 1e-9)
}

/// The process's peak resident memory in kB (Linux: `VmHWM` of `/proc/self/status`).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|x| x.parse().ok()))
        })
        .unwrap_or(0)
}

#[allow(clippy::disallowed_methods)] // a benchmark reads the clock
fn main() {
    let Ok(case) = std::env::var("FRONTIER_LIST") else {
        println!("set FRONTIER_LIST=plan:P:I:A:B:SEED or file:PATH (see the source)");
        return;
    };
    let s = if let Some(path) = case.strip_prefix("file:") {
        let bytes = std::fs::read(path).expect("the domain file");
        detente_scenario::import::negmas_json(path, &bytes).expect("a NegMAS domain")
    } else {
        let f: Vec<usize> = case
            .strip_prefix("plan:")
            .expect("plan:P:I:A:B:SEED or file:PATH")
            .split(':')
            .map(|x| x.parse().expect("a whole number"))
            .collect();
        let cfg =
            PlanConfig { n_parties: f[0], n_issues: f[1], min_options: f[2], max_options: f[3] };
        random_plan(f[4] as u64, &cfg)
    };
    let mut options = FrontierOptions::default();
    if let Ok(w) = std::env::var("FRONTIER_WORK") {
        options.max_work = w.parse().expect("a work budget");
    }
    let (t, c) = (Instant::now(), cpu_seconds());
    let f = frontier(&s, &options).expect("no error");
    let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    let size = match (f.size, f.size_at_most) {
        (FrontierSize::Exact(n), _) => n.to_string(),
        (FrontierSize::AtLeast(n), Some(hi)) => format!("{n}..{hi}"),
        (FrontierSize::AtLeast(n), None) => format!(">={n}"),
    };
    println!(
        "row {case} {size} {} {wall:.3} {cpu:.3} {} {} {}",
        f.points.len(),
        f.points.heap_bytes(),
        peak_rss_kb(),
        f.exact()
    );
}
