//! Drawing a scenario's numbers from their ranges, many times over (a Monte Carlo study).

use crate::{Estimate, Quantile, RedLineRef, Rng, Scenario};

/// A scenario whose uncertain numbers are drawn again and again: the estimates whose range is
/// more than a point ([`Scenario::estimates`]) and the red lines in doubt
/// ([`crate::Uncertainty::doubts`]).
///
/// Invariant: the sampler owns its copy of the scenario and changes nothing in it but those
/// numbers, each to a value within its range, which the scenario's invariants keep within
/// the estimate's allowed values; so the ranges are resolved once, here, and a draw checks
/// nothing. A draw costs one uniform number and one quantile per uncertain estimate, one
/// uniform number per doubt, and the derived tables of the parties whose numbers vary.
#[derive(Clone, Debug)]
pub struct Sampler {
    scenario: Scenario,
    /// The varying estimates, in [`Scenario::estimates`]' order, each with its quantile.
    estimates: Vec<(Estimate, Quantile)>,
    /// The red lines in doubt, sorted, each with the probability that it holds.
    doubts: Vec<(RedLineRef, f64)>,
    /// The parties with a varying estimate, ascending.
    parties: Vec<usize>,
}

impl Sampler {
    /// A sampler of `s`'s uncertain numbers; until the first draw its scenario is `s`.
    pub fn new(s: &Scenario) -> Sampler {
        let estimates: Vec<(Estimate, Quantile)> = s
            .estimates()
            .into_iter()
            .filter(|e| !e.spread.is_point())
            .map(|e| (e.estimate, Quantile::new(e.spread, e.point)))
            .collect();
        let mut parties: Vec<usize> = estimates.iter().map(|(e, _)| e.party()).collect();
        parties.dedup();
        let mut doubts: Vec<(RedLineRef, f64)> =
            s.uncertainty().doubts.iter().map(|d| (d.red_line, d.holds)).collect();
        doubts.sort_by_key(|d| d.0);
        Sampler { scenario: s.clone(), estimates, doubts, parties }
    }

    /// How many estimates vary (have a range of more than a point).
    pub fn varying(&self) -> usize {
        self.estimates.len()
    }

    /// The scenario as last drawn.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Draws every uncertain number from `rng`: first one uniform number per varying
    /// estimate, in [`Scenario::estimates`]' order, taken through its quantile; then one per
    /// red line in doubt, in red-line order, which does not hold when the number is at or
    /// above the probability that it holds. Returns the scenario as drawn.
    pub fn draw(&mut self, rng: &mut Rng) -> &Scenario {
        for &(e, q) in &self.estimates {
            let x = q.at(rng.unit());
            if let Some(slot) = self.scenario.slot_mut(e) {
                *slot = x;
            }
        }
        for &p in &self.parties {
            self.scenario.derive(p);
        }
        let doubts = &self.doubts;
        let not_holding = doubts.iter().filter(|&&(_, holds)| rng.unit() >= holds).map(|d| d.0);
        self.scenario.set_suspended_checked(not_holding);
        &self.scenario
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    /// Two parties, a discrete and a scale issue, a red line in doubt, a stated uniform range
    /// and the grades' triangular ones.
    fn toy() -> Scenario {
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, 0.5),
            Party::new("b", "B", Role::Principal, 2.0, 0.3),
        ];
        let issues = vec![
            Issue::discrete("x", "X", &["x0", "x1", "x2"]),
            Issue::scale("army", "Army", "personnel", 0.0, 1000.0, 250.0),
        ];
        let stances = vec![
            vec![
                Some(Stance::values(3.0, vec![1.0, 0.4, 0.0])),
                Some(Stance::ideal(1.0, 1000.0, 500.0)),
            ],
            vec![
                Some(
                    Stance::values(1.0, vec![0.0, 0.5, 1.0])
                        .with_red_line(RedLineKind::Forbid(vec![0]), None),
                ),
                None,
            ],
        ];
        let s = Scenario::new(Meta::named("toy"), parties, issues, stances, vec![], vec![]);
        s.expect("valid")
            .edit(|parts| {
                parts.uncertainty.ranges.push(StatedRange {
                    estimate: Estimate::Weight { party: 1, issue: 0 },
                    spread: Spread::Uniform { low: 0.5, high: 4.0 },
                });
                parts.uncertainty.doubts.push(Doubt { red_line: RED_LINE, holds: 0.5 });
            })
            .expect("valid")
    }

    const RED_LINE: RedLineRef = RedLineRef { party: 1, issue: 0, index: 0 };

    /// A draw equals setting the same numbers through the checked [`Scenario::set_estimates`]
    /// and [`Scenario::suspend_red_lines`], each within its range.
    #[test]
    fn a_draw_is_the_checked_setting_of_the_same_numbers() {
        let s = toy();
        let ranges: Vec<EstimateRange> =
            s.estimates().into_iter().filter(|r| !r.spread.is_point()).collect();
        let mut sampler = Sampler::new(&s);
        assert_eq!(sampler.varying(), ranges.len());
        assert!(ranges.iter().any(|r| matches!(r.spread, Spread::Uniform { .. })));
        assert!(ranges.iter().any(|r| matches!(r.estimate, Estimate::Tolerance { .. })));
        let mut held = [0; 2];
        for k in 0..200 {
            let drawn = sampler.draw(&mut Rng::derive(7, &[k])).clone();
            // The same numbers, drawn the long way and set through the checks.
            let mut rng = Rng::derive(7, &[k]);
            let mut changes = vec![];
            for r in &ranges {
                let x = r.spread.quantile(r.point, rng.unit());
                assert!(r.spread.low() <= x && x <= r.spread.high());
                changes.push((r.estimate, x));
            }
            let suspended = if rng.unit() >= 0.5 { vec![RED_LINE] } else { vec![] };
            held[suspended.len()] += 1;
            let mut checked = s.clone();
            checked.set_estimates(&changes).expect("within range");
            checked.suspend_red_lines(&suspended).expect("exists");
            assert_eq!(drawn, checked, "draw {k}");
        }
        assert!(held[0] > 50 && held[1] > 50, "the doubt goes both ways: {held:?}");
    }
}
