//! Tournament parts (`detente tournament merge PART...`): `detente_sim::read_part`, then the
//! scores, the part written back by `part_json` (which must read back equal), and merges of
//! the part with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(part) = detente_sim::read_part(text) else { return };
    let _ = detente_sim::scores(&part);
    let json = detente_sim::part_json(&part).to_string();
    match detente_sim::read_part(&json) {
        Ok(again) => assert_eq!(again, part, "part_json does not read back equal:\n{json}"),
        Err(e) => panic!("part_json output is rejected: {e}\n{json}"),
    }
    let _ = detente_sim::merge(std::slice::from_ref(&part));
    let _ = detente_sim::merge(&[part.clone(), part]);
});
