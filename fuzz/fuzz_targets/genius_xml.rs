//! GENIUS domain folders (`detente_scenario::import::genius`): the input is the folder's
//! files separated by lines `=====` (see `detente_fuzz::genius_files`), then the cheap
//! analyses.
#![no_main]

use detente_fuzz::{exercise_scenario, genius_files};
use detente_scenario::import::genius;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = genius("fuzz", &genius_files(data)) {
        exercise_scenario(&s);
    }
});
