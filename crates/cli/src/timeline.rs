//! `detente timeline`: the talks replayed day by day from the scenario's dated record. At
//! every dated step (a proposal, a revision or an event) the scenario as known that day
//! (`Scenario::as_of`): each party's verdict on the latest draft, the gap, whether any deal
//! is possible and what collides, and what changed since the step before and why.

use std::fmt::Write as _;

use detente_analysis::{self as analysis, DeadlockOptions, Verdict, date_words};
use detente_core::{Scenario, day};
use detente_words::{and_list, count, num, possessive};
use serde_json::{Value, json};

use crate::BadInput;
use crate::json;
use crate::printer::Report;
use crate::prose::counted_words;
use crate::table::Table;

/// What changed on a step's day, as recorded.
enum Change {
    /// A proposal tabled (index in the full scenario).
    Proposal(usize),
    /// A revision (index in the full scenario's history).
    Revision(usize),
    /// An event (index).
    Event(usize),
}

/// The scenario on one day.
struct Step {
    date: String,
    /// The latest draft known that day, by id, and its title.
    proposal: Option<(String, String)>,
    /// Each party's verdict on it and its utility range: `(verdict, min, max)`.
    verdicts: Vec<Option<(Verdict, f64, f64)>>,
    /// The counted parties' total shortfall on it (lowest, highest, exact).
    gap: Option<(f64, f64, bool)>,
    /// Whether any deal is possible: `None` when the search stopped at its budget.
    deal: Option<bool>,
    /// The colliding constraints in words, and as JSON.
    conflict: Vec<(String, Value)>,
    /// What the record holds for the day.
    changes: Vec<Change>,
}

/// The timeline of a scenario.
pub struct Timeline<'a> {
    s: &'a Scenario,
    counted: Vec<usize>,
    steps: Vec<Step>,
}

/// Checks a `--from`/`--to` day.
fn flag_day(flag: &str, d: Option<&str>) -> Result<Option<(u32, u32, u32)>, BadInput> {
    match d {
        None => Ok(None),
        Some(x) => day(x)
            .map(Some)
            .ok_or_else(|| BadInput(format!("{flag} {x}: not a day (write YYYY-MM-DD)"))),
    }
}

/// The timeline of `s` (the file as written, every dated record) between `from` and `to`
/// (days, inclusive).
pub fn timeline<'a>(
    s: &'a Scenario,
    from: Option<&str>,
    to: Option<&str>,
) -> anyhow::Result<Timeline<'a>> {
    let (lo, hi) = (flag_day("--from", from)?, flag_day("--to", to)?);
    if let (Some(a), Some(b)) = (lo, hi)
        && a > b
    {
        return Err(BadInput(format!(
            "--from {} is after --to {}",
            from.unwrap_or(""),
            to.unwrap_or("")
        ))
        .into());
    }
    // Every dated day of the record, each with what it holds.
    let mut days: Vec<(String, Change)> = vec![];
    for (j, p) in s.proposals().iter().enumerate() {
        if let Some(d) = p.date.as_deref().filter(|d| day(d).is_some()) {
            days.push((d.to_string(), Change::Proposal(j)));
        }
    }
    for (j, r) in s.history().revisions.iter().enumerate() {
        days.push((r.date.clone(), Change::Revision(j)));
    }
    for (j, e) in s.history().events.iter().enumerate() {
        days.push((e.date.clone(), Change::Event(j)));
    }
    let rank = |c: &Change| match c {
        Change::Proposal(j) => (0, *j),
        Change::Revision(j) => (1, *j),
        Change::Event(j) => (2, *j),
    };
    days.sort_by(|a, b| a.0.cmp(&b.0).then(rank(&a.1).cmp(&rank(&b.1))));
    let counted = analysis::counted_parties(s);
    let mut steps: Vec<Step> = vec![];
    for (date, change) in days {
        let d = day(&date).unwrap_or_default();
        if lo.is_some_and(|lo| d < lo) || hi.is_some_and(|hi| d > hi) {
            continue;
        }
        if let Some(last) = steps.last_mut()
            && last.date == date
        {
            last.changes.push(change);
            continue;
        }
        let mut step = on(s, &date, &counted)?;
        step.changes.push(change);
        steps.push(step);
    }
    Ok(Timeline { s, counted, steps })
}

/// The scenario as known on `date`, analysed.
fn on(s: &Scenario, date: &str, counted: &[usize]) -> anyhow::Result<Step> {
    let (snap, _) = s.as_of(date).map_err(|e| BadInput(format!("as of {date}: {e}")))?;
    let mut step = Step {
        date: date.to_string(),
        proposal: None,
        verdicts: vec![None; s.parties().len()],
        gap: None,
        deal: None,
        conflict: vec![],
        changes: vec![],
    };
    if let Some(j) = analysis::latest_proposal(&snap) {
        let p = &snap.proposals()[j];
        step.proposal = Some((p.id.clone(), p.title.clone()));
        let e = analysis::evaluate(&snap, j)?;
        for pe in &e.parties {
            step.verdicts[pe.party] = Some((pe.verdict, pe.utility_min, pe.utility_max));
        }
        let g = analysis::gap(&snap, j)?;
        step.gap = Some((g.total_range.0, g.total_range.1, g.total_exact));
    }
    let options = DeadlockOptions { parties: Some(counted.to_vec()), ..DeadlockOptions::default() };
    let d = analysis::deadlock(&snap, &options)?;
    if d.decided {
        step.deal = Some(d.feasible);
    }
    step.conflict = d
        .conflict
        .iter()
        .map(|c| (constraint_words(&snap, c), json::constraint(&snap, c)))
        .collect();
    Ok(step)
}

/// A colliding constraint in a few words: `Russia's red line on TER-03`.
fn constraint_words(s: &Scenario, c: &detente_analysis::Constraint) -> String {
    match *c {
        detente_analysis::Constraint::RedLine { party, issue, .. } => {
            format!("{} red line on {}", possessive(&s.parties()[party].name), s.issues()[issue].id)
        }
        detente_analysis::Constraint::Reservation { party } => {
            format!("{} reservation", possessive(&s.parties()[party].name))
        }
    }
}

impl Timeline<'_> {
    /// A change in words, with its sources.
    fn change_words(&self, c: &Change) -> String {
        let s = self.s;
        let sources = |ev: &[detente_core::Evidence]| {
            let ids: Vec<String> = ev.iter().map(|e| s.sources()[e.source].id.clone()).collect();
            if ids.is_empty() { String::new() } else { format!(" [{}]", ids.join(", ")) }
        };
        match *c {
            Change::Proposal(j) => {
                let p = &s.proposals()[j];
                let by =
                    p.author.map(|a| format!(" by {}", s.parties()[a].name)).unwrap_or_default();
                format!("draft {} tabled{by}: {}", p.id, p.title)
            }
            Change::Revision(j) => {
                let r = &s.history().revisions[j];
                let party = &s.parties()[r.party].name;
                let what =
                    and_list(&r.changes().iter().map(|f| f.replace('_', " ")).collect::<Vec<_>>());
                let on = match r.issue {
                    Some(i) => format!("{party} on {} revises its {what}", s.issues()[i].id),
                    None => format!("{party} revises its {what}"),
                };
                let why = r
                    .summary
                    .as_deref()
                    .or_else(|| r.evidence.iter().find_map(|e| e.note.as_deref()))
                    .map(|x| format!(": {x}"))
                    .unwrap_or_default();
                format!("{on}{why}{}", sources(&r.evidence))
            }
            Change::Event(j) => {
                let e = &s.history().events[j];
                let who: Vec<String> =
                    e.parties.iter().map(|&p| s.parties()[p].name.clone()).collect();
                let points: Vec<String> =
                    e.issues.iter().map(|&i| s.issues()[i].id.clone()).collect();
                let mut line = e.title.clone();
                if !who.is_empty() {
                    let _ = write!(line, " ({}", and_list(&who));
                    if !points.is_empty() {
                        let _ = write!(line, "; {}", points.join(", "));
                    }
                    line.push(')');
                }
                format!("{line}{}", sources(&e.evidence))
            }
        }
    }

    fn change_json(&self, c: &Change) -> Value {
        let s = self.s;
        let sources = |ev: &[detente_core::Evidence]| -> Vec<Value> {
            ev.iter().map(|e| json!({"source": s.sources()[e.source].id, "note": e.note})).collect()
        };
        match *c {
            Change::Proposal(j) => {
                let p = &s.proposals()[j];
                json!({"kind": "proposal", "id": p.id, "title": p.title,
                    "author": p.author.map(|a| s.parties()[a].id.clone())})
            }
            Change::Revision(j) => {
                let r = &s.history().revisions[j];
                json!({"kind": "revision", "party": s.parties()[r.party].id,
                    "issue": r.issue.map(|i| s.issues()[i].id.clone()),
                    "fields": r.changes(), "summary": r.summary, "sources": sources(&r.evidence)})
            }
            Change::Event(j) => {
                let e = &s.history().events[j];
                json!({"kind": "event", "title": e.title,
                    "parties": e.parties.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
                    "issues": e.issues.iter().map(|&i| s.issues()[i].id.clone()).collect::<Vec<_>>(),
                    "sources": sources(&e.evidence)})
            }
        }
    }

    /// What moved between two steps: verdicts, the gap and the answer to "any deal?".
    fn moved(&self, before: &Step, after: &Step) -> Vec<String> {
        let s = self.s;
        let mut out = vec![];
        if before.proposal.as_ref().map(|p| &p.0) != after.proposal.as_ref().map(|p| &p.0)
            && let Some((id, _)) = &after.proposal
        {
            out.push(format!("the latest draft is now {id}"));
        }
        for (p, (a, b)) in before.verdicts.iter().zip(&after.verdicts).enumerate() {
            if let (Some(a), Some(b)) = (a, b)
                && a.0 != b.0
            {
                out.push(format!("{} {} -> {}", s.parties()[p].name, a.0.as_str(), b.0.as_str()));
            }
        }
        if let (Some(a), Some(b)) = (before.gap, after.gap)
            && (a.0 != b.0 || a.1 != b.1)
        {
            out.push(format!("gap {} -> {}", gap_words(a), gap_words(b)));
        }
        if before.deal != after.deal {
            out.push(format!("any deal: {} -> {}", deal_word(before.deal), deal_word(after.deal)));
        }
        out
    }
}

fn gap_words(g: (f64, f64, bool)) -> String {
    if (g.1 - g.0).abs() < 5e-3 { num(g.0) } else { detente_words::range(g.0, g.1) }
}

fn deal_word(d: Option<bool>) -> &'static str {
    match d {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not decided",
    }
}

impl Report for Timeline<'_> {
    fn text(&self) -> String {
        let s = self.s;
        let mut out = String::new();
        let (Some(first), Some(last)) = (self.steps.first(), self.steps.last()) else {
            let _ = writeln!(
                out,
                "Timeline of {}: no dated proposal, revision or event in the range asked.",
                s.meta().name
            );
            return out;
        };
        let _ = writeln!(
            out,
            "Timeline of {}: {} from {} to {}, each the scenario as known that day (gap and \"any deal\" count {}).\n",
            s.meta().name,
            count(self.steps.len(), "dated step", "dated steps"),
            date_words(&first.date),
            date_words(&last.date),
            counted_words(s, &self.counted),
        );
        let mut header = vec!["date".to_string(), "latest draft".to_string()];
        header.extend(s.parties().iter().map(|p| p.id.clone()));
        header.extend(["gap".to_string(), "any deal".to_string()]);
        let mut t = Table::new(header);
        for st in &self.steps {
            let mut row = vec![
                date_words(&st.date),
                st.proposal.as_ref().map_or("none".to_string(), |p| p.0.clone()),
            ];
            row.extend(
                st.verdicts.iter().map(|v| v.map_or("-".to_string(), |v| v.0.as_str().to_string())),
            );
            row.push(st.gap.map_or("-".to_string(), gap_words));
            row.push(deal_word(st.deal).to_string());
            t.row(row);
        }
        out.push_str(&t.render(""));
        out.push('\n');
        for (k, st) in self.steps.iter().enumerate() {
            let _ = writeln!(out, "{}:", date_words(&st.date));
            for c in &st.changes {
                let _ = writeln!(out, "  - {}", self.change_words(c));
            }
            if k > 0 {
                let moved = self.moved(&self.steps[k - 1], st);
                if moved.is_empty() {
                    let _ = writeln!(out, "  No verdict, gap or answer moved.");
                } else {
                    let mut line = moved.join("; ");
                    line[..1].make_ascii_uppercase();
                    let _ = writeln!(out, "  {line}.");
                }
            }
            let same = k > 0 && {
                let before: Vec<&Value> = self.steps[k - 1].conflict.iter().map(|c| &c.1).collect();
                let now: Vec<&Value> = st.conflict.iter().map(|c| &c.1).collect();
                before == now
            };
            if st.deal == Some(false) && !st.conflict.is_empty() && !same {
                let words: Vec<String> = st.conflict.iter().map(|c| c.0.clone()).collect();
                let _ = writeln!(out, "  No deal: {} collide.", and_list(&words));
            }
        }
        out
    }

    fn json(&self) -> Value {
        let s = self.s;
        json!({
            "scenario": s.meta().name,
            "counted": self.counted.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
            "steps": self.steps.iter().map(|st| json!({
                "date": st.date,
                "proposal": st.proposal.as_ref().map(|p| p.0.clone()),
                "verdicts": st.verdicts.iter().enumerate().filter_map(|(p, v)| v.map(|v| json!({
                    "party": s.parties()[p].id,
                    "verdict": json::verdict(v.0),
                    "utility": [json::num(v.1), json::num(v.2)],
                }))).collect::<Vec<_>>(),
                "gap": st.gap.map(|g| json!({"total": [json::num(g.0), json::num(g.1)], "exact": g.2})),
                "deal_possible": st.deal,
                "conflict": st.conflict.iter().map(|c| c.1.clone()).collect::<Vec<_>>(),
                "changes": st.changes.iter().map(|c| self.change_json(c)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// The plot: the gap and each party's utility of the latest draft (its worst fill of the
/// open points) at every step, with the days new drafts appear marked.
pub fn svg(t: &Timeline<'_>) -> String {
    let s = t.s;
    let names: Vec<String> = s.parties().iter().map(|p| p.name.clone()).collect();
    let points: Vec<crate::plot::TimelinePoint> = t
        .steps
        .iter()
        .map(|st| crate::plot::TimelinePoint {
            label: date_words(&st.date),
            draft: st.changes.iter().find_map(|c| match c {
                Change::Proposal(j) => Some(s.proposals()[*j].id.clone()),
                _ => None,
            }),
            utilities: st.verdicts.iter().map(|v| v.map(|v| v.1)).collect(),
            gap: st.gap.map(|g| g.1),
        })
        .collect();
    crate::plot::timeline_svg(
        &format!("{}: the latest draft over time", s.meta().name),
        &names,
        &points,
    )
}
