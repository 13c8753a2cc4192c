//! The words of a mediation: sentences a mediator could read aloud.

use detente_core::Scenario;
use detente_words::{and_list, count, noun, num, possessive, range};

use super::*;

/// An issue for prose: `id (name)`.
pub(crate) fn issue_ref(s: &Scenario, i: usize) -> String {
    format!("{} ({})", s.issues()[i].id, s.issues()[i].name)
}

/// An option for prose: its id quoted, or the value with its unit on a scale.
pub(crate) fn option_ref(s: &Scenario, i: usize, k: usize) -> String {
    let issue = &s.issues()[i];
    if issue.is_scale() { issue.option_label(k) } else { format!("{:?}", issue.option_id(k)) }
}

/// One change for prose: `TER-03 (Donetsk) from "a" to "b"` or `TER-01 (Crimea), open, to "b"`.
pub(crate) fn change_words(s: &Scenario, c: &Change) -> String {
    match c.before {
        Term::Set(k) => format!(
            "{} from {} to {}",
            issue_ref(s, c.issue),
            option_ref(s, c.issue, k),
            option_ref(s, c.issue, c.after)
        ),
        Term::Open => {
            format!("{}, open, to {}", issue_ref(s, c.issue), option_ref(s, c.issue, c.after))
        }
    }
}

/// A utility pair for prose: `0.50`, or `0.40 to 0.60` when open points leave a range.
pub(crate) fn range_words(u: (f64, f64)) -> String {
    range(u.0, u.1)
}

/// Red lines as `Russia's red line on TER-03 and Ukraine's on TER-01`.
pub(crate) fn red_lines_words(s: &Scenario, list: &[(usize, usize)]) -> String {
    let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
    for &(p, i) in list {
        match groups.last_mut() {
            Some((q, issues)) if *q == p => issues.push(s.issues()[i].id.clone()),
            _ => groups.push((p, vec![s.issues()[i].id.clone()])),
        }
    }
    let items: Vec<String> = groups
        .iter()
        .enumerate()
        .map(|(j, (p, issues))| {
            let lines = if j > 0 {
                ""
            } else if issues.len() == 1 {
                " red line"
            } else {
                " red lines"
            };
            format!("{}{lines} on {}", possessive(&s.parties()[*p].name), and_list(issues))
        })
        .collect();
    if items.len() > 1 && groups.iter().any(|g| g.1.len() > 1) {
        items.join("; ")
    } else {
        and_list(&items)
    }
}

/// The red lines of a revision whose states match, as `(party, issue)`, once per pair.
fn lines_where(
    r: &Revision,
    keep: impl Fn(RedLineState, RedLineState) -> bool,
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for m in &r.red_lines {
        let at = (m.red_line.party, m.red_line.issue);
        if keep(m.before, m.after) && !out.contains(&at) {
            out.push(at);
        }
    }
    out
}

/// What a revision crosses and which verdicts it changes, as one sentence beginning with
/// `subject` ("It", "The closest revision"): every red line the revised draft crosses, of
/// every party, and every party whose verdict moves, from and to.
pub(crate) fn stakes_words(s: &Scenario, r: &Revision, subject: &str) -> String {
    let crossed = lines_where(r, |_, a| a == RedLineState::Crossed);
    let red = if crossed.is_empty() {
        "crosses no red line".to_string()
    } else {
        let new: Vec<(usize, usize)> =
            lines_where(r, |b, a| a == RedLineState::Crossed && b != RedLineState::Crossed);
        let old: Vec<(usize, usize)> =
            crossed.iter().copied().filter(|x| !new.contains(x)).collect();
        let mut parts = Vec::new();
        if !new.is_empty() {
            parts.push(format!("crosses {}", red_lines_words(s, &new)));
        }
        if !old.is_empty() {
            parts.push(format!("still crosses {}", red_lines_words(s, &old)));
        }
        parts.join(" and ")
    };
    let moved: Vec<String> = (0..s.parties().len())
        .filter(|&p| r.verdicts_before[p] != r.verdicts_after[p])
        .map(|p| {
            format!(
                "{} from {} to {}",
                s.parties()[p].name,
                r.verdicts_before[p].as_str(),
                r.verdicts_after[p].as_str()
            )
        })
        .collect();
    let verdicts = if moved.is_empty() {
        "changes no party's verdict".to_string()
    } else {
        format!("turns {}", and_list(&moved))
    };
    format!("{subject} {red}, and {verdicts}.")
}

/// What a revision does after its stakes, in a few sentences: the counted parties'
/// utilities, red lines kept anew or still at risk, the remaining gaps, the other parties.
fn revision_words(s: &Scenario, parties: &[usize], r: &Revision, out: &mut Vec<String>) {
    let moves: Vec<String> = parties
        .iter()
        .enumerate()
        .map(|(n, &p)| {
            let who = if n == 0 {
                format!("{} utility", possessive(&s.parties()[p].name))
            } else {
                possessive(&s.parties()[p].name)
            };
            format!(
                "{who} is {} (before: {}; reservation {})",
                range_words(r.utilities_after[p]),
                range_words(r.utilities_before[p]),
                num(s.parties()[p].reservation)
            )
        })
        .collect();
    out.push(format!("After it, {}.", and_list(&moves)));
    let was_crossed = lines_where(r, |b, a| b == RedLineState::Crossed && a == RedLineState::Kept);
    if !was_crossed.is_empty() {
        out.push(format!("It stops crossing {}.", red_lines_words(s, &was_crossed)));
    }
    let was_risky = lines_where(r, |b, a| b == RedLineState::AtRisk && a == RedLineState::Kept);
    if !was_risky.is_empty() {
        out.push(format!(
            "It settles open points that put at risk {}, keeping {}.",
            red_lines_words(s, &was_risky),
            if was_risky.len() == 1 { "it" } else { "them" }
        ));
    }
    let risky = lines_where(r, |_, a| a == RedLineState::AtRisk);
    if !risky.is_empty() {
        out.push(format!("Open points still put at risk {}.", red_lines_words(s, &risky)));
    }
    let gaps: Vec<String> = parties
        .iter()
        .filter_map(|&p| {
            let crossed: Vec<String> =
                r.issues_crossing(p).map(|i| s.issues()[i].id.clone()).collect();
            let name = &s.parties()[p].name;
            let short = r.shortfalls[p];
            let short = if short > 0.0 {
                Some(format!(
                    "{} short of its reservation{}",
                    range(r.shortfalls_best[p], short),
                    if r.shortfalls_best[p] < short { " as the open points go" } else { "" }
                ))
            } else {
                None
            };
            match (crossed.is_empty(), short) {
                (true, None) => None,
                (true, Some(x)) => Some(format!("{name} {x}")),
                (false, None) => {
                    Some(format!("{name} a crossed red line on {}", and_list(&dedup(crossed))))
                }
                (false, Some(x)) => Some(format!(
                    "{name} a crossed red line on {}, and {x}",
                    and_list(&dedup(crossed))
                )),
            }
        })
        .collect();
    if !gaps.is_empty() {
        out.push(format!("Remaining gap: {}.", gaps.join("; ")));
    }
    let others: Vec<usize> = (0..s.parties().len()).filter(|p| !parties.contains(p)).collect();
    if !others.is_empty() {
        let names = |v: Verdict| -> Vec<String> {
            others
                .iter()
                .filter(|&&p| r.verdicts_after[p] == v)
                .map(|&p| s.parties()[p].name.clone())
                .collect()
        };
        let (yes, maybe, no) =
            (names(Verdict::Accepts), names(Verdict::Depends), names(Verdict::Rejects));
        let mut parts = Vec::new();
        if !yes.is_empty() {
            parts.push(format!("{} would accept it", and_list(&yes)));
        }
        if !no.is_empty() {
            parts.push(format!("{} would reject it", and_list(&no)));
        }
        if !maybe.is_empty() {
            parts.push(format!(
                "{} would answer depending on how the open points are settled",
                and_list(&maybe)
            ));
        }
        out.push(format!("Of the other parties, {}.", and_list(&parts)));
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    v.retain(|x| {
        let new = !seen.contains(x);
        if new {
            seen.push(x.clone());
        }
        new
    });
    v
}

/// A few sentences a mediator could read aloud about a [`Mediation`]: which points to
/// change, what each revision crosses and whose verdict it changes (said first), how it
/// moves the counted parties and why, whether the answer is proved, and when no revision
/// works, what collides and what comes closest.
pub fn mediation_words(s: &Scenario, m: &Mediation) -> Vec<String> {
    words(s, m, false)
}

/// The sentences of [`mediation_words`] for a report that explains the deadlock in a
/// section of its own: when no revision works, they say whether any outcome at all is
/// acceptable and refer to that section instead of naming the colliding constraints.
pub fn narrow_words(s: &Scenario, m: &Mediation) -> Vec<String> {
    words(s, m, true)
}

fn words(s: &Scenario, m: &Mediation, deadlock_elsewhere: bool) -> Vec<String> {
    let title = &s.proposals()[m.proposal].title;
    let names: Vec<String> = m.parties.iter().map(|&p| s.parties()[p].name.clone()).collect();
    let who = and_list(&names);
    let k = m.max_changes;
    let within = format!("within {}", count(k, "change", "changes"));
    let changes = |r: &Revision| -> String {
        let items: Vec<String> = r.changes.iter().map(|c| change_words(s, c)).collect();
        items.join("; ")
    };
    let changes_sentence = |r: &Revision| -> String {
        format!("The {}: {}.", noun(r.changes.len(), "change", "changes"), changes(r))
    };
    let mut out = Vec::new();
    if let Some(r) = m.revisions.first().filter(|_| m.feasible) {
        let n = r.changes.len();
        match m.objective {
            Objective::FewestChanges if n == 0 => {
                out.push(format!("The {title} is already acceptable to {who} as it stands."))
            }
            Objective::FewestChanges => out.push(format!(
                "{} to the {title} {} {who} to accept it{}.",
                count(n, "change", "changes"),
                if n == 1 { "brings" } else { "bring" },
                if m.exact { ", and no fewer do" } else { "" }
            )),
            Objective::MaxMinSurplus => out.push(format!(
                "{within}, the revision of the {title} that does most for the worst-off of {who} {}.",
                if n == 0 { "is the draft itself" } else { "follows" }
            )),
            Objective::Nash => out.push(format!(
                "{within}, the revision of the {title} with the largest product of {} surpluses ({}) {}.",
                possessive(&who),
                num(r.objective),
                if n == 0 { "is the draft itself" } else { "follows" }
            )),
        }
        if let Some(first) = out.first_mut()
            && let Some(c) = first.get(..1)
        {
            *first = format!("{}{}", c.to_uppercase(), &first[1..]);
        }
        if n > 0 {
            out.push(stakes_words(s, r, "It"));
            out.push(changes_sentence(r));
            revision_words(s, &m.parties, r, &mut out);
        }
        if m.exact {
            out.push(match m.objective {
                Objective::FewestChanges => format!(
                    "No revision with fewer changes works: the search proved it by covering every smaller one ({} nodes).",
                    m.nodes
                ),
                _ => format!(
                    "This is proved best {within}: the search covered every revision of at most {} ({} nodes).",
                    count(k, "change", "changes"),
                    m.nodes
                ),
            });
        }
        if m.revisions.len() > 1 {
            let more = m.revisions.len() - 1;
            out.push(format!(
                "{} {} in rank{}.",
                count(more, "other revision", "other revisions"),
                if more == 1 { "follows" } else { "follow" },
                if m.exact { ", and the ranking is proved too" } else { "" }
            ));
        }
    } else {
        let both = if m.parties.len() == 2 { "both" } else { "all of" };
        if m.exact || m.deadlock.as_ref().is_some_and(|d| !d.feasible) {
            out.push(format!("No revision of the {title} {within} is accepted by {both} {who}."));
        } else {
            out.push(format!(
                "The search found no revision of the {title} {within} that {both} {who} accept before its work budget ran out; none is proved impossible."
            ));
        }
        match &m.deadlock {
            Some(d) if d.feasible => out.push(format!(
                "A deal does exist among {who}, but it needs more than {}.",
                count(k, "change", "changes")
            )),
            Some(_) if deadlock_elsewhere => out.push(format!(
                "No outcome at all is acceptable to {who}; the deadlock section says what collides."
            )),
            Some(d) => out.extend(crate::explain::explain(s, d)),
            None => out.push(format!(
                "Whether any outcome at all is acceptable to {who} was not decided within the work budget."
            )),
        }
        if let (Objective::MaxMinSurplus, Some(r)) = (m.objective, m.revisions.first()) {
            out.push(format!(
                "Keeping every red line, the most the worst-off can get is a surplus of {}, with {}.",
                num(r.objective),
                if r.changes.is_empty() { "no change".to_string() } else { changes(r) }
            ));
        }
        if let Some(r) = &m.closest {
            if r.changes.is_empty() {
                out.push(format!(
                    "The closest draft is the {title} itself: no change reduces the red lines crossed or the total shortfall."
                ));
            } else {
                out.push(stakes_words(
                    s,
                    r,
                    &format!(
                        "The closest revision (fewest red lines of {who} crossed or at risk, then the smallest total shortfall)"
                    ),
                ));
                out.push(changes_sentence(r));
                revision_words(s, &m.parties, r, &mut out);
            }
        }
    }
    if let Some(note) = &m.note {
        let mut chars = note.chars();
        let cap = chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>());
        out.push(format!("{}.", cap.unwrap_or_default()));
    }
    out
}
