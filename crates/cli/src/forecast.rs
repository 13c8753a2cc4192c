//! `detente forecast`: where positions move (KTAB's Spatial Model of Politics) or where a
//! simple baseline (compromise, weighted median) puts the outcome.

use std::fmt::Write as _;
use std::path::Path;

use detente_forecast::{SmpInput, SmpParams, StateTransitions};
use serde_json::json;

use crate::BadInput;
use crate::load;
use crate::plot;
use crate::report::{Table, to_json};

/// The forecasting model asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Model {
    /// KTAB's Spatial Model of Politics: rounds of challenges and bargains.
    Smp,
    /// Capability x salience weighted mean of the positions.
    Compromise,
    /// Capability x salience weighted median of the positions.
    Median,
}

impl Model {
    fn as_str(self) -> &'static str {
        match self {
            Model::Smp => "smp",
            Model::Compromise => "compromise",
            Model::Median => "median",
        }
    }
}

/// Options of `detente forecast`.
pub struct ForecastArgs<'a> {
    pub model: Model,
    pub seed: Option<u64>,
    pub stochastic: bool,
    pub max_rounds: Option<usize>,
    pub plot: Option<&'a Path>,
}

/// Reads a KTAB CSV or XML file, or a scenario whose issues are all scales.
pub fn input(arg: &str) -> Result<(SmpInput, SmpParams, String), BadInput> {
    let lower = arg.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".xml") {
        let text = std::fs::read_to_string(arg)
            .map_err(|e| BadInput(format!("{arg}: cannot read: {e}")))?;
        if lower.ends_with(".csv") {
            let (input, info) = detente_forecast::ktab::parse_csv(arg, &text)
                .map_err(|e| BadInput(e.to_string()))?;
            return Ok((input, SmpParams::default(), info.name));
        }
        let (input, params, info) = detente_forecast::ktab::parse_xml_with_info(arg, &text)
            .map_err(|e| BadInput(e.to_string()))?;
        return Ok((input, params, info.name));
    }
    let s = load::scenario(arg).map_err(|e| BadInput(e.to_string()))?;
    let input = detente_forecast::from_scenario(&s).map_err(|e| BadInput(format!("{arg}: {e}")))?;
    Ok((input, SmpParams::default(), s.meta.name.clone()))
}

/// The probability-weighted position per dimension: each distinct position (actors within
/// 0.1 of one another share one) counted once with its win probability.
fn expected(positions: &[Vec<f64>], probabilities: &[f64], n_dims: usize) -> Vec<f64> {
    let mut reps: Vec<(usize, f64)> = vec![];
    for (a, pos) in positions.iter().enumerate() {
        let close = |b: usize| {
            let d2: f64 = pos.iter().zip(&positions[b]).map(|(x, y)| (x - y) * (x - y)).sum();
            d2.sqrt() < 0.1
        };
        if !reps.iter().any(|&(b, _)| close(b)) {
            reps.push((a, probabilities.get(a).copied().unwrap_or(0.0)));
        }
    }
    let total: f64 = reps.iter().map(|&(_, p)| p).sum();
    (0..n_dims)
        .map(|d| {
            if total > 0.0 {
                reps.iter().map(|&(a, p)| p * positions[a][d]).sum::<f64>() / total
            } else {
                f64::NAN
            }
        })
        .collect()
}

fn most_likely(positions: &[Vec<f64>], probabilities: &[f64]) -> Option<(usize, f64)> {
    probabilities
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .filter(|_| !positions.is_empty())
}

/// Each round's positions (`[actor][dim]`) and win probabilities (per actor).
type Rounds = Vec<(Vec<Vec<f64>>, Vec<f64>)>;

/// `detente forecast`.
pub fn forecast(arg: &str, args: &ForecastArgs<'_>, as_json: bool) -> anyhow::Result<String> {
    let (input, mut params, name) = input(arg)?;
    if let Some(seed) = args.seed {
        params.seed = seed;
    }
    if args.stochastic {
        params.transitions = StateTransitions::Stochastic;
    }
    if let Some(r) = args.max_rounds {
        params.max_rounds = r;
    }
    let n_dims = input.dimensions.len();
    let actors: Vec<String> = input.actors.iter().map(|a| a.name.clone()).collect();
    // Rounds as (positions, probabilities); the baselines have the starting positions only.
    let (rounds, forecast): (Rounds, Vec<f64>) = match args.model {
        Model::Smp => {
            let run = detente_forecast::run_smp(&input, &params)
                .map_err(|e| BadInput(format!("{arg}: {e}")))?;
            let last = run.last();
            let f = expected(&last.positions, &last.probabilities, n_dims);
            (run.rounds.iter().map(|r| (r.positions.clone(), r.probabilities.clone())).collect(), f)
        }
        Model::Compromise => {
            input.validate().map_err(|e| BadInput(format!("{arg}: {e}")))?;
            (vec![(input.positions.clone(), vec![])], detente_forecast::compromise(&input))
        }
        Model::Median => {
            input.validate().map_err(|e| BadInput(format!("{arg}: {e}")))?;
            (vec![(input.positions.clone(), vec![])], detente_forecast::weighted_median(&input))
        }
    };
    if let Some(path) = args.plot {
        let traj: Vec<Vec<Vec<f64>>> = rounds.iter().map(|(p, _)| p.clone()).collect();
        let title = format!("{name}: {} positions by round", args.model.as_str());
        let svg = plot::trajectories_svg(&title, &actors, &input.dimensions, &traj);
        crate::output::write_file(path, svg.as_bytes())?;
    }
    let (final_positions, final_probs) = rounds.last().cloned().unwrap_or_default();
    if as_json {
        let mut v = json!({
            "model": args.model.as_str(),
            "scenario": name,
            "actors": input.actors.iter().map(|a| json!({"name": a.name, "capability": a.capability})).collect::<Vec<_>>(),
            "dimensions": input.dimensions,
            "rounds": rounds.iter().enumerate().map(|(r, (pos, probs))| json!({
                "round": r, "positions": pos, "probabilities": probs,
            })).collect::<Vec<_>>(),
            "forecast": forecast,
        });
        if args.model == Model::Smp {
            v["seed"] = json!(params.seed);
            v["transitions"] = json!(params.transitions.keyword());
            v["most_likely"] =
                json!(most_likely(&final_positions, &final_probs).map(|(a, p)| json!({
                    "actor": actors[a], "position": final_positions[a], "probability": p,
                })));
        }
        return Ok(to_json(&v));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{name}: {} actors, {} dimensions, model {}{}",
        actors.len(),
        n_dims,
        args.model.as_str(),
        if args.model == Model::Smp {
            format!(
                ", {} rounds ({})",
                rounds.len().saturating_sub(1),
                params.transitions.keyword()
            )
        } else {
            String::new()
        }
    );
    out.push('\n');
    let mut header = vec!["actor".to_string()];
    for d in &input.dimensions {
        header.push(format!("{d} (start)"));
        if args.model == Model::Smp {
            header.push(format!("{d} (end)"));
        }
    }
    if args.model == Model::Smp {
        header.push("P(win)".to_string());
    }
    let mut t = Table::new(header);
    for (a, actor) in actors.iter().enumerate() {
        let mut row = vec![actor.clone()];
        for (start, end) in input.positions[a].iter().zip(&final_positions[a]) {
            row.push(format!("{start:.2}"));
            if args.model == Model::Smp {
                row.push(format!("{end:.2}"));
            }
        }
        if args.model == Model::Smp {
            row.push(format!("{:.4}", final_probs.get(a).copied().unwrap_or(0.0)));
        }
        t.row(row);
    }
    out.push_str(&t.render("  "));
    out.push('\n');
    let compromise = detente_forecast::compromise(&input);
    let median = detente_forecast::weighted_median(&input);
    let mut t = Table::new(
        ["dimension", "forecast", "compromise", "weighted median"].map(String::from).to_vec(),
    );
    for (d, dim) in input.dimensions.iter().enumerate() {
        t.row(vec![
            dim.clone(),
            format!("{:.2}", forecast[d]),
            format!("{:.2}", compromise[d]),
            format!("{:.2}", median[d]),
        ]);
    }
    out.push_str("Likely outcome per dimension (0-100):\n");
    out.push_str(&t.render("  "));
    out.push('\n');
    match args.model {
        Model::Smp => {
            if let Some((a, p)) = most_likely(&final_positions, &final_probs) {
                let _ = writeln!(
                    out,
                    "After {} rounds of challenges and bargains, the position most likely to prevail is {}'s ({}; probability {:.2}). The forecast above weights each final position by its chance of winning.",
                    rounds.len().saturating_sub(1),
                    actors[a],
                    final_positions[a].iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(", "),
                    p
                );
            }
        }
        Model::Compromise => out.push_str(
            "The compromise model puts the outcome at the capability x salience weighted mean of the positions.\n",
        ),
        Model::Median => out.push_str(
            "The median model puts the outcome at the capability x salience weighted median position: no coalition on either side of it outweighs the other.\n",
        ),
    }
    Ok(out)
}

/// `detente import ktab`: a KTAB input as a scenario (positions as ideals, salience as weight).
pub fn import_ktab(arg: &str) -> Result<(detente_core::Scenario, bool), BadInput> {
    let (input, params, _) = input(arg)?;
    let s = detente_forecast::to_scenario(&input).map_err(|e| BadInput(format!("{arg}: {e}")))?;
    Ok((s, params != SmpParams::default()))
}
