//! The commands as functions, for the Python bindings (crates/python): each takes a loaded
//! scenario and the command's options and returns the JSON text that `--json` prints, built
//! by the very report values the CLI prints (so an answer from Python equals the CLI's,
//! which crates/python/tests checks against the binary). Each function does here what its
//! arm of `run` in `main.rs` does; options are the flags' values, named choices (`--model`,
//! `--objective`, ...) as the flags spell them.
//!
//! Errors are [`Error`]s: bad input (exit 2 in the CLI) with the message the CLI prints,
//! every problem of a file located; or an internal error (exit 1).

use std::path::PathBuf;

pub use detente_core::Scenario;

use crate::printer::Report;
use crate::{
    BadInput, bargain, compare, deadlock, evaluate, forecast, improve, load, mediate, sim,
};
use crate::{analyze, json, robust, scenarios, what_if};

/// What went wrong, as the CLI would say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Which kind of error.
    pub kind: ErrorKind,
    /// The message (for a file's problems, one located problem a line).
    pub message: String,
}

/// The kinds of [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file is not a valid scenario (or domain): every problem, located.
    Invalid,
    /// Anything else that is the user's to fix (a name, a flag, an unreadable file).
    BadInput,
    /// Not the user's fault: a bug (exit 1 in the CLI).
    Internal,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<anyhow::Error> for Error {
    fn from(err: anyhow::Error) -> Error {
        // As `main` says it, and with the exit code's distinction.
        if let Some(load::LoadError::Invalid(problems)) = err.downcast_ref::<load::LoadError>() {
            return Error { kind: ErrorKind::Invalid, message: problems.to_string() };
        }
        let bad = err.downcast_ref::<BadInput>().is_some()
            || err.downcast_ref::<load::LoadError>().is_some();
        let kind = if bad { ErrorKind::BadInput } else { ErrorKind::Internal };
        Error { kind, message: format!("{err:#}") }
    }
}

impl From<load::LoadError> for Error {
    fn from(err: load::LoadError) -> Error {
        anyhow::Error::from(err).into()
    }
}

impl From<BadInput> for Error {
    fn from(err: BadInput) -> Error {
        Error { kind: ErrorKind::BadInput, message: err.0 }
    }
}

/// Results of this module.
pub type Result<T> = std::result::Result<T, Error>;

fn bad(message: String) -> Error {
    Error { kind: ErrorKind::BadInput, message }
}

/// The JSON text `--json` prints for a report.
fn text(report: &dyn Report) -> String {
    report.json_text()
}

/// A named choice as its flag spells it (`--objective nash`), or bad input listing the
/// choices.
fn choice<T: clap::ValueEnum>(flag: &str, value: &str) -> Result<T> {
    T::from_str(value, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        bad(format!("{flag} {value:?}: expected one of {}", names.join(", ")))
    })
}

/// `--set PATH=VALUE` (repeatable) and `--as-of DATE`: the what-if settings of every command
/// that takes a scenario.
#[derive(Debug, Clone, Default)]
pub struct WhatIf {
    /// The settings, as `--set` takes them.
    pub set: Vec<String>,
    /// `--as-of`.
    pub as_of: Option<String>,
}

impl WhatIf {
    fn args(&self) -> what_if::SetArgs {
        what_if::SetArgs { set: self.set.clone(), as_of: self.as_of.clone() }
    }
}

/// A scenario file, a shipped scenario's name, a GENIUS domain folder or a NegMAS JSON
/// domain, as `frontier`, `simulate` and `tournament` read them.
pub fn load(arg: &str) -> Result<Scenario> {
    Ok(load::any(arg)?)
}

/// A NegMAS plain JSON domain (`detente import json`).
pub fn negmas_json(file: &str) -> Result<Scenario> {
    Ok(load::negmas_json(file)?)
}

/// A GENIUS domain folder (`detente import genius`).
pub fn genius(dir: &str) -> Result<Scenario> {
    Ok(load::genius(dir)?)
}

/// A scenario in the file format's JSON form, its problems located in `name`.
pub fn parse_json(name: &str, text: &str) -> Result<Scenario> {
    detente_scenario::parse(name, text.as_bytes(), detente_scenario::Format::Json)
        .map_err(|e| Error { kind: ErrorKind::Invalid, message: e.to_string() })
}

/// The scenario in the file format's JSON form (`detente import ... --json`).
pub fn to_json(s: &Scenario) -> String {
    detente_scenario::to_json(s)
}

/// The shipped scenarios (`detente scenarios --json`).
pub fn scenarios() -> Result<String> {
    Ok(text(&scenarios::scenarios()?))
}

/// `detente analyze`.
pub fn analyze(s: &Scenario, w: &WhatIf, samples: u64, seed: u64) -> Result<String> {
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    Ok(text(&shown.around(&analyze::analyze(&s, samples, seed)?)))
}

/// `detente evaluate [-p ID]`.
pub fn evaluate(s: &Scenario, w: &WhatIf, name: &str, proposal: Option<&str>) -> Result<String> {
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let proposals = match proposal {
        Some(id) => vec![load::proposal(&s, id)?],
        None => (0..s.proposals().len()).collect(),
    };
    if proposals.is_empty() {
        return Err(bad(format!("{name}: the scenario has no proposals")));
    }
    Ok(text(&shown.around(&evaluate::evaluate(&s, &proposals)?)))
}

/// The gap on a proposal (default: the latest draft), as `analyze` reports it under `gap`
/// (`null` when the scenario has no proposal).
pub fn gap(s: &Scenario, w: &WhatIf, proposal: Option<&str>) -> Result<String> {
    let (s, _) = what_if::load(s.clone(), &w.args())?;
    let j = match proposal {
        Some(id) => Some(load::proposal(&s, id)?),
        None => detente_analysis::latest_proposal(&s),
    };
    let value = match j {
        None => serde_json::Value::Null,
        Some(j) => json::gap(&s, &detente_analysis::gap(&s, j).map_err(anyhow::Error::from)?),
    };
    Ok(json::to_json(&value))
}

/// `detente compare A B`.
pub fn compare(s: &Scenario, w: &WhatIf, from: &str, to: &str) -> Result<String> {
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let a = load::proposal(&s, from)?;
    let b = load::proposal(&s, to)?;
    Ok(text(&shown.around(&compare::compare(&s, a, b)?)))
}

/// `detente deadlock [--parties ...] [--budget N]`.
pub fn deadlock(
    s: &Scenario,
    w: &WhatIf,
    parties: Option<&[String]>,
    budget: Option<u64>,
) -> Result<String> {
    if budget == Some(0) {
        return Err(bad("--budget 0: search at least 1 node".to_string()));
    }
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let parties = load::parties(&s, parties)?;
    Ok(text(&shown.around(&deadlock::deadlock(&s, Some(parties), budget)?)))
}

/// The options of `detente mediate` (each `None`: the flag's default).
#[derive(Debug, Clone, Default)]
pub struct Mediate {
    /// `--parties`.
    pub parties: Option<Vec<String>>,
    /// `--procedure` (`search` or `single-text`).
    pub procedure: Option<String>,
    /// `--objective` (`fewest-changes`, `max-min-surplus` or `nash`).
    pub objective: Option<String>,
    /// `--max-changes`.
    pub max_changes: Option<usize>,
    /// `--top`.
    pub top: Option<usize>,
    /// `--budget`.
    pub budget: Option<u64>,
    /// `--max-rounds`.
    pub max_rounds: Option<usize>,
    /// `--min-probability`.
    pub min_probability: Option<f64>,
    /// `--samples`.
    pub samples: Option<u64>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--power`.
    pub power: Option<String>,
}

/// `detente mediate --from ID`.
pub fn mediate(s: &Scenario, w: &WhatIf, from: &str, o: &Mediate) -> Result<String> {
    let procedure = match &o.procedure {
        Some(p) => choice::<mediate::Procedure>("--procedure", p)?,
        None => mediate::Procedure::Search,
    };
    let objective =
        o.objective.as_deref().map(|x| choice::<mediate::ObjectiveArg>("--objective", x));
    let objective = objective.transpose()?;
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let from = load::proposal(&s, from)?;
    let parties = load::parties(&s, o.parties.as_deref())?;
    let flags = mediate::Flags {
        objective,
        max_changes: o.max_changes,
        top: o.top,
        budget: o.budget,
        max_rounds: o.max_rounds,
        min_probability: o.min_probability,
        samples: o.samples,
        seed: o.seed,
        power: o.power.clone(),
    };
    Ok(text(&shown.around(&*mediate::run(&s, from, parties, procedure, &flags)?)))
}

/// The options of `detente improve` (each `None`: the flag's default).
#[derive(Debug, Clone, Default)]
pub struct Improve {
    /// `--parties`.
    pub parties: Option<Vec<String>>,
    /// `--objective` (`nash`, `egalitarian` or `welfare`).
    pub objective: Option<String>,
    /// `--max-changes`.
    pub max_changes: Option<usize>,
    /// `--top`.
    pub top: Option<usize>,
    /// `--budget`.
    pub budget: Option<u64>,
    /// `--power`.
    pub power: Option<String>,
    /// `--min-probability`.
    pub min_probability: Option<f64>,
    /// `--samples`.
    pub samples: Option<u64>,
    /// `--seed`.
    pub seed: Option<u64>,
}

/// `detente improve --from ID`.
pub fn improve(s: &Scenario, w: &WhatIf, from: &str, o: &Improve) -> Result<String> {
    let objective =
        o.objective.as_deref().map(|x| choice::<improve::ObjectiveArg>("--objective", x));
    let objective = objective.transpose()?;
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let from = load::proposal(&s, from)?;
    let parties = load::parties(&s, o.parties.as_deref())?;
    let flags = improve::Flags {
        objective,
        max_changes: o.max_changes,
        top: o.top,
        budget: o.budget,
        power: o.power.clone(),
        min_probability: o.min_probability,
        samples: o.samples,
        seed: o.seed,
    };
    Ok(text(&shown.around(&*improve::run(&s, from, parties, &flags)?)))
}

/// The options of `detente frontier`.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    /// `--parties`.
    pub parties: Option<Vec<String>>,
    /// `--max-points` (at least 1).
    pub max_points: Option<u64>,
    /// `--sample` (at least 1).
    pub sample: Option<u64>,
    /// `--seed` of `--sample` (default 0; only with `sample`).
    pub seed: Option<u64>,
    /// `--all`.
    pub all: bool,
    /// `--ignore-red-lines`.
    pub ignore_red_lines: bool,
    /// `--power`.
    pub power: Option<String>,
}

/// `detente frontier`.
pub fn frontier(s: &Scenario, w: &WhatIf, o: &Frontier) -> Result<String> {
    for (flag, n) in [("--max-points", o.max_points), ("--sample", o.sample)] {
        if n == Some(0) {
            return Err(bad(format!("{flag} 0: give at least 1")));
        }
    }
    if o.max_points.is_some() && (o.sample.is_some() || o.all) {
        return Err(bad("--max-points cannot be used with --sample or --all".to_string()));
    }
    if o.sample.is_some() && o.all {
        return Err(bad("--sample cannot be used with --all".to_string()));
    }
    if o.seed.is_some() && o.sample.is_none() {
        return Err(bad("--seed is the seed of --sample: give --sample N too".to_string()));
    }
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let parties = load::parties(&s, o.parties.as_deref())?;
    let power = o.power.as_deref().map(|spec| load::power(&s, &parties, spec)).transpose()?;
    let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let args = bargain::FrontierArgs {
        max_points: o.max_points.map(size),
        sample: o.sample.map(size),
        seed: o.seed.unwrap_or(0),
        all: o.all,
        plot: None,
        parties,
        ignore_red_lines: o.ignore_red_lines,
        power,
    };
    Ok(text(&shown.around(&bargain::frontier(&s, &args)?)))
}

/// The options of `detente forecast`.
#[derive(Debug, Clone, Default)]
pub struct Forecast {
    /// `--model` (`smp`, `compromise`, `median` or `eum`; default `smp`).
    pub model: Option<String>,
    /// `--stochastic`.
    pub stochastic: bool,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--max-rounds`.
    pub max_rounds: Option<usize>,
    /// `--max-work`.
    pub max_work: Option<u64>,
    /// `--parties`.
    pub parties: Option<Vec<String>>,
}

/// `detente forecast` of a scenario (`name`: how messages name it).
pub fn forecast(s: &Scenario, w: &WhatIf, name: &str, o: &Forecast) -> Result<String> {
    let model = match &o.model {
        Some(m) => choice::<forecast::Model>("--model", m)?,
        None => forecast::Model::Smp,
    };
    let set = w.args();
    let args = forecast::ForecastArgs {
        model,
        seed: o.seed,
        stochastic: o.stochastic,
        max_rounds: o.max_rounds,
        max_work: o.max_work,
        parties: o.parties.as_deref(),
        plot: None,
        set: &set,
    };
    let loaded = load::Named::Scenario(Box::new(s.clone()));
    let (report, shown) = forecast::forecast_named(name, loaded, &args)?;
    Ok(text(&shown.around(report.as_ref())))
}

/// The options of `detente simulate`.
#[derive(Debug, Clone, Default)]
pub struct Simulate {
    /// `--negotiators` (one per negotiating party).
    pub negotiators: Vec<String>,
    /// `--parties`.
    pub parties: Option<Vec<String>>,
    /// `--mechanism` (`sao`, `hill-climbing`, `veto` or `negmas-sao`; default `sao`).
    pub mechanism: Option<String>,
    /// `--steps`.
    pub steps: Option<u32>,
    /// `--time-limit`.
    pub time_limit: Option<f64>,
    /// `--seed`.
    pub seed: u64,
    /// `--trace` (`none`, `summary` or `full`; default `summary`).
    pub trace: Option<String>,
}

/// `detente simulate`.
pub fn simulate(s: &Scenario, w: &WhatIf, o: &Simulate) -> Result<String> {
    if o.negotiators.is_empty() {
        return Err(bad("--negotiators: name one negotiator per negotiating party".to_string()));
    }
    let mechanism = match &o.mechanism {
        Some(m) => choice::<sim::MechanismArg>("--mechanism", m)?,
        None => sim::MechanismArg::Sao,
    };
    let trace = match &o.trace {
        Some(t) => choice::<sim::TraceArg>("--trace", t)?,
        None => sim::TraceArg::Summary,
    };
    let config = sim::session_config(mechanism, o.steps, o.time_limit)?;
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let args = sim::SimulateArgs {
        parties: o.parties.as_deref(),
        config,
        negotiators: &o.negotiators,
        seed: o.seed,
        trace,
    };
    Ok(text(&shown.around(&sim::simulate(s, &args)?)))
}

/// The options of `detente tournament`.
#[derive(Debug, Clone, Default)]
pub struct Tournament {
    /// `--negotiators`.
    pub negotiators: Vec<String>,
    /// `--parties`.
    pub parties: Option<Vec<String>>,
    /// `--mechanism` (default `sao`).
    pub mechanism: Option<String>,
    /// `--steps`.
    pub steps: Option<u32>,
    /// `--time-limit`.
    pub time_limit: Option<f64>,
    /// `--repetitions` (default 1).
    pub repetitions: Option<u32>,
    /// `--seed`.
    pub seed: u64,
    /// `--threads` (0: all cores).
    pub threads: usize,
    /// `--shard K/N`.
    pub shard: Option<String>,
    /// `--out FILE`: the full result (a part to merge, with a shard).
    pub out: Option<PathBuf>,
    /// `--csv FILE`.
    pub csv: Option<PathBuf>,
}

/// `detente tournament` over loaded scenarios.
pub fn tournament(scenarios: Vec<Scenario>, o: &Tournament) -> Result<String> {
    if o.negotiators.is_empty() {
        return Err(bad("--negotiators: name the negotiators to play".to_string()));
    }
    if scenarios.is_empty() {
        return Err(bad("tournament: name at least one scenario".to_string()));
    }
    for path in o.csv.iter().chain(&o.out) {
        crate::output::check_output_path(path)?;
    }
    let mechanism = match &o.mechanism {
        Some(m) => choice::<sim::MechanismArg>("--mechanism", m)?,
        None => sim::MechanismArg::Sao,
    };
    let session = sim::session_config(mechanism, o.steps, o.time_limit)?;
    let args = sim::TournamentArgs {
        negotiators: o.negotiators.clone(),
        parties: o.parties.as_deref(),
        session,
        repetitions: o.repetitions.unwrap_or(1),
        seed: o.seed,
        threads: o.threads,
        shard: o.shard.as_deref(),
        csv: o.csv.as_deref(),
        progress: false,
    };
    Ok(text(&sim::tournament(scenarios, &args, o.out.as_deref())?))
}

/// `detente tournament merge PART... [--partial] [--out FILE]`.
pub fn tournament_merge(parts: &[String], partial: bool, out: Option<&PathBuf>) -> Result<String> {
    if let Some(path) = out {
        crate::output::check_output_path(path)?;
    }
    Ok(text(&sim::merge(parts, partial, None, out.map(PathBuf::as_path))?))
}

/// The options of `detente robust`.
#[derive(Debug, Clone, Default)]
pub struct Robust {
    /// `--proposal`.
    pub proposal: Option<String>,
    /// `--samples` (default 10,000).
    pub samples: Option<u64>,
    /// `--seed`.
    pub seed: u64,
    /// `--parties`.
    pub parties: Option<Vec<String>>,
    /// `--budget`.
    pub budget: Option<u64>,
    /// `--threads` (0: all cores).
    pub threads: usize,
    /// `--shard K/N` (the JSON is then a part to merge).
    pub shard: Option<String>,
}

/// `detente robust`.
pub fn robust(s: &Scenario, w: &WhatIf, o: &Robust) -> Result<String> {
    if o.budget == Some(0) {
        return Err(bad("--budget 0: search at least 1 node".to_string()));
    }
    if o.shard.is_some() {
        what_if::refuse(
            &w.set,
            "a shard takes no what-if settings: its part does not record them, so the merge could not say them; write the change into a copy of the scenario file",
        )?;
    }
    let (s, shown) = what_if::load(s.clone(), &w.args())?;
    let args = robust::RobustArgs {
        proposal: o.proposal.as_deref(),
        samples: o.samples.unwrap_or(robust::DEFAULT_SAMPLES),
        seed: o.seed,
        parties: o.parties.as_deref(),
        budget: o.budget,
        threads: o.threads,
        shard: o.shard.as_deref(),
    };
    Ok(text(&shown.around(&robust::robust(&s, &args)?)))
}

/// `detente robust merge PART...`.
pub fn robust_merge(parts: &[String]) -> Result<String> {
    Ok(text(&robust::merge(parts)?))
}

/// Each party's utility as tables, for converting a scenario to another tool's objects
/// (the Python package's `detente.negmas.to_negmas`): JSON `{"issues": [{"id", "options":
/// [option id | scale value]}], "parties": [{"id", "bias", "reservation": number | null,
/// "contributions": [[c per option] per issue], "allowed": [[bool per option] per issue] |
/// null}]}`. A party's utility of an outcome is its `bias` plus the contributions of the
/// outcome's options added in issue order, bit for bit [`Scenario::utility`]; numbers are
/// written exactly (shortest round trip). `reservation` is `null` when it is not finite (a
/// NegMAS domain without a reserved value); `allowed` is `null` when the party has no red
/// line, else whether each option keeps its red lines.
pub fn utility_tables(s: &Scenario) -> String {
    use serde_json::{Value, json};
    let issues: Vec<Value> = s
        .issues()
        .iter()
        .map(|issue| {
            let options: Vec<Value> = (0..issue.n_options())
                .map(|k| match issue.scale_value(k) {
                    Some(x) => json!(x),
                    None => json!(issue.option_id(k)),
                })
                .collect();
            json!({ "id": issue.id, "options": options })
        })
        .collect();
    let parties: Vec<Value> = s
        .parties()
        .iter()
        .enumerate()
        .map(|(p, party)| {
            let n = s.issues().len();
            let contributions: Vec<&[f64]> = (0..n).map(|i| s.contributions(p, i)).collect();
            let allowed: Vec<Vec<bool>> = (0..n)
                .map(|i| (0..s.issues()[i].n_options()).map(|k| s.allowed(p, i, k)).collect())
                .collect();
            let any_red_line = allowed.iter().flatten().any(|&a| !a);
            json!({
                "id": party.id,
                "bias": s.bias(p),
                "reservation": party.reservation.is_finite().then_some(party.reservation),
                "contributions": contributions,
                "allowed": any_red_line.then_some(allowed),
            })
        })
        .collect();
    json::to_json(&json!({ "issues": issues, "parties": parties }))
}

/// A built-in negotiator (see `detente simulate --help`) playing one party of a scenario
/// move by move, for a host that runs the session itself (the Python package's
/// `detente.negmas.DetenteNegotiator`, inside NegMAS's SAO mechanism). Outcomes are
/// indices in the mixed radix of the scenario's issues (issue 0 most significant, options
/// in file order), which is NegMAS's order of outcomes (`itertools.product` over the
/// issues' values).
pub struct Player {
    domain: std::sync::Arc<detente_sim::Domain>,
    party: usize,
    negotiator: Box<dyn detente_sim::Negotiator>,
    rng: detente_sim::Rng,
    started: bool,
}

impl std::fmt::Debug for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Player").field("party", &self.party).finish_non_exhaustive()
    }
}

/// The moment a [`Player`] is asked to move: the step (from 0), the relative time in
/// `[0, 1]` and the step deadline, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moment {
    /// The current step, from 0.
    pub step: u32,
    /// The relative time, in `[0, 1]` (clamped).
    pub relative_time: f64,
    /// The most steps, if the deadline is one of steps.
    pub n_steps: Option<u32>,
}

/// What the negotiator of `party` may know at `at` (the relative time clamped to `[0, 1]`,
/// NaN read as 0).
fn nmi(domain: &detente_sim::Domain, party: usize, at: Moment) -> detente_sim::Nmi<'_> {
    let t = if at.relative_time.is_nan() { 0.0 } else { at.relative_time.clamp(0.0, 1.0) };
    detente_sim::Nmi { domain, party, step: at.step, relative_time: t, n_steps: at.n_steps }
}

/// A [`Player`] for party `party` (its id) of `s`, playing the built-in negotiator named
/// `negotiator`; `seed` seeds its generator as a session's seed does (`Rng::derive(seed,
/// [1, p])`).
pub fn player(s: &Scenario, party: &str, negotiator: &str, seed: u64) -> Result<Player> {
    let p = s.parties().iter().position(|x| x.id == party).ok_or_else(|| {
        let ids: Vec<&str> = s.parties().iter().map(|x| x.id.as_str()).collect();
        bad(format!("party {party:?}: not a party of the scenario (parties: {})", ids.join(", ")))
    })?;
    let negotiator = detente_sim::negotiator(negotiator).map_err(|e| bad(e.to_string()))?;
    let domain =
        detente_sim::Domain::new(std::sync::Arc::new(s.clone())).map_err(|e| bad(e.to_string()))?;
    let rng = detente_sim::Rng::derive(seed, &[1, p as u64]);
    Ok(Player { domain: std::sync::Arc::new(domain), party: p, negotiator, rng, started: false })
}

impl Player {
    /// The number of outcomes.
    pub fn n_outcomes(&self) -> u64 {
        self.domain.n_outcomes()
    }

    fn start(&mut self, at: Moment) {
        if !self.started {
            self.started = true;
            let domain = self.domain.clone();
            self.negotiator.on_start(&nmi(&domain, self.party, at));
        }
    }

    /// The negotiator's offer at `at` (an outcome index), or `None` when it ends the
    /// negotiation. An index outside the outcome space (a negotiator's failure) is an
    /// internal error.
    pub fn propose(&mut self, at: Moment) -> Result<Option<u64>> {
        self.start(at);
        let domain = self.domain.clone();
        match self.negotiator.propose(&nmi(&domain, self.party, at), &mut self.rng) {
            detente_sim::Action::Offer(id) if id < domain.n_outcomes() => Ok(Some(id)),
            detente_sim::Action::Offer(id) => Err(Error {
                kind: ErrorKind::Internal,
                message: format!("the negotiator offered outcome {id}, outside the space"),
            }),
            detente_sim::Action::End => Ok(None),
        }
    }

    /// The negotiator's answer to outcome `offer` at `at`: `"accept"`, `"reject"` or
    /// `"end"`; an index outside the outcome space is bad input.
    pub fn respond(&mut self, offer: u64, at: Moment) -> Result<&'static str> {
        if offer >= self.domain.n_outcomes() {
            return Err(bad(format!(
                "outcome {offer} is outside the outcome space of {} outcomes",
                self.domain.n_outcomes()
            )));
        }
        self.start(at);
        let domain = self.domain.clone();
        Ok(match self.negotiator.respond(&nmi(&domain, self.party, at), offer, &mut self.rng) {
            detente_sim::Response::Accept => "accept",
            detente_sim::Response::Reject => "reject",
            detente_sim::Response::End => "end",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_choice_names_the_flag_and_the_choices() {
        let s = load("tutorial").unwrap();
        let o = Mediate { objective: Some("most".into()), ..Mediate::default() };
        let e = mediate(&s, &WhatIf::default(), "x", &o).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadInput);
        assert!(e.message.contains("--objective \"most\": expected one of fewest-changes"), "{e}");
    }

    #[test]
    fn improve_is_the_command_as_json() {
        let s = load("tutorial").unwrap();
        let o = Improve { top: Some(1), ..Improve::default() };
        let v: serde_json::Value =
            serde_json::from_str(&improve(&s, &WhatIf::default(), "lowland-markup", &o).unwrap())
                .unwrap();
        assert_eq!(v["objective"], "nash");
        assert_eq!(v["packages"].as_array().unwrap().len(), 1);
        let o = Improve { max_changes: Some(0), ..Improve::default() };
        let e = improve(&s, &WhatIf::default(), "lowland-markup", &o).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadInput);
    }

    #[test]
    fn a_file_problem_is_located() {
        let e = parse_json("<dict>", "{\"format\": 1, \"parties\": 3}").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.starts_with("<dict>:1:"), "{e}");
    }

    #[test]
    fn utility_tables_add_up_to_the_scenario_s_utilities() {
        let s = load("tutorial").unwrap();
        let v: serde_json::Value = serde_json::from_str(&utility_tables(&s)).unwrap();
        let issues = v["issues"].as_array().unwrap();
        assert_eq!(issues.len(), s.issues().len());
        for (p, party) in v["parties"].as_array().unwrap().iter().enumerate() {
            assert_eq!(party["id"], s.parties()[p].id.as_str());
            // every outcome of the first two issues, the others at option 0
            let n0 = s.issues()[0].n_options();
            let n1 = s.issues()[1].n_options();
            for (a, b) in (0..n0).flat_map(|a| (0..n1).map(move |b| (a, b))) {
                let mut options = vec![0; s.issues().len()];
                options[0] = a;
                options[1] = b;
                let mut u = party["bias"].as_f64().unwrap();
                for (i, &k) in options.iter().enumerate() {
                    u += party["contributions"][i][k].as_f64().unwrap();
                }
                let o = detente_core::Outcome::new(&s, options).unwrap();
                assert_eq!(u.to_bits(), s.utility(p, &o).to_bits());
            }
        }
    }

    #[test]
    fn a_player_moves_as_the_negotiator_in_a_session() {
        let s = load("tutorial").unwrap();
        let party = s.parties()[0].id.clone();
        let mut a = player(&s, &party, "linear-negmas", 7).unwrap();
        let at = |k: u32| Moment { step: k, relative_time: k as f64 / 10.0, n_steps: Some(10) };
        let first = a.propose(at(0)).unwrap().unwrap();
        assert!(first < a.n_outcomes());
        // deterministic: another player makes the same moves
        let mut b = player(&s, &party, "linear-negmas", 8).unwrap();
        assert_eq!(b.propose(at(0)).unwrap(), Some(first));
        assert_eq!(a.respond(first, at(1)).unwrap(), b.respond(first, at(1)).unwrap());
        assert_eq!(a.respond(first, at(0)).unwrap(), "accept"); // its own best offer
        assert_eq!(a.respond(u64::MAX, at(1)).unwrap_err().kind, ErrorKind::BadInput);
        assert_eq!(player(&s, "nobody", "linear", 0).unwrap_err().kind, ErrorKind::BadInput);
        assert_eq!(player(&s, &party, "nope", 0).unwrap_err().kind, ErrorKind::BadInput);
    }

    #[test]
    fn a_scenario_written_and_read_is_the_same() {
        let s = load("ukraine-2025").unwrap();
        let again = parse_json("<dict>", &to_json(&s)).unwrap();
        assert_eq!(to_json(&again), to_json(&s));
    }
}
