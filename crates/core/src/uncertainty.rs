//! How sure the numbers are: the ranges of a scenario's estimates and the doubts on its red
//! lines.
//!
//! Every weight, value, ideal, tolerance, reservation and capability of a scenario is an
//! analyst's estimate. The scenario keeps one number for each (the point estimate, which every
//! deterministic analysis uses) and, here, how far the truth may lie from it: a range stated
//! in the file, or one derived from the stance's confidence grade by [`Widths`]. A red line is
//! hard unless a [`Doubt`] gives the probability that it holds.

use crate::{Grade, RedLineRef};

/// One number of a scenario that is an analyst's estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Estimate {
    /// A party's weight (salience) of an issue, as written (before normalising).
    Weight {
        /// Party index.
        party: usize,
        /// Issue index.
        issue: usize,
    },
    /// A party's value of one option of a discrete issue.
    Value {
        /// Party index.
        party: usize,
        /// Issue index.
        issue: usize,
        /// Option index.
        option: usize,
    },
    /// A party's ideal point on a scale issue.
    Ideal {
        /// Party index.
        party: usize,
        /// Issue index.
        issue: usize,
    },
    /// A party's tolerance on a scale issue.
    Tolerance {
        /// Party index.
        party: usize,
        /// Issue index.
        issue: usize,
    },
    /// A party's reservation utility.
    Reservation {
        /// Party index.
        party: usize,
    },
    /// A party's capability (clout).
    Capability {
        /// Party index.
        party: usize,
    },
}

impl Estimate {
    /// The party whose estimate this is.
    pub fn party(self) -> usize {
        match self {
            Estimate::Weight { party, .. }
            | Estimate::Value { party, .. }
            | Estimate::Ideal { party, .. }
            | Estimate::Tolerance { party, .. }
            | Estimate::Reservation { party }
            | Estimate::Capability { party } => party,
        }
    }

    /// The issue of a stance's estimate; `None` for a party's own numbers.
    pub fn issue(self) -> Option<usize> {
        match self {
            Estimate::Weight { issue, .. }
            | Estimate::Value { issue, .. }
            | Estimate::Ideal { issue, .. }
            | Estimate::Tolerance { issue, .. } => Some(issue),
            Estimate::Reservation { .. } | Estimate::Capability { .. } => None,
        }
    }

    /// The field's name in files: `weight`, `value`, `ideal`, `tolerance`, `reservation` or
    /// `capability`.
    pub fn field(self) -> &'static str {
        match self {
            Estimate::Weight { .. } => "weight",
            Estimate::Value { .. } => "value",
            Estimate::Ideal { .. } => "ideal",
            Estimate::Tolerance { .. } => "tolerance",
            Estimate::Reservation { .. } => "reservation",
            Estimate::Capability { .. } => "capability",
        }
    }
}

/// How an estimate is spread around its point estimate, between `low` and `high`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Spread {
    /// Triangular: most likely at the point estimate, falling linearly to 0 at `low` and
    /// `high`. A range written as `{ value, low, high }` is triangular.
    Triangular {
        /// Lowest possible value (`<=` the point estimate).
        low: f64,
        /// Highest possible value (`>=` the point estimate).
        high: f64,
    },
    /// Uniform: every value between `low` and `high` alike.
    Uniform {
        /// Lowest possible value (`<=` the point estimate).
        low: f64,
        /// Highest possible value (`>=` the point estimate).
        high: f64,
    },
}

impl Spread {
    /// The lowest possible value.
    pub fn low(self) -> f64 {
        match self {
            Spread::Triangular { low, .. } | Spread::Uniform { low, .. } => low,
        }
    }

    /// The highest possible value.
    pub fn high(self) -> f64 {
        match self {
            Spread::Triangular { high, .. } | Spread::Uniform { high, .. } => high,
        }
    }

    /// Whether the range is a single point (`low == high`).
    pub fn is_point(self) -> bool {
        self.low() == self.high()
    }

    /// The name used in files: `triangular` or `uniform`.
    pub fn name(self) -> &'static str {
        match self {
            Spread::Triangular { .. } => "triangular",
            Spread::Uniform { .. } => "uniform",
        }
    }

    /// The value below which a share `u` (in `[0, 1]`) of the probability lies (the inverse
    /// of the distribution function), for the point estimate `point`; draws with a uniform
    /// `u` follow the spread. Always within `[low, high]`.
    pub fn quantile(self, point: f64, u: f64) -> f64 {
        Quantile::new(self, point).at(u)
    }

    /// The probability that a draw is below `x` (the distribution function), for the point
    /// estimate `point`.
    pub fn cdf(self, point: f64, x: f64) -> f64 {
        let (a, b) = (self.low(), self.high());
        if x <= a {
            return 0.0;
        }
        if x >= b {
            return 1.0;
        }
        match self {
            Spread::Uniform { .. } => (x - a) / (b - a),
            Spread::Triangular { .. } => {
                let c = point;
                if x <= c {
                    (x - a) * (x - a) / ((b - a) * (c - a))
                } else {
                    1.0 - (b - x) * (b - x) / ((b - a) * (b - c))
                }
            }
        }
    }
}

/// A range stated in the file for one estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatedRange {
    /// The estimate.
    pub estimate: Estimate,
    /// How it is spread around its point estimate.
    pub spread: Spread,
}

/// Doubt on a red line: the probability that it holds (a hard red line holds with
/// probability 1 and has no doubt).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Doubt {
    /// The red line.
    pub red_line: RedLineRef,
    /// The probability that it holds, in `[0, 1]`.
    pub holds: f64,
}

/// The half-widths of the ranges derived from one confidence grade, where the file states no
/// range. `weight`, `tolerance` and `capability` are shares of the estimate (0.25: 25% either
/// side); `value` and `reservation` are utility on the 0-1 scale (shares of the estimate in
/// raw scenarios); `ideal` is a share of the scale's span.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Widths {
    /// Share of a weight, `>= 0`.
    pub weight: f64,
    /// Utility either side of a value, `>= 0`.
    pub value: f64,
    /// Share of the scale's span either side of an ideal, `>= 0`.
    pub ideal: f64,
    /// Share of a tolerance, in `[0, 1)` (a tolerance stays positive).
    pub tolerance: f64,
    /// Utility either side of a reservation, `>= 0`.
    pub reservation: f64,
    /// Share of a capability, `>= 0`.
    pub capability: f64,
}

impl Widths {
    /// The default half-widths of grade `g` (docs/scenario-format.md, "Uncertainty"): A
    /// narrow (the number translates an official text: 0.05 of utility, 10% of a weight,
    /// tolerance or capability), B one report (0.1 of utility, 25%), C weak or inferred (0.2
    /// of utility, 50%).
    pub fn default_for(g: Grade) -> Widths {
        let (share, utility) = match g {
            Grade::A => (0.1, 0.05),
            Grade::B => (0.25, 0.1),
            Grade::C => (0.5, 0.2),
        };
        Widths {
            weight: share,
            value: utility,
            ideal: utility,
            tolerance: share,
            reservation: utility,
            capability: share,
        }
    }

    /// The half-width for an estimate of this kind.
    pub fn of(&self, e: Estimate) -> f64 {
        match e {
            Estimate::Weight { .. } => self.weight,
            Estimate::Value { .. } => self.value,
            Estimate::Ideal { .. } => self.ideal,
            Estimate::Tolerance { .. } => self.tolerance,
            Estimate::Reservation { .. } => self.reservation,
            Estimate::Capability { .. } => self.capability,
        }
    }

    fn all(&self) -> [(&'static str, f64); 6] {
        [
            ("weight", self.weight),
            ("value", self.value),
            ("ideal", self.ideal),
            ("tolerance", self.tolerance),
            ("reservation", self.reservation),
            ("capability", self.capability),
        ]
    }
}

/// How sure a scenario's numbers are: the ranges stated in the file, the doubts on red lines,
/// and the widths that derive a range from a confidence grade where none is stated.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertainty {
    /// Ranges stated in the file, at most one per estimate.
    pub ranges: Vec<StatedRange>,
    /// Red lines that may not hold, at most one doubt per red line.
    pub doubts: Vec<Doubt>,
    /// Half-widths by grade: `widths[0]` for A, `[1]` for B, `[2]` for C.
    pub widths: [Widths; 3],
    /// The grade assumed for a stance that has none; `None`: such a stance's numbers have no
    /// range unless one is stated.
    pub ungraded: Option<Grade>,
}

impl Default for Uncertainty {
    /// No stated range or doubt; the default widths; ungraded stances taken as grade B.
    fn default() -> Uncertainty {
        Uncertainty {
            ranges: vec![],
            doubts: vec![],
            widths: [Grade::A, Grade::B, Grade::C].map(Widths::default_for),
            ungraded: Some(Grade::B),
        }
    }
}

impl Uncertainty {
    /// The half-widths of grade `g`.
    pub fn widths_of(&self, g: Grade) -> &Widths {
        &self.widths[g as usize]
    }

    /// The range stated for `e`, if any.
    pub fn stated(&self, e: Estimate) -> Option<Spread> {
        self.ranges.iter().find(|r| r.estimate == e).map(|r| r.spread)
    }

    /// The probability that red line `r` holds (1 when it has no doubt).
    pub fn holds(&self, r: RedLineRef) -> f64 {
        self.doubts.iter().find(|d| d.red_line == r).map_or(1.0, |d| d.holds)
    }

    pub(crate) fn check_widths(&self) -> Result<(), String> {
        for (g, w) in [Grade::A, Grade::B, Grade::C].iter().zip(&self.widths) {
            for (field, x) in w.all() {
                if !(x.is_finite() && x >= 0.0) {
                    return Err(format!(
                        "uncertainty: the {field} width of grade {} must be finite and >= 0",
                        g.as_str()
                    ));
                }
            }
            if w.tolerance >= 1.0 {
                return Err(format!(
                    "uncertainty: the tolerance width of grade {} must be below 1 (a share of the tolerance, which stays positive)",
                    g.as_str()
                ));
            }
        }
        for d in &self.doubts {
            if !(d.holds.is_finite() && (0.0..=1.0).contains(&d.holds)) {
                return Err(
                    "uncertainty: the probability that a red line holds must be in [0, 1]".into()
                );
            }
        }
        Ok(())
    }
}

/// Where an estimate's range comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Stated in the file.
    Stated,
    /// Derived from this confidence grade by its widths.
    Grade(Grade),
    /// No range: the estimate is taken as known (no grade, or a zero width).
    Fixed,
}

/// The quantile function of one range with its constants worked out once, to draw from it
/// many times: [`Spread::quantile`] is `Quantile::new(spread, point).at(u)`, one formula.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantile {
    /// A range of one point (or an empty one): always the point estimate.
    Point(f64),
    /// Uniform between `a` and `b`.
    Uniform {
        /// The lowest value.
        a: f64,
        /// The highest value.
        b: f64,
    },
    /// Triangular between `a` and `b`, most likely at `c`; `at_mode` is the probability
    /// below `c`.
    Triangular {
        /// The lowest value.
        a: f64,
        /// The highest value.
        b: f64,
        /// The mode (the point estimate).
        c: f64,
        /// `(c - a) / (b - a)`.
        at_mode: f64,
    },
}

impl Quantile {
    /// The quantile function of `spread` around the point estimate `point`.
    pub fn new(spread: Spread, point: f64) -> Quantile {
        let (a, b) = (spread.low(), spread.high());
        if a >= b {
            return Quantile::Point(point);
        }
        match spread {
            Spread::Uniform { .. } => Quantile::Uniform { a, b },
            Spread::Triangular { .. } => {
                Quantile::Triangular { a, b, c: point, at_mode: (point - a) / (b - a) }
            }
        }
    }

    /// The value below which a share `u` (in `[0, 1]`) of the draws falls.
    #[inline]
    pub fn at(self, u: f64) -> f64 {
        match self {
            Quantile::Point(x) => x,
            Quantile::Uniform { a, b } => (a + u * (b - a)).clamp(a, b),
            Quantile::Triangular { a, b, c, at_mode } => {
                let x = if u < at_mode {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                };
                x.clamp(a, b)
            }
        }
    }
}

/// One estimate with its point estimate and its range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EstimateRange {
    /// The estimate.
    pub estimate: Estimate,
    /// Its point estimate (the number every deterministic analysis uses).
    pub point: f64,
    /// Its range (a single point when fixed).
    pub spread: Spread,
    /// Where the range comes from.
    pub origin: Origin,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_invert_the_distribution_function() {
        let spreads = [
            (Spread::Triangular { low: 0.2, high: 0.9 }, 0.4),
            (Spread::Triangular { low: 0.2, high: 0.9 }, 0.2),
            (Spread::Triangular { low: 0.2, high: 0.9 }, 0.9),
            (Spread::Uniform { low: -3.0, high: 5.0 }, 1.0),
        ];
        for (sp, point) in spreads {
            for n in 0..=100 {
                let u = n as f64 / 100.0;
                let x = sp.quantile(point, u);
                assert!((sp.low()..=sp.high()).contains(&x));
                assert!((sp.cdf(point, x) - u).abs() < 1e-9, "{sp:?} u {u} x {x}");
            }
        }
        // The triangle's mode splits the probability in proportion.
        let t = Spread::Triangular { low: 0.0, high: 4.0 };
        assert!((t.cdf(1.0, 1.0) - 0.25).abs() < 1e-15);
        // A point spread always gives the point.
        let p = Spread::Triangular { low: 0.3, high: 0.3 };
        assert!(p.is_point() && p.quantile(0.3, 0.77) == 0.3);
    }

    #[test]
    fn widths_widen_with_the_grade_and_are_checked() {
        let u = Uncertainty::default();
        assert!(u.widths_of(Grade::A).value < u.widths_of(Grade::B).value);
        assert!(u.widths_of(Grade::B).weight < u.widths_of(Grade::C).weight);
        assert!(u.check_widths().is_ok());
        let mut bad = u.clone();
        bad.widths[2].tolerance = 1.0;
        assert!(bad.check_widths().unwrap_err().contains("tolerance width of grade C"));
        bad = u;
        bad.widths[0].value = f64::NAN;
        assert!(bad.check_widths().unwrap_err().contains("value width of grade A"));
    }
}
