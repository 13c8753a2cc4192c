//! Tidy checks over the whole workspace, run as part of `cargo test`.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut files = vec![];
    rust_files(&workspace().join("crates"), &mut files);
    assert!(files.len() > 5, "found the sources");
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a //! doc: {missing:?}");
}

#[test]
fn model_crates_do_no_io() {
    // The model and analysis crates take data in and give results back; only the CLI touches
    // files, terminals and the clock.
    let mut files = vec![];
    for krate in ["core", "analysis", "scenario"] {
        rust_files(&workspace().join("crates").join(krate).join("src"), &mut files);
    }
    let banned = [
        "std::fs",
        "File::open",
        "println!",
        "eprintln!",
        "print!(",
        "std::io::stdin",
        "Instant::now",
        "SystemTime",
    ];
    let mut hits = vec![];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for b in banned {
            if text.contains(b) {
                hits.push(format!("{}: {b}", f.display()));
            }
        }
    }
    assert!(hits.is_empty(), "I/O in model code: {hits:?}");
}
