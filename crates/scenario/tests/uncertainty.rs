//! The format's extension for uncertainty (docs/scenario-format.md, "Uncertainty"): each
//! form reads into the scenario's `Uncertainty` (TOML and JSON alike), files without it read
//! and write as before, and random scenarios with ranges, doubts and widths survive both
//! writers. The located problems are in `problems.rs` (`uncertainty_*`).

use detente_core::{
    Doubt, Estimate, Grade, RedLineRef, Scenario, Spread, StatedRange, Uncertainty, Widths,
};
use detente_scenario::{Format, parse, shipped, to_json, to_toml};
use detente_testkit::{GenConfig, random_raw_scenario, random_scenario};
use proptest::prelude::*;

/// Every form: ranges on a reservation, a capability, a weight, values (one uniform), an
/// ideal and a tolerance; a doubtful red line; `[uncertainty]` overriding widths and the
/// grade of ungraded stances.
const RANGES: &str = r#"version = 1
[scenario]
name = "t"
title = "T"

[uncertainty]
ungraded = "none"
A = { weight = 0.2, value = 0.01 }
C = { tolerance = 0.75 }

[[parties]]
id = "a"
name = "A"
role = "principal"
reservation = { value = 0.4, low = 0.3, high = 0.55 }
capability = { value = 2, low = 1, high = 3, dist = "uniform" }

[[parties]]
id = "b"
name = "B"
role = "principal"
reservation = 0.2

[[issues]]
id = "x"
name = "X"
options = [{ id = "x0", label = "X0" }, { id = "x1", label = "X1" }]

[[issues]]
id = "s"
name = "S"
scale = { unit = "u", min = 0, max = 100, step = 10 }

[[stances]]
party = "a"
issue = "x"
weight = { value = 4, low = 3, high = 6 }
values = { x0 = { value = 0.2, low = 0.2, high = 0.5, dist = "uniform" }, x1 = 1.0 }
red_lines = [{ forbid = ["x0"], holds = 0.8, reason = "maybe" }, { require = ["x1"] }]
confidence = "A"

[[stances]]
party = "b"
issue = "s"
weight = 1
ideal = { value = 50, low = 40, high = 70, dist = "triangular" }
tolerance = { value = 30, low = 30, high = 30 }
red_lines = [{ min = 20, holds = 0 }]
"#;

fn read(text: &str) -> Scenario {
    parse("t.toml", text.as_bytes(), Format::Toml).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_form_reads_into_the_uncertainty() {
    let s = read(RANGES);
    // The point estimates are the `value`s: what every deterministic analysis uses.
    assert_eq!(s.parties()[0].reservation, 0.4);
    assert_eq!(s.parties()[0].capability, 2.0);
    assert_eq!(s.stance(0, 0).unwrap().weight, 4.0);
    assert_eq!(s.value(0, 0, 0), 0.2);
    assert_eq!(s.point(Estimate::Ideal { party: 1, issue: 1 }), Some(50.0));
    let tri = |low, high| Spread::Triangular { low, high };
    let uni = |low, high| Spread::Uniform { low, high };
    let range = |estimate, spread| StatedRange { estimate, spread };
    let u = s.uncertainty();
    // Sorted by estimate, whatever the order in the file.
    assert_eq!(
        u.ranges,
        [
            range(Estimate::Weight { party: 0, issue: 0 }, tri(3.0, 6.0)),
            range(Estimate::Value { party: 0, issue: 0, option: 0 }, uni(0.2, 0.5)),
            range(Estimate::Ideal { party: 1, issue: 1 }, tri(40.0, 70.0)),
            range(Estimate::Tolerance { party: 1, issue: 1 }, tri(30.0, 30.0)),
            range(Estimate::Reservation { party: 0 }, tri(0.3, 0.55)),
            range(Estimate::Capability { party: 0 }, uni(1.0, 3.0)),
        ]
    );
    assert_eq!(
        u.doubts,
        [
            Doubt { red_line: RedLineRef { party: 0, issue: 0, index: 0 }, holds: 0.8 },
            Doubt { red_line: RedLineRef { party: 1, issue: 1, index: 0 }, holds: 0.0 },
        ]
    );
    assert_eq!(u.ungraded, None);
    let defaults = Uncertainty::default().widths;
    assert_eq!(u.widths[0], Widths { weight: 0.2, value: 0.01, ..defaults[0] });
    assert_eq!(u.widths[1], defaults[1]);
    assert_eq!(u.widths[2], Widths { tolerance: 0.75, ..defaults[2] });
    // The stated range wins over the grade; B's stance has no grade and `ungraded = "none"`,
    // so its weight is fixed.
    let w = s.estimate_range(Estimate::Weight { party: 0, issue: 0 });
    assert_eq!(w.spread, tri(3.0, 6.0));
    let fixed = s.estimate_range(Estimate::Weight { party: 1, issue: 1 });
    assert!(fixed.spread.is_point());
    // A's unstated value takes grade A's overridden width.
    let v = s.estimate_range(Estimate::Value { party: 0, issue: 0, option: 1 });
    assert_eq!((v.spread.low(), v.spread.high()), (0.99, 1.0));
}

#[test]
fn json_spells_the_same_forms() {
    let s = read(RANGES);
    let json = to_json(&s);
    for piece in [
        "\"uncertainty\": {\n    \"ungraded\": \"none\",\n    \"A\": {\n      \"weight\": 0.2,\n      \"value\": 0.01\n    },\n    \"C\": {\n      \"tolerance\": 0.75\n    }\n  },\n  \"parties\"",
        "\"reservation\": {\n        \"value\": 0.4,\n        \"low\": 0.3,\n        \"high\": 0.55\n      }",
        "\"capability\": {\n        \"value\": 2,\n        \"low\": 1,\n        \"high\": 3,\n        \"dist\": \"uniform\"\n      }",
        "\"holds\": 0.8,\n          \"reason\": \"maybe\"",
    ] {
        assert!(json.contains(piece), "missing {piece:?} in\n{json}");
    }
    assert_eq!(parse("t.json", json.as_bytes(), Format::Json).unwrap(), s);
}

#[test]
fn toml_writes_the_forms_as_a_person_would() {
    let s = read(RANGES);
    let toml = to_toml(&s);
    for piece in [
        "title = \"T\"\n\n[uncertainty]\nungraded = \"none\"\nA = { weight = 0.2, value = 0.01 }\nC = { tolerance = 0.75 }\n\n# --- Parties",
        "reservation = { value = 0.4, low = 0.3, high = 0.55 }\n",
        "capability = { value = 2.0, low = 1.0, high = 3.0, dist = \"uniform\" }\n",
        "weight = { value = 4.0, low = 3.0, high = 6.0 }\n",
        "values = { x0 = { value = 0.2, low = 0.2, high = 0.5, dist = \"uniform\" }, x1 = 1.0 }\n",
        "red_lines = [{ forbid = [\"x0\"], holds = 0.8, reason = \"maybe\" }, { require = [\"x1\"] }]\n",
        "ideal = { value = 50.0, low = 40.0, high = 70.0 }\n",
        "tolerance = { value = 30.0, low = 30.0, high = 30.0 }\n",
        "red_lines = [{ min = 20.0, holds = 0.0 }]\n",
    ] {
        assert!(toml.contains(piece), "missing {piece:?} in\n{toml}");
    }
    assert_eq!(read(&toml), s);
}

#[test]
fn only_what_differs_from_the_defaults_is_written() {
    // A grade restated at its default width and `ungraded = "B"` say nothing new.
    let text = RANGES.replace(
        "ungraded = \"none\"\nA = { weight = 0.2, value = 0.01 }\nC = { tolerance = 0.75 }",
        "ungraded = \"B\"\nB = { weight = 0.25 }",
    );
    let s = read(&text);
    assert_eq!(s.uncertainty().widths, Uncertainty::default().widths);
    assert!(!to_toml(&s).contains("[uncertainty]"));
    assert!(!to_json(&s).contains("\"uncertainty\""));
    for (ungraded, grade) in [("A", Some(Grade::A)), ("C", Some(Grade::C))] {
        let s = read(&text.replace("ungraded = \"B\"", &format!("ungraded = \"{ungraded}\"")));
        assert_eq!(s.uncertainty().ungraded, grade);
        assert!(to_toml(&s).contains(&format!("[uncertainty]\nungraded = \"{ungraded}\"\n")));
    }
}

#[test]
fn files_without_ranges_have_the_default_uncertainty_and_are_written_as_before() {
    let s = shipped::load("ukraine-2025").unwrap().unwrap();
    assert_eq!(s.uncertainty(), &Uncertainty::default());
    for text in [to_toml(&s), to_json(&s)] {
        for word in ["uncertainty", "low", "high", "dist", "holds"] {
            let (toml_key, json_key) = (format!("{word} = "), format!("\"{word}\": "));
            assert!(!text.contains(&toml_key) && !text.contains(&json_key), "{word} written");
        }
    }
}

/// A random scenario with ranges, doubts, grades and widths; every number kept.
fn uncertain(seed: u64, raw: bool, parties: usize, issues: usize, options: usize) -> Scenario {
    let cfg = GenConfig {
        red_line_chance: 0.5,
        scale_chance: 0.4,
        range_chance: 0.5,
        doubt_chance: 0.5,
        grade_chance: 0.5,
        ..GenConfig::new(parties, issues, options)
    };
    if raw { random_raw_scenario(seed, &cfg) } else { random_scenario(seed, &cfg) }
}

/// Every number of the uncertainty, bit for bit (f64 `==` would let -0.0 equal 0.0).
fn same_bits(a: &Uncertainty, b: &Uncertainty) {
    let bits = |u: &Uncertainty| {
        let mut out: Vec<u64> = vec![];
        for r in &u.ranges {
            out.extend([r.spread.low().to_bits(), r.spread.high().to_bits()]);
        }
        out.extend(u.doubts.iter().map(|d| d.holds.to_bits()));
        for w in &u.widths {
            out.extend(
                [w.weight, w.value, w.ideal, w.tolerance, w.reservation, w.capability]
                    .map(f64::to_bits),
            );
        }
        out
    };
    assert_eq!(bits(a), bits(b));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A scenario with ranges, written (TOML or JSON) and read, then written and read again,
    /// gives an equal scenario, every range, doubt and width bit for bit; and the second
    /// writing is the first.
    #[test]
    fn ranges_round_trip(
        seed in any::<u64>(),
        raw in any::<bool>(),
        parties in 2usize..5,
        issues in 1usize..5,
        options in 1usize..5,
    ) {
        let s = uncertain(seed, raw, parties, issues, options);
        for (format, write) in [
            (Format::Toml, to_toml as fn(&Scenario) -> String),
            (Format::Json, to_json as fn(&Scenario) -> String),
        ] {
            let text = write(&s);
            let once = parse("x", text.as_bytes(), format).unwrap_or_else(|e| panic!("{e}\n{text}"));
            prop_assert_eq!(&once, &s);
            same_bits(once.uncertainty(), s.uncertainty());
            let again = write(&once);
            prop_assert_eq!(&again, &text);
            prop_assert_eq!(parse("x", again.as_bytes(), format).unwrap(), once);
        }
    }
}

#[test]
fn the_fuzz_seeds_with_every_form_are_valid_and_alike() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let toml = std::fs::read(seeds.join("scenario_toml/uncertainty.toml")).unwrap();
    let json = std::fs::read(seeds.join("scenario_json/uncertainty.json")).unwrap();
    let from_toml =
        parse("uncertainty.toml", &toml, Format::Toml).unwrap_or_else(|e| panic!("{e}"));
    let from_json =
        parse("uncertainty.json", &json, Format::Json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_toml, from_json);
    let u = from_toml.uncertainty();
    assert!(u.ranges.len() >= 6 && u.doubts.len() == 2 && u.ungraded.is_none());
}

/// docs/scenario-format.md, "Uncertainty".
fn doc_section() -> String {
    let doc =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario-format.md");
    let doc = std::fs::read_to_string(doc).unwrap();
    let start = doc.find("\n## Uncertainty\n").expect("the section");
    let end = start + 1 + doc[start + 1..].find("\n## ").expect("a next section");
    doc[start..end].to_string()
}

#[test]
fn the_documented_default_widths_are_the_defaults() {
    // The rows `| A | ... | 10% of the number | 0.05 of utility | 5% of the scale's span |`:
    // weight (and tolerance, capability), value (and reservation), ideal.
    let section = doc_section();
    let first_number = |cell: &str| -> f64 {
        let word = cell.split_whitespace().next().unwrap();
        match word.strip_suffix('%') {
            Some(p) => p.parse::<f64>().unwrap() / 100.0,
            None => word.parse().unwrap(),
        }
    };
    for g in [Grade::A, Grade::B, Grade::C] {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", g.as_str())))
            .unwrap_or_else(|| panic!("no row for grade {}", g.as_str()));
        let cells: Vec<&str> = row.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        let d = Widths::default_for(g);
        let documented = [first_number(cells[2]), first_number(cells[3]), first_number(cells[4])];
        assert_eq!(documented, [d.weight, d.value, d.ideal], "grade {}", g.as_str());
        assert_eq!((d.tolerance, d.capability, d.reservation), (d.weight, d.weight, d.value));
    }
}

#[test]
fn the_documented_examples_read() {
    let section = doc_section();
    let blocks: Vec<&str> =
        section.split("```toml\n").skip(1).map(|b| &b[..b.find("```").unwrap()]).collect();
    assert_eq!(blocks.len(), 3, "the examples of stated ranges, doubts and [uncertainty]");
    // The stated ranges, in place of the tutorial's numbers for Upland and its dam stance.
    let tutorial = shipped::find("tutorial").unwrap().text;
    let mut text = tutorial.to_string();
    for (starts, key) in [
        ("reservation = { value = 0.45", "reservation = "),
        ("capability = 0.6", "capability = "),
        ("weight = 3", "weight = "),
        ("values = { upland-only", "values = "),
    ] {
        let old = tutorial.lines().find(|l| l.starts_with(starts)).unwrap();
        let new = blocks[0].lines().find(|l| l.starts_with(key)).unwrap();
        text = text.replacen(old, new, 1);
    }
    let s = read(&text);
    let stated = |e| s.uncertainty().stated(e).unwrap();
    assert_eq!(stated(Estimate::Capability { party: 0 }), Spread::Uniform { low: 0.4, high: 0.8 });
    assert_eq!(
        stated(Estimate::Weight { party: 0, issue: 1 }),
        Spread::Triangular { low: 2.0, high: 5.0 }
    );
    // `[uncertainty]` in place of the file's.
    let start = RANGES.find("[uncertainty]").unwrap();
    let end = RANGES.find("[[parties]]").unwrap();
    let text = format!("{}{}\n{}", &RANGES[..start], blocks[2], &RANGES[end..]);
    let u = read(&text).uncertainty().clone();
    assert_eq!(u.ungraded, None);
    assert_eq!((u.widths[0].weight, u.widths[0].value, u.widths[2].reservation), (0.05, 0.02, 0.3));
    // The doubtful red line, on a copy of the tutorial's stance.
    let line = blocks[1].trim().replace("reason = \"...\"", "reason = \"doubt\"");
    let from = tutorial.lines().find(|l| l.contains("forbid = [\"fund-50m\"]")).unwrap();
    let s = read(&tutorial.replace(from, &line));
    assert_eq!(s.uncertainty().holds(s.uncertainty().doubts[0].red_line), 0.8);
}
