//! The fuzz targets' bodies, one function per target (`fuzz_targets/*.rs` only call them),
//! and what they do with an input once a reader has accepted it: the cheap analyses a user
//! reaches next, each with a small budget, so that a panic past the reader is found too.
//! Every function here must be fast on any input a reader accepts within the targets'
//! `-max_len`; a slow one is a finding (libFuzzer reports it as a timeout).
//!
//! This file is also compiled on stable by `crates/cli/tests/fuzz_regressions.rs`, which
//! runs every target function on every file of `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` (the inputs fuzzing found, minimised): so it uses only the
//! detente crates and std.

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

/// Work budget of `mediate` (its steps).
const MEDIATE_BUDGET: u64 = 200_000;

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

    // Every estimate's range, stated or derived from a grade, holds its point.
    for e in s.estimates() {
        let (low, high) = (e.spread.low(), e.spread.high());
        assert!(low <= e.point && e.point <= high, "{e:?} does not hold its point");
    }
    let _ = counted_parties(s);
    for p in 0..s.proposals().len().min(MAX_PROPOSALS) {
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
        power: None,
        sample: Some((3, 0)),
        max_sample_draws: 10_000,
        max_sample_work: 1_000_000,
    };
    let _ = frontier(s, &options);
    if let Ok(aw) = detente_analysis::adjusted_winner::adjusted_winner_for(s) {
        let _ = detente_analysis::adjusted_winner::describe(&aw, ["a", "b"]);
    }
    if !s.proposals().is_empty() {
        let options = MediateOptions { budget: Some(MEDIATE_BUDGET), ..MediateOptions::default() };
        let _ = mediate(s, 0, &options);
        let _ = single_text(
            s,
            0,
            &SingleTextOptions {
                max_rounds: 3,
                budget: Some(MEDIATE_BUDGET),
                ..SingleTextOptions::default()
            },
        );
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
        // `detente import ktab` writes it: it must read back as written.
        let toml = to_toml(&s);
        match parse("imported.toml", toml.as_bytes(), Format::Toml) {
            Ok(back) => {
                assert_eq!(back, s, "an imported KTAB input does not read back equal:\n{toml}")
            }
            Err(e) => panic!("an imported KTAB input is rejected: {e}\n{toml}"),
        }
        let _ = detente_forecast::from_scenario(&s);
        for p in 0..s.proposals().len().min(MAX_PROPOSALS) {
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

/// Target `scenario_toml`: a scenario file in TOML, and format sniffing.
pub fn scenario_toml(data: &[u8]) {
    let _ = detente_scenario::sniff("fuzz.toml", data);
    if let Ok(s) = parse("fuzz.toml", data, Format::Toml) {
        exercise_scenario(&s);
    }
}

/// Target `scenario_json`: a scenario file in JSON, read also as the CLI reads a file
/// without a known extension, and format sniffing under several names.
pub fn scenario_json(data: &[u8]) {
    if let Ok(s) = parse("fuzz.json", data, Format::Json) {
        exercise_scenario(&s);
    }
    let _ = detente_scenario::parse_auto("fuzz", data);
    for name in ["fuzz", "fuzz.json", "fuzz.csv", "fuzz.xml"] {
        let _ = detente_scenario::sniff(name, data);
    }
}

/// Target `genius_xml`: a GENIUS folder, its files separated by lines `=====`.
pub fn genius_xml(data: &[u8]) {
    if let Ok(s) = detente_scenario::import::genius("fuzz", &genius_files(data)) {
        exercise_scenario(&s);
    }
}

/// Target `negmas_json`: a NegMAS plain JSON domain.
pub fn negmas_json(data: &[u8]) {
    if let Ok(s) = detente_scenario::import::negmas_json("fuzz.json", data) {
        exercise_scenario(&s);
    }
}

/// Target `ktab_csv`: a KTAB CSV input (on the text, as the CLI reads it), and sniffing.
pub fn ktab_csv(data: &[u8]) {
    let _ = detente_scenario::sniff("fuzz.csv", data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((input, _)) = detente_forecast::ktab::parse_csv("fuzz.csv", text) {
        exercise_smp(&input, &SmpParams::default());
    }
}

/// Target `ktab_xml`: a KTAB XML input.
pub fn ktab_xml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((input, params, _)) = detente_forecast::ktab::parse_xml_with_info("fuzz.xml", text) {
        exercise_smp(&input, &params);
    }
}

/// Target `points_csv`: an Adjusted Winner points table, read by `read_points_csv` (as
/// `detente divide` does); within the reader's limits the division never overflows.
pub fn points_csv(data: &[u8]) {
    use detente_analysis::adjusted_winner::{adjusted_winner, describe, read_points_csv};
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(t) = read_points_csv("fuzz.csv", text) else { return };
    let [a, b] = t.points;
    match adjusted_winner(t.items, a, b) {
        Ok(aw) => {
            let _ = describe(&aw, ["a", "b"]);
        }
        // Within the reader's limits the arithmetic is exact: never an overflow.
        Err(e) => assert_ne!(
            e.kind(),
            detente_analysis::ErrorKind::Overflow,
            "an accepted table overflowed: {e}"
        ),
    }
}

/// Target `tournament_part`: a tournament part; its scores, `part_json` (which must read
/// back equal) and merges of the part with itself.
pub fn tournament_part(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(part) = detente_sim::read_part(text) else { return };
    let _ = detente_sim::scores(&part);
    let json = detente_sim::part_json(&part).to_string();
    match detente_sim::read_part(&json) {
        Ok(again) => assert_eq!(again, part, "part_json does not read back equal:\n{json}"),
        Err(e) => panic!("part_json output is rejected: {e}\n{json}"),
    }
    let _ = detente_sim::merge(std::slice::from_ref(&part));
    let _ = detente_sim::merge(&[part.clone(), part]);
}

/// Target `article`: a news article, read by `detente_scenario::ingest::read_article`
/// against the shipped default scenario's aliases (as `detente ingest` does), dated; the
/// TOML of its candidates (what `--write` appends) must make the file read back as the same
/// scenario (unconfirmed candidates change nothing), and confirmed, read at all.
pub fn article(data: &[u8]) {
    use detente_scenario::ingest::{candidates_toml, read_article};
    static BASE: std::sync::OnceLock<(&'static str, Scenario)> = std::sync::OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (file, s) = BASE.get_or_init(|| {
        let shipped = detente_scenario::shipped::all()
            .iter()
            .find(|x| x.name == detente_scenario::shipped::DEFAULT)
            .expect("the default scenario is shipped");
        let s = parse("base.toml", shipped.text.as_bytes(), Format::Toml).expect("it reads");
        (shipped.text, s)
    });
    let Ok(a) = read_article("fuzz.txt", text, s, Some((2025, 12, 3))) else { return };
    let toml = candidates_toml(&a, s, "fuzz.txt");
    let with = format!("{file}{toml}");
    match parse("with.toml", with.as_bytes(), Format::Toml) {
        Ok(back) => assert_eq!(&back, s, "unconfirmed candidates changed the scenario:\n{toml}"),
        Err(e) => panic!("the candidates' TOML is refused: {e}\n{toml}"),
    }
    let confirmed = with.replace("candidate = true\n", "");
    if let Err(e) = parse("confirmed.toml", confirmed.as_bytes(), Format::Toml) {
        panic!("the confirmed candidates are refused: {e}\n{toml}");
    }
}

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name, for the stable regression test.
pub const TARGETS: &[(&str, Target)] = &[
    ("scenario_toml", scenario_toml),
    ("scenario_json", scenario_json),
    ("genius_xml", genius_xml),
    ("negmas_json", negmas_json),
    ("ktab_csv", ktab_csv),
    ("ktab_xml", ktab_xml),
    ("points_csv", points_csv),
    ("tournament_part", tournament_part),
    ("article", article),
];
