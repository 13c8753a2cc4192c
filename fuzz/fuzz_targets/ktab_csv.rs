//! KTAB SMP CSV files (`detente_forecast::ktab::parse_csv`, on the text as the CLI reads
//! it), then the baselines, the scenario conversion and a few SMP rounds on small inputs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::ktab_csv(data));
