//! News articles (`detente ingest`): `detente_scenario::ingest::read_article` against the
//! shipped default scenario; the TOML of the candidates must read back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::article(data));
