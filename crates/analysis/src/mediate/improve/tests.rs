//! The property tests of `improve` against a brute-force oracle on small random scenarios,
//! and its words on the river case.

use super::*;
use crate::evaluate::tests::river;
use crate::gap::counted_parties;
use detente_testkit::{GenConfig, random_raw_scenario, random_scenario};
use proptest::prelude::*;

/// Every package of at most `k` changes, as `(issue, option)` lists in issue order.
fn all_packages(s: &Scenario, terms: &[Term], k: usize) -> Vec<Vec<(usize, usize)>> {
    let mut out = vec![vec![]];
    for (i, &term) in terms.iter().enumerate() {
        let mut next = Vec::new();
        for r in out {
            if r.len() < k {
                for o in 0..s.issues()[i].n_options() {
                    if term != Term::Set(o) {
                        let mut r2 = r.clone();
                        r2.push((i, o));
                        next.push(r2);
                    }
                }
            }
            next.push(r);
        }
        out = next;
    }
    out
}

/// Whether `t` keeps every red line of party `p`: no settled term breaks one and no open
/// point puts one at risk.
fn keeps(s: &Scenario, p: usize, t: &[Term]) -> bool {
    (0..s.issues().len()).all(|i| match t[i] {
        Term::Set(k) => s.red_lines_broken(p, i, k).is_empty(),
        Term::Open => at_risk(s, p, i).is_empty(),
    })
}

/// The brute-force ranking: every improving package with its score, best first, judged
/// with `evaluate` only.
fn brute(
    s: &Scenario,
    proposal: usize,
    parties: &[usize],
    objective: Gains,
    k: usize,
    exponents: Option<&[f64]>,
) -> Vec<(Vec<(usize, usize)>, f64)> {
    let terms = &s.proposals()[proposal].terms;
    let before: Vec<f64> =
        parties.iter().map(|&p| evaluate_terms(s, p, terms).utility_min).collect();
    let draft_keeps = parties.iter().all(|&p| keeps(s, p, terms));
    let mut out = Vec::new();
    for c in all_packages(s, terms, k) {
        let mut t = terms.to_vec();
        for &(i, o) in &c {
            t[i] = Term::Set(o);
        }
        if !parties.iter().all(|&p| keeps(s, p, &t)) {
            continue;
        }
        let raw: Vec<f64> = parties
            .iter()
            .zip(&before)
            .map(|(&p, b)| evaluate_terms(s, p, &t).utility_min - b)
            .collect();
        if raw.iter().any(|&g| g < -EPS) {
            continue;
        }
        let g: Vec<f64> = raw.iter().map(|&g| if g.abs() <= EPS { 0.0 } else { g }).collect();
        if draft_keeps && g.iter().all(|&x| x <= 0.0) {
            assert!(!improves(s, parties, terms, &t).unwrap());
            continue;
        }
        let score = match objective {
            Gains::Nash => match exponents {
                None => g.iter().product(),
                Some(e) => crate::frontier::weighted_product(g.iter().copied(), e),
            },
            Gains::Egalitarian => g.iter().copied().fold(f64::INFINITY, f64::min),
            Gains::Welfare => g.iter().sum(),
        };
        out.push((c, score));
    }
    out.sort_by(|a, b| {
        b.1.total_cmp(&a.1).then(a.0.len().cmp(&b.0.len())).then_with(|| a.0.cmp(&b.0))
    });
    out
}

fn listed(m: &Improvements) -> Vec<Vec<(usize, usize)>> {
    m.packages
        .iter()
        .map(|p| p.revision.changes.iter().map(|c| (c.issue, c.after)).collect())
        .collect()
}

/// The search's ranking equals the brute force's, scores to the bit, and every package
/// listed is honest about its gains.
fn check(s: &Scenario, objective: Gains, k: usize, top: usize, power: Option<Vec<f64>>) {
    let parties = counted_parties(s);
    let exponents = power.as_ref().and_then(|all| {
        let counted: Vec<f64> = parties.iter().map(|&p| all[p]).collect();
        crate::frontier::power_exponents(Some(&counted), parties.len()).unwrap()
    });
    for j in 0..s.proposals().len() {
        let options = ImproveOptions {
            objective,
            max_changes: Some(k),
            top,
            budget: None,
            parties: None,
            power: power.clone(),
        };
        let m = improve(s, j, &options).unwrap();
        assert!(m.exact);
        let want = brute(s, j, &parties, objective, k, exponents.as_deref());
        let want_lists: Vec<Vec<(usize, usize)>> =
            want.iter().take(top).map(|c| c.0.clone()).collect();
        assert_eq!(listed(&m), want_lists, "{objective:?} k {k} top {top} proposal {j}");
        for (p, w) in m.packages.iter().zip(&want) {
            assert_eq!(p.objective.to_bits(), w.1.to_bits(), "{objective:?} proposal {j}");
            assert!(improves(s, &parties, &s.proposals()[j].terms, &p.revision.terms).unwrap());
            for &q in &parties {
                assert!(p.gains[q] >= 0.0);
                assert!(p.revision.accepts[q] || p.revision.verdicts_after[q] != Verdict::Accepts);
            }
        }
        assert_eq!(m.termination(), Termination::of(true, !want.is_empty()));
        let words = improvement_words(s, &m);
        assert!(!words.is_empty());
        if want.is_empty() {
            assert!(words.iter().any(|w| w.starts_with("No package")), "{words:?}");
        } else {
            assert!(words.iter().any(|w| w.starts_with("Changing ")), "{words:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn improve_matches_brute_force(
        seed in any::<u64>(),
        n_parties in 2usize..=4,
        n_issues in 2usize..=5,
        n_options in 2usize..=4,
        open_chance in 0.0f64..0.5,
        red_line_chance in 0.0f64..0.4,
        k in 1usize..=5,
        top in 1usize..=4,
        objective in 0usize..3,
    ) {
        let cfg = GenConfig {
            open_chance,
            red_line_chance,
            n_proposals: 2,
            reservation_max: 0.7,
            ..GenConfig::new(n_parties, n_issues, n_options)
        };
        let s = random_scenario(seed, &cfg);
        let objective = [Gains::Nash, Gains::Egalitarian, Gains::Welfare][objective];
        check(&s, objective, k, top, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    /// Raw utilities (a bias, values of any sign, many exact ties) rank as the brute force.
    #[test]
    fn improve_matches_brute_force_on_raw_utilities(
        seed in any::<u64>(),
        n_parties in 2usize..=4,
        n_issues in 2usize..=5,
        red_line_chance in 0.0f64..0.4,
        k in 1usize..=5,
        top in 1usize..=4,
        objective in 0usize..3,
    ) {
        let cfg = GenConfig {
            open_chance: 0.3,
            red_line_chance,
            n_proposals: 2,
            ..GenConfig::new(n_parties, n_issues, 3)
        };
        let s = random_raw_scenario(seed, &cfg);
        let objective = [Gains::Nash, Gains::Egalitarian, Gains::Welfare][objective];
        check(&s, objective, k, top, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    /// Bargaining powers weigh the Nash product of the gains, ranked as the brute force.
    #[test]
    fn weighted_improve_matches_brute_force(
        seed in any::<u64>(),
        n_parties in 2usize..=4,
        n_issues in 2usize..=5,
        k in 1usize..=4,
        top in 1usize..=3,
        powers in proptest::collection::vec(0.05f64..5.0, 4),
    ) {
        let cfg = GenConfig {
            open_chance: 0.3,
            red_line_chance: 0.3,
            n_proposals: 1,
            reservation_max: 0.7,
            ..GenConfig::new(n_parties, n_issues, 3)
        };
        let s = random_scenario(seed, &cfg);
        check(&s, Gains::Nash, k, top, Some(powers[..n_parties].to_vec()));
    }
}

/// The random cases cover what the property tests are about: drafts with and without an
/// improvement, drafts that must be repaired, and best packages scoring 0 (someone gains
/// nothing) as well as above.
#[test]
fn random_cases_cover_every_answer() {
    let (mut some, mut none, mut repair, mut zero, mut positive) = (0, 0, 0, 0, 0);
    for seed in 0..200u64 {
        let cfg = GenConfig {
            open_chance: 0.3,
            red_line_chance: 0.3,
            reservation_max: 0.7,
            ..GenConfig::new(2 + (seed % 3) as usize, 4, 3)
        };
        let s = random_scenario(seed, &cfg);
        let options = ImproveOptions { max_changes: Some(2), budget: None, ..Default::default() };
        let m = improve(&s, 0, &options).unwrap();
        match m.packages.first() {
            Some(p) if p.objective > 0.0 => positive += 1,
            Some(_) => zero += 1,
            None => none += 1,
        }
        some += usize::from(!m.packages.is_empty());
        repair += usize::from(!m.repairs.is_empty());
    }
    assert!(
        some > 30 && none > 10 && repair > 20 && zero > 5 && positive > 20,
        "{some} {none} {repair} {zero} {positive}"
    );
}

#[test]
fn river_improvements_say_who_gains_and_that_no_one_loses() {
    let s = river();
    for objective in [Gains::Nash, Gains::Egalitarian, Gains::Welfare] {
        check(&s, objective, 2, 3, None);
        check(&s, objective, 4, 2, None);
    }
    // The draft crosses Lowland's red line on the share, and the repair costs Upland.
    let m = improve(&s, 0, &ImproveOptions { budget: None, ..Default::default() }).unwrap();
    assert!(m.packages.is_empty() && m.exact && !m.repairs.is_empty());
    let words = improvement_words(&s, &m);
    assert!(words.iter().any(|w| w.contains("so an improvement must repair it")), "{words:?}");
    assert!(words.iter().any(|w| w.starts_with("No package of at most 4 changes")), "{words:?}");
    assert!(words.iter().any(|w| w.contains("every package that repairs those red lines costs")));
    // Upland and the Commission: the compensation matters to Upland only.
    let options = ImproveOptions { parties: Some(vec![0, 2]), budget: None, ..Default::default() };
    let m = improve(&s, 0, &options).unwrap();
    let words = improvement_words(&s, &m);
    let best = &m.packages[0];
    let sentence = package_sentence(&s, &m.parties, best);
    assert!(sentence.starts_with("Changing "), "{sentence}");
    assert!(words.contains(&sentence), "{words:?}");
    assert!(words.iter().any(|w| w.starts_with("This is proved best")), "{words:?}");
    assert!(m.parties.iter().all(|&q| best.gains[q] >= 0.0));
    assert!(best.gains[0] > 0.0 || best.gains[2] > 0.0);
}

#[test]
fn bad_options_are_errors() {
    let s = river();
    let e = improve(&s, 9, &ImproveOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let e =
        improve(&s, 0, &ImproveOptions { max_changes: Some(0), ..Default::default() }).unwrap_err();
    assert!(e.message().contains("at least 1"), "{}", e.message());
    let e = improve(&s, 0, &ImproveOptions { top: 0, ..Default::default() }).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let e = improve(&s, 0, &ImproveOptions { parties: Some(vec![7]), ..Default::default() })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownParty);
    let power = Some(vec![1.0, 2.0, 3.0]);
    let options =
        ImproveOptions { objective: Gains::Welfare, power: power.clone(), ..Default::default() };
    assert_eq!(improve(&s, 0, &options).unwrap_err().kind(), ErrorKind::InvalidInput);
    let options = ImproveOptions { power: Some(vec![1.0, f64::NAN, 1.0]), ..Default::default() };
    assert_eq!(improve(&s, 0, &options).unwrap_err().kind(), ErrorKind::InvalidInput);
    // A huge K is every issue.
    let m = improve(&s, 0, &ImproveOptions { max_changes: Some(usize::MAX), ..Default::default() })
        .unwrap();
    assert_eq!(m.max_changes, s.issues().len());
    for g in [Gains::Nash, Gains::Egalitarian, Gains::Welfare] {
        assert_eq!(Gains::parse(g.as_str()), Some(g));
    }
    assert_eq!(Gains::parse("nope"), None);
}

/// A draft every counted party finds best cannot be improved, and that is proved; the words
/// say so and that the draft is Pareto optimal when every issue may change.
#[test]
fn no_improvement_is_said_and_proved() {
    // Upland alone, on a draft that gives it its best of every issue it cares about.
    let s = river();
    let best: Vec<Term> = (0..s.issues().len())
        .map(|i| {
            let c = s.contributions(0, i);
            let k = (0..c.len())
                .filter(|&k| s.allowed(0, i, k))
                .fold(0, |a, k| if c[k] > c[a] || !s.allowed(0, i, a) { k } else { a });
            Term::Set(k)
        })
        .collect();
    let s = s
        .edit(|p| {
            let mut d = p.proposals[0].clone();
            d.id = "best".into();
            d.terms = best;
            p.proposals.push(d);
        })
        .unwrap();
    let options = ImproveOptions { parties: Some(vec![0]), budget: None, ..Default::default() };
    let m = improve(&s, s.proposals().len() - 1, &options).unwrap();
    assert!(m.packages.is_empty() && m.exact);
    assert_eq!(m.termination(), Termination::Infeasible);
    let words = improvement_words(&s, &m);
    assert!(words[0].starts_with("No package of at most"), "{words:?}");
    assert!(words[0].contains("Pareto optimal") && words[0].contains("This is proved"));
}

#[test]
fn budget_gives_a_result_marked_not_exact() {
    let s = random_scenario(3, &GenConfig::new(4, 12, 4));
    let options = ImproveOptions { budget: Some(5), ..Default::default() };
    let m = improve(&s, 0, &options).unwrap();
    assert!(!m.exact);
    assert_eq!(m.termination(), Termination::BudgetReached);
    let words = improvement_words(&s, &m);
    assert!(words.iter().any(|w| w.starts_with("Not exact: the work budget (5 steps)")));
}

/// A large scenario ends within its budget, for every objective, and says not exact.
#[test]
fn large_input_ends_within_the_budget() {
    let s = random_scenario(7, &GenConfig::new(10, 200, 5));
    for objective in [Gains::Nash, Gains::Egalitarian, Gains::Welfare] {
        let budget = 20_000_000;
        let options = ImproveOptions { objective, budget: Some(budget), ..Default::default() };
        let m = improve(&s, 0, &options).unwrap();
        assert!(m.work <= budget + budget / 100, "{} steps", m.work);
        if !m.exact {
            assert!(m.note.as_ref().unwrap().starts_with("not exact: the work budget"));
        }
    }
}
