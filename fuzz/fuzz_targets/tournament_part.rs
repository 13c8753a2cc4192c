//! Tournament parts (`detente tournament merge PART...`): `detente_sim::read_part`, then the
//! scores, the part written back by `part_json` (which must read back equal), and merges of
//! the part with itself.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::tournament_part(data));
