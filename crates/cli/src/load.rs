//! Finding what the user named: a scenario file or a shipped scenario, a proposal, a party.

use std::path::Path;

use detente_core::Scenario;
use detente_scenario::shipped;

use crate::BadInput;

/// Why a scenario could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file was read but is not a valid scenario: every problem, located.
    Invalid(detente_scenario::Error),
    /// No such file or shipped scenario, or the file cannot be read.
    Unreadable(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Invalid(e) => e.fmt(f),
            LoadError::Unreadable(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for LoadError {}

/// Loads a scenario from a file path, or by the name of a shipped scenario when no such file
/// exists. Every problem in the file is reported at once, located.
pub fn scenario(arg: &str) -> Result<Scenario, LoadError> {
    let path = Path::new(arg);
    if !path.exists()
        && let Some(found) = shipped::load(arg)
    {
        return found.map_err(LoadError::Invalid);
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let names: Vec<&str> = shipped::all().iter().map(|s| s.name).collect();
            return Err(LoadError::Unreadable(match e.kind() {
                std::io::ErrorKind::NotFound => format!(
                    "{arg}: no such file, and no shipped scenario of that name (shipped: {})",
                    names.join(", ")
                ),
                _ if path.is_dir() => format!("{arg}: is a directory, not a scenario file"),
                _ => format!("{arg}: cannot read: {e}"),
            }));
        }
    };
    detente_scenario::parse_auto(arg, &bytes).map_err(LoadError::Invalid)
}

/// The index of a proposal by id, or a message listing the ids there are.
pub fn proposal(s: &Scenario, id: &str) -> Result<usize, BadInput> {
    s.proposal_index(id).ok_or_else(|| {
        let ids: Vec<&str> = s.proposals.iter().map(|p| p.id.as_str()).collect();
        BadInput(format!(
            "unknown proposal {id:?} in scenario {} (proposals: {})",
            s.meta.name,
            if ids.is_empty() { "none".to_string() } else { ids.join(", ") }
        ))
    })
}

/// The index of a party by id, or a message listing the ids there are.
pub fn party(s: &Scenario, id: &str) -> Result<usize, BadInput> {
    s.party_index(id).ok_or_else(|| {
        let ids: Vec<&str> = s.parties.iter().map(|p| p.id.as_str()).collect();
        BadInput(format!(
            "unknown party {id:?} in scenario {} (parties: {})",
            s.meta.name,
            ids.join(", ")
        ))
    })
}

/// The parties a question about a deal counts (docs/cli.md, "Whose deal"): the ones named
/// with `--parties`, or by default the principals (everyone, when the scenario names no
/// principal). Named parties must exist and be named once each; the result is in scenario
/// order, so the answer does not depend on the order they were named in.
pub fn parties(s: &Scenario, ids: Option<&[String]>) -> Result<Vec<usize>, BadInput> {
    let Some(ids) = ids else {
        return Ok(detente_analysis::counted_parties(s));
    };
    if ids.is_empty() || ids.iter().any(String::is_empty) {
        return Err(BadInput("--parties: name parties by id, separated by commas".to_string()));
    }
    let mut named = vec![false; s.parties.len()];
    let mut chosen = Vec::with_capacity(ids.len());
    for id in ids {
        let p = party(s, id)?;
        if std::mem::replace(&mut named[p], true) {
            return Err(BadInput(format!("--parties: party {id:?} is named twice")));
        }
        chosen.push(p);
    }
    chosen.sort_unstable();
    Ok(chosen)
}

/// What kind of input a path names, for commands that take peer formats too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A detente scenario file or a shipped scenario's name.
    Scenario,
    /// A GENIUS domain folder (a domain XML and one profile XML per party).
    Genius,
    /// A NegMAS plain JSON domain.
    NegmasJson,
}

/// Tells a scenario, a GENIUS folder and a NegMAS JSON domain apart: a folder is GENIUS; a
/// JSON object without a top-level `version` but with `parties` carrying `value_utils` is a
/// NegMAS domain; anything else is read as a scenario.
pub fn input_kind(arg: &str, bytes: Option<&[u8]>) -> InputKind {
    if Path::new(arg).is_dir() {
        return InputKind::Genius;
    }
    let Some(bytes) = bytes else { return InputKind::Scenario };
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return InputKind::Scenario;
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v)
            if v.get("version").is_none()
                && v.get("parties").is_some_and(|p| {
                    p.as_array().is_some_and(|ps| ps.iter().any(|p| p.get("value_utils").is_some()))
                }) =>
        {
            InputKind::NegmasJson
        }
        _ => InputKind::Scenario,
    }
}

/// Reads every `.xml` file of a GENIUS folder, sorted by name.
fn genius_files(dir: &str) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| LoadError::Unreadable(format!("{dir}: cannot read the folder: {e}")))?;
    let mut files = vec![];
    for entry in entries {
        let entry = entry.map_err(|e| LoadError::Unreadable(format!("{dir}: {e}")))?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) && path.is_file() {
            let bytes = std::fs::read(&path).map_err(|e| {
                LoadError::Unreadable(format!("{}: cannot read: {e}", path.display()))
            })?;
            files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(LoadError::Unreadable(format!(
            "{dir}: no .xml files: a GENIUS domain folder holds a domain file and one profile per party"
        )));
    }
    Ok(files)
}

/// Loads a scenario, a GENIUS folder or a NegMAS JSON domain.
pub fn any(arg: &str) -> Result<Scenario, LoadError> {
    let path = Path::new(arg);
    if path.is_dir() {
        let files = genius_files(arg)?;
        return detente_scenario::import::genius(arg, &files).map_err(LoadError::Invalid);
    }
    if !path.exists() {
        return scenario(arg);
    }
    let bytes = std::fs::read(path)
        .map_err(|e| LoadError::Unreadable(format!("{arg}: cannot read: {e}")))?;
    match input_kind(arg, Some(&bytes)) {
        InputKind::NegmasJson => {
            detente_scenario::import::negmas_json(arg, &bytes).map_err(LoadError::Invalid)
        }
        _ => detente_scenario::parse_auto(arg, &bytes).map_err(LoadError::Invalid),
    }
}

/// Loads a GENIUS folder (for `detente import genius`).
pub fn genius(dir: &str) -> Result<Scenario, LoadError> {
    if !Path::new(dir).is_dir() {
        return Err(LoadError::Unreadable(format!(
            "{dir}: not a folder (a GENIUS domain is a folder of XML files)"
        )));
    }
    let files = genius_files(dir)?;
    detente_scenario::import::genius(dir, &files).map_err(LoadError::Invalid)
}

/// Loads a NegMAS plain JSON domain (for `detente import json`).
pub fn negmas_json(file: &str) -> Result<Scenario, LoadError> {
    let bytes = std::fs::read(file)
        .map_err(|e| LoadError::Unreadable(format!("{file}: cannot read: {e}")))?;
    detente_scenario::import::negmas_json(file, &bytes).map_err(LoadError::Invalid)
}
