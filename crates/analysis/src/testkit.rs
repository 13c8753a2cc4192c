//! A helper for benchmarks that needs the crate's internals (not part of the stable API).
//! The seeded random scenarios themselves are in `detente-testkit`.

use detente_core::Scenario;

/// The largest common level `t` such that some outcome keeping every red line gives every
/// party a utility of at least `t`, to within `tol` (found by bisection with the exact
/// oracle; reservations of `s` are ignored). Used to make instances that are just
/// infeasible.
pub fn max_min_utility(s: &Scenario, tol: f64) -> f64 {
    let parties: Vec<usize> = (0..s.parties().len()).collect();
    let at = |t: f64| -> bool {
        let mut parts = s.clone().into_parts();
        for p in &mut parts.parties {
            p.reservation = t;
        }
        let s = Scenario::from_parts(parts).expect("a common reservation keeps the scenario valid");
        let cons = crate::deadlock::constraints(&s, &parties);
        let mut oracle = crate::search::Oracle::new(&s, None);
        matches!(oracle.solve(&cons), Ok(Some(_)))
    };
    let (mut lo, mut hi) = (0.0, 1.0 + tol);
    if !at(lo) {
        return 0.0;
    }
    while hi - lo > tol {
        let mid = 0.5 * (lo + hi);
        if at(mid) { lo = mid } else { hi = mid }
    }
    lo
}

/// The Nash solution of `s` as [`crate::frontier()`] computes it when the frontier is too
/// large to list (the branch and bound, without listing the frontier first, seeded with the
/// max-welfare and egalitarian points as there), the product it found, and the nodes and
/// work the Nash search itself spent. For benchmarks of the search.
pub fn nash_search(
    s: &Scenario,
    options: &crate::FrontierOptions,
) -> Result<(crate::Solution, f64, u64, u64), crate::Error> {
    crate::solutions::nash_only(s, options)
}

/// One search of [`crate::frontier()`] alone, as it runs when the frontier is too large to
/// list, for benchmarks: `which` is `welfare` or `egalitarian` (one solution in the vector;
/// another name is an error).
pub fn solution_search(
    s: &Scenario,
    options: &crate::FrontierOptions,
    which: &str,
) -> Result<Vec<crate::Solution>, crate::Error> {
    crate::solutions::search_only(s, options, which)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_min_utility_of_a_split() {
        use detente_core::*;
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, 0.0),
            Party::new("b", "B", Role::Principal, 1.0, 0.0),
        ];
        let issues = vec![Issue::discrete("x", "X", &["a", "even", "b"])];
        let stances = vec![
            vec![Some(Stance::values(1.0, vec![1.0, 0.6, 0.0]))],
            vec![Some(Stance::values(1.0, vec![0.0, 0.5, 1.0]))],
        ];
        let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![]).unwrap();
        assert!((max_min_utility(&s, 1e-6) - 0.5).abs() < 1e-5);
    }
}
