//! Test support shared by the integration tests: where the shared peer data lives.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::path::PathBuf;

/// The shared folder beside the workspace, which holds the NegMAS peer data, found by the
/// workspace's one helper for it (`detente-testkit`): `None` (with a message) when it is
/// missing, a panic instead when `DETENTE_REQUIRE_SHARED=1`.
pub fn shared() -> Option<PathBuf> {
    detente_testkit::require_shared("the NegMAS import cross-checks")
}

/// The NegMAS domain folders under `shared` (`peers/negmas/domains`, `peers/negmas/extra`).
pub fn negmas_dirs(shared: &std::path::Path) -> Vec<PathBuf> {
    ["domains", "extra"].iter().map(|d| shared.join("peers/negmas").join(d)).collect()
}

/// Every GENIUS folder (a directory) in the NegMAS domain folders that has a `NAME.json`
/// export beside it: (folder, export), sorted.
pub fn genius_folders(shared: &std::path::Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for dir in negmas_dirs(shared) {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if !path.is_dir() {
                continue;
            }
            let export = dir.join(format!("{}.json", path.file_name().unwrap().to_string_lossy()));
            if export.is_file() {
                out.push((path, export));
            }
        }
    }
    out.sort();
    out
}

/// The `.xml` files of a folder as (file name, bytes).
pub fn xml_files(folder: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The plain JSON domains (not answers, not exports of a folder) in the NegMAS folders.
pub fn negmas_json_files(shared: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in negmas_dirs(shared) {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".json") && !name.ends_with("_answer.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
