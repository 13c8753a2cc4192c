//! `detente`: the command line over the detente libraries.
//!
//! The binary is thin: it parses flags, loads the scenario (a file or a shipped name), calls
//! the pure analysis functions, and prints a table for people or JSON for machines.
//!
//! Exit codes: 0 success; 2 bad input or usage (the message on stderr, each file problem
//! located as `file:line:column: field: message`); 1 an internal error. A closed pipe
//! (`detente | head`) ends quietly with 0.

mod analyze;
pub mod api;
mod backtest;
mod bargain;
mod check;
mod compare;
mod deadlock;
mod evaluate;
mod fair;
mod forecast;
mod forecast_points;
mod improve;
mod ingest;
mod json;
mod load;
mod mediate;
mod output;
mod plot;
mod printer;
mod prose;
mod report;
mod robust;
mod scenarios;
mod sensitivity;
mod serve;
mod sim;
mod spill;
mod table;
mod timeline;
mod what_if;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use printer::Printer;

/// Analyse multi-party, multi-issue negotiations: who accepts which draft, how wide the gap
/// is, and whether any deal is possible under the red lines.
#[derive(Parser, Debug)]
#[command(name = "detente", version, about, long_about = None)]
struct Cli {
    /// Print JSON for machines instead of tables for people.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The negotiation at a glance: who accepts which draft, the gap on the latest draft,
    /// and whether any deal is possible (default: the shipped ukraine-2025 scenario).
    Analyze {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: Option<String>,
        /// Draws of the estimates' ranges behind each verdict's share (as `robust`; at most
        /// 1,000,000).
        #[arg(long, value_name = "N", default_value_t = analyze::DEFAULT_SAMPLES)]
        samples: u64,
        /// The seed of the draws.
        #[arg(long, value_name = "S", default_value_t = 0)]
        seed: u64,
        #[command(flatten)]
        what_if: what_if::SetArgs,
    },
    /// Validate a scenario file and report every problem with its place.
    Check {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
    },
    /// Would each party accept a proposal? Per party and per point.
    Evaluate {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// The proposal's id (default: every proposal).
        #[arg(long, short)]
        proposal: Option<String>,
    },
    /// What proposal B changes against proposal A, per point and per party.
    Compare {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// The proposal compared from.
        from: String,
        /// The proposal compared to.
        to: String,
    },
    /// For each verdict, the estimates that flip it and the exact value at which they do,
    /// most likely first (a tornado chart with --plot).
    Sensitivity {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        /// The proposal's id (default: every proposal).
        #[arg(long, short)]
        proposal: Option<String>,
        /// Only these parties' verdicts (comma-separated ids; default: every party).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// Also draw a tornado chart (of the proposal, or of the latest when none is
        /// named) as an SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        #[command(flatten)]
        what_if: what_if::SetArgs,
    },
    /// The talks replayed from the scenario's dated record: at every dated step, each
    /// party's verdict on the latest draft, the gap, whether any deal is possible, and what
    /// changed since the step before and why.
    Timeline {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        /// The first day shown (YYYY-MM-DD; default: the first dated record).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// The last day shown (YYYY-MM-DD; default: the last dated record).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Also draw the gap and each party's utility of the latest draft over time, drafts
        /// marked, as an SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
    /// Is any complete outcome acceptable to all parties? If not, which constraints collide.
    Deadlock {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// Count only these parties (comma-separated ids; default: the principals).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// Search at most N nodes (default 2,000,000); past it the answer is "not decided".
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        budget: Option<u64>,
    },
    /// The Pareto frontier of the rational outcomes and where the bargaining solutions
    /// (Nash, egalitarian, Kalai-Smorodinsky, max welfare) put the agreement.
    Frontier {
        /// A scenario (file or shipped name), a GENIUS domain folder, or a NegMAS JSON domain.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// List at most N frontier points, highest welfare first, in the table and in JSON
        /// (N >= 1; the count and the solutions do not change).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..),
              conflicts_with_all = ["sample", "all"])]
        max_points: Option<u64>,
        /// List N frontier points drawn uniformly at random without replacement (every set of
        /// N points equally likely), in the frontier's order, instead of all of them (N >= 1).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..),
              conflicts_with = "all")]
        sample: Option<u64>,
        /// The seed of `--sample` (default 0): (scenario, seed) decides the sample.
        #[arg(long, value_name = "S", requires = "sample")]
        seed: Option<u64>,
        /// List every frontier point in the table (default: the first 10).
        #[arg(long)]
        all: bool,
        /// Also draw the frontier (the first two counted parties) as an SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// Count only these parties (comma-separated ids; default: the principals).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// Set every red line aside: the frontier and bargaining points as if no party had
        /// one (labelled as such), e.g. to see what a deadlocked case would trade.
        #[arg(long)]
        ignore_red_lines: bool,
        /// Bargaining powers for an asymmetric Nash point: `capability` (the scenario's) or
        /// `a=0.5,b=0.3,...` (every counted party, any scale).
        #[arg(long, value_name = "capability|a=X,b=Y,...")]
        power: Option<String>,
    },
    /// Fair division: Adjusted Winner between two parties (divisible issues, exact and
    /// envy-free), or indivisible items among any number of parties (maximum Nash welfare or
    /// maximin), with a fairness report.
    Divide {
        /// A scenario (file or shipped name; items are its issues, valued by the stance
        /// weights), or a CSV points table with a header `item,<party>,<party>,...`.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// The parties who divide (comma-separated ids; default: the principals; aw divides
        /// between exactly two).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// aw (Adjusted Winner, the default), mnw (maximum Nash welfare) or maximin.
        #[arg(long, value_enum, default_value = "aw")]
        method: fair::MethodArg,
        /// mnw and maximin: the work budget of each search (the allocation, and each
        /// party's maximin share; default 10000000, at most 1000000000000).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000))]
        budget: Option<u64>,
    },
    /// Which revision of a draft narrows the gap most, with the fewest changes; or the
    /// single negotiating text procedure, round by round.
    Mediate {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// The draft to revise.
        #[arg(long)]
        from: String,
        /// Seek the acceptance of these parties (comma-separated ids; default: the principals).
        #[arg(long, value_delimiter = ',', value_name = "a,b,...")]
        parties: Option<Vec<String>>,
        /// `search` (ranked revisions) or `single-text` (the Camp David procedure).
        #[arg(long, value_enum, default_value = "search")]
        procedure: mediate::Procedure,
        /// Search: what to rank by (default fewest-changes: every counted party accepts).
        #[arg(long, value_enum)]
        objective: Option<mediate::ObjectiveArg>,
        /// Search: at most this many changes (at least 1; default, or more than there are
        /// points: every point).
        #[arg(long, value_name = "K")]
        max_changes: Option<usize>,
        /// Search: list the N best revisions (default 3, at most 100).
        #[arg(long, value_name = "N")]
        top: Option<usize>,
        /// The work budget in steps, of either procedure (default 1000000000, at most
        /// 1000000000000); when it is reached the answer is the best found, marked not exact.
        #[arg(long, value_name = "STEPS")]
        budget: Option<u64>,
        /// Single text: at most this many revisions (default 30, 1 to 1000).
        #[arg(long, value_name = "N")]
        max_rounds: Option<usize>,
        /// Search: rank the revisions by the share of draws of the estimates' ranges in which
        /// every counted party accepts, and keep those at or above P (0 to 1).
        #[arg(long, value_name = "P")]
        min_probability: Option<f64>,
        /// With --min-probability: how many draws (default 1,000, at most 1,000,000).
        #[arg(long, value_name = "N")]
        samples: Option<u64>,
        /// With --min-probability: the seed of the draws (default 0).
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// With --objective nash: bargaining powers, `capability` (the scenario's) or
        /// `a=0.5,b=0.3,...` (every counted party, any scale), for the asymmetric Nash product.
        #[arg(long, value_name = "capability|a=X,b=Y,...")]
        power: Option<String>,
    },
    /// Improve an agreed deal: the packages of changes to a draft that make every counted
    /// party at least as well off and someone better off, ranked by the gains.
    Improve {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// The draft to improve (any proposal, accepted or not).
        #[arg(long)]
        from: String,
        /// The parties who must be no worse off (comma-separated ids; default: the principals).
        #[arg(long, value_delimiter = ',', value_name = "a,b,...")]
        parties: Option<Vec<String>>,
        /// What to rank the packages by, over the counted parties' gains (default nash).
        #[arg(long, value_enum)]
        objective: Option<improve::ObjectiveArg>,
        /// At most this many changes (at least 1; default, or more than there are points:
        /// every point).
        #[arg(long, value_name = "K")]
        max_changes: Option<usize>,
        /// List the N best packages (default 3, at most 100).
        #[arg(long, value_name = "N")]
        top: Option<usize>,
        /// The work budget in steps (default 1000000000, at most 1000000000000); when it is
        /// reached the answer is the best found, marked not exact.
        #[arg(long, value_name = "STEPS")]
        budget: Option<u64>,
        /// With --objective nash: bargaining powers, `capability` (the scenario's) or
        /// `a=0.5,b=0.3,...` (every counted party, any scale), for the weighted product.
        #[arg(long, value_name = "capability|a=X,b=Y,...")]
        power: Option<String>,
        /// Rank the packages by the share of draws of the estimates' ranges in which they
        /// still improve the draft, and keep those at or above P (0 to 1).
        #[arg(long, value_name = "P")]
        min_probability: Option<f64>,
        /// With --min-probability: how many draws (default 1,000, at most 1,000,000).
        #[arg(long, value_name = "N")]
        samples: Option<u64>,
        /// With --min-probability: the seed of the draws (default 0).
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
    },
    /// Where positions will move and which outcome is likely: KTAB's Spatial Model of
    /// Politics, or the compromise and weighted-median baselines.
    Forecast {
        /// A KTAB input (.csv or .xml) or a scenario (file or shipped name); a scenario with
        /// discrete points is forecast point by point.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// The model.
        #[arg(long, value_enum, default_value = "smp")]
        model: forecast::Model,
        /// Draw bargains at random (reproducibly from --seed) instead of deterministically
        /// (smp only).
        #[arg(long)]
        stochastic: bool,
        /// Seed of a stochastic run (default: KTAB's); refused for a deterministic run.
        #[arg(long)]
        seed: Option<u64>,
        /// Stop after this many rounds at the latest (smp only; default 100; 0: the opening
        /// positions and their win probabilities, no round run).
        #[arg(long)]
        max_rounds: Option<usize>,
        /// Work budget in units of actors x actors x (actors + dimensions) per round (smp
        /// only; default 10000000000): the run stops, not converged, before a round that
        /// would pass it.
        #[arg(long)]
        max_work: Option<u64>,
        /// Only these actors (comma-separated: party ids of a scenario, actor names of a
        /// KTAB file; default: every actor).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// Also draw the positions round by round as an SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
    /// Forecasts scored against real outcomes: every issue of a DEU file (EU legislative
    /// decisions) forecast by each model, with the mean absolute error, the root mean square
    /// error and the share within 10 points.
    Backtest {
        /// A DEU file (tab-separated: prnr, isnr, `pX` and `sX` per actor X, out).
        file: String,
        /// The models (comma-separated; default: all).
        #[arg(long, value_enum, value_delimiter = ',')]
        model: Option<Vec<backtest::ModelArg>>,
        /// The actors' capabilities.
        #[arg(long, value_enum, default_value = "equal")]
        capability: backtest::CapabilityArg,
        /// Folds of the cross-validation by proposal of fitted models (2 to the number of
        /// proposals; default 10, or one per proposal when there are fewer).
        #[arg(long, value_name = "K")]
        folds: Option<usize>,
        /// Also draw each model's forecast against the outcome as an SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
    /// Automated negotiators play one session on a scenario: the trace, the agreement, each
    /// party's utility, and the distance to the Pareto frontier and the Nash point.
    Simulate {
        /// A scenario (file or shipped name), a GENIUS domain folder, or a NegMAS JSON domain.
        scenario: String,
        #[command(flatten)]
        what_if: what_if::SetArgs,
        /// The parties that negotiate (comma-separated ids; default: the principals).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// The mechanism: sao (alternating offers), hill-climbing (single text), veto, or
        /// negmas-sao (NegMAS's alternating offers, for the -negmas negotiators).
        #[arg(long, value_enum, default_value = "sao")]
        mechanism: sim::MechanismArg,
        // Help from the negotiator registry.
        #[arg(
            long,
            value_delimiter = ',',
            required = true,
            help = sim::negotiators_help("One negotiator per negotiating party, in party order", false),
            long_help = sim::negotiators_help("One negotiator per negotiating party, in party order", true)
        )]
        negotiators: Vec<String>,
        /// Deadline in steps (default 100 unless --time-limit is given; at most 1e9).
        #[arg(long)]
        steps: Option<u32>,
        /// Deadline in simulated seconds (one step takes one second).
        #[arg(long, allow_negative_numbers = true)]
        time_limit: Option<f64>,
        /// The seed: the same inputs and seed give the same output, byte for byte.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// How much of the trace to keep: none, summary (the first and last 10 entries) or
        /// full (deadlines of at most 10,000 steps).
        #[arg(long, value_enum, default_value = "summary")]
        trace: sim::TraceArg,
    },
    /// Every ordered combination of negotiators on every scenario, in parallel, with scores
    /// per negotiator; `--shard K/N` runs one part and `tournament merge` combines parts.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Tournament {
        #[command(subcommand)]
        command: Option<TournamentCommand>,
        /// Scenarios (files, shipped names, GENIUS folders or NegMAS JSON domains).
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Refused: a tournament takes no what-if settings (docs/cli.md, "What-if").
        #[arg(long = "set", value_name = "PATH=VALUE", hide = true)]
        set: Vec<String>,
        // Help from the negotiator registry.
        #[arg(
            long,
            value_delimiter = ',',
            required = true,
            help = sim::negotiators_help("Negotiators to play (comma-separated)", false),
            long_help = sim::negotiators_help("Negotiators to play (comma-separated)", true)
        )]
        negotiators: Vec<String>,
        /// The parties that play in every scenario (comma-separated ids; default: each
        /// scenario's principals, everyone when it names none).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// The mechanism: sao, hill-climbing, veto or negmas-sao.
        #[arg(long, value_enum, default_value = "sao")]
        mechanism: sim::MechanismArg,
        /// Deadline in steps (default 100 unless --time-limit is given; at most 1e9).
        #[arg(long)]
        steps: Option<u32>,
        /// Deadline in simulated seconds (one step takes one second).
        #[arg(long, allow_negative_numbers = true)]
        time_limit: Option<f64>,
        /// Repetitions of each combination (at most 100,000 sessions in all).
        #[arg(long, default_value_t = 1)]
        repetitions: u32,
        /// The tournament seed (each session's seed derives from it and the session's place).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Worker threads (0: all cores; at most 256); the result does not depend on it.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Run only part K of N (sessions whose index is K modulo N), e.g. 0/4.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Also write the scores as CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Also write the full result (every session) as JSON, e.g. a part to merge later.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// How sure the verdicts are: Monte Carlo over the ranges of the estimates (and the
    /// doubts on red lines), in parallel; `--shard K/N` runs one part and `robust merge`
    /// combines parts into exactly one run's result.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Robust {
        #[command(subcommand)]
        command: Option<RobustCommand>,
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        #[arg(required = true)]
        scenario: Option<String>,
        /// Study only this proposal (default: every proposal).
        #[arg(long, short)]
        proposal: Option<String>,
        /// Draws (default 10,000; at most 10,000,000).
        #[arg(long, value_name = "N", default_value_t = robust::DEFAULT_SAMPLES)]
        samples: u64,
        /// The seed: draw k depends on it and k alone.
        #[arg(long, value_name = "S", default_value_t = 0)]
        seed: u64,
        /// Count only these parties (comma-separated ids; default: the principals).
        #[arg(long, value_delimiter = ',')]
        parties: Option<Vec<String>>,
        /// Each draw's deadlock search: at most N nodes (default 100,000); past it the draw
        /// counts as not exact.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        budget: Option<u64>,
        /// Worker threads (0: all cores; at most 256); the result does not depend on it.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Run only part K of N (draws whose index is K modulo N), e.g. 0/4; --json writes
        /// the part to merge.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        #[command(flatten)]
        what_if: what_if::SetArgs,
    },
    /// Convert a peer's negotiation domain into a detente scenario file (TOML, or JSON with --json).
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Candidate evidence from a news article (plain text): each sentence that names a
    /// party and a point (by names and aliases), with its quotes, speaker and a suggested
    /// reading from keywords; printed as TOML to confirm, or appended unconfirmed with
    /// --write. Never changes the scenario by itself.
    Ingest {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        /// The article: a plain-text file (UTF-8).
        article: String,
        /// The article's day (YYYY-MM-DD): dates the sentences that name no day, and
        /// "yesterday" or a weekday in the text.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Append the candidates to the scenario file (TOML) as unconfirmed: every command
        /// ignores them until confirmed.
        #[arg(long)]
        write: bool,
    },
    /// List the scenarios shipped inside the binary.
    Scenarios,
    /// A local web dashboard and JSON API over the scenarios given (default: the shipped
    /// ones), on 127.0.0.1 unless another --host is asked for.
    Serve(serve::ServeArgs),
    /// One self-contained HTML file to share: the overview, the heat map of a proposal, the
    /// gap, the deadlock answer and the ranked revisions (readable printed and on a phone).
    Report {
        /// A scenario file (.toml or .json) or the name of a shipped scenario.
        scenario: String,
        /// The proposal shown (default: the latest draft).
        #[arg(long, short)]
        proposal: Option<String>,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        #[command(flatten)]
        what_if: what_if::SetArgs,
    },
}

#[derive(Subcommand, Debug)]
enum TournamentCommand {
    /// Combine the parts of a sharded tournament (files written with --out or --json) into
    /// exactly the result of one run.
    Merge {
        /// The part files.
        #[arg(required = true)]
        parts: Vec<String>,
        /// Merge even when some shards are missing (the output says which).
        #[arg(long)]
        partial: bool,
        /// Also write the scores as CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Also write the merged result as JSON.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum RobustCommand {
    /// Combine the parts of a sharded study (written with --shard K/N --json) into exactly
    /// the result of one run.
    Merge {
        /// The part files.
        #[arg(required = true)]
        parts: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ImportFrom {
    /// A GENIUS domain folder (a domain XML and one utility profile XML per party).
    Genius {
        /// The folder.
        dir: String,
        /// Write the scenario here instead of to standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// A KTAB input (CSV or XML): actors as parties, dimensions as 0-100 scale issues.
    Ktab {
        /// The file.
        file: String,
        /// Write the scenario here instead of to standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// A NegMAS plain JSON domain.
    Json {
        /// The file.
        file: String,
        /// Write the scenario here instead of to standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// An error that is the user's to fix: exit code 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// The command line: parses the process's arguments, runs the command, prints, and returns
/// the exit code (the binary `detente` is this function).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            match err.downcast_ref::<load::LoadError>() {
                // Located file problems are printed as they are, one per line, like a compiler's.
                Some(load::LoadError::Invalid(problems)) => eprintln!("{problems}"),
                _ => eprintln!("detente: {err:#}"),
            }
            if err.downcast_ref::<BadInput>().is_some()
                || err.downcast_ref::<load::LoadError>().is_some()
            {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Analyze {
        scenario: None,
        samples: analyze::DEFAULT_SAMPLES,
        seed: 0,
        what_if: what_if::SetArgs::default(),
    });
    // The one choice of output format: every command builds a report, this printer writes
    // it (text wrapped to the reader's width). Scenario files written by `import` are not
    // reports: `--json` chooses their format and they are never wrapped.
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut printer = printer::Out::new(Printer::from_flags(cli.json), &mut stdout);
    match command {
        Command::Analyze { scenario, samples, seed, what_if } => {
            let name = scenario.as_deref().unwrap_or(detente_scenario::shipped::DEFAULT);
            let (s, shown) = what_if::load(load::scenario(name)?, &what_if)?;
            printer.print(&shown.around(&analyze::analyze(&s, samples, seed)?))
        }
        Command::Check { scenario, what_if } => match load::scenario(&scenario) {
            Ok(full) => {
                let (s, shown) = what_if::load(full.clone(), &what_if)?;
                let name = if scenario == load::STDIN { "<stdin>" } else { scenario.as_str() };
                printer.print(&shown.around(&check::check(name, &s, &full)))
            }
            Err(load::LoadError::Invalid(e)) if printer.printer() == Printer::Json => {
                // Machines get the problems as JSON on stdout; the exit code still says "bad input".
                let out = printer.writer();
                out.write_all(json::to_json(&check::problems_json(&scenario, &e)).as_bytes())?;
                out.flush()?;
                return Err(
                    BadInput(format!("{scenario}: {} problem(s)", e.problems().len())).into()
                );
            }
            Err(e) => return Err(e.into()),
        },
        Command::Evaluate { scenario, proposal, what_if } => {
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let proposals = match proposal {
                Some(id) => vec![load::proposal(&s, &id)?],
                None => (0..s.proposals().len()).collect(),
            };
            if proposals.is_empty() {
                return Err(BadInput(format!("{scenario}: the scenario has no proposals")).into());
            }
            printer.print(&shown.around(&evaluate::evaluate(&s, &proposals)?))
        }
        Command::Sensitivity { scenario, proposal, parties, plot, what_if } => {
            if let Some(path) = &plot {
                output::check_plot_path(path)?;
            }
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let proposals = match &proposal {
                Some(id) => vec![load::proposal(&s, id)?],
                None => (0..s.proposals().len()).collect(),
            };
            let Some(&latest) = proposals.last() else {
                return Err(BadInput(format!("{scenario}: the scenario has no proposals")).into());
            };
            // Each verdict is one party's own: every party unless some are named.
            let parties = match parties {
                Some(ids) => load::parties(&s, Some(&ids))?,
                None => (0..s.parties().len()).collect(),
            };
            let charted = match proposal {
                Some(_) => latest,
                None => detente_analysis::latest_proposal(&s).unwrap_or(latest),
            };
            let plot = plot.as_deref().map(|path| (path, charted));
            printer.print(&shown.around(&sensitivity::sensitivity(&s, &proposals, parties, plot)?))
        }
        Command::Timeline { scenario, from, to, plot } => {
            if let Some(path) = &plot {
                output::check_plot_path(path)?;
            }
            let s = load::scenario(&scenario)?;
            let t = timeline::timeline(&s, from.as_deref(), to.as_deref())?;
            if let Some(path) = &plot {
                output::write_file(path, timeline::svg(&t).as_bytes())?;
            }
            printer.print(&t)
        }
        Command::Compare { scenario, from, to, what_if } => {
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let a = load::proposal(&s, &from)?;
            let b = load::proposal(&s, &to)?;
            printer.print(&shown.around(&compare::compare(&s, a, b)?))
        }
        Command::Deadlock { scenario, what_if, parties, budget } => {
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let parties = load::parties(&s, parties.as_deref())?;
            printer.print(&shown.around(&deadlock::deadlock(&s, Some(parties), budget)?))
        }
        Command::Frontier {
            scenario,
            what_if,
            max_points,
            sample,
            seed,
            all,
            plot,
            parties,
            ignore_red_lines,
            power,
        } => {
            if let Some(path) = &plot {
                output::check_plot_path(path)?;
            }
            let (s, shown) = what_if::load(load::any(&scenario)?, &what_if)?;
            let parties = load::parties(&s, parties.as_deref())?;
            let power = power.map(|spec| load::power(&s, &parties, &spec)).transpose()?;
            let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
            let args = bargain::FrontierArgs {
                max_points: max_points.map(size),
                sample: sample.map(size),
                seed: seed.unwrap_or(0),
                all,
                plot: plot.as_deref(),
                parties,
                ignore_red_lines,
                power,
            };
            printer.print(&shown.around(&bargain::frontier(&s, &args)?))
        }
        Command::Forecast {
            scenario,
            what_if,
            model,
            stochastic,
            seed,
            max_rounds,
            max_work,
            parties,
            plot,
        } => {
            if let Some(path) = &plot {
                output::check_plot_path(path)?;
            }
            let args = forecast::ForecastArgs {
                model,
                seed,
                stochastic,
                max_rounds,
                max_work,
                parties: parties.as_deref(),
                plot: plot.as_deref(),
                set: &what_if,
            };
            let (report, shown) = forecast::forecast(&scenario, &args)?;
            printer.print(&shown.around(report.as_ref()))
        }
        Command::Backtest { file, model, capability, folds, plot } => {
            if let Some(path) = &plot {
                output::check_plot_path(path)?;
            }
            let args = backtest::BacktestArgs {
                models: model.as_deref(),
                capability,
                folds,
                plot: plot.as_deref(),
            };
            printer.print(&backtest::run(&file, &args)?)
        }
        Command::Simulate {
            scenario,
            what_if,
            parties,
            mechanism,
            negotiators,
            steps,
            time_limit,
            seed,
            trace,
        } => {
            let config = sim::session_config(mechanism, steps, time_limit)?;
            let (s, shown) = what_if::load(load::any(&scenario)?, &what_if)?;
            let args = sim::SimulateArgs {
                parties: parties.as_deref(),
                config,
                negotiators: &negotiators,
                seed,
                trace,
            };
            printer.print(&shown.around(&sim::simulate(s, &args)?))
        }
        Command::Tournament {
            command: Some(TournamentCommand::Merge { parts, partial, csv, out }),
            ..
        } => {
            for path in csv.iter().chain(&out) {
                output::check_output_path(path)?;
            }
            printer.print(&sim::merge(&parts, partial, csv.as_deref(), out.as_deref())?)
        }
        Command::Tournament {
            command: None,
            scenarios,
            set,
            negotiators,
            parties,
            mechanism,
            steps,
            time_limit,
            repetitions,
            seed,
            threads,
            shard,
            csv,
            out,
        } => {
            what_if::refuse(
                &set,
                "tournament takes no what-if settings (it may play several scenarios, and a setting names one); write the change into a copy of the scenario file (and try it first with --set on simulate)",
            )?;
            for path in csv.iter().chain(&out) {
                output::check_output_path(path)?;
            }
            let session = sim::session_config(mechanism, steps, time_limit)?;
            let loaded = scenarios.iter().map(|s| load::any(s)).collect::<Result<Vec<_>, _>>()?;
            let args = sim::TournamentArgs {
                negotiators,
                parties: parties.as_deref(),
                session,
                repetitions,
                seed,
                threads,
                shard: shard.as_deref(),
                csv: csv.as_deref(),
                progress: true,
            };
            sim::play(loaded, &args, out.as_deref(), &mut printer)?;
            Ok(())
        }
        Command::Mediate {
            scenario,
            what_if,
            from,
            parties,
            procedure,
            objective,
            max_changes,
            top,
            budget,
            max_rounds,
            min_probability,
            samples,
            seed,
            power,
        } => {
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let from = load::proposal(&s, &from)?;
            let parties = load::parties(&s, parties.as_deref())?;
            let flags = mediate::Flags {
                objective,
                max_changes,
                top,
                budget,
                max_rounds,
                min_probability,
                samples,
                seed,
                power,
            };
            printer.print(&shown.around(&*mediate::run(&s, from, parties, procedure, &flags)?))
        }
        Command::Improve {
            scenario,
            what_if,
            from,
            parties,
            objective,
            max_changes,
            top,
            budget,
            power,
            min_probability,
            samples,
            seed,
        } => {
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let from = load::proposal(&s, &from)?;
            let parties = load::parties(&s, parties.as_deref())?;
            let flags = improve::Flags {
                objective,
                max_changes,
                top,
                budget,
                power,
                min_probability,
                samples,
                seed,
            };
            printer.print(&shown.around(&*improve::run(&s, from, parties, &flags)?))
        }
        Command::Divide { scenario, what_if, parties, method, budget } => {
            let aw = method == fair::MethodArg::Aw;
            if aw && budget.is_some() {
                return Err(BadInput(
                    "--budget: Adjusted Winner is no search (the budget is for --method mnw or maximin)"
                        .to_string(),
                )
                .into());
            }
            match load::named(&scenario)? {
                load::Named::Other {
                    name,
                    bytes,
                    kind: detente_scenario::InputKind::PointsCsv,
                } => {
                    what_if::refuse(
                        &what_if.set,
                        "a points table has no scenario to change (--set changes a scenario's estimates and terms)",
                    )?;
                    what_if::refuse_as_of(&what_if, "a points table")?;
                    if parties.is_some() {
                        return Err(BadInput(
                            "--parties: a points table names its parties in its header".to_string(),
                        )
                        .into());
                    }
                    let text = load::utf8(&name, bytes)?;
                    if !aw {
                        printer.print(&fair::divide_csv(&name, &text, method, budget)?)
                    } else {
                        match fair::csv_parties(&name, &text) {
                            Some(k) if k != 2 => {
                                return Err(BadInput(format!(
                                    "{name}: Adjusted Winner (the default method) divides between two parties, and this table has {k}: divide among them with --method mnw or --method maximin"
                                ))
                                .into());
                            }
                            _ => printer.print(&bargain::divide_csv(&name, &text)?),
                        }
                    }
                }
                load::Named::Other { kind, .. } => {
                    return Err(load::not_for(&scenario, kind).into());
                }
                load::Named::Scenario(s) => {
                    let (s, shown) = what_if::load(*s, &what_if)?;
                    let named = parties.is_some();
                    let parties = load::parties(&s, parties.as_deref())?;
                    if aw {
                        printer
                            .print(&shown.around(&bargain::divide_scenario(&s, &parties, named)?))
                    } else {
                        printer.print(
                            &shown.around(&fair::divide_scenario(&s, &parties, method, budget)?),
                        )
                    }
                }
            }
        }
        Command::Robust { command: Some(RobustCommand::Merge { parts }), .. } => {
            printer.print(&robust::merge(&parts)?)
        }
        Command::Robust {
            command: None,
            scenario,
            proposal,
            samples,
            seed,
            parties,
            budget,
            threads,
            shard,
            what_if,
        } => {
            if shard.is_some() {
                what_if::refuse(
                    &what_if.set,
                    "a shard takes no what-if settings: its part does not record them, so the merge could not say them; write the change into a copy of the scenario file",
                )?;
            }
            let Some(scenario) = scenario else {
                return Err(BadInput("robust: name a scenario".to_string()).into());
            };
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let args = robust::RobustArgs {
                proposal: proposal.as_deref(),
                samples,
                seed,
                parties: parties.as_deref(),
                budget,
                threads,
                shard: shard.as_deref(),
            };
            printer.print(&shown.around(&robust::robust(&s, &args)?))
        }
        Command::Import { from } => {
            let (s, output) = match from {
                ImportFrom::Genius { dir, output } => (load::genius(&dir)?, output),
                ImportFrom::Json { file, output } => (load::negmas_json(&file)?, output),
                ImportFrom::Ktab { file, output } => {
                    let (s, custom) = forecast::import_ktab(&file)?;
                    if custom {
                        eprintln!(
                            "detente: note: {file} sets SMP model options; a scenario file does not keep them (run `detente forecast {file}` to use them)"
                        );
                    }
                    (s, output)
                }
            };
            let text = if cli.json {
                detente_scenario::to_json(&s)
            } else {
                detente_scenario::to_toml(&s)
            };
            match output {
                None => printer.writer().write_all(text.as_bytes()),
                Some(path) => {
                    output::write_file(&path, text.as_bytes())?;
                    let wrote = format!(
                        "wrote {} ({} parties, {} issues)\n",
                        path.display(),
                        s.parties().len(),
                        s.issues().len()
                    );
                    printer.writer().write_all(wrote.as_bytes())
                }
            }
        }
        Command::Ingest { scenario, article, date, write } => {
            let s = load::scenario(&scenario)?;
            printer.print(&ingest::ingest(&scenario, s, &article, date.as_deref(), write)?)
        }
        Command::Scenarios => printer.print(&scenarios::scenarios()?),
        Command::Serve(args) => return serve::run(&args),
        Command::Report { scenario, proposal, html, what_if } => {
            output::check_output_path(&html)?;
            let (s, shown) = what_if::load(load::scenario(&scenario)?, &what_if)?;
            let j = report::proposal(&s, proposal.as_deref())?;
            let w = report::write(&s, j, shown.words(), shown.later(), &html)?;
            printer.print(&shown.around(&w))
        }
    }?;
    stdout.flush()?;
    Ok(())
}
