//! How wide is the gap on a proposal, and which points make it.
//!
//! A party's **shortfall** is how far its utility falls below its reservation,
//! `max(0, reservation - utility)` (zero when within [`EPS`]). It is split over the points
//! in proportion to each point's **loss**: what the party gives up there against its best
//! option, `weight * (max_k value_k - value of the term)`, or for an open point
//! `weight * (max_k value_k - min_k value_k)`.

use detente_core::{Role, Scenario, Term};

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
    /// Sum of `shortfall_best` over the same parties.
    pub total_best: f64,
    /// One entry per issue with a positive share, by share (largest first), then issue.
    pub points: Vec<PointGap>,
    /// Every red line a settled term breaks, as `(party, issue, red_line)`, for all parties.
    pub red_lines_broken: Vec<(usize, usize, usize)>,
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
}

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
        (0..s.parties.len()).filter(|&p| s.parties[p].role == Role::Principal).collect();
    if principals.is_empty() { (0..s.parties.len()).collect() } else { principals }
}

/// Measures the gap on proposal `proposal` (an index into `s.proposals`).
///
/// # Panics
/// If `proposal` is out of range.
pub fn gap(s: &Scenario, proposal: usize) -> Gap {
    let evaluation = evaluate(s, proposal);
    let parties: Vec<PartyGap> = evaluation.parties.iter().map(|e| party_gap(s, e)).collect();
    let counted = counted_parties(s);
    let total = counted.iter().map(|&p| parties[p].shortfall).sum();
    let total_best = counted.iter().map(|&p| parties[p].shortfall_best).sum();
    let mut points: Vec<PointGap> = (0..s.issues.len())
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
    let red_lines_broken = evaluation
        .parties
        .iter()
        .flat_map(|e| {
            e.points.iter().flat_map(move |pt| {
                pt.red_lines_broken.iter().map(move |&r| (e.party, pt.issue, r))
            })
        })
        .collect();
    Gap { proposal, parties, total, total_best, points, red_lines_broken }
}

fn shortfall(reservation: f64, utility: f64) -> f64 {
    if reservation - utility > EPS { reservation - utility } else { 0.0 }
}

fn party_gap(s: &Scenario, e: &PartyEvaluation) -> PartyGap {
    let p = e.party;
    let shortfall_worst = shortfall(e.reservation, e.utility_min);
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
    PartyGap {
        party: p,
        shortfall: shortfall_worst,
        shortfall_best: shortfall(e.reservation, e.utility_max),
        points,
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
        let g = gap(&s, 1);
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
        let g = gap(&s, 0);
        assert_eq!(g.red_lines_broken, vec![(1, 0, 0)]);
        // Lowland's utility 0.47 is above its reservation 0.35: the red line is the gap.
        assert_eq!(g.total, 0.0);
        assert!(g.points.is_empty());
    }

    #[test]
    fn no_principal_counts_everyone() {
        let mut s = river();
        for p in &mut s.parties {
            p.role = Role::Stakeholder;
        }
        s.parties[2].reservation = 0.99;
        let g = gap(&s, 0);
        // Commission: dam 1/3 * 0.8 + mon 2/3 * 0.7.
        let u = 1.0 / 3.0 * 0.8 + 2.0 / 3.0 * 0.7;
        assert!(close(g.total, 0.99 - u));
        assert!(close(g.parties[2].points.iter().map(|x| x.1).sum::<f64>(), 0.99 - u));
    }

    mod props {
        use super::super::*;
        use crate::evaluate::{Verdict, evaluate};
        use crate::testkit::{GenConfig, random_scenario};
        use detente_core::{Outcome, Term};
        use proptest::prelude::*;

        /// Every fill of the open points of a proposal.
        fn fills(s: &Scenario, terms: &[Term]) -> Vec<Outcome> {
            let mut all = vec![vec![]];
            for (i, t) in terms.iter().enumerate() {
                let options: Vec<usize> = match t {
                    Term::Set(k) => vec![*k],
                    Term::Open => (0..s.issues[i].n_options()).collect(),
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
            all.into_iter().map(Outcome::new).collect()
        }

        /// Checks evaluate, gap and compare on one random scenario against brute force.
        fn check(seed: u64, n_parties: usize, n_issues: usize, n_options: usize, open_chance: f64) {
            let cfg = GenConfig {
                open_chance,
                n_proposals: 3,
                ..GenConfig::new(n_parties, n_issues, n_options)
            };
            let s = random_scenario(seed, &cfg);
            for j in 0..s.proposals.len() {
                let e = evaluate(&s, j);
                let all = fills(&s, &s.proposals[j].terms);
                for (p, pe) in e.parties.iter().enumerate() {
                    let us: Vec<f64> = all.iter().map(|o| s.utility(p, o)).collect();
                    let lo = us.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = us.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    assert!((pe.utility_min - lo).abs() < 1e-12);
                    assert!((pe.utility_max - hi).abs() < 1e-12);
                    let ok = |o: &Outcome| {
                        (0..s.issues.len()).all(|i| s.allowed(p, i, o.option(i)))
                            && s.utility(p, o) >= s.parties[p].reservation - EPS
                    };
                    match pe.verdict {
                        Verdict::Accepts => assert!(all.iter().all(ok)),
                        Verdict::Rejects => assert!(!all.iter().any(ok)),
                        Verdict::Depends => {
                            let broken = pe
                                .reasons
                                .iter()
                                .any(|r| matches!(r, crate::Reason::RedLineBroken { .. }));
                            assert!(!broken);
                        }
                    }
                    assert_eq!(pe.reasons.is_empty(), pe.verdict == Verdict::Accepts);
                }
                let g = gap(&s, j);
                for pg in &g.parties {
                    let pe = &e.parties[pg.party];
                    let want = (pe.reservation - pe.utility_min).max(0.0);
                    assert!((pg.shortfall - want).abs() <= EPS);
                    if !pg.points.is_empty() {
                        let sum: f64 = pg.points.iter().map(|x| x.1).sum();
                        assert!((sum - pg.shortfall).abs() < 1e-12);
                    } else if pg.shortfall > 0.0 {
                        // Only when the party loses nothing anywhere.
                        let best: f64 = (0..s.issues.len())
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
                let counted = counted_parties(&s);
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
            let c = crate::compare(&s, 0, 1);
            // The change of utility over every way of settling the points open in either
            // draft (a point open in both settled the same way in both).
            let (t0, t1) = (&s.proposals[0].terms, &s.proposals[1].terms);
            let either: Vec<Term> = t0
                .iter()
                .zip(t1)
                .map(|(a, b)| if *a == Term::Open || *b == Term::Open { Term::Open } else { *a })
                .collect();
            let settle = |terms: &[Term], o: &Outcome| {
                Outcome::new(
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
            let n_same = (0..s.issues.len())
                .filter(|&i| s.proposals[0].terms[i] == s.proposals[1].terms[i])
                .count();
            assert_eq!(c.changes.len() + n_same, s.issues.len());
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
}
