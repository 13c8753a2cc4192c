//! What each command prints: a table and a few sentences for people, or JSON for machines.

use std::fmt::Write as _;

use detente_analysis::{
    self as analysis, DatedAfter, DatedKind, Deadlock, DeadlockOptions, PartyEvaluation,
    PointVerdict, Reason, Verdict,
};
use detente_core::{Role, Scenario, Term};
use serde_json::json;

use detente_analysis::date_words;
use detente_words::{and_list, count, num, num_with, range, signed_range};

use crate::BadInput;
use crate::json;

/// Pretty JSON with a trailing newline.
pub fn to_json(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// A plain text table: left-aligned columns separated by two spaces, no trailing blanks.
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: Vec<String>) -> Table {
        Table { rows: vec![header] }
    }

    pub fn row(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn widths(&self) -> Vec<usize> {
        let n = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        (0..n)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    pub fn render(&self, indent: &str) -> String {
        let all: Vec<usize> = (0..self.widths().len()).collect();
        self.render_columns(indent, &all)
    }

    fn render_columns(&self, indent: &str, columns: &[usize]) -> String {
        let widths = self.widths();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::from(indent);
            for (n, &c) in columns.iter().enumerate() {
                let cell = row.get(c).map_or("", String::as_str);
                line.push_str(cell);
                if n + 1 < columns.len() {
                    let pad = widths[c] - cell.chars().count() + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Renders the table at most [`TABLE_WIDTH`] characters wide: when it is wider, the
    /// columns after the first `fixed` are split into blocks, one table each (separated by
    /// a blank line), every block repeating the `fixed` columns.
    pub fn render_fit(&self, indent: &str, fixed: usize) -> String {
        let widths = self.widths();
        let fixed = fixed.min(widths.len());
        let base = indent.chars().count() + widths[..fixed].iter().map(|w| w + 2).sum::<usize>();
        let mut blocks: Vec<Vec<usize>> = vec![];
        let mut block: Vec<usize> = vec![];
        let mut used = base;
        for (c, &w) in widths.iter().enumerate().skip(fixed) {
            if !block.is_empty() && used + w > TABLE_WIDTH {
                blocks.push(std::mem::take(&mut block));
                used = base;
            }
            block.push(c);
            used += w + 2;
        }
        blocks.push(block);
        let mut out = String::new();
        for (n, block) in blocks.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let columns: Vec<usize> = (0..fixed).chain(block.iter().copied()).collect();
            out.push_str(&self.render_columns(indent, &columns));
        }
        out
    }
}

/// The widest a table may be: text is wrapped to 100 columns when not on a terminal, and
/// table rows are never wrapped.
pub const TABLE_WIDTH: usize = 100;

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    json::verdict(v)
}

/// The term on an issue in words for a table cell: option id, scale value, or `(open)`.
fn term_cell(s: &Scenario, issue: usize, t: Term) -> String {
    match t {
        Term::Open => "(open)".to_string(),
        Term::Set(k) => s.issues[issue].option_id(k),
    }
}

fn term_label(s: &Scenario, issue: usize, t: Term) -> String {
    match t {
        Term::Open => "left open".to_string(),
        Term::Set(k) => s.issues[issue].option_label(k),
    }
}

fn party_name(s: &Scenario, p: usize) -> &str {
    &s.parties[p].name
}

fn red_line_reason(s: &Scenario, p: usize, i: usize, j: usize) -> Option<String> {
    s.stances[p][i].as_ref().and_then(|st| st.red_lines.get(j)).and_then(|r| r.reason.clone())
}

/// A utility (a range when points are open) and the reservation it is compared with, in
/// one rule: 2 decimals, or more where an end and the reservation differ but would print
/// alike.
pub fn utility_against(lo: f64, hi: f64, reservation: f64) -> (String, String) {
    let apart = |d: usize| {
        [lo, hi].iter().all(|&x| x == reservation || num_with(x, d) != num_with(reservation, d))
    };
    let d = (detente_words::DECIMALS..detente_words::MAX_DECIMALS)
        .find(|&d| apart(d))
        .unwrap_or(detente_words::MAX_DECIMALS);
    let (a, b) = (num_with(lo, d), num_with(hi, d));
    let u = if a == b { a } else { format!("{a} to {b}") };
    (u, num_with(reservation, d))
}

/// One sentence on why a party takes its verdict.
fn verdict_sentence(s: &Scenario, e: &PartyEvaluation) -> String {
    let name = party_name(s, e.party);
    let id = |i: usize| s.issues[i].id.clone();
    let mut crossed: Vec<String> = e
        .points
        .iter()
        .filter(|pt| !pt.red_lines_broken.is_empty())
        .map(|pt| {
            let reason =
                pt.red_lines_broken.iter().find_map(|&j| red_line_reason(s, e.party, pt.issue, j));
            match reason {
                Some(r) => format!("{} ({r})", id(pt.issue)),
                None => id(pt.issue),
            }
        })
        .collect();
    let mut at_risk = vec![];
    for r in &e.reasons {
        match *r {
            Reason::OpenRedLineCrossed { issue } => {
                crossed.push(format!("{} (open, but every option crosses one)", id(issue)));
            }
            Reason::OpenRedLineAtRisk { issue } => at_risk.push(id(issue)),
            _ => {}
        }
    }
    let (u, r) = utility_against(e.utility_min, e.utility_max, e.reservation);
    let util = format!("utility {u} against a reservation of {r}");
    let short = e.utility_min < e.reservation - analysis::EPS;
    match e.verdict {
        Verdict::Accepts => format!("{name} accepts ({util})."),
        Verdict::Rejects if !crossed.is_empty() => format!(
            "{name} rejects: the draft crosses its red {} on {}; its utility is {u} against a reservation of {r}.",
            detente_words::noun(crossed.len(), "line", "lines"),
            and_list(&crossed)
        ),
        Verdict::Rejects if e.utility_max > e.utility_min => format!(
            "{name} rejects: however the open points are settled within its red lines, it gets less than its reservation ({util})."
        ),
        Verdict::Rejects => {
            format!("{name} rejects: it gets less than its reservation ({util}).")
        }
        Verdict::Depends if !short => format!(
            "{name}'s answer depends on the open points: it accepts unless {} is settled across its red lines ({util}, enough however they are settled).",
            if at_risk.len() == 1 {
                at_risk[0].clone()
            } else {
                format!("one of {}", and_list(&at_risk))
            }
        ),
        Verdict::Depends => {
            let open: Vec<String> = e
                .points
                .iter()
                .filter(|pt| pt.verdict == PointVerdict::Open && pt.weight > 0.0)
                .map(|pt| id(pt.issue))
                .collect();
            let risk = if at_risk.is_empty() {
                String::new()
            } else {
                format!(
                    ", and some ways of settling {} would cross its red lines",
                    and_list(&at_risk)
                )
            };
            format!(
                "{name}'s answer depends on how {} {} settled: its utility is {u} against a reservation of {r}{risk}.",
                if open.is_empty() { "the open points".to_string() } else { and_list(&open) },
                if open.len() == 1 { "is" } else { "are" },
            )
        }
    }
}

/// Whether some option of issue `i` crosses a red line of party `p`.
fn open_risk(s: &Scenario, p: usize, i: usize) -> bool {
    (0..s.issues[i].n_options()).any(|k| !s.allowed(p, i, k))
}

/// Whether party `p` has nothing at stake on issue `i`: no weight and no red line.
fn no_stake(s: &Scenario, p: usize, i: usize) -> bool {
    s.weight(p, i) == 0.0 && (0..s.issues[i].n_options()).all(|k| s.allowed(p, i, k))
}

fn verdict_cell(e: &PartyEvaluation) -> String {
    let broken = e.points.iter().filter(|p| !p.red_lines_broken.is_empty()).count()
        + e.reasons.iter().filter(|r| matches!(r, Reason::OpenRedLineCrossed { .. })).count();
    let mut cell = format!("{} {}", verdict_word(e.verdict), range(e.utility_min, e.utility_max));
    if broken > 0 {
        let _ = write!(cell, " ✗{broken}");
    }
    cell
}

/// The item a [`DatedAfter`] names: `("proposal", id)` or `("source", id)`.
fn dated_item<'a>(s: &'a Scenario, d: &DatedAfter) -> (&'static str, &'a str) {
    match d.kind {
        DatedKind::Proposal(j) => ("proposal", &s.proposals[j].id),
        DatedKind::Source(j) => ("source", &s.sources[j].id),
    }
}

/// The scenario's `as_of` in words (empty when it has none, and then nothing is late).
fn as_of_words(s: &Scenario) -> String {
    s.meta.as_of.as_deref().map(date_words).unwrap_or_default()
}

/// One item dated after `as_of`, in words: `proposal us-ua-20 is dated 23 Dec 2025, after
/// this scenario's as_of (3 Dec 2025)`.
fn dated_after_words(s: &Scenario, d: &DatedAfter) -> String {
    let (what, id) = dated_item(s, d);
    format!(
        "{what} {id} is dated {}, {}after this scenario's as_of ({})",
        date_words(&d.date),
        if d.certain { "" } else { "possibly " },
        as_of_words(s)
    )
}

/// Sentences on what is dated after the scenario's `as_of`: each proposal by name, the
/// sources together.
fn dated_after_paragraph(s: &Scenario, late: &[DatedAfter]) -> String {
    let mut out = String::new();
    for d in late.iter().filter(|d| matches!(d.kind, DatedKind::Proposal(_))) {
        let mut line = dated_after_words(s, d);
        line[..1].make_ascii_uppercase();
        let _ = writeln!(out, "{line}.");
    }
    for certain in [true, false] {
        let sources: Vec<&DatedAfter> = late
            .iter()
            .filter(|d| matches!(d.kind, DatedKind::Source(_)) && d.certain == certain)
            .collect();
        let (Some(first), Some(last)) = (
            sources.iter().map(|d| d.date.as_str()).min(),
            sources.iter().map(|d| d.date.as_str()).max(),
        ) else {
            continue;
        };
        let n = sources.len();
        let ids: Vec<&str> = sources.iter().map(|d| dated_item(s, d).1).collect();
        let when = if first == last {
            format!("dated {}", date_words(first))
        } else {
            format!("dated {} to {}", date_words(first), date_words(last))
        };
        let _ = writeln!(
            out,
            "{} of the {} {} {when}, {}after this scenario's as_of ({}): {}.",
            n,
            count(s.sources.len(), "source of evidence", "sources of evidence"),
            detente_words::noun(n, "is", "are"),
            if certain { "" } else { "possibly " },
            as_of_words(s),
            and_list(&ids)
        );
    }
    out
}

fn dated_after_json(s: &Scenario, late: &[DatedAfter]) -> serde_json::Value {
    late.iter()
        .map(|d| {
            let (kind, id) = dated_item(s, d);
            json!({"kind": kind, "id": id, "date": d.date, "certain": d.certain})
        })
        .collect()
}

/// `detente check`: a one-line summary.
pub fn check(arg: &str, s: &Scenario, as_json: bool) -> String {
    let warnings = check_warnings(s);
    if as_json {
        return to_json(&json!({
            "file": arg,
            "valid": true,
            "problems": [],
            "warnings": warnings.iter().map(|(_, w)| w).collect::<Vec<_>>(),
            "scenario": json::scenario_header(s),
        }));
    }
    use detente_words::count;
    let n_stances = s.stances.iter().flatten().flatten().count();
    let n_red = s.stances.iter().flatten().flatten().map(|st| st.red_lines.len()).sum::<usize>();
    let mut out = format!(
        "{arg}: ok: scenario {} with {}, {}, {}, {}, {}, {}\n",
        s.meta.name,
        count(s.parties.len(), "party", "parties"),
        count(s.issues.len(), "issue", "issues"),
        count(n_stances, "stance", "stances"),
        count(n_red, "red line", "red lines"),
        count(s.proposals.len(), "proposal", "proposals"),
        count(s.sources.len(), "source", "sources"),
    );
    for (w, _) in &warnings {
        let _ = writeln!(out, "{arg}: warning: {w}");
    }
    out
}

/// What is valid but worth a second look (a warning does not make the file invalid): each
/// in words and as JSON (`kind`, `message` and the details).
fn check_warnings(s: &Scenario) -> Vec<(String, serde_json::Value)> {
    let mut out = vec![];
    if !s.parties.iter().any(|p| p.role == detente_core::Role::Principal) {
        let message = "no party is a principal, so every party counts in questions about a deal (deadlock, mediate, frontier, divide, simulate); mark the parties who must sign with role = \"principal\"".to_string();
        let v = json!({"kind": "no_principal", "message": message});
        out.push((message, v));
    }
    for d in analysis::dated_after_as_of(s) {
        let (item, id) = dated_item(s, &d);
        let message = dated_after_words(s, &d);
        let v = json!({
            "kind": "dated_after_as_of",
            "item": item,
            "id": id,
            "date": d.date,
            "as_of": s.meta.as_of,
            "certain": d.certain,
            "message": message,
        });
        out.push((message, v));
    }
    out
}

/// `detente check --json` on an invalid file: the problems as JSON.
pub fn check_problems(arg: &str, e: &detente_scenario::Error) -> String {
    to_json(&json!({
        "file": arg,
        "valid": false,
        "warnings": [],
        "problems": e.problems().iter().map(|p| json!({
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "path": p.path,
            "kind": p.kind.as_str(),
            "message": p.message,
        })).collect::<Vec<_>>(),
    }))
}

fn proposal_line(s: &Scenario, j: usize) -> String {
    let p = &s.proposals[j];
    let mut extra = vec![];
    if let Some(a) = p.author {
        extra.push(format!("by {}", s.parties[a].name));
    }
    if let Some(d) = &p.date {
        match s.meta.as_of.as_deref().and_then(|as_of| analysis::dates::after(d, as_of)) {
            Some(certain) => extra.push(format!(
                "{}, {}after the as_of date {}",
                date_words(d),
                if certain { "" } else { "possibly " },
                as_of_words(s)
            )),
            None => extra.push(date_words(d)),
        }
    }
    if let Some(a) = p.amends {
        extra.push(format!("amends {}", s.proposals[a].id));
    }
    let open = p.open_issues().len();
    if open > 0 {
        extra.push(format!("{} open", count(open, "point", "points")));
    }
    if extra.is_empty() {
        format!("{}: {}", p.id, p.title)
    } else {
        format!("{}: {} ({})", p.id, p.title, extra.join(", "))
    }
}

/// `detente evaluate`.
pub fn evaluate(s: &Scenario, proposals: &[usize], as_json: bool) -> String {
    let evals: Vec<_> = proposals.iter().map(|&j| analysis::evaluate(s, j)).collect();
    let late = analysis::dated_after_as_of(s);
    if as_json {
        return to_json(&json!({
            "scenario": s.meta.name,
            "as_of": s.meta.as_of,
            "dated_after_as_of": dated_after_json(s, &late),
            "evaluations": evals.iter().map(|e| json::evaluation(s, e)).collect::<Vec<_>>(),
        }));
    }
    let mut out = dated_after_paragraph(s, &late);
    if !out.is_empty() {
        out.push('\n');
    }
    for (n, e) in evals.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}\n", proposal_line(s, e.proposal));
        let mut t = Table::new(
            ["party", "verdict", "utility", "reservation", "surplus"].map(String::from).to_vec(),
        );
        for pe in &e.parties {
            t.row(vec![
                s.parties[pe.party].id.clone(),
                verdict_word(pe.verdict).to_string(),
                range(pe.utility_min, pe.utility_max),
                num(pe.reservation),
                signed_range(pe.surplus_min, pe.surplus_max),
            ]);
        }
        out.push_str(&t.render("  "));
        out.push('\n');
        let mut header = vec!["point".to_string(), "term".to_string()];
        header.extend(s.parties.iter().map(|p| p.id.clone()));
        let mut t = Table::new(header);
        for (i, issue) in s.issues.iter().enumerate() {
            let term = s.proposals[e.proposal].terms[i];
            let mut row = vec![issue.id.clone(), truncate(&term_cell(s, i, term), 22)];
            for pe in &e.parties {
                let pt = &pe.points[i];
                row.push(match pt.verdict {
                    PointVerdict::Indifferent => "-".to_string(),
                    // No stance and no red line at stake: nothing to show.
                    PointVerdict::Open if no_stake(s, pe.party, i) => "-".to_string(),
                    PointVerdict::Open if open_risk(s, pe.party, i) => {
                        format!("?✗ {}", range(pt.value_min, pt.value_max))
                    }
                    PointVerdict::Open => format!("? {}", range(pt.value_min, pt.value_max)),
                    PointVerdict::Accepts => format!("  {}", num(pt.value_min)),
                    PointVerdict::Objects => format!("~ {}", num(pt.value_min)),
                    PointVerdict::Rejects => format!("✗ {}", num(pt.value_min)),
                });
            }
            t.row(row);
        }
        out.push_str(&t.render("  "));
        out.push_str(
            "  (value of the term to each party: ✗ crosses a red line, ~ below the party's reservation, ? open (range of values), ?✗ open and some ways of settling it cross a red line, - no stance)\n\n",
        );
        for pe in &e.parties {
            let _ = writeln!(out, "{}", verdict_sentence(s, pe));
        }
    }
    out
}

/// `detente compare`.
pub fn compare(s: &Scenario, from: usize, to: usize, as_json: bool) -> String {
    let c = analysis::compare(s, from, to);
    if as_json {
        return to_json(&json!({"scenario": s.meta.name, "comparison": json::comparison(s, &c)}));
    }
    let mut out = String::new();
    let _ = writeln!(out, "From {}", proposal_line(s, from));
    let _ = writeln!(out, "to {}\n", proposal_line(s, to));
    if c.changes.is_empty() {
        out.push_str("The two proposals set every point the same way.\n");
    } else {
        let _ = writeln!(
            out,
            "{} {} (change of each party's utility):",
            count(c.changes.len(), "point", "points"),
            detente_words::noun(c.changes.len(), "changes", "change")
        );
        let mut header = vec!["point".to_string(), "before".to_string(), "after".to_string()];
        header.extend(s.parties.iter().map(|p| p.id.clone()));
        let mut t = Table::new(header);
        for ch in &c.changes {
            let mut row = vec![
                s.issues[ch.issue].id.clone(),
                truncate(&term_cell(s, ch.issue, ch.before), 24),
                truncate(&term_cell(s, ch.issue, ch.after), 24),
            ];
            row.extend(ch.deltas.iter().map(|&(lo, hi)| signed_range(lo, hi)));
            t.row(row);
        }
        let whole = t.render("  ");
        if whole.lines().all(|l| l.chars().count() <= TABLE_WIDTH) {
            out.push_str(&whole);
        } else {
            // Too wide for one table: the terms, then the changes of utility.
            let terms: Vec<usize> = vec![0, 1, 2];
            out.push_str(&t.render_columns("  ", &terms));
            out.push('\n');
            let deltas: Vec<usize> = std::iter::once(0).chain(3..3 + s.parties.len()).collect();
            out.push_str(&t.render_columns("  ", &deltas));
        }
    }
    out.push('\n');
    let mut t =
        Table::new(["party", "before", "after", "change", "movement"].map(String::from).to_vec());
    for pc in &c.parties {
        t.row(vec![
            s.parties[pc.party].id.clone(),
            verdict_cell(&pc.before),
            verdict_cell(&pc.after),
            signed_range(pc.delta_min, pc.delta_max),
            json::movement(pc.movement).replace('_', " "),
        ]);
    }
    out.push_str(&t.render("  "));
    out.push_str("  (verdict and utility; ✗n: n points cross a red line)\n\n");
    // In words.
    let names = |keep: &dyn Fn(&analysis::PartyChange) -> bool| -> Vec<String> {
        c.parties
            .iter()
            .filter(|pc| keep(pc))
            .map(|pc| party_name(s, pc.party).to_string())
            .collect()
    };
    // A change that prints as 0.00 is no change.
    let gainers = names(&|pc| num(pc.delta_min) != num(0.0) && pc.delta_min > 0.0);
    let losers = names(&|pc| num(pc.delta_max) != num(0.0) && pc.delta_max < 0.0);
    let mixed = names(&|pc| {
        num(pc.delta_min) != num(0.0)
            && pc.delta_min < 0.0
            && num(pc.delta_max) != num(0.0)
            && pc.delta_max > 0.0
    });
    let from_id = &s.proposals[from].id;
    let to_id = &s.proposals[to].id;
    let open =
        !s.proposals[from].open_issues().is_empty() || !s.proposals[to].open_issues().is_empty();
    let verb = |who: &[String], one: &str, many: &str| {
        format!("{} {}", and_list(who), if who.len() == 1 { one } else { many })
    };
    let mut clauses = vec![];
    let mut sure = vec![];
    if !gainers.is_empty() {
        sure.push(verb(&gainers, "gains", "gain"));
    }
    if !losers.is_empty() {
        sure.push(verb(&losers, "loses", "lose"));
    }
    if !sure.is_empty() {
        let surely = if open { ", however the open points are settled" } else { "" };
        clauses.push(format!("{}{surely}", sure.join(" and ")));
    }
    if !mixed.is_empty() {
        clauses.push(format!(
            "{} or {}, as the open points are settled",
            verb(&mixed, "gains", "gain"),
            if mixed.len() == 1 { "loses" } else { "lose" }
        ));
    }
    if clauses.is_empty() {
        clauses.push("no party's utility changes".to_string());
    }
    let _ = writeln!(out, "Moving from {from_id} to {to_id}, {}.", clauses.join("; "));
    for pc in &c.parties {
        if let Some(line) = movement_sentence(s, pc) {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// A verdict in words: `accepts`, `rejects`, `depends on the open points`.
fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Accepts => "accepts",
        Verdict::Rejects => "rejects",
        Verdict::Depends => "depends on the open points",
    }
}

/// What moved for one party between two proposals, in one sentence: its verdict (exactly
/// from what to what) and its red lines by how they move between crossed, at risk (on an
/// open point) and kept. `None` when neither moves.
fn movement_sentence(s: &Scenario, pc: &analysis::PartyChange) -> Option<String> {
    use analysis::RedLineState::{AtRisk, Crossed, Kept};
    let name = party_name(s, pc.party);
    let moved = |before, after| -> Vec<String> {
        let mut ids: Vec<String> = pc
            .red_line_moves
            .iter()
            .filter(|m| m.before == before && m.after == after)
            .map(|m| s.issues[m.issue].id.clone())
            .collect();
        ids.dedup();
        ids
    };
    let lines = |ids: &[String]| if ids.len() == 1 { "red line" } else { "red lines" };
    let them = |ids: &[String]| if ids.len() == 1 { "it" } else { "them" };
    let mut clauses = vec![];
    let x = moved(Kept, Crossed);
    if !x.is_empty() {
        clauses.push(format!("the new text crosses its {} on {}", lines(&x), and_list(&x)));
    }
    let x = moved(AtRisk, Crossed);
    if !x.is_empty() {
        clauses.push(format!(
            "the new text settles {} across its {} (the old text left {} open)",
            and_list(&x),
            lines(&x),
            them(&x)
        ));
    }
    let x = moved(Crossed, Kept);
    if !x.is_empty() {
        clauses.push(format!("the new text stops crossing its {} on {}", lines(&x), and_list(&x)));
    }
    let x = moved(Crossed, AtRisk);
    if !x.is_empty() {
        clauses.push(format!(
            "the new text no longer crosses its {} on {} but leaves {} open, where some ways of settling {} would",
            lines(&x),
            and_list(&x),
            them(&x),
            them(&x)
        ));
    }
    let x = moved(AtRisk, Kept);
    if !x.is_empty() {
        clauses.push(format!("the new text settles {} within its {}", and_list(&x), lines(&x)));
    }
    let x = moved(Kept, AtRisk);
    if !x.is_empty() {
        clauses.push(format!(
            "the new text leaves {} open, where some ways of settling {} would cross its {}",
            and_list(&x),
            them(&x),
            lines(&x)
        ));
    }
    let (before, after) = (pc.before.verdict, pc.after.verdict);
    let head = if before == after {
        if clauses.is_empty() {
            return None;
        }
        format!("{name} still {}", verdict_words(after))
    } else {
        format!("{name} goes from {} to {}", verdict_words(before), verdict_words(after))
    };
    if clauses.is_empty() {
        Some(format!("{head}."))
    } else {
        Some(format!("{head}: {}.", clauses.join("; ")))
    }
}

/// The explanation after the numbered constraints. Its first sentence ("No outcome is
/// acceptable to ...: N constraints collide") restates the heading printed just above, so
/// it is left out there; JSON keeps every sentence.
fn explain_deadlock(s: &Scenario, d: &Deadlock, out: &mut String) {
    let skip = usize::from(!d.feasible);
    for line in analysis::explain(s, d).iter().skip(skip) {
        let _ = writeln!(out, "{line}");
    }
}

/// The deadlock answer, or the words saying it was not decided within the budget (an
/// answer, not an error).
type DeadlockAnswer = Result<Deadlock, String>;

fn deadlock_answer(s: &Scenario, options: &DeadlockOptions) -> anyhow::Result<DeadlockAnswer> {
    match analysis::deadlock(s, options) {
        Ok(d) => Ok(Ok(d)),
        Err(e) if e.kind() == analysis::ErrorKind::Budget => Ok(Err(e.to_string())),
        Err(e) => Err(BadInput(e.to_string()).into()),
    }
}

/// The sentence for a proved deadlock whose minimal conflict was not found in the budget.
const NOT_MINIMAL: &str = "No outcome keeps every counted party's red lines and reservation (proved), but the search for a minimal set of colliding constraints stopped at its budget.";

fn deadlock_json(
    s: &Scenario,
    d: &DeadlockAnswer,
    counted: &[usize],
    budget: Option<u64>,
) -> serde_json::Value {
    match d {
        Ok(d) => {
            let mut v = json::deadlock(s, d);
            v["decided"] = json!(true);
            v["minimal"] = json!(d.minimal);
            if !d.minimal {
                v["explanation"] = json!([NOT_MINIMAL]);
            }
            v
        }
        Err(why) => json!({
            "parties": counted.iter().map(|&p| s.parties[p].id.clone()).collect::<Vec<_>>(),
            "decided": false,
            "deal_possible": null,
            "minimal": false,
            "witness": null,
            "conflict": [],
            "relaxations": [],
            "explanation": [format!("Not decided: {why}.")],
            "nodes": budget,
        }),
    }
}

fn deadlock_text(s: &Scenario, d: &DeadlockAnswer, out: &mut String) {
    match d {
        Ok(d) => deadlock_body(s, d, out),
        Err(why) => {
            let _ = writeln!(
                out,
                "Not decided: {why}; give a larger --budget to search further (the answer is not known either way)."
            );
        }
    }
}

fn deadlock_body(s: &Scenario, d: &Deadlock, out: &mut String) {
    if !d.feasible && !d.minimal {
        let _ = writeln!(out, "No. {NOT_MINIMAL}");
        return;
    }
    if d.feasible {
        if let Some(w) = &d.witness {
            let names: Vec<String> = d.parties.iter().map(|&p| s.parties[p].name.clone()).collect();
            let _ = writeln!(
                out,
                "Yes. For example, {}{} this outcome:",
                and_list(&names),
                match names.len() {
                    1 => " accepts",
                    2 => " both accept",
                    _ => " all accept",
                }
            );
            let mut t = Table::new(vec!["point".to_string(), "term".to_string()]);
            for (i, &k) in w.0.iter().enumerate() {
                t.row(vec![s.issues[i].id.clone(), truncate(&term_label(s, i, Term::Set(k)), 70)]);
            }
            out.push_str(&t.render("  "));
        }
    } else {
        if d.conflict.len() == 1 {
            out.push_str("No. This constraint cannot be met; dropping it makes a deal possible:\n");
        } else {
            let _ = writeln!(
                out,
                "No. These {} collide; dropping any one of them makes a deal possible:",
                count(d.conflict.len(), "constraint", "constraints")
            );
        }
        for (n, c) in d.conflict.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", n + 1, analysis::describe_constraint(s, c));
        }
    }
    out.push('\n');
    explain_deadlock(s, d, out);
}

/// `detente deadlock`.
pub fn deadlock(
    s: &Scenario,
    parties: Option<Vec<usize>>,
    budget: Option<u64>,
    as_json: bool,
) -> anyhow::Result<String> {
    let counted: Vec<usize> = parties.clone().unwrap_or_else(|| (0..s.parties.len()).collect());
    let mut options = DeadlockOptions { parties, ..DeadlockOptions::default() };
    if budget.is_some() {
        options.max_nodes = budget;
    }
    let d = deadlock_answer(s, &options)?;
    if as_json {
        return Ok(to_json(&json!({
            "scenario": s.meta.name,
            "deadlock": deadlock_json(s, &d, &counted, options.max_nodes),
        })));
    }
    let mut out =
        format!("Is any deal possible in {}, {}? ", s.meta.name, deal_question(s, &counted));
    deadlock_text(s, &d, &mut out);
    Ok(out)
}

/// Whose deal a question is about, in words: `counting every party` or `counting the
/// principals (Russia and Ukraine)` (or the parties named).
fn deal_question(s: &Scenario, counted: &[usize]) -> String {
    if counted.len() == s.parties.len() {
        "counting every party".to_string()
    } else {
        format!("counting {}", counted_words(s, counted))
    }
}

/// The parties a question counts, in words: `the principals (Russia and Ukraine)` when
/// they are the principals, else their names.
fn counted_words(s: &Scenario, counted: &[usize]) -> String {
    let names: Vec<String> = counted.iter().map(|&p| s.parties[p].name.clone()).collect();
    let principals: Vec<usize> =
        (0..s.parties.len()).filter(|&p| s.parties[p].role == Role::Principal).collect();
    if counted == principals.as_slice() {
        format!("the principals ({})", and_list(&names))
    } else {
        and_list(&names)
    }
}

/// The proposal the report focuses on: the latest by date, the last listed among equals.
fn latest_proposal(s: &Scenario) -> Option<usize> {
    (0..s.proposals.len()).max_by(|&a, &b| {
        let da = s.proposals[a].date.as_deref().unwrap_or("");
        let db = s.proposals[b].date.as_deref().unwrap_or("");
        da.cmp(db).then(a.cmp(&b))
    })
}

/// `detente analyze`: the negotiation on one screen.
pub fn analyze(s: &Scenario, as_json: bool) -> anyhow::Result<String> {
    let evals: Vec<_> = (0..s.proposals.len()).map(|j| analysis::evaluate(s, j)).collect();
    let latest = latest_proposal(s);
    let gap = latest.map(|j| analysis::gap(s, j));
    // Whose deal: the principals (everyone when none is named), as `detente deadlock`.
    let counted = analysis::counted_parties(s);
    let options = DeadlockOptions { parties: Some(counted.clone()), ..DeadlockOptions::default() };
    let d = deadlock_answer(s, &options)?;
    let narrow = latest.map(|j| crate::mediate::narrow_the_gap(s, j));
    let late = analysis::dated_after_as_of(s);
    if as_json {
        return Ok(to_json(&json!({
            "scenario": json::scenario_header(s),
            "evaluations": evals.iter().map(|e| json::evaluation(s, e)).collect::<Vec<_>>(),
            "dated_after_as_of": dated_after_json(s, &late),
            "latest": latest.map(|j| s.proposals[j].id.clone()),
            "gap": gap.as_ref().map(|g| json::gap(s, g)),
            "narrow_the_gap": narrow.as_ref().map(|n| crate::mediate::narrow_the_gap_json(s, n)),
            "deadlock": deadlock_json(s, &d, &counted, options.max_nodes),
        })));
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", s.meta.name, s.meta.title);
    let mut facts = vec![];
    if let Some(d) = &s.meta.as_of {
        facts.push(format!("as of {}", date_words(d)));
    }
    facts.push(count(s.parties.len(), "party", "parties"));
    facts.push(count(s.issues.len(), "point", "points"));
    facts.push(count(s.proposals.len(), "proposal", "proposals"));
    let _ = writeln!(out, "{}", facts.join(", "));
    out.push_str(&dated_after_paragraph(s, &late));
    out.push('\n');

    if evals.is_empty() {
        out.push_str("No proposals on the table.\n\n");
    } else {
        out.push_str(
            "Would each party sign? (verdict, utility; ✗n: n points cross its red lines)\n",
        );
        // One row per party, one column per proposal (parties are few, ids short).
        let mut header = vec!["party".to_string(), "reservation".to_string()];
        header.extend(evals.iter().map(|e| s.proposals[e.proposal].id.clone()));
        let mut t = Table::new(header);
        if s.proposals.iter().any(|p| p.date.is_some()) {
            let mut dates = vec!["(date)".to_string(), String::new()];
            dates.extend(evals.iter().map(|e| {
                s.proposals[e.proposal].date.as_deref().map(date_words).unwrap_or_default()
            }));
            t.row(dates);
        }
        for (p, party) in s.parties.iter().enumerate() {
            let mut row = vec![party.id.clone(), num(party.reservation)];
            row.extend(evals.iter().map(|e| verdict_cell(&e.parties[p])));
            t.row(row);
        }
        out.push_str(&t.render_fit("  ", 2));
        out.push('\n');
    }

    if let (Some(j), Some(g)) = (latest, &gap) {
        let prop = &s.proposals[j];
        let late = prop
            .date
            .as_deref()
            .zip(s.meta.as_of.as_deref())
            .and_then(|(d, as_of)| analysis::dates::after(d, as_of).map(|c| (d, c)));
        let when = match late {
            Some((d, certain)) => format!(
                " ({}, {}after this scenario's as_of)",
                date_words(d),
                if certain { "" } else { "possibly " }
            ),
            None => String::new(),
        };
        let everyone = g.counted.len() == s.parties.len();
        let them = if everyone { "every party".to_string() } else { counted_words(s, &g.counted) };
        let _ = writeln!(out, "The gap on the latest draft, {}{when}, counting {them}:", prop.id);
        for &p in &g.counted {
            let pg = &g.parties[p];
            if !pg.crossed_whatever() {
                continue;
            }
            let mut issues: Vec<String> =
                pg.red_lines_crossed.iter().map(|&(i, _)| s.issues[i].id.clone()).collect();
            issues.dedup();
            let _ = writeln!(
                out,
                "  {}: {} ({}) {} crossed whatever the open points; shortfall {} besides.",
                party_name(s, p),
                if issues.len() == 1 { "a red line" } else { "red lines" },
                and_list(&issues),
                if issues.len() == 1 { "is" } else { "are" },
                range(pg.shortfall_best, pg.shortfall),
            );
        }
        let blocked = g.counted.iter().any(|&p| g.parties[p].crossed_whatever());
        let (lo, hi) = g.total_range;
        let total = if g.total_exact {
            range(lo, hi)
        } else {
            format!(
                "between {} and {} (bounds: too many ways to settle them to weigh each)",
                num(lo),
                num(hi)
            )
        };
        let mut sentence = if hi == 0.0 {
            format!(
                "  {}one of them falls short of its reservation, however the open points are settled",
                if blocked { "Besides the red lines, n" } else { "N" }
            )
        } else {
            format!(
                "  {}heir shortfall below their reservations totals {total}, as the open points are settled",
                if blocked { "Besides the red lines, t" } else { "T" }
            )
        };
        if blocked {
            sentence.push_str(&format!(
                "; no way of settling them brings {} to accept",
                if g.counted.len() == 2 { "both" } else { "all of them" }
            ));
        }
        let _ = writeln!(out, "{sentence}.");
        let mut t = Table::new(
            ["party", "red lines", "shortfall", "points making it"].map(String::from).to_vec(),
        );
        for pg in &g.parties {
            let ids = |list: &[(usize, usize)]| {
                let mut ids: Vec<String> =
                    list.iter().map(|&(i, _)| s.issues[i].id.clone()).collect();
                ids.dedup();
                ids.join(" ")
            };
            let mut lines = vec![];
            if !pg.red_lines_crossed.is_empty() {
                lines.push(format!("✗ {}", ids(&pg.red_lines_crossed)));
            }
            if !pg.red_lines_at_risk.is_empty() {
                lines.push(format!("? {}", ids(&pg.red_lines_at_risk)));
            }
            let points: Vec<String> = pg
                .points
                .iter()
                .take(3)
                .map(|&(i, share)| format!("{} {}", s.issues[i].id, num(share)))
                .collect();
            t.row(vec![
                s.parties[pg.party].id.clone(),
                if lines.is_empty() { "-".to_string() } else { lines.join("; ") },
                range(pg.shortfall_best, pg.shortfall),
                points.join(", "),
            ]);
        }
        out.push_str(&t.render_fit("  ", 1));
        out.push_str(
            "  (red lines: ✗ crossed whatever the open points, ? at risk on an open point; shortfall below the reservation as the open points are settled)\n",
        );
        let top: Vec<String> = g
            .points
            .iter()
            .take(5)
            .map(|pg| {
                format!("{} {} ({})", s.issues[pg.issue].id, s.issues[pg.issue].name, num(pg.share))
            })
            .collect();
        if !top.is_empty() {
            let _ = writeln!(
                out,
                "  Points making most of the shortfall (at its worst): {}.",
                top.join("; ")
            );
        }
        out.push('\n');
        if let Some(e) = evals.get(j) {
            for pe in &e.parties {
                let _ = writeln!(out, "{}", verdict_sentence(s, pe));
            }
            out.push('\n');
        }
    }

    if let Some(n) = &narrow {
        crate::mediate::narrow_the_gap_text(s, n, &mut out);
        out.push('\n');
    }
    let _ = write!(
        out,
        "Is any deal possible under the red lines and reservations, {}? ",
        deal_question(s, &counted)
    );
    deadlock_text(s, &d, &mut out);
    Ok(out)
}

/// `detente scenarios`.
pub fn scenarios(as_json: bool) -> anyhow::Result<String> {
    let mut rows = vec![];
    for sh in detente_scenario::shipped::all() {
        let s = detente_scenario::parse_auto(sh.file, sh.text.as_bytes())
            .map_err(|e| anyhow::anyhow!("shipped scenario {} is invalid:\n{e}", sh.name))?;
        rows.push((sh, s));
    }
    if as_json {
        return Ok(to_json(&json!({
            "default": detente_scenario::shipped::DEFAULT,
            "scenarios": rows.iter().map(|(sh, s)| json!({
                "name": sh.name,
                "file": sh.file,
                "title": s.meta.title,
                "parties": s.parties.len(),
                "issues": s.issues.len(),
                "proposals": s.proposals.len(),
            })).collect::<Vec<_>>(),
        })));
    }
    let mut t =
        Table::new(["name", "parties", "points", "proposals", "title"].map(String::from).to_vec());
    for (sh, s) in &rows {
        let name = if sh.name == detente_scenario::shipped::DEFAULT {
            format!("{} (default)", sh.name)
        } else {
            sh.name.to_string()
        };
        t.row(vec![
            name,
            s.parties.len().to_string(),
            s.issues.len().to_string(),
            s.proposals.len().to_string(),
            s.meta.title.clone(),
        ]);
    }
    Ok(t.render(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utility_never_prints_like_the_reservation_it_misses() {
        assert_eq!(utility_against(0.3, 0.5, 0.45), ("0.30 to 0.50".into(), "0.45".into()));
        assert_eq!(utility_against(0.449, 0.449, 0.45), ("0.449".into(), "0.450".into()));
        assert_eq!(
            utility_against(0.2, 0.4496, 0.45),
            ("0.2000 to 0.4496".into(), "0.4500".into())
        );
        assert_eq!(utility_against(0.45, 0.45, 0.45), ("0.45".into(), "0.45".into()));
    }

    #[test]
    fn wide_tables_are_split_into_blocks() {
        let mut t = Table::new(vec!["id".into(), "a".repeat(60), "b".repeat(60)]);
        t.row(vec!["x".into(), "1".into(), "2".into()]);
        let out = t.render_fit("  ", 1);
        assert!(out.lines().all(|l| l.chars().count() <= TABLE_WIDTH));
        assert_eq!(out.lines().filter(|l| l.trim_start().starts_with("x ")).count(), 2);
    }
}
