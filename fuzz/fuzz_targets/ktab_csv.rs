//! KTAB SMP CSV files (`detente_forecast::ktab::parse_csv`, on the text as the CLI reads
//! it), then the baselines, the scenario conversion and a few SMP rounds on small inputs.
#![no_main]

use detente_forecast::SmpParams;
use detente_fuzz::exercise_smp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((input, _)) = detente_forecast::ktab::parse_csv("fuzz.csv", text) {
        exercise_smp(&input, &SmpParams::default());
    }
});
