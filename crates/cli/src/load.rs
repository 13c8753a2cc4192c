//! Finding what the user named: a scenario file or a shipped scenario, a proposal, a party.

use std::io::Read as _;
use std::path::Path;

use detente_core::Scenario;
use detente_scenario::{InputKind, shipped};

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

/// The name standing for standard input wherever a file is taken.
pub const STDIN: &str = "-";

/// Reads a file's bytes, or standard input's for `-`.
fn read(arg: &str) -> Result<Vec<u8>, LoadError> {
    if arg == STDIN {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| LoadError::Unreadable(format!("standard input: cannot read: {e}")))?;
        return Ok(bytes);
    }
    let path = Path::new(arg);
    std::fs::read(path).map_err(|e| {
        LoadError::Unreadable(match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "{arg}: no such file, and no shipped scenario of that name (shipped: {})",
                shipped::all().iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            ),
            _ if path.is_dir() => format!("{arg}: is a directory, not a scenario file"),
            _ => format!("{arg}: cannot read: {e}"),
        })
    })
}

/// The name of an input in messages: the path, or `<stdin>`.
fn shown(arg: &str) -> &str {
    if arg == STDIN { "<stdin>" } else { arg }
}

/// What to run instead, for an input that is not a scenario file (`any`: whether the command
/// also reads NegMAS and GENIUS domains).
fn not_a_scenario(arg: &str, kind: InputKind, any: bool) -> LoadError {
    let name = shown(arg);
    let what = kind.describe();
    LoadError::Unreadable(match kind {
        InputKind::NegmasJson if !any => format!(
            "{name}: this is {what}, not a detente scenario: convert it with `detente import json {arg}`, or use it directly with frontier, simulate or tournament"
        ),
        InputKind::GeniusXml => format!(
            "{name}: this is {what}; a GENIUS domain is the folder of its XML files: convert the folder with `detente import genius FOLDER`, or give the folder to frontier, simulate or tournament"
        ),
        InputKind::KtabCsv | InputKind::KtabXml => format!(
            "{name}: this is {what}, not a detente scenario: forecast with `detente forecast {arg}`, or convert it with `detente import ktab {arg}`"
        ),
        InputKind::PointsCsv => format!(
            "{name}: this is {what}, not a detente scenario: divide the points with `detente divide {arg}`"
        ),
        _ => format!("{name}: this is {what}, not a detente scenario"),
    })
}

/// Whether a folder holds a file of a GENIUS domain (an `.xml` file that sniffs as one).
pub fn is_genius_folder(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().map(|e| e.path()).any(|p| {
            p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml"))
                && std::fs::read(&p).is_ok_and(|b| {
                    detente_scenario::sniff(&p.to_string_lossy(), &b) == InputKind::GeniusXml
                })
        })
    })
}

/// What the user named: a scenario (a file or a shipped name), or a file in another format
/// detente reads, recognised by its content ([`detente_scenario::sniff`]).
pub enum Named {
    /// A detente scenario.
    Scenario(Box<Scenario>),
    /// A file in another format: its name in messages (`<stdin>` for `-`), its bytes and
    /// what it holds.
    Other { name: String, bytes: Vec<u8>, kind: InputKind },
}

/// Reads what the user named (`-`: standard input; a shipped scenario's name when no such
/// file exists) and tells its format by its content, the one rule for every command: a
/// scenario is parsed (every problem reported at once, located); any other format is handed
/// back for the command to read or refuse (with [`not_for`]).
pub fn named(arg: &str) -> Result<Named, LoadError> {
    let path = Path::new(arg);
    if arg != STDIN
        && !path.exists()
        && let Some(found) = shipped::load(arg)
    {
        return found.map(|s| Named::Scenario(Box::new(s))).map_err(LoadError::Invalid);
    }
    if arg != STDIN && path.is_dir() {
        return Err(LoadError::Unreadable(if is_genius_folder(path) {
            format!(
                "{arg}: this is a GENIUS domain folder, not a detente scenario: convert it with `detente import genius {arg}`, or use it directly with frontier, simulate or tournament"
            )
        } else {
            format!("{arg}: is a directory, not a scenario file")
        }));
    }
    let bytes = read(arg)?;
    match detente_scenario::sniff(shown(arg), &bytes) {
        InputKind::Scenario(format) => detente_scenario::parse(shown(arg), &bytes, format)
            .map(|s| Named::Scenario(Box::new(s)))
            .map_err(LoadError::Invalid),
        kind => Ok(Named::Other { name: shown(arg).to_string(), bytes, kind }),
    }
}

/// The refusal of a file in a format the command does not read, saying what it is and what
/// to run instead.
pub fn not_for(arg: &str, kind: InputKind) -> LoadError {
    not_a_scenario(arg, kind, false)
}

/// The text of a file in a format read as text (a BOM dropped), or where it is not UTF-8.
pub fn utf8(name: &str, bytes: Vec<u8>) -> Result<String, BadInput> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(BadInput(format!(
                "{name}:{line}: not UTF-8: invalid byte 0x{:02x} (save the file as UTF-8)",
                e.as_bytes()[at]
            )))
        }
    }
}

/// Loads a scenario from a file path (`-`: standard input), or by the name of a shipped
/// scenario when no such file exists. Every problem in the file is reported at once,
/// located. A file in another format detente reads (a NegMAS or GENIUS domain, a KTAB
/// input, a points table) is refused with the command that reads it.
pub fn scenario(arg: &str) -> Result<Scenario, LoadError> {
    match named(arg)? {
        Named::Scenario(s) => Ok(*s),
        Named::Other { kind, .. } => Err(not_a_scenario(arg, kind, false)),
    }
}

/// What a day's snapshot left out as later: the counted sentence, the JSON, and each item
/// with its date (for the report's and the dashboard's list).
#[derive(Clone, Debug)]
pub struct LeftOut {
    /// One counted sentence ("As of 3 Dec 2025 (--as-of): left out as later ...").
    pub words: String,
    /// `left_out_as_later` of the JSON.
    pub json: serde_json::Value,
    /// Each proposal, revision and event left out, by date (file order among equals).
    pub items: Vec<LaterItem>,
}

/// One thing left out as later.
#[derive(Clone, Debug, PartialEq)]
pub struct LaterItem {
    /// `proposal`, `revision` or `event`.
    pub kind: &'static str,
    /// What it is, in a line: a proposal's id and title, a revision's party, point and
    /// fields, an event's title.
    pub what: String,
    /// Its date as written.
    pub date: String,
}

/// The things `later` names in the full scenario `s`, by date.
fn later_items(s: &Scenario, later: &detente_core::Later) -> Vec<LaterItem> {
    let mut items = vec![];
    for &j in &later.proposals {
        let p = &s.proposals()[j];
        items.push(LaterItem {
            kind: "proposal",
            what: format!("{} ({})", p.id, p.title),
            date: p.date.clone().unwrap_or_default(),
        });
    }
    for &j in &later.revisions {
        let r = &s.history().revisions[j];
        let on = r.issue.map(|i| format!(" on {}", s.issues()[i].id)).unwrap_or_default();
        items.push(LaterItem {
            kind: "revision",
            what: format!("{}{on}: {}", s.parties()[r.party].id, r.changes().join(", ")),
            date: r.date.clone(),
        });
    }
    for &j in &later.events {
        let e = &s.history().events[j];
        items.push(LaterItem { kind: "event", what: e.title.clone(), date: e.date.clone() });
    }
    items.sort_by_key(|x| detente_core::date_span(&x.date).map(|d| d.0));
    items
}

/// The scenario as known on a day (docs/cli.md, "As of a day"): `--as-of DATE` when given,
/// else the file's `as_of`, else the file as written. What the day leaves out as later is
/// said in one counted sentence (and as JSON, each item with its date) when there is any,
/// or when `--as-of` was given.
pub fn as_of(s: Scenario, flag: Option<&str>) -> Result<(Scenario, Option<LeftOut>), BadInput> {
    let Some(date) = flag.map(str::to_string).or_else(|| s.meta().as_of.clone()) else {
        return Ok((s, None));
    };
    if detente_core::day(&date).is_none() {
        return Err(BadInput(format!("--as-of {date}: not a day (write YYYY-MM-DD)")));
    }
    let (snap, later) = s.as_of(&date).map_err(|e| BadInput(format!("--as-of {date}: {e}")))?;
    if later.is_empty() && flag.is_none() {
        return Ok((snap, None));
    }
    let ids: Vec<String> = later.proposals.iter().map(|&j| s.proposals()[j].id.clone()).collect();
    let mut counted = vec![];
    if !ids.is_empty() {
        counted.push(format!(
            "{} ({})",
            detente_words::count(ids.len(), "proposal", "proposals"),
            ids.join(", ")
        ));
    }
    if !later.revisions.is_empty() {
        counted.push(detente_words::count(later.revisions.len(), "revision", "revisions"));
    }
    if !later.events.is_empty() {
        counted.push(detente_words::count(later.events.len(), "event", "events"));
    }
    let items = later_items(&s, &later);
    let whence = if flag.is_some() { "--as-of" } else { "the file's as_of" };
    let day = detente_analysis::date_words(&date);
    let words = if counted.is_empty() {
        format!("As of {day} ({whence}): nothing in the file is dated later.")
    } else {
        let last = items.iter().map(|x| x.date.as_str()).max().unwrap_or("");
        format!(
            "As of {day} ({whence}): left out as later {}, dated up to {}.",
            detente_words::and_list(&counted),
            detente_analysis::date_words(last)
        )
    };
    let json = serde_json::json!({
        "as_of": date,
        "from_flag": flag.is_some(),
        "proposals": ids,
        "revisions": later.revisions.len(),
        "events": later.events.len(),
        "items": items
            .iter()
            .map(|x| serde_json::json!({ "kind": x.kind, "what": x.what, "date": x.date }))
            .collect::<Vec<_>>(),
    });
    Ok((snap, Some(LeftOut { words, json, items })))
}

/// The index of a proposal by id, or a message listing the ids there are.
pub fn proposal(s: &Scenario, id: &str) -> Result<usize, BadInput> {
    s.proposal_index(id).ok_or_else(|| {
        let ids: Vec<&str> = s.proposals().iter().map(|p| p.id.as_str()).collect();
        BadInput(format!(
            "unknown proposal {id:?} in scenario {} (proposals: {})",
            s.meta().name,
            if ids.is_empty() { "none".to_string() } else { ids.join(", ") }
        ))
    })
}

/// The index of a party by id, or a message listing the ids there are.
pub fn party(s: &Scenario, id: &str) -> Result<usize, BadInput> {
    s.party_index(id).ok_or_else(|| {
        let ids: Vec<&str> = s.parties().iter().map(|p| p.id.as_str()).collect();
        BadInput(format!(
            "unknown party {id:?} in scenario {} (parties: {})",
            s.meta().name,
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
    let mut named = vec![false; s.parties().len()];
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

/// The bargaining powers of `--power` for the counted `parties` (in their order):
/// `capability` (each party's capability in the scenario) or `a=0.5,b=0.3,...` naming every
/// counted party once, each a finite number > 0 and at most 1e9 (any scale: only the ratios
/// count).
pub fn power(s: &Scenario, parties: &[usize], spec: &str) -> Result<Vec<f64>, BadInput> {
    let id = |p: usize| s.parties()[p].id.as_str();
    if spec == "capability" {
        return parties
            .iter()
            .map(|&p| {
                let c = s.parties()[p].capability;
                if c.is_finite() && c > 0.0 {
                    Ok(c)
                } else {
                    Err(BadInput(format!(
                        "--power capability: party {:?} has capability {c}; a bargaining power must be > 0 (name the powers with --power a=0.5,b=0.3,...)",
                        id(p)
                    )))
                }
            })
            .collect();
    }
    let mut power: Vec<Option<f64>> = vec![None; parties.len()];
    for part in spec.split(',') {
        let Some((name, value)) = part.split_once('=') else {
            return Err(BadInput(format!(
                "--power: expected `capability` or `party=number,...`, found {part:?}"
            )));
        };
        let (name, value) = (name.trim(), value.trim());
        let p = party(s, name).map_err(|e| BadInput(format!("--power: {e}")))?;
        let Some(k) = parties.iter().position(|&q| q == p) else {
            return Err(BadInput(format!(
                "--power: party {name:?} is not counted (see --parties)"
            )));
        };
        let x: f64 = value.parse().ok().filter(|x: &f64| x.is_finite() && *x > 0.0 && *x <= 1e9).ok_or_else(|| {
            BadInput(format!("--power: {name}={value}: a bargaining power must be a number > 0 and at most 1e9"))
        })?;
        if power[k].replace(x).is_some() {
            return Err(BadInput(format!("--power: party {name:?} is named twice")));
        }
    }
    let missing: Vec<&str> =
        parties.iter().zip(&power).filter(|(_, x)| x.is_none()).map(|(&p, _)| id(p)).collect();
    if !missing.is_empty() {
        return Err(BadInput(format!(
            "--power: every counted party needs a power; missing {}",
            missing.join(", ")
        )));
    }
    Ok(power.into_iter().flatten().collect())
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

/// Loads a scenario, a GENIUS folder or a NegMAS JSON domain (`-`: standard input).
pub fn any(arg: &str) -> Result<Scenario, LoadError> {
    let path = Path::new(arg);
    if arg != STDIN && path.is_dir() {
        let files = genius_files(arg)?;
        return detente_scenario::import::genius(arg, &files).map_err(LoadError::Invalid);
    }
    if arg != STDIN && !path.exists() {
        return scenario(arg);
    }
    let bytes = read(arg)?;
    match detente_scenario::sniff(shown(arg), &bytes) {
        InputKind::NegmasJson => {
            detente_scenario::import::negmas_json(shown(arg), &bytes).map_err(LoadError::Invalid)
        }
        InputKind::Scenario(format) => {
            detente_scenario::parse(shown(arg), &bytes, format).map_err(LoadError::Invalid)
        }
        kind => Err(not_a_scenario(arg, kind, true)),
    }
}

/// Loads a GENIUS folder (for `detente import genius`).
pub fn genius(dir: &str) -> Result<Scenario, LoadError> {
    let path = Path::new(dir);
    if !path.exists() {
        return Err(LoadError::Unreadable(format!(
            "{dir}: no such folder (a GENIUS domain is a folder of XML files)"
        )));
    }
    if !path.is_dir() {
        let kind = std::fs::read(path).map(|b| detente_scenario::sniff(dir, &b));
        let hint = match kind {
            Ok(InputKind::NegmasJson) => {
                format!("; it is a NegMAS JSON domain: run `detente import json {dir}`")
            }
            Ok(InputKind::GeniusXml) => "; give the folder that holds it".to_string(),
            _ => String::new(),
        };
        return Err(LoadError::Unreadable(format!(
            "{dir}: not a folder (a GENIUS domain is a folder of XML files){hint}"
        )));
    }
    let files = genius_files(dir)?;
    detente_scenario::import::genius(dir, &files).map_err(LoadError::Invalid)
}

/// Loads a NegMAS plain JSON domain (for `detente import json`; `-`: standard input).
pub fn negmas_json(file: &str) -> Result<Scenario, LoadError> {
    let bytes = if file == STDIN {
        read(file)?
    } else {
        std::fs::read(file).map_err(|e| {
            LoadError::Unreadable(match e.kind() {
                std::io::ErrorKind::NotFound => format!("{file}: no such file"),
                _ => format!("{file}: cannot read: {e}"),
            })
        })?
    };
    detente_scenario::import::negmas_json(shown(file), &bytes).map_err(LoadError::Invalid)
}
