//! The single negotiating text procedure, as the United States ran it at Camp David (1978):
//! the mediator drafts one text, each party states its objections, the mediator revises,
//! and so on until all accept or no revision helps.
//!
//! The rules are documented on [`single_text()`].

use detente_core::{Scenario, Term};

use crate::EPS;
use crate::error::{Error, ErrorKind};
use crate::evaluate::{PartyEvaluation, Verdict, evaluate_terms};
use crate::kit::{Budget, Termination};
use crate::mediate::DEFAULT_BUDGET;
use detente_words::{and_list, count, possessive};

use crate::mediate::{
    Change, change_words, check_proposal, issue_ref, option_ref, range_words, resolve_parties,
};

/// Options of [`single_text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleTextOptions {
    /// At most this many revisions (rounds with a change), at least 1.
    pub max_rounds: usize,
    /// The parties whose objections count and whose acceptance is sought (party indices,
    /// in any order); `None` means the principals (everyone if none is a principal).
    pub parties: Option<Vec<usize>>,
    /// A work budget in steps, counted as the mediation search counts them (one step per
    /// option or term weighed for one party); [`DEFAULT_BUDGET`] by default, `None` means
    /// unlimited. Spending it ends the procedure with [`SingleTextEnd::BudgetReached`], a
    /// record that says it is not exact, never an error.
    pub budget: Option<u64>,
}

impl Default for SingleTextOptions {
    fn default() -> SingleTextOptions {
        SingleTextOptions { max_rounds: 30, parties: None, budget: Some(DEFAULT_BUDGET) }
    }
}

/// One objection of a party to a point of the draft.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Objection {
    /// The objecting party.
    pub party: usize,
    /// The issue.
    pub issue: usize,
    /// The option it would put instead: its best option that keeps its own red lines.
    pub option: usize,
    /// What it would gain in utility.
    pub gain: f64,
    /// Whether the draft's term breaks one of its red lines or, open, puts one at risk.
    pub red_line: bool,
}

/// One round of the procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct Round {
    /// The draft discussed in this round, one term per issue.
    pub draft: Vec<Term>,
    /// Each party's `(utility_min, utility_max)` on the draft, in party order.
    pub utilities: Vec<(f64, f64)>,
    /// Each party's verdict on the draft.
    pub verdicts: Vec<Verdict>,
    /// The principals' objections, one list per principal (in the order of
    /// [`SingleText::parties`]), most pressing first.
    pub objections: Vec<Vec<Objection>>,
    /// The mediator's revision for the next round; `None` in the last round.
    pub revision: Option<Change>,
}

/// Why the procedure ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SingleTextEnd {
    /// Every counted party accepts the last draft.
    Agreed,
    /// No single change improves the draft for the worst-off without crossing a red line.
    Stuck,
    /// The round limit was reached.
    RoundLimit,
    /// The work budget was reached before the mediator chose the next revision.
    BudgetReached,
}

impl SingleTextEnd {
    /// `agreed`, `stuck`, `round_limit` or `budget_reached`.
    pub fn as_str(self) -> &'static str {
        match self {
            SingleTextEnd::Agreed => "agreed",
            SingleTextEnd::Stuck => "stuck",
            SingleTextEnd::RoundLimit => "round_limit",
            SingleTextEnd::BudgetReached => "budget_reached",
        }
    }
}

/// The record of [`single_text`].
#[derive(Clone, Debug, PartialEq)]
pub struct SingleText {
    /// Index of the proposal the mediator started from.
    pub proposal: usize,
    /// The parties whose objections count, in party order: [`SingleTextOptions::parties`],
    /// by default the principals (everyone if none is).
    pub parties: Vec<usize>,
    /// The rounds, in order; the last has no revision.
    pub rounds: Vec<Round>,
    /// Why it ended.
    pub end: SingleTextEnd,
    /// Work steps used (see [`SingleTextOptions::budget`]).
    pub work: u64,
    /// The work budget the call had.
    pub budget: Option<u64>,
}

impl SingleText {
    /// How the procedure ended: [`Termination::BudgetReached`] when the work budget stopped
    /// it, else [`Termination::Exact`] (the record is exactly what the procedure does).
    pub fn termination(&self) -> Termination {
        Termination::of(self.end != SingleTextEnd::BudgetReached, true)
    }
}

/// The draft's standing: (minus the principals' red lines broken or at risk, smallest
/// surplus, total surplus); larger is better, compared in order.
fn standing(parties: &[usize], evals: &[PartyEvaluation]) -> (f64, f64, f64) {
    let mut red = 0usize;
    let mut min = f64::INFINITY;
    let mut total = 0.0;
    for &p in parties {
        let e = &evals[p];
        red += e
            .reasons
            .iter()
            .filter(|r| !matches!(r, crate::Reason::BelowReservation { .. }))
            .count();
        min = min.min(e.surplus_min);
        total += e.surplus_min;
    }
    (-(red as f64), min, total)
}

fn improves(a: (f64, f64, f64), b: (f64, f64, f64)) -> bool {
    if a.0 != b.0 {
        return a.0 > b.0;
    }
    if (a.1 - b.1).abs() > 1e-12 {
        return a.1 > b.1;
    }
    a.2 > b.2 + 1e-12
}

/// Party `p`'s objections to `terms`, most pressing first.
fn objections(s: &Scenario, p: usize, terms: &[Term]) -> Vec<Objection> {
    let mut out = Vec::new();
    for (i, &t) in terms.iter().enumerate() {
        let c = s.contributions(p, i);
        let mut best: Option<usize> = None;
        for k in 0..c.len() {
            if s.allowed(p, i, k) && best.is_none_or(|b| c[k] > c[b]) {
                best = Some(k);
            }
        }
        let Some(best) = best else { continue };
        let (now, red_line) = match t {
            Term::Set(k) => (c[k], !s.allowed(p, i, k)),
            Term::Open => (
                c.iter().copied().fold(f64::INFINITY, f64::min),
                (0..c.len()).any(|k| !s.allowed(p, i, k)),
            ),
        };
        let gain = c[best] - now;
        if red_line || (gain > 1e-12 && t != Term::Set(best)) {
            out.push(Objection { party: p, issue: i, option: best, gain, red_line });
        }
    }
    out.sort_by(|a, b| {
        b.red_line.cmp(&a.red_line).then(b.gain.total_cmp(&a.gain)).then(a.issue.cmp(&b.issue))
    });
    out
}

/// Runs the single negotiating text procedure from proposal `proposal` (an index into
/// `s.proposals`).
///
/// Each **round** starts from the current draft (the first is the proposal):
///
/// 1. every principal (every party if none is a principal, see [`counted_parties`](crate::counted_parties)) states
///    its **objections**: each point whose term breaks one of its red lines, or puts one
///    at risk when open, or is worth less to it than its best option that keeps its own red
///    lines, with that best option and what it would gain (its contribution of that option
///    minus its contribution of the term, the worst option of an open point); red-line
///    objections first, then by gain, largest first, then by issue;
/// 2. the mediator considers every point someone objects to and every option of it that
///    keeps every principal's red lines (a compromise need not be anyone's first choice),
///    and picks the one change that makes the draft best by, in order: fewest principals'
///    red lines broken or at risk, highest smallest surplus of a principal (raise the
///    worst-off), highest total surplus of the principals, then issue and option order;
/// 3. the change is made only if it strictly improves the draft on that order (first two
///    keys, or the third when they tie), so the procedure never cycles.
///
/// It stops when every principal accepts the draft ([`SingleTextEnd::Agreed`]), when no
/// change improves it ([`SingleTextEnd::Stuck`]: the mediator cannot move the worst-off
/// without crossing someone's red line), or after [`SingleTextOptions::max_rounds`]
/// revisions ([`SingleTextEnd::RoundLimit`]), or when the work budget is reached before the
/// mediator has chosen the next revision ([`SingleTextEnd::BudgetReached`], not exact:
/// [`SingleTextOptions::budget`]). It is a procedure, not a search: it makes
/// one change per round, greedily, and may stop where [`mediate`](crate::mediate()) would
/// find a revision that works.
///
/// Errors: [`ErrorKind::InvalidInput`] for a proposal index out of range, `max_rounds == 0`
/// (the procedure would stop before its first revision) or an empty list of parties;
/// [`ErrorKind::UnknownParty`] for a party index out of range.
pub fn single_text(
    s: &Scenario,
    proposal: usize,
    options: &SingleTextOptions,
) -> Result<SingleText, Error> {
    check_proposal(s, proposal)?;
    if options.max_rounds == 0 {
        return Err(Error::new(ErrorKind::InvalidInput, "max_rounds must be at least 1"));
    }
    let parties = resolve_parties(s, options.parties.as_deref())?;
    let mut draft = s.proposals()[proposal].terms.clone();
    let mut rounds = Vec::new();
    let budget = Budget::new(None, options.budget);
    // Evaluating a draft weighs one term per issue for every party.
    let eval_cost = (s.parties().len() * s.issues().len()) as u64;
    // Stating objections weighs every option of every issue for every counted party.
    let n_options: usize = s.issues().iter().map(|i| i.n_options()).sum();
    let objections_cost = (parties.len() * n_options) as u64;
    let eval = |terms: &[Term]| -> Vec<PartyEvaluation> {
        budget.charge(eval_cost);
        (0..s.parties().len()).map(|p| evaluate_terms(s, p, terms)).collect()
    };
    let end = loop {
        let evals = eval(&draft);
        budget.charge(objections_cost);
        let mut round = Round {
            draft: draft.clone(),
            utilities: evals.iter().map(|e| (e.utility_min, e.utility_max)).collect(),
            verdicts: evals.iter().map(|e| e.verdict).collect(),
            objections: parties.iter().map(|&p| objections(s, p, &draft)).collect(),
            revision: None,
        };
        if parties.iter().all(|&p| evals[p].verdict == Verdict::Accepts) {
            rounds.push(round);
            break SingleTextEnd::Agreed;
        }
        if rounds.len() >= options.max_rounds {
            rounds.push(round);
            break SingleTextEnd::RoundLimit;
        }
        let now = standing(&parties, &evals);
        let mut issues: Vec<usize> = round.objections.iter().flatten().map(|o| o.issue).collect();
        issues.sort_unstable();
        issues.dedup();
        let mut best: Option<((f64, f64, f64), Change)> = None;
        let mut stopped = budget.spent();
        'issues: for &i in &issues {
            for k in 0..s.issues()[i].n_options() {
                if draft[i] == Term::Set(k) || !parties.iter().all(|&p| s.allowed(p, i, k)) {
                    continue;
                }
                if budget.spent() {
                    stopped = true;
                    break 'issues;
                }
                let mut next = draft.clone();
                next[i] = Term::Set(k);
                let st = standing(&parties, &eval(&next));
                if best.as_ref().is_none_or(|(b, _)| improves(st, *b)) {
                    best = Some((st, Change { issue: i, before: draft[i], after: k }));
                }
            }
        }
        if stopped {
            rounds.push(round);
            break SingleTextEnd::BudgetReached;
        }
        match best {
            Some((st, change)) if improves(st, now) => {
                draft[change.issue] = Term::Set(change.after);
                round.revision = Some(change);
                rounds.push(round);
            }
            _ => {
                rounds.push(round);
                break SingleTextEnd::Stuck;
            }
        }
    };
    Ok(SingleText { proposal, parties, rounds, end, work: budget.work(), budget: options.budget })
}

/// What the mediator does at the end of round `n` (0-based) of `t`, in a few words:
/// the revision it makes, or why it makes none.
pub fn round_outcome(s: &Scenario, t: &SingleText, n: usize) -> String {
    let r = &t.rounds[n];
    match (&r.revision, n + 1 == t.rounds.len(), t.end) {
        (Some(c), _, _) => {
            // What the revision crosses and whose verdict it changes, with the change.
            let crossed: Vec<String> = (0..s.parties().len())
                .filter(|&p| !s.red_lines_broken(p, c.issue, c.after).is_empty())
                .map(|p| format!("{} red line on {}", possessive(&s.parties()[p].name), s.issues()[c.issue].id))
                .collect();
            let moved: Vec<String> = match t.rounds.get(n + 1) {
                Some(next) => (0..s.parties().len())
                    .filter(|&p| r.verdicts[p] != next.verdicts[p])
                    .map(|p| {
                        format!(
                            "{} {} -> {}",
                            s.parties()[p].id,
                            r.verdicts[p].as_str(),
                            next.verdicts[p].as_str()
                        )
                    })
                    .collect(),
                None => vec![],
            };
            let mut stakes = Vec::new();
            if !crossed.is_empty() {
                stakes.push(format!("crossing {}", and_list(&crossed)));
            }
            if !moved.is_empty() {
                stakes.push(format!("turning {}", moved.join(", ")));
            }
            format!(
                "the mediator revises {}{}",
                change_words(s, c),
                if stakes.is_empty() { String::new() } else { format!(", {}", stakes.join(" and ")) }
            )
        }
        (None, true, SingleTextEnd::Agreed) => {
            "every counted party accepts: no revision is needed".to_string()
        }
        (None, true, SingleTextEnd::Stuck) => {
            "no single change that keeps every counted party's red lines improves the draft: the text stops".to_string()
        }
        (None, true, SingleTextEnd::RoundLimit) => format!(
            "the round limit ({}) is reached: the text stops",
            count(t.rounds.len() - 1, "revision", "revisions")
        ),
        (None, true, SingleTextEnd::BudgetReached) => format!(
            "not exact: the work budget ({} steps) is reached before the mediator chooses a revision: the text stops",
            t.budget.unwrap_or(0)
        ),
        (None, _, _) => "no revision".to_string(),
    }
}

/// A few sentences a mediator could read aloud about a run of [`single_text`]: where it
/// started, what each counted party objected to most, the revisions in order, and how it
/// ended.
pub fn single_text_words(s: &Scenario, t: &SingleText) -> Vec<String> {
    let title = &s.proposals()[t.proposal].title;
    let names: Vec<String> = t.parties.iter().map(|&p| s.parties()[p].name.clone()).collect();
    let mut out = Vec::new();
    let Some(first) = t.rounds.first() else { return out };
    let standings = |r: &Round| -> String {
        let items: Vec<String> = t
            .parties
            .iter()
            .map(|&p| {
                format!(
                    "{} {} ({})",
                    s.parties()[p].name,
                    range_words(r.utilities[p]),
                    r.verdicts[p].as_str()
                )
            })
            .collect();
        and_list(&items)
    };
    out.push(format!(
        "Starting from the {title}, the mediator asks {} for their objections: {}.",
        and_list(&names),
        standings(first)
    ));
    let firsts: Vec<String> = t
        .parties
        .iter()
        .zip(&first.objections)
        .filter_map(|(&p, list)| {
            list.first().map(|o| {
                let why = match (o.red_line, first.draft[o.issue]) {
                    (false, _) => String::new(),
                    (true, Term::Open) => {
                        ", as the open point puts its red line at risk".to_string()
                    }
                    (true, Term::Set(_)) => ", as the draft crosses its red line".to_string(),
                };
                format!(
                    "{} objects to {}, most of all {} (it wants {}{why})",
                    s.parties()[p].name,
                    count(list.len(), "point", "points"),
                    issue_ref(s, o.issue),
                    option_ref(s, o.issue, o.option),
                )
            })
        })
        .collect();
    if !firsts.is_empty() {
        out.push(format!("{}.", firsts.join("; ")));
    }
    let changes: Vec<String> =
        t.rounds.iter().filter_map(|r| r.revision.as_ref()).map(|c| change_words(s, c)).collect();
    if !changes.is_empty() {
        out.push(format!(
            "In {} the mediator changes {}.",
            count(changes.len(), "revision", "revisions"),
            changes.join("; then ")
        ));
    }
    let last = t.rounds.last().unwrap_or(first);
    out.push(match t.end {
        SingleTextEnd::Agreed if changes.is_empty() => format!(
            "{} {} the {title} as it stands: {}.",
            and_list(&names),
            if names.len() == 1 { "accepts" } else { "accept" },
            standings(last)
        ),
        SingleTextEnd::Agreed => format!(
            "{} now {} the text: {}.",
            and_list(&names),
            if names.len() == 1 { "accepts" } else { "accept" },
            standings(last)
        ),
        SingleTextEnd::Stuck => format!(
            "{}no single change that keeps every counted party's red lines improves the text (fewer red lines crossed or at risk, then more for the worst-off), and it stops: {}.",
            if changes.is_empty() { "From the start, " } else { "Then " },
            standings(last)
        ),
        SingleTextEnd::RoundLimit => format!(
            "The round limit ({}) stops the text before every counted party accepts: {}.",
            count(changes.len(), "revision", "revisions"),
            standings(last)
        ),
        SingleTextEnd::BudgetReached => format!(
            "Not exact: the work budget ({} steps) stops the text after {}, before every counted party accepts: {}.",
            t.budget.unwrap_or(0),
            count(changes.len(), "revision", "revisions"),
            standings(last)
        ),
    });
    if t.end != SingleTextEnd::Agreed {
        let blocking: Vec<String> = t
            .parties
            .iter()
            .zip(&last.objections)
            .filter_map(|(&p, list)| {
                let red: Vec<String> = list
                    .iter()
                    .filter(|o| o.red_line)
                    .map(|o| s.issues()[o.issue].id.clone())
                    .collect();
                (!red.is_empty()).then(|| {
                    format!(
                        "{} red {} on {}",
                        possessive(&s.parties()[p].name),
                        if red.len() == 1 { "line" } else { "lines" },
                        and_list(&red)
                    )
                })
            })
            .collect();
        if !blocking.is_empty() {
            out.push(format!("Still in the way: {}.", and_list(&blocking)));
        }
        let short: Vec<String> = t
            .parties
            .iter()
            .filter(|&&p| last.utilities[p].0 < s.parties()[p].reservation - EPS)
            .map(|&p| {
                let lo = s.parties()[p].reservation - last.utilities[p].1;
                let hi = s.parties()[p].reservation - last.utilities[p].0;
                format!(
                    "{} is {} short of its reservation",
                    s.parties()[p].name,
                    detente_words::range(lo.max(0.0), hi)
                )
            })
            .collect();
        if !short.is_empty() {
            out.push(format!("{}.", and_list(&short)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::tests::river;
    use detente_testkit::{GenConfig, random_scenario};

    #[test]
    fn river_agrees_after_one_revision() {
        let s = river();
        let t = single_text(&s, 0, &SingleTextOptions::default()).unwrap();
        assert_eq!(t.end, SingleTextEnd::Agreed);
        assert_eq!(t.rounds.len(), 2);
        // Lowland objects first to the share, which crosses its red line (at least 40 %).
        let low = &t.rounds[0].objections[1];
        assert_eq!((low[0].issue, low[0].red_line), (0, true));
        assert_eq!(t.rounds[0].verdicts[1], Verdict::Rejects);
        // The mediator picks the share that does most for the worse-off: 40 %, not Lowland's 70 %.
        assert_eq!(t.rounds[0].revision, Some(Change { issue: 0, before: Term::Set(3), after: 4 }));
        assert_eq!(t.rounds[1].draft[0], Term::Set(4));
        assert!(t.rounds[1].revision.is_none());
        let words = single_text_words(&s, &t);
        assert_eq!(words[2], "In 1 revision the mediator changes share (Share) from 35 % to 40 %.");
        assert!(
            words[3].starts_with("Upland and Lowland now accept the text: Upland 0.64 (accepts)")
        );
        // The last round says why the mediator revises nothing: everyone accepts.
        assert_eq!(
            round_outcome(&s, &t, 0),
            "the mediator revises share (Share) from 35 % to 40 %, turning low rejects -> accepts"
        );
        assert_eq!(round_outcome(&s, &t, 1), "every counted party accepts: no revision is needed");
    }

    #[test]
    fn zero_rounds_and_bad_parties_are_refused() {
        let s = river();
        let e = single_text(&s, 0, &SingleTextOptions { max_rounds: 0, ..Default::default() })
            .unwrap_err();
        assert_eq!(e.message(), "max_rounds must be at least 1");
        let e = single_text(&s, 3, &SingleTextOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let options = SingleTextOptions { parties: Some(vec![5]), ..Default::default() };
        assert_eq!(single_text(&s, 0, &options).unwrap_err().kind(), ErrorKind::UnknownParty);
        // Upland alone accepts the draft: no revision, and the words say so.
        let options = SingleTextOptions { parties: Some(vec![0]), ..Default::default() };
        let t = single_text(&s, 0, &options).unwrap();
        assert_eq!((t.end, t.rounds.len()), (SingleTextEnd::Agreed, 1));
        let words = single_text_words(&s, &t);
        assert!(words.last().unwrap().starts_with("Upland accepts the Draft as it stands"));
    }

    /// A work budget stops the procedure with a record that says it is not exact, never an
    /// error; the default budget lets the river case run to its agreement.
    #[test]
    fn budget_ends_the_text_not_exact() {
        let s = river();
        let t = single_text(&s, 0, &SingleTextOptions::default()).unwrap();
        assert_eq!((t.end, t.termination()), (SingleTextEnd::Agreed, Termination::Exact));
        assert!(t.work > 0);
        let options = SingleTextOptions { budget: Some(1), ..Default::default() };
        let t = single_text(&s, 0, &options).unwrap();
        assert_eq!(t.end, SingleTextEnd::BudgetReached);
        assert_eq!(t.termination(), Termination::BudgetReached);
        assert_eq!(t.rounds.len(), 1);
        assert!(t.rounds[0].revision.is_none());
        let words = single_text_words(&s, &t);
        assert!(words.iter().any(|w| w.starts_with("Not exact: the work budget (1 steps)")));
        assert!(round_outcome(&s, &t, 0).starts_with("not exact: the work budget (1 steps)"));
    }

    #[test]
    fn stuck_on_colliding_red_lines() {
        let s = river()
            .edit(|s| {
                if let Some(st) = &mut s.stances[0][1] {
                    st.red_lines.push(detente_core::RedLine {
                        kind: detente_core::RedLineKind::Forbid(vec![1]),
                        reason: None,
                    });
                }
            })
            .unwrap();
        let t = single_text(&s, 0, &SingleTextOptions::default()).unwrap();
        assert_eq!(t.end, SingleTextEnd::Stuck);
        let words = single_text_words(&s, &t);
        assert!(words.iter().any(|w| w.starts_with("Still in the way: Upland's red line on dam")));
    }

    #[test]
    fn every_revision_improves_and_keeps_red_lines() {
        for seed in 0..100u64 {
            let s = random_scenario(
                seed,
                &GenConfig { red_line_chance: 0.3, ..GenConfig::new(3, 6, 4) },
            );
            let t = single_text(&s, 0, &SingleTextOptions { max_rounds: 10, ..Default::default() })
                .unwrap();
            assert!(t.rounds.len() <= 11);
            for w in t.rounds.windows(2) {
                let c = w[0].revision.expect("a revision between rounds");
                assert!(t.parties.iter().all(|&p| s.allowed(p, c.issue, c.after)));
                let evals = |d: &[Term]| -> Vec<PartyEvaluation> {
                    (0..s.parties().len()).map(|p| evaluate_terms(&s, p, d)).collect()
                };
                let a = standing(&t.parties, &evals(&w[0].draft));
                let b = standing(&t.parties, &evals(&w[1].draft));
                assert!(improves(b, a));
            }
            let last = t.rounds.last().unwrap();
            assert!(last.revision.is_none());
            let agreed = t.parties.iter().all(|&p| last.verdicts[p] == Verdict::Accepts);
            assert_eq!(agreed, t.end == SingleTextEnd::Agreed);
        }
    }
}
