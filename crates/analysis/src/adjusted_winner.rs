//! Adjusted Winner: Brams and Taylor's procedure for dividing goods (or issues) between two
//! parties so that the result is equitable, envy-free and efficient, computed exactly.
//!
//! # The procedure
//! Each party spreads the same number of points (100 in the published procedure) over the
//! items; `a_i` and `b_i` are the points the first and the second party put on item `i`.
//!
//! 1. **Winner phase.** Item `i` goes to the first party when `a_i > b_i` and to the
//!    second when `a_i < b_i`. Let `A` and `B` be what each so wins, by its own points.
//! 2. **Ties.** Every item with `a_i = b_i` goes to the party with fewer points from the
//!    items not tied (the rule of the authors' site and the Wolfram demonstration). When
//!    `A = B` as well, the tied items go to the first party by convention; the adjusted
//!    phase then moves tied items first (their ratio is 1, the lowest possible), so the
//!    result is still equitable and a single tied item ends split in half.
//! 3. **Adjusted phase.** With `L` the leader's points and `T < L` the trailer's, list the
//!    leader's items by increasing ratio `l_i / t_i` (leader's points over trailer's points;
//!    `t_i = 0` counts as infinite; equal ratios in item order; items worth nothing to either
//!    party are never moved, since moving them changes nothing). Transfer them whole, one at
//!    a time, while `T + t_i <= L - l_i`. At the first item where `T + t_i > L - l_i`, only
//!    the fraction `q` of it goes to the trailer, where
//!
//!    ```text
//!    T + t_i q = (L - l_i) + l_i (1 - q),   so   q = (L - T) / (l_i + t_i)
//!    ```
//!
//!    (the equation as the authors write it: Bob's `50 + 40q = 15 + 50(1 - q)`, `q = 1/6`).
//!
//! At most one item is split. Both end with the same points `P` by their own valuations
//! (equitable); `P` is at least half of each party's points, so neither values the other's
//! share above its own (envy-free); and no other division gives one party more without
//! giving the other less (efficient), given additive, linear valuations.
//!
//! All arithmetic is exact ([`Rational`], big integers where 128 bits do not suffice): no
//! input the reader accepts overflows or is rounded.
//!
//! ```
//! use detente_analysis::adjusted_winner::{adjusted_winner, describe};
//! use detente_analysis::rational::Rational;
//!
//! // Brams & Taylor's Bob and Carol (Carol first).
//! let items = ["Retirement Account", "Home", "Summer Cottage", "Investments", "Other"];
//! let carol = [50, 20, 15, 10, 5].map(Rational::from).to_vec();
//! let bob = [40, 30, 10, 10, 10].map(Rational::from).to_vec();
//! let aw = adjusted_winner(items.map(String::from).to_vec(), carol, bob)?;
//! assert_eq!(aw.split_item, Some(0));
//! assert_eq!(aw.shares[0], Rational::new(5, 6)?); // Carol keeps 5/6 of the account
//! assert_eq!(aw.totals, [Rational::new(170, 3)?, Rational::new(170, 3)?]);
//! let text = describe(&aw, ["Carol", "Bob"]);
//! assert_eq!(text[0], "Carol gets Summer Cottage and 5/6 of Retirement Account.");
//! assert_eq!(text[1], "Bob gets Home, Investments, Other and 1/6 of Retirement Account.");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;

use detente_core::Scenario;
use detente_words::possessive;

use crate::error::{Error, ErrorKind};
use crate::rational::Rational;

/// The most items a points table may have.
pub const MAX_ITEMS: usize = 10_000;
/// The most digits after the decimal point of a point value, as written (exponents
/// included: `1.5e-3` has 4).
pub const MAX_DECIMALS: u32 = 100;
/// The most digits before the decimal point of a point value (a value below `10^100`).
pub const MAX_WHOLE_DIGITS: u32 = 100;

/// A points table: the items and each party's points on them, as read from a CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsTable {
    /// The item names, in file order.
    pub items: Vec<String>,
    /// The two parties' names (header columns 2 and 3, without a `_points` suffix).
    pub parties: [String; 2],
    /// `points[p][i]`: party `p`'s points on item `i`.
    pub points: [Vec<Rational>; 2],
}

/// Reads a points table (`file` names it in messages): a header `item,<party a>,<party b>`
/// and one row per item, values decimal numbers `>= 0` with at most [`MAX_WHOLE_DIGITS`]
/// digits before the decimal point and [`MAX_DECIMALS`] after it, at most [`MAX_ITEMS`]
/// items. Every table it accepts is divided exactly by [`adjusted_winner`]; the limits
/// bound the size of the numbers (each a fraction of at most about 700 bits, those the
/// procedure forms a few times that) and so the time and memory. Linear in the size of the
/// text. Errors ([`ErrorKind::InvalidInput`]) are located `file:line:column: message`.
pub fn read_points_csv(file: &str, text: &str) -> Result<PointsTable, Error> {
    let t = read_table(file, text, Some(2))?;
    let mut parties = t.parties.into_iter();
    let mut points = t.points.into_iter();
    let (Some(a), Some(b), Some(pa), Some(pb)) =
        (parties.next(), parties.next(), points.next(), points.next())
    else {
        return Err(invalid(format!("{file}: expected two parties")));
    };
    Ok(PointsTable { items: t.items, parties: [a, b], points: [pa, pb] })
}

/// The most parties a valuations table may have.
pub const MAX_PARTIES: usize = 1_000;

/// A valuations table of any number of parties: the items and each party's points on them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuationTable {
    /// The item names, in file order.
    pub items: Vec<String>,
    /// The parties' names (header columns 2, 3, ..., without a `_points` suffix).
    pub parties: Vec<String>,
    /// `points[p][i]`: party `p`'s points on item `i`.
    pub points: Vec<Vec<Rational>>,
}

/// Reads a valuations table: a header `item,<party>,<party>,...` (at least two parties, at
/// most [`MAX_PARTIES`], each named once) and one row per item, with the cell rules and
/// limits of [`read_points_csv`]. Linear in the size of the text; errors located
/// `file:line:column: message`.
pub fn read_valuations_csv(file: &str, text: &str) -> Result<ValuationTable, Error> {
    read_table(file, text, None)
}

/// Reads a points table with `parties` party columns (any number from 2 when `None`).
fn read_table(file: &str, text: &str, parties: Option<usize>) -> Result<ValuationTable, Error> {
    let at = |line: usize, col: usize, msg: String| invalid(format!("{file}:{line}:{col}: {msg}"));
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let expected = match parties {
        Some(2) => "`item,<party a>,<party b>`".to_string(),
        _ => "`item,<party>,<party>,...`".to_string(),
    };
    let Some((h, header)) = lines.next() else {
        return Err(at(1, 1, format!("empty file: expected a header {expected}")));
    };
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    match parties {
        Some(n) if cols.len() != n + 1 => {
            return Err(at(
                h + 1,
                1,
                format!("header: expected {} columns {expected}, found {}", n + 1, cols.len()),
            ));
        }
        None if cols.len() < 3 => {
            return Err(at(
                h + 1,
                1,
                format!("header: expected at least 3 columns {expected}, found {}", cols.len()),
            ));
        }
        None if cols.len() > MAX_PARTIES + 1 => {
            return Err(at(
                h + 1,
                1,
                format!("header: more than {MAX_PARTIES} parties (the limit)"),
            ));
        }
        _ => {}
    }
    let width = cols.len();
    let party = |c: &str| c.trim_end_matches("_points").to_string();
    let names: Vec<String> = cols[1..].iter().map(|c| party(c)).collect();
    let mut seen = std::collections::HashSet::new();
    for name in &names {
        if name.is_empty() {
            return Err(at(h + 1, 1, "header: a party column has no name".into()));
        }
        if !seen.insert(name.as_str()) {
            return Err(at(h + 1, 1, format!("header: two columns name the same party {name:?}")));
        }
    }
    let mut items = vec![];
    let mut points: Vec<Vec<Rational>> = vec![vec![]; width - 1];
    for (n, line) in lines {
        if items.len() == MAX_ITEMS {
            return Err(at(n + 1, 1, format!("more than {MAX_ITEMS} items (the limit)")));
        }
        // Cells with their 1-based columns, found in one pass.
        let mut cells: Vec<(usize, &str)> = Vec::with_capacity(width);
        let mut start = 0;
        for part in line.split(',') {
            let lead = part.len() - part.trim_start().len();
            cells.push((start + lead + 1, part.trim()));
            start += part.len() + 1;
        }
        if cells.len() != width {
            return Err(at(n + 1, 1, format!("expected {width} columns, found {}", cells.len())));
        }
        let num = |c: usize| -> Result<Rational, Error> {
            let (col, cell) = cells[c];
            let bad = |why: &str| {
                at(n + 1, col, format!("{}: {why}, found {}", cols[c], shown_cell(cell)))
            };
            let too_fine = decimals(cell) > MAX_DECIMALS;
            let too_big =
                || bad(&format!("at most {MAX_WHOLE_DIGITS} digits before the decimal point"));
            match Rational::from_decimal(cell) {
                Err(e) if e.kind() == ErrorKind::InvalidInput => {
                    Err(bad("points must be a decimal number >= 0"))
                }
                Ok(x) if x.is_negative() => Err(bad("points must be a decimal number >= 0")),
                _ if too_fine => Err(bad(&format!("at most {MAX_DECIMALS} decimals"))),
                Ok(x) if whole_digits(cell) <= i64::from(MAX_WHOLE_DIGITS) => Ok(x),
                // Beyond the limit, or beyond what the exact reader takes at all.
                _ => Err(too_big()),
            }
        };
        for (c, row) in points.iter_mut().enumerate() {
            row.push(num(c + 1)?);
        }
        items.push(cells[0].1.to_string());
    }
    if items.is_empty() {
        return Err(invalid(format!("{file}: no items below the header")));
    }
    Ok(ValuationTable { items, parties: names, points })
}

/// A cell for an error message: as it is, or its start and length when it is long.
fn shown_cell(cell: &str) -> String {
    const SHOWN: usize = 40;
    if cell.chars().count() <= SHOWN {
        return format!("{cell:?}");
    }
    let start: String = cell.chars().take(SHOWN).collect();
    format!("{start:?}... ({} characters)", cell.chars().count())
}

/// The number of digits before the decimal point of a decimal number's value (`0.05`: 0 or
/// less, `1.5e3`: 4); the text must already read as a decimal. Counted without allocating,
/// so that checking a cell costs no more than reading it.
fn whole_digits(cell: &str) -> i64 {
    let (mantissa, exp) = match cell.find(['e', 'E']) {
        Some(k) => (&cell[..k], cell[k + 1..].parse::<i64>().unwrap_or(i64::MAX)),
        None => (cell, 0),
    };
    let digits = mantissa.trim_start_matches(['-', '+']);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all = whole.len() + frac.len();
    let lead = whole.bytes().chain(frac.bytes()).take_while(|&b| b == b'0').count();
    if lead == all {
        return 0;
    }
    // The first significant digit stands `all - lead - frac.len()` places before the point.
    ((all - lead) as i64 - frac.len() as i64).saturating_add(exp)
}

/// The number of decimals of a decimal number as written (`1.5e-3`: 4; `15e2`: 0); the
/// text must already read as a decimal (saturating, so that huge exponents count as many).
fn decimals(cell: &str) -> u32 {
    let (mantissa, exp) = match cell.find(['e', 'E']) {
        Some(k) => (&cell[..k], cell[k + 1..].parse::<i64>().unwrap_or(i64::MIN)),
        None => (cell, 0),
    };
    let frac = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
    let d = i64::try_from(frac).unwrap_or(i64::MAX).saturating_sub(exp);
    u32::try_from(d.max(0)).unwrap_or(u32::MAX)
}

/// The result of Adjusted Winner between two parties (party 0 and party 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustedWinner {
    /// The item names (issue names for a scenario), in input order.
    pub items: Vec<String>,
    /// Each party's points per item, as given (scaled to 100 for a scenario).
    pub points: [Vec<Rational>; 2],
    /// The fraction of item `i` that party 0 ends with; party 1 has `1 - shares[i]`.
    pub shares: Vec<Rational>,
    /// Each party's points after the procedure, by its own valuation: always equal.
    pub totals: [Rational; 2],
    /// The one item split between the parties, if any.
    pub split_item: Option<usize>,
    /// What happened, in order, for explanations.
    pub steps: Vec<Step>,
}

/// Why a tied item went to the party it went to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TieRule {
    /// The party had fewer points from the items not tied (`non_tied`, by party).
    FewerPoints {
        /// Each party's points from the items it won outright.
        non_tied: [Rational; 2],
    },
    /// Both parties had the same points from the items not tied, so the tied items went to
    /// party 0 by convention; the adjusted phase moves them back first.
    Level {
        /// The points each party had from the items it won outright.
        non_tied: Rational,
    },
}

/// One step of the procedure; [`Step::describe`] puts it in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Winner phase: `item` goes to `party`, which put more points on it.
    Win {
        /// The item.
        item: usize,
        /// The party that gets it.
        party: usize,
        /// The points each party put on it.
        points: [Rational; 2],
    },
    /// Winner phase: both put `points` on `item`, which goes to `party` by `rule`.
    Tie {
        /// The item.
        item: usize,
        /// The party that gets it.
        party: usize,
        /// The points each party put on it.
        points: Rational,
        /// Why that party.
        rule: TieRule,
    },
    /// The end of the winner phase: each party's points.
    WinnerTotals {
        /// Each party's points.
        totals: [Rational; 2],
    },
    /// The adjusted phase begins: the leader's items in the order they may be transferred.
    Order {
        /// The leader, who gives items up.
        from: usize,
        /// The items with their ratio `leader's points / trailer's points` (`None`:
        /// infinite, the trailer puts no points on the item), in transfer order.
        items: Vec<(usize, Option<Rational>)>,
    },
    /// Adjusted phase: `item` moves wholly from the leader `from` to the other party.
    Transfer {
        /// The item.
        item: usize,
        /// The party that gives it up.
        from: usize,
        /// `leader's points / trailer's points` on the item (`None`: infinite).
        ratio: Option<Rational>,
        /// The points each party put on it.
        points: [Rational; 2],
        /// Each party's points after the transfer.
        totals: [Rational; 2],
    },
    /// Adjusted phase: `item` is split; the trailer receives the fraction `to_trailer`
    /// solving `trailer_before + t * q = leader_rest + l * (1 - q)`.
    Split {
        /// The item.
        item: usize,
        /// The leader, who keeps `1 - to_trailer` of it.
        from: usize,
        /// `leader's points / trailer's points` on the item (`None`: infinite).
        ratio: Option<Rational>,
        /// The points each party put on it.
        points: [Rational; 2],
        /// The trailer's points before the split.
        trailer_before: Rational,
        /// The leader's points without the item.
        leader_rest: Rational,
        /// The fraction `q` of the item that goes to the trailer.
        to_trailer: Rational,
        /// Each party's points after the split.
        totals: [Rational; 2],
    },
    /// The end: both parties have `points`.
    Balanced {
        /// The points each party ends with.
        points: Rational,
    },
}

/// The first party and the second, for messages about point tables without names.
const ORDINAL: [&str; 2] = ["the first party", "the second party"];

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidInput, message)
}

/// `l / t`, or `None` (infinite) when `t` is 0.
fn ratio(l: &Rational, t: &Rational) -> Option<Rational> {
    t.recip().ok().map(|r| l * &r)
}

/// Orders ratios with `None` (infinite) last.
fn cmp_ratio(x: &Option<Rational>, y: &Option<Rational>) -> Ordering {
    match (x, y) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Runs Adjusted Winner on a points table: `a[i]` and `b[i]` are the points party 0 and
/// party 1 put on `items[i]` (see the [module docs](self) for the procedure).
///
/// Errors ([`ErrorKind::InvalidInput`]) when the three lists differ in length, a point is
/// negative, a party's points total 0, or the two totals differ. The arithmetic is exact
/// whatever the numbers; its time grows with their size (see [`read_points_csv`] for the
/// limits of a table read from a file).
pub fn adjusted_winner(
    items: Vec<String>,
    a: Vec<Rational>,
    b: Vec<Rational>,
) -> Result<AdjustedWinner, Error> {
    let n = items.len();
    if a.len() != n || b.len() != n {
        return Err(invalid(format!(
            "adjusted winner needs one point value per item from each party: {n} items, {} and {} points",
            a.len(),
            b.len()
        )));
    }
    let points = [a, b];
    for p in 0..2 {
        if let Some(i) = points[p].iter().position(Rational::is_negative) {
            return Err(invalid(format!(
                "points must be >= 0: {} puts {} on {:?}",
                ORDINAL[p], points[p][i], items[i]
            )));
        }
    }
    let total: [Rational; 2] = [points[0].iter().sum(), points[1].iter().sum()];
    for p in 0..2 {
        if total[p].is_zero() {
            return Err(invalid(format!(
                "{}'s points total 0: each party must put points on some item",
                ORDINAL[p]
            )));
        }
    }
    if total[0] != total[1] {
        return Err(invalid(format!(
            "both parties' points must have the same total (100 each, as published): {} against {}",
            total[0], total[1]
        )));
    }

    // Winner phase.
    let mut steps = Vec::new();
    let mut owner = vec![0; n];
    let mut non_tied = [Rational::ZERO, Rational::ZERO];
    let mut tied = Vec::new();
    for i in 0..n {
        let party = match points[0][i].cmp(&points[1][i]) {
            Ordering::Greater => 0,
            Ordering::Less => 1,
            Ordering::Equal => {
                tied.push(i);
                continue;
            }
        };
        owner[i] = party;
        non_tied[party] = &non_tied[party] + &points[party][i];
        steps.push(Step::Win {
            item: i,
            party,
            points: [points[0][i].clone(), points[1][i].clone()],
        });
    }
    let (tie_party, rule) = match non_tied[0].cmp(&non_tied[1]) {
        Ordering::Less => (0, TieRule::FewerPoints { non_tied: non_tied.clone() }),
        Ordering::Greater => (1, TieRule::FewerPoints { non_tied: non_tied.clone() }),
        Ordering::Equal => (0, TieRule::Level { non_tied: non_tied[0].clone() }),
    };
    let mut totals = non_tied;
    for &i in &tied {
        owner[i] = tie_party;
        totals[tie_party] = &totals[tie_party] + &points[tie_party][i];
        steps.push(Step::Tie {
            item: i,
            party: tie_party,
            points: points[0][i].clone(),
            rule: rule.clone(),
        });
    }
    steps.push(Step::WinnerTotals { totals: totals.clone() });
    let mut shares: Vec<Rational> =
        owner.iter().map(|&o| if o == 0 { Rational::ONE } else { Rational::ZERO }).collect();

    // Adjusted phase.
    let mut split_item = None;
    if totals[0] != totals[1] {
        let from = if totals[0] > totals[1] { 0 } else { 1 };
        let to = 1 - from;
        let mut order: Vec<(usize, Option<Rational>)> = (0..n)
            .filter(|&i| owner[i] == from && !points[from][i].is_zero())
            .map(|i| (i, ratio(&points[from][i], &points[to][i])))
            .collect();
        // A stable sort: equal ratios keep item order.
        order.sort_by(|x, y| cmp_ratio(&x.1, &y.1));
        steps.push(Step::Order { from, items: order.clone() });
        // The loop always ends balanced: moving every listed item would leave the leader
        // with at most its items worth nothing to the trailer, while the trailer would have
        // its whole total, which equals the leader's.
        for (i, ratio) in order {
            let (l, t) = (&points[from][i], &points[to][i]);
            let item_points = [points[0][i].clone(), points[1][i].clone()];
            let leader_rest = &totals[from] - l;
            let trailer_after = &totals[to] + t;
            if trailer_after <= leader_rest {
                let balanced = trailer_after == leader_rest;
                totals[from] = leader_rest;
                totals[to] = trailer_after;
                shares[i] = if to == 0 { Rational::ONE } else { Rational::ZERO };
                steps.push(Step::Transfer {
                    item: i,
                    from,
                    ratio,
                    points: item_points,
                    totals: totals.clone(),
                });
                if balanced {
                    break;
                }
                continue;
            }
            // q = (L - T) / (l + t) solves T + t q = (L - l) + l (1 - q); l + t > 0, as l > 0.
            let q = (&totals[from] - &totals[to]).checked_div(&(l + t))?;
            let trailer_before = totals[to].clone();
            totals[from] = &totals[from] - &(l * &q);
            totals[to] = &totals[to] + &(t * &q);
            shares[i] = if to == 0 { q.clone() } else { &Rational::ONE - &q };
            split_item = Some(i);
            steps.push(Step::Split {
                item: i,
                from,
                ratio,
                points: item_points,
                trailer_before,
                leader_rest,
                to_trailer: q,
                totals: totals.clone(),
            });
            break;
        }
    }
    steps.push(Step::Balanced { points: totals[0].clone() });
    Ok(AdjustedWinner { items, points, shares, totals, split_item, steps })
}

/// Runs Adjusted Winner on a two-party scenario: the items are the issues (named by their
/// names), and each party's points on an issue are its stance weight there (0 without a
/// stance), scaled exactly so that each party's points total 100: `100 * w_i / sum_j w_j`,
/// with each weight taken as the decimal it was written as (`0.35` is `35/100`, not the
/// binary float nearest to it).
///
/// The procedure treats each issue as a divisible good that a party either wins or shares;
/// the values of the options are not used. Errors when the scenario does not have exactly
/// two parties or a party puts no weight on any issue ([`ErrorKind::InvalidInput`]); every
/// finite weight is taken exactly, however large or small.
pub fn adjusted_winner_for(s: &Scenario) -> Result<AdjustedWinner, Error> {
    if s.parties().len() != 2 {
        return Err(invalid(format!(
            "adjusted winner needs exactly two parties; the scenario has {}",
            s.parties().len()
        )));
    }
    let mut points: [Vec<Rational>; 2] = [Vec::new(), Vec::new()];
    for (p, row) in points.iter_mut().enumerate() {
        let weights = s.stances()[p]
            .iter()
            .map(|st| Rational::from_f64_decimal(st.as_ref().map_or(0.0, |st| st.weight)))
            .collect::<Result<Vec<_>, Error>>()?;
        let sum: Rational = weights.iter().sum();
        if sum.is_zero() {
            return Err(invalid(format!(
                "party {} puts no weight on any issue, so it has no points to spread",
                s.parties()[p].id
            )));
        }
        let scale = Rational::from_integer(100).checked_div(&sum)?;
        *row = weights.iter().map(|w| w * &scale).collect();
    }
    let [a, b] = points;
    adjusted_winner(s.issues().iter().map(|i| i.name.clone()).collect(), a, b)
}

/// A number for prose: `65`, `5/4 (1.25)` or `170/3 (about 56.67)`.
fn approx(x: &Rational) -> String {
    if x.is_integer() {
        return x.to_string();
    }
    let hundredths = (x * &Rational::from_integer(100)).is_integer();
    let about = if hundredths { "" } else { "about " };
    format!("{x} ({about}{})", format_decimal(x.to_f64()))
}

/// Two decimals without trailing zeros: `1.25`, `56.67`, `1.5`.
fn format_decimal(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A coefficient in an equation: `40` or `(40/3)`.
fn coef(x: &Rational) -> String {
    if x.is_integer() { x.to_string() } else { format!("({x})") }
}

fn ratio_text(r: &Option<Rational>) -> String {
    r.as_ref().map_or_else(|| "infinite".to_string(), approx)
}

/// `A`, `A and B`, `A, B and C`.
fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Step {
    /// The step as one sentence, naming items by `items` (as in [`AdjustedWinner::items`])
    /// and the parties by `parties`.
    pub fn describe(&self, items: &[String], parties: [&str; 2]) -> String {
        let item = |i: usize| items.get(i).map_or("?", String::as_str);
        match self {
            Step::Win { item: i, party, points } => format!(
                "Winner phase: {} gets {} ({} points against {} {}).",
                parties[*party],
                item(*i),
                approx(&points[*party]),
                possessive(parties[1 - party]),
                approx(&points[1 - party])
            ),
            Step::Tie { item: i, party, points, rule } => match rule {
                TieRule::FewerPoints { non_tied } => format!(
                    "Tie on {} ({} points each): it goes to {}, who has fewer points from the items not tied ({} against {} {}).",
                    item(*i),
                    approx(points),
                    parties[*party],
                    approx(&non_tied[*party]),
                    possessive(parties[1 - party]),
                    approx(&non_tied[1 - party])
                ),
                TieRule::Level { non_tied } => format!(
                    "Tie on {} ({} points each): the items not tied give both sides {} points, so it goes to {} by convention; tied items are the first to move back if that puts {} ahead.",
                    item(*i),
                    approx(points),
                    approx(non_tied),
                    parties[*party],
                    parties[*party]
                ),
            },
            Step::WinnerTotals { totals } => format!(
                "After the winner phase {} has {} points and {} has {}.",
                parties[0],
                approx(&totals[0]),
                parties[1],
                approx(&totals[1])
            ),
            Step::Order { from, items: order } => {
                let list: Vec<String> = order
                    .iter()
                    .map(|(i, r)| format!("{} (ratio {})", item(*i), ratio_text(r)))
                    .collect();
                format!(
                    "{} is ahead, so its items move to {} in increasing order of the ratio of {} points to {}: {}.",
                    parties[*from],
                    parties[1 - from],
                    possessive(parties[*from]),
                    possessive(parties[1 - from]),
                    join(&list)
                )
            }
            Step::Transfer { item: i, from, ratio, totals, .. } => format!(
                "Adjusted phase: {} (ratio {}) moves wholly from {} to {}; now {} has {} points and {} has {}.",
                item(*i),
                ratio_text(ratio),
                parties[*from],
                parties[1 - from],
                parties[0],
                approx(&totals[0]),
                parties[1],
                approx(&totals[1])
            ),
            Step::Split {
                item: i,
                from,
                ratio,
                points,
                trailer_before,
                leader_rest,
                to_trailer,
                ..
            } => {
                let keep = &Rational::ONE - to_trailer;
                format!(
                    "Adjusted phase: moving all of {} (ratio {}) would put {} ahead, so it is split: with q the fraction {} gets, {} + {}q = {} + {}(1 - q), so q = {} and {} keeps {}.",
                    item(*i),
                    ratio_text(ratio),
                    parties[1 - from],
                    parties[1 - from],
                    trailer_before,
                    coef(&points[1 - from]),
                    leader_rest,
                    coef(&points[*from]),
                    to_trailer,
                    parties[*from],
                    keep
                )
            }
            Step::Balanced { points } => {
                format!("Both sides end with {} points.", approx(points))
            }
        }
    }
}

/// Sentences a mediator can read: who gets what, which item is split and how, each side's
/// points, and why the division is fair (equitable, envy-free, efficient). `parties` names
/// party 0 and party 1; [`Step::describe`] gives the steps one by one.
pub fn describe(aw: &AdjustedWinner, parties: [&str; 2]) -> Vec<String> {
    let n = aw.items.len();
    // Party 0's share is shares[i], party 1's is 1 - shares[i].
    let share = |p: usize, i: usize| {
        if p == 0 { aw.shares[i].clone() } else { &Rational::ONE - &aw.shares[i] }
    };
    let mut out = Vec::new();
    for (p, name) in parties.iter().enumerate() {
        let mut parts: Vec<String> =
            (0..n).filter(|&i| share(p, i) == Rational::ONE).map(|i| aw.items[i].clone()).collect();
        if let Some(k) = aw.split_item {
            parts.push(format!("{} of {}", share(p, k), aw.items[k]));
        }
        out.push(if parts.is_empty() {
            format!("{name} gets nothing.")
        } else {
            format!("{name} gets {}.", join(&parts))
        });
    }
    match aw.split_item {
        Some(k) => out.push(format!(
            "{} is the one item split: {} to {} and {} to {}, the share that makes both sides' points exactly equal.",
            aw.items[k],
            share(0, k),
            parties[0],
            share(1, k),
            parties[1]
        )),
        None => out.push("No item needs to be split.".to_string()),
    }
    let total: [Rational; 2] = [aw.points[0].iter().sum(), aw.points[1].iter().sum()];
    out.push(format!(
        "Each side ends with {} of its {} points, counted by its own valuation: the division is equitable.",
        approx(&aw.totals[0]),
        approx(&total[0])
    ));
    let other = [&total[0] - &aw.totals[0], &total[1] - &aw.totals[1]];
    out.push(format!(
        "It is envy-free: {} values {} share at {} points and its own at {}; {} values {} share at {} and its own at {}; each has at least half of its points, so neither would swap.",
        parties[0],
        possessive(parties[1]),
        approx(&other[0]),
        approx(&aw.totals[0]),
        parties[1],
        possessive(parties[0]),
        approx(&other[1]),
        approx(&aw.totals[1])
    ));
    out.push(
        "It is efficient: no other division gives one side more points without giving the other fewer (the items first went to whoever valued them more, and the items that moved back are those the leader valued least relative to the other side)."
            .to_string(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::{Issue, Meta, Party, Role, Stance};
    use proptest::prelude::*;

    fn r(n: i128, d: i128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    fn ints(xs: &[i64]) -> Vec<Rational> {
        xs.iter().map(|&x| Rational::from(x)).collect()
    }

    fn names(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|x| x.to_string()).collect()
    }

    /// The items party `p` gets wholly.
    fn whole(aw: &AdjustedWinner, p: usize) -> Vec<&str> {
        let want = if p == 0 { Rational::ONE } else { Rational::ZERO };
        (0..aw.items.len())
            .filter(|&i| aw.shares[i] == want)
            .map(|i| aw.items[i].as_str())
            .collect()
    }

    fn bob_carol() -> AdjustedWinner {
        // Brams & Taylor, The Win-Win Solution (1999); Carol is party 0.
        adjusted_winner(
            names(&["Retirement Account", "Home", "Summer Cottage", "Investments", "Other"]),
            ints(&[50, 20, 15, 10, 5]),
            ints(&[40, 30, 10, 10, 10]),
        )
        .unwrap()
    }

    #[test]
    fn bob_and_carol_as_published() {
        let aw = bob_carol();
        assert_eq!(aw.split_item, Some(0));
        assert_eq!(aw.shares[0], r(5, 6));
        assert_eq!(whole(&aw, 0), ["Summer Cottage"]);
        assert_eq!(whole(&aw, 1), ["Home", "Investments", "Other"]);
        assert_eq!(aw.totals, [r(170, 3), r(170, 3)]);
        assert_eq!(
            aw.steps[4],
            Step::Tie {
                item: 3,
                party: 1,
                points: r(10, 1),
                rule: TieRule::FewerPoints { non_tied: [r(65, 1), r(40, 1)] }
            }
        );
        assert_eq!(aw.steps[5], Step::WinnerTotals { totals: [r(65, 1), r(50, 1)] });
        assert_eq!(
            aw.steps[6],
            Step::Order { from: 0, items: vec![(0, Some(r(5, 4))), (2, Some(r(3, 2)))] }
        );
        let Step::Split { to_trailer, trailer_before, leader_rest, .. } = aw.steps[7].clone()
        else {
            panic!("expected a split, got {:?}", aw.steps[7]);
        };
        assert_eq!((to_trailer, trailer_before, leader_rest), (r(1, 6), r(50, 1), r(15, 1)));
        let words: Vec<String> =
            aw.steps.iter().map(|s| s.describe(&aw.items, ["Carol", "Bob"])).collect();
        assert_eq!(
            words,
            [
                "Winner phase: Carol gets Retirement Account (50 points against Bob's 40).",
                "Winner phase: Bob gets Home (30 points against Carol's 20).",
                "Winner phase: Carol gets Summer Cottage (15 points against Bob's 10).",
                "Winner phase: Bob gets Other (10 points against Carol's 5).",
                "Tie on Investments (10 points each): it goes to Bob, who has fewer points from the items not tied (40 against Carol's 65).",
                "After the winner phase Carol has 65 points and Bob has 50.",
                "Carol is ahead, so its items move to Bob in increasing order of the ratio of Carol's points to Bob's: Retirement Account (ratio 5/4 (1.25)) and Summer Cottage (ratio 3/2 (1.5)).",
                "Adjusted phase: moving all of Retirement Account (ratio 5/4 (1.25)) would put Bob ahead, so it is split: with q the fraction Bob gets, 50 + 40q = 15 + 50(1 - q), so q = 1/6 and Carol keeps 5/6.",
                "Both sides end with 170/3 (about 56.67) points.",
            ]
            .map(String::from)
        );
    }

    #[test]
    fn bob_and_carol_in_words() {
        let text = describe(&bob_carol(), ["Carol", "Bob"]);
        assert_eq!(
            text,
            [
                "Carol gets Summer Cottage and 5/6 of Retirement Account.",
                "Bob gets Home, Investments, Other and 1/6 of Retirement Account.",
                "Retirement Account is the one item split: 5/6 to Carol and 1/6 to Bob, the share that makes both sides' points exactly equal.",
                "Each side ends with 170/3 (about 56.67) of its 100 points, counted by its own valuation: the division is equitable.",
                "It is envy-free: Carol values Bob's share at 130/3 (about 43.33) points and its own at 170/3 (about 56.67); Bob values Carol's share at 130/3 (about 43.33) and its own at 170/3 (about 56.67); each has at least half of its points, so neither would swap.",
                "It is efficient: no other division gives one side more points without giving the other fewer (the items first went to whoever valued them more, and the items that moved back are those the leader valued least relative to the other side).",
            ]
            .map(String::from)
        );
    }

    #[test]
    fn trump_divorce_as_recomputed() {
        // COMAP, For All Practical Purposes; recomputed result (aw_textbook_exercises.json).
        let aw = adjusted_winner(
            names(&[
                "Connecticut Estate",
                "Palm Beach Mansion",
                "Trump Plaza Apartment",
                "Trump Tower Triplex",
                "Cash and Jewelry",
            ]),
            ints(&[10, 40, 10, 38, 2]),
            ints(&[38, 20, 30, 10, 2]),
        )
        .unwrap();
        assert_eq!(aw.split_item, Some(1));
        assert_eq!(aw.shares[1], r(13, 15));
        assert_eq!(whole(&aw, 0), ["Trump Tower Triplex"]);
        assert_eq!(
            whole(&aw, 1),
            ["Connecticut Estate", "Trump Plaza Apartment", "Cash and Jewelry"]
        );
        assert_eq!(aw.totals, [r(218, 3), r(218, 3)]);
        assert_eq!(aw.steps[5], Step::WinnerTotals { totals: [r(78, 1), r(70, 1)] });
        let split = aw.steps[7].describe(&aw.items, ["Donald", "Ivana"]);
        assert!(
            split.ends_with("70 + 20q = 38 + 40(1 - q), so q = 2/15 and Donald keeps 13/15."),
            "{split}"
        );
    }

    #[test]
    fn calvin_and_hobbes_as_recomputed() {
        // FAPP 10e exercise 13.32; recomputed result (aw_textbook_exercises.json).
        let aw = adjusted_winner(
            names(&[
                "Cannon",
                "Anchor",
                "Unopened chest",
                "Doubloon",
                "Figurehead",
                "Sword",
                "Cannon ball",
                "Wooden leg",
                "Flag",
                "Crow's nest",
            ]),
            ints(&[10, 10, 15, 11, 20, 15, 5, 2, 10, 2]),
            ints(&[5, 20, 20, 14, 30, 6, 1, 1, 2, 1]),
        )
        .unwrap();
        assert_eq!(aw.split_item, Some(2));
        assert_eq!(aw.shares[2], r(3, 7));
        assert_eq!(
            whole(&aw, 0),
            ["Cannon", "Doubloon", "Sword", "Cannon ball", "Wooden leg", "Flag", "Crow's nest"]
        );
        assert_eq!(whole(&aw, 1), ["Anchor", "Figurehead"]);
        assert_eq!(aw.totals, [r(430, 7), r(430, 7)]);
        let words: Vec<String> =
            aw.steps[11..].iter().map(|s| s.describe(&aw.items, ["Calvin", "Hobbes"])).collect();
        assert_eq!(
            words[1],
            "Adjusted phase: Doubloon (ratio 14/11 (about 1.27)) moves wholly from Hobbes to Calvin; now Calvin has 55 points and Hobbes has 70."
        );
        assert!(words[2].contains("55 + 15q = 50 + 20(1 - q), so q = 3/7 and Hobbes keeps 4/7"));
    }

    #[test]
    fn level_ties_go_to_the_first_party_and_come_back_first() {
        // Non-tied: 45 each; the tie (10 each) goes to party 0 and is split in half.
        let aw = adjusted_winner(names(&["x", "y", "t"]), ints(&[45, 0, 10]), ints(&[0, 45, 10]))
            .unwrap();
        assert_eq!(aw.shares, [Rational::ONE, Rational::ZERO, r(1, 2)]);
        assert_eq!(aw.totals, [r(50, 1), r(50, 1)]);
        assert_eq!(
            aw.steps[2],
            Step::Tie {
                item: 2,
                party: 0,
                points: r(10, 1),
                rule: TieRule::Level { non_tied: r(45, 1) }
            }
        );
        // Two level ties: the first (by item order) moves back whole, nothing is split.
        let aw = adjusted_winner(
            names(&["x", "y", "s", "t"]),
            ints(&[40, 0, 10, 10]),
            ints(&[0, 40, 10, 10]),
        )
        .unwrap();
        assert_eq!(aw.shares, [Rational::ONE, Rational::ZERO, Rational::ZERO, Rational::ONE]);
        assert_eq!(aw.split_item, None);
        assert_eq!(aw.steps.last(), Some(&Step::Balanced { points: r(50, 1) }));
    }

    #[test]
    fn equal_after_the_winner_phase_needs_no_adjustment() {
        let aw = adjusted_winner(names(&["x", "y"]), ints(&[60, 40]), ints(&[40, 60])).unwrap();
        assert_eq!(aw.shares, [Rational::ONE, Rational::ZERO]);
        assert_eq!(aw.steps.len(), 4);
        let text = describe(&aw, ["A", "B"]);
        assert_eq!(text[..3], ["A gets x.", "B gets y.", "No item needs to be split."]);
        // Items nobody values stay with the tie rule's party and never move.
        let aw = adjusted_winner(names(&["x", "y", "z"]), ints(&[70, 30, 0]), ints(&[40, 60, 0]))
            .unwrap();
        assert_eq!(
            aw.steps[2],
            Step::Tie {
                item: 2,
                party: 1,
                points: Rational::ZERO,
                rule: TieRule::FewerPoints { non_tied: [r(70, 1), r(60, 1)] }
            }
        );
        assert_eq!(aw.steps[4], Step::Order { from: 0, items: vec![(0, Some(r(7, 4)))] });
        assert_eq!(aw.shares, [r(10, 11), Rational::ZERO, Rational::ZERO]);
        assert_eq!(aw.totals, [r(700, 11), r(700, 11)]);
    }

    #[test]
    fn bad_tables_are_rejected() {
        let err = |a: &[i64], b: &[i64]| {
            let items = names(&["x", "y"]);
            adjusted_winner(items, ints(a), ints(b)).unwrap_err()
        };
        let e = err(&[50, 50], &[100]);
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            e.message(),
            "adjusted winner needs one point value per item from each party: 2 items, 2 and 1 points"
        );
        assert_eq!(
            err(&[50, 50], &[110, -10]).message(),
            "points must be >= 0: the second party puts -10 on \"y\""
        );
        assert_eq!(
            err(&[0, 0], &[0, 0]).message(),
            "the first party's points total 0: each party must put points on some item"
        );
        assert_eq!(
            err(&[50, 50], &[60, 30]).message(),
            "both parties' points must have the same total (100 each, as published): 100 against 90"
        );
        // Totals other than 100 are fine when they agree.
        assert!(adjusted_winner(names(&["x"]), ints(&[3]), ints(&[3])).is_ok());
    }

    fn scenario(weights: &[&[Option<f64>]]) -> Scenario {
        let parties = (0..weights.len())
            .map(|p| Party::new(&format!("p{p}"), &format!("P{p}"), Role::Principal, 1.0, 0.0))
            .collect();
        let issues = (0..weights[0].len())
            .map(|i| Issue::discrete(&format!("i{i}"), &format!("Issue {i}"), &["no", "yes"]))
            .collect();
        let stances = weights
            .iter()
            .map(|row| row.iter().map(|w| w.map(|w| Stance::values(w, vec![0.0, 1.0]))).collect())
            .collect();
        Scenario::new(Meta::named("aw"), parties, issues, stances, vec![], vec![]).unwrap()
    }

    #[test]
    fn scenario_weights_scale_to_100_exactly() {
        // Carol's and Bob's points at a tenth (and 3x) of the published scale.
        let s = scenario(&[
            &[Some(5.0), Some(2.0), Some(1.5), Some(1.0), Some(0.5)],
            &[Some(12.0), Some(9.0), Some(3.0), Some(3.0), Some(3.0)],
        ]);
        let aw = adjusted_winner_for(&s).unwrap();
        assert_eq!(aw.points[0], ints(&[50, 20, 15, 10, 5]));
        assert_eq!(aw.points[1], ints(&[40, 30, 10, 10, 10]));
        assert_eq!(aw.items[0], "Issue 0");
        assert_eq!(aw.shares[0], r(5, 6));
        // Decimal weights are read as the decimals they were written as.
        let s = scenario(&[&[Some(0.1), Some(0.2), None], &[Some(0.3), None, Some(0.3)]]);
        let aw = adjusted_winner_for(&s).unwrap();
        assert_eq!(aw.points[0], vec![r(100, 3), r(200, 3), r(0, 1)]);
        assert_eq!(aw.points[1], ints(&[50, 0, 50]));
        assert_eq!(aw.totals[0], aw.totals[1]);
        let decimals =
            scenario(&[&[Some(0.35), Some(0.25), Some(0.4)], &[Some(0.15), Some(0.6), Some(0.25)]]);
        let whole = scenario(&[
            &[Some(35.0), Some(25.0), Some(40.0)],
            &[Some(15.0), Some(60.0), Some(25.0)],
        ]);
        assert_eq!(adjusted_winner_for(&decimals).unwrap(), adjusted_winner_for(&whole).unwrap());
        let s = scenario(&[
            &[Some(35.0), Some(25.0), Some(40.0)],
            &[Some(15.0), Some(60.0), Some(25.0)],
        ]);
        // 75 against 60; a fraction 15 / (40 + 25) = 3/13 of issue 2 moves: 75 - 40 * 3/13.
        assert_eq!(adjusted_winner_for(&s).unwrap().totals[0], r(855, 13));
    }

    #[test]
    fn scenarios_need_two_parties_with_weight() {
        let e = adjusted_winner_for(&scenario(&[&[Some(1.0)]])).unwrap_err();
        assert_eq!(e.message(), "adjusted winner needs exactly two parties; the scenario has 1");
        let e = adjusted_winner_for(&scenario(&[&[Some(1.0)], &[Some(1.0)], &[None]])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let e =
            adjusted_winner_for(&scenario(&[&[Some(1.0), None], &[Some(0.0), None]])).unwrap_err();
        assert_eq!(
            e.message(),
            "party p1 puts no weight on any issue, so it has no points to spread"
        );
    }

    #[test]
    fn points_tables_are_read_with_located_errors_and_limits() {
        let t = read_points_csv("p.csv", "item,a_points,b_points\nx, 60,40\ny,40,60\n").unwrap();
        assert_eq!(t.parties, ["a".to_string(), "b".to_string()]);
        assert_eq!(t.points[0], vec![r(60, 1), r(40, 1)]);
        let err = |text: &str| read_points_csv("p.csv", text).unwrap_err().to_string();
        assert_eq!(
            err("item,a,a_points\nx,1,1\n"),
            "p.csv:1:1: header: two columns name the same party \"a\""
        );
        assert_eq!(
            err("item,a,b\nx, -1,1\n"),
            "p.csv:2:4: a: points must be a decimal number >= 0, found \"-1\""
        );
        // Up to 100 digits before the decimal point and 100 after, exactly.
        let most = format!("{}.{}", "9".repeat(100), "9".repeat(100));
        let t = read_points_csv("p.csv", &format!("item,a,b\nx,{most},1e-100\n")).unwrap();
        assert_eq!(t.points[0][0].to_string(), format!("{}/1{}", "9".repeat(200), "0".repeat(100)));
        assert_eq!(t.points[1][0].to_string(), format!("1/1{}", "0".repeat(100)));
        let fine = format!("0.{}1", "0".repeat(100));
        assert_eq!(
            err(&format!("item,a,b\nx,1,{fine}\n")),
            "p.csv:2:5: b: at most 100 decimals, found \"0.00000000000000000000000000000000000000\"... (103 characters)"
        );
        assert!(
            err("item,a,b\nx,1,1e-101\n").ends_with("b: at most 100 decimals, found \"1e-101\"")
        );
        assert_eq!(
            err("item,a,b\nx,1e100,1\n"),
            "p.csv:2:3: a: at most 100 digits before the decimal point, found \"1e100\""
        );
        assert!(read_points_csv("p.csv", "item,a,b\nx,9.99e99,1\n").is_ok());
        // Cells far beyond the limits: refused as such, quickly, and shown short.
        for (cell, why) in [
            ("1e2147483647", "digits before"),
            ("0.5e-2147483648", "decimals"),
            (&"9".repeat(1_000_000)[..], "digits before"),
            (&format!("0.{}", "1".repeat(1_000_000))[..], "decimals"),
        ] {
            let e = err(&format!("item,a,b\nx,{cell},1\n"));
            assert!(e.contains(why) && e.len() < 200, "{e}");
        }
        let many: String = std::iter::once("item,a,b\n".to_string())
            .chain((0..=MAX_ITEMS).map(|i| format!("i{i},0,0\n")))
            .collect();
        assert!(err(&many).contains("more than 10000 items"));
    }

    #[test]
    fn twenty_decimals_are_divided_exactly() {
        // Issue 9: points with 20 decimals summing to 100 were refused ("overflowed 128
        // bits"). Bob and Carol, with Carol's points moved by 10^-20 between two items.
        let table = "item,carol,bob\n\
            Retirement Account,50.00000000000000000001,40\n\
            Home,20,30\n\
            Summer Cottage,15,10\n\
            Investments,9.99999999999999999999,10\n\
            Other,5,10\n";
        let t = read_points_csv("p.csv", table).unwrap();
        let [a, b] = t.points;
        let aw = adjusted_winner(t.items, a.clone(), b.clone()).unwrap();
        // Investments now goes to Bob outright (no tie); Carol leads 65 + 10^-20 to 50, and
        // q = (15 + 10^-20) / (90 + 10^-20) of the account goes to Bob.
        let f = |s: &str| s.parse::<Rational>().unwrap();
        assert_eq!(aw.split_item, Some(0));
        assert_eq!(aw.shares[0], f("7500000000000000000000/9000000000000000000001"));
        let points = f("510000000000000000000090/9000000000000000000001");
        assert_eq!(aw.totals, [points.clone(), points.clone()]);
        // The totals are what the shares give, by each party's own points.
        let own0: Rational = (0..5).map(|i| &a[i] * &aw.shares[i]).sum();
        let own1: Rational = (0..5).map(|i| &b[i] * &(&Rational::ONE - &aw.shares[i])).sum();
        assert_eq!([own0, own1], aw.totals);
        let text = describe(&aw, ["Carol", "Bob"]);
        assert_eq!(
            text[0],
            "Carol gets Summer Cottage and 7500000000000000000000/9000000000000000000001 of Retirement Account."
        );
        assert!(text[3].starts_with(
            "Each side ends with 510000000000000000000090/9000000000000000000001 (about 56.67) of its 100 points"
        ));
        // Written with 20 decimals but equal to the published table: the published answer.
        let zeros = ".00000000000000000000";
        let table = format!(
            "item,carol,bob\nRA,50{zeros},40\nHome,20,30{zeros}\nSC,15{zeros},10\nInv,10,10{zeros}\nOther,5,10\n"
        );
        let t = read_points_csv("p.csv", &table).unwrap();
        let [a, b] = t.points;
        let aw = adjusted_winner(t.items, a, b).unwrap();
        assert_eq!((aw.shares[0].clone(), aw.totals[0].clone()), (r(5, 6), r(170, 3)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// At the limits (100 digits before the decimal point and 100 after), every table
        /// the reader accepts is divided exactly: equitable, and what the shares give.
        #[test]
        fn accepted_tables_are_divided_exactly(
            n in 2usize..10,
            seed in any::<u64>(),
            rotate in 1usize..10,
        ) {
            let mut x = seed | 1;
            let mut next = move || { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x };
            let mut digits = |k: u64| -> String {
                let len = (next() % (k + 1)) as usize;
                (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect()
            };
            // Party b puts party a's points on the items in another order: equal totals.
            let a: Vec<String> = (0..n)
                .map(|_| format!("{}.{}", digits(100), digits(100)))
                .map(|v| if v == "." { "0".to_string() } else { v })
                .collect();
            let mut text = "item,a,b\n".to_string();
            for i in 0..n {
                text.push_str(&format!("i{i},{},{}\n", a[i], a[(i + rotate) % n]));
            }
            let t = read_points_csv("p.csv", &text).unwrap();
            let [pa, pb] = t.points;
            prop_assume!(!pa.iter().all(Rational::is_zero));
            let aw = adjusted_winner(t.items, pa.clone(), pb.clone()).unwrap();
            prop_assert_eq!(&aw.totals[0], &aw.totals[1]);
            let total: Rational = pa.iter().sum();
            prop_assert!(&aw.totals[0] + &aw.totals[0] >= total);
            let own0: Rational = (0..n).map(|i| &pa[i] * &aw.shares[i]).sum();
            let own1: Rational = (0..n).map(|i| &pb[i] * &(&Rational::ONE - &aw.shares[i])).sum();
            prop_assert_eq!([own0, own1], aw.totals.clone());
            for s in &aw.shares {
                prop_assert!(*s >= Rational::ZERO && *s <= Rational::ONE);
            }
            let _ = describe(&aw, ["a", "b"]);
        }
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<AdjustedWinner>();
        is::<Step>();
        is::<Rational>();
    }

    /// Integer points totalling 100 on `n` items, on a grid of `g` (1, 5 or 10) so that
    /// ties and equal ratios occur.
    fn table(n: usize) -> impl Strategy<Value = Vec<i64>> {
        prop_oneof![Just(1i64), Just(5), Just(10)].prop_flat_map(move |g| {
            prop::collection::vec(0..=100 / g, n - 1).prop_map(move |mut cuts| {
                cuts.sort();
                let mut last = 0;
                let mut out = Vec::with_capacity(n);
                for c in cuts.into_iter().chain([100 / g]) {
                    out.push((c - last) * g);
                    last = c;
                }
                out
            })
        })
    }

    fn tables() -> impl Strategy<Value = (Vec<i64>, Vec<i64>)> {
        (1usize..=7).prop_flat_map(|n| (table(n), table(n)))
    }

    /// Whether some allocation giving every item wholly to one party, or splitting one item
    /// in any proportion, gives both parties at least `totals` and one of them more.
    fn dominated(a: &[Rational], b: &[Rational], totals: [Rational; 2]) -> bool {
        let n = a.len();
        for k in 0..n {
            // Items other than k are whole: bit i of mask set = item i to party 0.
            for mask in 0u32..(1 << n) {
                if mask & (1 << k) != 0 {
                    continue;
                }
                let (mut u0, mut u1) = (Rational::ZERO, Rational::ZERO);
                for i in (0..n).filter(|&i| i != k) {
                    if mask & (1 << i) != 0 { u0 = &u0 + &a[i] } else { u1 = &u1 + &b[i] }
                }
                // Party 0 gets x of item k: u0 + a_k x and u1 + b_k (1 - x), x in [0, 1].
                // Feasible x for party 1: b_k (1 - x) >= totals[1] - u1.
                let need1 = &totals[1] - &u1;
                let need0 = &totals[0] - &u0;
                let x_max = if b[k].is_zero() {
                    if need1 > Rational::ZERO { continue } else { Rational::ONE }
                } else {
                    (&Rational::ONE - &need1.checked_div(&b[k]).unwrap()).min(Rational::ONE)
                };
                let x_min = if a[k].is_zero() {
                    if need0 > Rational::ZERO { continue } else { Rational::ZERO }
                } else {
                    need0.checked_div(&a[k]).unwrap().max(Rational::ZERO)
                };
                if x_min > x_max || x_max < Rational::ZERO || x_min > Rational::ONE {
                    continue;
                }
                // Both are at least satisfied on [x_min, x_max]; one gains strictly at x_max
                // (party 0) or at x_min (party 1) unless neither can gain.
                let best0 = &u0 + &(&a[k] * &x_max);
                let best1 = &u1 + &(&b[k] * &(&Rational::ONE - &x_min));
                if best0 > totals[0] || best1 > totals[1] {
                    return true;
                }
            }
        }
        false
    }

    #[test]
    fn the_pareto_oracle_finds_better_divisions() {
        let aw = bob_carol();
        let (a, b) = (&aw.points[0], &aw.points[1]);
        assert!(!dominated(a, b, aw.totals));
        // Less than Adjusted Winner gives is dominated; so is giving each side what it
        // values less (20 + 15 + 5 = 40 for Carol, 40 + 10 = 50 for Bob).
        assert!(dominated(a, b, [r(170, 3), r(169, 3)]));
        assert!(dominated(a, b, [r(40, 1), r(50, 1)]));
        // Only a split reaches (55, 50): whole items give (100, 0), (50, 60), (50, 40) or
        // (0, 100); a tenth to a sixth of the second item moving to the first party does.
        // (60, 50) lies beyond every division.
        let (a, b) = (ints(&[50, 50]), ints(&[40, 60]));
        assert!(dominated(&a, &b, [r(55, 1), r(50, 1)]));
        assert!(!dominated(&a, &b, [r(60, 1), r(50, 1)]));
        assert!(!dominated(&a, &b, [r(50, 1), r(60, 1)]));
    }

    proptest! {
        #[test]
        fn equitable_envy_free_efficient((a, b) in tables()) {
            let items: Vec<String> = (0..a.len()).map(|i| format!("item {i}")).collect();
            let (a, b) = (ints(&a), ints(&b));
            let aw = adjusted_winner(items, a.clone(), b.clone()).unwrap();
            let half = Rational::from(50);
            prop_assert_eq!(&aw.totals[0], &aw.totals[1]);
            prop_assert!(aw.totals[0] >= half);
            // The totals are what the shares give.
            let mut own = [Rational::ZERO, Rational::ZERO];
            for (i, s) in aw.shares.iter().enumerate() {
                prop_assert!(*s >= Rational::ZERO && *s <= Rational::ONE);
                let rest = &Rational::ONE - s;
                own[0] = &own[0] + &(&a[i] * s);
                own[1] = &own[1] + &(&b[i] * &rest);
            }
            prop_assert_eq!(&own, &aw.totals);
            let split: Vec<usize> = (0..a.len())
                .filter(|&i| aw.shares[i] != Rational::ZERO && aw.shares[i] != Rational::ONE)
                .collect();
            prop_assert!(split.len() <= 1);
            prop_assert_eq!(split.first().copied(), aw.split_item);
            prop_assert!(!dominated(&a, &b, aw.totals.clone()), "dominated: {:?} / {:?} -> {:?}", a, b, aw.shares);
            let balanced = matches!(aw.steps.last(), Some(Step::Balanced { .. }));
            prop_assert!(balanced);
        }
    }
}
