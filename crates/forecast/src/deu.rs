//! The DEU format: EU legislative decisions with each actor's position and salience on a
//! 0-100 scale and the outcome (Decision-making in the European Union, DEU III; see
//! `../shared/peers/deu/README.md`).
//!
//! # Format
//!
//! ```text
//! prnrnmc <TAB> ... prnr prname isnr ... counvte ... p<actor> ... s<actor> ... rp out   header
//! <TAB> ... <weight under each p<actor>> ...                                         optional
//! one row per issue
//! ```
//!
//! Tab-separated, one header line. An actor `X` is a pair of columns `pX` (position) and
//! `sX` (salience); `prnr` (proposal id), `isnr` (issue id) and `out` (the outcome) are
//! required, `prname`, `counvte` (the Council's voting rule) and `rp` (the reference point)
//! are read when present, other columns are ignored. A second line whose `prnr` and `isnr`
//! are empty gives a weight per actor under its `p` column (the derived copy's GDPs).
//! Positions, saliences, reference points and outcomes are numbers in `[0, 100]` or empty;
//! weights are finite and at least 0. A row without an outcome or without any actor's
//! position cannot be scored: it is kept aside as skipped, with its line and the reason.
//! Reading is linear in the file's size.

use std::collections::HashSet;

use crate::error::{Error, ErrorKind};

/// The most actors (pairs of `p` and `s` columns) a DEU file may have.
pub const MAX_DEU_ACTORS: usize = 1000;

/// One actor's stand on an issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Stand {
    /// Index into [`DeuFile::actors`].
    pub actor: usize,
    /// Position, 0-100.
    pub position: f64,
    /// Salience, 0-100, `None` when the field is empty (0 often means not recorded).
    pub salience: Option<f64>,
}

/// One issue that can be scored: at least one position and an outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct DeuIssue {
    /// Line in the file, from 1.
    pub line: usize,
    /// Proposal id (`prnr`): cross-validation folds are drawn by proposal.
    pub proposal: String,
    /// Proposal short name (`prname`; empty when the column is absent).
    pub proposal_name: String,
    /// Issue id (`isnr`), unique in the file.
    pub id: String,
    /// The Council's voting rule (`counvte`, e.g. `QMV`, `Unan`; empty when absent).
    pub voting: String,
    /// The actors that took a position, in column order.
    pub stands: Vec<Stand>,
    /// The reference point (status quo), where defined.
    pub reference: Option<f64>,
    /// The outcome, 0-100.
    pub outcome: f64,
}

/// A row that cannot be scored.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedRow {
    /// Line in the file, from 1.
    pub line: usize,
    /// Issue id.
    pub id: String,
    /// Why: `no outcome` or `no position`.
    pub reason: &'static str,
}

/// A DEU file read.
#[derive(Clone, Debug, PartialEq)]
pub struct DeuFile {
    /// Actor names (`com`, `ep`, `de`, ...), in the order of their `p` columns.
    pub actors: Vec<String>,
    /// The weight line's value per actor, when the file has that line.
    pub weights: Option<Vec<Option<f64>>>,
    /// The issues that can be scored, in file order.
    pub issues: Vec<DeuIssue>,
    /// The rows that cannot, in file order.
    pub skipped: Vec<SkippedRow>,
}

/// Reads a DEU file; `file` names it in messages (`file:line:column: field "pde": ...`).
///
/// ```
/// let text = "prnr\tisnr\tpa\tpb\tsa\tsb\tout\n\
///             p1\tp1i1\t0\t100\t50\t0\t30\n\
///             p1\tp1i2\t\t\t\t\t10\n";
/// let f = detente_forecast::parse_deu("toy.tsv", text)?;
/// assert_eq!(f.actors, ["a", "b"]);
/// assert_eq!(f.issues.len(), 1);
/// assert_eq!(f.issues[0].stands[1].salience, Some(0.0));
/// assert_eq!(f.skipped[0].reason, "no position");
/// let bad = text.replace("\t100\t", "\t1e3\t");
/// let e = detente_forecast::parse_deu("toy.tsv", &bad).unwrap_err();
/// assert_eq!(e.to_string(), "toy.tsv:2:11: field \"pb\": 1e3 outside [0, 100]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_deu(file: &str, text: &str) -> Result<DeuFile, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |kind, line, column, msg: String| Error::at(kind, file, line, column, msg);
    let mut lines =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)));
    let Some((_, head)) = lines.next() else {
        return Err(err(ErrorKind::Missing, 1, 1, "empty file: expected a header line".into()));
    };
    let header: Vec<&str> = head.split('\t').map(str::trim).collect();
    let mut seen = HashSet::with_capacity(header.len());
    let mut col_of = std::collections::HashMap::with_capacity(header.len());
    let head_starts = starts(head);
    for (c, h) in header.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if !seen.insert(*h) {
            return Err(err(
                ErrorKind::Duplicate,
                1,
                head_starts[c],
                format!("column {h:?} appears twice"),
            ));
        }
        col_of.insert(*h, c);
    }
    let need = |name: &str| {
        col_of.get(name).copied().ok_or_else(|| {
            err(ErrorKind::Missing, 1, 1, format!("no column {name:?} in the header"))
        })
    };
    let (c_prnr, c_isnr, c_out) = (need("prnr")?, need("isnr")?, need("out")?);
    let c_name = col_of.get("prname").copied();
    let c_vote = col_of.get("counvte").copied();
    let c_rp = col_of.get("rp").copied();
    // Actors: X with both pX and sX, in the order of the p columns.
    let mut actors = vec![];
    let mut cols = vec![]; // (position column, salience column)
    for (c, h) in header.iter().enumerate() {
        if let Some(x) = h.strip_prefix('p')
            && !x.is_empty()
            && let Some(&s) = col_of.get(format!("s{x}").as_str())
        {
            actors.push(x.to_string());
            cols.push((c, s));
        }
    }
    if actors.is_empty() {
        return Err(err(
            ErrorKind::Missing,
            1,
            1,
            "no actor: expected pairs of columns p<actor> (position) and s<actor> (salience)"
                .into(),
        ));
    }
    if actors.len() > MAX_DEU_ACTORS {
        return Err(err(
            ErrorKind::Limit,
            1,
            1,
            format!("{} actors, above the {MAX_DEU_ACTORS} a DEU file may have", actors.len()),
        ));
    }
    let n_cols = header.len();
    let mut weights = None;
    let mut issues: Vec<DeuIssue> = vec![];
    let mut skipped = vec![];
    let mut ids = HashSet::new();
    for (ln, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let starts = starts(line);
        if fields.len() != n_cols {
            return Err(err(
                ErrorKind::Count,
                ln,
                1,
                format!("{} fields, the header has {n_cols}", fields.len()),
            ));
        }
        let field = |c: usize| fields[c].trim();
        // A number in [lo, hi] or empty.
        let number = |c: usize, hi: f64| -> Result<Option<f64>, Error> {
            let t = field(c);
            if t.is_empty() {
                return Ok(None);
            }
            let name = header[c];
            let v: f64 = t.parse().map_err(|_| {
                err(
                    ErrorKind::NotANumber,
                    ln,
                    starts[c],
                    format!("field {name:?}: {t:?} is not a number"),
                )
            })?;
            if !(v.is_finite() && (0.0..=hi).contains(&v)) {
                let range =
                    if hi == 100.0 { "[0, 100]".to_string() } else { "[0, 1e12]".to_string() };
                return Err(err(
                    ErrorKind::OutOfRange,
                    ln,
                    starts[c],
                    format!("field {name:?}: {t} outside {range}"),
                ));
            }
            Ok(Some(v))
        };
        if field(c_prnr).is_empty() && field(c_isnr).is_empty() {
            if ln != 2 || weights.is_some() {
                return Err(err(
                    ErrorKind::Missing,
                    ln,
                    starts[c_isnr],
                    "field \"isnr\": empty (only the second line, of weights, may leave it empty)"
                        .into(),
                ));
            }
            let w: Result<Vec<Option<f64>>, Error> =
                cols.iter().map(|&(p, _)| number(p, 1e12)).collect();
            weights = Some(w?);
            continue;
        }
        for (c, name) in [(c_prnr, "prnr"), (c_isnr, "isnr")] {
            if field(c).is_empty() {
                return Err(err(ErrorKind::Empty, ln, starts[c], format!("field {name:?}: empty")));
            }
        }
        let id = field(c_isnr).to_string();
        if !ids.insert(id.clone()) {
            return Err(err(
                ErrorKind::Duplicate,
                ln,
                starts[c_isnr],
                format!("field \"isnr\": issue {id:?} appears twice"),
            ));
        }
        let mut stands = vec![];
        for (a, &(p, s)) in cols.iter().enumerate() {
            let position = number(p, 100.0)?;
            let salience = number(s, 100.0)?;
            if let Some(position) = position {
                stands.push(Stand { actor: a, position, salience });
            }
        }
        let reference = match c_rp {
            Some(c) => number(c, 100.0)?,
            None => None,
        };
        let outcome = number(c_out, 100.0)?;
        let reason = match (outcome, stands.is_empty()) {
            (None, _) => Some("no outcome"),
            (_, true) => Some("no position"),
            _ => None,
        };
        if let Some(reason) = reason {
            skipped.push(SkippedRow { line: ln, id, reason });
            continue;
        }
        issues.push(DeuIssue {
            line: ln,
            proposal: field(c_prnr).to_string(),
            proposal_name: c_name.map(|c| field(c).to_string()).unwrap_or_default(),
            id,
            voting: c_vote.map(|c| field(c).to_string()).unwrap_or_default(),
            stands,
            reference,
            outcome: outcome.unwrap_or_default(),
        });
    }
    Ok(DeuFile { actors, weights, issues, skipped })
}

/// The column (from 1, in characters) where each tab-separated field of `line` starts.
fn starts(line: &str) -> Vec<usize> {
    let mut out = vec![1];
    let mut col = 1;
    for ch in line.chars() {
        col += 1;
        if ch == '\t' {
            out.push(col);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOY: &str = "prnr\tprname\tisnr\tcounvte\tpa\tpbb\tsa\tsbb\trp\tout\n\
                       \t\t\t\t2.5\t1\t\t\t\t\n\
                       p1\tone\tp1i1\tQMV\t0\t100\t50\t0\t0\t30\n\
                       p1\tone\tp1i2\tQMV\t40\t\t\t\t\t\n\
                       p2\ttwo\tp2i1\tUnan\t\t60\t\t80\t\t60\n";

    #[test]
    fn reads_actors_weights_issues_and_skips() {
        let f = parse_deu("t.tsv", TOY).unwrap();
        assert_eq!(f.actors, ["a", "bb"]);
        assert_eq!(f.weights, Some(vec![Some(2.5), Some(1.0)]));
        assert_eq!(f.issues.len(), 2);
        let i = &f.issues[0];
        assert_eq!(
            (i.line, i.proposal.as_str(), i.id.as_str(), i.voting.as_str()),
            (3, "p1", "p1i1", "QMV")
        );
        assert_eq!(i.reference, Some(0.0));
        assert_eq!(i.outcome, 30.0);
        assert_eq!(f.issues[1].stands, [Stand { actor: 1, position: 60.0, salience: Some(80.0) }]);
        assert_eq!(f.skipped, [SkippedRow { line: 4, id: "p1i2".into(), reason: "no outcome" }]);
    }

    #[test]
    fn errors_name_file_line_column_and_field() {
        let e = |text: &str| parse_deu("t.tsv", text).unwrap_err().to_string();
        assert_eq!(
            e(&TOY.replace("QMV\t0\t100", "QMV\tx\t100")),
            "t.tsv:3:17: field \"pa\": \"x\" is not a number"
        );
        assert_eq!(
            e(&TOY.replace("\t80\t", "\tNaN\t")),
            "t.tsv:5:23: field \"sbb\": NaN outside [0, 100]"
        );
        assert_eq!(
            e(&TOY.replace("\t\t60\n", "\t\t-1\n")),
            "t.tsv:5:27: field \"out\": -1 outside [0, 100]"
        );
        assert_eq!(e(&TOY.replace("Unan\t", "")), "t.tsv:5:1: 9 fields, the header has 10");
        assert_eq!(
            e(&TOY.replace("p2i1", "p1i1")),
            "t.tsv:5:8: field \"isnr\": issue \"p1i1\" appears twice"
        );
        assert_eq!(
            e(&TOY.replace("\tout", "\toutcome")),
            "t.tsv:1:1: no column \"out\" in the header"
        );
        assert_eq!(e(""), "t.tsv:1:1: empty file: expected a header line");
        assert_eq!(
            e(&TOY.replace("\t2.5\t", "\tinf\t")),
            "t.tsv:2:5: field \"pa\": inf outside [0, 1e12]"
        );
        assert!(e(&TOY.replace("p2\ttwo\tp2i1", "\ttwo\t")).starts_with("t.tsv:5:"));
        assert!(e("prnr\tisnr\tout\nx\ty\t1\n").contains("no actor"));
    }

    #[test]
    fn many_rows_are_read() {
        let mut text = String::from("prnr\tisnr");
        for a in 0..30 {
            text.push_str(&format!("\tp{a}\ts{a}"));
        }
        text.push_str("\tout\n");
        for r in 0..20_000 {
            text.push_str(&format!("p{}\ti{r}", r / 4));
            for a in 0..30 {
                text.push_str(&format!("\t{}\t50", (a * 7 + r) % 101));
            }
            text.push_str("\t42\n");
        }
        let f = parse_deu("big.tsv", &text).unwrap();
        assert_eq!(f.issues.len(), 20_000);
        assert_eq!(f.issues[19_999].stands.len(), 30);
    }
}
