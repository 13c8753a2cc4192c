//! Adjusted Winner points tables (`detente divide FILE.csv`): each cell read by
//! `Rational::from_decimal`, then `adjusted_winner` and its description.
//!
//! The CSV reader itself is still in the CLI (`crates/cli/src/bargain.rs`, `points_csv`),
//! which no fuzz target can link; this target splits the table the same way (a header, then
//! rows `item,<a>,<b>`, cells trimmed) until the reader moves into `detente-analysis`.
#![no_main]

use detente_analysis::adjusted_winner::{adjusted_winner, describe};
use detente_analysis::rational::Rational;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (mut items, mut a, mut b) = (vec![], vec![], vec![]);
    for line in text.lines().filter(|l| !l.trim().is_empty()).skip(1) {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let [item, x, y] = cells[..] else { return };
        let (Ok(x), Ok(y)) = (Rational::from_decimal(x), Rational::from_decimal(y)) else {
            return;
        };
        if x.signum() < 0 || y.signum() < 0 {
            return;
        }
        items.push(item.to_string());
        a.push(x);
        b.push(y);
    }
    if let Ok(aw) = adjusted_winner(items, a, b) {
        let _ = describe(&aw, ["a", "b"]);
    }
});
