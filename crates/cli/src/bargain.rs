//! Output of the bargaining commands: `frontier` (Pareto frontier and bargaining solutions)
//! and `divide` (Adjusted Winner).

use std::fmt::Write as _;
use std::path::Path;

use detente_analysis::adjusted_winner::{self, AdjustedWinner};
use detente_analysis::rational::Rational;
use detente_analysis::{
    Count, Frontier, FrontierOptions, FrontierPoint, FrontierPoints, FrontierSize, Solution,
};
use detente_core::Scenario;
use serde_json::{Value, json};

use crate::BadInput;
use crate::json as j;
use crate::plot;
use crate::printer::Report;
use crate::table::Table;
use detente_words as words;

/// Options of `detente frontier`.
pub struct FrontierArgs<'a> {
    /// List at most this many points, highest welfare first (at least 1).
    pub max_points: Option<usize>,
    /// List this many points drawn uniformly at random without replacement (at least 1).
    pub sample: Option<usize>,
    /// The seed of the sample.
    pub seed: u64,
    /// List every point in the table.
    pub all: bool,
    pub plot: Option<&'a Path>,
    /// The counted parties (indices into the scenario, in order; see `load::parties`).
    pub parties: Vec<usize>,
    /// Set every red line aside.
    pub ignore_red_lines: bool,
    /// Bargaining powers of the counted parties (in their order), for the Nash point.
    pub power: Option<Vec<f64>>,
}

/// How many times its default work the frontier programme may spend when the listing is
/// asked for (`--all`, `--max-points`).
const LISTING_WORK: u64 = 100;

/// The four solutions with their names in output.
fn solutions(f: &Frontier) -> [(&'static str, &'static str, &Solution); 4] {
    [
        ("nash", "Nash", &f.nash),
        ("egalitarian", "egalitarian", &f.egalitarian),
        ("kalai_smorodinsky", "Kalai-Smorodinsky", &f.kalai_smorodinsky),
        ("max_welfare", "max welfare", &f.max_welfare),
    ]
}

/// The number of outcomes in JSON: an integer when it fits in 64 bits, else its exact
/// digits as a string; beyond 128 bits, the string `"more than 340282366920938463463374607431768211455"`.
fn n_outcomes_json(n: Option<u128>) -> Value {
    match n {
        Some(n) => match u64::try_from(n) {
            Ok(n) => json!(n),
            Err(_) => json!(n.to_string()),
        },
        None => json!(format!("more than {}", u128::MAX)),
    }
}

/// The number of outcomes in words: exact, or "more than 3.4e38".
fn n_outcomes_words(n: Option<u128>) -> String {
    match n {
        Some(1) => "1 outcome".to_string(),
        Some(n) => format!("{n} outcomes"),
        None => "more than 3.4e38 outcomes".to_string(),
    }
}

fn point_json(s: &Scenario, p: &FrontierPoint) -> Value {
    json!({"utilities": p.utilities, "outcome": j::outcome(s, &p.outcome)})
}

/// A count in JSON: an integer when it fits in 64 bits, else its digits as a string.
fn count_json(n: u128) -> Value {
    u64::try_from(n).map_or_else(|_| json!(n.to_string()), |n| json!(n))
}

/// How many points, counted not listed, in words: "3", "between 1 and 2999999", "at least 1".
fn count_words(c: &Count) -> String {
    words::count_range(c.at_least, c.at_most)
}

/// A count, counted not listed, in JSON: `{ "at_least", "at_most", "exact", "listed" }` (the
/// shape of `tie_count` and `frontier_count`).
fn count_range_json(c: &Count, listed: usize) -> Value {
    json!({
        "at_least": count_json(c.at_least),
        "at_most": c.at_most.map(count_json),
        "exact": c.is_exact(),
        "listed": listed,
    })
}

fn solution_json(s: &Scenario, sol: &Solution) -> Value {
    let first = sol.points.first();
    json!({
        "utilities": first.map(|p| p.utilities.clone()),
        "outcome": first.map(|p| j::outcome(s, &p.outcome)),
        "ties": sol.points.iter().map(|p| point_json(s, p)).collect::<Vec<_>>(),
        "tie_count": count_range_json(&sol.ties, sol.points.len()),
        "exact": sol.exact,
        "termination": j::termination(sol.termination()),
        "note": sol.note,
    })
}

/// Writes the columns of a table of utilities (one column per party) by the words' rule for
/// compared numbers: 2 decimals, or as many more as tell apart two different numbers of a
/// column ([`words::column_decimals`]).
fn utility_columns(rows: &[&[f64]], n_parties: usize) -> Vec<Vec<String>> {
    let decimals: Vec<usize> = (0..n_parties)
        .map(|p| {
            let column: Vec<f64> = rows.iter().filter_map(|r| r.get(p).copied()).collect();
            words::column_decimals(&column)
        })
        .collect();
    rows.iter()
        .map(|r| r.iter().zip(&decimals).map(|(&x, &d)| words::num_with(x, d)).collect())
        .collect()
}

fn outcome_words(s: &Scenario, p: &FrontierPoint) -> String {
    p.outcome
        .options()
        .iter()
        .enumerate()
        .map(|(i, &k)| format!("{}: {}", s.issues()[i].name, s.issues()[i].option_label(k)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `detente frontier` (writes the plot when one is asked for).
pub fn frontier<'a>(
    s: &'a Scenario,
    args: &FrontierArgs<'_>,
) -> anyhow::Result<FrontierReport<'a>> {
    let b = detente_analysis::bargaining_scenario(s, &args.parties, args.ignore_red_lines)
        .map_err(|e| BadInput(e.to_string()))?;
    let mut options = FrontierOptions {
        power: args.power.clone(),
        sample: args.sample.map(|n| (n, args.seed)),
        ..FrontierOptions::default()
    };
    if args.all || args.max_points.is_some() {
        // Asked for the listing: the frontier programme may spend 100 times its default
        // work (a minute or so in a release build) before the count becomes a bound.
        options.max_work = options.max_work.saturating_mul(LISTING_WORK);
    }
    let f = detente_analysis::frontier(&b, &options).map_err(|e| BadInput(e.to_string()))?;
    let power = args.power.as_ref().map(|x| {
        let total: f64 = x.iter().sum();
        x.iter().map(|x| x / total).collect()
    });
    let listed: FrontierPoints = match (args.sample, args.max_points) {
        // From the whole frontier when it was counted, else from the points known.
        (Some(n), _) => f.sample.clone().unwrap_or_else(|| {
            f.points.select(&detente_analysis::uniform_sample(f.points.len(), n, args.seed))
        }),
        (None, Some(n)) => f.points.select(&(0..n.min(f.points.len())).collect::<Vec<_>>()),
        (None, None) => f.points.clone(),
    };
    if let Some(path) = args.plot {
        crate::output::write_file(
            path,
            plot_svg(&b, &f, &listed, args.ignore_red_lines).as_bytes(),
        )?;
    }
    Ok(FrontierReport {
        s,
        b,
        f,
        listed,
        max_points: args.max_points,
        sample: args.sample,
        seed: args.seed,
        all: args.all,
        ignore_red_lines: args.ignore_red_lines,
        power,
    })
}

/// `detente frontier`: the frontier of the counted parties (`b`, the scenario among them),
/// the points listed, and the listing flags.
pub struct FrontierReport<'a> {
    s: &'a Scenario,
    b: Scenario,
    f: Frontier,
    listed: FrontierPoints,
    max_points: Option<usize>,
    sample: Option<usize>,
    seed: u64,
    all: bool,
    ignore_red_lines: bool,
    /// The bargaining powers scaled to sum 1, when given.
    power: Option<Vec<f64>>,
}

impl FrontierReport<'_> {
    /// The frontier's size (or its lower bound) and whether every point is listed.
    fn size(&self) -> (usize, bool) {
        match self.f.size {
            FrontierSize::Exact(n) => (n, self.f.listed_all()),
            FrontierSize::AtLeast(n) => (n, false),
        }
    }
}

impl FrontierReport<'_> {
    /// The JSON object but its two long lists (`frontier`, `frontier_outcomes`).
    fn json_head(&self) -> serde_json::Map<String, Value> {
        let (args, s, b, f) = (self, self.s, &self.b, &self.f);
        let (size, complete) = self.size();
        let exact = f.exact();
        let mut v = json!({
            "scenario": s.meta().name,
            "parties": b.parties().iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
            "red_lines_ignored": args.ignore_red_lines,
            "n_outcomes": n_outcomes_json(f.n_outcomes),
            "reservations": b.parties().iter().map(|p| p.reservation).collect::<Vec<_>>(),
            "utility_ranges": f.utility_ranges.iter().map(|&(lo, hi)| json!([lo, hi])).collect::<Vec<_>>(),
            "disagreement": f.disagreement,
            "frontier_size": size,
            "frontier_size_exact": matches!(f.size, FrontierSize::Exact(_)),
            "frontier_size_at_most": f.size_at_most.map(|n| n_outcomes_json(Some(n))),
            "frontier_count": count_range_json(&f.count(), self.listed.len()),
            "frontier_complete": complete,
            "frontier_sampled": args.sample.is_some(),
            "exact": exact,
            "power": self.power,
        });
        if args.sample.is_some() {
            // Whether the points listed are a uniform sample of the whole frontier, and how
            // it was drawn when the frontier was not counted.
            v["frontier_sample_uniform"] = json!(f.sample.is_some() || complete);
            v["frontier_sample_note"] = json!(f.sample_note);
        }
        for (key, _, sol) in solutions(f) {
            v[key] = solution_json(s, sol);
        }
        match v {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }

    /// The listed points, one element a point: their utilities and their outcomes.
    fn json_lists(&self) -> [j::LongList<'_>; 2] {
        let (s, listed) = (self.s, &self.listed);
        [
            j::LongList {
                key: "frontier",
                len: listed.len(),
                item: Box::new(move |i| json!(listed.utilities(i))),
            },
            j::LongList {
                key: "frontier_outcomes",
                len: listed.len(),
                item: Box::new(move |i| j::outcome(s, &listed.outcome(i))),
            },
        ]
    }
}

impl Report for FrontierReport<'_> {
    fn json(&self) -> Value {
        j::with_lists(self.json_head(), &self.json_lists())
    }

    /// [`Report::json`]'s text, the points written one by one to `out` (a listing of 10^6
    /// points holds neither a JSON value of every point nor their text).
    fn write_json(
        &self,
        out: &mut dyn std::io::Write,
        extra: &serde_json::Map<String, Value>,
    ) -> std::io::Result<()> {
        let mut head = self.json_head();
        head.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        j::write_with_lists(head, &self.json_lists(), out)
    }

    fn text(&self) -> String {
        let (args, s, b, f, listed) = (self, self.s, &self.b, &self.f, &self.listed);
        let (size, complete) = self.size();
        let all_counted = b.parties().len() == s.parties().len();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {}, {}, {}",
            s.meta().name,
            words::count(s.parties().len(), "party", "parties"),
            words::count(s.issues().len(), "issue", "issues"),
            n_outcomes_words(f.n_outcomes)
        );
        if !all_counted {
            let ids: Vec<&str> = b.parties().iter().map(|p| p.id.as_str()).collect();
            let _ = writeln!(out, "Parties counted: {}.", words::and_list(&ids));
        }
        if let Some(power) = &self.power {
            let each: Vec<String> = b
                .parties()
                .iter()
                .zip(power)
                .map(|(p, x)| format!("{} {}", p.id, words::num(*x)))
                .collect();
            let _ = writeln!(
                out,
                "Bargaining power: {}; the Nash point is the asymmetric Nash solution (the largest product of the gains, each raised to its party's power).",
                words::and_list(&each)
            );
        }
        if args.ignore_red_lines {
            out.push_str(
            "RED LINES SET ASIDE: this is the frontier as if no party had a red line; a deal here may cross some (see `detente deadlock`).\n",
        );
        }
        let has_red_lines =
            b.stances().iter().flatten().flatten().any(|st| !st.red_lines.is_empty());
        let _ = writeln!(
            out,
            "Pareto frontier of the rational outcomes (every party at or above its reservation{}): {}",
            if has_red_lines {
                ", every red line kept"
            } else if args.ignore_red_lines {
                ", red lines set aside"
            } else {
                ""
            },
            {
                let c = f.count();
                let counted = words::counted(c.at_least, c.at_most, "point", "points");
                if complete {
                    counted
                } else if c.is_exact() {
                    format!(
                        "exactly {counted} (counted, not listed; the first {} in descending welfare are known)",
                        f.points.len()
                    )
                } else {
                    format!(
                        "{counted} (not exact: the listing stopped at its budget; {})",
                        match size {
                            0 => "no point is known to be on it",
                            1 => "the one listed is on it",
                            _ => "those listed are on it",
                        }
                    )
                }
            }
        );
        let mut header = vec![String::new()];
        header.extend(b.parties().iter().map(|p| p.id.clone()));
        let mut t = Table::new(header);
        let reservations: Vec<f64> = b.parties().iter().map(|p| p.reservation).collect();
        let best: Vec<f64> = f.utility_ranges.iter().map(|&(_, hi)| hi).collect();
        let mut labels =
            vec!["reservation".to_string(), "disagreement".into(), "best possible".into()];
        let mut values: Vec<&[f64]> = vec![&reservations, &f.disagreement, &best];
        let none = vec![f64::NAN; b.parties().len()];
        for (_, name, sol) in solutions(f) {
            let exact = if sol.exact { "" } else { ", not exact" };
            match sol.points.first() {
                None => {
                    labels.push(format!("{name} (none{exact})"));
                    values.push(&none);
                }
                Some(p) => {
                    let counted = sol.exact && sol.ties.at_most != Some(1);
                    labels.push(if counted {
                        format!("{name} (1 of {} ties)", count_words(&sol.ties))
                    } else if sol.points.len() > 1 {
                        format!("{name} (1 of {} ties{exact})", sol.points.len())
                    } else if sol.exact {
                        name.to_string()
                    } else {
                        format!("{name} (not exact)")
                    });
                    values.push(&p.utilities);
                }
            }
        }
        for (label, cells) in labels.into_iter().zip(utility_columns(&values, b.parties().len())) {
            let mut row = vec![label];
            // A solution that does not exist has no utilities: `-`.
            row.extend(cells.into_iter().map(|c| if c == "NaN" { "-".to_string() } else { c }));
            t.row(row);
        }
        out.push('\n');
        out.push_str(&t.render("  "));
        out.push('\n');
        for (_, name, sol) in solutions(f) {
            if let Some(p) = sol.points.first() {
                let _ = writeln!(out, "{name}: {}", outcome_words(s, p));
            }
            let listed = sol.points.len() as u128;
            if sol.exact && sol.ties.at_most != Some(listed) {
                let _ = writeln!(
                    out,
                    "  ({} frontier points tie at the optimum (counted, not listed{}); {listed} listed)",
                    count_words(&sol.ties),
                    if sol.ties.is_exact() {
                        ""
                    } else {
                        ", not exact: the upper end counts every outcome the search could not rule out"
                    }
                );
            }
            if !sol.exact {
                let _ = writeln!(
                    out,
                    "  (not exact: {})",
                    sol.note.as_deref().unwrap_or("see the documentation")
                );
            }
        }
        if !listed.is_empty() {
            let limit = if args.all || args.sample.is_some() || args.max_points.is_some() {
                listed.len()
            } else {
                listed.len().min(10)
            };
            let what = if complete { "" } else { " known" };
            let how = if args.sample.is_some() && f.sample.is_some() && !complete {
                let all = if f.count().is_exact() {
                    format!("all {size}")
                } else {
                    "the whole frontier".to_string()
                };
                format!(
                    ", {} drawn uniformly at random of {all} (seed {})",
                    listed.len(),
                    args.seed
                )
            } else if args.sample.is_some() && listed.len() < f.points.len() {
                let known = f.points.len();
                format!(
                    ", {} drawn uniformly at random of the {known}{what} (seed {})",
                    listed.len(),
                    args.seed
                )
            } else if limit < size {
                let more = if args.max_points.is_some() {
                    ""
                } else {
                    ", --all for every one, --max-points N for more, --sample N for a spread"
                };
                format!(", highest welfare first: the first {limit} of the {size}{what}{more}")
            } else {
                ", highest welfare first".to_string()
            };
            let _ = writeln!(out, "\nFrontier points{how}:");
            if let (Some(_), Some(note)) = (args.sample, &f.sample_note) {
                if f.sample.is_some() {
                    let _ = writeln!(out, "  ({note})");
                } else {
                    let _ = writeln!(out, "  (not a uniform sample of the frontier: {note})");
                }
            }
            let mut header = vec!["#".to_string()];
            header.extend(b.parties().iter().map(|p| p.id.clone()));
            let mut t = Table::new(header);
            let rows: Vec<&[f64]> = (0..limit).map(|i| listed.utilities(i)).collect();
            for (n, cells) in utility_columns(&rows, b.parties().len()).into_iter().enumerate() {
                let mut row = vec![(n + 1).to_string()];
                row.extend(cells);
                t.row(row);
            }
            out.push_str(&t.render("  "));
        }
        out.push('\n');
        out.push_str(&frontier_words(b, f, args.ignore_red_lines));
        out
    }
}

/// A few sentences on where the solutions put the agreement.
fn frontier_words(s: &Scenario, f: &Frontier, ignore_red_lines: bool) -> String {
    let Some(gains) = f.nash_gains() else {
        if !f.nash.exact {
            return "No rational outcome was found within the search budget; none is ruled out either.\n".to_string();
        }
        if ignore_red_lines {
            return "No outcome gives every party at least its reservation, even with the red lines set aside: there is nothing to bargain over.\n".to_string();
        }
        return "No outcome gives every party at least its reservation while keeping every red line: there is nothing to bargain over (see `detente deadlock`; `--ignore-red-lines` shows the frontier without them).\n".to_string();
    };
    let mut out = String::new();
    let same = |sol: &Solution| f.agrees_with_nash(sol);
    let mut agree = vec![];
    if same(&f.egalitarian) {
        agree.push("the egalitarian point");
    }
    if same(&f.kalai_smorodinsky) {
        agree.push("the Kalai-Smorodinsky point");
    }
    if same(&f.max_welfare) {
        agree.push("the welfare maximum");
    }
    let gains: Vec<String> = s
        .parties()
        .iter()
        .zip(gains)
        // A gain is compared with none: never written 0.00 when there is one.
        .map(|(party, gain)| format!("{} {}", party.name, words::distinct(gain, 0.0).0))
        .collect();
    let _ = writeln!(
        out,
        "The {} gives each party above its disagreement utility: {}.",
        if f.nash.exact {
            "Nash bargaining point"
        } else {
            "best Nash point found (not proved optimal)"
        },
        gains.join(", ")
    );
    if agree.is_empty() {
        out.push_str("The other solutions pick different outcomes: the choice of fairness rule matters here.\n");
    } else {
        let _ = writeln!(out, "It is also {}.", agree.join(" and "));
    }
    out
}

fn plot_svg(s: &Scenario, f: &Frontier, listed: &FrontierPoints, ignore_red_lines: bool) -> String {
    let name = |p: usize| s.parties().get(p).map_or("?", |party| party.name.as_str());
    let pt = |p: &FrontierPoint| {
        (p.utilities.first().copied().unwrap_or(0.0), p.utilities.get(1).copied().unwrap_or(0.0))
    };
    let points: Vec<(f64, f64)> = listed.iter().map(|p| pt(&p)).collect();
    let colours = ["#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
    let markers: Vec<plot::Marker<'_>> = solutions(f)
        .iter()
        .zip(colours)
        .filter_map(|((_, label, sol), colour)| {
            sol.points.first().map(|p| plot::Marker { label, at: pt(p), colour })
        })
        .collect();
    let d = (
        f.disagreement.first().copied().unwrap_or(0.0),
        f.disagreement.get(1).copied().unwrap_or(0.0),
    );
    let mut title = format!("{}: Pareto frontier", s.meta().name);
    if s.parties().len() > 2 {
        let _ = write!(title, " (first two of {} parties)", s.parties().len());
    }
    if ignore_red_lines {
        title.push_str(", red lines set aside");
    }
    let note = match f.size {
        FrontierSize::Exact(0) => Some("no rational outcome: the frontier is empty"),
        FrontierSize::AtLeast(_) if points.is_empty() => {
            Some("the frontier is too large to list: no point known")
        }
        _ => None,
    };
    plot::frontier_svg(&title, name(0), name(1), &points, d, &markers, note)
}

/// `detente divide` on a points table (CSV).
pub fn divide_csv(file: &str, text: &str) -> anyhow::Result<Division> {
    let t = adjusted_winner::read_points_csv(file, text).map_err(|e| BadInput(e.to_string()))?;
    let [a, b] = t.points;
    let aw = adjusted_winner::adjusted_winner(t.items, a, b)
        .map_err(|e| BadInput(format!("{file}: {e}")))?;
    let [a, b] = t.parties;
    Ok(Division { name: file.to_string(), aw, parties: [a, b] })
}

/// `detente divide` on a scenario, between the two `parties` (named with `--parties` when
/// `named`, else the counted parties by default).
pub fn divide_scenario(s: &Scenario, parties: &[usize], named: bool) -> anyhow::Result<Division> {
    if parties.len() != 2 {
        let ids: Vec<&str> = parties.iter().map(|&p| s.parties()[p].id.as_str()).collect();
        return Err(BadInput(if named {
            format!(
                "--parties: Adjusted Winner divides between exactly two parties; {} named",
                ids.len()
            )
        } else {
            format!(
                "{}: Adjusted Winner divides between exactly two parties, and this scenario counts {} ({}); name the two with --parties a,b, or divide among them with --method mnw or --method maximin",
                s.meta().name,
                ids.len(),
                words::and_list(&ids)
            )
        })
        .into());
    }
    let b = detente_analysis::bargaining_scenario(s, parties, false)
        .map_err(|e| BadInput(e.to_string()))?;
    let aw = adjusted_winner::adjusted_winner_for(&b)
        .map_err(|e| BadInput(format!("{}: {e}", s.meta().name)))?;
    let parties = [b.parties()[0].id.clone(), b.parties()[1].id.clone()];
    Ok(Division { name: s.meta().name.clone(), aw, parties })
}

/// `detente divide`: the Adjusted Winner division between two parties of a scenario or a
/// points table (`name`).
pub struct Division {
    name: String,
    aw: AdjustedWinner,
    parties: [String; 2],
}

impl Division {
    fn parts(&self) -> (&str, &AdjustedWinner, [&str; 2], Rational) {
        let parties = [self.parties[0].as_str(), self.parties[1].as_str()];
        (&self.name, &self.aw, parties, Rational::ONE)
    }
}

impl Report for Division {
    fn json(&self) -> Value {
        let (name, aw, parties, one) = self.parts();
        json!({
            "scenario": name,
            "procedure": "adjusted_winner",
            "parties": parties,
            "items": aw.items.iter().enumerate().map(|(i, item)| json!({
                "item": item,
                "points": [aw.points[0][i].to_string(), aw.points[1][i].to_string()],
                "share": [aw.shares[i].to_string(), (&one - &aw.shares[i]).to_string()],
            })).collect::<Vec<_>>(),
            "totals": [aw.totals[0].to_string(), aw.totals[1].to_string()],
            "totals_decimal": [aw.totals[0].to_f64(), aw.totals[1].to_f64()],
            "split_item": aw.split_item.map(|i| aw.items[i].clone()),
            "explanation": adjusted_winner::describe(aw, parties),
        })
    }

    fn text(&self) -> String {
        let (name, aw, parties, one) = self.parts();
        let mut out = format!("Adjusted Winner on {name}: {} and {}\n\n", parties[0], parties[1]);
        let mut t = Table::new(vec![
            "item".to_string(),
            parties[0].to_string(),
            parties[1].to_string(),
            "goes to".to_string(),
        ]);
        for (i, item) in aw.items.iter().enumerate() {
            let share = &aw.shares[i];
            let goes = if *share == one {
                parties[0].to_string()
            } else if share.is_zero() {
                parties[1].to_string()
            } else {
                let rest = &one - share;
                format!("split: {} {share}, {} {rest}", parties[0], parties[1])
            };
            t.row(vec![
                item.clone(),
                aw.points[0][i].to_string(),
                aw.points[1][i].to_string(),
                goes,
            ]);
        }
        out.push_str(&t.render("  "));
        let _ = writeln!(
            out,
            "\n  points each ends with: {} {} ({:.2}), {} {} ({:.2})\n",
            parties[0],
            aw.totals[0],
            aw.totals[0].to_f64(),
            parties[1],
            aw.totals[1],
            aw.totals[1].to_f64()
        );
        for line in adjusted_winner::describe(aw, parties) {
            let _ = writeln!(out, "{line}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_text_is_the_json_value_written_point_by_point() {
        // The points written one by one, with and without the what-if changes put around
        // them, read as the whole value written at once (sorted keys, pretty, same numbers).
        // The settings, `--as-of`, `--ignore-red-lines` and `--sample`.
        type Case = (&'static [&'static str], Option<&'static str>, bool, Option<usize>);
        let cases: [Case; 4] = [
            (&[], None, true, None),
            (&["russia.reservation=0.5"], Some("2025-11-21"), true, None),
            (&["russia.reservation=0.1"], None, false, Some(7)),
            (&[], None, false, None),
        ];
        for (set, as_of, ignore_red_lines, sample) in cases {
            let args = crate::what_if::SetArgs {
                set: set.iter().map(|x| x.to_string()).collect(),
                as_of: as_of.map(str::to_string),
            };
            let (s, shown) =
                crate::what_if::load(crate::load::any("ukraine-2025").expect("shipped"), &args)
                    .expect("valid settings");
            let flags = FrontierArgs {
                max_points: None,
                sample,
                seed: 3,
                all: true,
                plot: None,
                parties: crate::load::parties(&s, Some(&["ukraine".into(), "us".into()]))
                    .expect("two parties"),
                ignore_red_lines,
                power: None,
            };
            let report = frontier(&s, &flags).expect("a frontier");
            let said = shown.around(&report);
            let text = said.json_text();
            assert_eq!(text, j::to_json(&said.json()), "{set:?} {as_of:?}");
            let v: Value = serde_json::from_str(&text).expect("JSON");
            let listed = v["frontier"].as_array().expect("a list").len();
            assert_eq!(listed, report.listed.len());
            assert_eq!(v["frontier_outcomes"].as_array().expect("a list").len(), listed);
            assert_eq!(v.get("what_if").is_some(), !set.is_empty());
            assert_eq!(v.get("left_out_as_later").is_some(), as_of.is_some());
            if ignore_red_lines {
                assert!(listed > 100, "{listed} points");
            }
        }
    }

    #[test]
    fn utility_columns_tell_compared_numbers_apart() {
        // Column by column: 2 decimals, more only where two different numbers print alike.
        let reservation = [0.45, 0.35];
        let nash = [0.452, 0.5];
        let nan = [f64::NAN, f64::NAN];
        let rows = utility_columns(&[&reservation, &nash, &nan], 2);
        assert_eq!(rows[0], ["0.450", "0.35"]);
        assert_eq!(rows[1], ["0.452", "0.50"]);
        assert_eq!(rows[2], ["NaN", "NaN"]);
        let rows = utility_columns(&[&[30.5, 0.6667], &[28.0, 0.6663]], 2);
        assert_eq!(rows, [["30.50", "0.667"], ["28.00", "0.666"]]);
    }
}
