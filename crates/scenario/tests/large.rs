//! Large generated inputs are read, and read right: each reader's time grows with its input
//! (linear or n log n), so these sizes take seconds; a quadratic walk would take minutes.
//! `examples/read_times.rs` times the same inputs (`cargo run --release -p
//! detente-scenario --example read_times`).

#[path = "support/large.rs"]
mod large;

use detente_core::{Estimate, IssueKind, Origin, Outcome, RedLineKind, Term};
use detente_scenario::import::{genius, negmas_json};
use detente_scenario::{Format, ProblemKind, parse, to_json, to_toml};

// Sizes kept small enough for debug builds; at these sizes the quadratic walks these tests
// guard against took seconds in release builds, and minutes in debug ones.
const OPTIONS: usize = 20_000;
const ISSUES: usize = 10_000;

#[test]
fn an_issue_of_many_options_in_toml_and_json() {
    for (file, text, format) in [
        ("big.toml", large::options_toml(OPTIONS), Format::Toml),
        ("big.json", large::options_json(OPTIONS), Format::Json),
    ] {
        let s = parse(file, text.as_bytes(), format).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(s.issues()[0].n_options(), OPTIONS, "{file}");
        assert_eq!(s.issues()[0].option_id(OPTIONS - 1), format!("o{}", OPTIONS - 1));
        assert_eq!(s.value(0, 0, OPTIONS - 1), 1.0);
        assert_eq!(s.value(1, 0, 0), 1.0);
        let red = &s.stances()[1][0].as_ref().unwrap().red_lines[0].kind;
        assert!(matches!(red, RedLineKind::Forbid(list) if list.len() == OPTIONS / 2));
        assert_eq!(s.proposals()[0].terms, [Term::Set(OPTIONS - 1)]);
        assert!(s.accepts(1, &Outcome::new(&s, vec![OPTIONS - 1]).unwrap()));
        assert!(!s.accepts(1, &Outcome::new(&s, vec![0]).unwrap()));
    }
}

#[test]
fn many_stated_ranges_read_and_written() {
    let text = large::ranges_toml(OPTIONS);
    let s = parse("ranges.toml", text.as_bytes(), Format::Toml).unwrap();
    let u = s.uncertainty();
    assert_eq!((u.ranges.len(), u.doubts.len()), (OPTIONS, 1));
    // Every estimate with its range, in time linear in their number (each stated range
    // was once looked for among all of them: minutes at this size in a debug build).
    let estimates = s.estimates();
    // Per party: reservation, capability, its weight and its values.
    assert_eq!(estimates.len(), 2 * (3 + OPTIONS));
    assert!(estimates.iter().filter(|e| e.origin == Origin::Stated).count() == OPTIONS);
    assert_eq!(
        u.ranges[OPTIONS - 1].estimate,
        Estimate::Value { party: 0, issue: 0, option: OPTIONS - 1 }
    );
    for (file, written, format) in
        [("w.toml", to_toml(&s), Format::Toml), ("w.json", to_json(&s), Format::Json)]
    {
        assert_eq!(parse(file, written.as_bytes(), format).unwrap(), s, "{file}");
    }
}

#[test]
fn many_issues_and_proposal_terms() {
    let text = large::issues_toml(ISSUES);
    let s = parse("wide.toml", text.as_bytes(), Format::Toml).unwrap();
    assert_eq!(s.issues().len(), ISSUES);
    let (p, q) = (&s.proposals()[0], &s.proposals()[1]);
    assert_eq!(p.terms[0], Term::Set(0));
    assert_eq!(p.terms[ISSUES - 1], Term::Open);
    assert_eq!(q.terms[0], Term::Set(0)); // inherited
    assert_eq!(q.terms[ISSUES - 1], Term::Set(1));
    assert_eq!(s.weight(0, 0), 1.0 / ISSUES as f64);
}

#[test]
fn many_problems_are_each_located() {
    let text = large::toml_errors(OPTIONS);
    let err = parse("bad.toml", text.as_bytes(), Format::Toml).unwrap_err();
    assert_eq!(err.problems().len(), OPTIONS);
    let last = &err.problems()[OPTIONS - 1];
    assert_eq!((last.line, last.kind), (OPTIONS, ProblemKind::Syntax));

    let text = large::json_problems_on_one_line(OPTIONS);
    let err = parse("bad.json", text.as_bytes(), Format::Json).unwrap_err();
    assert_eq!(err.problems().len(), OPTIONS);
    let last = &err.problems()[OPTIONS - 1];
    let at = text.find(&format!("\"zz{}\"", OPTIONS - 1)).unwrap();
    assert_eq!((last.line, last.column), (1, at + 1));
    assert_eq!(last.kind, ProblemKind::UnknownField);
}

#[test]
fn genius_dummy_issues_and_many_values() {
    let s = genius("dummies", &large::genius_folder(ISSUES, 2)).unwrap();
    assert_eq!(s.issues().len(), ISSUES);
    assert_eq!(s.issues()[ISSUES - 2].id, format!("dummy_issue-{}", ISSUES - 1));
    assert_eq!(s.issues()[ISSUES - 1].id, "big");

    let s = genius("big", &large::genius_folder(1, OPTIONS)).unwrap();
    assert_eq!(s.issues()[0].n_options(), OPTIONS);
    assert_eq!(s.value(0, 0, OPTIONS - 1), (OPTIONS - 1) as f64);
}

#[test]
fn negmas_names_made_unique() {
    let s = negmas_json("same.json", large::negmas_same_names(ISSUES, OPTIONS).as_bytes()).unwrap();
    assert_eq!(s.issues().len(), ISSUES);
    assert_eq!(s.issues()[ISSUES - 1].id, format!("same-{ISSUES}"));
    let IssueKind::Discrete { options } = &s.issues()[0].kind else { panic!() };
    assert_eq!(options[OPTIONS - 1].id, format!("same-{OPTIONS}"));
    assert_eq!(s.parties()[1].id, "p-2");
}
