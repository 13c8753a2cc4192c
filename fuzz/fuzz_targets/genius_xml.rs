//! GENIUS domain folders (`detente_scenario::import::genius`): the input is the folder's
//! files separated by lines `=====` (see `detente_fuzz::genius_files`), then the cheap
//! analyses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::genius_xml(data));
