//! Words several commands share: verdicts, terms, what is dated after `as_of`, a proposal
//! in one line, the counted parties.

use detente_analysis::date_words;
use detente_analysis::{
    self as analysis, DatedAfter, DatedKind, PartyEvaluation, PointVerdict, Reason, Verdict,
};
use detente_core::{RedLineRef, Scenario, Term};
use detente_words::{and_list, count, num_with, possessive, range};
use serde_json::json;
use std::fmt::Write as _;

use crate::json;

pub fn verdict_word(v: Verdict) -> &'static str {
    json::verdict(v)
}

/// What each verdict means, for pages that show verdicts without utilities (the room's
/// mediator): `depends` explained.
pub const VERDICT_MEANINGS: [(&str, &str); 3] = [
    (
        "accepts",
        "no settled term crosses the party's red lines and, however the open points are settled, it gets at least its reservation",
    ),
    (
        "rejects",
        "a settled term crosses one of its red lines, every option of an open point does, or even the best way of settling the open points leaves it below its reservation",
    ),
    (
        "depends",
        "the draft leaves points open, and how they are settled decides: some ways keep the party's red lines and reservation, others do not",
    ),
];

/// The term on an issue in words for a table cell: option id, scale value, or `(open)`.
pub fn term_cell(s: &Scenario, issue: usize, t: Term) -> String {
    match t {
        Term::Open => "(open)".to_string(),
        Term::Set(k) => s.issues()[issue].option_id(k),
    }
}

pub fn term_label(s: &Scenario, issue: usize, t: Term) -> String {
    match t {
        Term::Open => "left open".to_string(),
        Term::Set(k) => s.issues()[issue].option_label(k),
    }
}

pub fn party_name(s: &Scenario, p: usize) -> &str {
    &s.parties()[p].name
}

pub fn red_line_reason(s: &Scenario, r: RedLineRef) -> Option<String> {
    s.red_line(r).and_then(|l| l.reason.clone())
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
pub fn verdict_sentence(s: &Scenario, e: &PartyEvaluation) -> String {
    let name = party_name(s, e.party);
    let id = |i: usize| s.issues()[i].id.clone();
    let mut crossed: Vec<String> = e
        .points
        .iter()
        .filter(|pt| !pt.red_lines_broken.is_empty())
        .map(|pt| {
            let reason = pt.red_lines_broken.iter().find_map(|&index| {
                red_line_reason(s, RedLineRef { party: e.party, issue: pt.issue, index })
            });
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
    let short = e.may_fall_short();
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
            "{} answer depends on the open points: it accepts unless {} is settled across its red lines ({util}, enough however they are settled).",
            possessive(name),
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
                "{} answer depends on how {} {} settled: its utility is {u} against a reservation of {r}{risk}.",
                possessive(name),
                if open.is_empty() { "the open points".to_string() } else { and_list(&open) },
                if open.len() == 1 { "is" } else { "are" },
            )
        }
    }
}

pub fn verdict_cell(e: &PartyEvaluation) -> String {
    let broken = e.n_points_crossed();
    let mut cell = format!("{} {}", verdict_word(e.verdict), range(e.utility_min, e.utility_max));
    if broken > 0 {
        let _ = write!(cell, " ✗{broken}");
    }
    cell
}

/// The item a [`DatedAfter`] names: `("proposal", id)` or `("source", id)`.
pub fn dated_item<'a>(s: &'a Scenario, d: &DatedAfter) -> (&'static str, &'a str) {
    match d.kind {
        DatedKind::Proposal(j) => ("proposal", &s.proposals()[j].id),
        DatedKind::Source(j) => ("source", &s.sources()[j].id),
    }
}

/// The scenario's `as_of` in words (empty when it has none, and then nothing is late).
pub fn as_of_words(s: &Scenario) -> String {
    s.meta().as_of.as_deref().map(date_words).unwrap_or_default()
}

/// One item dated after `as_of`, in words: `proposal us-ua-20 is dated 23 Dec 2025, after
/// this scenario's as_of (3 Dec 2025)`.
pub fn dated_after_words(s: &Scenario, d: &DatedAfter) -> String {
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
pub fn dated_after_paragraph(s: &Scenario, late: &[DatedAfter]) -> String {
    let mut out = String::new();
    for d in late.iter().filter(|d| matches!(d.kind, DatedKind::Proposal(_))) {
        let mut line = dated_after_words(s, d);
        line[..1].make_ascii_uppercase();
        let _ = writeln!(out, "{line}.");
    }
    for group in analysis::late_sources(late) {
        let (first, last) = (group.first, group.last);
        let n = group.sources.len();
        let ids: Vec<&str> = group.sources.iter().map(|&j| s.sources()[j].id.as_str()).collect();
        let when = if first == last {
            format!("dated {}", date_words(first))
        } else {
            format!("dated {} to {}", date_words(first), date_words(last))
        };
        let _ = writeln!(
            out,
            "{} of the {} {} {when}, {}after this scenario's as_of ({}): {}.",
            n,
            count(s.sources().len(), "source of evidence", "sources of evidence"),
            detente_words::noun(n, "is", "are"),
            if group.certain { "" } else { "possibly " },
            as_of_words(s),
            and_list(&ids)
        );
    }
    out
}

pub fn dated_after_json(s: &Scenario, late: &[DatedAfter]) -> serde_json::Value {
    late.iter()
        .map(|d| {
            let (kind, id) = dated_item(s, d);
            json!({"kind": kind, "id": id, "date": d.date, "certain": d.certain})
        })
        .collect()
}

pub fn proposal_line(s: &Scenario, j: usize) -> String {
    let p = &s.proposals()[j];
    let mut extra = vec![];
    if let Some(a) = p.author {
        extra.push(format!("by {}", s.parties()[a].name));
    }
    if let Some(d) = &p.date {
        match s.meta().as_of.as_deref().and_then(|as_of| analysis::dates::after(d, as_of)) {
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
        extra.push(format!("amends {}", s.proposals()[a].id));
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

/// The parties a question counts, in words: `the principals (Russia and Ukraine)` when
/// they are the principals, else their names.
pub fn counted_words(s: &Scenario, counted: &[usize]) -> String {
    let names: Vec<String> = counted.iter().map(|&p| s.parties()[p].name.clone()).collect();
    match analysis::whose(s, counted) {
        analysis::Whose::Principals => format!("the principals ({})", and_list(&names)),
        _ => and_list(&names),
    }
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
}
