//! `detente simulate` and `detente tournament`: automated negotiators playing a scenario.
//!
//! A tournament's JSON (written and read by `detente-sim`, which checks every field) holds
//! every session record, so that parts run with `--shard K/N` can be merged (`detente
//! tournament merge`) into exactly the output of one run.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;

use detente_core::Scenario;
use detente_sim::{
    Deadline, Domain, EntryKind, Event, Mechanism, Observer, PartFrame, PartText, Progress, Reply,
    SessionConfig, SessionRecord, SessionResult, Shard, Termination, TournamentConfig,
    TournamentResult, TournamentSummary, TraceKeep,
};
use serde_json::{Value, json};

use crate::BadInput;
use crate::json as j;
use crate::json::to_json;
use crate::printer::Report;
use crate::table::Table;

fn sim_error(e: detente_sim::Error) -> BadInput {
    BadInput(e.to_string())
}

/// The mechanism flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MechanismArg {
    /// Stochastic alternating offers.
    Sao,
    /// Mediated single text, moving on unanimous preference (alias `st`).
    #[value(alias = "st")]
    HillClimbing,
    /// Mediated single text, moving unless vetoed.
    Veto,
    /// NegMAS's SAO: its turns and its relative time (alias `sao-negmas`).
    #[value(alias = "sao-negmas")]
    NegmasSao,
}

impl MechanismArg {
    fn mechanism(self) -> &'static dyn Mechanism {
        match self {
            MechanismArg::Sao => &detente_sim::SAO,
            MechanismArg::HillClimbing => &detente_sim::HILL_CLIMBING,
            MechanismArg::Veto => &detente_sim::VETO,
            MechanismArg::NegmasSao => &detente_sim::NEGMAS_SAO,
        }
    }
}

/// The help of `--negotiators`, from the negotiator registry: `lead`, then the names (and,
/// `long`, what each does, one a line).
pub fn negotiators_help(lead: &str, long: bool) -> String {
    let mut help = format!("{lead}: {}.", detente_sim::names().join(", "));
    if long {
        for b in detente_sim::builtins() {
            let _ = write!(help, "\n  {}: {}", b.name, b.summary);
        }
    }
    help
}

/// How much of the trace `simulate` keeps and prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceArg {
    /// No entry: only the result.
    None,
    /// The first 10 and the last 10 entries (offers or proposals).
    Summary,
    /// Every entry (deadlines of at most 10,000 steps).
    Full,
}

/// Entries at each end of a summary trace.
pub const SUMMARY_ENTRIES: usize = 10;

/// The longest deadline, in steps, whose trace may be kept whole.
pub const MAX_FULL_TRACE_STEPS: u64 = 10_000;

/// The session settings from the flags; the messages name the flag at fault.
pub fn session_config(
    mechanism: MechanismArg,
    steps: Option<u32>,
    time_limit: Option<f64>,
) -> Result<SessionConfig, BadInput> {
    if let Some(t) = time_limit
        && !(t.is_finite() && t > 0.0)
    {
        return Err(BadInput(format!(
            "--time-limit {t}: give a finite number of simulated seconds above 0"
        )));
    }
    let n_steps = match (steps, time_limit) {
        (None, None) => Some(100),
        (s, _) => s,
    };
    let deadline = Deadline { n_steps, time_limit, step_duration: 1.0 };
    let allowed = deadline.max_steps();
    if allowed > detente_sim::MAX_STEPS {
        let flag = match (steps, time_limit) {
            (Some(n), _) if u64::from(n) > detente_sim::MAX_STEPS => format!("--steps {n}"),
            (_, Some(t)) => format!("--time-limit {t} (one step takes one simulated second)"),
            _ => "the deadline".to_string(),
        };
        return Err(BadInput(format!(
            "{flag}: a session may take at most {} steps",
            detente_sim::MAX_STEPS
        )));
    }
    let config = SessionConfig { mechanism: mechanism.mechanism(), deadline };
    config.check().map_err(sim_error)?;
    Ok(config)
}

fn reply_str(r: Reply) -> &'static str {
    match r {
        Reply::None => "-",
        Reply::Accept => "accept",
        Reply::Reject => "reject",
        Reply::Indifferent => "indifferent",
        Reply::End => "end",
    }
}

fn entry_kind(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Offer => "offer",
        EntryKind::Proposal => "proposal",
        EntryKind::Ratification => "ratification",
    }
}

fn nums(xs: &[f64]) -> Vec<Value> {
    xs.iter().map(|&x| j::num(x)).collect()
}

fn opt_num(x: Option<f64>) -> Value {
    x.map_or(Value::Null, j::num)
}

/// Options of `detente simulate`.
pub struct SimulateArgs<'a> {
    pub parties: Option<&'a [String]>,
    pub config: SessionConfig,
    pub negotiators: &'a [String],
    pub seed: u64,
    pub trace: TraceArg,
}

/// `detente simulate`.
pub fn simulate(whole: Scenario, args: &SimulateArgs<'_>) -> anyhow::Result<Session> {
    let (config, names, seed) = (&args.config, args.negotiators, args.seed);
    let counted = crate::load::parties(&whole, args.parties)?;
    let ids = |ps: &[usize]| ps.iter().map(|&p| whole.parties()[p].id.clone()).collect::<Vec<_>>();
    if counted.len() < 2 {
        return Err(BadInput(format!(
            "{} alone cannot negotiate: a session needs at least two parties (name them with --parties)",
            ids(&counted).join(", ")
        ))
        .into());
    }
    if names.len() != counted.len() {
        let whose = if args.parties.is_some() {
            "the parties named with --parties"
        } else if counted.len() < whole.parties().len() {
            "the principals (choose others with --parties)"
        } else {
            "the parties"
        };
        return Err(BadInput(format!(
            "{} given for {} ({}), {whose}: name one per party, in this order",
            detente_words::count(names.len(), "negotiator", "negotiators"),
            detente_words::count(counted.len(), "party", "parties"),
            ids(&counted).join(", ")
        ))
        .into());
    }
    let keep = match args.trace {
        TraceArg::None => TraceKeep::None,
        TraceArg::Summary => TraceKeep::Summary(SUMMARY_ENTRIES),
        TraceArg::Full => {
            let allowed = config.deadline.max_steps();
            if allowed > MAX_FULL_TRACE_STEPS {
                return Err(BadInput(format!(
                    "--trace full keeps every step, for deadlines of at most {MAX_FULL_TRACE_STEPS} steps (this one allows {allowed}); use --trace summary or none"
                ))
                .into());
            }
            TraceKeep::Full
        }
    };
    let mut negotiators = names
        .iter()
        .map(|n| detente_sim::negotiator(n).map_err(sim_error))
        .collect::<Result<Vec<_>, _>>()?;
    let left_out: Vec<usize> =
        (0..whole.parties().len()).filter(|p| !counted.contains(p)).collect();
    let s = if left_out.is_empty() {
        whole.clone()
    } else {
        detente_sim::among(&whole, &counted).map_err(sim_error)?
    };
    let discounted = s.parties().iter().any(|p| p.discount.is_some());
    let domain = Domain::new(Arc::new(s)).map_err(sim_error)?;
    let mut bar = StepBar(Bar::new("steps"));
    let result =
        detente_sim::run_observed(&domain, config, &mut negotiators, seed, keep, &mut [&mut bar])
            .map_err(sim_error)?;
    let trace_kept = match args.trace {
        TraceArg::None => "none",
        TraceArg::Summary => "summary",
        TraceArg::Full => "full",
    };
    Ok(Session {
        domain,
        result,
        config: *config,
        seed,
        names: names.to_vec(),
        counted: ids(&counted),
        left_out: ids(&left_out),
        named: args.parties.is_some(),
        discounted,
        trace_kept,
    })
}

/// `detente simulate`: one session's result on the scenario among the negotiating parties.
pub struct Session {
    domain: Domain,
    result: SessionResult,
    config: SessionConfig,
    seed: u64,
    /// The negotiators, one per negotiating party.
    names: Vec<String>,
    /// The negotiating parties' ids.
    counted: Vec<String>,
    /// The ids of the parties left out.
    left_out: Vec<String>,
    /// Whether the parties were named with `--parties`.
    named: bool,
    discounted: bool,
    trace_kept: &'static str,
}

impl Session {
    /// Each party's utility for outcome `id`.
    fn utilities_of(&self, id: u64) -> Vec<f64> {
        (0..self.domain.scenario().parties().len()).map(|p| self.domain.utility(p, id)).collect()
    }

    /// The session as NegMAS's session plot shows it: each party's utility of every offer
    /// kept in the trace, step by step, the offers marked by their makers, the reservations
    /// and the agreement ([`crate::plot::session_svg`]).
    pub fn plot(&self) -> String {
        let s = self.domain.scenario();
        let offers: Vec<crate::plot::SessionOffer> = self
            .result
            .trace
            .entries
            .iter()
            .filter_map(|e| {
                e.outcome.map(|id| crate::plot::SessionOffer {
                    step: e.step,
                    by: e.proposer.map(|p| p as usize),
                    utilities: self.utilities_of(id),
                })
            })
            .collect();
        let agreement = self.result.agreement.map(|id| self.utilities_of(id));
        let last = self.result.steps.saturating_sub(1);
        // The agreement is the last entry of the trace (the offer accepted).
        let agreed_at = self.result.trace.entries.last().map_or(last, |e| e.step);
        let parties: Vec<String> =
            s.parties().iter().zip(&self.names).map(|(p, n)| format!("{} ({n})", p.id)).collect();
        let reservations: Vec<f64> = s.parties().iter().map(|p| p.reservation).collect();
        let title = format!(
            "{}: {} on {}, seed {}",
            s.meta().name,
            self.config.mechanism.name(),
            detente_words::and_list(&self.names),
            self.seed
        );
        crate::plot::session_svg(
            &title,
            &parties,
            &reservations,
            &offers,
            agreement.as_deref().map(|u| (agreed_at, u)),
            self.config.deadline.n_steps.unwrap_or(last + 1).max(1) - 1,
        )
    }

    /// How the session ended, in the words of the text output: a line, or the agreement's
    /// line, its terms (one a line) and the distances to the frontier and the Nash point.
    pub fn ending(&self) -> Vec<String> {
        let Session { domain, result, .. } = self;
        let s = domain.scenario();
        let mut out = vec![];
        let steps = detente_words::count(result.steps as usize, "step", "steps");
        match (&result.termination, result.agreement) {
            (Termination::Agreement, Some(id)) => {
                let o = domain.decode(id);
                out.push(format!(
                    "Agreement after {steps} and {}:",
                    detente_words::count(result.n_offers as usize, "offer", "offers")
                ));
                for (i, &k) in o.options().iter().enumerate() {
                    out.push(format!("  {}: {}", s.issues()[i].name, s.issues()[i].option_label(k)));
                }
                let reference = domain.reference();
                let pareto = match (result.pareto_distance, &reference.frontier) {
                    (Some(d), _) => detente_words::num(d),
                    (None, None) => "unknown (the frontier is too large to list)".to_string(),
                    (None, Some(_)) => "none (no outcome is acceptable to every party)".to_string(),
                };
                let nash = match result.nash_distance {
                    Some(d) => detente_words::num(d),
                    None if !reference.nash_exact => {
                        "unknown (the search for it stopped at its budget)".to_string()
                    }
                    None => "none (no outcome is acceptable to every party)".to_string(),
                };
                out.push(format!("Distance to the Pareto frontier {pareto}, to the Nash point {nash}."));
            }
            (Termination::Deadline, _) => out.push(format!(
                "No agreement: the deadline passed after {steps}; every party keeps its reservation."
            )),
            (Termination::EndedBy(p), _) => out.push(format!(
                "No agreement: {} ended the negotiation at step {}.",
                s.parties()[*p].name,
                result.steps
            )),
            (Termination::NegotiatorError { party, message }, _) => out.push(format!(
                "The session stopped: negotiator of {} failed: {message}.",
                s.parties()[*party].name
            )),
            (Termination::Agreement, None) => {}
        }
        out
    }
}

impl Report for Session {
    fn json(&self) -> Value {
        let Session { domain, result, config, seed, names, counted, trace_kept, .. } = self;
        let s = domain.scenario();
        let trace = &result.trace;
        let utilities_of = |id: u64| self.utilities_of(id);
        json!({
            "scenario": s.meta().name,
            "parties": counted,
            "mechanism": config.mechanism.name(),
            "steps_limit": config.deadline.n_steps,
            "time_limit": config.deadline.time_limit,
            "seed": seed,
            "negotiators": s.parties().iter().zip(names).map(|(p, n)| json!({"party": p.id, "negotiator": n})).collect::<Vec<_>>(),
            "termination": detente_sim::termination_json(&result.termination, counted),
            "agreement": result.agreement.map(|id| j::outcome(s, &domain.decode(id))),
            "utilities": nums(&result.utilities),
            "reservations": s.parties().iter().map(|p| j::num(p.reservation)).collect::<Vec<_>>(),
            "steps": result.steps,
            "offers": result.n_offers,
            "distance_to_pareto": opt_num(result.pareto_distance),
            "distance_to_nash": opt_num(result.nash_distance),
            "trace_kept": trace_kept,
            "trace_omitted": trace.omitted,
            "trace": trace.entries.iter().enumerate().map(|(e, entry)| json!({
                "step": entry.step,
                "kind": entry_kind(entry.kind),
                "proposer": entry.proposer.and_then(|p| s.parties().get(p as usize)).map(|p| p.id.clone()),
                "outcome": entry.outcome.map(|id| j::outcome(s, &domain.decode(id))),
                "utilities": entry.outcome.map(|id| nums(&utilities_of(id))),
                "replies": trace.replies_of(e).iter().map(|&r| reply_str(r)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    fn text(&self) -> String {
        let Session { domain, result, config, seed, names, left_out, named, discounted, .. } = self;
        let s = domain.scenario();
        let trace = &result.trace;
        let utilities_of = |id: u64| self.utilities_of(id);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} on {}, seed {seed}; {}",
            s.meta().name,
            config.mechanism.name(),
            match (config.deadline.n_steps, config.deadline.time_limit) {
                (Some(n), _) => detente_words::count(n as usize, "step", "steps"),
                (None, Some(t)) => format!("{t} simulated seconds"),
                (None, None) => String::new(),
            },
            detente_words::and_list(
                &s.parties()
                    .iter()
                    .zip(names)
                    .map(|(p, n)| format!("{} as {n}", p.id))
                    .collect::<Vec<_>>()
            )
        );
        if !left_out.is_empty() {
            let _ = writeln!(
                out,
                "{} {} no part: {} (choose with --parties).",
                detente_words::and_list(left_out),
                detente_words::noun(left_out.len(), "takes", "take"),
                if *named {
                    "only the parties named negotiate".to_string()
                } else {
                    "the principals negotiate".to_string()
                }
            );
        }
        if *discounted {
            let _ = writeln!(
                out,
                "Discount factors in the scenario are not applied: utilities do not shrink with time."
            );
        }
        if !trace.entries.is_empty() {
            let mut header = vec!["step".to_string(), "by".to_string()];
            header.extend(s.parties().iter().map(|p| format!("u({})", p.id)));
            header.push("replies".to_string());
            let mut t = Table::new(header);
            for (e, entry) in trace.entries.iter().enumerate() {
                if trace.omitted > 0 && e == trace.omitted_at {
                    t.row(vec!["...".to_string(), format!("({} more)", trace.omitted)]);
                }
                let mut row = vec![
                    entry.step.to_string(),
                    entry
                        .proposer
                        .and_then(|p| s.parties().get(p as usize))
                        .map_or_else(|| "mediator".to_string(), |p| p.id.clone()),
                ];
                match entry.outcome {
                    Some(id) => {
                        row.extend(utilities_of(id).into_iter().map(detente_words::num));
                    }
                    None => row.extend(s.parties().iter().map(|_| "-".to_string())),
                }
                row.push(
                    trace.replies_of(e).iter().map(|&r| reply_str(r)).collect::<Vec<_>>().join(" "),
                );
                t.row(row);
            }
            out.push('\n');
            out.push_str(&t.render("  "));
        }
        out.push('\n');
        let mut t = Table::new(
            ["party", "negotiator", "utility", "reservation", "advantage"]
                .map(String::from)
                .to_vec(),
        );
        for (p, party) in s.parties().iter().enumerate() {
            let (u, r) = detente_words::distinct(result.utilities[p], party.reservation);
            t.row(vec![
                party.id.clone(),
                names[p].clone(),
                u,
                r,
                detente_words::signed(result.utilities[p] - party.reservation),
            ]);
        }
        out.push_str(&t.render("  "));
        out.push('\n');
        for line in self.ending() {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// A progress bar on stderr when it is a terminal (nothing otherwise), redrawn when its
/// percentage changes: the sessions of a tournament, or the steps of a long session.
struct Bar {
    on_terminal: bool,
    unit: &'static str,
    /// The percentage drawn last, if any.
    last: Option<u64>,
}

impl Bar {
    fn new(unit: &'static str) -> Bar {
        Bar { on_terminal: std::io::stderr().is_terminal(), unit, last: None }
    }

    /// What to draw for `done` of `total`: nothing when the percentage drawn is unchanged;
    /// a carriage return, the bar and the count, and a newline once all is done.
    fn frame(&mut self, done: u64, total: u64) -> Option<String> {
        if total == 0 {
            return None;
        }
        let pct = done.min(total) * 100 / total;
        if self.last == Some(pct) && done != total {
            return None;
        }
        self.last = Some(pct);
        let filled = (pct * 30 / 100) as usize;
        let bar: String = "#".repeat(filled) + &".".repeat(30 - filled);
        let mut frame = format!("\r[{bar}] {done}/{total} {}", self.unit);
        if done == total {
            frame.push('\n');
            self.last = None;
        }
        Some(frame)
    }

    fn show(&mut self, done: u64, total: u64) {
        if let Some(frame) = self.frame(done, total)
            && self.on_terminal
        {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(frame.as_bytes());
            let _ = err.flush();
        }
    }

    /// Ends the line of a bar left short (a session that ended before its deadline).
    fn finish(&mut self) {
        if self.last.take().is_some() && self.on_terminal {
            let _ = writeln!(std::io::stderr().lock());
        }
    }
}

/// The tournament's progress: sessions done, from the worker threads.
fn progress_bar() -> impl Fn(Progress) + Sync {
    let bar = Mutex::new(Bar::new("sessions"));
    move |p: Progress| {
        if let Ok(mut bar) = bar.lock() {
            bar.show(p.done as u64, p.total as u64);
        }
    }
}

/// Sessions allowed at least this many steps show their progress (on a terminal).
const STEP_BAR_FROM: u64 = 100_000;

/// `simulate`'s progress as a session observer: the steps started of a long session.
struct StepBar(Bar);

impl Observer for StepBar {
    fn on_event(&mut self, event: &Event<'_>) {
        match *event {
            Event::Step { step, max_steps, .. } if max_steps >= STEP_BAR_FROM => {
                self.0.show(u64::from(step) + 1, max_steps);
            }
            Event::End { .. } => self.0.finish(),
            _ => {}
        }
    }
}

/// Options of `detente tournament`.
pub struct TournamentArgs<'a> {
    pub negotiators: Vec<String>,
    /// The parties named with `--parties` (default: each scenario's principals).
    pub parties: Option<&'a [String]>,
    pub session: SessionConfig,
    pub repetitions: u32,
    pub seed: u64,
    pub threads: usize,
    pub shard: Option<&'a str>,
    pub csv: Option<&'a Path>,
    /// Whether to draw the sessions' progress on stderr when it is a terminal (not in the
    /// server, whose terminal is not the user's).
    pub progress: bool,
}

/// `detente tournament` as the command line runs it: the part (every session's text) is
/// kept only for `--json` and `--out FILE`; otherwise the sessions are scored as they
/// finish and nothing of them is kept.
pub fn play(
    scenarios: Vec<Scenario>,
    args: &TournamentArgs<'_>,
    out: Option<&Path>,
    printer: &mut crate::printer::Out<'_>,
) -> anyhow::Result<()> {
    match (printer.printer(), out) {
        (crate::printer::Printer::Text { width }, None) => {
            let scored = scores(scenarios, args)?;
            crate::printer::write_wrapped(&scored.text(), width, printer.writer())?;
        }
        _ => printer.print(&tournament(scenarios, args, out)?)?,
    }
    Ok(())
}

/// `detente tournament`, keeping the part: every session's record, packed as it finishes
/// ([`SessionRecord::pack`], at most 152 bytes for two parties) and kept in index order
/// ([`crate::spill`]: a few megabytes in memory, the rest in a temporary file), its text
/// written on every thread when the part is, for the JSON (`--json`, the server, the
/// bindings) and `out` (`--out`), written here.
pub fn tournament(
    scenarios: Vec<Scenario>,
    args: &TournamentArgs<'_>,
    out: Option<&Path>,
) -> anyhow::Result<Tournament> {
    let mut packed = crate::spill::Spill::new();
    let mut bytes = Vec::new();
    let scored = run(scenarios, args, &mut |record| {
        bytes.clear();
        record.pack(&mut bytes);
        packed.push(&bytes);
    })?;
    let threads = detente_sim::worker_threads(args.threads);
    let t = Tournament { scored, sessions: Sessions::Packed(packed.finish()?), threads };
    t.write_part_file(out)?;
    Ok(t)
}

/// `detente tournament`, keeping nothing of a session: its scores (and `--csv`).
pub fn scores(scenarios: Vec<Scenario>, args: &TournamentArgs<'_>) -> anyhow::Result<Scored> {
    run(scenarios, args, &mut |_| {})
}

/// Runs the tournament, handing each session to `keep` in index order (as
/// `detente_sim::tournament_each`); writes `--csv`.
fn run(
    scenarios: Vec<Scenario>,
    args: &TournamentArgs<'_>,
    keep: &mut (dyn FnMut(SessionRecord) + Send),
) -> anyhow::Result<Scored> {
    if args.threads > detente_sim::MAX_THREADS {
        return Err(BadInput(format!(
            "--threads {}: at most {} (the result does not depend on the thread count)",
            args.threads,
            detente_sim::MAX_THREADS
        ))
        .into());
    }
    let shard = match args.shard {
        None => Shard::ALL,
        Some(k) => Shard::parse(k).ok_or_else(|| {
            BadInput(format!("--shard {k:?}: expected K/N with 0 <= K < N, e.g. 0/4"))
        })?,
    };
    // Whose deal, as in `simulate`: each scenario's principals play, or the parties named.
    let mut played = Vec::with_capacity(scenarios.len());
    let mut notes = String::new();
    for whole in scenarios {
        // Each scenario as known on its file's as_of, as every command reads it.
        let (whole, _) = crate::load::as_of(whole, None)?;
        let counted = crate::load::parties(&whole, args.parties)?;
        let ids =
            |ps: &[usize]| ps.iter().map(|&p| whole.parties()[p].id.clone()).collect::<Vec<_>>();
        if counted.len() < 2 {
            return Err(BadInput(format!(
                "{}: {} alone cannot negotiate: a session needs at least two parties (name them with --parties)",
                whole.meta().name,
                ids(&counted).join(", ")
            ))
            .into());
        }
        let left_out: Vec<usize> =
            (0..whole.parties().len()).filter(|p| !counted.contains(p)).collect();
        if left_out.is_empty() {
            played.push(whole);
            continue;
        }
        let _ = writeln!(
            notes,
            "In {}, {} play ({}); {} {} not{}.",
            whole.meta().name,
            if args.parties.is_some() { "only the parties named" } else { "the principals" },
            detente_words::and_list(&ids(&counted)),
            detente_words::and_list(&ids(&left_out)),
            if left_out.len() == 1 { "does" } else { "do" },
            if args.parties.is_some() { "" } else { " (choose with --parties)" },
        );
        played.push(detente_sim::among(&whole, &counted).map_err(sim_error)?);
    }
    let domains = played
        .into_iter()
        .map(|s| Domain::new(Arc::new(s)).map(Arc::new).map_err(sim_error))
        .collect::<Result<Vec<_>, _>>()?;
    let config = TournamentConfig {
        negotiators: args.negotiators.clone(),
        session: args.session,
        repetitions: args.repetitions,
        seed: args.seed,
        threads: args.threads,
        shard,
    };
    let bar = args.progress.then(progress_bar);
    let progress: &(dyn Fn(Progress) + Sync) = match &bar {
        Some(bar) => bar,
        None => &|_| {},
    };
    let summary =
        detente_sim::tournament_each(&domains, &config, progress, &|_, _| (), &mut |r, ()| keep(r))
            .map_err(sim_error)?;
    let scored = Scored { summary, notes };
    scored.write_csv(args.csv)?;
    Ok(scored)
}

/// The largest part file `tournament merge` reads: a part of the largest tournament
/// ([`detente_sim::MAX_SESSIONS`] sessions) is far smaller.
pub const MAX_PART_BYTES: u64 = 1 << 30;

/// `detente tournament merge`: the parts' sessions (their records, whose text is written when
/// the part is), writing `csv` and the part to `out`.
pub fn merge(
    files: &[String],
    partial: bool,
    csv: Option<&Path>,
    out: Option<&Path>,
) -> anyhow::Result<Tournament> {
    let mut parts: Vec<TournamentResult> = vec![];
    let mut held = 0usize;
    for f in files {
        let size =
            std::fs::metadata(f).map_err(|e| BadInput(format!("{f}: cannot read: {e}")))?.len();
        if size > MAX_PART_BYTES {
            return Err(BadInput(format!(
                "{f}: {size} bytes, larger than any tournament part (at most {MAX_PART_BYTES})"
            ))
            .into());
        }
        let text =
            std::fs::read_to_string(f).map_err(|e| BadInput(format!("{f}: cannot read: {e}")))?;
        let part = detente_sim::read_part(&text)
            .map_err(|e| BadInput(format!("{f}: not a tournament part: {e}")))?;
        held += part.records.len();
        parts.push(part);
        if held as u64 > detente_sim::MAX_SESSIONS {
            // More sessions than any tournament has: some part repeats or does not belong.
            // Say which now, before reading (and holding) more.
            let named: Vec<(&str, &TournamentResult)> =
                files.iter().map(String::as_str).zip(parts.iter()).collect();
            detente_sim::merge_named(&named).map_err(sim_error)?;
            return Err(BadInput("the parts hold more sessions than a tournament".into()).into());
        }
    }
    if parts.is_empty() {
        return Err(BadInput("tournament merge needs at least one part".to_string()).into());
    }
    let named: Vec<(&str, &TournamentResult)> =
        files.iter().map(String::as_str).zip(parts.iter()).collect();
    let result = detente_sim::merge_named(&named).map_err(sim_error)?;
    drop(parts);
    let missing = result.shards.missing();
    if !missing.is_empty() && !partial {
        return Err(BadInput(format!(
            "{} {} missing: give every part, or --partial to merge these alone",
            detente_words::and_list(&shard_names(&missing, result.shards.count)),
            if missing.len() == 1 { "is" } else { "are" },
        ))
        .into());
    }
    let scored = Scored { summary: result.summary(), notes: String::new() };
    scored.write_csv(csv)?;
    let t = Tournament {
        scored,
        sessions: Sessions::Records(result.records),
        threads: detente_sim::worker_threads(0),
    };
    t.write_part_file(out)?;
    Ok(t)
}

fn shard_names(indices: &[u32], count: u32) -> Vec<String> {
    indices.iter().map(|k| format!("shard {k}/{count}")).collect()
}

fn round12(x: f64) -> String {
    match j::num(x) {
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A tournament (or merged parts) counted and scored: what `detente tournament` prints for
/// people. It has no JSON of its own: the JSON is the part, which a [`Tournament`] keeps.
pub struct Scored {
    summary: TournamentSummary,
    /// Which parties played, one line per scenario where not every party did.
    notes: String,
}

/// A tournament's sessions as its part holds them, in index order.
enum Sessions {
    /// The records of a tournament run here, packed ([`SessionRecord::pack`]) one after
    /// another.
    Packed(crate::spill::Spill),
    /// The records of merged parts.
    Records(Vec<SessionRecord>),
}

/// `detente tournament` (or `tournament merge`) with its part: the scores and every session,
/// the JSON that `--json` prints and `--out` writes (a part to merge).
pub struct Tournament {
    scored: Scored,
    sessions: Sessions,
    /// The threads writing the sessions' text.
    threads: usize,
}

/// The sessions' text is written this many at a time, spread over the threads.
const BATCH: usize = 4096;

/// Sessions whose text is written at once.
enum Batch<'a> {
    Records(&'a [SessionRecord]),
    /// Each packed ([`SessionRecord::pack`]).
    Packed(&'a [&'a [u8]]),
}

impl Tournament {
    /// Writes the part, as `--json` prints it (with its trailing newline), to `out`: the
    /// sessions' text written [`BATCH`] sessions at a time on every thread.
    fn write_part(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let spec = &self.scored.summary.spec;
        let frame = PartFrame::new(&self.scored.summary);
        out.write_all(frame.before().as_bytes())?;
        let mut texts = vec![Vec::new(); self.threads.max(1)];
        let mut first = true;
        // Each batch written on the threads, then its text in order.
        let mut write = |batch: Batch<'_>| {
            let whole = match batch {
                Batch::Records(records) => {
                    PartText::write_sessions(spec, records, first, &mut texts);
                    true
                }
                Batch::Packed(packed) => PartText::write_packed(spec, packed, first, &mut texts),
            };
            if !whole {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "a session kept is not a record",
                ));
            }
            first = false;
            texts.iter().try_for_each(|text| out.write_all(text))
        };
        match &self.sessions {
            Sessions::Packed(packed) => {
                packed_batches(packed.reader()?, BATCH, &mut |b| write(Batch::Packed(b)))?;
            }
            Sessions::Records(records) => {
                records.chunks(BATCH).try_for_each(|b| write(Batch::Records(b)))?;
            }
        }
        out.write_all(frame.after().as_bytes())?;
        out.write_all(b"\n")
    }

    /// Writes the part to the file `--out` names, if any.
    fn write_part_file(&self, out: Option<&Path>) -> Result<(), BadInput> {
        match out {
            Some(path) => crate::output::write_file_with(path, &mut |w| self.write_part(w)),
            None => Ok(()),
        }
    }
}

/// Hands the records packed one after another in `reader` ([`SessionRecord::pack`]) to
/// `batch`, at most `n` at a time, each record's bytes whole; an error if the bytes end in the
/// middle of a record.
fn packed_batches(
    mut reader: impl std::io::Read,
    n: usize,
    batch: &mut dyn FnMut(&[&[u8]]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // The bytes read and not yet handed over, and the ends of the whole records among them.
    let mut buf = Vec::new();
    let mut ends = Vec::with_capacity(n);
    let mut at_end = false;
    loop {
        let mut at = ends.last().copied().unwrap_or(0);
        while ends.len() < n {
            match SessionRecord::packed_len(&buf[at..]) {
                Some(len) => {
                    at += len;
                    ends.push(at);
                }
                None => break,
            }
        }
        if ends.len() < n && !at_end {
            let old = buf.len();
            buf.resize(old + (1 << 16), 0);
            let read = loop {
                match reader.read(&mut buf[old..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    read => break read,
                }
            };
            buf.truncate(old + read.as_ref().map_or(0, |r| *r));
            at_end = read? == 0;
            continue;
        }
        let Some(&used) = ends.last() else {
            return match buf.is_empty() {
                true => Ok(()),
                false => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the sessions kept end in the middle of a record",
                )),
            };
        };
        let records: Vec<&[u8]> = std::iter::once(0)
            .chain(ends.iter().copied())
            .zip(&ends)
            .map(|(start, &end)| &buf[start..end])
            .collect();
        batch(&records)?;
        buf.drain(..used);
        ends.clear();
    }
}

impl Scored {
    /// Writes the scores as CSV where `--csv` asks.
    fn write_csv(&self, csv: Option<&Path>) -> Result<(), BadInput> {
        let Some(path) = csv else { return Ok(()) };
        let scores = &self.summary.scores;
        let spec = &self.summary.spec;
        let mut text = String::from(
            "scenario,negotiator,appearances,agreements,agreement_rate,mean_utility,mean_advantage,mean_rescaled_utility,rescaled_appearances,mean_welfare,mean_distance_to_nash,mean_distance_to_pareto\n",
        );
        let opt = |x: Option<f64>| x.map_or(String::new(), round12);
        let tables = spec
            .scenarios
            .iter()
            .map(|s| s.name.as_str())
            .zip(&scores.by_scenario)
            .chain(std::iter::once(("", &scores.overall)));
        for (scenario, table) in tables {
            for sc in table {
                let _ = writeln!(
                    text,
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(scenario),
                    csv_field(&sc.negotiator),
                    sc.appearances,
                    sc.agreements,
                    round12(sc.agreement_rate),
                    opt(sc.mean_utility),
                    opt(sc.mean_advantage),
                    opt(sc.mean_rescaled_utility),
                    sc.rescaled_appearances,
                    opt(sc.mean_welfare),
                    opt(sc.mean_nash_distance),
                    opt(sc.mean_pareto_distance)
                );
            }
        }
        crate::output::write_file(path, text.as_bytes())
    }

    /// The scores: per scenario, and across scenarios on the common scale.
    pub fn scores(&self) -> detente_sim::Scores {
        self.summary.scores.clone()
    }

    /// The first lines of the text output: what was played, which parties played where not
    /// every party did, and what is missing from a partial merge.
    pub fn heading(&self) -> Vec<String> {
        let result = &self.summary;
        let spec = &result.spec;
        let mut lines = vec![format!(
            "Tournament: {} on {}, {}; {} on {}, {}, seed {}",
            detente_words::count(spec.negotiators.len(), "negotiator", "negotiators"),
            detente_words::count(spec.scenarios.len(), "scenario", "scenarios"),
            detente_words::count(result.total_sessions, "session", "sessions"),
            spec.session.mechanism.name(),
            match (spec.session.deadline.n_steps, spec.session.deadline.time_limit) {
                (Some(n), _) => detente_words::count(n as usize, "step", "steps"),
                (None, Some(t)) => format!("{t} simulated seconds"),
                (None, None) => "-".to_string(),
            },
            detente_words::count(spec.repetitions as usize, "repetition", "repetitions"),
            spec.seed
        )];
        lines.extend(self.notes.lines().map(str::to_string));
        let missing = result.shards.missing();
        if !missing.is_empty() {
            lines.push(format!(
                "PARTIAL: {} {} missing; these scores cover only {} of {} sessions.",
                detente_words::and_list(&shard_names(&missing, result.shards.count)),
                if missing.len() == 1 { "is" } else { "are" },
                result.sessions,
                result.total_sessions
            ));
        }
        lines
    }

    /// Who gained most on the common scale, in a sentence; `None` when no negotiator has a
    /// rescaled utility.
    pub fn best_words(&self) -> Option<String> {
        let (u, ties) = self.summary.scores.best_overall()?;
        Some(if let [best] = ties[..] {
            format!(
                "{} gained most on the common scale (mean rescaled utility {}), reaching agreement in {} of its {} appearances.",
                best.negotiator,
                detente_words::num(u),
                best.agreements,
                best.appearances
            )
        } else {
            let names: Vec<&str> = ties.iter().map(|sc| sc.negotiator.as_str()).collect();
            format!(
                "{} gained most on the common scale (mean rescaled utility {} each).",
                detente_words::and_list(&names),
                detente_words::num(u)
            )
        })
    }
}

impl Report for Tournament {
    fn text(&self) -> String {
        self.scored.text()
    }

    /// The part as a JSON value, read back from the text [`Report::write_json`] writes (a
    /// value of every session is built only when asked for).
    fn json(&self) -> Value {
        // The text is JSON written by this program.
        serde_json::from_str(&self.json_text()).unwrap_or(Value::Null)
    }

    /// The part written piece by piece: the sessions' text is never held whole.
    fn write_json(
        &self,
        out: &mut dyn std::io::Write,
        extra: &serde_json::Map<String, Value>,
    ) -> std::io::Result<()> {
        if extra.is_empty() {
            self.write_part(out)
        } else {
            let v = crate::printer::with_entries(self.json(), extra);
            out.write_all(to_json(&v).as_bytes())
        }
    }
}

impl Scored {
    /// The scores for people: the heading, a table across scenarios and one per scenario,
    /// and who gained most.
    pub fn text(&self) -> String {
        let scores = &self.summary.scores;
        let spec = &self.summary.spec;
        let mut text = String::new();
        for line in self.heading() {
            text.push_str(&line);
            text.push('\n');
        }
        let opt = |x: Option<f64>| x.map_or("-".to_string(), detente_words::num);
        let agreed = |sc: &detente_sim::Score| format!("{} of {}", sc.agreements, sc.appearances);
        let _ = writeln!(
            text,
            "\nAcross scenarios, on a common scale (rescaled utility: 0 = reservation, 1 = best outcome):"
        );
        let mut t = Table::new(
            ["negotiator", "played", "rescaled utility", "agreements"].map(String::from).to_vec(),
        );
        for sc in &scores.overall {
            t.row(vec![
                sc.negotiator.clone(),
                sc.appearances.to_string(),
                opt(sc.mean_rescaled_utility),
                agreed(sc),
            ]);
        }
        text.push('\n');
        text.push_str(&t.render("  "));
        for (s, table) in spec.scenarios.iter().zip(&scores.by_scenario) {
            let _ = writeln!(text, "\n{} (utilities in the scenario's own units):\n", s.name);
            let mut t = Table::new(
                [
                    "negotiator",
                    "played",
                    "utility",
                    "advantage",
                    "rescaled",
                    "agreements",
                    "welfare",
                    "to Nash",
                    "to Pareto",
                ]
                .map(String::from)
                .to_vec(),
            );
            for sc in table {
                t.row(vec![
                    sc.negotiator.clone(),
                    sc.appearances.to_string(),
                    opt(sc.mean_utility),
                    sc.mean_advantage.map_or("-".to_string(), detente_words::signed),
                    opt(sc.mean_rescaled_utility),
                    agreed(sc),
                    opt(sc.mean_welfare),
                    opt(sc.mean_nash_distance),
                    opt(sc.mean_pareto_distance),
                ]);
            }
            text.push_str(&t.render("  "));
        }
        if let Some(line) = self.best_words() {
            let _ = writeln!(text, "\n{line}");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn the_mechanism_flag_offers_each_mechanism_of_the_registry_by_its_name() {
        let values = MechanismArg::value_variants();
        assert_eq!(values.len(), detente_sim::mechanisms().len());
        for v in values {
            let pv = v.to_possible_value().expect("shown");
            let m = v.mechanism();
            assert_eq!(pv.get_name(), m.name());
            let found = detente_sim::mechanism(pv.get_name()).expect("registered");
            assert_eq!(found.name(), m.name());
            for alias in m.aliases() {
                assert!(pv.matches(alias, false), "{alias}");
            }
        }
    }

    /// A reader handing out a few bytes at a time, so that records straddle its reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = self.1 % 13 + 1;
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn packed_records_are_read_back_in_order_however_the_reads_fall() {
        let record = |index: usize, message: String| SessionRecord {
            index,
            scenario: 0,
            combination: index % 3,
            negotiators: vec![0, 1],
            repetition: 2,
            seed: index as u64 * 7,
            termination: Termination::NegotiatorError { party: 1, message },
            agreement: None,
            utilities: vec![0.5, 0.25],
            reservations: vec![0.0, 0.1],
            steps: 9,
            pareto_distance: Some(0.125),
            nash_distance: None,
        };
        // One record longer than the reader's first buffer, so that it must grow.
        let records: Vec<SessionRecord> =
            (0..200).map(|k| record(k, "x".repeat(if k == 77 { 100_000 } else { k }))).collect();
        let mut bytes = Vec::new();
        records.iter().for_each(|r| r.pack(&mut bytes));
        let read_all = |bytes: &[u8], n: usize| {
            let mut all = Vec::new();
            let read = packed_batches(Trickle(bytes, 0), n, &mut |batch| {
                assert!(!batch.is_empty() && batch.len() <= n);
                for packed in batch {
                    let mut r = SessionRecord::blank();
                    assert_eq!(r.unpack_from(packed), Some(packed.len()));
                    all.push(r);
                }
                Ok(())
            });
            (all, read)
        };
        for n in [1, 7, 500] {
            let (all, read) = read_all(&bytes, n);
            assert!(read.is_ok());
            assert_eq!(all, records, "{n}");
            let (all, read) = read_all(&[], n);
            assert!(read.is_ok() && all.is_empty());
            // Cut inside the last record: every record before it, then an error.
            let (all, read) = read_all(&bytes[..bytes.len() - 3], n);
            assert_eq!(read.unwrap_err().kind(), std::io::ErrorKind::InvalidData);
            assert_eq!(all[..], records[..records.len() - 1]);
        }
    }

    #[test]
    fn a_bar_is_drawn_when_its_percentage_changes_and_ends_its_line() {
        let mut bar = Bar { on_terminal: false, unit: "steps", last: None };
        let frames: Vec<String> = (1..=1_000).filter_map(|k| bar.frame(k, 1_000)).collect();
        assert_eq!(frames.len(), 101); // 0%, 1%, ..., 100%
        assert_eq!(frames[0], format!("\r[{}] 1/1000 steps", ".".repeat(30)));
        assert_eq!(frames[100], format!("\r[{}] 1000/1000 steps\n", "#".repeat(30)));
        assert!(frames[..100].iter().all(|f| !f.ends_with('\n')));
        assert_eq!(bar.frame(0, 0), None);
    }

    #[test]
    fn a_long_session_shows_its_steps_a_short_one_nothing() {
        let mut long = StepBar(Bar { on_terminal: false, unit: "steps", last: None });
        let step = |step, max_steps| Event::Step { step, relative_time: 0.0, max_steps };
        long.on_event(&step(0, STEP_BAR_FROM));
        assert_eq!(long.0.last, Some(0));
        let mut short = StepBar(Bar { on_terminal: false, unit: "steps", last: None });
        short.on_event(&step(0, STEP_BAR_FROM - 1));
        assert_eq!(short.0.last, None);
    }

    #[test]
    fn the_negotiators_help_lists_every_registered_negotiator() {
        let short = negotiators_help("Negotiators", false);
        let long = negotiators_help("Negotiators", true);
        for b in detente_sim::builtins() {
            assert!(short.contains(b.name), "{}", b.name);
            assert!(long.contains(&format!("{}: {}", b.name, b.summary)), "{}", b.name);
        }
    }
}
