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

use super::{Info, number};
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
    let count = |f: &Field, what: &str| -> Result<usize, Error> {
        match f.text.parse::<usize>() {
            Ok(v) if v > 0 => Ok(v),
            _ => Err(err(
                ErrorKind::NotANumber,
                ln,
                f.column,
                format!("the number of {what} must be a whole number > 0, found {:?}", f.text),
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
    let width = 3 + 2 * k;
    let header_len = trimmed_len(&header);
    if header_len < width {
        return Err(err(
            ErrorKind::Count,
            ln2,
            header.last().map_or(1, |f| f.column),
            format!("the header needs {width} fields for {k} dimensions, found {header_len}"),
        ));
    }
    let mut dimensions = Vec::with_capacity(k);
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
        if dimensions.contains(&f.text) {
            return Err(err(
                ErrorKind::Duplicate,
                ln2,
                f.column,
                format!("duplicate dimension name {:?}", f.text),
            ));
        }
        dimensions.push(f.text.clone());
    }

    let mut actors: Vec<Actor> = Vec::with_capacity(n);
    let mut positions = Vec::with_capacity(n);
    let mut salience = Vec::with_capacity(n);
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
        let who = format!("actor {:?}", name.text);
        if actors.iter().any(|a| a.name == name.text) {
            return Err(err(
                ErrorKind::Duplicate,
                ln,
                name.column,
                format!("duplicate actor name {:?}", name.text),
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
        let value = |f: &Field, what: &str, kind: &str, max: f64| -> Result<f64, Error> {
            if f.text.is_empty() {
                return Err(err(ErrorKind::Empty, ln, f.column, format!("{what}: empty {kind}")));
            }
            let Some(x) = number(&f.text) else {
                return Err(err(
                    ErrorKind::NotANumber,
                    ln,
                    f.column,
                    format!("{what}: {kind} {:?} is not a number", f.text),
                ));
            };
            if !(x.is_finite() && (0.0..=max).contains(&x)) {
                return Err(err(
                    ErrorKind::OutOfRange,
                    ln,
                    f.column,
                    format!("{what}: {kind} {x} outside [0, {max}]"),
                ));
            }
            Ok(x)
        };
        let capability = value(&fields[2], &who, "capability", MAX_CAPABILITY)?;
        let mut pos = Vec::with_capacity(k);
        let mut sal = Vec::with_capacity(k);
        for (d, dim) in dimensions.iter().enumerate() {
            pos.push(value(
                &fields[3 + 2 * d],
                &format!("{who} dimension {dim:?}"),
                "position",
                100.0,
            )?);
            sal.push(value(
                &fields[4 + 2 * d],
                &format!("{who} dimension {dim:?}"),
                "salience",
                100.0,
            )?);
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
}
