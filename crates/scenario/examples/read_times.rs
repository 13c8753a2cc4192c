//! Times the readers on large generated inputs (the ones `tests/large.rs` checks), for the
//! record of how reading time grows with the input:
//! `cargo run --release -p detente-scenario --example read_times [SCALE]`, where SCALE
//! (default 1) multiplies every size.

#![allow(clippy::disallowed_methods)] // A timing tool reads the clock; the library does not.

#[path = "../tests/support/large.rs"]
mod large;

use std::time::Instant;

use detente_scenario::import::{genius, negmas_json};
use detente_scenario::{Format, parse};

fn time(name: &str, size: &str, f: impl FnOnce() -> String) {
    let start = Instant::now();
    let what = f();
    println!("{name:<34} {size:<22} {:>9.3} s  {what}", start.elapsed().as_secs_f64());
}

fn outcome<T>(r: Result<T, detente_scenario::Error>) -> String {
    match r {
        Ok(_) => "read".to_string(),
        Err(e) => format!("{} problems", e.problems().len()),
    }
}

fn main() {
    let scale: f64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let n = |x: usize| ((x as f64 * scale) as usize).max(2);
    let (k100, k10) = (n(100_000), n(10_000));

    let text = large::options_toml(k100);
    time("TOML, options of one issue", &format!("{k100} options"), || {
        outcome(parse("big.toml", text.as_bytes(), Format::Toml))
    });
    let text = large::options_json(k100);
    time("JSON, options of one issue", &format!("{k100} options"), || {
        outcome(parse("big.json", text.as_bytes(), Format::Json))
    });
    let text = large::issues_toml(k10);
    time("TOML, issues and proposal terms", &format!("{k10} issues"), || {
        outcome(parse("wide.toml", text.as_bytes(), Format::Toml))
    });
    let text = large::toml_errors(k100);
    time("TOML, syntax errors", &format!("{k100} errors"), || {
        outcome(parse("bad.toml", text.as_bytes(), Format::Toml))
    });
    let text = large::json_problems_on_one_line(k100);
    time("JSON, problems on one line", &format!("{k100} problems"), || {
        outcome(parse("bad.json", text.as_bytes(), Format::Json))
    });
    let files = large::genius_folder(k10.min(10_000), 2);
    time("GENIUS, dummy issues", &format!("{} issues", k10.min(10_000)), || {
        outcome(genius("dummies", &files))
    });
    let files = large::genius_folder(1, k100);
    time("GENIUS, values of one issue", &format!("{k100} values"), || {
        outcome(genius("big", &files))
    });
    let text = large::negmas_same_names(k10, k100);
    time("NegMAS, same names", &format!("{k10} issues, {k100} values"), || {
        outcome(negmas_json("same.json", text.as_bytes()))
    });
}
