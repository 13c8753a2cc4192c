//! The tournament JSON: what `detente tournament --json` prints and `--out` writes, and
//! what `tournament merge` reads back ([`to_json`], [`read_part`]).
//!
//! A part holds the tournament's identity (negotiators, each scenario's parties,
//! reservations, best utilities and issues, the session settings, repetitions, seed), the
//! shards it holds, the scores (rounded to 12 decimals, recomputed on reading) and every
//! session record. Session records keep their floats exact (shortest round-trip form), so
//! that merged parts give exactly the bytes of one run.
//!
//! [`read_part`] trusts nothing it reads: every field is checked (type, range, and
//! agreement with the rest: a session's place, negotiators and seed follow from its index,
//! its agreement must be an outcome of its scenario, its parties' counts must match), and
//! a problem is reported with the path of the field, e.g.
//! `sessions[3].negotiators[2]: negotiator 9 does not exist (3 negotiators)`.

use std::collections::HashMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::tournament::{IssueSpec, OptionsSpec, ScenarioSpec, Shards};
use crate::{
    Deadline, Error, ErrorKind, Score, SessionConfig, SessionRecord, Termination, TournamentResult,
    TournamentSpec, TournamentSummary, names,
};

/// Rounds to 12 decimals, as every number detente prints for machines.
fn round12(x: f64) -> Value {
    let r = (x * 1e12).round() / 1e12;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.is_finite() { json!(r) } else { json!(x) }
}

fn opt12(x: Option<f64>) -> Value {
    x.map_or(Value::Null, round12)
}

fn score_json(sc: &Score) -> Value {
    json!({
        "negotiator": sc.negotiator,
        "appearances": sc.appearances,
        "agreements": sc.agreements,
        "agreement_rate": round12(sc.agreement_rate),
        "mean_utility": opt12(sc.mean_utility),
        "mean_advantage": opt12(sc.mean_advantage),
        "mean_rescaled_utility": opt12(sc.mean_rescaled_utility),
        "rescaled_appearances": sc.rescaled_appearances,
        "mean_welfare": opt12(sc.mean_welfare),
        "mean_distance_to_nash": opt12(sc.mean_nash_distance),
        "mean_distance_to_pareto": opt12(sc.mean_pareto_distance),
    })
}

fn overall_json(sc: &Score) -> Value {
    json!({
        "negotiator": sc.negotiator,
        "appearances": sc.appearances,
        "agreements": sc.agreements,
        "agreement_rate": round12(sc.agreement_rate),
        "mean_rescaled_utility": opt12(sc.mean_rescaled_utility),
        "rescaled_appearances": sc.rescaled_appearances,
    })
}

fn scenario_json(sc: &ScenarioSpec) -> Value {
    json!({
        "name": sc.name,
        "fingerprint": format!("{:016x}", sc.fingerprint),
        "parties": sc.parties.len(),
        "party_ids": sc.parties,
        "reservations": sc.reservations,
        "best": sc.best,
        "outcomes": sc.outcomes,
        "issues": sc.issues.iter().map(|i| match &i.options {
            OptionsSpec::Discrete(ids) => json!({"id": i.id, "options": ids}),
            OptionsSpec::Scale { min, max, step } => {
                json!({"id": i.id, "scale": {"min": min, "max": max, "step": step}})
            }
        }).collect::<Vec<_>>(),
    })
}

fn agreement_json(sc: &ScenarioSpec, id: u64) -> Value {
    let mut map = Map::new();
    for (issue, k) in sc.issues.iter().zip(sc.decode(id)) {
        let term = match &issue.options {
            OptionsSpec::Discrete(ids) => json!(ids[k]),
            OptionsSpec::Scale { .. } => json!(issue.options.scale_value(k)),
        };
        map.insert(issue.id.clone(), term);
    }
    Value::Object(map)
}

/// A termination as JSON, the one spelling of it (`simulate --json` and the tournament JSON
/// both write it): `{"kind": "agreement" | "deadline" | "ended" | "error", "party"?: party
/// id, "message"?}`, with the party named by its id in `party_ids` (the session's parties,
/// in order), never by its index.
pub fn termination_json(t: &Termination, party_ids: &[String]) -> Value {
    let id = |p: &usize| party_ids.get(*p).cloned();
    match t {
        Termination::Agreement => json!({"kind": "agreement"}),
        Termination::Deadline => json!({"kind": "deadline"}),
        Termination::EndedBy(p) => json!({"kind": "ended", "party": id(p)}),
        Termination::NegotiatorError { party, message } => {
            json!({"kind": "error", "party": id(party), "message": message})
        }
    }
}

/// The tournament as JSON (see `docs/cli.md`): its identity, the shards held, the scores
/// and every session.
pub fn to_json(result: &TournamentResult) -> Value {
    let spec = &result.spec;
    let mut part = head_json(&result.summary());
    let sessions = result.records.iter().map(|r| session_json(spec, r)).collect();
    part.insert("sessions".to_string(), Value::Array(sessions));
    Value::Object(part)
}

/// Everything of a part but its sessions.
fn head_json(summary: &TournamentSummary) -> Map<String, Value> {
    let spec = &summary.spec;
    let sc = &summary.scores;
    let head = json!({
        "tournament": {
            "negotiators": spec.negotiators,
            "scenarios": spec.scenarios.iter().map(scenario_json).collect::<Vec<_>>(),
            "mechanism": spec.session.mechanism.name(),
            "steps": spec.session.deadline.n_steps,
            "time_limit": spec.session.deadline.time_limit,
            "step_duration": spec.session.deadline.step_duration,
            "repetitions": spec.repetitions,
            "seed": spec.seed,
        },
        "total_sessions": summary.total_sessions,
        "complete": summary.is_complete(),
        "shards": { "count": summary.shards.count, "held": summary.shards.held },
        "missing_shards": summary.shards.missing(),
        "scores": sc.overall.iter().map(overall_json).collect::<Vec<_>>(),
        "scenario_scores": spec.scenarios.iter().zip(&sc.by_scenario).map(|(s, table)| json!({
            "scenario": s.name,
            "scores": table.iter().map(score_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    match head {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// One session record of a part.
fn session_json(spec: &TournamentSpec, r: &SessionRecord) -> Value {
    let empty = ScenarioSpec {
        name: String::new(),
        parties: vec![],
        reservations: vec![],
        best: vec![],
        issues: vec![],
        outcomes: 0,
        fingerprint: 0,
    };
    let s = spec.scenarios.get(r.scenario).unwrap_or(&empty);
    json!({
        "index": r.index,
        "scenario": r.scenario,
        "combination": r.combination,
        "negotiators": r.negotiators,
        "repetition": r.repetition,
        "seed": r.seed,
        "termination": termination_json(&r.termination, &s.parties),
        "agreement": r.agreement.map(|id| agreement_json(s, id)),
        "utilities": r.utilities,
        "reservations": r.reservations,
        "steps": r.steps,
        "distance_to_pareto": r.pareto_distance,
        "distance_to_nash": r.nash_distance,
    })
}

/// The text of a tournament part, written session by session: exactly
/// `serde_json::to_string_pretty(&part_json(result))` of the result whose sessions were
/// pushed (in index order), without building a JSON value of the part or of any session
/// ([`PartText::write_session`] writes a session's text directly). It holds the sessions'
/// text, about 650 bytes a session; a caller that writes the part elsewhere (a file, a
/// stream) writes each session where it wants and puts a [`PartFrame`] around them.
///
/// ```
/// # use std::sync::Arc;
/// # use detente_core::*;
/// # use detente_sim::*;
/// # let parties = vec![
/// #     Party::new("a", "A", Role::Principal, 1.0, 0.2),
/// #     Party::new("b", "B", Role::Principal, 1.0, 0.2),
/// # ];
/// # let issues = vec![Issue::discrete("share", "A's share", &["0", "1", "2", "3"])];
/// # let stances = vec![
/// #     vec![Some(Stance::values(1.0, vec![0.0, 0.3, 0.7, 1.0]))],
/// #     vec![Some(Stance::values(1.0, vec![1.0, 0.7, 0.3, 0.0]))],
/// # ];
/// # let s = Scenario::new(Meta::named("split"), parties, issues, stances, vec![], vec![])?;
/// let domains = [Arc::new(Domain::new(Arc::new(s))?)];
/// let config = TournamentConfig {
///     negotiators: vec!["linear".into(), "hardliner".into()],
///     session: SessionConfig::sao(20),
///     repetitions: 2,
///     seed: 3,
///     threads: 2,
///     shard: Shard { index: 1, count: 2 },
/// };
/// // Each session's text is written on the thread that ran it, and kept in index order.
/// let mut text = PartText::new();
/// let summary =
///     tournament_each(&domains, &config, &|_| {}, &PartText::session, &mut |_, t| text.push(&t))?;
/// let part = text.finish(&summary);
/// let result = tournament(&domains, &config, &|_| {})?;
/// assert_eq!(part, serde_json::to_string_pretty(&part_json(&result))?);
/// assert_eq!(read_part(&part)?, result);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PartText {
    /// The sessions' text so far, separated by [`PartFrame::SEPARATOR`].
    sessions: String,
}

impl PartText {
    /// No session yet.
    pub fn new() -> PartText {
        PartText::default()
    }

    /// A session's text as it stands in a part (pretty, indented to its depth), as
    /// [`PartText::write_session`] writes it.
    pub fn session(spec: &TournamentSpec, record: &SessionRecord) -> String {
        let mut text = Vec::with_capacity(768);
        PartText::write_session(spec, record, &mut text);
        // Only JSON text, from strings and numbers, was written.
        String::from_utf8(text).unwrap_or_default()
    }

    /// Appends a session's text as it stands in a part (pretty, indented to its depth) to
    /// `out`: the bytes `serde_json::to_string_pretty` writes of its JSON value, indented
    /// to its place in the list `sessions`, written field by field (the keys in their sorted
    /// order) without building the value.
    pub fn write_session(spec: &TournamentSpec, r: &SessionRecord, out: &mut Vec<u8>) {
        let s = spec.scenarios.get(r.scenario);
        let mut w = Pretty { out, depth: 2 };
        w.indent();
        w.open('{');
        w.key("agreement");
        match (r.agreement, s) {
            (None, _) => w.raw("null"),
            (Some(id), Some(sc)) => {
                // A JSON object's keys are sorted (the last of equal ids wins, as in a map).
                let mut terms: Vec<(&str, &IssueSpec, usize)> = sc
                    .issues
                    .iter()
                    .zip(sc.decode(id))
                    .map(|(issue, k)| (issue.id.as_str(), issue, k))
                    .collect();
                terms.sort_by(|a, b| a.0.cmp(b.0));
                terms.dedup_by(|later, earlier| {
                    let same = later.0 == earlier.0;
                    if same {
                        std::mem::swap(later, earlier);
                    }
                    same
                });
                w.list('{', '}', terms.len(), |w, n| {
                    let (key, issue, k) = terms[n];
                    w.string(key);
                    w.raw(": ");
                    match &issue.options {
                        OptionsSpec::Discrete(ids) => w.string(&ids[k]),
                        OptionsSpec::Scale { .. } => w.opt_f64(issue.options.scale_value(k)),
                    }
                });
            }
            (Some(_), None) => w.raw("{}"),
        }
        w.key("combination");
        w.number(r.combination as u64);
        w.key("distance_to_nash");
        w.opt_f64(r.nash_distance);
        w.key("distance_to_pareto");
        w.opt_f64(r.pareto_distance);
        w.key("index");
        w.number(r.index as u64);
        w.key("negotiators");
        w.list('[', ']', r.negotiators.len(), |w, n| w.number(r.negotiators[n] as u64));
        w.key("repetition");
        w.number(u64::from(r.repetition));
        w.key("reservations");
        w.list('[', ']', r.reservations.len(), |w, n| w.opt_f64(Some(r.reservations[n])));
        w.key("scenario");
        w.number(r.scenario as u64);
        w.key("seed");
        w.number(r.seed);
        w.key("steps");
        w.number(u64::from(r.steps));
        w.key("termination");
        let parties = s.map_or(&[][..], |sc| &sc.parties[..]);
        let party = |p: &usize| parties.get(*p).map(String::as_str);
        let (kind, message, who) = match &r.termination {
            Termination::Agreement => ("agreement", None, None),
            Termination::Deadline => ("deadline", None, None),
            Termination::EndedBy(p) => ("ended", None, Some(party(p))),
            Termination::NegotiatorError { party: p, message } => {
                ("error", Some(message.as_str()), Some(party(p)))
            }
        };
        let fields = 1 + usize::from(message.is_some()) + usize::from(who.is_some());
        w.list('{', '}', fields, |w, n| match n {
            0 => {
                w.raw("\"kind\": ");
                w.string(kind);
            }
            1 if message.is_some() => {
                w.raw("\"message\": ");
                w.string(message.unwrap_or_default());
            }
            _ => {
                w.raw("\"party\": ");
                match who.flatten() {
                    Some(id) => w.string(id),
                    None => w.raw("null"),
                }
            }
        });
        w.key("utilities");
        w.list('[', ']', r.utilities.len(), |w, n| w.opt_f64(Some(r.utilities[n])));
        w.close('}');
    }

    /// The text of `records`, in order, as a part holds them: each as
    /// [`PartText::write_session`] writes it, after [`PartFrame::SEPARATOR`] unless it is the
    /// part's first (the first of `records` when `first`). `records` are split in
    /// `outs.len()` runs of nearly equal length, each written into its `outs` (cleared first)
    /// on a thread of its own: the text is `outs` one after another.
    pub fn write_sessions(
        spec: &TournamentSpec,
        records: &[SessionRecord],
        first: bool,
        outs: &mut [Vec<u8>],
    ) {
        on_threads(records, first, outs, || (), |r, (), out| PartText::write_session(spec, r, out));
    }

    /// [`PartText::write_sessions`] of records packed ([`SessionRecord::pack`]), each of
    /// `packed` one record, unpacked on the threads writing them: false (the text then
    /// unspecified) when one is not a record.
    pub fn write_packed(
        spec: &TournamentSpec,
        packed: &[&[u8]],
        first: bool,
        outs: &mut [Vec<u8>],
    ) -> bool {
        let whole = std::sync::atomic::AtomicBool::new(true);
        on_threads(packed, first, outs, SessionRecord::blank, |bytes, record, out| {
            if record.unpack_from(bytes) == Some(bytes.len()) {
                PartText::write_session(spec, record, out);
            } else {
                whole.store(false, std::sync::atomic::Ordering::Relaxed);
            }
        });
        whole.into_inner()
    }

    /// Appends the next session's text (from [`PartText::session`], in index order).
    pub fn push(&mut self, session: &str) {
        if !self.sessions.is_empty() {
            self.sessions.push_str(PartFrame::SEPARATOR);
        }
        self.sessions.push_str(session);
    }

    /// The whole part: `summary`'s identity, shards and scores, and the sessions pushed
    /// (those it counts), in their [`PartFrame`]. The sessions' text is not copied: the rest
    /// is put around it.
    pub fn finish(self, summary: &TournamentSummary) -> String {
        let frame = PartFrame::new(summary);
        let mut text = self.sessions;
        text.reserve_exact(frame.before.len() + frame.after.len());
        text.insert_str(0, &frame.before);
        text.push_str(&frame.after);
        text
    }
}

/// Writes `items` in `outs.len()` runs of nearly equal length, each into its `outs` (cleared
/// first) on a thread of its own (the first on this one), each item by `write` with the
/// thread's own scratch (from `scratch`) after [`PartFrame::SEPARATOR`], but the first item
/// when `first`.
fn on_threads<T: Sync, S>(
    items: &[T],
    first: bool,
    outs: &mut [Vec<u8>],
    scratch: impl Fn() -> S + Sync,
    write: impl Fn(&T, &mut S, &mut Vec<u8>) + Sync,
) {
    outs.iter_mut().for_each(Vec::clear);
    let per = items.len().div_ceil(outs.len().max(1)).max(1);
    let run = |k: usize, chunk: &[T], out: &mut Vec<u8>| {
        let mut s = scratch();
        for (j, item) in chunk.iter().enumerate() {
            if !(first && k == 0 && j == 0) {
                out.extend_from_slice(PartFrame::SEPARATOR.as_bytes());
            }
            write(item, &mut s, out);
        }
    };
    std::thread::scope(|s| {
        let mut runs = items.chunks(per).zip(outs.iter_mut()).enumerate();
        let here = runs.next();
        for (k, (chunk, out)) in runs {
            let run = &run;
            s.spawn(move || run(k, chunk, out));
        }
        if let Some((k, (chunk, out))) = here {
            run(k, chunk, out);
        }
    });
}

/// What a tournament part's text has around its sessions: the part is [`PartFrame::before`],
/// the sessions' text (each as [`PartText::write_session`] writes it) separated by
/// [`PartFrame::SEPARATOR`], then [`PartFrame::after`]; exactly
/// `serde_json::to_string_pretty(&part_json(result))` (no trailing newline). So a part can be
/// written to a file or a stream as its sessions finish, its scores (which come before the
/// sessions in the sorted keys) put in front at the end, without holding the sessions'
/// text in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartFrame {
    before: String,
    after: String,
}

impl PartFrame {
    /// Between two sessions' text.
    pub const SEPARATOR: &'static str = ",\n";

    /// The frame of the part that `summary` counts and scores: when it counts no session,
    /// `before` is the whole part and `after` is empty.
    pub fn new(summary: &TournamentSummary) -> PartFrame {
        let mut head = head_json(summary);
        head.insert("sessions".to_string(), Value::Array(vec![]));
        let head = serde_json::to_string_pretty(&Value::Object(head)).unwrap_or_default();
        // The key at the top level: two spaces after a newline, which no nested key and no
        // string (without raw newlines) has.
        let key = "\n  \"sessions\": []";
        match head.find(key) {
            Some(at) if summary.sessions > 0 => {
                let (before, after) = head.split_at(at + key.len() - 1);
                PartFrame { before: format!("{before}\n"), after: format!("\n  {after}") }
            }
            _ => PartFrame { before: head, after: String::new() },
        }
    }

    /// The text before the first session.
    pub fn before(&self) -> &str {
        &self.before
    }

    /// The text after the last session.
    pub fn after(&self) -> &str {
        &self.after
    }
}

/// Writes pretty JSON as `serde_json::to_string_pretty` does (two spaces an indent level),
/// value by value, its leaves (numbers and strings) by `serde_json` itself.
struct Pretty<'a> {
    out: &'a mut Vec<u8>,
    /// The depth of the value being written.
    depth: usize,
}

impl Pretty<'_> {
    fn raw(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket as u8);
        self.depth += 1;
    }

    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        self.out.push(b'\n');
        self.indent();
        self.out.push(bracket as u8);
    }

    /// The first key of an object opened opens its first line; a later one follows a comma.
    fn key(&mut self, key: &str) {
        if self.out.last() != Some(&b'{') {
            self.out.push(b',');
        }
        self.out.push(b'\n');
        self.indent();
        self.string(key);
        self.raw(": ");
    }

    /// A list or an object of `len` elements, each written by `item(self, n)` after its
    /// indentation (an object's items write their key): `[]` or `{}` when empty.
    fn list(
        &mut self,
        open: char,
        close: char,
        len: usize,
        mut item: impl FnMut(&mut Self, usize),
    ) {
        self.open(open);
        for n in 0..len {
            if n > 0 {
                self.out.push(b',');
            }
            self.out.push(b'\n');
            self.indent();
            item(self, n);
        }
        if len == 0 {
            self.depth -= 1;
            self.out.push(close as u8);
        } else {
            self.close(close);
        }
    }

    fn string(&mut self, s: &str) {
        let _ = serde_json::to_writer(&mut *self.out, s);
    }

    fn number(&mut self, x: u64) {
        let _ = serde_json::to_writer(&mut *self.out, &x);
    }

    /// A number, or `null` (also for a number that is not finite, as `json!` makes it).
    fn opt_f64(&mut self, x: Option<f64>) {
        match x {
            Some(x) if x.is_finite() => {
                let _ = serde_json::to_writer(&mut *self.out, &x);
            }
            _ => self.raw("null"),
        }
    }
}

/// A field being read: its value and its path for messages.
#[derive(Clone, Copy)]
struct At<'a> {
    v: &'a Value,
    path: &'a str,
}

fn fail<T>(path: &str, what: impl std::fmt::Display) -> Result<T, Error> {
    let place = if path.is_empty() { "the part".to_string() } else { path.to_string() };
    Err(Error::new(ErrorKind::InvalidPart, format!("{place}: {what}")))
}

impl<'a> At<'a> {
    fn object(self) -> Result<&'a Map<String, Value>, Error> {
        self.v.as_object().map_or_else(|| fail(self.path, "expected an object"), Ok)
    }

    fn array(self) -> Result<&'a Vec<Value>, Error> {
        self.v.as_array().map_or_else(|| fail(self.path, "expected a list"), Ok)
    }

    fn u64(self) -> Result<u64, Error> {
        self.v.as_u64().map_or_else(|| fail(self.path, "expected a whole number >= 0"), Ok)
    }

    fn usize(self) -> Result<usize, Error> {
        usize::try_from(self.u64()?).or_else(|_| fail(self.path, "too large"))
    }

    fn u32(self) -> Result<u32, Error> {
        u32::try_from(self.u64()?).or_else(|_| fail(self.path, "too large"))
    }

    fn f64(self) -> Result<f64, Error> {
        match self.v.as_f64() {
            Some(x) if x.is_finite() => Ok(x),
            _ => fail(self.path, "expected a finite number"),
        }
    }

    fn opt_f64(self) -> Result<Option<f64>, Error> {
        if self.v.is_null() { Ok(None) } else { self.f64().map(Some) }
    }

    fn str(self) -> Result<&'a str, Error> {
        self.v.as_str().map_or_else(|| fail(self.path, "expected a string"), Ok)
    }
}

/// Reads each element of a list field with `f(element, path)`.
fn list<'a, T>(at: At<'a>, mut f: impl FnMut(At<'_>) -> Result<T, Error>) -> Result<Vec<T>, Error> {
    let items = at.array()?;
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let path = format!("{}[{i}]", at.path);
        out.push(f(At { v, path: &path })?);
    }
    Ok(out)
}

/// Reads a field with `f`.
fn get<T>(at: At<'_>, key: &str, f: impl FnOnce(At<'_>) -> Result<T, Error>) -> Result<T, Error> {
    let map = at.object()?;
    let path = if at.path.is_empty() { key.to_string() } else { format!("{}.{key}", at.path) };
    match map.get(key) {
        Some(v) => f(At { v, path: &path }),
        None => fail(&path, "missing"),
    }
}

fn read_issue(at: At<'_>) -> Result<IssueSpec, Error> {
    let id = get(at, "id", |a| a.str().map(str::to_string))?;
    let map = at.object()?;
    let options = match (map.get("options"), map.get("scale")) {
        (Some(_), None) => {
            let ids = get(at, "options", |a| list(a, |o| o.str().map(str::to_string)))?;
            if ids.is_empty() {
                return fail(&format!("{}.options", at.path), "an issue needs at least one option");
            }
            let mut sorted: Vec<&String> = ids.iter().collect();
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return fail(&format!("{}.options", at.path), format!("option {:?} twice", w[0]));
            }
            OptionsSpec::Discrete(ids)
        }
        (None, Some(_)) => get(at, "scale", |a| {
            let min = get(a, "min", |x| x.f64())?;
            let max = get(a, "max", |x| x.f64())?;
            let step = get(a, "step", |x| x.f64())?;
            let o = OptionsSpec::Scale { min, max, step };
            if o.is_empty() {
                return fail(a.path, "not a scale: needs min <= max and step > 0");
            }
            Ok(o)
        })?,
        _ => return fail(at.path, "expected exactly one of \"options\" and \"scale\""),
    };
    Ok(IssueSpec { id, options })
}

fn read_scenario(at: At<'_>) -> Result<ScenarioSpec, Error> {
    let name = get(at, "name", |a| a.str().map(str::to_string))?;
    let fingerprint = get(at, "fingerprint", |a| {
        let s = a.str()?;
        match u64::from_str_radix(s, 16) {
            Ok(x) if s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(x),
            _ => fail(a.path, "expected 16 hexadecimal digits"),
        }
    })?;
    let n = get(at, "parties", |x| x.usize())?;
    let parties = get(at, "party_ids", |a| {
        let ids = list(a, |p| p.str().map(str::to_string))?;
        if ids.len() != n || n == 0 {
            return fail(a.path, format!("expected {n} party ids (\"parties\"), at least 1"));
        }
        Ok(ids)
    })?;
    let reservations = get(at, "reservations", |a| {
        let r = list(a, |x| x.f64())?;
        if r.len() != n {
            return fail(a.path, format!("expected {n} numbers, one per party"));
        }
        Ok(r)
    })?;
    let best = get(at, "best", |a| {
        let b = list(a, |x| x.opt_f64())?;
        if b.len() != n {
            return fail(a.path, format!("expected {n} numbers or nulls, one per party"));
        }
        Ok(b)
    })?;
    let issues = get(at, "issues", |a| list(a, read_issue))?;
    if issues.is_empty() {
        return fail(&format!("{}.issues()", at.path), "a scenario needs at least one issue");
    }
    let outcomes = get(at, "outcomes", |a| {
        let claimed = a.u64()?;
        let product = issues
            .iter()
            .try_fold(1u64, |acc, i| acc.checked_mul(i.options.len() as u64))
            .filter(|&p| p == claimed);
        match product {
            Some(_) => Ok(claimed),
            None => fail(a.path, "is not the product of the issues' option counts"),
        }
    })?;
    Ok(ScenarioSpec { name, parties, reservations, best, issues, outcomes, fingerprint })
}

fn read_spec(at: At<'_>) -> Result<TournamentSpec, Error> {
    let known = names();
    let negotiators = get(at, "negotiators", |a| {
        let list = list(a, |n| {
            let name = n.str()?;
            if !known.contains(&name) {
                return fail(n.path, format!("unknown negotiator {name:?}"));
            }
            Ok(name.to_string())
        })?;
        if list.is_empty() {
            return fail(a.path, "a tournament needs at least one negotiator");
        }
        Ok(list)
    })?;
    let scenarios = get(at, "scenarios", |a| {
        let list = list(a, read_scenario)?;
        if list.is_empty() {
            return fail(a.path, "a tournament needs at least one scenario");
        }
        Ok(list)
    })?;
    let mechanism = get(at, "mechanism", |a| {
        let name = a.str()?;
        crate::mechanism(name)
            .map_or_else(|| fail(a.path, format!("unknown mechanism {name:?}")), Ok)
    })?;
    let n_steps = get(at, "steps", |a| if a.v.is_null() { Ok(None) } else { a.u32().map(Some) })?;
    let time_limit = get(at, "time_limit", |x| x.opt_f64())?;
    let step_duration = get(at, "step_duration", |x| x.f64())?;
    let session =
        SessionConfig { mechanism, deadline: Deadline { n_steps, time_limit, step_duration } };
    if let Err(e) = session.check() {
        return fail(at.path, e.message());
    }
    let repetitions = get(at, "repetitions", |a| match a.u32()? {
        0 => fail(a.path, "at least 1"),
        r => Ok(r),
    })?;
    let seed = get(at, "seed", |x| x.u64())?;
    Ok(TournamentSpec { negotiators, scenarios, session, repetitions, seed })
}

fn read_agreement(at: At<'_>, sc: &ScenarioSpec) -> Result<u64, Error> {
    let map = at.object()?;
    if map.len() != sc.issues.len() {
        return fail(at.path, format!("expected one term for each of {} issues", sc.issues.len()));
    }
    let mut options = Vec::with_capacity(sc.issues.len());
    for issue in &sc.issues {
        let k = get(at, &issue.id, |a| match &issue.options {
            OptionsSpec::Discrete(ids) => {
                let id = a.str()?;
                ids.iter()
                    .position(|o| o == id)
                    .map_or_else(|| fail(a.path, format!("no option {id:?}")), Ok)
            }
            OptionsSpec::Scale { min, step, .. } => {
                let x = a.f64()?;
                let n = issue.options.len();
                let guess = ((x - min) / step).round();
                let guess = if guess.is_finite() && guess > 0.0 { guess as usize } else { 0 };
                (guess.saturating_sub(1)..=guess.saturating_add(1))
                    .find(|&k| k < n && issue.options.scale_value(k) == Some(x))
                    .map_or_else(|| fail(a.path, format!("{x} is not a point of the scale")), Ok)
            }
        })?;
        options.push(k);
    }
    sc.encode(&options).map_or_else(|| fail(at.path, "not an outcome of the scenario"), Ok)
}

fn read_termination(at: At<'_>, sc: &ScenarioSpec) -> Result<Termination, Error> {
    let party = || {
        get(at, "party", |a| {
            let id = a.str()?;
            sc.parties
                .iter()
                .position(|p| p == id)
                .map_or_else(|| fail(a.path, format!("no party {id:?} in {}", sc.name)), Ok)
        })
    };
    let kind = get(at, "kind", |a| a.str().map(str::to_string))?;
    Ok(match kind.as_str() {
        "agreement" => Termination::Agreement,
        "deadline" => Termination::Deadline,
        "ended" => Termination::EndedBy(party()?),
        "error" => Termination::NegotiatorError {
            party: party()?,
            message: get(at, "message", |a| a.str().map(str::to_string))?,
        },
        other => {
            return fail(
                &format!("{}.kind", at.path),
                format!("unknown termination {other:?} (agreement, deadline, ended or error)"),
            );
        }
    })
}

fn read_session(at: At<'_>, spec: &TournamentSpec, total: usize) -> Result<SessionRecord, Error> {
    let index = get(at, "index", |a| match a.usize()? {
        i if i < total => Ok(i),
        i => fail(a.path, format!("session {i} does not exist ({total} sessions)")),
    })?;
    let Some(place) = spec.session(index) else {
        return fail(at.path, "no such session");
    };
    let expect = |key: &str, got: u64, want: u64| -> Result<(), Error> {
        if got == want {
            Ok(())
        } else {
            fail(
                &format!("{}.{key}", at.path),
                format!("session {index} has {key} {want}, not {got}"),
            )
        }
    };
    expect("scenario", get(at, "scenario", |x| x.u64())?, place.scenario as u64)?;
    expect("combination", get(at, "combination", |x| x.u64())?, place.combination as u64)?;
    expect("repetition", get(at, "repetition", |x| x.u64())?, u64::from(place.repetition))?;
    expect("seed", get(at, "seed", |x| x.u64())?, place.seed)?;
    let k = spec.negotiators.len();
    let negotiators = get(at, "negotiators", |a| {
        let who = list(a, |j| match j.usize()? {
            j2 if j2 < k => Ok(j2),
            j2 => fail(j.path, format!("negotiator {j2} does not exist ({k} negotiators)")),
        })?;
        if who != place.negotiators {
            return fail(
                a.path,
                format!("session {index} is played by negotiators {:?}", place.negotiators),
            );
        }
        Ok(who)
    })?;
    let sc = &spec.scenarios[place.scenario];
    let n = sc.parties.len();
    let numbers = |key: &str| {
        get(at, key, |a| {
            let xs = list(a, |x| x.f64())?;
            if xs.len() != n {
                return fail(a.path, format!("expected {n} numbers, one per party"));
            }
            Ok(xs)
        })
    };
    let utilities = numbers("utilities")?;
    let reservations = numbers("reservations")?;
    if reservations != sc.reservations {
        return fail(
            &format!("{}.reservations", at.path),
            format!("differ from the reservations of scenario {}", sc.name),
        );
    }
    let termination = get(at, "termination", |a| read_termination(a, sc))?;
    let agreement = get(at, "agreement", |a| {
        if a.v.is_null() { Ok(None) } else { read_agreement(a, sc).map(Some) }
    })?;
    if (termination == Termination::Agreement) != agreement.is_some() {
        return fail(
            &format!("{}.agreement", at.path),
            "an agreement is given exactly when the session ended in agreement",
        );
    }
    if agreement.is_none() && utilities != reservations {
        return fail(
            &format!("{}.utilities", at.path),
            "without agreement every party gets its reservation",
        );
    }
    let steps = get(at, "steps", |a| {
        let s = a.u32()?;
        if u64::from(s) > spec.session.deadline.max_steps() + 1 {
            return fail(a.path, "more steps than the deadline allows");
        }
        Ok(s)
    })?;
    let distance = |key: &str| {
        get(at, key, |a| match a.opt_f64()? {
            Some(d) if d < 0.0 => fail(a.path, "a distance is >= 0"),
            d => Ok(d),
        })
    };
    Ok(SessionRecord {
        index,
        scenario: place.scenario,
        combination: place.combination,
        negotiators,
        repetition: place.repetition,
        seed: place.seed,
        termination,
        agreement,
        utilities,
        reservations,
        steps,
        pareto_distance: distance("distance_to_pareto")?,
        nash_distance: distance("distance_to_nash")?,
    })
}

fn read_shards(at: At<'_>) -> Result<Shards, Error> {
    let count = get(at, "count", |a| match a.u32()? {
        0 => fail(a.path, "at least 1"),
        c => Ok(c),
    })?;
    let held = get(at, "held", |a| {
        let held = list(a, |k| match k.u32()? {
            i if i < count => Ok(i),
            i => fail(k.path, format!("shard {i} does not exist ({count} shards)")),
        })?;
        if held.is_empty() || held.windows(2).any(|w| w[0] >= w[1]) {
            return fail(a.path, "expected shard numbers, ascending, without repeats");
        }
        Ok(held)
    })?;
    Ok(Shards { count, held })
}

/// Reads a tournament part written by [`to_json`], checking every field; the scores in it
/// are ignored (they follow from the sessions). The sessions are read one at a time from
/// the text: the memory is the records read, not a JSON value of the whole part. Errors
/// (kind [`ErrorKind::InvalidPart`]) name the field at fault, or the line and column of a
/// JSON syntax error.
pub fn read_part(text: &str) -> Result<TournamentResult, Error> {
    let not_json = |e: serde_json::Error| {
        Error::new(
            ErrorKind::InvalidPart,
            format!("line {} column {}: not JSON: {e}", e.line(), e.column()),
        )
    };
    // The top object's fields, each left as its text (checked JSON): the sessions are read
    // one at a time, so that no value of the whole part is built.
    let fields: HashMap<String, &RawValue> = match serde_json::from_str(text) {
        Ok(fields) => fields,
        Err(e) if e.is_data() => {
            // Not an object; a syntax error, if any, is the thing to say.
            serde_json::from_str::<Value>(text).map_err(not_json)?;
            return fail("", "expected an object");
        }
        Err(e) => return Err(not_json(e)),
    };
    let mut head = Map::new();
    for (key, raw) in fields.iter().filter(|(key, _)| key.as_str() != "sessions") {
        head.insert(key.clone(), serde_json::from_str(raw.get()).map_err(not_json)?);
    }
    let head = Value::Object(head);
    let top = At { v: &head, path: "" };
    let spec = get(top, "tournament", read_spec)?;
    let total = match spec.total_sessions() {
        Ok(t) => t,
        Err(e) => return fail("tournament", e.message()),
    };
    get(top, "total_sessions", |a| match a.usize()? {
        t if t == total => Ok(()),
        t => fail(a.path, format!("the tournament described has {total} sessions, not {t}")),
    })?;
    let shards = get(top, "shards", read_shards)?;
    if shards.count as usize > total.max(1) {
        return fail(
            "shards.count",
            format!("a tournament of {total} sessions has at most that many shards"),
        );
    }
    let expected = shards.sessions_of(total);
    let Some(sessions) = fields.get("sessions") else {
        return fail("sessions", "missing");
    };
    let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(sessions.get()) else {
        return fail("sessions", "expected a list");
    };
    if items.len() != expected {
        return fail(
            "sessions",
            format!("the shards held have {expected} sessions; {} are given", items.len()),
        );
    }
    let mut records: Vec<SessionRecord> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("sessions[{i}]");
        let v: Value = serde_json::from_str(item.get()).map_err(not_json)?;
        let r = read_session(At { v: &v, path: &path }, &spec, total)?;
        if !shards.contains(r.index) {
            return fail(&path, format!("session {} is not in the shards held", r.index));
        }
        if records.last().is_some_and(|last| last.index >= r.index) {
            return fail(&path, "sessions must be in ascending order of index, without repeats");
        }
        records.push(r);
    }
    let shards = if shards.missing().is_empty() { Shards::all() } else { shards };
    Ok(TournamentResult { spec, total_sessions: total, shards, records })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_termination_names_its_party_by_id_and_reads_back() {
        let sc = ScenarioSpec {
            name: "t".into(),
            parties: vec!["a".into(), "b".into()],
            reservations: vec![0.0, 0.0],
            best: vec![None, None],
            issues: vec![],
            outcomes: 1,
            fingerprint: 0,
        };
        let cases = [
            (Termination::Agreement, json!({"kind": "agreement"})),
            (Termination::Deadline, json!({"kind": "deadline"})),
            (Termination::EndedBy(1), json!({"kind": "ended", "party": "b"})),
            (
                Termination::NegotiatorError { party: 0, message: "boom".into() },
                json!({"kind": "error", "party": "a", "message": "boom"}),
            ),
        ];
        for (t, want) in cases {
            let v = termination_json(&t, &sc.parties);
            assert_eq!(v, want);
            assert_eq!(read_termination(At { v: &v, path: "termination" }, &sc), Ok(t));
        }
    }

    /// A session's text as the JSON value of it, pretty, indented to its depth: what
    /// [`PartText::write_session`] must write.
    fn via_value(spec: &TournamentSpec, r: &SessionRecord) -> String {
        let pretty = serde_json::to_string_pretty(&session_json(spec, r)).unwrap();
        pretty.split('\n').map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
    }

    /// Written field by field, a session is the text of its JSON value, whatever it holds:
    /// every kind of ending, terms on options and scales, ids that need escaping or repeat,
    /// numbers that are not finite, no issue or no scenario at all.
    #[test]
    fn a_session_is_written_as_its_json_value() {
        let issue = |id: &str, options| IssueSpec { id: id.into(), options };
        let discrete =
            |ids: &[&str]| OptionsSpec::Discrete(ids.iter().map(|o| o.to_string()).collect());
        let scenario = |issues: Vec<IssueSpec>| ScenarioSpec {
            name: "s".into(),
            parties: vec!["a".into(), "b \"q\"\n".into(), "\u{e9}t\u{e9}".into()],
            reservations: vec![0.25, 0.5, 0.0],
            best: vec![Some(1.0), None, Some(0.5)],
            outcomes: issues.iter().map(|i| i.options.len() as u64).product(),
            issues,
            fingerprint: 7,
        };
        let spec = TournamentSpec {
            negotiators: vec!["boulware".into(), "linear".into()],
            scenarios: vec![
                scenario(vec![
                    issue("zeta", discrete(&["x", "y\\z", "\u{1f600}"])),
                    issue("alpha", OptionsSpec::Scale { min: -1.5, max: 2.0, step: 0.5 }),
                    issue("mid", discrete(&["only"])),
                ]),
                scenario(vec![
                    issue("dup", discrete(&["p", "q"])),
                    issue("dup", discrete(&["r", "s"])),
                ]),
                scenario(vec![]),
            ],
            session: SessionConfig::sao(10),
            repetitions: 1,
            seed: 0,
        };
        let record = |scenario, termination, agreement, utilities: Vec<f64>| SessionRecord {
            index: 12_345,
            scenario,
            combination: 3,
            negotiators: vec![1, 0, 1],
            repetition: 4_000_000_000,
            seed: u64::MAX,
            termination,
            agreement,
            reservations: vec![0.25, 0.5, 0.0],
            utilities,
            steps: 99,
            pareto_distance: Some(0.1 + 0.2),
            nash_distance: None,
        };
        let error =
            |party, message: &str| Termination::NegotiatorError { party, message: message.into() };
        let cases = [
            record(0, Termination::Agreement, Some(0), vec![0.1, 1e-300, -0.0]),
            record(0, Termination::Agreement, Some(23), vec![f64::NAN, f64::INFINITY, 3.0]),
            record(0, Termination::Deadline, None, vec![0.25, 0.5, 0.0]),
            record(0, Termination::EndedBy(1), None, vec![]),
            record(0, Termination::EndedBy(9), None, vec![1.0]),
            record(0, error(2, "bad \"offer\"\n\t\u{1}"), None, vec![0.25, 0.5, 0.0]),
            record(0, error(5, ""), None, vec![0.25, 0.5, 0.0]),
            record(1, Termination::Agreement, Some(1), vec![0.5, 0.5, 0.5]),
            record(1, Termination::Agreement, Some(2), vec![0.5, 0.5, 0.5]),
            record(2, Termination::Agreement, Some(0), vec![0.5, 0.5, 0.5]),
            record(7, Termination::Agreement, Some(5), vec![0.5]),
            record(7, Termination::EndedBy(0), None, vec![0.5]),
            SessionRecord {
                negotiators: vec![],
                reservations: vec![],
                ..record(0, Termination::Deadline, None, vec![])
            },
        ];
        for r in &cases {
            assert_eq!(PartText::session(&spec, r), via_value(&spec, r), "{r:?}");
        }
        // Written on several threads at once, the same text as one after another, whatever
        // the runs (more threads than sessions, none at all) and wherever the part starts.
        let one_by_one = |records: &[SessionRecord], first: bool| {
            let texts: Vec<String> = records.iter().map(|r| via_value(&spec, r)).collect();
            let text = texts.join(PartFrame::SEPARATOR);
            if first || text.is_empty() { text } else { format!("{}{text}", PartFrame::SEPARATOR) }
        };
        for n in [0, 1, 5, cases.len()] {
            for threads in 1..=cases.len() + 2 {
                for first in [true, false] {
                    let mut outs = vec![b"left over".to_vec(); threads];
                    PartText::write_sessions(&spec, &cases[..n], first, &mut outs);
                    let text = String::from_utf8(outs.concat()).unwrap();
                    assert_eq!(text, one_by_one(&cases[..n], first), "{n} {threads} {first}");
                }
            }
        }
    }

    /// The part is read field by field from its text: what is not an object, and JSON
    /// syntax anywhere, are reported as from a value of the whole text.
    #[test]
    fn a_part_that_is_not_an_object_or_not_json_is_refused_so() {
        let message = |text: &str| read_part(text).map(|_| ()).unwrap_err().message().to_string();
        assert_eq!(message("[1, 2]"), "the part: expected an object");
        assert_eq!(message("\"x\""), "the part: expected an object");
        let syntax = "line 1 column 5: not JSON: expected value at line 1 column 5";
        assert_eq!(message("[1, x]"), syntax);
        assert_eq!(message("{\"a\": }"), syntax.replace('5', "7"));
        assert_eq!(message("{\"sessions\": [1], \"sessions\": 3}"), "tournament: missing");
    }
}
