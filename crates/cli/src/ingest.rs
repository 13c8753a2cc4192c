//! `detente ingest FILE ARTICLE.txt`: candidate evidence from a news article
//! (`detente_scenario::ingest` reads it), printed for the analyst to confirm, or appended
//! to the scenario file as unconfirmed candidates with `--write`.

use std::path::Path;

use detente_core::Scenario;
use detente_scenario::ingest::{
    Article, Candidate, DateFrom, SpeakerFrom, candidates_toml, cue_words, day_text, read_article,
};
use serde_json::{Value, json};

use crate::BadInput;
use crate::printer::Report;

/// What was proposed, and whether it was written.
pub struct Ingest {
    scenario: Scenario,
    article: Article,
    /// The article's name as given.
    name: String,
    /// Where the article's date came from: `--date`, or none.
    toml: String,
    /// The scenario file the candidates were appended to, with `--write`.
    written: Option<String>,
}

/// Reads the article at `path` against the scenario `s` (loaded from `file`), dated `date`
/// (`--date`); with `write`, appends the candidates to `file`, a TOML scenario file, once
/// the file with them reads back as the same scenario.
pub fn ingest(
    file: &str,
    s: Scenario,
    path: &str,
    date: Option<&str>,
    write: bool,
) -> Result<Ingest, BadInput> {
    let day = match date {
        None => None,
        Some(d) => Some(
            detente_core::day(d)
                .ok_or_else(|| BadInput(format!("--date {d}: not a day (write YYYY-MM-DD)")))?,
        ),
    };
    if write {
        writable(file)?;
    }
    let p = Path::new(path);
    if p.is_dir() {
        return Err(BadInput(format!("{path}: is a folder; give the article's text file")));
    }
    let bytes = std::fs::read(p).map_err(|e| {
        BadInput(match e.kind() {
            std::io::ErrorKind::NotFound => format!("{path}: no such file"),
            _ => format!("{path}: cannot read: {e}"),
        })
    })?;
    let text = crate::load::utf8(path, bytes)?;
    let article = read_article(path, &text, &s, day).map_err(|e| BadInput(e.to_string()))?;
    let toml = candidates_toml(&article, &s, path);
    let mut out = Ingest { scenario: s, article, name: path.to_string(), toml, written: None };
    if write && !out.article.candidates.is_empty() {
        append(file, &out)?;
        out.written = Some(file.to_string());
    }
    Ok(out)
}

/// Whether `--write` can append to `file`: a TOML scenario file that exists (not a shipped
/// scenario's name, not standard input, not JSON).
fn writable(file: &str) -> Result<(), BadInput> {
    let p = Path::new(file);
    if file == crate::load::STDIN || !p.is_file() {
        return Err(BadInput(format!(
            "--write: {file} is not a scenario file on disk (a shipped scenario is not written: copy scenarios/{file}.toml of the detente sources, or your own scenario file, and ingest into that file)"
        )));
    }
    if detente_scenario::Format::from_path(file) != Some(detente_scenario::Format::Toml) {
        return Err(BadInput(format!(
            "--write: {file}: candidates are appended to TOML scenario files only (for JSON, add the candidates from --json yourself)"
        )));
    }
    Ok(())
}

/// Appends the candidates to the file, after checking that every candidate has a day and
/// that the file with them reads back as the same scenario (the candidates are checked
/// like the rest of the file, and change nothing until confirmed).
fn append(file: &str, out: &Ingest) -> Result<(), BadInput> {
    if out.article.candidates.iter().any(|c| c.day.is_none()) {
        return Err(BadInput(
            "--write: the article's date is not known and some sentences name no day: give --date"
                .to_string(),
        ));
    }
    let mut bytes =
        std::fs::read(file).map_err(|e| BadInput(format!("{file}: cannot read: {e}")))?;
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(out.toml.as_bytes());
    match detente_scenario::parse(file, &bytes, detente_scenario::Format::Toml) {
        Ok(back) if back == out.scenario => {}
        Ok(_) => {
            return Err(BadInput(format!(
                "--write: {file}: the candidates would change the scenario; nothing written (is this the file's scenario?)"
            )));
        }
        Err(e) => {
            let first = e.problems().first().map(|p| p.message.clone()).unwrap_or_default();
            let hint = if first.contains("duplicate source id") {
                " (this article's candidates are already in the file)"
            } else {
                ""
            };
            return Err(BadInput(format!(
                "--write: {file}: with the candidates the file would not read{hint}; nothing written:\n{e}"
            )));
        }
    }
    crate::output::write_file(Path::new(file), &bytes)
}

impl Ingest {
    fn party(&self, p: usize) -> &str {
        &self.scenario.parties()[p].id
    }

    fn date_words(&self, c: &Candidate) -> String {
        match c.day {
            Some((d, DateFrom::Text)) => format!("{} (named in the sentence)", day_text(d)),
            Some((d, DateFrom::Article)) => {
                format!("{} (the article's date: the sentence names no day)", day_text(d))
            }
            None => "unknown (the sentence names no day and no --date was given)".to_string(),
        }
    }

    fn candidate_text(&self, n: usize, c: &Candidate) -> String {
        let s = &self.scenario;
        let mut out = String::new();
        let who = match &c.speaker {
            Some(sp) => {
                let party = sp.party.map(|p| format!(" ({})", self.party(p))).unwrap_or_default();
                let how = match sp.from {
                    SpeakerFrom::Text => "",
                    SpeakerFrom::Pronoun => ", from a pronoun",
                };
                format!("{}{party}{how}", sp.name)
            }
            None => "no speaker given".to_string(),
        };
        let kind = if c.meeting { "a meeting" } else { "a statement" };
        out.push_str(&format!("{n}. Line {}, {kind}; speaker: {who}\n", c.line));
        if c.meeting {
            let ps: Vec<String> = c
                .participants
                .iter()
                .map(|p| match p.party {
                    Some(x) => format!("{} ({})", p.name, self.party(x)),
                    None => p.name.clone(),
                })
                .collect();
            out.push_str(&format!("   Participants: {}\n", ps.join(", ")));
        }
        let parties: Vec<String> = c
            .parties
            .iter()
            .map(|p| format!("{} ({})", self.party(p.index), quoted(&p.words)))
            .collect();
        out.push_str(&format!("   Parties named: {}\n", parties.join(", ")));
        let mut points: Vec<String> = c
            .issues
            .iter()
            .map(|i| {
                format!(
                    "{} {} ({})",
                    s.issues()[i.index].id,
                    s.issues()[i.index].name,
                    quoted(&i.words)
                )
            })
            .collect();
        if !c.plan.is_empty() {
            points.push(format!("the plan as a whole ({})", quoted(&c.plan)));
        }
        if !points.is_empty() {
            out.push_str(&format!("   Points named: {}\n", points.join("; ")));
        }
        out.push_str(&format!("   Day: {}\n", self.date_words(c)));
        let red = if c.red_line() { "; it sounds like a red line" } else { "" };
        out.push_str(&format!(
            "   Suggested reading: {}{}{red}\n",
            c.reading.as_str(),
            cue_words(&c.cues)
        ));
        for q in &c.quotes {
            out.push_str(&format!("   Quote: \u{201c}{q}\u{201d}\n"));
        }
        out.push_str(&format!("   Sentence: {}\n", c.sentence));
        out
    }
}

fn quoted(words: &[String]) -> String {
    words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
}

impl Report for Ingest {
    fn text(&self) -> String {
        let a = &self.article;
        let n = a.candidates.len();
        let mut out = format!(
            "{}: {} from {}. These are suggestions from keywords (the scenario's names and aliases, and cue words), not a reading of the text: check each against the article.\n",
            self.name,
            detente_words::count(n, "candidate", "candidates"),
            detente_words::count(a.sentences, "sentence", "sentences"),
        );
        let date = match a.date {
            Some(d) => format!("dated {} (--date)", day_text(d)),
            None => "undated (give --date to date the sentences that name no day)".to_string(),
        };
        out.push_str(&format!("Article: \"{}\", {date}.\n", a.title));
        for (k, c) in a.candidates.iter().enumerate() {
            out.push('\n');
            out.push_str(&self.candidate_text(k + 1, c));
        }
        if n == 0 {
            out.push_str(
                "\nNo sentence names both a party and a point (or the plan), and none reports a meeting: nothing to propose. Aliases in the scenario (docs/scenario-format.md) widen what is recognised.\n",
            );
            return out;
        }
        match &self.written {
            Some(file) => out.push_str(&format!(
                "\nAppended to {file} as unconfirmed candidates (`candidate = true`), which every command ignores: confirm one by deleting its `candidate = true` line (and the source's), and delete the ones you reject.\n"
            )),
            None => out.push_str(&format!(
                "\nNothing was changed. To keep them as unconfirmed candidates, which every command ignores until you confirm one by deleting its `candidate = true` line (and the source's), run again with --write, or append this to the scenario file:\n{}",
                self.toml
            )),
        }
        out
    }

    fn json(&self) -> Value {
        let a = &self.article;
        let s = &self.scenario;
        let candidates: Vec<Value> = a
            .candidates
            .iter()
            .map(|c| {
                json!({
                    "line": c.line,
                    "kind": if c.meeting { "meeting" } else { "statement" },
                    "sentence": c.sentence,
                    "quotes": c.quotes,
                    "speaker": c.speaker.as_ref().map(|sp| json!({
                        "name": sp.name,
                        "party": sp.party.map(|p| self.party(p)),
                        "from": match sp.from { SpeakerFrom::Text => "text", SpeakerFrom::Pronoun => "pronoun" },
                    })),
                    "participants": c.participants.iter().map(|p| json!({
                        "name": p.name,
                        "party": p.party.map(|x| self.party(x)),
                    })).collect::<Vec<_>>(),
                    "parties": c.parties.iter().map(|p| json!({
                        "party": self.party(p.index),
                        "words": p.words,
                    })).collect::<Vec<_>>(),
                    "issues": c.issues.iter().map(|i| json!({
                        "issue": s.issues()[i.index].id,
                        "words": i.words,
                    })).collect::<Vec<_>>(),
                    "plan": c.plan,
                    "reading": c.reading.as_str(),
                    "cues": c.cues.iter().map(|x| json!({
                        "words": x.words,
                        "suggests": x.kind.as_str(),
                    })).collect::<Vec<_>>(),
                    "red_line": c.red_line(),
                    "date": c.day.map(|(d, _)| day_text(d)),
                    "date_from": c.day.map(|(_, f)| match f { DateFrom::Text => "text", DateFrom::Article => "article" }),
                })
            })
            .collect();
        json!({
            "article": self.name,
            "title": a.title,
            "date": a.date.map(day_text),
            "sentences": a.sentences,
            "source": detente_scenario::ingest::source_id(a),
            "candidates": candidates,
            "toml": self.toml,
            "written": self.written,
            "note": "suggestions from keywords, not a reading of the text: check each against the article",
        })
    }
}
