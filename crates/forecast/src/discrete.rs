//! The discrete model, for points whose options have no order: a capability x salience
//! weighted vote over the options, each party scoring the options by its own values, and a
//! pairwise-majority (Condorcet) check of the vote's winner.
//!
//! The rule ([`vote`]):
//! - each voter's values are rescaled over the options to `[0, 1]` (its best option 1, its
//!   worst 0), so that raw and normalised utilities count alike and each party's ballot
//!   spans the same range; a voter that values every option alike casts nothing;
//! - the score of an option is the sum over voters of `power x rescaled value`, where the
//!   power is capability x salience; an option's share is its score over the sum of scores;
//! - the vote's winner is the option with the largest score (every option of the largest
//!   score on an exact tie);
//! - option `a` beats option `b` by pairwise majority when the power of the voters that
//!   value `a` above `b` exceeds the power of those that value `b` above `a` (voters that
//!   value them alike abstain); the Condorcet winner beats every other option, and there
//!   may be none (a cycle, or a tie at the top).
//!
//! Found in time linear in options x voters: a candidate is carried through the options
//! (each option that beats it takes its place), then checked against every option.

/// One voter on one point: its power (capability x salience) and its own value of each
/// option.
#[derive(Clone, Debug, PartialEq)]
pub struct Voter {
    /// Capability x salience, `>= 0` and finite.
    pub power: f64,
    /// The voter's value of each option (any finite numbers; only their order and relative
    /// gaps count).
    pub values: Vec<f64>,
}

/// The result of [`vote`].
#[derive(Clone, Debug, PartialEq)]
pub struct Vote {
    /// Per option, its share of the weighted score (summing to 1, or all 0 when no voter
    /// casts anything).
    pub shares: Vec<f64>,
    /// The options with the largest share, in option order (more than one on an exact tie;
    /// none when no voter casts anything).
    pub winners: Vec<usize>,
    /// The option that beats every other by weighted pairwise majority, if there is one.
    pub condorcet: Option<usize>,
}

impl Vote {
    /// Whether the vote has one winner and it is the Condorcet winner.
    pub fn agrees(&self) -> bool {
        matches!((&self.winners[..], self.condorcet), ([w], Some(c)) if *w == c)
    }
}

/// The weighted vote over `n_options` options and its pairwise-majority check (the rule is
/// in the [module documentation](self)). Voters whose number of values is not `n_options`,
/// or whose power or values are not finite, or whose power is negative, cast nothing.
pub fn vote(n_options: usize, voters: &[Voter]) -> Vote {
    let ballots: Vec<(f64, Vec<f64>)> = voters
        .iter()
        .filter(|v| {
            v.values.len() == n_options
                && v.power.is_finite()
                && v.power > 0.0
                && v.values.iter().all(|x| x.is_finite())
        })
        .filter_map(|v| {
            let lo = v.values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (hi > lo).then(|| (v.power, v.values.iter().map(|x| (x - lo) / (hi - lo)).collect()))
        })
        .collect();
    let mut scores = vec![0.0; n_options];
    for (power, values) in &ballots {
        for (s, x) in scores.iter_mut().zip(values) {
            *s += power * x;
        }
    }
    let total: f64 = scores.iter().sum();
    let shares: Vec<f64> =
        if total > 0.0 { scores.iter().map(|s| s / total).collect() } else { vec![0.0; n_options] };
    let best = scores.iter().copied().fold(0.0, f64::max);
    let winners =
        if best > 0.0 { (0..n_options).filter(|&k| scores[k] == best).collect() } else { vec![] };
    let beats = |a: usize, b: usize| {
        let (mut for_a, mut for_b) = (0.0, 0.0);
        for (power, values) in &ballots {
            if values[a] > values[b] {
                for_a += power;
            } else if values[b] > values[a] {
                for_b += power;
            }
        }
        for_a > for_b
    };
    let condorcet = (n_options > 0)
        .then(|| (1..n_options).fold(0, |c, k| if beats(k, c) { k } else { c }))
        .filter(|&c| (0..n_options).all(|k| k == c || beats(c, k)));
    Vote { shares, winners, condorcet }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voter(power: f64, values: &[f64]) -> Voter {
        Voter { power, values: values.to_vec() }
    }

    #[test]
    fn scores_are_power_times_rescaled_values() {
        // a: 2 x (1, 0, 0.5); b: 1 x (0, 1, 0.75) after rescaling (0, 4, 3).
        let v = vote(3, &[voter(2.0, &[1.0, 0.0, 0.5]), voter(1.0, &[0.0, 4.0, 3.0])]);
        let total = 2.0 + 1.0 + 1.75;
        assert_eq!(v.shares, vec![2.0 / total, 1.0 / total, 1.75 / total]);
        assert_eq!(v.winners, vec![0]);
        // a prefers 0 to 2 to 1 (power 2); b prefers 1 to 2 to 0 (power 1): 0 wins every
        // pair by 2 to 1.
        assert_eq!(v.condorcet, Some(0));
        assert!(v.agrees());
    }

    #[test]
    fn the_vote_winner_need_not_be_the_majority_winner() {
        // A majority (power 3) mildly prefers option 1 to 0 and both to 2; a strong minority
        // (power 2) wants 0 and ranks 1 last. Scores (values rescaled to 0-1): option 0 =
        // 3 x 0.9 + 2 x 1 = 4.7, option 1 = 3 x 1 = 3, option 2 = 2 x 0.5 = 1; but 1 beats 0
        // and 2 by 3 to 2.
        let v = vote(3, &[voter(3.0, &[0.9, 1.0, 0.0]), voter(2.0, &[1.0, 0.0, 0.5])]);
        assert_eq!(v.winners, vec![0]);
        assert_eq!(v.condorcet, Some(1));
        assert!(!v.agrees());
    }

    #[test]
    fn a_cycle_has_no_condorcet_winner() {
        let v = vote(
            3,
            &[
                voter(1.0, &[3.0, 2.0, 1.0]),
                voter(1.0, &[1.0, 3.0, 2.0]),
                voter(1.0, &[2.0, 1.0, 3.0]),
            ],
        );
        assert_eq!(v.condorcet, None);
        assert_eq!(v.winners, vec![0, 1, 2]);
        assert!(!v.agrees());
    }

    #[test]
    fn indifferent_and_bad_voters_cast_nothing() {
        let v = vote(
            2,
            &[
                voter(5.0, &[0.3, 0.3]),
                voter(f64::NAN, &[1.0, 0.0]),
                voter(1.0, &[1.0]),
                voter(0.0, &[1.0, 0.0]),
            ],
        );
        assert_eq!(v.shares, vec![0.0, 0.0]);
        assert!(v.winners.is_empty());
        assert_eq!(v.condorcet, None);
        let v = vote(0, &[]);
        assert!(v.shares.is_empty() && v.winners.is_empty() && v.condorcet.is_none());
    }

    #[test]
    fn the_condorcet_search_is_linear_and_exact() {
        // 2,000 options, a clear winner at the end: found by the carried candidate.
        let n = 2000;
        let values: Vec<f64> = (0..n).map(|k| k as f64).collect();
        let v = vote(
            n,
            &[voter(1.0, &values), voter(0.5, &values.iter().map(|x| -x).collect::<Vec<_>>())],
        );
        assert_eq!(v.condorcet, Some(n - 1));
        assert_eq!(v.winners, vec![n - 1]);
    }
}
