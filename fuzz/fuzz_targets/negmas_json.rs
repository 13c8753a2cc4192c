//! NegMAS plain JSON domains (`detente_scenario::import::negmas_json`), then the cheap
//! analyses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::negmas_json(data));
