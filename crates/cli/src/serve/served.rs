//! The scenarios a server serves, read once at start and named by their names: requests
//! look names up here and never reach the file system.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use detente_core::Scenario;
use detente_scenario::InputKind;

use crate::BadInput;
use crate::load::{self, Named};

/// One scenario served: its name (the scenario's own), the file it was read from, and it.
pub struct Entry {
    pub name: String,
    pub file: String,
    pub s: Arc<Scenario>,
    /// What the file's `as_of` left out as later, said on every page.
    pub later: Option<load::LeftOut>,
}

/// The scenarios served, in the order given, each name once.
pub struct Served {
    entries: Vec<Entry>,
    by_name: BTreeMap<String, usize>,
    /// The scenario the index page lists first: the shipped default when served, else the
    /// first one given.
    pub default: String,
}

impl Served {
    /// The scenario of this name.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&k| &self.entries[k])
    }

    /// Every scenario served, in the order given.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// How many scenarios are served.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The message for a name that is not served.
    pub fn unknown(&self, name: &str) -> String {
        let names: Vec<&str> = self.entries.iter().map(|e| e.name.as_str()).collect();
        format!(
            "unknown scenario {:?} (served: {})",
            cut(name),
            if names.is_empty() { "none".to_string() } else { names.join(", ") }
        )
    }
}

/// A name from a request as messages show it: at most 200 characters.
pub fn cut(name: &str) -> String {
    match name.char_indices().nth(200) {
        Some((at, _)) => format!("{}...", &name[..at]),
        None => name.to_string(),
    }
}

/// Reads the scenarios named on the command line: files, shipped names, NegMAS JSON domains,
/// GENIUS domain folders (read as `frontier`, `simulate` and `tournament` read them), and
/// folders of scenarios (every `.toml` and `.json` file in them that holds a detente
/// scenario or a NegMAS domain; files of another format are skipped with a note). None
/// named: the shipped scenarios. A file that is not a valid scenario or domain, an empty
/// folder or two scenarios of the same name are bad input (exit 2).
pub fn load(args: &[String]) -> anyhow::Result<Served> {
    let mut found: Vec<(String, String, Scenario)> = vec![];
    if args.is_empty() {
        for (name, file, s) in crate::scenarios::shipped()? {
            found.push((name.to_string(), file.to_string(), s));
        }
    }
    for arg in args {
        let path = Path::new(arg);
        if arg != load::STDIN && path.is_dir() && !load::is_genius_folder(path) {
            let before = found.len();
            for file in scenario_files(arg)? {
                match load::named(&file)? {
                    Named::Scenario(s) => found.push((s.meta().name.clone(), file, *s)),
                    Named::Other { kind: InputKind::NegmasJson, .. } => {
                        let s = load::any(&file)?;
                        found.push((s.meta().name.clone(), file, s));
                    }
                    Named::Other { kind, .. } => eprintln!(
                        "detente: note: {file}: skipped, this is {}, not a detente scenario",
                        kind.describe()
                    ),
                }
            }
            if found.len() == before {
                return Err(BadInput(format!(
                    "{arg}: no detente scenario in this folder (.toml or .json files)"
                ))
                .into());
            }
        } else {
            let s = load::any(arg)?;
            found.push((s.meta().name.clone(), arg.clone(), s));
        }
    }
    // Each scenario as known on its file's as_of, as every command reads it.
    let found = found
        .into_iter()
        .map(|(name, file, s)| load::as_of(s, None).map(|(s, later)| (name, file, s, later)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_name = BTreeMap::new();
    for (k, (name, file, _, _)) in found.iter().enumerate() {
        if let Some(&first) = by_name.get(name) {
            let first: &(String, String, Scenario, Option<load::LeftOut>) = &found[first];
            return Err(BadInput(format!(
                "two scenarios are named {name:?}: {} and {file}; serve one of them (a scenario is addressed by its name)",
                first.1
            ))
            .into());
        }
        by_name.insert(name.clone(), k);
    }
    let default = match by_name.get(detente_scenario::shipped::DEFAULT) {
        Some(_) => detente_scenario::shipped::DEFAULT.to_string(),
        None => found.first().map(|f| f.0.clone()).unwrap_or_default(),
    };
    let entries = found
        .into_iter()
        .map(|(name, file, s, later)| Entry { name, file, s: Arc::new(s), later })
        .collect();
    Ok(Served { entries, by_name, default })
}

/// The `.toml` and `.json` files of a folder, sorted by name.
fn scenario_files(dir: &str) -> anyhow::Result<Vec<String>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| BadInput(format!("{dir}: cannot read the folder: {e}")))?;
    let mut files = vec![];
    for entry in entries {
        let path = entry.map_err(|e| BadInput(format!("{dir}: {e}")))?.path();
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if path.is_file() && matches!(ext.as_deref(), Some("toml" | "json")) {
            files.push(path.to_string_lossy().into_owned());
        }
    }
    files.sort();
    Ok(files)
}
