//! Tests of the Monte Carlo: against the deterministic analysis, exact enumeration and a
//! closed form; the same tally on any thread count and from shards merged in any order.

use super::*;
use detente_analysis::{DeadlockOptions, deadlock, evaluate, gap};
use detente_core::{
    Doubt, Estimate, Issue, Meta, Party, Proposal, RedLineKind, Role, Spread, Stance, StatedRange,
    Term,
};
use detente_testkit::{GenConfig, random_scenario};

/// Two principals, a mediator, three issues; `draft` and `new` settle everything, `open`
/// leaves the border open.
pub(crate) fn talks() -> Scenario {
    let parties = vec![
        Party::new("north", "North", Role::Principal, 1.0, 0.4),
        Party::new("south", "South", Role::Principal, 2.0, 0.5),
        Party::new("broker", "Broker", Role::Mediator, 1.0, 0.0),
    ];
    let issues = vec![
        Issue::discrete("border", "Border", &["old", "new", "joint"]),
        Issue::discrete("troops", "Troops", &["stay", "leave"]),
        Issue::scale("aid", "Aid", "bn", 0.0, 10.0, 2.5),
    ];
    let stances = vec![
        vec![
            Some(
                Stance::values(3.0, vec![1.0, 0.2, 0.6])
                    .with_red_line(RedLineKind::Forbid(vec![1]), Some("no new border")),
            ),
            Some(
                Stance::values(1.0, vec![0.0, 1.0])
                    .with_red_line(RedLineKind::Require(vec![1]), Some("troops out")),
            ),
            Some(Stance::ideal(1.0, 10.0, 10.0)),
        ],
        vec![
            Some(
                Stance::values(2.0, vec![0.1, 1.0, 0.5])
                    .with_red_line(RedLineKind::Require(vec![1]), Some("the new border")),
            ),
            Some(Stance::values(1.0, vec![1.0, 0.3])),
            Some(Stance::ideal(1.0, 0.0, 10.0)),
        ],
        vec![None, Some(Stance::values(1.0, vec![0.2, 0.8])), None],
    ];
    let proposal = |id: &str, terms: Vec<Term>| Proposal {
        id: id.into(),
        title: id.into(),
        author: Some(2),
        date: None,
        amends: None,
        stated: vec![true; terms.len()],
        terms,
        description: None,
    };
    let proposals = vec![
        proposal("draft", vec![Term::Set(2), Term::Set(1), Term::Set(2)]),
        proposal("open", vec![Term::Open, Term::Set(0), Term::Set(1)]),
        proposal("new", vec![Term::Set(1), Term::Set(1), Term::Set(2)]),
    ];
    Scenario::new(Meta::named("talks"), parties, issues, stances, proposals, vec![]).unwrap()
}

fn no_ranges(s: Scenario) -> Scenario {
    s.edit(|p| p.uncertainty.ungraded = None).unwrap()
}

fn run_quiet(s: &Scenario, o: &Options) -> Tally {
    run(s, o, &|_, _| {}).unwrap()
}

/// The deterministic answers: per proposal, each party's verdict, whether all counted
/// accept, and the gap; whether a deal exists and the conflict.
fn deterministic_matches(s: &Scenario, samples: u64) {
    let o = Options { threads: 2, ..Options::new(s, samples, 7) };
    let t = run_quiet(s, &o);
    assert_eq!(t.draws, samples);
    for pt in &t.proposals {
        let e = evaluate(s, pt.proposal).unwrap();
        let g = gap(s, pt.proposal).unwrap();
        for (p, counts) in pt.verdicts.iter().enumerate() {
            let mut want = [0; 3];
            want[verdict_index(e.parties[p].verdict)] = samples;
            assert_eq!(*counts, want, "party {p} on proposal {}", pt.proposal);
        }
        let all = o.counted.iter().all(|&p| e.parties[p].verdict == Verdict::Accepts);
        assert_eq!(pt.all_accept, if all { samples } else { 0 });
        // Every quantile and the mean are the deterministic gap, bit for bit.
        assert_eq!(pt.quantiles().unwrap(), [g.total; 7]);
        assert_eq!(pt.mean().unwrap(), g.total);
    }
    let d =
        deadlock(s, &DeadlockOptions { parties: Some(o.counted.clone()), max_nodes: o.max_nodes })
            .unwrap();
    let deal = &t.deal;
    assert_eq!(deal.not_exact(), 0);
    if d.feasible {
        assert_eq!(deal.exists, samples);
    } else {
        assert_eq!(deal.none, samples);
        let mut set: Vec<Collider> = d.conflict.iter().map(Collider::of).collect();
        set.sort_unstable();
        assert_eq!(deal.conflicts, BTreeMap::from([(set, samples)]));
    }
}

#[test]
fn with_no_ranges_a_study_is_the_deterministic_analysis() {
    let s = no_ranges(talks());
    assert_eq!(Inputs::of(&s).varying(), 0);
    deterministic_matches(&s, 50);
    // A deadlocked variant: South requires troops to stay, North requires them out.
    let s = s
        .edit(|p| {
            p.stances[1][1] = Some(
                Stance::values(1.0, vec![1.0, 0.3])
                    .with_red_line(RedLineKind::Forbid(vec![1]), None),
            )
        })
        .unwrap();
    deterministic_matches(&s, 50);
    for seed in 0..6 {
        let s = no_ranges(random_scenario(seed, &GenConfig::new(3, 4, 3)));
        if !s.proposals().is_empty() {
            deterministic_matches(&s, 20);
        }
    }
}

/// Whether `share` (of `n` draws) is within 4 standard errors of `p`.
fn near(share: u64, n: u64, p: f64) -> bool {
    let x = share as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt().max(1e-9);
    (x - p).abs() <= 4.0 * se
}

#[test]
fn doubtful_red_lines_match_exact_enumeration() {
    // The only uncertainty: doubts on three red lines. The exact probability of every
    // answer is the sum over the 2^3 combinations of which hold.
    let doubts = [
        (RedLineRef { party: 0, issue: 0, index: 0 }, 0.7),
        (RedLineRef { party: 0, issue: 1, index: 0 }, 0.4),
        (RedLineRef { party: 1, issue: 0, index: 0 }, 0.55),
    ];
    let s = no_ranges(talks())
        .edit(|p| {
            p.uncertainty.doubts =
                doubts.iter().map(|&(red_line, holds)| Doubt { red_line, holds }).collect();
        })
        .unwrap();
    let n = 20_000;
    let o = Options::new(&s, n, 11);
    let t = run_quiet(&s, &o);
    let deadlock_options = DeadlockOptions { parties: Some(o.counted.clone()), max_nodes: None };
    let mut exact_verdicts = vec![vec![[0.0; 3]; 3]; 3];
    let mut exact_all = [0.0; 3];
    let mut exact_deal = 0.0;
    let mut exact_collider: BTreeMap<Collider, f64> = BTreeMap::new();
    let mut scratch = s.clone();
    for mask in 0..8u32 {
        let mut weight = 1.0;
        let mut suspended = vec![];
        for (j, &(r, holds)) in doubts.iter().enumerate() {
            if mask >> j & 1 == 1 {
                weight *= holds;
            } else {
                weight *= 1.0 - holds;
                suspended.push(r);
            }
        }
        scratch.suspend_red_lines(&suspended).unwrap();
        for (j, pt) in t.proposals.iter().enumerate() {
            let e = evaluate(&scratch, pt.proposal).unwrap();
            for (p, pe) in e.parties.iter().enumerate() {
                exact_verdicts[j][p][verdict_index(pe.verdict)] += weight;
            }
            if o.counted.iter().all(|&p| e.parties[p].verdict == Verdict::Accepts) {
                exact_all[j] += weight;
            }
        }
        let d = deadlock(&scratch, &deadlock_options).unwrap();
        if d.feasible {
            exact_deal += weight;
        }
        for c in &d.conflict {
            *exact_collider.entry(Collider::of(c)).or_insert(0.0) += weight;
        }
    }
    let mut checked = 0;
    for (j, pt) in t.proposals.iter().enumerate() {
        for (p, (counts, exact)) in pt.verdicts.iter().zip(&exact_verdicts[j]).enumerate() {
            for (v, (&count, &x)) in counts.iter().zip(exact).enumerate() {
                assert!(near(count, n, x), "proposal {j} party {p} verdict {v}");
                checked += usize::from(x > 0.0 && x < 1.0);
            }
        }
        assert!(near(pt.all_accept, n, exact_all[j]));
    }
    assert!(checked >= 4, "the test must weigh answers that vary: {exact_verdicts:?}");
    assert!(exact_deal > 0.0 && exact_deal < 1.0);
    assert!(near(t.deal.exists, n, exact_deal));
    let by = t.deal.by_collider();
    assert!(!exact_collider.is_empty());
    for (c, p) in &exact_collider {
        assert!(near(by.get(c).copied().unwrap_or(0), n, *p), "{c:?}");
    }
    assert!(by.keys().all(|c| exact_collider.contains_key(c)));
}

#[test]
fn a_uniform_reservation_gives_the_closed_form_acceptance() {
    // North's utility of the draft is fixed; its reservation uniform on [0.2, 0.9]: it
    // accepts with probability (u - 0.2) / 0.7 (red lines kept by the draft).
    let s = no_ranges(talks())
        .edit(|p| {
            p.parties[0].reservation = 0.5;
            p.uncertainty.ranges.push(StatedRange {
                estimate: Estimate::Reservation { party: 0 },
                spread: Spread::Uniform { low: 0.2, high: 0.9 },
            });
        })
        .unwrap();
    let e = evaluate(&s, 0).unwrap();
    let u = e.parties[0].utility_min;
    assert!(
        u > 0.2
            && u < 0.9
            && e.parties[0]
                .reasons
                .iter()
                .all(|r| !matches!(r, detente_analysis::Reason::RedLineBroken { .. }))
    );
    let n = 20_000;
    let t = run_quiet(&s, &Options { proposals: vec![0], ..Options::new(&s, n, 3) });
    let p = (u + detente_analysis::EPS - 0.2) / 0.7;
    let pt = &t.proposals[0];
    assert!(near(pt.verdicts[0][0], n, p), "{} vs {p}", pt.verdicts[0][0]);
    assert_eq!(pt.verdicts[0][1], 0);
    // The gap is North's shortfall plus South's (which does not vary); North's is
    // max(0, r - u) for the drawn reservation r, whose median is 0.55.
    let south = gap(&s, 0).unwrap().parties[1].shortfall;
    let median = pt.quantile(0.5).unwrap() - south;
    assert!((median - (0.55 - u).max(0.0)).abs() < 0.02, "{median} {u}");
}

#[test]
fn the_same_tally_on_any_thread_count_and_from_shards_in_any_order() {
    // Default ranges (ungraded stances count as B) and a doubt.
    let s = talks()
        .edit(|p| {
            p.uncertainty.doubts =
                vec![Doubt { red_line: RedLineRef { party: 1, issue: 0, index: 0 }, holds: 0.5 }]
        })
        .unwrap();
    assert!(Inputs::of(&s).varying() > 10);
    let o = Options::new(&s, 500, 42);
    let one = run_quiet(&s, &Options { threads: 1, ..o.clone() });
    let four = run_quiet(&s, &Options { threads: 4, ..o.clone() });
    assert_eq!(one, four);
    assert!(one.proposals[0].gaps.windows(2).any(|w| w[0] != w[1]), "the gaps vary");
    one.check_counts().unwrap();
    let parts: Vec<Tally> = (0..3)
        .map(|index| run_quiet(&s, &Options { shard: Shard { index, count: 3 }, ..o.clone() }))
        .collect();
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        let given: Vec<Tally> = order.iter().map(|&j| parts[j].clone()).collect();
        let merged = Tally::merge(&given).unwrap();
        assert!(merged.missing().is_empty());
        assert_eq!(merged.held, vec![0, 1, 2]);
        // The same counts and gaps as one run; only the split differs.
        assert_eq!(Tally { shard_count: 1, held: vec![0], ..merged }, one);
    }
    // Two parts alone: one missing; the same part twice, or another study's, refused.
    assert_eq!(Tally::merge(&parts[..2]).unwrap().missing(), vec![2]);
    let twice = Tally::merge(&[parts[0].clone(), parts[0].clone()]).unwrap_err();
    assert!(twice.to_string().contains("shard 0/3 is given twice"), "{twice}");
    let other = run_quiet(&s, &Options { seed: 43, shard: Shard { index: 1, count: 3 }, ..o });
    assert!(Tally::merge(&[parts[0].clone(), other]).is_err());
    // A part whose counts do not add up is refused.
    let mut bad = parts[1].clone();
    bad.proposals[0].verdicts[0][0] += 1;
    assert!(Tally::merge(&[parts[0].clone(), bad]).is_err());
}

#[test]
fn quantiles_are_order_statistics_by_the_documented_rule() {
    let pt = ProposalTally {
        proposal: 0,
        verdicts: vec![],
        all_accept: 0,
        gaps: (1..=20).map(f64::from).collect(),
    };
    // rank max(1, ceil(q n)): 1, 1, 5, 10, 15, 19, 20.
    assert_eq!(pt.quantiles().unwrap(), [1.0, 1.0, 5.0, 10.0, 15.0, 19.0, 20.0]);
    assert_eq!(pt.mean().unwrap(), 10.5);
    let none = ProposalTally { gaps: vec![], ..pt };
    assert!(none.quantile(0.5).is_none() && none.mean().is_none());
}

#[test]
fn bad_options_are_refused_before_any_draw() {
    let s = talks();
    let o = Options::new(&s, 10, 0);
    let err = |o: Options| check(&s, &o).unwrap_err().to_string();
    assert!(err(Options { samples: 0, ..o.clone() }).contains("samples"));
    assert!(err(Options { samples: MAX_SAMPLES + 1, ..o.clone() }).contains("samples"));
    assert!(err(Options { proposals: vec![5], ..o.clone() }).contains("proposals"));
    assert!(err(Options { counted: vec![], ..o.clone() }).contains("counted"));
    assert!(err(Options { threads: MAX_THREADS + 1, ..o.clone() }).contains("threads"));
    assert!(err(Options { shard: Shard { index: 3, count: 2 }, ..o.clone() }).contains("shard"));
    assert!(err(Options { shard: Shard { index: 0, count: 11 }, ..o.clone() }).contains("shard"));
    assert_eq!(Shard::parse("2/5"), Some(Shard { index: 2, count: 5 }));
    assert_eq!(Shard::parse("5/5"), None);
    assert_eq!(Shard { index: 2, count: 3 }.draws_of(10), 3);
    assert_eq!(Shard { index: 0, count: 3 }.draws_of(10), 4);
    assert_eq!(Shard { index: 4, count: 5 }.draws_of(3), 0);
}

#[test]
fn fingerprints_tell_scenarios_apart() {
    let s = talks();
    assert_eq!(s.fingerprint(), talks().fingerprint());
    let t = s.clone().edit(|p| p.uncertainty.ungraded = None).unwrap();
    assert_ne!(s.fingerprint(), t.fingerprint());
}

#[test]
fn remembered_conflicts_are_those_the_search_finds() {
    // Doubts on three red lines: draws with the same red lines suspended and a conflict of
    // red lines alone take it from memory; every draw's answer must be the search's own.
    let s = talks()
        .edit(|p| {
            p.uncertainty.doubts = vec![
                Doubt { red_line: RedLineRef { party: 0, issue: 0, index: 0 }, holds: 0.7 },
                Doubt { red_line: RedLineRef { party: 0, issue: 1, index: 0 }, holds: 0.4 },
                Doubt { red_line: RedLineRef { party: 1, issue: 0, index: 0 }, holds: 0.55 },
            ]
        })
        .unwrap();
    let n = 300;
    let o = Options { threads: 1, ..Options::new(&s, n, 5) };
    let t = run_quiet(&s, &o);
    let mut sampler = Sampler::new(&s);
    let options = DeadlockOptions { parties: Some(o.counted.clone()), max_nodes: o.max_nodes };
    let mut want = DealTally::default();
    for k in 0..n {
        let x = sampler.draw(&mut Rng::derive(o.seed, &[k]));
        let d = deadlock(x, &options).unwrap();
        assert!(d.decided && d.minimal);
        if d.feasible {
            want.exists += 1;
        } else {
            let mut set: Vec<Collider> = d.conflict.iter().map(Collider::of).collect();
            set.sort_unstable();
            count_conflict(&mut want, &set);
        }
    }
    assert!(want.conflicts.len() >= 2, "{want:?}");
    assert_eq!(t.deal, want);
}
