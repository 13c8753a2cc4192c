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
