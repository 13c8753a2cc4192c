//! Scenario files in TOML (`detente_scenario::parse`), then the cheap analyses; and the
//! format sniffing the CLI does first (`detente_scenario::sniff`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::scenario_toml(data));
