//! `detente mediate`: revisions of a draft that narrow the gap, and the single negotiating
//! text procedure.

use std::fmt::Write as _;

use detente_analysis::{
    Change, MediateOptions, Mediation, Objective, Revision, SingleText, SingleTextOptions,
};
use detente_core::{Scenario, Term};
use serde_json::{Value, json};

use crate::BadInput;
use crate::json as j;
use crate::report::{Table, to_json};

/// The search budget of one `mediate` run: beyond it the answer is a stated bound.
pub const MAX_NODES: u64 = 20_000_000;

fn red_line_refs(s: &Scenario, list: &[(usize, usize, usize)]) -> Vec<Value> {
    list.iter()
        .map(|&(p, i, r)| {
            let reason = s.stances[p][i]
                .as_ref()
                .and_then(|st| st.red_lines.get(r))
                .and_then(|x| x.reason.clone());
            json!({"party": s.parties[p].id, "issue": s.issues[i].id, "index": r, "reason": reason})
        })
        .collect()
}

fn change_json(s: &Scenario, c: &Change) -> Value {
    json!({
        "issue": s.issues[c.issue].id,
        "before": j::term(s, c.issue, c.before),
        "after": j::term(s, c.issue, Term::Set(c.after)),
    })
}

fn revision_json(s: &Scenario, r: &Revision) -> Value {
    json!({
        "changes": r.changes.iter().map(|c| change_json(s, c)).collect::<Vec<_>>(),
        "parties": s.parties.iter().enumerate().map(|(p, party)| json!({
            "party": party.id,
            "utility_before": [j::num(r.utilities_before[p].0), j::num(r.utilities_before[p].1)],
            "utility_after": [j::num(r.utilities_after[p].0), j::num(r.utilities_after[p].1)],
            "verdict_before": j::verdict(r.verdicts_before[p]),
            "verdict_after": j::verdict(r.verdicts_after[p]),
            "accepts": r.accepts[p],
            "shortfall": j::num(r.shortfalls[p]),
        })).collect::<Vec<_>>(),
        "red_lines_now_kept": red_line_refs(s, &r.red_lines_now_kept),
        "red_lines_broken": red_line_refs(s, &r.red_lines_broken),
        "red_lines_at_risk": red_line_refs(s, &r.red_lines_at_risk),
        "objective": j::num(r.objective),
    })
}

fn change_words(s: &Scenario, c: &Change) -> String {
    let issue = &s.issues[c.issue];
    let before = match c.before {
        Term::Open => "(open)".to_string(),
        Term::Set(k) => issue.option_id(k),
    };
    format!("{}: {before} -> {}", issue.id, issue.option_id(c.after))
}

fn revision_table(s: &Scenario, r: &Revision, out: &mut String) {
    for c in &r.changes {
        let _ = writeln!(out, "    {}", change_words(s, c));
    }
    let mut t =
        Table::new(["party", "before", "after", "accepts", "shortfall"].map(String::from).to_vec());
    for (p, party) in s.parties.iter().enumerate() {
        let u = |(lo, hi): (f64, f64)| {
            if (hi - lo).abs() < 0.005 { format!("{lo:.2}") } else { format!("{lo:.2}-{hi:.2}") }
        };
        t.row(vec![
            party.id.clone(),
            format!("{} {}", j::verdict(r.verdicts_before[p]), u(r.utilities_before[p])),
            format!("{} {}", j::verdict(r.verdicts_after[p]), u(r.utilities_after[p])),
            if r.accepts[p] { "yes".to_string() } else { "no".to_string() },
            if r.shortfalls[p] > 0.0 { format!("{:.2}", r.shortfalls[p]) } else { "-".to_string() },
        ]);
    }
    out.push_str(&t.render("    "));
    let broken: Vec<String> = r
        .red_lines_broken
        .iter()
        .chain(&r.red_lines_at_risk)
        .map(|&(p, i, _)| format!("{} on {}", s.parties[p].id, s.issues[i].id))
        .collect();
    if !broken.is_empty() {
        let _ = writeln!(out, "    red lines still crossed or at risk: {}", broken.join(", "));
    }
}

/// `detente mediate` (the search).
pub fn mediate(
    s: &Scenario,
    from: usize,
    objective: &str,
    max_changes: Option<usize>,
    top: usize,
    as_json: bool,
) -> anyhow::Result<String> {
    let objective = Objective::parse(objective).ok_or_else(|| {
        BadInput(format!(
            "unknown objective {objective:?} (objectives: fewest-changes, max-min-surplus, nash)"
        ))
    })?;
    let options = MediateOptions { objective, max_changes, top, max_nodes: Some(MAX_NODES) };
    let m = detente_analysis::mediate(s, from, &options).map_err(|e| BadInput(e.to_string()))?;
    let words = detente_analysis::mediation_words(s, &m);
    if as_json {
        return Ok(to_json(&mediation_json(s, &m, &words)));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Mediating from {} ({}), objective {}, at most {} change(s); principals: {}",
        s.proposals[from].id,
        s.proposals[from].title,
        m.objective.as_str(),
        m.max_changes,
        m.parties.iter().map(|&p| s.parties[p].id.as_str()).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(
        out,
        "{}\n",
        if m.exact {
            "The ranking below is proved: no revision within the limit does better."
        } else {
            "The ranking below is the best found, not proved best (see the note at the end)."
        }
    );
    for (n, r) in m.revisions.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} change(s):", n + 1, r.changes.len());
        revision_table(s, r, &mut out);
        out.push('\n');
    }
    if m.revisions.is_empty() && !m.feasible {
        out.push_str("  No revision within the limit makes every principal accept.\n\n");
    }
    if let Some(c) = &m.closest {
        let _ = writeln!(
            out,
            "  The closest revision (fewest red lines crossed, then least total shortfall):"
        );
        revision_table(s, c, &mut out);
        out.push('\n');
    }
    for w in &words {
        let _ = writeln!(out, "{w}");
    }
    Ok(out)
}

fn mediation_json(s: &Scenario, m: &Mediation, words: &[String]) -> Value {
    json!({
        "scenario": s.meta.name,
        "from": j::proposal_header(s, m.proposal),
        "objective": m.objective.as_str(),
        "max_changes": m.max_changes,
        "principals": m.parties.iter().map(|&p| s.parties[p].id.clone()).collect::<Vec<_>>(),
        "feasible": m.feasible,
        "fewest_changes": m.fewest,
        "exact": m.exact,
        "note": m.note,
        "revisions": m.revisions.iter().map(|r| revision_json(s, r)).collect::<Vec<_>>(),
        "closest": m.closest.as_ref().map(|r| revision_json(s, r)),
        "deadlock": m.deadlock.as_ref().map(|d| j::deadlock(s, d)),
        "explanation": words,
        "nodes": m.nodes,
    })
}

/// `detente mediate --procedure single-text`.
pub fn single_text(
    s: &Scenario,
    from: usize,
    max_rounds: usize,
    as_json: bool,
) -> anyhow::Result<String> {
    let st = detente_analysis::single_text(s, from, &SingleTextOptions { max_rounds });
    let words = detente_analysis::single_text_words(s, &st);
    if as_json {
        return Ok(to_json(&single_text_json(s, &st, &words)));
    }
    let mut out = format!(
        "Single negotiating text from {} ({}); principals: {}\n\n",
        s.proposals[from].id,
        s.proposals[from].title,
        st.parties.iter().map(|&p| s.parties[p].id.as_str()).collect::<Vec<_>>().join(", ")
    );
    for (n, round) in st.rounds.iter().enumerate() {
        let utilities: Vec<String> = s
            .parties
            .iter()
            .enumerate()
            .map(|(p, party)| {
                let (lo, hi) = round.utilities[p];
                let u = if (hi - lo).abs() < 0.005 {
                    format!("{lo:.2}")
                } else {
                    format!("{lo:.2}-{hi:.2}")
                };
                format!("{} {} {u}", party.id, j::verdict(round.verdicts[p]))
            })
            .collect();
        let _ = writeln!(out, "Round {}: {}", n + 1, utilities.join("; "));
        for (k, objections) in round.objections.iter().enumerate() {
            if objections.is_empty() {
                continue;
            }
            let party = st.parties.get(k).map_or("?", |&p| s.parties[p].id.as_str());
            let list: Vec<String> = objections
                .iter()
                .take(4)
                .map(|o| {
                    format!(
                        "{} -> {}{}",
                        s.issues[o.issue].id,
                        s.issues[o.issue].option_id(o.option),
                        if o.red_line { " (red line)" } else { "" }
                    )
                })
                .collect();
            let more = if objections.len() > 4 {
                format!(" and {} more", objections.len() - 4)
            } else {
                String::new()
            };
            let _ = writeln!(out, "  {party} objects: {}{more}", list.join(", "));
        }
        match &round.revision {
            Some(c) => {
                let _ = writeln!(out, "  the mediator revises {}", change_words(s, c));
            }
            None => out.push_str("  the mediator finds no revision that helps\n"),
        }
    }
    let _ = writeln!(out, "\nEnd: {}\n", st.end.as_str().replace('_', " "));
    for w in &words {
        let _ = writeln!(out, "{w}");
    }
    Ok(out)
}

fn single_text_json(s: &Scenario, st: &SingleText, words: &[String]) -> Value {
    json!({
        "scenario": s.meta.name,
        "procedure": "single-text",
        "from": j::proposal_header(s, st.proposal),
        "principals": st.parties.iter().map(|&p| s.parties[p].id.clone()).collect::<Vec<_>>(),
        "rounds": st.rounds.iter().map(|round| json!({
            "draft": round.draft.iter().enumerate().map(|(i, &t)| (s.issues[i].id.clone(), j::term(s, i, t))).collect::<serde_json::Map<_, _>>(),
            "parties": s.parties.iter().enumerate().map(|(p, party)| json!({
                "party": party.id,
                "utility": [j::num(round.utilities[p].0), j::num(round.utilities[p].1)],
                "verdict": j::verdict(round.verdicts[p]),
            })).collect::<Vec<_>>(),
            "objections": round.objections.iter().flatten().map(|o| json!({
                "party": s.parties[o.party].id,
                "issue": s.issues[o.issue].id,
                "option": j::term(s, o.issue, Term::Set(o.option)),
                "gain": j::num(o.gain),
                "red_line": o.red_line,
            })).collect::<Vec<_>>(),
            "revision": round.revision.as_ref().map(|c| change_json(s, c)),
        })).collect::<Vec<_>>(),
        "end": st.end.as_str(),
        "explanation": words,
    })
}

/// The "what would narrow the gap" section of `detente analyze` for one draft: the
/// fewest-changes search within a few changes, in words.
pub fn narrow_the_gap(s: &Scenario, from: usize) -> Option<(Mediation, Vec<String>)> {
    let options = MediateOptions {
        objective: Objective::FewestChanges,
        max_changes: Some(3),
        top: 1,
        max_nodes: Some(MAX_NODES / 10),
    };
    let m = detente_analysis::mediate(s, from, &options).ok()?;
    let words = detente_analysis::mediation_words(s, &m);
    Some((m, words))
}

/// The section as JSON, for `analyze --json`.
pub fn narrow_the_gap_json(s: &Scenario, m: &Mediation, words: &[String]) -> Value {
    mediation_json(s, m, words)
}

/// The section in words, for `analyze`.
pub fn narrow_the_gap_text(s: &Scenario, m: &Mediation, words: &[String], out: &mut String) {
    let _ = writeln!(
        out,
        "What would narrow the gap on {} (at most {} changes, every principal to accept):",
        s.proposals[m.proposal].id, m.max_changes
    );
    let shown = m.revisions.first().or(m.closest.as_ref());
    if let Some(r) = shown {
        for c in &r.changes {
            let _ = writeln!(out, "  {}", change_words(s, c));
        }
        let after: Vec<String> = s
            .parties
            .iter()
            .enumerate()
            .map(|(p, party)| format!("{} {:.2}", party.id, r.utilities_after[p].0))
            .collect();
        let _ = writeln!(out, "  utilities after: {}", after.join(", "));
    }
    for w in words.iter().take(3) {
        let _ = writeln!(out, "{w}");
    }
}
