//! How wide is the gap on a proposal, and which points make it.
//!
//! A party's **shortfall** is how far its utility falls below its reservation,
//! `max(0, reservation - utility)` (zero when within [`EPS`]). It is split over the points
//! in proportion to each point's **loss**: what the party gives up there against its best
//! option, `weight * (max_k value_k - value of the term)`, or for an open point
//! `weight * (max_k value_k - min_k value_k)`.

use detente_core::{RedLineRef, Role, Scenario, Term};

use crate::EPS;
use crate::evaluate::{PartyEvaluation, evaluate};

/// The gap on one proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    /// Index of the proposal.
    pub proposal: usize,
    /// One entry per party, in party order.
    pub parties: Vec<PartyGap>,
    /// Sum of `shortfall` over the principals (over all parties if none is a principal).
    pub total: f64,
    /// Sum of `shortfall_best` over the same parties: a lower bound of the total, not
    /// always reached (the open points may not go every party's way at once).
    pub total_best: f64,
    /// The total shortfall of the counted parties, lowest and highest over the ways the open
    /// points could be settled: exact when `total_exact`, else the bounds
    /// `(total_best, total)`.
    pub total_range: (f64, f64),
    /// Whether `total_range` is exact (every fill was weighed, or at most one counted party
    /// can fall short).
    pub total_exact: bool,
    /// The parties counted in the totals ([`counted_parties`]).
    pub counted: Vec<usize>,
    /// One entry per issue with a positive share, by share (largest first), then issue.
    pub points: Vec<PointGap>,
    /// Every red line a settled term breaks, for all parties.
    pub red_lines_broken: Vec<RedLineRef>,
}

/// One party's gap on a proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyGap {
    /// Index of the party.
    pub party: usize,
    /// `max(0, reservation - utility_min)`: with open points at their worst.
    pub shortfall: f64,
    /// `max(0, reservation - utility_max)`: with open points at their best.
    pub shortfall_best: f64,
    /// Each point's share of `shortfall` as `(issue, share)`: only positive shares, largest
    /// first (then by issue). The shares sum to `shortfall`, unless the party loses nothing
    /// on any point (its reservation is above its best outcome): then there are none.
    pub points: Vec<(usize, f64)>,
    /// Its red lines crossed however the open points are settled:
    /// those a settled term breaks, and on an open point every option of which breaks one,
    /// the red lines there that rule out some option.
    pub red_lines_crossed: Vec<RedLineRef>,
    /// Its red lines on open points that some options (not all) would break.
    pub red_lines_at_risk: Vec<RedLineRef>,
}

impl PartyGap {
    /// Whether a red line of the party is crossed however the open points are settled, so
    /// it cannot accept.
    pub fn crossed_whatever(&self) -> bool {
        !self.red_lines_crossed.is_empty()
    }

    /// The issues of its red lines crossed however the open points are settled, each once,
    /// in issue order.
    pub fn issues_crossed(&self) -> Vec<usize> {
        issues_of(&self.red_lines_crossed)
    }

    /// The open issues of its red lines at risk, each once, in issue order.
    pub fn issues_at_risk(&self) -> Vec<usize> {
        issues_of(&self.red_lines_at_risk)
    }
}

/// The issues of these red lines in issue order, each once.
fn issues_of(red_lines: &[RedLineRef]) -> Vec<usize> {
    let mut issues: Vec<usize> = red_lines.iter().map(|r| r.issue).collect();
    issues.dedup();
    issues
}

impl Gap {
    /// Whether a counted party has a red line crossed however the open points are settled:
    /// then no way of settling them brings every counted party to accept.
    pub fn blocked(&self) -> bool {
        self.counted.iter().any(|&p| self.parties[p].crossed_whatever())
    }
}

/// Fills weighed at most to make a total shortfall exact; beyond, the total is given as
/// bounds.
pub const MAX_FILLS: u64 = 100_000;

/// One point's part of the gap.
#[derive(Clone, Debug, PartialEq)]
pub struct PointGap {
    /// The issue.
    pub issue: usize,
    /// Sum of its shares over the parties counted in [`Gap::total`].
    pub share: f64,
    /// Those parties' positive shares, as `(party, share)`, in party order.
    pub by_party: Vec<(usize, f64)>,
}

/// The parties counted in gap totals: the principals, or everyone if none is a principal.
pub fn counted_parties(s: &Scenario) -> Vec<usize> {
    let principals: Vec<usize> =
        (0..s.parties().len()).filter(|&p| s.parties()[p].role == Role::Principal).collect();
    if principals.is_empty() { (0..s.parties().len()).collect() } else { principals }
}

/// Who the parties a question counts are, for saying so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whose {
    /// Every party of the scenario.
    Everyone,
    /// Exactly the principals, in file order (not every party).
    Principals,
    /// Another choice of parties (named by the user).
    Others,
}

/// Who `counted` (party indices, each at most once) are: every party, exactly the
/// principals, or others.
pub fn whose(s: &Scenario, counted: &[usize]) -> Whose {
    let principals = (0..s.parties().len()).filter(|&p| s.parties()[p].role == Role::Principal);
    if counted.len() == s.parties().len() {
        Whose::Everyone
    } else if counted.iter().copied().eq(principals) {
        Whose::Principals
    } else {
        Whose::Others
    }
}

/// Measures the gap on proposal `proposal` (an index into `s.proposals`).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `proposal` is out of range.
pub fn gap(s: &Scenario, proposal: usize) -> Result<Gap, crate::Error> {
    let evaluation = evaluate(s, proposal)?;
    let parties: Vec<PartyGap> = evaluation.parties.iter().map(|e| party_gap(s, e)).collect();
    let counted = counted_parties(s);
    let total = counted.iter().map(|&p| parties[p].shortfall).sum();
    let total_best = counted.iter().map(|&p| parties[p].shortfall_best).sum();
    let mut points: Vec<PointGap> = (0..s.issues().len())
        .map(|i| {
            let by_party: Vec<(usize, f64)> = counted
                .iter()
                .filter_map(|&p| {
                    parties[p].points.iter().find(|(j, _)| *j == i).map(|&(_, x)| (p, x))
                })
                .collect();
            PointGap { issue: i, share: by_party.iter().map(|(_, x)| x).sum(), by_party }
        })
        .filter(|g| g.share > 0.0)
        .collect();
    points.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.issue.cmp(&b.issue)));
    let (total_range, total_exact) =
        total_range(s, proposal, &parties, &counted, total_best, total);
    let red_lines_broken = evaluation
        .parties
        .iter()
        .flat_map(|e| {
            e.points.iter().flat_map(move |pt| {
                pt.red_lines_broken.iter().map(move |&index| RedLineRef {
                    party: e.party,
                    issue: pt.issue,
                    index,
                })
            })
        })
        .collect();
    Ok(Gap {
        proposal,
        parties,
        total,
        total_best,
        total_range,
        total_exact,
        counted,
        points,
        red_lines_broken,
    })
}

/// The lowest and highest total shortfall of the counted parties over every fill of the
/// open points, and whether it is exact: when at most one of them can fall short at all,
/// its own range; else by weighing every fill, up to [`MAX_FILLS`]; else the bounds.
fn total_range(
    s: &Scenario,
    proposal: usize,
    parties: &[PartyGap],
    counted: &[usize],
    lower: f64,
    upper: f64,
) -> ((f64, f64), bool) {
    let short: Vec<usize> =
        counted.iter().copied().filter(|&p| parties[p].shortfall > 0.0).collect();
    if short.len() <= 1 {
        return ((lower, upper), true);
    }
    let terms = &s.proposals()[proposal].terms;
    let open: Vec<usize> = (0..terms.len()).filter(|&i| terms[i] == Term::Open).collect();
    let n_fills = open
        .iter()
        .try_fold(1u64, |n, &i| n.checked_mul(s.issues()[i].n_options() as u64))
        .filter(|&n| n <= MAX_FILLS);
    if n_fills.is_none() {
        return ((lower, upper), false);
    }
    // Each short party's utility from the settled terms, then every fill by an odometer.
    let base: Vec<f64> = short
        .iter()
        .map(|&p| {
            (0..terms.len())
                .filter_map(|i| match terms[i] {
                    Term::Set(k) => Some(s.contribution(p, i, k)),
                    Term::Open => None,
                })
                .sum()
        })
        .collect();
    let mut digits = vec![0usize; open.len()];
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    loop {
        let total: f64 = short
            .iter()
            .zip(&base)
            .map(|(&p, &b)| {
                let u = b + open
                    .iter()
                    .zip(&digits)
                    .map(|(&i, &k)| s.contribution(p, i, k))
                    .sum::<f64>();
                shortfall(s.parties()[p].reservation, u)
            })
            .sum();
        lo = lo.min(total);
        hi = hi.max(total);
        // Next fill.
        let mut d = 0;
        loop {
            if d == open.len() {
                return ((lo, hi), true);
            }
            digits[d] += 1;
            if digits[d] < s.issues()[open[d]].n_options() {
                break;
            }
            digits[d] = 0;
            d += 1;
        }
    }
}

pub(crate) fn shortfall(reservation: f64, utility: f64) -> f64 {
    if reservation - utility > EPS { reservation - utility } else { 0.0 }
}

fn party_gap(s: &Scenario, e: &PartyEvaluation) -> PartyGap {
    let p = e.party;
    let shortfall_worst = e.shortfall();
    let losses: Vec<f64> = e
        .points
        .iter()
        .map(|pt| {
            let best = s.values(p, pt.issue).iter().copied().fold(0.0, f64::max);
            let loss = match pt.term {
                Term::Set(_) => pt.weight * (best - pt.value_min),
                Term::Open => pt.weight * (pt.value_max - pt.value_min),
            };
            loss.max(0.0)
        })
        .collect();
    let sum: f64 = losses.iter().sum();
    let mut points: Vec<(usize, f64)> = if shortfall_worst > 0.0 && sum > 0.0 {
        losses
            .iter()
            .enumerate()
            .map(|(i, &l)| (i, shortfall_worst * l / sum))
            .filter(|&(_, x)| x > 0.0)
            .collect()
    } else {
        vec![]
    };
    points.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (mut red_lines_crossed, mut red_lines_at_risk) = (vec![], vec![]);
    for pt in &e.points {
        match pt.term {
            Term::Set(_) => {
                red_lines_crossed.extend(pt.red_lines_broken.iter().map(|&index| RedLineRef {
                    party: p,
                    issue: pt.issue,
                    index,
                }))
            }
            Term::Open => {
                let n = s.issues()[pt.issue].n_options();
                let allowed = (0..n).filter(|&k| s.allowed(p, pt.issue, k)).count();
                let ruling_out = s.stances()[p][pt.issue].iter().flat_map(|st| {
                    st.red_lines.iter().enumerate().filter_map(|(r, line)| {
                        let x = |k| s.issues()[pt.issue].scale_value(k);
                        let here = RedLineRef { party: p, issue: pt.issue, index: r };
                        let holds = s.suspended_red_lines().binary_search(&here).is_err();
                        (holds && (0..n).any(|k| !line.allows(k, x(k)))).then_some(here)
                    })
                });
                if allowed == 0 {
                    red_lines_crossed.extend(ruling_out);
                } else if allowed < n {
                    red_lines_at_risk.extend(ruling_out);
                }
            }
        }
    }
    PartyGap {
        party: p,
        shortfall: shortfall_worst,
        shortfall_best: shortfall(e.reservation, e.utility_max),
        points,
        red_lines_crossed,
        red_lines_at_risk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::tests::river;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn gap_on_open_markup() {
        let s = river();
        let g = gap(&s, 1).unwrap();
        // Upland: u_min = 0.37, u_max = 0.57, reservation 0.45.
        let up = &g.parties[0];
        assert!(close(up.shortfall, 0.45 - 0.37));
        assert_eq!(up.shortfall_best, 0.0);
        // Losses: share 0.4 * (1 - 0.5) = 0.2, dam 0.3 * 0.5 = 0.15, mon 0.1 * 0.8 = 0.08,
        // comp (open) 0.2 * 1 = 0.2; sum 0.63.
        let sf = 0.45 - 0.37;
        let expect = [(0, sf * 0.2 / 0.63), (3, sf * 0.2 / 0.63), (1, sf * 0.15 / 0.63)];
        assert_eq!(up.points.len(), 4);
        for (got, want) in up.points.iter().zip(expect) {
            assert_eq!(got.0, want.0);
            assert!(close(got.1, want.1));
        }
        assert_eq!(up.points[3].0, 2);
        assert!(close(up.points.iter().map(|x| x.1).sum::<f64>(), up.shortfall));
        // Lowland accepts: no shortfall, no shares.
        assert_eq!(g.parties[1].shortfall, 0.0);
        assert!(g.parties[1].points.is_empty());
        // Totals over the two principals only.
        assert!(close(g.total, sf));
        assert_eq!(g.total_best, 0.0);
        assert_eq!(g.points.len(), 4);
        assert_eq!(g.points[0].issue, 0);
        assert_eq!(g.points[0].by_party.len(), 1);
        assert!(g.red_lines_broken.is_empty());
    }

    #[test]
    fn gap_lists_broken_red_lines() {
        let s = river();
        let g = gap(&s, 0).unwrap();
        assert_eq!(g.red_lines_broken, vec![RedLineRef { party: 1, issue: 0, index: 0 }]);
        // Lowland's utility 0.47 is above its reservation 0.35: the red line is the gap.
        assert_eq!(g.total, 0.0);
        assert!(g.points.is_empty());
    }

    #[test]
    fn no_principal_counts_everyone() {
        let mut s = river();
        s = s
            .edit(|s| {
                for p in &mut s.parties {
                    p.role = Role::Stakeholder;
                }
            })
            .unwrap();
        s = s.edit(|s| s.parties[2].reservation = 0.99).unwrap();
        let g = gap(&s, 0).unwrap();
        // Commission: dam 1/3 * 0.8 + mon 2/3 * 0.7.
        let u = 1.0 / 3.0 * 0.8 + 2.0 / 3.0 * 0.7;
        assert!(close(g.total, 0.99 - u));
        assert!(close(g.parties[2].points.iter().map(|x| x.1).sum::<f64>(), 0.99 - u));
    }

    mod props {
        use super::super::*;
        use crate::evaluate::{Verdict, evaluate};
        use detente_core::{Outcome, Term};
        use detente_testkit::{GenConfig, random_scenario};
        use proptest::prelude::*;

        /// Every fill of the open points of a proposal.
        fn fills(s: &Scenario, terms: &[Term]) -> Vec<Outcome> {
            let mut all = vec![vec![]];
            for (i, t) in terms.iter().enumerate() {
                let options: Vec<usize> = match t {
                    Term::Set(k) => vec![*k],
                    Term::Open => (0..s.issues()[i].n_options()).collect(),
                };
                all = all
                    .into_iter()
                    .flat_map(|o: Vec<usize>| {
                        options.iter().map(move |&k| {
                            let mut o = o.clone();
                            o.push(k);
                            o
                        })
                    })
                    .collect();
            }
            all.into_iter().map(Outcome::new_unchecked).collect()
        }

        /// Checks evaluate, gap and compare on one random scenario against brute force.
        fn check(seed: u64, n_parties: usize, n_issues: usize, n_options: usize, open_chance: f64) {
            let cfg = GenConfig {
                open_chance,
                n_proposals: 3,
                ..GenConfig::new(n_parties, n_issues, n_options)
            };
            let s = random_scenario(seed, &cfg);
            for j in 0..s.proposals().len() {
                let e = evaluate(&s, j).unwrap();
                let all = fills(&s, &s.proposals()[j].terms);
                for (p, pe) in e.parties.iter().enumerate() {
                    let us: Vec<f64> = all.iter().map(|o| s.utility(p, o)).collect();
                    let lo = us.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = us.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    assert!((pe.utility_min - lo).abs() < 1e-12);
                    assert!((pe.utility_max - hi).abs() < 1e-12);
                    let ok = |o: &Outcome| {
                        (0..s.issues().len()).all(|i| s.allowed(p, i, o.option(i)))
                            && s.utility(p, o) >= s.parties()[p].reservation - EPS
                    };
                    match pe.verdict {
                        Verdict::Accepts => assert!(all.iter().all(ok)),
                        Verdict::Rejects => assert!(!all.iter().any(ok)),
                        Verdict::Depends => {
                            // The open points decide: some fill is acceptable, some is not.
                            assert!(all.iter().any(ok) && !all.iter().all(ok));
                        }
                    }
                    assert_eq!(pe.reasons.is_empty(), pe.verdict == Verdict::Accepts);
                }
                let g = gap(&s, j).unwrap();
                for pg in &g.parties {
                    let pe = &e.parties[pg.party];
                    let want = (pe.reservation - pe.utility_min).max(0.0);
                    assert!((pg.shortfall - want).abs() <= EPS);
                    if !pg.points.is_empty() {
                        let sum: f64 = pg.points.iter().map(|x| x.1).sum();
                        assert!((sum - pg.shortfall).abs() < 1e-12);
                    } else if pg.shortfall > 0.0 {
                        // Only when the party loses nothing anywhere.
                        let best: f64 = (0..s.issues().len())
                            .map(|i| {
                                let top = s.values(pg.party, i).iter().copied().fold(0.0, f64::max);
                                s.weight(pg.party, i) * top
                            })
                            .sum();
                        assert!((pe.utility_min - best).abs() < 1e-12);
                    }
                    assert!(pg.points.windows(2).all(|w| w[0].1 >= w[1].1));
                    assert!(pg.points.iter().all(|x| x.1 > 0.0));
                }
                // A red line crossed whatever the open points: no fill keeps the party's red
                // lines; one at risk: some fill crosses it, some does not.
                for pg in &g.parties {
                    let p = pg.party;
                    let keeps =
                        |o: &Outcome| (0..s.issues().len()).all(|i| s.allowed(p, i, o.option(i)));
                    assert_eq!(pg.crossed_whatever(), !all.iter().any(keeps));
                    for &RedLineRef { issue: i, index: r, .. } in &pg.red_lines_at_risk {
                        let line = &s.stances()[p][i].as_ref().unwrap().red_lines[r];
                        let x = |o: &Outcome| s.issues()[i].scale_value(o.option(i));
                        assert!(all.iter().any(|o| !line.allows(o.option(i), x(o))));
                        assert!(all.iter().any(|o| s.allowed(p, i, o.option(i))));
                    }
                }
                // The total over every fill, against its range.
                let totals: Vec<f64> = all
                    .iter()
                    .map(|o| {
                        g.counted
                            .iter()
                            .map(|&p| shortfall(s.parties()[p].reservation, s.utility(p, o)))
                            .sum::<f64>()
                    })
                    .collect();
                let lo = totals.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = totals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if g.total_exact {
                    assert!((g.total_range.0 - lo).abs() < 1e-9, "{:?} vs {lo}", g.total_range);
                    assert!((g.total_range.1 - hi).abs() < 1e-9, "{:?} vs {hi}", g.total_range);
                } else {
                    assert!(g.total_range.0 <= lo + 1e-9 && hi <= g.total_range.1 + 1e-9);
                }
                let counted = counted_parties(&s);
                assert_eq!(counted, g.counted);
                let total: f64 = counted.iter().map(|&p| g.parties[p].shortfall).sum();
                assert!((g.total - total).abs() < 1e-12);
                let by_points: f64 = g.points.iter().map(|x| x.share).sum();
                let with_shares: f64 = counted
                    .iter()
                    .filter(|&&p| !g.parties[p].points.is_empty())
                    .map(|&p| g.parties[p].shortfall)
                    .sum();
                assert!((by_points - with_shares).abs() < 1e-9);
            }
            let c = crate::compare(&s, 0, 1).unwrap();
            // The change of utility over every way of settling the points open in either
            // draft (a point open in both settled the same way in both).
            let (t0, t1) = (&s.proposals()[0].terms, &s.proposals()[1].terms);
            let either: Vec<Term> = t0
                .iter()
                .zip(t1)
                .map(|(a, b)| if *a == Term::Open || *b == Term::Open { Term::Open } else { *a })
                .collect();
            let settle = |terms: &[Term], o: &Outcome| {
                Outcome::new_unchecked(
                    terms
                        .iter()
                        .enumerate()
                        .map(|(i, t)| match t {
                            Term::Set(k) => *k,
                            Term::Open => o.option(i),
                        })
                        .collect(),
                )
            };
            let all = fills(&s, &either);
            for pc in &c.parties {
                let p = pc.party;
                let ds: Vec<f64> = all
                    .iter()
                    .map(|o| s.utility(p, &settle(t1, o)) - s.utility(p, &settle(t0, o)))
                    .collect();
                let lo = ds.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = ds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                assert!((pc.delta_min - lo).abs() < 1e-9, "{} vs {lo}", pc.delta_min);
                assert!((pc.delta_max - hi).abs() < 1e-9, "{} vs {hi}", pc.delta_max);
            }
            for ch in &c.changes {
                assert!(ch.before != ch.after);
            }
            let n_same = (0..s.issues().len())
                .filter(|&i| s.proposals()[0].terms[i] == s.proposals()[1].terms[i])
                .count();
            assert_eq!(c.changes.len() + n_same, s.issues().len());
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn evaluate_and_gap_match_brute_force(
                seed in any::<u64>(),
                n_parties in 2usize..=4,
                n_issues in 2usize..=5,
                n_options in 2usize..=4,
                open_chance in 0.0f64..0.7,
            ) {
                check(seed, n_parties, n_issues, n_options, open_chance);
            }
        }
    }

    #[test]
    fn red_lines_by_issue_and_a_blocked_gap() {
        let pg = PartyGap {
            party: 0,
            shortfall: 0.0,
            shortfall_best: 0.0,
            points: vec![],
            red_lines_crossed: [(1, 0), (1, 2), (3, 0)]
                .map(|(issue, index)| RedLineRef { party: 0, issue, index })
                .to_vec(),
            red_lines_at_risk: vec![RedLineRef { party: 0, issue: 2, index: 1 }],
        };
        assert_eq!(pg.issues_crossed(), vec![1, 3]);
        assert_eq!(pg.issues_at_risk(), vec![2]);
        let s = river();
        // The draft crosses Lowland's red line on share (35 < 40): a principal is blocked.
        let g = gap(&s, 0).unwrap();
        assert_eq!(g.parties[1].issues_crossed(), vec![0]);
        assert!(g.blocked());
        // The markup leaves compensation open: Upland's red line there is at risk only.
        let g = gap(&s, 1).unwrap();
        assert_eq!(g.parties[0].issues_at_risk(), vec![3]);
        assert!(!g.blocked());
    }

    #[test]
    fn whose_deal_in_one_rule() {
        let mut s = river();
        assert_eq!(whose(&s, &counted_parties(&s)), Whose::Principals);
        assert_eq!(whose(&s, &[0, 1, 2]), Whose::Everyone);
        assert_eq!(whose(&s, &[2, 0, 1]), Whose::Everyone);
        assert_eq!(whose(&s, &[1, 0]), Whose::Others, "the principals, named out of order");
        assert_eq!(whose(&s, &[0, 2]), Whose::Others);
        s = s
            .edit(|s| {
                for p in &mut s.parties {
                    p.role = Role::Stakeholder;
                }
            })
            .unwrap();
        assert_eq!(whose(&s, &counted_parties(&s)), Whose::Everyone);
        assert_eq!(whose(&s, &[0, 1]), Whose::Others);
    }
}
