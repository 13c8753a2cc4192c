//! Conformance with NegMAS 0.16.0: for every domain in `../shared/peers/negmas/domains`
//! with an answer file, detente's Pareto frontier (as a set of utility vectors) and its
//! Nash, egalitarian, Kalai-Smorodinsky and max-welfare points must equal NegMAS's, to a
//! relative tolerance of 1e-9.
//!
//! The answers are NegMAS's own output, not ours. Without `../shared` the test says so
//! and passes; CI sets `DETENTE_REQUIRE_SHARED=1` so that it cannot be skipped there.

use std::path::Path;

use detente_analysis::{FrontierOptions, Solution};
use serde_json::Value;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn same_vector(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
}

fn vectors(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .expect("a list of vectors")
        .iter()
        .map(|p| {
            p.as_array().expect("a vector").iter().map(|x| x.as_f64().expect("a number")).collect()
        })
        .collect()
}

/// Every vector of `expected` matched by a distinct vector of `actual`, and the sizes equal.
fn same_set(what: &str, expected: &[Vec<f64>], actual: &[Vec<f64>]) -> Result<(), String> {
    if expected.len() != actual.len() {
        return Err(format!("{what}: {} points expected, {} found", expected.len(), actual.len()));
    }
    let mut used = vec![false; actual.len()];
    for e in expected {
        match (0..actual.len()).find(|&k| !used[k] && same_vector(e, &actual[k])) {
            Some(k) => used[k] = true,
            None => return Err(format!("{what}: expected point {e:?} not found")),
        }
    }
    Ok(())
}

fn solution_vectors(sol: &Solution) -> Vec<Vec<f64>> {
    sol.points.iter().map(|p| p.utilities.clone()).collect()
}

fn check_domain(domain: &Path, answer: &Path) -> Result<(), String> {
    let bytes = std::fs::read(domain).map_err(|e| e.to_string())?;
    let name = domain.display().to_string();
    let s = detente_scenario::import::negmas_json(&name, &bytes).map_err(|e| e.to_string())?;
    let f =
        detente_analysis::frontier(&s, &FrontierOptions::default()).map_err(|e| e.to_string())?;
    let answer: Value = serde_json::from_slice(&std::fs::read(answer).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let n_outcomes = answer["n_outcomes"].as_u64().expect("n_outcomes");
    if f.n_outcomes != Some(u128::from(n_outcomes)) {
        return Err(format!("n_outcomes: {n_outcomes} expected, {:?} found", f.n_outcomes));
    }
    let ours: Vec<Vec<f64>> = f.points.iter().map(|p| p.utilities.clone()).collect();
    same_set("frontier", &vectors(&answer["frontier_utils"]), &ours)?;
    for (key, sol) in [
        ("nash", &f.nash),
        ("kalai_egalitarian", &f.egalitarian),
        ("kalai_smorodinsky", &f.kalai_smorodinsky),
        ("max_welfare", &f.max_welfare),
    ] {
        let expected: Vec<Vec<f64>> = answer[key]
            .as_array()
            .expect("a list of solutions")
            .iter()
            .map(|p| {
                p["utils"]
                    .as_array()
                    .expect("utils")
                    .iter()
                    .map(|x| x.as_f64().expect("number"))
                    .collect()
            })
            .collect();
        if !sol.exact {
            return Err(format!("{key}: not exact: {:?}", sol.note));
        }
        same_set(key, &expected, &solution_vectors(sol))?;
    }
    Ok(())
}

#[test]
fn frontier_and_solutions_match_negmas_on_every_shared_domain() {
    let Some(shared) = detente_testkit::require_shared("the NegMAS conformance suite") else {
        return;
    };
    let dir = shared.join("peers/negmas/domains");
    let mut answers: Vec<_> = std::fs::read_dir(&dir)
        .expect("the NegMAS domains folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with("_answer.json"))
        .collect();
    answers.sort();
    assert!(answers.len() >= 10, "expected the NegMAS answer files in {}", dir.display());
    let mut failures = vec![];
    for answer in &answers {
        let file = answer
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .replace("_answer.json", ".json");
        let domain = dir.join(&file);
        if let Err(e) = check_domain(&domain, answer) {
            failures.push(format!("{file}: {e}"));
        }
    }
    assert!(failures.is_empty(), "disagreements with NegMAS:\n{}", failures.join("\n"));
}
