//! Conformance with KTAB: every run in `../shared/peers/ktab/runs` is reproduced with the
//! same number of states, bit-identical positions and ideals, and win probabilities within
//! 1e-4 of KTAB's (printed to 4 decimals).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use detente_forecast::{SmpInput, SmpParams, SmpRun, ktab, run_smp};

/// KTAB's trajectory: `(turn, actor, dim) -> (position, ideal)`.
type Trajectory = BTreeMap<(usize, String, String), (f64, f64)>;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn trajectory(text: &str) -> Trajectory {
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 5, "{l}");
            (
                (f[0].parse().unwrap(), f[1].to_string(), f[2].to_string()),
                (f[3].parse().unwrap(), f[4].parse().unwrap()),
            )
        })
        .collect()
}

/// `actor -> probability per turn`.
fn probs(text: &str) -> Vec<(String, Vec<f64>)> {
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut f = l.split(',');
            let name = f.next().unwrap().to_string();
            (name, f.map(|x| x.parse().unwrap()).collect())
        })
        .collect()
}

fn load(scenarios: &Path, name: &str) -> (SmpInput, SmpParams) {
    let csv = scenarios.join(format!("{name}.csv"));
    let xml = scenarios.join(format!("{name}.xml"));
    if csv.is_file() {
        let (input, _) = ktab::parse_csv(&csv.display().to_string(), &read(&csv)).unwrap();
        (input, SmpParams::default())
    } else {
        ktab::parse_xml(&xml.display().to_string(), &read(&xml)).unwrap()
    }
}

/// Compares one run; returns the problems found (empty when it conforms).
fn compare(name: &str, input: &SmpInput, run: &SmpRun, dir: &Path) -> String {
    let mut out = String::new();
    let traj = trajectory(&read(&dir.join("trajectory.csv")));
    let turns = traj.keys().map(|k| k.0).max().unwrap() + 1;
    if run.rounds.len() != turns {
        writeln!(out, "{name}: {} states, KTAB {turns}", run.rounds.len()).unwrap();
    }
    let mut n_pos = 0;
    let mut max_dev: f64 = 0.0;
    for ((t, actor, dim), (pos, ideal)) in &traj {
        let Some(round) = run.rounds.get(*t) else { continue };
        let i = input.actors.iter().position(|a| &a.name == actor).expect("actor");
        let d = input.dimensions.iter().position(|x| x == dim).expect("dim");
        n_pos += 1;
        let (p, q) = (round.positions[i][d], round.ideals[i][d]);
        max_dev = max_dev.max((p - pos).abs()).max((q - ideal).abs());
        if p.to_bits() != pos.to_bits() || q.to_bits() != ideal.to_bits() {
            writeln!(out, "{name}: turn {t} {actor} {dim}: ours ({p}, {q}), KTAB ({pos}, {ideal})")
                .unwrap();
        }
    }
    for (actor, ps) in probs(&read(&dir.join("probs.csv"))) {
        let i = input.actors.iter().position(|a| a.name == actor).expect("actor");
        for (t, p) in ps.iter().enumerate() {
            let Some(round) = run.rounds.get(t) else { continue };
            let ours = round.probabilities[i];
            if (ours - p).abs() > 1e-4 {
                writeln!(out, "{name}: turn {t} {actor}: probability {ours:.6}, KTAB {p}").unwrap();
            }
        }
    }
    eprintln!(
        "{name}: {} states (KTAB {turns}), {n_pos} position/ideal pairs, max |deviation| {max_dev:e}, stop {:?}",
        run.rounds.len(),
        run.stop
    );
    out
}

#[test]
fn every_ktab_run_is_reproduced() {
    let Some(shared) = detente_testkit::require_shared("the KTAB conformance test") else {
        return;
    };
    let ktab_dir = shared.join("peers/ktab");
    let mut names: Vec<String> = std::fs::read_dir(ktab_dir.join("runs"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no KTAB runs found");
    let mut problems = String::new();
    for name in &names {
        let (input, params) = load(&ktab_dir.join("scenarios"), name);
        let run = run_smp(&input, &params).unwrap();
        let found = compare(name, &input, &run, &ktab_dir.join("runs").join(name));
        // The serial and threaded runs agree bit for bit.
        let serial = run_smp(&input, &SmpParams { threads: 1, ..params.clone() }).unwrap();
        assert_eq!(serial, run, "{name}: serial and threaded runs differ");
        problems.push_str(&found);
    }
    let lines: Vec<&str> = problems.lines().collect();
    assert!(
        lines.is_empty(),
        "{} mismatches; first ones:\n{}",
        lines.len(),
        lines.iter().take(40).copied().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn summaries_state_counts_and_fractional_changes_match() {
    let Some(shared) = detente_testkit::require_shared("the KTAB summary test") else { return };
    let ktab_dir = shared.join("peers/ktab");
    for entry in std::fs::read_dir(ktab_dir.join("runs")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let summary = read(&dir.join("summary.txt"));
        let states: usize = summary
            .lines()
            .find_map(|l| l.strip_prefix("states="))
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .expect("states= line");
        let changes: Vec<f64> = summary
            .lines()
            .find_map(|l| l.strip_prefix("fractional_change_per_step="))
            .expect("fractional_change_per_step= line")
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let (input, params) = load(&ktab_dir.join("scenarios"), &name);
        let run = run_smp(&input, &params).unwrap();
        assert_eq!(run.rounds.len(), states, "{name}");
        assert_eq!(run.fractional_changes.len(), changes.len(), "{name}");
        for (ours, theirs) in run.fractional_changes.iter().zip(&changes) {
            assert!((ours - theirs).abs() <= 5.1e-5, "{name}: {ours} vs {theirs}");
        }
    }
}

#[test]
fn state_counts_match_the_spec_validation_of_the_other_scenarios() {
    // SMP_SPEC.md "Validation done": KTAB's state counts on inputs shipped without a run.
    let Some(shared) = detente_testkit::require_shared("the KTAB state-count test") else {
        return;
    };
    let scenarios = shared.join("peers/ktab/scenarios");
    for (name, states) in [("dummyData_6Dim", 30), ("SOE-Competitive", 36), ("dummyData-a040", 21)]
    {
        let (input, params) = load(&scenarios, name);
        let run = run_smp(&input, &params).unwrap();
        assert_eq!(run.rounds.len(), states, "{name}");
    }
}
