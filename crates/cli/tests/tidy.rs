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

/// The library crates: everything but the CLI (the one edge that touches files, terminals
/// and the clock) and the test kit.
const LIBRARIES: [&str; 7] = ["core", "words", "scenario", "analysis", "forecast", "sim", "robust"];

#[test]
fn model_crates_do_no_io() {
    // The model and analysis crates take data in and give results back; only the CLI touches
    // files, terminals, the clock and the thread's random generator.
    let mut files = vec![];
    for krate in LIBRARIES {
        let before = files.len();
        rust_files(&workspace().join("crates").join(krate).join("src"), &mut files);
        assert!(files.len() > before, "crates/{krate}/src has sources");
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
        "thread_rng",
        "rand::",
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

#[test]
fn the_room_reads_no_clock_and_prints_nothing() {
    // crates/room does storage I/O (its database), and only that: times come from the
    // caller, nothing is printed, randomness comes from the operating system's generator
    // (tokens, salts), never a seeded or thread-local one.
    let mut files = vec![];
    rust_files(&workspace().join("crates/room/src"), &mut files);
    assert!(!files.is_empty(), "crates/room/src has sources");
    let banned = [
        "println!",
        "eprintln!",
        "print!(",
        "std::io::stdin",
        "Instant::now",
        "SystemTime",
        "thread_rng",
        "rand::",
        "detente_core::Rng",
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
    assert!(hits.is_empty(), "clock, printing or a seeded generator in the room: {hits:?}");
}

/// The names of a crate's normal (not dev, not build) dependencies, from its Cargo.toml.
fn dependencies(krate: &str) -> Vec<String> {
    let path = workspace().join("crates").join(krate).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names = vec![];
    let mut in_dependencies = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
            names.push(name.to_string());
        }
    }
    names
}

#[test]
fn dependencies_point_one_way() {
    // ARCHITECTURE.md: which detente crates each crate may use, and where the edge-only
    // dependencies (argument parsing, `anyhow`, serde) may appear.
    let allowed: [(&str, &[&str]); 11] = [
        ("core", &[]),
        ("words", &[]),
        ("testkit", &["detente-core"]),
        ("scenario", &["detente-core", "detente-words"]),
        ("analysis", &["detente-core", "detente-words"]),
        ("forecast", &["detente-core", "detente-words"]),
        ("sim", &["detente-core", "detente-analysis", "detente-words"]),
        ("robust", &["detente-core", "detente-analysis", "detente-words"]),
        (
            "cli",
            &[
                "detente-core",
                "detente-words",
                "detente-scenario",
                "detente-analysis",
                "detente-forecast",
                "detente-sim",
                "detente-robust",
                "detente-room",
            ],
        ),
        // The room (`detente serve --multi-user`): its model, access and storage.
        ("room", &["detente-core", "detente-scenario", "detente-analysis"]),
        // The Python bindings answer through the CLI's library (`detente_cli::api`).
        ("python", &["detente-cli"]),
    ];
    let mut wrong = vec![];
    for (krate, may_use) in allowed {
        let deps = dependencies(krate);
        for dep in &deps {
            if dep.starts_with("detente-") && !may_use.contains(&dep.as_str()) {
                wrong.push(format!("{krate} depends on {dep}"));
            }
            // The web server (`detente serve`) is an edge too: its stack stays in the CLI.
            let edge = ["anyhow", "clap", "terminal_size", "axum", "tokio", "hyper", "tower"];
            if krate != "cli" && edge.contains(&dep.as_str()) {
                wrong.push(format!("{krate} depends on {dep}: only the CLI may"));
            }
            // The databases and the password hash belong to the room, which does the
            // storage I/O; no other crate touches them.
            if krate != "room" && ["rusqlite", "postgres", "argon2"].contains(&dep.as_str()) {
                wrong.push(format!("{krate} depends on {dep}: only the room may"));
            }
            if ["core", "words", "analysis"].contains(&krate) && dep.starts_with("serde") {
                wrong.push(format!("{krate} depends on {dep}: core types carry no serde"));
            }
        }
    }
    assert!(wrong.is_empty(), "dependency rules broken: {wrong:?}");
    // The rule is read from the manifests, not assumed: the CLI's own list is there.
    assert!(dependencies("cli").iter().any(|d| d == "anyhow"));
    assert!(dependencies("cli").iter().any(|d| d == "axum"));
    assert!(dependencies("room").iter().any(|d| d == "rusqlite"));
}
