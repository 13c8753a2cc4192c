//! Page 7: how the negotiation may move. Forecast (where each point's positions go, round by
//! round: `detente forecast`), simulate (one session of automated negotiators, each party's
//! utility of the offers step by step: `detente simulate`) and tournament (the score table
//! of `detente tournament`), on the scenario served, in the page's view. The API's
//! `forecast`, `simulate` and `tournament` questions answer with the same report values.
//!
//! Every size a request can ask for is bounded before any work: rounds ([`MAX_ROUNDS`]),
//! steps ([`MAX_STEPS`]), sessions ([`MAX_SESSIONS`]) and steps over all sessions
//! ([`MAX_TOURNAMENT_STEPS`]); past a bound the request is refused (400) with the bound and
//! the command that runs larger ones. Every number is decided by (scenario, parameters,
//! seed): the models and negotiators read no clock, and a tournament's result does not
//! depend on its threads (one here: a worker is a thread).

use std::fmt::Write as _;

use detente_core::Scenario;
use detente_words::{count, num, signed};
use serde_json::Value;

use super::pages::{esc, seg};
use super::view::{Query, View, Viewed};
use crate::BadInput;
use crate::forecast::{ForecastArgs, Forecasted, Model};
use crate::printer::Report;
use crate::sim::{MechanismArg, Session, SimulateArgs, TournamentArgs, TraceArg};

/// The most rounds a forecast runs on the server (`detente forecast --max-rounds` takes more).
pub const MAX_ROUNDS: usize = 1_000;

/// The longest session the server runs, in steps (`detente simulate` takes up to 10^9); its
/// whole trace is kept and drawn.
pub const MAX_STEPS: u32 = crate::sim::MAX_FULL_TRACE_STEPS as u32;

/// The most sessions of a tournament on the server (`detente tournament` runs up to 10^5).
pub const MAX_SESSIONS: u64 = 1_000;

/// The most steps a tournament on the server may take in all (sessions x steps a session).
pub const MAX_TOURNAMENT_STEPS: u64 = 1_000_000;

/// The parameters of each question (and page), as docs/api.md lists them.
pub const FORECAST_TAKES: &[&str] = &["model", "stochastic", "seed", "max_rounds", "parties"];
pub const SIMULATE_TAKES: &[&str] =
    &["negotiators", "mechanism", "steps", "seed", "parties", "trace"];
/// The simulate page's parameters (its trace is always whole: it is drawn).
pub const SIMULATE_PAGE_TAKES: &[&str] = &["negotiators", "mechanism", "steps", "seed", "parties"];
pub const TOURNAMENT_TAKES: &[&str] =
    &["negotiators", "mechanism", "steps", "repetitions", "seed", "parties"];

/// A parameter's value by name (`None`: not given).
pub type Get<'a> = &'a dyn Fn(&str) -> Option<String>;

fn invalid(key: &str, v: &str, want: &str) -> BadInput {
    BadInput(format!("{key}: invalid value {:?}: {want}", super::served::cut(v)))
}

/// A whole number parameter (of `T`'s range).
fn whole<T: std::str::FromStr>(key: &str, v: Option<String>) -> Result<Option<T>, BadInput> {
    v.map(|v| v.parse::<T>().map_err(|_| invalid(key, &v, "not a whole number in range")))
        .transpose()
}

/// A `yes`/`no` parameter (`no` when not given).
fn yes_no(key: &str, v: Option<String>) -> Result<bool, BadInput> {
    match v.as_deref() {
        None | Some("no") => Ok(false),
        Some("yes") => Ok(true),
        Some(x) => Err(invalid(key, x, "yes or no")),
    }
}

/// A value of a clap value enum, by its name as the flag takes it.
fn choice<T: clap::ValueEnum>(key: &str, v: &str) -> Result<T, BadInput> {
    T::from_str(v, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        invalid(key, v, &detente_words::or_list(&names))
    })
}

/// Comma-separated ids (`parties=a,b`, `negotiators=x,y`), as the flags read them.
fn list(v: Option<String>) -> Option<Vec<String>> {
    v.map(|v| v.split(',').map(|x| x.trim().to_string()).collect())
}

/// `detente forecast NAME [--model M] [--stochastic] [--seed N] [--max-rounds R]
/// [--parties a,b]` on the scenario.
pub fn forecast(s: &Scenario, get: Get) -> anyhow::Result<Forecasted> {
    let model = match get("model") {
        None => Model::Smp,
        Some(m) => choice("model", &m)?,
    };
    let stochastic = yes_no("stochastic", get("stochastic"))?;
    let seed = whole::<u64>("seed", get("seed"))?;
    let max_rounds = whole::<usize>("max_rounds", get("max_rounds"))?;
    if let Some(r) = max_rounds.filter(|&r| r > MAX_ROUNDS) {
        return Err(BadInput(format!(
            "max_rounds {r}: the server runs at most {MAX_ROUNDS} rounds (detente forecast --max-rounds runs more)"
        ))
        .into());
    }
    let parties = list(get("parties"));
    let set = crate::what_if::SetArgs::default();
    let args = ForecastArgs {
        model,
        seed,
        stochastic,
        max_rounds,
        max_work: None,
        parties: parties.as_deref(),
        plot: None,
        set: &set,
    };
    let loaded = crate::load::Named::Scenario(Box::new(s.clone()));
    Ok(crate::forecast::forecasted(&s.meta().name, loaded, &args)?.0)
}

/// The session settings of `simulate` and `tournament`: the mechanism and the steps
/// (at most [`MAX_STEPS`]).
fn session(get: Get) -> anyhow::Result<(detente_sim::SessionConfig, u32)> {
    let mechanism = match get("mechanism") {
        None => MechanismArg::Sao,
        Some(m) => choice("mechanism", &m)?,
    };
    let steps = whole::<u32>("steps", get("steps"))?;
    if let Some(n) = steps.filter(|&n| n > MAX_STEPS) {
        return Err(BadInput(format!(
            "steps {n}: the server runs sessions of at most {MAX_STEPS} steps (detente simulate and tournament run longer ones)"
        ))
        .into());
    }
    let config = crate::sim::session_config(mechanism, steps, None)?;
    Ok((config, steps.unwrap_or(100)))
}

/// `detente simulate NAME --negotiators ... [--mechanism M] [--steps N] [--seed S]
/// [--parties a,b] [--trace T]` on the scenario (`trace`: the default when not given).
pub fn simulate(s: &Scenario, get: Get, trace: TraceArg) -> anyhow::Result<Session> {
    let (config, _) = session(get)?;
    let trace = match get("trace") {
        None => trace,
        Some(t) => choice("trace", &t)?,
    };
    let seed = whole::<u64>("seed", get("seed"))?.unwrap_or(0);
    let parties = list(get("parties"));
    let negotiators = list(get("negotiators")).unwrap_or_default();
    let args = SimulateArgs {
        parties: parties.as_deref(),
        config,
        negotiators: &negotiators,
        seed,
        trace,
    };
    crate::sim::simulate(s.clone(), &args)
}

/// `detente tournament NAME --negotiators ... [--mechanism M] [--steps N] [--repetitions R]
/// [--seed S] [--parties a,b]` on the scenario, at most [`MAX_SESSIONS`] sessions and
/// [`MAX_TOURNAMENT_STEPS`] steps in all (refused before any session runs), run by `run`:
/// [`crate::sim::tournament`] for its part (the API), [`crate::sim::scores`] for its scores
/// (the page).
pub fn tournament<T>(
    s: &Scenario,
    get: Get,
    run: impl FnOnce(Vec<Scenario>, &TournamentArgs<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let (session, steps) = session(get)?;
    let repetitions = whole::<u32>("repetitions", get("repetitions"))?.unwrap_or(1);
    let seed = whole::<u64>("seed", get("seed"))?.unwrap_or(0);
    let parties = list(get("parties"));
    let negotiators = list(get("negotiators")).unwrap_or_default();
    let n = crate::load::parties(s, parties.as_deref())?.len();
    let k = negotiators.len() as u64;
    let sessions = u32::try_from(n)
        .ok()
        .and_then(|n| k.checked_pow(n))
        .and_then(|c| c.checked_mul(u64::from(repetitions)));
    match sessions {
        Some(m)
            if m > MAX_SESSIONS || m.saturating_mul(u64::from(steps)) > MAX_TOURNAMENT_STEPS =>
        {
            return Err(BadInput(format!(
                "the tournament asks for {m} sessions of {steps} steps ({} for {}, every ordered combination, {}); the server runs at most {MAX_SESSIONS} sessions and {MAX_TOURNAMENT_STEPS} steps in all (detente tournament runs larger ones)",
                count(k as usize, "negotiator", "negotiators"),
                count(n, "party", "parties"),
                count(repetitions as usize, "repetition", "repetitions")
            ))
            .into());
        }
        Some(_) => {}
        None => {
            return Err(BadInput(format!(
                "the tournament asks for more sessions than can be counted ({} for {}); the server runs at most {MAX_SESSIONS}",
                count(k as usize, "negotiator", "negotiators"),
                count(n, "party", "parties")
            ))
            .into());
        }
    }
    let args = TournamentArgs {
        negotiators,
        parties: parties.as_deref(),
        session,
        repetitions,
        seed,
        threads: 1,
        shard: None,
        csv: None,
        progress: false,
    };
    run(vec![s.clone()], &args)
}

/// A page's parameters, as [`Get`] reads them (a blank field is not given).
fn from_page(q: &Query) -> impl Fn(&str) -> Option<String> + '_ {
    move |k| q.get(k).map(str::to_string)
}

/// `<option>`s of a value enum's names, `selected` chosen.
fn options<T: clap::ValueEnum>(selected: &str) -> String {
    let mut b = String::new();
    for v in T::value_variants() {
        if let Some(p) = v.to_possible_value() {
            let name = p.get_name();
            let _ = write!(
                b,
                "<option{}>{}</option>",
                if name == selected { " selected" } else { "" },
                esc(name)
            );
        }
    }
    b
}

/// The links between the three views of page 7, `current` marked.
fn tabs(name: &str, view: &View, current: &str) -> String {
    let mut b = String::from("<p class=\"links\">");
    let tabs = [
        ("forecast", "Forecast: positions round by round"),
        ("simulate", "Simulate: a session of automated negotiators"),
        ("tournament", "Tournament: every negotiator against every other"),
    ];
    for (k, (path, label)) in tabs.iter().enumerate() {
        if k > 0 {
            b.push_str(" · ");
        }
        if *path == current {
            let _ = write!(b, "<strong>{label}</strong>");
        } else {
            let href = view.href(&format!("/scenarios/{}/{path}", seg(name)), &[]);
            let _ = write!(b, "<a href=\"{href}\">{label}</a>");
        }
    }
    b.push_str("</p>\n");
    b
}

/// A text field of a form, with its current value.
fn field(name: &str, label: &str, value: Option<&str>, size: usize, hint: &str) -> String {
    format!(
        "<label>{label} <input name=\"{name}\" size=\"{size}\" value=\"{}\" placeholder=\"{}\"></label>",
        esc(value.unwrap_or_default()),
        esc(hint)
    )
}

/// A JSON string field, or `-`.
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| "-".to_string(), str::to_string)
}

/// Page 7, forecast: where the positions go, round by round, per point (or per dimension
/// of a joint run), with each model's outcome, in the numbers of `detente forecast --json`.
pub fn forecast_page(
    name: &str,
    v: &Viewed,
    view: &View,
    q: &Query,
) -> anyhow::Result<(String, String)> {
    let s = &v.s;
    let title = format!("Forecast: {}", s.meta().title);
    let mut b = String::from("<h1>Forecast: where the positions move</h1>\n");
    b.push_str(&tabs(name, view, "forecast"));
    let model = q.get("model").unwrap_or("smp");
    let _ = writeln!(
        b,
        "<form method=\"get\" action=\"/scenarios/{}/forecast\">{}<label>model <select name=\"model\">{}</select></label> {} {} <label><input type=\"checkbox\" name=\"stochastic\" value=\"yes\"{}> stochastic</label> {} <button>Forecast</button></form>",
        seg(name),
        view.hidden(),
        options::<Model>(model),
        field("parties", "parties", q.get("parties"), 24, "every party"),
        field("max_rounds", "at most", q.get("max_rounds"), 4, "100"),
        if q.get("stochastic") == Some("yes") { " checked" } else { "" },
        field("seed", "seed", q.get("seed"), 6, "KTAB's"),
    );
    let get = from_page(q);
    let f = forecast(s, &get)?;
    let j = f.report().json();
    let _ = writeln!(
        b,
        "<p class=\"note\">The numbers of <code>detente forecast {}{}</code>: deterministic, decided by the scenario{}.</p>",
        esc(name),
        esc(&flags(q, FORECAST_TAKES)),
        if j["transitions"] == "stochastic" { " and the seed" } else { "" }
    );
    match &f {
        Forecasted::Points(p) => {
            b.push_str("<h2>Point by point</h2>\n<div class=\"scroll\"><table class=\"forecast\"><tr><th>point</th><th>how</th><th>forecast</th><th>smp</th><th>compromise</th><th>weighted median</th><th>eum</th><th>models agree</th></tr>\n");
            for pt in j["points"].as_array().into_iter().flatten() {
                let cell = |m: &str| match pt.get(m) {
                    Some(x) if x.is_object() => format!(
                        "{} ({})",
                        text(&x["option"]),
                        x["at"].as_f64().map_or("-".to_string(), num)
                    ),
                    _ => "-".to_string(),
                };
                let how = match pt["kind"].as_str() {
                    Some("unordered") => "vote".to_string(),
                    Some(k) => k.to_string(),
                    None => "-".to_string(),
                };
                let forecast = match (pt["forecast"].as_str(), pt.get("shares")) {
                    (Some(f), Some(shares)) => format!(
                        "{f} ({} of the weight)",
                        shares[f].as_f64().map_or("-".to_string(), num)
                    ),
                    (Some(f), None) => f.to_string(),
                    (None, _) => "none".to_string(),
                };
                let _ = writeln!(
                    b,
                    "<tr data-issue=\"{}\" data-forecast=\"{}\"><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&text(&pt["issue"])),
                    esc(&text(&pt["forecast"])),
                    esc(&text(&pt["issue"])),
                    esc(&how),
                    esc(&forecast),
                    esc(&cell("smp")),
                    esc(&cell("compromise")),
                    esc(&cell("median")),
                    esc(&cell("eum")),
                    if pt["agree"] == true { "yes" } else { "no" }
                );
            }
            b.push_str("</table></div>\n<p class=\"note\">Each model's option, with where it puts the outcome on the point's 0-100 line in brackets; on an unordered point the capability x salience weighted vote decides.</p>\n");
            b.push_str("<h2>In words</h2>\n<ul class=\"sentences\">\n");
            for (id, line) in p.point_words() {
                let _ = writeln!(b, "<li data-issue=\"{}\">{}</li>", esc(&id), esc(&line));
            }
            b.push_str("</ul>\n");
            match p.rounds_plot() {
                None => b.push_str("<p>No point has positions that move round by round (the spatial models run on scales and ordered options held by two parties or more).</p>\n"),
                Some((n, svg)) => {
                    let _ = writeln!(
                        b,
                        "<h2>Positions round by round</h2>\n<p class=\"note\">One panel per point the {} model moves ({}): each party's position on the point's 0-100 line after each round.</p>",
                        p.rounds_model(),
                        count(n, "point", "points")
                    );
                    b.push_str("<div class=\"scroll\">");
                    b.push_str(&svg);
                    b.push_str("</div>\n");
                }
            }
        }
        Forecasted::Joint(r) => {
            b.push_str("<h2>Likely outcome per dimension (0-100)</h2>\n<table class=\"forecast\"><tr><th>dimension</th><th>forecast</th></tr>\n");
            let dims = j["dimensions"].as_array().cloned().unwrap_or_default();
            for (d, x) in dims.iter().zip(j["forecast"].as_array().into_iter().flatten()) {
                let _ = writeln!(
                    b,
                    "<tr><th>{}</th><td class=\"num\">{}</td></tr>",
                    esc(&text(d)),
                    x.as_f64().map_or("-".to_string(), num)
                );
            }
            b.push_str("</table>\n<h2>Positions round by round</h2>\n<div class=\"scroll\">");
            b.push_str(&r.plot());
            b.push_str("</div>\n");
            // The command's words: the actors' start and end, whether the run converged.
            let _ = writeln!(b, "<h2>In words</h2>\n<pre class=\"words\">{}</pre>", esc(&r.text()));
        }
    }
    Ok((title, b))
}

/// The flags of the command a page's parameters are, in the order `takes` lists them.
fn flags(q: &Query, takes: &[&str]) -> String {
    let mut out = String::new();
    for key in takes {
        match (q.get(key), *key) {
            (None, _) | (Some("no"), "stochastic") => {}
            (Some(_), "stochastic") => out.push_str(" --stochastic"),
            (Some(v), _) => {
                let _ = write!(out, " --{} {v}", key.replace('_', "-"));
            }
        }
    }
    out
}

/// The negotiators a page plays when none are named: the built-in ones in the registry's
/// order, one per party (`simulate`) or as many as keep a tournament within its bounds.
fn default_negotiators(n_parties: usize, tournament: bool) -> String {
    let names = detente_sim::names();
    if tournament {
        let mut k = names.len();
        while k > 1 && (k as u64).saturating_pow(n_parties as u32) > MAX_SESSIONS {
            k -= 1;
        }
        names[..k].join(",")
    } else {
        (0..n_parties).map(|p| names[p % names.len()]).collect::<Vec<_>>().join(",")
    }
}

/// The parties a page counts (as the command does) for its default negotiators; none
/// when the named ones cannot be read (the command then says why).
fn counted(s: &Scenario, q: &Query) -> usize {
    let ids = list(q.get("parties").map(str::to_string));
    crate::load::parties(s, ids.as_deref()).map_or(0, |p| p.len())
}

/// Page 7, simulate: one session, each party's utility of the offers step by step (the
/// session plot), the agreement, each party's result, in the numbers of `detente simulate
/// --json --trace full`.
pub fn simulate_page(
    name: &str,
    v: &Viewed,
    view: &View,
    q: &Query,
) -> anyhow::Result<(String, String)> {
    let s = &v.s;
    let title = format!("Simulate: {}", s.meta().title);
    let mut b = String::from("<h1>Simulate: automated negotiators play one session</h1>\n");
    b.push_str(&tabs(name, view, "simulate"));
    let negotiators = q
        .get("negotiators")
        .map_or_else(|| default_negotiators(counted(s, q), false), str::to_string);
    let mechanism = q.get("mechanism").unwrap_or("sao");
    let _ = writeln!(
        b,
        "<form method=\"get\" action=\"/scenarios/{}/simulate\">{}{} <label>mechanism <select name=\"mechanism\">{}</select></label> {} {} {} <button>Run</button></form>",
        seg(name),
        view.hidden(),
        field("negotiators", "negotiators", Some(&negotiators), 30, "one per party"),
        options::<MechanismArg>(mechanism),
        field("parties", "parties", q.get("parties"), 20, "the principals"),
        field("steps", "steps", q.get("steps"), 5, "100"),
        field("seed", "seed", q.get("seed"), 6, "0"),
    );
    let _ = writeln!(
        b,
        "<p class=\"note\">Negotiators, one per negotiating party in party order: {}.</p>",
        esc(&detente_sim::names().join(", "))
    );
    let get = |k: &str| match k {
        "negotiators" => Some(negotiators.clone()),
        "trace" => None,
        _ => q.get(k).map(str::to_string),
    };
    let session = simulate(s, &get, TraceArg::Full)?;
    let j = session.json();
    let _ = writeln!(
        b,
        "<p class=\"note\">The numbers of <code>detente simulate {} --negotiators {}{} --trace full</code>: decided by the scenario and the seed ({}).</p>",
        esc(name),
        esc(&negotiators),
        esc(&flags(q, &["mechanism", "parties", "steps", "seed"])),
        j["seed"]
    );
    b.push_str("<div class=\"scroll\">");
    b.push_str(&session.plot());
    b.push_str("</div>\n");
    // How it ended: a sentence, the agreement's terms as a list, the distances.
    let mut terms = vec![];
    for line in session.ending() {
        match line.strip_prefix("  ") {
            Some(term) => terms.push(format!("<li>{}</li>", esc(term))),
            None => {
                if !terms.is_empty() {
                    let _ = writeln!(b, "<ul class=\"terms\">{}</ul>", terms.concat());
                    terms.clear();
                }
                let _ = writeln!(b, "<p class=\"ending\">{}</p>", esc(&line));
            }
        }
    }
    if !terms.is_empty() {
        let _ = writeln!(b, "<ul class=\"terms\">{}</ul>", terms.concat());
    }
    b.push_str("<table class=\"session\"><tr><th>party</th><th>negotiator</th><th>utility</th><th>reservation</th><th>advantage</th></tr>\n");
    let utilities = j["utilities"].as_array().cloned().unwrap_or_default();
    let reservations = j["reservations"].as_array().cloned().unwrap_or_default();
    for (p, neg) in j["negotiators"].as_array().into_iter().flatten().enumerate() {
        let u = utilities.get(p).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let r = reservations.get(p).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let (us, rs) = detente_words::distinct(u, r);
        let _ = writeln!(
            b,
            "<tr data-party=\"{}\" data-utility=\"{}\"><th>{}</th><td>{}</td><td class=\"num\">{us}</td><td class=\"num\">{rs}</td><td class=\"num\">{}</td></tr>",
            esc(&text(&neg["party"])),
            utilities.get(p).map_or(Value::Null, Clone::clone),
            esc(&text(&neg["party"])),
            esc(&text(&neg["negotiator"])),
            signed(u - r)
        );
    }
    b.push_str("</table>\n");
    let _ = writeln!(
        b,
        "<p class=\"note\">{} and {}; the whole trace is drawn above.</p>",
        count(j["steps"].as_u64().unwrap_or(0) as usize, "step", "steps"),
        count(j["offers"].as_u64().unwrap_or(0) as usize, "offer", "offers")
    );
    Ok((title, b))
}

/// Page 7, tournament: every ordered combination of negotiators on the scenario, scored (the
/// table of `detente tournament`), in the numbers of its `--json`.
pub fn tournament_page(
    name: &str,
    v: &Viewed,
    view: &View,
    q: &Query,
) -> anyhow::Result<(String, String)> {
    let s = &v.s;
    let title = format!("Tournament: {}", s.meta().title);
    let mut b = String::from("<h1>Tournament: every negotiator against every other</h1>\n");
    b.push_str(&tabs(name, view, "tournament"));
    let negotiators = q
        .get("negotiators")
        .map_or_else(|| default_negotiators(counted(s, q), true), str::to_string);
    let mechanism = q.get("mechanism").unwrap_or("sao");
    let _ = writeln!(
        b,
        "<form method=\"get\" action=\"/scenarios/{}/tournament\">{}{} <label>mechanism <select name=\"mechanism\">{}</select></label> {} {} {} {} <button>Run</button></form>",
        seg(name),
        view.hidden(),
        field("negotiators", "negotiators", Some(&negotiators), 40, "comma-separated"),
        options::<MechanismArg>(mechanism),
        field("parties", "parties", q.get("parties"), 20, "the principals"),
        field("steps", "steps", q.get("steps"), 5, "100"),
        field("repetitions", "repetitions", q.get("repetitions"), 3, "1"),
        field("seed", "seed", q.get("seed"), 6, "0"),
    );
    let get = |k: &str| match k {
        "negotiators" => Some(negotiators.clone()),
        _ => q.get(k).map(str::to_string),
    };
    let t = tournament(s, &get, crate::sim::scores)?;
    let _ = writeln!(
        b,
        "<p class=\"note\">The numbers of <code>detente tournament {} --negotiators {}{}</code>: decided by the scenario and the seed; at most {MAX_SESSIONS} sessions here.</p>",
        esc(name),
        esc(&negotiators),
        esc(&flags(q, &["mechanism", "parties", "steps", "repetitions", "seed"])),
    );
    for line in t.heading() {
        let _ = writeln!(b, "<p>{}</p>", esc(&line));
    }
    let scores = t.scores();
    let opt = |x: Option<f64>| x.map_or("-".to_string(), num);
    b.push_str("<div class=\"scroll\"><table class=\"scores\"><tr><th>negotiator</th><th>played</th><th>utility</th><th>advantage</th><th>rescaled</th><th>agreements</th><th>welfare</th><th>to Nash</th><th>to Pareto</th></tr>\n");
    for sc in scores.by_scenario.first().into_iter().flatten() {
        let _ = writeln!(
            b,
            "<tr data-negotiator=\"{}\" data-agreements=\"{}\" data-utility=\"{}\"><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} of {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&sc.negotiator),
            sc.agreements,
            sc.mean_utility.map_or(Value::Null, crate::json::num),
            esc(&sc.negotiator),
            sc.appearances,
            opt(sc.mean_utility),
            sc.mean_advantage.map_or("-".to_string(), signed),
            opt(sc.mean_rescaled_utility),
            sc.agreements,
            sc.appearances,
            opt(sc.mean_welfare),
            opt(sc.mean_nash_distance),
            opt(sc.mean_pareto_distance)
        );
    }
    b.push_str("</table></div>\n<p class=\"note\">Means over each negotiator's appearances, in the scenario's own units; rescaled: 0 = the party's reservation, 1 = its best outcome; welfare: the sum of every party's utility; to Nash, to Pareto: the agreement's distance to the Nash point and to the frontier.</p>\n");
    if let Some(line) = t.best_words() {
        let _ = writeln!(b, "<p>{}</p>", esc(&line));
    }
    Ok((title, b))
}
