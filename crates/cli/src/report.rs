//! What each command prints: a table and a few sentences for people, or JSON for machines.

use std::fmt::Write as _;

use detente_analysis::{
    self as analysis, Deadlock, DeadlockOptions, Movement, PartyEvaluation, PointVerdict, Verdict,
};
use detente_core::{Scenario, Term};
use serde_json::json;

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
    let broken: Vec<String> = e
        .points
        .iter()
        .filter(|pt| !pt.red_lines_broken.is_empty())
        .map(|pt| {
            let reason =
                pt.red_lines_broken.iter().find_map(|&j| red_line_reason(s, e.party, pt.issue, j));
            match reason {
                Some(r) => format!("{} ({r})", s.issues[pt.issue].id),
                None => s.issues[pt.issue].id.clone(),
            }
        })
        .collect();
    let (u, r) = utility_against(e.utility_min, e.utility_max, e.reservation);
    let util = format!("utility {u} against a reservation of {r}");
    match e.verdict {
        Verdict::Accepts => format!("{name} accepts ({util})."),
        Verdict::Rejects if !broken.is_empty() => {
            format!(
                "{name} rejects: the draft crosses its red line on {} ({util}).",
                and_list(&broken)
            )
        }
        Verdict::Rejects => {
            format!("{name} rejects: it falls short of what no deal gives it ({util}).")
        }
        Verdict::Depends => {
            let open: Vec<String> = e
                .points
                .iter()
                .filter(|pt| pt.verdict == PointVerdict::Open && pt.weight > 0.0)
                .map(|pt| s.issues[pt.issue].id.clone())
                .collect();
            format!(
                "{name}'s answer depends on how the open points are settled ({}; {util}).",
                if open.is_empty() { "open points".to_string() } else { and_list(&open) }
            )
        }
    }
}

/// Whether party `p` has nothing at stake on issue `i`: no weight and no red line.
fn no_stake(s: &Scenario, p: usize, i: usize) -> bool {
    s.weight(p, i) == 0.0 && (0..s.issues[i].n_options()).all(|k| s.allowed(p, i, k))
}

fn verdict_cell(e: &PartyEvaluation) -> String {
    let broken = e.points.iter().filter(|p| !p.red_lines_broken.is_empty()).count();
    let mut cell = format!("{} {}", verdict_word(e.verdict), range(e.utility_min, e.utility_max));
    if broken > 0 {
        let _ = write!(cell, " ✗{broken}");
    }
    cell
}

/// `detente check`: a one-line summary.
pub fn check(arg: &str, s: &Scenario, as_json: bool) -> String {
    let warnings = check_warnings(s);
    if as_json {
        return to_json(&json!({
            "file": arg,
            "valid": true,
            "problems": [],
            "warnings": warnings,
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
    for w in &warnings {
        let _ = writeln!(out, "{arg}: warning: {w}");
    }
    out
}

/// What is valid but worth a second look (a warning does not make the file invalid).
fn check_warnings(s: &Scenario) -> Vec<String> {
    let mut out = vec![];
    if !s.parties.iter().any(|p| p.role == detente_core::Role::Principal) {
        out.push(
            "no party is a principal, so every party counts in questions about a deal (deadlock, mediate, frontier, divide, simulate); mark the parties who must sign with role = \"principal\"".to_string(),
        );
    }
    out
}

/// `detente check --json` on an invalid file: the problems as JSON.
pub fn check_problems(arg: &str, e: &detente_scenario::Error) -> String {
    to_json(&json!({
        "file": arg,
        "valid": false,
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
        extra.push(d.clone());
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
    if as_json {
        return to_json(&json!({
            "scenario": s.meta.name,
            "evaluations": evals.iter().map(|e| json::evaluation(s, e)).collect::<Vec<_>>(),
        }));
    }
    let mut out = String::new();
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
            let mut row = vec![issue.id.clone(), truncate(&term_cell(s, i, term), 24)];
            for pe in &e.parties {
                let pt = &pe.points[i];
                row.push(match pt.verdict {
                    PointVerdict::Indifferent => "-".to_string(),
                    // No stance and no red line at stake: nothing to show.
                    PointVerdict::Open if no_stake(s, pe.party, i) => "-".to_string(),
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
            "  (value of the term to each party: ✗ crosses a red line, ~ below the party's reservation, ? open, - no stance)\n\n",
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
    let gainers: Vec<String> = c
        .parties
        .iter()
        .filter(|pc| pc.delta_min > 0.005)
        .map(|pc| party_name(s, pc.party).to_string())
        .collect();
    let losers: Vec<String> = c
        .parties
        .iter()
        .filter(|pc| pc.delta_max < -0.005)
        .map(|pc| party_name(s, pc.party).to_string())
        .collect();
    let from_id = &s.proposals[from].id;
    let to_id = &s.proposals[to].id;
    let mut words = format!("Moving from {from_id} to {to_id}");
    let verb = |who: &[String], one: &str, many: &str| {
        format!("{} {}", and_list(who), if who.len() == 1 { one } else { many })
    };
    match (gainers.is_empty(), losers.is_empty()) {
        (false, false) => {
            let _ = write!(
                words,
                ", {} and {}.",
                verb(&gainers, "gains", "gain"),
                verb(&losers, "loses", "lose")
            );
        }
        (false, true) => {
            let _ =
                write!(words, ", {} and nobody loses for sure.", verb(&gainers, "gains", "gain"));
        }
        (true, false) => {
            let _ =
                write!(words, ", {} and nobody gains for sure.", verb(&losers, "loses", "lose"));
        }
        (true, true) => words.push_str(", no party gains or loses for sure."),
    }
    let _ = writeln!(out, "{words}");
    for pc in &c.parties {
        let name = party_name(s, pc.party);
        match pc.movement {
            Movement::Joined => {
                let _ = writeln!(out, "{name} now accepts.");
            }
            Movement::Left => {
                let why: Vec<String> = pc
                    .red_lines_newly_broken
                    .iter()
                    .map(|&(i, _)| s.issues[i].id.clone())
                    .collect();
                if why.is_empty() {
                    let _ = writeln!(out, "{name} no longer accepts.");
                } else {
                    let _ = writeln!(
                        out,
                        "{name} no longer accepts: the new text crosses its red line on {}.",
                        and_list(&why)
                    );
                }
            }
            _ => {}
        }
    }
    out
}

fn explain_deadlock(s: &Scenario, d: &Deadlock, out: &mut String) {
    for line in analysis::explain(s, d) {
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

fn deadlock_json(s: &Scenario, d: &DeadlockAnswer, budget: Option<u64>) -> serde_json::Value {
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
            out.push_str("Yes. For example, every party accepts this outcome:\n");
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
    let who = match &parties {
        None => format!("all {} parties", s.parties.len()),
        Some(ps) => ps.iter().map(|&p| s.parties[p].id.clone()).collect::<Vec<_>>().join(", "),
    };
    let mut options = DeadlockOptions { parties, ..DeadlockOptions::default() };
    if budget.is_some() {
        options.max_nodes = budget;
    }
    let d = deadlock_answer(s, &options)?;
    if as_json {
        return Ok(to_json(&json!({
            "scenario": s.meta.name,
            "deadlock": deadlock_json(s, &d, options.max_nodes),
        })));
    }
    let mut out = format!("Is any deal possible in {} ({who})? ", s.meta.name);
    deadlock_text(s, &d, &mut out);
    Ok(out)
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
    let options = DeadlockOptions::default();
    let d = deadlock_answer(s, &options)?;
    let narrow = latest.map(|j| crate::mediate::narrow_the_gap(s, j));
    if as_json {
        return Ok(to_json(&json!({
            "scenario": json::scenario_header(s),
            "evaluations": evals.iter().map(|e| json::evaluation(s, e)).collect::<Vec<_>>(),
            "latest": latest.map(|j| s.proposals[j].id.clone()),
            "gap": gap.as_ref().map(|g| json::gap(s, g)),
            "narrow_the_gap": narrow.as_ref().map(|n| crate::mediate::narrow_the_gap_json(s, n)),
            "deadlock": deadlock_json(s, &d, options.max_nodes),
        })));
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", s.meta.name, s.meta.title);
    let mut facts = vec![];
    if let Some(d) = &s.meta.as_of {
        facts.push(format!("as of {d}"));
    }
    facts.push(format!("{} parties", s.parties.len()));
    facts.push(format!("{} points", s.issues.len()));
    facts.push(format!("{} proposals", s.proposals.len()));
    let _ = writeln!(out, "{}\n", facts.join(", "));

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
            dates.extend(
                evals.iter().map(|e| s.proposals[e.proposal].date.clone().unwrap_or_default()),
            );
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
        let _ = writeln!(
            out,
            "The gap on the latest draft, {}: total shortfall {} of the principals{}",
            s.proposals[j].id,
            num(g.total),
            if (g.total_best - g.total).abs() > 0.005 {
                format!(" ({} if the open points go their way)", num(g.total_best))
            } else {
                String::new()
            }
        );
        let mut t = Table::new(
            ["party", "shortfall", "red lines crossed", "points making it"]
                .map(String::from)
                .to_vec(),
        );
        for pg in &g.parties {
            let crossed: Vec<String> = g
                .red_lines_broken
                .iter()
                .filter(|(p, _, _)| *p == pg.party)
                .map(|&(_, i, _)| s.issues[i].id.clone())
                .collect();
            let points: Vec<String> = pg
                .points
                .iter()
                .take(3)
                .map(|&(i, share)| format!("{} {}", s.issues[i].id, num(share)))
                .collect();
            t.row(vec![
                s.parties[pg.party].id.clone(),
                range(pg.shortfall_best, pg.shortfall),
                if crossed.is_empty() { "-".to_string() } else { crossed.join(" ") },
                points.join(", "),
            ]);
        }
        out.push_str(&t.render("  "));
        let top: Vec<String> = g
            .points
            .iter()
            .take(5)
            .map(|pg| {
                format!("{} {} ({})", s.issues[pg.issue].id, s.issues[pg.issue].name, num(pg.share))
            })
            .collect();
        if !top.is_empty() {
            let _ = writeln!(out, "  Points making most of the gap: {}.", top.join("; "));
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
    out.push_str("Is any deal possible under every party's red lines and reservation? ");
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
