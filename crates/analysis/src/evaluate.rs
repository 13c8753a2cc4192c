//! Would each party accept a proposal? Per party and per point.
//!
//! A settled term has one value for a party; an open term has a range, from the party's
//! worst option of the issue to its best. A party's utility of a proposal is therefore an
//! interval `[utility_min, utility_max]`, equal ends when nothing is open.

use detente_core::{Scenario, Term};

use crate::EPS;

/// Every party's view of one proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Index of the proposal.
    pub proposal: usize,
    /// One entry per party, in party order.
    pub parties: Vec<PartyEvaluation>,
}

/// One party's view of one proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyEvaluation {
    /// Index of the party.
    pub party: usize,
    /// One entry per issue, in issue order.
    pub points: Vec<PointEvaluation>,
    /// Utility with every open point at the party's worst option (sum of `contribution_min`).
    pub utility_min: f64,
    /// Utility with every open point at the party's best option (sum of `contribution_max`).
    pub utility_max: f64,
    /// The party's reservation utility.
    pub reservation: f64,
    /// `utility_min - reservation`.
    pub surplus_min: f64,
    /// `utility_max - reservation`.
    pub surplus_max: f64,
    /// Accepts, rejects, or depends on the open points.
    pub verdict: Verdict,
    /// Why: every reason that applies, empty only for a clean accept.
    pub reasons: Vec<Reason>,
}

impl PartyEvaluation {
    /// How far the party's utility with every open point at its worst falls short of its
    /// reservation (`reservation - utility_min`, 0 when within [`EPS`]): the party's
    /// [`PartyGap::shortfall`](crate::PartyGap::shortfall), from the evaluation alone.
    pub fn shortfall(&self) -> f64 {
        crate::gap::shortfall(self.reservation, self.utility_min)
    }

    /// Whether some fill of the open points leaves the party below its reservation (its
    /// worst utility is short of it by more than [`EPS`]).
    pub fn may_fall_short(&self) -> bool {
        falls_short(self.utility_min, self.reservation)
    }

    /// How many points cross the party's red lines however the open points are settled:
    /// settled terms that break one, and open points every option of which does.
    pub fn n_points_crossed(&self) -> usize {
        self.points.iter().filter(|pt| !pt.red_lines_broken.is_empty()).count()
            + self.reasons.iter().filter(|r| matches!(r, Reason::OpenRedLineCrossed { .. })).count()
    }

    /// Whether some way of settling the open point on `issue` would cross one of the party's
    /// red lines (false for a settled point).
    pub fn open_red_line(&self, issue: usize) -> bool {
        self.reasons.iter().any(|r| {
            matches!(*r, Reason::OpenRedLineAtRisk { issue: i } | Reason::OpenRedLineCrossed { issue: i } if i == issue)
        })
    }

    /// Whether the party has nothing at stake on the open point on `issue`: no weight, and
    /// no option there would cross one of its red lines.
    pub fn no_stake_in_open(&self, issue: usize) -> bool {
        self.points[issue].verdict == PointVerdict::Open
            && self.points[issue].weight == 0.0
            && !self.open_red_line(issue)
    }
}

/// Whether `utility` falls short of `reservation` (does not reach it, [`detente_core::reaches`]).
fn falls_short(utility: f64, reservation: f64) -> bool {
    !detente_core::reaches(utility, reservation)
}

/// A party's verdict on a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// No settled term breaks a red line, the worst fill of the open points still reaches
    /// the reservation, and no open point could break a red line.
    Accepts,
    /// A settled term breaks a red line, every option of an open point breaks one, or even
    /// the best fill that keeps the party's red lines falls short of the reservation.
    Rejects,
    /// Neither: how the open points are settled decides.
    Depends,
}

impl Verdict {
    /// `accepts`, `rejects` or `depends`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepts => "accepts",
            Verdict::Rejects => "rejects",
            Verdict::Depends => "depends",
        }
    }
}

/// One reason behind a verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reason {
    /// A settled term breaks this red line of the party.
    RedLineBroken {
        /// The issue.
        issue: usize,
        /// Index of the red line in the party's stance on the issue.
        red_line: usize,
    },
    /// The utility falls short of the reservation.
    BelowReservation {
        /// When `certain`, the reservation less the best utility a fill of the open points
        /// that keeps the party's red lines gives (`reservation - utility_max` unless the
        /// party's best option on an open point crosses its own red line); else
        /// `reservation - utility_min`.
        shortfall: f64,
        /// Whether even the best fill of the open points (within the party's red lines, where
        /// it has a choice) falls short.
        certain: bool,
    },
    /// An open issue on which some option would break a red line of the party.
    OpenRedLineAtRisk {
        /// The issue.
        issue: usize,
    },
    /// An open issue on which every option breaks a red line of the party: however it is
    /// settled, a red line is crossed.
    OpenRedLineCrossed {
        /// The issue.
        issue: usize,
    },
}

/// One party's view of one point (issue) of a proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct PointEvaluation {
    /// The issue.
    pub issue: usize,
    /// The proposal's term on it.
    pub term: Term,
    /// The party's normalised weight of the issue.
    pub weight: f64,
    /// The value of the term, or the lowest value over the options when open.
    pub value_min: f64,
    /// The value of the term, or the highest value over the options when open.
    pub value_max: f64,
    /// `weight * value_min`.
    pub contribution_min: f64,
    /// `weight * value_max`.
    pub contribution_max: f64,
    /// The party's red lines (indices in its stance) that the settled term breaks.
    pub red_lines_broken: Vec<usize>,
    /// The party's verdict on this point alone.
    pub verdict: PointVerdict,
}

/// A party's verdict on one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PointVerdict {
    /// Settled, weight 0 and no red line broken.
    Indifferent,
    /// Settled, no red line broken, value at least the party's reservation.
    Accepts,
    /// Settled, no red line broken, value below the reservation: a concession it dislikes.
    Objects,
    /// The settled term breaks a red line.
    Rejects,
    /// Left open.
    Open,
}

impl PointVerdict {
    /// `indifferent`, `accepts`, `objects`, `rejects` or `open`.
    pub fn as_str(self) -> &'static str {
        match self {
            PointVerdict::Indifferent => "indifferent",
            PointVerdict::Accepts => "accepts",
            PointVerdict::Objects => "objects",
            PointVerdict::Rejects => "rejects",
            PointVerdict::Open => "open",
        }
    }
}

/// Evaluates proposal `proposal` (an index into `s.proposals()`) for every party.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `proposal` is out of range.
pub fn evaluate(s: &Scenario, proposal: usize) -> Result<Evaluation, crate::Error> {
    crate::mediate::check_proposal(s, proposal)?;
    let terms = &s.proposals()[proposal].terms;
    Ok(Evaluation {
        proposal,
        parties: (0..s.parties().len()).map(|p| evaluate_terms(s, p, terms)).collect(),
    })
}

/// Evaluates a list of terms (one per issue) for party `p`.
pub(crate) fn evaluate_terms(s: &Scenario, p: usize, terms: &[Term]) -> PartyEvaluation {
    let reservation = s.parties()[p].reservation;
    let mut points = Vec::with_capacity(terms.len());
    let mut reasons = Vec::new();
    let mut at_risk = Vec::new();
    let mut crossed_open = Vec::new();
    // Utility starts from the party's bias (0 unless raw), as `Scenario::utility` adds it.
    let bias = s.bias(p);
    let (mut utility_min, mut utility_max) = (bias, bias);
    // The best utility with every open point at the party's best option that keeps its red
    // lines (any option where none does).
    let mut best_kept = bias;
    for (i, &term) in terms.iter().enumerate() {
        let weight = s.weight(p, i);
        let point = match term {
            Term::Set(k) => {
                let value = s.value(p, i, k);
                let red_lines_broken = s.red_lines_broken(p, i, k);
                let verdict = if !red_lines_broken.is_empty() {
                    PointVerdict::Rejects
                } else if weight == 0.0 {
                    PointVerdict::Indifferent
                } else if value >= reservation - EPS {
                    PointVerdict::Accepts
                } else {
                    PointVerdict::Objects
                };
                reasons.extend(
                    red_lines_broken
                        .iter()
                        .map(|&r| Reason::RedLineBroken { issue: i, red_line: r }),
                );
                PointEvaluation {
                    issue: i,
                    term,
                    weight,
                    value_min: value,
                    value_max: value,
                    contribution_min: weight * value,
                    contribution_max: weight * value,
                    red_lines_broken,
                    verdict,
                }
            }
            Term::Open => {
                let values = s.values(p, i);
                let value_min = values.iter().copied().fold(f64::INFINITY, f64::min);
                let value_max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let allowed: Vec<usize> =
                    (0..values.len()).filter(|&k| s.allowed(p, i, k)).collect();
                if allowed.is_empty() {
                    crossed_open.push(Reason::OpenRedLineCrossed { issue: i });
                    best_kept += weight * value_max;
                } else {
                    if allowed.len() < values.len() {
                        at_risk.push(Reason::OpenRedLineAtRisk { issue: i });
                    }
                    best_kept += weight
                        * allowed.iter().map(|&k| values[k]).fold(f64::NEG_INFINITY, f64::max);
                }
                PointEvaluation {
                    issue: i,
                    term,
                    weight,
                    value_min,
                    value_max,
                    contribution_min: weight * value_min,
                    contribution_max: weight * value_max,
                    red_lines_broken: vec![],
                    verdict: PointVerdict::Open,
                }
            }
        };
        if let Term::Set(_) = term {
            best_kept += point.contribution_min;
        }
        utility_min += point.contribution_min;
        utility_max += point.contribution_max;
        points.push(point);
    }
    reasons.extend(crossed_open);
    let broken = !reasons.is_empty();
    // At most utility_max (summed in another order, so clamp).
    let best_kept = f64::min(best_kept, utility_max);
    let certain = best_kept < reservation - EPS;
    if certain {
        reasons.push(Reason::BelowReservation { shortfall: reservation - best_kept, certain });
    } else if utility_min < reservation - EPS {
        reasons.push(Reason::BelowReservation { shortfall: reservation - utility_min, certain });
    }
    let short = falls_short(utility_min, reservation);
    let risky = !at_risk.is_empty();
    reasons.extend(at_risk);
    let verdict = if broken || certain {
        Verdict::Rejects
    } else if !short && !risky {
        Verdict::Accepts
    } else {
        Verdict::Depends
    };
    PartyEvaluation {
        party: p,
        points,
        utility_min,
        utility_max,
        reservation,
        surplus_min: utility_min - reservation,
        surplus_max: utility_max - reservation,
        verdict,
        reasons,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use detente_core::*;

    /// A two-issue-plus-scale scenario with red lines of every kind and two proposals.
    pub(crate) fn river() -> Scenario {
        let parties = vec![
            Party::new("up", "Upland", Role::Principal, 1.0, 0.45),
            Party::new("low", "Lowland", Role::Principal, 1.0, 0.35),
            Party::new("com", "Commission", Role::Mediator, 1.0, 0.0),
        ];
        let issues = vec![
            Issue::scale("share", "Share", "%", 20.0, 80.0, 5.0),
            Issue::discrete("dam", "Dam", &["upland-only", "joint-board", "commission-run"]),
            Issue::discrete("mon", "Monitoring", &["self", "satellite", "inspectors"]),
            Issue::discrete("comp", "Compensation", &["none", "fund-10m", "fund-50m"]),
        ];
        let stances = vec![
            vec![
                Some(Stance::ideal(4.0, 30.0, 40.0).with_red_line(
                    RedLineKind::Bounds { min: None, max: Some(60.0) },
                    Some("needs water"),
                )),
                Some(
                    Stance::values(3.0, vec![1.0, 0.5, 0.0])
                        .with_red_line(RedLineKind::Forbid(vec![2]), Some("sovereignty")),
                ),
                Some(Stance::values(1.0, vec![1.0, 0.7, 0.2])),
                Some(
                    Stance::values(2.0, vec![1.0, 0.6, 0.0])
                        .with_red_line(RedLineKind::Forbid(vec![2]), Some("liability")),
                ),
            ],
            vec![
                Some(Stance::ideal(5.0, 70.0, 50.0).with_red_line(
                    RedLineKind::Bounds { min: Some(40.0), max: None },
                    Some("harvest"),
                )),
                Some(
                    Stance::values(2.0, vec![0.0, 0.7, 1.0])
                        .with_red_line(RedLineKind::Require(vec![1, 2]), Some("a say")),
                ),
                Some(Stance::values(2.0, vec![0.0, 0.6, 1.0])),
                Some(Stance::values(1.0, vec![0.0, 0.6, 1.0])),
            ],
            vec![
                None,
                Some(Stance::values(1.0, vec![0.2, 0.8, 1.0])),
                Some(Stance::values(2.0, vec![0.0, 0.7, 1.0])),
                None,
            ],
        ];
        let share = |x: f64| (x - 20.0) as usize / 5;
        let proposals = vec![
            Proposal {
                id: "draft".into(),
                title: "Draft".into(),
                author: Some(2),
                date: None,
                amends: None,
                terms: vec![Term::Set(share(35.0)), Term::Set(1), Term::Set(1), Term::Set(1)],
                stated: vec![true; 4],
                description: None,
            },
            Proposal {
                id: "markup".into(),
                title: "Markup".into(),
                author: Some(1),
                date: None,
                amends: Some(0),
                terms: vec![Term::Set(share(50.0)), Term::Set(1), Term::Set(2), Term::Open],
                stated: vec![true, false, true, true],
                description: None,
            },
        ];
        Scenario::new(Meta::named("river"), parties, issues, stances, proposals, vec![]).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn settled_proposal_matches_utility() {
        let s = river();
        let e = evaluate(&s, 0).unwrap();
        assert_eq!(e.parties.len(), 3);
        let o = Outcome::new(&s, vec![3, 1, 1, 1]).unwrap();
        for (p, pe) in e.parties.iter().enumerate() {
            assert_eq!(pe.utility_min, s.utility(p, &o));
            assert_eq!(pe.utility_min, pe.utility_max);
        }
        // Upland: share 35 -> 1 - 5/40 = 0.875; weights 0.4 0.3 0.1 0.2.
        let up = &e.parties[0];
        assert!(close(up.utility_min, 0.4 * 0.875 + 0.3 * 0.5 + 0.1 * 0.7 + 0.2 * 0.6));
        assert_eq!(up.verdict, Verdict::Accepts);
        assert!(up.reasons.is_empty());
        assert_eq!(up.points[0].verdict, PointVerdict::Accepts);
        assert_eq!(up.points[1].verdict, PointVerdict::Accepts); // 0.5 >= 0.45
        // Lowland: share 35 breaks its bound (min 40), 1 - 35/50 = 0.3.
        let low = &e.parties[1];
        assert!(close(low.utility_min, 0.5 * 0.3 + 0.2 * 0.7 + 0.2 * 0.6 + 0.1 * 0.6));
        assert_eq!(low.verdict, Verdict::Rejects);
        assert_eq!(low.reasons, vec![Reason::RedLineBroken { issue: 0, red_line: 0 }]);
        assert_eq!(low.points[0].verdict, PointVerdict::Rejects);
        assert_eq!(low.points[0].red_lines_broken, vec![0]);
        // Commission: no stance on share -> indifferent; reservation 0 accepts everything.
        let com = &e.parties[2];
        assert_eq!(com.points[0].verdict, PointVerdict::Indifferent);
        assert_eq!(com.points[0].weight, 0.0);
        assert_eq!(com.verdict, Verdict::Accepts);
    }

    #[test]
    fn open_point_gives_a_range() {
        let s = river();
        let e = evaluate(&s, 1).unwrap();
        let up = &e.parties[0];
        // share 50: 1 - 20/40 = 0.5; dam 0.5; inspectors 0.2; comp open in [0, 1].
        let base = 0.4 * 0.5 + 0.3 * 0.5 + 0.1 * 0.2;
        assert!(close(up.utility_min, base));
        assert!(close(up.utility_max, base + 0.2));
        assert_eq!(up.points[3].verdict, PointVerdict::Open);
        assert_eq!((up.points[3].value_min, up.points[3].value_max), (0.0, 1.0));
        assert!(close(up.points[3].contribution_max, 0.2));
        // 0.37 <= 0.45 <= 0.57: depends; fund-50m would break a red line.
        assert_eq!(up.verdict, Verdict::Depends);
        assert_eq!(up.reasons.len(), 2);
        match up.reasons[0] {
            Reason::BelowReservation { shortfall, certain } => {
                assert!(close(shortfall, 0.45 - base));
                assert!(!certain);
            }
            r => panic!("unexpected {r:?}"),
        }
        assert_eq!(up.reasons[1], Reason::OpenRedLineAtRisk { issue: 3 });
        assert!(close(up.surplus_min, base - 0.45));
        // Lowland: share 50 -> 1 - 20/50 = 0.6; joint 0.7; inspectors 1; comp in [0, 1].
        let low = &e.parties[1];
        let base = 0.5 * 0.6 + 0.2 * 0.7 + 0.2 * 1.0;
        assert!(close(low.utility_min, base));
        assert!(close(low.utility_max, base + 0.1));
        assert_eq!(low.verdict, Verdict::Accepts);
        // Points below the reservation are objections.
        assert_eq!(e.parties[0].points[2].verdict, PointVerdict::Objects);
    }

    #[test]
    fn best_fill_short_is_certain() {
        let s = river().edit(|s| s.parties[0].reservation = 0.9).unwrap();
        let up = &evaluate(&s, 1).unwrap().parties[0];
        assert_eq!(up.verdict, Verdict::Rejects);
        match up.reasons[0] {
            Reason::BelowReservation { shortfall, certain } => {
                assert!(close(shortfall, 0.9 - up.utility_max));
                assert!(certain);
            }
            r => panic!("unexpected {r:?}"),
        }
    }

    #[test]
    fn an_open_point_every_option_of_which_crosses_a_red_line_is_rejected() {
        // Upland forbids every compensation option: the markup leaves it open.
        let s = river()
            .edit(|s| {
                s.stances[0][3].as_mut().unwrap().red_lines[0].kind =
                    RedLineKind::Forbid(vec![0, 1, 2]);
            })
            .unwrap();
        let up = &evaluate(&s, 1).unwrap().parties[0];
        assert_eq!(up.verdict, Verdict::Rejects);
        assert!(up.reasons.contains(&Reason::OpenRedLineCrossed { issue: 3 }));
        assert!(!up.reasons.contains(&Reason::OpenRedLineAtRisk { issue: 3 }));
    }

    #[test]
    fn the_best_fill_must_keep_the_party_s_own_red_lines() {
        // Upland's favourite compensation ("none") is now one it forbids: its best fill
        // within its red lines is fund-10m (0.6), 0.37 + 0.12 = 0.49 < 0.52 <= 0.57.
        let s = river()
            .edit(|s| {
                s.stances[0][3].as_mut().unwrap().red_lines[0].kind = RedLineKind::Forbid(vec![0]);
                s.parties[0].reservation = 0.52;
            })
            .unwrap();
        let up = &evaluate(&s, 1).unwrap().parties[0];
        assert!(up.utility_max >= 0.52);
        assert_eq!(up.verdict, Verdict::Rejects);
        match up.reasons[0] {
            Reason::BelowReservation { shortfall, certain } => {
                assert!(certain);
                assert!(close(shortfall, 0.52 - (up.utility_min + 0.2 * 0.6)));
            }
            r => panic!("unexpected {r:?}"),
        }
    }

    #[test]
    fn reservation_met_within_eps() {
        let s = river();
        let o = Outcome::new(&s, vec![3, 1, 1, 1]).unwrap();
        let u = s.utility(0, &o);
        let near = s.clone().edit(|s| s.parties[0].reservation = u + 0.5 * EPS).unwrap();
        assert_eq!(evaluate(&near, 0).unwrap().parties[0].verdict, Verdict::Accepts);
        let far = s.edit(|s| s.parties[0].reservation = u + 2.0 * EPS).unwrap();
        assert_eq!(evaluate(&far, 0).unwrap().parties[0].verdict, Verdict::Rejects);
    }

    #[test]
    fn an_index_out_of_range_is_an_error_not_a_panic() {
        let s = river();
        let n = s.proposals().len();
        for j in [n, n + 1, usize::MAX] {
            let kind = |e: crate::Error| e.kind();
            assert_eq!(evaluate(&s, j).map_err(kind).unwrap_err(), crate::ErrorKind::InvalidInput);
            assert_eq!(
                crate::gap(&s, j).map_err(kind).unwrap_err(),
                crate::ErrorKind::InvalidInput
            );
            let to = crate::compare(&s, 0, j).map_err(kind).unwrap_err();
            assert_eq!(to, crate::ErrorKind::InvalidInput);
            let from = crate::compare(&s, j, 0).map_err(kind).unwrap_err();
            assert_eq!(from, crate::ErrorKind::InvalidInput);
        }
        let message = evaluate(&s, n).unwrap_err().to_string();
        assert_eq!(message, format!("proposal index {n} out of range (the scenario has {n})"));
    }

    #[test]
    fn what_a_party_s_evaluation_says_of_its_points() {
        let mut s = river();
        let e = evaluate(&s, 1).unwrap();
        let (up, low, com) = (&e.parties[0], &e.parties[1], &e.parties[2]);
        // Upland: 0.37 to 0.57 against 0.45; fund-50m on the open compensation crosses a
        // red line.
        assert!(up.may_fall_short() && !low.may_fall_short());
        assert!(up.open_red_line(3) && !up.open_red_line(2) && !low.open_red_line(3));
        assert_eq!(up.n_points_crossed(), 0);
        // The Commission has no stance on compensation; the others weigh it.
        assert!(com.no_stake_in_open(3) && !low.no_stake_in_open(3) && !up.no_stake_in_open(3));
        assert!(!com.no_stake_in_open(0), "a settled point is not open");
        // The draft sets share at 35, below Lowland's red line at 40.
        assert_eq!(evaluate(&s, 0).unwrap().parties[1].n_points_crossed(), 1);
        // Every compensation option forbidden: the open point counts as crossed.
        s = s
            .edit(|s| {
                s.stances[0][3].as_mut().unwrap().red_lines[0].kind =
                    RedLineKind::Forbid(vec![0, 1, 2])
            })
            .unwrap();
        let up = &evaluate(&s, 1).unwrap().parties[0];
        assert_eq!(up.n_points_crossed(), 1);
        assert!(up.open_red_line(3));
    }

    /// On raw scenarios (a bias, negative values) a settled draft's utility is the party's
    /// utility of that outcome, bias included, and the verdict follows it.
    #[test]
    fn raw_utilities_start_from_the_bias() {
        use detente_core::{Outcome, Proposal};
        use detente_testkit::{GenConfig, random_raw_scenario};
        for seed in 0..40 {
            let s = random_raw_scenario(seed, &GenConfig::new(3, 4, 3));
            let options: Vec<usize> =
                (0..s.issues().len()).map(|i| (seed as usize + i) % 3).collect();
            let s = s
                .edit(|p| {
                    p.proposals.push(Proposal {
                        id: "all-set".into(),
                        title: "all set".into(),
                        author: None,
                        date: None,
                        amends: None,
                        terms: options.iter().map(|&k| Term::Set(k)).collect(),
                        stated: vec![true; options.len()],
                        description: None,
                    })
                })
                .unwrap();
            let o = Outcome::new(&s, options).unwrap();
            let e = evaluate(&s, s.proposals().len() - 1).unwrap();
            for p in 0..s.parties().len() {
                let u = s.utility(p, &o);
                assert!((e.parties[p].utility_min - u).abs() < 1e-9, "seed {seed} party {p}");
                assert_eq!(e.parties[p].verdict == Verdict::Accepts, s.accepts(p, &o));
            }
        }
    }
}
