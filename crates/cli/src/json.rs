//! The `--json` output: one builder per analysis result.
//!
//! Every object names parties, issues, options and proposals by their ids (never by index),
//! so that the output survives reordering of the scenario file. The shapes are documented in
//! `docs/cli.md`; they are a contract: extend, never rename.

use detente_analysis::{
    Comparison, Constraint, Deadlock, Evaluation, Gap, Movement, PartyEvaluation, PointVerdict,
    Reason, Verdict,
};
use detente_core::{Outcome, RedLineRef, Scenario, Term};
use serde_json::{Value, json};

/// Pretty JSON with a trailing newline.
pub fn to_json(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// A long list in a JSON object, given element by element: `len` elements, the `i`th of which
/// is `item(i)`. [`write_with_lists`] writes it without building a value of the whole list.
pub struct LongList<'a> {
    /// Its key in the object.
    pub key: &'static str,
    /// How many elements it has.
    pub len: usize,
    /// The element at an index below `len`.
    pub item: Box<dyn Fn(usize) -> Value + 'a>,
}

/// The object `head` with each of `lists` set at its key, as one value (what
/// [`write_with_lists`] writes).
pub fn with_lists(mut head: serde_json::Map<String, Value>, lists: &[LongList<'_>]) -> Value {
    for l in lists {
        head.insert(l.key.to_string(), Value::Array((0..l.len).map(&l.item).collect()));
    }
    Value::Object(head)
}

/// How deep an element of a list at the top level of an object sits.
const ELEMENT_INDENT: &str = "    ";

/// Writes [`to_json`] of [`with_lists`]`(head, lists)` to `out`, byte for byte, element by
/// element: an element's value lives only while its text is written, and the text is never
/// held whole. The same splice as a tournament part's sessions (`detente_sim::PartFrame`):
/// the head is written with `null` at each list's key, and a key at the top level is the
/// only text with two spaces and a quote after a newline (no nested key has so few, and a
/// JSON string holds no raw newline).
pub fn write_with_lists(
    mut head: serde_json::Map<String, Value>,
    lists: &[LongList<'_>],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for l in lists {
        head.insert(l.key.to_string(), Value::Null);
    }
    let text = to_json(&Value::Object(head));
    // Where each list's `null` stands, in the order of the text.
    let mut at: Vec<(usize, &LongList<'_>)> = lists
        .iter()
        .filter_map(|l| {
            let key = format!("\n  {}: null", Value::String(l.key.to_string()));
            text.find(&key).map(|i| (i + key.len() - "null".len(), l))
        })
        .collect();
    at.sort_by_key(|&(i, _)| i);
    let mut from = 0;
    let mut element = String::new();
    for (i, l) in at {
        out.write_all(&text.as_bytes()[from..i])?;
        from = i + "null".len();
        if l.len == 0 {
            out.write_all(b"[]")?;
            continue;
        }
        out.write_all(b"[\n")?;
        for k in 0..l.len {
            element.clear();
            if k > 0 {
                element.push_str(",\n");
            }
            element.push_str(ELEMENT_INDENT);
            let pretty = serde_json::to_string_pretty(&(l.item)(k)).unwrap_or_default();
            for (n, line) in pretty.split('\n').enumerate() {
                if n > 0 {
                    element.push('\n');
                    element.push_str(ELEMENT_INDENT);
                }
                element.push_str(line);
            }
            out.write_all(element.as_bytes())?;
        }
        out.write_all(b"\n  ]")?;
    }
    out.write_all(&text.as_bytes()[from..])
}

/// Rounds to 12 decimals so that the output does not carry float noise.
pub fn num(x: f64) -> Value {
    let r = (x * 1e12).round() / 1e12;
    let r = if r == 0.0 { 0.0 } else { r };
    json!(r)
}

/// The term on an issue as JSON: `null` when open, the option id, or the scale value.
pub fn term(s: &Scenario, issue_idx: usize, t: Term) -> Value {
    match t {
        Term::Open => Value::Null,
        Term::Set(k) => match s.issues()[issue_idx].scale_value(k) {
            Some(x) => num(x),
            None => json!(s.issues()[issue_idx].option_id(k)),
        },
    }
}

/// An outcome as an object issue id -> option id or scale value.
pub fn outcome(s: &Scenario, o: &Outcome) -> Value {
    let mut map = serde_json::Map::new();
    for (i, &k) in o.options().iter().enumerate() {
        map.insert(s.issues()[i].id.clone(), term(s, i, Term::Set(k)));
    }
    Value::Object(map)
}

pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Accepts => "accepts",
        Verdict::Rejects => "rejects",
        Verdict::Depends => "depends",
    }
}

pub fn point_verdict(v: PointVerdict) -> &'static str {
    match v {
        PointVerdict::Indifferent => "indifferent",
        PointVerdict::Accepts => "accepts",
        PointVerdict::Objects => "objects",
        PointVerdict::Rejects => "rejects",
        PointVerdict::Open => "open",
    }
}

pub fn movement(m: Movement) -> &'static str {
    m.as_str()
}

/// One red line as JSON: whose, on which issue, its index in the stance, and its reason.
pub fn red_line(s: &Scenario, r: RedLineRef) -> Value {
    json!({
        "party": s.parties()[r.party].id,
        "issue": s.issues()[r.issue].id,
        "index": r.index,
        "reason": s.red_line(r).and_then(|l| l.reason.clone()),
    })
}

/// A list of red lines as JSON.
pub fn red_lines(s: &Scenario, list: &[RedLineRef]) -> Vec<Value> {
    list.iter().map(|&r| red_line(s, r)).collect()
}

fn reason(s: &Scenario, party: usize, r: &Reason) -> Value {
    match r {
        Reason::RedLineBroken { issue, red_line: j } => {
            json!({"kind": "red_line_broken", "red_line": red_line(s, RedLineRef { party, issue: *issue, index: *j })})
        }
        Reason::BelowReservation { shortfall, certain } => {
            json!({"kind": "below_reservation", "shortfall": num(*shortfall), "certain": certain})
        }
        Reason::OpenRedLineAtRisk { issue } => {
            json!({"kind": "open_red_line_at_risk", "issue": s.issues()[*issue].id})
        }
        Reason::OpenRedLineCrossed { issue } => {
            json!({"kind": "open_red_line_crossed", "issue": s.issues()[*issue].id})
        }
    }
}

pub fn party_evaluation(s: &Scenario, e: &PartyEvaluation) -> Value {
    let p = e.party;
    let points: Vec<Value> = e
        .points
        .iter()
        .map(|pt| {
            json!({
                "issue": s.issues()[pt.issue].id,
                "term": term(s, pt.issue, pt.term),
                "weight": num(pt.weight),
                "value": [num(pt.value_min), num(pt.value_max)],
                "contribution": [num(pt.contribution_min), num(pt.contribution_max)],
                "red_lines_broken": pt.red_lines_broken.iter().map(|&index| red_line(s, RedLineRef { party: p, issue: pt.issue, index })).collect::<Vec<_>>(),
                "verdict": point_verdict(pt.verdict),
            })
        })
        .collect();
    json!({
        "party": s.parties()[p].id,
        "verdict": verdict(e.verdict),
        "utility": [num(e.utility_min), num(e.utility_max)],
        "reservation": num(e.reservation),
        "surplus": [num(e.surplus_min), num(e.surplus_max)],
        "reasons": e.reasons.iter().map(|r| reason(s, p, r)).collect::<Vec<_>>(),
        "points": points,
    })
}

pub fn proposal_header(s: &Scenario, j: usize) -> Value {
    let prop = &s.proposals()[j];
    json!({
        "id": prop.id,
        "title": prop.title,
        "author": prop.author.map(|a| s.parties()[a].id.clone()),
        "date": prop.date,
        "amends": prop.amends.map(|a| s.proposals()[a].id.clone()),
        "open": prop.open_issues().iter().map(|&i| s.issues()[i].id.clone()).collect::<Vec<_>>(),
    })
}

pub fn evaluation(s: &Scenario, e: &Evaluation) -> Value {
    json!({
        "proposal": proposal_header(s, e.proposal),
        "parties": e.parties.iter().map(|pe| party_evaluation(s, pe)).collect::<Vec<_>>(),
    })
}

pub fn gap(s: &Scenario, g: &Gap) -> Value {
    json!({
        "proposal": s.proposals()[g.proposal].id,
        "total": num(g.total),
        "total_best": num(g.total_best),
        "total_range": [num(g.total_range.0), num(g.total_range.1)],
        "total_exact": g.total_exact,
        "counted": g.counted.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
        "parties": g.parties.iter().map(|pg| json!({
            "party": s.parties()[pg.party].id,
            "shortfall": num(pg.shortfall),
            "shortfall_best": num(pg.shortfall_best),
            "red_lines_crossed": red_lines(s, &pg.red_lines_crossed),
            "red_lines_at_risk": red_lines(s, &pg.red_lines_at_risk),
            "points": pg.points.iter().map(|&(i, share)| json!({"issue": s.issues()[i].id, "share": num(share)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "points": g.points.iter().map(|pg| json!({
            "issue": s.issues()[pg.issue].id,
            "share": num(pg.share),
            "by_party": pg.by_party.iter().map(|&(p, share)| json!({"party": s.parties()[p].id, "share": num(share)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "red_lines_broken": red_lines(s, &g.red_lines_broken),
    })
}

pub fn constraint(s: &Scenario, c: &Constraint) -> Value {
    let words = detente_analysis::describe_constraint(s, c);
    match *c {
        Constraint::RedLine { party, issue, red_line: j } => json!({
            "kind": "red_line",
            "party": s.parties()[party].id,
            "issue": s.issues()[issue].id,
            "index": j,
            "text": words,
        }),
        Constraint::Reservation { party } => json!({
            "kind": "reservation",
            "party": s.parties()[party].id,
            "reservation": num(s.parties()[party].reservation),
            "text": words,
        }),
    }
}

/// How a search ended, one spelling for every search: `{ "kind": "exact" | "infeasible" |
/// "budget_reached" }` (the shape of a session's `termination`).
pub fn termination(t: detente_analysis::Termination) -> Value {
    json!({ "kind": t.as_str() })
}

pub fn deadlock(s: &Scenario, d: &Deadlock) -> Value {
    json!({
        "parties": d.parties.iter().map(|&p| s.parties()[p].id.clone()).collect::<Vec<_>>(),
        "deal_possible": d.feasible,
        "witness": d.witness.as_ref().map(|o| outcome(s, o)),
        "conflict": d.conflict.iter().map(|c| constraint(s, c)).collect::<Vec<_>>(),
        "relaxations": d.relaxations.iter().map(|o| outcome(s, o)).collect::<Vec<_>>(),
        "explanation": detente_analysis::explain(s, d),
        "nodes": d.nodes,
        "termination": termination(d.termination()),
    })
}

pub fn comparison(s: &Scenario, c: &Comparison) -> Value {
    json!({
        "from": proposal_header(s, c.from),
        "to": proposal_header(s, c.to),
        "changes": c.changes.iter().map(|ch| json!({
            "issue": s.issues()[ch.issue].id,
            "before": term(s, ch.issue, ch.before),
            "after": term(s, ch.issue, ch.after),
            "deltas": ch.deltas.iter().enumerate().map(|(p, &(lo, hi))| json!({
                "party": s.parties()[p].id, "delta": [num(lo), num(hi)],
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "parties": c.parties.iter().map(|pc| json!({
            "party": s.parties()[pc.party].id,
            "before": {"verdict": verdict(pc.before.verdict), "utility": [num(pc.before.utility_min), num(pc.before.utility_max)]},
            "after": {"verdict": verdict(pc.after.verdict), "utility": [num(pc.after.utility_min), num(pc.after.utility_max)]},
            "delta": [num(pc.delta_min), num(pc.delta_max)],
            "movement": movement(pc.movement),
            "red_lines_newly_broken": red_lines(s, &pc.red_lines_newly_broken),
            "red_lines_now_kept": red_lines(s, &pc.red_lines_now_kept),
            "red_line_moves": pc.red_line_moves.iter().map(|m| json!({
                "red_line": red_line(s, m.red_line),
                "before": m.before.as_str(),
                "after": m.after.as_str(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn scenario_header(s: &Scenario) -> Value {
    json!({
        "name": s.meta().name,
        "title": s.meta().title,
        "as_of": s.meta().as_of,
        "parties": s.parties().iter().map(|p| json!({
            "id": p.id, "name": p.name, "role": p.role.as_str(),
            "capability": num(p.capability), "reservation": num(p.reservation),
        })).collect::<Vec<_>>(),
        "issues": s.issues().iter().map(|i| json!({"id": i.id, "name": i.name})).collect::<Vec<_>>(),
        "proposals": (0..s.proposals().len()).map(|j| proposal_header(s, j)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> serde_json::Map<String, Value> {
        let v = json!({
            "b": [1.5, {"x": null, "y": []}],
            "m": {},
            "q": "a \"quoted\"\nline",
            "z": {"frontier": null, "w": [[]]},
        });
        match v {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    fn written(head: serde_json::Map<String, Value>, lists: &[LongList<'_>]) -> String {
        let mut out = Vec::new();
        write_with_lists(head, lists, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lists_are_written_as_the_whole_value_is() {
        let element = |i: usize| match i % 4 {
            0 => json!([0.25, 1e-13, i]),
            1 => json!({"issue": "TER-01", "nested": {"k": [i, "v"]}, "empty": {}}),
            2 => json!([]),
            _ => json!("a string\twith \"escapes\""),
        };
        for (n_a, n_f) in [(0, 0), (1, 0), (0, 3), (5, 9)] {
            let lists = [
                LongList { key: "frontier", len: n_f, item: Box::new(element) },
                LongList { key: "a", len: n_a, item: Box::new(|i| json!(i)) },
            ];
            let want = to_json(&with_lists(head(), &lists));
            assert_eq!(written(head(), &lists), want, "{n_a} {n_f}");
        }
        let only = [LongList { key: "frontier", len: 2, item: Box::new(|i| json!([i])) }];
        let empty = serde_json::Map::new();
        assert_eq!(written(empty.clone(), &only), to_json(&with_lists(empty, &only)));
    }
}
