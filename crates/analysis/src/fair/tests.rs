//! Fair division against brute force on small instances, and its edge cases.

use super::*;
use detente_core::Rng;

/// A random instance: `n` parties, `m` items, integer values 0-9 (about a fifth zero, so
/// parties who value few items, or nothing, occur), half the time times pi (off any grid).
fn instance(rng: &mut Rng, n: usize, m: usize) -> Valuations {
    let scale = if rng.chance(0.5) { 1.0 } else { std::f64::consts::PI };
    let values = (0..n)
        .map(|_| {
            (0..m)
                .map(|_| if rng.chance(0.2) { 0.0 } else { scale * rng.below(10) as f64 })
                .collect()
        })
        .collect();
    Valuations::new(
        (0..m).map(|i| format!("i{i}")).collect(),
        (0..n).map(|p| format!("p{p}")).collect(),
        values,
    )
    .unwrap()
}

/// Every allocation of `m` items among `n` parties, as owner vectors.
fn every_allocation(n: usize, m: usize) -> impl Iterator<Item = Vec<usize>> {
    (0..n.pow(m as u32)).map(move |mut code| {
        (0..m)
            .map(|_| {
                let o = code % n;
                code /= n;
                o
            })
            .collect()
    })
}

/// The Nash objective by its definition: the number of positive shares, then the sum of
/// their logarithms.
fn nash_objective(v: &Valuations, owner: &[usize]) -> (usize, f64) {
    let s = v.shares_of(owner);
    let pos: Vec<f64> = s.into_iter().filter(|&x| x > 0.0).collect();
    (pos.len(), pos.iter().map(|x| x.ln()).sum())
}

fn min_share(v: &Valuations, owner: &[usize]) -> f64 {
    let s = v.shares_of(owner);
    (0..s.len()).filter(|&p| !v.values_nothing(p)).map(|p| s[p]).fold(f64::INFINITY, f64::min)
}

#[test]
fn max_nash_welfare_equals_brute_force() {
    let mut rng = Rng::new(7);
    for case in 0..300 {
        let n = 1 + rng.index(3);
        let m = 1 + rng.index(7);
        let v = instance(&mut rng, n, m);
        let d = max_nash_welfare(&v, &FairOptions::default());
        assert!(d.exact(), "case {case}");
        let best = every_allocation(n, m)
            .map(|o| nash_objective(&v, &o))
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .unwrap();
        let got = nash_objective(&v, &d.owner);
        assert_eq!(got.0, best.0, "case {case}: positive parties");
        assert!(got.1 >= best.1 - 1e-9, "case {case}: {got:?} < {best:?}");
        assert_eq!(d.positive, got.0);
    }
}

#[test]
fn maximin_equals_brute_force() {
    let mut rng = Rng::new(11);
    for case in 0..300 {
        let n = 1 + rng.index(3);
        let m = 1 + rng.index(7);
        let v = instance(&mut rng, n, m);
        let d = maximin(&v, &FairOptions::default());
        assert!(d.exact(), "case {case}");
        let best = every_allocation(n, m).map(|o| min_share(&v, &o)).fold(-1.0, f64::max);
        let best = if best.is_finite() { best } else { 0.0 };
        assert!((d.min_share - best).abs() < 1e-9, "case {case}: {} vs {best}", d.min_share);
        assert!((d.bound - d.min_share).abs() < 1e-12);
    }
}

#[test]
fn maximin_shares_and_the_report_equal_their_definitions() {
    let mut rng = Rng::new(13);
    for case in 0..200 {
        let n = 1 + rng.index(3);
        let m = 1 + rng.index(7);
        let v = instance(&mut rng, n, m);
        let d = max_nash_welfare(&v, &FairOptions::default());
        // Any allocation, not only the searches': a random one.
        let owner: Vec<usize> =
            if case % 2 == 0 { d.owner.clone() } else { (0..m).map(|_| rng.index(n)).collect() };
        let f = fairness(&v, &owner, &FairOptions::default()).unwrap();
        for p in 0..n {
            // Maximin share: over every split into n bundles, the best smallest bundle.
            let mms = every_allocation(n, m)
                .map(|o| {
                    let mut b = vec![0.0; n];
                    for (i, &k) in o.iter().enumerate() {
                        b[k] += v.share(p, i);
                    }
                    b.into_iter().fold(f64::INFINITY, f64::min)
                })
                .fold(0.0, f64::max);
            let got = &f.parties[p];
            assert!(got.maximin_share.termination.is_exact());
            assert!((got.maximin_share.lo - mms).abs() < 1e-9, "case {case} party {p}");
            assert!((got.maximin_share.hi - mms).abs() < 1e-9, "case {case} party {p}");
            // Envy and EF1 by their definitions, removing each item in turn.
            let own: f64 = (0..m).filter(|&i| owner[i] == p).map(|i| v.share(p, i)).sum();
            assert!((got.share - own).abs() < 1e-12);
            for q in 0..n {
                let theirs: Vec<usize> = (0..m).filter(|&i| owner[i] == q).collect();
                let other: f64 = theirs.iter().map(|&i| v.share(p, i)).sum();
                let envy = q != p && !v.values_nothing(p) && other > own + TOLERANCE;
                assert_eq!(got.envies.contains(&q), envy, "case {case}");
                if envy {
                    let ef1 = theirs.iter().any(|&i| own + TOLERANCE >= other - v.share(p, i));
                    assert!(ef1 || !got.ef1, "case {case}");
                }
            }
            let prop = v.values_nothing(p) || own + TOLERANCE >= 1.0 / n as f64;
            assert_eq!(got.proportional, prop);
            assert_eq!(got.gets_maximin_share, Some(own + TOLERANCE >= mms));
        }
        assert_eq!(f.envy_free, f.parties.iter().all(|p| p.envies.is_empty()));
        if case % 2 == 0 {
            // Maximum Nash welfare is envy-free up to one item (Caragiannis et al. 2019).
            assert!(f.ef1, "case {case}: the MNW allocation is not EF1");
        }
    }
}

#[test]
fn budget_reached_says_not_exact_and_keeps_a_bound() {
    let mut rng = Rng::new(3);
    let v = instance(&mut rng, 6, 30);
    let o = FairOptions { max_work: 2_000 };
    let d = max_nash_welfare(&v, &o);
    assert_eq!(d.termination, Termination::BudgetReached);
    assert!(d.bound >= d.nash_welfare);
    assert_eq!(d.owner.len(), 30);
    let d = maximin(&v, &o);
    assert_eq!(d.termination, Termination::BudgetReached);
    assert!(d.bound >= d.min_share);
    let s = maximin_share(&v, 0, &FairOptions { max_work: 200 });
    assert_eq!(s.termination, Termination::BudgetReached);
    assert!(s.lo <= s.hi);
}

#[test]
fn parties_who_value_nothing_follow_the_standard_definition() {
    // c values nothing; a and b both value only x: at most one of them can be positive.
    let v = Valuations::new(
        vec!["x".into(), "y".into()],
        vec!["a".into(), "b".into(), "c".into()],
        vec![vec![3.0, 0.0], vec![1.0, 1.0], vec![0.0, 0.0]],
    )
    .unwrap();
    let d = max_nash_welfare(&v, &FairOptions::default());
    // Both a and b positive: x to a, y to b.
    assert_eq!(d.owner, vec![0, 1]);
    assert_eq!(d.positive, 2);
    let f = fairness(&v, &d.owner, &FairOptions::default()).unwrap();
    assert!(f.parties[2].values_nothing && f.parties[2].proportional);
    assert!(f.envy_free);
}

#[test]
fn grids_are_found_only_where_values_are_whole_multiples() {
    assert_eq!(grid_of(&[1.0, 2.0, 3.0]), Some(6.0));
    assert_eq!(grid_of(&[0.35, 0.65]), Some(100.0));
    assert_eq!(grid_of(&[std::f64::consts::PI]), None);
    assert_eq!(grid_of(&[1e12]), None);
}

#[test]
fn bad_valuations_are_refused() {
    let bad = |values: Vec<Vec<f64>>| {
        Valuations::new(vec!["x".into()], vec!["a".into()], values).unwrap_err().kind()
    };
    assert_eq!(bad(vec![vec![f64::NAN]]), ErrorKind::InvalidInput);
    assert_eq!(bad(vec![vec![-1.0]]), ErrorKind::InvalidInput);
    assert_eq!(bad(vec![vec![1.0, 2.0]]), ErrorKind::InvalidInput);
    assert_eq!(bad(vec![]), ErrorKind::InvalidInput);
    let v = Valuations::new(vec!["x".into()], vec!["a".into()], vec![vec![1.0]]).unwrap();
    assert!(fairness(&v, &[1], &FairOptions::default()).is_err());
}
