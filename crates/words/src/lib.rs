//! The one home of detente's prose rules: how a number, a range, a count and a list are
//! written in every sentence and table a person reads.
//!
//! The rules (docs/cli.md, "How numbers are written"):
//! - A utility, share, gap or probability is written with [`DECIMALS`] decimals; `-0.00` is
//!   written `0.00`.
//! - Two numbers that differ but would print alike where they are compared (a utility and
//!   the reservation it falls short of) are printed with as many more decimals as tell them
//!   apart ([`distinct`]), so no sentence says "0.45 against a reservation of 0.45".
//! - A range is written `lo to hi` ([`range`]), and as one number when both ends print
//!   alike; signed changes as `+0.08` and `-0.12 to +0.08` ([`signed`], [`signed_range`]).
//! - A count agrees with its noun: `1 party`, `2 parties` ([`count`]).
//! - Lists read `a`, `a and b`, `a, b and c` ([`and_list`], [`or_list`]).
//!
//! Machines get numbers in JSON rounded to 12 decimals, never these strings.

/// Decimals of a number written for people.
pub const DECIMALS: usize = 2;

/// Most decimals [`distinct`] will add to tell two numbers apart.
pub const MAX_DECIMALS: usize = 6;

/// Writes `x` with `decimals` decimals, never as `-0.00`.
pub fn num_with(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// Writes `x` with [`DECIMALS`] decimals: `0.93`.
pub fn num(x: f64) -> String {
    num_with(x, DECIMALS)
}

/// Writes a change with its sign: `+0.08`, `-0.12`, and `0.00` for none at this precision.
pub fn signed(x: f64) -> String {
    let s = num(x);
    if s.starts_with('-') || s.bytes().all(|b| b == b'0' || b == b'.') {
        s
    } else {
        format!("+{s}")
    }
}

/// Writes the range `[lo, hi]` as `lo to hi`, or as one number when both ends print alike.
pub fn range(lo: f64, hi: f64) -> String {
    let (a, b) = (num(lo), num(hi));
    if a == b { a } else { format!("{a} to {b}") }
}

/// Writes a range of changes: `-0.12 to +0.08`, or one signed number when both ends print
/// alike.
pub fn signed_range(lo: f64, hi: f64) -> String {
    let (a, b) = (signed(lo), signed(hi));
    if a == b { a } else { format!("{a} to {b}") }
}

/// Writes two numbers that are compared in one sentence: with [`DECIMALS`] decimals, or
/// with more (up to [`MAX_DECIMALS`]) when they differ but would print alike.
pub fn distinct(a: f64, b: f64) -> (String, String) {
    let mut decimals = DECIMALS;
    loop {
        let (x, y) = (num_with(a, decimals), num_with(b, decimals));
        if x != y || a == b || decimals >= MAX_DECIMALS {
            return (x, y);
        }
        decimals += 1;
    }
}

/// The decimals a column of numbers is written with, so that its numbers can be compared
/// row by row: [`DECIMALS`], or as many more (up to [`MAX_DECIMALS`]) as tell apart any two
/// different numbers in it ([`distinct`] for every pair). Not-a-number is left out.
pub fn column_decimals(xs: &[f64]) -> usize {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    // Writing is monotone, so neighbours in order are the pairs that may print alike.
    (DECIMALS..MAX_DECIMALS)
        .find(|&d| v.windows(2).all(|w| num_with(w[0], d) != num_with(w[1], d)))
        .unwrap_or(MAX_DECIMALS)
}

/// The noun for `n` things: `one` for 1, `many` otherwise.
pub fn noun<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// A count with its noun: `1 party`, `0 parties`, `3 parties`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", noun(n, one, many))
}

/// A count that was counted, not listed: the one wording of how many, for a frontier's
/// points and a solution's ties alike. Such a count is a range: its lower end counts what is
/// known (the points listed or proved), its upper end everything the search could not rule
/// out (`None`: no upper end is known, or it passes 128 bits); it is exact when both ends
/// meet. Written `3` (exact), `between 1 and 2999999`, or `at least 1`.
pub fn count_range(at_least: u128, at_most: Option<u128>) -> String {
    match at_most {
        Some(m) if m == at_least => format!("{m}"),
        Some(m) => format!("between {at_least} and {m}"),
        None => format!("at least {at_least}"),
    }
}

/// [`count_range`] with its noun: `1 point`, `between 1 and 5 points`, `at least 2 points`
/// (the singular for exactly 1 and for at least 1).
pub fn counted(at_least: u128, at_most: Option<u128>, one: &str, many: &str) -> String {
    let noun = if at_least == 1 && at_most.is_none_or(|m| m == 1) { one } else { many };
    format!("{} {noun}", count_range(at_least, at_most))
}

fn join_with<S: AsRef<str>>(items: &[S], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., end] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {last} {}", init.join(", "), end.as_ref())
        }
    }
}

/// The possessive of a name: `Russia's`, `Ukraine's`, and `the United States'` for a name
/// ending in a lower-case `s` (a plural-looking name takes the apostrophe alone; an
/// abbreviation such as `US` keeps `'s`).
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') { format!("{name}'") } else { format!("{name}'s") }
}

/// Joins items as `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    join_with(items, "and")
}

/// Joins items as `a`, `a or b`, `a, b or c`.
pub fn or_list<S: AsRef<str>>(items: &[S]) -> String {
    join_with(items, "or")
}

/// Wraps every line of `text` longer than `width` characters at spaces. A continuation
/// line is indented like the line it continues, plus two spaces, so paragraphs and list
/// items stay readable; a word longer than the width stands on a line of its own. Lines
/// that fit are left exactly as they are, and so are table rows (lines whose columns are
/// set apart by two or more spaces): a table is laid out to fit by whoever prints it.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        wrap_line(line, width, &mut out);
    }
    out
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if line.chars().count() <= width || is_table_row(&line[indent..]) {
        out.push_str(line);
        return;
    }
    let hanging = " ".repeat((indent + 2).min(width / 2));
    out.push_str(&line[..indent]);
    let mut column = indent;
    let mut at_line_start = true;
    // Each word with the run of spaces before it, kept as written (table columns stay
    // aligned) unless the line breaks there.
    let mut rest = &line[indent..];
    while !rest.is_empty() {
        let gap = rest.len() - rest.trim_start_matches(' ').len();
        let word_len = rest[gap..].find(' ').unwrap_or(rest.len() - gap);
        if word_len == 0 {
            break;
        }
        let word = &rest[gap..gap + word_len];
        let len = word.chars().count();
        if !at_line_start && column + gap + len > width {
            out.push('\n');
            out.push_str(&hanging);
            column = hanging.len();
        } else if !at_line_start {
            out.push_str(&rest[..gap]);
            column += gap;
        }
        out.push_str(word);
        column += len;
        at_line_start = false;
        rest = &rest[gap + word_len..];
    }
}

/// A table row: its cells are separated by runs of two or more spaces.
fn is_table_row(line: &str) -> bool {
    line.trim_end().contains("  ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_counted_not_listed() {
        assert_eq!(count_range(3, Some(3)), "3");
        assert_eq!(count_range(1, Some(2_999_999)), "between 1 and 2999999");
        assert_eq!(count_range(1, None), "at least 1");
        assert_eq!(counted(1, Some(1), "point", "points"), "1 point");
        assert_eq!(counted(0, Some(0), "point", "points"), "0 points");
        assert_eq!(counted(1, Some(5), "point", "points"), "between 1 and 5 points");
        assert_eq!(counted(1, None, "point", "points"), "at least 1 point");
        assert_eq!(counted(4, None, "point", "points"), "at least 4 points");
    }

    #[test]
    fn possessives() {
        assert_eq!(possessive("Russia"), "Russia's");
        assert_eq!(possessive("United States"), "United States'");
        assert_eq!(possessive("US"), "US's");
    }

    #[test]
    fn numbers_and_ranges() {
        assert_eq!(num(0.9333), "0.93");
        assert_eq!(num(-0.001), "0.00");
        assert_eq!(signed(0.08), "+0.08");
        assert_eq!(signed(-0.12), "-0.12");
        assert_eq!(signed(0.001), "0.00");
        assert_eq!(signed(-0.001), "0.00");
        assert_eq!(range(0.37, 0.57), "0.37 to 0.57");
        assert_eq!(range(0.371, 0.369), "0.37");
        assert_eq!(signed_range(-0.12, 0.08), "-0.12 to +0.08");
        assert_eq!(distinct(0.449, 0.45), ("0.449".to_string(), "0.450".to_string()));
        assert_eq!(distinct(0.5, 0.5), ("0.50".to_string(), "0.50".to_string()));
        assert_eq!(distinct(0.3, 0.6), ("0.30".to_string(), "0.60".to_string()));
    }

    #[test]
    fn columns_tell_their_numbers_apart() {
        assert_eq!(column_decimals(&[0.3, 0.6, 0.3]), 2);
        assert_eq!(column_decimals(&[]), 2);
        assert_eq!(column_decimals(&[0.449, 0.45, 0.9]), 3);
        assert_eq!(column_decimals(&[0.123441, 0.123449, -0.0, 0.0]), 5);
        assert_eq!(column_decimals(&[1.0, 1.0 + 1e-12]), MAX_DECIMALS);
        assert_eq!(column_decimals(&[f64::NAN, 0.5]), 2);
    }

    #[test]
    fn counts_and_lists() {
        assert_eq!(count(1, "party", "parties"), "1 party");
        assert_eq!(count(0, "party", "parties"), "0 parties");
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(or_list(&["a", "b", "c"]), "a, b or c");
        assert_eq!(and_list::<&str>(&[]), "");
    }

    #[test]
    fn wraps_long_lines_only() {
        assert_eq!(wrap("short\n  also short", 20), "short\n  also short");
        assert_eq!(wrap("  one two three four", 12), "  one two\n    three\n    four");
        assert_eq!(wrap("abcdefghijklmnop x", 5), "abcdefghijklmnop\n  x");
        assert_eq!(wrap("a  b   c d", 8), "a  b   c d");
        assert_eq!(wrap("a b c d", 4), "a b\n  c\n  d");
    }

    proptest! {
        /// Wrapping keeps every word, in order, and no line it made is over the width
        /// unless it is one word (or the indentation) alone.
        #[test]
        fn wrap_keeps_words(text in "[a-z ]{0,200}(\n[a-z ]{0,80}){0,3}", width in 8usize..60) {
            let wrapped = wrap(&text, width);
            let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
            prop_assert_eq!(words(&wrapped), words(&text));
            for line in wrapped.lines() {
                if line.chars().count() > width {
                    prop_assert!(line.split_whitespace().count() <= 1 || text.lines().any(|l| l == line));
                }
            }
        }

        /// `distinct` tells apart any two numbers that differ by more than 1e-6.
        #[test]
        fn distinct_separates(a in -10.0f64..10.0, d in 2e-6f64..1.0) {
            let (x, y) = distinct(a, a + d);
            prop_assert_ne!(x, y);
        }
    }
}
