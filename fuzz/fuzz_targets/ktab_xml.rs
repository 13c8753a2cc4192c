//! KTAB SMP XML files (`detente_forecast::ktab::parse_xml_with_info`), then the baselines,
//! the scenario conversion and a few SMP rounds on small inputs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::ktab_xml(data));
