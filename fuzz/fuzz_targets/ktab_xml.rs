//! KTAB SMP XML files (`detente_forecast::ktab::parse_xml_with_info`), then the baselines,
//! the scenario conversion and a few SMP rounds on small inputs.
#![no_main]

use detente_fuzz::exercise_smp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((input, params, _)) = detente_forecast::ktab::parse_xml_with_info("fuzz.xml", text) {
        exercise_smp(&input, &params);
    }
});
