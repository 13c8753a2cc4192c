//! The expected utility model's first round on the ten EC emission-standards actors of
//! Bueno de Mesquita and Stokman (1994), `../shared/truth/bdm1994_ec_emissions_actors.csv`,
//! checked against a second, deliberately plain implementation written here from the
//! formulas of `docs/forecast-eum.md` (sums over every voter, a Condorcet search for the
//! median), and against numbers worked by hand.

use detente_forecast::{EumInput, EumParams, eum_round_detail, run_eum};

struct Actor {
    name: String,
    c: f64,
    x: f64,
    s: f64,
}

fn actors() -> Option<Vec<Actor>> {
    let shared = detente_testkit::require_shared("the EC emission-standards actors")?;
    let text = std::fs::read_to_string(shared.join("truth/bdm1994_ec_emissions_actors.csv"))
        .expect("../shared/truth/bdm1994_ec_emissions_actors.csv is readable");
    let mut out = vec![];
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let num = |k: usize| f[k].parse::<f64>().expect("a number");
        out.push(Actor { name: f[0].to_string(), c: num(1), x: num(2), s: num(3) });
    }
    assert_eq!(out.len(), 10);
    Some(out)
}

fn input(a: &[Actor]) -> EumInput {
    EumInput {
        positions: a.iter().map(|a| a.x).collect(),
        capabilities: a.iter().map(|a| a.c).collect(),
        saliences: a.iter().map(|a| a.s).collect(),
    }
}

/// The plain first round: returns (median, P, EU with r = 1, r, EU, next positions).
#[allow(clippy::type_complexity)]
fn plain_round(
    a: &[Actor],
) -> (f64, Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>, Vec<Vec<f64>>, Vec<f64>) {
    let n = a.len();
    let lo = a.iter().map(|a| a.x).fold(f64::INFINITY, f64::min);
    let hi = a.iter().map(|a| a.x).fold(f64::NEG_INFINITY, f64::max);
    let range = hi - lo;
    // The median: the position that loses no pairwise vote (the lowest such, on a tie).
    let vote = |p: f64, q: f64| -> f64 {
        a.iter().map(|k| k.c * k.s * ((k.x - q).abs() - (k.x - p).abs())).sum()
    };
    let mut cands: Vec<f64> = a.iter().map(|a| a.x).collect();
    cands.sort_by(f64::total_cmp);
    let mu = *cands.iter().find(|&&p| cands.iter().all(|&q| vote(p, q) >= -1e-12)).unwrap();
    let p: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if a[i].x == a[j].x {
                        return 0.5;
                    }
                    let v: Vec<f64> = a
                        .iter()
                        .map(|k| k.c * k.s * ((k.x - a[j].x).abs() - (k.x - a[i].x).abs()))
                        .collect();
                    v.iter().filter(|&&v| v > 0.0).sum::<f64>()
                        / v.iter().map(|v| v.abs()).sum::<f64>()
                })
                .collect()
        })
        .collect();
    let eu = |r: &[f64]| -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        if i == j {
                            return 0.0;
                        }
                        let d = (a[i].x - a[j].x).abs() / range;
                        let us = 2.0 - 4.0 * (0.5 - 0.5 * d).powf(r[i]);
                        let uf = 2.0 - 4.0 * (0.5 + 0.5 * d).powf(r[i]);
                        let usq = 2.0 - 4.0 * 0.5f64.powf(r[i]);
                        a[j].s * (p[i][j] * us + (1.0 - p[i][j]) * uf) + (1.0 - a[j].s) * us - usq
                    })
                    .collect()
            })
            .collect()
    };
    let eu1 = eu(&vec![1.0; n]);
    let exposure: Vec<f64> =
        (0..n).map(|i| (0..n).filter(|&j| j != i).map(|j| eu1[j][i]).sum()).collect();
    let (emax, emin) = (
        exposure.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        exposure.iter().copied().fold(f64::INFINITY, f64::min),
    );
    let r: Vec<f64> = exposure
        .iter()
        .map(|&e| {
            let big = (2.0 * e - emax - emin) / (emax - emin);
            (1.0 - big / 3.0) / (1.0 + big / 3.0)
        })
        .collect();
    let e = eu(&r);
    let mut next: Vec<f64> = a.iter().map(|a| a.x).collect();
    for j in 0..n {
        let mut options = vec![];
        for i in 0..n {
            if i == j || e[i][j] <= 0.0 || a[i].x == a[j].x {
                continue;
            }
            let (mine, theirs) = (e[j][i], e[i][j]);
            if mine > 0.0 && mine >= theirs {
                continue; // j expects to win the conflict
            }
            let to = if mine <= 0.0 && -mine < theirs {
                a[j].x + (a[i].x - a[j].x) * (-mine / theirs)
            } else {
                a[i].x
            };
            options.push(to);
        }
        // The offer that moves j least (the first on a tie).
        let mut best: Option<f64> = None;
        for to in options {
            if best.is_none_or(|b| (to - a[j].x).abs() < (b - a[j].x).abs()) {
                best = Some(to);
            }
        }
        if let Some(to) = best {
            next[j] = to;
        }
    }
    (mu, p, eu1, r, e, next)
}

#[test]
fn first_round_on_the_ec_emission_actors_matches_a_plain_implementation() {
    let Some(a) = actors() else { return };
    let input = input(&a);
    let got = eum_round_detail(&input, &input.positions, 6.0, &EumParams::default());
    let (mu, p, eu1, r, eu, next) = plain_round(&a);
    let close = |x: f64, y: f64| (x - y).abs() < 1e-12;
    assert_eq!(got.median, mu);
    for i in 0..a.len() {
        assert!(close(got.risk[i], r[i]), "{}: r {} vs {}", a[i].name, got.risk[i], r[i]);
        assert!((0.5..=2.0).contains(&got.risk[i]));
        assert!(close(got.next[i], next[i]), "{}: next {} vs {}", a[i].name, got.next[i], next[i]);
        for j in 0..a.len() {
            if i != j {
                assert!(close(got.probability[i][j], p[i][j]), "P {i} {j}");
                assert!(close(got.eu_neutral[i][j], eu1[i][j]), "EU(r=1) {i} {j}");
                assert!(close(got.eu[i][j], eu[i][j]), "EU {i} {j}");
            }
        }
    }
}

#[test]
fn first_round_numbers_worked_by_hand() {
    let Some(a) = actors() else { return };
    let input = input(&a);
    let d = eum_round_detail(&input, &input.positions, 6.0, &EumParams::default());
    let idx = |name: &str| a.iter().position(|a| a.name == name).unwrap();
    // Weights c x s: at 4 NL .064, LU .006, DE .128, DK .05 (sum .248); at 7 BE .032,
    // IE .005, GR .056 (.093); at 10 FR .096, IT .096, UK .144 (.336); total .677. From
    // the left, .248 + .093 = .341 reaches half (.3385) at 7: the median is 7.
    assert_eq!(d.median, 7.0);
    // Germany (4) against France (10): voters at 4 give .248 x 6 to Germany, at 10 .336 x
    // 6 to France, at 7 nothing (equidistant): P = .248 / .584 = 0.424657...
    let (de, fr) = (idx("Germany"), idx("France"));
    assert!((d.probability[de][fr] - 0.248 / 0.584).abs() < 1e-12);
    assert!((d.probability[fr][de] - 0.336 / 0.584).abs() < 1e-12);
    // With r = 1 and Q = 1: distance 6/6 = 1, U^s = 2, U^f = -2, U^sq = 0, so
    // EU = s_FR (4P - 2) + (1 - s_FR) 2 = 0.6 (4 x 0.424657 - 2) + 0.8 = 0.619178...
    let want = 0.6 * (4.0 * 0.248 / 0.584 - 2.0) + 0.8;
    assert!((d.eu_neutral[de][fr] - want).abs() < 1e-12, "{}", d.eu_neutral[de][fr]);
    // Belgium (7) against the UK (10): distance 3/6 = 0.5: U^s = 2 - 4 x 0.25 = 1,
    // U^f = 2 - 4 x 0.75 = -1; voters at 4 and 7 go to Belgium (.248 x 3 + .093 x 3), at
    // 10 to the UK (.336 x 3): P = .341 / .677; EU = 0.9 (2P - 1) + 0.1.
    let (be, uk) = (idx("Belgium"), idx("UK"));
    let pb = 0.341 / 0.677;
    assert!((d.probability[be][uk] - pb).abs() < 1e-12);
    assert!((d.eu_neutral[be][uk] - (0.9 * (2.0 * pb - 1.0) + 0.1)).abs() < 1e-12);
}

#[test]
fn a_run_on_the_ec_actors_settles_and_forecasts_between_the_camps() {
    let Some(a) = actors() else { return };
    let run = run_eum(&input(&a), &EumParams::default()).unwrap();
    let f = run.forecast();
    assert!((4.0..=10.0).contains(&f), "{f}");
    // Deterministic.
    assert_eq!(run, run_eum(&input(&a), &EumParams::default()).unwrap());
}
