//! Is any complete outcome acceptable to all parties? If not, which constraints collide?
//!
//! The **constraints** of the problem are every red line of every considered party and one
//! reservation constraint per considered party with a reservation above 0. An outcome
//! keeps a red-line constraint when its option on that issue keeps the red line, and a
//! reservation constraint when the party's utility is at least `reservation - EPS`.
//!
//! [`deadlock()`] decides exactly (see the search in `search.rs`) whether some outcome keeps
//! them all. If none does, it returns a **minimal conflict**: a set of constraints that no
//! outcome keeps together, while dropping any one of them lets some outcome keep the rest
//! (that outcome is given as the relaxation). Among the many minimal conflicts it prefers
//! red lines, listed first, over reservations: red lines are what a mediator can discuss.

use detente_core::{Outcome, RedLineRef, Scenario};

use crate::error::{Error, ErrorKind};
use crate::kit::Termination;
use crate::search::{Oracle, Stopped, allowed_options};

/// The default search budget of [`deadlock`], in nodes (a node whose bounds look at many
/// option rows counts as one more node per 1,024 rows x parties): a few seconds.
pub const DEFAULT_MAX_NODES: u64 = 2_000_000;

/// What [`deadlock`] considers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlockOptions {
    /// The parties whose consent is needed; `None` means all parties.
    pub parties: Option<Vec<usize>>,
    /// A search budget in nodes (default [`DEFAULT_MAX_NODES`]); `None` means unlimited.
    /// Spending it is never an error and never a guessed answer: before the question is
    /// decided it gives `decided: false`; after proving that no deal exists, the answer
    /// with `minimal: false` and no conflict. Either way the termination is
    /// [`Termination::BudgetReached`].
    pub max_nodes: Option<u64>,
}

impl Default for DeadlockOptions {
    fn default() -> DeadlockOptions {
        DeadlockOptions { parties: None, max_nodes: Some(DEFAULT_MAX_NODES) }
    }
}

/// One constraint of the deadlock problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// Keep this red line.
    RedLine {
        /// The party that holds it.
        party: usize,
        /// The issue it is on.
        issue: usize,
        /// Its index in the party's stance on the issue.
        red_line: usize,
    },
    /// Give this party at least its reservation utility.
    Reservation {
        /// The party.
        party: usize,
    },
}

impl Constraint {
    /// The party the constraint belongs to.
    pub fn party(&self) -> usize {
        match *self {
            Constraint::RedLine { party, .. } | Constraint::Reservation { party } => party,
        }
    }
}

/// The answer of [`deadlock`].
#[derive(Clone, Debug, PartialEq)]
pub struct Deadlock {
    /// Whether the search decided the question: false when the budget stopped it before it
    /// found an acceptable outcome or proved there is none (then `feasible` is false, and
    /// means "none found", and `minimal` is false).
    pub decided: bool,
    /// Whether some outcome is acceptable to every considered party (when `decided`).
    pub feasible: bool,
    /// Such an outcome, when feasible.
    pub witness: Option<Outcome>,
    /// When infeasible: a minimal conflict, red lines first (by issue, then party), then
    /// reservations (by party). No outcome keeps all of them; dropping any one lets some
    /// outcome keep the others.
    pub conflict: Vec<Constraint>,
    /// For each constraint of `conflict`, an outcome that keeps all the other constraints
    /// of `conflict`: what dropping that one constraint buys.
    pub relaxations: Vec<Outcome>,
    /// Whether `conflict` is a minimal conflict. False only when no deal exists (proved)
    /// but the search for a minimal conflict spent the budget: `conflict` and
    /// `relaxations` are then empty.
    pub minimal: bool,
    /// Search nodes used.
    pub nodes: u64,
    /// The parties considered, in order, without repeats.
    pub parties: Vec<usize>,
}

impl Deadlock {
    /// How the search ended: [`Termination::Exact`] with a witness,
    /// [`Termination::Infeasible`] with a minimal conflict, [`Termination::BudgetReached`]
    /// when the budget stopped it (undecided, or no deal proved without a minimal conflict).
    pub fn termination(&self) -> Termination {
        Termination::of(self.decided && (self.feasible || self.minimal), self.feasible)
    }
}

/// Every constraint of the problem for these parties, in the preference order of
/// explanations: red lines by issue, party and index (but those taken as not holding,
/// [`Scenario::suspend_red_lines`]), then reservations by party.
pub fn constraints(s: &Scenario, parties: &[usize]) -> Vec<Constraint> {
    let mut out = Vec::new();
    for issue in 0..s.issues().len() {
        for &party in parties {
            if let Some(stance) = &s.stances()[party][issue] {
                out.extend(
                    (0..stance.red_lines.len())
                        .filter(|&index| {
                            s.suspended_red_lines()
                                .binary_search(&RedLineRef { party, issue, index })
                                .is_err()
                        })
                        .map(|red_line| Constraint::RedLine { party, issue, red_line }),
                );
            }
        }
    }
    out.extend(
        parties
            .iter()
            .filter(|&&p| s.parties()[p].reservation > worst_utility(s, p))
            .map(|&party| Constraint::Reservation { party }),
    );
    out
}

/// Party `p`'s lowest utility over every outcome (red lines aside): its bias plus its worst
/// contribution on each issue. A reservation at or below it constrains nothing.
fn worst_utility(s: &Scenario, p: usize) -> f64 {
    s.bias(p)
        + (0..s.issues().len())
            .map(|i| s.contributions(p, i).iter().copied().reduce(f64::min).unwrap_or(0.0))
            .sum::<f64>()
}
/// Decides whether some complete outcome is acceptable to every considered party and, if
/// none is, finds a minimal conflict among their red lines and reservations.
///
/// Errors: [`ErrorKind::UnknownParty`] for a party index out of range. Spending
/// `max_nodes` is not an error: see [`Deadlock::termination`].
pub fn deadlock(s: &Scenario, options: &DeadlockOptions) -> Result<Deadlock, Error> {
    let parties: Vec<usize> = match &options.parties {
        None => (0..s.parties().len()).collect(),
        Some(list) => {
            if let Some(&p) = list.iter().find(|&&p| p >= s.parties().len()) {
                return Err(Error::new(
                    ErrorKind::UnknownParty,
                    format!(
                        "party index {p} out of range (the scenario has {})",
                        s.parties().len()
                    ),
                ));
            }
            let mut seen = Vec::new();
            for &p in list {
                if !seen.contains(&p) {
                    seen.push(p);
                }
            }
            seen
        }
    };
    let all = constraints(s, &parties);
    let mut oracle = Oracle::new(s, options.max_nodes);
    let first = match oracle.solve(&all) {
        Ok(found) => found,
        Err(Stopped) => {
            return Ok(Deadlock {
                decided: false,
                feasible: false,
                witness: None,
                conflict: vec![],
                relaxations: vec![],
                minimal: false,
                nodes: oracle.budget.nodes(),
                parties,
            });
        }
    };
    if let Some(w) = first {
        return Ok(Deadlock {
            decided: true,
            feasible: true,
            witness: Some(w),
            conflict: vec![],
            relaxations: vec![],
            minimal: true,
            nodes: oracle.budget.nodes(),
            parties,
        });
    }
    // No deal exists (proved). Past here a spent budget only leaves the conflict unminimised.
    let not_minimal = |nodes: u64, parties: Vec<usize>| Deadlock {
        decided: true,
        feasible: false,
        witness: None,
        conflict: vec![],
        relaxations: vec![],
        minimal: false,
        nodes,
        parties,
    };
    let conflict = match red_line_conflict(s, &all) {
        Some(c) => Ok(c),
        None => quick_xplain(&mut oracle, &mut Vec::new(), false, &all),
    };
    let Ok(mut conflict) = conflict else {
        return Ok(not_minimal(oracle.budget.nodes(), parties));
    };
    // Check minimality constraint by constraint; each check's witness is the relaxation.
    let mut relaxations = Vec::with_capacity(conflict.len());
    let mut j = 0;
    while j < conflict.len() {
        let rest: Vec<Constraint> =
            conflict.iter().enumerate().filter(|&(x, _)| x != j).map(|(_, c)| *c).collect();
        let Ok(found) = oracle.solve(&rest) else {
            return Ok(not_minimal(oracle.budget.nodes(), parties));
        };
        match found {
            Some(w) => {
                relaxations.push(w);
                j += 1;
            }
            None => {
                // Not needed after all (cannot happen with an exact oracle; kept for safety).
                conflict.remove(j);
            }
        }
    }
    Ok(Deadlock {
        decided: true,
        feasible: false,
        witness: None,
        conflict,
        relaxations,
        minimal: true,
        nodes: oracle.budget.nodes(),
        parties,
    })
}

/// When the red lines alone leave some issue without an option: a minimal set of that
/// issue's red lines that leaves none (the first such issue).
fn red_line_conflict(s: &Scenario, all: &[Constraint]) -> Option<Vec<Constraint>> {
    let red_lines: Vec<Constraint> =
        all.iter().copied().filter(|c| matches!(c, Constraint::RedLine { .. })).collect();
    if allowed_options(s, &red_lines).is_some() {
        return None;
    }
    let issue = (0..s.issues().len()).find(|&i| {
        let on: Vec<Constraint> = red_lines
            .iter()
            .copied()
            .filter(|c| matches!(c, Constraint::RedLine { issue, .. } if *issue == i))
            .collect();
        allowed_options(s, &on).is_none()
    })?;
    let mut set: Vec<Constraint> = red_lines
        .into_iter()
        .filter(|c| matches!(c, Constraint::RedLine { issue: x, .. } if *x == issue))
        .collect();
    // Deletion filter, last first, so the earliest red lines stay.
    for j in (0..set.len()).rev() {
        let mut without = set.clone();
        without.remove(j);
        if allowed_options(s, &without).is_none() {
            set = without;
        }
    }
    Some(set)
}

/// QuickXplain (Junker 2004): a minimal subset of `cons` that is infeasible together with
/// `background`, preferring constraints early in `cons`. Requires `background + cons`
/// infeasible.
fn quick_xplain(
    oracle: &mut Oracle<'_>,
    background: &mut Vec<Constraint>,
    changed: bool,
    cons: &[Constraint],
) -> Result<Vec<Constraint>, Stopped> {
    if changed && oracle.solve(background)?.is_none() {
        return Ok(vec![]);
    }
    if cons.len() <= 1 {
        return Ok(cons.to_vec());
    }
    let (first, second) = cons.split_at(cons.len() / 2);
    let len = background.len();
    background.extend_from_slice(first);
    let d2 = quick_xplain(oracle, background, !first.is_empty(), second)?;
    background.truncate(len);
    background.extend_from_slice(&d2);
    let d1 = quick_xplain(oracle, background, !d2.is_empty(), first)?;
    background.truncate(len);
    Ok(d1.into_iter().chain(d2).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EPS;
    use crate::evaluate::tests::river;
    use crate::search::Oracle;
    use detente_core::*;
    use detente_testkit::{GenConfig, random_raw_scenario, random_scenario};
    use proptest::prelude::*;

    /// Every outcome, by brute force.
    fn outcomes(s: &Scenario) -> Vec<Outcome> {
        let mut all = vec![vec![]];
        for issue in s.issues() {
            all = all
                .into_iter()
                .flat_map(|o: Vec<usize>| {
                    (0..issue.n_options()).map(move |k| {
                        let mut o = o.clone();
                        o.push(k);
                        o
                    })
                })
                .collect();
        }
        all.into_iter().map(Outcome::new_unchecked).collect()
    }

    fn keeps(s: &Scenario, o: &Outcome, set: &[Constraint]) -> bool {
        set.iter().all(|c| match *c {
            Constraint::RedLine { party, issue, red_line } => {
                let k = o.option(issue);
                s.stances()[party][issue].as_ref().unwrap().red_lines[red_line]
                    .allows(k, s.issues()[issue].scale_value(k))
            }
            Constraint::Reservation { party } => {
                s.utility(party, o) >= s.parties()[party].reservation - EPS
            }
        })
    }

    fn brute_feasible(s: &Scenario, all: &[Outcome], set: &[Constraint]) -> bool {
        all.iter().any(|o| keeps(s, o, set))
    }

    fn acceptable(s: &Scenario, o: &Outcome, parties: &[usize]) -> bool {
        parties.iter().all(|&p| {
            (0..s.issues().len()).all(|i| s.allowed(p, i, o.option(i)))
                && s.utility(p, o) >= s.parties()[p].reservation - EPS
        })
    }

    fn check_against_brute_force(s: &Scenario, parties: Option<Vec<usize>>) {
        let d = deadlock(s, &DeadlockOptions { parties, max_nodes: None }).unwrap();
        let all = outcomes(s);
        let brute = all.iter().any(|o| acceptable(s, o, &d.parties));
        assert_eq!(d.feasible, brute, "feasibility differs from brute force");
        if d.feasible {
            assert!(acceptable(s, d.witness.as_ref().unwrap(), &d.parties));
            assert!(d.conflict.is_empty() && d.relaxations.is_empty());
        } else {
            assert!(d.witness.is_none());
            assert!(!d.conflict.is_empty());
            assert!(!brute_feasible(s, &all, &d.conflict), "conflict is feasible");
            assert_eq!(d.relaxations.len(), d.conflict.len());
            for j in 0..d.conflict.len() {
                let mut rest = d.conflict.clone();
                rest.remove(j);
                assert!(brute_feasible(s, &all, &rest), "conflict is not minimal");
                assert!(keeps(s, &d.relaxations[j], &rest));
            }
        }
    }

    /// Every budget gives a true answer or says it did not decide: a tiny budget on random
    /// scenarios never guesses (checked by brute force), and the default has a budget.
    #[test]
    fn budgets_never_guess() {
        assert!(DeadlockOptions::default().max_nodes.is_some());
        let mut undecided = 0;
        for seed in 0..60 {
            let cfg = GenConfig {
                reservation_max: 0.9,
                red_line_chance: 0.2,
                n_proposals: 0,
                ..GenConfig::new(3, 5, 3)
            };
            let s = random_scenario(seed, &cfg);
            let all = outcomes(&s);
            let parties: Vec<usize> = (0..s.parties().len()).collect();
            let brute = all.iter().any(|o| acceptable(&s, o, &parties));
            for budget in [1, 2, 3, 5] {
                let opts = DeadlockOptions { parties: None, max_nodes: Some(budget) };
                let d = deadlock(&s, &opts).unwrap();
                if d.decided {
                    assert_eq!(d.feasible, brute);
                    if !d.minimal {
                        assert!(!d.feasible && d.conflict.is_empty());
                        assert_eq!(d.termination(), Termination::BudgetReached);
                    } else {
                        assert!(d.termination().is_exact());
                    }
                } else {
                    assert!(!d.feasible && !d.minimal && d.witness.is_none());
                    assert_eq!(d.termination(), Termination::BudgetReached);
                    undecided += 1;
                }
            }
        }
        assert!(undecided > 0);
    }

    /// 10 parties x 200 issues with demanding reservations: the default budget ends the
    /// search (here a smaller one, for a debug build), with an answer or "not decided".
    #[test]
    fn large_scenarios_end_within_the_budget() {
        use detente_testkit::{PlanConfig, random_plan};
        let cfg = PlanConfig { n_parties: 10, n_issues: 200, min_options: 3, max_options: 5 };
        let s = random_plan(2, &cfg)
            .edit(|s| {
                for p in &mut s.parties {
                    p.reservation = 0.62;
                }
                s.proposals.clear();
            })
            .unwrap();
        let opts = DeadlockOptions { parties: None, max_nodes: Some(20_000) };
        let d = deadlock(&s, &opts).unwrap();
        assert!(d.nodes <= 20_000 + 10_000);
    }

    #[test]
    fn river_is_feasible() {
        let s = river();
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        assert!(d.feasible);
        let w = d.witness.unwrap();
        for p in 0..3 {
            assert!(s.accepts(p, &w));
        }
        check_against_brute_force(&s, None);
    }

    #[test]
    fn red_lines_taken_as_not_holding_are_no_constraints() {
        // The colliding case below; with one of the colliding red lines suspended (a Monte
        // Carlo draw of its doubt) a deal exists, and the constraints leave it out.
        let mut s = river()
            .edit(|s| {
                if let Some(st) = &mut s.stances[0][1] {
                    st.red_lines.push(RedLine { kind: RedLineKind::Forbid(vec![1]), reason: None });
                }
                s.proposals.clear();
                s.sources.clear();
            })
            .unwrap();
        assert!(!deadlock(&s, &DeadlockOptions::default()).unwrap().feasible);
        let held = RedLineRef { party: 0, issue: 1, index: 1 };
        s.suspend_red_lines(&[held]).unwrap();
        let all = constraints(&s, &[0, 1, 2]);
        assert!(!all.contains(&Constraint::RedLine { party: 0, issue: 1, red_line: 1 }));
        assert!(all.contains(&Constraint::RedLine { party: 0, issue: 1, red_line: 0 }));
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        assert!(d.feasible && d.decided);
        s.suspend_red_lines(&[]).unwrap();
        assert!(!deadlock(&s, &DeadlockOptions::default()).unwrap().feasible);
    }

    #[test]
    fn colliding_red_lines_make_a_conflict_within_the_issue() {
        // Upland now also forbids the joint board: Lowland requires board or commission.
        let s = river()
            .edit(|s| {
                if let Some(st) = &mut s.stances[0][1] {
                    st.red_lines.push(RedLine { kind: RedLineKind::Forbid(vec![1]), reason: None });
                }
                s.proposals.clear();
                s.sources.clear();
            })
            .unwrap();
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        assert!(!d.feasible);
        assert_eq!(
            d.conflict,
            vec![
                Constraint::RedLine { party: 0, issue: 1, red_line: 0 },
                Constraint::RedLine { party: 0, issue: 1, red_line: 1 },
                Constraint::RedLine { party: 1, issue: 1, red_line: 0 },
            ]
        );
        check_against_brute_force(&s, None);
        // Without Lowland there is a deal.
        let d =
            deadlock(&s, &DeadlockOptions { parties: Some(vec![0, 2]), max_nodes: None }).unwrap();
        assert!(d.feasible);
        assert_eq!(d.parties, vec![0, 2]);
    }

    #[test]
    fn reservations_collide() {
        let s = river()
            .edit(|s| {
                s.parties[0].reservation = 0.8;
                s.parties[1].reservation = 0.6;
            })
            .unwrap();
        check_against_brute_force(&s, None);
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        assert!(!d.feasible);
        assert!(d.conflict.contains(&Constraint::Reservation { party: 0 }));
    }

    #[test]
    fn unreachable_reservation_alone() {
        let s = river().edit(|s| s.parties[2].reservation = 1.0).unwrap();
        // The commission's best: commission-run and inspectors, but Upland forbids
        // commission-run. Its best with the red line kept is 1/3 * 0.8 + 2/3.
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        assert!(!d.feasible);
        assert_eq!(
            d.conflict,
            vec![
                Constraint::RedLine { party: 0, issue: 1, red_line: 0 },
                Constraint::Reservation { party: 2 },
            ]
        );
        check_against_brute_force(&s, None);
    }

    /// Spending the budget is an answer that says it is not exact, never an error.
    #[test]
    fn budget_is_not_an_error() {
        let s = random_scenario(7, &GenConfig { reservation_max: 0.9, ..GenConfig::new(4, 8, 4) });
        let d = deadlock(&s, &DeadlockOptions { parties: None, max_nodes: Some(0) }).unwrap();
        assert!(!d.decided && !d.feasible && !d.minimal);
        assert_eq!(d.termination(), Termination::BudgetReached);
        let e =
            deadlock(&s, &DeadlockOptions { parties: Some(vec![9]), max_nodes: None }).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownParty);
    }

    #[test]
    fn no_parties_is_trivially_feasible() {
        let s = river();
        let d = deadlock(&s, &DeadlockOptions { parties: Some(vec![]), max_nodes: None }).unwrap();
        assert!(d.feasible);
        assert_eq!(d.witness, Some(Outcome::new(&s, vec![0; 4]).unwrap()));
    }

    #[test]
    fn oracle_witness_keeps_constraints() {
        let s = river();
        let all = constraints(&s, &[0, 1, 2]);
        let mut oracle = Oracle::new(&s, None);
        let w = oracle.solve(&all).unwrap().unwrap();
        assert!(all.iter().all(|c| Oracle::satisfies(&s, &w, c)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn deadlock_matches_brute_force(
            seed in any::<u64>(),
            n_parties in 2usize..=4,
            n_issues in 2usize..=5,
            n_options in 2usize..=4,
            reservation_max in 0.3f64..1.0,
            red_line_chance in 0.0f64..0.5,
            subset in any::<bool>(),
            raw in any::<bool>(),
        ) {
            let sizes = GenConfig::new(n_parties, n_issues, n_options);
            let cfg = GenConfig { reservation_max, red_line_chance, ..sizes };
            // Raw scenarios carry biases and negative values: utility starts from the bias.
            let s = if raw { random_raw_scenario(seed, &cfg) } else { random_scenario(seed, &cfg) };
            let parties = subset.then(|| vec![n_parties - 1, 0]);
            check_against_brute_force(&s, parties);
        }
    }
}
