//! How likely drafts that are not in the scenario are to be accepted: revisions a mediation
//! proposes, studied by the same draws as the scenario's own proposals.

use detente_core::{Proposal, Scenario, Term};

use crate::Error;
use crate::monte_carlo::{self, Options};

/// For each draft (one term per issue), how many of `samples` draws of the estimates' ranges
/// (draw `k` from `(seed, k)` alone, as [`monte_carlo::run`] draws them) give every party in
/// `counted` the verdict "accepts". The drafts are studied as proposals added to the scenario,
/// so each draw analyses them exactly as it analyses the scenario's own.
///
/// # Errors
/// A draft with the wrong number of terms or a term out of range; bad options (as
/// [`monte_carlo::check`]).
pub fn all_accept(
    s: &Scenario,
    drafts: &[Vec<Term>],
    counted: &[usize],
    samples: u64,
    seed: u64,
) -> Result<Vec<u64>, Error> {
    if drafts.is_empty() {
        return Ok(vec![]);
    }
    let first = s.proposals().len();
    let with = s.clone().edit(|parts| {
        for (n, terms) in drafts.iter().enumerate() {
            parts.proposals.push(Proposal {
                id: format!("draft-{}-{n}", parts.proposals.len()),
                title: format!("draft {}", n + 1),
                author: None,
                date: None,
                amends: None,
                terms: terms.clone(),
                stated: vec![true; terms.len()],
                description: None,
            });
        }
    })?;
    let options = Options {
        proposals: (first..first + drafts.len()).collect(),
        counted: counted.to_vec(),
        ..Options::new(&with, samples, seed)
    };
    let tally = monte_carlo::run(&with, &options, &|_, _| {})?;
    Ok(tally.proposals.iter().map(|t| t.all_accept).collect())
}

/// For each revised draft, how many of `samples` draws of the estimates' ranges (draw `k`
/// from `(seed, k)` alone, as [`monte_carlo::run`] draws them) keep it an improvement on
/// `draft` for every party in `counted`, by [`detente_analysis::improves`]: in that draw,
/// every counted party keeps its red lines (those in doubt as the draw has them) and is at
/// least as well off as on `draft`, and someone is better off.
///
/// # Errors
/// A draft with the wrong number of terms or a term out of range, a party out of range, no
/// draws or more than [`monte_carlo::MAX_SAMPLES`].
pub fn all_improve(
    s: &Scenario,
    draft: &[Term],
    revised: &[Vec<Term>],
    counted: &[usize],
    samples: u64,
    seed: u64,
) -> Result<Vec<u64>, Error> {
    if samples == 0 || samples > monte_carlo::MAX_SAMPLES {
        return Err(Error::new(format!(
            "samples: {samples} (must be 1 to {})",
            monte_carlo::MAX_SAMPLES
        )));
    }
    for r in revised {
        detente_analysis::improves(s, counted, draft, r)?;
    }
    let mut counts = vec![0u64; revised.len()];
    if revised.is_empty() {
        return Ok(counts);
    }
    let mut sampler = detente_core::Sampler::new(s);
    for k in 0..samples {
        let drawn = sampler.draw(&mut detente_core::Rng::derive(seed, &[k]));
        for (n, r) in revised.iter().enumerate() {
            counts[n] += u64::from(detente_analysis::improves(drawn, counted, draft, r)?);
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> Scenario {
        detente_scenario::shipped::load("tutorial").unwrap().unwrap()
    }

    #[test]
    fn a_draft_counts_as_the_same_proposal_in_the_scenario_would() {
        let s = tutorial();
        let counted = detente_analysis::counted_parties(&s);
        let drafts: Vec<Vec<Term>> = s.proposals().iter().map(|p| p.terms.clone()).collect();
        let got = all_accept(&s, &drafts, &counted, 300, 7).unwrap();
        let options = Options { counted: counted.clone(), ..Options::new(&s, 300, 7) };
        let tally = monte_carlo::run(&s, &options, &|_, _| {}).unwrap();
        let want: Vec<u64> = tally.proposals.iter().map(|t| t.all_accept).collect();
        assert_eq!(got, want);
        // With no uncertainty the count is all or nothing, as the verdicts say.
        let fixed = s.edit(|p| {
            p.uncertainty.ungraded = None;
            p.uncertainty.ranges.clear();
            p.uncertainty.doubts.clear();
            for row in &mut p.stances {
                for st in row.iter_mut().flatten() {
                    st.confidence = None;
                }
            }
        });
        let fixed = fixed.unwrap();
        assert!(fixed.estimates().iter().all(|e| e.spread.is_point()));
        let got = all_accept(&fixed, &drafts, &counted, 50, 1).unwrap();
        for (j, &k) in got.iter().enumerate() {
            let e = detente_analysis::evaluate(&fixed, j).unwrap();
            let all =
                counted.iter().all(|&p| e.parties[p].verdict == detente_analysis::Verdict::Accepts);
            assert_eq!(k, if all { 50 } else { 0 }, "draft {j}");
        }
    }

    #[test]
    fn an_improvement_holds_in_every_draw_of_a_certain_scenario_and_in_some_of_an_uncertain_one() {
        let s = tutorial();
        let counted = detente_analysis::counted_parties(&s);
        let options = detente_analysis::ImproveOptions {
            parties: Some(counted.clone()),
            ..Default::default()
        };
        let m = detente_analysis::improve(&s, 1, &options).unwrap();
        assert!(!m.packages.is_empty());
        let draft = &s.proposals()[1].terms;
        let revised: Vec<Vec<Term>> = m.packages.iter().map(|p| p.revision.terms.clone()).collect();
        let got = all_improve(&s, draft, &revised, &counted, 200, 3).unwrap();
        assert_eq!(got, all_improve(&s, draft, &revised, &counted, 200, 3).unwrap());
        assert!(got.iter().all(|&k| k <= 200));
        // Its own draft never improves on itself.
        assert_eq!(
            all_improve(&s, draft, std::slice::from_ref(draft), &counted, 50, 0).unwrap(),
            vec![0]
        );
        assert!(all_improve(&s, draft, &revised, &counted, 0, 0).is_err());
        assert!(all_improve(&s, draft, &[vec![Term::Open]], &counted, 10, 0).is_err());
    }

    #[test]
    fn a_bad_draft_is_an_error_not_a_panic() {
        let s = tutorial();
        let short = vec![vec![Term::Open]];
        assert!(all_accept(&s, &short, &[0], 10, 0).is_err());
        assert_eq!(all_accept(&s, &[], &[0], 10, 0).unwrap(), Vec::<u64>::new());
    }
}
