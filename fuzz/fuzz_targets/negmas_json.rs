//! NegMAS plain JSON domains (`detente_scenario::import::negmas_json`), then the cheap
//! analyses.
#![no_main]

use detente_fuzz::exercise_scenario;
use detente_scenario::import::negmas_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = negmas_json("fuzz.json", data) {
        exercise_scenario(&s);
    }
});
