//! Adjusted Winner points tables (`detente divide FILE.csv`): each cell read by
//! `Rational::from_decimal`, then `adjusted_winner` and its description.
//!
//! The CSV reader itself is still in the CLI (`crates/cli/src/bargain.rs`, `points_csv`),
//! which no fuzz target can link; this target splits the table the same way (a header, then
//! rows `item,<a>,<b>`, cells trimmed) until the reader moves into `detente-analysis`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| detente_fuzz::points_csv(data));
