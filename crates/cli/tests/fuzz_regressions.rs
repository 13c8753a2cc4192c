//! The fuzz targets (`fuzz/`, cargo-fuzz on nightly) on stable: every target function of
//! `fuzz/src/lib.rs` runs on its seeds (`fuzz/seeds/<target>/` and the project's test data
//! that `fuzz/seed.sh` copies) and on every input fuzzing found (`fuzz/regressions/<target>/`,
//! minimised, each fixed): none may panic. This also keeps `fuzz/src/lib.rs` compiling
//! against the crates' current APIs, which the nightly-only fuzz crate alone would not.

#[path = "../../../fuzz/src/lib.rs"]
mod fuzz_lib;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files of a folder, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// The project's own test data each target starts from (as `fuzz/seed.sh` copies it).
fn project_seeds(target: &str) -> Vec<Vec<u8>> {
    let root = root();
    let data = root.join("crates/cli/tests/data");
    let read = |p: PathBuf| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let named =
        |names: &[&str]| -> Vec<Vec<u8>> { names.iter().map(|n| read(data.join(n))).collect() };
    match target {
        "scenario_toml" => {
            let mut v = named(&["bad.toml", "binary.toml", "empty.toml"]);
            v.push(read(root.join("scenarios/tutorial.toml")));
            v
        }
        "scenario_json" => {
            let mut v = named(&["bad.json", "truncated.json"]);
            v.push(read(root.join("crates/scenario/test_data/tutorial.json")));
            v
        }
        "negmas_json" => named(&["fishing.json"]),
        "genius_xml" => {
            let parts: Vec<Vec<u8>> =
                files(&data.join("genius-fishing")).into_iter().map(read).collect();
            vec![parts.join(&b"\n=====\n"[..])]
        }
        "ktab_csv" => named(&["ktab-bad.csv", "ktab-harbour.csv"]),
        "points_csv" => named(&["points.csv", "points-bad.csv"]),
        "article" => named(&["article.txt", "article-empty.txt", "article-latin1.txt"]),
        _ => vec![],
    }
}

#[test]
fn every_target_on_its_seeds_and_regressions() {
    let fuzz = root().join("fuzz");
    let mut counts = vec![];
    for &(target, run) in fuzz_lib::TARGETS {
        let mut inputs = project_seeds(target);
        for dir in ["seeds", "regressions"] {
            for path in files(&fuzz.join(dir).join(target)) {
                inputs.push(std::fs::read(&path).unwrap());
            }
        }
        for input in &inputs {
            run(input);
        }
        counts.push((target, inputs.len()));
    }
    assert!(counts.iter().all(|&(_, n)| n >= 1), "every target has a seed: {counts:?}");
}

#[test]
fn the_genius_split_is_the_documented_one() {
    let files = fuzz_lib::genius_files(b"<a/>\n=====\n<b/>\n=====\n");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["f0.xml", "f1.xml", "f2.xml"]);
    assert_eq!(files[1].1, b"<b/>");
    assert!(files[2].1.is_empty());
}
