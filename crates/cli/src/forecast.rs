//! `detente forecast`: where positions move (KTAB's Spatial Model of Politics) or where a
//! simple baseline (compromise, weighted median) puts the outcome. The model computes;
//! this module only chooses the input and prints what the model says.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use detente_forecast::{
    Contender, ErrorKind, EumInput, EumParams, EumRun, MAX_STORED_CELLS, SmpInput, SmpParams,
    SmpRun, StateTransitions, Stop, run_eum,
};
use detente_scenario::InputKind;
use detente_words::{and_list, count, num};
use serde_json::{Value, json};

use crate::BadInput;
use crate::json::num as jnum;
use crate::load;
use crate::plot;
use crate::printer::Report;
use crate::table::Table;
use crate::what_if::{self, Shown};

/// The forecasting model asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Model {
    /// KTAB's Spatial Model of Politics: rounds of challenges and bargains.
    Smp,
    /// Capability x salience weighted mean of the positions.
    Compromise,
    /// Capability x salience weighted median of the positions.
    Median,
    /// Bueno de Mesquita's expected utility model, one dimension at a time
    /// (docs/forecast-eum.md).
    Eum,
}

impl Model {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Model::Smp => "smp",
            Model::Compromise => "compromise",
            Model::Median => "median",
            Model::Eum => "eum",
        }
    }
}

/// Options of `detente forecast`.
pub struct ForecastArgs<'a> {
    pub model: Model,
    pub seed: Option<u64>,
    pub stochastic: bool,
    pub max_rounds: Option<usize>,
    pub max_work: Option<u64>,
    pub parties: Option<&'a [String]>,
    pub plot: Option<&'a Path>,
    /// What-if settings (a scenario only).
    pub set: &'a what_if::SetArgs,
}

/// A forecast's input: the actors counted, the model's options, the scenario's name, and
/// how many actors the file has (the counted ones may be fewer).
struct Source {
    input: SmpInput,
    params: SmpParams,
    name: String,
    n_all: usize,
    /// The what-if changes made to a scenario.
    shown: Shown,
}

/// A scenario forecast point by point (`crate::forecast_points`): the scenario, the
/// counted parties, the what-if changes made.
struct ByPoint {
    scenario: detente_core::Scenario,
    counted: Vec<usize>,
    shown: Shown,
}

/// Reads a KTAB CSV or XML file, or a scenario whose issues are all scales, keeping only
/// the actors `parties` names (party ids of a scenario, actor names of a KTAB file); a
/// scenario with discrete points, or parties without a stance on some point, is forecast
/// point by point (`Err(ByPoint)` in the `Ok`).
fn source(
    arg: &str,
    loaded: load::Named,
    parties: Option<&[String]>,
    args: &what_if::SetArgs,
) -> Result<Result<Source, Box<ByPoint>>, BadInput> {
    let set = &args.set;
    let (s, shown) = match loaded {
        load::Named::Scenario(s) => what_if::load(*s, args)?,
        load::Named::Other {
            name,
            bytes,
            kind: kind @ (InputKind::KtabCsv | InputKind::KtabXml),
        } => {
            what_if::refuse(
                set,
                &format!(
                    "a KTAB input is not a scenario: import it (`detente import ktab {arg}`) and change the scenario"
                ),
            )?;
            what_if::refuse_as_of(args, "a KTAB input")?;
            let text = load::utf8(&name, bytes)?;
            let (input, params, name) = if kind == InputKind::KtabCsv {
                let (input, info) = detente_forecast::ktab::parse_csv(&name, &text)
                    .map_err(|e| BadInput(e.to_string()))?;
                (input, SmpParams::default(), info.name)
            } else {
                let (input, params, info) =
                    detente_forecast::ktab::parse_xml_with_info(&name, &text)
                        .map_err(|e| BadInput(e.to_string()))?;
                (input, params, info.name)
            };
            let n_all = input.n_actors();
            let Some(names) = parties else {
                return Ok(Ok(Source { input, params, name, n_all, shown: Shown::default() }));
            };
            let keep = at_least_two(actors_named(&input, names)?)?;
            return Ok(Ok(Source {
                input: input.restrict(&keep),
                params: params.restrict(&keep),
                name,
                n_all,
                shown: Shown::default(),
            }));
        }
        load::Named::Other { kind, .. } => {
            return Err(BadInput(load::not_for(arg, kind).to_string()));
        }
    };
    let keep = match parties {
        // Forecast counts every party: every actor pushes the outcome.
        None => (0..s.parties().len()).collect(),
        Some(ids) => at_least_two(load::parties(&s, Some(ids))?)?,
    };
    if crate::forecast_points::by_point(&s, &keep) {
        return Ok(Err(Box::new(ByPoint { scenario: s, counted: keep, shown })));
    }
    let input = detente_forecast::from_scenario_parties(&s, &keep)
        .map_err(|e| BadInput(format!("{arg}: {e}")))?;
    Ok(Ok(Source {
        input,
        params: SmpParams::default(),
        name: s.meta().name.clone(),
        n_all: s.parties().len(),
        shown,
    }))
}

/// Refuses a choice of fewer than two actors.
fn at_least_two(keep: Vec<usize>) -> Result<Vec<usize>, BadInput> {
    if keep.len() < 2 {
        return Err(BadInput(
            "--parties: name at least 2 actors (the model weighs actors against one another)"
                .to_string(),
        ));
    }
    Ok(keep)
}

/// The indices of the actors `names` names, in the file's order; unknown or repeated names
/// are refused.
fn actors_named(input: &SmpInput, names: &[String]) -> Result<Vec<usize>, BadInput> {
    if names.is_empty() || names.iter().any(String::is_empty) {
        return Err(BadInput("--parties: name actors, separated by commas".to_string()));
    }
    let index: HashMap<&str, usize> =
        input.actors.iter().enumerate().map(|(i, a)| (a.name.as_str(), i)).collect();
    let mut chosen = Vec::with_capacity(names.len());
    let mut named = vec![false; input.n_actors()];
    for name in names {
        let Some(&i) = index.get(name.as_str()) else {
            return Err(BadInput(format!("--parties: no actor is named {name:?}")));
        };
        if std::mem::replace(&mut named[i], true) {
            return Err(BadInput(format!("--parties: actor {name:?} is named twice")));
        }
        chosen.push(i);
    }
    chosen.sort_unstable();
    Ok(chosen)
}

/// Refuses options that a baseline model would not use.
fn check_model_flags(args: &ForecastArgs<'_>) -> Result<(), BadInput> {
    if args.model != Model::Smp {
        let unused = [
            (args.stochastic, "--stochastic"),
            (args.seed.is_some(), "--seed"),
            (args.max_rounds.is_some() && args.model != Model::Eum, "--max-rounds"),
            (args.max_work.is_some(), "--max-work"),
        ];
        if let Some((_, flag)) = unused.iter().find(|(given, _)| *given) {
            if args.model == Model::Eum {
                return Err(BadInput(format!(
                    "{flag} applies to --model smp only; the eum model is deterministic and takes --max-rounds only"
                )));
            }
            return Err(BadInput(format!(
                "{flag} applies to --model smp only; the {} model is computed in one step, deterministically",
                args.model.as_str()
            )));
        }
    }
    Ok(())
}

/// Refuses a seed that a deterministic run would not use.
fn check_seed(args: &ForecastArgs<'_>, params: &SmpParams) -> Result<(), BadInput> {
    if args.seed.is_some() && params.transitions == StateTransitions::Deterministic {
        return Err(BadInput(
            "--seed applies to stochastic runs only: add --stochastic (this run is deterministic)"
                .to_string(),
        ));
    }
    Ok(())
}

/// Per dimension, a position as people read it: `26.18, 63.71`.
fn position(p: &[f64]) -> String {
    p.iter().map(|&x| num(x)).collect::<Vec<_>>().join(", ")
}

fn contender_json(c: &Contender, names: &[String]) -> Value {
    json!({
        "actors": c.actors.iter().map(|&a| names[a].as_str()).collect::<Vec<_>>(),
        "position": c.position.iter().map(|&x| jnum(x)).collect::<Vec<_>>(),
        "probability": jnum(c.probability),
    })
}

pub(crate) fn stop_keyword(stop: Stop) -> &'static str {
    match stop {
        Stop::Converged => "converged",
        Stop::MaxRounds => "max_rounds",
        Stop::Budget => "budget",
        Stop::Storage => "storage",
    }
}

/// `detente forecast`.
pub fn forecast(arg: &str, args: &ForecastArgs<'_>) -> anyhow::Result<(Box<dyn Report>, Shown)> {
    // Flags a baseline would ignore are refused before the file is read.
    check_model_flags(args)?;
    let loaded = load::named(arg).map_err(|e| BadInput(e.to_string()))?;
    forecast_named(arg, loaded, args)
}

/// `detente forecast` of what was read from `arg` (a scenario, or a KTAB input).
pub fn forecast_named(
    arg: &str,
    loaded: load::Named,
    args: &ForecastArgs<'_>,
) -> anyhow::Result<(Box<dyn Report>, Shown)> {
    let (forecasted, shown) = forecasted(arg, loaded, args)?;
    let report: Box<dyn Report> = match forecasted {
        Forecasted::Joint(f) => f,
        Forecasted::Points(p) => p,
    };
    Ok((report, shown))
}

/// A forecast: a joint run of the dimensions, or point by point.
pub enum Forecasted {
    Joint(Box<Forecast>),
    Points(Box<crate::forecast_points::PointsForecast>),
}

impl Forecasted {
    /// The report, as the command prints it.
    pub fn report(&self) -> &dyn Report {
        match self {
            Forecasted::Joint(f) => f.as_ref(),
            Forecasted::Points(p) => p.as_ref(),
        }
    }
}

/// [`forecast_named`], the forecast as it is (the server draws its rounds).
pub fn forecasted(
    arg: &str,
    loaded: load::Named,
    args: &ForecastArgs<'_>,
) -> anyhow::Result<(Forecasted, Shown)> {
    check_model_flags(args)?;
    let model = args.model;
    let Source { input, mut params, name, n_all, shown } =
        match source(arg, loaded, args.parties, args.set)? {
            Ok(source) => source,
            Err(by_point) => return forecast_by_point(arg, args, *by_point),
        };
    if args.stochastic {
        params.transitions = StateTransitions::Stochastic;
    }
    check_seed(args, &params)?;
    if let Some(seed) = args.seed {
        params.seed = seed;
    }
    if let Some(r) = args.max_rounds {
        params.max_rounds = r;
    }
    if let Some(w) = args.max_work {
        params.max_work = w;
    }
    input.validate().map_err(|e| BadInput(format!("{arg}: {e}")))?;
    let names: Vec<String> = input.actors.iter().map(|a| a.name.clone()).collect();
    let smp = match model {
        Model::Smp => Some(detente_forecast::run_smp(&input, &params).map_err(|e| {
            let flag = if e.kind() == ErrorKind::Budget { " (--max-work)" } else { "" };
            BadInput(format!("{arg}: {e}{flag}"))
        })?),
        Model::Compromise | Model::Median | Model::Eum => None,
    };
    let eum = match model {
        Model::Eum => {
            Some(eum_runs(&input, args.max_rounds).map_err(|e| BadInput(format!("{arg}: {e}")))?)
        }
        _ => None,
    };
    let forecast = match (&smp, model) {
        (Some(o), _) => o.last().expected(),
        (None, Model::Eum) => {
            eum.as_ref().map(|e| e.runs.iter().map(EumRun::forecast).collect()).unwrap_or_default()
        }
        (None, Model::Median) => detente_forecast::weighted_median(&input),
        (None, _) => detente_forecast::compromise(&input),
    };
    let compromise = detente_forecast::compromise(&input);
    let median = detente_forecast::weighted_median(&input);
    let report = Forecast {
        model,
        name,
        input,
        params,
        smp,
        eum,
        forecast,
        compromise,
        median,
        names,
        n_all,
    };
    if let Some(path) = args.plot {
        crate::output::write_file(path, report.plot().as_bytes())?;
    }
    Ok((Forecasted::Joint(Box::new(report)), shown))
}

/// `detente forecast` of a scenario point by point (`crate::forecast_points`).
fn forecast_by_point(
    arg: &str,
    args: &ForecastArgs<'_>,
    by_point: ByPoint,
) -> anyhow::Result<(Forecasted, Shown)> {
    let ByPoint { scenario, counted, shown } = by_point;
    let Some(index) = crate::forecast_points::spatial_index(args.model) else {
        return Err(BadInput(format!(
            "{arg}: --model {} does not run point by point yet (use smp, compromise or median)",
            args.model.as_str()
        ))
        .into());
    };
    if args.plot.is_some() {
        return Err(BadInput(format!(
            "{arg}: --plot draws a joint run's positions round by round; this scenario is forecast point by point (it has discrete points, or parties without a stance on some point), which draws nothing"
        ))
        .into());
    }
    let mut params = SmpParams::default();
    if args.stochastic {
        params.transitions = StateTransitions::Stochastic;
    }
    check_seed(args, &params)?;
    if let Some(seed) = args.seed {
        params.seed = seed;
    }
    if let Some(r) = args.max_rounds {
        params.max_rounds = r;
    }
    if let Some(w) = args.max_work {
        params.max_work = w;
    }
    let points = detente_forecast::forecast_points(&scenario, &counted, &params).map_err(|e| {
        let flag = if e.kind() == ErrorKind::Budget { " (--max-work)" } else { "" };
        BadInput(format!("{arg}: {e}{flag}"))
    })?;
    let report = crate::forecast_points::PointsForecast {
        model: args.model,
        index,
        scenario,
        counted,
        params,
        points,
    };
    Ok((Forecasted::Points(Box::new(report)), shown))
}

/// The expected utility model's runs, one per dimension, and the states as
/// `[round][actor][dim]` (a dimension that stopped early keeps its last positions).
struct EumRuns {
    runs: Vec<EumRun>,
    states: Vec<Vec<Vec<f64>>>,
}

/// Runs the expected utility model on each dimension (saliences divided by 100).
fn eum_runs(input: &SmpInput, max_rounds: Option<usize>) -> Result<EumRuns, String> {
    let mut params = EumParams::default();
    if let Some(r) = max_rounds {
        params.max_rounds = r;
    }
    let mut runs = vec![];
    for (d, dim) in input.dimensions.iter().enumerate() {
        let e = EumInput {
            positions: input.positions.iter().map(|p| p[d]).collect(),
            capabilities: input.actors.iter().map(|a| a.capability).collect(),
            saliences: input.salience.iter().map(|s| s[d] / 100.0).collect(),
        };
        runs.push(run_eum(&e, &params).map_err(|e| format!("dimension {dim:?}: {e}"))?);
    }
    let n_rounds = runs.iter().map(|r| r.rounds.len()).max().unwrap_or(1);
    let states = (0..n_rounds)
        .map(|t| {
            (0..input.n_actors())
                .map(|a| {
                    runs.iter().map(|r| r.rounds[t.min(r.rounds.len() - 1)].positions[a]).collect()
                })
                .collect()
        })
        .collect();
    Ok(EumRuns { runs, states })
}

/// `detente forecast`: the model's run (SMP) or the baseline's outcome, with both baselines
/// for comparison.
pub struct Forecast {
    model: Model,
    name: String,
    input: SmpInput,
    params: SmpParams,
    smp: Option<SmpRun>,
    eum: Option<EumRuns>,
    forecast: Vec<f64>,
    compromise: Vec<f64>,
    median: Vec<f64>,
    names: Vec<String>,
    n_all: usize,
}

impl Forecast {
    /// The positions round by round, one panel per dimension (`--plot`'s picture).
    pub fn plot(&self) -> String {
        let traj: Vec<Vec<Vec<f64>>> = self.rounds().iter().map(|(p, _)| p.to_vec()).collect();
        let title = format!("{}: {} positions by round", self.name, self.model.as_str());
        plot::trajectories_svg(&title, &self.names, &self.input.dimensions, &traj)
    }

    /// Each state's positions (`[actor][dim]`) and win probabilities (per actor); the
    /// baselines have the starting positions only, without probabilities.
    fn rounds(&self) -> Vec<(&[Vec<f64>], &[f64])> {
        match (&self.smp, &self.eum) {
            (Some(run), _) => {
                run.rounds.iter().map(|r| (&r.positions[..], &r.probabilities[..])).collect()
            }
            (None, Some(e)) => e.states.iter().map(|p| (&p[..], &[][..])).collect(),
            (None, None) => vec![(&self.input.positions[..], &[][..])],
        }
    }
}

impl Report for Forecast {
    fn json(&self) -> Value {
        let Forecast { model, name, input, params, smp, eum, forecast, names, n_all, .. } = self;
        let rounds = self.rounds();
        let rows = |p: &[Vec<f64>]| -> Vec<Vec<Value>> {
            p.iter().map(|r| r.iter().map(|&x| jnum(x)).collect()).collect()
        };
        let mut v = json!({
            "model": model.as_str(),
            "scenario": name,
            "actors": input.actors.iter().map(|a| json!({"name": a.name, "capability": jnum(a.capability)})).collect::<Vec<_>>(),
            "dimensions": input.dimensions,
            "rounds": rounds.iter().enumerate().map(|(r, (pos, probs))| json!({
                "round": r,
                "positions": rows(pos),
                "probabilities": probs.iter().map(|&p| jnum(p)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "forecast": forecast.iter().map(|&x| jnum(x)).collect::<Vec<_>>(),
            "actors_in_file": n_all,
        });
        if let Some(e) = eum {
            v["eum"] = e
                .runs
                .iter()
                .zip(&input.dimensions)
                .map(|(r, d)| {
                    let last = r.rounds.last();
                    json!({
                        "dimension": d,
                        "stop": stop_keyword(r.stop),
                        "rounds": r.rounds.len() - 1,
                        "median": jnum(r.forecast()),
                        "mean": jnum(last.map_or(0.0, |l| l.mean)),
                        "work": r.work,
                    })
                })
                .collect::<Vec<_>>()
                .into();
        }
        if let Some(o) = &smp {
            let last = o.last();
            v["seed"] = json!(params.seed);
            v["transitions"] = json!(params.transitions.keyword());
            v["stop"] = json!(stop_keyword(o.stop));
            v["max_rounds"] = json!(params.max_rounds);
            v["max_work"] = json!(params.max_work);
            v["work"] = json!(o.work);
            v["outcomes"] =
                json!(last.contenders.iter().map(|c| contender_json(c, names)).collect::<Vec<_>>());
            v["most_likely"] = json!(
                last.most_likely()
                    .into_iter()
                    .map(|c| contender_json(c, names))
                    .collect::<Vec<_>>()
            );
        }
        v
    }

    fn text(&self) -> String {
        let Forecast {
            model,
            name,
            input,
            params,
            smp,
            eum,
            forecast,
            compromise,
            median,
            names,
            n_all,
        } = self;
        let rounds = self.rounds();
        // The positions' end columns: the models that move them.
        let moves = smp.is_some() || eum.is_some();
        let n = names.len();
        let counted = (n < *n_all).then(|| {
            format!(
                "{} of {} counted ({}): the others are left out of the model",
                n,
                count(*n_all, "actor", "actors"),
                and_list(names)
            )
        });
        let mut out = String::new();
        let n_rounds = rounds.len().saturating_sub(1);
        let _ = write!(
            out,
            "{name}: {}, {}, model {}",
            count(n, "actor", "actors"),
            count(input.n_dims(), "dimension", "dimensions"),
            model.as_str(),
        );
        if let Some(o) = &smp {
            let _ = write!(
                out,
                ", {} ({}), {}",
                count(n_rounds, "round", "rounds"),
                params.transitions.keyword(),
                match o.stop {
                    Stop::Converged => "converged".to_string(),
                    Stop::MaxRounds if n_rounds == 0 => "no round run (--max-rounds 0)".to_string(),
                    Stop::MaxRounds => {
                        format!("not converged (stopped at --max-rounds {})", params.max_rounds)
                    }
                    Stop::Budget => format!(
                        "not converged (stopped at the work budget, --max-work {})",
                        params.max_work
                    ),
                    Stop::Storage => format!(
                        "not converged (stopped at the {MAX_STORED_CELLS} actor x (dimension + 1) cells a run keeps)"
                    ),
                }
            );
        }
        out.push('\n');
        if let Some(c) = &counted {
            let _ = writeln!(out, "{c}.");
        }
        out.push('\n');
        let (final_positions, final_probs) = rounds.last().copied().unwrap_or_default();
        let mut header = vec!["actor".to_string()];
        for d in &input.dimensions {
            header.push(format!("{d} (start)"));
            if moves {
                header.push(format!("{d} (end)"));
            }
        }
        if smp.is_some() {
            header.push("P(win)".to_string());
        }
        let mut t = Table::new(header);
        for (a, actor) in names.iter().enumerate() {
            let mut row = vec![actor.clone()];
            for (&start, &end) in input.positions[a].iter().zip(&final_positions[a]) {
                row.push(num(start));
                if moves {
                    row.push(num(end));
                }
            }
            if smp.is_some() {
                row.push(num(final_probs.get(a).copied().unwrap_or(0.0)));
            }
            t.row(row);
        }
        out.push_str(&t.render("  "));
        out.push('\n');
        let mut t = Table::new(
            ["dimension", "forecast", "compromise", "weighted median"].map(String::from).to_vec(),
        );
        for (d, dim) in input.dimensions.iter().enumerate() {
            t.row(vec![dim.clone(), num(forecast[d]), num(compromise[d]), num(median[d])]);
        }
        out.push_str("Likely outcome per dimension (0-100):\n");
        out.push_str(&t.render("  "));
        out.push('\n');
        match &smp {
        Some(o) => {
            let last = o.last();
            let best = last.most_likely();
            let holders = |c: &Contender| {
                and_list(&c.actors.iter().map(|&a| names[a].as_str()).collect::<Vec<_>>())
            };
            let when = match (o.stop, n_rounds) {
                (Stop::Budget, 0) => format!(
                    "With no round run (the first did not fit in the work budget, --max-work {}), ",
                    params.max_work
                ),
                (_, 0) => "With no round run (--max-rounds 0), ".to_string(),
                (Stop::Converged, r) => format!(
                    "After {} of challenges and bargains the positions converged: ",
                    count(r, "round", "rounds")
                ),
                (_, r) => format!(
                    "After {} of challenges and bargains, the positions still moving (not converged), ",
                    count(r, "round", "rounds")
                ),
            };
            let of = count(last.contenders.len(), "distinct position", "distinct positions");
            let what = match &best[..] {
                [c] => format!(
                    "the position most likely to prevail is {} ({}; probability {} among {of})",
                    position(&c.position),
                    holders(c),
                    num(c.probability)
                ),
                many => format!(
                    "{} positions are equally likely to prevail, with probability {} each among {of}: {}",
                    many.len(),
                    num(many[0].probability),
                    many.iter()
                        .map(|c| format!("{} ({})", position(&c.position), holders(c)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            };
            let _ = writeln!(
                out,
                "{when}{what}. The forecast above weights each distinct final position by its probability of winning."
            );
        }
        None if *model == Model::Eum => {
            let runs = eum.as_ref().map_or(&[][..], |e| &e.runs[..]);
            let converged = runs.iter().filter(|r| r.stop == Stop::Converged).count();
            let longest = runs.iter().map(|r| r.rounds.len() - 1).max().unwrap_or(0);
            let how = if converged == runs.len() {
                format!("the positions converged within {}", count(longest, "round", "rounds"))
            } else {
                let at = if runs.iter().any(|r| r.stop == Stop::Budget) {
                    "the work budget".to_string()
                } else {
                    format!("--max-rounds {longest}")
                };
                let left = runs.len() - converged;
                if converged == 0 {
                    format!(
                        "the positions were still moving (not converged) when {} stopped at {at}",
                        if runs.len() == 1 { "the run" } else { "every dimension's run" }
                    )
                } else {
                    format!(
                        "the positions converged on {converged} of {} and were still moving on the {} when {} stopped at {at}",
                        count(runs.len(), "dimension", "dimensions"),
                        if left == 1 { "other" } else { "others" },
                        if left == 1 { "its run" } else { "their runs" },
                    )
                }
            };
            let _ = writeln!(
                out,
                "The expected utility model (Bueno de Mesquita's, in the variant of docs/forecast-eum.md) plays each dimension on its own: actors challenge, compromise or give in round by round; {how}. The forecast is the capability x salience weighted median of the last positions."
            );
        }
        None if *model == Model::Compromise => out.push_str(
            "The compromise model puts the outcome at the capability x salience weighted mean of the positions.\n",
        ),
        None => out.push_str(
            "The median model puts the outcome at the capability x salience weighted median position: no coalition on either side of it outweighs the other.\n",
        ),
    }
        out
    }
}

/// `detente import ktab`: a KTAB input as a scenario (positions as ideals, salience as weight).
pub fn import_ktab(arg: &str) -> Result<(detente_core::Scenario, bool), BadInput> {
    let loaded = load::named(arg).map_err(|e| BadInput(e.to_string()))?;
    let Source { input, params, .. } =
        match source(arg, loaded, None, &what_if::SetArgs::default())? {
            Ok(source) => source,
            // What the joint run would refuse (a discrete issue, a missing stance).
            Err(by_point) => {
                let e = detente_forecast::from_scenario(&by_point.scenario).err();
                let e =
                    e.map_or("a scenario forecast point by point".to_string(), |e| e.to_string());
                return Err(BadInput(format!("{arg}: {e}")));
            }
        };
    let s = detente_forecast::to_scenario(&input).map_err(|e| BadInput(format!("{arg}: {e}")))?;
    Ok((s, params != SmpParams::default()))
}
