//! TOML and JSON read to equal scenarios; `to_json` of the tutorial matches its golden file
//! (refresh with `UPDATE_EXPECT=1 cargo test`).

use detente_scenario::{Format, parse, parse_auto, shipped, to_json};

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
