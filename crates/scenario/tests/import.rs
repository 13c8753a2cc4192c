//! The importers against NegMAS's own exports (data this crate did not write): every GENIUS
//! folder of the NegMAS peer data with a `NAME.json` export beside it imports to the same
//! issues, options, reservations and, bit for bit, the same utilities as the export, which
//! are also recomputed straight from the export's numbers. Imported scenarios round-trip
//! through TOML and JSON. Skipped (with a message) when `../shared` is missing.

mod support;

use std::path::Path;

use detente_core::{Outcome, Rng, Scenario};
use detente_scenario::import::{genius, negmas_json};
use detente_scenario::{Format, parse, to_json, to_toml};
use serde_json::Value;

/// Up to this many outcomes every outcome is checked; above, a seeded sample.
const FULL: u64 = 200_000;
const SAMPLE: usize = 5_000;

/// Every outcome when there are few, else `SAMPLE` seeded random ones.
fn outcomes(sizes: &[usize], seed: u64) -> Vec<Outcome> {
    let total: u64 = sizes.iter().map(|&n| n as u64).product();
    if total <= FULL {
        (0..total)
            .map(|mut idx| {
                let mut o = vec![0; sizes.len()];
                for (i, &n) in sizes.iter().enumerate().rev() {
                    o[i] = (idx % n as u64) as usize;
                    idx /= n as u64;
                }
                Outcome::new_unchecked(o)
            })
            .collect()
    } else {
        let mut rng = Rng::new(seed);
        (0..SAMPLE)
            .map(|_| Outcome::new_unchecked(sizes.iter().map(|&n| rng.index(n)).collect()))
            .collect()
    }
}

fn sizes(s: &Scenario) -> Vec<usize> {
    s.issues().iter().map(|i| i.n_options()).collect()
}

/// NegMAS's utility recomputed from the export: `bias + sum_i w_i * u_i`, left to right.
fn oracle(export: &Value, p: usize, o: &Outcome) -> f64 {
    let party = &export["parties"][p];
    let mut u = party["bias"].as_f64().unwrap_or(0.0);
    for (i, &k) in o.options().iter().enumerate() {
        let w = party["weights"][i].as_f64().unwrap();
        let v = party["value_utils"][i][k].as_f64().unwrap();
        u += w * v;
    }
    u
}

fn read_export(path: &Path) -> (Vec<u8>, Value) {
    let bytes = std::fs::read(path).unwrap();
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    (bytes, value)
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

fn round_trips(s: &Scenario, what: &str) {
    let toml = to_toml(s);
    let back = parse(&format!("{what}.toml"), toml.as_bytes(), Format::Toml)
        .unwrap_or_else(|e| panic!("{what}: to_toml does not read back:\n{e}\n{toml}"));
    same_bits(&back, s);
    let json = to_json(s);
    let back = parse(&format!("{what}.json"), json.as_bytes(), Format::Json)
        .unwrap_or_else(|e| panic!("{what}: to_json does not read back:\n{e}"));
    same_bits(&back, s);
}

#[test]
fn genius_folders_match_negmas_exports() {
    let Some(shared) = support::shared() else { return };
    let folders = support::genius_folders(&shared);
    assert!(folders.len() >= 9, "expected the 9 GENIUS folders, found {folders:?}");
    for (folder, export_path) in folders {
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let files = support::xml_files(&folder);
        let g =
            genius(&folder.to_string_lossy(), &files).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        let (bytes, export) = read_export(&export_path);
        let j = negmas_json(&export_path.to_string_lossy(), &bytes)
            .unwrap_or_else(|e| panic!("{name}.json:\n{e}"));

        // Structure: issues and options as in the export, and the same from both readers.
        let issues = export["issues"].as_array().unwrap();
        assert_eq!(g.issues().len(), issues.len(), "{name}");
        for (i, issue) in issues.iter().enumerate() {
            assert_eq!(g.issues()[i].name, issue["name"].as_str().unwrap(), "{name}");
            assert_eq!(g.issues()[i].id, j.issues()[i].id, "{name}");
            let values = issue["values"].as_array().unwrap();
            assert_eq!(g.issues()[i].n_options(), values.len(), "{name} issue {i}");
            for (k, v) in values.iter().enumerate() {
                let label = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                assert_eq!(g.issues()[i].option_label(k), label, "{name} issue {i}");
                assert_eq!(j.issues()[i].option_label(k), label, "{name} issue {i}");
                assert_eq!(g.issues()[i].option_id(k), j.issues()[i].option_id(k), "{name}");
            }
        }
        // Parties: order, names, reservations and biases.
        let parties = export["parties"].as_array().unwrap();
        assert_eq!(g.parties().len(), parties.len(), "{name}");
        for (p, party) in parties.iter().enumerate() {
            assert_eq!(g.parties()[p].name, party["name"].as_str().unwrap(), "{name}");
            assert_eq!(g.parties()[p].id, j.parties()[p].id, "{name}");
            let rv = party["reserved_value"].as_f64().unwrap();
            assert_eq!(g.parties()[p].reservation.to_bits(), rv.to_bits(), "{name}");
            assert_eq!(j.parties()[p].reservation.to_bits(), rv.to_bits(), "{name}");
            let bias = party["bias"].as_f64().unwrap();
            assert_eq!(g.parties()[p].bias.to_bits(), bias.to_bits(), "{name}");
        }
        // Utilities, bit for bit, against both the JSON import and the export's numbers.
        let n_total: u64 = sizes(&g).iter().map(|&n| n as u64).product();
        assert_eq!(Some(n_total), export["n_outcomes"].as_u64(), "{name}");
        for o in outcomes(&sizes(&g), 20_240_601) {
            for p in 0..g.parties().len() {
                let (ug, uj, un) = (g.utility(p, &o), j.utility(p, &o), oracle(&export, p, &o));
                assert_eq!(
                    ug.to_bits(),
                    un.to_bits(),
                    "{name} party {p} outcome {o:?}: {ug} vs {un}"
                );
                assert_eq!(
                    uj.to_bits(),
                    un.to_bits(),
                    "{name} party {p} outcome {o:?}: {uj} vs {un}"
                );
            }
        }
        round_trips(&g, &name);
    }
}

#[test]
fn negmas_json_domains_import_exactly() {
    let Some(shared) = support::shared() else { return };
    let files = support::negmas_json_files(&shared);
    assert!(files.len() >= 20, "expected the NegMAS JSON domains, found {}", files.len());
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (bytes, export) = read_export(&path);
        let s = negmas_json(&path.to_string_lossy(), &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.parties().len(), export["parties"].as_array().unwrap().len());
        for o in outcomes(&sizes(&s), 7) {
            for p in 0..s.parties().len() {
                let (u, un) = (s.utility(p, &o), oracle(&export, p, &o));
                assert_eq!(u.to_bits(), un.to_bits(), "{name} party {p} outcome {o:?}");
            }
        }
        round_trips(&s, &name);
    }
}

#[test]
fn discount_factors_are_kept_from_genius_profiles() {
    let Some(shared) = support::shared() else { return };
    let laptop = shared.join("peers/negmas/domains/Laptop");
    let s = genius("Laptop", &support::xml_files(&laptop)).unwrap();
    assert!(s.parties().iter().all(|p| p.discount == Some(1.0)));
    // Energy's profiles have no <discount_factor>.
    let energy = shared.join("peers/negmas/domains/Energy");
    let s = genius("Energy", &support::xml_files(&energy)).unwrap();
    assert!(s.parties().iter().all(|p| p.discount.is_none()));
    // AMPOvsCity's profiles have no <reservation>: 0, as in the export.
    let ampo = shared.join("peers/negmas/extra/AMPOvsCity");
    let s = genius("AMPOvsCity", &support::xml_files(&ampo)).unwrap();
    assert_eq!(s.issues()[0].name, "DUMMY_ISSUE");
    assert!(s.parties().iter().all(|p| p.reservation == 0.0));
}
