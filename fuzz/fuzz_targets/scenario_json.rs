//! Scenario files in JSON (`detente_scenario::parse`, and `parse_auto` as the CLI reads a
//! file without a known extension), then the cheap analyses.
#![no_main]

use detente_fuzz::exercise_scenario;
use detente_scenario::{Format, parse, parse_auto};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = parse("fuzz.json", data, Format::Json) {
        exercise_scenario(&s);
    }
    let _ = parse_auto("fuzz", data);
});
