//! Deadlock results in words, for mediators.

use detente_core::{IssueKind, RedLineKind, Scenario, format_number};

use detente_words::{and_list, count, distinct, num, possessive};

use crate::deadlock::{Constraint, Deadlock};
use crate::search::{allowed_options, red_line_of};

fn issue_ref(s: &Scenario, i: usize) -> String {
    format!("{} ({})", s.issues()[i].id, s.issues()[i].name)
}

fn quoted_options(s: &Scenario, i: usize, options: &[usize]) -> String {
    options
        .iter()
        .map(|&k| format!("{:?}", s.issues()[i].option_label(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The options left on an issue: a range on a scale when they are contiguous.
fn options_left(s: &Scenario, i: usize, options: &[usize]) -> String {
    let issue = &s.issues()[i];
    match options {
        [first, .., last] if issue.is_scale() && last - first + 1 == options.len() => {
            format!("{} to {}", issue.option_label(*first), issue.option_label(*last))
        }
        _ => quoted_options(s, i, options),
    }
}

/// One constraint in words, e.g. `Upland forbids on dam (Who operates the dam):
/// "The commission operates the dam" - <reason>` or `Upland needs a utility of at least
/// 0.45 (its reservation)`. A constraint naming nothing in the scenario gives
/// `unknown constraint`.
pub fn describe_constraint(s: &Scenario, c: &Constraint) -> String {
    match *c {
        Constraint::RedLine { party, issue, red_line } => {
            let Some(r) = red_line_of(s, party, issue, red_line) else {
                return "unknown constraint".to_string();
            };
            let who = &s.parties()[party].name;
            let at = issue_ref(s, issue);
            let what = match &r.kind {
                RedLineKind::Forbid(o) => {
                    format!("forbids on {at}: {}", quoted_options(s, issue, o))
                }
                RedLineKind::Require(o) => {
                    format!("requires on {at}: one of {}", quoted_options(s, issue, o))
                }
                RedLineKind::Bounds { min, max } => {
                    let unit = match &s.issues()[issue].kind {
                        IssueKind::Scale { unit, .. } => format!(" {unit}"),
                        IssueKind::Discrete { .. } => String::new(),
                    };
                    let range = match (min, max) {
                        (Some(a), Some(b)) => {
                            format!("between {} and {}{unit}", format_number(*a), format_number(*b))
                        }
                        (Some(a), None) => format!("at least {}{unit}", format_number(*a)),
                        (None, Some(b)) => format!("at most {}{unit}", format_number(*b)),
                        (None, None) => "any value".to_string(),
                    };
                    format!("requires on {at}: {range}")
                }
            };
            match &r.reason {
                Some(reason) => format!("{who} {what} - {reason}"),
                None => format!("{who} {what}"),
            }
        }
        Constraint::Reservation { party } => match s.parties().get(party) {
            Some(p) => {
                format!(
                    "{} needs a utility of at least {} (its reservation)",
                    p.name,
                    num(p.reservation)
                )
            }
            None => "unknown constraint".to_string(),
        },
    }
}

/// A few sentences on a deadlock result: which outcome works, or what collides and why.
pub fn explain(s: &Scenario, d: &Deadlock) -> Vec<String> {
    let names =
        |ps: &[usize]| -> Vec<String> { ps.iter().map(|&p| s.parties()[p].name.clone()).collect() };
    let mut out = Vec::new();
    if d.feasible {
        let Some(w) = &d.witness else { return out };
        let terms: Vec<String> = (0..s.issues().len())
            .map(|i| format!("{} {:?}", s.issues()[i].id, s.issues()[i].option_label(w.option(i))))
            .collect();
        let who = names(&d.parties);
        let all = match who.len() {
            1 => "",
            2 => "both ",
            _ => "all ",
        };
        out.push(format!(
            "A deal is possible: {} can {all}accept, for example, {}.",
            and_list(&who),
            terms.join(", ")
        ));
        let gains: Vec<String> = d
            .parties
            .iter()
            .map(|&p| {
                let (u, r) = distinct(s.utility(p, w), s.parties()[p].reservation);
                format!("{} {u} (reservation {r})", s.parties()[p].name)
            })
            .collect();
        if !gains.is_empty() {
            out.push(format!("It gives {}.", and_list(&gains)));
        }
        return out;
    }
    let k = d.conflict.len();
    out.push(if k == 1 {
        format!(
            "No outcome is acceptable to {}: 1 constraint cannot be met, and dropping it would open a deal.",
            and_list(&names(&d.parties))
        )
    } else {
        format!(
            "No outcome is acceptable to {}: {} collide, and dropping any one of them would open a deal.",
            and_list(&names(&d.parties)),
            count(k, "constraint", "constraints")
        )
    });
    let red_lines: Vec<Constraint> =
        d.conflict.iter().copied().filter(|c| matches!(c, Constraint::RedLine { .. })).collect();
    let mut issues: Vec<usize> = red_lines
        .iter()
        .filter_map(|c| match *c {
            Constraint::RedLine { issue, .. } => Some(issue),
            Constraint::Reservation { .. } => None,
        })
        .collect();
    issues.dedup();
    for &i in &issues {
        let on: Vec<Constraint> = red_lines
            .iter()
            .copied()
            .filter(|c| matches!(c, Constraint::RedLine { issue, .. } if *issue == i))
            .collect();
        let mut owners: Vec<usize> = on.iter().map(Constraint::party).collect();
        owners.sort_unstable();
        owners.dedup();
        let whose: Vec<String> = names(&owners).iter().map(|n| possessive(n)).collect();
        match allowed_options(s, &on) {
            None if owners.len() == 1 => out.push(format!(
                "No option of {} keeps all of {} red lines.",
                issue_ref(s, i),
                whose[0]
            )),
            None => out.push(format!(
                "No option of {} keeps {}{} red lines.",
                issue_ref(s, i),
                if owners.len() == 2 { "both " } else { "all of " },
                and_list(&whose)
            )),
            Some(allowed) => out.push(format!(
                "{} red line{} on {} leave{} only {}.",
                and_list(&whose),
                if on.len() == 1 { "" } else { "s" },
                issue_ref(s, i),
                if on.len() == 1 { "s" } else { "" },
                options_left(s, i, &allowed[i])
            )),
        }
    }
    let reserving: Vec<usize> = d
        .conflict
        .iter()
        .filter_map(|c| match *c {
            Constraint::Reservation { party } => Some(party),
            Constraint::RedLine { .. } => None,
        })
        .collect();
    if !reserving.is_empty()
        && let Some(allowed) = allowed_options(s, &red_lines)
    {
        let best = |p: usize| -> f64 {
            s.bias(p)
                + (0..s.issues().len())
                    .map(|i| {
                        allowed[i]
                            .iter()
                            .map(|&k| s.contribution(p, i, k))
                            .reduce(f64::max)
                            .unwrap_or(0.0)
                    })
                    .sum::<f64>()
        };
        let prefix = if red_lines.is_empty() {
            "Even with every red line dropped, ".to_string()
        } else {
            "With these red lines kept, ".to_string()
        };
        if let [p] = reserving[..] {
            let (most, r) = distinct(best(p), s.parties()[p].reservation);
            out.push(format!(
                "{prefix}{} can get at most {most}, below its reservation {r}.",
                s.parties()[p].name
            ));
        } else {
            let ups: Vec<String> = reserving
                .iter()
                .map(|&p| format!("{} up to {}", s.parties()[p].name, num(best(p))))
                .collect();
            let needs: Vec<String> = reserving
                .iter()
                .map(|&p| format!("{} {}", s.parties()[p].name, num(s.parties()[p].reservation)))
                .collect();
            out.push(format!(
                "{prefix}{} could each get enough on their own ({}), but no single outcome gives all of them their reservations ({}).",
                and_list(&names(&reserving)),
                and_list(&ups),
                and_list(&needs)
            ));
            // Where they pull apart: what the best joint option on an issue costs them.
            let mut pulls: Vec<(f64, usize)> = (0..s.issues().len())
                .map(|i| {
                    let tops: Vec<f64> = reserving
                        .iter()
                        .map(|&p| allowed[i].iter().map(|&k| s.value(p, i, k)).fold(0.0, f64::max))
                        .collect();
                    let cost = allowed[i]
                        .iter()
                        .map(|&k| {
                            reserving
                                .iter()
                                .zip(&tops)
                                .map(|(&p, top)| s.weight(p, i) * (top - s.value(p, i, k)))
                                .sum::<f64>()
                        })
                        .fold(f64::INFINITY, f64::min);
                    (cost, i)
                })
                .filter(|&(c, _)| c > 1e-9)
                .collect();
            pulls.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let top: Vec<String> = pulls.iter().take(3).map(|&(_, i)| issue_ref(s, i)).collect();
            if !top.is_empty() {
                out.push(format!("They pull apart most on {}.", and_list(&top)));
            }
        }
    }
    let moves: Vec<String> = d
        .conflict
        .iter()
        .map(|c| match *c {
            Constraint::RedLine { party, issue, .. } => {
                format!(
                    "{} gives up a red line on {}",
                    s.parties()[party].name,
                    s.issues()[issue].id
                )
            }
            Constraint::Reservation { party } => format!(
                "{} accepts less than {}",
                s.parties()[party].name,
                num(s.parties()[party].reservation)
            ),
        })
        .collect();
    if k > 1 {
        out.push(format!("Any one of these moves opens a deal: {}.", moves.join("; ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadlock::{DeadlockOptions, deadlock};
    use crate::evaluate::tests::river;

    #[test]
    fn describes_every_kind() {
        let s = river();
        let c = Constraint::RedLine { party: 0, issue: 1, red_line: 0 };
        assert_eq!(
            describe_constraint(&s, &c),
            "Upland forbids on dam (Dam): \"commission-run\" - sovereignty"
        );
        let c = Constraint::RedLine { party: 1, issue: 1, red_line: 0 };
        assert_eq!(
            describe_constraint(&s, &c),
            "Lowland requires on dam (Dam): one of \"joint-board\", \"commission-run\" - a say"
        );
        let c = Constraint::RedLine { party: 0, issue: 0, red_line: 0 };
        assert_eq!(
            describe_constraint(&s, &c),
            "Upland requires on share (Share): at most 60 % - needs water"
        );
        let c = Constraint::Reservation { party: 0 };
        assert_eq!(
            describe_constraint(&s, &c),
            "Upland needs a utility of at least 0.45 (its reservation)"
        );
        let c = Constraint::RedLine { party: 2, issue: 0, red_line: 0 };
        assert_eq!(describe_constraint(&s, &c), "unknown constraint");
    }

    #[test]
    fn explains_a_feasible_result() {
        let s = river();
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        let text = explain(&s, &d);
        assert_eq!(text.len(), 2);
        assert!(text[0].starts_with("A deal is possible: Upland, Lowland and Commission"));
        assert!(text[1].contains("Upland"));
    }

    #[test]
    fn explains_a_reservation_out_of_reach() {
        let s = river().edit(|s| s.parties[2].reservation = 1.0).unwrap();
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        let text = explain(&s, &d);
        assert_eq!(
            text,
            vec![
                "No outcome is acceptable to Upland, Lowland and Commission: 2 constraints collide, and dropping any one of them would open a deal.",
                "Upland's red line on dam (Dam) leaves only \"upland-only\", \"joint-board\".",
                "With these red lines kept, Commission can get at most 0.93, below its reservation 1.00.",
                "Any one of these moves opens a deal: Upland gives up a red line on dam; Commission accepts less than 1.00.",
            ]
        );
    }

    #[test]
    fn explains_colliding_reservations() {
        use detente_core::*;
        let parties = vec![
            Party::new("a", "Alpha", Role::Principal, 1.0, 0.7),
            Party::new("b", "Beta", Role::Principal, 1.0, 0.7),
        ];
        let issues = vec![
            Issue::discrete("split", "Split", &["a-more", "even", "b-more"]),
            Issue::discrete("venue", "Venue", &["a-city", "b-city"]),
        ];
        let stances = vec![
            vec![
                Some(Stance::values(3.0, vec![1.0, 0.6, 0.0])),
                Some(Stance::values(1.0, vec![1.0, 0.0])),
            ],
            vec![
                Some(Stance::values(3.0, vec![0.0, 0.6, 1.0])),
                Some(Stance::values(1.0, vec![0.0, 1.0])),
            ],
        ];
        let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![]).unwrap();
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        assert_eq!(
            explain(&s, &d),
            vec![
                "No outcome is acceptable to Alpha and Beta: 2 constraints collide, and dropping any one of them would open a deal.",
                "Even with every red line dropped, Alpha and Beta could each get enough on their own (Alpha up to 1.00 and Beta up to 1.00), but no single outcome gives all of them their reservations (Alpha 0.70 and Beta 0.70).",
                "They pull apart most on split (Split) and venue (Venue).",
                "Any one of these moves opens a deal: Alpha accepts less than 0.70; Beta accepts less than 0.70.",
            ]
        );
    }

    #[test]
    fn scale_ranges_in_words() {
        let s = river();
        assert_eq!(options_left(&s, 0, &[4, 5, 6]), "40 % to 50 %");
        assert_eq!(options_left(&s, 0, &[4, 6]), "\"40 %\", \"50 %\"");
        assert_eq!(options_left(&s, 1, &[0, 1]), "\"upland-only\", \"joint-board\"");
    }

    #[test]
    fn a_single_constraint_is_not_a_collision() {
        use detente_core::*;
        let parties = vec![Party::new("a", "Alpha", Role::Principal, 1.0, 0.7)];
        let issues = vec![Issue::discrete("split", "Split", &["a-more", "even"])];
        let stances = vec![vec![Some(Stance::values(1.0, vec![0.5, 0.6]))]];
        let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![]).unwrap();
        let d = deadlock(&s, &DeadlockOptions::default()).unwrap();
        let text = explain(&s, &d);
        assert_eq!(
            text[0],
            "No outcome is acceptable to Alpha: 1 constraint cannot be met, and dropping it would open a deal."
        );
    }

    #[test]
    fn two_parties_can_both_accept() {
        let s = river();
        let d = deadlock(&s, &DeadlockOptions { parties: Some(vec![0, 1]), ..Default::default() })
            .unwrap();
        assert!(
            explain(&s, &d)[0]
                .starts_with("A deal is possible: Upland and Lowland can both accept")
        );
    }
}
