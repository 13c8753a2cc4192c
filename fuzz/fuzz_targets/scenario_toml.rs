//! Scenario files in TOML (`detente_scenario::parse`), then the cheap analyses.
#![no_main]

use detente_fuzz::exercise_scenario;
use detente_scenario::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = parse("fuzz.toml", data, Format::Toml) {
        exercise_scenario(&s);
    }
});
