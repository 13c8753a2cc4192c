//! KTAB's SMP CSV format.
//!
//! # Format
//!
//! ```text
//! name, description, N, K            line 1: N actors, K dimensions; later fields ignored
//! Actor, Description, Power, <dim 1 position>, <dim 1 salience>, ...   line 2: header
//! name, description, capability, pos_1, sal_1, ..., pos_K, sal_K       N rows, one per actor
//! ```
//!
//! Fields are separated by commas and trimmed; a field may be double-quoted (`""` is a
//! quote inside). Trailing empty fields (a trailing comma) and blank lines are ignored.
//! Dimension names are the headers of the position columns. Positions and saliences are
//! on 0-100, saliences summing to at most 100 per actor; capabilities in `[0, 1e8]`.

use std::collections::HashSet;

use super::{Info, number, shown, shown_value};
use crate::error::{Error, ErrorKind};
use crate::input::{Actor, MAX_CAPABILITY, SmpInput};

/// One field of a line, trimmed, with the column where its text starts.
struct Field {
    text: String,
    column: usize,
}

/// Reads a KTAB SMP CSV file; `file` names it in messages.
///
/// ```
/// let text = "toy, a toy, 2, 1\nActor,Desc,Power,X pos,X sal\n\
///             a, first, 10, 20, 50\nb, second, 30, 80, 40\n";
/// let (input, info) = detente_forecast::ktab::parse_csv("toy.csv", text)?;
/// assert_eq!(info.name, "toy");
/// assert_eq!(input.dimensions, ["X pos"]);
/// assert_eq!(input.positions[1], [80.0]);
///
/// let bad = text.replace("b, second, 30, 80", "b, second, 30, ");
/// let err = detente_forecast::ktab::parse_csv("toy.csv", &bad).unwrap_err();
/// assert_eq!(err.to_string(), "toy.csv:4:15: actor \"b\" dimension \"X pos\": empty position");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_csv(file: &str, text: &str) -> Result<(SmpInput, Info), Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let err =
        |kind, line: usize, column: usize, msg: String| Error::at(kind, file, line, column, msg);

    let Some((ln, first)) = lines.next() else {
        return Err(err(
            ErrorKind::Missing,
            1,
            1,
            "empty file: expected `name, description, N, K`".into(),
        ));
    };
    let head = split(file, ln, first)?;
    if head.len() < 4 {
        let col = first.chars().count() + 1;
        return Err(err(
            ErrorKind::Missing,
            ln,
            col,
            format!("line 1 needs 4 fields `name, description, N, K`, found {}", head.len()),
        ));
    }
    // The counts are only claims: nothing is allocated from them before the lines that
    // follow prove them (a count too large for a machine word is not a number of lines
    // any file holds either).
    let count = |f: &Field, what: &str| -> Result<usize, Error> {
        let whole = !f.text.is_empty() && f.text.bytes().all(|b| b.is_ascii_digit());
        match f.text.parse::<usize>() {
            Ok(v) if v > 0 => Ok(v),
            Err(_) if whole => Err(err(
                ErrorKind::OutOfRange,
                ln,
                f.column,
                format!(
                    "the number of {what} ({} digits) is larger than any file holds",
                    f.text.len()
                ),
            )),
            _ => Err(err(
                ErrorKind::NotANumber,
                ln,
                f.column,
                format!(
                    "the number of {what} must be a whole number > 0, found {}",
                    shown(&f.text)
                ),
            )),
        }
    };
    let n = count(&head[2], "actors")?;
    let k = count(&head[3], "dimensions")?;
    let info = Info { name: head[0].text.clone(), description: head[1].text.clone() };

    let Some((ln2, header)) = lines.next() else {
        return Err(err(ErrorKind::Missing, ln + 1, 1, "missing header line 2".into()));
    };
    let header = split(file, ln2, header)?;
    let header_len = trimmed_len(&header);
    // `3 + 2k` fields, computed only once the header is known to hold them (so that it
    // cannot overflow).
    let width = match header_len.checked_sub(3) {
        Some(rest) if k <= rest / 2 => 3 + 2 * k,
        _ => {
            return Err(err(
                ErrorKind::Count,
                ln2,
                header.last().map_or(1, |f| f.column),
                format!(
                    "the header needs 3 + 2 x {k} fields for {k} dimensions (line 1), found {header_len}"
                ),
            ));
        }
    };
    let mut dimensions = Vec::with_capacity(k);
    let mut dimension_names = HashSet::with_capacity(k);
    for d in 0..k {
        let f = &header[3 + 2 * d];
        if f.text.is_empty() {
            return Err(err(
                ErrorKind::Empty,
                ln2,
                f.column,
                format!("the header names no dimension {} (empty position column)", d + 1),
            ));
        }
        if !dimension_names.insert(f.text.as_str()) {
            return Err(err(
                ErrorKind::Duplicate,
                ln2,
                f.column,
                format!("duplicate dimension name {}", shown(&f.text)),
            ));
        }
        dimensions.push(f.text.clone());
    }

    // Grown with the rows read, never sized from line 1's claim.
    let mut actors: Vec<Actor> = Vec::new();
    let mut positions = Vec::new();
    let mut salience = Vec::new();
    let mut actor_names: HashSet<String> = HashSet::new();
    let mut last_line = ln2;
    for (ln, line) in lines {
        last_line = ln;
        let fields = split(file, ln, line)?;
        let len = trimmed_len(&fields);
        if len == 0 {
            continue;
        }
        if actors.len() == n {
            return Err(err(
                ErrorKind::Count,
                ln,
                1,
                format!("line 1 announces {n} actors, found more"),
            ));
        }
        let name = &fields[0];
        if name.text.is_empty() {
            return Err(err(ErrorKind::Empty, ln, name.column, "empty actor name".into()));
        }
        let who = format!("actor {}", shown(&name.text));
        if !actor_names.insert(name.text.clone()) {
            return Err(err(
                ErrorKind::Duplicate,
                ln,
                name.column,
                format!("duplicate actor name {}", shown(&name.text)),
            ));
        }
        if len != width {
            let col = if len < width { line.chars().count() + 1 } else { fields[width].column };
            return Err(err(
                ErrorKind::Count,
                ln,
                col,
                format!(
                    "{who}: expected {width} fields (name, description, capability, then position and salience for {k} dimensions), found {len}"
                ),
            ));
        }
        // The message's subject is written only when there is a problem to report.
        let value = |f: &Field, dim: Option<&str>, kind: &str, max: f64| -> Result<f64, Error> {
            let what = || match dim {
                None => who.clone(),
                Some(dim) => format!("{who} dimension {}", shown(dim)),
            };
            if f.text.is_empty() {
                return Err(err(
                    ErrorKind::Empty,
                    ln,
                    f.column,
                    format!("{}: empty {kind}", what()),
                ));
            }
            let Some(x) = number(&f.text) else {
                return Err(err(
                    ErrorKind::NotANumber,
                    ln,
                    f.column,
                    format!("{}: {kind} {} is not a number", what(), shown(&f.text)),
                ));
            };
            if !(x.is_finite() && (0.0..=max).contains(&x)) {
                return Err(err(
                    ErrorKind::OutOfRange,
                    ln,
                    f.column,
                    format!("{}: {kind} {} outside [0, {max}]", what(), shown_value(&f.text, x)),
                ));
            }
            Ok(x)
        };
        let capability = value(&fields[2], None, "capability", MAX_CAPABILITY)?;
        let mut pos = Vec::with_capacity(k);
        let mut sal = Vec::with_capacity(k);
        for (d, dim) in dimensions.iter().enumerate() {
            pos.push(value(&fields[3 + 2 * d], Some(dim), "position", 100.0)?);
            sal.push(value(&fields[4 + 2 * d], Some(dim), "salience", 100.0)?);
        }
        let total: f64 = sal.iter().sum();
        if total > 100.0 * (1.0 + 1e-9) {
            return Err(err(
                ErrorKind::OutOfRange,
                ln,
                fields[4].column,
                format!("{who}: saliences sum to {total}, above 100"),
            ));
        }
        if total <= 0.0 {
            return Err(err(
                ErrorKind::OutOfRange,
                ln,
                fields[4].column,
                format!("{who}: every salience is 0 (at least one must be > 0)"),
            ));
        }
        actors.push(Actor {
            name: name.text.clone(),
            description: fields[1].text.clone(),
            capability,
        });
        positions.push(pos);
        salience.push(sal);
    }
    if actors.len() < n {
        return Err(err(
            ErrorKind::Count,
            last_line + 1,
            1,
            format!("line 1 announces {n} actors, found {}", actors.len()),
        ));
    }
    let input = SmpInput { actors, dimensions, positions, salience };
    input.validate().map_err(|e| err(e.kind(), ln, 1, e.message().to_string()))?;
    Ok((input, info))
}

/// The number of fields once trailing empty ones are dropped.
fn trimmed_len(fields: &[Field]) -> usize {
    fields.iter().rposition(|f| !f.text.is_empty()).map_or(0, |i| i + 1)
}

/// Splits a line into trimmed fields, honouring double quotes.
fn split(file: &str, ln: usize, line: &str) -> Result<Vec<Field>, Error> {
    let chars: Vec<char> = line.chars().collect();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        while i < chars.len() && chars[i] != ',' && chars[i].is_whitespace() {
            i += 1;
        }
        let column = i + 1;
        let mut text = String::new();
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(Error::at(
                            ErrorKind::Syntax,
                            file,
                            ln,
                            column,
                            "unterminated quoted field".to_string(),
                        ));
                    }
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        text.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        text.push(c);
                        i += 1;
                    }
                }
            }
            while i < chars.len() && chars[i] != ',' {
                if !chars[i].is_whitespace() {
                    return Err(Error::at(
                        ErrorKind::Syntax,
                        file,
                        ln,
                        i + 1,
                        "unexpected text after a quoted field".to_string(),
                    ));
                }
                i += 1;
            }
        } else {
            while i < chars.len() && chars[i] != ',' {
                text.push(chars[i]);
                i += 1;
            }
            text = text.trim().to_string();
        }
        let column = if text.is_empty() { start + 1 } else { column };
        fields.push(Field { text, column });
        if i >= chars.len() {
            break;
        }
        i += 1; // the comma
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "toy, \"a \"\"toy\"\"\", 2, 1, 0,,\nActor,Desc,Power,X pos,X sal,\n\
                      a, first, 10, 20, 50,\n\n b , second, 30, 80, 40\n";

    fn err(text: &str) -> (ErrorKind, String) {
        let e = parse_csv("t.csv", text).unwrap_err();
        (e.kind(), e.to_string())
    }

    #[test]
    fn reads_quotes_trailing_commas_and_blank_lines() {
        let (input, info) = parse_csv("t.csv", OK).unwrap();
        assert_eq!(info, Info { name: "toy".into(), description: "a \"toy\"".into() });
        assert_eq!(input.actors[1].name, "b");
        assert_eq!(input.actors[1].capability, 30.0);
        assert_eq!(input.salience, vec![vec![50.0], vec![40.0]]);
        let crlf = OK.replace('\n', "\r\n");
        assert_eq!(parse_csv("t.csv", &crlf).unwrap().0, input);
    }

    #[test]
    fn one_error_per_kind() {
        assert_eq!(
            err(""),
            (
                ErrorKind::Missing,
                "t.csv:1:1: empty file: expected `name, description, N, K`".into()
            )
        );
        assert_eq!(err("toy, x, 2\n").0, ErrorKind::Missing);
        assert_eq!(
            err("toy, x, two, 1\n"),
            (
                ErrorKind::NotANumber,
                "t.csv:1:9: the number of actors must be a whole number > 0, found \"two\"".into()
            )
        );
        assert_eq!(
            err("toy, x, 2, 1\n"),
            (ErrorKind::Missing, "t.csv:2:1: missing header line 2".into())
        );
        assert_eq!(err("toy, x, 2, 2\nA,D,P,X,Y\n").0, ErrorKind::Count);
        assert_eq!(err("toy, \"x, 2, 1\n").0, ErrorKind::Syntax);
        assert_eq!(
            err(&OK.replace("b , second, 30, 80, 40", "b , second, 30, 80")),
            (ErrorKind::Count, "t.csv:5:20: actor \"b\": expected 5 fields (name, description, capability, then position and salience for 1 dimensions), found 4".into())
        );
        assert_eq!(
            err(&OK.replace("a, first, 10, 20, 50", "a, first, 10, , 50")),
            (
                ErrorKind::Empty,
                "t.csv:3:14: actor \"a\" dimension \"X pos\": empty position".into()
            )
        );
        assert_eq!(
            err(&OK.replace("a, first, 10, 20, 50", "a, first, 10, 2x, 50")),
            (
                ErrorKind::NotANumber,
                "t.csv:3:15: actor \"a\" dimension \"X pos\": position \"2x\" is not a number"
                    .into()
            )
        );
        assert_eq!(
            err(&OK.replace("a, first, 10, 20, 50", "a, first, 10, 20, 150")),
            (
                ErrorKind::OutOfRange,
                "t.csv:3:19: actor \"a\" dimension \"X pos\": salience 150 outside [0, 100]".into()
            )
        );
        assert_eq!(
            err(&OK.replace("a, first, 10,", "a, first, -1,")),
            (
                ErrorKind::OutOfRange,
                "t.csv:3:11: actor \"a\": capability -1 outside [0, 100000000]".into()
            )
        );
        assert_eq!(
            err(&OK.replace("a, first, 10, 20, 50", "a, first, 10, 20, 0")).1,
            "t.csv:3:19: actor \"a\": every salience is 0 (at least one must be > 0)"
        );
        assert_eq!(err(&OK.replace(" b ,", "a,")).0, ErrorKind::Duplicate);
        assert_eq!(
            err(&OK.replace(" b , second, 30, 80, 40\n", "")),
            (ErrorKind::Count, "t.csv:5:1: line 1 announces 2 actors, found 1".into())
        );
        assert_eq!(
            err(&format!("{OK}c, x, 1, 1, 1\n")).1,
            "t.csv:6:1: line 1 announces 2 actors, found more"
        );
        assert_eq!(err(&OK.replace("X pos", "")).0, ErrorKind::Empty);
    }

    #[test]
    fn saliences_over_100_are_refused() {
        let text =
            "t, d, 2, 2\nA,D,P,X,Xs,Y,Ys\na, d, 1, 10, 60, 20, 41\nb, d, 1, 10, 60, 20, 40\n";
        assert_eq!(
            err(text),
            (
                ErrorKind::OutOfRange,
                "t.csv:3:14: actor \"a\": saliences sum to 101, above 100".into()
            )
        );
    }

    #[test]
    fn announced_counts_are_claims_not_allocations() {
        // Once an abort on allocation (99999999999999999 actors) and an overflow (2^63
        // dimensions): the counts are checked against the lines that follow.
        let body = "A,D,P,X,Xs\na,d,1,10,50\nb,d,1,20,50\n";
        assert_eq!(
            err(&format!("x, y, 99999999999999999, 1\n{body}")),
            (
                ErrorKind::Count,
                "t.csv:5:1: line 1 announces 99999999999999999 actors, found 2".into()
            )
        );
        assert_eq!(
            err(&format!("x, y, 2, 9223372036854775808\n{body}")),
            (
                ErrorKind::Count,
                "t.csv:2:9: the header needs 3 + 2 x 9223372036854775808 fields for 9223372036854775808 dimensions (line 1), found 5".into()
            )
        );
        assert_eq!(err(&format!("x, y, 2, {}\n{body}", usize::MAX)).0, ErrorKind::Count);
        let digits = "9".repeat(400);
        assert_eq!(
            err(&format!("x, y, {digits}, 1\n{body}")),
            (
                ErrorKind::OutOfRange,
                "t.csv:1:7: the number of actors (400 digits) is larger than any file holds".into()
            )
        );
        // Long fields are quoted cut short, huge numbers in scientific notation.
        let long = "x".repeat(5000);
        let (_, msg) = err(&OK.replace("a, first, 10, 20", &format!("a, first, 10, {long}")));
        assert!(msg.ends_with("... (5000 characters) is not a number"), "{msg}");
        assert!(msg.len() < 200);
        let (_, msg) =
            err(&OK.replace("a, first, 10,", &format!("a, first, 1{},", "0".repeat(308))));
        assert_eq!(msg, "t.csv:3:11: actor \"a\": capability 1e308 outside [0, 100000000]");
    }

    #[test]
    fn duplicate_checks_are_linear() {
        // 100,000 actors and 2,000 dimensions: a check comparing each name with every
        // earlier one makes 5 x 10^9 comparisons here (minutes in a debug build); the
        // hash sets take seconds.
        let n = 100_000;
        let mut text = format!("big, x, {n}, 1\nA,D,P,X,Xs\n");
        for i in 0..n {
            text.push_str(&format!("actor {i},,1,50,50\n"));
        }
        let (input, _) = parse_csv("t.csv", &text).unwrap();
        assert_eq!(input.n_actors(), n);
        let dup = format!("{}a,,1,50,50\n", OK.replace(" b ,", "x,"));
        assert_eq!(
            err(&dup.replace("toy, \"a \"\"toy\"\"\", 2,", "toy, x, 3,")),
            (ErrorKind::Duplicate, "t.csv:6:1: duplicate actor name \"a\"".into())
        );
        let k = 2_000;
        let mut header = String::from("A,D,P");
        let mut row = String::from("a,,1");
        for d in 0..k {
            header.push_str(&format!(",dim {d},s"));
            row.push_str(",50,0.01");
        }
        let text = format!("wide, x, 2, {k}\n{header}\n{row}\n{}\n", row.replacen('a', "b", 1));
        assert_eq!(parse_csv("t.csv", &text).unwrap().0.n_dims(), k);
    }
}
