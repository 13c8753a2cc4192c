//! TOML and JSON read to equal scenarios; `to_json` of the tutorial matches its golden file
//! (refresh with `UPDATE_EXPECT=1 cargo test`); `to_toml` and `to_json` read back bit for bit,
//! for the shipped scenarios, raw scenarios and any text and numbers.

use detente_core::{
    Issue, IssueKind, Meta, Party, Proposal, Role, Scenario, Stance, Term, UtilityForm,
};
use detente_scenario::{Format, parse, parse_auto, shipped, to_json, to_toml};
use proptest::prelude::*;

const GOLDEN: &str = "test_data/tutorial.json";

#[test]
fn tutorial_json_round_trips() {
    let shipped = shipped::find("tutorial").unwrap();
    let from_toml = parse(shipped.file, shipped.text.as_bytes(), Format::Toml).unwrap();
    let json = to_json(&from_toml);
    assert!(json.ends_with("}\n"));
    let from_json = parse("tutorial.json", json.as_bytes(), Format::Json).unwrap();
    assert_eq!(from_json, from_toml);
    // Sniffing finds JSON without an extension, and the output is stable.
    let sniffed = parse_auto("tutorial", json.as_bytes()).unwrap();
    assert_eq!(to_json(&sniffed), json);

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &json).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(golden == json, "{GOLDEN} is out of date: rerun with UPDATE_EXPECT=1");
}

#[test]
fn every_shipped_scenario_round_trips() {
    for s in shipped::all() {
        let Ok(scenario) = parse(s.file, s.text.as_bytes(), Format::Toml) else { continue };
        let json = to_json(&scenario);
        assert_eq!(parse("x.json", json.as_bytes(), Format::Json).unwrap(), scenario, "{}", s.name);
    }
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let text = format!("\u{feff}{}", shipped::find("tutorial").unwrap().text);
    assert!(parse_auto("t.toml", text.as_bytes()).is_ok());
}

/// Every number of the model, bit for bit (f64 `==` would let -0.0 equal 0.0).
fn same_bits(a: &Scenario, b: &Scenario) {
    assert_eq!(a, b);
    for p in 0..a.parties().len() {
        assert_eq!(a.parties()[p].reservation.to_bits(), b.parties()[p].reservation.to_bits());
        assert_eq!(a.parties()[p].bias.to_bits(), b.parties()[p].bias.to_bits());
        for i in 0..a.issues().len() {
            assert_eq!(a.weight(p, i).to_bits(), b.weight(p, i).to_bits());
            for k in 0..a.issues()[i].n_options() {
                assert_eq!(a.value(p, i, k).to_bits(), b.value(p, i, k).to_bits());
            }
        }
    }
}

/// `to_toml` and `to_json` both read back to the same scenario, bit for bit.
fn round_trips(s: &Scenario) {
    let toml = to_toml(s);
    match parse("x.toml", toml.as_bytes(), Format::Toml) {
        Ok(back) => same_bits(&back, s),
        Err(e) => panic!("to_toml does not read back:\n{e}\n{toml}"),
    }
    let json = to_json(s);
    match parse("x.json", json.as_bytes(), Format::Json) {
        Ok(back) => same_bits(&back, s),
        Err(e) => panic!("to_json does not read back:\n{e}\n{json}"),
    }
}

#[test]
fn every_shipped_scenario_round_trips_through_toml() {
    for s in shipped::all() {
        let scenario = parse(s.file, s.text.as_bytes(), Format::Toml).unwrap();
        round_trips(&scenario);
        // The output is stable.
        let toml = to_toml(&scenario);
        let again = parse("x.toml", toml.as_bytes(), Format::Toml).unwrap();
        assert_eq!(to_toml(&again), toml, "{}", s.name);
    }
}

#[test]
fn the_tutorial_reads_like_the_tutorial() {
    let s = shipped::load("tutorial").unwrap().unwrap();
    let toml = to_toml(&s);
    for line in [
        "description = \"\"\"\nUpland controls the dam; Lowland farms the delta.",
        "[[parties]]\nid = \"upland\"\nname = \"Upland\"\nrole = \"principal\"\ncapability = 0.6\nreservation = { value = 0.45, low = 0.35, high = 0.5 }\n",
        "scale = { unit = \"%\", min = 20.0, max = 80.0, step = 5.0 }\n",
        "options = [\n  { id = \"upland-only\", label = \"Upland operates the dam alone\" },\n",
        "values = { upland-only = 1.0, joint-board = { value = 0.5, low = 0.3, high = 0.6, dist = \"uniform\" }, commission-run = 0.0 }\n",
        "red_lines = [{ forbid = [\"fund-50m\"], holds = 0.7, reason = \"a 50 million fund would admit liability for past droughts\" }]\n",
        "red_lines = [{ forbid = [\"commission-run\"], reason = \"Upland will not hand its dam to a foreign operator\" }]\n",
        "amends = \"commission-draft\"\nterms = { share = 50.0, monitoring = \"inspectors\" }\nopen = [\"compensation\"]\n",
    ] {
        assert!(toml.contains(line), "missing {line:?} in\n{toml}");
    }
}

/// A raw scenario with the numbers and strings that are hard to write.
fn raw_scenario(
    name: &str,
    label: &str,
    values: Vec<f64>,
    bias: f64,
    reservation: f64,
) -> Scenario {
    let mut meta = Meta::named("raw");
    meta.utility = UtilityForm::Raw;
    meta.description = Some(format!("{label}\n{name}"));
    let mut party = Party::new("p.1", name, Role::Principal, 1.0, reservation);
    party.bias = bias;
    party.discount = Some(0.95);
    let n = values.len();
    let ids: Vec<String> = (0..n).map(|k| format!("v.{k}")).collect();
    let mut issue =
        Issue::discrete("i", label, &ids.iter().map(String::as_str).collect::<Vec<_>>());
    if let IssueKind::Discrete { options } = &mut issue.kind {
        for o in options.iter_mut() {
            o.label = format!("{label}{}", o.id);
        }
    }
    // A second party, with the same stance: a negotiation needs two.
    let mut other = party.clone();
    other.id = "p.2".to_string();
    let stances = vec![
        vec![Some(Stance::values(30.0, values.clone()))],
        vec![Some(Stance::values(30.0, values))],
    ];
    let proposal = Proposal {
        id: "d".to_string(),
        title: name.to_string(),
        author: Some(0),
        date: None,
        amends: None,
        terms: vec![Term::Set(n - 1)],
        stated: vec![true],
        description: Some(label.to_string()),
    };
    Scenario::new(meta, vec![party, other], vec![issue], stances, vec![proposal], vec![]).unwrap()
}

#[test]
fn raw_scenarios_round_trip() {
    let s = raw_scenario(
        "quote \" backslash \\ tab \t nul \u{0} del \u{7f} cr \r",
        "\"\"\"three quotes\\",
        vec![-0.0, 1e-300, -2.5e-308, 5e-324, 30.0, 0.1 + 0.2, -1e9],
        -0.0,
        -1e9,
    );
    round_trips(&s);
    let json = to_json(&s);
    assert!(json.contains("\"utility\": \"raw\""));
    assert!(json.contains("\"bias\": -0.0"));
    assert!(json.contains("\"discount\": 0.95"));
    let toml = to_toml(&s);
    assert!(toml.contains("utility = \"raw\"\n"));
    assert!(toml.contains("values = { \"v.0\" = -0.0, \"v.1\" = 1e-300, "));
    assert!(toml.contains("reservation = -1000000000.0\nbias = -0.0\ndiscount = 0.95\n"));
}

/// A number scenario files may hold.
fn readable(x: f64) -> bool {
    x.is_finite() && x.abs() <= detente_scenario::MAX_MAGNITUDE
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text and any number a scenario may hold (finite, at most 1e9 in magnitude)
    /// survive both writers.
    #[test]
    fn any_text_and_numbers_round_trip(
        name in any::<String>(),
        label in "(\\PC|[\"\\\\\n\r\t\u{0}-\u{1f}\u{7f}])*",
        values in proptest::collection::vec(any::<f64>().prop_filter("readable", |x| readable(*x)), 1..6),
        bias in any::<f64>().prop_filter("readable", |x| readable(*x)),
        reservation in any::<f64>().prop_filter("readable", |x| readable(*x)),
    ) {
        round_trips(&raw_scenario(&name, &label, values, bias, reservation));
    }
}

#[test]
fn axes_round_trip() {
    let mut s = parse("t.toml", shipped::find("tutorial").unwrap().text.as_bytes(), Format::Toml)
        .unwrap()
        .into_parts();
    let mut discrete = s
        .issues
        .iter_mut()
        .filter_map(|i| match &mut i.kind {
            IssueKind::Discrete { options } => Some(options),
            IssueKind::Scale { .. } => None,
        })
        .collect::<Vec<_>>();
    // One axis in the order listed, one of any positions, one issue unordered.
    for (k, o) in discrete[0].iter_mut().enumerate() {
        o.position = Some(k as f64);
    }
    for (k, o) in discrete[1].iter_mut().enumerate() {
        o.position = Some(0.1 - 3.7 * k as f64);
    }
    let s = Scenario::from_parts(s).unwrap();
    assert!(to_toml(&s).contains("axis = \"listed\""));
    assert!(to_json(&s).contains("\"axis\": \"listed\""));
    round_trips(&s);
}
