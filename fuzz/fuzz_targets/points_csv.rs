//! Adjusted Winner points tables (`detente divide FILE.csv`): read by
//! `detente_analysis::adjusted_winner::read_points_csv`, as `detente divide` does, then
//! `adjusted_winner` and its description; an accepted table never overflows.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::points_csv(data));
