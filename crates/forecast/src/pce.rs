//! Votes, coalitions, victory probabilities and the probabilistic Condorcet election (PCE)
//! of KTAB's `kmodel` (§4 of the spec).

use crate::params::{PceModel, VictoryProbModel, VotingRule};
use crate::work::{CHECK_EVERY, Meter, OverBudget, TERM, product};

/// Coalition strength floor: `C(a, b) = 1e-8 + Σ_k max(0, v_k(a:b))`.
const MIN_COALITION: f64 = 1e-8;

/// The vote of an actor with weight `w` for option `a` over `b`, given its utilities.
pub(crate) fn vote(rule: VotingRule, w: f64, ua: f64, ub: f64) -> f64 {
    let d = ua - ub;
    match rule {
        VotingRule::Binary => w * binary(d),
        VotingRule::PropBin => w * (0.8 * d + 0.2 * binary(d)),
        VotingRule::Proportional => w * d,
        VotingRule::PropCbc => w * (0.5 * d + 0.5 * d * d * d),
        VotingRule::Cubic => w * (d * d * d),
        VotingRule::ASymProsp => {
            if d < 0.0 {
                w * d
            } else {
                (2.0 / 3.0) * w * d
            }
        }
    }
}

fn binary(d: f64) -> f64 {
    (d / 1e-8).clamp(-1.0, 1.0)
}

/// Whether `vote(b:a) == -vote(a:b)` bit for bit, so one vote fills both coalitions.
fn is_odd(rule: VotingRule) -> bool {
    !matches!(rule, VotingRule::ASymProsp)
}

/// Coalition strengths `c[a * m + b]` over `m` options from `n` voters with weights `w`
/// and utilities `u[voter * m + option]`; `m²` units of work and `n × m × (m - 1) / 2`
/// [`TERM`]s, counted by the caller ([`election_work`]).
///
/// Each strength sums its voters in order from the floor; the loop over the other option
/// runs in SIMD lanes, and adding `max(v, 0)` is bit-identical to adding `v` when positive.
pub(crate) fn coalitions(rule: VotingRule, w: &[f64], u: &[f64], m: usize) -> Vec<f64> {
    macro_rules! with_rule {
        ($($rule:ident),*) => {
            match rule {
                $(VotingRule::$rule => coalitions_with(w, u, m, |w, a, b| vote(VotingRule::$rule, w, a, b), is_odd(VotingRule::$rule)),)*
            }
        };
    }
    with_rule!(Binary, PropBin, Proportional, PropCbc, Cubic, ASymProsp)
}

#[inline(always)]
fn coalitions_with(
    w: &[f64],
    u: &[f64],
    m: usize,
    vote: impl Fn(f64, f64, f64) -> f64,
    odd: bool,
) -> Vec<f64> {
    let n = w.len();
    let mut c = vec![MIN_COALITION; m * m];
    // For option a: cab[b] = C(a, b), cba[b] = C(b, a), for b < a.
    let mut cab = vec![0.0; m];
    let mut cba = vec![0.0; m];
    for a in 1..m {
        let (cab, cba) = (&mut cab[..a], &mut cba[..a]);
        cab.fill(MIN_COALITION);
        cba.fill(MIN_COALITION);
        for k in 0..n {
            let row = &u[k * m..k * m + a];
            let (wk, ua) = (w[k], u[k * m + a]);
            if odd {
                for b in 0..a {
                    let v = vote(wk, ua, row[b]);
                    cab[b] += v.max(0.0);
                    cba[b] += (-v).max(0.0);
                }
            } else {
                for b in 0..a {
                    cab[b] += vote(wk, ua, row[b]).max(0.0);
                    cba[b] += vote(wk, row[b], ua).max(0.0);
                }
            }
        }
        for b in 0..a {
            c[a * m + b] = cab[b];
            c[b * m + a] = cba[b];
        }
    }
    c
}

/// The probability that a coalition of strength `cab` beats one of strength `cba`.
pub(crate) fn victory(model: VictoryProbModel, cab: f64, cba: f64) -> f64 {
    match model {
        VictoryProbModel::Linear => cab / (cab + cba),
        VictoryProbModel::Square => {
            let (x, y) = (cab * cab, cba * cba);
            x / (x + y)
        }
        VictoryProbModel::Quartic => {
            let (x, y) = (cab * cab, cba * cba);
            let (x, y) = (x * x, y * y);
            x / (x + y)
        }
        VictoryProbModel::Octic => {
            let (x, y) = (cab * cab, cba * cba);
            let (x, y) = (x * x, y * y);
            let (x, y) = (x * x, y * y);
            x / (x + y)
        }
        VictoryProbModel::Binary => {
            let r = cab / (cab + cba);
            ((r * (1.1 + 1.0) - 1.0) / 0.1).clamp(0.0, 1.0)
        }
    }
}

/// Victory probabilities `v[a * m + b]`, with `v[a * m + a] = 0.5`.
pub(crate) fn victory_matrix(model: VictoryProbModel, c: &[f64], m: usize) -> Vec<f64> {
    let mut v = vec![0.5; m * m];
    for a in 0..m {
        for b in 0..m {
            if a != b {
                v[a * m + b] = victory(model, c[a * m + b], c[b * m + a]);
            }
        }
    }
    v
}

/// The PCE distribution over `m` options, from coalition strengths and victory
/// probabilities: `m²` units of work (twice for [`PceModel::MarkovIncentive`]), counted by
/// the caller ([`election_fixed_work`]), and `m²` [`TERM`]s for each iteration of a Markov
/// model, counted here on `meter` ([`markov_iterations`]).
pub(crate) fn pce(
    model: PceModel,
    c: &[f64],
    v: &[f64],
    m: usize,
    meter: &Meter,
) -> Result<Vec<f64>, OverBudget> {
    let step = product(&[TERM, m as u64, m as u64]);
    Ok(match model {
        PceModel::Conditional => {
            let mut p: Vec<f64> =
                (0..m).map(|a| v[a * m..(a + 1) * m].iter().product::<f64>()).collect();
            let total: f64 = p.iter().sum();
            if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                // Every option loses for certain to some other (Binary victories in a
                // cycle): no option is favoured.
                return Ok(vec![1.0 / m as f64; m]);
            }
            for x in &mut p {
                *x /= total;
            }
            p
        }
        PceModel::MarkovUniform => {
            let mf = m as f64;
            let mut p = vec![1.0 / mf; m];
            let mut q = vec![0.0; m];
            let (ps, qs) = (&mut p[..], &mut q[..]);
            markov_iterations(meter, step, move || {
                let (p, q) = (&mut *ps, &mut *qs);
                for a in 0..m {
                    let mut s = 0.0;
                    for b in 0..m {
                        s += v[a * m + b] * (p[a] + p[b]);
                    }
                    q[a] = s / mf;
                }
                let change = max_abs_diff(p, q);
                for a in 0..m {
                    p[a] = (p[a] + q[a]) / 2.0;
                }
                change <= 1e-6
            })?;
            p
        }
        PceModel::MarkovIncentive => {
            // chal[b * m + a]: probability that b is the challenger of a, given a.
            let mut chal = vec![0.0; m * m];
            for a in 0..m {
                let mut total = 0.0;
                for b in 0..m {
                    let mut n_ba = c[b * m + a] * v[b * m + a];
                    if a == b {
                        n_ba += 1e-10;
                    }
                    chal[b * m + a] = n_ba;
                    total += n_ba;
                }
                for b in 0..m {
                    chal[b * m + a] /= total;
                }
            }
            let mut p = vec![1.0 / m as f64; m];
            let mut q = vec![0.0; m];
            let (ps, qs, chal) = (&mut p[..], &mut q[..], &chal[..]);
            markov_iterations(meter, step, move || {
                let (p, q) = (&mut *ps, &mut *qs);
                for a in 0..m {
                    let mut s = 0.0;
                    for b in 0..m {
                        let tab = p[a] * chal[b * m + a];
                        let tba = p[b] * chal[a * m + b];
                        s += v[a * m + b] * (tab + tba);
                    }
                    q[a] = s;
                }
                let mut change: f64 = 0.0;
                for a in 0..m {
                    let next = (p[a] + q[a]) / 2.0;
                    change = change.max((next - p[a]).abs());
                    p[a] = next;
                }
                change <= 1e-8
            })?;
            p
        }
    })
}

/// A bound that keeps a Markov PCE finite; convergence takes a few dozen iterations (the
/// work budget usually stops a run long before an election reaches it).
const MAX_MARKOV_ITERATIONS: usize = 100_000;

/// Runs `iteration` until it says it has settled, at most [`MAX_MARKOV_ITERATIONS`] times,
/// and counts `step` units for every iteration run: once per block of iterations worth
/// about [`CHECK_EVERY`] units (so the loop carries no counter of its own), and once for
/// the last, partial block. The total is the same as one charge per iteration; `Err` once
/// the meter is past its limit, at most a block after the iteration that passed it.
fn markov_iterations(
    meter: &Meter,
    step: u64,
    mut iteration: impl FnMut() -> bool,
) -> Result<(), OverBudget> {
    let block = usize::try_from(CHECK_EVERY / step.max(1)).unwrap_or(usize::MAX).max(1);
    let mut done = 0;
    while done < MAX_MARKOV_ITERATIONS {
        let len = block.min(MAX_MARKOV_ITERATIONS - done);
        let settled = (0..len).position(|_| iteration());
        let ran = settled.map_or(len, |i| i + 1);
        meter.charge(step.saturating_mul(ran as u64))?;
        if settled.is_some() {
            break;
        }
        done += ran;
    }
    Ok(())
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

/// The least work of an election among `m` options by `n` voters (any PCE model):
/// [`coalitions`] (`m²` units and `n × m × (m - 1) / 2` [`TERM`]s), `m²` for the victory
/// probabilities and `m²` for the PCE's first table.
pub(crate) fn election_work(n: usize, m: usize) -> u64 {
    if m < 2 {
        return 0;
    }
    let (n, m) = (n as u64, m as u64);
    let votes = product(&[TERM, n, m, m - 1]) / 2;
    votes.saturating_add(product(&[3, m, m]))
}

/// The work of an election besides the iterations of a Markov model, which its caller
/// counts before or after [`scalar_pce`]: [`election_work`], and `m²` more for
/// [`PceModel::MarkovIncentive`]'s challengers.
pub(crate) fn election_fixed_work(model: PceModel, n: usize, m: usize) -> u64 {
    let challengers = match model {
        PceModel::MarkovIncentive if m >= 2 => product(&[m as u64, m as u64]),
        _ => 0,
    };
    election_work(n, m).saturating_add(challengers)
}

/// KTAB's `scalarPCE`: votes of voters with weights `w` on utilities
/// `u[voter * m + option]`, coalitions, victory probabilities, then the PCE. The caller
/// counts [`election_fixed_work`]; the iterations of a Markov model are counted here, on
/// `meter` ([`pce`]).
pub(crate) fn scalar_pce(
    rule: VotingRule,
    vpm: VictoryProbModel,
    model: PceModel,
    w: &[f64],
    u: &[f64],
    m: usize,
    meter: &Meter,
) -> Result<Vec<f64>, OverBudget> {
    if m == 1 {
        return Ok(vec![1.0]);
    }
    let c = coalitions(rule, w, u, m);
    let v = victory_matrix(vpm, &c, m);
    pce(model, &c, &v, m, meter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_follow_the_rules() {
        assert_eq!(vote(VotingRule::Proportional, 2.0, 0.75, 0.25), 1.0);
        assert_eq!(vote(VotingRule::Binary, 2.0, 0.75, 0.25), 2.0);
        assert_eq!(vote(VotingRule::Binary, 2.0, 0.25, 0.75), -2.0);
        assert_eq!(vote(VotingRule::Cubic, 1.0, 0.5, 0.0), 0.125);
        assert_eq!(vote(VotingRule::PropCbc, 1.0, 0.5, 0.0), 0.25 + 0.0625);
        assert_eq!(vote(VotingRule::PropBin, 1.0, 0.5, 0.0), 0.4 + 0.2);
        assert_eq!(vote(VotingRule::ASymProsp, 3.0, 0.0, 0.5), -1.5);
        assert!((vote(VotingRule::ASymProsp, 3.0, 0.5, 0.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn conditional_pce_of_two_options() {
        // One voter of weight 1 prefers option 0 by 0.5: C(0,1) = 1e-8 + 0.5, C(1,0) = 1e-8.
        let u = [1.0, 0.5];
        let p = scalar_pce(
            VotingRule::Proportional,
            VictoryProbModel::Linear,
            PceModel::Conditional,
            &[1.0],
            &u,
            2,
            &Meter::new(u64::MAX),
        )
        .unwrap();
        let v01 = (1e-8 + 0.5) / (1e-8 + 0.5 + 1e-8);
        let (a, b) = (0.5 * v01, 0.5 * (1.0 - v01));
        assert!((p[0] - a / (a + b)).abs() < 1e-15);
        assert!((p[0] + p[1] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn markov_pces_sum_to_one_and_favour_the_strong() {
        let w = [1.0, 2.0, 1.5];
        let u = [1.0, 0.2, 0.6, 0.1, 1.0, 0.7, 0.5, 0.4, 1.0];
        for model in PceModel::ALL {
            let meter = Meter::new(u64::MAX);
            let rule = VotingRule::Proportional;
            let p = scalar_pce(rule, VictoryProbModel::Linear, *model, &w, &u, 3, &meter).unwrap();
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{model:?} {p:?}");
            assert!(p[1] > p[0], "{model:?} {p:?}");
        }
    }

    #[test]
    fn every_iteration_of_an_election_is_counted() {
        let w = [1.0, 2.0, 1.5];
        let u = [1.0, 0.2, 0.6, 0.1, 1.0, 0.7, 0.5, 0.4, 1.0];
        let rule = VotingRule::Proportional;
        let run = |model, budget| {
            let meter = Meter::new(budget);
            let p = scalar_pce(rule, VictoryProbModel::Linear, model, &w, &u, 3, &meter);
            (p, meter.used())
        };
        // Conditional: the votes and three tables, counted by the caller; nothing here.
        assert_eq!(election_fixed_work(PceModel::Conditional, 3, 3), election_work(3, 3));
        assert_eq!(election_work(3, 3), 2 * 3 * 3 + 27);
        let (p, used) = run(PceModel::Conditional, 0);
        assert!(p.is_ok());
        assert_eq!(used, 0);
        assert_eq!(election_fixed_work(PceModel::MarkovIncentive, 3, 3), election_work(3, 3) + 9);
        assert_eq!(election_fixed_work(PceModel::MarkovIncentive, 3, 1), 0);
        for model in [PceModel::MarkovUniform, PceModel::MarkovIncentive] {
            // Each iteration counts 2 x 9 units.
            let (p, used) = run(model, u64::MAX);
            let iterations = used / 18;
            assert_eq!(used, 18 * iterations, "{model:?}");
            assert!(iterations > 3, "{model:?}: {iterations}");
            // One unit less and the election stops, past its budget; exactly enough and
            // it is the same.
            assert_eq!(run(model, used - 1).0, Err(OverBudget));
            assert_eq!(run(model, used).0, p);
        }
    }

    #[test]
    fn markov_iterations_are_counted_one_by_one_in_blocks() {
        // Blocks of 3 iterations (step CHECK_EVERY / 3), 1 (step CHECK_EVERY or more) and
        // many: whether the election settles inside a block, at its end or never, the count
        // is the iterations run times the step, as one charge per iteration would make it.
        for step in [CHECK_EVERY / 3, CHECK_EVERY, CHECK_EVERY + 1, 7] {
            for settle in [1, 2, 3, 4, 5, 6, 7, 9_363, 9_364, 9_365, MAX_MARKOV_ITERATIONS + 1] {
                let meter = Meter::new(u64::MAX);
                let mut ran = 0;
                let r = markov_iterations(&meter, step, || {
                    ran += 1;
                    ran == settle
                });
                assert_eq!(r, Ok(()));
                assert_eq!(ran, settle.min(MAX_MARKOV_ITERATIONS), "{step} {settle}");
                assert_eq!(meter.used(), step * ran as u64, "{step} {settle}");
                // A budget one unit short fails, after at most one block more.
                let meter = Meter::new(step * ran as u64 - 1);
                let mut again = 0;
                let r = markov_iterations(&meter, step, || {
                    again += 1;
                    again == settle
                });
                assert_eq!(r, Err(OverBudget), "{step} {settle}");
                assert!(again as u64 * step <= step * ran as u64 + CHECK_EVERY.max(step));
            }
        }
    }

    #[test]
    fn conditional_pce_of_a_certain_cycle_is_uniform() {
        // Binary victories in a cycle 0 > 1 > 2 > 0: every product is 0.
        let v = [0.5, 1.0, 0.0, 0.0, 0.5, 1.0, 1.0, 0.0, 0.5];
        let p = pce(PceModel::Conditional, &[1.0; 9], &v, 3, &Meter::new(0));
        assert_eq!(p, Ok(vec![1.0 / 3.0; 3]));
    }

    #[test]
    fn binary_victory_ramps_around_even() {
        assert_eq!(victory(VictoryProbModel::Binary, 1.1, 1.0), 1.0);
        assert_eq!(victory(VictoryProbModel::Binary, 1.0, 1.1), 0.0);
        assert!((victory(VictoryProbModel::Binary, 1.0, 1.0) - 0.5).abs() < 1e-12);
        assert!((victory(VictoryProbModel::Square, 2.0, 1.0) - 0.8).abs() < 1e-15);
    }
}
