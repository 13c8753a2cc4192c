//! Scenario files in JSON (`detente_scenario::parse`, and `parse_auto` as the CLI reads a
//! file without a known extension), then the cheap analyses; and the format sniffing the
//! CLI does first (`detente_scenario::sniff`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::scenario_json(data));
