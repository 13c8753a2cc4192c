//! What the fuzz targets do with an input once a reader has accepted it: the cheap analyses
//! a user reaches next, each with a small budget, so that a panic past the reader is found
//! too. Every function here must be fast on any input a reader accepts within the targets'
//! `-max_len`; a slow one is a finding (libFuzzer reports it as a timeout).

use detente_analysis::{
    DeadlockOptions, FrontierOptions, MediateOptions, SingleTextOptions, compare, counted_parties,
    deadlock, evaluate, explain, frontier, gap, mediate, single_text,
};
use detente_core::Scenario;
use detente_forecast::{SmpInput, SmpParams};
use detente_scenario::{Format, parse, to_json, to_toml};

/// The most proposals analysed per scenario.
const MAX_PROPOSALS: usize = 4;

/// Node budget of every search run here.
const MAX_NODES: u64 = 2_000;

/// Runs the cheap analyses on a scenario a reader accepted, and checks that both writers
/// give text that reads back as the same scenario.
pub fn exercise_scenario(s: &Scenario) {
    let json = to_json(s);
    match parse("again.json", json.as_bytes(), Format::Json) {
        Ok(back) => assert_eq!(&back, s, "to_json does not read back equal:\n{json}"),
        Err(e) => panic!("to_json output is rejected: {e}\n{json}"),
    }
    let toml = to_toml(s);
    match parse("again.toml", toml.as_bytes(), Format::Toml) {
        Ok(back) => assert_eq!(&back, s, "to_toml does not read back equal:\n{toml}"),
        Err(e) => panic!("to_toml output is rejected: {e}\n{toml}"),
    }

    let _ = counted_parties(s);
    for p in 0..s.proposals.len().min(MAX_PROPOSALS) {
        let _ = evaluate(s, p);
        let _ = gap(s, p);
        if p > 0 {
            let _ = compare(s, 0, p);
        }
    }
    let options = DeadlockOptions { parties: None, max_nodes: Some(MAX_NODES) };
    if let Ok(d) = deadlock(s, &options) {
        let _ = explain(s, &d);
    }
    let options = FrontierOptions {
        max_points: 1_000,
        max_work: 100_000,
        max_bytes: 16 << 20,
        max_nodes: MAX_NODES,
        max_search_work: 100_000,
        ..FrontierOptions::default()
    };
    let _ = frontier(s, &options);
    if let Ok(aw) = detente_analysis::adjusted_winner::adjusted_winner_for(s) {
        let _ = detente_analysis::adjusted_winner::describe(&aw, ["a", "b"]);
    }
    if !s.proposals.is_empty() {
        let options = MediateOptions { max_nodes: Some(MAX_NODES), ..MediateOptions::default() };
        let _ = mediate(s, 0, &options);
        let _ = single_text(s, 0, &SingleTextOptions { max_rounds: 3 });
    }
}

/// Runs the baselines, the conversion to a scenario and back, and (on small inputs) a few
/// rounds of SMP on an input a KTAB reader accepted.
pub fn exercise_smp(input: &SmpInput, params: &SmpParams) {
    if input.validate().is_err() {
        return;
    }
    let _ = detente_forecast::compromise(input);
    let _ = detente_forecast::weighted_median(input);
    if let Ok(s) = detente_forecast::to_scenario(input) {
        let _ = detente_forecast::from_scenario(&s);
        for p in 0..s.proposals.len().min(MAX_PROPOSALS) {
            let _ = evaluate(&s, p);
        }
    }
    if input.n_actors() <= 12 && input.n_dims() <= 4 {
        let mut params = params.clone();
        params.max_rounds = params.max_rounds.min(3);
        params.min_rounds = params.min_rounds.min(params.max_rounds);
        params.threads = 1;
        let _ = detente_forecast::run_smp(input, &params);
    }
}

/// Splits one fuzz input into the files of a GENIUS folder: the parts between lines
/// `=====` are the files `f0.xml`, `f1.xml`, ... (at most 8).
pub fn genius_files(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    const SEP: &[u8] = b"\n=====\n";
    let mut files = vec![];
    let mut rest = data;
    while files.len() < 7 {
        let Some(at) = rest.windows(SEP.len()).position(|w| w == SEP) else { break };
        files.push(rest[..at].to_vec());
        rest = &rest[at + SEP.len()..];
    }
    files.push(rest.to_vec());
    files.into_iter().enumerate().map(|(i, b)| (format!("f{i}.xml"), b)).collect()
}
